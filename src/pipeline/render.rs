//! The pixel steps between decoding and encoding, for one image or one animation frame: resize
//! (in sRGB or linear light) → orient → composite over the background or unpremultiply → colour
//! adjustments → blur and sharpen → pad → border. Alpha is premultiplied only where resampling,
//! compositing or filtering needs it.

use kernels::{
    apply_lut, composite_over, drop_alpha, from_linear, gaussian_blur, orient, premultiply, resize, saturate,
    to_linear, tone_curve, unpremultiply, unsharp_mask, widen, Backend, Filter, Image, ImageRef, Orientation,
    PixelLayout, SourceRegion,
};

use super::shrink::region_in;
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::format::OutputFormat;
use crate::geometry::{self, Placement, Plan, Size};
use crate::options::{Rgba, TransformOptions};

/// Standard deviation of the blur the unsharp mask subtracts, in output pixels.
const SHARPEN_SIGMA: f64 = 1.0;

/// What the steps need to know besides the pixels.
pub(super) struct Steps<'a> {
    pub placement: &'a Placement,
    /// The stored image's size, before any shrink-on-load.
    pub stored: Size,
    pub options: &'a TransformOptions,
    pub format: OutputFormat,
    pub limits: &'a Limits,
    pub backend: Backend,
}

impl Steps<'_> {
    /// Resize, orient, composite, adjust colour, filter, pad and border `image`.
    pub fn render(&self, mut image: Image) -> Result<Image, TransformError> {
        let Steps { placement, stored, options, backend, .. } = *self;
        let region = region_in(placement.region, stored, Size::of(&image));
        if !resamples(region, placement.resized, Size::of(&image)) {
            return self.after_resize(image, false);
        }
        if let Some((left, top)) = whole_pixel_crop(region, placement.resized) {
            let mut out =
                Image::new(placement.resized.width as usize, placement.resized.height as usize, image.layout)?;
            let stride = image.width * image.layout.channels();
            let below = image.pixels.get(top * stride..).unwrap_or_default();
            let rows = ImageRef { pixels: below, height: image.height.saturating_sub(top), stride, ..image.view() };
            copy_crop(rows, left, &mut out, 0)?;
            drop(image);
            return self.after_resize(out, false);
        }
        if options.gamma_correct {
            // Straight alpha in and out; premultiplied in linear light in between.
            let out = resized_in_linear_light(&image, region, placement.resized, backend)?;
            // The full-size image is not needed past the resize: its memory goes back at once.
            drop(image);
            return self.after_resize(out, false);
        }
        let has_alpha = image.layout == PixelLayout::Rgba8;
        if has_alpha {
            premultiply(image.view_mut(), backend)?;
        }
        let out = resized(&image, region, placement.resized, backend)?;
        drop(image);
        self.after_resize(out, has_alpha)
    }

    /// Whether [`Steps::after_resize`] leaves an opaque image as it is: no orientation, colour
    /// adjustment, filter, pad or border (kept beside it, condition for condition).
    pub fn keep_opaque_resized(&self) -> bool {
        let Steps { placement, options, .. } = *self;
        placement.orientation == Orientation::IDENTITY
            && (options.brightness, options.contrast, options.gamma) == (1.0, 1.0, 1.0)
            && options.saturation == 1.0
            && !(options.blur > 0.0 || options.sharpen > 0.0)
            && placement.plan.canvas == placement.plan.resized
            && options.border.is_none()
    }

    /// The steps after the resize: orient, composite, adjust colour, filter, pad and border.
    /// `premultiplied` tells whether RGBA `image` has premultiplied alpha.
    pub fn after_resize(&self, mut image: Image, mut premultiplied: bool) -> Result<Image, TransformError> {
        let Steps { placement, options, format, limits, backend, .. } = *self;
        let plan = placement.plan;
        let has_alpha = image.layout == PixelLayout::Rgba8;
        // What shows through transparency: the background asked for, and in formats without alpha,
        // that over white.
        let underlay = match options.background {
            Some(colour) if format.has_alpha() => Some(colour),
            Some(colour) => Some(colour.over(Rgba::WHITE)),
            None if format.has_alpha() => None,
            None => Some(Rgba::WHITE),
        }
        .filter(|_| has_alpha);
        // Premultiplied alpha only where resampling or compositing needs it: the round trip is lossy
        // for faint pixels, so an image that is only re-encoded keeps its exact colours.
        if underlay.is_some() && !premultiplied {
            premultiply(image.view_mut(), backend)?;
            premultiplied = true;
        }
        if placement.orientation != Orientation::IDENTITY {
            image = oriented(&image, placement.orientation, backend)?;
        }
        match underlay {
            Some(colour) => {
                composite_over(image.view_mut(), premultiplied_bytes(colour), backend)?;
                if colour.is_opaque() {
                    drop_alpha_in_place(&mut image, backend)?;
                } else {
                    unpremultiply(image.view_mut(), backend)?;
                }
            }
            None if premultiplied => unpremultiply(image.view_mut(), backend)?,
            None => {}
        }
        if (options.brightness, options.contrast, options.gamma) != (1.0, 1.0, 1.0) {
            let curve = tone_curve(options.brightness, options.contrast, options.gamma);
            apply_lut(image.view_mut(), &curve)?;
        }
        if options.saturation != 1.0 {
            saturate(image.view_mut(), options.saturation, backend)?;
        }
        if options.blur > 0.0 || options.sharpen > 0.0 {
            image = filtered(image, options, backend)?;
        }
        if plan.canvas != plan.resized {
            let colour = options.background.unwrap_or(Rgba::WHITE);
            image = framed(image, plan.canvas, plan.offset, colour, format, backend)?;
        }
        if let Some(border) = options.border {
            let (canvas, offset) = bordered(Size::of(&image), options);
            geometry::check_output(canvas, limits)?;
            image = framed(image, canvas, offset, border.colour, format, backend)?;
        }
        Ok(image)
    }
}

