//! Per-shard statistics: what INFO's stats, commandstats and errorstats sections report.
//! Each shard counts what happens on it; INFO sums the shards.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use corekv_shard::util::FastBuild;

/// A command's full name from its table row, compared and hashed by address: every count of
/// a command goes through the same `&'static str`, so this is exact and costs no string work.
#[derive(Debug, Clone, Copy)]
pub struct CmdKey(pub &'static str);

impl PartialEq for CmdKey {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0.as_ptr(), other.0.as_ptr()) || self.0 == other.0
    }
}

impl Eq for CmdKey {}

impl Hash for CmdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Content hash of a short name is cheap and stays consistent with `eq` even if two
        // rows' literals were not merged.
        self.0.len().hash(state);
        self.0.as_bytes().first().hash(state);
        self.0.as_bytes().last().hash(state);
    }
}

/// Calls, time and failures of one command.
#[derive(Debug, Default, Clone, Copy)]
pub struct CmdStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

/// The per-command counters of one shard, in first-counted order.
#[derive(Debug, Default, Clone)]
pub struct CmdStats {
    index: HashMap<CmdKey, usize, FastBuild>,
    stats: Vec<(CmdKey, CmdStat)>,
    /// The command counted last and its place: a pipeline mostly repeats one command, and
    /// comparing its name's address is cheaper than a table lookup.
    last: Option<(&'static str, usize)>,
}

impl CmdStats {
    /// The counters of `cmd`, created at zero.
    pub fn entry(&mut self, cmd: &'static str) -> &mut CmdStat {
        let idx = match self.last {
            Some((name, i)) if std::ptr::eq(name, cmd) => i,
            _ => {
                let stats = &mut self.stats;
                let i = *self.index.entry(CmdKey(cmd)).or_insert_with(|| {
                    stats.push((CmdKey(cmd), CmdStat::default()));
                    stats.len() - 1
                });
                self.last = Some((cmd, i));
                i
            }
        };
        &mut self.stats[idx].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CmdKey, &CmdStat)> {
        self.stats.iter().map(|(k, v)| (k, v))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub commands: CmdStats,
    pub errors: HashMap<String, u64>,
    pub total_error_replies: u64,
    /// Commands executed on this shard's data (inline or for other shards): INFO `shards`.
    pub executed: u64,
    pub total_commands_processed: u64,
    pub total_connections_received: u64,
    pub rejected_connections: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub expired_keys_active: u64,
    /// The executor's task-queue runs and tasks run (INFO `shards`), accumulated from
    /// glommio's counters, which reset each time they are read.
    pub executor_runs: u64,
    pub tasks_run: u64,
}

impl Stats {
    pub fn call(&mut self, cmd: &'static str) {
        self.commands.entry(cmd).calls += 1;
        self.total_commands_processed += 1;
    }

    pub fn time(&mut self, cmd: &'static str, usec: u64) {
        self.commands.entry(cmd).usec += usec;
    }

    /// An error reply: counted per error code; `rejected` says it came before execution
    /// (unknown command, arity, auth), else it is a failed call of `cmd`.
    pub fn error(&mut self, cmd: Option<&'static str>, code: &[u8], rejected: bool) {
        self.total_error_replies += 1;
        let code = String::from_utf8_lossy(code).into_owned();
        *self.errors.entry(code).or_default() += 1;
        if let Some(cmd) = cmd {
            let s = self.commands.entry(cmd);
            if rejected {
                s.rejected_calls += 1;
            } else {
                s.failed_calls += 1;
            }
        }
    }

    /// CONFIG RESETSTAT.
    pub fn reset(&mut self) {
        *self = Stats::default();
    }

    pub fn merge(&mut self, other: &Stats) {
        for (k, v) in other.commands.iter() {
            let s = self.commands.entry(k.0);
            s.calls += v.calls;
            s.usec += v.usec;
            s.rejected_calls += v.rejected_calls;
            s.failed_calls += v.failed_calls;
        }
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
        self.total_error_replies += other.total_error_replies;
        self.executed += other.executed;
        self.total_commands_processed += other.total_commands_processed;
        self.total_connections_received += other.total_connections_received;
        self.rejected_connections += other.rejected_connections;
        self.net_input_bytes += other.net_input_bytes;
        self.net_output_bytes += other.net_output_bytes;
        self.expired_keys_active += other.expired_keys_active;
    }
}
