//! [`List`]: Redis 7.0's quicklist, a sequence of nodes that each hold a run of elements in one
//! [`Listpack`], so a list costs about what it costs in Redis and both ends are cheap.
//!
//! ```text
//! List { fill, len, nodes: VecDeque<Node> }
//!   Node::Packed(Listpack)   up to `fill` elements, or up to a byte budget (see below)
//!   Node::Plain(Box<[u8]>)   one element of packed_threshold bytes or more, stored as is
//! ```
//!
//! Node sizing follows `list-max-listpack-size` (`fill`) exactly as Redis does, because it decides
//! what `DEBUG LISTPACK`, RDB node boundaries and memory use look like:
//!
//! * `fill < 0` (-1..-5): a node may grow while its listpack, plus the new element and an
//!   8-byte estimate of the entry overhead, stays within 4/8/16/32/64 KiB;
//! * `fill > 0`: a node holds at most `fill` elements, and never more than 8 KiB
//!   (the safety limit, which also applies once a size class is exceeded);
//! * an element of `packed_threshold` bytes or more (1 GiB unless changed by
//!   `DEBUG QUICKLIST-PACKED-THRESHOLD`) gets a node of its own, a *plain* node.
//!
//! A list keeps the `fill` it was created with, as a Redis quicklist does: `CONFIG SET
//! list-max-listpack-size` affects lists created afterwards. Pushes at either end fill the edge
//! node or open a new one; an insertion in the middle may split a full node and then merges
//! small neighbours back together; deletions never merge. Nodes are not compressed:
//! `list-compress-depth` is accepted by the configuration but has no effect here.
//!
//! Positions inside the list are [`Pos`] values (node index, byte offset in the node's
//! listpack, index within the node); every write returns or recomputes the positions it needs,
//! because writes move offsets.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::listpack::{Listpack, LpItem};

/// Node byte budgets for `fill` -1 ..= -5.
const SIZE_CLASSES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// A node limited by element count never grows beyond this many bytes.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// What one more entry is assumed to add beyond the element's own bytes.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// The largest positive `fill`.
const FILL_MAX: i64 = (1 << 15) - 1;
/// The default size from which an element gets a plain node of its own.
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;
/// Header (6 bytes) and end marker (1) of a listpack.
const LP_HDR: usize = 6;

/// The current plain-node threshold. Process-wide, like Redis's: it is a debugging knob
/// (`DEBUG QUICKLIST-PACKED-THRESHOLD`), read with one relaxed load per write.
static PACKED_THRESHOLD: AtomicUsize = AtomicUsize::new(DEFAULT_PACKED_THRESHOLD);

/// Sets the size from which an element is stored in a plain node of its own
/// (`DEBUG QUICKLIST-PACKED-THRESHOLD`); 0 restores the default of 1 GiB. Returns false, and
/// changes nothing, for sizes above 4 GiB - 1 MiB, as Redis refuses them.
pub fn set_packed_threshold(bytes: u64) -> bool {
    if bytes > (1u64 << 32) - (1 << 20) {
        return false;
    }
    let v = if bytes == 0 {
        DEFAULT_PACKED_THRESHOLD
    } else {
        bytes as usize
    };
    PACKED_THRESHOLD.store(v, Ordering::Relaxed);
    true
}

fn is_large(sz: usize) -> bool {
    sz >= PACKED_THRESHOLD.load(Ordering::Relaxed)
}

/// `list-max-listpack-size` clamped as Redis clamps a quicklist's fill.
pub fn normalize_fill(list_max_listpack_size: i64) -> i32 {
    list_max_listpack_size.clamp(-5, FILL_MAX) as i32
}

/// Whether a node of `sz` bytes holding `count_ok`-qualified elements fits the fill rule.
fn fits(fill: i32, sz: usize, count_ok: bool) -> bool {
    if fill < 0 && sz <= SIZE_CLASSES[(-fill - 1) as usize] {
        return true;
    }
    if sz > SIZE_SAFETY_LIMIT {
        return false;
    }
    count_ok
}

#[derive(Debug, Clone)]
enum Node {
    Packed(Listpack),
    Plain(Box<[u8]>),
}

impl Node {
    fn count(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.len(),
            Node::Plain(_) => 1,
        }
    }

    /// Redis's `node->sz`: the listpack's bytes, or the plain element's.
    fn bytes(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.bytes_len(),
            Node::Plain(b) => b.len(),
        }
    }

    fn single(v: &[u8]) -> Node {
        let mut lp = Listpack::new();
        lp.push_back(v);
        Node::Packed(lp)
    }
}

