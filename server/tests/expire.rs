//! Expiry end to end: TTL/PTTL and the EXPIRE options on keys of both shards, lazy expiry on
//! access, the active expiry cycle reclaiming keys nobody touches (and DEBUG
//! SET-ACTIVE-EXPIRE stopping it), and `expired_keys` in INFO summed over the shards.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::time::Duration;

use common::{encode, info_field, key_on, keys_on, wait_until, Raw, Server};
use corekv_proto::Frame;

fn text(r: &mut Raw, cmd: &[&str]) -> String {
    r.text(cmd)
}

fn int(r: &mut Raw, cmd: &[&str]) -> i64 {
    match r.call(cmd) {
        Frame::Integer(n) => n,
        f => panic!("{cmd:?}: expected an integer, got {f}"),
    }
}

fn expired_keys(c: &mut Raw) -> u64 {
    info_field(&c.info("stats"), "expired_keys")
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn ttl_and_expire_options_on_both_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    for sh in 0..2 {
        let k = key_on(sh, "ttl");
        let p = key_on(sh, "plain");
        assert_eq!(text(&mut c, &["TTL", &k]), ":-2\r\n");
        assert_eq!(text(&mut c, &["PTTL", &k]), ":-2\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "100"]), ":0\r\n");
        c.roundtrip(&["SET", &k, "v"]);
        c.roundtrip(&["SET", &p, "v"]);
        assert_eq!(text(&mut c, &["TTL", &k]), ":-1\r\n");
        assert_eq!(text(&mut c, &["PTTL", &k]), ":-1\r\n");
        assert_eq!(text(&mut c, &["EXPIRETIME", &k]), ":-1\r\n");
        // XX/GT need an existing TTL; NX needs none. No TTL counts as infinite for GT/LT.
        assert_eq!(text(&mut c, &["EXPIRE", &k, "100", "XX"]), ":0\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "100", "GT"]), ":0\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "100", "NX"]), ":1\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "50", "NX"]), ":0\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "200", "XX"]), ":1\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "100", "GT"]), ":0\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "300", "GT"]), ":1\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "500", "LT"]), ":0\r\n");
        assert_eq!(text(&mut c, &["EXPIRE", &k, "10", "LT"]), ":1\r\n");
        let ttl = int(&mut c, &["TTL", &k]);
        assert!((9..=10).contains(&ttl), "TTL {ttl}");
        let pttl = int(&mut c, &["PTTL", &k]);
        assert!((9_000..=10_000).contains(&pttl), "PTTL {pttl}");
        assert_eq!(text(&mut c, &["EXPIRE", &p, "100", "LT"]), ":1\r\n");
        let at = int(&mut c, &["EXPIRETIME", &k]);
        let pat = int(&mut c, &["PEXPIRETIME", &k]);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        assert!(
            (now + 8..=now + 11).contains(&at),
            "EXPIRETIME {at} now {now}"
        );
        // Redis rounds the milliseconds to the nearest second.
        assert_eq!(at, (pat + 500) / 1000);
        // PERSIST.
        assert_eq!(text(&mut c, &["PERSIST", &k]), ":1\r\n");
        assert_eq!(text(&mut c, &["PERSIST", &k]), ":0\r\n");
        assert_eq!(text(&mut c, &["PERSIST", "nokey"]), ":0\r\n");
        assert_eq!(text(&mut c, &["TTL", &k]), ":-1\r\n");
        // A time in the past deletes the key at once.
        assert_eq!(text(&mut c, &["EXPIREAT", &k, "1"]), ":1\r\n");
        assert_eq!(text(&mut c, &["EXISTS", &k]), ":0\r\n");
        c.roundtrip(&["SET", &k, "v"]);
        assert_eq!(text(&mut c, &["PEXPIRE", &k, "-5"]), ":1\r\n");
        assert_eq!(text(&mut c, &["EXISTS", &k]), ":0\r\n");
        // SET options and GETEX.
        c.roundtrip(&["SET", &k, "v", "EX", "100"]);
        assert_eq!(text(&mut c, &["SET", &k, "w", "KEEPTTL"]), "+OK\r\n");
        assert!(int(&mut c, &["TTL", &k]) > 90);
        assert_eq!(text(&mut c, &["SET", &k, "x"]), "+OK\r\n");
        assert_eq!(text(&mut c, &["TTL", &k]), ":-1\r\n");
        assert_eq!(text(&mut c, &["GETEX", &k, "EX", "100"]), "$1\r\nx\r\n");
        assert!(int(&mut c, &["TTL", &k]) > 90);
        assert_eq!(text(&mut c, &["GETEX", &k, "PERSIST"]), "$1\r\nx\r\n");
        assert_eq!(text(&mut c, &["TTL", &k]), ":-1\r\n");
        // Errors, exactly as Redis words them.
        for (cmd, want) in [
            (
                vec!["EXPIRE", &k, "100", "NX", "XX"],
                "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
            ),
            (
                vec!["EXPIRE", &k, "100", "NX", "GT"],
                "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
            ),
            (
                vec!["EXPIRE", &k, "100", "GT", "LT"],
                "-ERR GT and LT options at the same time are not compatible\r\n",
            ),
            (
                vec!["EXPIRE", &k, "100", "FOO"],
                "-ERR Unsupported option FOO\r\n",
            ),
            (
                vec!["EXPIRE", &k, "abc"],
                "-ERR value is not an integer or out of range\r\n",
            ),
            (
                vec!["EXPIRE", "nokey", "9223372036854775807"],
                "-ERR invalid expire time in 'expire' command\r\n",
            ),
            (
                vec!["PEXPIRE", &k, "9223372036854775807"],
                "-ERR invalid expire time in 'pexpire' command\r\n",
            ),
            (
                vec!["SET", &k, "v", "PX", "9223372036854775807"],
                "-ERR invalid expire time in 'set' command\r\n",
            ),
            (
                vec!["SET", &k, "v", "EX", "-1"],
                "-ERR invalid expire time in 'set' command\r\n",
            ),
            (
                vec!["GETEX", &k, "PX", "0"],
                "-ERR invalid expire time in 'getex' command\r\n",
            ),
            (vec!["GETEX", &k, "FOO"], "-ERR syntax error\r\n"),
        ] {
            assert_eq!(text(&mut c, &cmd), want, "{cmd:?}");
        }
        c.roundtrip(&["DEL", &k, &p]);
    }
}

