//! x87 extended precision (C `long double` on x86-64) in software, for the commands Redis
//! computes in it: INCRBYFLOAT and HINCRBYFLOAT.
//!
//! Redis parses both operands with `strtold`, adds them in 80-bit extended precision (a 64-bit
//! mantissa, exponents down to the subnormal 2^-16445), and prints the sum with `%.17Lf` before
//! trimming trailing zeros. The reply, and so the stored value, depends on every one of those
//! roundings: `0.1 + 0.2` is `0.3` there, while `f64` arithmetic gives `0.30000000000000004`.
//! This module reproduces the three steps exactly:
//!
//! * [`LongDouble::parse`]: what Redis's `string2ld` accepts (the whole of `strtold`'s syntax:
//!   decimal and hexadecimal forms, exponents, `inf`/`infinity`; no NaN, no leading space, no
//!   trailing bytes, nothing that overflows or underflows to zero, at most 5,119 bytes),
//!   correctly rounded to nearest-even;
//! * `+` ([`std::ops::Add`]): the exact sum, rounded to nearest-even;
//! * [`LongDouble::to_human_string`]: Redis's `ld2string(.., LD_STR_HUMAN)`, that is the exact
//!   decimal expansion rounded half-to-even to 17 fractional digits (as glibc's `printf`), then
//!   trailing zeros and a trailing dot removed, and `-0` written `0`.
//!
//! Exactness comes from a small arbitrary-precision unsigned integer ([`Big`]); every value is
//! `mantissa * 2^exp`, so each step is integer arithmetic followed by one rounding. It owns no
//! state and knows nothing of commands.

use std::cmp::Ordering;

/// Lowest exponent of the mantissa's last bit: the subnormal 2^-16445 (also that of the
/// smallest normal number, whose 64-bit mantissa has its top bit set).
const EXP_MIN: i64 = -16445;
/// A finite value is below 2^16384: `(2^64 - 1) * 2^16320` is the largest.
const BITS_LIMIT: i64 = 16384;
/// `string2ld` refuses strings of this length or more (Redis's `MAX_LONG_DOUBLE_CHARS`).
const MAX_CHARS: usize = 5 * 1024;

