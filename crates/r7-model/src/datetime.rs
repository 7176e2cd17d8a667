//! [`ApiDateTime`]: the portal's timestamp, with its UTC offset kept.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Number of 100-nanosecond ticks in one second (the .NET `DateTime` resolution).
const TICKS_PER_SECOND: u32 = 10_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A point in time as the portal writes it: a local date and time plus the UTC offset it was
/// written with, at 100-nanosecond resolution.
///
/// The server writes `yyyy-MM-ddTHH:mm:ss.fffffff` followed by `Z` or `±HH:MM`, in the portal's
/// time zone. [`ApiDateTime::parse`] reads that form with 0 to 7 fraction digits, and
/// [`Display`](fmt::Display) / `Serialize` always write exactly 7 fraction digits and an explicit
/// offset, because the server parses only 0, 3 or 7 digits.
///
/// Equality compares the written form: the same instant at two different offsets is not equal.
/// Compare [`ApiDateTime::unix_nanos`] to compare instants.
///
/// The server's "no date" (`0001-01-01T00:00:00…`) is not an `ApiDateTime`: [`ApiDateTime::parse`]
/// refuses it and [`ApiDateTime::parse_optional`] maps it to `None`; the model types decode it to
/// `None` the same way.
///
/// ```
/// use r7_model::ApiDateTime;
///
/// let t = ApiDateTime::parse("2022-10-08T15:03:33.1944111Z")?;
/// assert_eq!(t.to_string(), "2022-10-08T15:03:33.1944111Z");
/// let moscow = ApiDateTime::parse("2024-03-01T12:00:05+03:00")?;
/// assert_eq!(moscow.to_string(), "2024-03-01T12:00:05.0000000+03:00");
/// assert_eq!(ApiDateTime::parse_optional("0001-01-01T00:00:00.0000000Z")?, None);
/// # Ok::<(), r7_model::ParseDateTimeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiDateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    /// Fraction of the second in 100 ns ticks, `0..10_000_000`.
    ticks: u32,
    /// Offset from UTC in minutes, east positive.
    offset_minutes: i16,
}

/// Why a string is not an [`ApiDateTime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateTimeError {
    reason: &'static str,
}

impl ParseDateTimeError {
    fn new(reason: &'static str) -> Self {
        ParseDateTimeError { reason }
    }
}

impl fmt::Display for ParseDateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a portal date-time (expected yyyy-MM-ddTHH:mm:ss[.fffffff] with Z or ±HH:MM): {}",
            self.reason
        )
    }
}

impl std::error::Error for ParseDateTimeError {}

