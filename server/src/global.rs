//! Process-wide facts shared by every shard: read-mostly values and a few atomics that are
//! never on a command's path (shutdown, client ids, the connected-client count).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The Redis version whose behaviour corekv matches (reported as `redis_version`).
pub const REDIS_VERSION: &str = "7.0.15";

pub struct Global {
    pub nshards: usize,
    pub shutdown: AtomicBool,
    next_client_id: AtomicU64,
    pub connected_clients: AtomicUsize,
    pub started: Instant,
    pub started_unix_ms: i64,
    pub config_file: Option<PathBuf>,
    pub executable: PathBuf,
    /// 40 hex characters, fixed for the life of the process (INFO `run_id`).
    pub run_id: String,
    /// The TCP port actually listened on (after binding port 0, the kernel's choice).
    pub tcp_port: AtomicUsize,
    /// The CPUs the process may run on, as found at start-up; shard `i` is pinned to
    /// `cpus[i % cpus.len()]` under `shard-cpu-affinity` (empty if unknown).
    pub cpus: Vec<usize>,
}

impl Global {
    pub fn new(nshards: usize, config_file: Option<PathBuf>, cpus: Vec<usize>) -> Self {
        let started_unix_ms = unix_ms();
        Global {
            nshards,
            shutdown: AtomicBool::new(false),
            next_client_id: AtomicU64::new(1),
            connected_clients: AtomicUsize::new(0),
            started: Instant::now(),
            started_unix_ms,
            config_file,
            executable: std::env::current_exe().unwrap_or_default(),
            run_id: make_run_id(started_unix_ms),
            tcp_port: AtomicUsize::new(0),
            cpus,
        }
    }

    pub fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn request_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
    }

    pub fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::Relaxed)
    }
}

pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn make_run_id(seed: i64) -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    let s = RandomState::new();
    let mut out = String::with_capacity(40);
    let mut i = 0u64;
    while out.len() < 40 {
        let h = s.hash_one((seed, i, std::process::id()));
        out.push_str(&format!("{h:016x}"));
        i += 1;
    }
    out.truncate(40);
    out
}
