//! One logical database (`SELECT n`) of one shard: its keys, their TTLs, lazy and active
//! expiry, and the keyspace statistics Redis reports.
//!
//! Every access goes through the lookups here, so an expired key is never visible: it is
//! deleted on first touch (lazy expiry) or by the shard's periodic sampling of keys with a TTL
//! (active expiry, [`Db::active_expire`]).

use crate::dict::{hash_key, Dict};
use crate::key::Key;
use crate::value::Value;

/// A value with its metadata.
#[derive(Debug, Clone)]
pub struct Entry {
    pub value: Value,
    /// Absolute expiry in Unix milliseconds; 0 = no TTL.
    expire_at: i64,
    /// Last access, in Unix seconds (for OBJECT IDLETIME and LRU eviction).
    pub lru: u32,
    /// Logarithmic access counter (Redis's LFU counter, for OBJECT FREQ and LFU eviction);
    /// only maintained while an LFU policy is active ([`Db::track_lfu`]).
    pub lfu: u8,
}

impl Entry {
    pub fn new(value: Value, now_ms: i64) -> Self {
        Entry {
            value,
            expire_at: 0,
            lru: lru_clock(now_ms),
            lfu: LFU_INIT_VAL,
        }
    }

    /// The LFU counter decayed by the minutes elapsed since the last access, as Redis's
    /// `LFUDecrAndReturn` computes it (without storing the result).
    pub fn lfu_count(&self, now_ms: i64) -> u8 {
        let elapsed = (lru_clock(now_ms) / 60).saturating_sub(self.lru / 60);
        let periods = elapsed / LFU_DECAY_MINUTES;
        self.lfu.saturating_sub(periods.min(255) as u8)
    }

    /// The absolute expiry in Unix milliseconds, if the key has a TTL.
    pub fn expire_at(&self) -> Option<i64> {
        (self.expire_at != 0).then_some(self.expire_at)
    }

    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expire_at != 0 && self.expire_at <= now_ms
    }
}

/// Whether a value is of a type clients can block on (BLPOP, BZPOPMIN, XREAD BLOCK).
fn is_blockable(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::ZSet(_) | Value::Stream(_))
}

/// The LRU clock: Unix seconds, truncated to 32 bits.
pub fn lru_clock(now_ms: i64) -> u32 {
    (now_ms / 1000) as u32
}

/// The LFU counter of a new key (Redis's `LFU_INIT_VAL`).
pub const LFU_INIT_VAL: u8 = 5;
/// Redis's default `lfu-log-factor` (not configurable here yet).
const LFU_LOG_FACTOR: u64 = 10;
/// Redis's default `lfu-decay-time`, in minutes (not configurable here yet).
const LFU_DECAY_MINUTES: u32 = 1;

/// One access's increment of an LFU counter (Redis's `LFULogIncr`): the counter grows with
/// probability `1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1)`; `random` is uniform.
fn lfu_log_incr(counter: u8, random: u64) -> u8 {
    if counter == u8::MAX {
        return counter;
    }
    let base = u64::from(counter.saturating_sub(LFU_INIT_VAL));
    if random.is_multiple_of(base * LFU_LOG_FACTOR + 1) {
        counter + 1
    } else {
        counter
    }
}

/// Counters Redis reports in INFO, per database (summed by the shard and the server).
#[derive(Debug, Default, Clone, Copy)]
pub struct DbStats {
    pub expired_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    /// Expired keys found by the active cycle whose TTL was already past when sampled, and
    /// how stale they were on average (for INFO's `expired_stale_perc`).
    pub expire_cycle_sampled: u64,
}

/// One database.
#[derive(Default)]
pub struct Db {
    keys: Dict<Entry>,
    /// Index of the keys that have a TTL (the active expiry cycle samples it).
    expires: Dict<()>,
    /// Where the active expiry cycle resumes its walk of `expires`.
    expire_cursor: u64,
    /// Average TTL of sampled volatile keys, milliseconds (INFO keyspace `avg_ttl`).
    pub avg_ttl: i64,
    pub stats: DbStats,
    /// Keys that became ready for blocked clients (see [`Db::signal_ready`]).
    ready: Vec<Key>,
    /// The whole contents were replaced (FLUSHDB/FLUSHALL/SWAPDB): every key with blocked
    /// clients must be looked at again.
    replaced: bool,
    /// Whether accesses update the LFU counters (set by the shard while an LFU
    /// `maxmemory-policy` is active).
    pub track_lfu: bool,
    /// State of the random source of LFU increments.
    lfu_rng: u64,
}

impl Db {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys (expired but not yet reclaimed ones included, as Redis counts them).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Starts bringing `key`'s place in the keyspace into cache; returns its hash for
    /// [`Db::warm_entry`] (see [`Dict::warm_bucket`]).
    pub fn warm_slot(&self, key: &[u8]) -> u64 {
        let h = hash_key(key);
        self.keys.warm_bucket(h);
        h
    }

