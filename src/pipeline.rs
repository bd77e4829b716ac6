//! The transformation, free of any HTTP or Worker types: source bytes and options in, encoded
//! image out. Steps: probe → (for trim=border and gravity=auto: decode and look at the pixels) →
//! place (orientation, trim, flip, rotate, fit) → decode (to sRGB; opaque RGBA becomes RGB) →
//! premultiply → resize (or, with gamma-correct, resize in linear light) → orient → composite
//! over the background or unpremultiply → colour adjustments → blur and sharpen → pad → border
//! → encode.

use kernels::{
    apply_lut, composite_over, drop_alpha, from_linear, gaussian_blur, is_opaque, orient, premultiply, resize,
    saturate, to_linear, tone_curve, unpremultiply, unsharp_mask, widen, Backend, Filter, ImageMut, ImageRef,
    Orientation, PixelLayout, SourceRegion,
};

use crate::codec::{self, Bitmap, GifWriter, Probe, SourceFormat};
use crate::config::Limits;
use crate::content;
use crate::error::{ErrorKind, TransformError};
use crate::exif::{self, Exif};
use crate::geometry::{self, Placement, Plan, Size};
use crate::options::{FormatRequest, Gravity, Metadata, OutputFormat, Rgba, TransformOptions, Trim};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transformed {
    /// The encoded image, or for `format=json` the JSON description.
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// The image's format (for `format=json`, the format it would have had).
    pub format: OutputFormat,
    pub size: Size,
    /// Whether the format was chosen from the `Accept` header (the response must `Vary: Accept`).
    pub negotiated: bool,
}

pub fn transform(
    source: &[u8],
    options: &TransformOptions,
    accept: Option<&str>,
    limits: &Limits,
    backend: Backend,
) -> Result<Transformed, TransformError> {
    let probe = codec::probe(source, limits)?;
    let exif = probe.orientation();
    // trim=border and gravity=auto need pixels before the plan: the first decode is kept for
    // rendering. trim=border looks at full resolution, so it forgoes shrink-on-load.
    let mut decoded = None;
    let mut content = None;
    if let Some(Trim::Border(settings)) = options.trim {
        let image = codec::decode(source, &probe, limits, 1)?;
        content = content::border_box(&image, exif, settings, backend)?;
        decoded = Some(image);
    }
    let mut placement = geometry::place(probe.size, exif, options, content, limits)?;
    if options.gravity == Gravity::Auto && placement.region != placement.trimmed {
        let image = match decoded.take() {
            Some(image) => image,
            None => codec::decode(source, &probe, limits, jpeg_shrink(&placement.plan))?,
        };
        let gravity = content::focus(&image, &placement, probe.size, backend)?;
        placement =
            geometry::place(probe.size, exif, &TransformOptions { gravity, ..options.clone() }, content, limits)?;
        decoded = Some(image);
    }
    let plan = placement.plan;
    if probe.frames > 1 && options.anim {
        let (format, _) = choose_format(options.format, probe.format, PixelLayout::Rgba8, accept, true);
        if format == OutputFormat::Gif {
            let steps = Steps { placement: &placement, stored: probe.size, options, format, limits, backend };
            let (bytes, size) = animation(source, &probe, &steps)?;
            return Ok(finish(bytes, format, size, false, &probe, source, options));
        }
    }
    let mut image = match decoded {
        Some(image) => image,
        None => codec::decode(source, &probe, limits, jpeg_shrink(&plan))?,
    };
    if image.layout == PixelLayout::Rgba8 && is_opaque(image.view(), backend).map_err(internal)? {
        // Opaque images skip all alpha work and are written without an alpha channel.
        let len = drop_alpha(image.view_mut(), backend).map_err(internal)?;
        image.pixels.truncate(len);
        image.layout = PixelLayout::Rgb8;
    }
    let (format, negotiated) = choose_format(options.format, probe.format, image.layout, accept, false);
    let steps = Steps { placement: &placement, stored: probe.size, options, format, limits, backend };
    let mut image = steps.render(image)?;
    if format == OutputFormat::Gif {
        image = with_layout(image, PixelLayout::Rgba8, backend)?;
    }
    let exif = output_exif(&probe, options.metadata, format);
    let bytes = codec::encode(&image, format, options.quality, exif.as_deref())?;
    Ok(finish(bytes, format, image.size, negotiated, &probe, source, options))
}

