//! The HTTP edge: routing, reading the source, and turning results and errors into responses.
//! Everything between request bytes and response bytes is in [`crate::pipeline`].

use kernels::Backend;
use worker::{event, Context, Env, Headers, Method, Request, Response};

use crate::config::Limits;
use crate::error::{json_string, ErrorKind, TransformError};
use crate::options::TransformOptions;
use crate::pipeline::{self, Transformed};

/// Images under `/image/<options>/<path>` are read from this static-assets binding.
const SOURCE_BINDING: &str = "ASSETS";
/// Host of the URLs handed to the assets binding; it only routes on the path.
const SOURCE_ORIGIN: &str = "https://source.invalid";
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
    backend: Backend,
    cache_control: String,
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
            backend,
            cache_control: var("CACHE_CONTROL").unwrap_or_else(|| DEFAULT_CACHE_CONTROL.to_owned()),
        })
    }
}

async fn handle(request: &mut Request, env: &Env) -> Result<Response, TransformError> {
    let path = request.path();
    let method = request.method();
    if let Some(rest) = path.strip_prefix("/image/") {
        require_method(&method, &[Method::Get, Method::Head])?;
        let config = Config::from_env(env)?;
        let (segment, source_path) = rest
            .split_once('/')
            .ok_or_else(|| TransformError::bad_option("no source path; use /image/<options>/<path>"))?;
        let options = TransformOptions::from_path_segment(segment, &config.limits)?;
        let source = fetch_source(env, source_path, &config.limits).await?;
        transformed_response(request, &source, &options, &config, &config.cache_control)
    } else if path == "/transform" {
        require_method(&method, &[Method::Post])?;
        let config = Config::from_env(env)?;
        let url = request.url().map_err(|_| TransformError::bad_option("the request URL is malformed"))?;
        let options = TransformOptions::from_query(url.query().unwrap_or(""), &config.limits)?;
        let body = read_body(request, &config.limits).await?;
        transformed_response(request, &body, &options, &config, "no-store")
    } else if path == "/" {
        require_method(&method, &[Method::Get, Method::Head])?;
        json_response(200, index(), "no-store")
    } else {
        Err(TransformError::new(ErrorKind::NotFound, format!("no route for {path}; see GET /")))
    }
}

/// The service description, with this instance's wasm memory for health checks (it only grows,
/// so a steady value under load means requests free what they allocate).
fn index() -> String {
    let wasm_memory_bytes = core::arch::wasm32::memory_size::<0>() * 65536;
    format!("{{\"service\":{INDEX},\"wasm_memory_bytes\":{wasm_memory_bytes}}}")
}

const INDEX: &str = r#"{"endpoints":{"GET /image/<options>/<path>":"transform an image from the bundled sources, e.g. /image/width=320,format=auto/rocket.jpg","POST /transform?<options>":"transform the image sent as the request body, e.g. /transform?width=320&format=webp"},"options":["width|w","height|h","fit=scale-down|contain|cover|crop|pad|squeeze","gravity|g=left|right|top|bottom|center|XxY|auto","quality|q","format|f=auto|jpeg|png|webp|gif|json","dpr","rotate=90|180|270","flip=h|v|hv","trim=top;right;bottom;left|border","trim.width|trim.height|trim.left|trim.top","trim.border.color|trim.border.tolerance|trim.border.keep","background=CSS colour","border.color","border.width|border.top|border.right|border.bottom|border.left","brightness","contrast","gamma","saturation","blur","sharpen","metadata=keep|copyright|none","anim=true|false","gamma-correct=true|false"]}"#;

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

fn require_method(method: &Method, allowed: &[Method]) -> Result<(), TransformError> {
    if allowed.contains(method) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|m| m.as_ref()).collect();
    Err(TransformError::new(
        ErrorKind::MethodNotAllowed,
        format!("{} is not allowed here; use {}", method.as_ref(), names.join(" or ")),
    ))
}

fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().get(name).ok().flatten()
}

/// Refuses a length over the byte limit: the declared `Content-Length` before reading (so large
/// bodies are not read at all), and the real length after.
fn check_length(length: Option<u64>, limits: &Limits) -> Result<(), TransformError> {
    match length {
        Some(length) if length > limits.max_input_bytes as u64 => Err(TransformError::new(
            ErrorKind::TooLarge,
            format!("the image is {length} bytes; at most {} are accepted", limits.max_input_bytes),
        )),
        _ => Ok(()),
    }
}

fn content_length(headers: &Headers) -> Option<u64> {
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

async fn fetch_source(env: &Env, path: &str, limits: &Limits) -> Result<Vec<u8>, TransformError> {
    if path.is_empty() {
        return Err(TransformError::bad_option("no source path; use /image/<options>/<path>"));
    }
    if path.starts_with("http:") || path.starts_with("https:") {
        return Err(TransformError::bad_option("remote sources are not enabled; give a path to a bundled image"));
    }
    let unreachable =
        |what: String| TransformError::new(ErrorKind::SourceUnreachable, format!("source {path}: {what}"));
    let assets = env.assets(SOURCE_BINDING).map_err(|error| unreachable(error.to_string()))?;
    let mut response =
        assets.fetch(format!("{SOURCE_ORIGIN}/{path}"), None).await.map_err(|error| unreachable(error.to_string()))?;
    match response.status_code() {
        200 => {}
        404 => return Err(TransformError::new(ErrorKind::NotFound, format!("source image {path} does not exist"))),
        status => return Err(unreachable(format!("the source answered {status}"))),
    }
    check_length(content_length(response.headers()), limits)?;
    let bytes = response.bytes().await.map_err(|error| unreachable(error.to_string()))?;
    check_length(Some(bytes.len() as u64), limits)?;
    Ok(bytes)
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

fn json_response(status: u16, body: String, cache_control: &str) -> Result<Response, TransformError> {
    let headers = Headers::new();
    let set = |name: &str, value: &str| headers.set(name, value).map_err(response_error);
    set("Content-Type", "application/json")?;
    set("Cache-Control", cache_control)?;
    Ok(Response::from_bytes(body.into_bytes()).map_err(response_error)?.with_headers(headers).with_status(status))
}

fn error_response(error: &TransformError) -> worker::Result<Response> {
    json_response(error.status(), error.to_json(), "no-store").or_else(|_| {
        // Building headers failed: answer with the bare message rather than nothing.
        Response::error(format!("{{\"error\":{}}}", json_string(&error.message)), error.status())
    })
}

fn response_error(error: worker::Error) -> TransformError {
    TransformError::new(ErrorKind::Misconfigured, format!("cannot build the response: {error}"))
}
