//! The API request decoder (`fluxo_api::protocol::decode`) on whole requests: the first line is
//! the `X-Amz-Target` header, the rest is the body. Whatever arrives, decoding answers a request
//! or an error in AWS's shape (never a panic, an abort or unbounded work), and the error's
//! status is a client error.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (target, body) = match data.iter().position(|byte| *byte == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&data[..0], data),
    };
    let target = std::str::from_utf8(target).ok().filter(|t| !t.is_empty());
    if let Err(error) = fluxo_api::protocol::decode(target, body) {
        let status = error.status();
        assert!(status.is_client_error(), "a request got {status}: {error:?}");
    }
});
