//! Generic key commands through the real server: RENAME/RENAMENX/COPY/MOVE between shards and
//! databases, SWAPDB/SELECT, KEYS/DBSIZE/FLUSHDB/FLUSHALL over both shards, the SCAN cursor
//! walking every shard (also under concurrent writes), and RANDOMKEY.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{encode, key_on, keys_on, tag_on, Raw, Server};
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

/// (source, destination) pairs: other shard both ways, and the same shard.
fn placements(name: &str) -> Vec<(String, String)> {
    let t = tag_on(1, name);
    vec![
        (
            key_on(0, &format!("{name}-src")),
            key_on(1, &format!("{name}-dst")),
        ),
        (
            key_on(1, &format!("{name}-src")),
            key_on(0, &format!("{name}-dst")),
        ),
        (format!("{t}src"), format!("{t}dst")),
    ]
}

#[test]
fn rename_across_shards_keeps_value_and_ttl() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    for (src, dst) in placements("rn") {
        assert_eq!(text(&mut c, &["SET", &src, "v1", "PX", "50000"]), "+OK\r\n");
        assert_eq!(text(&mut c, &["SET", &dst, "old", "EX", "10"]), "+OK\r\n");
        assert_eq!(text(&mut c, &["RENAME", &src, &dst]), "+OK\r\n");
        assert_eq!(text(&mut c, &["EXISTS", &src]), ":0\r\n");
        assert_eq!(text(&mut c, &["GET", &dst]), "$2\r\nv1\r\n");
        let pttl = int(&mut c, &["PTTL", &dst]);
        assert!(
            (45_000..=50_000).contains(&pttl),
            "PTTL {pttl} after RENAME"
        );
        // A source without TTL removes the destination's.
        c.roundtrip(&["SET", &src, "v2"]);
        assert_eq!(text(&mut c, &["RENAME", &src, &dst]), "+OK\r\n");
        assert_eq!(text(&mut c, &["TTL", &dst]), ":-1\r\n");
        assert_eq!(text(&mut c, &["GET", &dst]), "$2\r\nv2\r\n");
        // Errors.
        assert_eq!(
            text(&mut c, &["RENAME", &src, &dst]),
            "-ERR no such key\r\n"
        );
        assert_eq!(
            text(&mut c, &["RENAMENX", &src, &dst]),
            "-ERR no such key\r\n"
        );
        assert_eq!(text(&mut c, &["RENAME", &dst, &dst]), "+OK\r\n");
        assert_eq!(text(&mut c, &["RENAMENX", &dst, &dst]), ":0\r\n");
        // RENAMENX: refused while the destination exists, done when it does not.
        c.roundtrip(&["SET", &src, "v3", "EX", "1000"]);
        assert_eq!(text(&mut c, &["RENAMENX", &src, &dst]), ":0\r\n");
        assert_eq!(text(&mut c, &["GET", &src]), "$2\r\nv3\r\n");
        c.roundtrip(&["DEL", &dst]);
        assert_eq!(text(&mut c, &["RENAMENX", &src, &dst]), ":1\r\n");
        assert_eq!(
            text(&mut c, &["MGET", &src, &dst]),
            "*2\r\n$-1\r\n$2\r\nv3\r\n"
        );
        let ttl = int(&mut c, &["TTL", &dst]);
        assert!((990..=1000).contains(&ttl), "TTL {ttl} after RENAMENX");
        c.roundtrip(&["DEL", &src, &dst]);
    }
}

