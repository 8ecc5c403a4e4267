//! `SkipList`: the ordered half of a big sorted set (the other half is a `Dict` from member to
//! score). Elements are ordered by (score, member bytes); every link carries a *span* (how many
//! elements it jumps over), so the rank of an element and the element at a rank are found in
//! O(log n), as in Redis's `zskiplist`.
//!
//! Layout, in safe Rust: nodes live in one `Vec` (an arena) and refer to each other by `u32`
//! index. Index 0 is the header, which is never the target of a link, so a link of 0 means
//! "none". A node's level-0 link is stored in the node (every node has one, and its span is
//! always 1, so it is not stored); its links on levels 1 and up (a quarter of the nodes have
//! any) are a block in a second `Vec` of `(forward, span)` pairs. Freed nodes and freed blocks
//! go to free lists (blocks one list per size) and are reused; when most of the arena is free
//! the list is rebuilt compactly. Node levels are random with p = 1/4, at most 32.

use crate::key::Key;

const MAX_LEVEL: usize = 32;
/// "No node": the header's index, which no link points to.
const NIL: u32 = 0;
/// End of a free list of level blocks.
const NO_BLOCK: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Node {
    member: Key,
    score: f64,
    /// The previous node (NIL for the first one).
    backward: u32,
    /// The level-0 successor (NIL for the last); the next free node for a free one.
    next0: u32,
    /// Start of this node's block of links for levels 1.. in `levels` (when `height > 1`).
    upper: u32,
    /// Number of levels; 0 marks a free node.
    height: u8,
}

#[derive(Debug, Clone, Copy, Default)]
struct Level {
    forward: u32,
    span: u32,
}

/// A skip list with spans over (score, member) pairs. Members are unique (the caller keeps
/// the member-to-score dictionary that guarantees it).
#[derive(Debug, Clone)]
pub struct SkipList {
    nodes: Vec<Node>,
    levels: Vec<Level>,
    free_node: u32,
    /// Heads of the free lists of level blocks, by block size (1..32).
    free_blocks: [u32; MAX_LEVEL],
    tail: u32,
    len: usize,
    /// Levels in use (at least 1).
    level: usize,
    rng: u64,
    /// Heap bytes of the members that do not fit inline in their `Key`.
    member_heap: usize,
}

/// The path of an insertion or deletion: for each level, the last node before the position.
type Path = [u32; MAX_LEVEL];

impl SkipList {
    pub fn new(seed: u64) -> Self {
        let mut sl = SkipList {
            nodes: Vec::new(),
            levels: Vec::new(),
            free_node: NIL,
            free_blocks: [NO_BLOCK; MAX_LEVEL],
            tail: NIL,
            len: 0,
            level: 1,
            rng: seed | 1,
            member_heap: 0,
        };
        let upper = sl.alloc_block(MAX_LEVEL - 1);
        sl.nodes.push(Node {
            member: Key::new(b""),
            score: 0.0,
            backward: NIL,
            next0: NIL,
            upper,
            height: MAX_LEVEL as u8,
        });
        sl
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held (arena capacity included).
    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.levels.capacity() * std::mem::size_of::<Level>()
            + self.member_heap
    }

    // ----- links -----

    fn fwd(&self, x: u32, i: usize) -> u32 {
        let n = &self.nodes[x as usize];
        if i == 0 {
            n.next0
        } else {
            self.levels[n.upper as usize + i - 1].forward
        }
    }

    fn set_fwd(&mut self, x: u32, i: usize, to: u32) {
        if i == 0 {
            self.nodes[x as usize].next0 = to;
        } else {
            let at = self.nodes[x as usize].upper as usize + i - 1;
            self.levels[at].forward = to;
        }
    }

    /// Span of the link of `x` at level `i` (level 0 links always span 1).
    fn span(&self, x: u32, i: usize) -> u32 {
        if i == 0 {
            1
        } else {
            self.levels[self.nodes[x as usize].upper as usize + i - 1].span
        }
    }

