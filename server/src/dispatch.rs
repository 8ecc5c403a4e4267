//! The request path of one read of a connection's pipeline: command lookup and checks,
//! routing to the owning shard, batching of remote items, barriers, and reassembly of the
//! replies in request order (see `docs/ARCHITECTURE.md`, "A connection's life").
//!
//! An [`Exchange`] lives for one read. While every command so far ran on this shard, replies
//! are written straight into the output ("direct mode"). The first remote item switches to
//! slots: each request then gets a slot (a local byte range, a remote item, or a merge of
//! parts), and [`Exchange::finish`] assembles them once every batch came back.

use std::rc::Rc;
use std::time::Instant;

use corekv_proto::writer::error_code;
use corekv_proto::RespWriter;
use corekv_shard::cmd::{self, CommandDef, CoordCmd, Cross, Flags, Keys, Merge, Route};
use corekv_shard::error::{unknown_subcommand, wrong_arity, OpError};
use corekv_shard::slot::key_shard;
use corekv_shard::{Cx, OpFn};
use smallvec::SmallVec;

use crate::client::{ClientRef, ReplyMode};
use crate::mesh::{Batch, Response};
use crate::oneshot;
use crate::runtime::Runtime;

/// What the connection does after this exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Write the replies, then close (QUIT, CLIENT KILL of itself, fatal errors).
    Close,
}

/// Where a reply, or part of one, comes from.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// `w[start..end]`
    Local(usize, usize),
    /// Item `idx` of batch number `batch`.
    Remote(u32, u32),
}

struct Slot {
    kind: SlotKind,
    /// The command, for failed-call accounting (`None`: already accounted).
    cmd: Option<&'static str>,
    visible: bool,
}

enum SlotKind {
    One(Part),
    Merge(Merge, Vec<Part>),
}

/// Dispatch state for one read of a connection.
pub struct Exchange<'r> {
    pub rt: &'r Rc<Runtime>,
    pub client: ClientRef,
    w: RespWriter,
    /// `None` in direct mode; else the length of `w` that is final output.
    direct_len: Option<usize>,
    slots: Vec<Slot>,
    /// Items being collected per shard, with the batch number they will carry.
    building: Vec<Option<(u32, Batch)>>,
    next_batch: u32,
    inflight: Vec<(u32, oneshot::Receiver<Response>)>,
    /// Batches back from their shard, with their replies, by batch number.
    results: Vec<Option<Batch>>,
    pub flow: Flow,
    /// Whether the reply of the command being dispatched is sent (CLIENT REPLY).
    visible: bool,
    /// The time every command of this exchange sees (read once, lazily).
    now_ms: Option<i64>,
    started: Instant,
    /// Commands executed inline, for their share of the exchange's time in commandstats.
    local_cmds: SmallVec<[&'static str; 32]>,
}

impl<'r> Exchange<'r> {
    /// Starts an exchange writing into `buf` (cleared; its capacity is reused across reads).
    pub fn new(rt: &'r Rc<Runtime>, client: ClientRef, mut buf: Vec<u8>) -> Self {
        let resp3 = client.borrow().resp == 3;
        buf.clear();
        Exchange {
            rt,
            client,
            w: RespWriter::with_buffer(buf, resp3),
            direct_len: None,
            slots: Vec::new(),
            building: Vec::new(),
            next_batch: 0,
            inflight: Vec::new(),
            results: Vec::new(),
            flow: Flow::Continue,
            visible: true,
            now_ms: None,
            started: Instant::now(),
            local_cmds: SmallVec::new(),
        }
    }

    fn now(&mut self) -> i64 {
        match self.now_ms {
            Some(t) => t,
            None => {
                let t = self.rt.shard.borrow().now_ms();
                self.now_ms = Some(t);
                t
            }
        }
    }

    /// Bytes of reply produced so far (to bound an exchange).
    pub fn pending_bytes(&self) -> usize {
        self.w.len()
    }

    /// The writer for the reply of the command being dispatched (server commands).
    pub fn out(&mut self) -> &mut RespWriter {
        &mut self.w
    }

    /// Makes the current command's reply invisible (CLIENT REPLY OFF/SKIP).
    pub fn hide_reply(&mut self) {
        self.visible = false;
    }

