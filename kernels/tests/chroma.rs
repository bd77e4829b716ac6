//! JPEG chroma upsampling, YCbCr to RGB and back (`kernels/src/chroma/`): simd128 against
//! scalar on random rows of every length up to 100 and a few long ones, with the bytes after
//! each output left untouched; and the scalar conversions (from bytes, from a resize's fine
//! values, and RGB to YCbCr at full and half size) against the JFIF formulas in floating point.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{
    downsample_h2v2, downsample_v2, rgb_to_ycbcr, rgb_to_ycbcr_h2v2, upsample_h2, upsample_h2v2, upsample_v2,
    ycbcr_fine_to_rgb, ycbcr_to_rgb, Backend,
};
use support::{assert_backends_agree, Rng, GUARD};

fn lengths() -> impl Iterator<Item = usize> {
    (0..=100).chain([255, 1024, 3121])
}

fn row(rng: &mut Rng, length: usize) -> Vec<u8> {
    let mut row = vec![0u8; length];
    // Half the rows are smooth (as chroma is), half noise with saturated runs.
    if rng.below(2) == 0 {
        let mut value = rng.below(256) as i32;
        for sample in &mut row {
            value = (value + rng.below(9) as i32 - 4).clamp(0, 255);
            *sample = value as u8;
        }
    } else {
        rng.fill(&mut row);
        for sample in &mut row {
            match rng.below(16) {
                0 => *sample = 0,
                1 => *sample = 255,
                _ => {}
            }
        }
    }
    row
}

/// Runs `kernel` into a guarded buffer of `written + 7` bytes and checks the guard.
fn guarded(what: &str, written: usize, mut kernel: impl FnMut(&mut [u8])) -> Vec<u8> {
    let mut out = vec![GUARD; written + 7];
    kernel(&mut out);
    assert!(out[written..].iter().all(|&b| b == GUARD), "{what}: wrote past {written} bytes");
    out
}

#[test]
fn upsampling_backends_agree() {
    let mut rng = Rng(2024);
    for length in lengths() {
        let extra = rng.below(3);
        let (near, far) = (row(&mut rng, length), row(&mut rng, length + extra));
        assert_backends_agree(format!("h2, {length} samples"), |backend| {
            guarded("h2", 2 * length, |out| upsample_h2(&near, out, backend).unwrap())
        });
        assert_backends_agree(format!("h2v2, {length} samples"), |backend| {
            guarded("h2v2", 2 * length, |out| upsample_h2v2(&near, &far, out, backend).unwrap())
        });
        for below in [false, true] {
            assert_backends_agree(format!("v2, {length} samples, far below {below}"), |backend| {
                guarded("v2", length, |out| upsample_v2(&near, &far, below, out, backend).unwrap())
            });
        }
    }
}

#[test]
fn upsampling_is_the_triangle_filter() {
    // 2x1: 3/4 of the nearer sample and 1/4 of the next one out, the ends their own neighbours.
    let mut out = [0u8; 6];
    upsample_h2(&[0, 100, 200], &mut out, Backend::Scalar).unwrap();
    assert_eq!(out, [0, 25, 75, 125, 175, 200]);
    // 2x2: the same on the column sums 3 near + far, over 16.
    upsample_h2v2(&[0, 100, 200], &[100, 100, 100], &mut out, Backend::Scalar).unwrap();
    assert_eq!(out, [25, 44, 81, 119, 156, 175]);
    let mut out = [0u8; 2];
    upsample_v2(&[100, 0], &[0, 100], true, &mut out, Backend::Scalar).unwrap();
    assert_eq!(out, [75, 25]);
}

#[test]
fn colour_conversion_backends_agree() {
    let mut rng = Rng(601);
    for length in lengths() {
        let (y, cb, cr) = (row(&mut rng, length), row(&mut rng, length), row(&mut rng, length + 1));
        assert_backends_agree(format!("ycbcr_to_rgb, {length} pixels"), |backend| {
            guarded("ycbcr_to_rgb", 3 * length, |out| ycbcr_to_rgb(&y, &cb, &cr, out, backend).unwrap())
        });
    }
    // Every Cb and Cr with a few Y, so each product and every saturation is met.
    let (mut y, mut cb, mut cr) = (Vec::new(), Vec::new(), Vec::new());
    for luma in [0u8, 1, 77, 128, 200, 254, 255] {
        for chroma in 0..=255u8 {
            for other in [0u8, 64, 128, 191, 255] {
                y.push(luma);
                cb.push(chroma);
                cr.push(other);
                y.push(luma);
                cb.push(other);
                cr.push(chroma);
            }
        }
    }
    assert_backends_agree("ycbcr_to_rgb, every chroma value", |backend| {
        guarded("ycbcr_to_rgb", 3 * y.len(), |out| ycbcr_to_rgb(&y, &cb, &cr, out, backend).unwrap())
    });
}

