//! The stream value: entries in listpack macro-nodes keyed by their master ID, plus consumer
//! groups with their pending entries lists.
//!
//! Node layout (Redis 7.0's, so a node is exactly the listpack Redis keeps in its radix tree):
//!
//! ```text
//! master entry: count | deleted | num-fields | field-1 ... field-N | 0
//! entry:        flags | ms-delta | seq-delta | num-fields | f1 | v1 ... | lp-count
//! same fields:  flags | ms-delta | seq-delta | v1 ... vN | lp-count
//! ```
//!
//! `count` is the number of live entries, `deleted` the entries only flagged deleted; an entry
//! whose field names equal the master entry's stores its values only (`SAMEFIELDS` flag). IDs are
//! deltas against the node's master ID (the map key). A node whose live count drops to zero is
//! removed. Nodes close at `stream-node-max-bytes` / `stream-node-max-entries`, as in Redis.

use std::collections::{BTreeMap, BTreeSet};

use crate::listpack::{Listpack, LpItem};

/// Entry flag: deleted (a tombstone kept until its node goes away).
pub const FLAG_DELETED: i64 = 1;
/// Entry flag: the entry has the master entry's field names.
pub const FLAG_SAMEFIELDS: i64 = 2;
/// The largest listpack a node may grow to (Redis's `STREAM_LISTPACK_MAX_SIZE`).
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;
/// `entries_read` of a group when it is unknown.
pub const ENTRIES_READ_INVALID: i64 = -1;

/// A stream entry ID, `<ms>-<seq>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> Self {
        StreamId { ms, seq }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The next ID, `None` after the last possible one.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID, `None` before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// The 128-bit big-endian form Redis keys its radix tree with.
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.ms.to_be_bytes());
        b[8..].copy_from_slice(&self.seq.to_be_bytes());
        b
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// A pending entry: delivered to a consumer, not yet acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct Nack {
    /// Last delivery, Unix ms.
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// The owning consumer's slot in its group.
    pub consumer: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    pub name: Box<[u8]>,
    /// Last time the consumer was seen (read or claimed), Unix ms.
    pub seen_time: i64,
    /// IDs of the group's pending entries this consumer owns.
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group. Consumers live in slots so a pending entry refers to its owner by a
/// 4-byte index (Redis uses a pointer) instead of a copy of the name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    pub last_id: StreamId,
    /// Entries read by the group (for the lag), or [`ENTRIES_READ_INVALID`].
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    names: BTreeMap<Box<[u8]>, u32>,
    slots: Vec<Option<Consumer>>,
    free: Vec<u32>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Self {
        Group {
            last_id,
            entries_read,
            ..Group::default()
        }
    }

    pub fn consumer_id(&self, name: &[u8]) -> Option<u32> {
        self.names.get(name).copied()
    }

    pub fn consumer(&self, id: u32) -> &Consumer {
        self.slots[id as usize]
            .as_ref()
            .expect("live consumer slot")
    }

    pub fn consumer_mut(&mut self, id: u32) -> &mut Consumer {
        self.slots[id as usize]
            .as_mut()
            .expect("live consumer slot")
    }

    /// Looks a consumer up, refreshing its seen time (Redis's `SLC_DEFAULT`).
    pub fn lookup_refresh(&mut self, name: &[u8], now: i64) -> Option<u32> {
        let id = self.consumer_id(name)?;
        self.consumer_mut(id).seen_time = now;
        Some(id)
    }

    /// Creates a consumer; `None` if one with that name exists.
    pub fn create_consumer(&mut self, name: &[u8], now: i64) -> Option<u32> {
        if self.names.contains_key(name) {
            return None;
        }
        let c = Consumer {
            name: name.into(),
            seen_time: now,
            pel: BTreeSet::new(),
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = Some(c);
                id
            }
            None => {
                self.slots.push(Some(c));
                (self.slots.len() - 1) as u32
            }
        };
        self.names.insert(name.into(), id);
        Some(id)
    }

    /// Deletes a consumer and its pending entries; returns how many it had.
    pub fn delete_consumer(&mut self, id: u32) -> usize {
        let Some(c) = self.slots[id as usize].take() else {
            return 0;
        };
        for pid in &c.pel {
            self.pel.remove(pid);
        }
        self.names.remove(&c.name);
        self.free.push(id);
        c.pel.len()
    }

    /// Consumers in name order.
    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> + '_ {
        self.names.values().map(move |id| self.consumer(*id))
    }

    pub fn consumers_len(&self) -> usize {
        self.names.len()
    }

    /// Removes a pending entry from the group and its owner. Returns whether it was there.
    pub fn remove_nack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(n) => {
                if let Some(Some(c)) = self.slots.get_mut(n.consumer as usize) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Moves pending entry `id` (which must exist) to `consumer`.
    pub fn move_nack(&mut self, id: StreamId, consumer: u32) {
        let old = match self.pel.get_mut(&id) {
            Some(n) if n.consumer != consumer => {
                let old = n.consumer;
                n.consumer = consumer;
                old
            }
            _ => return,
        };
        if let Some(Some(c)) = self.slots.get_mut(old as usize) {
            c.pel.remove(&id);
        }
        self.consumer_mut(consumer).pel.insert(id);
    }

    /// Records a delivery of `id` to `consumer` (XREADGROUP without NOACK): a new pending
    /// entry, or an existing one reassigned with its counter reset.
    pub fn deliver(&mut self, id: StreamId, consumer: u32, now: i64) {
        if let Some(n) = self.pel.get_mut(&id) {
            n.delivery_time = now;
            n.delivery_count = 1;
            self.move_nack(id, consumer);
        } else {
            self.pel.insert(
                id,
                Nack {
                    delivery_time: now,
                    delivery_count: 1,
                    consumer,
                },
            );
            self.consumer_mut(consumer).pel.insert(id);
        }
    }

    fn heap_size(&self) -> usize {
        let consumers: usize = self
            .consumers()
            .map(|c| c.name.len() + 64 + c.pel.len() * 24)
            .sum();
        self.pel.len() * 56 + consumers + self.slots.capacity() * 8
    }
}

