//! Key expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT), TTL, PTTL,
//! EXPIRETIME, PEXPIRETIME and PERSIST.
//!
//! TTLs are stored as absolute Unix milliseconds on the entry ([`crate::db::Db::set_expire`]);
//! lazy and active expiry live in [`crate::db`]. Setting a time that has already passed deletes
//! the key on the spot: Redis treats (and replicates) that as a DEL, so it counts as a change
//! and not as an expired key.

use crate::args;
use crate::cmd::{def, keys, Acl, CommandDef, Cross, Flags, Route};
use crate::error::{OpError, OpResult, EXPIRE_GT_LT_CONFLICT, EXPIRE_NX_CONFLICT};
use crate::shard::{Cx, Shard};

const W_FAST: Flags = Flags::WRITE.or(Flags::FAST);
const R_FAST: Flags = Flags::READONLY.or(Flags::FAST);
const K: Acl = Acl::KEYSPACE;

const fn row(
    name: &'static str,
    arity: i16,
    flags: Flags,
    op: crate::cmd::OpFn,
    since: &'static str,
    summary: &'static str,
) -> CommandDef {
    def(
        name,
        arity,
        flags,
        K,
        keys(1, 1, 1),
        Route::Shard {
            op,
            cross: Cross::Never,
        },
        "generic",
        since,
        "O(1)",
        summary,
    )
}

pub static COMMANDS: [CommandDef; 9] = [
    row(
        "expire",
        -3,
        W_FAST,
        expire,
        "1.0.0",
        "Makes a key expire after a number of seconds.",
    ),
    row(
        "pexpire",
        -3,
        W_FAST,
        pexpire,
        "2.6.0",
        "Makes a key expire after a number of milliseconds.",
    ),
    row(
        "expireat",
        -3,
        W_FAST,
        expireat,
        "1.2.0",
        "Makes a key expire at a Unix time given in seconds.",
    ),
    row(
        "pexpireat",
        -3,
        W_FAST,
        pexpireat,
        "2.6.0",
        "Makes a key expire at a Unix time given in milliseconds.",
    ),
    row(
        "ttl",
        2,
        R_FAST,
        ttl,
        "1.0.0",
        "Reports the seconds left before a key expires.",
    ),
    row(
        "pttl",
        2,
        R_FAST,
        pttl,
        "2.6.0",
        "Reports the milliseconds left before a key expires.",
    ),
    row(
        "expiretime",
        2,
        R_FAST,
        expiretime,
        "7.0.0",
        "Reports the Unix time, in seconds, at which a key expires.",
    ),
    row(
        "pexpiretime",
        2,
        R_FAST,
        pexpiretime,
        "7.0.0",
        "Reports the Unix time, in milliseconds, at which a key expires.",
    ),
    row(
        "persist",
        2,
        W_FAST,
        persist,
        "2.2.0",
        "Removes the expiration time of a key, making it permanent.",
    ),
];

/// The conditions of EXPIRE and friends. A key without a TTL counts as an infinite TTL for
/// GT and LT.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExpireCond {
    /// Only if the key has no TTL.
    pub nx: bool,
    /// Only if the key has a TTL.
    pub xx: bool,
    /// Only if the new expiry is later than the current one.
    pub gt: bool,
    /// Only if the new expiry is earlier than the current one.
    pub lt: bool,
}

impl ExpireCond {
    /// Parses the options after `EXPIRE key time`.
    ///
    /// # Format
    /// `[NX | XX | GT | LT]` (Redis accepts `XX` with `GT` or `LT`, and repeats)
    pub fn parse(opts: &[&[u8]]) -> Result<ExpireCond, OpError> {
        let mut c = ExpireCond::default();
        for &o in opts {
            if args::is(o, "NX") {
                c.nx = true;
            } else if args::is(o, "XX") {
                c.xx = true;
            } else if args::is(o, "GT") {
                c.gt = true;
            } else if args::is(o, "LT") {
                c.lt = true;
            } else {
                // Redis formats the option as a C string: it stops at a NUL byte.
                let name = o.split(|&b| b == 0).next().unwrap_or_default();
                return Err(OpError::msg(format!(
                    "ERR Unsupported option {}",
                    args::text(name)
                )));
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(OpError::msg(EXPIRE_NX_CONFLICT));
        }
        if c.gt && c.lt {
            return Err(OpError::msg(EXPIRE_GT_LT_CONFLICT));
        }
        Ok(c)
    }

    /// Whether a key whose expiry is `current` (`None`: no TTL) may get the expiry `when`.
    pub fn allows(self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|cur| when <= cur) {
            return false;
        }
        if self.lt && current.is_some_and(|cur| when >= cur) {
            return false;
        }
        true
    }
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`
pub fn expire(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    expire_generic(sh, cx, a, now, true)
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`
pub fn pexpire(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    expire_generic(sh, cx, a, now, false)
}

/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]`
pub fn expireat(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    expire_generic(sh, cx, a, 0, true)
}

/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]`
pub fn pexpireat(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    expire_generic(sh, cx, a, 0, false)
}

