//! Table-driven tests of the configuration against Redis 7.0.15's observed behaviour.

#![allow(clippy::unwrap_used)] // reason: tests

use std::path::PathBuf;

use super::*;

/// `CONFIG GET *` of a Redis 7.0.15 started with no arguments (minus `dir` and `port`), one
/// `name<TAB>value` per line.
const REDIS_DEFAULTS: &str = "\
acl-pubsub-default\tresetchannels\n\
aclfile\t\n\
acllog-max-len\t128\n\
active-defrag-cycle-max\t25\n\
active-defrag-cycle-min\t1\n\
active-defrag-ignore-bytes\t104857600\n\
active-defrag-max-scan-fields\t1000\n\
active-defrag-threshold-lower\t10\n\
active-defrag-threshold-upper\t100\n\
active-expire-effort\t1\n\
activedefrag\tno\n\
activerehashing\tyes\n\
always-show-logo\tno\n\
aof-disable-auto-gc\tno\n\
aof-load-truncated\tyes\n\
aof-rewrite-incremental-fsync\tyes\n\
aof-timestamp-enabled\tno\n\
aof-use-rdb-preamble\tyes\n\
aof_rewrite_cpulist\t\n\
appenddirname\tappendonlydir\n\
appendfilename\tappendonly.aof\n\
appendfsync\teverysec\n\
appendonly\tno\n\
auto-aof-rewrite-min-size\t67108864\n\
auto-aof-rewrite-percentage\t100\n\
bgsave_cpulist\t\n\
bind\t* -::*\n\
bind-source-addr\t\n\
bio_cpulist\t\n\
busy-reply-threshold\t5000\n\
client-output-buffer-limit\tnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\n\
client-query-buffer-limit\t1073741824\n\
cluster-allow-pubsubshard-when-down\tyes\n\
cluster-allow-reads-when-down\tno\n\
cluster-allow-replica-migration\tyes\n\
cluster-announce-bus-port\t0\n\
cluster-announce-hostname\t\n\
cluster-announce-ip\t\n\
cluster-announce-port\t0\n\
cluster-announce-tls-port\t0\n\
cluster-config-file\tnodes.conf\n\
cluster-enabled\tno\n\
cluster-link-sendbuf-limit\t0\n\
cluster-migration-barrier\t1\n\
cluster-node-timeout\t15000\n\
cluster-port\t0\n\
cluster-preferred-endpoint-type\tip\n\
cluster-replica-no-failover\tno\n\
cluster-replica-validity-factor\t10\n\
cluster-require-full-coverage\tyes\n\
cluster-slave-no-failover\tno\n\
cluster-slave-validity-factor\t10\n\
crash-log-enabled\tyes\n\
crash-memcheck-enabled\tyes\n\
daemonize\tno\n\
databases\t16\n\
dbfilename\tdump.rdb\n\
disable-thp\tyes\n\
dynamic-hz\tyes\n\
enable-debug-command\tno\n\
enable-module-command\tno\n\
enable-protected-configs\tno\n\
hash-max-listpack-entries\t512\n\
hash-max-listpack-value\t64\n\
hash-max-ziplist-entries\t512\n\
hash-max-ziplist-value\t64\n\
hll-sparse-max-bytes\t3000\n\
hz\t10\n\
ignore-warnings\t\n\
io-threads\t1\n\
io-threads-do-reads\tno\n\
jemalloc-bg-thread\tyes\n\
latency-monitor-threshold\t0\n\
latency-tracking\tyes\n\
latency-tracking-info-percentiles\t50 99 99.9\n\
lazyfree-lazy-eviction\tno\n\
lazyfree-lazy-expire\tno\n\
lazyfree-lazy-server-del\tno\n\
lazyfree-lazy-user-del\tno\n\
lazyfree-lazy-user-flush\tno\n\
lfu-decay-time\t1\n\
lfu-log-factor\t10\n\
list-compress-depth\t0\n\
list-max-listpack-size\t-2\n\
list-max-ziplist-size\t-2\n\
logfile\t\n\
loglevel\tnotice\n\
lua-time-limit\t5000\n\
masterauth\t\n\
masteruser\t\n\
maxclients\t10000\n\
maxmemory\t0\n\
maxmemory-clients\t0\n\
maxmemory-eviction-tenacity\t10\n\
maxmemory-policy\tnoeviction\n\
maxmemory-samples\t5\n\
min-replicas-max-lag\t10\n\
min-replicas-to-write\t0\n\
min-slaves-max-lag\t10\n\
min-slaves-to-write\t0\n\
no-appendfsync-on-rewrite\tno\n\
notify-keyspace-events\t\n\
oom-score-adj\tno\n\
oom-score-adj-values\t0 200 800\n\
pidfile\t\n\
proc-title-template\t{title} {listen-addr} {server-mode}\n\
propagation-error-behavior\tignore\n\
protected-mode\tyes\n\
proto-max-bulk-len\t536870912\n\
rdb-del-sync-files\tno\n\
rdb-save-incremental-fsync\tyes\n\
rdbchecksum\tyes\n\
rdbcompression\tyes\n\
repl-backlog-size\t1048576\n\
repl-backlog-ttl\t3600\n\
repl-disable-tcp-nodelay\tno\n\
repl-diskless-load\tdisabled\n\
repl-diskless-sync\tyes\n\
repl-diskless-sync-delay\t5\n\
repl-diskless-sync-max-replicas\t0\n\
repl-ping-replica-period\t10\n\
repl-ping-slave-period\t10\n\
repl-timeout\t60\n\
replica-announce-ip\t\n\
replica-announce-port\t0\n\
replica-announced\tyes\n\
replica-ignore-disk-write-errors\tno\n\
replica-ignore-maxmemory\tyes\n\
replica-lazy-flush\tno\n\
replica-priority\t100\n\
replica-read-only\tyes\n\
replica-serve-stale-data\tyes\n\
replicaof\t\n\
requirepass\t\n\
sanitize-dump-payload\tno\n\
save\t3600 1 300 100 60 10000\n\
server_cpulist\t\n\
set-max-intset-entries\t512\n\
set-proc-title\tyes\n\
shutdown-on-sigint\tdefault\n\
shutdown-on-sigterm\tdefault\n\
shutdown-timeout\t10\n\
slave-announce-ip\t\n\
slave-announce-port\t0\n\
slave-ignore-maxmemory\tyes\n\
slave-lazy-flush\tno\n\
slave-priority\t100\n\
slave-read-only\tyes\n\
slave-serve-stale-data\tyes\n\
slaveof\t\n\
slowlog-log-slower-than\t10000\n\
slowlog-max-len\t128\n\
socket-mark-id\t0\n\
stop-writes-on-bgsave-error\tyes\n\
stream-node-max-bytes\t4096\n\
stream-node-max-entries\t100\n\
supervised\tno\n\
syslog-enabled\tno\n\
syslog-facility\tlocal0\n\
syslog-ident\tredis\n\
tcp-backlog\t511\n\
tcp-keepalive\t300\n\
timeout\t0\n\
tls-auth-clients\tyes\n\
tls-ca-cert-dir\t\n\
tls-ca-cert-file\t\n\
tls-cert-file\t\n\
tls-ciphers\t\n\
tls-ciphersuites\t\n\
tls-client-cert-file\t\n\
tls-client-key-file\t\n\
tls-client-key-file-pass\t\n\
tls-cluster\tno\n\
tls-dh-params-file\t\n\
tls-key-file\t\n\
tls-key-file-pass\t\n\
tls-port\t0\n\
tls-prefer-server-ciphers\tno\n\
tls-protocols\t\n\
tls-replication\tno\n\
tls-session-cache-size\t20480\n\
tls-session-cache-timeout\t300\n\
tls-session-caching\tyes\n\
tracking-table-max-keys\t1000000\n\
unixsocket\t\n\
unixsocketperm\t0\n\
zset-max-listpack-entries\t128\n\
zset-max-listpack-value\t64\n\
zset-max-ziplist-entries\t128\n\
zset-max-ziplist-value\t64\n\
";

