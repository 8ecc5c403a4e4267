//! Stream family tests: exact RESP replies, checked against Redis 7.0.15.

use corekv_proto::RespWriter;

use super::stream::{NodeLimits, Stream, StreamId, TrimTo};
use super::*;
use crate::cmd::OpFn;
use crate::shard::Shard;
use crate::testkit::{run, run_in, run_raw};

fn shard() -> Shard {
    Shard::for_tests(1_000_000)
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{}\r\n", s.len(), s)
}

/// Replays a command file against a shard (a differential check against a real Redis, run by
/// hand: `cargo test -p corekv-shard streams::tests::diff_dump -- --ignored`). Each line is
/// `2` or `3` (the protocol), then the arguments, separated by 0x1f.
#[test]
#[ignore]
fn diff_dump() {
    let Ok(text) = std::fs::read("/tmp/streams_cmds.txt") else {
        return;
    };
    let mut s = shard();
    let mut out = Vec::new();
    for line in text.split(|c| *c == b'\n').filter(|l| !l.is_empty()) {
        let parts: Vec<&[u8]> = line.split(|c| *c == 0x1f).collect();
        let resp3 = parts[0] == b"3";
        let args = &parts[1..];
        if args[0].eq_ignore_ascii_case(b"flushall") {
            s = shard();
            out.extend_from_slice(b"+OK\r\n");
        } else if args[0].eq_ignore_ascii_case(b"clock") {
            s.clock.advance(
                std::str::from_utf8(args[1])
                    .expect("ok")
                    .parse()
                    .expect("ok"),
            );
            out.extend_from_slice(b"+OK\r\n");
        } else {
            let mut w = RespWriter::new(resp3);
            crate::testkit::run_raw(&mut s, 0, args, &mut w);
            out.extend_from_slice(w.as_bytes());
        }
        out.extend_from_slice(b"\x1e\n");
    }
    std::fs::write("/tmp/streams_ours.txt", out).expect("ok");
}

