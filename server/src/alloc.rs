//! The process allocator: mimalloc (fast, and frees from another thread without locks, which
//! cross-shard messages do all the time), wrapped to count bytes in use for INFO's
//! `used_memory`.
//!
//! Counting must cost nothing on the data path and must not be shared between shards, so each
//! thread counts in a thread-local cell and folds its count into one process-wide atomic only
//! when it has moved by more than [`FLUSH_BYTES`] since the last fold. The total is therefore
//! exact to within `FLUSH_BYTES` per thread.
#![allow(unsafe_code)] // reason: implementing GlobalAlloc is unsafe by definition

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

use mimalloc::MiMalloc;

static INNER: MiMalloc = MiMalloc;

const FLUSH_BYTES: isize = 64 * 1024;

static FOLDED: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static LOCAL: Cell<isize> = const { Cell::new(0) };
}

pub struct Counting;

#[inline]
fn account(delta: isize) {
    // `try_with` never fails for a const-initialised Cell without a destructor; the fallback
    // keeps the count right even so.
    let folded = LOCAL.try_with(|c| {
        let v = c.get() + delta;
        if v.abs() >= FLUSH_BYTES {
            c.set(0);
            FOLDED.fetch_add(v, Ordering::Relaxed);
        } else {
            c.set(v);
        }
    });
    if folded.is_err() {
        FOLDED.fetch_add(delta, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to mimalloc with the caller's layout unchanged, so the
// allocator contract (alignment, size, pairing of alloc/dealloc) is mimalloc's; the only
// addition is arithmetic on counters, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the same layout (see the impl comment).
        let p = unsafe { INNER.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the same layout.
        let p = unsafe { INNER.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by mimalloc with `layout` (all our allocations are).
        unsafe { INNER.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr`/`layout` come from this allocator, which is mimalloc underneath.
        let p = unsafe { INNER.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Bytes currently allocated by the process (within `FLUSH_BYTES` per thread).
pub fn used_memory() -> usize {
    FOLDED.load(Ordering::Relaxed).max(0) as usize
}
