//! Sources against the Worker in workerd: relative paths under `ORIGIN`, absolute URLs under
//! `ALLOWED_ORIGINS`, Cloudflare's `/cdn-cgi/image/` path, and every way an origin can fail, with
//! a real loopback origin (`tests/worker/origin.mjs`, at `ORIGIN_URL`) that counts its hits.
//! `scripts/test.sh` starts the origin, the Worker under test (`WORKER_URL`: `ORIGIN` is the
//! origin's `/fixtures/`, `ALLOWED_ORIGINS` the whole origin, `ORIGIN_TIMEOUT_MS` 5000, which a
//! loaded host's 32 MiB oversize reads once exceeded at 2000), a
//! Worker configured as `npm run dev` is (`DEMO_WORKER_URL`: the bundled demo images), and one
//! with an R2 bucket bound as `IMAGES` in wrangler's local simulation (`R2_WORKER_URL`).

mod client;
#[path = "../support/mod.rs"]
mod support;

use client::{get, request, Reply};
use image::ImageFormat;

fn origin() -> String {
    std::env::var("ORIGIN_URL").expect("ORIGIN_URL (the test origin); run `npm test`")
}

/// How often the origin was asked for `path`.
fn hits(path: &str) -> u64 {
    let url = origin();
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    use std::io::{Read, Write};
    write!(stream, "GET /__hits?path={path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply.rsplit("\r\n\r\n").next().unwrap().trim().parse().unwrap()
}

#[test]
fn relative_paths_come_from_origin() {
    let before = hits("/fixtures/retina.jpg");
    let image = get("/image/width=100/retina.jpg").image(ImageFormat::Jpeg);
    assert_eq!(image.width(), 100);
    assert_eq!(hits("/fixtures/retina.jpg"), before + 1);
    get("/image/width=100/no-such.jpg").error(404, 9404, "does not exist");
}

#[test]
fn cloudflares_path_gives_the_same_bytes() {
    let ours = get("/image/width=120,fit=cover,height=80,format=webp/chelsea.png");
    let theirs = get("/cdn-cgi/image/width=120,fit=cover,height=80,format=webp/chelsea.png");
    ours.image(ImageFormat::WebP);
    assert_eq!(ours.body, theirs.body);
    assert_eq!(theirs.header("Content-Type"), Some("image/webp"));
}

#[test]
fn allowed_absolute_urls_are_fetched_with_their_query() {
    let origin = origin();
    let image = get(&format!("/image/width=64/{origin}/fixtures/coffee.png")).image(ImageFormat::Png);
    assert_eq!(image.width(), 64);
    let with_query = get(&format!("/cdn-cgi/image/width=64/{origin}/fixtures/coffee.png?v=2&x=y"));
    assert_eq!(with_query.image(ImageFormat::Png).width(), 64);
}

#[test]
fn disallowed_and_disguised_sources_are_refused_without_a_fetch() {
    let origin = origin();
    let port = origin.rsplit(':').next().unwrap();
    let before = hits("/fixtures/flower.webp");
    for source in [
        format!("http://localhost:{port}/fixtures/flower.webp"),
        format!("http://127.0.0.1:{port}@evil.example/fixtures/flower.webp"),
        format!("http://user@127.0.0.1:{port}/fixtures/flower.webp"),
        format!("http://127.0.0.2:{port}/fixtures/flower.webp"),
        format!("http://[::1]:{port}/fixtures/flower.webp"),
        format!("https://127.0.0.1:{port}/fixtures/flower.webp"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "ftp://127.0.0.1/fixtures/flower.webp".to_owned(),
        "file:///etc/passwd".to_owned(),
    ] {
        let reply = get(&format!("/image/width=10/{source}"));
        assert!(matches!(reply.status, 400 | 403), "{source}: {}", String::from_utf8_lossy(&reply.body));
    }
    assert_eq!(hits("/fixtures/flower.webp"), before, "a refused source was fetched");
    // Encoded dot segments in the request path are resolved by the runtime before the Worker sees
    // the URL (so they cannot climb out of an allowed prefix); encoded slashes reach us and are
    // refused (unit tests in src/source.rs cover the URL forms the runtime leaves alone).
    get("/image/width=10/%2e%2e%2fsecret.jpg").error(403, 9430, "encoded");
}

#[test]
fn origin_failures_map_to_clear_statuses() {
    let origin = origin();
    let at = |path: &str| get(&format!("/image/width=10/{origin}{path}"));
    at("/status/404").error(404, 9404, "does not exist");
    at("/status/403").error(502, 9502, "403");
    at("/status/500").error(502, 9502, "500");
    at("/slow").error(504, 9504, "ORIGIN_TIMEOUT_MS");
    at("/big/announced").error(413, 9413, "at most");
    at("/big/chunked").error(413, 9413, "at most");
    // Only the declared 1000 bytes are read (zeros: not an image), whatever follows them.
    at("/big/understated").error(415, 9412, "not an image");
    at("/fixtures/LICENSES/giflib.COPYING").error(415, 9412, "not an image");
    at("/redirect/disallowed").error(403, 9430, "evil.example");
    at("/redirect/to-private").error(403, 9430, "private");
    assert_eq!(at("/redirect/chain/5").image(ImageFormat::Jpeg).width(), 10);
    at("/redirect/chain/6").error(502, 9502, "more than 5 redirects");
}

#[test]
fn requests_from_ourselves_are_loops() {
    let reply = request("GET", "/image/width=10/rocket.jpg", &[("Via", "1.1 image-resizing")], &[]);
    reply.error(508, 9403, "Via");
}

/// A GET to the Worker at the address in the variable `worker`.
fn get_from(worker: &str, path: &str) -> Reply {
    let address = std::env::var(worker).unwrap_or_else(|_| panic!("{worker}; run `npm test`"));
    client::request_to(&address, "GET", path, &[], &[])
}

fn demo(path: &str) -> Reply {
    get_from("DEMO_WORKER_URL", path)
}

/// The Worker with the R2 bucket signs with this key (`SIGNING_KEY` in scripts/test.sh).
const SIGNING_KEY: &[u8] = b"test-signing-key";

/// `prefix` + `options` + `rest`, signed: `sig=` appended to the options.
fn signed(prefix: &str, options: &str, rest: &str) -> String {
    let signature = image_worker::signature::sign(SIGNING_KEY, &format!("{prefix}{options}{rest}")).unwrap();
    format!("{prefix}{options},sig={signature}{rest}")
}

fn r2(path: &str) -> Reply {
    get_from("R2_WORKER_URL", path)
}

#[test]
fn with_an_images_bucket_paths_are_its_keys() {
    assert_eq!(r2(&signed("/image/", "width=100", "/photos/cat.jpg")).image(ImageFormat::Jpeg).width(), 100);
    let nested = signed("/cdn-cgi/image/", "width=30,format=webp", "/nested/dir/chelsea.png");
    assert_eq!(r2(&nested).image(ImageFormat::WebP).width(), 30);
    r2(&signed("/image/", "width=10", "/photos/dog.jpg")).error(404, 9404, "photos/dog.jpg");
    // The bucket, not the bundled demo images, answers for paths.
    r2(&signed("/image/", "width=10", "/rocket.jpg")).error(404, 9404, "rocket.jpg");
}

#[test]
fn with_a_signing_key_only_signed_urls_are_answered() {
    let good = signed("/image/", "width=40,fit=cover", "/photos/cat.jpg");
    assert_eq!(r2(&good).image(ImageFormat::Jpeg).width(), 40);
    let signature = good.split("sig=").nth(1).unwrap().split('/').next().unwrap();
    for (path, why) in [
        (good.replace("width=40", "width=41"), "does not match"),
        (good.replace("cat.jpg", "dog.jpg"), "does not match"),
        ("/image/width=40,fit=cover/photos/cat.jpg".to_owned(), "no sig="),
        (good.replace(signature, &signature[1..]), "base64"),
        (good.replace(signature, "AAAA"), "does not match"),
    ] {
        r2(&path).error(403, 9430, why);
    }
    // `npm run sign` (scripts/sign.mjs, node's own HMAC) signs as the Worker checks.
    let printed = std::process::Command::new("node")
        .args(["scripts/sign.mjs", "/image/width=40,fit=cover/photos/cat.jpg"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SIGNING_KEY", std::str::from_utf8(SIGNING_KEY).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(printed.stdout).unwrap().trim(), good);
    let other_key = image_worker::signature::sign(b"another key", "/image/width=40/photos/cat.jpg").unwrap();
    r2(&format!("/image/width=40,sig={other_key}/photos/cat.jpg")).error(403, 9430, "does not match");

    let address = std::env::var("R2_WORKER_URL").unwrap();
    let post = |query: &str| {
        client::request_to(&address, "POST", &format!("/transform?{query}"), &[], &support::fixture("rocket.jpg"))
    };
    let signature = image_worker::signature::sign(SIGNING_KEY, "/transform?width=20&format=png").unwrap();
    assert_eq!(post(&format!("width=20&format=png&sig={signature}")).image(ImageFormat::Png).width(), 20);
    post("width=20&format=png").error(403, 9430, "no sig=");
    post(&format!("width=21&format=png&sig={signature}")).error(403, 9430, "does not match");
    let other_post_key = image_worker::signature::sign(b"another key", "/transform?width=20&format=png").unwrap();
    post(&format!("width=20&format=png&sig={other_post_key}")).error(403, 9430, "does not match");
}

#[test]
fn without_origin_the_demo_images_are_served_and_test_material_is_not() {
    assert_eq!(demo("/image/width=100/rocket.jpg").image(ImageFormat::Jpeg).width(), 100);
    demo("/image/width=10/pngsuite/basn0g01.png").error(404, 9404, "does not exist");
    demo("/image/width=10/bombs/png-ihdr-2147483647x1.png").error(404, 9404, "does not exist");
    demo("/image/width=10/LICENSES/giflib.COPYING").error(404, 9404, "does not exist");
    // Absolute sources are off until ALLOWED_ORIGINS lists some.
    demo(&format!("/image/width=10/{}/fixtures/rocket.jpg", origin())).error(403, 9430, "ALLOWED_ORIGINS");
}

/// A query no earlier request used, so a test's first request is a cache miss.
fn fresh() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("n={nanos}")
}

#[test]
fn repeats_come_from_the_edge_cache_without_an_origin_fetch() {
    let path = format!("/image/width=90,fit=cover,height=90/retina.jpg?{}", fresh());
    let before = hits("/fixtures/retina.jpg");
    let started = std::time::Instant::now();
    let first = get(&path);
    let miss_time = started.elapsed();
    first.image(ImageFormat::Jpeg);
    assert!(first.header("Cf-Resized").unwrap().starts_with("internal=ok/miss"), "{:?}", first.headers);
    let started = std::time::Instant::now();
    let second = get(&path);
    let hit_time = started.elapsed();
    assert!(second.header("Cf-Resized").unwrap().starts_with("internal=ok/hit"), "{:?}", second.headers);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("ETag"), first.header("ETag"));
    assert_eq!(hits("/fixtures/retina.jpg"), before + 1, "the repeat fetched the origin");
    // The same options spelled otherwise are the same entry.
    let respelled = get(&path.replace("width=90,fit=cover,height=90", "h=90,w=90,fit=cover,dpr=1"));
    assert!(respelled.header("Cf-Resized").unwrap().contains("/hit"));
    println!("cache: a miss (fetch and transform) took {miss_time:?}, the hit {hit_time:?}");
}

#[test]
fn negotiated_formats_are_cached_apart() {
    let path = format!("/image/width=60,format=auto/chelsea.png?{}", fresh());
    let webp = request("GET", &path, &[("Accept", "image/webp,*/*")], &[]);
    webp.image(ImageFormat::WebP);
    let png = request("GET", &path, &[("Accept", "image/png,*/*")], &[]);
    png.image(ImageFormat::Png);
    assert!(png.header("Cf-Resized").unwrap().contains("/miss"));
    assert_eq!(png.header("Vary"), Some("Accept"));
    let webp_again = request("GET", &path, &[("Accept", "image/webp,*/*")], &[]);
    assert!(webp_again.header("Cf-Resized").unwrap().contains("/hit"));
    assert_eq!(webp_again.header("Content-Type"), Some("image/webp"));
}

#[test]
fn if_none_match_answers_304_without_a_body() {
    let path = format!("/image/width=70/coffee.png?{}", fresh());
    let full = get(&path);
    full.image(ImageFormat::Png);
    let etag = full.header("ETag").unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");
    for reply in [
        request("GET", &path, &[("If-None-Match", &etag)], &[]),
        request("GET", &path, &[("If-None-Match", &format!("\"other\", {etag}"))], &[]),
    ] {
        assert_eq!(reply.status, 304);
        assert!(reply.body.is_empty());
        assert_eq!(reply.header("ETag"), Some(etag.as_str()));
    }
    assert_eq!(request("GET", &path, &[("If-None-Match", "\"other\"")], &[]).status, 200);
}

#[test]
fn errors_are_not_cached() {
    let path = format!("/image/width=10/{}/status/500?{}", origin(), fresh());
    let before = hits("/status/500");
    let first = get(&path);
    first.error(502, 9502, "500");
    assert_eq!(first.header("Cf-Resized"), Some("err=9502"));
    get(&path).error(502, 9502, "500");
    assert_eq!(hits("/status/500"), before + 2);
}

#[test]
fn onerror_redirect_sends_clients_to_the_source() {
    let origin = origin();
    let failed = get(&format!("/image/width=10,onerror=redirect/{origin}/status/500"));
    assert_eq!(failed.status, 302);
    assert_eq!(failed.header("Location"), Some(format!("{origin}/status/500").as_str()));
    assert_eq!(failed.header("Cf-Resized"), Some("err=9502"));
    let not_an_image = get("/image/width=10,onerror=redirect/LICENSES/giflib.COPYING");
    assert_eq!(not_an_image.status, 302);
    assert_eq!(not_an_image.header("Location"), Some(format!("{origin}/fixtures/LICENSES/giflib.COPYING").as_str()));
    // Without the option, or before the source is known, errors stay errors.
    get(&format!("/image/width=10/{origin}/status/500")).error(502, 9502, "500");
    get("/image/width=0,onerror=redirect/rocket.jpg").error(400, 9401, "width");
    get(&format!("/image/width=10,onerror=redirect/http://evil.example/x.jpg")).error(403, 9430, "ALLOWED_ORIGINS");
    // A source without a URL of its own (here R2) has nowhere to redirect to.
    r2(&signed("/image/", "width=10,onerror=redirect", "/photos/dog.jpg")).error(404, 9404, "dog.jpg");
}
