//! The server's parameter binder: one case-insensitive collection of values filled from the
//! route, the query string and the body, converted to each parameter's type as .NET does; and
//! the paging parameters, read from the query string alone.

use std::borrow::Cow;

use http::StatusCode;
use r7_model::{
    ApiDateTime, BidType, ContactInfo, ContactInfoType, ContactListView, ShareType, StageType, Uuid,
};

use crate::wire::ApiError;

/// The request parameters of one call, as the server's binder sees them: one list, searched
/// with ASCII case ignored, where the first value of a name wins for scalars and every value
/// counts for lists. Route values come first, then the query string, then the body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Params(Vec<(String, String)>);

/// Why a body gave no parameters the server would accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// An `application/json` body that is not a JSON object (`Unable to deserialize json`).
    NotAJsonObject,
}

/// `FormatException`, the innermost exception of a failed number conversion.
const FORMAT_HRESULT: i32 = -2146233033;
/// `ArgumentException`.
const ARGUMENT_HRESULT: i32 = -2147024809;

fn format_error(message: &'static str) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Borrowed(message),
        hresult: FORMAT_HRESULT,
    }
}

fn argument_error(message: String) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        message: Cow::Owned(message),
        hresult: ARGUMENT_HRESULT,
    }
}

impl Params {
    /// Adds one value.
    pub(crate) fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// The first value bound to `name`, ASCII case ignored.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` unless it is missing or empty (which bind to the default).
    fn filled(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every value of a list parameter, in order: `name=1&name=2`, `name[]=1`, `name[0]=1`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| list_name_matches(n, name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Adds the pairs of an `application/x-www-form-urlencoded` text (also a query string).
    pub(crate) fn add_form(&mut self, text: &[u8]) {
        for pair in text.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            self.0.push((form_decode(name), form_decode(value)));
        }
    }

    /// Adds the members of a JSON object body, flattened as the server does it (it turns the
    /// JSON into XML first): a scalar binds as its text (`null` as an empty string), an array
    /// of scalars as repeated values, an object as `name[key]`, an array of two or more objects
    /// as `name[0][key]`, `name[1][key]`; an array of exactly one object is that object
    /// (`name[key]`), since the XML cannot tell them apart. An empty body adds nothing.
    pub(crate) fn add_json(&mut self, body: &[u8]) -> Result<(), BodyError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| BodyError::NotAJsonObject)?;
        let serde_json::Value::Object(members) = value else {
            return Err(BodyError::NotAJsonObject);
        };
        for (name, value) in &members {
            self.add_json_member(name, value);
        }
        Ok(())
    }

    fn add_json_member(&mut self, name: &str, value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Null => self.push(name, ""),
            Value::Bool(b) => self.push(name, b.to_string()),
            Value::Number(n) => self.push(name, n.to_string()),
            Value::String(s) => self.push(name, s.as_str()),
            Value::Object(members) => {
                for (key, value) in members {
                    self.add_json_member(&format!("{name}[{key}]"), value);
                }
            }
            Value::Array(items) if items.len() == 1 => self.add_json_member(name, &items[0]),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(_) | Value::Array(_) => {
                            self.add_json_member(&format!("{name}[{index}]"), item);
                        }
                        scalar => self.add_json_member(name, scalar),
                    }
                }
            }
        }
    }

    // --- Conversions, as the .NET type converters do them -------------------------------------

    /// A C# `int` (an id or a number); missing or empty is 0.
    pub(crate) fn int(&self, name: &str) -> Result<i64, ApiError> {
        self.filled(name).map_or(Ok(0), parse_int)
    }

    /// A C# `int?`: missing or empty is `None`.
    pub(crate) fn opt_int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.filled(name).map(parse_int).transpose()
    }

    /// A C# `Guid?`: missing or empty is `None`.
    pub(crate) fn opt_guid(&self, name: &str) -> Result<Option<Uuid>, ApiError> {
        self.filled(name).map(parse_guid).transpose()
    }

    /// A `ShareType`, by name (any case) or number; missing is `None` (private), as for any
    /// enum of the CRM's own.
    pub(crate) fn share_type(&self, name: &str) -> Result<ShareType, ApiError> {
        self.filled(name).map_or(Ok(ShareType::None), |text| {
            parse_enum(text, ShareType::from_name, ShareType::from_i32)
        })
    }

    /// A `ContactInfoType`; missing or empty is `Phone`, its first value.
    pub(crate) fn contact_info_type(&self, name: &str) -> Result<ContactInfoType, ApiError> {
        Ok(self
            .opt_contact_info_type(name)?
            .unwrap_or(ContactInfoType::Phone))
    }

    /// A `ContactInfoType?`; missing or empty is `None`.
    pub(crate) fn opt_contact_info_type(
        &self,
        name: &str,
    ) -> Result<Option<ContactInfoType>, ApiError> {
        self.filled(name)
            .map(|text| parse_enum(text, ContactInfoType::from_name, ContactInfoType::from_i32))
            .transpose()
    }

    /// A `ContactListViewType`; missing is `All`.
    pub(crate) fn contact_list_view(&self, name: &str) -> Result<ContactListView, ApiError> {
        self.filled(name).map_or(Ok(ContactListView::All), |text| {
            parse_enum(text, ContactListView::from_name, ContactListView::from_i32)
        })
    }

    /// A C# `bool`: `true` or `false` in any case; missing or empty is false.
    pub(crate) fn bool(&self, name: &str) -> Result<bool, ApiError> {
        self.filled(name).map_or(Ok(false), parse_bool)
    }

    /// A C# `bool?`: missing or empty is `None`.
    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.filled(name).map(parse_bool).transpose()
    }

    /// A C# `decimal`, as `f64`; missing or empty is 0.
    pub(crate) fn decimal(&self, name: &str) -> Result<f64, ApiError> {
        self.filled(name).map_or(Ok(0.0), parse_decimal)
    }

    /// A C# `string`: missing is `None`, an empty value stays empty.
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// A `Guid`; missing or empty is `Guid.Empty`.
    pub(crate) fn guid(&self, name: &str) -> Result<Uuid, ApiError> {
        self.filled(name).map_or(Ok(Uuid::nil()), parse_guid)
    }

    /// An `ApiDateTime`; missing or empty is `None`. Dates without an offset are taken in the
    /// portal's time zone (`tenant_offset` minutes east of UTC).
    pub(crate) fn date(
        &self,
        name: &str,
        tenant_offset: i16,
    ) -> Result<Option<ApiDateTime>, ApiError> {
        match self.filled(name) {
            Some(text) => parse_date(text, tenant_offset),
            None => Ok(None),
        }
    }

    /// A `BidType`, by name (any case) or number; missing or empty is `FixedBid`.
    pub(crate) fn bid_type(&self, name: &str) -> Result<BidType, ApiError> {
        match self.filled(name) {
            Some(text) => parse_enum(text, BidType::from_name, BidType::from_i32),
            None => Ok(BidType::FixedBid),
        }
    }

    /// A `DealMilestoneStatus`, by name (any case) or number; missing or empty is `Open`.
    pub(crate) fn stage_type(&self, name: &str) -> Result<StageType, ApiError> {
        Ok(self.opt_stage_type(name)?.unwrap_or(StageType::Open))
    }

    /// A `DealMilestoneStatus?`; missing or empty is `None`.
    pub(crate) fn opt_stage_type(&self, name: &str) -> Result<Option<StageType>, ApiError> {
        self.filled(name)
            .map(|text| parse_enum(text, StageType::from_name, StageType::from_i32))
            .transpose()
    }

    /// An `IEnumerable<int>`: never null, empty when missing.
    pub(crate) fn ints(&self, name: &str) -> Result<Vec<i64>, ApiError> {
        self.all(name)
            .into_iter()
            .filter(|v| !v.is_empty())
            .map(parse_int)
            .collect()
    }

    /// An `IEnumerable<Guid>`: never null, empty when missing.
    pub(crate) fn guids(&self, name: &str) -> Result<Vec<Uuid>, ApiError> {
        self.all(name)
            .into_iter()
            .filter(|v| !v.is_empty())
            .map(parse_guid)
            .collect()
    }

    /// An `IEnumerable<string>`: never null, empty when missing.
    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        self.all(name).into_iter().map(str::to_owned).collect()
    }

    /// An `IEnumerable<ItemKeyValuePair<int, string>>` sent as `name[0][key]=5&name[0][value]=x`
    /// (property names in any case), in index order. An entry without a value has an empty one.
    pub(crate) fn key_values(&self, name: &str) -> Result<Vec<(i64, String)>, ApiError> {
        self.objects(name)
            .iter()
            .map(|item| {
                let key = match item.filled("key") {
                    Some(k) => parse_int(k)?,
                    None => 0,
                };
                Ok((key, item.get("value").unwrap_or_default().to_owned()))
            })
            .collect()
    }

    /// An `IEnumerable<ItemKeyValuePair<string, string>>`, sent as `key_values` is; a key or
    /// a value left out is null, read here as empty (the methods skip both alike).
    pub(crate) fn text_pairs(&self, name: &str) -> Vec<(String, String)> {
        self.objects(name)
            .iter()
            .map(|item| {
                let text = |member| item.get(member).unwrap_or_default().to_owned();
                (text("key"), text("value"))
            })
            .collect()
    }

    /// An `IEnumerable<ContactInfoWrapper>` sent as `name[0][infoType]=Email&name[0][data]=…`:
    /// each member bound as the method's own parameter of its type would be (a missing
    /// `infoType` is `Phone`, a missing `data` or `categoryName` empty where the server has
    /// null).
    pub(crate) fn contact_infos(&self, name: &str) -> Result<Vec<ContactInfo>, ApiError> {
        self.objects(name)
            .iter()
            .map(|item| {
                let mut info = ContactInfo::new(
                    item.contact_info_type("infoType")?,
                    i32::try_from(item.int("category")?).map_err(|_| ApiError::BAD_NUMBER)?,
                    item.get("data").unwrap_or_default(),
                )
                .primary(item.bool("isPrimary")?);
                info.id = item.int("id")?.into();
                info.category_name = item.get("categoryName").unwrap_or_default().to_owned();
                Ok(info)
            })
            .collect()
    }

    /// The objects of the list `name`, each sent as `name[N][member]=value`, in index order,
    /// each as the parameters its members make.
    fn objects(&self, name: &str) -> Vec<Params> {
        let mut entries: Vec<(u64, Params)> = Vec::new();
        for (n, v) in &self.0 {
            let Some((index, member)) = indexed_property(n, name) else {
                continue;
            };
            let at = match entries.iter().position(|(i, _)| *i == index) {
                Some(at) => at,
                None => {
                    entries.push((index, Params::default()));
                    entries.len() - 1
                }
            };
            entries[at].1.push(member, v.as_str());
        }
        entries.sort_by_key(|(index, _)| *index);
        entries.into_iter().map(|(_, item)| item).collect()
    }
}