/// The scalar state of a stream that lag computations read.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    pub length: u64,
    pub first_id: StreamId,
    pub last_id: StreamId,
    pub max_deleted_entry_id: StreamId,
    pub entries_added: u64,
}

impl Meta {
    /// Whether a deleted entry may lie in `[start, end]` (Redis's `streamRangeHasTombstones`).
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        start <= self.max_deleted_entry_id && self.max_deleted_entry_id <= end
    }

    /// How many entries were added up to `id`, when that can be known
    /// (`streamEstimateDistanceFromFirstEverEntry`); [`ENTRIES_READ_INVALID`] otherwise.
    pub fn distance_from_first(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        if id == self.last_id {
            return self.entries_added as i64;
        }
        if id > self.last_id {
            return ENTRIES_READ_INVALID;
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            if id < self.first_id {
                return (self.entries_added - self.length) as i64;
            }
            if id == self.first_id {
                return (self.entries_added - self.length + 1) as i64;
            }
        }
        ENTRIES_READ_INVALID
    }

    /// A group's lag, `None` when it cannot be known (`streamReplyWithCGLag`).
    pub fn lag(&self, g: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != ENTRIES_READ_INVALID
            && !self.range_has_tombstones(g.last_id, StreamId::MAX)
        {
            return Some(self.entries_added as i64 - g.entries_read);
        }
        let read = self.distance_from_first(g.last_id);
        (read != ENTRIES_READ_INVALID).then(|| self.entries_added as i64 - read)
    }

    /// The group's `entries_read` after it consumed `id` (as `streamReplyWithRange` does).
    pub fn advance_group(&self, g: &mut Group, id: StreamId) {
        if id <= g.last_id {
            return;
        }
        if g.entries_read != ENTRIES_READ_INVALID && !self.range_has_tombstones(id, StreamId::MAX) {
            g.entries_read += 1;
        } else if self.entries_added != 0 {
            g.entries_read = self.distance_from_first(id);
        }
        g.last_id = id;
    }
}

