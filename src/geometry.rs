//! Where the output pixels come from: the source region, the resized size and the canvas, from
//! the source size and the `width`/`height`/`fit`/`dpr` options.

use kernels::SourceRegion;

use crate::config::Limits;
use crate::error::TransformError;
use crate::options::{Fit, TransformOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub fn pixels(self) -> u64 {
        self.width as u64 * self.height as u64
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// The part of the source that is resampled (all of it, except when cropping).
    pub region: SourceRegion,
    /// The size `region` is resampled to.
    pub resized: Size,
    /// The output image; larger than `resized` only for `fit=pad`.
    pub canvas: Size,
    /// Where the resized image sits on the canvas.
    pub offset: (u32, u32),
}

pub fn plan(source: Size, options: &TransformOptions, limits: &Limits) -> Result<Plan, TransformError> {
    let (sw, sh) = (source.width as f64, source.height as f64);
    let target = |pixels: Option<u32>| pixels.map(|p| (p as f64 * options.dpr).round().max(1.0));
    let (tw, th) = (target(options.width), target(options.height));
    let whole = SourceRegion::whole(source.width as usize, source.height as usize);

    // The largest scale that fits the given dimensions; `None` when no box is given.
    let contain = match (tw, th) {
        (Some(w), Some(h)) => Some((w / sw).min(h / sh)),
        (Some(w), None) => Some(w / sw),
        (None, Some(h)) => Some(h / sh),
        (None, None) => None,
    };
    let scaled = |scale: f64| Size { width: round_pixels(sw * scale), height: round_pixels(sh * scale) };
    let simple = |resized: Size| Plan { region: whole, resized, canvas: resized, offset: (0, 0) };

    let plan = match (options.fit, tw, th) {
        (_, None, None) => simple(source),
        (Fit::Squeeze, w, h) => simple(Size {
            width: round_pixels(w.unwrap_or_else(|| sw * h.unwrap_or(sh) / sh)),
            height: round_pixels(h.unwrap_or_else(|| sh * w.unwrap_or(sw) / sw)),
        }),
        (Fit::Cover, Some(w), Some(h)) => {
            let scale = (w / sw).max(h / sh);
            cropped(source, scale, Size { width: round_pixels(w), height: round_pixels(h) })
        }
        (Fit::Crop, Some(w), Some(h)) => {
            let scale = (w / sw).max(h / sh).min(1.0);
            let full = scaled(scale);
            let out = Size {
                width: full.width.min(round_pixels(w)),
                height: full.height.min(round_pixels(h)),
            };
            cropped(source, scale, out)
        }
        (Fit::Pad, w, h) => {
            let resized = scaled(contain.unwrap_or(1.0));
            let canvas = Size {
                width: w.map_or(resized.width, round_pixels).max(resized.width),
                height: h.map_or(resized.height, round_pixels).max(resized.height),
            };
            let offset = ((canvas.width - resized.width) / 2, (canvas.height - resized.height) / 2);
            Plan { region: whole, resized, canvas, offset }
        }
        (Fit::ScaleDown | Fit::Crop, _, _) => simple(scaled(contain.unwrap_or(1.0).min(1.0))),
        (Fit::Contain | Fit::Cover, _, _) => simple(scaled(contain.unwrap_or(1.0))),
    };
    check_output(plan.canvas, limits)?;
    Ok(plan)
}

/// Scales the source by `scale` and keeps the centred `out`-sized part of it.
fn cropped(source: Size, scale: f64, out: Size) -> Plan {
    let (sw, sh) = (source.width as f64, source.height as f64);
    let width = (out.width as f64 / scale).min(sw);
    let height = (out.height as f64 / scale).min(sh);
    let region = SourceRegion {
        left: ((sw - width) / 2.0).max(0.0),
        top: ((sh - height) / 2.0).max(0.0),
        width,
        height,
    };
    Plan { region, resized: out, canvas: out, offset: (0, 0) }
}

fn round_pixels(value: f64) -> u32 {
    value.round().clamp(1.0, u32::MAX as f64) as u32
}

fn check_output(canvas: Size, limits: &Limits) -> Result<(), TransformError> {
    let largest = canvas.width.max(canvas.height);
    if largest > limits.max_output_dimension || canvas.pixels() > limits.max_output_pixels {
        return Err(TransformError::bad_option(format!(
            "the output would be {}x{}; outputs are limited to {} px a side and {} pixels",
            canvas.width, canvas.height, limits.max_output_dimension, limits.max_output_pixels
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANDSCAPE: Size = Size { width: 1000, height: 500 };

    fn plan_for(source: Size, options: &str) -> Plan {
        let limits = Limits::default();
        plan(source, &TransformOptions::from_path_segment(options, &limits).unwrap(), &limits).unwrap()
    }

    fn size(width: u32, height: u32) -> Size {
        Size { width, height }
    }

    #[test]
    fn scale_down_shrinks_to_fit_and_never_enlarges() {
        assert_eq!(plan_for(LANDSCAPE, "width=400,height=400,fit=scale-down").resized, size(400, 200));
        assert_eq!(plan_for(LANDSCAPE, "width=2000,height=2000").resized, LANDSCAPE);
        assert_eq!(plan_for(LANDSCAPE, "height=100").resized, size(200, 100));
    }

    #[test]
    fn contain_fits_inside_and_may_enlarge() {
        assert_eq!(plan_for(LANDSCAPE, "width=400,height=400,fit=contain").resized, size(400, 200));
        assert_eq!(plan_for(LANDSCAPE, "width=3000,height=3000,fit=contain").resized, size(3000, 1500));
        assert_eq!(plan_for(LANDSCAPE, "width=2000,fit=contain").resized, size(2000, 1000));
    }

    #[test]
    fn cover_fills_the_box_and_crops_the_centre() {
        let plan = plan_for(LANDSCAPE, "width=400,height=400,fit=cover");
        assert_eq!(plan.canvas, size(400, 400));
        assert_eq!(plan.region, SourceRegion { left: 250.0, top: 0.0, width: 500.0, height: 500.0 });
        let enlarged = plan_for(LANDSCAPE, "width=3000,height=3000,fit=cover");
        assert_eq!(enlarged.canvas, size(3000, 3000));
        // With one dimension there is nothing to crop: it behaves as contain.
        assert_eq!(plan_for(LANDSCAPE, "width=2000,fit=cover").resized, size(2000, 1000));
    }

    #[test]
    fn crop_covers_larger_images_and_never_enlarges() {
        let plan = plan_for(LANDSCAPE, "width=200,height=200,fit=crop");
        assert_eq!(plan.canvas, size(200, 200));
        assert_eq!(plan.region.width, 500.0);
        // Smaller than the box: like scale-down.
        assert_eq!(plan_for(LANDSCAPE, "width=3000,height=3000,fit=crop").canvas, LANDSCAPE);
        // Larger in one dimension only: cropped to the box there, not enlarged.
        let wide = plan_for(LANDSCAPE, "width=600,height=800,fit=crop");
        assert_eq!(wide.canvas, size(600, 500));
        assert_eq!(wide.region, SourceRegion { left: 200.0, top: 0.0, width: 600.0, height: 500.0 });
    }

    #[test]
    fn pad_contains_and_centres_on_the_full_box() {
        let plan = plan_for(LANDSCAPE, "width=400,height=400,fit=pad");
        assert_eq!(plan.resized, size(400, 200));
        assert_eq!(plan.canvas, size(400, 400));
        assert_eq!(plan.offset, (0, 100));
    }

    #[test]
    fn squeeze_stretches_to_the_box() {
        assert_eq!(plan_for(LANDSCAPE, "width=300,height=300,fit=squeeze").resized, size(300, 300));
        assert_eq!(plan_for(LANDSCAPE, "width=300,fit=squeeze").resized, size(300, 150));
    }

    #[test]
    fn dpr_multiplies_the_box() {
        assert_eq!(plan_for(LANDSCAPE, "width=200,dpr=2").resized, size(400, 200));
        assert_eq!(plan_for(LANDSCAPE, "width=200,height=200,fit=cover,dpr=1.5").canvas, size(300, 300));
    }

    #[test]
    fn no_box_keeps_the_source_size() {
        for fit in ["scale-down", "contain", "cover", "crop", "pad", "squeeze"] {
            assert_eq!(plan_for(LANDSCAPE, &format!("fit={fit}")).canvas, LANDSCAPE);
        }
    }

    #[test]
    fn tiny_results_keep_at_least_one_pixel() {
        assert_eq!(plan_for(size(10_000, 1), "width=10").resized, size(10, 1));
    }

    #[test]
    fn oversized_outputs_are_refused() {
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment("width=12000,height=12000,fit=squeeze", &limits).unwrap();
        assert_eq!(plan(LANDSCAPE, &options, &limits).unwrap_err().status(), 400);
        let tall = TransformOptions::from_path_segment("width=12000,fit=contain", &limits).unwrap();
        assert!(plan(size(10, 1000), &tall, &limits).is_err());
    }
}