    /// Brings the first entry of the bucket of hash `h` into cache.
    pub fn warm_entry(&self, h: u64) {
        self.keys.warm_head(h);
    }

    /// Number of keys with a TTL.
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Read lookup (lookupKeyRead): hides and deletes an expired key, counts a hit or a miss and
    /// refreshes the access time.
    pub fn get(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Entry> {
        let Some(h) = self.probe(key, now_ms) else {
            self.stats.keyspace_misses += 1;
            return None;
        };
        self.stats.keyspace_hits += 1;
        self.touch(h, key, now_ms)
    }

    /// Write lookup (lookupKeyWrite): hides and deletes an expired key, refreshes the access
    /// time, counts nothing.
    pub fn get_mut(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Entry> {
        self.lookup(key, now_ms)
    }

    /// A look without side effects (no LRU update, no stats, no deletion); an expired key is
    /// reported absent.
    pub fn peek(&self, key: &[u8], now_ms: i64) -> Option<&Entry> {
        self.keys.get(key).filter(|e| !e.is_expired(now_ms))
    }

    /// A read lookup that leaves the access time alone (Redis's `LOOKUP_NOTOUCH`, used by
    /// EXISTS, TYPE, TTL and OBJECT): hides and deletes an expired key and counts a hit or a
    /// miss.
    pub fn get_notouch(&mut self, key: &[u8], now_ms: i64) -> Option<&Entry> {
        let Some(h) = self.probe(key, now_ms) else {
            self.stats.keyspace_misses += 1;
            return None;
        };
        self.stats.keyspace_hits += 1;
        self.keys.get_key_value_hashed(h, key).map(|(_, e)| e)
    }

    /// Whether a key exists (expired ones are deleted on the way, as Redis does).
    pub fn contains(&mut self, key: &[u8], now_ms: i64) -> bool {
        self.lookup(key, now_ms).is_some()
    }

    fn lookup(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Entry> {
        let h = self.probe(key, now_ms)?;
        self.touch(h, key, now_ms)
    }

    /// Finds a live key, deleting it if it has expired; returns its hash.
    fn probe(&mut self, key: &[u8], now_ms: i64) -> Option<u64> {
        let h = hash_key(key);
        let expired = self.keys.get_key_value_hashed(h, key)?.1.is_expired(now_ms);
        if expired {
            self.delete_expired(key);
            return None;
        }
        Some(h)
    }

    fn touch(&mut self, h: u64, key: &[u8], now_ms: i64) -> Option<&mut Entry> {
        let track_lfu = self.track_lfu;
        let random = if track_lfu { self.lfu_random() } else { 0 };
        let entry = self.keys.get_mut_hashed(h, key)?;
        if track_lfu {
            entry.lfu = lfu_log_incr(entry.lfu_count(now_ms), random);
        }
        entry.lru = lru_clock(now_ms);
        Some(entry)
    }

    /// splitmix64 over a private counter: cheap, and good enough for LFU's coin flips.
    fn lfu_random(&mut self) -> u64 {
        self.lfu_rng = self.lfu_rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.lfu_rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn delete_expired(&mut self, key: &[u8]) {
        if self.delete(key).is_some() {
            self.stats.expired_keys += 1;
        }
    }

    /// Sets `key` to `value`, dropping any TTL (SET semantics). Returns the old entry.
    pub fn set(&mut self, key: &[u8], value: Value, now_ms: i64) -> Option<Entry> {
        let blockable = is_blockable(&value);
        let mut entry = Entry::new(value, now_ms);
        if self.track_lfu {
            // Under LFU an overwritten key keeps its access history, as in Redis.
            if let Some(old) = self.keys.get(key).filter(|o| !o.is_expired(now_ms)) {
                entry.lfu = old.lfu;
            }
        }
        let old = self.keys.insert(key, entry);
        if old.as_ref().is_some_and(|o| o.expire_at != 0) {
            self.expires.remove(key);
        }
        if blockable
            || old
                .as_ref()
                .is_some_and(|o| matches!(o.value, Value::Stream(_)))
        {
            self.signal_ready(key);
        }
        old
    }

    /// Replaces the value of `key` keeping its TTL (SET KEEPTTL, and in-place updates).
    pub fn set_keep_ttl(&mut self, key: &[u8], value: Value, now_ms: i64) {
        match self.keys.get_mut(key) {
            Some(e) if !e.is_expired(now_ms) => {
                e.value = value;
                e.lru = lru_clock(now_ms);
            }
            _ => {
                self.set(key, value, now_ms);
            }
        }
    }

    /// Inserts a key known to be absent (after a lookup said so).
    pub fn insert_new(&mut self, key: &[u8], value: Value, now_ms: i64) -> &mut Entry {
        if is_blockable(&value) {
            self.signal_ready(key);
        }
        self.keys
            .get_or_insert_with(key, || Entry::new(value, now_ms))
            .0
    }

    /// Puts a whole entry (value and TTL) under `key`, replacing what was there (RENAME,
    /// MOVE, COPY, RESTORE).
    pub fn put_entry(&mut self, key: &[u8], entry: Entry) {
        if is_blockable(&entry.value) {
            self.signal_ready(key);
        }
        let has_ttl = entry.expire_at != 0;
        let old = self.keys.insert(key, entry);
        if old
            .as_ref()
            .is_some_and(|o| matches!(o.value, Value::Stream(_)))
        {
            self.signal_ready(key);
        }
        let had_ttl = old.is_some_and(|o| o.expire_at != 0);
        if has_ttl && !had_ttl {
            self.expires.insert(key, ());
        } else if !has_ttl && had_ttl {
            self.expires.remove(key);
        }
    }

    /// Records that `key` may now serve clients blocked on it (a list, sorted set or stream was
    /// created, or a stream grew). The server drains the log after each command batch and
    /// wakes the waiters; with no waiters it is simply cleared.
    pub fn signal_ready(&mut self, key: &[u8]) {
        if !self.ready.iter().any(|k| k.as_bytes() == key) {
            self.ready.push(Key::new(key));
        }
    }

    /// Takes the keys signalled ready since the last call.
    pub fn take_ready(&mut self) -> Vec<Key> {
        std::mem::take(&mut self.ready)
    }

    /// Drops the signals (nobody waits), keeping the log's capacity.
    pub fn clear_ready(&mut self) {
        self.ready.clear();
        self.replaced = false;
    }

    /// Whether any key was signalled ready.
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Deletes a key; returns its entry (even if it had expired but was not yet reclaimed).
    /// A deleted stream is signalled: clients blocked on it in XREADGROUP are told so.
    pub fn delete(&mut self, key: &[u8]) -> Option<Entry> {
        let (_, entry) = self.keys.remove_entry(key)?;
        if entry.expire_at != 0 {
            self.expires.remove(key);
        }
        if matches!(entry.value, Value::Stream(_)) {
            self.signal_ready(key);
        }
        Some(entry)
    }

    /// Sets the absolute expiry of an existing key. Returns false if the key is absent.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) -> bool {
        let Some(entry) = self.keys.get_mut(key) else {
            return false;
        };
        let had = entry.expire_at != 0;
        entry.expire_at = at_ms.max(1);
        if !had {
            self.expires.insert(key, ());
        }
        true
    }

    /// Removes the TTL of a key; returns whether it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        let Some(entry) = self.keys.get_mut(key) else {
            return false;
        };
        if entry.expire_at == 0 {
            return false;
        }
        entry.expire_at = 0;
        self.expires.remove(key);
        true
    }

    /// Removes every key; returns the old contents so the caller may free them elsewhere.
    pub fn flush(&mut self) -> Dict<Entry> {
        self.expires.clear();
        self.expire_cursor = 0;
        self.avg_ttl = 0;
        self.replaced = true;
        self.keys.take()
    }

    /// Exchanges the contents of two databases (SWAPDB); statistics stay with the index.
    pub fn swap_contents(&mut self, other: &mut Db) {
        std::mem::swap(&mut self.keys, &mut other.keys);
        std::mem::swap(&mut self.expires, &mut other.expires);
        std::mem::swap(&mut self.expire_cursor, &mut other.expire_cursor);
        std::mem::swap(&mut self.avg_ttl, &mut other.avg_ttl);
        self.replaced = true;
        other.replaced = true;
    }

    /// Whether the contents were replaced wholesale since the last call (and clears it).
    pub fn take_replaced(&mut self) -> bool {
        std::mem::take(&mut self.replaced)
    }

    /// One SCAN step over the keys (see [`Dict::scan`]); expired keys are skipped.
    pub fn scan(&self, cursor: u64, now_ms: i64, mut visit: impl FnMut(&Key, &Entry)) -> u64 {
        self.keys.scan(cursor, |k, e| {
            if !e.is_expired(now_ms) {
                visit(k, e)
            }
        })
    }

    /// Every live key.
    pub fn iter(&self, now_ms: i64) -> impl Iterator<Item = (&Key, &Entry)> + '_ {
        self.keys.iter().filter(move |(_, e)| !e.is_expired(now_ms))
    }

