//! The command table: one row per command, declared by the family module that implements it.
//!
//! A row says everything the server needs before running a command: its arity (checked before
//! any handler runs), flags and ACL categories (for `COMMAND` and, later, ACL), where its keys
//! are (for routing to the owning shard and `COMMAND GETKEYS`) and how it runs (the [`Route`]).
//! The same rows drive `COMMAND INFO/DOCS/LIST/COUNT`, so nothing about a command is written in
//! two places. Lookup is case-insensitive and allocation-free.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::OpResult;
use crate::shard::{Cx, Shard};

/// A synchronous command implementation on one shard's data. `args[0]` is the command name.
/// On `Ok` the op has written exactly one reply to `cx.out`; on `Err` it has written nothing
/// and the caller writes the error.
pub type OpFn = fn(&mut Shard, &mut Cx<'_>, &[&[u8]]) -> OpResult;

/// Command flags, as `COMMAND INFO` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(pub u32);

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const WRITE: Flags = Flags(1 << 0);
    pub const READONLY: Flags = Flags(1 << 1);
    pub const DENYOOM: Flags = Flags(1 << 2);
    pub const ADMIN: Flags = Flags(1 << 3);
    pub const PUBSUB: Flags = Flags(1 << 4);
    pub const NOSCRIPT: Flags = Flags(1 << 5);
    pub const BLOCKING: Flags = Flags(1 << 6);
    pub const LOADING: Flags = Flags(1 << 7);
    pub const STALE: Flags = Flags(1 << 8);
    pub const SKIP_MONITOR: Flags = Flags(1 << 9);
    pub const SKIP_SLOWLOG: Flags = Flags(1 << 10);
    pub const FAST: Flags = Flags(1 << 11);
    pub const NO_AUTH: Flags = Flags(1 << 12);
    pub const MAY_REPLICATE: Flags = Flags(1 << 13);
    pub const NO_MANDATORY_KEYS: Flags = Flags(1 << 14);
    pub const NO_ASYNC_LOADING: Flags = Flags(1 << 15);
    pub const NO_MULTI: Flags = Flags(1 << 16);
    pub const MOVABLEKEYS: Flags = Flags(1 << 17);
    pub const ALLOW_BUSY: Flags = Flags(1 << 18);
    pub const PROTECTED: Flags = Flags(1 << 19);

    const NAMES: [(Flags, &'static str); 20] = [
        (Flags::WRITE, "write"),
        (Flags::READONLY, "readonly"),
        (Flags::DENYOOM, "denyoom"),
        (Flags::ADMIN, "admin"),
        (Flags::PUBSUB, "pubsub"),
        (Flags::NOSCRIPT, "noscript"),
        (Flags::BLOCKING, "blocking"),
        (Flags::LOADING, "loading"),
        (Flags::STALE, "stale"),
        (Flags::SKIP_MONITOR, "skip_monitor"),
        (Flags::SKIP_SLOWLOG, "skip_slowlog"),
        (Flags::FAST, "fast"),
        (Flags::NO_AUTH, "no_auth"),
        (Flags::MAY_REPLICATE, "may_replicate"),
        (Flags::NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (Flags::NO_ASYNC_LOADING, "no_async_loading"),
        (Flags::NO_MULTI, "no_multi"),
        (Flags::MOVABLEKEYS, "movablekeys"),
        (Flags::ALLOW_BUSY, "allow_busy"),
        (Flags::PROTECTED, "protected"),
    ];

    pub const fn or(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub const fn has(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Flag names in `COMMAND INFO` order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(f, _)| self.has(*f))
            .map(|(_, n)| n)
    }
}

/// ACL categories (`@string`, `@keyspace`, ...). Implicit ones (`@write`, `@read`, `@fast`,
/// `@slow`, `@admin`, `@dangerous`, `@pubsub`, `@blocking`) are derived from the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acl(pub u32);

impl Acl {
    pub const NONE: Acl = Acl(0);
    pub const KEYSPACE: Acl = Acl(1 << 0);
    pub const READ: Acl = Acl(1 << 1);
    pub const WRITE: Acl = Acl(1 << 2);
    pub const SET: Acl = Acl(1 << 3);
    pub const SORTEDSET: Acl = Acl(1 << 4);
    pub const LIST: Acl = Acl(1 << 5);
    pub const HASH: Acl = Acl(1 << 6);
    pub const STRING: Acl = Acl(1 << 7);
    pub const BITMAP: Acl = Acl(1 << 8);
    pub const HYPERLOGLOG: Acl = Acl(1 << 9);
    pub const GEO: Acl = Acl(1 << 10);
    pub const STREAM: Acl = Acl(1 << 11);
    pub const PUBSUB: Acl = Acl(1 << 12);
    pub const ADMIN: Acl = Acl(1 << 13);
    pub const FAST: Acl = Acl(1 << 14);
    pub const SLOW: Acl = Acl(1 << 15);
    pub const BLOCKING: Acl = Acl(1 << 16);
    pub const DANGEROUS: Acl = Acl(1 << 17);
    pub const CONNECTION: Acl = Acl(1 << 18);
    pub const TRANSACTION: Acl = Acl(1 << 19);
    pub const SCRIPTING: Acl = Acl(1 << 20);

    pub const NAMES: [(Acl, &'static str); 21] = [
        (Acl::KEYSPACE, "keyspace"),
        (Acl::READ, "read"),
        (Acl::WRITE, "write"),
        (Acl::SET, "set"),
        (Acl::SORTEDSET, "sortedset"),
        (Acl::LIST, "list"),
        (Acl::HASH, "hash"),
        (Acl::STRING, "string"),
        (Acl::BITMAP, "bitmap"),
        (Acl::HYPERLOGLOG, "hyperloglog"),
        (Acl::GEO, "geo"),
        (Acl::STREAM, "stream"),
        (Acl::PUBSUB, "pubsub"),
        (Acl::ADMIN, "admin"),
        (Acl::FAST, "fast"),
        (Acl::SLOW, "slow"),
        (Acl::BLOCKING, "blocking"),
        (Acl::DANGEROUS, "dangerous"),
        (Acl::CONNECTION, "connection"),
        (Acl::TRANSACTION, "transaction"),
        (Acl::SCRIPTING, "scripting"),
    ];

    pub const fn or(self, other: Acl) -> Acl {
        Acl(self.0 | other.0)
    }

    pub const fn has(self, other: Acl) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Where a command's keys are.
#[derive(Clone, Copy)]
pub enum Keys {
    /// No keys.
    None,
    /// Keys at `first`, `first + step`, ... up to `last` (negative counts from the end, as in
    /// `COMMAND INFO`).
    Range { first: i16, last: i16, step: i16 },
    /// Keys found by a function of the arguments (numkeys-style commands). The legacy triple is
    /// what `COMMAND INFO` reports.
    Custom {
        first: i16,
        last: i16,
        step: i16,
        find: fn(&[&[u8]]) -> Vec<usize>,
    },
}

impl Keys {
    /// Argument positions of the keys, for a command whose arity has been checked.
    pub fn positions(&self, args: &[&[u8]]) -> Vec<usize> {
        match *self {
            Keys::None => Vec::new(),
            Keys::Range { first, last, step } => range_positions(args.len(), first, last, step),
            Keys::Custom { find, .. } => find(args),
        }
    }

    /// The legacy `(first, last, step)` triple.
    pub fn triple(&self) -> (i16, i16, i16) {
        match *self {
            Keys::None => (0, 0, 0),
            Keys::Range { first, last, step }
            | Keys::Custom {
                first, last, step, ..
            } => (first, last, step),
        }
    }
}

fn range_positions(argc: usize, first: i16, last: i16, step: i16) -> Vec<usize> {
    if first <= 0 || step <= 0 {
        return Vec::new();
    }
    let first = first as usize;
    let last = if last < 0 {
        argc as i64 + last as i64
    } else {
        last as i64
    };
    let mut out = Vec::new();
    let mut i = first as i64;
    while i <= last && (i as usize) < argc {
        out.push(i as usize);
        i += step as i64;
    }
    out
}

/// How the replies of a command split across shards are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// One reply per key group, sent as an array in argument order (MGET).
    Array,
    /// Integer replies summed (DEL, EXISTS, TOUCH, UNLINK, DBSIZE).
    SumInt,
    /// `+OK` when every part said `+OK`, else the first error (MSET, FLUSHALL).
    Ok,
    /// Array replies of every shard concatenated into one array (KEYS).
    ConcatArrays,
}

/// What to do with a keyed command whose keys live on more than one shard.
#[derive(Clone, Copy)]
pub enum Cross {
    /// The command has a single key, so it never spans shards.
    Never,
    /// Run `part` once per group of `group` arguments starting at the first key (one key for
    /// MGET/DEL, key and value for MSET) on each key's shard, then merge.
    Split { part: OpFn, group: u8, merge: Merge },
    /// A coordinator in the server runs it (RENAME, COPY, ... across shards).
    Coord(CoordCmd),
}

/// Commands the server implements itself (connection state, admin, introspection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerCmd {
    Ping,
    Echo,
    Quit,
    Hello,
    Reset,
    Auth,
    Select,
    ClientId,
    ClientSetName,
    ClientGetName,
    ClientList,
    ClientInfo,
    ClientKill,
    ClientNoEvict,
    ClientReply,
    ClientHelp,
    ClientPause,
    ClientUnpause,
    ClientTracking,
    ClientUnblock,
    ClientCaching,
    ClientGetRedir,
    ClientTrackingInfo,
    Info,
    Time,
    ConfigGet,
    ConfigSet,
    ConfigResetStat,
    ConfigRewrite,
    ConfigHelp,
    Shutdown,
    Debug,
    CommandAll,
    CommandCount,
    CommandInfo,
    CommandDocs,
    CommandList,
    CommandGetKeys,
    CommandGetKeysAndFlags,
    CommandHelp,
    FunctionFlush,
    Lastsave,
    Role,
    Readonly,
    Readwrite,
    Lolwut,
}

/// Keyed commands whose cross-shard form is coordinated by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordCmd {
    Rename,
    RenameNx,
    Copy,
    MsetNx,
    Lcs,
    BitOp,
    /// The generic path: gather every key's entry onto one shard, run the command's own op
    /// there, send back every key that changed (SINTER, SUNIONSTORE, ZUNIONSTORE, SMOVE,
    /// LMOVE, ...).
    Gather,
    /// SORT/SORT_RO: gathered like `Gather`, plus the keys its BY/GET patterns name (known
    /// only from the sorted key's contents). Taken even when the declared keys share a shard
    /// whenever a pattern could name a key elsewhere.
    Sort,
}

/// Keyless commands over the whole keyspace, coordinated by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyspaceCmd {
    Scan,
    RandomKey,
}

