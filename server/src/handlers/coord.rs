//! Coordinators for keyed commands whose keys live on different shards (`Cross::Coord` rows):
//! RENAME, RENAMENX, COPY and MSETNX have their own steps; LCS and BITOP (and any later
//! multi-key command) go through the generic gather/run/scatter path.
//!
//! Each is written as steps on the owning shards (jobs), in the same order Redis performs its
//! checks, so results and errors are Redis's. Isolation against concurrent clients between the
//! steps is the atomicity capability's job (see docs/ARCHITECTURE.md); the steps are ordered so
//! that a failure never leaves a half-done write.

use corekv_proto::RespWriter;
use corekv_shard::cmd::{CommandDef, CoordCmd, Flags};
use corekv_shard::db::Entry;
use corekv_shard::error::{OpError, DB_INDEX_OUT_OF_RANGE};
use corekv_shard::slot::key_shard;
use corekv_shard::{args, OpFn};
use corekv_shard::{Clock, Cx, Shard};

use super::HandlerResult;
use crate::dispatch::Exchange;
use crate::runtime::Runtime;

pub async fn run(
    cmd: CoordCmd,
    ex: &mut Exchange<'_>,
    def: &'static CommandDef,
    op: OpFn,
    a: &[&[u8]],
) -> HandlerResult {
    match cmd {
        CoordCmd::Rename => rename(ex, a, false).await,
        CoordCmd::RenameNx => rename(ex, a, true).await,
        CoordCmd::Copy => copy(ex, a).await,
        CoordCmd::MsetNx => msetnx(ex, a).await,
        CoordCmd::Lcs | CoordCmd::BitOp | CoordCmd::Gather => {
            gather_run(ex, def, op, a, None).await
        }
        CoordCmd::Sort => gather_run(ex, def, op, a, Some(corekv_shard::sort::pattern_keys)).await,
    }
}

/// The generic cross-shard path for a multi-key command: copy every key's entry from its
/// owner into a scratch shard, run the command's own op there, then send every key whose
/// entry changed back to its owner (written, or deleted). Reads (LCS) skip the last step.
/// Replies and errors are exactly those of the single-shard op, because it is the same op.
///
/// `more_keys` names further keys the op reads that only the gathered entries reveal (SORT's
/// BY/GET patterns); it runs on the scratch shard once the declared keys are there, and the
/// keys it names are gathered too before the op runs.
async fn gather_run(
    ex: &mut Exchange<'_>,
    def: &'static CommandDef,
    op: OpFn,
    a: &[&[u8]],
    more_keys: Option<MoreKeys>,
) -> HandlerResult {
    let n = ex.rt.nshards;
    let db = ex.client.borrow().db;
    let keys: Vec<Vec<u8>> = def
        .keys
        .positions(a)
        .iter()
        .map(|&p| a[p].to_vec())
        .collect();
    let mut gathered: Vec<(Vec<u8>, Option<Entry>)> = Vec::with_capacity(keys.len());
    for k in keys {
        if gathered.iter().any(|(g, _)| *g == k) {
            continue;
        }
        let entry = fetch_entry(ex, db, &k, false).await?;
        gathered.push((k, entry));
    }
    let mut scratch = {
        let sh = ex.rt.shard.borrow();
        Shard::new(
            sh.id,
            sh.nshards,
            sh.config.clone(),
            Clock::Manual(sh.now_ms()),
        )
    };
    for (k, e) in &gathered {
        if let Some(e) = e {
            scratch.db(db).put_entry(k, e.clone());
        }
    }
    if let Some(find) = more_keys {
        // An error here is the op's own error: it runs below and reports it.
        let extra = find(&mut scratch, db, a).unwrap_or_default();
        for k in extra {
            if gathered.iter().any(|(g, _)| *g == k) {
                continue;
            }
            let entry = fetch_entry(ex, db, &k, true).await?;
            if let Some(e) = &entry {
                scratch.db(db).put_entry(&k, e.clone());
            }
            gathered.push((k, entry));
        }
    }
    let (reply, changed, dirty) = {
        let mut out = RespWriter::new(ex.out().is_resp3());
        let now = scratch.now_ms();
        let mut cx = Cx {
            db,
            now_ms: now,
            out: &mut out,
            cmd: def.name,
        };
        scratch.exec(op, &mut cx, a);
        let mut changed = Vec::new();
        if def.flags.has(Flags::WRITE) {
            for (k, before) in &gathered {
                let after = scratch.db(db).peek(k, now).cloned();
                let same = match (before, &after) {
                    (None, None) => true,
                    (Some(b), Some(a)) => b.value == a.value && b.expire_at() == a.expire_at(),
                    _ => false,
                };
                if !same {
                    changed.push((k.clone(), after));
                }
            }
        }
        (out.into_inner(), changed, scratch.dirty)
    };
    let mut first = true;
    for (k, after) in changed {
        let shard = key_shard(&k, n);
        let add_dirty = if first { dirty } else { 0 };
        first = false;
        on(ex, shard, move |rt| {
            let mut sh = rt.shard.borrow_mut();
            match after {
                Some(e) => sh.db(db).put_entry(&k, e),
                None => {
                    sh.db(db).delete(&k);
                }
            }
            sh.dirty += add_dirty;
        })
        .await?;
    }
    ex.out().raw(&reply);
    Ok(())
}

