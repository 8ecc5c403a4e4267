//! `Listpack`: a compact sequence of strings and integers in one contiguous buffer, in Redis's
//! listpack byte format (so small hashes, sorted sets and list nodes cost what they cost in
//! Redis, and RDB files can carry them as they are).
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! +-------------+-----------+---------+---------+-----+------+
//! | total u32   | count u16 | entry 0 | entry 1 | ... | 0xFF |
//! +-------------+-----------+---------+---------+-----+------+
//! entry = encoding byte(s) + data + backlen
//! ```
//!
//! Encodings (first byte): `0xxxxxxx` 7-bit unsigned int; `10xxxxxx` string of up to 63 bytes;
//! `110xxxxx yyyyyyyy` 13-bit signed int; `1110xxxx yyyyyyyy` string of up to 4095 bytes;
//! `0xF0` + u32 length: longer string; `0xF1`/`0xF2`/`0xF3`/`0xF4` + 2/3/4/8 bytes: signed
//! 16/24/32/64-bit int. `backlen` is the size of encoding+data written in 1 to 5 bytes, most
//! significant 7-bit group first, every byte but the first with its top bit set, so it can be
//! read backwards from the end of the entry. `count` is 65535 when the count does not fit; it
//! is then found by walking. A string that is the canonical form of an integer is stored as an
//! integer, as Redis does.
//!
//! Entries are addressed by byte offset (a cursor); offsets are invalidated by writes, which
//! return the offset the caller needs next.

use crate::util::parse_i64_strict;

const HDR: usize = 6;
const EOF: u8 = 0xFF;
const COUNT_UNKNOWN: u16 = u16::MAX;

