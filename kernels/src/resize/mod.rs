//! Separable convolution resize: a horizontal pass from samples (`u8`, or 12-bit linear light in
//! `u16`) into an `i16` fixed-point intermediate, then a vertical pass back to samples.
//!
//! The intermediate keeps [`Sample::INTERMEDIATE_BITS`] fractional bits and is not clamped to the
//! sample range, so overshoot from negative filter lobes survives into the second pass as it
//! would in floating point; this keeps the result within one level of a float reference.
//!
//! Every resize runs through [`RowResizer`], which takes source rows in bands and keeps only the
//! intermediate rows the vertical filter still needs.

mod filter;
mod rows;
mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
mod weights;

pub use filter::{Filter, Profile};
pub use rows::RowResizer;
pub use weights::{AxisWeights, WEIGHT_BITS};

use crate::{Backend, ImageMut, ImageRef, KernelError};

/// Fractional bits of an `i16` output ([`OutputSample`]): a value is 16 times the sample.
pub const FINE_BITS: u32 = 4;

/// What the last pass writes: samples of the input's type, or `i16` values keeping
/// [`FINE_BITS`] fractional bits (unclamped but for the `i16` range), for a caller that converts
/// the result further (YCbCr planes to RGB) and would otherwise round twice.
pub trait OutputSample: Copy + Default + 'static {
    /// Fractional bits kept beyond the sample's unit.
    const FRACTION_BITS: u32;
    /// A rounded result clamped to what the type holds: `0..=255` for bytes, 12 bits for linear
    /// light, the `i16` range for fine values.
    fn clamped(value: i32) -> Self;
}

impl OutputSample for u8 {
    const FRACTION_BITS: u32 = 0;
    #[inline(always)]
    fn clamped(value: i32) -> Self {
        value.clamp(0, 255) as u8
    }
}

impl OutputSample for u16 {
    const FRACTION_BITS: u32 = 0;
    #[inline(always)]
    fn clamped(value: i32) -> Self {
        value.clamp(0, crate::LINEAR_MAX as i32) as u16
    }
}

impl OutputSample for i16 {
    const FRACTION_BITS: u32 = FINE_BITS;
    #[inline(always)]
    fn clamped(value: i32) -> Self {
        value.clamp(i16::MIN as i32, i16::MAX as i32) as i16
    }
}

/// The sample types the resize passes read (and, by default, write).
pub trait Sample: OutputSample {
    /// Fractional bits of the `i16` values between the two passes: the largest sample times
    /// `1 << INTERMEDIATE_BITS` leaves the `i16` range twice over, for overshoot.
    const INTERMEDIATE_BITS: u32;
    /// Whether a resize may filter vertically first (see `rows.rs`): bytes only. Linear light
    /// keeps the horizontal pass first, so that the code for it stays out of the Worker's wasm,
    /// whose 1 MiB gzip budget it would not fit.
    const VERTICAL_FIRST: bool;
    fn value(self) -> i32;

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn simd_horizontal(src: ImageRef<'_, Self>, rows: core::ops::Range<usize>, weights: &AxisWeights, dst: &mut [i16]);

    /// The vertical pass first on simd128: `VerticalRows` of `axis`, `outputs` and `origin`.
    /// Samples never filtered vertically first (`VERTICAL_FIRST` false) keep the scalar pass.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn simd_vertical_first(
        src: &[Self],
        rows_read: (usize, usize),
        (axis, outputs, origin): (&AxisWeights, core::ops::Range<usize>, usize),
        dst: &mut [i16],
    ) {
        scalar::vertical_first(src, rows_read, &VerticalRows { axis, outputs, origin }, dst)
    }
}

