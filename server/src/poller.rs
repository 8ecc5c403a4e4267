//! Readiness of a shard's sockets: one edge-triggered epoll instance per shard, the calls
//! that drain it (from the shard's hot loop: `Runtime::hot_loop`), and the socket types whose
//! reads and writes it wakes.
//!
//! Why not one io_uring poll per connection (glommio's `TcpStream`): glommio creates its
//! rings without `IORING_SETUP_COOP_TASKRUN`, so every socket completion that arrives while
//! the shard thread is running makes the kernel interrupt that thread's CPU with an IPI to
//! run the completion's task work. With a client on the same host, that is one IPI per
//! request per connection; on a virtual machine each costs microseconds on both CPUs. Here a
//! socket is registered once (edge-triggered) and reads and writes are plain non-blocking
//! `recv`/`send`; one `epoll_wait` finds every connection that became ready, as Redis's event
//! loop does. The hot loop waits in that `epoll_wait` for short idle spells ([`Poller::sleep`],
//! woken also by the shard's wake-up eventfd), and for long ones waits for the epoll
//! descriptor to become readable through glommio's io_uring ([`Poller::readable`]), so the
//! shard then sleeps with its timers (see `docs/ARCHITECTURE.md`, "The hot loop").
//!
//! This module owns the descriptors it is given; it knows nothing about RESP or commands.
#![allow(unsafe_code)] // reason: adopting descriptors returned by accept4/dup as owned ones

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_lite::{AsyncRead, AsyncReadExt, AsyncWrite};
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::socket::{MsgFlags, SockFlag};
use tracing::warn;

/// Events taken from the kernel per `epoll_wait`.
const EVENTS_PER_PASS: usize = 256;
/// The event data of the shard's wake-up line (registration tokens are slot indices).
const WAKEUP_TOKEN: u64 = u64::MAX;

/// The wakers of one registered descriptor.
#[derive(Default)]
struct Interest {
    read: Cell<Option<Waker>>,
    write: Cell<Option<Waker>>,
    /// An event for reading arrived since the last short read (edge-triggered: every
    /// arrival of data after a read raises one).
    readable: Cell<bool>,
}

impl Interest {
    fn park(slot: &Cell<Option<Waker>>, waker: &Waker) {
        match slot.take() {
            Some(w) if w.will_wake(waker) => slot.set(Some(w)),
            _ => slot.set(Some(waker.clone())),
        }
    }

    fn wake(slot: &Cell<Option<Waker>>) {
        if let Some(w) = slot.take() {
            w.wake();
        }
    }
}

/// One shard's epoll instance and the wakers of the descriptors registered in it.
pub struct Poller {
    epoll: Epoll,
    /// `epoll_wait`'s output buffer.
    events: RefCell<Vec<EpollEvent>>,
    /// Registration token (the event's data) → wakers.
    slots: RefCell<Vec<Option<Rc<Interest>>>>,
    free: RefCell<Vec<usize>>,
}

