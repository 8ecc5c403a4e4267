//! The one error type of command execution, and the one place it becomes wire text.
//!
//! Every message is Redis 7.0's exact text; the common ones are named constants so a family
//! module never spells an error string itself.

use std::borrow::Cow;

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const SYNTAX: &str = "ERR syntax error";
pub const NO_SUCH_KEY: &str = "ERR no such key";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
pub const DB_INDEX_OUT_OF_RANGE: &str = "ERR DB index is out of range";
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";
pub const BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";
pub const BIT_VALUE: &str = "ERR bit is not an integer or out of range";
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
pub const OFFSET_OUT_OF_RANGE: &str = "ERR offset is out of range";
pub const NAN_OR_INF: &str = "ERR increment would produce NaN or Infinity";
pub const POSITIVE_COUNT: &str = "ERR value is out of range, must be positive";
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
// String and bitmap families.
pub const DECREMENT_OVERFLOW: &str = "ERR decrement would overflow";
pub const LCS_WRONGTYPE: &str = "ERR The specified keys must contain string values";
pub const LCS_LEN_AND_IDX: &str =
    "ERR If you want both the length and indexes, please just use IDX.";
pub const LCS_TOO_LONG: &str = "ERR String too long for LCS";
pub const LCS_TABLE_TOO_BIG: &str =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
pub const LCS_ALLOC_FAILED: &str =
    "ERR Insufficient memory, failed allocating transient memory for LCS";
pub const BIT_ARG: &str = "ERR The bit argument must be 1 or 0.";
pub const BITOP_NOT_ONE_KEY: &str = "ERR BITOP NOT must be called with a single source key.";
pub const BITFIELD_OVERFLOW_TYPE: &str = "ERR Invalid OVERFLOW type specified";
pub const BITFIELD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
pub const BITFIELD_RO_GET_ONLY: &str = "ERR BITFIELD_RO only supports the GET subcommand";
pub const INVALID_CURSOR: &str = "ERR invalid cursor";
/// A database index that parses as an integer but not as a C `int`.
pub const INT_OUT_OF_RANGE: &str =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
pub const INVALID_FIRST_DB: &str = "ERR invalid first DB index";
pub const INVALID_SECOND_DB: &str = "ERR invalid second DB index";
pub const EXPIRE_NX_CONFLICT: &str =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
pub const EXPIRE_GT_LT_CONFLICT: &str = "ERR GT and LT options at the same time are not compatible";
pub const LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
pub const LFU_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    /// `WRONGTYPE ...`
    WrongType,
    /// `ERR value is not an integer or out of range`
    NotInteger,
    /// `ERR value is not a valid float`
    NotFloat,
    /// `ERR syntax error`
    Syntax,
    /// `ERR no such key`
    NoSuchKey,
    /// `ERR increment or decrement would overflow`
    Overflow,
    /// `ERR wrong number of arguments for '<cmd>' command` (arity found while parsing options)
    WrongArity,
    /// `ERR invalid expire time in '<cmd>' command`
    InvalidExpire,
    /// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    UnknownSubcommand(String),
    /// Any other exact message, error code included (`ERR ...`, `BUSYKEY ...`).
    Msg(Cow<'static, str>),
    /// A blocking command (BLPOP, BZPOPMIN, BLMOVE, XREAD BLOCK, ...) found nothing to serve:
    /// the op wrote nothing, and the server blocks the client on the command's keys (or, where
    /// blocking is not allowed, replies as Redis does for a timeout).
    Block,
}

pub type OpResult = Result<(), OpError>;

impl OpError {
    pub fn msg(s: impl Into<Cow<'static, str>>) -> Self {
        OpError::Msg(s.into())
    }

    /// The error's wire text (without the leading `-`), for command `cmd` (its full lower-case
    /// name, `config|get` style for subcommands).
    pub fn to_wire(&self, cmd: &str) -> Cow<'static, str> {
        match self {
            OpError::WrongType => WRONGTYPE.into(),
            OpError::NotInteger => NOT_INTEGER.into(),
            OpError::NotFloat => NOT_FLOAT.into(),
            OpError::Syntax => SYNTAX.into(),
            OpError::NoSuchKey => NO_SUCH_KEY.into(),
            OpError::Overflow => OVERFLOW.into(),
            OpError::WrongArity => wrong_arity(cmd).into(),
            OpError::InvalidExpire => format!("ERR invalid expire time in '{cmd}' command").into(),
            OpError::UnknownSubcommand(sub) => unknown_subcommand(cmd, sub).into(),
            OpError::Msg(m) => m.clone(),
            // Never reaches a client: the server turns it into blocking (or a null reply).
            OpError::Block => "ERR internal: unhandled blocking result".into(),
        }
    }
}

/// `ERR wrong number of arguments for 'get' command`
pub fn wrong_arity(cmd: &str) -> String {
    format!("ERR wrong number of arguments for '{cmd}' command")
}

/// `ERR unknown subcommand 'foo'. Try CONFIG HELP.` (`cmd` is the container's name).
pub fn unknown_subcommand(cmd: &str, sub: &str) -> String {
    let sub: String = sub.chars().take(128).collect();
    format!(
        "ERR unknown subcommand '{sub}'. Try {} HELP.",
        cmd.to_ascii_uppercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_text() {
        assert_eq!(
            OpError::WrongArity.to_wire("get"),
            "ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            OpError::InvalidExpire.to_wire("set"),
            "ERR invalid expire time in 'set' command"
        );
        assert_eq!(
            OpError::UnknownSubcommand("foo".into()).to_wire("object"),
            "ERR unknown subcommand 'foo'. Try OBJECT HELP."
        );
    }
}
