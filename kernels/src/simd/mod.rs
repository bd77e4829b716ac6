//! The support layer under the simd128 kernels (each kernel's `simd128.rs`): vector loads and
//! stores on arrays and on windows checked once ([`memory`], the only code that touches memory
//! through pointers), and constant swizzle masks ([`masks`]).

pub(crate) mod masks;
pub(crate) mod memory;
