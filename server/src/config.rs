//! Configuration: `redis.conf` files, the command line, and `CONFIG GET` / `SET` / `REWRITE`,
//! with Redis 7.0.15's names, types, ranges, defaults, aliases and error texts.
//!
//! This module owns the parameter table and the values; it does no networking and never
//! changes process state (no `chdir`, no `setrlimit`): the server reads the typed fields and
//! applies what changed (`Config::set` returns the names). It reads files only when loading
//! (`from_args`: the config file, `include`s, standard input) and when validating `dir` and
//! `logfile` as Redis does.
//!
//! Every parameter Redis 7.0.15 defines (TLS ones included, as distribution builds have them)
//! is accepted by the file, the command line, `CONFIG GET` and `CONFIG SET`. Some of them
//! corekv acts on; the others are stored and reported back exactly as Redis would, so tools
//! and config files written for Redis keep working.
//!
//! ## Parameters corekv obeys
//!
//! | parameter | `Config` field | meaning |
//! |---|---|---|
//! | `port` | `port` | TCP port (0: no TCP listener) |
//! | `bind` | `bind`, `bind_explicit` | addresses to listen on; a `-` prefix marks an optional one |
//! | `unixsocket` | `unixsocket` | path of a unix socket to listen on |
//! | `unixsocketperm` | `unixsocketperm` | its permissions (octal) |
//! | `tcp-backlog` | `tcp_backlog` | listen(2) backlog |
//! | `tcp-keepalive` | `tcp_keepalive` | keepalive interval of client sockets, seconds (0: off) |
//! | `timeout` | `timeout` | close clients idle this many seconds (0: never) |
//! | `maxclients` | `maxclients` | connection limit |
//! | `requirepass` | `requirepass` | password of the default user |
//! | `protected-mode` | `protected_mode` | refuse non-local clients while there is no password |
//! | `databases` | `databases` | number of `SELECT`able databases |
//! | `loglevel` | `loglevel` | log verbosity |
//! | `logfile` | `logfile` | log file (empty: standard output) |
//! | `daemonize` | `daemonize` | run in the background |
//! | `pidfile` | `pidfile` | pid file (empty: none) |
//! | `dir` | `dir` | working directory for data files |
//! | `hz` | `hz` | background task frequency (clamped to 1..500) |
//! | `proto-max-bulk-len` | `proto_max_bulk_len` | largest bulk string a client may send |
//! | `client-query-buffer-limit` | `client_query_buffer_limit` | largest query buffer per client |
//! | `maxmemory-policy` | `maxmemory_policy` | so far: LFU policies make OBJECT FREQ track access frequency |
//! | `enable-debug-command` | `enable_debug_command` | who may run DEBUG (`no`/`yes`/`local`) |
//! | `enable-protected-configs` | `enable_protected_configs` | who may `CONFIG SET` `dir` and `dbfilename` |
//! | `active-expire-effort` | `active_expire_effort` | active expiry effort, 1..10 |
//! | `hash-max-listpack-entries` | `encodings` (by name) | listpack to hashtable conversion of hashes (alias `hash-max-ziplist-entries`) |
//! | `hash-max-listpack-value` | `encodings` (by name) | the same, by value length (alias `hash-max-ziplist-value`) |
//! | `zset-max-listpack-entries` | `encodings` (by name) | listpack to skiplist conversion of sorted sets (alias `zset-max-ziplist-entries`) |
//! | `zset-max-listpack-value` | `encodings` (by name) | the same, by member length (alias `zset-max-ziplist-value`) |
//! | `list-max-listpack-size` | `encodings` (by name) | quicklist node size: entries, or bytes when negative (alias `list-max-ziplist-size`) |
//! | `set-max-intset-entries` | `encodings` (by name) | intset to hashtable conversion of sets |
//! | `stream-node-max-bytes` | `encodings` (by name) | stream listpack node size limit |
//! | `stream-node-max-entries` | `encodings` (by name) | stream listpack node entry limit |
//! | `hll-sparse-max-bytes` | `encodings` (by name) | sparse to dense conversion of HyperLogLogs |
//! | `shards` | `shards` | corekv: number of shards (0: one per available CPU) |
//! | `io-memory` | `io_memory` | corekv: io_uring buffer memory per shard (default 1mb) |
//! | `tcp-fastopen` | `tcp_fastopen` | corekv: TCP Fast Open queue length (0: off) |
//! | `tcp-defer-accept` | `tcp_defer_accept` | corekv: TCP_DEFER_ACCEPT on listeners |
//! | `tcp-quickack` | `tcp_quickack` | corekv: TCP_QUICKACK on client sockets |
//! | `shard-sched-batch` | `shard_sched_batch` | corekv: shard threads run under `SCHED_BATCH` (default yes) |
//! | `shard-cpu-affinity` | `shard_cpu_affinity` | corekv: each shard thread is pinned to its CPU (default yes) |
//! | `shard-idle-spin-us` | `shard_idle_spin_us` | corekv: how long a shard out of work keeps polling before it sleeps (default 50) |
//!
//! `shards`, `io-memory`, `tcp-fastopen` and `tcp-defer-accept` are fixed at start-up (`CONFIG SET`
//! refuses them as immutable); `tcp-quickack`, `shard-sched-batch`, `shard-cpu-affinity` and
//! `shard-idle-spin-us` may change at run time.
//!
//! ## Parameters accepted and stored only
//!
//! These parse, validate, show in `CONFIG GET` and survive `CONFIG REWRITE` exactly as in
//! Redis, but change nothing in corekv (yet). Those with a typed field are read by the
//! capability that will obey them (INFO reports `maxmemory`); there is no MODULE command.
//!
//! | area | parameters |
//! |---|---|
//! | typed, capability pending | `save` `appendonly` `appendfsync` `dbfilename` `maxmemory` `slowlog-log-slower-than` `slowlog-max-len` `enable-module-command` |
//! | persistence | `rdbchecksum` `rdbcompression` `rdb-del-sync-files` `stop-writes-on-bgsave-error` `rdb-save-incremental-fsync` `aof-rewrite-incremental-fsync` `no-appendfsync-on-rewrite` `aof-load-truncated` `aof-use-rdb-preamble` `aof-timestamp-enabled` `aof-disable-auto-gc` `appendfilename` `appenddirname` `auto-aof-rewrite-percentage` `auto-aof-rewrite-min-size` `sanitize-dump-payload` `rdb-key-save-delay` `key-load-delay` `loading-process-events-interval-bytes` |
//! | replication | `replicaof` (`slaveof`) `masterauth` `masteruser` `replica-announce-ip` (`slave-announce-ip`) `replica-announce-port` (`slave-announce-port`) `replica-lazy-flush` (`slave-lazy-flush`) `replica-serve-stale-data` (`slave-serve-stale-data`) `replica-read-only` (`slave-read-only`) `replica-ignore-maxmemory` (`slave-ignore-maxmemory`) `replica-priority` (`slave-priority`) `replica-announced` `replica-ignore-disk-write-errors` `repl-disable-tcp-nodelay` `repl-diskless-sync` `repl-diskless-sync-delay` `repl-diskless-sync-max-replicas` `repl-diskless-load` `repl-timeout` `repl-ping-replica-period` (`repl-ping-slave-period`) `repl-backlog-size` `repl-backlog-ttl` `min-replicas-to-write` (`min-slaves-to-write`) `min-replicas-max-lag` (`min-slaves-max-lag`) `propagation-error-behavior` |
//! | cluster | `cluster-enabled` `cluster-config-file` `cluster-node-timeout` `cluster-port` `cluster-announce-ip` `cluster-announce-hostname` `cluster-announce-port` `cluster-announce-bus-port` `cluster-announce-tls-port` `cluster-replica-validity-factor` (`cluster-slave-validity-factor`) `cluster-replica-no-failover` (`cluster-slave-no-failover`) `cluster-require-full-coverage` `cluster-allow-reads-when-down` `cluster-allow-pubsubshard-when-down` `cluster-allow-replica-migration` `cluster-migration-barrier` `cluster-preferred-endpoint-type` `cluster-link-sendbuf-limit` |
//! | memory, encodings | `maxmemory-samples` `maxmemory-eviction-tenacity` `maxmemory-clients` `lfu-log-factor` `lfu-decay-time` `lazyfree-lazy-eviction` `lazyfree-lazy-expire` `lazyfree-lazy-server-del` `lazyfree-lazy-user-del` `lazyfree-lazy-user-flush` `activerehashing` `activedefrag` (only `no`, as in a Redis built without its jemalloc) `active-defrag-ignore-bytes` `active-defrag-threshold-lower` `active-defrag-threshold-upper` `active-defrag-cycle-min` `active-defrag-cycle-max` `active-defrag-max-scan-fields` `jemalloc-bg-thread` `list-compress-depth` |
//! | clients, network | `client-output-buffer-limit` `tracking-table-max-keys` `bind-source-addr` `socket-mark-id` `io-threads` `io-threads-do-reads` `tls-port` `tls-cert-file` `tls-key-file` `tls-key-file-pass` `tls-client-cert-file` `tls-client-key-file` `tls-client-key-file-pass` `tls-dh-params-file` `tls-ca-cert-file` `tls-ca-cert-dir` `tls-protocols` `tls-ciphers` `tls-ciphersuites` `tls-auth-clients` `tls-replication` `tls-cluster` `tls-prefer-server-ciphers` `tls-session-caching` `tls-session-cache-size` `tls-session-cache-timeout` |
//! | security | `aclfile` `acllog-max-len` `acl-pubsub-default` |
//! | monitoring | `latency-monitor-threshold` `latency-tracking` `latency-tracking-info-percentiles` `busy-reply-threshold` (`lua-time-limit`) `notify-keyspace-events` |
//! | process | `supervised` `syslog-enabled` `syslog-ident` `syslog-facility` `always-show-logo` `set-proc-title` `proc-title-template` `crash-log-enabled` `crash-memcheck-enabled` `use-exit-on-panic` `disable-thp` `oom-score-adj` `oom-score-adj-values` `server_cpulist` `bio_cpulist` `aof_rewrite_cpulist` `bgsave_cpulist` `ignore-warnings` `shutdown-timeout` `shutdown-on-sigint` `shutdown-on-sigterm` `dynamic-hz` `watchdog-period` |
//!
//! File-only directives: `include` (globs allowed) is followed; `rename-command`, `user` and
//! `loadmodule` lines (and `module.param value` lines) are collected in `rename_commands`,
//! `users`, `loadmodules` and `module_configs` for the server to act on; `sentinel` lines are
//! refused as in a Redis not started in Sentinel mode. The deprecated
//! `list-max-ziplist-entries`, `list-max-ziplist-value` and `lua-replicate-commands` are
//! ignored, as Redis does.

