//! COMMAND and its subcommands, generated from the command table rows.

use corekv_proto::RespWriter;
use corekv_shard::cmd::{self, Acl, CommandDef, Flags, Keys};
use corekv_shard::{args, OpError};

use super::{help_reply, HandlerResult};
use crate::dispatch::Exchange;

/// One `COMMAND INFO` entry.
fn write_info(w: &mut RespWriter, d: &CommandDef) {
    w.array(10);
    w.bulk_str(d.name);
    w.int(i64::from(d.arity));
    let flags: Vec<&str> = d.flags.names().collect();
    w.set(flags.len());
    for f in flags {
        w.simple(f);
    }
    let (first, last, step) = d.keys.triple();
    w.int(i64::from(first));
    w.int(i64::from(last));
    w.int(i64::from(step));
    let acl = d.acl_categories();
    let cats: Vec<&str> = Acl::NAMES
        .iter()
        .filter(|(a, _)| acl.has(*a))
        .map(|(_, n)| *n)
        .collect();
    w.set(cats.len());
    for c in cats {
        w.simple(&format!("@{c}"));
    }
    // Tips.
    w.array(0);
    write_key_specs(w, d);
    w.array(d.subcommands.len());
    for s in d.subcommands {
        write_info(w, s);
    }
}

fn key_spec_flags(d: &CommandDef) -> &'static [&'static str] {
    if d.flags.has(Flags::WRITE) {
        &["RW", "UPDATE"]
    } else {
        &["RO", "ACCESS"]
    }
}

fn write_key_specs(w: &mut RespWriter, d: &CommandDef) {
    let (first, last, step) = match d.keys {
        Keys::None => {
            w.array(0);
            return;
        }
        Keys::Range { first, last, step }
        | Keys::Custom {
            first, last, step, ..
        } => (first, last, step),
    };
    if first <= 0 {
        w.array(0);
        return;
    }
    w.array(1);
    w.map(3);
    w.bulk_str("flags");
    let flags = key_spec_flags(d);
    w.set(flags.len());
    for f in flags {
        w.simple(f);
    }
    w.bulk_str("begin_search");
    w.map(2);
    w.bulk_str("type");
    w.bulk_str("index");
    w.bulk_str("spec");
    w.map(1);
    w.bulk_str("index");
    w.int(i64::from(first));
    w.bulk_str("find_keys");
    w.map(2);
    w.bulk_str("type");
    w.bulk_str("range");
    w.bulk_str("spec");
    w.map(3);
    w.bulk_str("lastkey");
    w.int(if last < 0 {
        i64::from(last)
    } else {
        i64::from(last - first)
    });
    w.bulk_str("keystep");
    w.int(i64::from(step));
    w.bulk_str("limit");
    w.int(0);
}

pub fn all(ex: &mut Exchange<'_>) -> HandlerResult {
    let cmds: Vec<&CommandDef> = cmd::all_commands().collect();
    let w = ex.out();
    w.array(cmds.len());
    for d in cmds {
        write_info(w, d);
    }
    Ok(())
}

pub fn count(ex: &mut Exchange<'_>) -> HandlerResult {
    let n = cmd::all_commands().count();
    ex.out().int(n as i64);
    Ok(())
}

/// Finds `name` or `container|sub`.
fn find(name: &[u8]) -> Option<&'static CommandDef> {
    match name.iter().position(|&b| b == b'|') {
        Some(bar) => cmd::lookup(&name[..bar])?.subcommand(&name[bar + 1..]),
        None => cmd::lookup(name),
    }
}

pub fn info(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    if a.len() == 2 {
        return all(ex);
    }
    let w = ex.out();
    w.array(a.len() - 2);
    for name in &a[2..] {
        match find(name) {
            Some(d) => write_info(w, d),
            None => w.null_array(),
        }
    }
    Ok(())
}