    /// Makes the current command's reply visible even if replies were off (CLIENT REPLY ON,
    /// RESET).
    pub fn show_reply(&mut self) {
        self.visible = true;
    }

    /// Switches the protocol for the following replies (HELLO). Callers run a barrier first, so
    /// no batch mixes protocols.
    pub fn set_resp3(&mut self, resp3: bool) {
        self.w.set_resp3(resp3);
    }

    /// Dispatches one request. Replies (or slots for them) are in order when it returns.
    pub async fn dispatch(&mut self, args: &[&[u8]]) {
        self.dispatch_found(args, cmd::lookup(args[0]), None).await
    }

    /// [`Exchange::dispatch`] for a request whose command the caller already looked up
    /// (`found` is `cmd::lookup(args[0])`), and perhaps the shard of its first key
    /// (`key1_shard`, from [`Exchange::first_key_shard`]).
    pub async fn dispatch_found(
        &mut self,
        args: &[&[u8]],
        found: Option<&'static CommandDef>,
        key1_shard: Option<usize>,
    ) {
        self.visible = self.take_reply_visibility();
        let start = self.w.len();
        let def = match self.check(args, found) {
            Ok(def) => def,
            Err((msg, def)) => {
                self.w.error(&msg);
                self.account_error(start, def.map(|d| d.name), true);
                self.end_local(start, None);
                return;
            }
        };
        {
            let mut c = self.client.borrow_mut();
            c.last_cmd = def.name;
        }
        self.route(def, args, key1_shard).await;
        // Counted after the call, as Redis does (INFO does not count itself, CONFIG RESETSTAT
        // is counted after the reset).
        self.rt.stats.borrow_mut().call(def.name);
    }

    async fn route(&mut self, def: &'static CommandDef, args: &[&[u8]], key1_shard: Option<usize>) {
        let start = self.w.len();
        match def.route {
            Route::Shard { op, cross } => self.route_keyed(def, op, cross, args, key1_shard).await,
            Route::AllShards { op, merge } => self.route_all(def, op, merge, args),
            Route::Keyspace(k) => {
                self.barrier().await;
                let start = self.w.len();
                let res = crate::handlers::keyspace::run(k, self, args).await;
                self.finish_handler(start, def, res);
            }
            Route::Server(s) => {
                let start = self.w.len();
                let res = crate::handlers::run(s, self, args).await;
                self.finish_handler(start, def, res);
            }
            Route::Container => {
                // Unreachable: containers fail their arity check without a subcommand.
                self.w.error(&wrong_arity(def.name));
                self.end_local(start, Some(def.name));
            }
        }
    }

    fn take_reply_visibility(&mut self) -> bool {
        let mut c = self.client.borrow_mut();
        match c.reply {
            ReplyMode::On => true,
            ReplyMode::Off => false,
            ReplyMode::SkipNext => {
                c.reply = ReplyMode::Skip;
                false
            }
            ReplyMode::Skip => {
                c.reply = ReplyMode::On;
                true
            }
        }
    }

