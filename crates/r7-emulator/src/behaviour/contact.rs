//! Contacts, persons and companies (`CRMApi.Contacts.cs`): the forms built from the rows.

use r7_model::{Contact, ContactBase};

use crate::generated::{Wire, WireList};
use crate::ops::Entity;
use crate::store::{ContactRow, Crm, Table};
use crate::wire::{Node, to_node};

impl Entity for Contact {
    type Row = ContactRow;

    fn table(crm: &Crm) -> &Table<ContactRow> {
        &crm.contacts
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<ContactRow> {
        &mut crm.contacts
    }

    /// `ToContactWrapper` (`CRMApi.Contacts.cs:68`): a person with its company, a company with
    /// its persons. The list form (`ToListContactWrapper`) leaves out the persons and the
    /// contact type when it is written (`WireList`, from the spec).
    fn read(crm: &Crm, id: i64) -> Option<Contact> {
        let row = crm.contacts.get(id)?;
        let mut contact = row.contact.clone();
        if contact.is_company {
            contact.persons = crm
                .contacts
                .iter()
                .filter(|(_, p)| !p.contact.is_company && p.company_id == id)
                .filter_map(|(person, _)| base(crm, person))
                .collect();
            contact.persons_count = i64::try_from(contact.persons.len()).unwrap_or(i64::MAX);
        } else if row.company_id > 0 {
            contact.company = base(crm, row.company_id);
        }
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