/// corekv's own parameters and their defaults.
const COREKV_DEFAULTS: &[(&str, &str)] = &[
    ("shards", "0"),
    ("io-memory", "1048576"),
    ("tcp-fastopen", "0"),
    ("tcp-defer-accept", "no"),
    ("tcp-quickack", "no"),
    ("shard-sched-batch", "yes"),
    ("shard-cpu-affinity", "yes"),
    ("shard-idle-spin-us", "50"),
];

/// Name/value pairs for `CONFIG SET`, a parameter, and its `CONFIG GET` value afterwards.
type SetCase = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Loads from arguments with the given standard input, no command-table checks.
fn load_with_stdin(list: &[&str], stdin: &str) -> Result<Config, String> {
    Config::from_args_with(&args(list), None, &mut stdin.as_bytes())
}

fn load(list: &[&str]) -> Result<Config, String> {
    load_with_stdin(list, "")
}

/// Loads config text given on standard input (`-`).
fn load_text(text: &str) -> Result<Config, String> {
    load_with_stdin(&["-"], text)
}

fn get1(c: &Config, name: &str) -> String {
    let found = c.get(&[name.as_bytes()]);
    assert_eq!(found.len(), 1, "CONFIG GET {name}: {found:?}");
    found[0].1.clone()
}

fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<Vec<&'static str>, String> {
    let pairs: Vec<(&[u8], &[u8])> = pairs
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
        .collect();
    c.set(&pairs)
}

fn fatal_at(line: usize, text: &str, reason: &str) -> String {
    format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at \
         line {line}\n>>> '{text}'\n{reason}"
    )
}

fn fatal(reason: &str) -> String {
    format!("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n{reason}")
}

/// A scratch directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("corekv-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(std::fs::canonicalize(&dir).unwrap())
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ----- defaults and CONFIG GET -----

#[test]
fn defaults_are_redis_compiled_in_defaults() {
    let c = Config::default();
    let mut ours = c.get(&[b"*"]);
    ours.retain(|(n, _)| n != "dir" && n != "port");
    let theirs: Vec<(String, String)> = REDIS_DEFAULTS
        .lines()
        .map(|l| {
            let (n, v) = l.split_once('\t').unwrap();
            (n.to_string(), v.to_string())
        })
        .chain(
            COREKV_DEFAULTS
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string())),
        )
        .collect();
    let mut ours_sorted = ours.clone();
    ours_sorted.sort();
    let mut theirs_sorted = theirs;
    theirs_sorted.sort();
    assert_eq!(ours_sorted, theirs_sorted);
    assert_eq!(get1(&c, "port"), "6379");
    assert_eq!(c.dir, std::env::current_dir().unwrap().to_string_lossy());
}

#[test]
fn typed_fields_have_redis_defaults() {
    let c = Config::default();
    assert_eq!(c.port, 6379);
    assert_eq!(c.bind, vec!["*".to_string(), "-::*".to_string()]);
    assert!(!c.bind_explicit);
    assert_eq!(c.unixsocket, None);
    assert_eq!(c.unixsocketperm, 0);
    assert_eq!(c.tcp_backlog, 511);
    assert_eq!(c.tcp_keepalive, 300);
    assert_eq!(c.timeout, 0);
    assert_eq!(c.maxclients, 10000);
    assert_eq!(c.requirepass, None);
    assert!(c.protected_mode);
    assert_eq!(c.databases, 16);
    assert_eq!(c.loglevel, LogLevel::Notice);
    assert_eq!(c.loglevel.name(), "notice");
    assert_eq!(c.logfile, "");
    assert!(!c.daemonize);
    assert_eq!(c.pidfile, "");
    assert_eq!(c.dbfilename, "dump.rdb");
    assert_eq!(c.save, "3600 1 300 100 60 10000");
    assert_eq!(c.save_params(), vec![(3600, 1), (300, 100), (60, 10000)]);
    assert!(!c.appendonly);
    assert_eq!(c.appendfsync, "everysec");
    assert_eq!(c.hz, 10);
    assert_eq!(c.proto_max_bulk_len, 512 * 1024 * 1024);
    assert_eq!(c.client_query_buffer_limit, 1024 * 1024 * 1024);
    assert_eq!(c.maxmemory, 0);
    assert_eq!(c.maxmemory_policy, MaxmemoryPolicy::NoEviction);
    assert_eq!(c.slowlog_log_slower_than, 10000);
    assert_eq!(c.slowlog_max_len, 128);
    assert_eq!(c.enable_debug_command, ProtectedConfig::No);
    assert_eq!(c.enable_protected_configs, ProtectedConfig::No);
    assert_eq!(c.enable_module_command, ProtectedConfig::No);
    assert_eq!(c.active_expire_effort, 1);
    assert_eq!(c.shards, 0);
    assert_eq!(c.tcp_fastopen, 0);
    assert!(!c.tcp_defer_accept);
    assert!(!c.tcp_quickack);
    assert_eq!(c.io_memory, 1024 * 1024);
    assert_eq!(c.config_file(), None);
    let shard = c.shard_config();
    assert_eq!(shard.databases, 16);
    assert_eq!(shard.proto_max_bulk_len, 512 * 1024 * 1024);
    assert_eq!(shard.maxmemory_policy, MaxmemoryPolicy::NoEviction);
}

#[test]
fn get_globs_and_aliases() {
    let c = Config::default();
    let names = |patterns: &[&str]| {
        let p: Vec<&[u8]> = patterns.iter().map(|s| s.as_bytes()).collect();
        let mut n: Vec<String> = c.get(&p).into_iter().map(|(n, _)| n).collect();
        n.sort();
        n
    };
    // A glob lists aliases as names of their own.
    assert_eq!(
        names(&["hash-max-*-entries"]),
        ["hash-max-listpack-entries", "hash-max-ziplist-entries"]
    );
    assert_eq!(names(&["*ziplist*"]).len(), 5);
    // An exact name answers under the name as typed, once.
    assert_eq!(
        c.get(&[b"PORT"]),
        vec![("PORT".to_string(), "6379".to_string())]
    );
    assert_eq!(names(&["port", "PORT", "Port"]), ["port"]);
    assert_eq!(names(&["slaveof"]), ["slaveof"]);
    // Globs ignore case.
    assert_eq!(names(&["MAXMEMORY"]), ["MAXMEMORY"]);
    assert_eq!(names(&["MAXMEM*"]).len(), 5);
    // The same parameter through a glob and an exact name is one entry.
    assert_eq!(names(&["port", "p?rt"]), ["port"]);
    // Hidden parameters need their exact name.
    assert_eq!(names(&["*key-save*"]), Vec::<String>::new());
    assert_eq!(names(&["rdb-key-save-delay"]), ["rdb-key-save-delay"]);
    assert_eq!(names(&["nonexistent"]), Vec::<String>::new());
    assert_eq!(names(&["*"]).len(), 190 + 2 + COREKV_DEFAULTS.len());
    assert_eq!(names(&["[pb]ind"]), ["bind"]);
}

// ----- the config file and the command line -----

