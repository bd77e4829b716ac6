use crate::KernelError;

/// How the bytes of one pixel are laid out; all layouts are 8 bits per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PixelLayout {
    /// One luma byte.
    L8,
    /// Red, green, blue.
    Rgb8,
    /// Red, green, blue, alpha (straight or premultiplied, as the caller keeps track).
    Rgba8,
}

impl PixelLayout {
    pub const fn channels(self) -> usize {
        match self {
            PixelLayout::L8 => 1,
            PixelLayout::Rgb8 => 3,
            PixelLayout::Rgba8 => 4,
        }
    }
}

/// A borrowed image: `height` rows of `stride` samples, each starting with `width` pixels. Samples
/// are bytes, or for linear light ([`crate::to_linear`]) 12-bit values in `u16`.
#[derive(Clone, Copy, Debug)]
pub struct ImageRef<'a, S = u8> {
    pub pixels: &'a [S],
    pub width: usize,
    pub height: usize,
    pub stride: usize,
    pub layout: PixelLayout,
}

/// A mutably borrowed image, laid out as [`ImageRef`].
#[derive(Debug)]
pub struct ImageMut<'a, S = u8> {
    pub pixels: &'a mut [S],
    pub width: usize,
    pub height: usize,
    pub stride: usize,
    pub layout: PixelLayout,
}

/// Checks that `len` samples hold `height` rows of `stride` samples of which `width` pixels are
/// used.
pub(crate) fn check_geometry(
    len: usize,
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
) -> Result<(), KernelError> {
    if width == 0 || height == 0 {
        return Err(KernelError::EmptyImage);
    }
    let row_bytes = width.checked_mul(layout.channels()).ok_or(KernelError::TooLarge)?;
    if stride < row_bytes {
        return Err(KernelError::StrideTooShort { stride, row_bytes });
    }
    // The last row need not be padded out to the full stride.
    let needed =
        (height - 1).checked_mul(stride).and_then(|bytes| bytes.checked_add(row_bytes)).ok_or(KernelError::TooLarge)?;
    if len < needed {
        return Err(KernelError::BufferTooShort { len, needed });
    }
    Ok(())
}

impl<S> ImageRef<'_, S> {
    pub(crate) fn validate(&self) -> Result<(), KernelError> {
        check_geometry(self.pixels.len(), self.width, self.height, self.stride, self.layout)
    }
}

impl<S> ImageMut<'_, S> {
    pub(crate) fn validate(&self) -> Result<(), KernelError> {
        check_geometry(self.pixels.len(), self.width, self.height, self.stride, self.layout)
    }

    /// A shared view of the same pixels.
    pub fn as_image_ref(&self) -> ImageRef<'_, S> {
        ImageRef {
            pixels: self.pixels,
            width: self.width,
            height: self.height,
            stride: self.stride,
            layout: self.layout,
        }
    }

    /// The same pixels borrowed for a shorter time, to hand to a kernel and keep this view.
    pub fn reborrow(&mut self) -> ImageMut<'_, S> {
        ImageMut {
            pixels: self.pixels,
            width: self.width,
            height: self.height,
            stride: self.stride,
            layout: self.layout,
        }
    }
}

/// An owned, tightly packed image (stride = width × channels): what pipeline steps hand each
/// other. Samples are bytes, or `u16` for linear light.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image<S = u8> {
    pub pixels: Vec<S>,
    pub width: usize,
    pub height: usize,
    pub layout: PixelLayout,
}

impl<S: Copy + Default> Image<S> {
    /// A `width` × `height` image of zero samples.
    pub fn new(width: usize, height: usize, layout: PixelLayout) -> Result<Self, KernelError> {
        let len = width.checked_mul(height).and_then(|pixels| pixels.checked_mul(layout.channels()));
        let len = len.ok_or(KernelError::TooLarge)?;
        Ok(Image { pixels: vec![S::default(); len], width, height, layout })
    }

    /// A `width` × `height` image of pixels all equal to `pixel` (`layout.channels()` samples).
    pub fn filled(width: usize, height: usize, layout: PixelLayout, pixel: &[S]) -> Result<Self, KernelError> {
        if pixel.len() != layout.channels() {
            return Err(KernelError::LayoutMismatch);
        }
        let pixels = width.checked_mul(height).filter(|pixels| pixels.checked_mul(pixel.len()).is_some());
        Ok(Image { pixels: pixel.repeat(pixels.ok_or(KernelError::TooLarge)?), width, height, layout })
    }
}

impl<S> Image<S> {
    /// Samples per row.
    pub fn stride(&self) -> usize {
        self.width * self.layout.channels()
    }

    pub fn view(&self) -> ImageRef<'_, S> {
        ImageRef {
            pixels: &self.pixels,
            width: self.width,
            height: self.height,
            stride: self.stride(),
            layout: self.layout,
        }
    }

    pub fn view_mut(&mut self) -> ImageMut<'_, S> {
        let stride = self.stride();
        ImageMut { pixels: &mut self.pixels, width: self.width, height: self.height, stride, layout: self.layout }
    }
}
