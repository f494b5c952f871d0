//! Timestamp formats. Pages, blocks and data sources show minute-rounded `...T09:09:00.000Z`;
//! databases show milliseconds with `+00:00` (notes §5).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

pub fn floor_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// `2026-07-04T09:09:00.000Z` (the caller floors to the minute first when Notion does).
pub fn fmt_z(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `2026-07-04T09:08:53.017+00:00`, the database object's format.
pub fn fmt_offset(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

/// A date (`2024-05-01`, read as midnight UTC) or a datetime with or without a zone
/// (no zone means UTC), as Notion accepts them in date values and filters.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = parse_instant("2026-07-04T09:09:53.017Z").unwrap();
        assert_eq!(fmt_z(floor_minute(t)), "2026-07-04T09:09:00.000Z");
        assert_eq!(fmt_offset(t), "2026-07-04T09:09:53.017+00:00");
        assert_eq!(
            parse_instant("2022-02-25T01:23:00.000+09:00"),
            parse_instant("2022-02-24T16:23:00")
        );
        assert_eq!(
            parse_instant("2024-05-01"),
            parse_instant("2024-05-01T00:00:00Z")
        );
        assert!(parse_instant("May 1").is_none());
    }
}
