//! Bit operations on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD, BITFIELD_RO,
//! BITOP.
//!
//! A string is a bitmap whose bit 0 is the most significant bit of its first byte; reads past
//! the end see zeros, writes past the end grow the string with zero bytes (and turn it `raw`,
//! keeping its TTL). Bit offsets are limited so the string stays within `proto-max-bulk-len`
//! (2^32 bits by default). BITOP needs all its keys at once, so across shards the server
//! coordinates it and the op here is the single-shard case.

use std::borrow::Cow;

use crate::args;
use crate::cmd::single;
use crate::cmd::{def, keys, Acl, CommandDef, CoordCmd, Cross, Flags, Route};
use crate::error::{
    OpError, OpResult, BITFIELD_OVERFLOW_TYPE, BITFIELD_RO_GET_ONLY, BITFIELD_TYPE,
    BITOP_NOT_ONE_KEY, BIT_ARG, BIT_OFFSET, BIT_VALUE,
};
use crate::shard::{Cx, Shard};
use crate::strings::read_string;
use crate::util::parse_i64_strict;
use crate::value::Value;

const W: Flags = Flags::WRITE;
const R: Flags = Flags::READONLY;
const DENYOOM: Flags = Flags::DENYOOM;
const FAST: Flags = Flags::FAST;
const B: Acl = Acl::BITMAP;

pub static COMMANDS: [CommandDef; 7] = [
    def(
        "setbit",
        4,
        W.or(DENYOOM),
        B,
        keys(1, 1, 1),
        single(setbit),
        "bitmap",
        "2.2.0",
        "O(1)",
        "Sets or clears one bit of a string, growing it as needed, and replies with the old bit.",
    ),
    def(
        "getbit",
        3,
        R.or(FAST),
        B,
        keys(1, 1, 1),
        single(getbit),
        "bitmap",
        "2.2.0",
        "O(1)",
        "Replies with one bit of a string (0 past its end).",
    ),
    def(
        "bitcount",
        -2,
        R,
        B,
        keys(1, 1, 1),
        single(bitcount),
        "bitmap",
        "2.6.0",
        "O(N)",
        "Counts the set bits of a string, optionally within a byte or bit range.",
    ),
    def(
        "bitpos",
        -3,
        R,
        B,
        keys(1, 1, 1),
        single(bitpos),
        "bitmap",
        "2.8.7",
        "O(N)",
        "Finds the first set or clear bit of a string, optionally within a byte or bit range.",
    ),
    def(
        "bitfield",
        -2,
        W.or(DENYOOM),
        B,
        keys(1, 1, 1),
        single(bitfield),
        "bitmap",
        "3.2.0",
        "O(1) for each subcommand specified",
        "Reads, writes and increments integers of any width up to 64 bits at bit offsets.",
    ),
    def(
        "bitfield_ro",
        -2,
        R.or(FAST),
        B,
        keys(1, 1, 1),
        single(bitfield_ro),
        "bitmap",
        "6.0.0",
        "O(1) for each subcommand specified",
        "Reads integers at bit offsets (BITFIELD limited to GET).",
    ),
    def(
        "bitop",
        -4,
        W.or(DENYOOM),
        B,
        keys(2, -1, 1),
        Route::Shard {
            op: bitop,
            cross: Cross::Coord(CoordCmd::BitOp),
        },
        "bitmap",
        "2.6.0",
        "O(N)",
        "Stores the bitwise AND, OR, XOR or NOT of strings in a key.",
    ),
];

/// Parses a bit offset (`getBitOffsetFromArgument`): a non-negative integer whose byte lies
/// below `proto-max-bulk-len`. With `hash_bits` (BITFIELD), `#n` means `n * bits`; the
/// product wraps as Redis's does.
fn bit_offset(sh: &Shard, arg: &[u8], hash_bits: Option<u32>) -> Result<u64, OpError> {
    let err = || OpError::msg(BIT_OFFSET);
    let (digits, factor) = match (arg.first(), hash_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], i64::from(bits)),
        _ => (arg, 1),
    };
    let n = parse_i64_strict(digits)
        .ok_or_else(err)?
        .wrapping_mul(factor);
    if n < 0 || (n as u64 >> 3) >= sh.config.proto_max_bulk_len {
        return Err(err());
    }
    Ok(n as u64)
}

/// Bit `offset` of `bytes` (0 past the end).
fn get_bit(bytes: &[u8], offset: u64) -> bool {
    let byte = (offset >> 3) as usize;
    bytes
        .get(byte)
        .is_some_and(|b| b & (0x80 >> (offset & 7)) != 0)
}

/// Looks up `key` for a bit write (`lookupStringForBitCommand`): creates it, or turns it `raw`,
/// so that it holds at least `bytes` bytes. Returns the buffer and whether the key was created
/// or grown.
fn bitmap_for_write<'a>(
    sh: &'a mut Shard,
    cx: &Cx<'_>,
    key: &[u8],
    bytes: usize,
) -> Result<(&'a mut Vec<u8>, bool), OpError> {
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    if !db.contains(key, now) {
        let e = db.insert_new(key, Value::Raw(vec![0; bytes]), now);
        let buf = e.value.make_raw().ok_or(OpError::WrongType)?;
        return Ok((buf, true));
    }
    let e = db.get_mut(key, now).ok_or(OpError::WrongType)?;
    if !e.value.is_string() {
        return Err(OpError::WrongType);
    }
    let buf = e.value.make_raw().ok_or(OpError::WrongType)?;
    let grown = buf.len() < bytes;
    if grown {
        buf.resize(bytes, 0);
    }
    Ok((buf, grown))
}

/// `SETBIT key offset value`: replies with the bit's old value.
pub fn setbit(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let offset = bit_offset(sh, a[2], None)?;
    let on = match parse_i64_strict(a[3]) {
        Some(v @ (0 | 1)) => v == 1,
        _ => return Err(OpError::msg(BIT_VALUE)),
    };
    let (buf, grown) = bitmap_for_write(sh, cx, a[1], (offset >> 3) as usize + 1)?;
    let old = get_bit(buf, offset);
    let mask = 0x80u8 >> (offset & 7);
    let byte = &mut buf[(offset >> 3) as usize];
    if on {
        *byte |= mask;
    } else {
        *byte &= !mask;
    }
    // Only a real change (or a new or longer string) counts as a write.
    if grown || old != on {
        sh.dirty += 1;
    }
    cx.out.int(i64::from(old));
    Ok(())
}

/// `GETBIT key offset`
pub fn getbit(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let offset = bit_offset(sh, a[2], None)?;
    let bit = match read_string(sh.db(cx.db), a[1], cx.now_ms)? {
        Some(v) => get_bit(&v.as_bytes().unwrap_or_default(), offset),
        None => false,
    };
    cx.out.int(i64::from(bit));
    Ok(())
}

/// Whether a BIT/BYTE range unit argument says BIT.
fn range_unit_is_bit(arg: &[u8]) -> Result<bool, OpError> {
    if args::is(arg, "BIT") {
        Ok(true)
    } else if args::is(arg, "BYTE") {
        Ok(false)
    } else {
        Err(OpError::Syntax)
    }
}

/// A range of whole bytes plus the bits of its first and last bytes that lie outside the
/// requested (bit) range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteRange {
    start: usize,
    end: usize,
    /// Bits of byte `start` before the range.
    first_outside: u8,
    /// Bits of byte `end` after the range.
    last_outside: u8,
}

/// Clamps `start..=end` (negative offsets count from the end) to a string of `len` bytes, in
/// bits when `bit`; `None` when the range is empty.
fn byte_range(start: i64, end: i64, len: usize, bit: bool) -> Option<ByteRange> {
    let total = if bit { (len as i64) << 3 } else { len as i64 };
    let (mut start, mut end) = (start, end);
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0).min(total - 1);
    if start > end {
        return None;
    }
    if bit {
        Some(ByteRange {
            start: (start >> 3) as usize,
            end: (end >> 3) as usize,
            first_outside: !(0xffu8 >> (start & 7)),
            last_outside: ((1u16 << (7 - (end & 7))) - 1) as u8,
        })
    } else {
        Some(ByteRange {
            start: start as usize,
            end: end as usize,
            first_outside: 0,
            last_outside: 0,
        })
    }
}

