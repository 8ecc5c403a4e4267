//! The stream family: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD, XSETID, the consumer
//! group commands XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
//! XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, and XINFO (STREAM, GROUPS, CONSUMERS, HELP).
//!
//! The value type, [`Stream`] (see [`stream`]), keeps entries as Redis 7.0 does: listpack
//! macro-nodes keyed by their master ID, entries delta-encoded against it, nodes closed at
//! `stream-node-max-bytes` / `stream-node-max-entries`. `OBJECT ENCODING` is "stream". An
//! empty stream is kept (XADD with MAXLEN 0 and XGROUP CREATE MKSTREAM create one), as in
//! Redis. Consumer groups keep their pending entries list by ID, and each consumer its own.
//!
//! Every op parses and validates its arguments in Redis's order before touching data or
//! writing a reply. New IDs and delivery times use the command's clock (`Cx::now_ms`).
//!
//! Blocking: XREAD and XREADGROUP are "try" ops. With BLOCK and nothing to serve they return
//! [`OpError::Block`] having written nothing; without BLOCK they reply a null array. The server
//! resolves `$` with [`last_id`] before parking a client, and re-runs a parked client with
//! [`serve_blocked`], which answers as Redis answers a client it wakes (the errors for a
//! deleted key or destroyed group, and the default COUNT of blocked reads). Stream keys that
//! belong to another shard are skipped, so the server may run the op on each shard.

pub mod stream;
#[cfg(test)]
mod tests;

use corekv_proto::RespWriter;

use crate::cmd::single;
use crate::cmd::{container, def, Acl, BlockTimeout, CommandDef, Flags, Keys, Route};
use crate::db::Db;
use crate::error::{OpError, OpResult, NOT_INTEGER, NO_SUCH_KEY, SYNTAX};
use crate::listpack::LpItem;
use crate::shard::{Cx, Shard};
use crate::util::parse_i64_strict;
use crate::value::Value;

use stream::{
    AppendError, EntryView, Group, NodeLimits, TrimTo, ENTRIES_READ_INVALID, LISTPACK_MAX_SIZE,
};
pub use stream::{Stream, StreamId};

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
const XADD_ID_ZERO: &str = "ERR The ID specified in XADD must be greater than 0-0";
const XADD_ID_SMALL: &str =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const XADD_TOO_LARGE: &str = "ERR Elements are too large to be stored";
const XADD_EXHAUSTED: &str =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
const MAXLEN_MINID: &str =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
const MAXLEN_NEGATIVE: &str = "ERR The MAXLEN argument must be >= 0.";
const LIMIT_NEGATIVE: &str = "ERR The LIMIT argument must be >= 0.";
const LIMIT_NO_STRATEGY: &str =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
const XTRIM_NO_STRATEGY: &str = "ERR syntax error, XTRIM must be called with a trimming strategy";
const LIMIT_NO_APPROX: &str = "ERR syntax error, LIMIT cannot be used without the special ~ option";
const BAD_START: &str = "ERR invalid start ID for the interval";
const BAD_END: &str = "ERR invalid end ID for the interval";
const TIMEOUT_NOT_INT: &str = "ERR timeout is not an integer or out of range";
const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
const UNBALANCED: &str =
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
const GROUP_ONLY_XREADGROUP: &str =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
const NOACK_ONLY_XREADGROUP: &str =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
const MISSING_GROUP: &str = "ERR Missing GROUP option for XREADGROUP";
const DOLLAR_IN_XREADGROUP: &str = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.";
const GT_IN_XREAD: &str = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.";
const ENTRIESREAD_RANGE: &str = "ERR value for ENTRIESREAD must be positive or -1";
const XGROUP_NEEDS_KEY: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
const BUSYGROUP: &str = "BUSYGROUP Consumer Group name already exists";
const ENTRIES_ADDED_NEGATIVE: &str = "ERR entries_added must be positive";
const XSETID_MAXDEL: &str =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
const XSETID_SMALL: &str =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
const XSETID_ADDED: &str =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
const XCLAIM_MINIDLE: &str = "ERR Invalid min-idle-time argument for XCLAIM";
const XCLAIM_IDLE: &str = "ERR Invalid IDLE option argument for XCLAIM";
const XCLAIM_TIME: &str = "ERR Invalid TIME option argument for XCLAIM";
const XCLAIM_RETRY: &str = "ERR Invalid RETRYCOUNT option argument for XCLAIM";
const XAUTOCLAIM_MINIDLE: &str = "ERR Invalid min-idle-time argument for XAUTOCLAIM";
const XAUTOCLAIM_COUNT: &str = "ERR COUNT must be > 0";
const UNBLOCKED_KEY_GONE: &str = "UNBLOCKED the stream key no longer exists";
const NOGROUP_GONE: &str = "NOGROUP the consumer group this client was blocked on no longer exists";

/// COUNT of a blocked XREAD/XREADGROUP that gave none (Redis's `XREAD_BLOCKED_DEFAULT_COUNT`).
const BLOCKED_DEFAULT_COUNT: usize = 1000;

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const S: Acl = Acl::STREAM;

/// Key positions of XREAD / XREADGROUP, found as Redis's `xreadGetKeys` finds them: skip the
/// options up to `STREAMS`, then the first half of what follows (none on a syntax error).
fn xread_keys(a: &[&[u8]]) -> Vec<usize> {
    let mut pos = None;
    let mut i = 1;
    while i < a.len() {
        let arg = a[i];
        if arg.eq_ignore_ascii_case(b"block") || arg.eq_ignore_ascii_case(b"count") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"group") {
            i += 2;
        } else if arg.eq_ignore_ascii_case(b"noack") {
        } else if arg.eq_ignore_ascii_case(b"streams") {
            pos = Some(i);
            break;
        } else {
            break;
        }
        i += 1;
    }
    let Some(pos) = pos else {
        return Vec::new();
    };
    let num = a.len() - pos - 1;
    if num == 0 || !num.is_multiple_of(2) {
        return Vec::new();
    }
    (pos + 1..pos + 1 + num / 2).collect()
}

const XREAD_KEYS: Keys = Keys::Custom {
    first: 0,
    last: 0,
    step: 0,
    find: xread_keys,
};

