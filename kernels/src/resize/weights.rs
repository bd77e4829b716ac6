//! Fixed-point filter weights for one axis of a separable resize.

use super::Profile;

/// Weights are fixed point with this many fractional bits, and sum to exactly `1 << WEIGHT_BITS`.
pub const WEIGHT_BITS: u32 = 14;

/// For each output position along one axis: a window of `taps` consecutive source positions
/// starting at `starts[i]`, with `taps` weights at `values[i * taps ..]`. Every window lies
/// inside the source, so kernels never read outside it. Starts mostly grow with the output
/// position, but may step back by a position or two where a window was trimmed of a zero weight
/// (Catmull-Rom and Lanczos cross zero; upscales meet such points every few outputs).
#[derive(Clone, Debug)]
pub struct AxisWeights {
    pub taps: usize,
    pub starts: Vec<usize>,
    pub values: Vec<i16>,
}

impl AxisWeights {
    /// Weights sampling `region_len` source positions starting at `region_start` (both
    /// fractional, in a source of `source_len` positions) onto `output_len` positions.
    ///
    /// Windows are padded with zero weights to a multiple of `tap_multiple` taps where the
    /// source is long enough, so that SIMD loops take whole groups of taps (the colour ones
    /// still end on a pair); zero weights do not change the sums.
    ///
    /// Callers guarantee `source_len >= 1`, `output_len >= 1`, and a finite, positive region
    /// inside `[0, source_len]`.
    pub fn new(
        profile: Profile,
        source_len: usize,
        region_start: f64,
        region_len: f64,
        output_len: usize,
        tap_multiple: usize,
    ) -> Self {
        let scale = region_len / output_len as f64;
        Self::from_windows(source_len, output_len, tap_multiple, |i, weights| {
            let centre = region_start + (i as f64 + 0.5) * scale;
            window(profile, source_len, centre, scale, weights)
        })
    }

    /// As [`AxisWeights::new`] on the plane a stored plane of `stored_len` positions becomes when
    /// libjpeg's "fancy" upsampling doubles it (JPEG's subsampled chroma; `upsampled_len`
    /// positions, to which the region refers), folded back onto the stored positions: upsampled
    /// position `k` is 3/4 of stored `k / 2` and 1/4 of its neighbour on `k`'s side (itself at
    /// the ends), so a stored position's weight is the sum of those shares of the upsampled
    /// weights. Resizing the stored plane with these is resizing the upsampled one, without it.
    pub fn halved(
        profile: Profile,
        (stored_len, upsampled_len): (usize, usize),
        region_start: f64,
        region_len: f64,
        output_len: usize,
        tap_multiple: usize,
    ) -> Self {
        let scale = region_len / output_len as f64;
        let mut upsampled = Vec::new();
        let last = stored_len - 1;
        Self::from_windows(stored_len, output_len, tap_multiple, |i, weights| {
            upsampled.clear();
            let centre = region_start + (i as f64 + 0.5) * scale;
            let first = window(profile, upsampled_len, centre, scale, &mut upsampled);
            let shares = |k: usize| {
                let near = (k / 2).min(last);
                let far = if k.is_multiple_of(2) { near.saturating_sub(1) } else { (near + 1).min(last) };
                (near, far)
            };
            let end = first + upsampled.len();
            let low = shares(first).1.min(shares(first).0);
            let high = shares(end - 1).1.max(shares(end - 1).0);
            let offset = weights.len();
            weights.resize(offset + high + 1 - low, 0.0);
            for (k, &w) in (first..end).zip(&upsampled) {
                let (near, far) = shares(k);
                weights[offset + near - low] += 0.75 * w;
                weights[offset + far - low] += 0.25 * w;
            }
            low
        })
    }

