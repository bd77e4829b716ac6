//! simd128 orientation: mirrored rows reverse whole vectors of pixels with swizzles; transposes
//! move 4 × 4-pixel blocks through registers. Pixels outside whole blocks take the scalar path.

use core::arch::wasm32::*;

use super::{scalar::copy_pixels, Orientation};
use crate::simd::masks::{mask_table, ZERO};
use crate::simd::memory::{load, store};
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
    let mut masks = [[[ZERO; 16]; 3]; 3];
    let mut output = 0;
    while output < vectors * 16 {
        let (pixel, channel) = (output / channels, output % channels);
        let input = (pixels - 1 - pixel) * channels + channel;
        masks[output / 16][input / 16][output % 16] = (input % 16) as i8;
        output += 1;
    }
    Reversal { pixels, vectors, masks: mask_table(masks) }
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
            for (vector, chunk) in loaded.iter_mut().zip(input.as_chunks::<16>().0) {
                *vector = load(chunk);
            }
            for (masks, chunk) in reversal.masks.iter().zip(out.as_chunks_mut::<16>().0) {
                let mut reversed = u8x16_splat(0);
                for (&vector, &mask) in loaded.iter().zip(masks).take(reversal.vectors) {
                    reversed = v128_or(reversed, i8x16_swizzle(vector, mask));
                }
                store(chunk, reversed);
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
    let mut masks = [[[ZERO; 16]; 4]; 4];
    let mut i = 0;
    while i < 4 {
        let mut k = 0;
        while k < 4 {
            let mut c = 0;
            while c < 3 {
                masks[i][k][3 * i + c] = (3 * k + c) as i8;
                c += 1;
            }
            k += 1;
        }
        i += 1;
    }
    mask_table(masks)
};

fn transposed(src: ImageRef<'_>, mut dst: ImageMut<'_>, orientation: Orientation) {
    let channels = src.layout.channels();
    let (width, height) = (dst.width, dst.height);
    let (block_width, block_height) = (width / 4 * 4, height / 4 * 4);
    match src.layout {
        PixelLayout::L8 => transposed_blocks::<4>(&src, &mut dst, orientation),
        PixelLayout::Rgb8 => transposed_blocks::<12>(&src, &mut dst, orientation),
        PixelLayout::Rgba8 => transposed_blocks::<16>(&src, &mut dst, orientation),
    }
    for (y, row) in dst.pixels.chunks_mut(dst.stride).take(height).enumerate() {
        let first_x = if y < block_height { block_width } else { 0 };
        copy_pixels(&src, &mut row[first_x * channels..width * channels], y, first_x, orientation, width, height);
    }
}

/// The whole 4 × 4-pixel blocks of a transposing orientation; `FOUR_PIXELS` is the bytes of four
/// pixels of the layout, moved as one vector.
#[inline(always)]
fn transposed_blocks<const FOUR_PIXELS: usize>(src: &ImageRef<'_>, dst: &mut ImageMut<'_>, orientation: Orientation) {
    let channels = src.layout.channels();
    let (width, height) = (dst.width, dst.height);
    let (block_width, block_height) = (width / 4 * 4, height / 4 * 4);
    for oy in (0..block_height).step_by(4) {
        // Destination rows oy..oy + 4 read source columns sx..sx + 4.
        let sx = if orientation.mirror_y { height - 4 - oy } else { oy };
        for ox in (0..block_width).step_by(4) {
            let rows: [v128; 4] = core::array::from_fn(|i| {
                let sy = if orientation.mirror_x { width - 1 - (ox + i) } else { ox + i };
                let at = sy * src.stride + sx * channels;
                // The slice is `FOUR_PIXELS` long, so the conversion cannot fail.
                <&[u8; FOUR_PIXELS]>::try_from(&src.pixels[at..at + FOUR_PIXELS]).map_or(u8x16_splat(0), load)
            });
            // Column k of the source block, as four pixels, for each destination row.
            let columns = transpose(rows, src.layout, orientation.mirror_y);
            for (j, column) in columns.into_iter().enumerate() {
                let at = (oy + j) * dst.stride + ox * channels;
                if let Ok(out) = <&mut [u8; FOUR_PIXELS]>::try_from(&mut dst.pixels[at..at + FOUR_PIXELS]) {
                    store(out, column);
                }
            }
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
