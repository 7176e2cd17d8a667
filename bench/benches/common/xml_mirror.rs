//! The XML floor's target types: the model's deal and contact types as quick-xml's serde
//! deserializer can fill them.
//!
//! quick-xml cannot decode the server's XML into the model types as they are: the model's
//! integer enums (`ShareType`, `BidType`, `StageType`, `CustomFieldType`, `ContactInfoType`,
//! `AddressCategory`) read themselves with
//! `deserialize_any`, to accept a number or a name, and quick-xml answers `deserialize_any` on an
//! element such as `<shareType>1</shareType>` with a map (`{"$text": "1"}`), not with its text.
//! These mirrors have the model's fields, names, aliases, defaults and `null` handling, and the
//! same field types (`Employee`, `Currency`, `ListItem`, `Uuid`, dates, strings, numbers), except
//! that each integer enum is read as an `i32` and turned into the model's enum with `from_i32`,
//! and a self-closed `<currency />` is made `None` as the model reads it. A mirror
//! converts into the model type by moving its fields, so the floor ends with the same
//! `Vec<Opportunity>` or `Vec<Contact>` that `r7_proto` returns, and the two are checked to be
//! equal.
//!
//! A contact is decoded the way the model decodes one: into one flat struct with the members of
//! both a person and a company ([`XmlContact`]), then moved into `Contact::Person` or
//! `Contact::Company` by `isCompany`.

use r7_model::{
    Address, AddressCategory, ApiDateTime, BidType, Company, Contact, ContactBase, ContactInfo,
    ContactInfoType, Currency, CustomField, CustomFieldType, Employee, ListItem, Opportunity,
    OpportunityStage, Person, ShareType, StageType,
};
use serde::{Deserialize, Deserializer};

/// `null` (a self-closed element) and a missing member as the type's default, as the model's
/// own `nullable`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// quick-xml reads a self-closed element such as `<currency />` (the server's `null`) as a value
/// with every member missing; the model reads it as `None`. An all-default value is `None` here.
fn null_element<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default + PartialEq>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.filter(|value| *value != T::default()))
}

macro_rules! int_enum_field {
    ($($name:ident => $ty:ty,)*) => {$(
        /// The enum's number from the element's text, or the default for an empty element.
        fn $name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
            Ok(Option::<i32>::deserialize(deserializer)?
                .map(<$ty>::from_i32)
                .unwrap_or_default())
        }
    )*};
}

int_enum_field! {
    share_type => ShareType,
    bid_type => BidType,
    stage_type => StageType,
    field_type => CustomFieldType,
    info_type => ContactInfoType,
    address_category => AddressCategory,
}

/// [`Opportunity`] as quick-xml can decode it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlOpportunity {
    #[serde(alias = "CreateBy")]
    create_by: Option<Employee>,
    #[serde(alias = "Created", with = "r7_model::datetime::optional")]
    created: Option<ApiDateTime>,
    #[serde(alias = "Members", deserialize_with = "nullable")]
    members: Vec<XmlContactBase>,
    #[serde(alias = "Contact")]
    contact: Option<XmlContactBase>,
    #[serde(alias = "Title", deserialize_with = "nullable")]
    title: String,
    #[serde(alias = "Description", deserialize_with = "nullable")]
    description: String,
    #[serde(alias = "Responsible")]
    responsible: Option<Employee>,
    #[serde(alias = "BidType", deserialize_with = "bid_type")]
    bid_type: BidType,
    #[serde(alias = "BidValue", deserialize_with = "nullable")]
    bid_value: f64,
    #[serde(alias = "BidCurrency")]
    bid_currency: Option<Currency>,
    #[serde(alias = "PerPeriodValue", deserialize_with = "nullable")]
    per_period_value: i32,
    #[serde(alias = "Stage")]
    stage: Option<XmlDealStage>,
    #[serde(alias = "SuccessProbability", deserialize_with = "nullable")]
    success_probability: i32,
    #[serde(alias = "ActualCloseDate", with = "r7_model::datetime::optional")]
    actual_close_date: Option<ApiDateTime>,
    #[serde(alias = "ExpectedCloseDate", with = "r7_model::datetime::optional")]
    expected_close_date: Option<ApiDateTime>,
    #[serde(alias = "IsPrivate", deserialize_with = "nullable")]
    is_private: bool,
    #[serde(alias = "AccessList", deserialize_with = "nullable")]
    access_list: Vec<Employee>,
    #[serde(alias = "CanEdit", deserialize_with = "nullable")]
    can_edit: bool,
    #[serde(alias = "CustomFields", deserialize_with = "nullable")]
    custom_fields: Vec<XmlCustomField>,
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    id: i64,
}

