//! Text conventions of Redis's configuration: memory units, C-style number parsing, quoting
//! for rewritten lines, and file-system helpers (paths, globs, error texts).

use std::path::{Path, PathBuf};

/// Parses a memory amount the way Redis's `memtoull` does: digits, then an optional unit
/// (`b`, `k`=1000, `kb`=1024, `m`, `mb`, `g`, `gb`, any case). A leading `-` is an error.
/// Quirks kept on purpose: no digits at all reads as 0 (`""`, `"kb"`), and an amount too large
/// for 64 bits saturates before the unit multiplies (and wraps).
pub fn memtoull(s: &str) -> Option<u64> {
    if s.starts_with('-') {
        return None;
    }
    let digits_end = s
        .bytes()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(digits_end);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.len() >= 128 {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .unwrap_or(u64::MAX);
    }
    Some(v.wrapping_mul(mul))
}

/// The result of C's `strtoll(s, &end, base)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CLong {
    pub value: i64,
    /// The whole string was used (`*end == '\0'`).
    pub whole: bool,
    /// The magnitude did not fit and the value saturated (`errno == ERANGE`).
    pub overflow: bool,
}

/// C's `strtoll(s, &end, base)`: skips leading white space, takes a sign and as many digits as
/// there are, saturating on overflow. With no digits at all the value is 0 and the end is the
/// start of the string, so only the empty string counts as fully used.
pub fn strtoll(s: &str, base: u32) -> CLong {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut mag: u64 = 0;
    let mut overflow = false;
    while i < b.len() {
        let Some(d) = char::from(b[i]).to_digit(base) else {
            break;
        };
        match mag
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => mag = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return CLong {
            value: 0,
            whole: b.is_empty(),
            overflow: false,
        };
    }
    let limit = if neg {
        i64::MAX as u64 + 1
    } else {
        i64::MAX as u64
    };
    overflow |= mag > limit;
    let value = match (neg, overflow) {
        (true, true) => i64::MIN,
        (false, true) => i64::MAX,
        (true, false) => 0i64.wrapping_sub_unsigned(mag),
        (false, false) => mag as i64,
    };
    CLong {
        value,
        whole: i == b.len(),
        overflow,
    }
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Quotes a value for a rewritten config line, as Redis's `sdscatrepr`: double quotes, with
/// `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b` escaped and other unprintable bytes as `\xHH`.
pub fn repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &c in s.as_bytes() {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(c)),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
    out
}

/// Formats a byte count for a rewritten line: `gb`, `mb` or `kb` when it divides evenly.
pub fn format_memory(bytes: i64) -> String {
    const KB: i64 = 1024;
    const MB: i64 = 1024 * KB;
    const GB: i64 = 1024 * MB;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

/// `%f` with trailing zeros (and a trailing dot) removed: `99.900000` is `99.9`.
pub fn format_percentile(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// The C library's text for an I/O error (`No such file or directory`), without Rust's
/// ` (os error N)` suffix.
pub fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) if e.raw_os_error().is_some() => text[..at].to_string(),
        _ => text,
    }
}

/// Redis's `getAbsolutePath`: trims blanks, keeps an absolute path as is, otherwise joins it
/// to `cwd`, folding each leading `../` into the parent of `cwd` (and nothing more).
pub fn absolute_path(path: &str, cwd: &Path) -> PathBuf {
    let rel = path.trim_matches([' ', '\r', '\n', '\t']);
    if rel.starts_with('/') {
        return PathBuf::from(rel);
    }
    let mut base = cwd.to_string_lossy().into_owned();
    if !base.is_empty() && !base.ends_with('/') {
        base.push('/');
    }
    let mut rel = rel;
    while let Some(rest) = rel.strip_prefix("../") {
        rel = rest;
        if base.len() > 1 {
            // Drop the last component of base, keeping its trailing slash.
            let without_slash = &base[..base.len() - 1];
            let cut = without_slash.rfind('/').map_or(0, |p| p + 1);
            base.truncate(cut);
        }
    }
    base.push_str(rel);
    PathBuf::from(base)
}

