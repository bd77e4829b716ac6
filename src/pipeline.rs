//! The transformation, free of any HTTP or Worker types: source bytes and options in, encoded
//! image out. Steps: probe → plan → decode → resize → alpha handling → pad → encode.

use kernels::{premultiply, resize, unpremultiply, Backend, Filter, PixelLayout, SourceRegion};

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
    let mut image = codec::decode(source, &probe, limits)?;
    let (format, negotiated) = choose_format(options.format, probe.format, image.layout, accept);

    let has_alpha = image.layout == PixelLayout::Rgba8;
    if has_alpha {
        premultiply(image.view_mut(), backend).map_err(internal)?;
    }
    if plan.region != SourceRegion::whole(image.size.width as usize, image.size.height as usize)
        || plan.resized != image.size
    {
        image = resized(&image, &plan, backend)?;
    }
    if has_alpha {
        if format == OutputFormat::Jpeg {
            image = flatten_premultiplied(&image);
        } else {
            unpremultiply(image.view_mut(), backend).map_err(internal)?;
        }
    }
    if plan.canvas != plan.resized {
        image = padded(&image, &plan);
    }
    let bytes = codec::encode(&image, format, options.quality)?;
    Ok(Transformed { bytes, format, size: image.size, negotiated })
}

fn resized(image: &Bitmap, plan: &Plan, backend: Backend) -> Result<Bitmap, TransformError> {
    let size = plan.resized;
    let mut out = Bitmap {
        pixels: vec![0; size.pixels() as usize * image.layout.channels()],
        size,
        layout: image.layout,
    };
    resize(image.view(), plan.region, out.view_mut(), Filter::Lanczos3, backend).map_err(internal)?;
    Ok(out)
}

/// Composites premultiplied RGBA over white into RGB: `c + (255 - a)` is exactly
/// `c / a * a + 255 * (1 - a)` on premultiplied values.
fn flatten_premultiplied(image: &Bitmap) -> Bitmap {
    let pixels = image
        .pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let background = WHITE - p[3];
            [p[0].saturating_add(background), p[1].saturating_add(background), p[2].saturating_add(background)]
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
        canvas.pixels[start..start + row.len()].copy_from_slice(row);
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