/// [`ContactBase`] as quick-xml can decode it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlContactBase {
    #[serde(alias = "SmallFotoUrl", deserialize_with = "nullable")]
    small_foto_url: String,
    #[serde(alias = "MediumFotoUrl", deserialize_with = "nullable")]
    medium_foto_url: String,
    #[serde(alias = "DisplayName", deserialize_with = "nullable")]
    display_name: String,
    #[serde(alias = "IsCompany", deserialize_with = "nullable")]
    is_company: bool,
    #[serde(alias = "AccessList", deserialize_with = "nullable")]
    access_list: Vec<Employee>,
    #[serde(alias = "IsPrivate", deserialize_with = "nullable")]
    is_private: bool,
    #[serde(alias = "IsShared", deserialize_with = "nullable")]
    is_shared: bool,
    #[serde(alias = "ShareType", deserialize_with = "share_type")]
    share_type: ShareType,
    #[serde(alias = "Currency", deserialize_with = "null_element")]
    currency: Option<Currency>,
    #[serde(alias = "CanEdit", deserialize_with = "nullable")]
    can_edit: bool,
    #[serde(alias = "CanDelete", deserialize_with = "nullable")]
    can_delete: bool,
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    id: i64,
}

/// [`OpportunityStage`] as quick-xml can decode it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlDealStage {
    #[serde(alias = "RelativeItemsCount", deserialize_with = "nullable")]
    relative_items_count: i64,
    #[serde(alias = "SuccessProbability", deserialize_with = "nullable")]
    success_probability: i32,
    #[serde(alias = "StageType", deserialize_with = "stage_type")]
    stage_type: StageType,
    #[serde(alias = "Title", deserialize_with = "nullable")]
    title: String,
    #[serde(alias = "Description", deserialize_with = "nullable")]
    description: String,
    #[serde(alias = "Color", deserialize_with = "nullable")]
    color: String,
    #[serde(alias = "SortOrder", deserialize_with = "nullable")]
    sort_order: i32,
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    id: i64,
}

/// [`CustomField`] as quick-xml can decode it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlCustomField {
    #[serde(alias = "EntityId", deserialize_with = "nullable")]
    entity_id: i64,
    #[serde(alias = "Label", deserialize_with = "nullable")]
    label: String,
    #[serde(alias = "FieldValue", deserialize_with = "nullable")]
    field_value: String,
    #[serde(alias = "FieldType", deserialize_with = "field_type")]
    field_type: CustomFieldType,
    #[serde(alias = "Position", deserialize_with = "nullable")]
    position: i64,
    #[serde(alias = "Mask", deserialize_with = "nullable")]
    mask: String,
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    id: i64,
}

impl From<XmlOpportunity> for Opportunity {
    fn from(d: XmlOpportunity) -> Self {
        {
            let mut v = Opportunity::default();
            v.create_by = d.create_by;
            v.created = d.created;
            v.members = d.members.into_iter().map(ContactBase::from).collect();
            v.contact = d.contact.map(ContactBase::from);
            v.title = d.title;
            v.description = d.description;
            v.responsible = d.responsible;
            v.bid_type = d.bid_type;
            v.bid_value = d.bid_value;
            v.bid_currency = d.bid_currency;
            v.per_period_value = d.per_period_value;
            v.stage = d.stage.map(OpportunityStage::from);
            v.success_probability = d.success_probability;
            v.actual_close_date = d.actual_close_date;
            v.expected_close_date = d.expected_close_date;
            v.is_private = d.is_private;
            v.access_list = d.access_list;
            v.can_edit = d.can_edit;
            v.custom_fields = d.custom_fields.into_iter().map(CustomField::from).collect();
            v.id = d.id.into();
            v
        }
    }
}

impl From<XmlContactBase> for ContactBase {
    fn from(c: XmlContactBase) -> Self {
        {
            let mut v = ContactBase::default();
            v.small_foto_url = c.small_foto_url;
            v.medium_foto_url = c.medium_foto_url;
            v.display_name = c.display_name;
            v.is_company = c.is_company;
            v.access_list = c.access_list;
            v.is_private = c.is_private;
            v.is_shared = c.is_shared;
            v.share_type = c.share_type;
            v.currency = c.currency;
            v.can_edit = c.can_edit;
            v.can_delete = c.can_delete;
            v.id = c.id.into();
            v
        }
    }
}

