//! What the kernel tests share: the check that every backend agrees with the scalar reference,
//! a deterministic generator, random images and guard-byte checks.
#![allow(dead_code)] // Each test binary uses a different part.

use core::fmt::Display;

use kernels::{Backend, PixelLayout, SourceRegion};

pub const LAYOUTS: [PixelLayout; 3] = [PixelLayout::L8, PixelLayout::Rgb8, PixelLayout::Rgba8];

/// Bytes written beyond each row and checked untouched afterwards.
pub const GUARD: u8 = 0xA5;

/// xorshift64*: deterministic, so a failure names a reproducible case.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn range(&mut self, low: usize, high_inclusive: usize) -> usize {
        low + self.below(high_inclusive - low + 1)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn fill(&mut self, bytes: &mut [u8]) {
        for b in bytes {
            *b = self.next() as u8;
        }
    }
}

pub fn assert_guards_intact(out: &[u8], stride: usize, row_bytes: usize, what: &str) {
    for row in out.chunks(stride) {
        assert!(row[row_bytes..].iter().all(|&b| b == GUARD), "{what}: wrote past a row");
    }
}

/// A random `width` × `height` image with a random row padding; returns the pixels and stride.
pub fn random_image(rng: &mut Rng, layout: PixelLayout, width: usize, height: usize) -> (Vec<u8>, usize) {
    let stride = width * layout.channels() + [0, 1, 3, 7][rng.below(4)];
    let mut pixels = vec![0u8; stride * height];
    rng.fill(&mut pixels);
    (pixels, stride)
}

/// A third of the time a random part of a `width` × `height` image (at least 30% of each side, at
/// fractional offsets), else all of it: the source regions resize tests crop to.
pub fn random_region(rng: &mut Rng, width: usize, height: usize) -> SourceRegion {
    if rng.below(3) != 0 {
        return SourceRegion::whole(width, height);
    }
    let (w, h) = (width as f64 * (0.3 + 0.7 * rng.unit()), height as f64 * (0.3 + 0.7 * rng.unit()));
    SourceRegion { left: (width as f64 - w) * rng.unit(), top: (height as f64 - h) * rng.unit(), width: w, height: h }
}

/// Runs `kernel` with the scalar backend, the reference, then with every other backend the build
/// has (simd128 in wasm builds, where these tests run in V8), and asserts that all give the same
/// output; returns the reference. `case` names the input in a failure message.
pub fn assert_backends_agree<T: PartialEq>(case: impl Display, kernel: impl Fn(Backend) -> T) -> T {
    // Without simd128 a wasm build would compare scalar with itself and pass vacuously.
    assert!(cfg!(not(target_arch = "wasm32")) || Backend::best() != Backend::Scalar, "wasm tests need +simd128");
    let reference = kernel(Backend::Scalar);
    for &backend in Backend::available().iter().filter(|&&backend| backend != Backend::Scalar) {
        // Not assert_eq!: outputs are whole images, too long to print.
        assert!(kernel(backend) == reference, "{} differs from scalar: {case}", backend.name());
    }
    reference
}
