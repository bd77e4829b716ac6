//! Any bytes as an image, with options chosen by the first byte, through the whole pipeline under
//! small limits: a transformed image or an error, never a panic, and never more memory than the
//! limits allow (libFuzzer's RSS limit catches that).
#![no_main]

use image_worker::config::Limits;
use image_worker::options::TransformOptions;
use kernels::Backend;
use libfuzzer_sys::fuzz_target;

const OPTIONS: [&str; 14] = [
    "width=32",
    "width=20,rotate=90,flip=h,trim=1;1;1;1,background=red,border.width=2",
    "blur=30,sharpen=2,saturation=0,brightness=1.5,gamma=2,format=gif",
    "width=10,format=json,metadata=keep",
    "width=16,height=16,fit=cover,gravity=0.2x0.9,anim=false",
    "width=7,height=9,fit=cover",
    "width=40,height=40,fit=pad,format=png",
    "height=16,fit=crop,format=webp",
    "width=3,height=50,fit=squeeze,format=jpeg",
    "width=64,fit=contain,dpr=2",
    "width=1,fit=scale-down",
    "format=auto",
    "width=12,height=12,fit=cover,gravity=auto,trim=border,gamma-correct=true",
    "trim.border.color=white,trim.border.tolerance=40,trim.border.keep=2,width=30,rotate=270,gamma-correct=1",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, image)) = data.split_first() else { return };
    let limits = Limits {
        max_input_bytes: 1 << 20,
        max_input_pixels: 4_000_000,
        max_output_dimension: 512,
        max_output_pixels: 65_536,
        max_avif_dimension: 64,
        max_working_bytes: 64 << 20,
    };
    let options = TransformOptions::from_path_segment(OPTIONS[selector as usize % OPTIONS.len()], &limits)
        .expect("the fixed option strings parse");
    let accept = (selector & 0x80 != 0).then_some("image/avif,image/webp");
    let _ = image_worker::pipeline::transform(image, &options, accept, &limits, Backend::best());
});
