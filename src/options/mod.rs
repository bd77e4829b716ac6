//! Transformation options: Cloudflare's grammar (`width=800,fit=cover` in the URL path, or the
//! same names as query parameters), parsed into a validated [`TransformOptions`]. This file holds
//! the types; `spec` the table of options, `parse` the grammar, `value` the value parsers.

mod canonical;
pub mod colour;
mod parse;
mod spec;
mod value;

pub use colour::Rgba;
pub use spec::{options_json, OptionSpec, NOT_YET_SUPPORTED, OPTIONS};

use crate::error::TransformError;
use crate::format::OutputFormat;

/// Longest options string accepted, so hostile input cannot make the parser allocate much.
pub const MAX_OPTIONS_LEN: usize = 2048;
/// Largest effective device pixel ratio; larger values are capped, as Cloudflare does.
pub const MAX_DPR: f64 = 2.0;
pub const DEFAULT_QUALITY: u8 = 85;
/// Largest `blur` radius, as Cloudflare allows.
pub const MAX_BLUR: f64 = 250.0;
/// Largest `sharpen` strength, as Cloudflare allows.
pub const MAX_SHARPEN: f64 = 10.0;
/// Largest `brightness`, `contrast`, `gamma` or `saturation` factor.
pub const MAX_FACTOR: f64 = kernels::MAX_SATURATION;
/// Largest `trim` edge or `border` width, in pixels.
pub const MAX_EDGE_PIXELS: u32 = 10_000;

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

/// The `format` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormatRequest {
    /// Not given: keep the source's format where we can encode it.
    #[default]
    Source,
    /// `auto`: the best format the client's `Accept` header allows.
    Auto,
    Exactly(OutputFormat),
    /// `json`: a description of the input and of the output (in the source's format) instead
    /// of the image.
    Json,
}

/// Which part of the image `fit=cover` and `fit=crop` keep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gravity {
    /// The crop box is placed so that its point at (`x`, `y`) (fractions of its width and height)
    /// lies on the same point of the image. `left` is (0, 0.5), `top` (0.5, 0).
    Point { x: f64, y: f64 },
    /// The crop box holding the most detail (edge energy), found in the decoded pixels.
    Auto,
}

impl Gravity {
    pub const CENTER: Gravity = Gravity::Point { x: 0.5, y: 0.5 };
}

impl Default for Gravity {
    fn default() -> Self {
        Gravity::CENTER
    }
}

/// What `trim` removes from the upright source before anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    Edges(TrimEdges),
    /// `trim=border`: a uniform border, found in the decoded pixels.
    Border(TrimBorder),
}

/// Pixels removed from each edge (`trim=t;r;b;l`), or kept from the `left`/`top` corner
/// (`trim.width`, `trim.height`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrimEdges {
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
    pub left: u32,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// `trim=border` and its `trim.border.*` settings: the border is every outer row and column whose
/// pixels all lie within `tolerance` (in every channel) of `colour`, by default the colour of the
/// top-left pixel; `keep` pixels of it are left on each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrimBorder {
    pub colour: Option<Rgba>,
    pub tolerance: u8,
    pub keep: u32,
}

/// The default `trim.border.tolerance`: JPEG noise in a flat border stays within it.
pub const DEFAULT_TRIM_TOLERANCE: u8 = 10;

impl Default for TrimBorder {
    fn default() -> Self {
        TrimBorder { colour: None, tolerance: DEFAULT_TRIM_TOLERANCE, keep: 0 }
    }
}

/// A border drawn around the output, `top`/`right`/`bottom`/`left` pixels wide (before `dpr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Border {
    pub colour: Rgba,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
    pub left: u32,
}

impl Default for Border {
    fn default() -> Self {
        Border { colour: Rgba::opaque(0), top: 0, right: 0, bottom: 0, left: 0 }
    }
}