/// One node, as persistence sees it.
#[derive(Debug, Clone, Copy)]
pub enum NodeRef<'a> {
    Packed(&'a Listpack),
    Plain(&'a [u8]),
}

/// A position: node index, byte offset of the entry in the node's listpack (0 for a plain
/// node), and the entry's index within the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    node: usize,
    off: usize,
    idx: usize,
}

/// A list value (`OBJECT ENCODING` "quicklist").
#[derive(Debug, Clone)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    fill: i32,
}

impl Default for List {
    fn default() -> Self {
        List::new(-2)
    }
}

impl PartialEq for List {
    /// Same elements in the same order, whatever the node layout.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().zip(other.iter()).all(|(a, b)| item_eq(a, b))
    }
}

fn item_eq(a: LpItem<'_>, b: LpItem<'_>) -> bool {
    match (a, b) {
        (LpItem::Int(x), LpItem::Int(y)) => x == y,
        (LpItem::Str(x), LpItem::Str(y)) => x == y,
        (LpItem::Int(v), LpItem::Str(s)) | (LpItem::Str(s), LpItem::Int(v)) => {
            LpItem::Int(v).eq_bytes(s)
        }
    }
}

/// A listpack holding the entries `entries` (raw entry bytes taken from another listpack).
fn lp_from_entries(entries: &[u8], count: usize) -> Listpack {
    let mut buf = Vec::with_capacity(entries.len() + LP_HDR + 1);
    buf.extend_from_slice(&((entries.len() + LP_HDR + 1) as u32).to_le_bytes());
    let c = if count < u16::MAX as usize {
        count as u16
    } else {
        u16::MAX
    };
    buf.extend_from_slice(&c.to_le_bytes());
    buf.extend_from_slice(entries);
    buf.push(0xFF);
    Listpack::from_bytes(buf).unwrap_or_else(|| {
        // Unreachable: the entries came from a valid listpack. Rebuild element by element
        // rather than fail.
        let src = lp_from_raw_fallback(entries);
        let mut lp = Listpack::new();
        for it in src {
            lp.push_back(&it);
        }
        lp
    })
}

/// Decodes raw entries one by one (the slow path of [`lp_from_entries`]).
fn lp_from_raw_fallback(entries: &[u8]) -> Vec<Vec<u8>> {
    let mut buf = Vec::with_capacity(entries.len() + LP_HDR + 1);
    buf.extend_from_slice(&((entries.len() + LP_HDR + 1) as u32).to_le_bytes());
    buf.extend_from_slice(&u16::MAX.to_le_bytes());
    buf.extend_from_slice(entries);
    buf.push(0xFF);
    Listpack::from_bytes(buf)
        .map(|lp| lp.iter().map(LpItem::to_vec).collect())
        .unwrap_or_default()
}

/// The entry bytes of a listpack (between header and end marker).
fn entries(lp: &Listpack) -> &[u8] {
    let b = lp.as_bytes();
    &b[LP_HDR..b.len() - 1]
}

/// Drops a listpack's spare capacity.
fn compact(lp: &mut Listpack) {
    lp.shrink_to_fit();
}

