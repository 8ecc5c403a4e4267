//! Reply encoding: one writer that speaks RESP2 or RESP3 into a caller's buffer.
//!
//! Command implementations never build reply values; they call these methods, which append the
//! wire bytes directly. The protocol version decides how RESP3-only types degrade in RESP2
//! (maps become flat arrays, doubles become bulk strings, null becomes `$-1` or `*-1`), exactly
//! as Redis 7.0 does it.

use crate::num::{fmt_double_g17, write_i64};

/// Appends RESP replies to a byte buffer.
#[derive(Debug, Default, Clone)]
pub struct RespWriter {
    buf: Vec<u8>,
    resp3: bool,
}

impl RespWriter {
    /// A writer for RESP2 (`resp3 == false`) or RESP3 replies.
    pub fn new(resp3: bool) -> Self {
        Self {
            buf: Vec::new(),
            resp3,
        }
    }

    /// A writer that appends to an existing buffer.
    pub fn with_buffer(buf: Vec<u8>, resp3: bool) -> Self {
        Self { buf, resp3 }
    }

    pub fn is_resp3(&self) -> bool {
        self.resp3
    }

    pub fn set_resp3(&mut self, resp3: bool) {
        self.resp3 = resp3;
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Drops everything written after `len` (used to discard a partial reply).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// Gives the buffer back, leaving the writer empty.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }

    /// Appends bytes that are already valid RESP (a reply produced elsewhere).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// `+OK`
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// A simple string. `\r` and `\n` would break framing; they become spaces, as in Redis.
    pub fn simple(&mut self, s: &str) {
        self.buf.push(b'+');
        self.push_line(s.as_bytes());
    }

    /// An error reply. `msg` carries its own code (`ERR syntax error`, `WRONGTYPE ...`);
    /// `\r` and `\n` become spaces so a message can never break framing.
    pub fn error(&mut self, msg: &str) {
        self.buf.push(b'-');
        self.push_line(msg.as_bytes());
    }

    pub fn int(&mut self, v: i64) {
        self.buf.push(b':');
        write_i64(&mut self.buf, v);
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn bulk(&mut self, data: &[u8]) {
        self.buf.push(b'$');
        write_i64(&mut self.buf, data.len() as i64);
        self.buf.extend_from_slice(b"\r\n");
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn bulk_str(&mut self, s: &str) {
        self.bulk(s.as_bytes());
    }

    /// A bulk string holding the decimal form of `v`.
    pub fn bulk_int(&mut self, v: i64) {
        let mut tmp = Vec::with_capacity(20);
        write_i64(&mut tmp, v);
        self.bulk(&tmp);
    }

    /// Null bulk (`$-1` in RESP2, `_` in RESP3).
    pub fn null(&mut self) {
        if self.resp3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// Null array (`*-1` in RESP2, `_` in RESP3).
    pub fn null_array(&mut self) {
        if self.resp3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"*-1\r\n");
        }
    }

    pub fn array(&mut self, len: usize) {
        self.header(b'*', len);
    }

    /// A map of `len` pairs; a flat array of `2 * len` elements in RESP2.
    pub fn map(&mut self, len: usize) {
        if self.resp3 {
            self.header(b'%', len);
        } else {
            self.header(b'*', len * 2);
        }
    }

    /// A set; an array in RESP2.
    pub fn set(&mut self, len: usize) {
        self.header(if self.resp3 { b'~' } else { b'*' }, len);
    }

    /// An out-of-band push; an array in RESP2.
    pub fn push(&mut self, len: usize) {
        self.header(if self.resp3 { b'>' } else { b'*' }, len);
    }

    /// A boolean; the integers 1 and 0 in RESP2.
    pub fn boolean(&mut self, v: bool) {
        if self.resp3 {
            self.buf
                .extend_from_slice(if v { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(i64::from(v));
        }
    }

    /// A double as Redis 7.0 formats it (`%.17g`, `inf`, `-inf`); a bulk string in RESP2.
    pub fn double(&mut self, v: f64) {
        let s = fmt_double_g17(v);
        if self.resp3 {
            self.buf.push(b',');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(s.as_bytes());
        }
    }

    /// A verbatim string (`=len\r\ntxt:...`); a bulk string in RESP2.
    pub fn verbatim(&mut self, format: &str, data: &[u8]) {
        if self.resp3 && format.len() == 3 {
            self.buf.push(b'=');
            write_i64(&mut self.buf, (data.len() + 4) as i64);
            self.buf.extend_from_slice(b"\r\n");
            self.buf.extend_from_slice(format.as_bytes());
            self.buf.push(b':');
            self.buf.extend_from_slice(data);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(data);
        }
    }

    /// A big number (`(digits`); a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &str) {
        if self.resp3 {
            self.buf.push(b'(');
            self.push_line(digits.as_bytes());
        } else {
            self.bulk(digits.as_bytes());
        }
    }

    /// An attribute header (RESP3 only; callers skip it in RESP2).
    pub fn attribute(&mut self, len: usize) {
        self.header(b'|', len);
    }

    fn header(&mut self, tag: u8, len: usize) {
        self.buf.push(tag);
        write_i64(&mut self.buf, len as i64);
        self.buf.extend_from_slice(b"\r\n");
    }

    fn push_line(&mut self, s: &[u8]) {
        let start = self.buf.len();
        self.buf.extend_from_slice(s);
        for b in &mut self.buf[start..] {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        self.buf.extend_from_slice(b"\r\n");
    }
}

/// The error code of an encoded error reply (`-WRONGTYPE Operation...` gives `WRONGTYPE`).
pub fn error_code(reply: &[u8]) -> Option<&[u8]> {
    let rest = reply.strip_prefix(b"-")?;
    let end = rest
        .iter()
        .position(|&b| b == b' ' || b == b'\r')
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w2() -> RespWriter {
        RespWriter::new(false)
    }

    #[test]
    fn scalars() {
        let mut w = w2();
        w.ok();
        w.int(-42);
        w.bulk(b"hi");
        w.null();
        w.null_array();
        assert_eq!(w.as_bytes(), b"+OK\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n");
    }

    #[test]
    fn errors_get_a_code_and_lose_newlines() {
        let mut w = w2();
        w.error("ERR syntax error");
        w.error("WRONGTYPE Operation against a key holding the wrong kind of value");
        w.error("ERR unknown thing\r\nhere");
        assert_eq!(
            w.as_bytes(),
            &b"-ERR syntax error\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-ERR unknown thing  here\r\n"[..]
        );
        assert_eq!(error_code(b"-WRONGTYPE x\r\n"), Some(&b"WRONGTYPE"[..]));
        assert_eq!(error_code(b"+OK\r\n"), None);
    }

    #[test]
    fn resp3_degrades_in_resp2() {
        let mut w = w2();
        w.map(2);
        w.set(1);
        w.boolean(true);
        w.double(1.5);
        w.verbatim("txt", b"ab");
        assert_eq!(w.as_bytes(), b"*4\r\n*1\r\n:1\r\n$3\r\n1.5\r\n$2\r\nab\r\n");
        let mut w = RespWriter::new(true);
        w.map(2);
        w.set(1);
        w.boolean(true);
        w.double(1.5);
        w.verbatim("txt", b"ab");
        w.null();
        assert_eq!(
            w.as_bytes(),
            b"%2\r\n~1\r\n#t\r\n,1.5\r\n=6\r\ntxt:ab\r\n_\r\n"
        );
    }
}
