//! The hash family: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HEXISTS, HLEN, HSTRLEN, HKEYS,
//! HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN, and the [`Hash`] value type.
//!
//! A hash has Redis 7.0's two encodings, and clients see which through `OBJECT ENCODING`:
//!
//! * `listpack`: fields and values alternate in one [`Listpack`] (`f1 v1 f2 v2 ...`), in
//!   insertion order. Lookups are linear, which is cheap for the small hashes this form is for.
//! * `hashtable`: a [`Dict`] from field to value. Both are [`Key`]s, so fields and values of up
//!   to 22 bytes live inside the table node with no allocation of their own.
//!
//! A hash starts as a listpack and becomes a hashtable, once and for good, when it would hold
//! more than `hash-max-listpack-entries` fields or a field or value longer than
//! `hash-max-listpack-value` bytes. As in Redis, HSET/HSETNX look at the lengths of all their
//! arguments before inserting anything, and the HINCRBY* counters at the field and the new
//! value as they store them. A hash that loses its last field is deleted.
//!
//! Ops follow the crate's shape: every argument is parsed and every error found before the
//! first reply byte is written or the data is touched.

use corekv_proto::RespWriter;

use crate::args;
use crate::cmd::single;
use crate::cmd::{def, keys, Acl, CommandDef, Flags};
use crate::db::Db;
use crate::dict::Dict;
use crate::error::{OpError, OpResult, NAN_OR_INF, OVERFLOW};
use crate::key::Key;
use crate::keys::parse_scan_cursor;
use crate::listpack::{Listpack, LpItem};
use crate::longdouble::LongDouble;
use crate::shard::{Cx, Encodings, Shard};
use crate::util::{glob_match, parse_i64_strict, Rng};
use crate::value::Value;

// Error texts of this family (Redis 7.0.15's exact wording).
const HASH_NOT_INTEGER: &str = "ERR hash value is not an integer";
const HASH_NOT_FLOAT: &str = "ERR hash value is not a float";
const INCR_NAN_OR_INF: &str = "ERR value is NaN or Infinity";
const OUT_OF_RANGE: &str = "ERR value is out of range";
const COUNT_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/// A listpack may not grow beyond this many bytes (Redis's `LISTPACK_MAX_SAFETY_SIZE`): an
/// HSET that could push it past converts the hash first.
const LISTPACK_MAX_SAFETY_SIZE: usize = 1 << 30;

/// How many entries a fair random pick from a hashtable samples (Redis's
/// `GETFAIR_NUM_ENTRIES`): a bucket-then-chain pick favours fields alone in their bucket, so
/// a pick gathers this many neighbouring entries and chooses uniformly among them.
const FAIR_SAMPLE: usize = 15;

/// HRANDFIELD with a positive count uses the "copy everything, remove random fields" strategy
/// while the hash has fewer than this many times the requested fields.
const SUB_STRATEGY_MUL: u64 = 3;

/// The smallest reply one bulk string takes (`$0\r\n\r\n`): a negative HRANDFIELD count
/// whose reply would certainly exceed `proto-max-bulk-len` is refused (see [`hrandfield`]).
const MIN_BULK_REPLY: u64 = 6;

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const H: Acl = Acl::HASH;

pub static COMMANDS: [CommandDef; 16] = [
    def(
        "hset",
        -4,
        W.or(DENYOOM).or(FAST),
        H,
        keys(1, 1, 1),
        single(hset),
        "hash",
        "2.0.0",
        "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
        "Sets one or more fields of a hash, creating the hash when absent; replies with how many fields are new.",
    ),
    def(
        "hsetnx",
        4,
        W.or(DENYOOM).or(FAST),
        H,
        keys(1, 1, 1),
        single(hsetnx),
        "hash",
        "2.0.0",
        "O(1)",
        "Sets a field of a hash only when the field does not exist yet.",
    ),
    def(
        "hmset",
        -4,
        W.or(DENYOOM).or(FAST),
        H,
        keys(1, 1, 1),
        single(hmset),
        "hash",
        "2.0.0",
        "O(N) where N is the number of fields being set.",
        "Sets one or more fields of a hash and replies OK (superseded by HSET).",
    ),
    def(
        "hget",
        3,
        R.or(FAST),
        H,
        keys(1, 1, 1),
        single(hget),
        "hash",
        "2.0.0",
        "O(1)",
        "Replies with the value of one field of a hash.",
    ),
    def(
        "hmget",
        -3,
        R.or(FAST),
        H,
        keys(1, 1, 1),
        single(hmget),
        "hash",
        "2.0.0",
        "O(N) where N is the number of fields being requested.",
        "Replies with the values of several fields of a hash, nil for missing ones.",
    ),
    def(
        "hdel",
        -3,
        W.or(FAST),
        H,
        keys(1, 1, 1),
        single(hdel),
        "hash",
        "2.0.0",
        "O(N) where N is the number of fields to be removed.",
        "Removes fields from a hash; the hash is deleted when its last field goes.",
    ),
    def(
        "hexists",
        3,
        R.or(FAST),
        H,
        keys(1, 1, 1),
        single(hexists),
        "hash",
        "2.0.0",
        "O(1)",
        "Tells whether a field exists in a hash.",
    ),
    def(
        "hlen",
        2,
        R.or(FAST),
        H,
        keys(1, 1, 1),
        single(hlen),
        "hash",
        "2.0.0",
        "O(1)",
        "Replies with the number of fields of a hash.",
    ),
    def(
        "hstrlen",
        3,
        R.or(FAST),
        H,
        keys(1, 1, 1),
        single(hstrlen),
        "hash",
        "3.2.0",
        "O(1)",
        "Replies with the length in bytes of the value of a hash field.",
    ),
    def(
        "hkeys",
        2,
        R,
        H,
        keys(1, 1, 1),
        single(hkeys),
        "hash",
        "2.0.0",
        "O(N) where N is the size of the hash.",
        "Replies with every field name of a hash.",
    ),
    def(
        "hvals",
        2,
        R,
        H,
        keys(1, 1, 1),
        single(hvals),
        "hash",
        "2.0.0",
        "O(N) where N is the size of the hash.",
        "Replies with every value of a hash.",
    ),
    def(
        "hgetall",
        2,
        R,
        H,
        keys(1, 1, 1),
        single(hgetall),
        "hash",
        "2.0.0",
        "O(N) where N is the size of the hash.",
        "Replies with every field of a hash and its value.",
    ),
    def(
        "hincrby",
        4,
        W.or(DENYOOM).or(FAST),
        H,
        keys(1, 1, 1),
        single(hincrby),
        "hash",
        "2.0.0",
        "O(1)",
        "Adds an integer to the integer held in a hash field, starting from 0 when absent.",
    ),
    def(
        "hincrbyfloat",
        4,
        W.or(DENYOOM).or(FAST),
        H,
        keys(1, 1, 1),
        single(hincrbyfloat),
        "hash",
        "2.6.0",
        "O(1)",
        "Adds a decimal number to the number held in a hash field, starting from 0 when absent.",
    ),
    def(
        "hrandfield",
        -2,
        R,
        H,
        keys(1, 1, 1),
        single(hrandfield),
        "hash",
        "6.2.0",
        "O(N) where N is the number of fields returned",
        "Replies with one or more random fields of a hash, optionally with their values.",
    ),
    def(
        "hscan",
        -3,
        R,
        H,
        keys(1, 1, 1),
        single(hscan),
        "hash",
        "2.8.0",
        "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        "Walks the fields and values of a hash a few at a time with a cursor.",
    ),
];

// ---------------------------------------------------------------------------------------------
// The value type

/// A hash value: field → value, in one of Redis's two encodings (see the module docs).
///
/// Equality is structural: two hashes with the same contents but different encodings, or
/// listpacks with the same pairs in a different order, are not equal (a copy that changed
/// encoding has changed).
#[derive(Debug, Clone, PartialEq)]
pub struct Hash {
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    /// `field, value, field, value, ...`
    Listpack(Listpack),
    Table(Box<Dict<Key>>),
}

impl Default for Hash {
    fn default() -> Self {
        Self::new()
    }
}

impl Hash {
    /// An empty hash in the compact encoding.
    pub fn new() -> Self {
        Hash {
            repr: Repr::Listpack(Listpack::new()),
        }
    }

