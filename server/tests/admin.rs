//! The admin surface end to end: INFO (sections, figures summed over both shards,
//! commandstats/errorstats and CONFIG RESETSTAT), CONFIG GET/SET/REWRITE, COMMAND, DEBUG
//! SLEEP freezing every shard, and the process life cycle (SHUTDOWN, SIGTERM, a bad
//! configuration file, `--version`). Expected replies are Redis 7.0.15's unless said.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{info_field, key_on, keys_on, run_to_exit, wait_until, Raw, Server, TempDir};
use corekv_proto::Frame;
use nix::sys::signal::Signal;

fn text(r: &mut Raw, cmd: &[&str]) -> String {
    r.text(cmd)
}

/// `# Section` titles of an INFO reply, in order.
fn sections(info: &str) -> Vec<&str> {
    info.lines().filter_map(|l| l.strip_prefix("# ")).collect()
}

/// `cmdstat_<name>` → (calls, rejected_calls, failed_calls).
fn cmdstats(c: &mut Raw) -> BTreeMap<String, (u64, u64, u64)> {
    let info = c.info("commandstats");
    let mut out = BTreeMap::new();
    for line in info.lines() {
        let Some(rest) = line.strip_prefix("cmdstat_") else {
            continue;
        };
        let (name, fields) = rest.split_once(':').unwrap();
        let get = |f: &str| -> u64 {
            fields
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{f}=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        out.insert(
            name.to_string(),
            (get("calls"), get("rejected_calls"), get("failed_calls")),
        );
    }
    out
}

/// `errorstat_<CODE>` → count.
fn errorstats(c: &mut Raw) -> BTreeMap<String, u64> {
    c.info("errorstats")
        .lines()
        .filter_map(|l| l.strip_prefix("errorstat_"))
        .map(|l| {
            let (code, n) = l.split_once(":count=").unwrap();
            (code.to_string(), n.parse().unwrap())
        })
        .collect()
}

/// CONFIG GET as sorted (name, value) pairs (Redis's order is its dict's, so unordered).
fn config_get(c: &mut Raw, pattern: &[&str]) -> Vec<(String, String)> {
    let mut cmd = vec!["CONFIG", "GET"];
    cmd.extend_from_slice(pattern);
    let f = c.call(&cmd);
    let items = f.as_array().unwrap_or_else(|| panic!("CONFIG GET: {f}"));
    let s = |f: &Frame| String::from_utf8(f.as_bytes().unwrap().to_vec()).unwrap();
    let mut pairs: Vec<(String, String)> = items.chunks(2).map(|p| (s(&p[0]), s(&p[1]))).collect();
    pairs.sort();
    pairs
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn info_sections() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let default = [
        "Server",
        "Clients",
        "Memory",
        "Persistence",
        "Stats",
        "Replication",
        "CPU",
        "Modules",
        "Errorstats",
        "Cluster",
        "Keyspace",
    ];
    for info in [c.info(""), c.info("default")] {
        let got = sections(&info);
        for sec in default {
            assert!(got.contains(&sec), "INFO lacks # {sec}: {got:?}");
        }
        assert!(!got.contains(&"Commandstats"), "{got:?}");
        assert!(info.contains("\r\n"), "INFO lines end with CRLF");
    }
    for arg in ["all", "everything"] {
        let info = c.info(arg);
        let got = sections(&info);
        for sec in default.iter().chain(&["Commandstats", "Latencystats"]) {
            assert!(got.contains(sec), "INFO {arg} lacks # {sec}: {got:?}");
        }
    }
    // Only what was asked for, in the order asked.
    assert_eq!(sections(&c.info("clients")), ["Clients"]);
    let f = c.call(&["INFO", "server", "clients"]);
    let two = String::from_utf8(f.as_bytes().unwrap().to_vec()).unwrap();
    assert_eq!(sections(&two), ["Server", "Clients"]);
    assert_eq!(text(&mut c, &["INFO", "nosuchsection"]), "$0\r\n\r\n");
    let server = c.info("server");
    assert_eq!(
        info_field(&server, "redis_version").as_deref(),
        Some("7.0.15")
    );
    assert_eq!(
        info_field(&server, "tcp_port").as_deref(),
        Some(s.port.to_string().as_str())
    );
    assert_eq!(
        info_field(&server, "process_id").as_deref(),
        Some(s.pid().to_string().as_str())
    );
    assert_eq!(
        info_field(&server, "redis_mode").as_deref(),
        Some("standalone")
    );
    // Clients of both shards are counted. (A client's connect returns before the server
    // has accepted, so give the shards a moment.)
    let _more: Vec<Raw> = (0..5).map(|_| s.raw()).collect();
    let counted = wait_until(Duration::from_secs(5), || {
        info_field(&c.info("clients"), "connected_clients").as_deref() == Some("6")
    });
    assert!(counted, "connected_clients never reached 6");
}

#[test]
fn info_keyspace_and_shards_sum_both_shards() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let a = keys_on(0, "ik", 7);
    let b = keys_on(1, "ik", 4);
    for k in &a {
        c.roundtrip(&["SET", k, "v"]);
    }
    for k in &b {
        c.roundtrip(&["SET", k, "v", "EX", "1000"]);
    }
    c.roundtrip(&["SELECT", "5"]);
    c.roundtrip(&["SET", &key_on(1, "db5"), "v"]);
    let ks = c.info("keyspace");
    assert_eq!(sections(&ks), ["Keyspace"]);
    let db0 = info_field(&ks, "db0").unwrap();
    assert!(db0.starts_with("keys=11,expires=4,avg_ttl="), "{ks}");
    assert_eq!(
        info_field(&ks, "db5").as_deref(),
        Some("keys=1,expires=0,avg_ttl=0")
    );
    assert!(info_field(&ks, "db1").is_none(), "empty dbs are not listed");
    let sh = c.info("shards");
    assert_eq!(sections(&sh), ["Shards"]);
    let line0 = info_field(&sh, "shard0").unwrap();
    let line1 = info_field(&sh, "shard1").unwrap();
    assert!(line0.starts_with("keys=7,expires=0,"), "{sh}");
    assert!(line1.starts_with("keys=5,expires=4,"), "{sh}");
    assert!(info_field(&sh, "shard2").is_none());
    assert_eq!(
        info_field(&c.info("server"), "shards").as_deref(),
        Some("2")
    );
}

