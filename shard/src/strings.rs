//! The string family: GET, SET and its variants (SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX),
//! MGET/MSET/MSETNX, the counters (INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT), APPEND, STRLEN,
//! GETRANGE/SUBSTR, SETRANGE and LCS.
//!
//! Each command is a parse step (arguments into a typed struct, leftovers rejected with
//! Redis's error) and an apply step on one database. Multi-key commands (MGET, MSET) also have
//! a per-key `part` op that the server uses when their keys span shards; MSETNX and LCS need
//! all their keys at once, so across shards the server coordinates them and the ops here are
//! the single-shard case.
//!
//! Values keep Redis's encodings ([`Value`]): SET-like commands store what `tryObjectEncoding`
//! would (`int`, `embstr`, `raw`), the integer counters store `int`, INCRBYFLOAT stores its
//! reply as a plain string, and in-place edits (APPEND, SETRANGE, and SETBIT in `bits`) turn the
//! value `raw`. Commands that modify a value in place keep its TTL; the ones that replace it
//! (SET, GETSET, MSET) drop it. The bitmap commands on string values live in [`crate::bits`].

use crate::args;
use crate::cmd::single;
use crate::cmd::{def, keys, Acl, CommandDef, CoordCmd, Cross, Flags, Merge, OpFn, Route};
use crate::db::Db;
use crate::error::{
    OpError, OpResult, DECREMENT_OVERFLOW, LCS_ALLOC_FAILED, LCS_LEN_AND_IDX, LCS_TABLE_TOO_BIG,
    LCS_TOO_LONG, LCS_WRONGTYPE, NAN_OR_INF, OFFSET_OUT_OF_RANGE, STRING_TOO_LONG,
};
use crate::longdouble::LongDouble;
use crate::shard::{Cx, Shard};
use crate::util::parse_i64_strict;
use crate::value::Value;

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const S: Acl = Acl::STRING;

/// A keyed route coordinated by the server when its keys span shards.
const fn coord(op: OpFn, cmd: CoordCmd) -> Route {
    Route::Shard {
        op,
        cross: Cross::Coord(cmd),
    }
}

pub static COMMANDS: [CommandDef; 22] = [
    def(
        "get",
        2,
        R.or(FAST),
        S,
        keys(1, 1, 1),
        single(get),
        "string",
        "1.0.0",
        "O(1)",
        "Returns the string value of a key.",
    ),
    def(
        "set",
        -3,
        W.or(DENYOOM),
        S,
        keys(1, 1, 1),
        single(set),
        "string",
        "1.0.0",
        "O(1)",
        "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    ),
    def(
        "setnx",
        3,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(setnx),
        "string",
        "1.0.0",
        "O(1)",
        "Sets a key to a string only when the key is absent.",
    ),
    def(
        "setex",
        4,
        W.or(DENYOOM),
        S,
        keys(1, 1, 1),
        single(setex),
        "string",
        "2.0.0",
        "O(1)",
        "Sets a key to a string with a time to live in seconds.",
    ),
    def(
        "psetex",
        4,
        W.or(DENYOOM),
        S,
        keys(1, 1, 1),
        single(psetex),
        "string",
        "2.6.0",
        "O(1)",
        "Sets a key to a string with a time to live in milliseconds.",
    ),
    def(
        "getset",
        3,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(getset),
        "string",
        "1.0.0",
        "O(1)",
        "Replaces the string at a key and replies with the value it held before.",
    ),
    def(
        "getdel",
        2,
        W.or(FAST),
        S,
        keys(1, 1, 1),
        single(getdel),
        "string",
        "6.2.0",
        "O(1)",
        "Replies with the string at a key and removes the key.",
    ),
    def(
        "getex",
        -2,
        W.or(FAST),
        S,
        keys(1, 1, 1),
        single(getex),
        "string",
        "6.2.0",
        "O(1)",
        "Replies with the string at a key, optionally changing or removing its time to live.",
    ),
    def(
        "mget",
        -2,
        R.or(FAST),
        S,
        keys(1, -1, 1),
        Route::Shard {
            op: mget,
            cross: Cross::Split {
                part: mget_part,
                group: 1,
                merge: Merge::Array,
            },
        },
        "string",
        "1.0.0",
        "O(N) where N is the number of keys to retrieve.",
        "Atomically returns the string values of one or more keys.",
    ),
    def(
        "mset",
        -3,
        W.or(DENYOOM),
        S,
        keys(1, -1, 2),
        Route::Shard {
            op: mset,
            cross: Cross::Split {
                part: mset_part,
                group: 2,
                merge: Merge::Ok,
            },
        },
        "string",
        "1.0.1",
        "O(N) where N is the number of keys to set.",
        "Atomically creates or modifies the string values of one or more keys.",
    ),
    def(
        "msetnx",
        -3,
        W.or(DENYOOM),
        S,
        keys(1, -1, 2),
        coord(msetnx, CoordCmd::MsetNx),
        "string",
        "1.0.1",
        "O(N) where N is the number of keys to set.",
        "Sets several keys to strings, all of them or none when any one already exists.",
    ),
    def(
        "incr",
        2,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(incr),
        "string",
        "1.0.0",
        "O(1)",
        "Adds one to the integer stored at a key, starting from 0 when it is absent.",
    ),
    def(
        "decr",
        2,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(decr),
        "string",
        "1.0.0",
        "O(1)",
        "Subtracts one from the integer stored at a key, starting from 0 when it is absent.",
    ),
    def(
        "incrby",
        3,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(incrby),
        "string",
        "1.0.0",
        "O(1)",
        "Adds an integer to the integer stored at a key, starting from 0 when it is absent.",
    ),
    def(
        "decrby",
        3,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(decrby),
        "string",
        "1.0.0",
        "O(1)",
        "Subtracts an integer from the integer stored at a key, starting from 0 when absent.",
    ),
    def(
        "incrbyfloat",
        3,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(incrbyfloat),
        "string",
        "2.6.0",
        "O(1)",
        "Adds a decimal number to the number stored at a key, starting from 0 when absent.",
    ),
    def(
        "append",
        3,
        W.or(DENYOOM).or(FAST),
        S,
        keys(1, 1, 1),
        single(append),
        "string",
        "2.0.0",
        "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
        "Adds bytes at the end of a string, creating the key when it is absent.",
    ),
    def(
        "strlen",
        2,
        R.or(FAST),
        S,
        keys(1, 1, 1),
        single(strlen),
        "string",
        "2.2.0",
        "O(1)",
        "Replies with the length in bytes of the string at a key.",
    ),
    def(
        "getrange",
        4,
        R,
        S,
        keys(1, 1, 1),
        single(getrange),
        "string",
        "2.4.0",
        "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
        "Replies with the bytes of a string between two offsets.",
    ),
    def(
        "substr",
        4,
        R,
        S,
        keys(1, 1, 1),
        single(getrange),
        "string",
        "1.0.0",
        "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
        "Replies with the bytes of a string between two offsets (the old name of GETRANGE).",
    ),
    def(
        "setrange",
        4,
        W.or(DENYOOM),
        S,
        keys(1, 1, 1),
        single(setrange),
        "string",
        "2.2.0",
        "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
        "Writes bytes into a string at an offset, padding it with zero bytes as needed.",
    ),
    def(
        "lcs",
        -3,
        R,
        S,
        keys(1, 2, 1),
        coord(lcs, CoordCmd::Lcs),
        "string",
        "7.0.0",
        "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        "Finds the longest common subsequence of the strings at two keys.",
    ),
];

/// Reads a string value for a read command (`lookupKeyRead`: counts a hit or a miss):
/// `Ok(None)` if absent, WRONGTYPE for other types.
pub(crate) fn read_string<'a>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a Value>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) if e.value.is_string() => Ok(Some(&e.value)),
        Some(_) => Err(OpError::WrongType),
    }
}

/// Writes a string value as a bulk reply.
pub(crate) fn reply_string(cx: &mut Cx<'_>, v: &Value) {
    match v {
        Value::Int(n) => cx.out.bulk_int(*n),
        Value::Str(b) => cx.out.bulk(b.as_bytes()),
        Value::Raw(b) => cx.out.bulk(b),
        // Callers check the type first; a non-string never reaches here.
        _ => cx.out.null(),
    }
}

/// Redis's `checkStringLength`: a string of `len + extra` bytes may not exceed `max`
/// (`proto-max-bulk-len`).
pub(crate) fn check_string_len(max: u64, len: u64, extra: u64) -> OpResult {
    match len.checked_add(extra) {
        Some(total) if total <= max => Ok(()),
        _ => Err(OpError::msg(STRING_TOO_LONG)),
    }
}

/// `GET key`
pub fn get(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    match read_string(sh.db(cx.db), a[1], cx.now_ms)? {
        Some(v) => reply_string(cx, v),
        None => cx.out.null(),
    }
    Ok(())
}

/// When a SET-style command makes the key expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Drop any TTL.
    Clear,
    /// Keep the current TTL (KEEPTTL).
    Keep,
    /// Expire at this Unix millisecond.
    At(i64),
}

/// The unit of an EX/PX/EXAT/PXAT argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireUnit {
    RelSec,
    RelMs,
    AbsSec,
    AbsMs,
}

impl ExpireUnit {
    fn parse(o: &[u8]) -> Option<ExpireUnit> {
        if args::is(o, "EX") {
            Some(ExpireUnit::RelSec)
        } else if args::is(o, "PX") {
            Some(ExpireUnit::RelMs)
        } else if args::is(o, "EXAT") {
            Some(ExpireUnit::AbsSec)
        } else if args::is(o, "PXAT") {
            Some(ExpireUnit::AbsMs)
        } else {
            None
        }
    }

    fn seconds(self) -> bool {
        matches!(self, ExpireUnit::RelSec | ExpireUnit::AbsSec)
    }

    fn relative(self) -> bool {
        matches!(self, ExpireUnit::RelSec | ExpireUnit::RelMs)
    }
}

/// Parsed `SET` arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct SetArgs {
    pub nx: bool,
    pub xx: bool,
    pub get: bool,
    pub expiry: Expiry,
}

impl SetArgs {
    /// Parses the options after `SET key value`.
    ///
    /// # Format
    /// `SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-seconds |
    /// PXAT unix-milliseconds | KEEPTTL]`
    pub fn parse(opts: &[&[u8]], now_ms: i64) -> Result<SetArgs, OpError> {
        let mut out = SetArgs {
            nx: false,
            xx: false,
            get: false,
            expiry: Expiry::Clear,
        };
        let mut keep_ttl = false;
        let mut expire: Option<(ExpireUnit, &[u8])> = None;
        let mut i = 0;
        while i < opts.len() {
            let o = opts[i];
            let next = opts.get(i + 1).copied();
            if args::is(o, "NX") && !out.xx {
                out.nx = true;
            } else if args::is(o, "XX") && !out.nx {
                out.xx = true;
            } else if args::is(o, "GET") {
                out.get = true;
            } else if args::is(o, "KEEPTTL") && expire.is_none() {
                keep_ttl = true;
            } else if let (Some(unit), Some(n)) = (ExpireUnit::parse(o), next) {
                // The same unit may repeat (the last one wins); mixing units is an error.
                if keep_ttl || expire.as_ref().is_some_and(|(u, _)| *u != unit) {
                    return Err(OpError::Syntax);
                }
                expire = Some((unit, n));
                i += 1;
            } else {
                return Err(OpError::Syntax);
            }
            i += 1;
        }
        if keep_ttl {
            out.expiry = Expiry::Keep;
        }
        if let Some((unit, n)) = expire {
            out.expiry = Expiry::At(expire_ms(n, unit.seconds(), unit.relative(), now_ms)?);
        }
        Ok(out)
    }
}

