//! Command-level tests for the list family: exact RESP replies (checked against Redis 7.0.15),
//! errors, RESP3 shapes, key deletion, `dirty` accounting and the blocking "try" ops.

use super::*;
use crate::cmd::{CoordCmd, Cross, Route};
use crate::error;
use crate::testkit::{run, run_in, run_raw};
use corekv_proto::RespWriter;

const NOW: i64 = 1_000_000;
const NIL: &str = "$-1\r\n";
const NIL_ARRAY: &str = "*-1\r\n";
const EMPTY: &str = "*0\r\n";
const OK: &str = "+OK\r\n";

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

fn int(n: i64) -> String {
    format!(":{n}\r\n")
}

fn err(msg: &str) -> String {
    format!("-{msg}\r\n")
}

fn arr(items: &[&str]) -> String {
    let mut s = format!("*{}\r\n", items.len());
    for i in items {
        s.push_str(&bulk(i));
    }
    s
}

fn ints(items: &[i64]) -> String {
    let mut s = format!("*{}\r\n", items.len());
    for i in items {
        s.push_str(&int(*i));
    }
    s
}

/// `[key, [elements]]` as LMPOP replies.
fn keyed(key: &str, items: &[&str]) -> String {
    format!("*2\r\n{}{}", bulk(key), arr(items))
}

fn shard() -> Shard {
    Shard::for_tests(NOW)
}

fn range(s: &mut Shard, key: &str) -> String {
    run(s, &["LRANGE", key, "0", "-1"])
}

fn exists(s: &mut Shard, key: &str) -> bool {
    run(s, &["EXISTS", key]) == int(1)
}

/// Runs a command and returns its error (or `Ok`) without a reply: for the blocking ops.
fn try_op(s: &mut Shard, args: &[&str]) -> (OpResult, String) {
    let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let def = crate::cmd::lookup(raw[0]).expect("command");
    let Route::Shard { op, .. } = def.route else {
        panic!("not a shard command")
    };
    let mut out = RespWriter::new(false);
    let mut cx = Cx {
        db: 0,
        now_ms: NOW,
        out: &mut out,
        cmd: def.name,
    };
    let r = op(s, &mut cx, &raw);
    (r, String::from_utf8_lossy(out.as_bytes()).into_owned())
}

#[test]
fn push_len_index_basics() {
    let mut s = shard();
    assert_eq!(run(&mut s, &["LPUSH", "l", "aa"]), int(1));
    assert_eq!(run(&mut s, &["RPUSH", "l", "bb"]), int(2));
    assert_eq!(run(&mut s, &["RPUSH", "l", "cc"]), int(3));
    assert_eq!(run(&mut s, &["LLEN", "l"]), int(3));
    assert_eq!(run(&mut s, &["LINDEX", "l", "0"]), bulk("aa"));
    assert_eq!(run(&mut s, &["LINDEX", "l", "1"]), bulk("bb"));
    assert_eq!(run(&mut s, &["LINDEX", "l", "-1"]), bulk("cc"));
    assert_eq!(run(&mut s, &["LINDEX", "l", "3"]), NIL);
    assert_eq!(run(&mut s, &["LINDEX", "l", "-4"]), NIL);
    assert_eq!(run(&mut s, &["LINDEX", "l", "-9223372036854775808"]), NIL);
    assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "l"]), bulk("quicklist"));
    assert_eq!(run(&mut s, &["TYPE", "l"]), "+list\r\n");
    // Variadic pushes keep argument order per end.
    assert_eq!(run(&mut s, &["LPUSH", "v", "a", "b", "c", "d"]), int(4));
    assert_eq!(run(&mut s, &["RPUSH", "v", "0", "1", "2", "3"]), int(8));
    assert_eq!(
        range(&mut s, "v"),
        arr(&["d", "c", "b", "a", "0", "1", "2", "3"])
    );
    // Integers come back as the strings that were pushed.
    assert_eq!(
        run(&mut s, &["RPUSH", "n", "-9223372036854775808", "007", "12"]),
        int(3)
    );
    assert_eq!(
        range(&mut s, "n"),
        arr(&["-9223372036854775808", "007", "12"])
    );
    assert_eq!(run(&mut s, &["LLEN", "nokey"]), int(0));
    assert_eq!(run(&mut s, &["LINDEX", "nokey", "0"]), NIL);
    // LINDEX looks the key up before it parses the index.
    assert_eq!(run(&mut s, &["LINDEX", "nokey", "x"]), NIL);
    assert_eq!(run(&mut s, &["LINDEX", "l", "x"]), err(error::NOT_INTEGER));
    assert_eq!(run_in(&mut s, 0, true, &["LINDEX", "l", "7"]), "_\r\n");
    assert_eq!(s.dirty, 14);
    assert_eq!(
        run(&mut s, &["LPUSH", "l"]),
        err("ERR wrong number of arguments for 'lpush' command")
    );
}

#[test]
fn pushx_needs_an_existing_list() {
    let mut s = shard();
    assert_eq!(run(&mut s, &["LPUSHX", "x", "a"]), int(0));
    assert_eq!(run(&mut s, &["RPUSHX", "x", "a"]), int(0));
    assert!(!exists(&mut s, "x"));
    assert_eq!(s.dirty, 0);
    run(&mut s, &["RPUSH", "x", "big", "c"]);
    assert_eq!(run(&mut s, &["RPUSHX", "x", "d"]), int(3));
    assert_eq!(run(&mut s, &["LPUSHX", "x", "a"]), int(4));
    assert_eq!(run(&mut s, &["RPUSHX", "x", "42", "x"]), int(6));
    assert_eq!(run(&mut s, &["LPUSHX", "x", "y3", "y2", "y1"]), int(9));
    assert_eq!(
        range(&mut s, "x"),
        arr(&["y1", "y2", "y3", "a", "big", "c", "d", "42", "x"])
    );
    run(&mut s, &["SET", "str", "v"]);
    assert_eq!(run(&mut s, &["LPUSHX", "str", "a"]), err(error::WRONGTYPE));
}

