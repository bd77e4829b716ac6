//! Embedded ICC profiles: decoded pixels are converted to sRGB at once, so every later step and
//! the output (which carries no profile) are sRGB, as browsers would show the source. A profile
//! that maps every colour to within one level of itself (sRGB under any name) is skipped, which
//! keeps those pixels exact and costs nothing per pixel. CMYK JPEGs are converted from ink
//! amounts with their CMYK profile (perceptual intent, as browsers show them). A profile that
//! cannot be read or used (broken, grey, or for another colour space) is ignored, as browsers do:
//! colours a little off are better than no image (a CMYK file then gets the naive conversion).

use std::cell::RefCell;
use std::sync::Arc;

use kernels::PixelLayout;
use moxcms::{ColorProfile, DataColorSpace, Layout, ParsingOptions, Transform8BitExecutor, TransformOptions};

/// Largest embedded profile read; display profiles are a few KiB, LUT-based ones rarely 1 MiB.
pub const MAX_ICC_PROFILE_BYTES: usize = 1 << 20;

/// Bytes converted per call into the colour transform, through one reused scratch buffer.
const CHUNK_BYTES: usize = 64 * 1024;

/// Samples per channel of the grid of colours that decides whether a profile is sRGB in effect.
const IDENTITY_GRID: usize = 17;

/// Profiles seen lately and what came of them: photos from one camera or phone share a profile,
/// and deciding costs about as much as converting a small image (0.5 ms natively).
const REMEMBERED_PROFILES: usize = 8;

/// Only profiles up to this size are remembered (display profiles are well under it), so the
/// memory held stays small.
const MAX_REMEMBERED_PROFILE_BYTES: usize = 16 * 1024;

/// What a conversion reads: pixels of a layout (and writes the same), or CMYK ink amounts, 4
/// bytes a pixel (and writes RGB8).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Pixels(PixelLayout),
    Cmyk,
}

/// (profile bytes, input) → the conversion, or `None` for nothing to do. Whole bytes are
/// compared, not hashes, so no crafted profile can pass for another one.
type Verdict = ((Vec<u8>, Input), Option<ToSrgb>);

thread_local! {
    static RECENT: RefCell<Vec<Verdict>> = const { RefCell::new(Vec::new()) };
}

/// A conversion from one embedded profile to sRGB, for one pixel layout.
#[derive(Clone)]
pub struct ToSrgb {
    transform: Arc<Transform8BitExecutor>,
}

impl ToSrgb {
    /// The conversion for pixels in `layout` tagged with `icc`, or `None` when there is nothing
    /// to convert (see the module documentation). Remembers the last few answers.
    pub fn new(icc: &[u8], layout: PixelLayout) -> Option<Self> {
        Self::remembered(icc, Input::Pixels(layout))
    }

    /// The conversion of CMYK ink amounts (4 bytes a pixel, 255 for full ink) tagged with a CMYK
    /// profile `icc` to RGB8, or `None` when the profile cannot be used.
    pub fn from_cmyk(icc: &[u8]) -> Option<Self> {
        Self::remembered(icc, Input::Cmyk)
    }

    fn remembered(icc: &[u8], input: Input) -> Option<Self> {
        let known = |((bytes, for_input), _): &&Verdict| bytes.as_slice() == icc && *for_input == input;
        if let Some(verdict) =
            RECENT.with_borrow(|recent| recent.iter().find(known).map(|(_, verdict)| verdict.clone()))
        {
            return verdict;
        }
        let verdict = Self::build(icc, input);
        if icc.len() <= MAX_REMEMBERED_PROFILE_BYTES {
            RECENT.with_borrow_mut(|recent| {
                if recent.len() == REMEMBERED_PROFILES {
                    recent.remove(0);
                }
                recent.push(((icc.to_vec(), input), verdict.clone()));
            });
        }
        verdict
    }

    fn build(icc: &[u8], input: Input) -> Option<Self> {
        // moxcms reads 4-channel CMYK through its RGBA layout.
        let (color_space, from, to) = match input {
            Input::Pixels(PixelLayout::Rgb8) => (DataColorSpace::Rgb, Layout::Rgb, Layout::Rgb),
            Input::Pixels(PixelLayout::Rgba8) => (DataColorSpace::Rgb, Layout::Rgba, Layout::Rgba),
            Input::Pixels(PixelLayout::L8) => return None,
            Input::Cmyk => (DataColorSpace::Cmyk, Layout::Rgba, Layout::Rgb),
        };
        let options = ParsingOptions {
            max_profile_size: MAX_ICC_PROFILE_BYTES,
            max_allowed_clut_size: MAX_ICC_PROFILE_BYTES,
            ..ParsingOptions::default()
        };
        let profile = ColorProfile::new_from_slice_with_options(icc, options).ok()?;
        if profile.color_space != color_space {
            return None;
        }
        let transform =
            profile.create_transform_8bit(from, &ColorProfile::new_srgb(), to, TransformOptions::default()).ok()?;
        let conversion = ToSrgb { transform };
        match input {
            Input::Pixels(layout) => (!conversion.is_identity(layout)?).then_some(conversion),
            Input::Cmyk => Some(conversion),
        }
    }

    /// Whether every colour of a grid over the RGB cube comes out within one level of itself;
    /// `None` if the transform fails.
    fn is_identity(&self, layout: PixelLayout) -> Option<bool> {
        let level = |i: usize| (i * 255 / (IDENTITY_GRID - 1)) as u8;
        let channels = layout.channels();
        let mut grid = Vec::with_capacity(IDENTITY_GRID.pow(3) * channels);
        for r in 0..IDENTITY_GRID {
            for g in 0..IDENTITY_GRID {
                for b in 0..IDENTITY_GRID {
                    grid.extend([level(r), level(g), level(b), 255].into_iter().take(channels));
                }
            }
        }
        let mut converted = vec![0; grid.len()];
        self.transform.transform(&grid, &mut converted).ok()?;
        Some(grid.iter().zip(&converted).all(|(&before, &after)| before.abs_diff(after) <= 1))
    }

    /// Converts CMYK ink amounts (`cmyk`, 4 bytes a pixel) into sRGB `rgb` (3 bytes a pixel); a
    /// conversion made by [`ToSrgb::from_cmyk`]. False if the transform failed.
    pub fn convert_cmyk(&self, cmyk: &[u8], rgb: &mut [u8]) -> bool {
        self.transform.transform(cmyk, rgb).is_ok()
    }

    /// Converts `pixels` (tightly packed, in the layout this conversion was made for) to sRGB in
    /// place. A failure inside the colour transform leaves the rest of the pixels as they were.
    pub fn apply(&self, pixels: &mut [u8]) {
        // Chunks hold whole pixels: a multiple of 3 × 4 bytes.
        let chunk = CHUNK_BYTES / 12 * 12;
        let mut scratch = vec![0; chunk.min(pixels.len())];
        for chunk in pixels.chunks_mut(chunk) {
            let Some(source) = scratch.get_mut(..chunk.len()) else { return };
            source.copy_from_slice(chunk);
            if self.transform.transform(source, chunk).is_err() {
                return;
            }
        }
    }
}