#[test]
fn file_values() {
    // (config text, parameter, CONFIG GET value)
    let cases: &[(&str, &str, &str)] = &[
        ("port 7000", "port", "7000"),
        ("  PORT   7000  ", "port", "7000"),
        ("port 1\nport 2", "port", "2"),
        ("maxmemory 1k", "maxmemory", "1000"),
        ("maxmemory 1KB", "maxmemory", "1024"),
        ("maxmemory 2mB", "maxmemory", "2097152"),
        ("maxmemory 3g", "maxmemory", "3000000000"),
        ("maxmemory 1gb", "maxmemory", "1073741824"),
        ("maxmemory kb", "maxmemory", "0"),
        (
            "maxmemory 18446744073709551615",
            "maxmemory",
            "18446744073709551615",
        ),
        ("daemonize YES", "daemonize", "yes"),
        ("loglevel WARNING", "loglevel", "warning"),
        (
            "maxmemory-policy ALLKEYS-LRU",
            "maxmemory-policy",
            "allkeys-lru",
        ),
        ("oom-score-adj relative", "oom-score-adj", "yes"),
        (
            "shutdown-on-sigint now save force",
            "shutdown-on-sigint",
            "save now force",
        ),
        (
            "shutdown-on-sigint \"now save\"",
            "shutdown-on-sigint",
            "save now",
        ),
        ("unixsocketperm 700", "unixsocketperm", "700"),
        ("unixsocketperm 0777", "unixsocketperm", "777"),
        ("unixsocketperm \"\"", "unixsocketperm", "0"),
        ("maxmemory-clients 5%", "maxmemory-clients", "5%"),
        ("maxmemory-clients 1mb", "maxmemory-clients", "1048576"),
        ("hz 0", "hz", "1"),
        ("hz 100000", "hz", "500"),
        (
            "hash-max-ziplist-entries 7",
            "hash-max-listpack-entries",
            "7",
        ),
        (
            "hash-max-ziplist-entries 7",
            "hash-max-ziplist-entries",
            "7",
        ),
        ("slave-read-only no", "replica-read-only", "no"),
        ("lua-time-limit 9", "busy-reply-threshold", "9"),
        ("list-max-ziplist-size -5", "list-max-listpack-size", "-5"),
        ("save 100 1", "save", "100 1"),
        ("save 100 1\nsave 200 2", "save", "100 1 200 2"),
        ("save \"100 1 200 2\"", "save", "100 1 200 2"),
        ("save \"\"", "save", ""),
        ("save \"\"\nsave 5 5", "save", "5 5"),
        ("save 1 4294967297", "save", "1 1"),
        ("save +5 007", "save", "5 7"),
        ("bind 127.0.0.1 ::1", "bind", "127.0.0.1 ::1"),
        ("bind \"127.0.0.1 -::1\"", "bind", "127.0.0.1 -::1"),
        ("bind \"\"", "bind", ""),
        ("replicaof 10.0.0.1 6380", "replicaof", "10.0.0.1 6380"),
        ("slaveof 10.0.0.1 6380", "slaveof", "10.0.0.1 6380"),
        ("replicaof no one", "replicaof", ""),
        (
            "notify-keyspace-events KEA",
            "notify-keyspace-events",
            "AKE",
        ),
        (
            "notify-keyspace-events \"$lshzxetdn\"",
            "notify-keyspace-events",
            "$lshzxetdn",
        ),
        (
            "notify-keyspace-events mKEgA",
            "notify-keyspace-events",
            "AKEm",
        ),
        ("notify-keyspace-events Ex", "notify-keyspace-events", "xE"),
        (
            "client-output-buffer-limit replica 1mb 2mb 3 pubsub 1k 2k 0",
            "client-output-buffer-limit",
            "normal 0 0 0 slave 1048576 2097152 3 pubsub 1000 2000 0",
        ),
        (
            "client-output-buffer-limit slave 1 2 4294967297",
            "client-output-buffer-limit",
            "normal 0 0 0 slave 1 2 1 pubsub 33554432 8388608 60",
        ),
        (
            "oom-score-adj-values 1 -2 2000",
            "oom-score-adj-values",
            "1 -2 2000",
        ),
        (
            "latency-tracking-info-percentiles 1.5 99.99 100",
            "latency-tracking-info-percentiles",
            "1.5 99.99 100",
        ),
        (
            "latency-tracking-info-percentiles \"\"",
            "latency-tracking-info-percentiles",
            "",
        ),
        ("requirepass \"a b\"", "requirepass", "a b"),
        ("requirepass \"\"", "requirepass", ""),
        ("masteruser \"x\\x00y\"", "masteruser", "x"),
        ("pidfile /tmp/x.pid", "pidfile", "/tmp/x.pid"),
        ("appendfsync ALWAYS", "appendfsync", "always"),
        ("shards 4", "shards", "4"),
        ("io-memory 2mb", "io-memory", "2097152"),
        ("tcp-fastopen 256", "tcp-fastopen", "256"),
        ("list-max-ziplist-entries 5", "port", "6379"),
        ("lua-replicate-commands yes", "port", "6379"),
        ("sentinel", "port", "6379"),
        ("# comment\n\n   \t\n#port 1", "port", "6379"),
        ("port 1\r\nport 2\r\n", "port", "2"),
    ];
    for &(text, name, want) in cases {
        let c = load_text(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(get1(&c, name), want, "{text:?} then CONFIG GET {name}");
    }
}

#[test]
fn file_sets_typed_fields() {
    let c = load_text(
        "port 7000\nbind 127.0.0.1\nunixsocket /tmp/x.sock\nunixsocketperm 770\ntcp-backlog 100\n\
         tcp-keepalive 60\ntimeout 30\nmaxclients 50\nrequirepass secret\nprotected-mode no\n\
         databases 4\nloglevel debug\ndaemonize yes\npidfile /tmp/p\ndbfilename d.rdb\n\
         appendonly yes\nappendfsync always\nhz 50\nproto-max-bulk-len 2mb\n\
         client-query-buffer-limit 4mb\nmaxmemory 100mb\nmaxmemory-policy volatile-ttl\n\
         slowlog-log-slower-than -1\nslowlog-max-len 5\nenable-debug-command local\n\
         enable-protected-configs yes\nenable-module-command yes\nactive-expire-effort 7\n\
         shards 3\ntcp-fastopen 16\ntcp-defer-accept yes\ntcp-quickack yes\nio-memory 512kb\nshard-sched-batch no\nshard-cpu-affinity no\n\
         shard-idle-spin-us 0\n",
    )
    .unwrap();
    assert_eq!(c.port, 7000);
    assert_eq!(c.bind, vec!["127.0.0.1".to_string()]);
    assert!(c.bind_explicit);
    assert_eq!(c.unixsocket.as_deref(), Some("/tmp/x.sock"));
    assert_eq!(c.unixsocketperm, 0o770);
    assert_eq!(c.tcp_backlog, 100);
    assert_eq!(c.tcp_keepalive, 60);
    assert_eq!(c.timeout, 30);
    assert_eq!(c.maxclients, 50);
    assert_eq!(c.requirepass.as_deref(), Some("secret"));
    assert!(!c.protected_mode);
    assert_eq!(c.databases, 4);
    assert_eq!(c.loglevel, LogLevel::Debug);
    assert!(c.daemonize);
    assert_eq!(c.pidfile, "/tmp/p");
    assert_eq!(c.dbfilename, "d.rdb");
    assert!(c.appendonly);
    assert_eq!(c.appendfsync, "always");
    assert_eq!(c.hz, 50);
    assert_eq!(c.proto_max_bulk_len, 2 << 20);
    assert_eq!(c.client_query_buffer_limit, 4 << 20);
    assert_eq!(c.maxmemory, 100 << 20);
    assert_eq!(c.maxmemory_policy, MaxmemoryPolicy::VolatileTtl);
    assert_eq!(c.slowlog_log_slower_than, -1);
    assert_eq!(c.slowlog_max_len, 5);
    assert_eq!(c.enable_debug_command, ProtectedConfig::Local);
    assert_eq!(c.enable_protected_configs, ProtectedConfig::Yes);
    assert_eq!(c.enable_module_command, ProtectedConfig::Yes);
    assert_eq!(c.active_expire_effort, 7);
    assert_eq!(c.shards, 3);
    assert_eq!(c.tcp_fastopen, 16);
    assert!(c.tcp_defer_accept);
    assert!(c.tcp_quickack);
    assert_eq!(c.io_memory, 512 * 1024);
    assert!(!c.shard_sched_batch);
    assert!(!c.shard_cpu_affinity);
    assert_eq!(c.shard_idle_spin_us, 0);
    assert_eq!(c.shard_config().databases, 4);
    assert_eq!(
        c.shard_config().maxmemory_policy,
        MaxmemoryPolicy::VolatileTtl
    );
}

#[test]
fn file_errors() {
    // (config text, line number, line as shown, reason)
    let cases: &[(&str, usize, &str, &str)] = &[
        (
            "port abc",
            1,
            "port abc",
            "argument couldn't be parsed into an integer",
        ),
        (
            "port 70000",
            1,
            "port 70000",
            "argument must be between 0 and 65535 inclusive",
        ),
        (
            "port -1",
            1,
            "port -1",
            "argument must be between 0 and 65535 inclusive",
        ),
        (
            "port 0x10",
            1,
            "port 0x10",
            "argument couldn't be parsed into an integer",
        ),
        (
            "port 01",
            1,
            "port 01",
            "argument couldn't be parsed into an integer",
        ),
        ("port", 1, "port", "wrong number of arguments"),
        ("port 1 2", 1, "port 1 2", "wrong number of arguments"),
        (
            "# c\n\nfoo bar",
            3,
            "foo bar",
            "Bad directive or wrong number of arguments",
        ),
        (
            "daemonize maybe",
            1,
            "daemonize maybe",
            "argument must be 'yes' or 'no'",
        ),
        (
            "maxmemory -1",
            1,
            "maxmemory -1",
            "argument must be a memory value",
        ),
        (
            "maxmemory 1xb",
            1,
            "maxmemory 1xb",
            "argument must be a memory value",
        ),
        (
            "maxmemory 1.5gb",
            1,
            "maxmemory 1.5gb",
            "argument must be a memory value",
        ),
        (
            "loglevel loud",
            1,
            "loglevel loud",
            "argument(s) must be one of the following: debug, verbose, notice, warning",
        ),
        (
            "maxmemory-policy lru",
            1,
            "maxmemory-policy lru",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, \
             volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
        ),
        ("save 1 2 3", 1, "save 1 2 3", "Invalid save parameters"),
        ("save 0 1", 1, "save 0 1", "Invalid save parameters"),
        ("save 1 -1", 1, "save 1 -1", "Invalid save parameters"),
        ("save 1x 1", 1, "save 1x 1", "Invalid save parameters"),
        (
            "unixsocketperm 999",
            1,
            "unixsocketperm 999",
            "argument couldn't be parsed as an octal number",
        ),
        (
            "unixsocketperm 1000",
            1,
            "unixsocketperm 1000",
            "argument must be between 0 and 777 inclusive",
        ),
        (
            "maxmemory-clients 200%",
            1,
            "maxmemory-clients 200%",
            "percentage argument must be less or equal to 100",
        ),
        (
            "maxmemory-clients -5%",
            1,
            "maxmemory-clients -5%",
            "argument must be a memory or percent value",
        ),
        (
            "maxmemory-clients 9223372036854775808",
            1,
            "maxmemory-clients 9223372036854775808",
            "percentage argument must be less or equal to 100",
        ),
        (
            "port \"abc",
            1,
            "port \"abc",
            "Unbalanced quotes in configuration line",
        ),
        (
            "port 'a'b",
            1,
            "port 'a'b",
            "Unbalanced quotes in configuration line",
        ),
        (
            "dir /nonexistent-corekv",
            1,
            "dir /nonexistent-corekv",
            "No such file or directory",
        ),
        (
            "dir /etc/hostname",
            1,
            "dir /etc/hostname",
            "Not a directory",
        ),
        (
            "include",
            1,
            "include",
            "Bad directive or wrong number of arguments",
        ),
        (
            "user",
            1,
            "user",
            "Bad directive or wrong number of arguments",
        ),
        (
            "loadmodule",
            1,
            "loadmodule",
            "Bad directive or wrong number of arguments",
        ),
        (
            "rename-command a",
            1,
            "rename-command a",
            "Bad directive or wrong number of arguments",
        ),
        (
            "foo.bar",
            1,
            "foo.bar",
            "Module config specified without value",
        ),
        (
            "sentinel monitor x",
            1,
            "sentinel monitor x",
            "sentinel directive while not in sentinel mode",
        ),
        (
            "lua-replicate-commands",
            1,
            "lua-replicate-commands",
            "Bad directive or wrong number of arguments",
        ),
        (
            "replicaof 1.2.3.4 99999",
            1,
            "replicaof 1.2.3.4 99999",
            "Invalid master port",
        ),
        (
            "replicaof 1.2.3.4",
            1,
            "replicaof 1.2.3.4",
            "wrong number of arguments",
        ),
        (
            "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
            1,
            "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
            "Too many bind addresses specified.",
        ),
        (
            "oom-score-adj-values 1 2",
            1,
            "oom-score-adj-values 1 2",
            "wrong number of arguments",
        ),
        (
            "oom-score-adj-values 1 2 3000",
            1,
            "oom-score-adj-values 1 2 3000",
            "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
        ),
        (
            "notify-keyspace-events Kq",
            1,
            "notify-keyspace-events Kq",
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
        ),
        (
            "client-output-buffer-limit master 1 1 1",
            1,
            "client-output-buffer-limit master 1 1 1",
            "Invalid client class specified in buffer limit configuration.",
        ),
        (
            "client-output-buffer-limit normal 1 1",
            1,
            "client-output-buffer-limit normal 1 1",
            "Wrong number of arguments in buffer limit configuration.",
        ),
        (
            "client-output-buffer-limit normal 1 1 -1",
            1,
            "client-output-buffer-limit normal 1 1 -1",
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
        ),
        (
            "latency-tracking-info-percentiles 101",
            1,
            "latency-tracking-info-percentiles 101",
            "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
        ),
        (
            "latency-tracking-info-percentiles x",
            1,
            "latency-tracking-info-percentiles x",
            "Invalid latency-tracking-info-percentiles parameters",
        ),
        (
            "shutdown-on-sigterm save nosave",
            1,
            "shutdown-on-sigterm save nosave",
            "shutdown options SAVE and NOSAVE can't be used simultaneously",
        ),
        (
            "shutdown-on-sigterm \"\"",
            1,
            "shutdown-on-sigterm \"\"",
            "argument(s) must be one of the following: default, save, nosave, now, force",
        ),
        (
            "activedefrag yes",
            1,
            "activedefrag yes",
            "Active defragmentation cannot be enabled: it requires a Redis server compiled \
             with a modified Jemalloc like the one shipped by default with the Redis source \
             distribution",
        ),
        (
            "dbfilename a/b",
            1,
            "dbfilename a/b",
            "dbfilename can't be a path, just a filename",
        ),
        (
            "appendfilename \"\"",
            1,
            "appendfilename \"\"",
            "appendfilename can't be empty",
        ),
        (
            "appenddirname a\\b",
            1,
            "appenddirname a\\b",
            "appenddirname can't be a path, just a dirname",
        ),
        (
            "proc-title-template {x}",
            1,
            "proc-title-template {x}",
            "template format is invalid or contains unknown variables",
        ),
        (
            "proc-title-template {title}",
            1,
            "proc-title-template {title}",
            "template format is invalid or contains unknown variables",
        ),
        (
            "cluster-announce-hostname a_b",
            1,
            "cluster-announce-hostname a_b",
            "Hostnames may only contain alphanumeric characters, hyphens or dots",
        ),
        (
            "repl-backlog-size 0",
            1,
            "repl-backlog-size 0",
            "argument must be between 1 and 9223372036854775807 inclusive",
        ),
        (
            "maxclients 0",
            1,
            "maxclients 0",
            "argument must be between 1 and 4294967295 inclusive",
        ),
        (
            "maxclients -1",
            1,
            "maxclients -1",
            "argument must be between 1 and 4294967295 inclusive",
        ),
        (
            "databases 0",
            1,
            "databases 0",
            "argument must be between 1 and 2147483647 inclusive",
        ),
        (
            "list-max-ziplist-size 3000000000",
            1,
            "list-max-ziplist-size 3000000000",
            "argument must be between -2147483648 and 2147483647 inclusive",
        ),
        (
            "proto-max-bulk-len 1",
            1,
            "proto-max-bulk-len 1",
            "argument must be between 1048576 and 9223372036854775807 inclusive",
        ),
        (
            "proto-max-bulk-len 18446744073709551615",
            1,
            "proto-max-bulk-len 18446744073709551615",
            "argument must be between 1048576 and 9223372036854775807 inclusive",
        ),
        (
            "shards -1",
            1,
            "shards -1",
            "argument must be between 0 and 1024 inclusive",
        ),
    ];
    for &(text, line, shown, reason) in cases {
        let got = load_text(text).err();
        assert_eq!(got, Some(fatal_at(line, shown, reason)), "{text:?}");
    }
    // Errors found after the last line have no line.
    assert_eq!(
        load_text("cluster-enabled yes\nreplicaof 1.2.3.4 5").err(),
        Some(fatal("replicaof directive not allowed in cluster mode"))
    );
    assert_eq!(
        load_text("logfile /nonexistent-corekv/x.log").err(),
        Some(fatal("Can't open the log file: No such file or directory"))
    );
}

#[test]
fn command_line() {
    // (arguments, parameter, value)
    let cases: &[(&[&str], &str, &str)] = &[
        (&["--port", "7777"], "port", "7777"),
        (&["--port 7777"], "port", "7777"),
        (&["--bind", "127.0.0.1", "::1"], "bind", "127.0.0.1 ::1"),
        (&["--bind", "127.0.0.1 ::1"], "bind", "127.0.0.1 ::1"),
        (&["--save", "", "--port", "1"], "save", ""),
        (&["--save", "--port", "1"], "save", ""),
        (&["--port", "1", "--save"], "save", ""),
        (
            &["--save", "100", "1", "--save", "200", "2"],
            "save",
            "100 1 200 2",
        ),
        (&["--save", "100 1"], "save", "100 1"),
        (&["--requirepass", "a b\"c"], "requirepass", "a b\"c"),
        (&["--requirepass", ""], "requirepass", ""),
        // Values are quoted into the option line, so a newline stays inside the value.
        (&["--requirepass", "a\nb"], "requirepass", "a\nb"),
        (
            &["--maxmemory", "1gb", "--maxmemory", "2gb"],
            "maxmemory",
            "2147483648",
        ),
        (
            &["--replicaof", "127.0.0.1", "8888"],
            "replicaof",
            "127.0.0.1 8888",
        ),
        (&["--shards", "4"], "shards", "4"),
        (&["--loglevel", "verbose", "-"], "loglevel", "verbose"),
        // An option name with no value yet takes the next argument, `--` or not.
        (&["--requirepass", "--port"], "requirepass", "--port"),
        (
            &["--list-max-ziplist-size", "-5"],
            "list-max-listpack-size",
            "-5",
        ),
        // `-` in the middle is a value.
        (&["--requirepass", "-", "--port", "1"], "requirepass", "-"),
    ];
    for &(list, name, want) in cases {
        let c = load(list).unwrap_or_else(|e| panic!("{list:?}: {e}"));
        assert_eq!(get1(&c, name), want, "{list:?} then CONFIG GET {name}");
    }

    // (arguments, fatal message)
    let errors: &[(&[&str], String)] = &[
        (
            &["--port", "abc"],
            fatal_at(
                2,
                "port \"abc\"",
                "argument couldn't be parsed into an integer",
            ),
        ),
        (
            &["--port"],
            fatal_at(2, "port", "wrong number of arguments"),
        ),
        (
            &["--foo", "bar"],
            fatal_at(
                2,
                "foo \"bar\"",
                "Bad directive or wrong number of arguments",
            ),
        ),
        (
            &[
                "--list-max-ziplist-entries",
                "5",
                "--port",
                "0",
                "--port",
                "abc",
            ],
            fatal_at(
                4,
                "port \"abc\"",
                "argument couldn't be parsed into an integer",
            ),
        ),
        (
            &["--save", "--port", "1", "--port", "x"],
            fatal_at(
                4,
                "port \"x\"",
                "argument couldn't be parsed into an integer",
            ),
        ),
        // `-` as the last argument is standard input, so --port has no value.
        (
            &["--port", "-"],
            fatal_at(4, "port", "wrong number of arguments"),
        ),
    ];
    for (list, want) in errors {
        // Standard input holds two lines for the `-` case.
        let got = load_with_stdin(list, "port 1\nport 2\n").err();
        assert_eq!(got.as_ref(), Some(want), "{list:?}");
    }
}

#[test]
fn standard_input_and_order() {
    // File, then standard input, then options: the last setting wins.
    let dir = TempDir::new("stdin");
    let file = dir.file("a.conf", "port 1\nmaxmemory 1mb\nsave 10 1\n");
    let c = load_with_stdin(&[&file, "-"], "port 2\nsave 20 2\n").unwrap();
    assert_eq!(c.port, 2);
    assert_eq!(c.maxmemory, 1 << 20);
    assert_eq!(c.save, "10 1 20 2");
    let c = load_with_stdin(&[&file, "--port", "3", "-"], "port 2\n").unwrap();
    assert_eq!(c.port, 3);
    let c = load_with_stdin(&["-", "--port", "3"], "port 2\n").unwrap();
    assert_eq!(c.port, 3);
    // Without `-`, standard input is not read.
    let c = load_with_stdin(&["--maxmemory", "5"], "port 2\n").unwrap();
    assert_eq!(c.port, 6379);
    // Standard input glued to a file without a final newline joins the last line.
    let file2 = dir.file("b.conf", "maxmemory 1");
    let c = load_with_stdin(&[&file2, "-"], "0\n").unwrap();
    assert_eq!(c.maxmemory, 10);
    // Line numbers count file, standard input and options together.
    let err = load_with_stdin(&[&file, "--port", "x", "-"], "port 2\n").unwrap_err();
    assert_eq!(
        err,
        fatal_at(
            6,
            "port \"x\"",
            "argument couldn't be parsed into an integer"
        )
    );
}

#[test]
fn config_file_path_and_open_errors() {
    let dir = TempDir::new("path");
    let file = dir.file("r.conf", "port 9\n");
    let c = load(&[&file]).unwrap();
    assert_eq!(c.config_file(), Some(std::path::Path::new(&file)));
    assert_eq!(c.port, 9);
    // A relative name is made absolute against the working directory.
    let c = load(&["Cargo.toml-corekv-missing"]).unwrap_err();
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        c,
        format!(
            "Fatal error, can't open config file '{}/Cargo.toml-corekv-missing': No such file or \
             directory",
            cwd.to_string_lossy()
        )
    );
    assert_eq!(
        load(&["/nonexistent-corekv.conf"]).unwrap_err(),
        "Fatal error, can't open config file '/nonexistent-corekv.conf': No such file or \
         directory"
    );
    // A directory reads as an empty file.
    let c = load(&[&dir.path()]).unwrap();
    assert_eq!(c.port, 6379);
}

