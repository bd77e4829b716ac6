//! Vector loads and stores with their bounds in the types: every access is to a whole array
//! (`&[u8; 16]`, `&mut [i16; 4]` ...) that the caller borrowed with a checked `first_chunk`,
//! `as_chunks` or `try_into`, except the unchecked loads of a [`Window`], whose callers keep
//! their offsets inside it. The raw-pointer intrinsics are confined to this file; wasm loads and
//! stores need no alignment.

use core::arch::wasm32::*;

/// Sample, weight and divisor types: any bit pattern is a valid value, so vectors may be stored
/// into arrays of them.
pub(crate) trait Lane: Copy + Default {}
impl Lane for u8 {}
impl Lane for i16 {}
impl Lane for u16 {}
impl Lane for i32 {}
impl Lane for f32 {}

/// Fails to compile for arrays that are not 2, 4, 8, 12 or 16 bytes.
const fn assert_vector_part<T, const N: usize>() {
    assert!(matches!(size_of::<[T; N]>(), 2 | 4 | 8 | 12 | 16), "loads and stores move 2, 4, 8, 12 or 16 bytes");
}

/// `values` (2, 4, 8, 12 or 16 bytes) into the low bytes of a vector, the other bytes zero.
#[inline(always)]
pub(crate) fn load<T: Lane, const N: usize>(values: &[T; N]) -> v128 {
    const { assert_vector_part::<T, N>() };
    let bytes = values.as_ptr().cast::<u8>();
    // SAFETY: each arm reads exactly the `size_of::<[T; N]>()` bytes of `values`.
    unsafe {
        match size_of::<[T; N]>() {
            16 => v128_load(bytes.cast()),
            12 => v128_load32_lane::<2>(v128_load64_zero(bytes.cast()), bytes.add(8).cast()),
            8 => v128_load64_zero(bytes.cast()),
            4 => v128_load32_zero(bytes.cast()),
            _ => v128_load16_lane::<0>(u16x8_splat(0), bytes.cast()),
        }
    }
}

/// The low bytes of `vector` into `values` (2, 4, 8, 12 or 16 bytes).
#[inline(always)]
pub(crate) fn store<T: Lane, const N: usize>(values: &mut [T; N], vector: v128) {
    const { assert_vector_part::<T, N>() };
    let bytes = values.as_mut_ptr().cast::<u8>();
    // SAFETY: each arm writes exactly the `size_of::<[T; N]>()` bytes of `values`, whose bit
    // patterns are all valid (`T: Lane`).
    unsafe {
        match size_of::<[T; N]>() {
            16 => v128_store(bytes.cast(), vector),
            12 => {
                v128_store64_lane::<0>(vector, bytes.cast());
                v128_store32_lane::<2>(vector, bytes.add(8).cast());
            }
            8 => v128_store64_lane::<0>(vector, bytes.cast()),
            4 => v128_store32_lane::<0>(vector, bytes.cast()),
            _ => v128_store16_lane::<0>(vector, bytes.cast()),
        }
    }
}

/// Two 16-bit values in every 32-bit lane (a pair of weights for `i32x4.dot_i16x8_s`).
#[inline(always)]
pub(crate) fn splat_pair(pair: &[i16; 2]) -> v128 {
    // SAFETY: reads the four bytes of `pair`.
    unsafe { v128_load32_splat(pair.as_ptr().cast()) }
}

/// As [`load`], for the `N` values at `values[offset..]`, those past the end of `values` read as
/// zero: for the windows at the end of an image, whose extra values meet zero weights.
#[inline(always)]
pub(crate) fn load_padded<T: Lane, const N: usize>(values: &[T], offset: usize) -> v128 {
    let rest = values.get(offset..).unwrap_or_default();
    match rest.first_chunk::<N>() {
        Some(chunk) => load(chunk),
        None => {
            let mut padded = [T::default(); N];
            padded[..rest.len()].copy_from_slice(rest);
            load(&padded)
        }
    }
}

/// Where a kernel's inner loop loads vectors from, at offsets into one slice: a [`Window`] of
/// it, with no bounds checks, or for the few windows that reach past its end, the whole slice
/// with [`load_padded`]. Kernels are generic over the two, so each gets its own loop.
pub(crate) trait Loads<T: Lane> {
    /// The `N` values at `offset`, as [`load`] reads them.
    ///
    /// # Safety
    /// From a [`Window`], `offset + N` is at most the window's end; from a slice, any offset is
    /// sound.
    unsafe fn load<const N: usize>(&self, offset: usize) -> v128;
}

impl<T: Lane> Loads<T> for [T] {
    #[inline(always)]
    unsafe fn load<const N: usize>(&self, offset: usize) -> v128 {
        load_padded::<T, N>(self, offset)
    }
}

/// The start of a slice up to an end checked once, when the window is made, so that the many
/// loads a kernel's inner loop takes inside it need no bounds check of their own. (A safe
/// variant that clamped each offset instead made the resize passes 6 to 85% slower.)
#[derive(Clone, Copy)]
pub(crate) struct Window<'a, T> {
    values: &'a [T],
}

impl<'a, T: Lane> Window<'a, T> {
    /// `values[..end]`, or `None` where `end` is past the end of `values`.
    #[inline(always)]
    pub(crate) fn new(values: &'a [T], end: usize) -> Option<Self> {
        values.get(..end).map(|values| Window { values })
    }
}

impl<T: Lane> Loads<T> for Window<'_, T> {
    #[inline(always)]
    unsafe fn load<const N: usize>(&self, offset: usize) -> v128 {
        debug_assert!(offset + N <= self.values.len(), "a load outside its window");
        // SAFETY: the caller keeps the `N` values inside the window, which is inside its slice.
        load(unsafe { &*self.values.as_ptr().add(offset).cast::<[T; N]>() })
    }
}

/// `ROWS` rows of `WIDTH` bytes, `stride` apart, their bounds checked once when made, so that a
/// vector goes to each with no branch. A kernel that computes a block and then stores its rows
/// each under a bounds check of its own is slow in V8: it moves each stored value's arithmetic
/// into that store's branch, copying what the rows share into every one (an IDCT's whole
/// transform, eight times).
pub(crate) struct RowsMut<'a, const ROWS: usize, const WIDTH: usize> {
    out: &'a mut [u8],
    stride: usize,
}

impl<'a, const ROWS: usize, const WIDTH: usize> RowsMut<'a, ROWS, WIDTH> {
    /// The rows at the start of `out`, or `None` where `out` is too short or `stride` under
    /// `WIDTH`.
    #[inline(always)]
    pub(crate) fn new(out: &'a mut [u8], stride: usize) -> Option<Self> {
        const { assert!(ROWS > 0) };
        let needed = (ROWS - 1).checked_mul(stride)?.checked_add(WIDTH)?;
        (stride >= WIDTH && out.len() >= needed).then_some(RowsMut { out, stride })
    }

    /// The low `WIDTH` bytes of `vector` into row `ROW`.
    #[inline(always)]
    pub(crate) fn store<const ROW: usize>(&mut self, vector: v128) {
        const { assert!(ROW < ROWS) };
        // SAFETY: `ROW × stride + WIDTH` is at most `(ROWS - 1) × stride + WIDTH`, which `new`
        // checked is within `out`, without overflow.
        let row = unsafe { &mut *self.out.as_mut_ptr().add(ROW * self.stride).cast::<[u8; WIDTH]>() };
        store(row, vector);
    }
}
