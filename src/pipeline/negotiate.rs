//! Format negotiation: the output format from the `format` option, the client's `Accept` header
//! and the source.

use kernels::PixelLayout;

use crate::format::{OutputFormat, SourceFormat};
use crate::options::FormatRequest;

/// The output format, and whether it was negotiated from `Accept`. Animations that are not given
/// another format stay animations, as GIF (the one animated format we write).
pub(super) fn choose_format(
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

/// What of `accept` the format choice depends on, as a short label: responses for requests
/// with the same label are the same, so caches key on it (the Cache API ignores `Vary`).
pub fn accept_class(request: FormatRequest, accept: Option<&str>) -> &'static str {
    match request {
        FormatRequest::Auto if accepts(accept.unwrap_or(""), "image/webp") => "webp",
        FormatRequest::Auto => "no-webp",
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
}
