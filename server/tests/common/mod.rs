//! The harness of the end-to-end tests: start the real `corekv-server` binary on an ephemeral
//! port, talk to it with the `redis` crate ([`Server::client`]) and with raw RESP bytes
//! ([`Server::raw`]), pick keys owned by a given shard, and stop it again.
//!
//! Every server is a child process of the test that started it; it is stopped by its PID
//! (SIGTERM, then SIGKILL after 5 s) when the [`Server`] is dropped.
#![allow(dead_code)] // reason: each test file uses a different part of the harness
#![allow(clippy::unwrap_used)] // reason: test code; a failed step should fail the test

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use corekv_proto::Frame;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Shards every test server runs with.
pub const SHARDS: usize = 2;
/// How long a reply may take before the test fails instead of hanging.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
const START_TIMEOUT: Duration = Duration::from_secs(10);

pub const BIN: &str = env!("CARGO_BIN_EXE_corekv-server");

/// The arguments every test server starts with, before the test's own.
fn base_args() -> Vec<String> {
    [
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        "--shards",
        "2",
        "--save",
        "",
        "--enable-debug-command",
        "yes",
        "--loglevel",
        "verbose",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "corekv-itest-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lines a child wrote, collected by a thread.
type Lines = Arc<Mutex<Vec<String>>>;

fn drain<R: Read + Send + 'static>(r: R, lines: Lines, ready: Option<mpsc::Sender<u16>>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(r);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            if let Some(tx) = &ready {
                if let Some(i) = text.find("Ready to accept connections tcp port=") {
                    let port = text[i + "Ready to accept connections tcp port=".len()..]
                        .trim()
                        .parse()
                        .unwrap_or(0);
                    let _ = tx.send(port);
                }
            }
            lines.lock().unwrap().push(text);
        }
    });
}

/// A running `corekv-server` child process.
pub struct Server {
    child: Child,
    pub port: u16,
    stdout: Lines,
    stderr: Lines,
    /// The working directory of the server (its `dir`), removed on drop.
    pub dir: TempDir,
}

impl Server {
    /// Starts a server with the base arguments plus `extra`.
    pub fn start(extra: &[&str]) -> Server {
        Server::start_with(None, extra)
    }

    /// Starts a server reading `config` (the first argument, like `redis-server redis.conf`),
    /// then the base arguments and `extra`.
    pub fn start_with(config: Option<&Path>, extra: &[&str]) -> Server {
        let dir = TempDir::new("srv");
        let mut args: Vec<String> = Vec::new();
        if let Some(c) = config {
            args.push(c.display().to_string());
        }
        args.extend(base_args());
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut child = Command::new(BIN)
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn corekv-server");
        let stdout: Lines = Arc::default();
        let stderr: Lines = Arc::default();
        let (tx, rx) = mpsc::channel();
        drain(child.stdout.take().unwrap(), stdout.clone(), Some(tx));
        drain(child.stderr.take().unwrap(), stderr.clone(), None);
        let port = match rx.recv_timeout(START_TIMEOUT) {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "corekv-server did not become ready: stdout={:?} stderr={:?}",
                    stdout.lock().unwrap(),
                    stderr.lock().unwrap()
                );
            }
        };
        assert_ne!(port, 0, "bad ready line: {:?}", stdout.lock().unwrap());
        Server {
            child,
            port,
            stdout,
            stderr,
            dir,
        }
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A `redis` crate connection (RESP2, no setup commands sent).
    pub fn client(&self) -> redis::Connection {
        let c = redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)).unwrap();
        let con = c
            .get_connection_with_timeout(Duration::from_secs(5))
            .expect("connect");
        con.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        con.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
        con
    }

    /// A raw RESP connection.
    pub fn raw(&self) -> Raw {
        Raw::connect(self.port)
    }

    /// A raw connection that the kernel handed to `shard` (found by watching the per-shard
    /// client counts of `INFO shards` while opening connections; the others stay open until
    /// the search ends so the counts only grow).
    pub fn raw_on_shard(&self, shard: usize) -> Raw {
        let mut probe = self.raw();
        let mut others = Vec::new();
        for _ in 0..200 {
            let before = shard_clients(&mut probe);
            let mut c = self.raw();
            assert_eq!(c.roundtrip(&["PING"]), b"+PONG\r\n");
            let after = shard_clients(&mut probe);
            let grew: Vec<usize> = (0..SHARDS).filter(|&s| after[s] > before[s]).collect();
            if grew == [shard] && after[shard] == before[shard] + 1 {
                return c;
            }
            others.push(c);
        }
        panic!("no connection landed on shard {shard}");
    }

    /// Everything the server wrote to stdout (its log) so far.
    pub fn log(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until a log line contains `needle`.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> bool {
        wait_until(timeout, || {
            self.stdout
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.contains(needle))
        })
    }

    /// Sends a signal to the server.
    pub fn signal(&self, sig: Signal) {
        kill(self.pid(), sig).unwrap();
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = kill(self.pid(), Signal::SIGTERM);
        if self.wait_exit(Duration::from_secs(5)).is_none() {
            let _ = kill(self.pid(), Signal::SIGKILL);
            let _ = self.child.wait();
        }
    }
}

