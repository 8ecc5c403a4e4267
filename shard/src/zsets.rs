//! The sorted-set family: ZADD, ZINCRBY, ZREM, ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE,
//! ZRANK, ZREVRANK, the ZRANGE family (ZRANGE, ZRANGESTORE, ZRANGEBYSCORE, ZRANGEBYLEX,
//! ZREVRANGE, ZREVRANGEBYSCORE, ZREVRANGEBYLEX), ZREMRANGEBYRANK/SCORE/LEX, ZPOPMIN, ZPOPMAX,
//! ZMPOP, ZRANDMEMBER, ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD, ZSCAN, and the
//! blocking BZPOPMIN, BZPOPMAX and BZMPOP.
//!
//! The value type ([`ZSet`], in [`zset`]) keeps Redis 7.0's two encodings, `listpack` and
//! `skiplist`; [`num`] reads and writes numbers exactly as Redis does (C `strtod`, `%.17g`),
//! and [`skiplist`] is the ordered index of big sets. The GEO commands ([`crate::geo`]) are
//! built on the same type.
//!
//! Multi-key commands are written as if every key were on this shard; when keys span shards the
//! server gathers the entries onto one shard and runs the same op (`CoordCmd::Gather`).
//! Blocking commands are tries: they serve from the first non-empty key or return
//! [`OpError::Block`] having written nothing.

pub mod num;
pub mod skiplist;
pub mod zset;

use std::collections::{HashMap, HashSet};

use corekv_proto::RespWriter;

use crate::args;
use crate::cmd::{def, keys, Acl, BlockTimeout, CommandDef, Flags, Keys};
use crate::cmd::{gather, single};
use crate::db::Db;
use crate::error::{OpError, OpResult, POSITIVE_COUNT};
use crate::keys::parse_scan_cursor;
use crate::listpack::LpItem;
use crate::shard::{Cx, Encodings, Shard};
use crate::util::{glob_match, parse_i64_strict, Rng};
use crate::value::Value;

use num::{parse_score, parse_timeout, LexRange, ScoreRange};
pub use zset::{item_bytes, AddFlags, Added, Pos, ZSet};

pub const NAN_SCORE: &str = "ERR resulting score is not a number (NaN)";
pub const XX_NX: &str = "ERR XX and NX options at the same time are not compatible";
pub const GT_LT_NX: &str = "ERR GT, LT, and/or NX options at the same time are not compatible";
pub const INCR_PAIR: &str = "ERR INCR option supports a single increment-element pair";
pub const WEIGHT_NOT_FLOAT: &str = "ERR weight value is not a float";
pub const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";
pub const LIMIT_ONLY_BY: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
pub const WITHSCORES_BYLEX: &str =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
pub const NUMKEYS_POSITIVE: &str = "ERR numkeys should be greater than 0";
pub const COUNT_POSITIVE: &str = "ERR count should be greater than 0";
pub const OUT_OF_RANGE: &str = "ERR value is out of range";
pub const RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// ZRANDMEMBER with a negative count whose reply would outgrow `proto-max-bulk-len`. Redis has
/// no such limit (it writes until the client's output buffer limit closes the connection); we
/// refuse rather than build a reply that could exhaust memory.
pub const RANDMEMBER_TOO_BIG: &str =
    "ERR ZRANDMEMBER reply would exceed proto-max-bulk-len, use a smaller count";

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const MOVABLE: Flags = Flags::MOVABLEKEYS;
const Z: Acl = Acl::SORTEDSET;

const fn numkeys_at1() -> Keys {
    Keys::Custom {
        first: 0,
        last: 0,
        step: 0,
        find: keys_after_numkeys_1,
    }
}

const fn store_numkeys() -> Keys {
    Keys::Custom {
        first: 1,
        last: 1,
        step: 1,
        find: keys_store_numkeys,
    }
}

const LOG_RANGE: &str = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";