/// Number of set bits, a word at a time.
fn popcount(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut n: u64 = (&mut words)
        .map(|w| {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            u64::from(u64::from_ne_bytes(word).count_ones())
        })
        .sum();
    n += words
        .remainder()
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum::<u64>();
    n
}

/// `BITCOUNT key [start end [BYTE | BIT]]`
pub fn bitcount(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    // A missing key counts nothing, whatever the other arguments.
    let Some(v) = read_string(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.int(0);
        return Ok(());
    };
    let bytes = v.as_bytes().unwrap_or_default();
    let range = match a.len() {
        2 => byte_range(0, -1, bytes.len(), false),
        4 | 5 => {
            let start = args::int(a[2])?;
            let end = args::int(a[3])?;
            if start < 0 && end < 0 && start > end {
                cx.out.int(0);
                return Ok(());
            }
            let bit = a.len() == 5 && range_unit_is_bit(a[4])?;
            byte_range(start, end, bytes.len(), bit)
        }
        _ => return Err(OpError::Syntax),
    };
    let count = match range {
        None => 0,
        Some(r) => {
            let whole = popcount(&bytes[r.start..=r.end]);
            let outside = (bytes[r.start] & r.first_outside).count_ones()
                + (bytes[r.end] & r.last_outside).count_ones();
            whole - u64::from(outside)
        }
    };
    cx.out.int(count as i64);
    Ok(())
}

/// The first bit equal to `bit` in `bytes` (Redis's `redisBitpos`): for a set bit, -1 when
/// there is none; for a clear bit, the bit just past the end when there is none (the string is
/// seen as zero-padded on the right).
fn first_bit(bytes: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0x00 } else { 0xff };
    match bytes.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = bytes[i];
            let within = if bit {
                b.leading_zeros()
            } else {
                b.leading_ones()
            };
            (i as i64) * 8 + i64::from(within)
        }
        None if bit => -1,
        None => (bytes.len() as i64) * 8,
    }
}

/// `BITPOS key bit [start [end [BYTE | BIT]]]`
pub fn bitpos(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    let bit = match args::int(a[2])? {
        0 => false,
        1 => true,
        _ => return Err(OpError::msg(BIT_ARG)),
    };
    // A missing key is an endless run of zeros.
    let Some(v) = read_string(sh.db(cx.db), a[1], cx.now_ms)? else {
        cx.out.int(if bit { -1 } else { 0 });
        return Ok(());
    };
    let p = v.as_bytes().unwrap_or_default();
    let len = p.len();
    let mut end_given = false;
    let range = match a.len() {
        3 => byte_range(0, -1, len, false),
        4..=6 => {
            let start = args::int(a[3])?;
            let unit_bit = a.len() == 6 && range_unit_is_bit(a[5])?;
            let end = if a.len() >= 5 {
                end_given = true;
                args::int(a[4])?
            } else {
                -1
            };
            byte_range(start, end, len, unit_bit)
        }
        _ => return Err(OpError::Syntax),
    };
    let Some(r) = range else {
        // An empty range holds neither a 0 nor a 1.
        cx.out.int(-1);
        return Ok(());
    };
    let pos = bitpos_in(&p, r, bit, end_given);
    cx.out.int(pos);
    Ok(())
}

/// BITPOS over a non-empty clamped range: the edge bytes are searched with their outside bits
/// forced to the value not looked for, the middle bytes directly.
fn bitpos_in(p: &[u8], r: ByteRange, bit: bool, end_given: bool) -> i64 {
    // The bits outside the range, made to hold the value that is not looked for.
    let hide = |byte: u8, outside: u8| if bit { byte & !outside } else { byte | outside };
    let mut start = r.start;
    let mut bytes = r.end - r.start + 1;
    let pos = 'found: {
        if r.first_outside != 0 {
            let mut first = hide(p[start], r.first_outside);
            if bytes == 1 {
                first = hide(first, r.last_outside);
            }
            let pos = first_bit(&[first], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'found pos;
            }
            start += 1;
            bytes -= 1;
        }
        let middle = bytes - usize::from(r.last_outside != 0);
        if middle > 0 {
            let pos = first_bit(&p[start..start + middle], bit);
            if bytes == middle || (pos != -1 && pos != (middle as i64) * 8) {
                break 'found pos;
            }
            start += middle;
            bytes -= middle;
        }
        first_bit(&[hide(p[r.end], r.last_outside)], bit)
    };
    // With an explicit end, a clear bit found only past the range is no answer.
    if end_given && !bit && pos == (bytes as i64) * 8 {
        return -1;
    }
    if pos == -1 {
        -1
    } else {
        pos + (start as i64) * 8
    }
}

/// How BITFIELD SET and INCRBY handle values that do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// One BITFIELD operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    op: FieldOp,
    offset: u64,
    bits: u32,
    signed: bool,
    overflow: Overflow,
}

/// Parses a field type: `i1`..`i64` or `u1`..`u63`.
fn field_type(arg: &[u8]) -> Result<(bool, u32), OpError> {
    let err = || OpError::msg(BITFIELD_TYPE);
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(err()),
    };
    let bits = parse_i64_strict(&arg[1..]).ok_or_else(err)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(err());
    }
    Ok((signed, bits as u32))
}

/// Parses the operations after `BITFIELD key`.
///
/// # Format
/// `BITFIELD key [GET type offset | [OVERFLOW WRAP | SAT | FAIL] SET type offset value |
/// [OVERFLOW WRAP | SAT | FAIL] INCRBY type offset increment ...]` where an offset may be
/// `#n` for `n` times the type's width.
fn parse_fields(sh: &Shard, opts: &[&[u8]]) -> Result<Vec<Field>, OpError> {
    let mut out = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut i = 0;
    while i < opts.len() {
        let name = opts[i];
        let rest = opts.len() - i - 1;
        let is_get = args::is(name, "GET") && rest >= 2;
        let is_set = args::is(name, "SET") && rest >= 3;
        let is_incrby = args::is(name, "INCRBY") && rest >= 3;
        if args::is(name, "OVERFLOW") && rest >= 1 {
            let kind = opts[i + 1];
            overflow = if args::is(kind, "WRAP") {
                Overflow::Wrap
            } else if args::is(kind, "SAT") {
                Overflow::Sat
            } else if args::is(kind, "FAIL") {
                Overflow::Fail
            } else {
                return Err(OpError::msg(BITFIELD_OVERFLOW_TYPE));
            };
            i += 2;
            continue;
        }
        if !(is_get || is_set || is_incrby) {
            return Err(OpError::Syntax);
        }
        let (signed, bits) = field_type(opts[i + 1])?;
        let offset = bit_offset(sh, opts[i + 2], Some(bits))?;
        let op = if is_get {
            FieldOp::Get
        } else {
            let v = args::int(opts[i + 3])?;
            if is_set {
                FieldOp::Set(v)
            } else {
                FieldOp::IncrBy(v)
            }
        };
        out.push(Field {
            op,
            offset,
            bits,
            signed,
            overflow,
        });
        i += if is_get { 3 } else { 4 };
    }
    Ok(out)
}

/// Reads a `bits`-wide unsigned integer at bit `offset` (zeros past the end).
fn read_field(buf: &[u8], offset: u64, bits: u32) -> u64 {
    (0..u64::from(bits)).fold(0u64, |v, j| (v << 1) | u64::from(get_bit(buf, offset + j)))
}

