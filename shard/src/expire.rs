//! Key expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME,
//! PEXPIRETIME, PERSIST.

use crate::cmd::CommandDef;

pub static COMMANDS: [CommandDef; 0] = [];
