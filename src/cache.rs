//! What identifies a transformed response, for the edge cache and for `ETag`s: a cache key from
//! the canonical options, the source and what of `Accept` the format depends on (the Workers
//! Cache API ignores `Vary`, so negotiation must be in the key); and a strong `ETag` from the
//! source's version, the canonical options and the output format.

use sha2::{Digest, Sha256};

use crate::format::OutputFormat;

/// Hex of the first 16 bytes of SHA-256 over `parts`, each length-prefixed so that no two lists
/// of parts hash alike by shifting text between them.
fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().iter().take(16).map(|byte| format!("{byte:02x}")).collect()
}

/// The path (under the Worker's own origin) a transformed response is cached at.
pub fn key_path(canonical_options: &str, source: &str, accept_class: &str) -> String {
    format!("/__cache/{}", digest(&[canonical_options.as_bytes(), source.as_bytes(), accept_class.as_bytes()]))
}

/// A strong `ETag` for the output of `canonical_options` in `format` from a source whose version
/// is `validator` (or, without one, whose bytes are `source`).
pub fn etag(validator: Option<&str>, source: &[u8], canonical_options: &str, format: OutputFormat) -> String {
    let version = match validator {
        Some(validator) => format!("v:{validator}"),
        None => format!("b:{}", digest(&[source])),
    };
    format!("\"{}\"", digest(&[version.as_bytes(), canonical_options.as_bytes(), format.name().as_bytes()]))
}

/// Whether an `If-None-Match` header names `etag` (or is `*`); weak comparison, as RFC 9110 asks.
pub fn none_match(if_none_match: &str, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match.split(',').any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_tags_change_with_every_input() {
        let key = key_path("width=800", "photos/cat.jpg", "webp");
        assert!(key.starts_with("/__cache/") && key.len() == 9 + 32);
        assert_eq!(key, key_path("width=800", "photos/cat.jpg", "webp"));
        assert_ne!(key, key_path("width=800", "photos/cat.jpg", "no-webp"));
        assert_ne!(key, key_path("width=801", "photos/cat.jpg", "webp"));
        assert_ne!(key, key_path("width=800", "photos/dog.jpg", "webp"));
        assert_ne!(key_path("a", "bc", "d"), key_path("ab", "c", "d"));

        let tag = etag(Some("\"abc\""), b"", "width=800", OutputFormat::Jpeg);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert_ne!(tag, etag(Some("\"abd\""), b"", "width=800", OutputFormat::Jpeg));
        assert_ne!(tag, etag(Some("\"abc\""), b"", "width=800", OutputFormat::Webp));
        assert_ne!(tag, etag(Some("\"abc\""), b"", "width=80", OutputFormat::Jpeg));
        assert_ne!(etag(None, b"one", "", OutputFormat::Png), etag(None, b"two", "", OutputFormat::Png));
    }

    #[test]
    fn if_none_match_lists_are_read() {
        assert!(none_match("\"a\"", "\"a\""));
        assert!(none_match("\"x\", W/\"a\"", "\"a\""));
        assert!(none_match("*", "\"a\""));
        assert!(!none_match("\"b\"", "\"a\""));
        assert!(!none_match("", "\"a\""));
    }
}
