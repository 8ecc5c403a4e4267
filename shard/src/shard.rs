//! `Shard`: everything one shard owns (its databases, clock, settings and counters), and
//! `Cx`, the per-command context an op runs with.
//!
//! A `Shard` is a plain single-threaded struct: the server keeps one per executor thread and
//! nothing else ever touches it. Tests build one directly and drive it with [`crate::testkit`].

use corekv_proto::RespWriter;

use crate::cmd::OpFn;
use crate::db::Db;
use crate::util::Rng;

/// Where the shard reads the time from. Tests use `Manual` to step through TTLs.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Manual(i64),
}

impl Clock {
    /// Unix time in milliseconds.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0),
            Clock::Manual(ms) => *ms,
        }
    }

    /// Moves a manual clock (no effect on the system clock).
    pub fn advance(&mut self, ms: i64) {
        if let Clock::Manual(t) = self {
            *t += ms;
        }
    }

    pub fn set(&mut self, ms: i64) {
        if let Clock::Manual(t) = self {
            *t = ms;
        }
    }
}

/// Eviction policy names, as `maxmemory-policy` spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxmemoryPolicy {
    VolatileLru,
    AllkeysLru,
    VolatileLfu,
    AllkeysLfu,
    VolatileRandom,
    AllkeysRandom,
    VolatileTtl,
    #[default]
    NoEviction,
}

impl MaxmemoryPolicy {
    pub const ALL: [(MaxmemoryPolicy, &'static str); 8] = [
        (MaxmemoryPolicy::VolatileLru, "volatile-lru"),
        (MaxmemoryPolicy::AllkeysLru, "allkeys-lru"),
        (MaxmemoryPolicy::VolatileLfu, "volatile-lfu"),
        (MaxmemoryPolicy::AllkeysLfu, "allkeys-lfu"),
        (MaxmemoryPolicy::VolatileRandom, "volatile-random"),
        (MaxmemoryPolicy::AllkeysRandom, "allkeys-random"),
        (MaxmemoryPolicy::VolatileTtl, "volatile-ttl"),
        (MaxmemoryPolicy::NoEviction, "noeviction"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
            .unwrap_or("noeviction")
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
            .map(|(p, _)| *p)
    }

    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
        )
    }

    pub fn is_lru(self) -> bool {
        matches!(
            self,
            MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru
        )
    }
}

/// The settings the data layer obeys. The server owns the full configuration and pushes the
/// relevant part here whenever it changes (start-up and CONFIG SET).
#[derive(Debug, Clone)]
pub struct ShardConfig {
    pub databases: usize,
    /// `proto-max-bulk-len`: the largest string a command may create.
    pub proto_max_bulk_len: u64,
    /// Active expiry on/off (`DEBUG SET-ACTIVE-EXPIRE`).
    pub active_expire: bool,
    pub maxmemory_policy: MaxmemoryPolicy,
    /// Compact-encoding thresholds, Redis's names and defaults.
    pub encodings: Encodings,
}

/// When a small collection switches from its compact encoding to the full structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encodings {
    /// `list-max-listpack-size`: positive = entries per quicklist node, negative = node size
    /// class (-1: 4 KiB, -2: 8 KiB, -3: 16 KiB, -4: 32 KiB, -5: 64 KiB).
    pub list_max_listpack_size: i64,
    /// `list-compress-depth` (accepted; nodes are not compressed).
    pub list_compress_depth: i64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub stream_node_max_bytes: usize,
    pub stream_node_max_entries: usize,
    pub hll_sparse_max_bytes: usize,
}

impl Default for Encodings {
    fn default() -> Self {
        Encodings {
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            hll_sparse_max_bytes: 3000,
        }
    }
}

impl Default for ShardConfig {
    fn default() -> Self {
        ShardConfig {
            databases: 16,
            proto_max_bulk_len: 512 * 1024 * 1024,
            active_expire: true,
            maxmemory_policy: MaxmemoryPolicy::NoEviction,
            encodings: Encodings::default(),
        }
    }
}

/// The context of one command execution.
pub struct Cx<'a> {
    /// Selected database.
    pub db: usize,
    /// The time the command sees (fixed for its whole execution).
    pub now_ms: i64,
    /// Where the reply goes.
    pub out: &'a mut RespWriter,
    /// The command's full lower-case name, for error messages.
    pub cmd: &'static str,
}