/// Whether `region` of an image of `size` must be resampled to become `resized`.
pub(super) fn resamples(region: SourceRegion, resized: Size, size: Size) -> bool {
    region != SourceRegion::whole(size.width as usize, size.height as usize) || resized != size
}

/// Where `region` starts, in whole pixels, when it is whole pixels of `resized`'s size: resizing
/// it is then copying it (Lanczos3 at scale 1 weighs each pixel 1 and its neighbours 0), and a
/// copy spares RGBA the premultiplied round trip, which loses colour where alpha is low.
pub(super) fn whole_pixel_crop(region: SourceRegion, resized: Size) -> Option<(usize, usize)> {
    let whole = |value: f64| value >= 0.0 && value.fract() == 0.0;
    let same_size = region.width == f64::from(resized.width) && region.height == f64::from(resized.height);
    (whole(region.left) && whole(region.top) && same_size).then_some((region.left as usize, region.top as usize))
}

/// Copies the rows of `src` from column `left` into `out`'s rows from `first` on, as many as
/// both have; returns how many.
pub(super) fn copy_crop(
    src: ImageRef<'_>,
    left: usize,
    out: &mut Image,
    first: usize,
) -> Result<usize, TransformError> {
    let channels = out.layout.channels();
    let row_len = out.width * channels;
    let rows = src.height.min(out.height.saturating_sub(first));
    let outside = || TransformError::new(ErrorKind::Internal, "a crop outside its image");
    let out_rows = out.pixels.get_mut(first * row_len..).ok_or_else(outside)?;
    for (y, out_row) in out_rows.chunks_exact_mut(row_len.max(1)).take(rows).enumerate() {
        let start = y * src.stride + left * channels;
        out_row.copy_from_slice(src.pixels.get(start..start + row_len).ok_or_else(outside)?);
    }
    Ok(rows)
}

/// The size of an image of `size` once `border` is added, and where the image sits in it.
fn bordered(size: Size, options: &TransformOptions) -> (Size, (u32, u32)) {
    let Some(border) = options.border else { return (size, (0, 0)) };
    let width = |pixels: u32| (pixels as f64 * options.dpr).round() as u32;
    let (top, right, bottom, left) = (width(border.top), width(border.right), width(border.bottom), width(border.left));
    let canvas = Size {
        width: size.width.saturating_add(left).saturating_add(right),
        height: size.height.saturating_add(top).saturating_add(bottom),
    };
    (canvas, (left, top))
}

/// The output's size, known from the plan before any pixel is rendered.
pub(super) fn output_size(plan: &Plan, options: &TransformOptions) -> Size {
    bordered(plan.canvas, options).0
}

/// Turns opaque RGBA8 into RGB8 in place (the buffer is compacted, then shortened).
pub(super) fn drop_alpha_in_place(image: &mut Image, backend: Backend) -> Result<(), TransformError> {
    let len = drop_alpha(image.view_mut(), backend)?;
    image.pixels.truncate(len);
    image.layout = PixelLayout::Rgb8;
    Ok(())
}

