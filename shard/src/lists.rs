//! The list family: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET,
//! LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE,
//! BRPOPLPUSH and BLMPOP.
//!
//! The value type, [`List`], is Redis 7.0's quicklist (see [`quicklist`]): nodes are listpacks
//! sized by `list-max-listpack-size` (entries per node, or a byte budget when negative), and
//! `list-compress-depth` is accepted but nodes are never compressed. `OBJECT ENCODING` is
//! always "quicklist", whatever the size: Redis 7.0.15 has no single-listpack list encoding
//! (that arrived in 7.2), so even a one-element list is a one-node quicklist there, and its
//! test suite asserts exactly that. A 1M-element list costs what Redis's costs (the node
//! listpacks are byte-identical; a node is one 24-byte slot in a `VecDeque`).
//!
//! Every op parses and validates all of its arguments before it touches data or writes a
//! reply, in the order Redis checks them (so the same bad command gets the same error). A list
//! that becomes empty is deleted. `Shard::dirty` grows exactly where Redis's `server.dirty`
//! does: one per element pushed or popped, one per LSET/LINSERT/LMOVE, the number of elements
//! LTRIM and LREM removed.
//!
//! Multi-key commands (LMOVE, RPOPLPUSH, LMPOP) are written as if all their keys were on this
//! shard; across shards the server gathers the keys onto one shard and runs the same op.
//!
//! Every write that adds elements to a list (the pushes, LINSERT, the destination of a move)
//! calls [`Db::signal_ready`] for that key, so the server can serve clients blocked on it.
//!
//! The blocking commands run here as "try once" ops: they validate everything (the timeout
//! included, see [`parse_timeout`]) and serve the first non-empty key in argument order like
//! their non-blocking forms, or return [`OpError::Block`] having written nothing, and the
//! server blocks the client on the keys and re-runs the op when one becomes ready. For the
//! server's cross-shard blocking moves, [`pop`] and [`push`] are the bare data operations.

pub mod quicklist;
#[cfg(test)]
mod tests;

use crate::args;
use crate::cmd::{def, keys, Acl, BlockTimeout, CommandDef, Flags, Keys};
use crate::cmd::{gather, single};
use crate::db::Db;
use crate::error::{
    OpError, OpResult, INDEX_OUT_OF_RANGE, NO_SUCH_KEY, POSITIVE_COUNT, TIMEOUT_NOT_FLOAT,
};
use crate::listpack::LpItem;
use crate::longdouble::LongDouble;
use crate::shard::{Cx, Encodings, Shard};
use crate::value::Value;

pub use quicklist::{set_packed_threshold, List};

const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
const MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
const NUMKEYS_NOT_POSITIVE: &str = "ERR numkeys should be greater than 0";
const COUNT_NOT_POSITIVE: &str = "ERR count should be greater than 0";

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const BLOCKING: Flags = Flags::BLOCKING;
const NOSCRIPT: Flags = Flags::NOSCRIPT;
const L: Acl = Acl::LIST;

/// Key positions of `LMPOP numkeys key [key ...] ...`.
fn lmpop_keys(a: &[&[u8]]) -> Vec<usize> {
    numkeys_positions(a, 1)
}

/// Key positions of `BLMPOP timeout numkeys key [key ...] ...`.
fn blmpop_keys(a: &[&[u8]]) -> Vec<usize> {
    numkeys_positions(a, 2)
}

/// Keys after a numkeys argument at `at`, found as Redis's `genericGetKeys` finds them: the
/// count read with `atoi`, and no keys at all when it is below 1 or more than the arguments
/// left.
fn numkeys_positions(a: &[&[u8]], at: usize) -> Vec<usize> {
    let Some(arg) = a.get(at) else {
        return Vec::new();
    };
    let num = i64::from(atoi(arg));
    let first = at + 1;
    if num < 1 || num > a.len().saturating_sub(first) as i64 {
        return Vec::new();
    }
    (first..first + num as usize).collect()
}

