//! The generic keyspace family: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY,
//! MOVE, KEYS, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, RANDOMKEY, SCAN and OBJECT.
//!
//! Every op here works on one shard. Commands over the whole keyspace have a per-shard op the
//! server runs on every shard and merges (DBSIZE, KEYS, FLUSHDB, FLUSHALL, SWAPDB), or that its
//! own coordinator calls one shard at a time ([`scan_shard`], [`randomkey_shard`]). RENAME,
//! RENAMENX and COPY whose two keys live on different shards are coordinated by the server;
//! the ops here are the single-shard case. A key lives on the same shard in every database,
//! so MOVE and COPY ... DB are always single-shard.
//!
//! Lookups follow Redis's flavours: `Db::get` where Redis reads and touches (TOUCH, COPY's
//! source), `Db::get_notouch` where it reads without touching (EXISTS, TYPE, OBJECT) and
//! `Db::get_mut` where it looks up for writing (RENAME, MOVE).

use crate::args;
use crate::cmd::single;
use crate::cmd::{
    container, def, keys, Acl, CommandDef, CoordCmd, Cross, Flags, Keys, KeyspaceCmd, Merge, Route,
};
use crate::db::Entry;
use crate::error::{
    OpError, OpResult, DB_INDEX_OUT_OF_RANGE, INT_OUT_OF_RANGE, INVALID_CURSOR, INVALID_FIRST_DB,
    INVALID_SECOND_DB, LFU_NOT_SELECTED, LFU_SELECTED, SAME_OBJECT,
};
use crate::key::Key;
use crate::shard::{Cx, Shard};
use crate::util::glob_match;
use crate::value::Value;

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const FAST: Flags = Flags::FAST;
const DENYOOM: Flags = Flags::DENYOOM;
const K: Acl = Acl::KEYSPACE;
const K_DANGEROUS: Acl = Acl::KEYSPACE.or(Acl::DANGEROUS);

/// Redis shares the string objects of the integers `0..OBJ_SHARED_INTEGERS`.
const OBJ_SHARED_INTEGERS: i64 = 10_000;
/// The reference count Redis reports for a shared object (`OBJ_SHARED_REFCOUNT`, `INT_MAX`).
const OBJ_SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// A keyed route whose keys may be split per shard, integer replies summed.
const fn split_sum(op: crate::cmd::OpFn) -> Route {
    Route::Shard {
        op,
        cross: Cross::Split {
            part: op,
            group: 1,
            merge: Merge::SumInt,
        },
    }
}

pub static COMMANDS: [CommandDef; 17] = [
    def(
        "del",
        -2,
        W,
        K,
        keys(1, -1, 1),
        split_sum(del),
        "generic",
        "1.0.0",
        "O(N) where N is the number of keys that will be removed. When a key to remove holds a \
         value other than a string, the individual complexity for this key is O(M) where M is \
         the number of elements in the list, set, sorted set or hash. Removing a single key \
         that holds a string value is O(1).",
        "Deletes one or more keys.",
    ),
    def(
        "unlink",
        -2,
        W.or(FAST),
        K,
        keys(1, -1, 1),
        split_sum(del),
        "generic",
        "4.0.0",
        "O(1) for each key removed regardless of its size. Then the command does O(N) work in \
         a different thread in order to reclaim memory, where N is the number of allocations \
         the deleted objects where composed of.",
        "Deletes one or more keys, reclaiming their memory without blocking the caller.",
    ),
    def(
        "exists",
        -2,
        R.or(FAST),
        K,
        keys(1, -1, 1),
        split_sum(exists),
        "generic",
        "1.0.0",
        "O(N) where N is the number of keys to check.",
        "Determines whether one or more keys exist.",
    ),
    def(
        "touch",
        -2,
        R.or(FAST),
        K,
        keys(1, -1, 1),
        split_sum(touch),
        "generic",
        "3.2.1",
        "O(N) where N is the number of keys that will be touched.",
        "Refreshes the last access time of keys and counts how many of them exist.",
    ),
    def(
        "type",
        2,
        R.or(FAST),
        K,
        keys(1, 1, 1),
        single(type_cmd),
        "generic",
        "1.0.0",
        "O(1)",
        "Reports the data type of the value held by a key.",
    ),
    def(
        "rename",
        3,
        W,
        K,
        keys(1, 2, 1),
        Route::Shard {
            op: rename,
            cross: Cross::Coord(CoordCmd::Rename),
        },
        "generic",
        "1.0.0",
        "O(1)",
        "Gives a key a new name, replacing any key already under that name.",
    ),
    def(
        "renamenx",
        3,
        W.or(FAST),
        K,
        keys(1, 2, 1),
        Route::Shard {
            op: renamenx,
            cross: Cross::Coord(CoordCmd::RenameNx),
        },
        "generic",
        "1.0.0",
        "O(1)",
        "Gives a key a new name unless that name is already taken.",
    ),
    def(
        "copy",
        -3,
        W.or(DENYOOM),
        K,
        keys(1, 2, 1),
        Route::Shard {
            op: copy,
            cross: Cross::Coord(CoordCmd::Copy),
        },
        "generic",
        "6.2.0",
        "O(N) worst case for collections, where N is the number of nested items. O(1) for \
         string values.",
        "Duplicates the value of a key under another name, possibly in another database.",
    ),
    def(
        "move",
        3,
        W.or(FAST),
        K,
        keys(1, 1, 1),
        single(move_cmd),
        "generic",
        "1.0.0",
        "O(1)",
        "Transfers a key from the selected database to another one.",
    ),
    def(
        "keys",
        2,
        R,
        K_DANGEROUS,
        Keys::None,
        Route::AllShards {
            op: keys_cmd,
            merge: Merge::ConcatArrays,
        },
        "generic",
        "1.0.0",
        "O(N) with N being the number of keys in the database, under the assumption that the \
         key names in the database and the given pattern have limited length.",
        "Lists every key whose name matches a glob-style pattern.",
    ),
    def(
        "dbsize",
        1,
        R.or(FAST),
        K,
        Keys::None,
        Route::AllShards {
            op: dbsize,
            merge: Merge::SumInt,
        },
        "server",
        "1.0.0",
        "O(1)",
        "Returns the number of keys in the database.",
    ),
    def(
        "flushdb",
        -1,
        W,
        K_DANGEROUS,
        Keys::None,
        Route::AllShards {
            op: flushdb,
            merge: Merge::Ok,
        },
        "server",
        "1.0.0",
        "O(N) where N is the number of keys in the selected database",
        "Deletes every key of the selected database.",
    ),
    def(
        "flushall",
        -1,
        W,
        K_DANGEROUS,
        Keys::None,
        Route::AllShards {
            op: flushall,
            merge: Merge::Ok,
        },
        "server",
        "1.0.0",
        "O(N) where N is the total number of keys in all databases",
        "Deletes every key of every database.",
    ),
    def(
        "swapdb",
        3,
        W.or(FAST),
        K_DANGEROUS,
        Keys::None,
        Route::AllShards {
            op: swapdb,
            merge: Merge::Ok,
        },
        "server",
        "4.0.0",
        "O(N) where N is the count of clients watching or blocking on keys from both \
         databases.",
        "Exchanges the contents of two databases.",
    ),
    def(
        "randomkey",
        1,
        R,
        K,
        Keys::None,
        Route::Keyspace(KeyspaceCmd::RandomKey),
        "generic",
        "1.0.0",
        "O(1)",
        "Picks the name of a random key of the selected database.",
    ),
    def(
        "scan",
        -2,
        R,
        K,
        Keys::None,
        Route::Keyspace(KeyspaceCmd::Scan),
        "generic",
        "2.8.0",
        "O(1) for every call. O(N) for a complete iteration, including enough command calls for \
         the cursor to return back to 0. N is the number of elements inside the collection.",
        "Walks the key names of the selected database a batch at a time with a cursor.",
    ),
    container(
        "object",
        -2,
        Flags::NONE,
        Acl::NONE,
        Route::Container,
        "generic",
        "2.2.3",
        "Introspection of the values stored under keys.",
        &OBJECT_SUBCOMMANDS,
    ),
];