/// A stream value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Listpack>,
    length: u64,
    pub last_id: StreamId,
    /// The first live entry's ID when the stream was last trimmed or its first entry deleted
    /// (`recorded-first-entry-id`), 0-0 when empty.
    pub first_id: StreamId,
    pub max_deleted_entry_id: StreamId,
    pub entries_added: u64,
    /// Consumer groups by name.
    pub groups: BTreeMap<Box<[u8]>, Group>,
}

/// The master entry of a node, decoded.
pub struct Master {
    pub count: i64,
    pub deleted: i64,
    /// Offsets of the master field names.
    pub fields: Vec<usize>,
    /// Offset of the first entry's flags.
    pub first: Option<usize>,
}

/// One entry of a node, decoded (its fields are read on demand).
#[derive(Debug, Clone, Copy)]
pub struct EntryPos {
    pub id: StreamId,
    pub flags: i64,
    /// Offset of the flags element.
    pub off: usize,
    /// Offset of the first value (same fields) or first field (own fields).
    pub data: Option<usize>,
    pub num_fields: usize,
    /// Offset of the next entry's flags.
    pub next: Option<usize>,
}

impl EntryPos {
    pub fn deleted(&self) -> bool {
        self.flags & FLAG_DELETED != 0
    }
}

/// An entry with access to its fields.
pub struct EntryView<'a> {
    pub lp: &'a Listpack,
    pub master: &'a Master,
    pub pos: EntryPos,
}

impl EntryView<'_> {
    pub fn id(&self) -> StreamId {
        self.pos.id
    }

    pub fn num_fields(&self) -> usize {
        self.pos.num_fields
    }

    /// Calls `f(field, value)` for every field in order.
    pub fn for_each_field(&self, mut f: impl FnMut(LpItem<'_>, LpItem<'_>)) {
        let mut cur = self.pos.data;
        if self.pos.flags & FLAG_SAMEFIELDS != 0 {
            for &foff in &self.master.fields {
                let Some(v) = cur else { return };
                f(self.lp.get(foff), self.lp.get(v));
                cur = self.lp.next(v);
            }
        } else {
            for _ in 0..self.pos.num_fields {
                let Some(k) = cur else { return };
                let Some(v) = self.lp.next(k) else { return };
                f(self.lp.get(k), self.lp.get(v));
                cur = self.lp.next(v);
            }
        }
    }
}

fn lp_int(lp: &Listpack, off: usize) -> i64 {
    match lp.get(off) {
        LpItem::Int(v) => v,
        LpItem::Str(s) => crate::util::parse_i64_strict(s).unwrap_or(0),
    }
}

/// Decodes a node's master entry.
pub fn read_master(lp: &Listpack) -> Master {
    let mut fields = Vec::new();
    let Some(c) = lp.first() else {
        return Master {
            count: 0,
            deleted: 0,
            fields,
            first: None,
        };
    };
    let count = lp_int(lp, c);
    let d = lp.next(c);
    let deleted = d.map_or(0, |d| lp_int(lp, d));
    let nf = d.and_then(|d| lp.next(d));
    let n = nf.map_or(0, |o| lp_int(lp, o)).max(0) as usize;
    let mut cur = nf.and_then(|o| lp.next(o));
    for _ in 0..n {
        let Some(o) = cur else { break };
        fields.push(o);
        cur = lp.next(o);
    }
    // `cur` is the master terminator.
    let first = cur.and_then(|o| lp.next(o));
    Master {
        count,
        deleted,
        fields,
        first,
    }
}

