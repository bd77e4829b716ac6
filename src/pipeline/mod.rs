//! The transformation, free of any HTTP or Worker types: source bytes and options in, encoded
//! image out. It reads top to bottom in [`transform`]: probe the header → look at the pixels
//! where the options need it (`trim=border`, `gravity=auto`) → place (orientation, trim, flip,
//! rotate, fit) → decode (to sRGB, shrinking JPEGs on load; opaque RGBA becomes RGB) →
//! negotiate the format → render ([`render`]: resize, orient, composite, colour, filters, pad,
//! border) → encode → describe (for `format=json`). PNGs stored row by row and sequential JPEGs
//! that are resampled skip the whole decode: their rows stream into the resize ([`stream`]).
//! Before each decode, the memory budget ([`budget`]) estimates the route's peak and refuses what
//! would not fit; it also picks how far a JPEG shrinks on load and whether AVIF or WebP fit.

mod budget;
mod describe;
mod negotiate;
mod render;
mod shrink;
mod stream;

use kernels::{is_opaque, Backend, Image, PixelLayout};

pub use self::budget::linear_memory_bytes;
use self::budget::Route;
use self::describe::{describe, Described};
pub use self::negotiate::accept_class;
use self::negotiate::{choose_format, Affordable, Candidate};
use self::render::{drop_alpha_in_place, output_size, resamples, with_layout, Steps};
use self::shrink::{jpeg_shrink, jpeg_shrinks, region_in, shrunk};
use self::stream::{jpeg_planes_apply, resize_rows, resize_to_jpeg_planes, scan_rows, Resampling};
use crate::codec::{self, AnimationWriter, EncodeSettings, JpegRows, PngRows, Probe, Rows, Storage};
use crate::config::Limits;
use crate::content;
use crate::error::{ErrorKind, TransformError};
use crate::exif::{self, Exif};
use crate::format::{OutputFormat, SourceFormat};
use crate::geometry::{self, Placement, Size};
use crate::options::{FormatRequest, Gravity, Metadata, TransformOptions, Trim, TrimBorder};

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
    /// The memory budget's estimate for the request's route, in bytes (what it was checked with).
    pub memory_estimate: u64,
}

pub fn transform(
    source: &[u8],
    options: &TransformOptions,
    accept: Option<&str>,
    limits: &Limits,
    backend: Backend,
) -> Result<Transformed, TransformError> {
    let probe = codec::probe(source, limits)?;
    let request = Request { source, probe: &probe, options, accept, limits };
    let (placement, decoded) = place(&request, backend)?;
    let output = output_size(&placement.plan, options);
    if probe.frames > 1 && options.anim {
        let affordable = Affordable::ALL;
        let candidate =
            Candidate { source: probe.format, layout: PixelLayout::Rgba8, animated: true, output, affordable };
        let (format, negotiated) = choose_format(options, accept, &candidate, limits);
        if matches!(format, OutputFormat::Gif | OutputFormat::Webp) {
            request.within_budget(&placement, Route::Animated)?;
            let steps = Steps { placement: &placement, stored: probe.size, options, format, limits, backend };
            let bytes = animation(source, &probe, &steps, output)?;
            let estimate = request.estimate(&placement, Route::Animated, format);
            return Ok(Transformed {
                memory_estimate: estimate,
                ..finish(bytes, format, output, negotiated, &probe, source, options)
            });
        }
    }
    let mut image = match decoded {
        Some(image) => image,
        None if probe.format == SourceFormat::Png => {
            let rows = PngRows::new(source, &probe, limits)?;
            if rows.is_interlaced() || !resamples(placement.region, placement.resized, probe.size) {
                request.within_budget(&placement, Route::Whole { decoded: probe.size })?;
                rows.into_image()?
            } else {
                // Stored row by row and resampled: the rows stream into the resize.
                let route = Route::Streamed { planes_to_jpeg: false };
                request.within_budget(&placement, route)?;
                return streamed(&request, &placement, Rows::Png(rows), route, backend);
            }
        }
        None if probe.storage.is_row_by_row_jpeg() && resamples(placement.region, placement.resized, probe.size) => {
            // A sequential JPEG's rows stream too, shrunk on load as a whole decode would be.
            let rows = Rows::Jpeg(JpegRows::new(source, &probe, limits, jpeg_shrink(&placement.plan), backend)?);
            let steps = Steps {
                placement: &placement,
                stored: probe.size,
                options,
                format: OutputFormat::Jpeg,
                limits,
                backend,
            };
            let route = Route::Streamed { planes_to_jpeg: planes_to_encoder(&steps, &rows) };
            request.within_budget(&placement, route)?;
            return streamed(&request, &placement, rows, route, backend);
        }
        None if let Some(shrink) = request.planes_shrink(&placement) => {
            // Other JPEGs (progressive ones) decode whole into their planes, whose rows go into
            // the resize as a sequential file's do: no interleaved image, and the planar route.
            let rows = JpegRows::new(source, &probe, limits, shrink, backend)?;
            let route = Route::Planes { decoded: Size { width: rows.width() as u32, height: rows.height() as u32 } };
            return streamed(&request, &placement, Rows::Jpeg(rows), route, backend);
        }
        None => {
            let shrink = request.affordable_shrink(&placement, |decoded| Route::Whole { decoded })?;
            codec::decode(source, &probe, limits, shrink, backend)?
        }
    };
    if image.layout == PixelLayout::Rgba8 && is_opaque(image.view(), backend)? {
        // Opaque images skip all alpha work and are written without an alpha channel.
        drop_alpha_in_place(&mut image, backend)?;
    }
    let route = Route::Whole { decoded: Size::of(&image) };
    let affordable = request.affordable(&placement, route);
    let candidate = Candidate { source: probe.format, layout: image.layout, animated: false, output, affordable };
    let (format, negotiated) = choose_format(options, accept, &candidate, limits);
    let steps = Steps { placement: &placement, stored: probe.size, options, format, limits, backend };
    let image = steps.render(image)?;
    let transformed = encoded(image, format, negotiated, &probe, source, options, limits, backend)?;
    Ok(Transformed { memory_estimate: request.estimate(&placement, route, format), ..transformed })
}