impl ApiDateTime {
    /// Builds a value from its parts: local date and time, 100 ns ticks within the second, and the
    /// offset from UTC in minutes (east positive).
    ///
    /// Fails when a part is out of range (month 13, 30 February, an offset beyond ±23:59, ...) or
    /// when the value is the server's "no date", `0001-01-01T00:00:00`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        ticks: u32,
        offset_minutes: i16,
    ) -> Result<Self, ParseDateTimeError> {
        if !(1..=9999).contains(&year) {
            return Err(ParseDateTimeError::new("year out of range 1..=9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(ParseDateTimeError::new("month out of range 1..=12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(ParseDateTimeError::new("day out of range for the month"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(ParseDateTimeError::new("time of day out of range"));
        }
        if ticks >= TICKS_PER_SECOND {
            return Err(ParseDateTimeError::new("fraction of a second out of range"));
        }
        if offset_minutes.unsigned_abs() > 23 * 60 + 59 {
            return Err(ParseDateTimeError::new("UTC offset out of range ±23:59"));
        }
        let value = ApiDateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            ticks,
            offset_minutes,
        };
        if value.is_no_date_sentinel() {
            return Err(ParseDateTimeError::new(
                "0001-01-01T00:00:00 is the server's \"no date\"; use parse_optional",
            ));
        }
        Ok(value)
    }

    /// Builds a value from Unix time in nanoseconds (rounded down to 100 ns) and the offset to
    /// write it with.
    pub fn from_unix_nanos(nanos: i128, offset_minutes: i16) -> Result<Self, ParseDateTimeError> {
        if offset_minutes.unsigned_abs() > 23 * 60 + 59 {
            return Err(ParseDateTimeError::new("UTC offset out of range ±23:59"));
        }
        // Checked: an instant at the ends of the i128 range must be refused, not overflow.
        let local = nanos
            .checked_add(i128::from(offset_minutes) * 60 * 1_000_000_000)
            .ok_or_else(|| ParseDateTimeError::new("instant out of range"))?;
        let seconds = local.div_euclid(1_000_000_000);
        let sub_nanos = local.rem_euclid(1_000_000_000);
        let seconds =
            i64::try_from(seconds).map_err(|_| ParseDateTimeError::new("instant out of range"))?;
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let year = u16::try_from(year).map_err(|_| ParseDateTimeError::new("year out of range"))?;
        // The casts below are exact: each value was reduced to its range just above.
        Self::from_parts(
            year,
            month,
            day,
            (in_day / 3600) as u8,
            (in_day / 60 % 60) as u8,
            (in_day % 60) as u8,
            (sub_nanos / 100) as u32,
            offset_minutes,
        )
    }

    /// The current time, written in UTC.
    pub fn now_utc() -> Self {
        let nanos = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        // Any clock reading between years 1 and 9999 fits.
        Self::from_unix_nanos(nanos, 0).unwrap_or(ApiDateTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            ticks: 0,
            offset_minutes: 0,
        })
    }

    /// Parses what the server writes: `yyyy-MM-ddTHH:mm:ss`, an optional `.` with 1 to 7
    /// fraction digits, then `Z` or `±HH:MM`.
    ///
    /// The server's "no date" (`0001-01-01T00:00:00…`) is refused; see
    /// [`ApiDateTime::parse_optional`].
    pub fn parse(text: &str) -> Result<Self, ParseDateTimeError> {
        match Self::parse_optional(text)? {
            Some(value) => Ok(value),
            None => Err(ParseDateTimeError::new(
                "0001-01-01T00:00:00 is the server's \"no date\"; use parse_optional",
            )),
        }
    }

    /// Like [`ApiDateTime::parse`], but maps the server's "no date" (`0001-01-01T00:00:00` with
    /// any fraction and offset) to `None`.
    pub fn parse_optional(text: &str) -> Result<Option<Self>, ParseDateTimeError> {
        let mut cur = Cursor {
            rest: text.trim().as_bytes(),
        };
        let year = cur.digits(4, "year must have 4 digits")?;
        cur.expect(b'-', "expected '-' after the year")?;
        let month = cur.digits(2, "month must have 2 digits")?;
        cur.expect(b'-', "expected '-' after the month")?;
        let day = cur.digits(2, "day must have 2 digits")?;
        if !cur.eat(b'T') && !cur.eat(b't') {
            return Err(ParseDateTimeError::new(
                "expected 'T' between date and time",
            ));
        }
        let hour = cur.digits(2, "hour must have 2 digits")?;
        cur.expect(b':', "expected ':' after the hour")?;
        let minute = cur.digits(2, "minute must have 2 digits")?;
        cur.expect(b':', "expected ':' after the minute")?;
        let second = cur.digits(2, "second must have 2 digits")?;
        let mut ticks = 0u32;
        if cur.eat(b'.') {
            let digits = cur.take_digits();
            if digits.is_empty() || digits.len() > 7 {
                return Err(ParseDateTimeError::new(
                    "the fraction of a second must have 1 to 7 digits",
                ));
            }
            for (i, d) in digits.iter().enumerate() {
                ticks += u32::from(d - b'0') * 10u32.pow(6 - i as u32);
            }
        }
        let offset_minutes = cur.offset()?;
        if !cur.rest.is_empty() {
            return Err(ParseDateTimeError::new(
                "unexpected text after the UTC offset",
            ));
        }
        if (year, month, day, hour, minute, second) == (1, 1, 1, 0, 0, 0) {
            return Ok(None);
        }
        // Every part fits its type: at most 4 or 2 digits each.
        Self::from_parts(
            year as u16,
            month as u8,
            day as u8,
            hour as u8,
            minute as u8,
            second as u8,
            ticks,
            offset_minutes,
        )
        .map(Some)
    }

    /// Year (1 to 9999) of the local date.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month (1 to 12) of the local date.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month (1 to 31) of the local date.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour (0 to 23) of the local time.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute (0 to 59) of the local time.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second (0 to 59) of the local time.
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Nanoseconds within the second (a multiple of 100).
    pub fn nanosecond(&self) -> u32 {
        self.ticks * 100
    }
    /// Offset from UTC in minutes, east positive (`+03:00` is 180).
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// The instant as nanoseconds since 1970-01-01T00:00:00Z.
    pub fn unix_nanos(&self) -> i128 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let local_seconds = days * SECONDS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        let utc_seconds = local_seconds - i64::from(self.offset_minutes) * 60;
        i128::from(utc_seconds) * 1_000_000_000 + i128::from(self.ticks) * 100
    }

    /// The same instant written with another offset.
    pub fn with_offset(&self, offset_minutes: i16) -> Result<Self, ParseDateTimeError> {
        Self::from_unix_nanos(self.unix_nanos(), offset_minutes)
    }

    fn is_no_date_sentinel(&self) -> bool {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        ) == (1, 1, 1, 0, 0, 0)
    }
}