/// Decodes the entry whose flags are at `off`.
pub fn read_entry(lp: &Listpack, master_id: StreamId, m: &Master, off: usize) -> EntryPos {
    let flags = lp_int(lp, off);
    let ms_off = lp.next(off);
    let ms = ms_off.map_or(0, |o| lp_int(lp, o));
    let seq_off = ms_off.and_then(|o| lp.next(o));
    let seq = seq_off.map_or(0, |o| lp_int(lp, o));
    let id = StreamId::new(
        master_id.ms.wrapping_add(ms as u64),
        master_id.seq.wrapping_add(seq as u64),
    );
    let after = seq_off.and_then(|o| lp.next(o));
    let (data, num_fields, skip) = if flags & FLAG_SAMEFIELDS != 0 {
        (after, m.fields.len(), m.fields.len())
    } else {
        let n = after.map_or(0, |o| lp_int(lp, o)).max(0) as usize;
        (after.and_then(|o| lp.next(o)), n, n * 2)
    };
    let mut cur = data;
    for _ in 0..skip {
        cur = cur.and_then(|o| lp.next(o));
    }
    // `cur` is the lp-count element.
    let next = cur.and_then(|o| lp.next(o));
    EntryPos {
        id,
        flags,
        off,
        data,
        num_fields,
        next,
    }
}

/// Every entry of a node (tombstones included), in order.
fn node_entries(lp: &Listpack, master_id: StreamId, m: &Master) -> Vec<EntryPos> {
    let mut out = Vec::with_capacity((m.count + m.deleted).max(0) as usize);
    let mut cur = m.first;
    while let Some(off) = cur {
        let e = read_entry(lp, master_id, m, off);
        cur = e.next;
        out.push(e);
    }
    out
}

/// Why an append failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the stream's last ID.
    IdTooSmall,
    /// The fields are too large for a listpack (or the sequence overflowed, which Redis
    /// reports the same way).
    TooLarge,
}

/// Node size limits (`stream-node-max-bytes`, `stream-node-max-entries`).
#[derive(Debug, Clone, Copy)]
pub struct NodeLimits {
    pub max_bytes: usize,
    pub max_entries: usize,
}

/// A trimming request (XADD/XTRIM options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimTo {
    MaxLen(u64),
    MinId(StreamId),
}