    /// The weights from each output position's float window, which `window` appends to the
    /// buffer it is given (normalized), returning the source position of its first weight.
    fn from_windows(
        source_len: usize,
        output_len: usize,
        tap_multiple: usize,
        mut window: impl FnMut(usize, &mut Vec<f64>) -> usize,
    ) -> Self {
        // All windows' float weights in one buffer: (first source position, offset, length).
        let mut float_weights = Vec::new();
        let spans: Vec<(usize, usize, usize)> = (0..output_len)
            .map(|i| {
                let offset = float_weights.len();
                let first = window(i, &mut float_weights);
                (first, offset, float_weights.len() - offset)
            })
            .collect();
        let longest = spans.iter().map(|span| span.2).max().unwrap_or(1);
        let taps = longest.next_multiple_of(tap_multiple.max(1)).min(source_len);

        let mut starts = Vec::with_capacity(output_len);
        let mut values = vec![0i16; output_len * taps];
        for (i, &(first, offset, len)) in spans.iter().enumerate() {
            // Shift the window left where needed so all `taps` positions stay inside the source;
            // the extra positions get zero weight.
            let start = first.min(source_len - taps);
            let shift = first - start;
            let fixed = &mut values[i * taps..(i + 1) * taps];
            quantize(&float_weights[offset..offset + len], &mut fixed[shift..shift + len]);
            starts.push(start);
        }
        AxisWeights { taps, starts, values }
    }

    pub fn weights(&self, output_index: usize) -> &[i16] {
        &self.values[output_index * self.taps..(output_index + 1) * self.taps]
    }

    /// Output `output_index`'s window without its zero weights at either end (the padding to
    /// `taps`): its first source position and the weights from there. The same sums, fewer taps
    /// to run through (a downscale's windows differ in length by a position, and `taps` is the
    /// longest rounded up).
    pub fn nonzero_window(&self, output_index: usize) -> (usize, &[i16]) {
        let weights = self.weights(output_index);
        let start = self.starts.get(output_index).copied().unwrap_or(0);
        let end = weights.iter().rposition(|&w| w != 0).map_or(0, |last| last + 1);
        let lead = weights[..end].iter().position(|&w| w != 0).unwrap_or(end);
        (start + lead, &weights[lead..end])
    }
}

/// Appends the normalized float weights of one output sample to `weights`; returns the source
/// position of the first.
fn window(profile: Profile, source_len: usize, centre: f64, scale: f64, weights: &mut Vec<f64>) -> usize {
    let nearest = (centre.floor().max(0.0) as usize).min(source_len - 1);
    if profile.is_nearest() {
        weights.push(1.0);
        return nearest;
    }
    // Downscaling widens the filter to cover every source pixel; upscaling keeps it at 1.
    let filter_scale = scale.max(1.0);
    let support = profile.support() * filter_scale;
    let first = ((centre - support).floor().max(0.0) as usize).min(source_len - 1);
    let last = ((centre + support).ceil().max(0.0) as usize).clamp(first + 1, source_len);
    let offset = weights.len();
    profile.window_weights(first..last, centre, filter_scale, weights);
    // Only the span from the first to the last non-zero weight is kept.
    let window = &weights[offset..];
    let (Some(lead), Some(end)) = (window.iter().position(|&w| w != 0.0), window.iter().rposition(|&w| w != 0.0))
    else {
        // The filter vanished on every pixel (a region narrower than one pixel): sample nearest.
        weights.truncate(offset);
        weights.push(1.0);
        return nearest;
    };
    weights.truncate(offset + end + 1);
    weights.drain(offset..offset + lead);
    let sum: f64 = weights[offset..].iter().sum();
    for w in &mut weights[offset..] {
        *w /= sum;
    }
    first + lead
}

/// Rounds normalized weights to fixed point, putting the rounding residue on the largest weight
/// so they sum to exactly one.
fn quantize(weights: &[f64], fixed: &mut [i16]) {
    let one = 1i32 << WEIGHT_BITS;
    let mut sum = 0i32;
    for (w, out) in weights.iter().zip(fixed.iter_mut()) {
        // Ties to even: wasm's own rounding (`f64.nearest`), where `round` is a software call
        // that cost a quarter of the weights' time; only an exact tie (a weight of an odd
        // number of 2^-15ths) rounds differently.
        let q = (w * one as f64).round_ties_even().clamp(i16::MIN as f64, i16::MAX as f64) as i32;
        *out = q as i16;
        sum += q;
    }
    let largest = (0..fixed.len()).max_by_key(|&k| fixed[k]).unwrap_or(0);
    let corrected = fixed[largest] as i32 + (one - sum);
    fixed[largest] = corrected.clamp(i16::MIN as i32, i16::MAX as i32) as i16;
}
