//! SORT and SORT_RO: the elements of a list, set or sorted set, sorted numerically or
//! lexicographically, by themselves or by values found through `BY` patterns, optionally
//! replaced by `GET` patterns, windowed by `LIMIT`, and returned or stored as a list (`STORE`).
//!
//! This module only reads the collection types through their public APIs (lists, sets, sorted
//! sets, hashes) and writes one list (the `STORE` destination). It follows Redis 7.0.15's
//! `sort.c` step for step, because clients see the details:
//!
//! * options are parsed first (a bad `LIMIT` number or an unknown word is an error before the
//!   key is even looked at); a `BY` pattern without `*` means "don't sort" and stays so even if
//!   a later `BY` has one; the last `BY` and the last `STORE` win;
//! * a pattern `p` is resolved for an element `e` by replacing the first `*` of `p` with `e`;
//!   `key->field` (with a non-empty field after the first `->` that follows the `*`) reads a
//!   hash field; `#` is the element itself; a pattern without `*` finds nothing; only string
//!   values (or hash fields) are found, anything else counts as missing. Searches in a pattern
//!   stop at a NUL byte, as C string functions do;
//! * numeric sorting reads numbers with C's `strtod` (so `0x10`, ` 5`, `inf` and the empty
//!   string are numbers) and fails with `ERR One or more scores can't be converted into double`
//!   on anything else, on NaN and on a range error; equal scores are ordered by the elements'
//!   bytes; elements whose `BY` key is missing count as 0;
//! * `ALPHA` compares bytes (up to a NUL when the result is returned, as `strcoll` in the C
//!   locale does; whole strings when it is stored); with `BY`, a missing value sorts first;
//! * with "don't sort", a list keeps its order (reversed by `DESC`, `LIMIT` applied to that
//!   order), a sorted set its score order likewise, and a set is returned as it iterates, except
//!   with `STORE`, where it is sorted `ALPHA` so that replicas store the same list;
//! * a sorted set in its listpack encoding is converted to a skiplist first, as Redis does
//!   (`OBJECT ENCODING` shows it);
//! * `STORE` replaces the destination (any type, TTL dropped) with a list, or deletes it when
//!   the result is empty, and answers the number of elements stored; a missing `GET` value is
//!   a null in a reply and an empty string in a stored list.
//!
//! Every key (the sorted key, the keys patterns point at, the `STORE` destination) is read on
//! this shard: across shards the server first gathers the pattern keys ([`pattern_keys`] says
//! which) and the destination onto the shard that runs the op.

use std::cmp::Ordering;

use crate::args;
use crate::cmd::{def, keys, Acl, CommandDef, CoordCmd, Cross, Flags, Keys, Route};
use crate::db::Db;
use crate::error::{OpError, OpResult};
use crate::lists::List;
use crate::shard::{Cx, Encodings, Shard};
use crate::value::Value;
use crate::zsets::num::strtod;
use crate::zsets::zset::{item_bytes, ZSet};

/// A `BY` value or an element that is not a number for numeric sorting.
pub const SCORE_NOT_DOUBLE: &str = "ERR One or more scores can't be converted into double";

const ACL: Acl = Acl::SET.or(Acl::SORTEDSET).or(Acl::LIST).or(Acl::DANGEROUS);
const COMPLEXITY: &str = "O(N+M*log(M)) where N is the number of elements in the list or set to \
sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

pub static COMMANDS: [CommandDef; 2] = [
    def(
        "sort",
        -2,
        Flags::WRITE.or(Flags::DENYOOM).or(Flags::MOVABLEKEYS),
        ACL,
        Keys::Custom {
            first: 1,
            last: 1,
            step: 1,
            find: sort_key_positions,
        },
        Route::Shard {
            op: sort,
            cross: Cross::Coord(CoordCmd::Sort),
        },
        "generic",
        "1.0.0",
        COMPLEXITY,
        "Sorts a list, set or sorted set, optionally by external keys, and returns or stores \
         the result.",
    ),
    def(
        "sort_ro",
        -2,
        Flags::READONLY.or(Flags::MOVABLEKEYS),
        ACL,
        keys(1, 1, 1),
        Route::Shard {
            op: sort_ro,
            cross: Cross::Coord(CoordCmd::Sort),
        },
        "generic",
        "7.0.0",
        COMPLEXITY,
        "Sorts a list, set or sorted set without writing anything (SORT without STORE).",
    ),
];

