//! CLIENT subcommands. Connections live on every shard, so LIST and KILL ask every shard.

use corekv_shard::args;
use corekv_shard::error::{OpError, SYNTAX};

use super::{help_reply, HandlerResult};
use crate::blocking::{self, UnblockMode};
use crate::client::{ClientKind, Filter, ReplyMode};
use crate::dispatch::{Exchange, Flow};
use crate::global::unix_ms;
use crate::runtime::Runtime;

pub fn id(ex: &mut Exchange<'_>) -> HandlerResult {
    let id = ex.client.borrow().id;
    ex.out().int(id as i64);
    Ok(())
}

/// Client names may not contain spaces, newlines or other special characters.
pub fn validate_name(name: &[u8]) -> Result<(), OpError> {
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(OpError::msg(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

pub fn setname(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    validate_name(a[2])?;
    ex.client.borrow_mut().name = a[2].to_vec();
    ex.out().ok();
    Ok(())
}

pub fn getname(ex: &mut Exchange<'_>) -> HandlerResult {
    let name = ex.client.borrow().name.clone();
    if name.is_empty() {
        ex.out().null();
    } else {
        ex.out().bulk(&name);
    }
    Ok(())
}

pub fn info(ex: &mut Exchange<'_>) -> HandlerResult {
    let mut line = ex.client.borrow().line(unix_ms());
    line.push('\n');
    ex.out().verbatim("txt", line.as_bytes());
    Ok(())
}

/// Lines of this shard's clients matching `filter`, by id.
fn local_lines(rt: &Runtime, filter: &Filter) -> Vec<(u64, String)> {
    let now = unix_ms();
    rt.clients
        .borrow()
        .iter()
        .filter_map(|c| {
            let c = c.borrow();
            filter.matches(&c, 0).then(|| (c.id, c.line(now)))
        })
        .collect()
}

/// `CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]`
pub async fn list(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let mut filter = Filter::default();
    if a.len() > 2 {
        if args::is(a[2], "type") && a.len() == 4 {
            filter.kind = Some(ClientKind::parse(a[3]).ok_or_else(|| {
                OpError::msg(format!("ERR Unknown client type '{}'", args::text(a[3])))
            })?);
        } else if args::is(a[2], "id") && a.len() >= 4 {
            let mut ids = Vec::new();
            for v in &a[3..] {
                match corekv_shard::util::parse_i64_strict(v) {
                    // Ids are positive; others simply match no client.
                    Some(id) => ids.push(u64::try_from(id).unwrap_or(0)),
                    None => return Err(OpError::msg("ERR Invalid client ID")),
                }
            }
            filter.ids = Some(ids);
        } else {
            return Err(OpError::msg(SYNTAX));
        }
    }
    ex.barrier().await;
    let mut lines = local_lines(ex.rt, &filter);
    for shard in 0..ex.rt.nshards {
        if shard == ex.rt.id {
            continue;
        }
        let f = filter.clone();
        if let Some(mut more) = ex.rt.mesh.job(shard, move |rt| local_lines(rt, &f)).await {
            lines.append(&mut more);
        }
    }
    lines.sort_by_key(|(id, _)| *id);
    let mut text = String::new();
    for (_, l) in lines {
        text.push_str(&l);
        text.push('\n');
    }
    ex.out().verbatim("txt", text.as_bytes());
    Ok(())
}

/// Kills matching clients of one shard; the caller (`me`) is closed after its reply instead.
fn kill_local(rt: &Runtime, filter: &Filter, me: u64) -> u64 {
    let mut killed = 0;
    for c in rt.clients.borrow().iter() {
        let mut c = c.borrow_mut();
        if !filter.matches(&c, me) {
            continue;
        }
        killed += 1;
        if c.id == me {
            c.close_after_reply = true;
        } else {
            c.kill.fire();
        }
    }
    killed
}

pub async fn kill(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let filter = Filter::parse_kill(&a[2..]).map_err(OpError::msg)?;
    ex.barrier().await;
    let me = ex.client.borrow().id;
    let mut killed = kill_local(ex.rt, &filter, me);
    for shard in 0..ex.rt.nshards {
        if shard == ex.rt.id {
            continue;
        }
        let f = filter.clone();
        killed += ex
            .rt
            .mesh
            .job(shard, move |rt| kill_local(rt, &f, me))
            .await
            .unwrap_or(0);
    }
    if ex.client.borrow().close_after_reply {
        ex.flow = Flow::Close;
    }
    if filter.legacy {
        if killed == 0 {
            return Err(OpError::msg("ERR No such client"));
        }
        ex.out().ok();
    } else {
        ex.out().int(killed as i64);
    }
    Ok(())
}

pub fn no_evict(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let on = if args::is(a[2], "on") {
        true
    } else if args::is(a[2], "off") {
        false
    } else {
        return Err(OpError::msg(SYNTAX));
    };
    ex.client.borrow_mut().no_evict = on;
    ex.out().ok();
    Ok(())
}

pub fn reply(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let mode = if args::is(a[2], "on") {
        ReplyMode::On
    } else if args::is(a[2], "off") {
        ReplyMode::Off
    } else if args::is(a[2], "skip") {
        ReplyMode::SkipNext
    } else {
        return Err(OpError::msg(SYNTAX));
    };
    let current_visible = mode == ReplyMode::On;
    {
        let mut c = ex.client.borrow_mut();
        // SKIP while OFF changes nothing (Redis ignores it).
        if !(mode == ReplyMode::SkipNext && c.reply == ReplyMode::Off) {
            c.reply = mode;
        }
    }
    if current_visible {
        // ON replies even when replies were off until now.
        ex.show_reply();
    } else {
        ex.hide_reply();
    }
    ex.out().ok();
    Ok(())
}

pub fn help(ex: &mut Exchange<'_>) -> HandlerResult {
    help_reply(
        ex,
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        &[
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
        ],
    );
    Ok(())
}

/// `CLIENT UNBLOCK client-id [TIMEOUT | ERROR]`: ends a blocking command of a client on any
/// shard; 1 if it was blocked.
pub async fn unblock(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let id = corekv_shard::util::parse_i64_strict(a[2])
        .ok_or(OpError::msg("ERR value is not an integer or out of range"))?;
    let mode = match a.get(3) {
        None => UnblockMode::Timeout,
        Some(m) if args::is(m, "timeout") => UnblockMode::Timeout,
        Some(m) if args::is(m, "error") => UnblockMode::Error,
        Some(_) => {
            return Err(OpError::msg(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ))
        }
    };
    if a.len() > 4 {
        return Err(OpError::msg(SYNTAX));
    }
    ex.barrier().await;
    let id = id.max(0) as u64;
    let mut done = blocking::unblock_local(ex.rt, id, mode);
    for shard in 0..ex.rt.nshards {
        if done || shard == ex.rt.id {
            continue;
        }
        done = ex
            .rt
            .mesh
            .job(shard, move |rt| blocking::unblock_local(rt, id, mode))
            .await
            .unwrap_or(false);
    }
    ex.out().int(i64::from(done));
    Ok(())
}

/// Subcommands that belong to later capabilities (pause, tracking, blocking). They answer
/// what a server without those features truthfully can.
pub fn not_yet(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let sub = a[1].to_ascii_lowercase();
    match sub.as_slice() {
        b"unblock" => unreachable!("CLIENT UNBLOCK has its own handler"),
        b"getredir" => ex.out().int(-1),
        b"trackinginfo" => {
            let w = ex.out();
            w.map(3);
            w.bulk_str("flags");
            w.set(1);
            w.bulk_str("off");
            w.bulk_str("redirect");
            w.int(-1);
            w.bulk_str("prefixes");
            w.array(0);
        }
        b"tracking" if args::is(a[2], "off") => ex.out().ok(),
        b"caching" => {
            return Err(OpError::msg(
                "ERR CLIENT CACHING can be called only when the client is in tracking mode with \
                 OPTIN or OPTOUT mode enabled",
            ))
        }
        _ => {
            return Err(OpError::msg(format!(
                "ERR CLIENT {} is not supported by this server yet",
                String::from_utf8_lossy(&sub).to_ascii_uppercase()
            )))
        }
    }
    Ok(())
}
