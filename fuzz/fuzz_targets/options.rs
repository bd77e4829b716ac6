//! Any string, as a path segment or a query string: parsing and fit geometry return a value or an
//! error, never panic, and accepted geometry respects the output limits.
#![no_main]

use image_worker::config::Limits;
use image_worker::geometry::{plan, Size};
use image_worker::options::TransformOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let limits = Limits::default();
    for parsed in [TransformOptions::from_path_segment(text, &limits), TransformOptions::from_query(text, &limits)] {
        let Ok(options) = parsed else { continue };
        for (width, height) in [(1, 1), (1, 50_000), (640, 427), (7_071, 7_071)] {
            if let Ok(plan) = plan(Size { width, height }, &options, &limits) {
                assert!(plan.canvas.width.max(plan.canvas.height) <= limits.max_output_dimension);
                assert!(plan.canvas.pixels() <= limits.max_output_pixels);
            }
        }
    }
});