    /// Adopts a listpack of alternating fields and values (an RDB `hash listpack` payload).
    /// `None` if it has an odd number of elements or a repeated field.
    pub fn from_listpack(lp: Listpack) -> Option<Hash> {
        if !lp.len().is_multiple_of(2) {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        let mut it = lp.iter();
        while let (Some(f), Some(_)) = (it.next(), it.next()) {
            if !seen.insert(f.to_vec()) {
                return None;
            }
        }
        Some(Hash {
            repr: Repr::Listpack(lp),
        })
    }

    /// The listpack of a compact hash (for RDB writers), `None` for a hashtable.
    pub fn as_listpack(&self) -> Option<&Listpack> {
        match &self.repr {
            Repr::Listpack(lp) => Some(lp),
            Repr::Table(_) => None,
        }
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.len() / 2,
            Repr::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Approximate heap bytes owned (for MEMORY USAGE and eviction). For a hashtable the
    /// out-of-line bytes of fields and values are estimated from a sample, as Redis samples.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.bytes_len(),
            Repr::Table(d) => {
                const SAMPLE: usize = 16;
                let node = std::mem::size_of::<Key>() * 2 + std::mem::size_of::<usize>();
                let (mut n, mut extra) = (0usize, 0usize);
                for (k, v) in d.iter().take(SAMPLE) {
                    n += 1;
                    extra += k.heap_size() + v.heap_size();
                }
                let extra = (extra * d.len()).checked_div(n).unwrap_or(0);
                std::mem::size_of::<Dict<Key>>()
                    + d.buckets() * std::mem::size_of::<usize>()
                    + d.len() * node
                    + extra
            }
        }
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<LpItem<'_>> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let f = lp.find(lp.first(), field, 1)?;
                lp.next(f).map(|v| lp.get(v))
            }
            Repr::Table(d) => d.get(field).map(|v| LpItem::Str(v.as_bytes())),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Every `(field, value)` pair: insertion order for a listpack, table order otherwise.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (LpItem<'_>, LpItem<'_>)> + '_> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let mut it = lp.iter();
                Box::new(std::iter::from_fn(move || Some((it.next()?, it.next()?))))
            }
            Repr::Table(d) => Box::new(
                d.iter()
                    .map(|(k, v)| (LpItem::Str(k.as_bytes()), LpItem::Str(v.as_bytes()))),
            ),
        }
    }

    /// Converts a listpack to a hashtable before a write whose arguments `items` (fields and
    /// values) include one longer than `hash-max-listpack-value`, or could push the listpack
    /// past its safety size (Redis's `hashTypeTryConversion`).
    pub fn try_conversion(&mut self, items: &[&[u8]], enc: &Encodings) {
        let Repr::Listpack(lp) = &self.repr else {
            return;
        };
        let mut sum = 0usize;
        let mut convert = false;
        for item in items {
            if item.len() > enc.hash_max_listpack_value {
                convert = true;
                break;
            }
            sum = sum.saturating_add(item.len());
        }
        if convert || lp.bytes_len().saturating_add(sum) > LISTPACK_MAX_SAFETY_SIZE {
            self.convert();
        }
    }

    /// Sets `field` to `value`; returns true if the field existed (an update). Converts to a
    /// hashtable first when `field` or `value` is too long for a listpack, and after the
    /// insertion when the listpack holds too many fields (Redis's `hashTypeSet`).
    pub fn set(&mut self, field: &[u8], value: &[u8], enc: &Encodings) -> bool {
        if matches!(self.repr, Repr::Listpack(_))
            && (field.len() > enc.hash_max_listpack_value
                || value.len() > enc.hash_max_listpack_value)
        {
            self.convert();
        }
        match &mut self.repr {
            Repr::Listpack(lp) => {
                let existing = lp.find(lp.first(), field, 1).and_then(|f| lp.next(f));
                let updated = match existing {
                    Some(v) => {
                        lp.replace(v, value);
                        true
                    }
                    None => {
                        lp.push_back(field);
                        lp.push_back(value);
                        false
                    }
                };
                if lp.len() / 2 > enc.hash_max_listpack_entries {
                    self.convert();
                }
                updated
            }
            Repr::Table(d) => match d.get_mut(field) {
                Some(v) => {
                    *v = Key::new(value);
                    true
                }
                None => {
                    d.insert_new(Key::new(field), Key::new(value));
                    false
                }
            },
        }
    }

    /// Removes `field`; returns whether it was there.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(lp) => match lp.find(lp.first(), field, 1) {
                Some(f) => {
                    lp.delete_range(f, 2);
                    true
                }
                None => false,
            },
            Repr::Table(d) => {
                let found = d.remove(field).is_some();
                if found {
                    d.shrink_if_needed();
                }
                found
            }
        }
    }

    /// Converts a listpack to a hashtable (never the other way).
    fn convert(&mut self) {
        let Repr::Listpack(lp) = &self.repr else {
            return;
        };
        let mut d = Dict::new();
        let mut it = lp.iter();
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            d.insert_new(item_key(f), item_key(v));
        }
        while d.rehash_steps(1024) {}
        self.repr = Repr::Table(Box::new(d));
    }

    /// Gives a listpack's spare capacity back after a write, as Redis reallocates a listpack
    /// to its exact size on every change (a `Vec` grows by doubling, which would cost a small
    /// hash up to twice its size). Cloning allocates exactly the bytes in use.
    // Until `Listpack` has a `shrink_to_fit`, a clone is the way to an exact allocation.
    fn shrink(&mut self) {
        if let Repr::Listpack(lp) = &mut self.repr {
            *lp = lp.clone();
        }
    }

    /// A step of the table's incremental rehash, as Redis does on every lookup, so a hash that
    /// is only read after growing still finishes rehashing.
    fn rehash_step(&mut self) {
        if let Repr::Table(d) = &mut self.repr {
            if d.is_rehashing() {
                d.rehash_steps(1);
            }
        }
    }

    /// A random pair, every field equally likely (near enough for a big hashtable).
    fn random_pair(&self, rng: &mut Rng) -> Option<(LpItem<'_>, LpItem<'_>)> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let f = lp.seek(2 * rng.below(n as u64) as isize)?;
                Some((lp.get(f), lp.get(lp.next(f)?)))
            }
            Repr::Table(d) => fair_random(d, rng),
        }
    }
}

/// A random entry of a table, chosen uniformly among about [`FAIR_SAMPLE`] entries gathered
/// from consecutive buckets at a random cursor (Redis's `dictGetFairRandomKey`).
fn fair_random<'d>(d: &'d Dict<Key>, rng: &mut Rng) -> Option<(LpItem<'d>, LpItem<'d>)> {
    let n = d.len();
    if n == 0 {
        return None;
    }
    if n <= FAIR_SAMPLE {
        // A small table: the sample would be everything anyway.
        let i = rng.below(n as u64) as usize;
        return d
            .iter()
            .nth(i)
            .map(|(k, v)| (LpItem::Str(k.as_bytes()), LpItem::Str(v.as_bytes())));
    }
    // Copies of the sampled field names: the scan callback's references cannot outlive it,
    // so the pick is looked up again afterwards.
    let mut sample: Vec<Key> = Vec::with_capacity(FAIR_SAMPLE * 2);
    let mut cursor = rng.next_u64();
    let mut wrapped = false;
    while sample.len() < FAIR_SAMPLE {
        cursor = d.scan(cursor, |k, _| sample.push(k.clone()));
        if cursor == 0 {
            if wrapped {
                break;
            }
            wrapped = true;
        }
    }
    let pick = &sample[rng.below(sample.len() as u64) as usize];
    d.get_key_value(pick.as_bytes())
        .map(|(k, v)| (LpItem::Str(k.as_bytes()), LpItem::Str(v.as_bytes())))
}

/// A listpack element as an owned [`Key`] (integers in decimal).
fn item_key(item: LpItem<'_>) -> Key {
    match item {
        LpItem::Str(s) => Key::new(s),
        LpItem::Int(v) => {
            let mut buf = [0u8; 20];
            Key::new(fmt_i64(v, &mut buf))
        }
    }
}

/// The decimal form of `v` in `buf`.
fn fmt_i64(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Writes an element as a bulk string.
fn reply_item(out: &mut RespWriter, item: LpItem<'_>) {
    match item {
        LpItem::Str(s) => out.bulk(s),
        LpItem::Int(v) => out.bulk_int(v),
    }
}

// ---------------------------------------------------------------------------------------------
// Lookups

/// Read lookup (counts a hit or a miss): `None` for a missing key, WRONGTYPE for another type.
fn read_hash<'d>(db: &'d mut Db, key: &[u8], now: i64) -> Result<Option<&'d mut Hash>, OpError> {
    match db.get(key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::Hash(h) => {
                h.rehash_step();
                Ok(Some(h))
            }
            _ => Err(OpError::WrongType),
        },
    }
}

