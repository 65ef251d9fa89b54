//! The store's time zone from the IANA database (chrono-tz): core's `reminders::Zone`, which
//! core itself cannot hold.

use chrono::{DateTime, Offset, TimeZone};
use creditdesk_core::reminders::Zone;
use creditdesk_core::store_config::TimeZoneName;
use creditdesk_core::Timestamp;

/// A zone of the IANA database.
#[derive(Debug, Clone, Copy)]
pub struct Iana(chrono_tz::Tz);

impl Zone for Iana {
    fn offset_seconds(&self, at: Timestamp) -> i32 {
        let utc = DateTime::from_timestamp_micros(at.unix_micros())
            .unwrap_or_default()
            .naive_utc();
        self.0
            .offset_from_utc_datetime(&utc)
            .fix()
            .local_minus_utc()
    }
}

/// The zone `name` names, if the database knows it (names are case-sensitive, as IANA's are).
pub fn zone_of(name: &TimeZoneName) -> Option<Iana> {
    name.as_str().parse().ok().map(Iana)
}

/// The store's zone; UTC (with a warning) if the database no longer knows the stored name.
pub fn store_zone(name: &TimeZoneName) -> Iana {
    zone_of(name).unwrap_or_else(|| {
        tracing::warn!(
            zone = name.as_str(),
            "unknown time zone; reminders are timed in UTC"
        );
        Iana(chrono_tz::UTC)
    })
}

/// What the API says of a well-formed name the database does not know.
pub const UNKNOWN_ZONE: &str =
    "is not a time zone of the IANA database; use a name such as UTC, America/Sao_Paulo or Europe/Berlin";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_the_database() {
        let name = |s: &str| s.parse::<TimeZoneName>().unwrap();
        let at: Timestamp = "2024-01-15T00:00:00Z".parse().unwrap();
        for (zone, offset) in [
            ("UTC", 0),
            ("America/Sao_Paulo", -10_800),
            ("Asia/Kolkata", 19_800),
        ] {
            assert_eq!(
                zone_of(&name(zone)).unwrap().offset_seconds(at),
                offset,
                "{zone}"
            );
        }
        assert!(zone_of(&name("Mars/Olympus_Mons")).is_none());
        assert!(zone_of(&name("america/sao_paulo")).is_none());
        assert_eq!(store_zone(&name("Mars/Base")).offset_seconds(at), 0);
    }
}
