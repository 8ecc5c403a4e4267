//! [`Frame`]: one complete RESP2/RESP3 value, with a strict decoder and an encoder.
//!
//! This module owns the general value codec used by tests, tools and (later) replication
//! links. It is not the server's request path (that is [`crate::request`], which follows
//! Redis's lenient request grammar) nor its reply path (that is [`crate::RespWriter`], which
//! writes replies without building values).
//!
//! Decoding is strict so that `decode` then `encode` gives back the same bytes: every line
//! ends in CRLF, every payload is followed by CRLF, integers and lengths are canonical
//! decimals (no `+`, no leading zeros, no `-0`), and the three nulls (`$-1`, `*-1`, `_`) are
//! kept apart. Doubles and big numbers keep their text, so `,1.0` and `,1` stay distinct and
//! NaN compares equal to itself.
//!
//! Not supported: RESP3 streamed strings and aggregates (`$?`, `*?`, ...), which Redis never
//! sends; they decode as [`FrameErrorKind::Streamed`].

use std::fmt;

use crate::num::{fmt_double_g17, parse_i64, write_i64};

/// Aggregates (arrays, maps, sets, pushes, attributes) nested deeper than this do not decode,
/// so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 128;

/// A RESP2 or RESP3 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `+text`: any bytes but CR and LF.
    Simple(Vec<u8>),
    /// `-CODE message`: any bytes but CR and LF.
    Error(Vec<u8>),
    /// `:123`
    Integer(i64),
    /// `$3\r\nabc`
    Bulk(Vec<u8>),
    /// `$-1`: the RESP2 null bulk string.
    NullBulk,
    /// `*2\r\n...`
    Array(Vec<Frame>),
    /// `*-1`: the RESP2 null array.
    NullArray,
    /// `_`: the RESP3 null.
    Null,
    /// `#t` or `#f`.
    Boolean(bool),
    /// `,1.5`, `,inf`, `,-inf`, `,nan`, `,1e+17`: the text as sent, which Rust can parse as
    /// an `f64` (see [`Frame::as_f64`]).
    Double(String),
    /// `(12345678901234567890`: an optional sign and decimal digits.
    BigNumber(String),
    /// `!len\r\nCODE message`: an error with a length prefix.
    BlobError(Vec<u8>),
    /// `=len\r\ntxt:data`: a string with a three-byte format tag.
    Verbatim { format: [u8; 3], data: Vec<u8> },
    /// `%n\r\n` followed by n key-value pairs, kept in wire order.
    Map(Vec<(Frame, Frame)>),
    /// `~n\r\n...`
    Set(Vec<Frame>),
    /// `>n\r\n...`: an out-of-band push.
    Push(Vec<Frame>),
    /// `|n\r\n` followed by n pairs: attributes describing the value that follows them.
    Attribute {
        attrs: Vec<(Frame, Frame)>,
        value: Box<Frame>,
    },
}

