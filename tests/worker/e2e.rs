//! End-to-end tests against the real Worker in workerd. `scripts/test.sh` starts `wrangler dev`
//! on a free loopback port and passes its address in `WORKER_URL` (e.g. `127.0.0.1:8787`).

mod client;
#[path = "../support/mod.rs"]
mod support;

use client::{get, post, request, Reply};
use image::{GenericImageView, ImageFormat};
use support::fixture;

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

/// `Accept` headers browsers send for images (Chrome 120+, Firefox 120+, Safari 17+), and one
/// from a client that shows neither AVIF nor WebP.
const BROWSERS: [(&str, &str); 3] = [
    ("Chrome", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"),
    ("Firefox", "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"),
    (
        "Safari",
        "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
    ),
];
const NEITHER: &str = "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5";

/// The size an AVIF reply declares (its `ispe` property), after checking it is AVIF.
fn avif_size(reply: &Reply) -> (u32, u32) {
    assert_eq!(reply.status, 200, "body: {}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("Content-Type"), Some("image/avif"));
    assert_eq!(reply.body.get(4..12), Some(&b"ftypavif"[..]));
    let at = reply.body.windows(4).position(|window| window == b"ispe").expect("an ispe property") + 8;
    let number = |offset: usize| u32::from_be_bytes(reply.body[offset..offset + 4].try_into().unwrap());
    (number(at), number(at + 4))
}

#[test]
fn format_auto_serves_each_browser_what_it_shows() {
    let path = "/image/width=64,format=auto/rocket.jpg";
    for (browser, accept) in BROWSERS {
        let reply = request("GET", path, &[("Accept", accept)], &[]);
        assert_eq!(avif_size(&reply), (64, 43), "{browser}");
        assert_eq!(reply.header("Vary"), Some("Accept"), "{browser}");
        // compression=fast skips AVIF; above MAX_AVIF_DIMENSION (1600) WebP takes its place.
        let fast =
            request("GET", "/image/width=64,format=auto,compression=fast/rocket.jpg", &[("Accept", accept)], &[]);
        assert_eq!(fast.image(ImageFormat::WebP).dimensions(), (64, 43), "{browser}");
        let large = request("GET", "/image/width=1601,fit=contain,format=auto/rocket.jpg", &[("Accept", accept)], &[]);
        assert_eq!(large.image(ImageFormat::WebP).dimensions(), (1601, 1068), "{browser}");
        assert_eq!(large.header("Vary"), Some("Accept"));
    }
    let webp_only = request("GET", path, &[("Accept", "image/webp,*/*")], &[]);
    webp_only.image(ImageFormat::WebP);
    let neither = request("GET", path, &[("Accept", NEITHER)], &[]);
    neither.image(ImageFormat::Jpeg);
    assert_eq!(neither.header("Vary"), Some("Accept"));
    // Animations: animated WebP where WebP is shown, else GIF.
    let animated = request("GET", "/image/width=32,format=auto/fire.gif", &[("Accept", BROWSERS[0].1)], &[]);
    assert_eq!(animated.header("Content-Type"), Some("image/webp"));
    let animated = request("GET", "/image/width=32,format=auto/fire.gif", &[("Accept", NEITHER)], &[]);
    animated.image(ImageFormat::Gif);
}

#[test]
fn explicit_avif_is_avif_up_to_its_cap_then_webp() {
    let reply = post("?width=100&format=avif", &fixture("transparent.webp"));
    assert_eq!(reply.header("Vary"), None);
    let (width, _) = avif_size(&reply);
    assert_eq!(width, 100);
    let above = post("?width=1700&fit=contain&format=avif", &fixture("rocket.jpg"));
    assert_eq!(above.image(ImageFormat::WebP).dimensions(), (1700, 1134));
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
    let dir = support::fixtures_dir().join("pngsuite");
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
fn the_index_describes_the_service_and_its_memory() {
    let reply = get("/");
    assert_eq!(reply.status, 200);
    let body = String::from_utf8(reply.body).unwrap();
    assert!(body.starts_with("{\"service\":{\"endpoints\""), "{body}");
    assert!(body.contains("\"wasm_memory_bytes\":"), "{body}");
    // Generated from the option table: every option with its aliases and help.
    assert!(body.contains("\"options\":[{\"name\":\"width\",\"aliases\":[\"w\"],\"help\":"), "{body}");
    assert!(body.contains("{\"name\":\"gamma-correct\""), "{body}");
}

#[test]
fn browsers_get_the_playground_and_api_the_description() {
    let page = request("GET", "/", &[("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")], b"");
    assert_eq!(page.status, 200);
    assert!(page.header("Content-Type").unwrap().starts_with("text/html"));
    assert!(String::from_utf8(page.body).unwrap().contains("<title>image-worker playground</title>"));
    let api = get("/api");
    assert_eq!(api.status, 200);
    assert!(String::from_utf8(api.body).unwrap().starts_with("{\"service\":{\"endpoints\""));
    let script = get("/assets/playground/app.js");
    assert_eq!(script.status, 200);
    assert!(script.header("Content-Type").unwrap().starts_with("text/javascript"));
    assert_eq!(get("/assets/rocket.jpg").body, fixture("rocket.jpg"));
    get("/assets/no-such-file.png").error(404, 9404, "no-such-file.png");
}

#[test]
fn kernels_are_picked_per_request_only_where_the_operator_allows_it() {
    // This Worker runs with ALLOW_BACKEND_HEADER unset: the header changes nothing.
    let reply = request("POST", "/transform?width=64", &[("X-Kernel-Backend", "scalar")], &fixture("rocket.jpg"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("X-Kernel-Backend"), Some("simd128"));
    assert!(reply.header("Server-Timing").unwrap().starts_with("transform;dur="));
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
fn wrong_methods_are_405s_that_list_the_allowed_ones() {
    let reply = get("/transform");
    reply.error(405, 9405, "POST");
    assert_eq!(reply.header("Allow"), Some("POST, OPTIONS"));
    let reply = request("POST", "/image/width=10/rocket.jpg", &[], b"x");
    reply.error(405, 9405, "GET");
    assert_eq!(reply.header("Allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(request("DELETE", "/", &[], b"").header("Allow"), Some("GET, HEAD, OPTIONS"));
}

#[test]
fn refusals_name_formats_and_faults_in_words() {
    post("?width=10", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").error(415, 9412, "HEIC");
    // A PNG whose header checksum is wrong: said in words, not as a decoder's debug dump.
    let mut png = fixture("pngsuite/basn0g08.png");
    png[29] ^= 0xff;
    let reply = post("?width=10", &png);
    reply.error(422, 9422, "checksum");
    assert!(!String::from_utf8_lossy(&reply.body).contains("ChunkType"));
    get("/image/trim.width=0/rocket.jpg").error(400, 9401, "trim.width");
    get("/image/w=+10/rocket.jpg").error(400, 9401, "width");
}

#[test]
fn a_good_request_succeeds_after_bad_ones() {
    post("?width=10", &fixture("pngsuite/xcrn0g04.png"));
    post("?width=10", b"GIF89a broken");
    get("/image/width=50/rocket.jpg").image(ImageFormat::Jpeg);
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    for bomb in [
        "png-bomb-rgb-20000x20000.png",
        "png-ihdr-2147483647x1.png",
        "gif-screen-65535x65535-1px-frame.gif",
        "webp-lossless-black-16383x16383.webp",
    ] {
        post("?width=10", &fixture(&format!("bombs/{bomb}"))).error(413, 9413, "pixel limit");
    }
    get("/image/width=10/bombs/png-bomb-rgb-20000x20000.png").error(413, 9413, "pixel limit");
}

#[test]
fn hostile_option_strings_are_400s() {
    let long = format!("/image/{}/rocket.jpg", "width=1,".repeat(1000));
    for (path, needle) in [
        ("/image/width=99999999999999999999999/rocket.jpg", "width"),
        ("/image/width=-1/rocket.jpg", "width"),
        ("/image/dpr=NaN/rocket.jpg", "dpr"),
        ("/image/dpr=1e309/rocket.jpg", "dpr"),
        ("/image/width=1,width=2/rocket.jpg", "more than once"),
        ("/image/width=%2/rocket.jpg", "percent-encoding"),
        ("/image/width=%00/rocket.jpg", "width"),
        ("/image/width%3D100/rocket.jpg", "no value"),
        (long.as_str(), "at most"),
    ] {
        get(path).error(400, 9401, needle);
    }
    get("/image/width=50/rocket.jpg").image(ImageFormat::Jpeg);
}

#[test]
fn many_options_at_once_through_both_endpoints() {
    // chelsea.png is 451x300: turned a quarter it is 300x451, covered to 200x150, then a 5 px
    // border on every side.
    let options = "width=200,height=150,fit=cover,gravity=left,rotate=90,flip=h,trim=0;0;0;1,border.width=5,border.color=blue,format=png";
    let image = get(&format!("/image/{options}/chelsea.png")).image(ImageFormat::Png);
    assert_eq!(image.dimensions(), (210, 160));
    assert_eq!(image.to_rgb8().get_pixel(0, 0).0, [0, 0, 255]);
    let query = options.replace(',', "&");
    let posted = post(&format!("?{query}"), &fixture("chelsea.png")).image(ImageFormat::Png);
    assert!(posted == image, "POST and GET agree");
}

#[test]
fn content_aware_and_linear_light_options_through_both_endpoints() {
    // gravity=auto: a square crop of the 640x427 photograph, the same through GET and POST.
    let options = "width=120,height=120,fit=cover,gravity=auto,format=png";
    let image = get(&format!("/image/{options}/rocket.jpg")).image(ImageFormat::Png);
    assert_eq!(image.dimensions(), (120, 120));
    let posted = post(&format!("?{}", options.replace(',', "&")), &fixture("rocket.jpg")).image(ImageFormat::Png);
    assert!(posted == image, "POST and GET agree");

    // trim=border: the photograph inside a white frame comes back without it.
    let photo = image::load_from_memory(&fixture("rocket.jpg")).unwrap().to_rgb8();
    let mut framed = image::RgbImage::from_pixel(photo.width() + 40, photo.height() + 30, image::Rgb([255, 255, 255]));
    image::imageops::replace(&mut framed, &photo, 25, 10);
    let mut png = Vec::new();
    framed.write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png).unwrap();
    let trimmed = post("?trim=border&format=png", &png).image(ImageFormat::Png);
    assert_eq!(trimmed.dimensions(), photo.dimensions());

    // trim=border on a fixture with uniform bands (320x200, 318x132 inside them), the same
    // through both endpoints.
    let described = |reply: client::Reply| String::from_utf8(reply.body).unwrap();
    let expected = r#"{"width":318,"height":132,"#;
    let got = described(get("/image/trim=border,format=json/porsche.gif"));
    assert!(got.starts_with(expected), "{got}");
    let posted = described(post("?trim.border.tolerance=10&format=json", &fixture("porsche.gif")));
    assert!(posted.starts_with(expected), "{posted}");

    // gamma-correct resizing through both endpoints.
    let linear = get("/image/width=50,gamma-correct=true,format=png/chelsea.png").image(ImageFormat::Png);
    assert_eq!(linear.width(), 50);
    let posted = post("?width=50&gamma-correct=true&format=png", &fixture("chelsea.png")).image(ImageFormat::Png);
    assert!(posted == linear, "POST and GET agree");
}

#[test]
fn exif_orientation_is_applied() {
    // Stored turned (orientation 6), so its stored width is the upright height.
    let upright = get("/image/width=64,format=png/orientation/hopper_orientation_6.jpg").image(ImageFormat::Png);
    let stored = image::load_from_memory(&fixture("orientation/hopper_orientation_6.jpg")).unwrap();
    let expected_height = (stored.width() as f64 * 64.0 / stored.height() as f64).round() as u32;
    assert_eq!(upright.dimensions(), (64, expected_height));
}

#[test]
fn unencoded_css_colours_work_in_paths() {
    let image =
        get("/image/width=40,height=40,fit=pad,background=rgb(255,0,0),format=png/rocket.jpg").image(ImageFormat::Png);
    assert_eq!(image.to_rgb8().get_pixel(0, 0).0, [255, 0, 0]);
}

#[test]
fn colour_and_filter_options_apply() {
    let options = "width=100,blur=10,sharpen=1,brightness=1.2,contrast=1.1,gamma=1.5,saturation=0,format=png";
    let image = get(&format!("/image/{options}/rocket.jpg")).image(ImageFormat::Png).to_rgb8();
    assert_eq!(image.dimensions(), (100, 67));
    assert!(image.pixels().all(|p| p[0] == p[1] && p[1] == p[2]), "saturation=0 is grey");
    let posted = post(&format!("?{}", options.replace(',', "&")), &fixture("rocket.jpg")).image(ImageFormat::Png);
    assert!(posted.to_rgb8() == image, "POST and GET agree");
}

#[test]
fn json_format_describes_input_and_output() {
    let reply = get("/image/width=100,format=json/rocket.jpg");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let image_bytes = get("/image/width=100/rocket.jpg").body.len();
    let expected = format!(
        r#"{{"width":100,"height":67,"format":"image/jpeg","file_size":{image_bytes},"original":{{"width":640,"height":427,"format":"image/jpeg","file_size":{}}}}}"#,
        fixture("rocket.jpg").len()
    );
    assert_eq!(String::from_utf8(reply.body).unwrap(), expected);
    let posted = post("?width=100&format=json", &fixture("rocket.jpg"));
    assert_eq!(String::from_utf8(posted.body).unwrap(), expected);
}

#[test]
fn animated_gifs_stay_animated() {
    // fire.gif is 30x60; scale-down never enlarges, so ask for less.
    let reply = get("/image/width=20/fire.gif");
    assert_eq!(reply.header("Content-Type"), Some("image/gif"));
    use image::AnimationDecoder;
    let frames = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&reply.body))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert!(frames.len() > 1);
    assert_eq!(frames[0].buffer().width(), 20);
    assert_eq!(get("/image/width=20,anim=false/fire.gif").header("Content-Type"), Some("image/png"));
}

#[test]
fn browsers_on_cors_origins_may_read_answers() {
    // The Worker under test has CORS_ORIGINS=https://app.example (scripts/test.sh).
    let from = |origin: &str| request("GET", "/image/width=10/rocket.jpg", &[("Origin", origin)], &[]);
    let allowed = from("https://app.example");
    assert_eq!(allowed.header("Access-Control-Allow-Origin"), Some("https://app.example"));
    assert!(allowed.header("Access-Control-Expose-Headers").unwrap().contains("ETag"));
    assert!(allowed.header("Vary").unwrap().contains("Origin"));
    assert_eq!(from("https://other.example").header("Access-Control-Allow-Origin"), None);
    assert_eq!(get("/image/width=10/rocket.jpg").header("Access-Control-Allow-Origin"), None);
    // Errors are readable too, so pages can show the reason.
    let error = request("GET", "/image/width=0/rocket.jpg", &[("Origin", "https://app.example")], &[]);
    error.error(400, 9401, "width");
    assert_eq!(error.header("Access-Control-Allow-Origin"), Some("https://app.example"));

    let preflight = request(
        "OPTIONS",
        "/transform",
        &[("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")],
        &[],
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("Access-Control-Allow-Origin"), Some("https://app.example"));
    assert_eq!(preflight.header("Access-Control-Allow-Methods"), Some("POST, OPTIONS"));
    let other = request("OPTIONS", "/transform", &[("Origin", "https://other.example")], &[]);
    assert_eq!((other.status, other.header("Access-Control-Allow-Origin")), (204, None));
}
