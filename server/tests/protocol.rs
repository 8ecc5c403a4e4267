//! The wire, end to end: inline and multibulk requests however they are cut into reads, deep
//! pipelines whose commands alternate between shards, protocol errors (reply, then close),
//! RESP3 after `HELLO 3`, big values and hostile bytes. Expected bytes are those of a real
//! Redis 7.0.15.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::time::Duration;

use common::{encode, key_on, keys_on, Raw, Rng, Server};
use corekv_proto::Frame;

#[test]
fn inline_commands() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    c.send(b"PING\r\n");
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    // A bare LF ends an inline command too.
    c.send(b"PING hello\n");
    assert_eq!(c.read_reply(), b"$5\r\nhello\r\n");
    c.send(b"SET \"a b\" 'c d'\r\nGET \"a b\"\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"$3\r\nc d\r\n");
    // Escapes inside double quotes.
    c.send(b"SET k \"\\x41\\x42\\n\"\r\nGET k\r\nECHO \"a\\\"b\"\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"$3\r\nAB\n\r\n");
    assert_eq!(c.read_reply(), b"$3\r\na\"b\r\n");
    // Inline commands for keys on both shards, in one write.
    let (k0, k1) = (key_on(0, "in"), key_on(1, "in"));
    c.send(format!("SET {k0} zero\r\nSET {k1} one\r\nMGET {k0} {k1}\r\n").as_bytes());
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"*2\r\n$4\r\nzero\r\n$3\r\none\r\n");
    // Empty lines and spaces-only lines are ignored.
    c.send(b"\r\n\r\n   \r\nPING\r\n");
    assert_eq!(c.read_reply(), b"+PONG\r\n");
}

#[test]
fn empty_multibulk_is_ignored() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    c.send(b"*0\r\n*-1\r\n*0\r\nPING\r\n");
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    c.expect_silence(Duration::from_millis(100));
}

#[test]
fn multibulk_split_across_tiny_writes() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let (k0, k1) = (key_on(0, "split"), key_on(1, "split"));
    // One byte per write.
    for (k, v) in [(&k0, "hello"), (&k1, "world")] {
        for b in encode(&["SET", k, v]) {
            c.send(&[b]);
            std::thread::sleep(Duration::from_micros(200));
        }
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }
    // Every cut point of a pipeline of three commands.
    let mut req = encode(&["GET", &k0]);
    req.extend(encode(&["GET", &k1]));
    req.extend(encode(&["MGET", &k0, &k1]));
    for cut in 1..req.len() {
        c.send(&req[..cut]);
        std::thread::sleep(Duration::from_millis(2));
        c.send(&req[cut..]);
        assert_eq!(c.read_reply(), b"$5\r\nhello\r\n", "cut at {cut}");
        assert_eq!(c.read_reply(), b"$5\r\nworld\r\n", "cut at {cut}");
        assert_eq!(
            c.read_reply(),
            b"*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n",
            "cut at {cut}"
        );
    }
    // A bulk argument arriving in pieces.
    let big = "x".repeat(100_000);
    let req = encode(&["SET", &k1, &big]);
    for piece in req.chunks(7_001) {
        c.send(piece);
    }
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.roundtrip(&["STRLEN", &k1]), b":100000\r\n");
}

/// Replies of a 3,000-command pipeline (several server-side exchanges) alternating between a key on shard 0 and one on shard 1
/// come back in request order, from a connection on either shard.
#[test]
fn deep_pipeline_alternating_shards_keeps_order() {
    let s = Server::start(&[]);
    for conn_shard in 0..2 {
        let mut c = s.raw_on_shard(conn_shard);
        let strs = [key_on(0, "pstr"), key_on(1, "pstr")];
        let ctrs = [key_on(0, "pctr"), key_on(1, "pctr")];
        c.roundtrip(&["DEL", &strs[0], &strs[1], &ctrs[0], &ctrs[1]]);
        let mut req = Vec::new();
        let mut want = Vec::new();
        let mut last: [Option<String>; 2] = [None, None];
        let mut count = [0i64; 2];
        for i in 0..3000 {
            let sh = i % 2;
            match (i / 2) % 3 {
                0 => {
                    let v = format!("v{i}");
                    req.extend(encode(&["SET", &strs[sh], &v]));
                    want.extend_from_slice(b"+OK\r\n");
                    last[sh] = Some(v);
                }
                1 => {
                    req.extend(encode(&["GET", &strs[sh]]));
                    match &last[sh] {
                        Some(v) => want.extend(Frame::bulk(v.as_bytes()).to_bytes()),
                        None => want.extend_from_slice(b"$-1\r\n"),
                    }
                }
                _ => {
                    req.extend(encode(&["INCR", &ctrs[sh]]));
                    count[sh] += 1;
                    want.extend(format!(":{}\r\n", count[sh]).into_bytes());
                }
            }
        }
        c.send(&req);
        let mut got = Vec::new();
        for _ in 0..3000 {
            got.extend(c.read_reply());
        }
        assert!(
            got == want,
            "pipeline replies out of order (connection on shard {conn_shard})"
        );
    }
}

