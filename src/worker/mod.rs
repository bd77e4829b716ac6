//! The HTTP edge: routing, reading the source (in `sources`), and turning results and errors
//! into responses. Everything between source bytes and response bytes is in [`crate::pipeline`].

mod sources;

use kernels::Backend;
use worker::{event, Context, Env, Headers, Method, Request, Response};

use crate::config::{Limits, Sources};
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
    match handle(&mut request, &env).await {
        Ok(response) => Ok(response),
        Err(error) => error_response(&error),
    }
}

struct Config {
    limits: Limits,
    sources: Sources,
    backend: Backend,
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
    Index,
}

impl Route {
    fn of(path: &str) -> Result<Self, TransformError> {
        match path {
            _ if IMAGE_PREFIXES.iter().any(|prefix| path.starts_with(prefix)) => Ok(Route::Image),
            "/transform" => Ok(Route::Transform),
            "/" => Ok(Route::Index),
            _ => Err(TransformError::new(ErrorKind::NotFound, format!("no route for {path}; see GET /"))),
        }
    }

    fn methods(&self) -> &'static [Method] {
        match self {
            Route::Image | Route::Index => &[Method::Get, Method::Head],
            Route::Transform => &[Method::Post],
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
    if header(request, "Via").is_some_and(|via| via.contains(sources::LOOP_MARKER)) {
        return Err(TransformError::new(
            ErrorKind::Loop,
            "the request came from this service itself (Via: image-resizing); a source points back here",
        ));
    }
    match route {
        Route::Image => {
            let config = Config::from_env(env)?;
            let url = request.url().map_err(|_| TransformError::bad_option("the request URL is malformed"))?;
            let (prefix, rest) = IMAGE_PREFIXES
                .iter()
                .find_map(|prefix| Some((*prefix, path.strip_prefix(prefix)?)))
                .unwrap_or_default();
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
            let bytes = sources::read(env, &source, url.query(), &config.sources, &config.limits).await?;
            transformed_response(request, &bytes, &options, &config, &config.cache_control)
        }
        Route::Transform => {
            let config = Config::from_env(env)?;
            let url = request.url().map_err(|_| TransformError::bad_option("the request URL is malformed"))?;
            let (query, signature) = take_signature(url.query().unwrap_or(""), '&');
            if let Some(key) = &config.signing_key {
                verify(key, &format!("/transform?{query}"), signature)?;
            }
            let options = TransformOptions::from_query(query, &config.limits)?;
            let body = read_body(request, &config.limits).await?;
            transformed_response(request, &body, &options, &config, "no-store")
        }
        Route::Index => json_response(200, index(), "no-store", &[]),
    }
}

/// The service description, generated from the option table, with this instance's wasm memory
/// for health checks (it only grows, so a steady value under load means requests free what they
/// allocate).
fn index() -> String {
    let wasm_memory_bytes = core::arch::wasm32::memory_size::<0>() * 65536;
    format!(
        "{{\"service\":{{\"endpoints\":{ENDPOINTS},\"options\":{}}},\"wasm_memory_bytes\":{wasm_memory_bytes}}}",
        options_json()
    )
}

const ENDPOINTS: &str = r#"{"GET /image/<options>/<source>":"transform the image at <source>: a path (under ORIGIN, in the IMAGES bucket, or bundled) or an http(s) URL that ALLOWED_ORIGINS lists, e.g. /image/width=320,format=auto/rocket.jpg","GET /cdn-cgi/image/<options>/<source>":"the same, at Cloudflare Images' own path","POST /transform?<options>":"transform the image sent as the request body, e.g. /transform?width=320&format=webp"}"#;

/// Transforms `source` for `request` (whose `Accept` may choose the format) and wraps the result.
fn transformed_response(
    request: &Request,
    source: &[u8],
    options: &TransformOptions,
    config: &Config,
    cache_control: &str,
) -> Result<Response, TransformError> {
    let accept = header(request, "Accept");
    let transformed = pipeline::transform(source, options, accept.as_deref(), &config.limits, config.backend)?;
    image_response(transformed, cache_control)
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

fn image_response(transformed: Transformed, cache_control: &str) -> Result<Response, TransformError> {
    let headers = Headers::new();
    let set = |name: &str, value: &str| headers.set(name, value).map_err(response_error);
    set("Content-Type", transformed.content_type)?;
    set("Content-Length", &transformed.bytes.len().to_string())?;
    set("Cache-Control", cache_control)?;
    if transformed.negotiated {
        set("Vary", "Accept")?;
    }
    Ok(Response::from_bytes(transformed.bytes).map_err(response_error)?.with_headers(headers))
}

/// A JSON response with `headers` (name, value) besides the content type and cache policy.
fn json_response(
    status: u16,
    body: String,
    cache_control: &str,
    headers: &[(&str, &str)],
) -> Result<Response, TransformError> {
    let all = Headers::new();
    let set = |name: &str, value: &str| all.set(name, value).map_err(response_error);
    set("Content-Type", "application/json")?;
    set("Cache-Control", cache_control)?;
    for (name, value) in headers {
        set(name, value)?;
    }
    Ok(Response::from_bytes(body.into_bytes()).map_err(response_error)?.with_headers(all).with_status(status))
}

fn error_response(error: &TransformError) -> worker::Result<Response> {
    json_response(error.status(), error.to_json(), "no-store", &[]).or_else(|_| {
        // Building headers failed: answer with the bare message rather than nothing.
        Response::error(format!("{{\"error\":{}}}", json_string(&error.message)), error.status())
    })
}

fn response_error(error: worker::Error) -> TransformError {
    TransformError::new(ErrorKind::Internal, format!("cannot build the response: {error}"))
}