#[test]
fn colour_conversion_is_jfif() {
    let mut rng = Rng(1992);
    for _ in 0..2000 {
        let (y, cb, cr) = (rng.below(256) as u8, rng.below(256) as u8, rng.below(256) as u8);
        let mut rgb = [0u8; 3];
        ycbcr_to_rgb(&[y], &[cb], &[cr], &mut rgb, Backend::Scalar).unwrap();
        let (yf, cbf, crf) = (f64::from(y), f64::from(cb) - 128.0, f64::from(cr) - 128.0);
        let expected = [yf + 1.402 * crf, yf - 0.344136 * cbf - 0.714136 * crf, yf + 1.772 * cbf];
        for (got, want) in rgb.iter().zip(expected) {
            assert!((f64::from(*got) - want.clamp(0.0, 255.0)).abs() <= 0.51, "{y} {cb} {cr}: {rgb:?} vs {expected:?}");
        }
    }
}

/// A resize's fine output: mostly a smooth row in 0..=4080 with overshoot past both ends,
/// some values anywhere in `i16` (which saturate).
fn fine_row(rng: &mut Rng, length: usize) -> Vec<i16> {
    let mut value = rng.range(0, 4080) as i32;
    (0..length)
        .map(|_| match rng.below(32) {
            0 => rng.next() as i16,
            1 => i16::MIN,
            2 => i16::MAX,
            _ => {
                value = (value + rng.range(0, 160) as i32 - 80).clamp(-400, 4500);
                value as i16
            }
        })
        .collect()
}

#[test]
fn fine_colour_conversion_backends_agree() {
    let mut rng = Rng(1601);
    for length in lengths() {
        let (y, cb, cr) = (fine_row(&mut rng, length), fine_row(&mut rng, length), fine_row(&mut rng, length + 1));
        assert_backends_agree(format!("ycbcr_fine_to_rgb, {length} pixels"), |backend| {
            guarded("ycbcr_fine_to_rgb", 3 * length, |out| ycbcr_fine_to_rgb(&y, &cb, &cr, out, backend).unwrap())
        });
    }
}

#[test]
fn fine_colour_conversion_is_jfif_rounded_once() {
    let mut rng = Rng(1993);
    for _ in 0..20_000 {
        let [y, cb, cr] = [(); 3].map(|()| rng.range(0, 4799) as i16 - 400);
        let mut rgb = [0u8; 3];
        ycbcr_fine_to_rgb(&[y], &[cb], &[cr], &mut rgb, Backend::Scalar).unwrap();
        let [yf, cbf, crf] = [y, cb, cr].map(|v| f64::from(v) / 16.0);
        let (cbf, crf) = (cbf - 128.0, crf - 128.0);
        let expected = [yf + 1.402 * crf, yf - 0.344136 * cbf - 0.714136 * crf, yf + 1.772 * cbf];
        for (got, want) in rgb.iter().zip(expected) {
            // Half a level of rounding, and the 14-bit constants' error over the range.
            assert!((f64::from(*got) - want.clamp(0.0, 255.0)).abs() <= 0.52, "{y} {cb} {cr}: {rgb:?} vs {expected:?}");
        }
    }
}

#[test]
fn short_buffers_are_refused() {
    for backend in Backend::available() {
        let backend = *backend;
        assert!(upsample_h2(&[1; 8], &mut [0; 15], backend).is_err());
        assert!(upsample_h2v2(&[1; 8], &[1; 7], &mut [0; 16], backend).is_err());
        assert!(upsample_v2(&[1; 8], &[1; 8], false, &mut [0; 7], backend).is_err());
        assert!(ycbcr_to_rgb(&[1; 8], &[1; 8], &[1; 7], &mut [0; 24], backend).is_err());
        assert!(ycbcr_to_rgb(&[1; 8], &[1; 8], &[1; 8], &mut [0; 23], backend).is_err());
        assert!(ycbcr_fine_to_rgb(&[1; 8], &[1; 7], &[1; 8], &mut [0; 24], backend).is_err());
        assert!(ycbcr_fine_to_rgb(&[1; 8], &[1; 8], &[1; 8], &mut [0; 23], backend).is_err());
    }
}

