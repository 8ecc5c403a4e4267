//! Listening sockets and per-connection socket options.
//!
//! Every shard gets its own `SO_REUSEPORT` listening socket for every bind address, so the
//! kernel spreads incoming connections over the shards. The sockets are created on the main
//! thread before the shards start, so that port 0 resolves to a single port for all of them
//! and a bind error stops the start-up with Redis's message.
#![allow(unsafe_code)] // reason: two setsockopt calls socket2 0.4 lacks, and adopting a listening fd

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};

use crate::config::Config;

/// One address from the `bind` directive.
struct BindAddr {
    ip: IpAddr,
    /// `-` prefix: failing to bind it is not an error.
    optional: bool,
    text: String,
}

fn parse_bind(spec: &str) -> Option<BindAddr> {
    let (optional, s) = match spec.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, spec),
    };
    let ip = match s {
        "*" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        "::*" => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        other => other.parse().ok()?,
    };
    Some(BindAddr {
        ip,
        optional,
        text: s.to_string(),
    })
}

fn setsockopt_int(fd: RawFd, level: i32, name: i32, value: i32) -> io::Result<()> {
    // SAFETY: `fd` is an open socket owned by the caller for the duration of the call, and we
    // pass a pointer to a live i32 with its exact size, as setsockopt(2) requires.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const i32).cast(),
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn listen_socket(addr: SocketAddr, config: &Config) -> io::Result<Socket> {
    let domain = if addr.is_ipv6() {
        Domain::IPV6
    } else {
        Domain::IPV4
    };
    let sock = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    sock.set_reuse_address(true)?;
    sock.set_reuse_port(true)?;
    if addr.is_ipv6() {
        sock.set_only_v6(true)?;
    }
    if config.tcp_fastopen > 0 {
        setsockopt_int(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_FASTOPEN,
            config.tcp_fastopen as i32,
        )?;
    }
    if config.tcp_defer_accept {
        setsockopt_int(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_DEFER_ACCEPT,
            1,
        )?;
    }
    sock.bind(&addr.into())?;
    sock.listen(config.tcp_backlog.min(i32::MAX as u32) as i32)?;
    sock.set_nonblocking(true)?;
    Ok(sock)
}

/// Creates `shards` listening sockets per bind address. Returns them grouped by shard, and
/// the port in use. The error text is what Redis prints.
pub fn bind_all(config: &Config, shards: usize) -> Result<(Vec<Vec<Socket>>, u16), String> {
    let mut per_shard: Vec<Vec<Socket>> = (0..shards).map(|_| Vec::new()).collect();
    let mut port = config.port;
    // As in Redis, port 0 with a unix socket means "no TCP". Without one, Redis would refuse
    // to start; corekv instead lets the kernel pick a free port (logged at start-up), which is
    // what tests on ephemeral ports need.
    if port == 0 && config.unixsocket.is_some() {
        return Ok((per_shard, 0));
    }
    for spec in &config.bind {
        let Some(b) = parse_bind(spec) else {
            return Err(format!(
                "Failed listening on port {port} (tcp), aborting: invalid bind address '{spec}'"
            ));
        };
        let mut created = Vec::with_capacity(shards);
        let mut failure = None;
        for _ in 0..shards {
            match listen_socket(SocketAddr::new(b.ip, port), config) {
                Ok(s) => {
                    if port == 0 {
                        port = s
                            .local_addr()
                            .ok()
                            .and_then(|a| a.as_socket())
                            .map(|a| a.port())
                            .unwrap_or(0);
                    }
                    created.push(s);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        match failure {
            None => {
                for (i, s) in created.into_iter().enumerate() {
                    per_shard[i].push(s);
                }
            }
            Some(e) if b.optional => {
                tracing::warn!(
                    "Could not create server TCP listening socket {}:{port}: {e}",
                    b.text
                );
            }
            Some(e) => {
                return Err(format!(
                    "Warning: Could not create server TCP listening socket {}:{port}: bind: {e}\n\
                     Failed listening on port {port} (tcp), aborting.",
                    b.text
                ));
            }
        }
    }
    if per_shard.iter().all(|v| v.is_empty()) {
        return Err(format!("Failed listening on port {port} (tcp), aborting."));
    }
    Ok((per_shard, port))
}

/// Takes ownership of a listening socket created by [`bind_all`] as a plain descriptor.
pub fn into_owned(sock: Socket) -> std::os::fd::OwnedFd {
    let fd = sock.into_raw_fd();
    // SAFETY: `fd` was just released by `sock` (into_raw_fd), so the returned OwnedFd is its
    // sole owner and closes it on drop.
    unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }
}

/// Options Redis sets on accepted client sockets, plus our opt-in ones.
pub fn tune_client_socket(fd: &impl AsRawFd, config: &Config) {
    let sock = SockRef::from(fd);
    let _ = sock.set_nodelay(true);
    if config.tcp_keepalive > 0 {
        let idle = Duration::from_secs(config.tcp_keepalive);
        let interval = Duration::from_secs((config.tcp_keepalive / 3).max(1));
        let ka = TcpKeepalive::new()
            .with_time(idle)
            .with_interval(interval)
            .with_retries(3);
        let _ = sock.set_tcp_keepalive(&ka);
    }
    if config.tcp_quickack {
        let _ = sock.set_quickack(true);
    }
}

/// `ip:port`, with IPv6 addresses in brackets, as CLIENT LIST shows them.
pub fn format_addr(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => format!("{}:{}", v4, a.port()),
            None => format!("[{}]:{}", a.ip(), a.port()),
        },
    }
}

/// Whether a peer is on the loopback interface (protected mode, DEBUG `local`).
pub fn is_loopback(addr: &SocketAddr) -> bool {
    match addr.ip() {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v| v.is_loopback()),
    }
}
