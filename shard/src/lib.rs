//! One shard's data and the synchronous implementation of every command on it.
//!
//! This crate owns: the keyspace ([`db::Db`] over [`dict::Dict`]), values and their encodings
//! ([`value`]), expiry, the command table ([`cmd`]) with one row set per family module, and the
//! ops that run a command against a [`shard::Shard`]. It may not touch sockets, executors,
//! threads or files: the server feeds it commands and ships replies, persistence serializes it.
//! Everything here is testable as plain structs ([`testkit`]).

#![forbid(unsafe_code)]

pub mod args;
pub mod bits;
pub mod cmd;
pub mod db;
pub mod dict;
pub mod error;
pub mod expire;
pub mod geo;
pub mod hashes;
pub mod hyperloglog;
pub mod intset;
pub mod key;
pub mod keys;
pub mod keyspecs;
pub mod listpack;
pub mod lists;
pub mod longdouble;
pub mod memory;
pub mod server_cmds;
pub mod sets;
pub mod shard;
pub mod slot;
pub mod sort;
pub mod streams;
pub mod strings;
pub mod testkit;
pub mod util;
pub mod value;
pub mod zsets;

pub use cmd::{CommandDef, OpFn};
pub use error::{OpError, OpResult};
pub use key::Key;
pub use shard::{Clock, Cx, Shard, ShardConfig};

/// Every family's command rows (the registry is built from this list).
pub fn families() -> &'static [&'static [CommandDef]] {
    static FAMILIES: [&[CommandDef]; 14] = [
        &strings::COMMANDS,
        &bits::COMMANDS,
        &keys::COMMANDS,
        &expire::COMMANDS,
        &lists::COMMANDS,
        &hashes::COMMANDS,
        &sets::COMMANDS,
        &zsets::COMMANDS,
        &hyperloglog::COMMANDS,
        &geo::COMMANDS,
        &streams::COMMANDS,
        &sort::COMMANDS,
        &memory::COMMANDS,
        &server_cmds::COMMANDS,
    ];
    &FAMILIES
}
