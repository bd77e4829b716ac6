//! Resizing: every backend against scalar, bit for bit, for all layouts and filters, scales from
//! 1/16x to 8x, fractional crops and padded strides; the streaming resize fed in random bands
//! against the whole-image resize, bit for bit, on every backend, including the upscales
//! whose windows step back where a zero weight was trimmed; the fine `i16` output against
//! scalar and against the byte output. (Linear-light resizing is in `linear.rs`.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use kernels::{
    resize, Backend, Filter, ImageMut, ImageRef, KernelError, OutputSample, PixelLayout, RowResizer, SourceRegion,
};
use support::{assert_backends_agree, assert_guards_intact, random_region, Rng, GUARD, LAYOUTS};

/// Output size as a fraction of input size, from 1/16x down to 8x up.
const SCALES: [f64; 10] = [1.0 / 16.0, 1.0 / 7.0, 1.0 / 3.0, 0.5, 0.7, 1.0, 1.5, 2.0, 5.0, 8.0];

struct Case {
    layout: PixelLayout,
    filter: Filter,
    width: usize,
    height: usize,
    stride: usize,
    pixels: Vec<u8>,
    region: SourceRegion,
    out_width: usize,
    out_height: usize,
    out_stride: usize,
}

impl Case {
    fn random(rng: &mut Rng, layout: PixelLayout, filter: Filter, scale: f64) -> Case {
        let channels = layout.channels();
        let width = rng.range(1, 40);
        let height = rng.range(1, 40);
        // Odd padding exercises unaligned rows; zero padding the tight case.
        let stride = width * channels + [0, 1, 3, 7][rng.below(4)];
        let mut pixels = vec![0u8; stride * height];
        rng.fill(&mut pixels);
        // A third of the cases crop a fractional region, as fit=cover does.
        let region = random_region(rng, width, height);
        let out_width = ((region.width * scale).round() as usize).max(1);
        let out_height = ((region.height * scale * (0.8 + 0.4 * rng.unit())).round() as usize).max(1);
        let out_stride = out_width * channels + [0, 1, 5][rng.below(3)];
        Case { layout, filter, width, height, stride, pixels, region, out_width, out_height, out_stride }
    }

    fn run(&self, backend: Backend) -> Vec<u8> {
        let mut out = vec![GUARD; self.out_stride * self.out_height];
        let src = ImageRef {
            pixels: &self.pixels,
            width: self.width,
            height: self.height,
            stride: self.stride,
            layout: self.layout,
        };
        let dst = ImageMut {
            pixels: &mut out,
            width: self.out_width,
            height: self.out_height,
            stride: self.out_stride,
            layout: self.layout,
        };
        resize(src, self.region, dst, self.filter, backend).expect("valid case");
        out
    }

    fn describe(&self) -> String {
        format!(
            "{:?} {:?} {}x{} (stride {}) region {:?} -> {}x{} (stride {})",
            self.layout,
            self.filter,
            self.width,
            self.height,
            self.stride,
            self.region,
            self.out_width,
            self.out_height,
            self.out_stride
        )
    }
}

