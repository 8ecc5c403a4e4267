//! The data-type families through the real server, with keys on different shards and on the
//! same shard: every multi-key command of lists, sets, sorted sets, HyperLogLog, geo and SORT
//! (each run over every placement of its keys on the two shards, and once with all keys sharing
//! a hash tag), the generic commands on each type across shards (TYPE, OBJECT ENCODING, COPY,
//! RENAME, DEL, EXISTS, SCAN TYPE), RESP3 reply shapes, pipelines mixing both shards, and
//! cross-shard stores waking blocked clients.
//!
//! Replies are compared exactly, as rendered by [`render`] from the decoded frame (every RESP
//! type keeps its own notation, so a bulk `"1"` never passes for an integer `:1`).
//!
//! The expected replies are those of Redis 7.0.15. To check them against a real one, run a
//! throwaway `redis-server` (it is flushed) and point the tests at it; every command then goes
//! to both servers and the Redis reply must be the expected one too (byte for byte where the
//! order is deterministic):
//! `COREKV_TYPES_REDIS_PORT=<port> cargo test -p corekv-server --test types -- --test-threads=1`
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::collections::HashSet;
use std::thread;
use std::time::Duration;

use common::{info_field, key_on, tag_on, wait_until, Raw, Server};
use corekv_proto::Frame;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// A compact, injective rendering of a reply: `+OK`, `-ERR ..`, `:3`, `"bulk"`, `$-1` (null
/// bulk), `*-1` (null array), `_` (RESP3 null), `,1.5` (double), `[a, b]` (array), `~[..]`
/// (set), `{k: v}` (map), `#t`.
fn render(f: &Frame) -> String {
    fn list(v: &[Frame]) -> String {
        v.iter().map(render).collect::<Vec<_>>().join(", ")
    }
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match f {
        Frame::Simple(s) => format!("+{}", lossy(s)),
        Frame::Error(s) => format!("-{}", lossy(s)),
        Frame::Integer(n) => format!(":{n}"),
        Frame::Bulk(b) => format!("{:?}", lossy(b)),
        Frame::NullBulk => "$-1".into(),
        Frame::NullArray => "*-1".into(),
        Frame::Null => "_".into(),
        Frame::Boolean(b) => if *b { "#t" } else { "#f" }.into(),
        Frame::Double(d) => format!(",{d}"),
        Frame::BigNumber(n) => format!("({n}"),
        Frame::BlobError(b) => format!("!{}", lossy(b)),
        Frame::Verbatim { format, data } => format!("={}:{}", lossy(format), lossy(data)),
        Frame::Array(v) => format!("[{}]", list(v)),
        Frame::Set(v) => format!("~[{}]", list(v)),
        Frame::Push(v) => format!(">[{}]", list(v)),
        Frame::Map(kv) => format!(
            "{{{}}}",
            kv.iter()
                .map(|(k, v)| format!("{}: {}", render(k), render(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Frame::Attribute { attrs, value } => {
            format!("|{} {}", render(&Frame::Map(attrs.clone())), render(value))
        }
    }
}

/// [`render`] with the top-level elements of an array, set or map sorted (for replies whose
/// order Redis leaves to its hash tables).
fn render_sorted(f: &Frame) -> String {
    let sorted = |v: &[Frame]| {
        let mut r: Vec<String> = v.iter().map(render).collect();
        r.sort();
        r.join(", ")
    };
    match f {
        Frame::Array(v) => format!("[{}]", sorted(v)),
        Frame::Set(v) => format!("~[{}]", sorted(v)),
        Frame::Map(kv) => {
            let mut r: Vec<String> = kv
                .iter()
                .map(|(k, v)| format!("{}: {}", render(k), render(v)))
                .collect();
            r.sort();
            format!("{{{}}}", r.join(", "))
        }
        other => render(other),
    }
}

/// The port of a throwaway Redis to compare with, if the run asks for one.
fn redis_port() -> Option<u16> {
    std::env::var("COREKV_TYPES_REDIS_PORT")
        .ok()
        .map(|p| p.parse().expect("COREKV_TYPES_REDIS_PORT"))
}

/// corekv's reply (decoded and raw) and, in comparison runs, Redis's.
type Sent = (Frame, Vec<u8>, Option<(Frame, Vec<u8>)>);

/// One test's connections: corekv, and a real Redis in comparison runs. Mismatches are
/// collected and reported together when the test ends.
struct T {
    /// Kept alive for the test's duration.
    srv: Server,
    c: Raw,
    redis: Option<Raw>,
    fails: Vec<String>,
}

impl T {
    /// A fresh server, with the test's connection on shard 0 (so keys on shard 0 run inline,
    /// keys on shard 1 remotely).
    fn new() -> T {
        let srv = Server::start(&[]);
        let c = srv.raw_on_shard(0);
        let redis = redis_port().map(|p| {
            let mut r = Raw::connect(p);
            assert_eq!(r.roundtrip(&["FLUSHALL"]), b"+OK\r\n");
            r
        });
        T {
            srv,
            c,
            redis,
            fails: Vec::new(),
        }
    }

    fn fail(&mut self, msg: String) {
        self.fails.push(msg);
    }

    /// Sends `cmd` to corekv (and Redis) and returns corekv's reply.
    fn send(&mut self, cmd: &[&str]) -> Sent {
        let bytes = self.c.roundtrip(cmd);
        let f = Frame::decode(&bytes).unwrap().unwrap().0;
        let r = self.redis.as_mut().map(|r| {
            let b = r.roundtrip(cmd);
            (Frame::decode(&b).unwrap().unwrap().0, b)
        });
        (f, bytes, r)
    }

    /// Asserts the exact reply (rendered) of `cmd`.
    fn is(&mut self, cmd: &[&str], want: &str) {
        let (f, bytes, r) = self.send(cmd);
        let got = render(&f);
        if got != want {
            self.fail(format!("{cmd:?}\n   expected {want}\n     corekv {got}"));
        }
        if let Some((rf, rb)) = r {
            let rgot = render(&rf);
            if rgot != want {
                self.fail(format!("{cmd:?}\n   expected {want}\n      REDIS {rgot}"));
            } else if rb != bytes && got == want {
                self.fail(format!(
                    "{cmd:?}: bytes differ\n     corekv {:?}\n      redis {:?}",
                    String::from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(&rb)
                ));
            }
        }
    }

    /// Like [`T::is`] for a reply whose top-level order is unspecified: `want` lists the
    /// elements sorted.
    fn unordered(&mut self, cmd: &[&str], want: &str) {
        let (f, _, r) = self.send(cmd);
        let got = render_sorted(&f);
        if got != want {
            self.fail(format!("{cmd:?}\n   expected {want}\n     corekv {got}"));
        }
        if let Some((rf, _)) = r {
            let rgot = render_sorted(&rf);
            if rgot != want {
                self.fail(format!("{cmd:?}\n   expected {want}\n      REDIS {rgot}"));
            }
        }
    }

    /// Runs commands whose replies are not under test (set-up).
    fn run(&mut self, cmds: &[&[&str]]) {
        for cmd in cmds {
            let (f, _, _) = self.send(cmd);
            if let Frame::Error(e) = f {
                self.fail(format!(
                    "set-up {cmd:?} failed: {}",
                    String::from_utf8_lossy(&e)
                ));
            }
        }
    }

    /// Asserts that `key`'s PTTL is within `lo..=hi` ms.
    fn pttl_in(&mut self, key: &str, lo: i64, hi: i64) {
        let (f, _, r) = self.send(&["PTTL", key]);
        for (who, f) in [("corekv", Some(f)), ("REDIS", r.map(|r| r.0))] {
            let Some(f) = f else { continue };
            match f {
                Frame::Integer(n) if (lo..=hi).contains(&n) => {}
                other => self.fail(format!(
                    "PTTL {key}: {who} {} not in {lo}..={hi}",
                    render(&other)
                )),
            }
        }
    }

    /// Sends `cmds` as one pipeline and asserts the replies in order.
    fn pipeline(&mut self, cmds: &[Vec<String>], want: &[&str]) {
        assert_eq!(cmds.len(), want.len());
        let mut bytes = Vec::new();
        for c in cmds {
            bytes.extend(common::encode(c));
        }
        let mut conns: Vec<(&str, &mut Raw)> = vec![("corekv", &mut self.c)];
        if let Some(r) = self.redis.as_mut() {
            conns.push(("REDIS", r));
        }
        let mut fails = Vec::new();
        for (who, conn) in conns {
            conn.send(&bytes);
            for (cmd, w) in cmds.iter().zip(want) {
                let got = render(&conn.read_frame());
                if got != *w {
                    fails.push(format!(
                        "pipelined {cmd:?}\n   expected {w}\n     {who} {got}"
                    ));
                }
            }
        }
        self.fails.extend(fails);
    }

    /// Switches both connections to RESP3.
    fn hello3(&mut self) {
        let _ = self.send(&["HELLO", "3"]);
    }
}

impl Drop for T {
    fn drop(&mut self) {
        if !self.fails.is_empty() && !thread::panicking() {
            panic!(
                "{} mismatch(es):\n{}",
                self.fails.len(),
                self.fails.join("\n")
            );
        }
    }
}

/// Where a scenario's keys live: key `i` on shard `v[i]`, or all behind one hash tag on a
/// shard.
#[derive(Debug, Clone)]
enum Layout {
    Shards(Vec<usize>),
    Tag(usize),
}

/// Every placement of `n` keys on the two shards, plus all of them behind a tag on either.
fn layouts(n: usize) -> Vec<Layout> {
    let mut out: Vec<Layout> = (0..1usize << n)
        .map(|bits| Layout::Shards((0..n).map(|i| (bits >> i) & 1).collect()))
        .collect();
    out.push(Layout::Tag(0));
    out.push(Layout::Tag(1));
    out
}

/// The key names of `layout` for a scenario named `name` (its `i`th in the run).
fn names(name: &str, idx: usize, layout: &Layout, n: usize) -> Vec<String> {
    match layout {
        Layout::Shards(v) => (0..n)
            .map(|i| key_on(v[i], &format!("{name}{idx}k{i}")))
            .collect(),
        Layout::Tag(s) => {
            let t = tag_on(*s, &format!("{name}{idx}"));
            (0..n).map(|i| format!("{t}k{i}")).collect()
        }
    }
}

/// Runs `scenario` once per layout of `n` keys.
fn each_layout(t: &mut T, name: &str, n: usize, scenario: impl Fn(&mut T, &[String])) {
    for (idx, l) in layouts(n).iter().enumerate() {
        let before = t.fails.len();
        let keys = names(name, idx, l, n);
        scenario(t, &keys);
        for f in &mut t.fails[before..] {
            *f = format!("[{name} {l:?}] {f}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sets
// ---------------------------------------------------------------------------------------------

#[test]
fn set_algebra_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "sa", 3, |t, k| {
        let (a, b, d) = (k[0].as_str(), k[1].as_str(), k[2].as_str());
        t.is(&["SADD", a, "1", "2", "3", "4"], ":4");
        t.is(&["SADD", b, "5", "4", "3"], ":3");
        // Integer sets: intsets, so even Redis's order is fixed.
        t.is(&["SINTER", a, b], r#"["3", "4"]"#);
        t.is(&["SINTER", b, a], r#"["3", "4"]"#);
        t.is(&["SUNION", a, b], r#"["1", "2", "3", "4", "5"]"#);
        t.is(&["SDIFF", a, b], r#"["1", "2"]"#);
        t.is(&["SDIFF", b, a], r#"["5"]"#);
        t.is(&["SDIFF", a, d], r#"["1", "2", "3", "4"]"#);
        t.is(&["SINTER", a, d], "[]");
        t.is(&["SINTERCARD", "2", a, b], ":2");
        t.is(&["SINTERCARD", "2", b, a, "LIMIT", "1"], ":1");
        t.is(&["SINTERCARD", "3", a, b, d], ":0");
        // STORE forms: the destination is replaced (type and TTL too).
        t.run(&[&["SET", d, "str", "EX", "100"]]);
        t.is(&["SINTERSTORE", d, a, b], ":2");
        t.is(&["TTL", d], ":-1");
        t.is(&["SMEMBERS", d], r#"["3", "4"]"#);
        t.is(&["OBJECT", "ENCODING", d], r#""intset""#);
        t.is(&["SUNIONSTORE", d, a, b], ":5");
        t.is(&["SMEMBERS", d], r#"["1", "2", "3", "4", "5"]"#);
        t.is(&["SDIFFSTORE", d, b, a], ":1");
        t.is(&["SMEMBERS", d], r#"["5"]"#);
        // The destination may be a source.
        t.is(&["SUNIONSTORE", d, d, a], ":5");
        t.is(&["SINTERSTORE", d, d, b], ":3");
        t.is(&["SMEMBERS", d], r#"["3", "4", "5"]"#);
        // An empty result deletes the destination.
        t.run(&[&["EXPIRE", d, "100"]]);
        t.is(&["SDIFFSTORE", d, b, a, d], ":0");
        t.is(&["EXISTS", d], ":0");
        t.run(&[&["SET", d, "x"]]);
        t.is(&["SINTERSTORE", d, a, "nokey-sa"], ":0");
        t.is(&["EXISTS", d], ":0");
        // Strings: hashtables, whose order is Redis's hash order.
        t.run(&[
            &["DEL", a, b],
            &["SADD", a, "x", "y", "z", "q"],
            &["SADD", b, "y", "z", "w"],
        ]);
        t.unordered(&["SINTER", a, b], r#"["y", "z"]"#);
        t.unordered(&["SUNION", b, a], r#"["q", "w", "x", "y", "z"]"#);
        t.unordered(&["SDIFF", a, b], r#"["q", "x"]"#);
        t.is(&["SUNIONSTORE", d, a, b], ":5");
        t.is(&["OBJECT", "ENCODING", d], r#""hashtable""#);
        t.is(&["SCARD", d], ":5");
        t.is(&["SINTERCARD", "2", a, b], ":2");
        // Mixed: an intset and a hashtable.
        t.run(&[&["DEL", d], &["SADD", d, "1", "y", "7"]]);
        t.unordered(&["SINTER", d, b], r#"["y"]"#);
        t.is(&["SDIFFSTORE", d, d, b], ":2");
        t.is(&["OBJECT", "ENCODING", d], r#""intset""#);
        // Wrong types, wherever the offending key is.
        t.run(&[&["DEL", d], &["SET", d, "str"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(&["SINTER", a, d], wrongtype);
        t.is(&["SUNION", d, a], wrongtype);
        t.is(&["SDIFF", a, d], wrongtype);
        t.is(&["SINTERCARD", "2", a, d], wrongtype);
        t.is(&["SINTERSTORE", a, b, d], wrongtype);
        t.is(&["SCARD", a], ":4");
        t.is(
            &["SINTERCARD", "0", a],
            "-ERR numkeys should be greater than 0",
        );
        t.is(
            &["SINTERCARD", "3", a, b],
            "-ERR Number of keys can't be greater than number of args",
        );
        t.is(
            &["SINTERCARD", "2", a, b, "LIMIT", "-1"],
            "-ERR LIMIT can't be negative",
        );
        t.run(&[&["DEL", a, b, d]]);
    });
}

#[test]
fn smove_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "sm", 2, |t, k| {
        let (s, d) = (k[0].as_str(), k[1].as_str());
        t.run(&[
            &["SADD", s, "a", "b"],
            &["SADD", d, "c"],
            &["PEXPIRE", d, "100000"],
        ]);
        t.is(&["SMOVE", s, d, "a"], ":1");
        t.is(&["SMOVE", s, d, "zz"], ":0");
        // Already in the destination: removed from the source only.
        t.run(&[&["SADD", d, "b"]]);
        t.is(&["SMOVE", s, d, "b"], ":1");
        t.is(&["EXISTS", s], ":0");
        t.unordered(&["SMEMBERS", d], r#"["a", "b", "c"]"#);
        t.pttl_in(d, 90_000, 100_000);
        // Into a missing key: created, without TTL.
        t.is(&["SMOVE", d, s, "c"], ":1");
        t.is(&["SMEMBERS", s], r#"["c"]"#);
        t.is(&["TTL", s], ":-1");
        t.is(&["SMOVE", "nosuchkey-sm", s, "c"], ":0");
        t.is(&["SMOVE", s, s, "c"], ":1");
        t.is(&["SMOVE", s, s, "q"], ":0");
        // Wrong types on either side; nothing moves.
        t.run(&[&["SET", "str-sm", "v"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(&["SMOVE", s, "str-sm", "c"], wrongtype);
        t.is(&["SMOVE", "str-sm", s, "c"], wrongtype);
        t.is(&["SISMEMBER", s, "c"], ":1");
        t.run(&[&["DEL", s, d, "str-sm"]]);
    });
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

#[test]
fn list_moves_and_pops_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "lm", 2, |t, k| {
        let (s, d) = (k[0].as_str(), k[1].as_str());
        t.run(&[
            &["RPUSH", s, "a", "b", "c"],
            &["RPUSH", d, "x"],
            &["PEXPIRE", d, "100000"],
        ]);
        t.is(&["LMOVE", s, d, "LEFT", "RIGHT"], r#""a""#);
        t.is(&["LRANGE", s, "0", "-1"], r#"["b", "c"]"#);
        t.is(&["LRANGE", d, "0", "-1"], r#"["x", "a"]"#);
        t.is(&["LMOVE", s, d, "RIGHT", "LEFT"], r#""c""#);
        t.is(&["RPOPLPUSH", s, d], r#""b""#);
        t.is(&["EXISTS", s], ":0");
        t.is(&["LRANGE", d, "0", "-1"], r#"["b", "c", "x", "a"]"#);
        t.pttl_in(d, 90_000, 100_000);
        t.is(&["RPOPLPUSH", s, d], "$-1");
        t.is(&["LMOVE", s, d, "LEFT", "LEFT"], "$-1");
        t.is(&["LMOVE", d, s, "LEFT", "RIGHT"], r#""b""#);
        t.is(&["TTL", s], ":-1");
        t.is(&["OBJECT", "ENCODING", s], r#""quicklist""#);
        // LMPOP: the first non-empty key in argument order.
        t.is(&["LMPOP", "2", s, d, "LEFT"], &format!(r#"["{s}", ["b"]]"#));
        t.is(&["EXISTS", s], ":0");
        t.is(
            &["LMPOP", "2", s, d, "RIGHT", "COUNT", "2"],
            &format!(r#"["{d}", ["a", "x"]]"#),
        );
        t.is(
            &["LMPOP", "2", d, s, "LEFT", "COUNT", "10"],
            &format!(r#"["{d}", ["c"]]"#),
        );
        t.is(&["LMPOP", "2", s, d, "LEFT"], "*-1");
        t.is(&["EXISTS", s, d], ":0");
        // Wrong types: nothing is popped.
        t.run(&[&["RPUSH", s, "1", "2"], &["SET", d, "str"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(&["LMOVE", s, d, "LEFT", "LEFT"], wrongtype);
        t.is(&["RPOPLPUSH", s, d], wrongtype);
        t.is(&["RPOPLPUSH", d, s], wrongtype);
        t.is(&["LMPOP", "2", d, s, "LEFT"], wrongtype);
        t.is(&["LMPOP", "2", s, d, "LEFT"], &format!(r#"["{s}", ["1"]]"#));
        t.is(&["LRANGE", s, "0", "-1"], r#"["2"]"#);
        t.is(
            &["LMPOP", "0", s, "LEFT"],
            "-ERR numkeys should be greater than 0",
        );
        t.is(&["LMPOP", "3", s, d, "LEFT"], "-ERR syntax error");
        t.is(
            &["LMPOP", "2", s, d, "LEFT", "COUNT", "0"],
            "-ERR count should be greater than 0",
        );
        t.is(&["LMPOP", "2", s, d, "UP"], "-ERR syntax error");
        t.is(&["LMOVE", s, d, "UP", "LEFT"], "-ERR syntax error");
        t.run(&[&["DEL", s, d]]);
    });
}

// ---------------------------------------------------------------------------------------------
// Sorted sets
// ---------------------------------------------------------------------------------------------

#[test]
fn zset_algebra_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "za", 3, |t, k| {
        let (a, b, d) = (k[0].as_str(), k[1].as_str(), k[2].as_str());
        t.run(&[
            &["ZADD", a, "1", "x", "2", "y", "3", "z"],
            &["ZADD", b, "10", "y", "20", "z", "30", "w"],
        ]);
        t.is(
            &["ZUNION", "2", a, b, "WITHSCORES"],
            r#"["x", "1", "y", "12", "z", "23", "w", "30"]"#,
        );
        t.is(
            &[
                "ZUNION",
                "2",
                a,
                b,
                "WEIGHTS",
                "2",
                "1",
                "AGGREGATE",
                "MAX",
                "WITHSCORES",
            ],
            r#"["x", "2", "y", "10", "z", "20", "w", "30"]"#,
        );
        t.is(&["ZUNION", "3", a, b, d], r#"["x", "y", "z", "w"]"#);
        t.is(
            &["ZINTER", "2", a, b, "AGGREGATE", "MIN", "WITHSCORES"],
            r#"["y", "2", "z", "3"]"#,
        );
        t.is(&["ZINTER", "2", b, a], r#"["y", "z"]"#);
        t.is(&["ZINTER", "3", a, b, d], "[]");
        t.is(&["ZDIFF", "2", a, b, "WITHSCORES"], r#"["x", "1"]"#);
        t.is(&["ZDIFF", "2", b, a], r#"["w"]"#);
        t.is(&["ZINTERCARD", "2", a, b], ":2");
        t.is(&["ZINTERCARD", "2", a, b, "LIMIT", "1"], ":1");
        t.is(&["ZINTERCARD", "3", a, b, d], ":0");
        // STORE forms replace the destination, type and TTL included.
        t.run(&[&["SET", d, "str", "EX", "100"]]);
        t.is(&["ZUNIONSTORE", d, "2", a, b], ":4");
        t.is(&["TTL", d], ":-1");
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["x", "1", "y", "12", "z", "23", "w", "30"]"#,
        );
        t.is(&["OBJECT", "ENCODING", d], r#""listpack""#);
        t.is(&["ZINTERSTORE", d, "2", a, b, "WEIGHTS", "1", "0.5"], ":2");
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["y", "7", "z", "13"]"#,
        );
        t.is(&["ZDIFFSTORE", d, "2", b, a], ":1");
        t.is(&["ZRANGE", d, "0", "-1", "WITHSCORES"], r#"["w", "30"]"#);
        t.is(&["ZUNIONSTORE", d, "2", d, a, "AGGREGATE", "SUM"], ":4");
        t.is(&["ZCARD", d], ":4");
        // Empty results delete the destination.
        t.is(&["ZINTERSTORE", d, "2", a, "nokey-za"], ":0");
        t.is(&["EXISTS", d], ":0");
        t.run(&[&["SET", d, "v"]]);
        t.is(&["ZDIFFSTORE", d, "2", a, a], ":0");
        t.is(&["EXISTS", d], ":0");
        // Sets count as zsets with score 1.
        t.run(&[&["SADD", d, "y", "q"]]);
        t.is(
            &["ZUNION", "2", a, d, "WITHSCORES"],
            r#"["q", "1", "x", "1", "y", "3", "z", "3"]"#,
        );
        t.is(&["ZINTER", "2", d, a, "WITHSCORES"], r#"["y", "3"]"#);
        t.is(&["ZINTERCARD", "2", d, b], ":1");
        // Infinities: inf * 0 counts as 0.
        t.run(&[&["DEL", d], &["ZADD", d, "inf", "y", "-inf", "m"]]);
        t.is(
            &["ZUNION", "2", a, d, "WEIGHTS", "1", "0", "WITHSCORES"],
            r#"["m", "0", "x", "1", "y", "2", "z", "3"]"#,
        );
        t.is(&["ZINTER", "2", a, d, "WITHSCORES"], r#"["y", "inf"]"#);
        // A big result is a skiplist; a small range of it a listpack.
        let mut big: Vec<String> = vec!["ZADD".into(), d.into()];
        for i in 0..200 {
            big.push(i.to_string());
            big.push(format!("m{i}"));
        }
        let big: Vec<&str> = big.iter().map(|s| s.as_str()).collect();
        t.run(&[&["DEL", d], &big]);
        t.is(&["ZUNIONSTORE", d, "2", d, a], ":203");
        t.is(&["OBJECT", "ENCODING", d], r#""skiplist""#);
        t.is(&["ZRANGESTORE", a, d, "0", "2"], ":3");
        t.is(&["OBJECT", "ENCODING", a], r#""listpack""#);
        t.is(&["ZRANGE", a, "0", "-1"], r#"["m0", "m1", "x"]"#);
        // Wrong types and argument errors.
        t.run(&[&["DEL", d], &["SET", d, "str"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(&["ZUNION", "2", a, d], wrongtype);
        t.is(&["ZINTERSTORE", b, "2", d, a], wrongtype);
        t.is(&["ZDIFF", "2", a, d], wrongtype);
        t.is(&["ZINTERCARD", "2", d, a], wrongtype);
        t.is(&["ZCARD", b], ":3");
        t.is(&["ZUNION", "3", a, b], "-ERR syntax error");
        t.is(
            &["ZUNIONSTORE", d, "0", a],
            "-ERR at least 1 input key is needed for 'zunionstore' command",
        );
        t.is(&["ZINTER", "2", a, b, "WEIGHTS", "1"], "-ERR syntax error");
        t.is(
            &["ZINTER", "2", a, b, "WEIGHTS", "1", "x"],
            "-ERR weight value is not a float",
        );
        t.is(
            &["ZINTERCARD", "0", a],
            "-ERR at least 1 input key is needed for 'zintercard' command",
        );
        t.run(&[&["DEL", a, b, d]]);
    });
}

#[test]
fn zrangestore_and_zmpop_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "zr", 2, |t, k| {
        let (s, d) = (k[0].as_str(), k[1].as_str());
        t.run(&[&["ZADD", s, "1", "a", "2", "b", "3", "c", "4", "d"]]);
        t.run(&[&["SET", d, "v", "EX", "100"]]);
        t.is(&["ZRANGESTORE", d, s, "1", "2"], ":2");
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["b", "2", "c", "3"]"#,
        );
        t.is(&["TTL", d], ":-1");
        t.is(
            &[
                "ZRANGESTORE",
                d,
                s,
                "(2",
                "+inf",
                "BYSCORE",
                "LIMIT",
                "0",
                "1",
            ],
            ":1",
        );
        t.is(&["ZRANGE", d, "0", "-1"], r#"["c"]"#);
        t.is(&["ZRANGESTORE", d, s, "[c", "-", "BYLEX", "REV"], ":3");
        t.is(&["ZRANGE", d, "0", "-1"], r#"["a", "b", "c"]"#);
        t.is(&["ZRANGESTORE", d, s, "10", "20", "BYSCORE"], ":0");
        t.is(&["EXISTS", d], ":0");
        t.is(&["ZRANGESTORE", d, "nokey-zr", "0", "-1"], ":0");
        // ZMPOP: the first non-empty key in argument order.
        t.run(&[&["ZADD", d, "5", "e"]]);
        t.is(
            &["ZMPOP", "2", d, s, "MIN"],
            &format!(r#"["{d}", [["e", "5"]]]"#),
        );
        t.is(&["EXISTS", d], ":0");
        t.is(
            &["ZMPOP", "2", d, s, "MAX", "COUNT", "2"],
            &format!(r#"["{s}", [["d", "4"], ["c", "3"]]]"#),
        );
        t.is(
            &["ZMPOP", "2", s, d, "MIN", "COUNT", "5"],
            &format!(r#"["{s}", [["a", "1"], ["b", "2"]]]"#),
        );
        t.is(&["ZMPOP", "2", s, d, "MIN"], "*-1");
        t.run(&[&["SET", d, "str"], &["ZADD", s, "1", "a"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(&["ZMPOP", "2", d, s, "MIN"], wrongtype);
        t.is(
            &["ZMPOP", "2", s, d, "MIN"],
            &format!(r#"["{s}", [["a", "1"]]]"#),
        );
        t.is(&["ZRANGESTORE", s, d, "0", "-1"], wrongtype);
        t.is(
            &["ZMPOP", "0", s, "MIN"],
            "-ERR numkeys should be greater than 0",
        );
        t.is(&["ZMPOP", "2", s, d, "MID"], "-ERR syntax error");
        t.run(&[&["DEL", s, d]]);
    });
}

// ---------------------------------------------------------------------------------------------
// HyperLogLog
// ---------------------------------------------------------------------------------------------

#[test]
fn hyperloglog_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "hl", 3, |t, k| {
        let (a, b, d) = (k[0].as_str(), k[1].as_str(), k[2].as_str());
        t.is(&["PFADD", a, "x", "y", "z"], ":1");
        t.is(&["PFADD", b, "z", "w"], ":1");
        t.is(&["PFCOUNT", a, b], ":4");
        t.is(&["PFCOUNT", b, a, d], ":4");
        t.is(&["PFCOUNT", d, "nokey-hl"], ":0");
        t.is(&["PFMERGE", d, a, b], "+OK");
        t.is(&["PFCOUNT", d], ":4");
        // The merged register file is Redis's, byte for byte (compared in comparison runs).
        let (f, _, r) = t.send(&["GET", d]);
        if let Some((rf, _)) = r {
            if rf != f {
                t.fail(format!("GET {d} after PFMERGE differs from Redis"));
            }
        }
        t.is(&["OBJECT", "ENCODING", d], r#""raw""#);
        // Merging into an existing HLL keeps its TTL and its registers.
        t.run(&[&["PEXPIRE", d, "100000"], &["DEL", b], &["PFADD", b, "v"]]);
        t.is(&["PFMERGE", d, b], "+OK");
        t.is(&["PFCOUNT", d], ":5");
        t.pttl_in(d, 90_000, 100_000);
        t.run(&[&["DEL", d]]);
        t.is(&["PFMERGE", d], "+OK");
        t.is(&["PFCOUNT", d], ":0");
        // A dense HLL merged with a sparse one.
        let mut many: Vec<String> = vec!["PFADD".into(), b.into()];
        many.extend((0..3000).map(|i| format!("e{i}")));
        let many: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
        t.run(&[&many]);
        t.is(&["PFCOUNT", a, b], ":2984");
        t.is(&["PFMERGE", d, a, b], "+OK");
        let (f, _, r) = t.send(&["GET", d]);
        if let Some((rf, _)) = r {
            if rf != f {
                t.fail(format!("GET {d} after dense PFMERGE differs from Redis"));
            }
        }
        t.is(&["PFCOUNT", d], ":2984");
        // Not an HLL.
        t.run(&[&["DEL", d], &["SET", d, "notahll"]]);
        let bad = "-WRONGTYPE Key is not a valid HyperLogLog string value.";
        t.is(&["PFCOUNT", a, d], bad);
        t.is(&["PFMERGE", a, d], bad);
        t.is(&["PFMERGE", d, a], bad);
        t.run(&[&["DEL", d], &["SADD", d, "m"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(&["PFCOUNT", b, d], wrongtype);
        t.is(&["PFMERGE", a, d], wrongtype);
        t.is(&["PFCOUNT", a], ":3");
        t.run(&[&["DEL", a, b, d]]);
    });
}

// ---------------------------------------------------------------------------------------------
// Geo
// ---------------------------------------------------------------------------------------------

#[test]
fn geo_stores_across_shards() {
    let mut t = T::new();
    each_layout(&mut t, "ge", 2, |t, k| {
        let (s, d) = (k[0].as_str(), k[1].as_str());
        t.is(
            &[
                "GEOADD",
                s,
                "13.361389",
                "38.115556",
                "Palermo",
                "15.087269",
                "37.502669",
                "Catania",
            ],
            ":2",
        );
        t.run(&[&["SET", d, "str", "EX", "100"]]);
        t.is(
            &[
                "GEOSEARCHSTORE",
                d,
                s,
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "200",
                "km",
                "ASC",
            ],
            ":2",
        );
        t.is(&["TTL", d], ":-1");
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["Palermo", "3479099956230698", "Catania", "3479447370796909"]"#,
        );
        t.is(
            &[
                "GEOSEARCHSTORE",
                d,
                s,
                "FROMMEMBER",
                "Palermo",
                "BYBOX",
                "400",
                "400",
                "km",
                "ASC",
                "COUNT",
                "1",
                "STOREDIST",
            ],
            ":1",
        );
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["Palermo", "0"]"#,
        );
        t.is(
            &[
                "GEOSEARCHSTORE",
                d,
                s,
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "200",
                "km",
                "DESC",
                "STOREDIST",
            ],
            ":2",
        );
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["Catania", "56.441257870158204", "Palermo", "190.44242984775784"]"#,
        );
        t.is(&["GEORADIUS", s, "15", "37", "200", "km", "STORE", d], ":2");
        t.is(&["ZRANGE", d, "0", "-1"], r#"["Palermo", "Catania"]"#);
        t.is(
            &["GEORADIUS", s, "15", "37", "100", "km", "STOREDIST", d],
            ":1",
        );
        t.is(
            &["ZRANGE", d, "0", "-1", "WITHSCORES"],
            r#"["Catania", "56.441257870158204"]"#,
        );
        t.is(
            &[
                "GEORADIUSBYMEMBER",
                s,
                "Palermo",
                "300",
                "km",
                "COUNT",
                "1",
                "STORE",
                d,
            ],
            ":1",
        );
        t.is(&["ZRANGE", d, "0", "-1"], r#"["Palermo"]"#);
        t.is(
            &["GEOPOS", d, "Palermo"],
            r#"[["13.36138933897018433", "38.11555639549629859"]]"#,
        );
        t.is(&["OBJECT", "ENCODING", d], r#""listpack""#);
        // Empty results and missing sources delete the destination.
        t.is(
            &[
                "GEOSEARCHSTORE",
                d,
                s,
                "FROMLONLAT",
                "0",
                "0",
                "BYRADIUS",
                "1",
                "km",
            ],
            ":0",
        );
        t.is(&["EXISTS", d], ":0");
        t.run(&[&["SET", d, "v"]]);
        t.is(&["GEORADIUS", s, "0", "0", "1", "km", "STORE", d], ":0");
        t.is(&["EXISTS", d], ":0");
        t.run(&[&["SET", d, "v"]]);
        t.is(
            &[
                "GEOSEARCHSTORE",
                d,
                "nokey-ge",
                "FROMLONLAT",
                "0",
                "0",
                "BYRADIUS",
                "1",
                "km",
            ],
            ":0",
        );
        t.is(&["EXISTS", d], ":0");
        // Errors.
        t.run(&[&["SET", d, "v"]]);
        let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        t.is(
            &[
                "GEOSEARCHSTORE",
                s,
                d,
                "FROMLONLAT",
                "0",
                "0",
                "BYRADIUS",
                "1",
                "km",
            ],
            wrongtype,
        );
        t.is(
            &["GEORADIUS", s, "15", "37", "200", "km", "WITHDIST", "STORE", d],
            "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
        );
        t.is(
            &[
                "GEOSEARCHSTORE",
                d,
                s,
                "FROMMEMBER",
                "Nowhere",
                "BYRADIUS",
                "1",
                "km",
            ],
            "-ERR could not decode requested zset member",
        );
        t.is(&["GET", d], r#""v""#);
        t.is(&["ZCARD", s], ":2");
        t.run(&[&["DEL", s, d]]);
    });
}

// ---------------------------------------------------------------------------------------------
// SORT
// ---------------------------------------------------------------------------------------------

#[test]
fn sort_patterns_and_store_across_shards() {
    let mut t = T::new();
    // Keys: the sorted key and the destination, placed by the layout; pattern keys behind a
    // tag on either shard, or spread over both (no tag).
    each_layout(&mut t, "so", 2, |t, k| {
        let (l, d) = (k[0].as_str(), k[1].as_str());
        // (`l` may hold a tag itself: the pattern keys are named from its other characters.)
        let plain = l.replace(['{', '}', ':'], "");
        for ptag in [
            tag_on(0, &format!("{plain}p")),
            tag_on(1, &format!("{plain}p")),
            String::new(),
        ] {
            let pre = format!("{ptag}{plain}");
            let w = |i: &str| format!("{pre}w_{i}");
            let h = |i: &str| format!("{pre}h_{i}");
            let o = |i: &str| format!("{pre}o_{i}");
            t.run(&[&["RPUSH", l, "3", "1", "2"]]);
            for (i, wv, hv) in [("1", "30", "b"), ("2", "10", "c"), ("3", "20", "a")] {
                t.run(&[
                    &["SET", &w(i), wv],
                    &["HSET", &h(i), "f", hv, "n", wv],
                    &["SET", &o(i), &format!("obj{i}")],
                ]);
            }
            let by_w = format!("{pre}w_*");
            let get_h = format!("{pre}h_*->f");
            let get_hn = format!("{pre}h_*->n");
            let get_o = format!("{pre}o_*");
            t.is(&["SORT", l], r#"["1", "2", "3"]"#);
            t.is(&["SORT", l, "BY", &by_w], r#"["2", "3", "1"]"#);
            t.is(&["SORT", l, "BY", &by_w, "DESC"], r#"["1", "3", "2"]"#);
            t.is(
                &[
                    "SORT", l, "BY", &by_w, "GET", "#", "GET", &get_o, "GET", &get_h,
                ],
                r#"["2", "obj2", "c", "3", "obj3", "a", "1", "obj1", "b"]"#,
            );
            t.is(
                &["SORT", l, "BY", &get_h, "ALPHA", "GET", &get_o],
                r#"["obj3", "obj1", "obj2"]"#,
            );
            t.is(
                &["SORT", l, "BY", &get_hn, "LIMIT", "1", "5", "GET", &get_hn],
                r#"["20", "30"]"#,
            );
            t.is(
                &["SORT", l, "BY", "nosort", "GET", &get_o],
                r#"["obj3", "obj1", "obj2"]"#,
            );
            t.is(
                &["SORT_RO", l, "BY", &by_w, "GET", &get_o],
                r#"["obj2", "obj3", "obj1"]"#,
            );
            // Missing and wrong-type pattern keys give nils.
            t.run(&[
                &["DEL", &o("3")],
                &["DEL", &h("1")],
                &["DEL", &o("1")],
                &["RPUSH", &o("1"), "list"],
            ]);
            t.is(
                &["SORT", l, "GET", &get_o, "GET", &get_h, "GET", "#"],
                r#"[$-1, $-1, "1", "obj2", "c", "2", $-1, "a", "3"]"#,
            );
            // STORE: a list on the destination's shard, replacing it (TTL too).
            t.run(&[&["SET", d, "v", "EX", "100"]]);
            t.is(&["SORT", l, "BY", &by_w, "GET", &get_o, "STORE", d], ":3");
            t.is(&["LRANGE", d, "0", "-1"], r#"["obj2", "", ""]"#);
            t.is(&["TTL", d], ":-1");
            t.is(&["TYPE", d], "+list");
            t.is(&["OBJECT", "ENCODING", d], r#""quicklist""#);
            t.is(&["SORT", l, "DESC", "STORE", d], ":3");
            t.is(&["LRANGE", d, "0", "-1"], r#"["3", "2", "1"]"#);
            // Sorting the destination itself.
            t.is(&["SORT", d, "BY", &by_w, "STORE", d], ":3");
            t.is(&["LRANGE", d, "0", "-1"], r#"["2", "3", "1"]"#);
            t.is(&["SORT", "nokey-so", "STORE", d], ":0");
            t.is(&["EXISTS", d], ":0");
            // Sets and sorted sets, BY and GET on the other shard.
            t.run(&[&["DEL", l], &["SADD", l, "1", "2", "3"]]);
            t.is(
                &["SORT", l, "BY", &by_w, "GET", &get_hn],
                r#"["10", "20", $-1]"#,
            );
            t.is(&["SORT", l, "BY", &by_w, "STORE", d], ":3");
            t.is(&["LRANGE", d, "0", "-1"], r#"["2", "3", "1"]"#);
            t.run(&[&["DEL", l], &["ZADD", l, "1", "3", "2", "2", "3", "1"]]);
            t.is(
                &["SORT", l, "BY", "nosort", "GET", &get_o],
                r#"[$-1, "obj2", $-1]"#,
            );
            t.is(
                &["SORT", l, "BY", &by_w, "DESC", "GET", "#"],
                r#"["1", "3", "2"]"#,
            );
            // Errors.
            t.run(&[&["SET", &w("2"), "notanumber"]]);
            t.is(
                &["SORT", l, "BY", &by_w],
                "-ERR One or more scores can't be converted into double",
            );
            t.run(&[&["DEL", l], &["SET", l, "str"]]);
            t.is(
                &["SORT", l, "BY", &by_w],
                "-WRONGTYPE Operation against a key holding the wrong kind of value",
            );
            t.is(&["SORT_RO", l, "STORE", d], "-ERR syntax error");
            t.run(&[&["DEL", l, d]]);
            for i in ["1", "2", "3"] {
                t.run(&[&["DEL", &w(i), &h(i), &o(i)]]);
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Generic commands on every type
// ---------------------------------------------------------------------------------------------

/// Fills `key` with a value of `kind` (small or big, to get both encodings).
fn fill(t: &mut T, key: &str, kind: &str) {
    let mut cmd: Vec<String> = Vec::new();
    let args =
        |cmd: &mut Vec<String>, head: &[&str], n: usize, f: &dyn Fn(usize) -> Vec<String>| {
            cmd.extend(head.iter().map(|s| s.to_string()));
            for i in 0..n {
                cmd.extend(f(i));
            }
        };
    match kind {
        "list" => args(&mut cmd, &["RPUSH", key], 3, &|i| vec![format!("e{i}")]),
        "biglist" => args(&mut cmd, &["RPUSH", key], 300, &|i| vec![format!("e{i}")]),
        "hash" => args(&mut cmd, &["HSET", key], 3, &|i| {
            vec![format!("f{i}"), i.to_string()]
        }),
        "bighash" => args(&mut cmd, &["HSET", key], 200, &|i| {
            vec![format!("f{i}"), format!("{i:0>70}")]
        }),
        "intset" => args(&mut cmd, &["SADD", key], 3, &|i| vec![i.to_string()]),
        "set" => args(&mut cmd, &["SADD", key], 3, &|i| vec![format!("m{i}")]),
        "bigintset" => args(&mut cmd, &["SADD", key], 600, &|i| vec![i.to_string()]),
        "zset" => args(&mut cmd, &["ZADD", key], 3, &|i| {
            vec![i.to_string(), format!("m{i}")]
        }),
        "bigzset" => args(&mut cmd, &["ZADD", key], 200, &|i| {
            vec![i.to_string(), format!("m{i}")]
        }),
        "stream" => {
            for i in 1..=3 {
                t.run(&[&["XADD", key, &format!("{i}-1"), "f", &format!("v{i}")]]);
            }
            t.run(&[
                &["XGROUP", "CREATE", key, "g", "0"],
                &[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    "c1",
                    "COUNT",
                    "1",
                    "STREAMS",
                    key,
                    ">",
                ],
            ]);
            return;
        }
        "hll" => args(&mut cmd, &["PFADD", key], 3, &|i| vec![format!("m{i}")]),
        "string" => args(&mut cmd, &["SET", key, "12345"], 0, &|_| vec![]),
        other => panic!("{other}"),
    }
    let cmd: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
    t.run(&[&cmd]);
}

/// (kind, TYPE, OBJECT ENCODING, a read that shows the whole value, rendered, unordered?)
const KINDS: &[(&str, &str, &str)] = &[
    ("list", "list", "quicklist"),
    ("biglist", "list", "quicklist"),
    ("hash", "hash", "listpack"),
    ("bighash", "hash", "hashtable"),
    ("intset", "set", "intset"),
    ("set", "set", "hashtable"),
    ("bigintset", "set", "hashtable"),
    ("zset", "zset", "listpack"),
    ("bigzset", "zset", "skiplist"),
    ("stream", "stream", "stream"),
    ("hll", "string", "raw"),
    ("string", "string", "int"),
];

/// Asserts `key` holds what [`fill`] put there for `kind`.
fn check_value(t: &mut T, key: &str, kind: &str) {
    match kind {
        "list" => t.is(&["LRANGE", key, "0", "-1"], r#"["e0", "e1", "e2"]"#),
        "biglist" => {
            t.is(&["LLEN", key], ":300");
            t.is(&["LRANGE", key, "298", "-1"], r#"["e298", "e299"]"#);
        }
        "hash" => t.is(&["HGETALL", key], r#"["f0", "0", "f1", "1", "f2", "2"]"#),
        "bighash" => {
            t.is(&["HLEN", key], ":200");
            t.is(
                &["HMGET", key, "f0", "f199", "f200"],
                &format!(
                    "[{:?}, {:?}, $-1]",
                    format!("{:0>70}", 0),
                    format!("{:0>70}", 199)
                ),
            );
        }
        "intset" => t.is(&["SMEMBERS", key], r#"["0", "1", "2"]"#),
        "set" => t.unordered(&["SMEMBERS", key], r#"["m0", "m1", "m2"]"#),
        "bigintset" => {
            t.is(&["SCARD", key], ":600");
            t.is(&["SMISMEMBER", key, "0", "599", "600"], "[:1, :1, :0]");
        }
        "zset" => t.is(
            &["ZRANGE", key, "0", "-1", "WITHSCORES"],
            r#"["m0", "0", "m1", "1", "m2", "2"]"#,
        ),
        "bigzset" => {
            t.is(&["ZCARD", key], ":200");
            t.is(
                &["ZRANGE", key, "-1", "-1", "WITHSCORES"],
                r#"["m199", "199"]"#,
            );
        }
        "stream" => {
            t.is(
                &["XRANGE", key, "-", "+"],
                r#"[["1-1", ["f", "v1"]], ["2-1", ["f", "v2"]], ["3-1", ["f", "v3"]]]"#,
            );
            t.is(
                &["XINFO", "GROUPS", key],
                r#"[["name", "g", "consumers", :1, "pending", :1, "last-delivered-id", "1-1", "entries-read", :1, "lag", :2]]"#,
            );
            t.is(
                &["XPENDING", key, "g"],
                r#"[:1, "1-1", "1-1", [["c1", "1"]]]"#,
            );
        }
        "hll" => t.is(&["PFCOUNT", key], ":3"),
        "string" => t.is(&["GET", key], r#""12345""#),
        other => panic!("{other}"),
    }
}

#[test]
fn type_encoding_copy_rename_across_shards() {
    let mut t = T::new();
    for &(kind, ty, enc) in KINDS {
        for (from, to) in [(0, 1), (1, 0), (0, 0), (1, 1)] {
            let src = key_on(from, &format!("g-{kind}-{from}{to}-src"));
            let dst = key_on(to, &format!("g-{kind}-{from}{to}-dst"));
            let dst2 = key_on(to, &format!("g-{kind}-{from}{to}-dst2"));
            let tag = format!("[{kind} {from}->{to}]");
            let before = t.fails.len();
            fill(&mut t, &src, kind);
            t.is(&["TYPE", &src], &format!("+{ty}"));
            t.is(&["OBJECT", "ENCODING", &src], &format!("\"{enc}\""));
            t.is(&["EXISTS", &src, &dst, &src], ":2");
            // COPY: value, encoding and TTL.
            t.run(&[&["PEXPIRE", &src, "100000"]]);
            t.is(&["COPY", &src, &dst], ":1");
            check_value(&mut t, &dst, kind);
            check_value(&mut t, &src, kind);
            t.is(&["TYPE", &dst], &format!("+{ty}"));
            t.is(&["OBJECT", "ENCODING", &dst], &format!("\"{enc}\""));
            t.pttl_in(&dst, 90_000, 100_000);
            t.is(&["COPY", &src, &dst], ":0");
            t.run(&[&["PERSIST", &src]]);
            t.is(&["COPY", &src, &dst, "REPLACE"], ":1");
            t.is(&["TTL", &dst], ":-1");
            // The copy is independent of the source.
            t.run(&[&["DEL", &dst]]);
            t.is(&["EXISTS", &dst], ":0");
            check_value(&mut t, &src, kind);
            t.is(&["COPY", &src, &dst, "DB", "1"], ":1");
            t.is(&["EXISTS", &dst], ":0");
            t.run(&[&["SELECT", "1"]]);
            check_value(&mut t, &dst, kind);
            t.is(&["OBJECT", "ENCODING", &dst], &format!("\"{enc}\""));
            t.run(&[&["FLUSHDB"], &["SELECT", "0"]]);
            // RENAME: value, encoding and TTL move; the destination is replaced.
            t.run(&[&["PEXPIRE", &src, "100000"], &["SET", &dst2, "old"]]);
            t.is(&["RENAME", &src, &dst2], "+OK");
            t.is(&["EXISTS", &src], ":0");
            check_value(&mut t, &dst2, kind);
            t.is(&["OBJECT", "ENCODING", &dst2], &format!("\"{enc}\""));
            t.pttl_in(&dst2, 90_000, 100_000);
            t.is(&["RENAMENX", &dst2, &src], ":1");
            t.is(&["TYPE", &src], &format!("+{ty}"));
            t.is(&["DEL", &src, &dst, &dst2, &src], ":1");
            t.is(&["EXISTS", &src, &dst2], ":0");
            for f in &mut t.fails[before..] {
                *f = format!("{tag} {f}");
            }
        }
    }
    // DEL/EXISTS/TYPE over one key of every type on each shard.
    let mut all = Vec::new();
    for &(kind, ty, _) in KINDS {
        for s in [0, 1] {
            let k = key_on(s, &format!("d-{kind}"));
            fill(&mut t, &k, kind);
            t.is(&["TYPE", &k], &format!("+{ty}"));
            all.push(k);
        }
    }
    let mut exists = vec!["EXISTS"];
    exists.extend(all.iter().map(|s| s.as_str()));
    exists.push("nokey-d");
    exists.push(&all[0]);
    t.is(&exists, &format!(":{}", all.len() + 1));
    exists[0] = "DEL";
    t.is(&exists, &format!(":{}", all.len()));
    t.is(&["DBSIZE"], ":0");
    t.is(&["TYPE", &all[0]], "+none");
}

#[test]
fn scan_type_filter_walks_both_shards() {
    let mut t = T::new();
    let mut want: Vec<(&str, Vec<String>)> = Vec::new();
    for &(kind, ty, _) in KINDS {
        let mut keys = Vec::new();
        for s in [0, 1] {
            for i in 0..3 {
                let k = key_on(s, &format!("sc-{kind}-{i}"));
                fill(&mut t, &k, kind);
                keys.push(k);
            }
        }
        match want.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, v)) => v.extend(keys),
            None => want.push((ty, keys)),
        }
    }
    want.push(("none", Vec::new()));
    want.push(("nosuchtype", Vec::new()));
    for (ty, keys) in &want {
        let mut expected: Vec<String> = keys.clone();
        expected.sort();
        for count in ["3", "1000"] {
            let mut conns: Vec<(&str, &mut Raw)> = vec![("corekv", &mut t.c)];
            if let Some(r) = t.redis.as_mut() {
                conns.push(("REDIS", r));
            }
            let mut fails = Vec::new();
            for (who, c) in conns {
                let mut got = Vec::new();
                let mut cursor = "0".to_string();
                for _ in 0..10_000 {
                    let f = c.call(&["SCAN", &cursor, "TYPE", ty, "COUNT", count]);
                    let parts = f.as_array().expect("SCAN reply").to_vec();
                    cursor = String::from_utf8(parts[0].as_bytes().unwrap().to_vec()).unwrap();
                    for k in parts[1].as_array().unwrap() {
                        got.push(String::from_utf8(k.as_bytes().unwrap().to_vec()).unwrap());
                    }
                    if cursor == "0" {
                        break;
                    }
                }
                got.sort();
                got.dedup();
                if got != expected {
                    fails.push(format!("SCAN TYPE {ty} COUNT {count}: {who} {got:?}"));
                }
            }
            t.fails.extend(fails);
        }
    }
    // The MATCH and TYPE filters together.
    let k = key_on(1, "sc-zset-1");
    let (f, _, _) = t.send(&[
        "SCAN",
        "0",
        "MATCH",
        "sc-zset-1*",
        "TYPE",
        "zset",
        "COUNT",
        "1000",
    ]);
    let mut seen = HashSet::new();
    let mut f = f;
    loop {
        let parts = f.as_array().unwrap().to_vec();
        for x in parts[1].as_array().unwrap() {
            seen.insert(String::from_utf8(x.as_bytes().unwrap().to_vec()).unwrap());
        }
        let cur = String::from_utf8(parts[0].as_bytes().unwrap().to_vec()).unwrap();
        if cur == "0" {
            break;
        }
        f = t.c.call(&[
            "SCAN",
            &cur,
            "MATCH",
            "sc-zset-1*",
            "TYPE",
            "zset",
            "COUNT",
            "1000",
        ]);
    }
    let want_keys: HashSet<String> = (0..3)
        .flat_map(|i| [0, 1].map(|s| key_on(s, &format!("sc-zset-{i}"))))
        .filter(|x| x.starts_with("sc-zset-1"))
        .collect();
    assert!(seen.contains(&k) || !want_keys.contains(&k));
    assert_eq!(seen, want_keys);
}

// ---------------------------------------------------------------------------------------------
// RESP3
// ---------------------------------------------------------------------------------------------

#[test]
fn resp3_reply_shapes_across_shards() {
    let mut t = T::new();
    let (k0, k1) = (key_on(0, "r3"), key_on(1, "r3"));
    t.hello3();
    t.run(&[&["HSET", &k0, "a", "1", "b", "2"], &["HSET", &k1, "x", "9"]]);
    t.is(&["HGETALL", &k0], r#"{"a": "1", "b": "2"}"#);
    t.is(&["HGETALL", &k1], r#"{"x": "9"}"#);
    t.is(&["HGETALL", "nokey-r3"], "{}");
    let (s0, s1, d) = (key_on(0, "r3s"), key_on(1, "r3s"), key_on(1, "r3d"));
    t.run(&[&["SADD", &s0, "1", "2", "3"], &["SADD", &s1, "2", "3", "4"]]);
    t.is(&["SMEMBERS", &s0], r#"~["1", "2", "3"]"#);
    t.is(&["SMEMBERS", &s1], r#"~["2", "3", "4"]"#);
    t.is(&["SINTER", &s0, &s1], r#"~["2", "3"]"#);
    t.is(&["SUNION", &s1, &s0], r#"~["1", "2", "3", "4"]"#);
    t.is(&["SDIFF", &s0, &s1], r#"~["1"]"#);
    t.is(&["SINTERCARD", "2", &s0, &s1], ":2");
    t.is(&["SMOVE", &s0, &s1, "1"], ":1");
    let (z0, z1) = (key_on(0, "r3z"), key_on(1, "r3z"));
    t.run(&[
        &["ZADD", &z0, "1.5", "a", "2", "b"],
        &["ZADD", &z1, "3", "a"],
    ]);
    t.is(&["ZSCORE", &z0, "a"], ",1.5");
    t.is(&["ZSCORE", &z1, "a"], ",3");
    t.is(&["ZSCORE", &z1, "nope"], "_");
    t.is(&["ZMSCORE", &z0, "a", "nope"], "[,1.5, _]");
    t.is(
        &["ZRANGE", &z0, "0", "-1", "WITHSCORES"],
        r#"[["a", ,1.5], ["b", ,2]]"#,
    );
    t.is(
        &["ZUNION", "2", &z0, &z1, "WITHSCORES"],
        r#"[["b", ,2], ["a", ,4.5]]"#,
    );
    t.is(&["ZINTER", "2", &z1, &z0, "WITHSCORES"], r#"[["a", ,4.5]]"#);
    t.is(&["ZDIFF", "2", &z0, &z1, "WITHSCORES"], r#"[["b", ,2]]"#);
    t.is(&["ZUNIONSTORE", &d, "2", &z0, &z1], ":2");
    t.is(&["ZINCRBY", &d, "1", "b"], ",3");
    t.is(
        &["ZMPOP", "2", "nokey-r3", &z0, "MAX"],
        &format!(r#"["{z0}", [["b", ,2]]]"#),
    );
    t.is(&["ZMPOP", "2", "nokey-r3", "nokey-r3b", "MAX"], "_");
    t.is(&["ZPOPMIN", &z1], r#"["a", ,3]"#);
    let (l0, l1) = (key_on(0, "r3l"), key_on(1, "r3l"));
    t.run(&[&["RPUSH", &l1, "p", "q"]]);
    t.is(
        &["LMPOP", "2", &l0, &l1, "LEFT"],
        &format!(r#"["{l1}", ["p"]]"#),
    );
    t.is(&["LMPOP", "1", &l0, "LEFT"], "_");
    t.is(&["LMOVE", &l0, &l1, "LEFT", "LEFT"], "_");
    t.is(&["RPOPLPUSH", &l1, &l0], r#""q""#);
    t.is(&["LPOP", "nokey-r3"], "_");
    // XREAD over streams on both shards: a map in argument order.
    let (x0, x1) = (key_on(0, "r3x"), key_on(1, "r3x"));
    t.run(&[
        &["XADD", &x0, "1-1", "f", "a"],
        &["XADD", &x1, "2-1", "g", "b"],
        &["XADD", &x1, "3-1", "g", "c"],
    ]);
    t.is(
        &["XREAD", "STREAMS", &x0, &x1, "0", "0"],
        &format!(r#"{{"{x0}": [["1-1", ["f", "a"]]], "{x1}": [["2-1", ["g", "b"]], ["3-1", ["g", "c"]]]}}"#),
    );
    t.is(
        &["XREAD", "COUNT", "1", "STREAMS", &x1, &x0, "0", "0"],
        &format!(r#"{{"{x1}": [["2-1", ["g", "b"]]], "{x0}": [["1-1", ["f", "a"]]]}}"#),
    );
    t.is(
        &["XREAD", "STREAMS", &x1, &x0, "2-1", "1-1"],
        &format!(r#"{{"{x1}": [["3-1", ["g", "c"]]]}}"#),
    );
    t.is(&["XREAD", "STREAMS", &x0, &x1, "9-9", "9-9"], "_");
    t.is(
        &["XRANGE", &x1, "-", "+", "COUNT", "1"],
        r#"[["2-1", ["g", "b"]]]"#,
    );
    // Cross-shard PFCOUNT and SORT keep their RESP3 shapes too.
    t.run(&[
        &["PFADD", &k0.replace("r3", "r3h"), "a"],
        &["PFADD", &k1.replace("r3", "r3h"), "b"],
    ]);
    t.is(
        &[
            "PFCOUNT",
            &k0.replace("r3", "r3h"),
            &k1.replace("r3", "r3h"),
        ],
        ":2",
    );
    t.is(
        &["SORT", &s1, "BY", "nosort", "GET", &format!("{k0}*")],
        "[_, _, _, _]",
    );
}

// ---------------------------------------------------------------------------------------------
// Pipelines
// ---------------------------------------------------------------------------------------------

fn v(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn pipelines_mixing_types_and_shards() {
    let mut t = T::new();
    let (a0, a1) = (key_on(0, "pa"), key_on(1, "pa"));
    let (b0, b1) = (key_on(0, "pb"), key_on(1, "pb"));
    let (z0, z1) = (key_on(0, "pz"), key_on(1, "pz"));
    let (h0, h1) = (key_on(0, "ph"), key_on(1, "ph"));
    let (d0, d1) = (key_on(0, "pd"), key_on(1, "pd"));
    let cmds = vec![
        v(&["RPUSH", &a1, "x", "y", "z"]),
        v(&["SADD", &b0, "1", "2"]),
        v(&["LMOVE", &a1, &a0, "LEFT", "RIGHT"]),
        v(&["LRANGE", &a0, "0", "-1"]),
        v(&["LRANGE", &a1, "0", "-1"]),
        v(&["SADD", &b1, "2", "3"]),
        v(&["SINTERSTORE", &d1, &b0, &b1]),
        v(&["SMEMBERS", &d1]),
        v(&["HSET", &h1, "f", "1"]),
        v(&["HINCRBY", &h1, "f", "5"]),
        v(&["ZADD", &z0, "1", "m"]),
        v(&["ZADD", &z1, "2", "m", "3", "n"]),
        v(&["ZUNIONSTORE", &d0, "2", &z0, &z1]),
        v(&["ZRANGE", &d0, "0", "-1", "WITHSCORES"]),
        v(&["HGET", &h1, "f"]),
        v(&["LPOP", &a0]),
        v(&["RPOPLPUSH", &a1, &h1]),
        v(&["RPOPLPUSH", &a1, &a1]),
        v(&["LMPOP", "2", &a0, &a1, "RIGHT", "COUNT", "5"]),
        v(&["TYPE", &d0]),
        v(&["TYPE", &d1]),
        v(&["SMOVE", &b0, &b1, "1"]),
        v(&["SCARD", &b1]),
        v(&["PFADD", &h0, "q"]),
        v(&["PFCOUNT", &h0, &a0]),
        v(&["DEL", &a0, &a1, &b0, &b1, &d0, &d1, &z0, &z1, &h0, &h1]),
        v(&["DBSIZE"]),
    ];
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
    let a1s = format!(r#"["{a1}", ["y", "z"]]"#);
    let want = [
        ":3",
        ":2",
        r#""x""#,
        r#"["x"]"#,
        r#"["y", "z"]"#,
        ":2",
        ":1",
        r#"["2"]"#,
        ":1",
        ":6",
        ":1",
        ":2",
        ":2",
        r#"["m", "3", "n", "3"]"#,
        r#""6""#,
        r#""x""#,
        wrongtype,
        r#""z""#,
        &a1s,
        "+zset",
        "+set",
        ":1",
        ":3",
        ":1",
        ":1",
        ":8",
        ":0",
    ];
    t.pipeline(&cmds, &want);
    // A long pipeline alternating shards and types, every reply in order (computed from a
    // model of the two lists and the zset).
    let mut cmds = Vec::new();
    let mut want: Vec<String> = Vec::new();
    let mut len = [0usize; 2];
    let mut zmembers = HashSet::new();
    for i in 0..200usize {
        let (side, l, o) = if i % 2 == 0 {
            (0, &a0, &a1)
        } else {
            (1, &a1, &a0)
        };
        let e = i.to_string();
        cmds.push(v(&["RPUSH", l, &e]));
        len[side] += 1;
        want.push(format!(":{}", len[side]));
        if i % 10 == 9 {
            // The element just pushed moves to the head of the other list and is popped there.
            cmds.push(v(&["LMOVE", l, o, "RIGHT", "LEFT"]));
            want.push(format!("{e:?}"));
            cmds.push(v(&["LPOP", o]));
            want.push(format!("{e:?}"));
            len[side] -= 1;
            cmds.push(v(&["ZADD", &z1, &e, l]));
            want.push(
                if zmembers.insert(l.clone()) {
                    ":1"
                } else {
                    ":0"
                }
                .into(),
            );
            cmds.push(v(&["ZCARD", &z1]));
            want.push(format!(":{}", zmembers.len()));
        }
    }
    cmds.push(v(&["LLEN", &a0]));
    want.push(format!(":{}", len[0]));
    cmds.push(v(&["LLEN", &a1]));
    want.push(format!(":{}", len[1]));
    let want: Vec<&str> = want.iter().map(|s| s.as_str()).collect();
    t.pipeline(&cmds, &want);
    t.run(&[&["DEL", &a0, &a1, &z1]]);
}

// ---------------------------------------------------------------------------------------------
// Cross-shard writes wake blocked clients (corekv only)
// ---------------------------------------------------------------------------------------------

fn wait_blocked(r: &mut Raw, n: usize) {
    let ok = wait_until(Duration::from_secs(5), || {
        let info = r.info("clients");
        info_field(&info, "blocked_clients").as_deref() == Some(&n.to_string())
    });
    assert!(ok, "expected {n} blocked clients: {}", r.info("clients"));
}

#[test]
fn cross_shard_stores_wake_blocked_clients() {
    let t = T::new();
    let srv = &t.srv;
    let mut ctl = srv.raw();
    let src_l = key_on(0, "wk-src");
    let src_z = key_on(0, "wk-srcz");
    let src_z2 = key_on(1, "wk-srcz2");
    let dst = key_on(1, "wk-dst");
    type Case<'a> = (&'a str, Vec<&'a [&'a str]>, Vec<&'a str>, &'a str);
    let lmove: &[&str] = &["LMOVE", &src_l, &dst, "LEFT", "RIGHT"];
    let rpoplpush: &[&str] = &["RPOPLPUSH", &src_l, &dst];
    let sort: &[&str] = &["SORT", &src_l, "ALPHA", "STORE", &dst];
    let rename: &[&str] = &["RENAME", &src_l, &dst];
    let copy: &[&str] = &["COPY", &src_l, &dst];
    let zunion: &[&str] = &["ZUNIONSTORE", &dst, "2", &src_z, &src_z2];
    let zrange: &[&str] = &["ZRANGESTORE", &dst, &src_z, "0", "0"];
    let geo: &[&str] = &[
        "GEOSEARCHSTORE",
        &dst,
        &src_z,
        "FROMLONLAT",
        "0",
        "0",
        "BYRADIUS",
        "1",
        "km",
    ];
    let rpush: &[&str] = &["RPUSH", &src_l, "e1", "e2"];
    let zadd: &[&str] = &["ZADD", &src_z, "1", "m"];
    let geoadd: &[&str] = &["GEOADD", &src_z, "0", "0", "m"];
    let blpop = ["BLPOP", dst.as_str(), "5"];
    let bzpop = ["BZPOPMIN", dst.as_str(), "5"];
    let cases: Vec<Case<'_>> = vec![
        ("LMOVE", vec![rpush, lmove], blpop.to_vec(), "e1"),
        ("RPOPLPUSH", vec![rpush, rpoplpush], blpop.to_vec(), "e2"),
        ("SORT STORE", vec![rpush, sort], blpop.to_vec(), "e1"),
        ("RENAME", vec![rpush, rename], blpop.to_vec(), "e1"),
        ("COPY", vec![rpush, copy], blpop.to_vec(), "e1"),
        ("ZUNIONSTORE", vec![zadd, zunion], bzpop.to_vec(), "m"),
        ("ZRANGESTORE", vec![zadd, zrange], bzpop.to_vec(), "m"),
        ("GEOSEARCHSTORE", vec![geoadd, geo], bzpop.to_vec(), "m"),
    ];
    let mut fails = Vec::new();
    for (name, setup, block, elem) in cases {
        ctl.roundtrip(&["DEL", &src_l, &src_z, &src_z2, &dst]);
        let mut c = srv.raw_on_shard(0);
        c.send_cmd(&block);
        wait_blocked(&mut ctl, 1);
        for cmd in setup {
            let r = ctl.text(cmd);
            if r.starts_with('-') {
                fails.push(format!("{name}: {cmd:?} -> {r}"));
            }
        }
        let f = c.read_frame();
        let got = render(&f);
        let ok = match &f {
            Frame::Array(v) => v.len() >= 2 && v[1].as_bytes() == Some(elem.as_bytes()),
            _ => false,
        };
        if !ok {
            fails.push(format!(
                "{name}: {block:?} woke with {got}, wanted element {elem}"
            ));
        }
        wait_blocked(&mut ctl, 0);
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Streams read across shards
// ---------------------------------------------------------------------------------------------

/// Streams `x0` (entry 1-1) on shard 0 and `x1` (entries 2-1, 3-1) on shard 1.
fn streams_on_both(t: &mut T, name: &str) -> (String, String) {
    let (x0, x1) = (key_on(0, name), key_on(1, name));
    t.run(&[
        &["XADD", &x0, "1-1", "f", "a"],
        &["XADD", &x1, "2-1", "g", "b"],
        &["XADD", &x1, "3-1", "g", "c"],
    ]);
    (x0, x1)
}

/// The RESP2 XREAD reply item of `k`, one of [`streams_on_both`]'s streams.
fn stream_item(x0: &str, k: &str) -> String {
    if k == x0 {
        format!(r#"["{k}", [["1-1", ["f", "a"]]]]"#)
    } else {
        format!(r#"["{k}", [["2-1", ["g", "b"]], ["3-1", ["g", "c"]]]]"#)
    }
}

#[test]
fn stream_reads_across_shards() {
    let mut t = T::new();
    let (x0, x1) = streams_on_both(&mut t, "xs");
    let str1 = key_on(1, "xs-str");
    t.run(&[&["SET", &str1, "v"]]);
    let both = |a: &str, b: &str| format!("[{}, {}]", stream_item(&x0, a), stream_item(&x0, b));
    // Argument order, with and without BLOCK (the data is there: no wait).
    t.is(&["XREAD", "STREAMS", &x0, &x1, "0", "0"], &both(&x0, &x1));
    t.is(&["XREAD", "STREAMS", &x1, &x0, "0", "0"], &both(&x1, &x0));
    t.is(
        &["XREAD", "BLOCK", "100", "STREAMS", &x1, &x0, "0", "0"],
        &both(&x1, &x0),
    );
    t.is(
        &["XREAD", "BLOCK", "100", "STREAMS", &x0, &x1, "0", "0"],
        &both(&x0, &x1),
    );
    t.is(
        &["XREAD", "COUNT", "1", "STREAMS", &x1, &x0, "0", "9"],
        &format!(r#"[["{x1}", [["2-1", ["g", "b"]]]]]"#),
    );
    t.is(&["XREAD", "STREAMS", &x1, &x0, "9", "9"], "*-1");
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
    t.is(&["XREAD", "STREAMS", &x0, &str1, "0", "0"], wrongtype);
    t.is(&["XREAD", "STREAMS", &str1, &x0, "0", "0"], wrongtype);
    t.is(
        &["XREAD", "STREAMS", &x0, &x1, "0"],
        "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
    );
    // XREADGROUP over both shards: delivers on both, in argument order.
    t.run(&[
        &["XGROUP", "CREATE", &x0, "g", "0"],
        &["XGROUP", "CREATE", &x1, "g", "0"],
    ]);
    let read = |id: &str, a: &str, b: &str| -> Vec<String> {
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", a, b, id, id]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let cmd = read(">", &x1, &x0);
    t.is(
        &cmd.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        &both(&x1, &x0),
    );
    t.is(
        &["XPENDING", &x0, "g"],
        r#"[:1, "1-1", "1-1", [["c", "1"]]]"#,
    );
    t.is(
        &["XPENDING", &x1, "g"],
        r#"[:2, "2-1", "3-1", [["c", "2"]]]"#,
    );
    let cmd = read(">", &x0, &x1);
    t.is(&cmd.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "*-1");
    let cmd = read("0", &x0, &x1);
    t.is(
        &cmd.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        &both(&x0, &x1),
    );
    t.is(&["XACK", &x1, "g", "2-1", "3-1"], ":2");
    t.is(
        &cmd.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        &format!(r#"[["{x0}", [["1-1", ["f", "a"]]]], ["{x1}", []]]"#),
    );
}

/// BUG (server/src/blocking.rs, `wait_reply` + `merge_stream_replies`): XREAD over streams on
/// several shards answers with the streams grouped by shard, not in argument order as Redis.
#[test]
fn xread_interleaved_streams_keep_argument_order() {
    let mut t = T::new();
    let (x0, x1) = streams_on_both(&mut t, "xi");
    let x0b = key_on(0, "xi-b");
    t.run(&[&["XADD", &x0b, "5-1", "h", "d"]]);
    let third = format!(r#"["{x0b}", [["5-1", ["h", "d"]]]]"#);
    let want = format!(
        "[{}, {}, {third}]",
        stream_item(&x0, &x0),
        stream_item(&x0, &x1)
    );
    t.is(&["XREAD", "STREAMS", &x0, &x1, &x0b, "0", "0", "0"], &want);
    t.is(
        &[
            "XREAD", "BLOCK", "100", "STREAMS", &x0, &x1, &x0b, "0", "0", "0",
        ],
        &want,
    );
    t.is(
        &["XREAD", "STREAMS", &x0, &x1, &x0b, "9", "0", "0"],
        &format!("[{}, {third}]", stream_item(&x0, &x1)),
    );
    t.hello3();
    t.is(
        &["XREAD", "STREAMS", &x0, &x1, &x0b, "9", "0", "0"],
        &format!(
            r#"{{"{x1}": [["2-1", ["g", "b"]], ["3-1", ["g", "c"]]], "{x0b}": [["5-1", ["h", "d"]]]}}"#
        ),
    );
}

/// BUG (server/src/blocking.rs, `wait_reply`): XREADGROUP over streams on several shards runs
/// each shard's try in turn, so a stream whose group is missing on a later shard fails the
/// command with NOGROUP after the earlier shards already delivered (PEL entries, last-delivered
/// ID). Redis checks every stream's group before delivering anything.
#[test]
fn xreadgroup_missing_group_delivers_nothing() {
    let mut t = T::new();
    let (x0, x1) = streams_on_both(&mut t, "xg");
    t.run(&[&["XGROUP", "CREATE", &x0, "g", "0"]]);
    let nogroup = format!(
        "-NOGROUP No such key '{x1}' or consumer group 'g' in XREADGROUP with GROUP option"
    );
    t.is(
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "STREAMS",
            &x0,
            &x1,
            ">",
            ">",
        ],
        &nogroup,
    );
    t.is(&["XPENDING", &x0, "g"], "[:0, $-1, $-1, *-1]");
    t.is(
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "100",
            "STREAMS",
            &x0,
            &x1,
            ">",
            ">",
        ],
        &nogroup,
    );
    t.is(&["XPENDING", &x0, "g"], "[:0, $-1, $-1, *-1]");
    t.is(
        &["XINFO", "GROUPS", &x0],
        r#"[["name", "g", "consumers", :0, "pending", :0, "last-delivered-id", "0-0", "entries-read", $-1, "lag", :1]]"#,
    );
}

// ---------------------------------------------------------------------------------------------
// numkeys-style key extraction on bad input, keys on both shards
// ---------------------------------------------------------------------------------------------

#[test]
fn numkeys_errors_across_shards() {
    let mut t = T::new();
    let (a, b) = (key_on(0, "nk"), key_on(1, "nk"));
    t.run(&[&["SADD", &a, "1"], &["SADD", &b, "1"]]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["SINTERCARD", "5", &a, &b],
            "-ERR Number of keys can't be greater than number of args",
        ),
        (
            vec!["SINTERCARD", "-1", &a, &b],
            "-ERR numkeys should be greater than 0",
        ),
        (
            vec!["SINTERCARD", "x", &a, &b],
            "-ERR numkeys should be greater than 0",
        ),
        (
            vec!["SINTERCARD", "99999999999999999999", &a, &b],
            "-ERR numkeys should be greater than 0",
        ),
        (vec!["ZUNION", "5", &a, &b], "-ERR syntax error"),
        (
            vec!["ZUNION", "-1", &a, &b],
            "-ERR at least 1 input key is needed for 'zunion' command",
        ),
        (vec!["ZINTERSTORE", &a, "5", &a, &b], "-ERR syntax error"),
        (
            vec!["ZDIFFSTORE", &a, "x", &a, &b],
            "-ERR value is not an integer or out of range",
        ),
        (vec!["ZINTERCARD", "5", &a, &b], "-ERR syntax error"),
        (vec!["ZMPOP", "5", &a, &b, "MIN"], "-ERR syntax error"),
        (
            vec!["ZMPOP", "-1", &a, &b, "MIN"],
            "-ERR numkeys should be greater than 0",
        ),
        (vec!["LMPOP", "9", &a, &b, "LEFT"], "-ERR syntax error"),
        (
            vec!["LMPOP", "x", &a, &b, "LEFT"],
            "-ERR numkeys should be greater than 0",
        ),
        (
            vec!["BLMPOP", "0", "9", &a, &b, "LEFT"],
            "-ERR syntax error",
        ),
        (vec!["BZMPOP", "0", "9", &a, &b, "MIN"], "-ERR syntax error"),
        (vec!["SORT", &a, "STORE"], "-ERR syntax error"),
        (vec!["SORT", &a, "BY"], "-ERR syntax error"),
        (vec!["SORT", &a, "LIMIT", "0"], "-ERR syntax error"),
        (
            vec!["GEORADIUS", &a, "0", "0", "1", "km", "STORE"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            vec!["GEOSEARCHSTORE", &a, &b],
            "-ERR wrong number of arguments for 'geosearchstore' command",
        ),
    ];
    for (cmd, want) in cases {
        t.is(&cmd, want);
    }
    t.is(&["SMEMBERS", &a], r#"["1"]"#);
    t.is(&["PING"], "+PONG");
}