fn write_doc(w: &mut RespWriter, d: &CommandDef) {
    let has_subs = !d.subcommands.is_empty();
    w.map(if has_subs { 5 } else { 4 });
    w.bulk_str("summary");
    w.bulk_str(d.summary);
    w.bulk_str("since");
    w.bulk_str(d.since);
    w.bulk_str("group");
    w.bulk_str(d.group);
    w.bulk_str("complexity");
    w.bulk_str(d.complexity);
    if has_subs {
        w.bulk_str("subcommands");
        w.map(d.subcommands.len());
        for s in d.subcommands {
            w.bulk_str(s.name);
            write_doc(w, s);
        }
    }
}

pub fn docs(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    let defs: Vec<&CommandDef> = if a.len() == 2 {
        cmd::all_commands().collect()
    } else {
        a[2..].iter().filter_map(|n| find(n)).collect()
    };
    let w = ex.out();
    w.map(defs.len());
    for d in defs {
        w.bulk_str(d.name);
        write_doc(w, d);
    }
    Ok(())
}

pub fn list(ex: &mut Exchange<'_>, a: &[&[u8]]) -> HandlerResult {
    enum By {
        All,
        Acl(String),
        Pattern(Vec<u8>),
        Module,
    }
    let by = match a.len() {
        2 => By::All,
        5 if args::is(a[2], "filterby") => {
            if args::is(a[3], "aclcat") {
                By::Acl(args::text(a[4]).to_ascii_lowercase())
            } else if args::is(a[3], "pattern") {
                By::Pattern(a[4].to_vec())
            } else if args::is(a[3], "module") {
                By::Module
            } else {
                return Err(OpError::Syntax);
            }
        }
        _ => return Err(OpError::Syntax),
    };
    let mut names = Vec::new();
    for d in cmd::all_commands() {
        for def in std::iter::once(d).chain(d.subcommands.iter()) {
            let keep = match &by {
                By::All => true,
                By::Module => false,
                By::Pattern(p) => corekv_shard::util::glob_match(p, def.name.as_bytes(), true),
                By::Acl(cat) => {
                    let acl = def.acl_categories();
                    Acl::NAMES.iter().any(|(bit, n)| n == cat && acl.has(*bit))
                }
            };
            if keep {
                names.push(def.name);
            }
        }
    }
    let w = ex.out();
    w.array(names.len());
    for n in names {
        w.bulk_str(n);
    }
    Ok(())
}

pub fn getkeys(ex: &mut Exchange<'_>, a: &[&[u8]], with_flags: bool) -> HandlerResult {
    let cmd_args = &a[2..];
    let Some(mut d) = cmd::lookup(cmd_args[0]) else {
        return Err(OpError::msg("ERR Invalid command specified"));
    };
    if !d.subcommands.is_empty() && cmd_args.len() >= 2 {
        d = d
            .subcommand(cmd_args[1])
            .ok_or(OpError::msg("ERR Invalid command specified"))?;
    }
    if !d.arity_ok(cmd_args.len()) {
        return Err(OpError::msg(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let positions = d.keys.positions(cmd_args);
    if positions.is_empty() {
        return Err(OpError::msg("ERR The command has no key arguments"));
    }
    let flags = key_spec_flags(d);
    let w = ex.out();
    w.array(positions.len());
    for p in positions {
        if with_flags {
            w.array(2);
            w.bulk(cmd_args[p]);
            w.set(flags.len());
            for f in flags {
                w.simple(f);
            }
        } else {
            w.bulk(cmd_args[p]);
        }
    }
    Ok(())
}

pub fn help(ex: &mut Exchange<'_>) -> HandlerResult {
    help_reply(
        ex,
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        &[
            "(no subcommand)",
            "    Return details about all commands.",
            "COUNT",
            "    Return the total number of commands in this server.",
            "LIST",
            "    Return a list of all commands in this server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full command.",
        ],
    );
    Ok(())
}
