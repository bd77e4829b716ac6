//! Operator settings: the pipeline's limits and where sources come from. Each is a Worker
//! variable in `wrangler.toml` with the default below.

use url::Url;

use crate::error::{ErrorKind, TransformError};
use crate::source::{checked_url, AllowedOrigins};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `MAX_INPUT_BYTES`: largest request body or source file accepted.
    pub max_input_bytes: usize,
    /// `MAX_INPUT_PIXELS`: largest decoded image (width × height), checked from the header
    /// before any pixel buffer exists.
    pub max_input_pixels: u64,
    /// `MAX_OUTPUT_DIMENSION`: largest output width or height, and largest `width`/`height`
    /// option.
    pub max_output_dimension: u32,
    /// `MAX_OUTPUT_PIXELS`: largest output image (width × height).
    pub max_output_pixels: u64,
    /// `MAX_AVIF_DIMENSION`: longest side sent as AVIF, whose encoder is slow; larger outputs
    /// get WebP instead (Cloudflare caps AVIF the same way).
    pub max_avif_dimension: u32,
    /// `MAX_WORKING_BYTES`: the most linear memory one request may need (source included), as
    /// estimated from the header before any pixel buffer exists; a Workers isolate has 128 MB
    /// for everything, and wasm memory never shrinks.
    pub max_working_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 32 * 1024 * 1024,
            max_input_pixels: 100_000_000,
            max_output_dimension: 12_000,
            max_output_pixels: 25_000_000,
            max_avif_dimension: 1_600,
            max_working_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// The variables [`Limits::from_vars`] reads.
    pub const VARIABLES: [&'static str; 6] = [
        "MAX_INPUT_BYTES",
        "MAX_INPUT_PIXELS",
        "MAX_OUTPUT_DIMENSION",
        "MAX_OUTPUT_PIXELS",
        "MAX_AVIF_DIMENSION",
        "MAX_WORKING_BYTES",
    ];

    /// Limits from `(variable name, value)` settings, as the JS package and the CLI take them;
    /// a name that is not one of [`Limits::VARIABLES`] is refused.
    pub fn from_settings(settings: &[(&str, &str)]) -> Result<Self, TransformError> {
        if let Some((name, _)) = settings.iter().find(|(name, _)| !Self::VARIABLES.contains(name)) {
            return Err(TransformError::new(
                ErrorKind::Misconfigured,
                format!("unknown limit {name:?}; the limits are {}", Self::VARIABLES.join(", ")),
            ));
        }
        Self::from_vars(|name| settings.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned()))
    }

    /// Limits from variables looked up by name; unset ones keep their defaults.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, TransformError> {
        let defaults = Limits::default();
        Ok(Limits {
            max_input_bytes: var(&lookup, "MAX_INPUT_BYTES", defaults.max_input_bytes)?,
            max_input_pixels: var(&lookup, "MAX_INPUT_PIXELS", defaults.max_input_pixels)?,
            max_output_dimension: var(&lookup, "MAX_OUTPUT_DIMENSION", defaults.max_output_dimension)?,
            max_output_pixels: var(&lookup, "MAX_OUTPUT_PIXELS", defaults.max_output_pixels)?,
            max_avif_dimension: var(&lookup, "MAX_AVIF_DIMENSION", defaults.max_avif_dimension)?,
            max_working_bytes: var(&lookup, "MAX_WORKING_BYTES", defaults.max_working_bytes)?,
        })
    }
}

/// Where sources come from, besides the bindings (`IMAGES`, `ASSETS`) the Worker may have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// `ORIGIN`: the base URL relative source paths resolve against (a directory: ends in `/`).
    pub origin: Option<Url>,
    /// `ORIGIN` as the one prefix its paths (and its redirects) must stay under.
    pub origin_prefix: AllowedOrigins,
    /// `ALLOWED_ORIGINS`: the prefixes absolute source URLs must start with; none by default.
    pub allowed: AllowedOrigins,
    /// `ORIGIN_TIMEOUT_MS`: how long one source fetch may take, redirects and body included.
    pub timeout_ms: u32,
}

impl Sources {
    pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, TransformError> {
        let misconfigured = |what: String| TransformError::new(ErrorKind::Misconfigured, what);
        let origin = match lookup("ORIGIN").filter(|text| !text.trim().is_empty()) {
            None => None,
            Some(text) => {
                let mut url = checked_url(text.trim())
                    .map_err(|error| misconfigured(format!("Worker variable ORIGIN: {}", error.message)))?;
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(misconfigured("Worker variable ORIGIN must have no query or fragment".into()));
                }
                if !url.path().ends_with('/') {
                    url.set_path(&format!("{}/", url.path()));
                }
                Some(url)
            }
        };
        let origin_prefix = AllowedOrigins::parse(origin.as_ref().map(Url::as_str).unwrap_or(""))?;
        Ok(Sources {
            origin,
            origin_prefix,
            allowed: AllowedOrigins::parse(&lookup("ALLOWED_ORIGINS").unwrap_or_default())?,
            timeout_ms: var(&lookup, "ORIGIN_TIMEOUT_MS", Self::DEFAULT_TIMEOUT_MS)?,
        })
    }
}

