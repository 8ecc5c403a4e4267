//! String and multi-key commands through the real server, with keys placed on purpose on the
//! same shard, on the other shard, and split over both. Expected replies are Redis 7.0.15's.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use common::{key_on, keys_on, tag_on, Raw, Server};

fn text(r: &mut Raw, cmd: &[&str]) -> String {
    r.text(cmd)
}

#[test]
fn mset_mget_msetnx_across_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let a = keys_on(0, "m", 3);
    let b = keys_on(1, "m", 3);
    assert_eq!(
        text(
            &mut c,
            &["MSET", &a[0], "a0", &b[0], "b0", &a[1], "a1", &b[1], "b1"]
        ),
        "+OK\r\n"
    );
    // MGET keeps argument order whatever the shard, nulls in place, repeated keys repeated.
    assert_eq!(
        text(&mut c, &["MGET", &b[1], &a[0], &b[2], &a[1], &b[0], &b[1]]),
        "*6\r\n$2\r\nb1\r\n$2\r\na0\r\n$-1\r\n$2\r\na1\r\n$2\r\nb0\r\n$2\r\nb1\r\n"
    );
    // MSET of the same key twice: the last value wins.
    assert_eq!(
        text(&mut c, &["MSET", &a[2], "first", &b[2], "x", &a[2], "last"]),
        "+OK\r\n"
    );
    assert_eq!(text(&mut c, &["GET", &a[2]]), "$4\r\nlast\r\n");
    // MSETNX: nothing is set if any key exists, on either shard.
    let fresh0 = key_on(0, "fresh");
    let fresh1 = key_on(1, "fresh");
    assert_eq!(
        text(&mut c, &["MSETNX", &fresh0, "1", &b[0], "2"]),
        ":0\r\n"
    );
    assert_eq!(
        text(&mut c, &["MSETNX", &fresh1, "1", &a[0], "2"]),
        ":0\r\n"
    );
    assert_eq!(text(&mut c, &["EXISTS", &fresh0, &fresh1]), ":0\r\n");
    assert_eq!(text(&mut c, &["GET", &b[0]]), "$2\r\nb0\r\n");
    assert_eq!(
        text(&mut c, &["MSETNX", &fresh0, "f0", &fresh1, "f1"]),
        ":1\r\n"
    );
    assert_eq!(
        text(&mut c, &["MGET", &fresh0, &fresh1]),
        "*2\r\n$2\r\nf0\r\n$2\r\nf1\r\n"
    );
    // Same-shard MSETNX through the fast path agrees.
    let t = tag_on(1, "nx");
    assert_eq!(
        text(
            &mut c,
            &["MSETNX", &format!("{t}x"), "1", &format!("{t}y"), "2"]
        ),
        ":1\r\n"
    );
    assert_eq!(
        text(
            &mut c,
            &["MSETNX", &format!("{t}y"), "1", &format!("{t}z"), "2"]
        ),
        ":0\r\n"
    );
    // Arity is checked before routing.
    assert_eq!(
        text(&mut c, &["MSETNX", &fresh0]),
        "-ERR wrong number of arguments for 'msetnx' command\r\n"
    );
    assert_eq!(
        text(&mut c, &["MSETNX", &fresh0, "1", &fresh1]),
        "-ERR wrong number of arguments for 'msetnx' command\r\n"
    );
    assert_eq!(
        text(&mut c, &["MGET"]),
        "-ERR wrong number of arguments for 'mget' command\r\n"
    );
}

#[test]
fn del_exists_unlink_touch_count_across_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let a = keys_on(0, "d", 3);
    let b = keys_on(1, "d", 3);
    c.roundtrip(&["MSET", &a[0], "1", &a[1], "1", &b[0], "1", &b[1], "1"]);
    // EXISTS counts repeated keys each time.
    assert_eq!(
        text(&mut c, &["EXISTS", &a[0], &b[0], &a[0], &b[2], &b[0]]),
        ":4\r\n"
    );
    assert_eq!(
        text(&mut c, &["TOUCH", &a[0], &b[0], &a[2], &b[1]]),
        ":3\r\n"
    );
    // DEL counts each deleted key once, however often it is named.
    assert_eq!(text(&mut c, &["DEL", &a[0], &b[0], &a[0], &b[2]]), ":2\r\n");
    assert_eq!(text(&mut c, &["EXISTS", &a[0], &b[0]]), ":0\r\n");
    assert_eq!(text(&mut c, &["UNLINK", &b[1], &a[1], &a[2]]), ":2\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":0\r\n");
    assert_eq!(text(&mut c, &["DEL", &a[0], &b[0]]), ":0\r\n");
}

