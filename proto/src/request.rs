//! The server-side request parser: turns the bytes a client sent into argument ranges.
//!
//! This module owns the request grammar Redis 7.0 accepts from clients and nothing else: it
//! does not look up commands, does not know about connections and never allocates per
//! argument. It mirrors `processInlineBuffer` / `processMultibulkBuffer` of Redis 7.0.15,
//! including their quirks, because clients (and tests) observe them:
//!
//! - A request whose first byte is `*` is a multibulk request; anything else is an inline
//!   command line.
//! - The count and bulk-length lines end at the first `\r`; the byte after it is skipped
//!   without being checked. A lone `\n` is not a line end, so `*1\n$4\r\n` fails as an invalid
//!   multibulk length. The two bytes after a bulk payload are skipped unchecked as well.
//! - Line-end searches stop at a NUL byte, as C's `strchr` does: a line holding a NUL before
//!   its terminator never completes, and the request fails with a "too big" error once more
//!   than [`MAX_INLINE_SIZE`] bytes are buffered.
//! - An inline line ends at `\n` (a `\r` right before it is dropped) and is split like Redis's
//!   `sdssplitargs` (see [`split_args`]).
//! - `*0`, `*-1` (any count <= 0) and blank inline lines are empty requests, which Redis
//!   skips silently.
//!
//! The parser is resumable: when a multibulk request arrives in pieces, the argument ranges
//! parsed so far and the read position stay in the [`RequestParser`], so every byte is looked
//! at a bounded number of times however the request is split.
//!
//! `proto/tools/redis_diff.py` sends generated request streams to a real redis-server and
//! checks that it parses them exactly as this module does.

use std::fmt;
use std::ops::Range;

use crate::num::parse_i64;

/// `PROTO_INLINE_MAX_SIZE`: how many bytes may be buffered while a line (an inline command,
/// a multibulk count or a bulk length) is still missing its terminator.
pub const MAX_INLINE_SIZE: usize = 64 * 1024;

/// Default `proto-max-bulk-len`.
pub const DEFAULT_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// Before authentication, a request may have at most this many arguments...
const UNAUTH_MAX_ARGS: i64 = 10;
/// ...each at most this long.
const UNAUTH_MAX_BULK_LEN: i64 = 16 * 1024;

const ERR_TOO_BIG_INLINE: &str = "ERR Protocol error: too big inline request";
const ERR_UNBALANCED_QUOTES: &str = "ERR Protocol error: unbalanced quotes in request";
const ERR_TOO_BIG_MBULK_COUNT: &str = "ERR Protocol error: too big mbulk count string";
const ERR_INVALID_MBULK_LEN: &str = "ERR Protocol error: invalid multibulk length";
const ERR_UNAUTH_MBULK_LEN: &str = "ERR Protocol error: unauthenticated multibulk length";
const ERR_TOO_BIG_BULK_COUNT: &str = "ERR Protocol error: too big bulk count string";
const ERR_EXPECTED_DOLLAR_PREFIX: &str = "ERR Protocol error: expected '$', got '";
const ERR_INVALID_BULK_LEN: &str = "ERR Protocol error: invalid bulk length";
const ERR_UNAUTH_BULK_LEN: &str = "ERR Protocol error: unauthenticated bulk length";

/// Per-connection limits the parser enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLimits {
    /// `proto-max-bulk-len`: the longest bulk argument accepted.
    pub max_bulk_len: u64,
    /// The client has not authenticated yet although the server requires it: requests are
    /// then limited to 10 arguments of at most 16 KiB each.
    pub auth_required: bool,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
            auth_required: false,
        }
    }
}

/// A protocol error. Redis answers with [`ProtoError::message`] and closes the connection once
/// that reply is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoError {
    /// An inline line without `\n` grew beyond [`MAX_INLINE_SIZE`].
    TooBigInline,
    /// An inline line has an unterminated quote, or a closing quote followed by a non-space.
    UnbalancedQuotes,
    /// A multibulk count line without `\r` grew beyond [`MAX_INLINE_SIZE`].
    TooBigMbulkCount,
    /// The multibulk count is not a strict decimal or is above `i32::MAX`.
    InvalidMultibulkLength,
    /// More than 10 arguments before authentication.
    UnauthenticatedMultibulkLength,
    /// A bulk length line without `\r` grew beyond [`MAX_INLINE_SIZE`].
    TooBigBulkCount,
    /// A bulk header did not start with `$`; holds the byte found instead.
    ExpectedDollar(u8),
    /// The bulk length is not a strict decimal, is negative, or exceeds `max_bulk_len`.
    InvalidBulkLength,
    /// A bulk longer than 16 KiB before authentication.
    UnauthenticatedBulkLength,
}

impl ProtoError {
    /// The error text Redis sends, without the leading `-` and the trailing CRLF, e.g.
    /// `ERR Protocol error: invalid multibulk length`.
    ///
    /// Exact for every error except [`ProtoError::ExpectedDollar`] with a byte >= 0x80, which
    /// Redis sends raw and a `String` cannot hold; [`ProtoError::message_bytes`] and
    /// [`ProtoError::encode_reply`] are exact in every case.
    pub fn message(&self) -> String {
        String::from_utf8_lossy(&self.message_bytes()).into_owned()
    }