/// Writes the low `bits` bits of `value` at bit `offset` (inside the buffer).
fn write_field(buf: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..u64::from(bits) {
        let on = value & (1u64 << (u64::from(bits) - 1 - j)) != 0;
        let at = offset + j;
        let mask = 0x80u8 >> (at & 7);
        let byte = &mut buf[(at >> 3) as usize];
        if on {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// Sign-extends a `bits`-wide field.
fn to_signed(v: u64, bits: u32) -> i64 {
    if bits < 64 && v & (1u64 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

/// Whether `value + incr` fits an unsigned `bits`-wide field; if not, the value WRAP or SAT
/// gives instead (`None` for FAIL). Mirrors Redis's `checkUnsignedBitfieldOverflow`,
/// including how it treats a SET of a negative number (as its 64-bit two's complement).
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<Option<u64>> {
    let max = (1u64 << bits) - 1;
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = value.wrapping_add(incr as u64) & max;
    let limit = |sat: u64| match ow {
        Overflow::Wrap => Some(wrapped),
        Overflow::Sat => Some(sat),
        Overflow::Fail => None,
    };
    if value > max || (incr > 0 && incr > max_incr) {
        Some(limit(max))
    } else if incr < 0 && incr < min_incr {
        Some(limit(0))
    } else {
        None
    }
}

/// The signed counterpart of [`unsigned_overflow`] (Redis's `checkSignedBitfieldOverflow`).
fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<Option<i64>> {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = {
        let c = (value as u64).wrapping_add(incr as u64);
        to_signed(
            if bits < 64 {
                c & ((1u64 << bits) - 1)
            } else {
                c
            },
            bits,
        )
    };
    let limit = |sat: i64| match ow {
        Overflow::Wrap => Some(wrapped),
        Overflow::Sat => Some(sat),
        Overflow::Fail => None,
    };
    let narrow = bits != 64;
    if value > max || (narrow && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        Some(limit(max))
    } else if value < min
        || (narrow && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        Some(limit(min))
    } else {
        None
    }
}

/// Runs one SET or INCRBY on `buf`, writing its reply. Returns whether the field changed, or
/// `None` when OVERFLOW FAIL refused the write.
fn apply_write(cx: &mut Cx<'_>, buf: &mut [u8], f: &Field) -> Option<bool> {
    let raw = read_field(buf, f.offset, f.bits);
    // (new value to store as raw bits, reply) or None when OVERFLOW FAIL refuses.
    let outcome: Option<(u64, i64)> = if f.signed {
        let old = to_signed(raw, f.bits);
        match f.op {
            FieldOp::IncrBy(incr) => match signed_overflow(old, incr, f.bits, f.overflow) {
                None => Some(old.wrapping_add(incr)),
                Some(limit) => limit,
            }
            .map(|new| (new as u64, new)),
            FieldOp::Set(v) => match signed_overflow(v, 0, f.bits, f.overflow) {
                None => Some(v),
                Some(limit) => limit,
            }
            .map(|new| (new as u64, old)),
            FieldOp::Get => None,
        }
    } else {
        match f.op {
            FieldOp::IncrBy(incr) => match unsigned_overflow(raw, incr, f.bits, f.overflow) {
                None => Some(raw.wrapping_add(incr as u64)),
                Some(limit) => limit,
            }
            .map(|new| (new, new as i64)),
            FieldOp::Set(v) => match unsigned_overflow(v as u64, 0, f.bits, f.overflow) {
                None => Some(v as u64),
                Some(limit) => limit,
            }
            .map(|new| (new, raw as i64)),
            FieldOp::Get => None,
        }
    };
    match outcome {
        Some((new, reply)) => {
            cx.out.int(reply);
            write_field(buf, f.offset, f.bits, new);
            let mask = if f.bits == 64 {
                u64::MAX
            } else {
                (1u64 << f.bits) - 1
            };
            Some(new & mask != raw)
        }
        None => {
            cx.out.null();
            None
        }
    }
}

/// Replies with a GET of `f` over `buf`.
fn reply_get(cx: &mut Cx<'_>, buf: &[u8], f: &Field) {
    let raw = read_field(buf, f.offset, f.bits);
    cx.out.int(if f.signed {
        to_signed(raw, f.bits)
    } else {
        raw as i64
    });
}

/// `BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
/// [OVERFLOW WRAP | SAT | FAIL] ...`
pub fn bitfield(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    bitfield_generic(sh, cx, a, false)
}

/// `BITFIELD_RO key [GET type offset ...]`
pub fn bitfield_ro(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    bitfield_generic(sh, cx, a, true)
}

fn bitfield_generic(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]], read_only: bool) -> OpResult {
    let fields = parse_fields(sh, &a[2..])?;
    let highest_write = fields
        .iter()
        .filter(|f| f.op != FieldOp::Get)
        .map(|f| f.offset + u64::from(f.bits) - 1)
        .max();
    let Some(highest) = highest_write else {
        // Only reads: the key is not created.
        let bytes: Cow<'_, [u8]> = match read_string(sh.db(cx.db), a[1], cx.now_ms)? {
            Some(v) => v.as_bytes().unwrap_or_default(),
            None => Cow::Borrowed(&[]),
        };
        cx.out.array(fields.len());
        for f in &fields {
            reply_get(cx, &bytes, f);
        }
        return Ok(());
    };
    if read_only {
        return Err(OpError::msg(BITFIELD_RO_GET_ONLY));
    }
    let (buf, grown) = bitmap_for_write(sh, cx, a[1], (highest >> 3) as usize + 1)?;
    cx.out.array(fields.len());
    let mut changes = 0;
    for f in &fields {
        if f.op == FieldOp::Get {
            reply_get(cx, buf, f);
        } else if let Some(changed) = apply_write(cx, buf, f) {
            // A new or grown string counts every performed write as a change, as in Redis.
            if changed || grown {
                changes += 1;
            }
        }
    }
    sh.dirty += changes;
    Ok(())
}

/// `BITOP AND | OR | XOR | NOT destkey key [key ...]` with every key on this shard: stores the
/// result (as long as the longest input; shorter inputs are zero-padded) and replies with its
/// length. An empty result deletes the destination.
pub fn bitop(sh: &mut Shard, cx: &mut Cx<'_>, a: &[&[u8]]) -> OpResult {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = if args::is(a[1], "AND") {
        Op::And
    } else if args::is(a[1], "OR") {
        Op::Or
    } else if args::is(a[1], "XOR") {
        Op::Xor
    } else if args::is(a[1], "NOT") {
        Op::Not
    } else {
        return Err(OpError::Syntax);
    };
    if op == Op::Not && a.len() != 4 {
        return Err(OpError::msg(BITOP_NOT_ONE_KEY));
    }
    let now = cx.now_ms;
    let db = sh.db(cx.db);
    // Each source is looked up as a read (expired, counted as a hit or a miss, type-checked)
    // before they are all borrowed at once.
    for key in &a[3..] {
        read_string(db, key, now)?;
    }
    let out = {
        let sources: Vec<Cow<'_, [u8]>> = a[3..]
            .iter()
            .map(|k| {
                db.peek(k, now)
                    .and_then(|e| e.value.as_bytes())
                    .unwrap_or_default()
            })
            .collect();
        let maxlen = sources.iter().map(|s| s.len()).max().unwrap_or(0);
        // Shorter sources count as zero-padded to the longest.
        let mut out = vec![0u8; maxlen];
        out[..sources[0].len()].copy_from_slice(&sources[0]);
        for src in &sources[1..] {
            let pairs = out.iter_mut().zip(src.iter());
            match op {
                Op::And => {
                    pairs.for_each(|(o, b)| *o &= b);
                    out[src.len()..].fill(0);
                }
                Op::Or => pairs.for_each(|(o, b)| *o |= b),
                Op::Xor => pairs.for_each(|(o, b)| *o ^= b),
                Op::Not => {}
            }
        }
        if op == Op::Not {
            out.iter_mut().for_each(|o| *o = !*o);
        }
        out
    };
    let maxlen = out.len();
    if maxlen == 0 {
        if db.delete(a[2]).is_some() {
            sh.dirty += 1;
        }
        cx.out.int(0);
        return Ok(());
    }
    db.set(a[2], Value::Raw(out), now);
    sh.dirty += 1;
    cx.out.int(maxlen as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::lookup;
    use crate::error;
    use crate::testkit::{run, run_in, run_raw};
    use crate::util::Rng;
    use corekv_proto::RespWriter;

    const NOW: i64 = 1_000_000;

    fn int(n: i64) -> String {
        format!(":{n}\r\n")
    }

    fn err(msg: &str) -> String {
        format!("-{msg}\r\n")
    }

    fn ints(ns: &[i64]) -> String {
        let mut out = format!("*{}\r\n", ns.len());
        for n in ns {
            out.push_str(&int(*n));
        }
        out
    }

    /// Runs a command with binary arguments; the reply bytes.
    fn runb(s: &mut Shard, args: &[&[u8]]) -> Vec<u8> {
        let mut out = RespWriter::new(false);
        run_raw(s, 0, args, &mut out);
        out.into_inner()
    }

    fn set(s: &mut Shard, key: &str, v: &[u8]) {
        assert_eq!(runb(s, &[b"SET", key.as_bytes(), v]), b"+OK\r\n");
    }

    fn value(s: &Shard, key: &str) -> Option<Vec<u8>> {
        s.dbs[0]
            .peek(key.as_bytes(), s.now_ms())
            .and_then(|e| e.value.as_bytes())
            .map(|b| b.into_owned())
    }

    fn encoding(s: &Shard, key: &str) -> &'static str {
        s.dbs[0]
            .peek(key.as_bytes(), s.now_ms())
            .map_or("none", |e| e.value.encoding())
    }

    /// Bits as Tcl's `binary format B*` writes them: most significant first.
    fn bin(bits: &str) -> Vec<u8> {
        bits.as_bytes()
            .chunks(8)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .fold(0u8, |b, (i, &ch)| b | (u8::from(ch == b'1') << (7 - i)))
            })
            .collect()
    }

    #[test]
    fn setbit_and_getbit() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SETBIT", "mykey", "1", "1"]), int(0));
        assert_eq!(value(&s, "mykey"), Some(bin("01000000")));
        assert_eq!(encoding(&s, "mykey"), "raw");
        // Against a string: "@" is 01000000.
        set(&mut s, "mykey", b"@");
        assert_eq!(run(&mut s, &["SETBIT", "mykey", "2", "1"]), int(0));
        assert_eq!(value(&s, "mykey"), Some(bin("01100000")));
        assert_eq!(run(&mut s, &["SETBIT", "mykey", "1", "0"]), int(1));
        assert_eq!(value(&s, "mykey"), Some(bin("00100000")));
        // Against an integer: "1" is 00110001.
        set(&mut s, "mykey", b"1");
        assert_eq!(encoding(&s, "mykey"), "int");
        assert_eq!(run(&mut s, &["SETBIT", "mykey", "6", "1"]), int(0));
        assert_eq!(value(&s, "mykey"), Some(bin("00110011")));
        assert_eq!(encoding(&s, "mykey"), "raw");
        assert_eq!(run(&mut s, &["SETBIT", "mykey", "2", "0"]), int(1));
        assert_eq!(value(&s, "mykey"), Some(bin("00010011")));

        assert_eq!(run(&mut s, &["GETBIT", "nokey", "0"]), int(0));
        set(&mut s, "mykey", b"`");
        for (bit, want) in [(0, 0), (1, 1), (2, 1), (3, 0), (8, 0), (100, 0), (10000, 0)] {
            assert_eq!(
                run(&mut s, &["GETBIT", "mykey", &bit.to_string()]),
                int(want)
            );
        }
        set(&mut s, "mykey", b"1");
        for (bit, want) in [(0, 0), (1, 0), (2, 1), (3, 1), (8, 0), (100, 0)] {
            assert_eq!(
                run(&mut s, &["GETBIT", "mykey", &bit.to_string()]),
                int(want)
            );
        }
        // GETBIT does not change the encoding.
        assert_eq!(encoding(&s, "mykey"), "int");
    }

    #[test]
    fn setbit_errors_and_limits() {
        let mut s = Shard::for_tests(NOW);
        for off in ["4294967296", "-1", "abc", "1.5", "#1"] {
            assert_eq!(
                run(&mut s, &["SETBIT", "mykey", off, "1"]),
                err(error::BIT_OFFSET),
                "{off}"
            );
            assert_eq!(
                run(&mut s, &["GETBIT", "mykey", off]),
                err(error::BIT_OFFSET)
            );
        }
        for v in ["-1", "2", "10", "20", "x", ""] {
            assert_eq!(
                run(&mut s, &["SETBIT", "mykey", "0", v]),
                err(error::BIT_VALUE),
                "{v}"
            );
        }
        // The offset is checked before the value.
        assert_eq!(
            run(&mut s, &["SETBIT", "mykey", "4294967296", "x"]),
            err(error::BIT_OFFSET)
        );
        assert_eq!(run(&mut s, &["GETBIT", "mykey", "4294967295"]), int(0));
        assert_eq!(run(&mut s, &["EXISTS", "mykey"]), int(0));
        // The limit follows proto-max-bulk-len.
        s.config.proto_max_bulk_len = 1 << 20;
        assert_eq!(run(&mut s, &["SETBIT", "big", "8388607", "1"]), int(0));
        assert_eq!(run(&mut s, &["STRLEN", "big"]), int(1 << 20));
        assert_eq!(run(&mut s, &["GETBIT", "big", "8388607"]), int(1));
        assert_eq!(
            run(&mut s, &["SETBIT", "big", "8388608", "1"]),
            err(error::BIT_OFFSET)
        );
        assert_eq!(
            run(&mut s, &["GETBIT", "big", "8388608"]),
            err(error::BIT_OFFSET)
        );
    }

    #[test]
    fn setbit_keeps_ttl_and_counts_only_changes() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["SET", "t", "1", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["SETBIT", "t", "0", "1"]), int(0));
        assert_eq!(
            s.dbs[0].peek(b"t", NOW).and_then(|e| e.expire_at()),
            Some(NOW + 100_000)
        );
        // As Redis's "SETBIT/BITFIELD only increase dirty when the value changed".
        let d0 = s.dirty;
        run(&mut s, &["SETBIT", "foo", "0", "0"]);
        run(&mut s, &["BITFIELD", "foo2", "SET", "i5", "0", "0"]);
        assert_eq!(s.dirty, d0 + 2);
        run(&mut s, &["SETBIT", "foo", "0", "0"]);
        run(&mut s, &["BITFIELD", "foo2", "SET", "i5", "0", "0"]);
        assert_eq!(s.dirty, d0 + 2);
        for v in ["1", "1", "0", "0"] {
            run(&mut s, &["SETBIT", "foo", "0", v]);
            run(&mut s, &["BITFIELD", "foo2", "SET", "i5", "0", v]);
        }
        assert_eq!(s.dirty, d0 + 6);
        run(&mut s, &["BITFIELD", "foo3", "INCRBY", "i5", "0", "1"]);
        run(&mut s, &["BITFIELD", "foo3", "INCRBY", "i5", "0", "1"]);
        assert_eq!(s.dirty, d0 + 8);
        // Growing the string counts even when the bits written are zeros.
        run(&mut s, &["SETBIT", "foo", "90", "0"]);
        run(&mut s, &["BITFIELD", "foo2", "SET", "i5", "90", "0"]);
        assert_eq!(s.dirty, d0 + 10);
        // SETBIT makes the value raw even when nothing changes.
        run(&mut s, &["SET", "n", "5"]);
        run(&mut s, &["SETBIT", "n", "0", "0"]);
        assert_eq!(encoding(&s, "n"), "raw");
    }

    /// Tcl's `count_bits_start_end`: set bits of `bytes` between bit offsets, inclusive.
    fn count_bits(bytes: &[u8], start: usize, end: usize) -> i64 {
        (start..=end).filter(|&i| get_bit(bytes, i as u64)).count() as i64
    }

    #[test]
    fn bitcount_cases() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["BITCOUNT", "no-key"]), int(0));
        assert_eq!(
            run(&mut s, &["BITCOUNT", "no-key", "0", "1000", "bit"]),
            int(0)
        );
        // A missing key answers 0 before the arguments are looked at.
        assert_eq!(
            run(&mut s, &["BITCOUNT", "no-key", "a", "b", "c", "d"]),
            int(0)
        );
        set(&mut s, "str", b"xxxx");
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "4", "10"]), int(0));
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "32", "87", "bit"]), int(0));
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "-6", "-7"]), int(0));
        assert_eq!(
            run(&mut s, &["BITCOUNT", "str", "-6", "-15", "bit"]),
            int(0)
        );
        // Negative start > end answers 0 before the unit is checked.
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "-1", "-2", "foo"]), int(0));
        for v in [&b""[..], b"\xaa", b"\x00\x00\xff", b"foobar", b"123"] {
            set(&mut s, "str", v);
            let n = v.iter().map(|b| i64::from(b.count_ones())).sum::<i64>();
            assert_eq!(run(&mut s, &["BITCOUNT", "str"]), int(n));
            assert_eq!(run(&mut s, &["BITCOUNT", "str", "0", "-1", "bit"]), int(n));
        }
        set(&mut s, "s", b"foobar");
        let f = b"foobar";
        let bytes = |a: usize, b: usize| count_bits(f, a * 8, b * 8 + 7);
        assert_eq!(run(&mut s, &["BITCOUNT", "s", "1", "-2"]), int(bytes(1, 4)));
        assert_eq!(run(&mut s, &["BITCOUNT", "s", "-2", "1"]), int(0));
        assert_eq!(
            run(&mut s, &["BITCOUNT", "s", "0", "1000"]),
            int(bytes(0, 5))
        );
        for (start, end, a, b) in [
            ("10", "14", 10, 14),
            ("3", "14", 3, 14),
            ("3", "29", 3, 29),
            ("10", "-34", 10, 14),
            ("3", "-34", 3, 14),
            ("3", "-19", 3, 29),
        ] {
            assert_eq!(
                run(&mut s, &["BITCOUNT", "s", start, end, "BIT"]),
                int(count_bits(f, a, b)),
                "{start} {end}"
            );
        }
        assert_eq!(run(&mut s, &["BITCOUNT", "s", "-2", "1", "bit"]), int(0));
        assert_eq!(
            run(&mut s, &["BITCOUNT", "s", "0", "1000", "byte"]),
            int(bytes(0, 5))
        );
        for bad in [
            &["BITCOUNT", "s", "0"][..],
            &["BITCOUNT", "s", "0", "1", "hello"],
            &["BITCOUNT", "s", "0", "1", "bit", "x"],
        ] {
            assert_eq!(run(&mut s, bad), err(error::SYNTAX), "{bad:?}");
        }
        assert_eq!(
            run(&mut s, &["BITCOUNT", "s", "a", "1"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["BITCOUNT", "s", "0", "9223372036854775808"]),
            err(error::NOT_INTEGER)
        );
        set(&mut s, "str", b"ab");
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "1", "-1"]), int(3));
        set(&mut s, "str", b"__PPxxxxxxxxxxxxxxxxRR__");
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "2", "-3"]), int(74));
        set(&mut s, "str", b"-1234");
        assert_eq!(run(&mut s, &["BITCOUNT", "str", "0", "0"]), int(4));
    }

    /// BITPOS's answer by brute force over the bits of the clamped range.
    fn bitpos_model(v: &[u8], bit: bool, range: Option<(i64, Option<i64>, bool)>) -> i64 {
        let Some((start, end, unit_bit)) = range else {
            if v.is_empty() {
                // The whole of an empty string is an empty range.
                return -1;
            }
            return (0..v.len() * 8)
                .find(|&i| get_bit(v, i as u64) == bit)
                .map_or(if bit { -1 } else { v.len() as i64 * 8 }, |i| i as i64);
        };
        let total = if unit_bit {
            v.len() as i64 * 8
        } else {
            v.len() as i64
        };
        let (mut a, mut b) = (start, end.unwrap_or(-1));
        if a < 0 {
            a += total;
        }
        if b < 0 {
            b += total;
        }
        let (a, b) = (a.max(0), b.max(0).min(total - 1));
        if a > b {
            return -1;
        }
        let (lo, hi) = if unit_bit { (a, b) } else { (a * 8, b * 8 + 7) };
        match (lo..=hi).find(|&i| get_bit(v, i as u64) == bit) {
            Some(i) => i,
            // Without an explicit end the string is zero-padded on the right.
            None if !bit && end.is_none() => hi + 1,
            None => -1,
        }
    }

    /// BITCOUNT by brute force.
    fn bitcount_model(v: &[u8], start: i64, end: i64, unit_bit: bool) -> i64 {
        if start < 0 && end < 0 && start > end {
            return 0;
        }
        let total = if unit_bit {
            v.len() as i64 * 8
        } else {
            v.len() as i64
        };
        let (mut a, mut b) = (start, end);
        if a < 0 {
            a += total;
        }
        if b < 0 {
            b += total;
        }
        let (a, b) = (a.max(0), b.max(0).min(total - 1));
        if a > b {
            return 0;
        }
        let (lo, hi) = if unit_bit { (a, b) } else { (a * 8, b * 8 + 7) };
        count_bits(v, lo as usize, hi as usize)
    }

    #[test]
    fn bitpos_and_bitcount_against_a_model() {
        let mut s = Shard::for_tests(NOW);
        let mut rng = Rng::new(42);
        for round in 0..300 {
            let len = rng.below(20) as usize;
            let v: Vec<u8> = (0..len)
                .map(|_| match rng.below(4) {
                    0 => 0x00,
                    1 => 0xff,
                    _ => rng.next_u64() as u8,
                })
                .collect();
            set(&mut s, "k", &v);
            for bit in [false, true] {
                let b = if bit { "1" } else { "0" };
                assert_eq!(
                    run(&mut s, &["BITPOS", "k", b]),
                    int(bitpos_model(&v, bit, None)),
                    "{v:?} {bit}"
                );
            }
            for _ in 0..20 {
                let span = (len as i64 * 8 + 10) as u64;
                let unit_bit = rng.below(2) == 1;
                let r = |rng: &mut Rng| {
                    let m = if unit_bit { span } else { len as u64 + 3 };
                    rng.below(2 * m) as i64 - m as i64
                };
                let (start, end) = (r(&mut rng), r(&mut rng));
                let bit = rng.below(2) == 1;
                let b = if bit { "1" } else { "0" };
                let (st, en) = (start.to_string(), end.to_string());
                let unit = if unit_bit { "BIT" } else { "BYTE" };
                let want = bitpos_model(&v, bit, Some((start, Some(end), unit_bit)));
                assert_eq!(
                    run(&mut s, &["BITPOS", "k", b, &st, &en, unit]),
                    int(want),
                    "round {round}: {v:?} {bit} {start} {end} {unit}"
                );
                if !unit_bit {
                    assert_eq!(run(&mut s, &["BITPOS", "k", b, &st, &en]), int(want));
                    let want = bitpos_model(&v, bit, Some((start, None, false)));
                    assert_eq!(run(&mut s, &["BITPOS", "k", b, &st]), int(want));
                }
                assert_eq!(
                    run(&mut s, &["BITCOUNT", "k", &st, &en, unit]),
                    int(bitcount_model(&v, start, end, unit_bit)),
                    "{v:?} {start} {end} {unit}"
                );
            }
        }
    }

    #[test]
    fn bitpos_cases() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(run(&mut s, &["BITPOS", "str", "0"]), int(0));
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "0", "0", "-1", "bit"]),
            int(0)
        );
        assert_eq!(run(&mut s, &["BITPOS", "str", "1"]), int(-1));
        assert_eq!(run(&mut s, &["BITPOS", "str", "1", "0", "-1"]), int(-1));
        // A missing key answers before the range is parsed.
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "1", "a", "b", "c", "d"]),
            int(-1)
        );
        set(&mut s, "str", b"\xff\xf0\x00");
        assert_eq!(run(&mut s, &["BITPOS", "str", "0"]), int(12));
        assert_eq!(run(&mut s, &["BITPOS", "str", "0", "1"]), int(12));
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "0", "1", "-1", "bit"]),
            int(12)
        );
        set(&mut s, "str", b"\x00\x0f\xff");
        assert_eq!(run(&mut s, &["BITPOS", "str", "1"]), int(12));
        assert_eq!(run(&mut s, &["BITPOS", "str", "1", "1"]), int(12));
        set(&mut s, "str", b"\x00\xff\x00");
        for (args, want) in [
            (&["0", "0", "-1"][..], 0),
            (&["0", "1", "-1"], 16),
            (&["0", "2", "-1"], 16),
            (&["0", "2", "200"], 16),
            (&["0", "1", "1"], -1),
            (&["0", "8", "8", "bit"], -1),
            (&["1", "0", "-1"], 8),
            (&["1", "2", "-1"], -1),
            (&["1", "1", "1"], 8),
            (&["1", "16", "200", "bit"], -1),
            (&["1", "8", "8", "bit"], 8),
        ] {
            let mut cmd = vec!["BITPOS", "str"];
            cmd.extend_from_slice(args);
            assert_eq!(run(&mut s, &cmd), int(want), "{args:?}");
        }
        set(&mut s, "str", b"\xff\xff\xff");
        assert_eq!(run(&mut s, &["BITPOS", "str", "0"]), int(24));
        assert_eq!(run(&mut s, &["BITPOS", "str", "0", "0"]), int(24));
        assert_eq!(run(&mut s, &["BITPOS", "str", "0", "0", "-1"]), int(-1));
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "0", "0", "-1", "bit"]),
            int(-1)
        );
        // Long runs before the first hit, from every start.
        let mut v = vec![0xffu8; 27];
        v.push(0x0f);
        set(&mut s, "str", &v);
        for start in 0..9 {
            let st = start.to_string();
            assert_eq!(run(&mut s, &["BITPOS", "str", "0", &st]), int(216));
            let bit_st = (start * 8 + 1).to_string();
            assert_eq!(
                run(&mut s, &["BITPOS", "str", "0", &bit_st, "-1", "bit"]),
                int(216)
            );
        }
        set(&mut s, "e", b"");
        assert_eq!(run(&mut s, &["BITPOS", "e", "0"]), int(-1));
        assert_eq!(run(&mut s, &["BITPOS", "e", "1"]), int(-1));
        assert_eq!(run(&mut s, &["BITPOS", "str", "2"]), err(error::BIT_ARG));
        assert_eq!(run(&mut s, &["BITPOS", "nokey", "2"]), err(error::BIT_ARG));
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "x"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "1", "a"]),
            err(error::NOT_INTEGER)
        );
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "1", "0", "1", "x"]),
            err(error::SYNTAX)
        );
        // The unit is checked before the end.
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "1", "0", "x", "x"]),
            err(error::SYNTAX)
        );
        assert_eq!(
            run(&mut s, &["BITPOS", "str", "1", "0", "1", "bit", "2"]),
            err(error::SYNTAX)
        );
    }

    #[test]
    fn bitfield_basics() {
        let mut s = Shard::for_tests(NOW);
        assert_eq!(
            run(&mut s, &["BITFIELD", "bits", "set", "i8", "0", "-100"]),
            ints(&[0])
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "bits", "set", "i8", "0", "101"]),
            ints(&[-100])
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "bits", "get", "i8", "0"]),
            ints(&[101])
        );
        s.dbs[0].delete(b"bits");
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "bits", "set", "u8", "0", "255", "set", "u8", "0", "100", "get",
                    "u8", "0"
                ]
            ),
            ints(&[0, 255, 100])
        );
        s.dbs[0].delete(b"bits");
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "bits", "set", "i8", "0", "255", "set", "i8", "0", "100", "get",
                    "i8", "0"
                ]
            ),
            ints(&[0, -1, 100])
        );
        s.dbs[0].delete(b"bits");
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "bits", "set", "u8", "0", "255", "incrby", "u8", "0", "100", "get",
                    "u8", "0"
                ]
            ),
            ints(&[0, 99, 99])
        );
        s.dbs[0].delete(b"bits");
        assert_eq!(run(&mut s, &["BITFIELD", "bits"]), "*0\r\n");
        for (i, c) in ["65", "66", "67"].iter().enumerate() {
            run(
                &mut s,
                &["BITFIELD", "bits", "set", "u8", &format!("#{i}"), c],
            );
        }
        assert_eq!(value(&s, "bits"), Some(b"ABC".to_vec()));
        assert_eq!(encoding(&s, "bits"), "raw");
        s.dbs[0].delete(b"bits");
        run(&mut s, &["BITFIELD", "bits", "set", "u8", "#0", "10"]);
        assert_eq!(
            run(
                &mut s,
                &["BITFIELD", "bits", "incrby", "u8", "#0", "100", "incrby", "u8", "#0", "100"]
            ),
            ints(&[110, 210])
        );
        // Regressions #3221 and #3564.
        set(&mut s, "bits", b"1");
        assert_eq!(
            run(&mut s, &["BITFIELD", "bits", "get", "u1", "0"]),
            ints(&[0])
        );
        s.dbs[0].delete(b"m");
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "m", "SET", "i8", "0", "10", "SET", "i8", "64", "10", "INCRBY",
                    "i8", "10", "99900"
                ]
            ),
            ints(&[0, 0, 60])
        );
        // Reads past the end see zeros; 64-bit fields.
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD",
                    "k3",
                    "set",
                    "i64",
                    "0",
                    "-1",
                    "get",
                    "u63",
                    "0",
                    "get",
                    "i64",
                    "0",
                    "incrby",
                    "i64",
                    "0",
                    "-9223372036854775808"
                ]
            ),
            ints(&[0, i64::MAX, -1, i64::MAX])
        );
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD",
                    "k3",
                    "overflow",
                    "sat",
                    "incrby",
                    "i64",
                    "0",
                    "-9223372036854775808",
                    "incrby",
                    "i64",
                    "0",
                    "9223372036854775807",
                    "incrby",
                    "i64",
                    "0",
                    "9223372036854775807"
                ]
            ),
            ints(&[-1, i64::MAX - 1, i64::MAX])
        );
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD",
                    "k3",
                    "get",
                    "u8",
                    "4294967295",
                    "get",
                    "i16",
                    "#1000"
                ]
            ),
            ints(&[0, 0])
        );
    }

    #[test]
    fn bitfield_overflow_modes() {
        let mut s = Shard::for_tests(NOW);
        for (ty, ow, incr1, incr2, want) in [
            ("u8", "wrap", "257", "255", [101, 101, 100, 100]),
            ("u8", "sat", "257", "-255", [255, 255, 0, 0]),
            ("i8", "wrap", "257", "255", [101, 101, 100, 100]),
            ("i8", "sat", "257", "-255", [127, 127, -128, -128]),
        ] {
            s.dbs[0].delete(b"bits");
            run(&mut s, &["BITFIELD", "bits", "set", "u8", "#0", "100"]);
            let mut got = Vec::new();
            for incr in [incr1, incr2] {
                got.push(run(
                    &mut s,
                    &["BITFIELD", "bits", "overflow", ow, "incrby", ty, "#0", incr],
                ));
                got.push(run(&mut s, &["BITFIELD", "bits", "get", ty, "#0"]));
            }
            let want: Vec<String> = want.iter().map(|n| ints(&[*n])).collect();
            assert_eq!(got, want, "{ty} {ow}");
        }
        // FAIL replies nil and writes nothing (the key is created all the same).
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "f", "overflow", "fail", "incrby", "u8", "0", "300", "get", "u8",
                    "0"
                ]
            ),
            "*2\r\n$-1\r\n:0\r\n"
        );
        assert_eq!(run(&mut s, &["EXISTS", "f"]), int(1));
        assert_eq!(
            run_in(
                &mut s,
                0,
                true,
                &["BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "i4", "0", "8"]
            ),
            "*1\r\n_\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "f", "overflow", "wrap", "incrby", "u8", "0", "300", "get", "u8",
                    "0"
                ]
            ),
            ints(&[44, 44])
        );
        // The overflow mode applies to the operations after it.
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD", "f", "set", "u8", "0", "-1", "overflow", "sat", "set", "u8", "0",
                    "-1", "overflow", "fail", "set", "u8", "0", "-1"
                ]
            ),
            "*3\r\n:44\r\n:255\r\n$-1\r\n"
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "f", "get", "u8", "0"]),
            ints(&[255])
        );
    }

    /// A field value modulo 2^bits, as a signed or unsigned number.
    fn wrap_model(v: i128, bits: u32, signed: bool) -> i128 {
        let range = 1i128 << bits;
        let mut r = v.rem_euclid(range);
        if signed && r >= range / 2 {
            r -= range;
        }
        r
    }

    #[test]
    fn bitfield_overflow_against_a_model() {
        let mut s = Shard::for_tests(NOW);
        let mut rng = Rng::new(7);
        for _ in 0..2000 {
            let bits = rng.below(64) as u32 + 1;
            let signed = bits == 64 || rng.below(2) == 1;
            let range = 1i128 << bits;
            let min = if signed { -(range / 2) } else { 0 };
            let max = min + range - 1;
            let pick = |rng: &mut Rng| {
                let v = min * 2 + (rng.next_u64() as i128).rem_euclid(range * 2);
                v.clamp(i64::MIN.into(), i64::MAX.into())
            };
            let (value, incr) = (pick(&mut rng), pick(&mut rng));
            let ty = format!("{}{bits}", if signed { "i" } else { "u" });
            let (v, i) = (value.to_string(), incr.to_string());
            // FAIL detects exactly the out-of-range results.
            s.dbs[0].delete(b"bits");
            let r1 = run(
                &mut s,
                &["BITFIELD", "bits", "overflow", "fail", "set", &ty, "0", &v],
            );
            let r2 = run(
                &mut s,
                &[
                    "BITFIELD", "bits", "overflow", "fail", "incrby", &ty, "0", &i,
                ],
            );
            let in_range = |x: i128| (min..=max).contains(&x);
            let set_ok = in_range(value);
            assert_eq!(r1 != "*1\r\n$-1\r\n", set_ok, "{ty} set {v}");
            if set_ok {
                assert_eq!(
                    r2 != "*1\r\n$-1\r\n",
                    in_range(value + incr),
                    "{ty} {v} + {i}"
                );
            }
            // WRAP is arithmetic modulo 2^bits.
            s.dbs[0].delete(b"bits");
            run(
                &mut s,
                &["BITFIELD", "bits", "overflow", "wrap", "set", &ty, "0", &v],
            );
            run(
                &mut s,
                &[
                    "BITFIELD", "bits", "overflow", "wrap", "incrby", &ty, "0", &i,
                ],
            );
            let want = wrap_model(wrap_model(value, bits, signed) + incr, bits, signed) as i64;
            assert_eq!(
                run(&mut s, &["BITFIELD", "bits", "get", &ty, "0"]),
                ints(&[want]),
                "{ty} {v} + {i}"
            );
            // SAT clamps, except that Redis's range check of a SET wraps around for values
            // so far out of range that `max - value` overflows an i64 (see
            // `bitfield_sat_quirk`): those saturate to the maximum.
            s.dbs[0].delete(b"bits");
            run(
                &mut s,
                &["BITFIELD", "bits", "overflow", "sat", "set", &ty, "0", &v],
            );
            let quirk = bits < 64 && max - value > i128::from(i64::MAX);
            let after_set = if quirk { max } else { value.clamp(min, max) };
            let want = (after_set + incr).clamp(min, max) as i64;
            assert_eq!(
                run(
                    &mut s,
                    &["BITFIELD", "bits", "overflow", "sat", "incrby", &ty, "0", &i]
                ),
                ints(&[want]),
                "{ty} {v} + {i}"
            );
        }
    }

    #[test]
    fn bitfield_sat_quirk() {
        // Redis computes `max - value` in 64 bits for its overflow check; for a signed field
        // narrower than 64 bits and a value that far below the minimum it wraps, and the SET
        // saturates to the maximum. Matched for compatibility.
        let mut s = Shard::for_tests(NOW);
        let v = "-6731648971301700256";
        assert_eq!(
            run(
                &mut s,
                &["BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i63", "0", v, "GET", "i63", "0"]
            ),
            ints(&[0, 4611686018427387903])
        );
        assert_eq!(
            run(
                &mut s,
                &["BITFIELD", "k", "OVERFLOW", "WRAP", "SET", "i63", "0", v, "GET", "i63", "0"]
            ),
            ints(&[4611686018427387903, 2491723065553075552])
        );
        assert_eq!(
            run(
                &mut s,
                &["BITFIELD", "k2", "OVERFLOW", "SAT", "SET", "i8", "0", "-200", "GET", "i8", "0"]
            ),
            ints(&[0, -128])
        );
    }

    #[test]
    fn bitfield_errors_and_bitfield_ro() {
        let mut s = Shard::for_tests(NOW);
        for (args, want) in [
            (&["overflow"][..], error::SYNTAX),
            (&["overflow", "foo"], error::BITFIELD_OVERFLOW_TYPE),
            (&["get"], error::SYNTAX),
            (&["get", "u8"], error::SYNTAX),
            (&["set", "u8", "0"], error::SYNTAX),
            (&["foo"], error::SYNTAX),
            (&["get", "u64", "0"], error::BITFIELD_TYPE),
            (&["get", "i65", "0"], error::BITFIELD_TYPE),
            (&["get", "i0", "0"], error::BITFIELD_TYPE),
            (&["get", "x8", "0"], error::BITFIELD_TYPE),
            (&["get", "I8", "0"], error::BITFIELD_TYPE),
            (&["get", "u", "0"], error::BITFIELD_TYPE),
            (&["get", "u8", "-1"], error::BIT_OFFSET),
            (&["get", "u8", "#-1"], error::BIT_OFFSET),
            (&["get", "u8", "4294967296"], error::BIT_OFFSET),
            (&["get", "u8", "#536870912"], error::BIT_OFFSET),
            (&["get", "i64", "#67108864"], error::BIT_OFFSET),
            (&["set", "u8", "0", "x"], error::NOT_INTEGER),
            (
                &["set", "u8", "0", "x", "get", "foo", "0"],
                error::NOT_INTEGER,
            ),
            (
                &["get", "u8", "0", "set", "u8", "0", "1", "foo"],
                error::SYNTAX,
            ),
        ] {
            let mut cmd = vec!["BITFIELD", "k"];
            cmd.extend_from_slice(args);
            assert_eq!(run(&mut s, &cmd), err(want), "{args:?}");
        }
        // `#n` times the width wraps as in Redis: 2^61 + 1 bytes of 8 bits is offset 8.
        set(&mut s, "k", b"\x00\x2c");
        assert_eq!(
            run(
                &mut s,
                &["BITFIELD", "k", "get", "u8", "#2305843009213693953"]
            ),
            ints(&[44])
        );
        // Reads never create the key; writes do, even refused ones.
        assert_eq!(
            run(&mut s, &["BITFIELD", "k2", "get", "u8", "0"]),
            ints(&[0])
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "k2", "overflow", "sat"]),
            "*0\r\n"
        );
        assert_eq!(run(&mut s, &["EXISTS", "k2"]), int(0));

        assert_eq!(
            run(&mut s, &["BITFIELD", "bits", "set", "u8", "0", "255"]),
            ints(&[0])
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "bits", "set", "u8", "0", "100"]),
            ints(&[255])
        );
        assert_eq!(
            run(&mut s, &["BITFIELD_RO", "bits", "get", "u8", "0"]),
            ints(&[100])
        );
        assert_eq!(run(&mut s, &["BITFIELD_RO", "bits"]), "*0\r\n");
        assert_eq!(
            run(&mut s, &["BITFIELD_RO", "bits", "overflow", "fail"]),
            "*0\r\n"
        );
        for args in [
            &["set", "u8", "0", "100", "get", "u8", "0"][..],
            &["get", "u8", "0", "incrby", "u8", "0", "1"],
        ] {
            let mut cmd = vec!["BITFIELD_RO", "bits"];
            cmd.extend_from_slice(args);
            assert_eq!(run(&mut s, &cmd), err(error::BITFIELD_RO_GET_ONLY));
        }
        // Parsing errors come first.
        assert_eq!(
            run(
                &mut s,
                &[
                    "BITFIELD_RO",
                    "bits",
                    "set",
                    "u8",
                    "0",
                    "1",
                    "get",
                    "x",
                    "0"
                ]
            ),
            err(error::BITFIELD_TYPE)
        );
        assert_eq!(
            run(&mut s, &["BITFIELD_RO", "bits", "get", "u8", "0"]),
            ints(&[100])
        );
    }

    #[test]
    fn bitfield_limits_follow_proto_max_bulk_len() {
        let mut s = Shard::for_tests(NOW);
        s.config.proto_max_bulk_len = 1 << 20;
        assert_eq!(
            run(&mut s, &["BITFIELD", "b", "get", "u8", "8388608"]),
            err(error::BIT_OFFSET)
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "b", "get", "u8", "#1048575"]),
            ints(&[0])
        );
        assert_eq!(
            run(&mut s, &["BITFIELD", "b", "get", "u8", "#1048576"]),
            err(error::BIT_OFFSET)
        );
        // A field may start on the last byte and end past it.
        assert_eq!(
            run(&mut s, &["BITFIELD", "b", "set", "u8", "8388607", "255"]),
            ints(&[0])
        );
        assert_eq!(run(&mut s, &["STRLEN", "b"]), int((1 << 20) + 1));
    }

    #[test]
    fn bitop_cases() {
        let mut s = Shard::for_tests(NOW);
        set(&mut s, "s", b"");
        assert_eq!(run(&mut s, &["BITOP", "not", "dest", "s"]), int(0));
        assert_eq!(run(&mut s, &["EXISTS", "dest"]), int(0));
        set(&mut s, "s", b"\xaa\x00\xff\x55");
        assert_eq!(run(&mut s, &["BITOP", "not", "dest", "s"]), int(4));
        assert_eq!(value(&s, "dest"), Some(b"\x55\xff\x00\xaa".to_vec()));
        assert_eq!(encoding(&s, "dest"), "raw");
        // Destination and source the same key.
        assert_eq!(run(&mut s, &["BITOP", "NOT", "s", "s"]), int(4));
        assert_eq!(value(&s, "s"), Some(b"\x55\xff\x00\xaa".to_vec()));
        set(&mut s, "a", b"\x01\x02\xff");
        for op in ["and", "or", "xor"] {
            assert_eq!(run(&mut s, &["BITOP", op, "res", "a"]), int(3));
            assert_eq!(value(&s, "res"), Some(b"\x01\x02\xff".to_vec()));
        }
        // Missing keys are streams of zeros; shorter keys are zero-padded.
        run(&mut s, &["BITOP", "and", "r1", "no-such-key", "a"]);
        run(
            &mut s,
            &["BITOP", "or", "r2", "no-such-key", "a", "no-such-key"],
        );
        run(&mut s, &["BITOP", "xor", "r3", "no-such-key", "a"]);
        assert_eq!(value(&s, "r1"), Some(b"\x00\x00\x00".to_vec()));
        assert_eq!(value(&s, "r2"), Some(b"\x01\x02\xff".to_vec()));
        assert_eq!(value(&s, "r3"), Some(b"\x01\x02\xff".to_vec()));
        set(&mut s, "a", b"\x01\x02\xff\xff");
        set(&mut s, "b", b"\x01\x02\xff");
        for (op, want) in [
            ("and", b"\x01\x02\xff\x00"),
            ("or", b"\x01\x02\xff\xff"),
            ("xor", b"\x00\x00\x00\xff"),
        ] {
            assert_eq!(run(&mut s, &["BITOP", op, "res", "a", "b"]), int(4));
            assert_eq!(value(&s, "res").as_deref(), Some(&want[..]), "{op}");
        }
        // Integer-encoded sources are their digits.
        set(&mut s, "a", b"1");
        set(&mut s, "b", b"2");
        assert_eq!(
            run(&mut s, &["BITOP", "xor", "dest", "a", "b", "a"]),
            int(1)
        );
        assert_eq!(value(&s, "dest"), Some(b"2".to_vec()));
        set(&mut s, "z", &[0u8; 32]);
        assert_eq!(run(&mut s, &["BITOP", "or", "x", "z", "nokey"]), int(32));
        // The destination is replaced: TTL dropped; an empty result deletes it.
        assert_eq!(run(&mut s, &["SET", "d", "v", "EX", "100"]), "+OK\r\n");
        assert_eq!(run(&mut s, &["BITOP", "or", "d", "a"]), int(1));
        assert_eq!(s.dbs[0].peek(b"d", NOW).and_then(|e| e.expire_at()), None);
        let dirty = s.dirty;
        assert_eq!(
            run(&mut s, &["BITOP", "and", "d", "nokey1", "nokey2"]),
            int(0)
        );
        assert_eq!(run(&mut s, &["EXISTS", "d"]), int(0));
        assert_eq!(run(&mut s, &["BITOP", "and", "d", "nokey1"]), int(0));
        assert_eq!(s.dirty, dirty + 1);
        assert_eq!(
            run(&mut s, &["BITOP", "nand", "d", "a"]),
            err(error::SYNTAX)
        );
        assert_eq!(
            run(&mut s, &["BITOP", "not", "d", "a", "b"]),
            err(error::BITOP_NOT_ONE_KEY)
        );
        assert_eq!(
            run(&mut s, &["BITOP", "and", "d"]),
            err("ERR wrong number of arguments for 'bitop' command")
        );
    }

    #[test]
    fn bitop_against_a_model() {
        let mut s = Shard::for_tests(NOW);
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let n = rng.below(5) as usize + 1;
            let vecs: Vec<Vec<u8>> = (0..n)
                .map(|_| (0..rng.below(40)).map(|_| rng.next_u64() as u8).collect())
                .collect();
            let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
            for (k, v) in names.iter().zip(&vecs) {
                set(&mut s, k, v);
            }
            let maxlen = vecs.iter().map(Vec::len).max().unwrap_or(0);
            let at = |v: &Vec<u8>, i: usize| v.get(i).copied().unwrap_or(0);
            for op in ["AND", "OR", "XOR", "NOT"] {
                let srcs = if op == "NOT" { &names[..1] } else { &names[..] };
                let mut cmd = vec!["BITOP", op, "dest"];
                cmd.extend(srcs.iter().map(String::as_str));
                let len = if op == "NOT" { vecs[0].len() } else { maxlen };
                assert_eq!(run(&mut s, &cmd), int(len as i64));
                let want: Vec<u8> = (0..len)
                    .map(|i| match op {
                        "AND" => vecs.iter().fold(0xff, |acc, v| acc & at(v, i)),
                        "OR" => vecs.iter().fold(0, |acc, v| acc | at(v, i)),
                        "XOR" => vecs.iter().fold(0, |acc, v| acc ^ at(v, i)),
                        _ => !at(&vecs[0], i),
                    })
                    .collect();
                let got = value(&s, "dest").unwrap_or_default();
                assert_eq!(got, want, "{op}");
            }
        }
    }

    #[test]
    fn rows_match_redis_specs() {
        const WD: Flags = W.or(DENYOOM);
        for (name, arity, flags, keys) in [
            ("setbit", 4, WD, (1, 1, 1)),
            ("getbit", 3, R.or(FAST), (1, 1, 1)),
            ("bitcount", -2, R, (1, 1, 1)),
            ("bitpos", -3, R, (1, 1, 1)),
            ("bitfield", -2, WD, (1, 1, 1)),
            ("bitfield_ro", -2, R.or(FAST), (1, 1, 1)),
            ("bitop", -4, WD, (2, -1, 1)),
        ] {
            let d = lookup(name.as_bytes()).unwrap_or_else(|| panic!("no row {name}"));
            assert_eq!(d.arity, arity, "{name}");
            assert_eq!(d.flags, flags, "{name}");
            assert_eq!(d.keys.triple(), keys, "{name}");
            assert_eq!(d.acl, Acl::BITMAP, "{name}");
            assert_eq!(d.group, "bitmap", "{name}");
        }
        let bitop = lookup(b"bitop").expect("bitop");
        assert!(matches!(
            bitop.route,
            Route::Shard {
                cross: Cross::Coord(CoordCmd::BitOp),
                ..
            }
        ));
    }
}
