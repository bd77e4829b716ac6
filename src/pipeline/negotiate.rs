//! Format negotiation: the output format from the `format` option, the client's `Accept` header
//! and the source.

use kernels::PixelLayout;

use crate::config::Limits;
use crate::format::{OutputFormat, SourceFormat};
use crate::geometry::Size;
use crate::options::{FormatRequest, TransformOptions};

/// What the choice looks at in the image.
pub(super) struct Candidate {
    pub source: SourceFormat,
    /// The decoded layout (RGBA only where the image is not opaque).
    pub layout: PixelLayout,
    /// Whether the output will be an animation if the format allows.
    pub animated: bool,
    /// The output's size (AVIF has a size cap).
    pub output: Size,
    /// Which of the costly encoders the memory budget leaves room for.
    pub affordable: Affordable,
}

/// Whether the memory budget holds the request with AVIF, and with WebP, output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Affordable {
    pub avif: bool,
    pub webp: bool,
}

impl Affordable {
    pub const ALL: Affordable = Affordable { avif: true, webp: true };
}

/// The output format, and whether it was negotiated from `Accept`.
///
/// `format=auto`: AVIF if accepted, within `MAX_AVIF_DIMENSION` and the memory budget and not
/// `compression=fast`, then WebP if accepted and within the budget, then the source's format.
/// Animations become animated WebP where WebP is accepted, else GIF. An explicit `format=avif`
/// above the AVIF cap or the budget becomes WebP.
pub(super) fn choose_format(
    options: &TransformOptions,
    accept: Option<&str>,
    image: &Candidate,
    limits: &Limits,
) -> (OutputFormat, bool) {
    let accept = accept.unwrap_or("");
    let avif_fits = image.output.width.max(image.output.height) <= limits.max_avif_dimension && image.affordable.avif;
    if image.animated && matches!(options.format, FormatRequest::Source | FormatRequest::Auto | FormatRequest::Json) {
        return match options.format {
            FormatRequest::Auto if accepts(accept, "image/webp") => (OutputFormat::Webp, true),
            FormatRequest::Auto => (OutputFormat::Gif, true),
            _ => (OutputFormat::Gif, false),
        };
    }
    let own = match image.source {
        SourceFormat::Jpeg => OutputFormat::Jpeg,
        SourceFormat::Png | SourceFormat::Gif => OutputFormat::Png,
        SourceFormat::Webp => OutputFormat::Webp,
    };
    match options.format {
        FormatRequest::Exactly(OutputFormat::Avif) if !avif_fits => (OutputFormat::Webp, false),
        FormatRequest::Exactly(format) => (format, false),
        FormatRequest::Source | FormatRequest::Json => (own, false),
        FormatRequest::Auto => {
            let format = if accepts(accept, "image/avif") && avif_fits && !options.compression_fast {
                OutputFormat::Avif
            } else if accepts(accept, "image/webp") && image.affordable.webp {
                OutputFormat::Webp
            } else {
                match own {
                    // The client cannot show WebP: pick the format that keeps what the image has.
                    OutputFormat::Webp if image.layout == PixelLayout::Rgba8 => OutputFormat::Png,
                    OutputFormat::Webp => OutputFormat::Jpeg,
                    other => other,
                }
            };
            (format, true)
        }
    }
}