pub static COMMANDS: [CommandDef; 35] = [
    def("zadd", -4, W.or(DENYOOM).or(FAST), Z, keys(1, 1, 1), single(zadd), "sorted_set", "1.2.0",
        "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        "Adds members with scores to a sorted set (or updates their scores), creating it if needed."),
    def("zincrby", 4, W.or(DENYOOM).or(FAST), Z, keys(1, 1, 1), single(zincrby), "sorted_set", "1.2.0",
        "O(log(N)) where N is the number of elements in the sorted set.",
        "Adds an increment to a member's score and replies with the new score."),
    def("zrem", -3, W.or(FAST), Z, keys(1, 1, 1), single(zrem), "sorted_set", "1.2.0",
        "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
        "Removes members from a sorted set and replies how many were there."),
    def("zcard", 2, R.or(FAST), Z, keys(1, 1, 1), single(zcard), "sorted_set", "1.2.0", "O(1)",
        "Replies with the number of members of a sorted set."),
    def("zcount", 4, R.or(FAST), Z, keys(1, 1, 1), single(zcount), "sorted_set", "2.0.0",
        "O(log(N)) with N being the number of elements in the sorted set.",
        "Counts the members whose scores fall in a range."),
    def("zlexcount", 4, R.or(FAST), Z, keys(1, 1, 1), single(zlexcount), "sorted_set", "2.8.9",
        "O(log(N)) with N being the number of elements in the sorted set.",
        "Counts the members between two strings, for a set whose scores are all equal."),
    def("zscore", 3, R.or(FAST), Z, keys(1, 1, 1), single(zscore), "sorted_set", "1.2.0", "O(1)",
        "Replies with the score of one member."),
    def("zmscore", -3, R.or(FAST), Z, keys(1, 1, 1), single(zmscore), "sorted_set", "6.2.0",
        "O(N) where N is the number of members being requested.",
        "Replies with the scores of several members."),
    def("zrank", 3, R.or(FAST), Z, keys(1, 1, 1), single(zrank), "sorted_set", "2.0.0", "O(log(N))",
        "Replies with a member's position counted from the lowest score."),
    def("zrevrank", 3, R.or(FAST), Z, keys(1, 1, 1), single(zrevrank), "sorted_set", "2.0.0", "O(log(N))",
        "Replies with a member's position counted from the highest score."),
    def("zrange", -4, R, Z, keys(1, 1, 1), single(zrange), "sorted_set", "1.2.0", LOG_RANGE,
        "Replies with the members in a range of ranks, scores or strings."),
    def("zrangestore", -5, W.or(DENYOOM), Z, keys(1, 2, 1), gather(zrangestore), "sorted_set", "6.2.0", LOG_RANGE,
        "Stores a range of a sorted set in another key."),
    def("zrangebyscore", -4, R, Z, keys(1, 1, 1), single(zrangebyscore), "sorted_set", "1.0.5", LOG_RANGE,
        "Replies with the members whose scores fall in a range, lowest first."),
    def("zrangebylex", -4, R, Z, keys(1, 1, 1), single(zrangebylex), "sorted_set", "2.8.9", LOG_RANGE,
        "Replies with the members between two strings, for a set whose scores are all equal."),
    def("zrevrange", -4, R, Z, keys(1, 1, 1), single(zrevrange), "sorted_set", "1.2.0", LOG_RANGE,
        "Replies with a range of members counted from the highest score."),
    def("zrevrangebyscore", -4, R, Z, keys(1, 1, 1), single(zrevrangebyscore), "sorted_set", "2.2.0", LOG_RANGE,
        "Replies with the members whose scores fall in a range, highest first."),
    def("zrevrangebylex", -4, R, Z, keys(1, 1, 1), single(zrevrangebylex), "sorted_set", "2.8.9", LOG_RANGE,
        "Replies with the members between two strings in reverse order."),
    def("zremrangebyrank", 4, W, Z, keys(1, 1, 1), single(zremrangebyrank), "sorted_set", "2.0.0",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        "Removes the members in a range of ranks."),
    def("zremrangebyscore", 4, W, Z, keys(1, 1, 1), single(zremrangebyscore), "sorted_set", "1.2.0",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        "Removes the members whose scores fall in a range."),
    def("zremrangebylex", 4, W, Z, keys(1, 1, 1), single(zremrangebylex), "sorted_set", "2.8.9",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        "Removes the members between two strings, for a set whose scores are all equal."),
    def("zpopmin", -2, W.or(FAST), Z, keys(1, 1, 1), single(zpopmin), "sorted_set", "5.0.0",
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        "Removes and replies with the members of lowest score."),
    def("zpopmax", -2, W.or(FAST), Z, keys(1, 1, 1), single(zpopmax), "sorted_set", "5.0.0",
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        "Removes and replies with the members of highest score."),
    def("zmpop", -4, W.or(MOVABLE), Z, numkeys_at1(), gather(zmpop), "sorted_set", "7.0.0",
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        "Pops members of lowest or highest score from the first non-empty of several sorted sets."),
    def("zrandmember", -2, R, Z, keys(1, 1, 1), single(zrandmember), "sorted_set", "6.2.0",
        "O(N) where N is the number of elements returned",
        "Replies with random members of a sorted set, optionally with their scores."),
    def("zunion", -3, R.or(MOVABLE), Z, numkeys_at1(), gather(zunion), "sorted_set", "6.2.0",
        "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        "Replies with the union of sorted sets (and sets)."),
    def("zinter", -3, R.or(MOVABLE), Z, numkeys_at1(), gather(zinter), "sorted_set", "6.2.0",
        "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        "Replies with the intersection of sorted sets (and sets)."),
    def("zdiff", -3, R.or(MOVABLE), Z, numkeys_at1(), gather(zdiff), "sorted_set", "6.2.0",
        "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        "Replies with the members of the first sorted set missing from the others."),
    def("zunionstore", -4, W.or(DENYOOM).or(MOVABLE), Z, store_numkeys(), gather(zunionstore), "sorted_set", "2.0.0",
        "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        "Stores the union of sorted sets (and sets) in a key."),
    def("zinterstore", -4, W.or(DENYOOM).or(MOVABLE), Z, store_numkeys(), gather(zinterstore), "sorted_set", "2.0.0",
        "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        "Stores the intersection of sorted sets (and sets) in a key."),
    def("zdiffstore", -4, W.or(DENYOOM).or(MOVABLE), Z, store_numkeys(), gather(zdiffstore), "sorted_set", "6.2.0",
        "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        "Stores the difference of sorted sets in a key."),
    def("zintercard", -3, R.or(MOVABLE), Z, numkeys_at1(), gather(zintercard), "sorted_set", "7.0.0",
        "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        "Counts the members of the intersection of sorted sets, optionally stopping at a limit."),
    def("zscan", -3, R, Z, keys(1, 1, 1), single(zscan), "sorted_set", "2.8.0",
        "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        "Walks the members and scores of a sorted set with a cursor."),
    def("bzpopmin", -3, W.or(Flags::NOSCRIPT).or(FAST).or(Flags::BLOCKING), Z, keys(1, -2, 1), gather(bzpopmin), "sorted_set", "5.0.0",
        "O(log(N)) with N being the number of elements in the sorted set.",
        "Pops the member of lowest score from the first non-empty sorted set, waiting for one if needed.")
        .blocking(BlockTimeout::LastSeconds),
    def("bzpopmax", -3, W.or(Flags::NOSCRIPT).or(FAST).or(Flags::BLOCKING), Z, keys(1, -2, 1), gather(bzpopmax), "sorted_set", "5.0.0",
        "O(log(N)) with N being the number of elements in the sorted set.",
        "Pops the member of highest score from the first non-empty sorted set, waiting for one if needed.")
        .blocking(BlockTimeout::LastSeconds),
    def("bzmpop", -5, W.or(Flags::BLOCKING).or(MOVABLE), Z,
        Keys::Custom { first: 0, last: 0, step: 0, find: keys_after_numkeys_2 },
        gather(bzmpop), "sorted_set", "7.0.0",
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        "Pops members from the first non-empty of several sorted sets, waiting for one if needed.")
        .blocking(BlockTimeout::FirstSeconds),
];

// ----- key positions -----

/// Keys after a numkeys argument at `at` (none when the count is below 1 or too large).
fn numkeys_positions(a: &[&[u8]], at: usize) -> Vec<usize> {
    let Some(n) = a.get(at).and_then(|x| parse_i64_strict(x)) else {
        return Vec::new();
    };
    let first = at + 1;
    if n < 1 || n as u64 > a.len().saturating_sub(first) as u64 {
        return Vec::new();
    }
    (first..first + n as usize).collect()
}

fn keys_after_numkeys_1(a: &[&[u8]]) -> Vec<usize> {
    numkeys_positions(a, 1)
}

fn keys_after_numkeys_2(a: &[&[u8]]) -> Vec<usize> {
    numkeys_positions(a, 2)
}

fn keys_store_numkeys(a: &[&[u8]]) -> Vec<usize> {
    let mut v = vec![1];
    v.extend(numkeys_positions(a, 2));
    v
}

// ----- lookups and replies -----

fn as_zset(v: &mut Value) -> Result<&mut ZSet, OpError> {
    match v {
        Value::ZSet(z) => Ok(z),
        _ => Err(OpError::WrongType),
    }
}

/// Read lookup (stats, expiry) with a type check.
fn read<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Result<Option<&'a mut ZSet>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) => as_zset(&mut e.value).map(Some),
    }
}

/// Write lookup with a type check.
fn write<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Result<Option<&'a mut ZSet>, OpError> {
    match db.get_mut(key, now) {
        None => Ok(None),
        Some(e) => as_zset(&mut e.value).map(Some),
    }
}

/// The shard's parts an op needs at once.
fn parts(sh: &mut Shard, db: usize) -> (&mut Db, &mut Rng, Encodings) {
    let last = sh.dbs.len() - 1;
    let enc = sh.config.encodings;
    (&mut sh.dbs[db.min(last)], &mut sh.rng, enc)
}

/// A member as a bulk string.
pub fn bulk_item(out: &mut RespWriter, m: LpItem<'_>) {
    match m {
        LpItem::Str(s) => out.bulk(s),
        LpItem::Int(v) => out.bulk_int(v),
    }
}

/// A member with its score: `member score` flat in RESP2, `[member, score]` in RESP3.
fn write_pair(out: &mut RespWriter, m: LpItem<'_>, score: f64, withscores: bool) {
    if withscores && out.is_resp3() {
        out.array(2);
    }
    bulk_item(out, m);
    if withscores {
        out.double(score);
    }
}

/// The array header for `n` results, flat with scores in RESP2.
fn results_header(out: &mut RespWriter, n: usize, withscores: bool) {
    if withscores && !out.is_resp3() {
        out.array(n * 2);
    } else {
        out.array(n);
    }
}

fn to_usize_count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

// ----- ZADD, ZINCRBY -----

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    zadd_generic(sh, cx, a, false)
}

/// `ZINCRBY key increment member`
pub fn zincrby(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    zadd_generic(sh, cx, a, true)
}

fn zadd_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], incr: bool) -> OpResult {
    let mut f = AddFlags {
        incr,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut i = 2;
    while i < a.len() {
        let o = a[i];
        if args::is(o, "nx") {
            f.nx = true;
        } else if args::is(o, "xx") {
            f.xx = true;
        } else if args::is(o, "ch") {
            ch = true;
        } else if args::is(o, "incr") {
            f.incr = true;
        } else if args::is(o, "gt") {
            f.gt = true;
        } else if args::is(o, "lt") {
            f.lt = true;
        } else {
            break;
        }
        i += 1;
    }
    let rest = &a[i..];
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        return Err(OpError::Syntax);
    }
    if f.nx && f.xx {
        return Err(OpError::msg(XX_NX));
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(OpError::msg(GT_LT_NX));
    }
    if f.incr && rest.len() > 2 {
        return Err(OpError::msg(INCR_PAIR));
    }
    let mut scores = Vec::with_capacity(rest.len() / 2);
    for pair in rest.chunks(2) {
        scores.push(parse_score(pair[0]).ok_or(OpError::NotFloat)?);
    }
    let key = a[1];
    let (db, _, enc) = parts(sh, cx.db);
    let exists = write(db, key, cx.now_ms)?.is_some();
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last_score = 0.0;
    if exists || !f.xx {
        if !exists {
            let z = ZSet::for_first_member(rest[1].len(), &enc);
            db.insert_new(key, Value::ZSet(Box::new(z)), cx.now_ms);
        }
        let z = write(db, key, cx.now_ms)?.ok_or(OpError::NoSuchKey)?;
        for (pair, &score) in rest.chunks(2).zip(&scores) {
            match z.add(score, pair[1], f, &enc) {
                Err(_) => {
                    if z.is_empty() {
                        db.delete(key);
                    }
                    return Err(OpError::msg(NAN_SCORE));
                }
                Ok(Added::New(s)) => {
                    added += 1;
                    processed += 1;
                    last_score = s;
                }
                Ok(Added::Updated(s)) => {
                    updated += 1;
                    processed += 1;
                    last_score = s;
                }
                Ok(Added::Same(s)) => {
                    processed += 1;
                    last_score = s;
                }
                Ok(Added::Skipped) => {}
            }
        }
        if z.is_empty() {
            // Only possible when a new key got nothing (NX/GT/LT never skip new members, so
            // this is defensive).
            db.delete(key);
        }
        if added > 0 {
            db.signal_ready(key);
        }
        sh.dirty += (added + updated) as u64;
    }
    if f.incr {
        if processed > 0 {
            cx.out.double(last_score);
        } else {
            cx.out.null();
        }
    } else {
        cx.out.int(if ch { added + updated } else { added });
    }
    Ok(())
}

// ----- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK -----

/// `ZREM key member [member ...]`
pub fn zrem(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let Some(z) = write(db, a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    let mut empty = false;
    for m in &a[2..] {
        if z.remove(m) {
            deleted += 1;
        }
        if z.is_empty() {
            empty = true;
            break;
        }
    }
    if empty {
        db.delete(a[1]);
    }
    sh.dirty += deleted;
    cx.out.int(deleted as i64);
    Ok(())
}

/// `ZCARD key`
pub fn zcard(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let n = read(sh.db(cx.db), a[1], cx.now_ms)?.map_or(0, |z| z.len());
    cx.out.int(n as i64);
    Ok(())
}

/// `ZSCORE key member`
pub fn zscore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    match read(sh.db(cx.db), a[1], cx.now_ms)?.and_then(|z| z.score(a[2])) {
        Some(s) => cx.out.double(s),
        None => cx.out.null(),
    }
    Ok(())
}

/// `ZMSCORE key member [member ...]`
pub fn zmscore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let z = read(sh.db(cx.db), a[1], cx.now_ms)?;
    cx.out.array(a.len() - 2);
    for m in &a[2..] {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => cx.out.double(s),
            None => cx.out.null(),
        }
    }
    Ok(())
}

/// `ZRANK key member`
pub fn zrank(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    rank_generic(sh, cx, a, false)
}

/// `ZREVRANK key member`
pub fn zrevrank(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    rank_generic(sh, cx, a, true)
}

fn rank_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], rev: bool) -> OpResult {
    match read(sh.db(cx.db), a[1], cx.now_ms)?.and_then(|z| z.rank(a[2], rev)) {
        Some(r) => cx.out.int(r as i64),
        None => cx.out.null(),
    }
    Ok(())
}

