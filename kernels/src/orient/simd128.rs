//! simd128 orientation: mirrored rows reverse whole vectors of pixels with swizzles; transposes
//! move 4 × 4-pixel blocks through registers. Pixels outside whole blocks take the scalar path.

use core::arch::wasm32::*;

use super::{scalar::copy_pixels, Orientation};
use crate::simd128::bytes;
use crate::{ImageMut, ImageRef, PixelLayout};

pub(super) fn orient(src: ImageRef<'_>, dst: ImageMut<'_>, orientation: Orientation) {
    if orientation.transpose {
        transposed(src, dst, orientation);
    } else {
        untransposed(src, dst, orientation);
    }
}

/// Pixels per reversed group and its byte swizzles: `[output vector][input vector]`, with -1
/// (any index of 16 or more) where a byte comes from another input vector.
struct Reversal {
    pixels: usize,
    vectors: usize,
    masks: [[v128; 3]; 3],
}

const fn reversal(channels: usize, pixels: usize) -> Reversal {
    let vectors = channels * pixels / 16;
    let mut masks = [[[-1i8; 16]; 3]; 3];
    let mut output = 0;
    while output < vectors * 16 {
        let (pixel, channel) = (output / channels, output % channels);
        let input = (pixels - 1 - pixel) * channels + channel;
        masks[output / 16][input / 16][output % 16] = (input % 16) as i8;
        output += 1;
    }
    let mut vectors_masks = [[bytes([-1; 16]); 3]; 3];
    let mut v = 0;
    while v < 3 {
        let mut u = 0;
        while u < 3 {
            vectors_masks[v][u] = bytes(masks[v][u]);
            u += 1;
        }
        v += 1;
    }
    Reversal { pixels, vectors, masks: vectors_masks }
}

const REVERSE_L8: Reversal = reversal(1, 16);
const REVERSE_RGB8: Reversal = reversal(3, 16);
const REVERSE_RGBA8: Reversal = reversal(4, 4);

fn untransposed(src: ImageRef<'_>, dst: ImageMut<'_>, orientation: Orientation) {
    let channels = src.layout.channels();
    let (width, height) = (dst.width, dst.height);
    let reversal = match src.layout {
        PixelLayout::L8 => &REVERSE_L8,
        PixelLayout::Rgb8 => &REVERSE_RGB8,
        PixelLayout::Rgba8 => &REVERSE_RGBA8,
    };
    for (y, row) in dst.pixels.chunks_mut(dst.stride).take(height).enumerate() {
        let row = &mut row[..width * channels];
        let sy = if orientation.mirror_y { height - 1 - y } else { y };
        let source = &src.pixels[sy * src.stride..sy * src.stride + width * channels];
        if !orientation.mirror_x {
            row.copy_from_slice(source);
            continue;
        }
        let group_bytes = reversal.pixels * channels;
        let groups = width / reversal.pixels;
        for (g, out) in row.chunks_exact_mut(group_bytes).take(groups).enumerate() {
            let start = (width - (g + 1) * reversal.pixels) * channels;
            let input = &source[start..start + group_bytes];
            let mut loaded = [u8x16_splat(0); 3];
            for (vector, chunk) in loaded.iter_mut().zip(input.chunks_exact(16)) {
                // SAFETY: `chunk` is sixteen readable bytes.
                *vector = unsafe { v128_load(chunk.as_ptr() as *const v128) };
            }
            for (masks, chunk) in reversal.masks.iter().zip(out.chunks_exact_mut(16)) {
                let mut reversed = u8x16_splat(0);
                for (&vector, &mask) in loaded.iter().zip(masks).take(reversal.vectors) {
                    reversed = v128_or(reversed, i8x16_swizzle(vector, mask));
                }
                // SAFETY: `chunk` is sixteen writable bytes.
                unsafe { v128_store(chunk.as_mut_ptr() as *mut v128, reversed) };
            }
        }
        let done = groups * reversal.pixels;
        copy_pixels(&src, &mut row[done * channels..], y, done, orientation, width, height);
    }
}

