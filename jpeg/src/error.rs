//! Why a JPEG cannot be decoded: a variant we do not decode (said in words, for a 415), or data
//! that is not a valid JPEG (truncated or corrupt, for a 422).

use core::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A valid JPEG of a kind this decoder does not read (arithmetic coding, 12-bit, lossless, …).
    Unsupported(&'static str),
    /// The data breaks the format, or ends early.
    Corrupt(&'static str),
    /// The frame has more pixels than the caller allows (checked before any pixel buffer).
    TooLarge { width: u32, height: u32 },
    /// Our own bug: a kernel refused the arguments we gave it.
    Internal(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported(what) => write!(f, "unsupported JPEG: {what}"),
            Error::Corrupt(what) => write!(f, "corrupt JPEG: {what}"),
            Error::TooLarge { width, height } => write!(f, "the JPEG is {width}x{height}, over the pixel limit"),
            Error::Internal(what) => write!(f, "internal error in the JPEG decoder (a bug on our side): {what}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;