/// Whether `actual` names the list parameter `name`: `name`, `name[]` or `name[N]`.
fn list_name_matches(actual: &str, name: &str) -> bool {
    if actual.len() < name.len() || !actual.is_char_boundary(name.len()) {
        return false;
    }
    let (head, rest) = actual.split_at(name.len());
    if !head.eq_ignore_ascii_case(name) {
        return false;
    }
    match rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        _ if rest.is_empty() => true,
        Some(inner) => inner.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

/// `name[3][key]` → `(3, "key")`.
fn indexed_property<'a>(actual: &'a str, name: &str) -> Option<(u64, &'a str)> {
    if actual.len() < name.len() || !actual.is_char_boundary(name.len()) {
        return None;
    }
    let (head, rest) = actual.split_at(name.len());
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    let rest = rest.strip_prefix('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index = index.parse().ok()?;
    let property = rest.strip_prefix('[')?.strip_suffix(']')?;
    Some((index, property))
}

/// `Int32.Parse` with `NumberStyles.Integer`: spaces around, one sign, ASCII digits. The value
/// is returned as `i64` but must fit an `int`.
pub(crate) fn parse_int(text: &str) -> Result<i64, ApiError> {
    let bad = || ApiError::BAD_NUMBER;
    let trimmed = text.trim();
    let digits = trimmed
        .strip_prefix('-')
        .or_else(|| trimmed.strip_prefix('+'))
        .unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    trimmed
        .trim_start_matches('+')
        .parse::<i32>()
        .map(i64::from)
        .map_err(|_| bad())
}

fn parse_bool(text: &str) -> Result<bool, ApiError> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(format_error(
            "String was not recognized as a valid Boolean.",
        )),
    }
}

