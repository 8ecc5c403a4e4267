//! The directive table: every configuration parameter Redis 7.0.15 knows (plus corekv's own),
//! with its type, range, default, flags and aliases. Rows follow the order of Redis's own table,
//! so `CONFIG REWRITE` appends new lines in a stable order.
//!
//! Nothing here holds a value: [`super::Config`] stores them. A row only says how to parse,
//! check, print and rewrite one parameter.

/// The parameter cannot be changed by `CONFIG SET`.
pub const IMMUTABLE: u16 = 1 << 0;
/// `CONFIG SET` needs `enable-protected-configs` to allow it.
pub const PROTECTED: u16 = 1 << 1;
/// Only an exact name (no glob) finds it in `CONFIG GET`.
pub const HIDDEN: u16 = 1 << 2;
/// The value is a list of words (`save 3600 1`, `bind a b`).
pub const MULTI_ARG: u16 = 1 << 3;
/// The value must not show up in logs, SLOWLOG or MONITOR.
pub const SENSITIVE: u16 = 1 << 4;
/// `CONFIG SET` answers `-LOADING` while a dataset is loading.
pub const DENY_LOADING: u16 = 1 << 5;
/// Setting the same value again still counts as a change (files re-read on set).
pub const VOLATILE: u16 = 1 << 6;

/// How a numeric parameter is written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumFmt {
    /// A plain decimal integer.
    Int,
    /// A memory amount: `100`, `1k` (1000), `1kb` (1024), `m`, `mb`, `g`, `gb`.
    Memory,
    /// A memory amount or a percentage (`5%`, stored negated).
    MemoryOrPercent,
    /// An octal number (`unixsocketperm 700`).
    Octal,
}

/// The C type Redis stores a number in. Only the unsigned ones change behaviour: their range
/// check compares as unsigned, so `-1` is a huge number there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumType {
    Signed,
    Unsigned,
}

/// Validates a string value; `Err` is the reason shown to the user.
pub type StrCheck = fn(&str) -> Result<(), &'static str>;
/// Validates an enum value (after the names were recognised).
pub type EnumCheck = fn(i32) -> Result<(), &'static str>;
/// Validates a yes/no value.
pub type BoolCheck = fn(bool) -> Result<(), &'static str>;

/// One name of an enum parameter and the number it stands for. Several names may share a
/// number (`oom-score-adj yes` and `relative`); the first one is what `CONFIG GET` shows.
pub type EnumItem = (&'static str, i32);

/// The parameters with hand-written parsing and printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    LatencyTrackingInfoPercentiles,
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Bool {
        default: bool,
        check: Option<BoolCheck>,
    },
    Str {
        default: Option<&'static str>,
        /// An empty value means "not set" (printed as `""`, left out by REWRITE).
        empty_is_null: bool,
        /// Binary-safe (Redis `sds`); otherwise the value ends at a NUL byte like a C string.
        binary: bool,
        check: Option<StrCheck>,
    },
    Enum {
        items: &'static [EnumItem],
        default: i32,
        check: Option<EnumCheck>,
    },
    Num {
        fmt: NumFmt,
        ty: NumType,
        /// Bounds, as Redis keeps them in a `long long` (unsigned bounds are reinterpreted).
        min: i64,
        max: i64,
        default: i64,
    },
    Special(Special),
}

/// The typed [`super::Config`] field a parameter lives in, or `Generic` for the table-indexed
/// storage of parameters corekv accepts but does not act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Generic,
    Port,
    UnixSocket,
    UnixSocketPerm,
    TcpBacklog,
    TcpKeepalive,
    Timeout,
    Maxclients,
    Requirepass,
    ProtectedMode,
    Databases,
    Loglevel,
    Logfile,
    Daemonize,
    Pidfile,
    Dbfilename,
    Appendonly,
    Appendfsync,
    Hz,
    ProtoMaxBulkLen,
    ClientQueryBufferLimit,
    Maxmemory,
    MaxmemoryPolicy,
    SlowlogLogSlowerThan,
    SlowlogMaxLen,
    EnableDebugCommand,
    EnableProtectedConfigs,
    EnableModuleCommand,
    ActiveExpireEffort,
    Shards,
    TcpFastopen,
    TcpDeferAccept,
    TcpQuickack,
    ShardSchedBatch,
    ShardCpuAffinity,
    ShardIdleSpinUs,
    IoMemory,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Def {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u16,
    pub kind: Kind,
    pub field: Field,
}