/// A C `long double` (x86-64 80-bit extended) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    neg: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `mant * 2^exp` (zero when `mant == 0`); `mant` fits the 64-bit mantissa and `exp` is
    /// at least [`EXP_MIN`].
    Finite {
        mant: u64,
        exp: i64,
    },
    Inf,
    Nan,
}

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble {
        neg: false,
        kind: Kind::Finite { mant: 0, exp: 0 },
    };

    /// The exact value of an integer (every `i64` fits the 64-bit mantissa).
    pub fn from_i64(n: i64) -> LongDouble {
        LongDouble {
            neg: n < 0,
            kind: Kind::Finite {
                mant: n.unsigned_abs(),
                exp: 0,
            },
        }
    }

    /// Parses a number as Redis's `string2ld` does (`strtold` over the whole string, rejecting
    /// leading white space, trailing bytes, NaN, overflow and underflow to zero). `None` is
    /// Redis's "not a valid float".
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_CHARS {
            return None;
        }
        let (neg, body) = match s[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let value = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            LongDouble {
                neg: false,
                kind: Kind::Inf,
            }
        } else if body.len() > 2
            && body[0] == b'0'
            && (body[1] | 0x20) == b'x'
            && starts_hex_mantissa(&body[2..])
        {
            parse_hex(&body[2..])?
        } else {
            parse_decimal(body)?
        };
        Some(LongDouble { neg, ..value })
    }

    const NAN: LongDouble = LongDouble {
        neg: false,
        kind: Kind::Nan,
    };

    pub fn is_finite(&self) -> bool {
        matches!(self.kind, Kind::Finite { .. })
    }

    pub fn is_nan(&self) -> bool {
        self.kind == Kind::Nan
    }

    pub fn is_infinite(&self) -> bool {
        self.kind == Kind::Inf
    }

    /// Redis's human-friendly form (`ld2string` with `LD_STR_HUMAN`): `%.17Lf`, then trailing
    /// zeros and a trailing dot dropped, `-0` written `0`. Infinities are `inf` and `-inf`.
    pub fn to_human_string(&self) -> String {
        let (mant, exp) = match self.kind {
            Kind::Inf => return if self.neg { "-inf" } else { "inf" }.to_string(),
            Kind::Nan => return if self.neg { "-nan" } else { "nan" }.to_string(),
            Kind::Finite { mant, exp } => (mant, exp),
        };
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        if exp >= 0 {
            // An integer: no fractional digits to keep.
            out.push_str(&Big::from_u64(mant).shl(exp as usize).to_decimal());
        } else {
            // The value times 10^17, rounded half to even to an integer.
            let k = (-exp) as usize;
            let scaled = Big::from_u64(mant).mul_pow10(17);
            let mut q = scaled.shr(k);
            if scaled.bit(k - 1) && (scaled.any_below(k - 1) || q.bit(0)) {
                q = q.add(&Big::from_u64(1));
            }
            let digits = q.to_decimal();
            let (int, frac) = if digits.len() > 17 {
                digits.split_at(digits.len() - 17)
            } else {
                ("0", digits.as_str())
            };
            let frac = format!("{frac:0>17}");
            out.push_str(int);
            let frac = frac.trim_end_matches('0');
            if !frac.is_empty() {
                out.push('.');
                out.push_str(frac);
            }
        }
        if out == "-0" {
            out.truncate(0);
            out.push('0');
        }
        out
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// The correctly rounded sum (round to nearest, ties to even), as the x87 FPU computes it
    /// in extended precision.
    fn add(self, other: LongDouble) -> LongDouble {
        let (a, b) = (self, other);
        match (a.kind, b.kind) {
            (Kind::Nan, _) | (_, Kind::Nan) => LongDouble::NAN,
            (Kind::Inf, Kind::Inf) if a.neg != b.neg => LongDouble::NAN,
            (Kind::Inf, _) => a,
            (_, Kind::Inf) => b,
            (Kind::Finite { mant: ma, exp: ea }, Kind::Finite { mant: mb, exp: eb }) => {
                if ma == 0 && mb == 0 {
                    // -0 + -0 is -0; any other sum of zeros is +0.
                    return LongDouble {
                        neg: a.neg && b.neg,
                        kind: Kind::Finite { mant: 0, exp: 0 },
                    };
                }
                if ma == 0 {
                    return b;
                }
                if mb == 0 {
                    return a;
                }
                let base = ea.min(eb);
                let x = Big::from_u64(ma).shl((ea - base) as usize);
                let y = Big::from_u64(mb).shl((eb - base) as usize);
                if a.neg == b.neg {
                    round(a.neg, x.add(&y), base)
                } else {
                    match x.cmp(&y) {
                        Ordering::Equal => LongDouble::ZERO,
                        Ordering::Greater => round(a.neg, x.sub(&y), base),
                        Ordering::Less => round(b.neg, y.sub(&x), base),
                    }
                }
            }
        }
    }
}

/// Whether a hexadecimal mantissa starts here (a hex digit, or a dot followed by one), which
/// is what makes `strtold` read `0x...` as a hexadecimal number rather than `0` followed by
/// garbage.
fn starts_hex_mantissa(s: &[u8]) -> bool {
    match s {
        [c, ..] if c.is_ascii_hexdigit() => true,
        [b'.', c, ..] => c.is_ascii_hexdigit(),
        _ => false,
    }
}

/// Parses the exponent digits after `e` or `p`: optional sign, at least one digit, nothing
/// after. Saturates far beyond any meaningful magnitude.
fn parse_exponent(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        v = (v * 10 + i64::from(d - b'0')).min(1_000_000_000);
    }
    Some(if neg { -v } else { v })
}