    /// A random live key, deleting expired ones met on the way (RANDOMKEY). Gives up after a
    /// bounded number of tries when almost everything is expired.
    pub fn random_key(&mut self, now_ms: i64, rng: &mut impl FnMut() -> u64) -> Option<Key> {
        for _ in 0..100 {
            let (key, expired) = {
                let (k, e) = self.keys.random_entry(rng)?;
                (k.clone(), e.is_expired(now_ms))
            };
            if !expired {
                return Some(key);
            }
            self.delete_expired(key.as_bytes());
        }
        None
    }

    /// Work for the cron between commands: a bounded slice of incremental rehashing, and
    /// shrinking tables that became sparse.
    pub fn maintain(&mut self) {
        self.keys.rehash_steps(100);
        self.expires.rehash_steps(100);
        self.keys.shrink_if_needed();
        self.expires.shrink_if_needed();
    }

    /// One round of active expiry: walks the TTL index from where the last round stopped,
    /// deleting expired keys, until `max_keys` volatile keys have been examined. Returns
    /// `(examined, expired)`; the caller repeats rounds while the expired share is high and
    /// its time budget allows.
    pub fn active_expire(&mut self, now_ms: i64, max_keys: usize) -> (usize, usize) {
        if self.expires.is_empty() {
            // No volatile keys left: nothing to average (Redis reports 0 then).
            self.avg_ttl = 0;
            return (0, 0);
        }
        let mut examined = 0;
        let mut doomed: Vec<Key> = Vec::new();
        let mut ttl_sum: i64 = 0;
        let mut ttl_samples: i64 = 0;
        let mut cursor = self.expire_cursor;
        // Visit buckets until enough keys were seen (a bucket may hold several keys, and
        // empty buckets are cheap).
        let mut visits = 0;
        while examined < max_keys && visits < max_keys * 20 {
            let keys = &self.keys;
            cursor = self.expires.scan(cursor, |k, _| {
                examined += 1;
                if let Some(e) = keys.get(k.as_bytes()) {
                    if e.is_expired(now_ms) {
                        doomed.push(k.clone());
                    } else if let Some(at) = e.expire_at() {
                        ttl_sum += at - now_ms;
                        ttl_samples += 1;
                    }
                }
            });
            visits += 1;
            if cursor == 0 {
                break;
            }
        }
        self.expire_cursor = cursor;
        let expired = doomed.len();
        for k in doomed {
            self.delete_expired(k.as_bytes());
        }
        if ttl_samples > 0 {
            let avg = ttl_sum / ttl_samples;
            // Running estimate, as Redis smooths it.
            self.avg_ttl = if self.avg_ttl == 0 {
                avg
            } else {
                (self.avg_ttl / 50) * 49 + avg / 50
            };
        }
        (examined, expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_expiry_hides_and_counts() {
        let mut db = Db::new();
        db.set(b"a", Value::string(b"1"), 1000);
        assert!(db.set_expire(b"a", 2000));
        assert_eq!(db.expires_len(), 1);
        assert!(db.get(b"a", 1999).is_some());
        assert!(db.get(b"a", 2000).is_none());
        assert_eq!(db.len(), 0);
        assert_eq!(db.expires_len(), 0);
        assert_eq!(db.stats.expired_keys, 1);
        assert_eq!(db.stats.keyspace_hits, 1);
        assert_eq!(db.stats.keyspace_misses, 1);
    }

    #[test]
    fn set_clears_ttl_and_keep_ttl_keeps_it() {
        let mut db = Db::new();
        db.set(b"a", Value::string(b"1"), 0);
        db.set_expire(b"a", 5000);
        db.set_keep_ttl(b"a", Value::string(b"2"), 0);
        assert_eq!(db.peek(b"a", 0).and_then(|e| e.expire_at()), Some(5000));
        db.set(b"a", Value::string(b"3"), 0);
        assert_eq!(db.peek(b"a", 0).and_then(|e| e.expire_at()), None);
        assert_eq!(db.expires_len(), 0);
    }

    #[test]
    fn active_expiry_reclaims_in_rounds() {
        let mut db = Db::new();
        for i in 0..1000 {
            let k = format!("k{i}");
            db.set(k.as_bytes(), Value::Int(i), 0);
            db.set_expire(k.as_bytes(), if i % 2 == 0 { 100 } else { 1_000_000 });
        }
        let mut total = 0;
        for _ in 0..200 {
            let (_, expired) = db.active_expire(500, 20);
            total += expired;
        }
        assert_eq!(total, 500);
        assert_eq!(db.len(), 500);
        assert_eq!(db.expires_len(), 500);
        assert_eq!(db.stats.expired_keys, 500);
        assert!(db.avg_ttl > 0);
    }

    #[test]
    fn random_key_skips_expired() {
        let mut db = Db::new();
        db.set(b"live", Value::Int(1), 0);
        db.set(b"dead", Value::Int(1), 0);
        db.set_expire(b"dead", 10);
        let mut x = 1u64;
        let mut rng = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 11
        };
        for _ in 0..20 {
            assert_eq!(
                db.random_key(100, &mut rng).as_ref().map(Key::as_bytes),
                Some(&b"live"[..])
            );
        }
    }
}
