// Generated from a real Redis 7.0.15 by gen.py: every expected reply below is the
// byte-exact reply Redis gave to the same command sequence.
use crate::shard::Shard;
use crate::testkit::run_in;

#[test]
fn redis_0() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c"]
        ),
        ":3\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZADD", "z", "1", "a"]), ":0\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "CH", "5", "a", "6", "d"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "NX", "10", "a", "11", "e"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "XX", "10", "a", "11", "f"]),
        ":0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "XX", "CH", "20", "a", "20", "b"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "GT", "CH", "1", "a", "30", "b"]
        ),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "LT", "CH", "100", "a", "1", "b"]
        ),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "XX", "GT", "CH", "1000", "c"]
        ),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "NX", "XX", "1", "a"]),
        "-ERR XX and NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "NX", "GT", "1", "a"]),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "GT", "LT", "1", "a"]),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "NX", "LT", "1", "a"]),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "1", "a", "2", "b"]),
        "-ERR INCR option supports a single increment-element pair\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "1"]),
        "-ERR wrong number of arguments for 'zadd' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "1", "a", "2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "NX"]),
        "-ERR wrong number of arguments for 'zadd' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "abc", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "nan", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "1", "a", "x", "b"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", " 1", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "1e400", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "0x10", "hex"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "+inf", "pinf", "-inf", "ninf"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1.5", "fl", "-0", "negz", "1e20", "big", "0.1", "tenth"]
        ),
        ":4\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]), "*24\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$4\r\nnegz\r\n$1\r\n0\r\n$5\r\ntenth\r\n$19\r\n0.10000000000000001\r\n$1\r\nb\r\n$1\r\n1\r\n$2\r\nfl\r\n$3\r\n1.5\r\n$1\r\nd\r\n$1\r\n6\r\n$1\r\ne\r\n$2\r\n11\r\n$3\r\nhex\r\n$2\r\n16\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nc\r\n$4\r\n1000\r\n$3\r\nbig\r\n$5\r\n1e+20\r\n$4\r\npinf\r\n$3\r\ninf\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZCARD", "z"]), ":12\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "5", "a"]),
        "$2\r\n25\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "NX", "5", "a"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "XX", "5", "zz"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "GT", "-5", "a"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "LT", "-5", "a"]),
        "$2\r\n20\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "+inf", "pinf"]),
        "$3\r\ninf\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "INCR", "-inf", "pinf"]),
        "-ERR resulting score is not a number (NaN)\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "z", "pinf"]),
        "$3\r\ninf\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "nokey", "XX", "1", "a"]),
        ":0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "nokey"]), ":0\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "nokey", "XX", "INCR", "1", "a"]),
        "$-1\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["SET", "str", "x"]), "+OK\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "str", "1", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "str", "abc", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCARD", "str"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINCRBY", "z", "1", "a"]),
        "$2\r\n21\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINCRBY", "z", "1", "newm"]),
        "$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINCRBY", "z", "abc", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINCRBY", "z", "nx", "a"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINCRBY", "z2", "-1.5", "m"]),
        "$4\r\n-1.5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINCRBY", "z", "+inf", "ninf"]),
        "-ERR resulting score is not a number (NaN)\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "z", "a"]),
        "$2\r\n21\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "z", "nope"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "nokey", "a"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMSCORE", "z", "a", "nope", "b"]),
        "*3\r\n$2\r\n21\r\n$-1\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMSCORE", "nokey", "a", "b"]),
        "*2\r\n$-1\r\n$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMSCORE", "str", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}

