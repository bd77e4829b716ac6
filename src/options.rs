//! Transformation options: Cloudflare's grammar (`width=800,fit=cover` in the URL path, or the
//! same names as query parameters), parsed into a validated [`TransformOptions`].

use crate::config::Limits;
use crate::error::TransformError;

/// Longest options string accepted, so hostile input cannot make the parser allocate much.
pub const MAX_OPTIONS_LEN: usize = 2048;
/// Largest effective device pixel ratio; larger values are capped, as Cloudflare does.
pub const MAX_DPR: f64 = 2.0;
pub const DEFAULT_QUALITY: u8 = 85;

/// How the image is fitted into the `width` × `height` box.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fit {
    /// Fit inside the box keeping the aspect ratio; never enlarge.
    #[default]
    ScaleDown,
    /// Fit inside the box keeping the aspect ratio; may enlarge.
    Contain,
    /// Fill the box exactly keeping the aspect ratio, cropping the overflow; may enlarge.
    Cover,
    /// As `Cover` for images larger than the box, but never enlarge.
    Crop,
    /// As `Contain`, then fill the rest of the box with the background colour.
    Pad,
    /// Stretch to exactly the box, ignoring the aspect ratio.
    Squeeze,
}

/// Formats this service can encode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Jpeg,
    Png,
    Webp,
}

impl OutputFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "image/jpeg",
            OutputFormat::Png => "image/png",
            OutputFormat::Webp => "image/webp",
        }
    }
}

/// The `format` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormatRequest {
    /// Not given: keep the source's format where we can encode it.
    #[default]
    Source,
    /// `auto`: the best format the client's `Accept` header allows.
    Auto,
    Exactly(OutputFormat),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TransformOptions {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fit: Fit,
    /// 1..=100.
    pub quality: u8,
    pub format: FormatRequest,
    /// Finite, in `(0, MAX_DPR]`.
    pub dpr: f64,
}

impl Default for TransformOptions {
    fn default() -> Self {
        TransformOptions {
            width: None,
            height: None,
            fit: Fit::default(),
            quality: DEFAULT_QUALITY,
            format: FormatRequest::default(),
            dpr: 1.0,
        }
    }
}

/// Cloudflare options we know but do not implement yet: refused by name rather than ignored.
const NOT_YET_SUPPORTED: &[&str] = &[
    "anim", "background", "blur", "border", "brightness", "compression", "contrast", "flip",
    "gamma", "gravity", "g", "metadata", "onerror", "rotate", "saturation", "sharpen", "trim",
    "zoom", "segment", "slow-connection-quality",
];

impl TransformOptions {
    /// Parses the options segment of `/image/<options>/<source>`: comma-separated `name=value`
    /// pairs whose values may be percent-encoded.
    pub fn from_path_segment(segment: &str, limits: &Limits) -> Result<Self, TransformError> {
        if segment.is_empty() {
            return Err(TransformError::bad_option("no options given; write e.g. width=800"));
        }
        Self::from_pairs(segment, ',', limits)
    }

    /// Parses a URL query string (`width=800&fit=cover`), as `POST /transform` takes options.
    /// An empty query means the defaults (re-encode the image as it is).
    pub fn from_query(query: &str, limits: &Limits) -> Result<Self, TransformError> {
        Self::from_pairs(query, '&', limits)
    }

