//! Connection state and client management end to end: HELLO, AUTH with `requirepass`,
//! SELECT, the CLIENT subcommands (LIST and KILL reach clients on every shard), CLIENT REPLY,
//! QUIT, RESET, `maxclients`, `timeout` and protected mode. Expected replies are Redis
//! 7.0.15's.
#![allow(clippy::unwrap_used)] // reason: test code

mod common;

use std::time::{Duration, Instant};

use common::{encode, key_on, wait_until, Raw, Server};
use corekv_proto::Frame;

fn text(r: &mut Raw, cmd: &[&str]) -> String {
    r.text(cmd)
}

fn client_id(r: &mut Raw) -> i64 {
    match r.call(&["CLIENT", "ID"]) {
        Frame::Integer(n) => n,
        f => panic!("CLIENT ID: {f}"),
    }
}

/// The text of a verbatim/bulk reply (CLIENT LIST, CLIENT INFO, INFO).
fn body(f: &Frame) -> String {
    String::from_utf8(f.as_bytes().unwrap().to_vec()).unwrap()
}

/// `field=value` of a CLIENT LIST / CLIENT INFO line.
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.trim_end()
        .split(' ')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name}= in {line}"))
}

fn hello_reply(proto: u8, id: i64) -> String {
    let head = if proto == 3 { "%7" } else { "*14" };
    format!(
        "{head}\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n\
         :{proto}\r\n$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n\
         $6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
    )
}

#[test]
fn hello_variants() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let id = client_id(&mut c);
    assert_eq!(text(&mut c, &["HELLO"]), hello_reply(2, id));
    assert_eq!(
        text(&mut c, &["HELLO", "3", "SETNAME", "conn-a"]),
        hello_reply(3, id)
    );
    assert_eq!(text(&mut c, &["CLIENT", "GETNAME"]), "$6\r\nconn-a\r\n");
    // Without requirepass the default user takes any password.
    assert_eq!(
        text(
            &mut c,
            &["HELLO", "2", "AUTH", "default", "whatever", "SETNAME", "nm"]
        ),
        hello_reply(2, id)
    );
    assert_eq!(text(&mut c, &["CLIENT", "GETNAME"]), "$2\r\nnm\r\n");
    for (cmd, want) in [
        (
            vec!["HELLO", "4"],
            "-NOPROTO unsupported protocol version\r\n",
        ),
        (
            vec!["HELLO", "1"],
            "-NOPROTO unsupported protocol version\r\n",
        ),
        (
            vec!["HELLO", "x"],
            "-ERR Protocol version is not an integer or out of range\r\n",
        ),
        (
            vec!["HELLO", "3.0"],
            "-ERR Protocol version is not an integer or out of range\r\n",
        ),
        (
            vec!["HELLO", "3", "FOO"],
            "-ERR Syntax error in HELLO option 'FOO'\r\n",
        ),
        (
            vec!["HELLO", "3", "SETNAME"],
            "-ERR Syntax error in HELLO option 'SETNAME'\r\n",
        ),
        (
            vec!["HELLO", "3", "AUTH", "default"],
            "-ERR Syntax error in HELLO option 'AUTH'\r\n",
        ),
        (
            vec!["HELLO", "3", "SETNAME", "a b"],
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        ),
        (
            vec!["HELLO", "3", "AUTH", "nouser", "pw"],
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
        ),
    ] {
        assert_eq!(text(&mut c, &cmd), want, "{cmd:?}");
    }
    // The failed HELLOs changed nothing: still RESP2 with the old name.
    assert_eq!(text(&mut c, &["GET", "nokey"]), "$-1\r\n");
    assert_eq!(text(&mut c, &["CLIENT", "GETNAME"]), "$2\r\nnm\r\n");
}

