//! Reads request streams from stdin and prints what the parser makes of each, one line per
//! stream, for `tools/redis_diff.py` to compare with a real Redis.
//!
//! Input: streams, each a little-endian u32 length followed by that many bytes.
//! Output per stream: events separated by `|` and a final `L <bytes left>`; an event is
//! `R <hex arg> <hex arg> ...` (an empty argument is `-`) or `E <hex error text>`.

use std::io::{Read, Write};

use corekv_proto::check::{feed_requests, Event};
use corekv_proto::request::ParseLimits;

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".to_string();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> std::io::Result<()> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input)?;
    let mut out = std::io::stdout().lock();
    let mut rest = &input[..];
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        let (stream, tail) = tail.split_at(len.min(tail.len()));
        rest = tail;
        let (events, left) = feed_requests(stream, &[], &ParseLimits::default());
        let mut line = String::new();
        for event in events {
            match event {
                Event::Request(_, args) => {
                    line.push('R');
                    for arg in args {
                        line.push(' ');
                        line.push_str(&hex(&arg));
                    }
                }
                Event::Error(e) => {
                    line.push_str("E ");
                    line.push_str(&hex(&e.message_bytes()));
                }
            }
            line.push('|');
        }
        writeln!(out, "{line}L {left}")?;
    }
    Ok(())
}
