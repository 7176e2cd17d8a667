//! How responses become values or typed errors.

use std::time::Duration;

use r7_proto::crm::opportunity::*;
use r7_proto::{Format, ResponseError, parse_response};

use crate::support::response;

fn parse(resp: http::Response<bytes::Bytes>) -> Result<r7_model::Opportunity, ResponseError> {
    parse_response::<DeleteOpportunity>(&resp)
}

const NOT_FOUND_JSON: &str = r#"{"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}"#;
const NOT_FOUND_XML: &str = "<result><status>1</status><statusCode>404</statusCode><error><message>Not found</message><hresult>-2147467259</hresult><data /></error></result>";

#[test]
fn error_envelopes_become_api_errors_in_both_formats() {
    for resp in [
        response(404, Some("application/json; charset=UTF-8"), NOT_FOUND_JSON),
        response(404, Some("text/xml; charset=UTF-8"), NOT_FOUND_XML),
    ] {
        let err = parse(resp).expect_err("404");
        let api = err.api().expect("an API error");
        assert_eq!(api.status, 404);
        assert_eq!(api.status_code, Some(404));
        assert_eq!(api.message.as_deref(), Some("Not found"));
        assert_eq!(api.hresult, Some(-2147467259));
        assert!(err.is_not_found());
        assert_eq!(
            err.to_string(),
            "the portal answered HTTP 404 Not Found: Not found"
        );
    }
}

#[test]
fn an_error_envelope_in_a_200_is_still_an_error() {
    let body = r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range."}}"#;
    let err = parse(response(200, Some("application/json"), body)).expect_err("status 1");
    let api = err.api().expect("api error");
    assert_eq!(api.status, 200);
    assert_eq!(api.status_code, Some(400));
}

#[test]
fn a_proxy_page_is_an_http_error_with_a_short_snippet() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "padding ".repeat(500)
    );
    let err = parse(response(502, Some("text/html"), page.clone())).expect_err("502");
    match &err {
        ResponseError::Http {
            status,
            content_type,
            snippet,
        } => {
            assert_eq!(*status, 502);
            assert_eq!(content_type, "text/html");
            assert!(
                snippet
                    .as_str()
                    .starts_with("<html><head><title>502 Bad Gateway")
            );
            assert!(snippet.is_truncated());
        }
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("HTTP 502"), "{message}");
    assert!(message.len() < 400, "bounded: {} bytes", message.len());
    // Without a content type the HTML is recognised by its start.
    let err = parse(response(502, None, page)).expect_err("502");
    assert!(matches!(err, ResponseError::Http { .. }), "{err:?}");
}

#[test]
fn a_200_that_is_not_an_envelope_is_not_taken_for_a_value() {
    let err = parse(response(200, Some("text/html"), "<html>login page</html>")).expect_err("html");
    assert!(matches!(err, ResponseError::Http { .. }), "{err:?}");
    let err = parse(response(200, Some("application/json"), "")).expect_err("empty");
    assert!(
        matches!(
            err,
            ResponseError::Decode {
                format: Format::Json,
                ..
            }
        ),
        "{err:?}"
    );
    let err = parse(response(200, None, "")).expect_err("empty");
    assert!(matches!(err, ResponseError::Http { .. }), "{err:?}");
}

#[test]
fn unauthorized_has_its_own_variant_whatever_the_body() {
    for resp in [
        response(401, None, ""),
        response(401, Some("text/plain"), "Unauthorized"),
        response(401, Some("application/json"), NOT_FOUND_JSON),
    ] {
        let err = parse(resp).expect_err("401");
        assert!(matches!(err, ResponseError::Unauthorized), "{err:?}");
        assert_eq!(err.status(), 401);
    }
}

#[test]
fn rate_limits_carry_the_delay() {
    let body = r#"{"status":1,"statusCode":503,"error":{"message":"Rate limit reached. Try again after 2000 ms"}}"#;
    let resp = http::Response::builder()
        .status(503)
        .header("content-type", "application/json")
        .header("retry-after", "2")
        .body(bytes::Bytes::from(body))
        .expect("response");
    match parse(resp).expect_err("503") {
        ResponseError::RateLimited {
            retry_after,
            message,
            ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(2)));
            assert!(message.expect("message").starts_with("Rate limit reached"));
        }
        other => panic!("unexpected {other:?}"),
    }
    // A proxy's 429 with Retry-After is rate limiting too, and says it was a 429.
    let resp = http::Response::builder()
        .status(429)
        .header("content-type", "text/html")
        .header("retry-after", "7")
        .body(bytes::Bytes::from_static(b"<html>Too Many Requests</html>"))
        .expect("response");
    let err = parse(resp).expect_err("429");
    assert!(
        matches!(err, ResponseError::RateLimited { retry_after: Some(d), message: None, .. } if d == Duration::from_secs(7)),
        "{err:?}"
    );
    assert_eq!(err.status(), 429);
    assert!(err.to_string().contains("HTTP 429"), "{err}");
    // A 503 without Retry-After is an ordinary server error.
    let err = parse(response(503, Some("text/html"), "<html>maintenance</html>")).expect_err("503");
    assert!(matches!(err, ResponseError::Http { .. }), "{err:?}");
}