#[test]
fn auth_without_requirepass() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(
        text(&mut c, &["AUTH", "pw"]),
        "-ERR AUTH <password> called without any password configured for the default user. \
         Are you sure your configuration is correct?\r\n"
    );
    assert_eq!(text(&mut c, &["AUTH", "default", "anything"]), "+OK\r\n");
    assert_eq!(
        text(&mut c, &["AUTH", "nouser", "pw"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(
        text(&mut c, &["AUTH", "a", "b", "c"]),
        "-ERR syntax error\r\n"
    );
}

#[test]
fn auth_with_requirepass() {
    let s = Server::start(&["--requirepass", "secret"]);
    let mut c = s.raw();
    let k1 = key_on(1, "auth");
    // Unknown commands and arity are checked before authentication, as in Redis.
    assert_eq!(
        text(&mut c, &["FOO", "a"]),
        "-ERR unknown command 'FOO', with args beginning with: 'a' \r\n"
    );
    assert_eq!(
        text(&mut c, &["GET"]),
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    for cmd in [
        vec!["PING"],
        vec!["GET", &k1],
        vec!["CLIENT", "ID"],
        vec!["DBSIZE"],
    ] {
        assert_eq!(
            text(&mut c, &cmd),
            "-NOAUTH Authentication required.\r\n",
            "{cmd:?}"
        );
    }
    let wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    assert_eq!(text(&mut c, &["AUTH", "wrong"]), wrongpass);
    assert_eq!(text(&mut c, &["AUTH", "default", "wrong"]), wrongpass);
    assert_eq!(text(&mut c, &["AUTH", "nouser", "secret"]), wrongpass);
    assert_eq!(
        text(&mut c, &["HELLO", "2", "AUTH", "default", "wrong"]),
        wrongpass
    );
    assert_eq!(
        text(&mut c, &["AUTH", "a", "b", "c"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(text(&mut c, &["AUTH", "secret"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["SET", &k1, "v"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["AUTH", "default", "secret"]), "+OK\r\n");
    // RESET logs the connection out.
    assert_eq!(text(&mut c, &["RESET"]), "+RESET\r\n");
    assert_eq!(
        text(&mut c, &["PING"]),
        "-NOAUTH Authentication required.\r\n"
    );
    // HELLO AUTH authenticates, switches protocol and names the client at once.
    let reply = c.roundtrip(&["HELLO", "3", "AUTH", "default", "secret", "SETNAME", "me"]);
    assert!(reply.starts_with(b"%7\r\n"), "{reply:?}");
    assert_eq!(text(&mut c, &["CLIENT", "GETNAME"]), "$2\r\nme\r\n");
    assert_eq!(text(&mut c, &["GET", "nokey"]), "_\r\n");
    assert_eq!(text(&mut c, &["GET", &k1]), "$1\r\nv\r\n");
    // QUIT works without authenticating.
    let mut q = s.raw();
    assert_eq!(text(&mut q, &["QUIT"]), "+OK\r\n");
    q.expect_closed();
    // Before authentication, big multibulk headers are refused outright.
    let mut u = s.raw();
    u.send(b"*11\r\n");
    assert_eq!(
        u.read_reply(),
        b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    );
    u.expect_closed();
    let mut u = s.raw();
    u.send(b"*10\r\n$16385\r\n");
    assert_eq!(
        u.read_reply(),
        b"-ERR Protocol error: unauthenticated bulk length\r\n"
    );
    u.expect_closed();
    // A real client with the password in the URL.
    let url = format!("redis://:secret@127.0.0.1:{}/", s.port);
    let mut con = redis::Client::open(url)
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5))
        .unwrap();
    let v: String = redis::cmd("GET").arg(&k1).query(&mut con).unwrap();
    assert_eq!(v, "v");
}

/// A request is parsed under the rules in force once the requests before it have run, as
/// in Redis, even when the server parses a pipeline ahead: an AUTH early in a pipeline lifts
/// the unauthenticated limits for what follows it, and a CONFIG SET of
/// `proto-max-bulk-len` applies to the next request of the same pipeline.
#[test]
fn pipelined_requests_parse_under_the_rules_their_predecessors_set() {
    let s = Server::start(&["--requirepass", "secret"]);
    let mut c = s.raw();
    let (k1, k2) = (key_on(0, "auth-pipe"), key_on(1, "auth-pipe"));
    // 11 arguments: more than an unauthenticated client may send in one request.
    let mset: Vec<&str> = vec!["MSET", &k1, "a", &k2, "b", &k1, "c", &k2, "d", &k1, "e"];
    let mut req = encode(&["AUTH", "secret"]);
    req.extend(encode(&mset));
    req.extend(encode(&["MGET", &k1, &k2]));
    c.send(&req);
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"*2\r\n$1\r\ne\r\n$1\r\nd\r\n");

    let big = "x".repeat(2 << 20);
    let mut req = encode(&["CONFIG", "SET", "proto-max-bulk-len", "1mb"]);
    req.extend(encode(&["SET", &k1, &big]));
    req.extend(encode(&["PING"]));
    c.send(&req);
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(
        c.read_reply(),
        b"-ERR Protocol error: invalid bulk length\r\n"
    );
    c.expect_closed();
    let mut d = s.raw();
    assert_eq!(text(&mut d, &["AUTH", "secret"]), "+OK\r\n");
    assert_eq!(text(&mut d, &["GET", &k1]), "$1\r\ne\r\n");
}

/// Redis 7.0.15 words the NOAUTH error of HELLO without `<proto>`.
#[test]
fn hello_before_auth_error_text() {
    let s = Server::start(&["--requirepass", "secret"]);
    let mut c = s.raw();
    let want = "-NOAUTH HELLO must be called with the client already authenticated, otherwise \
                the HELLO AUTH <user> <pass> option can be used to authenticate the client and \
                select the RESP protocol version at the same time\r\n";
    assert_eq!(text(&mut c, &["HELLO", "3"]), want);
    assert_eq!(text(&mut c, &["HELLO"]), want);
}

#[test]
fn select_range() {
    let s = Server::start(&["--databases", "4"]);
    let mut c = s.raw();
    let k = key_on(1, "sel");
    assert_eq!(text(&mut c, &["SELECT", "3"]), "+OK\r\n");
    c.roundtrip(&["SET", &k, "three"]);
    for (arg, want) in [
        ("4", "-ERR DB index is out of range\r\n"),
        ("-1", "-ERR DB index is out of range\r\n"),
        ("abc", "-ERR value is not an integer or out of range\r\n"),
        ("1.5", "-ERR value is not an integer or out of range\r\n"),
    ] {
        assert_eq!(text(&mut c, &["SELECT", arg]), want, "SELECT {arg}");
    }
    // A failed SELECT keeps the current database.
    assert_eq!(text(&mut c, &["GET", &k]), "$5\r\nthree\r\n");
    assert_eq!(text(&mut c, &["SELECT", "0"]), "+OK\r\n");
    assert_eq!(text(&mut c, &["GET", &k]), "$-1\r\n");
    let info = body(&c.call(&["CLIENT", "INFO"]));
    assert_eq!(field(&info, "db"), "0");
}

/// SELECT parses its argument as a C int first, like every Redis command taking an int.
#[test]
fn select_beyond_int_range() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let want = "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n";
    assert_eq!(text(&mut c, &["SELECT", "2147483648"]), want);
    assert_eq!(text(&mut c, &["SELECT", "-2147483649"]), want);
}

#[test]
fn client_id_names_info_and_list_span_shards() {
    let s = Server::start(&[]);
    let mut conns: Vec<Raw> = (0..10).map(|_| s.raw()).collect();
    let mut ids = Vec::new();
    for (i, c) in conns.iter_mut().enumerate() {
        ids.push(client_id(c));
        assert_eq!(
            text(c, &["CLIENT", "SETNAME", &format!("conn-{i}")]),
            "+OK\r\n"
        );
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 10, "client ids not unique: {ids:?}");
    // Both shards hold some of them.
    let mut probe = s.raw();
    let per_shard = common::shard_clients(&mut probe);
    assert!(
        per_shard.iter().all(|&n| n > 0),
        "clients per shard {per_shard:?}"
    );

    let c = &mut conns[0];
    assert_eq!(text(c, &["CLIENT", "GETNAME"]), "$6\r\nconn-0\r\n");
    let info = body(&c.call(&["CLIENT", "INFO"]));
    assert!(
        info.ends_with('\n') && info.lines().count() == 1,
        "{info:?}"
    );
    assert_eq!(field(&info, "id"), ids[0].to_string());
    assert_eq!(field(&info, "name"), "conn-0");
    assert_eq!(field(&info, "db"), "0");
    assert_eq!(field(&info, "cmd"), "client|info");
    assert_eq!(field(&info, "resp"), "2");
    assert_eq!(field(&info, "laddr"), s.addr());
    let local = c.stream.local_addr().unwrap().to_string();
    assert_eq!(field(&info, "addr"), local);

    let list = body(&c.call(&["CLIENT", "LIST"]));
    assert_eq!(list.lines().count(), 11, "{list}");
    for (i, id) in ids.iter().enumerate() {
        let line = list
            .lines()
            .find(|l| field(l, "id") == id.to_string())
            .unwrap_or_else(|| panic!("client {id} missing from CLIENT LIST:\n{list}"));
        assert_eq!(field(line, "name"), format!("conn-{i}"));
    }
    let list_ids: Vec<i64> = list
        .lines()
        .map(|l| field(l, "id").parse().unwrap())
        .collect();
    assert!(
        list_ids.windows(2).all(|w| w[0] < w[1]),
        "CLIENT LIST not by id"
    );
    // Filters.
    let some = body(&c.call(&[
        "CLIENT",
        "LIST",
        "ID",
        &ids[3].to_string(),
        &ids[7].to_string(),
        "999999",
    ]));
    let mut names: Vec<&str> = some.lines().map(|l| field(l, "name")).collect();
    names.sort();
    assert_eq!(names, ["conn-3", "conn-7"]);
    assert_eq!(
        body(&c.call(&["CLIENT", "LIST", "TYPE", "normal"]))
            .lines()
            .count(),
        11
    );
    assert_eq!(body(&c.call(&["CLIENT", "LIST", "TYPE", "pubsub"])), "");
    for (cmd, want) in [
        (
            vec!["CLIENT", "LIST", "ID", "abc"],
            "-ERR Invalid client ID\r\n",
        ),
        (vec!["CLIENT", "LIST", "FOO"], "-ERR syntax error\r\n"),
        (
            vec!["CLIENT", "LIST", "TYPE", "foo"],
            "-ERR Unknown client type 'foo'\r\n",
        ),
        (
            vec!["CLIENT", "SETNAME", "a b"],
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        ),
        (
            vec!["CLIENT", "SETNAME", "a\nb"],
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        ),
        (
            vec!["CLIENT", "SETNAME"],
            "-ERR wrong number of arguments for 'client|setname' command\r\n",
        ),
        (vec!["CLIENT", "REPLY", "maybe"], "-ERR syntax error\r\n"),
        (vec!["CLIENT", "NO-EVICT", "maybe"], "-ERR syntax error\r\n"),
    ] {
        assert_eq!(text(c, &cmd), want, "{cmd:?}");
    }
    // An empty name clears it.
    assert_eq!(text(c, &["CLIENT", "SETNAME", ""]), "+OK\r\n");
    assert_eq!(text(c, &["CLIENT", "GETNAME"]), "$-1\r\n");
    // A closed connection leaves the list.
    drop(conns.pop());
    let gone = ids[9].to_string();
    assert!(wait_until(Duration::from_secs(5), || {
        let list = body(&probe.call(&["CLIENT", "LIST"]));
        list.lines().count() == 10 && !list.lines().any(|l| field(l, "id") == gone)
    }));
}

/// `CLIENT LIST ID` accepts any integer; ids that match no client list nothing.
#[test]
fn client_list_id_zero_lists_nothing() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(text(&mut c, &["CLIENT", "LIST", "ID", "0"]), "$0\r\n\r\n");
    assert_eq!(text(&mut c, &["CLIENT", "LIST", "ID", "-5"]), "$0\r\n\r\n");
}

#[test]
fn client_kill_reaches_other_shards() {
    let s = Server::start(&[]);
    for (killer_shard, victim_shard) in [(0, 1), (1, 0), (0, 0)] {
        let mut killer = s.raw_on_shard(killer_shard);
        // By ID.
        let mut victim = s.raw_on_shard(victim_shard);
        let vid = client_id(&mut victim);
        assert_eq!(
            text(&mut killer, &["CLIENT", "KILL", "ID", &vid.to_string()]),
            ":1\r\n"
        );
        victim.expect_closed();
        assert_eq!(
            text(&mut killer, &["CLIENT", "KILL", "ID", &vid.to_string()]),
            ":0\r\n"
        );
        let list = body(&killer.call(&["CLIENT", "LIST"]));
        assert!(
            !list.lines().any(|l| field(l, "id") == vid.to_string()),
            "killed client still listed:\n{list}"
        );
        // By ADDR.
        let mut victim = s.raw_on_shard(victim_shard);
        let addr = victim.stream.local_addr().unwrap().to_string();
        assert_eq!(
            text(&mut killer, &["CLIENT", "KILL", "ADDR", &addr]),
            ":1\r\n"
        );
        victim.expect_closed();
        // The legacy form: `CLIENT KILL addr:port`.
        let mut victim = s.raw_on_shard(victim_shard);
        let addr = victim.stream.local_addr().unwrap().to_string();
        assert_eq!(text(&mut killer, &["CLIENT", "KILL", &addr]), "+OK\r\n");
        victim.expect_closed();
        assert_eq!(
            text(&mut killer, &["CLIENT", "KILL", &addr]),
            "-ERR No such client\r\n"
        );
        // The killer itself is fine.
        assert_eq!(text(&mut killer, &["PING"]), "+PONG\r\n");
    }
}

#[test]
fn client_kill_skipme_filters_and_errors() {
    let s = Server::start(&[]);
    let mut me = s.raw();
    let my_id = client_id(&mut me).to_string();
    // SKIPME yes is the default for the new form.
    assert_eq!(text(&mut me, &["CLIENT", "KILL", "ID", &my_id]), ":0\r\n");
    assert_eq!(
        text(&mut me, &["CLIENT", "KILL", "ID", &my_id, "SKIPME", "yes"]),
        ":0\r\n"
    );
    // TYPE normal kills everybody else, on both shards.
    let mut others: Vec<Raw> = (0..6).map(|_| s.raw()).collect();
    for o in others.iter_mut() {
        assert_eq!(text(o, &["PING"]), "+PONG\r\n");
    }
    assert_eq!(
        text(&mut me, &["CLIENT", "KILL", "TYPE", "normal"]),
        ":6\r\n"
    );
    for o in others.iter_mut() {
        o.expect_closed();
    }
    assert_eq!(
        text(&mut me, &["CLIENT", "KILL", "USER", "default"]),
        ":0\r\n"
    );
    assert_eq!(
        text(&mut me, &["CLIENT", "KILL", "LADDR", "1.1.1.1:1"]),
        ":0\r\n"
    );
    for (cmd, want) in [
        (
            vec!["CLIENT", "KILL", "ID", "0"],
            "-ERR client-id should be greater than 0\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "ID", "abc"],
            "-ERR client-id should be greater than 0\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "FOO", "bar"],
            "-ERR syntax error\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "ID", "1", "SKIPME", "maybe"],
            "-ERR syntax error\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "ID", "1", "SKIPME"],
            "-ERR syntax error\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "USER", "nouser"],
            "-ERR No such user 'nouser'\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "TYPE", "foo"],
            "-ERR Unknown client type 'foo'\r\n",
        ),
        (
            vec!["CLIENT", "KILL", "1.2.3.4:5"],
            "-ERR No such client\r\n",
        ),
    ] {
        assert_eq!(text(&mut me, &cmd), want, "{cmd:?}");
    }
    // SKIPME no: the reply is sent, then the connection closes.
    assert_eq!(
        text(&mut me, &["CLIENT", "KILL", "ID", &my_id, "SKIPME", "no"]),
        ":1\r\n"
    );
    me.expect_closed();
    // Killing oneself with the legacy form also replies first.
    let mut me = s.raw();
    let addr = me.stream.local_addr().unwrap().to_string();
    me.send_cmd(&["CLIENT", "KILL", &addr]);
    me.send_cmd(&["PING"]);
    assert_eq!(me.read_reply(), b"+OK\r\n");
    me.expect_closed();
}

/// `CLIENT REPLY ON` answers `+OK` even when replies were off (Redis clears the flag before
/// replying).
#[test]
fn client_reply_off_skip_on() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let (k0, k1) = (key_on(0, "rep"), key_on(1, "rep"));
    let mut req = Vec::new();
    for cmd in [
        vec!["CLIENT", "REPLY", "OFF"],
        vec!["SET", &k0, "1"],
        vec!["SET", &k1, "2"],
        vec!["MGET", &k0, &k1],
        vec!["CLIENT", "REPLY", "ON"],
        vec!["MGET", &k0, &k1],
        vec!["CLIENT", "REPLY", "SKIP"],
        vec!["GET", &k1],
        vec!["GET", &k0],
        vec!["CLIENT", "REPLY", "SKIP"],
        vec!["CLIENT", "REPLY", "SKIP"],
        vec!["PING"],
        vec!["PING", "x"],
    ] {
        req.extend(common::encode(&cmd));
    }
    c.send(&req);
    assert_eq!(c.read_reply(), b"+OK\r\n", "CLIENT REPLY ON replies +OK");
    assert_eq!(c.read_reply(), b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(c.read_reply(), b"$1\r\n1\r\n");
    assert_eq!(c.read_reply(), b"$1\r\nx\r\n");
    c.expect_silence(Duration::from_millis(100));
}

/// The same sequence without the ON step: OFF silences everything, SKIP while OFF is ignored.
#[test]
fn client_reply_off_silences_local_and_remote_replies() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let (k0, k1) = (key_on(0, "rep"), key_on(1, "rep"));
    let mut req = Vec::new();
    for cmd in [
        vec!["CLIENT", "REPLY", "OFF"],
        vec!["SET", &k0, "1"],
        vec!["SET", &k1, "2"],
        vec!["MGET", &k0, &k1],
        vec!["CLIENT", "REPLY", "SKIP"],
        vec!["GET", "nokey"],
        vec!["PING"],
    ] {
        req.extend(common::encode(&cmd));
    }
    c.send(&req);
    c.expect_silence(Duration::from_millis(200));
    let mut other = s.raw();
    assert_eq!(
        text(&mut other, &["MGET", &k0, &k1]),
        "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
    // SKIP skips exactly the next command's reply, wherever it runs.
    let mut c = s.raw();
    c.send_cmd(&["CLIENT", "REPLY", "SKIP"]);
    c.send_cmd(&["MGET", &k0, &k1]);
    c.send_cmd(&["GET", &k1]);
    assert_eq!(c.read_reply(), b"$1\r\n2\r\n");
}

#[test]
fn quit_replies_then_closes_and_runs_nothing_after() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let (k0, k1) = (key_on(0, "quit"), key_on(1, "quit"));
    let mut req = common::encode(&["SET", &k0, "before"]);
    req.extend(common::encode(&["QUIT"]));
    req.extend(common::encode(&["SET", &k1, "after"]));
    c.send(&req);
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    c.expect_closed();
    let mut other = s.raw();
    assert_eq!(
        text(&mut other, &["MGET", &k0, &k1]),
        "*2\r\n$6\r\nbefore\r\n$-1\r\n"
    );
}

#[test]
fn reset_restores_connection_defaults() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    let k = key_on(1, "reset");
    c.roundtrip(&["SET", &k, "db0"]);
    c.roundtrip(&["SELECT", "3"]);
    c.roundtrip(&["CLIENT", "SETNAME", "named"]);
    c.roundtrip(&["CLIENT", "NO-EVICT", "on"]);
    assert!(c.roundtrip(&["HELLO", "3"]).starts_with(b"%7"));
    assert_eq!(text(&mut c, &["RESET"]), "+RESET\r\n");
    assert_eq!(text(&mut c, &["GET", &k]), "$3\r\ndb0\r\n");
    assert_eq!(text(&mut c, &["GET", "nokey"]), "$-1\r\n");
    assert_eq!(text(&mut c, &["CLIENT", "GETNAME"]), "$-1\r\n");
    let info = body(&c.call(&["CLIENT", "INFO"]));
    assert_eq!(field(&info, "db"), "0");
    assert_eq!(field(&info, "resp"), "2");
    assert_eq!(field(&info, "flags"), "N");
}

/// RESET turns replies back on before answering, so `+RESET` is sent even after
/// `CLIENT REPLY OFF` (and skipped after `CLIENT REPLY SKIP`).
#[test]
fn reset_after_client_reply_off_replies() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    c.send_cmd(&["CLIENT", "REPLY", "OFF"]);
    c.send_cmd(&["RESET"]);
    c.send_cmd(&["PING"]);
    assert_eq!(c.read_reply(), b"+RESET\r\n");
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    c.send_cmd(&["CLIENT", "REPLY", "SKIP"]);
    c.send_cmd(&["RESET"]);
    c.send_cmd(&["PING"]);
    assert_eq!(c.read_reply(), b"+PONG\r\n");
}