    /// The exact bytes of the error text (no leading `-`, no CRLF).
    pub fn message_bytes(&self) -> Vec<u8> {
        let text = match self {
            ProtoError::TooBigInline => ERR_TOO_BIG_INLINE,
            ProtoError::UnbalancedQuotes => ERR_UNBALANCED_QUOTES,
            ProtoError::TooBigMbulkCount => ERR_TOO_BIG_MBULK_COUNT,
            ProtoError::InvalidMultibulkLength => ERR_INVALID_MBULK_LEN,
            ProtoError::UnauthenticatedMultibulkLength => ERR_UNAUTH_MBULK_LEN,
            ProtoError::TooBigBulkCount => ERR_TOO_BIG_BULK_COUNT,
            ProtoError::InvalidBulkLength => ERR_INVALID_BULK_LEN,
            ProtoError::UnauthenticatedBulkLength => ERR_UNAUTH_BULK_LEN,
            ProtoError::ExpectedDollar(got) => {
                let mut out = ERR_EXPECTED_DOLLAR_PREFIX.as_bytes().to_vec();
                // Redis turns CR and LF inside an error message into spaces.
                out.push(match got {
                    b'\r' | b'\n' => b' ',
                    other => *other,
                });
                out.push(b'\'');
                return out;
            }
        };
        text.as_bytes().to_vec()
    }

    /// Appends the complete wire reply, `-ERR Protocol error: ...\r\n`.
    pub fn encode_reply(&self, out: &mut Vec<u8>) {
        out.push(b'-');
        out.extend_from_slice(&self.message_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ProtoError {}

/// How a request was framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `*<count>\r\n` followed by `$<len>\r\n<bytes>\r\n` per argument.
    Multibulk,
    /// A command line as typed in telnet: `SET k "v w"\r\n`.
    Inline,
}

/// Where the parser is within the request that starts at offset 0 of the caller's buffer.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing seen yet: the next byte decides the request kind.
    #[default]
    Start,
    /// Waiting for the `\n` that ends an inline line.
    Inline,
    /// Waiting for the `\r` that ends the `*<count>` line.
    Count,
    /// Reading bulk arguments.
    Bulks,
}

/// Parses requests one at a time; keeps the progress of a partially received request.
#[derive(Debug, Default)]
pub struct RequestParser {
    state: State,
    /// Offset of the first byte not yet parsed (the start of the current bulk header or
    /// payload). Only meaningful in [`State::Bulks`].
    pos: usize,
    /// Offset from which the search for the current line's terminator resumes: every byte
    /// between the line start and `scan` is known to be neither the terminator nor NUL.
    scan: usize,
    /// Bulk arguments still to read.
    remaining: usize,
    /// Length of the bulk whose `$<len>` header has been consumed (its payload starts at
    /// `pos`), or `None` while the next header is awaited.
    bulk_len: Option<usize>,
    /// Argument ranges parsed so far; handed to the caller (by swap) when the request is
    /// complete.
    ranges: Vec<Range<usize>>,
    /// Bytes examined by line-end searches, to prove in tests that resuming is linear.
    #[cfg(test)]
    scanned: usize,
}

/// What a line-end search found.
enum LineEnd {
    /// The terminator is at this offset.
    At(usize),
    /// No terminator before the end of the buffer or before a NUL byte.
    Missing,
}

impl RequestParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses one request from the start of `buf`.
    ///
    /// - `Ok(Some((kind, consumed)))`: a complete request occupies `buf[..consumed]`. `args`
    ///   has been cleared and holds one range per argument: for [`RequestKind::Multibulk`]
    ///   the ranges index into `buf`; for [`RequestKind::Inline`] the unescaped arguments were
    ///   written to `inline_buf` (cleared first) and the ranges index into it. An empty request
    ///   (`*0`, `*-1`, a blank inline line) comes back with `args` empty; Redis ignores those.
    ///   The parser is then ready for the next request, which starts at `buf[consumed..]`.
    /// - `Ok(None)`: more bytes are needed. Append them to the same buffer (bytes already seen
    ///   must stay at their offsets) and call again; parsing resumes where it stopped.
    /// - `Err(e)`: a protocol error; reply with [`ProtoError::encode_reply`] and close the
    ///   connection. The parser is reset.
    ///
    /// `limits` is read on every call, so a client that authenticates mid-pipeline gets the
    /// authenticated limits from its next request on.
    pub fn parse(
        &mut self,
        buf: &[u8],
        limits: &ParseLimits,
        args: &mut Vec<Range<usize>>,
        inline_buf: &mut Vec<u8>,
    ) -> Result<Option<(RequestKind, usize)>, ProtoError> {
        let result = self.parse_inner(buf, limits, args, inline_buf);
        if result.is_err() {
            self.reset();
        }
        result
    }

    /// Forgets any partially parsed request.
    pub fn reset(&mut self) {
        self.state = State::Start;
        self.pos = 0;
        self.scan = 0;
        self.remaining = 0;
        self.bulk_len = None;
        self.ranges.clear();
    }

    /// True when no request is partially parsed.
    pub fn is_idle(&self) -> bool {
        self.state == State::Start
    }

    /// While a bulk payload is awaited: the buffer length at which that payload (and the two
    /// bytes after it) will be complete. Lets the caller reserve room for a big argument in
    /// one step instead of growing its buffer read by read.
    pub fn needed_len(&self) -> Option<usize> {
        match (self.state, self.bulk_len) {
            (State::Bulks, Some(len)) => Some(self.pos.saturating_add(len).saturating_add(2)),
            _ => None,
        }
    }

