//! Arbitrary bytes, delivered in arbitrary pieces, to the request parser: it must never panic,
//! every argument range must lie inside its buffer, and the pieces must not change the
//! requests parsed (see `corekv_proto::check::check_request_chunking`).
//!
//! Input layout: one control byte, then up to 15 piece lengths, then the stream.
//! Control byte: bits 0-1 pick `max_bulk_len`, bit 2 sets `auth_required`, bit 3 feeds the
//! stream one byte at a time, bits 4-7 give the number of piece-length bytes.

#![no_main]

use corekv_proto::check::check_request_chunking;
use corekv_proto::request::ParseLimits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let piece_count = usize::from(control >> 4).min(rest.len());
    let (pieces, stream) = rest.split_at(piece_count);
    let limits = ParseLimits {
        max_bulk_len: match control & 3 {
            0 => ParseLimits::default().max_bulk_len,
            1 => 0,
            2 => 3,
            _ => 16_385,
        },
        auth_required: control & 4 != 0,
    };
    let cuts: Vec<usize> = if control & 8 != 0 {
        (1..stream.len()).collect()
    } else {
        pieces
            .iter()
            .scan(0usize, |at, &len| {
                *at += usize::from(len);
                Some((*at).min(stream.len()))
            })
            .collect()
    };
    check_request_chunking(stream, &cuts, &limits);
});