// ----- ZCOUNT, ZLEXCOUNT -----

/// `ZCOUNT key min max`
pub fn zcount(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let r = ScoreRange::parse(a[2], a[3])?;
    let n = match read(sh.db(cx.db), a[1], cx.now_ms)? {
        Some(z) => match (z.first_in_score(&r), z.last_in_score(&r)) {
            (Some((_, f)), Some((_, l))) if l >= f => l - f + 1,
            _ => 0,
        },
        None => 0,
    };
    cx.out.int(n as i64);
    Ok(())
}

/// `ZLEXCOUNT key min max`
pub fn zlexcount(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let r = LexRange::parse(a[2], a[3])?;
    let n = match read(sh.db(cx.db), a[1], cx.now_ms)? {
        Some(z) => match (z.first_in_lex(&r), z.last_in_lex(&r)) {
            (Some((_, f)), Some((_, l))) if l >= f => l - f + 1,
            _ => 0,
        },
        None => 0,
    };
    cx.out.int(n as i64);
    Ok(())
}

// ----- the ZRANGE family -----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

enum Spec {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// A parsed range request of the ZRANGE family.
struct RangeReq {
    spec: Spec,
    reverse: bool,
    withscores: bool,
    offset: i64,
    limit: i64,
}

fn parse_range(
    a: &[&[u8]],
    start: usize,
    store: bool,
    mut rtype: RangeType,
    mut dir: Direction,
) -> Result<RangeReq, OpError> {
    let mut withscores = false;
    let mut offset = 0i64;
    let mut limit = -1i64;
    let mut j = start + 3;
    while j < a.len() {
        let left = a.len() - j - 1;
        let o = a[j];
        if !store && args::is(o, "withscores") {
            withscores = true;
        } else if args::is(o, "limit") && left >= 2 {
            offset = args::int(a[j + 1])?;
            limit = args::int(a[j + 2])?;
            j += 2;
        } else if dir == Direction::Auto && args::is(o, "rev") {
            dir = Direction::Reverse;
        } else if rtype == RangeType::Auto && args::is(o, "bylex") {
            rtype = RangeType::Lex;
        } else if rtype == RangeType::Auto && args::is(o, "byscore") {
            rtype = RangeType::Score;
        } else {
            return Err(OpError::Syntax);
        }
        j += 1;
    }
    let reverse = dir == Direction::Reverse;
    if rtype == RangeType::Auto {
        rtype = RangeType::Rank;
    }
    if limit != -1 && rtype == RangeType::Rank {
        return Err(OpError::msg(LIMIT_ONLY_BY));
    }
    if withscores && rtype == RangeType::Lex {
        return Err(OpError::msg(WITHSCORES_BYLEX));
    }
    let (mut lo, mut hi) = (a[start + 1], a[start + 2]);
    if reverse && rtype != RangeType::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let spec = match rtype {
        RangeType::Score => Spec::Score(ScoreRange::parse(lo, hi)?),
        RangeType::Lex => Spec::Lex(LexRange::parse(lo, hi)?),
        _ => Spec::Rank(args::int(lo)?, args::int(hi)?),
    };
    Ok(RangeReq {
        spec,
        reverse,
        withscores,
        offset,
        limit,
    })
}

/// Positions selected by a range request, in reply order.
fn select(z: &ZSet, req: &RangeReq) -> Vec<Pos> {
    let len = z.len() as i64;
    let mut out = Vec::new();
    match &req.spec {
        Spec::Rank(s, e) => {
            let (mut s, mut e) = (*s, *e);
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            if s < 0 {
                s = 0;
            }
            if s > e || s >= len {
                return out;
            }
            if e >= len {
                e = len - 1;
            }
            let n = (e - s + 1) as usize;
            out.reserve(n);
            let first = if req.reverse {
                z.at_rank((len - 1 - s) as usize)
            } else {
                z.at_rank(s as usize)
            };
            let mut cur = first;
            while let Some(p) = cur {
                if out.len() == n {
                    break;
                }
                out.push(p);
                cur = if req.reverse { z.prev(p) } else { z.next(p) };
            }
        }
        Spec::Score(_) | Spec::Lex(_) => {
            if req.offset > 0 && req.offset >= len {
                return out;
            }
            let in_range = |p: Pos| -> bool {
                let (m, s) = z.at(p);
                match &req.spec {
                    Spec::Score(r) => {
                        if req.reverse {
                            r.gte_min(s)
                        } else {
                            r.lte_max(s)
                        }
                    }
                    Spec::Lex(r) => {
                        let m = item_bytes(m);
                        if req.reverse {
                            r.gte_min(&m)
                        } else {
                            r.lte_max(&m)
                        }
                    }
                    Spec::Rank(..) => true,
                }
            };
            let start = match (&req.spec, req.reverse) {
                (Spec::Score(r), false) => z.first_in_score(r),
                (Spec::Score(r), true) => z.last_in_score(r),
                (Spec::Lex(r), false) => z.first_in_lex(r),
                (Spec::Lex(r), true) => z.last_in_lex(r),
                _ => None,
            };
            let step = |p: Pos| if req.reverse { z.prev(p) } else { z.next(p) };
            let mut cur = start.map(|(p, _)| p);
            if req.offset < 0 {
                return out;
            }
            let mut skip = req.offset;
            while skip > 0 {
                let Some(p) = cur else { break };
                cur = step(p);
                skip -= 1;
            }
            let mut limit = req.limit;
            while let Some(p) = cur {
                if limit == 0 {
                    break;
                }
                if !in_range(p) {
                    break;
                }
                out.push(p);
                limit -= 1;
                cur = step(p);
            }
        }
    }
    out
}

fn range_to_client(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    a: &[&[u8]],
    rtype: RangeType,
    dir: Direction,
) -> OpResult {
    let req = parse_range(a, 1, false, rtype, dir)?;
    let Some(z) = read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.array(0);
        return Ok(());
    };
    let sel = select(z, &req);
    let ws = req.withscores;
    results_header(cx.out, sel.len(), ws);
    for p in sel {
        let (m, s) = z.at(p);
        write_pair(cx.out, m, s, ws);
    }
    Ok(())
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    range_to_client(sh, cx, a, RangeType::Auto, Direction::Auto)
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    range_to_client(sh, cx, a, RangeType::Rank, Direction::Reverse)
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    range_to_client(sh, cx, a, RangeType::Score, Direction::Forward)
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    range_to_client(sh, cx, a, RangeType::Score, Direction::Reverse)
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    range_to_client(sh, cx, a, RangeType::Lex, Direction::Forward)
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    range_to_client(sh, cx, a, RangeType::Lex, Direction::Reverse)
}

