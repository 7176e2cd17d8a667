//! Request parameters as name/value pairs, in the forms the server's binder reads.

use std::borrow::Cow;

use bytes::Bytes;
use r7_model::{ApiDateTime, ContactInfo, CustomFieldId, Uuid};

use crate::endpoint::Body;
use crate::error::BuildError;
use crate::path::encode_query;

/// How deals and lists are ordered (`sortOrder`); the server reads only `descending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// Smallest first (the default).
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

/// One custom field value of a request (`customFieldList`): the field's id and its value as
/// text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomFieldValue {
    /// The custom field's id.
    pub field_id: CustomFieldId,
    /// The value as text (dates as text too; check boxes as `true`/`false`).
    pub value: String,
}

impl CustomFieldValue {
    /// The value `value` for the field `field_id`.
    pub fn new(field_id: impl Into<CustomFieldId>, value: impl Into<String>) -> Self {
        CustomFieldValue {
            field_id: field_id.into(),
            value: value.into(),
        }
    }
}

/// One pair of texts of a request (the server's `ItemKeyValuePair<string, string>`): what `key`
/// and `value` mean is the method's (`POST contact/person/quick` reads a first name and a last
/// name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextPair {
    /// The pair's key.
    pub key: String,
    /// The pair's value.
    pub value: String,
}

impl TextPair {
    /// The pair `key`, `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        TextPair {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A file to upload (the server's `HttpPostedFileBase`): sent as one part of a
/// `multipart/form-data` body, with its name and media type.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    file_name: String,
    content_type: String,
    bytes: Bytes,
}

