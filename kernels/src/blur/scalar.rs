use super::{is_alpha, sharpen_channel};
use crate::PixelLayout;

pub(super) fn unsharp_mask(row: &mut [u8], blurred: &[u8], layout: PixelLayout, amount: i32) {
    for (i, (channel, &soft)) in row.iter_mut().zip(blurred).enumerate() {
        if !is_alpha(layout, i) {
            *channel = sharpen_channel(*channel, soft, amount);
        }
    }
}
