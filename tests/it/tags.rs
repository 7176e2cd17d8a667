//! The tag routes through the client against the emulated portal, in JSON and in XML: what
//! the server does with names (trimmed, matched without case), links, counts, unused tags and
//! a company's group, as `CRMApi.Tag.cs` and `TagDao.cs` do it.

use r7_proto::crm::opportunity::ListOpportunities;
use r7_proto::crm::tag::*;
use r7_proto::*;

use crate::support::refused;

async fn tags(format: Format) {
    let (emulator, client) = crate::support::emulated(format).await;
    let deals = TagEntityType::Opportunity;
    let listed = |page: Page<r7_model::Tag>| -> Vec<(String, i64)> {
        page.items
            .into_iter()
            .map(|t| (t.title, t.relative_items_count))
            .collect()
    };

    // The seed's deal tags, by name with upper-cased characters compared (Latin before
    // Cyrillic), each with the number of deals that carry it.
    let all = client.send(&ListTags::new(deals)).await.expect("deal tags");
    let seeded = vec![
        ("VIP".to_owned(), 2),
        ("внедрение".to_owned(), 1),
        ("лицензии".to_owned(), 1),
        ("поддержка".to_owned(), 1),
    ];
    assert_eq!(listed(all), seeded);

    // A new tag: answered as sent, stored trimmed, linked to nothing (so no count is sent).
    let created = client
        .send(&CreateTag::new(deals, " Партнёр "))
        .await
        .expect("created");
    assert_eq!(created, " Партнёр ");
    let all = listed(client.send(&ListTags::new(deals)).await.expect("deal tags"));
    assert!(all.contains(&("Партнёр".to_owned(), 0)), "{all:?}");
    // Names are matched without case: "vip" is taken.
    let (status, message) = refused(client.send(&CreateTag::new(deals, "vip")).await);
    assert_eq!(
        (status, message.as_str()),
        (400, "Tag with this name already exists")
    );
    // Contact tags are a set of their own.
    client
        .send(&CreateTag::new(TagEntityType::Contact, "vip"))
        .await
        .expect("a contact tag of the same name");

    // Tagging a deal with "vip" links the existing "VIP"; tagging it again changes nothing.
    for _ in 0..2 {
        let added = client
            .send(&AddEntityTag::new(deals, 1236, "vip"))
            .await
            .expect("tagged");
        assert_eq!(added, "vip");
    }
    let on_1236 = client
        .send(&ListEntityTags::new(deals, 1236))
        .await
        .expect("tags");
    assert_eq!(on_1236.items, ["VIP", "внедрение"], "by tag, oldest first");
    let vip = client
        .send(&ListOpportunities::new().tags(["vip"]))
        .await
        .expect("deals tagged vip");
    let mut ids: Vec<i64> = vip.items.iter().map(|d| d.id.get()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [1235, 1236, 1237]);

    // A batch stops at the first deal that does not exist; the ones before it stay tagged.
    let (status, _) = refused(
        client
            .send(&AddTagToEntities::new(deals, [1234, 999, 1238], "batch"))
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(emulator.tags(1234), ["batch"]);
    assert!(emulator.tags(1238).is_empty());
    // A deal that does not exist has no tags to list; the emulator has no cases at all.
    let (status, _) = refused(client.send(&ListEntityTags::new(deals, 999)).await);
    assert_eq!(status, 404);
    let (status, _) = refused(
        client
            .send(&ListEntityTags::new(TagEntityType::Case, 1))
            .await,
    );
    assert_eq!(status, 404);

    // Taking a tag off a deal keeps the tag.
    client
        .send(&RemoveEntityTag::new(deals, 1235, "VIP"))
        .await
        .expect("removed");
    assert_eq!(emulator.tags(1235), ["лицензии"]);
    let all = listed(client.send(&ListTags::new(deals)).await.expect("deal tags"));
    assert!(all.contains(&("VIP".to_owned(), 2)), "{all:?}");

    // Unused tags: the one nothing carries.
    let unused = client
        .send(&DeleteUnusedTags::new(deals))
        .await
        .expect("unused deleted");
    assert_eq!(unused.items, ["Партнёр"]);
    let again = client
        .send(&DeleteUnusedTags::new(deals))
        .await
        .expect("none left");
    assert!(again.items.is_empty());

    // Deleting a tag takes it off everything; a second time it is not found.
    assert_eq!(
        client
            .send(&DeleteTag::new(deals, "vip"))
            .await
            .expect("deleted"),
        "vip"
    );
    assert_eq!(emulator.tags(1236), ["внедрение"]);
    assert_eq!(emulator.tags(1237), ["поддержка"]);
    let (status, _) = refused(client.send(&DeleteTag::new(deals, "vip")).await);
    assert_eq!(status, 404);

    // Deals the filter matches (the lost stage) get a tag in one call.
    client
        .send(&AddTagToOpportunitiesByFilter::new("lost").stage_id(9))
        .await
        .expect("tagged by filter");
    assert_eq!(emulator.tags(1238), ["lost"]);

    // A company's group: the company and its people.
    let group = ContactTagGroup::Company;
    client
        .send(&AddContactGroupTag::new(group, 101, "Partner"))
        .await
        .expect("group tagged");
    for contact in [101, 102] {
        let tags = client
            .send(&ListContactTags::new(contact))
            .await
            .expect("contact tags");
        assert!(tags.items.contains(&"Partner".to_owned()), "{contact}");
    }
    let untouched = client
        .send(&ListContactTags::new(103))
        .await
        .expect("another company's tags");
    assert!(untouched.items.is_empty());
    // The route names what the contact is; naming a company as a person is the server's 500.
    let (status, message) = refused(
        client
            .send(&AddContactGroupTag::new(ContactTagGroup::Person, 101, "x"))
            .await,
    );
    assert_eq!((status, message.as_str()), (500, "Contact is not a person"));
    // Taken off from a person: its company and all the company's people.
    client
        .send(&RemoveContactGroupTag::new(
            ContactTagGroup::Person,
            102,
            "partner",
        ))
        .await
        .expect("group untagged");
    for contact in [101, 102] {
        let tags = client
            .send(&ListContactTags::new(contact))
            .await
            .expect("contact tags");
        assert!(!tags.items.contains(&"Partner".to_owned()), "{contact}");
    }
    // A name no contact tag has is a 400 on this route, not a 404.
    let (status, _) = refused(
        client
            .send(&RemoveContactGroupTag::new(group, 101, "nothing"))
            .await,
    );
    assert_eq!(status, 400);

    emulator.shutdown().await;
}

#[tokio::test]
async fn tags_in_json() {
    tags(Format::Json).await;
}

#[tokio::test]
async fn tags_in_xml() {
    tags(Format::Xml).await;
}

#[test]
fn a_tag_request_refuses_what_the_server_would() {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = Token::new("token").expect("token");
    let context = RequestContext::new(&base, Some(&token));
    // An empty name and an id of 0 are refused before anything is sent.
    assert!(build_request(&CreateTag::new(TagEntityType::Contact, ""), &context).is_err());
    assert!(build_request(&AddEntityTag::new(TagEntityType::Case, 0, "x"), &context).is_err());
    let request = build_request(
        &AddContactGroupTag::new(ContactTagGroup::Person, 7, "a b"),
        &context,
    )
    .expect("built");
    assert_eq!(request.uri().path(), "/api/2.0/crm/person/7/tag/group.json");
    assert_eq!(&request.body()[..], b"tagName=a%20b");
}