/// Runs `f` on the hash at `key`, or on a new empty hash that is stored afterwards if `f`
/// succeeded and left it non-empty (Redis's `hashTypeLookupWriteOrCreate`). Another type is
/// WRONGTYPE before `f` runs; `f` must fail before it changes anything.
fn write_hash<T>(
    db: &mut Db,
    key: &[u8],
    now: i64,
    f: impl FnOnce(&mut Hash) -> Result<T, OpError>,
) -> Result<T, OpError> {
    match db.get_mut(key, now) {
        Some(e) => match &mut e.value {
            Value::Hash(h) => {
                h.rehash_step();
                let out = f(h)?;
                h.shrink();
                Ok(out)
            }
            _ => Err(OpError::WrongType),
        },
        None => {
            let mut h = Hash::new();
            let out = f(&mut h)?;
            h.shrink();
            if !h.is_empty() {
                db.insert_new(key, Value::Hash(h), now);
            }
            Ok(out)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writes

/// `HSET key field value [field value ...]`: replies with the number of new fields.
pub fn hset(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let created = set_pairs(sh, cx, a)?;
    cx.out.int(created);
    Ok(())
}

/// `HMSET key field value [field value ...]`: HSET replying `+OK`.
pub fn hmset(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    set_pairs(sh, cx, a)?;
    cx.out.ok();
    Ok(())
}

/// The shared body of HSET and HMSET; returns how many fields were new.
fn set_pairs(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> Result<i64, OpError> {
    if !a.len().is_multiple_of(2) {
        return Err(OpError::WrongArity);
    }
    let enc = sh.config.encodings;
    let created = write_hash(sh.db(cx.db), a[1], cx.now_ms, |h| {
        h.try_conversion(&a[2..], &enc);
        let mut created = 0;
        for pair in a[2..].chunks_exact(2) {
            if !h.set(pair[0], pair[1], &enc) {
                created += 1;
            }
        }
        Ok(created)
    })?;
    // Redis counts every pair written, updates included.
    sh.dirty += (a.len() as u64 - 2) / 2;
    Ok(created)
}

/// `HSETNX key field value`: 1 if the field was set, 0 if it already existed.
pub fn hsetnx(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let enc = sh.config.encodings;
    let set = write_hash(sh.db(cx.db), a[1], cx.now_ms, |h| {
        if h.contains(a[2]) {
            return Ok(false);
        }
        h.try_conversion(&a[2..4], &enc);
        h.set(a[2], a[3], &enc);
        Ok(true)
    })?;
    if set {
        sh.dirty += 1;
    }
    cx.out.int(i64::from(set));
    Ok(())
}

/// `HDEL key field [field ...]`: replies with the number of fields removed; the key goes with
/// the last field.
pub fn hdel(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let db = sh.db(cx.db);
    let (deleted, emptied) = match db.get_mut(a[1], cx.now_ms) {
        None => (0, false),
        Some(e) => {
            let Value::Hash(h) = &mut e.value else {
                return Err(OpError::WrongType);
            };
            let mut deleted = 0u64;
            for field in &a[2..] {
                if h.delete(field) {
                    deleted += 1;
                    if h.is_empty() {
                        break;
                    }
                }
            }
            if deleted > 0 {
                h.shrink();
            }
            (deleted, h.is_empty())
        }
    };
    if emptied {
        db.delete(a[1]);
    }
    sh.dirty += deleted;
    cx.out.int(deleted as i64);
    Ok(())
}

/// `HINCRBY key field increment`
pub fn hincrby(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let incr = args::int(a[3])?;
    let enc = sh.config.encodings;
    let value = write_hash(sh.db(cx.db), a[1], cx.now_ms, |h| {
        let old = match h.get(a[2]) {
            None => 0,
            Some(LpItem::Int(v)) => v,
            Some(LpItem::Str(s)) => {
                parse_i64_strict(s).ok_or_else(|| OpError::msg(HASH_NOT_INTEGER))?
            }
        };
        let new = old.checked_add(incr).ok_or(OpError::msg(OVERFLOW))?;
        let mut buf = [0u8; 20];
        h.set(a[2], fmt_i64(new, &mut buf), &enc);
        Ok(new)
    })?;
    sh.dirty += 1;
    cx.out.int(value);
    Ok(())
}

/// `HINCRBYFLOAT key field increment`: computed in extended precision and stored as the
/// string replied, as Redis does (see [`crate::longdouble`]).
pub fn hincrbyfloat(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let incr = LongDouble::parse(a[3]).ok_or(OpError::NotFloat)?;
    if !incr.is_finite() {
        return Err(OpError::msg(INCR_NAN_OR_INF));
    }
    let enc = sh.config.encodings;
    let text = write_hash(sh.db(cx.db), a[1], cx.now_ms, |h| {
        let old = match h.get(a[2]) {
            None => LongDouble::ZERO,
            Some(LpItem::Int(v)) => LongDouble::from_i64(v),
            Some(LpItem::Str(s)) => {
                LongDouble::parse(s).ok_or_else(|| OpError::msg(HASH_NOT_FLOAT))?
            }
        };
        let sum = old + incr;
        if !sum.is_finite() {
            return Err(OpError::msg(NAN_OR_INF));
        }
        let text = sum.to_human_string();
        h.set(a[2], text.as_bytes(), &enc);
        Ok(text)
    })?;
    sh.dirty += 1;
    cx.out.bulk(text.as_bytes());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reads

/// `HGET key field`
pub fn hget(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    match read_hash(sh.db(cx.db), a[1], cx.now_ms)?.and_then(|h| h.get(a[2])) {
        Some(v) => reply_item(cx.out, v),
        None => cx.out.null(),
    }
    Ok(())
}

/// `HMGET key field [field ...]`: a missing key is an empty hash.
pub fn hmget(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let h = read_hash(sh.db(cx.db), a[1], cx.now_ms)?;
    cx.out.array(a.len() - 2);
    for field in &a[2..] {
        match h.as_ref().and_then(|h| h.get(field)) {
            Some(v) => reply_item(cx.out, v),
            None => cx.out.null(),
        }
    }
    Ok(())
}

/// `HEXISTS key field`
pub fn hexists(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let h = read_hash(sh.db(cx.db), a[1], cx.now_ms)?;
    let found = h.is_some_and(|h| h.contains(a[2]));
    cx.out.int(i64::from(found));
    Ok(())
}

/// `HLEN key`
pub fn hlen(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let h = read_hash(sh.db(cx.db), a[1], cx.now_ms)?;
    cx.out.int(h.map_or(0, |h| h.len() as i64));
    Ok(())
}

/// `HSTRLEN key field`: 0 for a missing field or key.
pub fn hstrlen(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let h = read_hash(sh.db(cx.db), a[1], cx.now_ms)?;
    let len = h.and_then(|h| h.get(a[2])).map_or(0, LpItem::str_len);
    cx.out.int(len as i64);
    Ok(())
}

/// Which halves of the pairs HKEYS/HVALS/HGETALL reply with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Halves {
    Fields,
    Values,
    Both,
}

/// `HKEYS key`
pub fn hkeys(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    get_all(sh, cx, a, Halves::Fields)
}

/// `HVALS key`
pub fn hvals(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    get_all(sh, cx, a, Halves::Values)
}

/// `HGETALL key`: a map in RESP3, a flat array in RESP2.
pub fn hgetall(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    get_all(sh, cx, a, Halves::Both)
}

fn get_all(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], halves: Halves) -> OpResult {
    let h = read_hash(sh.db(cx.db), a[1], cx.now_ms)?;
    let len = h.as_ref().map_or(0, |h| h.len());
    if halves == Halves::Both {
        cx.out.map(len);
    } else {
        cx.out.array(len);
    }
    if let Some(h) = h {
        for (f, v) in h.iter() {
            if halves != Halves::Values {
                reply_item(cx.out, f);
            }
            if halves != Halves::Fields {
                reply_item(cx.out, v);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// HRANDFIELD

/// Database `index` and the shard's random source, borrowed together.
fn db_and_rng(sh: &mut Shard, index: usize) -> (&mut Db, &mut Rng) {
    let last = sh.dbs.len() - 1;
    (&mut sh.dbs[index.min(last)], &mut sh.rng)
}

/// `HRANDFIELD key [count [WITHVALUES]]`
///
/// Without a count: one random field (nil for a missing key). With a count `n`: `n >= 0`
/// gives up to `n` distinct fields, `n < 0` gives `|n|` fields that may repeat; WITHVALUES
/// adds each value (flat in RESP2, `[field, value]` pairs in RESP3).
///
/// Redis would stream a negative count's reply however large; here, when the key exists, a
/// reply that would certainly exceed `proto-max-bulk-len` bytes is refused with
/// `ERR value is out of range` so one command cannot exhaust the shard's memory.
pub fn hrandfield(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    if a.len() == 2 {
        let (db, rng) = db_and_rng(sh, cx.db);
        match read_hash(db, a[1], cx.now_ms)?.and_then(|h| h.random_pair(rng)) {
            Some((f, _)) => reply_item(cx.out, f),
            None => cx.out.null(),
        }
        return Ok(());
    }
    let l = args::int(a[2])?;
    if l == i64::MIN {
        return Err(OpError::msg(COUNT_RANGE));
    }
    if a.len() > 4 || (a.len() == 4 && !args::is(a[3], "WITHVALUES")) {
        return Err(OpError::Syntax);
    }
    let withvalues = a.len() == 4;
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(OpError::msg(OUT_OF_RANGE));
    }
    let count = l.unsigned_abs();
    let unique = l >= 0;
    let per_pick = if withvalues { 2 } else { 1 };
    let reply_cap = sh.config.proto_max_bulk_len;
    let (db, rng) = db_and_rng(sh, cx.db);
    let Some(h) = read_hash(db, a[1], cx.now_ms)? else {
        cx.out.array(0);
        return Ok(());
    };
    if count == 0 {
        cx.out.array(0);
        return Ok(());
    }
    let resp3 = cx.out.is_resp3();
    let out = &mut *cx.out;
    // The reply header for `n` picks, and each pick.
    let header = |out: &mut RespWriter, n: u64| {
        let n = n as usize;
        out.array(if withvalues && !resp3 { n * 2 } else { n });
    };
    let pick = |out: &mut RespWriter, f: LpItem<'_>, v: LpItem<'_>| {
        if withvalues && resp3 {
            out.array(2);
        }
        reply_item(out, f);
        if withvalues {
            reply_item(out, v);
        }
    };
    let size = h.len() as u64;

    // Repetitions allowed (or a single field): independent picks, in random order.
    if !unique || count == 1 {
        if count.saturating_mul(per_pick * MIN_BULK_REPLY) > reply_cap {
            return Err(OpError::msg(OUT_OF_RANGE));
        }
        header(out, count);
        match &h.repr {
            Repr::Listpack(lp) => {
                let fields: Vec<usize> = lp.offsets().step_by(2).collect();
                for _ in 0..count {
                    let f = fields[rng.below(fields.len() as u64) as usize];
                    let v = lp.next(f).unwrap_or(f);
                    pick(out, lp.get(f), lp.get(v));
                }
            }
            Repr::Table(d) => {
                for _ in 0..count {
                    if let Some((f, v)) = fair_random(d, rng) {
                        pick(out, f, v);
                    }
                }
            }
        }
        return Ok(());
    }

    // At least as many as there are: the whole hash.
    if count >= size {
        header(out, size);
        for (f, v) in h.iter() {
            pick(out, f, v);
        }
        return Ok(());
    }
    header(out, count);

    // Most of the hash: drop random fields until `count` remain.
    if count * SUB_STRATEGY_MUL > size {
        let mut all: Vec<(LpItem<'_>, LpItem<'_>)> = h.iter().collect();
        while all.len() as u64 > count {
            let i = rng.below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        for (f, v) in all {
            pick(out, f, v);
        }
        return Ok(());
    }

    // A small part of a big hash.
    match &h.repr {
        Repr::Listpack(lp) => {
            // One ordered pass, each pair taken with probability needed / remaining.
            let mut needed = count;
            let mut remaining = size;
            let mut it = lp.iter();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                if needed == 0 {
                    break;
                }
                if rng.below(remaining) < needed {
                    pick(out, f, v);
                    needed -= 1;
                }
                remaining -= 1;
            }
        }
        Repr::Table(d) => {
            let mut seen = std::collections::HashSet::with_capacity(count as usize);
            while (seen.len() as u64) < count {
                let Some((f, v)) = fair_random(d, rng) else {
                    break;
                };
                let LpItem::Str(name) = f else { continue };
                if seen.insert(name) {
                    pick(out, f, v);
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// HSCAN

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
///
/// A listpack hash is returned whole with cursor 0, whatever the cursor given. A hashtable is
/// walked from the cursor until about COUNT fields were gathered (at most `COUNT * 20` bucket
/// steps, so a sparse table cannot stall the shard); MATCH filters on field names. The key is
/// looked up before the options are parsed, so a missing key answers an empty scan even with
/// bad options, as in Redis.
pub fn hscan(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let cursor = parse_scan_cursor(a[2])?;
    let Some(h) = read_hash(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.array(2);
        cx.out.bulk(b"0");
        cx.out.array(0);
        return Ok(());
    };
    let mut count: u64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < a.len() {
        let has_value = a.len() - i >= 2;
        if has_value && args::is(a[i], "COUNT") {
            let n = args::int(a[i + 1])?;
            if n < 1 {
                return Err(OpError::Syntax);
            }
            count = n as u64;
        } else if has_value && args::is(a[i], "MATCH") {
            pattern = (a[i + 1] != b"*").then_some(a[i + 1]);
        } else {
            return Err(OpError::Syntax);
        }
        i += 2;
    }
    let keep = |f: &[u8]| pattern.is_none_or(|p| glob_match(p, f, false));
    let out = &mut *cx.out;
    match &h.repr {
        Repr::Listpack(_) => {
            let pairs: Vec<_> = h
                .iter()
                .filter(|(f, _)| match *f {
                    LpItem::Str(s) => keep(s),
                    LpItem::Int(v) => keep(fmt_i64(v, &mut [0u8; 20])),
                })
                .collect();
            out.array(2);
            out.bulk(b"0");
            out.array(pairs.len() * 2);
            for (f, v) in pairs {
                reply_item(out, f);
                reply_item(out, v);
            }
        }
        Repr::Table(d) => {
            // Redis counts fields and values, so its limits are twice the COUNT.
            let limit = count.saturating_mul(2);
            let mut steps_left = limit.saturating_mul(10);
            let mut found: Vec<(Key, Key)> = Vec::new();
            let mut next = cursor;
            loop {
                next = d.scan(next, |f, v| found.push((f.clone(), v.clone())));
                if next == 0 || steps_left == 0 {
                    break;
                }
                steps_left -= 1;
                if found.len() as u64 * 2 >= limit {
                    break;
                }
            }
            found.retain(|(f, _)| keep(f.as_bytes()));
            out.array(2);
            out.bulk(next.to_string().as_bytes());
            out.array(found.len() * 2);
            for (f, v) in &found {
                out.bulk(f.as_bytes());
                out.bulk(v.as_bytes());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{run, run_in};
    use std::collections::{HashMap, HashSet};

    const NOW: i64 = 1_000_000;

    fn bulk(s: &str) -> String {
        format!("${}\r\n{s}\r\n", s.len())
    }

    fn int(n: i64) -> String {
        format!(":{n}\r\n")
    }

    fn err(msg: &str) -> String {
        format!("-{msg}\r\n")
    }

    fn arr(items: &[&str]) -> String {
        let mut s = format!("*{}\r\n", items.len());
        for i in items {
            s += &bulk(i);
        }
        s
    }

    const NIL: &str = "$-1\r\n";
    const OK: &str = "+OK\r\n";

    fn shard() -> Shard {
        Shard::for_tests(NOW)
    }

    fn enc(s: &mut Shard, key: &str) -> String {
        run(s, &["OBJECT", "ENCODING", key])
    }

    /// Splits a flat RESP2 array of bulk strings into its strings.
    fn bulks(reply: &str) -> Vec<String> {
        let mut lines = reply.split("\r\n");
        let head = lines.next().unwrap_or("");
        assert!(head.starts_with('*'), "not an array: {reply:?}");
        let mut out = Vec::new();
        while let Some(l) = lines.next() {
            if l.starts_with('$') {
                out.push(lines.next().unwrap_or("").to_string());
            }
        }
        out
    }

    /// A hash `key` of `n` fields `f0..` with values `v0..`, as a hashtable.
    fn table(s: &mut Shard, key: &str, n: usize) {
        for i in 0..n {
            run(s, &["HSET", key, &format!("f{i}"), &format!("v{i}")]);
        }
        run(s, &["HSET", key, "long", &"x".repeat(100)]);
        run(s, &["HDEL", key, "long"]);
        assert_eq!(enc(s, key), bulk("hashtable"));
    }

    #[test]
    fn set_get_and_reply_shapes() {
        let mut s = shard();
        assert_eq!(
            run(&mut s, &["HSET", "h", "a", "1", "b", "2", "a", "3"]),
            int(2)
        );
        assert_eq!(run(&mut s, &["HSET", "h", "b", "x", "c", "hello"]), int(1));
        assert_eq!(run(&mut s, &["HMSET", "h", "d", "4"]), OK);
        assert_eq!(run(&mut s, &["HGET", "h", "a"]), bulk("3"));
        assert_eq!(run(&mut s, &["HGET", "h", "zz"]), NIL);
        assert_eq!(run(&mut s, &["HGET", "nokey", "a"]), NIL);
        assert_eq!(run_in(&mut s, 0, true, &["HGET", "h", "zz"]), "_\r\n");
        assert_eq!(
            run(&mut s, &["HMGET", "h", "a", "zz", "c"]),
            format!("*3\r\n{}{NIL}{}", bulk("3"), bulk("hello"))
        );
        assert_eq!(
            run(&mut s, &["HMGET", "nokey", "a", "b"]),
            format!("*2\r\n{NIL}{NIL}")
        );
        assert_eq!(
            run_in(&mut s, 0, true, &["HMGET", "nokey", "a"]),
            "*1\r\n_\r\n"
        );
        assert_eq!(run(&mut s, &["HLEN", "h"]), int(4));
        assert_eq!(run(&mut s, &["HLEN", "nokey"]), int(0));
        assert_eq!(run(&mut s, &["HEXISTS", "h", "b"]), int(1));
        assert_eq!(run(&mut s, &["HEXISTS", "h", "q"]), int(0));
        assert_eq!(run(&mut s, &["HEXISTS", "nokey", "q"]), int(0));
        assert_eq!(run(&mut s, &["HSTRLEN", "h", "c"]), int(5));
        assert_eq!(run(&mut s, &["HSTRLEN", "h", "q"]), int(0));
        assert_eq!(run(&mut s, &["HSTRLEN", "nokey", "q"]), int(0));
        // Listpack order is insertion order, updates in place.
        assert_eq!(
            run(&mut s, &["HGETALL", "h"]),
            arr(&["a", "3", "b", "x", "c", "hello", "d", "4"])
        );
        assert_eq!(
            run_in(&mut s, 0, true, &["HGETALL", "h"]),
            format!(
                "%4\r\n{}{}{}{}{}{}{}{}",
                bulk("a"),
                bulk("3"),
                bulk("b"),
                bulk("x"),
                bulk("c"),
                bulk("hello"),
                bulk("d"),
                bulk("4")
            )
        );
        assert_eq!(run(&mut s, &["HKEYS", "h"]), arr(&["a", "b", "c", "d"]));
        assert_eq!(run(&mut s, &["HVALS", "h"]), arr(&["3", "x", "hello", "4"]));
        assert_eq!(run(&mut s, &["HGETALL", "nokey"]), "*0\r\n");
        assert_eq!(run_in(&mut s, 0, true, &["HGETALL", "nokey"]), "%0\r\n");
        assert_eq!(run_in(&mut s, 0, true, &["HKEYS", "nokey"]), "*0\r\n");
        assert_eq!(run(&mut s, &["HVALS", "nokey"]), "*0\r\n");
        assert_eq!(run(&mut s, &["TYPE", "h"]), "+hash\r\n");
        assert_eq!(enc(&mut s, "h"), bulk("listpack"));
    }

    #[test]
    fn hsetnx() {
        let mut s = shard();
        assert_eq!(run(&mut s, &["HSETNX", "h", "a", "1"]), int(1));
        assert_eq!(run(&mut s, &["HSETNX", "h", "a", "2"]), int(0));
        assert_eq!(run(&mut s, &["HGET", "h", "a"]), bulk("1"));
        assert_eq!(run(&mut s, &["HSETNX", "h", "b", "2"]), int(1));
        assert_eq!(run(&mut s, &["HGETALL", "h"]), arr(&["a", "1", "b", "2"]));
        // Against a hashtable too.
        table(&mut s, "t", 3);
        assert_eq!(run(&mut s, &["HSETNX", "t", "f1", "new"]), int(0));
        assert_eq!(run(&mut s, &["HSETNX", "t", "f9", "new"]), int(1));
        assert_eq!(run(&mut s, &["HGET", "t", "f1"]), bulk("v1"));
        assert_eq!(run(&mut s, &["HGET", "t", "f9"]), bulk("new"));
    }

    #[test]
    fn arity_and_wrong_type() {
        let mut s = shard();
        let arity = |c: &str| err(&format!("ERR wrong number of arguments for '{c}' command"));
        assert_eq!(run(&mut s, &["HSET", "h", "a"]), arity("hset"));
        assert_eq!(run(&mut s, &["HSET", "h", "a", "1", "b"]), arity("hset"));
        assert_eq!(run(&mut s, &["HMSET", "h", "a", "1", "b"]), arity("hmset"));
        assert_eq!(run(&mut s, &["HSETNX", "h", "a"]), arity("hsetnx"));
        assert_eq!(run(&mut s, &["HGET", "h"]), arity("hget"));
        assert_eq!(run(&mut s, &["HDEL", "h"]), arity("hdel"));
        assert_eq!(run(&mut s, &["HRANDFIELD"]), arity("hrandfield"));
        assert_eq!(run(&mut s, &["HSCAN", "h"]), arity("hscan"));
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "a", "1", "2"]),
            arity("hincrbyfloat")
        );
        assert_eq!(run(&mut s, &["EXISTS", "h"]), int(0));

        run(&mut s, &["SET", "s", "v"]);
        let wrong = err(crate::error::WRONGTYPE);
        for cmd in [
            &["HSET", "s", "a", "1"][..],
            &["HMSET", "s", "a", "1"],
            &["HSETNX", "s", "a", "1"],
            &["HGET", "s", "a"],
            &["HMGET", "s", "a"],
            &["HDEL", "s", "a"],
            &["HEXISTS", "s", "a"],
            &["HLEN", "s"],
            &["HSTRLEN", "s", "a"],
            &["HKEYS", "s"],
            &["HVALS", "s"],
            &["HGETALL", "s"],
            &["HINCRBY", "s", "a", "1"],
            &["HINCRBYFLOAT", "s", "a", "1"],
            &["HRANDFIELD", "s"],
            &["HRANDFIELD", "s", "1", "WITHVALUES"],
            &["HSCAN", "s", "0"],
            &["HSCAN", "s", "0", "BAD"],
        ] {
            assert_eq!(run(&mut s, cmd), wrong, "{cmd:?}");
        }
        // Argument errors found before the key is looked at.
        assert_eq!(
            run(&mut s, &["HINCRBY", "s", "a", "x"]),
            err(crate::error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "s", "a", "x"]),
            err(crate::error::NOT_FLOAT)
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "s", "x"]),
            err(crate::error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["HSCAN", "s", "x"]),
            err(crate::error::INVALID_CURSOR)
        );
        assert_eq!(run(&mut s, &["HSET", "s", "a"]), arity("hset"));
        assert_eq!(run(&mut s, &["GET", "s"]), bulk("v"));
    }

    #[test]
    fn integers_in_a_listpack_read_back_as_written() {
        let mut s = shard();
        let vals = [
            "-9223372036854775808",
            "9223372036854775807",
            "9223372036854775808",
            "",
            "0",
            "-1",
            "01",
            "-0",
            "4095",
            "-4096",
            "2147483647",
            "+1",
            " 1",
        ];
        for v in vals {
            run(&mut s, &["HSET", "n", v, v]);
            assert_eq!(run(&mut s, &["HGET", "n", v]), bulk(v), "{v:?}");
            assert_eq!(
                run(&mut s, &["HSTRLEN", "n", v]),
                int(v.len() as i64),
                "{v:?}"
            );
        }
        let all: Vec<&str> = vals.iter().flat_map(|v| [*v, *v]).collect();
        assert_eq!(run(&mut s, &["HGETALL", "n"]), arr(&all));
        assert_eq!(enc(&mut s, "n"), bulk("listpack"));
        // "1" finds the integer field, "01" the string one.
        assert_eq!(run(&mut s, &["HSET", "m", "1", "a", "01", "b"]), int(2));
        assert_eq!(run(&mut s, &["HGET", "m", "1"]), bulk("a"));
        assert_eq!(run(&mut s, &["HGET", "m", "01"]), bulk("b"));
        // A value equal to a field name is not mistaken for a field.
        assert_eq!(run(&mut s, &["HSET", "p", "x", "y", "y", "z"]), int(2));
        assert_eq!(run(&mut s, &["HGET", "p", "y"]), bulk("z"));
        assert_eq!(run(&mut s, &["HDEL", "p", "z"]), int(0));
    }

    #[test]
    fn converts_on_long_fields_and_values() {
        let mut s = shard();
        let l64 = "x".repeat(64);
        let l65 = "y".repeat(65);
        run(&mut s, &["HSET", "a", "f", &l64]);
        assert_eq!(enc(&mut s, "a"), bulk("listpack"));
        run(&mut s, &["HSET", "a", "g", &l65]);
        assert_eq!(enc(&mut s, "a"), bulk("hashtable"));
        assert_eq!(run(&mut s, &["HGET", "a", "g"]), bulk(&l65));
        assert_eq!(run(&mut s, &["HGET", "a", "f"]), bulk(&l64));
        run(&mut s, &["HSET", "b", &l65, "1"]);
        assert_eq!(enc(&mut s, "b"), bulk("hashtable"));
        // Every argument of HSET is checked before inserting.
        run(&mut s, &["HSET", "c", "x", "1", "y", &l65]);
        assert_eq!(enc(&mut s, "c"), bulk("hashtable"));
        // HSETNX on an existing field changes nothing, encoding included.
        run(&mut s, &["HSET", "d", "x", "1"]);
        assert_eq!(run(&mut s, &["HSETNX", "d", "x", &l65]), int(0));
        assert_eq!(enc(&mut s, "d"), bulk("listpack"));
        assert_eq!(run(&mut s, &["HSETNX", "d", "z", &l65]), int(1));
        assert_eq!(enc(&mut s, "d"), bulk("hashtable"));
        // Never back, even when small again.
        assert_eq!(run(&mut s, &["HDEL", "d", "z"]), int(1));
        assert_eq!(enc(&mut s, "d"), bulk("hashtable"));
        // HINCRBY checks the field's length, HINCRBYFLOAT the new value's.
        run(&mut s, &["HINCRBY", "e", &"f".repeat(65), "1"]);
        assert_eq!(enc(&mut s, "e"), bulk("hashtable"));
        s.config.encodings.hash_max_listpack_value = 8;
        run(&mut s, &["HSET", "small", "tmp", "0"]);
        run(&mut s, &["HSET", "big", "tmp", "0"]);
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "small", "tmp", "0.000005"]),
            bulk("0.000005")
        );
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "big", "tmp", "0.0000005"]),
            bulk("0.0000005")
        );
        assert_eq!(enc(&mut s, "small"), bulk("listpack"));
        assert_eq!(enc(&mut s, "big"), bulk("hashtable"));
        run(&mut s, &["HINCRBYFLOAT", "s2", "abcdefgh", "1"]);
        run(&mut s, &["HINCRBYFLOAT", "b2", "abcdefghi", "1"]);
        assert_eq!(enc(&mut s, "s2"), bulk("listpack"));
        assert_eq!(enc(&mut s, "b2"), bulk("hashtable"));
        run(&mut s, &["HINCRBY", "s3", "f", "123456789"]);
        assert_eq!(enc(&mut s, "s3"), bulk("hashtable"));
    }

    #[test]
    fn converts_past_the_entry_limit() {
        let mut s = shard();
        s.config.encodings.hash_max_listpack_entries = 4;
        run(
            &mut s,
            &["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"],
        );
        assert_eq!(enc(&mut s, "h"), bulk("listpack"));
        run(&mut s, &["HSET", "h", "a", "5"]);
        assert_eq!(enc(&mut s, "h"), bulk("listpack"));
        assert_eq!(run(&mut s, &["HSETNX", "h", "e", "5"]), int(1));
        assert_eq!(enc(&mut s, "h"), bulk("hashtable"));
        assert_eq!(run(&mut s, &["HLEN", "h"]), int(5));
        assert_eq!(
            run(&mut s, &["HMGET", "h", "a", "b", "c", "d", "e"]),
            arr(&["5", "2", "3", "4", "5"])
        );
        // One HSET crossing the limit converts midway and keeps every pair.
        assert_eq!(
            run(
                &mut s,
                &["HSET", "k", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "a", "9"]
            ),
            int(5)
        );
        assert_eq!(enc(&mut s, "k"), bulk("hashtable"));
        assert_eq!(run(&mut s, &["HGET", "k", "a"]), bulk("9"));
        assert_eq!(run(&mut s, &["HLEN", "k"]), int(5));
        // A limit of zero: every hash is a hashtable.
        s.config.encodings.hash_max_listpack_entries = 0;
        for cmd in [
            &["HSET", "z", "a", "1"][..],
            &["HSETNX", "z2", "a", "1"],
            &["HINCRBY", "z3", "a", "1"],
            &["HINCRBYFLOAT", "z4", "a", "1"],
        ] {
            run(&mut s, cmd);
            assert_eq!(enc(&mut s, cmd[1]), bulk("hashtable"), "{cmd:?}");
        }
    }

    #[test]
    fn hdel_and_empty_hashes() {
        let mut s = shard();
        run(&mut s, &["HMSET", "h", "a", "1", "b", "2", "c", "3"]);
        assert_eq!(run(&mut s, &["HDEL", "h", "x", "y"]), int(0));
        assert_eq!(run(&mut s, &["HDEL", "h", "a", "c", "f"]), int(2));
        assert_eq!(run(&mut s, &["HGETALL", "h"]), arr(&["b", "2"]));
        assert_eq!(run(&mut s, &["HDEL", "h", "b", "b"]), int(1));
        assert_eq!(run(&mut s, &["EXISTS", "h"]), int(0));
        assert_eq!(run(&mut s, &["HDEL", "h", "b"]), int(0));
        assert_eq!(run(&mut s, &["HDEL", "nokey", "a"]), int(0));
        table(&mut s, "t", 3);
        assert_eq!(run(&mut s, &["HDEL", "t", "f0", "f1", "f2", "f3"]), int(3));
        assert_eq!(run(&mut s, &["EXISTS", "t"]), int(0));
        // A big table shrinks as it empties and stays correct.
        for i in 0..2000 {
            run(&mut s, &["HSET", "big", &format!("f{i}"), "v"]);
        }
        for i in 0..1990 {
            assert_eq!(run(&mut s, &["HDEL", "big", &format!("f{i}")]), int(1));
        }
        assert_eq!(run(&mut s, &["HLEN", "big"]), int(10));
        assert_eq!(run(&mut s, &["HGET", "big", "f1995"]), bulk("v"));
    }

    #[test]
    fn dirty_ttl_and_stats() {
        let mut s = shard();
        run(&mut s, &["HSET", "h", "a", "1", "b", "2"]);
        assert_eq!(s.dirty, 2);
        run(&mut s, &["HSET", "h", "a", "1"]); // an update still counts
        assert_eq!(s.dirty, 3);
        run(&mut s, &["HSETNX", "h", "a", "1"]);
        assert_eq!(s.dirty, 3);
        run(&mut s, &["HSETNX", "h", "c", "1"]);
        assert_eq!(s.dirty, 4);
        run(&mut s, &["HDEL", "h", "a", "zz", "b"]);
        assert_eq!(s.dirty, 6);
        run(&mut s, &["HINCRBY", "h", "n", "1"]);
        run(&mut s, &["HINCRBYFLOAT", "h", "n", "1"]);
        assert_eq!(s.dirty, 8);
        run(&mut s, &["HINCRBY", "h", "c", "x"]);
        assert_eq!(s.dirty, 8);
        // Writes keep the TTL.
        run(&mut s, &["PEXPIRE", "h", "5000"]);
        run(&mut s, &["HSET", "h", "z", "1"]);
        run(&mut s, &["HINCRBY", "h", "n", "1"]);
        assert_eq!(run(&mut s, &["PTTL", "h"]), int(5000));
        // An expired hash is gone for reads and recreated without TTL by writes.
        s.clock.advance(5000);
        assert_eq!(run(&mut s, &["HLEN", "h"]), int(0));
        run(&mut s, &["HSET", "h", "a", "1"]);
        assert_eq!(run(&mut s, &["PTTL", "h"]), int(-1));
        let before = s.dbs[0].stats;
        run(&mut s, &["HGET", "h", "a"]);
        run(&mut s, &["HGET", "missing", "a"]);
        assert_eq!(s.dbs[0].stats.keyspace_hits, before.keyspace_hits + 1);
        assert_eq!(s.dbs[0].stats.keyspace_misses, before.keyspace_misses + 1);
    }

    #[test]
    fn hincrby() {
        let mut s = shard();
        assert_eq!(run(&mut s, &["HINCRBY", "h", "a", "2"]), int(2));
        assert_eq!(run(&mut s, &["HINCRBY", "h", "a", "-5"]), int(-3));
        assert_eq!(run(&mut s, &["HGET", "h", "a"]), bulk("-3"));
        run(
            &mut s,
            &[
                "HSET", "h", "s", " 11", "t", "11 ", "u", "abc", "z", "01", "f", "1.5",
            ],
        );
        for field in ["s", "t", "u", "z", "f"] {
            assert_eq!(
                run(&mut s, &["HINCRBY", "h", field, "1"]),
                err("ERR hash value is not an integer"),
                "{field}"
            );
        }
        run(
            &mut s,
            &[
                "HSET",
                "h",
                "n",
                "-9223372036854775484",
                "m",
                "9223372036854775807",
            ],
        );
        assert_eq!(
            run(&mut s, &["HINCRBY", "h", "n", "-1"]),
            int(-9223372036854775485)
        );
        assert_eq!(
            run(&mut s, &["HINCRBY", "h", "n", "-10000"]),
            err("ERR increment or decrement would overflow")
        );
        assert_eq!(
            run(&mut s, &["HINCRBY", "h", "m", "1"]),
            err("ERR increment or decrement would overflow")
        );
        assert_eq!(run(&mut s, &["HINCRBY", "h", "m", "0"]), int(i64::MAX));
        assert_eq!(
            run(&mut s, &["HINCRBY", "h", "x", "-9223372036854775808"]),
            int(i64::MIN)
        );
        for bad in ["x", "1.5", "9223372036854775808", "", " 1"] {
            assert_eq!(
                run(&mut s, &["HINCRBY", "h", "a", bad]),
                err(crate::error::NOT_INTEGER)
            );
        }
        assert_eq!(
            run(&mut s, &["HINCRBY", "nokey", "a", "x"]),
            err(crate::error::NOT_INTEGER)
        );
        assert_eq!(run(&mut s, &["EXISTS", "nokey"]), int(0));
        // Hashtable values are strings; over 32 bits.
        table(&mut s, "t", 2);
        run(&mut s, &["HSET", "t", "big", "17179869184"]);
        assert_eq!(
            run(&mut s, &["HINCRBY", "t", "big", "17179869184"]),
            int(34359738368)
        );
        assert_eq!(
            run(&mut s, &["HINCRBY", "t", "f0", "1"]),
            err("ERR hash value is not an integer")
        );
        assert_eq!(run(&mut s, &["HINCRBY", "t", "new", "7"]), int(7));
    }

    #[test]
    fn hincrbyfloat() {
        let mut s = shard();
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "f", "1.23"]),
            bulk("1.23")
        );
        assert_eq!(run(&mut s, &["HINCRBYFLOAT", "h", "f", "0.77"]), bulk("2"));
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "f", "-0.1"]),
            bulk("1.9")
        );
        assert_eq!(run(&mut s, &["HINCRBYFLOAT", "h", "z", "0.1"]), bulk("0.1"));
        assert_eq!(run(&mut s, &["HINCRBYFLOAT", "h", "z", "0.2"]), bulk("0.3"));
        assert_eq!(run(&mut s, &["HINCRBYFLOAT", "h", "z", "-0.3"]), bulk("0"));
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "w", "5.0e3"]),
            bulk("5000")
        );
        run(
            &mut s,
            &[
                "HSET", "h", "i", "100", "e", "1.5e3", "x", "0x10", "big", "1e4932",
            ],
        );
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "i", "2.5"]),
            bulk("102.5")
        );
        assert_eq!(run(&mut s, &["HINCRBYFLOAT", "h", "e", "1"]), bulk("1501"));
        assert_eq!(run(&mut s, &["HINCRBYFLOAT", "h", "x", "1"]), bulk("17"));
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "big", "1e4932"]),
            err("ERR increment would produce NaN or Infinity")
        );
        run(
            &mut s,
            &[
                "HSET", "h", "s", " 11", "t", "11 ", "n", "1\u{0}2", "inf", "inf",
            ],
        );
        for field in ["s", "t", "n"] {
            assert_eq!(
                run(&mut s, &["HINCRBYFLOAT", "h", field, "1"]),
                err("ERR hash value is not a float"),
                "{field}"
            );
        }
        assert_eq!(
            run(&mut s, &["HINCRBYFLOAT", "h", "inf", "1"]),
            err("ERR increment would produce NaN or Infinity")
        );
        for bad in ["+inf", "-inf", "inf"] {
            assert_eq!(
                run(&mut s, &["HINCRBYFLOAT", "hfoo", "f", bad]),
                err("ERR value is NaN or Infinity")
            );
        }
        assert_eq!(run(&mut s, &["EXISTS", "hfoo"]), int(0));
        for bad in ["abc", "", " 1", "nan", "1e-5000"] {
            assert_eq!(
                run(&mut s, &["HINCRBYFLOAT", "h", "i", bad]),
                err(crate::error::NOT_FLOAT)
            );
        }
        assert_eq!(run(&mut s, &["HGET", "h", "i"]), bulk("102.5"));
        assert_eq!(
            run_in(&mut s, 0, true, &["HINCRBYFLOAT", "h", "i", "1"]),
            bulk("103.5")
        );
    }

    #[test]
    fn hrandfield_arguments_and_shapes() {
        let mut s = shard();
        run(&mut s, &["HSET", "h", "a", "1", "b", "2", "c", "3"]);
        assert_eq!(run(&mut s, &["HRANDFIELD", "nokey"]), NIL);
        assert_eq!(run_in(&mut s, 0, true, &["HRANDFIELD", "nokey"]), "_\r\n");
        assert_eq!(run(&mut s, &["HRANDFIELD", "nokey", "100"]), "*0\r\n");
        assert_eq!(
            run_in(
                &mut s,
                0,
                true,
                &["HRANDFIELD", "nokey", "-5", "WITHVALUES"]
            ),
            "*0\r\n"
        );
        assert_eq!(run(&mut s, &["HRANDFIELD", "h", "0"]), "*0\r\n");
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "3"]),
            arr(&["a", "b", "c"])
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "4", "withvalues"]),
            arr(&["a", "1", "b", "2", "c", "3"])
        );
        let pair = |f: &str, v: &str| format!("*2\r\n{}{}", bulk(f), bulk(v));
        assert_eq!(
            run_in(&mut s, 0, true, &["HRANDFIELD", "h", "4", "WITHVALUES"]),
            format!(
                "*3\r\n{}{}{}",
                pair("a", "1"),
                pair("b", "2"),
                pair("c", "3")
            )
        );
        let range = err(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "-9223372036854775808"]),
            range
        );
        assert_eq!(
            run(
                &mut s,
                &["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"]
            ),
            range
        );
        let out = err("ERR value is out of range");
        assert_eq!(
            run(
                &mut s,
                &["HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"]
            ),
            out
        );
        assert_eq!(
            run(
                &mut s,
                &["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"]
            ),
            out
        );
        assert_eq!(
            run(
                &mut s,
                &["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"]
            ),
            out
        );
        assert_eq!(
            run(
                &mut s,
                &["HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"]
            ),
            arr(&["a", "1", "b", "2", "c", "3"])
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "9223372036854775807"]),
            arr(&["a", "b", "c"])
        );
        // A negative count whose reply could not fit proto-max-bulk-len is refused.
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "-9223372036854775807"]),
            out
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "nokey", "-9223372036854775807"]),
            "*0\r\n"
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "x"]),
            err(crate::error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "3", "WITHVALUE"]),
            err(crate::error::SYNTAX)
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "h", "3", "WITHVALUES", "x"]),
            err(crate::error::SYNTAX)
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "nokey", "1", "bad"]),
            err(crate::error::SYNTAX)
        );
        // A single field: every shape is deterministic.
        run(&mut s, &["HSET", "one", "f", "v"]);
        assert_eq!(run(&mut s, &["HRANDFIELD", "one"]), bulk("f"));
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "one", "-3"]),
            arr(&["f", "f", "f"])
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "one", "-2", "WITHVALUES"]),
            arr(&["f", "v", "f", "v"])
        );
        assert_eq!(
            run_in(&mut s, 0, true, &["HRANDFIELD", "one", "-2", "WITHVALUES"]),
            format!("*2\r\n{}{}", pair("f", "v"), pair("f", "v"))
        );
        assert_eq!(
            run(&mut s, &["HRANDFIELD", "one", "1", "WITHVALUES"]),
            arr(&["f", "v"])
        );
        assert_eq!(
            run_in(&mut s, 0, true, &["HRANDFIELD", "one", "1", "WITHVALUES"]),
            format!("*1\r\n{}", pair("f", "v"))
        );
        assert_eq!(
            run_in(&mut s, 0, true, &["HRANDFIELD", "one", "-1"]),
            arr(&["f"])
        );
    }

    /// Pearson's chi-square statistic of `picks` over `n` equally likely outcomes.
    fn chi_square(picks: &[String], n: usize) -> f64 {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in picks {
            *counts.entry(p).or_default() += 1;
        }
        assert_eq!(counts.len(), n, "not every field came up");
        let expected = picks.len() as f64 / n as f64;
        counts
            .values()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum()
    }

    /// The checks of Redis's own HRANDFIELD test, for both encodings: every path of the
    /// algorithm, membership, values matching fields, distinctness and a uniform spread.
    #[test]
    fn hrandfield_paths_on_both_encodings() {
        for encoding in ["listpack", "hashtable"] {
            let mut s = shard();
            if encoding == "listpack" {
                for i in 0..10 {
                    run(&mut s, &["HSET", "h", &format!("f{i}"), &format!("v{i}")]);
                }
            } else {
                table(&mut s, "h", 10);
            }
            assert_eq!(enc(&mut s, "h"), bulk(encoding));
            let check_pairs = |items: &[String]| {
                for p in items.chunks(2) {
                    assert_eq!(p[0].replace('f', "v"), p[1], "{encoding}");
                }
            };
            // Negative counts repeat.
            let res = bulks(&run(&mut s, &["HRANDFIELD", "h", "-1001"]));
            assert_eq!(res.len(), 1001);
            let res = bulks(&run(&mut s, &["HRANDFIELD", "h", "-1001", "WITHVALUES"]));
            assert_eq!(res.len(), 2002);
            check_pairs(&res);
            let res = bulks(&run(&mut s, &["HRANDFIELD", "h", "-1000"]));
            assert!(chi_square(&res, 10) < 40.0, "{encoding}: biased");
            // No count: uniform too.
            let singles: Vec<String> = (0..1000)
                .map(|_| bulks(&format!("*1\r\n{}", run(&mut s, &["HRANDFIELD", "h"])))[0].clone())
                .collect();
            assert!(chi_square(&singles, 10) < 40.0, "{encoding}: biased");
            // Positive counts: distinct fields (the whole hash, most of it, a little of it).
            for size in [10usize, 20, 8, 2] {
                let mut all = Vec::new();
                for _ in 0..(1000 / size).max(50) {
                    let res = bulks(&run(&mut s, &["HRANDFIELD", "h", &size.to_string()]));
                    assert_eq!(res.len(), size.min(10));
                    assert_eq!(res.iter().collect::<HashSet<_>>().len(), res.len());
                    all.extend(res);
                    let res = bulks(&run(
                        &mut s,
                        &["HRANDFIELD", "h", &size.to_string(), "WITHVALUES"],
                    ));
                    assert_eq!(res.len(), 2 * size.min(10));
                    check_pairs(&res);
                }
                if size < 10 {
                    assert!(chi_square(&all, 10) < 40.0, "{encoding} {size}: biased");
                }
            }
            // RESP3 pairs.
            let res = run_in(&mut s, 0, true, &["HRANDFIELD", "h", "3", "WITHVALUES"]);
            assert!(res.starts_with("*3\r\n*2\r\n$"), "{res:?}");
            let res = run_in(&mut s, 0, true, &["HRANDFIELD", "h", "-3", "WITHVALUES"]);
            assert!(res.starts_with("*3\r\n*2\r\n$"), "{res:?}");
            let res = run_in(&mut s, 0, true, &["HRANDFIELD", "h", "3"]);
            assert!(res.starts_with("*3\r\n$"), "{res:?}");
        }
    }

    #[test]
    fn hrandfield_on_a_big_table() {
        let mut s = shard();
        for i in 0..3000 {
            run(&mut s, &["HSET", "h", &format!("f{i}"), &format!("v{i}")]);
        }
        let res = bulks(&run(&mut s, &["HRANDFIELD", "h", "100", "WITHVALUES"]));
        assert_eq!(res.len(), 200);
        let fields: HashSet<&String> = res.iter().step_by(2).collect();
        assert_eq!(fields.len(), 100);
        let res = bulks(&run(&mut s, &["HRANDFIELD", "h", "2500"]));
        assert_eq!(res.iter().collect::<HashSet<_>>().len(), 2500);
        let res = bulks(&run(&mut s, &["HRANDFIELD", "h", "-5000"]));
        assert!(res.iter().collect::<HashSet<_>>().len() > 1000);
    }

    #[test]
    fn hscan_listpack_is_one_call() {
        let mut s = shard();
        run(
            &mut s,
            &["HSET", "h", "a1", "1", "b2", "2", "a3", "3", "7", "x"],
        );
        let all = "*2\r\n$1\r\n0\r\n*8\r\n$2\r\na1\r\n$1\r\n1\r\n$2\r\nb2\r\n$1\r\n2\r\n$2\r\na3\r\n$1\r\n3\r\n$1\r\n7\r\n$1\r\nx\r\n";
        assert_eq!(run(&mut s, &["HSCAN", "h", "0"]), all);
        assert_eq!(run(&mut s, &["HSCAN", "h", "12345", "COUNT", "1"]), all);
        assert_eq!(run(&mut s, &["HSCAN", "h", "0", "MATCH", "*"]), all);
        assert_eq!(run_in(&mut s, 0, true, &["HSCAN", "h", "0"]), all);
        assert_eq!(
            run(&mut s, &["HSCAN", "h", "0", "MATCH", "a*"]),
            "*2\r\n$1\r\n0\r\n*4\r\n$2\r\na1\r\n$1\r\n1\r\n$2\r\na3\r\n$1\r\n3\r\n"
        );
        // Integer fields are matched as text.
        assert_eq!(
            run(&mut s, &["HSCAN", "h", "0", "MATCH", "[0-9]"]),
            "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n7\r\n$1\r\nx\r\n"
        );
        let empty = "*2\r\n$1\r\n0\r\n*0\r\n";
        assert_eq!(run(&mut s, &["HSCAN", "nokey", "0"]), empty);
        // A missing key answers before the options are read.
        assert_eq!(run(&mut s, &["HSCAN", "nokey", "0", "BAD"]), empty);
        let syntax = err(crate::error::SYNTAX);
        for opts in [
            &["COUNT", "0"][..],
            &["COUNT", "-1"],
            &["COUNT"],
            &["MATCH"],
            &["TYPE", "hash"],
            &["FOO", "bar"],
            &["FOO", "COUNT", "x"],
        ] {
            let mut cmd = vec!["HSCAN", "h", "0"];
            cmd.extend_from_slice(opts);
            assert_eq!(run(&mut s, &cmd), syntax, "{opts:?}");
        }
        assert_eq!(
            run(&mut s, &["HSCAN", "h", "0", "COUNT", "x", "FOO"]),
            err(crate::error::NOT_INTEGER)
        );
        for bad in ["x", " 1", "18446744073709551616"] {
            assert_eq!(
                run(&mut s, &["HSCAN", "h", bad]),
                err(crate::error::INVALID_CURSOR)
            );
            assert_eq!(
                run(&mut s, &["HSCAN", "nokey", bad]),
                err(crate::error::INVALID_CURSOR)
            );
        }
    }

    /// Walks a hashtable with HSCAN; returns the pairs seen and the number of calls.
    fn scan_all(s: &mut Shard, key: &str, opts: &[&str]) -> (HashMap<String, String>, usize) {
        let mut seen = HashMap::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let mut cmd = vec!["HSCAN", key, cursor.as_str()];
            cmd.extend_from_slice(opts);
            let reply = run(s, &cmd);
            calls += 1;
            let items = bulks(&reply);
            let (next, rest) = items.split_first().expect("cursor");
            for p in rest.chunks(2) {
                seen.insert(p[0].clone(), p[1].clone());
            }
            cursor = next.clone();
            if cursor == "0" {
                return (seen, calls);
            }
        }
    }

    #[test]
    fn hscan_walks_a_hashtable() {
        let mut s = shard();
        for i in 0..1000 {
            run(&mut s, &["HSET", "h", &format!("f{i}"), &format!("v{i}")]);
        }
        assert_eq!(enc(&mut s, "h"), bulk("hashtable"));
        let (seen, calls) = scan_all(&mut s, "h", &[]);
        assert_eq!(seen.len(), 1000);
        assert!(calls > 50, "{calls} calls");
        assert!(seen.iter().all(|(f, v)| f.replace('f', "v") == *v));
        let (seen, calls) = scan_all(&mut s, "h", &["COUNT", "1000000"]);
        assert_eq!((seen.len(), calls), (1000, 1));
        let (seen, _) = scan_all(&mut s, "h", &["MATCH", "f1??", "COUNT", "7"]);
        assert_eq!(seen.len(), 100);
        assert!(seen.keys().all(|f| f.starts_with("f1") && f.len() == 4));
        let (seen, _) = scan_all(&mut s, "h", &["COUNT", "9223372036854775807"]);
        assert_eq!(seen.len(), 1000);
        // Fields present for the whole walk are seen even while the hash grows.
        let mut seen = HashSet::new();
        let mut cursor = "0".to_string();
        let mut round = 0;
        loop {
            let items = bulks(&run(&mut s, &["HSCAN", "h", &cursor]));
            for p in items[1..].chunks(2) {
                seen.insert(p[0].clone());
            }
            round += 1;
            for j in 0..30 {
                run(&mut s, &["HSET", "h", &format!("g{round}_{j}"), "x"]);
            }
            cursor = items[0].clone();
            if cursor == "0" {
                break;
            }
        }
        assert!((0..1000).all(|i| seen.contains(&format!("f{i}"))));
    }

    #[test]
    fn value_api() {
        let e = Encodings::default();
        let mut h = Hash::new();
        assert!(h.is_empty());
        assert!(!h.set(b"a", b"1", &e));
        assert!(h.set(b"a", b"2", &e));
        assert!(!h.set(b"b", b"xyz", &e));
        assert_eq!(h.len(), 2);
        assert_eq!(h.get(b"a"), Some(LpItem::Int(2)));
        assert_eq!(h.get(b"b"), Some(LpItem::Str(b"xyz")));
        assert!(h.heap_size() > 0);
        let copy = Hash::from_listpack(h.as_listpack().cloned().expect("listpack"));
        assert_eq!(copy.as_ref(), Some(&h));
        let mut odd = Listpack::new();
        odd.push_back(b"a");
        assert!(Hash::from_listpack(odd.clone()).is_none());
        odd.push_back(b"1");
        odd.push_back(b"a");
        odd.push_back(b"2");
        assert!(Hash::from_listpack(odd).is_none());
        let mut t = h.clone();
        t.convert();
        assert_eq!(t.encoding(), "hashtable");
        assert_ne!(t, h);
        assert!(t.as_listpack().is_none());
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> =
            t.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
        pairs.sort();
        assert_eq!(
            pairs,
            vec![
                (b"a".to_vec(), b"2".to_vec()),
                (b"b".to_vec(), b"xyz".to_vec())
            ]
        );
        assert!(t.delete(b"a"));
        assert!(!t.delete(b"a"));
        assert!(t.heap_size() > 0);
        let mut buf = [0u8; 20];
        assert_eq!(fmt_i64(i64::MIN, &mut buf), b"-9223372036854775808");
        assert_eq!(fmt_i64(0, &mut buf), b"0");
        assert_eq!(fmt_i64(42, &mut buf), b"42");
    }
}
