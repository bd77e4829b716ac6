//! Where the output pixels come from: the source region, the resized size and the canvas, from
//! the source size, its EXIF orientation and the `trim`/`flip`/`rotate`/`width`/`height`/`fit`/
//! `gravity`/`dpr` options.

use kernels::{Image, Orientation, SourceRegion};

use crate::config::Limits;
use crate::error::TransformError;
use crate::options::{Fit, Gravity, TransformOptions, Trim, TrimEdges};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    /// The size of `image` (whose sides came from a decoder or a plan, so fit `u32`).
    pub fn of<S>(image: &Image<S>) -> Size {
        Size { width: image.width as u32, height: image.height as u32 }
    }

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

/// The plan carried back to the stored image: what to resample in the decoded pixels, and how to
/// turn the result to the output's orientation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// In output orientation: `region` is in the oriented, trimmed source.
    pub plan: Plan,
    /// The part of the stored (not yet oriented) image that becomes the output.
    pub region: SourceRegion,
    /// The part of the stored image left after `trim`: where `region` may lie.
    pub trimmed: SourceRegion,
    /// `plan.resized` before `orientation`: the size to resample `region` to.
    pub resized: Size,
    /// From the stored image to the output: EXIF orientation, then `flip`, then `rotate`.
    pub orientation: Orientation,
}

/// Plans a transformation of a stored image of `stored` size with EXIF orientation `exif`. In
/// Cloudflare's order: orientation, trim, flip, rotate, then fit. `content` is what `trim=border`
/// keeps, found in the stored pixels (`None`: keep everything). `gravity=auto` is planned as
/// centred; the pipeline then finds its point and plans again.
pub fn place(
    stored: Size,
    exif: Orientation,
    options: &TransformOptions,
    content: Option<SourceRegion>,
    limits: &Limits,
) -> Result<Placement, TransformError> {
    let (upright_width, upright_height) = exif.size(stored.width as usize, stored.height as usize);
    let whole = SourceRegion::whole(upright_width, upright_height);
    let trimmed = match options.trim {
        Some(Trim::Edges(edges)) => trim_region(edges, options.dpr, upright_width, upright_height)?,
        Some(Trim::Border(_)) => {
            content.map_or(whole, |content| exif.region(content, stored.width as usize, stored.height as usize))
        }
        None => whole,
    };
    let user = Orientation::new(false, options.flip_horizontal, options.flip_vertical)
        .then(Orientation::clockwise(options.rotate));
    // Trimmed regions have whole-pixel bounds.
    let (trimmed_width, trimmed_height) = (trimmed.width as usize, trimmed.height as usize);
    let (width, height) = user.size(trimmed_width, trimmed_height);
    let plan = plan(Size { width: width as u32, height: height as u32 }, options, limits)?;

    let in_trimmed = user.inverse().region(plan.region, width, height);
    let upright =
        SourceRegion { left: in_trimmed.left + trimmed.left, top: in_trimmed.top + trimmed.top, ..in_trimmed };
    let region = exif.inverse().region(upright, upright_width, upright_height);
    let orientation = exif.then(user);
    let (resized_width, resized_height) =
        orientation.inverse().size(plan.resized.width as usize, plan.resized.height as usize);
    let resized = Size { width: resized_width as u32, height: resized_height as u32 };
    let trimmed = exif.inverse().region(trimmed, upright_width, upright_height);
    Ok(Placement { plan, region, trimmed, resized, orientation })
}

