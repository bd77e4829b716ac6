//! Where a request's image comes from, decided before anything is fetched: the `<source>` of
//! `/image/<options>/<source>` is a path (resolved against the configured default source) or an
//! absolute `http(s)` URL, which must match `ALLOWED_ORIGINS`. Matching works on URLs parsed and
//! normalised by the `url` crate (WHATWG rules), never on the raw text, and refuses what could
//! smuggle a request elsewhere: user info, encoded dots and slashes, backslashes, other schemes,
//! and IP literals of non-public ranges (in any notation) that no listed prefix names exactly.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::error::{ErrorKind, TransformError};

/// The `<source>` part of an image URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceRef {
    /// A path (no leading slash), for `ORIGIN`, the `IMAGES` bucket or the bundled assets.
    Path(String),
    /// An absolute URL, already checked against the allow-list.
    Url(Url),
}

impl SourceRef {
    /// Reads `raw` (the rest of the request path after the options, with the request's query
    /// appended when the source is a URL); absolute URLs must pass `allowed`.
    pub fn parse(raw: &str, allowed: &AllowedOrigins) -> Result<Self, TransformError> {
        if raw.is_empty() {
            return Err(TransformError::bad_option("no source; use /image/<options>/<path or URL>"));
        }
        let lower = raw.to_ascii_lowercase();
        if !lower.starts_with("http:") && !lower.starts_with("https:") {
            if lower.split_once(':').is_some_and(|(scheme, _)| !scheme.contains('/')) {
                return Err(forbidden(format!("source {raw:?}: only http and https URLs are fetched")));
            }
            return Ok(SourceRef::Path(raw.to_owned()));
        }
        let url = checked_url(raw)?;
        allowed.check(&url)?;
        Ok(SourceRef::Url(url))
    }
}

/// `path` (with the request's `query`, if any) under `origin`, which it may not leave.
pub fn resolve(
    origin: &Url,
    origin_prefix: &AllowedOrigins,
    path: &str,
    query: Option<&str>,
) -> Result<Url, TransformError> {
    if ["%2e", "%2f", "%5c", "\\"].iter().any(|smuggled| path.to_ascii_lowercase().contains(smuggled)) {
        return Err(forbidden(format!("source path {path:?}: encoded dots, slashes and backslashes are not allowed")));
    }
    // Leading slashes would make the path absolute (or protocol-relative) against ORIGIN; `..`
    // segments may still climb out of it, which the prefix check below refuses.
    let relative = match query {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let url = origin
        .join(relative.trim_start_matches('/'))
        .map_err(|_| TransformError::bad_option(format!("source path {path:?} is not a valid URL path")))?;
    let url = checked_url(url.as_str())?;
    origin_prefix.check(&url).map_err(|_| forbidden(format!("source path {path:?} leaves ORIGIN")))?;
    Ok(url)
}

/// `raw` parsed as an http(s) URL without the features that could disguise where it points.
pub fn checked_url(raw: &str) -> Result<Url, TransformError> {
    let refuse = |why: &str| Err(forbidden(format!("source {raw:?}: {why}")));
    if raw.contains('\\') {
        return refuse("backslashes are not allowed in source URLs");
    }
    let lower = raw.to_ascii_lowercase();
    if ["%2e", "%2f", "%5c"].iter().any(|encoded| lower.contains(encoded)) {
        return refuse("percent-encoded dots, slashes and backslashes are not allowed in source URLs");
    }
    let Ok(url) = Url::parse(raw) else { return refuse("not a valid URL") };
    if !matches!(url.scheme(), "http" | "https") {
        return refuse("only http and https URLs are fetched");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("URLs with user info (user@host) are not allowed");
    }
    if url.host().is_none() {
        return refuse("the URL has no host");
    }
    Ok(url)
}

/// One `ALLOWED_ORIGINS` entry: scheme, host, port and path prefix, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Prefix {
    scheme: String,
    host: Host<String>,
    port: Option<u16>,
    /// Ends with `/`, so `/images/` never matches `/imagesX`.
    path: String,
}

/// `ALLOWED_ORIGINS`: the URL prefixes absolute sources must start with. Empty allows none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    prefixes: Vec<Prefix>,
}

