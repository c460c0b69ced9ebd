//! Objects an `ItemReader` reads compressed: "Input files support the following external
//! compression types: GZIP, ZSTD. Example file names: `myObject.jsonl.gz` and
//! `myObject.csv.zstd`" (developer guide, "ItemReader (Map)"), so the key's extension says
//! how a body is compressed. S3 inventory data files are `.csv.gz`, and Athena's `UNLOAD`
//! writes `.gz` files.
//!
//! A compressed body is not UTF-8 (gzip's second byte is 0x8b, Zstandard's 0xb5), so the
//! S3 integration hands it over in base64, as it does any binary body.

use super::formats::ReadError;
use base64::Engine;
use serde_json::Value;
use std::io::Read;

/// How an object's body is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// By the key's extension, as AWS names them.
    fn of(key: &str) -> Compression {
        let key = key.to_ascii_lowercase();
        if key.ends_with(".gz") || key.ends_with(".gzip") {
            Compression::Gzip
        } else if key.ends_with(".zst") || key.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The text of the object `key` whose `getObject` body is `body`, decompressed by its
/// extension; at most `limit` bytes of text (what the reader may still read), so that a small
/// compressed object cannot expand past it.
pub(super) fn text(key: &str, body: Value, limit: usize) -> Result<String, ReadError> {
    let Value::String(body) = body else {
        return Ok(String::new());
    };
    let compression = Compression::of(key);
    if compression == Compression::None {
        if body.len() > limit {
            return Err(too_large(key));
        }
        // Moved, not copied: the object may be megabytes.
        return Ok(body);
    }
    // An empty object is an empty file, however it is named.
    if body.is_empty() {
        return Ok(String::new());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| format!("The object '{key}' is not {compression:?} data."))?;
    let mut out = Vec::new();
    let read = match compression {
        Compression::Gzip => flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map(drop)
            .map_err(|error| error.to_string()),
        _ => zstd(&bytes, limit, &mut out),
    };
    read.map_err(|error| format!("The object '{key}' could not be decompressed: {error}"))?;
    if out.len() > limit {
        return Err(too_large(key));
    }
    String::from_utf8(out).map_err(|_| format!("The object '{key}' is not UTF-8 text."))
}

/// Every Zstandard frame of `bytes`, one after the other, into `out` (at most `limit` + 1
/// bytes); skippable frames (as seekable and pzstd files have) are passed over. The decoder
/// bounds its window (128 MiB by default).
fn zstd(mut bytes: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), String> {
    use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
    while !bytes.is_empty() && out.len() <= limit {
        let decoder = match ruzstd::decoding::StreamingDecoder::new(&mut bytes) {
            Ok(decoder) => decoder,
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                length,
                ..
            })) => {
                // Its magic number and length are read; its content follows.
                bytes = bytes.get(length as usize..).unwrap_or_default();
                continue;
            }
            Err(error) => return Err(error.to_string()),
        };
        let room = (limit + 1 - out.len()) as u64;
        decoder
            .take(room)
            .read_to_end(out)
            .map_err(|error| error.to_string())?;
    }
    Ok(())
}

fn too_large(key: &str) -> ReadError {
    format!(
        "Reading the object '{key}' passes the {} MiB of items Fluxo reads for one Map Run.",
        super::reading::MAX_READ_BYTES >> 20
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn encoded(bytes: &[u8]) -> Value {
        Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    /// A Zstandard frame of raw (uncompressed) blocks: what `zstd --no-compress`-like
    /// encoders write; enough to check framing, since ruzstd only decodes.
    fn zstd_raw(text: &str) -> Vec<u8> {
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd];
        // Frame header: single segment, 1-byte content size.
        frame.push(0x20);
        frame.push(text.len() as u8);
        // One last raw block: header = last(1) | type raw(0) << 1 | size << 3, 3 bytes LE.
        let header = 1u32 | ((text.len() as u32) << 3);
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.extend_from_slice(text.as_bytes());
        frame
    }

    #[test]
    fn bodies_are_decompressed_by_their_key() {
        let plain = Value::String("a,b\n1,2\n".into());
        assert_eq!(text("data.csv", plain.clone(), 100).unwrap(), "a,b\n1,2\n");
        let zipped = encoded(&gzip("a,b\n1,2\n"));
        assert_eq!(
            text("data.csv.gz", zipped.clone(), 100).unwrap(),
            "a,b\n1,2\n"
        );
        assert_eq!(
            text("DATA.GZIP", zipped.clone(), 100).unwrap(),
            "a,b\n1,2\n"
        );
        // Two gzip members, as `cat a.gz b.gz` makes.
        let mut two = gzip("{\"a\":1}\n");
        two.extend(gzip("{\"a\":2}\n"));
        assert_eq!(
            text("x.jsonl.gz", encoded(&two), 100).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n"
        );
        // Two frames with a skippable frame (magic 0x184D2A50, 3 bytes) between them.
        let mut frames = zstd_raw("[1,");
        frames.extend([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        frames.extend(zstd_raw("2]"));
        assert_eq!(text("x.json.zstd", encoded(&frames), 100).unwrap(), "[1,2]");
        assert_eq!(
            text("x.json.zst", encoded(&zstd_raw("[]")), 100).unwrap(),
            "[]"
        );
    }

    #[test]
    fn what_cannot_be_read_or_grows_too_large_fails() {
        let plain = Value::String("not compressed".into());
        assert!(text("x.csv.gz", plain.clone(), 100)
            .unwrap_err()
            .contains("is not Gzip data"));
        let not_gzip = encoded(b"plain bytes");
        assert!(text("x.csv.gz", not_gzip.clone(), 100)
            .unwrap_err()
            .contains("could not be decompressed"));
        // 1 MiB of zeros compresses to about a kilobyte: stopped at the limit.
        let bomb = encoded(&gzip(&"0".repeat(1 << 20)));
        assert!(text("bomb.gz", bomb.clone(), 4096)
            .unwrap_err()
            .contains("passes the 256 MiB"));
        // 100 RLE blocks of 128 KiB each (12.5 MiB) in 406 bytes.
        let mut rle = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58];
        for block in 0..100u32 {
            let header = u32::from(block == 99) | (1 << 1) | ((128 * 1024) << 3);
            rle.extend_from_slice(&header.to_le_bytes()[..3]);
            rle.push(b'0');
        }
        assert!(text("bomb.zst", encoded(&rle), 4096)
            .unwrap_err()
            .contains("passes the 256 MiB"));
        let plain = Value::String("x".repeat(101));
        assert!(text("big.csv", plain.clone(), 100)
            .unwrap_err()
            .contains("passes the"));
        assert_eq!(
            text("nothing.csv.gz", Value::String(String::new()), 100).unwrap(),
            ""
        );
        let empty = encoded(&gzip(""));
        assert_eq!(text("empty.gz", empty, 100).unwrap(), "");
    }
}
