//! SORT and SORT_RO unit tests. Expected replies were checked against a real Redis 7.0.15.

use super::*;
use crate::testkit::{run, run_in, run_raw};
use corekv_proto::RespWriter;

const NOW: i64 = 1_000_000;

fn shard() -> Shard {
    Shard::for_tests(NOW)
}

fn int(n: i64) -> String {
    format!(":{n}\r\n")
}

fn err(msg: &str) -> String {
    format!("-{msg}\r\n")
}

/// A RESP2 array of bulk strings (`None`: a null bulk).
fn arr(items: &[Option<&str>]) -> String {
    let mut s = format!("*{}\r\n", items.len());
    for i in items {
        match i {
            Some(v) => s.push_str(&format!("${}\r\n{v}\r\n", v.len())),
            None => s.push_str("$-1\r\n"),
        }
    }
    s
}

fn bulks(items: &[&str]) -> String {
    arr(&items.iter().map(|s| Some(*s)).collect::<Vec<_>>())
}

fn runb(s: &mut Shard, args: &[&[u8]]) -> Vec<u8> {
    let mut out = RespWriter::new(false);
    run_raw(s, 0, args, &mut out);
    out.into_inner()
}

fn cmd(s: &mut Shard, line: &str) -> String {
    let args: Vec<&str> = line.split(' ').collect();
    run(s, &args)
}

#[test]
fn sorts_lists_sets_and_sorted_sets_numerically() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l 3 10 1 2.5 -4");
    assert_eq!(cmd(&mut s, "SORT l"), bulks(&["-4", "1", "2.5", "3", "10"]));
    assert_eq!(
        cmd(&mut s, "SORT l DESC"),
        bulks(&["10", "3", "2.5", "1", "-4"])
    );
    cmd(&mut s, "SADD s 5 3 9 1");
    assert_eq!(cmd(&mut s, "SORT s"), bulks(&["1", "3", "5", "9"]));
    cmd(&mut s, "ZADD z 1 30 2 20 3 10");
    assert_eq!(cmd(&mut s, "SORT z"), bulks(&["10", "20", "30"]));
    // The regression of Redis issue #19: floats.
    cmd(&mut s, "RPUSH f 1.1 5.10 3.10 7.44 2.1 5.75 6.12 0.25 1.15");
    assert_eq!(
        cmd(&mut s, "SORT f"),
        bulks(&["0.25", "1.1", "1.15", "2.1", "3.10", "5.10", "5.75", "6.12", "7.44"])
    );
    // A missing key sorts as an empty list; SORT_RO reads the same.
    assert_eq!(cmd(&mut s, "SORT nokey"), "*0\r\n");
    assert_eq!(cmd(&mut s, "SORT_RO l LIMIT 1 2"), bulks(&["1", "2.5"]));
}

#[test]
fn equal_scores_are_ordered_by_the_elements() {
    let mut s = shard();
    cmd(
        &mut s,
        "SADD myset a b c d e f g h i l m n o p q r s t u v z aa aaa azz",
    );
    let want = bulks(&[
        "a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p",
        "q", "r", "s", "t", "u", "v", "z",
    ]);
    assert_eq!(cmd(&mut s, "SORT myset BY score:*"), want);
    // Equal scores and DESC: the tie-break is reversed too.
    cmd(&mut s, "RPUSH l b a c");
    assert_eq!(
        cmd(&mut s, "SORT l BY nokey_* DESC"),
        bulks(&["c", "b", "a"])
    );
}

