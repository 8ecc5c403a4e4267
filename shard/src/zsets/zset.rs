//! `ZSet`, the sorted-set value, in Redis 7.0's two encodings:
//!
//! * `listpack`: member, score, member, score... in one [`Listpack`], sorted by (score,
//!   member). A score is stored as a listpack integer when it is integral and below 2^62 in
//!   magnitude, else as its `%.17g` text (`inf`, `1.5`, `1e+20`), exactly as Redis's
//!   `zzlInsertAt` writes it, so RDB files carry the bytes Redis would.
//! * `skiplist`: a [`SkipList`] ordered by (score, member), with spans for ranks, and a
//!   [`Dict`] from member to score for O(1) lookups.
//!
//! A new sorted set starts as a listpack unless `zset-max-listpack-entries` is 0 or its first
//! member is longer than `zset-max-listpack-value`; it converts to a skiplist, once and for
//! good, when an insertion would take it past either limit. (Results of ZUNIONSTORE and
//! friends are built whole and take the listpack form when they fit, as in Redis.)
//!
//! Positions ([`Pos`]) are listpack offsets or node indices; any write invalidates them.

use std::cmp::Ordering;

use crate::dict::Dict;
use crate::key::Key;
use crate::listpack::{Listpack, LpItem};
use crate::shard::Encodings;

use super::num::{double_to_i64, score_from_text, score_text, LexRange, ScoreRange};
use super::skiplist::SkipList;

/// Redis refuses to grow a listpack past 1 GiB (`LISTPACK_MAX_SAFETY_SIZE`).
const LISTPACK_MAX_SAFE: usize = 1 << 30;

/// A sorted-set value.
#[derive(Debug, Clone)]
pub struct ZSet {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Listpack(Listpack),
    Skiplist(Box<Sorted>),
}

#[derive(Debug, Clone)]
struct Sorted {
    dict: Dict<f64>,
    list: SkipList,
}

/// A place in a sorted set (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos(usize);

/// ZADD's conditions (NX, XX, GT, LT) and INCR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddFlags {
    pub incr: bool,
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
}

/// What one addition did (Redis's `zsetAdd` out flags).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Added {
    /// A new member, with its score.
    New(f64),
    /// An existing member whose score changed to this one.
    Updated(f64),
    /// An existing member left with the same score (it is this one).
    Same(f64),
    /// Nothing done because of NX, XX, GT or LT.
    Skipped,
}

/// An increment made a score NaN (`+inf` plus `-inf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NanScore;

impl PartialEq for ZSet {
    /// Same encoding and the same (member, score) sequence.
    fn eq(&self, other: &Self) -> bool {
        self.encoding() == other.encoding()
            && self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((m1, s1), (m2, s2))| s1 == s2 && item_cmp(m1, &item_bytes(m2)).is_eq())
    }
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new_listpack()
    }
}

/// A seed for a skip list's level generator, different for every list.
fn seed() -> u64 {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, AtomicOrdering::Relaxed);
    std::collections::hash_map::RandomState::new().hash_one(n)
}

