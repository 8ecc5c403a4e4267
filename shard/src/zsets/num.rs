//! Numbers as the sorted-set commands read and write them: C's `strtod` (which Redis calls,
//! with different checks, for scores, weights and score ranges), the textual form of a score
//! inside a listpack, score and lex range arguments, and blocking timeouts.
//!
//! Redis is lenient in some places and strict in others, and clients see the difference:
//! `ZADD k 0x10 m` stores 16 (strtod reads hexadecimal), `ZADD k " 1" m` is an error (a score
//! may not start with a space), while `ZRANGEBYSCORE k " 1" +inf` is fine and
//! `ZRANGEBYSCORE k "" +inf` means a minimum of 0 (a range bound only has to be consumed to
//! its end by strtod, and an empty string is).

use std::cmp::Ordering;

use corekv_proto::num::fmt_double_g17;

use crate::error::{OpError, TIMEOUT_NOT_FLOAT};
use crate::longdouble::LongDouble;

pub const MIN_MAX_NOT_FLOAT: &str = "ERR min or max is not a float";
pub const MIN_MAX_NOT_STRING: &str = "ERR min or max not valid string range item";
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// C's `isspace` in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// The outcome of [`strtod`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strtod {
    pub value: f64,
    /// Bytes consumed; 0 when nothing could be converted.
    pub consumed: usize,
    /// `errno == ERANGE` with a result C would flag as unusable: an overflow to infinity, or an
    /// underflow all the way to zero.
    pub range_error: bool,
    /// Whether the number was written in decimal (not hexadecimal, infinity or NaN).
    pub decimal: bool,
}

