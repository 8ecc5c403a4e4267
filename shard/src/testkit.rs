//! Drive a [`Shard`] with commands as a client would, synchronously and without a server:
//! `run(&mut shard, &["SET", "k", "v"])` gives the exact RESP reply bytes as a string.
//!
//! It goes through the same table lookup, arity check and op as the server. Commands the
//! server implements itself (connection, admin) and keyspace-wide coordination are out of
//! reach here; they are tested end to end in `server/tests`.

use corekv_proto::RespWriter;

use crate::cmd::{lookup, Route};
use crate::error::{unknown_subcommand, wrong_arity};
use crate::shard::{Cx, Shard};

/// Runs a command against database 0 with RESP2 replies.
pub fn run(shard: &mut Shard, args: &[&str]) -> String {
    run_in(shard, 0, false, args)
}

/// Runs a command against database `db`, RESP3 if `resp3`.
pub fn run_in(shard: &mut Shard, db: usize, resp3: bool, args: &[&str]) -> String {
    let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let mut out = RespWriter::new(resp3);
    run_raw(shard, db, &raw, &mut out);
    String::from_utf8_lossy(out.as_bytes()).into_owned()
}

/// Runs a command given as raw arguments, appending the reply to `out`.
pub fn run_raw(shard: &mut Shard, db: usize, args: &[&[u8]], out: &mut RespWriter) {
    let Some(first) = args.first() else {
        return;
    };
    let Some(mut def) = lookup(first) else {
        out.error(&format!(
            "ERR unknown command '{}'",
            String::from_utf8_lossy(first)
        ));
        return;
    };
    if matches!(def.route, Route::Container) {
        if args.len() < 2 {
            out.error(&wrong_arity(def.name));
            return;
        }
        match def.subcommand(args[1]) {
            Some(sub) => def = sub,
            None => {
                out.error(&unknown_subcommand(
                    def.name,
                    &String::from_utf8_lossy(args[1]),
                ));
                return;
            }
        }
    }
    if !def.arity_ok(args.len()) {
        out.error(&wrong_arity(def.name));
        return;
    }
    let op = match def.route {
        Route::Shard { op, .. } | Route::AllShards { op, .. } => op,
        _ => panic!("{} is not a shard command", def.name),
    };
    let now = shard.now_ms();
    let mut cx = Cx {
        db,
        now_ms: now,
        out,
        cmd: def.name,
    };
    shard.exec(op, &mut cx, args);
}