static OBJECT_SUBCOMMANDS: [CommandDef; 5] = [
    def(
        "object|encoding",
        3,
        R,
        K,
        keys(2, 2, 1),
        single(object_encoding),
        "generic",
        "2.2.3",
        "O(1)",
        "Reports the internal representation of the value held by a key.",
    ),
    def(
        "object|freq",
        3,
        R,
        K,
        keys(2, 2, 1),
        single(object_freq),
        "generic",
        "4.0.0",
        "O(1)",
        "Reports the logarithmic access-frequency counter of a key (LFU policies only).",
    ),
    def(
        "object|idletime",
        3,
        R,
        K,
        keys(2, 2, 1),
        single(object_idletime),
        "generic",
        "2.2.3",
        "O(1)",
        "Reports how many seconds have passed since a key was last accessed.",
    ),
    def(
        "object|refcount",
        3,
        R,
        K,
        keys(2, 2, 1),
        single(object_refcount),
        "generic",
        "2.2.3",
        "O(1)",
        "Reports how many references the value held by a key has.",
    ),
    def(
        "object|help",
        2,
        Flags::LOADING.or(Flags::STALE),
        K,
        Keys::None,
        single(object_help),
        "generic",
        "6.2.0",
        "O(1)",
        "Describes the OBJECT subcommands.",
    ),
];

// ---------------------------------------------------------------------------------------------
// Argument helpers

/// A database index as Redis reads one (`getIntFromObjectOrReply`: a 64-bit integer that must
/// fit a C `int`), then checked against the configured number of databases.
fn db_index(sh: &Shard, arg: &[u8]) -> Result<usize, OpError> {
    let n = args::int(arg)?;
    let n = i32::try_from(n).map_err(|_| OpError::msg(INT_OUT_OF_RANGE))?;
    usize::try_from(n)
        .ok()
        .filter(|&i| i < sh.dbs.len())
        .ok_or(OpError::msg(DB_INDEX_OUT_OF_RANGE))
}

/// A SCAN cursor, read as Redis reads it (`strtoul` base 10 on the C string): the text stops
/// at the first NUL byte, a leading blank is refused, a `+` or `-` sign is accepted (`-1` is
/// the largest cursor), the empty string is cursor 0, and overflow is refused.
pub fn parse_scan_cursor(arg: &[u8]) -> Result<u64, OpError> {
    let invalid = || OpError::msg(INVALID_CURSOR);
    let text = match arg.iter().position(|&c| c == 0) {
        Some(nul) => &arg[..nul],
        None => arg,
    };
    let Some(&first) = text.first() else {
        return Ok(0);
    };
    if matches!(first, b' ' | b'\t'..=b'\r') {
        return Err(invalid());
    }
    let (negative, digits) = match first {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(invalid());
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or_else(invalid)?;
    }
    Ok(if negative { v.wrapping_neg() } else { v })
}

// ---------------------------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TOUCH, TYPE

/// `DEL key [key ...]` and `UNLINK key [key ...]` (also their per-shard parts when keys span
/// shards). Memory is reclaimed inline either way: the shard has no background thread.
pub fn del(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let mut n = 0;
    for key in &a[1..] {
        // An expired key counts as absent, as in Redis.
        if db.contains(key, cx.now_ms) && db.delete(key).is_some() {
            n += 1;
        }
    }
    sh.dirty += n;
    cx.out.int(n as i64);
    Ok(())
}

/// `EXISTS key [key ...]`: counts repeated keys each time; does not touch the keys.
pub fn exists(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let n = a[1..]
        .iter()
        .filter(|k| db.get_notouch(k, cx.now_ms).is_some())
        .count();
    cx.out.int(n as i64);
    Ok(())
}

/// `TOUCH key [key ...]`: a read lookup of each key (refreshing its access time); replies how
/// many exist.
pub fn touch(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let n = a[1..]
        .iter()
        .filter(|k| db.get(k, cx.now_ms).is_some())
        .count();
    cx.out.int(n as i64);
    Ok(())
}

/// `TYPE key`: `+none` for a missing key.
pub fn type_cmd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let name = sh
        .db(cx.db)
        .get_notouch(a[1], cx.now_ms)
        .map_or("none", |e| e.value.type_name());
    cx.out.simple(name);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// RENAME, RENAMENX, COPY, MOVE

/// `RENAME key newkey`
pub fn rename(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    rename_generic(sh, cx, a, false)
}

/// `RENAMENX key newkey`
pub fn renamenx(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    rename_generic(sh, cx, a, true)
}

/// The value moves with its TTL and access history; whatever `newkey` held (and its TTL) is
/// dropped. Renaming a key to itself succeeds without doing anything (0 for RENAMENX), but a
/// missing source is an error even then.
fn rename_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], nx: bool) -> OpResult {
    let (src, dst) = (a[1], a[2]);
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    if db.get_mut(src, now).is_none() {
        return Err(OpError::NoSuchKey);
    }
    if src == dst {
        reply_rename(cx, nx, false);
        return Ok(());
    }
    if nx && db.contains(dst, now) {
        reply_rename(cx, nx, false);
        return Ok(());
    }
    let Some(entry) = db.delete(src) else {
        return Err(OpError::NoSuchKey);
    };
    db.put_entry(dst, entry);
    sh.dirty += 1;
    reply_rename(cx, nx, true);
    Ok(())
}

fn reply_rename(cx: &mut Cx<'_>, nx: bool, renamed: bool) {
    if nx {
        cx.out.int(i64::from(renamed));
    } else {
        cx.out.ok();
    }
}

/// Parsed `COPY` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CopyArgs {
    /// Destination database.
    db: usize,
    replace: bool,
}

impl CopyArgs {
    /// # Format
    /// `COPY source destination [DB destination-db] [REPLACE]` (options in any order, the last
    /// `DB` wins).
    fn parse(sh: &Shard, cx: &Cx<'_>, opts: &[&[u8]]) -> Result<CopyArgs, OpError> {
        let mut out = CopyArgs {
            db: cx.db,
            replace: false,
        };
        let mut i = 0;
        while i < opts.len() {
            if args::is(opts[i], "REPLACE") {
                out.replace = true;
            } else if args::is(opts[i], "DB") && i + 1 < opts.len() {
                out.db = db_index(sh, opts[i + 1])?;
                i += 1;
            } else {
                return Err(OpError::Syntax);
            }
            i += 1;
        }
        Ok(out)
    }
}

/// `COPY source destination [DB destination-db] [REPLACE]`: the copy is a new object (fresh
/// access time) with the source's TTL.
pub fn copy(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opts = CopyArgs::parse(sh, cx, &a[3..])?;
    let (src, dst) = (a[1], a[2]);
    let now = cx.now_ms;
    if opts.db == cx.db && src == dst {
        return Err(OpError::msg(SAME_OBJECT));
    }
    let (value, expire_at) = match sh.db(cx.db).get(src, now) {
        Some(e) => (e.value.clone(), e.expire_at()),
        None => {
            cx.out.int(0);
            return Ok(());
        }
    };
    let target = sh.db(opts.db);
    if target.contains(dst, now) && !opts.replace {
        cx.out.int(0);
        return Ok(());
    }
    // Replaces whatever `dst` held, TTL included.
    target.put_entry(dst, Entry::new(value, now));
    if let Some(at) = expire_at {
        target.set_expire(dst, at);
    }
    sh.dirty += 1;
    cx.out.int(1);
    Ok(())
}