/// C's `atoi` (glibc: `(int) strtol(s, NULL, 10)`): leading white space, a sign, digits up to
/// the first non-digit; `strtol` saturates to the `long` range before the `int` truncation.
fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut v: i128 = 0;
    while let Some(d) = s.get(i).filter(|c| c.is_ascii_digit()) {
        v = (v * 10 + i128::from(d - b'0')).min(i128::from(i64::MAX) + 1);
        i += 1;
    }
    let v = if neg { -v } else { v };
    let long = v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    long as i32
}

pub static COMMANDS: [CommandDef; 22] = [
    def(
        "lpush",
        -3,
        W.or(DENYOOM).or(FAST),
        L,
        keys(1, 1, 1),
        single(lpush),
        "list",
        "1.0.0",
        "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        "Adds elements at the head of a list, creating it if needed.",
    ),
    def(
        "rpush",
        -3,
        W.or(DENYOOM).or(FAST),
        L,
        keys(1, 1, 1),
        single(rpush),
        "list",
        "1.0.0",
        "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        "Adds elements at the tail of a list, creating it if needed.",
    ),
    def(
        "lpushx",
        -3,
        W.or(DENYOOM).or(FAST),
        L,
        keys(1, 1, 1),
        single(lpushx),
        "list",
        "2.2.0",
        "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        "Adds elements at the head of a list that already exists.",
    ),
    def(
        "rpushx",
        -3,
        W.or(DENYOOM).or(FAST),
        L,
        keys(1, 1, 1),
        single(rpushx),
        "list",
        "2.2.0",
        "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        "Adds elements at the tail of a list that already exists.",
    ),
    def(
        "lpop",
        -2,
        W.or(FAST),
        L,
        keys(1, 1, 1),
        single(lpop),
        "list",
        "1.0.0",
        "O(N) where N is the number of elements returned",
        "Removes and replies with the first element, or the first few, of a list.",
    ),
    def(
        "rpop",
        -2,
        W.or(FAST),
        L,
        keys(1, 1, 1),
        single(rpop),
        "list",
        "1.0.0",
        "O(N) where N is the number of elements returned",
        "Removes and replies with the last element, or the last few, of a list.",
    ),
    def(
        "llen",
        2,
        R.or(FAST),
        L,
        keys(1, 1, 1),
        single(llen),
        "list",
        "1.0.0",
        "O(1)",
        "Replies with the number of elements in a list.",
    ),
    def(
        "lrange",
        4,
        R,
        L,
        keys(1, 1, 1),
        single(lrange),
        "list",
        "1.0.0",
        "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
        "Replies with the elements between two indexes of a list.",
    ),
    def(
        "lindex",
        3,
        R,
        L,
        keys(1, 1, 1),
        single(lindex),
        "list",
        "1.0.0",
        "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
        "Replies with the element at an index of a list.",
    ),
    def(
        "lset",
        4,
        W.or(DENYOOM),
        L,
        keys(1, 1, 1),
        single(lset),
        "list",
        "1.0.0",
        "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
        "Overwrites the element at an index of a list.",
    ),
    def(
        "linsert",
        5,
        W.or(DENYOOM),
        L,
        keys(1, 1, 1),
        single(linsert),
        "list",
        "2.2.0",
        "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
        "Inserts an element just before or just after the first occurrence of a pivot element.",
    ),
    def(
        "lrem",
        4,
        W,
        L,
        keys(1, 1, 1),
        single(lrem),
        "list",
        "1.0.0",
        "O(N+M) where N is the length of the list and M is the number of elements removed.",
        "Removes occurrences of an element from a list, from the head or from the tail.",
    ),
    def(
        "ltrim",
        4,
        W,
        L,
        keys(1, 1, 1),
        single(ltrim),
        "list",
        "1.0.0",
        "O(N) where N is the number of elements to be removed by the operation.",
        "Keeps only the elements between two indexes of a list and drops the rest.",
    ),
    def(
        "lpos",
        -3,
        R,
        L,
        keys(1, 1, 1),
        single(lpos),
        "list",
        "6.0.6",
        "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
        "Replies with the indexes at which an element occurs in a list.",
    ),
    def(
        "lmove",
        5,
        W.or(DENYOOM),
        L,
        keys(1, 2, 1),
        gather(lmove),
        "list",
        "6.2.0",
        "O(1)",
        "Takes an element from one end of a list and puts it at an end of another list (or the same one), replying with it.",
    ),
    def(
        "rpoplpush",
        3,
        W.or(DENYOOM),
        L,
        keys(1, 2, 1),
        gather(rpoplpush),
        "list",
        "1.2.0",
        "O(1)",
        "Takes the last element of a list, puts it at the head of another list (or the same one) and replies with it.",
    ),
    def(
        "lmpop",
        -4,
        W.or(Flags::MOVABLEKEYS),
        L,
        Keys::Custom {
            first: 0,
            last: 0,
            step: 0,
            find: lmpop_keys,
        },
        gather(lmpop),
        "list",
        "7.0.0",
        "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        "Removes elements from one end of the first non-empty list among several keys.",
    ),
    def(
        "blpop",
        -3,
        W.or(NOSCRIPT).or(BLOCKING),
        L,
        keys(1, -2, 1),
        single(blpop),
        "list",
        "2.0.0",
        "O(N) where N is the number of provided keys.",
        "Removes the first element of the first non-empty list among several keys, waiting for one if all are empty.",
    )
    .blocking(BlockTimeout::LastSeconds),
    def(
        "brpop",
        -3,
        W.or(NOSCRIPT).or(BLOCKING),
        L,
        keys(1, -2, 1),
        single(brpop),
        "list",
        "2.0.0",
        "O(N) where N is the number of provided keys.",
        "Removes the last element of the first non-empty list among several keys, waiting for one if all are empty.",
    )
    .blocking(BlockTimeout::LastSeconds),
    def(
        "blmove",
        6,
        W.or(DENYOOM).or(NOSCRIPT).or(BLOCKING),
        L,
        keys(1, 2, 1),
        single(blmove),
        "list",
        "6.2.0",
        "O(1)",
        "Moves an element from one end of a list to an end of another list, waiting for the source to have one.",
    )
    .blocking(BlockTimeout::LastSeconds),
    def(
        "brpoplpush",
        4,
        W.or(DENYOOM).or(NOSCRIPT).or(BLOCKING),
        L,
        keys(1, 2, 1),
        single(brpoplpush),
        "list",
        "2.2.0",
        "O(1)",
        "Moves the last element of a list to the head of another list, waiting for the source to have one.",
    )
    .blocking(BlockTimeout::LastSeconds),
    def(
        "blmpop",
        -5,
        W.or(BLOCKING).or(Flags::MOVABLEKEYS),
        L,
        Keys::Custom {
            first: 0,
            last: 0,
            step: 0,
            find: blmpop_keys,
        },
        single(blmpop),
        "list",
        "7.0.0",
        "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        "Removes elements from one end of the first non-empty list among several keys, waiting for one if all are empty.",
    )
    .blocking(BlockTimeout::FirstSeconds),
];

