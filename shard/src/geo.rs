//! The geo commands. (Being implemented.)

use crate::cmd::CommandDef;

pub static COMMANDS: [CommandDef; 0] = [];