#[test]
fn redis_1() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZADD", "z", "1", "a", "2.5", "b", "inf", "c"]
        ),
        ":3\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZSCORE", "z", "b"]), ",2.5\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["ZSCORE", "z", "c"]), ",inf\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["ZSCORE", "z", "q"]), "_\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZMSCORE", "z", "a", "q"]),
        "*2\r\n,1\r\n_\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "z", "INCR", "1", "a"]),
        ",2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "z", "INCR", "NX", "1", "a"]),
        "_\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZINCRBY", "z", "0.1", "b"]),
        ",2.6000000000000001\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]), "*3\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,2.6000000000000001\r\n*2\r\n$1\r\nc\r\n,inf\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANGE", "z", "0", "-1"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZRANK", "z", "q"]), "_\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["ZRANK", "z", "b"]), ":1\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZPOPMIN", "z"]),
        "*2\r\n$1\r\na\r\n,2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZPOPMIN", "z", "2"]),
        "*2\r\n*2\r\n$1\r\nb\r\n,2.6000000000000001\r\n*2\r\n$1\r\nc\r\n,inf\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZPOPMAX", "z", "5"]), "*0\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["ZPOPMIN", "z"]), "*0\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["ZPOPMIN", "z", "1"]), "*0\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "z", "1", "a", "2", "b"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"]
        ),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZREVRANGE", "z", "0", "-1", "WITHSCORES"]
        ),
        "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZUNION", "1", "z", "WITHSCORES"]),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZDIFF", "1", "z", "WITHSCORES"]),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZINTER", "1", "z", "WITHSCORES"]),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZMPOP", "1", "z", "MIN"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZMPOP", "1", "z", "MAX", "COUNT", "10"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZMPOP", "1", "z", "MAX"]),
        "_\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "z", "1", "a", "2", "b"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["BZPOPMIN", "z", "0"]),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["BZMPOP", "0", "1", "z", "MIN", "COUNT", "3"]
        ),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZRANDMEMBER", "nokey"]), "_\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANDMEMBER", "nokey", "3"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZRANDMEMBER", "nokey", "3", "WITHSCORES"]
        ),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "one", "5", "m"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANDMEMBER", "one", "1", "WITHSCORES"]),
        "*1\r\n*2\r\n$1\r\nm\r\n,5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANDMEMBER", "one", "-3", "WITHSCORES"]),
        "*3\r\n*2\r\n$1\r\nm\r\n,5\r\n*2\r\n$1\r\nm\r\n,5\r\n*2\r\n$1\r\nm\r\n,5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANDMEMBER", "one", "5", "WITHSCORES"]),
        "*1\r\n*2\r\n$1\r\nm\r\n,5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANDMEMBER", "one", "0", "WITHSCORES"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZSCAN", "one", "0"]),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nm\r\n$1\r\n5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZSCAN", "nokey", "0"]),
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
}

