//! Contacts, persons and companies (`CRMApi.Contacts.cs`): the forms built from the rows.

use r7_model::{Contact, ContactBase};

use crate::generated::{Wire, WireList};
use crate::ops::Entity;
use crate::store::{ContactRow, Crm, Table, TagKind};
use crate::wire::{Node, to_node};

impl Entity for Contact {
    type Row = ContactRow;

    fn table(crm: &Crm) -> &Table<ContactRow> {
        &crm.contacts
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<ContactRow> {
        &mut crm.contacts
    }

    /// `ToContactWrapper` (`CRMApi.Contacts.cs:2208`): a person with its company, a company
    /// with the number of its people (`GetMembersCount`) but not the people themselves, and no
    /// tags (the single form never sets them).
    fn read(crm: &Crm, id: i64) -> Option<Contact> {
        let row = crm.contacts.get(id)?;
        let mut contact = row.contact.clone();
        if contact.is_company {
            let people = crm
                .contacts
                .iter()
                .filter(|(_, p)| !p.contact.is_company && p.company_id == id)
                .count();
            contact.persons_count = i64::try_from(people).unwrap_or(i64::MAX);
        } else if row.company_id > 0 {
            contact.company = base(crm, row.company_id);
        }
        Some(contact)
    }

    /// `ToListContactWrapper` (`CRMApi.Contacts.cs:2096`) adds the tags, in name order
    /// (`OrderBy(x => x)`); the persons and the contact type are left out when it is written
    /// (`WireList`, from the spec).
    fn read_listed(crm: &Crm, id: i64) -> Option<Contact> {
        let mut contact = Self::read(crm, id)?;
        let mut tags = crm.tags.of(TagKind::Contact, id);
        tags.sort_by_key(|t| t.to_lowercase());
        contact.tags = tags;
        Some(contact)
    }

    fn one(&self) -> Node {
        to_node(&Wire(self))
    }

    fn list_item(&self) -> Node {
        to_node(&WireList(self))
    }
}

/// The short form of a contact (`ContactBaseWrapper`), as deals and companies embed it.
pub(crate) fn base(crm: &Crm, id: i64) -> Option<ContactBase> {
    crm.contacts.get(id).map(|row| row.contact.as_base())
}