impl Def {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    const fn typed(mut self, field: Field) -> Def {
        self.field = field;
        self
    }
}

const fn def(name: &'static str, alias: Option<&'static str>, flags: u16, kind: Kind) -> Def {
    Def {
        name,
        alias,
        flags,
        kind,
        field: Field::Generic,
    }
}

const fn boolean(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    default: bool,
) -> Def {
    def(
        name,
        alias,
        flags,
        Kind::Bool {
            default,
            check: None,
        },
    )
}

/// A C-string parameter; `empty_is_null` as in Redis's `EMPTY_STRING_IS_NULL`.
const fn string(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    empty_is_null: bool,
    default: Option<&'static str>,
    check: Option<StrCheck>,
) -> Def {
    let kind = Kind::Str {
        default,
        empty_is_null,
        binary: false,
        check,
    };
    def(name, alias, flags, kind)
}

const fn enumeration(
    name: &'static str,
    flags: u16,
    items: &'static [EnumItem],
    default: i32,
    check: Option<EnumCheck>,
) -> Def {
    def(
        name,
        None,
        flags,
        Kind::Enum {
            items,
            default,
            check,
        },
    )
}

#[allow(clippy::too_many_arguments)] // reason: one row of the table, read as a whole
const fn number(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u16,
    ty: NumType,
    min: i64,
    max: i64,
    default: i64,
    fmt: NumFmt,
) -> Def {
    let kind = Kind::Num {
        fmt,
        ty,
        min,
        max,
        default,
    };
    def(name, alias, flags, kind)
}

const fn special(name: &'static str, alias: Option<&'static str>, flags: u16, s: Special) -> Def {
    def(name, alias, flags, Kind::Special(s))
}

const MOD: u16 = 0;
const IMM: u16 = IMMUTABLE;
const NULL: bool = true;
const ALLOW_EMPTY: bool = false;
const S: NumType = NumType::Signed;
const U: NumType = NumType::Unsigned;
const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
/// `ULLONG_MAX` as Redis keeps it in a `long long`.
const ULLONG_MAX: i64 = -1;
const MB: i64 = 1024 * 1024;

pub const LOGLEVEL_ITEMS: &[EnumItem] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub const MAXMEMORY_POLICY_ITEMS: &[EnumItem] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
pub const APPENDFSYNC_ITEMS: &[EnumItem] = &[("everysec", 2), ("always", 1), ("no", 0)];
pub const PROTECTED_ITEMS: &[EnumItem] = &[("no", 0), ("yes", 1), ("local", 2)];
const SUPERVISED_ITEMS: &[EnumItem] = &[("upstart", 3), ("systemd", 2), ("auto", 1), ("no", 0)];
const SYSLOG_FACILITY_ITEMS: &[EnumItem] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
const REPL_DISKLESS_LOAD_ITEMS: &[EnumItem] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const OOM_SCORE_ADJ_ITEMS: &[EnumItem] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB_DEFAULT_ITEMS: &[EnumItem] = &[("allchannels", 8), ("resetchannels", 0)];
const SANITIZE_DUMP_ITEMS: &[EnumItem] = &[("no", 0), ("yes", 1), ("clients", 2)];
const ENDPOINT_TYPE_ITEMS: &[EnumItem] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR_ITEMS: &[EnumItem] =
    &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
const TLS_AUTH_CLIENTS_ITEMS: &[EnumItem] = &[("no", 0), ("yes", 1), ("optional", 2)];
/// `shutdown-on-sigint` / `-sigterm`: bit flags, several names at once.
pub const SHUTDOWN_ON_SIG_ITEMS: &[EnumItem] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];

/// Redis's default `proc-title-template`.
pub const DEFAULT_PROC_TITLE_TEMPLATE: &str = "{title} {listen-addr} {server-mode}";

fn check_activedefrag(on: bool) -> Result<(), &'static str> {
    // corekv has no defragmenter; Redis built without its bundled jemalloc says the same.
    if on {
        Err(
            "Active defragmentation cannot be enabled: it requires a Redis server compiled \
             with a modified Jemalloc like the one shipped by default with the Redis source \
             distribution",
        )
    } else {
        Ok(())
    }
}

fn is_base_name(s: &str) -> bool {
    !s.contains('/') && !s.contains('\\')
}

fn check_dbfilename(s: &str) -> Result<(), &'static str> {
    if is_base_name(s) {
        Ok(())
    } else {
        Err("dbfilename can't be a path, just a filename")
    }
}