/// One element read from a listpack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LpItem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl LpItem<'_> {
    /// The element as bytes (integers in decimal).
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            LpItem::Int(v) => v.to_string().into_bytes(),
            LpItem::Str(s) => s.to_vec(),
        }
    }

    /// Whether the element equals `s` as a string.
    pub fn eq_bytes(self, s: &[u8]) -> bool {
        match self {
            LpItem::Str(x) => x == s,
            LpItem::Int(v) => parse_i64_strict(s) == Some(v),
        }
    }

    /// Length of the element as a string.
    pub fn str_len(self) -> usize {
        match self {
            LpItem::Str(s) => s.len(),
            LpItem::Int(v) => crate::value::int_len(v),
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Listpack {
    buf: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self
            .iter()
            .map(|i| String::from_utf8_lossy(&i.to_vec()).into_owned())
            .collect();
        f.debug_tuple("Listpack").field(&items).finish()
    }
}

/// The encoded form of one element (encoding + data, without backlen).
fn encode(item: &[u8], out: &mut Vec<u8>) {
    if item.len() <= 20 {
        if let Some(v) = parse_i64_strict(item) {
            encode_int(v, out);
            return;
        }
    }
    encode_str(item, out);
}

fn encode_int(v: i64, out: &mut Vec<u8>) {
    if (0..=127).contains(&v) {
        out.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u16) & 0x1FFF;
        out.push(0xC0 | (u >> 8) as u8);
        out.push(u as u8);
    } else if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
        out.push(0xF1);
        out.extend_from_slice(&(v as i16).to_le_bytes());
    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
        out.push(0xF2);
        out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        out.push(0xF3);
        out.extend_from_slice(&(v as i32).to_le_bytes());
    } else {
        out.push(0xF4);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn encode_str(s: &[u8], out: &mut Vec<u8>) {
    let n = s.len();
    if n < 64 {
        out.push(0x80 | n as u8);
    } else if n < 4096 {
        out.push(0xE0 | (n >> 8) as u8);
        out.push(n as u8);
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
}

/// Appends the backlen of an entry whose encoding+data is `len` bytes: `backlen_size(len)`
/// 7-bit groups, most significant first, all but the first with the continuation bit.
fn encode_backlen(len: usize, out: &mut Vec<u8>) {
    let n = backlen_size(len);
    for i in (0..n).rev() {
        let group = ((len >> (7 * i)) & 127) as u8;
        out.push(if i == n - 1 { group } else { group | 128 });
    }
}

/// Bytes of backlen for an entry of `len` bytes (Redis's thresholds, which switch one value
/// early at each boundary).
fn backlen_size(len: usize) -> usize {
    if len <= 127 {
        1
    } else if len < 16383 {
        2
    } else if len < 2_097_151 {
        3
    } else if len < 268_435_455 {
        4
    } else {
        5
    }
}

/// A full entry (encoding + data + backlen) for `item`.
fn entry(item: &[u8]) -> Vec<u8> {
    let mut e = Vec::with_capacity(item.len() + 6);
    encode(item, &mut e);
    let n = e.len();
    encode_backlen(n, &mut e);
    e
}

fn entry_int(v: i64) -> Vec<u8> {
    let mut e = Vec::with_capacity(10);
    encode_int(v, &mut e);
    let n = e.len();
    encode_backlen(n, &mut e);
    e
}

impl Listpack {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(HDR + 1);
        buf.extend_from_slice(&((HDR + 1) as u32).to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes());
        buf.push(EOF);
        Listpack { buf }
    }

    /// Adopts bytes in listpack format (from an RDB file), checking their structure.
    pub fn from_bytes(buf: Vec<u8>) -> Option<Self> {
        if buf.len() < HDR + 1 || *buf.last()? != EOF {
            return None;
        }
        let total = u32::from_le_bytes(buf[0..4].try_into().ok()?) as usize;
        if total != buf.len() {
            return None;
        }
        let lp = Listpack { buf };
        // Walk every entry, checking that each backlen matches.
        let mut off = HDR;
        let mut count = 0usize;
        while off < lp.buf.len() - 1 {
            let (hdr, data) = lp.entry_parts(off)?;
            let enc_len = hdr + data;
            let bl = backlen_size(enc_len);
            if off + enc_len + bl > lp.buf.len() - 1 {
                return None;
            }
            if lp.read_backlen(off + enc_len + bl - 1)? != enc_len {
                return None;
            }
            off += enc_len + bl;
            count += 1;
        }
        let stored = u16::from_le_bytes([lp.buf[4], lp.buf[5]]);
        if stored != COUNT_UNKNOWN && stored as usize != count {
            return None;
        }
        Some(lp)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Releases spare capacity (after a write that will not be followed by more soon).
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }

    /// Bytes used (the whole listpack).
    pub fn bytes_len(&self) -> usize {
        self.buf.len()
    }

    pub fn len(&self) -> usize {
        let c = u16::from_le_bytes([self.buf[4], self.buf[5]]);
        if c != COUNT_UNKNOWN {
            return c as usize;
        }
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.len() == HDR + 1
    }

    fn set_count(&mut self, n: usize) {
        let c = if n < COUNT_UNKNOWN as usize {
            n as u16
        } else {
            COUNT_UNKNOWN
        };
        self.buf[4..6].copy_from_slice(&c.to_le_bytes());
    }

    fn fix_header(&mut self, count: usize) {
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        self.set_count(count);
    }

    /// (encoding header size, data size) of the entry at `off`.
    fn entry_parts(&self, off: usize) -> Option<(usize, usize)> {
        let b = *self.buf.get(off)?;
        Some(if b & 0x80 == 0 {
            (1, 0)
        } else if b & 0xC0 == 0x80 {
            (1, (b & 0x3F) as usize)
        } else if b & 0xE0 == 0xC0 {
            (2, 0)
        } else if b & 0xF0 == 0xE0 {
            let n = (((b & 0x0F) as usize) << 8) | *self.buf.get(off + 1)? as usize;
            (2, n)
        } else {
            match b {
                0xF0 => {
                    let n = u32::from_le_bytes(self.buf.get(off + 1..off + 5)?.try_into().ok()?);
                    (5, n as usize)
                }
                0xF1 => (3, 0),
                0xF2 => (4, 0),
                0xF3 => (5, 0),
                0xF4 => (9, 0),
                _ => return None,
            }
        })
    }

    /// Size of the whole entry at `off` (encoding + data + backlen).
    fn entry_size(&self, off: usize) -> usize {
        let (h, d) = self.entry_parts(off).unwrap_or((1, 0));
        h + d + backlen_size(h + d)
    }

    /// Reads a backlen whose last byte is at `end`.
    fn read_backlen(&self, end: usize) -> Option<usize> {
        let mut v = 0usize;
        let mut shift = 0;
        let mut p = end;
        loop {
            let b = *self.buf.get(p)?;
            v |= ((b & 127) as usize) << shift;
            if b & 128 == 0 {
                break;
            }
            shift += 7;
            if shift > 28 || p == 0 {
                return None;
            }
            p -= 1;
        }
        Some(v)
    }

    /// The element at `off`.
    pub fn get(&self, off: usize) -> LpItem<'_> {
        let b = self.buf[off];
        let le = |n: usize| -> i64 {
            let mut x = [0u8; 8];
            x[..n].copy_from_slice(&self.buf[off + 1..off + 1 + n]);
            let v = i64::from_le_bytes(x);
            // Sign-extend from n bytes.
            let shift = 64 - 8 * n as u32;
            (v << shift) >> shift
        };
        if b & 0x80 == 0 {
            LpItem::Int(b as i64)
        } else if b & 0xC0 == 0x80 {
            let n = (b & 0x3F) as usize;
            LpItem::Str(&self.buf[off + 1..off + 1 + n])
        } else if b & 0xE0 == 0xC0 {
            let u = (((b & 0x1F) as i64) << 8) | self.buf[off + 1] as i64;
            LpItem::Int(if u >= 4096 { u - 8192 } else { u })
        } else if b & 0xF0 == 0xE0 {
            let n = (((b & 0x0F) as usize) << 8) | self.buf[off + 1] as usize;
            LpItem::Str(&self.buf[off + 2..off + 2 + n])
        } else {
            match b {
                0xF0 => {
                    let mut x = [0u8; 4];
                    x.copy_from_slice(&self.buf[off + 1..off + 5]);
                    let n = u32::from_le_bytes(x) as usize;
                    LpItem::Str(&self.buf[off + 5..off + 5 + n])
                }
                0xF1 => LpItem::Int(le(2)),
                0xF2 => LpItem::Int(le(3)),
                0xF3 => LpItem::Int(le(4)),
                _ => LpItem::Int(le(8)),
            }
        }
    }

    /// Offset of the first element.
    pub fn first(&self) -> Option<usize> {
        (self.buf[HDR] != EOF).then_some(HDR)
    }

    /// Offset of the last element.
    pub fn last(&self) -> Option<usize> {
        let end = self.buf.len() - 1;
        if end == HDR {
            return None;
        }
        self.prev(end)
    }

    /// The element after the one at `off`.
    pub fn next(&self, off: usize) -> Option<usize> {
        let n = off + self.entry_size(off);
        (self.buf[n] != EOF).then_some(n)
    }

    /// The element before `off` (`off` may be the end marker's offset).
    pub fn prev(&self, off: usize) -> Option<usize> {
        if off <= HDR {
            return None;
        }
        let enc = self.read_backlen(off - 1)?;
        Some(off - backlen_size(enc) - enc)
    }

    /// Offset of the element at `index` (negative: from the end).
    pub fn seek(&self, index: isize) -> Option<usize> {
        if index >= 0 {
            let mut off = self.first()?;
            for _ in 0..index {
                off = self.next(off)?;
            }
            Some(off)
        } else {
            let mut off = self.last()?;
            for _ in 0..(-index - 1) {
                off = self.prev(off)?;
            }
            Some(off)
        }
    }

    /// The offset where an element appended at the end would go (the end marker).
    pub fn end(&self) -> usize {
        self.buf.len() - 1
    }

    fn splice(&mut self, at: usize, remove: usize, entry: &[u8], count_delta: isize) {
        let count = self.len() as isize + count_delta;
        self.buf.splice(at..at + remove, entry.iter().copied());
        self.fix_header(count.max(0) as usize);
    }

    /// Inserts `item` before the element at `off` (or at the end when `off == end()`).
    /// Returns the offset of the new element.
    pub fn insert(&mut self, off: usize, item: &[u8]) -> usize {
        let e = entry(item);
        self.splice(off, 0, &e, 1);
        off
    }

    /// Inserts an integer before `off`.
    pub fn insert_int(&mut self, off: usize, v: i64) -> usize {
        let e = entry_int(v);
        self.splice(off, 0, &e, 1);
        off
    }

    pub fn push_back(&mut self, item: &[u8]) {
        let end = self.end();
        self.insert(end, item);
    }

    pub fn push_front(&mut self, item: &[u8]) {
        self.insert(HDR, item);
    }

    pub fn push_back_int(&mut self, v: i64) {
        let end = self.end();
        self.insert_int(end, v);
    }

    /// Replaces the element at `off`. Returns its (unchanged) offset.
    pub fn replace(&mut self, off: usize, item: &[u8]) -> usize {
        let size = self.entry_size(off);
        let e = entry(item);
        self.splice(off, size, &e, 0);
        off
    }

    pub fn replace_int(&mut self, off: usize, v: i64) -> usize {
        let size = self.entry_size(off);
        let e = entry_int(v);
        self.splice(off, size, &e, 0);
        off
    }

    /// Deletes the element at `off`; returns the offset of the element that followed it.
    pub fn delete(&mut self, off: usize) -> Option<usize> {
        let size = self.entry_size(off);
        self.splice(off, size, &[], -1);
        (self.buf[off] != EOF).then_some(off)
    }

    /// Deletes `count` elements starting at `off`.
    pub fn delete_range(&mut self, off: usize, count: usize) {
        let mut end = off;
        let mut n = 0;
        while n < count && self.buf[end] != EOF {
            end += self.entry_size(end);
            n += 1;
        }
        let total = self.len();
        self.buf.drain(off..end);
        self.fix_header(total - n);
    }

    /// Every element, first to last.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            lp: self,
            off: self.first(),
        }
    }

    /// Every element, last to first.
    pub fn iter_rev(&self) -> RevIter<'_> {
        RevIter {
            lp: self,
            off: self.last(),
        }
    }

    /// Offsets of every element, first to last.
    pub fn offsets(&self) -> impl Iterator<Item = usize> + '_ {
        let mut cur = self.first();
        std::iter::from_fn(move || {
            let o = cur?;
            cur = self.next(o);
            Some(o)
        })
    }

    /// The first element equal to `item`, starting at `off` and then stepping over `skip`
    /// elements after each comparison (a hash's fields are every other element: skip 1).
    pub fn find(&self, off: Option<usize>, item: &[u8], skip: usize) -> Option<usize> {
        let as_int = if item.len() <= 20 {
            parse_i64_strict(item)
        } else {
            None
        };
        let mut cur = off;
        while let Some(o) = cur {
            let hit = match (self.get(o), as_int) {
                (LpItem::Int(v), Some(w)) => v == w,
                (LpItem::Str(s), None) => s == item,
                _ => false,
            };
            if hit {
                return Some(o);
            }
            cur = self.next(o);
            for _ in 0..skip {
                cur = cur.and_then(|c| self.next(c));
            }
        }
        None
    }
}