#[test]
fn string_commands_on_both_shards() {
    let s = Server::start(&[]);
    let mut con = s.client();
    for sh in 0..2 {
        let k = key_on(sh, "str");
        let n = key_on(sh, "num");
        let bits = key_on(sh, "bits");
        let mut c = s.raw();
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["SET", &k, "hello"], "+OK\r\n"),
            (vec!["APPEND", &k, " world"], ":11\r\n"),
            (vec!["GETRANGE", &k, "0", "4"], "$5\r\nhello\r\n"),
            (vec!["SETRANGE", &k, "6", "WORLD"], ":11\r\n"),
            (vec!["GET", &k], "$11\r\nhello WORLD\r\n"),
            (vec!["STRLEN", &k], ":11\r\n"),
            (vec!["SET", &k, "x", "NX"], "$-1\r\n"),
            (vec!["SET", &k, "y", "XX", "GET"], "$11\r\nhello WORLD\r\n"),
            (vec!["GETSET", &k, "z"], "$1\r\ny\r\n"),
            (
                vec!["INCR", &k],
                "-ERR value is not an integer or out of range\r\n",
            ),
            (vec!["INCR", &n], ":1\r\n"),
            (vec!["INCRBY", &n, "41"], ":42\r\n"),
            (vec!["DECRBY", &n, "2"], ":40\r\n"),
            (vec!["DECR", &n], ":39\r\n"),
            (vec!["INCRBYFLOAT", &n, "0.5"], "$4\r\n39.5\r\n"),
            (
                vec!["INCR", &n],
                "-ERR value is not an integer or out of range\r\n",
            ),
            (vec!["SET", &n, "9223372036854775807"], "+OK\r\n"),
            (
                vec!["INCR", &n],
                "-ERR increment or decrement would overflow\r\n",
            ),
            (vec!["SETBIT", &bits, "7", "1"], ":0\r\n"),
            (vec!["GETBIT", &bits, "7"], ":1\r\n"),
            (vec!["GET", &bits], "$1\r\n\x01\r\n"),
            (vec!["BITCOUNT", &k], ":5\r\n"),
            (vec!["SET", &k, "v", "FOO"], "-ERR syntax error\r\n"),
            (
                vec!["SET", &k, "v", "EX", "0"],
                "-ERR invalid expire time in 'set' command\r\n",
            ),
        ];
        for (cmd, want) in &cases {
            assert_eq!(text(&mut c, cmd), *want, "{cmd:?} (key on shard {sh})");
        }
        // And through the redis crate.
        let v: String = common::query(&mut con, &["GET", &k]);
        assert_eq!(v, "z");
    }
}

/// LCS and BITOP over keys on different shards answer exactly as over same-shard keys.
#[test]
fn lcs_and_bitop_across_shards_match_same_shard() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let t = tag_on(0, "same");
    let same = [format!("{t}k1"), format!("{t}k2"), format!("{t}dest")];
    let split = [key_on(0, "k1"), key_on(1, "k2"), key_on(1, "dest")];
    let split2 = [key_on(1, "k1"), key_on(0, "k2"), key_on(0, "dest")];
    let mut results: Vec<Vec<String>> = Vec::new();
    for keys in [&same, &split, &split2] {
        let (k1, k2, d) = (&keys[0], &keys[1], &keys[2]);
        let cmds: Vec<Vec<&str>> = vec![
            vec!["SET", k1, "ohmytext"],
            vec!["SET", k2, "mynewtext"],
            vec!["LCS", k1, k2],
            vec!["LCS", k2, k1],
            vec!["LCS", k1, k2, "LEN"],
            vec!["LCS", k1, k2, "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
            vec!["LCS", k1, "nokey"],
            vec!["LCS", k1, k2, "FOO"],
            vec!["BITOP", "AND", d, k1, k2],
            vec!["GET", d],
            vec!["BITOP", "OR", d, k1, k2, "nokey"],
            vec!["GET", d],
            vec!["BITOP", "XOR", d, k1, k2],
            vec!["GET", d],
            vec!["BITOP", "NOT", d, k1],
            vec!["GET", d],
            vec!["BITOP", "NOT", d, k1, k2],
            vec!["BITOP", "AND", d, "nokey", "nokey2"],
            vec!["EXISTS", d],
            // The destination is also a source.
            vec!["BITOP", "AND", k1, k1, k2],
            vec!["GET", k1],
            vec!["BITOP", "AND", k2, "nokey", k2],
            vec!["EXISTS", k2],
            vec!["DEL", k1, k2, d],
        ];
        results.push(cmds.iter().map(|cmd| text(&mut c, cmd)).collect());
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    // And they are Redis's answers.
    let want = [
        "+OK\r\n",
        "+OK\r\n",
        "$6\r\nmytext\r\n",
        "$6\r\nmytext\r\n",
        ":6\r\n",
        "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
        "$0\r\n\r\n",
        "-ERR syntax error\r\n",
        ":9\r\n",
        "$9\r\nmhlatd`p\0\r\n",
    ];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(results[0][i], *w, "command #{i}");
    }
    assert_eq!(
        results[0][16],
        "-ERR BITOP NOT must be called with a single source key.\r\n"
    );
    assert_eq!(results[0][17], ":0\r\n");
    assert_eq!(results[0][18], ":0\r\n");
    assert_eq!(results[0][22], ":1\r\n");
}

/// A cross-shard BITOP overwrites its destination like Redis's `setKey`: the old TTL goes.
#[test]
fn bitop_destination_on_other_shard_loses_ttl() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let src = key_on(0, "bsrc");
    let dst = key_on(1, "bdst");
    c.roundtrip(&["SET", &src, "abc"]);
    c.roundtrip(&["SET", &dst, "old", "EX", "100"]);
    assert_eq!(text(&mut c, &["BITOP", "OR", &dst, &src]), ":3\r\n");
    assert_eq!(text(&mut c, &["GET", &dst]), "$3\r\nabc\r\n");
    assert_eq!(text(&mut c, &["TTL", &dst]), ":-1\r\n");
}