#[test]
fn a_wrong_shape_names_the_place() {
    let body = r#"{"count":1,"status":0,"statusCode":200,"response":{"title":"x","stage":{"stageType":"Sideways","id":1},"id":1}}"#;
    let err = parse(response(200, Some("application/json"), body)).expect_err("bad enum");
    match &err {
        ResponseError::Decode { path, format, .. } => {
            assert_eq!(*format, Format::Json);
            assert_eq!(path.as_deref(), Some("response.stage.stageType"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let body = r#"{"count":1,"status":0,"statusCode":200}"#;
    let err = parse(response(200, Some("application/json"), body)).expect_err("no response");
    assert!(err.to_string().contains("response"), "{err}");
}

#[test]
fn xml_errors_name_the_element_or_the_byte() {
    let body =
        "<result><status>0</status><response><title>x</title><id>12x</id></response></result>";
    match parse(response(200, Some("text/xml"), body)).expect_err("bad id") {
        ResponseError::Decode {
            format,
            path,
            reason,
            ..
        } => {
            assert_eq!(format, Format::Xml);
            assert_eq!(path.as_deref(), Some("result/response/id"));
            assert!(reason.contains("12x"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let body = "<!DOCTYPE r [<!ENTITY e \"boom\">]><result><status>0</status></result>";
    match parse(response(200, Some("text/xml"), body)).expect_err("doctype") {
        ResponseError::Decode { path, reason, .. } => {
            assert_eq!(path, None);
            assert!(reason.contains("DOCTYPE"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_malformed_sign_in_answer_never_quotes_its_value() {
    // A token where an object belongs: serde's own message would quote it.
    let body = r#"{"status":0,"statusCode":201,"response":"sekret-token-value-123"}"#;
    for content_type in ["application/json", "text/xml"] {
        let body = if content_type == "text/xml" {
            "<result><status>0</status><response><token><x>sekret-token-value-123</x></token><expires>sekret-token-value-123</expires></response></result>"
        } else {
            body
        };
        let err =
            parse_response::<r7_proto::Authenticate>(&response(201, Some(content_type), body))
                .expect_err("not an Authentication");
        assert!(
            matches!(err, ResponseError::Decode { .. }),
            "{content_type}: {err:?}"
        );
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("sekret"), "{content_type}: {text}");
        }
    }
    // Other endpoints keep the decoder's reason, which names what was wrong.
    let err = parse(response(
        200,
        Some("application/json"),
        r#"{"status":0,"response":"just text"}"#,
    ))
    .expect_err("not a deal");
    assert!(err.to_string().contains("just text"), "{err}");
}

#[test]
fn amounts_json_cannot_carry_are_refused_in_both_formats() {
    // JSON has no infinity or NaN, and serde_json refuses a number out of f64's range; the XML
    // form must not let through what the JSON form cannot say.
    let json = r#"{"status":0,"response":{"bidValue":1e400,"id":1}}"#;
    let err = parse(response(200, Some("application/json"), json)).expect_err("1e400");
    assert!(matches!(err, ResponseError::Decode { .. }), "{err:?}");
    for amount in ["inf", "NaN", "infinity", "1e400"] {
        let xml = format!(
            "<result><status>0</status><response><bidValue>{amount}</bidValue><id>1</id></response></result>"
        );
        match parse(response(200, Some("text/xml"), xml)).expect_err(amount) {
            ResponseError::Decode { path, .. } => {
                assert_eq!(
                    path.as_deref(),
                    Some("result/response/bidValue"),
                    "{amount}"
                );
            }
            other => panic!("{amount}: unexpected {other:?}"),
        }
    }
}

#[test]
fn a_204_is_no_content_only_where_nothing_is_expected() {
    use r7_proto::NoContent;
    use r7_proto::crm::opportunity::*;
    for content_type in [None, Some("application/json"), Some("text/xml")] {
        let resp = response(204, content_type, "");
        assert_eq!(
            parse_response::<SetOpportunityCreationDate>(&resp).expect("204 is NoContent"),
            NoContent
        );
        // An endpoint that returns a deal cannot make one out of nothing.
        let err = parse(response(204, content_type, "")).expect_err("204 for a deal");
        assert_eq!(err.status(), 204, "{err:?}");
        assert!(
            matches!(
                err,
                ResponseError::Http { .. } | ResponseError::Decode { .. }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn a_byte_order_mark_is_allowed_before_either_format() {
    let json = "\u{FEFF}{\"status\":0,\"response\":{\"title\":\"x\",\"id\":7}}";
    let xml = "\u{FEFF}<result><status>0</status><response><title>x</title><id>7</id></response></result>";
    for (content_type, body) in [
        (Some("application/json"), json),
        (None, json),
        (Some("text/xml"), xml),
        (None, xml),
    ] {
        let deal = parse(response(200, content_type, body)).expect("a BOM is no error");
        assert_eq!(
            (deal.id.get(), deal.title.as_str()),
            (7, "x"),
            "{content_type:?}"
        );
    }
}

/// `text` in windows-1251 (Cyrillic letters and ASCII only).
fn cp1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'Ё' => 0xA8,
            'ё' => 0xB8,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} is not in this test's windows-1251"),
        })
        .collect()
}

#[test]
fn bodies_in_windows_1251_are_transcoded_not_misread() {
    let title = "Поставка оборудования, этап Ё";
    let json = format!(r#"{{"status":0,"response":{{"title":"{title}","id":7}}}}"#);
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?><result><status>0</status><response><title>{title}</title><id>7</id></response></result>"
    );
    for (content_type, body) in [
        ("application/json; charset=windows-1251", cp1251(&json)),
        ("text/xml; charset=windows-1251", cp1251(&xml)),
        ("text/xml; charset=\"CP1251\"", cp1251(&xml)),
    ] {
        // Real windows-1251 bytes: not UTF-8, so nothing but transcoding can read them.
        assert!(std::str::from_utf8(&body).is_err());
        let deal = parse(response(200, Some(content_type), body)).expect(content_type);
        assert_eq!(deal.title, title, "{content_type}");
    }
    // An error envelope's message too.
    let error = r#"{"status":1,"statusCode":404,"error":{"message":"Сделка не найдена"}}"#;
    let err = parse(response(
        404,
        Some("application/json; charset=windows-1251"),
        cp1251(error),
    ))
    .expect_err("404");
    assert_eq!(
        err.api().and_then(|e| e.message.as_deref()),
        Some("Сделка не найдена")
    );
}

#[test]
fn an_unknown_charset_is_refused_by_name() {
    let body = r#"{"status":0,"response":{"title":"x","id":7}}"#;
    for charset in ["x-klingon", "iso-2022-kr"] {
        let content_type = format!("application/json; charset={charset}");
        let err = parse(response(200, Some(&content_type), body)).expect_err(charset);
        match &err {
            ResponseError::Charset {
                status,
                charset: named,
            } => {
                assert_eq!((status.as_u16(), named.as_str()), (200, charset));
            }
            other => panic!("{charset}: unexpected {other:?}"),
        }
        assert_eq!(err.status(), 200);
        assert!(err.to_string().contains(charset), "{err}");
    }
    // Bytes the charset does not define are a decode error, never replacement characters.
    let err = parse(response(
        200,
        Some("application/json; charset=windows-1253"),
        &b"{\"status\":0,\"response\":{\"title\":\"\xaa\",\"id\":7}}"[..],
    ))
    .expect_err("0xAA is not windows-1253");
    assert!(
        matches!(&err, ResponseError::Decode { reason, .. } if reason.contains("windows-1253")),
        "{err:?}"
    );
}

#[test]
fn an_array_where_an_object_belongs_is_a_decode_error() {
    // serde's derived structs also read a sequence of their fields in order; the server never
    // writes that, so `[]` or `[1, "x"]` for a deal is a wrong answer, not a deal of defaults.
    for (body, place) in [
        (r#"{"status":0,"response":[]}"#, "response"),
        (
            r#"{"status":0,"response":[null,"2024-01-01T00:00:00",[],null,"x"]}"#,
            "response",
        ),
        (
            r#"{"status":0,"response":{"stage":[1,"x"],"id":1}}"#,
            "response.stage",
        ),
        (
            r#"{"status":0,"response":{"createBy":[],"id":1}}"#,
            "response.createBy",
        ),
    ] {
        match parse(response(200, Some("application/json"), body)).expect_err(body) {
            ResponseError::Decode { path, reason, .. } => {
                assert_eq!(path.as_deref(), Some(place), "{body}");
                assert!(reason.contains("sequence"), "{body}: {reason}");
            }
            other => panic!("{body}: unexpected {other:?}"),
        }
    }
    // XML has no sequence of one element: two where one deal belongs is refused by count.
    let xml = "<result><status>0</status><response><id>1</id></response><response><id>2</id></response></result>";
    let err = parse(response(200, Some("text/xml"), xml)).expect_err("two deals");
    assert!(matches!(err, ResponseError::Decode { .. }), "{err:?}");
    // A list answer is still a sequence.
    let page = parse_response::<r7_proto::crm::opportunity::ListOpportunities>(&response(
        200,
        Some("application/json"),
        r#"{"status":0,"response":[]}"#,
    ))
    .expect("an empty page");
    assert!(page.is_empty());
}