/// `digits[.digits][(e|E)[sign]digits]` with at least one mantissa digit.
fn parse_decimal(s: &[u8]) -> Option<LongDouble> {
    let mut i = 0;
    let mut mantissa = Big::zero();
    let mut any_digit = false;
    let mut significant = 0i64; // digits of the mantissa from its first non-zero one
    let mut frac_digits = 0i64;
    let mut seen_dot = false;
    // Mantissa digits are accumulated nine at a time.
    let mut chunk = 0u32;
    let mut chunk_len = 0u32;
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() {
            any_digit = true;
            if seen_dot {
                frac_digits += 1;
            }
            if significant > 0 || c != b'0' {
                significant += 1;
                chunk = chunk * 10 + u32::from(c - b'0');
                chunk_len += 1;
                if chunk_len == 9 {
                    mantissa = mantissa.mul_small(1_000_000_000).add_small(chunk);
                    chunk = 0;
                    chunk_len = 0;
                }
            }
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if chunk_len > 0 {
        mantissa = mantissa.mul_small(10u32.pow(chunk_len)).add_small(chunk);
    }
    let exp10 = match &s[i..] {
        [] => 0,
        [b'e' | b'E', rest @ ..] => parse_exponent(rest)?,
        _ => return None,
    };
    if mantissa.is_zero() {
        return Some(LongDouble::ZERO);
    }
    // value = mantissa * 10^e, with 10^(significant - 1 + e) <= value < 10^(significant + e).
    let e = exp10 - frac_digits;
    if significant - 1 + e > 4940 {
        return None; // beyond 1.19e4932: overflow
    }
    if significant + e < -4960 {
        return None; // below half the smallest subnormal (3.6e-4951): underflow to zero
    }
    let value = if e >= 0 {
        round(false, mantissa.mul_pow10(e as usize), 0)
    } else {
        // mantissa / 10^-e: take a quotient of 66 or 67 bits, and fold the remainder into a
        // sticky bit below it, so the one rounding in `round` sees the exact value's side.
        let q10 = Big::one().mul_pow10((-e) as usize);
        let s = 66 - mantissa.bit_len() as i64 + q10.bit_len() as i64;
        let (num, den) = if s >= 0 {
            (mantissa.shl(s as usize), q10)
        } else {
            (mantissa, q10.shl((-s) as usize))
        };
        let (q, r) = num.div_rem_small_quotient(&den);
        let n = q.shl(1).add_small(u32::from(!r.is_zero()));
        round(false, n, -s - 1)
    };
    value.is_finite().then_some(value).filter(|v| !v.is_zero())
}

/// `hexdigits[.hexdigits][(p|P)[sign]digits]` (after `0x`).
fn parse_hex(s: &[u8]) -> Option<LongDouble> {
    let mut i = 0;
    let mut mantissa = Big::zero();
    let mut frac_digits = 0i64;
    let mut seen_dot = false;
    let mut any_digit = false;
    while i < s.len() {
        let c = s[i];
        if let Some(d) = (c as char).to_digit(16) {
            any_digit = true;
            if seen_dot {
                frac_digits += 1;
            }
            mantissa = mantissa.mul_small(16).add_small(d);
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    let exp2 = match &s[i..] {
        [] => 0,
        [b'p' | b'P', rest @ ..] => parse_exponent(rest)?,
        _ => return None,
    };
    if mantissa.is_zero() {
        return Some(LongDouble::ZERO);
    }
    let value = round(false, mantissa, exp2 - 4 * frac_digits);
    value.is_finite().then_some(value).filter(|v| !v.is_zero())
}

impl LongDouble {
    fn is_zero(&self) -> bool {
        matches!(self.kind, Kind::Finite { mant: 0, .. })
    }
}

/// Rounds `n * 2^exp` to the nearest long double (ties to even): a 64-bit mantissa whose last
/// bit is no lower than 2^-16445; infinity beyond the largest finite value.
fn round(neg: bool, n: Big, exp: i64) -> LongDouble {
    if n.is_zero() {
        return LongDouble {
            neg,
            kind: Kind::Finite { mant: 0, exp: 0 },
        };
    }
    let len = n.bit_len() as i64;
    let target = (exp + len - 64).max(EXP_MIN);
    let (mant, exp) = if target <= exp {
        (n.low_u64(), exp)
    } else {
        let shift = (target - exp) as usize;
        let mut q = n.shr(shift).low_u64();
        let mut target = target;
        if n.bit(shift - 1) && (n.any_below(shift - 1) || q & 1 == 1) {
            q = q.wrapping_add(1);
            if q == 0 {
                // Carried out of the 64 bits: 2^64 is 2^63 one exponent up.
                q = 1 << 63;
                target += 1;
            }
        }
        (q, target)
    };
    let bits = 64 - i64::from(mant.leading_zeros());
    if mant != 0 && bits + exp > BITS_LIMIT {
        return LongDouble {
            neg,
            kind: Kind::Inf,
        };
    }
    LongDouble {
        neg,
        kind: Kind::Finite {
            mant,
            exp: if mant == 0 { 0 } else { exp },
        },
    }
}

/// A minimal arbitrary-precision unsigned integer: little-endian 32-bit limbs, no trailing
/// zero limbs. Only what the conversions above need.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn zero() -> Big {
        Big(Vec::new())
    }

    fn one() -> Big {
        Big(vec![1])
    }

    fn from_u64(v: u64) -> Big {
        Big(vec![v as u32, (v >> 32) as u32]).trimmed()
    }

    fn trimmed(mut self) -> Big {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(top) => self.0.len() * 32 - top.leading_zeros() as usize,
        }
    }

    /// The low 64 bits.
    fn low_u64(&self) -> u64 {
        let lo = self.0.first().copied().unwrap_or(0);
        let hi = self.0.get(1).copied().unwrap_or(0);
        u64::from(lo) | (u64::from(hi) << 32)
    }

    fn bit(&self, i: usize) -> bool {
        self.0.get(i / 32).is_some_and(|l| (l >> (i % 32)) & 1 == 1)
    }

    /// Whether any bit below position `i` is set.
    fn any_below(&self, i: usize) -> bool {
        let whole = (i / 32).min(self.0.len());
        if self.0[..whole].iter().any(|&l| l != 0) {
            return true;
        }
        let rem = i % 32;
        rem != 0
            && self
                .0
                .get(i / 32)
                .is_some_and(|l| l & ((1u32 << rem) - 1) != 0)
    }

    fn mul_small(mut self, m: u32) -> Big {
        let mut carry = 0u64;
        for l in &mut self.0 {
            let v = u64::from(*l) * u64::from(m) + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trimmed()
    }

    fn add_small(mut self, a: u32) -> Big {
        let mut carry = u64::from(a);
        for l in &mut self.0 {
            if carry == 0 {
                break;
            }
            let v = u64::from(*l) + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self
    }

    fn mul_pow10(mut self, mut n: usize) -> Big {
        while n >= 9 {
            self = self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n as u32))
    }

    fn shl(&self, bits: usize) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let (limbs, rem) = (bits / 32, bits % 32);
        let mut out = vec![0u32; limbs];
        out.reserve(self.0.len() + 1);
        if rem == 0 {
            out.extend_from_slice(&self.0);
        } else {
            let mut carry = 0u32;
            for &l in &self.0 {
                out.push((l << rem) | carry);
                carry = l >> (32 - rem);
            }
            out.push(carry);
        }
        Big(out).trimmed()
    }

    fn shr(&self, bits: usize) -> Big {
        let limbs = bits / 32;
        if limbs >= self.0.len() {
            return Big::zero();
        }
        let rem = bits % 32;
        let src = &self.0[limbs..];
        let out = if rem == 0 {
            src.to_vec()
        } else {
            (0..src.len())
                .map(|i| {
                    let hi = src.get(i + 1).copied().unwrap_or(0);
                    (src[i] >> rem) | (hi << (32 - rem))
                })
                .collect()
        };
        Big(out).trimmed()
    }

    fn add(&self, other: &Big) -> Big {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut out = Vec::with_capacity(long.0.len() + 1);
        let mut carry = 0u64;
        for (i, &l) in long.0.iter().enumerate() {
            let v = u64::from(l) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        if carry != 0 {
            out.push(carry as u32);
        }
        Big(out)
    }

    /// `self - other`, for `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for (i, &l) in self.0.iter().enumerate() {
            let mut v = i64::from(l) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        Big(out).trimmed()
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// Quotient and remainder, for a quotient known to be small (under 2^70): binary long
    /// division, one shifted subtraction per quotient bit.
    fn div_rem_small_quotient(&self, den: &Big) -> (Big, Big) {
        let mut rem = self.clone();
        let mut q = Big::zero();
        let top = self.bit_len().saturating_sub(den.bit_len());
        for i in (0..=top).rev() {
            let t = den.shl(i);
            if rem.cmp(&t) != Ordering::Less {
                rem = rem.sub(&t);
                q = q.add(&Big::one().shl(i));
            }
        }
        (q, rem)
    }

    /// Divides in place by a small divisor, returning the remainder.
    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for l in self.0.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*l);
            *l = (v / u64::from(d)) as u32;
            rem = v % u64::from(d);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        rem as u32
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".to_string();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut out = String::with_capacity(chunks.len() * 9);
        for (i, c) in chunks.iter().rev().enumerate() {
            if i == 0 {
                out.push_str(&c.to_string());
            } else {
                out.push_str(&format!("{c:09}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<LongDouble> {
        LongDouble::parse(s.as_bytes())
    }

    fn human(s: &str) -> String {
        p(s).expect("valid").to_human_string()
    }

    fn sum(a: &str, b: &str) -> String {
        let a = p(a).expect("valid a");
        let b = p(b).expect("valid b");
        (a + b).to_human_string()
    }

    #[test]
    fn parse_accepts_what_strtold_accepts() {
        for ok in [
            "0",
            "-0",
            "+1",
            "1.",
            ".5",
            "-.5",
            "1e3",
            "1E+3",
            "1e-3",
            "0x10",
            "0X1.8p1",
            "0x.8",
            "0x1p-16445",
            "inf",
            "-INF",
            "Infinity",
            "1e4932",
            "3.6e-4951",
            "00012",
            "0e99999",
        ] {
            assert!(p(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            " 1",
            "1 ",
            "\t1",
            "nan",
            "NaN",
            "-nan",
            "1e",
            "1e+",
            "e1",
            ".",
            "-",
            "+",
            "0x",
            "0x.",
            "0xg",
            "0x1p",
            "infin",
            "1,5",
            "1.5.",
            "1e5000",
            "1e-5000",
            "0x1p-16447",
            "1\u{0}",
            "--1",
            "+-1",
            "1e99999999999999999999",
        ] {
            assert!(p(bad).is_none(), "{bad:?}");
        }
        assert!(p(&format!("0.{}", "1".repeat(5117))).is_some());
        assert!(p(&format!("0.{}", "1".repeat(5118))).is_none());
        assert!(p(&"1".repeat(4000)).is_some());
        assert!(p("inf").expect("inf").is_infinite());
    }

    #[test]
    fn human_strings() {
        assert_eq!(human("0"), "0");
        assert_eq!(human("-0"), "0");
        assert_eq!(human("-0.000000000000000001"), "0");
        assert_eq!(human("10.5"), "10.5");
        assert_eq!(human("0.1"), "0.1");
        assert_eq!(human("1e20"), "100000000000000000000");
        assert_eq!(human("-1.5e-5"), "-0.000015");
        assert_eq!(human("0x1p-1"), "0.5");
        assert_eq!(human("3.0"), "3");
        assert_eq!(human("inf"), "inf");
        assert_eq!(human("-inf"), "-inf");
        assert_eq!(
            LongDouble::from_i64(i64::MIN).to_human_string(),
            "-9223372036854775808"
        );
    }

    #[test]
    fn sums() {
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("1", "10.5"), "11.5");
        assert_eq!(sum("10.5", "0.5"), "11");
        assert_eq!(sum("1", "-1.1"), "-0.1");
        assert_eq!(sum("17179869184", "1.5"), "17179869185.5");
        assert_eq!(sum("5.0e3", "2.0e2"), "5200");
        assert_eq!(sum("1", "-1"), "0");
        let inf = p("inf").expect("inf");
        assert!((inf + p("-inf").expect("-inf")).is_nan());
        assert!((inf + p("1").expect("1")).is_infinite());
        let big = p("1e4932").expect("big");
        assert!((big + big).is_infinite());
        assert!((big + p("-1e4932").expect("-big")).is_finite());
    }

    #[test]
    fn rounding_is_to_nearest_even() {
        // Above 2^64 the step is 2: 2^64 + 1 and 2^64 + 5 are ties that go to the even mantissa.
        assert_eq!(human("18446744073709551617"), "18446744073709551616");
        assert_eq!(human("18446744073709551619"), "18446744073709551620");
        assert_eq!(human("18446744073709551618"), "18446744073709551618");
        assert_eq!(human("18446744073709551621"), "18446744073709551620");
    }
}
