//! The transformation, free of any HTTP or Worker types: source bytes and options in, encoded
//! image out. Steps: probe → plan → decode (opaque RGBA becomes RGB) → premultiply → resize →
//! unpremultiply or flatten → pad → encode.

use kernels::{drop_alpha, is_opaque, premultiply, resize, unpremultiply, Backend, Filter, PixelLayout, SourceRegion};

use crate::codec::{self, Bitmap, SourceFormat};
use crate::config::Limits;
use crate::error::{ErrorKind, TransformError};
use crate::geometry::{self, Plan, Size};
use crate::options::{FormatRequest, OutputFormat, TransformOptions};

/// Background for `fit=pad` and for flattening transparency into JPEG, until the `background`
/// option exists: opaque white, as Cloudflare defaults to.
const WHITE: u8 = 255;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transformed {
    pub bytes: Vec<u8>,
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
    let plan = geometry::plan(probe.size, options, limits)?;
    let mut image = codec::decode(source, &probe, limits, jpeg_shrink(&plan))?;
    if image.layout == PixelLayout::Rgba8 && is_opaque(image.view(), backend).map_err(internal)? {
        // Opaque images skip all alpha work and are written without an alpha channel.
        let len = drop_alpha(image.view_mut(), backend).map_err(internal)?;
        image.pixels.truncate(len);
        image.layout = PixelLayout::Rgb8;
    }
    let (format, negotiated) = choose_format(options.format, probe.format, image.layout, accept);
    let region = region_in(plan.region, probe.size, image.size);

    let resampling =
        region != SourceRegion::whole(image.size.width as usize, image.size.height as usize) || plan.resized != image.size;
    let has_alpha = image.layout == PixelLayout::Rgba8;
    let flattening = has_alpha && format == OutputFormat::Jpeg;
    // Premultiplied alpha only where resampling or flattening needs it: the round trip is lossy
    // for faint pixels, so an image that is only re-encoded keeps its exact colours.
    let premultiplied = has_alpha && (resampling || flattening);
    if premultiplied {
        premultiply(image.view_mut(), backend).map_err(internal)?;
    }
    if resampling {
        image = resized(&image, region, plan.resized, backend)?;
    }
    if flattening {
        image = flatten_premultiplied(&image);
    } else if premultiplied {
        unpremultiply(image.view_mut(), backend).map_err(internal)?;
    }
    if plan.canvas != plan.resized {
        image = padded(&image, &plan);
    }
    let bytes = codec::encode(&image, format, options.quality)?;
    Ok(Transformed { bytes, format, size: image.size, negotiated })
}

