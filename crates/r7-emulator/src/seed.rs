//! The deals a fresh emulator starts with.

use r7_model::{
    ApiDateTime, BidType, ContactBase, Currency, CustomField, CustomFieldType, DealStage, Employee,
    Opportunity, ShareType, StageType, Uuid,
};

use crate::SEED_OPPORTUNITY_ID;

/// The deals a fresh emulator holds (ids 1234 to 1238).
///
/// Deal [`SEED_OPPORTUNITY_ID`] is the sample response of the R7 documentation page for
/// `DELETE api/2.0/crm/opportunity/{opportunityid}`, unchanged except for its id: "Hotel
/// catalogue", created by Mike Zanyatski, in the "Discussion" stage. The others look like the
/// deals of a Russian portal (tenant at UTC+03:00, amounts in roubles): a monthly licence deal
/// with two members and custom fields, a won fixed-price deal, a private per-year deal with an
/// access list and a multi-line description, and a lost per-hour deal.
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
    let mike = Employee {
        id: Uuid::nil(),
        display_name: "Mike Zanyatski".into(),
        title: "Manager".into(),
        avatar_small: "url to small avatar".into(),
        profile_url: String::new(),
    };
    Opportunity {
        create_by: Some(mike.clone()),
        created: date("2022-10-08T15:03:33.1944111Z"),
        contact: Some(ContactBase {
            small_foto_url: "url to foto".into(),
            display_name: "Tadjeddine Bachir".into(),
            is_company: false,
            is_private: true,
            is_shared: false,
            share_type: ShareType::None,
            currency: None,
            can_edit: false,
            can_delete: false,
            id: 0,
            ..ContactBase::default()
        }),
        title: "Hotel catalogue".into(),
        description: String::new(),
        responsible: Some(mike),
        stage: Some(DealStage {
            success_probability: 20,
            stage_type: StageType::Open,
            title: "Discussion".into(),
            description: "The potential buyer showed his/her interest and sees how your \
                          offering meets his/her goal"
                .into(),
            color: "#B9AFD3".into(),
            sort_order: 2,
            id: 30,
            ..DealStage::default()
        }),
        success_probability: 65,
        expected_close_date: date("2022-10-08T15:03:33.1944111Z"),
        is_private: false,
        can_edit: false,
        id: SEED_OPPORTUNITY_ID,
        ..Opportunity::default()
    }
}

const DEFAULT_AVATAR: &str = "/skins/default/images/default_user_photo_size_32-32.png";

