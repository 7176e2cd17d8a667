use r7_model::{Opportunity, OpportunityStage, StageType};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{from_slice, from_str};

#[derive(Debug, PartialEq, Deserialize)]
struct Envelope<T> {
    status: i32,
    response: T,
}

#[derive(Debug, Deserialize)]
struct List<T> {
    #[serde(default)]
    response: Vec<T>,
}

fn stage(id: i64) -> String {
    format!("<response><stageType>0</stageType><title>S{id}</title><id>{id}</id></response>")
}

fn error_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(xml: &str) -> String {
    from_str::<T>(xml).unwrap_err().to_string()
}

#[test]
fn seed_sample_decodes_like_its_json_form() {
    let from_xml: Envelope<Opportunity> =
        from_slice(include_bytes!("testdata/opportunity.xml")).unwrap();
    let from_json: Envelope<Opportunity> =
        serde_json::from_str(include_str!("testdata/opportunity.json")).unwrap();
    assert_eq!(from_xml, from_json);
    // The cases where the two forms differ most: `<currency />` and `<description></description>`.
    let contact = from_xml.response.contact.as_ref().unwrap();
    assert_eq!(contact.currency, None);
    assert!(contact.is_private);
    assert_eq!(from_xml.response.description, "");
    assert_eq!(from_xml.response.stage.as_ref().unwrap().sort_order, 2);
    assert_eq!(from_xml.response.title, "Hotel catalogue");
}

#[test]
fn repeated_elements_are_lists() {
    let two = format!(
        "<result><status>0</status>{}{}</result>",
        stage(1),
        stage(2)
    );
    let list: List<OpportunityStage> = from_str(&two).unwrap();
    assert_eq!(
        list.response.iter().map(|s| s.id).collect::<Vec<_>>(),
        [1, 2]
    );

    let one: List<OpportunityStage> = from_str(&format!("<result>{}</result>", stage(7))).unwrap();
    assert_eq!(one.response.len(), 1);
    assert_eq!(one.response[0].title, "S7");

    let none: List<OpportunityStage> = from_str("<result><status>0</status></result>").unwrap();
    assert!(none.response.is_empty());

    // An array that is not the last member, with another element between its items.
    let xml = "<result><response><members><id>1</id></members><title>T</title>\
               <members><id>2</id></members><members><id>3</id></members><id>9</id>\
               </response></result>";
    let deal: Envelope<Opportunity> =
        from_str(&xml.replace("</result>", "<status>0</status></result>")).unwrap();
    let ids: Vec<i64> = deal.response.members.iter().map(|m| m.id.get()).collect();
    assert_eq!(
        (ids, deal.response.title.as_str(), deal.response.id.get()),
        (vec![1, 2, 3], "T", 9)
    );

    // `null` in place of a list, and the same through a plain `Vec` field.
    let deal: Opportunity = from_str("<response><members /><accessList /></response>").unwrap();
    assert!(deal.members.is_empty() && deal.access_list.is_empty());
    let list: List<OpportunityStage> = from_str("<result><response /></result>").unwrap();
    assert!(list.response.is_empty());
}

#[test]
fn scalars_and_names() {
    #[derive(Debug, Deserialize)]
    struct Scalars {
        a: bool,
        b: bool,
        c: bool,
        d: bool,
        neg: i64,
        amount: f64,
        text: String,
        chars: String,
        none: Option<i32>,
        empty: String,
    }
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><!-- c --><r><a>True</a><b> true </b>\
               <c>1</c><d>FALSE</d><neg>-5</neg><amount>1500.5</amount>\
               <text>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#8381;&#x20BD;</text>\
               <chars><![CDATA[<not a tag>]]></chars><none/><empty></empty><unknown><x>1</x></unknown></r>";
    let s: Scalars = from_str(xml).unwrap();
    assert!(s.a && s.b && s.c && !s.d);
    assert_eq!((s.neg, s.amount), (-5, 1500.5));
    assert_eq!(s.text, "a <b> & \"c\" 'd' ₽₽");
    assert_eq!(s.chars, "<not a tag>");
    assert_eq!((s.none, s.empty.as_str()), (None, ""));

    // PascalCase names through the model's aliases, an enum sent as a number's text, and a
    // namespace prefix.
    let xml =
        "<result><Title>Won</Title><StageType>1</StageType><ns:ID>6</ns:ID><Extra /></result>";
    let stage: OpportunityStage = from_str(xml).unwrap();
    assert_eq!(
        (stage.title.as_str(), stage.stage_type, stage.id.get()),
        ("Won", StageType::ClosedAndWon, 6)
    );

    let _: IgnoredAny = from_str("<r><a><b/></a><a>x</a></r>").unwrap();

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Dot,
        Circle(f64),
    }
    let shapes: Vec<Shape> = from_str("<r><s>Dot</s><s><Circle>2.5</Circle></s></r>")
        .map(|r: std::collections::HashMap<String, Vec<Shape>>| r.into_values().flatten().collect())
        .unwrap();
    assert_eq!(shapes, [Shape::Dot, Shape::Circle(2.5)]);
}

#[test]
fn any_builds_json_values() {
    let xml = "<result><status>0</status><response><id>1</id><tag>a</tag><tag>b</tag>\
               <currency /><data><x>1</x></data></response></result>";
    let value: serde_json::Value = from_str(xml).unwrap();
    let expected = serde_json::json!({"status": "0", "response": {
        "id": "1", "tag": ["a", "b"], "currency": null, "data": {"x": "1"}}});
    assert_eq!(value, expected);
}

