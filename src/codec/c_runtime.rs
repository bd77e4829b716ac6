//! The few C library functions libwebp calls, for wasm32-unknown-unknown, which has no libc (a
//! WASI build links wasi-libc's instead): `malloc`, `calloc`, `realloc` and `free` over Rust's
//! allocator, `qsort`, and silent stand-ins for the `stdio` calls its animation encoder makes for
//! verbose logs and error strings. The linker resolves libwebp's references to these definitions,
//! so the module imports nothing for them. An allocation that fails returns null, which libwebp
//! reports as out of memory. The blocks' total size is kept ([`held_bytes`]): what libwebp holds.

use std::alloc::{self, Layout};
use std::ffi::{c_char, c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

static HELD: AtomicUsize = AtomicUsize::new(0);

/// The bytes the C code holds now, headers included.
pub fn held_bytes() -> usize {
    HELD.load(Ordering::Relaxed)
}

fn held_change(added: usize, removed: usize) {
    // Single-threaded: no other update can come between the load and the store.
    HELD.store(held_bytes().saturating_add(added).saturating_sub(removed), Ordering::Relaxed);
}

/// Each block starts with its total size (Rust's `dealloc` needs the layout back), padded to the
/// strictest C alignment so the caller's part stays aligned.
const HEADER: usize = 16;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// # Safety
/// `block` is null or a pointer this module returned and has not freed.
unsafe fn header(block: *mut c_void) -> (*mut u8, Layout) {
    // SAFETY: per the contract, the header sits HEADER bytes before the block and holds the size
    // the layout was made with.
    unsafe {
        let base = block.cast::<u8>().sub(HEADER);
        let total = base.cast::<usize>().read();
        (base, Layout::from_size_align_unchecked(total, HEADER))
    }
}

fn allocate(size: usize, zeroed: bool) -> *mut c_void {
    let Some(layout) = layout(size) else { return ptr::null_mut() };
    // SAFETY: the layout has a non-zero size (it includes the header).
    unsafe {
        let base = if zeroed { alloc::alloc_zeroed(layout) } else { alloc::alloc(layout) };
        if base.is_null() {
            return ptr::null_mut();
        }
        base.cast::<usize>().write(layout.size());
        held_change(layout.size(), 0);
        base.add(HEADER).cast::<c_void>()
    }
}

#[no_mangle]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    allocate(size, false)
}

#[no_mangle]
pub extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    count.checked_mul(size).map_or(ptr::null_mut(), |bytes| allocate(bytes, true))
}

/// # Safety
/// As C's `realloc`: `block` is null or live from this module.
#[no_mangle]
pub unsafe extern "C" fn realloc(block: *mut c_void, size: usize) -> *mut c_void {
    if block.is_null() {
        return malloc(size);
    }
    let Some(new_layout) = layout(size) else { return ptr::null_mut() };
    // SAFETY: per the contract; the old block stays valid if growing fails.
    unsafe {
        let (base, old_layout) = header(block);
        let moved = alloc::realloc(base, old_layout, new_layout.size());
        if moved.is_null() {
            return ptr::null_mut();
        }
        moved.cast::<usize>().write(new_layout.size());
        held_change(new_layout.size(), old_layout.size());
        moved.add(HEADER).cast::<c_void>()
    }
}

/// # Safety
/// As C's `free`: `block` is null or live from this module.
#[no_mangle]
pub unsafe extern "C" fn free(block: *mut c_void) {
    if block.is_null() {
        return;
    }
    // SAFETY: per the contract.
    unsafe {
        let (base, layout) = header(block);
        held_change(0, layout.size());
        alloc::dealloc(base, layout);
    }
}

type Comparator = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;

/// # Safety
/// As C's `qsort`: `base` holds `count` elements of `width` bytes, and `compare` orders them.
#[no_mangle]
pub unsafe extern "C" fn qsort(base: *mut c_void, count: usize, width: usize, compare: Option<Comparator>) {
    let (Some(compare), Some(bytes)) = (compare, count.checked_mul(width)) else { return };
    if count < 2 || width == 0 {
        return;
    }
    // SAFETY: per the contract; the elements are read through `compare` only while the slice
    // is not written, then written back in one copy.
    unsafe {
        let all = std::slice::from_raw_parts_mut(base.cast::<u8>(), bytes);
        let mut elements: Vec<&[u8]> = all.chunks_exact(width).collect();
        elements.sort_by(|a, b| compare(a.as_ptr().cast(), b.as_ptr().cast()).cmp(&0));
        let sorted = elements.concat();
        all.copy_from_slice(&sorted);
    }
}

// The stdio stand-ins. In the wasm32 C ABI a variadic function takes its fixed arguments and then
// one pointer to the variable ones, which is how these are declared.

/// Verbose logging (off in our configuration): prints nothing.
#[no_mangle]
pub extern "C" fn fprintf(_stream: *mut c_void, _format: *const c_char, _arguments: *const c_void) -> c_int {
    0
}

/// As `fprintf`, for what the compiler turns constant `fprintf` calls into.
#[no_mangle]
pub extern "C" fn fwrite(_data: *const c_void, _size: usize, _count: usize, _stream: *mut c_void) -> usize {
    0
}

/// Error strings: writes an empty one (our error messages say what failed without it).
///
/// # Safety
/// As C's `snprintf`: `buffer` holds `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn snprintf(
    buffer: *mut c_char,
    size: usize,
    _format: *const c_char,
    _arguments: *const c_void,
) -> c_int {
    if !buffer.is_null() && size > 0 {
        // SAFETY: per the contract, the buffer has room for at least the terminator.
        unsafe { buffer.write(0) };
    }
    0
}
