//! Orientation: the eight flips and quarter turns of an image (EXIF orientation, `flip`,
//! `rotate`), as one copy from a source image into a destination of the oriented size.
//!
//! Pixels are only moved, never changed, so every backend's output is identical by construction
//! and the tests compare them byte for byte.

mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use crate::{Backend, ImageMut, ImageRef, KernelError, SourceRegion};

/// One of the eight symmetries of a rectangle, as: transpose (swap x and y) if `transpose`,
/// then mirror the result left-right if `mirror_x` and top-bottom if `mirror_y`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Orientation {
    pub transpose: bool,
    pub mirror_x: bool,
    pub mirror_y: bool,
}

impl Orientation {
    pub const IDENTITY: Orientation = Orientation::new(false, false, false);

    pub const fn new(transpose: bool, mirror_x: bool, mirror_y: bool) -> Self {
        Orientation { transpose, mirror_x, mirror_y }
    }

    /// The transformation that makes an image stored with EXIF orientation `value` upright;
    /// values outside 1..=8 are treated as 1 (upright), as viewers do.
    pub const fn from_exif(value: u16) -> Self {
        match value {
            2 => Orientation::new(false, true, false),
            3 => Orientation::new(false, true, true),
            4 => Orientation::new(false, false, true),
            5 => Orientation::new(true, false, false),
            6 => Orientation::new(true, true, false),
            7 => Orientation::new(true, true, true),
            8 => Orientation::new(true, false, true),
            _ => Orientation::IDENTITY,
        }
    }

    /// A clockwise turn by `quarter_turns` × 90 degrees.
    pub const fn clockwise(quarter_turns: u32) -> Self {
        match quarter_turns % 4 {
            1 => Orientation::new(true, true, false),
            2 => Orientation::new(false, true, true),
            3 => Orientation::new(true, false, true),
            _ => Orientation::IDENTITY,
        }
    }

    /// `self`, then `next`.
    pub const fn then(self, next: Orientation) -> Self {
        // Mirroring before a transpose is mirroring the other axis after it.
        let (mirror_x, mirror_y) =
            if next.transpose { (self.mirror_y, self.mirror_x) } else { (self.mirror_x, self.mirror_y) };
        Orientation::new(self.transpose != next.transpose, mirror_x != next.mirror_x, mirror_y != next.mirror_y)
    }

    /// The transformation that undoes `self`.
    pub const fn inverse(self) -> Self {
        if self.transpose {
            Orientation::new(true, self.mirror_y, self.mirror_x)
        } else {
            self
        }
    }

    /// The size of a `width` × `height` image after this transformation.
    pub const fn size(self, width: usize, height: usize) -> (usize, usize) {
        if self.transpose {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Where `region` of a `width` × `height` image lies after this transformation.
    pub fn region(self, region: SourceRegion, width: usize, height: usize) -> SourceRegion {
        let mut out = region;
        let (mut width, mut height) = (width as f64, height as f64);
        if self.transpose {
            out = SourceRegion { left: region.top, top: region.left, width: region.height, height: region.width };
            (width, height) = (height, width);
        }
        if self.mirror_x {
            out.left = width - out.left - out.width;
        }
        if self.mirror_y {
            out.top = height - out.top - out.height;
        }
        out
    }

    /// For destination pixel `(x, y)` of a `width` × `height` destination, the source pixel.
    #[inline(always)]
    fn source_of(self, x: usize, y: usize, width: usize, height: usize) -> (usize, usize) {
        let x = if self.mirror_x { width - 1 - x } else { x };
        let y = if self.mirror_y { height - 1 - y } else { y };
        if self.transpose {
            (y, x)
        } else {
            (x, y)
        }
    }
}

/// Copies `src` into `dst` transformed by `orientation`; `dst` must have the oriented size and
/// the same layout.
pub fn orient(
    src: ImageRef<'_>,
    dst: ImageMut<'_>,
    orientation: Orientation,
    backend: Backend,
) -> Result<(), KernelError> {
    src.validate()?;
    dst.validate()?;
    if src.layout != dst.layout || orientation.size(src.width, src.height) != (dst.width, dst.height) {
        return Err(KernelError::LayoutMismatch);
    }
    match backend {
        Backend::Scalar => scalar::orient(src, dst, orientation),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Simd128 => simd128::orient(src, dst, orientation),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Orientation; 8] = [
        Orientation::new(false, false, false),
        Orientation::new(false, true, false),
        Orientation::new(false, false, true),
        Orientation::new(false, true, true),
        Orientation::new(true, false, false),
        Orientation::new(true, true, false),
        Orientation::new(true, false, true),
        Orientation::new(true, true, true),
    ];

    /// Applies `orientation` to a point of a `width` × `height` image, by the definition.
    fn apply(o: Orientation, (x, y): (usize, usize), width: usize, height: usize) -> (usize, usize) {
        let ((x, y), (w, h)) = if o.transpose { ((y, x), (height, width)) } else { ((x, y), (width, height)) };
        (if o.mirror_x { w - 1 - x } else { x }, if o.mirror_y { h - 1 - y } else { y })
    }

    #[test]
    fn composition_and_inverse_follow_the_definition() {
        let (w, h) = (5, 3);
        for a in ALL {
            for b in ALL {
                let (aw, ah) = a.size(w, h);
                for p in [(0, 0), (4, 0), (1, 2), (3, 1)] {
                    assert_eq!(apply(a.then(b), p, w, h), apply(b, apply(a, p, w, h), aw, ah), "{a:?} then {b:?}");
                }
            }
            assert_eq!(a.then(a.inverse()), Orientation::IDENTITY, "{a:?}");
        }
    }

    #[test]
    fn named_turns_and_exif_values_agree() {
        assert_eq!(Orientation::clockwise(1).then(Orientation::clockwise(1)), Orientation::clockwise(2));
        assert_eq!(Orientation::clockwise(3).then(Orientation::clockwise(1)), Orientation::IDENTITY);
        // EXIF 6 is stored rotated 90 degrees anticlockwise: upright needs a clockwise turn.
        assert_eq!(Orientation::from_exif(6), Orientation::clockwise(1));
        assert_eq!(Orientation::from_exif(8), Orientation::clockwise(3));
        assert_eq!(Orientation::from_exif(3), Orientation::clockwise(2));
        assert_eq!(Orientation::from_exif(0), Orientation::IDENTITY);
        // A clockwise turn sends the top-left corner to the top-right.
        assert_eq!(apply(Orientation::clockwise(1), (0, 0), 5, 3), (2, 0));
    }

    #[test]
    fn regions_move_with_their_pixels() {
        let (w, h) = (7, 4);
        let region = SourceRegion { left: 1.0, top: 2.0, width: 3.0, height: 1.0 };
        for o in ALL {
            let moved = o.region(region, w, h);
            let corners = [(1, 2), (3, 2)].map(|p| apply(o, p, w, h));
            let left = corners.iter().map(|c| c.0).min().unwrap() as f64;
            let top = corners.iter().map(|c| c.1).min().unwrap() as f64;
            assert_eq!((moved.left, moved.top), (left, top), "{o:?}");
            assert_eq!(o.inverse().region(moved, o.size(w, h).0, o.size(w, h).1), region);
        }
    }
}
