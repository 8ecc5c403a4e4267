//! DEBUG: the subcommands test suites and operators rely on.

use std::time::Duration;

use corekv_shard::slot::key_shard;
use corekv_shard::value::Value;
use corekv_shard::{args, OpError};

use super::{help_reply, HandlerResult};
use crate::dispatch::Exchange;
use crate::runtime::Runtime;

pub async fn debug(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let sub = a[1].to_ascii_lowercase();
    match (sub.as_slice(), a.len()) {
        (b"help", 2) => help(ex),
        (b"sleep", 3) => sleep(ex, a[2]).await,
        (b"set-active-expire", 3) => set_active_expire(ex, a[2]).await,
        (b"log", 3) => {
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(a[2]));
            ex.out().ok();
            Ok(())
        }
        (b"error", 3) => Err(OpError::msg(args::text(a[2]))),
        (b"jmap", 2) | (b"change-repl-id", 2) => {
            ex.out().ok();
            Ok(())
        }
        (b"object", 3) => object(ex, a[2]).await,
        (b"populate", 3..=5) => populate(ex, a).await,
        (b"protocol", 3) => protocol(ex, a[2]),
        (b"quicklist-packed-threshold", 3) => {
            // Process-wide, as in Redis: every shard's lists see it.
            let ok = crate::config::text::memtoull(&args::text(a[2]))
                .is_some_and(corekv_shard::lists::set_packed_threshold);
            if !ok {
                return Err(OpError::msg(
                    "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
                ));
            }
            ex.out().ok();
            Ok(())
        }
        _ => Err(OpError::msg(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            args::text(a[1]).chars().take(128).collect::<String>()
        ))),
    }
}

fn help(ex: &mut Exchange<'_>) -> HandlerResult {
    help_reply(
        ex,
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        &[
            "CHANGE-REPL-ID",
            "    Accepted for compatibility; does nothing.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message.",
            "JMAP",
            "    Accepted for compatibility; does nothing.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about the <key> and associated value.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>, or <prefix>:<num> if given.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type: string, integer, double,",
            "    bignum, null, array, set, map, attrib, push, verbatim, true, false.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Set the size above which list elements get a node of their own (0: default).",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>; decimals are allowed.",
        ],
    );
    Ok(())
}

/// C's `atof`/`atoi` as DEBUG uses them: the longest numeric prefix, 0 when there is none.
fn c_number_prefix(arg: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(arg);
    let s = s.trim_start();
    let mut end = 0;
    for (i, _) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if s[..i].parse::<f64>().is_ok() {
            end = i;
        }
    }
    s[..end].parse().unwrap_or(0.0)
}

/// Freezes every shard for the given time, as a blocked single-threaded Redis would be.
async fn sleep(ex: &mut Exchange<'_>, arg: &[u8]) -> HandlerResult {
    let secs = c_number_prefix(arg);
    if !secs.is_finite() || secs <= 0.0 {
        ex.out().ok();
        return Ok(());
    }
    let dur = Duration::from_secs_f64(secs.min(1e6));
    ex.barrier().await;
    let mut waits = Vec::new();
    for shard in 0..ex.rt.nshards {
        if shard == ex.rt.id {
            continue;
        }
        let rt = ex.rt.clone();
        waits.push(glommio::spawn_local(async move {
            rt.mesh.job(shard, move |_| std::thread::sleep(dur)).await
        }));
    }
    // Let the jobs leave before this shard stops too.
    futures_lite::future::yield_now().await;
    std::thread::sleep(dur);
    for w in waits {
        w.await;
    }
    ex.out().ok();
    Ok(())
}

async fn set_active_expire(ex: &mut Exchange<'_>, arg: &[u8]) -> HandlerResult {
    let on = c_number_prefix(arg).trunc() != 0.0;
    ex.barrier().await;
    fn apply(rt: &Runtime, on: bool) {
        rt.shard.borrow_mut().config.active_expire = on;
    }
    for shard in 0..ex.rt.nshards {
        if shard != ex.rt.id {
            ex.rt.mesh.job(shard, move |rt| apply(rt, on)).await;
        }
    }
    apply(ex.rt, on);
    ex.out().ok();
    Ok(())
}