/// SELECT and SWAPDB inside a pipeline apply to exactly the commands after them, local or
/// remote.
#[test]
fn select_and_swapdb_mid_pipeline() {
    let s = Server::start(&[]);
    for conn_shard in 0..2 {
        let mut c = s.raw_on_shard(conn_shard);
        let (a, b) = (key_on(0, "sel"), key_on(1, "sel"));
        let cmds: Vec<(Vec<&str>, &str)> = vec![
            (vec!["FLUSHALL"], "+OK\r\n"),
            (vec!["SET", &a, "x"], "+OK\r\n"),
            (vec!["SET", &b, "y"], "+OK\r\n"),
            (vec!["SELECT", "1"], "+OK\r\n"),
            (vec!["SET", &b, "z"], "+OK\r\n"),
            (vec!["MGET", &a, &b], "*2\r\n$-1\r\n$1\r\nz\r\n"),
            (vec!["SELECT", "0"], "+OK\r\n"),
            (vec!["MGET", &a, &b], "*2\r\n$1\r\nx\r\n$1\r\ny\r\n"),
            (vec!["SWAPDB", "0", "1"], "+OK\r\n"),
            (vec!["MGET", &a, &b], "*2\r\n$-1\r\n$1\r\nz\r\n"),
            (vec!["FLUSHDB"], "+OK\r\n"),
            (vec!["DBSIZE"], ":0\r\n"),
            (vec!["SELECT", "1"], "+OK\r\n"),
            (vec!["DBSIZE"], ":2\r\n"),
            (vec!["GET", &a], "$1\r\nx\r\n"),
        ];
        let mut req = Vec::new();
        for (cmd, _) in &cmds {
            req.extend(encode(cmd));
        }
        c.send(&req);
        for (cmd, want) in &cmds {
            assert_eq!(
                String::from_utf8_lossy(&c.read_reply()),
                *want,
                "{cmd:?} (connection on shard {conn_shard})"
            );
        }
    }
}

/// Requests with thousands of arguments spanning both shards.
#[test]
fn huge_multikey_requests() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let keys: Vec<String> = (0..5000).map(|i| format!("huge:{i}")).collect();
    let mut mset: Vec<&str> = vec!["MSET"];
    let vals: Vec<String> = (0..5000).map(|i| format!("v{i}")).collect();
    for (k, v) in keys.iter().zip(&vals) {
        mset.push(k);
        mset.push(v);
    }
    assert_eq!(c.roundtrip(&mset), b"+OK\r\n");
    let mut mget: Vec<&str> = vec!["MGET"];
    for k in &keys {
        mget.push(k);
        mget.push("huge:missing");
    }
    let f = c.call(&mget);
    let items = f.as_array().unwrap();
    assert_eq!(items.len(), 10_000);
    for (i, pair) in items.chunks(2).enumerate() {
        assert_eq!(pair[0], Frame::bulk(vals[i].as_bytes()));
        assert_eq!(pair[1], Frame::NullBulk);
    }
    let mut del: Vec<&str> = vec!["DEL"];
    del.extend(keys.iter().map(|k| k.as_str()));
    assert_eq!(c.roundtrip(&del), b":5000\r\n");
    assert_eq!(c.roundtrip(&["DBSIZE"]), b":0\r\n");
}

