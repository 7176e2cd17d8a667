//! What goes on the wire: exact bodies, etags, suffixes, bad ids, routing, auth, the connection.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use r7_emulator::{Config, DEFAULT_TOKEN, Emulator, SEED_OPPORTUNITY_ID};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{
    CRM, NOT_FOUND_JSON, SEED_PATH, authed, get, seed_deal_json, seed_deal_xml, send, start,
};

#[tokio::test]
async fn get_seed_deal_as_exact_json() {
    let emulator = start().await;
    assert_eq!(emulator.token(), DEFAULT_TOKEN);
    assert_eq!(
        emulator.base_url(),
        format!("http://127.0.0.1:{}/", emulator.addr().port())
    );
    let expected = format!(
        r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
        seed_deal_json()
    );
    for path in [
        SEED_PATH,
        "/api/2.0/crm/opportunity/1234.json",
        "/API/2.0/Crm/OPPORTUNITY/01234.JSON",
    ] {
        let reply = get(&emulator, path).await;
        reply.assert_json(200, &expected);
        let etag = reply.header("etag").unwrap();
        assert_eq!(etag.len(), 32);
        assert_eq!(reply.header("cache-control"), Some("max-age=0"));
    }
    // `Accept` does not choose the format.
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN), ("Accept", "text/xml")],
    )
    .await;
    reply.assert_json(200, &expected);
}

#[tokio::test]
async fn etags_differ_between_responses() {
    let emulator = start().await;
    let a = get(&emulator, SEED_PATH).await;
    let b = get(&emulator, SEED_PATH).await;
    assert_ne!(a.header("etag"), b.header("etag"));
}