#[test]
fn resize_matches_scalar_for_every_layout_filter_and_scale() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut cases = 0;
    for layout in LAYOUTS {
        for filter in Filter::ALL {
            for scale in SCALES {
                for _ in 0..6 {
                    let case = Case::random(&mut rng, layout, filter, scale);
                    let reference = assert_backends_agree(case.describe(), |backend| case.run(backend));
                    let row_bytes = case.out_width * layout.channels();
                    assert_guards_intact(&reference, case.out_stride, row_bytes, &case.describe());
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 3 * 6 * 10 * 6);
}

#[test]
fn sixteenfold_downscale_of_wide_images_matches_scalar() {
    // Widths 1..=40 cannot show a real 1/16 reduction; these can.
    let mut rng = Rng(42);
    for layout in LAYOUTS {
        for filter in Filter::ALL {
            let channels = layout.channels();
            let (width, height) = (rng.range(300, 700), rng.range(17, 64));
            let mut pixels = vec![0u8; width * height * channels];
            rng.fill(&mut pixels);
            let case = Case {
                layout,
                filter,
                width,
                height,
                stride: width * channels,
                pixels,
                region: SourceRegion::whole(width, height),
                out_width: width / 16,
                out_height: height.div_ceil(16),
                out_stride: (width / 16) * channels,
            };
            assert_backends_agree(case.describe(), |backend| case.run(backend));
        }
    }
}

impl Case {
    /// The same resize through a [`RowResizer`] fed bands of random heights (from 1 row to more
    /// than the whole source), each band in a buffer of its own.
    fn run_in_bands(&self, backend: Backend, rng: &mut Rng) -> Vec<u8> {
        self.resize_in_bands(backend, rng, vec![GUARD; self.out_stride * self.out_height], self.out_stride)
    }

    /// The resize through a [`RowResizer`] writing `O` into `out` (rows `out_stride` apart), fed
    /// bands of random heights as [`Case::run_in_bands`] is.
    fn resize_in_bands<O: OutputSample>(
        &self,
        backend: Backend,
        rng: &mut Rng,
        mut out: Vec<O>,
        out_stride: usize,
    ) -> Vec<O> {
        let mut dst = ImageMut {
            pixels: &mut out,
            width: self.out_width,
            height: self.out_height,
            stride: out_stride,
            layout: self.layout,
        };
        let (width, height) = (self.width, self.height);
        let mut resizer: RowResizer<u8, O> = RowResizer::new(
            width,
            height,
            self.layout,
            self.region,
            self.out_width,
            self.out_height,
            self.filter,
            backend,
        )
        .expect("valid case");
        assert_eq!(resizer.next_row(), resizer.source_rows().start);
        while resizer.next_row() < height && !resizer.is_done() {
            let first = resizer.next_row();
            let rows = rng.range(1, height + 2).min(height - first);
            let band = self.pixels[first * self.stride..(first + rows) * self.stride].to_vec();
            let band = ImageRef { pixels: &band, width, height: rows, stride: self.stride, layout: self.layout };
            resizer.push(band, &mut dst).expect("valid band");
        }
        resizer.finish().expect("every output row written");
        out
    }
}

#[test]
fn banded_resize_matches_the_whole_image_resize_on_every_backend() {
    let mut rng = Rng(0xB4_4D5);
    for layout in LAYOUTS {
        for filter in Filter::ALL {
            for scale in SCALES {
                for _ in 0..4 {
                    let mut case = Case::random(&mut rng, layout, filter, scale);
                    if rng.below(2) == 0 {
                        // Taller sources, so that the window slides and compacts many times.
                        let (height, channels) = (rng.range(60, 300), layout.channels());
                        case.height = height;
                        case.pixels = vec![0; case.stride * height];
                        rng.fill(&mut case.pixels);
                        case.region = random_region(&mut rng, case.width, height);
                        case.out_height = ((case.region.height * scale).round() as usize).max(1);
                        case.out_stride = case.out_width * channels;
                    }
                    for &backend in Backend::available() {
                        let whole = case.run(backend);
                        let seed = rng.next();
                        let banded = case.run_in_bands(backend, &mut Rng(seed | 1));
                        assert!(banded == whole, "{} in bands differs from whole: {}", backend.name(), case.describe());
                    }
                }
            }
        }
    }
}

impl Case {
    /// The resize through a [`RowResizer`] writing fine `i16` values (4 fractional bits), fed
    /// bands of random heights drawn from `seed`, into rows padded with a guard.
    fn run_fine(&self, backend: Backend, seed: u64) -> Vec<i16> {
        let channels = self.layout.channels();
        let out_stride = self.out_width * channels + 3;
        let out = vec![i16::MIN; out_stride * self.out_height];
        let out = self.resize_in_bands(backend, &mut Rng(seed | 1), out, out_stride);
        for row in out.chunks(out_stride) {
            assert!(
                row[self.out_width * channels..].iter().all(|&v| v == i16::MIN),
                "wrote past a row: {}",
                self.describe()
            );
        }
        out
    }
}

#[test]
fn fine_output_matches_scalar_and_rounds_to_the_byte_output() {
    let mut rng = Rng(0xF1_4E);
    for layout in [PixelLayout::L8, PixelLayout::Rgb8] {
        for filter in Filter::ALL {
            for scale in SCALES {
                for _ in 0..3 {
                    let mut case = Case::random(&mut rng, layout, filter, scale);
                    if rng.below(2) == 0 {
                        // Wider and taller, so that the simd128 blocks of 32 and 8 values run.
                        let (width, height) = (rng.range(40, 200), rng.range(40, 120));
                        (case.width, case.height, case.stride) = (width, height, width * layout.channels());
                        case.pixels = vec![0; case.stride * height];
                        rng.fill(&mut case.pixels);
                        case.region = random_region(&mut rng, width, height);
                        case.out_width = ((case.region.width * scale).round() as usize).max(1);
                        case.out_height = ((case.region.height * scale).round() as usize).max(1);
                        case.out_stride = case.out_width * layout.channels();
                    }
                    let seed = rng.next();
                    let fine = assert_backends_agree(case.describe(), |backend| case.run_fine(backend, seed));
                    let bytes = case.run(Backend::Scalar);
                    let row_len = case.out_width * layout.channels();
                    let fine_rows = fine.chunks(row_len + 3).map(|row| &row[..row_len]);
                    for (fine_row, byte_row) in fine_rows.zip(bytes.chunks(case.out_stride)) {
                        for (&fine, &byte) in fine_row.iter().zip(byte_row) {
                            // Both round the same sum; rounding the fine value again may differ by one.
                            let rounded = ((i32::from(fine) + 8) >> 4).clamp(0, 255);
                            assert!((rounded - i32::from(byte)).abs() <= 1, "{fine} vs {byte}: {}", case.describe());
                        }
                    }
                }
            }
        }
    }
}

/// `plane` (`width` × `height`) doubled across, and down too if `down`, by the fancy
/// upsampling kernels, cut to `full` (as a JPEG decoder's rows are).
fn fancy_upsampled(plane: &[u8], (width, height): (usize, usize), down: bool, full: (usize, usize)) -> Vec<u8> {
    let row = |y: usize| &plane[y.min(height - 1) * width..][..width];
    let mut out = Vec::with_capacity(full.0 * full.1);
    let mut doubled = vec![0; 2 * width];
    for y in 0..full.1 {
        if down {
            let near = y / 2;
            let far = if y.is_multiple_of(2) { near.saturating_sub(1) } else { near + 1 };
            kernels::upsample_h2v2(row(near), row(far), &mut doubled, Backend::Scalar).unwrap();
        } else {
            kernels::upsample_h2(row(y), &mut doubled, Backend::Scalar).unwrap();
        }
        out.extend_from_slice(&doubled[..full.0]);
    }
    out
}

#[test]
fn a_halved_plane_resizes_as_its_fancy_upsampled_plane() {
    let mut rng = Rng(0x4A1F);
    for _ in 0..40 {
        let down = rng.below(2) == 0;
        let full = (rng.range(2, 120), rng.range(2, 90));
        let plane_size = (full.0.div_ceil(2), if down { full.1.div_ceil(2) } else { full.1 });
        let mut plane = vec![0u8; plane_size.0 * plane_size.1];
        // Smooth, as chroma is, with some noise.
        let mut value = rng.below(256) as i32;
        for sample in &mut plane {
            value = (value + rng.below(31) as i32 - 15).clamp(0, 255);
            *sample = value as u8;
        }
        let upsampled = fancy_upsampled(&plane, plane_size, down, full);
        let region = random_region(&mut rng, full.0, full.1);
        let scale = [0.2, 0.5, 0.8, 1.0, 1.7][rng.below(5)];
        let output =
            (((region.width * scale).round() as usize).max(1), ((region.height * scale).round() as usize).max(1));
        for &backend in Backend::available() {
            let mut expected = vec![0u8; output.0 * output.1];
            let whole =
                ImageRef { pixels: &upsampled, width: full.0, height: full.1, stride: full.0, layout: PixelLayout::L8 };
            let dst = ImageMut {
                pixels: &mut expected,
                width: output.0,
                height: output.1,
                stride: output.0,
                layout: PixelLayout::L8,
            };
            resize(whole, region, dst, Filter::Lanczos3, backend).unwrap();
            let mut halved = vec![0u8; output.0 * output.1];
            let mut dst = ImageMut {
                pixels: &mut halved,
                width: output.0,
                height: output.1,
                stride: output.0,
                layout: PixelLayout::L8,
            };
            let how = (Filter::Lanczos3, (true, down));
            let mut resizer: RowResizer<u8> =
                RowResizer::for_halved_plane((plane_size, full), PixelLayout::L8, region, output, how, backend)
                    .unwrap();
            push_plane(&mut resizer, &plane, plane_size, &mut dst);
            resizer.finish().unwrap();
            // The upsampled plane was rounded to bytes; the halved weights never round it.
            let differences: Vec<i32> =
                expected.iter().zip(&halved).map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs()).collect();
            let mean = differences.iter().sum::<i32>() as f64 / differences.len() as f64;
            let max = differences.iter().max().copied().unwrap_or(0);
            assert!(max <= 2 && mean <= 0.5, "{full:?} down {down} {region:?} -> {output:?}: mean {mean}, max {max}");
        }
    }
}

/// The rows of a one-byte `plane` of `size` that `resizer` reads, pushed in one band.
fn push_plane(resizer: &mut RowResizer<u8>, plane: &[u8], size: (usize, usize), dst: &mut ImageMut<'_>) {
    let rows = resizer.source_rows();
    let band = ImageRef {
        pixels: &plane[rows.start * size.0..],
        width: size.0,
        height: rows.len(),
        stride: size.0,
        layout: PixelLayout::L8,
    };
    resizer.push(band, dst).unwrap();
}

#[test]
fn a_halved_plane_region_may_overhang_by_less_than_one_output_sample() {
    // A 4:2:0 chroma grid for a 7 x 5 output: 4 x 3 samples over a region 8/7 and 6/5 of the
    // image's, whose last samples lie past its edge; a flat plane stays flat.
    let (plane_size, full) = ((50, 40), (100, 80));
    let plane = vec![77u8; plane_size.0 * plane_size.1];
    let how = (Filter::Lanczos3, (true, true));
    let grid = |over: f64| SourceRegion { left: 0.0, top: 0.0, width: 100.0 * over, height: 80.0 * over };
    for &backend in Backend::available() {
        let mut out = vec![0u8; 4 * 3];
        let mut dst = ImageMut { pixels: &mut out, width: 4, height: 3, stride: 4, layout: PixelLayout::L8 };
        let region = SourceRegion { width: 100.0 * 8.0 / 7.0, height: 80.0 * 6.0 / 5.0, ..grid(1.0) };
        let mut resizer: RowResizer<u8> =
            RowResizer::for_halved_plane((plane_size, full), PixelLayout::L8, region, (4, 3), how, backend).unwrap();
        push_plane(&mut resizer, &plane, plane_size, &mut dst);
        resizer.finish().unwrap();
        assert!(out.iter().all(|&v| v == 77), "{out:?}");
        // A whole sample or more past the edge is refused.
        let result =
            RowResizer::<u8>::for_halved_plane((plane_size, full), PixelLayout::L8, grid(1.34), (4, 3), how, backend);
        assert!(matches!(result, Err(KernelError::BadRegion)));
    }
}

#[test]
fn a_resize_fed_too_few_rows_says_so() {
    let layout = PixelLayout::Rgb8;
    let pixels = vec![7u8; 10 * 20 * 3];
    let mut out = vec![0u8; 5 * 10 * 3];
    let mut dst = ImageMut { pixels: &mut out, width: 5, height: 10, stride: 15, layout };
    let whole = SourceRegion::whole(10, 20);
    let mut resizer = RowResizer::new(10, 20, layout, whole, 5, 10, Filter::Lanczos3, Backend::Scalar).unwrap();
    let band = ImageRef { pixels: &pixels[..10 * 30], width: 10, height: 10, stride: 30, layout };
    resizer.push(band, &mut dst).unwrap();
    assert!(!resizer.is_done());
    assert!(resizer.finish().is_err());
}
