//! The one table of options: every name and alias the parser accepts, what each takes, and how it
//! sets [`TransformOptions`]. The parser, its duplicate check, the service description (`GET /`)
//! and the README test all read this table, so an option exists in one place.

use super::value::{
    bounded, css_colour, decimal, dimension, factor, flag, gravity, invalid, keyword, pixels, tolerance, trim_side,
};
use super::{Border, FormatRequest, TransformOptions, MAX_BLUR, MAX_DPR, MAX_SHARPEN};
use super::{Fit, Metadata};
use crate::config::Limits;
use crate::error::{json_string, TransformError};
use crate::format::OutputFormat;

/// Sets an option's field from its percent-decoded value.
type Apply = fn(&mut TransformOptions, &str, &Limits) -> Result<(), TransformError>;

pub struct OptionSpec {
    /// The name the README and error messages use.
    pub name: &'static str,
    /// Other accepted spellings (Cloudflare's short forms, British spellings).
    pub aliases: &'static [&'static str],
    /// What it takes, in a few words.
    pub help: &'static str,
    apply: Apply,
}

impl OptionSpec {
    /// The option named `name` (its name or an alias).
    pub fn find(name: &str) -> Option<&'static OptionSpec> {
        OPTIONS.iter().find(|spec| spec.name == name || spec.aliases.contains(&name))
    }

    pub(super) fn apply(
        &self,
        options: &mut TransformOptions,
        value: &str,
        limits: &Limits,
    ) -> Result<(), TransformError> {
        (self.apply)(options, value, limits)
    }
}

/// Cloudflare options we know but do not implement yet: refused by name rather than ignored.
pub const NOT_YET_SUPPORTED: &[&str] = &["zoom", "face-zoom", "segment", "slow-connection-quality"];

