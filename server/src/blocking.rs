//! Blocking commands across shards (BLPOP, BZPOPMIN, BLMOVE, XREAD BLOCK, ...): see
//! `docs/ARCHITECTURE.md`, "Blocking commands".
//!
//! Every shard keeps one [`Blocking`] registry playing two roles:
//! * **owner** of waiters: clients blocked on keys of this shard, queued FIFO per (db, key);
//! * **origin** of waits: clients of this shard's connections that are blocked, with the
//!   oneshot their connection task awaits and, for waits spread over several shards, the
//!   claim state that guarantees exactly one owner serves them.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::Duration;

use corekv_proto::{Frame, RespWriter};
use corekv_shard::cmd::{BlockTimeout, CommandDef};
use corekv_shard::error::OpError;
use corekv_shard::slot::key_shard;
use corekv_shard::{Cx, Key, OpFn};

use crate::dispatch::Exchange;
use crate::handlers::HandlerResult;
use crate::oneshot;
use crate::runtime::Runtime;

/// A client blocked on keys of this shard.
struct Waiter {
    origin: usize,
    db: usize,
    keys: Vec<Key>,
    args: Vec<Vec<u8>>,
    op: OpFn,
    cmd: &'static str,
    resp3: bool,
    /// Registered on this shard only: served without asking the origin.
    exclusive: bool,
    /// A claim is in flight for it.
    claiming: bool,
    /// Its origin let another owner serve it: skipped here until that owner gives it back.
    refused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WaitState {
    Waiting,
    /// One owner was allowed to serve; the others must not.
    Granted(usize),
    Finished,
}

/// A wait of one of this shard's clients.
struct Wait {
    tx: Option<oneshot::Sender<Vec<u8>>>,
    shards: Vec<usize>,
    state: WaitState,
}

#[derive(Default)]
pub struct Blocking {
    waiters: HashMap<u64, Waiter>,
    queues: HashMap<(usize, Key), VecDeque<u64>>,
    waits: HashMap<u64, Wait>,
    next_id: u64,
    /// This shard's connections that are blocked now (INFO `blocked_clients`).
    pub blocked_clients: usize,
}

impl Blocking {
    pub fn has_waiters(&self) -> bool {
        !self.waiters.is_empty()
    }

    fn new_id(&mut self, shard: usize) -> u64 {
        self.next_id += 1;
        ((shard as u64) << 48) | self.next_id
    }

    fn register(&mut self, id: u64, w: Waiter) {
        for k in &w.keys {
            self.queues
                .entry((w.db, k.clone()))
                .or_default()
                .push_back(id);
        }
        self.waiters.insert(id, w);
    }

    fn remove(&mut self, id: u64) -> Option<Waiter> {
        let w = self.waiters.remove(&id)?;
        for k in &w.keys {
            let qk = (w.db, k.clone());
            if let Some(q) = self.queues.get_mut(&qk) {
                q.retain(|x| *x != id);
                if q.is_empty() {
                    self.queues.remove(&qk);
                }
            }
        }
        Some(w)
    }

    /// Origin: a reply for wait `id` arrived. Returns the other shards to cancel.
    fn deliver(&mut self, id: u64, bytes: Vec<u8>, from: usize) -> Vec<usize> {
        let Some(w) = self.waits.get_mut(&id) else {
            return Vec::new();
        };
        w.state = WaitState::Finished;
        if let Some(tx) = w.tx.take() {
            tx.send(bytes);
        }
        let others = w.shards.iter().copied().filter(|s| *s != from).collect();
        self.waits.remove(&id);
        others
    }

    /// Origin: may `shard` serve wait `id`?
    fn claim(&mut self, id: u64, shard: usize) -> bool {
        match self.waits.get_mut(&id) {
            Some(w) if w.state == WaitState::Waiting => {
                w.state = WaitState::Granted(shard);
                true
            }
            _ => false,
        }
    }