#[test]
fn redis_2() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f", "5", "g"]
        ),
        ":7\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1"]),
        "*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "1", "3", "WITHSCORES"]),
        "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "-2", "-1"]),
        "*2\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "5", "2"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "-100", "100"]),
        "*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "10", "20"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1", "REV"]),
        "*7\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"]
        ),
        "*4\r\n$1\r\ng\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1", "LIMIT", "0", "2"]), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "x", "1"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "1", "FOO"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "(1", "5", "BYSCORE"]),
        "*6\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "5", "(1", "BYSCORE", "REV"]
        ),
        "*6\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"]
        ),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1", "WITHSCORES"]), "*12\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ng\r\n$1\r\n5\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"]
        ),
        "*0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "100", "2"]
        ),
        "*0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"]
        ),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "[b", "[e", "BYLEX"]),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "[e", "[b", "BYLEX", "REV"]
        ),
        "*4\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"]
        ),
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "1", "1"]
        ),
        "*1\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "a", "b", "BYLEX"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "a", "b", "BYSCORE"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "1", "REV", "REV"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "1", "LIMIT", "1"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "0", "1", "LIMIT", "a", "1", "BYSCORE"]
        ),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "2", "4"]),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGEBYSCORE", "z", "(2", "(5", "WITHSCORES"]
        ),
        "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "2", "3"]
        ),
        "*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "5", "1"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "x", "1"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "1", "2", "REV"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "", "("]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "(1", "(1"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREVRANGEBYSCORE", "z", "4", "2"]),
        "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &[
                "ZREVRANGEBYSCORE",
                "z",
                "+inf",
                "-inf",
                "WITHSCORES",
                "LIMIT",
                "1",
                "2"
            ]
        ),
        "*4\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREVRANGEBYSCORE", "z", "2", "4"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "-", "+"]),
        "*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "(a", "[c"]),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "[c", "(a"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "a", "+"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"]
        ),
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGEBYLEX", "z", "-", "+", "LIMIT", "2", "2"]
        ),
        "*2\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREVRANGEBYLEX", "z", "+", "-"]),
        "*7\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZREVRANGEBYLEX", "z", "[e", "(b", "LIMIT", "1", "10"]
        ),
        "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREVRANGE", "z", "0", "2"]),
        "*3\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZREVRANGE", "z", "1", "-1", "WITHSCORES"]), "*12\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"]), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREVRANGE", "z", "0", "1", "REV"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "nokey", "0", "-1"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "nokey", "0", "-1", "WITHSCORES"]
        ),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "nokey", "x", "1"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["SET", "str", "v"]), "+OK\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "str", "0", "-1"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "str", "0", "1"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "str", "x", "1"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "2", "5"]),
        ":6\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "(2", "(5"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "5", "2"]),
        ":0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "-inf", "+inf"]),
        ":7\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "x", "2"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "nokey", "0", "1"]),
        ":0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "str", "0", "1"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZLEXCOUNT", "z", "-", "+"]),
        ":7\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZLEXCOUNT", "z", "[b", "(e"]),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZLEXCOUNT", "z", "b", "(e"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZLEXCOUNT", "nokey", "-", "+"]),
        ":0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANK", "z", "a"]), ":0\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZRANK", "z", "g"]), ":6\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZREVRANK", "z", "a"]), ":6\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREVRANK", "z", "zz"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANK", "nokey", "a"]),
        "$-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANK", "str", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}

#[test]
fn redis_3() {
    let mut s = Shard::for_tests(1_000_000);
    s.config.encodings.zset_max_listpack_entries = 2;
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f", "5", "g"]
        ),
        ":7\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1"]),
        "*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "1", "3", "WITHSCORES"]),
        "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "-2", "-1"]),
        "*2\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1", "REV"]),
        "*7\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "2", "4", "REV", "WITHSCORES"]
        ),
        "*6\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "(1", "5", "BYSCORE"]),
        "*6\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "5", "(1", "BYSCORE", "REV"]
        ),
        "*6\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"]
        ),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "[b", "[e", "BYLEX"]),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "[e", "[b", "BYLEX", "REV"]
        ),
        "*4\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "1", "1"]
        ),
        "*1\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &[
                "ZREVRANGEBYSCORE",
                "z",
                "+inf",
                "-inf",
                "WITHSCORES",
                "LIMIT",
                "1",
                "2"
            ]
        ),
        "*4\r\n$1\r\nf\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n5\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZREVRANGEBYLEX", "z", "[e", "(b", "LIMIT", "1", "10"]
        ),
        "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "2", "5"]),
        ":6\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZCOUNT", "z", "(2", "(5"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZLEXCOUNT", "z", "[b", "(e"]),
        ":3\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANK", "z", "e"]), ":4\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZREVRANK", "z", "e"]), ":2\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "z", "f"]),
        "$1\r\n5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "z", "1", "2"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1"]),
        "*5\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYSCORE", "z", "(4", "5"]),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1"]),
        "*2\r\n$1\r\na\r\n$1\r\nd\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYLEX", "z", "-", "[a"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        "*2\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZREM", "z", "d", "x"]), ":1\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "z"]), ":0\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZADD", "z", "1", "q"]), ":1\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "z", "1"]),
        "*2\r\n$1\r\nq\r\n$1\r\n1\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZPOPMAX", "z"]), "*0\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "z"]), ":0\r\n");
}

