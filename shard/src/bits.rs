//! Bit operations on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITFIELD, BITFIELD_RO,
//! BITOP.

use crate::cmd::CommandDef;

pub static COMMANDS: [CommandDef; 0] = [];
