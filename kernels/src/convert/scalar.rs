use crate::PixelLayout;

/// One row: each input pixel's channels, grey repeated into red, green and blue, then alpha 255.
pub(super) fn widen(input: &[u8], from: PixelLayout, output: &mut [u8], to: PixelLayout) {
    let pixels = input.chunks_exact(from.channels()).zip(output.chunks_exact_mut(to.channels()));
    for (pixel, out) in pixels {
        let colour = match *pixel {
            [grey] => [grey; 3],
            [r, g, b] => [r, g, b],
            _ => [0; 3],
        };
        for (channel, value) in out.iter_mut().zip(colour.into_iter().chain([255])) {
            *channel = value;
        }
    }
}