/// The response: the encoded image, or for `format=json` its description.
fn finish(
    bytes: Vec<u8>,
    format: OutputFormat,
    size: Size,
    negotiated: bool,
    probe: &Probe,
    source: &[u8],
    options: &TransformOptions,
) -> Transformed {
    if options.format == FormatRequest::Json {
        let (width, height) = probe.orientation().size(probe.size.width as usize, probe.size.height as usize);
        let original = (Size { width: width as u32, height: height as u32 }, probe.format.content_type(), source.len());
        let json = describe(original, (size, format.content_type(), bytes.len()));
        return Transformed { bytes: json.into_bytes(), content_type: "application/json", format, size, negotiated };
    }
    Transformed { bytes, content_type: format.content_type(), format, size, negotiated }
}

/// Renders every frame of an animated source into an animated GIF, one frame at a time; returns
/// the GIF and its size. The frames' total output area is limited like one output's.
fn animation(source: &[u8], probe: &Probe, steps: &Steps<'_>) -> Result<(Vec<u8>, Size), TransformError> {
    let canvas = steps.placement.plan.canvas;
    let limits = steps.limits;
    if canvas.pixels().saturating_mul(probe.frames) > limits.max_output_pixels {
        return Err(TransformError::bad_option(format!(
            "{} frames of {}x{} exceed the output limit of {} pixels; ask for a smaller size or anim=false",
            probe.frames, canvas.width, canvas.height, limits.max_output_pixels
        )));
    }
    let mut out = Vec::new();
    let mut size = canvas;
    {
        let mut writer = GifWriter::new(&mut out, true)?;
        for frame in codec::decode_frames(source, probe, limits)? {
            let frame = frame?;
            let image = with_layout(steps.render(frame.bitmap)?, PixelLayout::Rgba8, steps.backend)?;
            size = image.size;
            writer.add(image, frame.delay_ms)?;
        }
    }
    Ok((out, size))
}

/// `image` widened to `layout` (unchanged if it already has it).
fn with_layout(image: Bitmap, layout: PixelLayout, backend: Backend) -> Result<Bitmap, TransformError> {
    if image.layout == layout {
        return Ok(image);
    }
    let mut out =
        Bitmap { pixels: vec![0; image.size.pixels() as usize * layout.channels()], size: image.size, layout };
    widen(image.view(), out.view_mut(), backend).map_err(internal)?;
    Ok(out)
}

/// The `format=json` body, from the (upright) size, media type and byte length of the original
/// and of the output: Cloudflare's fields (`width`, `height`, `original`), plus the output's.
fn describe(original: (Size, &str, usize), output: (Size, &str, usize)) -> String {
    let fields = |(size, format, bytes): (Size, &str, usize)| {
        format!("\"width\":{},\"height\":{},\"format\":\"{format}\",\"file_size\":{bytes}", size.width, size.height)
    };
    format!("{{{},\"original\":{{{}}}}}", fields(output), fields(original))
}

/// The pixel steps between decoding and encoding, for one image or one animation frame.
struct Steps<'a> {
    placement: &'a Placement,
    /// The stored image's size, before any shrink-on-load.
    stored: Size,
    options: &'a TransformOptions,
    format: OutputFormat,
    limits: &'a Limits,
    backend: Backend,
}