#[test]
fn copy_across_shards_and_databases() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    for (src, dst) in placements("cp") {
        c.roundtrip(&["SELECT", "0"]);
        assert_eq!(
            text(&mut c, &["SET", &src, "val", "PX", "50000"]),
            "+OK\r\n"
        );
        assert_eq!(text(&mut c, &["COPY", &src, &dst]), ":1\r\n");
        assert_eq!(
            text(&mut c, &["MGET", &src, &dst]),
            "*2\r\n$3\r\nval\r\n$3\r\nval\r\n"
        );
        let pttl = int(&mut c, &["PTTL", &dst]);
        assert!((45_000..=50_000).contains(&pttl), "PTTL {pttl} after COPY");
        // Existing destination: refused without REPLACE.
        c.roundtrip(&["SET", &src, "new"]);
        assert_eq!(text(&mut c, &["COPY", &src, &dst]), ":0\r\n");
        assert_eq!(text(&mut c, &["GET", &dst]), "$3\r\nval\r\n");
        assert_eq!(text(&mut c, &["COPY", &src, &dst, "REPLACE"]), ":1\r\n");
        assert_eq!(text(&mut c, &["GET", &dst]), "$3\r\nnew\r\n");
        assert_eq!(text(&mut c, &["TTL", &dst]), ":-1\r\n");
        // To another database.
        assert_eq!(text(&mut c, &["COPY", &src, &dst, "DB", "3"]), ":1\r\n");
        assert_eq!(text(&mut c, &["COPY", &src, &dst, "DB", "3"]), ":0\r\n");
        assert_eq!(
            text(&mut c, &["COPY", &src, &dst, "DB", "3", "REPLACE"]),
            ":1\r\n"
        );
        assert_eq!(text(&mut c, &["SELECT", "3"]), "+OK\r\n");
        assert_eq!(text(&mut c, &["GET", &dst]), "$3\r\nnew\r\n");
        assert_eq!(text(&mut c, &["EXISTS", &src]), ":0\r\n");
        assert_eq!(text(&mut c, &["DEL", &dst]), ":1\r\n");
        c.roundtrip(&["SELECT", "0"]);
        // Errors and misses.
        assert_eq!(text(&mut c, &["COPY", "nokey", &dst]), ":0\r\n");
        assert_eq!(
            text(&mut c, &["COPY", &src, &src]),
            "-ERR source and destination objects are the same\r\n"
        );
        assert_eq!(
            text(&mut c, &["COPY", &src, &dst, "DB", "16"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            text(&mut c, &["COPY", &src, &dst, "DB", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            text(&mut c, &["COPY", &src, &dst, "BAD"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            text(&mut c, &["COPY", &src, &dst, "DB"]),
            "-ERR syntax error\r\n"
        );
        c.roundtrip(&["DEL", &src, &dst]);
    }
}

#[test]
fn move_and_swapdb_across_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let a = keys_on(0, "mv", 2);
    let b = keys_on(1, "mv", 2);
    c.roundtrip(&["MSET", &a[0], "a0", &a[1], "a1", &b[0], "b0", &b[1], "b1"]);
    c.roundtrip(&["EXPIRE", &b[0], "1000"]);
    assert_eq!(text(&mut c, &["MOVE", &a[0], "1"]), ":1\r\n");
    assert_eq!(text(&mut c, &["MOVE", &b[0], "1"]), ":1\r\n");
    assert_eq!(text(&mut c, &["MOVE", &b[0], "1"]), ":0\r\n");
    assert_eq!(text(&mut c, &["MOVE", "nokey", "1"]), ":0\r\n");
    assert_eq!(
        text(&mut c, &["MOVE", &a[1], "0"]),
        "-ERR source and destination objects are the same\r\n"
    );
    assert_eq!(
        text(&mut c, &["MOVE", &a[1], "16"]),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        text(&mut c, &["MOVE", &a[1], "abc"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    // The target already holds the key: nothing moves.
    c.roundtrip(&["SET", &b[0], "again"]);
    assert_eq!(text(&mut c, &["MOVE", &b[0], "1"]), ":0\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":3\r\n");
    c.roundtrip(&["SELECT", "1"]);
    assert_eq!(text(&mut c, &["DBSIZE"]), ":2\r\n");
    assert_eq!(
        text(&mut c, &["MGET", &a[0], &b[0]]),
        "*2\r\n$2\r\na0\r\n$2\r\nb0\r\n"
    );
    let ttl = int(&mut c, &["TTL", &b[0]]);
    assert!((990..=1000).contains(&ttl), "TTL {ttl} after MOVE");

    // SWAPDB exchanges both shards' parts of the databases, for every connection.
    let mut other = s.raw();
    assert_eq!(text(&mut other, &["DBSIZE"]), ":3\r\n");
    assert_eq!(text(&mut c, &["SWAPDB", "0", "1"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":3\r\n");
    assert_eq!(text(&mut other, &["DBSIZE"]), ":2\r\n");
    assert_eq!(
        text(&mut other, &["MGET", &a[0], &b[0], &a[1]]),
        "*3\r\n$2\r\na0\r\n$2\r\nb0\r\n$-1\r\n"
    );
    assert_eq!(
        text(&mut c, &["MGET", &a[1], &b[0], &b[1]]),
        "*3\r\n$2\r\na1\r\n$5\r\nagain\r\n$2\r\nb1\r\n"
    );
    assert_eq!(text(&mut c, &["SWAPDB", "0", "0"]), "+OK\r\n");
    assert_eq!(
        text(&mut c, &["SWAPDB", "0", "16"]),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        text(&mut c, &["SWAPDB", "x", "1"]),
        "-ERR invalid first DB index\r\n"
    );
    assert_eq!(
        text(&mut c, &["SWAPDB", "1", "y"]),
        "-ERR invalid second DB index\r\n"
    );
}

#[test]
fn keys_dbsize_flushdb_flushall_cover_both_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let mut want: Vec<String> = Vec::new();
    for sh in 0..2 {
        want.extend(keys_on(sh, "kd", 100));
    }
    let mut mset: Vec<&str> = vec!["MSET"];
    for k in &want {
        mset.push(k);
        mset.push("v");
    }
    assert_eq!(text(&mut c, &mset), "+OK\r\n");
    c.roundtrip(&["SET", "other:1", "v"]);
    assert_eq!(text(&mut c, &["DBSIZE"]), ":201\r\n");
    let keys = |c: &mut Raw, pat: &str| -> Vec<String> {
        let f = c.call(&["KEYS", pat]);
        let mut v: Vec<String> = f
            .as_array()
            .unwrap()
            .iter()
            .map(|k| String::from_utf8(k.as_bytes().unwrap().to_vec()).unwrap())
            .collect();
        v.sort();
        v
    };
    want.sort();
    assert_eq!(keys(&mut c, "kd:*"), want);
    assert_eq!(keys(&mut c, "*").len(), 201);
    assert_eq!(keys(&mut c, "nomatch*"), Vec::<String>::new());
    assert_eq!(
        text(&mut c, &["KEYS", "a", "b"]),
        "-ERR wrong number of arguments for 'keys' command\r\n"
    );
    // db 1 has its own keys; FLUSHDB there leaves db 0 alone.
    c.roundtrip(&["SELECT", "1"]);
    c.roundtrip(&["MSET", &want[0], "1", &want[150], "1"]);
    assert_eq!(text(&mut c, &["DBSIZE"]), ":2\r\n");
    assert_eq!(text(&mut c, &["FLUSHDB"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":0\r\n");
    c.roundtrip(&["MSET", &want[0], "1", &want[150], "1"]);
    c.roundtrip(&["SELECT", "0"]);
    assert_eq!(text(&mut c, &["DBSIZE"]), ":201\r\n");
    assert_eq!(text(&mut c, &["FLUSHDB", "SYNC"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":0\r\n");
    c.roundtrip(&["SELECT", "1"]);
    assert_eq!(text(&mut c, &["DBSIZE"]), ":2\r\n");
    assert_eq!(text(&mut c, &["FLUSHALL", "FOO"]), "-ERR syntax error\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":2\r\n");
    assert_eq!(text(&mut c, &["FLUSHALL", "ASYNC"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":0\r\n");
    assert_eq!(text(&mut c, &["KEYS", "*"]), "*0\r\n");
}

/// Runs a full SCAN and returns the keys and the number of calls.
fn scan_all(c: &mut Raw, extra: &[&str]) -> (Vec<String>, usize) {
    let mut cursor = "0".to_string();
    let mut keys = Vec::new();
    let mut calls = 0;
    loop {
        let mut cmd = vec!["SCAN", cursor.as_str()];
        cmd.extend_from_slice(extra);
        let f = c.call(&cmd);
        calls += 1;
        let parts = f.as_array().unwrap_or_else(|| panic!("SCAN reply {f}"));
        cursor = String::from_utf8(parts[0].as_bytes().unwrap().to_vec()).unwrap();
        for k in parts[1].as_array().unwrap() {
            keys.push(String::from_utf8(k.as_bytes().unwrap().to_vec()).unwrap());
        }
        if cursor == "0" {
            return (keys, calls);
        }
        assert!(calls < 100_000, "SCAN does not terminate");
    }
}

/// Every key present for the whole scan is returned, while other clients insert and delete
/// other keys on both shards.
#[test]
fn scan_walks_all_shards_under_concurrent_writes() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let mut original = Vec::new();
    let mut req = Vec::new();
    for i in 0..5000 {
        let k = format!("orig:{i}");
        req.extend(encode(&["SET", &k, "v"]));
        original.push(k);
    }
    c.send(&req);
    for _ in 0..5000 {
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2 {
        let stop = stop.clone();
        let port = s.port;
        writers.push(std::thread::spawn(move || {
            let mut c = Raw::connect(port);
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                // 20 new keys, and the keys written 10 steps ago deleted.
                let mut req = Vec::new();
                let mut replies = 0;
                for j in i..i + 20 {
                    req.extend(encode(&["SET", &format!("churn:{w}:{j}"), "x"]));
                    replies += 1;
                    if j >= 10 {
                        req.extend(encode(&["DEL", &format!("churn:{w}:{}", j - 10)]));
                        replies += 1;
                    }
                }
                c.send(&req);
                for _ in 0..replies {
                    c.read_reply();
                }
                i += 20;
            }
            i
        }));
    }
    let (seen, calls) = scan_all(&mut c, &["COUNT", "10"]);
    stop.store(true, Ordering::Relaxed);
    let churned: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(churned > 0);
    let seen_set: HashSet<&str> = seen.iter().map(|s| s.as_str()).collect();
    let missing: Vec<&String> = original
        .iter()
        .filter(|k| !seen_set.contains(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} keys never returned, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(seen
        .iter()
        .all(|k| k.starts_with("orig:") || k.starts_with("churn:")));
    // COUNT 10 over ~5,000 keys: hundreds of calls, not one giant reply.
    assert!(calls > 100, "only {calls} SCAN calls");
}

#[test]
fn scan_match_type_and_errors() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let mut want = Vec::new();
    for sh in 0..2 {
        for k in keys_on(sh, "user", 30) {
            c.roundtrip(&["SET", &k, "1"]);
            want.push(k);
        }
        for k in keys_on(sh, "item", 30) {
            c.roundtrip(&["SET", &k, "1"]);
        }
    }
    want.sort();
    let (mut got, _) = scan_all(&mut c, &["MATCH", "user:*", "COUNT", "7"]);
    got.sort();
    assert_eq!(got, want);
    let (all, _) = scan_all(&mut c, &[]);
    assert_eq!(all.len(), 120);
    let uniq: HashSet<&String> = all.iter().collect();
    assert_eq!(uniq.len(), 120, "SCAN without writes returned duplicates");
    let (strings, _) = scan_all(&mut c, &["TYPE", "string", "COUNT", "1000"]);
    assert_eq!(strings.len(), 120);
    let (upper, _) = scan_all(&mut c, &["TYPE", "STRING"]);
    assert_eq!(upper.len(), 120);
    let (lists, _) = scan_all(&mut c, &["TYPE", "list"]);
    assert!(lists.is_empty());
    let (none, _) = scan_all(&mut c, &["MATCH", "nothing*"]);
    assert!(none.is_empty());
    for (cmd, want) in [
        (vec!["SCAN", "abc"], "-ERR invalid cursor\r\n"),
        (
            vec!["SCAN", "18446744073709551616"],
            "-ERR invalid cursor\r\n",
        ),
        (vec!["SCAN", "0", "COUNT", "0"], "-ERR syntax error\r\n"),
        (
            vec!["SCAN", "0", "COUNT", "x"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (vec!["SCAN", "0", "FOO"], "-ERR syntax error\r\n"),
        (vec!["SCAN", "0", "MATCH"], "-ERR syntax error\r\n"),
    ] {
        assert_eq!(text(&mut c, &cmd), want, "{cmd:?}");
    }
    // An empty database: no keys, and at most one call per shard (a cursor may come back
    // non-zero with no keys, which the SCAN contract allows).
    c.roundtrip(&["SELECT", "5"]);
    let (keys, calls) = scan_all(&mut c, &[]);
    assert!(keys.is_empty());
    assert!(calls <= common::SHARDS, "{calls} calls to scan an empty db");
}

#[test]
fn randomkey_on_empty_and_populated_dbs() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(text(&mut c, &["RANDOMKEY"]), "$-1\r\n");
    // A single key on shard 1 is always found, from a connection on either shard.
    let only = key_on(1, "only");
    c.roundtrip(&["SET", &only, "v"]);
    for sh in 0..2 {
        let mut c = s.raw_on_shard(sh);
        for _ in 0..5 {
            assert_eq!(
                c.roundtrip(&["RANDOMKEY"]),
                Frame::bulk(only.as_bytes()).to_bytes()
            );
        }
    }
    // Keys on both shards: both come up.
    let k0 = keys_on(0, "rk", 20);
    for k in &k0 {
        c.roundtrip(&["SET", k, "v"]);
    }
    let mut seen = [false; 2];
    for _ in 0..200 {
        let f = c.call(&["RANDOMKEY"]);
        let k = String::from_utf8(f.as_bytes().unwrap().to_vec()).unwrap();
        seen[common::shard_of(&k)] = true;
    }
    assert_eq!(seen, [true, true]);
    c.roundtrip(&["SELECT", "9"]);
    assert_eq!(text(&mut c, &["RANDOMKEY"]), "$-1\r\n");
}