impl Sample for u8 {
    const INTERMEDIATE_BITS: u32 = 6;
    const VERTICAL_FIRST: bool = true;
    #[inline(always)]
    fn value(self) -> i32 {
        self as i32
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn simd_horizontal(src: ImageRef<'_, u8>, rows: core::ops::Range<usize>, weights: &AxisWeights, dst: &mut [i16]) {
        simd128::horizontal(src, rows, weights, dst)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn simd_vertical_first(
        src: &[u8],
        rows_read: (usize, usize),
        (axis, outputs, origin): (&AxisWeights, core::ops::Range<usize>, usize),
        dst: &mut [i16],
    ) {
        simd128::vertical_first(src, rows_read, &VerticalRows { axis, outputs, origin }, dst)
    }
}

/// Linear light: 12-bit values (see [`crate::to_linear`]).
impl Sample for u16 {
    const INTERMEDIATE_BITS: u32 = 2;
    const VERTICAL_FIRST: bool = false;
    #[inline(always)]
    fn value(self) -> i32 {
        self as i32
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn simd_horizontal(src: ImageRef<'_, u16>, rows: core::ops::Range<usize>, weights: &AxisWeights, dst: &mut [i16]) {
        simd128::horizontal_linear(src, rows, weights, dst)
    }
}

/// The part of the source image to resize, in source pixels; fractional edges are sampled
/// exactly (used for crops whose bounds fall between pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceRegion {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl SourceRegion {
    pub fn whole(width: usize, height: usize) -> Self {
        SourceRegion { left: 0.0, top: 0.0, width: width as f64, height: height as f64 }
    }

    fn is_inside(&self, width: usize, height: usize) -> bool {
        let finite = [self.left, self.top, self.width, self.height].iter().all(|v| v.is_finite());
        finite
            && self.left >= 0.0
            && self.top >= 0.0
            && self.width > 0.0
            && self.height > 0.0
            && self.left + self.width <= width as f64 + 1e-9
            && self.top + self.height <= height as f64 + 1e-9
    }
}

/// Resizes `region` of `src` to fill all of `dst` with `filter`; samples are bytes, or 12-bit
/// linear light for gamma-correct resizing ([`crate::to_linear`]).
///
/// RGBA input should be premultiplied (see [`crate::premultiply`]) so colour does not bleed from
/// transparent pixels.
pub fn resize<S: Sample>(
    src: ImageRef<'_, S>,
    region: SourceRegion,
    dst: ImageMut<'_, S>,
    filter: Filter,
    backend: Backend,
) -> Result<(), KernelError> {
    src.validate()?;
    dst.validate()?;
    if src.layout != dst.layout {
        return Err(KernelError::LayoutMismatch);
    }
    if !region.is_inside(src.width, src.height) {
        return Err(KernelError::BadRegion);
    }
    convolve(src, region, dst, Profile::Filter(filter), Profile::Filter(filter), backend)
}

/// The two passes: `region` of `src` onto all of `dst`, weighted by `horizontal` and `vertical`,
/// through a [`RowResizer`] given the rows it reads as one band. The arguments are already
/// validated.
pub(crate) fn convolve<S: Sample>(
    src: ImageRef<'_, S>,
    region: SourceRegion,
    mut dst: ImageMut<'_, S>,
    horizontal: Profile,
    vertical: Profile,
    backend: Backend,
) -> Result<(), KernelError> {
    let source = (src.width, src.height);
    let output = (dst.width, dst.height);
    let mut resizer = RowResizer::with_profiles(source, src.layout, region, output, horizontal, vertical, backend)?;
    let rows = resizer.source_rows();
    let band = ImageRef { pixels: &src.pixels[rows.start * src.stride..], height: rows.len(), ..src };
    resizer.push(band, &mut dst)?;
    resizer.finish()
}

/// Filters rows `rows` of `src` horizontally into `dst`: one tightly packed `i16` row of
/// `weights.starts.len() * channels` values per source row.
fn horizontal_pass<S: Sample>(
    backend: Backend,
    src: ImageRef<'_, S>,
    rows: core::ops::Range<usize>,
    weights: &AxisWeights,
    dst: &mut [i16],
) {
    match backend {
        Backend::Scalar => scalar::horizontal(src, rows, weights, dst),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => S::simd_horizontal(src, rows, weights, dst),
    }
}

/// Output rows `weights.outputs` of a vertical pass (`dst` holds exactly those rows), from
/// intermediate rows counted from source row `weights.origin`.
pub(crate) struct VerticalRows<'a> {
    pub axis: &'a AxisWeights,
    pub outputs: core::ops::Range<usize>,
    pub origin: usize,
}

/// Filters the packed `i16` rows of `src` (each `row_len` values long) vertically into `dst`.
fn vertical_pass<S: Sample, O: OutputSample>(
    backend: Backend,
    src: &[i16],
    row_len: usize,
    weights: &VerticalRows<'_>,
    dst: ImageMut<'_, O>,
) {
    match backend {
        Backend::Scalar => scalar::vertical::<S, O>(src, row_len, weights, dst),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::vertical::<S, O>(src, row_len, weights, dst),
    }
}

/// Rounds a horizontal-pass accumulator (weights × samples) to the intermediate's fixed point.
#[inline(always)]
fn round_to_intermediate<S: Sample>(sum: i32) -> i16 {
    let shift = WEIGHT_BITS - S::INTERMEDIATE_BITS;
    ((sum + (1 << (shift - 1))) >> shift).clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// Filters the sample rows of `src` (`stride` values apart, `row_len` read from each)
/// vertically into packed intermediate rows in `dst`, one per output row of `weights` (the
/// vertical pass first).
fn vertical_first_pass<S: Sample>(
    backend: Backend,
    src: &[S],
    (stride, row_len): (usize, usize),
    weights: &VerticalRows<'_>,
    dst: &mut [i16],
) {
    match backend {
        Backend::Scalar => scalar::vertical_first(src, (stride, row_len), weights, dst),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => {
            S::simd_vertical_first(src, (stride, row_len), (weights.axis, weights.outputs.clone(), weights.origin), dst)
        }
    }
}

/// Filters the packed intermediate rows of `src` (each `row_len` values long) horizontally into
/// the rows of `dst` (the horizontal pass last).
fn horizontal_last_pass<S: Sample, O: OutputSample>(
    backend: Backend,
    src: &[i16],
    row_len: usize,
    weights: &AxisWeights,
    dst: ImageMut<'_, O>,
) {
    match backend {
        Backend::Scalar => scalar::horizontal_last::<S, O>(src, row_len, weights, dst),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::horizontal_last::<S, O>(src, row_len, weights, dst),
    }
}

/// One intermediate value of the vertical pass first: the samples at `src[first]`,
/// `src[first + row_len]`, ... weighted by `taps`, rounded as the horizontal pass rounds.
#[inline(always)]
fn vertical_intermediate<S: Sample>(src: &[S], first: usize, row_len: usize, taps: &[i16]) -> i16 {
    let sum: i32 = taps.iter().enumerate().map(|(k, &w)| src[first + k * row_len].value() * w as i32).sum();
    round_to_intermediate::<S>(sum)
}

/// One output channel value of the second pass from intermediate values: channel `channel` of
/// the `taps.len()` pixels (`channels` values apart) at the start of `window`, weighted and
/// rounded to a sample as [`vertical_sample`] rounds.
#[inline(always)]
fn intermediate_sample<S: Sample, O: OutputSample>(window: &[i16], channel: usize, channels: usize, taps: &[i16]) -> O {
    let shift = output_shift::<S, O>();
    let sum: i32 = taps.iter().enumerate().map(|(k, &w)| window[k * channels + channel] as i32 * w as i32).sum();
    O::clamped((sum + (1 << (shift - 1))) >> shift)
}

/// The shift that rounds a second-pass sum (intermediate × weight) to an output value.
#[inline(always)]
const fn output_shift<S: Sample, O: OutputSample>() -> u32 {
    WEIGHT_BITS + S::INTERMEDIATE_BITS - O::FRACTION_BITS
}

/// One output channel value of the vertical pass: the intermediate values at `src[first]`,
/// `src[first + row_len]`, ... weighted by `taps`, rounded to a sample.
#[inline(always)]
fn vertical_sample<S: Sample, O: OutputSample>(src: &[i16], first: usize, row_len: usize, taps: &[i16]) -> O {
    let shift = output_shift::<S, O>();
    let sum: i32 = taps.iter().enumerate().map(|(k, &w)| src[first + k * row_len] as i32 * w as i32).sum();
    O::clamped((sum + (1 << (shift - 1))) >> shift)
}