/// How a command runs.
#[derive(Clone, Copy)]
pub enum Route {
    /// Keyed: the op runs on the shard owning the keys; `cross` says what happens when the
    /// keys are on several shards.
    Shard { op: OpFn, cross: Cross },
    /// Runs `op` on every shard and merges the replies (DBSIZE, KEYS).
    AllShards { op: OpFn, merge: Merge },
    /// Keyless keyspace-wide commands with their own coordination (SCAN, RANDOMKEY, ...).
    Keyspace(KeyspaceCmd),
    /// Implemented by the server.
    Server(ServerCmd),
    /// A container whose subcommands are in `CommandDef::subcommands`.
    Container,
}

/// One row of the command table.
pub struct CommandDef {
    /// Lower-case full name: `get`, or `config|get` for a subcommand row.
    pub name: &'static str,
    /// Redis arity: N means exactly N arguments including the name, -N at least N.
    pub arity: i16,
    pub flags: Flags,
    pub acl: Acl,
    pub keys: Keys,
    pub route: Route,
    pub group: &'static str,
    pub since: &'static str,
    pub complexity: &'static str,
    pub summary: &'static str,
    pub subcommands: &'static [CommandDef],
    /// For blocking commands: where their timeout is.
    pub block_timeout: BlockTimeout,
}