/// The bytes of a listpack element (integers in decimal).
pub fn item_bytes(item: LpItem<'_>) -> std::borrow::Cow<'_, [u8]> {
    match item {
        LpItem::Str(s) => std::borrow::Cow::Borrowed(s),
        LpItem::Int(v) => std::borrow::Cow::Owned(v.to_string().into_bytes()),
    }
}

/// Compares a listpack element, as a string, with `b` (Redis's `zzlCompareElements`).
fn item_cmp(item: LpItem<'_>, b: &[u8]) -> Ordering {
    match item {
        LpItem::Str(s) => s.cmp(b),
        LpItem::Int(v) => {
            let mut buf = [0u8; 24];
            let text = int_text(v, &mut buf);
            text.cmp(b)
        }
    }
}

fn int_text(v: i64, buf: &mut [u8; 24]) -> &[u8] {
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

/// A score read from its listpack element.
fn lp_score(lp: &Listpack, off: usize) -> f64 {
    match lp.get(off) {
        LpItem::Int(v) => v as f64,
        LpItem::Str(s) => score_from_text(s),
    }
}

fn lp_next(lp: &Listpack, off: usize) -> usize {
    lp.next(off).unwrap_or_else(|| lp.end())
}

/// Inserts a member and its score before the element at `off` (or at the end).
fn lp_insert_at(lp: &mut Listpack, off: usize, member: &[u8], score: f64) {
    let at = lp.insert(off, member);
    let sp = lp_next(lp, at);
    match double_to_i64(score) {
        Some(n) => {
            lp.insert_int(sp, n);
        }
        None => {
            lp.insert(sp, score_text(score).as_bytes());
        }
    }
}

/// Inserts a pair at its sorted place (the member is not present).
fn lp_insert(lp: &mut Listpack, member: &[u8], score: f64) {
    let mut cur = lp.first();
    while let Some(e) = cur {
        let sp = lp_next(lp, e);
        let s = lp_score(lp, sp);
        if s > score || (s == score && item_cmp(lp.get(e), member) == Ordering::Greater) {
            lp_insert_at(lp, e, member, score);
            return;
        }
        cur = lp.next(sp);
    }
    let end = lp.end();
    lp_insert_at(lp, end, member, score);
}

/// The member's element offset and score.
fn lp_find(lp: &Listpack, member: &[u8]) -> Option<(usize, f64)> {
    let e = lp.find(lp.first(), member, 1)?;
    let sp = lp_next(lp, e);
    Some((e, lp_score(lp, sp)))
}

impl ZSet {
    pub fn new_listpack() -> ZSet {
        ZSet {
            repr: Repr::Listpack(Listpack::new()),
        }
    }

    pub fn new_skiplist() -> ZSet {
        ZSet {
            repr: Repr::Skiplist(Box::new(Sorted {
                dict: Dict::new(),
                list: SkipList::new(seed()),
            })),
        }
    }

    /// The empty set ZADD creates for a missing key, given its first member.
    pub fn for_first_member(member_len: usize, enc: &Encodings) -> ZSet {
        if enc.zset_max_listpack_entries == 0 || member_len > enc.zset_max_listpack_value {
            ZSet::new_skiplist()
        } else {
            ZSet::new_listpack()
        }
    }

    /// A set made of `items` (sorted by score then member, members unique), in the encoding
    /// Redis's `zsetConvertToListpackIfNeeded` would pick for a computed result.
    pub fn from_sorted(items: Vec<(Vec<u8>, f64)>, enc: &Encodings) -> ZSet {
        let max_len = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
        let total: usize = items.iter().map(|(m, _)| m.len()).sum();
        if items.len() <= enc.zset_max_listpack_entries
            && max_len <= enc.zset_max_listpack_value
            && total <= LISTPACK_MAX_SAFE
        {
            let mut lp = Listpack::new();
            for (m, s) in &items {
                let end = lp.end();
                lp_insert_at(&mut lp, end, m, *s);
            }
            return ZSet {
                repr: Repr::Listpack(lp),
            };
        }
        let mut z = ZSet::new_skiplist();
        if let Repr::Skiplist(sorted) = &mut z.repr {
            // Last to first, so each insertion lands right after the header.
            for (m, s) in items.into_iter().rev() {
                sorted.list.insert(s, Key::new(&m));
                sorted.dict.insert_new(Key::new(&m), s);
            }
        }
        z
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Skiplist(_) => "skiplist",
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.len() / 2,
            Repr::Skiplist(s) => s.list.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Approximate heap bytes owned (for MEMORY USAGE and eviction).
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.bytes_len(),
            Repr::Skiplist(s) => {
                // A dict entry is a boxed (Key, f64, next) node plus its bucket slot.
                let entry = std::mem::size_of::<Key>() + 8 + 8;
                std::mem::size_of::<Sorted>()
                    + s.dict.buckets() * 8
                    + s.dict.len() * entry
                    + s.list.heap_size()
            }
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Listpack(lp) => lp_find(lp, member).map(|(_, s)| s),
            Repr::Skiplist(s) => s.dict.get(member).copied(),
        }
    }

    /// Converts a listpack to a skiplist.
    fn convert(&mut self) {
        let Repr::Listpack(lp) = &self.repr else {
            return;
        };
        let mut sorted = Sorted {
            dict: Dict::new(),
            list: SkipList::new(seed()),
        };
        let mut items: Vec<(Vec<u8>, f64)> = Vec::with_capacity(lp.len() / 2);
        let mut cur = lp.first();
        while let Some(e) = cur {
            let sp = lp_next(lp, e);
            items.push((lp.get(e).to_vec(), lp_score(lp, sp)));
            cur = lp.next(sp);
        }
        for (m, s) in items.into_iter().rev() {
            sorted.list.insert(s, Key::new(&m));
            sorted.dict.insert_new(Key::new(&m), s);
        }
        self.repr = Repr::Skiplist(Box::new(sorted));
    }

    /// Adds or updates a member as Redis's `zsetAdd` (the caller checked `score` is not NaN).
    /// A listpack becomes a skiplist when a new member would take it past `enc`'s limits.
    pub fn add(
        &mut self,
        score: f64,
        member: &[u8],
        flags: AddFlags,
        enc: &Encodings,
    ) -> Result<Added, NanScore> {
        let current = self.score(member);
        if let Some(cur) = current {
            if flags.nx {
                return Ok(Added::Skipped);
            }
            let new = if flags.incr { score + cur } else { score };
            if new.is_nan() {
                return Err(NanScore);
            }
            if (flags.lt && new >= cur) || (flags.gt && new <= cur) {
                return Ok(Added::Skipped);
            }
            if new == cur {
                return Ok(Added::Same(new));
            }
            match &mut self.repr {
                Repr::Listpack(lp) => {
                    if let Some((e, _)) = lp_find(lp, member) {
                        lp.delete_range(e, 2);
                    }
                    lp_insert(lp, member, new);
                }
                Repr::Skiplist(s) => {
                    s.list.update_score(cur, member, new);
                    if let Some(v) = s.dict.get_mut(member) {
                        *v = new;
                    }
                }
            }
            return Ok(Added::Updated(new));
        }
        if flags.xx {
            return Ok(Added::Skipped);
        }
        if let Repr::Listpack(lp) = &self.repr {
            if lp.len() / 2 + 1 > enc.zset_max_listpack_entries
                || member.len() > enc.zset_max_listpack_value
                || lp.bytes_len() + member.len() > LISTPACK_MAX_SAFE
            {
                self.convert();
            }
        }
        match &mut self.repr {
            Repr::Listpack(lp) => lp_insert(lp, member, score),
            Repr::Skiplist(s) => {
                s.list.insert(score, Key::new(member));
                s.dict.insert_new(Key::new(member), score);
            }
        }
        Ok(Added::New(score))
    }

    /// Removes a member; returns whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(lp) => match lp_find(lp, member) {
                Some((e, _)) => {
                    lp.delete_range(e, 2);
                    true
                }
                None => false,
            },
            Repr::Skiplist(s) => match s.dict.remove(member) {
                Some(score) => {
                    s.list.remove(score, member);
                    s.dict.shrink_if_needed();
                    true
                }
                None => false,
            },
        }
    }

    /// The 0-based rank of `member`, from the highest score when `rev`.
    pub fn rank(&self, member: &[u8], rev: bool) -> Option<usize> {
        let r = match &self.repr {
            Repr::Listpack(lp) => {
                let e = lp.find(lp.first(), member, 1)?;
                // Count the pairs before it.
                let mut n = 0;
                let mut cur = lp.first();
                while let Some(o) = cur {
                    if o == e {
                        break;
                    }
                    n += 1;
                    cur = lp.next(lp_next(lp, o));
                }
                n
            }
            Repr::Skiplist(s) => {
                let score = *s.dict.get(member)?;
                s.list.rank(score, member)? - 1
            }
        };
        Some(if rev { self.len() - 1 - r } else { r })
    }

    // ----- positions and iteration -----

    /// The member at `pos` and its score.
    pub fn at(&self, pos: Pos) -> (LpItem<'_>, f64) {
        match &self.repr {
            Repr::Listpack(lp) => (lp.get(pos.0), lp_score(lp, lp_next(lp, pos.0))),
            Repr::Skiplist(s) => {
                let x = pos.0 as u32;
                (LpItem::Str(s.list.member(x)), s.list.score(x))
            }
        }
    }

    pub fn next(&self, pos: Pos) -> Option<Pos> {
        match &self.repr {
            Repr::Listpack(lp) => lp.next(lp_next(lp, pos.0)).map(Pos),
            Repr::Skiplist(s) => s.list.next(pos.0 as u32).map(|x| Pos(x as usize)),
        }
    }

    pub fn prev(&self, pos: Pos) -> Option<Pos> {
        match &self.repr {
            Repr::Listpack(lp) => lp.prev(pos.0).and_then(|sp| lp.prev(sp)).map(Pos),
            Repr::Skiplist(s) => s.list.prev(pos.0 as u32).map(|x| Pos(x as usize)),
        }
    }

    pub fn first(&self) -> Option<Pos> {
        match &self.repr {
            Repr::Listpack(lp) => lp.first().map(Pos),
            Repr::Skiplist(s) => s.list.first().map(|x| Pos(x as usize)),
        }
    }

    pub fn last(&self) -> Option<Pos> {
        match &self.repr {
            Repr::Listpack(lp) => lp.last().and_then(|sp| lp.prev(sp)).map(Pos),
            Repr::Skiplist(s) => s.list.last().map(|x| Pos(x as usize)),
        }
    }

    /// The member of 0-based (ascending) rank `rank`.
    pub fn at_rank(&self, rank: usize) -> Option<Pos> {
        match &self.repr {
            Repr::Listpack(lp) => lp.seek((2 * rank) as isize).map(Pos),
            Repr::Skiplist(s) => s.list.by_rank(rank + 1).map(|x| Pos(x as usize)),
        }
    }

    /// Members and scores from `start` on, ascending (or descending when `rev`).
    pub fn iter_from(&self, start: Option<Pos>, rev: bool) -> Iter<'_> {
        Iter {
            zs: self,
            pos: start,
            rev,
        }
    }

    /// Every member and score, ascending.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(self.first(), false)
    }

    /// The first member whose (score, member) `below` says is not below the range, and its
    /// 0-based rank. `below` is true for a prefix of the order.
    fn first_not_below(&self, below: impl Fn(f64, &[u8]) -> bool) -> Option<(Pos, usize)> {
        match &self.repr {
            Repr::Listpack(_) => {
                let mut rank = 0;
                let mut cur = self.first();
                while let Some(p) = cur {
                    let (m, s) = self.at(p);
                    if !below(s, &item_bytes(m)) {
                        return Some((p, rank));
                    }
                    rank += 1;
                    cur = self.next(p);
                }
                None
            }
            Repr::Skiplist(s) => s
                .list
                .first_not_below(below)
                .map(|(x, r)| (Pos(x as usize), r - 1)),
        }
    }

    /// The last member `within` accepts (true for a prefix of the order), and its rank.
    fn last_within(&self, within: impl Fn(f64, &[u8]) -> bool) -> Option<(Pos, usize)> {
        match &self.repr {
            Repr::Listpack(_) => {
                let mut found = None;
                let mut rank = 0;
                let mut cur = self.first();
                while let Some(p) = cur {
                    let (m, s) = self.at(p);
                    if !within(s, &item_bytes(m)) {
                        break;
                    }
                    found = Some((p, rank));
                    rank += 1;
                    cur = self.next(p);
                }
                found
            }
            Repr::Skiplist(s) => s
                .list
                .last_within(within)
                .map(|(x, r)| (Pos(x as usize), r - 1)),
        }
    }

    /// The first member in the score range, with its 0-based rank.
    pub fn first_in_score(&self, r: &ScoreRange) -> Option<(Pos, usize)> {
        if r.is_empty() {
            return None;
        }
        let (p, rank) = self.first_not_below(|s, _| !r.gte_min(s))?;
        r.lte_max(self.at(p).1).then_some((p, rank))
    }

    /// The last member in the score range, with its 0-based rank.
    pub fn last_in_score(&self, r: &ScoreRange) -> Option<(Pos, usize)> {
        if r.is_empty() {
            return None;
        }
        let (p, rank) = self.last_within(|s, _| r.lte_max(s))?;
        r.gte_min(self.at(p).1).then_some((p, rank))
    }

    /// The first member in the lex range, with its 0-based rank.
    pub fn first_in_lex(&self, r: &LexRange) -> Option<(Pos, usize)> {
        if r.is_empty() {
            return None;
        }
        let (p, rank) = self.first_not_below(|_, m| !r.gte_min(m))?;
        r.lte_max(&item_bytes(self.at(p).0)).then_some((p, rank))
    }

    /// The last member in the lex range, with its 0-based rank.
    pub fn last_in_lex(&self, r: &LexRange) -> Option<(Pos, usize)> {
        if r.is_empty() {
            return None;
        }
        let (p, rank) = self.last_within(|_, m| r.lte_max(m))?;
        r.gte_min(&item_bytes(self.at(p).0)).then_some((p, rank))
    }

    /// Members whose scores are in `r`, ascending (a helper for GEO searches).
    pub fn range_by_score<'a>(
        &'a self,
        r: &'a ScoreRange,
    ) -> impl Iterator<Item = (LpItem<'a>, f64)> + 'a {
        let start = self.first_in_score(r).map(|(p, _)| p);
        self.iter_from(start, false)
            .take_while(move |(_, s)| r.lte_max(*s))
    }

    /// Removes the members of 0-based ranks `start..=end` (valid ranks); returns how many.
    pub fn remove_rank_range(&mut self, start: usize, end: usize) -> usize {
        match &mut self.repr {
            Repr::Listpack(lp) => {
                let n = end - start + 1;
                if let Some(off) = lp.seek((2 * start) as isize) {
                    lp.delete_range(off, 2 * n);
                }
                n
            }
            Repr::Skiplist(s) => {
                let Sorted { dict, list } = &mut **s;
                let n = list.remove_rank_range(start + 1, end + 1, |k, _| {
                    dict.remove(k.as_bytes());
                });
                dict.shrink_if_needed();
                n
            }
        }
    }

    /// A random member and its score (the set is not empty).
    pub fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<(LpItem<'_>, f64)> {
        match &self.repr {
            Repr::Listpack(_) => {
                let n = self.len();
                if n == 0 {
                    return None;
                }
                let i = (rng() % n as u64) as usize;
                self.at_rank(i).map(|p| self.at(p))
            }
            // Uniform by rank: a random hash bucket would favour members alone in theirs.
            Repr::Skiplist(s) => {
                let n = s.list.len();
                if n == 0 {
                    return None;
                }
                let x = s.list.by_rank((rng() % n as u64) as usize + 1)?;
                Some((LpItem::Str(s.list.member(x)), s.list.score(x)))
            }
        }
    }

    /// Every position, ascending (for repeated random picks in a listpack).
    pub fn positions(&self) -> Vec<Pos> {
        let mut out = Vec::with_capacity(self.len());
        let mut cur = self.first();
        while let Some(p) = cur {
            out.push(p);
            cur = self.next(p);
        }
        out
    }

    /// One ZSCAN step: `None` for a listpack (everything at once, as the raw member and score
    /// texts, cursor 0), else the dict walk from `cursor` calling `visit(member, score)`.
    pub fn scan_listpack(&self) -> Option<Vec<Vec<u8>>> {
        match &self.repr {
            Repr::Listpack(lp) => Some(lp.iter().map(|i| i.to_vec()).collect()),
            Repr::Skiplist(_) => None,
        }
    }

    /// One step of a walk of the member dict of a skiplist set (see [`Dict::scan`]).
    pub fn scan_dict(&self, cursor: u64, mut visit: impl FnMut(&[u8], f64)) -> u64 {
        match &self.repr {
            Repr::Listpack(_) => 0,
            Repr::Skiplist(s) => s.dict.scan(cursor, |k, v| visit(k.as_bytes(), *v)),
        }
    }

    /// Checks the internal invariants (for tests).
    #[cfg(test)]
    pub fn check(&self) {
        let items: Vec<(Vec<u8>, f64)> = self.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        for w in items.windows(2) {
            assert!(
                w[0].1 < w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0),
                "out of order: {w:?}"
            );
        }
        if let Repr::Skiplist(s) = &self.repr {
            s.list.check();
            assert_eq!(s.dict.len(), s.list.len());
            for (m, sc) in &items {
                assert_eq!(s.dict.get(m), Some(sc));
            }
        }
    }
}