impl fmt::Display for ApiDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.ticks
        )?;
        if self.offset_minutes == 0 {
            f.write_str("Z")
        } else {
            let sign = if self.offset_minutes < 0 { '-' } else { '+' };
            let abs = self.offset_minutes.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
        }
    }
}

impl fmt::Debug for ApiDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiDateTime({self})")
    }
}

impl std::str::FromStr for ApiDateTime {
    type Err = ParseDateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ApiDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DateTimeVisitor)
    }
}

struct DateTimeVisitor;

impl Visitor<'_> for DateTimeVisitor {
    type Value = ApiDateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date-time string such as 2022-10-08T15:03:33.1944111Z")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ApiDateTime, E> {
        ApiDateTime::parse(v).map_err(E::custom)
    }
}

/// Serde helpers for `Option<ApiDateTime>` fields that map the server's "no date" to `None`.
///
/// Use with `#[serde(default, with = "r7_model::datetime::optional")]`.
pub mod optional {
    use super::*;

    /// Decodes a missing value, `null`, an empty string or the server's "no date" as `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ApiDateTime>, D::Error> {
        let text: Option<String> = Option::deserialize(deserializer)?;
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => ApiDateTime::parse_optional(t).map_err(de::Error::custom),
        }
    }

    /// Writes `None` as `null` and a value in the server's 7-digit form.
    pub fn serialize<S: Serializer>(
        value: &Option<ApiDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn eat(&mut self, byte: u8) -> bool {
        if self.rest.first() == Some(&byte) {
            self.rest = &self.rest[1..];
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), ParseDateTimeError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(ParseDateTimeError::new(reason))
        }
    }

    fn take_digits(&mut self) -> &[u8] {
        let n = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let (digits, rest) = self.rest.split_at(n);
        self.rest = rest;
        digits
    }

    fn digits(&mut self, count: usize, reason: &'static str) -> Result<u32, ParseDateTimeError> {
        let digits = self.take_digits();
        if digits.len() != count {
            return Err(ParseDateTimeError::new(reason));
        }
        Ok(digits
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    /// `Z`, `+HH:MM` or `-HH:MM`. Also reads `-HH:-MM`, which the server writes for negative
    /// offsets with minutes (its formatter prints the minutes with their own sign).
    fn offset(&mut self) -> Result<i16, ParseDateTimeError> {
        if self.eat(b'Z') || self.eat(b'z') {
            return Ok(0);
        }
        let sign: i16 = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else if self.rest.is_empty() {
            return Err(ParseDateTimeError::new(
                "missing UTC offset (Z or ±HH:MM); a time without one is ambiguous",
            ));
        } else {
            return Err(ParseDateTimeError::new(
                "expected Z or ±HH:MM after the time",
            ));
        };
        let hours = self.digits(2, "offset hours must have 2 digits")?;
        self.expect(b':', "expected ':' in the UTC offset")?;
        if sign < 0 {
            self.eat(b'-');
        }
        let minutes = self.digits(2, "offset minutes must have 2 digits")?;
        if hours > 23 || minutes > 59 {
            return Err(ParseDateTimeError::new("UTC offset out of range ±23:59"));
        }
        Ok(sign * (hours * 60 + minutes) as i16)
    }
}

fn is_leap(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ApiDateTime {
        ApiDateTime::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn reads_the_servers_form_and_writes_it_back() {
        let t = parse("2022-10-08T15:03:33.1944111Z");
        assert_eq!((t.year(), t.month(), t.day()), (2022, 10, 8));
        assert_eq!((t.hour(), t.minute(), t.second()), (15, 3, 33));
        assert_eq!(t.nanosecond(), 194_411_100);
        assert_eq!(t.offset_minutes(), 0);
        assert_eq!(t.to_string(), "2022-10-08T15:03:33.1944111Z");
    }

    #[test]
    fn always_writes_seven_fraction_digits_and_an_offset() {
        for (input, written) in [
            (
                "2024-03-01T12:00:05+03:00",
                "2024-03-01T12:00:05.0000000+03:00",
            ),
            (
                "2024-03-01T12:00:05.1+03:00",
                "2024-03-01T12:00:05.1000000+03:00",
            ),
            ("2024-03-01T12:00:05.123Z", "2024-03-01T12:00:05.1230000Z"),
            (
                "2024-03-01T12:00:05.123456-05:30",
                "2024-03-01T12:00:05.1234560-05:30",
            ),
            (
                "2024-03-01T12:00:05.0000001+00:00",
                "2024-03-01T12:00:05.0000001Z",
            ),
        ] {
            assert_eq!(parse(input).to_string(), written, "{input}");
        }
    }

    #[test]
    fn reads_the_servers_negative_offset_quirk() {
        assert_eq!(
            parse("2024-03-01T12:00:05.0000000-03:-30").offset_minutes(),
            -210
        );
    }

    #[test]
    fn no_date_is_none_not_year_one() {
        for s in [
            "0001-01-01T00:00:00.0000000Z",
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00.000+03:00",
        ] {
            assert_eq!(ApiDateTime::parse_optional(s), Ok(None), "{s}");
            assert!(ApiDateTime::parse(s).is_err(), "{s}");
        }
        assert!(
            ApiDateTime::parse_optional("0001-01-01T00:00:01Z")
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for s in [
            "",
            "2022-10-08",
            "2022-10-08T15:03:33",
            "2022-10-08T15:03:33.12345678Z",
            "2022-10-08T15:03:33.Z",
            "2022-13-08T15:03:33Z",
            "2023-02-29T15:03:33Z",
            "2022-10-08T24:00:00Z",
            "2022-10-08T15:03:33+24:00",
            "2022-10-08T15:03:33Zjunk",
            "22-10-08T15:03:33Z",
        ] {
            assert!(ApiDateTime::parse(s).is_err(), "{s:?} should be refused");
        }
        assert!(ApiDateTime::parse("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn unix_time_round_trips_and_respects_the_offset() {
        let utc = parse("2022-10-08T15:03:33.1944111Z");
        assert_eq!(utc.unix_nanos(), 1_665_241_413_194_411_100);
        let moscow = utc.with_offset(180).unwrap();
        assert_eq!(moscow.to_string(), "2022-10-08T18:03:33.1944111+03:00");
        assert_eq!(moscow.unix_nanos(), utc.unix_nanos());
        assert_ne!(moscow, utc);
        let back = ApiDateTime::from_unix_nanos(utc.unix_nanos(), 0).unwrap();
        assert_eq!(back, utc);
        let early = parse("1601-02-03T04:05:06.7000000-01:00");
        assert_eq!(
            ApiDateTime::from_unix_nanos(early.unix_nanos(), -60).unwrap(),
            early
        );
    }

    #[test]
    fn instants_beyond_the_range_are_refused_not_overflowed() {
        // Found while writing the Unix-time property: the offset was added unchecked, which
        // overflowed i128 at the ends of its range (a panic in debug builds).
        for (nanos, offset) in [
            (i128::MAX, 60),
            (i128::MIN, -60),
            (i128::MAX, 0),
            (i128::MIN, 0),
        ] {
            assert!(
                ApiDateTime::from_unix_nanos(nanos, offset).is_err(),
                "{nanos} {offset}"
            );
        }
        let last = parse("9999-12-31T23:59:59.9999999Z");
        assert_eq!(ApiDateTime::from_unix_nanos(last.unix_nanos(), 0), Ok(last));
        assert!(ApiDateTime::from_unix_nanos(last.unix_nanos() + 100, 0).is_err());
    }

    #[test]
    fn serde_uses_the_written_form() {
        let t = parse("2022-10-08T15:03:33.1944111+03:00");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2022-10-08T15:03:33.1944111+03:00\"");
        assert_eq!(serde_json::from_str::<ApiDateTime>(&json).unwrap(), t);
    }
}
