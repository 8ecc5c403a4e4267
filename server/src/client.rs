//! Connected clients: what CLIENT LIST shows about a connection, and each shard's registry of
//! the connections it accepted (for CLIENT LIST/KILL, `timeout` and shutdown).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::os::fd::RawFd;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use corekv_shard::args;

use crate::blocking::UnblockMode;

/// What the connection replies, as set by CLIENT REPLY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command.
    SkipNext,
    /// Skipping the reply of the command being executed.
    Skip,
}

/// The state of one connection that other parts of the server may look at.
#[derive(Debug)]
pub struct ClientInfo {
    pub id: u64,
    /// Socket descriptor (shown by CLIENT LIST).
    pub fd: RawFd,
    /// Fired to make the connection task close (CLIENT KILL, `timeout`, shutdown).
    pub kill: Rc<KillSwitch>,
    /// Waiting in a blocking command.
    pub blocked: bool,
    /// Fired by CLIENT UNBLOCK.
    pub unblock: Rc<UnblockSwitch>,
    pub addr: String,
    pub laddr: String,
    pub unix: bool,
    pub name: Vec<u8>,
    pub db: usize,
    pub resp: u8,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    pub last_cmd: &'static str,
    pub authenticated: bool,
    pub reply: ReplyMode,
    pub no_evict: bool,
    /// Close the connection once the current replies are written.
    pub close_after_reply: bool,
    /// Query buffer in use and free (CLIENT LIST `qbuf`, `qbuf-free`).
    pub qbuf: usize,
    pub qbuf_free: usize,
}

impl ClientInfo {
    /// `flags=` of CLIENT LIST.
    pub fn flags(&self) -> String {
        let mut f = String::new();
        if self.close_after_reply {
            f.push('c');
        }
        if self.blocked {
            f.push('b');
        }
        if self.no_evict {
            f.push('e');
        }
        if f.is_empty() {
            f.push('N');
        }
        f
    }

    /// One CLIENT LIST / CLIENT INFO line (without the trailing newline).
    pub fn line(&self, now_ms: i64) -> String {
        let age = (now_ms - self.created_ms).max(0) / 1000;
        let idle = (now_ms - self.last_interaction_ms).max(0) / 1000;
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 \
             ssub=0 multi=-1 qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 \
             oll=0 omem=0 tot-mem={} events=r cmd={} user=default redir=-1 resp={}",
            self.id,
            self.addr,
            self.laddr,
            self.fd,
            String::from_utf8_lossy(&self.name),
            age,
            idle,
            self.flags(),
            self.db,
            self.qbuf,
            self.qbuf_free,
            self.qbuf + self.qbuf_free + 16384,
            self.last_cmd,
            self.resp
        )
    }
}

pub type ClientRef = Rc<RefCell<ClientInfo>>;

/// The connections of one shard, by id.
#[derive(Default)]
pub struct Registry {
    clients: BTreeMap<u64, ClientRef>,
}

impl Registry {
    pub fn add(&mut self, c: ClientRef) {
        let id = c.borrow().id;
        self.clients.insert(id, c);
    }

    pub fn remove(&mut self, id: u64) {
        self.clients.remove(&id);
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &ClientRef> {
        self.clients.values()
    }
}

/// Tells a connection task, from elsewhere on its shard, to close: the task waits for it
/// alongside its socket read.
#[derive(Debug, Default)]
pub struct KillSwitch {
    fired: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl KillSwitch {
    pub fn fire(&self) {
        self.fired.set(true);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    /// Resolves once [`KillSwitch::fire`] was called.
    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        KillWait(self)
    }
}

/// CLIENT UNBLOCK's signal to a blocked connection, with how it should end.
#[derive(Debug, Default)]
pub struct UnblockSwitch {
    fired: Cell<Option<UnblockMode>>,
    waker: RefCell<Option<Waker>>,
}

impl UnblockSwitch {
    pub fn fire(&self, mode: UnblockMode) {
        self.fired.set(Some(mode));
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    pub fn reset(&self) {
        self.fired.set(None);
    }

    pub async fn wait(&self) -> UnblockMode {
        std::future::poll_fn(|cx| match self.fired.get() {
            Some(m) => Poll::Ready(m),
            None => {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

struct KillWait<'a>(&'a KillSwitch);

impl Future for KillWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.fired.get() {
            return Poll::Ready(());
        }
        *self.0.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// The filters of CLIENT KILL and CLIENT LIST.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub ids: Option<Vec<u64>>,
    pub addr: Option<String>,
    pub laddr: Option<String>,
    /// Only `normal` clients exist so far; other types match nothing.
    pub kind: Option<ClientKind>,
    pub user: Option<String>,
    pub skipme: bool,
    /// Old-style `CLIENT KILL addr:port`.
    pub legacy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Normal,
    Master,
    Replica,
    Pubsub,
}

impl ClientKind {
    pub fn parse(s: &[u8]) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_slice() {
            b"normal" => ClientKind::Normal,
            b"master" => ClientKind::Master,
            b"replica" | b"slave" => ClientKind::Replica,
            b"pubsub" => ClientKind::Pubsub,
            _ => return None,
        })
    }
}

impl Filter {
    pub fn matches(&self, c: &ClientInfo, me: u64) -> bool {
        if self.skipme && c.id == me {
            return false;
        }
        if let Some(ids) = &self.ids {
            if !ids.contains(&c.id) {
                return false;
            }
        }
        if let Some(a) = &self.addr {
            if *a != c.addr {
                return false;
            }
        }
        if let Some(a) = &self.laddr {
            if *a != c.laddr {
                return false;
            }
        }
        if let Some(k) = self.kind {
            if k != ClientKind::Normal {
                return false;
            }
        }
        if let Some(u) = &self.user {
            if u != "default" {
                return false;
            }
        }
        true
    }

    /// Parses `CLIENT KILL` arguments (after `KILL`).
    pub fn parse_kill(a: &[&[u8]]) -> Result<Filter, String> {
        if a.len() == 1 {
            return Ok(Filter {
                addr: Some(args::text(a[0])),
                skipme: false,
                legacy: true,
                ..Filter::default()
            });
        }
        if !a.len().is_multiple_of(2) {
            return Err(corekv_shard::error::SYNTAX.to_string());
        }
        let mut f = Filter {
            skipme: true,
            ..Filter::default()
        };
        for pair in a.chunks(2) {
            let (opt, val) = (pair[0], pair[1]);
            if args::is(opt, "id") {
                match corekv_shard::util::parse_i64_strict(val) {
                    Some(id) if id > 0 => f.ids.get_or_insert_with(Vec::new).push(id as u64),
                    _ => return Err("ERR client-id should be greater than 0".to_string()),
                }
            } else if args::is(opt, "type") {
                f.kind = Some(
                    ClientKind::parse(val)
                        .ok_or_else(|| format!("ERR Unknown client type '{}'", args::text(val)))?,
                );
            } else if args::is(opt, "addr") {
                f.addr = Some(args::text(val));
            } else if args::is(opt, "laddr") {
                f.laddr = Some(args::text(val));
            } else if args::is(opt, "user") {
                let user = args::text(val);
                if user != "default" {
                    return Err(format!("ERR No such user '{user}'"));
                }
                f.user = Some(user);
            } else if args::is(opt, "skipme") {
                if args::is(val, "yes") {
                    f.skipme = true;
                } else if args::is(val, "no") {
                    f.skipme = false;
                } else {
                    return Err(corekv_shard::error::SYNTAX.to_string());
                }
            } else {
                return Err(corekv_shard::error::SYNTAX.to_string());
            }
        }
        Ok(f)
    }
}