#[tokio::test]
async fn xml_suffix_answers_xml_unless_the_request_is_json() {
    let emulator = start().await;
    let reply = get(&emulator, "/api/2.0/crm/opportunity/1234.xml").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    assert_eq!(reply.text(), seed_deal_xml());

    let reply = send(
        emulator.addr(),
        "GET",
        "/api/2.0/crm/opportunity/1234.xml",
        &[
            ("Authorization", DEFAULT_TOKEN),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
    )
    .await;
    reply.assert_json(
        200,
        &format!(
            r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
            seed_deal_json()
        ),
    );

    // Errors take the same form.
    let reply = get(&emulator, "/api/2.0/crm/opportunity/999.xml").await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    assert_eq!(
        reply.text(),
        "<result><status>1</status><statusCode>404</statusCode><error><message>Not found</message>\
         <hresult>-2147467259</hresult><data /></error></result>"
    );
}

#[tokio::test]
async fn other_seed_deals_show_the_full_model() {
    let emulator = start().await;
    assert_eq!(emulator.opportunity_ids(), [1234, 1235, 1236, 1237, 1238]);

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1235").await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains(r#""bidType":4,"bidValue":125000.0,"bidCurrency":{"title":"Rouble","symbol":"₽","abbreviation":"RUB","cultureName":"RU","isConvertable":true,"isBasic":false},"perPeriodValue":12,"#), "{text}");
    assert!(
        text.contains(r#""title":"Продление лицензий Р7-Офис""#),
        "{text}"
    );
    assert!(text.contains(r#""fieldValue":"Д-2024\/117""#), "{text}");
    assert!(text.contains(r#""smallFotoUrl":"\/Products\/CRM\/HttpHandlers\/filehandler.ashx?action=contactphotoulr&cid=101&isc=True&ps=1""#), "{text}");

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1237").await;
    let text = reply.text();
    assert!(
        text.contains(r#""title":"Техническая поддержка 24\/7""#),
        "{text}"
    );
    assert!(text.contains(r#"Пермь.\u000aРеакция"#), "{text}");
    assert!(
        text.contains(r#""isPrivate":true,"accessList":[{"#),
        "{text}"
    );

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1237.xml").await;
    let text = reply.text();
    assert!(
        text.contains("<bidType>5</bidType><bidValue>1500.5</bidValue>"),
        "{text}"
    );
    assert!(
        text.contains("<title>Техническая поддержка 24/7</title>"),
        "{text}"
    );
    assert!(text.contains("Пермь.\nРеакция"), "{text}");
    assert_eq!(text.matches("<accessList>").count(), 2, "{text}");

    let reply = get(&emulator, "/api/2.0/crm/opportunity/1235.xml").await;
    let text = reply.text();
    assert!(text.contains("<bidValue>125000</bidValue>"), "{text}");
    assert_eq!(text.matches("<members>").count(), 2, "{text}");
    assert!(
        text.contains("&amp;isc=True&amp;ps=1</smallFotoUrl>"),
        "{text}"
    );
}

#[tokio::test]
async fn delete_returns_the_deleted_deal_then_it_is_gone() {
    let emulator = start().await;
    let reply = authed(&emulator, "DELETE", SEED_PATH).await;
    reply.assert_json(
        200,
        &format!(
            r#"{{"count":1,"status":0,"statusCode":200,"response":{}}}"#,
            seed_deal_json()
        ),
    );
    assert_eq!(emulator.opportunity(SEED_OPPORTUNITY_ID), None);
    assert_eq!(emulator.opportunity_ids(), [1235, 1236, 1237, 1238]);

    get(&emulator, SEED_PATH)
        .await
        .assert_json(404, NOT_FOUND_JSON);
    authed(&emulator, "DELETE", SEED_PATH)
        .await
        .assert_json(404, NOT_FOUND_JSON);

    // What deletion removed is missing from the answer.
    let before = emulator.opportunity(1237).unwrap();
    assert!(before.is_private && !before.access_list.is_empty() && !before.members.is_empty());
    let reply = authed(&emulator, "DELETE", "/api/2.0/crm/opportunity/1237.json").await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains(r#""members":[]"#), "{text}");
    assert!(
        text.contains(
            r#""isPrivate":false,"accessList":[],"canEdit":true,"customFields":[],"id":1237}}"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn bad_ids() {
    let emulator = start().await;
    let zero = r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range.","hresult":-2147024809,"data":{}}}"#;
    get(&emulator, "/api/2.0/crm/opportunity/0")
        .await
        .assert_json(400, zero);
    authed(&emulator, "DELETE", "/api/2.0/crm/opportunity/000.json")
        .await
        .assert_json(400, zero);

    let overflow = r#"{"status":1,"statusCode":400,"error":{"message":"Input string was not in a correct format.","hresult":-2146233033,"data":{}}}"#;
    get(&emulator, "/api/2.0/crm/opportunity/2147483648")
        .await
        .assert_json(400, overflow);
    get(
        &emulator,
        "/api/2.0/crm/opportunity/99999999999999999999999",
    )
    .await
    .assert_json(400, overflow);
    get(&emulator, "/api/2.0/crm/opportunity/2147483647")
        .await
        .assert_json(404, NOT_FOUND_JSON);

    for path in [
        "/api/2.0/crm/opportunity/abc",
        "/api/2.0/crm/opportunity/-1",
        "/api/2.0/crm/opportunity/1234.txt",
        "/api/2.0/crm/opportunity/1234/",
        "/api/2.0/crm/opportunities/1234",
        "/",
    ] {
        get(&emulator, path).await.assert_html_404();
    }
    assert_eq!(emulator.opportunity_ids().len(), 5);
}

#[tokio::test]
async fn other_methods_have_no_route() {
    let emulator = start().await;
    for method in ["POST", "PATCH", "HEAD"] {
        let reply = authed(&emulator, method, SEED_PATH).await;
        assert_eq!(reply.status, 404, "{method}");
        if method != "HEAD" {
            reply.assert_html_404();
        }
    }
    // Routing comes before the auth filter.
    send(emulator.addr(), "POST", SEED_PATH, &[])
        .await
        .assert_html_404();
    // PUT on a deal is its update: routed, so the token is checked, then the title.
    let reply = send(emulator.addr(), "PUT", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 401);
    authed(&emulator, "PUT", SEED_PATH).await.assert_json(
        400,
        r#"{"status":1,"statusCode":400,"error":{"message":"Value does not fall within the expected range.","hresult":-2147024809,"data":{}}}"#,
    );
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());

    let reply = send(emulator.addr(), "OPTIONS", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE")
    );
}

#[tokio::test]
async fn unauthorized_is_plain_text() {
    let emulator = start().await;
    let reply = send(emulator.addr(), "DELETE", SEED_PATH, &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.text(), "Unauthorized");
    assert_eq!(reply.header("www-authenticate"), None);
    assert!(emulator.opportunity(SEED_OPPORTUNITY_ID).is_some());

    let wrong = [
        ("Authorization", "wrong"),
        ("Authorization", "bearer r7-emulator-token"),
        ("Authorization", "Basic cjc6cjc="),
    ];
    for header in wrong {
        let reply = send(
            emulator.addr(),
            "GET",
            "/api/2.0/crm/opportunity/1234.xml",
            &[header],
        )
        .await;
        assert_eq!(reply.status, 401, "{header:?}");
        assert_eq!(reply.header("content-type"), Some("text/plain"));
        assert_eq!(reply.text(), "Unauthorized");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Basic Realm=\"127.0.0.1\"")
        );
    }
    let reply = send(
        emulator.addr(),
        "GET",
        SEED_PATH,
        &[("Cookie", "asc_auth_key=wrong")],
    )
    .await;
    assert_eq!(
        (reply.status, reply.header("www-authenticate")),
        (401, None)
    );
}

#[tokio::test]
async fn bearer_and_cookie_are_accepted() {
    let emulator = start().await;
    let bearer = format!("Bearer {DEFAULT_TOKEN}");
    let cookie = format!("theme=dark; asc_auth_key={DEFAULT_TOKEN}");
    for header in [
        ("Authorization", bearer.as_str()),
        ("Cookie", cookie.as_str()),
    ] {
        let reply = send(emulator.addr(), "GET", SEED_PATH, &[header]).await;
        assert_eq!(reply.status, 200, "{header:?}");
    }
    let custom = Emulator::start(Config {
        token: "s3cret".into(),
        opportunities: Vec::new(),
        ..Config::default()
    })
    .await
    .unwrap();
    assert_eq!(custom.opportunity_ids(), Vec::<i64>::new());
    let reply = send(
        custom.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", "s3cret")],
    )
    .await;
    reply.assert_json(404, NOT_FOUND_JSON);
    let reply = send(
        custom.addr(),
        "GET",
        SEED_PATH,
        &[("Authorization", DEFAULT_TOKEN)],
    )
    .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn requests_served_counts_every_answer() {
    let emulator = start().await;
    assert_eq!(emulator.requests_served(), 0);
    get(&emulator, SEED_PATH).await;
    assert_eq!(emulator.requests_served(), 1);
    send(emulator.addr(), "GET", SEED_PATH, &[]).await;
    get(&emulator, "/nowhere").await;
    get(&emulator, "/api/2.0/crm/opportunity/0").await;
    assert_eq!(emulator.requests_served(), 4);
    // A connection that sends nothing is not a request.
    drop(TcpStream::connect(emulator.addr()).await.unwrap());
    get(&emulator, SEED_PATH).await;
    assert_eq!(emulator.requests_served(), 5);
}

/// Sends a request on an open hyper client connection and collects the answer.
async fn exchange(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    method: &str,
    path: &str,
) -> (u16, String) {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("authorization", DEFAULT_TOKEN)
        .body(Empty::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let emulator = start().await;
    let stream = TcpStream::connect(emulator.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    assert_eq!(exchange(&mut sender, "GET", SEED_PATH).await.0, 200);
    assert_eq!(exchange(&mut sender, "DELETE", SEED_PATH).await.0, 200);
    let (status, body) = exchange(&mut sender, "GET", SEED_PATH).await;
    assert_eq!((status, body.as_str()), (404, NOT_FOUND_JSON));
    assert_eq!(exchange(&mut sender, "POST", SEED_PATH).await.0, 404);
    assert_eq!(emulator.requests_served(), 4);

    // Shutdown closes the idle keep-alive connection instead of waiting for it.
    emulator.shutdown().await;
    connection.await.unwrap().unwrap();
}

#[tokio::test]
async fn shutdown_releases_the_port() {
    let emulator = start().await;
    let addr = emulator.addr();
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
    emulator.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
    let rebound = TcpListener::bind(addr).await.unwrap();
    drop(rebound);

    // A new emulator can take the same port.
    let again = Emulator::start(Config {
        addr,
        ..Config::default()
    })
    .await
    .unwrap();
    assert_eq!(again.addr(), addr);
    assert_eq!(get(&again, SEED_PATH).await.status, 200);
}

#[tokio::test]
async fn garbage_does_not_take_the_server_down() {
    let emulator = start().await;
    for junk in [
        &b"\x00\x01\x02 not http\r\n\r\n"[..],
        b"GET /api/2.0/crm/opportunity/1234 HTTP/1.1\r\nHost: \xff\xfe\r\nAuthorization: \xff\r\n\r\n",
        b"GET /api/2.0/crm/opportunity/1234 HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
    ] {
        let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
        stream.write_all(junk).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink).await;
    }
    assert_eq!(get(&emulator, SEED_PATH).await.status, 200);
}

#[tokio::test]
async fn every_endpoint_of_the_table_is_served() {
    let emulator = start().await;
    for info in r7_proto::ENDPOINTS {
        let path: Vec<&str> = info
            .route
            .split('/')
            .map(|s| match s.split_once(":(") {
                // An alternation: its first text.
                Some((_, texts)) => texts.split(['|', ')']).next().unwrap_or_default(),
                // A number where the route wants digits, a word where it takes any text (a
                // number there would reach the route of digits registered before it).
                None if s.starts_with('{') && s.contains(':') => "999",
                None if s.starts_with('{') => "word",
                None => s,
            })
            .collect();
        let path = format!("/{}", path.join("/"));
        for (suffix, content_type) in [
            ("", "application/json; charset=UTF-8"),
            (".xml", "text/xml; charset=UTF-8"),
        ] {
            let before = emulator.calls_of(info.id);
            let reply = authed(&emulator, info.method.as_str(), &format!("{path}{suffix}")).await;
            // Routed and dispatched to this endpoint's own function, whatever it answered.
            assert_eq!(
                emulator.calls_of(info.id),
                before + 1,
                "{} {path}{suffix} did not reach {}",
                info.method,
                info.name
            );
            assert_eq!(
                reply.header("content-type"),
                Some(content_type),
                "{} {path}{suffix}: {} {}",
                info.method,
                reply.status,
                reply.text()
            );
            // Only the routes the spec marks as not emulated may say so.
            assert_eq!(
                reply.status == 501,
                !Emulator::emulates(info.id),
                "{} {path}: {} {}",
                info.method,
                reply.status,
                reply.text()
            );
            // Without a token every route is refused by the auth filter, not the router.
            let anonymous = send(emulator.addr(), info.method.as_str(), &path, &[]).await;
            assert_eq!(anonymous.status, 401, "{} {path}", info.method);
        }
    }
}

#[tokio::test]
async fn xml_lists_repeat_the_response_element() {
    let emulator = start().await;
    let reply = get(&emulator, &format!("{CRM}/stage.xml?count=2")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=UTF-8")
    );
    assert_eq!(
        reply.text(),
        "<result><count>2</count><nextIndex>3</nextIndex><total>10</total><status>0</status><statusCode>200</statusCode>\
         <response><successProbability>1</successProbability><stageType>0</stageType><title>Initial contact</title>\
         <description>The first contact with a potential buyer</description><color>#e795c1</color><id>1</id></response>\
         <response><successProbability>2</successProbability><stageType>0</stageType><title>Preapproach</title>\
         <description>Learning about the potential buyer before the first meeting</description><color>#df7895</color><id>2</id></response>\
         </result>"
    );
    let deals = get(
        &emulator,
        &format!("{CRM}/filter.xml?opportunityStagesid=30"),
    )
    .await;
    let text = deals.text();
    assert!(
        text.starts_with("<result><count>2</count><total>2</total><status>0</status><statusCode>200</statusCode><response><createBy>"),
        "{text}"
    );
    assert_eq!(text.matches("<response>").count(), 2, "{text}");
    assert_eq!(
        text.matches("<accessList>").count(),
        2,
        "only the private deal's: {text}"
    );
    let empty = get(&emulator, &format!("{CRM}/filter.xml?filterValue=zzz")).await;
    assert_eq!(
        empty.text(),
        "<result><total>0</total><status>0</status><statusCode>200</statusCode></result>"
    );
}

/// The "simple" contact lists write the task first, in its short form, and leave out of the
/// contact what `ToSimpleListContactWrapper` never assigns (`CRMApi.Contacts.cs:1857`).
#[tokio::test]
async fn simple_contacts_leave_out_what_their_wrapper_never_sets() {
    let emulator = start().await;
    let path = "/api/2.0/crm/contact/simple/byEmail.json?term=smirnov&maxCount=5";
    let reply = get(&emulator, path).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply.text().contains(r#""response":[{"task":{"title":"#),
        "{}",
        reply.text()
    );
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let item = &body["response"][0];
    let keys = |v: &serde_json::Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(&item["task"]),
        [
            "alertValue",
            "category",
            "deadLine",
            "description",
            "id",
            "responsible",
            "title"
        ]
    );
    assert!(item["task"]["category"].get("relativeItemsCount").is_none());
    let contact = item["contact"].as_object().unwrap();
    for absent in [
        "addresses",
        "customFields",
        "tags",
        "taskCount",
        "contactStatus",
    ] {
        assert!(!contact.contains_key(absent), "{absent}: {}", reply.text());
    }
    for present in ["commonData", "company", "firstName", "industry"] {
        assert!(contact.contains_key(present), "{present}: {}", reply.text());
    }
    assert_eq!(contact["haveLateTasks"], false);
}

/// The seed's tasks and history are data files in the wire form; the emulator keeps only their
/// ids and values, so what it answers must be the files again, every member (a category title,
/// a contact's short form or a deal's title that disagreed with the other files would show).
#[tokio::test]
async fn the_seed_tasks_and_history_are_answered_as_their_files_write_them() {
    let emulator = start().await;
    let file = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    let tasks = file(include_str!("../../src/seed/tasks.json"));
    for task in tasks.as_array().unwrap() {
        let id = &task["id"];
        let reply = get(&emulator, &format!("/api/2.0/crm/task/{id}.json")).await;
        let answer: serde_json::Value = serde_json::from_str(reply.text()).unwrap();
        assert_eq!(&answer["response"], task, "task {id}");
    }
    let mut history = file(include_str!("../../src/seed/history.json"));
    let reply = get(&emulator, "/api/2.0/crm/history/filter.json?sortBy=id").await;
    let answer: serde_json::Value = serde_json::from_str(reply.text()).unwrap();
    // Sorted by id, ascending: the file's order.
    let events = history.as_array_mut().unwrap();
    events.sort_by_key(|e| e["id"].as_i64());
    assert_eq!(answer["response"], serde_json::Value::Array(events.clone()));
}
