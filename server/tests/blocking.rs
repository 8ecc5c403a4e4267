//! Blocking commands through the real server with keys on both shards: BLPOP/BRPOP/BLMPOP,
//! BLMOVE/BRPOPLPUSH between shards, BZPOPMIN/BZMPOP, XREAD BLOCK; timeouts, FIFO order per
//! key, CLIENT UNBLOCK, disconnection, and a stress run of many blocked clients and pushers
//! that must neither lose nor duplicate an element, nor hang.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

use common::{info_field, key_on, keys_on, wait_until, Raw, Server};

/// Waits until the server reports `n` blocked clients.
fn wait_blocked(r: &mut Raw, n: usize) {
    let ok = wait_until(Duration::from_secs(5), || {
        let info = r.info("clients");
        info_field(&info, "blocked_clients").as_deref() == Some(&n.to_string())
    });
    assert!(ok, "expected {n} blocked clients: {}", r.info("clients"));
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

fn pair(k: &str, v: &str) -> Vec<u8> {
    format!("*2\r\n{}{}", bulk(k), bulk(v)).into_bytes()
}

#[test]
fn blpop_is_served_by_a_push_on_another_shard() {
    let srv = Server::start(&[]);
    let k0 = key_on(0, "bl-a");
    let k1 = key_on(1, "bl-b");
    let mut ctl = srv.raw();
    for shard in [0, 1] {
        let mut c = srv.raw_on_shard(shard);
        c.send_cmd(&["BLPOP", &k0, &k1, "0"]);
        wait_blocked(&mut ctl, 1);
        assert_eq!(ctl.roundtrip(&["RPUSH", &k1, "x", "y"]), b":2\r\n");
        assert_eq!(c.read_reply(), pair(&k1, "x"));
        assert_eq!(
            ctl.roundtrip(&["LRANGE", &k1, "0", "-1"]),
            format!("*1\r\n{}", bulk("y")).into_bytes()
        );
        c.send_cmd(&["BRPOP", &k0, "0"]);
        wait_blocked(&mut ctl, 1);
        assert_eq!(ctl.roundtrip(&["LPUSH", &k0, "z"]), b":1\r\n");
        assert_eq!(c.read_reply(), pair(&k0, "z"));
        // The pending element of k1 is served without blocking.
        assert_eq!(c.roundtrip(&["BRPOP", &k0, &k1, "0"]), pair(&k1, "y"));
        assert_eq!(ctl.roundtrip(&["EXISTS", &k0, &k1]), b":0\r\n");
    }
}

#[test]
fn timeouts_and_errors() {
    let srv = Server::start(&[]);
    let k0 = key_on(0, "to-a");
    let k1 = key_on(1, "to-b");
    let mut c = srv.raw();
    let t = Instant::now();
    assert_eq!(c.roundtrip(&["BLPOP", &k0, &k1, "0.2"]), b"*-1\r\n");
    let waited = t.elapsed();
    assert!(waited >= Duration::from_millis(190), "{waited:?}");
    assert_eq!(
        c.roundtrip(&["BLPOP", &k0, "abc"]),
        b"-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        c.roundtrip(&["BLPOP", &k0, "-1"]),
        b"-ERR timeout is negative\r\n"
    );
    assert_eq!(c.roundtrip(&["SET", &k1, "s"]), b"+OK\r\n");
    assert_eq!(
        c.roundtrip(&["BLPOP", &k0, &k1, "0"]),
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    // RESP3 timeouts are nulls.
    c.roundtrip(&["HELLO", "3"]);
    assert_eq!(c.roundtrip(&["BZPOPMIN", &k0, "0.05"]), b"_\r\n");
    assert_eq!(c.roundtrip(&["PING"]), b"+PONG\r\n");
}

#[test]
fn first_blocked_first_served_per_key() {
    let srv = Server::start(&[]);
    let k = key_on(1, "fifo");
    let mut ctl = srv.raw();
    let mut clients = Vec::new();
    for i in 0..4 {
        let mut c = srv.raw_on_shard(i % 2);
        c.send_cmd(&["BLPOP", &k, "0"]);
        wait_blocked(&mut ctl, i + 1);
        clients.push(c);
    }
    assert_eq!(
        ctl.roundtrip(&["RPUSH", &k, "e0", "e1", "e2", "e3"]),
        b":4\r\n"
    );
    for (i, c) in clients.iter_mut().enumerate() {
        assert_eq!(c.read_reply(), pair(&k, &format!("e{i}")));
    }
    wait_blocked(&mut ctl, 0);
    assert_eq!(ctl.roundtrip(&["EXISTS", &k]), b":0\r\n");
}

#[test]
fn client_unblock_and_disconnect_cancel_cleanly() {
    let srv = Server::start(&[]);
    let k0 = key_on(0, "ub-a");
    let k1 = key_on(1, "ub-b");
    let mut ctl = srv.raw();
    let mut c = srv.raw();
    let id = String::from_utf8(c.roundtrip(&["CLIENT", "ID"])).unwrap();
    let id = id.trim_start_matches(':').trim().to_string();
    c.send_cmd(&["BLPOP", &k0, &k1, "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(ctl.roundtrip(&["CLIENT", "UNBLOCK", &id]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*-1\r\n");
    c.send_cmd(&["BLPOP", &k0, &k1, "0"]);
    wait_blocked(&mut ctl, 1);
    assert_eq!(
        ctl.roundtrip(&["CLIENT", "UNBLOCK", &id, "ERROR"]),
        b":1\r\n"
    );
    assert_eq!(
        c.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    assert_eq!(ctl.roundtrip(&["CLIENT", "UNBLOCK", &id]), b":0\r\n");
    // A client that goes away while blocked takes nothing with it.
    c.send_cmd(&["BLPOP", &k0, &k1, "0"]);
    wait_blocked(&mut ctl, 1);
    drop(c);
    wait_blocked(&mut ctl, 0);
    assert_eq!(ctl.roundtrip(&["RPUSH", &k1, "kept"]), b":1\r\n");
    thread::sleep(Duration::from_millis(50));
    assert_eq!(ctl.roundtrip(&["LLEN", &k1]), b":1\r\n");
}

#[test]
fn blmove_between_shards() {
    let srv = Server::start(&[]);
    let src = key_on(0, "mv-src");
    let dst = key_on(1, "mv-dst");
    let mut ctl = srv.raw();
    let mut c = srv.raw();
    // Served at once.
    ctl.roundtrip(&["RPUSH", &src, "a", "b"]);
    assert_eq!(
        c.roundtrip(&["BLMOVE", &src, &dst, "RIGHT", "LEFT", "0"]),
        bulk("b").into_bytes()
    );
    assert_eq!(
        c.roundtrip(&["BRPOPLPUSH", &src, &dst, "0"]),
        bulk("a").into_bytes()
    );
    assert_eq!(ctl.roundtrip(&["EXISTS", &src]), b":0\r\n");
    assert_eq!(
        ctl.roundtrip(&["LRANGE", &dst, "0", "-1"]),
        format!("*2\r\n{}{}", bulk("a"), bulk("b")).into_bytes()
    );
    // Served later, by a push from another client.
    c.send_cmd(&["BLMOVE", &src, &dst, "LEFT", "RIGHT", "0"]);
    wait_blocked(&mut ctl, 1);
    ctl.roundtrip(&["LPUSH", &src, "c"]);
    assert_eq!(c.read_reply(), bulk("c").into_bytes());
    assert_eq!(ctl.roundtrip(&["RPOP", &dst]), bulk("c").into_bytes());
    // Someone blocked on the destination is served by the move.
    ctl.roundtrip(&["DEL", &dst]);
    let mut d = srv.raw();
    d.send_cmd(&["BLPOP", &dst, "0"]);
    c.send_cmd(&["BLMOVE", &src, &dst, "LEFT", "LEFT", "0"]);
    wait_blocked(&mut ctl, 2);
    ctl.roundtrip(&["RPUSH", &src, "d"]);
    assert_eq!(c.read_reply(), bulk("d").into_bytes());
    assert_eq!(d.read_reply(), pair(&dst, "d"));
    // Errors: syntax, timeout, a destination of the wrong type.
    assert_eq!(
        c.roundtrip(&["BLMOVE", &src, &dst, "UP", "LEFT", "0"]),
        b"-ERR syntax error\r\n"
    );
    assert_eq!(
        c.roundtrip(&["BLMOVE", &src, &dst, "LEFT", "LEFT", "x"]),
        b"-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        c.roundtrip(&["BLMOVE", &src, &dst, "LEFT", "LEFT", "0.05"]),
        b"*-1\r\n"
    );
    ctl.roundtrip(&["SET", &dst, "str"]);
    ctl.roundtrip(&["RPUSH", &src, "e"]);
    assert_eq!(
        c.roundtrip(&["BLMOVE", &src, &dst, "LEFT", "LEFT", "0"]),
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        ctl.roundtrip(&["LRANGE", &src, "0", "-1"]),
        format!("*1\r\n{}", bulk("e")).into_bytes()
    );
}

#[test]
fn blmpop_and_bzpop_across_shards() {
    let srv = Server::start(&[]);
    let l0 = key_on(0, "mp-a");
    let l1 = key_on(1, "mp-b");
    let mut ctl = srv.raw();
    let mut c = srv.raw();
    c.send_cmd(&["BLMPOP", "0", "2", &l0, &l1, "LEFT", "COUNT", "2"]);
    wait_blocked(&mut ctl, 1);
    ctl.roundtrip(&["RPUSH", &l1, "1", "2", "3"]);
    assert_eq!(
        c.read_reply(),
        format!("*2\r\n{}*2\r\n{}{}", bulk(&l1), bulk("1"), bulk("2")).into_bytes()
    );
    let z0 = key_on(0, "bz-a");
    let z1 = key_on(1, "bz-b");
    c.send_cmd(&["BZPOPMIN", &z0, &z1, "0"]);
    wait_blocked(&mut ctl, 1);
    ctl.roundtrip(&["ZADD", &z1, "2", "two", "1", "one"]);
    assert_eq!(
        c.read_reply(),
        format!("*3\r\n{}{}{}", bulk(&z1), bulk("one"), bulk("1")).into_bytes()
    );
    ctl.roundtrip(&["DEL", &z1]);
    c.send_cmd(&["BZMPOP", "0", "2", &z0, &z1, "MAX"]);
    wait_blocked(&mut ctl, 1);
    ctl.roundtrip(&["ZADD", &z0, "5", "five"]);
    assert_eq!(
        c.read_reply(),
        format!(
            "*2\r\n{}*1\r\n*2\r\n{}{}",
            bulk(&z0),
            bulk("five"),
            bulk("5")
        )
        .into_bytes()
    );
}

#[test]
fn xread_block_across_shards() {
    let srv = Server::start(&[]);
    let s0 = key_on(0, "xs-a");
    let s1 = key_on(1, "xs-b");
    let mut ctl = srv.raw();
    let mut c = srv.raw();
    ctl.roundtrip(&["XADD", &s1, "1-1", "f", "old"]);
    // `$` is "after what is there now": the old entry is not returned.
    c.send_cmd(&["XREAD", "BLOCK", "0", "STREAMS", &s0, &s1, "$", "$"]);
    wait_blocked(&mut ctl, 1);
    ctl.roundtrip(&["XADD", &s1, "2-1", "f", "new"]);
    assert_eq!(
        c.read_reply(),
        format!(
            "*1\r\n*2\r\n{}*1\r\n*2\r\n{}*2\r\n{}{}",
            bulk(&s1),
            bulk("2-1"),
            bulk("f"),
            bulk("new")
        )
        .into_bytes()
    );
    // Without BLOCK, both shards answer together.
    ctl.roundtrip(&["XADD", &s0, "3-1", "g", "v"]);
    let r = c.roundtrip(&["XREAD", "STREAMS", &s0, &s1, "0", "0"]);
    assert!(r.starts_with(b"*2\r\n"), "{}", String::from_utf8_lossy(&r));
    assert_eq!(
        c.roundtrip(&["XREAD", "BLOCK", "50", "STREAMS", &s0, &s1, "$", "$"]),
        b"*-1\r\n"
    );
}

/// Many clients blocked on keys of both shards (BLPOP over several keys, BLMOVE into a sink
/// on the other shard) while pushers add unique elements from both shards' connections:
/// every element ends up popped exactly once or still stored, and nobody hangs.
#[test]
fn stress_blocking_pops_and_pushes_across_shards() {
    let srv = Server::start(&[]);
    let mut keys = keys_on(0, "st", 3);
    keys.extend(keys_on(1, "st", 3));
    let sink = key_on(1, "st-sink");
    let pushers = 4;
    let per_pusher = 1500;
    let poppers = 8;
    let deadline = Instant::now() + Duration::from_secs(60);

    let mut handles = Vec::new();
    for p in 0..poppers {
        let port = srv.port;
        let keys = keys.clone();
        let sink = sink.clone();
        handles.push(thread::spawn(move || {
            let mut c = Raw::connect(port);
            let mut got: Vec<String> = Vec::new();
            let mut idle = 0;
            while idle < 3 && Instant::now() < deadline {
                let reply = if p % 4 == 3 {
                    let src = &keys[p % keys.len()];
                    c.roundtrip(&["BLMOVE", src, &sink, "LEFT", "RIGHT", "0.2"])
                } else {
                    let mut cmd = vec!["BLPOP".to_string()];
                    cmd.extend(keys.iter().cloned());
                    cmd.push("0.2".into());
                    c.roundtrip(&cmd)
                };
                let text = String::from_utf8(reply).unwrap();
                if text == "*-1\r\n" {
                    idle += 1;
                    continue;
                }
                idle = 0;
                // The element is the last bulk of the reply.
                let elem = text.trim_end_matches("\r\n").rsplit("\r\n").next().unwrap();
                assert!(elem.starts_with('e'), "unexpected reply {text:?}");
                if p % 4 != 3 {
                    got.push(elem.to_string());
                }
            }
            got
        }));
    }
    let mut pusher_handles = Vec::new();
    for p in 0..pushers {
        let port = srv.port;
        let keys = keys.clone();
        pusher_handles.push(thread::spawn(move || {
            let mut c = Raw::connect(port);
            for i in 0..per_pusher {
                let k = &keys[(i * 7 + p) % keys.len()];
                let cmd = if i % 2 == 0 { "RPUSH" } else { "LPUSH" };
                let r = c.roundtrip(&[cmd, k, &format!("e{p}-{i}")]);
                assert!(r.starts_with(b":"), "{}", String::from_utf8_lossy(&r));
            }
        }));
    }
    for h in pusher_handles {
        h.join().unwrap();
    }
    let mut popped: Vec<String> = Vec::new();
    for h in handles {
        popped.extend(h.join().unwrap());
    }
    assert!(Instant::now() < deadline, "the run hung");
    let mut ctl = srv.raw();
    let mut stored: Vec<String> = Vec::new();
    for k in keys.iter().chain(std::iter::once(&sink)) {
        let r = String::from_utf8(ctl.roundtrip(&["LRANGE", k, "0", "-1"])).unwrap();
        stored.extend(
            r.split("\r\n")
                .filter(|w| w.starts_with('e'))
                .map(String::from),
        );
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for e in popped.iter().chain(stored.iter()) {
        *seen.entry(e.clone()).or_default() += 1;
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "duplicated: {dups:?}");
    assert_eq!(seen.len(), pushers * per_pusher, "lost elements");
    wait_blocked(&mut ctl, 0);
}

/// Values of the bulk strings in a raw reply that start with `prefix`.
fn bulks_with(reply: &[u8], prefix: &str) -> Vec<String> {
    String::from_utf8_lossy(reply)
        .split("\r\n")
        .filter(|w| w.starts_with(prefix))
        .map(String::from)
        .collect()
}

/// Consumers of one group blocked in XREADGROUP on streams of both shards, and BZPOPMIN
/// clients on sorted sets of both shards, while producers add unique entries/members: every
/// stream entry is delivered to exactly one consumer, every member popped exactly once.
#[test]
fn stress_stream_groups_and_zset_pops_across_shards() {
    let srv = Server::start(&[]);
    let s0 = key_on(0, "sx");
    let s1 = key_on(1, "sx");
    let z0 = key_on(0, "sz");
    let z1 = key_on(1, "sz");
    let mut ctl = srv.raw();
    for s in [&s0, &s1] {
        assert_eq!(
            ctl.roundtrip(&["XGROUP", "CREATE", s, "g", "$", "MKSTREAM"]),
            b"+OK\r\n"
        );
    }
    let per_producer = 600;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut consumers = Vec::new();
    for c in 0..6 {
        let port = srv.port;
        let (s0, s1, z0, z1) = (s0.clone(), s1.clone(), z0.clone(), z1.clone());
        consumers.push(thread::spawn(move || {
            let mut conn = Raw::connect(port);
            let me = format!("c{c}");
            let (mut entries, mut members) = (Vec::new(), Vec::new());
            let mut idle = 0;
            while idle < 4 && Instant::now() < deadline {
                let reply = if c % 2 == 0 {
                    conn.roundtrip(&[
                        "XREADGROUP",
                        "GROUP",
                        "g",
                        &me,
                        "COUNT",
                        "3",
                        "BLOCK",
                        "150",
                        "STREAMS",
                        &s0,
                        &s1,
                        ">",
                        ">",
                    ])
                } else {
                    conn.roundtrip(&["BZPOPMIN", &z0, &z1, "0.15"])
                };
                if reply == b"*-1\r\n" {
                    idle += 1;
                    continue;
                }
                assert!(
                    !reply.starts_with(b"-"),
                    "{}",
                    String::from_utf8_lossy(&reply)
                );
                idle = 0;
                entries.extend(bulks_with(&reply, "x-"));
                members.extend(bulks_with(&reply, "m-"));
            }
            (entries, members)
        }));
    }
    let mut producers = Vec::new();
    for p in 0..2 {
        let port = srv.port;
        let (s0, s1, z0, z1) = (s0.clone(), s1.clone(), z0.clone(), z1.clone());
        producers.push(thread::spawn(move || {
            let mut conn = Raw::connect(port);
            for i in 0..per_producer {
                let (s, z) = if i % 2 == 0 { (&s0, &z0) } else { (&s1, &z1) };
                let r = conn.roundtrip(&["XADD", s, "*", "v", &format!("x-{p}-{i}")]);
                assert!(r.starts_with(b"$"), "{}", String::from_utf8_lossy(&r));
                let r = conn.roundtrip(&["ZADD", z, &i.to_string(), &format!("m-{p}-{i}")]);
                assert_eq!(r, b":1\r\n");
            }
        }));
    }
    for p in producers {
        p.join().unwrap();
    }
    let (mut entries, mut members) = (Vec::new(), Vec::new());
    for c in consumers {
        let (e, m) = c.join().unwrap();
        entries.extend(e);
        members.extend(m);
    }
    assert!(Instant::now() < deadline, "the run hung");
    // Whatever the consumers did not get is still there to read.
    for s in [&s0, &s1] {
        let r = ctl.roundtrip(&["XREADGROUP", "GROUP", "g", "late", "STREAMS", s, ">"]);
        entries.extend(bulks_with(&r, "x-"));
    }
    for z in [&z0, &z1] {
        members.extend(bulks_with(&ctl.roundtrip(&["ZRANGE", z, "0", "-1"]), "m-"));
    }
    for (what, got) in [("entries", &entries), ("members", &members)] {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for e in got.iter() {
            *seen.entry(e.as_str()).or_default() += 1;
        }
        let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(dups.is_empty(), "duplicated {what}: {dups:?}");
        assert_eq!(seen.len(), 2 * per_producer, "lost {what}");
    }
    // Every delivered entry is pending exactly once in the group.
    let mut pending = 0;
    for s in [&s0, &s1] {
        let r = String::from_utf8(ctl.roundtrip(&["XPENDING", s, "g"])).unwrap();
        pending += r
            .split("\r\n")
            .nth(1)
            .unwrap()
            .trim_start_matches(':')
            .parse::<usize>()
            .unwrap();
    }
    assert_eq!(pending, 2 * per_producer);
    wait_blocked(&mut ctl, 0);
}