/// What of `accept` the format choice depends on, as a short label: responses for requests
/// with the same label are the same, so caches key on it (the Cache API ignores `Vary`).
pub fn accept_class(request: FormatRequest, accept: Option<&str>) -> &'static str {
    let accept = accept.unwrap_or("");
    match (request, accepts(accept, "image/avif"), accepts(accept, "image/webp")) {
        (FormatRequest::Auto, true, true) => "avif+webp",
        (FormatRequest::Auto, true, false) => "avif",
        (FormatRequest::Auto, false, true) => "webp",
        (FormatRequest::Auto, false, false) => "neither",
        _ => "any",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Accept` headers browsers send for images (Chrome 120+, Firefox 120+, Safari 17+).
    const CHROME: &str = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    const FIREFOX: &str = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";
    const SAFARI: &str = "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";
    const OLD_BROWSER: &str = "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";

    fn choose(
        options: &str,
        accept: Option<&str>,
        source: SourceFormat,
        layout: PixelLayout,
        long_side: u32,
    ) -> (OutputFormat, bool) {
        let limits = Limits::default();
        let options = TransformOptions::from_path_segment(options, &limits).unwrap();
        let output = Size { width: long_side, height: 10 };
        let candidate = Candidate { source, layout, animated: false, output, affordable: Affordable::ALL };
        choose_format(&options, accept, &candidate, &limits)
    }

    #[test]
    fn accept_lists_are_read_with_q_values() {
        assert!(accepts("image/avif,image/webp,*/*", "image/webp"));
        assert!(accepts("image/webp;q=0.8", "image/webp"));
        assert!(!accepts("image/webp;q=0", "image/webp"));
        assert!(!accepts("*/*", "image/webp"));
        assert!(!accepts("", "image/webp"));
    }

    #[test]
    fn auto_prefers_avif_then_webp_then_the_source() {
        let (jpeg, rgb) = (SourceFormat::Jpeg, PixelLayout::Rgb8);
        for browser in [CHROME, FIREFOX, SAFARI] {
            assert_eq!(choose("format=auto", Some(browser), jpeg, rgb, 800), (OutputFormat::Avif, true));
            assert_eq!(
                choose("format=auto,compression=fast", Some(browser), jpeg, rgb, 800),
                (OutputFormat::Webp, true)
            );
            assert_eq!(choose("format=auto", Some(browser), jpeg, rgb, 1601), (OutputFormat::Webp, true));
        }
        assert_eq!(choose("format=auto", Some("image/avif"), jpeg, rgb, 1601), (OutputFormat::Jpeg, true));
        assert_eq!(choose("format=auto", Some(OLD_BROWSER), jpeg, rgb, 800), (OutputFormat::Jpeg, true));
        assert_eq!(choose("format=auto", None, SourceFormat::Webp, PixelLayout::Rgba8, 8), (OutputFormat::Png, true));
        assert_eq!(choose("format=auto", None, SourceFormat::Webp, rgb, 8), (OutputFormat::Jpeg, true));
    }

    #[test]
    fn explicit_formats_ignore_accept() {
        let (png, rgba) = (SourceFormat::Png, PixelLayout::Rgba8);
        assert_eq!(choose("format=jpeg", Some(CHROME), png, rgba, 8), (OutputFormat::Jpeg, false));
        assert_eq!(choose("format=avif", None, png, rgba, 1600), (OutputFormat::Avif, false));
        assert_eq!(choose("format=avif", None, png, rgba, 1601), (OutputFormat::Webp, false));
        assert_eq!(choose("width=8", Some(CHROME), SourceFormat::Gif, rgba, 8), (OutputFormat::Png, false));
    }

    #[test]
    fn formats_the_memory_budget_cannot_hold_give_way() {
        let limits = Limits::default();
        let choose = |options: &str, avif, webp| {
            let options = TransformOptions::from_path_segment(options, &limits).unwrap();
            let output = Size { width: 800, height: 600 };
            let affordable = Affordable { avif, webp };
            let candidate = Candidate {
                source: SourceFormat::Jpeg,
                layout: PixelLayout::Rgb8,
                animated: false,
                output,
                affordable,
            };
            choose_format(&options, Some(CHROME), &candidate, &limits).0
        };
        assert_eq!(choose("format=auto", true, true), OutputFormat::Avif);
        assert_eq!(choose("format=auto", false, true), OutputFormat::Webp);
        assert_eq!(choose("format=auto", false, false), OutputFormat::Jpeg);
        assert_eq!(choose("format=avif", false, true), OutputFormat::Webp);
        // Explicit formats other than AVIF stay; the budget refuses them if they do not fit.
        assert_eq!(choose("format=webp", false, false), OutputFormat::Webp);
    }

    #[test]
    fn animations_are_webp_where_accepted_else_gif() {
        let limits = Limits::default();
        let animated = Candidate {
            source: SourceFormat::Gif,
            layout: PixelLayout::Rgba8,
            animated: true,
            output: Size { width: 9, height: 9 },
            affordable: Affordable::ALL,
        };
        let choose = |options: &str, accept| {
            choose_format(&TransformOptions::from_path_segment(options, &limits).unwrap(), accept, &animated, &limits)
        };
        assert_eq!(choose("format=auto", Some(CHROME)), (OutputFormat::Webp, true));
        assert_eq!(choose("format=auto", Some(OLD_BROWSER)), (OutputFormat::Gif, true));
        assert_eq!(choose("width=9", Some(CHROME)), (OutputFormat::Gif, false));
        assert_eq!(choose("format=webp", None), (OutputFormat::Webp, false));
    }

    #[test]
    fn cache_classes_follow_what_the_choice_reads() {
        assert_eq!(accept_class(FormatRequest::Auto, Some(CHROME)), "avif+webp");
        assert_eq!(accept_class(FormatRequest::Auto, Some(OLD_BROWSER)), "neither");
        assert_eq!(accept_class(FormatRequest::Source, Some(CHROME)), "any");
    }
}
