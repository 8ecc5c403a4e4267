//! Cross-shard messages: the two channel meshes, the message types, and request/response
//! bookkeeping.
//!
//! Every ordered pair of shards has one bounded glommio shared channel for requests and one
//! for responses, created on the main thread before the shards start (see
//! `docs/ARCHITECTURE.md`, "Cross-shard messages"). A request carries an id; the origin parks
//! a oneshot under that id and the shard's inbound response task completes it. Response tasks
//! never send, so responses always drain and two shards can never wait on each other.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use corekv_shard::util::FastBuild;
use corekv_shard::OpFn;
use glommio::channels::shared_channel::{self, ConnectedReceiver, ConnectedSender};

use crate::oneshot;
use crate::runtime::Runtime;

/// Requests in flight per channel before a sender waits for room.
const CHANNEL_CAPACITY: usize = 1024;
/// Batches a shard keeps for reuse, and the largest one it keeps (bytes of buffers).
const BATCH_POOL: usize = 256;
const BATCH_KEEP_BYTES: usize = 64 * 1024;

/// One command (or part of one) to run on another shard.
#[derive(Clone, Copy)]
pub struct Item {
    pub op: OpFn,
    /// Full lower-case command name (error messages, statistics).
    pub cmd: &'static str,
    pub db: u32,
    /// Whether its second argument is a key (the owner warms those before running a batch).
    pub key1: bool,
    /// Its arguments: `ranges[first..first + argc]` into the batch arena.
    pub first: u32,
    pub argc: u32,
}

/// A connection's items for one shard, from one read of its pipeline: one message. It goes
/// to the owner, which writes the replies into it, and comes back with them.
///
/// Its buffers are allocated and freed by the origin shard only: after the replies are
/// copied out, the origin keeps the batch for reuse ([`Mesh::recycle`]), so in steady state a
/// round trip allocates nothing, and no shard frees memory another shard allocated.
pub struct Batch {
    pub resp3: bool,
    pub arena: Vec<u8>,
    pub ranges: Vec<(u32, u32)>,
    pub items: Vec<Item>,
    /// The replies, encoded in the origin's protocol, one after the other (owner-written).
    pub replies: Vec<u8>,
    /// End offset of each item's reply in `replies`.
    pub ends: Vec<u32>,
}