/// With the active cycle off, expired keys still count in DBSIZE (as in Redis) until they are
/// touched; touching one makes it disappear and counts it in `expired_keys`.
#[test]
fn lazy_expiry_on_access() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(
        text(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]),
        "+OK\r\n"
    );
    let keys: Vec<String> = (0..2).flat_map(|sh| keys_on(sh, "lazy", 5)).collect();
    for k in &keys {
        assert_eq!(text(&mut c, &["SET", k, "v", "PX", "50"]), "+OK\r\n");
    }
    let keep = key_on(1, "keep");
    c.roundtrip(&["SET", &keep, "v"]);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(text(&mut c, &["DBSIZE"]), ":11\r\n");
    assert_eq!(expired_keys(&mut c), 0);
    // Reads of every kind see nothing, from a connection on either shard.
    let mut other = s.raw_on_shard(0);
    assert_eq!(text(&mut other, &["GET", &keys[0]]), "$-1\r\n");
    assert_eq!(text(&mut c, &["GET", &keys[5]]), "$-1\r\n");
    assert_eq!(text(&mut c, &["TTL", &keys[1]]), ":-2\r\n");
    assert_eq!(text(&mut c, &["EXISTS", &keys[6], &keys[2]]), ":0\r\n");
    assert_eq!(
        text(&mut c, &["MGET", &keys[3], &keys[7], &keep]),
        "*3\r\n$-1\r\n$-1\r\n$1\r\nv\r\n"
    );
    assert_eq!(text(&mut c, &["DBSIZE"]), ":4\r\n");
    assert_eq!(expired_keys(&mut c), 7);
    // Writes on an expired key start from nothing.
    assert_eq!(text(&mut c, &["INCR", &keys[8]]), ":1\r\n");
    assert_eq!(text(&mut c, &["TTL", &keys[8]]), ":-1\r\n");
    assert_eq!(expired_keys(&mut c), 8);
    assert_eq!(text(&mut c, &["DBSIZE"]), ":4\r\n");
}

