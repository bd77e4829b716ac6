//! The reference resize passes, in either order. The simd128 twins must match these bit for bit; integer sums are
//! exact, so any summation order gives the same result.

use super::{
    intermediate_sample, round_to_intermediate, vertical_intermediate, vertical_sample, AxisWeights, OutputSample,
    Sample, VerticalRows,
};
use crate::{ImageMut, ImageRef};

pub(super) fn horizontal<S: Sample>(
    src: ImageRef<'_, S>,
    rows: core::ops::Range<usize>,
    weights: &AxisWeights,
    dst: &mut [i16],
) {
    let channels = src.layout.channels();
    let row_len = weights.starts.len() * channels;
    for (y, out_row) in rows.zip(dst.chunks_exact_mut(row_len)) {
        let in_row = &src.pixels[y * src.stride..y * src.stride + src.width * channels];
        for (x, out_pixel) in out_row.chunks_exact_mut(channels).enumerate() {
            let window = &in_row[weights.starts[x] * channels..];
            for (c, out) in out_pixel.iter_mut().enumerate() {
                let sum: i32 = weights
                    .weights(x)
                    .iter()
                    .enumerate()
                    .map(|(k, &w)| window[k * channels + c].value() * w as i32)
                    .sum();
                *out = round_to_intermediate::<S>(sum);
            }
        }
    }
}

pub(super) fn vertical<S: Sample, O: OutputSample>(
    src: &[i16],
    row_len: usize,
    weights: &VerticalRows<'_>,
    dst: ImageMut<'_, O>,
) {
    for (y, out_row) in weights.outputs.clone().zip(dst.pixels.chunks_mut(dst.stride).take(dst.height)) {
        let (start, taps) = weights.axis.nonzero_window(y);
        let window = (start - weights.origin) * row_len;
        for (x, out) in out_row[..row_len].iter_mut().enumerate() {
            *out = vertical_sample::<S, O>(src, window + x, row_len, taps);
        }
    }
}

/// The vertical pass first (see `rows.rs` for when): rows of samples `stride` apart, `row_len`
/// values read from each, into packed intermediate rows, one per output row of `weights.outputs`.
pub(super) fn vertical_first<S: Sample>(
    src: &[S],
    (stride, row_len): (usize, usize),
    weights: &VerticalRows<'_>,
    dst: &mut [i16],
) {
    for (y, out_row) in weights.outputs.clone().zip(dst.chunks_exact_mut(row_len)) {
        let (start, taps) = weights.axis.nonzero_window(y);
        let window = (start - weights.origin) * stride;
        for (x, out) in out_row.iter_mut().enumerate() {
            *out = vertical_intermediate(src, window + x, stride, taps);
        }
    }
}

/// Then the horizontal pass: packed intermediate rows of `row_len` values into the rows of
/// `dst`, rounded to outputs as the vertical pass of the other order rounds them.
pub(super) fn horizontal_last<S: Sample, O: OutputSample>(
    src: &[i16],
    row_len: usize,
    weights: &AxisWeights,
    dst: ImageMut<'_, O>,
) {
    let channels = dst.layout.channels();
    for (in_row, out_row) in src.chunks_exact(row_len).zip(dst.pixels.chunks_mut(dst.stride).take(dst.height)) {
        for (x, out_pixel) in out_row[..dst.width * channels].chunks_exact_mut(channels).enumerate() {
            let window = &in_row[weights.starts[x] * channels..];
            for (c, out) in out_pixel.iter_mut().enumerate() {
                *out = intermediate_sample::<S, O>(window, c, channels, weights.weights(x));
            }
        }
    }
}
