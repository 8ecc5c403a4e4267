//! Keyless commands over the whole keyspace that need their own coordination: SCAN (a cursor
//! that walks the shards one after the other) and RANDOMKEY (a shard chosen by its size).

use corekv_proto::Frame;
use corekv_shard::cmd::KeyspaceCmd;
use corekv_shard::keys::{parse_scan_cursor, randomkey_shard, scan_shard};

use super::HandlerResult;
use crate::dispatch::Exchange;

pub async fn run(cmd: KeyspaceCmd, ex: &mut Exchange<'_>, args: &[&[u8]]) -> HandlerResult {
    match cmd {
        KeyspaceCmd::Scan => scan(ex, args).await,
        KeyspaceCmd::RandomKey => randomkey(ex).await,
    }
}

/// SCAN's global cursor is `local * shards + shard`: shard `s` is walked from local cursor 0
/// to its end, then shard `s + 1` starts; with one shard it is exactly the dict cursor. When a
/// shard is exhausted before COUNT keys were found, the same call carries on with the next
/// shard, so an empty keyspace answers cursor 0 at once, as Redis does.
async fn scan(ex: &mut Exchange<'_>, args: &[&[u8]]) -> HandlerResult {
    let n = ex.rt.nshards as u64;
    let cursor = parse_scan_cursor(args[1])?;
    let count = args
        .windows(2)
        .rev()
        .find(|w| w[0].eq_ignore_ascii_case(b"count"))
        .and_then(|w| std::str::from_utf8(w[1]).ok()?.parse::<usize>().ok())
        .unwrap_or(10);
    let mut shard = cursor % n;
    let mut local = cursor / n;
    let mut keys: Vec<Frame> = Vec::new();
    let next = loop {
        let local_text = local.to_string();
        let mut argv: Vec<&[u8]> = args.to_vec();
        argv[1] = local_text.as_bytes();
        let reply = ex.call_on(shard as usize, scan_shard, "scan", &argv).await;
        let Ok(Some((Frame::Array(mut parts), _))) = Frame::decode(&reply) else {
            // An error (bad option): pass it through.
            ex.out().raw(&reply);
            return Ok(());
        };
        let next_local = parts
            .first()
            .and_then(|f| f.as_bytes())
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        if let Some(Frame::Array(mut found)) = parts.pop() {
            keys.append(&mut found);
        }
        if next_local != 0 {
            break next_local * n + shard;
        }
        shard += 1;
        local = 0;
        if shard == n {
            break 0;
        }
        if keys.len() >= count {
            break shard;
        }
    };
    let w = ex.out();
    w.array(2);
    w.bulk_str(&next.to_string());
    let mut buf = Vec::new();
    Frame::Array(keys).encode(&mut buf);
    w.raw(&buf);
    Ok(())
}

/// RANDOMKEY: picks a shard with probability proportional to its key count, then a key there.
async fn randomkey(ex: &mut Exchange<'_>) -> HandlerResult {
    let db = ex.client.borrow().db;
    let mut counts = Vec::with_capacity(ex.rt.nshards);
    for shard in 0..ex.rt.nshards {
        let c = if shard == ex.rt.id {
            ex.rt.shard.borrow_mut().db(db).len()
        } else {
            ex.rt
                .mesh
                .job(shard, move |rt| rt.shard.borrow_mut().db(db).len())
                .await
                .unwrap_or(0)
        };
        counts.push(c as u64);
    }
    let total: u64 = counts.iter().sum();
    for _ in 0..16 {
        if total == 0 {
            break;
        }
        let mut pick = ex.rt.shard.borrow_mut().random() % total;
        let mut shard = 0;
        for (i, c) in counts.iter().enumerate() {
            if pick < *c {
                shard = i;
                break;
            }
            pick -= c;
        }
        let reply = ex
            .call_on(shard, randomkey_shard, "randomkey", &[b"randomkey"])
            .await;
        if reply.first() != Some(&b'_') && !reply.starts_with(b"$-1") {
            ex.out().raw(&reply);
            return Ok(());
        }
    }
    ex.out().null();
    Ok(())
}
