//! The predicates a filter group of the spec declares (`predicate = { eq = "stage_id" }`),
//! written once; `generated/filters.rs` combines them for each group over its entity's columns
//! (`behaviour/<entity>.rs`, `columns`).

use r7_model::{ApiDateTime, Uuid};

/// A bound argument as a filter reads it: the value that selects, or `None` for the value the
/// binder gives when nothing was sent, which selects everything.
pub(crate) trait Given {
    type Value;
    fn given(&self) -> Option<&Self::Value>;
}

/// An `int` id: 0 (or less) is any.
impl Given for i64 {
    type Value = i64;
    fn given(&self) -> Option<&i64> {
        (*self > 0).then_some(self)
    }
}

/// A `Guid`: the nil GUID is any.
impl Given for Uuid {
    type Value = Uuid;
    fn given(&self) -> Option<&Uuid> {
        (!self.is_nil()).then_some(self)
    }
}

/// A nullable (`bool?`, an enum `?`, a date): not sent is any.
impl<T> Given for Option<T> {
    type Value = T;
    fn given(&self) -> Option<&T> {
        self.as_ref()
    }
}

/// Whether a column holds a value: the column's own type, or an optional one that is set.
pub(crate) trait Is<V> {
    fn is(&self, value: &V) -> bool;
}

impl<T: PartialEq> Is<T> for T {
    fn is(&self, value: &T) -> bool {
        self == value
    }
}

impl<T: PartialEq> Is<T> for Option<T> {
    fn is(&self, value: &T) -> bool {
        self.as_ref() == Some(value)
    }
}

/// What a filter's arguments amount to: whether any was given, and whether any became a
/// condition (a date alone, a blank search text or a modifier alone does not).
#[derive(Debug, Default)]
pub(crate) struct Filter<'a> {
    search: Option<&'a str>,
    given: bool,
    condition: bool,
}

impl<'a> Filter<'a> {
    /// A filter with the search text of the query string (`filterValue`).
    pub(crate) fn new(search: Option<&'a str>) -> Filter<'a> {
        Filter {
            search,
            given: search.is_some(),
            condition: search.is_some_and(|text| !text.trim().is_empty()),
        }
    }

    /// `eq`: the value, when one was sent.
    pub(crate) fn eq<'v, G: Given>(&mut self, argument: &'v G) -> Option<&'v G::Value> {
        let value = argument.given();
        self.given |= value.is_some();
        self.condition |= value.is_some();
        value
    }

    /// `tags`: the tags, when some were sent.
    pub(crate) fn tags<'v>(&mut self, tags: &'v [String]) -> Option<&'v [String]> {
        let value = (!tags.is_empty()).then_some(tags);
        self.eq_like(value.is_some());
        value
    }

    fn eq_like(&mut self, given: bool) {
        self.given |= given;
        self.condition |= given;
    }

    /// `instead`: a modifier, given when sent, never a condition of its own.
    pub(crate) fn modifier(&mut self, flag: Option<bool>) -> Option<bool> {
        self.given |= flag.is_some();
        flag
    }

    /// `from` and `to`: each given when sent, a condition only as a pair.
    pub(crate) fn range(
        &mut self,
        from: Option<ApiDateTime>,
        to: Option<ApiDateTime>,
    ) -> Option<(ApiDateTime, ApiDateTime)> {
        self.given |= from.is_some() || to.is_some();
        let pair = from.zip(to);
        self.condition |= pair.is_some();
        pair
    }

    /// Parameters were given but none became a condition.
    pub(crate) fn has_no_condition(&self) -> bool {
        self.given && !self.condition
    }

    /// The search text, when one was sent.
    pub(crate) fn search(&self) -> Option<&'a str> {
        self.search
    }
}

/// `tags`: the column has every wanted tag (trimmed, case ignored; a blank one is no tag).
pub(crate) fn has_tags(column: &[String], wanted: &[String]) -> bool {
    let have: Vec<String> = column.iter().map(|t| t.trim().to_lowercase()).collect();
    wanted
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .all(|t| have.contains(&t))
}

/// `from` and `to`: the column is a date within both, ends included; "no date" never is.
pub(crate) fn within(column: Option<ApiDateTime>, (from, to): (ApiDateTime, ApiDateTime)) -> bool {
    column.is_some_and(|at| {
        let at = at.unix_nanos();
        from.unix_nanos() <= at && at <= to.unix_nanos()
    })
}

/// The search text: every word starts a word of one of the columns (SQL `LIKE 'w%' OR
/// LIKE '% w%'`, case ignored).
pub(crate) fn words(search: &str, columns: &[String]) -> bool {
    let columns: Vec<String> = columns.iter().map(|c| c.to_lowercase()).collect();
    let starts_a_word =
        |text: &str, word: &str| text.starts_with(word) || text.contains(&format!(" {word}"));
    search.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        columns.iter().any(|column| starts_a_word(column, &word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_selects_and_what_is_a_condition() {
        let mut f = Filter::new(None);
        assert_eq!(f.eq(&0_i64), None);
        assert_eq!(f.eq(&Uuid::nil()), None);
        assert!(!f.has_no_condition(), "nothing given");
        assert_eq!(f.modifier(Some(false)), Some(false));
        assert!(f.has_no_condition(), "a modifier alone is no condition");
        assert_eq!(f.eq(&7_i64), Some(&7));
        assert!(!f.has_no_condition());
        let mut lone_date = Filter::new(None);
        let date = ApiDateTime::parse("2024-01-01T00:00:00Z").ok();
        assert_eq!(lone_date.range(date, None), None);
        assert!(lone_date.has_no_condition());
        assert!(
            Filter::new(Some("  ")).has_no_condition(),
            "a blank search text"
        );
    }

    #[test]
    fn predicates() {
        let tags = ["VIP".to_owned(), "опт".to_owned()];
        assert!(has_tags(&tags, &[" vip ".into(), "ОПТ".into()]));
        assert!(!has_tags(&tags, &["vip".into(), "new".into()]));
        let columns = [
            "Hotel catalogue".to_owned(),
            "120 exchange seats".to_owned(),
        ];
        assert!(words("hot 120", &columns));
        assert!(words("EXCH", &columns));
        assert!(!words("otel", &columns), "a word must start a word");
        let at = ApiDateTime::parse("2024-03-01T00:00:00Z").ok();
        let range = (
            ApiDateTime::parse("2024-02-01T00:00:00Z").expect("a date"),
            ApiDateTime::parse("2024-03-01T00:00:00Z").expect("a date"),
        );
        assert!(within(at, range) && !within(None, range));
    }
}