/// Whether a path contains glob characters (Redis then expands it and tolerates no match).
pub fn has_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Expands a glob pattern against the file system the way `glob(3)` does with no flags: each
/// component with wildcards matches directory entries (names starting with `.` only when the
/// pattern component does), results sorted. No match gives an empty list.
pub fn expand_glob(pattern: &str, cwd: &Path) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let mut current: Vec<(PathBuf, String)> = vec![if absolute {
        (PathBuf::from("/"), "/".to_string())
    } else {
        (cwd.to_path_buf(), String::new())
    }];
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    for (n, comp) in components.iter().enumerate() {
        let last = n + 1 == components.len();
        let mut next = Vec::new();
        for (dir, shown) in &current {
            let join_shown = |name: &str| {
                if shown.is_empty() || shown.ends_with('/') {
                    format!("{shown}{name}")
                } else {
                    format!("{shown}/{name}")
                }
            };
            if has_glob(comp) {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| !name.starts_with('.') || comp.starts_with('.'))
                    .filter(|name| {
                        corekv_shard::util::glob_match(comp.as_bytes(), name.as_bytes(), false)
                    })
                    .collect();
                names.sort();
                for name in names {
                    let path = dir.join(&name);
                    if last || path.is_dir() {
                        next.push((path, join_shown(&name)));
                    }
                }
            } else {
                let path = dir.join(comp);
                if (last && path.symlink_metadata().is_ok()) || path.is_dir() {
                    next.push((path, join_shown(comp)));
                }
            }
        }
        current = next;
    }
    let mut found: Vec<PathBuf> = current.into_iter().map(|(p, _)| p).collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("100", Some(100)),
            ("1k", Some(1000)),
            ("1K", Some(1000)),
            ("1kb", Some(1024)),
            ("1KB", Some(1024)),
            ("1Kb", Some(1024)),
            ("2m", Some(2_000_000)),
            ("2mb", Some(2 * 1024 * 1024)),
            ("3g", Some(3_000_000_000)),
            ("3gb", Some(3 * 1024 * 1024 * 1024)),
            ("7b", Some(7)),
            ("", Some(0)),
            ("kb", Some(0)),
            ("-1", None),
            ("1xb", None),
            ("1 kb", None),
            (" 1", None),
            ("+1", None),
            ("1.5mb", None),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", Some(u64::MAX)),
        ];
        for &(s, want) in cases {
            assert_eq!(memtoull(s), want, "memtoull({s:?})");
        }
    }

    #[test]
    fn c_strtoll() {
        let f = |s: &str, base| {
            let r = strtoll(s, base);
            (r.value, r.whole, r.overflow)
        };
        assert_eq!(f("12", 10), (12, true, false));
        assert_eq!(f(" +12", 10), (12, true, false));
        assert_eq!(f("-12x", 10), (-12, false, false));
        assert_eq!(f("", 10), (0, true, false));
        assert_eq!(f("x", 10), (0, false, false));
        assert_eq!(f("-", 10), (0, false, false));
        assert_eq!(f("99999999999999999999", 10), (i64::MAX, true, true));
        assert_eq!(f("-9223372036854775808", 10), (i64::MIN, true, false));
        assert_eq!(f("-9223372036854775809", 10), (i64::MIN, true, true));
        assert_eq!(f("777", 8), (511, true, false));
        assert_eq!(f("8", 8), (0, false, false));
        assert!(f("7777777777777777777777777", 8).2);
    }

    #[test]
    fn quoting() {
        assert_eq!(repr("abc"), "\"abc\"");
        assert_eq!(repr("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            repr("\n\r\t\x07\x08\x01é"),
            "\"\\n\\r\\t\\a\\b\\x01\\xc3\\xa9\""
        );
        assert_eq!(repr(""), "\"\"");
    }

    #[test]
    fn memory_formatting() {
        assert_eq!(format_memory(0), "0");
        assert_eq!(format_memory(1024), "1kb");
        assert_eq!(format_memory(1536), "1536");
        assert_eq!(format_memory(64 * 1024 * 1024), "64mb");
        assert_eq!(format_memory(1024 * 1024 * 1024), "1gb");
        assert_eq!(format_memory(-1), "-1");
    }

    #[test]
    fn percentiles() {
        assert_eq!(format_percentile(50.0), "50");
        assert_eq!(format_percentile(99.9), "99.9");
        assert_eq!(format_percentile(99.99), "99.99");
        assert_eq!(format_percentile(0.0), "0");
    }

    #[test]
    fn absolute_paths() {
        let cwd = Path::new("/a/b/c");
        assert_eq!(absolute_path("/x.conf", cwd), PathBuf::from("/x.conf"));
        assert_eq!(absolute_path("x.conf", cwd), PathBuf::from("/a/b/c/x.conf"));
        assert_eq!(
            absolute_path("../x.conf", cwd),
            PathBuf::from("/a/b/x.conf")
        );
        assert_eq!(absolute_path("../../x", cwd), PathBuf::from("/a/x"));
        assert_eq!(absolute_path("../../../../x", cwd), PathBuf::from("/x"));
        assert_eq!(
            absolute_path(" x.conf\n", cwd),
            PathBuf::from("/a/b/c/x.conf")
        );
        assert_eq!(absolute_path("x", Path::new("/")), PathBuf::from("/x"));
    }

    #[test]
    fn errno_text() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(strerror(&e), "No such file or directory");
    }
}