    fn parse_inner(
        &mut self,
        buf: &[u8],
        limits: &ParseLimits,
        args: &mut Vec<Range<usize>>,
        inline_buf: &mut Vec<u8>,
    ) -> Result<Option<(RequestKind, usize)>, ProtoError> {
        if self.state == State::Start {
            match buf.first() {
                None => return Ok(None),
                Some(b'*') => self.state = State::Count,
                Some(_) => self.state = State::Inline,
            }
            self.scan = 0;
        }
        match self.state {
            State::Start => Ok(None),
            State::Inline => self.parse_inline(buf, args, inline_buf),
            State::Count => {
                if !self.parse_count(buf, limits)? {
                    return Ok(None);
                }
                if self.remaining == 0 {
                    // `*0`, `*-1`, ...: an empty request, skipped by the caller.
                    let consumed = self.pos;
                    self.reset();
                    args.clear();
                    return Ok(Some((RequestKind::Multibulk, consumed)));
                }
                self.parse_bulks(buf, limits, args)
            }
            State::Bulks => self.parse_bulks(buf, limits, args),
        }
    }

    fn parse_inline(
        &mut self,
        buf: &[u8],
        args: &mut Vec<Range<usize>>,
        inline_buf: &mut Vec<u8>,
    ) -> Result<Option<(RequestKind, usize)>, ProtoError> {
        let newline = match self.find(buf, 0, b'\n') {
            LineEnd::At(i) => i,
            LineEnd::Missing => {
                if buf.len() > MAX_INLINE_SIZE {
                    return Err(ProtoError::TooBigInline);
                }
                return Ok(None);
            }
        };
        let line_end = if newline > 0 && buf[newline - 1] == b'\r' {
            newline - 1
        } else {
            newline
        };
        args.clear();
        inline_buf.clear();
        if split_args(&buf[..line_end], inline_buf, args).is_err() {
            args.clear();
            inline_buf.clear();
            return Err(ProtoError::UnbalancedQuotes);
        }
        self.reset();
        Ok(Some((RequestKind::Inline, newline + 1)))
    }

    /// Parses the `*<count>` line. Returns false when it is not complete yet; on success
    /// `pos` is just past the line and `remaining` holds the count (0 for an empty request).
    fn parse_count(&mut self, buf: &[u8], limits: &ParseLimits) -> Result<bool, ProtoError> {
        let cr = match self.find(buf, 0, b'\r') {
            LineEnd::At(i) => i,
            LineEnd::Missing => {
                if buf.len() > MAX_INLINE_SIZE {
                    return Err(ProtoError::TooBigMbulkCount);
                }
                return Ok(false);
            }
        };
        // The byte after '\r' must have arrived, though it is never checked.
        if cr + 2 > buf.len() {
            return Ok(false);
        }
        let count = match parse_i64(&buf[1..cr]) {
            Some(n) if n <= i64::from(i32::MAX) => n,
            _ => return Err(ProtoError::InvalidMultibulkLength),
        };
        if count > UNAUTH_MAX_ARGS && limits.auth_required {
            return Err(ProtoError::UnauthenticatedMultibulkLength);
        }
        self.pos = cr + 2;
        self.scan = self.pos;
        self.bulk_len = None;
        self.ranges.clear();
        // Count is in 1..=i32::MAX here, or <= 0 for an empty request.
        self.remaining = usize::try_from(count).unwrap_or(0);
        if self.remaining > 0 {
            self.state = State::Bulks;
            // Reserve for the common case only: a client announcing two billion arguments
            // has to send them before it costs that much memory.
            self.ranges.reserve(self.remaining.min(1024));
        }
        Ok(true)
    }

    fn parse_bulks(
        &mut self,
        buf: &[u8],
        limits: &ParseLimits,
        args: &mut Vec<Range<usize>>,
    ) -> Result<Option<(RequestKind, usize)>, ProtoError> {
        while self.remaining > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => match self.parse_bulk_header(buf, limits)? {
                    Some(len) => len,
                    None => return Ok(None),
                },
            };
            let available = buf.len().saturating_sub(self.pos);
            if available < len.saturating_add(2) {
                return Ok(None);
            }
            self.ranges.push(self.pos..self.pos + len);
            // The two bytes after the payload are assumed to be CRLF, as Redis does.
            self.pos += len + 2;
            self.scan = self.pos;
            self.bulk_len = None;
            self.remaining -= 1;
        }
        let consumed = self.pos;
        args.clear();
        std::mem::swap(args, &mut self.ranges);
        self.reset();
        Ok(Some((RequestKind::Multibulk, consumed)))
    }

    /// Parses a `$<len>` line at `pos`. Returns the length (and moves `pos` to the payload),
    /// or `None` when the line is not complete yet.
    fn parse_bulk_header(
        &mut self,
        buf: &[u8],
        limits: &ParseLimits,
    ) -> Result<Option<usize>, ProtoError> {
        let start = self.pos;
        let cr = match self.find(buf, start, b'\r') {
            LineEnd::At(i) => i,
            LineEnd::Missing => {
                if buf.len().saturating_sub(start) > MAX_INLINE_SIZE {
                    return Err(ProtoError::TooBigBulkCount);
                }
                return Ok(None);
            }
        };
        if cr + 2 > buf.len() {
            return Ok(None);
        }
        // `cr >= start` and `cr + 2 <= buf.len()`, so `buf[start]` exists (it may be the '\r').
        let first = buf[start];
        if first != b'$' {
            return Err(ProtoError::ExpectedDollar(first));
        }
        let len = match parse_i64(&buf[start + 1..cr]) {
            Some(n) if n >= 0 && n.unsigned_abs() <= limits.max_bulk_len => n,
            _ => return Err(ProtoError::InvalidBulkLength),
        };
        if len > UNAUTH_MAX_BULK_LEN && limits.auth_required {
            return Err(ProtoError::UnauthenticatedBulkLength);
        }
        // Only fails where usize is narrower than the configured limit.
        let len = usize::try_from(len).map_err(|_| ProtoError::InvalidBulkLength)?;
        self.pos = cr + 2;
        self.scan = self.pos;
        self.bulk_len = Some(len);
        Ok(Some(len))
    }

    /// Finds `target` in `buf[line_start..]` the way `strchr` would: the search also stops at
    /// a NUL byte, which counts as "not found". Resumes from `self.scan`, so a line that
    /// arrives one byte at a time is scanned once overall.
    fn find(&mut self, buf: &[u8], line_start: usize, target: u8) -> LineEnd {
        let from = self.scan.max(line_start);
        let Some(rest) = buf.get(from..) else {
            return LineEnd::Missing;
        };
        match rest.iter().position(|&b| b == target || b == 0) {
            Some(off) => {
                #[cfg(test)]
                {
                    self.scanned += off + 1;
                }
                // Stop on the hit so the next call finds it again at once.
                self.scan = from + off;
                if rest[off] == target {
                    LineEnd::At(from + off)
                } else {
                    LineEnd::Missing
                }
            }
            None => {
                #[cfg(test)]
                {
                    self.scanned += rest.len();
                }
                self.scan = buf.len();
                LineEnd::Missing
            }
        }
    }
}