impl Poller {
    pub fn new() -> io::Result<Rc<Poller>> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        Ok(Rc::new(Poller {
            epoll,
            events: RefCell::new(vec![EpollEvent::empty(); EVENTS_PER_PASS]),
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
        }))
    }

    /// Registers `fd` for both directions, edge-triggered, for the life of the returned guard.
    fn register(self: &Rc<Self>, fd: BorrowedFd<'_>) -> io::Result<Registration> {
        let interest = Rc::new(Interest::default());
        let token = {
            let mut slots = self.slots.borrow_mut();
            match self.free.borrow_mut().pop() {
                Some(t) => {
                    slots[t] = Some(interest.clone());
                    t
                }
                None => {
                    slots.push(Some(interest.clone()));
                    slots.len() - 1
                }
            }
        };
        let flags = EpollFlags::EPOLLIN
            | EpollFlags::EPOLLOUT
            | EpollFlags::EPOLLRDHUP
            | EpollFlags::EPOLLET;
        let reg = Registration {
            poller: self.clone(),
            token,
            interest,
            fd: fd.as_raw_fd(),
        };
        self.epoll.add(fd, EpollEvent::new(flags, token as u64))?;
        Ok(reg)
    }

    /// Watches `fd` (an eventfd) as this shard's wake-up line: an event on it wakes
    /// [`Poller::sleep`] and nothing else.
    pub fn add_wakeup(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        let flags = EpollFlags::EPOLLIN | EpollFlags::EPOLLET;
        self.epoll.add(fd, EpollEvent::new(flags, WAKEUP_TOKEN))?;
        Ok(())
    }

    /// Takes the events that arrived and wakes the tasks waiting on them; never waits.
    /// Returns the number of socket events.
    pub fn poll(&self) -> usize {
        self.wait_events(0)
    }

    /// Blocks the thread until an event arrives (a socket, or the wake-up line) or
    /// `timeout_ms` pass, then wakes the tasks waiting on the events. Returns the number of
    /// socket events.
    pub fn sleep(&self, timeout_ms: isize) -> usize {
        self.wait_events(timeout_ms)
    }

    fn wait_events(&self, timeout_ms: isize) -> usize {
        let mut events = self.events.borrow_mut();
        loop {
            match self.epoll.wait(&mut events, timeout_ms) {
                Ok(n) => return self.dispatch(&events[..n]),
                Err(Errno::EINTR) => continue,
                Err(e) => {
                    warn!("epoll_wait failed: {e}");
                    return 0;
                }
            }
        }
    }

    /// Wakes the waiters of `events`; returns how many were socket events.
    fn dispatch(&self, events: &[EpollEvent]) -> usize {
        let slots = self.slots.borrow();
        let mut sockets = events.len();
        for ev in events {
            if ev.data() == WAKEUP_TOKEN {
                sockets -= 1;
                continue;
            }
            let Some(Some(interest)) = slots.get(ev.data() as usize) else {
                continue;
            };
            let flags = ev.events();
            if flags.intersects(
                EpollFlags::EPOLLIN
                    | EpollFlags::EPOLLRDHUP
                    | EpollFlags::EPOLLHUP
                    | EpollFlags::EPOLLERR,
            ) {
                interest.readable.set(true);
                Interest::wake(&interest.read);
            }
            if flags.intersects(EpollFlags::EPOLLOUT | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR)
            {
                Interest::wake(&interest.write);
            }
        }
        sockets
    }

    /// Resolves once the epoll instance has events, waiting in glommio's io_uring (so the
    /// shard sleeps there, along with its timers and channels).
    ///
    /// glommio offers no readiness future for an arbitrary descriptor, but a `UnixStream`
    /// adopted from a descriptor arms an io_uring poll for readability as it is created, and
    /// its first read waits for that poll. A duplicate of the epoll descriptor serves: the
    /// poll completes when the epoll instance has ready events, and the read that follows
    /// fails (an epoll descriptor is not a socket), which is all we need from it. The
    /// duplicate is closed when the stream drops.
    pub async fn readable(&self) {
        let dup = match nix::unistd::dup(self.epoll.0.as_raw_fd()) {
            Ok(fd) => fd,
            Err(e) => {
                // Out of descriptors: poll instead of waiting, until one is free again.
                warn!("Cannot wait for socket readiness ({e}); polling");
                glommio::timer::sleep(Duration::from_millis(1)).await;
                return;
            }
        };
        // SAFETY: `dup` is a descriptor dup(2) just returned to us and nothing else refers
        // to it; the stream becomes its only owner and closes it when dropped.
        let mut stream = unsafe { glommio::net::UnixStream::from_raw_fd(dup) };
        let mut byte = [0u8; 1];
        let _ = stream.read(&mut byte).await;
    }
}