/// The streaming route: `rows` (the stored image, or a JPEG shrunk on load) resized as they
/// decode (or, on `Route::Planes`, as they are read from the decoder's planes), then rendered
/// and encoded.
fn streamed(
    request: &Request<'_>,
    placement: &Placement,
    rows: Rows<'_>,
    route: Route,
    backend: Backend,
) -> Result<Transformed, TransformError> {
    let Request { source, probe, options, accept, limits } = *request;
    let output = output_size(&placement.plan, options);
    let affordable = request.affordable(placement, route);
    let candidate = Candidate { source: probe.format, layout: rows.layout(), animated: false, output, affordable };
    let (format, negotiated) = choose_format(options, accept, &candidate, limits);
    let steps = Steps { placement, stored: probe.size, options, format, limits, backend };
    let decoded = Size { width: rows.width() as u32, height: rows.height() as u32 };
    let region = region_in(placement.region, probe.size, decoded);
    let estimate = request.estimate(placement, route, format);
    // A JPEG's resized YCbCr planes go straight to a JPEG encoder when nothing comes between.
    let rows = if format == OutputFormat::Jpeg && planes_to_encoder(&steps, &rows) {
        match resize_to_jpeg_planes(rows, region, placement.resized, options.quality, backend)? {
            Ok(planes) => {
                let exif = output_exif(probe, options.metadata, format);
                let settings = EncodeSettings { quality: options.quality, exif: exif.as_deref(), avif_allowance: 0 };
                let bytes = codec::encode_jpeg_planes(&planes, &settings)?;
                let transformed = finish(bytes, format, planes.size, negotiated, probe, source, options);
                return Ok(Transformed { memory_estimate: estimate, ..transformed });
            }
            Err(rows) => rows,
        }
    } else {
        rows
    };
    let resampling = Resampling::for_output(options.gamma_correct, format, options.quality);
    let resized = resize_rows(rows, region, placement.resized, resampling, backend)?;
    let image = steps.after_resize(resized.image, resized.premultiplied)?;
    let transformed = encoded(image, format, negotiated, probe, source, options, limits, backend)?;
    Ok(Transformed { memory_estimate: estimate, ..transformed })
}

