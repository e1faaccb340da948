//! Content-Encoding decoders with an output cap, so a small compressed body can never
//! expand past the page size limit in memory.

use std::io::Read;

#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    TooLarge,
    Invalid,
    Unsupported,
}

/// Decodes `raw` per the Content-Encoding `encoding` (gzip, deflate, br, or a chain such
/// as `gzip, br` applied left to right), producing at most `cap` bytes.
pub fn decompress(encoding: &str, raw: &[u8], cap: u64) -> Result<Vec<u8>, DecodeError> {
    let mut body = raw.to_vec();
    // Codings are listed in the order they were applied, so undo them right to left.
    for coding in encoding.split(',').map(str::trim).rev() {
        body = match coding {
            "" | "identity" => body,
            "gzip" | "x-gzip" => read_capped(flate2::read::MultiGzDecoder::new(&body[..]), cap)?,
            "deflate" => deflate(&body, cap)?,
            "br" => read_capped(brotli::Decompressor::new(&body[..], 64 * 1024), cap)?,
            _ => return Err(DecodeError::Unsupported),
        };
    }
    Ok(body)
}

/// HTTP "deflate" is zlib-wrapped, but many servers send raw deflate; accept both.
fn deflate(body: &[u8], cap: u64) -> Result<Vec<u8>, DecodeError> {
    match read_capped(flate2::read::ZlibDecoder::new(body), cap) {
        Err(DecodeError::Invalid) => read_capped(flate2::read::DeflateDecoder::new(body), cap),
        other => other,
    }
}

fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    reader
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|_| DecodeError::Invalid)?;
    if out.len() as u64 > cap {
        return Err(DecodeError::TooLarge);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("write");
        encoder.finish().expect("finish")
    }

    #[test]
    fn gzip_and_deflate_round_trip() {
        assert_eq!(
            decompress("gzip", &gzip(b"hello docs"), 1024),
            Ok(b"hello docs".to_vec())
        );
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        zlib.write_all(b"zlib body").expect("write");
        assert_eq!(
            decompress("deflate", &zlib.finish().expect("finish"), 1024),
            Ok(b"zlib body".to_vec())
        );
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![0u8; 8 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(
            decompress("gzip", &bomb, 1024 * 1024),
            Err(DecodeError::TooLarge)
        );
    }

    #[test]
    fn garbage_and_unknown_codings_are_errors() {
        assert_eq!(
            decompress("gzip", b"not gzip at all", 1024),
            Err(DecodeError::Invalid)
        );
        assert_eq!(
            decompress("zstd", b"x", 1024),
            Err(DecodeError::Unsupported)
        );
    }
}