#[test]
fn includes() {
    let dir = TempDir::new("include");
    dir.file("conf.d/a.conf", "maxmemory 2mb\nsave 7 7\n");
    dir.file("conf.d/b.conf", "maxmemory 3mb\n");
    dir.file("conf.d/.hidden.conf", "maxmemory 4mb\n");
    let d = dir.path();
    let main = dir.file(
        "main.conf",
        &format!("save 100 1\ninclude {d}/conf.d/*.conf\ninclude {d}/none/*.conf\nport 5\n"),
    );
    let c = load(&[&main]).unwrap();
    assert_eq!(c.maxmemory, 3 << 20);
    assert_eq!(c.port, 5);
    // The first `save` replaced the defaults; the included one added to it.
    assert_eq!(c.save, "100 1 7 7");

    // After an include, Redis no longer knows it is reading a file: each later `save`
    // replaces the list.
    dir.file("s2.conf", "save 5 5\n");
    let quirk = dir.file(
        "s3.conf",
        &format!("include {d}/s2.conf\nsave 100 1\nsave 200 2\n"),
    );
    assert_eq!(load(&[&quirk]).unwrap().save, "200 2");

    // A missing include without wildcards is fatal, named as written.
    let bad = dir.file("bad.conf", "include missing.conf\n");
    assert_eq!(
        load(&[&bad]).unwrap_err(),
        "Fatal error, can't open config file 'missing.conf': No such file or directory"
    );
    // An error inside an included file names the included file's line.
    dir.file("inner.conf", "port 1\n\nport x\n");
    let outer = dir.file("outer.conf", &format!("port 2\ninclude {d}/inner.conf\n"));
    assert_eq!(
        load(&[&outer]).unwrap_err(),
        fatal_at(3, "port x", "argument couldn't be parsed into an integer")
    );
    // An include loop stops with an error (Redis would overflow its stack).
    let looping = dir.file("loop.conf", &format!("include {d}/loop.conf\n"));
    assert_eq!(
        load(&[&looping]).unwrap_err(),
        fatal_at(
            1,
            &format!("include {d}/loop.conf"),
            "Too many nested includes (does a file include itself?)"
        )
    );
    // Relative includes follow `dir`, as Redis has chdir()ed there.
    let rel = dir.file("rel.conf", &format!("dir {d}/conf.d\ninclude b.conf\n"));
    assert_eq!(load(&[&rel]).unwrap().maxmemory, 3 << 20);
}

