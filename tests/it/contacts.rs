//! The contact routes through the client against the emulated portal, in JSON and in XML:
//! persons and companies as the `Contact` enum, the filter and its orders, create, the
//! full-replacement updates, membership, statuses, access, merge and the deletes with what they
//! take along (`CRMApi.Contacts.cs`, `ContactDao.cs`).

use r7_model::{Contact, ContactInfoType, ContactKind, ContactListView, ShareType};
use r7_proto::crm::contact::*;
use r7_proto::crm::history::ListHistory;
use r7_proto::crm::opportunity::GetOpportunity;
use r7_proto::crm::task::GetTask;
use r7_proto::*;

use crate::support::{emulated, refused};

fn ids(page: &Page<Contact>) -> Vec<i64> {
    page.items.iter().map(|c| c.id().get()).collect()
}

fn person(contact: Contact) -> r7_model::Person {
    match contact {
        Contact::Person(p) => p,
        other => panic!("a person: {other:?}"),
    }
}

fn company(contact: Contact) -> r7_model::Company {
    match contact {
        Contact::Company(c) => c,
        other => panic!("a company: {other:?}"),
    }
}

async fn contacts(format: Format) {
    let (emulator, client) = emulated(format).await;
    let me = emulator.current_user().id;

    // A company in the single form: the number of its persons, its details, no tags.
    let north = company(client.send(&GetContact::new(101)).await.expect("101"));
    assert_eq!(north.company_name, "ООО «Северный ветер»");
    assert_eq!(north.persons_count, 1);
    assert_eq!(north.common_data.len(), 2);
    assert!(north.tags.is_empty(), "the single form has no tags");
    assert_eq!(
        north.about.as_deref(),
        Some(""),
        "read back without one: empty"
    );
    assert!(north.addresses.is_empty());
    // A person with its company, named first name first.
    let alexey = person(client.send(&GetContact::new(102)).await.expect("102"));
    assert_eq!(alexey.display_name, "Алексей Смирнов");
    assert_eq!(alexey.company.as_ref().map(|c| c.id.get()), Some(101));
    assert_eq!((alexey.task_count, alexey.is_private), (1, true));

    // The mail preview (`MailTemplateManager.Apply`): a person's fields, company, primary
    // e-mail and custom field; an unknown tag stays. For a company the common fields go by its
    // kind: a person's names are empty, both prefixes' company name is its own; an address part
    // comes from the first address when none is a primary work one.
    {
        use r7_model::CustomFieldType;
        use r7_proto::crm::contact_mail::PreviewContactsMail;
        use r7_proto::crm::custom_field::*;
        let person = CustomFieldEntityType::Person;
        let field = CreateCustomField::new(person, "Nickname", CustomFieldType::TextField)
            .mask(r#"{"size":"40"}"#);
        let nickname = client.send(&field).await.expect("a person field");
        let set = SetCustomFieldValue::new(person, 102, nickname.id, "Лёша");
        client.send(&set).await.expect("its value");
        let template = "$(Person.First Name) $(Person.Last Name), $(Person.Company Name), \
            $(Person.Email), $(Person.Nickname), $(Person.Unknown)";
        let preview = client.send(&PreviewContactsMail::new(template, 102)).await;
        assert_eq!(
            preview.expect("102"),
            "Алексей Смирнов, ООО «Северный ветер», a.smirnov@north-wind.example, Лёша, \
             $(Person.Unknown)"
        );
        let template = "[$(Person.First Name)] $(Company.Company Name) / $(Person.Company Name) \
            $(Company.Phone)";
        let preview = client.send(&PreviewContactsMail::new(template, 101)).await;
        assert_eq!(
            preview.expect("101"),
            "[] ООО «Северный ветер» / ООО «Северный ветер» +7 495 123-45-67"
        );
        let preview = PreviewContactsMail::new("$(Company.Address City)", 103);
        let preview = client.send(&preview).await;
        assert_eq!(preview.expect("103"), "Moscow");
        // An unknown contact is an `ArgumentException`, and so is an id of 0, which the client
        // refuses to send: sent raw, the server's 400.
        let unknown = PreviewContactsMail::new("Hello", 999);
        assert_eq!(refused(client.send(&unknown).await).0, 400);
        let zero = Raw::post("api/2.0/crm/contact/mailsmtp/preview")
            .form("template", "Hello")
            .form("contactId", 0);
        assert_eq!(refused(client.send(&zero).await).0, 400);
        let delete = DeleteCustomField::new(person, nickname.id);
        client.send(&delete).await.expect("field deleted");
    }

    // The list: newest first whatever the order asked; tags in the list form; `total` counts.
    let all = client.send(&ListContacts::new()).await.expect("contacts");
    assert_eq!(ids(&all), [104, 103, 102, 101]);
    assert_eq!(all.total, Some(4));
    assert_eq!(all.items[3].tags(), ["Клиент"]);
    let companies = client
        .send(&ListContacts::new().view(ContactListView::Company))
        .await
        .expect("companies");
    assert_eq!(ids(&companies), [103, 101]);
    let by_name = client
        .send(
            &ListContacts::new()
                .sort_by(ContactSortBy::DisplayName)
                .sort_order(SortOrder::Ascending),
        )
        .await
        .expect("by name");
    assert_eq!(
        ids(&by_name),
        [103, 102, 104, 101],
        "Latin before Cyrillic; а, м, о"
    );
    // The search reads the stored name: a person's last name is not the start of a word.
    let found = client
        .send(&ListContacts::new().filter_value("ветер"))
        .await
        .expect("a word");
    assert_eq!(ids(&found), [101]);
    let first = client
        .send(&ListContacts::new().filter_value("алексей"))
        .await
        .expect("a first name");
    assert_eq!(ids(&first), [102]);
    let last = client
        .send(&ListContacts::new().filter_value("Смирнов"))
        .await
        .expect("a last name");
    assert!(last.items.is_empty(), "stored as Алексей!=!Смирнов");
    let tagged = client
        .send(&ListContacts::new().tags(["клиент"]))
        .await
        .expect("a tag");
    assert_eq!(ids(&tagged), [101]);
    let private = client
        .send(&ListContacts::new().is_shared(false))
        .await
        .expect("private ones");
    assert_eq!(ids(&private), [104, 102]);

    // A new person in a company: the answer as sent (no `about`), the company counts it.
    let olga = client
        .send(
            &CreatePerson::new("Ольга", "", ShareType::ReadWrite)
                .job_title("Юрист")
                .company_id(101),
        )
        .await
        .expect("created");
    assert_eq!(
        olga.display_name, "Ольга ",
        "an empty last name keeps its space"
    );
    assert_eq!(olga.about, None);
    assert_eq!(olga.company.as_ref().map(|c| c.id.get()), Some(101));
    assert!(olga.is_shared && !olga.is_private);
    let north = company(client.send(&GetContact::new(101)).await.expect("101"));
    assert_eq!(north.persons_count, 2);
    let (status, _) = refused(
        client
            .send(&CreatePerson::new("X", "Y", ShareType::None).company_id(999))
            .await,
    );
    assert_eq!(status, 404, "a company that does not exist");

    // A status ("Cold", then "Warm"); the company's route sets its persons' too and answers the
    // company's old one.
    let set = client
        .send(&UpdateContactStatus::new(102, 13))
        .await
        .expect("a status");
    assert_eq!(set.contact_status().map(|s| s.id.get()), Some(13));
    let answered = client
        .send(&UpdateCompanyStatus::new(101, 14))
        .await
        .expect("the company's status");
    assert_eq!(answered.contact_status(), None, "the old status, none");
    let alexey = client.send(&GetContact::new(102)).await.expect("102");
    assert_eq!(alexey.contact_status().map(|s| s.id.get()), Some(14));
    let (status, _) = refused(client.send(&UpdateCompanyStatus::new(102, 14)).await);
    assert_eq!(status, 500, "a person's id");
    let (status, _) = refused(client.send(&UpdateContactStatus::new(102, 999)).await);
    assert_eq!(status, 404, "a status that does not exist");

    // An update replaces the row: the status is reset, and without a company the person
    // leaves it.
    let updated = client
        .send(&UpdatePerson::new(
            102,
            "Алексей",
            "Смирнов",
            ShareType::None,
        ))
        .await
        .expect("updated");
    assert_eq!(updated.contact_status, None);
    assert_eq!(
        updated.title, "",
        "the job title it did not send is cleared"
    );
    assert!(updated.company.is_none());
    let (status, _) = refused(
        client
            .send(&UpdatePerson::new(999, "A", "B", ShareType::None))
            .await,
    );
    assert_eq!(status, 400, "not a 404");

    // Membership: joining a second company keeps the first one's row.
    client
        .send(&AddPersonToCompany::new(101, 104))
        .await
        .expect("joined");
    let hotel = company(client.send(&GetContact::new(103)).await.expect("103"));
    assert_eq!(hotel.persons_count, 1, "104 is still in 103's list");
    let staff = client
        .send(&ListCompanyPersons::new(101))
        .await
        .expect("persons");
    assert_eq!(ids(&staff), [104, olga.id.get()]);
    let left = client
        .send(&RemovePersonFromCompany::new(101, 104))
        .await
        .expect("left");
    assert_eq!(
        left.company.as_ref().map(|c| c.id.get()),
        Some(101),
        "the answer is the person as it was"
    );
    let hotel = company(client.send(&GetContact::new(103)).await.expect("103"));
    assert_eq!(hotel.persons_count, 0, "every membership goes");

    // Access: the answer is the contact before the change.
    let before = client
        .send(&SetContactAccess::new(104, false).managers([me]))
        .await
        .expect("private");
    assert!(before.is_private(), "104 was private already");
    let users = client
        .send(&GetContactAccess::new(104))
        .await
        .expect("access list");
    assert_eq!(users.items.iter().map(|u| u.id).collect::<Vec<_>>(), [me]);
    let shared = client
        .send(&SetContactsAccess::new([104], true))
        .await
        .expect("shared");
    assert!(
        shared.items[0].is_private(),
        "the answer shows it as it was"
    );
    let users = client
        .send(&GetContactAccess::new(104))
        .await
        .expect("access list");
    assert!(users.items.is_empty(), "a shared contact has none");

    // The details: who has an e-mail at this domain.
    let mails = client
        .send(&ListContactsByContactInfo::new(ContactInfoType::Email).data("NORTH-WIND"))
        .await
        .expect("by e-mail");
    assert_eq!(ids(&mails), [101, 102]);
    let prefix = client
        .send(&ListContactsByPrefix::new("ветер", 0))
        .await
        .expect("by prefix");
    assert_eq!(prefix.items.len(), 1);
    assert_eq!(
        prefix.items[0].phone.as_ref().map(|p| p.data.as_str()),
        Some("+7 495 123-45-67")
    );

    // Deals: a member joins and leaves; the primary contact cannot leave.
    let deal = client
        .send(&AddDealToContact::new(104, 1235))
        .await
        .expect("member");
    assert!(deal.members.iter().any(|m| m.id == 104));
    let (status, message) = refused(client.send(&RemoveDealFromContact::new(101, 1235)).await);
    assert_eq!(
        (status, message.as_str()),
        (403, "Can't unlink base contact")
    );
    // Projects: the emulator has none.
    let (status, _) = refused(client.send(&LinkContactToProject::new(101, 5)).await);
    assert_eq!(status, 404);

    // Merge: 103 into 101; its deal and its events follow, 103 is gone.
    let merged = company(
        client
            .send(&MergeContacts::new(103, 101))
            .await
            .expect("merged"),
    );
    assert_eq!(merged.id, 101);
    let (status, _) = refused(client.send(&GetContact::new(103)).await);
    assert_eq!(status, 404);
    let moved = client
        .send(&GetOpportunity::new(1236))
        .await
        .expect("103's deal");
    assert_eq!(moved.contact.as_ref().map(|c| c.id.get()), Some(101));

    // Delete: the contact's tasks and history go, its deals stay without it.
    let gone = client
        .send(&DeleteContact::new(102))
        .await
        .expect("deleted");
    assert_eq!(gone.kind(), ContactKind::Person);
    assert!(gone.common_data().is_empty(), "answered after the delete");
    let (status, _) = refused(client.send(&GetTask::new(1)).await);
    assert_eq!(status, 404, "102's task");
    let events = client.send(&ListHistory::new()).await.expect("history");
    assert!(
        events
            .items
            .iter()
            .all(|e| e.contact.as_ref().is_none_or(|c| c.id != 102))
    );
    let deal = client
        .send(&GetOpportunity::new(1237))
        .await
        .expect("102's deal");
    assert!(deal.contact.is_none());
    // The batch deletes: unknown ids skipped; by filter, every person.
    let batch = client
        .send(&DeleteContacts::new([999, 104]))
        .await
        .expect("batch");
    assert_eq!(
        batch.items.iter().map(|c| c.id.get()).collect::<Vec<_>>(),
        [104]
    );
    let persons = client
        .send(&DeleteContactsByFilter::new().view(ContactListView::Person))
        .await
        .expect("persons deleted");
    assert_eq!(
        persons.items.iter().map(|c| c.id.get()).collect::<Vec<_>>(),
        [olga.id.get()]
    );
    let left = client.send(&ListContacts::new()).await.expect("contacts");
    assert_eq!(ids(&left), [101]);

    // The avatar: the default picture.
    let avatar = client
        .send(&DeleteContactAvatar::new(101))
        .await
        .expect("avatar");
    assert_eq!(
        avatar,
        "/Products/CRM/App_Themes/default/images/empty_company_logo_200_200.png"
    );

    // Quick creates by name: empty names and pairs are skipped, each contact is private with
    // the caller alone on its access list, and one bad name fails the whole batch.
    let companies = client
        .send(&CreateCompanies::new(["Alpha", "", "Beta"]))
        .await
        .expect("companies");
    let persons = client
        .send(&CreatePersons::new([
            TextPair::new("Olga", "Morozova"),
            TextPair::new("Ivan", ""),
            TextPair::new(" Pavel ", " Orlov "),
        ]))
        .await
        .expect("persons");
    let quick: Vec<_> = companies.items.iter().chain(&persons.items).collect();
    let names: Vec<&str> = quick.iter().map(|c| c.display_name.as_str()).collect();
    assert_eq!(names, ["Alpha", "Beta", "Olga Morozova", "Pavel Orlov"]);
    for contact in &quick {
        assert!(contact.is_private, "{}", contact.display_name);
        let access: Vec<_> = contact.access_list.iter().map(|e| e.id).collect();
        assert_eq!(access, [me], "{}", contact.display_name);
    }
    assert_eq!(
        quick.iter().map(|c| c.is_company).collect::<Vec<_>>(),
        [true, true, false, false]
    );
    let olga = person(
        client
            .send(&GetContact::new(persons.items[0].id))
            .await
            .expect("read back"),
    );
    assert_eq!(
        (olga.first_name.as_str(), olga.last_name.as_str()),
        ("Olga", "Morozova")
    );
    let before = client.send(&ListContacts::new()).await.expect("contacts");
    let spaces = CreatePersons::new([TextPair::new("Anna", "Ivanova"), TextPair::new("  ", "X")]);
    assert_eq!(refused(client.send(&spaces).await).0, 400);
    let after = client.send(&ListContacts::new()).await.expect("contacts");
    assert_eq!(ids(&after), ids(&before), "none of the batch was created");

    // Mail: nothing was ever sent, so the status and the cancel are the server's null, `{}`
    // (`<response />`), and the send, which needs an SMTP server, says it is not emulated.
    use r7_proto::crm::contact_mail::*;
    let status = client.send(&GetContactsMailStatus::new()).await;
    assert_eq!(status.expect("status"), None);
    let cancelled = client.send(&CancelContactsMail::new()).await;
    assert_eq!(cancelled.expect("cancel"), None);
    let send = SendContactsMail::new(vec![101], "Offer", "Hello");
    assert_eq!(refused(client.send(&send).await).0, 501);
    // A photo goes as a multipart body, which the transport sends with its boundary; the
    // emulator, which decodes no pictures, says it does not emulate the route.
    use r7_proto::crm::contact_photo::ChangeContactPhoto;
    let photo = Upload::new("logo.png", "image/png", &b"\x89PNG\r\n\x1a\n"[..]);
    let upload = client.send(&ChangeContactPhoto::new(101, photo)).await;
    assert_eq!(refused(upload).0, 501);
    assert_eq!(
        emulator.calls_of(ChangeContactPhoto::ID),
        1,
        "routed to the upload"
    );

    emulator.shutdown().await;
}

#[tokio::test]
async fn contacts_in_json() {
    contacts(Format::Json).await;
}

#[tokio::test]
async fn contacts_in_xml() {
    contacts(Format::Xml).await;
}