    fn set_span(&mut self, x: u32, i: usize, span: u32) {
        if i > 0 {
            let at = self.nodes[x as usize].upper as usize + i - 1;
            self.levels[at].span = span;
        }
    }

    fn random_level(&mut self) -> usize {
        // xorshift64*; each pair of trailing zero bits is one more level (p = 1/4).
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (1 + r.trailing_zeros() as usize / 2).min(MAX_LEVEL)
    }

    // ----- arena -----

    fn alloc_block(&mut self, size: usize) -> u32 {
        if size == 0 {
            return 0;
        }
        let head = self.free_blocks[size];
        if head != NO_BLOCK {
            self.free_blocks[size] = self.levels[head as usize].forward;
            for l in &mut self.levels[head as usize..head as usize + size] {
                *l = Level::default();
            }
            return head;
        }
        let at = self.levels.len() as u32;
        self.levels
            .resize(self.levels.len() + size, Level::default());
        at
    }

    fn free_block(&mut self, at: u32, size: usize) {
        if size > 0 {
            self.levels[at as usize].forward = self.free_blocks[size];
            self.free_blocks[size] = at;
        }
    }

    fn alloc_node(&mut self, height: usize, score: f64, member: Key) -> u32 {
        let upper = self.alloc_block(height - 1);
        self.member_heap += member.heap_size();
        let node = Node {
            member,
            score,
            backward: NIL,
            next0: NIL,
            upper,
            height: height as u8,
        };
        if self.free_node != NIL {
            let x = self.free_node;
            self.free_node = self.nodes[x as usize].next0;
            self.nodes[x as usize] = node;
            x
        } else {
            let x = self.nodes.len();
            assert!(x < u32::MAX as usize, "sorted set too large");
            self.nodes.push(node);
            x as u32
        }
    }

    /// Frees a node already unlinked; returns its member.
    fn free_node(&mut self, x: u32) -> Key {
        let (upper, height) = {
            let n = &self.nodes[x as usize];
            (n.upper, n.height as usize)
        };
        self.free_block(upper, height - 1);
        let free_head = self.free_node;
        let n = &mut self.nodes[x as usize];
        let member = std::mem::replace(&mut n.member, Key::new(b""));
        n.height = 0;
        n.next0 = free_head;
        self.free_node = x;
        self.member_heap -= member.heap_size();
        member
    }

    // ----- ordering -----

    /// Whether node `x` sorts before (score, member).
    fn before(&self, x: u32, score: f64, member: &[u8]) -> bool {
        let n = &self.nodes[x as usize];
        n.score < score || (n.score == score && n.member.as_bytes() < member)
    }