/// Why bytes are not a valid frame, and at which offset that became clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub kind: FrameErrorKind,
    /// Offset in the decoded buffer of the offending byte or line.
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameErrorKind {
    /// The first byte of a value is not a RESP type.
    UnknownType(u8),
    /// A streamed (`?` length) string or aggregate.
    Streamed,
    /// A line ends in something other than CRLF, or a payload is not followed by CRLF.
    BadLineEnd,
    /// A length is not a canonical decimal, is negative (other than `$-1` and `*-1`), or does
    /// not fit in memory.
    InvalidLength,
    /// `:` not followed by a canonical 64-bit decimal.
    InvalidInteger,
    /// `,` not followed by a number Rust can parse.
    InvalidDouble,
    /// `#` not followed by `t` or `f`.
    InvalidBoolean,
    /// `_` followed by something before its CRLF.
    InvalidNull,
    /// `(` not followed by an optional sign and digits.
    InvalidBigNumber,
    /// `=` whose payload is not `xxx:` followed by the data.
    InvalidVerbatim,
    /// More than [`MAX_DEPTH`] nested aggregates.
    TooDeep,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FrameErrorKind::UnknownType(b) => {
                return write!(
                    f,
                    "unknown RESP type byte 0x{b:02x} at offset {}",
                    self.offset
                )
            }
            FrameErrorKind::Streamed => "streamed RESP3 types are not supported",
            FrameErrorKind::BadLineEnd => "expected CRLF",
            FrameErrorKind::InvalidLength => "invalid length",
            FrameErrorKind::InvalidInteger => "invalid integer",
            FrameErrorKind::InvalidDouble => "invalid double",
            FrameErrorKind::InvalidBoolean => "invalid boolean",
            FrameErrorKind::InvalidNull => "invalid null",
            FrameErrorKind::InvalidBigNumber => "invalid big number",
            FrameErrorKind::InvalidVerbatim => "invalid verbatim string",
            FrameErrorKind::TooDeep => "aggregates nested too deep",
        };
        write!(f, "{what} at offset {}", self.offset)
    }
}

impl std::error::Error for FrameError {}

/// A decoding step: `Ok(None)` means more bytes are needed; otherwise the value and the
/// offset just past it.
type Step<T> = Result<Option<(T, usize)>, FrameError>;

impl Frame {
    /// Decodes one frame from the start of `buf`.
    ///
    /// Returns the frame and the number of bytes it occupies, `Ok(None)` if `buf` holds only
    /// the beginning of a frame (never an error for a prefix of a valid frame), or an error.
    /// Decoding restarts from the beginning on every call: it suits tests and tools, not
    /// multi-megabyte values arriving in small reads.
    pub fn decode(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
        Decoder { buf }.frame(0, 0)
    }

    /// Appends the wire form of the frame.
    ///
    /// CR and LF inside `Simple`, `Error`, `Double` and `BigNumber` text would break framing;
    /// they are written as spaces (as Redis does for error messages), so such frames do not
    /// survive a round trip. Decoded frames never contain them.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Frame::Simple(s) => push_line(out, b'+', s),
            Frame::Error(s) => push_line(out, b'-', s),
            Frame::Integer(n) => {
                out.push(b':');
                write_i64(out, *n);
                out.extend_from_slice(b"\r\n");
            }
            Frame::Bulk(data) => push_blob(out, b'$', data),
            Frame::NullBulk => out.extend_from_slice(b"$-1\r\n"),
            Frame::Array(items) => push_items(out, b'*', items),
            Frame::NullArray => out.extend_from_slice(b"*-1\r\n"),
            Frame::Null => out.extend_from_slice(b"_\r\n"),
            Frame::Boolean(v) => out.extend_from_slice(if *v { b"#t\r\n" } else { b"#f\r\n" }),
            Frame::Double(text) => push_line(out, b',', text.as_bytes()),
            Frame::BigNumber(text) => push_line(out, b'(', text.as_bytes()),
            Frame::BlobError(data) => push_blob(out, b'!', data),
            Frame::Verbatim { format, data } => {
                push_header(out, b'=', data.len() + 4);
                out.extend_from_slice(format);
                out.push(b':');
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\n");
            }
            Frame::Map(pairs) => push_pairs(out, b'%', pairs),
            Frame::Set(items) => push_items(out, b'~', items),
            Frame::Push(items) => push_items(out, b'>', items),
            Frame::Attribute { attrs, value } => {
                push_pairs(out, b'|', attrs);
                value.encode(out);
            }
        }
    }

    /// The wire form as a new buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    pub fn simple(text: impl Into<Vec<u8>>) -> Frame {
        Frame::Simple(text.into())
    }

    pub fn error(text: impl Into<Vec<u8>>) -> Frame {
        Frame::Error(text.into())
    }

    pub fn bulk(data: impl Into<Vec<u8>>) -> Frame {
        Frame::Bulk(data.into())
    }

    /// A double formatted as Redis 7.0 replies with it (`%.17g`, `inf`, `-inf`).
    pub fn double(v: f64) -> Frame {
        Frame::Double(fmt_double_g17(v))
    }

    /// A command as clients send it: an array of bulk strings.
    pub fn command<I, A>(args: I) -> Frame
    where
        I: IntoIterator<Item = A>,
        A: AsRef<[u8]>,
    {
        Frame::Array(
            args.into_iter()
                .map(|a| Frame::Bulk(a.as_ref().to_vec()))
                .collect(),
        )
    }

    /// The bytes of a string-like frame: simple, error, bulk, blob error, verbatim (without
    /// its format), and the text of doubles and big numbers.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Frame::Simple(s) | Frame::Error(s) | Frame::Bulk(s) | Frame::BlobError(s) => Some(s),
            Frame::Verbatim { data, .. } => Some(data),
            Frame::Double(text) | Frame::BigNumber(text) => Some(text.as_bytes()),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Frame::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// The value of a double (its text parsed as Rust parses floats).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Frame::Double(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The elements of an array, set or push.
    pub fn as_array(&self) -> Option<&[Frame]> {
        match self {
            Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => Some(items),
            _ => None,
        }
    }

    /// Any of the three nulls.
    pub fn is_null(&self) -> bool {
        matches!(self, Frame::Null | Frame::NullBulk | Frame::NullArray)
    }
}

