//! Reading a source image: from `ORIGIN`, the `IMAGES` R2 bucket or the bundled `ASSETS` for a
//! path, or from an allowed URL. Fetches follow redirects themselves (each hop checked again),
//! carry our loop marker, stop at `ORIGIN_TIMEOUT_MS`, and read the body within the byte limit
//! without buffering more than it.

use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use url::Url;
use worker::{AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit, RequestRedirect, Response};

use crate::config::{Limits, Sources};
use crate::error::{ErrorKind, TransformError};
use crate::source::{checked_url, resolve, AllowedOrigins, SourceRef};

/// The R2 bucket relative paths read from when bound and `ORIGIN` is unset.
const BUCKET_BINDING: &str = "IMAGES";
/// The static assets relative paths read from when neither `ORIGIN` nor `IMAGES` is set.
const ASSETS_BINDING: &str = "ASSETS";
/// Host of the URLs handed to the assets binding; it only routes on the path.
const ASSETS_HOST: &str = "https://assets.invalid";
/// Redirects followed per source fetch, each checked against the same rules.
const MAX_REDIRECTS: usize = 5;
/// What our own fetches carry in `Via`, and what marks a request as coming from us.
pub(super) const LOOP_MARKER: &str = "image-resizing";

/// A source's bytes, and what identifies this version of them where the source says (an origin's
/// `ETag` or `Last-Modified`, an R2 object's etag), for our own ETags.
pub(super) struct Fetched {
    pub bytes: Vec<u8>,
    pub validator: Option<String>,
}

/// The URL `source` is fetched from, when it is fetched over HTTP (an allowed URL, or a path
/// under `ORIGIN`): where `onerror=redirect` sends clients.
pub(super) fn location(source: &SourceRef, query: Option<&str>, sources: &Sources) -> Option<Url> {
    match (source, &sources.origin) {
        (SourceRef::Url(url), _) => Some(url.clone()),
        (SourceRef::Path(path), Some(origin)) => resolve(origin, &sources.origin_prefix, path, query).ok(),
        (SourceRef::Path(_), None) => None,
    }
}

/// Reads `source`; `query` is the request's query, passed on to `ORIGIN` paths.
pub(super) async fn read(
    env: &Env,
    source: &SourceRef,
    query: Option<&str>,
    sources: &Sources,
    limits: &Limits,
) -> Result<Fetched, TransformError> {
    match source {
        SourceRef::Url(url) => fetch(url.clone(), &[&sources.allowed], sources, limits).await,
        SourceRef::Path(path) => match (&sources.origin, env.bucket(BUCKET_BINDING)) {
            (Some(origin), _) => {
                let url = resolve(origin, &sources.origin_prefix, path, query)?;
                fetch(url, &[&sources.origin_prefix, &sources.allowed], sources, limits).await
            }
            (None, Ok(bucket)) => from_bucket(&bucket, path, limits).await,
            (None, Err(_)) => from_assets(env, path, limits).await,
        },
    }
}

/// Fetches `url`, following up to [`MAX_REDIRECTS`] redirects to URLs that `allowed` lists.
async fn fetch(
    mut url: Url,
    allowed: &[&AllowedOrigins],
    sources: &Sources,
    limits: &Limits,
) -> Result<Fetched, TransformError> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let timeout = Delay::from(Duration::from_millis(sources.timeout_ms as u64));
    let work = async {
        for _ in 0..=MAX_REDIRECTS {
            let mut response = send(&url, &signal).await?;
            let status = response.status_code();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = response
                    .headers()
                    .get("Location")
                    .ok()
                    .flatten()
                    .ok_or_else(|| unreachable(&url, format!("the origin answered {status} without a Location")))?;
                let next = url.join(&location).map_err(|_| unreachable(&url, "a redirect to no valid URL".into()))?;
                url = checked_url(next.as_str())?;
                check_allowed(&url, allowed)?;
                continue;
            }
            return match status {
                200..=299 => {
                    let validator =
                        ["ETag", "Last-Modified"].iter().find_map(|name| response.headers().get(name).ok().flatten());
                    Ok(Fetched { bytes: read_limited(&mut response, limits, url.as_str()).await?, validator })
                }
                404 | 410 => Err(TransformError::new(ErrorKind::NotFound, format!("source {url} does not exist"))),
                _ => Err(unreachable(&url, format!("the origin answered {status}"))),
            };
        }
        Err(unreachable(&url, format!("more than {MAX_REDIRECTS} redirects")))
    };
    // Bound to a local so the unfinished future (which borrows `signal`) drops before `signal`.
    let outcome = select(Box::pin(work), timeout).await;
    // Whatever the outcome, the fetch ends here: a body left unread (over the byte limit, or
    // late) must not keep the origin's connection streaming into a request that has answered.
    controller.abort();
    match outcome {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(TransformError::new(
            ErrorKind::SourceTimeout,
            format!("the source did not answer within ORIGIN_TIMEOUT_MS ({} ms)", sources.timeout_ms),
        )),
    }
}

