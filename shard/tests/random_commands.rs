//! Robustness: hundreds of thousands of random commands, built from the command table's own
//! names and a vocabulary of awkward arguments, must never panic an op and must always produce
//! exactly one well-formed RESP reply.
//!
//! `RANDOM_COMMANDS=<n>` and `RANDOM_SEED=<u64>` run a longer or different sequence by hand.
#![allow(clippy::unwrap_used)]

use corekv_proto::{Frame, RespWriter};
use corekv_shard::cmd::{all_commands, CommandDef, Route};
use corekv_shard::testkit::run_raw;
use corekv_shard::util::Rng;
use corekv_shard::{Clock, Shard, ShardConfig};

const KEYS: &[&str] = &["k", "k2", "{t}a", "{t}b", "", "x"];
const WORDS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "10",
    "100",
    "-100",
    "1000000",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "1.5",
    "-0.5",
    "1e308",
    "1e309",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "abc",
    "",
    " ",
    "0x10",
    "010",
    "#1",
    "#-1",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "NX",
    "XX",
    "GT",
    "LT",
    "GET",
    "KEEPTTL",
    "PERSIST",
    "LEN",
    "IDX",
    "MINMATCHLEN",
    "WITHMATCHLEN",
    "BYTE",
    "BIT",
    "COUNT",
    "MATCH",
    "TYPE",
    "string",
    "REPLACE",
    "DB",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "OVERFLOW",
    "WRAP",
    "SAT",
    "FAIL",
    "INCRBY",
    "SET",
    "u1",
    "u8",
    "i8",
    "i64",
    "u63",
    "u64",
    "i65",
    "*",
    "k*",
    "[a-",
    "\\",
    "ASYNC",
    "SYNC",
    "ENCODING",
    "FREQ",
    "IDLETIME",
    "REFCOUNT",
    "HELP",
    // The data-type families' options.
    "LEFT",
    "RIGHT",
    "BEFORE",
    "AFTER",
    "RANK",
    "MAXLEN",
    "WITHSCORES",
    "WITHVALUES",
    "BYSCORE",
    "BYLEX",
    "REV",
    "LIMIT",
    "WEIGHTS",
    "AGGREGATE",
    "SUM",
    "MIN",
    "MAX",
    "CH",
    "INCR",
    "(1",
    "[a",
    "-",
    "+",
    "STREAMS",
    "GROUP",
    "BLOCK",
    "NOACK",
    "MKSTREAM",
    "ENTRIESREAD",
    "MINID",
    "~",
    "=",
    "$",
    ">",
    "0-0",
    "1-1",
    "18446744073709551615-18446744073709551615",
    "IDLE",
    "JUSTID",
    "FORCE",
    "FULL",
    "BY",
    "nosort",
    "ALPHA",
    "STORE",
    "k->f",
    "#",
    "FROMMEMBER",
    "FROMLONLAT",
    "BYRADIUS",
    "BYBOX",
    "ASC",
    "DESC",
    "WITHCOORD",
    "WITHDIST",
    "WITHHASH",
    "ANY",
    "km",
    "m",
    "13.361389",
    "38.115556",
    "SAMPLES",
];

fn pick<'a>(rng: &mut Rng, v: &[&'a str]) -> &'a str {
    v[rng.below(v.len() as u64) as usize]
}

/// A random argument list for `def` (the name, and the subcommand name for containers).
fn random_args(rng: &mut Rng, def: &CommandDef, parent: Option<&CommandDef>) -> Vec<Vec<u8>> {
    let mut args: Vec<Vec<u8>> = Vec::new();
    match parent {
        Some(p) => {
            args.push(p.name.as_bytes().to_vec());
            args.push(def.sub_name().as_bytes().to_vec());
        }
        None => args.push(def.name.as_bytes().to_vec()),
    }
    // Mostly argument counts the arity allows, so commands get past the arity check.
    let min = def.arity.unsigned_abs() as usize;
    let base = args.len();
    let n = if def.arity > 0 {
        if rng.below(8) == 0 {
            rng.below(6) as usize
        } else {
            min.saturating_sub(base)
        }
    } else {
        min.saturating_sub(base) + rng.below(7) as usize
    };
    for i in 0..n {
        let word = if i == 0 || rng.below(4) == 0 {
            pick(rng, KEYS)
        } else {
            pick(rng, WORDS)
        };
        args.push(word.as_bytes().to_vec());
    }
    args
}

/// Commands that are slow by design (a self-test over a million elements) and prove nothing
/// about argument handling.
const SKIP: &[&str] = &["pfselftest"];

fn shard_rows() -> Vec<(&'static CommandDef, Option<&'static CommandDef>)> {
    let mut rows = Vec::new();
    for d in all_commands().filter(|d| !SKIP.contains(&d.name)) {
        if matches!(d.route, Route::Shard { .. } | Route::AllShards { .. }) {
            rows.push((d, None));
        }
        for s in d.subcommands {
            if matches!(s.route, Route::Shard { .. } | Route::AllShards { .. }) {
                rows.push((s, Some(d)));
            }
        }
    }
    rows
}

#[test]
fn random_commands_never_panic_and_always_reply_once() {
    let config = ShardConfig {
        // Keep SETRANGE/SETBIT-style growth small so the test stays light.
        proto_max_bulk_len: 1 << 20,
        ..ShardConfig::default()
    };
    let mut shard = Shard::new(0, 1, config, Clock::Manual(1_700_000_000_000));
    let rows = shard_rows();
    assert!(
        rows.len() > 40,
        "expected the string/key families, found {}",
        rows.len()
    );
    let seed = std::env::var("RANDOM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_cafe);
    let mut rng = Rng::new(seed);
    let mut errors = 0u32;
    let total: u32 = std::env::var("RANDOM_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300_000);
    for i in 0..total {
        let (def, parent) = rows[rng.below(rows.len() as u64) as usize];
        let owned = random_args(&mut rng, def, parent);
        let args: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        let db = rng.below(3) as usize;
        let mut out = RespWriter::new(rng.below(2) == 0);
        run_raw(&mut shard, db, &args, &mut out);
        let bytes = out.as_bytes();
        if bytes.first() == Some(&b'-') {
            errors += 1;
        }
        match Frame::decode(bytes) {
            Ok(Some((_, used))) => assert_eq!(
                used,
                bytes.len(),
                "{:?} produced more than one reply: {:?}",
                owned,
                String::from_utf8_lossy(bytes)
            ),
            other => panic!(
                "{:?} produced a malformed reply {:?}: {:?}",
                owned,
                String::from_utf8_lossy(bytes),
                other.err()
            ),
        }
        assert_eq!(shard.panics, 0, "an op panicked on {owned:?}");
        if i % 1000 == 0 {
            shard.clock.advance(rng.below(5000) as i64);
        }
    }
    // The vocabulary must reach past argument checking often enough to mean something.
    assert!(
        errors < total * 9 / 10,
        "{errors} of {total} commands were errors"
    );
}