/// The absolute expiry (Unix ms) that `arg` means, relative to `base_ms` (0 for the `*AT`
/// forms). Negative values are allowed (they lie in the past); a value whose conversion to
/// milliseconds or whose sum with the base overflows is `ERR invalid expire time`.
pub fn expire_time(arg: &[u8], base_ms: i64, seconds: bool) -> Result<i64, OpError> {
    let mut when = args::int(arg)?;
    if seconds {
        when = when.checked_mul(1000).ok_or(OpError::InvalidExpire)?;
    }
    // Only the upward overflow can happen: the base is never negative.
    when.checked_add(base_ms).ok_or(OpError::InvalidExpire)
}

/// The body of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT. Replies 1 when the TTL was set (or the
/// key deleted because the time has passed), 0 when the key is missing or a condition failed.
/// Options are checked first, then the time (even for a missing key), then the key.
fn expire_generic(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    a: &[&[u8]],
    base_ms: i64,
    seconds: bool,
) -> OpResult {
    let cond = ExpireCond::parse(&a[3..])?;
    let when = expire_time(a[2], base_ms, seconds)?;
    let key = a[1];
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    let current = match db.get_mut(key, now) {
        Some(e) => e.expire_at(),
        None => {
            cx.out.int(0);
            return Ok(());
        }
    };
    if !cond.allows(current, when) {
        cx.out.int(0);
        return Ok(());
    }
    if when <= now {
        db.delete(key);
    } else {
        db.set_expire(key, when);
    }
    sh.dirty += 1;
    cx.out.int(1);
    Ok(())
}

/// `TTL key`: seconds left, rounded to the nearest; -2 if the key is missing, -1 if it has no
/// TTL.
pub fn ttl(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    ttl_generic(sh, cx, a[1], false, false)
}

/// `PTTL key`: as TTL, in milliseconds.
pub fn pttl(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    ttl_generic(sh, cx, a[1], true, false)
}

/// `EXPIRETIME key`: the absolute expiry in Unix seconds (-2 / -1 as TTL).
pub fn expiretime(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    ttl_generic(sh, cx, a[1], false, true)
}

/// `PEXPIRETIME key`: the absolute expiry in Unix milliseconds (-2 / -1 as TTL).
pub fn pexpiretime(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    ttl_generic(sh, cx, a[1], true, true)
}

/// A read lookup that does not touch the key, as Redis's TTL family does.
fn ttl_generic(sh: &mut Shard, cx: &mut Cx<'_>, key: &[u8], ms: bool, absolute: bool) -> OpResult {
    let now = cx.now_ms;
    let Some(entry) = sh.db(cx.db).get_notouch(key, now) else {
        cx.out.int(-2);
        return Ok(());
    };
    let Some(at) = entry.expire_at() else {
        cx.out.int(-1);
        return Ok(());
    };
    let left = if absolute { at } else { at - now }.max(0);
    let reply = if ms {
        left
    } else {
        // Rounded to the nearest second (computed wide: `left + 500` may not fit).
        ((i128::from(left) + 500) / 1000) as i64
    };
    cx.out.int(reply);
    Ok(())
}

