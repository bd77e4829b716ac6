use core::f64::consts::PI;

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
                if x.abs() < 3.0 {
                    sinc(x) * sinc(x / 3.0)
                } else {
                    0.0
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

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let px = PI * x;
        px.sin() / px
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

    pub(super) fn is_nearest(self) -> bool {
        self == Profile::Filter(Filter::Nearest)
    }
}
