//! `Key`: an owned byte string that keeps short keys inline.
//!
//! Most keys are short (`user:1000`, `key:000000012345`), so a key of up to
//! [`Key::INLINE_CAP`] bytes lives inside the 24-byte value itself and costs no allocation;
//! longer keys go to the heap. The same type holds short member strings in later families.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};

#[derive(Clone)]
pub struct Key(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; Key::INLINE_CAP] },
    Heap(Box<[u8]>),
}

impl Key {
    /// The longest key stored without a heap allocation.
    pub const INLINE_CAP: usize = 22;

    pub fn new(bytes: &[u8]) -> Self {
        if bytes.len() <= Self::INLINE_CAP {
            let mut buf = [0u8; Self::INLINE_CAP];
            buf[..bytes.len()].copy_from_slice(bytes);
            Key(Repr::Inline {
                len: bytes.len() as u8,
                buf,
            })
        } else {
            Key(Repr::Heap(bytes.into()))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => &buf[..*len as usize],
            Repr::Heap(b) => b,
        }
    }

    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes owned beyond the inline value (for memory accounting).
    pub fn heap_size(&self) -> usize {
        match &self.0 {
            Repr::Inline { .. } => 0,
            Repr::Heap(b) => b.len(),
        }
    }
}

impl From<&[u8]> for Key {
    fn from(b: &[u8]) -> Self {
        Key::new(b)
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key::new(s.as_bytes())
    }
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({:?})", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap() {
        assert_eq!(std::mem::size_of::<Key>(), 24);
        let short = Key::new(b"user:1000");
        assert_eq!(short.as_bytes(), b"user:1000");
        assert_eq!(short.heap_size(), 0);
        let long = Key::new(&[b'x'; 40]);
        assert_eq!(long.len(), 40);
        assert_eq!(long.heap_size(), 40);
        assert_eq!(Key::new(b""), Key::new(b""));
        assert!(Key::new(b"a") < Key::new(b"b"));
    }
}
