//! The benchmarks' meter of the WebAssembly heap (feature `benchmark-strategies` only): the bytes the app
//! holds now and the most it held since the meter was last reset, counted by the allocator. The memory's
//! own size only grows, so it tells the most a whole session ever held; this tells what one operation needs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wasm_bindgen::prelude::wasm_bindgen;

/// The system allocator, counting.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn held(more: usize) {
    let now = HELD.fetch_add(more, Ordering::Relaxed) + more;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

/// `pointer`, counting `size` bytes held when the allocation succeeded.
fn counted(pointer: *mut u8, size: usize) -> *mut u8 {
    if !pointer.is_null() {
        held(size);
    }
    pointer
}

// SAFETY: every call is passed on to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, size) };
        if !moved.is_null() {
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
            held(size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The bytes held now.
#[wasm_bindgen(js_name = benchmarkHeapHeld)]
pub fn heap_held() -> f64 {
    HELD.load(Ordering::Relaxed) as f64
}

/// The most bytes held since the last [`heap_reset`].
#[wasm_bindgen(js_name = benchmarkHeapPeak)]
pub fn heap_peak() -> f64 {
    PEAK.load(Ordering::Relaxed) as f64
}

/// Starts counting the peak again from what is held now.
#[wasm_bindgen(js_name = benchmarkHeapReset)]
pub fn heap_reset() {
    PEAK.store(HELD.load(Ordering::Relaxed), Ordering::Relaxed);
}
