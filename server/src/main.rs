//! `corekv-server [redis.conf] [--directive value ...]`: a Redis 7.0-compatible server that runs
//! one glommio executor per shard, each pinned to a CPU and owning a slice of the keyspace.
//!
//! The main thread parses the configuration, sets up logging, creates the listening sockets
//! and the cross-shard channel meshes, starts one executor thread per shard and waits for them.
//! A separate thread waits for SIGTERM/SIGINT and raises the shutdown flag.
//! See docs/ARCHITECTURE.md.

mod alloc;
mod blocking;
mod client;
mod config;
mod conn;
mod dispatch;
mod global;
mod handlers;
mod logging;
mod mesh;
mod net;
mod oneshot;
mod poller;
mod runtime;
mod stats;

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use glommio::{LocalExecutorBuilder, Placement};
use tracing::{error, info, warn};

use crate::config::Config;
use crate::global::Global;
use crate::mesh::{Endpoints, Mesh};
use crate::runtime::Runtime;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

fn main() {
    // Before any thread exists, so that every thread inherits the mask and only the signal
    // thread ever receives SIGTERM/SIGINT.
    let signals = block_signals();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(line) = Config::version_requested(&args) {
        println_version(&line);
        return;
    }
    let names: Vec<&str> = corekv_shard::cmd::all_commands().map(|d| d.name).collect();
    let config = match Config::from_args_with(&args, Some(&names), &mut std::io::stdin()) {
        Ok(c) => c,
        Err(msg) => {
            eprintln_raw(&msg);
            std::process::exit(1);
        }
    };
    // Like Redis: data files, the log file and the unix socket are relative to `dir`.
    if let Err(e) = std::env::set_current_dir(&config.dir) {
        eprintln_raw(&format!("Can't chdir to '{}': {e}", config.dir));
        std::process::exit(1);
    }
    if config.daemonize {
        if let Err(e) = nix::unistd::daemon(true, false) {
            eprintln_raw(&format!("Can't daemonize: {e}"));
            std::process::exit(1);
        }
    }
    if let Err(e) = logging::init(&config) {
        eprintln_raw(&e);
        std::process::exit(1);
    }
    let pidfile = write_pidfile(&config);
    let status = run(config, signals);
    if let Some(p) = pidfile {
        let _ = std::fs::remove_file(p);
    }
    std::process::exit(status);
}

/// Writes the pid file (Redis writes one when asked, or when daemonized with the default path).
fn write_pidfile(config: &Config) -> Option<String> {
    let path = if !config.pidfile.is_empty() {
        config.pidfile.clone()
    } else if config.daemonize {
        "/var/run/redis.pid".to_string()
    } else {
        return None;
    };
    match std::fs::write(&path, format!("{}\n", std::process::id())) {
        Ok(()) => Some(path),
        Err(e) => {
            warn!("Failed to write PID file: {e}");
            None
        }
    }
}

#[allow(clippy::print_stdout)] // reason: --version prints to stdout like redis-server
fn println_version(line: &str) {
    println!("{line} (corekv {})", env!("CARGO_PKG_VERSION"));
}

#[allow(clippy::print_stderr)] // reason: fatal start-up errors, before logging exists
fn eprintln_raw(msg: &str) {
    eprintln!("{msg}");
}

/// The CPUs this process may run on.
fn usable_cpus() -> Vec<usize> {
    match nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)) {
        Ok(set) => (0..nix::sched::CpuSet::count())
            .filter(|&c| set.is_set(c).unwrap_or(false))
            .collect(),
        Err(_) => (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect(),
    }
}

