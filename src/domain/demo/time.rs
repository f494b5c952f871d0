//! The seed's relative times (syntax in the module docs of `demo`): resolved against the
//! moment the demo is loaded, so the demo always looks current.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

/// A resolved seed time: an instant, or (with the `day` prefix) a calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Instant(DateTime<Utc>),
    Day(NaiveDate),
}

impl When {
    /// The value of a Notion date's `start`, as Notion returns it.
    pub(super) fn notion_start(self) -> String {
        match self {
            When::Instant(at) => at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
            When::Day(day) => day.format("%Y-%m-%d").to_string(),
        }
    }

    /// The instant it stands for (a date is its midnight UTC).
    pub(super) fn instant(self) -> DateTime<Utc> {
        match self {
            When::Instant(at) => at,
            When::Day(day) => day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
        }
    }
}

/// The moment relative times count from: `now` rounded down to the minute, so every
/// resolved time is a whole minute as Notion's own timestamps are.
pub(super) fn anchor(now: DateTime<Utc>) -> DateTime<Utc> {
    now.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("second 0 and nanosecond 0 always exist")
}

/// Reads one relative time; the error says what is wrong with it.
pub(super) fn resolve(text: &str, anchor: DateTime<Utc>) -> Result<When, &'static str> {
    let trimmed = text.trim();
    let (day, offset) = match trimmed.strip_prefix("day ") {
        Some(rest) => (true, offset(rest.trim())?),
        None => (false, offset(trimmed)?),
    };
    let at = anchor
        .checked_add_signed(offset)
        .ok_or("it is too far from now")?;
    Ok(if day {
        When::Day(at.date_naive())
    } else {
        When::Instant(at)
    })
}

/// `now`, or a sign followed by one or more `<number><unit>` terms (spaces between terms
/// allowed), units `w`, `d`, `h`, `m`.
fn offset(text: &str) -> Result<Duration, &'static str> {
    if text == "now" {
        return Ok(Duration::zero());
    }
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => return Err("expected `now`, or a sign then terms like 3d or 4h (e.g. -26d 4h)"),
    };
    let mut total = Duration::zero();
    let mut terms = 0;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err("each term is a number then a unit (w, d, h or m), e.g. 3d");
        }
        let number: i64 = rest[..digits]
            .parse()
            .map_err(|_| "a number is too large")?;
        let term = match rest.as_bytes().get(digits) {
            Some(b'w') => Duration::try_weeks(number),
            Some(b'd') => Duration::try_days(number),
            Some(b'h') => Duration::try_hours(number),
            Some(b'm') => Duration::try_minutes(number),
            _ => return Err("a unit is missing or unknown (use w, d, h or m)"),
        };
        total = term
            .and_then(|term| total.checked_add(&term))
            .ok_or("it is too far from now")?;
        terms += 1;
        rest = &rest[digits + 1..];
    }
    if terms == 0 {
        return Err("a sign must be followed by at least one term, e.g. -3d");
    }
    Ok(if negative { -total } else { total })
}
