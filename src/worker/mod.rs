//! The HTTP edge: routing, reading the source (in `sources`), and turning results and errors
//! into responses. Everything between source bytes and response bytes is in [`crate::pipeline`].

mod sources;

use kernels::Backend;
use worker::{event, Cache, Context, Env, Headers, Method, Request, Response};

use crate::cache;
use crate::config::{CorsOrigins, Limits, Sources};
use crate::error::{json_string, ErrorKind, TransformError};
use crate::options::{options_json, TransformOptions};
use crate::pipeline::{self, Transformed};
use crate::signature::{take_signature, verify};
use crate::source::SourceRef;

/// The two spellings of the image route: ours, and Cloudflare's own, so URLs written for
/// Cloudflare Images work unchanged.
const IMAGE_PREFIXES: [&str; 2] = ["/image/", "/cdn-cgi/image/"];
/// `Cache-Control` of transformed `GET` responses unless the `CACHE_CONTROL` variable says otherwise.
const DEFAULT_CACHE_CONTROL: &str = "public, max-age=86400";

#[event(fetch)]
async fn fetch(mut request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let mut response = match handle(&mut request, &env).await {
        Ok(response) => response,
        Err(error) => error_response(&error)?,
    };
    // Browsers on the origins CORS_ORIGINS lists may read every answer, errors included.
    let listed = env.var("CORS_ORIGINS").map(|value| value.to_string()).unwrap_or_default();
    let cors = match CorsOrigins::parse(&listed) {
        Ok(cors) => cors,
        Err(error) => return error_response(&error),
    };
    let allowed = header(&request, "Origin").and_then(|origin| cors.allow(&origin));
    if let Some(allowed) = allowed {
        let headers = response.headers_mut();
        headers.set("Access-Control-Allow-Origin", &allowed)?;
        headers.set("Access-Control-Expose-Headers", "ETag, Cf-Resized, Content-Length")?;
        if allowed != "*" {
            headers.append("Vary", "Origin")?;
        }
    }
    Ok(response)
}

struct Config {
    limits: Limits,
    sources: Sources,
    backend: Backend,
    /// `ALLOW_BACKEND_HEADER=true`: `POST /transform` honours `X-Kernel-Backend` (the
    /// playground's SIMD-against-scalar timings); off unless set.
    backend_header: bool,
    cache_control: String,
    /// `SIGNING_KEY` (a secret): when set, every image request must be signed.
    signing_key: Option<Vec<u8>>,
}

impl Config {
    fn from_env(env: &Env) -> Result<Self, TransformError> {
        let var = |name: &str| env.var(name).ok().map(|value| value.to_string());
        let backend = match var("KERNEL_BACKEND") {
            None => Backend::best(),
            Some(name) => Backend::from_name(&name).ok_or_else(|| {
                TransformError::new(
                    ErrorKind::Misconfigured,
                    format!("Worker variable KERNEL_BACKEND={name:?} names no backend in this build"),
                )
            })?,
        };
        Ok(Config {
            limits: Limits::from_vars(var)?,
            sources: Sources::from_vars(var)?,
            backend,
            backend_header: var("ALLOW_BACKEND_HEADER").is_some_and(|value| value == "true"),
            cache_control: var("CACHE_CONTROL").unwrap_or_else(|| DEFAULT_CACHE_CONTROL.to_owned()),
            signing_key: env
                .secret("SIGNING_KEY")
                .map(|secret| secret.to_string())
                .ok()
                .or_else(|| var("SIGNING_KEY"))
                .filter(|key| !key.is_empty())
                .map(String::into_bytes),
        })
    }
}

/// The routes, each with the methods it answers.
enum Route {
    Image,
    Transform,
    /// `/`: the playground page for browsers, else the JSON description.
    Index,
    /// `/api`: the JSON description.
    Api,
    /// `/assets/<path>`: a bundled file (the playground's files and the demo images), as stored.
    Asset,
}

impl Route {
    fn of(path: &str) -> Result<Self, TransformError> {
        match path {
            _ if IMAGE_PREFIXES.iter().any(|prefix| path.starts_with(prefix)) => Ok(Route::Image),
            "/transform" => Ok(Route::Transform),
            "/" => Ok(Route::Index),
            "/api" => Ok(Route::Api),
            _ if path.starts_with(ASSETS_PREFIX) => Ok(Route::Asset),
            _ => Err(TransformError::new(ErrorKind::NotFound, format!("no route for {path}; see GET /"))),
        }
    }

