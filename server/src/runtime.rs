//! `Runtime`: everything one shard thread owns, and the tasks that shard runs besides its
//! connections (inbound request/response tasks, the cron).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::{Duration, Instant};

use corekv_proto::RespWriter;
use corekv_shard::{Cx, Shard};
use tracing::{debug, warn};

use crate::blocking::{self, Blocking};
use crate::client::Registry;
use crate::config::Config;
use crate::global::Global;
use crate::mesh::{Batch, In, Mesh, Request, Requests, Response, Responses};
use crate::poller::Poller;
use crate::stats::Stats;

/// How long a shard that ran out of work sleeps in its own `epoll_wait` at most before
/// looking again (timers and glommio's own I/O wait this long at worst meanwhile).
const LIGHT_SLEEP_MS: isize = 1;
/// How long the hot loop keeps the executor's turn going before it lets the turn end.
const TURN_LIMIT: Duration = Duration::from_millis(1);
/// How long a shard stays in light sleeps after its last work before it sleeps in glommio.
const LIGHT_SLEEP_WINDOW: Duration = Duration::from_millis(5);

/// Counters of the hot loop: its rounds, its idle spins, its light and deep sleeps, and
/// whether it is in a deep sleep now.
#[derive(Default)]
pub struct HotLoopStats {
    pub rounds: Cell<u64>,
    pub spins: Cell<u64>,
    pub light_sleeps: Cell<u64>,
    pub deep_sleeps: Cell<u64>,
    pub deep_asleep: Cell<bool>,
}

/// A copy of [`HotLoopStats`] taken at one moment (INFO `shards`).
#[derive(Clone, Copy)]
pub struct HotLoopCounts {
    pub rounds: u64,
    pub spins: u64,
    pub light_sleeps: u64,
    pub deep_sleeps: u64,
    pub deep_asleep: bool,
}

impl HotLoopStats {
    pub fn counts(&self) -> HotLoopCounts {
        HotLoopCounts {
            rounds: self.rounds.get(),
            spins: self.spins.get(),
            light_sleeps: self.light_sleeps.get(),
            deep_sleeps: self.deep_sleeps.get(),
            deep_asleep: self.deep_asleep.get(),
        }
    }
}

fn bump(c: &Cell<u64>) {
    c.set(c.get() + 1);
}

pub struct Runtime {
    pub id: usize,
    pub nshards: usize,
    pub shard: RefCell<Shard>,
    pub config: RefCell<Rc<Config>>,
    pub global: Arc<Global>,
    pub mesh: Mesh,
    pub clients: RefCell<Registry>,
    pub stats: RefCell<Stats>,
    /// Set while `DEBUG SLEEP` or a similar job freezes this shard (for INFO).
    pub cron_runs: Cell<u64>,
    /// Blocked clients: waiters on this shard's keys and waits of its connections.
    pub blocking: RefCell<Blocking>,
    /// What the hot loop did (INFO `shards`).
    pub hot: HotLoopStats,
    me: RefCell<Weak<Runtime>>,
}

impl Runtime {
    pub fn new(id: usize, config: Rc<Config>, global: Arc<Global>, mesh: Mesh) -> Rc<Runtime> {
        let shard = Shard::new(
            id,
            global.nshards,
            config.shard_config(),
            corekv_shard::Clock::System,
        );
        let rt = Rc::new(Runtime {
            id,
            nshards: global.nshards,
            shard: RefCell::new(shard),
            config: RefCell::new(config),
            global,
            mesh,
            clients: RefCell::new(Registry::default()),
            stats: RefCell::new(Stats::default()),
            cron_runs: Cell::new(0),
            blocking: RefCell::new(Blocking::default()),
            hot: HotLoopStats::default(),
            me: RefCell::new(Weak::new()),
        });
        *rt.me.borrow_mut() = Rc::downgrade(&rt);
        rt
    }