/// Swizzle gathering byte `k` of four packed 4-byte rows: the L8 transpose, row by row.
const TRANSPOSE_L8: v128 = i8x16(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
const TRANSPOSE_L8_MIRRORED: v128 = i8x16(3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12);

/// `RGB_COLUMN[i][k]` moves pixel `k` of an RGB row vector to bytes `3i..3i + 3`.
const RGB_COLUMN: [[v128; 4]; 4] = {
    let mut masks = [[bytes([-1; 16]); 4]; 4];
    let mut i = 0;
    while i < 4 {
        let mut k = 0;
        while k < 4 {
            let mut mask = [-1i8; 16];
            let mut c = 0;
            while c < 3 {
                mask[3 * i + c] = (3 * k + c) as i8;
                c += 1;
            }
            masks[i][k] = bytes(mask);
            k += 1;
        }
        i += 1;
    }
    masks
};

fn transposed(src: ImageRef<'_>, dst: ImageMut<'_>, orientation: Orientation) {
    let channels = src.layout.channels();
    let (width, height) = (dst.width, dst.height);
    let (block_width, block_height) = (width / 4 * 4, height / 4 * 4);
    let block_bytes = 4 * channels;
    for oy in (0..block_height).step_by(4) {
        // Destination rows oy..oy + 4 read source columns sx..sx + 4.
        let sx = if orientation.mirror_y { height - 4 - oy } else { oy };
        for ox in (0..block_width).step_by(4) {
            let rows: [v128; 4] = core::array::from_fn(|i| {
                let sy = if orientation.mirror_x { width - 1 - (ox + i) } else { ox + i };
                let at = sy * src.stride + sx * channels;
                load_pixels(&src.pixels[at..at + block_bytes])
            });
            // Column k of the source block, as four pixels, for each destination row.
            let columns = transpose(rows, src.layout, orientation.mirror_y);
            for (j, column) in columns.into_iter().enumerate() {
                let at = (oy + j) * dst.stride + ox * channels;
                store_pixels(&mut dst.pixels[at..at + block_bytes], column);
            }
        }
    }
    for (y, row) in dst.pixels.chunks_mut(dst.stride).take(height).enumerate() {
        let first_x = if y < block_height { block_width } else { 0 };
        copy_pixels(&src, &mut row[first_x * channels..width * channels], y, first_x, orientation, width, height);
    }
}

/// Four pixels (4, 12 or 16 bytes) into the low bytes of a vector.
#[inline(always)]
fn load_pixels(bytes: &[u8]) -> v128 {
    // SAFETY: each load reads inside `bytes`, whose length is four pixels.
    unsafe {
        match bytes.len() {
            16 => v128_load(bytes.as_ptr() as *const v128),
            12 => v128_load32_lane::<2>(
                v128_load64_zero(bytes.as_ptr() as *const u64),
                bytes.as_ptr().add(8) as *const u32,
            ),
            _ => v128_load32_zero(bytes.as_ptr() as *const u32),
        }
    }
}

/// The low 4, 12 or 16 bytes of `pixels` into `bytes`.
#[inline(always)]
fn store_pixels(bytes: &mut [u8], pixels: v128) {
    // SAFETY: each store writes inside `bytes`, whose length is four pixels.
    unsafe {
        match bytes.len() {
            16 => v128_store(bytes.as_mut_ptr() as *mut v128, pixels),
            12 => {
                v128_store64_lane::<0>(pixels, bytes.as_mut_ptr() as *mut u64);
                v128_store32_lane::<2>(pixels, bytes.as_mut_ptr().add(8) as *mut u32);
            }
            _ => v128_store32_lane::<0>(pixels, bytes.as_mut_ptr() as *mut u32),
        }
    }
}

/// The 4 × 4 pixel transpose: result `j` holds pixel `k` of each of `rows`, where `k` is `j`, or
/// `3 - j` when `reversed`.
#[inline(always)]
fn transpose(rows: [v128; 4], layout: PixelLayout, reversed: bool) -> [v128; 4] {
    let order = |columns: [v128; 4]| if reversed { [columns[3], columns[2], columns[1], columns[0]] } else { columns };
    match layout {
        PixelLayout::L8 => {
            let packed = i32x4_shuffle::<0, 4, 1, 5>(rows[0], rows[1]);
            let packed = i64x2_shuffle::<0, 2>(packed, i32x4_shuffle::<0, 4, 1, 5>(rows[2], rows[3]));
            let all = i8x16_swizzle(packed, if reversed { TRANSPOSE_L8_MIRRORED } else { TRANSPOSE_L8 });
            // Each destination row's four bytes, moved to the low lane for the store.
            [
                all,
                i32x4_shuffle::<1, 1, 1, 1>(all, all),
                i32x4_shuffle::<2, 2, 2, 2>(all, all),
                i32x4_shuffle::<3, 3, 3, 3>(all, all),
            ]
        }
        PixelLayout::Rgb8 => order(core::array::from_fn(|k| {
            let mut column = u8x16_splat(0);
            for (i, &row) in rows.iter().enumerate() {
                column = v128_or(column, i8x16_swizzle(row, RGB_COLUMN[i][k]));
            }
            column
        })),
        PixelLayout::Rgba8 => {
            let low01 = i32x4_shuffle::<0, 4, 1, 5>(rows[0], rows[1]);
            let low23 = i32x4_shuffle::<0, 4, 1, 5>(rows[2], rows[3]);
            let high01 = i32x4_shuffle::<2, 6, 3, 7>(rows[0], rows[1]);
            let high23 = i32x4_shuffle::<2, 6, 3, 7>(rows[2], rows[3]);
            order([
                i64x2_shuffle::<0, 2>(low01, low23),
                i64x2_shuffle::<1, 3>(low01, low23),
                i64x2_shuffle::<0, 2>(high01, high23),
                i64x2_shuffle::<1, 3>(high01, high23),
            ])
        }
    }
}
