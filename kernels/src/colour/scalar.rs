use super::{luma, saturate_channel};
use crate::PixelLayout;

pub(super) fn apply_lut(row: &mut [u8], layout: PixelLayout, lut: &[u8; 256]) {
    match layout {
        PixelLayout::Rgba8 => {
            for pixel in row.chunks_exact_mut(4) {
                for channel in &mut pixel[..3] {
                    *channel = lut[*channel as usize];
                }
            }
        }
        PixelLayout::L8 | PixelLayout::Rgb8 => {
            for channel in row {
                *channel = lut[*channel as usize];
            }
        }
    }
}

pub(super) fn saturate(row: &mut [u8], channels: usize, factor: i32) {
    for pixel in row.chunks_exact_mut(channels) {
        let luma = luma(pixel[0], pixel[1], pixel[2]);
        for channel in &mut pixel[..3] {
            *channel = saturate_channel(*channel, luma, factor);
        }
    }
}