impl Steps<'_> {
    /// Resize, orient, composite, adjust colour, filter, pad and border `image`.
    fn render(&self, mut image: Bitmap) -> Result<Bitmap, TransformError> {
        let Steps { placement, stored, options, format, limits, backend } = *self;
        let plan = placement.plan;
        let region = region_in(placement.region, stored, image.size);

        let resampling = region != SourceRegion::whole(image.size.width as usize, image.size.height as usize)
            || placement.resized != image.size;
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
        let srgb_resampling = resampling && !options.gamma_correct;
        if resampling && options.gamma_correct {
            // Straight alpha in and out; premultiplied in linear light in between.
            image = resized_in_linear_light(&image, region, placement.resized, backend)?;
        }
        // Premultiplied alpha only where resampling or compositing needs it: the round trip is lossy
        // for faint pixels, so an image that is only re-encoded keeps its exact colours.
        let premultiplied = has_alpha && (srgb_resampling || underlay.is_some());
        if premultiplied {
            premultiply(image.view_mut(), backend).map_err(internal)?;
        }
        if srgb_resampling {
            image = resized(&image, region, placement.resized, backend)?;
        }
        if placement.orientation != Orientation::IDENTITY {
            image = oriented(&image, placement.orientation, backend)?;
        }
        match underlay {
            Some(colour) => {
                composite_over(image.view_mut(), premultiplied_bytes(colour), backend).map_err(internal)?;
                if colour.is_opaque() {
                    let len = drop_alpha(image.view_mut(), backend).map_err(internal)?;
                    image.pixels.truncate(len);
                    image.layout = PixelLayout::Rgb8;
                } else {
                    unpremultiply(image.view_mut(), backend).map_err(internal)?;
                }
            }
            None if premultiplied => unpremultiply(image.view_mut(), backend).map_err(internal)?,
            None => {}
        }
        if (options.brightness, options.contrast, options.gamma) != (1.0, 1.0, 1.0) {
            let curve = tone_curve(options.brightness, options.contrast, options.gamma);
            apply_lut(image.view_mut(), &curve).map_err(internal)?;
        }
        if options.saturation != 1.0 {
            saturate(image.view_mut(), options.saturation, backend).map_err(internal)?;
        }
        if options.blur > 0.0 || options.sharpen > 0.0 {
            image = filtered(image, options, backend)?;
        }
        if plan.canvas != plan.resized {
            let colour = options.background.unwrap_or(Rgba::WHITE);
            image = framed(image, plan.canvas, plan.offset, colour, format, backend)?;
        }
        if let Some(border) = options.border {
            let width = |pixels: u32| (pixels as f64 * options.dpr).round() as u32;
            let (top, right, bottom, left) =
                (width(border.top), width(border.right), width(border.bottom), width(border.left));
            let canvas = Size {
                width: image.size.width.saturating_add(left).saturating_add(right),
                height: image.size.height.saturating_add(top).saturating_add(bottom),
            };
            geometry::check_output(canvas, limits)?;
            image = framed(image, canvas, (left, top), border.colour, format, backend)?;
        }
        Ok(image)
    }
}

/// The EXIF block JPEG output carries under `metadata`; other formats carry none.
fn output_exif(probe: &Probe, metadata: Metadata, format: OutputFormat) -> Option<Vec<u8>> {
    if format != OutputFormat::Jpeg {
        return None;
    }
    let source = Exif::parse(probe.exif.as_deref()?)?;
    match metadata {
        Metadata::None => None,
        Metadata::Copyright => source.copyright().map(exif::copyright_only),
        // The pixels are upright now, so the copy must not ask viewers to turn them again.
        Metadata::Keep => Some(source.upright()).filter(|block| block.len() <= exif::MAX_JPEG_EXIF_LEN),
    }
}

/// How much to shrink a JPEG while decoding (1, 2 or 4). As libvips does, the block shrink
/// stops while the Lanczos3 pass still has at least a 2x reduction to do, so quality comes from
/// the filter and decoding only skips detail the output cannot hold. Unlike libvips, 1/8 is never
/// used: it keeps only each block's DC (a box prefilter: 34 dB against a float resize where 1/4
/// reaches 47 dB, in tests/accuracy.rs) and saves almost no time over 1/4, as entropy decoding
/// dominates.
fn jpeg_shrink(plan: &Plan) -> u32 {
    let reduction =
        (plan.region.width / plan.resized.width as f64).min(plan.region.height / plan.resized.height as f64);
    match reduction {
        r if r >= 8.0 => 4,
        r if r >= 4.0 => 2,
        _ => 1,
    }
}

