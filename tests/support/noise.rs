//! An animated GIF of noise, the most an animation can code: shared by the memory checks (the
//! Worker's in `tests/worker/memory.rs`, the harness's for `benches/memory.mjs`).

/// `frames` frames of `width` x `height` pixels, each a random entry of a random palette,
/// looping; the same file every time (xorshift32, seeded).
pub fn noise_animation(width: u16, height: u16, frames: usize) -> Result<Vec<u8>, gif::EncodingError> {
    let mut state = 2463534242u32;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as u8
    };
    let palette: Vec<u8> = (0..768).map(|_| random()).collect();
    let mut out = Vec::new();
    let mut encoder = gif::Encoder::new(&mut out, width, height, &palette)?;
    encoder.set_repeat(gif::Repeat::Infinite)?;
    for _ in 0..frames {
        let indices: Vec<u8> = (0..usize::from(width) * usize::from(height)).map(|_| random()).collect();
        let mut frame = gif::Frame::from_indexed_pixels(width, height, indices, None);
        frame.delay = 10;
        encoder.write_frame(&frame)?;
    }
    drop(encoder);
    Ok(out)
}