async fn object(ex: &mut Exchange<'_>, key: &[u8]) -> HandlerResult {
    let db = ex.client.borrow().db;
    let k = key.to_vec();
    let describe = move |rt: &Runtime| -> Option<String> {
        let sh = rt.shard.borrow();
        let now = sh.now_ms();
        let e = sh.dbs.get(db)?.peek(&k, now)?;
        let idle = (now / 1000) as u32 - e.lru;
        let len = e.value.string_len().unwrap_or(0);
        Some(format!(
            "Value at:0x0 refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
            e.value.encoding(),
            len,
            e.lru & ((1 << 24) - 1),
            idle
        ))
    };
    let shard = key_shard(key, ex.rt.nshards);
    let line = if shard == ex.rt.id {
        describe(ex.rt)
    } else {
        ex.rt.mesh.job(shard, describe).await.flatten()
    };
    match line {
        Some(l) => {
            ex.out().simple(&l);
            Ok(())
        }
        None => Err(OpError::NoSuchKey),
    }
}

/// `DEBUG POPULATE count [prefix] [size]`: every shard creates the keys it owns, skipping
/// keys that exist.
async fn populate(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let count = args::int(a[2])?;
    if count < 0 {
        return Err(OpError::msg("ERR count is out of range"));
    }
    let prefix = a
        .get(3)
        .map(|p| p.to_vec())
        .unwrap_or_else(|| b"key".to_vec());
    let size = match a.get(4) {
        Some(s) => {
            let v = args::int(s)?;
            if v < 0 {
                return Err(OpError::msg("ERR size is out of range"));
            }
            Some(v as usize)
        }
        None => None,
    };
    let db = ex.client.borrow().db;
    ex.barrier().await;
    let n = ex.rt.nshards;
    let fill = move |rt: &Runtime| {
        let mut sh = rt.shard.borrow_mut();
        let now = sh.now_ms();
        let me = sh.id;
        let mut key = Vec::new();
        for i in 0..count {
            key.clear();
            key.extend_from_slice(&prefix);
            key.extend_from_slice(format!(":{i}").as_bytes());
            if key_shard(&key, n) != me {
                continue;
            }
            let d = sh.db(db);
            if d.contains(&key, now) {
                continue;
            }
            let mut val = format!("value:{i}").into_bytes();
            if let Some(size) = size {
                val.resize(size, 0);
            }
            d.set(&key, Value::string(&val), now);
        }
    };
    for shard in 0..n {
        if shard != ex.rt.id {
            let f = fill.clone();
            ex.rt.mesh.job(shard, f).await;
        }
    }
    fill(ex.rt);
    ex.out().ok();
    Ok(())
}

/// `DEBUG PROTOCOL <type>`: one value of each RESP3 type (degraded in RESP2).
fn protocol(ex: &mut Exchange<'_>, kind: &[u8]) -> HandlerResult {
    let w = ex.out();
    match kind.to_ascii_lowercase().as_slice() {
        b"string" => w.bulk_str("Hello World"),
        b"integer" => w.int(12345),
        #[allow(clippy::approx_constant)] // reason: the value Redis replies with
        b"double" => w.double(3.141),
        b"bignum" => w.big_number("1234567999999999999999999999999999999"),
        b"null" => w.null(),
        b"array" => {
            w.array(3);
            for i in 0..3 {
                w.int(i);
            }
        }
        b"set" => {
            w.set(3);
            for i in 0..3 {
                w.int(i);
            }
        }
        b"map" => {
            w.map(3);
            for i in 0..3 {
                w.int(i);
                w.boolean(i == 1);
            }
        }
        b"attrib" => {
            if w.is_resp3() {
                w.attribute(1);
                w.bulk_str("key-popularity");
                w.array(2);
                w.bulk_str("key:123");
                w.int(90);
            }
            w.bulk_str("Some real reply following the attribute");
        }
        b"push" => {
            if !w.is_resp3() {
                return Err(OpError::msg("ERR RESP2 is not supported by this command"));
            }
            w.push(2);
            w.bulk_str("server-cpu-usage");
            w.int(42);
            w.bulk_str("Some real reply following the push reply");
        }
        b"true" => w.boolean(true),
        b"false" => w.boolean(false),
        b"verbatim" => w.verbatim("txt", b"This is a verbatim\nstring"),
        _ => {
            return Err(OpError::msg(
                "ERR Wrong protocol type name. Please use one of the following: \
                 string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ))
        }
    }
    Ok(())
}