/// Stores a computed result under `dst` (or deletes `dst` when it is empty) and replies with
/// its size, as Redis's STORE commands do.
fn store_result(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    dst: &[u8],
    mut items: Vec<(Vec<u8>, f64)>,
    sorted: bool,
) {
    let enc = sh.config.encodings;
    let db = sh.db(cx.db);
    if items.is_empty() {
        cx.out.int(0);
        if db.delete(dst).is_some() {
            sh.dirty += 1;
        }
        return;
    }
    if !sorted {
        sort_items(&mut items);
    }
    let n = items.len();
    let z = ZSet::from_sorted(items, &enc);
    db.set(dst, Value::ZSet(Box::new(z)), cx.now_ms);
    sh.dirty += 1;
    cx.out.int(n as i64);
}

fn sort_items(items: &mut [(Vec<u8>, f64)]) {
    items.sort_by(|x, y| {
        x.1.partial_cmp(&y.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| x.0.cmp(&y.0))
    });
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let req = parse_range(a, 2, true, RangeType::Auto, Direction::Auto)?;
    let items: Vec<(Vec<u8>, f64)> = match read(sh.db(cx.db), a[2], cx.now_ms)? {
        Some(z) => {
            let sel = select(z, &req);
            let mut v: Vec<(Vec<u8>, f64)> = sel
                .into_iter()
                .map(|p| {
                    let (m, s) = z.at(p);
                    (m.to_vec(), s)
                })
                .collect();
            if req.reverse {
                v.reverse();
            }
            v
        }
        None => Vec::new(),
    };
    store_result(sh, cx, a[1], items, true);
    Ok(())
}

