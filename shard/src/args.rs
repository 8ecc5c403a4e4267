//! Argument parsing helpers shared by the family modules, with Redis's error replies.

use crate::error::OpError;
use crate::util::{parse_f64, parse_i64_strict};

/// An integer argument (`ERR value is not an integer or out of range` otherwise).
pub fn int(arg: &[u8]) -> Result<i64, OpError> {
    parse_i64_strict(arg).ok_or(OpError::NotInteger)
}

/// A float argument (`ERR value is not a valid float` otherwise).
pub fn float(arg: &[u8]) -> Result<f64, OpError> {
    parse_f64(arg).ok_or(OpError::NotFloat)
}

/// Case-insensitive comparison with an option name.
pub fn is(arg: &[u8], name: &str) -> bool {
    arg.eq_ignore_ascii_case(name.as_bytes())
}

/// Text of an argument for messages (lossy UTF-8).
pub fn text(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}