    fn from_pairs(text: &str, separator: char, limits: &Limits) -> Result<Self, TransformError> {
        if text.len() > MAX_OPTIONS_LEN {
            return Err(TransformError::bad_option(format!(
                "options are {} bytes long; at most {MAX_OPTIONS_LEN} are accepted",
                text.len()
            )));
        }
        let mut options = TransformOptions::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for pair in text.split(separator).filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').ok_or_else(|| {
                TransformError::bad_option(format!("option {:?} has no value; write name=value", pair))
            })?;
            let name = percent_decode(raw_name, separator == '&')?;
            let value = percent_decode(raw_value, separator == '&')?;
            let canonical = options.apply(&name, &value, limits)?;
            if seen.contains(&canonical) {
                return Err(TransformError::bad_option(format!("option {canonical} is given more than once")));
            }
            seen.push(canonical);
        }
        Ok(options)
    }

    /// Applies one option; returns its canonical name.
    fn apply(&mut self, name: &str, value: &str, limits: &Limits) -> Result<&'static str, TransformError> {
        Ok(match name {
            "width" | "w" => {
                self.width = Some(dimension("width", value, limits)?);
                "width"
            }
            "height" | "h" => {
                self.height = Some(dimension("height", value, limits)?);
                "height"
            }
            "fit" => {
                self.fit = match value {
                    "scale-down" => Fit::ScaleDown,
                    "contain" => Fit::Contain,
                    "cover" => Fit::Cover,
                    "crop" => Fit::Crop,
                    "pad" => Fit::Pad,
                    "squeeze" => Fit::Squeeze,
                    _ => {
                        return Err(invalid(
                            "fit",
                            value,
                            "one of scale-down, contain, cover, crop, pad, squeeze",
                        ))
                    }
                };
                "fit"
            }
            "quality" | "q" => {
                self.quality = match value {
                    "high" => 90,
                    "medium-high" => 80,
                    "medium-low" => 65,
                    "low" => 50,
                    _ => match value.parse::<u8>() {
                        Ok(q @ 1..=100) => q,
                        _ => {
                            return Err(invalid(
                                "quality",
                                value,
                                "an integer from 1 to 100, or high, medium-high, medium-low, low",
                            ))
                        }
                    },
                };
                "quality"
            }
            "format" | "f" => {
                self.format = match value {
                    "auto" => FormatRequest::Auto,
                    "jpeg" | "jpg" => FormatRequest::Exactly(OutputFormat::Jpeg),
                    "png" => FormatRequest::Exactly(OutputFormat::Png),
                    "webp" => FormatRequest::Exactly(OutputFormat::Webp),
                    "avif" | "gif" | "json" | "baseline-jpeg" => {
                        return Err(TransformError::bad_option(format!(
                            "format={value} is not supported yet; use auto, jpeg, png or webp"
                        )))
                    }
                    _ => return Err(invalid("format", value, "one of auto, jpeg, png, webp")),
                };
                "format"
            }
            "dpr" => {
                self.dpr = match value.parse::<f64>() {
                    Ok(dpr) if dpr.is_finite() && dpr > 0.0 => dpr.min(MAX_DPR),
                    _ => return Err(invalid("dpr", value, "a positive number")),
                };
                "dpr"
            }
            _ if NOT_YET_SUPPORTED.contains(&name) => {
                return Err(TransformError::bad_option(format!("option {name} is not supported yet")))
            }
            _ => return Err(TransformError::bad_option(format!("unknown option {:?}", name))),
        })
    }
}

fn invalid(name: &str, value: &str, expected: &str) -> TransformError {
    TransformError::bad_option(format!("invalid {name}={:?}: expected {expected}", value))
}

fn dimension(name: &str, value: &str, limits: &Limits) -> Result<u32, TransformError> {
    match value.parse::<u32>() {
        Ok(pixels) if (1..=limits.max_output_dimension).contains(&pixels) => Ok(pixels),
        _ => Err(invalid(
            name,
            value,
            &format!("an integer from 1 to {}", limits.max_output_dimension),
        )),
    }
}