/// `region` of an image of `planned` size, in the coordinates of the `decoded` image (smaller
/// when decoding shrank it).
fn region_in(region: SourceRegion, planned: Size, decoded: Size) -> SourceRegion {
    if planned == decoded {
        return region;
    }
    let (sx, sy) = (decoded.width as f64 / planned.width as f64, decoded.height as f64 / planned.height as f64);
    let (left, top) = (region.left * sx, region.top * sy);
    SourceRegion {
        left,
        top,
        width: (region.width * sx).min(decoded.width as f64 - left),
        height: (region.height * sy).min(decoded.height as f64 - top),
    }
}

/// `resized`, through 12-bit linear light: sRGB (straight alpha) to linear (premultiplied),
/// resize, and back.
fn resized_in_linear_light(
    image: &Bitmap,
    region: SourceRegion,
    size: Size,
    backend: Backend,
) -> Result<Bitmap, TransformError> {
    let (layout, channels) = (image.layout, image.layout.channels());
    let (width, height) = (image.size.width as usize, image.size.height as usize);
    let (out_width, out_height) = (size.width as usize, size.height as usize);
    let mut linear = vec![0u16; image.pixels.len()];
    let linear_view = ImageMut { pixels: &mut linear, width, height, stride: width * channels, layout };
    to_linear(image.view(), linear_view).map_err(internal)?;
    let mut resized_linear = vec![0u16; out_width * out_height * channels];
    let source = ImageRef { pixels: &linear, width, height, stride: width * channels, layout };
    let target = ImageMut {
        pixels: &mut resized_linear,
        width: out_width,
        height: out_height,
        stride: out_width * channels,
        layout,
    };
    resize(source, region, target, Filter::Lanczos3, backend).map_err(internal)?;
    let mut out = Bitmap { pixels: vec![0; resized_linear.len()], size, layout };
    let resized_view = ImageRef {
        pixels: &resized_linear,
        width: out_width,
        height: out_height,
        stride: out_width * channels,
        layout,
    };
    from_linear(resized_view, out.view_mut()).map_err(internal)?;
    Ok(out)
}

fn resized(image: &Bitmap, region: SourceRegion, size: Size, backend: Backend) -> Result<Bitmap, TransformError> {
    let mut out =
        Bitmap { pixels: vec![0; size.pixels() as usize * image.layout.channels()], size, layout: image.layout };
    resize(image.view(), region, out.view_mut(), Filter::Lanczos3, backend).map_err(internal)?;
    Ok(out)
}

fn oriented(image: &Bitmap, orientation: Orientation, backend: Backend) -> Result<Bitmap, TransformError> {
    let (width, height) = orientation.size(image.size.width as usize, image.size.height as usize);
    let mut out = Bitmap {
        pixels: vec![0; width * height * image.layout.channels()],
        size: Size { width: width as u32, height: height as u32 },
        layout: image.layout,
    };
    orient(image.view(), out.view_mut(), orientation, backend).map_err(internal)?;
    Ok(out)
}

/// Standard deviation of the blur the unsharp mask subtracts, in output pixels.
const SHARPEN_SIGMA: f64 = 1.0;