#[test]
fn wrongtype_everywhere() {
    let mut s = shard();
    run(&mut s, &["SET", "str", "v"]);
    run(&mut s, &["RPUSH", "l", "a"]);
    for cmd in [
        &["LPUSH", "str", "a"][..],
        &["RPUSH", "str", "a"],
        &["RPUSHX", "str", "a"],
        &["LPOP", "str"],
        &["RPOP", "str", "2"],
        &["LLEN", "str"],
        &["LRANGE", "str", "0", "-1"],
        &["LINDEX", "str", "0"],
        &["LINDEX", "str", "x"],
        &["LSET", "str", "0", "x"],
        &["LSET", "str", "x", "x"],
        &["LINSERT", "str", "BEFORE", "a", "b"],
        &["LREM", "str", "0", "a"],
        &["LTRIM", "str", "0", "1"],
        &["LPOS", "str", "a"],
        &["LMOVE", "str", "l", "LEFT", "LEFT"],
        &["LMOVE", "l", "str", "LEFT", "LEFT"],
        &["RPOPLPUSH", "str", "l"],
        &["RPOPLPUSH", "l", "str"],
        &["LMPOP", "2", "nokey", "str", "LEFT"],
        &["BLPOP", "nokey", "str", "0"],
        &["BRPOP", "str", "0"],
        &["BLMOVE", "str", "l", "LEFT", "LEFT", "0"],
        &["BRPOPLPUSH", "l", "str", "0"],
        &["BLMPOP", "0", "2", "nokey", "str", "RIGHT"],
    ] {
        assert_eq!(run(&mut s, cmd), err(error::WRONGTYPE), "{cmd:?}");
    }
    // Nothing moved.
    assert_eq!(range(&mut s, "l"), arr(&["a"]));
    assert_eq!(run(&mut s, &["GET", "str"]), bulk("v"));
    assert_eq!(s.dirty, 2);
}

