//! The page's files, embedded in the binary at build time (`rust-embed` with `debug-embed`, so
//! debug and release builds serve the same bytes and neither reads the source tree at run time).

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// `GET /`: the page, with a fresh style nonce.
///
/// CodeMirror writes its base styles into `<style>` elements at run time; instead of
/// `'unsafe-inline'`, each page load gets a random nonce, in its Content-Security-Policy and in a
/// `<meta name="fluxo-style-nonce">` that the editor passes to CodeMirror (`EditorView.cspNonce`).
/// Scripts stay `'self'` only.
pub(crate) async fn index() -> Response {
    let Some(file) = Assets::get("index.html") else {
        return (StatusCode::NOT_FOUND, "no page").into_response();
    };
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let page = String::from_utf8_lossy(&file.data).replace(NONCE_MARK, &nonce);
    let policy = crate::guard::CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'",
        &format!("style-src 'self' 'nonce-{nonce}'"),
    );
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, content_type("index.html"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    (headers, page).into_response()
}

/// Where index.html takes the page's style nonce.
const NONCE_MARK: &str = "{{STYLE_NONCE}}";

/// `GET /console/assets/<path>`.
pub(crate) async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut response_headers = HeaderMap::new();
    response_headers.insert(header::CONTENT_TYPE, content_type(path));
    // Names carry no hash: the browser revalidates every time and gets a 304 when unchanged.
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response_headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    if unchanged {
        return (StatusCode::NOT_MODIFIED, response_headers).into_response();
    }
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|coding| coding.trim().starts_with("gzip"))
        });
    if accepts_gzip && file.data.len() > 1024 {
        response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        let body = gzipped(path, &file.data);
        return (response_headers, body.as_ref().clone()).into_response();
    }
    (response_headers, file.data.into_owned()).into_response()
}

/// The gzip form of an embedded file, compressed on its first request and kept.
fn gzipped(path: &str, data: &[u8]) -> Arc<Vec<u8>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
        return hit.clone();
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let compressed = encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    let compressed = Arc::new(compressed);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_string(), compressed.clone());
    compressed
}

fn content_type(path: &str) -> HeaderValue {
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    HeaderValue::from_static(match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "text/plain; charset=utf-8",
    })
}