impl Batch {
    pub fn new(resp3: bool) -> Self {
        Batch {
            resp3,
            arena: Vec::new(),
            ranges: Vec::new(),
            items: Vec::new(),
            replies: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn clear(&mut self, resp3: bool) {
        self.resp3 = resp3;
        self.arena.clear();
        self.ranges.clear();
        self.items.clear();
        self.replies.clear();
        self.ends.clear();
    }

    /// The reply to item `i` (after the owner ran the batch).
    pub fn reply(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.replies[start..self.ends[i] as usize]
    }

    /// Bytes held, to decide whether it is worth keeping.
    fn footprint(&self) -> usize {
        self.arena.capacity()
            + self.replies.capacity()
            + self.ranges.capacity() * std::mem::size_of::<(u32, u32)>()
            + self.items.capacity() * std::mem::size_of::<Item>()
            + self.ends.capacity() * std::mem::size_of::<u32>()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends an item, copying its arguments into the arena. Returns its index. `key1`: the
    /// second argument is a key.
    pub fn push(
        &mut self,
        op: OpFn,
        cmd: &'static str,
        db: usize,
        key1: bool,
        args: &[&[u8]],
    ) -> u32 {
        let first = self.ranges.len() as u32;
        for a in args {
            let start = self.arena.len() as u32;
            self.arena.extend_from_slice(a);
            self.ranges.push((start, self.arena.len() as u32));
        }
        self.items.push(Item {
            op,
            cmd,
            db: db as u32,
            key1: key1 && args.len() >= 2,
            first,
            argc: args.len() as u32,
        });
        (self.items.len() - 1) as u32
    }

    /// Argument `n` of `item` (which has more than `n`).
    pub fn arg(&self, item: &Item, n: usize) -> &[u8] {
        let (s, e) = self.ranges[item.first as usize + n];
        &self.arena[s as usize..e as usize]
    }

    /// The arguments of item `i`.
    pub fn args<'a>(&'a self, item: &Item, out: &mut Vec<&'a [u8]>) {
        out.clear();
        let first = item.first as usize;
        for &(s, e) in &self.ranges[first..first + item.argc as usize] {
            out.push(&self.arena[s as usize..e as usize]);
        }
    }
}

/// A closure run on another shard's runtime (the control path: INFO, CONFIG SET, CLIENT
/// LIST/KILL, SCAN steps, cross-shard coordination).
pub type Job = Box<dyn FnOnce(&Runtime) -> Box<dyn Any + Send> + Send>;

pub enum Request {
    Batch { id: u64, batch: Batch },
    Job { id: u64, job: Job },
}

pub enum Response {
    Batch {
        id: u64,
        batch: Batch,
    },
    Job {
        id: u64,
        result: Box<dyn Any + Send>,
    },
}

impl Request {
    fn id(&self) -> u64 {
        match self {
            Request::Batch { id, .. } | Request::Job { id, .. } => *id,
        }
    }
}

impl Response {
    fn id(&self) -> u64 {
        match self {
            Response::Batch { id, .. } | Response::Job { id, .. } => *id,
        }
    }
}

/// What travels on a channel: every request (or response) one shard produced for one peer
/// during one turn of its executor, so that a busy shard sends one message per peer per turn,
/// however many connections contributed.
pub type Requests = Vec<Request>;
pub type Responses = Vec<Response>;

/// Messages ever pushed into one channel, counted by its sender after each push. The
/// receiving shard compares it with the messages it took, so it can tell that a message is
/// waiting without asking the channel (whose receive future registers a waker every time
/// it finds nothing). Alone on its cache line: only the two shards of the channel touch it.
#[repr(align(64))]
#[derive(Default)]
pub struct Pushed(AtomicU64);

/// A shard's wake-up line for while its hot loop sleeps in its own `epoll_wait` instead of
/// in glommio (see `docs/ARCHITECTURE.md`, "The hot loop"): glommio does not know the shard
/// sleeps, so it would not wake it for a message; the sender rings this eventfd instead.
///
/// The handshake: the sleeper sets `parked`, then looks at its channels' counters; a sender
/// bumps a counter, then looks at `parked`. Both steps are sequentially consistent, so at
/// least one side sees the other: either the sleeper finds the message before sleeping, or
/// the sender rings.
pub struct Wakeup {
    parked: AtomicBool,
    fd: OwnedFd,
}

impl Wakeup {
    fn new() -> std::io::Result<Wakeup> {
        use nix::sys::eventfd::{eventfd, EfdFlags};
        let fd = eventfd(0, EfdFlags::EFD_NONBLOCK | EfdFlags::EFD_CLOEXEC)?;
        Ok(Wakeup {
            parked: AtomicBool::new(false),
            fd,
        })
    }

    /// The eventfd, to be watched by the sleeper's `epoll_wait`.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Announces the sleep. The caller then checks for messages before sleeping.
    pub fn park(&self) {
        self.parked.store(true, Ordering::SeqCst);
    }

    /// Ends the sleep; returns whether a sender rang (so the ring is to be cleared).
    pub fn unpark(&self) -> bool {
        !self.parked.swap(false, Ordering::SeqCst)
    }

    /// Wakes the shard if it sleeps (called by a sender after its message is counted). The
    /// first sender to see the shard parked takes the flag and rings; the ones after it do
    /// not, so a sleep costs one ring however many messages arrive before the shard runs.
    fn ring_if_parked(&self) {
        if self.parked.swap(false, Ordering::SeqCst) {
            let _ = nix::unistd::write(
                std::os::fd::AsRawFd::as_raw_fd(&self.fd),
                &1u64.to_ne_bytes(),
            );
        }
    }

    /// Clears the rings received (the sleeper, once awake).
    pub fn clear(&self) {
        let mut buf = [0u8; 8];
        let _ = nix::unistd::read(std::os::fd::AsRawFd::as_raw_fd(&self.fd), &mut buf);
    }
}

/// The unconnected endpoints one shard receives from the main thread, each with the counter
/// of its channel.
pub struct Endpoints {
    /// This shard's wake-up line, and every shard's (indexed by shard).
    pub wakeup: Arc<Wakeup>,
    pub wakeups: Vec<Arc<Wakeup>>,
    pub req_tx: Vec<Option<(shared_channel::SharedSender<Requests>, Arc<Pushed>)>>,
    pub req_rx: Vec<Option<(shared_channel::SharedReceiver<Requests>, Arc<Pushed>)>>,
    pub resp_tx: Vec<Option<(shared_channel::SharedSender<Responses>, Arc<Pushed>)>>,
    pub resp_rx: Vec<Option<(shared_channel::SharedReceiver<Responses>, Arc<Pushed>)>>,
}

/// Builds both meshes for `n` shards: element `i` holds shard `i`'s endpoints.
pub fn build(n: usize) -> std::io::Result<Vec<Endpoints>> {
    let wakeups = (0..n)
        .map(|_| Wakeup::new().map(Arc::new))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut eps: Vec<Endpoints> = (0..n)
        .map(|i| Endpoints {
            wakeup: wakeups[i].clone(),
            wakeups: wakeups.clone(),
            req_tx: (0..n).map(|_| None).collect(),
            req_rx: (0..n).map(|_| None).collect(),
            resp_tx: (0..n).map(|_| None).collect(),
            resp_rx: (0..n).map(|_| None).collect(),
        })
        .collect();
    for from in 0..n {
        for to in 0..n {
            if from == to {
                continue;
            }
            let (tx, rx) = shared_channel::new_bounded(CHANNEL_CAPACITY);
            let pushed = Arc::new(Pushed::default());
            eps[from].req_tx[to] = Some((tx, pushed.clone()));
            eps[to].req_rx[from] = Some((rx, pushed));
            let (tx, rx) = shared_channel::new_bounded(CHANNEL_CAPACITY);
            let pushed = Arc::new(Pushed::default());
            eps[from].resp_tx[to] = Some((tx, pushed.clone()));
            eps[to].resp_rx[from] = Some((rx, pushed));
        }
    }
    Ok(eps)
}

/// The sending end of one channel, with the receiving shard's wake-up line.
struct Out<T: Send> {
    tx: ConnectedSender<T>,
    pushed: Arc<Pushed>,
    peer: Arc<Wakeup>,
}

impl<T: Send> Out<T> {
    fn try_send(&self, msg: T) -> Result<(), glommio::GlommioError<T>> {
        self.tx.try_send(msg)?;
        self.sent();
        Ok(())
    }

    async fn send(&self, msg: T) -> Result<(), glommio::GlommioError<T>> {
        self.tx.send(msg).await?;
        self.sent();
        Ok(())
    }

    fn sent(&self) {
        self.pushed.0.fetch_add(1, Ordering::SeqCst);
        self.peer.ring_if_parked();
    }
}

/// The receiving end of one channel, shared by the shard's inbound task for it (which waits)
/// and its hot loop (which takes what is already there).
pub struct In<T: Send> {
    rx: ConnectedReceiver<T>,
    pushed: Arc<Pushed>,
    taken: Cell<u64>,
}

impl<T: Send> In<T> {
    fn new(rx: ConnectedReceiver<T>, pushed: Arc<Pushed>) -> Rc<Self> {
        Rc::new(In {
            rx,
            pushed,
            taken: Cell::new(0),
        })
    }

    /// The next message, waiting for it (`None`: the peer is gone).
    pub async fn recv(&self) -> Option<T> {
        let msg = self.rx.recv().await;
        if msg.is_some() {
            self.taken.set(self.taken.get() + 1);
        }
        msg
    }

    /// Whether a message is in the channel.
    fn waiting(&self) -> bool {
        self.pushed.0.load(Ordering::SeqCst) != self.taken.get()
    }

    /// A message that is already in the channel, if any; never waits.
    pub async fn try_recv(&self) -> Option<T> {
        if !self.waiting() {
            return None;
        }
        // A message is there, so this poll finds it (and registers no waker).
        let msg = futures_lite::future::poll_once(self.rx.recv()).await??;
        self.taken.set(self.taken.get() + 1);
        Some(msg)
    }
}

/// Starts connecting one endpoint per peer (`None` where there is none: this shard itself).
fn spawn_connects<E, C, F>(
    eps: Vec<Option<(E, Arc<Pushed>)>>,
    connect: impl Fn(E) -> F,
) -> Vec<Option<(glommio::Task<C>, Arc<Pushed>)>>
where
    F: std::future::Future<Output = C> + 'static,
    C: 'static,
{
    eps.into_iter()
        .map(|e| e.map(|(e, p)| (glommio::spawn_local(connect(e)), p)))
        .collect()
}

/// Waits for the connects [`spawn_connects`] started and wraps each connected end with its
/// peer's index.
async fn connected<C, W>(
    started: Vec<Option<(glommio::Task<C>, Arc<Pushed>)>>,
    wrap: impl Fn(C, Arc<Pushed>, usize) -> W,
) -> Vec<Option<W>> {
    let mut out = Vec::with_capacity(started.len());
    for (peer, s) in started.into_iter().enumerate() {
        out.push(match s {
            Some((task, pushed)) => Some(wrap(task.await, pushed, peer)),
            None => None,
        });
    }
    out
}

/// The ends of [`connected`] with their peer's index, this shard's own slot left out.
fn by_peer<W>(v: Vec<Option<W>>) -> Vec<(usize, W)> {
    v.into_iter()
        .enumerate()
        .filter_map(|(i, w)| w.map(|w| (i, w)))
        .collect()
}

/// This shard's side of the meshes.
pub struct Mesh {
    req_tx: Vec<Option<Out<Requests>>>,
    resp_tx: Vec<Option<Out<Responses>>>,
    /// Requests from each peer, and responses from each peer.
    pub requests_in: Vec<(usize, Rc<In<Requests>>)>,
    pub responses_in: Vec<(usize, Rc<In<Responses>>)>,
    /// Per peer: the flusher task is waiting for room to send to it. Nothing else may send
    /// requests to that peer meanwhile, or they would overtake the ones it holds.
    flusher_sending: Vec<Cell<bool>>,
    /// This shard's wake-up line (the hot loop's light sleep).
    pub wakeup: Arc<Wakeup>,
    pending: RefCell<HashMap<u64, oneshot::Sender<Response>, FastBuild>>,
    next_id: Cell<u64>,
    /// Requests queued this turn, per peer; the flusher task sends each peer's as one message.
    outbox: RefCell<Vec<Requests>>,
    flush: Rc<Doorbell>,
    /// Batches whose replies were consumed, ready for reuse.
    pool: RefCell<Vec<Batch>>,
}

/// Wakes the flusher task.
#[derive(Default)]
pub struct Doorbell {
    armed: Cell<bool>,
    waker: RefCell<Option<std::task::Waker>>,
}

impl Doorbell {
    fn notify(&self) {
        if !self.armed.replace(true) {
            if let Some(w) = self.waker.borrow_mut().take() {
                w.wake();
            }
        }
    }

    async fn wait(&self) {
        std::future::poll_fn(|cx| {
            if self.armed.replace(false) {
                std::task::Poll::Ready(())
            } else {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        })
        .await
    }
}

impl Mesh {
    /// Connects every endpoint (all at once: each connect waits for its peer).
    pub async fn connect(ep: Endpoints) -> Mesh {
        let req_tx = spawn_connects(ep.req_tx, |s| s.connect());
        let resp_tx = spawn_connects(ep.resp_tx, |s| s.connect());
        let req_rx = spawn_connects(ep.req_rx, |r| r.connect());
        let resp_rx = spawn_connects(ep.resp_rx, |r| r.connect());
        let peers = req_tx.len();
        let out = |peer: usize| ep.wakeups[peer].clone();
        Mesh {
            req_tx: connected(req_tx, |tx, pushed, p| Out {
                tx,
                pushed,
                peer: out(p),
            })
            .await,
            resp_tx: connected(resp_tx, |tx, pushed, p| Out {
                tx,
                pushed,
                peer: out(p),
            })
            .await,
            requests_in: by_peer(connected(req_rx, |rx, pushed, _| In::new(rx, pushed)).await),
            responses_in: by_peer(connected(resp_rx, |rx, pushed, _| In::new(rx, pushed)).await),
            flusher_sending: (0..peers).map(|_| Cell::new(false)).collect(),
            wakeup: ep.wakeup.clone(),
            pending: RefCell::new(HashMap::default()),
            next_id: Cell::new(1),
            outbox: RefCell::new((0..peers).map(|_| Vec::new()).collect()),
            flush: Rc::new(Doorbell::default()),
            pool: RefCell::new(Vec::new()),
        }
    }

    /// An empty batch, reusing a returned one when there is one.
    pub fn new_batch(&self, resp3: bool) -> Batch {
        match self.pool.borrow_mut().pop() {
            Some(mut b) => {
                b.clear(resp3);
                b
            }
            None => Batch::new(resp3),
        }
    }

    /// Takes back a batch whose replies have been used.
    pub fn recycle(&self, batch: Batch) {
        let mut pool = self.pool.borrow_mut();
        if pool.len() < BATCH_POOL && batch.footprint() <= BATCH_KEEP_BYTES {
            pool.push(batch);
        }
    }

    fn register(&self) -> (u64, oneshot::Receiver<Response>) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        (id, rx)
    }

    /// Queues a batch for `shard`; the returned future resolves to its replies (`None` if the
    /// peer is gone). Nothing leaves before the flusher runs, at the end of this turn.
    pub fn send_batch(&self, shard: usize, batch: Batch) -> oneshot::Receiver<Response> {
        let (id, rx) = self.register();
        self.enqueue(shard, Request::Batch { id, batch });
        rx
    }

    /// Runs `f` on shard `shard` and returns its result (`None` if the peer is gone).
    pub async fn job<R, F>(&self, shard: usize, f: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&Runtime) -> R + Send + 'static,
    {
        let (id, rx) = self.register();
        let job: Job = Box::new(move |rt| Box::new(f(rt)) as Box<dyn Any + Send>);
        self.enqueue(shard, Request::Job { id, job });
        match rx.await? {
            Response::Job { result, .. } => result.downcast::<R>().ok().map(|b| *b),
            Response::Batch { .. } => None,
        }
    }

    fn enqueue(&self, shard: usize, req: Request) {
        match self.outbox.borrow_mut().get_mut(shard) {
            Some(q) => q.push(req),
            None => return,
        }
        self.flush.notify();
    }

    /// The flusher task: after the tasks of a turn queued their requests, sends each peer's
    /// queue as one message.
    pub async fn run_flusher(&self) {
        loop {
            self.flush.wait().await;
            for shard in 0..self.req_tx.len() {
                let reqs = std::mem::take(&mut self.outbox.borrow_mut()[shard]);
                if reqs.is_empty() {
                    continue;
                }
                let failed = match &self.req_tx[shard] {
                    Some(out) => {
                        self.flusher_sending[shard].set(true);
                        let r = out.send(reqs).await.err();
                        self.flusher_sending[shard].set(false);
                        r
                    }
                    None => None,
                };
                self.fail_if_closed(failed);
            }
        }
    }

    /// Sends what is queued for each peer now, where the channel has room (the hot loop's
    /// flush; the flusher task takes care of the rest). Returns whether anything left.
    pub fn flush_now(&self) -> bool {
        let mut sent = false;
        for shard in 0..self.req_tx.len() {
            let Some(out) = &self.req_tx[shard] else {
                continue;
            };
            if self.flusher_sending[shard].get() {
                continue;
            }
            let reqs = std::mem::take(&mut self.outbox.borrow_mut()[shard]);
            if reqs.is_empty() {
                continue;
            }
            match out.try_send(reqs) {
                Ok(()) => sent = true,
                Err(glommio::GlommioError::WouldBlock(glommio::ResourceType::Channel(reqs))) => {
                    // Full: back in front of anything queued since, for the flusher task.
                    let mut outbox = self.outbox.borrow_mut();
                    let newer = std::mem::replace(&mut outbox[shard], reqs);
                    outbox[shard].extend(newer);
                    drop(outbox);
                    self.flush.notify();
                }
                Err(e) => self.fail_if_closed(Some(e)),
            }
        }
        sent
    }

    /// Whether a message from a peer is waiting (checked after [`Wakeup::park`]).
    pub fn message_waiting(&self) -> bool {
        self.requests_in.iter().any(|(_, c)| c.waiting())
            || self.responses_in.iter().any(|(_, c)| c.waiting())
    }

    /// A peer's channel is closed (shutdown): wake every waiter of what it held with `None`.
    fn fail_if_closed(&self, failed: Option<glommio::GlommioError<Requests>>) {
        if let Some(glommio::GlommioError::Closed(glommio::ResourceType::Channel(reqs))) = failed {
            let mut pending = self.pending.borrow_mut();
            for r in reqs {
                pending.remove(&r.id());
            }
        }
    }

    /// Sends the responses to one message back to the shard that asked.
    pub async fn respond(&self, shard: usize, resps: Responses) {
        if let Some(Some(out)) = self.resp_tx.get(shard) {
            // A closed peer means it is shutting down; nobody waits for this any more.
            let _ = out.send(resps).await;
        }
    }

    /// [`Mesh::respond`] without waiting: if the channel is full, a task sends them once
    /// there is room (responses complete their own waiters, so their order does not matter).
    pub fn respond_now(rt: &Rc<Runtime>, shard: usize, resps: Responses) {
        if let Some(Some(out)) = rt.mesh.resp_tx.get(shard) {
            if let Err(glommio::GlommioError::WouldBlock(glommio::ResourceType::Channel(resps))) =
                out.try_send(resps)
            {
                let rt = rt.clone();
                glommio::spawn_local(async move { rt.mesh.respond(shard, resps).await }).detach();
            }
        }
    }

    /// Called by the inbound response task.
    pub fn complete(&self, resps: Responses) {
        for resp in resps {
            let waiter = self.pending.borrow_mut().remove(&resp.id());
            if let Some(tx) = waiter {
                tx.send(resp);
            }
        }
    }

    /// Closes every outgoing channel (shutdown).
    pub fn close(&self) {
        for out in self.req_tx.iter().flatten() {
            out.tx.close();
        }
        for out in self.resp_tx.iter().flatten() {
            out.tx.close();
        }
        self.outbox.borrow_mut().iter_mut().for_each(Vec::clear);
        self.pending.borrow_mut().clear();
    }
}