fn check_appendfilename(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        Err("appendfilename can't be empty")
    } else if !is_base_name(s) {
        Err("appendfilename can't be a path, just a filename")
    } else {
        Ok(())
    }
}

fn check_appenddirname(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        Err("appenddirname can't be empty")
    } else if !is_base_name(s) {
        Err("appenddirname can't be a path, just a dirname")
    } else {
        Ok(())
    }
}

fn check_hostname(s: &str) -> Result<(), &'static str> {
    if s.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        Ok(())
    } else {
        Err("Hostnames may only contain alphanumeric characters, hyphens or dots")
    }
}

/// A template is valid when every `{variable}` is known and the expansion (with an empty
/// title) is not blank.
fn check_proc_title_template(s: &str) -> Result<(), &'static str> {
    const BAD: &str = "template format is invalid or contains unknown variables";
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return Err(BAD);
        }
        if let Some(quoted) = after.strip_prefix('{') {
            out.push('{');
            rest = quoted;
            continue;
        }
        let close = after.find('}').ok_or(BAD)?;
        match &after[..close] {
            "title" | "server-mode" | "unixsocket" => {}
            "listen-addr" | "config-file" | "port" | "tls-port" => out.push('x'),
            _ => return Err(BAD),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if out.trim_matches(' ').is_empty() {
        Err(BAD)
    } else {
        Ok(())
    }
}

fn check_shutdown_flags(v: i32) -> Result<(), &'static str> {
    if v & 1 != 0 && v & 2 != 0 {
        Err("shutdown options SAVE and NOSAVE can't be used simultaneously")
    } else {
        Ok(())
    }
}