#[test]
fn pop_with_and_without_count() {
    let mut s = shard();
    assert_eq!(
        run(
            &mut s,
            &["LPUSH", "c", "aa", "bb", "cc", "dd", "ee", "ff", "gg"]
        ),
        int(7)
    );
    assert_eq!(run(&mut s, &["LPOP", "c", "1"]), arr(&["gg"]));
    assert_eq!(run(&mut s, &["LPOP", "c", "2"]), arr(&["ff", "ee"]));
    assert_eq!(run(&mut s, &["RPOP", "c", "2"]), arr(&["aa", "bb"]));
    assert_eq!(run(&mut s, &["RPOP", "c", "1"]), arr(&["cc"]));
    assert_eq!(run(&mut s, &["LPOP", "c", "0"]), EMPTY);
    assert_eq!(run(&mut s, &["RPOP", "c", "123"]), arr(&["dd"]));
    assert!(!exists(&mut s, "c"));
    assert_eq!(
        run(&mut s, &["LPOP", "c", "-123"]),
        err(error::POSITIVE_COUNT)
    );
    assert_eq!(run(&mut s, &["LPOP", "c", "x"]), err(error::POSITIVE_COUNT));
    assert_eq!(
        run(&mut s, &["LPOP", "key", "1", "1"]),
        err("ERR wrong number of arguments for 'lpop' command")
    );
    assert_eq!(
        run(&mut s, &["RPOP", "key", "2", "2"]),
        err("ERR wrong number of arguments for 'rpop' command")
    );
    // Missing key: null, or a null array when a count was given (RESP3: `_` both).
    assert_eq!(run(&mut s, &["LPOP", "c"]), NIL);
    assert_eq!(run(&mut s, &["RPOP", "c"]), NIL);
    assert_eq!(run(&mut s, &["LPOP", "c", "0"]), NIL_ARRAY);
    assert_eq!(run(&mut s, &["RPOP", "c", "1"]), NIL_ARRAY);
    assert_eq!(run_in(&mut s, 0, true, &["LPOP", "c"]), "_\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["RPOP", "c", "0"]), "_\r\n");
    run(&mut s, &["RPUSH", "z", "zero"]);
    assert_eq!(run_in(&mut s, 0, true, &["LPOP", "z", "0"]), EMPTY);
    assert_eq!(run_in(&mut s, 0, true, &["RPOP", "z", "0"]), EMPTY);
    assert_eq!(run(&mut s, &["RPOP", "z"]), bulk("zero"));
    assert!(!exists(&mut s, "z"));
    // One per element pushed or popped; a zero count pops nothing.
    assert_eq!(s.dirty, 7 + 7 + 1 + 1);
}

#[test]
fn lrange_indexes() {
    let mut s = shard();
    run(
        &mut s,
        &[
            "RPUSH", "l", "big", "1", "2", "3", "4", "5", "6", "7", "8", "9",
        ],
    );
    assert_eq!(
        run(&mut s, &["LRANGE", "l", "1", "-2"]),
        arr(&["1", "2", "3", "4", "5", "6", "7", "8"])
    );
    assert_eq!(
        run(&mut s, &["LRANGE", "l", "-3", "-1"]),
        arr(&["7", "8", "9"])
    );
    assert_eq!(run(&mut s, &["LRANGE", "l", "4", "4"]), arr(&["4"]));
    assert_eq!(run(&mut s, &["LRANGE", "l", "6", "2"]), EMPTY);
    assert_eq!(run(&mut s, &["LRANGE", "l", "-1", "-2"]), EMPTY);
    assert_eq!(run(&mut s, &["LRANGE", "l", "0", "-11"]), EMPTY);
    assert_eq!(run(&mut s, &["LRANGE", "l", "0", "-10"]), arr(&["big"]));
    assert_eq!(run(&mut s, &["LRANGE", "l", "10", "20"]), EMPTY);
    assert_eq!(
        run(
            &mut s,
            &["LRANGE", "l", "-9223372036854775808", "9223372036854775807"]
        )
        .lines()
        .next(),
        Some("*10")
    );
    assert_eq!(run(&mut s, &["LRANGE", "nokey", "0", "1"]), EMPTY);
    assert_eq!(
        run(&mut s, &["LRANGE", "l", "a", "1"]),
        err(error::NOT_INTEGER)
    );
    // Arguments are parsed before the lookup.
    assert_eq!(
        run(&mut s, &["LRANGE", "nokey", "0", "b"]),
        err(error::NOT_INTEGER)
    );
}

#[test]
fn lset_and_its_errors() {
    let mut s = shard();
    run(&mut s, &["RPUSH", "l", "99", "98", "big", "96", "95"]);
    assert_eq!(run(&mut s, &["LSET", "l", "1", "foo"]), OK);
    assert_eq!(run(&mut s, &["LSET", "l", "-1", "bar"]), OK);
    assert_eq!(range(&mut s, "l"), arr(&["99", "foo", "big", "96", "bar"]));
    assert_eq!(
        run(&mut s, &["LSET", "l", "10", "foo"]),
        err(error::INDEX_OUT_OF_RANGE)
    );
    assert_eq!(
        run(&mut s, &["LSET", "l", "-6", "foo"]),
        err(error::INDEX_OUT_OF_RANGE)
    );
    assert_eq!(
        run(&mut s, &["LSET", "nosuchkey", "10", "foo"]),
        err(error::NO_SUCH_KEY)
    );
    // The key is looked up before the index is parsed.
    assert_eq!(
        run(&mut s, &["LSET", "nosuchkey", "x", "foo"]),
        err(error::NO_SUCH_KEY)
    );
    assert_eq!(
        run(&mut s, &["LSET", "l", "x", "foo"]),
        err(error::NOT_INTEGER)
    );
    assert_eq!(s.dirty, 5 + 2);
}

#[test]
fn linsert_before_after_missing() {
    let mut s = shard();
    run(&mut s, &["RPUSH", "x", "a", "big", "c", "d"]);
    assert_eq!(run(&mut s, &["LINSERT", "x", "before", "c", "zz"]), int(5));
    assert_eq!(range(&mut s, "x"), arr(&["a", "big", "zz", "c", "d"]));
    assert_eq!(run(&mut s, &["LINSERT", "x", "after", "c", "yy"]), int(6));
    assert_eq!(run(&mut s, &["LINSERT", "x", "AFTER", "d", "dd"]), int(7));
    assert_eq!(
        run(&mut s, &["LINSERT", "x", "after", "bad", "ddd"]),
        int(-1)
    );
    assert_eq!(run(&mut s, &["LINSERT", "x", "BEFORE", "a", "aa"]), int(8));
    assert_eq!(
        run(&mut s, &["LINSERT", "x", "before", "bad", "aaa"]),
        int(-1)
    );
    assert_eq!(
        range(&mut s, "x"),
        arr(&["aa", "a", "big", "zz", "c", "yy", "d", "dd"])
    );
    assert_eq!(run(&mut s, &["LINSERT", "x", "before", "aa", "42"]), int(9));
    assert_eq!(run(&mut s, &["LRANGE", "x", "0", "0"]), arr(&["42"]));
    // An integer pivot matches only its canonical spelling.
    assert_eq!(run(&mut s, &["LINSERT", "x", "after", "042", "n"]), int(-1));
    assert_eq!(run(&mut s, &["LINSERT", "x", "after", "42", "n"]), int(10));
    assert_eq!(
        run(&mut s, &["LINSERT", "nokey", "after", "a", "b"]),
        int(0)
    );
    assert!(!exists(&mut s, "nokey"));
    assert_eq!(
        run(&mut s, &["LINSERT", "x", "aft3r", "aa", "42"]),
        err(error::SYNTAX)
    );
    // The syntax is checked before the key.
    run(&mut s, &["SET", "str", "v"]);
    assert_eq!(
        run(&mut s, &["LINSERT", "str", "middle", "aa", "42"]),
        err(error::SYNTAX)
    );
    assert_eq!(s.dirty, 4 + 6 + 1);
}

#[test]
fn lrem_counts() {
    let mut s = shard();
    let items = [
        "e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo",
    ];
    let mut push = vec!["RPUSH", "l"];
    push.extend(items);
    run(&mut s, &push);
    assert_eq!(run(&mut s, &["LREM", "l", "0", "bar"]), int(2));
    assert_eq!(
        range(&mut s, "l"),
        arr(&["e", "foo", "foobar", "foobared", "zap", "test", "foo"])
    );
    assert_eq!(run(&mut s, &["LREM", "l", "1", "foo"]), int(1));
    assert_eq!(
        range(&mut s, "l"),
        arr(&["e", "foobar", "foobared", "zap", "test", "foo"])
    );
    assert_eq!(run(&mut s, &["LREM", "l", "1", "nosuchelement"]), int(0));
    run(&mut s, &["DEL", "l"]);
    let mut push = vec!["RPUSH", "l"];
    push.extend(items);
    push.push("foo");
    run(&mut s, &push);
    assert_eq!(run(&mut s, &["LREM", "l", "-1", "bar"]), int(1));
    assert_eq!(
        range(&mut s, "l"),
        arr(&["e", "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo"])
    );
    assert_eq!(run(&mut s, &["LREM", "l", "-2", "foo"]), int(2));
    assert_eq!(
        range(&mut s, "l"),
        arr(&["e", "foo", "bar", "foobar", "foobared", "zap", "test"])
    );
    run(&mut s, &["RPUSH", "o", "e", "1", "2", "3"]);
    assert_eq!(run(&mut s, &["LREM", "o", "1", "2"]), int(1));
    assert_eq!(run(&mut s, &["LLEN", "o"]), int(3));
    // Emptying the list deletes it; a missing key removes nothing.
    run(&mut s, &["RPUSH", "d", "x", "x"]);
    assert_eq!(
        run(&mut s, &["LREM", "d", "-9223372036854775808", "x"]),
        int(2)
    );
    assert!(!exists(&mut s, "d"));
    assert_eq!(run(&mut s, &["LREM", "d", "0", "x"]), int(0));
    assert_eq!(
        run(&mut s, &["LREM", "d", "z", "x"]),
        err(error::NOT_INTEGER)
    );
}

#[test]
fn ltrim_ranges() {
    let mut s = shard();
    let trim = |s: &mut Shard, a: &str, b: &str| {
        run(s, &["DEL", "l"]);
        run(s, &["RPUSH", "l", "1", "2", "3", "4", "big"]);
        assert_eq!(run(s, &["LTRIM", "l", a, b]), OK);
        range(s, "l")
    };
    assert_eq!(trim(&mut s, "0", "0"), arr(&["1"]));
    assert_eq!(trim(&mut s, "0", "1"), arr(&["1", "2"]));
    assert_eq!(trim(&mut s, "1", "2"), arr(&["2", "3"]));
    assert_eq!(trim(&mut s, "1", "-1"), arr(&["2", "3", "4", "big"]));
    assert_eq!(trim(&mut s, "1", "-2"), arr(&["2", "3", "4"]));
    assert_eq!(trim(&mut s, "-2", "-1"), arr(&["4", "big"]));
    assert_eq!(trim(&mut s, "-1", "-1"), arr(&["big"]));
    assert_eq!(trim(&mut s, "-5", "-1"), arr(&["1", "2", "3", "4", "big"]));
    assert_eq!(trim(&mut s, "-10", "10"), arr(&["1", "2", "3", "4", "big"]));
    assert_eq!(trim(&mut s, "0", "-5"), arr(&["1"]));
    assert_eq!(trim(&mut s, "0", "-6"), EMPTY);
    assert!(!exists(&mut s, "l"));
    assert_eq!(trim(&mut s, "3", "1"), EMPTY);
    assert_eq!(run(&mut s, &["LTRIM", "nokey", "0", "1"]), OK);
    assert_eq!(
        run(&mut s, &["LTRIM", "nokey", "x", "1"]),
        err(error::NOT_INTEGER)
    );
    // dirty counts the elements removed.
    run(&mut s, &["RPUSH", "m", "1", "2", "3", "4", "5"]);
    let before = s.dirty;
    run(&mut s, &["LTRIM", "m", "1", "2"]);
    assert_eq!(s.dirty - before, 3);
}

#[test]
fn lpos_options() {
    let mut s = shard();
    run(
        &mut s,
        &["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"],
    );
    assert_eq!(run(&mut s, &["LPOS", "l", "a"]), int(0));
    assert_eq!(run(&mut s, &["LPOS", "l", "c"]), int(2));
    assert_eq!(run(&mut s, &["LPOS", "l", "c", "RANK", "1"]), int(2));
    assert_eq!(run(&mut s, &["LPOS", "l", "c", "RANK", "2"]), int(6));
    assert_eq!(run(&mut s, &["LPOS", "l", "c", "RANK", "4"]), NIL);
    assert_eq!(run(&mut s, &["LPOS", "l", "c", "RANK", "-1"]), int(7));
    assert_eq!(run(&mut s, &["LPOS", "l", "c", "RANK", "-2"]), int(6));
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "RANK", "0"]),
        err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
    );
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "0"]),
        ints(&[2, 6, 7])
    );
    assert_eq!(run(&mut s, &["LPOS", "l", "c", "COUNT", "1"]), ints(&[2]));
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "2"]),
        ints(&[2, 6])
    );
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "100"]),
        ints(&[2, 6, 7])
    );
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "0", "RANK", "2"]),
        ints(&[6, 7])
    );
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "2", "RANK", "-1"]),
        ints(&[7, 6])
    );
    assert_eq!(
        run(&mut s, &["LPOS", "nokey", "c", "COUNT", "0", "RANK", "2"]),
        EMPTY
    );
    assert_eq!(run(&mut s, &["LPOS", "nokey", "c"]), NIL);
    assert_eq!(run_in(&mut s, 0, true, &["LPOS", "nokey", "c"]), "_\r\n");
    assert_eq!(
        run(&mut s, &["LPOS", "l", "x", "COUNT", "2", "RANK", "-1"]),
        EMPTY
    );
    assert_eq!(run(&mut s, &["LPOS", "l", "x", "RANK", "-1"]), NIL);
    assert_eq!(
        run(&mut s, &["LPOS", "l", "a", "COUNT", "0", "MAXLEN", "1"]),
        ints(&[0])
    );
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "1"]),
        EMPTY
    );
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"]),
        ints(&[2])
    );
    assert_eq!(
        run(
            &mut s,
            &["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3", "RANK", "-1"]
        ),
        ints(&[7, 6])
    );
    assert_eq!(
        run(
            &mut s,
            &["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7", "RANK", "2"]
        ),
        ints(&[6])
    );
    // RANK i64::MIN: its negation overflows in Redis and every match qualifies, COUNT
    // included (the stop test overflows too).
    assert_eq!(
        run(&mut s, &["LPOS", "l", "c", "RANK", "-9223372036854775808"]),
        int(7)
    );
    assert_eq!(
        run(
            &mut s,
            &[
                "LPOS",
                "l",
                "c",
                "RANK",
                "-9223372036854775808",
                "COUNT",
                "1"
            ]
        ),
        ints(&[7, 6, 2])
    );
    assert_eq!(
        run(
            &mut s,
            &[
                "LPOS",
                "l",
                "c",
                "RANK",
                "-9223372036854775807",
                "COUNT",
                "1"
            ]
        ),
        EMPTY
    );
    // Errors, in argument order, before the key is looked at.
    for (cmd, e) in [
        (&["LPOS", "l", "c", "COUNT", "-1"][..], "ERR COUNT can't be negative"),
        (&["LPOS", "l", "c", "COUNT", "x"], "ERR COUNT can't be negative"),
        (&["LPOS", "l", "c", "MAXLEN", "-1"], "ERR MAXLEN can't be negative"),
        (&["LPOS", "l", "c", "RANK", "x"], error::NOT_INTEGER),
        (&["LPOS", "l", "c", "RANK"], error::SYNTAX),
        (&["LPOS", "l", "c", "foo", "1"], error::SYNTAX),
        (&["LPOS", "nokey", "c", "RANK", "0"], "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"),
    ] {
        assert_eq!(run(&mut s, cmd), err(e), "{cmd:?}");
    }
    run(&mut s, &["DEL", "l"]);
    run(&mut s, &["LPUSH", "l", "a"]);
    assert_eq!(
        run(&mut s, &["LPOS", "l", "b", "COUNT", "10", "RANK", "5"]),
        EMPTY
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["LPOS", "l", "a", "COUNT", "1"]),
        ints(&[0])
    );
}

