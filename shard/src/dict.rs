//! `Dict`: the chained hash table behind every keyspace (and, later, big hashes and sets).
//!
//! Why not `std::collections::HashMap`: Redis's SCAN guarantee ("every element present for the
//! whole scan is returned at least once, even if the table grows or shrinks between calls")
//! needs a cursor over bucket indices, walked in reverse-binary order, which an open-addressing
//! table cannot give. Growth must also not stall the shard: a table of millions of keys is
//! rehashed incrementally, a few buckets per write and a bounded slice per cron tick, with
//! lookups consulting both tables meanwhile.
//!
//! Shape: two power-of-two bucket arrays (`tables[1]` is only populated while rehashing), each
//! bucket a singly linked chain of boxed nodes. Load factor 1 triggers growth; the shard cron
//! shrinks tables under 10% fill.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use crate::key::Key;

type Link<V> = Option<Box<Node<V>>>;

/// `repr(C)` keeps the key first and the link last, so that touching both brings a whole
/// node (key, value and link, at most two cache lines) into cache ([`Dict::warm_head`]).
#[repr(C)]
struct Node<V> {
    key: Key,
    val: V,
    next: Link<V>,
}

struct Table<V> {
    buckets: Vec<Link<V>>,
    used: usize,
}

impl<V> Table<V> {
    fn empty() -> Self {
        Table {
            buckets: Vec::new(),
            used: 0,
        }
    }

    fn with_size(size: usize) -> Self {
        let mut buckets = Vec::with_capacity(size);
        buckets.resize_with(size, || None);
        Table { buckets, used: 0 }
    }

    fn mask(&self) -> u64 {
        (self.buckets.len() as u64).wrapping_sub(1)
    }

    fn bucket_of(&self, hash: u64) -> usize {
        (hash & self.mask()) as usize
    }

    fn find(&self, hash: u64, key: &[u8]) -> Option<&Node<V>> {
        if self.buckets.is_empty() {
            return None;
        }
        let mut cur = self.buckets[self.bucket_of(hash)].as_deref();
        while let Some(node) = cur {
            if node.key.as_bytes() == key {
                return Some(node);
            }
            cur = node.next.as_deref();
        }
        None
    }

    fn find_mut(&mut self, hash: u64, key: &[u8]) -> Option<&mut Node<V>> {
        if self.buckets.is_empty() {
            return None;
        }
        let idx = self.bucket_of(hash);
        let mut cur = self.buckets[idx].as_deref_mut();
        while let Some(node) = cur {
            if node.key.as_bytes() == key {
                return Some(node);
            }
            cur = node.next.as_deref_mut();
        }
        None
    }

    fn unlink(&mut self, hash: u64, key: &[u8]) -> Option<Box<Node<V>>> {
        if self.buckets.is_empty() {
            return None;
        }
        let idx = self.bucket_of(hash);
        let mut link = &mut self.buckets[idx];
        loop {
            let found = match link.as_deref() {
                None => return None,
                Some(node) => node.key.as_bytes() == key,
            };
            if found {
                let mut node = link.take()?;
                *link = node.next.take();
                self.used -= 1;
                return Some(node);
            }
            link = &mut link.as_mut()?.next;
        }
    }

    fn push_front(&mut self, hash: u64, mut node: Box<Node<V>>) {
        let idx = self.bucket_of(hash);
        node.next = self.buckets[idx].take();
        self.buckets[idx] = Some(node);
        self.used += 1;
    }
}

/// The process's secret hash seed: 128 random bits, drawn once (from the same source as the
/// standard library's `RandomState`).
fn seed() -> (u64, u64) {
    static SEED: OnceLock<(u64, u64)> = OnceLock::new();
    *SEED.get_or_init(|| {
        let rs = RandomState::new();
        (rs.hash_one(0x5eed_u64), rs.hash_one(0xc0de_u64))
    })
}