// ----- ZREMRANGEBY* -----

/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let s = args::int(a[2])?;
    let e = args::int(a[3])?;
    remrange(sh, cx, a[1], Spec::Rank(s, e))
}

/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let r = ScoreRange::parse(a[2], a[3])?;
    remrange(sh, cx, a[1], Spec::Score(r))
}

/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let r = LexRange::parse(a[2], a[3])?;
    remrange(sh, cx, a[1], Spec::Lex(r))
}

fn remrange(sh: &mut Shard, cx: &mut Cx<'_>, key: &[u8], spec: Spec) -> OpResult {
    let db = sh.db(cx.db);
    let Some(z) = write(db, key, cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let len = z.len() as i64;
    let bounds = match &spec {
        Spec::Rank(s, e) => {
            let (mut s, mut e) = (*s, *e);
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            if s < 0 {
                s = 0;
            }
            if s > e || s >= len {
                None
            } else {
                Some((s as usize, e.min(len - 1) as usize))
            }
        }
        Spec::Score(r) => match (z.first_in_score(r), z.last_in_score(r)) {
            (Some((_, f)), Some((_, l))) if l >= f => Some((f, l)),
            _ => None,
        },
        Spec::Lex(r) => match (z.first_in_lex(r), z.last_in_lex(r)) {
            (Some((_, f)), Some((_, l))) if l >= f => Some((f, l)),
            _ => None,
        },
    };
    let deleted = match bounds {
        Some((f, l)) => z.remove_rank_range(f, l),
        None => 0,
    };
    if z.is_empty() {
        db.delete(key);
    }
    sh.dirty += deleted as u64;
    cx.out.int(deleted as i64);
    Ok(())
}

// ----- pops -----

/// Pops up to `count` members of lowest (or highest, `max`) score from the sorted set at `key`,
/// deleting the key when it becomes empty. Returns them in pop order; empty when the key does
/// not exist. (For the server's use; the commands below share it.)
pub fn pop(
    db: &mut Db,
    key: &[u8],
    max: bool,
    count: usize,
    now: u64,
) -> Result<Vec<(Vec<u8>, f64)>, OpError> {
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let Some(z) = write(db, key, now)? else {
        return Ok(Vec::new());
    };
    let out = pop_from(z, max, count);
    if z.is_empty() {
        db.delete(key);
    }
    Ok(out)
}

fn pop_from(z: &mut ZSet, max: bool, count: usize) -> Vec<(Vec<u8>, f64)> {
    let len = z.len();
    let n = count.min(len);
    if n == 0 {
        return Vec::new();
    }
    let start = if max { z.last() } else { z.first() };
    let out: Vec<(Vec<u8>, f64)> = z
        .iter_from(start, max)
        .take(n)
        .map(|(m, s)| (m.to_vec(), s))
        .collect();
    if max {
        z.remove_rank_range(len - n, len - 1);
    } else {
        z.remove_rank_range(0, n - 1);
    }
    out
}

/// `ZPOPMIN key [count]`
pub fn zpopmin(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    zpop_cmd(sh, cx, a, false)
}

/// `ZPOPMAX key [count]`
pub fn zpopmax(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    zpop_cmd(sh, cx, a, true)
}

fn zpop_cmd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], max: bool) -> OpResult {
    if a.len() > 3 {
        return Err(OpError::Syntax);
    }
    let count = match a.get(2) {
        Some(c) => match parse_i64_strict(c) {
            Some(n) if n >= 0 => Some(to_usize_count(n)),
            _ => return Err(OpError::msg(POSITIVE_COUNT)),
        },
        None => None,
    };
    let db = sh.db(cx.db);
    if write(db, a[1], cx.now_ms)?.is_none() || count == Some(0) {
        cx.out.array(0);
        return Ok(());
    }
    let items = pop(db, a[1], max, count.unwrap_or(1), cx.now_ms as u64)?;
    sh.dirty += items.len() as u64;
    let nested = cx.out.is_resp3() && count.is_some();
    if nested {
        cx.out.array(items.len());
    } else {
        cx.out.array(items.len() * 2);
    }
    for (m, s) in &items {
        if nested {
            cx.out.array(2);
        }
        cx.out.bulk(m);
        cx.out.double(*s);
    }
    Ok(())
}

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    bzpop(sh, cx, a, false)
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    bzpop(sh, cx, a, true)
}