// ----- shared helpers -----

/// The list at `key` for writing (`lookupKeyWrite`); WRONGTYPE for another type.
fn list_mut<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Result<Option<&'a mut List>, OpError> {
    match db.get_mut(key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::List(l) => Ok(Some(&mut **l)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The list at `key` for reading (`lookupKeyRead`: counts a hit or a miss).
fn list_read<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Result<Option<&'a List>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) => match &e.value {
            Value::List(l) => Ok(Some(&**l)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// An integer in `[min, i64::MAX]`, with `msg` for anything else (Redis's
/// `getRangeLongFromObjectOrReply` with a message).
fn int_at_least(arg: &[u8], min: i64, msg: &'static str) -> Result<i64, OpError> {
    match crate::util::parse_i64_strict(arg) {
        Some(v) if v >= min => Ok(v),
        _ => Err(OpError::msg(msg)),
    }
}

/// `LEFT` / `RIGHT` (true for left).
fn parse_side(arg: &[u8]) -> Result<bool, OpError> {
    if args::is(arg, "left") {
        Ok(true)
    } else if args::is(arg, "right") {
        Ok(false)
    } else {
        Err(OpError::Syntax)
    }
}

fn reply_item(cx: &mut Cx<'_>, item: LpItem<'_>) {
    match item {
        LpItem::Int(v) => cx.out.bulk_int(v),
        LpItem::Str(s) => cx.out.bulk(s),
    }
}

/// Replies with `n` elements starting at `start`, towards the tail (or towards the head with
/// `reverse`).
fn reply_elements(cx: &mut Cx<'_>, l: &List, start: usize, n: usize, reverse: bool) {
    cx.out.array(n);
    for item in l.iter_from(start, reverse).take(n) {
        reply_item(cx, item);
    }
}

/// `[start, end]` (negative indexes from the tail) clamped to a list of `len` elements:
/// `(first index, count)`, or `None` when the range is empty.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut s = if start < 0 { llen + start } else { start };
    let mut e = if end < 0 { llen + end } else { end };
    if s < 0 {
        s = 0;
    }
    if s > e || s >= llen {
        return None;
    }
    if e >= llen {
        e = llen - 1;
    }
    Some((s as usize, (e - s + 1) as usize))
}

/// Pops up to `count` elements from one end, replying with them as an array in pop order.
/// Returns how many were popped.
fn pop_range_reply(cx: &mut Cx<'_>, l: &mut List, left: bool, count: u64) -> usize {
    let n = (count.min(l.len() as u64)) as usize;
    let (first, start) = if left {
        (0, 0)
    } else {
        (l.len() - n, l.len().saturating_sub(1))
    };
    reply_elements(cx, l, start, n, !left);
    l.delete_range(first, n);
    n
}

/// Pops one element from the list at `key` in `db` (from the head with `left`), deleting the
/// key when it becomes empty; `None` when there is no list there (a missing key, or a key of
/// another type, which is left alone).
///
/// For the server's blocking moves across shards (BLMOVE/BRPOPLPUSH whose destination lives
/// elsewhere): the waiter pops here on the source's shard, the origin then [`push`]es on the
/// destination's shard. It counts no `dirty` (the caller accounts for the command).
pub fn pop(db: &mut Db, key: &[u8], left: bool, now_ms: i64) -> Option<Vec<u8>> {
    let l = list_mut(db, key, now_ms).ok()??;
    let v = l.pop(left);
    if l.is_empty() {
        db.delete(key);
    }
    v
}

/// Pushes `values` onto the list at `key` in `db` (each at the head with `left`, so LPUSH's
/// argument order comes out reversed, as in Redis), creating the list with the node settings
/// of `enc` when it does not exist. Returns the new length; `WRONGTYPE` (and nothing changes)
/// when the key holds another type. Signals the key ready for blocked clients whenever it
/// added an element.
///
/// Used by every push of this module and by the server's blocking moves across shards (the
/// second half of [`pop`]). It counts no `dirty` (the caller accounts for the command).
pub fn push(
    db: &mut Db,
    key: &[u8],
    left: bool,
    values: &[&[u8]],
    now_ms: i64,
    enc: &Encodings,
) -> Result<usize, OpError> {
    if let Some(l) = list_mut(db, key, now_ms)? {
        for v in values {
            l.push(v, left);
        }
        let n = l.len();
        if !values.is_empty() {
            db.signal_ready(key);
        }
        return Ok(n);
    }
    let mut l = List::new(enc.list_max_listpack_size);
    for v in values {
        l.push(v, left);
    }
    let n = l.len();
    if n > 0 {
        // `insert_new` signals the new key ready.
        db.insert_new(key, Value::List(Box::new(l)), now_ms);
    }
    Ok(n)
}

/// Parses a blocking command's timeout in seconds as Redis does: a `long double` (anything
/// `strtold` takes: `0.5`, `1e3`, `0x10`, `inf`), multiplied by 1000 and rounded up to whole
/// milliseconds. Returns the relative timeout in milliseconds, 0 meaning "block forever".
///
/// Errors: `ERR timeout is not a float or out of range` for a non-number, `ERR timeout is
/// negative` for a negative result, and also for values whose milliseconds do not fit in 64
/// bits (Redis's conversion turns them into the most negative integer).
pub fn parse_timeout(arg: &[u8]) -> Result<i64, OpError> {
    let ld = LongDouble::parse(arg).ok_or(OpError::msg(TIMEOUT_NOT_FLOAT))?;
    let ms = timeout_ms(&ld, arg);
    if ms < 0 {
        return Err(OpError::msg(TIMEOUT_NEGATIVE));
    }
    Ok(ms)
}

/// `(long long) ceill(value * 1000)`, worked out from the value's exact 17-decimal form;
/// out-of-range results are `i64::MIN`, as the x86 conversion gives.
fn timeout_ms(ld: &LongDouble, arg: &[u8]) -> i64 {
    if ld.is_infinite() || ld.is_nan() {
        return i64::MIN;
    }
    let text = ld.to_human_string();
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (int_part, frac) = body.split_once('.').unwrap_or((body, ""));
    if int_part.len() > 21 || frac.len() > 17 {
        return i64::MIN;
    }
    let mut scaled: i128 = 0; // value * 10^17
    for c in int_part.bytes().chain(frac.bytes()) {
        scaled = scaled * 10 + i128::from(c - b'0');
    }
    for _ in frac.len()..17 {
        scaled *= 10;
    }
    const UNIT: i128 = 100_000_000_000_000; // 10^14: value * 10^17 / 10^14 = value * 1000
    let (q, r) = (scaled / UNIT, scaled % UNIT);
    let mut ms = if neg { -q } else { q + i128::from(r > 0) };
    // A positive value too small for 17 decimals still rounds up to 1 ms.
    if ms == 0 && scaled == 0 && arg.first() != Some(&b'-') && mantissa_nonzero(arg) {
        ms = 1;
    }
    i64::try_from(ms).unwrap_or(i64::MIN)
}

/// Whether a number's mantissa (before any exponent) has a nonzero digit.
fn mantissa_nonzero(arg: &[u8]) -> bool {
    let body = match arg.first() {
        Some(b'-' | b'+') => &arg[1..],
        _ => arg,
    };
    if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
        body[2..]
            .iter()
            .take_while(|&&c| c | 0x20 != b'p')
            .any(|&c| c.is_ascii_hexdigit() && c != b'0')
    } else {
        body.iter()
            .take_while(|&&c| c | 0x20 != b'e')
            .any(|&c| (b'1'..=b'9').contains(&c))
    }
}

// ----- push -----

/// `LPUSH key element [element ...]`
pub fn lpush(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    push_generic(sh, cx, a, true, false)
}

/// `RPUSH key element [element ...]`
pub fn rpush(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    push_generic(sh, cx, a, false, false)
}

/// `LPUSHX key element [element ...]`
pub fn lpushx(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    push_generic(sh, cx, a, true, true)
}

/// `RPUSHX key element [element ...]`
pub fn rpushx(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    push_generic(sh, cx, a, false, true)
}

fn push_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], left: bool, xx: bool) -> OpResult {
    let now = cx.now_ms;
    let enc = sh.config.encodings;
    let db = sh.db(cx.db);
    if xx && list_mut(db, a[1], now)?.is_none() {
        cx.out.int(0);
        return Ok(());
    }
    let len = push(db, a[1], left, &a[2..], now, &enc)?;
    sh.dirty += (a.len() - 2) as u64;
    cx.out.int(len as i64);
    Ok(())
}