/// Formats like `redis-cli` does on a terminal: `"quoted"` strings, `(integer) 1`, `(nil)`,
/// numbered and indented aggregates.
impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        display(self, "", &mut out);
        f.write_str(&out)
    }
}

fn display(frame: &Frame, indent: &str, out: &mut String) {
    match frame {
        Frame::Simple(s) => out.push_str(&String::from_utf8_lossy(s)),
        Frame::Error(s) | Frame::BlobError(s) => {
            out.push_str("(error) ");
            out.push_str(&String::from_utf8_lossy(s));
        }
        Frame::Integer(n) => out.push_str(&format!("(integer) {n}")),
        Frame::Bulk(data) => quote(data, out),
        Frame::NullBulk | Frame::NullArray | Frame::Null => out.push_str("(nil)"),
        Frame::Boolean(v) => out.push_str(if *v { "(true)" } else { "(false)" }),
        Frame::Double(text) => {
            out.push_str("(double) ");
            out.push_str(text);
        }
        Frame::BigNumber(text) => {
            out.push_str("(big number) ");
            out.push_str(text);
        }
        Frame::Verbatim { data, .. } => out.push_str(&String::from_utf8_lossy(data)),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            let mark = match frame {
                Frame::Set(_) => '~',
                Frame::Push(_) => '>',
                _ => ')',
            };
            if items.is_empty() {
                out.push_str(match frame {
                    Frame::Set(_) => "(empty set)",
                    _ => "(empty array)",
                });
                return;
            }
            let width = items.len().to_string().len();
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("{:>width$}{mark} ", i + 1);
                if i > 0 {
                    out.push('\n');
                    out.push_str(indent);
                }
                out.push_str(&prefix);
                let inner = format!("{indent}{}", " ".repeat(prefix.len()));
                display(item, &inner, out);
            }
        }
        Frame::Map(pairs) | Frame::Attribute { attrs: pairs, .. } => {
            if pairs.is_empty() {
                out.push_str("(empty hash)");
            }
            let width = pairs.len().to_string().len();
            for (i, (k, v)) in pairs.iter().enumerate() {
                let prefix = format!("{:>width$}# ", i + 1);
                if i > 0 {
                    out.push('\n');
                    out.push_str(indent);
                }
                out.push_str(&prefix);
                let inner = format!("{indent}{}", " ".repeat(prefix.len()));
                display(k, &inner, out);
                out.push_str(" => ");
                display(v, &inner, out);
            }
            if let Frame::Attribute { value, .. } = frame {
                out.push('\n');
                out.push_str(indent);
                display(value, indent, out);
            }
        }
    }
}

