//! What a fresh emulator holds: deals, the pipeline's stages, contacts, custom fields, tags
//! and the signed-in user.
//!
//! The seed is data: the JSON files next to this module, compiled in with `include_str!` and
//! decoded with the `r7-model` types' own `Deserialize`. They are written in the portal's wire
//! form (member names and dates as the server's JSON answers write them), so the seed grows by
//! editing them, without Rust code. `README.md` in this folder tells where each value comes from
//! and which values must agree from file to file; the tests below and the CRM's
//! `the_seed_is_consistent` test check that they do.
//!
//! Two things are not read from the files. [`CURRENT_USER_ID`] is a `const`, and a `const`
//! cannot be decoded from JSON; `current_user.json` holds the same id, and a test keeps the two
//! equal. And [`seed_deal_tags`] returns no model type: the server has no wire form for the
//! tags of every deal at once (it answers one deal's tags as a list of strings), so
//! `deal_tags.json` is a plain object from deal id to tags, decoded with serde's own impls.

use std::collections::BTreeMap;

use r7_model::{
    Contact, CustomField, Employee, HistoryEvent, Opportunity, OpportunityStage, Task, Uuid,
};
use serde::de::DeserializeOwned;

/// A data file of the seed, compiled in: its name (for messages) and its text.
struct DataFile {
    name: &'static str,
    text: &'static str,
}

/// The [`DataFile`] of a file in this folder.
macro_rules! data_file {
    ($name:literal) => {
        DataFile {
            name: $name,
            text: include_str!($name),
        }
    };
}

const CURRENT_USER: DataFile = data_file!("current_user.json");
const OPPORTUNITIES: DataFile = data_file!("opportunities.json");
const STAGES: DataFile = data_file!("stages.json");
const CONTACTS: DataFile = data_file!("contacts.json");
const CUSTOM_FIELDS: DataFile = data_file!("custom_fields.json");
const DEAL_TAGS: DataFile = data_file!("deal_tags.json");
const TASKS: DataFile = data_file!("tasks.json");
const HISTORY: DataFile = data_file!("history.json");

/// Decodes a data file, the one place that does. The files are compiled in and
/// `tests::every_file_decodes` decodes each of them, so a bad file fails that test; should one
/// slip through anyway, the panic names the file and gives serde's message (with its line and
/// column) instead of failing somewhere in the emulator.
fn decode<T: DeserializeOwned>(file: &DataFile) -> T {
    serde_json::from_str(file.text).unwrap_or_else(|error| {
        panic!(
            "the emulator's seed file src/seed/{} does not decode: {error}",
            file.name
        )
    })
}

/// The id of the user every request runs as (see [`current_user`]).
pub const CURRENT_USER_ID: Uuid = Uuid::from_u128(0x93f3b8e1_5a2c_4e0f_9d7b_0c1e2f3a4b5c);

/// The user behind every accepted token: a CRM administrator, so every access check passes.
/// Deals created through the emulator are created by this user, and it is added to every access
/// list the emulator sets, as the server adds the caller.
pub fn current_user() -> Employee {
    decode(&CURRENT_USER)
}

/// The deals a fresh emulator holds (ids 1234 to 1238).
///
/// Deal [`SEED_OPPORTUNITY_ID`] is the sample response of the R7 documentation page for
/// `DELETE api/2.0/crm/opportunity/{opportunityid}`, unchanged except for its id: "Hotel
/// catalogue", created by Mike Zanyatski, in the "Discussion" stage. The others look like the
/// deals of a Russian portal (tenant at UTC+03:00, amounts in roubles): a monthly licence deal
/// with two members and custom fields, a won fixed-price deal, a private per-year deal with an
/// access list and a multi-line description, and a lost per-hour deal.
///
/// Their stages are [`seed_stages`] (1234 and 1237 in 30 "Discussion", 1235 in 6 "Prospect",
/// 1236 in 8 "Deal won", 1238 in 9 "Deal lost"), their members and primary contacts
/// [`seed_contacts`] 101 to 103 (the sample deal's contact has id 0, so it is not a contact of
/// the portal and not a member), their custom fields [`seed_custom_fields`] 7 to 9.
///
/// [`SEED_OPPORTUNITY_ID`]: crate::SEED_OPPORTUNITY_ID
pub fn seed_opportunities() -> Vec<Opportunity> {
    decode(&OPPORTUNITIES)
}

