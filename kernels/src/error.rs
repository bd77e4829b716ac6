use core::fmt;

/// Arguments a kernel refused; kernels never panic on bad dimensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelError {
    /// A width or height of zero.
    EmptyImage,
    /// The stride is shorter than a row of pixels.
    StrideTooShort { stride: usize, row_bytes: usize },
    /// The buffer cannot hold `height` rows of `stride` bytes.
    BufferTooShort { len: usize, needed: usize },
    /// Source and destination pixel layouts differ, or the layout does not fit the kernel.
    LayoutMismatch,
    /// The source region is empty, not finite, or outside the image.
    BadRegion,
    /// Dimensions whose byte sizes overflow `usize`.
    TooLarge,
    /// A streaming kernel (resize, edge energy) ended before its source gave the rows it needed.
    MissingRows { next: usize, needed: usize },
    /// A kernel that pairs columns (2 × 2 chroma) was given an odd width.
    OddWidth { width: usize },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::EmptyImage => write!(f, "image has a zero dimension"),
            KernelError::StrideTooShort { stride, row_bytes } => {
                write!(f, "stride {stride} is shorter than a row of {row_bytes} bytes")
            }
            KernelError::BufferTooShort { len, needed } => {
                write!(f, "buffer of {len} bytes is shorter than the {needed} bytes needed")
            }
            KernelError::LayoutMismatch => write!(f, "pixel layouts do not match"),
            KernelError::BadRegion => write!(f, "source region is empty or outside the image"),
            KernelError::TooLarge => write!(f, "image dimensions overflow"),
            KernelError::MissingRows { next, needed } => {
                write!(f, "the source ended at row {next} of the {needed} rows the kernel needs")
            }
            KernelError::OddWidth { width } => write!(f, "width {width} is odd where pairs of columns are needed"),
        }
    }
}

impl std::error::Error for KernelError {}
