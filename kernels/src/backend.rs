/// Which implementation a kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Portable Rust; the reference every other backend must match.
    Scalar,
    /// Explicit `core::arch::wasm32` simd128 code; only exists in builds with that target feature.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
}

impl Backend {
    /// The fastest backend compiled into this build.
    pub const fn best() -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            Backend::Simd128
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            Backend::Scalar
        }
    }

    /// Every backend compiled into this build, reference first.
    pub const fn available() -> &'static [Backend] {
        &[
            Backend::Scalar,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128,
        ]
    }

    pub const fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Backend::Simd128 => "simd128",
        }
    }

    /// Looks a backend up by [`Backend::name`]; `None` if unknown or not compiled in.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::available().iter().copied().find(|backend| backend.name() == name)
    }
}