/// The same kind of pipeline through the `redis` crate.
#[test]
fn redis_crate_pipeline_across_shards() {
    let s = Server::start(&[]);
    let mut con = s.client();
    let k0 = keys_on(0, "rp", 50);
    let k1 = keys_on(1, "rp", 50);
    let mut p = redis::pipe();
    for i in 0..50 {
        p.cmd("SET").arg(&k0[i]).arg(i).ignore();
        p.cmd("SET").arg(&k1[i]).arg(i + 100).ignore();
    }
    for i in 0..50 {
        p.cmd("GET").arg(&k0[i]);
        p.cmd("GET").arg(&k1[i]);
    }
    let got: Vec<i64> = p.query(&mut con).unwrap();
    let want: Vec<i64> = (0..50).flat_map(|i| [i, i + 100]).collect();
    assert_eq!(got, want);
}

/// Multi-key commands spanning shards, mixed with single-key ones in one pipeline.
#[test]
fn pipeline_mixing_multikey_and_single_key() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let a = keys_on(0, "mix", 3);
    let b = keys_on(1, "mix", 3);
    let cmds: Vec<(Vec<&str>, &[u8])> = vec![
        (vec!["MSET", &a[0], "1", &b[0], "2", &a[1], "3"], b"+OK\r\n"),
        (vec!["GET", &b[0]], b"$1\r\n2\r\n"),
        (
            vec!["MGET", &a[0], &b[0], &a[1], &b[1]],
            b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n",
        ),
        (vec!["INCR", &a[0]], b":2\r\n"),
        (vec!["INCR", &b[0]], b":3\r\n"),
        (vec!["EXISTS", &a[0], &b[0], &b[1], &a[0]], b":3\r\n"),
        (vec!["DEL", &a[0], &b[0], &b[2]], b":2\r\n"),
        (vec!["GET", &a[0]], b"$-1\r\n"),
        (vec!["MSET", &b[1], "x", &b[2], "y"], b"+OK\r\n"),
        (
            vec!["MGET", &b[2], &a[0], &b[1], &a[1]],
            b"*4\r\n$1\r\ny\r\n$-1\r\n$1\r\nx\r\n$1\r\n3\r\n",
        ),
        (vec!["DBSIZE"], b":3\r\n"),
        (vec!["UNLINK", &a[1], &b[1], &b[2]], b":3\r\n"),
        (vec!["DBSIZE"], b":0\r\n"),
    ];
    let mut req = Vec::new();
    for (cmd, _) in &cmds {
        req.extend(encode(cmd));
    }
    c.send(&req);
    for (cmd, want) in &cmds {
        let got = c.read_reply();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want),
            "{cmd:?}"
        );
    }
}

fn assert_protocol_error(s: &Server, input: &[u8], want: &str) {
    let mut c = s.raw();
    c.send(input);
    let got = c.read_reply();
    assert_eq!(
        String::from_utf8_lossy(&got),
        want,
        "reply to {:?}",
        String::from_utf8_lossy(&input[..input.len().min(40)])
    );
    c.expect_closed();
}

#[test]
fn protocol_errors_reply_then_close() {
    let s = Server::start(&[]);
    let mut bystander = s.raw();
    let k1 = key_on(1, "bystander");
    assert_eq!(bystander.roundtrip(&["SET", &k1, "v"]), b"+OK\r\n");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"*abc\r\n".to_vec(),
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$-5\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$abc\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$536870913\r\n".to_vec(),
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\nfoo\r\n".to_vec(),
            "-ERR Protocol error: expected '$', got 'f'\r\n",
        ),
        (
            b"SET \"a b\r\n".to_vec(),
            "-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            b"ECHO 'it''s'\r\n".to_vec(),
            "-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            vec![b'a'; 70_000],
            "-ERR Protocol error: too big inline request\r\n",
        ),
        (
            [b"*".as_slice(), &[b'1'; 70_000]].concat(),
            "-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (
            [b"*1\r\n$".as_slice(), &[b'1'; 70_000]].concat(),
            "-ERR Protocol error: too big bulk count string\r\n",
        ),
    ];
    for (input, want) in &cases {
        assert_protocol_error(&s, input, want);
        assert_eq!(bystander.roundtrip(&["GET", &k1]), b"$1\r\nv\r\n");
    }
    // Commands before the bad one in the same read are answered first.
    let mut c = s.raw();
    c.send(format!("PING\r\nGET {k1}\r\n*abc\r\nPING\r\n").as_bytes());
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    assert_eq!(c.read_reply(), b"$1\r\nv\r\n");
    assert_eq!(
        c.read_reply(),
        b"-ERR Protocol error: invalid multibulk length\r\n"
    );
    c.expect_closed();
    assert_eq!(bystander.roundtrip(&["PING"]), b"+PONG\r\n");
}