#![deny(clippy::unwrap_used)]

mod load;
mod rewrite;
mod table;
#[cfg(test)]
mod tests;
pub mod text;

use std::path::{Path, PathBuf};

use corekv_shard::shard::MaxmemoryPolicy;
use corekv_shard::ShardConfig;

use table::{Def, Field, Found, Kind, NumFmt, NumType, Special, DEFS};

/// The Redis version corekv's configuration behaves as (and names in its error banners).
pub const REDIS_VERSION: &str = "7.0.15";

/// `CONFIG REWRITE` when the server was started without a config file.
pub const ERR_NO_CONFIG_FILE: &str = "ERR The server is running without a config file";

/// `CONFIG SET` of a `DENY_LOADING` parameter (`appendonly`, `dir`, `repl-diskless-load`)
/// while a dataset is loading.
pub const ERR_LOADING: &str = "LOADING Redis is loading the dataset in memory";

/// Redis's compiled-in snapshot points.
pub const DEFAULT_SAVE: &str = "3600 1 300 100 60 10000";

/// `notify-keyspace-events` flag bits (Redis's values).
pub const NOTIFY_KEYSPACE: u32 = 1 << 0;
pub const NOTIFY_KEYEVENT: u32 = 1 << 1;
pub const NOTIFY_GENERIC: u32 = 1 << 2;
pub const NOTIFY_STRING: u32 = 1 << 3;
pub const NOTIFY_LIST: u32 = 1 << 4;
pub const NOTIFY_SET: u32 = 1 << 5;
pub const NOTIFY_HASH: u32 = 1 << 6;
pub const NOTIFY_ZSET: u32 = 1 << 7;
pub const NOTIFY_EXPIRED: u32 = 1 << 8;
pub const NOTIFY_EVICTED: u32 = 1 << 9;
pub const NOTIFY_STREAM: u32 = 1 << 10;
/// `m`: not part of `A`.
pub const NOTIFY_KEY_MISS: u32 = 1 << 11;
pub const NOTIFY_MODULE: u32 = 1 << 13;
pub const NOTIFY_NEW: u32 = 1 << 14;
/// `A`: every class but key-miss and new.
pub const NOTIFY_ALL: u32 = NOTIFY_GENERIC
    | NOTIFY_STRING
    | NOTIFY_LIST
    | NOTIFY_SET
    | NOTIFY_HASH
    | NOTIFY_ZSET
    | NOTIFY_EXPIRED
    | NOTIFY_EVICTED
    | NOTIFY_STREAM
    | NOTIFY_MODULE;