#[test]
fn redis_4() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"]
        ),
        ":5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREM", "z", "a", "x", "b"]),
        ":2\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZREM", "z", "x"]), ":0\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZREM", "nokey", "a"]), ":0\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["SET", "str", "v"]), "+OK\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREM", "str", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "z", "0", "0"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "z", "5", "10"]),
        ":0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "z", "x", "1"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "nokey", "0", "1"]),
        ":0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "str", "0", "1"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "z", "-1", "-1"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1"]),
        "*1\r\n$1\r\nd\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYRANK", "z", "-10", "10"]),
        ":1\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "z"]), ":0\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"]
        ),
        ":5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYSCORE", "z", "x", "1"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYSCORE", "z", "(1", "2"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYSCORE", "z", "5", "1"]),
        ":0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYSCORE", "nokey", "x", "1"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYLEX", "z", "x", "+"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYLEX", "z", "[d", "+"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1"]),
        "*2\r\n$1\r\na\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREMRANGEBYLEX", "z", "-", "+"]),
        ":2\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "z"]), ":0\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREM", "str"]),
        "-ERR wrong number of arguments for 'zrem' command\r\n"
    );
}

#[test]
fn redis_5() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]
        ),
        ":4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "z"]),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMAX", "z"]),
        "*2\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZPOPMIN", "z", "0"]), "*0\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "z", "-1"]),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "z", "x"]),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "z", "1", "2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZPOPMIN", "nokey"]), "*0\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "nokey", "0"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMAX", "z", "10"]),
        "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "z"]), ":0\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["SET", "str", "v"]), "+OK\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "str"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZPOPMIN", "str", "0"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]
        ),
        ":4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MAX", "COUNT", "2"]),
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "5"]
        ),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN"]),
        "*-1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "0", "z", "MIN"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "-1", "z", "MIN"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "x", "z", "MIN"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "3", "z", "MIN"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MID"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN", "COUNT", "0"]),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN", "COUNT", "-1"]),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN", "COUNT", "x"]),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN", "COUNT"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "z", "MIN", "FOO"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "1", "str", "MIN"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZMPOP", "2", "nokey", "str", "MIN"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZADD", "z", "1", "a"]), ":1\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["BZPOPMIN", "nokey", "z", "0"]),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "z", "1", "a", "2", "b"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZPOPMAX", "z", "0.5"]),
        "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZPOPMIN", "z", "x"]),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZPOPMIN", "z", "-1"]),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZPOPMIN", "str", "0"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZMPOP", "0", "1", "z", "MAX"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZMPOP", "x", "1", "z", "MAX"]),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZMPOP", "0", "0", "z", "MAX"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZMPOP", "-1", "1", "z", "MAX"]),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZMPOP", "0", "1", "z", "MAXX"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["BZMPOP", "1", "1", "str", "MIN"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}

#[test]
fn redis_6() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]
        ),
        ":4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZPOPMIN", "z"]),
        "*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZPOPMAX", "z", "1"]),
        "*1\r\n*2\r\n$1\r\nd\r\n,4\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZPOPMIN", "z", "0"]), "*0\r\n");
    assert_eq!(run_in(&mut s, 0, true, &["ZPOPMIN", "nokey"]), "*0\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZMPOP", "1", "z", "MIN", "COUNT", "5"]),
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZMPOP", "1", "z", "MIN"]),
        "_\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "z", "1.5", "a"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["BZPOPMAX", "z", "0"]),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n,1.5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZADD", "z", "1.5", "a"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["BZMPOP", "1", "1", "z", "MIN"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n"
    );
}