    /// This runtime as an `Rc` (for tasks spawned from a job, which only gets `&Runtime`).
    pub fn rc(&self) -> Rc<Runtime> {
        match self.me.borrow().upgrade() {
            Some(rc) => rc,
            None => unreachable!("a Runtime is only ever used through its Rc"),
        }
    }

    /// This shard's current configuration.
    pub fn config(&self) -> Rc<Config> {
        self.config.borrow().clone()
    }

    /// Installs a new configuration (CONFIG SET broadcast).
    pub fn set_config(&self, config: Config) {
        if config.shard_sched_batch != self.config().shard_sched_batch {
            set_sched_batch(config.shard_sched_batch);
        }
        if config.shard_cpu_affinity != self.config().shard_cpu_affinity {
            set_cpu_affinity(&self.global.cpus, self.id, config.shard_cpu_affinity);
        }
        self.shard.borrow_mut().set_config(config.shard_config());
        *self.config.borrow_mut() = Rc::new(config);
    }

    /// Runs a batch from another shard, in order, without yielding; the replies go into the
    /// batch.
    pub fn exec_batch(&self, batch: &mut Batch) {
        // `Mesh::new_batch` hands out batches with empty reply buffers.
        let mut out = RespWriter::with_buffer(std::mem::take(&mut batch.replies), batch.resp3);
        let mut ends = std::mem::take(&mut batch.ends);
        let mut argv = Vec::new();
        let start = Instant::now();
        {
            let mut sh = self.shard.borrow_mut();
            if batch.items.len() > 1 {
                sh.warm::<64>(
                    batch
                        .items
                        .iter()
                        .filter(|i| i.key1)
                        .map(|i| (i.db as usize, batch.arg(i, 1))),
                );
            }
            let now = sh.now_ms();
            for item in &batch.items {
                batch.args(item, &mut argv);
                let mut cx = Cx {
                    db: item.db as usize,
                    now_ms: now,
                    out: &mut out,
                    cmd: item.cmd,
                };
                sh.exec(item.op, &mut cx, &argv);
                ends.push(out.len() as u32);
            }
        }
        let mut stats = self.stats.borrow_mut();
        stats.executed += batch.len() as u64;
        let per = start.elapsed().as_micros() as u64 / batch.len().max(1) as u64;
        for item in &batch.items {
            stats.time(item.cmd, per);
        }
        batch.replies = out.into_inner();
        batch.ends = ends;
    }

    /// Spawns the inbound tasks for both meshes, and the outbound flusher.
    pub fn spawn_inbound(self: &Rc<Self>) {
        let rt = self.clone();
        glommio::spawn_local(async move { rt.mesh.run_flusher().await }).detach();
        for (peer, chan) in &self.mesh.requests_in {
            let (rt, peer, chan) = (self.clone(), *peer, chan.clone());
            glommio::spawn_local(async move { serve_requests(rt, peer, chan).await }).detach();
        }
        for (_peer, chan) in &self.mesh.responses_in {
            let (rt, chan) = (self.clone(), chan.clone());
            glommio::spawn_local(async move {
                while let Some(resps) = chan.recv().await {
                    rt.mesh.complete(resps);
                }
            })
            .detach();
        }
    }

    /// Runs the requests of one message from `peer` and returns their responses.
    fn handle_requests(&self, reqs: Requests) -> Responses {
        let resps = reqs
            .into_iter()
            .map(|req| match req {
                Request::Batch { id, mut batch } => {
                    self.exec_batch(&mut batch);
                    Response::Batch { id, batch }
                }
                Request::Job { id, job } => Response::Job {
                    id,
                    result: job(self),
                },
            })
            .collect();
        // Commands and jobs may have created keys that blocked clients wait for.
        blocking::serve_ready(&self.rc());
        resps
    }