fn bzpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], max: bool) -> OpResult {
    parse_timeout(a[a.len() - 1])?;
    let db = sh.db(cx.db);
    for &key in &a[1..a.len() - 1] {
        match write(db, key, cx.now_ms)? {
            Some(z) if !z.is_empty() => {}
            _ => continue,
        }
        let items = pop(db, key, max, 1, cx.now_ms as u64)?;
        sh.dirty += items.len() as u64;
        cx.out.array(items.len() * 2 + 1);
        cx.out.bulk(key);
        for (m, s) in &items {
            cx.out.bulk(m);
            cx.out.double(*s);
        }
        return Ok(());
    }
    Err(OpError::Block)
}

/// Parsed `numkeys key... MIN|MAX [COUNT n]` of ZMPOP and BZMPOP.
struct MpopArgs<'a> {
    keys: &'a [&'a [u8]],
    max: bool,
    count: usize,
}

fn parse_mpop<'a>(a: &'a [&'a [u8]], at: usize) -> Result<MpopArgs<'a>, OpError> {
    let numkeys = match parse_i64_strict(a[at]) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(OpError::msg(NUMKEYS_POSITIVE)),
    };
    let where_idx = (at as u64).saturating_add(numkeys).saturating_add(1);
    if where_idx >= a.len() as u64 {
        return Err(OpError::Syntax);
    }
    let w = where_idx as usize;
    let max = if args::is(a[w], "MIN") {
        false
    } else if args::is(a[w], "MAX") {
        true
    } else {
        return Err(OpError::Syntax);
    };
    let mut count: Option<usize> = None;
    let mut j = w + 1;
    while j < a.len() {
        let more = a.len() - 1 - j;
        if count.is_none() && args::is(a[j], "COUNT") && more > 0 {
            j += 1;
            count = match parse_i64_strict(a[j]) {
                Some(n) if n >= 1 => Some(to_usize_count(n)),
                _ => return Err(OpError::msg(COUNT_POSITIVE)),
            };
        } else {
            return Err(OpError::Syntax);
        }
        j += 1;
    }
    Ok(MpopArgs {
        keys: &a[at + 1..w],
        max,
        count: count.unwrap_or(1),
    })
}

/// Pops from the first non-empty key: `Ok(false)` when every key is missing.
fn mpop_first(sh: &mut Shard, cx: &mut Cx<'_>, p: &MpopArgs<'_>) -> Result<bool, OpError> {
    let db = sh.db(cx.db);
    for &key in p.keys {
        match write(db, key, cx.now_ms)? {
            Some(z) if !z.is_empty() => {}
            _ => continue,
        }
        let items = pop(db, key, p.max, p.count, cx.now_ms as u64)?;
        sh.dirty += items.len() as u64;
        cx.out.array(2);
        cx.out.bulk(key);
        cx.out.array(items.len());
        for (m, s) in &items {
            cx.out.array(2);
            cx.out.bulk(m);
            cx.out.double(*s);
        }
        return Ok(true);
    }
    Ok(false)
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let p = parse_mpop(a, 1)?;
    if !mpop_first(sh, cx, &p)? {
        cx.out.null_array();
    }
    Ok(())
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn bzmpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let p = parse_mpop(a, 2)?;
    parse_timeout(a[1])?;
    if mpop_first(sh, cx, &p)? {
        Ok(())
    } else {
        Err(OpError::Block)
    }
}