// ----- pop -----

/// `LPOP key [count]`
pub fn lpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    pop_generic(sh, cx, a, true)
}

/// `RPOP key [count]`
pub fn rpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    pop_generic(sh, cx, a, false)
}

fn pop_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], left: bool) -> OpResult {
    if a.len() > 3 {
        return Err(OpError::WrongArity);
    }
    let count = match a.get(2) {
        Some(arg) => Some(int_at_least(arg, 0, POSITIVE_COUNT)?),
        None => None,
    };
    let db = sh.db(cx.db);
    let Some(l) = list_mut(db, a[1], cx.now_ms)? else {
        if count.is_some() {
            cx.out.null_array();
        } else {
            cx.out.null();
        }
        return Ok(());
    };
    let popped = match count {
        Some(0) => {
            cx.out.array(0);
            return Ok(());
        }
        None => {
            let v = l.pop(left).unwrap_or_default();
            cx.out.bulk(&v);
            1
        }
        Some(n) => pop_range_reply(cx, l, left, n as u64),
    };
    if l.is_empty() {
        db.delete(a[1]);
    }
    sh.dirty += popped as u64;
    Ok(())
}

// ----- reads -----

/// `LLEN key`
pub fn llen(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let n = list_read(sh.db(cx.db), a[1], cx.now_ms)?.map_or(0, List::len);
    cx.out.int(n as i64);
    Ok(())
}

