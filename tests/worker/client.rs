//! An HTTP/1.1 client for the tests that talk to a running Worker (`WORKER_URL`, host:port, set
//! by `scripts/test.sh`), with only the standard library.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use image::ImageFormat;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Decodes the body, checking it is `format`, and returns its dimensions.
    pub fn image(&self, format: ImageFormat) -> image::DynamicImage {
        assert_eq!(self.status, 200, "body: {}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.header("Content-Type"), Some(format.to_mime_type()));
        assert_eq!(self.header("Content-Length"), Some(self.body.len().to_string().as_str()));
        assert!(self.header("Cache-Control").is_some());
        assert_eq!(image::guess_format(&self.body).unwrap(), format);
        image::load_from_memory_with_format(&self.body, format).expect("response decodes")
    }

    /// Checks a JSON error with this status and code whose message contains `needle`.
    pub fn error(&self, status: u16, code: u16, needle: &str) {
        let body = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status, status, "body: {body}");
        assert_eq!(self.header("Content-Type"), Some("application/json"));
        assert!(body.starts_with("{\"error\":\""), "{body}");
        assert!(body.ends_with(&format!(",\"code\":{code}}}")), "{body}");
        assert!(body.contains(needle), "{body} should mention {needle}");
    }
}

pub fn worker() -> String {
    std::env::var("WORKER_URL").expect("WORKER_URL (host:port of a running Worker); run `npm test`")
}

pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    try_request(method, path, headers, body).expect("talk to the Worker")
}

/// As [`request`], but a connection or protocol failure is an error rather than a panic.
pub fn try_request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<Reply> {
    try_request_to(&worker(), method, path, headers, body)
}

/// As [`request`], to the Worker at `address` (host:port).
pub fn request_to(address: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    try_request_to(address, method, path, headers, body).expect("talk to the Worker")
}

fn try_request_to(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    // Read only the framed response: the dev server may keep the connection open regardless.
    let mut raw = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        if let Some(reply) = complete(&raw) {
            return Ok(reply);
        }
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return complete(&raw).ok_or_else(|| std::io::Error::other("connection closed mid-response"));
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
    // 204 and 304 answers have no body, whatever their headers say.
    let status = head.split(' ').nth(1).unwrap_or("");
    if status == "204" || status == "304" {
        return Some(parse(raw));
    }
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

pub fn get(path: &str) -> Reply {
    request("GET", path, &[], &[])
}

pub fn post(query: &str, body: &[u8]) -> Reply {
    request("POST", &format!("/transform{query}"), &[], body)
}

/// The wasm linear memory of the Worker at `address` (host:port), as its `GET /` reports it.
pub fn wasm_memory_bytes(address: &str) -> u64 {
    let body = String::from_utf8(request_to(address, "GET", "/", &[], &[]).body).unwrap();
    let value = body.split("\"wasm_memory_bytes\":").nth(1).expect("wasm_memory_bytes in GET /");
    value.trim_end_matches('}').trim().parse().unwrap()
}
