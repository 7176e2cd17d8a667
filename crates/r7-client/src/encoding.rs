//! Content codings: the client asks for gzip and deflate (portals sit behind nginx, and big
//! lists compress about tenfold) and decodes them, with the size cap applied to the decoded
//! bytes so that a small compressed body cannot expand without bound.

use std::io::Read;

use bytes::Bytes;
use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};
use http::header::CONTENT_ENCODING;
use http::{HeaderMap, StatusCode};

use crate::error::Error;

/// The `Accept-Encoding` the client sends.
pub const ACCEPT_ENCODING: &str = "gzip, deflate";

/// `body` with the codings its `Content-Encoding` names undone, at most `limit` bytes.
pub fn decode(
    headers: &HeaderMap,
    status: StatusCode,
    body: Bytes,
    limit: usize,
) -> Result<Bytes, Error> {
    // Nothing to undo in an empty body (a 204, a bare error); a 401 is refused whatever it
    // carries, and must stay a 401 so that the client signs in again.
    if body.is_empty() || status == StatusCode::UNAUTHORIZED {
        return Ok(body);
    }
    let mut codings = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let value = value.to_str().map_err(|_| Error::ContentEncoding {
            status,
            encoding: clip(&String::from_utf8_lossy(value.as_bytes())),
            problem: "is not a coding name".to_owned(),
        })?;
        codings.extend(value.split(',').map(str::trim).filter(|c| !c.is_empty()));
    }
    let mut body = body;
    // Codings are listed in the order they were applied, over all the header's lines.
    for coding in codings.into_iter().rev() {
        let coding = clip(&coding.to_ascii_lowercase());
        body = match coding.as_str() {
            "identity" => body,
            "gzip" | "x-gzip" => inflate(GzDecoder::new(&body[..]), &coding, status, limit)?,
            // HTTP's "deflate" is zlib-wrapped, but some servers send raw deflate.
            "deflate" if is_zlib(&body) => {
                inflate(ZlibDecoder::new(&body[..]), &coding, status, limit)?
            }
            "deflate" => inflate(DeflateDecoder::new(&body[..]), &coding, status, limit)?,
            _ => {
                return Err(Error::ContentEncoding {
                    status,
                    encoding: coding,
                    problem: "is not supported (the client asks for gzip or deflate)".to_owned(),
                });
            }
        };
    }
    Ok(body)
}

fn inflate(
    decoder: impl Read,
    coding: &str,
    status: StatusCode,
    limit: usize,
) -> Result<Bytes, Error> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    decoder
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| Error::ContentEncoding {
            status,
            encoding: coding.to_owned(),
            problem: format!("could not be decoded: {e}"),
        })?;
    if out.len() > limit {
        return Err(Error::BodyTooLarge { status, limit });
    }
    Ok(out.into())
}

/// At most 40 characters of a coding name from the server, for messages.
fn clip(name: &str) -> String {
    match name.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

/// Whether `body` starts with a zlib header (RFC 1950: deflate method, check bits).
fn is_zlib(body: &[u8]) -> bool {
    match body {
        [cmf, flg, ..] => cmf & 0x0F == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use http::HeaderValue;

    use super::*;

    fn headers(coding: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_ENCODING,
            HeaderValue::from_str(coding).expect("value"),
        );
        headers
    }

    fn compressed(coding: &str, data: &[u8]) -> Bytes {
        let level = Compression::default();
        let out = match coding {
            "gzip" => {
                let mut e = GzEncoder::new(Vec::new(), level);
                e.write_all(data).expect("write");
                e.finish()
            }
            "zlib" => {
                let mut e = ZlibEncoder::new(Vec::new(), level);
                e.write_all(data).expect("write");
                e.finish()
            }
            _ => {
                let mut e = DeflateEncoder::new(Vec::new(), level);
                e.write_all(data).expect("write");
                e.finish()
            }
        };
        out.expect("finish").into()
    }

    #[test]
    fn gzip_and_both_forms_of_deflate_are_decoded() {
        let data = br#"{"status":0,"response":{}}"#.repeat(100);
        for (form, coding) in [("gzip", "gzip"), ("zlib", "deflate"), ("raw", "deflate")] {
            let body = compressed(form, &data);
            let out = decode(&headers(coding), StatusCode::OK, body, 1 << 20).expect(form);
            assert_eq!(out, data, "{form}");
        }
        let plain = Bytes::from_static(b"{}");
        assert_eq!(
            decode(&HeaderMap::new(), StatusCode::OK, plain.clone(), 8).unwrap(),
            plain
        );
        assert_eq!(
            decode(&headers("identity"), StatusCode::OK, plain.clone(), 8).unwrap(),
            plain
        );
    }

    #[test]
    fn the_cap_applies_to_the_decoded_bytes() {
        let bomb = compressed("gzip", &vec![b' '; 10 << 20]);
        assert!(bomb.len() < 64 << 10, "{} bytes", bomb.len());
        let err = decode(&headers("gzip"), StatusCode::OK, bomb, 1 << 20).expect_err("too big");
        assert!(
            matches!(err, Error::BodyTooLarge { limit, .. } if limit == 1 << 20),
            "{err:?}"
        );
        let exact = compressed("gzip", &[b'x'; 1000]);
        assert_eq!(
            decode(&headers("gzip"), StatusCode::OK, exact, 1000)
                .unwrap()
                .len(),
            1000
        );
    }

    #[test]
    fn codings_over_several_lines_empty_bodies_and_401s() {
        let data = b"{}".repeat(50);
        let twice = {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(&compressed("gzip", &data)).expect("write");
            Bytes::from(e.finish().expect("finish"))
        };
        let mut headers = headers("gzip");
        headers.append(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(
            decode(&headers, StatusCode::OK, twice, 1 << 20).unwrap(),
            data
        );
        let empty = Bytes::new();
        assert!(
            decode(&headers, StatusCode::NO_CONTENT, empty, 8)
                .unwrap()
                .is_empty()
        );
        let body = Bytes::from_static(b"Unauthorized");
        let out = decode(
            &self::headers("br"),
            StatusCode::UNAUTHORIZED,
            body.clone(),
            64,
        );
        assert_eq!(out.unwrap(), body);
        let long = "x".repeat(500);
        let err = decode(
            &self::headers(&long),
            StatusCode::OK,
            Bytes::from_static(b"x"),
            8,
        )
        .expect_err("unknown");
        assert!(err.to_string().len() < 200, "{err}");
        assert_eq!(err.status(), Some(StatusCode::OK));
    }

    #[test]
    fn unknown_or_broken_codings_are_named() {
        let err =
            decode(&headers("br"), StatusCode::OK, Bytes::from_static(b"x"), 8).expect_err("br");
        assert!(err.to_string().contains("`br`"), "{err}");
        let err = decode(
            &headers("gzip"),
            StatusCode::OK,
            Bytes::from_static(b"not gzip"),
            8,
        )
        .expect_err("broken");
        assert!(matches!(err, Error::ContentEncoding { ref encoding, .. } if encoding == "gzip"));
    }
}
