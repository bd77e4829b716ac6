//! CSS colours, as the `background`, `border.color` and `trim.border.color` options take them:
//! `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` and `hsl()`/`hsla()` (comma or space
//! separated, numbers or percentages, optional `/ alpha`), the 148 named colours and
//! `transparent`.

/// A straight (not premultiplied) 8-bit colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    pub const WHITE: Rgba = Rgba { r: 255, g: 255, b: 255, a: 255 };

    pub const fn opaque(rgb: u32) -> Rgba {
        Rgba { r: (rgb >> 16) as u8, g: (rgb >> 8) as u8, b: rgb as u8, a: 255 }
    }

    /// `rrggbbaa` in lower-case hex (no `#`, so it can stand in a URL).
    pub fn hex(self) -> String {
        format!("{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
    }

    pub fn is_opaque(self) -> bool {
        self.a == 255
    }

    /// This colour composited over `under` (which is opaque), rounded.
    pub fn over(self, under: Rgba) -> Rgba {
        let mix = |top: u8, bottom: u8| {
            let a = self.a as u32;
            ((top as u32 * a + bottom as u32 * (255 - a) + 127) / 255) as u8
        };
        Rgba { r: mix(self.r, under.r), g: mix(self.g, under.g), b: mix(self.b, under.b), a: 255 }
    }
}

/// Parses a CSS colour; `None` if it is not one.
pub fn parse(text: &str) -> Option<Rgba> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix('#') {
        return parse_hex(hex);
    }
    if let Some((function, arguments)) = lower.strip_suffix(')').and_then(|t| t.split_once('(')) {
        return parse_function(function.trim(), arguments);
    }
    if lower == "transparent" {
        return Some(Rgba { r: 0, g: 0, b: 0, a: 0 });
    }
    NAMED.iter().find(|(name, _)| *name == lower).map(|&(_, rgb)| Rgba::opaque(rgb))
}

fn parse_hex(hex: &str) -> Option<Rgba> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| hex.get(i..i + 1).and_then(|d| u8::from_str_radix(d, 16).ok());
    let pair = |i: usize| hex.get(i..i + 2).and_then(|d| u8::from_str_radix(d, 16).ok());
    let short = |i: usize| digit(i).map(|d| d * 17);
    match hex.len() {
        3 | 4 => {
            Some(Rgba { r: short(0)?, g: short(1)?, b: short(2)?, a: if hex.len() == 4 { short(3)? } else { 255 } })
        }
        6 | 8 => Some(Rgba { r: pair(0)?, g: pair(2)?, b: pair(4)?, a: if hex.len() == 8 { pair(6)? } else { 255 } }),
        _ => None,
    }
}

/// `rgb(...)`, `rgba(...)`, `hsl(...)` or `hsla(...)` with their arguments.
fn parse_function(function: &str, arguments: &str) -> Option<Rgba> {
    // Either "a, b, c[, alpha]" or "a b c[ / alpha]".
    let (values, alpha) = if arguments.contains(',') {
        let parts: Vec<&str> = arguments.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [a, b, c] => ([*a, *b, *c], None),
            [a, b, c, alpha] => ([*a, *b, *c], Some(*alpha)),
            _ => return None,
        }
    } else {
        let (colour, alpha) = match arguments.split_once('/') {
            Some((colour, alpha)) => (colour, Some(alpha.trim())),
            None => (arguments, None),
        };
        let parts: Vec<&str> = colour.split_whitespace().collect();
        match parts.as_slice() {
            [a, b, c] => ([*a, *b, *c], alpha),
            _ => return None,
        }
    };
    let a = match alpha {
        Some(alpha) => unit_or_percent(alpha)?,
        None => 1.0,
    };
    let to_byte = |unit: f64| (unit.clamp(0.0, 1.0) * 255.0).round() as u8;
    let (r, g, b) = match function {
        "rgb" | "rgba" => {
            let channel = |text: &str| match text.strip_suffix('%') {
                Some(percent) => number(percent).map(|p| p / 100.0),
                None => number(text).map(|v| v / 255.0),
            };
            (channel(values[0])?, channel(values[1])?, channel(values[2])?)
        }
        "hsl" | "hsla" => {
            let hue = number(values[0].strip_suffix("deg").unwrap_or(values[0]))?;
            let percent = |text: &str| text.strip_suffix('%').and_then(number).map(|p| (p / 100.0).clamp(0.0, 1.0));
            hsl_to_rgb(hue, percent(values[1])?, percent(values[2])?)
        }
        _ => return None,
    };
    Some(Rgba { r: to_byte(r), g: to_byte(g), b: to_byte(b), a: to_byte(a) })
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An alpha value: a number from 0 to 1, or a percentage.
fn unit_or_percent(text: &str) -> Option<f64> {
    match text.strip_suffix('%') {
        Some(percent) => number(percent).map(|p| p / 100.0),
        None => number(text),
    }
}