    fn methods(&self) -> &'static [Method] {
        match self {
            Route::Image | Route::Index | Route::Api | Route::Asset => &[Method::Get, Method::Head, Method::Options],
            Route::Transform => &[Method::Post, Method::Options],
        }
    }
}

async fn handle(request: &mut Request, env: &Env) -> Result<Response, TransformError> {
    let path = request.path();
    let method = request.method();
    let route = Route::of(&path)?;
    if !route.methods().contains(&method) {
        return method_not_allowed(&method, route.methods());
    }
    if method == Method::Options {
        return preflight(route.methods());
    }
    if header(request, "Via").is_some_and(|via| via.contains(sources::LOOP_MARKER)) {
        return Err(TransformError::new(
            ErrorKind::Loop,
            "the request came from this service itself (Via: image-resizing); a source points back here",
        ));
    }
    match route {
        Route::Image => serve_image(request, env, &path).await,
        Route::Transform => {
            let config = Config::from_env(env)?;
            let url = request.url().map_err(|_| TransformError::bad_option("the request URL is malformed"))?;
            let (query, signature) = take_signature(url.query().unwrap_or(""), '&');
            if let Some(key) = &config.signing_key {
                verify(key, &format!("/transform?{query}"), signature)?;
            }
            let options = TransformOptions::from_query(query, &config.limits)?;
            let body = read_body(request, &config.limits).await?;
            let accept = header(request, "Accept");
            let backend = match header(request, "X-Kernel-Backend").filter(|_| config.backend_header) {
                Some(name) => Backend::from_name(&name).ok_or_else(|| {
                    TransformError::bad_option(format!("X-Kernel-Backend: {name:?} names no backend in this build"))
                })?,
                None => config.backend,
            };
            // Timers run in workerd; deployed Workers freeze them during computation (reads 0).
            let started = worker::Date::now().as_millis();
            let transformed = pipeline::transform(&body, &options, accept.as_deref(), &config.limits, backend)?;
            let timing = format!("transform;dur={}", worker::Date::now().as_millis().saturating_sub(started));
            image_response(transformed, "no-store", &[("Server-Timing", &timing), ("X-Kernel-Backend", backend.name())])
        }
        Route::Index if header(request, "Accept").is_some_and(|accept| accept.contains("text/html")) => {
            sources::asset(env, PLAYGROUND_PAGE).await
        }
        Route::Index | Route::Api => json_response(200, index(), "no-store", &[]),
        Route::Asset => sources::asset(env, path.strip_prefix(ASSETS_PREFIX).unwrap_or_default()).await,
    }
}

/// Where the bundled files are served, and the playground page among them.
const ASSETS_PREFIX: &str = "/assets/";
const PLAYGROUND_PAGE: &str = "playground/";

/// The service description, generated from the option table, with this instance's wasm memory
/// for health checks (it only grows, so a steady value under load means requests free what they
/// allocate).
fn index() -> String {
    let wasm_memory_bytes = pipeline::linear_memory_bytes().unwrap_or(0);
    format!(
        "{{\"service\":{{\"endpoints\":{ENDPOINTS},\"options\":{}}},\"wasm_memory_bytes\":{wasm_memory_bytes}}}",
        options_json()
    )
}

const ENDPOINTS: &str = r#"{"GET /image/<options>/<source>":"transform the image at <source>: a path (under ORIGIN, in the IMAGES bucket, or bundled) or an http(s) URL that ALLOWED_ORIGINS lists, e.g. /image/width=320,format=auto/rocket.jpg","GET /cdn-cgi/image/<options>/<source>":"the same, at Cloudflare Images' own path","POST /transform?<options>":"transform the image sent as the request body, e.g. /transform?width=320&format=webp","GET /":"the playground page for browsers (Accept: text/html), else this description","GET /api":"this description","GET /assets/<path>":"a bundled file: the playground's and the demo images"}"#;

