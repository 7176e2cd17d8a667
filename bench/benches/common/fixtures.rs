//! Realistic list payloads of any length, made from the golden fixtures.
//!
//! `tests/fixtures/opportunity/list.json` and `list.xml` hold two deals as the server writes
//! them: one with two members, a primary contact, currencies and a custom field, one private
//! with an access list. `tests/fixtures/contact/list.json` and `list.xml` hold two full contact
//! records: a company with an address, a status, three contact-info items (phone, e-mail, web
//! site), a custom field and two tags, and a person with its embedded company, a status, two
//! contact-info items (e-mail and phone), one tag and `currency: null`. A list of `n` items
//! repeats the fixture's two alternately, byte for byte as the fixture has them, with ids 1 to
//! `n`, inside an envelope with the paging numbers of an `n`-item page.

/// Which golden fixture a list repeats.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Items {
    /// The two deals of `tests/fixtures/opportunity/list.*`.
    Deals,
    /// The company and the person of `tests/fixtures/contact/list.*`.
    Contacts,
}

impl Items {
    /// The JSON fixture: an envelope with two items.
    fn json(self) -> &'static str {
        match self {
            Items::Deals => include_str!("../../../tests/fixtures/opportunity/list.json"),
            Items::Contacts => include_str!("../../../tests/fixtures/contact/list.json"),
        }
    }

    /// The XML form of the same answer.
    fn xml(self) -> &'static str {
        match self {
            Items::Deals => include_str!("../../../tests/fixtures/opportunity/list.xml"),
            Items::Contacts => include_str!("../../../tests/fixtures/contact/list.xml"),
        }
    }
}

/// One list answer in one format: the whole envelope, and the `response` payload alone.
pub(crate) struct ListPayload {
    /// The body the server sends: the envelope with its paging numbers and the items.
    pub(crate) envelope: String,
    /// Only the items, as a direct decode into a `Vec` of the model type reads them: a JSON
    /// array, or the repeated `<response>` elements of the XML form.
    pub(crate) inner: String,
}

/// A JSON list answer with `n` items.
pub(crate) fn json_list(items: Items, n: usize) -> ListPayload {
    let fixture = items.json();
    let start = fixture
        .find("\"response\":[")
        .expect("fixture has a response array")
        + "\"response\":[".len();
    let end = fixture.rfind("]}").expect("fixture ends with the array");
    let items = split_json_array(&fixture[start..end]);
    assert_eq!(items.len(), 2, "the fixture holds two items");
    let mut inner = String::with_capacity(n * (items[0].len() + items[1].len()) / 2 + 2);
    inner.push('[');
    for k in 0..n {
        if k > 0 {
            inner.push(',');
        }
        inner.push_str(&with_json_id(items[k % 2], k + 1));
    }
    inner.push(']');
    let envelope = format!(
        "{{\"count\":{n},\"nextIndex\":{},\"total\":{n},\"status\":0,\"statusCode\":200,\"response\":{inner}}}",
        n + 1
    );
    ListPayload { envelope, inner }
}

/// An XML list answer with `n` items.
pub(crate) fn xml_list(items: Items, n: usize) -> ListPayload {
    let items: Vec<&str> = items
        .xml()
        .split("<response>")
        .skip(1)
        .map(|rest| &rest[..rest.find("</response>").expect("element is closed")])
        .collect();
    assert_eq!(items.len(), 2, "the fixture holds two items");
    let mut inner = String::with_capacity(n * (items[0].len() + items[1].len()) / 2 + 32 * n);
    for k in 0..n {
        inner.push_str("<response>");
        inner.push_str(&with_xml_id(items[k % 2], k + 1));
        inner.push_str("</response>");
    }
    let envelope = format!(
        "<result><count>{n}</count><nextIndex>{}</nextIndex><total>{n}</total><status>0</status>\
         <statusCode>200</statusCode>{inner}</result>",
        n + 1
    );
    ListPayload { envelope, inner }
}

/// The members of a JSON array's content, split at its top-level commas.
fn split_json_array(content: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, 0usize);
    for (i, b) in content.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => {
                items.push(&content[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&content[start..]);
    items
}

/// The item with its own (last) `"id"` member set to `id`.
fn with_json_id(item: &str, id: usize) -> String {
    let at = item.rfind(",\"id\":").expect("an item ends with its id");
    format!("{},\"id\":{id}}}", &item[..at])
}

/// The item's content with its own (last) `<id>` element set to `id`.
fn with_xml_id(item: &str, id: usize) -> String {
    let at = item.rfind("<id>").expect("an item ends with its id");
    format!("{}<id>{id}</id>", &item[..at])
}
