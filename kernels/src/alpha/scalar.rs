use super::{div255_round, unpremultiply_channel, unpremultiply_scale};

pub(super) fn premultiply(row: &mut [u8]) {
    for pixel in row.chunks_exact_mut(4) {
        let alpha = pixel[3] as u16;
        for channel in &mut pixel[..3] {
            *channel = div255_round(*channel as u16 * alpha) as u8;
        }
    }
}

pub(super) fn unpremultiply(row: &mut [u8]) {
    for pixel in row.chunks_exact_mut(4) {
        let alpha = pixel[3];
        if alpha == 0 {
            pixel.fill(0);
        } else {
            let scale = unpremultiply_scale(alpha);
            for channel in &mut pixel[..3] {
                *channel = unpremultiply_channel(*channel, scale);
            }
        }
    }
}

pub(super) fn composite_over(row: &mut [u8], background: [u8; 4]) {
    for pixel in row.chunks_exact_mut(4) {
        let uncovered = 255 - pixel[3] as u16;
        for (channel, &under) in pixel.iter_mut().zip(&background) {
            *channel = channel.saturating_add(div255_round(under as u16 * uncovered) as u8);
        }
    }
}

pub(super) fn is_opaque(row: &[u8]) -> bool {
    row.chunks_exact(4).all(|pixel| pixel[3] == 255)
}

/// Compacts RGBA to RGB front to back: pixel `i` moves from `4i` to `3i`, never past a pixel not
/// yet read.
pub(super) fn drop_alpha(bytes: &mut [u8]) {
    drop_alpha_from(bytes, 0);
}

/// As [`drop_alpha`], for the pixels from `first` on (the ones before are already compacted).
pub(super) fn drop_alpha_from(bytes: &mut [u8], first: usize) {
    for i in first..bytes.len() / 4 {
        bytes.copy_within(4 * i..4 * i + 3, 3 * i);
    }
}
