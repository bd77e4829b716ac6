//! What the kernel cross-checks share: a deterministic generator and guard-byte checks.
#![allow(dead_code)] // Each test binary uses a different part.

use kernels::PixelLayout;

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
