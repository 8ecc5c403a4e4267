//! The fuzz targets' properties (see `proto/fuzz/`), checked on a fixed pseudo-random input
//! set so that every `cargo test` runs them.

use corekv_proto::check::{check_frame_roundtrip, check_request_chunking, SplitMix64};
use corekv_proto::frame::Frame;
use corekv_proto::request::{ParseLimits, MAX_INLINE_SIZE};

/// Bytes that matter to the grammars, drawn often so random data hits the interesting paths.
const SPECIAL: &[u8] = b"\r\n\0 \t\x0b\"'\\x*$:+-_#,(!=%~>|?0123456789aftAF";

fn random_bytes(rng: &mut SplitMix64, max_len: usize) -> Vec<u8> {
    let len = rng.below(max_len + 1);
    (0..len)
        .map(|_| {
            if rng.below(3) == 0 {
                rng.next_u64() as u8
            } else {
                SPECIAL[rng.below(SPECIAL.len())]
            }
        })
        .collect()
}

/// A random request, mostly well formed.
fn random_request(rng: &mut SplitMix64, out: &mut Vec<u8>) {
    match rng.below(10) {
        0..=4 => {
            let argc = rng.below(6);
            out.extend_from_slice(format!("*{argc}\r\n").as_bytes());
            for _ in 0..argc {
                let arg = random_bytes(rng, 12);
                out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
                out.extend_from_slice(&arg);
                out.extend_from_slice(b"\r\n");
            }
        }
        5..=7 => {
            let words = [
                &b"SET"[..],
                b"k",
                b"\"a b\"",
                b"'c\\'d'",
                b"\"\\x41\\n\"",
                b"x\"y z\"",
                b"\"unterminated",
                b"\"a\"b",
                b"",
            ];
            for _ in 0..rng.below(5) {
                out.extend_from_slice(words[rng.below(words.len())]);
                out.push(b" \t\x0b"[rng.below(3)]);
            }
            out.extend_from_slice(if rng.below(2) == 0 { b"\r\n" } else { b"\n" });
        }
        8 => out.extend_from_slice([&b"*0\r\n"[..], b"*-1\r\n", b"\r\n"][rng.below(3)]),
        _ => out.extend_from_slice(&random_bytes(rng, 16)),
    }
}

fn mutate(rng: &mut SplitMix64, bytes: &mut Vec<u8>) {
    for _ in 0..rng.below(3) {
        if bytes.is_empty() {
            return;
        }
        let at = rng.below(bytes.len());
        match rng.below(3) {
            0 => bytes[at] = SPECIAL[rng.below(SPECIAL.len())],
            1 => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, rng.next_u64() as u8),
        }
    }
}

fn random_cuts(rng: &mut SplitMix64, len: usize) -> Vec<usize> {
    if len < 64 && rng.below(4) == 0 {
        return (1..len).collect();
    }
    let mut cuts: Vec<usize> = (0..rng.below(6)).map(|_| rng.below(len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

fn random_limits(rng: &mut SplitMix64) -> ParseLimits {
    ParseLimits {
        max_bulk_len: [512 * 1024 * 1024, 0, 3, 16_385][rng.below(4)],
        auth_required: rng.below(4) == 0,
    }
}

#[test]
fn request_chunking_matches_one_shot() {
    let mut rng = SplitMix64(0x5eed_0001);
    for _ in 0..4000 {
        let mut stream = Vec::new();
        for _ in 0..rng.below(6) {
            random_request(&mut rng, &mut stream);
        }
        if rng.below(2) == 0 {
            mutate(&mut rng, &mut stream);
        }
        let cuts = random_cuts(&mut rng, stream.len());
        let limits = random_limits(&mut rng);
        check_request_chunking(&stream, &cuts, &limits);
    }
}

#[test]
fn request_chunking_around_the_inline_limit() {
    let mut rng = SplitMix64(0x5eed_0002);
    let limits = ParseLimits::default();
    for _ in 0..20 {
        let len = MAX_INLINE_SIZE - 100 + rng.below(200);
        let mut stream = match rng.below(3) {
            0 => b"ECHO ".to_vec(),
            1 => b"*".to_vec(),
            _ => b"*1\r\n$".to_vec(),
        };
        stream.resize(len, b'1');
        stream.extend_from_slice(b"\r\n");
        let cuts = random_cuts(&mut rng, stream.len());
        check_request_chunking(&stream, &cuts, &limits);
    }
}

/// A random frame of at most `depth` nested levels.
fn random_frame(rng: &mut SplitMix64, depth: usize) -> Frame {
    let scalar = |rng: &mut SplitMix64| -> Frame {
        let line = |rng: &mut SplitMix64| -> Vec<u8> {
            random_bytes(rng, 10)
                .into_iter()
                .filter(|&b| b != b'\r' && b != b'\n')
                .collect()
        };
        match rng.below(13) {
            0 => Frame::Simple(line(rng)),
            1 => Frame::Error(line(rng)),
            2 => Frame::Integer(rng.next_u64() as i64 >> rng.below(64)),
            3 => Frame::Bulk(random_bytes(rng, 20)),
            4 => Frame::NullBulk,
            5 => Frame::NullArray,
            6 => Frame::Null,
            7 => Frame::Boolean(rng.below(2) == 0),
            8 => Frame::double(f64::from_bits(rng.next_u64())),
            9 => Frame::BigNumber(format!("-{}{}", rng.next_u64(), rng.next_u64())),
            10 => Frame::BlobError(random_bytes(rng, 20)),
            11 => Frame::Verbatim {
                format: *b"txt",
                data: random_bytes(rng, 20),
            },
            _ => Frame::Double(["1.5", "inf", "-inf", "nan", "1e+17", "0"][rng.below(6)].into()),
        }
    };
    if depth == 0 || rng.below(3) == 0 {
        return scalar(rng);
    }
    let n = rng.below(4);
    let kind = rng.below(5);
    let items: Vec<Frame> = (0..n).map(|_| random_frame(rng, depth - 1)).collect();
    let pairs = || {
        items
            .chunks(2)
            .map(|c| (c[0].clone(), c[c.len() - 1].clone()))
            .collect::<Vec<_>>()
    };
    match kind {
        0 => Frame::Array(items.clone()),
        1 => Frame::Set(items.clone()),
        2 => Frame::Push(items.clone()),
        3 => Frame::Map(pairs()),
        _ => Frame::Attribute {
            attrs: pairs(),
            value: Box::new(random_frame(rng, depth - 1)),
        },
    }
}

#[test]
fn frames_round_trip() {
    let mut rng = SplitMix64(0x5eed_0003);
    for _ in 0..3000 {
        let frame = random_frame(&mut rng, 4);
        let bytes = frame.to_bytes();
        assert_eq!(Frame::decode(&bytes), Ok(Some((frame, bytes.len()))));
        check_frame_roundtrip(&bytes);
        let mut mutated = bytes.clone();
        mutate(&mut rng, &mut mutated);
        check_frame_roundtrip(&mutated);
        mutated.truncate(rng.below(mutated.len() + 1));
        check_frame_roundtrip(&mutated);
    }
}

#[test]
fn random_bytes_never_break_the_frame_codec() {
    let mut rng = SplitMix64(0x5eed_0004);
    for _ in 0..5000 {
        check_frame_roundtrip(&random_bytes(&mut rng, 40));
    }
}
