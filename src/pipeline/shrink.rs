//! Shrink-on-load: how much smaller than stored a JPEG may be decoded, and where the planned
//! source region lies in the smaller decode.

use kernels::SourceRegion;

use crate::geometry::{Plan, Size};

/// How much to shrink a JPEG while decoding (1, 2 or 4). As libvips does, the block shrink
/// stops while the Lanczos3 pass still has at least a 2x reduction to do, so quality comes from
/// the filter and decoding only skips detail the output cannot hold. Unlike libvips, 1/8 is never
/// used: it keeps only each block's DC (a box prefilter: 34 dB against a float resize where 1/4
/// reaches 47 dB, in tests/native/accuracy.rs) and saves almost no time over 1/4, as entropy decoding
/// dominates.
pub(super) fn jpeg_shrink(plan: &Plan) -> u32 {
    let reduction =
        (plan.region.width / plan.resized.width as f64).min(plan.region.height / plan.resized.height as f64);
    match reduction {
        r if r >= 8.0 => 4,
        r if r >= 4.0 => 2,
        _ => 1,
    }
}

/// The shrinks a JPEG may decode at, best first: [`jpeg_shrink`]'s, then each larger one (up to
/// 1/8) that still decodes the region at least as large as the resized image, for when the
/// memory budget cannot hold the first: a little less sharpness rather than a refusal.
pub(super) fn jpeg_shrinks(plan: &Plan) -> impl Iterator<Item = u32> + '_ {
    let large_enough = |shrink: &u32| {
        let factor = f64::from(*shrink);
        plan.region.width / factor >= f64::from(plan.resized.width)
            && plan.region.height / factor >= f64::from(plan.resized.height)
    };
    let first = jpeg_shrink(plan);
    [1, 2, 4, 8].into_iter().filter(move |&shrink| shrink == first || (shrink > first && large_enough(&shrink)))
}

/// The size a JPEG of `stored` size decodes to at `shrink` (rounded up, as `djpeg -scale` does).
pub(super) fn shrunk(stored: Size, shrink: u32) -> Size {
    Size { width: stored.width.div_ceil(shrink), height: stored.height.div_ceil(shrink) }
}

/// `region` of an image of `planned` size, in the coordinates of the `decoded` image (smaller
/// when decoding shrank it).
pub(super) fn region_in(region: SourceRegion, planned: Size, decoded: Size) -> SourceRegion {
    if planned == decoded {
        return region;
    }
    let (sx, sy) = (decoded.width as f64 / planned.width as f64, decoded.height as f64 / planned.height as f64);
    let (left, top) = (region.left * sx, region.top * sy);
    SourceRegion {
        left,
        top,
        width: (region.width * sx).min(decoded.width as f64 - left),
        height: (region.height * sy).min(decoded.height as f64 - top),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_shrink_leaves_at_least_a_2x_reduction() {
        let plan = |source: u32, output: u32| Plan {
            region: SourceRegion::whole(source as usize, source as usize),
            resized: Size { width: output, height: output },
            canvas: Size { width: output, height: output },
            offset: (0, 0),
        };
        assert_eq!(jpeg_shrink(&plan(1000, 999)), 1);
        assert_eq!(jpeg_shrink(&plan(1000, 251)), 1);
        assert_eq!(jpeg_shrink(&plan(1000, 250)), 2);
        assert_eq!(jpeg_shrink(&plan(1000, 125)), 4);
        assert_eq!(jpeg_shrink(&plan(1600, 100)), 4);
        assert_eq!(jpeg_shrink(&plan(100, 1600)), 1);
        let shrinks = |source, output| jpeg_shrinks(&plan(source, output)).collect::<Vec<_>>();
        assert_eq!(shrinks(1000, 999), [1]);
        assert_eq!(shrinks(1000, 400), [1, 2]);
        assert_eq!(shrinks(1000, 250), [2, 4]);
        assert_eq!(shrinks(1600, 100), [4, 8]);
        assert_eq!(shrinks(1600, 250), [2, 4]);
    }

    #[test]
    fn regions_follow_a_shrunk_decode() {
        let region = SourceRegion { left: 100.0, top: 50.0, width: 800.0, height: 400.0 };
        let planned = Size { width: 1000, height: 500 };
        let decoded = Size { width: 500, height: 250 };
        assert_eq!(
            region_in(region, planned, decoded),
            SourceRegion { left: 50.0, top: 25.0, width: 400.0, height: 200.0 }
        );
        assert_eq!(region_in(region, planned, planned), region);
    }
}
