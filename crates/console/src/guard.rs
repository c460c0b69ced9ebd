//! What keeps other origins out, for the console and the API alike.
//!
//! Browsers tell where a request comes from (`Origin`, `Sec-Fetch-Site`); SDKs and the AWS CLI
//! send neither. A request that a browser marks as coming from another origin is refused with
//! 403 before it reaches any handler, unless it is a plain navigation (a link to the console).
//! No `Access-Control-Allow-*` header is ever sent, so a preflight from another origin fails too.
//! Every response carries the console's Content-Security-Policy and its companions.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// Scripts, styles, fetches and workers from this origin only; no inline code, no `eval`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// Wraps `router` with the origin check and the security headers.
pub fn layer(router: Router) -> Router {
    router.layer(middleware::from_fn(check))
}

async fn check(request: Request<Body>, next: Next) -> Response {
    if is_cross_origin(request.method(), request.headers()) {
        return refused();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ] {
        // A handler's own policy (the page's, with its style nonce) is kept.
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    }
    response
}

/// True when a browser says the request comes from a page of another origin. A GET navigation
/// (a link or a typed address) is let through: it only shows the page, which then talks to its
/// own origin.
pub fn is_cross_origin(method: &Method, headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let reads = method == Method::GET || method == Method::HEAD;
    if reads && text("sec-fetch-mode") == Some("navigate") {
        return false;
    }
    if let Some(site) = text("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return true;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let host = text("host").unwrap_or_default();
    let same = origin.to_str().ok().is_some_and(|origin| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|rest| !host.is_empty() && rest.eq_ignore_ascii_case(host))
    });
    !same
}

fn refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/x-amz-json-1.0")],
        r#"{"__type":"AccessDeniedException","message":"Requests from another origin are refused"}"#,
    )
        .into_response()
}