fn unpct(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(c) = it.next() {
        if c == b'\\' {
            match it.next() {
                Some(b'r') => out.push(b'\r'),
                Some(b'n') => out.push(b'\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Replays `golden.txt`: command sequences with the replies a real Redis 7.0.15 gave them
/// (recorded with explicit IDs; replies that depend on the wall clock are marked `?` and only
/// executed). `FLUSHALL` starts a fresh shard.
#[test]
fn golden_replies_match_redis() {
    let text = include_str!("golden.txt");
    let mut lines = text.lines();
    let mut s = shard();
    let mut n = 0;
    while let Some(cmd) = lines.next() {
        let expected = lines.next().expect("reply line");
        let mut parts = cmd.strip_prefix("> ").expect("command line").split(' ');
        let resp3 = parts.next() == Some("3");
        let args: Vec<Vec<u8>> = parts.map(unpct).collect();
        if args[0].eq_ignore_ascii_case(b"flushall") {
            s = shard();
            continue;
        }
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        let mut w = RespWriter::new(resp3);
        run_raw(&mut s, 0, &raw, &mut w);
        if expected != "?" {
            assert_eq!(
                String::from_utf8_lossy(w.as_bytes()),
                String::from_utf8_lossy(&unescape(expected)),
                "command: {cmd}"
            );
            n += 1;
        }
    }
    assert!(n > 1000);
}

/// Runs an op the server calls directly (the re-run of a parked client).
fn call(s: &mut Shard, op: OpFn, resp3: bool, args: &[&str]) -> Result<String, OpError> {
    let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let mut out = RespWriter::new(resp3);
    let now = s.now_ms();
    let mut cx = Cx {
        db: 0,
        now_ms: now,
        out: &mut out,
        cmd: "xreadgroup",
    };
    op(s, &mut cx, &raw)?;
    Ok(String::from_utf8_lossy(out.as_bytes()).into_owned())
}

#[test]
fn auto_ids_follow_the_shard_clock_and_never_go_back() {
    let mut s = shard();
    assert_eq!(
        run(&mut s, &["XADD", "k", "*", "a", "1"]),
        bulk("1000000-0")
    );
    assert_eq!(
        run(&mut s, &["XADD", "k", "*", "a", "1"]),
        bulk("1000000-1")
    );
    s.clock.advance(5);
    assert_eq!(
        run(&mut s, &["XADD", "k", "*", "a", "1"]),
        bulk("1000005-0")
    );
    s.clock.set(10);
    assert_eq!(
        run(&mut s, &["XADD", "k", "*", "a", "1"]),
        bulk("1000005-1")
    );
    assert_eq!(
        run(&mut s, &["XADD", "k", "1000005-*", "a", "1"]),
        bulk("1000005-2")
    );
    assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "k"]), bulk("stream"));
    assert_eq!(run(&mut s, &["TYPE", "k"]), "+stream\r\n");
}

#[test]
fn wrongtype_and_arity() {
    let mut s = shard();
    run(&mut s, &["SET", "str", "x"]);
    let wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    for cmd in [
        &["XADD", "str", "*", "a", "1"][..],
        &["XLEN", "str"],
        &["XRANGE", "str", "-", "+"],
        &["XREVRANGE", "str", "+", "-"],
        &["XDEL", "str", "1-1"],
        &["XTRIM", "str", "MAXLEN", "0"],
        &["XREAD", "STREAMS", "str", "0"],
        &["XACK", "str", "g", "1-1"],
        &["XPENDING", "str", "g"],
        &["XCLAIM", "str", "g", "c", "0", "1-1"],
        &["XAUTOCLAIM", "str", "g", "c", "0", "0"],
        &["XSETID", "str", "1-1"],
        &["XGROUP", "CREATE", "str", "g", "$"],
        &["XINFO", "STREAM", "str"],
    ] {
        assert_eq!(run(&mut s, cmd), wt, "{cmd:?}");
    }
    assert_eq!(
        run(&mut s, &["XADD", "k", "*", "a"]),
        "-ERR wrong number of arguments for 'xadd' command\r\n"
    );
    assert_eq!(
        run(&mut s, &["XGROUP", "HELP", "x"]),
        "-ERR wrong number of arguments for 'xgroup|help' command\r\n"
    );
    assert_eq!(
        run(&mut s, &["XINFO", "HELP", "x"]),
        "-ERR wrong number of arguments for 'xinfo|help' command\r\n"
    );
}

#[test]
fn xread_blocks_only_with_block_and_writes_nothing() {
    let mut s = shard();
    assert_eq!(
        call(
            &mut s,
            xread,
            false,
            &["XREAD", "BLOCK", "0", "STREAMS", "k", "$"]
        ),
        Err(OpError::Block)
    );
    assert_eq!(run(&mut s, &["XREAD", "STREAMS", "k", "$"]), "*-1\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["XREAD", "STREAMS", "k", "0"]),
        "_\r\n"
    );
    run(&mut s, &["XADD", "k", "5-0", "f", "v"]);
    assert_eq!(last_id(&mut s, 0, b"k"), Ok(Some("5-0".to_string())));
    assert_eq!(last_id(&mut s, 0, b"nokey"), Ok(None));
    run(&mut s, &["SET", "str", "x"]);
    assert_eq!(last_id(&mut s, 0, b"str"), Err(OpError::WrongType));
    assert_eq!(
        call(
            &mut s,
            xread,
            false,
            &["XREAD", "BLOCK", "10", "STREAMS", "k", "5-0"]
        ),
        Err(OpError::Block)
    );
    run(&mut s, &["XADD", "k", "6-0", "f", "v"]);
    let want = "*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
    assert_eq!(
        call(
            &mut s,
            xread,
            false,
            &["XREAD", "BLOCK", "10", "STREAMS", "k", "5-0"]
        )
        .expect("ok"),
        want
    );
    assert_eq!(
        call(
            &mut s,
            serve_blocked,
            false,
            &["XREAD", "BLOCK", "0", "STREAMS", "k", "5-0"]
        )
        .expect("ok"),
        want
    );
    // RESP3: a map of key to entries.
    assert_eq!(
        run_in(&mut s, 0, true, &["XREAD", "STREAMS", "k", "5-0"]),
        "%1\r\n$1\r\nk\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    // A deleted tail entry does not make the read serve an empty list.
    run(&mut s, &["XDEL", "k", "6-0"]);
    assert_eq!(
        call(
            &mut s,
            xread,
            false,
            &["XREAD", "BLOCK", "10", "STREAMS", "k", "5-0"]
        ),
        Err(OpError::Block)
    );
    assert_eq!(
        run(&mut s, &["XREAD", "BLOCK", "x", "STREAMS", "k", "0"]),
        "-ERR timeout is not an integer or out of range\r\n"
    );
    assert_eq!(
        run(&mut s, &["XREAD", "BLOCK", "-1", "STREAMS", "k", "0"]),
        "-ERR timeout is negative\r\n"
    );
}

#[test]
fn xreadgroup_blocking_and_rerun_errors() {
    let mut s = shard();
    run(&mut s, &["XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"]);
    let args = [
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "BLOCK",
        "0",
        "STREAMS",
        "k",
        ">",
    ];
    assert_eq!(call(&mut s, xreadgroup, false, &args), Err(OpError::Block));
    // History reads never block.
    assert_eq!(
        call(
            &mut s,
            xreadgroup,
            false,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "k",
                "0"
            ]
        )
        .expect("ok"),
        "*1\r\n*2\r\n$1\r\nk\r\n*0\r\n"
    );
    run(&mut s, &["XADD", "k", "1-0", "f", "v"]);
    assert_eq!(
        call(&mut s, serve_blocked, false, &args).expect("ok"),
        "*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(
        call(&mut s, serve_blocked, false, &args),
        Err(OpError::Block)
    );
    run(&mut s, &["XGROUP", "DESTROY", "k", "g"]);
    assert_eq!(
        call(&mut s, serve_blocked, false, &args),
        Err(OpError::msg(
            "NOGROUP the consumer group this client was blocked on no longer exists"
        ))
    );
    assert_eq!(
        call(&mut s, xreadgroup, false, &args),
        Err(OpError::msg(
            "NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option"
        ))
    );
    run(&mut s, &["DEL", "k"]);
    assert_eq!(
        call(&mut s, serve_blocked, false, &args),
        Err(OpError::msg("UNBLOCKED the stream key no longer exists"))
    );
    run(&mut s, &["SET", "k", "x"]);
    assert_eq!(
        call(&mut s, serve_blocked, false, &args),
        Err(OpError::msg("UNBLOCKED the stream key no longer exists"))
    );
}

#[test]
fn keys_of_other_shards_are_skipped() {
    let mut s = Shard::new(
        0,
        2,
        crate::shard::ShardConfig::default(),
        crate::shard::Clock::Manual(1),
    );
    // Find one key per shard among a few names.
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let here = *names
        .iter()
        .find(|k| crate::slot::key_shard(k.as_bytes(), 2) == 0)
        .expect("ok");
    let there = *names
        .iter()
        .find(|k| crate::slot::key_shard(k.as_bytes(), 2) == 1)
        .expect("ok");
    run(&mut s, &["XGROUP", "CREATE", here, "g", "0", "MKSTREAM"]);
    run(&mut s, &["XADD", here, "1-0", "f", "v"]);
    let r = run(
        &mut s,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "STREAMS",
            there,
            here,
            ">",
            ">",
        ],
    );
    assert!(r.starts_with("*1\r\n*2\r\n"), "{r}");
    let r = run(&mut s, &["XREAD", "STREAMS", there, here, "0", "0"]);
    assert!(r.starts_with("*1\r\n*2\r\n"), "{r}");
}

#[test]
fn key_positions_as_xread_getkeys() {
    let f = |args: &[&str]| {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        xread_keys(&raw)
    };
    assert_eq!(
        f(&["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"]),
        vec![4, 5]
    );
    assert_eq!(
        f(&[
            "XREADGROUP",
            "GROUP",
            "streams",
            "c",
            "BLOCK",
            "1",
            "NOACK",
            "STREAMS",
            "a",
            ">"
        ]),
        vec![8]
    );
    assert_eq!(f(&["XREAD", "STREAMS", "a", "b", "0"]), Vec::<usize>::new());
    assert_eq!(f(&["XREAD", "STREAMS"]), Vec::<usize>::new());
    assert_eq!(
        f(&["XREAD", "FOO", "STREAMS", "a", "0"]),
        Vec::<usize>::new()
    );
    assert_eq!(f(&["XREAD", "COUNT"]), Vec::<usize>::new());
    assert_eq!(f(&["XREADGROUP", "GROUP"]), Vec::<usize>::new());
}

#[test]
fn ready_signal_and_dirty() {
    let mut s = shard();
    s.db(0).take_ready();
    run(&mut s, &["XADD", "k", "1-0", "f", "v"]);
    assert_eq!(s.db(0).take_ready().len(), 1);
    run(&mut s, &["XADD", "k", "2-0", "f", "v"]);
    assert_eq!(s.db(0).take_ready().len(), 1);
    run(&mut s, &["XADD", "k", "1-0", "f", "v"]);
    assert!(!s.db(0).has_ready());
    let d = s.dirty;
    run(&mut s, &["XDEL", "k", "1-0", "2-0", "3-0"]);
    assert_eq!(s.dirty, d + 2);
    // The stream stays, empty.
    assert_eq!(run(&mut s, &["EXISTS", "k"]), ":1\r\n");
    run(&mut s, &["XGROUP", "CREATE", "k", "g", "0"]);
    s.db(0).take_ready();
    run(&mut s, &["XGROUP", "DESTROY", "k", "g"]);
    assert_eq!(s.db(0).take_ready().len(), 1);
}

#[test]
fn nodes_follow_the_configured_limits() {
    let mut s = shard();
    s.config.encodings.stream_node_max_entries = 2;
    for i in 1..=5 {
        run(&mut s, &["XADD", "k", &format!("{i}-0"), "f", "v"]);
    }
    let r = run(&mut s, &["XINFO", "STREAM", "k"]);
    assert!(r.contains("radix-tree-keys\r\n:3\r\n"), "{r}");
    // Removing a whole node with ~.
    assert_eq!(run(&mut s, &["XTRIM", "k", "MAXLEN", "~", "2"]), ":2\r\n");
    assert_eq!(run(&mut s, &["XLEN", "k"]), ":3\r\n");

    let mut st = Stream::new();
    let limits = NodeLimits {
        max_bytes: 4096,
        max_entries: 100,
    };
    for i in 1..=250u64 {
        st.append(&[b"f", b"v"], Some((StreamId::new(i, 0), true)), 0, limits)
            .expect("ok");
    }
    assert_eq!(st.node_count(), 3);
    assert_eq!(st.rax_nodes(), 8);
    assert_eq!(st.trim(TrimTo::MinId(StreamId::new(150, 0)), false, 0), 149);
    assert_eq!(st.first_id, StreamId::new(150, 0));
    assert_eq!(st.len(), 101);
}
