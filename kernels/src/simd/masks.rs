//! Constant vectors for `i8x16.swizzle` and `v128.bitselect`, and a zero the compiler cannot
//! see.

use core::arch::wasm32::*;

/// Selects the alpha bytes of four RGBA pixels.
pub(crate) const ALPHA_BYTES_MASK: v128 = u32x4(0xff00_0000, 0xff00_0000, 0xff00_0000, 0xff00_0000);

/// The swizzle index that selects zero (any index outside `0..16` does).
pub(crate) const ZERO: i8 = -1;

/// A swizzle mask from its sixteen byte indices, usable in constants.
const fn mask(indices: [i8; 16]) -> v128 {
    let b = indices;
    i8x16(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
}

/// A table of swizzle masks from a table of their byte indices: kernels compute the indices in
/// `const fn`s from a layout's channel count, and this turns them into vectors.
pub(crate) const fn mask_table<const ROWS: usize, const COLUMNS: usize>(
    indices: [[[i8; 16]; COLUMNS]; ROWS],
) -> [[v128; COLUMNS]; ROWS] {
    let mut table = [[mask([ZERO; 16]); COLUMNS]; ROWS];
    let mut row = 0;
    while row < ROWS {
        let mut column = 0;
        while column < COLUMNS {
            table[row][column] = mask(indices[row][column]);
            column += 1;
        }
        row += 1;
    }
    table
}

/// Zero, loaded from memory the compiler cannot see into. LLVM writes the saturating narrows
/// as clamps and casts, and where it knows an operand it rewrites them: a narrow of a known zero
/// half, or a narrow of a narrow, becomes clamps in 32-bit lanes, shuffles and a narrow (in the
/// 8 × 8 IDCT, some sixty instructions where twelve narrows and their own clamps do). A
/// narrow of this zero, or of a value ORed with it, stays a narrow: one instruction in V8, and
/// the narrow to bytes its clamp to 0..=255 (1/1 decodes 0.96-0.98x the time). Loaded once
/// before a loop, it is also a zero V8 keeps in a register for widening by interleaves (the
/// resize's vertical pass), where a zero LLVM can see becomes `extend_high`, for which V8
/// zeroes a scratch register every time.
#[inline(always)]
pub(crate) fn opaque_zero() -> v128 {
    static ZERO: v128 = u64x2(0, 0);
    *core::hint::black_box(&ZERO)
}