/// Decodes `%XX` escapes (and `+` as a space in query strings); malformed escapes and invalid
/// UTF-8 are errors rather than being passed through.
fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, TransformError> {
    if !text.contains(['%', '+']) {
        return Ok(text.to_owned());
    }
    let malformed = || TransformError::bad_option(format!("malformed percent-encoding in {:?}", text));
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'%' => {
                let (hex, after) = tail.split_at_checked(2).ok_or_else(malformed)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(malformed());
                }
                let hex = core::str::from_utf8(hex).map_err(|_| malformed())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| malformed())?);
                rest = after;
            }
            b'+' if plus_is_space => out.push(b' '),
            byte => out.push(byte),
        }
    }
    String::from_utf8(out).map_err(|_| malformed())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(segment: &str) -> Result<TransformOptions, TransformError> {
        TransformOptions::from_path_segment(segment, &Limits::default())
    }

    fn error(segment: &str) -> String {
        let error = parse(segment).unwrap_err();
        assert_eq!(error.status(), 400, "{segment}");
        error.message
    }

    #[test]
    fn every_option_and_alias_parses() {
        let long = parse("width=800,height=600,fit=cover,quality=70,format=webp,dpr=1.5").unwrap();
        let short = parse("w=800,h=600,fit=cover,q=70,f=webp,dpr=1.5").unwrap();
        assert_eq!(long, short);
        assert_eq!(long.width, Some(800));
        assert_eq!(long.height, Some(600));
        assert_eq!(long.fit, Fit::Cover);
        assert_eq!(long.quality, 70);
        assert_eq!(long.format, FormatRequest::Exactly(OutputFormat::Webp));
        assert_eq!(long.dpr, 1.5);
    }

    #[test]
    fn defaults_apply_to_missing_options() {
        let options = parse("width=10").unwrap();
        assert_eq!(options.height, None);
        assert_eq!(options.fit, Fit::ScaleDown);
        assert_eq!(options.quality, 85);
        assert_eq!(options.format, FormatRequest::Source);
        assert_eq!(options.dpr, 1.0);
    }

    #[test]
    fn every_fit_mode_parses() {
        for (text, fit) in [
            ("scale-down", Fit::ScaleDown),
            ("contain", Fit::Contain),
            ("cover", Fit::Cover),
            ("crop", Fit::Crop),
            ("pad", Fit::Pad),
            ("squeeze", Fit::Squeeze),
        ] {
            assert_eq!(parse(&format!("fit={text}")).unwrap().fit, fit);
        }
    }

    #[test]
    fn formats_and_named_qualities_parse() {
        assert_eq!(parse("format=auto").unwrap().format, FormatRequest::Auto);
        assert_eq!(parse("f=jpg").unwrap().format, FormatRequest::Exactly(OutputFormat::Jpeg));
        assert_eq!(parse("format=png").unwrap().format, FormatRequest::Exactly(OutputFormat::Png));
        for (name, quality) in [("high", 90), ("medium-high", 80), ("medium-low", 65), ("low", 50)] {
            assert_eq!(parse(&format!("quality={name}")).unwrap().quality, quality);
        }
        assert_eq!(parse("q=1").unwrap().quality, 1);
        assert_eq!(parse("q=100").unwrap().quality, 100);
    }

    #[test]
    fn dpr_is_capped_at_two() {
        assert_eq!(parse("dpr=3").unwrap().dpr, 2.0);
        assert_eq!(parse("dpr=0.5").unwrap().dpr, 0.5);
    }

    #[test]
    fn bad_values_name_the_option() {
        for (segment, option) in [
            ("width=0", "width"),
            ("width=-5", "width"),
            ("width=12001", "width"),
            ("width=abc", "width"),
            ("width=1.5", "width"),
            ("width=99999999999999999999", "width"),
            ("h=", "height"),
            ("fit=stretch", "fit"),
            ("quality=0", "quality"),
            ("quality=101", "quality"),
            ("q=best", "quality"),
            ("format=bmp", "format"),
            ("dpr=0", "dpr"),
            ("dpr=-1", "dpr"),
            ("dpr=NaN", "dpr"),
            ("dpr=inf", "dpr"),
        ] {
            let message = error(segment);
            assert!(message.contains(option), "{segment}: {message}");
        }
    }

    #[test]
    fn malformed_lists_are_refused() {
        assert!(error("").contains("no options"));
        assert!(error("width").contains("no value"));
        assert!(error("colour=red").contains("unknown option"));
        assert!(error("width=10,w=20").contains("more than once"));
        assert!(error("blur=5").contains("not supported yet"));
        assert!(error("format=avif").contains("not supported yet"));
        assert!(error(&"width=1,".repeat(400)).contains("at most"));
        assert!(error("width=%zz").contains("percent-encoding"));
        assert!(error("width=%ff").contains("percent-encoding"));
        assert!(error("width=%+8").contains("percent-encoding"));
        assert!(error("width=8%").contains("percent-encoding"));
        assert!(error("width=%4").contains("percent-encoding"));
    }

    #[test]
    fn percent_encoded_values_decode() {
        assert_eq!(parse("width=%38%30").unwrap().width, Some(80));
        assert!(parse("fit=scale%2Ddown").is_ok());
    }

    #[test]
    fn query_strings_use_the_same_names() {
        let limits = Limits::default();
        let options = TransformOptions::from_query("w=320&fit=contain&format=png", &limits).unwrap();
        assert_eq!(options.width, Some(320));
        assert_eq!(options.fit, Fit::Contain);
        assert_eq!(TransformOptions::from_query("", &limits).unwrap(), TransformOptions::default());
        assert!(TransformOptions::from_query("width=0", &limits).is_err());
    }

    #[test]
    fn width_limit_follows_the_configuration() {
        let limits = Limits { max_output_dimension: 100, ..Limits::default() };
        assert!(TransformOptions::from_path_segment("width=101", &limits).is_err());
        assert!(TransformOptions::from_path_segment("width=100", &limits).is_ok());
    }
}