/// Whether JPEG output of `rows` (a JPEG's) takes their resized planes straight to the encoder:
/// nothing comes between the resize and the encoder ([`Steps::keep_opaque_resized`], no linear
/// light) and the planar route applies. [`streamed`] goes by it, and the budget counts it.
fn planes_to_encoder(steps: &Steps<'_>, rows: &Rows<'_>) -> bool {
    let Rows::Jpeg(jpeg) = rows else { return false };
    let decoded = Size { width: jpeg.width() as u32, height: jpeg.height() as u32 };
    let region = region_in(steps.placement.region, steps.stored, decoded);
    !steps.options.gamma_correct
        && steps.keep_opaque_resized()
        && jpeg_planes_apply(jpeg, region, steps.placement.resized, steps.options.quality)
}

/// The rendered `image` encoded as `format`, or described for `format=json`.
#[allow(clippy::too_many_arguments)] // The image and the request it answers.
fn encoded(
    mut image: Image,
    format: OutputFormat,
    negotiated: bool,
    probe: &Probe,
    source: &[u8],
    options: &TransformOptions,
    limits: &Limits,
    backend: Backend,
) -> Result<Transformed, TransformError> {
    if format == OutputFormat::Gif {
        image = with_layout(image, PixelLayout::Rgba8, backend)?;
    }
    let exif = output_exif(probe, options.metadata, format);
    // The tiles the budget counted for AVIF: the same allowance for the same output.
    let avif_allowance = budget::avif_allowance(source.len(), options, Size::of(&image), limits.max_working_bytes);
    let settings = EncodeSettings { quality: options.quality, exif: exif.as_deref(), avif_allowance };
    let bytes = codec::encode(&image, format, &settings)?;
    Ok(finish(bytes, format, Size::of(&image), negotiated, probe, source, options))
}

/// Where the output pixels come from. `trim=border` and `gravity=auto` need pixels before the
/// plan: their decode is returned for rendering, not repeated. `trim=border` looks at full
/// resolution, so it forgoes shrink-on-load. A PNG stored row by row that is too large to decode
/// whole within the budget is read a band at a time instead ([`place_from_rows`]).
fn place(request: &Request<'_>, backend: Backend) -> Result<(Placement, Option<Image>), TransformError> {
    let Request { source, probe, options, limits, .. } = *request;
    let exif = probe.orientation();
    let trim = match options.trim {
        Some(Trim::Border(settings)) => Some(settings),
        _ => None,
    };
    // Trimming only makes the output smaller, so the untrimmed plan bounds the memory.
    let untrimmed = geometry::place(probe.size, exif, options, None, limits)?;
    // A trim may give a crop room to move that the whole image leaves it without.
    let focus = options.gravity == Gravity::Auto && (trim.is_some() || untrimmed.region != untrimmed.trimmed);
    if trim.is_none() && !focus {
        return Ok((untrimmed, None));
    }
    let row_by_row = probe.storage == Storage::Png { interlaced: false };
    let whole = Route::Whole { decoded: probe.size };
    if row_by_row && request.within_budget(&untrimmed, whole).is_err() {
        request.within_budget(&untrimmed, Route::Streamed { planes_to_jpeg: false })?;
        return Ok((place_from_rows(request, trim, focus, backend)?, None));
    }
    let mut decoded = None;
    let mut content = None;
    if let Some(settings) = trim {
        request.within_budget(&untrimmed, whole)?;
        let image = codec::decode(source, probe, limits, 1, backend)?;
        content = content::border_box(&image, exif, settings, backend)?;
        decoded = Some(image);
    }
    let mut placement = geometry::place(probe.size, exif, options, content, limits)?;
    if options.gravity == Gravity::Auto && placement.region != placement.trimmed {
        let image = match decoded.take() {
            Some(image) => image,
            None => {
                let shrink = request.affordable_shrink(&placement, |decoded| Route::Whole { decoded })?;
                codec::decode(source, probe, limits, shrink, backend)?
            }
        };
        let gravity = content::focus(&image, &placement, probe.size, backend)?;
        let options = TransformOptions { gravity, ..options.clone() };
        placement = geometry::place(probe.size, exif, &options, content, limits)?;
        decoded = Some(image);
    }
    Ok((placement, decoded))
}