/// `LRANGE key start stop`
pub fn lrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let start = args::int(a[2])?;
    let end = args::int(a[3])?;
    let Some(l) = list_read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.array(0);
        return Ok(());
    };
    match clamp_range(start, end, l.len()) {
        Some((s, n)) => reply_elements(cx, l, s, n, false),
        None => cx.out.array(0),
    }
    Ok(())
}

/// `LINDEX key index`
pub fn lindex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    // Redis looks the key up before it parses the index.
    let Some(l) = list_read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.null();
        return Ok(());
    };
    let index = args::int(a[2])?;
    match l.get(index) {
        Some(item) => reply_item(cx, item),
        None => cx.out.null(),
    }
    Ok(())
}

/// Options of `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`.
struct LposArgs {
    rank: i64,
    /// `None`: no COUNT (a single index or null is the reply).
    count: Option<i64>,
    maxlen: i64,
}

impl LposArgs {
    fn parse(opts: &[&[u8]]) -> Result<LposArgs, OpError> {
        let mut p = LposArgs {
            rank: 1,
            count: None,
            maxlen: 0,
        };
        let mut i = 0;
        while i < opts.len() {
            let (o, value) = (opts[i], opts.get(i + 1));
            match value {
                Some(v) if args::is(o, "RANK") => {
                    p.rank = args::int(v)?;
                    if p.rank == 0 {
                        return Err(OpError::msg(RANK_ZERO));
                    }
                }
                Some(v) if args::is(o, "COUNT") => {
                    p.count = Some(int_at_least(v, 0, COUNT_NEGATIVE)?);
                }
                Some(v) if args::is(o, "MAXLEN") => {
                    p.maxlen = int_at_least(v, 0, MAXLEN_NEGATIVE)?;
                }
                _ => return Err(OpError::Syntax),
            }
            i += 2;
        }
        Ok(p)
    }
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
pub fn lpos(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opts = LposArgs::parse(&a[3..])?;
    let ele = a[2];
    let Some(l) = list_read(sh.db(cx.db), a[1], cx.now_ms)? else {
        if opts.count.is_some() {
            cx.out.array(0);
        } else {
            cx.out.null();
        }
        return Ok(());
    };
    let reverse = opts.rank < 0;
    // -i64::MIN stays negative (Redis negates a C long): every match then qualifies.
    let rank = if reverse {
        opts.rank.wrapping_neg()
    } else {
        opts.rank
    };
    let llen = l.len() as i64;
    let iter = if reverse { l.iter_rev() } else { l.iter() };
    let mut found: Vec<i64> = Vec::new();
    let mut matches: i64 = 0;
    for (index, item) in (0i64..).zip(iter) {
        if opts.maxlen != 0 && index >= opts.maxlen {
            break;
        }
        if !item.eq_bytes(ele) {
            continue;
        }
        matches += 1;
        if matches < rank {
            continue;
        }
        found.push(if reverse { llen - index - 1 } else { index });
        match opts.count {
            None => break,
            Some(c) if c != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= c => break,
            _ => {}
        }
    }
    match opts.count {
        Some(_) => {
            cx.out.array(found.len());
            for i in found {
                cx.out.int(i);
            }
        }
        None => match found.first() {
            Some(&i) => cx.out.int(i),
            None => cx.out.null(),
        },
    }
    Ok(())
}

// ----- writes in place -----

/// `LSET key index element`
pub fn lset(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let l = list_mut(db, a[1], cx.now_ms)?.ok_or(OpError::msg(NO_SUCH_KEY))?;
    let index = args::int(a[2])?;
    if !l.set(index, a[3]) {
        return Err(OpError::msg(INDEX_OUT_OF_RANGE));
    }
    sh.dirty += 1;
    cx.out.ok();
    Ok(())
}

/// `LINSERT key BEFORE|AFTER pivot element`
pub fn linsert(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let after = if args::is(a[2], "after") {
        true
    } else if args::is(a[2], "before") {
        false
    } else {
        return Err(OpError::Syntax);
    };
    let db = sh.db(cx.db);
    let Some(l) = list_mut(db, a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    if !l.insert_near(a[3], a[4], after) {
        cx.out.int(-1);
        return Ok(());
    }
    let n = l.len();
    db.signal_ready(a[1]);
    sh.dirty += 1;
    cx.out.int(n as i64);
    Ok(())
}

/// `LREM key count element`
pub fn lrem(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let count = args::int(a[2])?;
    let db = sh.db(cx.db);
    let Some(l) = list_mut(db, a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let removed = l.remove(a[3], count);
    if l.is_empty() {
        db.delete(a[1]);
    }
    sh.dirty += removed as u64;
    cx.out.int(removed as i64);
    Ok(())
}

/// `LTRIM key start stop`
pub fn ltrim(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let start = args::int(a[2])?;
    let end = args::int(a[3])?;
    let db = sh.db(cx.db);
    let Some(l) = list_mut(db, a[1], cx.now_ms)? else {
        cx.out.ok();
        return Ok(());
    };
    let llen = l.len();
    let (ltrim, rtrim) = match clamp_range(start, end, llen) {
        Some((s, n)) => (s, llen - s - n),
        None => (llen, 0),
    };
    l.delete_range(0, ltrim);
    let rest = l.len();
    l.delete_range(rest - rtrim, rtrim);
    if l.is_empty() {
        db.delete(a[1]);
    }
    sh.dirty += (ltrim + rtrim) as u64;
    cx.out.ok();
    Ok(())
}

// ----- moves -----

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
pub fn lmove(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let from = parse_side(a[3])?;
    let to = parse_side(a[4])?;
    move_generic(sh, cx, a[1], a[2], from, to)
}

/// `RPOPLPUSH source destination`
pub fn rpoplpush(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    move_generic(sh, cx, a[1], a[2], false, true)
}

/// Moves one element from `src` (its head with `from`) to `dst` (its head with `to`),
/// replying with it; null when `src` does not exist. WRONGTYPE from either key changes
/// nothing.
fn move_generic(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    src: &[u8],
    dst: &[u8],
    from: bool,
    to: bool,
) -> OpResult {
    let now = cx.now_ms;
    let enc = sh.config.encodings;
    let db = sh.db(cx.db);
    if list_mut(db, src, now)?.is_none() {
        cx.out.null();
        return Ok(());
    }
    // The destination's type is checked before anything moves.
    list_mut(db, dst, now)?;
    let Some(value) = pop_no_delete(db, src, from, now) else {
        cx.out.null();
        return Ok(());
    };
    push(db, dst, to, &[&value], now, &enc)?;
    if db.peek(src, now).is_some_and(|e| is_empty_list(&e.value)) {
        db.delete(src);
    }
    sh.dirty += 1;
    cx.out.bulk(&value);
    Ok(())
}

fn is_empty_list(v: &Value) -> bool {
    matches!(v, Value::List(l) if l.is_empty())
}

/// Pops from an existing list without deleting it when it empties (LMOVE deletes the source
/// only after the push, so rotating a one-element list keeps it).
fn pop_no_delete(db: &mut Db, key: &[u8], left: bool, now: i64) -> Option<Vec<u8>> {
    match &mut db.get_mut(key, now)?.value {
        Value::List(l) => l.pop(left),
        _ => None,
    }
}

// ----- multi-key pops -----

/// Parsed `numkeys key [key ...] LEFT|RIGHT [COUNT count]`, starting at the numkeys argument.
struct MpopArgs<'a> {
    keys: &'a [&'a [u8]],
    left: bool,
    count: u64,
}

impl<'a> MpopArgs<'a> {
    fn parse(a: &'a [&'a [u8]]) -> Result<MpopArgs<'a>, OpError> {
        let numkeys = int_at_least(a[0], 1, NUMKEYS_NOT_POSITIVE)? as u64;
        let where_idx = numkeys.saturating_add(1);
        if where_idx >= a.len() as u64 {
            return Err(OpError::Syntax);
        }
        let where_idx = where_idx as usize;
        let left = parse_side(a[where_idx])?;
        let mut count = None;
        let mut i = where_idx + 1;
        while i < a.len() {
            match a.get(i + 1) {
                Some(v) if count.is_none() && args::is(a[i], "COUNT") => {
                    count = Some(int_at_least(v, 1, COUNT_NOT_POSITIVE)? as u64);
                }
                _ => return Err(OpError::Syntax),
            }
            i += 2;
        }
        Ok(MpopArgs {
            keys: &a[1..where_idx],
            left,
            count: count.unwrap_or(1),
        })
    }
}

