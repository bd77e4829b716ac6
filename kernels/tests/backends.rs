//! The backends each build has: the kernel tests compare every backend with scalar, so in wasm
//! builds, where they run in node's V8, simd128 must be there.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use kernels::Backend;

#[test]
fn simd128_backend_is_compiled_into_wasm_builds() {
    if cfg!(target_arch = "wasm32") {
        assert_eq!(Backend::best().name(), "simd128", "wasm tests must build with +simd128");
    }
}

#[test]
fn backends_are_found_by_name() {
    for &backend in Backend::available() {
        assert_eq!(Backend::from_name(backend.name()), Some(backend));
    }
    assert_eq!(Backend::available()[0], Backend::Scalar, "the reference comes first");
    assert_eq!(Backend::from_name("avx512"), None);
}
