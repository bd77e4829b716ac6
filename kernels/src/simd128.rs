//! Constants and helpers the simd128 kernels share.

use core::arch::wasm32::*;

/// Selects the alpha bytes of four RGBA pixels.
pub(crate) const ALPHA_BYTES_MASK: v128 = u32x4(0xff00_0000, 0xff00_0000, 0xff00_0000, 0xff00_0000);

/// A vector from sixteen bytes, usable in constants (for swizzle masks built by `const fn`s).
pub(crate) const fn bytes(b: [i8; 16]) -> v128 {
    i8x16(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
}
