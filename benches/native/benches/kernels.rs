//! Scalar kernels on the host (the simd128 backend only exists in wasm; `benches/run.mjs` times
//! it in V8). Run: `cargo bench --manifest-path benches/native/Cargo.toml`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kernels::{premultiply, resize, unpremultiply, Backend, Filter, ImageMut, ImageRef, PixelLayout, SourceRegion};

fn pixels(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((i / 7) as u8).wrapping_add((state % 48) as u8)
        })
        .collect()
}

fn resize_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("resize");
    group.sample_size(10);
    for (w, h, ow, oh) in [(2464, 1640, 852, 567), (640, 427, 1920, 1280)] {
        for layout in [PixelLayout::Rgba8, PixelLayout::Rgb8, PixelLayout::L8] {
            for filter in [Filter::Lanczos3, Filter::CatmullRom, Filter::Bilinear] {
                let channels = layout.channels();
                let source = pixels(w * h * channels);
                let mut output = vec![0u8; ow * oh * channels];
                group.throughput(Throughput::Elements((w * h) as u64));
                let id = BenchmarkId::new(format!("{}/{layout:?}", filter.name()), format!("{w}x{h}->{ow}x{oh}"));
                group.bench_function(id, |b| {
                    b.iter(|| {
                        let src = ImageRef { pixels: &source, width: w, height: h, stride: w * channels, layout };
                        let dst =
                            ImageMut { pixels: &mut output, width: ow, height: oh, stride: ow * channels, layout };
                        resize(src, SourceRegion::whole(w, h), dst, filter, Backend::Scalar).unwrap();
                    })
                });
            }
        }
    }
    group.finish();
}

fn alpha_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("alpha");
    let (w, h) = (2464, 1640);
    let mut image = pixels(w * h * 4);
    group.throughput(Throughput::Elements((w * h) as u64));
    group.bench_function("premultiply", |b| {
        b.iter(|| {
            let view = ImageMut { pixels: &mut image, width: w, height: h, stride: w * 4, layout: PixelLayout::Rgba8 };
            premultiply(view, Backend::Scalar).unwrap();
        })
    });
    group.bench_function("unpremultiply", |b| {
        b.iter(|| {
            let view = ImageMut { pixels: &mut image, width: w, height: h, stride: w * 4, layout: PixelLayout::Rgba8 };
            unpremultiply(view, Backend::Scalar).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, resize_benches, alpha_benches);
criterion_main!(benches);