// ----- ZRANDMEMBER -----

/// `ZRANDMEMBER key [count [WITHSCORES]]`
pub fn zrandmember(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let max_bulk = sh.config.proto_max_bulk_len;
    let (db, rng, _) = parts(sh, cx.db);
    if a.len() < 3 {
        let Some(z) = read(db, a[1], cx.now_ms)? else {
            cx.out.null();
            return Ok(());
        };
        if let Some((m, _)) = z.random(&mut || rng.next_u64()) {
            bulk_item(cx.out, m);
        } else {
            cx.out.null();
        }
        return Ok(());
    }
    let l = args::int(a[2])?;
    if l == i64::MIN {
        return Err(OpError::msg(RANDMEMBER_RANGE));
    }
    if a.len() > 4 || (a.len() == 4 && !args::is(a[3], "withscores")) {
        return Err(OpError::Syntax);
    }
    let ws = a.len() == 4;
    if ws && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(OpError::msg(OUT_OF_RANGE));
    }
    let Some(z) = read(db, a[1], cx.now_ms)? else {
        cx.out.array(0);
        return Ok(());
    };
    let size = z.len();
    let count = l.unsigned_abs();
    let uniq = l >= 0;
    if count == 0 {
        cx.out.array(0);
        return Ok(());
    }
    let mut pick = || rng.next_u64();
    if !uniq || count == 1 {
        // Each element costs at least a few bytes of reply.
        if count.saturating_mul(if ws { 8 } else { 4 }) > max_bulk {
            return Err(OpError::msg(RANDMEMBER_TOO_BIG));
        }
        let count = count as usize;
        results_header(cx.out, count, ws);
        let positions = (z.encoding() == "listpack").then(|| z.positions());
        for _ in 0..count {
            match &positions {
                Some(ps) => {
                    let p = ps[(pick() % ps.len() as u64) as usize];
                    let (m, s) = z.at(p);
                    write_pair(cx.out, m, s, ws);
                }
                None => {
                    if let Some((m, s)) = z.random(&mut pick) {
                        write_pair(cx.out, m, s, ws);
                    }
                }
            }
        }
        return Ok(());
    }
    let count = count as usize;
    results_header(cx.out, count.min(size), ws);
    if count >= size {
        // Redis walks the whole set from the highest score down here.
        for (m, s) in z.iter_from(z.last(), true) {
            write_pair(cx.out, m, s, ws);
        }
        return Ok(());
    }
    if count * 3 > size || z.encoding() == "listpack" {
        // Drop random members until `count` remain; reply in set order.
        let mut keep: Vec<Pos> = z.positions();
        while keep.len() > count {
            let i = (pick() % keep.len() as u64) as usize;
            keep.swap_remove(i);
        }
        if z.encoding() == "listpack" {
            // Listpack offsets grow with rank.
            keep.sort_unstable();
        }
        for p in keep {
            let (m, s) = z.at(p);
            write_pair(cx.out, m, s, ws);
        }
        return Ok(());
    }
    let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(count);
    while seen.len() < count {
        let Some((m, s)) = z.random(&mut pick) else {
            break;
        };
        let mv = m.to_vec();
        if seen.insert(mv) {
            write_pair(cx.out, m, s, ws);
        }
    }
    Ok(())
}

// ----- ZUNION, ZINTER, ZDIFF and friends -----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, v: f64, agg: Aggregate) {
    match agg {
        Aggregate::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if v < *target {
                *target = v;
            }
        }
        Aggregate::Max => {
            if v > *target {
                *target = v;
            }
        }
    }
}

/// One input of a set operation.
enum Src<'a> {
    Missing,
    Z(&'a ZSet),
    S(&'a crate::sets::Set),
}

impl Src<'_> {
    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Z(z) => z.len(),
            Src::S(s) => s.len(),
        }
    }

    fn find(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Z(z) => z.score(m),
            Src::S(s) => s.contains(m).then_some(1.0),
        }
    }

    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Src::Missing => {}
            Src::Z(z) => {
                for (m, s) in z.iter() {
                    f(&item_bytes(m), s);
                }
            }
            Src::S(s) => {
                for m in s.iter() {
                    f(&m.to_vec(), 1.0);
                }
            }
        }
    }
}

/// What the generic set operation produces.
enum SetOpOut {
    Items(Vec<(Vec<u8>, f64)>),
    Card(usize),
}