/// `CORS_ORIGINS`: the browser origins (`https://app.example.com`) allowed to read responses
/// cross-origin, comma-separated, or `*` for any; none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsOrigins {
    any: bool,
    origins: Vec<String>,
}

impl CorsOrigins {
    pub fn parse(list: &str) -> Result<Self, TransformError> {
        let mut cors = CorsOrigins::default();
        for entry in list.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            if entry == "*" {
                cors.any = true;
                continue;
            }
            // An origin is scheme://host[:port], nothing more; compared in its serialised form.
            let origin = Url::parse(entry).ok().filter(|url| url.path() == "/" && url.query().is_none());
            let Some(origin) = origin.map(|url| url.origin().ascii_serialization()).filter(|o| o != "null") else {
                return Err(TransformError::new(
                    ErrorKind::Misconfigured,
                    format!("CORS_ORIGINS entry {entry:?} is not an origin like https://app.example.com"),
                ));
            };
            cors.origins.push(origin);
        }
        Ok(cors)
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    pub fn allow(&self, origin: &str) -> Option<String> {
        if self.any {
            return Some("*".into());
        }
        self.origins.iter().find(|allowed| allowed.as_str() == origin).cloned()
    }
}

fn var<T: core::str::FromStr + PartialOrd + From<u8>>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, TransformError> {
    match lookup(name) {
        None => Ok(default),
        Some(text) => match text.trim().parse::<T>() {
            Ok(value) if value >= T::from(1) => Ok(value),
            _ => Err(TransformError::new(
                ErrorKind::Misconfigured,
                format!("{name} must be a positive integer, not {text:?}"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_keep_defaults_and_set_ones_apply() {
        let limits = Limits::from_vars(|name| (name == "MAX_INPUT_PIXELS").then(|| "1000".into())).unwrap();
        assert_eq!(limits.max_input_pixels, 1000);
        assert_eq!(limits.max_input_bytes, Limits::default().max_input_bytes);
    }

    #[test]
    fn sources_come_from_origin_and_the_allow_list() {
        let vars = |name: &str| match name {
            "ORIGIN" => Some("https://images.example.com/photos".to_owned()),
            "ALLOWED_ORIGINS" => Some("https://cdn.example.org/".to_owned()),
            _ => None,
        };
        let sources = Sources::from_vars(vars).unwrap();
        assert_eq!(sources.origin.unwrap().as_str(), "https://images.example.com/photos/");
        assert!(!sources.allowed.is_empty() && !sources.origin_prefix.is_empty());
        assert_eq!(sources.timeout_ms, Sources::DEFAULT_TIMEOUT_MS);
        let none = Sources::from_vars(|_| None).unwrap();
        assert!(none.origin.is_none() && none.allowed.is_empty());
        for (name, value) in [("ORIGIN", "images.example.com"), ("ORIGIN", "ftp://x/"), ("ORIGIN_TIMEOUT_MS", "0")] {
            let error = Sources::from_vars(|asked| (asked == name).then(|| value.to_owned())).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Misconfigured, "{name}={value}");
        }
    }

    #[test]
    fn cors_origins_are_exact_origins_or_any() {
        let cors = CorsOrigins::parse("https://app.example.com, http://localhost:3000").unwrap();
        assert_eq!(cors.allow("https://app.example.com"), Some("https://app.example.com".into()));
        assert_eq!(cors.allow("http://localhost:3000"), Some("http://localhost:3000".into()));
        assert_eq!(cors.allow("https://app.example.com.evil.com"), None);
        assert_eq!(cors.allow("http://app.example.com"), None);
        assert_eq!(CorsOrigins::parse("").unwrap().allow("https://app.example.com"), None);
        assert_eq!(CorsOrigins::parse("*").unwrap().allow("https://any.example"), Some("*".into()));
        for bad in ["app.example.com", "https://app.example.com/path", "data:text/plain,x"] {
            assert_eq!(CorsOrigins::parse(bad).unwrap_err().kind, ErrorKind::Misconfigured, "{bad}");
        }
    }

    #[test]
    fn invalid_variables_are_reported_by_name() {
        let error = Limits::from_vars(|name| (name == "MAX_INPUT_BYTES").then(|| "lots".into())).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Misconfigured);
        assert!(error.message.contains("MAX_INPUT_BYTES"));
        assert!(Limits::from_vars(|_| Some("0".into())).is_err());
    }
}