/// The active cycle reclaims keys nobody touches, on both shards; DEBUG SET-ACTIVE-EXPIRE 0
/// stops it and 1 resumes it.
#[test]
fn active_expiry_reclaims_untouched_keys() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let set_many = |c: &mut Raw, prefix: &str| {
        let mut req = Vec::new();
        for i in 0..1000 {
            req.extend(encode(&["SET", &format!("{prefix}:{i}"), "v", "PX", "100"]));
        }
        c.send(&req);
        for _ in 0..1000 {
            assert_eq!(c.read_reply(), b"+OK\r\n");
        }
    };
    set_many(&mut c, "act");
    let keep = key_on(0, "keep");
    c.roundtrip(&["SET", &keep, "v"]);
    assert!(
        wait_until(Duration::from_secs(5), || text(&mut c, &["DBSIZE"])
            == ":1\r\n"),
        "active expiry left {} keys",
        text(&mut c, &["DBSIZE"])
    );
    assert_eq!(expired_keys(&mut c), 1000);
    assert_eq!(
        info_field(&c.info("keyspace"), "db0").unwrap()[..16],
        *"keys=1,expires=0"
    );

    // Switched off: the keys stay (counted) past their expiry.
    assert_eq!(
        text(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]),
        "+OK\r\n"
    );
    set_many(&mut c, "off");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(text(&mut c, &["DBSIZE"]), ":1001\r\n");
    assert_eq!(expired_keys(&mut c), 1000);
    // Switched back on: reclaimed.
    assert_eq!(
        text(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]),
        "+OK\r\n"
    );
    assert!(
        wait_until(Duration::from_secs(5), || text(&mut c, &["DBSIZE"])
            == ":1\r\n"),
        "active expiry left {} keys",
        text(&mut c, &["DBSIZE"])
    );
    assert_eq!(expired_keys(&mut c), 2000);
    assert_eq!(text(&mut c, &["GET", &keep]), "$1\r\nv\r\n");
}

/// Once no volatile key is left, the active cycle resets the database's `avg_ttl` estimate to
/// 0, as Redis's `activeExpireCycle` does.
#[test]
fn avg_ttl_resets_when_no_volatile_keys_remain() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let mut req = Vec::new();
    for i in 0..1000 {
        req.extend(encode(&["SET", &format!("avg:{i}"), "v", "PX", "100"]));
    }
    c.send(&req);
    for _ in 0..1000 {
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }
    c.roundtrip(&["SET", "keep", "v"]);
    assert!(wait_until(Duration::from_secs(5), || text(
        &mut c,
        &["DBSIZE"]
    ) == ":1\r\n"));
    // Give the cycle a few more ticks over the now empty TTL index.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        info_field(&c.info("keyspace"), "db0").as_deref(),
        Some("keys=1,expires=0,avg_ttl=0")
    );
}

/// Keys with a TTL in other databases are reclaimed too, and INFO keyspace reports the
/// expires of both shards.
#[test]
fn expires_in_info_keyspace_sum_both_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    for sh in 0..2 {
        for k in keys_on(sh, "ks", 3) {
            c.roundtrip(&["SET", &k, "v", "EX", "1000"]);
        }
        for k in keys_on(sh, "plain", 2) {
            c.roundtrip(&["SET", &k, "v"]);
        }
    }
    let ks = c.info("keyspace");
    let db0 = info_field(&ks, "db0").unwrap();
    assert!(
        db0.starts_with("keys=10,expires=6,avg_ttl="),
        "INFO keyspace: {ks}"
    );
    c.roundtrip(&["SELECT", "2"]);
    for sh in 0..2 {
        c.roundtrip(&["SET", &key_on(sh, "db2"), "v", "PX", "100"]);
    }
    assert_eq!(
        info_field(&c.info("keyspace"), "db2")
            .as_deref()
            .map(|v| v.starts_with("keys=2,expires=2")),
        Some(true)
    );
    assert!(wait_until(Duration::from_secs(5), || {
        info_field(&c.info("keyspace"), "db2").is_none()
    }));
    assert_eq!(text(&mut c, &["DBSIZE"]), ":0\r\n");
}
