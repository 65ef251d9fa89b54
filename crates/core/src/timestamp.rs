//! Instants, as the API writes them: ISO 8601 in UTC.
//!
//! Core never reads a clock: every "now" is an argument.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// An instant in UTC, to the microsecond, between 1970-01-01 and 9999-12-31.
///
/// Written as the reference API does, with 7 fractional digits: `2024-03-03T06:52:53.1314370Z`.
/// Read from a full ISO 8601 / RFC 3339 date-time (any offset, converted to UTC; digits beyond
/// the microsecond are dropped) or a date `YYYY-MM-DD` (its midnight UTC).
///
/// ```
/// use creditdesk_core::Timestamp;
/// let t: Timestamp = "2024-03-03T06:52:53.1314379Z".parse().unwrap();
/// assert_eq!(t.to_string(), "2024-03-03T06:52:53.1314370Z");
/// assert_eq!(t.plus_days(30).unwrap().to_string(), "2024-04-02T06:52:53.1314370Z");
/// assert_eq!("2024-03-03".parse::<Timestamp>().unwrap().to_string(), "2024-03-03T00:00:00.0000000Z");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    Invalid,
    OutOfRange,
}

impl std::fmt::Display for TimestampError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimestampError::Invalid => {
                "must be a date YYYY-MM-DD or an ISO 8601 date-time such as 2024-03-03T06:52:53Z"
            }
            TimestampError::OutOfRange => "must be between 1970-01-01 and 9999-12-31",
        })
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(0);
    /// 9999-12-31T23:59:59.999999Z.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999_999);

    pub fn from_unix_micros(micros: i64) -> Result<Timestamp, TimestampError> {
        if (Self::MIN.0..=Self::MAX.0).contains(&micros) {
            Ok(Timestamp(micros))
        } else {
            Err(TimestampError::OutOfRange)
        }
    }

    /// Microseconds since the Unix epoch (the storage form).
    pub fn unix_micros(self) -> i64 {
        self.0
    }

    /// This instant `days` later; `None` past [`Timestamp::MAX`].
    pub fn plus_days(self, days: u32) -> Option<Timestamp> {
        let micros = self.0.checked_add(i64::from(days) * MICROS_PER_DAY)?;
        Timestamp::from_unix_micros(micros).ok()
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier), rounded toward zero.
    pub fn days_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0) / MICROS_PER_DAY
    }

    /// An upper bound a client gives, **included**, as the exclusive instant just after it: a date
    /// `YYYY-MM-DD` covers its whole day (the next midnight), a date-time covers itself (one
    /// microsecond later). Lower bounds are read as they are ([`FromStr`]).
    ///
    /// ```
    /// use creditdesk_core::Timestamp;
    /// let end = Timestamp::parse_upper_bound("2024-01-20").unwrap();
    /// assert_eq!(end.to_string(), "2024-01-21T00:00:00.0000000Z");
    /// ```
    pub fn parse_upper_bound(text: &str) -> Result<Timestamp, TimestampError> {
        let at: Timestamp = text.parse()?;
        Ok(if text.len() == 10 {
            at.plus_days(1).unwrap_or(Timestamp::MAX)
        } else {
            Timestamp::from_unix_micros(at.unix_micros() + 1).unwrap_or(Timestamp::MAX)
        })
    }

    /// Midnight UTC of this instant's day.
    pub fn start_of_day(self) -> Timestamp {
        Timestamp(self.0 - self.0.rem_euclid(MICROS_PER_DAY))
    }

    fn to_utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).expect("within the supported range")
    }

    fn from_utc(at: DateTime<Utc>) -> Result<Timestamp, TimestampError> {
        Timestamp::from_unix_micros(at.timestamp_micros())
    }

    /// A date `YYYY-MM-DD`, exactly four, two and two ASCII digits.
    fn parse_date(bytes: &[u8; 10]) -> Result<Timestamp, TimestampError> {
        let digits = |range: std::ops::Range<usize>| {
            bytes[range].iter().try_fold(0u32, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        };
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(TimestampError::Invalid);
        }
        let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10))
        else {
            return Err(TimestampError::Invalid);
        };
        let year = i32::try_from(year).expect("four digits");
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(TimestampError::Invalid)?;
        Timestamp::from_utc(date.and_time(chrono::NaiveTime::MIN).and_utc())
    }

    /// An RFC 3339 date-time, any offset. A leap second (`:60`) is read as the last microsecond
    /// of its minute, and only as the last second of a month in UTC (where leap seconds go).
    fn parse_date_time(text: &str) -> Result<Timestamp, TimestampError> {
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|_| TimestampError::Invalid)?
            .with_timezone(&Utc);
        if at.nanosecond() < 1_000_000_000 {
            return Timestamp::from_utc(at);
        }
        let last_of_month = at
            .date_naive()
            .succ_opt()
            .is_none_or(|next| next.day() == 1);
        if !(last_of_month && (at.hour(), at.minute(), at.second()) == (23, 59, 59)) {
            return Err(TimestampError::Invalid);
        }
        let second = at
            .timestamp()
            .checked_mul(1_000_000)
            .ok_or(TimestampError::OutOfRange)?;
        Timestamp::from_unix_micros(second + 999_999)
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Ok(date) = <&[u8; 10]>::try_from(text.as_bytes()) {
            return Timestamp::parse_date(date);
        }
        match text.len() {
            // Longer text is no date-time anyone means; refused before it is parsed.
            11..=40 => Timestamp::parse_date_time(text),
            _ => Err(TimestampError::Invalid),
        }
    }
}

impl Timestamp {
    /// `YYYY-MM-DD HH:MM:SS` in UTC, to the second (as the company-credit API writes times;
    /// text in this shape sorts in time order).
    pub fn date_time_text(self) -> String {
        let at = self.to_utc();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.to_utc();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}0Z",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.timestamp_subsec_micros()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