#[test]
fn other_directives_are_collected() {
    let c = load_text(
        "rename-command FLUSHALL \"\"\nrename-command get fetch\nuser alice on >pw ~* +@all\n\
         loadmodule /x/m.so a b\nmymod.size 5 6\nMYMOD.SIZE 7\n",
    )
    .unwrap();
    assert_eq!(
        c.rename_commands,
        vec![
            ("FLUSHALL".to_string(), String::new()),
            ("get".to_string(), "fetch".to_string())
        ]
    );
    assert_eq!(c.users, vec![args(&["alice", "on", ">pw", "~*", "+@all"])]);
    assert_eq!(c.loadmodules, vec![args(&["/x/m.so", "a", "b"])]);
    assert_eq!(
        c.module_configs,
        vec![("mymod.size".to_string(), "7".to_string())]
    );

    // With the command table known, renames are checked as Redis does.
    let commands = ["get", "set", "flushall"];
    let check =
        |text: &str| Config::from_args_with(&args(&["-"]), Some(&commands), &mut text.as_bytes());
    assert!(check("rename-command GET fetch\nrename-command fetch get2").is_ok());
    assert_eq!(
        check("rename-command foo bar").unwrap_err(),
        fatal_at(
            1,
            "rename-command foo bar",
            "No such command in rename-command"
        )
    );
    assert_eq!(
        check("rename-command get set").unwrap_err(),
        fatal_at(
            1,
            "rename-command get set",
            "Target command name already exists"
        )
    );
    assert_eq!(
        check("rename-command get \"\"\nrename-command get x").unwrap_err(),
        fatal_at(
            2,
            "rename-command get x",
            "No such command in rename-command"
        )
    );
}