/// `GET /image/<options>/<source>`: from the edge cache when this transformation of this source
/// for this kind of client is there, else fetched, transformed and cached. Answers 304 to an
/// `If-None-Match` that names the ETag.
async fn serve_image(request: &Request, env: &Env, path: &str) -> Result<Response, TransformError> {
    let config = Config::from_env(env)?;
    let url = request.url().map_err(|_| TransformError::bad_option("the request URL is malformed"))?;
    let (prefix, rest) =
        IMAGE_PREFIXES.iter().find_map(|prefix| Some((*prefix, path.strip_prefix(prefix)?))).unwrap_or_default();
    let (segment, raw_source) = rest
        .split_once('/')
        .ok_or_else(|| TransformError::bad_option("no source; use /image/<options>/<path or URL>"))?;
    let (segment, signature) = take_signature(segment, ',');
    if let Some(key) = &config.signing_key {
        let query = url.query().map(|query| format!("?{query}")).unwrap_or_default();
        verify(key, &format!("{prefix}{segment}/{raw_source}{query}"), signature)?;
    }
    let options = TransformOptions::from_path_segment(segment, &config.limits)?;
    // An absolute source keeps its own query, written unencoded after it.
    let source = match url.query() {
        Some(query) if raw_source.contains("://") => {
            SourceRef::parse(&format!("{raw_source}?{query}"), &config.sources.allowed)?
        }
        _ => SourceRef::parse(raw_source, &config.sources.allowed)?,
    };
    let accept = header(request, "Accept");
    let canonical = options.canonical();
    // Fetched sources by their URL (so a new ORIGIN is a new entry), bucket and demo paths by path.
    let source_name = match sources::location(&source, url.query(), &config.sources) {
        Some(location) => location.to_string(),
        None => match &source {
            SourceRef::Path(path) => format!("path:{path}"),
            SourceRef::Url(source_url) => source_url.to_string(),
        },
    };
    let key = format!(
        "{}{}",
        url.origin().ascii_serialization(),
        cache::key_path(&canonical, &source_name, pipeline::accept_class(options.format, accept.as_deref()))
    );
    let if_none_match = header(request, "If-None-Match");
    let edge_cache = Cache::default();
    // A cache that cannot be read is a miss, not a failure.
    if let Ok(Some(mut cached)) = edge_cache.get(key.as_str(), false).await {
        let etag = cached.headers().get("ETag").ok().flatten().unwrap_or_default();
        if if_none_match.is_some_and(|tags| cache::none_match(&tags, &etag)) {
            return not_modified(cached.headers());
        }
        // A fresh set of headers: the cached response's own may be immutable.
        let headers = Headers::new();
        for (name, value) in cached.headers().entries() {
            let value =
                if name.eq_ignore_ascii_case("Cf-Resized") { value.replacen("/miss", "/hit", 1) } else { value };
            headers.set(&name, &value).map_err(response_error)?;
        }
        let body = cached.bytes().await.map_err(response_error)?;
        return Ok(Response::from_bytes(body).map_err(response_error)?.with_headers(headers));
    }
    let outcome = async {
        let fetched = sources::read(env, &source, url.query(), &config.sources, &config.limits).await?;
        let transformed =
            pipeline::transform(&fetched.bytes, &options, accept.as_deref(), &config.limits, config.backend)?;
        Ok::<_, TransformError>((fetched, transformed))
    }
    .await;
    let (fetched, transformed) = match outcome {
        Ok(done) => done,
        Err(error) => {
            let target = options.redirect_on_error.then(|| sources::location(&source, url.query(), &config.sources));
            return match target.flatten() {
                Some(target) => redirect_on_error(target, &error),
                None => Err(error),
            };
        }
    };
    let etag = cache::etag(fetched.validator.as_deref(), &fetched.bytes, &canonical, transformed.format);
    let note = format!("internal=ok/miss q={} f={}", options.quality, transformed.format.name().to_ascii_lowercase());
    let mut response = image_response(transformed, &config.cache_control, &[("ETag", &etag), ("Cf-Resized", &note)])?;
    // Errors never get here, so only transformed images are cached; a failed put only costs a miss.
    if let Ok(copy) = response.cloned() {
        let _ = edge_cache.put(key.as_str(), copy).await;
    }
    if if_none_match.is_some_and(|tags| cache::none_match(&tags, &etag)) {
        return not_modified(response.headers());
    }
    Ok(response)
}

/// `onerror=redirect`: a 302 to the source itself, saying in `Cf-Resized` what went wrong.
fn redirect_on_error(target: url::Url, error: &TransformError) -> Result<Response, TransformError> {
    let note = format!("err={}", error.kind.code());
    respond(302, Vec::new(), &[("Location", target.as_str()), ("Cf-Resized", &note), ("Cache-Control", "no-store")])
}

/// A 304 with the validators and caching headers of the full response.
fn not_modified(full: &Headers) -> Result<Response, TransformError> {
    let kept: Vec<(&str, String)> = ["ETag", "Cache-Control", "Vary", "Cf-Resized"]
        .into_iter()
        .filter_map(|name| Some((name, full.get(name).ok().flatten()?)))
        .collect();
    let headers: Vec<(&str, &str)> = kept.iter().map(|(name, value)| (*name, value.as_str())).collect();
    respond(304, Vec::new(), &headers)
}