/// `resized`, through 12-bit linear light: sRGB (straight alpha) to linear (premultiplied),
/// resize, and back.
fn resized_in_linear_light(
    image: &Image,
    region: SourceRegion,
    size: Size,
    backend: Backend,
) -> Result<Image, TransformError> {
    let mut linear = Image::<u16>::new(image.width, image.height, image.layout)?;
    to_linear(image.view(), linear.view_mut())?;
    let mut resized_linear = Image::<u16>::new(size.width as usize, size.height as usize, image.layout)?;
    resize(linear.view(), region, resized_linear.view_mut(), Filter::Lanczos3, backend)?;
    drop(linear);
    let mut out = Image::new(resized_linear.width, resized_linear.height, image.layout)?;
    from_linear(resized_linear.view(), out.view_mut())?;
    Ok(out)
}

fn resized(image: &Image, region: SourceRegion, size: Size, backend: Backend) -> Result<Image, TransformError> {
    let mut out = Image::new(size.width as usize, size.height as usize, image.layout)?;
    resize(image.view(), region, out.view_mut(), Filter::Lanczos3, backend)?;
    Ok(out)
}

fn oriented(image: &Image, orientation: Orientation, backend: Backend) -> Result<Image, TransformError> {
    let (width, height) = orientation.size(image.width, image.height);
    let mut out = Image::new(width, height, image.layout)?;
    orient(image.view(), out.view_mut(), orientation, backend)?;
    Ok(out)
}

/// `blur` (a Gaussian of half the radius as standard deviation), then `sharpen` (an unsharp mask
/// of half the strength as amount), on premultiplied alpha where there is alpha.
fn filtered(mut image: Image, options: &TransformOptions, backend: Backend) -> Result<Image, TransformError> {
    let has_alpha = image.layout == PixelLayout::Rgba8;
    if has_alpha {
        premultiply(image.view_mut(), backend)?;
    }
    let blurred = |image: &Image, sigma: f64| -> Result<Image, TransformError> {
        let mut out = Image::new(image.width, image.height, image.layout)?;
        gaussian_blur(image.view(), out.view_mut(), sigma, backend)?;
        Ok(out)
    };
    if options.blur > 0.0 {
        image = blurred(&image, options.blur / 2.0)?;
    }
    if options.sharpen > 0.0 {
        let soft = blurred(&image, SHARPEN_SIGMA)?;
        unsharp_mask(image.view_mut(), soft.view(), options.sharpen / 2.0, backend)?;
    }
    if has_alpha {
        unpremultiply(image.view_mut(), backend)?;
    }
    Ok(image)
}

/// `colour` premultiplied by its alpha, as [`composite_over`] takes it.
fn premultiplied_bytes(colour: Rgba) -> [u8; 4] {
    let scale = |channel: u8| ((channel as u32 * colour.a as u32 + 127) / 255) as u8;
    [scale(colour.r), scale(colour.g), scale(colour.b), colour.a]
}

/// Places `image` at `offset` on a `canvas` filled with `colour` (for pads and borders). The
/// result has the fewest channels that hold both: grey, colour, or colour with alpha (only in
/// formats with alpha; elsewhere a translucent colour is first composited over white).
fn framed(
    image: Image,
    canvas: Size,
    offset: (u32, u32),
    colour: Rgba,
    format: OutputFormat,
    backend: Backend,
) -> Result<Image, TransformError> {
    let colour = if format.has_alpha() { colour } else { colour.over(Rgba::WHITE) };
    let colour_layout = match colour {
        Rgba { a: 255, r, g, b } if r == g && g == b => PixelLayout::L8,
        Rgba { a: 255, .. } => PixelLayout::Rgb8,
        _ => PixelLayout::Rgba8,
    };
    let layout = if colour_layout.channels() > image.layout.channels() { colour_layout } else { image.layout };
    let image = with_layout(image, layout, backend)?;
    let fill = [colour.r, colour.g, colour.b, colour.a];
    let fill = fill.get(..layout.channels()).unwrap_or(&fill);
    let mut out = Image::filled(canvas.width as usize, canvas.height as usize, layout, fill)?;
    let (stride, channels) = (out.stride(), layout.channels());
    let (left, top) = (offset.0 as usize, offset.1 as usize);
    for (y, row) in image.pixels.chunks_exact(image.stride()).enumerate() {
        let start = (top + y) * stride + left * channels;
        if let Some(target) = out.pixels.get_mut(start..start + row.len()) {
            target.copy_from_slice(row);
        }
    }
    Ok(out)
}

/// `image` widened to `layout` (unchanged if it already has it).
pub(super) fn with_layout(image: Image, layout: PixelLayout, backend: Backend) -> Result<Image, TransformError> {
    if image.layout == layout {
        return Ok(image);
    }
    let mut out = Image::new(image.width, image.height, layout)?;
    widen(image.view(), out.view_mut(), backend)?;
    Ok(out)
}