/// Iterates members and scores from a position, in either direction.
pub struct Iter<'a> {
    zs: &'a ZSet,
    pos: Option<Pos>,
    rev: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (LpItem<'a>, f64);

    fn next(&mut self) -> Option<Self::Item> {
        let p = self.pos?;
        self.pos = if self.rev {
            self.zs.prev(p)
        } else {
            self.zs.next(p)
        };
        Some(self.zs.at(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(entries: usize, value: usize) -> Encodings {
        Encodings {
            zset_max_listpack_entries: entries,
            zset_max_listpack_value: value,
            ..Encodings::default()
        }
    }

    fn members(z: &ZSet) -> Vec<(String, f64)> {
        z.iter()
            .map(|(m, s)| (String::from_utf8_lossy(&m.to_vec()).into_owned(), s))
            .collect()
    }

    #[test]
    fn listpack_bytes_match_redis() {
        // ZADD z 1 a 1.5 b inf c; DEBUG LISTPACK / DUMP on Redis 7.0 shows these entries.
        let mut z = ZSet::new_listpack();
        let e = enc(128, 64);
        for (s, m) in [(1.5, "b"), (1.0, "a"), (f64::INFINITY, "c")] {
            z.add(s, m.as_bytes(), AddFlags::default(), &e)
                .expect("add");
        }
        let Repr::Listpack(lp) = &z.repr else {
            panic!("listpack expected")
        };
        let items: Vec<Vec<u8>> = lp.iter().map(|i| i.to_vec()).collect();
        assert_eq!(
            items,
            vec![
                b"a".to_vec(),
                b"1".to_vec(),
                b"b".to_vec(),
                b"1.5".to_vec(),
                b"c".to_vec(),
                b"inf".to_vec()
            ]
        );
        assert!(matches!(lp.iter().nth(1), Some(LpItem::Int(1))));
    }

    #[test]
    fn both_encodings_agree() {
        let e = enc(16, 64);
        let mut lp = ZSet::new_listpack();
        let mut sl = ZSet::new_skiplist();
        let mut state = 99u64;
        let mut rnd = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for step in 0..3000 {
            let m = format!("{}", rnd() % 12);
            let s = (rnd() % 7) as f64 - 3.0;
            if step % 4 == 0 {
                assert_eq!(lp.remove(m.as_bytes()), sl.remove(m.as_bytes()));
            } else {
                let f = AddFlags {
                    incr: step % 3 == 0,
                    ..AddFlags::default()
                };
                let big = enc(1000, 64);
                assert_eq!(
                    lp.add(s, m.as_bytes(), f, &big),
                    sl.add(s, m.as_bytes(), f, &big)
                );
            }
            assert_eq!(members(&lp), members(&sl));
            lp.check();
            sl.check();
        }
        for m in 0..12 {
            let m = m.to_string();
            assert_eq!(lp.rank(m.as_bytes(), false), sl.rank(m.as_bytes(), false));
            assert_eq!(lp.rank(m.as_bytes(), true), sl.rank(m.as_bytes(), true));
        }
        let r = ScoreRange::parse(b"(-1", b"2").expect("range");
        assert_eq!(
            lp.first_in_score(&r).map(|x| x.1),
            sl.first_in_score(&r).map(|x| x.1)
        );
        assert_eq!(
            lp.last_in_score(&r).map(|x| x.1),
            sl.last_in_score(&r).map(|x| x.1)
        );
        let _ = e;
    }

    #[test]
    fn converts_on_the_limits() {
        let e = enc(3, 5);
        let mut z = ZSet::new_listpack();
        for m in ["a", "b", "c"] {
            z.add(1.0, m.as_bytes(), AddFlags::default(), &e)
                .expect("add");
        }
        assert_eq!(z.encoding(), "listpack");
        z.add(2.0, b"c", AddFlags::default(), &e).expect("update");
        assert_eq!(z.encoding(), "listpack");
        z.add(1.0, b"d", AddFlags::default(), &e).expect("add");
        assert_eq!(z.encoding(), "skiplist");
        z.check();
        let mut z = ZSet::new_listpack();
        z.add(1.0, b"123456", AddFlags::default(), &e).expect("add");
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(ZSet::for_first_member(6, &e).encoding(), "skiplist");
        assert_eq!(ZSet::for_first_member(5, &e).encoding(), "listpack");
        assert_eq!(ZSet::for_first_member(1, &enc(0, 5)).encoding(), "skiplist");
    }
}
