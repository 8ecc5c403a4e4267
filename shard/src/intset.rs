//! `IntSet`: a sorted array of distinct integers in Redis's intset byte format, the compact
//! encoding of small all-integer sets.
//!
//! ```text
//! +----------------+--------------+----------------------------------+
//! | encoding u32   | length u32   | length * encoding bytes, sorted  |
//! +----------------+--------------+----------------------------------+
//! ```
//!
//! `encoding` is the width of every element: 2, 4 or 8 bytes; all integers little-endian. The
//! width grows (never shrinks) when a wider value is added, as in Redis.

#[derive(Clone, PartialEq, Eq)]
pub struct IntSet {
    buf: Vec<u8>,
}

impl Default for IntSet {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for IntSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn width_for(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

impl IntSet {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(8);
        buf.extend_from_slice(&2u32.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        IntSet { buf }
    }

    /// Adopts bytes in intset format (from an RDB file), checking them.
    pub fn from_bytes(buf: Vec<u8>) -> Option<Self> {
        if buf.len() < 8 {
            return None;
        }
        let w = u32::from_le_bytes(buf[0..4].try_into().ok()?) as usize;
        let n = u32::from_le_bytes(buf[4..8].try_into().ok()?) as usize;
        if !matches!(w, 2 | 4 | 8) || buf.len() != 8 + w.checked_mul(n)? {
            return None;
        }
        let s = IntSet { buf };
        let sorted = (1..n).all(|i| s.get(i - 1) < s.get(i));
        sorted.then_some(s)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn width(&self) -> usize {
        u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize
    }

    pub fn len(&self) -> usize {
        u32::from_le_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes used.
    pub fn bytes_len(&self) -> usize {
        self.buf.len()
    }

    fn set_len(&mut self, n: usize) {
        self.buf[4..8].copy_from_slice(&(n as u32).to_le_bytes());
    }

    /// The element at position `i` (in ascending order).
    pub fn get(&self, i: usize) -> i64 {
        let w = self.width();
        let at = 8 + i * w;
        let b = &self.buf[at..at + w];
        match w {
            2 => i16::from_le_bytes([b[0], b[1]]) as i64,
            4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        }
    }

    fn write_at(buf: &mut [u8], w: usize, i: usize, v: i64) {
        let at = 8 + i * w;
        match w {
            2 => buf[at..at + 2].copy_from_slice(&(v as i16).to_le_bytes()),
            4 => buf[at..at + 4].copy_from_slice(&(v as i32).to_le_bytes()),
            _ => buf[at..at + 8].copy_from_slice(&v.to_le_bytes()),
        }
    }

    /// `Ok(position)` if present, `Err(insertion point)` if not.
    fn search(&self, v: i64) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let x = self.get(mid);
            if x == v {
                return Ok(mid);
            }
            if x < v {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        width_for(v) <= self.width() && self.search(v).is_ok()
    }

    /// Adds `v`; returns whether it was new.
    pub fn insert(&mut self, v: i64) -> bool {
        if width_for(v) > self.width() {
            self.upgrade(width_for(v));
        }
        let pos = match self.search(v) {
            Ok(_) => return false,
            Err(p) => p,
        };
        let w = self.width();
        let n = self.len();
        let at = 8 + pos * w;
        // Sized exactly, as Redis's intset: no doubling slack on large sets.
        self.buf.reserve_exact(w);
        self.buf.splice(at..at, std::iter::repeat_n(0u8, w));
        Self::write_at(&mut self.buf, w, pos, v);
        self.set_len(n + 1);
        true
    }

    /// Removes `v`; returns whether it was there.
    pub fn remove(&mut self, v: i64) -> bool {
        if width_for(v) > self.width() {
            return false;
        }
        let Ok(pos) = self.search(v) else {
            return false;
        };
        let w = self.width();
        let n = self.len();
        let at = 8 + pos * w;
        self.buf.drain(at..at + w);
        self.buf.shrink_to_fit();
        self.set_len(n - 1);
        true
    }

    fn upgrade(&mut self, w: usize) {
        let n = self.len();
        let old: Vec<i64> = self.iter().collect();
        let mut buf = Vec::with_capacity(8 + n * w);
        buf.extend_from_slice(&(w as u32).to_le_bytes());
        buf.extend_from_slice(&(n as u32).to_le_bytes());
        buf.resize(8 + n * w, 0);
        for (i, v) in old.into_iter().enumerate() {
            Self::write_at(&mut buf, w, i, v);
        }
        self.buf = buf;
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = i64> + ExactSizeIterator + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    pub fn min(&self) -> Option<i64> {
        (!self.is_empty()).then(|| self.get(0))
    }

    pub fn max(&self) -> Option<i64> {
        (!self.is_empty()).then(|| self.get(self.len() - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_upgrades_like_redis() {
        let mut s = IntSet::new();
        assert!(s.insert(5));
        assert!(s.insert(-3));
        assert!(!s.insert(5));
        assert_eq!(
            s.as_bytes(),
            &[2, 0, 0, 0, 2, 0, 0, 0, 0xFD, 0xFF, 5, 0][..]
        );
        assert!(s.insert(70_000));
        assert_eq!(s.width(), 4);
        assert!(s.insert(i64::MIN));
        assert_eq!(s.width(), 8);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 70_000]);
        assert!(s.contains(70_000));
        assert!(!s.contains(6));
        assert!(s.remove(-3));
        assert!(!s.remove(-3));
        assert_eq!(s.len(), 3);
        assert_eq!(s.width(), 8, "never shrinks");
        assert!(IntSet::from_bytes(s.as_bytes().to_vec()).is_some());
        assert!(IntSet::from_bytes(vec![3, 0, 0, 0, 0, 0, 0, 0]).is_none());
    }
}
