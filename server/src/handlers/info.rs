//! INFO: Redis's sections with real values, summed over every shard, plus a `shards` section.

use std::fmt::Write as _;

use corekv_shard::args;

use super::HandlerResult;
use crate::dispatch::Exchange;
use crate::global::{unix_ms, REDIS_VERSION};
use crate::runtime::{HotLoopCounts, Runtime};
use crate::stats::Stats;

/// One shard's figures.
struct ShardInfo {
    id: usize,
    /// Per database: (keys, expires, avg_ttl).
    dbs: Vec<(usize, usize, i64)>,
    expired_keys: u64,
    hits: u64,
    misses: u64,
    dirty: u64,
    clients: usize,
    blocked: usize,
    stats: Stats,
    hot_loop: HotLoopCounts,
}

fn gather(rt: &Runtime) -> ShardInfo {
    let sh = rt.shard.borrow();
    let mut info = ShardInfo {
        hot_loop: rt.hot.counts(),
        id: rt.id,
        dbs: Vec::with_capacity(sh.dbs.len()),
        expired_keys: 0,
        hits: 0,
        misses: 0,
        dirty: sh.dirty,
        clients: rt.clients.borrow().len(),
        blocked: rt.blocking.borrow().blocked_clients,
        stats: {
            let mut stats = rt.stats.borrow_mut();
            let ex = glommio::executor().executor_stats();
            stats.executor_runs += ex.scheduler_runs();
            stats.tasks_run += ex.tasks_executed();
            stats.clone()
        },
    };
    for db in &sh.dbs {
        info.dbs.push((db.len(), db.expires_len(), db.avg_ttl));
        info.expired_keys += db.stats.expired_keys;
        info.hits += db.stats.keyspace_hits;
        info.misses += db.stats.keyspace_misses;
    }
    info
}

const DEFAULT: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
    "shards",
];
const ALL_EXTRA: &[&str] = &["commandstats", "latencystats"];
/// Redis's section order, then ours.
const ORDER: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
    "shards",
];

pub async fn info(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let mut wanted: Vec<String> = Vec::new();
    if a.len() == 1 {
        wanted.extend(DEFAULT.iter().map(|s| s.to_string()));
    }
    for arg in &a[1..] {
        let s = args::text(arg).to_ascii_lowercase();
        match s.as_str() {
            "default" => wanted.extend(DEFAULT.iter().map(|s| s.to_string())),
            "all" | "everything" => {
                wanted.extend(DEFAULT.iter().map(|s| s.to_string()));
                wanted.extend(ALL_EXTRA.iter().map(|s| s.to_string()));
            }
            _ => wanted.push(s),
        }
    }
    ex.barrier().await;
    let mut shards = vec![gather(ex.rt)];
    for shard in 0..ex.rt.nshards {
        if shard != ex.rt.id {
            if let Some(i) = ex.rt.mesh.job(shard, gather).await {
                shards.push(i);
            }
        }
    }
    shards.sort_by_key(|s| s.id);
    let rss = read_rss().await;
    let text = render(ex.rt, &shards, &wanted, rss);
    ex.out().verbatim("txt", text.as_bytes());
    Ok(())
}

/// Resident set size in bytes, read off the shard thread.
async fn read_rss() -> usize {
    glommio::executor()
        .spawn_blocking(|| {
            let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
            let pages: usize = statm
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            pages * 4096
        })
        .await
}

fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1024.0 {
        format!("{bytes}B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.2}K", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2}M", b / 1024.0 / 1024.0)
    } else {
        format!("{:.2}G", b / 1024.0 / 1024.0 / 1024.0)
    }
}

fn cpu_times(who: nix::sys::resource::UsageWho) -> (f64, f64) {
    match nix::sys::resource::getrusage(who) {
        Ok(u) => {
            let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
            (t(u.system_time()), t(u.user_time()))
        }
        Err(_) => (0.0, 0.0),
    }
}