/// [`place`] for a PNG stored row by row: one pass over its rows finds the `trim` box and the
/// edge energy `focus` needs, a band at a time; the rows stream again into the resize.
fn place_from_rows(
    request: &Request<'_>,
    trim: Option<TrimBorder>,
    focus: bool,
    backend: Backend,
) -> Result<Placement, TransformError> {
    let Request { source, probe, options, limits, .. } = *request;
    let exif = probe.orientation();
    let scanned = scan_rows(source, probe, limits, trim, focus, backend)?;
    let mut placement = geometry::place(probe.size, exif, options, scanned.content, limits)?;
    if let Some(energy) = scanned.energy.filter(|_| placement.region != placement.trimmed) {
        let gravity = energy.focus(&placement, probe.size);
        let options = TransformOptions { gravity, ..options.clone() };
        placement = geometry::place(probe.size, exif, &options, scanned.content, limits)?;
    }
    Ok(placement)
}

/// What the memory budget looks at besides the plan.
#[derive(Clone, Copy)]
struct Request<'a> {
    source: &'a [u8],
    probe: &'a Probe,
    options: &'a TransformOptions,
    accept: Option<&'a str>,
    limits: &'a Limits,
}

impl Request<'_> {
    /// The budget's estimate for `route` and `format`.
    fn estimate(&self, placement: &Placement, route: Route, format: OutputFormat) -> u64 {
        let output = output_size(&placement.plan, self.options);
        let budget = self.limits.max_working_bytes;
        budget::estimate(self.source.len(), self.probe, placement, self.options, format, output, route, budget)
    }

    /// A 413 when the request would take more memory than the budget on `route`, even with the
    /// format negotiation falls back to when AVIF and WebP do not fit.
    fn within_budget(&self, placement: &Placement, route: Route) -> Result<(), TransformError> {
        let Request { probe, options, accept, limits, .. } = *self;
        let output = output_size(&placement.plan, options);
        // Before decoding, whether the image is opaque is unknown: the header says if it may not be.
        let layout = if probe.alpha { PixelLayout::Rgba8 } else { PixelLayout::Rgb8 };
        let animated = route == Route::Animated;
        let affordable = Affordable { avif: false, webp: false };
        let candidate = Candidate { source: probe.format, layout, animated, output, affordable };
        let (format, _) = choose_format(options, accept, &candidate, limits);
        budget::check(self.estimate(placement, route, format), probe, limits)
    }

    /// Which of the costly encoders the budget holds on `route`.
    fn affordable(&self, placement: &Placement, route: Route) -> Affordable {
        let fits = |format| self.estimate(placement, route, format) <= self.limits.max_working_bytes;
        Affordable { avif: fits(OutputFormat::Avif), webp: fits(OutputFormat::Webp) }
    }

    /// The shrink a resampled JPEG that does not stream (the arm before takes those that do) is
    /// read at from its decoded planes, where the budget holds one: its fine planes for the
    /// planar route can tip it over where the whole decode, with its image but without them,
    /// still fits, and that decode then serves.
    fn planes_shrink(&self, placement: &Placement) -> Option<u32> {
        let probe = self.probe;
        (probe.format == SourceFormat::Jpeg && resamples(placement.region, placement.resized, probe.size))
            .then(|| self.affordable_shrink(placement, |decoded| Route::Planes { decoded }).ok())
            .flatten()
    }

    /// The shrink a whole decode runs at on the route `route` makes of the decoded size (JPEG
    /// shrinks on load; other formats decode at full size): the best one the budget holds, or
    /// the budget's 413 for the best one.
    fn affordable_shrink(&self, placement: &Placement, route: fn(Size) -> Route) -> Result<u32, TransformError> {
        let stored = self.probe.size;
        if self.probe.format != SourceFormat::Jpeg {
            self.within_budget(placement, route(stored))?;
            return Ok(1);
        }
        let mut refusal = None;
        for shrink in jpeg_shrinks(&placement.plan) {
            match self.within_budget(placement, route(shrunk(stored, shrink))) {
                Ok(()) => return Ok(shrink),
                Err(error) => refusal = refusal.or(Some(error)),
            }
        }
        Err(refusal.unwrap_or_else(|| TransformError::new(ErrorKind::Internal, "no JPEG decode scale was tried")))
    }
}