#[test]
fn redis_7() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z1", "1", "a", "2", "b", "3", "c"]
        ),
        ":3\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z2", "1", "b", "2", "c", "3", "d"]
        ),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["SADD", "s", "a", "d", "x"]),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["SADD", "si", "1", "2"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "zi", "5", "1", "6", "3"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "z2"]),
        "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\nc\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "z2", "WITHSCORES"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n5\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZUNION", "3", "z1", "z2", "s", "WITHSCORES"]), "*10\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n5\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "z2", "WEIGHTS", "2", "3", "WITHSCORES"]), "*8\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n7\r\n$1\r\nd\r\n$1\r\n9\r\n$1\r\nc\r\n$2\r\n12\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "z2", "AGGREGATE", "MIN", "WITHSCORES"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n$1\r\nd\r\n$1\r\n3\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "z2", "AGGREGATE", "MAX", "WITHSCORES"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n3\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZUNION", "2", "z1", "z2", "AGGREGATE", "FOO"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZUNION", "2", "z1", "z2", "WEIGHTS", "1"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "x"]
        ),
        "-ERR weight value is not a float\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "2", "3"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "-1", "z1"]),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "x", "z1"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "3", "z1", "z2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "1", "nokey"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "2", "si", "zi", "WITHSCORES"]),
        "*6\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n6\r\n$1\r\n3\r\n$1\r\n6\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTER", "2", "z1", "z2", "WITHSCORES"]),
        "*4\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n5\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTER", "3", "z1", "z2", "s"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTER", "2", "z1", "s", "WITHSCORES"]),
        "*2\r\n$1\r\na\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &[
                "ZINTER",
                "2",
                "z1",
                "z2",
                "WEIGHTS",
                "2",
                "3",
                "AGGREGATE",
                "MAX",
                "WITHSCORES"
            ]
        ),
        "*4\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n6\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTER", "2", "z1", "nokey"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTER", "2", "z1", "z1", "WITHSCORES"]),
        "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n6\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTER", "2", "si", "zi", "WITHSCORES"]),
        "*2\r\n$1\r\n1\r\n$1\r\n6\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZDIFF", "2", "z1", "z2", "WITHSCORES"]),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZDIFF", "2", "z1", "s"]),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZDIFF", "1", "nokey"]), "*0\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZDIFF", "2", "z1", "z2", "WEIGHTS", "1", "1"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZDIFF", "2", "z1", "z2", "AGGREGATE", "SUM"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERCARD", "2", "z1", "z2"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTERCARD", "2", "z1", "z2", "LIMIT", "1"]
        ),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTERCARD", "2", "z1", "z2", "LIMIT", "0"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTERCARD", "2", "z1", "z2", "LIMIT", "-1"]
        ),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTERCARD", "2", "z1", "z2", "LIMIT", "x"]
        ),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERCARD", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zintercard' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERCARD", "3", "z1", "z2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERCARD", "1", "z1", "WITHSCORES"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTERCARD", "2", "z1", "z2", "WEIGHTS", "1", "1"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["SET", "str", "v"]), "+OK\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "str"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNION", "2", "z1", "str", "FOO"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERCARD", "2", "z1", "str"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNIONSTORE", "dst", "2", "z1", "z2"]),
        ":4\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGE", "dst", "0", "-1", "WITHSCORES"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n5\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTERSTORE", "dst", "2", "z1", "z2", "WEIGHTS", "1", "-1"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
        ),
        "*4\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZDIFFSTORE", "dst", "2", "z1", "z2"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
        ),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZDIFFSTORE", "dst", "2", "z1", "z1"]),
        ":0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "dst"]), ":0\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZUNIONSTORE", "dst", "2", "z1", "z2", "WITHSCORES"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNIONSTORE", "str", "1", "z1"]),
        ":3\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["TYPE", "str"]), "+zset\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERSTORE", "str", "1", "nokey"]),
        ":0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "str"]), ":0\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNIONSTORE", "dst", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zunionstore' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERSTORE", "dst", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zinterstore' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZDIFFSTORE", "dst", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zdiffstore' command\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "inf1", "inf", "a"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "inf2", "-inf", "a"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZUNION", "2", "inf1", "inf2", "WITHSCORES"]
        ),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZINTER", "2", "inf1", "inf2", "WITHSCORES"]
        ),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &[
                "ZUNION",
                "2",
                "inf1",
                "inf2",
                "WEIGHTS",
                "0",
                "0",
                "WITHSCORES"
            ]
        ),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "z1", "0", "-1"]),
        ":3\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
        ),
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "z1", "1", "0"]),
        ":0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["EXISTS", "dst"]), ":0\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGESTORE", "dst", "z1", "[b", "+", "BYLEX", "REV"]
        ),
        ":0\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGESTORE", "dst", "z1", "+", "[b", "BYLEX", "REV"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
        ),
        "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &[
                "ZRANGESTORE",
                "dst",
                "z1",
                "(1",
                "inf",
                "BYSCORE",
                "LIMIT",
                "0",
                "1"
            ]
        ),
        ":1\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
        ),
        "*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGESTORE", "dst", "z1", "0", "-1", "WITHSCORES"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGESTORE", "dst", "nokey", "0", "-1"]
        ),
        ":0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "str", "0", "-1"]),
        ":0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "z1", "0", "-1", "LIMIT", "0", "1"]), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
}