/// Index of each client class in [`Config::client_output_buffer_limits`].
pub const OBUF_NORMAL: usize = 0;
pub const OBUF_REPLICA: usize = 1;
pub const OBUF_PUBSUB: usize = 2;
const OBUF_CLASS_NAMES: [&str; 3] = ["normal", "slave", "pubsub"];
const DEFAULT_OBUF_LIMITS: [ObufLimit; 3] = [
    ObufLimit {
        hard_limit_bytes: 0,
        soft_limit_bytes: 0,
        soft_limit_seconds: 0,
    },
    ObufLimit {
        hard_limit_bytes: 256 * 1024 * 1024,
        soft_limit_bytes: 64 * 1024 * 1024,
        soft_limit_seconds: 60,
    },
    ObufLimit {
        hard_limit_bytes: 32 * 1024 * 1024,
        soft_limit_bytes: 8 * 1024 * 1024,
        soft_limit_seconds: 60,
    },
];
const DEFAULT_OOM_SCORE_ADJ_VALUES: [i32; 3] = [0, 200, 800];
const DEFAULT_PERCENTILES: [f64; 3] = [50.0, 99.0, 99.9];
const DEFAULT_BIND: [&str; 2] = ["*", "-::*"];
const BIND_MAX: usize = 16;
const HZ_MIN: u32 = 1;
const HZ_MAX: u32 = 500;

/// `loglevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
}

impl LogLevel {
    #[allow(dead_code)] // reason: public API the server adopts as capabilities arrive
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
        }
    }

    fn value(self) -> i32 {
        self as i32
    }

    fn from_value(v: i32) -> LogLevel {
        match v {
            0 => LogLevel::Debug,
            1 => LogLevel::Verbose,
            3 => LogLevel::Warning,
            _ => LogLevel::Notice,
        }
    }
}

/// `enable-debug-command`, `enable-protected-configs`, `enable-module-command`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedConfig {
    No,
    Yes,
    /// Allowed for clients on the loopback interface or a unix socket.
    Local,
}

impl ProtectedConfig {
    #[allow(dead_code)] // reason: public API the server adopts as capabilities arrive
    pub fn name(self) -> &'static str {
        match self {
            ProtectedConfig::No => "no",
            ProtectedConfig::Yes => "yes",
            ProtectedConfig::Local => "local",
        }
    }

    /// Whether the protected action is allowed for a client (`local`: connected through the
    /// loopback interface or a unix socket).
    pub fn allows(self, local_client: bool) -> bool {
        match self {
            ProtectedConfig::No => false,
            ProtectedConfig::Yes => true,
            ProtectedConfig::Local => local_client,
        }
    }

    fn value(self) -> i32 {
        self as i32
    }

    fn from_value(v: i32) -> ProtectedConfig {
        match v {
            1 => ProtectedConfig::Yes,
            2 => ProtectedConfig::Local,
            _ => ProtectedConfig::No,
        }
    }
}

/// One class of `client-output-buffer-limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard_limit_bytes: u64,
    pub soft_limit_bytes: u64,
    pub soft_limit_seconds: i64,
}

/// Who is asking for a `CONFIG SET`, for the checks that depend on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetContext {
    /// The client is on the loopback interface or a unix socket (for `enable-protected-configs
    /// local`).
    pub local_client: bool,
    /// A dataset is being loaded (`DENY_LOADING` parameters then answer `-LOADING`).
    pub loading: bool,
}

/// A value in the generic storage (parameters without a typed field).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bool(bool),
    Str(Option<String>),
    Enum(i32),
    Num(i64),
    /// Rows whose value lives in a typed field.
    Elsewhere,
}

/// The whole configuration. Plain data: clone it freely.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub port: u16,
    /// Listening addresses; Redis's default is `["*", "-::*"]` (a `-` prefix: skip the address
    /// if it cannot be bound). Empty: no TCP listener.
    pub bind: Vec<String>,
    /// `bind` was given in the file, on the command line or by `CONFIG SET`.
    pub bind_explicit: bool,
    pub unixsocket: Option<String>,
    pub unixsocketperm: u32,
    pub tcp_backlog: u32,
    /// Seconds.
    pub tcp_keepalive: u64,
    /// Seconds; 0 means never.
    pub timeout: u64,
    pub maxclients: u64,
    /// `None` when unset (an empty `requirepass` also means none).
    pub requirepass: Option<String>,
    pub protected_mode: bool,
    /// Fixed at start-up.
    pub databases: usize,
    pub loglevel: LogLevel,
    /// Empty: standard output.
    pub logfile: String,
    pub daemonize: bool,
    /// Empty: none.
    pub pidfile: String,
    /// Absolute, as `CONFIG GET dir` shows it. Redis `chdir()`s here when it reads `dir`, so
    /// its relative `dbfilename`, `logfile`, `pidfile` and `unixsocket` are relative to it;
    /// this module never changes the process's directory (relative `include`s and the
    /// `logfile` check already resolve against `dir`), so the server joins such names to
    /// `dir` (or `chdir`s once at start-up).
    pub dir: String,
    pub dbfilename: String,
    /// Canonical `"seconds changes seconds changes ..."`, empty for no snapshots.
    pub save: String,
    pub appendonly: bool,
    /// `always`, `everysec` or `no`.
    pub appendfsync: String,
    /// Already clamped to 1..500.
    pub hz: u32,
    pub proto_max_bulk_len: u64,
    pub client_query_buffer_limit: u64,
    /// Bytes; 0 means no limit.
    pub maxmemory: u64,
    pub maxmemory_policy: MaxmemoryPolicy,
    /// Microseconds; -1 disables, 0 logs everything.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    pub enable_debug_command: ProtectedConfig,
    pub enable_protected_configs: ProtectedConfig,
    pub enable_module_command: ProtectedConfig,
    pub active_expire_effort: u32,
    /// corekv: 0 means one shard per CPU the process may run on. Fixed at start-up.
    pub shards: usize,
    /// corekv: TCP Fast Open queue length on listeners; 0 is off.
    pub tcp_fastopen: u32,
    /// corekv: TCP_DEFER_ACCEPT on listeners.
    pub tcp_defer_accept: bool,
    /// corekv: TCP_QUICKACK on client sockets.
    pub tcp_quickack: bool,
    /// corekv: shard threads run under the `SCHED_BATCH` policy, so a shard that wakes up does
    /// not preempt another thread running on its CPU (see docs/ARCHITECTURE.md, "Threads").
    pub shard_sched_batch: bool,
    /// corekv: each shard thread is pinned to its own CPU; `no` lets the kernel place them on
    /// any CPU the process may use (see docs/ARCHITECTURE.md, "Threads").
    pub shard_cpu_affinity: bool,
    /// corekv: microseconds a shard that ran out of work keeps polling (yielding its CPU
    /// between polls) before it sleeps; 0 sleeps at once (see docs/ARCHITECTURE.md, "The hot
    /// loop").
    pub shard_idle_spin_us: u64,
    /// corekv: glommio `io_memory` per shard, bytes. Fixed at start-up.
    pub io_memory: u64,

    /// `replicaof host port`; `None` for a master.
    pub replicaof: Option<(String, u16)>,
    /// `client-output-buffer-limit`, indexed by `OBUF_NORMAL`, `OBUF_REPLICA`, `OBUF_PUBSUB`.
    pub client_output_buffer_limits: [ObufLimit; 3],
    /// `oom-score-adj-values`: master, replica, background child.
    pub oom_score_adj_values: [i32; 3],
    /// `notify-keyspace-events` as `NOTIFY_*` bits.
    pub notify_keyspace_events: u32,
    /// `latency-tracking-info-percentiles`.
    pub latency_tracking_info_percentiles: Vec<f64>,
    /// `rename-command old new` lines in file order (new empty: remove the command).
    pub rename_commands: Vec<(String, String)>,
    /// `user ...` lines: the words after `user`.
    pub users: Vec<Vec<String>>,
    /// `loadmodule path args...` lines: the words after `loadmodule`.
    pub loadmodules: Vec<Vec<String>>,
    /// `module.param value...` lines (name lower-cased, the last one wins).
    pub module_configs: Vec<(String, String)>,

    config_file: Option<PathBuf>,
    /// Values of the parameters without a typed field, one slot per row of `DEFS`.
    generic: Vec<Value>,
}