/// Which EXIF metadata JPEG output carries; PNG and WebP output never carry any, as with
/// Cloudflare. The orientation is always applied to the pixels, whatever this says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Metadata {
    /// Only the copyright notice.
    #[default]
    Copyright,
    /// All of the source's EXIF, with the orientation reset to upright.
    Keep,
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TransformOptions {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fit: Fit,
    /// 1..=100.
    pub quality: u8,
    pub format: FormatRequest,
    /// `compression=fast`: spend less CPU for more bytes; `format=auto` then skips AVIF.
    pub compression_fast: bool,
    /// Finite, in `(0, MAX_DPR]`.
    pub dpr: f64,
    pub gravity: Gravity,
    /// Clockwise quarter turns, 0..=3, applied after `flip`.
    pub rotate: u32,
    pub flip_horizontal: bool,
    pub flip_vertical: bool,
    pub trim: Option<Trim>,
    /// Goes under the image (replacing transparency) and fills `fit=pad` areas. When not given,
    /// transparency is kept where the output format has alpha, and padding is white.
    pub background: Option<Rgba>,
    pub border: Option<Border>,
    pub metadata: Metadata,
    /// Multipliers where 1 changes nothing (0 is read as 1); `gamma` above 1 lightens.
    pub brightness: f64,
    pub contrast: f64,
    pub gamma: f64,
    /// Multiplier of colourfulness: 0 is grey, 1 changes nothing.
    pub saturation: f64,
    /// Gaussian blur radius, 0 (none) to `MAX_BLUR`; the standard deviation is half of it.
    pub blur: f64,
    /// Unsharp-mask strength, 0 (none) to `MAX_SHARPEN`.
    pub sharpen: f64,
    /// Whether animated sources stay animated (as GIF); `false` keeps the first frame.
    pub anim: bool,
    /// Resize in linear light (`gamma-correct=true`) rather than on sRGB values.
    pub gamma_correct: bool,
    /// `onerror=redirect`: on a failure after the source is known, redirect to the source URL.
    pub redirect_on_error: bool,
}

impl Default for TransformOptions {
    fn default() -> Self {
        TransformOptions {
            width: None,
            height: None,
            fit: Fit::default(),
            quality: DEFAULT_QUALITY,
            format: FormatRequest::default(),
            compression_fast: false,
            dpr: 1.0,
            gravity: Gravity::default(),
            rotate: 0,
            flip_horizontal: false,
            flip_vertical: false,
            trim: None,
            background: None,
            border: None,
            metadata: Metadata::default(),
            brightness: 1.0,
            contrast: 1.0,
            gamma: 1.0,
            saturation: 1.0,
            blur: 0.0,
            sharpen: 0.0,
            anim: true,
            gamma_correct: false,
            redirect_on_error: false,
        }
    }
}

impl TransformOptions {
    /// The `trim` edges being given by option `name`; refused after `trim=border` settings.
    fn trim_edges(&mut self, name: &str) -> Result<&mut TrimEdges, TransformError> {
        match self.trim.get_or_insert(Trim::Edges(TrimEdges::default())) {
            Trim::Edges(edges) => Ok(edges),
            Trim::Border(_) => Err(trim_forms_conflict(name)),
        }
    }

    /// The `trim=border` settings being given by option `name`; refused after trim edges.
    fn trim_border(&mut self, name: &str) -> Result<&mut TrimBorder, TransformError> {
        match self.trim.get_or_insert(Trim::Border(TrimBorder::default())) {
            Trim::Border(border) => Ok(border),
            Trim::Edges(_) => Err(trim_forms_conflict(name)),
        }
    }
}