#[test]
fn by_keys_and_hash_fields_with_limit() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l 1 2 3 4 5");
    for (e, w) in [
        ("1", "50"),
        ("2", "10"),
        ("3", "40"),
        ("4", "0.5"),
        ("5", "30"),
    ] {
        cmd(&mut s, &format!("SET w_{e} {w}"));
        cmd(&mut s, &format!("HSET h_{e} weight {w}"));
    }
    let want = bulks(&["4", "2", "5", "3", "1"]);
    assert_eq!(cmd(&mut s, "SORT l BY w_*"), want);
    assert_eq!(cmd(&mut s, "SORT l BY h_*->weight"), want);
    assert_eq!(cmd(&mut s, "SORT l BY w_* LIMIT 1 2"), bulks(&["2", "5"]));
    assert_eq!(
        cmd(&mut s, "SORT l BY h_*->weight DESC LIMIT 0 2"),
        bulks(&["1", "3"])
    );
    // LIMIT arithmetic: negative offsets count from 0, a negative count means all.
    assert_eq!(cmd(&mut s, "SORT l BY w_* LIMIT -3 2"), bulks(&["4", "2"]));
    assert_eq!(cmd(&mut s, "SORT l BY w_* LIMIT 3 -1"), bulks(&["3", "1"]));
    assert_eq!(cmd(&mut s, "SORT l BY w_* LIMIT 3 0"), "*0\r\n");
    assert_eq!(cmd(&mut s, "SORT l BY w_* LIMIT 99 5"), "*0\r\n");
    assert_eq!(
        cmd(&mut s, "SORT l LIMIT 2 9223372036854775807"),
        bulks(&["3", "4", "5"])
    );
    // Missing BY keys count as 0; a BY key of another type is missing.
    cmd(&mut s, "DEL w_3");
    cmd(&mut s, "DEL w_5");
    cmd(&mut s, "RPUSH w_5 x");
    assert_eq!(
        cmd(&mut s, "SORT l BY w_*"),
        bulks(&["3", "5", "4", "2", "1"])
    );
}

#[test]
fn get_patterns() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l b a c");
    cmd(&mut s, "SET v_a A");
    cmd(&mut s, "SET v_b B");
    cmd(&mut s, "HSET h_a f HA");
    cmd(&mut s, "HSET h_c f HC");
    assert_eq!(
        cmd(&mut s, "SORT l ALPHA GET # GET v_* GET h_*->f"),
        arr(&[
            Some("a"),
            Some("A"),
            Some("HA"),
            Some("b"),
            Some("B"),
            None,
            Some("c"),
            None,
            Some("HC"),
        ])
    );
    // A pattern without '*' finds nothing.
    cmd(&mut s, "SET foo bar");
    assert_eq!(
        cmd(&mut s, "SORT l GET foo ALPHA"),
        arr(&[None, None, None])
    );
    // RESP3: the missing values are nulls.
    assert_eq!(
        run_in(&mut s, 0, true, &["SORT", "l", "ALPHA", "GET", "v_*"]),
        "*3\r\n$1\r\nA\r\n$1\r\nB\r\n_\r\n"
    );
    // "->" with nothing after it is part of the key name, not a hash field.
    cmd(&mut s, "DEL l");
    cmd(&mut s, "LPUSH l a");
    cmd(&mut s, "SET x:a-> 100");
    assert_eq!(cmd(&mut s, "SORT l BY num GET x:*->"), bulks(&["100"]));
    assert_eq!(
        cmd(&mut s, "SORT_RO l BY nosort GET x:*->"),
        bulks(&["100"])
    );
    // Only the first "->" after the '*' splits; the field may contain "->".
    cmd(&mut s, "HSET y:a g->h GH");
    assert_eq!(
        cmd(&mut s, "SORT l BY nosort GET y:*->g->h"),
        bulks(&["GH"])
    );
    // A field of a key that is not a hash, a string key that is a hash: missing.
    assert_eq!(
        cmd(&mut s, "SORT l BY nosort GET x:*->f GET y:*"),
        arr(&[None, None])
    );
}

#[test]
fn pattern_searches_stop_at_nul_bytes() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l a");
    cmd(&mut s, "SET a plain");
    // "#\0x" is "#" to C.
    assert_eq!(
        runb(&mut s, &[b"SORT", b"l", b"ALPHA", b"GET", b"#\0x"]),
        b"*1\r\n$1\r\na\r\n"
    );
    // A '*' after a NUL is not seen: no substitution, nothing found.
    assert_eq!(
        runb(&mut s, &[b"SORT", b"l", b"ALPHA", b"GET", b"\0*"]),
        b"*1\r\n$-1\r\n"
    );
    // The field is everything after the arrow, NULs included.
    cmd(&mut s, "HSET h:a f HA");
    runb(&mut s, &[b"HSET", b"h:a", b"f\0z", b"NUL"]);
    assert_eq!(
        runb(&mut s, &[b"SORT", b"l", b"ALPHA", b"GET", b"h:*->f\0z"]),
        b"*1\r\n$3\r\nNUL\r\n"
    );
}