impl Default for Config {
    /// Redis 7.0.15's compiled-in defaults (not those of the sample `redis.conf`), plus
    /// corekv's own.
    fn default() -> Config {
        let dir = std::env::current_dir()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut c = Config {
            port: 0,
            bind: DEFAULT_BIND.iter().map(|s| s.to_string()).collect(),
            bind_explicit: false,
            unixsocket: None,
            unixsocketperm: 0,
            tcp_backlog: 0,
            tcp_keepalive: 0,
            timeout: 0,
            maxclients: 0,
            requirepass: None,
            protected_mode: false,
            databases: 0,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            daemonize: false,
            pidfile: String::new(),
            dir,
            dbfilename: String::new(),
            save: DEFAULT_SAVE.to_string(),
            appendonly: false,
            appendfsync: String::new(),
            hz: 0,
            proto_max_bulk_len: 0,
            client_query_buffer_limit: 0,
            maxmemory: 0,
            maxmemory_policy: MaxmemoryPolicy::NoEviction,
            slowlog_log_slower_than: 0,
            slowlog_max_len: 0,
            enable_debug_command: ProtectedConfig::No,
            enable_protected_configs: ProtectedConfig::No,
            enable_module_command: ProtectedConfig::No,
            active_expire_effort: 0,
            shards: 0,
            tcp_fastopen: 0,
            tcp_defer_accept: false,
            tcp_quickack: false,
            shard_sched_batch: true,
            shard_cpu_affinity: true,
            shard_idle_spin_us: 50,
            io_memory: 0,
            replicaof: None,
            client_output_buffer_limits: DEFAULT_OBUF_LIMITS,
            oom_score_adj_values: DEFAULT_OOM_SCORE_ADJ_VALUES,
            notify_keyspace_events: 0,
            latency_tracking_info_percentiles: DEFAULT_PERCENTILES.to_vec(),
            rename_commands: Vec::new(),
            users: Vec::new(),
            loadmodules: Vec::new(),
            module_configs: Vec::new(),
            config_file: None,
            generic: Vec::new(),
        };
        // The table is the one source of defaults, typed fields included.
        c.generic = DEFS
            .iter()
            .map(|d| match d.field {
                Field::Generic => default_value(d),
                _ => Value::Elsewhere,
            })
            .collect();
        for (i, d) in DEFS.iter().enumerate() {
            if d.field != Field::Generic {
                c.store(i, default_value(d));
            }
        }
        c
    }
}

/// A row's default value (`Elsewhere` for the hand-written ones).
fn default_value(d: &Def) -> Value {
    match d.kind {
        Kind::Bool { default, .. } => Value::Bool(default),
        Kind::Str { default, .. } => Value::Str(default.map(str::to_string)),
        Kind::Enum { default, .. } => Value::Enum(default),
        Kind::Num { default, .. } => Value::Num(default),
        Kind::Special(_) => Value::Elsewhere,
    }
}