impl AllowedOrigins {
    /// Parses the comma-separated variable; an entry that is not an http(s) URL prefix is an
    /// operator error.
    pub fn parse(list: &str) -> Result<Self, TransformError> {
        let mut prefixes = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let misconfigured = |why: &str| {
                TransformError::new(ErrorKind::Misconfigured, format!("ALLOWED_ORIGINS entry {entry:?}: {why}"))
            };
            let url = checked_url(entry).map_err(|error| misconfigured(&error.message))?;
            if url.query().is_some() || url.fragment().is_some() {
                return Err(misconfigured("a prefix has no query or fragment"));
            }
            let host = url.host().ok_or_else(|| misconfigured("no host"))?.to_owned();
            let mut path = url.path().to_owned();
            if !path.ends_with('/') {
                path.push('/');
            }
            prefixes.push(Prefix { scheme: url.scheme().to_owned(), host, port: url.port_or_known_default(), path });
        }
        Ok(AllowedOrigins { prefixes })
    }

    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }

    /// Whether `url` (already through [`checked_url`]) starts with a listed prefix; a non-public
    /// IP literal passes only where a prefix names that exact address.
    pub fn check(&self, url: &Url) -> Result<(), TransformError> {
        if self.prefixes.is_empty() {
            return Err(forbidden(format!(
                "source {url}: absolute source URLs are not enabled (the ALLOWED_ORIGINS variable lists none)"
            )));
        }
        let host = url.host().map(|host| host.to_owned());
        let matches = |prefix: &&Prefix| {
            Some(&prefix.host) == host.as_ref()
                && prefix.scheme == url.scheme()
                && prefix.port == url.port_or_known_default()
                && (url.path() == prefix.path.trim_end_matches('/') || url.path().starts_with(&prefix.path))
        };
        if self.prefixes.iter().any(|prefix| matches(&prefix)) {
            return Ok(());
        }
        let private = match &host {
            Some(Host::Ipv4(address)) => !is_public_v4(*address),
            Some(Host::Ipv6(address)) => !is_public_v6(address),
            _ => false,
        };
        let why = if private { "addresses in private, loopback or link-local ranges" } else { "this origin" };
        Err(forbidden(format!("source {url}: ALLOWED_ORIGINS does not allow {why}")))
    }
}

fn forbidden(message: String) -> TransformError {
    TransformError::new(ErrorKind::Forbidden, message)
}

/// Whether an IPv4 address is reachable on the public internet (not loopback, private,
/// link-local (cloud metadata at 169.254.169.254 included), shared, reserved or unspecified).
fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, ..] = address.octets();
    !(address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_broadcast()
        || address.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || a >= 224) // multicast and reserved
}

