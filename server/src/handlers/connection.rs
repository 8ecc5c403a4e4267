//! Connection commands (PING, ECHO, QUIT, HELLO, RESET, AUTH, SELECT) and small server ones
//! (TIME, LASTSAVE, ROLE, SHUTDOWN, FUNCTION FLUSH).

use corekv_shard::args;
use corekv_shard::error::{OpError, DB_INDEX_OUT_OF_RANGE, INT_OUT_OF_RANGE, SYNTAX};

use super::HandlerResult;
use crate::client::ReplyMode;
use crate::dispatch::{Exchange, Flow};
use crate::global::REDIS_VERSION;

pub fn ping(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    match a.len() {
        1 => ex.out().simple("PONG"),
        2 => ex.out().bulk(a[1]),
        _ => return Err(OpError::WrongArity),
    }
    Ok(())
}

pub fn echo(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    ex.out().bulk(a[1]);
    Ok(())
}

pub fn quit(ex: &mut Exchange<'_>) -> HandlerResult {
    ex.out().ok();
    ex.flow = Flow::Close;
    Ok(())
}

pub fn select(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let db = args::int(a[1])?;
    if db < i64::from(i32::MIN) || db > i64::from(i32::MAX) {
        return Err(OpError::msg(INT_OUT_OF_RANGE));
    }
    let databases = ex.rt.config().databases as i64;
    if !(0..databases).contains(&db) {
        return Err(OpError::msg(DB_INDEX_OUT_OF_RANGE));
    }
    ex.client.borrow_mut().db = db as usize;
    ex.out().ok();
    Ok(())
}

/// Checks a password for the default user (the only user until ACLs arrive).
fn check_password(ex: &Exchange<'_>, user: Option<&[u8]>, pass: &[u8]) -> Result<(), OpError> {
    let config = ex.rt.config();
    let user_ok = user.is_none_or(|u| u == b"default");
    let pass_ok = match &config.requirepass {
        // The default user is `nopass`: any password is accepted.
        None => true,
        Some(p) => p.as_bytes() == pass,
    };
    if user_ok && pass_ok {
        Ok(())
    } else {
        Err(OpError::msg(
            "WRONGPASS invalid username-password pair or user is disabled.",
        ))
    }
}

pub fn auth(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    if a.len() > 3 {
        return Err(OpError::Syntax);
    }
    if a.len() == 2 && ex.rt.config().requirepass.is_none() {
        return Err(OpError::msg(
            "ERR AUTH <password> called without any password configured for the default user. \
             Are you sure your configuration is correct?",
        ));
    }
    let (user, pass) = if a.len() == 3 {
        (Some(a[1]), a[2])
    } else {
        (None, a[1])
    };
    check_password(ex, user, pass)?;
    ex.client.borrow_mut().authenticated = true;
    ex.out().ok();
    Ok(())
}

pub async fn hello(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let mut ver = None;
    let mut i = 1;
    if a.len() >= 2 {
        let v = corekv_shard::util::parse_i64_strict(a[1]).ok_or_else(|| {
            OpError::msg("ERR Protocol version is not an integer or out of range")
        })?;
        if !(2..=3).contains(&v) {
            return Err(OpError::msg("NOPROTO unsupported protocol version"));
        }
        ver = Some(v as u8);
        i = 2;
    }
    let mut auth: Option<(&[u8], &[u8])> = None;
    let mut setname: Option<&[u8]> = None;
    while i < a.len() {
        let more = a.len() - i - 1;
        if args::is(a[i], "AUTH") && more >= 2 {
            auth = Some((a[i + 1], a[i + 2]));
            i += 3;
        } else if args::is(a[i], "SETNAME") && more >= 1 {
            setname = Some(a[i + 1]);
            i += 2;
        } else {
            return Err(OpError::msg(format!(
                "ERR Syntax error in HELLO option '{}'",
                args::text(a[i])
            )));
        }
    }
    if let Some((user, pass)) = auth {
        check_password(ex, Some(user), pass)?;
        ex.client.borrow_mut().authenticated = true;
    }
    if ex.rt.config().requirepass.is_some() && !ex.client.borrow().authenticated {
        return Err(OpError::msg(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
             the RESP protocol version at the same time",
        ));
    }
    if let Some(name) = setname {
        super::client_cmd::validate_name(name)?;
        ex.client.borrow_mut().name = name.to_vec();
    }
    if let Some(v) = ver {
        // Replies after this one use the new protocol; keep batches single-protocol.
        ex.barrier().await;
        ex.client.borrow_mut().resp = v;
        ex.set_resp3(v == 3);
    }
    let (id, resp) = {
        let c = ex.client.borrow();
        (c.id, c.resp)
    };
    let w = ex.out();
    w.map(7);
    w.bulk_str("server");
    w.bulk_str("redis");
    w.bulk_str("version");
    w.bulk_str(REDIS_VERSION);
    w.bulk_str("proto");
    w.int(i64::from(resp));
    w.bulk_str("id");
    w.int(id as i64);
    w.bulk_str("mode");
    w.bulk_str("standalone");
    w.bulk_str("role");
    w.bulk_str("master");
    w.bulk_str("modules");
    w.array(0);
    Ok(())
}