impl Upload {
    /// The file `file_name` of media type `content_type` (`image/png`) with its `bytes`.
    pub fn new(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        Upload {
            file_name: file_name.into(),
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }

    /// The file's name, as the server sees it.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The file's media type.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The file's content.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

/// The name, the type and the size: a file's content does not belong in a log.
impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Unencoded name/value pairs for a query string or a form body, and the files that make it a
/// multipart body.
#[derive(Debug, Default)]
pub(crate) struct Form {
    pairs: Vec<(Cow<'static, str>, String)>,
    indexed: Vec<(String, String)>,
    files: Vec<(&'static str, Upload)>,
}

impl Form {
    pub(crate) fn push(&mut self, name: &'static str, value: &impl WireValue) {
        value.write(name, self);
    }

    /// Adds one pair.
    pub(crate) fn text(&mut self, name: impl Into<Cow<'static, str>>, value: String) {
        self.pairs.push((name.into(), value));
    }

    pub(crate) fn into_query(self) -> Vec<(Cow<'static, str>, String)> {
        self.pairs
    }

    /// The pairs as an `application/x-www-form-urlencoded` body, or with files as a
    /// `multipart/form-data` one.
    pub(crate) fn into_body(self) -> Result<Option<Body>, BuildError> {
        if !self.files.is_empty() {
            return self.into_multipart().map(Some);
        }
        let mut text = encode_query(&self.pairs);
        for (name, value) in &self.indexed {
            if !text.is_empty() {
                text.push('&');
            }
            text.push_str(&crate::path::encode_query_component(name));
            text.push('=');
            text.push_str(&crate::path::encode_query_component(value));
        }
        Ok(Some(Body {
            content_type: "application/x-www-form-urlencoded".into(),
            bytes: Bytes::from(text),
        }))
    }

    /// RFC 7578: each pair a part, then each file, split by a boundary found in none of them.
    fn into_multipart(self) -> Result<Body, BuildError> {
        for (name, file) in &self.files {
            if file.content_type.is_empty() || file.content_type.chars().any(char::is_control) {
                return Err(BuildError::InvalidArgument {
                    name: (*name).to_owned(),
                    reason: "the file's media type must be a one-line text such as image/png"
                        .to_owned(),
                });
            }
        }
        let texts = self
            .pairs
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_str()))
            .chain(self.indexed.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let mut parts: Vec<(String, &[u8])> = texts
            .map(|(name, value)| (disposition(name, None), value.as_bytes()))
            .collect();
        for (name, file) in &self.files {
            let head = format!(
                "{}\r\nContent-Type: {}",
                disposition(name, Some(&file.file_name)),
                file.content_type
            );
            parts.push((head, &file.bytes[..]));
        }
        let mut n = 0u32;
        let boundary = loop {
            let candidate = format!("r7-boundary-{n:08x}");
            let found = |bytes: &[u8]| {
                bytes
                    .windows(candidate.len())
                    .any(|w| w == candidate.as_bytes())
            };
            if !parts
                .iter()
                .any(|(head, bytes)| found(head.as_bytes()) || found(bytes))
            {
                break candidate;
            }
            n += 1;
        };
        let mut body = Vec::new();
        for (head, bytes) in &parts {
            body.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok(Body {
            content_type: format!("multipart/form-data; boundary={boundary}").into(),
            bytes: Bytes::from(body),
        })
    }
}

/// A part's `Content-Disposition`, its quoted texts escaped as browsers do (`"` as `%22`, line
/// breaks as `%0D` and `%0A`).
fn disposition(name: &str, file_name: Option<&str>) -> String {
    let quoted = |text: &str| {
        text.replace('"', "%22")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    match file_name {
        Some(file) => format!(
            "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"",
            quoted(name),
            quoted(file)
        ),
        None => format!("Content-Disposition: form-data; name=\"{}\"", quoted(name)),
    }
}

/// A file travels as its own part of a multipart body.
impl WireValue for Upload {
    fn write(&self, name: &'static str, form: &mut Form) {
        form.files.push((name, self.clone()));
    }
}

/// A value that knows how the server's binder expects it on the wire.
pub(crate) trait WireValue {
    fn write(&self, name: &'static str, form: &mut Form);
}

macro_rules! display_value {
    ($($ty:ty),*) => {$(
        impl WireValue for $ty {
            fn write(&self, name: &'static str, form: &mut Form) {
                form.text(name, self.to_string());
            }
        }
    )*};
}

// Dates print with 7 fraction digits and an offset; GUIDs lower-case and hyphenated; floats
// without exponent for the amounts a deal carries.
display_value!(i32, i64, u64, bool, f64, String, ApiDateTime, Uuid);

impl WireValue for SortOrder {
    fn write(&self, name: &'static str, form: &mut Form) {
        let text = match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        };
        form.text(name, text.to_owned());
    }
}

impl<T: WireValue> WireValue for Option<T> {
    fn write(&self, name: &'static str, form: &mut Form) {
        if let Some(value) = self {
            value.write(name, form);
        }
    }
}

/// Lists of plain values are repeated names (`ids=1&ids=2`); an empty list sends nothing, which
/// the server binds as an empty list.
impl<T: WireValue> WireValue for Vec<T> {
    fn write(&self, name: &'static str, form: &mut Form) {
        for value in self {
            value.write(name, form);
        }
    }
}

impl Form {
    /// A list of `ItemKeyValuePair`s as `name[0][key]=5&name[0][value]=x`: the one form the
    /// server reads for any number of entries (a JSON array of exactly one object is silently
    /// dropped).
    fn key_value_pairs(&mut self, name: &str, pairs: impl Iterator<Item = (String, String)>) {
        for (index, (key, value)) in pairs.enumerate() {
            self.indexed.push((format!("{name}[{index}][key]"), key));
            self.indexed
                .push((format!("{name}[{index}][value]"), value));
        }
    }
}

/// `customFieldList[0][key]=5&customFieldList[0][value]=x`.
impl WireValue for Vec<CustomFieldValue> {
    fn write(&self, name: &'static str, form: &mut Form) {
        let pairs = self
            .iter()
            .map(|f| (f.field_id.to_string(), f.value.clone()));
        form.key_value_pairs(name, pairs);
    }
}

/// `items[0][infoType]=Email&items[0][category]=1&items[0][data]=…&items[0][isPrimary]=true`:
/// the members the server's binder fills in a `ContactInfoWrapper` and saves; the id is the
/// server's to give, and a category name is sent only when set, since the server answers it as
/// sent.
impl WireValue for Vec<ContactInfo> {
    fn write(&self, name: &'static str, form: &mut Form) {
        for (index, item) in self.iter().enumerate() {
            let mut member = |member: &str, value: String| {
                form.indexed
                    .push((format!("{name}[{index}][{member}]"), value));
            };
            let info_type = item.info_type;
            member(
                "infoType",
                info_type
                    .name()
                    .map_or_else(|| info_type.to_i32().to_string(), str::to_owned),
            );
            member("category", item.category.to_string());
            member("data", item.data.clone());
            member("isPrimary", item.is_primary.to_string());
            if !item.category_name.is_empty() {
                member("categoryName", item.category_name.clone());
            }
        }
    }
}

/// `data[0][key]=Ольга&data[0][value]=Морозова`.
impl WireValue for Vec<TextPair> {
    fn write(&self, name: &'static str, form: &mut Form) {
        let pairs = self.iter().map(|p| (p.key.clone(), p.value.clone()));
        form.key_value_pairs(name, pairs);
    }
}

/// Checks the generated endpoints run before building a request.
pub(crate) mod check {
    use crate::error::BuildError;

    /// Ids are C# `int`s the server refuses when `<= 0`.
    pub(crate) fn id(name: &str, value: i64) -> Result<(), BuildError> {
        crate::endpoints::positive_id(name, value)
    }

    /// A text path segment: empty, it would drop the segment and change the route.
    #[allow(
        dead_code,
        reason = "for text path segments; no route of the spec has one yet"
    )]
    pub(crate) fn segment(name: &str, value: &str) -> Result<(), BuildError> {
        if value.is_empty() {
            return Err(BuildError::InvalidArgument {
                name: name.to_owned(),
                reason: "must not be empty (it is a path segment)".to_owned(),
            });
        }
        Ok(())
    }

    /// A value the server refuses when empty.
    pub(crate) trait Filled {
        fn is_filled(&self) -> bool;
    }

    impl Filled for String {
        fn is_filled(&self) -> bool {
            !self.trim().is_empty()
        }
    }

    impl<T> Filled for Vec<T> {
        fn is_filled(&self) -> bool {
            !self.is_empty()
        }
    }

    pub(crate) fn nonempty(name: &str, value: &impl Filled) -> Result<(), BuildError> {
        if value.is_filled() {
            Ok(())
        } else {
            Err(BuildError::InvalidArgument {
                name: name.to_owned(),
                reason: "must not be empty".to_owned(),
            })
        }
    }

    /// Refuses a request that would act on everything when the caller did not ask for that
    /// with the endpoint's `all()`: `filtered` holds whether each filter narrows.
    pub(crate) fn some_filter(
        all: bool,
        filtered: &[bool],
        reason: &str,
    ) -> Result<(), BuildError> {
        if all || filtered.contains(&true) {
            Ok(())
        } else {
            Err(BuildError::InvalidArgument {
                name: "filter".to_owned(),
                reason: reason.to_owned(),
            })
        }
    }

    /// Refuses a parameter the server applies only together with another one, when that other
    /// one is unset: alone it would be ignored, and the request would act on more than asked.
    pub(crate) fn together(
        name: &str,
        is_set: bool,
        partner: &str,
        partner_is_set: bool,
    ) -> Result<(), BuildError> {
        if is_set && !partner_is_set {
            Err(BuildError::InvalidArgument {
                name: name.to_owned(),
                reason: format!(
                    "the portal applies it only together with `{partner}` and would ignore it \
                     alone; set `{partner}` too, or leave both unset"
                ),
            })
        } else {
            Ok(())
        }
    }

    /// Refuses a comma in a text the server cuts at its first comma (the framework's
    /// `filterValue`): what follows would be dropped, so the request would match more than asked.
    pub(crate) fn no_comma(name: &str, value: &Option<String>) -> Result<(), BuildError> {
        match value {
            Some(text) if text.contains(',') => Err(BuildError::InvalidArgument {
                name: name.to_owned(),
                reason: "contains a comma, and the portal reads only the text before the first \
                         comma, so it would match more than asked; leave the comma out"
                    .to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// A string the server accepts only from a fixed set (compared ignoring ASCII case).
    #[allow(
        dead_code,
        reason = "for the spec's `allowed`; no parameter of the spec has it yet"
    )]
    pub(crate) fn one_of(
        name: &str,
        value: &Option<String>,
        allowed: &[&str],
    ) -> Result<(), BuildError> {
        match value {
            Some(v) if !allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) => {
                Err(BuildError::InvalidArgument {
                    name: name.to_owned(),
                    reason: format!("must be one of {}, got {v:?}", allowed.join(", ")),
                })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multipart(form: Form) -> (String, String) {
        let body = form.into_body().unwrap().unwrap();
        let text = String::from_utf8(body.bytes.to_vec()).unwrap();
        (body.content_type.into_owned(), text)
    }

    #[test]
    fn a_file_makes_a_multipart_body_with_the_texts_first() {
        let mut form = Form::default();
        form.text("contactid", "101".to_owned());
        form.push("photo", &Upload::new("logo.png", "image/png", &b"PNG"[..]));
        let (content_type, text) = multipart(form);
        assert_eq!(
            content_type,
            "multipart/form-data; boundary=r7-boundary-00000000"
        );
        assert_eq!(
            text,
            "--r7-boundary-00000000\r\n\
             Content-Disposition: form-data; name=\"contactid\"\r\n\r\n101\r\n\
             --r7-boundary-00000000\r\n\
             Content-Disposition: form-data; name=\"photo\"; filename=\"logo.png\"\r\n\
             Content-Type: image/png\r\n\r\nPNG\r\n\
             --r7-boundary-00000000--\r\n"
        );
    }

    #[test]
    fn the_boundary_is_one_the_content_does_not_hold_and_names_are_escaped() {
        let mut form = Form::default();
        let content = "a--r7-boundary-00000000 and r7-boundary-00000001";
        form.push(
            "photo",
            &Upload::new(
                "my \"best\"\r\n.png",
                "image/png",
                content.as_bytes().to_vec(),
            ),
        );
        let (content_type, text) = multipart(form);
        assert!(
            content_type.ends_with("boundary=r7-boundary-00000002"),
            "{content_type}"
        );
        assert!(
            text.contains("filename=\"my %22best%22%0D%0A.png\""),
            "{text}"
        );
        assert!(text.contains(content), "{text}");
    }

    #[test]
    fn a_media_type_of_two_lines_is_refused() {
        let mut form = Form::default();
        form.push(
            "photo",
            &Upload::new("a.png", "image/png\r\nX-Evil: 1", &b"x"[..]),
        );
        assert!(matches!(
            form.into_body(),
            Err(BuildError::InvalidArgument { name, .. }) if name == "photo"
        ));
        let mut form = Form::default();
        form.push("photo", &Upload::new("a.png", "", &b"x"[..]));
        assert!(form.into_body().is_err());
    }

    #[test]
    fn an_upload_prints_no_content() {
        let upload = Upload::new("a.png", "image/png", &b"secret pixels"[..]);
        let printed = format!("{upload:?}");
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("len: 13"), "{printed}");
    }
}