/// `blur` (a Gaussian of half the radius as standard deviation), then `sharpen` (an unsharp mask
/// of half the strength as amount), on premultiplied alpha where there is alpha.
fn filtered(mut image: Bitmap, options: &TransformOptions, backend: Backend) -> Result<Bitmap, TransformError> {
    let has_alpha = image.layout == PixelLayout::Rgba8;
    if has_alpha {
        premultiply(image.view_mut(), backend).map_err(internal)?;
    }
    let blurred = |image: &Bitmap, sigma: f64| -> Result<Bitmap, TransformError> {
        let mut out = Bitmap { pixels: vec![0; image.pixels.len()], size: image.size, layout: image.layout };
        gaussian_blur(image.view(), out.view_mut(), sigma, backend).map_err(internal)?;
        Ok(out)
    };
    if options.blur > 0.0 {
        image = blurred(&image, options.blur / 2.0)?;
    }
    if options.sharpen > 0.0 {
        let soft = blurred(&image, SHARPEN_SIGMA)?;
        unsharp_mask(image.view_mut(), soft.view(), options.sharpen / 2.0, backend).map_err(internal)?;
    }
    if has_alpha {
        unpremultiply(image.view_mut(), backend).map_err(internal)?;
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
    image: Bitmap,
    canvas: Size,
    offset: (u32, u32),
    colour: Rgba,
    format: OutputFormat,
    backend: Backend,
) -> Result<Bitmap, TransformError> {
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
    let mut out = Bitmap { pixels: fill.repeat(canvas.pixels() as usize), size: canvas, layout };
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

/// The output format, and whether it was negotiated from `Accept`. Animations that are not given
/// another format stay animations, as GIF (the one animated format we write).
fn choose_format(
    request: FormatRequest,
    source: SourceFormat,
    layout: PixelLayout,
    accept: Option<&str>,
    animated: bool,
) -> (OutputFormat, bool) {
    if animated && matches!(request, FormatRequest::Source | FormatRequest::Auto | FormatRequest::Json) {
        return (OutputFormat::Gif, false);
    }
    let own = match source {
        SourceFormat::Jpeg => OutputFormat::Jpeg,
        SourceFormat::Png | SourceFormat::Gif => OutputFormat::Png,
        SourceFormat::Webp => OutputFormat::Webp,
    };
    match request {
        FormatRequest::Exactly(format) => (format, false),
        FormatRequest::Source | FormatRequest::Json => (own, false),
        FormatRequest::Auto if accepts(accept.unwrap_or(""), "image/webp") => (OutputFormat::Webp, true),
        FormatRequest::Auto => {
            let fallback = match own {
                // The client cannot show WebP: pick the format that keeps what the image has.
                OutputFormat::Webp if layout == PixelLayout::Rgba8 => OutputFormat::Png,
                OutputFormat::Webp => OutputFormat::Jpeg,
                other => other,
            };
            (fallback, true)
        }
    }
}

/// Whether an `Accept` header lists `media_type` explicitly with a non-zero q-value.
fn accepts(accept: &str, media_type: &str) -> bool {
    accept.split(',').any(|entry| {
        let mut parts = entry.split(';').map(str::trim);
        let listed = parts.next().is_some_and(|t| t.eq_ignore_ascii_case(media_type));
        let refused = parts
            .any(|param| param.strip_prefix("q=").and_then(|q| q.trim().parse::<f64>().ok()).is_some_and(|q| q <= 0.0));
        listed && !refused
    })
}

/// Kernel argument errors mean our own geometry is wrong, not the request.
pub(crate) fn internal(error: kernels::KernelError) -> TransformError {
    TransformError::new(ErrorKind::Unencodable, format!("internal resize error: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_lists_are_read_with_q_values() {
        assert!(accepts("image/avif,image/webp,*/*", "image/webp"));
        assert!(accepts("image/webp;q=0.8", "image/webp"));
        assert!(!accepts("image/webp;q=0", "image/webp"));
        assert!(!accepts("*/*", "image/webp"));
        assert!(!accepts("", "image/webp"));
    }

    #[test]
    fn format_follows_the_request_then_accept_then_the_source() {
        let webp = Some("image/webp");
        let (rgb, rgba) = (PixelLayout::Rgb8, PixelLayout::Rgba8);
        assert_eq!(
            choose_format(FormatRequest::Auto, SourceFormat::Jpeg, rgb, webp, false),
            (OutputFormat::Webp, true)
        );
        assert_eq!(
            choose_format(FormatRequest::Auto, SourceFormat::Jpeg, rgb, None, false),
            (OutputFormat::Jpeg, true)
        );
        assert_eq!(
            choose_format(FormatRequest::Auto, SourceFormat::Webp, rgba, None, false),
            (OutputFormat::Png, true)
        );
        assert_eq!(
            choose_format(FormatRequest::Source, SourceFormat::Gif, rgb, webp, false),
            (OutputFormat::Png, false)
        );
        assert_eq!(
            choose_format(FormatRequest::Exactly(OutputFormat::Jpeg), SourceFormat::Png, rgba, webp, false),
            (OutputFormat::Jpeg, false)
        );
    }

    #[test]
    fn jpeg_shrink_leaves_at_least_a_2x_reduction() {
        let plan = |source: u32, output: u32| Plan {
            region: SourceRegion::whole(source as usize, source as usize),
            resized: Size { width: output, height: output },
            canvas: Size { width: output, height: output },
            offset: (0, 0),
        };
        assert_eq!(jpeg_shrink(&plan(1000, 999)), 1);
        assert_eq!(jpeg_shrink(&plan(1000, 251)), 1);
        assert_eq!(jpeg_shrink(&plan(1000, 250)), 2);
        assert_eq!(jpeg_shrink(&plan(1000, 125)), 4);
        assert_eq!(jpeg_shrink(&plan(1600, 100)), 4);
        assert_eq!(jpeg_shrink(&plan(100, 1600)), 1);
    }

    #[test]
    fn regions_follow_a_shrunk_decode() {
        let region = SourceRegion { left: 100.0, top: 50.0, width: 800.0, height: 400.0 };
        let planned = Size { width: 1000, height: 500 };
        let decoded = Size { width: 500, height: 250 };
        assert_eq!(
            region_in(region, planned, decoded),
            SourceRegion { left: 50.0, top: 25.0, width: 400.0, height: 200.0 }
        );
        assert_eq!(region_in(region, planned, planned), region);
    }

    fn png_of(rgba: &image::RgbaImage) -> Vec<u8> {
        let mut png = Vec::new();
        image::DynamicImage::from(rgba.clone())
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    #[test]
    fn opaque_rgba_is_written_without_alpha() {
        let rgba = image::RgbaImage::from_fn(9, 5, |x, y| image::Rgba([x as u8 * 25, y as u8 * 50, 7, 255]));
        let out =
            transform(&png_of(&rgba), &TransformOptions::default(), None, &Limits::default(), Backend::Scalar).unwrap();
        let decoded = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!(decoded.color(), image::ColorType::Rgb8);
        assert_eq!(decoded.to_rgba8(), rgba);
    }

    #[test]
    fn re_encoding_without_resampling_keeps_translucent_colours_exactly() {
        // Faint pixels are where a premultiply/unpremultiply round trip would change colour.
        let rgba = image::RgbaImage::from_fn(16, 4, |x, y| image::Rgba([200, (x * 15) as u8, 31, (x + y * 16) as u8]));
        let options =
            TransformOptions { format: FormatRequest::Exactly(OutputFormat::Png), ..TransformOptions::default() };
        let out = transform(&png_of(&rgba), &options, None, &Limits::default(), Backend::Scalar).unwrap();
        assert_eq!(image::load_from_memory(&out.bytes).unwrap().to_rgba8(), rgba);
    }

    fn rgba_png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        png_of(&image::RgbaImage::from_fn(width, height, |x, y| image::Rgba(pixel(x, y))))
    }

    fn run(source: &[u8], options: &str) -> image::DynamicImage {
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment(options, &limits).unwrap();
        let out = transform(source, &options, None, &limits, Backend::Scalar).unwrap();
        image::load_from_memory(&out.bytes).unwrap()
    }

    #[test]
    fn json_describes_the_original_and_the_output() {
        let png = rgba_png(40, 20, |x, _| [x as u8, 0, 0, 255]);
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment("width=10,format=json", &limits).unwrap();
        let out = transform(&png, &options, None, &limits, Backend::Scalar).unwrap();
        assert_eq!(out.content_type, "application/json");
        let image_bytes = transform(
            &png,
            &TransformOptions { format: FormatRequest::Source, ..options },
            None,
            &limits,
            Backend::Scalar,
        )
        .unwrap()
        .bytes
        .len();
        let expected = format!(
            r#"{{"width":10,"height":5,"format":"image/png","file_size":{image_bytes},"original":{{"width":40,"height":20,"format":"image/png","file_size":{}}}}}"#,
            png.len()
        );
        assert_eq!(String::from_utf8(out.bytes).unwrap(), expected);
    }

    #[test]
    fn transparency_goes_over_the_background() {
        // Half-transparent black, opaque red, fully transparent.
        let colours = [[0, 0, 0, 128], [255, 0, 0, 255], [0, 0, 0, 0]];
        let png = rgba_png(3, 1, |x, _| colours[x as usize]);
        let flattened = run(&png, "format=png,background=%230000ff");
        assert_eq!(flattened.color(), image::ColorType::Rgb8);
        assert_eq!(flattened.to_rgb8().into_raw(), vec![0, 0, 127, 255, 0, 0, 0, 0, 255]);
        // JPEG output without a background goes over white (compared loosely: JPEG is lossy).
        let jpeg = run(&png, "format=jpeg").to_rgb8();
        assert!(jpeg.get_pixel(2, 0).0.iter().all(|&c| c > 200), "{:?}", jpeg.get_pixel(2, 0));
        // Without a background, PNG keeps the transparency exactly.
        assert_eq!(run(&png, "format=png").to_rgba8().into_raw(), colours.concat());
        // A translucent background stays translucent where the image is transparent.
        let over_translucent = run(&png, "format=png,background=rgba(0,255,0,0.5)").to_rgba8();
        assert_eq!(over_translucent.get_pixel(2, 0).0, [0, 255, 0, 128]);
        assert_eq!(over_translucent.get_pixel(1, 0).0, [255, 0, 0, 255]);
    }

    #[test]
    fn pads_and_borders_take_their_colours() {
        let png = rgba_png(4, 2, |_, _| [10, 20, 30, 255]);
        let padded = run(&png, "width=4,height=4,fit=pad,background=red,format=png").to_rgb8();
        assert_eq!((padded.width(), padded.height()), (4, 4));
        assert_eq!(padded.get_pixel(0, 0).0, [255, 0, 0]);
        assert_eq!(padded.get_pixel(0, 1).0, [10, 20, 30]);
        let bordered = run(&png, "border.color=%23ffffff80,border.top=1,border.left=2,format=png").to_rgba8();
        assert_eq!((bordered.width(), bordered.height()), (6, 3));
        assert_eq!(bordered.get_pixel(0, 0).0, [255, 255, 255, 128]);
        assert_eq!(bordered.get_pixel(2, 1).0, [10, 20, 30, 255]);
        let doubled = run(&png, "border.width=1,dpr=2,format=png");
        assert_eq!((doubled.width(), doubled.height()), (8, 6));
    }

    #[test]
    fn rotation_flips_and_trims_move_pixels_exactly() {
        let png = rgba_png(5, 3, |x, y| [x as u8 * 40, y as u8 * 80, 0, 255]);
        let turned = run(&png, "rotate=90,format=png").to_rgb8();
        assert_eq!((turned.width(), turned.height()), (3, 5));
        // Clockwise: the source's bottom-left corner becomes the top-left.
        assert_eq!(turned.get_pixel(0, 0).0, [0, 160, 0]);
        let flipped = run(&png, "flip=h,format=png").to_rgb8();
        assert_eq!(flipped.get_pixel(0, 0).0, [160, 0, 0]);
        let trimmed = run(&png, "trim=1;1;0;2,format=png").to_rgb8();
        assert_eq!((trimmed.width(), trimmed.height()), (2, 2));
        assert_eq!(trimmed.get_pixel(0, 0).0, [80, 80, 0]);
    }
}