fn parse_decimal(text: &str) -> Result<f64, ApiError> {
    let trimmed = text.trim();
    let plain = trimmed
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match trimmed.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(v),
        _ => Err(ApiError::BAD_NUMBER),
    }
}

fn parse_guid(text: &str) -> Result<Uuid, ApiError> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(trimmed);
    Uuid::parse_str(inner).map_err(|_| {
        format_error(
            "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
        )
    })
}

fn parse_enum<T>(
    text: &str,
    by_name: impl Fn(&str) -> Option<T>,
    by_number: impl Fn(i32) -> T,
) -> Result<T, ApiError> {
    let trimmed = text.trim();
    if let Some(value) = by_name(trimmed) {
        return Ok(value);
    }
    trimmed
        .parse::<i32>()
        .map(by_number)
        .map_err(|_| argument_error(format!("Requested value '{text}' was not found.")))
}

/// `ApiDateTime.Parse`: `yyyy-MM-ddTHH:mm:ss` (or `HH-mm-ss`) with no fraction or exactly 3 or
/// 7 digits, then `Z`, `±hh:mm` or nothing; or `yyyy-MM-dd`. Without an offset the time is the
/// portal's local time. The result is written in the portal's offset, as the server answers.
/// `0001-01-01T00:00:00` (the "no date") is `None`.
pub(crate) fn parse_date(text: &str, tenant_offset: i16) -> Result<Option<ApiDateTime>, ApiError> {
    if text.chars().count() < 7 {
        return Err(argument_error("invalid date time format".to_owned()));
    }
    let invalid = || argument_error(format!("invalid date time format: {text}"));
    let normalized = normalize_date(text.trim(), tenant_offset).ok_or_else(invalid)?;
    let parsed = ApiDateTime::parse_optional(&normalized).map_err(|_| invalid())?;
    parsed
        .map(|at| at.with_offset(tenant_offset))
        .transpose()
        .map_err(|_| invalid())
}