    /// The shard's hot loop (see `docs/ARCHITECTURE.md`, "The hot loop"). While there is
    /// work it takes socket events, messages from peers and queued requests for peers
    /// itself, round after round, letting the tasks it woke run in between, without ending
    /// the executor's turn. When a round finds nothing (twice in a row, so that tasks woken
    /// late have run), the shard first keeps polling for `shard-idle-spin-us`, yielding its
    /// CPU between rounds (*spinning*); then it sleeps in its own `epoll_wait` (a *light*
    /// sleep: woken by a socket, by a peer ringing its wake-up line, or after
    /// [`LIGHT_SLEEP_MS`]); once idle for [`LIGHT_SLEEP_WINDOW`] it waits for a socket in
    /// glommio instead (a *deep* sleep, with the executor's timers and inbound tasks).
    pub async fn hot_loop(self: Rc<Self>, poller: Rc<Poller>) {
        let wakeup = self.mesh.wakeup.clone();
        if let Err(e) = poller.add_wakeup(wakeup.fd()) {
            warn!(
                "Shard {} cannot watch its wake-up line ({e}); sleeping in glommio",
                self.id
            );
        }
        let mut settled = false;
        let mut idle_since: Option<Instant> = None;
        let mut turn_started = Instant::now();
        loop {
            bump(&self.hot.rounds);
            let mut busy = poller.poll() > 0;
            busy |= self.drain_mesh().await;
            busy |= self.mesh.flush_now();
            if busy || !settled {
                settled = !busy;
                if busy {
                    idle_since = None;
                }
                if turn_started.elapsed() >= TURN_LIMIT {
                    // Let the executor end its turn: timers, glommio's own I/O and its
                    // inbound wake-ups are looked at between turns. A timer that is due
                    // by the time the turn has ended wakes this task again from there.
                    glommio::timer::sleep(Duration::from_micros(1)).await;
                    turn_started = Instant::now();
                } else {
                    futures_lite::future::yield_now().await;
                }
                continue;
            }
            settled = false;
            let now = Instant::now();
            let idle_for = now.duration_since(*idle_since.get_or_insert(now));
            if idle_for < Duration::from_micros(self.config().shard_idle_spin_us) {
                // Work that arrives now is seen without a sleep and a wake-up; a thread
                // that waits for this CPU (a client on the same host) runs meanwhile. The
                // next round, if idle, comes straight back here: nothing new was woken for
                // the executor to run, unless the turn is due to end.
                bump(&self.hot.spins);
                let _ = nix::sched::sched_yield();
                settled = turn_started.elapsed() < TURN_LIMIT;
                continue;
            }
            if idle_for < LIGHT_SLEEP_WINDOW {
                bump(&self.hot.light_sleeps);
                wakeup.park();
                if !self.mesh.message_waiting() {
                    poller.sleep(LIGHT_SLEEP_MS);
                }
                if wakeup.unpark() {
                    wakeup.clear();
                }
            } else {
                idle_since = None;
                bump(&self.hot.deep_sleeps);
                self.hot.deep_asleep.set(true);
                poller.readable().await;
                self.hot.deep_asleep.set(false);
            }
        }
    }

    /// Takes every message already waiting from the peers: runs requests (answering them
    /// at once) and completes responses. Returns whether there was any.
    async fn drain_mesh(self: &Rc<Self>) -> bool {
        let mut any = false;
        for (peer, chan) in &self.mesh.requests_in {
            while let Some(reqs) = chan.try_recv().await {
                any = true;
                let resps = self.handle_requests(reqs);
                Mesh::respond_now(self, *peer, resps);
            }
        }
        for (_peer, chan) in &self.mesh.responses_in {
            while let Some(resps) = chan.try_recv().await {
                any = true;
                self.mesh.complete(resps);
            }
        }
        any
    }

    /// The periodic work of the shard; returns when the server shuts down.
    pub async fn cron(self: Rc<Self>) {
        loop {
            let hz = self.config().hz.clamp(1, 500);
            glommio::timer::sleep(Duration::from_millis(1000 / u64::from(hz))).await;
            if self.global.shutting_down() {
                return;
            }
            self.cron_runs.set(self.cron_runs.get() + 1);
            self.active_expire(hz);
            self.shard.borrow_mut().maintain();
            self.close_idle_clients();
        }
    }

