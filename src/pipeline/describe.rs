//! The `format=json` answer: a description of the original and of the output instead of the image.

use crate::geometry::Size;

/// What `format=json` tells about one image: its (upright) size, media type and byte length.
pub(super) struct Described<'a> {
    pub size: Size,
    pub content_type: &'a str,
    pub bytes: usize,
}

/// The body: Cloudflare's fields (`width`, `height`, `original`), plus the output's format and size
/// in bytes.
pub(super) fn describe(original: Described<'_>, output: Described<'_>) -> String {
    let fields = |Described { size, content_type, bytes }: Described<'_>| {
        format!(
            "\"width\":{},\"height\":{},\"format\":\"{content_type}\",\"file_size\":{bytes}",
            size.width, size.height
        )
    };
    format!("{{{},\"original\":{{{}}}}}", fields(output), fields(original))
}