/// Starts the shards and waits for them. Returns the process exit status.
fn run(mut config: Config, signals: Option<nix::sys::signal::SigSet>) -> i32 {
    let cpus = usable_cpus();
    let nshards = if config.shards == 0 {
        cpus.len().max(1)
    } else {
        config.shards
    };
    info!(
        "corekv {} starting (Redis {} compatible), pid={}, {} shard(s)",
        env!("CARGO_PKG_VERSION"),
        global::REDIS_VERSION,
        std::process::id(),
        nshards
    );
    if let Err(msg) = preflight(&config) {
        error!("{msg}");
        return 1;
    }
    let (listeners, port) = match net::bind_all(&config, nshards) {
        Ok(l) => l,
        Err(msg) => {
            warn!("{msg}");
            return 1;
        }
    };
    let global = Arc::new(Global::new(
        nshards,
        config.config_file().map(|p| p.to_path_buf()),
        cpus.clone(),
    ));
    global
        .tcp_port
        .store(port as usize, std::sync::atomic::Ordering::Relaxed);
    // `port 0` asked the kernel for a port: report the real one (CONFIG GET, INFO).
    config.port = port;
    if let Some(set) = signals {
        spawn_signal_thread(global.clone(), set);
    }

    let endpoints = match mesh::build(nshards) {
        Ok(e) => e,
        Err(e) => {
            error!("Cannot create the shards' wake-up descriptors: {e}");
            return 1;
        }
    };
    let mut handles = Vec::with_capacity(nshards);
    for ((id, ep), socks) in endpoints.into_iter().enumerate().zip(listeners) {
        let placement = match runtime::shard_cpu(&cpus, id) {
            Some(cpu) if config.shard_cpu_affinity => Placement::Fixed(cpu),
            _ => Placement::Unbound,
        };
        let config = config.clone();
        let shard_global = global.clone();
        let builder = LocalExecutorBuilder::new(placement)
            .name(&format!("shard-{id}"))
            .io_memory(config.io_memory as usize);
        match builder.spawn(move || shard_main(id, config, shard_global, ep, socks)) {
            Ok(h) => handles.push(h),
            Err(e) => {
                error!("Could not start shard {id}: {e}");
                global.request_shutdown();
                return 1;
            }
        }
    }
    info!("Ready to accept connections tcp port={port}");
    let mut status = 0;
    for (id, h) in handles.into_iter().enumerate() {
        if let Err(e) = h.join() {
            error!("Shard {id} failed: {e}");
            global.request_shutdown();
            status = 1;
        }
    }
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
    }
    warn!("corekv is now ready to exit, bye bye...");
    // Give the log writer a moment to drain.
    std::thread::sleep(Duration::from_millis(50));
    status
}

/// Creates and drops one executor on the main thread, so that a kernel that refuses glommio
/// (locked-memory limit, io_uring disabled) produces a clear message instead of a panic.
fn preflight(config: &Config) -> Result<(), String> {
    let limit = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_MEMLOCK)
        .map(|(soft, _)| soft)
        .unwrap_or(0);
    match LocalExecutorBuilder::new(Placement::Unbound)
        .io_memory(config.io_memory as usize)
        .make()
    {
        Ok(ex) => {
            drop(ex);
            Ok(())
        }
        Err(e) => Err(format!(
            "Cannot start the io_uring executor: {e}. glommio needs locked memory for its \
             rings and buffers: the locked-memory limit (RLIMIT_MEMLOCK) is {limit} bytes. \
             Raise it (`ulimit -l unlimited`, `LimitMEMLOCK=infinity` in a systemd unit, or \
             memlock in /etc/security/limits.conf), or lower `io-memory` (now {} bytes); \
             also check that io_uring is enabled (sysctl kernel.io_uring_disabled=0).",
            config.io_memory
        )),
    }
}

/// Blocks SIGTERM/SIGINT in the calling thread; threads created afterwards inherit the mask.
fn block_signals() -> Option<nix::sys::signal::SigSet> {
    use nix::sys::signal::{SigSet, SigmaskHow, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGINT);
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&set), None)
        .ok()
        .map(|_| set)
}

/// Waits for SIGTERM/SIGINT on a thread of its own and turns them into a clean shutdown.
fn spawn_signal_thread(global: Arc<Global>, set: nix::sys::signal::SigSet) {
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            if let Ok(sig) = set.wait() {
                warn!("Received {sig:?}, scheduling shutdown...");
                global.request_shutdown();
            }
        });
    if spawned.is_err() {
        warn!("Could not start the signal thread");
    }
}