fn trim_forms_conflict(name: &str) -> TransformError {
    TransformError::bad_option(format!(
        "{name} cannot be combined with the other trim form; give either trim=border (with trim.border.*) or edges"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

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
        assert_eq!(parse("format=json").unwrap().format, FormatRequest::Json);
        assert_eq!(parse("format=gif").unwrap().format, FormatRequest::Exactly(OutputFormat::Gif));
        assert_eq!(parse("format=avif").unwrap().format, FormatRequest::Exactly(OutputFormat::Avif));
        assert_eq!(parse("format=baseline-jpeg").unwrap(), parse("format=jpeg").unwrap());
        assert!(parse("compression=fast").unwrap().compression_fast && !parse("width=1").unwrap().compression_fast);
        assert!(!parse("anim=false").unwrap().anim && parse("width=1").unwrap().anim);
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
            ("w=+10", "width"),
            ("width=%2010", "width"),
            ("q=+80", "quality"),
            ("dpr=1e0", "dpr"),
            ("blur=-0", "blur"),
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
        assert!(error("compression=slow").contains("fast"));
        assert!(error("gravity=face").contains("not supported yet"));
        assert!(error("trim=1;2;3;4,trim.width=5").contains("cannot be combined"));
        assert!(error("trim=border,trim.width=5").contains("cannot be combined"));
        assert!(error("trim.left=5,trim.border.keep=2").contains("cannot be combined"));
        assert!(error("trim.border.tolerance=3,trim=1;2;3;4").contains("cannot be combined"));
        assert!(error("border.top=1,border.width=5").contains("cannot be combined"));
        assert!(error("zoom=0.5").contains("not supported yet"));
        assert!(error(&"width=1,".repeat(400)).contains("at most"));
        assert!(error("width=%zz").contains("percent-encoding"));
        assert!(error("width=%ff").contains("percent-encoding"));
        assert!(error("width=%+8").contains("percent-encoding"));
        assert!(error("width=8%").contains("percent-encoding"));
        assert!(error("width=%4").contains("percent-encoding"));
    }

    #[test]
    fn geometry_options_parse() {
        let options = parse("gravity=left,rotate=270,flip=hv,trim=1;2;3;4").unwrap();
        assert_eq!(options.gravity, Gravity::Point { x: 0.0, y: 0.5 });
        assert_eq!(options.rotate, 3);
        assert!(options.flip_horizontal && options.flip_vertical);
        assert_eq!(
            options.trim,
            Some(Trim::Edges(TrimEdges { top: 1, right: 2, bottom: 3, left: 4, width: None, height: None }))
        );
        for (text, x, y) in [
            ("right", 1.0, 0.5),
            ("top", 0.5, 0.0),
            ("bottom", 0.5, 1.0),
            ("center", 0.5, 0.5),
            ("0x1", 0.0, 1.0),
            ("0.25x0.75", 0.25, 0.75),
        ] {
            assert_eq!(parse(&format!("g={text}")).unwrap().gravity, Gravity::Point { x, y }, "{text}");
        }
        assert_eq!(parse("gravity=auto").unwrap().gravity, Gravity::Auto);
        assert!(parse("gamma-correct=true").unwrap().gamma_correct && !parse("gamma-correct=0").unwrap().gamma_correct);
        assert_eq!(parse("rotate=90").unwrap().rotate, 1);
        assert_eq!(parse("metadata=keep").unwrap().metadata, Metadata::Keep);
        let colour = parse("brightness=1.5,contrast=0.5,gamma=2.2,saturation=0").unwrap();
        assert_eq!((colour.brightness, colour.contrast, colour.gamma, colour.saturation), (1.5, 0.5, 2.2, 0.0));
        let filters = parse("blur=12.5,sharpen=1").unwrap();
        assert_eq!((filters.blur, filters.sharpen), (12.5, 1.0));
        let ignored = parse("brightness=0,contrast=0,gamma=0").unwrap();
        assert_eq!((ignored.brightness, ignored.contrast, ignored.gamma), (1.0, 1.0, 1.0));
        assert_eq!(parse("metadata=none").unwrap().metadata, Metadata::None);
        assert_eq!(parse("width=1").unwrap().metadata, Metadata::Copyright);
        assert_eq!(parse("rotate=360").unwrap().rotate, 0);
        assert_eq!((parse("flip=h").unwrap().flip_horizontal, parse("flip=h").unwrap().flip_vertical), (true, false));
        let corner = parse("trim.left=10,trim.top=20,trim.width=300,trim.height=200").unwrap().trim.unwrap();
        assert_eq!(
            corner,
            Trim::Edges(TrimEdges { top: 20, right: 0, bottom: 0, left: 10, width: Some(300), height: Some(200) })
        );
        assert_eq!(parse("trim=border").unwrap().trim, Some(Trim::Border(TrimBorder::default())));
        let border = parse("trim.border.color=%23fff,trim.border.tolerance=0,trim.border.keep=3").unwrap().trim;
        assert_eq!(
            border,
            Some(Trim::Border(TrimBorder { colour: Some(Rgba::opaque(0xffffff)), tolerance: 0, keep: 3 }))
        );
        let with_keyword = parse("trim=border,trim.border.keep=2").unwrap().trim;
        assert_eq!(with_keyword, Some(Trim::Border(TrimBorder { keep: 2, ..TrimBorder::default() })));
    }

    #[test]
    fn colour_options_parse() {
        assert_eq!(parse("background=%23ff000080").unwrap().background, Some(Rgba { r: 255, g: 0, b: 0, a: 128 }));
        assert_eq!(parse("background=rgb%28240%2C40%2C145%29").unwrap().background, Some(Rgba::opaque(0xf02891)));
        assert_eq!(TransformOptions::default().background, None);
        let unencoded = parse("background=rgb(240,40,145),width=10").unwrap();
        assert_eq!((unencoded.background, unencoded.width), (Some(Rgba::opaque(0xf02891)), Some(10)));
        let border = parse("border.color=red,border.width=4").unwrap().border.unwrap();
        assert_eq!(border, Border { colour: Rgba::opaque(0xff0000), top: 4, right: 4, bottom: 4, left: 4 });
        let sides = parse("border.top=1,border.right=2,border.bottom=3,border.left=4").unwrap().border.unwrap();
        assert_eq!((sides.colour, sides.top, sides.right, sides.bottom, sides.left), (Rgba::opaque(0), 1, 2, 3, 4));
    }

    #[test]
    fn bad_geometry_and_colour_values_name_the_option() {
        for (segment, option) in [
            ("gravity=middle", "gravity"),
            ("gravity=1.5x0", "gravity"),
            ("g=0.5", "gravity"),
            ("rotate=45", "rotate"),
            ("flip=x", "flip"),
            ("trim=1;2;3", "trim"),
            ("trim=1;2;3;-4", "trim"),
            ("trim=1;2;3;99999", "trim"),
            ("trim.width=abc", "trim.width"),
            ("trim.width=0", "trim.width"),
            ("trim.height=0", "trim.height"),
            ("trim.left=+1", "trim.left"),
            ("trim.border.tolerance=+3", "trim.border.tolerance"),
            ("trim.border.tolerance=256", "trim.border.tolerance"),
            ("trim.border.keep=-1", "trim.border.keep"),
            ("trim.border.color=nope", "trim.border.color"),
            ("gamma-correct=yes", "gamma-correct"),
            ("background=%23ggg", "background"),
            ("background=blurple", "background"),
            ("border.color=nope", "border.color"),
            ("border.width=-1", "border.width"),
            ("metadata=all", "metadata"),
            ("brightness=-1", "brightness"),
            ("contrast=abc", "contrast"),
            ("gamma=101", "gamma"),
            ("saturation=NaN", "saturation"),
            ("blur=251", "blur"),
            ("blur=-1", "blur"),
            ("sharpen=10.5", "sharpen"),
            ("anim=maybe", "anim"),
        ] {
            let message = error(segment);
            assert!(message.contains(option), "{segment}: {message}");
        }
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