#[test]
fn refuses_dangerous_or_broken_documents() {
    let refused = [
        "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",
        "<!DOCTYPE x><x/>",
        "<x>&foo;</x>",
        "<x>&#0;</x>",
        "<a/><b/>",
        "<a></a>text",
        "",
        "  <!-- only a comment -->",
        "<a><b></a>",
        "<a><b>",
        "<a",
        "</a>",
    ];
    for xml in refused {
        let err = from_str::<IgnoredAny>(xml).unwrap_err();
        assert!(err.byte_offset().is_some(), "{xml}: {err}");
    }
    let err = from_slice::<IgnoredAny>(b"<a>\xff</a>").unwrap_err();
    assert_eq!(err.byte_offset(), Some(3));
    assert!(from_str::<IgnoredAny>("<a>&#x41;</a>\n").is_ok());
}

#[test]
fn depth_is_limited_without_overflowing_the_stack() {
    let nested = |depth: usize| "<a>".repeat(depth) + &"</a>".repeat(depth);
    assert!(from_str::<serde_json::Value>(&nested(64)).is_ok());
    let err = from_str::<serde_json::Value>(&nested(65)).unwrap_err();
    assert!(err.to_string().contains("deeper than 64"), "{err}");
    assert!(from_str::<IgnoredAny>(&nested(10_000)).is_err());
}

#[test]
fn content_errors_name_the_element() {
    let xml = "<result><status>0</status><response><id>12x</id></response></result>";
    let err = error_of::<Envelope<Opportunity>>(xml);
    assert!(
        err.contains("result/response/id") && err.contains("\"12x\""),
        "{err}"
    );

    let xml = format!(
        "<result><status>0</status>{}{}</result>",
        stage(1),
        stage(2).replace(">2<", ">z<")
    );
    let err = from_str::<List<OpportunityStage>>(&xml).unwrap_err();
    assert_eq!(err.path(), Some("result/response[1]/id"));

    let xml = "<result><status>0</status><response><stage><sortOrder>yes</sortOrder></stage></response></result>";
    assert!(error_of::<Envelope<Opportunity>>(xml).contains("result/response/stage/sortOrder"));

    // An error raised after the text was read (`deserialize_with`) still names its element.
    let xml = "<result><status>0</status><response><created>soon</created></response></result>";
    assert!(error_of::<Envelope<Opportunity>>(xml).contains("result/response/created:"));

    let err = error_of::<Envelope<Opportunity>>(
        "<result><status>0</status><response /><response /></result>",
    );
    assert!(
        err.contains("expected one <response> element, found 2"),
        "{err}"
    );

    let err =
        error_of::<Envelope<bool>>("<result><status>0</status><response>maybe</response></result>");
    assert!(
        err.contains("result/response") && err.contains("boolean"),
        "{err}"
    );

    let err = error_of::<Envelope<Opportunity>>(
        "<result><status>0</status><response>text</response></result>",
    );
    assert!(err.contains("expected child elements"), "{err}");

    // Floats JSON cannot carry are refused as JSON refuses them, at their element.
    for amount in ["inf", "-inf", "NaN", "infinity", "1e400", "-1e400"] {
        let xml = format!(
            "<result><status>0</status><response><bidValue>{amount}</bidValue></response></result>"
        );
        let err = from_str::<Envelope<Opportunity>>(&xml).unwrap_err();
        assert_eq!(err.path(), Some("result/response/bidValue"), "{amount}");
        assert!(err.message().contains("finite"), "{amount}: {err}");
    }
    let xml = "<result><status>0</status><response><bidValue>1e300</bidValue></response></result>";
    let deal: Envelope<Opportunity> = from_str(xml).unwrap();
    assert_eq!(deal.response.bid_value, 1e300);

    // Messages quote a bounded snippet, not the whole value.
    let long = "9".repeat(10_000) + "x";
    let err = error_of::<Envelope<i32>>(&format!("<result><status>{long}</status></result>"));
    assert!(err.len() < 200, "{err}");
}

#[test]
fn repeated_children_group_the_same_past_many_distinct_names() {
    // Forty distinct names (beyond the linear scan's limit), then repeats of the first and the
    // last: each name's elements must come together as one array, wherever they appear.
    let mut xml = String::from("<result>");
    for i in 0..40 {
        xml.push_str(&format!("<n{i}>a{i}</n{i}>"));
    }
    xml.push_str("<n0>b0</n0><n39>b39</n39><n0>c0</n0></result>");
    let map: std::collections::BTreeMap<String, Vec<String>> = from_str(&xml).unwrap();
    assert_eq!(map.len(), 40);
    assert_eq!(map["n0"], ["a0", "b0", "c0"]);
    assert_eq!(map["n39"], ["a39", "b39"]);
    assert_eq!(map["n20"], ["a20"]);
}

#[test]
fn text_is_assembled_from_its_pieces() {
    // Pieces from references, CDATA and line ends go to the tree's side buffer, one element
    // after the other; plain text stays in the document. Text beside children is ignored.
    let xml = "<r><a>x&amp;y</a><b>1&lt;2 &#x416;</b><c>plain</c><d>p<![CDATA[<q>]]>r</d>\
               <e>line\r\nnext</e><f>&quot;</f><g>  <h>in&amp;</h> tail &amp; </g><i></i></r>";
    let map: std::collections::BTreeMap<String, serde_json::Value> = from_str(xml).unwrap();
    let text = |name: &str| map[name].as_str().unwrap_or_default().to_owned();
    assert_eq!(text("a"), "x&y");
    assert_eq!(text("b"), "1<2 Ж");
    assert_eq!(text("c"), "plain");
    assert_eq!(text("d"), "p<q>r");
    assert_eq!(text("e"), "line\nnext");
    assert_eq!(text("f"), "\"");
    assert_eq!(map["g"], serde_json::json!({"h": "in&"}));
    assert_eq!(text("i"), "");
}