/// A keyed route whose keys always share one shard (or that runs per shard).
pub const fn single(op: OpFn) -> Route {
    Route::Shard {
        op,
        cross: Cross::Never,
    }
}

/// A multi-key route the server gathers onto one shard when its keys span shards.
pub const fn gather(op: OpFn) -> Route {
    Route::Shard {
        op,
        cross: Cross::Coord(CoordCmd::Gather),
    }
}

/// Where a blocking command carries its timeout (the server needs it to wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockTimeout {
    /// Not a blocking command.
    None,
    /// Seconds (a float), the last argument (BLPOP, BLMOVE, BZPOPMIN, ...).
    LastSeconds,
    /// Seconds (a float), the first argument after the name (BLMPOP, BZMPOP).
    FirstSeconds,
    /// Milliseconds after a `BLOCK` option, if present (XREAD, XREADGROUP).
    BlockOptionMs,
}

impl BlockTimeout {
    /// The timeout in milliseconds this command asks for: `None` when it does not block
    /// (no BLOCK option), `Some(0)` for "forever". Arguments were validated by the op.
    pub fn millis(self, args: &[&[u8]]) -> Option<u64> {
        let secs = |a: &[u8]| -> Option<u64> {
            let v = crate::util::parse_f64(a)?;
            (v.is_finite() && v >= 0.0).then(|| (v * 1000.0).ceil() as u64)
        };
        match self {
            BlockTimeout::None => None,
            BlockTimeout::LastSeconds => secs(args.last()?),
            BlockTimeout::FirstSeconds => secs(args.get(1)?),
            BlockTimeout::BlockOptionMs => {
                // Only among the options before STREAMS: a key, group or consumer may be
                // named "block".
                let mut i = 1;
                while i < args.len() {
                    let a = args[i];
                    if a.eq_ignore_ascii_case(b"block") {
                        let v = crate::util::parse_i64_strict(args.get(i + 1)?)?;
                        return Some(v.max(0) as u64);
                    } else if a.eq_ignore_ascii_case(b"count") {
                        i += 2;
                    } else if a.eq_ignore_ascii_case(b"group") {
                        i += 3;
                    } else if a.eq_ignore_ascii_case(b"noack") {
                        i += 1;
                    } else {
                        return None;
                    }
                }
                None
            }
        }
    }
}