/// The hash the dictionaries use for `key`: SipHash-1-2 under the process's secret seed,
/// Redis's own choice. A keyed hash keeps clients from choosing keys that collide (hash
/// flooding); one compression round and two finalization rounds, run straight over the
/// bytes, cost about half of the standard library's SipHash-1-3 through its `Hasher`.
pub fn hash_key(key: &[u8]) -> u64 {
    let (k0, k1) = seed();
    siphash::<1, 2>(k0, k1, key)
}

/// SipHash-c-d (Aumasson and Bernstein) of `data` under the key `(k0, k1)`, little-endian.
fn siphash<const C: usize, const D: usize>(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v0 = k0 ^ 0x736f_6d65_7073_6575;
    let mut v1 = k1 ^ 0x646f_7261_6e64_6f6d;
    let mut v2 = k0 ^ 0x6c79_6765_6e65_7261;
    let mut v3 = k1 ^ 0x7465_6462_7974_6573;
    macro_rules! rounds {
        ($n:expr) => {
            for _ in 0..$n {
                v0 = v0.wrapping_add(v1);
                v1 = v1.rotate_left(13) ^ v0;
                v0 = v0.rotate_left(32);
                v2 = v2.wrapping_add(v3);
                v3 = v3.rotate_left(16) ^ v2;
                v0 = v0.wrapping_add(v3);
                v3 = v3.rotate_left(21) ^ v0;
                v2 = v2.wrapping_add(v1);
                v1 = v1.rotate_left(17) ^ v2;
                v2 = v2.rotate_left(32);
            }
        };
    }
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let m = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        v3 ^= m;
        rounds!(C);
        v0 ^= m;
    }
    // The last word: the remaining bytes, and the length's low byte on top.
    let tail = words.remainder();
    let mut m = (data.len() as u64) << 56;
    for (i, &b) in tail.iter().enumerate() {
        m |= u64::from(b) << (8 * i);
    }
    v3 ^= m;
    rounds!(C);
    v0 ^= m;
    v2 ^= 0xff;
    rounds!(D);
    v0 ^ v1 ^ v2 ^ v3
}

const INITIAL_SIZE: usize = 4;
/// Buckets migrated per write while a rehash is in progress.
const REHASH_STEP: usize = 1;