#[test]
fn store_makes_a_list_or_deletes_the_destination() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l 3 1 2");
    cmd(&mut s, "SET dst v");
    cmd(&mut s, "EXPIRE dst 100");
    let d = s.dirty;
    assert_eq!(cmd(&mut s, "SORT l STORE dst"), int(3));
    assert_eq!(s.dirty, d + 3);
    assert_eq!(cmd(&mut s, "LRANGE dst 0 -1"), bulks(&["1", "2", "3"]));
    assert_eq!(cmd(&mut s, "OBJECT ENCODING dst"), "$9\r\nquicklist\r\n");
    assert_eq!(cmd(&mut s, "TTL dst"), int(-1));
    // GET values; a missing one is stored as an empty string.
    assert_eq!(cmd(&mut s, "SORT l GET # GET nokey_* STORE dst"), int(6));
    assert_eq!(
        cmd(&mut s, "LRANGE dst 0 -1"),
        bulks(&["1", "", "2", "", "3", ""])
    );
    // An empty result deletes the destination (one write), or does nothing.
    let d = s.dirty;
    assert_eq!(cmd(&mut s, "SORT l LIMIT 10 10 STORE dst"), int(0));
    assert_eq!(cmd(&mut s, "EXISTS dst"), int(0));
    assert_eq!(s.dirty, d + 1);
    assert_eq!(cmd(&mut s, "SORT nokey STORE dst"), int(0));
    assert_eq!(cmd(&mut s, "EXISTS dst"), int(0));
    assert_eq!(s.dirty, d + 1);
    // The last STORE wins; the source may be the destination.
    assert_eq!(cmd(&mut s, "SORT l STORE a STORE b"), int(3));
    assert_eq!(cmd(&mut s, "EXISTS a"), int(0));
    assert_eq!(cmd(&mut s, "SORT l DESC STORE l"), int(3));
    assert_eq!(cmd(&mut s, "LRANGE l 0 -1"), bulks(&["3", "2", "1"]));
    // Any type is replaced.
    cmd(&mut s, "HSET h f v");
    assert_eq!(cmd(&mut s, "SORT l STORE h"), int(3));
    assert_eq!(cmd(&mut s, "TYPE h"), "+list\r\n");
    // A stored list wakes clients blocked on the destination.
    s.db(0).take_ready();
    cmd(&mut s, "SORT l STORE fresh");
    assert_eq!(s.db(0).take_ready().len(), 1);
}