impl List {
    /// An empty list whose nodes follow `list-max-listpack-size` = `fill`.
    pub fn new(fill: i64) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill: normalize_fill(fill),
        }
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Bytes of all nodes' listpacks (and plain elements): `DEBUG OBJECT`'s
    /// `ql_uncompressed_size`.
    pub fn listpack_bytes(&self) -> usize {
        self.nodes.iter().map(Node::bytes).sum()
    }

    /// Approximate heap bytes owned (for MEMORY USAGE and eviction).
    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.nodes.iter().map(Node::bytes).sum::<usize>()
    }

    /// The nodes, head to tail (for RDB serialization).
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef<'_>> + '_ {
        self.nodes.iter().map(|n| match n {
            Node::Packed(lp) => NodeRef::Packed(lp),
            Node::Plain(b) => NodeRef::Plain(b),
        })
    }

    /// Appends a ready-made listpack as a node of its own (RDB loading); empty ones are
    /// skipped.
    pub fn append_listpack(&mut self, lp: Listpack) {
        let n = lp.len();
        if n > 0 {
            self.len += n;
            self.nodes.push_back(Node::Packed(lp));
        }
    }

    /// Appends one element as a plain node (RDB loading).
    pub fn append_plain(&mut self, bytes: Vec<u8>) {
        self.len += 1;
        self.nodes.push_back(Node::Plain(bytes.into_boxed_slice()));
    }

    // ----- node rules -----

    /// Whether node `n` may take one more element of `sz` bytes.
    fn allow_insert(&self, n: Option<usize>, sz: usize) -> bool {
        let Some(Node::Packed(lp)) = n.and_then(|n| self.nodes.get(n)) else {
            return false;
        };
        if is_large(sz) {
            return false;
        }
        let new_sz = lp.bytes_len() + sz + SIZE_ESTIMATE_OVERHEAD;
        fits(self.fill, new_sz, (lp.len() as i64) < i64::from(self.fill))
    }

    /// Whether nodes `a` and `b` may be merged into one.
    fn allow_merge(&self, a: usize, b: usize) -> bool {
        let (Some(Node::Packed(x)), Some(Node::Packed(y))) = (self.nodes.get(a), self.nodes.get(b))
        else {
            return false;
        };
        let merged = (x.bytes_len() + y.bytes_len()).saturating_sub(11);
        fits(
            self.fill,
            merged,
            (x.len() + y.len()) as i64 <= i64::from(self.fill),
        )
    }

    /// Merges node `a + 1` into node `a`.
    fn merge(&mut self, a: usize) {
        let (Some(Node::Packed(x)), Some(Node::Packed(y))) =
            (self.nodes.get(a), self.nodes.get(a + 1))
        else {
            return;
        };
        let mut bytes = Vec::with_capacity(x.bytes_len() + y.bytes_len());
        bytes.extend_from_slice(entries(x));
        bytes.extend_from_slice(entries(y));
        let lp = lp_from_entries(&bytes, x.len() + y.len());
        self.nodes[a] = Node::Packed(lp);
        self.nodes.remove(a + 1);
    }

    /// Tries to merge the neighbourhood of node `c` after a split, as Redis does:
    /// (prev-prev, prev), (next, next-next), (prev, center), then (center, next).
    fn merge_around(&mut self, mut c: usize) {
        if c >= 2 && self.allow_merge(c - 2, c - 1) {
            self.merge(c - 2);
            c -= 1;
        }
        if self.allow_merge(c + 1, c + 2) {
            self.merge(c + 1);
        }
        let target = if c >= 1 && self.allow_merge(c - 1, c) {
            self.merge(c - 1);
            c - 1
        } else {
            c
        };
        if self.allow_merge(target, target + 1) {
            self.merge(target);
        }
    }

    /// Splits packed node `n` around the entry at `p`. With `after`, the node keeps the
    /// entries up to and including `p` and the rest is returned; otherwise the entries before
    /// `p` are returned and the node keeps the rest.
    fn split(&mut self, p: Pos, after: bool) -> Listpack {
        let Node::Packed(lp) = &mut self.nodes[p.node] else {
            return Listpack::new();
        };
        let count = lp.len();
        let cut = if after {
            lp.next(p.off).unwrap_or(lp.end())
        } else {
            p.off
        };
        let left_count = if after { p.idx + 1 } else { p.idx };
        let buf = lp.as_bytes();
        let left = lp_from_entries(&buf[LP_HDR..cut], left_count);
        let right = lp_from_entries(&buf[cut..buf.len() - 1], count - left_count);
        if after {
            *lp = left;
            right
        } else {
            *lp = right;
            left
        }
    }

    // ----- positions -----

    fn first_in(&self, n: usize) -> Option<Pos> {
        match self.nodes.get(n)? {
            Node::Packed(lp) => Some(Pos {
                node: n,
                off: lp.first()?,
                idx: 0,
            }),
            Node::Plain(_) => Some(Pos {
                node: n,
                off: 0,
                idx: 0,
            }),
        }
    }

    fn last_in(&self, n: usize) -> Option<Pos> {
        match self.nodes.get(n)? {
            Node::Packed(lp) => Some(Pos {
                node: n,
                off: lp.last()?,
                idx: lp.len() - 1,
            }),
            Node::Plain(_) => Some(Pos {
                node: n,
                off: 0,
                idx: 0,
            }),
        }
    }

    fn first_pos(&self) -> Option<Pos> {
        self.first_in(0)
    }

    fn last_pos(&self) -> Option<Pos> {
        self.last_in(self.nodes.len().checked_sub(1)?)
    }

    fn next_pos(&self, p: Pos) -> Option<Pos> {
        if let Node::Packed(lp) = &self.nodes[p.node] {
            if let Some(off) = lp.next(p.off) {
                return Some(Pos {
                    node: p.node,
                    off,
                    idx: p.idx + 1,
                });
            }
        }
        self.first_in(p.node + 1)
    }

    fn prev_pos(&self, p: Pos) -> Option<Pos> {
        if let Node::Packed(lp) = &self.nodes[p.node] {
            if let Some(off) = lp.prev(p.off) {
                return Some(Pos {
                    node: p.node,
                    off,
                    idx: p.idx - 1,
                });
            }
        }
        self.last_in(p.node.checked_sub(1)?)
    }

    /// The node holding element `index` (< len) and the element's index within it, walking
    /// from the nearer end.
    fn locate(&self, index: usize) -> (usize, usize) {
        if index <= (self.len - 1) / 2 {
            let mut acc = 0;
            for (n, node) in self.nodes.iter().enumerate() {
                let c = node.count();
                if acc + c > index {
                    return (n, index - acc);
                }
                acc += c;
            }
        } else {
            let mut acc = self.len;
            for (n, node) in self.nodes.iter().enumerate().rev() {
                let c = node.count();
                acc -= c;
                if acc <= index {
                    return (n, index - acc);
                }
            }
        }
        (self.nodes.len() - 1, 0)
    }

    /// The position of element `index` (< len).
    fn pos_at(&self, index: usize) -> Option<Pos> {
        if index >= self.len {
            return None;
        }
        let (n, idx) = self.locate(index);
        let off = match &self.nodes[n] {
            Node::Packed(lp) => {
                let c = lp.len();
                if idx <= c / 2 {
                    lp.seek(idx as isize)?
                } else {
                    lp.seek(idx as isize - c as isize)?
                }
            }
            Node::Plain(_) => 0,
        };
        Some(Pos { node: n, off, idx })
    }

    /// The position of element `index`, negative counting from the tail (LINDEX rules).
    fn seek(&self, index: i64) -> Option<Pos> {
        let i = if index < 0 {
            (self.len as i64).checked_add(index)?
        } else {
            index
        };
        if i < 0 {
            return None;
        }
        self.pos_at(usize::try_from(i).ok()?)
    }

    fn item(&self, p: Pos) -> LpItem<'_> {
        match &self.nodes[p.node] {
            Node::Packed(lp) => lp.get(p.off),
            Node::Plain(b) => LpItem::Str(b),
        }
    }

    // ----- reads -----

    /// Element `index` (negative: from the tail).
    pub fn get(&self, index: i64) -> Option<LpItem<'_>> {
        self.seek(index).map(|p| self.item(p))
    }

    /// Every element, head to tail.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            list: self,
            pos: self.first_pos(),
            reverse: false,
        }
    }

    /// Every element, tail to head.
    pub fn iter_rev(&self) -> Iter<'_> {
        Iter {
            list: self,
            pos: self.last_pos(),
            reverse: true,
        }
    }

    /// Elements from `index` on, towards the tail (or towards the head with `reverse`).
    pub fn iter_from(&self, index: usize, reverse: bool) -> Iter<'_> {
        Iter {
            list: self,
            pos: self.pos_at(index),
            reverse,
        }
    }

    // ----- writes at the ends -----

    pub fn push_back(&mut self, v: &[u8]) {
        self.len += 1;
        if is_large(v.len()) {
            self.nodes.push_back(Node::Plain(v.into()));
            return;
        }
        let tail = self.nodes.len().checked_sub(1);
        if self.allow_insert(tail, v.len()) {
            if let Some(Node::Packed(lp)) = self.nodes.back_mut() {
                lp.push_back(v);
            }
            return;
        }
        // The old tail will not grow any more: give back its spare capacity.
        if let Some(Node::Packed(lp)) = self.nodes.back_mut() {
            compact(lp);
        }
        self.nodes.push_back(Node::single(v));
    }

    pub fn push_front(&mut self, v: &[u8]) {
        self.len += 1;
        if is_large(v.len()) {
            self.nodes.push_front(Node::Plain(v.into()));
            return;
        }
        let head = (!self.nodes.is_empty()).then_some(0);
        if self.allow_insert(head, v.len()) {
            if let Some(Node::Packed(lp)) = self.nodes.front_mut() {
                lp.push_front(v);
            }
            return;
        }
        if let Some(Node::Packed(lp)) = self.nodes.front_mut() {
            compact(lp);
        }
        self.nodes.push_front(Node::single(v));
    }

    pub fn push(&mut self, v: &[u8], left: bool) {
        if left {
            self.push_front(v)
        } else {
            self.push_back(v)
        }
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let v = match self.nodes.front_mut()? {
            Node::Plain(_) => match self.nodes.pop_front() {
                Some(Node::Plain(b)) => b.into_vec(),
                _ => return None,
            },
            Node::Packed(lp) => {
                let off = lp.first()?;
                let v = lp.get(off).to_vec();
                lp.delete(off);
                if lp.is_empty() {
                    self.nodes.pop_front();
                }
                v
            }
        };
        self.len -= 1;
        Some(v)
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let v = match self.nodes.back_mut()? {
            Node::Plain(_) => match self.nodes.pop_back() {
                Some(Node::Plain(b)) => b.into_vec(),
                _ => return None,
            },
            Node::Packed(lp) => {
                let off = lp.last()?;
                let v = lp.get(off).to_vec();
                lp.delete(off);
                if lp.is_empty() {
                    self.nodes.pop_back();
                }
                v
            }
        };
        self.len -= 1;
        Some(v)
    }

    pub fn pop(&mut self, left: bool) -> Option<Vec<u8>> {
        if left {
            self.pop_front()
        } else {
            self.pop_back()
        }
    }

    // ----- writes in the middle -----

    /// Inserts `v` next to the element at `p` (after it with `after`), following Redis's
    /// choice between the node itself, a neighbour, a new node and a split.
    fn insert_at(&mut self, p: Pos, after: bool, v: &[u8]) {
        let sz = v.len();
        let n = p.node;
        let count = self.nodes[n].count();
        let full = !self.allow_insert(Some(n), sz);
        let at_tail = after && p.idx + 1 == count;
        let at_head = !after && p.idx == 0;
        let avail_next = at_tail && self.allow_insert(Some(n + 1), sz);
        let avail_prev = at_head && n > 0 && self.allow_insert(Some(n - 1), sz);
        self.len += 1;

        if is_large(sz) {
            let plain = Node::Plain(v.into());
            if matches!(self.nodes[n], Node::Plain(_)) || at_tail || at_head {
                self.nodes.insert(if after { n + 1 } else { n }, plain);
            } else {
                let part = self.split(p, after);
                if after {
                    self.nodes.insert(n + 1, plain);
                    self.nodes.insert(n + 2, Node::Packed(part));
                } else {
                    self.nodes.insert(n, plain);
                    self.nodes.insert(n, Node::Packed(part));
                }
            }
            return;
        }

        if !full {
            if let Node::Packed(lp) = &mut self.nodes[n] {
                let at = if after {
                    lp.next(p.off).unwrap_or(lp.end())
                } else {
                    p.off
                };
                lp.insert(at, v);
            }
        } else if avail_next {
            if let Node::Packed(lp) = &mut self.nodes[n + 1] {
                lp.push_front(v);
            }
        } else if avail_prev {
            if let Node::Packed(lp) = &mut self.nodes[n - 1] {
                lp.push_back(v);
            }
        } else if at_tail || at_head {
            self.nodes
                .insert(if after { n + 1 } else { n }, Node::single(v));
        } else {
            let mut part = self.split(p, after);
            let center = if after {
                part.push_front(v);
                self.nodes.insert(n + 1, Node::Packed(part));
                n
            } else {
                part.push_back(v);
                self.nodes.insert(n, Node::Packed(part));
                n + 1
            };
            self.merge_around(center);
        }
    }

    /// Deletes the element at `p`; returns the position of the element that followed it.
    fn delete_at(&mut self, p: Pos) -> Option<Pos> {
        self.len -= 1;
        let next = match &mut self.nodes[p.node] {
            Node::Plain(_) => {
                self.nodes.remove(p.node);
                return self.first_in(p.node);
            }
            Node::Packed(lp) => {
                let next = lp.delete(p.off);
                if lp.is_empty() {
                    self.nodes.remove(p.node);
                    return self.first_in(p.node);
                }
                next
            }
        };
        match next {
            Some(off) => Some(Pos {
                node: p.node,
                off,
                idx: p.idx,
            }),
            None => self.first_in(p.node + 1),
        }
    }

    /// Replaces element `index` (negative: from the tail). False if out of range.
    pub fn set(&mut self, index: i64, v: &[u8]) -> bool {
        let Some(p) = self.seek(index) else {
            return false;
        };
        let large = is_large(v.len());
        match &mut self.nodes[p.node] {
            Node::Packed(lp) if !large => {
                lp.replace(p.off, v);
            }
            Node::Plain(b) if large => {
                *b = v.into();
            }
            Node::Plain(_) => {
                // The new value goes after the plain node, which then goes away.
                self.insert_at(p, true, v);
                self.nodes.remove(p.node);
                self.len -= 1;
            }
            Node::Packed(_) => {
                // A large value gets its own node right after the old element, which is
                // then the last one of its (possibly split) node.
                self.insert_at(p, true, v);
                let n = p.node;
                if self.nodes[n].count() == 1 {
                    self.nodes.remove(n);
                    self.len -= 1;
                } else if let Some(last) = self.last_in(n) {
                    self.delete_at(last);
                }
            }
        }
        true
    }

    /// Inserts `v` before (or, with `after`, after) the first element equal to `pivot`.
    /// False if there is no such element.
    pub fn insert_near(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        let mut pos = self.first_pos();
        while let Some(p) = pos {
            if self.item(p).eq_bytes(pivot) {
                self.insert_at(p, after, v);
                return true;
            }
            pos = self.next_pos(p);
        }
        false
    }

    /// Removes elements equal to `v`: the first `count` from the head (count > 0), the last
    /// `-count` from the tail (count < 0), or all of them (count 0). Returns how many.
    pub fn remove(&mut self, v: &[u8], count: i64) -> usize {
        let reverse = count < 0;
        // i64::MIN stays negative and so never stops the loop, as in Redis.
        let limit = if reverse { count.wrapping_neg() } else { count };
        let mut removed: i64 = 0;
        let mut pos = if reverse {
            self.last_pos()
        } else {
            self.first_pos()
        };
        while let Some(p) = pos {
            if self.item(p).eq_bytes(v) {
                pos = if reverse {
                    let prev = self.prev_pos(p);
                    self.delete_at(p);
                    prev
                } else {
                    self.delete_at(p)
                };
                removed += 1;
                if limit != 0 && removed == limit {
                    break;
                }
            } else {
                pos = if reverse {
                    self.prev_pos(p)
                } else {
                    self.next_pos(p)
                };
            }
        }
        removed as usize
    }

    /// Deletes `count` elements from index `start` on (clamped to the list).
    pub fn delete_range(&mut self, start: usize, count: usize) {
        if start >= self.len || count == 0 {
            return;
        }
        let mut remaining = count.min(self.len - start);
        let (mut n, mut local) = self.locate(start);
        while remaining > 0 && n < self.nodes.len() {
            let c = self.nodes[n].count();
            if local == 0 && remaining >= c {
                self.nodes.remove(n);
                self.len -= c;
                remaining -= c;
                continue;
            }
            let del = (c - local).min(remaining);
            if let Node::Packed(lp) = &mut self.nodes[n] {
                let before = lp.bytes_len();
                if let Some(off) = lp.seek(local as isize) {
                    lp.delete_range(off, del);
                }
                if lp.bytes_len() * 2 < before {
                    compact(lp);
                }
            }
            self.len -= del;
            remaining -= del;
            n += 1;
            local = 0;
        }
    }
}