/// A hash table from [`Key`] to `V` with incremental rehashing and a stable scan cursor.
pub struct Dict<V> {
    tables: [Table<V>; 2],
    /// Next bucket of `tables[0]` to migrate, while rehashing.
    rehash_idx: Option<usize>,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Dict<V> {
    pub fn new() -> Self {
        Dict {
            tables: [Table::empty(), Table::empty()],
            rehash_idx: None,
        }
    }

    pub fn len(&self) -> usize {
        self.tables[0].used + self.tables[1].used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total bucket slots (for INFO and memory accounting).
    pub fn buckets(&self) -> usize {
        self.tables[0].buckets.len() + self.tables[1].buckets.len()
    }

    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.get_key_value(key).map(|(_, v)| v)
    }

    pub fn get_key_value(&self, key: &[u8]) -> Option<(&Key, &V)> {
        self.get_key_value_hashed(hash_key(key), key)
    }

    /// Lookup with a precomputed [`hash_key`] (saves hashing twice when the caller needs a
    /// shared look before a mutable one).
    pub fn get_key_value_hashed(&self, h: u64, key: &[u8]) -> Option<(&Key, &V)> {
        let node = match self.tables[0].find(h, key) {
            Some(n) => Some(n),
            None if self.rehash_idx.is_some() => self.tables[1].find(h, key),
            None => None,
        };
        node.map(|n| (&n.key, &n.val))
    }

    /// Loads the bucket slot(s) `h` falls in, so that a lookup shortly after does not wait
    /// for memory. Warming a run of keys first (`warm_bucket` for all, then
    /// [`Dict::warm_head`] for all) lets their cache misses overlap instead of queueing one
    /// behind the other, which is where a pipeline of lookups in a large table spends its
    /// time. Touching is plain loads (no prefetch intrinsics, no unsafe): issued back to back
    /// they are in flight together.
    pub fn warm_bucket(&self, h: u64) {
        for t in self.live_tables() {
            std::hint::black_box(t.buckets[t.bucket_of(h)].is_some());
        }
    }

    /// Loads the first node of `h`'s bucket(s) (its first and last word): after
    /// [`Dict::warm_bucket`] had time to bring the slot in.
    pub fn warm_head(&self, h: u64) {
        for t in self.live_tables() {
            if let Some(n) = t.buckets[t.bucket_of(h)].as_deref() {
                std::hint::black_box(n.key.len());
                std::hint::black_box(n.next.is_some());
            }
        }
    }

    /// The tables a lookup may consult (non-empty ones; the second only while rehashing).
    fn live_tables(&self) -> impl Iterator<Item = &Table<V>> {
        let n = if self.rehash_idx.is_some() { 2 } else { 1 };
        self.tables[..n].iter().filter(|t| !t.buckets.is_empty())
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.get_mut_hashed(hash_key(key), key)
    }

    pub fn get_mut_hashed(&mut self, h: u64, key: &[u8]) -> Option<&mut V> {
        let rehashing = self.rehash_idx.is_some();
        let [t0, t1] = &mut self.tables;
        if let Some(n) = t0.find_mut(h, key) {
            return Some(&mut n.val);
        }
        if rehashing {
            return t1.find_mut(h, key).map(|n| &mut n.val);
        }
        None
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: &[u8], val: V) -> Option<V> {
        if let Some(slot) = self.get_mut(key) {
            return Some(std::mem::replace(slot, val));
        }
        self.insert_new(Key::new(key), val);
        None
    }

    /// Inserts a key known to be absent (the caller just looked it up).
    pub fn insert_new(&mut self, key: Key, val: V) {
        self.rehash_steps(REHASH_STEP);
        self.expand_if_needed();
        let h = hash_key(key.as_bytes());
        let node = Box::new(Node {
            key,
            val,
            next: None,
        });
        let t = if self.rehash_idx.is_some() { 1 } else { 0 };
        self.tables[t].push_front(h, node);
    }

    /// Returns the value for `key`, inserting `make()` first if absent; the flag says whether it
    /// was inserted.
    pub fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> V) -> (&mut V, bool) {
        let inserted = if self.get(key).is_none() {
            self.insert_new(Key::new(key), make());
            true
        } else {
            false
        };
        match self.get_mut(key) {
            Some(v) => (v, inserted),
            None => unreachable!("key present after insert"),
        }
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry(&mut self, key: &[u8]) -> Option<(Key, V)> {
        self.rehash_steps(REHASH_STEP);
        let h = hash_key(key);
        let node = match self.tables[0].unlink(h, key) {
            Some(n) => Some(n),
            None if self.rehash_idx.is_some() => self.tables[1].unlink(h, key),
            None => None,
        }?;
        let node = *node;
        Some((node.key, node.val))
    }

    /// Removes everything, returning the old contents as a dict (so a caller can drop it
    /// elsewhere, e.g. in the background for FLUSHALL ASYNC).
    pub fn take(&mut self) -> Dict<V> {
        std::mem::take(self)
    }

    pub fn clear(&mut self) {
        *self = Dict::new();
    }

    fn expand_if_needed(&mut self) {
        if self.rehash_idx.is_some() {
            return;
        }
        let size = self.tables[0].buckets.len();
        if size == 0 {
            self.tables[0] = Table::with_size(INITIAL_SIZE);
        } else if self.tables[0].used >= size {
            self.resize_to((self.tables[0].used + 1).next_power_of_two());
        }
    }

    /// Starts a rehash into a table of `size` buckets (a power of two).
    fn resize_to(&mut self, size: usize) {
        if self.rehash_idx.is_some() || size == self.tables[0].buckets.len() {
            return;
        }
        self.tables[1] = Table::with_size(size);
        self.rehash_idx = Some(0);
        if self.tables[0].used == 0 {
            self.finish_rehash();
        }
    }

    /// Shrinks a sparse table (under 10% full), as the server cron does. Returns whether a
    /// rehash was started.
    pub fn shrink_if_needed(&mut self) -> bool {
        let size = self.tables[0].buckets.len();
        if self.rehash_idx.is_some() || size <= INITIAL_SIZE {
            return false;
        }
        let used = self.tables[0].used;
        if used * 100 / size >= 10 {
            return false;
        }
        let target = used.max(INITIAL_SIZE).next_power_of_two();
        if target >= size {
            return false;
        }
        self.resize_to(target);
        true
    }

    fn finish_rehash(&mut self) {
        self.tables[0] = std::mem::replace(&mut self.tables[1], Table::empty());
        self.rehash_idx = None;
    }

    /// Migrates up to `n` non-empty buckets; returns whether a rehash is still in progress.
    pub fn rehash_steps(&mut self, n: usize) -> bool {
        let Some(mut idx) = self.rehash_idx else {
            return false;
        };
        let mut moved = 0;
        let mut empty_visits = n * 10;
        let [t0, t1] = &mut self.tables;
        while moved < n && t0.used > 0 && idx < t0.buckets.len() {
            let mut chain = t0.buckets[idx].take();
            if chain.is_none() {
                idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    break;
                }
                continue;
            }
            while let Some(mut node) = chain {
                chain = node.next.take();
                let h = hash_key(node.key.as_bytes());
                t0.used -= 1;
                t1.push_front(h, node);
            }
            idx += 1;
            moved += 1;
        }
        if t0.used == 0 {
            self.finish_rehash();
            false
        } else {
            self.rehash_idx = Some(idx);
            true
        }
    }