    /// The path to (score, member): for each level the last node sorting before it, and the
    /// rank of that node on each level.
    fn path(&self, score: f64, member: &[u8]) -> (Path, [u32; MAX_LEVEL]) {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut x = NIL;
        for i in (0..self.level).rev() {
            rank[i] = if i + 1 == self.level { 0 } else { rank[i + 1] };
            loop {
                let f = self.fwd(x, i);
                if f != NIL && self.before(f, score, member) {
                    rank[i] += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        (update, rank)
    }

    // ----- updates -----

    /// Inserts an element that is not present. Returns its node.
    pub fn insert(&mut self, score: f64, member: Key) -> u32 {
        let (mut update, mut rank) = self.path(score, member.as_bytes());
        let height = self.random_level();
        if height > self.level {
            for i in self.level..height {
                rank[i] = 0;
                update[i] = NIL;
                self.set_span(NIL, i, self.len as u32);
            }
            self.level = height;
        }
        let x = self.alloc_node(height, score, member);
        for i in 0..height {
            let u = update[i];
            self.set_fwd(x, i, self.fwd(u, i));
            self.set_fwd(u, i, x);
            if i > 0 {
                let d = rank[0] - rank[i];
                self.set_span(x, i, self.span(u, i).wrapping_sub(d));
                self.set_span(u, i, d + 1);
            }
        }
        for (i, &u) in update
            .iter()
            .enumerate()
            .take(self.level)
            .skip(height.max(1))
        {
            self.set_span(u, i, self.span(u, i).wrapping_add(1));
        }
        self.nodes[x as usize].backward = update[0];
        let next = self.nodes[x as usize].next0;
        if next != NIL {
            self.nodes[next as usize].backward = x;
        } else {
            self.tail = x;
        }
        self.len += 1;
        x
    }

    /// Unlinks node `x` given the path to it (does not free it).
    fn unlink(&mut self, x: u32, update: &Path) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            if self.fwd(u, i) == x {
                if i > 0 {
                    let s = self.span(u, i) + self.span(x, i) - 1;
                    self.set_span(u, i, s);
                }
                self.set_fwd(u, i, self.fwd(x, i));
            } else if i > 0 {
                self.set_span(u, i, self.span(u, i).wrapping_sub(1));
            }
        }
        let (next, back) = {
            let n = &self.nodes[x as usize];
            (n.next0, n.backward)
        };
        if next != NIL {
            self.nodes[next as usize].backward = back;
        } else {
            self.tail = back;
        }
        while self.level > 1 && self.fwd(NIL, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Finds the node holding exactly (score, member) and its path.
    fn locate(&self, score: f64, member: &[u8]) -> Option<(u32, Path)> {
        let (update, _) = self.path(score, member);
        let x = self.fwd(update[0], 0);
        if x != NIL {
            let n = &self.nodes[x as usize];
            if n.score == score && n.member.as_bytes() == member {
                return Some((x, update));
            }
        }
        None
    }

    /// Removes (score, member); returns the member's key if it was there.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> Option<Key> {
        let (x, update) = self.locate(score, member)?;
        self.unlink(x, &update);
        let key = self.free_node(x);
        self.compact_if_sparse();
        Some(key)
    }

    /// Moves `member` from `old` to `new` score. The node stays where it is when the order
    /// allows it; otherwise it is removed and inserted again.
    pub fn update_score(&mut self, old: f64, member: &[u8], new: f64) {
        let Some((x, update)) = self.locate(old, member) else {
            return;
        };
        let (back, next) = {
            let n = &self.nodes[x as usize];
            (n.backward, n.next0)
        };
        let fits_after = back == NIL || self.nodes[back as usize].score < new;
        let fits_before = next == NIL || self.nodes[next as usize].score > new;
        if fits_after && fits_before {
            self.nodes[x as usize].score = new;
            return;
        }
        self.unlink(x, &update);
        let key = self.free_node(x);
        self.insert(new, key);
    }

    /// Removes the elements of 1-based ranks `start..=end`, calling `removed` with each
    /// member. Returns how many were removed.
    pub fn remove_rank_range(
        &mut self,
        start: usize,
        end: usize,
        mut removed: impl FnMut(Key, f64),
    ) -> usize {
        let mut update = [NIL; MAX_LEVEL];
        let mut traversed = 0usize;
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && traversed + (self.span(x, i) as usize) < start {
                    traversed += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        traversed += 1;
        x = self.fwd(x, 0);
        let mut n = 0;
        while x != NIL && traversed <= end {
            let next = self.nodes[x as usize].next0;
            self.unlink(x, &update);
            let score = self.nodes[x as usize].score;
            let key = self.free_node(x);
            removed(key, score);
            n += 1;
            traversed += 1;
            x = next;
        }
        self.compact_if_sparse();
        n
    }

    /// Rebuilds the arena when three quarters of it are free slots.
    fn compact_if_sparse(&mut self) {
        let slots = self.nodes.len();
        if slots < 1024 || self.len * 4 >= slots {
            return;
        }
        let mut fresh = SkipList::new(self.rng);
        fresh.nodes.reserve_exact(self.len);
        // From the last to the first: each insertion lands right after the header.
        let mut x = self.tail;
        while x != NIL {
            let n = &mut self.nodes[x as usize];
            let member = std::mem::replace(&mut n.member, Key::new(b""));
            let (score, back) = (n.score, n.backward);
            fresh.insert(score, member);
            x = back;
        }
        *self = fresh;
    }

    // ----- queries -----

    pub fn first(&self) -> Option<u32> {
        let x = self.fwd(NIL, 0);
        (x != NIL).then_some(x)
    }

    pub fn last(&self) -> Option<u32> {
        (self.tail != NIL).then_some(self.tail)
    }

    pub fn next(&self, x: u32) -> Option<u32> {
        let n = self.nodes[x as usize].next0;
        (n != NIL).then_some(n)
    }

    pub fn prev(&self, x: u32) -> Option<u32> {
        let b = self.nodes[x as usize].backward;
        (b != NIL).then_some(b)
    }

    pub fn score(&self, x: u32) -> f64 {
        self.nodes[x as usize].score
    }

    pub fn member(&self, x: u32) -> &[u8] {
        self.nodes[x as usize].member.as_bytes()
    }

    /// The 1-based rank of (score, member), if present.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut x = NIL;
        let mut rank = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if n.score < score || (n.score == score && n.member.as_bytes() <= member) {
                    rank += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            let n = &self.nodes[x as usize];
            if x != NIL && n.score == score && n.member.as_bytes() == member {
                return Some(rank);
            }
        }
        None
    }

    /// The node of 1-based `rank`.
    pub fn by_rank(&self, rank: usize) -> Option<u32> {
        if rank == 0 || rank > self.len {
            return None;
        }
        let mut x = NIL;
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && traversed + self.span(x, i) as usize <= rank {
                    traversed += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            if traversed == rank {
                return Some(x);
            }
        }
        None
    }

    /// The first node for which `below` is false (elements are sorted, so `below` must be true
    /// for a prefix), with its 1-based rank.
    pub fn first_not_below(&self, below: impl Fn(f64, &[u8]) -> bool) -> Option<(u32, usize)> {
        let mut x = NIL;
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if below(n.score, n.member.as_bytes()) {
                    traversed += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
        }
        let f = self.fwd(x, 0);
        (f != NIL).then_some((f, traversed + 1))
    }

    /// The last node for which `within` is true (true for a prefix), with its 1-based rank.
    pub fn last_within(&self, within: impl Fn(f64, &[u8]) -> bool) -> Option<(u32, usize)> {
        let mut x = NIL;
        let mut traversed = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if within(n.score, n.member.as_bytes()) {
                    traversed += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
        }
        (x != NIL).then_some((x, traversed))
    }

    /// Checks every invariant (order, spans, backward links, free lists); for tests.
    #[cfg(test)]
    pub fn check(&self) {
        let mut count = 0;
        let mut x = self.fwd(NIL, 0);
        let mut prev = NIL;
        let mut ranks = std::collections::HashMap::new();
        while x != NIL {
            count += 1;
            ranks.insert(x, count);
            assert_eq!(self.nodes[x as usize].backward, prev);
            if prev != NIL {
                assert!(self.before(prev, self.score(x), self.member(x)));
            }
            prev = x;
            x = self.fwd(x, 0);
        }
        assert_eq!(count, self.len);
        assert_eq!(self.tail, prev);
        for i in 1..self.level {
            let mut x = NIL;
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let from = if x == NIL { 0 } else { ranks[&x] };
                assert_eq!(self.span(x, i) as usize, ranks[&f] - from, "level {i}");
                x = f;
            }
        }
        for i in self.level..MAX_LEVEL {
            assert_eq!(self.fwd(NIL, i), NIL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(sl: &SkipList) -> Vec<(f64, Vec<u8>)> {
        let mut out = Vec::new();
        let mut x = sl.first();
        while let Some(n) = x {
            out.push((sl.score(n), sl.member(n).to_vec()));
            x = sl.next(n);
        }
        out
    }

    #[test]
    fn insert_rank_remove_against_a_model() {
        let mut sl = SkipList::new(42);
        let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut state = 0x1234_5678_9ABC_DEF0u64;
        let mut rnd = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for step in 0..6000 {
            let m = format!("m{}", rnd() % 700).into_bytes();
            let s = (rnd() % 50) as f64;
            let pos = model.iter().position(|(_, mm)| *mm == m);
            match (pos, step % 5) {
                (Some(p), 0) => {
                    let (old, _) = model.remove(p);
                    assert!(sl.remove(old, &m).is_some());
                }
                (Some(p), _) => {
                    let old = model[p].0;
                    sl.update_score(old, &m, s);
                    model[p].0 = s;
                }
                (None, _) => {
                    sl.insert(s, Key::new(&m));
                    model.push((s, m));
                }
            }
            if step % 500 == 0 {
                sl.check();
            }
        }
        model.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        assert_eq!(collect(&sl), model);
        sl.check();
        for (i, (s, m)) in model.iter().enumerate() {
            assert_eq!(sl.rank(*s, m), Some(i + 1));
            let x = sl.by_rank(i + 1).expect("rank");
            assert_eq!(sl.member(x), &m[..]);
        }
        assert_eq!(sl.rank(1000.0, b"zz"), None);
        assert_eq!(sl.by_rank(model.len() + 1), None);
        // Reverse walk.
        let mut back = Vec::new();
        let mut x = sl.last();
        while let Some(n) = x {
            back.push(sl.member(n).to_vec());
            x = sl.prev(n);
        }
        back.reverse();
        assert_eq!(
            back,
            model.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn range_searches_and_rank_deletion() {
        let mut sl = SkipList::new(7);
        for i in 0..2000 {
            sl.insert(i as f64, Key::new(format!("{i:04}").as_bytes()));
        }
        let (x, r) = sl.first_not_below(|s, _| s < 250.5).expect("found");
        assert_eq!((sl.score(x), r), (251.0, 252));
        let (x, r) = sl.last_within(|s, _| s <= 700.0).expect("found");
        assert_eq!((sl.score(x), r), (700.0, 701));
        assert!(sl.first_not_below(|_, _| true).is_none());
        assert!(sl.last_within(|_, _| false).is_none());
        let mut gone = Vec::new();
        let n = sl.remove_rank_range(11, 1990, |k, _| gone.push(k));
        assert_eq!(n, 1980);
        assert_eq!(gone.len(), 1980);
        assert_eq!(sl.len(), 20);
        sl.check();
        // The arena was compacted.
        assert!(sl.nodes.len() < 100);
        let all: Vec<f64> = collect(&sl).into_iter().map(|(s, _)| s).collect();
        assert_eq!(all[9], 9.0);
        assert_eq!(all[10], 1990.0);
    }

    #[test]
    fn free_slots_are_reused() {
        let mut sl = SkipList::new(3);
        for i in 0..500 {
            sl.insert(i as f64, Key::new(format!("{i}").as_bytes()));
        }
        let (nodes, levels) = (sl.nodes.len(), sl.levels.len());
        for round in 0..20 {
            for i in 0..500 {
                let m = format!("{i}");
                assert!(sl.remove((i + round * 1000) as f64, m.as_bytes()).is_some());
                sl.insert((i + (round + 1) * 1000) as f64, Key::new(m.as_bytes()));
            }
        }
        sl.check();
        assert_eq!(sl.nodes.len(), nodes);
        // Blocks are reused by size; the pool only grows by what the level mix needs.
        assert!(
            sl.levels.len() < levels + 400,
            "{} vs {}",
            sl.levels.len(),
            levels
        );
    }
}