/// One field of an INFO `shards` line (`shard0:keys=1,...,deep_asleep=0`).
fn shard_stat(info: &str, shard: usize, name: &str) -> u64 {
    let line = info_field(info, &format!("shard{shard}")).unwrap_or_default();
    line.split(',')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
}

/// A shard with nothing to do sleeps lightly (in its own epoll_wait) for a few milliseconds,
/// then deeply (in glommio); from either sleep a message from the other shard or a request on
/// its sockets wakes it, and nothing is lost on the way.
#[test]
fn idle_shards_sleep_lightly_then_deeply_and_wake_for_work() {
    let s = Server::start(&[]);
    let mut c = s.raw_on_shard(0);
    let mut other = s.raw_on_shard(1);
    let (k0, k1, k2) = (key_on(0, "sleep"), key_on(1, "sleep"), key_on(1, "sleep-n"));
    for round in 0..5 {
        // Let shard 1 fall asleep: first lightly, then deeply once it has been idle 5 ms.
        let deep = wait_until(Duration::from_secs(5), || {
            shard_stat(&c.info("shards"), 1, "deep_asleep") == 1
        });
        assert!(deep, "shard 1 never slept deeply (round {round})");
        // A request for its keys reaches it as a message; a request on its own socket
        // reaches it through its epoll instance.
        let v = format!("v{round}");
        assert_eq!(c.roundtrip(&["SET", &k1, &v]), b"+OK\r\n");
        let counted = match round * 25 {
            0 => "$-1\r\n".to_string(),
            n => format!("${}\r\n{n}\r\n", n.to_string().len()),
        };
        assert_eq!(
            other.roundtrip(&["MGET", &k0, &k1]),
            format!("*2\r\n{counted}$2\r\n{v}\r\n").into_bytes()
        );
        // Busy rounds in between: pipelines that cross shards both ways.
        let mut req = Vec::new();
        for i in 0..50 {
            req.extend(common::encode(&[
                "INCR",
                if i % 2 == 0 { &k0 } else { &k2 },
            ]));
        }
        c.send(&req);
        for _ in 0..50 {
            c.read_reply();
        }
    }
    let info = c.info("shards");
    for shard in 0..2 {
        assert!(shard_stat(&info, shard, "loop_rounds") > 0, "{info}");
        assert!(shard_stat(&info, shard, "light_sleeps") > 0, "{info}");
        assert!(shard_stat(&info, shard, "deep_sleeps") > 0, "{info}");
    }
    assert_eq!(c.roundtrip(&["GET", &k0]), b"$3\r\n125\r\n");
}