/// How much to shrink a JPEG while decoding (1, 2 or 4). As libvips does, the block shrink
/// stops while the Lanczos3 pass still has at least a 2x reduction to do, so quality comes from
/// the filter and decoding only skips detail the output cannot hold. Unlike libvips, 1/8 is never
/// used: it keeps only each block's DC (a box prefilter: 34 dB against a float resize where 1/4
/// reaches 47 dB, in tests/accuracy.rs) and saves almost no time over 1/4, as entropy decoding
/// dominates.
fn jpeg_shrink(plan: &Plan) -> u32 {
    let reduction = (plan.region.width / plan.resized.width as f64).min(plan.region.height / plan.resized.height as f64);
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

fn resized(image: &Bitmap, region: SourceRegion, size: Size, backend: Backend) -> Result<Bitmap, TransformError> {
    let mut out = Bitmap {
        pixels: vec![0; size.pixels() as usize * image.layout.channels()],
        size,
        layout: image.layout,
    };
    resize(image.view(), region, out.view_mut(), Filter::Lanczos3, backend).map_err(internal)?;
    Ok(out)
}

/// Composites premultiplied RGBA over white into RGB: `c + (255 - a)` is exactly
/// `c / a * a + 255 * (1 - a)` on premultiplied values.
fn flatten_premultiplied(image: &Bitmap) -> Bitmap {
    let pixels = image
        .pixels
        .chunks_exact(4)
        .flat_map(|pixel| match *pixel {
            [r, g, b, a] => [r, g, b].map(|colour| colour.saturating_add(WHITE - a)),
            _ => [0; 3],
        })
        .collect();
    Bitmap { pixels, size: image.size, layout: PixelLayout::Rgb8 }
}

/// Places the image at `plan.offset` on an opaque white canvas of `plan.canvas`.
fn padded(image: &Bitmap, plan: &Plan) -> Bitmap {
    let channels = image.layout.channels();
    let mut canvas = Bitmap {
        pixels: vec![WHITE; plan.canvas.pixels() as usize * channels],
        size: plan.canvas,
        layout: image.layout,
    };
    let canvas_stride = canvas.stride();
    let (left, top) = (plan.offset.0 as usize, plan.offset.1 as usize);
    for (y, row) in image.pixels.chunks_exact(image.stride()).enumerate() {
        let start = (top + y) * canvas_stride + left * channels;
        if let Some(target) = canvas.pixels.get_mut(start..start + row.len()) {
            target.copy_from_slice(row);
        }
    }
    canvas
}

/// The output format, and whether it was negotiated from `Accept`.
fn choose_format(
    request: FormatRequest,
    source: SourceFormat,
    layout: PixelLayout,
    accept: Option<&str>,
) -> (OutputFormat, bool) {
    let own = match source {
        SourceFormat::Jpeg => OutputFormat::Jpeg,
        SourceFormat::Png | SourceFormat::Gif => OutputFormat::Png,
        SourceFormat::Webp => OutputFormat::Webp,
    };
    match request {
        FormatRequest::Exactly(format) => (format, false),
        FormatRequest::Source => (own, false),
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
        let refused = parts.any(|param| {
            param
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f64>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        listed && !refused
    })
}

/// Kernel argument errors mean our own geometry is wrong, not the request.
fn internal(error: kernels::KernelError) -> TransformError {
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
        assert_eq!(choose_format(FormatRequest::Auto, SourceFormat::Jpeg, rgb, webp), (OutputFormat::Webp, true));
        assert_eq!(choose_format(FormatRequest::Auto, SourceFormat::Jpeg, rgb, None), (OutputFormat::Jpeg, true));
        assert_eq!(choose_format(FormatRequest::Auto, SourceFormat::Webp, rgba, None), (OutputFormat::Png, true));
        assert_eq!(choose_format(FormatRequest::Source, SourceFormat::Gif, rgb, webp), (OutputFormat::Png, false));
        assert_eq!(
            choose_format(FormatRequest::Exactly(OutputFormat::Jpeg), SourceFormat::Png, rgba, webp),
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
        let out = transform(&png_of(&rgba), &TransformOptions::default(), None, &Limits::default(), Backend::Scalar).unwrap();
        let decoded = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!(decoded.color(), image::ColorType::Rgb8);
        assert_eq!(decoded.to_rgba8(), rgba);
    }

    #[test]
    fn re_encoding_without_resampling_keeps_translucent_colours_exactly() {
        // Faint pixels are where a premultiply/unpremultiply round trip would change colour.
        let rgba = image::RgbaImage::from_fn(16, 4, |x, y| image::Rgba([200, (x * 15) as u8, 31, (x + y * 16) as u8]));
        let options = TransformOptions { format: FormatRequest::Exactly(OutputFormat::Png), ..TransformOptions::default() };
        let out = transform(&png_of(&rgba), &options, None, &Limits::default(), Backend::Scalar).unwrap();
        assert_eq!(image::load_from_memory(&out.bytes).unwrap().to_rgba8(), rgba);
    }

    #[test]
    fn flattening_composites_over_white() {
        // Premultiplied: half-transparent black, opaque red, fully transparent.
        let image = Bitmap {
            pixels: vec![0, 0, 0, 128, 255, 0, 0, 255, 0, 0, 0, 0],
            size: Size { width: 3, height: 1 },
            layout: PixelLayout::Rgba8,
        };
        assert_eq!(flatten_premultiplied(&image).pixels, vec![127, 127, 127, 255, 0, 0, 255, 255, 255]);
    }
}