    /// Active expiry: a slice of at most a quarter of the tick (scaled by
    /// `active-expire-effort`), 20 keys per database round, as Redis's slow cycle.
    fn active_expire(&self, hz: u32) {
        let effort = self.config().active_expire_effort.clamp(1, 10) as u64;
        let budget = Duration::from_micros(250_000 / u64::from(hz) * (10 + effort * 2) / 12);
        let start = Instant::now();
        let keys_per_round = 20 + 5 * (effort as usize - 1);
        let expired = self
            .shard
            .borrow_mut()
            .active_expire_cycle(keys_per_round, &mut || start.elapsed() >= budget);
        if expired > 0 {
            self.stats.borrow_mut().expired_keys_active += expired as u64;
        }
    }

    fn close_idle_clients(&self) {
        let timeout = self.config().timeout;
        if timeout == 0 {
            return;
        }
        let now = crate::global::unix_ms();
        for c in self.clients.borrow().iter() {
            let c = c.borrow();
            if (now - c.last_interaction_ms) / 1000 > timeout as i64 {
                debug!("Closing idle client");
                c.kill.fire();
            }
        }
    }

    /// Closes every connection of this shard (shutdown).
    pub fn close_all_clients(&self) {
        for c in self.clients.borrow().iter() {
            c.borrow().kill.fire();
        }
    }
}

/// Puts the calling shard thread under `SCHED_BATCH`, or back under `SCHED_OTHER`.
///
/// A batch thread that wakes up does not preempt the thread running on its CPU; it runs when
/// that thread's slice ends or it sleeps. When a shard shares its CPU with a client (or the
/// other shards' clients), it then wakes to a run of ready connections and messages instead of
/// to each single one, which is where an executor's fixed cost per turn is paid.
pub fn set_sched_batch(batch: bool) {
    let policy = if batch {
        libc::SCHED_BATCH
    } else {
        libc::SCHED_OTHER
    };
    let param = libc::sched_param { sched_priority: 0 };
    // pid 0 is the calling thread; `param` lives across the call.
    #[allow(unsafe_code)] // reason: a plain libc call with valid arguments
    let rc = unsafe { libc::sched_setscheduler(0, policy, &param) };
    if rc != 0 {
        warn!(
            "Could not set the scheduling policy of shard thread: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// The CPU shard `id` is pinned to under `shard-cpu-affinity`: the `id`-th of the CPUs the
/// process may use (wrapping around when there are more shards than CPUs).
pub fn shard_cpu(cpus: &[usize], id: usize) -> Option<usize> {
    (!cpus.is_empty()).then(|| cpus[id % cpus.len()])
}

/// Pins the calling shard thread to its CPU, or lets it run on any of `cpus`
/// (`CONFIG SET shard-cpu-affinity`; at start-up glommio pins the thread itself).
pub fn set_cpu_affinity(cpus: &[usize], id: usize, pinned: bool) {
    let Some(own) = shard_cpu(cpus, id) else {
        return;
    };
    let mut set = nix::sched::CpuSet::new();
    let chosen: &[usize] = if pinned { &[own] } else { cpus };
    for &cpu in chosen {
        if set.set(cpu).is_err() {
            return;
        }
    }
    if let Err(e) = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set) {
        warn!("Could not set the CPU affinity of shard {id}: {e}");
    }
}

async fn serve_requests(rt: Rc<Runtime>, peer: usize, chan: Rc<In<Requests>>) {
    while let Some(reqs) = chan.recv().await {
        let resps = rt.handle_requests(reqs);
        rt.mesh.respond(peer, resps).await;
    }
    debug!("Shard {} stopped receiving from shard {}", rt.id, peer);
}
