//! The string family: GET, SET and friends, counters, ranges.
//!
//! Each command is a parse step (arguments into a typed struct, leftovers rejected with
//! Redis's error) and an apply step on one database. Multi-key commands (MGET, MSET) also have
//! a per-key `part` op that the server uses when their keys span shards.

use crate::args;
use crate::cmd::{def, keys, Acl, CommandDef, Cross, Flags, Merge, Route};
use crate::db::Db;
use crate::error::{OpError, OpResult};
use crate::shard::{Cx, Shard};
use crate::value::Value;

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const S: Acl = Acl::STRING;

pub static COMMANDS: [CommandDef; 4] = [
    def(
        "get",
        2,
        R.or(FAST),
        S,
        keys(1, 1, 1),
        Route::Shard {
            op: get,
            cross: Cross::Never,
        },
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
        Route::Shard {
            op: set,
            cross: Cross::Never,
        },
        "string",
        "1.0.0",
        "O(1)",
        "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
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
];

/// Reads a string value for a read command: `Ok(None)` if absent, WRONGTYPE for other types.
fn read_string<'a>(db: &'a mut Db, key: &[u8], now: i64) -> Result<Option<&'a Value>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) if e.value.is_string() => Ok(Some(&e.value)),
        Some(_) => Err(OpError::WrongType),
    }
}

/// Writes a string value as a bulk reply.
fn reply_string(cx: &mut Cx<'_>, v: &Value) {
    match v {
        Value::Int(n) => cx.out.bulk_int(*n),
        Value::Str(b) => cx.out.bulk(b),
        Value::Raw(b) => cx.out.bulk(b),
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
        #[derive(PartialEq)]
        enum Unit {
            RelSec,
            RelMs,
            AbsSec,
            AbsMs,
        }
        let mut out = SetArgs {
            nx: false,
            xx: false,
            get: false,
            expiry: Expiry::Clear,
        };
        let mut keep_ttl = false;
        let mut expire: Option<(Unit, &[u8])> = None;
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
            } else if let (Some(unit), Some(n)) = (expire_unit(o), next) {
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
        fn expire_unit(o: &[u8]) -> Option<Unit> {
            if args::is(o, "EX") {
                Some(Unit::RelSec)
            } else if args::is(o, "PX") {
                Some(Unit::RelMs)
            } else if args::is(o, "EXAT") {
                Some(Unit::AbsSec)
            } else if args::is(o, "PXAT") {
                Some(Unit::AbsMs)
            } else {
                None
            }
        }
        if keep_ttl {
            out.expiry = Expiry::Keep;
        }
        if let Some((unit, n)) = expire {
            let seconds = matches!(unit, Unit::RelSec | Unit::AbsSec);
            let relative = matches!(unit, Unit::RelSec | Unit::RelMs);
            out.expiry = Expiry::At(expire_ms(n, seconds, relative, now_ms)?);
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

#[cfg(test)]
mod tests {
    use crate::shard::Shard;
    use crate::testkit::run;

    #[test]
    fn get_set_basics() {
        let mut s = Shard::for_tests(1_000_000);
        assert_eq!(run(&mut s, &["GET", "k"]), "$-1\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "v"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GET", "k"]), "$1\r\nv\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "12"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GET", "k"]), "$2\r\n12\r\n");
    }

    #[test]
    fn set_options() {
        let mut s = Shard::for_tests(1_000_000);
        assert_eq!(run(&mut s, &["SET", "k", "v", "NX"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "w", "NX"]), "$-1\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "w", "XX", "GET"]), "$1\r\nv\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "x", "NX", "GET"]), "$1\r\nw\r\n");
        assert_eq!(run(&mut s, &["GET", "k"]), "$1\r\nw\r\n");
        assert_eq!(run(&mut s, &["SET", "n", "x", "XX"]), "$-1\r\n");
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "NX", "XX"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "10", "PX", "100"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "KEEPTTL", "EX", "1"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "0"]),
            "-ERR invalid expire time in 'set' command\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k", "v", "EX", "9223372036854775807"]),
            "-ERR invalid expire time in 'set' command\r\n"
        );
        assert_eq!(
            run(&mut s, &["SET", "k"]),
            "-ERR wrong number of arguments for 'set' command\r\n"
        );
    }

    #[test]
    fn set_expiry_and_keepttl() {
        let mut s = Shard::for_tests(1_000_000);
        assert_eq!(run(&mut s, &["SET", "k", "v", "PX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "w", "KEEPTTL"]), "+OK\r\n");
        s.clock.advance(99);
        assert_eq!(run(&mut s, &["GET", "k"]), "$1\r\nw\r\n");
        s.clock.advance(1);
        assert_eq!(run(&mut s, &["GET", "k"]), "$-1\r\n");
        assert_eq!(run(&mut s, &["SET", "k", "v", "EXAT", "1001"]), "+OK\r\n");
        s.clock.set(1_000_999);
        assert_eq!(run(&mut s, &["GET", "k"]), "$1\r\nv\r\n");
        s.clock.set(1_001_000);
        assert_eq!(run(&mut s, &["GET", "k"]), "$-1\r\n");
    }

    #[test]
    fn mget_mset() {
        let mut s = Shard::for_tests(0);
        assert_eq!(run(&mut s, &["MSET", "a", "1", "b", "2"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &["MGET", "a", "x", "b"]),
            "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n"
        );
        assert_eq!(
            run(&mut s, &["MSET", "a", "1", "b"]),
            "-ERR wrong number of arguments for 'mset' command\r\n"
        );
    }
}