impl CommandDef {
    /// Marks a row as a blocking command whose timeout is at `t` (const, for the tables).
    pub const fn blocking(mut self, t: BlockTimeout) -> CommandDef {
        self.block_timeout = t;
        self
    }

    /// Whether `argc` arguments (name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let a = self.arity as i64;
        let n = argc as i64;
        (a > 0 && n == a) || (a < 0 && n >= -a)
    }

    /// ACL categories, the implicit ones included (as Redis's setImplicitACLCategories).
    pub fn acl_categories(&self) -> Acl {
        let mut acl = self.acl;
        let f = self.flags;
        if f.has(Flags::WRITE) {
            acl = acl.or(Acl::WRITE);
        }
        if f.has(Flags::READONLY) && !acl.has(Acl::SCRIPTING) {
            acl = acl.or(Acl::READ);
        }
        if f.has(Flags::ADMIN) {
            acl = acl.or(Acl::ADMIN).or(Acl::DANGEROUS);
        }
        if f.has(Flags::PUBSUB) {
            acl = acl.or(Acl::PUBSUB);
        }
        if f.has(Flags::FAST) {
            acl = acl.or(Acl::FAST);
        }
        if f.has(Flags::BLOCKING) {
            acl = acl.or(Acl::BLOCKING);
        }
        if !acl.has(Acl::FAST) {
            acl = acl.or(Acl::SLOW);
        }
        acl
    }

    /// The subcommand row for `name` (rows are named `container|sub`).
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandDef> {
        self.subcommands
            .iter()
            .find(|d| d.sub_name().as_bytes().eq_ignore_ascii_case(name))
    }

    /// The part after `|` of a subcommand row's name (the whole name otherwise).
    pub fn sub_name(&self) -> &'static str {
        match self.name.split_once('|') {
            Some((_, sub)) => sub,
            None => self.name,
        }
    }
}