    /// Origin: the granted owner could not serve after all. Returns the other owners, which
    /// refused the wait meanwhile and must look at their keys again.
    fn release(&mut self, id: u64, from: usize) -> Vec<usize> {
        let (retry, done) = match self.waits.get_mut(&id) {
            Some(w) if matches!(w.state, WaitState::Granted(_)) => {
                w.state = WaitState::Waiting;
                (
                    w.shards.iter().copied().filter(|s| *s != from).collect(),
                    false,
                )
            }
            // Cancelled while the claim was out: the connection is waiting for this answer.
            Some(w) if w.state == WaitState::Finished => {
                w.tx.take();
                (Vec::new(), true)
            }
            _ => (Vec::new(), false),
        };
        if done {
            self.waits.remove(&id);
        }
        retry
    }
}

/// Runs a blocking command for a connection: try, block, wait, cancel.
pub async fn run(
    ex: &mut Exchange<'_>,
    def: &'static CommandDef,
    op: OpFn,
    args: &[&[u8]],
) -> HandlerResult {
    ex.barrier().await;
    let n = ex.rt.nshards;
    let is_move = def.name == "blmove" || def.name == "brpoplpush";
    if is_move && key_shard(args[1], n) != key_shard(args[2], n) {
        return move_across(ex, def, args).await;
    }
    let mut owned: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
    if def.name == "xread" {
        resolve_last_ids(ex, &mut owned).await;
    }
    // A move waits on its source only; its destination is written, not awaited.
    let positions = if is_move {
        vec![1]
    } else {
        def.keys.positions(args)
    };
    match wait_reply(ex, def, op, owned, positions).await {
        Some(bytes) => ex.out().raw(&bytes),
        None => ex.out().null_array(),
    }
    Ok(())
}

/// Tries the command, parks it on its keys' shards, and waits: the reply bytes, or `None`
/// for the timeout's null reply.
async fn wait_reply(
    ex: &mut Exchange<'_>,
    def: &'static CommandDef,
    op: OpFn,
    owned: Vec<Vec<u8>>,
    positions: Vec<usize>,
) -> Option<Vec<u8>> {
    let rt = ex.rt.clone();
    let n = rt.nshards;
    let db = ex.client.borrow().db;
    let resp3 = ex.out().is_resp3();
    let args: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let args = &args[..];
    let mut shards: Vec<usize> = Vec::new();
    for &p in &positions {
        let s = key_shard(args[p], n);
        if !shards.contains(&s) {
            shards.push(s);
        }
    }
    if shards.is_empty() {
        shards.push(rt.id);
    }
    let id = rt.blocking.borrow_mut().new_id(rt.id);
    let exclusive = shards.len() == 1;

    // 1. Try on each shard in key order; the last (or only) step also registers.
    let (tx, rx) = oneshot::channel();
    rt.blocking.borrow_mut().waits.insert(
        id,
        Wait {
            tx: Some(tx),
            shards: shards.clone(),
            state: WaitState::Waiting,
        },
    );
    if !exclusive && (def.name == "xread" || def.name == "xreadgroup") {
        // First every stream's checks, in argument order, so that an error on one shard's
        // stream stops the read before another shard delivers (XREADGROUP consumes).
        if let Some((first, nk)) = stream_keys(args) {
            for i in 0..nk {
                let mut single: Vec<Vec<u8>> = owned[..first].to_vec();
                single.push(owned[first + i].clone());
                single.push(owned[first + nk + i].clone());
                let s = key_shard(args[first + i], n);
                let checked = on_shard(&rt, s, move |rt| {
                    try_op(
                        rt,
                        db,
                        corekv_shard::streams::validate_read,
                        def.name,
                        resp3,
                        &single,
                    )
                })
                .await;
                if let Some(Some(err)) =
                    checked.filter(|r| r.as_ref().is_some_and(|b| !b.is_empty()))
                {
                    rt.blocking.borrow_mut().waits.remove(&id);
                    return Some(err);
                }
            }
        }
        // Then the streams of every shard answer together, as one reply listing each stream
        // that had entries, in argument order (an XREADGROUP try also consumes, so every
        // shard's answer is kept).
        let mut replies = Vec::new();
        for &s in &shards {
            let a = owned.clone();
            let served = on_shard(&rt, s, move |rt| try_op(rt, db, op, def.name, resp3, &a)).await;
            if let Some(Some(reply)) = served {
                replies.push(reply);
            }
        }
        if !replies.is_empty() {
            rt.blocking.borrow_mut().waits.remove(&id);
            return merge_stream_replies(replies, resp3, args);
        }
    } else if !exclusive {
        for &s in &shards {
            let a = owned.clone();
            let served = on_shard(&rt, s, move |rt| try_op(rt, db, op, def.name, resp3, &a)).await;
            if let Some(Some(reply)) = served {
                rt.blocking.borrow_mut().waits.remove(&id);
                return Some(reply);
            }
        }
    }
    let timeout_ms = def.block_timeout.millis(args);
    // A woken stream reader is served as Redis serves a client it unblocks.
    let wake_op: OpFn = if def.name == "xread" || def.name == "xreadgroup" {
        corekv_shard::streams::serve_blocked
    } else {
        op
    };
    for &s in &shards {
        let finished = match rt.blocking.borrow().waits.get(&id) {
            Some(w) => w.state == WaitState::Finished,
            None => true,
        };
        if finished {
            // Served by an owner registered earlier: registering further would leave a
            // waiter its origin no longer knows.
            break;
        }
        let a = owned.clone();
        let keys: Vec<Key> = positions
            .iter()
            .filter(|&&p| key_shard(args[p], n) == s)
            .map(|&p| Key::new(args[p]))
            .collect();
        let origin = rt.id;
        let served = on_shard(&rt, s, move |rt| {
            if exclusive {
                if let Some(reply) = try_op(rt, db, op, def.name, resp3, &a) {
                    return Some(reply);
                }
            }
            rt.blocking.borrow_mut().register(
                id,
                Waiter {
                    origin,
                    db,
                    keys,
                    args: a,
                    op: wake_op,
                    cmd: def.name,
                    resp3,
                    exclusive,
                    claiming: false,
                    refused: false,
                },
            );
            // Data may have arrived since the try: look at this shard's keys again.
            if !exclusive {
                schedule_ready_check(rt, db);
            }
            None
        })
        .await;
        serve_ready(&rt);
        if let Some(Some(reply)) = served {
            rt.blocking.borrow_mut().waits.remove(&id);
            return Some(reply);
        }
    }
    if timeout_ms.is_none() {
        // XREAD without BLOCK that found nothing: the op's null reply.
        cancel(&rt, id, &shards).await;
        return None;
    }

    // 2. Wait for a reply, the timeout, CLIENT UNBLOCK or the connection going away.
    rt.blocking.borrow_mut().blocked_clients += 1;
    let (unblock, kill) = {
        let mut c = ex.client.borrow_mut();
        c.blocked = true;
        (c.unblock.clone(), c.kill.clone())
    };
    unblock.reset();
    let timeout = timeout_ms.unwrap_or(0);
    let outcome = {
        let reply = async { WaitEnd::Reply(rx.await) };
        let timer = async {
            if timeout == 0 {
                std::future::pending::<()>().await;
            }
            glommio::timer::sleep(Duration::from_millis(timeout)).await;
            WaitEnd::Timeout
        };
        let unblocked = async { WaitEnd::Unblocked(unblock.wait().await) };
        let killed = async {
            kill.wait().await;
            WaitEnd::Killed
        };
        futures_lite::future::or(
            reply,
            futures_lite::future::or(timer, futures_lite::future::or(unblocked, killed)),
        )
        .await
    };
    rt.blocking.borrow_mut().blocked_clients -= 1;
    ex.client.borrow_mut().blocked = false;
    let reply = match outcome {
        WaitEnd::Reply(r) => r,
        WaitEnd::Timeout | WaitEnd::Unblocked(_) | WaitEnd::Killed => {
            // Cancel everywhere; if an owner got there first, its reply is on the way.
            match cancel(&rt, id, &shards).await {
                Some(rx) => rx.await,
                None => None,
            }
            .or(match outcome {
                WaitEnd::Unblocked(UnblockMode::Error) => {
                    Some(b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n".to_vec())
                }
                _ => None,
            })
        }
    };
    reply
}

enum WaitEnd {
    Reply(Option<Vec<u8>>),
    Timeout,
    Unblocked(UnblockMode),
    Killed,
}

/// How CLIENT UNBLOCK ends a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnblockMode {
    Timeout,
    Error,
}

/// Ends wait `id` at the origin and removes its waiters from the owners. Returns a receiver
/// for the reply when an owner had already served it (the reply is in flight).
async fn cancel(rt: &Rc<Runtime>, id: u64, shards: &[usize]) -> Option<oneshot::Receiver<Vec<u8>>> {
    // A granted owner is finishing; take over its answer instead of cancelling under it.
    let (tx, rx) = oneshot::channel();
    let granted = {
        let mut b = rt.blocking.borrow_mut();
        match b.waits.get_mut(&id) {
            Some(w) => {
                w.tx = Some(tx);
                let g = matches!(w.state, WaitState::Granted(_));
                w.state = WaitState::Finished;
                g
            }
            None => false,
        }
    };
    let mut in_flight = granted;
    for &s in shards {
        let removed = on_shard(rt, s, move |rt| {
            rt.blocking.borrow_mut().remove(id).is_some()
        })
        .await
        .unwrap_or(true);
        if !removed {
            in_flight = true;
        }
    }
    if in_flight {
        Some(rx)
    } else {
        rt.blocking.borrow_mut().waits.remove(&id);
        None
    }
}

/// Runs `f` on shard `s` (directly when it is this one).
async fn on_shard<R, F>(rt: &Rc<Runtime>, s: usize, f: F) -> Option<R>
where
    R: Send + 'static,
    F: FnOnce(&Runtime) -> R + Send + 'static,
{
    if s == rt.id {
        Some(f(rt))
    } else {
        rt.mesh.job(s, f).await
    }
}

/// Runs a blocking command's try op: `Some(reply)` if it served (or failed with an error
/// reply), `None` if it would block.
fn try_op(
    rt: &Runtime,
    db: usize,
    op: OpFn,
    cmd: &'static str,
    resp3: bool,
    args: &[Vec<u8>],
) -> Option<Vec<u8>> {
    let argv: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    let mut out = RespWriter::new(resp3);
    let blocked = {
        let mut sh = rt.shard.borrow_mut();
        let now = sh.now_ms();
        let mut cx = Cx {
            db,
            now_ms: now,
            out: &mut out,
            cmd,
        };
        match op(&mut sh, &mut cx, &argv) {
            Ok(()) => false,
            Err(OpError::Block) => true,
            Err(e) => {
                out.truncate(0);
                out.error(&e.to_wire(cmd));
                false
            }
        }
    };
    if blocked {
        return None;
    }
    rt.stats.borrow_mut().executed += 1;
    Some(out.into_inner())
}

/// Asks the shard to look at db `db`'s keys with waiters once the current job is done.
fn schedule_ready_check(rt: &Runtime, db: usize) {
    let keys: Vec<Key> = rt
        .blocking
        .borrow()
        .queues
        .keys()
        .filter(|(d, _)| *d == db)
        .map(|(_, k)| k.clone())
        .collect();
    let mut sh = rt.shard.borrow_mut();
    let now = sh.now_ms();
    let d = sh.db(db);
    for k in keys {
        if d.peek(k.as_bytes(), now).is_some() {
            d.signal_ready(k.as_bytes());
        }
    }
}

/// Owner side, after commands ran on this shard: serves the waiters of keys that became ready.
/// Cheap when nobody waits (only drains the ready logs).
pub fn serve_ready(rt: &Rc<Runtime>) {
    if !rt.blocking.borrow().has_waiters() {
        // The common case: forget the signals, keeping the logs' capacity (no allocation
        // per pushing batch).
        for db in rt.shard.borrow_mut().dbs.iter_mut() {
            db.clear_ready();
        }
        return;
    }
    for _ in 0..16 {
        let ready: Vec<(usize, Key)> = {
            let mut sh = rt.shard.borrow_mut();
            let mut v = Vec::new();
            for (i, db) in sh.dbs.iter_mut().enumerate() {
                if db.take_replaced() {
                    // FLUSHDB/SWAPDB: every awaited key of this db may have changed.
                    let b = rt.blocking.borrow();
                    v.extend(b.queues.keys().filter(|(d, _)| *d == i).cloned());
                }
                if db.has_ready() {
                    v.extend(db.take_ready().into_iter().map(|k| (i, k)));
                }
            }
            v
        };
        if ready.is_empty() || !rt.blocking.borrow().has_waiters() {
            // Nobody waits: the logs are drained and that is all.
            return;
        }
        for (db, key) in ready {
            serve_key(rt, db, key);
        }
    }
}

fn serve_key(rt: &Rc<Runtime>, db: usize, key: Key) {
    let ids: Vec<u64> = match rt.blocking.borrow().queues.get(&(db, key.clone())) {
        Some(q) => q.iter().copied().collect(),
        None => return,
    };
    for id in ids {
        let (exclusive, claiming, refused) = match rt.blocking.borrow().waiters.get(&id) {
            Some(w) => (w.exclusive, w.claiming, w.refused),
            None => continue,
        };
        if refused {
            // Another owner is serving it.
            continue;
        }
        if claiming {
            // First in line, waiting for its origin's answer: it re-signals the key when done.
            break;
        }
        if exclusive {
            match serve_now(rt, id) {
                Served::Yes => continue,
                Served::NoData => break,
            }
        } else {
            // Shared waiter: the origin decides who serves.
            if let Some(w) = rt.blocking.borrow_mut().waiters.get_mut(&id) {
                w.claiming = true;
            }
            let rt2 = rt.clone();
            glommio::spawn_local(async move { claim_and_serve(rt2, id).await }).detach();
            // Others behind it may be served by the same data once this one is settled.
            break;
        }
    }
}

enum Served {
    Yes,
    NoData,
}

/// Re-runs waiter `id`'s try op; on success removes it and sends the reply to its origin.
fn serve_now(rt: &Rc<Runtime>, id: u64) -> Served {
    let (db, op, cmd, resp3, args, origin) = match rt.blocking.borrow().waiters.get(&id) {
        Some(w) => (w.db, w.op, w.cmd, w.resp3, w.args.clone(), w.origin),
        None => return Served::NoData,
    };
    match try_op(rt, db, op, cmd, resp3, &args) {
        Some(reply) => {
            rt.blocking.borrow_mut().remove(id);
            deliver_to(rt, origin, id, reply);
            // The pop may have made other keys ready (BLMOVE's destination).
            Served::Yes
        }
        None => Served::NoData,
    }
}

/// Sends a served reply to the origin shard of wait `id`.
fn deliver_to(rt: &Rc<Runtime>, origin: usize, id: u64, reply: Vec<u8>) {
    let from = rt.id;
    if origin == rt.id {
        let others = rt.blocking.borrow_mut().deliver(id, reply, from);
        cancel_others(rt, id, others);
        return;
    }
    let rt2 = rt.clone();
    glommio::spawn_local(async move {
        rt2.mesh
            .job(origin, move |rt| {
                let others = rt.blocking.borrow_mut().deliver(id, reply, from);
                if !others.is_empty() {
                    cancel_others(&rt.rc(), id, others);
                }
            })
            .await;
    })
    .detach();
}

/// Origin: after a shared wait was served by one owner, removes it from the others.
fn cancel_others(rt: &Rc<Runtime>, id: u64, others: Vec<usize>) {
    for s in others {
        if s == rt.id {
            rt.blocking.borrow_mut().remove(id);
            continue;
        }
        let rt2 = rt.clone();
        glommio::spawn_local(async move {
            rt2.mesh
                .job(s, move |rt| {
                    rt.blocking.borrow_mut().remove(id);
                })
                .await;
        })
        .detach();
    }
}

/// Owner: claim shared waiter `id` from its origin, then serve it or give it back. Unless the
/// data turned out to be gone, the waiter's keys are looked at again afterwards: the clients
/// queued behind it may be servable now.
async fn claim_and_serve(rt: Rc<Runtime>, id: u64) {
    let (origin, db, keys) = match rt.blocking.borrow().waiters.get(&id) {
        Some(w) => (w.origin, w.db, w.keys.clone()),
        None => return,
    };
    let me = rt.id;
    let granted = if origin == me {
        rt.blocking.borrow_mut().claim(id, me)
    } else {
        rt.mesh
            .job(origin, move |rt| rt.blocking.borrow_mut().claim(id, me))
            .await
            .unwrap_or(false)
    };
    if !granted {
        // Served elsewhere, being served elsewhere, or cancelled: skip it here until its
        // origin says otherwise (or removes it).
        if let Some(w) = rt.blocking.borrow_mut().waiters.get_mut(&id) {
            w.claiming = false;
            w.refused = true;
        }
        recheck(&rt, db, &keys);
        return;
    }
    match serve_now(&rt, id) {
        // The origin cancels the other owners when the reply arrives.
        Served::Yes => recheck(&rt, db, &keys),
        Served::NoData => {
            if let Some(w) = rt.blocking.borrow_mut().waiters.get_mut(&id) {
                w.claiming = false;
            }
            let retry = if origin == me {
                rt.blocking.borrow_mut().release(id, me)
            } else {
                rt.mesh
                    .job(origin, move |rt| rt.blocking.borrow_mut().release(id, me))
                    .await
                    .unwrap_or_default()
            };
            for s in retry {
                let _ = on_shard(&rt, s, move |rt| unrefuse(rt, id)).await;
            }
        }
    }
}

/// Owner: wait `id` is claimable again (the owner it was granted to gave it back).
fn unrefuse(rt: &Runtime, id: u64) {
    let (db, keys) = match rt.blocking.borrow_mut().waiters.get_mut(&id) {
        Some(w) => {
            w.refused = false;
            (w.db, w.keys.clone())
        }
        None => return,
    };
    signal_present(rt, db, &keys);
    serve_ready(&rt.rc());
}

/// Signals the keys of `keys` that hold a value, then serves whatever became servable.
fn recheck(rt: &Rc<Runtime>, db: usize, keys: &[Key]) {
    signal_present(rt, db, keys);
    serve_ready(rt);
}

fn signal_present(rt: &Runtime, db: usize, keys: &[Key]) {
    let mut sh = rt.shard.borrow_mut();
    let now = sh.now_ms();
    let d = sh.db(db);
    for k in keys {
        if d.peek(k.as_bytes(), now).is_some() {
            d.signal_ready(k.as_bytes());
        }
    }
}

/// CLIENT UNBLOCK on this shard's clients: whether client `client_id` was blocked.
pub fn unblock_local(rt: &Runtime, client_id: u64, mode: UnblockMode) -> bool {
    for c in rt.clients.borrow().iter() {
        let c = c.borrow();
        if c.id == client_id && c.blocked {
            c.unblock.fire(mode);
            return true;
        }
    }
    false
}

/// BLMOVE/BRPOPLPUSH whose source and destination live on different shards: wait for an
/// element with BLPOP/BRPOP semantics on the source, then push it onto the destination from
/// here. The destination's type is checked first, as Redis does; should it have changed type
/// by the time the element arrives, the element goes back where it came from and the client
/// gets WRONGTYPE, which is what Redis answers a served BLMOVE in that case.
async fn move_across(
    ex: &mut Exchange<'_>,
    def: &'static CommandDef,
    args: &[&[u8]],
) -> HandlerResult {
    let (from_left, to_left, timeout) = if def.name == "brpoplpush" {
        (false, true, args[3])
    } else {
        let side = |a: &[u8]| {
            if a.eq_ignore_ascii_case(b"left") {
                Some(true)
            } else if a.eq_ignore_ascii_case(b"right") {
                Some(false)
            } else {
                None
            }
        };
        match (side(args[3]), side(args[4])) {
            (Some(f), Some(t)) => (f, t, args[5]),
            _ => return Err(OpError::Syntax),
        }
    };
    let pop_name: &[u8] = if from_left { b"blpop" } else { b"brpop" };
    let Some(pop_def) = corekv_shard::cmd::lookup(pop_name) else {
        return Err(OpError::msg("ERR internal: no pop command"));
    };
    let corekv_shard::cmd::Route::Shard { op: pop_op, .. } = pop_def.route else {
        return Err(OpError::msg("ERR internal: no pop command"));
    };
    let n = ex.rt.nshards;
    let db = ex.client.borrow().db;
    let (src, dst) = (args[1].to_vec(), args[2].to_vec());

    // Redis checks the destination only when there is something to move.
    let d = dst.clone();
    let dst_ok = on_shard(&ex.rt.clone(), key_shard(&dst, n), move |rt| {
        let mut sh = rt.shard.borrow_mut();
        let now = sh.now_ms();
        sh.db(db)
            .peek(&d, now)
            .is_none_or(|e| e.value.type_name() == "list")
    })
    .await
    .unwrap_or(true);
    if !dst_ok {
        let s = src.clone();
        let src_present = on_shard(&ex.rt.clone(), key_shard(&src, n), move |rt| {
            let mut sh = rt.shard.borrow_mut();
            let now = sh.now_ms();
            sh.db(db).peek(&s, now).is_some()
        })
        .await
        .unwrap_or(false);
        if src_present {
            return Err(OpError::WrongType);
        }
    }

    let owned = vec![pop_name.to_vec(), src.clone(), timeout.to_vec()];
    let Some(reply) = wait_reply(ex, pop_def, pop_op, owned, vec![1]).await else {
        ex.out().null_array();
        return Ok(());
    };
    let Some(elem) = popped_element(&reply) else {
        // An error (a bad timeout, WRONGTYPE on the source): the client gets it as it is.
        ex.out().raw(&reply);
        return Ok(());
    };
    let rt = ex.rt.clone();
    let (d, e) = (dst.clone(), elem.clone());
    let pushed = on_shard(&rt, key_shard(&dst, n), move |rt| {
        let r = {
            let mut sh = rt.shard.borrow_mut();
            let now = sh.now_ms();
            let enc = sh.config.encodings;
            let r = corekv_shard::lists::push(sh.db(db), &d, to_left, &[&e], now, &enc);
            if r.is_ok() {
                sh.dirty += 1;
            }
            r
        };
        serve_ready(&rt.rc());
        r
    })
    .await
    .unwrap_or(Err(OpError::WrongType));
    if let Err(e) = pushed {
        let back = elem.clone();
        let _ = on_shard(&rt, key_shard(&src, n), move |rt| {
            {
                let mut sh = rt.shard.borrow_mut();
                let now = sh.now_ms();
                let enc = sh.config.encodings;
                let _ = corekv_shard::lists::push(sh.db(db), &src, from_left, &[&back], now, &enc);
            }
            serve_ready(&rt.rc());
        })
        .await;
        return Err(e);
    }
    ex.out().bulk(&elem);
    Ok(())
}

/// The element of a BLPOP/BRPOP reply (`*2 $key $element`), or `None` for anything else.
fn popped_element(reply: &[u8]) -> Option<Vec<u8>> {
    match Frame::decode(reply) {
        Ok(Some((Frame::Array(mut pair), _))) if pair.len() == 2 => match pair.pop() {
            Some(Frame::Bulk(elem)) => Some(elem),
            _ => None,
        },
        _ => None,
    }
}

/// XREAD BLOCK: `$` means "entries added after this call", so it becomes each stream's last ID
/// now, before the command parks (a re-run must not move it).
async fn resolve_last_ids(ex: &mut Exchange<'_>, args: &mut [Vec<u8>]) {
    if block_option_absent(args) {
        return;
    }
    let Some(pos) = args.iter().position(|a| a.eq_ignore_ascii_case(b"streams")) else {
        return;
    };
    let rest = args.len() - pos - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        return;
    }
    let nkeys = rest / 2;
    let n = ex.rt.nshards;
    let db = ex.client.borrow().db;
    let rt = ex.rt.clone();
    for i in 0..nkeys {
        let (k, idp) = (pos + 1 + i, pos + 1 + nkeys + i);
        if args[idp] != b"$" {
            continue;
        }
        let key = args[k].clone();
        let last = on_shard(&rt, key_shard(&key, n), move |rt| {
            let mut sh = rt.shard.borrow_mut();
            corekv_shard::streams::last_id(&mut sh, db, &key)
        })
        .await;
        match last {
            Some(Ok(Some(id))) => args[idp] = id.into_bytes(),
            Some(Ok(None)) => args[idp] = b"0-0".to_vec(),
            // WRONGTYPE and the like: the op reports it.
            _ => {}
        }
    }
}

