use super::{div255_round, unpremultiply_channel};

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
            for channel in &mut pixel[..3] {
                *channel = unpremultiply_channel(*channel, alpha);
            }
        }
    }
}