#[test]
fn special_arguments() {
    assert!(Config::version_requested(&args(&["-v"])).is_some());
    assert!(Config::version_requested(&args(&["--version"])).is_some());
    assert!(Config::version_requested(&args(&["--port", "1", "-v"])).is_none());
    assert!(load(&["-h"])
        .unwrap_err()
        .starts_with("Usage: ./corekv-server"));
    assert!(load(&["--help"]).is_err());
    assert!(load(&["--port", "1", "--sentinel"]).is_err());
    assert!(load(&[]).is_ok());
}

#[test]
fn dir_is_resolved_and_checked() {
    let dir = TempDir::new("dir");
    dir.file("sub/x", "");
    let d = dir.path();
    let c = load_text(&format!("dir {d}\ndir sub\n")).unwrap();
    assert_eq!(c.dir, format!("{d}/sub"));
    let mut c = load(&["--dir", &d, "--enable-protected-configs", "yes"]).unwrap();
    assert_eq!(set(&mut c, &[("dir", "sub")]), Ok(vec!["dir"]));
    assert_eq!(c.dir, format!("{d}/sub"));
    assert_eq!(set(&mut c, &[("dir", "..")]), Ok(vec!["dir"]));
    assert_eq!(c.dir, d);
    assert_eq!(
        set(&mut c, &[("dir", "sub/x")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory"
    );
    assert_eq!(
        set(&mut c, &[("dir", "nope")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
    );
    // The process's own directory never changes.
    assert_eq!(
        std::env::current_dir().unwrap(),
        PathBuf::from(&Config::default().dir)
    );
}

// ----- CONFIG SET -----

#[test]
fn set_errors() {
    let failed = |name: &str, reason: &str| {
        format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")
    };
    let unknown =
        |name: &str| format!("ERR Unknown option or number of arguments for CONFIG SET - '{name}'");
    // (pairs, error)
    let cases: &[(&[(&str, &str)], String)] = &[
        (&[("foo", "bar")], unknown("foo")),
        (&[("port", "1"), ("foo", "bar")], unknown("foo")),
        (&[("port", "abc"), ("foo", "bar")], unknown("foo")),
        (
            &[("daemonize", "yes")],
            failed("daemonize", "can't set immutable config"),
        ),
        (
            &[("Daemonize", "yes"), ("foo", "x")],
            failed("Daemonize", "can't set immutable config"),
        ),
        (&[("foo", "x"), ("daemonize", "yes")], unknown("foo")),
        (
            &[("dir", "/tmp")],
            failed("dir", "can't set protected config"),
        ),
        (
            &[("dbfilename", "x.rdb")],
            failed("dbfilename", "can't set protected config"),
        ),
        (
            &[("maxmemory", "1"), ("maxmemory", "2")],
            failed("maxmemory", "duplicate parameter"),
        ),
        (
            &[("maxmemory", "1"), ("MAXMEMORY", "2")],
            failed("MAXMEMORY", "duplicate parameter"),
        ),
        (
            &[("HASH-MAX-ZIPLIST-ENTRIES", "abc")],
            failed(
                "hash-max-ziplist-entries",
                "argument couldn't be parsed into an integer",
            ),
        ),
        (
            &[("maxmemory", "100"), ("timeout", "abc")],
            failed("timeout", "argument couldn't be parsed into an integer"),
        ),
        (
            &[("save", "100  1")],
            failed("save", "Invalid save parameters"),
        ),
        (
            &[("save", "100 1 ")],
            failed("save", "Invalid save parameters"),
        ),
        (
            &[("shutdown-on-sigint", "")],
            failed(
                "shutdown-on-sigint",
                "argument(s) must be one of the following: default, save, nosave, now, force",
            ),
        ),
        (
            &[("maxclients", "0")],
            failed(
                "maxclients",
                "argument must be between 1 and 4294967295 inclusive",
            ),
        ),
        (
            &[("unixsocketperm", "1")],
            failed("unixsocketperm", "can't set immutable config"),
        ),
        (
            &[("replicaof", "no one")],
            failed("replicaof", "can't set immutable config"),
        ),
        (
            &[("slaveof", "no one")],
            failed("slaveof", "can't set immutable config"),
        ),
        (
            &[("shards", "2")],
            failed("shards", "can't set immutable config"),
        ),
        (
            &[("io-memory", "2mb")],
            failed("io-memory", "can't set immutable config"),
        ),
        (
            &[("databases", "2")],
            failed("databases", "can't set immutable config"),
        ),
        (
            &[("latency-tracking-info-percentiles", "50  99")],
            failed(
                "latency-tracking-info-percentiles",
                "Invalid latency-tracking-info-percentiles parameters",
            ),
        ),
        (
            &[("client-output-buffer-limit", "pubsub 1mb 2mb")],
            failed(
                "client-output-buffer-limit",
                "Wrong number of arguments in buffer limit configuration.",
            ),
        ),
        (
            &[("oom-score-adj-values", "1 2")],
            failed("oom-score-adj-values", "wrong number of arguments"),
        ),
        (
            &[("notify-keyspace-events", "Kq")],
            failed(
                "notify-keyspace-events",
                "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
            ),
        ),
        (
            &[("slowlog-max-len", "-1")],
            failed(
                "slowlog-max-len",
                "argument must be between 0 and 9223372036854775807 inclusive",
            ),
        ),
        (
            &[("maxmemory-clients", "101%")],
            failed(
                "maxmemory-clients",
                "percentage argument must be less or equal to 100",
            ),
        ),
        (
            &[("protected-mode", "maybe")],
            failed("protected-mode", "argument must be 'yes' or 'no'"),
        ),
    ];
    for (pairs, want) in cases {
        let mut c = Config::default();
        let before = c.clone();
        assert_eq!(set(&mut c, pairs).as_ref(), Err(want), "{pairs:?}");
        assert_eq!(c, before, "{pairs:?} changed something");
    }
}

#[test]
fn set_values() {
    // (pairs, parameter, CONFIG GET value afterwards)
    let cases: &[SetCase] = &[
        (&[("maxmemory", "kb")], "maxmemory", "0"),
        (&[("maxmemory", "")], "maxmemory", "0"),
        (
            &[("maxmemory", "18446744073709551616")],
            "maxmemory",
            "18446744073709551615",
        ),
        (&[("maxmemory", "1GB")], "maxmemory", "1073741824"),
        (&[("save", "")], "save", ""),
        (&[("save", "100 1 200 2")], "save", "100 1 200 2"),
        (&[("save", "1 4294967295")], "save", "1 -1"),
        (&[("hz", "1000")], "hz", "500"),
        (&[("hz", "0")], "hz", "1"),
        (&[("oom-score-adj", "relative")], "oom-score-adj", "yes"),
        (
            &[("shutdown-on-sigint", "now save force")],
            "shutdown-on-sigint",
            "save now force",
        ),
        (
            &[("shutdown-on-sigterm", "default now")],
            "shutdown-on-sigterm",
            "now",
        ),
        (
            &[("notify-keyspace-events", "")],
            "notify-keyspace-events",
            "",
        ),
        (
            &[("client-output-buffer-limit", "")],
            "client-output-buffer-limit",
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ),
        (
            &[(
                "client-output-buffer-limit",
                "pubsub 1mb 2mb 10 normal 1 2 3",
            )],
            "client-output-buffer-limit",
            "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 2097152 10",
        ),
        (
            &[("latency-tracking-info-percentiles", "")],
            "latency-tracking-info-percentiles",
            "",
        ),
        (
            &[("latency-tracking-info-percentiles", "0.000001 1e1")],
            "latency-tracking-info-percentiles",
            "0.000001 10",
        ),
        (&[("bind", "")], "bind", ""),
        (&[("bind", "127.0.0.1  ::1")], "bind", "127.0.0.1  ::1"),
        (
            &[("list-max-listpack-size", "-5")],
            "list-max-ziplist-size",
            "-5",
        ),
        (&[("maxmemory-clients", "5%")], "maxmemory-clients", "5%"),
        (&[("appendfsync", "ALWAYS")], "appendfsync", "always"),
        (&[("loglevel", "VERBOSE")], "loglevel", "verbose"),
        (&[("requirepass", "")], "requirepass", ""),
        (&[("masteruser", "a b")], "masteruser", "a b"),
        (
            &[("cluster-announce-hostname", "abc.def-1")],
            "cluster-announce-hostname",
            "abc.def-1",
        ),
        (
            &[("proc-title-template", "{title} {port}")],
            "proc-title-template",
            "{title} {port}",
        ),
        // Alias and canonical name are different parameters for the duplicate check.
        (
            &[
                ("hash-max-ziplist-entries", "1"),
                ("hash-max-listpack-entries", "2"),
            ],
            "hash-max-listpack-entries",
            "2",
        ),
        (
            &[("busy-reply-threshold", "10"), ("lua-time-limit", "20")],
            "busy-reply-threshold",
            "20",
        ),
        (
            &[("slowlog-log-slower-than", "-1")],
            "slowlog-log-slower-than",
            "-1",
        ),
        (&[("tcp-quickack", "yes")], "tcp-quickack", "yes"),
        (&[("shard-sched-batch", "yes")], "shard-sched-batch", "yes"),
        (&[("shard-cpu-affinity", "no")], "shard-cpu-affinity", "no"),
        (
            &[("shard-idle-spin-us", "200")],
            "shard-idle-spin-us",
            "200",
        ),
    ];
    for &(pairs, name, want) in cases {
        let mut c = Config::default();
        set(&mut c, pairs).unwrap_or_else(|e| panic!("{pairs:?}: {e}"));
        assert_eq!(get1(&c, name), want, "{pairs:?} then CONFIG GET {name}");
    }
}

#[test]
fn set_is_atomic_and_reports_changes() {
    let mut c = Config::default();
    // A bad second pair leaves the first unchanged.
    let err = set(&mut c, &[("maxmemory", "100mb"), ("port", "abc")]).unwrap_err();
    assert_eq!(
        err,
        "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be \
         parsed into an integer"
    );
    assert_eq!(c.maxmemory, 0);
    assert_eq!(c, Config::default());

    // Both applied; the names are canonical and only those that changed.
    let changed = set(
        &mut c,
        &[
            ("maxmemory", "100mb"),
            ("slave-read-only", "no"),
            ("timeout", "0"),
            ("maxmemory-policy", "allkeys-lru"),
        ],
    )
    .unwrap();
    assert_eq!(
        changed,
        vec!["maxmemory", "replica-read-only", "maxmemory-policy"]
    );
    assert_eq!(c.maxmemory, 100 << 20);
    assert_eq!(c.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
    assert_eq!(get1(&c, "replica-read-only"), "no");
    // Setting the same value again changes nothing; hand-written ones always count.
    assert_eq!(set(&mut c, &[("maxmemory", "104857600")]), Ok(vec![]));
    assert_eq!(
        set(&mut c, &[("save", "3600 1 300 100 60 10000")]),
        Ok(vec!["save"])
    );
    assert_eq!(
        set(&mut c, &[("oom-score-adj-values", "0 200 800")]),
        Ok(vec![])
    );
    // A later failure restores earlier multi-word values too.
    let before = c.clone();
    assert!(set(&mut c, &[("save", "1 1"), ("bind", "1.2.3.4"), ("hz", "x")]).is_err());
    assert_eq!(c, before);
    // Typed fields follow.
    set(
        &mut c,
        &[
            ("bind", "127.0.0.1 -::1"),
            ("requirepass", "pw"),
            ("hz", "20"),
        ],
    )
    .unwrap();
    assert_eq!(c.bind, vec!["127.0.0.1".to_string(), "-::1".to_string()]);
    assert!(c.bind_explicit);
    assert_eq!(c.requirepass.as_deref(), Some("pw"));
    assert_eq!(c.hz, 20);
    set(&mut c, &[("requirepass", "")]).unwrap();
    assert_eq!(c.requirepass, None);
}

#[test]
fn set_context() {
    let mut c = load(&["--enable-protected-configs", "local"]).unwrap();
    let pairs: [(&[u8], &[u8]); 1] = [(b"dbfilename", b"x.rdb")];
    assert_eq!(
        c.set(&pairs).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set \
         protected config"
    );
    let local = SetContext {
        local_client: true,
        loading: false,
    };
    assert_eq!(c.set_with(&pairs, local), Ok(vec!["dbfilename"]));
    assert_eq!(c.dbfilename, "x.rdb");
    let loading = SetContext {
        local_client: true,
        loading: true,
    };
    let aof: [(&[u8], &[u8]); 1] = [(b"appendonly", b"yes")];
    assert_eq!(c.set_with(&aof, loading).unwrap_err(), ERR_LOADING);
    assert!(Config::is_sensitive(b"REQUIREPASS"));
    assert!(Config::is_sensitive(b"masterauth"));
    assert!(!Config::is_sensitive(b"port"));
    assert_eq!(Config::canonical_name(b"SLAVEOF"), Some("replicaof"));
    assert!(ProtectedConfig::Local.allows(true));
    assert!(!ProtectedConfig::Local.allows(false));
}

// ----- CONFIG REWRITE -----

/// A file a Redis 7.0.15 rewrote after `CONFIG SET maxmemory 0`, `timeout 5` and
/// `notify-keyspace-events Ex` (user lines aside, which it also writes).
#[test]
fn rewrite_matches_redis() {
    let old = "# my config\n   port 23918\nsave 100 1\nsave 200 2\n\n\n# comment\n\
               hash-max-ziplist-entries 100\n  maxmemory 1mb\nloglevel notice\n\
               client-output-buffer-limit pubsub 1mb 1mb 0\nrename-command FLUSHALL \"\"\n\
               unixsocket /tmp/rtest/r.sock\nenable-protected-configs yes\n";
    let mut c = load_text(old).unwrap();
    c.dir = "/tmp/rtest".to_string();
    set(
        &mut c,
        &[
            ("maxmemory", "0"),
            ("timeout", "5"),
            ("notify-keyspace-events", "Ex"),
        ],
    )
    .unwrap();
    let users = ["user default on nopass ~* &* +@all".to_string()];
    let first = c.rewrite_text_with_users(old, &users);
    assert_eq!(
        first,
        "# my config\nport 23918\nsave 100 1\nsave 200 2\n\n# comment\n\
         hash-max-listpack-entries 100\nmaxmemory 0\nloglevel notice\n\
         client-output-buffer-limit normal 0 0 0\nrename-command FLUSHALL \"\"\n\
         unixsocket \"/tmp/rtest/r.sock\"\nenable-protected-configs yes\n\n\
         # Generated by CONFIG REWRITE\ntimeout 5\ndir \"/tmp/rtest\"\n\
         client-output-buffer-limit pubsub 1mb 1mb 0\nnotify-keyspace-events \"xE\"\n\
         latency-tracking-info-percentiles 50 99 99.9\n\
         user default on nopass ~* &* +@all\n"
    );
    // Rewriting again moves the pubsub limit (Redis reuses the lines of an option in order,
    // whatever class they named) and then settles.
    let second = c.rewrite_text_with_users(&first, &users);
    assert!(second.contains("client-output-buffer-limit replica 256mb 64mb 60\n"));
    let third = c.rewrite_text_with_users(&second, &users);
    assert_eq!(c.rewrite_text_with_users(&third, &users), third);
}

#[test]
fn rewrite_rules() {
    let c = load_text("port 7000\nlua-replicate-commands yes\nmymod.x 1").unwrap();
    // Unknown and deprecated lines become comments; duplicates are blanked; defaults kept
    // only where they were already written.
    let old = "lua-replicate-commands yes\nfoo bar\n\"unbalanced\nport 1\nport 2\n\
               maxmemory 0\ninclude /x.conf\nsentinel foo\nuser bob on\nloadmodule /m.so\n\
               bind 1.2.3.4\nsave 1 1\nsave 2 2\nsave 3 3\n";
    let new = c.rewrite_text(old);
    assert_eq!(
        new,
        format!(
            "# ??? lua-replicate-commands yes\n# ??? foo bar\n# ??? \"unbalanced\nport 7000\n\n\
             maxmemory 0\ninclude /x.conf\nsentinel foo\nuser bob on\n\nsave 3600 1\n\
             save 300 100\nsave 60 10000\n\n# Generated by CONFIG REWRITE\ndir {}\n\
             latency-tracking-info-percentiles 50 99 99.9\n",
            text::repr(&c.dir)
        )
    );
    // An empty file gets only what differs from the defaults, plus dir, save and percentiles.
    let mut c = Config {
        dir: "/data".to_string(),
        ..Config::default()
    };
    set(
        &mut c,
        &[("save", ""), ("latency-tracking-info-percentiles", "")],
    )
    .unwrap();
    assert_eq!(
        c.rewrite_text(""),
        "# Generated by CONFIG REWRITE\ndir \"/data\"\nsave \"\"\n\
         latency-tracking-info-percentiles \"\"\n"
    );
    // Values are written the way they parse back: memory units, octal, percent, quoting.
    let c = load(&[
        "--maxmemory",
        "3072",
        "--maxmemory-clients",
        "10%",
        "--unixsocketperm",
        "700",
        "--requirepass",
        "a \"b\"\n",
        "--bind",
        "127.0.0.1",
        "-::1",
        "--oom-score-adj-values",
        "1 2 3",
        "--replicaof",
        "h",
        "1",
        "--shutdown-on-sigint",
        "save now",
    ])
    .unwrap();
    let text = c.rewrite_text("");
    for line in [
        "maxmemory 3kb",
        "maxmemory-clients 10%",
        "unixsocketperm 700",
        "requirepass \"a \\\"b\\\"\\n\"",
        "bind 127.0.0.1 -::1",
        "oom-score-adj-values 1 2 3",
        "replicaof h 1",
        "shutdown-on-sigint save now",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line:?} missing from\n{text}"
        );
    }
}

#[test]
fn rewrite_round_trips() {
    let dir = TempDir::new("rewrite");
    let sets: &[(&str, &str)] = &[
        ("maxmemory", "1gb"),
        ("save", "10 1 20 2"),
        ("bind", "127.0.0.1 -::1"),
        ("requirepass", "p \"w\"\t\u{1}"),
        ("notify-keyspace-events", "KEA"),
        (
            "client-output-buffer-limit",
            "replica 1 2 3 pubsub 1kb 1mb 0 normal 1gb 0 0",
        ),
        ("oom-score-adj-values", "-1 0 1"),
        ("latency-tracking-info-percentiles", "99.999 0"),
        ("maxmemory-clients", "7%"),
        ("shutdown-on-sigterm", "nosave now force"),
        ("hash-max-ziplist-entries", "3"),
        ("loglevel", "debug"),
        ("proto-max-bulk-len", "1025kb"),
        ("hz", "77"),
        ("tcp-quickack", "yes"),
        ("shard-sched-batch", "yes"),
        ("shard-cpu-affinity", "no"),
        ("shard-idle-spin-us", "7"),
        ("masterauth", ""),
        ("appendfsync", "no"),
    ];
    let file = dir.file("r.conf", "port 6400\n# keep me\nmaxmemory 5\n");
    let mut c = load(&[&file, "--dir", &dir.path(), "--shards", "3"]).unwrap();
    set(&mut c, sets).unwrap();
    let old = std::fs::read_to_string(&file).unwrap();
    let new = c.rewrite_text(&old);
    assert!(
        new.starts_with("port 6400\n# keep me\nmaxmemory 1gb\n"),
        "{new}"
    );
    std::fs::write(&file, &new).unwrap();
    let back = load(&[&file]).unwrap();
    let mut a = c.get(&[b"*"]);
    let mut b = back.get(&[b"*"]);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // The old text's final newline leaves an empty last line, which the next rewrite keeps
    // (as Redis does); then the text is stable.
    let again = back.rewrite_text(&new);
    assert_eq!(again, format!("{new}\n"));
    assert_eq!(back.rewrite_text(&again), again);
}

// ----- the module documentation -----

/// Every parameter is listed in the module docs, typed ones in the "obeys" table.
#[test]
fn docs_list_every_parameter() {
    let source = include_str!("../config.rs");
    let docs: String = source
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let (obeyed, accepted) = docs
        .split_once("## Parameters accepted and stored only")
        .unwrap();
    for d in table::DEFS {
        let row = format!("| `{}` |", d.name);
        if !Config::is_obeyed(d.name.as_bytes()) {
            assert!(!obeyed.contains(&row), "{} is not obeyed", d.name);
            assert!(
                accepted.contains(&format!("`{}`", d.name)),
                "{} missing",
                d.name
            );
        } else {
            assert!(
                obeyed.contains(&row),
                "{} missing from the obeyed table",
                d.name
            );
        }
        if let Some(alias) = d.alias {
            assert!(
                docs.contains(&format!("`{alias}`")),
                "alias {alias} missing"
            );
        }
    }
}