/// As [`is_public_v4`], for IPv6; IPv4-mapped and -compatible addresses are judged as IPv4.
fn is_public_v6(address: &Ipv6Addr) -> bool {
    if let Some(v4) = address.to_ipv4() {
        return is_public_v4(v4);
    }
    let first = address.segments()[0];
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80) // link-local
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(list: &str) -> AllowedOrigins {
        AllowedOrigins::parse(list).unwrap()
    }

    fn parse(raw: &str, list: &str) -> Result<SourceRef, TransformError> {
        SourceRef::parse(raw, &allowed(list))
    }

    #[test]
    fn paths_stay_paths_and_allowed_urls_pass() {
        assert_eq!(parse("photos/cat.jpg", ""), Ok(SourceRef::Path("photos/cat.jpg".into())));
        let list = "https://images.example.com/photos/,http://127.0.0.1:9000/";
        for url in [
            "https://images.example.com/photos/cat.jpg",
            "https://IMAGES.example.com/photos/cat.jpg?v=2",
            "https://images.example.com:443/photos/a/../cat.jpg",
            "https://images.example.com/photos",
            "http://127.0.0.1:9000/x.png",
        ] {
            assert!(matches!(parse(url, list), Ok(SourceRef::Url(_))), "{url}");
        }
    }

    #[test]
    fn bypass_attempts_are_refused() {
        let list = "https://allowed.com/images/";
        for url in [
            "https://allowed.com@evil.com/images/x.jpg",
            "https://user:pass@allowed.com/images/x.jpg",
            "https://allowed.com.evil.com/images/x.jpg",
            "https://allowed.com/imagesX/x.jpg",
            "https://allowed.com/images/../secret/x.jpg",
            "https://allowed.com/images/%2e%2e/secret/x.jpg",
            "https://allowed.com/images/.%2E/secret/x.jpg",
            "https://allowed.com/images%2fx.jpg",
            "https://allowed.com\\@evil.com/images/x.jpg",
            "https://allowed.com/images\\..\\x.jpg",
            "http://allowed.com/images/x.jpg",
            "https://allowed.com:8443/images/x.jpg",
            "https://127.0.0.1/images/x.jpg",
            "http://2130706433/images/x.jpg",
            "http://0177.0.0.1/images/x.jpg",
            "http://0x7f.0.0.1/images/x.jpg",
            "http://[::ffff:127.0.0.1]/images/x.jpg",
            "http://[::1]/images/x.jpg",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/images/x.jpg",
            "file:///etc/passwd",
            "data:image/png;base64,AAAA",
            "ftp://allowed.com/images/x.jpg",
            "javascript:alert(1)",
        ] {
            let error = parse(url, list).unwrap_err();
            assert_eq!(error.status(), 403, "{url}: {}", error.message);
        }
        // Absolute sources are off without a list.
        assert_eq!(parse("https://allowed.com/images/x.jpg", "").unwrap_err().status(), 403);
        let private = parse("http://0x7f.1/images/x.jpg", list).unwrap_err().message;
        assert!(private.contains("private, loopback"), "{private}");
    }

    /// URL parsing carries no Unicode tables (idna_adapter 1.0 in Cargo.lock, for the Worker's
    /// size): internationalised host names are written in punycode, and Unicode ones, which
    /// would otherwise be mapped (full-width letters, case folding) before the allow-list check,
    /// are refused.
    #[test]
    fn hosts_are_ascii_and_punycode_passes() {
        let list = "https://xn--bcher-kva.example/";
        assert!(matches!(parse("https://xn--bcher-kva.example/a.jpg", list), Ok(SourceRef::Url(_))));
        assert!(matches!(parse("https://XN--BCHER-KVA.example/a.jpg", list), Ok(SourceRef::Url(_))));
        for url in
            ["https://bücher.example/a.jpg", "https://ｘn--bcher-kva.example/a.jpg", "https://allowed。com/a.jpg"]
        {
            assert_eq!(parse(url, list).unwrap_err().status(), 403, "{url}");
        }
        assert!(AllowedOrigins::parse("https://bücher.example/").is_err());
    }

    #[test]
    fn a_listed_address_is_allowed_in_any_notation() {
        let list = "http://127.0.0.1:9000/";
        for url in ["http://127.0.0.1:9000/a.jpg", "http://2130706433:9000/a.jpg", "http://0x7f.0.0.1:9000/a.jpg"] {
            assert!(matches!(parse(url, list), Ok(SourceRef::Url(_))), "{url}");
        }
        assert_eq!(parse("http://127.0.0.1:9001/a.jpg", list).unwrap_err().status(), 403);
    }

    #[test]
    fn paths_resolve_under_origin_and_may_not_leave_it() {
        let origin = Url::parse("https://images.example.com/photos/").unwrap();
        let prefix = allowed(origin.as_str());
        let resolved = resolve(&origin, &prefix, "cats/tom.jpg", Some("v=2")).unwrap();
        assert_eq!(resolved.as_str(), "https://images.example.com/photos/cats/tom.jpg?v=2");
        assert_eq!(resolve(&origin, &prefix, "/tom.jpg", None).unwrap().path(), "/photos/tom.jpg");
        // Leading slashes cannot make a path protocol-relative.
        assert_eq!(resolve(&origin, &prefix, "//evil.com/x.jpg", None).unwrap().host_str(), origin.host_str());
        for path in ["../secret.jpg", "cats/../../secret.jpg", "%2e%2e/x.jpg", "a%2fb.jpg", "a\\b.jpg"] {
            assert_eq!(resolve(&origin, &prefix, path, None).unwrap_err().status(), 403, "{path}");
        }
    }

    #[test]
    fn bad_allow_lists_are_operator_errors() {
        for list in ["allowed.com", "ftp://allowed.com/", "https://user@allowed.com/", "https://allowed.com/?q=1"] {
            assert_eq!(AllowedOrigins::parse(list).unwrap_err().kind, ErrorKind::Misconfigured, "{list}");
        }
        assert!(AllowedOrigins::parse(" , ").unwrap().is_empty());
    }
}
