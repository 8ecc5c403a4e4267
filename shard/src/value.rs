//! Values stored under keys, with Redis's encodings.
//!
//! Strings keep Redis's three encodings because clients and tests observe them through
//! `OBJECT ENCODING`: `int` (an integer that round-trips exactly), `embstr` (a short immutable
//! string, up to 44 bytes) and `raw` (long strings and any string modified in place by
//! APPEND/SETRANGE/SETBIT). The data-type families add their variants here.

use std::borrow::Cow;

use crate::key::Key;
use crate::util::parse_i64_strict;

/// The longest string Redis stores as `embstr`.
pub const EMBSTR_MAX: usize = 44;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string that is the canonical decimal form of an integer (`int`).
    Int(i64),
    /// An immutable string (`embstr` up to [`EMBSTR_MAX`] bytes, else `raw`). Short ones
    /// (up to [`Key::INLINE_CAP`] bytes) live inside the value, so reading one costs no memory
    /// access beyond the keyspace entry.
    Str(Key),
    /// A string modified in place (`raw`).
    Raw(Vec<u8>),
    List(Box<crate::lists::List>),
    Hash(crate::hashes::Hash),
    Set(Box<crate::sets::Set>),
    ZSet(Box<crate::zsets::ZSet>),
    Stream(Box<crate::streams::Stream>),
}

impl Value {
    /// A string value encoded as Redis's `tryObjectEncoding` would encode it.
    pub fn string(bytes: &[u8]) -> Value {
        if bytes.len() <= 20 {
            if let Some(n) = parse_i64_strict(bytes) {
                return Value::Int(n);
            }
        }
        Value::Str(Key::new(bytes))
    }

    /// The `TYPE` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) | Value::Str(_) | Value::Raw(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Str(b) if b.len() <= EMBSTR_MAX => "embstr",
            Value::Str(_) | Value::Raw(_) => "raw",
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(s) => s.encoding(),
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Str(_) | Value::Raw(_))
    }

    /// The bytes of a string value (`None` for other types).
    pub fn as_bytes(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            Value::Int(n) => Some(Cow::Owned(n.to_string().into_bytes())),
            Value::Str(b) => Some(Cow::Borrowed(b.as_bytes())),
            Value::Raw(v) => Some(Cow::Borrowed(v)),
            _ => None,
        }
    }

    /// Length of a string value in bytes (`None` for other types).
    pub fn string_len(&self) -> Option<usize> {
        match self {
            Value::Int(n) => Some(int_len(*n)),
            Value::Str(b) => Some(b.len()),
            Value::Raw(v) => Some(v.len()),
            _ => None,
        }
    }

    /// The string's bytes as a mutable buffer, converting the value to `raw` (for APPEND,
    /// SETRANGE, SETBIT). `None` for other types.
    pub fn make_raw(&mut self) -> Option<&mut Vec<u8>> {
        match self {
            Value::Raw(_) => {}
            Value::Int(n) => *self = Value::Raw(n.to_string().into_bytes()),
            Value::Str(b) => *self = Value::Raw(b.as_bytes().to_vec()),
            _ => return None,
        }
        match self {
            Value::Raw(v) => Some(v),
            _ => None,
        }
    }

    /// Approximate heap bytes owned by the value (for MEMORY USAGE and eviction).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Int(_) => 0,
            Value::Str(b) => b.heap_size(),
            Value::Raw(v) => v.capacity(),
            Value::List(l) => std::mem::size_of_val(&**l) + l.heap_size(),
            Value::Hash(h) => h.heap_size(),
            Value::Set(s) => std::mem::size_of_val(&**s) + s.heap_size(),
            Value::ZSet(z) => std::mem::size_of_val(&**z) + z.heap_size(),
            Value::Stream(s) => std::mem::size_of_val(&**s) + s.heap_size(),
        }
    }
}

/// Number of characters in the decimal form of `n`.
pub fn int_len(n: i64) -> usize {
    let mut len = if n < 0 { 2 } else { 1 };
    let mut v = n.unsigned_abs();
    while v >= 10 {
        v /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_redis() {
        assert_eq!(Value::string(b"12345").encoding(), "int");
        assert_eq!(Value::string(b"-9223372036854775808").encoding(), "int");
        assert_eq!(Value::string(b"012").encoding(), "embstr");
        assert_eq!(Value::string(b" 1").encoding(), "embstr");
        assert_eq!(Value::string(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(Value::string(&[b'a'; 45]).encoding(), "raw");
        let mut v = Value::string(b"7");
        v.make_raw().expect("string").push(b'8');
        assert_eq!(v.encoding(), "raw");
        assert_eq!(v.as_bytes().as_deref(), Some(&b"78"[..]));
        assert_eq!(int_len(-100), 4);
        assert_eq!(int_len(0), 1);
    }

    /// Hashes live unboxed in the value (one allocation less per small hash); that must not
    /// grow the value beyond a string's size.
    #[test]
    fn value_stays_small() {
        assert_eq!(std::mem::size_of::<Value>(), 32);
    }
}
