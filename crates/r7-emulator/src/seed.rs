//! What a fresh emulator holds: deals, the pipeline's stages, contacts, custom fields, tags
//! and the signed-in user.

use r7_model::{
    ApiDateTime, BidType, Contact, ContactBase, ContactInfo, ContactInfoType, Currency,
    CustomField, CustomFieldType, Employee, Opportunity, OpportunityStage, ShareType, StageType,
    Uuid,
};

use crate::SEED_OPPORTUNITY_ID;
use crate::crm::contact_from_base;

/// The id of the user every request runs as (see [`current_user`]).
pub const CURRENT_USER_ID: Uuid = Uuid::from_u128(0x93f3b8e1_5a2c_4e0f_9d7b_0c1e2f3a4b5c);

/// The user behind every accepted token: a CRM administrator, so every access check passes.
/// Deals created through the emulator are created by this user, and it is added to every access
/// list the emulator sets, as the server adds the caller.
pub fn current_user() -> Employee {
    employee(
        CURRENT_USER_ID.as_u128(),
        "Орлов Дмитрий",
        "Администратор CRM",
        "dmitry.orlov",
    )
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
pub fn seed_opportunities() -> Vec<Opportunity> {
    vec![
        hotel_catalogue(),
        licence_renewal(),
        mail_rollout(),
        support_contract(),
        infrastructure_audit(),
    ]
}

fn date(text: &str) -> Option<ApiDateTime> {
    Some(ApiDateTime::parse(text).expect("seed dates are valid"))
}

fn hotel_catalogue() -> Opportunity {
    let mike = {
        let mut v = Employee::default();
        v.id = (Uuid::nil()).into();
        v.display_name = "Mike Zanyatski".into();
        v.title = "Manager".into();
        v.avatar_small = "url to small avatar".into();
        v.profile_url = String::new();
        v
    };
    {
        let mut v = Opportunity::default();
        v.create_by = Some(mike.clone());
        v.created = date("2022-10-08T15:03:33.1944111Z");
        v.contact = Some({
            let mut v = ContactBase::default();
            v.small_foto_url = "url to foto".into();
            v.display_name = "Tadjeddine Bachir".into();
            v.is_company = false;
            v.is_private = true;
            v.is_shared = false;
            v.share_type = ShareType::None;
            v.currency = None;
            v.can_edit = false;
            v.can_delete = false;
            v.id = 0.into();
            v
        });
        v.title = "Hotel catalogue".into();
        v.description = String::new();
        v.responsible = Some(mike);
        v.stage = Some({
            let mut v = OpportunityStage::default();
            v.success_probability = 20;
            v.stage_type = StageType::Open;
            v.title = "Discussion".into();
            v.description = DISCUSSION_DESCRIPTION.into();
            v.color = "#B9AFD3".into();
            v.sort_order = 2;
            v.id = DISCUSSION.into();
            v
        });
        v.success_probability = 65;
        v.expected_close_date = date("2022-10-08T15:03:33.1944111Z");
        v.is_private = false;
        v.can_edit = false;
        v.id = SEED_OPPORTUNITY_ID.into();
        v
    }
}

const DEFAULT_AVATAR: &str = "/skins/default/images/default_user_photo_size_32-32.png";

fn employee(id: u128, name: &str, title: &str, login: &str) -> Employee {
    {
        let mut v = Employee::default();
        v.id = (Uuid::from_u128(id)).into();
        v.display_name = name.into();
        v.title = title.into();
        v.avatar_small = DEFAULT_AVATAR.into();
        v.profile_url =
            format!("https://yourportal.r7-office.ru/Products/People/Profile.aspx?user={login}");
        v
    }
}

fn ivanova() -> Employee {
    employee(
        0x6a1f0f6e_3b2c_4d5e_8f90_1a2b3c4d5e6f,
        "Иванова Анна",
        "Руководитель отдела продаж",
        "anna.ivanova",
    )
}

fn petrov() -> Employee {
    employee(
        0x2c9d4b1a_7e35_4f08_9a6b_5d0e3f1c2b7a,
        "Петров Сергей",
        "Менеджер по продажам",
        "sergey.petrov",
    )
}

/// A contact as the server embeds it, with the photo handler addresses it generates.
fn contact(id: i64, name: &str, is_company: bool, share_type: ShareType) -> ContactBase {
    let photo = |size: u8| {
        format!(
            "/Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr&cid={id}\
             &isc={}&ps={size}",
            if is_company { "True" } else { "False" }
        )
    };
    {
        let mut v = ContactBase::default();
        v.small_foto_url = photo(1);
        v.medium_foto_url = photo(2);
        v.display_name = name.into();
        v.is_company = is_company;
        v.is_private = false;
        v.is_shared = matches!(share_type, ShareType::Read | ShareType::ReadWrite);
        v.share_type = share_type;
        v.currency = None;
        v.can_edit = true;
        v.can_delete = true;
        v.id = id.into();
        v
    }
}

fn northern_wind() -> ContactBase {
    contact(101, "ООО «Северный ветер»", true, ShareType::ReadWrite)
}

fn smirnov() -> ContactBase {
    contact(102, "Смирнов Алексей", false, ShareType::None)
}

fn hotel_group() -> ContactBase {
    contact(103, "Hotel Group International", true, ShareType::Read)
}

fn rouble() -> Currency {
    {
        let mut v = Currency::default();
        v.title = "Rouble".into();
        v.symbol = "₽".into();
        v.abbreviation = "RUB".into();
        v.culture_name = "RU".into();
        v.is_convertible = true;
        v.is_basic = false;
        v
    }
}

fn custom_field(
    deal: i64,
    id: i64,
    label: &str,
    kind: CustomFieldType,
    value: &str,
) -> CustomField {
    {
        let mut v = CustomField::default();
        v.entity_id = deal;
        v.label = label.into();
        v.field_value = value.into();
        v.field_type = kind;
        v.position = id;
        v.mask = String::new();
        v.id = id.into();
        v
    }
}

fn licence_renewal() -> Opportunity {
    let id = 1235;
    {
        let mut v = Opportunity::default();
        v.create_by = Some(ivanova());
        v.created = date("2024-03-01T12:00:05.0000000+03:00");
        v.members = vec![northern_wind(), smirnov()];
        v.contact = Some(northern_wind());
        v.title = "Продление лицензий Р7-Офис".into();
        v.description = "Годовая подписка на 250 рабочих мест".into();
        v.responsible = Some(petrov());
        v.bid_type = BidType::PerMonth;
        v.bid_value = 125_000.0;
        v.bid_currency = Some(rouble());
        v.per_period_value = 12;
        v.stage = Some(embedded_stage(PROSPECT));
        v.success_probability = 75;
        v.expected_close_date = date("2024-04-30T00:00:00.0000000+03:00");
        v.is_private = false;
        v.can_edit = true;
        v.custom_fields = vec![
            custom_field(
                id,
                7,
                "Номер договора",
                CustomFieldType::TextField,
                "Д-2024/117",
            ),
            custom_field(
                id,
                8,
                "Дата подписания",
                CustomFieldType::Date,
                "2024-03-15",
            ),
        ];
        v.id = id.into();
        v
    }
}

fn mail_rollout() -> Opportunity {
    let id = 1236;
    {
        let mut v = Opportunity::default();
        v.create_by = Some(petrov());
        v.created = date("2023-11-14T09:30:00.0000000+03:00");
        v.members = vec![hotel_group()];
        v.contact = Some(hotel_group());
        v.title = "Внедрение корпоративной почты".into();
        v.description = "Миграция 120 почтовых ящиков с Exchange".into();
        v.responsible = Some(petrov());
        v.bid_value = 480_000.0;
        v.bid_currency = Some(rouble());
        v.stage = Some(embedded_stage(WON));
        v.success_probability = 100;
        v.actual_close_date = date("2024-02-20T17:45:00.0000000+03:00");
        v.expected_close_date = date("2024-02-29T00:00:00.0000000+03:00");
        v.is_private = false;
        v.can_edit = true;
        v.custom_fields = vec![custom_field(
            id,
            9,
            "Предоплата получена",
            CustomFieldType::CheckBox,
            "true",
        )];
        v.id = id.into();
        v
    }
}

fn support_contract() -> Opportunity {
    {
        let mut v = Opportunity::default();
        v.create_by = Some(ivanova());
        v.created = date("2024-05-20T16:10:42.0000000+03:00");
        v.members = vec![smirnov()];
        v.contact = Some(smirnov());
        v.title = "Техническая поддержка 24/7".into();
        v.description = "Три площадки: Москва, Казань, Пермь.\n\
                      Реакция на инциденты — 2 часа."
            .into();
        v.responsible = Some(ivanova());
        v.bid_type = BidType::PerYear;
        v.bid_value = 1_500.5;
        v.bid_currency = Some(rouble());
        v.per_period_value = 3;
        v.stage = Some(embedded_stage(DISCUSSION));
        v.success_probability = 20;
        v.expected_close_date = date("2024-09-01T00:00:00.0000000+03:00");
        v.is_private = true;
        v.access_list = vec![ivanova(), petrov()];
        v.can_edit = true;
        v.id = 1237.into();
        v
    }
}

fn infrastructure_audit() -> Opportunity {
    {
        let mut v = Opportunity::default();
        v.create_by = Some(petrov());
        v.created = date("2023-06-05T10:00:00.0000000+03:00");
        v.members = vec![northern_wind()];
        v.contact = Some(northern_wind());
        v.title = "Аудит ИТ-инфраструктуры".into();
        v.description = String::new();
        v.responsible = Some(petrov());
        v.bid_type = BidType::PerHour;
        v.bid_value = 3_500.0;
        v.bid_currency = Some(rouble());
        v.per_period_value = 40;
        v.stage = Some(embedded_stage(LOST));
        v.actual_close_date = date("2023-08-01T12:00:00.0000000+03:00");
        v.expected_close_date = date("2023-07-15T00:00:00.0000000+03:00");
        v.is_private = false;
        v.can_edit = true;
        v.id = 1238.into();
        v
    }
}

// ---------------------------------------------------------------------------------------------
// The pipeline

/// Id of the "Discussion" stage of [`SEED_OPPORTUNITY_ID`] (the documentation's sample stage).
const DISCUSSION: i64 = 30;
const PROSPECT: i64 = 6;
const WON: i64 = 8;
const LOST: i64 = 9;

/// What the documentation's sample says of its "Discussion" stage.
const DISCUSSION_DESCRIPTION: &str =
    "The potential buyer showed his/her interest and sees how your offering meets his/her goal";

/// The stages a fresh emulator holds, in pipeline order (`sort_order` 0, 1, 2, ...).
///
/// Ids 1 to 9 are the stages a new portal is created with (titles, probabilities, colours and
/// kinds as the server's set-up code makes them; the descriptions are short English texts in
/// their spirit). Stage 30, "Discussion", is the stage of the documentation's sample deal
/// [`SEED_OPPORTUNITY_ID`]; it sits after "Suspect".
pub fn seed_stages() -> Vec<OpportunityStage> {
    let open = StageType::Open;
    let rows: [(i64, &str, &str, i32, StageType, &str); 10] = [
        (
            1,
            "Initial contact",
            "The first contact with a potential buyer",
            1,
            open,
            "#e795c1",
        ),
        (
            2,
            "Preapproach",
            "Learning about the potential buyer before the first meeting",
            2,
            open,
            "#df7895",
        ),
        (
            3,
            "Suspect",
            "The potential buyer may need what you offer",
            3,
            open,
            "#f48454",
        ),
        (
            DISCUSSION,
            "Discussion",
            DISCUSSION_DESCRIPTION,
            20,
            open,
            "#B9AFD3",
        ),
        (
            4,
            "Champion",
            "Someone on the buyer's side supports your offer",
            20,
            open,
            "#b58fd6",
        ),
        (
            5,
            "Opportunity",
            "The buyer has a budget and a need",
            50,
            open,
            "#d28cc8",
        ),
        (
            PROSPECT,
            "Prospect",
            "The buyer is evaluating your offer",
            75,
            open,
            "#ffb45e",
        ),
        (
            7,
            "Verbal",
            "The buyer has agreed verbally",
            90,
            open,
            "#ffd267",
        ),
        (
            WON,
            "Deal won",
            "The deal is closed successfully",
            100,
            StageType::ClosedAndWon,
            "#6bbd72",
        ),
        (
            LOST,
            "Deal lost",
            "The deal is closed without success",
            0,
            StageType::ClosedAndLost,
            "#f2a9be",
        ),
    ];
    rows.into_iter()
        .enumerate()
        .map(
            |(position, (id, title, description, probability, kind, color))| {
                let mut v = OpportunityStage::default();
                v.success_probability = probability;
                v.stage_type = kind;
                v.title = title.into();
                v.description = description.into();
                v.color = color.into();
                v.sort_order = i32::try_from(position).unwrap_or(i32::MAX);
                v.id = id.into();
                v
            },
        )
        .collect()
}

/// A seed stage as deals embed it: without `sortOrder` (real servers never send it there).
fn embedded_stage(id: i64) -> OpportunityStage {
    let stage = seed_stages()
        .into_iter()
        .find(|s| s.id == id)
        .expect("the seed deals use seed stages");
    {
        let mut v = stage;
        v.sort_order = 0;
        v
    }
}

// ---------------------------------------------------------------------------------------------
// Contacts

fn info(id: i64, info_type: i32, category: i32, data: &str, category_name: &str) -> ContactInfo {
    {
        let mut v = ContactInfo::default();
        v.id = id.into();
        v.info_type = ContactInfoType::from_i32(info_type);
        v.category = category;
        v.data = data.into();
        v.category_name = category_name.into();
        v.is_primary = true;
        v
    }
}

/// The contacts a fresh emulator holds: the members of the seed deals (101 to 103) and one
/// more person (104) who takes part in no deal. Companies' `persons` and `personsCount` are
/// not stored: the emulator counts the persons whose `company` is the company.
pub fn seed_contacts() -> Vec<Contact> {
    let wind = {
        let mut v = contact_from_base(northern_wind());
        v.company_name = "ООО «Северный ветер»".into();
        v.create_by = Some(ivanova());
        v.created = date("2023-05-10T11:20:00.0000000+03:00");
        v.industry = "Логистика".into();
        v.common_data = vec![
            info(501, 0, 1, "+7 495 123-45-67", "Work"),
            info(502, 1, 1, "info@north-wind.example", "Work"),
        ];
        v.tags = vec!["Клиент".into()];
        v
    };
    let alexey = {
        let mut v = contact_from_base(smirnov());
        v.first_name = "Алексей".into();
        v.last_name = "Смирнов".into();
        v.company = Some(northern_wind());
        v.title = "Директор по закупкам".into();
        v.create_by = Some(ivanova());
        v.created = date("2023-05-10T11:25:00.0000000+03:00");
        v.common_data = vec![info(503, 1, 1, "a.smirnov@north-wind.example", "Work")];
        v
    };
    let hotels = {
        let mut v = contact_from_base(hotel_group());
        v.company_name = "Hotel Group International".into();
        v.create_by = Some(petrov());
        v.created = date("2023-09-01T09:00:00.0000000+03:00");
        v.industry = "Hospitality".into();
        v
    };
    let maria = {
        let mut v = contact_from_base(contact(104, "Кузнецова Мария", false, ShareType::None));
        v.first_name = "Мария".into();
        v.last_name = "Кузнецова".into();
        v.company = Some(hotel_group());
        v.title = "IT Manager".into();
        v.create_by = Some(petrov());
        v.created = date("2023-09-01T09:05:00.0000000+03:00");
        v
    };
    vec![wind, alexey, hotels, maria]
}

// ---------------------------------------------------------------------------------------------
// Custom fields and tags

/// The deal custom fields a fresh emulator defines (ids 7 to 10): a text field, a date, a
/// check box and a select box. As definitions they carry no entity and no value.
pub fn seed_custom_fields() -> Vec<CustomField> {
    let mut fields = vec![
        custom_field(0, 7, "Номер договора", CustomFieldType::TextField, ""),
        custom_field(0, 8, "Дата подписания", CustomFieldType::Date, ""),
        custom_field(0, 9, "Предоплата получена", CustomFieldType::CheckBox, ""),
        custom_field(0, 10, "Канал продаж", CustomFieldType::SelectBox, ""),
    ];
    fields[3].mask = r#"["Партнёр","Сайт","Звонок"]"#.into();
    fields
}

/// The tags of the seed deals, by deal id.
pub fn seed_deal_tags() -> Vec<(i64, Vec<String>)> {
    vec![
        (1235, vec!["VIP".into(), "лицензии".into()]),
        (1236, vec!["внедрение".into()]),
        (1237, vec!["VIP".into(), "поддержка".into()]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