#[test]
fn dont_sort_keeps_the_native_order() {
    let mut s = shard();
    cmd(&mut s, "LPUSH testa 2 1 4 3 5");
    assert_eq!(
        cmd(&mut s, "SORT testa BY nosort"),
        bulks(&["5", "3", "4", "1", "2"])
    );
    assert_eq!(
        cmd(&mut s, "SORT testa BY nosort DESC"),
        bulks(&["2", "1", "4", "3", "5"])
    );
    assert_eq!(cmd(&mut s, "SORT testa BY nosort STORE testb"), int(5));
    assert_eq!(
        cmd(&mut s, "LRANGE testb 0 -1"),
        bulks(&["5", "3", "4", "1", "2"])
    );
    assert_eq!(
        cmd(&mut s, "SORT testa BY nosort LIMIT 0 3 STORE testb"),
        int(3)
    );
    assert_eq!(cmd(&mut s, "LRANGE testb 0 -1"), bulks(&["5", "3", "4"]));
    assert_eq!(
        cmd(&mut s, "SORT testa BY nosort DESC LIMIT 1 2"),
        bulks(&["1", "4"])
    );
    // Sorted sets: score order, DESC reverses, LIMIT applies to that order.
    cmd(&mut s, "ZADD zset 1 a 5 b 2 c 10 d 3 e");
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort ASC"),
        bulks(&["a", "c", "e", "b", "d"])
    );
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort DESC"),
        bulks(&["d", "b", "e", "c", "a"])
    );
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort ASC LIMIT 0 1"),
        bulks(&["a"])
    );
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort DESC LIMIT 0 1"),
        bulks(&["d"])
    );
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort ASC LIMIT 0 2"),
        bulks(&["a", "c"])
    );
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort DESC LIMIT 0 2"),
        bulks(&["d", "b"])
    );
    assert_eq!(cmd(&mut s, "SORT zset BY nosort LIMIT 5 10"), "*0\r\n");
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort LIMIT -10 100"),
        bulks(&["a", "c", "e", "b", "d"])
    );
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort DESC LIMIT 2 2"),
        bulks(&["e", "c"])
    );
    // Sorting a sorted set converts it to a skiplist, as Redis does.
    assert_eq!(cmd(&mut s, "OBJECT ENCODING zset"), "$8\r\nskiplist\r\n");
    cmd(&mut s, "ZADD z2 1 x");
    assert_eq!(cmd(&mut s, "OBJECT ENCODING z2"), "$8\r\nlistpack\r\n");
    assert_eq!(cmd(&mut s, "SORT_RO z2 ALPHA"), bulks(&["x"]));
    assert_eq!(cmd(&mut s, "OBJECT ENCODING z2"), "$8\r\nskiplist\r\n");
    assert_eq!(cmd(&mut s, "ZSCORE z2 x"), "$1\r\n1\r\n");
    // A constant BY stays "don't sort" even if a later BY has a '*'.
    assert_eq!(
        cmd(&mut s, "SORT zset BY nosort BY w_*"),
        bulks(&["a", "c", "e", "b", "d"])
    );
    // Sets: iteration order (an intset ascends), but sorted ALPHA when stored.
    cmd(&mut s, "SADD is 5 3 9 1");
    assert_eq!(
        cmd(&mut s, "SORT is BY nosort"),
        bulks(&["1", "3", "5", "9"])
    );
    cmd(
        &mut s,
        "SADD myset a b c d e f g h i l m n o p q r s t u v z aa aaa azz",
    );
    assert_eq!(cmd(&mut s, "SORT myset ALPHA BY _ STORE mylist"), int(24));
    assert_eq!(
        cmd(&mut s, "LRANGE mylist 0 -1"),
        bulks(&[
            "a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o",
            "p", "q", "r", "s", "t", "u", "v", "z",
        ])
    );
    assert_eq!(cmd(&mut s, "SORT is BY nosort DESC STORE d"), int(4));
    assert_eq!(cmd(&mut s, "LRANGE d 0 -1"), bulks(&["9", "5", "3", "1"]));
}

#[test]
fn alpha_compares_bytes() {
    let mut s = shard();
    cmd(&mut s, "RPUSH mylist 2 1 3 10");
    assert_eq!(
        cmd(&mut s, "SORT mylist ALPHA"),
        bulks(&["1", "10", "2", "3"])
    );
    cmd(&mut s, "ZADD zset 1 a 5 b 2 c 10 d 3 e");
    assert_eq!(
        cmd(&mut s, "SORT zset ALPHA DESC"),
        bulks(&["e", "d", "c", "b", "a"])
    );
    cmd(&mut s, "RPUSH w b a B ab");
    assert_eq!(cmd(&mut s, "SORT w ALPHA"), bulks(&["B", "a", "ab", "b"]));
    // Up to a NUL when replying (strcoll), whole strings when storing.
    runb(&mut s, &[b"RPUSH", b"n", b"a\0z", b"a\0b", b"a"]);
    assert_eq!(
        runb(&mut s, &[b"SORT", b"n", b"ALPHA"]),
        b"*3\r\n$3\r\na\0z\r\n$3\r\na\0b\r\n$1\r\na\r\n"
    );
    assert_eq!(cmd(&mut s, "SORT n ALPHA STORE ns"), int(3));
    assert_eq!(
        runb(&mut s, &[b"LRANGE", b"ns", b"0", b"-1"]),
        b"*3\r\n$1\r\na\r\n$3\r\na\0b\r\n$3\r\na\0z\r\n"
    );
    // BY ... ALPHA: missing values first, ties keep the list order.
    cmd(&mut s, "RPUSH l x y z q");
    cmd(&mut s, "SET k_x b");
    cmd(&mut s, "SET k_z a");
    assert_eq!(
        cmd(&mut s, "SORT l BY k_* ALPHA"),
        bulks(&["y", "q", "z", "x"])
    );
    assert_eq!(
        cmd(&mut s, "SORT l BY k_* ALPHA DESC"),
        bulks(&["x", "z", "y", "q"])
    );
    // ALPHA never fails on numbers.
    cmd(&mut s, "SADD bad 1 x");
    assert_eq!(cmd(&mut s, "SORT bad ALPHA"), bulks(&["1", "x"]));
}

