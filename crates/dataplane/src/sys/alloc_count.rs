//! A global allocator that counts allocations, for tests that prove a
//! code path does not allocate (install it with `#[global_allocator]` in a
//! test binary).
//!
//! `unsafe` here: `GlobalAlloc` is an unsafe trait. Every method forwards
//! its arguments unchanged to [`std::alloc::System`], whose contract is the
//! same as the trait's, and only bumps a counter (an `AtomicUsize`, which
//! every target vtepd builds for has).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts `alloc`, `alloc_zeroed` and `realloc` calls of the whole process.
#[derive(Debug)]
pub struct CountingAllocator {
    count: AtomicUsize,
}

impl CountingAllocator {
    /// A counter at zero.
    pub const fn new() -> CountingAllocator {
        CountingAllocator {
            count: AtomicUsize::new(0),
        }
    }

    /// Allocations so far.
    pub fn allocations(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Default for CountingAllocator {
    fn default() -> Self {
        CountingAllocator::new()
    }
}

// SAFETY: every method delegates to `System` with the caller's arguments,
// so `System`'s guarantees are the caller's.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.count.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.count.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.count.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}