fn employee(id: u128, name: &str, title: &str, login: &str) -> Employee {
    Employee {
        id: Uuid::from_u128(id),
        display_name: name.into(),
        title: title.into(),
        avatar_small: DEFAULT_AVATAR.into(),
        profile_url: format!(
            "https://yourportal.r7-office.ru/Products/People/Profile.aspx?user={login}"
        ),
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
    ContactBase {
        small_foto_url: photo(1),
        medium_foto_url: photo(2),
        display_name: name.into(),
        is_company,
        is_private: false,
        is_shared: matches!(share_type, ShareType::Read | ShareType::ReadWrite),
        share_type,
        currency: None,
        can_edit: true,
        can_delete: true,
        id,
        ..ContactBase::default()
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
    Currency {
        title: "Rouble".into(),
        symbol: "₽".into(),
        abbreviation: "RUB".into(),
        culture_name: "RU".into(),
        is_convertible: true,
        is_basic: false,
    }
}

/// Stages as real servers embed them: without `sortOrder`.
fn stage(id: i64, title: &str, probability: i32, kind: StageType, color: &str) -> DealStage {
    DealStage {
        success_probability: probability,
        stage_type: kind,
        title: title.into(),
        description: String::new(),
        color: color.into(),
        id,
        ..DealStage::default()
    }
}

fn custom_field(
    deal: i64,
    id: i64,
    label: &str,
    kind: CustomFieldType,
    value: &str,
) -> CustomField {
    CustomField {
        entity_id: deal,
        label: label.into(),
        field_value: value.into(),
        field_type: kind,
        position: id,
        mask: String::new(),
        id,
        ..CustomField::default()
    }
}

fn licence_renewal() -> Opportunity {
    let id = 1235;
    Opportunity {
        create_by: Some(ivanova()),
        created: date("2024-03-01T12:00:05.0000000+03:00"),
        members: vec![northern_wind(), smirnov()],
        contact: Some(northern_wind()),
        title: "Продление лицензий Р7-Офис".into(),
        description: "Годовая подписка на 250 рабочих мест".into(),
        responsible: Some(petrov()),
        bid_type: BidType::PerMonth,
        bid_value: 125_000.0,
        bid_currency: Some(rouble()),
        per_period_value: 12,
        stage: Some(stage(31, "Decision making", 60, StageType::Open, "#ffd267")),
        success_probability: 75,
        expected_close_date: date("2024-04-30T00:00:00.0000000+03:00"),
        is_private: false,
        can_edit: true,
        custom_fields: vec![
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
        ],
        id,
        ..Opportunity::default()
    }
}

fn mail_rollout() -> Opportunity {
    let id = 1236;
    Opportunity {
        create_by: Some(petrov()),
        created: date("2023-11-14T09:30:00.0000000+03:00"),
        members: vec![hotel_group()],
        contact: Some(hotel_group()),
        title: "Внедрение корпоративной почты".into(),
        description: "Миграция 120 почтовых ящиков с Exchange".into(),
        responsible: Some(petrov()),
        bid_value: 480_000.0,
        bid_currency: Some(rouble()),
        stage: Some(stage(
            32,
            "Deal won",
            100,
            StageType::ClosedAndWon,
            "#66A83A",
        )),
        success_probability: 100,
        actual_close_date: date("2024-02-20T17:45:00.0000000+03:00"),
        expected_close_date: date("2024-02-29T00:00:00.0000000+03:00"),
        is_private: false,
        can_edit: true,
        custom_fields: vec![custom_field(
            id,
            9,
            "Предоплата получена",
            CustomFieldType::CheckBox,
            "true",
        )],
        id,
        ..Opportunity::default()
    }
}

fn support_contract() -> Opportunity {
    Opportunity {
        create_by: Some(ivanova()),
        created: date("2024-05-20T16:10:42.0000000+03:00"),
        members: vec![smirnov()],
        contact: Some(smirnov()),
        title: "Техническая поддержка 24/7".into(),
        description: "Три площадки: Москва, Казань, Пермь.\n\
                      Реакция на инциденты — 2 часа."
            .into(),
        responsible: Some(ivanova()),
        bid_type: BidType::PerYear,
        bid_value: 1_500.5,
        bid_currency: Some(rouble()),
        per_period_value: 3,
        stage: Some(stage(30, "Discussion", 20, StageType::Open, "#B9AFD3")),
        success_probability: 20,
        expected_close_date: date("2024-09-01T00:00:00.0000000+03:00"),
        is_private: true,
        access_list: vec![ivanova(), petrov()],
        can_edit: true,
        id: 1237,
        ..Opportunity::default()
    }
}

fn infrastructure_audit() -> Opportunity {
    Opportunity {
        create_by: Some(petrov()),
        created: date("2023-06-05T10:00:00.0000000+03:00"),
        members: vec![northern_wind()],
        contact: Some(northern_wind()),
        title: "Аудит ИТ-инфраструктуры".into(),
        description: String::new(),
        responsible: Some(petrov()),
        bid_type: BidType::PerHour,
        bid_value: 3_500.0,
        bid_currency: Some(rouble()),
        per_period_value: 40,
        stage: Some(stage(
            33,
            "Deal lost",
            0,
            StageType::ClosedAndLost,
            "#e05a5a",
        )),
        actual_close_date: date("2023-08-01T12:00:00.0000000+03:00"),
        expected_close_date: date("2023-07-15T00:00:00.0000000+03:00"),
        is_private: false,
        can_edit: true,
        id: 1238,
        ..Opportunity::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_start_with_the_sample() {
        let deals = seed_opportunities();
        let ids: Vec<i64> = deals.iter().map(|d| d.id).collect();
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