pub static COMMANDS: [CommandDef; 15] = [
    def(
        "xadd",
        -5,
        W.or(DENYOOM).or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xadd),
        "stream",
        "5.0.0",
        "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        "Appends an entry to a stream (creating it unless NOMKSTREAM), optionally trimming it.",
    ),
    def(
        "xlen",
        2,
        R.or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xlen),
        "stream",
        "5.0.0",
        "O(1)",
        "Counts the entries of a stream.",
    ),
    def(
        "xrange",
        -4,
        R,
        S,
        crate::cmd::keys(1, 1, 1),
        single(xrange),
        "stream",
        "5.0.0",
        "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        "Lists the entries of a stream between two IDs, oldest first.",
    ),
    def(
        "xrevrange",
        -4,
        R,
        S,
        crate::cmd::keys(1, 1, 1),
        single(xrevrange),
        "stream",
        "5.0.0",
        "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        "Lists the entries of a stream between two IDs, newest first.",
    ),
    def(
        "xdel",
        -3,
        W.or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xdel),
        "stream",
        "5.0.0",
        "O(1) for each single item to delete in the stream, regardless of the stream size.",
        "Removes entries from a stream by ID and counts those that existed.",
    ),
    def(
        "xtrim",
        -4,
        W,
        S,
        crate::cmd::keys(1, 1, 1),
        single(xtrim),
        "stream",
        "5.0.0",
        "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        "Drops the oldest entries of a stream down to a length or up to an ID.",
    ),
    def(
        "xread",
        -4,
        R.or(Flags::BLOCKING).or(Flags::MOVABLEKEYS),
        S,
        XREAD_KEYS,
        single(xread),
        "stream",
        "5.0.0",
        "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        "Reads entries newer than given IDs from one or more streams, optionally waiting for them.",
    )
    .blocking(BlockTimeout::BlockOptionMs),
    def(
        "xreadgroup",
        -7,
        W.or(Flags::BLOCKING).or(Flags::MOVABLEKEYS),
        S,
        XREAD_KEYS,
        single(xreadgroup),
        "stream",
        "5.0.0",
        "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        "Reads entries for a consumer of a group: new ones (tracked as pending) or its own pending history.",
    )
    .blocking(BlockTimeout::BlockOptionMs),
    def(
        "xack",
        -4,
        W.or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xack),
        "stream",
        "5.0.0",
        "O(1) for each message ID processed.",
        "Acknowledges pending entries of a consumer group, removing them from its pending list.",
    ),
    def(
        "xpending",
        -3,
        R,
        S,
        crate::cmd::keys(1, 1, 1),
        single(xpending),
        "stream",
        "5.0.0",
        "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        "Summarizes or lists the pending entries of a consumer group.",
    ),
    def(
        "xclaim",
        -6,
        W.or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xclaim),
        "stream",
        "5.0.0",
        "O(log N) with N being the number of messages in the PEL of the consumer group.",
        "Transfers ownership of given pending entries to a consumer.",
    ),
    def(
        "xautoclaim",
        -6,
        W.or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xautoclaim),
        "stream",
        "6.2.0",
        "O(1) if COUNT is small.",
        "Transfers ownership of pending entries idle for long enough, scanning from a cursor ID.",
    ),
    def(
        "xsetid",
        -3,
        W.or(DENYOOM).or(FAST),
        S,
        crate::cmd::keys(1, 1, 1),
        single(xsetid),
        "stream",
        "5.0.0",
        "O(1)",
        "Sets a stream's last generated ID and its bookkeeping counters.",
    ),
    container(
        "xgroup",
        -2,
        Flags::NONE,
        Acl::NONE,
        Route::Container,
        "stream",
        "5.0.0",
        "A container for consumer group commands.",
        &XGROUP_SUBS,
    ),
    container(
        "xinfo",
        -2,
        Flags::NONE,
        Acl::NONE,
        Route::Container,
        "stream",
        "5.0.0",
        "A container for stream introspection commands.",
        &XINFO_SUBS,
    ),
];

static XGROUP_SUBS: [CommandDef; 6] = [
    def(
        "xgroup|create",
        -5,
        W.or(DENYOOM),
        S,
        crate::cmd::keys(2, 2, 1),
        single(xgroup),
        "stream",
        "5.0.0",
        "O(1)",
        "Creates a consumer group on a stream (optionally creating the stream).",
    ),
    def(
        "xgroup|createconsumer",
        5,
        W.or(DENYOOM),
        S,
        crate::cmd::keys(2, 2, 1),
        single(xgroup),
        "stream",
        "6.2.0",
        "O(1)",
        "Adds a consumer to a consumer group.",
    ),
    def(
        "xgroup|delconsumer",
        5,
        W,
        S,
        crate::cmd::keys(2, 2, 1),
        single(xgroup),
        "stream",
        "5.0.0",
        "O(1)",
        "Removes a consumer from a consumer group, dropping its pending entries.",
    ),
    def(
        "xgroup|destroy",
        4,
        W,
        S,
        crate::cmd::keys(2, 2, 1),
        single(xgroup),
        "stream",
        "5.0.0",
        "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        "Removes a consumer group.",
    ),
    def(
        "xgroup|help",
        2,
        Flags::LOADING.or(Flags::STALE),
        S,
        Keys::None,
        single(xgroup_help),
        "stream",
        "5.0.0",
        "O(1)",
        "Describes the XGROUP subcommands.",
    ),
    def(
        "xgroup|setid",
        -5,
        W,
        S,
        crate::cmd::keys(2, 2, 1),
        single(xgroup),
        "stream",
        "5.0.0",
        "O(1)",
        "Moves a consumer group's last delivered ID.",
    ),
];

static XINFO_SUBS: [CommandDef; 4] = [
    def(
        "xinfo|consumers",
        4,
        R,
        S,
        crate::cmd::keys(2, 2, 1),
        single(xinfo),
        "stream",
        "5.0.0",
        "O(1)",
        "Lists the consumers of a consumer group.",
    ),
    def(
        "xinfo|groups",
        3,
        R,
        S,
        crate::cmd::keys(2, 2, 1),
        single(xinfo),
        "stream",
        "5.0.0",
        "O(1)",
        "Lists the consumer groups of a stream.",
    ),
    def(
        "xinfo|help",
        2,
        Flags::LOADING.or(Flags::STALE),
        S,
        Keys::None,
        single(xinfo_help),
        "stream",
        "5.0.0",
        "O(1)",
        "Describes the XINFO subcommands.",
    ),
    def(
        "xinfo|stream",
        -3,
        R,
        S,
        crate::cmd::keys(2, 2, 1),
        single(xinfo),
        "stream",
        "5.0.0",
        "O(1)",
        "Describes a stream, or with FULL its entries, groups and consumers too.",
    ),
];

// ----- shared helpers -----

