//! The canonical form of parsed options: one spelling per option, in the table's order, values
//! normalised and defaults left out. Two URLs that ask for the same transformation (aliases,
//! order, `q=high` for `q=90`, defaults spelled out) give the same string, which keys the cache
//! and the ETag.

use super::{Border, Fit, FormatRequest, Gravity, Metadata, TransformOptions, Trim, TrimBorder};
use crate::format::OutputFormat;

impl TransformOptions {
    /// The canonical string. `onerror` is left out: it changes only failures, which are never
    /// cached.
    pub fn canonical(&self) -> String {
        let default = TransformOptions::default();
        let mut pairs: Vec<String> = Vec::new();
        let mut push = |name: &str, value: String| pairs.push(format!("{name}={value}"));
        if let Some(width) = self.width {
            push("width", width.to_string());
        }
        if let Some(height) = self.height {
            push("height", height.to_string());
        }
        if self.fit != default.fit {
            push("fit", fit_name(self.fit).into());
        }
        if self.quality != default.quality {
            push("quality", self.quality.to_string());
        }
        if self.format != default.format {
            push("format", format_name(self.format).into());
        }
        if self.compression_fast {
            push("compression", "fast".into());
        }
        if self.dpr != default.dpr {
            push("dpr", self.dpr.to_string());
        }
        if self.gravity != default.gravity {
            push(
                "gravity",
                match self.gravity {
                    Gravity::Auto => "auto".into(),
                    Gravity::Point { x, y } => format!("{x}x{y}"),
                },
            );
        }
        if self.rotate != default.rotate {
            push("rotate", (self.rotate * 90).to_string());
        }
        match (self.flip_horizontal, self.flip_vertical) {
            (false, false) => {}
            (true, false) => push("flip", "h".into()),
            (false, true) => push("flip", "v".into()),
            (true, true) => push("flip", "hv".into()),
        }
        match self.trim {
            None => {}
            Some(Trim::Edges(edges)) => {
                push("trim", format!("{};{};{};{}", edges.top, edges.right, edges.bottom, edges.left));
                if let Some(width) = edges.width {
                    push("trim.width", width.to_string());
                }
                if let Some(height) = edges.height {
                    push("trim.height", height.to_string());
                }
            }
            Some(Trim::Border(TrimBorder { colour, tolerance, keep })) => {
                push("trim", "border".into());
                if let Some(colour) = colour {
                    push("trim.border.color", colour.hex());
                }
                push("trim.border.tolerance", tolerance.to_string());
                push("trim.border.keep", keep.to_string());
            }
        }
        if let Some(background) = self.background {
            push("background", background.hex());
        }
        if let Some(Border { colour, top, right, bottom, left }) = self.border {
            push("border.color", colour.hex());
            push("border", format!("{top};{right};{bottom};{left}"));
        }
        for (name, value, unchanged) in [
            ("brightness", self.brightness, default.brightness),
            ("contrast", self.contrast, default.contrast),
            ("gamma", self.gamma, default.gamma),
            ("saturation", self.saturation, default.saturation),
            ("blur", self.blur, default.blur),
            ("sharpen", self.sharpen, default.sharpen),
        ] {
            if value != unchanged {
                push(name, value.to_string());
            }
        }
        if self.metadata != default.metadata {
            push(
                "metadata",
                match self.metadata {
                    Metadata::Copyright => "copyright",
                    Metadata::Keep => "keep",
                    Metadata::None => "none",
                }
                .into(),
            );
        }
        if self.anim != default.anim {
            push("anim", self.anim.to_string());
        }
        if self.gamma_correct != default.gamma_correct {
            push("gamma-correct", self.gamma_correct.to_string());
        }
        pairs.join(",")
    }
}

fn fit_name(fit: Fit) -> &'static str {
    match fit {
        Fit::ScaleDown => "scale-down",
        Fit::Contain => "contain",
        Fit::Cover => "cover",
        Fit::Crop => "crop",
        Fit::Pad => "pad",
        Fit::Squeeze => "squeeze",
    }
}

fn format_name(format: FormatRequest) -> &'static str {
    match format {
        FormatRequest::Source => "source",
        FormatRequest::Auto => "auto",
        FormatRequest::Json => "json",
        FormatRequest::Exactly(OutputFormat::Jpeg) => "jpeg",
        FormatRequest::Exactly(OutputFormat::Png) => "png",
        FormatRequest::Exactly(OutputFormat::Webp) => "webp",
        FormatRequest::Exactly(OutputFormat::Avif) => "avif",
        FormatRequest::Exactly(OutputFormat::Gif) => "gif",
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Limits;
    use crate::options::TransformOptions;

    fn canonical(text: &str) -> String {
        TransformOptions::from_path_segment(text, &Limits::default()).unwrap().canonical()
    }

    #[test]
    fn spellings_of_one_transformation_agree() {
        let expected = "width=800,height=600,fit=cover,quality=90,format=webp";
        assert_eq!(canonical("width=800,height=600,fit=cover,quality=90,format=webp"), expected);
        assert_eq!(canonical("f=webp,q=high,h=600,fit=cover,w=800"), expected);
        assert_eq!(canonical("w=800,h=600,fit=cover,q=90,f=webp,dpr=1,gravity=center,rotate=0,anim=true"), expected);
        assert_eq!(canonical("background=red,w=1"), canonical("w=1,background=%23ff0000"));
        assert_eq!(canonical("brightness=0,w=5"), "width=5");
    }

    #[test]
    fn different_transformations_differ() {
        let all = [
            "w=100",
            "w=101",
            "w=100,fit=pad",
            "w=100,g=auto",
            "w=100,g=0.5x0.2",
            "w=100,flip=h",
            "w=100,flip=hv",
            "w=100,trim=1;2;3;4",
            "w=100,trim=border",
            "w=100,trim.border.keep=2",
            "w=100,border.width=2",
            "w=100,border.top=2",
            "w=100,blur=1",
            "w=100,sharpen=1",
            "w=100,metadata=keep",
            "w=100,anim=false",
            "w=100,gamma-correct=true",
            "w=100,format=auto",
            "w=100,format=json",
            "w=100,rotate=90",
        ];
        let mut forms: Vec<String> = all.iter().map(|text| canonical(text)).collect();
        forms.sort();
        forms.dedup();
        assert_eq!(forms.len(), all.len());
    }
}
