//! The exact requests the protocol layer builds.

use r7_proto::crm::opportunity::*;
use r7_proto::{AuthScheme, BaseUrl, BuildError, Format, RequestContext, Token, build_request};

fn token() -> Token {
    Token::new("tok-123").expect("valid token")
}

#[test]
fn delete_is_the_documented_method_path_and_headers() {
    let base = BaseUrl::parse("https://portal.example.com").expect("base");
    let token = token();
    let request = build_request(
        &DeleteOpportunity::new(1234),
        &RequestContext::new(&base, Some(&token)),
    )
    .expect("builds");
    assert_eq!(request.method(), http::Method::DELETE);
    assert_eq!(
        request.uri().to_string(),
        "https://portal.example.com/api/2.0/crm/opportunity/1234.json"
    );
    assert_eq!(request.uri().path(), "/api/2.0/crm/opportunity/1234.json");
    let headers = request.headers();
    let authorization = headers.get("authorization").expect("authorization");
    assert_eq!(authorization, "tok-123");
    assert!(authorization.is_sensitive());
    assert_eq!(headers.get("accept").expect("accept"), "application/json");
    assert!(
        headers.get("content-type").is_none(),
        "no body, so no content type"
    );
    assert!(headers.get("user-agent").is_some());
    let names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
    assert_eq!(names, ["accept", "user-agent", "authorization"]);
    assert!(request.body().is_empty());
}

#[test]
fn a_sub_path_portal_keeps_its_prefix() {
    for base in [
        "https://host.example/portal",
        "https://host.example/portal/",
    ] {
        let base = BaseUrl::parse(base).expect("base");
        let token = token();
        let request = build_request(
            &DeleteOpportunity::new(1234),
            &RequestContext::new(&base, Some(&token)),
        )
        .expect("builds");
        assert_eq!(
            request.uri().path(),
            "/portal/api/2.0/crm/opportunity/1234.json"
        );
    }
}

#[test]
fn xml_asks_with_the_suffix_and_never_claims_a_json_body() {
    let base = BaseUrl::parse("http://127.0.0.1:8092/").expect("base");
    let token = token();
    let context = RequestContext::new(&base, Some(&token)).with_format(Format::Xml);
    let request = build_request(&DeleteOpportunity::new(7), &context).expect("builds");
    assert_eq!(
        request.uri().to_string(),
        "http://127.0.0.1:8092/api/2.0/crm/opportunity/7.xml"
    );
    assert_eq!(request.headers().get("accept").expect("accept"), "text/xml");
    assert!(request.headers().get("content-type").is_none());
}

#[test]
fn bearer_scheme_is_available() {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = token();
    let mut context = RequestContext::new(&base, Some(&token));
    context.auth_scheme = AuthScheme::Bearer;
    let request = build_request(&GetOpportunity::new(5), &context).expect("builds");
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.headers().get("authorization").expect("auth"),
        "Bearer tok-123"
    );
}

#[test]
fn ids_the_server_would_refuse_are_refused_before_sending() {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = token();
    let context = RequestContext::new(&base, Some(&token));
    for id in [0, -1, i64::from(i32::MAX) + 1] {
        let err = build_request(&DeleteOpportunity::new(id), &context).expect_err("refused");
        match &err {
            BuildError::InvalidArgument { name, reason } => {
                assert_eq!(name, "opportunityid");
                assert!(reason.contains(&id.to_string()), "{reason}");
            }
            other => panic!("unexpected error {other:?}"),
        }
        assert!(err.to_string().contains("opportunityid"), "{err}");
    }
    assert!(build_request(&DeleteOpportunity::new(i64::from(i32::MAX)), &context).is_ok());
}

#[test]
fn a_missing_token_is_refused_before_sending() {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let err = build_request(
        &DeleteOpportunity::new(1),
        &RequestContext::new(&base, None),
    )
    .expect_err("refused");
    assert!(matches!(err, BuildError::MissingToken), "{err:?}");
}