/// The stream at `key` for reading (`lookupKeyRead`); WRONGTYPE for another type.
fn stream_read<'a>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut Stream>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::Stream(s) => Ok(Some(&mut **s)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The stream at `key` for writing (`lookupKeyWrite`); WRONGTYPE for another type.
fn stream_write<'a>(
    db: &'a mut Db,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut Stream>, OpError> {
    match db.get_mut(key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::Stream(s) => Ok(Some(&mut **s)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The last ID of the stream at `key` as `ms-seq` (the server resolves XREAD's `$` with it
/// before parking a client). `None` for a missing key; WRONGTYPE for another type.
pub fn last_id(sh: &mut Shard, db: usize, key: &[u8]) -> Result<Option<String>, OpError> {
    let now = sh.now_ms();
    match sh.db(db).peek(key, now) {
        None => Ok(None),
        Some(e) => match &e.value {
            Value::Stream(s) => Ok(Some(s.last_id.to_string())),
            _ => Err(OpError::WrongType),
        },
    }
}

/// Whether `key` is served by this shard (keys of other shards are skipped by XREAD and
/// XREADGROUP, which the server may run on each shard holding some of their keys).
fn is_local(sh: &Shard, key: &[u8]) -> bool {
    sh.nshards <= 1 || crate::slot::key_shard(key, sh.nshards) == sh.id
}

fn node_limits(sh: &Shard) -> NodeLimits {
    NodeLimits {
        max_bytes: sh.config.encodings.stream_node_max_bytes,
        max_entries: sh.config.encodings.stream_node_max_entries,
    }
}

fn lossy(b: &[u8]) -> String {
    // Redis formats names with `%s`: the text stops at a NUL byte.
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// `getLongLongFromObjectOrReply` with the default message.
fn parse_ll(a: &[u8]) -> Result<i64, OpError> {
    parse_i64_strict(a).ok_or(OpError::NotInteger)
}

/// `getLongLongFromObjectOrReply` with a custom message.
fn parse_ll_msg(a: &[u8], msg: &'static str) -> Result<i64, OpError> {
    parse_i64_strict(a).ok_or(OpError::msg(msg))
}

/// Redis's `string2ull`: a strict `long long` that is not negative, or else whatever
/// `strtoull` accepts as a whole (leading blanks, a sign, leading zeros).
fn string2ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64_strict(s) {
        return (v >= 0).then_some(v as u64);
    }
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: u64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.checked_mul(10)?.checked_add(u64::from(s[i] - b'0'))?;
        i += 1;
    }
    if i == start || i != s.len() {
        return None;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Parses a stream ID (`streamGenericParseIDOrReply`). `missing_seq` fills a bare `<ms>`;
/// `strict` rejects `-` and `+`; `seq_star` accepts `<ms>-*`. Returns the ID and whether the
/// sequence was given.
fn parse_id_full(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    seq_star: bool,
) -> Result<(StreamId, bool), OpError> {
    let invalid = || OpError::msg(INVALID_ID);
    if arg.len() > 127 {
        return Err(invalid());
    }
    // The text is a C string from here on.
    let buf = &arg[..arg.iter().position(|c| *c == 0).unwrap_or(arg.len())];
    if buf == b"-" || buf == b"+" {
        if strict {
            return Err(invalid());
        }
        return Ok((
            if buf == b"-" {
                StreamId::MIN
            } else {
                StreamId::MAX
            },
            true,
        ));
    }
    let (ms_part, seq_part) = match buf.iter().position(|c| *c == b'-') {
        Some(p) => (&buf[..p], Some(&buf[p + 1..])),
        None => (buf, None),
    };
    let ms = string2ull(ms_part).ok_or_else(invalid)?;
    let (seq, given) = match seq_part {
        Some(b"*") if seq_star => (0, false),
        Some(p) => (string2ull(p).ok_or_else(invalid)?, true),
        None => (missing_seq, true),
    };
    Ok((StreamId::new(ms, seq), given))
}

/// A strict ID (no `-`/`+`), missing sequence 0.
fn parse_strict_id(arg: &[u8]) -> Result<StreamId, OpError> {
    parse_id_full(arg, 0, true, false).map(|(id, _)| id)
}

/// An interval bound: `(` makes it exclusive (then strict); `-`/`+` allowed otherwise.
fn parse_interval(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), OpError> {
    if arg.len() > 1 && arg[0] == b'(' {
        let (id, _) = parse_id_full(&arg[1..], missing_seq, true, false)?;
        Ok((id, true))
    } else {
        let (id, _) = parse_id_full(arg, missing_seq, false, false)?;
        Ok((id, false))
    }
}

/// Parses a range's start and end bounds, applying exclusivity (XRANGE, XPENDING).
fn parse_range(start: &[u8], end: &[u8]) -> Result<(StreamId, StreamId), OpError> {
    let (mut s, sx) = parse_interval(start, 0)?;
    if sx {
        s = s.incr().ok_or(OpError::msg(BAD_START))?;
    }
    let (mut e, ex) = parse_interval(end, u64::MAX)?;
    if ex {
        e = e.decr().ok_or(OpError::msg(BAD_END))?;
    }
    Ok((s, e))
}

fn write_item(out: &mut RespWriter, item: LpItem<'_>) {
    match item {
        LpItem::Str(s) => out.bulk(s),
        LpItem::Int(v) => out.bulk_int(v),
    }
}

fn write_id(out: &mut RespWriter, id: StreamId) {
    out.bulk(id.to_string().as_bytes());
}

/// One entry: `[id, [field, value, ...]]`.
fn write_entry(out: &mut RespWriter, e: &EntryView<'_>) {
    out.array(2);
    write_id(out, e.id());
    out.array(e.num_fields() * 2);
    e.for_each_field(|f, v| {
        write_item(out, f);
        write_item(out, v);
    });
}

/// Writes the entries in `[start, end]` (at most `count`, 0: all) as an array; returns their
/// IDs.
fn write_range(
    out: &mut RespWriter,
    s: &Stream,
    start: StreamId,
    end: StreamId,
    count: usize,
    rev: bool,
) -> Vec<StreamId> {
    let mut body = RespWriter::new(out.is_resp3());
    let mut ids = Vec::new();
    s.range(start, end, rev, |e| {
        write_entry(&mut body, e);
        ids.push(e.id());
        count == 0 || ids.len() < count
    });
    out.array(ids.len());
    out.raw(body.as_bytes());
    ids
}

// ----- XADD / XTRIM -----

/// The trimming options of XADD and XTRIM.
struct TrimArgs {
    to: Option<TrimTo>,
    approx: bool,
    limit: i64,
}

/// XADD's parsed options.
struct AddArgs {
    trim: TrimArgs,
    nomkstream: bool,
    /// Explicit ID and whether its sequence was given.
    id: Option<(StreamId, bool)>,
    /// Index of the ID argument.
    idpos: usize,
}

/// `streamParseAddOrTrimArgsOrReply`.
fn parse_add_or_trim(sh: &Shard, a: &[&[u8]], xadd: bool) -> Result<AddArgs, OpError> {
    let mut trim = TrimArgs {
        to: None,
        approx: false,
        limit: 0,
    };
    let mut nomkstream = false;
    let mut id = None;
    let mut limit_given = false;
    let mut i = 2;
    while i < a.len() {
        let more = a.len() - 1 - i;
        let opt = a[i];
        if xadd && opt == b"*" {
            break;
        } else if (opt.eq_ignore_ascii_case(b"maxlen") || opt.eq_ignore_ascii_case(b"minid"))
            && more > 0
        {
            let maxlen = opt.eq_ignore_ascii_case(b"maxlen");
            if trim.to.is_some() {
                return Err(OpError::msg(MAXLEN_MINID));
            }
            trim.approx = false;
            let next = a[i + 1];
            if more >= 2 && next == b"~" {
                trim.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            if maxlen {
                let n = parse_ll(a[i + 1])?;
                if n < 0 {
                    return Err(OpError::msg(MAXLEN_NEGATIVE));
                }
                trim.to = Some(TrimTo::MaxLen(n as u64));
            } else {
                trim.to = Some(TrimTo::MinId(parse_strict_id(a[i + 1])?));
            }
            i += 1;
        } else if opt.eq_ignore_ascii_case(b"limit") && more > 0 {
            trim.limit = parse_ll(a[i + 1])?;
            if trim.limit < 0 {
                return Err(OpError::msg(LIMIT_NEGATIVE));
            }
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            nomkstream = true;
        } else if xadd {
            id = Some(parse_id_full(opt, 0, true, true).map_err(|_| OpError::msg(INVALID_ID))?);
            break;
        } else {
            return Err(OpError::Syntax);
        }
        i += 1;
    }
    if trim.limit != 0 && trim.to.is_none() {
        return Err(OpError::msg(LIMIT_NO_STRATEGY));
    }
    if !xadd && trim.to.is_none() {
        return Err(OpError::msg(XTRIM_NO_STRATEGY));
    }
    if limit_given {
        if !trim.approx {
            return Err(OpError::msg(LIMIT_NO_APPROX));
        }
    } else if trim.approx {
        let per_node = sh.config.encodings.stream_node_max_entries as i64;
        trim.limit = per_node.saturating_mul(100);
        if trim.limit <= 0 {
            trim.limit = 10000;
        }
        trim.limit = trim.limit.min(1_000_000);
    } else {
        trim.limit = 0;
    }
    Ok(AddArgs {
        trim,
        nomkstream,
        id,
        idpos: i,
    })
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...`
fn xadd(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let p = parse_add_or_trim(sh, a, true)?;
    let field_pos = p.idpos + 1;
    if a.len() < field_pos + 2 || (a.len() - field_pos) % 2 == 1 {
        return Err(OpError::WrongArity);
    }
    if let Some((id, true)) = p.id {
        if id.is_zero() {
            return Err(OpError::msg(XADD_ID_ZERO));
        }
    }
    let limits = node_limits(sh);
    let pairs = &a[field_pos..];
    let total: usize = pairs.iter().map(|x| x.len()).sum();
    let (key, now) = (a[1], cx.now_ms);
    let db = sh.db(cx.db);
    let id = match stream_write(db, key, now)? {
        Some(s) => {
            if s.last_id == StreamId::MAX {
                return Err(OpError::msg(XADD_EXHAUSTED));
            }
            let id = s.append(pairs, p.id, now, limits).map_err(|e| match e {
                AppendError::IdTooSmall => OpError::msg(XADD_ID_SMALL),
                AppendError::TooLarge => OpError::msg(XADD_TOO_LARGE),
            })?;
            if let Some(to) = p.trim.to {
                s.trim(to, p.trim.approx, p.trim.limit);
            }
            id
        }
        None => {
            if p.nomkstream {
                cx.out.null();
                return Ok(());
            }
            if total > LISTPACK_MAX_SIZE {
                return Err(OpError::msg(XADD_TOO_LARGE));
            }
            let mut s = Stream::new();
            let id = s.append(pairs, p.id, now, limits).map_err(|e| match e {
                AppendError::IdTooSmall => OpError::msg(XADD_ID_SMALL),
                AppendError::TooLarge => OpError::msg(XADD_TOO_LARGE),
            })?;
            if let Some(to) = p.trim.to {
                s.trim(to, p.trim.approx, p.trim.limit);
            }
            db.insert_new(key, Value::Stream(Box::new(s)), now);
            id
        }
    };
    db.signal_ready(key);
    write_id(cx.out, id);
    sh.dirty += 1;
    Ok(())
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`
fn xtrim(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let p = parse_add_or_trim(sh, a, false)?;
    let Some(s) = stream_write(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let to = p.trim.to.ok_or(OpError::Syntax)?;
    let deleted = s.trim(to, p.trim.approx, p.trim.limit);
    sh.dirty += deleted as u64;
    cx.out.int(deleted);
    Ok(())
}

// ----- XLEN / XRANGE / XREVRANGE / XDEL -----

/// `XLEN key`
fn xlen(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let n = stream_read(sh.db(cx.db), a[1], cx.now_ms)?.map_or(0, |s| s.len());
    cx.out.int(n as i64);
    Ok(())
}

fn xrange_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], rev: bool) -> OpResult {
    let (start_arg, end_arg) = if rev { (a[3], a[2]) } else { (a[2], a[3]) };
    let (start, end) = parse_range(start_arg, end_arg)?;
    let mut count: i64 = -1;
    let mut j = 4;
    while j < a.len() {
        if a[j].eq_ignore_ascii_case(b"count") && j + 1 < a.len() {
            count = parse_ll(a[j + 1])?.max(0);
            j += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    let Some(s) = stream_read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.array(0);
        return Ok(());
    };
    if count == 0 {
        cx.out.null_array();
        return Ok(());
    }
    let count = if count < 0 { 0 } else { count as usize };
    write_range(cx.out, s, start, end, count, rev);
    Ok(())
}

/// `XRANGE key start end [COUNT count]`
fn xrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    xrange_generic(sh, cx, a, false)
}

/// `XREVRANGE key end start [COUNT count]`
fn xrevrange(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    xrange_generic(sh, cx, a, true)
}

/// `XDEL key id [id ...]`
fn xdel(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let Some(s) = stream_write(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let ids = a[2..]
        .iter()
        .map(|x| parse_strict_id(x))
        .collect::<Result<Vec<_>, _>>()?;
    let deleted = s.delete_ids(&ids);
    sh.dirty += deleted as u64;
    cx.out.int(deleted as i64);
    Ok(())
}

// ----- XREAD / XREADGROUP -----

struct ReadArgs<'a> {
    count: usize,
    block: Option<i64>,
    group: Option<(&'a [u8], &'a [u8])>,
    noack: bool,
    streams_arg: usize,
    n: usize,
}

fn parse_read<'a>(a: &[&'a [u8]], xreadgroup: bool) -> Result<ReadArgs<'a>, OpError> {
    let mut r = ReadArgs {
        count: 0,
        block: None,
        group: None,
        noack: false,
        streams_arg: 0,
        n: 0,
    };
    let mut i = 1;
    while i < a.len() {
        let more = a.len() - i - 1;
        let o = a[i];
        if o.eq_ignore_ascii_case(b"block") && more > 0 {
            i += 1;
            let t = parse_ll_msg(a[i], TIMEOUT_NOT_INT)?;
            if t < 0 {
                return Err(OpError::msg(TIMEOUT_NEGATIVE));
            }
            r.block = Some(t);
        } else if o.eq_ignore_ascii_case(b"count") && more > 0 {
            i += 1;
            r.count = parse_ll(a[i])?.max(0) as usize;
        } else if o.eq_ignore_ascii_case(b"streams") && more > 0 {
            r.streams_arg = i + 1;
            let c = a.len() - r.streams_arg;
            if !c.is_multiple_of(2) {
                return Err(OpError::msg(UNBALANCED));
            }
            r.n = c / 2;
            break;
        } else if o.eq_ignore_ascii_case(b"group") && more >= 2 {
            if !xreadgroup {
                return Err(OpError::msg(GROUP_ONLY_XREADGROUP));
            }
            r.group = Some((a[i + 1], a[i + 2]));
            i += 2;
        } else if o.eq_ignore_ascii_case(b"noack") {
            if !xreadgroup {
                return Err(OpError::msg(NOACK_ONLY_XREADGROUP));
            }
            r.noack = true;
        } else {
            return Err(OpError::Syntax);
        }
        i += 1;
    }
    if r.streams_arg == 0 {
        return Err(OpError::Syntax);
    }
    if xreadgroup && r.group.is_none() {
        return Err(OpError::msg(MISSING_GROUP));
    }
    Ok(r)
}

/// Where a read starts for one stream.
#[derive(Clone, Copy)]
enum ReadFrom {
    /// Entries after this ID (XREAD, and XREADGROUP history).
    After(StreamId),
    /// XREADGROUP `>`: entries after the group's last delivered ID.
    New,
}

fn xread(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    read_generic(sh, cx, a, false, false, false)
}

fn xreadgroup(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    read_generic(sh, cx, a, true, false, false)
}

/// XREAD / XREADGROUP for a client the server parked and now wakes because one of its keys
/// was signalled: serves it as Redis serves a blocked client (a deleted key or a destroyed
/// group is an error for XREADGROUP; a read without COUNT returns at most 1000 entries), or
/// returns [`OpError::Block`] to keep it waiting.
pub fn serve_blocked(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let xreadgroup = a
        .first()
        .is_some_and(|n| n.eq_ignore_ascii_case(b"xreadgroup"));
    read_generic(sh, cx, a, xreadgroup, true, false)
}

/// The checks XREAD/XREADGROUP make before reading anything (arguments, each local key's
/// type, group and ID), with no reply and no delivery: the server runs it for every stream
/// of a read spread over shards, in argument order, so an error on one shard's stream stops
/// the read before another shard delivers entries.
pub fn validate_read(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let xreadgroup = a
        .first()
        .is_some_and(|n| n.eq_ignore_ascii_case(b"xreadgroup"));
    read_generic(sh, cx, a, xreadgroup, false, true)
}

/// `XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]` and
/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id ...`
fn read_generic(
    sh: &mut Shard,
    cx: &mut Cx<'_>,
    a: &[&[u8]],
    xreadgroup: bool,
    rerun: bool,
    validate_only: bool,
) -> OpResult {
    let r = parse_read(a, xreadgroup)?;
    let now = cx.now_ms;
    let mut from = Vec::with_capacity(r.n);
    // Validation, in key order: type, group, ID.
    for i in 0..r.n {
        let key = a[r.streams_arg + i];
        let idarg = a[r.streams_arg + r.n + i];
        let local = is_local(sh, key);
        let mut last = StreamId::MIN;
        if local {
            let found = match stream_read(sh.db(cx.db), key, now) {
                Ok(s) => s,
                // A parked XREADGROUP whose key became another type.
                Err(_) if rerun && xreadgroup => return Err(OpError::msg(UNBLOCKED_KEY_GONE)),
                // A parked XREAD keeps waiting while its key holds another type.
                Err(_) if rerun => None,
                Err(e) => return Err(e),
            };
            if let Some((g, _)) = r.group {
                match found.as_deref() {
                    Some(s) if s.groups.contains_key(g) => {}
                    Some(_) if rerun => return Err(OpError::msg(NOGROUP_GONE)),
                    None if rerun => return Err(OpError::msg(UNBLOCKED_KEY_GONE)),
                    _ => {
                        return Err(OpError::msg(format!(
                            "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                            lossy(key),
                            lossy(g)
                        )))
                    }
                }
            }
            if let Some(s) = found {
                last = s.last_id;
            }
        }
        if idarg == b"$" {
            if xreadgroup {
                return Err(OpError::msg(DOLLAR_IN_XREADGROUP));
            }
            from.push(ReadFrom::After(last));
        } else if idarg == b">" {
            if !xreadgroup {
                return Err(OpError::msg(GT_IN_XREAD));
            }
            from.push(ReadFrom::New);
        } else {
            from.push(ReadFrom::After(parse_strict_id(idarg)?));
        }
    }

    if validate_only {
        return Ok(());
    }
    let count = if rerun && r.count == 0 {
        BLOCKED_DEFAULT_COUNT
    } else {
        r.count
    };
    let mut body = RespWriter::new(cx.out.is_resp3());
    let mut served = 0usize;
    let mut dirty = 0u64;
    for (i, f) in from.iter().enumerate() {
        let key = a[r.streams_arg + i];
        if !is_local(sh, key) {
            continue;
        }
        let Ok(Some(s)) = stream_read(sh.db(cx.db), key, now) else {
            continue;
        };
        match r.group {
            None => {
                let ReadFrom::After(gt) = *f else { continue };
                if s.is_empty() || s.last_valid_id().is_none_or(|m| m <= gt) {
                    continue;
                }
                let Some(start) = gt.incr() else { continue };
                served += 1;
                if !body.is_resp3() {
                    body.array(2);
                }
                body.bulk(key);
                write_range(&mut body, s, start, StreamId::MAX, count, false);
            }
            Some((gname, cname)) => {
                let Some(glast) = s.groups.get(gname).map(|g| g.last_id) else {
                    continue;
                };
                let history = match *f {
                    ReadFrom::After(id) => Some(id),
                    ReadFrom::New => {
                        if s.is_empty() || s.last_valid_id().is_none_or(|m| m <= glast) {
                            continue;
                        }
                        None
                    }
                };
                served += 1;
                if !body.is_resp3() {
                    body.array(2);
                }
                body.bulk(key);
                dirty += read_group(&mut body, s, gname, cname, history, count, r.noack, now);
            }
        }
    }
    sh.dirty += dirty;
    if served == 0 {
        if r.block.is_some() {
            return Err(OpError::Block);
        }
        cx.out.null_array();
        return Ok(());
    }
    // RESP3: a map of key to entries; RESP2: one [key, entries] pair per stream.
    if cx.out.is_resp3() {
        cx.out.map(served);
    } else {
        cx.out.array(served);
    }
    cx.out.raw(body.as_bytes());
    Ok(())
}

/// Serves one stream of an XREADGROUP: new entries (`history == None`) or the consumer's
/// pending entries after `history`. Returns the dirty count.
#[allow(clippy::too_many_arguments)] // reason: one call site, the fields of one read
fn read_group(
    out: &mut RespWriter,
    s: &mut Stream,
    gname: &[u8],
    cname: &[u8],
    history: Option<StreamId>,
    count: usize,
    noack: bool,
    now: i64,
) -> u64 {
    let mut dirty = 1;
    let meta = s.meta();
    let group = s.groups.get_mut(gname).expect("group checked");
    let consumer = match group.lookup_refresh(cname, now) {
        Some(c) => c,
        None => {
            dirty += 1;
            group.create_consumer(cname, now).expect("absent consumer")
        }
    };
    match history {
        Some(after) => {
            // The consumer's own pending entries, from the ID after `after`.
            let start = after.incr().unwrap_or(StreamId::MIN);
            let ids: Vec<StreamId> = group
                .consumer(consumer)
                .pel
                .range(start..)
                .take(if count == 0 { usize::MAX } else { count })
                .copied()
                .collect();
            out.array(ids.len());
            let mut delivered = Vec::with_capacity(ids.len());
            for id in ids {
                if s.with_entry(id, |e| write_entry(out, e)) {
                    delivered.push(id);
                } else {
                    out.array(2);
                    write_id(out, id);
                    out.null_array();
                }
            }
            let group = s.groups.get_mut(gname).expect("group checked");
            for id in delivered {
                if let Some(n) = group.pel.get_mut(&id) {
                    n.delivery_time = now;
                    n.delivery_count += 1;
                }
            }
        }
        None => {
            let start = group.last_id.incr().unwrap_or(StreamId::MAX);
            let ids = write_range(out, s, start, StreamId::MAX, count, false);
            let group = s.groups.get_mut(gname).expect("group checked");
            for id in ids {
                meta.advance_group(group, id);
                if !noack {
                    group.deliver(id, consumer, now);
                }
            }
        }
    }
    dirty
}

// ----- XGROUP / XSETID -----

const XGROUP_HELP: [&str; 17] = [
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

const XINFO_HELP: [&str; 9] = [
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
];

fn write_help(out: &mut RespWriter, lines: &[&str]) {
    out.array(lines.len());
    for l in lines {
        out.simple(l);
    }
}

/// `XGROUP HELP`
fn xgroup_help(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    write_help(cx.out, &XGROUP_HELP);
    Ok(())
}

/// `XINFO HELP`
fn xinfo_help(_sh: &mut Shard, cx: &mut Cx<'_>, _a: &[&[u8]]) -> OpResult {
    write_help(cx.out, &XINFO_HELP);
    Ok(())
}

/// `ERR unknown subcommand or wrong number of arguments for 'sub'. Try CMD HELP.`
fn subcommand_syntax(a: &[&[u8]]) -> OpError {
    let sub: String = lossy(a.get(1).copied().unwrap_or_default())
        .chars()
        .take(128)
        .collect();
    OpError::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {} HELP.",
        lossy(a[0]).to_ascii_uppercase()
    ))
}

/// XGROUP CREATE / SETID / DESTROY / CREATECONSUMER / DELCONSUMER (one flow, as Redis's
/// `xgroupCommand`: common option parsing and key checks, then the subcommand).
fn xgroup(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opt = a[1];
    let is = |name: &[u8]| opt.eq_ignore_ascii_case(name);
    let (create, setid) = (is(b"create"), is(b"setid"));
    let mut mkstream = false;
    let mut entries_read = ENTRIES_READ_INVALID;
    let mut i = 5;
    while i < a.len() {
        if create && a[i].eq_ignore_ascii_case(b"mkstream") {
            mkstream = true;
            i += 1;
        } else if (create || setid) && a[i].eq_ignore_ascii_case(b"entriesread") && i + 1 < a.len()
        {
            entries_read = parse_ll(a[i + 1])?;
            if entries_read < 0 && entries_read != ENTRIES_READ_INVALID {
                return Err(OpError::msg(ENTRIESREAD_RANGE));
            }
            i += 2;
        } else {
            return Err(subcommand_syntax(a));
        }
    }
    let (key, gname, now) = (a[2], a[3], cx.now_ms);
    let exists = stream_write(sh.db(cx.db), key, now)?.is_some();
    if !mkstream {
        let Some(s) = stream_write(sh.db(cx.db), key, now)? else {
            return Err(OpError::msg(XGROUP_NEEDS_KEY));
        };
        if !s.groups.contains_key(gname) && (setid || is(b"createconsumer") || is(b"delconsumer")) {
            return Err(OpError::msg(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                lossy(gname),
                lossy(key)
            )));
        }
    }
    if create && (5..=8).contains(&a.len()) {
        let id = if a[4] == b"$" {
            stream_write(sh.db(cx.db), key, now)?.map_or(StreamId::MIN, |s| s.last_id)
        } else {
            parse_strict_id(a[4])?
        };
        let db = sh.db(cx.db);
        if !exists {
            db.insert_new(key, Value::Stream(Box::new(Stream::new())), now);
        }
        let s = stream_write(db, key, now)?.expect("stream exists");
        if s.groups.contains_key(gname) {
            return Err(OpError::msg(BUSYGROUP));
        }
        s.groups.insert(gname.into(), Group::new(id, entries_read));
        sh.dirty += 1;
        cx.out.ok();
    } else if setid && (a.len() == 5 || a.len() == 7) {
        let s = stream_write(sh.db(cx.db), key, now)?.expect("checked");
        let id = if a[4] == b"$" {
            s.last_id
        } else {
            parse_id_full(a[4], 0, false, false)?.0
        };
        let g = s.groups.get_mut(gname).expect("checked");
        g.last_id = id;
        g.entries_read = entries_read;
        sh.dirty += 1;
        cx.out.ok();
    } else if is(b"destroy") && a.len() == 4 {
        let db = sh.db(cx.db);
        let s = stream_write(db, key, now)?.expect("checked");
        if s.groups.remove(gname).is_some() {
            db.signal_ready(key);
            sh.dirty += 1;
            cx.out.int(1);
        } else {
            cx.out.int(0);
        }
    } else if is(b"createconsumer") && a.len() == 5 {
        let s = stream_write(sh.db(cx.db), key, now)?.expect("checked");
        let g = s.groups.get_mut(gname).expect("checked");
        let created = g.create_consumer(a[4], now).is_some();
        if created {
            sh.dirty += 1;
        }
        cx.out.int(i64::from(created));
    } else if is(b"delconsumer") && a.len() == 5 {
        let s = stream_write(sh.db(cx.db), key, now)?.expect("checked");
        let g = s.groups.get_mut(gname).expect("checked");
        let mut pending = 0;
        if let Some(c) = g.consumer_id(a[4]) {
            pending = g.delete_consumer(c);
            sh.dirty += 1;
        }
        cx.out.int(pending as i64);
    } else {
        return Err(subcommand_syntax(a));
    }
    Ok(())
}

/// `XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]`
fn xsetid(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let id = parse_strict_id(a[2])?;
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::MIN;
    let mut i = 3;
    while i < a.len() {
        let more = a.len() - 1 - i;
        if a[i].eq_ignore_ascii_case(b"entriesadded") && more > 0 {
            entries_added = parse_ll(a[i + 1])?;
            if entries_added < 0 {
                return Err(OpError::msg(ENTRIES_ADDED_NEGATIVE));
            }
            i += 2;
        } else if a[i].eq_ignore_ascii_case(b"maxdeletedid") && more > 0 {
            max_xdel = parse_strict_id(a[i + 1])?;
            if id < max_xdel {
                return Err(OpError::msg(XSETID_MAXDEL));
            }
            i += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    let Some(s) = stream_write(sh.db(cx.db), a[1], cx.now_ms)? else {
        return Err(OpError::msg(NO_SUCH_KEY));
    };
    if !s.is_empty() {
        if s.last_valid_id().is_some_and(|m| id < m) {
            return Err(OpError::msg(XSETID_SMALL));
        }
        if entries_added != -1 && s.len() as u64 > entries_added as u64 {
            return Err(OpError::msg(XSETID_ADDED));
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_entry_id = max_xdel;
    }
    sh.dirty += 1;
    cx.out.ok();
    Ok(())
}

// ----- XACK / XPENDING / XCLAIM / XAUTOCLAIM -----

fn nogroup(key: &[u8], group: &[u8]) -> OpError {
    OpError::msg(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        lossy(key),
        lossy(group)
    ))
}

/// `XACK key group id [id ...]`
fn xack(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let Some(s) = stream_read(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let Some(g) = s.groups.get_mut(a[2]) else {
        cx.out.int(0);
        return Ok(());
    };
    let ids = a[3..]
        .iter()
        .map(|x| parse_strict_id(x))
        .collect::<Result<Vec<_>, _>>()?;
    let mut acked = 0;
    for id in ids {
        if g.remove_nack(id) {
            acked += 1;
        }
    }
    sh.dirty += acked;
    cx.out.int(acked as i64);
    Ok(())
}

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`
fn xpending(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let argc = a.len();
    let justinfo = argc == 3;
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(OpError::Syntax);
    }
    let mut range = (StreamId::MIN, StreamId::MAX);
    let mut count: i64 = 0;
    let mut minidle: i64 = 0;
    let mut consumer_name = None;
    if argc >= 6 {
        let mut si = 3;
        if a[3].eq_ignore_ascii_case(b"idle") {
            minidle = parse_ll(a[4])?;
            if argc < 8 {
                return Err(OpError::Syntax);
            }
            si += 2;
        }
        count = parse_ll(a[si + 2])?.max(0);
        range = parse_range(a[si], a[si + 1])?;
        if si + 3 < argc {
            consumer_name = Some(a[si + 3]);
        }
    }
    let now = cx.now_ms;
    let s = stream_read(sh.db(cx.db), a[1], now)?;
    let Some(g) = s.and_then(|s| s.groups.get(a[2])) else {
        return Err(nogroup(a[1], a[2]));
    };
    let out = &mut *cx.out;
    if justinfo {
        out.array(4);
        out.int(g.pel.len() as i64);
        match (g.pel.first_key_value(), g.pel.last_key_value()) {
            (Some((first, _)), Some((last, _))) => {
                write_id(out, *first);
                write_id(out, *last);
                let busy: Vec<_> = g.consumers().filter(|c| !c.pel.is_empty()).collect();
                out.array(busy.len());
                for c in busy {
                    out.array(2);
                    out.bulk(&c.name);
                    out.bulk_int(c.pel.len() as i64);
                }
            }
            _ => {
                out.null();
                out.null();
                out.null_array();
            }
        }
        return Ok(());
    }
    let ids: Box<dyn Iterator<Item = StreamId> + '_> = match consumer_name {
        Some(name) => match g.consumer_id(name) {
            Some(c) => Box::new(g.consumer(c).pel.range(range.0..).copied()),
            None => {
                out.array(0);
                return Ok(());
            }
        },
        None => Box::new(g.pel.range(range.0..).map(|(k, _)| *k)),
    };
    let mut body = RespWriter::new(out.is_resp3());
    let mut n = 0;
    if count > 0 {
        for id in ids {
            if id > range.1 {
                break;
            }
            let nack = &g.pel[&id];
            if minidle != 0 && now - nack.delivery_time < minidle {
                continue;
            }
            n += 1;
            body.array(4);
            write_id(&mut body, id);
            body.bulk(&g.consumer(nack.consumer).name);
            body.int((now - nack.delivery_time).max(0));
            body.int(nack.delivery_count as i64);
            if n as i64 == count {
                break;
            }
        }
    }
    out.array(n);
    out.raw(body.as_bytes());
    Ok(())
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]`
fn xclaim(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    let (key, gname, cname) = (a[1], a[2], a[3]);
    {
        let s = stream_read(sh.db(cx.db), key, now)?;
        if !s.is_some_and(|s| s.groups.contains_key(gname)) {
            return Err(nogroup(key, gname));
        }
    }
    let minidle = parse_ll_msg(a[4], XCLAIM_MINIDLE)?.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < a.len() {
        match parse_strict_id(a[j]) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let (mut force, mut justid) = (false, false);
    let mut retrycount: i64 = -1;
    let mut deliverytime: i64 = -1;
    let mut last_id = StreamId::MIN;
    while j < a.len() {
        let more = a.len() - 1 - j;
        let opt = a[j];
        if opt.eq_ignore_ascii_case(b"force") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"idle") && more > 0 {
            j += 1;
            deliverytime = now.wrapping_sub(parse_ll_msg(a[j], XCLAIM_IDLE)?);
        } else if opt.eq_ignore_ascii_case(b"time") && more > 0 {
            j += 1;
            deliverytime = parse_ll_msg(a[j], XCLAIM_TIME)?;
        } else if opt.eq_ignore_ascii_case(b"retrycount") && more > 0 {
            j += 1;
            retrycount = parse_ll_msg(a[j], XCLAIM_RETRY)?;
        } else if opt.eq_ignore_ascii_case(b"lastid") && more > 0 {
            j += 1;
            last_id = parse_strict_id(a[j])?;
        } else {
            return Err(OpError::msg(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                lossy(opt)
            )));
        }
        j += 1;
    }
    let s = stream_read(sh.db(cx.db), key, now)?.expect("checked");
    let mut dirty = 0u64;
    // A moved LASTID counts as a write of its own only when no entry was claimed or dropped
    // (Redis then propagates it separately).
    let mut lastid_moved = false;
    {
        let g = s.groups.get_mut(gname).expect("checked");
        if last_id > g.last_id {
            g.last_id = last_id;
            lastid_moved = true;
        }
    }
    if deliverytime == -1 || deliverytime < 0 || deliverytime > now {
        deliverytime = now;
    }
    let mut body = RespWriter::new(cx.out.is_resp3());
    let mut n = 0;
    let mut consumer: Option<u32> = None;
    for id in ids {
        if !s.exists(id) {
            let g = s.groups.get_mut(gname).expect("checked");
            if g.remove_nack(id) {
                dirty += 1;
                lastid_moved = false;
            }
            continue;
        }
        let g = s.groups.get_mut(gname).expect("checked");
        let mut fresh = false;
        if force && !g.pel.contains_key(&id) {
            fresh = true;
        }
        if !fresh && !g.pel.contains_key(&id) {
            continue;
        }
        if !fresh && minidle != 0 {
            let t = g.pel[&id].delivery_time;
            if now - t < minidle {
                continue;
            }
        }
        let c = match consumer {
            Some(c) => c,
            None => {
                let c = match g.lookup_refresh(cname, now) {
                    Some(c) => c,
                    None => {
                        dirty += 1;
                        g.create_consumer(cname, now).expect("absent consumer")
                    }
                };
                consumer = Some(c);
                c
            }
        };
        if fresh {
            g.pel.insert(
                id,
                stream::Nack {
                    delivery_time: deliverytime,
                    delivery_count: 1,
                    consumer: c,
                },
            );
            g.consumer_mut(c).pel.insert(id);
        } else {
            g.move_nack(id, c);
        }
        let nack = g.pel.get_mut(&id).expect("pending");
        nack.delivery_time = deliverytime;
        if retrycount >= 0 {
            nack.delivery_count = retrycount as u64;
        } else if !justid {
            nack.delivery_count += 1;
        }
        if justid {
            write_id(&mut body, id);
        } else {
            s.with_entry(id, |e| write_entry(&mut body, e));
        }
        n += 1;
        dirty += 1;
        lastid_moved = false;
    }
    if lastid_moved {
        dirty += 1;
    }
    sh.dirty += dirty;
    cx.out.array(n);
    cx.out.raw(body.as_bytes());
    Ok(())
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`
fn xautoclaim(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let now = cx.now_ms;
    let (key, gname, cname) = (a[1], a[2], a[3]);
    let minidle = parse_ll_msg(a[4], XAUTOCLAIM_MINIDLE)?.max(0);
    let (mut start, sx) = parse_interval(a[5], 0)?;
    if sx {
        start = start.incr().ok_or(OpError::msg(BAD_START))?;
    }
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < a.len() {
        let more = a.len() - 1 - j;
        if a[j].eq_ignore_ascii_case(b"count") && more > 0 {
            let max_count = i64::MAX / 16;
            count = parse_ll_msg(a[j + 1], XAUTOCLAIM_COUNT)?;
            if !(1..=max_count).contains(&count) {
                return Err(OpError::msg(XAUTOCLAIM_COUNT));
            }
            j += 1;
        } else if a[j].eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else {
            return Err(OpError::Syntax);
        }
        j += 1;
    }
    let s = stream_read(sh.db(cx.db), key, now)?;
    let Some(s) = s.filter(|s| s.groups.contains_key(gname)) else {
        return Err(nogroup(key, gname));
    };
    let mut attempts = count.saturating_mul(10);
    let mut body = RespWriter::new(cx.out.is_resp3());
    let mut n = 0usize;
    let mut deleted = Vec::new();
    let mut consumer: Option<u32> = None;
    let mut dirty = 0u64;
    let mut cursor = Some(start);
    // `cursor`: the lowest ID the scan may visit next (None: past the end).
    loop {
        if attempts == 0 {
            break;
        }
        attempts -= 1;
        if count == 0 {
            break;
        }
        let Some(from) = cursor else { break };
        let next = {
            let g = &s.groups[gname];
            g.pel
                .range(from..)
                .next()
                .map(|(k, v)| (*k, v.delivery_time))
        };
        let Some((id, dtime)) = next else {
            cursor = None;
            break;
        };
        cursor = id.incr();
        if !s.exists(id) {
            let g = s.groups.get_mut(gname).expect("checked");
            g.remove_nack(id);
            deleted.push(id);
            dirty += 1;
            count -= 1;
            continue;
        }
        if minidle != 0 && now - dtime < minidle {
            continue;
        }
        let g = s.groups.get_mut(gname).expect("checked");
        let c = match consumer {
            Some(c) => c,
            None => {
                let c = match g.lookup_refresh(cname, now) {
                    Some(c) => c,
                    None => {
                        dirty += 1;
                        g.create_consumer(cname, now).expect("absent consumer")
                    }
                };
                consumer = Some(c);
                c
            }
        };
        g.move_nack(id, c);
        let nack = g.pel.get_mut(&id).expect("pending");
        nack.delivery_time = now;
        if !justid {
            nack.delivery_count += 1;
        }
        if justid {
            write_id(&mut body, id);
        } else {
            s.with_entry(id, |e| write_entry(&mut body, e));
        }
        n += 1;
        count -= 1;
        dirty += 1;
    }
    // The next cursor: the first pending ID the scan did not reach, or 0-0.
    let end = cursor
        .and_then(|from| s.groups[gname].pel.range(from..).next().map(|(k, _)| *k))
        .unwrap_or(StreamId::MIN);
    sh.dirty += dirty;
    let out = &mut *cx.out;
    out.array(3);
    write_id(out, end);
    out.array(n);
    out.raw(body.as_bytes());
    out.array(deleted.len());
    for id in deleted {
        write_id(out, id);
    }
    Ok(())
}