#[test]
fn redis_8() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZADD", "z1", "1", "a", "2", "b", "3", "c"]
        ),
        ":3\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &["ZADD", "z2", "1", "b", "2", "c", "3", "d"]
        ),
        ":3\r\n"
    );
    assert_eq!(run_in(&mut s, 0, true, &["ZUNION", "2", "z1", "z2", "WITHSCORES"]), "*4\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,3\r\n*2\r\n$1\r\nd\r\n,3\r\n*2\r\n$1\r\nc\r\n,5\r\n");
    assert_eq!(
        run_in(&mut s, 0, true, &["ZINTER", "2", "z1", "z2"]),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZDIFF", "2", "z1", "z2", "WITHSCORES"]),
        "*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANGE", "z1", "0", "-1", "WITHSCORES"]),
        "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, true, &["ZRANGEBYLEX", "z1", "-", "+"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            true,
            &[
                "ZRANGE",
                "z1",
                "0",
                "-1",
                "BYSCORE",
                "WITHSCORES",
                "LIMIT",
                "1",
                "1"
            ]
        ),
        "*0\r\n"
    );
}

#[test]
fn redis_9() {
    let mut s = Shard::for_tests(1_000_000);
    s.config.encodings.zset_max_listpack_entries = 3;
    s.config.encodings.zset_max_listpack_value = 5;
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "z", "1", "a", "2", "b", "3", "c"]
        ),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZADD", "z", "4", "d"]), ":1\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZREM", "z", "a", "b", "c"]),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "z"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "y", "1", "abcdef"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "y"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "x", "1", "abcde"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "x"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "x", "1", "abcdef"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "x"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZADD", "w", "1", "a", "2", "abcdefgh"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "w"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZADD", "big", "1", "a", "2", "b", "3", "c", "4", "d"]
        ),
        ":4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNIONSTORE", "dst", "1", "big"]),
        ":4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "big", "0", "2"]),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "big", "0", "3"]),
        ":4\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGESTORE", "dst", "big", "-inf", "3", "BYSCORE"]
        ),
        ":3\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZINTERSTORE", "dst", "2", "big", "w"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNIONSTORE", "dst", "1", "w"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "w", "0", "0"]),
        ":1\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nlistpack\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "w", "0", "-1"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
    s.config.encodings.zset_max_listpack_entries = 0;
    assert_eq!(run_in(&mut s, 0, false, &["ZADD", "e", "1", "a"]), ":1\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "e"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZUNIONSTORE", "dst", "1", "x"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGESTORE", "dst", "x", "0", "-1"]),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANGESTORE", "dst", "x", "-inf", "inf", "BYSCORE"]
        ),
        ":2\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["OBJECT", "ENCODING", "dst"]),
        "$8\r\nskiplist\r\n"
    );
}