/// Every parameter, in Redis's table order, then corekv's own.
pub static DEFS: &[Def] = &[
    // yes/no
    boolean("rdbchecksum", None, IMM, true),
    boolean("daemonize", None, IMM, false).typed(Field::Daemonize),
    boolean("io-threads-do-reads", None, IMM, false),
    boolean("always-show-logo", None, IMM, false),
    boolean("protected-mode", None, MOD, true).typed(Field::ProtectedMode),
    boolean("rdbcompression", None, MOD, true),
    boolean("rdb-del-sync-files", None, MOD, false),
    boolean("activerehashing", None, MOD, true),
    boolean("stop-writes-on-bgsave-error", None, MOD, true),
    boolean("set-proc-title", None, IMM, true),
    boolean("dynamic-hz", None, MOD, true),
    boolean("lazyfree-lazy-eviction", None, MOD, false),
    boolean("lazyfree-lazy-expire", None, MOD, false),
    boolean("lazyfree-lazy-server-del", None, MOD, false),
    boolean("lazyfree-lazy-user-del", None, MOD, false),
    boolean("lazyfree-lazy-user-flush", None, MOD, false),
    boolean("repl-disable-tcp-nodelay", None, MOD, false),
    boolean("repl-diskless-sync", None, MOD, true),
    boolean("aof-rewrite-incremental-fsync", None, MOD, true),
    boolean("no-appendfsync-on-rewrite", None, MOD, false),
    boolean("cluster-require-full-coverage", None, MOD, true),
    boolean("rdb-save-incremental-fsync", None, MOD, true),
    boolean("aof-load-truncated", None, MOD, true),
    boolean("aof-use-rdb-preamble", None, MOD, true),
    boolean("aof-timestamp-enabled", None, MOD, false),
    boolean(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        MOD,
        false,
    ),
    boolean("replica-lazy-flush", Some("slave-lazy-flush"), MOD, false),
    boolean(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        MOD,
        true,
    ),
    boolean("replica-read-only", Some("slave-read-only"), MOD, true),
    boolean(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        MOD,
        true,
    ),
    boolean("jemalloc-bg-thread", None, MOD, true),
    def(
        "activedefrag",
        None,
        MOD,
        Kind::Bool {
            default: false,
            check: Some(check_activedefrag),
        },
    ),
    boolean("syslog-enabled", None, IMM, false),
    boolean("cluster-enabled", None, IMM, false),
    boolean("appendonly", None, MOD | DENY_LOADING, false).typed(Field::Appendonly),
    boolean("cluster-allow-reads-when-down", None, MOD, false),
    boolean("cluster-allow-pubsubshard-when-down", None, MOD, true),
    boolean("crash-log-enabled", None, MOD, true),
    boolean("crash-memcheck-enabled", None, MOD, true),
    boolean("use-exit-on-panic", None, MOD | HIDDEN, false),
    boolean("disable-thp", None, IMM, true),
    boolean("cluster-allow-replica-migration", None, MOD, true),
    boolean("replica-announced", None, MOD, true),
    boolean("latency-tracking", None, MOD, true),
    boolean("aof-disable-auto-gc", None, MOD, false),
    boolean("replica-ignore-disk-write-errors", None, MOD, false),
    // strings
    string("aclfile", None, IMM, ALLOW_EMPTY, Some(""), None),
    string("unixsocket", None, IMM, NULL, None, None).typed(Field::UnixSocket),
    string("pidfile", None, IMM, NULL, None, None).typed(Field::Pidfile),
    string(
        "replica-announce-ip",
        Some("slave-announce-ip"),
        MOD,
        NULL,
        None,
        None,
    ),
    string("masteruser", None, MOD | SENSITIVE, NULL, None, None),
    string("cluster-announce-ip", None, MOD, NULL, None, None),
    string(
        "cluster-config-file",
        None,
        IMM,
        ALLOW_EMPTY,
        Some("nodes.conf"),
        None,
    ),
    string(
        "cluster-announce-hostname",
        None,
        MOD,
        NULL,
        None,
        Some(check_hostname),
    ),
    string("syslog-ident", None, IMM, ALLOW_EMPTY, Some("redis"), None),
    string(
        "dbfilename",
        None,
        MOD | PROTECTED,
        ALLOW_EMPTY,
        Some("dump.rdb"),
        Some(check_dbfilename),
    )
    .typed(Field::Dbfilename),
    string(
        "appendfilename",
        None,
        IMM,
        ALLOW_EMPTY,
        Some("appendonly.aof"),
        Some(check_appendfilename),
    ),
    string(
        "appenddirname",
        None,
        IMM,
        ALLOW_EMPTY,
        Some("appendonlydir"),
        Some(check_appenddirname),
    ),
    string("server_cpulist", None, IMM, NULL, None, None),
    string("bio_cpulist", None, IMM, NULL, None, None),
    string("aof_rewrite_cpulist", None, IMM, NULL, None, None),
    string("bgsave_cpulist", None, IMM, NULL, None, None),
    string("ignore-warnings", None, MOD, ALLOW_EMPTY, Some(""), None),
    string(
        "proc-title-template",
        None,
        MOD,
        ALLOW_EMPTY,
        Some(DEFAULT_PROC_TITLE_TEMPLATE),
        Some(check_proc_title_template),
    ),
    string("bind-source-addr", None, MOD, NULL, None, None),
    string("logfile", None, IMM, ALLOW_EMPTY, Some(""), None).typed(Field::Logfile),
    def(
        "masterauth",
        None,
        MOD | SENSITIVE,
        Kind::Str {
            default: None,
            empty_is_null: true,
            binary: true,
            check: None,
        },
    ),
    def(
        "requirepass",
        None,
        MOD | SENSITIVE,
        Kind::Str {
            default: None,
            empty_is_null: true,
            binary: true,
            check: None,
        },
    )
    .typed(Field::Requirepass),
    // enums
    enumeration("supervised", IMM, SUPERVISED_ITEMS, 0, None),
    enumeration("syslog-facility", IMM, SYSLOG_FACILITY_ITEMS, 128, None),
    enumeration(
        "repl-diskless-load",
        MOD | DENY_LOADING,
        REPL_DISKLESS_LOAD_ITEMS,
        0,
        None,
    ),
    enumeration("loglevel", MOD, LOGLEVEL_ITEMS, 2, None).typed(Field::Loglevel),
    enumeration("maxmemory-policy", MOD, MAXMEMORY_POLICY_ITEMS, 7, None)
        .typed(Field::MaxmemoryPolicy),
    enumeration("appendfsync", MOD, APPENDFSYNC_ITEMS, 2, None).typed(Field::Appendfsync),
    enumeration("oom-score-adj", MOD, OOM_SCORE_ADJ_ITEMS, 0, None),
    enumeration("acl-pubsub-default", MOD, ACL_PUBSUB_DEFAULT_ITEMS, 0, None),
    enumeration("sanitize-dump-payload", MOD, SANITIZE_DUMP_ITEMS, 0, None),
    enumeration("enable-protected-configs", IMM, PROTECTED_ITEMS, 0, None)
        .typed(Field::EnableProtectedConfigs),
    enumeration("enable-debug-command", IMM, PROTECTED_ITEMS, 0, None)
        .typed(Field::EnableDebugCommand),
    enumeration("enable-module-command", IMM, PROTECTED_ITEMS, 0, None)
        .typed(Field::EnableModuleCommand),
    enumeration(
        "cluster-preferred-endpoint-type",
        MOD,
        ENDPOINT_TYPE_ITEMS,
        0,
        None,
    ),
    enumeration(
        "propagation-error-behavior",
        MOD,
        PROPAGATION_ERROR_ITEMS,
        0,
        None,
    ),
    enumeration(
        "shutdown-on-sigint",
        MOD | MULTI_ARG,
        SHUTDOWN_ON_SIG_ITEMS,
        0,
        Some(check_shutdown_flags),
    ),
    enumeration(
        "shutdown-on-sigterm",
        MOD | MULTI_ARG,
        SHUTDOWN_ON_SIG_ITEMS,
        0,
        Some(check_shutdown_flags),
    ),
    // int
    number("databases", None, IMM, S, 1, INT_MAX, 16, NumFmt::Int).typed(Field::Databases),
    number("port", None, MOD, S, 0, 65535, 6379, NumFmt::Int).typed(Field::Port),
    number("io-threads", None, IMM, S, 1, 128, 1, NumFmt::Int),
    number(
        "auto-aof-rewrite-percentage",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        100,
        NumFmt::Int,
    ),
    number(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        MOD,
        S,
        0,
        INT_MAX,
        10,
        NumFmt::Int,
    ),
    number(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        MOD,
        S,
        INT_MIN,
        INT_MAX,
        -2,
        NumFmt::Int,
    ),
    number("tcp-keepalive", None, MOD, S, 0, INT_MAX, 300, NumFmt::Int).typed(Field::TcpKeepalive),
    number(
        "cluster-migration-barrier",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        1,
        NumFmt::Int,
    ),
    number(
        "active-defrag-cycle-min",
        None,
        MOD,
        S,
        1,
        99,
        1,
        NumFmt::Int,
    ),
    number(
        "active-defrag-cycle-max",
        None,
        MOD,
        S,
        1,
        99,
        25,
        NumFmt::Int,
    ),
    number(
        "active-defrag-threshold-lower",
        None,
        MOD,
        S,
        0,
        1000,
        10,
        NumFmt::Int,
    ),
    number(
        "active-defrag-threshold-upper",
        None,
        MOD,
        S,
        0,
        1000,
        100,
        NumFmt::Int,
    ),
    number("lfu-log-factor", None, MOD, S, 0, INT_MAX, 10, NumFmt::Int),
    number("lfu-decay-time", None, MOD, S, 0, INT_MAX, 1, NumFmt::Int),
    number(
        "replica-priority",
        Some("slave-priority"),
        MOD,
        S,
        0,
        INT_MAX,
        100,
        NumFmt::Int,
    ),
    number(
        "repl-diskless-sync-delay",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        5,
        NumFmt::Int,
    ),
    number(
        "maxmemory-samples",
        None,
        MOD,
        S,
        1,
        INT_MAX,
        5,
        NumFmt::Int,
    ),
    number(
        "maxmemory-eviction-tenacity",
        None,
        MOD,
        S,
        0,
        100,
        10,
        NumFmt::Int,
    ),
    number("timeout", None, MOD, S, 0, INT_MAX, 0, NumFmt::Int).typed(Field::Timeout),
    number(
        "replica-announce-port",
        Some("slave-announce-port"),
        MOD,
        S,
        0,
        65535,
        0,
        NumFmt::Int,
    ),
    number("tcp-backlog", None, IMM, S, 0, INT_MAX, 511, NumFmt::Int).typed(Field::TcpBacklog),
    number("cluster-port", None, IMM, S, 0, 65535, 0, NumFmt::Int),
    number(
        "cluster-announce-bus-port",
        None,
        MOD,
        S,
        0,
        65535,
        0,
        NumFmt::Int,
    ),
    number(
        "cluster-announce-port",
        None,
        MOD,
        S,
        0,
        65535,
        0,
        NumFmt::Int,
    ),
    number(
        "cluster-announce-tls-port",
        None,
        MOD,
        S,
        0,
        65535,
        0,
        NumFmt::Int,
    ),
    number("repl-timeout", None, MOD, S, 1, INT_MAX, 60, NumFmt::Int),
    number(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        MOD,
        S,
        1,
        INT_MAX,
        10,
        NumFmt::Int,
    ),
    number(
        "list-compress-depth",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        0,
        NumFmt::Int,
    ),
    number(
        "rdb-key-save-delay",
        None,
        MOD | HIDDEN,
        S,
        INT_MIN,
        INT_MAX,
        0,
        NumFmt::Int,
    ),
    number(
        "key-load-delay",
        None,
        MOD | HIDDEN,
        S,
        INT_MIN,
        INT_MAX,
        0,
        NumFmt::Int,
    ),
    number("active-expire-effort", None, MOD, S, 1, 10, 1, NumFmt::Int)
        .typed(Field::ActiveExpireEffort),
    number("hz", None, MOD, S, 0, INT_MAX, 10, NumFmt::Int).typed(Field::Hz),
    number(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        MOD,
        S,
        0,
        INT_MAX,
        0,
        NumFmt::Int,
    ),
    number(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        MOD,
        S,
        0,
        INT_MAX,
        10,
        NumFmt::Int,
    ),
    number(
        "watchdog-period",
        None,
        MOD | HIDDEN,
        S,
        0,
        INT_MAX,
        0,
        NumFmt::Int,
    ),
    number(
        "shutdown-timeout",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        10,
        NumFmt::Int,
    ),
    number(
        "repl-diskless-sync-max-replicas",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        0,
        NumFmt::Int,
    ),
    // unsigned int
    number("maxclients", None, MOD, U, 1, UINT_MAX, 10000, NumFmt::Int).typed(Field::Maxclients),
    number("unixsocketperm", None, IMM, U, 0, 0o777, 0, NumFmt::Octal).typed(Field::UnixSocketPerm),
    number("socket-mark-id", None, IMM, U, 0, UINT_MAX, 0, NumFmt::Int),
    // unsigned long (range-checked as signed, as Redis does)
    number(
        "active-defrag-max-scan-fields",
        None,
        MOD,
        S,
        1,
        LONG_MAX,
        1000,
        NumFmt::Int,
    ),
    number(
        "slowlog-max-len",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        128,
        NumFmt::Int,
    )
    .typed(Field::SlowlogMaxLen),
    number(
        "acllog-max-len",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        128,
        NumFmt::Int,
    ),
    // long long
    number(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        MOD,
        S,
        0,
        LONG_MAX,
        5000,
        NumFmt::Int,
    ),
    number(
        "cluster-node-timeout",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        15000,
        NumFmt::Int,
    ),
    number(
        "slowlog-log-slower-than",
        None,
        MOD,
        S,
        -1,
        LONG_MAX,
        10000,
        NumFmt::Int,
    )
    .typed(Field::SlowlogLogSlowerThan),
    number(
        "latency-monitor-threshold",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        0,
        NumFmt::Int,
    ),
    number(
        "proto-max-bulk-len",
        None,
        MOD,
        S,
        MB,
        LONG_MAX,
        512 * MB,
        NumFmt::Memory,
    )
    .typed(Field::ProtoMaxBulkLen),
    number(
        "stream-node-max-entries",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        100,
        NumFmt::Int,
    ),
    number(
        "repl-backlog-size",
        None,
        MOD,
        S,
        1,
        LONG_MAX,
        MB,
        NumFmt::Memory,
    ),
    // unsigned long long
    number("maxmemory", None, MOD, U, 0, ULLONG_MAX, 0, NumFmt::Memory).typed(Field::Maxmemory),
    number(
        "cluster-link-sendbuf-limit",
        None,
        MOD,
        U,
        0,
        ULLONG_MAX,
        0,
        NumFmt::Memory,
    ),
    // size_t
    number(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        MOD,
        U,
        0,
        LONG_MAX,
        512,
        NumFmt::Int,
    ),
    number(
        "set-max-intset-entries",
        None,
        MOD,
        U,
        0,
        LONG_MAX,
        512,
        NumFmt::Int,
    ),
    number(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        MOD,
        U,
        0,
        LONG_MAX,
        128,
        NumFmt::Int,
    ),
    number(
        "active-defrag-ignore-bytes",
        None,
        MOD,
        U,
        1,
        LONG_MAX,
        100 * MB,
        NumFmt::Memory,
    ),
    number(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        MOD,
        U,
        0,
        LONG_MAX,
        64,
        NumFmt::Memory,
    ),
    number(
        "stream-node-max-bytes",
        None,
        MOD,
        U,
        0,
        LONG_MAX,
        4096,
        NumFmt::Memory,
    ),
    number(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        MOD,
        U,
        0,
        LONG_MAX,
        64,
        NumFmt::Memory,
    ),
    number(
        "hll-sparse-max-bytes",
        None,
        MOD,
        U,
        0,
        LONG_MAX,
        3000,
        NumFmt::Memory,
    ),
    number(
        "tracking-table-max-keys",
        None,
        MOD,
        U,
        0,
        LONG_MAX,
        1_000_000,
        NumFmt::Int,
    ),
    number(
        "client-query-buffer-limit",
        None,
        MOD,
        U,
        MB,
        LONG_MAX,
        1024 * MB,
        NumFmt::Memory,
    )
    .typed(Field::ClientQueryBufferLimit),
    // ssize_t
    number(
        "maxmemory-clients",
        None,
        MOD,
        S,
        -100,
        LONG_MAX,
        0,
        NumFmt::MemoryOrPercent,
    ),
    // time_t, off_t
    number(
        "repl-backlog-ttl",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        3600,
        NumFmt::Int,
    ),
    number(
        "auto-aof-rewrite-min-size",
        None,
        MOD,
        S,
        0,
        LONG_MAX,
        64 * MB,
        NumFmt::Memory,
    ),
    number(
        "loading-process-events-interval-bytes",
        None,
        MOD | HIDDEN,
        S,
        1024,
        INT_MAX,
        2 * MB,
        NumFmt::Int,
    ),
    // TLS (Redis builds with TLS, as distributions ship it, have these)
    number("tls-port", None, MOD, S, 0, 65535, 0, NumFmt::Int),
    number(
        "tls-session-cache-size",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        20 * 1024,
        NumFmt::Int,
    ),
    number(
        "tls-session-cache-timeout",
        None,
        MOD,
        S,
        0,
        INT_MAX,
        300,
        NumFmt::Int,
    ),
    boolean("tls-cluster", None, MOD, false),
    boolean("tls-replication", None, MOD, false),
    enumeration("tls-auth-clients", MOD, TLS_AUTH_CLIENTS_ITEMS, 1, None),
    boolean("tls-prefer-server-ciphers", None, MOD, false),
    boolean("tls-session-caching", None, MOD, true),
    string("tls-cert-file", None, VOLATILE, NULL, None, None),
    string("tls-key-file", None, VOLATILE, NULL, None, None),
    string("tls-key-file-pass", None, MOD, NULL, None, None),
    string("tls-client-cert-file", None, VOLATILE, NULL, None, None),
    string("tls-client-key-file", None, VOLATILE, NULL, None, None),
    string("tls-client-key-file-pass", None, MOD, NULL, None, None),
    string("tls-dh-params-file", None, VOLATILE, NULL, None, None),
    string("tls-ca-cert-file", None, VOLATILE, NULL, None, None),
    string("tls-ca-cert-dir", None, VOLATILE, NULL, None, None),
    string("tls-protocols", None, MOD, NULL, None, None),
    string("tls-ciphers", None, MOD, NULL, None, None),
    string("tls-ciphersuites", None, MOD, NULL, None, None),
    // hand-written
    special("dir", None, MOD | PROTECTED | DENY_LOADING, Special::Dir),
    special("save", None, MOD | MULTI_ARG, Special::Save),
    special(
        "client-output-buffer-limit",
        None,
        MOD | MULTI_ARG,
        Special::ClientOutputBufferLimit,
    ),
    special(
        "oom-score-adj-values",
        None,
        MOD | MULTI_ARG,
        Special::OomScoreAdjValues,
    ),
    special(
        "notify-keyspace-events",
        None,
        MOD,
        Special::NotifyKeyspaceEvents,
    ),
    special("bind", None, MOD | MULTI_ARG, Special::Bind),
    special(
        "replicaof",
        Some("slaveof"),
        IMM | MULTI_ARG,
        Special::ReplicaOf,
    ),
    special(
        "latency-tracking-info-percentiles",
        None,
        MOD | MULTI_ARG,
        Special::LatencyTrackingInfoPercentiles,
    ),
    // corekv's own
    number("shards", None, IMM, S, 0, 1024, 0, NumFmt::Int).typed(Field::Shards),
    number(
        "io-memory",
        None,
        IMM,
        S,
        64 * 1024,
        LONG_MAX,
        MB,
        NumFmt::Memory,
    )
    .typed(Field::IoMemory),
    number("tcp-fastopen", None, IMM, S, 0, INT_MAX, 0, NumFmt::Int).typed(Field::TcpFastopen),
    boolean("tcp-defer-accept", None, IMM, false).typed(Field::TcpDeferAccept),
    boolean("tcp-quickack", None, MOD, false).typed(Field::TcpQuickack),
    boolean("shard-sched-batch", None, MOD, true).typed(Field::ShardSchedBatch),
    boolean("shard-cpu-affinity", None, MOD, true).typed(Field::ShardCpuAffinity),
    number(
        "shard-idle-spin-us",
        None,
        MOD,
        S,
        0,
        1_000_000,
        50,
        NumFmt::Int,
    )
    .typed(Field::ShardIdleSpinUs),
];