/// Renders every frame of an animated source into an animated GIF or WebP (`steps.format`) of
/// `size`, one frame at a time. The frames' total output area is limited like one output's.
fn animation(source: &[u8], probe: &Probe, steps: &Steps<'_>, size: Size) -> Result<Vec<u8>, TransformError> {
    let canvas = steps.placement.plan.canvas;
    let limits = steps.limits;
    if canvas.pixels().saturating_mul(probe.frames) > limits.max_output_pixels {
        return Err(TransformError::bad_option(format!(
            "{} frames of {}x{} exceed the output limit of {} pixels; ask for a smaller size or anim=false",
            probe.frames, canvas.width, canvas.height, limits.max_output_pixels
        )));
    }
    let start = budget::linear_memory_bytes();
    let mut writer = AnimationWriter::new(steps.format, size, steps.options.quality)?;
    for (written, frame) in (1..).zip(codec::decode_frames(source, probe, limits)?) {
        let frame = frame?;
        let image = with_layout(steps.render(frame.image)?, PixelLayout::Rgba8, steps.backend)?;
        writer.add(image, frame.delay_ms)?;
        if let (Some(start), Some(memory)) = (start, budget::linear_memory_bytes()) {
            let (finishing, count) = (writer.finishing_bytes(), (written, probe.frames));
            budget::check_growth(memory, start, finishing, count, limits.max_working_bytes)?;
        }
    }
    writer.finish()
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
        let original = Described {
            size: Size { width: width as u32, height: height as u32 },
            content_type: probe.format.content_type(),
            bytes: source.len(),
        };
        let output = Described { size, content_type: format.content_type(), bytes: bytes.len() };
        let json = describe(original, output);
        let bytes = json.into_bytes();
        return Transformed { bytes, content_type: "application/json", format, size, negotiated, memory_estimate: 0 };
    }
    Transformed { bytes, content_type: format.content_type(), format, size, negotiated, memory_estimate: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(rgba: &image::RgbaImage) -> Vec<u8> {
        let mut png = Vec::new();
        image::DynamicImage::from(rgba.clone())
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    /// A sequential JPEG's planes go straight to the JPEG encoder only where nothing comes
    /// between the resize and the encoder, and the memory budget counts the route it takes.
    #[test]
    fn jpeg_planes_go_to_the_encoder_only_where_nothing_comes_between() {
        let jpeg = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/retina.jpg")).unwrap();
        let limits = Limits::default();
        let probe = codec::probe(&jpeg, &limits).unwrap();
        let cases = [
            ("width=400,format=jpeg", true),
            ("width=400,rotate=90,format=jpeg", false),
            ("width=400,gamma-correct=true,format=jpeg", false),
            ("width=400,blur=2,format=jpeg", false),
            ("width=400,brightness=1.2,format=jpeg", false),
        ];
        for (text, expected) in cases {
            let options = TransformOptions::from_path_segment(text, &limits).unwrap();
            let request = Request { source: &jpeg, probe: &probe, options: &options, accept: None, limits: &limits };
            let (placement, _) = place(&request, Backend::Scalar).unwrap();
            let shrink = jpeg_shrink(&placement.plan);
            let rows = Rows::Jpeg(JpegRows::new(&jpeg, &probe, &limits, shrink, Backend::Scalar).unwrap());
            let (format, backend) = (OutputFormat::Jpeg, Backend::Scalar);
            let steps = Steps {
                placement: &placement,
                stored: probe.size,
                options: &options,
                format,
                limits: &limits,
                backend,
            };
            assert_eq!(planes_to_encoder(&steps, &rows), expected, "{text}");
            let route = Route::Streamed { planes_to_jpeg: expected };
            let out = transform(&jpeg, &options, None, &limits, Backend::Scalar).unwrap();
            assert_eq!(out.memory_estimate, request.estimate(&placement, route, format), "{text}");
            // The other route's estimate differs (11.0 against 9.9 MB in the first case), so this
            // tells the routes apart.
        }
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

    #[test]
    fn whole_pixel_crops_keep_translucent_colours_exactly() {
        // Copied, not resampled at scale 1 through premultiplied alpha, which would change them.
        let rgba = image::RgbaImage::from_fn(30, 30, |x, y| {
            image::Rgba([200, (x * 8) as u8, (y * 8) as u8, (x + 3 * y) as u8])
        });
        let png = png_of(&rgba);
        // A trim, and fit=crop with a box wider than the image (which it does not enlarge).
        for (options, (left, top)) in
            [("trim=3;5;7;2,format=png", (2, 3)), ("width=40,height=10,fit=crop,format=png", (0, 10))]
        {
            let out = run(&png, options).to_rgba8();
            let expected = image::imageops::crop_imm(&rgba, left, top, out.width(), out.height()).to_image();
            assert_eq!(out, expected, "{options}");
        }
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
