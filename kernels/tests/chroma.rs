//! JPEG chroma upsampling and YCbCr to RGB (`kernels/src/chroma/`): simd128 against scalar on
//! random rows of every length up to 100 and a few long ones, with the bytes after each output
//! left untouched; and the scalar conversions (from bytes, and from a resize's fine values)
//! against the JFIF formulas in floating point.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{upsample_h2, upsample_h2v2, upsample_v2, ycbcr_fine_to_rgb, ycbcr_to_rgb, Backend};
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
fn guarded(what: &str, written: usize, kernel: impl Fn(&mut [u8])) -> Vec<u8> {
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