/// Runs `f` on shard `shard` (directly if it is this one).
async fn on<R, F>(ex: &Exchange<'_>, shard: usize, f: F) -> Result<R, OpError>
where
    R: Send + 'static,
    F: FnOnce(&Runtime) -> R + Send + 'static,
{
    if shard == ex.rt.id {
        return Ok(f(ex.rt));
    }
    ex.rt
        .mesh
        .job(shard, f)
        .await
        .ok_or(OpError::msg("ERR shard unavailable (server shutting down)"))
}

/// A copy of `key`'s entry (value and TTL) from its owner, expired keys excluded. A `read`
/// lookup counts as a keyspace hit or miss, as Redis counts the keys SORT patterns read.
async fn fetch_entry(
    ex: &Exchange<'_>,
    db: usize,
    key: &[u8],
    read: bool,
) -> Result<Option<Entry>, OpError> {
    let k = key.to_vec();
    on(ex, key_shard(key, ex.rt.nshards), move |rt| {
        let mut sh = rt.shard.borrow_mut();
        let t = sh.now_ms();
        let d = sh.db(db);
        let e = if read { d.get(&k, t) } else { d.get_mut(&k, t) };
        e.map(|e| e.clone())
    })
    .await
}

/// Names the keys a command will read beyond its declared ones (see [`gather_run`]).
type MoreKeys = fn(&mut Shard, usize, &[&[u8]]) -> Result<Vec<Vec<u8>>, OpError>;

fn now(rt: &Runtime) -> i64 {
    rt.shard.borrow().now_ms()
}

async fn rename(ex: &mut Exchange<'_>, a: &[&[u8]], nx: bool) -> HandlerResult {
    let n = ex.rt.nshards;
    let db = ex.client.borrow().db;
    let (src, dst) = (a[1].to_vec(), a[2].to_vec());
    let (s_src, s_dst) = (key_shard(&src, n), key_shard(&dst, n));
    // The source must exist (checked first, as Redis does).
    let k = src.clone();
    let exists = on(ex, s_src, move |rt| {
        let t = now(rt);
        rt.shard.borrow_mut().db(db).contains(&k, t)
    })
    .await?;
    if !exists {
        return Err(OpError::NoSuchKey);
    }
    if nx {
        let k = dst.clone();
        let taken = on(ex, s_dst, move |rt| {
            let t = now(rt);
            rt.shard.borrow_mut().db(db).contains(&k, t)
        })
        .await?;
        if taken {
            ex.out().int(0);
            return Ok(());
        }
    }
    let k = src.clone();
    let entry: Option<Entry> = on(ex, s_src, move |rt| {
        let mut sh = rt.shard.borrow_mut();
        let t = sh.now_ms();
        let db = sh.db(db);
        if !db.contains(&k, t) {
            return None;
        }
        let e = db.delete(&k);
        sh.dirty += 1;
        e
    })
    .await?;
    let Some(entry) = entry else {
        return Err(OpError::NoSuchKey);
    };
    on(ex, s_dst, move |rt| {
        let mut sh = rt.shard.borrow_mut();
        sh.db(db).put_entry(&dst, entry);
        sh.dirty += 1;
    })
    .await?;
    if nx {
        ex.out().int(1);
    } else {
        ex.out().ok();
    }
    Ok(())
}

/// `COPY source destination [DB destination-db] [REPLACE]`
async fn copy(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let n = ex.rt.nshards;
    let src_db = ex.client.borrow().db;
    let mut dst_db = src_db;
    let mut replace = false;
    let mut i = 3;
    while i < a.len() {
        if args::is(a[i], "replace") {
            replace = true;
        } else if args::is(a[i], "db") && i + 1 < a.len() {
            let v = args::int(a[i + 1])?;
            if v < 0 || v > i32::MAX as i64 || v as usize >= ex.rt.config().databases {
                return Err(OpError::msg(DB_INDEX_OUT_OF_RANGE));
            }
            dst_db = v as usize;
            i += 1;
        } else {
            return Err(OpError::Syntax);
        }
        i += 1;
    }
    let (src, dst) = (a[1].to_vec(), a[2].to_vec());
    let k = src.clone();
    let entry: Option<Entry> = on(ex, key_shard(&src, n), move |rt| {
        let mut sh = rt.shard.borrow_mut();
        let t = sh.now_ms();
        sh.db(src_db).get(&k, t).map(|e| e.clone())
    })
    .await?;
    let Some(entry) = entry else {
        ex.out().int(0);
        return Ok(());
    };
    let copied = on(ex, key_shard(&dst, n), move |rt| {
        let mut sh = rt.shard.borrow_mut();
        let t = sh.now_ms();
        let db = sh.db(dst_db);
        if db.contains(&dst, t) && !replace {
            return false;
        }
        db.put_entry(&dst, entry);
        sh.dirty += 1;
        true
    })
    .await?;
    ex.out().int(i64::from(copied));
    Ok(())
}

/// `MSETNX key value [key value ...]`: all keys are set only if none exists.
async fn msetnx(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    if a.len().is_multiple_of(2) {
        return Err(OpError::WrongArity);
    }
    let n = ex.rt.nshards;
    let db = ex.client.borrow().db;
    let mut by_shard: Vec<Vec<(Vec<u8>, Vec<u8>)>> = vec![Vec::new(); n];
    for pair in a[1..].chunks(2) {
        by_shard[key_shard(pair[0], n)].push((pair[0].to_vec(), pair[1].to_vec()));
    }
    for (shard, pairs) in by_shard.iter().enumerate() {
        if pairs.is_empty() {
            continue;
        }
        let keys: Vec<Vec<u8>> = pairs.iter().map(|(k, _)| k.clone()).collect();
        let any = on(ex, shard, move |rt| {
            let mut sh = rt.shard.borrow_mut();
            let t = sh.now_ms();
            let db = sh.db(db);
            keys.iter().any(|k| db.contains(k, t))
        })
        .await?;
        if any {
            ex.out().int(0);
            return Ok(());
        }
    }
    for (shard, pairs) in by_shard.into_iter().enumerate() {
        if pairs.is_empty() {
            continue;
        }
        on(ex, shard, move |rt| {
            let mut sh = rt.shard.borrow_mut();
            let t = sh.now_ms();
            let count = pairs.len() as u64;
            for (k, v) in pairs {
                sh.db(db).set(&k, corekv_shard::value::Value::string(&v), t);
            }
            sh.dirty += count;
        })
        .await?;
    }
    ex.out().int(1);
    Ok(())
}
