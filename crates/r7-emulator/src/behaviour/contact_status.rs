//! Contact statuses, the "temperatures" of contacts (`CRMApi.ListItem.cs:583` to `:766`,
//! `:1034`), entries of the CRM's lists (the shared steps are in `list_item`). A status needs a
//! colour to be created, and its colour has a route of its own, which works even while contacts
//! have the status; contacts never move to another status.

use super::list_item::{self, Column, Sent};
use crate::generated::args::{
    CreateContactStatusArgs, DeleteContactStatusArgs, GetContactStatusArgs,
    ListContactStatusesArgs, ReorderContactStatusesArgs, UpdateContactStatusColorArgs,
    UpdateContactStatusFieldsArgs,
};
use crate::ops::{Call, Outcome};
use crate::store::{Crm, ListKind};

const KIND: ListKind = ListKind::ContactStatus;

/// `POST contact/status` (`CRMApi.ListItem.cs:583`): no check of its own before the DAO's.
pub(crate) fn create_status(crm: &mut Crm, args: CreateContactStatusArgs, _: &Call) -> Outcome {
    let sent = Sent {
        title: args.title,
        description: args.description,
        color: args.color,
        image: None,
    };
    list_item::create(crm, KIND, sent)
}

/// `PUT contact/status/{id}` (`CRMApi.ListItem.cs:619`): a colour not sent is cleared.
pub(crate) fn update_status(
    crm: &mut Crm,
    args: UpdateContactStatusFieldsArgs,
    _: &Call,
) -> Outcome {
    let sent = Sent {
        title: args.title,
        description: args.description,
        color: args.color,
        image: None,
    };
    list_item::update(crm, KIND, args.status_id, sent)
}

/// `PUT contact/status/{id}/color` (`CRMApi.ListItem.cs:658`).
pub(crate) fn color_status(crm: &mut Crm, args: UpdateContactStatusColorArgs, _: &Call) -> Outcome {
    list_item::set(crm, KIND, args.status_id, Column::Color, args.color)
}

/// `PUT contact/status/reorder` (`CRMApi.ListItem.cs:693`).
pub(crate) fn reorder_status(
    crm: &mut Crm,
    args: ReorderContactStatusesArgs,
    call: &Call,
) -> Outcome {
    list_item::reorder(crm, KIND, &args.titles, call)
}

/// `DELETE contact/status/{id}` (`CRMApi.ListItem.cs:722`).
pub(crate) fn delete_status(crm: &mut Crm, args: DeleteContactStatusArgs, _: &Call) -> Outcome {
    let last = "The last contact status cannot be deleted";
    list_item::delete(crm, KIND, args.status_id, last)
}

/// `GET contact/status/{id}` (`CRMApi.ListItem.cs:757`).
pub(crate) fn get_status(crm: &mut Crm, args: GetContactStatusArgs, _: &Call) -> Outcome {
    list_item::get(crm, KIND, args.status_id)
}

/// `GET contact/status` (`CRMApi.ListItem.cs:1034`).
pub(crate) fn list_status(crm: &mut Crm, _: ListContactStatusesArgs, call: &Call) -> Outcome {
    list_item::list(crm, KIND, call)
}