/// One shard's data.
pub struct Shard {
    /// This shard's index and the number of shards (for routing checks and SCAN cursors).
    pub id: usize,
    pub nshards: usize,
    pub dbs: Vec<Db>,
    pub config: ShardConfig,
    pub clock: Clock,
    pub rng: Rng,
    /// Writes since the last save (INFO `rdb_changes_since_last_save`).
    pub dirty: u64,
    /// Ops that panicked (a bug): the command got an error reply and the shard kept serving.
    pub panics: u64,
}

impl Shard {
    pub fn new(id: usize, nshards: usize, config: ShardConfig, clock: Clock) -> Self {
        let mut dbs: Vec<Db> = (0..config.databases.max(1)).map(|_| Db::new()).collect();
        for db in &mut dbs {
            db.track_lfu = config.maxmemory_policy.is_lfu();
        }
        let seed = clock.now_ms() as u64 ^ ((id as u64 + 1) << 40) ^ 0x9E37_79B9_7F4A_7C15;
        Shard {
            id,
            nshards,
            dbs,
            config,
            clock,
            rng: Rng::new(seed),
            dirty: 0,
            panics: 0,
        }
    }

    /// A single-shard instance with the default settings and a manual clock at `now_ms`.
    pub fn for_tests(now_ms: i64) -> Self {
        Shard::new(0, 1, ShardConfig::default(), Clock::Manual(now_ms))
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Database `index` (the caller validated it against `databases`).
    pub fn db(&mut self, index: usize) -> &mut Db {
        let last = self.dbs.len() - 1;
        &mut self.dbs[index.min(last)]
    }

    /// Brings the keyspace entries of a run of commands into cache before they execute, so
    /// their memory misses overlap: `keys` yields (database, key) pairs, at most `N` of
    /// them are warmed.
    pub fn warm<'k, const N: usize>(&self, keys: impl Iterator<Item = (usize, &'k [u8])>) {
        let last = self.dbs.len().saturating_sub(1);
        let mut hashes = [(0usize, 0u64); N];
        let mut n = 0;
        for (db, key) in keys.take(N) {
            let db = db.min(last);
            hashes[n] = (db, self.dbs[db].warm_slot(key));
            n += 1;
        }
        for &(db, h) in &hashes[..n] {
            self.dbs[db].warm_entry(h);
        }
    }

    /// Runs an op and writes its error reply if it fails. Returns whether it succeeded.
    ///
    /// A panicking op is a bug, but it must not take the shard (and every client of it) down:
    /// the panic is caught, counted in `panics`, and the client gets an error reply.
    pub fn exec(&mut self, op: OpFn, cx: &mut Cx<'_>, args: &[&[u8]]) -> bool {
        let start = cx.out.len();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(self, cx, args)));
        match result {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                cx.out.truncate(start);
                cx.out.error(&e.to_wire(cx.cmd));
                false
            }
            Err(_) => {
                self.panics += 1;
                cx.out.truncate(start);
                cx.out.error(&format!(
                    "ERR internal error while executing '{}' (please report this)",
                    cx.cmd
                ));
                false
            }
        }
    }

    /// Applies new settings; grows or shrinks the database list if `databases` changed
    /// (only possible at start-up).
    pub fn set_config(&mut self, config: ShardConfig) {
        if config.databases != self.dbs.len() {
            self.dbs.resize_with(config.databases.max(1), Db::new);
        }
        for db in &mut self.dbs {
            db.track_lfu = config.maxmemory_policy.is_lfu();
        }
        self.config = config;
    }

    /// Total keys over all databases.
    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }

    /// Cron work between commands: rehashing and shrinking.
    pub fn maintain(&mut self) {
        for db in &mut self.dbs {
            db.maintain();
        }
    }

    /// One slice of active expiry over every database, examining at most `keys_per_db` volatile
    /// keys per round and repeating a database's rounds while more than a quarter of what it
    /// examined had expired, until `deadline` says stop. Returns keys expired.
    pub fn active_expire_cycle(
        &mut self,
        keys_per_db: usize,
        deadline: &mut dyn FnMut() -> bool,
    ) -> usize {
        if !self.config.active_expire {
            return 0;
        }
        let now = self.now_ms();
        let mut total = 0;
        for db in &mut self.dbs {
            loop {
                let (examined, expired) = db.active_expire(now, keys_per_db);
                total += expired;
                if examined == 0 || expired * 4 <= examined || deadline() {
                    break;
                }
            }
            if deadline() {
                break;
            }
        }
        total
    }

    /// A random 64-bit number from the shard's generator.
    pub fn random(&mut self) -> u64 {
        self.rng.next_u64()
    }
}
