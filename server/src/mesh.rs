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
use std::rc::Rc;

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

/// The unconnected endpoints one shard receives from the main thread.
pub struct Endpoints {
    pub req_tx: Vec<Option<shared_channel::SharedSender<Requests>>>,
    pub req_rx: Vec<Option<shared_channel::SharedReceiver<Requests>>>,
    pub resp_tx: Vec<Option<shared_channel::SharedSender<Responses>>>,
    pub resp_rx: Vec<Option<shared_channel::SharedReceiver<Responses>>>,
}

/// Builds both meshes for `n` shards: element `i` holds shard `i`'s endpoints.
pub fn build(n: usize) -> Vec<Endpoints> {
    let mut eps: Vec<Endpoints> = (0..n)
        .map(|_| Endpoints {
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
            eps[from].req_tx[to] = Some(tx);
            eps[to].req_rx[from] = Some(rx);
            let (tx, rx) = shared_channel::new_bounded(CHANNEL_CAPACITY);
            eps[from].resp_tx[to] = Some(tx);
            eps[to].resp_rx[from] = Some(rx);
        }
    }
    eps
}

/// Connected receivers, handed to the inbound tasks.
pub struct Inbound {
    pub requests: Vec<(usize, ConnectedReceiver<Requests>)>,
    pub responses: Vec<(usize, ConnectedReceiver<Responses>)>,
}

/// This shard's side of the meshes.
pub struct Mesh {
    req_tx: Vec<Option<ConnectedSender<Requests>>>,
    resp_tx: Vec<Option<ConnectedSender<Responses>>>,
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
    pub async fn connect(ep: Endpoints) -> (Mesh, Inbound) {
        let req_tx: Vec<_> = ep
            .req_tx
            .into_iter()
            .map(|s| s.map(|s| glommio::spawn_local(s.connect())))
            .collect();
        let resp_tx: Vec<_> = ep
            .resp_tx
            .into_iter()
            .map(|s| s.map(|s| glommio::spawn_local(s.connect())))
            .collect();
        let req_rx: Vec<_> = ep
            .req_rx
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, glommio::spawn_local(r.connect()))))
            .collect();
        let resp_rx: Vec<_> = ep
            .resp_rx
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, glommio::spawn_local(r.connect()))))
            .collect();
        let peers = req_tx.len();
        let mut mesh = Mesh {
            req_tx: Vec::new(),
            resp_tx: Vec::new(),
            pending: RefCell::new(HashMap::default()),
            next_id: Cell::new(1),
            outbox: RefCell::new((0..peers).map(|_| Vec::new()).collect()),
            flush: Rc::new(Doorbell::default()),
            pool: RefCell::new(Vec::new()),
        };
        for t in req_tx {
            mesh.req_tx.push(match t {
                Some(t) => Some(t.await),
                None => None,
            });
        }
        for t in resp_tx {
            mesh.resp_tx.push(match t {
                Some(t) => Some(t.await),
                None => None,
            });
        }
        let mut inbound = Inbound {
            requests: Vec::new(),
            responses: Vec::new(),
        };
        for (i, t) in req_rx {
            inbound.requests.push((i, t.await));
        }
        for (i, t) in resp_rx {
            inbound.responses.push((i, t.await));
        }
        (mesh, inbound)
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
                    Some(tx) => tx.send(reqs).await.err(),
                    None => None,
                };
                // The peer is gone (shutdown): wake every waiter with `None`.
                if let Some(glommio::GlommioError::Closed(glommio::ResourceType::Channel(reqs))) =
                    failed
                {
                    let mut pending = self.pending.borrow_mut();
                    for r in reqs {
                        pending.remove(&r.id());
                    }
                }
            }
        }
    }

    /// Sends the responses to one message back to the shard that asked.
    pub async fn respond(&self, shard: usize, resps: Responses) {
        if let Some(Some(tx)) = self.resp_tx.get(shard) {
            // A closed peer means it is shutting down; nobody waits for this any more.
            let _ = tx.send(resps).await;
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
        for tx in self.req_tx.iter().flatten() {
            tx.close();
        }
        for tx in self.resp_tx.iter().flatten() {
            tx.close();
        }
        self.outbox.borrow_mut().iter_mut().for_each(Vec::clear);
        self.pending.borrow_mut().clear();
    }
}