#[test]
fn unknown_command_and_arity_errors() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["foo", "a", "b"],
            "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
        ),
        (
            vec!["FOO"],
            "-ERR unknown command 'FOO', with args beginning with: \r\n",
        ),
        (
            vec!["GET"],
            "-ERR wrong number of arguments for 'get' command\r\n",
        ),
        (
            vec!["GET", "a", "b"],
            "-ERR wrong number of arguments for 'get' command\r\n",
        ),
        (
            vec!["SET", "k"],
            "-ERR wrong number of arguments for 'set' command\r\n",
        ),
        (
            vec!["MSET", "a"],
            "-ERR wrong number of arguments for 'mset' command\r\n",
        ),
        (
            vec!["MSET", "{t}a", "1", "{t}b"],
            "-ERR wrong number of arguments for 'mset' command\r\n",
        ),
        (
            vec!["MSETNX", "a"],
            "-ERR wrong number of arguments for 'msetnx' command\r\n",
        ),
        (
            vec!["CONFIG"],
            "-ERR wrong number of arguments for 'config' command\r\n",
        ),
        (
            vec!["CONFIG", "GET"],
            "-ERR wrong number of arguments for 'config|get' command\r\n",
        ),
        (
            vec!["CONFIG", "FOO"],
            "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n",
        ),
        (
            vec!["CLIENT"],
            "-ERR wrong number of arguments for 'client' command\r\n",
        ),
    ];
    for (cmd, want) in &cases {
        assert_eq!(String::from_utf8_lossy(&c.roundtrip(cmd)), *want, "{cmd:?}");
    }
    // Inline form gives the same error, and the connection stays open.
    c.send(b"foo a b\r\n");
    assert_eq!(
        c.read_reply(),
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    );
    assert_eq!(c.roundtrip(&["PING"]), b"+PONG\r\n");
}

/// `MSET k1 v1 k2` whose keys live on different shards: Redis checks the argument count before
/// touching any key, so nothing may be written.
#[test]
fn mset_odd_arguments_across_shards_is_an_arity_error() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let (k0, k1) = (key_on(0, "odd"), key_on(1, "odd"));
    for (a, b) in [(&k0, &k1), (&k1, &k0)] {
        assert_eq!(
            String::from_utf8_lossy(&c.roundtrip(&["MSET", a, "1", b])),
            "-ERR wrong number of arguments for 'mset' command\r\n"
        );
        assert_eq!(c.roundtrip(&["EXISTS", a, b]), b":0\r\n");
    }
}