    /// Lookup, subcommand, arity, authentication and protection checks, in Redis's order.
    /// On failure: the error text, and the command it is charged to (`rejected_calls`), if the
    /// command was found.
    fn check(
        &self,
        args: &[&[u8]],
        found: Option<&'static CommandDef>,
    ) -> Result<&'static CommandDef, (String, Option<&'static CommandDef>)> {
        let Some(mut def) = found else {
            return Err((unknown_command(args), None));
        };
        if !def.subcommands.is_empty() && args.len() >= 2 {
            def = def.subcommand(args[1]).ok_or_else(|| {
                let msg = unknown_subcommand(&String::from_utf8_lossy(args[0]), &c_str(args[1]))
                    .replace(['\r', '\n'], " ");
                (msg, None)
            })?;
        }
        let reject = |msg: String| Err((msg, Some(def)));
        if !def.arity_ok(args.len()) {
            return reject(wrong_arity(def.name));
        }
        let config = self.rt.config();
        if def.flags.has(Flags::PROTECTED)
            && !crate::handlers::protected_allowed(config.enable_debug_command, &self.client)
        {
            return reject(
                "ERR DEBUG command not allowed. If the enable-debug-command option is set to \
                 \"local\", you can run it from a local connection, otherwise you need to set \
                 this option in the configuration file, and then restart the server."
                    .to_string(),
            );
        }
        if config.requirepass.is_some()
            && !self.client.borrow().authenticated
            && !def.flags.has(Flags::NO_AUTH)
        {
            return reject("NOAUTH Authentication required.".to_string());
        }
        Ok(def)
    }

    async fn route_keyed(
        &mut self,
        def: &'static CommandDef,
        op: OpFn,
        cross: Cross,
        args: &[&[u8]],
        key1_shard: Option<usize>,
    ) {
        if def.flags.has(Flags::BLOCKING) {
            let start = self.w.len();
            let res = crate::blocking::run(self, def, op, args).await;
            self.finish_handler(start, def, res);
            return;
        }
        let n = self.rt.nshards;
        let me = self.rt.id;
        let mut target = match (key1_shard, def.keys) {
            (
                Some(s),
                Keys::Range {
                    first: 1, last: 1, ..
                },
            ) if n > 1 => Target::One(s),
            _ => single_target(&def.keys, args, n),
        };
        if matches!(cross, Cross::Coord(CoordCmd::Sort)) && n > 1 && sort_reads_patterns(args) {
            // BY/GET patterns may name keys on any shard.
            target = Target::Many;
        }
        let target = match target {
            Target::One(s) => s,
            Target::Own => me,
            Target::Many => match cross {
                Cross::Split { part, group, merge } => {
                    self.split(def, part, group as usize, merge, args);
                    return;
                }
                Cross::Coord(c) => {
                    self.barrier().await;
                    let start = self.w.len();
                    let res = crate::handlers::coord::run(c, self, def, op, args).await;
                    self.finish_handler(start, def, res);
                    return;
                }
                Cross::Never => me,
            },
        };
        let db = self.client.borrow().db;
        if target == me {
            let start = self.w.len();
            self.exec_local(op, def.name, db, args);
            self.end_local(start, Some(def.name));
        } else {
            let key1 = matches!(def.keys, Keys::Range { first: 1, .. });
            let part = self.push_remote(target, op, def.name, db, key1, args);
            self.slots.push(Slot {
                kind: SlotKind::One(part),
                cmd: Some(def.name),
                visible: self.visible,
            });
        }
    }

    /// Runs `part` for each key group on its shard; the slot merges the parts. Argument
    /// groups that do not line up (`MSET k1 v1 k2`) are the command's arity error, as the
    /// single-shard op would say.
    fn split(
        &mut self,
        def: &'static CommandDef,
        part: OpFn,
        group: usize,
        merge: Merge,
        args: &[&[u8]],
    ) {
        let positions = def.keys.positions(args);
        let first = positions.first().copied().unwrap_or(args.len());
        if group > 1 && !(args.len() - first).is_multiple_of(group) {
            let start = self.w.len();
            self.w.error(&wrong_arity(def.name));
            self.end_local(start, Some(def.name));
            return;
        }
        self.enter_slots();
        let n = self.rt.nshards;
        let me = self.rt.id;
        let db = self.client.borrow().db;
        let mut parts = Vec::new();
        let mut argv: Vec<&[u8]> = Vec::with_capacity(group + 1);
        for pos in positions {
            argv.clear();
            argv.push(args[0]);
            argv.extend_from_slice(&args[pos..pos + group]);
            let shard = key_shard(args[pos], n);
            if shard == me {
                let start = self.w.len();
                self.exec_local(part, def.name, db, &argv);
                parts.push(Part::Local(start, self.w.len()));
            } else {
                parts.push(self.push_remote(shard, part, def.name, db, true, &argv));
            }
        }
        self.slots.push(Slot {
            kind: SlotKind::Merge(merge, parts),
            cmd: Some(def.name),
            visible: self.visible,
        });
    }

    /// A keyless command run on every shard, replies merged.
    fn route_all(&mut self, def: &'static CommandDef, op: OpFn, merge: Merge, args: &[&[u8]]) {
        let db = self.client.borrow().db;
        if self.rt.nshards == 1 {
            let start = self.w.len();
            self.exec_local(op, def.name, db, args);
            self.end_local(start, Some(def.name));
            return;
        }
        self.enter_slots();
        let mut parts = Vec::with_capacity(self.rt.nshards);
        for shard in 0..self.rt.nshards {
            if shard == self.rt.id {
                let start = self.w.len();
                self.exec_local(op, def.name, db, args);
                parts.push(Part::Local(start, self.w.len()));
            } else {
                parts.push(self.push_remote(shard, op, def.name, db, false, args));
            }
        }
        self.slots.push(Slot {
            kind: SlotKind::Merge(merge, parts),
            cmd: Some(def.name),
            visible: self.visible,
        });
    }

    /// For a keyed data command whose first argument is a key, the shard that owns that key
    /// (this one when there is one shard); `None` for any other command. The connection works
    /// it out once per request, for [`Exchange::warm`] and for routing.
    pub fn first_key_shard(&self, def: &'static CommandDef, key: &[u8]) -> Option<usize> {
        let n = self.rt.nshards;
        match (def.route, def.keys) {
            (Route::Shard { .. }, Keys::Range { first: 1, .. }) => Some(if n == 1 {
                self.rt.id
            } else {
                key_shard(key, n)
            }),
            _ => None,
        }
    }

    /// Brings the keyspace entries of the coming requests' keys (on this shard, in the
    /// client's database) into cache before they are dispatched, so that their memory misses
    /// overlap (see `Shard::warm`).
    pub fn warm<'a>(&self, keys: impl Iterator<Item = &'a [u8]>) {
        let db = self.client.borrow().db;
        self.rt.shard.borrow().warm::<32>(keys.map(|k| (db, k)));
    }

    /// Runs an op on this shard's data, writing its reply into `w`.
    fn exec_local(&mut self, op: OpFn, cmd: &'static str, db: usize, args: &[&[u8]]) {
        let now = self.now();
        let mut sh = self.rt.shard.borrow_mut();
        let mut cx = Cx {
            db,
            now_ms: now,
            out: &mut self.w,
            cmd,
        };
        sh.exec(op, &mut cx, args);
        self.local_cmds.push(cmd);
    }

    /// Attributes this exchange's local time to the commands it ran inline (two clock reads
    /// per exchange instead of two per command).
    fn record_local_time(&mut self) {
        if self.local_cmds.is_empty() {
            return;
        }
        let n = self.local_cmds.len() as u64;
        let per = self.started.elapsed().as_micros() as u64 / n;
        let mut stats = self.rt.stats.borrow_mut();
        stats.executed += n;
        for cmd in self.local_cmds.drain(..) {
            stats.time(cmd, per);
        }
    }

    fn push_remote(
        &mut self,
        shard: usize,
        op: OpFn,
        cmd: &'static str,
        db: usize,
        key1: bool,
        args: &[&[u8]],
    ) -> Part {
        self.enter_slots();
        let resp3 = self.w.is_resp3();
        if self.building.is_empty() {
            self.building = (0..self.rt.nshards).map(|_| None).collect();
        }
        let next = &mut self.next_batch;
        let mesh = &self.rt.mesh;
        let (no, batch) = self.building[shard].get_or_insert_with(|| {
            let no = *next;
            *next += 1;
            (no, mesh.new_batch(resp3))
        });
        let idx = batch.push(op, cmd, db, key1, args);
        Part::Remote(*no, idx)
    }

    fn enter_slots(&mut self) {
        if self.direct_len.is_none() {
            self.direct_len = Some(self.w.len());
        }
    }

    /// Ends the reply of a command produced locally at `w[start..]`.
    fn end_local(&mut self, start: usize, cmd: Option<&'static str>) {
        if self.direct_len.is_none() {
            if let Some(cmd) = cmd {
                self.account_error(start, Some(cmd), false);
            }
            if !self.visible {
                self.w.truncate(start);
            }
        } else {
            self.slots.push(Slot {
                kind: SlotKind::One(Part::Local(start, self.w.len())),
                cmd,
                visible: self.visible,
            });
        }
    }

    fn finish_handler(&mut self, start: usize, def: &'static CommandDef, res: Result<(), OpError>) {
        if let Err(e) = res {
            self.w.truncate(start);
            self.w.error(&e.to_wire(def.name));
        }
        self.end_local(start, Some(def.name));
    }

    /// Counts an error reply written at `w[start..]`, if it is one.
    fn account_error(&mut self, start: usize, cmd: Option<&'static str>, rejected: bool) {
        if let Some(code) = error_code(&self.w.as_bytes()[start..]) {
            self.rt.stats.borrow_mut().error(cmd, code, rejected);
        }
    }

    /// Sends every batch built so far.
    async fn flush(&mut self) {
        for shard in 0..self.building.len() {
            if let Some((no, batch)) = self.building[shard].take() {
                let rx = self.rt.mesh.send_batch(shard, batch);
                self.inflight.push((no, rx));
            }
        }
    }

    /// Sends pending batches and waits for every reply: everything dispatched so far has run.
    pub async fn barrier(&mut self) {
        self.record_local_time();
        self.flush().await;
        for (no, rx) in std::mem::take(&mut self.inflight) {
            let replies = match rx.await {
                Some(Response::Batch { batch, .. }) => Some(batch),
                _ => None,
            };
            let no = no as usize;
            if self.results.len() <= no {
                self.results.resize_with(no + 1, || None);
            }
            self.results[no] = replies;
        }
    }

    /// Waits for everything and returns the bytes to write, in request order.
    pub async fn finish(mut self) -> (Vec<u8>, Flow) {
        self.barrier().await;
        crate::blocking::serve_ready(self.rt);
        let Some(direct_len) = self.direct_len else {
            return (self.w.take(), self.flow);
        };
        let w = self.w.take();
        let mut out = Vec::with_capacity(w.len() + 64);
        out.extend_from_slice(&w[..direct_len]);
        let slots = std::mem::take(&mut self.slots);
        let mut merged = Vec::new();
        for slot in &slots {
            let bytes: &[u8] = match &slot.kind {
                SlotKind::One(p) => self.part_bytes(&w, *p),
                SlotKind::Merge(m, parts) => {
                    merged.clear();
                    let resp3 = self.w.is_resp3();
                    merge_parts(
                        *m,
                        parts.iter().map(|p| self.part_bytes(&w, *p)),
                        resp3,
                        &mut merged,
                    );
                    &merged
                }
            };
            if let (Some(cmd), Some(code)) = (slot.cmd, error_code(bytes)) {
                self.rt.stats.borrow_mut().error(Some(cmd), code, false);
            }
            if slot.visible {
                out.extend_from_slice(bytes);
            }
        }
        for batch in self.results.drain(..).flatten() {
            self.rt.mesh.recycle(batch);
        }
        (out, self.flow)
    }

    fn part_bytes<'a>(&'a self, w: &'a [u8], p: Part) -> &'a [u8] {
        match p {
            Part::Local(s, e) => &w[s..e],
            Part::Remote(no, idx) => match self.results.get(no as usize) {
                Some(Some(r)) => r.reply(idx as usize),
                _ => b"-ERR shard unavailable (server shutting down)\r\n",
            },
        }
    }

    // ---- helpers for server command handlers and coordinators ----

    /// Runs `op` on the shard owning `key` (locally or by message) and returns its raw reply.
    /// Callers are coordinators that already ran a barrier.
    pub async fn call_on(
        &mut self,
        shard: usize,
        op: OpFn,
        cmd: &'static str,
        args: &[&[u8]],
    ) -> Vec<u8> {
        let db = self.client.borrow().db;
        if shard == self.rt.id {
            let mut tmp = RespWriter::new(self.w.is_resp3());
            let now = self.now();
            let mut sh = self.rt.shard.borrow_mut();
            let mut cx = Cx {
                db,
                now_ms: now,
                out: &mut tmp,
                cmd,
            };
            sh.exec(op, &mut cx, args);
            return tmp.into_inner();
        }
        let mut batch = self.rt.mesh.new_batch(self.w.is_resp3());
        batch.push(op, cmd, db, false, args);
        let rx = self.rt.mesh.send_batch(shard, batch);
        match rx.await {
            Some(Response::Batch { batch, .. }) => {
                let reply = batch.reply(0).to_vec();
                self.rt.mesh.recycle(batch);
                reply
            }
            _ => b"-ERR shard unavailable (server shutting down)\r\n".to_vec(),
        }
    }
}

