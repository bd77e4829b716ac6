//! The support layer under the simd128 kernels (each kernel's `simd128.rs`): vector loads and
//! stores on arrays and on windows checked once ([`memory`], the only code that touches memory
//! through pointers), constant swizzle masks ([`masks`]), dot-product weights ([`weights`]) and
//! lane rearrangements ([`lanes`]).

pub(crate) mod lanes;
pub(crate) mod masks;
pub(crate) mod memory;
pub(crate) mod weights;
