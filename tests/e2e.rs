//! End-to-end tests against the real Worker in workerd. `scripts/test.sh` starts `wrangler dev`
//! on a free loopback port and passes its address in `WORKER_URL` (e.g. `127.0.0.1:8787`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use image::{GenericImageView, ImageFormat};

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Decodes the body, checking it is `format`, and returns its dimensions.
    fn image(&self, format: ImageFormat) -> image::DynamicImage {
        assert_eq!(self.status, 200, "body: {}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.header("Content-Type"), Some(format.to_mime_type()));
        assert_eq!(self.header("Content-Length"), Some(self.body.len().to_string().as_str()));
        assert!(self.header("Cache-Control").is_some());
        assert_eq!(image::guess_format(&self.body).unwrap(), format);
        image::load_from_memory_with_format(&self.body, format).expect("response decodes")
    }

    /// Checks a JSON error with this status and code whose message contains `needle`.
    fn error(&self, status: u16, code: u16, needle: &str) {
        let body = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status, status, "body: {body}");
        assert_eq!(self.header("Content-Type"), Some("application/json"));
        assert!(body.starts_with("{\"error\":\""), "{body}");
        assert!(body.ends_with(&format!(",\"code\":{code}}}")), "{body}");
        assert!(body.contains(needle), "{body} should mention {needle}");
    }
}

fn worker() -> String {
    std::env::var("WORKER_URL").expect("WORKER_URL (host:port of a running Worker); run `npm test`")
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let address = worker();
    let mut stream = TcpStream::connect(&address).expect("connect to the Worker");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    // Read only the framed response: the dev server may keep the connection open regardless.
    let mut raw = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        if let Some(reply) = complete(&raw) {
            return reply;
        }
        let read = stream.read(&mut buffer).expect("read the response");
        if read == 0 {
            return complete(&raw).unwrap_or_else(|| parse(&raw));
        }
        raw.extend_from_slice(&buffer[..read]);
    }
}

/// The reply, once `raw` holds all of it according to its framing.
fn complete(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let body = &raw[split + 4..];
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok());
    let done = match length {
        Some(length) => body.len() >= length,
        None if head.contains("transfer-encoding: chunked") => body.ends_with(b"0\r\n\r\n"),
        None => false,
    };
    done.then(|| parse(raw))
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = unchunk(&body);
    }
    Reply { status, headers, body }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 4 + size..];
    }
}