/// The stages a fresh emulator holds, in pipeline order (`sort_order` 0, 1, 2, ...).
///
/// Ids 1 to 9 are the stages a new portal is created with (titles, probabilities, colours and
/// kinds as the server's set-up code makes them; the descriptions are short English texts in
/// their spirit). Stage 30, "Discussion", is the stage of the documentation's sample deal
/// [`SEED_OPPORTUNITY_ID`]; it sits after "Suspect".
///
/// [`SEED_OPPORTUNITY_ID`]: crate::SEED_OPPORTUNITY_ID
pub fn seed_stages() -> Vec<OpportunityStage> {
    decode(&STAGES)
}

/// The contacts a fresh emulator holds: the members of the seed deals (101 to 103) and one
/// more person (104) who takes part in no deal. Companies' `persons` and `personsCount` are
/// not stored: the emulator counts the persons whose `company` is the company.
pub fn seed_contacts() -> Vec<Contact> {
    decode(&CONTACTS)
}

/// The deal custom fields a fresh emulator defines (ids 7 to 10): a text field, a date, a
/// check box and a select box. As definitions they carry no entity and no value.
pub fn seed_custom_fields() -> Vec<CustomField> {
    decode(&CUSTOM_FIELDS)
}

/// The tags of the seed deals, by deal id.
pub fn seed_deal_tags() -> Vec<(i64, Vec<String>)> {
    decode::<BTreeMap<i64, Vec<String>>>(&DEAL_TAGS)
        .into_iter()
        .collect()
}

/// The tasks of a fresh emulator, in the single form `GET api/2.0/crm/task/{id}` answers: a
/// call to a person about a deal, a done e-mail to a company and a note with no contact. The
/// emulator keeps each one's id, title, description, deadline, alert, closed flag, creation,
/// and the ids of its responsible user, category, contact and deal or case; the rest is what it
/// answers, which the integration tests compare with the file.
pub fn seed_tasks() -> Vec<Task> {
    decode(&TASKS)
}

/// The history of a fresh emulator, as `GET api/2.0/crm/history/filter` lists it: a call with
/// a person about a deal, a note on a company, a note on a person alone and an e-mail on a deal
/// with no contact. The emulator keeps each one's id, content, creation, and the ids of its
/// author, category, contact, deal or case and files; the rest is what it answers.
pub fn seed_history() -> Vec<HistoryEvent> {
    decode(&HISTORY)
}

#[cfg(test)]
mod tests {
    use r7_model::Currency;

    use super::*;

    #[test]
    fn every_file_decodes() {
        assert_eq!(current_user().id, CURRENT_USER_ID);
        assert!(!seed_opportunities().is_empty());
        assert!(!seed_stages().is_empty());
        assert!(!seed_contacts().is_empty());
        assert!(!seed_custom_fields().is_empty());
        assert!(!seed_deal_tags().is_empty());
        assert!(!seed_tasks().is_empty());
        assert!(!seed_history().is_empty());
    }

    #[test]
    #[should_panic(expected = "seed file src/seed/stages.json does not decode: invalid type")]
    fn a_bad_file_panics_with_its_name_and_the_reason() {
        let bad = DataFile {
            name: "stages.json",
            text: r#"[{"title": 7}]"#,
        };
        decode::<Vec<OpportunityStage>>(&bad);
    }

