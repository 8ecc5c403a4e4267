//! One connection's task: read, parse every complete request, dispatch them as one
//! [`Exchange`], write all replies with one write, repeat.
//!
//! The read buffer keeps partial requests at its front; arguments of complete requests are
//! borrowed straight from it for local execution (no copy). The connection closes on EOF, on a
//! protocol error (after the error reply, as Redis does), when the query buffer limit is
//! exceeded, and when QUIT or CLIENT KILL asks for it.

use std::cell::RefCell;
use std::os::fd::RawFd;
use std::rc::Rc;

use std::collections::VecDeque;
use std::ops::Range;

use corekv_proto::{ParseLimits, ProtoError, RequestKind, RequestParser};
use corekv_shard::cmd::{CommandDef, Flags, Route};
use futures_lite::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use smallvec::SmallVec;
use tracing::{debug, warn};

use crate::client::{ClientInfo, KillSwitch, ReplyMode};
use crate::dispatch::{Exchange, Flow};
use crate::global::unix_ms;
use crate::runtime::Runtime;

/// Requests dispatched per exchange before replies are written (bounds latency and memory
/// for very deep pipelines).
const MAX_REQUESTS_PER_EXCHANGE: usize = 1024;
/// Reply bytes after which an exchange stops taking more requests.
const MAX_REPLY_BYTES_PER_EXCHANGE: usize = 1 << 20;
const INITIAL_BUFFER: usize = 16 * 1024;
/// Requests parsed ahead of dispatch at most (see [`Ahead`]).
const LOOKAHEAD: usize = 32;

const DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is \
enabled and no password is set for the default user. In this mode connections are only accepted \
from the loopback interface. If you want to connect from external computers to Redis you may \
adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG \
SET protected-mode no' from the loopback interface by connecting to Redis from the same host the \
server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. \
Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the \
protected mode by editing the Redis configuration file, and setting the protected mode option to \
'no', and then restarting the server. 3) If you started the server manually just for testing, \
restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the \
default user. NOTE: You only need to do one of the above things in order for the server to start \
accepting connections from the outside.\r\n";

/// Where a connection came from.
pub struct Peer {
    pub addr: String,
    pub laddr: String,
    pub unix: bool,
    pub local: bool,
    pub fd: RawFd,
}

/// Serves one accepted connection until it closes.
pub async fn serve<S>(rt: Rc<Runtime>, mut stream: S, peer: Peer)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let config = rt.config();
    rt.stats.borrow_mut().total_connections_received += 1;
    let global = rt.global.clone();
    let count = global
        .connected_clients
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let _guard = ClientCount(global.clone());
    if count as u64 >= config.maxclients {
        rt.stats.borrow_mut().rejected_connections += 1;
        let _ = stream
            .write_all(b"-ERR max number of clients reached\r\n")
            .await;
        return;
    }
    if config.protected_mode && config.requirepass.is_none() && !peer.local {
        rt.stats.borrow_mut().rejected_connections += 1;
        let _ = stream.write_all(DENIED.as_bytes()).await;
        return;
    }
    let now = unix_ms();
    let id = global.next_client_id();
    let client = Rc::new(RefCell::new(ClientInfo {
        id,
        fd: peer.fd,
        kill: Rc::new(KillSwitch::default()),
        blocked: false,
        unblock: Rc::default(),
        addr: peer.addr,
        laddr: peer.laddr,
        unix: peer.unix,
        name: Vec::new(),
        db: 0,
        resp: 2,
        created_ms: now,
        last_interaction_ms: now,
        last_cmd: "NULL",
        authenticated: config.requirepass.is_none(),
        reply: ReplyMode::On,
        no_evict: false,
        close_after_reply: false,
        qbuf: 0,
        qbuf_free: 0,
    }));
    debug!("Accepted {}", client.borrow().addr);
    rt.clients.borrow_mut().add(client.clone());
    let reason = run(&rt, &mut stream, &client).await;
    rt.clients.borrow_mut().remove(id);
    debug!(
        "Client closed connection {} ({reason})",
        client.borrow().addr
    );
}