/// The answer to an `OPTIONS` (a CORS preflight): the methods, and the request headers a browser
/// may send; `fetch` adds the allowed origin, when it is one.
fn preflight(methods: &[Method]) -> Result<Response, TransformError> {
    let names = methods.iter().map(|m| m.as_ref()).collect::<Vec<&str>>().join(", ");
    respond(
        204,
        Vec::new(),
        &[
            ("Allow", &names),
            ("Access-Control-Allow-Methods", &names),
            ("Access-Control-Allow-Headers", "Content-Type, If-None-Match, Accept"),
            ("Access-Control-Max-Age", "86400"),
        ],
    )
}

/// A 405 that lists, in `Allow`, the methods the route answers.
fn method_not_allowed(method: &Method, allowed: &[Method]) -> Result<Response, TransformError> {
    let names: Vec<&str> = allowed.iter().map(|m| m.as_ref()).collect();
    let error = TransformError::new(
        ErrorKind::MethodNotAllowed,
        format!("{} is not allowed here; use {}", method.as_ref(), names.join(" or ")),
    );
    json_response(error.status(), error.to_json(), "no-store", &[("Allow", &names.join(", "))])
}

fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().get(name).ok().flatten()
}

/// Refuses a length over the byte limit: the declared `Content-Length` before reading (so large
/// bodies are not read at all), and the real length after.
pub(super) fn check_length(length: Option<u64>, limits: &Limits) -> Result<(), TransformError> {
    match length {
        Some(length) if length > limits.max_input_bytes as u64 => Err(TransformError::new(
            ErrorKind::TooLarge,
            format!("the image is {length} bytes; at most {} are accepted", limits.max_input_bytes),
        )),
        _ => Ok(()),
    }
}

pub(super) fn content_length(headers: &Headers) -> Option<u64> {
    headers.get("Content-Length").ok().flatten().and_then(|value| value.trim().parse().ok())
}

async fn read_body(request: &mut Request, limits: &Limits) -> Result<Vec<u8>, TransformError> {
    check_length(content_length(request.headers()), limits)?;
    let body = request
        .bytes()
        .await
        .map_err(|error| TransformError::bad_option(format!("the request body cannot be read: {error}")))?;
    check_length(Some(body.len() as u64), limits)?;
    if body.is_empty() {
        return Err(TransformError::new(
            ErrorKind::UnsupportedFormat,
            "the request body is empty; send the image as the body",
        ));
    }
    Ok(body)
}

/// The transformed image with its caching headers, plus `extra` (name, value) ones.
fn image_response(
    transformed: Transformed,
    cache_control: &str,
    extra: &[(&str, &str)],
) -> Result<Response, TransformError> {
    let length = transformed.bytes.len().to_string();
    let mut headers = vec![
        ("Content-Type", transformed.content_type),
        ("Content-Length", length.as_str()),
        ("Cache-Control", cache_control),
    ];
    if transformed.negotiated {
        headers.push(("Vary", "Accept"));
    }
    headers.extend_from_slice(extra);
    respond(200, transformed.bytes, &headers)
}

/// A JSON response with `headers` (name, value) besides the content type and cache policy.
fn json_response(
    status: u16,
    body: String,
    cache_control: &str,
    headers: &[(&str, &str)],
) -> Result<Response, TransformError> {
    let mut all = vec![("Content-Type", "application/json"), ("Cache-Control", cache_control)];
    all.extend_from_slice(headers);
    respond(status, body.into_bytes(), &all)
}

/// Every response we build: `status`, `body` (none when empty, as 204, 302 and 304 need) and
/// `headers` (name, value).
fn respond(status: u16, body: Vec<u8>, headers: &[(&str, &str)]) -> Result<Response, TransformError> {
    let all = Headers::new();
    for (name, value) in headers {
        all.set(name, value).map_err(response_error)?;
    }
    let response = if body.is_empty() { Response::empty() } else { Response::from_bytes(body) };
    Ok(response.map_err(response_error)?.with_status(status).with_headers(all))
}

fn error_response(error: &TransformError) -> worker::Result<Response> {
    let note = format!("err={}", error.kind.code());
    json_response(error.status(), error.to_json(), "no-store", &[("Cf-Resized", &note)]).or_else(|_| {
        // Building headers failed: answer with the bare message rather than nothing.
        Response::error(format!("{{\"error\":{}}}", json_string(&error.message)), error.status())
    })
}

fn response_error(error: worker::Error) -> TransformError {
    TransformError::new(ErrorKind::Internal, format!("cannot build the response: {error}"))
}