/// Pops from the first non-empty list of `p.keys`, replying `[key, [elements]]`. Returns
/// false (having written nothing) when every key is missing.
fn mpop_first(sh: &mut Shard, cx: &mut Cx<'_>, p: &MpopArgs<'_>) -> Result<bool, OpError> {
    let db = sh.db(cx.db);
    for &key in p.keys {
        let Some(l) = list_mut(db, key, cx.now_ms)? else {
            continue;
        };
        if l.is_empty() {
            continue;
        }
        cx.out.array(2);
        cx.out.bulk(key);
        let n = pop_range_reply(cx, l, p.left, p.count);
        if l.is_empty() {
            db.delete(key);
        }
        sh.dirty += n as u64;
        return Ok(true);
    }
    Ok(false)
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn lmpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let p = MpopArgs::parse(&a[1..])?;
    if !mpop_first(sh, cx, &p)? {
        cx.out.null_array();
    }
    Ok(())
}

// ----- blocking forms -----

/// `BLPOP key [key ...] timeout`
pub fn blpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    bpop_generic(sh, cx, a, true)
}

/// `BRPOP key [key ...] timeout`
pub fn brpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    bpop_generic(sh, cx, a, false)
}

fn bpop_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], left: bool) -> OpResult {
    parse_timeout(a[a.len() - 1])?;
    let db = sh.db(cx.db);
    for &key in &a[1..a.len() - 1] {
        let Some(l) = list_mut(db, key, cx.now_ms)? else {
            continue;
        };
        let Some(v) = l.pop(left) else {
            continue;
        };
        if l.is_empty() {
            db.delete(key);
        }
        sh.dirty += 1;
        cx.out.array(2);
        cx.out.bulk(key);
        cx.out.bulk(&v);
        return Ok(());
    }
    Err(OpError::Block)
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
pub fn blmove(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let from = parse_side(a[3])?;
    let to = parse_side(a[4])?;
    parse_timeout(a[5])?;
    bmove_generic(sh, cx, a[1], a[2], from, to)
}

/// `BRPOPLPUSH source destination timeout`
pub fn brpoplpush(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    parse_timeout(a[3])?;
    bmove_generic(sh, cx, a[1], a[2], false, true)
}

fn bmove_generic(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    src: &[u8],
    dst: &[u8],
    from: bool,
    to: bool,
) -> OpResult {
    if list_mut(sh.db(cx.db), src, cx.now_ms)?.is_none() {
        return Err(OpError::Block);
    }
    move_generic(sh, cx, src, dst, from, to)
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn blmpop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let p = MpopArgs::parse(&a[2..])?;
    parse_timeout(a[1])?;
    if mpop_first(sh, cx, &p)? {
        Ok(())
    } else {
        Err(OpError::Block)
    }
}
