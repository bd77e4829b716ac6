//! The Cloudflare Worker's wasm. Its code is the root crate's `worker` module (the HTTP edge);
//! this crate only links it, as a cdylib of its own. Built as the root crate's own cdylib next to
//! the rlib the tests, benchmarks, JS package and CLI use, LTO left more of the library's
//! functions apart (5,615 functions against 4,470) and compiled the hot loops differently: that
//! build took 4-10% longer to transform 8 of the 10 corpus photos in workerd (README, "Worker
//! size").

// Linked for its exports (the `fetch` handler wasm-bindgen exposes), not for any name used here.
extern crate image_worker;