/// `PERSIST key`: 1 if a TTL was removed, 0 if the key is missing or has none.
pub fn persist(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let removed = db.get_mut(a[1], cx.now_ms).is_some() && db.persist(a[1]);
    if removed {
        sh.dirty += 1;
    }
    cx.out.int(i64::from(removed));
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::shard::Shard;
    use crate::testkit::{run, run_in};

    const NOW: i64 = 1_700_000_000_000;

    fn shard() -> Shard {
        Shard::for_tests(NOW)
    }

    #[test]
    fn expire_and_ttl_family() {
        let mut s = shard();
        run(&mut s, &["SET", "x", "foobar"]);
        assert_eq!(run(&mut s, &["EXPIRE", "x", "5"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "x"]), ":5\r\n");
        assert_eq!(run(&mut s, &["PTTL", "x"]), ":5000\r\n");
        assert_eq!(
            run(&mut s, &["EXPIRETIME", "x"]),
            format!(":{}\r\n", NOW / 1000 + 5)
        );
        assert_eq!(
            run(&mut s, &["PEXPIRETIME", "x"]),
            format!(":{}\r\n", NOW + 5000)
        );
        // Setting it again moves it.
        assert_eq!(run(&mut s, &["EXPIRE", "x", "10"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "x"]), ":10\r\n");
        // TTL rounds to the nearest second.
        s.clock.advance(1_499);
        assert_eq!(run(&mut s, &["TTL", "x"]), ":9\r\n");
        assert_eq!(run(&mut s, &["PTTL", "x"]), ":8501\r\n");
        s.clock.advance(2);
        assert_eq!(run(&mut s, &["TTL", "x"]), ":8\r\n");
        // The key lives until its time, then disappears.
        s.clock.advance(8_498);
        assert_eq!(run(&mut s, &["GET", "x"]), "$6\r\nfoobar\r\n");
        assert_eq!(run(&mut s, &["PTTL", "x"]), ":1\r\n");
        s.clock.advance(1);
        assert_eq!(run(&mut s, &["GET", "x"]), "$-1\r\n");
        assert_eq!(s.dbs[0].stats.expired_keys, 1);
        // -2 / -1.
        for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
            assert_eq!(run(&mut s, &[cmd, "x"]), ":-2\r\n", "{cmd}");
        }
        run(&mut s, &["SET", "p", "1"]);
        for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
            assert_eq!(run(&mut s, &[cmd, "p"]), ":-1\r\n", "{cmd}");
        }
        assert_eq!(run(&mut s, &["EXPIRE", "missing", "10"]), ":0\r\n");
    }

    #[test]
    fn expireat_and_millisecond_forms() {
        let mut s = shard();
        run(&mut s, &["SET", "k", "v"]);
        let at = (NOW / 1000 + 100).to_string();
        assert_eq!(run(&mut s, &["EXPIREAT", "k", &at]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "k"]), ":100\r\n");
        assert_eq!(run(&mut s, &["EXPIRETIME", "k"]), format!(":{at}\r\n"));
        assert_eq!(run(&mut s, &["PEXPIRE", "k", "1500"]), ":1\r\n");
        assert_eq!(run(&mut s, &["PTTL", "k"]), ":1500\r\n");
        assert_eq!(run(&mut s, &["TTL", "k"]), ":2\r\n");
        let pat = (NOW + 250).to_string();
        assert_eq!(run(&mut s, &["PEXPIREAT", "k", &pat]), ":1\r\n");
        assert_eq!(run(&mut s, &["PEXPIRETIME", "k"]), format!(":{pat}\r\n"));
        assert_eq!(
            run(&mut s, &["EXPIRETIME", "k"]),
            format!(":{}\r\n", NOW / 1000)
        );
        s.clock.advance(249);
        assert_eq!(run(&mut s, &["EXISTS", "k"]), ":1\r\n");
        s.clock.advance(1);
        assert_eq!(run(&mut s, &["EXISTS", "k"]), ":0\r\n");
    }

    #[test]
    fn a_time_in_the_past_deletes_the_key() {
        let mut s = shard();
        for (cmd, t) in [
            ("EXPIRE", "0".to_string()),
            ("EXPIRE", "-10".to_string()),
            ("PEXPIRE", "0".to_string()),
            ("EXPIREAT", (NOW / 1000).to_string()),
            ("PEXPIREAT", NOW.to_string()),
            ("PEXPIREAT", "-9223372036854770000".to_string()),
            ("EXPIREAT", "-9223372036854775".to_string()),
        ] {
            run(&mut s, &["SET", "foo", "bar"]);
            let dirty = s.dirty;
            assert_eq!(run(&mut s, &[cmd, "foo", &t]), ":1\r\n", "{cmd} {t}");
            assert_eq!(run(&mut s, &["EXISTS", "foo"]), ":0\r\n", "{cmd} {t}");
            assert_eq!(s.dirty, dirty + 1);
        }
        // A deletion, not an expiry.
        assert_eq!(s.dbs[0].stats.expired_keys, 0);
        assert_eq!(s.dbs[0].expires_len(), 0);
        // One millisecond ahead is still in the future.
        run(&mut s, &["SET", "foo", "bar"]);
        assert_eq!(run(&mut s, &["PEXPIRE", "foo", "1"]), ":1\r\n");
        assert_eq!(run(&mut s, &["PTTL", "foo"]), ":1\r\n");
    }

    #[test]
    fn overflow_and_parse_errors() {
        let mut s = shard();
        run(&mut s, &["SET", "foo", "bar"]);
        let inv = |c: &str| format!("-ERR invalid expire time in '{c}' command\r\n");
        for t in [
            "9223370399119966",
            "9223372036854776",
            "10000000000000000",
            "18446744073709561",
            "-9223372036854776",
            "-9999999999999999",
        ] {
            assert_eq!(run(&mut s, &["EXPIRE", "foo", t]), inv("expire"), "{t}");
        }
        assert_eq!(
            run(&mut s, &["PEXPIRE", "foo", "9223372036854770000"]),
            inv("pexpire")
        );
        assert_eq!(
            run(&mut s, &["EXPIREAT", "foo", "9223372036854776"]),
            inv("expireat")
        );
        // Checked before the key is looked up.
        assert_eq!(
            run(&mut s, &["EXPIRE", "nokey", "9223372036854776"]),
            inv("expire")
        );
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":-1\r\n");
        // The largest absolute times are fine.
        assert_eq!(
            run(&mut s, &["PEXPIREAT", "foo", "9223372036854775807"]),
            ":1\r\n"
        );
        assert_eq!(
            run(&mut s, &["PEXPIRETIME", "foo"]),
            ":9223372036854775807\r\n"
        );
        assert_eq!(run(&mut s, &["EXPIRETIME", "foo"]), ":9223372036854776\r\n");
        assert_eq!(
            run(&mut s, &["PTTL", "foo"]),
            format!(":{}\r\n", i64::MAX - NOW)
        );
        assert_eq!(
            run(&mut s, &["EXPIREAT", "foo", "9223372036854775"]),
            ":1\r\n"
        );
        let not_int = "-ERR value is not an integer or out of range\r\n";
        for t in ["", "1.5", "abc", " 1", "9223372036854775808"] {
            assert_eq!(run(&mut s, &["EXPIRE", "foo", t]), not_int, "{t:?}");
        }
        assert_eq!(
            run(&mut s, &["EXPIRE", "foo"]),
            "-ERR wrong number of arguments for 'expire' command\r\n"
        );
        assert_eq!(
            run(&mut s, &["TTL", "foo", "bar"]),
            "-ERR wrong number of arguments for 'ttl' command\r\n"
        );
    }

    #[test]
    fn nx_xx_gt_lt() {
        let mut s = shard();
        run(&mut s, &["SET", "foo", "bar", "EX", "100"]);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "NX"]), ":0\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":100\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "xx"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":200\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "300", "GT"]), ":1\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "300", "GT"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "100", "GT"]), ":0\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":300\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "400", "LT"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "300", "LT"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "100", "LT", "XX"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":100\r\n");

        // Without a TTL: NX sets, XX refuses, GT refuses (no TTL is infinite), LT sets.
        run(&mut s, &["SET", "foo", "bar"]);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "XX"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "GT"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "LT", "XX"]), ":0\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":-1\r\n");
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "100", "LT"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":100\r\n");
        run(&mut s, &["SET", "foo", "bar"]);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "NX"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":200\r\n");

        // Negative times with LT delete the key, volatile or not.
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "-10", "LT"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":-2\r\n");
        run(&mut s, &["SET", "foo", "bar"]);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "-10", "LT"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":-2\r\n");
        // A past time that fails its condition does not delete.
        run(&mut s, &["SET", "foo", "bar"]);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "-10", "GT"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXISTS", "foo"]), ":1\r\n");

        // Missing key: 0 whatever the option.
        for opt in ["NX", "XX", "GT", "LT"] {
            assert_eq!(run(&mut s, &["EXPIRE", "none", "100", opt]), ":0\r\n");
        }
    }

    #[test]
    fn option_errors() {
        let mut s = shard();
        run(&mut s, &["SET", "foo", "bar"]);
        let nx = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
        let gtlt = "-ERR GT and LT options at the same time are not compatible\r\n";
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "LT", "GT"]), gtlt);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "NX", "GT"]), nx);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "NX", "LT"]), nx);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "NX", "XX"]), nx);
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "GT", "LT", "NX"]), nx);
        assert_eq!(
            run(&mut s, &["EXPIRE", "foo", "200", "AB"]),
            "-ERR Unsupported option AB\r\n"
        );
        assert_eq!(
            run(&mut s, &["PEXPIRE", "foo", "200", "XX", "AB"]),
            "-ERR Unsupported option AB\r\n"
        );
        // Options are checked before the time.
        assert_eq!(
            run(&mut s, &["EXPIRE", "foo", "x", "foo"]),
            "-ERR Unsupported option foo\r\n"
        );
        // Repeats are fine.
        assert_eq!(run(&mut s, &["EXPIRE", "foo", "200", "nx", "NX"]), ":1\r\n");
        assert_eq!(
            run(&mut s, &["EXPIRE", "foo", "300", "gt", "xx", "GT"]),
            ":1\r\n"
        );
        assert_eq!(run(&mut s, &["TTL", "foo"]), ":300\r\n");
    }

    #[test]
    fn persist_and_ttl_edges() {
        let mut s = shard();
        run(&mut s, &["SET", "x", "foo", "EX", "100"]);
        let dirty = s.dirty;
        assert_eq!(run(&mut s, &["PERSIST", "x"]), ":1\r\n");
        assert_eq!(s.dirty, dirty + 1);
        assert_eq!(run(&mut s, &["TTL", "x"]), ":-1\r\n");
        assert_eq!(run(&mut s, &["PERSIST", "x"]), ":0\r\n");
        assert_eq!(run(&mut s, &["PERSIST", "nokey"]), ":0\r\n");
        assert_eq!(s.dirty, dirty + 1);
        assert_eq!(s.dbs[0].expires_len(), 0);
        // An expired key cannot be persisted back to life.
        run(&mut s, &["SET", "y", "foo", "PX", "10"]);
        s.clock.advance(10);
        assert_eq!(run(&mut s, &["PERSIST", "y"]), ":0\r\n");
        assert_eq!(run(&mut s, &["EXISTS", "y"]), ":0\r\n");
        // Nor can EXPIRE resurrect one (Redis issue #1026).
        run(&mut s, &["SET", "z", "foo", "PX", "10"]);
        s.clock.advance(10);
        assert_eq!(run(&mut s, &["EXPIRE", "z", "100"]), ":0\r\n");
        assert_eq!(run(&mut s, &["TTL", "z"]), ":-2\r\n");
        // A SET drops the TTL.
        run(&mut s, &["SET", "w", "foo", "EX", "100"]);
        run(&mut s, &["SET", "w", "bar"]);
        assert_eq!(run(&mut s, &["TTL", "w"]), ":-1\r\n");
        // TTLs are per database.
        run_in(&mut s, 1, false, &["SET", "w", "x"]);
        assert_eq!(run_in(&mut s, 1, false, &["EXPIRE", "w", "50"]), ":1\r\n");
        assert_eq!(run(&mut s, &["TTL", "w"]), ":-1\r\n");
        assert_eq!(run_in(&mut s, 1, false, &["TTL", "w"]), ":50\r\n");
    }

    #[test]
    fn ttl_lookups_count_stats_but_do_not_touch() {
        let mut s = shard();
        run(&mut s, &["SET", "k", "v", "EX", "100"]);
        s.clock.advance(4_000);
        run(&mut s, &["TTL", "k"]);
        run(&mut s, &["PTTL", "missing"]);
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "k"]), ":4\r\n");
        assert_eq!(s.dbs[0].stats.keyspace_hits, 2);
        assert_eq!(s.dbs[0].stats.keyspace_misses, 1);
        // EXPIRE is a write lookup: it touches the key and counts nothing.
        run(&mut s, &["EXPIRE", "k", "100"]);
        assert_eq!(run(&mut s, &["OBJECT", "IDLETIME", "k"]), ":0\r\n");
        assert_eq!(s.dbs[0].stats.keyspace_hits, 3);
    }

    #[test]
    fn rows_match_redis_specs() {
        use crate::cmd::{lookup, Flags};
        for (name, arity, write) in [
            ("expire", -3, true),
            ("pexpire", -3, true),
            ("expireat", -3, true),
            ("pexpireat", -3, true),
            ("ttl", 2, false),
            ("pttl", 2, false),
            ("expiretime", 2, false),
            ("pexpiretime", 2, false),
            ("persist", 2, true),
        ] {
            let d = lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(d.arity, arity, "{name}");
            assert_eq!(d.keys.triple(), (1, 1, 1), "{name}");
            let rw = if write { Flags::WRITE } else { Flags::READONLY };
            assert_eq!(d.flags, rw.or(Flags::FAST), "{name}");
            assert_eq!(d.group, "generic");
        }
    }
}