impl Config {
    /// Parses `corekv-server [configfile] [--name value ...] [-]` exactly as redis-server 7.0
    /// does (`args` without the program name): the file (and its `include`s), then standard
    /// input if `-` is the first or last argument, then the options, each option becoming a
    /// config line. The last setting of a parameter wins; `save` lines accumulate.
    ///
    /// `Err` is the whole text to print on standard error before exiting with status 1, as
    /// Redis prints it (`"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the
    /// configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an
    /// integer"`); print it followed by a newline. A config file that cannot be opened gives
    /// `Fatal error, can't open config file '<path>': <reason>`, which Redis logs as a warning
    /// instead. `-h`/`--help` gives the usage text. Call [`Config::version_requested`] first:
    /// `-v`/`--version` prints to standard output and exits 0.
    #[allow(dead_code)] // reason: the binary passes its command names (`from_args_with`); tests use this
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        Self::from_args_with(args, None, &mut std::io::stdin())
    }

    /// [`Config::from_args`] with the server's command names (lower case) for `rename-command`
    /// checks (`None`: accept any name), and standard input supplied by the caller.
    pub fn from_args_with(
        args: &[String],
        commands: Option<&[&str]>,
        stdin: &mut dyn std::io::Read,
    ) -> Result<Config, String> {
        load::from_args(args, commands, stdin)
    }

    /// The line `-v` / `--version` prints (exit status 0), if the arguments ask for it.
    pub fn version_requested(args: &[String]) -> Option<String> {
        load::version_requested(args)
    }

    /// The configuration file, as an absolute path, if one was given.
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }

    /// `CONFIG GET`: each argument is a glob pattern (ASCII case ignored). A pattern without
    /// `*`, `?` or `[` looks up that name (or alias) directly and reports it under the name as
    /// typed; a glob lists every matching name, aliases included as separate entries, and
    /// skips hidden parameters. Each name is reported once.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let seen = |out: &[(String, String)], name: &str| {
            out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        for &pattern in patterns {
            if !pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
                let name = String::from_utf8_lossy(pattern).into_owned();
                if seen(&out, &name) {
                    continue;
                }
                if let Some(found) = table::lookup(pattern) {
                    out.push((name, self.value_text(found.index)));
                }
                continue;
            }
            for found in table::all_names() {
                let d = found.def();
                if d.has(table::HIDDEN) || seen(&out, found.name()) {
                    continue;
                }
                if corekv_shard::util::glob_match(pattern, found.name().as_bytes(), true) {
                    out.push((found.name().to_string(), self.value_text(found.index)));
                }
            }
        }
        out
    }

    /// `CONFIG SET name value [name value ...]` from a client that is not local, outside of
    /// loading. See [`Config::set_with`].
    #[allow(dead_code)] // reason: CONFIG SET passes the client's context (`set_with`); tests use this
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        self.set_with(pairs, SetContext::default())
    }

    /// `CONFIG SET`, atomic: every pair is applied or none is. Names are checked first (in
    /// order; the first problem wins): unknown, immutable, protected, refused while loading,
    /// duplicate. Then values are parsed in order. `Err` is the error reply without its `-`.
    /// `Ok` lists the canonical names whose value changed (what the server must apply);
    /// `bind`, `save`, `dir`, `client-output-buffer-limit`, `notify-keyspace-events`,
    /// `latency-tracking-info-percentiles` count as changed whenever set, as in Redis.
    ///
    /// An odd number of arguments is the caller's `ERR syntax error`; so is redacting the
    /// values of [`Config::is_sensitive`] parameters from logs.
    pub fn set_with(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        cx: SetContext,
    ) -> Result<Vec<&'static str>, String> {
        let mut found: Vec<Found> = Vec::with_capacity(pairs.len());
        let mut error: Option<String> = None;
        for &(name, _) in pairs {
            let shown = String::from_utf8_lossy(name);
            let Some(f) = table::lookup(name) else {
                error.get_or_insert_with(|| {
                    format!("ERR Unknown option or number of arguments for CONFIG SET - '{shown}'")
                });
                continue;
            };
            if error.is_some() {
                continue;
            }
            let d = f.def();
            let refusal = if d.has(table::IMMUTABLE) {
                Some("can't set immutable config")
            } else if d.has(table::PROTECTED)
                && !self.enable_protected_configs.allows(cx.local_client)
            {
                Some("can't set protected config")
            } else if cx.loading && d.has(table::DENY_LOADING) {
                error = Some(ERR_LOADING.to_string());
                None
            } else if found.contains(&f) {
                Some("duplicate parameter")
            } else {
                None
            };
            if let Some(reason) = refusal {
                error = Some(set_failed(&shown, reason));
            }
            found.push(f);
        }
        if let Some(e) = error {
            return Err(e);
        }

        let mut next = self.clone();
        let mut changed: Vec<&'static str> = Vec::new();
        for (f, &(_, value)) in found.iter().zip(pairs) {
            let d = f.def();
            let value = String::from_utf8_lossy(value);
            let words: Vec<String> = if d.has(table::MULTI_ARG) {
                split_on_spaces(&value)
            } else {
                vec![value.into_owned()]
            };
            match next.set_words(f.index, &words, None) {
                Err(reason) => return Err(set_failed(f.name(), &reason)),
                Ok(true) if !changed.contains(&d.name) => changed.push(d.name),
                Ok(_) => {}
            }
        }
        next.clamp_hz();
        *self = next;
        Ok(changed)
    }

    /// Whether `CONFIG SET` of this parameter must keep its value out of logs, SLOWLOG and
    /// MONITOR (`requirepass`, `masterauth`, `masteruser`).
    #[allow(dead_code)] // reason: public API the server adopts as capabilities arrive
    pub fn is_sensitive(name: &[u8]) -> bool {
        table::lookup(name).is_some_and(|f| f.def().has(table::SENSITIVE))
    }

    /// One parameter's value as `CONFIG GET` shows it, by name or alias (any case).
    pub fn value_of(&self, name: &str) -> Option<String> {
        table::lookup(name.as_bytes()).map(|f| self.value_text(f.index))
    }

    /// Whether corekv acts on a parameter (see the module docs), as opposed to only storing it.
    #[allow(dead_code)] // reason: public API the server adopts as capabilities arrive
    pub fn is_obeyed(name: &[u8]) -> bool {
        table::lookup(name).is_some_and(|f| table::obeyed(f.def()))
    }

    /// The canonical name of a parameter or alias (`slaveof` gives `replicaof`).
    #[allow(dead_code)] // reason: public API the server adopts as capabilities arrive
    pub fn canonical_name(name: &[u8]) -> Option<&'static str> {
        table::lookup(name).map(|f| f.def().name)
    }

    /// `CONFIG REWRITE`: the new text of the config file, given its current text (`""` if it
    /// does not exist). Redis's rules: comments and blank lines stay; lines Redis would not
    /// understand become `# ??? line`; each parameter's first lines are updated in place and
    /// its extra lines blanked; parameters not in the file are appended (after a
    /// `# Generated by CONFIG REWRITE` line) unless at their default; parameters back at their
    /// default keep their line if they had one. `dir`, `save` and
    /// `latency-tracking-info-percentiles` are always written. `include`, `rename-command` and
    /// `sentinel` lines are kept as they are, and so are `user` lines (see
    /// [`Config::rewrite_text_with_users`]).
    pub fn rewrite_text(&self, old: &str) -> String {
        rewrite::rewrite(self, old, None)
    }

    /// [`Config::rewrite_text`] with the ACL users to write (`user <name> <rules>` lines, as
    /// Redis writes every user, the default one included), replacing the file's `user` lines.
    /// With `aclfile` set, `user` lines are dropped instead, as in Redis.
    #[allow(dead_code)] // reason: public API the server adopts as capabilities arrive
    pub fn rewrite_text_with_users(&self, old: &str, users: &[String]) -> String {
        rewrite::rewrite(self, old, Some(users))
    }

    /// The part the data layer obeys.
    pub fn shard_config(&self) -> ShardConfig {
        let num = |name: &str, default: i64| -> i64 {
            self.value_of(name)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(default)
        };
        let d = corekv_shard::shard::Encodings::default();
        let size = |name: &str, default: usize| num(name, default as i64).max(0) as usize;
        ShardConfig {
            databases: self.databases,
            proto_max_bulk_len: self.proto_max_bulk_len,
            maxmemory_policy: self.maxmemory_policy,
            encodings: corekv_shard::shard::Encodings {
                list_max_listpack_size: num("list-max-listpack-size", d.list_max_listpack_size),
                list_compress_depth: num("list-compress-depth", d.list_compress_depth),
                hash_max_listpack_entries: size(
                    "hash-max-listpack-entries",
                    d.hash_max_listpack_entries,
                ),
                hash_max_listpack_value: size("hash-max-listpack-value", d.hash_max_listpack_value),
                set_max_intset_entries: size("set-max-intset-entries", d.set_max_intset_entries),
                zset_max_listpack_entries: size(
                    "zset-max-listpack-entries",
                    d.zset_max_listpack_entries,
                ),
                zset_max_listpack_value: size("zset-max-listpack-value", d.zset_max_listpack_value),
                stream_node_max_bytes: size("stream-node-max-bytes", d.stream_node_max_bytes),
                stream_node_max_entries: size("stream-node-max-entries", d.stream_node_max_entries),
                hll_sparse_max_bytes: size("hll-sparse-max-bytes", d.hll_sparse_max_bytes),
            },
            ..ShardConfig::default()
        }
    }

    /// `save` as (seconds, changes) pairs.
    pub fn save_params(&self) -> Vec<(i64, i32)> {
        let words: Vec<i64> = self
            .save
            .split_ascii_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        words.chunks_exact(2).map(|p| (p[0], p[1] as i32)).collect()
    }

    // ----- one parameter -----

    /// A parameter's value as `CONFIG GET` shows it ("" for an unknown name).
    fn text_of(&self, name: &str) -> String {
        self.value_of(name).unwrap_or_default()
    }

    /// Reads the value of row `index` of `DEFS` (`Elsewhere` for hand-written ones).
    fn load(&self, index: usize) -> Value {
        match DEFS[index].field {
            Field::Generic => self.generic.get(index).cloned().unwrap_or(Value::Elsewhere),
            Field::Port => Value::Num(i64::from(self.port)),
            Field::UnixSocket => Value::Str(self.unixsocket.clone()),
            Field::UnixSocketPerm => Value::Num(i64::from(self.unixsocketperm)),
            Field::TcpBacklog => Value::Num(i64::from(self.tcp_backlog)),
            Field::TcpKeepalive => Value::Num(self.tcp_keepalive as i64),
            Field::Timeout => Value::Num(self.timeout as i64),
            Field::Maxclients => Value::Num(self.maxclients as i64),
            Field::Requirepass => Value::Str(self.requirepass.clone()),
            Field::ProtectedMode => Value::Bool(self.protected_mode),
            Field::Databases => Value::Num(self.databases as i64),
            Field::Loglevel => Value::Enum(self.loglevel.value()),
            Field::Logfile => Value::Str(Some(self.logfile.clone())),
            Field::Daemonize => Value::Bool(self.daemonize),
            Field::Pidfile => Value::Str(non_empty(&self.pidfile)),
            Field::Dbfilename => Value::Str(Some(self.dbfilename.clone())),
            Field::Appendonly => Value::Bool(self.appendonly),
            Field::Appendfsync => Value::Enum(table::enum_by_name(
                table::APPENDFSYNC_ITEMS,
                &self.appendfsync,
            )),
            Field::Hz => Value::Num(i64::from(self.hz)),
            Field::ProtoMaxBulkLen => Value::Num(self.proto_max_bulk_len as i64),
            Field::ClientQueryBufferLimit => Value::Num(self.client_query_buffer_limit as i64),
            Field::Maxmemory => Value::Num(self.maxmemory as i64),
            Field::MaxmemoryPolicy => Value::Enum(table::enum_by_name(
                table::MAXMEMORY_POLICY_ITEMS,
                self.maxmemory_policy.name(),
            )),
            Field::SlowlogLogSlowerThan => Value::Num(self.slowlog_log_slower_than),
            Field::SlowlogMaxLen => Value::Num(self.slowlog_max_len as i64),
            Field::EnableDebugCommand => Value::Enum(self.enable_debug_command.value()),
            Field::EnableProtectedConfigs => Value::Enum(self.enable_protected_configs.value()),
            Field::EnableModuleCommand => Value::Enum(self.enable_module_command.value()),
            Field::ActiveExpireEffort => Value::Num(i64::from(self.active_expire_effort)),
            Field::Shards => Value::Num(self.shards as i64),
            Field::TcpFastopen => Value::Num(i64::from(self.tcp_fastopen)),
            Field::TcpDeferAccept => Value::Bool(self.tcp_defer_accept),
            Field::TcpQuickack => Value::Bool(self.tcp_quickack),
            Field::ShardSchedBatch => Value::Bool(self.shard_sched_batch),
            Field::ShardCpuAffinity => Value::Bool(self.shard_cpu_affinity),
            Field::ShardIdleSpinUs => Value::Num(self.shard_idle_spin_us as i64),
            Field::IoMemory => Value::Num(self.io_memory as i64),
        }
    }

    /// Writes a parameter that is not hand-written. Values were range-checked against the
    /// table, so the narrowing casts below never truncate.
    fn store(&mut self, index: usize, v: Value) {
        let num = match v {
            Value::Num(n) => n,
            _ => 0,
        };
        let flag = matches!(v, Value::Bool(true));
        let code = match v {
            Value::Enum(e) => e,
            _ => 0,
        };
        let text = match &v {
            Value::Str(s) => s.clone(),
            _ => None,
        };
        match DEFS[index].field {
            Field::Generic => {
                if let Some(slot) = self.generic.get_mut(index) {
                    *slot = v;
                }
            }
            Field::Port => self.port = num as u16,
            Field::UnixSocket => self.unixsocket = text,
            Field::UnixSocketPerm => self.unixsocketperm = num as u32,
            Field::TcpBacklog => self.tcp_backlog = num as u32,
            Field::TcpKeepalive => self.tcp_keepalive = num as u64,
            Field::Timeout => self.timeout = num as u64,
            Field::Maxclients => self.maxclients = num as u64,
            Field::Requirepass => self.requirepass = text,
            Field::ProtectedMode => self.protected_mode = flag,
            Field::Databases => self.databases = num as usize,
            Field::Loglevel => self.loglevel = LogLevel::from_value(code),
            Field::Logfile => self.logfile = text.unwrap_or_default(),
            Field::Daemonize => self.daemonize = flag,
            Field::Pidfile => self.pidfile = text.unwrap_or_default(),
            Field::Dbfilename => self.dbfilename = text.unwrap_or_default(),
            Field::Appendonly => self.appendonly = flag,
            Field::Appendfsync => {
                self.appendfsync = table::enum_name(table::APPENDFSYNC_ITEMS, code, false)
            }
            Field::Hz => self.hz = num as u32,
            Field::ProtoMaxBulkLen => self.proto_max_bulk_len = num as u64,
            Field::ClientQueryBufferLimit => self.client_query_buffer_limit = num as u64,
            Field::Maxmemory => self.maxmemory = num as u64,
            Field::MaxmemoryPolicy => {
                let name = table::enum_name(table::MAXMEMORY_POLICY_ITEMS, code, false);
                self.maxmemory_policy =
                    MaxmemoryPolicy::parse(&name).unwrap_or(MaxmemoryPolicy::NoEviction);
            }
            Field::SlowlogLogSlowerThan => self.slowlog_log_slower_than = num,
            Field::SlowlogMaxLen => self.slowlog_max_len = num as u64,
            Field::EnableDebugCommand => {
                self.enable_debug_command = ProtectedConfig::from_value(code)
            }
            Field::EnableProtectedConfigs => {
                self.enable_protected_configs = ProtectedConfig::from_value(code)
            }
            Field::EnableModuleCommand => {
                self.enable_module_command = ProtectedConfig::from_value(code)
            }
            Field::ActiveExpireEffort => self.active_expire_effort = num as u32,
            Field::Shards => self.shards = num as usize,
            Field::TcpFastopen => self.tcp_fastopen = num as u32,
            Field::TcpDeferAccept => self.tcp_defer_accept = flag,
            Field::TcpQuickack => self.tcp_quickack = flag,
            Field::ShardSchedBatch => self.shard_sched_batch = flag,
            Field::ShardCpuAffinity => self.shard_cpu_affinity = flag,
            Field::ShardIdleSpinUs => self.shard_idle_spin_us = num as u64,
            Field::IoMemory => self.io_memory = num as u64,
        }
    }

    /// The value as `CONFIG GET` shows it.
    fn value_text(&self, index: usize) -> String {
        let d = &DEFS[index];
        match (d.kind, self.load(index)) {
            (Kind::Special(s), _) => self.special_text(s),
            (_, Value::Bool(b)) => yes_no(b).to_string(),
            (_, Value::Str(s)) => s.unwrap_or_default(),
            (Kind::Enum { items, .. }, Value::Enum(v)) => {
                table::enum_name(items, v, d.has(table::MULTI_ARG))
            }
            (Kind::Num { fmt, .. }, Value::Num(v)) => match fmt {
                NumFmt::MemoryOrPercent if v < 0 => format!("{}%", v.unsigned_abs()),
                NumFmt::Memory | NumFmt::MemoryOrPercent => (v as u64).to_string(),
                NumFmt::Octal => format!("{:o}", v as u64),
                NumFmt::Int => v.to_string(),
            },
            _ => String::new(),
        }
    }

    fn special_text(&self, s: Special) -> String {
        match s {
            Special::Dir => self.dir.clone(),
            Special::Save => self.save.clone(),
            Special::ClientOutputBufferLimit => self
                .client_output_buffer_limits
                .iter()
                .zip(OBUF_CLASS_NAMES)
                .map(|(l, class)| {
                    format!(
                        "{class} {} {} {}",
                        l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
            Special::OomScoreAdjValues => self
                .oom_score_adj_values
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            Special::NotifyKeyspaceEvents => keyspace_events_text(self.notify_keyspace_events),
            Special::Bind => self.bind.join(" "),
            Special::ReplicaOf => match &self.replicaof {
                Some((host, port)) => format!("{host} {port}"),
                None => String::new(),
            },
            Special::LatencyTrackingInfoPercentiles => self
                .latency_tracking_info_percentiles
                .iter()
                .map(|&p| text::format_percentile(p))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Sets one parameter from its words (one word unless `MULTI_ARG`), as both the config
    /// file and `CONFIG SET` do. `Ok(true)`: the value changed (or the parameter always counts
    /// as changed); `Ok(false)`: same value. `file` is the state of a config file being read
    /// (for `save`, whose lines accumulate there), `None` for `CONFIG SET`.
    fn set_words(
        &mut self,
        index: usize,
        words: &[String],
        file: Option<&mut FileState>,
    ) -> Result<bool, String> {
        let d = &DEFS[index];
        let first = words.first().map_or("", String::as_str);
        let new = match d.kind {
            Kind::Special(s) => return self.set_special(s, words, file),
            Kind::Bool { check, .. } => {
                let v = if first.eq_ignore_ascii_case("yes") {
                    true
                } else if first.eq_ignore_ascii_case("no") {
                    false
                } else {
                    return Err("argument must be 'yes' or 'no'".to_string());
                };
                if let Some(check) = check {
                    check(v)?;
                }
                Value::Bool(v)
            }
            Kind::Str {
                empty_is_null,
                binary,
                check,
                ..
            } => {
                // A C string ends at its first NUL.
                let s = if binary {
                    first
                } else {
                    first.split('\0').next().unwrap_or("")
                };
                if let Some(check) = check {
                    check(s)?;
                }
                Value::Str(if empty_is_null && s.is_empty() {
                    None
                } else {
                    Some(s.to_string())
                })
            }
            Kind::Enum { items, check, .. } => {
                let v = table::enum_value(items, words, d.has(table::MULTI_ARG))
                    .ok_or_else(|| table::enum_error(items))?;
                if let Some(check) = check {
                    check(v)?;
                }
                Value::Enum(v)
            }
            Kind::Num {
                fmt, ty, min, max, ..
            } => Value::Num(parse_number(first, fmt, ty, min, max)?),
        };
        if self.load(index) == new && !d.has(table::VOLATILE) {
            return Ok(false);
        }
        self.store(index, new);
        Ok(true)
    }

    fn set_special(
        &mut self,
        s: Special,
        words: &[String],
        file: Option<&mut FileState>,
    ) -> Result<bool, String> {
        const WRONG_COUNT: &str = "wrong number of arguments";
        match s {
            Special::Dir => {
                let [dir] = words else {
                    return Err(WRONG_COUNT.to_string());
                };
                self.dir = checked_dir(dir, Path::new(&self.dir))?;
            }
            Special::Save => self.set_save(words, file)?,
            Special::ClientOutputBufferLimit => self.set_obuf_limits(words)?,
            Special::OomScoreAdjValues => {
                let [_, _, _] = words else {
                    return Err(WRONG_COUNT.to_string());
                };
                let mut values = [0i32; 3];
                for (slot, w) in values.iter_mut().zip(words) {
                    let n = text::strtoll(w, 10);
                    if !n.whole || !(-2000..=2000).contains(&n.value) {
                        return Err("Invalid oom-score-adj-values, elements must be between \
                                    -2000 and 2000."
                            .to_string());
                    }
                    *slot = n.value as i32;
                }
                if values == self.oom_score_adj_values {
                    return Ok(false);
                }
                self.oom_score_adj_values = values;
            }
            Special::NotifyKeyspaceEvents => {
                let [classes] = words else {
                    return Err(WRONG_COUNT.to_string());
                };
                self.notify_keyspace_events = keyspace_events_flags(classes).ok_or_else(|| {
                    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".to_string()
                })?;
            }
            Special::Bind => {
                if words.len() > BIND_MAX {
                    return Err("Too many bind addresses specified.".to_string());
                }
                self.bind = match words {
                    [only] if only.is_empty() => Vec::new(),
                    _ => words.to_vec(),
                };
                self.bind_explicit = true;
            }
            Special::ReplicaOf => {
                let [host, port] = words else {
                    return Err(WRONG_COUNT.to_string());
                };
                self.replicaof = None;
                if host.eq_ignore_ascii_case("no") && port.eq_ignore_ascii_case("one") {
                    return Ok(true);
                }
                let n = text::strtoll(port, 10);
                if !n.whole || !(0..=65535).contains(&n.value) {
                    return Err("Invalid master port".to_string());
                }
                self.replicaof = Some((host.clone(), n.value as u16));
            }
            Special::LatencyTrackingInfoPercentiles => {
                let words = match words {
                    [only] if only.is_empty() => &[][..],
                    _ => words,
                };
                let mut values = Vec::with_capacity(words.len());
                for w in words {
                    let p = corekv_shard::util::parse_f64(w.as_bytes()).ok_or_else(|| {
                        "Invalid latency-tracking-info-percentiles parameters".to_string()
                    })?;
                    if !(0.0..=100.0).contains(&p) {
                        return Err("latency-tracking-info-percentiles parameters should sit \
                                    between [0.0,100.0]"
                            .to_string());
                    }
                    values.push(p);
                }
                self.latency_tracking_info_percentiles = values;
            }
        }
        Ok(true)
    }

    /// `save`: pairs of (seconds >= 1, changes >= 0); `""` alone means none. In a config file
    /// the first `save` line replaces the defaults and later ones add to it.
    fn set_save(&mut self, words: &[String], file: Option<&mut FileState>) -> Result<(), String> {
        const INVALID: &str = "Invalid save parameters";
        let mut words = words;
        if let [only] = words {
            if only.is_empty() {
                self.save.clear();
                words = &[];
            }
        }
        if !words.len().is_multiple_of(2) {
            return Err(INVALID.to_string());
        }
        let mut pairs = Vec::with_capacity(words.len() / 2);
        for pair in words.chunks_exact(2) {
            let seconds = text::strtoll(&pair[0], 10);
            let changes = text::strtoll(&pair[1], 10);
            if !seconds.whole || seconds.value < 1 || !changes.whole || changes.value < 0 {
                return Err(INVALID.to_string());
            }
            // Redis keeps `changes` in an int.
            pairs.push(format!("{} {}", seconds.value, changes.value as i32));
        }
        match file {
            Some(state) if state.reading => {
                if !state.save_loaded {
                    state.save_loaded = true;
                    self.save.clear();
                }
            }
            _ => self.save.clear(),
        }
        for p in pairs {
            if !self.save.is_empty() {
                self.save.push(' ');
            }
            self.save.push_str(&p);
        }
        Ok(())
    }

    fn set_obuf_limits(&mut self, words: &[String]) -> Result<(), String> {
        if !words.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".to_string());
        }
        let mut limits = self.client_output_buffer_limits;
        for group in words.chunks_exact(4) {
            let class = match group[0].to_ascii_lowercase().as_str() {
                "normal" => OBUF_NORMAL,
                "slave" | "replica" => OBUF_REPLICA,
                "pubsub" => OBUF_PUBSUB,
                _ => {
                    return Err(
                        "Invalid client class specified in buffer limit configuration.".to_string(),
                    )
                }
            };
            let hard = text::memtoull(&group[1]);
            let soft = text::memtoull(&group[2]);
            let seconds = text::strtoll(&group[3], 10);
            // Redis keeps the seconds in an int before checking the sign.
            let secs = seconds.value as i32;
            match (hard, soft) {
                (Some(hard), Some(soft)) if secs >= 0 && seconds.whole => {
                    limits[class] = ObufLimit {
                        hard_limit_bytes: hard,
                        soft_limit_bytes: soft,
                        soft_limit_seconds: i64::from(secs),
                    };
                }
                _ => {
                    return Err(
                        "Error in hard, soft or soft_seconds setting in buffer limit \
                                configuration."
                            .to_string(),
                    )
                }
            }
        }
        self.client_output_buffer_limits = limits;
        Ok(())
    }

    /// Redis accepts any `hz` and keeps it within 1..500.
    fn clamp_hz(&mut self) {
        self.hz = self.hz.clamp(HZ_MIN, HZ_MAX);
    }
}

/// What reading a config file remembers across lines (and, for `save`, across files).
#[derive(Debug, Default)]
struct FileState {
    /// A file is being read (Redis clears this when an `include`d file ends, so `save` lines
    /// after an `include` replace instead of adding up, a quirk kept on purpose).
    reading: bool,
    /// A `save` line was seen in this process's configuration already.
    save_loaded: bool,
}

fn set_failed(name: &str, reason: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Splits a `CONFIG SET` value of a multi-word parameter on single spaces, as Redis does: an
/// empty value is no words, and two spaces in a row make an empty word.
fn split_on_spaces(value: &str) -> Vec<String> {
    if value.is_empty() {
        Vec::new()
    } else {
        value.split(' ').map(str::to_string).collect()
    }
}

/// Parses a numeric parameter and checks its range, with Redis's messages.
fn parse_number(s: &str, fmt: NumFmt, ty: NumType, min: i64, max: i64) -> Result<i64, String> {
    let mut parsed: Option<i64> = None;
    if matches!(fmt, NumFmt::Memory | NumFmt::MemoryOrPercent) {
        parsed = text::memtoull(s).map(|v| v as i64);
    }
    if parsed.is_none() && fmt == NumFmt::MemoryOrPercent && s.len() > 1 {
        if let Some(digits) = s.strip_suffix('%') {
            parsed = corekv_proto::num::parse_i64(digits.as_bytes())
                .filter(|&p| p >= 0)
                .map(|p| -p);
        }
    }
    if parsed.is_none() && fmt == NumFmt::Octal {
        let n = text::strtoll(s, 8);
        if n.whole && !n.overflow {
            parsed = Some(n.value);
        }
    }
    if parsed.is_none() && fmt == NumFmt::Int {
        parsed = corekv_proto::num::parse_i64(s.as_bytes());
    }
    let v = parsed.ok_or_else(|| {
        match fmt {
            NumFmt::MemoryOrPercent => "argument must be a memory or percent value",
            NumFmt::Memory => "argument must be a memory value",
            NumFmt::Octal => "argument couldn't be parsed as an octal number",
            NumFmt::Int => "argument couldn't be parsed into an integer",
        }
        .to_string()
    })?;
    if ty == NumType::Unsigned {
        let (u, lo, hi) = (v as u64, min as u64, max as u64);
        if u < lo || u > hi {
            return Err(if fmt == NumFmt::Octal {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if fmt == NumFmt::MemoryOrPercent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                min.unsigned_abs()
            ));
        }
    } else if v < min || v > max {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(v)
}

/// Validates a new `dir` (relative to the current one) as Redis's `chdir` would, without
/// changing the process's directory. Returns the absolute, resolved path.
fn checked_dir(dir: &str, current: &Path) -> Result<String, String> {
    let path = current.join(dir);
    let meta = std::fs::metadata(&path).map_err(|e| text::strerror(&e))?;
    if !meta.is_dir() {
        return Err("Not a directory".to_string());
    }
    let resolved = std::fs::canonicalize(&path).map_err(|e| text::strerror(&e))?;
    Ok(resolved.to_string_lossy().into_owned())
}

/// `notify-keyspace-events` letters to flags; `None` for an unknown letter.
fn keyspace_events_flags(classes: &str) -> Option<u32> {
    let mut flags = 0;
    for c in classes.bytes() {
        flags |= match c {
            0 => break,
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Flags back to letters in Redis's canonical order (`A` standing for all classes).
fn keyspace_events_text(flags: u32) -> String {
    let mut out = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        out.push('A');
    } else {
        for (bit, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & bit != 0 {
                out.push(c);
            }
        }
    }
    for (bit, c) in [
        (NOTIFY_KEYSPACE, 'K'),
        (NOTIFY_KEYEVENT, 'E'),
        (NOTIFY_KEY_MISS, 'm'),
    ] {
        if flags & bit != 0 {
            out.push(c);
        }
    }
    out
}
