//! MEMORY: per-key usage and the allocator subcommands.
//!
//! `MEMORY USAGE key` reports what the key costs this shard: the value's heap bytes (as
//! `Value::heap_size` counts them, every element, so SAMPLES only validates), the key's
//! bytes beyond its inline part, and the table slot holding the entry. MEMORY STATS, which
//! needs the whole server's allocator figures, is not offered yet.

use crate::cmd::single;
use crate::cmd::{container, def, keys, Acl, CommandDef, Flags, Keys, Route};
use crate::db::Entry;
use crate::error::{OpError, OpResult};
use crate::key::Key;
use crate::shard::{Cx, Shard};
use crate::util::parse_i64_strict;

pub static COMMANDS: [CommandDef; 1] = [container(
    "memory",
    -2,
    Flags::NONE,
    Acl::NONE,
    Route::Container,
    "server",
    "4.0.0",
    "Reports on the memory the server and its keys use.",
    &MEMORY_SUBCOMMANDS,
)];

static MEMORY_SUBCOMMANDS: [CommandDef; 5] = [
    def(
        "memory|usage",
        -3,
        Flags::READONLY,
        Acl::NONE,
        keys(2, 2, 1),
        single(usage),
        "server",
        "4.0.0",
        "O(N) where N is the number of samples.",
        "Estimates the bytes a key and its value take.",
    ),
    def(
        "memory|doctor",
        2,
        Flags::NONE,
        Acl::NONE,
        Keys::None,
        single(doctor),
        "server",
        "4.0.0",
        "O(1)",
        "Gives a short diagnosis of the memory use.",
    ),
    def(
        "memory|malloc-stats",
        2,
        Flags::NONE,
        Acl::NONE,
        Keys::None,
        single(malloc_stats),
        "server",
        "4.0.0",
        "Depends on how much memory is allocated, could be slow",
        "Reports the memory allocator's internal statistics.",
    ),
    def(
        "memory|purge",
        2,
        Flags::NONE,
        Acl::NONE,
        Keys::None,
        single(purge),
        "server",
        "4.0.0",
        "Depends on how much memory is allocated, could be slow",
        "Asks the allocator to give unused pages back to the system.",
    ),
    def(
        "memory|help",
        2,
        Flags::LOADING.or(Flags::STALE),
        Acl::NONE,
        Keys::None,
        single(help),
        "server",
        "4.0.0",
        "O(1)",
        "Describes the MEMORY subcommands.",
    ),
];

/// Bytes of one main-table slot: the entry plus the table's pointer to it.
fn slot_bytes() -> usize {
    std::mem::size_of::<Key>() + std::mem::size_of::<Entry>() + std::mem::size_of::<usize>()
}

/// `MEMORY USAGE key [SAMPLES count]`
fn usage(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let mut j = 3;
    while j < a.len() {
        if a[j].eq_ignore_ascii_case(b"samples") && j + 1 < a.len() {
            let n = parse_i64_strict(a[j + 1]).ok_or(OpError::NotInteger)?;
            if n < 0 {
                return Err(OpError::Syntax);
            }
            j += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    let key = a[2];
    let bytes = match sh.db(cx.db).get_notouch(key, cx.now_ms) {
        Some(e) => e.value.heap_size() + Key::new(key).heap_size() + slot_bytes(),
        None => {
            cx.out.null();
            return Ok(());
        }
    };
    cx.out.int(bytes as i64);
    Ok(())
}

fn doctor(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    cx.out.verbatim(
        "txt",
        b"No memory problem detected: corekv has no fragmentation or peak analysis yet, and \
          reports its allocation figures in INFO memory.\n",
    );
    Ok(())
}

fn malloc_stats(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    cx.out
        .bulk(b"Stats not supported for the current allocator");
    Ok(())
}

fn purge(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    cx.out.simple("OK");
    Ok(())
}

const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Print this help.",
];

fn help(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    cx.out.array(HELP.len());
    for line in HELP {
        cx.out.simple(line);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::shard::Shard;
    use crate::testkit::run;

    #[test]
    fn usage_grows_with_the_value_and_checks_options() {
        let mut s = Shard::for_tests(0);
        assert_eq!(run(&mut s, &["MEMORY", "USAGE", "nokey"]), "$-1\r\n");
        run(&mut s, &["SET", "k", "v"]);
        let small = run(&mut s, &["MEMORY", "USAGE", "k"]);
        assert!(small.starts_with(':'), "{small}");
        run(&mut s, &["SET", "k", &"x".repeat(1000)]);
        let big = run(&mut s, &["MEMORY", "USAGE", "k", "SAMPLES", "0"]);
        let n = |r: &str| r[1..r.len() - 2].parse::<usize>().unwrap_or(0);
        assert!(n(&big) >= n(&small) + 999, "{small} {big}");
        assert_eq!(
            run(&mut s, &["MEMORY", "USAGE", "k", "SAMPLES"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["MEMORY", "USAGE", "k", "SAMPLES", "-1"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &["MEMORY", "USAGE", "k", "SAMPLES", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(run(&mut s, &["MEMORY", "PURGE"]), "+OK\r\n");
        assert!(run(&mut s, &["MEMORY", "HELP"]).starts_with("*12\r\n"));
    }
}