    /// One step of a SCAN: visits the bucket(s) under `cursor` and returns the next cursor
    /// (0 when the walk is complete). Every key present from the first call to the last is
    /// visited at least once, whatever resizes happen between calls; a key may be visited twice.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(&Key, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        let emit = |t: &Table<V>, idx: usize, visit: &mut dyn FnMut(&Key, &V)| {
            let mut cur = t.buckets[idx].as_deref();
            while let Some(node) = cur {
                visit(&node.key, &node.val);
                cur = node.next.as_deref();
            }
        };
        if self.rehash_idx.is_none() {
            let t0 = &self.tables[0];
            let m0 = t0.mask();
            emit(t0, (v & m0) as usize, &mut visit);
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
        } else {
            let (small, large) = if self.tables[0].buckets.len() <= self.tables[1].buckets.len() {
                (&self.tables[0], &self.tables[1])
            } else {
                (&self.tables[1], &self.tables[0])
            };
            let m0 = small.mask();
            let m1 = large.mask();
            emit(small, (v & m0) as usize, &mut visit);
            loop {
                emit(large, (v & m1) as usize, &mut visit);
                v |= !m1;
                v = v.reverse_bits().wrapping_add(1).reverse_bits();
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// A random entry (bucket-then-chain sampling, like Redis's dictGetRandomKey), using the
    /// caller's random source.
    pub fn random_entry(&self, rng: &mut impl FnMut() -> u64) -> Option<(&Key, &V)> {
        if self.is_empty() {
            return None;
        }
        // Pick a random non-empty bucket, considering both tables while rehashing.
        let bucket = loop {
            let r = rng();
            let t0 = &self.tables[0];
            if let Some(idx) = self.rehash_idx {
                let t1 = &self.tables[1];
                let span = t0.buckets.len() - idx + t1.buckets.len();
                let pick = idx + (r % span as u64) as usize;
                let b = if pick < t0.buckets.len() {
                    t0.buckets[pick].as_deref()
                } else {
                    t1.buckets[pick - t0.buckets.len()].as_deref()
                };
                if b.is_some() {
                    break b;
                }
            } else {
                let b = t0.buckets[(r & t0.mask()) as usize].as_deref();
                if b.is_some() {
                    break b;
                }
            }
        };
        let mut len = 0usize;
        let mut cur = bucket;
        while let Some(n) = cur {
            len += 1;
            cur = n.next.as_deref();
        }
        let mut skip = (rng() % len as u64) as usize;
        let mut cur = bucket;
        while let Some(n) = cur {
            if skip == 0 {
                return Some((&n.key, &n.val));
            }
            skip -= 1;
            cur = n.next.as_deref();
        }
        None
    }

    /// Iterates over every entry (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &V)> + '_ {
        self.tables.iter().flat_map(|t| {
            t.buckets.iter().flat_map(|b| {
                let mut cur = b.as_deref();
                std::iter::from_fn(move || {
                    let n = cur?;
                    cur = n.next.as_deref();
                    Some((&n.key, &n.val))
                })
            })
        })
    }
}

