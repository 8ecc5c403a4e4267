//! Number formatting shared by the reply writer and the command implementations.

/// Appends the decimal form of `v`.
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut tmp = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Parses a whole byte string as a signed 64-bit decimal, as strictly as Redis does for lengths
/// and integer arguments: an optional `-`, then either `0` alone or a digit 1-9 followed by
/// digits; nothing else (no `+`, no spaces, no leading zeros, no `-0`), at most 20 bytes, and
/// no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    // 20 bytes hold "-9223372036854775808"; anything longer cannot be a valid i64.
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        // -(2^63) is the one value whose magnitude does not fit in an i64.
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// Formats a double the way C's `printf("%.17g")` does, which is how Redis 7.0 replies with
/// doubles: `inf`/`-inf`, 17 significant digits, trailing zeros dropped, exponent form outside
/// `1e-5 .. 1e17`.
pub fn fmt_double_g17(v: f64) -> String {
    fmt_double_g(v, 17)
}

/// `printf("%.<precision>g")` for a double.
pub fn fmt_double_g(v: f64, precision: usize) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let p = precision.max(1);
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // `{:.Ne}` rounds exactly to N+1 significant digits: "d.ddddde-5".
    let sci = format!("{:.*e}", p - 1, v);
    let (mantissa, exp) = match sci.split_once('e') {
        Some(parts) => parts,
        None => return sci,
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::with_capacity(p + 8);
    if negative {
        out.push('-');
    }
    if exp < -4 || exp >= p as i32 {
        let mut frac = digits[1..].trim_end_matches('0').to_string();
        out.push_str(&digits[..1]);
        if !frac.is_empty() {
            out.push('.');
            out.push_str(&frac);
            frac.clear();
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        out.push_str(&digits[..int_len]);
        let frac = digits[int_len..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        for v in [0i64, 1, -1, 9, 10, 12345, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
        }
    }

    #[test]
    fn parse_i64_is_strict() {
        let good: [(&[u8], i64); 7] = [
            (b"0", 0),
            (b"7", 7),
            (b"-7", -7),
            (b"10", 10),
            (b"2147483647", 2147483647),
            (b"9223372036854775807", i64::MAX),
            (b"-9223372036854775808", i64::MIN),
        ];
        for (s, v) in good {
            assert_eq!(parse_i64(s), Some(v), "{:?}", String::from_utf8_lossy(s));
        }
        let bad: [&[u8]; 14] = [
            b"",
            b"-",
            b"+1",
            b" 1",
            b"1 ",
            b"01",
            b"00",
            b"-0",
            b"-01",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999",
            b"000000000000000000001",
        ];
        for s in bad {
            assert_eq!(parse_i64(s), None, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn g17_matches_printf() {
        let cases = [
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (10.0, "10"),
            (-3.25, "-3.25"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (3.0e-300, "3.0000000000000002e-300"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0 / 3.0, "0.33333333333333331"),
        ];
        for (v, want) in cases {
            assert_eq!(fmt_double_g17(v), want, "{v}");
        }
    }
}