/// The line has an unterminated quote, or a closing quote not followed by a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnbalancedQuotes;

/// Splits a command line into arguments the way Redis's `sdssplitargs` does (inline
/// commands, and also config-file lines), appending each argument's bytes to `out` and its
/// range within `out` to `args`.
///
/// - Arguments are separated by blanks (space, `\t`, `\n`, `\v`, `\f`, `\r`). Note that an
///   unquoted argument only ends at space, `\t`, `\n` or `\r`: `a\vb` is one argument.
/// - `"double quotes"` understand `\n \r \t \b \a`, `\xHH` (two hex digits) and `\<c>` for
///   any other `c` (giving `c`, so `\"` and `\\` work).
/// - `'single quotes'` understand only `\'`.
/// - Quotes may start inside an argument (`a"b c"` is `ab c`), but a closing quote must be
///   followed by a blank or the end of the line.
/// - A NUL byte ends the line, as it ends a C string.
///
/// On error `out` and `args` may hold a partial result.
pub fn split_args(
    line: &[u8],
    out: &mut Vec<u8>,
    args: &mut Vec<Range<usize>>,
) -> Result<(), UnbalancedQuotes> {
    // Past the end reads as NUL, like the terminator of a C string.
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut p = 0;
    loop {
        while at(p) != 0 && is_c_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Ok(());
        }
        let start = out.len();
        let mut in_double = false;
        let mut in_single = false;
        let mut done = false;
        while !done {
            let c = at(p);
            if in_double {
                if c == b'\\'
                    && at(p + 1) == b'x'
                    && at(p + 2).is_ascii_hexdigit()
                    && at(p + 3).is_ascii_hexdigit()
                {
                    out.push(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    out.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return Err(UnbalancedQuotes);
                    }
                    done = true;
                } else if c == 0 {
                    return Err(UnbalancedQuotes);
                } else {
                    out.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    out.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return Err(UnbalancedQuotes);
                    }
                    done = true;
                } else if c == 0 {
                    return Err(UnbalancedQuotes);
                } else {
                    out.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    _ => out.push(c),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        args.push(start..out.len());
    }
}

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // A failed unwrap is a failed test.

    use super::*;

    /// One outcome of feeding a stream to the parser, with arguments copied out.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Event {
        Request(RequestKind, Vec<Vec<u8>>),
        Error(ProtoError),
    }

    /// Feeds `stream` in pieces ending at `cuts` (sorted offsets), parsing after each piece as
    /// a server would, and drops consumed bytes from the front of its buffer. Returns the
    /// events and the number of bytes left unconsumed at the end.
    fn feed(stream: &[u8], cuts: &[usize], limits: &ParseLimits) -> (Vec<Event>, usize) {
        let mut parser = RequestParser::new();
        let mut buf = Vec::new();
        let mut args = Vec::new();
        let mut inline = Vec::new();
        let mut events = Vec::new();
        let mut fed = 0;
        for &cut in cuts.iter().chain(std::iter::once(&stream.len())) {
            buf.extend_from_slice(&stream[fed..cut]);
            fed = cut;
            loop {
                match parser.parse(&buf, limits, &mut args, &mut inline) {
                    Ok(Some((kind, consumed))) => {
                        assert!(consumed > 0 && consumed <= buf.len());
                        let src: &[u8] = match kind {
                            RequestKind::Multibulk => &buf,
                            RequestKind::Inline => &inline,
                        };
                        let argv = args.iter().map(|r| src[r.clone()].to_vec()).collect();
                        events.push(Event::Request(kind, argv));
                        buf.drain(..consumed);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        events.push(Event::Error(e));
                        return (events, buf.len());
                    }
                }
            }
        }
        (events, buf.len())
    }

    fn one_shot(stream: &[u8]) -> (Vec<Event>, usize) {
        feed(stream, &[], &ParseLimits::default())
    }

    fn req(kind: RequestKind, args: &[&[u8]]) -> Event {
        Event::Request(kind, args.iter().map(|a| a.to_vec()).collect())
    }

    fn mb(args: &[&[u8]]) -> Event {
        req(RequestKind::Multibulk, args)
    }

    fn inl(args: &[&[u8]]) -> Event {
        req(RequestKind::Inline, args)
    }

    fn err(e: ProtoError) -> Event {
        Event::Error(e)
    }

    /// The first outcome for `stream` parsed in one go.
    fn first(stream: &[u8]) -> Option<Event> {
        one_shot(stream).0.into_iter().next()
    }

    #[test]
    fn multibulk_one_shot() {
        let stream = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
        let mut p = RequestParser::new();
        let mut args = vec![0..1, 5..9]; // stale ranges from an earlier request
        let mut inline = b"junk".to_vec();
        let r = p.parse(stream, &ParseLimits::default(), &mut args, &mut inline);
        assert_eq!(r, Ok(Some((RequestKind::Multibulk, stream.len()))));
        assert_eq!(args, vec![8..11, 17..18, 24..29]);
        assert!(p.is_idle());
    }

    #[test]
    fn inline_one_shot() {
        let mut p = RequestParser::new();
        let mut args = Vec::new();
        let mut inline = b"stale".to_vec();
        let r = p.parse(
            b"SET k \"a b\"\r\nPING\r\n",
            &ParseLimits::default(),
            &mut args,
            &mut inline,
        );
        assert_eq!(r, Ok(Some((RequestKind::Inline, 13))));
        assert_eq!(inline, b"SETka b");
        assert_eq!(args, vec![0..3, 3..4, 4..7]);
    }

    #[test]
    fn empty_requests_are_returned_with_no_args() {
        let (events, left) =
            one_shot(b"*0\r\n*-1\r\n*-9223372036854775808\r\n\r\n\n   \t\r\nPING\n");
        let empty_mb = mb(&[]);
        let empty_inl = inl(&[]);
        assert_eq!(
            events,
            vec![
                empty_mb.clone(),
                empty_mb.clone(),
                empty_mb,
                empty_inl.clone(),
                empty_inl.clone(),
                empty_inl,
                inl(&[b"PING"]),
            ]
        );
        assert_eq!(left, 0);
    }

    #[test]
    fn empty_buffer_needs_more() {
        let mut p = RequestParser::new();
        let r = p.parse(
            b"",
            &ParseLimits::default(),
            &mut Vec::new(),
            &mut Vec::new(),
        );
        assert_eq!(r, Ok(None));
        assert!(p.is_idle());
    }

    #[test]
    fn line_terminators_are_found_by_their_cr() {
        // The byte after '\r' is skipped unchecked, and so are the two after a payload.
        assert_eq!(first(b"*1\rX$4\rXPING\r\n"), Some(mb(&[b"PING"])));
        assert_eq!(
            one_shot(b"*1\r\n$4\r\nPINGxx*1\r\n$1\r\nx\r\n").0,
            vec![mb(&[b"PING"]), mb(&[b"x"])]
        );
        // A lone '\n' does not end a line: the line runs to the next '\r'.
        assert_eq!(
            first(b"*1\n$4\r\nPING\r\n"),
            Some(err(ProtoError::InvalidMultibulkLength))
        );
        assert_eq!(
            first(b"*1\r\n$4\nPING\r\n"),
            Some(err(ProtoError::InvalidBulkLength))
        );
        // A '\r' that is the last byte buffered waits for one more byte.
        assert_eq!(one_shot(b"*1\r"), (vec![], 3));
        assert_eq!(one_shot(b"*1\r\n$4\r"), (vec![], 7));
        assert_eq!(one_shot(b"*1\r\nx\r"), (vec![], 6));
    }

    #[test]
    fn nul_bytes_hide_line_ends() {
        // Redis searches with strchr, which stops at NUL: these never complete...
        assert_eq!(one_shot(b"PING\0\r\n"), (vec![], 7));
        assert_eq!(one_shot(b"*1\0\r\n$4\r\nPING\r\n"), (vec![], 15));
        assert_eq!(one_shot(b"*1\r\n$4\0\r\nPING\r\n"), (vec![], 15));
        // ...until more than 64 KiB are buffered.
        let mut big = b"PING\0".to_vec();
        big.resize(MAX_INLINE_SIZE + 1, b'a');
        assert_eq!(first(&big), Some(err(ProtoError::TooBigInline)));
        let mut big = b"*1\0\r\n".to_vec();
        big.resize(MAX_INLINE_SIZE + 1, b'a');
        assert_eq!(first(&big), Some(err(ProtoError::TooBigMbulkCount)));
        let mut big = b"*1\r\n$1\0\r\n".to_vec();
        big.resize(MAX_INLINE_SIZE + 5, b'a');
        assert_eq!(first(&big), Some(err(ProtoError::TooBigBulkCount)));
        // NUL inside a payload is just data.
        assert_eq!(first(b"*1\r\n$3\r\na\0b\r\n"), Some(mb(&[b"a\0b"])));
        // NUL after the newline does not matter.
        assert_eq!(first(b"PING\r\n\0"), Some(inl(&[b"PING"])));
    }

    #[test]
    fn too_big_lines() {
        let at_limit = vec![b'a'; MAX_INLINE_SIZE];
        assert_eq!(one_shot(&at_limit), (vec![], MAX_INLINE_SIZE));
        let over = vec![b'a'; MAX_INLINE_SIZE + 1];
        assert_eq!(first(&over), Some(err(ProtoError::TooBigInline)));
        // A long inline line is fine when its newline is already there.
        let mut long = b"ECHO ".to_vec();
        long.resize(100_000, b'x');
        long.extend_from_slice(b"\r\n");
        assert_eq!(
            first(&long),
            Some(inl(&[b"ECHO", &long[5..long.len() - 2]]))
        );

        let mut count = b"*".to_vec();
        count.resize(MAX_INLINE_SIZE, b'1');
        assert_eq!(one_shot(&count), (vec![], MAX_INLINE_SIZE));
        count.push(b'1');
        assert_eq!(first(&count), Some(err(ProtoError::TooBigMbulkCount)));

        // The bulk-count limit counts from the start of the bulk header.
        let mut bulk = b"*1\r\n$".to_vec();
        bulk.resize(4 + MAX_INLINE_SIZE, b'1');
        assert_eq!(one_shot(&bulk), (vec![], 4 + MAX_INLINE_SIZE));
        bulk.push(b'1');
        assert_eq!(first(&bulk), Some(err(ProtoError::TooBigBulkCount)));
        // Not even a '$' is needed for that: the header is only checked once its line ends.
        let mut junk = b"*1\r\n".to_vec();
        junk.resize(5 + MAX_INLINE_SIZE, b'x');
        assert_eq!(first(&junk), Some(err(ProtoError::TooBigBulkCount)));
    }

    #[test]
    fn multibulk_count_errors() {
        for bad in [
            &b"*\r\n"[..],
            b"*+1\r\n",
            b"*01\r\n",
            b"*-0\r\n",
            b"*1 \r\n",
            b"* 1\r\n",
            b"*x\r\n",
            b"*2147483648\r\n",
            b"*99999999999999999999\r\n",
        ] {
            assert_eq!(
                first(bad),
                Some(err(ProtoError::InvalidMultibulkLength)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // i32::MAX itself is accepted (and then waits for its arguments).
        assert_eq!(one_shot(b"*2147483647\r\n"), (vec![], 13));
    }

    #[test]
    fn bulk_header_errors() {
        assert_eq!(
            first(b"*1\r\nPING\r\n"),
            Some(err(ProtoError::ExpectedDollar(b'P')))
        );
        assert_eq!(
            first(b"*1\r\n\r\n"),
            Some(err(ProtoError::ExpectedDollar(b'\r')))
        );
        assert_eq!(
            first(b"*1\r\n\n\r\n"),
            Some(err(ProtoError::ExpectedDollar(b'\n')))
        );
        assert_eq!(
            first(b"*2\r\n$1\r\na\r\n*1\r\n"),
            Some(err(ProtoError::ExpectedDollar(b'*')))
        );
        // The '$' is only checked once the header line is complete.
        assert_eq!(one_shot(b"*1\r\nx"), (vec![], 5));
        for bad in [
            &b"*1\r\n$-1\r\n"[..],
            b"*1\r\n$\r\n",
            b"*1\r\n$ 4\r\n",
            b"*1\r\n$+4\r\n",
            b"*1\r\n$04\r\n",
            b"*1\r\n$4x\r\n",
            b"*1\r\n$536870913\r\n",
        ] {
            assert_eq!(
                first(bad),
                Some(err(ProtoError::InvalidBulkLength)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(one_shot(b"*1\r\n$536870912\r\n"), (vec![], 16));
        let small = ParseLimits {
            max_bulk_len: 3,
            auth_required: false,
        };
        assert_eq!(
            feed(b"*1\r\n$4\r\n", &[], &small).0,
            vec![err(ProtoError::InvalidBulkLength)]
        );
        assert_eq!(
            feed(b"*1\r\n$3\r\nabc\r\n", &[], &small).0,
            vec![mb(&[b"abc"])]
        );
    }

    #[test]
    fn unauthenticated_limits() {
        let unauth = ParseLimits {
            auth_required: true,
            ..ParseLimits::default()
        };
        assert_eq!(feed(b"*10\r\n", &[], &unauth), (vec![], 5));
        assert_eq!(
            feed(b"*11\r\n", &[], &unauth).0,
            vec![err(ProtoError::UnauthenticatedMultibulkLength)]
        );
        assert_eq!(feed(b"*1\r\n$16384\r\n", &[], &unauth), (vec![], 12));
        assert_eq!(
            feed(b"*1\r\n$16385\r\n", &[], &unauth).0,
            vec![err(ProtoError::UnauthenticatedBulkLength)]
        );
        // Validity is checked before authentication.
        assert_eq!(
            feed(b"*2147483648\r\n", &[], &unauth).0,
            vec![err(ProtoError::InvalidMultibulkLength)]
        );
        assert_eq!(
            feed(b"*1\r\n$536870913\r\n", &[], &unauth).0,
            vec![err(ProtoError::InvalidBulkLength)]
        );
        // Inline requests have no such limits.
        let many = b"a b c d e f g h i j k l\r\n";
        assert_eq!(feed(many, &[], &unauth).0.len(), 1);
    }

    #[test]
    fn limits_apply_per_call() {
        let mut p = RequestParser::new();
        let mut args = Vec::new();
        let mut inline = Vec::new();
        let unauth = ParseLimits {
            auth_required: true,
            ..ParseLimits::default()
        };
        let authed = ParseLimits::default();
        assert_eq!(
            p.parse(b"*11\r\n", &authed, &mut args, &mut inline),
            Ok(None)
        );
        // The count was accepted already; the bulk limit applies to headers parsed later.
        assert_eq!(
            p.parse(b"*11\r\n$16385\r\n", &unauth, &mut args, &mut inline),
            Err(ProtoError::UnauthenticatedBulkLength)
        );
        assert!(p.is_idle());
    }

    #[test]
    fn messages_match_redis() {
        let cases = [
            (
                ProtoError::TooBigInline,
                "ERR Protocol error: too big inline request",
            ),
            (
                ProtoError::UnbalancedQuotes,
                "ERR Protocol error: unbalanced quotes in request",
            ),
            (
                ProtoError::TooBigMbulkCount,
                "ERR Protocol error: too big mbulk count string",
            ),
            (
                ProtoError::InvalidMultibulkLength,
                "ERR Protocol error: invalid multibulk length",
            ),
            (
                ProtoError::UnauthenticatedMultibulkLength,
                "ERR Protocol error: unauthenticated multibulk length",
            ),
            (
                ProtoError::TooBigBulkCount,
                "ERR Protocol error: too big bulk count string",
            ),
            (
                ProtoError::ExpectedDollar(b'x'),
                "ERR Protocol error: expected '$', got 'x'",
            ),
            (
                ProtoError::ExpectedDollar(b'\r'),
                "ERR Protocol error: expected '$', got ' '",
            ),
            (
                ProtoError::ExpectedDollar(b'\n'),
                "ERR Protocol error: expected '$', got ' '",
            ),
            (
                ProtoError::InvalidBulkLength,
                "ERR Protocol error: invalid bulk length",
            ),
            (
                ProtoError::UnauthenticatedBulkLength,
                "ERR Protocol error: unauthenticated bulk length",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.message(), text);
            assert_eq!(e.to_string(), text);
            let mut wire = Vec::new();
            e.encode_reply(&mut wire);
            assert_eq!(wire, format!("-{text}\r\n").into_bytes());
        }
        // Redis sends the raw byte.
        let mut wire = Vec::new();
        ProtoError::ExpectedDollar(0xff).encode_reply(&mut wire);
        assert_eq!(wire, b"-ERR Protocol error: expected '$', got '\xff'\r\n");
    }

    /// Splits one inline line; `None` for unbalanced quotes.
    fn split(line: &[u8]) -> Option<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        let mut ranges = Vec::new();
        split_args(line, &mut out, &mut ranges).ok()?;
        Some(ranges.into_iter().map(|r| out[r].to_vec()).collect())
    }

    #[test]
    fn inline_splitting_follows_sdssplitargs() {
        let ok: &[(&[u8], &[&[u8]])] = &[
            (b"", &[]),
            (b"   \t ", &[]),
            (b"set  k\tv", &[b"set", b"k", b"v"]),
            (b"a\x0bb", &[b"a\x0bb"]),
            (b"\x0bb", &[b"b"]),
            (b"a\xa0b", &[b"a\xa0b"]),
            (b"a\rb", &[b"a", b"b"]),
            (b"a\"b c\" d", &[b"ab c", b"d"]),
            (b"\"\"", &[b""]),
            (b"''", &[b""]),
            (b"\"a\"\x0b", &[b"a"]),
            (b"'a\\'b'", &[b"a'b"]),
            (b"'a\\nb\\ c'", &[b"a\\nb\\ c"]),
            (b"'a\"b'", &[b"a\"b"]),
            (b"\"a'b\"", &[b"a'b"]),
            (
                b"\"\\x41\\x4g\\q\\n\\r\\t\\b\\a\\\\\\\"\"",
                &[b"Ax4gq\n\r\t\x08\x07\\\""],
            ),
            (b"\"\\xff\\x00\\xAb\"", &[b"\xff\x00\xab"]),
            (b"\"\\x4\"", &[b"x4"]),
            (b"ECHO \"a b\" 'c d' e", &[b"ECHO", b"a b", b"c d", b"e"]),
            (b"a\0b c", &[b"a"]),
            (b"'a'\t'b'", &[b"a", b"b"]),
        ];
        for (line, want) in ok {
            let want: Vec<Vec<u8>> = want.iter().map(|a| a.to_vec()).collect();
            assert_eq!(
                split(line),
                Some(want),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        let bad: &[&[u8]] = &[
            b"\"a",
            b"'a",
            b"\"a\"b",
            b"'a'b",
            b"\"a\\\"",
            b"\"a\\",
            b"'a\\'",
            b"x \"a\"\"b\"",
            b"\"a\0\"",
        ];
        for line in bad {
            assert_eq!(split(line), None, "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn inline_requests_in_a_stream() {
        assert_eq!(
            first(b"ECHO \"a\r\n"),
            Some(err(ProtoError::UnbalancedQuotes))
        );
        assert_eq!(first(b"ECHO a\r\r\n"), Some(inl(&[b"ECHO", b"a"])));
        assert_eq!(first(b"ECHO a\rb\r\n"), Some(inl(&[b"ECHO", b"a", b"b"])));
        // A '\r' that is not right before '\n' stays in the line (and splits like a blank).
        assert_eq!(first(b"ECHO \"a\rb\"\n"), Some(inl(&[b"ECHO", b"a\rb"])));
        assert_eq!(
            one_shot(b"PING\nECHO x\r\n*1\r\n$4\r\nPING\r\nQUIT"),
            (
                vec![inl(&[b"PING"]), inl(&[b"ECHO", b"x"]), mb(&[b"PING"]),],
                4
            )
        );
    }

    /// A pipelined stream with every kind of request and a few quirks.
    fn sample_stream() -> Vec<u8> {
        let mut s = Vec::new();
        s.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n");
        s.extend_from_slice(b"PING\r\n");
        s.extend_from_slice(b"*0\r\n");
        s.extend_from_slice(b"ECHO \"a\\x41 b\" 'c\\'d'\n");
        s.extend_from_slice(b"*2\r\n$0\r\n\r\n$3\r\na\0b\r\n");
        s.extend_from_slice(b"\r\n");
        s.extend_from_slice(b"*-1\r\n");
        s.extend_from_slice(b"*1\rX$2\rXhiYY");
        s.extend_from_slice(b"*1\r\n$10\r\n0123456789\r\n");
        s
    }

    #[test]
    fn every_split_gives_the_one_shot_result() {
        let stream = sample_stream();
        let (want, left) = one_shot(&stream);
        assert_eq!(want.len(), 9);
        assert_eq!(left, 0);
        for cut in 0..=stream.len() {
            assert_eq!(
                feed(&stream, &[cut], &ParseLimits::default()),
                (want.clone(), 0),
                "cut at {cut}"
            );
        }
        for a in 0..=stream.len() {
            for b in a..=stream.len() {
                assert_eq!(
                    feed(&stream, &[a, b], &ParseLimits::default()).0,
                    want,
                    "cuts at {a}, {b}"
                );
            }
        }
        let every_byte: Vec<usize> = (1..stream.len()).collect();
        assert_eq!(
            feed(&stream, &every_byte, &ParseLimits::default()),
            (want, 0)
        );
    }

    #[test]
    fn errors_are_found_at_every_split() {
        let mut stream = sample_stream();
        stream.extend_from_slice(b"*2\r\n$1\r\na\r\n:1\r\n");
        let (want, _) = one_shot(&stream);
        assert_eq!(want.last(), Some(&err(ProtoError::ExpectedDollar(b':'))));
        for cut in 0..=stream.len() {
            assert_eq!(
                feed(&stream, &[cut], &ParseLimits::default()).0,
                want,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn many_arguments_resume_in_linear_time() {
        const N: usize = 100_000;
        let mut stream = format!("*{N}\r\n").into_bytes();
        for i in 0..N {
            let arg = format!("arg{i}");
            stream.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
        }
        let mut p = RequestParser::new();
        let mut args = Vec::new();
        let mut inline = Vec::new();
        let limits = ParseLimits::default();
        let mut calls = 0;
        let mut result = None;
        // Grow the visible buffer 7 bytes at a time, as if it arrived in tiny reads.
        let mut end = 0;
        while result.is_none() {
            end = (end + 7).min(stream.len());
            calls += 1;
            result = p
                .parse(&stream[..end], &limits, &mut args, &mut inline)
                .unwrap();
        }
        assert_eq!(result, Some((RequestKind::Multibulk, stream.len())));
        assert_eq!(calls, stream.len().div_ceil(7));
        assert_eq!(args.len(), N);
        assert_eq!(
            &stream[args[N - 1].clone()],
            format!("arg{}", N - 1).as_bytes()
        );
        // Each byte of every header line is scanned once, plus one rescan of a '\r' per call.
        assert!(
            p.scanned <= stream.len() + calls,
            "scanned {} bytes for a {}-byte request",
            p.scanned,
            stream.len()
        );
    }

    #[test]
    fn slow_long_lines_are_scanned_once() {
        let mut p = RequestParser::new();
        let mut args = Vec::new();
        let mut inline = Vec::new();
        let limits = ParseLimits::default();
        let mut line = vec![b'x'; 60_000];
        line.extend_from_slice(b"\r\n");
        for end in 1..line.len() {
            let r = p.parse(&line[..end], &limits, &mut args, &mut inline);
            assert_eq!(r, Ok(None));
        }
        let r = p.parse(&line, &limits, &mut args, &mut inline);
        assert_eq!(r, Ok(Some((RequestKind::Inline, line.len()))));
        assert!(p.scanned <= 2 * line.len(), "{}", p.scanned);
    }

    #[test]
    fn big_payload_hint_and_reset() {
        let mut p = RequestParser::new();
        let mut args = Vec::new();
        let mut inline = Vec::new();
        let limits = ParseLimits::default();
        let head = b"*2\r\n$1\r\na\r\n$1000000\r\n";
        assert_eq!(p.parse(head, &limits, &mut args, &mut inline), Ok(None));
        assert_eq!(p.needed_len(), Some(head.len() + 1_000_002));
        assert!(!p.is_idle());
        p.reset();
        assert!(p.is_idle());
        assert_eq!(p.needed_len(), None);
        assert_eq!(
            p.parse(b"PING\r\n", &limits, &mut args, &mut inline),
            Ok(Some((RequestKind::Inline, 6)))
        );
    }

    #[test]
    fn argument_vectors_are_reused() {
        let mut p = RequestParser::new();
        let mut args = Vec::new();
        let mut inline = Vec::new();
        let limits = ParseLimits::default();
        let stream = b"*2\r\n$1\r\na\r\n$1\r\nb\r\n";
        for _ in 0..3 {
            let r = p.parse(stream, &limits, &mut args, &mut inline);
            assert_eq!(r, Ok(Some((RequestKind::Multibulk, stream.len()))));
            assert_eq!(args, vec![8..9, 15..16]);
        }
    }
}