#[test]
fn lmove_and_rpoplpush() {
    let mut s = shard();
    run(&mut s, &["RPUSH", "src", "a", "big", "c", "d"]);
    assert_eq!(run(&mut s, &["RPOPLPUSH", "src", "dst"]), bulk("d"));
    assert_eq!(run(&mut s, &["RPOPLPUSH", "src", "dst"]), bulk("c"));
    assert_eq!(range(&mut s, "src"), arr(&["a", "big"]));
    assert_eq!(range(&mut s, "dst"), arr(&["c", "d"]));
    assert_eq!(
        run(&mut s, &["OBJECT", "ENCODING", "dst"]),
        bulk("quicklist")
    );
    for (from, to, want_dst) in [
        ("left", "left", ["big", "a", "x"]),
        ("left", "right", ["x", "a", "big"]),
        ("right", "left", ["big", "a", "x"]),
        ("RIGHT", "RIGHT", ["x", "a", "big"]),
    ] {
        run(&mut s, &["DEL", "s1", "s2"]);
        if from.eq_ignore_ascii_case("right") {
            run(&mut s, &["RPUSH", "s1", "c", "d", "big", "a"]);
        } else {
            run(&mut s, &["RPUSH", "s1", "a", "big", "c", "d"]);
        }
        run(&mut s, &["RPUSH", "s2", "x"]);
        assert_eq!(run(&mut s, &["LMOVE", "s1", "s2", from, to]), bulk("a"));
        assert_eq!(run(&mut s, &["LMOVE", "s1", "s2", from, to]), bulk("big"));
        assert_eq!(range(&mut s, "s1"), arr(&["c", "d"]), "{from} {to}");
        assert_eq!(range(&mut s, "s2"), arr(&want_dst), "{from} {to}");
    }
    // Same key: a rotation.
    run(&mut s, &["DEL", "r"]);
    run(&mut s, &["RPUSH", "r", "a", "big", "c"]);
    assert_eq!(run(&mut s, &["RPOPLPUSH", "r", "r"]), bulk("c"));
    assert_eq!(range(&mut s, "r"), arr(&["c", "a", "big"]));
    assert_eq!(
        run(&mut s, &["LMOVE", "r", "r", "LEFT", "RIGHT"]),
        bulk("c")
    );
    assert_eq!(range(&mut s, "r"), arr(&["a", "big", "c"]));
    assert_eq!(run(&mut s, &["LMOVE", "r", "r", "LEFT", "LEFT"]), bulk("a"));
    assert_eq!(range(&mut s, "r"), arr(&["a", "big", "c"]));
    // A one-element list rotated onto itself survives.
    run(&mut s, &["DEL", "one"]);
    run(&mut s, &["RPUSH", "one", "x"]);
    assert_eq!(
        run(&mut s, &["LMOVE", "one", "one", "RIGHT", "LEFT"]),
        bulk("x")
    );
    assert_eq!(range(&mut s, "one"), arr(&["x"]));
    // The source is deleted when it empties.
    run(&mut s, &["DEL", "e1", "e2"]);
    run(&mut s, &["RPUSH", "e1", "only"]);
    assert_eq!(
        run(&mut s, &["LMOVE", "e1", "e2", "LEFT", "RIGHT"]),
        bulk("only")
    );
    assert!(!exists(&mut s, "e1"));
    assert_eq!(range(&mut s, "e2"), arr(&["only"]));
    // Missing source: null, nothing created.
    assert_eq!(run(&mut s, &["RPOPLPUSH", "nosrc", "nodst"]), NIL);
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["LMOVE", "nosrc", "nodst", "LEFT", "LEFT"]
        ),
        "_\r\n"
    );
    assert!(!exists(&mut s, "nodst"));
    // Wrong destination type: the source is untouched.
    run(&mut s, &["SET", "str", "x"]);
    assert_eq!(
        run(&mut s, &["RPOPLPUSH", "e2", "str"]),
        err(error::WRONGTYPE)
    );
    assert_eq!(range(&mut s, "e2"), arr(&["only"]));
    assert_eq!(
        run(&mut s, &["LMOVE", "e2", "x", "up", "LEFT"]),
        err(error::SYNTAX)
    );
    assert_eq!(
        run(&mut s, &["LMOVE", "str", "x", "LEFT", "down"]),
        err(error::SYNTAX)
    );
    // One dirty per move.
    let before = s.dirty;
    run(&mut s, &["LMOVE", "e2", "e3", "LEFT", "LEFT"]);
    assert_eq!(s.dirty - before, 1);
}

