//! Mail to contacts (`CRMApi.Contacts.cs:1748`, `MailSender.cs`). The emulator has no SMTP
//! server and emulates no sending, so no mailing is ever running or done: the status and the
//! cancel answer what the server answers then, `MailSender.GetStatus()`'s null (`{}`).

use crate::generated::args::{CancelContactsMailArgs, GetContactsMailStatusArgs};
use crate::ops::{Call, Outcome};
use crate::store::Crm;
use crate::wire::Reply;

/// `GET contact/mailsmtp/status` (`CRMApi.Contacts.cs:1790`).
pub(crate) fn status(_: &mut Crm, _: GetContactsMailStatusArgs, _: &Call) -> Outcome {
    Ok(Reply::Void)
}

/// `PUT contact/mailsmtp/cancel` (`CRMApi.Contacts.cs:1805`): the status before the cancel.
pub(crate) fn cancel(_: &mut Crm, _: CancelContactsMailArgs, _: &Call) -> Outcome {
    Ok(Reply::Void)
}
