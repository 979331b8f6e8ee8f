//! Calendar helpers: ISO 8601 formatting and `YYYY-MM-DD` parsing.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// `2026-01-01T10:00:00+01:00`.
const ISO_8601: &[FormatItem<'_>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Parses `YYYY-MM-DD` (a date of the calendar) into days since the epoch.
pub fn parse_date(text: &str) -> Option<i64> {
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
    Some((date - OffsetDateTime::UNIX_EPOCH.date()).whole_days())
}

/// Formats epoch seconds with a UTC offset in minutes as `2026-01-01T10:00:00+01:00`. An offset beyond
/// ±25:59 is taken as UTC, and a time outside the years -9999 to 9999 as the epoch.
pub fn iso8601(secs: i64, offset_minutes: i32) -> String {
    let offset =
        UtcOffset::from_whole_seconds(offset_minutes.saturating_mul(60)).unwrap_or(UtcOffset::UTC);
    let time = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    time.to_offset(offset)
        .format(ISO_8601)
        .expect("every date in range formats")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        let day = parse_date("2026-02-28").unwrap();
        assert_eq!(
            iso8601(day * 86_400 + 3_661, 0),
            "2026-02-28T01:01:01+00:00"
        );
        assert_eq!(iso8601(0, 90), "1970-01-01T01:30:00+01:30");
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn offsets_west_of_utc_and_impossible_dates() {
        assert_eq!(iso8601(0, -30), "1969-12-31T23:30:00-00:30");
        assert_eq!(iso8601(1_767_603_600, -300), "2026-01-05T04:00:00-05:00");
        assert_eq!(parse_date("2099-12-31"), Some(47_481));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-01-01T00:00"), None);
    }
}