fn get(path: &str) -> Reply {
    request("GET", path, &[], &[])
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn post(query: &str, body: &[u8]) -> Reply {
    request("POST", &format!("/transform{query}"), &[], body)
}

#[test]
fn jpeg_photo_resizes_by_width() {
    let reply = get("/image/width=320/rocket.jpg");
    assert_eq!(reply.image(ImageFormat::Jpeg).dimensions(), (320, 214));
    assert_eq!(reply.header("Vary"), None);
    assert_eq!(reply.header("Cache-Control"), Some("public, max-age=86400"));
}

#[test]
fn png_with_alpha_keeps_alpha() {
    let image = get("/image/w=16,f=png/pngsuite/basn6a08.png").image(ImageFormat::Png);
    assert_eq!(image.dimensions(), (16, 16));
    assert!(image.color().has_alpha());
    let webp = post("?width=200&format=png", &fixture("transparent.webp")).image(ImageFormat::Png);
    assert!(webp.color().has_alpha());
    assert!(webp.to_rgba8().pixels().any(|p| p[3] < 255), "transparency survives");
}

#[test]
fn alpha_is_flattened_onto_white_for_jpeg() {
    let image = get("/image/width=32,format=jpeg/pngsuite/basn6a08.png").image(ImageFormat::Jpeg);
    assert!(!image.color().has_alpha());
}

#[test]
fn gif_first_frame_becomes_png() {
    let reply = get("/image/width=160/porsche.gif");
    assert_eq!(reply.image(ImageFormat::Png).dimensions(), (160, 100));
}

#[test]
fn webp_resizes_to_webp() {
    let source = image::load_from_memory(&fixture("flower.webp")).unwrap();
    let reply = get("/image/width=100/flower.webp");
    let expected_height = (source.height() as f64 * 100.0 / source.width() as f64).round() as u32;
    assert_eq!(reply.image(ImageFormat::WebP).dimensions(), (100, expected_height));
}

#[test]
fn fit_modes_give_their_documented_sizes() {
    // rocket.jpg is 640x427.
    for (options, size) in [
        ("width=100,height=100,fit=cover", (100, 100)),
        ("width=100,height=100,fit=crop", (100, 100)),
        ("width=100,height=100,fit=pad", (100, 100)),
        ("width=100,height=100,fit=contain", (100, 67)),
        ("width=100,height=100,fit=scale-down", (100, 67)),
        ("width=100,height=100,fit=squeeze", (100, 100)),
        ("width=1000,height=1000,fit=scale-down", (640, 427)),
        ("width=1000,fit=contain", (1000, 667)),
        ("width=100,dpr=2", (200, 133)),
    ] {
        let reply = get(&format!("/image/{options}/rocket.jpg"));
        assert_eq!(reply.image(ImageFormat::Jpeg).dimensions(), size, "{options}");
    }
}

#[test]
fn format_auto_negotiates_from_accept() {
    let path = "/image/width=64,format=auto/rocket.jpg";
    let webp = request("GET", path, &[("Accept", "image/avif,image/webp,*/*")], &[]);
    webp.image(ImageFormat::WebP);
    assert_eq!(webp.header("Vary"), Some("Accept"));
    let jpeg = request("GET", path, &[("Accept", "*/*")], &[]);
    jpeg.image(ImageFormat::Jpeg);
    assert_eq!(jpeg.header("Vary"), Some("Accept"));
}

#[test]
fn post_transforms_the_body() {
    let reply = post("?width=100&format=webp", &fixture("rocket.jpg"));
    assert_eq!(reply.image(ImageFormat::WebP).dimensions(), (100, 67));
    assert_eq!(reply.header("Cache-Control"), Some("no-store"));
    let same_size = post("", &fixture("chelsea.png"));
    assert_eq!(same_size.image(ImageFormat::Png).dimensions(), (451, 300));
}

#[test]
fn every_pngsuite_image_decodes_and_every_corrupt_one_is_refused() {
    let dir = format!("{}/fixtures/pngsuite", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".png"))
        .collect();
    names.sort();
    assert!(names.len() > 150);
    for name in names {
        let reply = post("?width=8&height=8&fit=squeeze", &fixture(&format!("pngsuite/{name}")));
        if name.starts_with('x') {
            assert!((400..500).contains(&reply.status), "{name}: {}", reply.status);
            assert!(reply.body.starts_with(b"{\"error\""), "{name}");
        } else {
            assert_eq!(reply.image(ImageFormat::Png).width(), 8, "{name}");
        }
    }
}

#[test]
fn option_errors_are_json_400s_naming_the_option() {
    get("/image/colour=red/rocket.jpg").error(400, 9401, "colour");
    get("/image/width=abc/rocket.jpg").error(400, 9401, "width");
    get("/image/fit=stretch/rocket.jpg").error(400, 9401, "fit");
    post("?quality=500", &fixture("rocket.jpg")).error(400, 9401, "quality");
}

#[test]
fn missing_sources_and_routes_are_404s() {
    get("/image/width=10/no-such-image.jpg").error(404, 9404, "no-such-image.jpg");
    get("/elsewhere").error(404, 9404, "/elsewhere");
}

#[test]
fn bodies_that_are_not_images_are_415s() {
    post("?width=10", b"this is not an image").error(415, 9412, "not an image");
    post("?width=10", b"").error(415, 9412, "empty");
}

#[test]
fn wrong_methods_are_405s() {
    get("/transform").error(405, 9405, "POST");
    request("POST", "/image/width=10/rocket.jpg", &[], b"x").error(405, 9405, "GET");
}

#[test]
fn a_good_request_succeeds_after_bad_ones() {
    post("?width=10", &fixture("pngsuite/xcrn0g04.png"));
    post("?width=10", b"GIF89a broken");
    get("/image/width=50/rocket.jpg").image(ImageFormat::Jpeg);
}
