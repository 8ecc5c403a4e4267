//! COMMAND and its subcommands, generated from the command table rows.

use corekv_proto::RespWriter;
use corekv_shard::cmd::{self, Acl, CommandDef, Flags, Keys};
use corekv_shard::keyspecs::{key_specs, Begin, Find};
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

fn write_key_specs(w: &mut RespWriter, d: &CommandDef) {
    let specs = key_specs(d.name);
    w.array(specs.len());
    for spec in specs {
        w.map(3);
        w.bulk_str("flags");
        w.set(spec.flags.len());
        for f in spec.flags {
            w.simple(f);
        }
        w.bulk_str("begin_search");
        w.map(2);
        w.bulk_str("type");
        match spec.begin {
            Begin::Index(pos) => {
                w.bulk_str("index");
                w.bulk_str("spec");
                w.map(1);
                w.bulk_str("index");
                w.int(i64::from(pos));
            }
            Begin::Keyword { keyword, startfrom } => {
                w.bulk_str("keyword");
                w.bulk_str("spec");
                w.map(2);
                w.bulk_str("keyword");
                w.bulk_str(keyword);
                w.bulk_str("startfrom");
                w.int(i64::from(startfrom));
            }
            Begin::Unknown => {
                w.bulk_str("unknown");
                w.bulk_str("spec");
                w.map(0);
            }
        }
        w.bulk_str("find_keys");
        w.map(2);
        w.bulk_str("type");
        match spec.find {
            Find::Range {
                lastkey,
                step,
                limit,
            } => {
                w.bulk_str("range");
                w.bulk_str("spec");
                w.map(3);
                w.bulk_str("lastkey");
                w.int(i64::from(lastkey));
                w.bulk_str("keystep");
                w.int(i64::from(step));
                w.bulk_str("limit");
                w.int(i64::from(limit));
            }
            Find::Keynum {
                keynumidx,
                firstkey,
                step,
            } => {
                w.bulk_str("keynum");
                w.bulk_str("spec");
                w.map(3);
                w.bulk_str("keynumidx");
                w.int(i64::from(keynumidx));
                w.bulk_str("firstkey");
                w.int(i64::from(firstkey));
                w.bulk_str("keystep");
                w.int(i64::from(step));
            }
            Find::Unknown => {
                w.bulk_str("unknown");
                w.bulk_str("spec");
                w.map(0);
            }
        }
    }
}

/// Keys found by a command's key specifications, with each key's flags, in argument order.
fn keys_by_spec(d: &CommandDef, a: &[&[u8]]) -> Vec<(usize, &'static [&'static str])> {
    let argc = a.len() as i64;
    let mut out: Vec<(usize, &'static [&'static str])> = Vec::new();
    for spec in key_specs(d.name) {
        let start = match spec.begin {
            Begin::Index(pos) => i64::from(pos),
            Begin::Keyword { keyword, startfrom } => {
                let from = if startfrom >= 0 {
                    i64::from(startfrom)
                } else {
                    argc + i64::from(startfrom)
                };
                let found = if startfrom >= 0 {
                    (from.max(1)..argc)
                        .find(|&i| a[i as usize].eq_ignore_ascii_case(keyword.as_bytes()))
                } else {
                    (1..=from.min(argc - 1))
                        .rev()
                        .find(|&i| a[i as usize].eq_ignore_ascii_case(keyword.as_bytes()))
                };
                match found {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            Begin::Unknown => continue,
        };
        let (last, step) = match spec.find {
            Find::Range {
                lastkey,
                step,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    start + i64::from(lastkey)
                } else if limit > 1 {
                    start + (argc - start) / i64::from(limit) - 1
                } else {
                    argc + i64::from(lastkey)
                };
                (last, i64::from(step))
            }
            Find::Keynum {
                keynumidx,
                firstkey,
                step,
            } => {
                let idx = start + i64::from(keynumidx);
                let Some(n) = a
                    .get(idx as usize)
                    .and_then(|v| corekv_shard::util::parse_i64_strict(v))
                else {
                    continue;
                };
                let first = start + i64::from(firstkey);
                (first + (n - 1) * i64::from(step), i64::from(step))
            }
            Find::Unknown => continue,
        };
        let first = match spec.find {
            Find::Keynum { firstkey, .. } => start + i64::from(firstkey),
            _ => start,
        };
        let mut i = first;
        while i <= last && i < argc && i >= 1 && step > 0 {
            out.push((i as usize, spec.flags));
            i += step;
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out
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
    let has_keys = !matches!(d.keys, Keys::None) || !key_specs(d.name).is_empty();
    if !has_keys {
        return Err(OpError::msg("ERR The command has no key arguments"));
    }
    if !d.arity_ok(cmd_args.len()) {
        return Err(OpError::msg(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    // A command with its own key finder (SORT's STORE, numkeys commands) is answered by it,
    // as Redis answers with the command's getkeys procedure; flags come from its key specs.
    let mut keys = if let Keys::Custom { .. } = d.keys {
        let specs = key_specs(d.name);
        d.keys
            .positions(cmd_args)
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let flags: &'static [&'static str] =
                    match specs.get(i.min(specs.len().saturating_sub(1))) {
                        Some(spec) => spec.flags,
                        None => &[],
                    };
                (p, flags)
            })
            .collect()
    } else {
        keys_by_spec(d, cmd_args)
    };
    if keys.is_empty() {
        keys = d
            .keys
            .positions(cmd_args)
            .into_iter()
            .map(|p| (p, &[][..]))
            .collect();
    }
    if keys.is_empty() {
        if d.flags.has(Flags::NO_MANDATORY_KEYS) {
            ex.out().array(0);
            return Ok(());
        }
        return Err(OpError::msg("ERR Invalid arguments specified for command"));
    }
    // SET's key is only read when GET is given (Redis's setGetKeys).
    if d.name == "set" && !cmd_args[3..].iter().any(|o| o.eq_ignore_ascii_case(b"get")) {
        for k in &mut keys {
            k.1 = &["OW", "update"];
        }
    } else if d.name == "set" {
        for k in &mut keys {
            k.1 = &["RW", "access", "update"];
        }
    }
    let w = ex.out();
    w.array(keys.len());
    for (p, flags) in keys {
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