/// A compact row constructor used by the family tables.
#[allow(clippy::too_many_arguments)] // reason: a table row; named fields would triple its size
pub const fn def(
    name: &'static str,
    arity: i16,
    flags: Flags,
    acl: Acl,
    keys: Keys,
    route: Route,
    group: &'static str,
    since: &'static str,
    complexity: &'static str,
    summary: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        arity,
        flags,
        acl,
        keys,
        route,
        group,
        since,
        complexity,
        summary,
        subcommands: &[],
        block_timeout: BlockTimeout::None,
    }
}

/// A row with subcommands (`CONFIG`, `CLIENT`, ...). `route` runs when the command comes
/// without a subcommand (COMMAND alone lists everything; the others are `Route::Container`
/// and fail their arity check).
#[allow(clippy::too_many_arguments)] // reason: a table row, as `def`
pub const fn container(
    name: &'static str,
    arity: i16,
    flags: Flags,
    acl: Acl,
    route: Route,
    group: &'static str,
    since: &'static str,
    summary: &'static str,
    subcommands: &'static [CommandDef],
) -> CommandDef {
    CommandDef {
        name,
        arity,
        flags,
        acl,
        keys: Keys::None,
        route,
        group,
        since,
        complexity: "Depends on subcommand.",
        summary,
        subcommands,
        block_timeout: BlockTimeout::None,
    }
}

/// `Keys::Range` shorthand.
pub const fn keys(first: i16, last: i16, step: i16) -> Keys {
    Keys::Range { first, last, step }
}

/// Every top-level command, from every family.
pub fn all_commands() -> impl Iterator<Item = &'static CommandDef> {
    crate::families().iter().flat_map(|rows| rows.iter())
}

type Index = HashMap<&'static str, &'static CommandDef, crate::util::FastBuild>;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| all_commands().map(|d| (d.name, d)).collect())
}

/// Case-insensitive lookup of a top-level command.
pub fn lookup(name: &[u8]) -> Option<&'static CommandDef> {
    let mut buf = [0u8; 32];
    if name.len() > buf.len() {
        return None;
    }
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    let s = std::str::from_utf8(lower).ok()?;
    index().get(s).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_lowercase_and_rows_are_sane() {
        let mut seen = std::collections::HashSet::new();
        for d in all_commands() {
            assert!(seen.insert(d.name), "duplicate row {}", d.name);
            assert_eq!(d.name, d.name.to_ascii_lowercase());
            assert!(d.arity != 0, "{}", d.name);
            if matches!(d.route, Route::Container) {
                assert!(!d.subcommands.is_empty(), "{}", d.name);
            }
            for s in d.subcommands {
                assert_eq!(s.name, s.name.to_ascii_lowercase());
                assert!(s.name.starts_with(&format!("{}|", d.name)), "{}", s.name);
            }
        }
    }

    /// The README's command list stays true to the table.
    #[test]
    fn readme_lists_every_command() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("## Supported commands")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("README has a Supported commands section");
        for d in all_commands() {
            let name = d.name.to_ascii_uppercase();
            assert!(
                section
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|w| w == name),
                "README does not list {name}"
            );
        }
    }

    #[test]
    fn key_positions() {
        let args: Vec<&[u8]> = vec![b"mset", b"a", b"1", b"b", b"2"];
        assert_eq!(keys(1, -1, 2).positions(&args), vec![1, 3]);
        let args: Vec<&[u8]> = vec![b"del", b"a", b"b"];
        assert_eq!(keys(1, -1, 1).positions(&args), vec![1, 2]);
        let args: Vec<&[u8]> = vec![b"get", b"a"];
        assert_eq!(keys(1, 1, 1).positions(&args), vec![1]);
    }
}