/// Key positions of SORT: the sorted key, and the argument after the last `STORE` (Redis's
/// `sortGetKeys`, which skips the arguments of LIMIT, GET and BY while looking for it).
fn sort_key_positions(args: &[&[u8]]) -> Vec<usize> {
    let mut out = vec![1];
    let mut store = None;
    let mut i = 2;
    while i < args.len() {
        let a = args[i];
        if args::is(a, "limit") {
            i += 2;
        } else if args::is(a, "store") {
            if i + 1 < args.len() {
                store = Some(i + 1);
            }
        } else if args::is(a, "get") || args::is(a, "by") {
            i += 1;
        }
        i += 1;
    }
    out.extend(store);
    out
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// A parsed SORT command.
#[derive(Debug, Default)]
struct SortArgs<'a> {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    /// A `BY` pattern without `*` was given: don't sort, don't look anything up for it.
    dontsort: bool,
    gets: Vec<&'a [u8]>,
}

/// Parses the options after the key, in Redis's order. `STORE` is an unknown word for
/// SORT_RO.
fn parse<'a>(a: &[&'a [u8]], readonly: bool) -> Result<SortArgs<'a>, OpError> {
    let mut s = SortArgs {
        limit_count: -1,
        ..SortArgs::default()
    };
    let mut j = 2;
    while j < a.len() {
        let left = a.len() - j - 1;
        let w = a[j];
        if args::is(w, "asc") {
            s.desc = false;
        } else if args::is(w, "desc") {
            s.desc = true;
        } else if args::is(w, "alpha") {
            s.alpha = true;
        } else if args::is(w, "limit") && left >= 2 {
            s.limit_start = parse_long(a[j + 1])?;
            s.limit_count = parse_long(a[j + 2])?;
            j += 2;
        } else if !readonly && args::is(w, "store") && left >= 1 {
            s.store = Some(a[j + 1]);
            j += 1;
        } else if args::is(w, "by") && left >= 1 {
            s.by = Some(a[j + 1]);
            if !cstr(a[j + 1]).contains(&b'*') {
                s.dontsort = true;
            }
            j += 1;
        } else if args::is(w, "get") && left >= 1 {
            s.gets.push(a[j + 1]);
            j += 1;
        } else {
            return Err(OpError::Syntax);
        }
        j += 1;
    }
    Ok(s)
}

fn parse_long(a: &[u8]) -> Result<i64, OpError> {
    crate::util::parse_i64_strict(a).ok_or(OpError::NotInteger)
}