/// `MOVE key db`: 0 if the key is missing here or already present there.
pub fn move_cmd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let key = a[1];
    let now = cx.now_ms;
    let target = db_index(sh, a[2])?;
    if target == cx.db {
        return Err(OpError::msg(SAME_OBJECT));
    }
    if sh.db(cx.db).get_mut(key, now).is_none() || sh.db(target).contains(key, now) {
        cx.out.int(0);
        return Ok(());
    }
    let Some(entry) = sh.db(cx.db).delete(key) else {
        cx.out.int(0);
        return Ok(());
    };
    sh.db(target).put_entry(key, entry);
    sh.dirty += 1;
    cx.out.int(1);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// KEYS, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB

/// `KEYS pattern` on this shard. The pattern `*` matches every key, the empty name included
/// (a plain glob `*` does not match the empty string).
pub fn keys_cmd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let pattern = a[1];
    let all = pattern == b"*";
    let db = sh.db(cx.db);
    let found: Vec<&Key> = db
        .iter(cx.now_ms)
        .map(|(k, _)| k)
        .filter(|k| all || glob_match(pattern, k.as_bytes(), false))
        .collect();
    cx.out.array(found.len());
    for k in found {
        cx.out.bulk(k.as_bytes());
    }
    Ok(())
}

/// `DBSIZE` on this shard.
pub fn dbsize(sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    let n = sh.db(cx.db).len();
    cx.out.int(n as i64);
    Ok(())
}

/// Checks the optional `ASYNC` / `SYNC` argument of FLUSHDB and FLUSHALL. Both modes free the
/// old contents inline: the shard has no background thread to hand them to.
fn check_flush_args(a: &[&[u8]]) -> OpResult {
    match a {
        [_] => Ok(()),
        [_, mode] if args::is(mode, "SYNC") || args::is(mode, "ASYNC") => Ok(()),
        _ => Err(OpError::Syntax),
    }
}

/// `FLUSHDB [ASYNC | SYNC]` on this shard. Every removed key counts as a change.
pub fn flushdb(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    check_flush_args(a)?;
    let removed = sh.db(cx.db).flush().len();
    sh.dirty += removed as u64;
    cx.out.ok();
    Ok(())
}

/// `FLUSHALL [ASYNC | SYNC]` on this shard: every database. Every removed key counts as a
/// change (a save-on-flush, when persistence exists, resets the counter as Redis's does).
pub fn flushall(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    check_flush_args(a)?;
    let removed: usize = sh.dbs.iter_mut().map(|db| db.flush().len()).sum();
    sh.dirty += removed as u64;
    cx.out.ok();
    Ok(())
}

/// `SWAPDB index1 index2` on this shard. Swapping a database with itself is a no-op that
/// still succeeds. Redis counts one change per SWAPDB; since every shard runs it, only
/// shard 0 counts it so the sum over shards stays Redis's.
pub fn swapdb(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let parse = |arg: &[u8], msg: &'static str| {
        args::int(arg)
            .ok()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or(OpError::msg(msg))
    };
    let first = parse(a[1], INVALID_FIRST_DB)?;
    let second = parse(a[2], INVALID_SECOND_DB)?;
    let n = sh.dbs.len();
    let index = |i: i32| usize::try_from(i).ok().filter(|&i| i < n);
    let (Some(i), Some(j)) = (index(first), index(second)) else {
        return Err(OpError::msg(DB_INDEX_OUT_OF_RANGE));
    };
    if i != j {
        let (lo, hi) = (i.min(j), i.max(j));
        let (head, tail) = sh.dbs.split_at_mut(hi);
        head[lo].swap_contents(&mut tail[0]);
    }
    if sh.id == 0 {
        sh.dirty += 1;
    }
    cx.out.ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// RANDOMKEY and SCAN steps (the server coordinates them across shards)

/// One shard's part of `RANDOMKEY`: a random live key of the selected database, or nil.
/// Expired keys met on the way are reclaimed.
pub fn randomkey_shard(sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    let index = cx.db.min(sh.dbs.len() - 1);
    let Shard { dbs, rng, .. } = sh;
    match dbs[index].random_key(cx.now_ms, &mut || rng.next_u64()) {
        Some(key) => cx.out.bulk(key.as_bytes()),
        None => cx.out.null(),
    }
    Ok(())
}

/// Parsed SCAN options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanArgs<'a> {
    pub cursor: u64,
    /// How many dictionary entries to visit, roughly (the `COUNT` hint).
    pub count: usize,
    /// `MATCH` pattern; `None` when absent or exactly `*`.
    pub pattern: Option<&'a [u8]>,
    /// `TYPE` filter (a type name, compared case-insensitively).
    pub type_name: Option<&'a [u8]>,
}