/// Combines the replies of a split command's parts.
fn merge_parts<'a>(
    merge: Merge,
    parts: impl Iterator<Item = &'a [u8]> + Clone,
    resp3: bool,
    out: &mut Vec<u8>,
) {
    if merge != Merge::Array {
        if let Some(err) = parts.clone().find(|p| p.first() == Some(&b'-')) {
            out.extend_from_slice(err);
            return;
        }
    }
    let _ = resp3;
    match merge {
        Merge::Array => {
            let n = parts.clone().count();
            out.push(b'*');
            out.extend_from_slice(n.to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
            for p in parts {
                out.extend_from_slice(p);
            }
        }
        Merge::SumInt => {
            let sum: i64 = parts.map(parse_int_reply).sum();
            out.push(b':');
            out.extend_from_slice(sum.to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Merge::Ok => out.extend_from_slice(b"+OK\r\n"),
        Merge::ConcatArrays => {
            let mut total = 0usize;
            let mut bodies = Vec::new();
            for p in parts {
                let (n, body) = split_array_header(p);
                total += n;
                bodies.push(body);
            }
            out.push(b'*');
            out.extend_from_slice(total.to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
            for b in bodies {
                out.extend_from_slice(b);
            }
        }
    }
}

fn parse_int_reply(p: &[u8]) -> i64 {
    p.strip_prefix(b":")
        .and_then(|r| r.strip_suffix(b"\r\n"))
        .and_then(|d| std::str::from_utf8(d).ok())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// `*N\r\n<body>` → (N, body); anything else counts as an empty array.
fn split_array_header(p: &[u8]) -> (usize, &[u8]) {
    let Some(rest) = p.strip_prefix(b"*") else {
        return (0, &[]);
    };
    let Some(nl) = rest.iter().position(|&b| b == b'\r') else {
        return (0, &[]);
    };
    let n = std::str::from_utf8(&rest[..nl])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (n, rest.get(nl + 2..).unwrap_or(&[]))
}

enum Target {
    /// No keys: runs on the connection's shard.
    Own,
    One(usize),
    Many,
}

/// The shard all of a command's keys live on, without allocating for the common shapes.
/// Whether a SORT names keys through BY/GET patterns (only a pattern with `*` reads a key).
/// An over-estimate only costs a coordinated run.
fn sort_reads_patterns(args: &[&[u8]]) -> bool {
    args.windows(2).skip(2).any(|w| {
        (w[0].eq_ignore_ascii_case(b"by") || w[0].eq_ignore_ascii_case(b"get"))
            && w[1].contains(&b'*')
    })
}

fn single_target(keys: &Keys, args: &[&[u8]], n: usize) -> Target {
    if n == 1 {
        return Target::Own;
    }
    match *keys {
        Keys::None => Target::Own,
        Keys::Range { first, last, .. } if first > 0 && first == last => {
            match args.get(first as usize) {
                Some(k) => Target::One(key_shard(k, n)),
                None => Target::Own,
            }
        }
        _ => {
            let positions = keys.positions(args);
            let mut it = positions.iter().map(|&p| key_shard(args[p], n));
            let Some(first) = it.next() else {
                return Target::Own;
            };
            if it.all(|s| s == first) {
                Target::One(first)
            } else {
                Target::Many
            }
        }
    }
}

/// `ERR unknown command 'x', with args beginning with: 'a' 'b' ` as Redis formats it
/// (arguments are cut at a NUL byte and at 128 characters in total).
fn unknown_command(args: &[&[u8]]) -> String {
    let mut list = String::new();
    for a in &args[1..] {
        if list.len() >= 128 {
            break;
        }
        let room = 128 - list.len();
        let s = c_str(a);
        let s: String = s.chars().take(room).collect();
        list.push('\'');
        list.push_str(&s);
        list.push_str("' ");
    }
    let name: String = c_str(args[0]).chars().take(128).collect();
    format!("ERR unknown command '{name}', with args beginning with: {list}")
        .replace(['\r', '\n'], " ")
}

/// An argument as C's `%s` would print it: up to the first NUL.
fn c_str(a: &[u8]) -> String {
    let end = a.iter().position(|&b| b == 0).unwrap_or(a.len());
    String::from_utf8_lossy(&a[..end]).into_owned()
}
