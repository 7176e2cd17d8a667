//! The contact routes beyond the common ones, through the client against the emulated portal,
//! in JSON and in XML: tagging what a contact (or case) filter matches
//! (`CRMApi.Tag.cs:208`, `:305`).

use r7_emulator::Emulator;
use r7_hyper::{Client, Error};
use r7_model::ContactListView;
use r7_proto::crm::contact::UpdateContactStatus;
use r7_proto::crm::tag::*;
use r7_proto::*;

use crate::support::emulated;

/// The tags each of `ids` carries, in the server's order.
async fn tags_of(client: &Client, ids: &[i64]) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for id in ids {
        let tags = client.send(&ListContactTags::new(*id)).await.expect("tags");
        all.push(tags.items);
    }
    all
}

async fn tag_by_filter(format: Format) {
    let (emulator, client): (Emulator, Client) = emulated(format).await;
    let seed = [101, 102, 103, 104];
    let before = tags_of(&client, &seed).await;

    // The stage and the type are plain `int`s here: left out they are 0, so a company with a
    // status is not tagged, though the view matches it.
    client
        .send(&UpdateContactStatus::new(103, 14))
        .await
        .expect("103 is warm");
    let name = client
        .send(&AddTagToContactsByFilter::new("Partner").view(ContactListView::Company))
        .await
        .expect("tagged");
    assert_eq!(name, "Partner");
    let after = tags_of(&client, &seed).await;
    assert_eq!(after[0], ["Клиент", "Partner"], "101 has no status");
    assert_eq!(
        after[1..],
        before[1..],
        "only the companies without a status"
    );
    // -1 is "any status" (and "any type"): now the warm company too.
    client
        .send(
            &AddTagToContactsByFilter::new("Partner")
                .view(ContactListView::Company)
                .status_id(-1)
                .type_id(-1),
        )
        .await
        .expect("tagged");
    let after = tags_of(&client, &seed).await;
    assert_eq!(after[2], ["Partner"]);
    assert_eq!(
        (&after[1], &after[3]),
        (&before[1], &before[3]),
        "no person is tagged"
    );
    // Tags (all of them, case ignored) and the search text narrow it like the contact list.
    client
        .send(
            &AddTagToContactsByFilter::new("Лояльный")
                .tags(["клиент", "PARTNER"])
                .status_id(-1),
        )
        .await
        .expect("tagged");
    client
        .send(&AddTagToContactsByFilter::new("Мария").filter_value("мария"))
        .await
        .expect("tagged");
    let after = tags_of(&client, &seed).await;
    assert_eq!(after[0], ["Клиент", "Partner", "Лояльный"]);
    assert_eq!(after[2], ["Partner"], "103 lacks «Клиент»");
    assert_eq!(after[3], ["Мария"]);
    assert_eq!(after[1], before[1]);
    // What no contact matches changes nothing, and still answers the name.
    let name = client
        .send(&AddTagToContactsByFilter::new("Никто").tags(["нет такого"]))
        .await
        .expect("nothing matches");
    assert_eq!(name, "Никто");
    let contact_tags = client
        .send(&ListTags::new(TagEntityType::Contact))
        .await
        .expect("contact tags");
    assert!(contact_tags.items.iter().all(|t| t.title != "Никто"));
    // No filter at all is refused before sending; `all()` means it.
    let error = client
        .send(&AddTagToContactsByFilter::new("Все"))
        .await
        .expect_err("no filter");
    assert!(
        matches!(error, Error::Build(BuildError::InvalidArgument { .. })),
        "{error}"
    );

    // Cases: the emulator has none, so nothing is tagged, no tag is made, and the name comes
    // back as the server answers it when nothing matches.
    let name = client
        .send(&AddTagToCasesByFilter::new("VIP").is_closed(false))
        .await
        .expect("no case");
    assert_eq!(name, "VIP");
    let case_tags = client
        .send(&ListTags::new(TagEntityType::Case))
        .await
        .expect("case tags");
    assert!(case_tags.items.is_empty(), "{case_tags:?}");

    emulator.shutdown().await;
}

#[tokio::test]
async fn tag_by_filter_in_json() {
    tag_by_filter(Format::Json).await;
}

#[tokio::test]
async fn tag_by_filter_in_xml() {
    tag_by_filter(Format::Xml).await;
}