pub struct Iter<'a> {
    lp: &'a Listpack,
    off: Option<usize>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpItem<'a>;

    fn next(&mut self) -> Option<LpItem<'a>> {
        let o = self.off?;
        self.off = self.lp.next(o);
        Some(self.lp.get(o))
    }
}

pub struct RevIter<'a> {
    lp: &'a Listpack,
    off: Option<usize>,
}

impl<'a> Iterator for RevIter<'a> {
    type Item = LpItem<'a>;

    fn next(&mut self) -> Option<LpItem<'a>> {
        let o = self.off?;
        self.off = self.lp.prev(o);
        Some(self.lp.get(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|i| i.to_vec()).collect()
    }

    #[test]
    fn encodes_like_redis() {
        // Byte layouts checked against Redis's listpack (a 7.0 hash listpack dumped with
        // DEBUG LISTPACK / DUMP).
        let mut lp = Listpack::new();
        lp.push_back(b"a");
        lp.push_back(b"1");
        assert_eq!(
            lp.as_bytes(),
            &[0x0C, 0, 0, 0, 2, 0, 0x81, b'a', 2, 0x01, 1, 0xFF][..]
        );
        let mut lp = Listpack::new();
        lp.push_back(b"-1");
        lp.push_back(b"1000");
        lp.push_back(b"100000");
        assert_eq!(
            &lp.as_bytes()[6..lp.bytes_len() - 1],
            &[0xDF, 0xFF, 2, 0xC3, 0xE8, 2, 0xF2, 0xA0, 0x86, 0x01, 4][..]
        );
    }