#[test]
fn resp3_after_hello_3() {
    let s = Server::start(&[]);
    for conn_shard in 0..2 {
        let mut c = s.raw_on_shard(conn_shard);
        let k0 = key_on(0, &format!("r3-{conn_shard}"));
        let k1 = key_on(1, &format!("r3-{conn_shard}"));
        let id = match c.call(&["CLIENT", "ID"]) {
            Frame::Integer(n) => n,
            f => panic!("CLIENT ID: {f:?}"),
        };
        let hello3 = format!(
            "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n\
             :3\r\n$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n\
             $6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&c.roundtrip(&["HELLO", "3"])),
            hello3
        );
        assert_eq!(c.roundtrip(&["GET", &k0]), b"_\r\n");
        assert_eq!(c.roundtrip(&["GET", &k1]), b"_\r\n");
        assert_eq!(c.roundtrip(&["MGET", &k0, &k1]), b"*2\r\n_\r\n_\r\n");
        assert_eq!(
            c.roundtrip(&["CONFIG", "GET", "maxclients"]),
            b"%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n"
        );
        for k in [&k0, &k1] {
            assert_eq!(c.roundtrip(&["SET", k, "1"]), b"+OK\r\n");
            assert_eq!(c.roundtrip(&["INCRBYFLOAT", k, "1.5"]), b"$3\r\n2.5\r\n");
        }
        assert_eq!(
            c.roundtrip(&["DEBUG", "PROTOCOL", "map"]),
            b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"
        );
        // Back to RESP2: a map becomes a flat array, null becomes $-1.
        let hello2 = c.roundtrip(&["HELLO", "2"]);
        assert!(hello2.starts_with(b"*14\r\n$6\r\nserver\r\n"), "{hello2:?}");
        assert_eq!(c.roundtrip(&["GET", "nokey"]), b"$-1\r\n");
        assert_eq!(
            c.roundtrip(&["MGET", "nokey", &k0]),
            b"*2\r\n$-1\r\n$3\r\n2.5\r\n"
        );
        assert_eq!(
            c.roundtrip(&["CONFIG", "GET", "maxclients"]),
            b"*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n"
        );
    }
}

/// HELLO in the middle of a pipeline: replies before it are RESP2, after it RESP3, including
/// replies computed on the other shard.
#[test]
fn hello_switches_protocol_mid_pipeline() {
    let s = Server::start(&[]);
    for conn_shard in 0..2 {
        let mut c = s.raw_on_shard(conn_shard);
        let (k0, k1) = (key_on(0, "hp"), key_on(1, "hp"));
        let mut req = Vec::new();
        for cmd in [
            vec!["GET", &k0],
            vec!["GET", &k1],
            vec!["HELLO", "3"],
            vec!["GET", &k0],
            vec!["GET", &k1],
            vec!["MGET", &k0, &k1],
            vec!["HELLO", "2"],
            vec!["GET", &k1],
        ] {
            req.extend(encode(&cmd));
        }
        c.send(&req);
        assert_eq!(c.read_reply(), b"$-1\r\n");
        assert_eq!(c.read_reply(), b"$-1\r\n");
        assert!(c.read_reply().starts_with(b"%7\r\n"));
        assert_eq!(c.read_reply(), b"_\r\n");
        assert_eq!(c.read_reply(), b"_\r\n");
        assert_eq!(c.read_reply(), b"*2\r\n_\r\n_\r\n");
        assert!(c.read_reply().starts_with(b"*14\r\n"));
        assert_eq!(c.read_reply(), b"$-1\r\n");
    }
}

#[test]
fn large_values_cross_shards_intact() {
    let s = Server::start(&[]);
    let mut rng = Rng::new(7);
    let value = rng.bytes(5 * 1024 * 1024);
    for conn_shard in 0..2 {
        let mut c = s.raw_on_shard(conn_shard);
        for key_shard in 0..2 {
            let k = key_on(key_shard, &format!("big{conn_shard}"));
            assert_eq!(
                c.roundtrip(&[b"SET".as_slice(), k.as_bytes(), &value[..]]),
                b"+OK\r\n"
            );
            let got = c.roundtrip(&[b"GET".as_slice(), k.as_bytes()]);
            let want = Frame::bulk(value.clone()).to_bytes();
            assert!(got == want, "5 MB value differs (key on shard {key_shard})");
            assert_eq!(
                c.roundtrip(&["STRLEN", &k]),
                format!(":{}\r\n", value.len()).into_bytes()
            );
        }
    }
    // Pipelined big replies (more than one exchange's worth of reply bytes).
    let mut c = s.raw();
    let (k0, k1) = (key_on(0, "big0"), key_on(1, "big0"));
    let mut req = Vec::new();
    for _ in 0..3 {
        req.extend(encode(&["GET", &k0]));
        req.extend(encode(&["GET", &k1]));
        req.extend(encode(&["STRLEN", &k1]));
    }
    c.send(&req);
    let want = Frame::bulk(value.clone()).to_bytes();
    for _ in 0..3 {
        assert!(c.read_reply() == want);
        assert!(c.read_reply() == want);
        assert_eq!(c.read_reply(), format!(":{}\r\n", value.len()).into_bytes());
    }
    // Both values in one MGET that spans the shards.
    let mut con = s.client();
    let k0 = key_on(0, "big0");
    let k1 = key_on(1, "big0");
    let got: Vec<Vec<u8>> = redis::cmd("MGET")
        .arg(&k0)
        .arg(&k1)
        .query(&mut con)
        .unwrap();
    assert_eq!(got.len(), 2);
    assert!(got[0] == value && got[1] == value);
}

