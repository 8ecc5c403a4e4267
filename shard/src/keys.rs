//! The generic keyspace family: DEL, EXISTS, TYPE, RENAME, KEYS, SCAN parts, OBJECT, ...
//!
//! Commands over the whole keyspace (DBSIZE, KEYS, FLUSHALL, SCAN) have a per-shard op here;
//! the server runs it on every shard and merges the replies.

use crate::cmd::{def, keys, Acl, CommandDef, Cross, Flags, Keys, Merge, Route};
use crate::error::OpResult;
use crate::shard::{Cx, Shard};

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const FAST: Flags = Flags::FAST;
const K: Acl = Acl::KEYSPACE;

pub static COMMANDS: [CommandDef; 3] = [
    def(
        "del",
        -2,
        W,
        K,
        keys(1, -1, 1),
        Route::Shard {
            op: del,
            cross: Cross::Split {
                part: del,
                group: 1,
                merge: Merge::SumInt,
            },
        },
        "generic",
        "1.0.0",
        "O(N) where N is the number of keys that will be removed.",
        "Deletes one or more keys.",
    ),
    def(
        "exists",
        -2,
        R.or(FAST),
        K,
        keys(1, -1, 1),
        Route::Shard {
            op: exists,
            cross: Cross::Split {
                part: exists,
                group: 1,
                merge: Merge::SumInt,
            },
        },
        "generic",
        "1.0.0",
        "O(N) where N is the number of keys to check.",
        "Determines whether one or more keys exist.",
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
];

/// `DEL key [key ...]` (also the per-shard part when keys span shards).
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

/// `EXISTS key [key ...]`: counts repeated keys each time.
pub fn exists(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let n = a[1..]
        .iter()
        .filter(|k| db.get(k, cx.now_ms).is_some())
        .count();
    cx.out.int(n as i64);
    Ok(())
}

/// `DBSIZE` on this shard.
pub fn dbsize(sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    let n = sh.db(cx.db).len();
    cx.out.int(n as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::shard::Shard;
    use crate::testkit::run;

    #[test]
    fn del_exists_dbsize() {
        let mut s = Shard::for_tests(0);
        run(&mut s, &["MSET", "a", "1", "b", "2"]);
        assert_eq!(run(&mut s, &["EXISTS", "a", "a", "x"]), ":2\r\n");
        assert_eq!(run(&mut s, &["DBSIZE"]), ":2\r\n");
        assert_eq!(run(&mut s, &["DEL", "a", "x", "a"]), ":1\r\n");
        assert_eq!(run(&mut s, &["DBSIZE"]), ":1\r\n");
    }
}