    /// What the Rust seed used to share between values by construction and the files now
    /// repeat. The CRM's `the_seed_is_consistent` test checks the rest: each deal's stage is
    /// in the pipeline and each member is a contact, in the contact's short form.
    #[test]
    fn the_files_agree_with_each_other() {
        let deals = seed_opportunities();
        let stages = seed_stages();
        let contacts = seed_contacts();
        let fields = seed_custom_fields();
        let base = |id: i64| {
            contacts
                .iter()
                .find(|c| c.id() == id)
                .unwrap_or_else(|| panic!("contact {id} is in contacts.json"))
                .as_base()
        };

        // The pipeline is in order.
        for (position, stage) in stages.iter().enumerate() {
            assert_eq!(
                usize::try_from(stage.sort_order),
                Ok(position),
                "stage {}",
                stage.id
            );
        }

        // One user is written the same wherever it appears.
        let mut users: BTreeMap<Uuid, Employee> = BTreeMap::new();
        let mut same_user = |user: &Employee| {
            let known = users.entry(user.id.get()).or_insert_with(|| user.clone());
            assert_eq!(known, user);
        };
        same_user(&current_user());
        for contact in &contacts {
            contact.create_by().iter().for_each(|u| same_user(u));
        }

        let mut currencies: BTreeMap<String, Currency> = BTreeMap::new();
        for deal in &deals {
            let id = deal.id.get();
            deal.create_by.iter().for_each(&mut same_user);
            deal.responsible.iter().for_each(&mut same_user);
            deal.access_list.iter().for_each(&mut same_user);

            // The embedded stage is the pipeline's, without `sortOrder`; the documentation's
            // sample keeps its own.
            let mut stage = deal.stage.clone().expect("every seed deal has a stage");
            if id != crate::SEED_OPPORTUNITY_ID {
                assert_eq!(stage.sort_order, 0, "deal {id}");
            }
            let row = stages
                .iter()
                .find(|s| s.id == stage.id)
                .expect("a seed stage");
            stage.sort_order = row.sort_order;
            assert_eq!(&stage, row, "deal {id}");

            // The primary contact is a member (the sample's contact 0 is no contact at all).
            if let Some(contact) = deal.contact.as_ref().filter(|c| c.id != 0) {
                assert_eq!(*contact, base(contact.id.get()), "deal {id}");
                assert!(deal.members.contains(contact), "deal {id}");
            }

            // One currency is written the same in every deal.
            if let Some(currency) = &deal.bid_currency {
                let known = currencies
                    .entry(currency.abbreviation.clone())
                    .or_insert_with(|| currency.clone());
                assert_eq!(known, currency, "deal {id}");
            }

            // A value is its definition with the deal's id and the value.
            for value in &deal.custom_fields {
                let mut field = fields
                    .iter()
                    .find(|f| f.id == value.id)
                    .expect("a seed custom field")
                    .clone();
                field.entity_id = id;
                field.field_value = value.field_value.clone();
                assert_eq!(*value, field, "deal {id}");
            }
        }

        for contact in &contacts {
            if let Contact::Person(person) = contact
                && let Some(company) = &person.company
            {
                assert_eq!(*company, base(company.id.get()), "contact {}", person.id);
            }
        }
        for (deal, _) in seed_deal_tags() {
            assert!(deals.iter().any(|d| d.id == deal), "tags of deal {deal}");
        }
    }

    #[test]
    fn ids_are_unique_and_start_with_the_sample() {
        let deals = seed_opportunities();
        let ids: Vec<i64> = deals.iter().map(|d| d.id.get()).collect();
        assert_eq!(ids, [1234, 1235, 1236, 1237, 1238]);
        assert!(deals[1..].iter().all(|d| d.can_edit));
    }

    #[test]
    fn seed_round_trips_through_json() {
        for deal in seed_opportunities() {
            let json = serde_json::to_string(&deal).unwrap();
            let back: Opportunity = serde_json::from_str(&json).unwrap();
            assert_eq!(back, deal);
        }
    }
}
