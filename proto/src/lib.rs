//! RESP2/RESP3 for corekv: request parsing, reply encoding and a general frame codec.
//!
//! This crate owns the wire format and nothing else: it never touches a socket, an executor or
//! the keyspace. Everything works over byte slices the caller owns, so it can be unit-tested and
//! fuzzed in isolation.
//!
//! - [`request`]: the server-side request parser (multibulk and inline commands, resumable
//!   across partial reads, with Redis 7.0's limits and `Protocol error` messages).
//! - [`writer`]: [`RespWriter`], which command implementations use to append replies.
//! - [`frame`]: [`Frame`], a complete RESP3 value with `decode` and `encode`, used by tests,
//!   tools and (later) replication links.
//! - [`num`]: number formatting and strict integer parsing shared with the command
//!   implementations.
//!
//! `check` holds the properties the fuzz targets (`proto/fuzz/`) and `tests/properties.rs`
//! both run; it is public for them only.

#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod check;
pub mod frame;
pub mod num;
pub mod request;
pub mod writer;

pub use frame::Frame;
pub use request::{ParseLimits, ProtoError, RequestKind, RequestParser};
pub use writer::RespWriter;