/// A shard out of work keeps polling for `shard-idle-spin-us` before it sleeps; with 0 it
/// sleeps at once. Each shard has a connection sending cross-shard MGETs, so both hot loops
/// run (a shard in a deep sleep answers peers from its inbound tasks, without its loop) and
/// both run out of work after each request.
#[test]
fn idle_shards_spin_for_shard_idle_spin_us_before_sleeping() {
    let s = Server::start(&["--shard-idle-spin-us", "0"]);
    let mut conns = [s.raw_on_shard(0), s.raw_on_shard(1)];
    let (k0, k1) = (key_on(0, "spin"), key_on(1, "spin"));
    let mut cross_shard_requests = || {
        for _ in 0..10 {
            for c in conns.iter_mut() {
                assert_eq!(c.roundtrip(&["MGET", &k0, &k1]), b"*2\r\n$-1\r\n$-1\r\n");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    cross_shard_requests();
    let mut c = s.raw();
    let info = c.info("shards");
    for shard in 0..2 {
        assert_eq!(shard_stat(&info, shard, "idle_spins"), 0, "{info}");
        assert!(shard_stat(&info, shard, "light_sleeps") > 0, "{info}");
    }
    assert_eq!(
        c.roundtrip(&["CONFIG", "SET", "shard-idle-spin-us", "500"]),
        b"+OK\r\n"
    );
    // The set reaches the other shard as a job, a moment after the reply.
    let spun = wait_until(Duration::from_secs(5), || {
        cross_shard_requests();
        let info = c.info("shards");
        (0..2).all(|shard| shard_stat(&info, shard, "idle_spins") > 0)
    });
    assert!(spun, "{}", c.info("shards"));
    assert_eq!(
        config_get(&mut c, &["shard-idle-spin-us"]),
        pairs(&[("shard-idle-spin-us", "500")])
    );
}

#[test]
fn commandstats_errorstats_and_resetstat() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let mut other = s.raw_on_shard(1);
    let (k0, k1) = (key_on(0, "cs"), key_on(1, "cs"));
    assert_eq!(text(&mut c, &["CONFIG", "RESETSTAT"]), "+OK\r\n");
    for cmd in [
        vec!["SET", &k0, "1"],
        vec!["SET", &k1, "x"],
        vec!["GET", &k0],
        vec!["GET"],
        vec!["INCR", &k0],
        vec!["INCR", &k1],
        vec!["MGET", &k0, &k1],
        vec!["DEL", &k0, &k1, "nokey"],
        vec!["FOO"],
        vec!["EXPIRE", &k0, "x"],
        vec!["HELLO", "5"],
    ] {
        c.roundtrip(&cmd);
    }
    // Commands run on the other shard's connection count too.
    other.roundtrip(&["SET", &k0, "again"]);
    other.roundtrip(&["SET", &k1, "again"]);
    let stats = cmdstats(&mut c);
    assert_eq!(stats["set"], (4, 0, 0));
    assert_eq!(stats["get"], (1, 1, 0));
    assert_eq!(stats["incr"], (2, 0, 1));
    assert_eq!(stats["mget"], (1, 0, 0));
    assert_eq!(stats["del"], (1, 0, 0));
    assert_eq!(stats["expire"], (1, 0, 1));
    assert_eq!(stats["hello"], (1, 0, 1));
    assert!(!stats.contains_key("foo"));
    let errs = errorstats(&mut c);
    assert_eq!(errs.get("ERR"), Some(&4), "{errs:?}");
    assert_eq!(errs.get("NOPROTO"), Some(&1), "{errs:?}");
    let st = c.info("stats");
    assert_eq!(info_field(&st, "total_error_replies").as_deref(), Some("5"));
    // Each error code has its own line.
    c.roundtrip(&["DEBUG", "ERROR", "MYCODE something"]);
    assert_eq!(errorstats(&mut c).get("MYCODE"), Some(&1));
    // RESETSTAT zeroes everything, on both shards.
    assert_eq!(text(&mut other, &["CONFIG", "RESETSTAT"]), "+OK\r\n");
    let stats = cmdstats(&mut c);
    assert!(!stats.contains_key("set"), "{stats:?}");
    assert!(!stats.contains_key("get"), "{stats:?}");
    assert!(errorstats(&mut c).is_empty());
    let st = c.info("stats");
    assert_eq!(info_field(&st, "total_error_replies").as_deref(), Some("0"));
    assert_eq!(info_field(&st, "expired_keys").as_deref(), Some("0"));
    assert_eq!(info_field(&st, "keyspace_hits").as_deref(), Some("0"));
    c.roundtrip(&["GET", &k1]);
    c.roundtrip(&["GET", "nokey"]);
    let st = c.info("stats");
    assert_eq!(info_field(&st, "keyspace_hits").as_deref(), Some("1"));
    assert_eq!(info_field(&st, "keyspace_misses").as_deref(), Some("1"));
}

/// Redis counts a call when it finishes: INFO does not see itself, and RESETSTAT is counted
/// after the reset. An unknown subcommand is rejected before any command is known, so no
/// commandstats entry is touched.
#[test]
fn commandstats_count_like_redis() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    c.roundtrip(&["CONFIG", "RESETSTAT"]);
    c.roundtrip(&["CONFIG", "FOO"]);
    c.roundtrip(&["CLIENT", "FOO"]);
    c.roundtrip(&["CONFIG"]);
    let stats = cmdstats(&mut c);
    assert_eq!(stats.get("config|resetstat"), Some(&(1, 0, 0)), "{stats:?}");
    assert_eq!(stats.get("config"), Some(&(0, 1, 0)), "{stats:?}");
    assert!(!stats.contains_key("client"), "{stats:?}");
    assert!(!stats.contains_key("info"), "{stats:?}");
    assert_eq!(cmdstats(&mut c).get("info"), Some(&(1, 0, 0)));
}

#[test]
fn config_get_set_and_errors() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(
        config_get(&mut c, &["max*clients"]),
        pairs(&[("maxclients", "10000"), ("maxmemory-clients", "0")])
    );
    assert_eq!(
        config_get(&mut c, &["timeout", "databases"]),
        pairs(&[("databases", "16"), ("timeout", "0")])
    );
    assert!(config_get(&mut c, &["nomatch*"]).is_empty());
    let mm = config_get(&mut c, &["maxmemory*"]);
    let names: Vec<&str> = mm.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "maxmemory",
            "maxmemory-clients",
            "maxmemory-eviction-tenacity",
            "maxmemory-policy",
            "maxmemory-samples"
        ]
    );
    // Several at once, seen by a connection on every shard.
    assert_eq!(
        text(
            &mut c,
            &[
                "CONFIG",
                "SET",
                "timeout",
                "5",
                "maxclients",
                "100",
                "maxmemory",
                "1gb"
            ]
        ),
        "+OK\r\n"
    );
    for sh in 0..2 {
        let mut o = s.raw_on_shard(sh);
        assert_eq!(
            config_get(&mut o, &["timeout", "maxclients", "maxmemory"]),
            pairs(&[
                ("maxclients", "100"),
                ("maxmemory", "1073741824"),
                ("timeout", "5")
            ])
        );
    }
    let f = "-ERR CONFIG SET failed (possibly related to argument";
    for (cmd, want) in [
        (
            vec!["CONFIG", "SET", "timeout"],
            "-ERR wrong number of arguments for 'config|set' command\r\n".to_string(),
        ),
        (
            vec!["CONFIG", "SET", "timeout", "abc"],
            format!("{f} 'timeout') - argument couldn't be parsed into an integer\r\n"),
        ),
        (
            vec!["CONFIG", "SET", "nosuch", "1"],
            "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n".to_string(),
        ),
        (
            vec!["CONFIG", "SET", "timeout", "5", "timeout", "6"],
            format!("{f} 'timeout') - duplicate parameter\r\n"),
        ),
        (
            vec!["CONFIG", "SET", "databases", "5"],
            format!("{f} 'databases') - can't set immutable config\r\n"),
        ),
        (
            vec!["CONFIG", "SET", "timeout", "-1"],
            format!("{f} 'timeout') - argument must be between 0 and 2147483647 inclusive\r\n"),
        ),
        (
            vec!["CONFIG", "SET", "loglevel", "foo"],
            format!(
                "{f} 'loglevel') - argument(s) must be one of the following: debug, verbose, \
                 notice, warning\r\n"
            ),
        ),
        (
            vec!["CONFIG", "SET", "maxmemory-policy", "foo"],
            format!(
                "{f} 'maxmemory-policy') - argument(s) must be one of the following: \
                 volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, \
                 allkeys-lfu, allkeys-random, noeviction\r\n"
            ),
        ),
        (
            vec!["CONFIG", "SET", "save", "\"\""],
            format!("{f} 'save') - Invalid save parameters\r\n"),
        ),
        // corekv's own refusal: the listeners are fixed at start-up.
        (
            vec!["CONFIG", "SET", "port", "1234"],
            format!(
                "{f} 'port') - changing the listening address at run time is not supported \
                 by corekv yet; restart the server\r\n"
            ),
        ),
        (
            vec!["CONFIG", "SET", "bind", "127.0.0.1"],
            format!(
                "{f} 'bind') - changing the listening address at run time is not supported \
                 by corekv yet; restart the server\r\n"
            ),
        ),
        (
            vec!["CONFIG", "SET", "port", "abc"],
            format!("{f} 'port') - argument couldn't be parsed into an integer\r\n"),
        ),
        (
            vec!["CONFIG", "REWRITE"],
            "-ERR The server is running without a config file\r\n".to_string(),
        ),
    ] {
        assert_eq!(text(&mut c, &cmd), want, "{cmd:?}");
    }
    // A failed multi-parameter SET changes nothing.
    assert_eq!(
        text(&mut c, &["CONFIG", "SET", "hz", "15", "nosuch", "1"]),
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"
    );
    assert_eq!(config_get(&mut c, &["hz"]), pairs(&[("hz", "10")]));
}