/// The part of a `width` × `height` upright image that `trim` keeps; edges count `dpr` times.
fn trim_region(trim: TrimEdges, dpr: f64, width: usize, height: usize) -> Result<SourceRegion, TransformError> {
    let scaled = |pixels: u32| (pixels as f64 * dpr).round();
    let (width, height) = (width as f64, height as f64);
    let (left, top) = (scaled(trim.left), scaled(trim.top));
    let right = trim.width.map_or(width - scaled(trim.right), |keep| left + scaled(keep)).min(width);
    let bottom = trim.height.map_or(height - scaled(trim.bottom), |keep| top + scaled(keep)).min(height);
    if right - left < 1.0 || bottom - top < 1.0 {
        return Err(TransformError::bad_option(format!("trim removes all of the {width}x{height} image")));
    }
    Ok(SourceRegion { left, top, width: right - left, height: bottom - top })
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
            cropped(source, scale, Size { width: round_pixels(w), height: round_pixels(h) }, options.gravity)
        }
        (Fit::Crop, Some(w), Some(h)) => {
            let scale = (w / sw).max(h / sh).min(1.0);
            let full = scaled(scale);
            let out = Size { width: full.width.min(round_pixels(w)), height: full.height.min(round_pixels(h)) };
            cropped(source, scale, out, options.gravity)
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

/// Scales the source by `scale` and keeps the `out`-sized part of it that `gravity` places.
fn cropped(source: Size, scale: f64, out: Size, gravity: Gravity) -> Plan {
    let (sw, sh) = (source.width as f64, source.height as f64);
    let width = (out.width as f64 / scale).min(sw);
    let height = (out.height as f64 / scale).min(sh);
    let (x, y) = match gravity {
        Gravity::Point { x, y } => (x, y),
        Gravity::Auto => (0.5, 0.5),
    };
    let region = SourceRegion { left: ((sw - width) * x).max(0.0), top: ((sh - height) * y).max(0.0), width, height };
    Plan { region, resized: out, canvas: out, offset: (0, 0) }
}

fn round_pixels(value: f64) -> u32 {
    value.round().clamp(1.0, u32::MAX as f64) as u32
}

/// Refuses outputs over the configured side and pixel limits.
pub fn check_output(canvas: Size, limits: &Limits) -> Result<(), TransformError> {
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
    fn gravity_places_the_crop() {
        let region =
            |gravity: &str| plan_for(LANDSCAPE, &format!("width=400,height=400,fit=cover,gravity={gravity}")).region;
        assert_eq!(region("left").left, 0.0);
        assert_eq!(region("right").left, 500.0);
        assert_eq!(region("0.25x0").left, 125.0);
        let portrait = |gravity: &str| {
            plan_for(size(500, 1000), &format!("width=100,height=100,fit=crop,gravity={gravity}")).region
        };
        assert_eq!(portrait("top").top, 0.0);
        assert_eq!(portrait("bottom").top, 500.0);
        assert_eq!(portrait("0x0.2").top, 100.0);
    }

    fn place_for(stored: Size, exif: u16, options: &str) -> Placement {
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment(options, &limits).unwrap();
        place(stored, Orientation::from_exif(exif), &options, None, &limits).unwrap()
    }

    #[test]
    fn rotation_and_exif_orientation_swap_the_box() {
        // Stored 1000x500 turned upright (EXIF 6) is 500x1000; width then refers to 500.
        let upright = place_for(LANDSCAPE, 6, "width=250");
        assert_eq!(upright.plan.canvas, size(250, 500));
        assert_eq!(upright.resized, size(500, 250));
        assert_eq!(upright.orientation, Orientation::clockwise(1));
        // Turning it back with rotate=270 gives the stored orientation.
        let back = place_for(LANDSCAPE, 6, "width=250,rotate=270");
        assert_eq!(back.plan.canvas, size(250, 125));
        assert_eq!(back.orientation, Orientation::IDENTITY);
    }

    #[test]
    fn trims_and_crops_map_back_to_stored_pixels() {
        // Trim 100 px from the upright left edge, which EXIF 8 (turned anticlockwise to be
        // upright) stores at the top.
        let placement = place_for(LANDSCAPE, 8, "trim=0;0;0;100");
        assert_eq!(placement.plan.canvas, size(400, 1000));
        assert_eq!(placement.region, SourceRegion { left: 0.0, top: 100.0, width: 1000.0, height: 400.0 });
        // A left-gravity crop of a flipped image takes the stored right side.
        let flipped = place_for(LANDSCAPE, 1, "width=100,height=100,fit=cover,gravity=left,flip=h");
        assert_eq!(flipped.region, SourceRegion { left: 500.0, top: 0.0, width: 500.0, height: 500.0 });
        let corner = place_for(LANDSCAPE, 1, "trim.left=10,trim.top=20,trim.width=300,trim.height=200");
        assert_eq!(corner.region, SourceRegion { left: 10.0, top: 20.0, width: 300.0, height: 200.0 });
        let limits = Limits::default();
        let everything = TransformOptions::from_path_segment("trim=250;0;250;0", &limits).unwrap();
        assert_eq!(place(LANDSCAPE, Orientation::IDENTITY, &everything, None, &limits).unwrap_err().status(), 400);
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