/// Turns an expire argument into absolute Unix milliseconds with Redis's checks: not an
/// integer → `ERR value is not an integer...`; zero, negative or overflowing → `ERR invalid
/// expire time in '<cmd>' command`.
pub fn expire_ms(arg: &[u8], seconds: bool, relative: bool, now_ms: i64) -> Result<i64, OpError> {
    let n = args::int(arg)?;
    if n <= 0 || (seconds && n > i64::MAX / 1000) {
        return Err(OpError::InvalidExpire);
    }
    let mut ms = if seconds { n * 1000 } else { n };
    if relative {
        ms = ms.checked_add(now_ms).ok_or(OpError::InvalidExpire)?;
    }
    Ok(ms)
}

/// The shared body of SET, SETNX, SETEX, PSETEX: sets `key` unless the NX/XX condition fails.
/// Returns whether the value was set.
pub fn set_value(db: &mut Db, key: &[u8], value: &[u8], opts: &SetArgs, now: i64) -> bool {
    let found = db.contains(key, now);
    if (opts.nx && found) || (opts.xx && !found) {
        return false;
    }
    let v = Value::string(value);
    match opts.expiry {
        Expiry::Keep => db.set_keep_ttl(key, v, now),
        Expiry::Clear => {
            db.set(key, v, now);
        }
        Expiry::At(at) => {
            db.set(key, v, now);
            db.set_expire(key, at);
        }
    }
    true
}

/// `SET key value [NX | XX] [GET] [EX | PX | EXAT | PXAT time | KEEPTTL]`
pub fn set(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opts = SetArgs::parse(&a[3..], cx.now_ms)?;
    let db = sh.db(cx.db);
    if opts.get {
        // The old value is the reply, whether or not the condition lets the SET happen.
        match read_string(db, a[1], cx.now_ms)? {
            Some(v) => {
                let v = v.clone();
                reply_string(cx, &v);
            }
            None => cx.out.null(),
        }
    }
    let done = set_value(sh.db(cx.db), a[1], a[2], &opts, cx.now_ms);
    if done {
        sh.dirty += 1;
    }
    if !opts.get {
        if done {
            cx.out.ok();
        } else {
            cx.out.null();
        }
    }
    Ok(())
}

/// `SETNX key value`: `:1` if the key was set, `:0` if it existed.
pub fn setnx(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opts = SetArgs {
        nx: true,
        xx: false,
        get: false,
        expiry: Expiry::Clear,
    };
    let done = set_value(sh.db(cx.db), a[1], a[2], &opts, cx.now_ms);
    if done {
        sh.dirty += 1;
    }
    cx.out.int(i64::from(done));
    Ok(())
}

/// `SETEX key seconds value`
pub fn setex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    set_with_ttl(sh, cx, a, true)
}

/// `PSETEX key milliseconds value`
pub fn psetex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    set_with_ttl(sh, cx, a, false)
}

fn set_with_ttl(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], seconds: bool) -> OpResult {
    let at = expire_ms(a[2], seconds, true, cx.now_ms)?;
    let opts = SetArgs {
        nx: false,
        xx: false,
        get: false,
        expiry: Expiry::At(at),
    };
    set_value(sh.db(cx.db), a[1], a[3], &opts, cx.now_ms);
    sh.dirty += 1;
    cx.out.ok();
    Ok(())
}

/// `GETSET key value`: sets the value (dropping any TTL) and replies with the old one.
pub fn getset(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    match read_string(db, a[1], cx.now_ms)? {
        Some(v) => reply_string(cx, v),
        None => cx.out.null(),
    }
    db.set(a[1], Value::string(a[2]), cx.now_ms);
    sh.dirty += 1;
    Ok(())
}

/// `GETDEL key`: replies with the value and deletes the key.
pub fn getdel(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    match read_string(db, a[1], cx.now_ms)? {
        Some(v) => reply_string(cx, v),
        None => {
            cx.out.null();
            return Ok(());
        }
    }
    if db.delete(a[1]).is_some() {
        sh.dirty += 1;
    }
    Ok(())
}

/// What GETEX does to the key's TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GetExAction<'a> {
    Keep,
    Persist,
    /// The expire argument is only checked once the key is known to hold a string.
    Expire(ExpireUnit, &'a [u8]),
}

impl<'a> GetExAction<'a> {
    /// Parses the options after `GETEX key`.
    ///
    /// # Format
    /// `GETEX key [EX seconds | PX milliseconds | EXAT unix-seconds | PXAT unix-milliseconds |
    /// PERSIST]`
    fn parse(opts: &[&'a [u8]]) -> Result<GetExAction<'a>, OpError> {
        let mut action = GetExAction::Keep;
        let mut i = 0;
        while i < opts.len() {
            let o = opts[i];
            let next = opts.get(i + 1).copied();
            match (action, ExpireUnit::parse(o), next) {
                (GetExAction::Keep | GetExAction::Persist, None, _) if args::is(o, "PERSIST") => {
                    action = GetExAction::Persist;
                }
                (GetExAction::Keep, Some(unit), Some(n)) => {
                    action = GetExAction::Expire(unit, n);
                    i += 1;
                }
                // The same unit may repeat; the last value wins.
                (GetExAction::Expire(u, _), Some(unit), Some(n)) if u == unit => {
                    action = GetExAction::Expire(unit, n);
                    i += 1;
                }
                _ => return Err(OpError::Syntax),
            }
            i += 1;
        }
        Ok(action)
    }
}

/// `GETEX key [EX | PX | EXAT | PXAT time | PERSIST]`
pub fn getex(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let action = GetExAction::parse(&a[2..])?;
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    let Some(v) = read_string(db, a[1], now)? else {
        cx.out.null();
        return Ok(());
    };
    let at = match action {
        GetExAction::Expire(unit, n) => Some(expire_ms(n, unit.seconds(), unit.relative(), now)?),
        _ => None,
    };
    reply_string(cx, v);
    match (action, at) {
        // An absolute time already past deletes the key, as an expired key would be.
        (GetExAction::Expire(unit, _), Some(at)) if !unit.relative() && at <= now => {
            db.delete(a[1]);
            sh.dirty += 1;
        }
        (_, Some(at)) => {
            db.set_expire(a[1], at);
            sh.dirty += 1;
        }
        (GetExAction::Persist, None) => sh.dirty += u64::from(db.persist(a[1])),
        _ => {}
    }
    Ok(())
}

/// `MGET key [key ...]` with every key on this shard.
pub fn mget(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    cx.out.array(a.len() - 1);
    for key in &a[1..] {
        mget_one(sh, cx, key);
    }
    Ok(())
}

/// One key of an MGET split across shards: `[name, key]`, replies the value or nil.
pub fn mget_part(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    mget_one(sh, cx, a[1]);
    Ok(())
}

fn mget_one(sh: &mut Shard, cx: &mut Cx<'_>, key: &[u8]) {
    match sh.db(cx.db).get(key, cx.now_ms) {
        Some(e) if e.value.is_string() => {
            let v = e.value.clone();
            reply_string(cx, &v);
        }
        _ => cx.out.null(),
    }
}

/// `MSET key value [key value ...]` with every key on this shard.
pub fn mset(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    if a.len().is_multiple_of(2) {
        return Err(OpError::WrongArity);
    }
    for pair in a[1..].chunks(2) {
        sh.db(cx.db).set(pair[0], Value::string(pair[1]), cx.now_ms);
    }
    sh.dirty += (a.len() / 2) as u64;
    cx.out.ok();
    Ok(())
}

/// One pair of an MSET split across shards: `[name, key, value]`.
pub fn mset_part(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    sh.db(cx.db).set(a[1], Value::string(a[2]), cx.now_ms);
    sh.dirty += 1;
    cx.out.ok();
    Ok(())
}

/// `MSETNX key value [key value ...]` with every key on this shard: sets them all (`:1`), or
/// nothing if any key exists (`:0`).
pub fn msetnx(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    if a.len().is_multiple_of(2) {
        return Err(OpError::WrongArity);
    }
    let db = sh.db(cx.db);
    if a[1..].chunks(2).any(|pair| db.contains(pair[0], cx.now_ms)) {
        cx.out.int(0);
        return Ok(());
    }
    for pair in a[1..].chunks(2) {
        db.set(pair[0], Value::string(pair[1]), cx.now_ms);
    }
    sh.dirty += (a.len() / 2) as u64;
    cx.out.int(1);
    Ok(())
}

/// The integer a string value holds, by Redis's strict rules (`string2ll`).
fn value_to_i64(v: &Value) -> Result<i64, OpError> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::Str(b) => parse_i64_strict(b.as_bytes()).ok_or(OpError::NotInteger),
        Value::Raw(b) => parse_i64_strict(b).ok_or(OpError::NotInteger),
        _ => Err(OpError::WrongType),
    }
}

/// The body of INCR, DECR, INCRBY and DECRBY: adds `delta`, keeping the TTL, and replies with
/// the new value.
fn incr_by(sh: &mut Shard, cx: &mut Cx<'_>, key: &[u8], delta: i64) -> OpResult {
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    let new = match db.get_mut(key, now) {
        Some(e) => {
            if !e.value.is_string() {
                return Err(OpError::WrongType);
            }
            let new = value_to_i64(&e.value)?
                .checked_add(delta)
                .ok_or(OpError::Overflow)?;
            e.value = Value::Int(new);
            new
        }
        None => {
            db.set(key, Value::Int(delta), now);
            delta
        }
    };
    sh.dirty += 1;
    cx.out.int(new);
    Ok(())
}

/// `INCR key`
pub fn incr(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    incr_by(sh, cx, a[1], 1)
}

/// `DECR key`
pub fn decr(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    incr_by(sh, cx, a[1], -1)
}

/// `INCRBY key increment`
pub fn incrby(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let delta = args::int(a[2])?;
    incr_by(sh, cx, a[1], delta)
}

/// `DECRBY key decrement`
pub fn decrby(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let delta = args::int(a[2])?;
    if delta == i64::MIN {
        return Err(OpError::msg(DECREMENT_OVERFLOW));
    }
    incr_by(sh, cx, a[1], -delta)
}

/// A string value as a C `long double`, as Redis's `getLongDoubleFromObject` reads it.
pub fn value_to_long_double(v: &Value) -> Result<LongDouble, OpError> {
    match v {
        Value::Int(n) => Ok(LongDouble::from_i64(*n)),
        Value::Str(b) => LongDouble::parse(b.as_bytes()).ok_or(OpError::NotFloat),
        Value::Raw(b) => LongDouble::parse(b).ok_or(OpError::NotFloat),
        _ => Err(OpError::WrongType),
    }
}

/// `INCRBYFLOAT key increment`: the sum is computed in extended precision (see
/// [`crate::longdouble`]) and stored as the string that is replied, keeping the TTL.
pub fn incrbyfloat(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    let entry = db.get_mut(a[1], now);
    let current = match &entry {
        Some(e) if !e.value.is_string() => return Err(OpError::WrongType),
        Some(e) => value_to_long_double(&e.value)?,
        None => LongDouble::ZERO,
    };
    let incr = LongDouble::parse(a[2]).ok_or(OpError::NotFloat)?;
    let sum = current + incr;
    if !sum.is_finite() {
        return Err(OpError::msg(NAN_OR_INF));
    }
    let text = sum.to_human_string();
    // Stored as a plain string (never `int`), as Redis's createStringObjectFromLongDouble.
    let value = Value::Str(crate::key::Key::new(text.as_bytes()));
    match entry {
        Some(e) => e.value = value,
        None => {
            db.set(a[1], value, now);
        }
    }
    sh.dirty += 1;
    cx.out.bulk(text.as_bytes());
    Ok(())
}

/// `APPEND key value`: replies with the new length. A new key gets the value encoded as SET
/// would; an existing one is extended in place (and becomes `raw`), keeping its TTL.
pub fn append(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    let max = sh.config.proto_max_bulk_len;
    let db = sh.db(cx.db);
    let total = match db.get_mut(a[1], now) {
        None => {
            db.set(a[1], Value::string(a[2]), now);
            a[2].len()
        }
        Some(e) => {
            let len = e.value.string_len().ok_or(OpError::WrongType)?;
            check_string_len(max, len as u64, a[2].len() as u64)?;
            let buf = e.value.make_raw().ok_or(OpError::WrongType)?;
            buf.extend_from_slice(a[2]);
            buf.len()
        }
    };
    sh.dirty += 1;
    cx.out.int(total as i64);
    Ok(())
}