#[test]
fn config_rewrite_keeps_the_file_and_records_changes() {
    let tmp = TempDir::new("rewrite");
    let conf = tmp.path().join("corekv.conf");
    std::fs::write(&conf, "# my comment\nmaxclients 50\n# another\ntimeout 3\n").unwrap();
    // `dir` lives as long as the test: the rewrite records it and the restart needs it.
    let dir = tmp.path().to_str().unwrap();
    let s = Server::start_with(Some(&conf), &["--dir", dir]);
    let mut c = s.raw();
    assert_eq!(
        config_get(&mut c, &["maxclients", "timeout"]),
        pairs(&[("maxclients", "50"), ("timeout", "3")])
    );
    let info = c.info("server");
    assert_eq!(
        info_field(&info, "config_file").as_deref(),
        Some(conf.to_str().unwrap())
    );
    assert_eq!(
        text(&mut c, &["CONFIG", "SET", "maxclients", "77", "hz", "15"]),
        "+OK\r\n"
    );
    assert_eq!(text(&mut c, &["CONFIG", "REWRITE"]), "+OK\r\n");
    let after = std::fs::read_to_string(&conf).unwrap();
    let lines: Vec<&str> = after.lines().collect();
    // Comments and untouched lines stay where they were; changed lines change in place.
    assert_eq!(
        &lines[..4],
        ["# my comment", "maxclients 77", "# another", "timeout 3"],
        "{after}"
    );
    assert!(lines.contains(&"# Generated by CONFIG REWRITE"), "{after}");
    assert!(lines.contains(&"hz 15"), "{after}");
    assert!(lines.contains(&"shards 2"), "{after}");
    assert!(s.wait_log(
        "CONFIG REWRITE executed with success",
        Duration::from_secs(5)
    ));
    drop(c);
    drop(s);
    // The rewritten file starts a server with the new values.
    let s = Server::start_with(Some(&conf), &["--dir", dir]);
    let mut c = s.raw();
    assert_eq!(
        config_get(&mut c, &["maxclients", "hz", "timeout"]),
        pairs(&[("hz", "15"), ("maxclients", "77"), ("timeout", "3")])
    );
}

