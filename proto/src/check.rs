//! Properties of the request parser and the frame codec, checked on arbitrary input.
//!
//! The fuzz targets (`proto/fuzz/`) and the deterministic test (`proto/tests/properties.rs`)
//! call the same functions, so `cargo test` checks exactly what the fuzzer checks, on a fixed
//! pseudo-random input set. Every function panics when a property does not hold. This module
//! is public only for those two callers; it is not part of the crate's API.

use std::ops::Range;

use crate::frame::Frame;
use crate::request::{ParseLimits, ProtoError, RequestKind, RequestParser, MAX_INLINE_SIZE};

/// One outcome of feeding a byte stream to the request parser, with arguments copied out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Request(RequestKind, Vec<Vec<u8>>),
    Error(ProtoError),
}

/// Feeds `stream` to a [`RequestParser`] the way a server does: the bytes arrive in pieces
/// ending at `cuts` (offsets into `stream`; out-of-range or unsorted ones are ignored), the
/// parser runs after each piece until it needs more, and consumed bytes are dropped from the
/// front of the buffer. Returns the events and how many bytes of `stream` no complete request
/// consumed.
///
/// Checks on the way that every result is well formed: `consumed` is within the buffer and
/// non-zero, argument ranges are within the buffer they index, and the parser is idle after
/// each complete request.
pub fn feed_requests(stream: &[u8], cuts: &[usize], limits: &ParseLimits) -> (Vec<Event>, usize) {
    let mut parser = RequestParser::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut args: Vec<Range<usize>> = Vec::new();
    let mut inline = Vec::new();
    let mut events = Vec::new();
    let mut fed = 0;
    let ends = cuts.iter().copied().chain(std::iter::once(stream.len()));
    for end in ends {
        if end < fed || end > stream.len() {
            continue;
        }
        buf.extend_from_slice(&stream[fed..end]);
        fed = end;
        loop {
            match parser.parse(&buf, limits, &mut args, &mut inline) {
                Ok(Some((kind, consumed))) => {
                    assert!(
                        consumed > 0 && consumed <= buf.len(),
                        "consumed {consumed} of {}",
                        buf.len()
                    );
                    assert!(parser.is_idle());
                    let src: &[u8] = match kind {
                        RequestKind::Multibulk => &buf[..consumed],
                        RequestKind::Inline => &inline,
                    };
                    let argv = args
                        .iter()
                        .map(|r| match src.get(r.clone()) {
                            Some(arg) => arg.to_vec(),
                            None => panic!("range {r:?} outside {} bytes", src.len()),
                        })
                        .collect();
                    events.push(Event::Request(kind, argv));
                    buf.drain(..consumed);
                }
                Ok(None) => break,
                Err(e) => {
                    assert!(parser.is_idle());
                    events.push(Event::Error(e));
                    return (events, buf.len() + stream.len() - fed);
                }
            }
        }
    }
    (events, buf.len())
}

/// Parsing `stream` in the pieces given by `cuts` gives the same requests as parsing it in
/// one go.
///
/// The one legitimate difference: a "too big" error depends on how much is buffered while a
/// line terminator is still missing, so a piecewise run may stop with one (having buffered
/// more than [`MAX_INLINE_SIZE`] bytes of a line whose end came in a later piece) where the
/// one-go run read on. Up to that error both runs must agree.
pub fn check_request_chunking(stream: &[u8], cuts: &[usize], limits: &ParseLimits) {
    let (whole, whole_left) = feed_requests(stream, &[], limits);
    let (pieces, pieces_left) = feed_requests(stream, cuts, limits);
    if pieces == whole {
        assert_eq!(pieces_left, whole_left, "same events, different leftovers");
        return;
    }
    let too_big = matches!(
        pieces.last(),
        Some(Event::Error(
            ProtoError::TooBigInline | ProtoError::TooBigMbulkCount | ProtoError::TooBigBulkCount
        ))
    );
    assert!(
        too_big && pieces_left > MAX_INLINE_SIZE,
        "cuts {cuts:?} changed the result:\n whole: {whole:?}\npieces: {pieces:?}"
    );
    let agreed = pieces.len() - 1;
    assert_eq!(pieces[..agreed], whole[..agreed], "cuts {cuts:?}");
}

/// Runs the frame codec properties on arbitrary bytes:
///
/// - a decoded frame re-encodes to exactly the bytes it was decoded from;
/// - decoding that encoding gives the same frame back, so encoding is stable;
/// - every strict prefix of a complete frame is "need more bytes", never an error;
/// - when `bytes` is incomplete, so is each of its prefixes;
/// - `Display` does not panic.
pub fn check_frame_roundtrip(bytes: &[u8]) {
    match Frame::decode(bytes) {
        Ok(Some((frame, used))) => {
            assert!(
                used > 0 && used <= bytes.len(),
                "used {used} of {}",
                bytes.len()
            );
            let encoded = frame.to_bytes();
            assert_eq!(
                encoded,
                bytes[..used],
                "{frame:?} does not re-encode to its input"
            );
            match Frame::decode(&encoded) {
                Ok(Some((again, n))) => {
                    assert_eq!(n, encoded.len());
                    assert_eq!(again, frame);
                    assert_eq!(again.to_bytes(), encoded);
                }
                other => panic!("re-decoding {frame:?} gave {other:?}"),
            }
            for cut in sample_cuts(used) {
                let prefix = Frame::decode(&encoded[..cut]);
                assert_eq!(prefix, Ok(None), "prefix of {used} bytes cut at {cut}");
            }
            let _ = frame.to_string();
        }
        Ok(None) => {
            for cut in sample_cuts(bytes.len()) {
                let prefix = Frame::decode(&bytes[..cut]);
                assert_eq!(prefix, Ok(None), "incomplete input cut at {cut}");
            }
        }
        Err(e) => {
            assert!(
                e.offset <= bytes.len(),
                "{e:?} beyond {} bytes",
                bytes.len()
            );
            let _ = e.to_string();
        }
    }
}

/// Cut points in `0..len`: all of them for short inputs, an even sample of 64 otherwise, so
/// the check stays linear-ish on large inputs.
fn sample_cuts(len: usize) -> impl Iterator<Item = usize> {
    let step = (len / 64).max(1);
    (0..len).step_by(step)
}

/// A small deterministic pseudo-random generator (SplitMix64) for tests that need
/// reproducible inputs without a dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the tiny modulo bias does not matter here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}