pub async fn reset(ex: &mut Exchange<'_>) -> HandlerResult {
    ex.barrier().await;
    let requirepass = ex.rt.config().requirepass.is_some();
    // RESET turns CLIENT REPLY OFF back on before it answers; a SKIP of this very reply stays.
    let was_off = ex.client.borrow().reply == ReplyMode::Off;
    {
        let mut c = ex.client.borrow_mut();
        c.db = 0;
        c.resp = 2;
        c.name.clear();
        c.reply = ReplyMode::On;
        c.no_evict = false;
        if requirepass {
            c.authenticated = false;
        }
    }
    ex.set_resp3(false);
    if was_off {
        ex.show_reply();
    }
    ex.out().simple("RESET");
    Ok(())
}

pub fn time(ex: &mut Exchange<'_>) -> HandlerResult {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let w = ex.out();
    w.array(2);
    w.bulk_int(now.as_secs() as i64);
    w.bulk_int(i64::from(now.subsec_micros()));
    Ok(())
}

pub fn lastsave(ex: &mut Exchange<'_>) -> HandlerResult {
    // No save has happened yet: Redis reports the start time then.
    let t = ex.rt.global.started_unix_ms / 1000;
    ex.out().int(t);
    Ok(())
}

pub fn role(ex: &mut Exchange<'_>) -> HandlerResult {
    let w = ex.out();
    w.array(3);
    w.bulk_str("master");
    w.int(0);
    w.array(0);
    Ok(())
}

pub fn cluster_disabled() -> HandlerResult {
    Err(OpError::msg(
        "ERR This instance has cluster support disabled",
    ))
}

pub fn lolwut(ex: &mut Exchange<'_>) -> HandlerResult {
    let text = format!("corekv, speaking Redis ver. {REDIS_VERSION}\n");
    ex.out().verbatim("txt", text.as_bytes());
    Ok(())
}

/// `SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]`: stops the server; the connection closes
/// without a reply, as with Redis.
pub fn shutdown(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let (mut save, mut nosave, mut abort) = (false, false, false);
    for opt in &a[1..] {
        if args::is(opt, "nosave") {
            nosave = true;
        } else if args::is(opt, "save") {
            save = true;
        } else if args::is(opt, "now") || args::is(opt, "force") {
        } else if args::is(opt, "abort") {
            abort = true;
        } else {
            return Err(OpError::msg(SYNTAX));
        }
    }
    if (save && nosave) || (abort && a.len() > 2) {
        return Err(OpError::msg(SYNTAX));
    }
    if abort {
        return Err(OpError::msg("ERR No shutdown in progress."));
    }
    if save {
        // There is no persistence yet, so an explicit SAVE cannot be honoured.
        tracing::warn!("SHUTDOWN SAVE requested, but this server has no persistence configured");
        return Err(OpError::msg("ERR Errors trying to SHUTDOWN. Check logs."));
    }
    tracing::warn!("User requested shutdown...");
    ex.rt.global.request_shutdown();
    ex.hide_reply();
    ex.out().ok();
    ex.flow = Flow::Close;
    Ok(())
}

/// `FUNCTION FLUSH [ASYNC | SYNC]`: there is no function library yet, so there is nothing to
/// delete; the command succeeds as Redis's does on an empty library.
pub fn function_flush(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    if a.len() == 3 && !(args::is(a[2], "async") || args::is(a[2], "sync")) {
        return Err(OpError::msg(
            "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
        ));
    }
    if a.len() > 3 {
        return Err(OpError::WrongArity);
    }
    ex.out().ok();
    Ok(())
}