/// Rewrites one of the server's input forms as `yyyy-MM-ddTHH:mm:ss[.f](Z|±hh:mm)`.
fn normalize_date(text: &str, tenant_offset: i16) -> Option<String> {
    let local_offset = || {
        let sign = if tenant_offset < 0 { '-' } else { '+' };
        let minutes = tenant_offset.unsigned_abs();
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    };
    let bytes = text.as_bytes();
    let is_date = |b: &[u8]| {
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    if bytes.len() == 10 {
        return is_date(bytes).then(|| format!("{text}T00:00:00{}", local_offset()));
    }
    if bytes.len() < 19 || !is_date(&bytes[..10]) || bytes[10] != b'T' {
        return None;
    }
    let time = &bytes[11..19];
    let separator = time[2];
    if !matches!(separator, b':' | b'-') || time[5] != separator {
        return None;
    }
    if ![0, 1, 3, 4, 6, 7].iter().all(|&i| time[i].is_ascii_digit()) {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = "";
    if let Some(after_dot) = rest.strip_prefix('.') {
        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if digits != 3 && digits != 7 {
            return None;
        }
        fraction = &rest[..=digits];
        rest = &after_dot[digits..];
    }
    let zone = match rest {
        "" => local_offset(),
        "Z" => "Z".to_owned(),
        _ => {
            let z = rest.as_bytes();
            let ok = z.len() == 6
                && matches!(z[0], b'+' | b'-')
                && z[3] == b':'
                && [1, 2, 4, 5].iter().all(|&i| z[i].is_ascii_digit());
            if !ok {
                return None;
            }
            rest.to_owned()
        }
    };
    let hh = &text[11..13];
    let mm = &text[14..16];
    let ss = &text[17..19];
    Some(format!("{}T{hh}:{mm}:{ss}{fraction}{zone}", &text[..10]))
}

/// Decodes one form-encoded name or value: `+` is a space and `%XX` a byte; a `%` not followed
/// by two hex digits stays as it is; bytes that are not UTF-8 become U+FFFD.
pub(crate) fn form_decode(text: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3).and_then(|h| {
                    let h = std::str::from_utf8(h).ok()?;
                    // `from_str_radix` would take a sign; only two hex digits will do.
                    h.bytes()
                        .all(|b| b.is_ascii_hexdigit())
                        .then(|| u8::from_str_radix(h, 16).ok())
                        .flatten()
                });
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Paging, sorting and the search text, which the framework reads from the query string only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paging {
    /// `startIndex`, at least 0.
    pub(crate) start: usize,
    /// `count`: at most [`Paging::MAX`], which is also the default; 0 turns the cut off.
    pub(crate) count: usize,
    /// `sortBy`, if given and not empty.
    pub(crate) sort_by: Option<String>,
    /// `sortOrder=descending` (exactly).
    pub(crate) descending: bool,
    /// `filterValue`, cut at the first comma; `None` when missing or empty.
    pub(crate) filter_value: Option<String>,
}

impl Paging {
    /// The server's `maxPage`: the default and largest page.
    pub(crate) const MAX: usize = 1000;

    /// Reads the paging parameters from a query string: for each name `name[]` is tried first,
    /// then `name` (ASCII case ignored); only the first value and only its text before the
    /// first comma count.
    pub(crate) fn from_query(query: Option<&str>) -> Paging {
        let mut params = Params::default();
        if let Some(query) = query {
            params.add_form(query.as_bytes());
        }
        let read = |name: &str| -> Option<String> {
            let value = params
                .get(&format!("{name}[]"))
                .or_else(|| params.get(name))?;
            Some(value.split(',').next().unwrap_or_default().to_owned())
        };
        let number = |name: &str| read(name).and_then(|v| v.trim().parse::<i64>().ok());
        let count = match number("count") {
            Some(n) if n >= 0 => usize::try_from(n).unwrap_or(Self::MAX).min(Self::MAX),
            _ => Self::MAX,
        };
        let start =
            number("startIndex").map_or(0, |n| usize::try_from(n.max(0)).unwrap_or(usize::MAX));
        Paging {
            start,
            count,
            sort_by: read("sortBy").filter(|s| !s.is_empty()),
            descending: read("sortOrder").as_deref() == Some("descending"),
            filter_value: read("filterValue").filter(|s| !s.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(text: &str) -> Params {
        let mut params = Params::default();
        params.add_form(text.as_bytes());
        params
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode(b"a+b%20c"), "a b c");
        assert_eq!(form_decode(b"admin%40example.com"), "admin@example.com");
        assert_eq!(form_decode(b"%2B%2b%3D"), "++=");
        assert_eq!(form_decode(b"%D0%9F%D1%80"), "Пр");
        assert_eq!(form_decode(b"100%"), "100%");
        assert_eq!(form_decode(b"%zz%4"), "%zz%4");
        assert_eq!(form_decode(b"%+1"), "% 1");
        assert_eq!(form_decode(b"%ff"), "\u{fffd}");
        assert_eq!(form_decode(b""), "");
    }

    #[test]
    fn form_params_first_value_wins_and_names_ignore_case() {
        let params = form("UserName=a%40b&password=p+w&&flag&username=late");
        assert_eq!(params.get("userName"), Some("a@b"));
        assert_eq!(params.get("PASSWORD"), Some("p w"));
        assert_eq!(params.get("flag"), Some(""));
        assert_eq!(params.get("missing"), None);
    }

    #[test]
    fn json_params_are_flattened_like_the_server() {
        let mut params = Params::default();
        params
            .add_json(
                br#"{"userName":"u","password":123,"x":null,"o":{"a":1},"t":true,
                     "ids":[1,2],"one":[5],
                     "cf":[{"key":5,"value":"x"},{"key":6,"value":"y"}],
                     "single":[{"key":7,"value":"z"}]}"#,
            )
            .unwrap();
        assert_eq!(params.get("username"), Some("u"));
        assert_eq!(params.get("password"), Some("123"));
        assert_eq!(params.get("x"), Some(""));
        assert_eq!(params.get("o"), None);
        assert_eq!(params.get("o[a]"), Some("1"));
        assert_eq!(params.get("t"), Some("true"));
        assert_eq!(params.ints("ids").unwrap(), [1, 2]);
        assert_eq!(params.ints("one").unwrap(), [5]);
        assert_eq!(
            params.key_values("cf").unwrap(),
            [(5, "x".to_owned()), (6, "y".to_owned())]
        );
        // The server's trap: one object in the array is `single[key]`, never read.
        assert_eq!(params.key_values("single").unwrap(), []);
        assert_eq!(params.get("single[key]"), Some("7"));
        assert_eq!(params.add_json(b"  "), Ok(()));
        assert_eq!(params.add_json(b"[1]"), Err(BodyError::NotAJsonObject));
        assert_eq!(params.add_json(b"{"), Err(BodyError::NotAJsonObject));
        assert_eq!(params.add_json(b"\"s\""), Err(BodyError::NotAJsonObject));
    }

    #[test]
    fn lists_in_every_form() {
        let params = form("ids=1&IDS[]=2&ids[5]=3&idsx=9&ids[a]=8&ids=");
        assert_eq!(params.ints("ids").unwrap(), [1, 2, 3]);
        assert!(form("ids=1,2").ints("ids").is_err());
        assert_eq!(form("tags=a,b&tags=c").strings("tags"), ["a,b", "c"]);
        assert_eq!(form("").ints("ids").unwrap(), Vec::<i64>::new());
        let cf = form(
            "customFieldList[1][value]=b&customFieldList[0][key]=5&CustomFieldList[0][Value]=a\
             &customFieldList[1][key]=6&customFieldList[2][key]=7",
        );
        assert_eq!(
            cf.key_values("customFieldList").unwrap(),
            [(5, "a".into()), (6, "b".into()), (7, String::new())]
        );
        let infos = form(
            "items[1][infoType]=Email&items[1][data]=a%40b&items[0][data]=1&items[0][category]=2\
             &items[0][ISPRIMARY]=True&items[0][categoryName]=Mine&items[1][id]=77",
        );
        let infos = infos.contact_infos("items").unwrap();
        let seen: Vec<_> = infos
            .iter()
            .map(|i| {
                (
                    i.info_type,
                    i.category,
                    i.data.as_str(),
                    i.is_primary,
                    i.category_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (ContactInfoType::Phone, 2, "1", true, "Mine"),
                (ContactInfoType::Email, 0, "a@b", false, "")
            ]
        );
        assert_eq!(infos[1].id.get(), 77);
        assert!(
            form("items[0][infoType]=Fax")
                .contact_infos("items")
                .is_err()
        );
        let data =
            form("data[1][key]=Ivan&data[0][value]=Morozova&data[0][KEY]=Olga&data[2][value]=x");
        assert_eq!(
            data.text_pairs("data"),
            [
                ("Olga".into(), "Morozova".into()),
                ("Ivan".into(), String::new()),
                (String::new(), "x".into())
            ]
        );
        assert!(form("cf[0][key]=x").key_values("cf").is_err());
    }

    #[test]
    fn scalars_convert_like_dotnet() {
        let p = form("a=+12&b=%2012%20&c=1.5&d=x&e=&f=2147483648&g=-7");
        assert_eq!(p.int("a").unwrap(), 12);
        assert_eq!(p.int("b").unwrap(), 12);
        assert_eq!(p.int("e").unwrap(), 0);
        assert_eq!(p.int("missing").unwrap(), 0);
        assert_eq!(p.int("g").unwrap(), -7);
        for bad in ["c", "d", "f"] {
            let err = p.int(bad).unwrap_err();
            assert_eq!(err.message, "Input string was not in a correct format.");
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
        }
        assert_eq!(p.decimal("c").unwrap(), 1.5);
        assert!(form("v=NaN").decimal("v").is_err());
        assert!(form("v=1,5").decimal("v").is_err());

        let b = form("t=TRUE&f=false&x=1&e=");
        assert!(b.bool("t").unwrap());
        assert!(!b.bool("f").unwrap());
        assert!(!b.bool("e").unwrap() && !b.bool("missing").unwrap());
        assert_eq!(b.opt_bool("e").unwrap(), None);
        assert_eq!(
            b.bool("x").unwrap_err().message,
            "String was not recognized as a valid Boolean."
        );

        let e = form("a=perMonth&b=4&c=nope&d=closedandwon&f=9");
        assert_eq!(e.bid_type("a").unwrap(), BidType::PerMonth);
        assert_eq!(e.bid_type("b").unwrap(), BidType::PerMonth);
        assert_eq!(e.bid_type("missing").unwrap(), BidType::FixedBid);
        assert_eq!(
            e.bid_type("c").unwrap_err().message,
            "Requested value 'nope' was not found."
        );
        assert_eq!(e.stage_type("d").unwrap(), StageType::ClosedAndWon);
        assert_eq!(e.opt_stage_type("missing").unwrap(), None);
        assert_eq!(e.stage_type("f").unwrap(), StageType::Unknown(9));

        let g = form(
            "a=6a1f0f6e-3b2c-4d5e-8f90-1a2b3c4d5e6f&b={6A1F0F6E-3B2C-4D5E-8F90-1A2B3C4D5E6F}\
             &c=6a1f0f6e3b2c4d5e8f901a2b3c4d5e6f&d=nope",
        );
        let id = Uuid::from_u128(0x6a1f0f6e_3b2c_4d5e_8f90_1a2b3c4d5e6f);
        for name in ["a", "b", "c"] {
            assert_eq!(g.guid(name).unwrap(), id, "{name}");
        }
        assert_eq!(g.guid("missing").unwrap(), Uuid::nil());
        assert!(g.guid("d").is_err());
    }

    #[test]
    fn dates_in_the_server_forms() {
        let utc = |t: &str| parse_date(t, 0).map(|d| d.map(|d| d.to_string()));
        assert_eq!(
            utc("2024-03-01T12:00:05Z").unwrap().unwrap(),
            "2024-03-01T12:00:05.0000000Z"
        );
        assert_eq!(
            utc("2024-03-01T12:00:05.123+03:00").unwrap().unwrap(),
            "2024-03-01T09:00:05.1230000Z"
        );
        assert_eq!(
            utc("2024-03-01T12-00-05.1234567Z").unwrap().unwrap(),
            "2024-03-01T12:00:05.1234567Z"
        );
        assert_eq!(
            utc("2024-03-01").unwrap().unwrap(),
            "2024-03-01T00:00:00.0000000Z"
        );
        assert_eq!(utc("0001-01-01T00:00:00.0000000Z").unwrap(), None);
        // Without an offset the time is the portal's.
        assert_eq!(
            parse_date("2024-03-01T12:00:05", 180)
                .unwrap()
                .unwrap()
                .to_string(),
            "2024-03-01T12:00:05.0000000+03:00"
        );
        assert_eq!(
            parse_date("2024-03-01T12:00:05Z", 180)
                .unwrap()
                .unwrap()
                .to_string(),
            "2024-03-01T15:00:05.0000000+03:00"
        );
        for bad in [
            "2024-03-01T12:00:05.12Z",
            "2024-03-01T12:00:05.123456Z",
            "2024-03-01 12:00:05Z",
            "2024-13-01",
            "yesterday",
            "2024-03-01T12:00:05+0300",
        ] {
            let err = utc(bad).unwrap_err();
            assert_eq!(err.message, format!("invalid date time format: {bad}"));
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
        }
        assert_eq!(utc("2024").unwrap_err().message, "invalid date time format");
    }

    #[test]
    fn paging_from_the_query() {
        let p = Paging::from_query(Some(
            "Count=2&startIndex=-4&sortBy=title,id&sortOrder=descending&filterValue=a%2Cb",
        ));
        assert_eq!(
            p,
            Paging {
                start: 0,
                count: 2,
                sort_by: Some("title".into()),
                descending: true,
                filter_value: Some("a".into()),
            }
        );
        let d = Paging::from_query(Some("count=x&sortOrder=Descending&startIndex=3"));
        assert_eq!((d.count, d.start, d.descending), (Paging::MAX, 3, false));
        assert_eq!(Paging::from_query(Some("count=5000")).count, Paging::MAX);
        assert_eq!(Paging::from_query(Some("count[]=7&count=3")).count, 7);
        assert_eq!(Paging::from_query(None).sort_by, None);
    }
}

/// What the client sends arrives in the generated arguments with its value: a wire name that
/// differed on one side, or a binding that read it wrong, fails here.
#[cfg(test)]
mod bind_round_trip {
    use r7_model::{ApiDateTime, BidType, CustomFieldId, Uuid};
    use r7_proto::crm::opportunity::{CreateOpportunity, ListOpportunities};
    use r7_proto::{BaseUrl, CustomFieldValue, RequestContext, Token, build_request};

    use crate::binder::Params;
    use crate::generated::args::{CreateOpportunityArgs, ListOpportunitiesArgs};

    fn sent(request: &http::Request<bytes::Bytes>) -> Params {
        let mut params = Params::default();
        if let Some(query) = request.uri().query() {
            params.add_form(query.as_bytes());
        }
        params.add_form(request.body());
        params
    }

    fn context() -> (BaseUrl, Token) {
        (
            BaseUrl::parse("https://portal.example.com/").expect("base"),
            Token::new("token").expect("token"),
        )
    }

    #[test]
    fn every_field_of_a_create_arrives() {
        let user = Uuid::from_u128(7);
        let date = ApiDateTime::parse("2025-06-30T00:00:00.0000000+03:00").expect("date");
        let create = CreateOpportunity::new("Сделка, 1", user, 30, "RUB")
            .contact_id(101)
            .members([101, 102])
            .description("a & b = c")
            .bid_type(BidType::PerMonth)
            .bid_value(99.5)
            .per_period_value(12)
            .success_probability(40)
            .actual_close_date(date)
            .expected_close_date(date)
            .custom_fields([CustomFieldValue::new(CustomFieldId::new(7), "Д-1")])
            .is_private(true)
            .access_list([user])
            .is_notify(true);
        let (base, token) = context();
        let request =
            build_request(&create, &RequestContext::new(&base, Some(&token))).expect("built");
        let args = CreateOpportunityArgs::bind(&sent(&request), 180).expect("bound");
        let fields = args.opportunity_fields;
        assert_eq!(fields.title.as_deref(), Some("Сделка, 1"));
        assert_eq!(fields.responsible_id, user);
        assert_eq!(fields.stage_id, 30);
        assert_eq!(fields.bid_currency.as_deref(), Some("RUB"));
        assert_eq!(fields.contact_id, 101);
        assert_eq!(fields.members, [101, 102]);
        assert_eq!(fields.description.as_deref(), Some("a & b = c"));
        assert_eq!(fields.bid_type, BidType::PerMonth);
        assert_eq!(fields.bid_value, 99.5);
        assert_eq!(fields.per_period_value, 12);
        assert_eq!(fields.success_probability, 40);
        assert_eq!(fields.actual_close_date, Some(date));
        assert_eq!(fields.expected_close_date, Some(date));
        assert_eq!(fields.custom_fields, [(7, "Д-1".to_owned())]);
        assert!(fields.is_private);
        assert_eq!(fields.access_list, [user]);
        assert!(fields.is_notify);
    }

    #[test]
    fn the_fields_are_converted_in_the_methods_signature_order() {
        // CreateDeal takes contactid before responsibleid, though the form carries them the
        // other way round: with both bad, the contact's error is the one the server reports.
        let mut params = Params::default();
        params.add_form(b"responsibleid=not-a-guid&contactid=not-a-number");
        let error = CreateOpportunityArgs::bind(&params, 180).expect_err("both are bad");
        assert_eq!(error, crate::wire::ApiError::BAD_NUMBER);
        let mut params = Params::default();
        params.add_form(b"responsibleid=not-a-guid&contactid=101");
        let error = CreateOpportunityArgs::bind(&params, 180).expect_err("the GUID is bad");
        assert!(
            error.message.starts_with("Guid should contain"),
            "{error:?}"
        );
    }

    #[test]
    fn every_filter_of_a_search_arrives() {
        let user = Uuid::from_u128(9);
        let from = ApiDateTime::parse("2024-01-01T00:00:00.0000000+03:00").expect("date");
        let to = ApiDateTime::parse("2024-12-31T00:00:00.0000000+03:00").expect("date");
        let list = ListOpportunities::new()
            .responsible_id(user)
            .stage_id(30)
            .tags(["VIP", "опт"])
            .contact_id(101)
            .stage_type(r7_model::StageType::ClosedAndWon)
            .contact_also_is_participant(true)
            .from_date(from)
            .to_date(to);
        let (base, token) = context();
        let request =
            build_request(&list, &RequestContext::new(&base, Some(&token))).expect("built");
        let filter = ListOpportunitiesArgs::bind(&sent(&request), 180)
            .expect("bound")
            .opportunity_filter;
        assert_eq!(filter.responsible_id, user);
        assert_eq!(filter.stage_id, 30);
        assert_eq!(filter.tags, ["VIP", "опт"]);
        assert_eq!(filter.contact_id, 101);
        assert_eq!(filter.stage_type, Some(r7_model::StageType::ClosedAndWon));
        assert_eq!(filter.contact_also_is_participant, Some(true));
        assert_eq!((filter.from_date, filter.to_date), (Some(from), Some(to)));
    }
}

/// The values the emulator binds from a request the client builds for `endpoint`: the route's
/// placeholders, then the query string, then the form body, as the server's binder reads them.
#[cfg(test)]
pub(crate) fn sent<E: r7_proto::Endpoint>(endpoint: &E) -> Params {
    let base = r7_proto::BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = r7_proto::Token::new("token").expect("token");
    let request = r7_proto::build_request(
        endpoint,
        &r7_proto::RequestContext::new(&base, Some(&token)),
    )
    .expect("built");
    let mut params = Params::default();
    let matched = crate::routes::match_route(request.method(), request.uri().path())
        .expect("the request has a route");
    for (name, value) in matched.values {
        params.push(name, value);
    }
    if let Some(query) = request.uri().query() {
        params.add_form(query.as_bytes());
    }
    params.add_form(request.body());
    params
}
