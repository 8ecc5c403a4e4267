//! CONFIG GET/SET/RESETSTAT/REWRITE/HELP. The configuration is per-shard plain data: SET
//! validates on the receiving shard, then installs the new configuration on every shard.

use corekv_shard::error::OpError;

use super::{help_reply, HandlerResult};
use crate::config::{SetContext, ERR_NO_CONFIG_FILE};
use crate::dispatch::Exchange;
use crate::runtime::Runtime;

pub fn get(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let pairs = ex.rt.config().get(&a[2..]);
    let w = ex.out();
    w.map(pairs.len());
    for (k, v) in pairs {
        w.bulk_str(&k);
        w.bulk_str(&v);
    }
    Ok(())
}

pub async fn set(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    if !a.len().is_multiple_of(2) {
        return Err(OpError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = a[2..].chunks(2).map(|p| (p[0], p[1])).collect();
    let mut next = (*ex.rt.config()).clone();
    let local_client = {
        let c = ex.client.borrow();
        c.unix || c.addr.starts_with("127.") || c.addr.starts_with("[::1]")
    };
    let changed = next
        .set_with(
            &pairs,
            SetContext {
                local_client,
                loading: false,
            },
        )
        .map_err(OpError::msg)?;
    // Listeners are created once at start-up (one per shard); moving them is not supported yet.
    if let Some(name) = changed.iter().find(|n| matches!(**n, "port" | "bind")) {
        return Err(OpError::msg(format!(
            "ERR CONFIG SET failed (possibly related to argument '{name}') - changing the \
             listening address at run time is not supported by corekv yet; restart the server"
        )));
    }
    ex.barrier().await;
    broadcast_config(ex.rt, next).await;
    crate::logging::apply(&ex.rt.config());
    tracing::debug!("CONFIG SET changed {changed:?}");
    ex.out().ok();
    Ok(())
}

/// Installs `config` on every shard (this one included) and waits until all have it.
pub async fn broadcast_config(rt: &Runtime, config: crate::config::Config) {
    for shard in 0..rt.nshards {
        if shard == rt.id {
            continue;
        }
        let c = config.clone();
        rt.mesh.job(shard, move |rt| rt.set_config(c)).await;
    }
    rt.set_config(config);
}

fn reset_local(rt: &Runtime) {
    rt.stats.borrow_mut().reset();
    for db in rt.shard.borrow_mut().dbs.iter_mut() {
        db.stats = Default::default();
    }
}

pub async fn resetstat(ex: &mut Exchange<'_>) -> HandlerResult {
    ex.barrier().await;
    for shard in 0..ex.rt.nshards {
        if shard != ex.rt.id {
            ex.rt.mesh.job(shard, reset_local).await;
        }
    }
    reset_local(ex.rt);
    ex.out().ok();
    Ok(())
}

pub async fn rewrite(ex: &mut Exchange<'_>) -> HandlerResult {
    let Some(path) = ex.rt.global.config_file.clone() else {
        return Err(OpError::msg(ERR_NO_CONFIG_FILE));
    };
    let config = (*ex.rt.config()).clone();
    // File I/O runs on glommio's blocking pool, off the shard thread.
    let result = glommio::executor()
        .spawn_blocking(move || rewrite_file(&path, &config))
        .await;
    match result {
        Ok(()) => {
            tracing::info!("CONFIG REWRITE executed with success.");
            ex.out().ok();
            Ok(())
        }
        Err(e) => {
            tracing::warn!("CONFIG REWRITE failed: {e}");
            Err(OpError::msg(format!("ERR Rewriting config file: {e}")))
        }
    }
}

/// Reads the file (a missing one counts as empty), writes the new text to a temporary file,
/// syncs it, keeps the old file's permissions and renames it over the old one, so a crash
/// never leaves a half-written configuration.
fn rewrite_file(path: &std::path::Path, config: &crate::config::Config) -> Result<(), String> {
    use std::io::Write;
    let reason = |e: std::io::Error| {
        let s = e.to_string();
        match s.find(" (os error") {
            Some(i) => s[..i].to_string(),
            None => s,
        }
    };
    let old = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(reason(e)),
    };
    let text = config.rewrite_text(&old);
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        reason(e)
    })
}

pub fn help(ex: &mut Exchange<'_>) -> HandlerResult {
    help_reply(
        ex,
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}