    #[test]
    fn every_integer_width_round_trips() {
        let values: Vec<i64> = vec![
            0,
            127,
            128,
            -1,
            -4096,
            4095,
            4096,
            -4097,
            32767,
            -32768,
            32768,
            (1 << 23) - 1,
            -(1 << 23),
            1 << 23,
            i32::MAX as i64,
            i32::MIN as i64,
            i32::MAX as i64 + 1,
            i64::MAX,
            i64::MIN,
        ];
        let mut lp = Listpack::new();
        for v in &values {
            lp.push_back(v.to_string().as_bytes());
        }
        let back: Vec<LpItem<'_>> = lp.iter().collect();
        for (v, b) in values.iter().zip(back) {
            assert_eq!(b, LpItem::Int(*v));
        }
        let rev: Vec<LpItem<'_>> = lp.iter_rev().collect();
        assert_eq!(rev.len(), values.len());
        assert_eq!(rev[0], LpItem::Int(i64::MIN));
        assert!(Listpack::from_bytes(lp.as_bytes().to_vec()).is_some());
    }

    #[test]
    fn strings_of_every_length_class() {
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 300];
        let mut lp = Listpack::new();
        lp.push_back(b"");
        lp.push_back(&mid);
        lp.push_back(&long);
        lp.push_back(b"01");
        assert_eq!(
            items(&lp),
            vec![b"".to_vec(), mid.clone(), long.clone(), b"01".to_vec()]
        );
        let rev: Vec<Vec<u8>> = lp.iter_rev().map(|i| i.to_vec()).collect();
        assert_eq!(rev, vec![b"01".to_vec(), long, mid, b"".to_vec()]);
        assert!(Listpack::from_bytes(lp.as_bytes().to_vec()).is_some());
    }

    #[test]
    fn insert_replace_delete() {
        let mut lp = Listpack::new();
        for s in ["a", "b", "c", "d"] {
            lp.push_back(s.as_bytes());
        }
        lp.push_front(b"z");
        let b = lp.find(lp.first(), b"b", 0).expect("b");
        lp.insert(b, b"mid");
        let c = lp.find(lp.first(), b"c", 0).expect("c");
        lp.replace(c, b"12345");
        let d = lp.seek(-1).expect("last");
        lp.delete(d);
        assert_eq!(
            items(&lp),
            vec![
                b"z".to_vec(),
                b"a".to_vec(),
                b"mid".to_vec(),
                b"b".to_vec(),
                b"12345".to_vec()
            ]
        );
        assert_eq!(lp.len(), 5);
        let off = lp.seek(1).expect("a");
        lp.delete_range(off, 2);
        assert_eq!(
            items(&lp),
            vec![b"z".to_vec(), b"b".to_vec(), b"12345".to_vec()]
        );
        assert_eq!(lp.len(), 3);
        assert_eq!(lp.seek(-3), lp.first());
        assert_eq!(lp.seek(3), None);
        assert!(Listpack::from_bytes(lp.as_bytes().to_vec()).is_some());
    }

    #[test]
    fn find_with_skip_matches_fields_only() {
        let mut lp = Listpack::new();
        for s in ["f1", "v", "v", "x", "f3", "1"] {
            lp.push_back(s.as_bytes());
        }
        // "v" appears as a value first; with skip 1 only fields are compared.
        assert_eq!(lp.find(lp.first(), b"v", 1), lp.seek(2));
        assert_eq!(lp.find(lp.first(), b"1", 1), None);
        assert_eq!(lp.find(lp.first(), b"f3", 1), lp.seek(4));
    }

    #[test]
    fn count_beyond_u16() {
        let mut lp = Listpack::new();
        for i in 0..70_000 {
            lp.push_back_int(i % 100);
        }
        assert_eq!(lp.len(), 70_000);
        let first = lp.first().expect("first");
        lp.delete_range(first, 10_000);
        assert_eq!(lp.len(), 60_000);
    }
}
