//! Arbitrary bytes to the frame codec: whatever decodes must re-encode to the same bytes and
//! decode again to the same frame, and prefixes of a frame must ask for more bytes (see
//! `corekv_proto::check::check_frame_roundtrip`). Frames following the first are checked too.

#![no_main]

use corekv_proto::check::check_frame_roundtrip;
use corekv_proto::frame::Frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    loop {
        check_frame_roundtrip(rest);
        match Frame::decode(rest) {
            Ok(Some((_, used))) if used < rest.len() => rest = &rest[used..],
            _ => break,
        }
    }
});