#[test]
fn numbers_are_read_with_strtod() {
    let mut s = shard();
    let not_double = err(SCORE_NOT_DOUBLE);
    for (v, ok) in [
        ("0x10", true),
        ("\t7", true),
        ("", true),
        ("inf", true),
        ("-Infinity", true),
        (".5", true),
        ("5.", true),
        ("1e5", true),
        ("+5", true),
        ("2.2250738585072014e-308", true),
        ("nan", false),
        ("1e400", false),
        ("1e-400", false),
        ("1e-310", false),
        ("abc", false),
        ("7 ", false),
        (" ", false),
        ("1e", false),
        ("0x", false),
    ] {
        cmd(&mut s, "DEL l");
        run(&mut s, &["RPUSH", "l", "1", v]);
        let r = cmd(&mut s, "SORT l");
        assert_eq!(r == not_double, !ok, "{v:?}: {r}");
        run(&mut s, &["SET", "w_a", v]);
        cmd(&mut s, "DEL lb");
        cmd(&mut s, "RPUSH lb a");
        let r = cmd(&mut s, "SORT lb BY w_*");
        assert_eq!(r == not_double, !ok, "BY {v:?}: {r}");
    }
    // Text after a NUL is not looked at.
    runb(&mut s, &[b"RPUSH", b"z", b"3\0abc", b"2"]);
    assert_eq!(
        runb(&mut s, &[b"SORT", b"z"]),
        b"*2\r\n$1\r\n2\r\n$5\r\n3\0abc\r\n"
    );
    cmd(&mut s, "SADD myset 1 2 3 4 not-a-double");
    assert_eq!(cmd(&mut s, "SORT myset"), not_double);
    cmd(&mut s, "DEL myset");
    cmd(&mut s, "SADD myset 1 2 3 4");
    cmd(
        &mut s,
        "MSET score:1 10 score:2 20 score:3 30 score:4 not-a-double",
    );
    assert_eq!(cmd(&mut s, "SORT myset BY score:*"), not_double);
    // The error wins over STORE: nothing is stored.
    assert_eq!(cmd(&mut s, "SORT myset BY score:* STORE dst"), not_double);
    assert_eq!(cmd(&mut s, "EXISTS dst"), int(0));
    // "Don't sort" reads no numbers.
    assert_eq!(cmd(&mut s, "SORT myset BY nosort STORE dst"), int(4));
}

#[test]
fn errors() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l 3 1 2");
    let syntax = err(crate::error::SYNTAX);
    let not_int = err(crate::error::NOT_INTEGER);
    assert_eq!(cmd(&mut s, "SORT l foo"), syntax);
    assert_eq!(cmd(&mut s, "SORT l LIMIT 1"), syntax);
    assert_eq!(cmd(&mut s, "SORT l STORE"), syntax);
    assert_eq!(cmd(&mut s, "SORT l BY"), syntax);
    assert_eq!(cmd(&mut s, "SORT l GET"), syntax);
    assert_eq!(cmd(&mut s, "SORT l LIMIT a 1"), not_int);
    assert_eq!(cmd(&mut s, "SORT l LIMIT 1 1.5"), not_int);
    assert_eq!(cmd(&mut s, "SORT l LIMIT +1 1"), not_int);
    assert_eq!(cmd(&mut s, "SORT l LIMIT 9223372036854775808 1"), not_int);
    assert_eq!(cmd(&mut s, "SORT_RO l STORE x"), syntax);
    assert_eq!(cmd(&mut s, "SORT_RO foolist STORE bar"), syntax);
    assert_eq!(
        cmd(&mut s, "SORT"),
        err("ERR wrong number of arguments for 'sort' command")
    );
    // Options are checked before the key's type.
    cmd(&mut s, "SET str x");
    assert_eq!(cmd(&mut s, "SORT str foo"), syntax);
    assert_eq!(cmd(&mut s, "SORT str"), err(crate::error::WRONGTYPE));
    cmd(&mut s, "HSET h a b");
    assert_eq!(cmd(&mut s, "SORT h STORE d"), err(crate::error::WRONGTYPE));
    assert_eq!(cmd(&mut s, "SORT_RO h"), err(crate::error::WRONGTYPE));
    // Options are case-insensitive and may repeat.
    assert_eq!(
        cmd(&mut s, "SORT l ASC Desc ALPHA Limit 0 2"),
        bulks(&["3", "2"])
    );
    assert_eq!(cmd(&mut s, "SORT l LIMIT 0 1 LIMIT 1 1"), bulks(&["2"]));
}