impl Stream {
    pub fn new() -> Self {
        Stream::default()
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.length as usize
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    pub fn meta(&self) -> Meta {
        Meta {
            length: self.length,
            first_id: self.first_id,
            last_id: self.last_id,
            max_deleted_entry_id: self.max_deleted_entry_id,
            entries_added: self.entries_added,
        }
    }

    /// Number of listpack nodes (`radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Bytes of every node's listpack.
    pub fn heap_size(&self) -> usize {
        let nodes: usize = self.nodes.values().map(|lp| lp.bytes_len() + 48).sum();
        let groups: usize = self
            .groups
            .iter()
            .map(|(n, g)| n.len() + 96 + g.heap_size())
            .sum();
        nodes + groups
    }

    /// Nodes of the radix tree Redis would hold for these node keys (`radix-tree-nodes`): one
    /// per compressed run and per branching point, plus a leaf per key.
    pub fn rax_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.to_be_bytes()).collect();
        if keys.is_empty() {
            return 1;
        }
        rax_count(&keys, 0)
    }

    /// Appends an entry (`streamAppendItem`). `pairs` holds field, value, field, value...
    /// `id`: `None` to generate one from `now`; `Some((id, seq_given))` for an explicit ID
    /// (with `seq_given == false` the sequence is chosen automatically).
    pub fn append(
        &mut self,
        pairs: &[&[u8]],
        id: Option<(StreamId, bool)>,
        now: i64,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let id = match id {
            Some((id, true)) => id,
            Some((id, false)) => {
                if self.last_id.ms == id.ms {
                    if self.last_id.seq == u64::MAX {
                        return Err(AppendError::TooLarge);
                    }
                    StreamId::new(id.ms, self.last_id.seq + 1)
                } else {
                    id
                }
            }
            None => {
                let ms = now.max(0) as u64;
                if ms > self.last_id.ms {
                    StreamId::new(ms, 0)
                } else {
                    self.last_id.incr().unwrap_or(StreamId::MIN)
                }
            }
        };
        if id <= self.last_id {
            return Err(AppendError::IdTooSmall);
        }
        let total: usize = pairs.iter().map(|p| p.len()).sum();
        if total > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let numfields = pairs.len() / 2;

        let mut max_bytes = limits.max_bytes;
        if max_bytes == 0 || max_bytes > LISTPACK_MAX_SIZE {
            max_bytes = LISTPACK_MAX_SIZE;
        }
        let mut tail = self.nodes.last_key_value().map(|(k, _)| *k);
        if let Some(k) = tail {
            let lp = &self.nodes[&k];
            let full = if lp.bytes_len() + total >= max_bytes {
                true
            } else if limits.max_entries > 0 {
                let m = read_master(lp);
                (m.count + m.deleted) as u64 >= limits.max_entries as u64
            } else {
                false
            };
            if full {
                if let Some(lp) = self.nodes.get_mut(&k) {
                    lp.shrink_to_fit();
                }
                tail = None;
            }
        }

        let mut flags = 0i64;
        let master_id = match tail {
            None => {
                let mut lp = Listpack::new();
                lp.push_back_int(1);
                lp.push_back_int(0);
                lp.push_back_int(numfields as i64);
                for i in 0..numfields {
                    lp.push_back(pairs[i * 2]);
                }
                lp.push_back_int(0);
                self.nodes.insert(id, lp);
                flags |= FLAG_SAMEFIELDS;
                id
            }
            Some(k) => {
                let lp = self.nodes.get_mut(&k).expect("tail node");
                let m = read_master(lp);
                if let Some(c) = lp.first() {
                    lp.replace_int(c, m.count + 1);
                }
                // Offsets after the count may have moved: read the fields again.
                let m = read_master(lp);
                if m.fields.len() == numfields
                    && m.fields
                        .iter()
                        .enumerate()
                        .all(|(i, &o)| lp.get(o).eq_bytes(pairs[i * 2]))
                {
                    flags |= FLAG_SAMEFIELDS;
                }
                k
            }
        };
        let lp = self.nodes.get_mut(&master_id).expect("node");
        lp.push_back_int(flags);
        lp.push_back_int(id.ms.wrapping_sub(master_id.ms) as i64);
        lp.push_back_int(id.seq.wrapping_sub(master_id.seq) as i64);
        let same = flags & FLAG_SAMEFIELDS != 0;
        if !same {
            lp.push_back_int(numfields as i64);
        }
        for i in 0..numfields {
            if !same {
                lp.push_back(pairs[i * 2]);
            }
            lp.push_back(pairs[i * 2 + 1]);
        }
        let mut lp_count = numfields as i64 + 3;
        if !same {
            lp_count += numfields as i64 + 1;
        }
        lp.push_back_int(lp_count);

        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Visits live entries with IDs in `[start, end]`, ascending (or descending with `rev`),
    /// while `visit` returns true.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        mut visit: impl FnMut(&EntryView<'_>) -> bool,
    ) {
        if start > end {
            return;
        }
        if !rev {
            let from = self
                .nodes
                .range(..=start)
                .next_back()
                .map(|(k, _)| *k)
                .unwrap_or(StreamId::MIN);
            for (mid, lp) in self.nodes.range(from..) {
                if *mid > end {
                    return;
                }
                let m = read_master(lp);
                let mut cur = m.first;
                while let Some(off) = cur {
                    let pos = read_entry(lp, *mid, &m, off);
                    cur = pos.next;
                    if pos.deleted() || pos.id < start {
                        continue;
                    }
                    if pos.id > end {
                        return;
                    }
                    let v = EntryView {
                        lp,
                        master: &m,
                        pos,
                    };
                    if !visit(&v) {
                        return;
                    }
                }
            }
        } else {
            for (mid, lp) in self.nodes.range(..=end).rev() {
                let m = read_master(lp);
                for pos in node_entries(lp, *mid, &m).into_iter().rev() {
                    if pos.deleted() || pos.id > end {
                        continue;
                    }
                    if pos.id < start {
                        return;
                    }
                    let v = EntryView {
                        lp,
                        master: &m,
                        pos,
                    };
                    if !visit(&v) {
                        return;
                    }
                }
            }
        }
    }

    /// Visits the live entry `id`, if there is one. Returns whether it exists.
    pub fn with_entry(&self, id: StreamId, mut f: impl FnMut(&EntryView<'_>)) -> bool {
        let mut found = false;
        self.range(id, id, false, |e| {
            found = true;
            f(e);
            false
        });
        found
    }

    pub fn exists(&self, id: StreamId) -> bool {
        self.with_entry(id, |_| {})
    }

    /// The first live entry's ID (`None` when empty).
    pub fn first_valid_id(&self) -> Option<StreamId> {
        let mut out = None;
        self.range(StreamId::MIN, StreamId::MAX, false, |e| {
            out = Some(e.id());
            false
        });
        out
    }

    /// The last live entry's ID (`None` when empty).
    pub fn last_valid_id(&self) -> Option<StreamId> {
        let mut out = None;
        self.range(StreamId::MIN, StreamId::MAX, true, |e| {
            out = Some(e.id());
            false
        });
        out
    }

    /// Recomputes `first_id` after deletions.
    fn refresh_first_id(&mut self) {
        self.first_id = if self.length == 0 {
            StreamId::MIN
        } else {
            self.first_valid_id().unwrap_or(StreamId::MAX)
        };
    }

    /// Deletes the live entry `id` (flags it, or drops its node when it was the node's last
    /// live entry). Returns whether it existed. `first_id` is not touched.
    fn delete_one(&mut self, id: StreamId) -> bool {
        let Some((&mid, lp)) = self.nodes.range_mut(..=id).next_back() else {
            return false;
        };
        let m = read_master(lp);
        let mut cur = m.first;
        let mut hit = None;
        while let Some(off) = cur {
            let pos = read_entry(lp, mid, &m, off);
            cur = pos.next;
            if pos.id == id && !pos.deleted() {
                hit = Some(pos);
                break;
            }
            if pos.id > id {
                break;
            }
        }
        let Some(pos) = hit else {
            return false;
        };
        if m.count <= 1 {
            self.nodes.remove(&mid);
        } else {
            lp.replace_int(pos.off, pos.flags | FLAG_DELETED);
            set_master_counts(lp, m.count - 1, m.deleted + 1);
        }
        self.length -= 1;
        true
    }

    /// XDEL: deletes the given IDs, maintaining `max_deleted_entry_id` and `first_id`.
    /// Returns how many existed.
    pub fn delete_ids(&mut self, ids: &[StreamId]) -> usize {
        let mut deleted = 0;
        let mut first_entry = false;
        for &id in ids {
            if self.delete_one(id) {
                if id == self.first_id {
                    first_entry = true;
                }
                if id > self.max_deleted_entry_id {
                    self.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 && (self.length == 0 || first_entry) {
            self.refresh_first_id();
        }
        deleted
    }

    /// Trims from the head (`streamTrim`). `approx` only drops whole nodes; `limit` (0: none)
    /// caps the entries removed. Returns the number removed.
    pub fn trim(&mut self, to: TrimTo, approx: bool, limit: i64) -> i64 {
        let mut deleted: i64 = 0;
        let keys: Vec<StreamId> = self.nodes.keys().copied().collect();
        for mid in keys {
            if let TrimTo::MaxLen(max) = to {
                if self.length <= max {
                    break;
                }
            }
            let lp = self.nodes.get_mut(&mid).expect("node");
            let m = read_master(lp);
            let entries = m.count;
            if limit != 0 && deleted + entries > limit {
                break;
            }
            let remove_node = match to {
                TrimTo::MaxLen(max) => self.length - entries as u64 >= max,
                TrimTo::MinId(min) => {
                    // The node's last entry, tombstone or not.
                    let last = node_entries(lp, mid, &m)
                        .last()
                        .map(|e| e.id)
                        .unwrap_or(mid);
                    last < min
                }
            };
            if remove_node {
                self.nodes.remove(&mid);
                self.length -= entries as u64;
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            let mut from_lp = 0i64;
            for pos in node_entries(lp, mid, &m) {
                let stop = match to {
                    TrimTo::MaxLen(max) => self.length <= max,
                    TrimTo::MinId(min) => pos.id >= min,
                };
                if stop {
                    break;
                }
                if !pos.deleted() {
                    lp.replace_int(pos.off, pos.flags | FLAG_DELETED);
                    from_lp += 1;
                    self.length -= 1;
                }
            }
            deleted += from_lp;
            set_master_counts(lp, entries - from_lp, m.deleted + from_lp);
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.refresh_first_id();
        }
        deleted
    }

    /// The ID of the first entry, tombstones included (what XADD/XTRIM with `~ MINID`
    /// propagate); 0-0 when there are no nodes.
    pub fn first_edge_id(&self) -> StreamId {
        match self.nodes.first_key_value() {
            Some((mid, lp)) => {
                let m = read_master(lp);
                m.first
                    .map(|o| read_entry(lp, *mid, &m, o).id)
                    .unwrap_or(StreamId::MAX)
            }
            None => StreamId::MAX,
        }
    }

    /// Every node as (master ID, listpack), for persistence.
    pub fn nodes(&self) -> impl Iterator<Item = (StreamId, &Listpack)> + '_ {
        self.nodes.iter().map(|(k, v)| (*k, v))
    }

    /// Rebuilds a stream from persisted parts (an RDB load): the nodes as they were stored.
    pub fn from_parts(
        nodes: Vec<(StreamId, Listpack)>,
        length: u64,
        last_id: StreamId,
        first_id: StreamId,
        max_deleted_entry_id: StreamId,
        entries_added: u64,
    ) -> Self {
        Stream {
            nodes: nodes.into_iter().collect(),
            length,
            last_id,
            first_id,
            max_deleted_entry_id,
            entries_added,
            groups: BTreeMap::new(),
        }
    }
}

/// Rewrites a node's live/deleted counters.
fn set_master_counts(lp: &mut Listpack, count: i64, deleted: i64) {
    if let Some(c) = lp.first() {
        lp.replace_int(c, count);
        if let Some(d) = lp.next(c) {
            lp.replace_int(d, deleted);
        }
    }
}

/// Radix tree nodes for sorted distinct 16-byte keys sharing their first `depth` bytes.
fn rax_count(keys: &[[u8; 16]], depth: usize) -> usize {
    if depth == 16 {
        return 1;
    }
    if keys.len() == 1 {
        return 2;
    }
    let (a, b) = (&keys[0], &keys[keys.len() - 1]);
    let mut l = depth;
    while l < 16 && a[l] == b[l] {
        l += 1;
    }
    let mut n = usize::from(l > depth) + 1;
    let mut i = 0;
    while i < keys.len() {
        let c = keys[i][l];
        let mut j = i;
        while j < keys.len() && keys[j][l] == c {
            j += 1;
        }
        n += rax_count(&keys[i..j], l + 1);
        i = j;
    }
    n
}
