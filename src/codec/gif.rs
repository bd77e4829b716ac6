//! GIF output: [`GifWriter`] quantizes and writes frames as they come, into [`Segments`].

use std::io::{self, Write};

use kernels::{Image, PixelLayout};

use crate::error::{ErrorKind, TransformError};
use crate::geometry::Size;

/// Colour quantization speed (1 best, 30 fastest); 10 is the gif crate's own default balance.
const GIF_QUANTIZATION_SPEED: i32 = 10;

/// Writes GIF frames as they come; the frames are RGBA8 of the writer's size (pixels below half
/// alpha become the transparent entry, the rest opaque).
pub struct GifWriter {
    encoder: gif::Encoder<Segments>,
}

impl GifWriter {
    pub fn new(size: Size, looping: bool) -> Result<Self, TransformError> {
        let (width, height) = (side(size.width)?, side(size.height)?);
        let mut encoder = gif::Encoder::new(Segments::default(), width, height, &[]).map_err(gif_error)?;
        if looping {
            encoder.set_repeat(gif::Repeat::Infinite).map_err(gif_error)?;
        }
        Ok(GifWriter { encoder })
    }

    /// Adds a frame shown for `delay_ms` (numerator, denominator) milliseconds.
    pub fn add(&mut self, image: Image, delay_ms: (u32, u32)) -> Result<(), TransformError> {
        let Image { mut pixels, width, height, layout } = image;
        if layout != PixelLayout::Rgba8 {
            return Err(TransformError::new(ErrorKind::Internal, "GIF frames must be RGBA8"));
        }
        // GIF has one fully transparent palette entry and no partial alpha: below half is
        // transparent, the rest opaque (the quantizer would otherwise treat a faint pixel's
        // colour as solid, giving soft edges a dark fringe).
        for [red, green, blue, alpha] in pixels.as_chunks_mut::<4>().0 {
            if *alpha < 128 {
                [*red, *green, *blue, *alpha] = [0; 4];
            } else {
                *alpha = 255;
            }
        }
        let (width, height) = (side_of(width)?, side_of(height)?);
        if pixels.len() != usize::from(width) * usize::from(height) * 4 {
            return Err(TransformError::new(ErrorKind::Internal, "a GIF frame's pixels do not match its size"));
        }
        let mut frame = gif::Frame::from_rgba_speed(width, height, &mut pixels, GIF_QUANTIZATION_SPEED);
        // GIF counts delays in hundredths of a second.
        let delay_ms = delay_ms.0.checked_div(delay_ms.1).unwrap_or(0);
        frame.delay = u16::try_from(delay_ms / 10).unwrap_or(u16::MAX);
        frame.dispose = gif::DisposalMethod::Background;
        self.encoder.write_frame(&frame).map_err(gif_error)
    }

    /// The bytes written so far.
    pub fn encoded_bytes(&self) -> usize {
        self.encoder.get_ref().len
    }

    /// The whole file (the trailer written, the segments joined).
    pub fn finish(self) -> Result<Vec<u8>, TransformError> {
        self.encoder.into_inner().map_err(gif_error)?.join()
    }
}

/// Bytes kept in segments of at most `SEGMENT_BYTES`, written without ever reallocating: a `Vec`
/// that doubles as an animation grows leaves each smaller copy behind, free but seldom reused
/// (a 40-frame animation of noise made into a 16 MB GIF grew wasm memory by 55 MiB that way, 36
/// in segments). The file is copied once, at the end, by [`Segments::join`].
#[derive(Default)]
struct Segments {
    full: Vec<Vec<u8>>,
    last: Vec<u8>,
    len: usize,
}

const SEGMENT_BYTES: usize = 1 << 20;

impl Segments {
    /// The bytes in one buffer, each segment freed once copied.
    fn join(self) -> Result<Vec<u8>, TransformError> {
        let mut out = Vec::new();
        out.try_reserve_exact(self.len).map_err(|_| out_of_memory())?;
        for segment in self.full.into_iter().chain([self.last]) {
            out.extend_from_slice(&segment);
        }
        Ok(out)
    }
}

impl Write for Segments {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if bytes.is_empty() {
            return Ok(0);
        }
        if self.last.len() == self.last.capacity() {
            // The first segment grows with the file, so a small GIF takes what it needs.
            let capacity = self.len.clamp(1 << 12, SEGMENT_BYTES);
            let mut next = Vec::new();
            next.try_reserve_exact(capacity).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
            if !self.last.is_empty() {
                self.full.push(std::mem::replace(&mut self.last, next));
            } else {
                self.last = next;
            }
        }
        let taken = bytes.len().min(self.last.capacity() - self.last.len());
        self.last.extend_from_slice(bytes.get(..taken).unwrap_or_default());
        self.len += taken;
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn side(pixels: u32) -> Result<u16, TransformError> {
    u16::try_from(pixels)
        .map_err(|_| TransformError::new(ErrorKind::Unencodable, "GIF images are at most 65535 pixels a side"))
}

fn side_of(pixels: usize) -> Result<u16, TransformError> {
    side(u32::try_from(pixels).unwrap_or(u32::MAX))
}

fn gif_error(error: gif::EncodingError) -> TransformError {
    match error {
        gif::EncodingError::Io(error) if error.kind() == io::ErrorKind::OutOfMemory => out_of_memory(),
        error => TransformError::new(ErrorKind::Unencodable, format!("the image cannot be encoded as GIF: {error}")),
    }
}

fn out_of_memory() -> TransformError {
    TransformError::new(ErrorKind::TooLarge, "not enough memory to encode the image as GIF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_join_to_the_bytes_written_in_any_pieces() {
        let bytes: Vec<u8> = (0..3 * SEGMENT_BYTES + 12345).map(|i| (i * 7 % 251) as u8).collect();
        let mut segments = Segments::default();
        let mut rest = bytes.as_slice();
        for piece in [1, 255, 4096, 100_000, SEGMENT_BYTES + 3].into_iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (now, later) = rest.split_at(piece.min(rest.len()));
            segments.write_all(now).unwrap();
            rest = later;
        }
        assert_eq!(segments.len, bytes.len());
        assert!(segments.full.iter().chain([&segments.last]).all(|segment| segment.capacity() <= SEGMENT_BYTES));
        assert_eq!(segments.join().unwrap(), bytes);
    }

    #[test]
    fn frames_are_written_with_their_delays_and_the_transparent_entry() {
        let size = Size { width: 3, height: 2 };
        let mut writer = GifWriter::new(size, true).unwrap();
        for (alpha, delay) in [(255, (120, 1)), (100, (50, 2))] {
            let pixels = [[200, 10, 10, alpha]; 6].concat();
            writer.add(Image { pixels, width: 3, height: 2, layout: PixelLayout::Rgba8 }, delay).unwrap();
        }
        assert!(writer.encoded_bytes() > 0);
        let gif = writer.finish().unwrap();
        let mut decoder = gif::DecodeOptions::new();
        decoder.set_color_output(gif::ColorOutput::RGBA);
        let mut decoder = decoder.read_info(gif.as_slice()).unwrap();
        let first = decoder.read_next_frame().unwrap().unwrap();
        assert_eq!((first.delay, first.buffer[3]), (12, 255));
        let second = decoder.read_next_frame().unwrap().unwrap();
        assert_eq!((second.delay, second.buffer[3]), (2, 0));
        assert!(decoder.read_next_frame().unwrap().is_none());
    }
}