/// A descriptor's place in its shard's poller; unregisters on drop.
struct Registration {
    poller: Rc<Poller>,
    token: usize,
    interest: Rc<Interest>,
    fd: RawFd,
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: the owner of the descriptor drops its `Registration` before it closes the
        // descriptor (field order in `Socket`/`Listener`), so `fd` is open here.
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        let _ = self.poller.epoll.delete(fd);
        if let Some(slot) = self.poller.slots.borrow_mut().get_mut(self.token) {
            *slot = None;
        }
        self.poller.free.borrow_mut().push(self.token);
    }
}

/// A connected stream socket (TCP or unix) served by the shard's poller.
pub struct Socket {
    // Field order matters: the registration leaves epoll before the descriptor closes.
    reg: Registration,
    fd: OwnedFd,
    /// The last read found the socket empty: wait for an event before reading again.
    drained: Cell<bool>,
}

impl Socket {
    /// Adopts a connected socket. It is made non-blocking.
    pub fn new(poller: &Rc<Poller>, fd: OwnedFd) -> io::Result<Socket> {
        set_nonblocking(fd.as_raw_fd())?;
        let reg = poller.register(fd.as_fd())?;
        Ok(Socket {
            reg,
            fd,
            drained: Cell::new(false),
        })
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsyncRead for Socket {
    /// Reads what the socket holds. A read that does not fill `buf` has drained the socket,
    /// so the next one waits for an event instead of paying a `recv` that would only say
    /// `EAGAIN` (Redis's event loop reads once per readable event for the same reason).
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let interest = &self.reg.interest;
        if self.drained.get() && !interest.readable.get() {
            Interest::park(&interest.read, cx.waker());
            return Poll::Pending;
        }
        interest.readable.set(false);
        loop {
            match nix::sys::socket::recv(self.fd.as_raw_fd(), buf, MsgFlags::MSG_DONTWAIT) {
                Ok(n) => {
                    self.drained.set(n > 0 && n < buf.len());
                    return Poll::Ready(Ok(n));
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => {
                    self.drained.set(true);
                    Interest::park(&interest.read, cx.waker());
                    return Poll::Pending;
                }
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            match nix::sys::socket::send(
                self.fd.as_raw_fd(),
                buf,
                MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL,
            ) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => {
                    Interest::park(&self.reg.interest.write, cx.waker());
                    return Poll::Pending;
                }
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let rc = nix::sys::socket::shutdown(self.fd.as_raw_fd(), nix::sys::socket::Shutdown::Write);
        Poll::Ready(rc.map_err(io::Error::from))
    }
}

/// A listening socket served by the shard's poller.
pub struct Listener {
    reg: Registration,
    fd: OwnedFd,
}

impl Listener {
    /// Adopts a bound, listening socket. It is made non-blocking.
    pub fn new(poller: &Rc<Poller>, fd: OwnedFd) -> io::Result<Listener> {
        set_nonblocking(fd.as_raw_fd())?;
        let reg = poller.register(fd.as_fd())?;
        Ok(Listener { reg, fd })
    }

    /// The next connection (non-blocking, close-on-exec).
    pub async fn accept(&self) -> io::Result<OwnedFd> {
        std::future::poll_fn(|cx| loop {
            match nix::sys::socket::accept4(
                self.fd.as_raw_fd(),
                SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            ) {
                // SAFETY: accept4(2) returned a new descriptor that nothing else owns.
                Ok(fd) => return Poll::Ready(Ok(unsafe { OwnedFd::from_raw_fd(fd) })),
                Err(Errno::EINTR | Errno::ECONNABORTED) => continue,
                Err(Errno::EAGAIN) => {
                    Interest::park(&self.reg.interest.read, cx.waker());
                    return Poll::Pending;
                }
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        })
        .await
    }
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    let flags = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL)?);
    if !flags.contains(OFlag::O_NONBLOCK) {
        fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    }
    Ok(())
}
