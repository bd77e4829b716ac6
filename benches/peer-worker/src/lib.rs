//! The peer our Worker is measured against end to end (`benches/e2e.mjs`): the best
//! off-the-shelf Rust stack, zune-jpeg → fast_image_resize (Lanczos3) → jpeg-encoder, behind the
//! same `POST /transform?width=W&quality=Q` (JPEG in, JPEG of width W out), built like ours
//! (worker-build, simd128).

use fast_image_resize as fir;
use worker::{event, Context, Env, Method, Request, Response, Result};

#[event(fetch)]
async fn fetch(mut request: Request, _env: Env, _context: Context) -> Result<Response> {
    let url = request.url()?;
    if request.method() != Method::Post || url.path() != "/transform" {
        return Response::error("POST a JPEG to /transform?width=W&quality=Q", 404);
    }
    let parameter = |name: &str| url.query_pairs().find(|(key, _)| key == name).and_then(|(_, value)| value.parse().ok());
    let (width, quality) = (parameter("width").unwrap_or(800u32), parameter("quality").unwrap_or(85u32));
    let body = request.bytes().await?;
    match thumbnail(&body, width, quality.min(100) as u8) {
        Some(jpeg) => {
            let mut response = Response::from_bytes(jpeg)?;
            response.headers_mut().set("content-type", "image/jpeg")?;
            Ok(response)
        }
        None => Response::error("the image could not be transformed", 422),
    }
}

fn thumbnail(input: &[u8], width: u32, quality: u8) -> Option<Vec<u8>> {
    let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(input));
    let pixels = decoder.decode().ok()?;
    let (w, h) = decoder.dimensions()?;
    let (w, h) = (w as u32, h as u32);
    let height = ((h as f64 * width as f64 / w as f64).round() as u32).max(1);
    let source = fir::images::ImageRef::new(w, h, &pixels, fir::PixelType::U8x3).ok()?;
    let mut resized = fir::images::Image::new(width, height, fir::PixelType::U8x3);
    let options = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new().resize(&source, &mut resized, &options).ok()?;
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(resized.buffer(), width as u16, height as u16, jpeg_encoder::ColorType::Rgb)
        .ok()?;
    Some(out)
}