#[test]
fn redis_10() {
    let mut s = Shard::for_tests(1_000_000);
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &[
                "ZADD",
                "z",
                "0.1",
                "a",
                "1e-5",
                "b",
                "123456789012345678",
                "c",
                "-1.5e-10",
                "d",
                "3.0",
                "e",
                "1e17",
                "f",
                "4611686018427387904",
                "g",
                "4611686018427387903",
                "h",
                "9007199254740993",
                "i"
            ]
        ),
        ":9\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGE", "z", "0", "-1", "WITHSCORES"]), "*18\r\n$1\r\nd\r\n$8\r\n-1.5e-10\r\n$1\r\nb\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\ne\r\n$1\r\n3\r\n$1\r\ni\r\n$16\r\n9007199254740992\r\n$1\r\nf\r\n$5\r\n1e+17\r\n$1\r\nc\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\ng\r\n$22\r\n4.6116860184273879e+18\r\n$1\r\nh\r\n$22\r\n4.6116860184273879e+18\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZSCAN", "z", "0"]), "*2\r\n$1\r\n0\r\n*18\r\n$1\r\nd\r\n$8\r\n-1.5e-10\r\n$1\r\nb\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\ne\r\n$1\r\n3\r\n$1\r\ni\r\n$16\r\n9007199254740992\r\n$1\r\nf\r\n$18\r\n100000000000000000\r\n$1\r\nc\r\n$18\r\n123456789012345680\r\n$1\r\ng\r\n$19\r\n4611686018427387904\r\n$1\r\nh\r\n$19\r\n4611686018427387904\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "z", "c"]),
        "$22\r\n1.2345678901234568e+17\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCORE", "z", "g"]),
        "$22\r\n4.6116860184273879e+18\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "0x1", "+inf"]),
        "*6\r\n$1\r\ne\r\n$1\r\ni\r\n$1\r\nf\r\n$1\r\nc\r\n$1\r\ng\r\n$1\r\nh\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", " 1", "+inf"]),
        "*6\r\n$1\r\ne\r\n$1\r\ni\r\n$1\r\nf\r\n$1\r\nc\r\n$1\r\ng\r\n$1\r\nh\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "1 ", "+inf"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "nan", "+inf"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "(nan", "+inf"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "((1", "+inf"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "1e400", "+inf"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYSCORE", "z", "-1e400", "-1"]),
        "*0\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "[", "+"]), "*9\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\ne\r\n$1\r\ni\r\n$1\r\nf\r\n$1\r\nc\r\n$1\r\ng\r\n$1\r\nh\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "(", "+"]), "*9\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\ne\r\n$1\r\ni\r\n$1\r\nf\r\n$1\r\nc\r\n$1\r\ng\r\n$1\r\nh\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "+", "-"]),
        "*0\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "-a", "+"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANGEBYLEX", "z", "", "+"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "z", "0", "MATCH", "a*"]),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "z", "0", "COUNT", "0"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "z", "0", "COUNT", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "z", "x"]),
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "z", "0", "FOO", "1"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "z", "0", "COUNT"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANDMEMBER", "z", "-9223372036854775808"]), "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"]
        ),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"]
        ),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANDMEMBER", "z", "1", "FOO"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(
            &mut s,
            0,
            false,
            &["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"]
        ),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANDMEMBER", "z", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(run_in(&mut s, 0, false, &["ZRANDMEMBER", "z", "20", "WITHSCORES"]), "*18\r\n$1\r\nh\r\n$22\r\n4.6116860184273879e+18\r\n$1\r\ng\r\n$22\r\n4.6116860184273879e+18\r\n$1\r\nc\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nf\r\n$5\r\n1e+17\r\n$1\r\ni\r\n$16\r\n9007199254740992\r\n$1\r\ne\r\n$1\r\n3\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\nb\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\nd\r\n$8\r\n-1.5e-10\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["ZRANDMEMBER", "z", "9", "WITHSCORES"]), "*18\r\n$1\r\nh\r\n$22\r\n4.6116860184273879e+18\r\n$1\r\ng\r\n$22\r\n4.6116860184273879e+18\r\n$1\r\nc\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nf\r\n$5\r\n1e+17\r\n$1\r\ni\r\n$16\r\n9007199254740992\r\n$1\r\ne\r\n$1\r\n3\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\nb\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\nd\r\n$8\r\n-1.5e-10\r\n");
    assert_eq!(run_in(&mut s, 0, false, &["SET", "str", "v"]), "+OK\r\n");
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANDMEMBER", "str"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZRANDMEMBER", "str", "1"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        run_in(&mut s, 0, false, &["ZSCAN", "str", "0"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}