/// Runs the binary with `args` in `dir` to completion (for start-up failures and `--version`),
/// returning its status, stdout and stderr.
pub fn run_to_exit(args: &[&str], dir: &Path, timeout: Duration) -> (ExitStatus, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn corekv-server");
    let out: Lines = Arc::default();
    let err: Lines = Arc::default();
    drain(child.stdout.take().unwrap(), out.clone(), None);
    drain(child.stderr.take().unwrap(), err.clone(), None);
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() >= deadline {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
            let _ = child.wait();
            panic!("corekv-server {args:?} did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Let the drain threads see EOF.
    std::thread::sleep(Duration::from_millis(50));
    let out = out.lock().unwrap().join("\n");
    let err = err.lock().unwrap().join("\n");
    (status, out, err)
}

/// Polls `f` every 10 ms until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Encodes a command as a RESP multibulk.
pub fn encode<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// How a read of a reply ended, when it did not produce one.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadEnd {
    /// The server closed the connection (EOF or reset).
    Closed,
    /// Nothing complete arrived within the timeout.
    Timeout,
}

/// A raw TCP connection speaking RESP bytes.
pub struct Raw {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    pub fn connect(port: u16) -> Raw {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Raw {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn set_timeout(&self, t: Duration) {
        self.stream.set_read_timeout(Some(t)).unwrap();
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write to server");
    }

    /// Sends; returns false if the server closed the connection (for hostile-input tests).
    pub fn try_send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// Sends one command as a multibulk.
    pub fn send_cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        let bytes = encode(args);
        self.send(&bytes);
    }

    /// Reads exactly one complete reply (its wire bytes); panics on EOF or timeout.
    pub fn read_reply(&mut self) -> Vec<u8> {
        match self.try_read_reply() {
            Ok(r) => r,
            Err(e) => panic!(
                "no reply ({e:?}); buffered: {:?}",
                String::from_utf8_lossy(&self.buf[..self.buf.len().min(300)])
            ),
        }
    }

    /// Reads one complete reply, or says why none came.
    pub fn try_read_reply(&mut self) -> Result<Vec<u8>, ReadEnd> {
        let mut chunk = vec![0u8; 256 * 1024];
        loop {
            if !self.buf.is_empty() {
                match Frame::decode(&self.buf) {
                    Ok(Some((_, n))) => return Ok(self.buf.drain(..n).collect()),
                    Ok(None) => {}
                    Err(e) => panic!(
                        "server sent invalid RESP ({e}): {:?}",
                        String::from_utf8_lossy(&self.buf[..self.buf.len().min(300)])
                    ),
                }
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(ReadEnd::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(ReadEnd::Timeout)
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(ReadEnd::Closed),
            }
        }
    }

    /// Reads one reply and decodes it.
    pub fn read_frame(&mut self) -> Frame {
        let bytes = self.read_reply();
        Frame::decode(&bytes).unwrap().unwrap().0
    }

    /// Sends a command and reads its reply.
    pub fn roundtrip<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Vec<u8> {
        self.send_cmd(args);
        self.read_reply()
    }

    /// Sends a command and returns its reply decoded.
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Frame {
        self.send_cmd(args);
        self.read_frame()
    }

    /// Sends a command and returns its reply as text (for assertion messages and contains).
    pub fn text<A: AsRef<[u8]>>(&mut self, args: &[A]) -> String {
        String::from_utf8_lossy(&self.roundtrip(args)).into_owned()
    }

    /// Asserts that the server closes the connection (within the read timeout) without
    /// sending anything more.
    pub fn expect_closed(&mut self) {
        match self.try_read_reply() {
            Err(ReadEnd::Closed) => {}
            other => panic!("expected the server to close the connection, got {other:?}"),
        }
    }

    /// Asserts that nothing arrives within `t`.
    pub fn expect_silence(&mut self, t: Duration) {
        self.set_timeout(t);
        let r = self.try_read_reply();
        self.set_timeout(READ_TIMEOUT);
        assert_eq!(r, Err(ReadEnd::Timeout), "expected no reply");
    }

    /// `INFO <section>` as text.
    pub fn info(&mut self, section: &str) -> String {
        let f = if section.is_empty() {
            self.call(&["INFO"])
        } else {
            self.call(&["INFO", section])
        };
        String::from_utf8(f.as_bytes().expect("INFO reply").to_vec()).unwrap()
    }

    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

/// `connected_clients` of each shard, from `INFO shards`.
pub fn shard_clients(con: &mut Raw) -> Vec<usize> {
    let info = con.info("shards");
    let mut out = vec![0; SHARDS];
    for line in info.lines() {
        let Some(rest) = line.strip_prefix("shard") else {
            continue;
        };
        let Some((id, fields)) = rest.split_once(':') else {
            continue;
        };
        let id: usize = id.parse().unwrap();
        for f in fields.split(',') {
            if let Some(v) = f.strip_prefix("connected_clients=") {
                out[id] = v.parse().unwrap();
            }
        }
    }
    out
}

/// The shard owning `key` on a server with [`SHARDS`] shards.
pub fn shard_of(key: &str) -> usize {
    corekv_shard::slot::key_shard(key.as_bytes(), SHARDS)
}

/// `n` distinct keys `prefix:i` owned by `shard`.
pub fn keys_on(shard: usize, prefix: &str, n: usize) -> Vec<String> {
    (0..)
        .map(|i| format!("{prefix}:{i}"))
        .filter(|k| shard_of(k) == shard)
        .take(n)
        .collect()
}

/// One key `prefix:i` owned by `shard`.
pub fn key_on(shard: usize, prefix: &str) -> String {
    keys_on(shard, prefix, 1).remove(0)
}

/// A hash tag `{...}` whose keys land on `shard`.
pub fn tag_on(shard: usize, prefix: &str) -> String {
    (0..)
        .map(|i| format!("{{{prefix}{i}}}"))
        .find(|t| shard_of(t) == shard)
        .unwrap()
}

/// A value of the `INFO` field `name` (`name:value` line), if present.
pub fn info_field(info: &str, name: &str) -> Option<String> {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
}

/// Runs a command through the `redis` crate and returns the raw value.
pub fn query<T: redis::FromRedisValue>(con: &mut redis::Connection, args: &[&str]) -> T {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con)
        .unwrap_or_else(|e| panic!("{args:?} failed: {e}"))
}

/// A small deterministic generator (xorshift64*), so the tests need no `rand`.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}