fn setop_generic(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    a: &[&[u8]],
    numkeys_idx: usize,
    op: SetOp,
    store: bool,
    card_only: bool,
) -> Result<(SetOpOut, bool), OpError> {
    let setnum = args::int(a[numkeys_idx])?;
    if setnum < 1 {
        return Err(OpError::msg(format!(
            "ERR at least 1 input key is needed for '{}' command",
            cx.cmd
        )));
    }
    if setnum as u64 > (a.len() - numkeys_idx - 1) as u64 {
        return Err(OpError::Syntax);
    }
    let setnum = setnum as usize;
    let keys = &a[numkeys_idx + 1..numkeys_idx + 1 + setnum];
    let db = sh.db(cx.db);
    for k in keys {
        if let Some(e) = db.get(k, cx.now_ms) {
            if !matches!(e.value, Value::ZSet(_) | Value::Set(_)) {
                return Err(OpError::WrongType);
            }
        }
    }
    let mut weights = vec![1.0f64; setnum];
    let mut agg = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0usize;
    let mut j = numkeys_idx + 1 + setnum;
    while j < a.len() {
        let remaining = a.len() - j;
        if op != SetOp::Diff && !card_only && remaining > setnum && args::is(a[j], "weights") {
            j += 1;
            for w in weights.iter_mut() {
                *w = parse_score(a[j]).ok_or(OpError::msg(WEIGHT_NOT_FLOAT))?;
                j += 1;
            }
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && args::is(a[j], "aggregate") {
            agg = if args::is(a[j + 1], "sum") {
                Aggregate::Sum
            } else if args::is(a[j + 1], "min") {
                Aggregate::Min
            } else if args::is(a[j + 1], "max") {
                Aggregate::Max
            } else {
                return Err(OpError::Syntax);
            };
            j += 2;
        } else if !store && !card_only && args::is(a[j], "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && args::is(a[j], "limit") {
            limit = match parse_i64_strict(a[j + 1]) {
                Some(n) if n >= 0 => to_usize_count(n),
                _ => return Err(OpError::msg(LIMIT_NEGATIVE)),
            };
            j += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    let db: &Db = sh.db(cx.db);
    let mut srcs: Vec<(Src<'_>, f64)> = keys
        .iter()
        .zip(&weights)
        .map(|(k, &w)| {
            let s = match db.peek(k, cx.now_ms).map(|e| &e.value) {
                Some(Value::ZSet(z)) => Src::Z(z),
                Some(Value::Set(s)) => Src::S(s),
                _ => Src::Missing,
            };
            (s, w)
        })
        .collect();
    if op != SetOp::Diff {
        srcs.sort_by_key(|(s, _)| s.len());
    }
    let mut items: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut card = 0usize;
    match op {
        SetOp::Inter => {
            if srcs[0].0.len() > 0 {
                let (first, rest) = srcs.split_first().expect("at least one source");
                let mut done = false;
                first.0.for_each(|m, s0| {
                    if done {
                        return;
                    }
                    let mut score = first.1 * s0;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for (src, w) in rest {
                        match src.find(m) {
                            Some(v) => aggregate(&mut score, v * w, agg),
                            None => return,
                        }
                    }
                    if card_only {
                        card += 1;
                        if limit > 0 && card >= limit {
                            done = true;
                        }
                    } else {
                        items.push((m.to_vec(), score));
                    }
                });
            }
        }
        SetOp::Union => {
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            for (src, w) in &srcs {
                src.for_each(|m, s| {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, agg),
                        None => {
                            acc.insert(m.to_vec(), score);
                        }
                    }
                });
            }
            items = acc.into_iter().collect();
        }
        SetOp::Diff => {
            let (first, rest) = srcs.split_first().expect("at least one source");
            first.0.for_each(|m, s| {
                if rest.iter().all(|(src, _)| src.find(m).is_none()) {
                    items.push((m.to_vec(), s));
                }
            });
        }
    }
    if card_only {
        return Ok((SetOpOut::Card(card), false));
    }
    sort_items(&mut items);
    Ok((SetOpOut::Items(items), withscores))
}

fn setop_reply(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], op: SetOp) -> OpResult {
    let (out, ws) = setop_generic(sh, cx, a, 1, op, false, false)?;
    if let SetOpOut::Items(items) = out {
        results_header(cx.out, items.len(), ws);
        for (m, s) in &items {
            write_pair(cx.out, LpItem::Str(m), *s, ws);
        }
    }
    Ok(())
}

fn setop_store(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], op: SetOp) -> OpResult {
    let (out, _) = setop_generic(sh, cx, a, 2, op, true, false)?;
    if let SetOpOut::Items(items) = out {
        store_result(sh, cx, a[1], items, true);
    }
    Ok(())
}

/// `ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zunion(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    setop_reply(sh, cx, a, SetOp::Union)
}

/// `ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zinter(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    setop_reply(sh, cx, a, SetOp::Inter)
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    setop_reply(sh, cx, a, SetOp::Diff)
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zunionstore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    setop_store(sh, cx, a, SetOp::Union)
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]`
pub fn zinterstore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    setop_store(sh, cx, a, SetOp::Inter)
}

/// `ZDIFFSTORE destination numkeys key [key ...]`
pub fn zdiffstore(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    setop_store(sh, cx, a, SetOp::Diff)
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let (out, _) = setop_generic(sh, cx, a, 1, SetOp::Inter, false, true)?;
    if let SetOpOut::Card(n) = out {
        cx.out.int(n as i64);
    }
    Ok(())
}

// ----- ZSCAN -----

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn zscan(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let cursor = parse_scan_cursor(a[2])?;
    let Some(z) = read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.array(2);
        cx.out.bulk(b"0");
        cx.out.array(0);
        return Ok(());
    };
    let mut count = 10usize;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < a.len() {
        if args::is(a[i], "COUNT") && i + 1 < a.len() {
            let n = args::int(a[i + 1])?;
            if n < 1 {
                return Err(OpError::Syntax);
            }
            count = to_usize_count(n);
        } else if args::is(a[i], "MATCH") && i + 1 < a.len() {
            pattern = (a[i + 1] != b"*").then_some(a[i + 1]);
        } else {
            return Err(OpError::Syntax);
        }
        i += 2;
    }
    let keep = |m: &[u8]| pattern.is_none_or(|p| glob_match(p, m, false));
    if let Some(flat) = z.scan_listpack() {
        let found: Vec<&[Vec<u8>]> = flat.chunks(2).filter(|p| keep(&p[0])).collect();
        cx.out.array(2);
        cx.out.bulk(b"0");
        cx.out.array(found.len() * 2);
        for p in found {
            cx.out.bulk(&p[0]);
            cx.out.bulk(&p[1]);
        }
        return Ok(());
    }
    let count = count.saturating_mul(2);
    let mut found: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut visited = 0usize;
    let mut cursor = cursor;
    let mut steps_left = count.saturating_mul(10);
    loop {
        cursor = z.scan_dict(cursor, |m, s| {
            visited += 2;
            if keep(m) {
                found.push((m.to_vec(), s));
            }
        });
        if cursor == 0 || steps_left == 0 || visited >= count {
            break;
        }
        steps_left -= 1;
    }
    cx.out.array(2);
    cx.out.bulk(cursor.to_string().as_bytes());
    cx.out.array(found.len() * 2);
    for (m, s) in &found {
        cx.out.bulk(m);
        cx.out
            .bulk(corekv_proto::num::fmt_double_g17(*s).as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_redis;
