//! The stage pipeline: created, edited, coloured, reordered, deleted; never while it holds deals.

use crate::support::{
    ARGUMENT_JSON, CRM, NOT_FOUND_JSON, authed, error_message, form, get, ids, start, value,
};

#[tokio::test]
async fn stages_cannot_change_while_they_have_deals() {
    let emulator = start().await;
    let stages = value(&get(&emulator, &format!("{CRM}/stage")).await, 200);
    let list = stages["response"].as_array().unwrap();
    assert_eq!(
        serde_json::to_string(&list[0]).unwrap(),
        r##"{"color":"#e795c1","description":"The first contact with a potential buyer","id":1,"stageType":0,"successProbability":1,"title":"Initial contact"}"##,
        "serde_json sorts the members; the wire order is checked below"
    );
    let reply = get(&emulator, &format!("{CRM}/stage/30")).await;
    assert!(
        reply.text().starts_with(
            r##"{"count":1,"status":0,"statusCode":200,"response":{"relativeItemsCount":2,"successProbability":20,"stageType":0,"title":"Discussion","description":"The potential buyer showed his\/her interest and sees how your offering meets his\/her goal","color":"#B9AFD3","id":30}}"##
        ),
        "{}",
        reply.text()
    );

    let delete = authed(&emulator, "DELETE", &format!("{CRM}/stage/30")).await;
    assert_eq!(
        error_message(&delete, 400),
        "Can't be deleted. There are some opportunities at this stage."
    );
    let edit = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/30"),
        "title=New&color=%23000000",
    )
    .await;
    assert_eq!(
        error_message(&edit, 400),
        "Can't be edited. There are some opportunities at this stage."
    );
    assert_eq!(emulator.stage(30).unwrap().title, "Discussion");

    // A new stage goes to the end; it can be edited, coloured, moved and deleted.
    let reply = form(
        &emulator,
        "POST",
        &format!("{CRM}/stage"),
        "title=Pilot&color=%23abcdef&successProbability=35&stageType=Open",
    )
    .await;
    reply.assert_json(
        201,
        r##"{"count":1,"status":0,"statusCode":201,"response":{"successProbability":35,"stageType":0,"title":"Pilot","color":"#abcdef","id":31}}"##,
    );
    assert_eq!(emulator.stage_ids().last(), Some(&31));
    for bad in [
        "color=%23abcdef",
        "title=x",
        "title=x&color=%23a&successProbability=101",
    ] {
        form(&emulator, "POST", &format!("{CRM}/stage"), bad)
            .await
            .assert_json(400, ARGUMENT_JSON);
    }
    let edited = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/31"),
        "title=Pilot+project&successProbability=40&stageType=ClosedAndWon",
    )
    .await;
    let edited = value(&edited, 200)["response"].clone();
    assert_eq!(
        (edited["title"].as_str(), edited.get("color")),
        (Some("Pilot project"), None)
    );
    let colored = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/31/color"),
        "color=%23112233",
    )
    .await;
    assert_eq!(value(&colored, 200)["response"]["color"], "#112233");
    // Every stage, the new one first.
    let mut order = emulator.stage_ids();
    order.rotate_right(1);
    assert_eq!(order[0], 31);
    let body: Vec<String> = order.iter().map(|id| format!("ids={id}")).collect();
    let reordered = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/reorder"),
        &body.join("&"),
    )
    .await;
    assert_eq!(ids(&value(&reordered, 200)), order);
    assert_eq!(emulator.stage_ids(), order);
    assert_eq!(emulator.stage(31).unwrap().sort_order, 0);
    assert_eq!(emulator.stage(1).unwrap().sort_order, 1);
    let unknown = form(
        &emulator,
        "PUT",
        &format!("{CRM}/stage/reorder"),
        "ids=31&ids=404",
    )
    .await;
    assert_eq!(unknown.status, 500);
    let deleted = authed(&emulator, "DELETE", &format!("{CRM}/stage/31")).await;
    assert_eq!(value(&deleted, 200)["response"]["id"], 31);
    get(&emulator, &format!("{CRM}/stage/31"))
        .await
        .assert_json(404, NOT_FOUND_JSON);
    get(&emulator, &format!("{CRM}/stage/0"))
        .await
        .assert_json(400, ARGUMENT_JSON);
    assert_eq!(emulator.stage(31), None);
}