#[test]
fn key_positions_follow_sort_get_keys() {
    let pos = |line: &str| {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        sort_key_positions(&args)
    };
    assert_eq!(pos("sort abc store def"), vec![1, 3]);
    assert_eq!(
        pos("sort abc store invalid store stillbad store def"),
        vec![1, 7]
    );
    assert_eq!(pos("sort abc"), vec![1]);
    assert_eq!(pos("sort abc store"), vec![1]);
    assert_eq!(pos("sort abc get store store x"), vec![1, 5]);
    assert_eq!(
        pos("sort abc by store limit store store store x"),
        vec![1, 8]
    );
    assert_eq!(pos("sort abc limit"), vec![1]);
    let def = crate::cmd::lookup(b"sort").expect("sort");
    assert!(def.flags.has(Flags::MOVABLEKEYS));
    assert_eq!(def.keys.triple(), (1, 1, 1));
    let ro = crate::cmd::lookup(b"sort_ro").expect("sort_ro");
    assert!(ro.flags.has(Flags::READONLY));
    let args: Vec<&[u8]> = vec![b"sort_ro", b"abc", b"store", b"x"];
    assert_eq!(ro.keys.positions(&args), vec![1]);
    // Never panics.
    let mut rng = crate::util::Rng::new(3);
    let words: [&[u8]; 6] = [b"store", b"limit", b"get", b"by", b"x", b"STORE"];
    for _ in 0..2000 {
        let n = (rng.next_u64() % 8) as usize;
        let mut args: Vec<&[u8]> = vec![b"sort"];
        args.extend((0..n).map(|_| words[(rng.next_u64() % 6) as usize]));
        for p in sort_key_positions(&args) {
            assert!(p < args.len().max(2));
        }
    }
}

#[test]
fn pattern_keys_lists_what_sort_reads() {
    let mut s = shard();
    cmd(&mut s, "RPUSH l b a");
    let keys = |s: &mut Shard, line: &str| -> Result<Vec<String>, OpError> {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        pattern_keys(s, 0, &args).map(|v| {
            v.into_iter()
                .map(|k| String::from_utf8(k).expect("utf-8 key"))
                .collect()
        })
    };
    assert_eq!(
        keys(
            &mut s,
            "SORT l BY w_* GET # GET h_*->f GET const LIMIT 0 1 STORE d"
        ),
        Ok(vec![
            "w_b".to_string(),
            "h_b".to_string(),
            "w_a".to_string(),
            "h_a".to_string()
        ])
    );
    // "Don't sort": no BY keys; repeats are listed once.
    assert_eq!(
        keys(&mut s, "SORT l BY nosort GET v_* GET v_*"),
        Ok(vec!["v_b".to_string(), "v_a".to_string()])
    );
    assert_eq!(keys(&mut s, "SORT l"), Ok(vec![]));
    assert_eq!(keys(&mut s, "SORT nokey BY w_*"), Ok(vec![]));
    assert_eq!(keys(&mut s, "SORT l LIMIT x 1"), Err(OpError::NotInteger));
    assert_eq!(keys(&mut s, "SORT_RO l STORE d"), Err(OpError::Syntax));
    cmd(&mut s, "SET str x");
    assert_eq!(keys(&mut s, "SORT str BY w_*"), Err(OpError::WrongType));
    // Reading the key for this counts nothing.
    cmd(&mut s, "ZADD z 1 m");
    assert_eq!(keys(&mut s, "SORT z BY w_*"), Ok(vec!["w_m".to_string()]));
    assert_eq!(cmd(&mut s, "OBJECT ENCODING z"), "$8\r\nlistpack\r\n");
    // A set with "don't sort" and STORE is sorted ALPHA without BY.
    cmd(&mut s, "SADD st x");
    assert_eq!(keys(&mut s, "SORT st BY k_* BY nosort STORE d"), Ok(vec![]));
}
