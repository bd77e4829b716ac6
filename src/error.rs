//! The one error type every step returns; it knows its HTTP status and our stable error code.

use core::fmt;

/// What went wrong, as a category with a fixed HTTP status and numeric code. The codes follow
/// Cloudflare Images' where one exists, so operators moving over recognise them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A transformation option is unknown, malformed or out of range.
    BadOption,
    /// The source is not one this Worker may fetch (not in `ALLOWED_ORIGINS`, or disguised).
    Forbidden,
    /// No such route, or no such source image.
    NotFound,
    /// The method is not allowed on this route.
    MethodNotAllowed,
    /// The request body or source is larger than the byte limit, or the image has more pixels
    /// than the pixel limit.
    TooLarge,
    /// The bytes are not an image in a format we read.
    UnsupportedFormat,
    /// The bytes claim a supported format but cannot be decoded (truncated, corrupt).
    Undecodable,
    /// The image decoded but could not be encoded in the output format.
    Unencodable,
    /// The source could not be fetched (unreachable, or its server refused or failed).
    SourceUnreachable,
    /// The source did not answer within `ORIGIN_TIMEOUT_MS`.
    SourceTimeout,
    /// The request came from ourselves (it carries our `Via` marker): a loop.
    Loop,
    /// The operator's configuration is invalid.
    Misconfigured,
    /// Our own bug (a kernel refused the arguments we gave it): never the client's fault.
    Internal,
}

impl ErrorKind {
    pub const fn status(self) -> u16 {
        match self {
            ErrorKind::BadOption => 400,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::TooLarge => 413,
            ErrorKind::UnsupportedFormat => 415,
            ErrorKind::Undecodable | ErrorKind::Unencodable => 422,
            ErrorKind::SourceUnreachable => 502,
            ErrorKind::SourceTimeout => 504,
            ErrorKind::Loop => 508,
            ErrorKind::Misconfigured | ErrorKind::Internal => 500,
        }
    }

    pub const fn code(self) -> u16 {
        match self {
            ErrorKind::BadOption => 9401,
            ErrorKind::Forbidden => 9430,
            ErrorKind::NotFound => 9404,
            ErrorKind::MethodNotAllowed => 9405,
            ErrorKind::TooLarge => 9413,
            ErrorKind::UnsupportedFormat => 9412,
            ErrorKind::Undecodable => 9422,
            ErrorKind::Unencodable => 9516,
            ErrorKind::SourceUnreachable => 9502,
            ErrorKind::SourceTimeout => 9504,
            ErrorKind::Loop => 9403,
            ErrorKind::Misconfigured => 9500,
            ErrorKind::Internal => 9520,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransformError {
    pub kind: ErrorKind,
    pub message: String,
}

impl TransformError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TransformError { kind, message: message.into() }
    }

    pub fn bad_option(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadOption, message)
    }

    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The response body: `{"error": "...", "code": N}`.
    pub fn to_json(&self) -> String {
        format!("{{\"error\":{},\"code\":{}}}", json_string(&self.message), self.kind.code())
    }
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.kind.code())
    }
}

impl std::error::Error for TransformError {}

/// Kernels validate their arguments; a refusal means our own geometry was wrong, not the request.
impl From<kernels::KernelError> for TransformError {
    fn from(error: kernels::KernelError) -> Self {
        TransformError::new(ErrorKind::Internal, format!("internal error (a bug on our side): {error}"))
    }
}

/// `text` as a JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_escapes_the_message() {
        let error = TransformError::bad_option("bad \"width\"\n");
        assert_eq!(error.to_json(), r#"{"error":"bad \"width\"\n","code":9401}"#);
    }

    #[test]
    fn kernel_refusals_are_our_bugs_not_the_clients() {
        let error = TransformError::from(kernels::KernelError::LayoutMismatch);
        assert_eq!((error.status(), error.kind.code()), (500, 9520));
        assert!(error.message.contains("pixel layouts do not match"), "{}", error.message);
    }
}