/// `STRLEN key`
pub fn strlen(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let len = match read_string(sh.db(cx.db), a[1], cx.now_ms)? {
        Some(v) => v.string_len().unwrap_or(0),
        None => 0,
    };
    cx.out.int(len as i64);
    Ok(())
}

/// Clamps a `start`/`end` pair of possibly negative offsets to `0..len` as GETRANGE does;
/// `None` when the range is empty.
fn clamp_range(start: i64, end: i64, len: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

/// `GETRANGE key start end` (and its old name `SUBSTR`).
pub fn getrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let start = args::int(a[2])?;
    let end = args::int(a[3])?;
    let Some(v) = read_string(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.bulk(b"");
        return Ok(());
    };
    let bytes = v.as_bytes().unwrap_or_default();
    match clamp_range(start, end, bytes.len() as i64) {
        Some((s, e)) => cx.out.bulk(&bytes[s..=e]),
        None => cx.out.bulk(b""),
    }
    Ok(())
}

/// `SETRANGE key offset value`: replies with the new length. Writing nothing changes nothing
/// (not even the encoding); a missing key is created zero-padded; an existing value is edited
/// in place (and becomes `raw`), keeping its TTL.
pub fn setrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let offset = args::int(a[2])?;
    if offset < 0 {
        return Err(OpError::msg(OFFSET_OUT_OF_RANGE));
    }
    let (offset, value) = (offset as u64, a[3]);
    let now = cx.now_ms;
    let max = sh.config.proto_max_bulk_len;
    let db = sh.db(cx.db);
    let total = match db.get_mut(a[1], now) {
        None => {
            if value.is_empty() {
                cx.out.int(0);
                return Ok(());
            }
            check_string_len(max, offset, value.len() as u64)?;
            let mut buf = vec![0u8; offset as usize + value.len()];
            buf[offset as usize..].copy_from_slice(value);
            let total = buf.len();
            db.set(a[1], Value::Raw(buf), now);
            total
        }
        Some(e) => {
            let len = e.value.string_len().ok_or(OpError::WrongType)?;
            if value.is_empty() {
                cx.out.int(len as i64);
                return Ok(());
            }
            check_string_len(max, offset, value.len() as u64)?;
            let (start, end) = (offset as usize, offset as usize + value.len());
            let buf = e.value.make_raw().ok_or(OpError::WrongType)?;
            if buf.len() < end {
                buf.resize(end, 0);
            }
            buf[start..end].copy_from_slice(value);
            buf.len()
        }
    };
    sh.dirty += 1;
    cx.out.int(total as i64);
    Ok(())
}

/// Parsed LCS options.
#[derive(Debug, Default, PartialEq, Eq)]
struct LcsArgs {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: u64,
}

impl LcsArgs {
    /// Parses the options after `LCS key1 key2`.
    ///
    /// # Format
    /// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]`
    fn parse(opts: &[&[u8]]) -> Result<LcsArgs, OpError> {
        let mut out = LcsArgs::default();
        let mut i = 0;
        while i < opts.len() {
            let o = opts[i];
            if args::is(o, "IDX") {
                out.idx = true;
            } else if args::is(o, "LEN") {
                out.len = true;
            } else if args::is(o, "WITHMATCHLEN") {
                out.with_match_len = true;
            } else if args::is(o, "MINMATCHLEN") && i + 1 < opts.len() {
                // A negative minimum means no minimum.
                out.min_match_len = args::int(opts[i + 1])?.max(0) as u64;
                i += 1;
            } else {
                return Err(OpError::Syntax);
            }
            i += 1;
        }
        if out.len && out.idx {
            return Err(OpError::msg(LCS_LEN_AND_IDX));
        }
        Ok(out)
    }
}

/// One matching range of an `LCS ... IDX` reply: inclusive offsets in each string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LcsMatch {
    a: (usize, usize),
    b: (usize, usize),
}

impl LcsMatch {
    fn len(&self) -> usize {
        self.a.1 - self.a.0 + 1
    }
}