#[test]
fn rgb_to_ycbcr_backends_agree() {
    let mut rng = Rng(2026);
    for length in lengths() {
        let rgb = row(&mut rng, 3 * length + 2);
        assert_backends_agree(format!("rgb_to_ycbcr, {length} pixels"), |backend| {
            let (mut y, mut cb) = (vec![GUARD; length], vec![GUARD; length + 7]);
            let cr = guarded("rgb_to_ycbcr", length, |cr| {
                rgb_to_ycbcr(&rgb, &mut y, &mut cb, cr, backend).unwrap();
            });
            assert!(cb[length..].iter().all(|&b| b == GUARD), "rgb_to_ycbcr: wrote past Cb");
            (y, cb, cr)
        });
        if length % 2 != 0 {
            continue;
        }
        let (top, bottom) = (row(&mut rng, 3 * length), row(&mut rng, 3 * length + 5));
        assert_backends_agree(format!("rgb_to_ycbcr_h2v2, {length} pixels"), |backend| {
            let (mut y_top, mut y_bottom, mut cb) =
                (vec![0; length], vec![GUARD; length + 3], vec![GUARD; length / 2 + 7]);
            let cr = guarded("rgb_to_ycbcr_h2v2", length / 2, |cr| {
                rgb_to_ycbcr_h2v2([&top, &bottom], [&mut y_top, &mut y_bottom], &mut cb, cr, backend).unwrap();
            });
            assert!(y_bottom[length..].iter().all(|&b| b == GUARD), "rgb_to_ycbcr_h2v2: wrote past Y");
            assert!(cb[length / 2..].iter().all(|&b| b == GUARD), "rgb_to_ycbcr_h2v2: wrote past Cb");
            (y_top, y_bottom, cb, cr)
        });
    }
    // The extremes of every channel, where chroma must stay within 0..=255 unclamped.
    let corners: Vec<u8> = (0..8u8).flat_map(|c| [c & 1, (c >> 1) & 1, c >> 2].map(|bit| bit * 255)).collect();
    let rgb: Vec<u8> = corners.iter().cycle().take(3 * 64).copied().collect();
    assert_backends_agree("rgb_to_ycbcr, corners of the cube", |backend| {
        let (mut y, mut cb, mut cr) = (vec![0; 64], vec![0; 64], vec![0; 64]);
        rgb_to_ycbcr(&rgb, &mut y, &mut cb, &mut cr, backend).unwrap();
        (y, cb, cr)
    });
}

/// JFIF's RGB to YCbCr in floating point.
fn ycbcr_of(r: f64, g: f64, b: f64) -> [f64; 3] {
    [
        0.299 * r + 0.587 * g + 0.114 * b,
        128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b,
    ]
}

#[test]
fn rgb_to_ycbcr_is_jfif() {
    let mut rng = Rng(1991);
    for _ in 0..2000 {
        let mut rgb = [0u8; 12];
        rng.fill(&mut rgb);
        let (mut y, mut cb, mut cr) = ([0u8; 4], [0u8; 4], [0u8; 4]);
        rgb_to_ycbcr(&rgb, &mut y, &mut cb, &mut cr, Backend::Scalar).unwrap();
        for (i, pixel) in rgb.chunks(3).enumerate() {
            let expected = ycbcr_of(f64::from(pixel[0]), f64::from(pixel[1]), f64::from(pixel[2]));
            for (got, want) in [y[i], cb[i], cr[i]].into_iter().zip(expected) {
                assert!((f64::from(got) - want).abs() <= 0.51, "{pixel:?}: {got} vs {want}");
            }
        }
        // The same pixels as a 2 × 2 square: chroma is the mean's, Y each pixel's own.
        let (mut y_top, mut y_bottom, mut cb, mut cr) = ([0u8; 2], [0u8; 2], [0u8; 1], [0u8; 1]);
        rgb_to_ycbcr_h2v2([&rgb[..6], &rgb[6..]], [&mut y_top, &mut y_bottom], &mut cb, &mut cr, Backend::Scalar)
            .unwrap();
        let mean = |c: usize| rgb.iter().skip(c).step_by(3).map(|&v| f64::from(v)).sum::<f64>() / 4.0;
        let [_, cb_want, cr_want] = ycbcr_of(mean(0), mean(1), mean(2));
        assert_eq!([y_top, y_bottom].concat(), y, "{rgb:?}");
        assert!((f64::from(cb[0]) - cb_want).abs() <= 0.51 && (f64::from(cr[0]) - cr_want).abs() <= 0.51, "{rgb:?}");
    }
}

#[test]
fn vertical_downsampling_backends_agree_and_take_the_mean() {
    let mut rng = Rng(422);
    for length in lengths() {
        let (top, bottom) = (row(&mut rng, length), row(&mut rng, length + 3));
        let out = assert_backends_agree(format!("downsample_v2, {length} samples"), |backend| {
            guarded("downsample_v2", length, |out| downsample_v2(&top, &bottom, out, backend).unwrap())
        });
        for ((&mean, &a), &b) in out.iter().zip(&top).zip(&bottom) {
            assert_eq!(u16::from(mean), (u16::from(a) + u16::from(b)).div_ceil(2));
        }
    }
}

#[test]
fn two_by_two_downsampling_backends_agree_and_take_the_mean() {
    let mut rng = Rng(444);
    for length in lengths() {
        let (top, bottom) = (row(&mut rng, length), row(&mut rng, length + 5));
        let half = length.div_ceil(2);
        let out = assert_backends_agree(format!("downsample_h2v2, {length} samples"), |backend| {
            guarded("downsample_h2v2", half, |out| downsample_h2v2(&top, &bottom, out, backend).unwrap())
        });
        for (i, &mean) in out.iter().take(half).enumerate() {
            let at = |row: &[u8], x: usize| u16::from(row[x.min(length - 1)]);
            let sum = at(&top, 2 * i) + at(&top, 2 * i + 1) + at(&bottom, 2 * i) + at(&bottom, 2 * i + 1);
            assert_eq!(u16::from(mean), (sum + 2) / 4, "{length} samples, output {i}");
        }
    }
}