/// Dispatches a request that may block, reading the socket meanwhile: bytes that arrive are
/// returned (they are the client's next requests), and EOF or an error fires the kill switch
/// so a blocked command gives up at once, as Redis frees a blocked client that disconnects.
async fn dispatch_watching<S>(
    ex: &mut Exchange<'_>,
    argv: &[&[u8]],
    stream: &mut S,
    client: &Rc<RefCell<ClientInfo>>,
) -> Vec<u8>
where
    S: AsyncRead + Unpin,
{
    use std::future::Future;
    use std::task::Poll;
    let mut early = Vec::new();
    let mut side = [0u8; 4096];
    let mut gone = false;
    let mut dispatch = std::pin::pin!(ex.dispatch(argv));
    loop {
        if gone {
            dispatch.as_mut().await;
            return early;
        }
        let mut read = std::pin::pin!(stream.read(&mut side));
        let got = std::future::poll_fn(|cx| {
            if dispatch.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            match read.as_mut().poll(cx) {
                Poll::Ready(r) => Poll::Ready(Some(r)),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match got {
            None => return early,
            Some(Ok(n)) if n > 0 => early.extend_from_slice(&side[..n]),
            Some(_) => {
                client.borrow().kill.fire();
                gone = true;
            }
        }
    }
}

struct ClientCount(std::sync::Arc<crate::global::Global>);

impl Drop for ClientCount {
    fn drop(&mut self) {
        self.0
            .connected_clients
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The connection's request parser and the requests it parsed ahead of their dispatch:
/// argument ranges (into the read buffer, or into `inline_store` for inline requests) and each
/// request's looked-up command. Parsing a run of data commands before dispatching the first
/// lets the shard warm all their keys at once (`Exchange::warm`); everything else is
/// dispatched exactly as if parsed one at a time.
#[derive(Default)]
struct Ahead {
    parser: RequestParser,
    /// The parser's output for one request (argument ranges; unescaped inline arguments).
    scratch: Vec<Range<usize>>,
    inline: Vec<u8>,
    ranges: Vec<Range<usize>>,
    inline_store: Vec<u8>,
    reqs: VecDeque<Queued>,
    /// A protocol error found after the queued requests: reported once they are dispatched.
    fatal: Option<ProtoError>,
    /// The command of the last request, tried first: a pipeline usually repeats a command.
    last: Option<&'static CommandDef>,
}

/// `cmd::lookup`, trying `last` (the previous request's command) first.
fn lookup(last: Option<&'static CommandDef>, name: &[u8]) -> Option<&'static CommandDef> {
    match last {
        Some(d) if name.eq_ignore_ascii_case(d.name.as_bytes()) => Some(d),
        _ => corekv_shard::cmd::lookup(name),
    }
}

#[derive(Clone, Copy)]
struct Queued {
    first: usize,
    argc: usize,
    inline: bool,
    def: Option<&'static CommandDef>,
    /// The shard of the first key of a command whose first argument is a key (see
    /// `Exchange::first_key_shard`), worked out once for warming and routing.
    key1_shard: Option<usize>,
}

impl Ahead {
    /// Parses up to [`LOOKAHEAD`] requests from `buf[*start..end]` (advancing `start`). It stops
    /// after any request that is not a plain keyed data command, because such a request may
    /// change how the next ones parse or run (AUTH and the parser's limits, SELECT, CONFIG
    /// SET, MULTI, blocking commands): those are parsed after it ran, as Redis would.
    /// `shard_of` gives a request's `key1_shard` from its command and first argument.
    fn refill(
        &mut self,
        buf: &[u8],
        start: &mut usize,
        end: usize,
        limits: &ParseLimits,
        shard_of: impl Fn(&'static CommandDef, &[u8]) -> Option<usize>,
    ) {
        debug_assert!(self.reqs.is_empty());
        self.ranges.clear();
        self.inline_store.clear();
        while self.reqs.len() < LOOKAHEAD && self.fatal.is_none() {
            let parsed = self.parser.parse(
                &buf[*start..end],
                limits,
                &mut self.scratch,
                &mut self.inline,
            );
            match parsed {
                Ok(Some((kind, consumed))) => {
                    let base = *start;
                    *start += consumed;
                    if self.scratch.is_empty() {
                        continue;
                    }
                    let first = self.ranges.len();
                    let is_inline = kind == RequestKind::Inline;
                    if is_inline {
                        let off = self.inline_store.len();
                        self.inline_store.extend_from_slice(&self.inline);
                        self.ranges
                            .extend(self.scratch.iter().map(|r| r.start + off..r.end + off));
                    } else {
                        self.ranges
                            .extend(self.scratch.iter().map(|r| r.start + base..r.end + base));
                    }
                    let mut q = Queued {
                        first,
                        argc: self.scratch.len(),
                        inline: is_inline,
                        def: None,
                        key1_shard: None,
                    };
                    q.def = lookup(self.last, self.arg(buf, &q, 0));
                    if q.def.is_some() {
                        self.last = q.def;
                    }
                    let def = q.def;
                    if let Some(d) = def.filter(|_| q.argc >= 2) {
                        q.key1_shard = shard_of(d, self.arg(buf, &q, 1));
                    }
                    self.reqs.push_back(q);
                    let plain = def.is_some_and(|d| {
                        matches!(d.route, Route::Shard { .. }) && !d.flags.has(Flags::BLOCKING)
                    });
                    if !plain || limits.auth_required {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => self.fatal = Some(e),
            }
        }
    }

    /// Argument `n` of `q` (which has more than `n`).
    fn arg<'a>(&'a self, buf: &'a [u8], q: &Queued, n: usize) -> &'a [u8] {
        let base: &[u8] = if q.inline { &self.inline_store } else { buf };
        &base[self.ranges[q.first + n].clone()]
    }

    /// The arguments of `q`.
    fn args<'a>(&'a self, buf: &'a [u8], q: &Queued) -> SmallVec<[&'a [u8]; 8]> {
        (0..q.argc).map(|n| self.arg(buf, q, n)).collect()
    }
}

async fn run<S>(rt: &Rc<Runtime>, stream: &mut S, client: &Rc<RefCell<ClientInfo>>) -> &'static str
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; INITIAL_BUFFER];
    let (mut start, mut end) = (0usize, 0usize);
    let mut ahead = Ahead::default();
    let mut out_buf: Vec<u8> = Vec::with_capacity(INITIAL_BUFFER);
    loop {
        // Make room: move a partial request to the front, or grow for a big one. (Nothing is
        // queued in `ahead` here: the buffer is only read into once the queue is drained.)
        if end == buf.len() {
            if start > 0 {
                buf.copy_within(start..end, 0);
                end -= start;
                start = 0;
            } else {
                let want = ahead.parser.needed_len().unwrap_or(0).max(buf.len() * 2);
                buf.resize(want, 0);
            }
        }
        let kill = client.borrow().kill.clone();
        let read = async { Some(stream.read(&mut buf[end..]).await) };
        let killed = async {
            kill.wait().await;
            None
        };
        let n = match futures_lite::future::or(killed, read).await {
            None => return "killed",
            Some(Ok(0)) => return "eof",
            Some(Ok(n)) => n,
            Some(Err(_)) => return "read error",
        };
        end += n;
        rt.stats.borrow_mut().net_input_bytes += n as u64;
        let limit = rt.config().client_query_buffer_limit;
        if (end - start) as u64 > limit {
            warn!("Closing client that reached max query buffer length");
            return "query buffer limit";
        }
        {
            let mut c = client.borrow_mut();
            c.last_interaction_ms = unix_ms();
            c.qbuf = end - start;
            c.qbuf_free = buf.len() - end;
        }
        // Dispatch everything complete in the buffer, in exchanges of bounded size.
        loop {
            let mut ex = Exchange::new(rt, client.clone(), std::mem::take(&mut out_buf));
            let mut fatal = None;
            let mut more = false;
            let mut dispatched = 0;
            loop {
                if ahead.reqs.is_empty() {
                    if let Some(e) = ahead.fatal.take() {
                        fatal = Some(e);
                        break;
                    }
                    let limits = ParseLimits {
                        max_bulk_len: rt.config().proto_max_bulk_len,
                        auth_required: !client.borrow().authenticated,
                    };
                    ahead.refill(&buf, &mut start, end, &limits, |def, key| {
                        ex.first_key_shard(def, key)
                    });
                    if ahead.reqs.len() > 1 {
                        let me = rt.id;
                        ex.warm(
                            ahead
                                .reqs
                                .iter()
                                .filter(|q| q.key1_shard == Some(me))
                                .map(|q| ahead.arg(&buf, q, 1)),
                        );
                    }
                    if ahead.reqs.is_empty() {
                        if let Some(e) = ahead.fatal.take() {
                            fatal = Some(e);
                        }
                        break;
                    }
                }
                let Some(q) = ahead.reqs.pop_front() else {
                    break;
                };
                let argv = ahead.args(&buf, &q);
                if q.def.is_some_and(|d| d.flags.has(Flags::BLOCKING)) {
                    // A blocked client must still notice its connection going away: watch
                    // the socket while the command waits.
                    let early = dispatch_watching(&mut ex, &argv, stream, client).await;
                    drop(argv);
                    if !early.is_empty() {
                        if buf.len() - end < early.len() {
                            buf.resize(end + early.len(), 0);
                        }
                        buf[end..end + early.len()].copy_from_slice(&early);
                        end += early.len();
                    }
                } else {
                    ex.dispatch_found(&argv, q.def, q.key1_shard).await;
                }
                dispatched += 1;
                if ex.flow == Flow::Close || client.borrow().close_after_reply {
                    break;
                }
                if dispatched >= MAX_REQUESTS_PER_EXCHANGE
                    || ex.pending_bytes() >= MAX_REPLY_BYTES_PER_EXCHANGE
                {
                    more = true;
                    break;
                }
            }
            let (mut out, flow) = ex.finish().await;
            if let Some(e) = &fatal {
                debug!("Protocol error from client: {e}");
                e.encode_reply(&mut out);
            }
            if !out.is_empty() {
                if stream.write_all(&out).await.is_err() {
                    return "write error";
                }
                rt.stats.borrow_mut().net_output_bytes += out.len() as u64;
            }
            if fatal.is_some() {
                return "protocol error";
            }
            if flow == Flow::Close || client.borrow().close_after_reply {
                return "closed by command";
            }
            out_buf = out;
            if start == end && ahead.reqs.is_empty() {
                start = 0;
                end = 0;
            }
            if !more {
                break;
            }
        }
    }
}
