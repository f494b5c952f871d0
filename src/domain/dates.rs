//! Days as an operator types them: `2026-12-01`, `today`, `tomorrow`, `+3d`, `+2w`, a
//! weekday (`fri`, `friday`: the next one, today included), or `-` to clear.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// What a typed day asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayInput {
    Day(NaiveDate),
    /// `-` (or `none`): no date.
    Clear,
}

/// What `parse_day` accepts, for messages.
pub const DAY_FORMS: &str = "2026-12-01, today, tomorrow, +3d, +2w, fri, or - to clear";

/// Reads a typed day relative to `today`. Empty text is an error: clearing is asked for
/// with `-`, never by an empty answer.
pub fn parse_day(text: &str, today: NaiveDate) -> Result<DayInput, String> {
    let text = text.trim();
    let lower = text.to_lowercase();
    let day = match lower.as_str() {
        "" => return Err(format!("type a day: {DAY_FORMS}")),
        "-" | "none" | "clear" => return Ok(DayInput::Clear),
        "today" => today,
        "tomorrow" | "tmr" => today + Duration::days(1),
        _ => {
            if let Some(offset) = lower.strip_prefix('+') {
                relative(offset, today).ok_or_else(|| not_a_day(text))?
            } else if let Some(weekday) = weekday(&lower) {
                let ahead = (weekday.num_days_from_monday() + 7
                    - today.weekday().num_days_from_monday())
                    % 7;
                today + Duration::days(i64::from(ahead))
            } else {
                NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| not_a_day(text))?
            }
        }
    };
    Ok(DayInput::Day(day))
}

fn not_a_day(text: &str) -> String {
    format!("\"{text}\" is not a day: {DAY_FORMS}")
}

/// `3d`, `2w`, `3` (days).
fn relative(offset: &str, today: NaiveDate) -> Option<NaiveDate> {
    let (number, unit) = match offset.strip_suffix(['d', 'w']) {
        Some(number) => (number, offset.chars().last()?),
        None => (offset, 'd'),
    };
    let n: i64 = number.parse().ok().filter(|n| (0..=3650).contains(n))?;
    let days = if unit == 'w' { n * 7 } else { n };
    today.checked_add_signed(Duration::days(days))
}

fn weekday(text: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    // Three letters at least, as far as the name goes: `fri`, `frid`, `friday`.
    (text.len() >= 3)
        .then(|| {
            NAMES
                .iter()
                .find(|(name, _)| name.starts_with(text))
                .map(|(_, day)| *day)
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_every_form_relative_to_today() {
        // A Monday.
        let today = day(2026, 12, 7);
        let read = |text| parse_day(text, today);
        assert_eq!(read("2026-12-24"), Ok(DayInput::Day(day(2026, 12, 24))));
        assert_eq!(read(" Today "), Ok(DayInput::Day(today)));
        assert_eq!(read("tomorrow"), Ok(DayInput::Day(day(2026, 12, 8))));
        assert_eq!(read("+3d"), Ok(DayInput::Day(day(2026, 12, 10))));
        assert_eq!(read("+3"), Ok(DayInput::Day(day(2026, 12, 10))));
        assert_eq!(read("+2w"), Ok(DayInput::Day(day(2026, 12, 21))));
        assert_eq!(read("fri"), Ok(DayInput::Day(day(2026, 12, 11))));
        assert_eq!(read("Friday"), Ok(DayInput::Day(day(2026, 12, 11))));
        // Today's weekday is today; yesterday's is next week's.
        assert_eq!(read("mon"), Ok(DayInput::Day(today)));
        assert_eq!(read("sun"), Ok(DayInput::Day(day(2026, 12, 13))));
        assert_eq!(read("-"), Ok(DayInput::Clear));
        assert_eq!(read("none"), Ok(DayInput::Clear));
    }

    #[test]
    fn refuses_empty_and_unreadable_text() {
        let today = day(2026, 12, 7);
        for text in ["", "  ", "fr", "+", "+xd", "+99999d", "2026-13-01", "next week"] {
            let error = parse_day(text, today).unwrap_err();
            assert!(error.contains("- to clear"), "{text}: {error}");
        }
    }
}
