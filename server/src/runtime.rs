//! `Runtime`: everything one shard thread owns, and the tasks that shard runs besides its
//! connections (inbound request/response tasks, the cron).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::{Duration, Instant};

use corekv_proto::RespWriter;
use corekv_shard::{Cx, Shard};
use glommio::channels::shared_channel::ConnectedReceiver;
use tracing::{debug, warn};

use crate::blocking::{self, Blocking};
use crate::client::Registry;
use crate::config::Config;
use crate::global::Global;
use crate::mesh::{Batch, Inbound, Mesh, Request, Requests, Response};
use crate::stats::Stats;

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
    pub fn spawn_inbound(self: &Rc<Self>, inbound: Inbound) {
        let rt = self.clone();
        glommio::spawn_local(async move { rt.mesh.run_flusher().await }).detach();
        for (peer, rx) in inbound.requests {
            let rt = self.clone();
            glommio::spawn_local(async move { serve_requests(rt, peer, rx).await }).detach();
        }
        for (_peer, rx) in inbound.responses {
            let rt = self.clone();
            glommio::spawn_local(async move {
                while let Some(resps) = rx.recv().await {
                    rt.mesh.complete(resps);
                }
            })
            .detach();
        }
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

async fn serve_requests(rt: Rc<Runtime>, peer: usize, rx: ConnectedReceiver<Requests>) {
    while let Some(reqs) = rx.recv().await {
        let resps: Vec<Response> = reqs
            .into_iter()
            .map(|req| match req {
                Request::Batch { id, mut batch } => {
                    rt.exec_batch(&mut batch);
                    Response::Batch { id, batch }
                }
                Request::Job { id, job } => Response::Job {
                    id,
                    result: job(&rt),
                },
            })
            .collect();
        // Commands and jobs may have created keys that blocked clients wait for.
        blocking::serve_ready(&rt);
        rt.mesh.respond(peer, resps).await;
    }
    debug!("Shard {} stopped receiving from shard {}", rt.id, peer);
}