impl<V: Clone> Clone for Dict<V> {
    /// A copy with the same entries (rebuilt, so the copy is never mid-rehash).
    fn clone(&self) -> Self {
        let mut d = Dict::new();
        if !self.is_empty() {
            d.tables[0] = Table::with_size(self.len().next_power_of_two().max(INITIAL_SIZE));
        }
        for (k, v) in self.iter() {
            let h = hash_key(k.as_bytes());
            d.tables[0].push_front(
                h,
                Box::new(Node {
                    key: k.clone(),
                    val: v.clone(),
                    next: None,
                }),
            );
        }
        d
    }
}

impl<V: PartialEq> PartialEq for Dict<V> {
    /// Same keys with equal values, whatever the table layout.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k.as_bytes()).is_some_and(|o| o == v))
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Drop for Dict<V> {
    fn drop(&mut self) {
        // Unlink chains iteratively so a long chain can never overflow the stack.
        for t in &mut self.tables {
            for b in &mut t.buckets {
                let mut cur = b.take();
                while let Some(mut n) = cur {
                    cur = n.next.take();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn k(i: usize) -> Vec<u8> {
        format!("key:{i}").into_bytes()
    }

    #[test]
    fn siphash_matches_the_reference_and_the_standard_library() {
        // The paper's test vectors: key 00..0f, message 00..(n-1).
        let (k0, k1) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        let msg: Vec<u8> = (0..64u8).collect();
        assert_eq!(siphash::<2, 4>(k0, k1, &[]), 0x726f_db47_dd0e_0e31);
        assert_eq!(siphash::<2, 4>(k0, k1, &msg[..1]), 0x74f8_39c5_93dc_67fd);
        // Every length around the word boundaries, against std's SipHash-2-4 and -1-3
        // (`DefaultHasher::new()` is SipHash-1-3 under the zero key).
        #[allow(deprecated)]
        for n in 0..=msg.len() {
            use std::hash::Hasher;
            let mut h = std::hash::SipHasher::new_with_keys(k0, k1);
            h.write(&msg[..n]);
            assert_eq!(
                siphash::<2, 4>(k0, k1, &msg[..n]),
                h.finish(),
                "2-4, {n} bytes"
            );
            let mut h = std::hash::DefaultHasher::new();
            h.write(&msg[..n]);
            assert_eq!(
                siphash::<1, 3>(0, 0, &msg[..n]),
                h.finish(),
                "1-3, {n} bytes"
            );
        }
        assert_ne!(hash_key(b"a"), hash_key(b"b"));
        assert_eq!(hash_key(b"key:1"), hash_key(b"key:1"));
    }

    #[test]
    fn insert_get_remove_through_growth() {
        let mut d = Dict::new();
        for i in 0..10_000 {
            assert!(d.insert(&k(i), i).is_none());
        }
        assert_eq!(d.len(), 10_000);
        for i in 0..10_000 {
            assert_eq!(d.get(&k(i)), Some(&i));
        }
        assert_eq!(d.insert(&k(5), 55), Some(5));
        for i in (0..10_000).step_by(2) {
            assert!(d.remove(&k(i)).is_some());
        }
        assert_eq!(d.len(), 5_000);
        assert!(d.get(&k(4)).is_none());
        assert_eq!(d.get(&k(7)), Some(&7));
        while d.rehash_steps(100) {}
        assert_eq!(d.iter().count(), 5_000);
    }

    /// Warming is a hint: on an empty table, mid-rehash (both tables live) and for absent
    /// keys it touches only valid slots and changes nothing.
    #[test]
    fn warming_is_harmless_in_every_table_state() {
        let mut d: Dict<usize> = Dict::new();
        d.warm_bucket(hash_key(b"nothing"));
        d.warm_head(hash_key(b"nothing"));
        for i in 0..1000 {
            d.insert(&k(i), i);
        }
        d.insert(&k(1000), 1000);
        assert!(d.is_rehashing() || d.len() == 1001);
        for i in 0..1100 {
            let h = hash_key(&k(i));
            d.warm_bucket(h);
            d.warm_head(h);
        }
        for i in 0..1001 {
            assert_eq!(d.get(&k(i)), Some(&i));
        }
        assert!(d.get(&k(1050)).is_none());
    }

    #[test]
    fn shrink_keeps_everything() {
        let mut d = Dict::new();
        for i in 0..4096 {
            d.insert(&k(i), i);
        }
        for i in 0..4000 {
            d.remove(&k(i));
        }
        while d.rehash_steps(100) {}
        assert!(d.shrink_if_needed());
        while d.rehash_steps(1) {}
        assert!(d.buckets() <= 128);
        for i in 4000..4096 {
            assert_eq!(d.get(&k(i)), Some(&i));
        }
    }

    /// SCAN's guarantee: keys present for the whole walk are seen, even when the table grows or
    /// shrinks (and is mid-rehash) between calls.
    #[test]
    fn scan_survives_resizes() {
        for phase in 0..3 {
            let mut d = Dict::new();
            for i in 0..1000 {
                d.insert(&k(i), i);
            }
            while d.rehash_steps(1000) {}
            let mut seen = HashSet::new();
            let mut cursor = 0;
            let mut step = 0;
            loop {
                cursor = d.scan(cursor, |key, _| {
                    seen.insert(key.as_bytes().to_vec());
                });
                step += 1;
                match phase {
                    // grow (and be mid-rehash) during the first part of the walk
                    0 if step % 3 == 0 && step < 60 => {
                        for i in 0..50 {
                            d.insert(&k(100_000 + step * 100 + i), 0);
                        }
                    }
                    // grow, then shrink back, during the walk
                    1 if step == 5 => {
                        for i in 0..5000 {
                            d.insert(&k(200_000 + i), 0);
                        }
                    }
                    1 if step == 40 => {
                        for i in 0..5000 {
                            d.remove(&k(200_000 + i));
                        }
                        while d.rehash_steps(1000) {}
                        d.shrink_if_needed();
                    }
                    _ => {}
                }
                if cursor == 0 {
                    break;
                }
            }
            for i in 0..1000 {
                assert!(seen.contains(&k(i)), "phase {phase}: missed key {i}");
            }
        }
    }

    #[test]
    fn clone_and_eq() {
        let mut d = Dict::new();
        for i in 0..100 {
            d.insert(&k(i), i);
        }
        let c = d.clone();
        assert_eq!(c, d);
        assert_eq!(c.len(), 100);
        let mut e = c.clone();
        e.insert(&k(5), 0);
        assert_ne!(e, d);
    }

    #[test]
    fn random_entry_covers_keys() {
        let mut d = Dict::new();
        for i in 0..20 {
            d.insert(&k(i), i);
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut rng = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let (_, v) = d.random_entry(&mut rng).expect("non-empty");
            seen.insert(*v);
        }
        assert_eq!(seen.len(), 20);
        assert!(Dict::<u8>::new().random_entry(&mut rng).is_none());
    }
}
