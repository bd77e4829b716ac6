//! Operator-set limits. Each is a Worker variable in `wrangler.toml` with the default below.

use crate::error::{ErrorKind, TransformError};

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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 32 * 1024 * 1024,
            max_input_pixels: 50_000_000,
            max_output_dimension: 12_000,
            max_output_pixels: 25_000_000,
        }
    }
}

impl Limits {
    /// Limits from variables looked up by name; unset ones keep their defaults.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, TransformError> {
        let defaults = Limits::default();
        Ok(Limits {
            max_input_bytes: var(&lookup, "MAX_INPUT_BYTES", defaults.max_input_bytes)?,
            max_input_pixels: var(&lookup, "MAX_INPUT_PIXELS", defaults.max_input_pixels)?,
            max_output_dimension: var(&lookup, "MAX_OUTPUT_DIMENSION", defaults.max_output_dimension)?,
            max_output_pixels: var(&lookup, "MAX_OUTPUT_PIXELS", defaults.max_output_pixels)?,
        })
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
                format!("Worker variable {name} must be a positive integer, not {text:?}"),
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
    fn invalid_variables_are_reported_by_name() {
        let error = Limits::from_vars(|name| (name == "MAX_INPUT_BYTES").then(|| "lots".into())).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Misconfigured);
        assert!(error.message.contains("MAX_INPUT_BYTES"));
        assert!(Limits::from_vars(|_| Some("0".into())).is_err());
    }
}