#[test]
fn command_introspection() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let count = match c.call(&["COMMAND", "COUNT"]) {
        Frame::Integer(n) => n,
        f => panic!("COMMAND COUNT: {f}"),
    };
    let all = c.call(&["COMMAND"]);
    assert_eq!(all.as_array().unwrap().len() as i64, count);
    // COMMAND INFO get: name, arity, flags, first/last/step, categories.
    let info = c.call(&["COMMAND", "INFO", "get", "nosuch", "config|get"]);
    let items = info.as_array().unwrap();
    assert_eq!(items.len(), 3);
    let get = items[0].as_array().unwrap();
    assert_eq!(get.len(), 10);
    assert_eq!(get[0], Frame::bulk("get"));
    assert_eq!(get[1], Frame::Integer(2));
    assert_eq!(
        get[2],
        Frame::Array(vec![Frame::simple("readonly"), Frame::simple("fast")])
    );
    assert_eq!(
        &get[3..6],
        &[Frame::Integer(1), Frame::Integer(1), Frame::Integer(1)]
    );
    assert_eq!(
        get[6],
        Frame::Array(vec![
            Frame::simple("@read"),
            Frame::simple("@string"),
            Frame::simple("@fast")
        ])
    );
    assert_eq!(items[1], Frame::NullArray);
    assert_eq!(
        text(&mut c, &["COMMAND", "INFO", "config|get"]),
        "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n\
         +stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
    );
    // COMMAND DOCS set: a map with the summary, since, group and complexity.
    let docs = c.call(&["COMMAND", "DOCS", "set"]);
    let d = docs.as_array().unwrap();
    assert_eq!(d[0], Frame::bulk("set"));
    let fields = d[1].as_array().unwrap();
    let field = |name: &str| -> Option<&Frame> {
        fields
            .chunks(2)
            .find(|p| p[0] == Frame::bulk(name))
            .map(|p| &p[1])
    };
    assert!(field("summary").is_some());
    assert_eq!(field("since"), Some(&Frame::bulk("1.0.0")));
    assert_eq!(field("group"), Some(&Frame::bulk("string")));
    assert_eq!(field("complexity"), Some(&Frame::bulk("O(1)")));
    assert_eq!(text(&mut c, &["COMMAND", "DOCS", "nosuch"]), "*0\r\n");
    // GETKEYS.
    assert_eq!(
        text(&mut c, &["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"]),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    for (cmd, want) in [
        (
            vec!["COMMAND", "GETKEYS", "nosuch", "a"],
            "-ERR Invalid command specified\r\n",
        ),
        (
            vec!["COMMAND", "GETKEYS", "set", "a"],
            "-ERR Invalid number of arguments specified for command\r\n",
        ),
        (
            vec!["COMMAND", "GETKEYS"],
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n",
        ),
        (
            vec!["COMMAND", "GETKEYS", "sintercard", "0", "a"],
            "-ERR Invalid arguments specified for command\r\n",
        ),
        (
            vec!["COMMAND", "GETKEYS", "ping", "x", "y"],
            "-ERR The command has no key arguments\r\n",
        ),
        (
            vec!["COMMAND", "GETKEYS", "sort", "k", "by", "x"],
            "*1\r\n$1\r\nk\r\n",
        ),
        (
            vec!["COMMAND", "FOO"],
            "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n",
        ),
        (
            vec!["COMMAND", "LIST", "FILTERBY", "FOO", "x"],
            "-ERR syntax error\r\n",
        ),
        (
            vec!["COMMAND", "LIST", "FILTERBY", "MODULE", "foo"],
            "*0\r\n",
        ),
    ] {
        assert_eq!(text(&mut c, &cmd), want, "{cmd:?}");
    }
    // LIST FILTERBY.
    let names = |f: Frame| -> Vec<String> {
        let mut v: Vec<String> = f
            .as_array()
            .unwrap()
            .iter()
            .map(|n| String::from_utf8(n.as_bytes().unwrap().to_vec()).unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(c.call(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "get*"])),
        ["get", "getbit", "getdel", "getex", "getrange", "getset"]
    );
    let conn = names(c.call(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"]));
    for n in [
        "ping",
        "hello",
        "auth",
        "select",
        "client|kill",
        "command|info",
    ] {
        assert!(conn.iter().any(|c| c == n), "{n} not @connection: {conn:?}");
    }
    assert!(!conn.iter().any(|c| c == "get"));
    // COMMAND LIST names subcommands too; COMMAND COUNT does not.
    let all_names = names(c.call(&["COMMAND", "LIST"]));
    let subs = all_names.iter().filter(|n| n.contains('|')).count() as i64;
    assert_eq!(all_names.len() as i64 - subs, count);
    assert!(all_names.iter().any(|n| n == "config|get"));
}

/// Key-spec flags use Redis's spelling: `RO`/`RW`/`OW`/`RM` upper case, `access`, `update`,
/// `insert`, `delete` lower case.
#[test]
fn command_info_key_spec_flags() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(
        text(&mut c, &["COMMAND", "INFO", "get"]),
        "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n\
         +@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n\
         $12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\n\
         index\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n\
         $7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
    );
    assert_eq!(
        text(&mut c, &["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"]),
        "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
    );
}

#[test]
fn debug_sleep_blocks_every_shard() {
    let s = Server::start(&[]);
    let mut sleeper = s.raw_on_shard(0);
    let mut pingers: Vec<Raw> = (0..2).map(|sh| s.raw_on_shard(sh)).collect();
    let started = Instant::now();
    sleeper.send_cmd(&["DEBUG", "SLEEP", "0.5"]);
    std::thread::sleep(Duration::from_millis(50));
    let handles: Vec<_> = pingers
        .drain(..)
        .map(|mut p| {
            std::thread::spawn(move || {
                let t = Instant::now();
                assert_eq!(p.roundtrip(&["PING"]), b"+PONG\r\n");
                t.elapsed()
            })
        })
        .collect();
    let waits: Vec<Duration> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(sleeper.read_reply(), b"+OK\r\n");
    let total = started.elapsed();
    assert!(
        total >= Duration::from_millis(500),
        "DEBUG SLEEP took {total:?}"
    );
    for (sh, w) in waits.iter().enumerate() {
        assert!(
            *w >= Duration::from_millis(350),
            "PING on shard {sh} waited only {w:?} during DEBUG SLEEP 0.5"
        );
    }
    // And from a sleeper on the other shard.
    let mut sleeper = s.raw_on_shard(1);
    let mut p = s.raw_on_shard(0);
    sleeper.send_cmd(&["DEBUG", "SLEEP", "0.3"]);
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    assert_eq!(p.roundtrip(&["PING"]), b"+PONG\r\n");
    assert!(
        t.elapsed() >= Duration::from_millis(180),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(sleeper.read_reply(), b"+OK\r\n");
    assert_eq!(text(&mut p, &["DEBUG", "SLEEP", "0"]), "+OK\r\n");
}

#[test]
fn debug_commands_and_protection() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(
        text(&mut c, &["DEBUG", "FOO"]),
        "-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.\r\n"
    );
    assert_eq!(
        text(&mut c, &["DEBUG"]),
        "-ERR wrong number of arguments for 'debug' command\r\n"
    );
    assert_eq!(
        text(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]),
        "+OK\r\n"
    );
    assert_eq!(text(&mut c, &["DEBUG", "POPULATE", "100"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["DBSIZE"]), ":100\r\n");
    assert_eq!(text(&mut c, &["GET", "key:42"]), "$8\r\nvalue:42\r\n");
    assert_eq!(
        text(&mut c, &["DEBUG", "POPULATE", "10", "p", "3"]),
        "+OK\r\n"
    );
    assert_eq!(text(&mut c, &["GET", "p:7"]), "$3\r\nval\r\n");
    // Without --enable-debug-command, DEBUG is refused.
    let locked = Server::start(&["--enable-debug-command", "no"]);
    let mut c = locked.raw();
    assert_eq!(
        text(&mut c, &["DEBUG", "SLEEP", "0"]),
        "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \
         \"local\", you can run it from a local connection, otherwise you need to set this \
         option in the configuration file, and then restart the server.\r\n"
    );
}

#[test]
fn shutdown_closes_the_connection_and_exits_zero() {
    let mut s = Server::start(&[]);
    let mut c = s.raw();
    let mut bystander = s.raw();
    assert_eq!(text(&mut c, &["SHUTDOWN", "FOO"]), "-ERR syntax error\r\n");
    assert_eq!(
        text(&mut c, &["SHUTDOWN", "ABORT"]),
        "-ERR No shutdown in progress.\r\n"
    );
    assert_eq!(
        text(&mut c, &["SHUTDOWN", "NOSAVE", "SAVE"]),
        "-ERR syntax error\r\n"
    );
    c.send_cmd(&["SHUTDOWN", "NOSAVE"]);
    c.expect_closed();
    bystander.expect_closed();
    let st = s
        .wait_exit(Duration::from_secs(5))
        .expect("server did not exit");
    assert_eq!(st.code(), Some(0));
    assert!(s.wait_log("User requested shutdown", Duration::from_secs(1)));
}

#[test]
fn sigterm_exits_zero_promptly() {
    let mut s = Server::start(&[]);
    let mut c = s.raw();
    let k = key_on(1, "sig");
    c.roundtrip(&["SET", &k, "v"]);
    let t = Instant::now();
    s.signal(Signal::SIGTERM);
    let st = s
        .wait_exit(Duration::from_secs(5))
        .expect("no exit after SIGTERM");
    assert_eq!(st.code(), Some(0));
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
    c.expect_closed();
    assert!(
        s.wait_log("Received SIGTERM", Duration::from_secs(1)),
        "{:?}",
        s.log()
    );
}

#[test]
fn bad_config_file_exits_one_with_redis_message() {
    let tmp = TempDir::new("badconf");
    let conf = tmp.path().join("bad.conf");
    std::fs::write(&conf, "port 0\nnosuchdirective foo\n").unwrap();
    let (st, _out, err) = run_to_exit(
        &[conf.to_str().unwrap()],
        tmp.path(),
        Duration::from_secs(10),
    );
    assert_eq!(st.code(), Some(1));
    assert_eq!(
        err.trim_start(),
        "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line \
         2\n>>> 'nosuchdirective foo'\nBad directive or wrong number of arguments"
    );
    std::fs::write(&conf, "maxclients abc\n").unwrap();
    let (st, _out, err) = run_to_exit(
        &[conf.to_str().unwrap()],
        tmp.path(),
        Duration::from_secs(10),
    );
    assert_eq!(st.code(), Some(1));
    assert!(
        err.contains(">>> 'maxclients abc'\nargument couldn't be parsed into an integer"),
        "{err}"
    );
    // Command-line arguments are reported the same way.
    let (st, _out, err) = run_to_exit(&["--port", "abc"], tmp.path(), Duration::from_secs(10));
    assert_eq!(st.code(), Some(1));
    assert!(
        err.contains("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"),
        "{err}"
    );
    assert!(err.contains(">>> 'port \"abc\"'"), "{err}");
    // A missing file.
    let missing = tmp.path().join("missing.conf");
    let (st, _out, err) = run_to_exit(
        &[missing.to_str().unwrap()],
        tmp.path(),
        Duration::from_secs(10),
    );
    assert_eq!(st.code(), Some(1));
    assert!(
        err.contains("Fatal error, can't open config file")
            && err.contains("No such file or directory"),
        "{err}"
    );
}

#[test]
fn version_flag() {
    let tmp = TempDir::new("version");
    for flag in ["--version", "-v"] {
        let (st, out, _err) = run_to_exit(&[flag], tmp.path(), Duration::from_secs(10));
        assert_eq!(st.code(), Some(0));
        assert!(out.starts_with("Redis server v=7.0.15 "), "{out}");
        assert!(out.contains("corekv"), "{out}");
    }
}

/// One thread of the server named `shard-<id>-<cpu>`: its scheduling policy
/// (`/proc/<pid>/task/<tid>/stat` field 41; 0 is `SCHED_OTHER`, 3 is `SCHED_BATCH`) and the
/// CPUs it may run on (`Cpus_allowed_list`). glommio's helper thread of each shard carries
/// the same name as the shard's executor thread, keeps `SCHED_OTHER` and the affinity it was
/// created with.
struct ShardThread {
    name: String,
    policy: u32,
    cpus: String,
}

fn shard_threads(s: &Server) -> Vec<ShardThread> {
    let mut out = Vec::new();
    let dir = format!("/proc/{}/task", s.pid());
    for task in std::fs::read_dir(dir).expect("task dir") {
        let path = task.expect("task entry").path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let name = comm.trim();
        if !name.starts_with("shard-") {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // Fields after the parenthesised command name; `policy` is field 41 overall.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let policy: u32 = rest
            .split_whitespace()
            .nth(41 - 3)
            .and_then(|f| f.parse().ok())
            .expect("policy field");
        let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
        out.push(ShardThread {
            name: name.to_string(),
            policy,
            cpus: cpus_allowed(&status),
        });
    }
    out
}

/// The `Cpus_allowed_list` of a `/proc/.../status` text.
fn cpus_allowed(status: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list")
        .trim()
        .to_string()
}

/// A shard accepts connections only after it has set up its thread (policy, affinity): once
/// each shard has answered on a connection of its own, both are in place.
fn ping_each_shard(s: &Server) {
    for shard in 0..2 {
        assert_eq!(s.raw_on_shard(shard).roundtrip(&["PING"]), b"+PONG\r\n");
    }
}

/// `CONFIG SET name value` of a directive each shard applies to its own thread, then waits
/// for `applied`: the set reaches every shard as a job, so the other shard may apply it a
/// moment after the reply.
fn set_on_shards(c: &mut Raw, name: &str, value: &str, applied: impl FnMut() -> bool) {
    assert_eq!(c.roundtrip(&["CONFIG", "SET", name, value]), b"+OK\r\n");
    assert!(
        wait_until(Duration::from_secs(5), applied),
        "{name} {value} not applied by every shard"
    );
}

/// The scheduling policy of each shard: the highest among the threads of its name.
fn shard_policies(s: &Server) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for t in shard_threads(s) {
        let e = out.entry(t.name).or_insert(0);
        *e = (*e).max(t.policy);
    }
    out
}

#[test]
fn shard_threads_run_under_sched_batch_unless_told_not_to_and_config_set_switches_it() {
    let settled = |s: &Server| {
        ping_each_shard(s);
        shard_policies(s)
    };
    let all = |p: u32| move |m: &BTreeMap<String, u32>| m.len() == 2 && m.values().all(|&v| v == p);

    let s = Server::start(&[]);
    let mut c = s.raw();
    assert!(all(3)(&settled(&s)), "{:?}", shard_policies(&s));
    assert_eq!(
        config_get(&mut c, &["shard-sched-batch"]),
        pairs(&[("shard-sched-batch", "yes")])
    );
    set_on_shards(&mut c, "shard-sched-batch", "no", || {
        all(0)(&shard_policies(&s))
    });
    set_on_shards(&mut c, "shard-sched-batch", "yes", || {
        all(3)(&shard_policies(&s))
    });

    let off = Server::start(&["--shard-sched-batch", "no"]);
    assert!(all(0)(&settled(&off)), "{:?}", shard_policies(&off));
}

/// The CPUs each shard's executor thread may run on, by thread name: the shard threads
/// under `SCHED_BATCH` (the default), which leaves out glommio's helper threads.
fn shard_cpu_lists(s: &Server) -> BTreeMap<String, String> {
    shard_threads(s)
        .into_iter()
        .filter(|t| t.policy == 3)
        .map(|t| (t.name, t.cpus))
        .collect()
}

/// `Cpus_allowed_list` of the server's main thread: every CPU the process may use.
fn process_cpu_list(s: &Server) -> String {
    cpus_allowed(&std::fs::read_to_string(format!("/proc/{}/status", s.pid())).expect("status"))
}

#[test]
fn shards_are_pinned_to_their_own_cpus_unless_told_not_to_and_config_set_switches_it() {
    let settled = |s: &Server| {
        ping_each_shard(s);
        shard_cpu_lists(s)
    };
    let s = Server::start(&[]);
    let all = process_cpu_list(&s);
    let single = |l: &String| !l.contains([',', '-']);
    let pinned = |m: &BTreeMap<String, String>| {
        let lists: std::collections::BTreeSet<_> = m.values().collect();
        // Two shards on two CPUs or more: one CPU each, not the same one. (On a one-CPU
        // machine both are pinned to that CPU.)
        m.len() == 2 && m.values().all(single) && (lists.len() == 2 || single(&all))
    };
    let free = |m: &BTreeMap<String, String>| m.len() == 2 && m.values().all(|l| *l == all);

    let mut c = s.raw();
    assert!(pinned(&settled(&s)), "{:?} of {all}", shard_cpu_lists(&s));
    assert_eq!(
        config_get(&mut c, &["shard-cpu-affinity"]),
        pairs(&[("shard-cpu-affinity", "yes")])
    );
    set_on_shards(&mut c, "shard-cpu-affinity", "no", || {
        free(&shard_cpu_lists(&s))
    });
    set_on_shards(&mut c, "shard-cpu-affinity", "yes", || {
        pinned(&shard_cpu_lists(&s))
    });

    let off = Server::start(&["--shard-cpu-affinity", "no"]);
    assert!(free(&settled(&off)), "{:?}", shard_cpu_lists(&off));
}