/// Clients that send a deep cross-shard pipeline and vanish without reading the replies
/// leave the server and the data intact.
#[test]
fn clients_vanishing_mid_pipeline() {
    let s = Server::start(&[]);
    let keys: Vec<String> = (0..2).flat_map(|sh| keys_on(sh, "van", 4)).collect();
    let mut req = Vec::new();
    for i in 0..2000 {
        let k = &keys[i % keys.len()];
        req.extend(encode(&["INCR", k]));
        req.extend(encode(&["MGET", &keys[0], &keys[7], k]));
    }
    for _ in 0..20 {
        let mut c = s.raw();
        // The server may close first; either way the client is gone.
        c.try_send(&req);
        c.shutdown_write();
    }
    // The server is alive and every counter holds a number no larger than all INCRs sent.
    let mut c = s.raw();
    assert_eq!(c.roundtrip(&["PING"]), b"+PONG\r\n");
    for k in &keys {
        let f = c.call(&["GET", k]);
        if let Some(v) = f.as_bytes() {
            let n: u64 = std::str::from_utf8(v).unwrap().parse().unwrap();
            assert!(n <= 20 * 250, "{k} = {n}");
        }
    }
}

/// Random bytes on many fresh connections (and on one long-lived one) never disturb other
/// clients or the data.
#[test]
fn garbage_never_disturbs_other_connections() {
    let s = Server::start(&[]);
    let mut good = s.raw();
    let sentinels: Vec<String> = (0..2).flat_map(|sh| keys_on(sh, "sentinel", 5)).collect();
    for k in &sentinels {
        assert_eq!(good.roundtrip(&["SET", k, k]), b"+OK\r\n");
    }
    let templates: Vec<Vec<u8>> = vec![
        encode(&["SET", "g:1", "value"]),
        encode(&["MGET", "g:1", "g:2", "g:3"]),
        encode(&["PING"]),
        b"GET g:1\r\n".to_vec(),
        b"*3\r\n$3\r\nSET\r\n$3\r\ng:2\r\n".to_vec(),
        b"HELLO 3\r\n".to_vec(),
    ];
    let mut rng = Rng::new(0x5eed);
    for i in 0..2500 {
        let bytes = match rng.below(3) {
            0 => {
                let n = 1 + rng.below(64) as usize;
                rng.bytes(n)
            }
            1 => {
                // A valid request with a few bytes replaced.
                let mut t = templates[rng.below(templates.len() as u64) as usize].clone();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(t.len() as u64) as usize;
                    t[at] = rng.next_u64() as u8;
                }
                t
            }
            _ => {
                // A valid prefix followed by noise.
                let mut t = templates[rng.below(templates.len() as u64) as usize].clone();
                t.truncate(1 + rng.below(t.len() as u64) as usize);
                let n = rng.below(32) as usize;
                t.extend(rng.bytes(n));
                t
            }
        };
        let mut c = Raw::connect(s.port);
        c.send(&bytes);
        if i % 100 == 0 {
            // Now and then, check a bystander mid-storm.
            assert_eq!(good.roundtrip(&["PING"]), b"+PONG\r\n");
        }
    }
    // One long-lived connection fed garbage in many writes.
    let mut noisy = s.raw();
    for _ in 0..200 {
        let n = rng.below(100) as usize;
        let b = rng.bytes(n);
        if !noisy.try_send(&b) {
            break;
        }
    }
    assert_eq!(good.roundtrip(&["PING"]), b"+PONG\r\n");
    for k in &sentinels {
        assert_eq!(
            good.roundtrip(&["GET", k]),
            Frame::bulk(k.as_bytes()).to_bytes(),
            "{k}"
        );
    }
    let mut fresh = s.raw();
    assert_eq!(fresh.roundtrip(&["PING"]), b"+PONG\r\n");
}