// ----- XINFO -----

/// XINFO STREAM / GROUPS / CONSUMERS.
fn xinfo(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let opt = a[1];
    let now = cx.now_ms;
    let s = match stream_read(sh.db(cx.db), a[2], now)? {
        Some(s) => &*s,
        None => return Err(OpError::msg(NO_SUCH_KEY)),
    };
    let out = &mut *cx.out;
    if opt.eq_ignore_ascii_case(b"consumers") && a.len() == 4 {
        let Some(g) = s.groups.get(a[3]) else {
            return Err(OpError::msg(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                lossy(a[3]),
                lossy(a[2])
            )));
        };
        out.array(g.consumers_len());
        for c in g.consumers() {
            out.map(3);
            out.bulk(b"name");
            out.bulk(&c.name);
            out.bulk(b"pending");
            out.int(c.pel.len() as i64);
            out.bulk(b"idle");
            out.int((now - c.seen_time).max(0));
        }
    } else if opt.eq_ignore_ascii_case(b"groups") && a.len() == 3 {
        let meta = s.meta();
        out.array(s.groups.len());
        for (name, g) in &s.groups {
            out.map(6);
            out.bulk(b"name");
            out.bulk(name);
            out.bulk(b"consumers");
            out.int(g.consumers_len() as i64);
            out.bulk(b"pending");
            out.int(g.pel.len() as i64);
            out.bulk(b"last-delivered-id");
            write_id(out, g.last_id);
            write_entries_read_and_lag(out, &meta, g);
        }
    } else if opt.eq_ignore_ascii_case(b"stream") {
        xinfo_stream(out, s, a)?;
    } else {
        return Err(subcommand_syntax(a));
    }
    Ok(())
}