/// An element iterator in either direction.
pub struct Iter<'a> {
    list: &'a List,
    pos: Option<Pos>,
    reverse: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpItem<'a>;

    fn next(&mut self) -> Option<LpItem<'a>> {
        let p = self.pos?;
        self.pos = if self.reverse {
            self.list.prev_pos(p)
        } else {
            self.list.next_pos(p)
        };
        Some(self.list.item(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &List) -> Vec<String> {
        l.iter()
            .map(|i| String::from_utf8(i.to_vec()).expect("utf8"))
            .collect()
    }

    fn counts(l: &List) -> Vec<usize> {
        l.nodes.iter().map(Node::count).collect()
    }

    /// Structural invariants: cached length, no empty nodes, listpacks valid, backwards walk
    /// equal to the forward walk.
    fn check(l: &List) {
        let total: usize = l.nodes.iter().map(Node::count).sum();
        assert_eq!(total, l.len);
        for n in &l.nodes {
            assert!(n.count() > 0);
            if let Node::Packed(lp) = n {
                assert!(Listpack::from_bytes(lp.as_bytes().to_vec()).is_some());
            }
        }
        let mut fwd: Vec<Vec<u8>> = l.iter().map(LpItem::to_vec).collect();
        let back: Vec<Vec<u8>> = l.iter_rev().map(LpItem::to_vec).collect();
        fwd.reverse();
        assert_eq!(fwd, back);
        for i in 0..l.len {
            assert_eq!(
                l.get(i as i64).map(LpItem::to_vec),
                l.iter().nth(i).map(LpItem::to_vec)
            );
        }
    }

    #[test]
    fn count_fill_splits_nodes_by_entries() {
        let mut l = List::new(3);
        for i in 0..10 {
            l.push_back(i.to_string().as_bytes());
        }
        assert_eq!(counts(&l), vec![3, 3, 3, 1]);
        for i in 0..4 {
            l.push_front(format!("f{i}").as_bytes());
        }
        assert_eq!(counts(&l), vec![1, 3, 3, 3, 3, 1]);
        check(&l);
    }

    #[test]
    fn size_fill_uses_byte_budgets() {
        // -1: 4 KiB nodes. 100-byte strings are 103-byte entries (2-byte header, backlen).
        // Node sizes checked against Redis 7.0.15's DEBUG OBJECT (ql_nodes,
        // ql_uncompressed_size).
        let mut l = List::new(-1);
        let v = vec![b'x'; 100];
        for _ in 0..100 {
            l.push_back(&v);
        }
        // A node takes entries while bytes + 100 + 8 <= 4096.
        assert_eq!(counts(&l), vec![39, 39, 22]);
        assert_eq!(l.listpack_bytes(), 10321);
        check(&l);
        // Count fill never passes the 8 KiB safety limit.
        let mut l = List::new(1000);
        for _ in 0..200 {
            l.push_back(&v);
        }
        assert_eq!(counts(&l), vec![79, 79, 42]);
        assert_eq!(l.listpack_bytes(), 20621);
        // Out-of-range fills are clamped as Redis clamps them.
        assert_eq!(List::new(-100).fill, -5);
        assert_eq!(List::new(1 << 40).fill, 32767);
    }

    #[test]
    fn zero_fill_puts_every_element_in_its_own_node() {
        let mut l = List::new(0);
        for i in 0..5 {
            l.push_back(i.to_string().as_bytes());
        }
        assert_eq!(counts(&l), vec![1; 5]);
    }

    #[test]
    fn insert_splits_full_nodes_and_merges_neighbours() {
        let mut l = List::new(4);
        for i in 0..8 {
            l.push_back(i.to_string().as_bytes());
        }
        assert_eq!(counts(&l), vec![4, 4]);
        // Middle of a full node: split, then merges where they fit.
        assert!(l.insert_near(b"1", b"a", true));
        assert_eq!(items(&l), ["0", "1", "a", "2", "3", "4", "5", "6", "7"]);
        check(&l);
        assert!(l.insert_near(b"5", b"b", false));
        check(&l);
        // Tail of a full node with a full next node: a new node in between.
        let mut l = List::new(2);
        for i in 0..4 {
            l.push_back(i.to_string().as_bytes());
        }
        assert!(l.insert_near(b"1", b"x", true));
        assert_eq!(counts(&l), vec![2, 1, 2]);
        // Head of the next node when the previous one has room.
        assert!(l.insert_near(b"2", b"y", false));
        assert_eq!(counts(&l), vec![2, 2, 2]);
        assert_eq!(items(&l), ["0", "1", "x", "y", "2", "3"]);
        assert!(!l.insert_near(b"nope", b"z", true));
        check(&l);
    }

    #[test]
    fn plain_nodes_for_large_elements() {
        // The threshold is process-wide: this test alone changes it, and only to values that
        // leave every other test's elements below it... except it must not race with them,
        // so it uses a threshold no other test's element reaches.
        assert!(set_packed_threshold(200_000));
        let big = vec![b'z'; 200_000];
        let mut l = List::new(-2);
        l.push_back(b"a");
        l.push_back(&big);
        l.push_back(b"b");
        l.push_front(&big);
        assert_eq!(counts(&l), vec![1, 1, 1, 1]);
        assert!(matches!(l.nodes[1], Node::Packed(_)));
        assert!(matches!(l.nodes[0], Node::Plain(_)));
        check(&l);
        // Replace packed -> plain in the middle of a node, plain -> packed.
        let mut l = List::new(-2);
        for s in ["a", "b", "c", "d", "e"] {
            l.push_back(s.as_bytes());
        }
        assert!(l.set(2, &big));
        assert_eq!(counts(&l), vec![2, 1, 2]);
        assert_eq!(l.get(2).map(|i| i.str_len()), Some(200_000));
        assert!(l.set(2, b"c"));
        assert_eq!(l.len(), 5);
        assert_eq!(
            l.iter().map(LpItem::to_vec).collect::<Vec<_>>(),
            vec![
                b"a".to_vec(),
                b"b".to_vec(),
                b"c".to_vec(),
                b"d".to_vec(),
                b"e".to_vec()
            ]
        );
        check(&l);
        // Insert a large element in the middle of a node: split around it.
        assert!(l.insert_near(b"b", &big, true));
        assert_eq!(l.get(2).map(|i| i.str_len()), Some(200_000));
        check(&l);
        assert_eq!(l.remove(&big, 0), 1);
        check(&l);
        assert_eq!(l.pop_back(), Some(b"e".to_vec()));
        l.push_back(&big);
        assert_eq!(l.pop_back(), Some(big.clone()));
        assert!(!set_packed_threshold(1 << 33));
        assert!(set_packed_threshold(0));
        assert!(!is_large(200_000));
    }

    #[test]
    fn remove_both_directions_and_range_delete() {
        let mut l = List::new(3);
        for s in ["a", "b", "a", "c", "a", "d", "a"] {
            l.push_back(s.as_bytes());
        }
        assert_eq!(l.remove(b"a", -2), 2);
        assert_eq!(items(&l), ["a", "b", "a", "c", "d"]);
        assert_eq!(l.remove(b"a", 1), 1);
        assert_eq!(items(&l), ["b", "a", "c", "d"]);
        assert_eq!(l.remove(b"a", i64::MIN), 1);
        check(&l);
        let mut l = List::new(3);
        for i in 0..20 {
            l.push_back(i.to_string().as_bytes());
        }
        l.delete_range(2, 10);
        assert_eq!(l.len(), 10);
        assert_eq!(l.get(2).map(LpItem::to_vec), Some(b"12".to_vec()));
        check(&l);
        l.delete_range(0, 100);
        assert!(l.is_empty());
        assert_eq!(l.node_count(), 0);
    }

    #[test]
    fn random_operations_match_a_vecdeque() {
        let mut rng = crate::util::Rng::new(7);
        for fill in [-2i64, -1, 1, 2, 5, 16] {
            let mut l = List::new(fill);
            let mut model: VecDeque<Vec<u8>> = VecDeque::new();
            for _ in 0..3000 {
                let v: Vec<u8> = match rng.below(4) {
                    0 => rng.below(300).to_string().into_bytes(),
                    1 => vec![b'x'; rng.below(3000) as usize],
                    2 => format!("s{}", rng.below(50)).into_bytes(),
                    _ => (rng.next_u64() as i64).to_string().into_bytes(),
                };
                match rng.below(9) {
                    0 => {
                        l.push_back(&v);
                        model.push_back(v);
                    }
                    1 => {
                        l.push_front(&v);
                        model.push_front(v);
                    }
                    2 => assert_eq!(l.pop_front(), model.pop_front()),
                    3 => assert_eq!(l.pop_back(), model.pop_back()),
                    4 if !model.is_empty() => {
                        let i = rng.below(model.len() as u64) as usize;
                        assert!(l.set(i as i64, &v));
                        model[i] = v;
                    }
                    5 if !model.is_empty() => {
                        let i = rng.below(model.len() as u64) as usize;
                        let pivot = model[i].clone();
                        let after = rng.below(2) == 0;
                        assert!(l.insert_near(&pivot, &v, after));
                        let at = model.iter().position(|x| *x == pivot).expect("pivot");
                        model.insert(if after { at + 1 } else { at }, v);
                    }
                    6 if !model.is_empty() => {
                        let i = rng.below(model.len() as u64) as usize;
                        let target = model[i].clone();
                        let count = rng.below(5) as i64 - 2;
                        let got = l.remove(&target, count);
                        let mut removed = 0;
                        if count >= 0 {
                            let mut j = 0;
                            while j < model.len() {
                                if model[j] == target && (count == 0 || removed < count) {
                                    model.remove(j);
                                    removed += 1;
                                } else {
                                    j += 1;
                                }
                            }
                        } else {
                            let mut j = model.len();
                            while j > 0 {
                                j -= 1;
                                if model[j] == target && removed < -count {
                                    model.remove(j);
                                    removed += 1;
                                }
                            }
                        }
                        assert_eq!(got as i64, removed);
                    }
                    7 if !model.is_empty() => {
                        let s = rng.below(model.len() as u64) as usize;
                        let c = rng.below(8) as usize;
                        l.delete_range(s, c);
                        let end = (s + c).min(model.len());
                        model.drain(s..end);
                    }
                    _ => {}
                }
                assert_eq!(l.len(), model.len());
            }
            check(&l);
            let got: Vec<Vec<u8>> = l.iter().map(LpItem::to_vec).collect();
            let want: Vec<Vec<u8>> = model.into_iter().collect();
            assert_eq!(got, want, "fill {fill}");
        }
    }

    #[test]
    fn large_lists_are_laid_out_as_in_redis() {
        // Node count and total listpack bytes of 200k-element lists with the default fill
        // (-2), checked against Redis 7.0.15's DEBUG OBJECT (ql_nodes, ql_uncompressed_size)
        // after the same RPUSH / LPUSH sequence. The listpacks are byte-identical, and a node
        // costs one 24-byte slot here against Redis's 32-byte quicklistNode, so a big list
        // never costs more per element than in Redis.
        let mut l = List::new(-2);
        for i in 0..200_000 {
            l.push_back(i.to_string().as_bytes());
        }
        assert_eq!((l.node_count(), l.listpack_bytes()), (118, 963_834));
        let mut l = List::new(-2);
        for i in 0..200_000 {
            l.push_front(format!("v{i:09}").as_bytes());
        }
        assert_eq!((l.node_count(), l.listpack_bytes()), (294, 2_402_058));
        assert_eq!(std::mem::size_of::<Node>(), 24);
    }

    #[test]
    fn equality_ignores_layout() {
        let mut a = List::new(2);
        let mut b = List::new(-2);
        for i in 0..10 {
            a.push_back(i.to_string().as_bytes());
            b.push_back(i.to_string().as_bytes());
        }
        assert_ne!(a.node_count(), b.node_count());
        assert_eq!(a, b);
        b.push_back(b"x");
        assert_ne!(a, b);
        let mut c = List::default();
        c.append_plain(b"1".to_vec());
        let mut d = List::default();
        d.push_back(b"1");
        assert_eq!(c, d);
    }
}