fn block_option_absent(args: &[Vec<u8>]) -> bool {
    let argv: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    BlockTimeout::BlockOptionMs.millis(&argv).is_none()
}

/// Joins XREAD/XREADGROUP replies of several shards (each an array, or a RESP3 map, of
/// `[stream, entries]`, or a null) into one with the streams in argument order; the first
/// error wins. `None` when all were null.
fn merge_stream_replies(replies: Vec<Vec<u8>>, resp3: bool, args: &[&[u8]]) -> Option<Vec<u8>> {
    let mut found: Vec<(Frame, Frame)> = Vec::new();
    for r in replies {
        if r.starts_with(b"-") {
            return Some(r);
        }
        match Frame::decode(&r) {
            Ok(Some((Frame::Array(items), _))) => {
                for item in items {
                    if let Frame::Array(mut pair) = item {
                        if pair.len() == 2 {
                            let entries = pair.pop().unwrap_or(Frame::NullArray);
                            let key = pair.pop().unwrap_or(Frame::NullBulk);
                            found.push((key, entries));
                        }
                    }
                }
            }
            Ok(Some((Frame::Map(pairs), _))) => found.extend(pairs),
            _ => {}
        }
    }
    if found.is_empty() {
        return None;
    }
    let order = |k: &Frame| -> usize {
        let name = k.as_bytes().unwrap_or_default();
        match stream_keys(args) {
            Some((first, n)) => (0..n).find(|&i| args[first + i] == name).unwrap_or(n),
            None => 0,
        }
    };
    found.sort_by_key(|(k, _)| order(k));
    let reply = if resp3 {
        Frame::Map(found)
    } else {
        Frame::Array(
            found
                .into_iter()
                .map(|(k, v)| Frame::Array(vec![k, v]))
                .collect(),
        )
    };
    Some(reply.to_bytes())
}

/// Where the stream keys of XREAD/XREADGROUP start, and how many there are (the arguments
/// after STREAMS are the keys, then as many IDs), past the options as the command reads them.
fn stream_keys(args: &[&[u8]]) -> Option<(usize, usize)> {
    let mut i = 1;
    while i < args.len() {
        let a = args[i];
        if a.eq_ignore_ascii_case(b"streams") {
            let rest = args.len() - i - 1;
            return (rest > 0 && rest.is_multiple_of(2)).then_some((i + 1, rest / 2));
        } else if a.eq_ignore_ascii_case(b"count") || a.eq_ignore_ascii_case(b"block") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"group") {
            i += 3;
        } else {
            i += 1;
        }
    }
    None
}
