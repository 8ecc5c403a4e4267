//! The hashe family. (Being implemented: the value type and the commands land here.)

use crate::cmd::CommandDef;

pub static COMMANDS: [CommandDef; 0] = [];

/// A hashe value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hash {}

impl Hash {
    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        0
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Approximate heap bytes owned (for MEMORY USAGE and eviction).
    pub fn heap_size(&self) -> usize {
        0
    }
}
