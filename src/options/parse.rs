//! The grammar: `name=value` pairs split at commas (path) or ampersands (query), percent-decoded,
//! each looked up in the option table and applied once.

use super::spec::{OptionSpec, NOT_YET_SUPPORTED};
use super::{TransformOptions, MAX_OPTIONS_LEN};
use crate::config::Limits;
use crate::error::TransformError;

impl TransformOptions {
    /// Parses the options segment of `/image/<options>/<source>`: comma-separated `name=value`
    /// pairs whose values may be percent-encoded.
    pub fn from_path_segment(segment: &str, limits: &Limits) -> Result<Self, TransformError> {
        if segment.is_empty() {
            return Err(TransformError::bad_option("no options given; write e.g. width=800"));
        }
        Self::from_pairs(segment, ',', limits)
    }

    /// Parses options written as in the URL's options segment (`width=800,fit=cover`), where an
    /// empty list means the defaults: how the JS package and the CLI take them.
    pub fn from_list(list: &str, limits: &Limits) -> Result<Self, TransformError> {
        if list.is_empty() {
            return Ok(TransformOptions::default());
        }
        Self::from_path_segment(list, limits)
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
        for pair in split_outside_parentheses(text, separator).filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair
                .split_once('=')
                .ok_or_else(|| TransformError::bad_option(format!("option {pair:?} has no value; write name=value")))?;
            let name = percent_decode(raw_name, separator == '&')?;
            let value = percent_decode(raw_value, separator == '&')?;
            let spec = OptionSpec::find(&name).ok_or_else(|| unknown(&name))?;
            if seen.contains(&spec.name) {
                return Err(TransformError::bad_option(format!("option {} is given more than once", spec.name)));
            }
            spec.apply(&mut options, &value, limits)?;
            seen.push(spec.name);
        }
        let sides = ["border.top", "border.right", "border.bottom", "border.left"];
        for (whole, parts) in
            [("trim", &["trim.width", "trim.height", "trim.left", "trim.top"]), ("border.width", &sides)]
        {
            if let Some(other) = seen.iter().find(|name| parts.contains(name)).filter(|_| seen.contains(&whole)) {
                return Err(TransformError::bad_option(format!(
                    "{whole} and {other} cannot be combined; give one form"
                )));
            }
        }
        Ok(options)
    }
}

fn unknown(name: &str) -> TransformError {
    if NOT_YET_SUPPORTED.contains(&name) {
        TransformError::bad_option(format!("option {name} is not supported yet"))
    } else {
        TransformError::bad_option(format!("unknown option {name:?}; GET / lists the options"))
    }
}

/// Splits `text` at `separator`s that are not inside parentheses, so that unencoded colours such
/// as `background=rgb(240,40,145)` stay whole.
fn split_outside_parentheses(text: &str, separator: char) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    text.split(move |c: char| {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        c == separator && depth == 0
    })
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