#[test]
fn maxclients_refuses_extra_connections() {
    let s = Server::start(&["--maxclients", "3"]);
    let mut conns: Vec<Raw> = (0..3).map(|_| s.raw()).collect();
    for c in conns.iter_mut() {
        assert_eq!(text(c, &["PING"]), "+PONG\r\n");
    }
    let mut fourth = s.raw();
    assert_eq!(
        fourth.read_reply(),
        b"-ERR max number of clients reached\r\n"
    );
    fourth.expect_closed();
    let stats = conns[0].info("stats");
    assert_eq!(
        common::info_field(&stats, "rejected_connections").as_deref(),
        Some("1")
    );
    // Room again once one leaves.
    drop(conns.pop());
    assert!(wait_until(Duration::from_secs(5), || {
        let mut c = s.raw();
        c.send_cmd(&["PING"]);
        c.try_read_reply().as_deref() == Ok(b"+PONG\r\n".as_slice())
    }));
}

#[test]
fn timeout_closes_idle_clients_only() {
    let s = Server::start(&["--timeout", "1"]);
    let mut idle = s.raw();
    assert_eq!(text(&mut idle, &["PING"]), "+PONG\r\n");
    let mut busy = s.raw();
    let started = Instant::now();
    let mut closed_after = None;
    idle.set_timeout(Duration::from_millis(200));
    while started.elapsed() < Duration::from_secs(5) {
        assert_eq!(text(&mut busy, &["PING"]), "+PONG\r\n");
        match idle.try_read_reply() {
            Err(common::ReadEnd::Closed) => {
                closed_after = Some(started.elapsed());
                break;
            }
            Err(common::ReadEnd::Timeout) => {}
            Ok(r) => panic!("unexpected reply {r:?}"),
        }
    }
    let after = closed_after.expect("idle client was not closed within 5 s");
    assert!(
        after >= Duration::from_millis(900),
        "closed after {after:?}"
    );
    assert_eq!(text(&mut busy, &["PING"]), "+PONG\r\n");
}

#[test]
fn protected_mode_allows_loopback_and_can_be_disabled() {
    let s = Server::start(&[]);
    let mut c = s.raw();
    assert_eq!(
        text(&mut c, &["CONFIG", "GET", "protected-mode"]),
        "*2\r\n$14\r\nprotected-mode\r\n$3\r\nyes\r\n"
    );
    // Loopback clients are served with protected mode on and no password.
    assert_eq!(text(&mut c, &["PING"]), "+PONG\r\n");
    assert_eq!(
        text(&mut c, &["CONFIG", "SET", "protected-mode", "no"]),
        "+OK\r\n"
    );
    assert_eq!(
        text(&mut c, &["CONFIG", "GET", "protected-mode"]),
        "*2\r\n$14\r\nprotected-mode\r\n$2\r\nno\r\n"
    );
    // Every shard got the new setting: new connections on both work.
    for sh in 0..2 {
        let mut c = s.raw_on_shard(sh);
        assert_eq!(
            text(&mut c, &["CONFIG", "GET", "protected-mode"]),
            "*2\r\n$14\r\nprotected-mode\r\n$2\r\nno\r\n"
        );
    }
}