fn write_entries_read_and_lag(out: &mut RespWriter, meta: &stream::Meta, g: &Group) {
    out.bulk(b"entries-read");
    if g.entries_read != ENTRIES_READ_INVALID {
        out.int(g.entries_read);
    } else {
        out.null();
    }
    out.bulk(b"lag");
    match meta.lag(g) {
        Some(l) => out.int(l),
        None => out.null(),
    }
}

/// `XINFO STREAM key [FULL [COUNT count]]`
fn xinfo_stream(out: &mut RespWriter, s: &Stream, a: &[&[u8]]) -> OpResult {
    let opts = &a[3..];
    let mut full = false;
    let mut count: i64 = 10;
    if !opts.is_empty() {
        if opts.len() != 1 && opts.len() != 3 {
            return Err(subcommand_syntax(a));
        }
        if !opts[0].eq_ignore_ascii_case(b"full") {
            return Err(subcommand_syntax(a));
        }
        full = true;
        if opts.len() == 3 {
            if !opts[1].eq_ignore_ascii_case(b"count") {
                return Err(subcommand_syntax(a));
            }
            count = parse_ll(opts[2])?;
            if count < 0 {
                count = 10;
            }
        }
    }
    out.map(if full { 9 } else { 10 });
    out.bulk(b"length");
    out.int(s.len() as i64);
    out.bulk(b"radix-tree-keys");
    out.int(s.node_count() as i64);
    out.bulk(b"radix-tree-nodes");
    out.int(s.rax_nodes() as i64);
    out.bulk(b"last-generated-id");
    write_id(out, s.last_id);
    out.bulk(b"max-deleted-entry-id");
    write_id(out, s.max_deleted_entry_id);
    out.bulk(b"entries-added");
    out.int(s.entries_added as i64);
    out.bulk(b"recorded-first-entry-id");
    write_id(out, s.first_id);
    if !full {
        out.bulk(b"groups");
        out.int(s.groups.len() as i64);
        for (label, rev) in [(&b"first-entry"[..], false), (&b"last-entry"[..], true)] {
            out.bulk(label);
            let mut found = false;
            s.range(StreamId::MIN, StreamId::MAX, rev, |e| {
                write_entry(out, e);
                found = true;
                false
            });
            if !found {
                out.null();
            }
        }
        return Ok(());
    }
    let count = count as usize;
    let take = if count == 0 { usize::MAX } else { count };
    out.bulk(b"entries");
    write_range(out, s, StreamId::MIN, StreamId::MAX, count, false);
    out.bulk(b"groups");
    out.array(s.groups.len());
    let meta = s.meta();
    for (name, g) in &s.groups {
        out.map(7);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"last-delivered-id");
        write_id(out, g.last_id);
        write_entries_read_and_lag(out, &meta, g);
        out.bulk(b"pel-count");
        out.int(g.pel.len() as i64);
        out.bulk(b"pending");
        out.array(g.pel.len().min(take));
        for (id, nack) in g.pel.iter().take(take) {
            out.array(4);
            write_id(out, *id);
            out.bulk(&g.consumer(nack.consumer).name);
            out.int(nack.delivery_time);
            out.int(nack.delivery_count as i64);
        }
        out.bulk(b"consumers");
        out.array(g.consumers_len());
        for c in g.consumers() {
            out.map(4);
            out.bulk(b"name");
            out.bulk(&c.name);
            out.bulk(b"seen-time");
            out.int(c.seen_time);
            out.bulk(b"pel-count");
            out.int(c.pel.len() as i64);
            out.bulk(b"pending");
            out.array(c.pel.len().min(take));
            for id in c.pel.iter().take(take) {
                let nack = &g.pel[id];
                out.array(3);
                write_id(out, *id);
                out.int(nack.delivery_time);
                out.int(nack.delivery_count as i64);
            }
        }
    }
    Ok(())
}

/// Keeps the shared constant list honest (SYNTAX and NOT_INTEGER are produced through
/// `OpError::Syntax` / `OpError::NotInteger`).
const _: (&str, &str) = (SYNTAX, NOT_INTEGER);
