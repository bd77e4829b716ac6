//! Signed URLs. With the secret `SIGNING_KEY` set, a request must carry `sig=<signature>` as its
//! last option (`/image/width=800,sig=…/cat.jpg`, or the last query parameter of `POST
//! /transform?…&sig=…`): the unpadded URL-safe base64 of HMAC-SHA256 over the request path (with
//! its query, for POST) with that option taken out. Checked in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{ErrorKind, TransformError};

type HmacSha256 = Hmac<Sha256>;

/// `options` (pairs joined by `separator`) without a last `sig=…` pair, and that signature.
pub fn take_signature(options: &str, separator: char) -> (&str, Option<&str>) {
    let (rest, last) = options.rsplit_once(separator).unwrap_or(("", options));
    match last.strip_prefix("sig=") {
        Some(signature) => (rest, Some(signature)),
        None => (options, None),
    }
}

/// The signature of `text` under `key`.
pub fn sign(key: &[u8], text: &str) -> Result<String, TransformError> {
    Ok(URL_SAFE_NO_PAD.encode(mac(key, text)?.finalize().into_bytes()))
}

/// Whether `signature` signs `text` under `key`; 403 if it is missing or wrong.
pub fn verify(key: &[u8], text: &str, signature: Option<&str>) -> Result<(), TransformError> {
    let refuse =
        |why: &str| TransformError::new(ErrorKind::Forbidden, format!("{why}; this service answers signed URLs only"));
    let signature = signature.ok_or_else(|| refuse("the URL carries no sig= option"))?;
    let bytes = URL_SAFE_NO_PAD.decode(signature).map_err(|_| refuse("the sig= option is not URL-safe base64"))?;
    mac(key, text)?.verify_slice(&bytes).map_err(|_| refuse("the signature does not match the URL"))
}

fn mac(key: &[u8], text: &str) -> Result<HmacSha256, TransformError> {
    // HMAC takes keys of any length, so this does not fail.
    let mut mac = HmacSha256::new_from_slice(key)
        .map_err(|error| TransformError::new(ErrorKind::Internal, format!("HMAC key: {error}")))?;
    mac.update(text.as_bytes());
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_sig_option_is_taken_out() {
        assert_eq!(take_signature("width=800,fit=cover,sig=abc", ','), ("width=800,fit=cover", Some("abc")));
        assert_eq!(take_signature("sig=abc", ','), ("", Some("abc")));
        assert_eq!(take_signature("w=1&sig=abc", '&'), ("w=1", Some("abc")));
        assert_eq!(take_signature("sig=abc,width=800", ','), ("sig=abc,width=800", None));
        assert_eq!(take_signature("width=800", ','), ("width=800", None));
    }

    #[test]
    fn signatures_verify_only_for_their_text_and_key() {
        let key = b"a secret";
        let path = "/image/width=800,fit=cover/photos/cat.jpg";
        let signature = sign(key, path).unwrap();
        assert_eq!(signature.len(), 43); // 32 bytes, unpadded
        assert!(verify(key, path, Some(&signature)).is_ok());
        for (key, text, signature) in [
            (&key[..], "/image/width=801,fit=cover/photos/cat.jpg", Some(signature.as_str())),
            (&key[..], "/image/width=800,fit=cover/photos/dog.jpg", Some(signature.as_str())),
            (b"another secret", path, Some(signature.as_str())),
            (&key[..], path, None),
            (&key[..], path, Some("not*base64")),
            (&key[..], path, Some(&signature[1..])),
        ] {
            assert_eq!(verify(key, text, signature).unwrap_err().status(), 403, "{text} {signature:?}");
        }
    }
}