/// Every option, in the order the README lists them.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "width",
        aliases: &["w"],
        help: "output width in pixels, 1 to MAX_OUTPUT_DIMENSION",
        apply: |options, value, limits| {
            options.width = Some(dimension("width", value, limits)?);
            Ok(())
        },
    },
    OptionSpec {
        name: "height",
        aliases: &["h"],
        help: "output height in pixels, 1 to MAX_OUTPUT_DIMENSION",
        apply: |options, value, limits| {
            options.height = Some(dimension("height", value, limits)?);
            Ok(())
        },
    },
    OptionSpec {
        name: "fit",
        aliases: &[],
        help: "scale-down (default), contain, cover, crop, pad or squeeze",
        apply: |options, value, _| {
            options.fit = match value {
                "scale-down" => Fit::ScaleDown,
                "contain" => Fit::Contain,
                "cover" => Fit::Cover,
                "crop" => Fit::Crop,
                "pad" => Fit::Pad,
                "squeeze" => Fit::Squeeze,
                _ => return Err(invalid("fit", value, "one of scale-down, contain, cover, crop, pad, squeeze")),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "quality",
        aliases: &["q"],
        help: "1 to 100 (default 85), or high, medium-high, medium-low, low",
        apply: |options, value, _| {
            options.quality = match value {
                "high" => 90,
                "medium-high" => 80,
                "medium-low" => 65,
                "low" => 50,
                _ => match super::value::whole(value) {
                    Some(quality @ 1..=100) => quality as u8,
                    _ => {
                        let expected = "an integer from 1 to 100, or high, medium-high, medium-low, low";
                        return Err(invalid("quality", value, expected));
                    }
                },
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "format",
        aliases: &["f"],
        help: "auto, avif, webp, jpeg (jpg, baseline-jpeg), png, gif or json; none keeps the source's",
        apply: |options, value, _| {
            options.format = match value {
                "auto" => FormatRequest::Auto,
                // Our JPEGs are baseline (progressive measured larger), so both names are one.
                "jpeg" | "jpg" | "baseline-jpeg" => FormatRequest::Exactly(OutputFormat::Jpeg),
                "png" => FormatRequest::Exactly(OutputFormat::Png),
                "webp" => FormatRequest::Exactly(OutputFormat::Webp),
                "avif" => FormatRequest::Exactly(OutputFormat::Avif),
                "gif" => FormatRequest::Exactly(OutputFormat::Gif),
                "json" => FormatRequest::Json,
                _ => {
                    return Err(invalid(
                        "format",
                        value,
                        "one of auto, avif, webp, jpeg, baseline-jpeg, png, gif, json",
                    ))
                }
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "compression",
        aliases: &[],
        help: "fast: fewer CPU cycles for more bytes (format=auto skips AVIF)",
        apply: |options, value, _| {
            keyword("compression", value, "fast")?;
            options.compression_fast = true;
            Ok(())
        },
    },
    OptionSpec {
        name: "dpr",
        aliases: &[],
        help: "device pixel ratio multiplying width, height, trim and border; capped at 2",
        apply: |options, value, _| {
            options.dpr = match decimal(value) {
                Some(dpr) if dpr > 0.0 => dpr.min(MAX_DPR),
                _ => return Err(invalid("dpr", value, "a positive number")),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "gravity",
        aliases: &["g"],
        help: "left, right, top, bottom, center (default), XxY with X and Y from 0 to 1, or auto",
        apply: |options, value, _| {
            options.gravity = gravity(value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "rotate",
        aliases: &[],
        help: "90, 180 or 270 degrees clockwise (0 and 360 change nothing)",
        apply: |options, value, _| {
            options.rotate = match value {
                "0" | "360" => 0,
                "90" => 1,
                "180" => 2,
                "270" => 3,
                _ => return Err(invalid("rotate", value, "0, 90, 180 or 270 (degrees clockwise)")),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "flip",
        aliases: &[],
        help: "h, v or hv (before rotate)",
        apply: |options, value, _| {
            (options.flip_horizontal, options.flip_vertical) = match value {
                "h" => (true, false),
                "v" => (false, true),
                "hv" | "vh" => (true, true),
                _ => return Err(invalid("flip", value, "h, v or hv")),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "trim",
        aliases: &[],
        help: "top;right;bottom;left pixels to remove, or border",
        apply: |options, value, _| {
            if value == "border" {
                options.trim_border("trim")?;
                return Ok(());
            }
            let edges: Vec<&str> = value.split(';').collect();
            let [top, right, bottom, left] = edges.as_slice() else {
                return Err(invalid("trim", value, "top;right;bottom;left in pixels, or border"));
            };
            let edge = |text: &str| pixels("trim", text, value);
            let (top, right, bottom, left) = (edge(top)?, edge(right)?, edge(bottom)?, edge(left)?);
            let trim = options.trim_edges("trim")?;
            (trim.top, trim.right, trim.bottom, trim.left) = (top, right, bottom, left);
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.border.color",
        aliases: &["trim.border.colour"],
        help: "the border colour trim=border removes (CSS); default the top-left pixel's",
        apply: |options, value, _| {
            let colour = css_colour("trim.border.color", value)?;
            options.trim_border("trim.border.color")?.colour = Some(colour);
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.border.tolerance",
        aliases: &[],
        help: "0 to 255 levels a border pixel may differ in any channel (default 10)",
        apply: |options, value, _| {
            let tolerance = tolerance("trim.border.tolerance", value)?;
            options.trim_border("trim.border.tolerance")?.tolerance = tolerance;
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.border.keep",
        aliases: &[],
        help: "border pixels to leave on each side",
        apply: |options, value, _| {
            let keep = pixels("trim.border.keep", value, value)?;
            options.trim_border("trim.border.keep")?.keep = keep;
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.left",
        aliases: &[],
        help: "left edge of the rectangle to keep, in pixels",
        apply: |options, value, _| {
            let left = pixels("trim.left", value, value)?;
            options.trim_edges("trim.left")?.left = left;
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.top",
        aliases: &[],
        help: "top edge of the rectangle to keep, in pixels",
        apply: |options, value, _| {
            let top = pixels("trim.top", value, value)?;
            options.trim_edges("trim.top")?.top = top;
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.width",
        aliases: &[],
        help: "width of the rectangle to keep, in pixels (at least 1)",
        apply: |options, value, _| {
            let width = trim_side("trim.width", value)?;
            options.trim_edges("trim.width")?.width = Some(width);
            Ok(())
        },
    },
    OptionSpec {
        name: "trim.height",
        aliases: &[],
        help: "height of the rectangle to keep, in pixels (at least 1)",
        apply: |options, value, _| {
            let height = trim_side("trim.height", value)?;
            options.trim_edges("trim.height")?.height = Some(height);
            Ok(())
        },
    },
    OptionSpec {
        name: "background",
        aliases: &[],
        help: "CSS colour under transparency and in pads (#rrggbb as %23rrggbb, rgb(), rgba(), hsl(), a name)",
        apply: |options, value, _| {
            options.background = Some(css_colour("background", value)?);
            Ok(())
        },
    },
    OptionSpec {
        name: "border.color",
        aliases: &["border.colour"],
        help: "CSS colour of the border (default black)",
        apply: |options, value, _| {
            let colour = css_colour("border.color", value)?;
            options.border.get_or_insert_with(Border::default).colour = colour;
            Ok(())
        },
    },
    OptionSpec {
        name: "border.width",
        aliases: &[],
        help: "border width on every side, in pixels",
        apply: |options, value, _| {
            let width = pixels("border.width", value, value)?;
            let border = options.border.get_or_insert_with(Border::default);
            (border.top, border.right, border.bottom, border.left) = (width, width, width, width);
            Ok(())
        },
    },
    OptionSpec {
        name: "border.top",
        aliases: &[],
        help: "border width at the top, in pixels",
        apply: |options, value, _| {
            options.border.get_or_insert_with(Border::default).top = pixels("border.top", value, value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "border.right",
        aliases: &[],
        help: "border width at the right, in pixels",
        apply: |options, value, _| {
            options.border.get_or_insert_with(Border::default).right = pixels("border.right", value, value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "border.bottom",
        aliases: &[],
        help: "border width at the bottom, in pixels",
        apply: |options, value, _| {
            options.border.get_or_insert_with(Border::default).bottom = pixels("border.bottom", value, value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "border.left",
        aliases: &[],
        help: "border width at the left, in pixels",
        apply: |options, value, _| {
            options.border.get_or_insert_with(Border::default).left = pixels("border.left", value, value)?;
            Ok(())
        },
    },
    // Cloudflare ignores 0 for brightness, contrast and gamma.
    OptionSpec {
        name: "brightness",
        aliases: &[],
        help: "factor 0 to 100 (1 changes nothing, 0 is ignored)",
        apply: |options, value, _| {
            options.brightness = nonzero_factor("brightness", value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "contrast",
        aliases: &[],
        help: "factor 0 to 100 (1 changes nothing, 0 is ignored)",
        apply: |options, value, _| {
            options.contrast = nonzero_factor("contrast", value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "gamma",
        aliases: &[],
        help: "factor 0 to 100 (1 changes nothing, 0 is ignored; above 1 lightens)",
        apply: |options, value, _| {
            options.gamma = nonzero_factor("gamma", value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "saturation",
        aliases: &[],
        help: "factor 0 to 100 (0 is grey, 1 changes nothing)",
        apply: |options, value, _| {
            options.saturation = factor("saturation", value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "blur",
        aliases: &[],
        help: "Gaussian blur radius, 0 to 250",
        apply: |options, value, _| {
            options.blur = bounded("blur", value, MAX_BLUR)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "sharpen",
        aliases: &[],
        help: "unsharp-mask strength, 0 to 10",
        apply: |options, value, _| {
            options.sharpen = bounded("sharpen", value, MAX_SHARPEN)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "metadata",
        aliases: &[],
        help: "copyright (default), keep or none: the EXIF JPEG output carries",
        apply: |options, value, _| {
            options.metadata = match value {
                "copyright" => Metadata::Copyright,
                "keep" => Metadata::Keep,
                "none" => Metadata::None,
                _ => return Err(invalid("metadata", value, "keep, copyright or none")),
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "anim",
        aliases: &[],
        help: "true (default) or false: keep only the first frame of an animation",
        apply: |options, value, _| {
            options.anim = flag("anim", value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "gamma-correct",
        aliases: &[],
        help: "false (default) or true: resize in linear light",
        apply: |options, value, _| {
            options.gamma_correct = flag("gamma-correct", value)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "onerror",
        aliases: &[],
        help: "redirect: on a failure, redirect (302) to the source URL instead of answering with an error",
        apply: |options, value, _| {
            keyword("onerror", value, "redirect")?;
            options.redirect_on_error = true;
            Ok(())
        },
    },
];

/// A colour factor where 0 means "not given", as Cloudflare reads brightness, contrast and gamma.
fn nonzero_factor(name: &str, value: &str) -> Result<f64, TransformError> {
    Ok(Some(factor(name, value)?).filter(|factor| *factor != 0.0).unwrap_or(1.0))
}

/// The options as a JSON array for the service description: name, aliases and help of each.
pub fn options_json() -> String {
    let quoted = |names: &[&str]| names.iter().map(|name| json_string(name)).collect::<Vec<_>>().join(",");
    let entries: Vec<String> = OPTIONS
        .iter()
        .map(|spec| {
            format!(
                "{{\"name\":{},\"aliases\":[{}],\"help\":{}}}",
                json_string(spec.name),
                quoted(spec.aliases),
                json_string(spec.help)
            )
        })
        .collect();
    format!("[{}]", entries.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut all: Vec<&str> =
            OPTIONS.iter().flat_map(|spec| [spec.name].into_iter().chain(spec.aliases.iter().copied())).collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a name or alias appears twice");
        assert!(NOT_YET_SUPPORTED.iter().all(|name| OptionSpec::find(name).is_none()));
    }

    /// The README's options table lists every option and alias, and nothing else.
    #[test]
    fn the_readme_lists_every_option() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let section = readme.split("\n## Options\n").nth(1).unwrap().split("\n## ").next().unwrap();
        let mut listed: Vec<&str> = Vec::new();
        for row in section.lines().filter(|line| line.starts_with("| `")) {
            let first_cell = row.split('|').nth(1).unwrap();
            listed.extend(first_cell.split('`').skip(1).step_by(2));
        }
        for spec in OPTIONS {
            for name in [spec.name].iter().chain(spec.aliases) {
                assert!(listed.contains(name), "the README's options table does not list `{name}`");
            }
        }
        for name in listed {
            assert!(OptionSpec::find(name).is_some(), "the README lists `{name}`, which is no option");
        }
    }

    #[test]
    fn the_description_is_json_with_every_option() {
        let json = options_json();
        assert!(json.starts_with("[{\"name\":\"width\",\"aliases\":[\"w\"],\"help\":"), "{json}");
        assert_eq!(json.matches("\"name\":").count(), OPTIONS.len());
    }
}