/// CSS Color 4's HSL to RGB, each in 0..=1; `hue` in degrees.
fn hsl_to_rgb(hue: f64, saturation: f64, lightness: f64) -> (f64, f64, f64) {
    let channel = |n: f64| {
        let k = (n + hue / 30.0).rem_euclid(12.0);
        let a = saturation * lightness.min(1.0 - lightness);
        lightness - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)
    };
    (channel(0.0), channel(8.0), channel(4.0))
}

/// CSS named colours (CSS Color 4), lower case.
const NAMED: [(&str, u32); 148] = [
    ("aliceblue", 0xf0f8ff),
    ("antiquewhite", 0xfaebd7),
    ("aqua", 0x00ffff),
    ("aquamarine", 0x7fffd4),
    ("azure", 0xf0ffff),
    ("beige", 0xf5f5dc),
    ("bisque", 0xffe4c4),
    ("black", 0x000000),
    ("blanchedalmond", 0xffebcd),
    ("blue", 0x0000ff),
    ("blueviolet", 0x8a2be2),
    ("brown", 0xa52a2a),
    ("burlywood", 0xdeb887),
    ("cadetblue", 0x5f9ea0),
    ("chartreuse", 0x7fff00),
    ("chocolate", 0xd2691e),
    ("coral", 0xff7f50),
    ("cornflowerblue", 0x6495ed),
    ("cornsilk", 0xfff8dc),
    ("crimson", 0xdc143c),
    ("cyan", 0x00ffff),
    ("darkblue", 0x00008b),
    ("darkcyan", 0x008b8b),
    ("darkgoldenrod", 0xb8860b),
    ("darkgray", 0xa9a9a9),
    ("darkgreen", 0x006400),
    ("darkgrey", 0xa9a9a9),
    ("darkkhaki", 0xbdb76b),
    ("darkmagenta", 0x8b008b),
    ("darkolivegreen", 0x556b2f),
    ("darkorange", 0xff8c00),
    ("darkorchid", 0x9932cc),
    ("darkred", 0x8b0000),
    ("darksalmon", 0xe9967a),
    ("darkseagreen", 0x8fbc8f),
    ("darkslateblue", 0x483d8b),
    ("darkslategray", 0x2f4f4f),
    ("darkslategrey", 0x2f4f4f),
    ("darkturquoise", 0x00ced1),
    ("darkviolet", 0x9400d3),
    ("deeppink", 0xff1493),
    ("deepskyblue", 0x00bfff),
    ("dimgray", 0x696969),
    ("dimgrey", 0x696969),
    ("dodgerblue", 0x1e90ff),
    ("firebrick", 0xb22222),
    ("floralwhite", 0xfffaf0),
    ("forestgreen", 0x228b22),
    ("fuchsia", 0xff00ff),
    ("gainsboro", 0xdcdcdc),
    ("ghostwhite", 0xf8f8ff),
    ("gold", 0xffd700),
    ("goldenrod", 0xdaa520),
    ("gray", 0x808080),
    ("green", 0x008000),
    ("greenyellow", 0xadff2f),
    ("grey", 0x808080),
    ("honeydew", 0xf0fff0),
    ("hotpink", 0xff69b4),
    ("indianred", 0xcd5c5c),
    ("indigo", 0x4b0082),
    ("ivory", 0xfffff0),
    ("khaki", 0xf0e68c),
    ("lavender", 0xe6e6fa),
    ("lavenderblush", 0xfff0f5),
    ("lawngreen", 0x7cfc00),
    ("lemonchiffon", 0xfffacd),
    ("lightblue", 0xadd8e6),
    ("lightcoral", 0xf08080),
    ("lightcyan", 0xe0ffff),
    ("lightgoldenrodyellow", 0xfafad2),
    ("lightgray", 0xd3d3d3),
    ("lightgreen", 0x90ee90),
    ("lightgrey", 0xd3d3d3),
    ("lightpink", 0xffb6c1),
    ("lightsalmon", 0xffa07a),
    ("lightseagreen", 0x20b2aa),
    ("lightskyblue", 0x87cefa),
    ("lightslategray", 0x778899),
    ("lightslategrey", 0x778899),
    ("lightsteelblue", 0xb0c4de),
    ("lightyellow", 0xffffe0),
    ("lime", 0x00ff00),
    ("limegreen", 0x32cd32),
    ("linen", 0xfaf0e6),
    ("magenta", 0xff00ff),
    ("maroon", 0x800000),
    ("mediumaquamarine", 0x66cdaa),
    ("mediumblue", 0x0000cd),
    ("mediumorchid", 0xba55d3),
    ("mediumpurple", 0x9370db),
    ("mediumseagreen", 0x3cb371),
    ("mediumslateblue", 0x7b68ee),
    ("mediumspringgreen", 0x00fa9a),
    ("mediumturquoise", 0x48d1cc),
    ("mediumvioletred", 0xc71585),
    ("midnightblue", 0x191970),
    ("mintcream", 0xf5fffa),
    ("mistyrose", 0xffe4e1),
    ("moccasin", 0xffe4b5),
    ("navajowhite", 0xffdead),
    ("navy", 0x000080),
    ("oldlace", 0xfdf5e6),
    ("olive", 0x808000),
    ("olivedrab", 0x6b8e23),
    ("orange", 0xffa500),
    ("orangered", 0xff4500),
    ("orchid", 0xda70d6),
    ("palegoldenrod", 0xeee8aa),
    ("palegreen", 0x98fb98),
    ("paleturquoise", 0xafeeee),
    ("palevioletred", 0xdb7093),
    ("papayawhip", 0xffefd5),
    ("peachpuff", 0xffdab9),
    ("peru", 0xcd853f),
    ("pink", 0xffc0cb),
    ("plum", 0xdda0dd),
    ("powderblue", 0xb0e0e6),
    ("purple", 0x800080),
    ("rebeccapurple", 0x663399),
    ("red", 0xff0000),
    ("rosybrown", 0xbc8f8f),
    ("royalblue", 0x4169e1),
    ("saddlebrown", 0x8b4513),
    ("salmon", 0xfa8072),
    ("sandybrown", 0xf4a460),
    ("seagreen", 0x2e8b57),
    ("seashell", 0xfff5ee),
    ("sienna", 0xa0522d),
    ("silver", 0xc0c0c0),
    ("skyblue", 0x87ceeb),
    ("slateblue", 0x6a5acd),
    ("slategray", 0x708090),
    ("slategrey", 0x708090),
    ("snow", 0xfffafa),
    ("springgreen", 0x00ff7f),
    ("steelblue", 0x4682b4),
    ("tan", 0xd2b48c),
    ("teal", 0x008080),
    ("thistle", 0xd8bfd8),
    ("tomato", 0xff6347),
    ("turquoise", 0x40e0d0),
    ("violet", 0xee82ee),
    ("wheat", 0xf5deb3),
    ("white", 0xffffff),
    ("whitesmoke", 0xf5f5f5),
    ("yellow", 0xffff00),
    ("yellowgreen", 0x9acd32),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn rgba(r: u8, g: u8, b: u8, a: u8) -> Rgba {
        Rgba { r, g, b, a }
    }

    #[test]
    fn hex_forms_parse() {
        assert_eq!(parse("#f00"), Some(rgba(255, 0, 0, 255)));
        assert_eq!(parse("#F008"), Some(rgba(255, 0, 0, 136)));
        assert_eq!(parse("#1a2B3c"), Some(rgba(0x1a, 0x2b, 0x3c, 255)));
        assert_eq!(parse("#1a2b3c80"), Some(rgba(0x1a, 0x2b, 0x3c, 0x80)));
        for bad in ["#", "#12", "#12345", "#gggggg", "#1234567", "1a2b3c", "#+1a2b3"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn functional_forms_parse() {
        assert_eq!(parse("rgb(240,40,145)"), Some(rgba(240, 40, 145, 255)));
        assert_eq!(parse("rgb(240 40 145)"), Some(rgba(240, 40, 145, 255)));
        assert_eq!(parse("rgba(0, 0, 0, 0.5)"), Some(rgba(0, 0, 0, 128)));
        assert_eq!(parse("rgb(100% 0% 50% / 25%)"), Some(rgba(255, 0, 128, 64)));
        assert_eq!(parse("RGB(300,-5,0)"), Some(rgba(255, 0, 0, 255)));
        assert_eq!(parse("hsl(120, 100%, 50%)"), Some(rgba(0, 255, 0, 255)));
        assert_eq!(parse("hsl(240deg 100% 25% / 0.5)"), Some(rgba(0, 0, 128, 128)));
        for bad in
            ["rgb(1,2)", "rgb(1,2,3,4,5)", "rgb(a,b,c)", "rgb(1 2 3", "cmyk(1,2,3)", "rgb(1,2,NaN)", "hsl(1,2,3)"]
        {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_parse() {
        assert_eq!(parse("rebeccapurple"), Some(rgba(0x66, 0x33, 0x99, 255)));
        assert_eq!(parse("White"), Some(Rgba::WHITE));
        assert_eq!(parse("transparent"), Some(rgba(0, 0, 0, 0)));
        assert_eq!(parse("blurple"), None);
        assert!(NAMED.windows(2).all(|pair| pair[0].0 < pair[1].0), "names are sorted and unique");
    }

    #[test]
    fn translucent_colours_composite_over_opaque_ones() {
        assert_eq!(rgba(0, 0, 0, 128).over(Rgba::WHITE), rgba(127, 127, 127, 255));
        assert_eq!(rgba(10, 20, 30, 255).over(Rgba::WHITE), rgba(10, 20, 30, 255));
    }
}
