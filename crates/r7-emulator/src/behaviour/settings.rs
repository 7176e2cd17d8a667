//! The CRM's settings that the contact pages use (`CRMApi.Utils.cs:117` to `:197`, `:352`,
//! stored in `CRMSettings`). Each route stores what it is sent and answers a bare value: the
//! value stored, whether the CRM is set up, or the web form's new key. No route reads them back.

use crate::generated::args::{
    ChangeWebFormKeyArgs, SetPortalConfiguredArgs, UpdateContactStatusSettingsArgs,
    UpdateContactTagSettingsArgs, UpdateMailToHistorySettingsArgs,
};
use crate::ops::{Call, Outcome};
use crate::store::Crm;
use crate::wire::{Node, Reply, fresh_guid};

/// What a `Boolean?` method answers: `true`, `false`, or `{}` for null (the framework writes a
/// null result as the empty object, counted 0).
fn nullable(value: Option<bool>) -> Reply {
    match value {
        Some(value) => Reply::One(Node::Bool(value)),
        None => Reply::Void,
    }
}

/// `PUT contact/status/settings` (`CRMApi.Utils.cs:117`): anyone may call it.
pub(crate) fn contact_status_settings(
    crm: &mut Crm,
    args: UpdateContactStatusSettingsArgs,
    _: &Call,
) -> Outcome {
    crm.settings.change_contact_status_group_auto = args.change_group_auto;
    Ok(nullable(args.change_group_auto))
}

/// `PUT contact/mailtohistory/settings` (`CRMApi.Utils.cs:141`): anyone may call it; not sent
/// is false.
pub(crate) fn mail_to_history_settings(
    crm: &mut Crm,
    args: UpdateMailToHistorySettingsArgs,
    _: &Call,
) -> Outcome {
    crm.settings.write_mail_to_history_auto = args.write_auto;
    Ok(Reply::One(Node::Bool(args.write_auto)))
}

/// `PUT contact/tag/settings` (`CRMApi.Utils.cs:164`): anyone may call it.
pub(crate) fn contact_tag_settings(
    crm: &mut Crm,
    args: UpdateContactTagSettingsArgs,
    _: &Call,
) -> Outcome {
    crm.settings.add_tag_to_contact_group_auto = args.add_group_auto;
    Ok(nullable(args.add_group_auto))
}

/// `PUT settings` (`CRMApi.Utils.cs:188`): what is not sent is true and a new key.
pub(crate) fn set_portal_configured(
    crm: &mut Crm,
    args: SetPortalConfiguredArgs,
    _: &Call,
) -> Outcome {
    let settings = &mut crm.settings;
    settings.is_configured_portal = args.configured.unwrap_or(true);
    settings.web_form_key = args.web_form_key.unwrap_or_else(fresh_guid);
    Ok(Reply::One(Node::Bool(settings.is_configured_portal)))
}

/// `PUT settings/webformkey/change` (`CRMApi.Utils.cs:352`): the new key in the "D" form
/// (`Guid.ToString()`: lower case, hyphens).
pub(crate) fn change_web_form_key(crm: &mut Crm, _: ChangeWebFormKeyArgs, _: &Call) -> Outcome {
    crm.settings.web_form_key = fresh_guid();
    Ok(Reply::Text(crm.settings.web_form_key.to_string()))
}

#[cfg(test)]
mod tests {
    use r7_model::Uuid;
    use r7_proto::EndpointId::{
        ChangeWebFormKey, SetPortalConfigured, UpdateContactStatusSettings,
        UpdateContactTagSettings, UpdateMailToHistorySettings,
    };

    use super::*;
    use crate::ops::testing::{call, crm, run};

    #[test]
    fn the_settings_are_stored_as_sent() {
        let mut crm = crm();
        // The seed is a CRM that `ConfigurePortal` has set up, with a key of its own.
        assert!(crm.settings.is_configured_portal);
        assert!(!crm.settings.web_form_key.is_nil());
        let form = "changeContactStatusGroupAuto=false";
        run(UpdateContactStatusSettings, &mut crm, &call(form, "")).expect("stored");
        let form = "addTagToContactGroupAuto=TRUE";
        run(UpdateContactTagSettings, &mut crm, &call(form, "")).expect("stored");
        let form = "writeMailToHistoryAuto=true";
        run(UpdateMailToHistorySettings, &mut crm, &call(form, "")).expect("stored");
        let key = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        let form = format!("configured=false&webFormKey={key}");
        let answer = run(SetPortalConfigured, &mut crm, &call(&form, "")).expect("stored");
        assert_eq!(answer, Reply::One(Node::Bool(false)));
        let given: Uuid = key.parse().expect("a GUID");
        assert_eq!(
            (
                crm.settings.change_contact_status_group_auto,
                crm.settings.add_tag_to_contact_group_auto,
                crm.settings.write_mail_to_history_auto,
                crm.settings.is_configured_portal,
                crm.settings.web_form_key,
            ),
            (Some(false), Some(true), true, false, given)
        );
        // An empty value is not sent: null, which clears the setting.
        let answer = run(
            UpdateContactTagSettings,
            &mut crm,
            &call("addTagToContactGroupAuto=", ""),
        );
        assert_eq!(answer, Ok(Reply::Void));
        assert_eq!(crm.settings.add_tag_to_contact_group_auto, None);
        let Ok(Reply::Text(new)) = run(ChangeWebFormKey, &mut crm, &call("", "")) else {
            panic!("a text");
        };
        assert_eq!(new, crm.settings.web_form_key.to_string());
        assert_ne!(crm.settings.web_form_key, given);
    }

    #[test]
    fn a_value_that_does_not_convert_is_refused_before_anything_is_stored() {
        let mut crm = crm();
        let before = crm.settings.clone();
        for (endpoint, form) in [
            (
                UpdateContactStatusSettings,
                "changeContactStatusGroupAuto=null",
            ),
            (UpdateMailToHistorySettings, "writeMailToHistoryAuto=yes"),
            (SetPortalConfigured, "webFormKey=abc"),
        ] {
            let error = run(endpoint, &mut crm, &call(form, "")).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "{form}");
        }
        assert_eq!(crm.settings, before);
    }
}