impl<'a> ScanArgs<'a> {
    /// Parses `[name, cursor, options...]`.
    ///
    /// # Format
    /// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]` (options in any order,
    /// repeatable, the last one wins)
    pub fn parse(a: &[&'a [u8]]) -> Result<ScanArgs<'a>, OpError> {
        let mut out = ScanArgs {
            cursor: parse_scan_cursor(a[1])?,
            count: 10,
            pattern: None,
            type_name: None,
        };
        let opts = &a[2..];
        let mut i = 0;
        while i < opts.len() {
            let (opt, value) = match opts.get(i + 1) {
                Some(v) => (opts[i], *v),
                None => return Err(OpError::Syntax),
            };
            if args::is(opt, "COUNT") {
                let n = args::int(value)?;
                if n < 1 {
                    return Err(OpError::Syntax);
                }
                out.count = usize::try_from(n).unwrap_or(usize::MAX);
            } else if args::is(opt, "MATCH") {
                out.pattern = (value != b"*").then_some(value);
            } else if args::is(opt, "TYPE") {
                out.type_name = Some(value);
            } else {
                return Err(OpError::Syntax);
            }
            i += 2;
        }
        Ok(out)
    }
}

/// One shard's SCAN step: `args` is `["scan", <local cursor>, options...]`. Walks the
/// database's dictionary from the cursor until about `COUNT` keys were visited (at most
/// `COUNT * 10` bucket steps, so a sparse table cannot stall the shard) or the walk is over,
/// then filters by pattern and type. Replies `[next local cursor, [keys...]]`; cursor 0 means
/// this shard is done.
pub fn scan_shard(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opts = ScanArgs::parse(a)?;
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    let mut found: Vec<Key> = Vec::new();
    let mut visited = 0usize;
    let mut cursor = opts.cursor;
    let mut steps_left = opts.count.saturating_mul(10);
    loop {
        cursor = db.scan(cursor, now, |k, _| {
            visited += 1;
            if opts
                .pattern
                .is_none_or(|p| glob_match(p, k.as_bytes(), false))
            {
                found.push(k.clone());
            }
        });
        if cursor == 0 || steps_left == 0 || visited >= opts.count {
            break;
        }
        steps_left -= 1;
    }
    if let Some(t) = opts.type_name {
        // A read lookup without touching, as Redis's TYPE filter does.
        found.retain(|k| {
            db.get_notouch(k.as_bytes(), now)
                .is_some_and(|e| e.value.type_name().as_bytes().eq_ignore_ascii_case(t))
        });
    }
    cx.out.array(2);
    cx.out.bulk(cursor.to_string().as_bytes());
    cx.out.array(found.len());
    for k in &found {
        cx.out.bulk(k.as_bytes());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// OBJECT

/// The entry OBJECT reports on: a read lookup that does not touch the key. Replies nil and
/// returns `None` for a missing key.
fn object_entry<'s>(sh: &'s mut Shard, cx: &mut Cx<'_>, key: &[u8]) -> Option<&'s Entry> {
    let entry = sh.db(cx.db).get_notouch(key, cx.now_ms);
    if entry.is_none() {
        cx.out.null();
    }
    entry
}

/// `OBJECT ENCODING key`
pub fn object_encoding(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    if let Some(e) = object_entry(sh, cx, a[2]) {
        let name = e.value.encoding();
        cx.out.bulk_str(name);
    }
    Ok(())
}

/// `OBJECT REFCOUNT key`: Redis shares the objects of small non-negative integers unless an
/// LRU or LFU policy needs per-key access data, and reports `INT_MAX` for them; every other
/// value has one reference.
pub fn object_refcount(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let policy = sh.config.maxmemory_policy;
    let sharing = !(policy.is_lru() || policy.is_lfu());
    if let Some(e) = object_entry(sh, cx, a[2]) {
        let shared =
            sharing && matches!(e.value, Value::Int(n) if (0..OBJ_SHARED_INTEGERS).contains(&n));
        cx.out.int(if shared { OBJ_SHARED_REFCOUNT } else { 1 });
    }
    Ok(())
}

/// `OBJECT IDLETIME key`: seconds since the last access (an error under an LFU policy).
pub fn object_idletime(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let lfu = sh.config.maxmemory_policy.is_lfu();
    let now_secs = crate::db::lru_clock(cx.now_ms);
    let Some(lru) = sh.db(cx.db).get_notouch(a[2], cx.now_ms).map(|e| e.lru) else {
        cx.out.null();
        return Ok(());
    };
    if lfu {
        return Err(OpError::msg(LFU_SELECTED));
    }
    cx.out.int(i64::from(now_secs.wrapping_sub(lru)));
    Ok(())
}

/// `OBJECT FREQ key`: the decayed LFU counter (an error unless an LFU policy is active).
pub fn object_freq(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let lfu = sh.config.maxmemory_policy.is_lfu();
    let now = cx.now_ms;
    let Some(freq) = sh
        .db(cx.db)
        .get_notouch(a[2], now)
        .map(|e| e.lfu_count(now))
    else {
        cx.out.null();
        return Ok(());
    };
    if !lfu {
        return Err(OpError::msg(LFU_NOT_SELECTED));
    }
    cx.out.int(i64::from(freq));
    Ok(())
}

const OBJECT_HELP: [&str; 11] = [
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Report the internal representation of the value stored at <key>.",
    "FREQ <key>",
    "    Report the logarithmic access-frequency counter of <key> (LFU policies only).",
    "IDLETIME <key>",
    "    Report how many seconds have passed since <key> was last read or written.",
    "REFCOUNT <key>",
    "    Report how many references the value stored at <key> has.",
    "HELP",
    "    Prints this help.",
];

/// `OBJECT HELP`
pub fn object_help(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    cx.out.array(OBJECT_HELP.len());
    for line in OBJECT_HELP {
        cx.out.simple(line);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use corekv_proto::{Frame, RespWriter};

    use super::*;
    use crate::cmd::OpFn;
    use crate::shard::{MaxmemoryPolicy, ShardConfig};
    use crate::testkit::{run, run_in};

    /// Runs a per-shard op the server calls directly (SCAN and RANDOMKEY steps).
    fn call(s: &mut Shard, db: usize, op: OpFn, args: &[&str]) -> String {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let mut out = RespWriter::new(false);
        let now = s.now_ms();
        let mut cx = Cx {
            db,
            now_ms: now,
            out: &mut out,
            cmd: "scan",
        };
        s.exec(op, &mut cx, &raw);
        String::from_utf8_lossy(out.as_bytes()).into_owned()
    }

    /// One SCAN step, decoded: (next cursor, keys).
    fn scan_step(s: &mut Shard, db: usize, args: &[&str]) -> (String, Vec<String>) {
        let reply = call(s, db, scan_shard, args);
        let Ok(Some((Frame::Array(parts), _))) = Frame::decode(reply.as_bytes()) else {
            panic!("not a SCAN reply: {reply:?}");
        };
        let [Frame::Bulk(cursor), Frame::Array(keys)] = &parts[..] else {
            panic!("not a SCAN reply: {reply:?}");
        };
        let keys = keys
            .iter()
            .map(|k| String::from_utf8_lossy(k.as_bytes().unwrap_or_default()).into_owned())
            .collect();
        (String::from_utf8_lossy(cursor).into_owned(), keys)
    }

    /// A whole SCAN walk with the given options: every key returned, and the number of calls.
    fn scan_all(s: &mut Shard, db: usize, opts: &[&str]) -> (Vec<String>, usize) {
        let mut cursor = "0".to_string();
        let mut keys = Vec::new();
        let mut calls = 0;
        loop {
            let mut args = vec!["scan", cursor.as_str()];
            args.extend_from_slice(opts);
            let (next, batch) = scan_step(s, db, &args);
            keys.extend(batch);
            calls += 1;
            cursor = next;
            if cursor == "0" {
                return (keys, calls);
            }
            assert!(calls < 100_000, "SCAN does not terminate");
        }
    }

    fn populate(s: &mut Shard, n: usize) {
        for i in 0..n {
            run(s, &["SET", &format!("key:{i}"), &i.to_string()]);
        }
    }

    fn sorted_unique(keys: Vec<String>) -> Vec<String> {
        let mut v: Vec<String> = keys
            .into_iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        v.sort();
        v
    }

    #[test]
    fn del_unlink_exists_dbsize() {
        let mut s = Shard::for_tests(0);
        run(&mut s, &["MSET", "a", "1", "b", "2", "c", "3"]);
        assert_eq!(run(&mut s, &["EXISTS", "a", "a", "x"]), ":2\r\n");
        assert_eq!(run(&mut s, &["DBSIZE"]), ":3\r\n");
        assert_eq!(run(&mut s, &["DEL", "a", "x", "a"]), ":1\r\n");
        assert_eq!(run(&mut s, &["UNLINK", "b", "c", "b"]), ":2\r\n");
        assert_eq!(run(&mut s, &["DBSIZE"]), ":0\r\n");
        assert_eq!(s.dirty, 3 + 3);
        assert_eq!(
            run(&mut s, &["UNLINK"]),
            "-ERR wrong number of arguments for 'unlink' command\r\n"
        );
    }

    #[test]
    fn expired_keys_are_invisible_to_del_exists_touch_type() {
        let mut s = Shard::for_tests(1_000_000);
        run(&mut s, &["SET", "k", "v", "PX", "10"]);
        s.clock.advance(10);
        assert_eq!(run(&mut s, &["EXISTS", "k"]), ":0\r\n");
        run(&mut s, &["SET", "k", "v", "PX", "10"]);
        s.clock.advance(10);
        assert_eq!(run(&mut s, &["TOUCH", "k"]), ":0\r\n");
        run(&mut s, &["SET", "k", "v", "PX", "10"]);
        s.clock.advance(10);
        assert_eq!(run(&mut s, &["TYPE", "k"]), "+none\r\n");
        run(&mut s, &["SET", "k", "v", "PX", "10"]);
        s.clock.advance(10);
        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["DEL", "k"]), ":0\r\n");
        assert_eq!(s.dirty, dirty);
        assert_eq!(s.dbs[0].stats.expired_keys, 4);
    }

    #[test]
    fn touch_refreshes_access_time_exists_and_type_do_not() {
        let mut s = Shard::for_tests(1_000_000);
        run(&mut s, &["SET", "foo", "bar"]);
        s.clock.advance(3_000);
        run(&mut s, &["EXISTS", "foo"]);
        run(&mut s, &["TYPE", "foo"]);
        run(&mut s, &["TTL", "foo"]);
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "foo"]), ":3\r\n");
        assert_eq!(run(&mut s, &["TOUCH", "nokey", "foo", "foo"]), ":2\r\n");
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "foo"]), ":0\r\n");
        assert_eq!(s.dbs[0].stats.keyspace_misses, 1);
    }

    #[test]
    fn type_names() {
        let mut s = Shard::for_tests(0);
        run(&mut s, &["SET", "s", "x"]);
        assert_eq!(run(&mut s, &["TYPE", "s"]), "+string\r\n");
        assert_eq!(run(&mut s, &["TYPE", "nokey"]), "+none\r\n");
        assert_eq!(
            run(&mut s, &["TYPE", "a", "b"]),
            "-ERR wrong number of arguments for 'type' command\r\n"
        );
    }

    #[test]
    fn rename_moves_value_and_ttl() {
        let mut s = Shard::for_tests(1_000_000);
        run(&mut s, &["SET", "a", "hello"]);
        assert_eq!(run(&mut s, &["RENAME", "a", "b"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["EXISTS", "a"]), ":0\r\n");
        assert_eq!(run(&mut s, &["GET", "b"]), "$5\r\nhello\r\n");
        // Over an existing key.
        run(&mut s, &["SET", "c", "other"]);
        assert_eq!(run(&mut s, &["RENAME", "b", "c"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["GET", "c"]), "$5\r\nhello\r\n");
        assert_eq!(run(&mut s, &["DBSIZE"]), ":1\r\n");
        // The TTL moves along.
        run(&mut s, &["SET", "v", "1", "EX", "100"]);
        assert_eq!(run(&mut s, &["RENAME", "v", "w"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["TTL", "w"]), ":100\r\n");
        assert_eq!(run(&mut s, &["TTL", "v"]), ":-2\r\n");
        // The target's TTL is not inherited.
        run(&mut s, &["SET", "t", "1", "EX", "100"]);
        run(&mut s, &["SET", "p", "2"]);
        assert_eq!(run(&mut s, &["RENAME", "p", "t"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["TTL", "t"]), ":-1\r\n");
        assert_eq!(s.dbs[0].expires_len(), 1);
        // Errors and the same-name cases.
        assert_eq!(
            run(&mut s, &["RENAME", "nokey", "x"]),
            "-ERR no such key\r\n"
        );
        assert_eq!(
            run(&mut s, &["RENAME", "nokey", "nokey"]),
            "-ERR no such key\r\n"
        );
        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["RENAME", "t", "t"]), "+OK\r\n");
        assert_eq!(s.dirty, dirty);
        assert_eq!(run(&mut s, &["GET", "t"]), "$1\r\n2\r\n");
        // An expired source is missing.
        run(&mut s, &["SET", "e", "1", "PX", "5"]);
        s.clock.advance(5);
        assert_eq!(run(&mut s, &["RENAME", "e", "f"]), "-ERR no such key\r\n");
    }

    #[test]
    fn renamenx() {
        let mut s = Shard::for_tests(0);
        run(&mut s, &["SET", "a", "1"]);
        run(&mut s, &["SET", "b", "2"]);
        assert_eq!(run(&mut s, &["RENAMENX", "a", "b"]), ":0\r\n");
        assert_eq!(run(&mut s, &["GET", "b"]), "$1\r\n2\r\n");
        assert_eq!(run(&mut s, &["RENAMENX", "a", "c"]), ":1\r\n");
        assert_eq!(run(&mut s, &["GET", "c"]), "$1\r\n1\r\n");
        assert_eq!(run(&mut s, &["RENAMENX", "c", "c"]), ":0\r\n");
        assert_eq!(run(&mut s, &["RENAMENX", "a", "a"]), "-ERR no such key\r\n");
        // An expired target does not block the rename.
        run(&mut s, &["SET", "d", "x", "PX", "5"]);
        s.clock.advance(5);
        assert_eq!(run(&mut s, &["RENAMENX", "c", "d"]), ":1\r\n");
    }

    #[test]
    fn copy_within_and_across_dbs() {
        let mut s = Shard::for_tests(1_000_000);
        run(&mut s, &["SET", "src", "value"]);
        assert_eq!(run(&mut s, &["COPY", "src", "dst"]), ":1\r\n");
        assert_eq!(run(&mut s, &["GET", "dst"]), "$5\r\nvalue\r\n");
        assert_eq!(run(&mut s, &["GET", "src"]), "$5\r\nvalue\r\n");
        // The copy is independent.
        run(&mut s, &["SET", "src", "changed"]);
        assert_eq!(run(&mut s, &["GET", "dst"]), "$5\r\nvalue\r\n");
        // Existing target: 0 unless REPLACE.
        assert_eq!(run(&mut s, &["COPY", "src", "dst"]), ":0\r\n");
        assert_eq!(run(&mut s, &["COPY", "src", "dst", "replace"]), ":1\r\n");
        assert_eq!(run(&mut s, &["GET", "dst"]), "$7\r\nchanged\r\n");
        // Missing source.
        assert_eq!(run(&mut s, &["COPY", "nokey", "dst", "REPLACE"]), ":0\r\n");
        // Another database, with the TTL.
        run(&mut s, &["SET", "v", "1", "EX", "100"]);
        assert_eq!(run(&mut s, &["COPY", "v", "v", "DB", "3"]), ":1\r\n");
        assert_eq!(run_in(&mut s, 3, false, &["TTL", "v"]), ":100\r\n");
        assert_eq!(run_in(&mut s, 3, false, &["GET", "v"]), "$1\r\n1\r\n");
        assert_eq!(run(&mut s, &["TTL", "v"]), ":100\r\n");
        // No TTL on the source: none on the copy, even over a volatile target.
        run_in(&mut s, 3, false, &["SET", "w", "old", "EX", "50"]);
        assert_eq!(
            run(&mut s, &["COPY", "src", "w", "DB", "3", "REPLACE"]),
            ":1\r\n"
        );
        assert_eq!(run_in(&mut s, 3, false, &["TTL", "w"]), ":-1\r\n");
        assert_eq!(s.dbs[3].expires_len(), 1);
        // The last DB option wins.
        assert_eq!(
            run(&mut s, &["COPY", "src", "x", "DB", "1", "DB", "2"]),
            ":1\r\n"
        );
        assert_eq!(run_in(&mut s, 2, false, &["EXISTS", "x"]), ":1\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["EXISTS", "x"]), ":0\r\n");
        // Copying from another selected database.
        assert_eq!(
            run_in(&mut s, 2, false, &["COPY", "x", "y", "DB", "0"]),
            ":1\r\n"
        );
        assert_eq!(run(&mut s, &["GET", "y"]), "$7\r\nchanged\r\n");
    }

    #[test]
    fn copy_errors() {
        let mut s = Shard::for_tests(0);
        run(&mut s, &["SET", "a", "1"]);
        let same = "-ERR source and destination objects are the same\r\n";
        assert_eq!(run(&mut s, &["COPY", "a", "a"]), same);
        assert_eq!(run(&mut s, &["COPY", "a", "a", "DB", "0"]), same);
        assert_eq!(run(&mut s, &["COPY", "nokey", "nokey"]), same);
        assert_eq!(
            run_in(&mut s, 1, false, &["COPY", "a", "a", "db", "1"]),
            same
        );
        assert_eq!(
            run(&mut s, &["COPY", "a", "b", "DB", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["COPY", "a", "b", "DB", "3000000000"]),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
        );
        assert_eq!(
            run(&mut s, &["COPY", "a", "b", "DB", "16"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["COPY", "a", "b", "DB", "-1"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["COPY", "a", "b", "DB"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["COPY", "a", "b", "FOO", "DB", "x"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["COPY", "a"]),
            "-ERR wrong number of arguments for 'copy' command\r\n"
        );
        assert_eq!(run(&mut s, &["DBSIZE"]), ":1\r\n");
    }

    #[test]
    fn move_between_dbs() {
        let mut s = Shard::for_tests(1_000_000);
        run(&mut s, &["SET", "mykey", "foobar"]);
        assert_eq!(run(&mut s, &["MOVE", "mykey", "9"]), ":1\r\n");
        assert_eq!(run(&mut s, &["EXISTS", "mykey"]), ":0\r\n");
        assert_eq!(
            run_in(&mut s, 9, false, &["GET", "mykey"]),
            "$6\r\nfoobar\r\n"
        );
        // Already present in the target: 0, nothing moves.
        run(&mut s, &["SET", "mykey", "other"]);
        assert_eq!(run(&mut s, &["MOVE", "mykey", "9"]), ":0\r\n");
        assert_eq!(run(&mut s, &["GET", "mykey"]), "$5\r\nother\r\n");
        // Missing key.
        assert_eq!(run(&mut s, &["MOVE", "nokey", "9"]), ":0\r\n");
        // The TTL moves along; no TTL stays no TTL.
        run(&mut s, &["SET", "v", "1", "EX", "100"]);
        assert_eq!(run(&mut s, &["MOVE", "v", "1"]), ":1\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["TTL", "v"]), ":100\r\n");
        assert_eq!(s.dbs[0].expires_len(), 0);
        assert_eq!(s.dbs[1].expires_len(), 1);
        assert_eq!(run(&mut s, &["MOVE", "mykey", "1"]), ":1\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["TTL", "mykey"]), ":-1\r\n");
        // An expired key in the target does not block the move.
        run_in(&mut s, 2, false, &["SET", "k", "old", "PX", "5"]);
        run(&mut s, &["SET", "k", "new"]);
        s.clock.advance(5);
        assert_eq!(run(&mut s, &["MOVE", "k", "2"]), ":1\r\n");
        assert_eq!(run_in(&mut s, 2, false, &["GET", "k"]), "$3\r\nnew\r\n");
        // Errors.
        assert_eq!(
            run(&mut s, &["MOVE", "k", "0"]),
            "-ERR source and destination objects are the same\r\n"
        );
        assert_eq!(
            run(&mut s, &["MOVE", "k", "16"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["MOVE", "k", "-1"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["MOVE", "k", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["MOVE", "k", "3000000000"]),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
        );
    }

    #[test]
    fn keys_patterns() {
        let mut s = Shard::for_tests(1_000_000);
        for k in ["key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"] {
            run(&mut s, &["SET", k, "hello"]);
        }
        let keys = |s: &mut Shard, p: &str| {
            let reply = run(s, &["KEYS", p]);
            let Ok(Some((Frame::Array(items), _))) = Frame::decode(reply.as_bytes()) else {
                panic!("{reply}");
            };
            let mut v: Vec<String> = items
                .iter()
                .map(|f| String::from_utf8_lossy(f.as_bytes().unwrap_or_default()).into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(keys(&mut s, "foo*"), ["foo_a", "foo_b", "foo_c"]);
        assert_eq!(keys(&mut s, "*").len(), 6);
        assert_eq!(keys(&mut s, "key_[xy]"), ["key_x", "key_y"]);
        assert_eq!(keys(&mut s, "key_?"), ["key_x", "key_y", "key_z"]);
        assert_eq!(keys(&mut s, "nomatch*"), Vec::<String>::new());
        assert_eq!(run(&mut s, &["KEYS", "nomatch"]), "*0\r\n");
        // `*` matches the empty key name, other patterns cannot.
        run(&mut s, &["SET", "", "empty"]);
        assert_eq!(keys(&mut s, "*").len(), 7);
        assert_eq!(keys(&mut s, "**").len(), 6);
        // Expired keys are not listed.
        run(&mut s, &["PEXPIRE", "foo_a", "5"]);
        s.clock.advance(5);
        assert_eq!(keys(&mut s, "foo*"), ["foo_b", "foo_c"]);
        // Long keys (Redis issue #1208).
        let long = "x".repeat(300);
        run(&mut s, &["SET", &long, "1"]);
        assert!(keys(&mut s, "*").contains(&long));
        assert!(keys(&mut s, "*").contains(&long));
    }

    #[test]
    fn flushdb_and_flushall() {
        let mut s = Shard::for_tests(0);
        run(&mut s, &["MSET", "a", "1", "b", "2"]);
        run_in(&mut s, 1, false, &["SET", "c", "3"]);
        run(&mut s, &["EXPIRE", "a", "100"]);
        s.dirty = 0;
        assert_eq!(run(&mut s, &["FLUSHDB"]), "+OK\r\n");
        assert_eq!(s.dirty, 2);
        assert_eq!(run(&mut s, &["DBSIZE"]), ":0\r\n");
        assert_eq!(s.dbs[0].expires_len(), 0);
        assert_eq!(run_in(&mut s, 1, false, &["DBSIZE"]), ":1\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["FLUSHDB", "async"]), "+OK\r\n");
        assert_eq!(s.total_keys(), 0);
        assert_eq!(run(&mut s, &["FLUSHDB", "foo"]), "-ERR syntax error\r\n");
        assert_eq!(
            run(&mut s, &["FLUSHDB", "SYNC", "ASYNC"]),
            "-ERR syntax error\r\n"
        );
        for db in 0..16 {
            run_in(&mut s, db, false, &["SET", "k", "v"]);
        }
        s.dirty = 0;
        assert_eq!(run_in(&mut s, 5, false, &["FLUSHALL", "SYNC"]), "+OK\r\n");
        assert_eq!(s.total_keys(), 0);
        assert_eq!(s.dirty, 16);
        assert_eq!(run(&mut s, &["FLUSHALL"]), "+OK\r\n");
        assert_eq!(s.dirty, 16);
        assert_eq!(run(&mut s, &["FLUSHALL", "ASYNC"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["FLUSHALL", "now"]), "-ERR syntax error\r\n");
    }

    #[test]
    fn swapdb_exchanges_contents_and_ttls() {
        let mut s = Shard::for_tests(1_000_000);
        run(&mut s, &["SET", "a", "zero", "EX", "100"]);
        run_in(&mut s, 1, false, &["MSET", "b", "one", "c", "uno"]);
        s.dirty = 0;
        assert_eq!(run(&mut s, &["SWAPDB", "0", "1"]), "+OK\r\n");
        assert_eq!(s.dirty, 1);
        assert_eq!(run(&mut s, &["DBSIZE"]), ":2\r\n");
        assert_eq!(run(&mut s, &["GET", "b"]), "$3\r\none\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["TTL", "a"]), ":100\r\n");
        assert_eq!(s.dbs[1].expires_len(), 1);
        assert_eq!(s.dbs[0].expires_len(), 0);
        // Expiry follows the data.
        s.clock.advance(100_000);
        assert_eq!(run_in(&mut s, 1, false, &["GET", "a"]), "$-1\r\n");
        assert_eq!(run(&mut s, &["SWAPDB", "1", "0"]), "+OK\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["GET", "c"]), "$3\r\nuno\r\n");
        // Same index: succeeds and still counts.
        assert_eq!(run(&mut s, &["SWAPDB", "3", "3"]), "+OK\r\n");
        assert_eq!(s.dirty, 3);
        // Errors.
        assert_eq!(
            run(&mut s, &["SWAPDB", "x", "1"]),
            "-ERR invalid first DB index\r\n"
        );
        assert_eq!(
            run(&mut s, &["SWAPDB", "1", "x"]),
            "-ERR invalid second DB index\r\n"
        );
        assert_eq!(
            run(&mut s, &["SWAPDB", "x", "y"]),
            "-ERR invalid first DB index\r\n"
        );
        assert_eq!(
            run(&mut s, &["SWAPDB", "0", "3000000000"]),
            "-ERR invalid second DB index\r\n"
        );
        assert_eq!(
            run(&mut s, &["SWAPDB", "0", "16"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &["SWAPDB", "-1", "0"]),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(s.dirty, 3);
        // Only shard 0 counts the change.
        let mut other = Shard::new(1, 2, ShardConfig::default(), crate::Clock::Manual(0));
        assert_eq!(run(&mut other, &["SWAPDB", "0", "1"]), "+OK\r\n");
        assert_eq!(other.dirty, 0);
    }

    #[test]
    fn randomkey_step() {
        let mut s = Shard::for_tests(1_000_000);
        assert_eq!(call(&mut s, 0, randomkey_shard, &["randomkey"]), "$-1\r\n");
        run(&mut s, &["MSET", "a", "1", "b", "2", "c", "3"]);
        let mut seen = HashSet::new();
        for _ in 0..200 {
            seen.insert(call(&mut s, 0, randomkey_shard, &["randomkey"]));
        }
        let want: HashSet<String> = ["a", "b", "c"]
            .iter()
            .map(|k| format!("$1\r\n{k}\r\n"))
            .collect();
        assert_eq!(seen, want);
        // Expired keys are never returned (and get reclaimed).
        run(&mut s, &["PEXPIRE", "a", "5"]);
        run(&mut s, &["PEXPIRE", "b", "5"]);
        s.clock.advance(5);
        for _ in 0..50 {
            assert_eq!(
                call(&mut s, 0, randomkey_shard, &["randomkey"]),
                "$1\r\nc\r\n"
            );
        }
        assert_eq!(call(&mut s, 1, randomkey_shard, &["randomkey"]), "$-1\r\n");
        let mut out = RespWriter::new(true);
        let mut cx = Cx {
            db: 1,
            now_ms: s.now_ms(),
            out: &mut out,
            cmd: "randomkey",
        };
        assert!(s.exec(randomkey_shard, &mut cx, &[b"randomkey"]));
        assert_eq!(out.as_bytes(), b"_\r\n");
    }

    #[test]
    fn scan_walks_every_key() {
        let mut s = Shard::for_tests(0);
        populate(&mut s, 1000);
        let (keys, calls) = scan_all(&mut s, 0, &[]);
        assert_eq!(sorted_unique(keys).len(), 1000);
        assert!(calls > 10, "{calls}");
        let (keys, calls_small) = scan_all(&mut s, 0, &["COUNT", "5"]);
        assert_eq!(sorted_unique(keys).len(), 1000);
        assert!(calls_small > calls);
        let (keys, calls) = scan_all(&mut s, 0, &["count", "100000"]);
        assert_eq!(keys.len(), 1000);
        assert_eq!(calls, 1);
        // MATCH filters after the walk: every match appears once the walk ends.
        let (keys, _) = scan_all(&mut s, 0, &["MATCH", "key:1??"]);
        assert_eq!(sorted_unique(keys).len(), 100);
        let (keys, _) = scan_all(&mut s, 0, &["MATCH", "*", "COUNT", "7"]);
        assert_eq!(sorted_unique(keys).len(), 1000);
        // TYPE, case-insensitive; an unknown type matches nothing.
        let (keys, _) = scan_all(&mut s, 0, &["TYPE", "list"]);
        assert!(keys.is_empty());
        let (keys, _) = scan_all(&mut s, 0, &["TYPE", "STRING", "MATCH", "key:99*"]);
        assert_eq!(sorted_unique(keys).len(), 11);
        // Other databases are separate.
        let (keys, calls) = scan_all(&mut s, 1, &[]);
        assert!(keys.is_empty());
        assert_eq!(calls, 1);
    }

    #[test]
    fn scan_survives_writes_during_the_walk() {
        let mut s = Shard::for_tests(0);
        populate(&mut s, 500);
        let mut cursor = "0".to_string();
        let mut seen = HashSet::new();
        let mut step = 0;
        loop {
            let (next, batch) = scan_step(&mut s, 0, &["scan", &cursor, "COUNT", "10"]);
            seen.extend(batch);
            step += 1;
            // Grow the table mid-walk, forcing rehashes between steps.
            if step < 20 {
                for i in 0..100 {
                    run(&mut s, &["SET", &format!("extra:{step}:{i}"), "x"]);
                }
            }
            cursor = next;
            if cursor == "0" {
                break;
            }
        }
        for i in 0..500 {
            assert!(seen.contains(&format!("key:{i}")), "missed key:{i}");
        }
    }

    #[test]
    fn scan_skips_expired_keys() {
        let mut s = Shard::for_tests(1_000_000);
        populate(&mut s, 100);
        for i in 0..50 {
            run(&mut s, &["PEXPIRE", &format!("key:{i}"), "10"]);
        }
        s.clock.advance(10);
        let (keys, _) = scan_all(&mut s, 0, &[]);
        let keys = sorted_unique(keys);
        assert_eq!(keys.len(), 50);
        assert!(keys
            .iter()
            .all(|k| k["key:".len()..].parse::<u32>().unwrap_or(0) >= 50));
    }

    #[test]
    fn scan_reply_shape_and_errors() {
        let mut s = Shard::for_tests(0);
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "0"]),
            "*2\r\n$1\r\n0\r\n*0\r\n"
        );
        run(&mut s, &["SET", "a", "1"]);
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "0"]),
            "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"
        );
        // Cursors as strtoul reads them.
        for ok in ["", "+0", "-1", "18446744073709551615", "0\0junk"] {
            assert!(
                call(&mut s, 0, scan_shard, &["scan", ok]).starts_with("*2\r\n"),
                "{ok:?}"
            );
        }
        for bad in [" 0", "x", "1x", "-", "+", "18446744073709551616", "0 "] {
            assert_eq!(
                call(&mut s, 0, scan_shard, &["scan", bad]),
                "-ERR invalid cursor\r\n",
                "{bad:?}"
            );
        }
        let syntax = "-ERR syntax error\r\n";
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "0", "COUNT", "0"]),
            syntax
        );
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "0", "COUNT", "-1"]),
            syntax
        );
        assert_eq!(call(&mut s, 0, scan_shard, &["scan", "0", "MATCH"]), syntax);
        assert_eq!(call(&mut s, 0, scan_shard, &["scan", "0", "TYPE"]), syntax);
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "0", "foo", "bar"]),
            syntax
        );
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "0", "COUNT", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            call(&mut s, 0, scan_shard, &["scan", "x", "COUNT", "0"]),
            "-ERR invalid cursor\r\n"
        );
        assert!(call(
            &mut s,
            0,
            scan_shard,
            &["scan", "0", "COUNT", "9223372036854775807"]
        )
        .starts_with("*2\r\n$1\r\n0\r\n"));
        assert_eq!(parse_scan_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_scan_cursor(b"12"), Ok(12));
    }

    #[test]
    fn object_subcommands() {
        let mut s = Shard::for_tests(10_000_000);
        run(&mut s, &["SET", "int", "12345"]);
        run(&mut s, &["SET", "small", "12"]);
        run(&mut s, &["SET", "emb", "hello"]);
        run(&mut s, &["SET", "raw", &"x".repeat(45)]);
        assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "int"]), "$3\r\nint\r\n");
        assert_eq!(
            run(&mut s, &["object", "encoding", "emb"]),
            "$6\r\nembstr\r\n"
        );
        assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "raw"]), "$3\r\nraw\r\n");
        assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "nokey"]), "$-1\r\n");
        assert_eq!(
            run_in(&mut s, 0, true, &["OBJECT", "REFCOUNT", "nokey"]),
            "_\r\n"
        );
        assert_eq!(
            run(&mut s, &["OBJECT", "REFCOUNT", "small"]),
            ":2147483647\r\n"
        );
        assert_eq!(run(&mut s, &["OBJECT", "REFCOUNT", "int"]), ":1\r\n");
        assert_eq!(run(&mut s, &["OBJECT", "REFCOUNT", "emb"]), ":1\r\n");
        run(&mut s, &["SET", "edge", "9999"]);
        assert_eq!(
            run(&mut s, &["OBJECT", "REFCOUNT", "edge"]),
            ":2147483647\r\n"
        );
        run(&mut s, &["SET", "edge", "-1"]);
        assert_eq!(run(&mut s, &["OBJECT", "REFCOUNT", "edge"]), ":1\r\n");
        s.clock.advance(5_500);
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "emb"]), ":5\r\n");
        // OBJECT itself does not touch the key.
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "emb"]), ":5\r\n");
        run(&mut s, &["GET", "emb"]);
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "emb"]), ":0\r\n");
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "nokey"]), "$-1\r\n");
        assert_eq!(
            run(&mut s, &["OBJECT", "FREQ", "emb"]),
            format!("-{LFU_NOT_SELECTED}\r\n")
        );
        assert_eq!(run(&mut s, &["OBJECT", "FREQ", "nokey"]), "$-1\r\n");
        // Errors of the container.
        assert_eq!(
            run(&mut s, &["OBJECT", "ENCODING"]),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n"
        );
        assert_eq!(
            run(&mut s, &["OBJECT", "FOO", "emb"]),
            "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n"
        );
        assert_eq!(
            run(&mut s, &["OBJECT"]),
            "-ERR wrong number of arguments for 'object' command\r\n"
        );
        // An expired key is missing.
        run(&mut s, &["PEXPIRE", "emb", "1"]);
        s.clock.advance(1);
        assert_eq!(run(&mut s, &["OBJECT", "ENCODING", "emb"]), "$-1\r\n");
    }

    #[test]
    fn object_under_lru_and_lfu_policies() {
        let mut s = Shard::for_tests(10_000_000);
        let mut config = s.config.clone();
        config.maxmemory_policy = MaxmemoryPolicy::AllkeysLru;
        s.set_config(config.clone());
        run(&mut s, &["SET", "a", "1"]);
        assert_eq!(run(&mut s, &["OBJECT", "REFCOUNT", "a"]), ":1\r\n");
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "a"]), ":0\r\n");

        config.maxmemory_policy = MaxmemoryPolicy::VolatileLfu;
        s.set_config(config.clone());
        assert_eq!(run(&mut s, &["OBJECT", "REFCOUNT", "a"]), ":1\r\n");
        assert_eq!(
            run(&mut s, &["OBJECT", "IDLETIME", "a"]),
            format!("-{LFU_SELECTED}\r\n")
        );
        run(&mut s, &["SET", "f", "v"]);
        assert_eq!(run(&mut s, &["OBJECT", "FREQ", "f"]), ":5\r\n");
        // The first accesses above the initial value always count.
        run(&mut s, &["GET", "f"]);
        assert_eq!(run(&mut s, &["OBJECT", "FREQ", "f"]), ":6\r\n");
        // OBJECT FREQ itself does not count as an access.
        assert_eq!(run(&mut s, &["OBJECT", "FREQ", "f"]), ":6\r\n");
        for _ in 0..2000 {
            run(&mut s, &["GET", "f"]);
        }
        let freq = |s: &mut Shard| {
            let r = run(s, &["OBJECT", "FREQ", "f"]);
            r[1..r.len() - 2].parse::<u32>().unwrap_or(0)
        };
        let hot = freq(&mut s);
        assert!((10..=40).contains(&hot), "{hot}");
        // Overwriting keeps the history; one minute of idleness decays the counter by one.
        run(&mut s, &["SET", "f", "w"]);
        assert_eq!(freq(&mut s), hot);
        s.clock.advance(60_000);
        assert_eq!(freq(&mut s), hot - 1);
        s.clock.advance(3_600_000);
        assert_eq!(freq(&mut s), 0);

        config.maxmemory_policy = MaxmemoryPolicy::NoEviction;
        s.set_config(config);
        assert_eq!(run(&mut s, &["OBJECT", "REFCOUNT", "a"]), ":2147483647\r\n");
    }

    #[test]
    fn object_help() {
        let mut s = Shard::for_tests(0);
        let reply = run(&mut s, &["OBJECT", "HELP"]);
        assert!(reply.starts_with(
            "*11\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        ));
        assert!(reply.ends_with("+HELP\r\n+    Prints this help.\r\n"));
        assert_eq!(
            run(&mut s, &["OBJECT", "HELP", "x"]),
            "-ERR wrong number of arguments for 'object|help' command\r\n"
        );
    }

    #[test]
    fn rows_match_redis_specs() {
        let row = |name: &str| {
            crate::cmd::lookup(name.as_bytes()).unwrap_or_else(|| panic!("no row {name}"))
        };
        for (name, arity, keys) in [
            ("del", -2, (1, -1, 1)),
            ("unlink", -2, (1, -1, 1)),
            ("exists", -2, (1, -1, 1)),
            ("touch", -2, (1, -1, 1)),
            ("type", 2, (1, 1, 1)),
            ("rename", 3, (1, 2, 1)),
            ("renamenx", 3, (1, 2, 1)),
            ("copy", -3, (1, 2, 1)),
            ("move", 3, (1, 1, 1)),
            ("keys", 2, (0, 0, 0)),
            ("dbsize", 1, (0, 0, 0)),
            ("flushdb", -1, (0, 0, 0)),
            ("flushall", -1, (0, 0, 0)),
            ("swapdb", 3, (0, 0, 0)),
            ("randomkey", 1, (0, 0, 0)),
            ("scan", -2, (0, 0, 0)),
            ("object", -2, (0, 0, 0)),
        ] {
            let d = row(name);
            assert_eq!(d.arity, arity, "{name}");
            assert_eq!(d.keys.triple(), keys, "{name}");
        }
        let object = row("object");
        for sub in ["encoding", "freq", "idletime", "refcount"] {
            let d = object.subcommand(sub.as_bytes()).expect("subcommand");
            assert_eq!((d.arity, d.keys.triple()), (3, (2, 2, 1)), "{sub}");
            assert_eq!(d.flags, Flags::READONLY);
        }
        let help = object.subcommand(b"help").expect("help");
        assert_eq!(help.flags, Flags::LOADING.or(Flags::STALE));
        assert!(row("keys").acl_categories().has(Acl::DANGEROUS));
        assert!(row("swapdb").acl_categories().has(Acl::FAST));
        assert!(!row("del").acl_categories().has(Acl::FAST));
    }
}
