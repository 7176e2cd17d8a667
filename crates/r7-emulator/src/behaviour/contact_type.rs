//! Contact types (`CRMApi.ListItem.cs:779` to `:925`, `:1060`), entries of the CRM's lists (the
//! shared steps are in `list_item`). A type is a name only: create stores an empty description
//! and update clears description and colour; contacts never move to another type.

use super::list_item::{self, Sent};
use crate::generated::args::{
    CreateContactTypeArgs, DeleteContactTypeArgs, GetContactTypeArgs, ListContactTypesArgs,
    ReorderContactTypesArgs, UpdateContactTypeArgs,
};
use crate::ops::{Call, Outcome};
use crate::store::{Crm, ListKind};

const KIND: ListKind = ListKind::ContactType;

/// `POST contact/type` (`CRMApi.ListItem.cs:779`): the method sets the description to ""
/// (`:787`), so it is stored and answered as such.
pub(crate) fn create_type(crm: &mut Crm, args: CreateContactTypeArgs, _: &Call) -> Outcome {
    let sent = Sent {
        title: args.title,
        description: Some(String::new()),
        color: None,
        image: None,
    };
    list_item::create(crm, KIND, sent)
}

/// `PUT contact/type/{id}` (`CRMApi.ListItem.cs:812`): the method's `ListItem` has a name only
/// (`:822`).
pub(crate) fn update_type(crm: &mut Crm, args: UpdateContactTypeArgs, _: &Call) -> Outcome {
    let sent = Sent {
        title: args.title,
        description: None,
        color: None,
        image: None,
    };
    list_item::update(crm, KIND, args.type_id, sent)
}

/// `PUT contact/type/reorder` (`CRMApi.ListItem.cs:852`).
pub(crate) fn reorder_type(crm: &mut Crm, args: ReorderContactTypesArgs, call: &Call) -> Outcome {
    list_item::reorder(crm, KIND, &args.titles, call)
}

/// `DELETE contact/type/{id}` (`CRMApi.ListItem.cs:881`).
pub(crate) fn delete_type(crm: &mut Crm, args: DeleteContactTypeArgs, _: &Call) -> Outcome {
    let last = "The last contact type cannot be deleted";
    list_item::delete(crm, KIND, args.type_id, last)
}

/// `GET contact/type/{id}` (`CRMApi.ListItem.cs:916`).
pub(crate) fn get_type(crm: &mut Crm, args: GetContactTypeArgs, _: &Call) -> Outcome {
    list_item::get(crm, KIND, args.type_id)
}

/// `GET contact/type` (`CRMApi.ListItem.cs:1060`).
pub(crate) fn list_type(crm: &mut Crm, _: ListContactTypesArgs, call: &Call) -> Outcome {
    list_item::list(crm, KIND, call)
}