impl From<XmlDealStage> for OpportunityStage {
    fn from(s: XmlDealStage) -> Self {
        {
            let mut v = OpportunityStage::default();
            v.relative_items_count = s.relative_items_count;
            v.success_probability = s.success_probability;
            v.stage_type = s.stage_type;
            v.title = s.title;
            v.description = s.description;
            v.color = s.color;
            v.sort_order = s.sort_order;
            v.id = s.id.into();
            v
        }
    }
}

impl From<XmlCustomField> for CustomField {
    fn from(f: XmlCustomField) -> Self {
        {
            let mut v = CustomField::default();
            v.entity_id = f.entity_id;
            v.label = f.label;
            v.field_value = f.field_value;
            v.field_type = f.field_type;
            v.position = f.position;
            v.mask = f.mask;
            v.id = f.id.into();
            v
        }
    }
}

/// [`Contact`] as quick-xml can decode it: the members of [`Person`] and [`Company`] in one
/// struct, as the model's own decoder has them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlContact {
    #[serde(alias = "FirstName", deserialize_with = "nullable")]
    first_name: String,
    #[serde(alias = "LastName", deserialize_with = "nullable")]
    last_name: String,
    #[serde(alias = "Company")]
    company: Option<XmlContactBase>,
    #[serde(alias = "Title", deserialize_with = "nullable")]
    title: String,
    #[serde(alias = "Addresses", deserialize_with = "nullable")]
    addresses: Vec<XmlAddress>,
    #[serde(alias = "CreateBy")]
    create_by: Option<Employee>,
    #[serde(alias = "Created", with = "r7_model::datetime::optional")]
    created: Option<ApiDateTime>,
    #[serde(alias = "About")]
    about: Option<String>,
    #[serde(alias = "Industry", deserialize_with = "nullable")]
    industry: String,
    #[serde(alias = "ContactStatus")]
    contact_status: Option<ListItem>,
    #[serde(alias = "ContactType")]
    contact_type: Option<ListItem>,
    #[serde(alias = "CommonData", deserialize_with = "nullable")]
    common_data: Vec<XmlContactInfo>,
    #[serde(alias = "CustomFields", deserialize_with = "nullable")]
    custom_fields: Vec<XmlCustomField>,
    #[serde(alias = "Tags", deserialize_with = "nullable")]
    tags: Vec<String>,
    #[serde(alias = "TaskCount", deserialize_with = "nullable")]
    task_count: i64,
    #[serde(alias = "HaveLateTasks", deserialize_with = "nullable")]
    have_late_tasks: bool,
    #[serde(alias = "SmallFotoUrl", deserialize_with = "nullable")]
    small_foto_url: String,
    #[serde(alias = "MediumFotoUrl", deserialize_with = "nullable")]
    medium_foto_url: String,
    #[serde(alias = "DisplayName", deserialize_with = "nullable")]
    display_name: String,
    #[serde(alias = "IsCompany", deserialize_with = "nullable")]
    is_company: bool,
    #[serde(alias = "AccessList", deserialize_with = "nullable")]
    access_list: Vec<Employee>,
    #[serde(alias = "IsPrivate", deserialize_with = "nullable")]
    is_private: bool,
    #[serde(alias = "IsShared", deserialize_with = "nullable")]
    is_shared: bool,
    #[serde(alias = "ShareType", deserialize_with = "share_type")]
    share_type: ShareType,
    #[serde(alias = "Currency", deserialize_with = "null_element")]
    currency: Option<Currency>,
    #[serde(alias = "CanEdit", deserialize_with = "nullable")]
    can_edit: bool,
    #[serde(alias = "CanDelete", deserialize_with = "nullable")]
    can_delete: bool,
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    id: i64,
    #[serde(alias = "CompanyName", deserialize_with = "nullable")]
    company_name: String,
    #[serde(alias = "Persons", deserialize_with = "nullable")]
    persons: Vec<XmlContactBase>,
    #[serde(alias = "PersonsCount", deserialize_with = "nullable")]
    persons_count: i64,
}

/// [`ContactInfo`] as quick-xml can decode it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlContactInfo {
    #[serde(alias = "Id", alias = "ID", deserialize_with = "nullable")]
    id: i64,
    #[serde(alias = "InfoType", deserialize_with = "info_type")]
    info_type: ContactInfoType,
    #[serde(alias = "Category", deserialize_with = "nullable")]
    category: i32,
    #[serde(alias = "Data", deserialize_with = "nullable")]
    data: String,
    #[serde(alias = "CategoryName", deserialize_with = "nullable")]
    category_name: String,
    #[serde(alias = "IsPrimary", deserialize_with = "nullable")]
    is_primary: bool,
}