/// glibc's `strtod` on a byte string: leading white space, a sign, then a decimal number with
/// an optional exponent, a hexadecimal one (`0x1.8p3`), `inf`/`infinity` or `nan[(...)]`, all
/// case-insensitive; it stops at the first byte that does not fit (a NUL included).
pub fn strtod(s: &[u8]) -> Strtod {
    let none = Strtod {
        value: 0.0,
        consumed: 0,
        range_error: false,
        decimal: false,
    };
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let signed = |v: f64| if neg { -v } else { v };
    let rest = &s[i..];
    let starts =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if starts(b"inf") {
        let n = if starts(b"infinity") { 8 } else { 3 };
        return Strtod {
            value: signed(f64::INFINITY),
            consumed: i + n,
            ..none
        };
    }
    if starts(b"nan") {
        let mut n = 3;
        if rest.get(3) == Some(&b'(') {
            if let Some(close) = rest[4..]
                .iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
            {
                if rest[4 + close] == b')' {
                    n = 4 + close + 1;
                }
            }
        }
        return Strtod {
            value: f64::NAN,
            consumed: i + n,
            ..none
        };
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((v, n)) = hex_float(&rest[2..]) {
            let value = signed(v);
            return Strtod {
                value,
                consumed: i + 2 + n,
                range_error: v.is_infinite(),
                decimal: false,
            };
        }
        // "0x" without hexadecimal digits: just the zero.
        return Strtod {
            value: signed(0.0),
            consumed: i + 1,
            range_error: false,
            decimal: true,
        };
    }
    // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
    let mut j = 0;
    let mut digits = 0;
    let mut nonzero = false;
    while j < rest.len() && rest[j].is_ascii_digit() {
        nonzero |= rest[j] != b'0';
        j += 1;
        digits += 1;
    }
    if j < rest.len() && rest[j] == b'.' {
        j += 1;
        while j < rest.len() && rest[j].is_ascii_digit() {
            nonzero |= rest[j] != b'0';
            j += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return none;
    }
    if j < rest.len() && (rest[j] | 0x20) == b'e' {
        let mut k = j + 1;
        if k < rest.len() && (rest[k] == b'+' || rest[k] == b'-') {
            k += 1;
        }
        if k < rest.len() && rest[k].is_ascii_digit() {
            while k < rest.len() && rest[k].is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    let text = std::str::from_utf8(&rest[..j]).unwrap_or("0");
    let v: f64 = text.parse().unwrap_or(0.0);
    Strtod {
        value: signed(v),
        consumed: i + j,
        range_error: v.is_infinite() || (v == 0.0 && nonzero),
        decimal: true,
    }
}

/// The hexadecimal mantissa and optional binary exponent after `0x`; `None` when no hex digit.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut j = 0;
    let mut mant: u64 = 0;
    let mut exp: i64 = 0;
    let mut digits = 0;
    let mut sticky = false;
    let mut take = |c: u8, frac: bool, mant: &mut u64, exp: &mut i64| {
        let d = u64::from((c as char).to_digit(16).unwrap_or(0));
        if *mant >> 56 == 0 {
            *mant = (*mant << 4) | d;
            if frac {
                *exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !frac {
                *exp += 4;
            }
        }
    };
    while j < s.len() && s[j].is_ascii_hexdigit() {
        take(s[j], false, &mut mant, &mut exp);
        j += 1;
        digits += 1;
    }
    if j < s.len() && s[j] == b'.' {
        let dot = j;
        j += 1;
        while j < s.len() && s[j].is_ascii_hexdigit() {
            take(s[j], true, &mut mant, &mut exp);
            j += 1;
            digits += 1;
        }
        if digits == 0 {
            let _ = dot;
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    if j < s.len() && (s[j] | 0x20) == b'p' {
        let mut k = j + 1;
        let neg = match s.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        if k < s.len() && s[k].is_ascii_digit() {
            let mut e: i64 = 0;
            while k < s.len() && s[k].is_ascii_digit() {
                e = (e * 10 + i64::from(s[k] - b'0')).min(1 << 40);
                k += 1;
            }
            exp += if neg { -e } else { e };
            j = k;
        }
    }
    if sticky {
        mant |= 1;
    }
    // One rounding for the mantissa, then an exact power-of-two scaling (barring the extremes).
    let mut v = mant as f64;
    let mut e = exp;
    while e > 0 && v.is_finite() && v != 0.0 {
        let step = e.min(1000);
        v *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 && v != 0.0 {
        let step = (-e).min(1000);
        v /= 2f64.powi(step as i32);
        e += step;
    }
    Some((v, j))
}

/// A score, weight or increment argument, as Redis's `string2d` reads it: all of the string
/// must be a number for strtod, with no leading space, no NaN and no overflow or underflow to
/// zero. `None` is the caller's "not a valid float" error.
pub fn parse_score(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let r = strtod(s);
    if r.consumed != s.len() || r.range_error || r.value.is_nan() {
        return None;
    }
    Some(r.value)
}

/// Redis's `double2ll`: the score as an integer when it is one and small enough (|v| < 2^62)
/// to be stored in a listpack as an integer.
pub fn double_to_i64(v: f64) -> Option<i64> {
    const LIMIT: f64 = (i64::MAX / 2) as f64;
    if !(-LIMIT..=LIMIT).contains(&v) {
        return None;
    }
    let n = v as i64;
    (n as f64 == v).then_some(n)
}

/// The text of a non-integral score in a listpack (Redis's `d2string`): `inf`, `-inf`, or
/// `%.17g`. (Integral scores are stored as listpack integers, see [`double_to_i64`].)
pub fn score_text(v: f64) -> String {
    if let Some(n) = double_to_i64(v) {
        return n.to_string();
    }
    fmt_double_g17(v)
}

/// A score read back from its listpack text (Redis's `zzlStrtod`: strtod over at most the first
/// 127 bytes, whatever follows ignored).
pub fn score_from_text(s: &[u8]) -> f64 {
    let s = &s[..s.len().min(127)];
    let r = strtod(s);
    r.value
}

/// One end of a score range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    /// Exclusive ends (`(1.5`).
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// Parses `min` and `max` as Redis's `zslParseRange` (strtod to the end of the C string).
    pub fn parse(min: &[u8], max: &[u8]) -> Result<ScoreRange, OpError> {
        let (min, minex) = range_bound(min).ok_or(OpError::msg(MIN_MAX_NOT_FLOAT))?;
        let (max, maxex) = range_bound(max).ok_or(OpError::msg(MIN_MAX_NOT_FLOAT))?;
        Ok(ScoreRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    /// Everything: `-inf` to `+inf` inclusive.
    pub fn all() -> ScoreRange {
        ScoreRange {
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
            minex: false,
            maxex: false,
        }
    }

    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// Whether the range can hold anything at all.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// The bytes of an argument as C sees them (up to the first NUL).
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

fn range_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let s = c_str(arg);
    let (body, ex) = match s.first() {
        Some(b'(') => (&s[1..], true),
        _ => (s, false),
    };
    let r = strtod(body);
    // strtod leaves its end pointer at the start when it converts nothing, so only an empty
    // string passes with nothing converted.
    if r.consumed != body.len() || r.value.is_nan() {
        return None;
    }
    Some((r.value, ex))
}

/// One end of a lex range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`
    Min,
    /// `+`
    Max,
    /// `[x` (inclusive) or `(x` (exclusive).
    Value(Vec<u8>, bool),
}

/// A lex range (`[a (z`, `- +`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexBound {
    fn parse(s: &[u8]) -> Option<LexBound> {
        match s.first() {
            Some(b'+') if s.len() == 1 || s[1] == 0 => Some(LexBound::Max),
            Some(b'-') if s.len() == 1 || s[1] == 0 => Some(LexBound::Min),
            Some(b'(') => Some(LexBound::Value(s[1..].to_vec(), true)),
            Some(b'[') => Some(LexBound::Value(s[1..].to_vec(), false)),
            _ => None,
        }
    }

    /// Compares a member with this bound (`-` below everything, `+` above).
    fn cmp_member(&self, m: &[u8]) -> Ordering {
        match self {
            LexBound::Min => Ordering::Greater,
            LexBound::Max => Ordering::Less,
            LexBound::Value(v, _) => m.cmp(v),
        }
    }

    fn exclusive(&self) -> bool {
        match self {
            LexBound::Min | LexBound::Max => true,
            LexBound::Value(_, ex) => *ex,
        }
    }
}

impl LexRange {
    /// Parses `min` and `max` as Redis's `zslParseLexRange`.
    pub fn parse(min: &[u8], max: &[u8]) -> Result<LexRange, OpError> {
        let err = || OpError::msg(MIN_MAX_NOT_STRING);
        Ok(LexRange {
            min: LexBound::parse(min).ok_or_else(err)?,
            max: LexBound::parse(max).ok_or_else(err)?,
        })
    }

    pub fn gte_min(&self, m: &[u8]) -> bool {
        match self.min.cmp_member(m) {
            Ordering::Greater => true,
            Ordering::Equal => !self.min.exclusive(),
            Ordering::Less => false,
        }
    }

    pub fn lte_max(&self, m: &[u8]) -> bool {
        match self.max.cmp_member(m) {
            Ordering::Less => true,
            Ordering::Equal => !self.max.exclusive(),
            Ordering::Greater => false,
        }
    }

    /// Whether the range can hold anything at all (Redis's `sdscmplex` of the two bounds).
    pub fn is_empty(&self) -> bool {
        let cmp = match (&self.min, &self.max) {
            (LexBound::Min, LexBound::Min) | (LexBound::Max, LexBound::Max) => Ordering::Equal,
            (LexBound::Min, _) | (_, LexBound::Max) => Ordering::Less,
            (LexBound::Max, _) | (_, LexBound::Min) => Ordering::Greater,
            (LexBound::Value(a, _), LexBound::Value(b, _)) => a.cmp(b),
        };
        cmp == Ordering::Greater
            || (cmp == Ordering::Equal && (self.min.exclusive() || self.max.exclusive()))
    }
}

/// A blocking timeout in seconds, as Redis's `getTimeoutFromObjectOrReply` reads it: a
/// `long double` (so `1e400` is valid), turned into milliseconds with `ceill(t * 1000)` and
/// refused when that is negative (which includes anything that overflows a 64-bit integer,
/// `inf` among them). Returns the milliseconds to wait, 0 meaning forever.
pub fn parse_timeout(arg: &[u8]) -> Result<u64, OpError> {
    if LongDouble::parse(arg).is_none() {
        return Err(OpError::msg(TIMEOUT_NOT_FLOAT));
    }
    let r = strtod(arg);
    let negative = || Err(OpError::msg(TIMEOUT_NEGATIVE));
    let ms = r.value * 1000.0;
    // The C cast of an out-of-range value gives i64::MIN, a negative timeout.
    if !ms.is_finite() || ms >= 9.223_372_036_854_776e18 || ms <= -9.223_372_036_854_776e18 {
        return negative();
    }
    if r.decimal && r.value < -0.000_999_999_9 && r.value > -0.001_000_000_1 {
        // Near -1 ms, the 80-bit product decides: -0.001 is just above -1 ms there (and so
        // waits forever), unlike in f64.
        return if negative_ms_at_minus_one(arg) {
            negative()
        } else {
            Ok(0)
        };
    }
    let ms = ms.ceil();
    if ms < 0.0 {
        return negative();
    }
    Ok(ms as u64)
}

/// Whether `t * 1000`, computed in x87 extended precision from the decimal `t` (close to
/// -0.001), rounds to -1 or below: exactly when `|t|` is at least this midpoint between two
/// 80-bit values (the tie goes to the even one, which is the larger here).
fn negative_ms_at_minus_one(arg: &[u8]) -> bool {
    const MIDPOINT: &str =
        "0.00100000000000000000001143494478793305457742235375917516648769378662109375";
    let Some((digits, exp)) = decimal_digits(arg) else {
        return false;
    };
    let (mdigits, mexp) = decimal_digits(MIDPOINT.as_bytes()).unwrap_or_default();
    match exp.cmp(&mexp) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => digits >= mdigits,
    }
}

/// The significant digits (no leading or trailing zeros) and decimal exponent `e` of a decimal
/// number's magnitude, such that its value is `0.<digits> * 10^e`. `None` for zero.
fn decimal_digits(s: &[u8]) -> Option<(Vec<u8>, i64)> {
    let s: Vec<u8> = s
        .iter()
        .copied()
        .skip_while(|&c| is_c_space(c) || c == b'-' || c == b'+')
        .collect();
    let (mant, exp) = match s.iter().position(|&c| c == b'e' || c == b'E') {
        Some(p) => (
            &s[..p],
            std::str::from_utf8(&s[p + 1..]).ok()?.parse::<i64>().ok()?,
        ),
        None => (&s[..], 0),
    };
    let dot = mant.iter().position(|&c| c == b'.').unwrap_or(mant.len());
    let mut digits: Vec<u8> = mant.iter().copied().filter(u8::is_ascii_digit).collect();
    let lead = digits.iter().take_while(|&&c| c == b'0').count();
    if lead == digits.len() {
        return None;
    }
    digits.drain(..lead);
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    Some((digits, dot as i64 - lead as i64 + exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_like_glibc() {
        let v = |s: &str| strtod(s.as_bytes());
        assert_eq!(v("1.5").value, 1.5);
        assert_eq!(v("  -2e3x").value, -2000.0);
        assert_eq!(v("  -2e3x").consumed, 6);
        assert_eq!(v("1e").consumed, 1);
        assert_eq!(v("0x10").value, 16.0);
        assert_eq!(v("0x1.8p1").value, 3.0);
        assert_eq!(v("-0x.8").value, -0.5);
        assert_eq!(v("0x").consumed, 1);
        assert_eq!(v("0xg").value, 0.0);
        assert_eq!(v("InFiNiTy").consumed, 8);
        assert_eq!(v("-inf").value, f64::NEG_INFINITY);
        assert!(v("nan").value.is_nan());
        assert_eq!(v("nan(123)").consumed, 8);
        assert_eq!(v("").consumed, 0);
        assert_eq!(v(".5").value, 0.5);
        assert_eq!(v("5.").consumed, 2);
        assert_eq!(v(".").consumed, 0);
        assert!(v("1e400").range_error);
        assert!(v("1e-400").range_error);
        assert!(!v("1e-310").range_error);
        assert!(!v("0e-400").range_error);
    }

    #[test]
    fn scores_as_string2d() {
        assert_eq!(parse_score(b"0x10"), Some(16.0));
        assert_eq!(parse_score(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_score(b"-1.5e2"), Some(-150.0));
        for bad in ["", " 1", "1 ", "nan", "1e400", "1e-400", "abc", "1\x001"] {
            assert_eq!(parse_score(bad.as_bytes()), None, "{bad:?}");
        }
        assert!(parse_score(b"1e-310").is_some());
    }

    #[test]
    fn listpack_score_text() {
        assert_eq!(double_to_i64(3.0), Some(3));
        assert_eq!(double_to_i64(-0.0), Some(0));
        assert_eq!(double_to_i64(1.5), None);
        assert_eq!(
            double_to_i64(4611686018427387904.0),
            Some(4611686018427387904)
        );
        assert_eq!(double_to_i64(9223372036854775807.0), None);
        assert_eq!(score_text(1.5), "1.5");
        assert_eq!(score_text(f64::INFINITY), "inf");
        assert_eq!(score_text(1e20), "1e+20");
        assert_eq!(score_text(0.1), "0.10000000000000001");
        assert_eq!(score_from_text(b"0.10000000000000001"), 0.1);
        assert_eq!(score_from_text(b"-inf"), f64::NEG_INFINITY);
    }

    #[test]
    fn score_ranges() {
        let r = ScoreRange::parse(b"(1", b"5").expect("valid");
        assert!(r.minex && !r.maxex);
        assert!(!r.gte_min(1.0) && r.gte_min(1.1) && r.lte_max(5.0));
        assert_eq!(ScoreRange::parse(b"", b"(").expect("valid").min, 0.0);
        assert!(ScoreRange::parse(b" 1", b"+inf").is_ok());
        assert!(ScoreRange::parse(b"1e400", b"inf").is_ok());
        assert!(ScoreRange::parse(b"1\0junk", b"2").is_ok());
        for bad in ["   ", "str", "nan", "(nan", "1x"] {
            assert_eq!(
                ScoreRange::parse(bad.as_bytes(), b"1"),
                Err(OpError::msg(MIN_MAX_NOT_FLOAT)),
                "{bad:?}"
            );
        }
        assert!(ScoreRange::parse(b"2", b"1").expect("valid").is_empty());
        assert!(ScoreRange::parse(b"(1", b"1").expect("valid").is_empty());
    }

    #[test]
    fn lex_ranges() {
        let r = LexRange::parse(b"[b", b"(d").expect("valid");
        assert!(r.gte_min(b"b") && !r.gte_min(b"a") && r.lte_max(b"c") && !r.lte_max(b"d"));
        let all = LexRange::parse(b"-", b"+").expect("valid");
        assert!(all.gte_min(b"") && all.lte_max(b"\xff\xff"));
        assert!(!all.is_empty());
        assert!(LexRange::parse(b"+", b"-").expect("valid").is_empty());
        assert!(LexRange::parse(b"(a", b"[a").expect("valid").is_empty());
        assert!(!LexRange::parse(b"[a", b"[a").expect("valid").is_empty());
        for bad in ["a", "", "+x", "-x"] {
            assert!(LexRange::parse(bad.as_bytes(), b"+").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timeouts_as_redis() {
        assert_eq!(parse_timeout(b"0"), Ok(0));
        assert_eq!(parse_timeout(b"1.5"), Ok(1500));
        assert_eq!(parse_timeout(b"0.0001"), Ok(1));
        assert_eq!(parse_timeout(b"-0.0001"), Ok(0));
        // Redis's long double arithmetic makes -0.001 s round up to "forever".
        assert_eq!(parse_timeout(b"-0.001"), Ok(0));
        assert_eq!(parse_timeout(b"-1e-3"), Ok(0));
        let neg = Err(OpError::msg(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"-0.0010000000000000000001"), neg);
        assert_eq!(parse_timeout(b"-0.002"), neg);
        assert_eq!(parse_timeout(b"-1"), neg);
        assert_eq!(parse_timeout(b"inf"), neg);
        assert_eq!(parse_timeout(b"1e400"), neg);
        let bad = Err(OpError::msg(TIMEOUT_NOT_FLOAT));
        for s in ["abc", " 1", "1e5000", "nan", "0x10x", ""] {
            assert_eq!(parse_timeout(s.as_bytes()), bad, "{s:?}");
        }
        assert_eq!(parse_timeout(b"0x10"), Ok(16000));
    }
}