/// Typed parameters whose capability has not arrived yet: read by the server, acted on later.
const NOT_YET_OBEYED: &[&str] = &[
    "save",
    "appendonly",
    "appendfsync",
    "dbfilename",
    "maxmemory",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "enable-module-command",
];

/// Whether corekv acts on a parameter (the typed fields of [`super::Config`], less those
/// still waiting for their capability).
/// Untyped parameters the data layer reads by name (`ShardConfig::encodings`).
const READ_BY_NAME: &[&str] = &[
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
    "list-max-listpack-size",
    "set-max-intset-entries",
    "stream-node-max-bytes",
    "stream-node-max-entries",
    "hll-sparse-max-bytes",
];

pub fn obeyed(d: &Def) -> bool {
    if READ_BY_NAME.contains(&d.name) {
        return true;
    }
    (d.field != Field::Generic
        || matches!(
            d.kind,
            Kind::Special(Special::Dir | Special::Save | Special::Bind)
        ))
        && !NOT_YET_OBEYED.contains(&d.name)
}

/// A name found in the table: the row's index, and whether it was the alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub index: usize,
    pub via_alias: bool,
}

impl Found {
    pub fn def(self) -> &'static Def {
        &DEFS[self.index]
    }

    /// The name this entry goes by: the alias when found through it (Redis keeps a separate
    /// entry per alias, named after it).
    pub fn name(self) -> &'static str {
        let d = self.def();
        match (self.via_alias, d.alias) {
            (true, Some(alias)) => alias,
            _ => d.name,
        }
    }
}