fn render(rt: &Runtime, shards: &[ShardInfo], wanted: &[String], rss: usize) -> String {
    let config = rt.config();
    let g = &rt.global;
    let mut total = Stats::default();
    for s in shards {
        total.merge(&s.stats);
    }
    let expired: u64 = shards.iter().map(|s| s.expired_keys).sum();
    let hits: u64 = shards.iter().map(|s| s.hits).sum();
    let misses: u64 = shards.iter().map(|s| s.misses).sum();
    let dirty: u64 = shards.iter().map(|s| s.dirty).sum();
    let clients: usize = shards.iter().map(|s| s.clients).sum();
    let blocked: usize = shards.iter().map(|s| s.blocked).sum();
    let used = crate::alloc::used_memory() as u64;
    let uptime = g.started.elapsed().as_secs();
    let now_ms = unix_ms();

    let mut out = String::new();
    let mut first = true;
    let mut section = |name: &str, body: &str, out: &mut String| {
        if !first {
            out.push_str("\r\n");
        }
        first = false;
        let _ = write!(out, "# {name}\r\n{body}");
    };
    // Sections come out in Redis's fixed order, whatever order they were asked in.
    for w in ORDER.iter().filter(|s| wanted.iter().any(|w| w == *s)) {
        let mut b = String::new();
        macro_rules! line {
            ($($arg:tt)*) => {{ let _ = write!(b, $($arg)*); b.push_str("\r\n"); }};
        }
        match *w {
            "server" => {
                let uname = nix::sys::utsname::uname().ok();
                let os = uname
                    .map(|u| {
                        format!(
                            "{} {} {}",
                            u.sysname().to_string_lossy(),
                            u.release().to_string_lossy(),
                            u.machine().to_string_lossy()
                        )
                    })
                    .unwrap_or_default();
                line!("redis_version:{REDIS_VERSION}");
                line!("redis_git_sha1:00000000");
                line!("redis_git_dirty:0");
                line!("redis_build_id:0");
                line!("redis_mode:standalone");
                line!("os:{os}");
                line!("arch_bits:{}", usize::BITS);
                line!("monotonic_clock:POSIX clock_gettime");
                line!("multiplexing_api:io_uring");
                line!("atomicvar_api:c11-builtin");
                line!("gcc_version:0.0.0");
                line!("process_id:{}", std::process::id());
                line!("process_supervised:no");
                line!("run_id:{}", g.run_id);
                line!(
                    "tcp_port:{}",
                    g.tcp_port.load(std::sync::atomic::Ordering::Relaxed)
                );
                line!("server_time_usec:{}", now_ms * 1000);
                line!("uptime_in_seconds:{uptime}");
                line!("uptime_in_days:{}", uptime / 86400);
                line!("hz:{}", config.hz);
                line!("configured_hz:{}", config.hz);
                line!("lru_clock:{}", (now_ms / 1000) & ((1 << 24) - 1));
                line!("executable:{}", g.executable.display());
                line!(
                    "config_file:{}",
                    g.config_file
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                );
                line!("io_threads_active:0");
                line!("corekv_version:{}", env!("CARGO_PKG_VERSION"));
                line!("shards:{}", rt.nshards);
            }
            "clients" => {
                line!("connected_clients:{clients}");
                line!("cluster_connections:0");
                line!("maxclients:{}", config.maxclients);
                line!("client_recent_max_input_buffer:0");
                line!("client_recent_max_output_buffer:0");
                line!("blocked_clients:{blocked}");
                line!("tracking_clients:0");
                line!("clients_in_timeout_table:0");
            }
            "memory" => {
                let sys = total_system_memory();
                line!("used_memory:{used}");
                line!("used_memory_human:{}", human(used));
                line!("used_memory_rss:{rss}");
                line!("used_memory_rss_human:{}", human(rss as u64));
                line!("used_memory_peak:{used}");
                line!("used_memory_peak_human:{}", human(used));
                line!("used_memory_peak_perc:100.00%");
                line!("used_memory_overhead:0");
                line!("used_memory_startup:0");
                line!("used_memory_dataset:{used}");
                line!("used_memory_dataset_perc:100.00%");
                line!("total_system_memory:{sys}");
                line!("total_system_memory_human:{}", human(sys));
                line!("used_memory_lua:0");
                line!("used_memory_vm_eval:0");
                line!("used_memory_lua_human:0B");
                line!("used_memory_scripts_eval:0");
                line!("number_of_cached_scripts:0");
                line!("number_of_functions:0");
                line!("number_of_libraries:0");
                line!("used_memory_vm_functions:0");
                line!("used_memory_vm_total:0");
                line!("used_memory_vm_total_human:0B");
                line!("used_memory_functions:0");
                line!("used_memory_scripts:0");
                line!("used_memory_scripts_human:0B");
                line!("maxmemory:{}", config.maxmemory);
                line!("maxmemory_human:{}", human(config.maxmemory));
                line!("maxmemory_policy:{}", config.maxmemory_policy.name());
                let frag = if used > 0 {
                    rss as f64 / used as f64
                } else {
                    0.0
                };
                line!("mem_fragmentation_ratio:{frag:.2}");
                line!("mem_fragmentation_bytes:{}", rss as i64 - used as i64);
                line!("mem_not_counted_for_evict:0");
                line!("mem_replication_backlog:0");
                line!("mem_total_replication_buffers:0");
                line!("mem_clients_slaves:0");
                line!("mem_clients_normal:0");
                line!("mem_cluster_links:0");
                line!("mem_aof_buffer:0");
                line!("mem_allocator:mimalloc");
                line!("active_defrag_running:0");
                line!("lazyfree_pending_objects:0");
                line!("lazyfreed_objects:0");
            }
            "persistence" => {
                line!("loading:0");
                line!("async_loading:0");
                line!("current_cow_peak:0");
                line!("current_cow_size:0");
                line!("current_cow_size_age:0");
                line!("current_fork_perc:0.00");
                line!("current_save_keys_processed:0");
                line!("current_save_keys_total:0");
                line!("rdb_changes_since_last_save:{dirty}");
                line!("rdb_bgsave_in_progress:0");
                line!("rdb_last_save_time:{}", g.started_unix_ms / 1000);
                line!("rdb_last_bgsave_status:ok");
                line!("rdb_last_bgsave_time_sec:-1");
                line!("rdb_current_bgsave_time_sec:-1");
                line!("rdb_saves:0");
                line!("rdb_last_cow_size:0");
                line!("rdb_last_load_keys_expired:0");
                line!("rdb_last_load_keys_loaded:0");
                line!("aof_enabled:0");
                line!("aof_rewrite_in_progress:0");
                line!("aof_rewrite_scheduled:0");
                line!("aof_last_rewrite_time_sec:-1");
                line!("aof_current_rewrite_time_sec:-1");
                line!("aof_last_bgrewrite_status:ok");
                line!("aof_rewrites:0");
                line!("aof_rewrites_consecutive_failures:0");
                line!("aof_last_write_status:ok");
                line!("aof_last_cow_size:0");
                line!("module_fork_in_progress:0");
                line!("module_fork_last_cow_size:0");
            }
            "stats" => {
                line!(
                    "total_connections_received:{}",
                    total.total_connections_received
                );
                line!(
                    "total_commands_processed:{}",
                    total.total_commands_processed
                );
                line!("instantaneous_ops_per_sec:0");
                line!("total_net_input_bytes:{}", total.net_input_bytes);
                line!("total_net_output_bytes:{}", total.net_output_bytes);
                line!("total_net_repl_input_bytes:0");
                line!("total_net_repl_output_bytes:0");
                line!("instantaneous_input_kbps:0.00");
                line!("instantaneous_output_kbps:0.00");
                line!("instantaneous_input_repl_kbps:0.00");
                line!("instantaneous_output_repl_kbps:0.00");
                line!("rejected_connections:{}", total.rejected_connections);
                line!("sync_full:0");
                line!("sync_partial_ok:0");
                line!("sync_partial_err:0");
                line!("expired_keys:{expired}");
                line!("expired_stale_perc:0.00");
                line!("expired_time_cap_reached_count:0");
                line!("expire_cycle_cpu_milliseconds:0");
                line!("evicted_keys:0");
                line!("evicted_clients:0");
                line!("total_eviction_exceeded_time:0");
                line!("current_eviction_exceeded_time:0");
                line!("keyspace_hits:{hits}");
                line!("keyspace_misses:{misses}");
                line!("pubsub_channels:0");
                line!("pubsub_patterns:0");
                line!("pubsubshard_channels:0");
                line!("latest_fork_usec:0");
                line!("total_forks:0");
                line!("migrate_cached_sockets:0");
                line!("slave_expires_tracked_keys:0");
                line!("active_defrag_hits:0");
                line!("active_defrag_misses:0");
                line!("active_defrag_key_hits:0");
                line!("active_defrag_key_misses:0");
                line!("total_active_defrag_time:0");
                line!("current_active_defrag_time:0");
                line!("tracking_total_keys:0");
                line!("tracking_total_items:0");
                line!("tracking_total_prefixes:0");
                line!("unexpected_error_replies:0");
                line!("total_error_replies:{}", total.total_error_replies);
                line!("dump_payload_sanitizations:0");
                line!("total_reads_processed:0");
                line!("total_writes_processed:0");
                line!("io_threaded_reads_processed:0");
                line!("io_threaded_writes_processed:0");
                line!("reply_buffer_shrinks:0");
                line!("reply_buffer_expands:0");
            }
            "replication" => {
                line!("role:master");
                line!("connected_slaves:0");
                line!("master_failover_state:no-failover");
                line!("master_replid:{}", g.run_id);
                line!("master_replid2:0000000000000000000000000000000000000000");
                line!("master_repl_offset:0");
                line!("second_repl_offset:-1");
                line!("repl_backlog_active:0");
                line!("repl_backlog_size:1048576");
                line!("repl_backlog_first_byte_offset:0");
                line!("repl_backlog_histlen:0");
            }
            "cpu" => {
                use nix::sys::resource::UsageWho;
                let (s, u) = cpu_times(UsageWho::RUSAGE_SELF);
                let (cs, cu) = cpu_times(UsageWho::RUSAGE_CHILDREN);
                let (ts, tu) = cpu_times(UsageWho::RUSAGE_THREAD);
                line!("used_cpu_sys:{s:.6}");
                line!("used_cpu_user:{u:.6}");
                line!("used_cpu_sys_children:{cs:.6}");
                line!("used_cpu_user_children:{cu:.6}");
                line!("used_cpu_sys_main_thread:{ts:.6}");
                line!("used_cpu_user_main_thread:{tu:.6}");
            }
            "modules" => {}
            "errorstats" => {
                let mut errs: Vec<_> = total.errors.iter().collect();
                errs.sort();
                for (code, n) in errs {
                    line!("errorstat_{code}:count={n}");
                }
            }
            "cluster" => line!("cluster_enabled:0"),
            "keyspace" => {
                let ndb = shards.first().map(|s| s.dbs.len()).unwrap_or(0);
                for db in 0..ndb {
                    let (mut keys, mut expires, mut ttl_sum, mut ttl_n) = (0, 0, 0i64, 0i64);
                    for s in shards {
                        let (k, e, t) = s.dbs[db];
                        keys += k;
                        expires += e;
                        if t > 0 {
                            ttl_sum += t;
                            ttl_n += 1;
                        }
                    }
                    if keys > 0 {
                        let avg = if ttl_n > 0 { ttl_sum / ttl_n } else { 0 };
                        line!("db{db}:keys={keys},expires={expires},avg_ttl={avg}");
                    }
                }
            }
            "commandstats" => {
                let mut cmds: Vec<_> = total.commands.iter().map(|(k, v)| (k.0, v)).collect();
                cmds.sort_by_key(|(k, _)| *k);
                for (name, s) in cmds {
                    if s.calls == 0 && s.rejected_calls == 0 && s.failed_calls == 0 {
                        continue;
                    }
                    let per = if s.calls > 0 {
                        s.usec as f64 / s.calls as f64
                    } else {
                        0.0
                    };
                    line!(
                        "cmdstat_{name}:calls={},usec={},usec_per_call={per:.2},rejected_calls={},failed_calls={}",
                        s.calls,
                        s.usec,
                        s.rejected_calls,
                        s.failed_calls
                    );
                }
            }
            "latencystats" => {}
            "shards" => {
                for s in shards {
                    let keys: usize = s.dbs.iter().map(|d| d.0).sum();
                    let expires: usize = s.dbs.iter().map(|d| d.1).sum();
                    line!(
                        "shard{}:keys={keys},expires={expires},connected_clients={},commands_processed={},commands_executed={},executor_runs={},tasks_run={},loop_rounds={},idle_spins={},light_sleeps={},deep_sleeps={},deep_asleep={}",
                        s.id,
                        s.clients,
                        s.stats.total_commands_processed,
                        s.stats.executed,
                        s.stats.executor_runs,
                        s.stats.tasks_run,
                        s.hot_loop.rounds,
                        s.hot_loop.spins,
                        s.hot_loop.light_sleeps,
                        s.hot_loop.deep_sleeps,
                        u8::from(s.hot_loop.deep_asleep)
                    );
                }
            }
            _ => continue,
        }
        let title = match *w {
            "server" => "Server",
            "clients" => "Clients",
            "memory" => "Memory",
            "persistence" => "Persistence",
            "stats" => "Stats",
            "replication" => "Replication",
            "cpu" => "CPU",
            "modules" => "Modules",
            "errorstats" => "Errorstats",
            "cluster" => "Cluster",
            "keyspace" => "Keyspace",
            "commandstats" => "Commandstats",
            "latencystats" => "Latencystats",
            "shards" => "Shards",
            _ => "",
        };
        section(title, &b, &mut out);
    }
    out
}

fn total_system_memory() -> u64 {
    nix::sys::sysinfo::sysinfo()
        .map(|s| s.ram_total())
        .unwrap_or(0)
}