/// [`Address`] as quick-xml can decode it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct XmlAddress {
    #[serde(alias = "Street", deserialize_with = "nullable")]
    street: String,
    #[serde(alias = "City", deserialize_with = "nullable")]
    city: String,
    #[serde(alias = "State", deserialize_with = "nullable")]
    state: String,
    #[serde(alias = "Zip", deserialize_with = "nullable")]
    zip: String,
    #[serde(alias = "Country", deserialize_with = "nullable")]
    country: String,
    #[serde(alias = "Category", deserialize_with = "address_category")]
    category: AddressCategory,
    #[serde(alias = "CategoryName", deserialize_with = "nullable")]
    category_name: String,
    #[serde(alias = "IsPrimary", deserialize_with = "nullable")]
    is_primary: bool,
}

impl From<XmlContact> for Contact {
    fn from(c: XmlContact) -> Self {
        let addresses: Vec<Address> = c.addresses.into_iter().map(Address::from).collect();
        let common_data: Vec<ContactInfo> =
            c.common_data.into_iter().map(ContactInfo::from).collect();
        let custom_fields: Vec<CustomField> =
            c.custom_fields.into_iter().map(CustomField::from).collect();
        if c.is_company {
            let mut v = Company::default();
            v.company_name = c.company_name;
            v.persons = c.persons.into_iter().map(ContactBase::from).collect();
            v.persons_count = c.persons_count;
            v.addresses = addresses;
            v.create_by = c.create_by;
            v.created = c.created;
            v.about = c.about;
            v.industry = c.industry;
            v.contact_status = c.contact_status;
            v.contact_type = c.contact_type;
            v.common_data = common_data;
            v.custom_fields = custom_fields;
            v.tags = c.tags;
            v.task_count = c.task_count;
            v.have_late_tasks = c.have_late_tasks;
            v.small_foto_url = c.small_foto_url;
            v.medium_foto_url = c.medium_foto_url;
            v.display_name = c.display_name;
            v.is_company = c.is_company;
            v.access_list = c.access_list;
            v.is_private = c.is_private;
            v.is_shared = c.is_shared;
            v.share_type = c.share_type;
            v.currency = c.currency;
            v.can_edit = c.can_edit;
            v.can_delete = c.can_delete;
            v.id = c.id.into();
            Contact::Company(v)
        } else {
            let mut v = Person::default();
            v.first_name = c.first_name;
            v.last_name = c.last_name;
            v.company = c.company.map(ContactBase::from);
            v.title = c.title;
            v.addresses = addresses;
            v.create_by = c.create_by;
            v.created = c.created;
            v.about = c.about;
            v.industry = c.industry;
            v.contact_status = c.contact_status;
            v.contact_type = c.contact_type;
            v.common_data = common_data;
            v.custom_fields = custom_fields;
            v.tags = c.tags;
            v.task_count = c.task_count;
            v.have_late_tasks = c.have_late_tasks;
            v.small_foto_url = c.small_foto_url;
            v.medium_foto_url = c.medium_foto_url;
            v.display_name = c.display_name;
            v.is_company = c.is_company;
            v.access_list = c.access_list;
            v.is_private = c.is_private;
            v.is_shared = c.is_shared;
            v.share_type = c.share_type;
            v.currency = c.currency;
            v.can_edit = c.can_edit;
            v.can_delete = c.can_delete;
            v.id = c.id.into();
            Contact::Person(v)
        }
    }
}

impl From<XmlContactInfo> for ContactInfo {
    fn from(i: XmlContactInfo) -> Self {
        let mut v = ContactInfo::default();
        v.id = i.id.into();
        v.info_type = i.info_type;
        v.category = i.category;
        v.data = i.data;
        v.category_name = i.category_name;
        v.is_primary = i.is_primary;
        v
    }
}

impl From<XmlAddress> for Address {
    fn from(a: XmlAddress) -> Self {
        let mut v = Address::default();
        v.street = a.street;
        v.city = a.city;
        v.state = a.state;
        v.zip = a.zip;
        v.country = a.country;
        v.category = a.category;
        v.category_name = a.category_name;
        v.is_primary = a.is_primary;
        v
    }
}