/// One GET of `url` with our loop marker; redirects are returned, not followed.
async fn send(url: &Url, signal: &worker::AbortSignal) -> Result<Response, TransformError> {
    let headers = Headers::new();
    headers.set("Via", LOOP_MARKER).map_err(|error| unreachable(url, error.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers).with_redirect(RequestRedirect::Manual);
    let request = Request::new_with_init(url.as_str(), &init).map_err(|error| unreachable(url, error.to_string()))?;
    Fetch::Request(request).send_with_signal(signal).await.map_err(|error| unreachable(url, error.to_string()))
}

fn check_allowed(url: &Url, allowed: &[&AllowedOrigins]) -> Result<(), TransformError> {
    let mut refusal = None;
    for list in allowed {
        match list.check(url) {
            Ok(()) => return Ok(()),
            Err(error) => refusal = refusal.or(Some(error)),
        }
    }
    Err(refusal.unwrap_or_else(|| TransformError::new(ErrorKind::Forbidden, format!("source {url} is not allowed"))))
}

/// The body of `response`, refused with 413 as soon as it is known to pass the byte limit: from
/// `Content-Length` before reading, or while reading, without keeping more than the limit.
/// `source` names it in errors.
async fn read_limited(response: &mut Response, limits: &Limits, source: &str) -> Result<Vec<u8>, TransformError> {
    let failed = |what: String| TransformError::new(ErrorKind::SourceUnreachable, format!("source {source}: {what}"));
    super::check_length(super::content_length(response.headers()), limits)?;
    let mut stream = response.stream().map_err(|error| failed(error.to_string()))?;
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| failed(format!("the body broke off: {error}")))?;
        super::check_length(Some((bytes.len() + chunk.len()) as u64), limits)?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn from_bucket(bucket: &worker::Bucket, path: &str, limits: &Limits) -> Result<Fetched, TransformError> {
    let key = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| TransformError::bad_option(format!("source path {path:?} is not UTF-8")))?;
    let failed = |error: worker::Error| {
        TransformError::new(
            ErrorKind::SourceUnreachable,
            format!("source {key} in the {BUCKET_BINDING} bucket: {error}"),
        )
    };
    let missing = || TransformError::new(ErrorKind::NotFound, format!("source image {key} does not exist"));
    // One operation: the object's size is known before its body (a stream) is read.
    let object = bucket.get(key.as_ref()).execute().await.map_err(failed)?.ok_or_else(missing)?;
    super::check_length(Some(object.size()), limits)?;
    let body = object.body().ok_or_else(missing)?;
    let bytes = body.bytes().await.map_err(failed)?;
    super::check_length(Some(bytes.len() as u64), limits)?;
    Ok(Fetched { bytes, validator: Some(object.http_etag()) })
}

/// A bundled file as the assets binding answers it (its content type, ETag and status), for the
/// playground's files and the demo images.
pub(super) async fn asset(env: &Env, path: &str) -> Result<Response, TransformError> {
    let failed = |what: String| TransformError::new(ErrorKind::SourceUnreachable, format!("asset {path}: {what}"));
    let assets = env.assets(ASSETS_BINDING).map_err(|error| failed(error.to_string()))?;
    let response =
        assets.fetch(format!("{ASSETS_HOST}/{path}"), None).await.map_err(|error| failed(error.to_string()))?;
    match response.status_code() {
        404 => Err(TransformError::new(ErrorKind::NotFound, format!("no bundled file {path}"))),
        _ => Ok(response),
    }
}

async fn from_assets(env: &Env, path: &str, limits: &Limits) -> Result<Fetched, TransformError> {
    let failed = |what: String| TransformError::new(ErrorKind::SourceUnreachable, format!("source {path}: {what}"));
    let assets = env.assets(ASSETS_BINDING).map_err(|error| failed(error.to_string()))?;
    let mut response =
        assets.fetch(format!("{ASSETS_HOST}/{path}"), None).await.map_err(|error| failed(error.to_string()))?;
    match response.status_code() {
        200 => {}
        404 => return Err(TransformError::new(ErrorKind::NotFound, format!("source image {path} does not exist"))),
        status => return Err(failed(format!("the assets answered {status}"))),
    }
    let validator = response.headers().get("ETag").ok().flatten();
    Ok(Fetched { bytes: read_limited(&mut response, limits, path).await?, validator })
}

fn unreachable(url: &Url, what: String) -> TransformError {
    TransformError::new(ErrorKind::SourceUnreachable, format!("source {url}: {what}"))
}