async fn shard_main(
    id: usize,
    config: Config,
    global: Arc<Global>,
    ep: Endpoints,
    socks: Vec<socket2::Socket>,
) {
    let mesh = Mesh::connect(ep).await;
    if config.shard_sched_batch {
        runtime::set_sched_batch(true);
    }
    let config = Rc::new(config);
    let rt = Runtime::new(id, config.clone(), global, mesh);
    rt.spawn_inbound();
    let poller = match poller::Poller::new() {
        Ok(p) => p,
        Err(e) => {
            error!("Cannot create the epoll instance of shard {id}: {e}");
            rt.global.request_shutdown();
            return;
        }
    };
    glommio::spawn_local(rt.clone().hot_loop(poller.clone())).detach();
    let mut accept_tasks = Vec::new();
    for s in socks {
        match poller::Listener::new(&poller, net::into_owned(s)) {
            Ok(l) => {
                let (rt, poller) = (rt.clone(), poller.clone());
                accept_tasks.push(glommio::spawn_local(accept_loop(rt, poller, l, None)));
            }
            Err(e) => {
                error!("Cannot listen on shard {id}: {e}");
                rt.global.request_shutdown();
            }
        }
    }
    if id == 0 {
        if let Some(path) = &config.unixsocket {
            match bind_unix(path, config.unixsocketperm)
                .and_then(|fd| poller::Listener::new(&poller, fd))
            {
                Ok(l) => {
                    let (rt, poller) = (rt.clone(), poller.clone());
                    let path = Some(path.clone());
                    accept_tasks.push(glommio::spawn_local(accept_loop(rt, poller, l, path)));
                }
                Err(e) => {
                    error!("Failed opening Unix socket: {e}");
                    rt.global.request_shutdown();
                }
            }
        }
    }
    rt.clone().cron().await;
    // Shutdown: stop accepting, close connections, let them finish, leave.
    drop(accept_tasks);
    rt.close_all_clients();
    for _ in 0..100 {
        if rt.clients.borrow().is_empty() {
            break;
        }
        glommio::timer::sleep(Duration::from_millis(10)).await;
    }
    rt.mesh.close();
}

/// Accepts connections on one listener (TCP, or the unix socket at `unix_path`) and spawns a
/// task for each.
async fn accept_loop(
    rt: Rc<Runtime>,
    poller: Rc<poller::Poller>,
    listener: poller::Listener,
    unix_path: Option<String>,
) {
    loop {
        match listener.accept().await {
            Ok(fd) => serve_accepted(&rt, &poller, fd, unix_path.as_deref()),
            Err(e) => {
                // Out of descriptors and the like: Redis logs and goes on too.
                warn!("Accepting client connection: {e}");
                glommio::timer::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Sets up an accepted connection and spawns its task.
fn serve_accepted(
    rt: &Rc<Runtime>,
    poller: &Rc<poller::Poller>,
    fd: std::os::fd::OwnedFd,
    unix_path: Option<&str>,
) {
    let peer = match unix_path {
        Some(path) => conn::Peer {
            addr: format!("{path}:0"),
            laddr: format!("{path}:0"),
            unix: true,
            local: true,
            fd: std::os::fd::AsRawFd::as_raw_fd(&fd),
        },
        None => {
            net::tune_client_socket(&fd, &rt.config());
            let sock = socket2::SockRef::from(&fd);
            let peer_addr = sock.peer_addr().ok().and_then(|a| a.as_socket());
            let local_addr = sock.local_addr().ok().and_then(|a| a.as_socket());
            conn::Peer {
                addr: peer_addr.as_ref().map(net::format_addr).unwrap_or_default(),
                laddr: local_addr
                    .as_ref()
                    .map(net::format_addr)
                    .unwrap_or_default(),
                unix: false,
                local: peer_addr.as_ref().is_some_and(net::is_loopback),
                fd: std::os::fd::AsRawFd::as_raw_fd(&fd),
            }
        }
    };
    match poller::Socket::new(poller, fd) {
        Ok(stream) => {
            glommio::spawn_local(conn::serve(rt.clone(), stream, peer)).detach();
        }
        Err(e) => warn!("Registering client connection: {e}"),
    }
}

/// Binds the unix socket (non-blocking, listening), removing a stale file first as Redis does.
fn bind_unix(path: &str, perm: u32) -> std::io::Result<std::os::fd::OwnedFd> {
    let _ = std::fs::remove_file(path);
    let l = std::os::unix::net::UnixListener::bind(path)?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))?;
    }
    Ok(l.into())
}