/// A double-quoted, escaped rendering of arbitrary bytes.
fn quote(data: &[u8], out: &mut String) {
    out.push('"');
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}

fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    // A Vec never holds more than isize::MAX elements, so the length fits in an i64.
    write_i64(out, i64::try_from(len).unwrap_or(i64::MAX));
    out.extend_from_slice(b"\r\n");
}

fn push_line(out: &mut Vec<u8>, tag: u8, text: &[u8]) {
    out.push(tag);
    out.extend(
        text.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
}

fn push_blob(out: &mut Vec<u8>, tag: u8, data: &[u8]) {
    push_header(out, tag, data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

fn push_items(out: &mut Vec<u8>, tag: u8, items: &[Frame]) {
    push_header(out, tag, items.len());
    for item in items {
        item.encode(out);
    }
}

fn push_pairs(out: &mut Vec<u8>, tag: u8, pairs: &[(Frame, Frame)]) {
    push_header(out, tag, pairs.len());
    for (k, v) in pairs {
        k.encode(out);
        v.encode(out);
    }
}

struct Decoder<'a> {
    buf: &'a [u8],
}

/// A parsed length header.
enum Len {
    /// `-1` on `$` or `*`.
    Null,
    Count(usize),
}

impl<'a> Decoder<'a> {
    /// Decodes the frame starting at `pos`, inside `depth` enclosing aggregates.
    fn frame(&self, pos: usize, depth: usize) -> Step<Frame> {
        let Some(&tag) = self.buf.get(pos) else {
            return Ok(None);
        };
        let body = pos + 1;
        match tag {
            b'+' | b'-' | b':' | b'_' | b'#' | b',' | b'(' => {
                let Some((line, next)) = self.line(body)? else {
                    return Ok(None);
                };
                let fail = |kind| Err(FrameError { kind, offset: body });
                let frame = match tag {
                    b'+' => Frame::Simple(line.to_vec()),
                    b'-' => Frame::Error(line.to_vec()),
                    b':' => match parse_i64(line) {
                        Some(n) => Frame::Integer(n),
                        None => return fail(FrameErrorKind::InvalidInteger),
                    },
                    b'_' if line.is_empty() => Frame::Null,
                    b'_' => return fail(FrameErrorKind::InvalidNull),
                    b'#' => match line {
                        b"t" => Frame::Boolean(true),
                        b"f" => Frame::Boolean(false),
                        _ => return fail(FrameErrorKind::InvalidBoolean),
                    },
                    b',' => match double_text(line) {
                        Some(text) => Frame::Double(text),
                        None => return fail(FrameErrorKind::InvalidDouble),
                    },
                    _ => match big_number_text(line) {
                        Some(text) => Frame::BigNumber(text),
                        None => return fail(FrameErrorKind::InvalidBigNumber),
                    },
                };
                Ok(Some((frame, next)))
            }
            b'$' | b'!' | b'=' => self.blob(tag, body),
            b'*' | b'~' | b'>' => self.items(tag, body, depth),
            b'%' | b'|' => self.pairs(tag, body, depth),
            other => Err(FrameError {
                kind: FrameErrorKind::UnknownType(other),
                offset: pos,
            }),
        }
    }

    /// The bytes from `start` up to the next CRLF, and the offset after the CRLF.
    fn line(&self, start: usize) -> Step<&'a [u8]> {
        let rest = self.buf.get(start..).unwrap_or_default();
        let Some(i) = rest.iter().position(|&b| b == b'\r' || b == b'\n') else {
            return Ok(None);
        };
        let bad = Err(FrameError {
            kind: FrameErrorKind::BadLineEnd,
            offset: start + i,
        });
        if rest[i] == b'\n' {
            return bad;
        }
        match rest.get(i + 1) {
            None => Ok(None),
            Some(b'\n') => Ok(Some((&rest[..i], start + i + 2))),
            Some(_) => bad,
        }
    }

    /// A length line; `-1` is accepted only where `null_ok`.
    fn len(&self, start: usize, null_ok: bool) -> Step<Len> {
        let Some((line, next)) = self.line(start)? else {
            return Ok(None);
        };
        let fail = |kind| {
            Err(FrameError {
                kind,
                offset: start,
            })
        };
        if line == b"?" {
            return fail(FrameErrorKind::Streamed);
        }
        match parse_i64(line) {
            Some(-1) if null_ok => Ok(Some((Len::Null, next))),
            Some(n) => match usize::try_from(n) {
                Ok(n) => Ok(Some((Len::Count(n), next))),
                Err(_) => fail(FrameErrorKind::InvalidLength),
            },
            None => fail(FrameErrorKind::InvalidLength),
        }
    }

    /// `$`, `!` and `=`: a length line, the payload, CRLF.
    fn blob(&self, tag: u8, start: usize) -> Step<Frame> {
        let Some((len, data_start)) = self.len(start, tag == b'$')? else {
            return Ok(None);
        };
        let len = match len {
            Len::Null => return Ok(Some((Frame::NullBulk, data_start))),
            Len::Count(n) => n,
        };
        let Some(data_end) = data_start.checked_add(len) else {
            return Err(FrameError {
                kind: FrameErrorKind::InvalidLength,
                offset: start,
            });
        };
        let Some(crlf) = self.buf.get(data_end..data_end.saturating_add(2)) else {
            return Ok(None);
        };
        if crlf != b"\r\n" {
            return Err(FrameError {
                kind: FrameErrorKind::BadLineEnd,
                offset: data_end,
            });
        }
        let data = &self.buf[data_start..data_end];
        let frame = match tag {
            b'$' => Frame::Bulk(data.to_vec()),
            b'!' => Frame::BlobError(data.to_vec()),
            _ => match data {
                [a, b, c, b':', rest @ ..] => Frame::Verbatim {
                    format: [*a, *b, *c],
                    data: rest.to_vec(),
                },
                _ => {
                    return Err(FrameError {
                        kind: FrameErrorKind::InvalidVerbatim,
                        offset: data_start,
                    })
                }
            },
        };
        Ok(Some((frame, data_end + 2)))
    }

    /// The number of elements an aggregate may reserve room for up front: no more than the
    /// remaining bytes could hold (every frame takes at least 3 bytes), so a huge announced
    /// count costs nothing until its elements arrive.
    fn capacity(&self, count: usize, at: usize, bytes_per_item: usize) -> usize {
        count.min(self.buf.len().saturating_sub(at) / bytes_per_item)
    }

    fn enter(&self, depth: usize, offset: usize) -> Result<usize, FrameError> {
        if depth >= MAX_DEPTH {
            return Err(FrameError {
                kind: FrameErrorKind::TooDeep,
                offset,
            });
        }
        Ok(depth + 1)
    }

    /// `*`, `~` and `>`.
    fn items(&self, tag: u8, start: usize, depth: usize) -> Step<Frame> {
        let Some((len, mut pos)) = self.len(start, tag == b'*')? else {
            return Ok(None);
        };
        let count = match len {
            Len::Null => return Ok(Some((Frame::NullArray, pos))),
            Len::Count(n) => n,
        };
        let inner = self.enter(depth, start - 1)?;
        let mut items = Vec::with_capacity(self.capacity(count, pos, 3));
        for _ in 0..count {
            let Some((item, next)) = self.frame(pos, inner)? else {
                return Ok(None);
            };
            items.push(item);
            pos = next;
        }
        let frame = match tag {
            b'*' => Frame::Array(items),
            b'~' => Frame::Set(items),
            _ => Frame::Push(items),
        };
        Ok(Some((frame, pos)))
    }

    /// `%` and `|` (an attribute is followed by the value it describes).
    fn pairs(&self, tag: u8, start: usize, depth: usize) -> Step<Frame> {
        let Some((len, mut pos)) = self.len(start, false)? else {
            return Ok(None);
        };
        let count = match len {
            Len::Null => 0,
            Len::Count(n) => n,
        };
        let inner = self.enter(depth, start - 1)?;
        let mut pairs = Vec::with_capacity(self.capacity(count, pos, 6));
        for _ in 0..count {
            let Some((key, next)) = self.frame(pos, inner)? else {
                return Ok(None);
            };
            let Some((value, next)) = self.frame(next, inner)? else {
                return Ok(None);
            };
            pairs.push((key, value));
            pos = next;
        }
        if tag == b'%' {
            return Ok(Some((Frame::Map(pairs), pos)));
        }
        // The described value counts as nested, so a chain of attributes cannot recurse
        // without bound.
        let Some((value, next)) = self.frame(pos, inner)? else {
            return Ok(None);
        };
        let frame = Frame::Attribute {
            attrs: pairs,
            value: Box::new(value),
        };
        Ok(Some((frame, next)))
    }
}

/// The text of a double if Rust can parse it as one.
fn double_text(line: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(line).ok()?;
    text.parse::<f64>().ok()?;
    Some(text.to_owned())
}

/// The text of a big number: an optional sign, then at least one decimal digit.
fn big_number_text(line: &[u8]) -> Option<String> {
    let digits = match line.first() {
        Some(b'-' | b'+') => &line[1..],
        _ => line,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // All ASCII, checked just above.
    String::from_utf8(line.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // A failed unwrap is a failed test.

    use super::*;

    fn decode_all(bytes: &[u8]) -> Frame {
        match Frame::decode(bytes) {
            Ok(Some((frame, used))) => {
                assert_eq!(used, bytes.len(), "{:?}", String::from_utf8_lossy(bytes));
                frame
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }

    fn kind_of(bytes: &[u8]) -> FrameErrorKind {
        match Frame::decode(bytes) {
            Err(e) => e.kind,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }

    /// Wire forms that must decode and re-encode to exactly the same bytes.
    const WIRE: &[&[u8]] = &[
        b"+OK\r\n",
        b"+\r\n",
        b"+hello world \x00\xff\r\n",
        b"-ERR unknown command\r\n",
        b":0\r\n",
        b":-1\r\n",
        b":9223372036854775807\r\n",
        b":-9223372036854775808\r\n",
        b"$0\r\n\r\n",
        b"$5\r\nhe\r\no\r\n",
        b"$-1\r\n",
        b"*-1\r\n",
        b"*0\r\n",
        b"_\r\n",
        b"#t\r\n",
        b"#f\r\n",
        b",1.5\r\n",
        b",1\r\n",
        b",1.0\r\n",
        b",inf\r\n",
        b",-inf\r\n",
        b",nan\r\n",
        b",1e+17\r\n",
        b",0.10000000000000001\r\n",
        b"(3492890328409238509324850943850943825024385\r\n",
        b"(-1\r\n",
        b"!21\r\nSYNTAX invalid syntax\r\n",
        b"=15\r\ntxt:Some string\r\n",
        b"=4\r\nmkd:\r\n",
        b"*3\r\n:1\r\n$1\r\na\r\n*2\r\n_\r\n$-1\r\n",
        b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        b"%0\r\n",
        b"~2\r\n+a\r\n+b\r\n",
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n",
        b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
        b"*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:1\r\n",
    ];

    #[test]
    fn wire_forms_round_trip() {
        for bytes in WIRE {
            let frame = decode_all(bytes);
            assert_eq!(frame.to_bytes(), *bytes, "{frame:?}");
        }
    }

    #[test]
    fn every_prefix_needs_more_bytes() {
        let mut stream = Vec::new();
        for bytes in WIRE {
            stream.extend_from_slice(bytes);
            for cut in 0..bytes.len() {
                assert_eq!(
                    Frame::decode(&bytes[..cut]),
                    Ok(None),
                    "{:?} cut at {cut}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
        // Concatenated frames decode one after another.
        let mut pos = 0;
        for bytes in WIRE {
            let (frame, used) = Frame::decode(&stream[pos..]).unwrap().unwrap();
            assert_eq!(used, bytes.len());
            assert_eq!(frame.to_bytes(), *bytes);
            pos += used;
        }
    }

    #[test]
    fn decoded_values() {
        assert_eq!(decode_all(b"$-1\r\n"), Frame::NullBulk);
        assert_eq!(decode_all(b"*-1\r\n"), Frame::NullArray);
        assert_eq!(decode_all(b"_\r\n"), Frame::Null);
        assert_eq!(
            decode_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"),
            Frame::command(["GET", "k"])
        );
        assert_eq!(
            decode_all(b"=15\r\ntxt:Some string\r\n"),
            Frame::Verbatim {
                format: *b"txt",
                data: b"Some string".to_vec()
            }
        );
        assert_eq!(decode_all(b",1.5\r\n").as_f64(), Some(1.5));
        assert!(decode_all(b",nan\r\n").as_f64().unwrap().is_nan());
        assert_eq!(decode_all(b":-7\r\n").as_int(), Some(-7));
        assert_eq!(decode_all(b"+OK\r\n").as_bytes(), Some(&b"OK"[..]));
        assert_eq!(
            decode_all(b"~1\r\n:1\r\n").as_array(),
            Some(&[Frame::Integer(1)][..])
        );
        assert!(decode_all(b"_\r\n").is_null());
        let attr = decode_all(b"|1\r\n+a\r\n:1\r\n+v\r\n");
        assert_eq!(
            attr,
            Frame::Attribute {
                attrs: vec![(Frame::simple("a"), Frame::Integer(1))],
                value: Box::new(Frame::simple("v")),
            }
        );
    }

    #[test]
    fn constructed_frames_encode() {
        let frame = Frame::Array(vec![
            Frame::simple("OK"),
            Frame::error("ERR x"),
            Frame::bulk("v"),
            Frame::double(0.1),
            Frame::double(f64::INFINITY),
            Frame::Map(vec![(Frame::bulk("k"), Frame::Boolean(false))]),
        ]);
        let bytes = frame.to_bytes();
        assert_eq!(
            bytes,
            b"*6\r\n+OK\r\n-ERR x\r\n$1\r\nv\r\n,0.10000000000000001\r\n,inf\r\n%1\r\n$1\r\nk\r\n#f\r\n"
        );
        assert_eq!(decode_all(&bytes), frame);
        // CR and LF cannot travel in a line; they become spaces.
        assert_eq!(Frame::simple("a\r\nb").to_bytes(), b"+a  b\r\n");
        // Every double Redis can format decodes to the same text.
        for v in [
            0.0,
            -0.0,
            1e300,
            -1e-300,
            f64::NAN,
            -f64::NAN,
            f64::NEG_INFINITY,
        ] {
            let frame = Frame::double(v);
            assert_eq!(decode_all(&frame.to_bytes()), frame);
        }
    }

    #[test]
    fn malformed_input_is_rejected() {
        use FrameErrorKind::*;
        let cases: &[(&[u8], FrameErrorKind)] = &[
            (b"x\r\n", UnknownType(b'x')),
            (b"\r\n", UnknownType(b'\r')),
            (b"+OK\n", BadLineEnd),
            (b"+OK\rx", BadLineEnd),
            (b"+O\nK\r\n", BadLineEnd),
            (b"$3\r\nabcd\r\n", BadLineEnd),
            (b"$3\r\nabc\n\n", BadLineEnd),
            (b":+1\r\n", InvalidInteger),
            (b":01\r\n", InvalidInteger),
            (b":-0\r\n", InvalidInteger),
            (b":\r\n", InvalidInteger),
            (b":9223372036854775808\r\n", InvalidInteger),
            (b"$-2\r\n", InvalidLength),
            (b"$01\r\na\r\n", InvalidLength),
            (b"$\r\n", InvalidLength),
            (b"%-1\r\n", InvalidLength),
            (b"~-1\r\n", InvalidLength),
            (b"!-1\r\n", InvalidLength),
            (b"$?\r\n", Streamed),
            (b"*?\r\n", Streamed),
            (b"#x\r\n", InvalidBoolean),
            (b"#\r\n", InvalidBoolean),
            (b"_x\r\n", InvalidNull),
            (b",\r\n", InvalidDouble),
            (b",1.5x\r\n", InvalidDouble),
            (b", 1\r\n", InvalidDouble),
            (b"(\r\n", InvalidBigNumber),
            (b"(-\r\n", InvalidBigNumber),
            (b"(1.5\r\n", InvalidBigNumber),
            (b"=3\r\ntxt\r\n", InvalidVerbatim),
            (b"=4\r\ntxt-\r\n", InvalidVerbatim),
            (b"*1\r\n:x\r\n", InvalidInteger),
        ];
        for (bytes, kind) in cases {
            assert_eq!(
                kind_of(bytes),
                *kind,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let e = Frame::decode(b"*2\r\n:1\r\n?").unwrap_err();
        assert_eq!(e.offset, 8);
        assert_eq!(e.to_string(), "unknown RESP type byte 0x3f at offset 8");
    }

    #[test]
    fn nesting_is_limited() {
        let nested = |depth: usize| {
            let mut bytes = b"*1\r\n".repeat(depth);
            bytes.extend_from_slice(b":1\r\n");
            bytes
        };
        assert!(matches!(Frame::decode(&nested(MAX_DEPTH)), Ok(Some(_))));
        assert_eq!(kind_of(&nested(MAX_DEPTH + 1)), FrameErrorKind::TooDeep);
        // A deep prefix errors as soon as the limit is crossed, before the rest arrives.
        assert_eq!(kind_of(&b"*1\r\n".repeat(100_000)), FrameErrorKind::TooDeep);
        // Chains of attributes count too.
        assert_eq!(kind_of(&b"|0\r\n".repeat(100_000)), FrameErrorKind::TooDeep);
        // Null arrays are not aggregates.
        let mut bytes = b"*1\r\n".repeat(MAX_DEPTH);
        bytes.extend_from_slice(b"*-1\r\n");
        assert!(matches!(Frame::decode(&bytes), Ok(Some(_))));
    }

    #[test]
    fn huge_announced_counts_cost_nothing_up_front() {
        assert_eq!(Frame::decode(b"*2147483647\r\n:1\r\n"), Ok(None));
        assert_eq!(Frame::decode(b"%9223372036854775807\r\n"), Ok(None));
        assert_eq!(Frame::decode(b"$9223372036854775807\r\n"), Ok(None));
    }

    #[test]
    fn display_like_redis_cli() {
        let frame =
            decode_all(b"*4\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\nb\r\n$-1\r\n%1\r\n+k\r\n,1.5\r\n");
        assert_eq!(
            frame.to_string(),
            "1) \"a\"\n2) (integer) 1\n3) 1) \"b\"\n   2) (nil)\n4) 1# k => (double) 1.5"
        );
        assert_eq!(Frame::Array(vec![]).to_string(), "(empty array)");
        assert_eq!(
            Frame::bulk(&b"a\"\x01\n"[..]).to_string(),
            "\"a\\\"\\x01\\n\""
        );
        assert_eq!(Frame::error("ERR x").to_string(), "(error) ERR x");
    }
}