/// The longest common subsequence of `a` and `b` and the ranges where the two strings match
/// contiguously, listed from the end of the strings backwards as Redis lists them.
fn lcs_compute(a: &[u8], b: &[u8], table: &mut Vec<u32>) -> (Vec<u8>, Vec<LcsMatch>) {
    let (alen, blen) = (a.len(), b.len());
    let width = blen + 1;
    table.clear();
    table.resize((alen + 1) * width, 0);
    // table[i * width + j] = length of the LCS of a[..i] and b[..j].
    for i in 1..=alen {
        for j in 1..=blen {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let at = |i: usize, j: usize| table[i * width + j];
    let total = at(alen, blen) as usize;
    let mut seq = vec![0u8; total];
    let mut matches = Vec::new();
    let mut k = total;
    let (mut i, mut j) = (alen, blen);
    // The range being extended backwards, if any.
    let mut current: Option<LcsMatch> = None;
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            seq[k - 1] = a[i - 1];
            match &mut current {
                None => {
                    current = Some(LcsMatch {
                        a: (i - 1, i - 1),
                        b: (j - 1, j - 1),
                    })
                }
                Some(m) if m.a.0 == i && m.b.0 == j => {
                    m.a.0 -= 1;
                    m.b.0 -= 1;
                }
                Some(_) => emit = true,
            }
            // A range touching the start of either string cannot grow further.
            if current.is_some_and(|m| m.a.0 == 0 || m.b.0 == 0) {
                emit = true;
            }
            k -= 1;
            i -= 1;
            j -= 1;
        } else {
            if at(i - 1, j) > at(i, j - 1) {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = current.is_some();
        }
        if emit {
            if let Some(m) = current.take() {
                matches.push(m);
            }
        }
    }
    (seq, matches)
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]` with both keys on this shard.
pub fn lcs(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    let mut fetch = |key: &[u8]| -> Result<Vec<u8>, OpError> {
        match sh.db(cx.db).get(key, now) {
            None => Ok(Vec::new()),
            Some(e) => match e.value.as_bytes() {
                Some(b) if e.value.is_string() => Ok(b.into_owned()),
                _ => Err(OpError::msg(LCS_WRONGTYPE)),
            },
        }
    };
    // Both keys are looked up (and type-checked) before the options are parsed.
    let x = fetch(a[1]);
    let y = fetch(a[2]);
    let (x, y) = (x?, y?);
    let opts = LcsArgs::parse(&a[3..])?;
    if x.len() >= u32::MAX as usize - 1 || y.len() >= u32::MAX as usize - 1 {
        return Err(OpError::msg(LCS_TOO_LONG));
    }
    let cells = (x.len() as u64 + 1) * (y.len() as u64 + 1);
    if cells.saturating_mul(4) > sh.config.proto_max_bulk_len {
        return Err(OpError::msg(LCS_TABLE_TOO_BIG));
    }
    let mut table: Vec<u32> = Vec::new();
    if table.try_reserve_exact(cells as usize).is_err() {
        return Err(OpError::msg(LCS_ALLOC_FAILED));
    }
    let (seq, matches) = lcs_compute(&x, &y, &mut table);
    if opts.idx {
        let shown: Vec<&LcsMatch> = matches
            .iter()
            .filter(|m| opts.min_match_len == 0 || m.len() as u64 >= opts.min_match_len)
            .collect();
        cx.out.map(2);
        cx.out.bulk(b"matches");
        cx.out.array(shown.len());
        for m in shown {
            cx.out.array(2 + usize::from(opts.with_match_len));
            cx.out.array(2);
            cx.out.int(m.a.0 as i64);
            cx.out.int(m.a.1 as i64);
            cx.out.array(2);
            cx.out.int(m.b.0 as i64);
            cx.out.int(m.b.1 as i64);
            if opts.with_match_len {
                cx.out.int(m.len() as i64);
            }
        }
        cx.out.bulk(b"len");
        cx.out.int(seq.len() as i64);
    } else if opts.len {
        cx.out.int(seq.len() as i64);
    } else {
        cx.out.bulk(&seq);
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::lookup;
    use crate::error;
    use crate::testkit::{run, run_in, run_raw};
    use corekv_proto::RespWriter;

    const NOW: i64 = 1_000_000;

    fn bulk(s: &str) -> String {
        format!("${}\r\n{s}\r\n", s.len())
    }

    fn int(n: i64) -> String {
        format!(":{n}\r\n")
    }

    fn err(msg: &str) -> String {
        format!("-{msg}\r\n")
    }

    const NIL: &str = "$-1\r\n";

    /// Runs a command with binary arguments; the reply bytes.
    fn runb(s: &mut Shard, args: &[&[u8]]) -> Vec<u8> {
        let mut out = RespWriter::new(false);
        run_raw(s, 0, args, &mut out);
        out.into_inner()
    }

    fn encoding(s: &Shard, key: &str) -> &'static str {
        s.dbs[0]
            .peek(key.as_bytes(), s.now_ms())
            .map_or("none", |e| e.value.encoding())
    }

    fn expire_at(s: &Shard, key: &str) -> Option<i64> {
        s.dbs[0]
            .peek(key.as_bytes(), s.now_ms())
            .and_then(|e| e.expire_at())
    }

    #[test]
    fn get_set_basics() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["GET", "k"]), NIL);
        assert_eq!(run(&mut s, &["SET", "k", "v"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("v"));
        assert_eq!(run(&mut s, &["SET", "k", "12"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("12"));
        assert_eq!(run(&mut s, &["SET", "k", ""]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GET", "k"]), bulk(""));
        assert_eq!(run_in(&mut s, 0, true, &["GET", "nokey"]), "_\r\n");
    }

    #[test]
    fn set_options() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "k", "v", "NX"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "w", "NX"]), NIL);
        assert_eq!(run(&mut s, &["SET", "k", "w", "XX", "GET"]), bulk("v"));
        assert_eq!(run(&mut s, &["SET", "k", "x", "NX", "GET"]), bulk("w"));
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("w"));
        assert_eq!(run(&mut s, &["SET", "n", "x", "XX"]), NIL);
        assert_eq!(run(&mut s, &["SET", "n", "x", "XX", "GET"]), NIL);
        assert_eq!(run(&mut s, &["EXISTS", "n"]), int(0));
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "NX", "XX"]),
            err(error::SYNTAX)
        );
        for bad in [
            &["SET", "k", "v", "EX", "10", "PX", "100"][..],
            &["SET", "k", "v", "KEEPTTL", "EX", "1"],
            &["SET", "k", "v", "EX", "1", "KEEPTTL"],
            &["SET", "k", "v", "EX"],
            &["SET", "k", "v", "foo"],
        ] {
            assert_eq!(run(&mut s, bad), err(error::SYNTAX), "{bad:?}");
        }
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "0"]),
            err("ERR invalid expire time in 'set' command")
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "x"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "9223372036854775807"]),
            err("ERR invalid expire time in 'set' command")
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "PX", "9223372036854775807"]),
            err("ERR invalid expire time in 'set' command")
        );
        // The same option twice: the last value wins.
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "10", "EX", "20"]),
            "+OK\r\n"
        );
        assert_eq!(expire_at(&s, "k"), Some(NOW + 20_000));
        assert_eq!(
            run(&mut s, &["SET", "k"]),
            err("ERR wrong number of arguments for 'set' command")
        );
    }

    #[test]
    fn set_expiry_and_keepttl() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "k", "v", "PX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "w", "KEEPTTL"]), "+OK\r\n");
        s.clock.advance(99);
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("w"));
        s.clock.advance(1);
        assert_eq!(run(&mut s, &["GET", "k"]), NIL);
        assert_eq!(run(&mut s, &["SET", "k", "v", "EXAT", "1001"]), "+OK\r\n");
        s.clock.set(1_000_999);
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("v"));
        s.clock.set(1_001_000);
        assert_eq!(run(&mut s, &["GET", "k"]), NIL);
        // A plain SET drops the TTL.
        assert_eq!(run(&mut s, &["SET", "k", "v", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "v"]), "+OK\r\n");
        assert_eq!(expire_at(&s, "k"), None);
    }

    #[test]
    fn setnx_setex_psetex() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SETNX", "k", "foobared"]), int(1));
        assert_eq!(run(&mut s, &["SETNX", "k", "blabla"]), int(0));
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("foobared"));
        // SETNX against a volatile key: no change while it lives, a new key once it expired.
        assert_eq!(run(&mut s, &["SETEX", "x", "10", "10"]), "+OK\r\n");
        assert_eq!(expire_at(&s, "x"), Some(NOW + 10_000));
        assert_eq!(encoding(&s, "x"), "int");
        assert_eq!(run(&mut s, &["SETNX", "x", "20"]), int(0));
        assert_eq!(run(&mut s, &["GET", "x"]), bulk("10"));
        s.clock.advance(10_000);
        assert_eq!(run(&mut s, &["SETNX", "x", "20"]), int(1));
        assert_eq!(run(&mut s, &["GET", "x"]), bulk("20"));
        assert_eq!(expire_at(&s, "x"), None);

        assert_eq!(run(&mut s, &["PSETEX", "p", "1500", "v"]), "+OK\r\n");
        assert_eq!(expire_at(&s, "p"), Some(s.now_ms() + 1500));
        // SETEX replaces the value and the TTL of an existing key.
        assert_eq!(run(&mut s, &["SETEX", "p", "100", "w"]), "+OK\r\n");
        assert_eq!(expire_at(&s, "p"), Some(s.now_ms() + 100_000));
        assert_eq!(run(&mut s, &["GET", "p"]), bulk("w"));
        for (cmd, t) in [("SETEX", "0"), ("SETEX", "-1"), ("PSETEX", "0")] {
            assert_eq!(
                run(&mut s, &[cmd, "k", t, "v"]),
                err(&format!(
                    "ERR invalid expire time in '{}' command",
                    cmd.to_lowercase()
                ))
            );
        }
        assert_eq!(
            run(&mut s, &["SETEX", "k", "9223372036854775807", "v"]),
            err("ERR invalid expire time in 'setex' command")
        );
        assert_eq!(
            run(&mut s, &["SETEX", "k", "1.5", "v"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(run(&mut s, &["GET", "k"]), bulk("foobared"));
        assert_eq!(
            run(&mut s, &["SETEX", "k", "10"]),
            err("ERR wrong number of arguments for 'setex' command")
        );
    }

    #[test]
    fn getset_and_getdel() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["GETSET", "foo", "xyz"]), NIL);
        assert_eq!(run(&mut s, &["GET", "foo"]), bulk("xyz"));
        assert_eq!(run(&mut s, &["SET", "foo", "bar", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GETSET", "foo", "123"]), bulk("bar"));
        assert_eq!(run(&mut s, &["GET", "foo"]), bulk("123"));
        assert_eq!(encoding(&s, "foo"), "int");
        // GETSET is a SET: the TTL goes.
        assert_eq!(expire_at(&s, "foo"), None);

        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["GETDEL", "foo"]), bulk("123"));
        assert_eq!(run(&mut s, &["GETDEL", "foo"]), NIL);
        assert_eq!(run(&mut s, &["EXISTS", "foo"]), int(0));
        assert_eq!(s.dirty, dirty + 1);
        // An expired key is not there to delete.
        assert_eq!(run(&mut s, &["SET", "v", "1", "PX", "10"]), "+OK\r\n");
        s.clock.advance(10);
        assert_eq!(run(&mut s, &["GETDEL", "v"]), NIL);
    }

    #[test]
    fn getex_options() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "foo", "bar"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GETEX", "foo"]), bulk("bar"));
        assert_eq!(expire_at(&s, "foo"), None);
        assert_eq!(run(&mut s, &["GETEX", "foo", "EX", "10"]), bulk("bar"));
        assert_eq!(expire_at(&s, "foo"), Some(NOW + 10_000));
        assert_eq!(run(&mut s, &["GETEX", "foo", "px", "500"]), bulk("bar"));
        assert_eq!(expire_at(&s, "foo"), Some(NOW + 500));
        assert_eq!(run(&mut s, &["GETEX", "foo", "EXAT", "2000"]), bulk("bar"));
        assert_eq!(expire_at(&s, "foo"), Some(2_000_000));
        assert_eq!(
            run(&mut s, &["GETEX", "foo", "PXAT", "1500000"]),
            bulk("bar")
        );
        assert_eq!(expire_at(&s, "foo"), Some(1_500_000));
        // Repeating the same option is allowed, the last one wins.
        assert_eq!(
            run(&mut s, &["GETEX", "foo", "EX", "10", "EX", "20"]),
            bulk("bar")
        );
        assert_eq!(expire_at(&s, "foo"), Some(NOW + 20_000));
        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["GETEX", "foo", "PERSIST"]), bulk("bar"));
        assert_eq!(expire_at(&s, "foo"), None);
        assert_eq!(s.dirty, dirty + 1);
        // PERSIST on a key without a TTL changes nothing.
        assert_eq!(
            run(&mut s, &["GETEX", "foo", "persist", "PERSIST"]),
            bulk("bar")
        );
        assert_eq!(s.dirty, dirty + 1);
        // An absolute time in the past deletes the key (after replying with it).
        assert_eq!(run(&mut s, &["GETEX", "foo", "PXAT", "1"]), bulk("bar"));
        assert_eq!(run(&mut s, &["EXISTS", "foo"]), int(0));
        assert_eq!(s.dirty, dirty + 2);
        assert_eq!(run(&mut s, &["SET", "foo", "bar"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["GETEX", "foo", "EXAT", &(NOW / 1000).to_string()]),
            bulk("bar")
        );
        assert_eq!(run(&mut s, &["EXISTS", "foo"]), int(0));
    }

    #[test]
    fn getex_errors() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "k", "v"]), "+OK\r\n");
        for bad in [
            &["GETEX", "k", "non-existent-option"][..],
            &["GETEX", "k", "PERSIST", "EX", "10"],
            &["GETEX", "k", "EX", "10", "PERSIST"],
            &["GETEX", "k", "EX", "10", "PX", "10"],
            &["GETEX", "k", "EX"],
            &["GETEX", "k", "KEEPTTL"],
            &["GETEX", "k", "NX"],
            &["GETEX", "k", "GET"],
        ] {
            assert_eq!(run(&mut s, bad), err(error::SYNTAX), "{bad:?}");
        }
        // Syntax is checked first, even for a missing key...
        assert_eq!(run(&mut s, &["GETEX", "nokey", "foo"]), err(error::SYNTAX));
        // ...but the time value only for a key that holds a string.
        assert_eq!(run(&mut s, &["GETEX", "nokey", "EX", "abc"]), NIL);
        assert_eq!(
            run(&mut s, &["GETEX", "k", "EX", "abc"]),
            err(error::NOT_INTEGER)
        );
        for (opt, t) in [
            ("EX", "0"),
            ("PX", "-1"),
            ("EXAT", "0"),
            ("EX", "9223372036854775807"),
            ("PX", "9223372036854775807"),
            ("EXAT", "9223372036854775807"),
        ] {
            assert_eq!(
                run(&mut s, &["GETEX", "k", opt, t]),
                err("ERR invalid expire time in 'getex' command"),
                "{opt} {t}"
            );
        }
        assert_eq!(expire_at(&s, "k"), None);
        assert_eq!(
            run(&mut s, &["GETEX"]),
            err("ERR wrong number of arguments for 'getex' command")
        );
    }

    #[test]
    fn mget_mset_msetnx() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["MSET", "a", "1", "b", "2"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["MGET", "a", "x", "b"]),
            "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n"
        );
        assert_eq!(
            run(&mut s, &["MSET", "a", "1", "b"]),
            err("ERR wrong number of arguments for 'mset' command")
        );
        assert_eq!(
            run(&mut s, &["MSETNX", "x", "20", "y", "foo bar", "z"]),
            err("ERR wrong number of arguments for 'msetnx' command")
        );
        let dirty = s.dirty;
        assert_eq!(
            run(&mut s, &["MSETNX", "x1", "xxx", "y2", "yyy", "a", "20"]),
            int(0)
        );
        assert_eq!(run(&mut s, &["EXISTS", "x1", "y2"]), int(0));
        assert_eq!(s.dirty, dirty);
        assert_eq!(run(&mut s, &["MSETNX", "x1", "xxx", "y2", "yyy"]), int(1));
        assert_eq!(
            run(&mut s, &["MGET", "x1", "y2"]),
            "*2\r\n$3\r\nxxx\r\n$3\r\nyyy\r\n"
        );
        assert_eq!(s.dirty, dirty + 2);
        // The same key twice: the last value wins, or nothing happens.
        assert_eq!(run(&mut s, &["MSETNX", "n", "xxx", "n", "yyy"]), int(1));
        assert_eq!(run(&mut s, &["GET", "n"]), bulk("yyy"));
        assert_eq!(run(&mut s, &["MSETNX", "n", "xxx", "n", "zzz"]), int(0));
        assert_eq!(run(&mut s, &["GET", "n"]), bulk("yyy"));
        // An expired key does not block MSETNX.
        assert_eq!(run(&mut s, &["SET", "e", "1", "PX", "5"]), "+OK\r\n");
        s.clock.advance(5);
        assert_eq!(run(&mut s, &["MSETNX", "e", "2"]), int(1));
        assert_eq!(encoding(&s, "e"), "int");
    }

    #[test]
    fn incr_decr_family() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["INCR", "novar"]), int(1));
        assert_eq!(run(&mut s, &["GET", "novar"]), bulk("1"));
        assert_eq!(run(&mut s, &["INCR", "novar"]), int(2));
        assert_eq!(run(&mut s, &["SET", "novar", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCR", "novar"]), int(101));
        assert_eq!(run(&mut s, &["SET", "novar", "17179869184"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCR", "novar"]), int(17179869185));
        assert_eq!(run(&mut s, &["SET", "novar", "17179869184"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["INCRBY", "novar", "17179869184"]),
            int(34359738368)
        );
        assert_eq!(run(&mut s, &["SET", "novar", "17179869184"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["DECRBY", "novar", "17179869185"]), int(-1));
        assert_eq!(run(&mut s, &["DECR", "novar"]), int(-2));
        assert_eq!(run(&mut s, &["DECR", "fresh"]), int(-1));
        assert_eq!(run(&mut s, &["DECRBY", "fresh2", "5"]), int(-5));
        for v in [
            "    11", "11    ", " 11 ", "1.5", "abc", "", "0x10", "+1", "012",
        ] {
            assert_eq!(run(&mut s, &["SET", "bad", v]), "+OK\r\n");
            assert_eq!(
                run(&mut s, &["INCR", "bad"]),
                err(error::NOT_INTEGER),
                "{v:?}"
            );
        }
        assert_eq!(
            run(&mut s, &["SET", "bad", "12345678901234567890123"]),
            "+OK\r\n"
        );
        assert_eq!(run(&mut s, &["INCR", "bad"]), err(error::NOT_INTEGER));
        assert_eq!(
            run(&mut s, &["INCRBY", "x", "1.0"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(run(&mut s, &["EXISTS", "x"]), int(0));
    }

    #[test]
    fn incr_overflow_and_encodings() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "x", "0"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["DECRBY", "x", "-9223372036854775808"]),
            err(error::DECREMENT_OVERFLOW)
        );
        assert_eq!(run(&mut s, &["SET", "n", "9223372036854775807"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCR", "n"]), err(error::OVERFLOW));
        assert_eq!(run(&mut s, &["DECR", "n"]), int(9223372036854775806));
        assert_eq!(
            run(&mut s, &["SET", "m", "-9223372036854775808"]),
            "+OK\r\n"
        );
        assert_eq!(run(&mut s, &["DECR", "m"]), err(error::OVERFLOW));
        assert_eq!(run(&mut s, &["INCRBY", "m", "-1"]), err(error::OVERFLOW));
        assert_eq!(
            run(&mut s, &["INCRBY", "m", "9223372036854775807"]),
            int(-1)
        );
        // A counter is stored as an integer whatever the value looked like before.
        assert_eq!(run(&mut s, &["APPEND", "r", "1"]), int(1));
        assert_eq!(run(&mut s, &["APPEND", "r", "23"]), int(3));
        assert_eq!(encoding(&s, "r"), "raw");
        assert_eq!(run(&mut s, &["INCR", "r"]), int(124));
        assert_eq!(encoding(&s, "r"), "int");
        // INCR keeps the TTL.
        assert_eq!(run(&mut s, &["SET", "t", "1", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCRBY", "t", "10"]), int(11));
        assert_eq!(expire_at(&s, "t"), Some(NOW + 100_000));
        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["INCR", "t"]), int(12));
        assert_eq!(
            run(&mut s, &["INCRBY", "t", "9223372036854775807"]),
            err(error::OVERFLOW)
        );
        assert_eq!(s.dirty, dirty + 1);
    }

    #[test]
    fn incrbyfloat_basics() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "novar", "1"]), bulk("1"));
        assert_eq!(run(&mut s, &["GET", "novar"]), bulk("1"));
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "novar", "0.25"]), bulk("1.25"));
        assert_eq!(run(&mut s, &["SET", "novar", "1.5"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "novar", "1.5"]), bulk("3"));
        assert_eq!(run(&mut s, &["SET", "novar", "17179869184"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "novar", "1.5"]),
            bulk("17179869185.5")
        );
        assert_eq!(run(&mut s, &["SET", "novar", "17179869184"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "novar", "17179869184"]),
            bulk("34359738368")
        );
        // Extended precision: what f64 would print as 0.30000000000000004.
        assert_eq!(run(&mut s, &["SET", "f", "0.1"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "f", "0.2"]), bulk("0.3"));
        assert_eq!(run(&mut s, &["SET", "f", "1"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "f", "-1.1"]), bulk("-0.1"));
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "f", "5.0e3"]),
            bulk("4999.89999999999999991")
        );
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "f", "0x10"]),
            bulk("5015.89999999999999991")
        );
        // The result is stored as a string (embstr), even when integral.
        assert_eq!(run(&mut s, &["SET", "g", "10.5"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "g", "0.5"]), bulk("11"));
        assert_eq!(encoding(&s, "g"), "embstr");
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "g", "1e30"]),
            bulk("1000000000000000000024696061952")
        );
        // No negative zero.
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "z", "0.024390243902439025"]),
            bulk("0.02439024390243902")
        );
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "z", "-0.024390243902439025"]),
            bulk("0")
        );
        assert_eq!(run(&mut s, &["GET", "z"]), bulk("0"));
        // The TTL stays.
        assert_eq!(run(&mut s, &["SET", "t", "1", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["INCRBYFLOAT", "t", "1.5"]), bulk("2.5"));
        assert_eq!(expire_at(&s, "t"), Some(NOW + 100_000));
    }

    #[test]
    fn incrbyfloat_errors() {
        let mut s = Shard::for_tests(NOW);
        for v in ["    11", "11    ", " 11 ", "abc", "nan", ""] {
            assert_eq!(run(&mut s, &["SET", "bad", v]), "+OK\r\n");
            assert_eq!(
                run(&mut s, &["INCRBYFLOAT", "bad", "1.0"]),
                err(error::NOT_FLOAT),
                "{v:?}"
            );
        }
        assert_eq!(run(&mut s, &["SET", "foo", "0"]), "+OK\r\n");
        for inc in ["+inf", "-inf", "1e5000"] {
            let want = if inc == "1e5000" {
                error::NOT_FLOAT
            } else {
                error::NAN_OR_INF
            };
            assert_eq!(run(&mut s, &["INCRBYFLOAT", "foo", inc]), err(want));
        }
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "foo", "1 "]),
            err(error::NOT_FLOAT)
        );
        // A value with an embedded NUL is not a number.
        assert_eq!(run(&mut s, &["SET", "foo", "1"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SETRANGE", "foo", "2", "2"]), int(3));
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "foo", "1"]),
            err(error::NOT_FLOAT)
        );
        // Overflowing the extended range.
        assert_eq!(run(&mut s, &["SET", "big", "1e4932"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "big", "1e4932"]),
            err(error::NAN_OR_INF)
        );
        assert_eq!(run(&mut s, &["EXISTS", "nokey"]), int(0));
        assert_eq!(
            run(&mut s, &["INCRBYFLOAT", "nokey", "x"]),
            err(error::NOT_FLOAT)
        );
        assert_eq!(run(&mut s, &["EXISTS", "nokey"]), int(0));
    }

    /// `(value before or None for a missing key, increment, reply)` recorded from Redis 7.0.15
    /// on x86-64 (random sequences of INCRBYFLOAT; error replies start with `-`).
    #[rustfmt::skip]
    const INCRBYFLOAT_REDIS: &[(Option<&str>, &str, &str)] = &[
        (Some("1e5000"), "0.8765492782867", "-ERR value is not a valid float"),
        (Some("abc"), "0.7", "-ERR value is not a valid float"),
        (Some(" 1"), "-959243398438751293", "-ERR value is not a valid float"),
        (Some("722.202"), "1e-5000", "-ERR value is not a valid float"),
        (Some("-3.7649364582117558"), "1 ", "-ERR value is not a valid float"),
        (Some("18.700"), "nan", "-ERR value is not a valid float"),
        (Some("820000000079.72000002861022949"), "1 ", "-ERR value is not a valid float"),
        (Some("-6.381348574973947"), "1e-5000", "-ERR value is not a valid float"),
        (Some("inf"), "403.64", "-ERR increment would produce NaN or Infinity"),
        (Some("407101754310808788.4375"), "nan", "-ERR value is not a valid float"),
        (Some("4.56489053351279267"), "1e5000", "-ERR value is not a valid float"),
        (Some("1e5000"), "-4.8595729731082761", "-ERR value is not a valid float"),
        (Some("-174.173"), "1 ", "-ERR value is not a valid float"),
        (Some("139832190933988285.1328125"), "nan", "-ERR value is not a valid float"),
        (Some(" 1"), "-429.305", "-ERR value is not a valid float"),
        (Some("9.1104964256777753"), "1 ", "-ERR value is not a valid float"),
        (Some(" 1"), "-44.30", "-ERR value is not a valid float"),
        (Some("-363.7"), "-inf", "-ERR increment would produce NaN or Infinity"),
        (Some("0.8"), "abc", "-ERR value is not a valid float"),
        (Some("1 "), "565.29", "-ERR value is not a valid float"),
        (Some("inf"), "-167469540103918895", "-ERR increment would produce NaN or Infinity"),
        (Some("inf"), "2.231041731810295", "-ERR increment would produce NaN or Infinity"),
        (Some("29300686.03941560000021127"), "1 ", "-ERR value is not a valid float"),
        (Some("-inf"), "739530961596683134", "-ERR increment would produce NaN or Infinity"),
        (Some("-553737465222907605.75"), "abc", "-ERR value is not a valid float"),
        (Some("-4.24342567607742481"), "1e5000", "-ERR value is not a valid float"),
        (Some("489512252905501604"), "1e-5000", "-ERR value is not a valid float"),
        (None, "1 ", "-ERR value is not a valid float"),
        (Some("588.6221287686576219"), " 1", "-ERR value is not a valid float"),
        (Some("4.481717965557840"), "nan", "-ERR value is not a valid float"),
        (Some("913.69999999999999996"), "nan", "-ERR value is not a valid float"),
        (Some("-613742502559921320.8125"), "-inf", "-ERR increment would produce NaN or Infinity"),
        (Some("-4330983.58784476359960536"), "1e5000", "-ERR value is not a valid float"),
        (Some("-inf"), "-7.4197548439119342701", "-ERR increment would produce NaN or Infinity"),
        (Some(" 1"), "-796.07", "-ERR value is not a valid float"),
        (Some("1e5000"), "0.22423011641320845", "-ERR value is not a valid float"),
        (Some("nan"), "-0.921150452", "-ERR value is not a valid float"),
        (Some("66e-14"), "1 ", "-ERR value is not a valid float"),
        (Some("inf"), "998.711", "-ERR increment would produce NaN or Infinity"),
        (Some("inf"), "-590674169593883058", "-ERR increment would produce NaN or Infinity"),
        (None, "-528.05", "-528.04999999999999999"),
        (None, "0.7906827110103792668", "0.79068271101037927"),
        (None, "561.838", "561.83800000000000002"),
        (None, "809.1", "809.09999999999999998"),
        (None, "-94919.28555218095", "-94919.28555218094999901"),
        (None, "0.28921840", "0.2892184"),
        (None, "749.4", "749.40000000000000002"),
        (None, "365.521", "365.52099999999999999"),
        (None, "-800.58", "-800.58000000000000002"),
        (None, "527465299456379780", "527465299456379780"),
        (None, "-1656.382370027991", "-1656.38237002799099995"),
        (None, "0.88177015", "0.88177015"),
        (None, "754077597713862739", "754077597713862739"),
        (None, "-709344182408128812", "-709344182408128812"),
        (None, "-970.7", "-970.70000000000000001"),
        (None, "0.24", "0.24"),
        (None, "-795.3", "-795.29999999999999999"),
        (None, "-215.287", "-215.28700000000000001"),
        (None, "0.62842556488695", "0.62842556488695"),
        (None, "0.639", "0.639"),
        (None, "-884.401", "-884.40100000000000002"),
        (None, "0.972923487380759", "0.972923487380759"),
        (None, "0.587563938", "0.587563938"),
        (None, "-288380916460007328", "-288380916460007328"),
        (None, "87.115", "87.115"),
        (None, "381.24", "381.23999999999999999"),
        (None, "-920.85", "-920.84999999999999998"),
        (None, "624.284", "624.28399999999999997"),
        (None, "657.5", "657.5"),
        (None, "41e19", "410000000000000000000"),
        (None, "20.66", "20.66"),
        (None, "0.43026655936298662", "0.43026655936298662"),
        (None, "4582.065049396525", "4582.06504939652500008"),
        (None, "-929831662350313226", "-929831662350313226"),
        (None, "-6.679245256016910194", "-6.67924525601691019"),
        (None, "0.96562185430472868604", "0.96562185430472869"),
        (None, "0.121684", "0.121684"),
        (None, "-402.902", "-402.902"),
        (None, "-346.7298119591289", "-346.72981195912890001"),
        (None, "-0.1098060039339", "-0.1098060039339"),
        (None, "1.0858990423256192", "1.0858990423256192"),
        (None, "2.80730277315018801", "2.80730277315018801"),
        (None, "-2.850213072498748490", "-2.85021307249874849"),
        (None, "966.232", "966.23199999999999998"),
        (None, "-0.236421058237993", "-0.236421058237993"),
        (None, "193.64", "193.64"),
        (None, "243.767", "243.767"),
        (None, "59202328.61459102", "59202328.61459101999935228"),
        (None, "-0.18833255888", "-0.18833255888"),
        (None, "-0.6241", "-0.6241"),
        (Some("679.447"), "26e-15", "679.44700000000002599"),
        (Some("7.284257744865605"), "16209.544680257226", "16216.82893800209160506"),
        (Some("396.7"), "-342.832", "53.86800000000000002"),
        (Some("-219.44008928217126"), "2.17968406365181020", "-217.26040521851944981"),
        (Some("2.9895876842030984668"), "85e17", "8500000000000000003"),
        (Some("840.70000000000000001"), "-0.27500250055580874", "840.4249974994441913"),
        (Some("-87e-4"), "76e7", "759999999.9912999999942258"),
        (Some("24.440106158974405"), "-40e14", "-3999999999999975.559814453125"),
        (Some("-33e-12"), "568.35", "568.34999999996699999"),
        (Some("170.91999999999999998"), "0x10", "186.91999999999999998"),
        (Some("-0.952514346081081"), "431061781885959432", "431061781885959431.0625"),
        (Some("-377537241653746106.875"), "62e14", "-371337241653746106.875"),
        (Some("458645165790735804"), "-92.96413331886666", "458645165790735711.03125"),
        (Some("-5.28139665826804842"), "2.2820043210325857298", "-2.99939233723546269"),
        (Some("-41041784112839826.171875"), "-5.49474168134936867", "-41041784112839831.66796875"),
        (Some("0.2"), "-40e22", "-400000000000000000000000"),
        (Some("-1.4103204780304301"), "489659032471132877", "489659032471132875.59375"),
        (Some("9.3074053502303377915"), "468.945", "478.2524053502303378"),
        (Some("952.24199999620000001"), "-8.305879405846038296", "943.93612059035396172"),
        (Some("-370.9"), "-56.303269194854664", "-427.20326919485466399"),
        (Some("188.12567765100000003"), "638.23", "826.35567765100000004"),
        (Some("55.924033762572014"), "-160.8", "-104.875966237427986"),
        (Some("-722178904804789350"), "-49e-6", "-722178904804789350"),
        (Some("917026326905577641"), "-9.9", "917026326905577631.125"),
        (Some("633.2"), "1.206201215910596201", "634.40620121591059621"),
        (Some("-50e6"), "334014489567006143", "334014489517006143"),
        (Some("888.79898517107563133"), "89e12", "89000000000888.79898834228515625"),
        (Some("-102.71"), "72e7", "719999897.28999999997904524"),
        (Some("695824296496448280.5625"), "-59e16", "105824296496448280.5625"),
        (Some("2.081695"), "-69599.6868421845", "-69597.60514718449999805"),
        (Some("-173.916241"), "-16e-3", "-173.932241"),
        (Some("365470838651929194.375"), "-0.46695622", "365470838651929193.90625"),
        (Some("1.3538011997296237"), "761.761", "763.11480119972962372"),
        (Some("-386.7150189335162089"), "147.6", "-239.1150189335162089"),
        (Some("-322.54"), "85174704358029419", "85174704358029096.4609375"),
        (Some("-37e18"), "-97e23", "-9700036999999999999737856"),
        (Some("-47e-17"), "0.5464458835023907", "0.54644588350239023"),
        (Some("991971740083590167"), "-754.8", "991971740083589412.1875"),
        (Some("0.010112"), "-78e2", "-7799.9898880000000001"),
        (Some("5.807652590062224112"), "21e21", "21000000000000000000000"),
        (Some("8400000000000000000000000"), "667678254818565192", "8400000667678254818656256"),
        (Some("-4494012.04681614912988152"), "0.686889233", "-4494011.35992691613000716"),
        (Some("992.98517918914526942"), "221.6", "1214.58517918914526945"),
        (Some("910000000000000000033554432"), "-0.91935671400425", "910000000000000000033554432"),
        (Some("-1.53128062087"), "-31e13", "-310000000000001.531280517578125"),
        (Some("-6.06961049344729886"), "720664052405505801", "720664052405505794.9375"),
        (Some("579.435"), "-412.41", "167.02499999999999999"),
        (Some("-320000000000433432.09375"), "-6.1698959174175872", "-320000000000433438.25"),
        (Some("1405558.320554369100023"), "632567187992011755", "632567187993417313.3125"),
        (Some("0.910280064623565"), "419730053525267365", "419730053525267365.90625"),
        (Some("255.33274305997850159"), "0.56723739348097453", "255.89998045345947612"),
        (Some("443.1"), "56e-20", "443.10000000000000001"),
        (Some("728.20676781110931641"), "72e-11", "728.20676781182931642"),
        (Some("815.24169312792204051"), "318.86", "1134.10169312792204055"),
        (Some("133839376776803786.4609375"), "922670615132171665", "1056509991908975451.4375"),
        (Some("365470838651929193.90625"), "553784549938618346", "919255388590547539.875"),
        (Some("533879036389260016.8125"), "635.75", "533879036389260652.5625"),
        (Some("-1779572.02209768357613484"), "-2.21672849456104506", "-1779574.23882617813717388"),
        (Some("1704451.29304089836000458"), "0.84198944755965822", "1704452.13503034591963115"),
        (Some("11935080.62828214664295956"), "-0.8324572", "11935079.79582494664282422"),
        (Some("0.00926223732020717"), "-8.332481798607612607", "-8.32321956128740544"),
        (Some("-240.87560523020153171"), "-5.129247118907381", "-246.0048523491089127"),
        (Some("-1675.376"), "24.2", "-1651.17600000000000005"),
        (Some("8.655672130417264"), "626.6", "635.255672130417264"),
        (Some("5.25531216605769097"), "-0.654783784957746249", "4.60052838109994472"),
        (Some("139935591323013382"), "-745.4", "139935591323012636.6015625"),
        (Some("633.8"), "8.521780069412410156", "642.32178006941241016"),
        (Some("-0.8289070533978395"), "812.97", "812.14109294660216049"),
        (Some("940840578473458095.9375"), "3.0e-20", "940840578473458095.9375"),
        (Some("0.35055994780644517"), "5.67628985561445729", "6.02684980342090246"),
        (Some("0.72829346701130"), "-831.285", "-830.55670653298869999"),
        (Some("0.40183904"), "86e-11", "0.40183904086"),
        (Some("-0.41000000000002"), "1.51487802872084808", "1.10487802872082808"),
        (Some("6462933.25670178300015323"), "682.9047500968321", "6463616.16145187983238429"),
        (Some("468422260568259635.03125"), "436.3168733311843", "468422260568260071.34375"),
        (Some("389.9060041820677395"), "0.15489053165913", "390.0608947137268695"),
        (Some("-9589.610139837549"), "-11e12", "-11000000009589.61013984680175781"),
        (Some("-736141099908190980"), "-685.33", "-736141099908191665.3125"),
        (Some("1793292242095485200"), "-390.9", "1793292242095484809.125"),
        (Some("740.18"), "104.517", "844.69700000000000001"),
        (Some("30.5146291346010644"), "7.667227926215322", "38.1818570608163864"),
        (Some("2.4578104076423868565"), "-677.353", "-674.89518959235761314"),
        (Some("2.327932918115254"), "-73429333.10286424", "-73429330.77493132188101299"),
        (Some("824.70"), "-23e12", "-22999999999175.29999923706054688"),
        (Some("-375757385938059347"), "-470.901", "-375757385938059817.90625"),
        (Some("733880612475175590.9375"), "-355286020968511797", "378594591506663793.9375"),
        (Some("-730394751323479906.1875"), "945.7", "-730394751323478960.5"),
        (Some("7.167068348653617932"), "-2.692947249824858001", "4.47412109882875993"),
        (Some("230.15844658686097256"), "1.690245378561962316", "231.84869196542293487"),
        (Some("137332832830156630"), "-692.607", "137332832830155937.390625"),
        (Some("1341.17700000000000005"), "31665562062413807", "31665562062415148.177734375"),
        (Some("-668085911603426112.4375"), "9.7086695267185382940", "-668085911603426102.75"),
        (Some("-3.01190083820398536"), "-69e3", "-69003.01190083820398513"),
        (Some("688458473994382562"), "755.793", "688458473994383317.8125"),
        (Some("951446.2824909186"), ".5", "951446.78249091859998998"),
        (Some("-5.28139665826804837"), "-50e-18", "-5.28139665826804842"),
        (Some("-1359.72306000000000004"), "9e-15", "-1359.72305999999999104"),
        (Some("-732.543"), "5.5563557633400580858", "-726.98664423665994189"),
        (Some("117.65"), "0.44373963091294156479", "118.09373963091294157"),
        (Some("910.27"), "983.123", "1893.39300000000000002"),
        (Some("708.4"), "-0.8961703866982455", "707.50382961330175452"),
        (Some("-75e9"), "45.64419612220105", "-74999999954.35580387711524963"),
        (Some("785.95"), "87.6", "873.54999999999999999"),
        (Some("-1.67592709714094204"), "0.52860008780", "-1.14732700934094204"),
        (Some("278.939"), "-184468.59310144436", "-184189.65410144436000905"),
        (Some("12.504"), "7.2305665999260584434", "19.73456659992605844"),
        (Some("0.590173901"), "-113.74", "-113.149826099"),
        (Some("0.4055692735103182"), "6.9878787485056722", "7.3934480220159904"),
        (Some("0.117887202"), "131.1", "131.217887202"),
        (Some("120.8"), "830.20", "951"),
        (Some(".5"), "-8.291271757255657", "-7.791271757255657"),
        (Some("9.199911235035668"), "0.8", "9.999911235035668"),
        (Some("0.5"), "-914.245", "-913.745"),
        (Some("525.557"), "0.066857015977", "525.623857015977"),
        (Some("1141.94999999999999996"), "699.8", "1841.75"),
        (Some("0.36"), "-0.227102", "0.132898"),
        (Some("0.56"), "0.1928451", "0.7528451"),
        (Some("9.024306947132980"), "2.537423851254104", "11.561730798387084"),
        (Some("39.76"), "0.66888035", "40.42888035"),
        (Some("206.3"), "-716.8", "-510.5"),
        (Some("292923472711649522"), "81.0", "292923472711649603"),
        (Some("0x1p3"), "-88.24263606856474", "-80.24263606856474"),
        (Some("2.862337500673910"), "0.18778", "3.05011750067391"),
        (Some("-920.84999999999999998"), "0.1322631927982", "-920.7177368072018"),
        (Some("700029999999995500"), "294.0", "700029999999995794"),
        (Some("-0.6"), "-0.26707", "-0.86707"),
        (Some("0.0366"), "0.79968920326", "0.83628920326"),
        (Some("0.83594"), "-0.799", "0.03694"),
        (Some("-0.51"), "751.634", "751.124"),
        (Some("338.20000000000000001"), "157.86", "496.06"),
        (Some("0.40183904086"), "0.854969095927", "1.256808136787"),
        (Some("-573.00498453511195901"), "153648416988039313", "153648416988038740"),
        (Some("9.064012941040977"), "0.45835570922933010", "9.5223686502703071"),
        (Some("0.085531622682"), "0.9", "0.985531622682"),
        (Some("2.738652055237939"), "5.484407943218036", "8.223059998455975"),
        (Some("0.633"), "-3.059398953079262", "-2.426398953079262"),
        (Some("0.9407"), "0.138410739643", "1.079110739643"),
        (Some("-0.689664181"), "669.11", "668.420335819"),
        (Some("-8.391543722935142"), "6.894870446537293", "-1.496673276397849"),
        (Some("7.383016606000175"), "0.8216923460853031", "8.2047089520854781"),
        (Some("-206.39999999999999999"), "0.348378680", "-206.05162132"),
        (Some("82.9"), "-0.0096702343219", "82.8903297656781"),
        (Some("0.532361148918916"), "0.160508017", "0.692869165918916"),
        (Some("-45.31258373729398"), "-0.20942112998", "-45.52200486727398"),
        (Some("5."), "0.9031771119952711", "5.9031771119952711"),
        (Some("259.9869304522099"), "5.", "264.9869304522099"),
        (Some("0.0043317696666"), "577947803576375379", "577947803576375379"),
        (Some("-0.370"), "-0.71010059", "-1.08010059"),
        (Some("0.84263199744"), "0.5424", "1.38503199744"),
        (Some("0.6884699086"), "0.404362", "1.0928319086"),
        (Some("0.5258"), "0.35145", "0.87725"),
        (Some("-463.88"), "-5.0", "-468.88"),
        (Some("0x10"), "5.998761528219909", "21.998761528219909"),
        (Some("-97.51159447312907"), "0.83214924", "-96.67944523312907"),
        (Some("0.5875046691359"), "-0.7417071522562", "-0.1542024831203"),
        (Some("0.6008251208501"), "-95.52739358325601", "-94.92656846240591"),
        (Some("7.4088325662564635"), "0.50333662614986", "7.9121691924063235"),
        (Some("2.2773654324191885"), "0.881633569395738", "3.1589990018149265"),
        (Some("0.51309458615916"), "85.974", "86.48709458615916"),
        (Some("785.5888211394589"), "0.1801036", "785.7689247394589"),
        (Some("0.5257126"), "-0.854856936", "-0.329144336"),
        (Some("-0.77708361860230"), "0.209680", "-0.5674036186023"),
        (Some("9.7660825404067075"), "0.00574754600", "9.7718300864067075"),
        (Some("0.83628920326"), "780.50", "781.33628920326"),
        (Some("0.4568818579589242"), "0.0047585863388904", "0.4616404442978146"),
        (Some("92.0"), "5.", "97"),
        (Some("0.158468"), "7.435654588542789804", "7.5941225885427898"),
        (Some("764099356132602441"), "26879721128378869", "790979077260981310"),
        (Some("453510653247674618"), "+3", "453510653247674621"),
        (Some("0.3984330018922610"), "-0.725", "-0.326566998107739"),
        (Some("0.63155"), "0.94750001", "1.57905001"),
        (Some("0.0361903371431383"), "9.476779501421011", "9.5129698385641493"),
        (Some("16.774"), "-54.3", "-37.526"),
        (Some("-646.5136"), "-117.0", "-763.5136"),
        (Some("0.31926639586329"), "6.666335750104169", "6.985602145967459"),
        (Some("5."), "170.122", "175.122"),
        (Some("5.0000000076"), "1.808185622560203", "6.808185630160203"),
        (Some("-0.422226229458407"), "0.3", "-0.122226229458407"),
        (Some("0.2"), "0.8131", "1.0131"),
        (Some("0.3768637572865"), "0.5430653660413847", "0.9199291233278847"),
        (Some("458645165790735711.03125"), "5.95962291402021331", "458645165790735717"),
        (Some("723.0"), "-0.43129792", "722.56870208"),
        (Some("191.12"), "-0.42508", "190.69492"),
        (Some("3.17"), "0.8042240", "3.974224"),
        (Some("68.52"), "-157.4", "-88.88"),
        (Some("0.935878"), "-0.849298481", "0.086579519"),
        (Some("-8.1301297612867674"), "8.603736102024603", "0.4736063407378356"),
        (Some("-4.9636067665620440"), "0.931597234305779", "-4.032009532256265"),
        (Some("0.5"), "-0.249720698351", "0.250279301649"),
        (Some("8.190882215131288"), "-0.85813136412193", "7.332750851009358"),
        (Some("-4.570933088427481"), "5.28", "0.709066911572519"),
        (Some("-18.99"), "461320840451482155", "461320840451482136"),
        (Some("-9.6"), "-0.9", "-10.5"),
        (Some("-12.915"), "-0.170", "-13.085"),
        (Some("37.03"), "-3.590210688753171", "33.439789311246829"),
        (Some("843.09899999999999998"), "711.9", "1554.999"),
        (Some("86.4"), "0.196084173549197", "86.596084173549197"),
        (Some("0.076782811"), "0.4728701761706", "0.5496529871706"),
        (Some("0.755161"), "0.9106150039831", "1.6657760039831"),
        (Some("0.0670"), "0.487151126929063", "0.554151126929063"),
        (Some("595694244806426329"), "3.01701220791786299", "595694244806426332"),
        (Some(".5"), "1470.1201632656346", "1470.6201632656346"),
        (Some("0.2756989929700785"), "1.368650506772888", "1.6443494997429665"),
        (Some("2.31205105726736"), "3.2639861932085665", "5.5760372504759265"),
        (Some("0.33533"), "0.2521746691359", "0.5875046691359"),
        (Some("963.40580083"), "-206.69", "756.71580083"),
        (Some("-0.130234173538"), "0.9001396828825", "0.7699055093445"),
        (Some("0.41288913296340268"), "8.4447146364932736180", "8.8576037694566763"),
        (Some("-0.16"), "5.", "4.84"),
        (Some("951482787294124653"), "-6.9861160975805523", "951482787294124646"),
        (Some("3.455327122435586"), "60.30", "63.755327122435586"),
        (Some("0.451267"), "0.927032", "1.378299"),
        (Some("1.8226386934832298"), "-0.8741599242824887", "0.9484787692007411"),
        (Some("+3"), "990634364454314258", "990634364454314261"),
        (Some("0.4243933205853446"), "0.788625257472990", "1.2130185780583346"),
        (Some("0.2846"), "27.896", "28.1806"),
    ];

    #[test]
    fn incrbyfloat_matches_redis() {
        let mut s = Shard::for_tests(NOW);
        for &(before, incr, want) in INCRBYFLOAT_REDIS {
            s.dbs[0].delete(b"k");
            if let Some(v) = before {
                assert_eq!(run(&mut s, &["SET", "k", v]), "+OK\r\n");
            }
            let got = run(&mut s, &["INCRBYFLOAT", "k", incr]);
            if want.starts_with("-ERR") {
                assert_eq!(got, format!("{want}\r\n"), "{before:?} + {incr}");
            } else {
                assert_eq!(got, bulk(want), "{before:?} + {incr}");
                assert_eq!(run(&mut s, &["GET", "k"]), bulk(want));
            }
        }
    }

    #[test]
    fn append_and_strlen() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["STRLEN", "nokey"]), int(0));
        // A new key is encoded as SET would encode it.
        assert_eq!(run(&mut s, &["APPEND", "a", "123"]), int(3));
        assert_eq!(encoding(&s, "a"), "int");
        assert_eq!(run(&mut s, &["APPEND", "b", "hello"]), int(5));
        assert_eq!(encoding(&s, "b"), "embstr");
        // Appending edits in place and makes the value raw, even appending nothing.
        assert_eq!(run(&mut s, &["APPEND", "b", " world"]), int(11));
        assert_eq!(encoding(&s, "b"), "raw");
        assert_eq!(run(&mut s, &["GET", "b"]), bulk("hello world"));
        assert_eq!(run(&mut s, &["APPEND", "a", ""]), int(3));
        assert_eq!(encoding(&s, "a"), "raw");
        // Appending nothing to a missing key creates an empty string.
        assert_eq!(run(&mut s, &["APPEND", "e", ""]), int(0));
        assert_eq!(run(&mut s, &["EXISTS", "e"]), int(1));
        assert_eq!(run(&mut s, &["STRLEN", "e"]), int(0));
        assert_eq!(run(&mut s, &["SET", "myinteger", "-555"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["STRLEN", "myinteger"]), int(4));
        assert_eq!(
            run(&mut s, &["SET", "mystring", "foozzz0123456789 baz"]),
            "+OK\r\n"
        );
        assert_eq!(run(&mut s, &["STRLEN", "mystring"]), int(20));
        // The TTL stays.
        assert_eq!(run(&mut s, &["SET", "t", "1", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["APPEND", "t", "2"]), int(2));
        assert_eq!(expire_at(&s, "t"), Some(NOW + 100_000));
        assert_eq!(run(&mut s, &["INCR", "t"]), int(13));
    }

    #[test]
    fn append_and_setrange_obey_proto_max_bulk_len() {
        let mut s = Shard::for_tests(NOW);
        s.config.proto_max_bulk_len = 1 << 20;
        let max = 1 << 20;
        assert_eq!(
            run(&mut s, &["SETRANGE", "k", &(max - 1).to_string(), "x"]),
            int(max)
        );
        assert_eq!(run(&mut s, &["STRLEN", "k"]), int(max));
        assert_eq!(
            run(&mut s, &["APPEND", "k", "y"]),
            err(error::STRING_TOO_LONG)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "k", &max.to_string(), "x"]),
            err(error::STRING_TOO_LONG)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "k2", &(max - 1).to_string(), "xy"]),
            err(error::STRING_TOO_LONG)
        );
        assert_eq!(run(&mut s, &["EXISTS", "k2"]), int(0));
        // Writing nothing is never too long.
        assert_eq!(
            run(&mut s, &["SETRANGE", "k", "9223372036854775807", ""]),
            int(max)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "k", "9223372036854775807", "A"]),
            err(error::STRING_TOO_LONG)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "k", "9223372036854775808", "A"]),
            err(error::NOT_INTEGER)
        );
    }

    #[test]
    fn getrange_and_substr() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["GETRANGE", "mykey", "0", "-1"]), bulk(""));
        assert_eq!(
            run(&mut s, &["GETRANGE", "mykey", "a", "1"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(run(&mut s, &["SET", "mykey", "Hello World"]), "+OK\r\n");
        for (start, end, want) in [
            ("0", "3", "Hell"),
            ("0", "-1", "Hello World"),
            ("-4", "-1", "orld"),
            ("5", "3", ""),
            ("5", "5000", " World"),
            ("-5000", "10000", "Hello World"),
            ("-1", "-100", ""),
            ("0", "4294967297", "Hello World"),
            ("-9223372036854775808", "9223372036854775807", "Hello World"),
        ] {
            assert_eq!(
                run(&mut s, &["GETRANGE", "mykey", start, end]),
                bulk(want),
                "{start} {end}"
            );
            assert_eq!(run(&mut s, &["SUBSTR", "mykey", start, end]), bulk(want));
        }
        assert_eq!(run(&mut s, &["SET", "mykey", "1234"]), "+OK\r\n");
        for (start, end, want) in [
            ("0", "2", "123"),
            ("0", "-1", "1234"),
            ("-3", "-1", "234"),
            ("5", "3", ""),
            ("3", "5000", "4"),
            ("-5000", "10000", "1234"),
        ] {
            assert_eq!(run(&mut s, &["GETRANGE", "mykey", start, end]), bulk(want));
        }
        assert_eq!(run(&mut s, &["SET", "e", ""]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GETRANGE", "e", "0", "-1"]), bulk(""));
        // Against a model of Redis's clamping, over every small range.
        let text = "0123456789";
        for start in -12..12 {
            for end in -12..12 {
                let n = text.len() as i64;
                let (mut a, mut b) = (start, end);
                if a < 0 {
                    a += n;
                }
                if b < 0 {
                    b += n;
                }
                let (a, b) = (a.max(0), b.max(0).min(n - 1));
                let want = if (start < 0 && end < 0 && start > end) || a > b {
                    ""
                } else {
                    &text[a as usize..=b as usize]
                };
                assert_eq!(
                    clamp_range(start, end, n).map(|(a, b)| &text[a..=b]),
                    (!want.is_empty()).then_some(want)
                );
            }
        }
    }

    #[test]
    fn setrange_cases() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SETRANGE", "mykey", "0", "foo"]), int(3));
        assert_eq!(run(&mut s, &["GET", "mykey"]), bulk("foo"));
        assert_eq!(encoding(&s, "mykey"), "raw");
        s.dbs[0].delete(b"mykey");
        assert_eq!(run(&mut s, &["SETRANGE", "mykey", "0", ""]), int(0));
        assert_eq!(run(&mut s, &["EXISTS", "mykey"]), int(0));
        assert_eq!(run(&mut s, &["SETRANGE", "mykey", "1", "foo"]), int(4));
        assert_eq!(run(&mut s, &["GET", "mykey"]), bulk("\0foo"));

        for (offset, value, len, want) in [
            ("0", "b", 3, "boo"),
            ("0", "", 3, "foo"),
            ("1", "b", 3, "fbo"),
            ("4", "bar", 7, "foo\0bar"),
        ] {
            assert_eq!(run(&mut s, &["SET", "mykey", "foo"]), "+OK\r\n");
            assert_eq!(run(&mut s, &["SETRANGE", "mykey", offset, value]), int(len));
            assert_eq!(run(&mut s, &["GET", "mykey"]), bulk(want));
        }
        for (offset, value, len, want, enc) in [
            ("0", "2", 4, "2234", "raw"),
            ("0", "", 4, "1234", "int"),
            ("1", "3", 4, "1334", "raw"),
            ("5", "2", 6, "1234\u{0}2", "raw"),
        ] {
            assert_eq!(run(&mut s, &["SET", "mykey", "1234"]), "+OK\r\n");
            assert_eq!(encoding(&s, "mykey"), "int");
            assert_eq!(run(&mut s, &["SETRANGE", "mykey", offset, value]), int(len));
            assert_eq!(encoding(&s, "mykey"), enc);
            assert_eq!(run(&mut s, &["GET", "mykey"]), bulk(want));
        }
        assert_eq!(run(&mut s, &["SET", "mykey", "hello"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["SETRANGE", "mykey", "-1", "world"]),
            err(error::OFFSET_OUT_OF_RANGE)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "mykey", "536870908", "world"]),
            err(error::STRING_TOO_LONG)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "nokey", "536870908", "world"]),
            err(error::STRING_TOO_LONG)
        );
        assert_eq!(
            run(&mut s, &["SETRANGE", "mykey", "x", "world"]),
            err(error::NOT_INTEGER)
        );
        // The TTL stays; only a real write counts as one.
        assert_eq!(run(&mut s, &["SET", "t", "abc", "EX", "100"]), "+OK\r\n");
        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["SETRANGE", "t", "1", "X"]), int(3));
        assert_eq!(run(&mut s, &["SETRANGE", "t", "1", ""]), int(3));
        assert_eq!(s.dirty, dirty + 1);
        assert_eq!(expire_at(&s, "t"), Some(NOW + 100_000));
        assert_eq!(run(&mut s, &["GET", "t"]), bulk("aXc"));
    }

    const RNA1: &str = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
    const RNA2: &str = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
    const RNA_LCS: &str = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

    /// `[[a0, a1], [b0, b1](, len)]` as RESP.
    fn lcs_match(a: (i64, i64), b: (i64, i64), len: Option<i64>) -> String {
        let mut out = format!(
            "*{}\r\n*2\r\n{}{}*2\r\n{}{}",
            2 + usize::from(len.is_some()),
            int(a.0),
            int(a.1),
            int(b.0),
            int(b.1)
        );
        if let Some(l) = len {
            out.push_str(&int(l));
        }
        out
    }

    #[test]
    fn lcs_redis_vectors() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(
            run(&mut s, &["MSET", "virus1", RNA1, "virus2", RNA2]),
            "+OK\r\n"
        );
        assert_eq!(run(&mut s, &["LCS", "virus1", "virus2"]), bulk(RNA_LCS));
        assert_eq!(
            run(&mut s, &["LCS", "virus1", "virus2", "LEN"]),
            int(RNA_LCS.len() as i64)
        );
        let ranges = [
            ((238, 238), (239, 239), 1),
            ((236, 236), (238, 238), 1),
            ((229, 230), (236, 237), 2),
            ((224, 224), (235, 235), 1),
            ((1, 222), (13, 234), 222),
        ];
        let reply = |with_len: bool, min: i64| {
            let shown: Vec<String> = ranges
                .iter()
                .filter(|r| r.2 >= min)
                .map(|&(a, b, l)| lcs_match(a, b, with_len.then_some(l)))
                .collect();
            format!(
                "*4\r\n$7\r\nmatches\r\n*{}\r\n{}$3\r\nlen\r\n{}",
                shown.len(),
                shown.concat(),
                int(RNA_LCS.len() as i64)
            )
        };
        assert_eq!(
            run(&mut s, &["LCS", "virus1", "virus2", "IDX"]),
            reply(false, 0)
        );
        assert_eq!(
            run(&mut s, &["LCS", "virus1", "virus2", "IDX", "WITHMATCHLEN"]),
            reply(true, 0)
        );
        assert_eq!(
            run(
                &mut s,
                &[
                    "LCS",
                    "virus1",
                    "virus2",
                    "IDX",
                    "WITHMATCHLEN",
                    "MINMATCHLEN",
                    "5"
                ]
            ),
            reply(true, 5)
        );
    }

    #[test]
    fn lcs_options_and_errors() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["LCS", "a", "b"]), bulk(""));
        assert_eq!(run(&mut s, &["LCS", "a", "b", "LEN"]), int(0));
        assert_eq!(
            run(&mut s, &["LCS", "a", "b", "IDX"]),
            "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"
        );
        assert_eq!(
            run(&mut s, &["MSET", "a", "ohmytext", "b", "mynewtext"]),
            "+OK\r\n"
        );
        assert_eq!(run(&mut s, &["LCS", "a", "b"]), bulk("mytext"));
        assert_eq!(
            run(&mut s, &["LCS", "a", "b", "WITHMATCHLEN"]),
            bulk("mytext")
        );
        assert_eq!(
            run(&mut s, &["LCS", "a", "b", "MINMATCHLEN", "-5", "LEN"]),
            int(6)
        );
        assert_eq!(
            run(&mut s, &["LCS", "a", "b", "idx"]),
            format!(
                "*4\r\n$7\r\nmatches\r\n*2\r\n{}{}$3\r\nlen\r\n:6\r\n",
                lcs_match((4, 7), (5, 8), None),
                lcs_match((2, 3), (0, 1), None)
            )
        );
        // RESP3: a map.
        assert_eq!(
            run_in(
                &mut s,
                0,
                true,
                &["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"]
            ),
            format!(
                "%2\r\n$7\r\nmatches\r\n*1\r\n{}$3\r\nlen\r\n:6\r\n",
                lcs_match((4, 7), (5, 8), None)
            )
        );
        for (args, want) in [
            (&["IDX", "LEN"][..], error::LCS_LEN_AND_IDX),
            (&["LEN", "IDX"], error::LCS_LEN_AND_IDX),
            (&["MINMATCHLEN"], error::SYNTAX),
            (&["MINMATCHLEN", "x"], error::NOT_INTEGER),
            (&["foo"], error::SYNTAX),
        ] {
            let mut cmd = vec!["LCS", "a", "b"];
            cmd.extend_from_slice(args);
            assert_eq!(run(&mut s, &cmd), err(want), "{args:?}");
        }
        // Integer-encoded values are compared as their digits.
        assert_eq!(
            run(&mut s, &["MSET", "n1", "12345", "n2", "2945"]),
            "+OK\r\n"
        );
        assert_eq!(run(&mut s, &["LCS", "n1", "n2"]), bulk("245"));
        // The DP table may not exceed proto-max-bulk-len.
        s.config.proto_max_bulk_len = 1 << 20;
        let x = "a".repeat(511);
        assert_eq!(run(&mut s, &["MSET", "x", &x, "y", &x]), "+OK\r\n");
        assert_eq!(run(&mut s, &["LCS", "x", "y", "LEN"]), int(511));
        assert_eq!(run(&mut s, &["APPEND", "y", "a"]), int(512));
        assert_eq!(
            run(&mut s, &["LCS", "x", "y", "LEN"]),
            err(error::LCS_TABLE_TOO_BIG)
        );
        assert_eq!(
            run(&mut s, &["LCS", "a"]),
            err("ERR wrong number of arguments for 'lcs' command")
        );
    }

    #[test]
    fn lookups_count_hits_and_misses_like_redis() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "k", "v"]), "+OK\r\n");
        let stats = |s: &Shard| (s.dbs[0].stats.keyspace_hits, s.dbs[0].stats.keyspace_misses);
        // Reads count: GET, STRLEN, GETRANGE, GETEX, GETDEL, GETSET, LCS (both keys).
        for cmd in [
            &["GET", "k"][..],
            &["STRLEN", "k"],
            &["GETRANGE", "k", "0", "1"],
            &["GETEX", "k"],
            &["GETSET", "k", "v"],
        ] {
            run(&mut s, cmd);
        }
        assert_eq!(stats(&s), (5, 0));
        run(&mut s, &["LCS", "k", "nokey"]);
        assert_eq!(stats(&s), (6, 1));
        // Writes do not.
        for cmd in [
            &["INCR", "n"][..],
            &["APPEND", "k", "x"],
            &["SETRANGE", "k", "0", "y"],
            &["SETNX", "k", "z"],
            &["INCRBYFLOAT", "n", "1"],
            &["MSETNX", "k", "1"],
        ] {
            run(&mut s, cmd);
        }
        assert_eq!(stats(&s), (6, 1));
    }

    #[test]
    fn binary_safe_values() {
        let mut s = Shard::for_tests(NOW);
        let v: &[u8] = b"x x x x x x x\n\n\r\n\x00\xff";
        assert_eq!(runb(&mut s, &[b"SET", b"k", v]), b"+OK\r\n");
        let mut want = format!("${}\r\n", v.len()).into_bytes();
        want.extend_from_slice(v);
        want.extend_from_slice(b"\r\n");
        assert_eq!(runb(&mut s, &[b"GET", b"k"]), want);
        assert_eq!(runb(&mut s, &[b"APPEND", b"k", b"\x00"]), b":20\r\n");
        assert_eq!(
            runb(&mut s, &[b"GETRANGE", b"k", b"-3", b"-1"]),
            b"$3\r\n\x00\xff\x00\r\n"
        );
    }

    #[test]
    fn rows_match_redis_specs() {
        const WD: Flags = W.or(DENYOOM);
        const WDF: Flags = W.or(DENYOOM).or(FAST);
        for (name, arity, flags, keys, route) in [
            ("get", 2, R.or(FAST), (1, 1, 1), "never"),
            ("set", -3, WD, (1, 1, 1), "never"),
            ("setnx", 3, WDF, (1, 1, 1), "never"),
            ("setex", 4, WD, (1, 1, 1), "never"),
            ("psetex", 4, WD, (1, 1, 1), "never"),
            ("getset", 3, WDF, (1, 1, 1), "never"),
            ("getdel", 2, W.or(FAST), (1, 1, 1), "never"),
            ("getex", -2, W.or(FAST), (1, 1, 1), "never"),
            ("mget", -2, R.or(FAST), (1, -1, 1), "split"),
            ("mset", -3, WD, (1, -1, 2), "split"),
            ("msetnx", -3, WD, (1, -1, 2), "coord"),
            ("incr", 2, WDF, (1, 1, 1), "never"),
            ("decr", 2, WDF, (1, 1, 1), "never"),
            ("incrby", 3, WDF, (1, 1, 1), "never"),
            ("decrby", 3, WDF, (1, 1, 1), "never"),
            ("incrbyfloat", 3, WDF, (1, 1, 1), "never"),
            ("append", 3, WDF, (1, 1, 1), "never"),
            ("strlen", 2, R.or(FAST), (1, 1, 1), "never"),
            ("getrange", 4, R, (1, 1, 1), "never"),
            ("substr", 4, R, (1, 1, 1), "never"),
            ("setrange", 4, WD, (1, 1, 1), "never"),
            ("lcs", -3, R, (1, 2, 1), "coord"),
        ] {
            let d = lookup(name.as_bytes()).unwrap_or_else(|| panic!("no row {name}"));
            assert_eq!(d.arity, arity, "{name}");
            assert_eq!(d.flags, flags, "{name}");
            assert_eq!(d.keys.triple(), keys, "{name}");
            assert_eq!(d.acl, Acl::STRING, "{name}");
            assert_eq!(d.group, "string", "{name}");
            let kind = match d.route {
                Route::Shard {
                    cross: Cross::Never,
                    ..
                } => "never",
                Route::Shard {
                    cross: Cross::Split { .. },
                    ..
                } => "split",
                Route::Shard {
                    cross: Cross::Coord(_),
                    ..
                } => "coord",
                _ => "other",
            };
            assert_eq!(kind, route, "{name}");
        }
        assert_eq!(COMMANDS.len(), 22);
    }
}
