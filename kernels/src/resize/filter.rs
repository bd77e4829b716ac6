use core::f64::consts::PI;
use core::ops::Range;

/// Reconstruction filters for resizing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Filter {
    /// The single source pixel under each output pixel's centre, at any scale.
    Nearest,
    /// Unweighted average of the source pixels an output pixel covers.
    Box,
    /// Triangle (tent) filter.
    Bilinear,
    /// Cubic with B = 0, C = 0.5 ("bicubic" in most tools).
    CatmullRom,
    /// Cubic with B = C = 1/3.
    Mitchell,
    /// Windowed sinc with three lobes; the sharpest, and the default.
    #[default]
    Lanczos3,
}

impl Filter {
    pub const ALL: [Filter; 6] =
        [Filter::Nearest, Filter::Box, Filter::Bilinear, Filter::CatmullRom, Filter::Mitchell, Filter::Lanczos3];

    /// Half-width of the filter, in source pixels at scale 1.
    pub fn support(self) -> f64 {
        match self {
            Filter::Nearest | Filter::Box => 0.5,
            Filter::Bilinear => 1.0,
            Filter::CatmullRom | Filter::Mitchell => 2.0,
            Filter::Lanczos3 => 3.0,
        }
    }

    /// The filter's weight at distance `x` (in source pixels at scale 1) from the sample centre.
    pub fn kernel(self, x: f64) -> f64 {
        match self {
            Filter::Nearest | Filter::Box => {
                if (-0.5..0.5).contains(&x) {
                    1.0
                } else {
                    0.0
                }
            }
            Filter::Bilinear => (1.0 - x.abs()).max(0.0),
            Filter::CatmullRom => cubic(x, 0.0, 0.5),
            Filter::Mitchell => cubic(x, 1.0 / 3.0, 1.0 / 3.0),
            Filter::Lanczos3 => {
                if x == 0.0 {
                    1.0
                } else {
                    lanczos3_from_sine(x, (PI * x / 3.0).sin())
                }
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Filter::Nearest => "nearest",
            Filter::Box => "box",
            Filter::Bilinear => "bilinear",
            Filter::CatmullRom => "catmull-rom",
            Filter::Mitchell => "mitchell",
            Filter::Lanczos3 => "lanczos3",
        }
    }
}

/// Lanczos3 at `x` (not 0) from `s` = sin(πx / 3): sinc(x) × sinc(x / 3), with sin(πx) by the
/// triple-angle identity sin 3θ = 3s − 4s³, so one sine serves both.
fn lanczos3_from_sine(x: f64, s: f64) -> f64 {
    if x.abs() < 3.0 {
        s * (3.0 - 4.0 * s * s) * s * 3.0 / (PI * PI * x * x)
    } else {
        0.0
    }
}

/// Mitchell–Netravali cubic family.
fn cubic(x: f64, b: f64, c: f64) -> f64 {
    let x = x.abs();
    let value = if x < 1.0 {
        (12.0 - 9.0 * b - 6.0 * c) * x * x * x + (-18.0 + 12.0 * b + 6.0 * c) * x * x + (6.0 - 2.0 * b)
    } else if x < 2.0 {
        (-b - 6.0 * c) * x * x * x + (6.0 * b + 30.0 * c) * x * x + (-12.0 * b - 48.0 * c) * x + (8.0 * b + 24.0 * c)
    } else {
        0.0
    };
    value / 6.0
}

/// The weight function behind a set of [`super::AxisWeights`]: a resampling filter, or a
/// Gaussian of standard deviation `sigma` (in source pixels at scale 1) for blurring.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Profile {
    Filter(Filter),
    Gaussian { sigma: f64 },
}

impl Profile {
    pub(super) fn support(self) -> f64 {
        match self {
            Profile::Filter(filter) => filter.support(),
            // Beyond three standard deviations the weights are under 1.1% of the peak.
            Profile::Gaussian { sigma } => 3.0 * sigma,
        }
    }

    pub(super) fn weight(self, x: f64) -> f64 {
        match self {
            Profile::Filter(filter) => filter.kernel(x),
            Profile::Gaussian { sigma } => (-x * x / (2.0 * sigma * sigma)).exp(),
        }
    }

    /// The weights of source positions `taps` for an output sample centred at `centre`, the
    /// filter stretched `filter_scale` times: `weight((j + 0.5 − centre) / filter_scale)` for
    /// each `j`. Lanczos3's sines come from one sine and cosine a window, rotated by the taps'
    /// common step: wasm's software sine, once per tap, made the weights of a large reduction
    /// cost as much as a tenth of the resize.
    pub(super) fn window_weights(self, taps: Range<usize>, centre: f64, filter_scale: f64, out: &mut Vec<f64>) {
        let x = |j: usize| (j as f64 + 0.5 - centre) / filter_scale;
        match self {
            Profile::Filter(Filter::Lanczos3) => {
                let (step_sine, step_cosine) = (PI / 3.0 / filter_scale).sin_cos();
                let (mut sine, mut cosine) = (PI / 3.0 * x(taps.start)).sin_cos();
                for j in taps {
                    let x = x(j);
                    // Near the centre the weight divides the sine by x², which would magnify
                    // the rotation's rounding: there the sine is computed afresh.
                    out.push(if x.abs() < 0.01 { self.weight(x) } else { lanczos3_from_sine(x, sine) });
                    (sine, cosine) = (sine * step_cosine + cosine * step_sine, cosine * step_cosine - sine * step_sine);
                }
            }
            profile => out.extend(taps.map(|j| profile.weight(x(j)))),
        }
    }

    pub(super) fn is_nearest(self) -> bool {
        self == Profile::Filter(Filter::Nearest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lanczos3's windows from rotated sines are each tap's own weight to within rounding, from
    /// upscales to 1000x reductions (the centre's tap included, where x is tiny).
    #[test]
    fn lanczos3_windows_are_the_weights_at_each_tap() {
        let profile = Profile::Filter(Filter::Lanczos3);
        for (source, output) in
            [(7usize, 31usize), (100, 99), (333, 17), (1000, 1), (3279, 99), (4928, 320), (10000, 3)]
        {
            let scale = source as f64 / output as f64;
            let filter_scale = scale.max(1.0);
            for i in 0..output {
                let centre = (i as f64 + 0.5) * scale;
                let first = (centre - 3.0 * filter_scale).floor().max(0.0) as usize;
                let last = ((centre + 3.0 * filter_scale).ceil() as usize).min(source);
                let mut window = Vec::new();
                profile.window_weights(first..last, centre, filter_scale, &mut window);
                for (j, weight) in (first..last).zip(window) {
                    let expected = profile.weight((j as f64 + 0.5 - centre) / filter_scale);
                    assert!(
                        (weight - expected).abs() < 1e-11,
                        "{source} -> {output}, output {i}, tap {j}: {weight} against {expected}"
                    );
                }
            }
        }
    }
}
