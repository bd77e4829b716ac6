//! Option values: numbers, pixel counts, flags, colours and gravity, each checked against its
//! range, with errors that name the option and say what it takes. Numbers are plain decimals
//! (`12`, `0.5`): no sign, exponent, `inf` or `NaN`, which Rust's parsers would otherwise accept.

use super::colour::{self, Rgba};
use super::{Gravity, MAX_EDGE_PIXELS, MAX_FACTOR};
use crate::config::Limits;
use crate::error::TransformError;

pub(super) fn invalid(name: &str, value: &str, expected: &str) -> TransformError {
    TransformError::bad_option(format!("invalid {name}={value:?}: expected {expected}"))
}

/// An option that takes one word, `keyword`, and nothing else.
pub(super) fn keyword(name: &str, value: &str, keyword: &str) -> Result<(), TransformError> {
    if value == keyword {
        Ok(())
    } else {
        Err(invalid(name, value, keyword))
    }
}

/// A whole number written in decimal digits only (`+10` and ` 10` are not numbers here).
pub(super) fn whole(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A number written as digits with an optional decimal point (`2`, `0.5`, `.5`).
pub(super) fn decimal(text: &str) -> Option<f64> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let points = text.bytes().filter(|&byte| byte == b'.').count();
    if digits == 0 || points > 1 || digits + points != text.len() {
        return None;
    }
    text.parse().ok()
}

pub(super) fn flag(name: &str, value: &str) -> Result<bool, TransformError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(name, value, "true or false")),
    }
}

/// A colour adjustment factor: a number from 0 to `MAX_FACTOR`.
pub(super) fn factor(name: &str, value: &str) -> Result<f64, TransformError> {
    match decimal(value) {
        Some(factor) if factor <= MAX_FACTOR => Ok(factor),
        _ => Err(invalid(name, value, &format!("a number from 0 to {MAX_FACTOR} (1 changes nothing)"))),
    }
}

/// A number from 0 to `max`.
pub(super) fn bounded(name: &str, value: &str, max: f64) -> Result<f64, TransformError> {
    match decimal(value) {
        Some(number) if number <= max => Ok(number),
        _ => Err(invalid(name, value, &format!("a number from 0 to {max}"))),
    }
}

/// A pixel count for `trim` and `border`, 0 up to `MAX_EDGE_PIXELS`, from `text` (a part of
/// `value`, or all of it).
pub(super) fn pixels(name: &str, text: &str, value: &str) -> Result<u32, TransformError> {
    match whole(text.trim()) {
        Some(amount) if amount <= MAX_EDGE_PIXELS => Ok(amount),
        _ => Err(invalid(name, value, &format!("whole pixels from 0 to {MAX_EDGE_PIXELS}"))),
    }
}

/// `trim.width` or `trim.height`: a side of the rectangle kept, so at least one pixel.
pub(super) fn trim_side(name: &str, value: &str) -> Result<u32, TransformError> {
    match whole(value.trim()) {
        Some(amount @ 1..=MAX_EDGE_PIXELS) => Ok(amount),
        _ => Err(invalid(name, value, &format!("whole pixels from 1 to {MAX_EDGE_PIXELS}"))),
    }
}

/// `trim.border.tolerance`: channel levels, 0 to 255.
pub(super) fn tolerance(name: &str, value: &str) -> Result<u8, TransformError> {
    match whole(value).and_then(|levels| u8::try_from(levels).ok()) {
        Some(levels) => Ok(levels),
        None => Err(invalid(name, value, "a whole number from 0 to 255 (channel levels)")),
    }
}

/// An output side: 1 to `MAX_OUTPUT_DIMENSION`.
pub(super) fn dimension(name: &str, value: &str, limits: &Limits) -> Result<u32, TransformError> {
    match whole(value) {
        Some(pixels) if (1..=limits.max_output_dimension).contains(&pixels) => Ok(pixels),
        _ => Err(invalid(name, value, &format!("an integer from 1 to {}", limits.max_output_dimension))),
    }
}

pub(super) fn css_colour(name: &str, value: &str) -> Result<Rgba, TransformError> {
    colour::parse(value).ok_or_else(|| {
        invalid(name, value, "a CSS colour: #rrggbb (written %23rrggbb in URLs), rgb(), rgba(), hsl() or a name")
    })
}

/// `left`, `right`, `top`, `bottom`, `center`, `auto`, or `XxY` with both in 0..=1.
pub(super) fn gravity(value: &str) -> Result<Gravity, TransformError> {
    let point = |x, y| Ok(Gravity::Point { x, y });
    match value {
        "left" => point(0.0, 0.5),
        "right" => point(1.0, 0.5),
        "top" => point(0.5, 0.0),
        "bottom" => point(0.5, 1.0),
        "center" | "centre" => point(0.5, 0.5),
        "auto" => Ok(Gravity::Auto),
        "face" => Err(TransformError::bad_option("gravity=face is not supported yet; gravity=auto crops by detail")),
        _ => {
            let unit = |text: &str| decimal(text).filter(|v| *v <= 1.0);
            match value.split_once('x').map(|(x, y)| (unit(x), unit(y))) {
                Some((Some(x), Some(y))) => point(x, y),
                _ => {
                    Err(invalid("gravity", value, "left, right, top, bottom, center, or XxY with X and Y from 0 to 1"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(whole("10"), Some(10));
        for text in ["+10", "-1", " 10", "1e3", "", "1.0", "99999999999"] {
            assert_eq!(whole(text), None, "{text:?}");
        }
        assert_eq!(decimal("0.5"), Some(0.5));
        assert_eq!(decimal(".5"), Some(0.5));
        assert_eq!(decimal("2"), Some(2.0));
        for text in ["+1", "-0", "1e2", "inf", "NaN", ".", "1.2.3", "", "0x1"] {
            assert_eq!(decimal(text), None, "{text:?}");
        }
    }
}