/// The part of `s` a C string function sees: up to the first NUL.
fn cstr(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

// ---------------------------------------------------------------------------------------------
// Patterns

/// What a pattern resolves to for one element.
enum Target {
    /// `#`: the element itself.
    Element,
    /// The value of a string key, or a field of a hash key.
    Key {
        key: Vec<u8>,
        field: Option<Vec<u8>>,
    },
    /// A pattern without `*`: nothing.
    Nothing,
}

/// Resolves `pattern` for the element `subst` (Redis's `lookupKeyByPattern`, minus the
/// lookup).
fn target(pattern: &[u8], subst: &[u8]) -> Target {
    if pattern.first() == Some(&b'#') && pattern.get(1).is_none_or(|&c| c == 0) {
        return Target::Element;
    }
    let c = cstr(pattern);
    let Some(star) = c.iter().position(|&b| b == b'*') else {
        return Target::Nothing;
    };
    // A hash field: the first "->" after the star, followed by at least one byte.
    let arrow = c[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|at| star + 1 + at)
        .filter(|&at| c.get(at + 2).is_some());
    let (postfix_end, field) = match arrow {
        Some(at) => (at, Some(pattern[at + 2..].to_vec())),
        None => (pattern.len(), None),
    };
    let mut key = Vec::with_capacity(pattern.len() + subst.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(subst);
    key.extend_from_slice(&pattern[star + 1..postfix_end]);
    Target::Key { key, field }
}

/// The value `pattern` finds for `subst`: the element for `#`, a string key's value or a hash
/// field; `None` when the key is missing or of another type (read lookups: they count hits and
/// misses and expire keys, as Redis's do).
fn lookup(db: &mut Db, now: i64, pattern: &[u8], subst: &[u8]) -> Option<Vec<u8>> {
    match target(pattern, subst) {
        Target::Element => Some(subst.to_vec()),
        Target::Nothing => None,
        Target::Key { key, field } => {
            let e = db.get(&key, now)?;
            match (field, &e.value) {
                (Some(f), Value::Hash(h)) => h.get(&f).map(|v| v.to_vec()),
                (None, v) => v.as_bytes().map(|b| b.into_owned()),
                _ => None,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading the elements

/// The kind of the sorted value, as far as SORT cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Set,
    ZSet,
}

/// The elements of the sorted key in load order (see the module docs), and `(start, end)` of
/// the output window within them, after Redis's LIMIT arithmetic and its shortcut for
/// "don't sort" lists and sorted sets (which load only the window).
fn load(v: Option<&Value>, s: &SortArgs<'_>) -> (Vec<Vec<u8>>, i64, i64) {
    let (kind, len) = match v {
        Some(Value::List(l)) => (Kind::List, l.len()),
        Some(Value::Set(st)) => (Kind::Set, st.len()),
        Some(Value::ZSet(z)) => (Kind::ZSet, z.len()),
        _ => (Kind::List, 0),
    };
    let len = len as i64;
    let mut start = s.limit_start.clamp(0, len);
    let count = s.limit_count.clamp(-1, len);
    let mut end = if count < 0 {
        len - 1
    } else {
        start + count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    let window = kind != Kind::Set && s.dontsort && (start != 0 || end != len - 1);
    let want = if window { end - start + 1 } else { len };
    let want = want.max(0) as usize;
    let mut out = Vec::with_capacity(want);
    match v {
        Some(Value::List(l)) if s.dontsort && end >= start => {
            let from = if s.desc { len - start - 1 } else { start };
            out.extend(
                l.iter_from(from as usize, s.desc)
                    .take(want)
                    .map(|i| i.to_vec()),
            );
            end -= start;
            start = 0;
        }
        Some(Value::List(_)) if s.dontsort => {}
        Some(Value::List(l)) => out.extend(l.iter().map(|i| i.to_vec())),
        Some(Value::Set(st)) => out.extend(st.iter().map(|m| m.to_vec())),
        Some(Value::ZSet(z)) if s.dontsort => {
            if want > 0 {
                let rank = if s.desc { len - 1 - start } else { start };
                let first = z.at_rank(rank as usize);
                out.extend(
                    z.iter_from(first, s.desc)
                        .take(want)
                        .map(|(m, _)| item_bytes(m).into_owned()),
                );
            }
            end -= start;
            start = 0;
        }
        Some(Value::ZSet(z)) => out.extend(z.iter().map(|(m, _)| item_bytes(m).into_owned())),
        _ => {}
    }
    (out, start, end)
}

/// Converts a listpack sorted set to a skiplist in place (Redis does this before sorting one).
fn zset_to_skiplist(v: &mut Value, enc: &Encodings) {
    if let Value::ZSet(z) = v {
        if z.encoding() == "listpack" {
            let items: Vec<(Vec<u8>, f64)> = z
                .iter()
                .map(|(m, score)| (item_bytes(m).into_owned(), score))
                .collect();
            let never_listpack = Encodings {
                zset_max_listpack_entries: 0,
                ..*enc
            };
            *z = ZSet::from_sorted(items, &never_listpack).into();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sorting

/// One element to sort and what it is compared by.
struct Item {
    element: Vec<u8>,
    score: f64,
    /// The `BY` value for ALPHA sorting by a pattern (`None`: missing, sorts first).
    by: Option<Vec<u8>>,
}

/// A number as SORT reads one: all of it (up to a NUL) must be taken by `strtod`, which must
/// not report a range error; NaN is refused.
fn sort_score(s: &[u8]) -> Option<f64> {
    let r = strtod(s);
    let end_ok = s.get(r.consumed).is_none_or(|&c| c == 0);
    let subnormal = r.value != 0.0 && r.value.is_subnormal();
    if !end_ok || r.range_error || subnormal || r.value.is_nan() {
        return None;
    }
    Some(r.value)
}

/// C's `strcmp` (what `strcoll` does in the C locale): bytes up to the first NUL.
fn strcmp(a: &[u8], b: &[u8]) -> Ordering {
    cstr(a).cmp(cstr(b))
}

/// Orders the items as Redis's `sortCompare` does (a stable sort, as glibc's `qsort` is).
fn sort_items(items: &mut [Item], s: &SortArgs<'_>, by: bool) {
    let store = s.store.is_some();
    let cmp = |a: &Item, b: &Item| -> Ordering {
        let ord = if !s.alpha {
            a.score
                .partial_cmp(&b.score)
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.element.cmp(&b.element))
        } else if by {
            match (&a.by, &b.by) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) if store => x.cmp(y),
                (Some(x), Some(y)) => strcmp(x, y),
            }
        } else if store {
            a.element.cmp(&b.element)
        } else {
            strcmp(&a.element, &b.element)
        };
        if s.desc {
            ord.reverse()
        } else {
            ord
        }
    };
    items.sort_by(cmp);
}

// ---------------------------------------------------------------------------------------------
// Commands

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
/// [STORE destination]`
pub fn sort(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    sort_generic(sh, cx, a, false)
}

/// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]`
pub fn sort_ro(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    sort_generic(sh, cx, a, true)
}

fn sort_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], readonly: bool) -> OpResult {
    let mut s = parse(a, readonly)?;
    let enc = sh.config.encodings;
    let list_fill = enc.list_max_listpack_size;
    let now = cx.now_ms;
    let db = sh.db(cx.db);

    // The sorted key: a list, set or sorted set (missing: an empty list).
    let (elements, start, end) = match db.get(a[1], now) {
        None => load(None, &s),
        Some(e) => {
            match e.value {
                Value::List(_) | Value::ZSet(_) => {}
                // "Don't sort" on a set still sorts (ALPHA) when the result is stored, so
                // every replica stores the same list.
                Value::Set(_) if s.dontsort && s.store.is_some() => {
                    s.dontsort = false;
                    s.alpha = true;
                    s.by = None;
                }
                Value::Set(_) => {}
                _ => return Err(OpError::WrongType),
            }
            zset_to_skiplist(&mut e.value, &enc);
            load(Some(&e.value), &s)
        }
    };

    let mut items: Vec<Item> = elements
        .into_iter()
        .map(|element| Item {
            element,
            score: 0.0,
            by: None,
        })
        .collect();
    let mut not_double = false;
    if !s.dontsort {
        for item in &mut items {
            let value = match s.by {
                Some(p) => match lookup(db, now, p, &item.element) {
                    Some(v) => v,
                    None => continue,
                },
                None => {
                    if !s.alpha {
                        match sort_score(&item.element) {
                            Some(v) => item.score = v,
                            None => not_double = true,
                        }
                    }
                    continue;
                }
            };
            if s.alpha {
                item.by = Some(value);
            } else {
                match sort_score(&value) {
                    Some(v) => item.score = v,
                    None => not_double = true,
                }
            }
        }
        if !not_double {
            sort_items(&mut items, &s, s.by.is_some());
        }
    }
    if not_double {
        return Err(OpError::msg(SCORE_NOT_DOUBLE));
    }

    let rows = (end - start + 1).max(0) as usize;
    let window = if rows == 0 {
        &items[..0]
    } else {
        &items[start as usize..=end as usize]
    };
    let outputlen = if s.gets.is_empty() {
        rows
    } else {
        rows * s.gets.len()
    };
    match s.store {
        None => {
            cx.out.array(outputlen);
            for item in window {
                if s.gets.is_empty() {
                    cx.out.bulk(&item.element);
                }
                for p in &s.gets {
                    match lookup(db, now, p, &item.element) {
                        Some(v) => cx.out.bulk(&v),
                        None => cx.out.null(),
                    }
                }
            }
        }
        Some(dest) => {
            let mut list = List::new(list_fill);
            for item in window {
                if s.gets.is_empty() {
                    list.push_back(&item.element);
                }
                for p in &s.gets {
                    let v = lookup(db, now, p, &item.element).unwrap_or_default();
                    list.push_back(&v);
                }
            }
            if outputlen > 0 {
                db.set(dest, Value::List(list.into()), now);
                sh.dirty += outputlen as u64;
            } else if db.delete(dest).is_some() {
                sh.dirty += 1;
            }
            cx.out.int(outputlen as i64);
        }
    }
    Ok(())
}

/// Every key SORT would read through its `BY` and `GET` patterns, given what the sorted key
/// holds on this shard now (the server gathers them from other shards before running SORT
/// here). In argument order per element, without repeats; the sorted key and the `STORE`
/// destination are not included (they are ordinary key arguments). Errors are the ones SORT
/// itself would answer before reading any pattern key.
pub fn pattern_keys(sh: &mut Shard, db: usize, args: &[&[u8]]) -> Result<Vec<Vec<u8>>, OpError> {
    if args.len() < 2 {
        return Ok(Vec::new());
    }
    let readonly = args::is(args[0], "sort_ro");
    let mut s = parse(args, readonly)?;
    let now = sh.now_ms();
    let v = sh.db(db).peek(args[1], now).map(|e| &e.value);
    let is_set = match v {
        None | Some(Value::List(_)) | Some(Value::ZSet(_)) => false,
        Some(Value::Set(_)) => true,
        Some(_) => return Err(OpError::WrongType),
    };
    if s.dontsort && is_set && s.store.is_some() {
        s.dontsort = false;
        s.by = None;
    }
    // Every element, whatever the window: which ones end up in it depends on the BY values.
    let all = SortArgs {
        dontsort: false,
        limit_start: 0,
        limit_count: -1,
        ..SortArgs::default()
    };
    let (elements, _, _) = load(v, &all);
    let mut patterns: Vec<&[u8]> = Vec::new();
    if !s.dontsort {
        patterns.extend(s.by);
    }
    patterns.extend(s.gets.iter().copied());
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for e in &elements {
        for p in &patterns {
            if let Target::Key { key, .. } = target(p, e) {
                if seen.insert(key.clone()) {
                    out.push(key);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