#[test]
fn lmpop_arguments_and_replies() {
    let mut s = shard();
    for (cmd, e) in [
        (
            &["LMPOP", "0", "l", "LEFT"][..],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["LMPOP", "a", "l", "LEFT"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["LMPOP", "-1", "l", "RIGHT"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["LMPOP", "9223372036854775808", "l", "RIGHT"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["LMPOP", "9223372036854775807", "l", "RIGHT"],
            error::SYNTAX,
        ),
        (&["LMPOP", "5", "l", "LEFT"], error::SYNTAX),
        (&["LMPOP", "1", "l", "bad_where"], error::SYNTAX),
        (&["LMPOP", "1", "l", "LEFT", "bar_arg"], error::SYNTAX),
        (&["LMPOP", "1", "l", "RIGHT", "LEFT"], error::SYNTAX),
        (&["LMPOP", "1", "l", "COUNT"], error::SYNTAX),
        (
            &["LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"],
            error::SYNTAX,
        ),
        (&["LMPOP", "2", "l", "l2", "bad_arg"], error::SYNTAX),
        (
            &["LMPOP", "1", "l", "LEFT", "COUNT", "0"],
            "ERR count should be greater than 0",
        ),
        (
            &["LMPOP", "1", "l", "RIGHT", "COUNT", "a"],
            "ERR count should be greater than 0",
        ),
        (
            &["LMPOP", "1", "l", "LEFT", "COUNT", "-1"],
            "ERR count should be greater than 0",
        ),
        (
            &["LMPOP", "2", "l", "l2", "RIGHT", "COUNT", "-1"],
            "ERR count should be greater than 0",
        ),
    ] {
        assert_eq!(run(&mut s, cmd), err(e), "{cmd:?}");
    }
    assert_eq!(
        run(&mut s, &["LMPOP", "1"]),
        err("ERR wrong number of arguments for 'lmpop' command")
    );
    assert_eq!(
        run(&mut s, &["LMPOP", "1", "l"]),
        err("ERR wrong number of arguments for 'lmpop' command")
    );
    // Nothing to pop: a null array (RESP3 `_`).
    assert_eq!(
        run(&mut s, &["LMPOP", "1", "l", "LEFT", "COUNT", "10"]),
        NIL_ARRAY
    );
    assert_eq!(run(&mut s, &["LMPOP", "2", "l", "l2", "RIGHT"]), NIL_ARRAY);
    assert_eq!(
        run_in(&mut s, 0, true, &["LMPOP", "1", "l", "LEFT"]),
        "_\r\n"
    );
    // Same key twice.
    run(&mut s, &["RPUSH", "l", "a", "b", "c", "d", "e", "f"]);
    assert_eq!(
        run(&mut s, &["LMPOP", "2", "l", "l", "left", "count", "2"]),
        keyed("l", &["a", "b"])
    );
    assert_eq!(
        run(&mut s, &["LMPOP", "2", "l", "l", "right", "count", "2"]),
        keyed("l", &["f", "e"])
    );
    assert_eq!(run(&mut s, &["LLEN", "l"]), int(2));
    // First exists, second missing, and the other way round.
    run(&mut s, &["DEL", "l"]);
    run(&mut s, &["RPUSH", "l", "a", "b", "c", "d", "e"]);
    assert_eq!(
        run(&mut s, &["LMPOP", "2", "l", "l2", "LEFT", "COUNT", "1"]),
        keyed("l", &["a"])
    );
    assert_eq!(
        run(&mut s, &["LMPOP", "2", "l", "l2", "RIGHT", "COUNT", "10"]),
        keyed("l", &["e", "d", "c", "b"])
    );
    assert!(!exists(&mut s, "l"));
    run(&mut s, &["RPUSH", "l2", "1", "2", "3", "4", "5"]);
    assert_eq!(
        run(&mut s, &["LMPOP", "2", "l", "l2", "RIGHT"]),
        keyed("l2", &["5"])
    );
    assert_eq!(
        run(&mut s, &["LMPOP", "2", "l", "l2", "LEFT", "COUNT", "10"]),
        keyed("l2", &["1", "2", "3", "4"])
    );
    assert!(!exists(&mut s, "l2"));
    // RESP3: the same nesting.
    run(&mut s, &["RPUSH", "l", "x"]);
    assert_eq!(
        run_in(&mut s, 0, true, &["LMPOP", "1", "l", "LEFT"]),
        keyed("l", &["x"])
    );
    // dirty: the elements popped.
    run(&mut s, &["RPUSH", "l", "1", "2", "3"]);
    let before = s.dirty;
    run(&mut s, &["LMPOP", "1", "l", "LEFT", "COUNT", "2"]);
    assert_eq!(s.dirty - before, 2);
}

#[test]
fn lmpop_key_positions() {
    let def = crate::cmd::lookup(b"lmpop").expect("lmpop");
    let pos = |a: &[&str]| {
        let raw: Vec<&[u8]> = a.iter().map(|x| x.as_bytes()).collect();
        def.keys.positions(&raw)
    };
    assert_eq!(pos(&["lmpop", "2", "a", "b", "left"]), vec![2, 3]);
    assert_eq!(pos(&["lmpop", "1", "a", "left"]), vec![2]);
    assert_eq!(pos(&["lmpop", "0", "a", "left"]), Vec::<usize>::new());
    assert_eq!(pos(&["lmpop", "5", "a", "left"]), Vec::<usize>::new());
    assert_eq!(pos(&["lmpop", "x", "a", "left"]), Vec::<usize>::new());
    assert_eq!(pos(&["lmpop", " 2abc", "a", "b"]), vec![2, 3]);
    assert_eq!(pos(&["lmpop", "4294967297", "a", "b"]), vec![2]);
    assert_eq!(
        pos(&["lmpop", "99999999999999999999999", "a"]),
        Vec::<usize>::new()
    );
    assert_eq!(pos(&["lmpop"]), Vec::<usize>::new());
    assert_eq!(def.keys.triple(), (0, 0, 0));
    assert!(def.flags.has(Flags::MOVABLEKEYS));
    let def = crate::cmd::lookup(b"blmpop").expect("blmpop");
    let raw: Vec<&[u8]> = vec![b"blmpop", b"0", b"2", b"a", b"b", b"left"];
    assert_eq!(def.keys.positions(&raw), vec![3, 4]);
    let raw: Vec<&[u8]> = vec![b"blmpop", b"0"];
    assert_eq!(def.keys.positions(&raw), Vec::<usize>::new());
    let def = crate::cmd::lookup(b"blpop").expect("blpop");
    let raw: Vec<&[u8]> = vec![b"blpop", b"a", b"b", b"0"];
    assert_eq!(def.keys.positions(&raw), vec![1, 2]);
    assert!(def.flags.has(Flags::BLOCKING));
    assert!(matches!(
        def.route,
        Route::Shard {
            cross: Cross::Never,
            ..
        }
    ));
}

#[test]
fn timeouts_parse_like_redis() {
    assert_eq!(parse_timeout(b"0"), Ok(0));
    assert_eq!(parse_timeout(b"1"), Ok(1000));
    assert_eq!(parse_timeout(b"0.1"), Ok(100));
    assert_eq!(parse_timeout(b"0.001"), Ok(1));
    assert_eq!(parse_timeout(b"0.0001"), Ok(1));
    assert_eq!(parse_timeout(b"1.5e1"), Ok(15000));
    assert_eq!(parse_timeout(b"0x10"), Ok(16000));
    assert_eq!(parse_timeout(b"1e-400"), Ok(1));
    // A tiny negative rounds up to zero: block forever, as in Redis.
    assert_eq!(parse_timeout(b"-0.0001"), Ok(0));
    assert_eq!(parse_timeout(b"-1e-400"), Ok(0));
    assert_eq!(parse_timeout(b"9223372036854775.807"), Ok(i64::MAX));
    let neg = Err(OpError::msg("ERR timeout is negative"));
    for bad in [
        &b"-1"[..],
        b"-0.001",
        b"1e20",
        b"1e400",
        b"inf",
        b"-inf",
        b"9223372036854775.808",
    ] {
        assert_eq!(
            parse_timeout(bad),
            neg,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    let nf = Err(OpError::msg(error::TIMEOUT_NOT_FLOAT));
    for bad in [&b"abc"[..], b"", b" 1", b"1 ", b"nan", b"1x"] {
        assert_eq!(parse_timeout(bad), nf, "{:?}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn blocking_ops_serve_or_block() {
    let mut s = shard();
    // Nothing to serve: Block, no reply, nothing written.
    assert_eq!(
        try_op(&mut s, &["BLPOP", "a", "b", "0"]),
        (Err(OpError::Block), String::new())
    );
    assert_eq!(
        try_op(&mut s, &["BRPOP", "a", "1.5"]).0,
        Err(OpError::Block)
    );
    assert_eq!(
        try_op(&mut s, &["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"]).0,
        Err(OpError::Block)
    );
    assert_eq!(
        try_op(&mut s, &["BRPOPLPUSH", "a", "b", "0"]).0,
        Err(OpError::Block)
    );
    assert_eq!(
        try_op(&mut s, &["BLMPOP", "0", "2", "a", "b", "LEFT"]).0,
        Err(OpError::Block)
    );
    assert_eq!(s.total_keys(), 0);
    assert_eq!(s.dirty, 0);
    // The first non-empty key in argument order is served.
    run(&mut s, &["RPUSH", "b", "x", "y", "z"]);
    assert_eq!(run(&mut s, &["BLPOP", "a", "b", "0"]), arr(&["b", "x"]));
    assert_eq!(run(&mut s, &["BRPOP", "a", "b", "0"]), arr(&["b", "z"]));
    assert_eq!(
        run_in(&mut s, 0, true, &["BRPOP", "b", "a", "0"]),
        arr(&["b", "y"])
    );
    assert!(!exists(&mut s, "b"));
    run(&mut s, &["RPUSH", "a", "1", "2"]);
    run(&mut s, &["RPUSH", "b", "3", "4"]);
    assert_eq!(
        run(
            &mut s,
            &["BLMPOP", "0", "2", "b", "a", "RIGHT", "COUNT", "5"]
        ),
        keyed("b", &["4", "3"])
    );
    assert_eq!(
        run(&mut s, &["BLMOVE", "a", "c", "RIGHT", "LEFT", "0"]),
        bulk("2")
    );
    assert_eq!(run(&mut s, &["BRPOPLPUSH", "a", "c", "0"]), bulk("1"));
    assert_eq!(range(&mut s, "c"), arr(&["1", "2"]));
    assert!(!exists(&mut s, "a"));
    // Self-referential move.
    assert_eq!(run(&mut s, &["BRPOPLPUSH", "c", "c", "0"]), bulk("2"));
    assert_eq!(range(&mut s, "c"), arr(&["2", "1"]));
    // Argument errors come first, in Redis's order.
    assert_eq!(
        run(&mut s, &["BLPOP", "c", "-1"]),
        err("ERR timeout is negative")
    );
    assert_eq!(
        run(&mut s, &["BLPOP", "c", "x"]),
        err(error::TIMEOUT_NOT_FLOAT)
    );
    assert_eq!(
        run(&mut s, &["BLMOVE", "c", "d", "LEFT", "up", "x"]),
        err(error::SYNTAX)
    );
    assert_eq!(
        run(&mut s, &["BLMOVE", "c", "d", "LEFT", "LEFT", "x"]),
        err(error::TIMEOUT_NOT_FLOAT)
    );
    assert_eq!(
        run(&mut s, &["BLMPOP", "x", "0", "c", "LEFT"]),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(
        run(&mut s, &["BLMPOP", "-1", "1", "c", "LEFT"]),
        err("ERR timeout is negative")
    );
    assert_eq!(
        run(&mut s, &["BLMPOP", "x", "1", "c", "LEFT", "COUNT", "0"]),
        err("ERR count should be greater than 0")
    );
    assert_eq!(
        run(&mut s, &["BLMPOP", "0", "1", "c"]),
        err("ERR wrong number of arguments for 'blmpop' command")
    );
    // The wrong type of a later key only matters when no earlier key is served.
    run(&mut s, &["SET", "str", "v"]);
    assert_eq!(run(&mut s, &["BLPOP", "c", "str", "0"]), arr(&["c", "2"]));
    assert_eq!(run(&mut s, &["BLPOP", "c", "str", "0"]), arr(&["c", "1"]));
    assert_eq!(
        run(&mut s, &["BLPOP", "c", "str", "0"]),
        err(error::WRONGTYPE)
    );
    // BLMOVE to a wrong-type destination: error, source untouched.
    run(&mut s, &["RPUSH", "src", "e"]);
    assert_eq!(
        run(&mut s, &["BLMOVE", "src", "str", "LEFT", "LEFT", "0"]),
        err(error::WRONGTYPE)
    );
    assert_eq!(range(&mut s, "src"), arr(&["e"]));
}

#[test]
fn pop_and_push_helpers_for_the_server() {
    let mut s = shard();
    let enc = Encodings {
        list_max_listpack_size: 2,
        ..Encodings::default()
    };
    let db = s.db(0);
    assert_eq!(push(db, b"k", false, &[b"a", b"b", b"c"], NOW, &enc), Ok(3));
    assert_eq!(push(db, b"k", true, &[b"z"], NOW, &enc), Ok(4));
    assert!(db.take_ready().iter().any(|k| k.as_bytes() == b"k"));
    assert_eq!(pop(db, b"k", true, NOW), Some(b"z".to_vec()));
    assert_eq!(pop(db, b"k", false, NOW), Some(b"c".to_vec()));
    assert_eq!(pop(db, b"nokey", false, NOW), None);
    // A push onto an existing list signals it too.
    assert_eq!(push(db, b"k", false, &[b"d"], NOW, &enc), Ok(3));
    assert!(db.take_ready().iter().any(|k| k.as_bytes() == b"k"));
    assert_eq!(push(db, b"k", false, &[], NOW, &enc), Ok(3));
    assert!(!db.has_ready());
    assert_eq!(pop(db, b"k", false, NOW), Some(b"d".to_vec()));
    assert_eq!(pop(db, b"k", false, NOW), Some(b"b".to_vec()));
    assert_eq!(pop(db, b"k", false, NOW), Some(b"a".to_vec()));
    assert!(db.peek(b"k", NOW).is_none());
    assert_eq!(pop(db, b"k", false, NOW), None);
    // Nothing to create: no key, no signal.
    assert_eq!(push(db, b"e", false, &[], NOW, &enc), Ok(0));
    assert!(db.peek(b"e", NOW).is_none());
    assert!(!db.has_ready());
    db.set(b"str", Value::string(b"v"), NOW);
    assert_eq!(pop(db, b"str", true, NOW), None);
    assert!(db.peek(b"str", NOW).is_some());
    assert_eq!(
        push(db, b"str", true, &[b"x"], NOW, &enc),
        Err(OpError::WrongType)
    );
    // The node size comes from the settings the list was created with.
    push(db, b"n", false, &[b"1", b"2", b"3", b"4", b"5"], NOW, &enc).expect("push");
    match &db.peek(b"n", NOW).expect("n").value {
        Value::List(l) => assert_eq!(l.node_count(), 3),
        _ => panic!("not a list"),
    }
}

#[test]
fn list_max_listpack_size_applies_to_new_lists() {
    let mut s = shard();
    s.config.encodings.list_max_listpack_size = 1;
    let big = "x".repeat(500);
    for _ in 0..4 {
        run(&mut s, &["LPUSH", "l", &big]);
    }
    let nodes = |s: &Shard| match &s.dbs[0].peek(b"l", NOW).expect("l").value {
        Value::List(l) => l.node_count(),
        _ => 0,
    };
    assert_eq!(nodes(&s), 4);
    // Existing lists keep their settings, as Redis quicklists do.
    s.config.encodings.list_max_listpack_size = -2;
    run(&mut s, &["LPUSH", "l", "a"]);
    assert_eq!(nodes(&s), 5);
    run(&mut s, &["DEL", "l"]);
    for _ in 0..5 {
        run(&mut s, &["LPUSH", "l", &big]);
    }
    assert_eq!(nodes(&s), 1);
    assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "l"]), bulk("quicklist"));
}

#[test]
fn insert_with_one_element_nodes() {
    // list.tcl "reg node check compression with insert and pop" (fill 1).
    let mut s = shard();
    s.config.encodings.list_max_listpack_size = 1;
    let v = |c: char| c.to_string().repeat(500);
    for c in ['a', 'b', 'c', 'd'] {
        run(&mut s, &["LPUSH", "l", &v(c)]);
    }
    for c in ['e', 'f', 'g', 'j'] {
        run(&mut s, &["LINSERT", "l", "after", &v('d'), &v(c)]);
    }
    for c in ['d', 'j', 'g', 'f', 'e', 'c', 'b', 'a'] {
        assert_eq!(run(&mut s, &["LPOP", "l"]), bulk(&v(c)));
    }
    assert!(!exists(&mut s, "l"));
    run(&mut s, &["LPUSH", "l2", &v('a')]);
    run(&mut s, &["LINSERT", "l2", "after", &v('a'), &v('b')]);
    run(&mut s, &["RPUSH", "l2", &v('c')]);
    assert_eq!(run(&mut s, &["LINDEX", "l2", "1"]), bulk(&v('b')));
    run(&mut s, &["LTRIM", "l2", "1", "-1"]);
    assert_eq!(run(&mut s, &["LLEN", "l2"]), int(2));
    run(&mut s, &["LPUSH", "l3", &v('a')]);
    run(&mut s, &["LSET", "l3", "0", &v('b')]);
    assert_eq!(run(&mut s, &["LINDEX", "l3", "0"]), bulk(&v('b')));
}

#[test]
fn numbered_lists_stay_consistent() {
    // list.tcl "LINDEX consistency test" and "Mass RPOP/LPOP" with 5-element nodes.
    let mut s = shard();
    s.config.encodings.list_max_listpack_size = 5;
    for i in 0..500 {
        run(&mut s, &["RPUSH", "l", &i.to_string()]);
    }
    for i in 0..500i64 {
        assert_eq!(
            run(&mut s, &["LINDEX", "l", &i.to_string()]),
            bulk(&i.to_string())
        );
        assert_eq!(
            run(&mut s, &["LINDEX", "l", &(-i - 1).to_string()]),
            bulk(&(499 - i).to_string())
        );
    }
    let mut sum = 0i64;
    for _ in 0..250 {
        for cmd in ["LPOP", "RPOP"] {
            let r = run(&mut s, &[cmd, "l"]);
            let v: i64 = r.lines().nth(1).expect("bulk").parse().expect("int");
            sum += v;
        }
    }
    assert_eq!(sum, 499 * 500 / 2);
    assert!(!exists(&mut s, "l"));
}

#[test]
fn binary_and_encoded_values_round_trip() {
    let mut s = shard();
    let values: Vec<Vec<u8>> = vec![
        b"127".to_vec(),
        b"32767".to_vec(),
        b"2147483647".to_vec(),
        b"9223372036854775808".to_vec(),
        b"0".to_vec(),
        b"12".to_vec(),
        b"-0".to_vec(),
        vec![b'x'; 31],
        vec![b'x'; 8191],
        vec![b'x'; 65535],
        vec![0u8, 255, b'\r', b'\n'],
        Vec::new(),
    ];
    for v in &values {
        let mut out = RespWriter::new(false);
        run_raw(&mut s, 0, &[b"RPUSH", b"k", v], &mut out);
    }
    for (i, v) in values.iter().enumerate() {
        let mut out = RespWriter::new(false);
        run_raw(
            &mut s,
            0,
            &[b"LINDEX", b"k", i.to_string().as_bytes()],
            &mut out,
        );
        let mut want = RespWriter::new(false);
        want.bulk(v);
        assert_eq!(out.as_bytes(), want.as_bytes(), "element {i}");
    }
    let mut out = RespWriter::new(false);
    run_raw(
        &mut s,
        0,
        &[b"LPOS", b"k", &[0u8, 255, b'\r', b'\n']],
        &mut out,
    );
    assert_eq!(out.as_bytes(), b":10\r\n");
    assert_eq!(run(&mut s, &["LPOS", "k", "foo", "RANK", "-1"]), NIL);
    assert_eq!(run(&mut s, &["LPOS", "k", "", "RANK", "-1"]), int(11));
}

#[test]
fn expired_lists_are_gone() {
    let mut s = shard();
    run(&mut s, &["RPUSH", "l", "a", "b"]);
    run(&mut s, &["PEXPIRE", "l", "100"]);
    // Writes keep the TTL.
    run(&mut s, &["RPUSH", "l", "c"]);
    run(&mut s, &["LPOP", "l"]);
    assert_eq!(run(&mut s, &["PTTL", "l"]), int(100));
    s.clock.advance(100);
    assert_eq!(run(&mut s, &["LLEN", "l"]), int(0));
    assert_eq!(run(&mut s, &["LPUSHX", "l", "x"]), int(0));
    assert_eq!(run(&mut s, &["RPUSH", "l", "x"]), int(1));
    assert_eq!(run(&mut s, &["PTTL", "l"]), int(-1));
}

#[test]
fn command_rows_follow_the_specs() {
    let row = |n: &str| crate::cmd::lookup(n.as_bytes()).expect(n);
    let names: Vec<&str> = COMMANDS.iter().map(|d| d.name).collect();
    assert_eq!(names.len(), 22);
    for (name, arity) in [
        ("lpush", -3),
        ("lpop", -2),
        ("llen", 2),
        ("lrange", 4),
        ("lindex", 3),
        ("lset", 4),
        ("linsert", 5),
        ("lrem", 4),
        ("ltrim", 4),
        ("lpos", -3),
        ("lmove", 5),
        ("rpoplpush", 3),
        ("lmpop", -4),
        ("blpop", -3),
        ("brpop", -3),
        ("blmove", 6),
        ("brpoplpush", 4),
        ("blmpop", -5),
    ] {
        assert_eq!(row(name).arity, arity, "{name}");
    }
    let flags = |n: &str| row(n).flags.names().collect::<Vec<_>>().join(",");
    assert_eq!(flags("lpush"), "write,denyoom,fast");
    assert_eq!(flags("lpop"), "write,fast");
    assert_eq!(flags("llen"), "readonly,fast");
    assert_eq!(flags("lrange"), "readonly");
    assert_eq!(flags("blpop"), "write,noscript,blocking");
    assert_eq!(flags("blmove"), "write,denyoom,noscript,blocking");
    assert_eq!(flags("blmpop"), "write,blocking,movablekeys");
    assert_eq!(flags("lmpop"), "write,movablekeys");
    assert_eq!(row("blpop").keys.triple(), (1, -2, 1));
    assert_eq!(row("lmove").keys.triple(), (1, 2, 1));
    let acl = row("lpush").acl_categories();
    assert!(acl.has(Acl::LIST) && acl.has(Acl::WRITE) && acl.has(Acl::FAST));
    assert!(row("blpop").acl_categories().has(Acl::BLOCKING));
    assert!(row("lrange").acl_categories().has(Acl::SLOW));
    for n in ["lmove", "rpoplpush", "lmpop"] {
        assert!(matches!(
            row(n).route,
            Route::Shard {
                cross: Cross::Coord(CoordCmd::Gather),
                ..
            }
        ));
    }
}

#[test]
fn every_write_that_adds_elements_signals_ready() {
    let mut s = shard();
    let ready = |s: &mut Shard| -> Vec<String> {
        s.db(0)
            .take_ready()
            .iter()
            .map(|k| String::from_utf8_lossy(k.as_bytes()).into_owned())
            .collect()
    };
    run(&mut s, &["RPUSH", "l", "a", "b"]);
    assert_eq!(ready(&mut s), ["l"]);
    for cmd in [
        &["LPUSH", "l", "x"][..],
        &["RPUSHX", "l", "y"],
        &["LPUSHX", "l", "z"],
        &["LINSERT", "l", "BEFORE", "a", "w"],
    ] {
        run(&mut s, cmd);
        assert_eq!(ready(&mut s), ["l"], "{cmd:?}");
    }
    // Writes that add nothing signal nothing.
    for cmd in [
        &["LPUSHX", "nokey", "x"][..],
        &["LINSERT", "l", "BEFORE", "nope", "w"],
        &["LINSERT", "nokey", "BEFORE", "a", "w"],
        &["LSET", "l", "0", "v"],
        &["LPOP", "l"],
        &["LREM", "l", "0", "b"],
        &["LTRIM", "l", "0", "-1"],
        &["LMOVE", "nokey", "l", "LEFT", "LEFT"],
    ] {
        run(&mut s, cmd);
        assert!(ready(&mut s).is_empty(), "{cmd:?}");
    }
    run(&mut s, &["LMOVE", "l", "dst", "LEFT", "RIGHT"]);
    assert_eq!(ready(&mut s), ["dst"]);
    run(&mut s, &["RPOPLPUSH", "l", "dst"]);
    assert_eq!(ready(&mut s), ["dst"]);
}