/// Looks a parameter up by name or alias, ignoring ASCII case.
pub fn lookup(name: &[u8]) -> Option<Found> {
    DEFS.iter().enumerate().find_map(|(index, d)| {
        if d.name.as_bytes().eq_ignore_ascii_case(name) {
            Some(Found {
                index,
                via_alias: false,
            })
        } else if d
            .alias
            .is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name))
        {
            Some(Found {
                index,
                via_alias: true,
            })
        } else {
            None
        }
    })
}

/// Every name `CONFIG GET` can list: each row's name, then its alias if it has one.
pub fn all_names() -> impl Iterator<Item = Found> {
    DEFS.iter().enumerate().flat_map(|(index, d)| {
        let primary = Found {
            index,
            via_alias: false,
        };
        let alias = d.alias.map(|_| Found {
            index,
            via_alias: true,
        });
        std::iter::once(primary).chain(alias)
    })
}

/// The name of an enum value: the first item with exactly that value, or for bit flags the
/// names whose bits make up the value, in table order; `unknown` when nothing fits.
pub fn enum_name(items: &[EnumItem], value: i32, bitflags: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = value;
    for &(name, v) in items {
        if v == value {
            return name.to_string();
        }
        if bitflags && v != 0 && v == unmatched & v {
            names.push(name);
            unmatched &= !v;
        }
    }
    if names.is_empty() || unmatched != 0 {
        "unknown".to_string()
    } else {
        names.join(" ")
    }
}

/// The value of enum names (several, OR-ed, for bit flags), or `None` if any is unknown.
pub fn enum_value(items: &[EnumItem], args: &[String], bitflags: bool) -> Option<i32> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return None;
    }
    let mut value = 0;
    for arg in args {
        let mut matched = false;
        for &(name, v) in items {
            if name.eq_ignore_ascii_case(arg) {
                value |= v;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(value)
}

/// The number of the first item called `name` (for typed fields that keep the name).
pub fn enum_by_name(items: &[EnumItem], name: &str) -> i32 {
    items
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or(0, |&(_, v)| v)
}

/// The error for a value that is none of the names.
pub fn enum_error(items: &[EnumItem]) -> String {
    let names: Vec<&str> = items.iter().map(|&(n, _)| n).collect();
    format!(
        "argument(s) must be one of the following: {}",
        names.join(", ")
    )
}
