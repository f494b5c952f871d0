//! What Notion's "slow down" answers say: the reason of a 429 and how long to wait.
//!
//! Every 429 carries `additional_data.rate_limit_reason` (notion-api-notes §3): this
//! connection's window budget, the workspace's limit shared by every connection, one
//! endpoint's own limit, or a blocked connection that must not be retried. `Retry-After`
//! is whole seconds, repeated in the body as `additional_data.retry_after`; a value that is
//! not a sane number of seconds never panics and never makes hsn wait for ever.

use std::time::Duration;

/// The longest wait a `Retry-After` can impose. Notion's workspace limit may ask for more
/// than a minute; nothing it documents comes near ten. A larger value (or `u64::MAX`, or
/// `1e30`) is clamped to this, and logged.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// Why Notion asked us to slow down.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateLimitReason {
    /// This connection spent its budget for the window (`public_api_request_rate_limit`):
    /// `Retry-After` is the window's reset, at most a minute.
    Connection,
    /// The workspace is saturated by all its connections, the agents' included
    /// (`public_api_space_request_rate_limit`): `Retry-After` can exceed a minute.
    Workspace,
    /// One endpoint's own limit (`public_api_endpoint_rate_limit`): only that endpoint waits.
    Endpoint,
    /// The connection is blocked (`public_api_request_blocked`): never retried.
    Blocked,
    /// 529 `service_overload`: Notion itself is overloaded.
    Overload,
    /// A 429 with no reason, or a reason Notion added later: a plain 429.
    Other(String),
}

impl RateLimitReason {
    /// The reason of a 429 from its `additional_data.rate_limit_reason` (`None`: no reason).
    pub fn parse(reason: Option<&str>) -> Self {
        match reason {
            Some("public_api_request_rate_limit") => RateLimitReason::Connection,
            Some("public_api_space_request_rate_limit") => RateLimitReason::Workspace,
            Some("public_api_endpoint_rate_limit") => RateLimitReason::Endpoint,
            Some("public_api_request_blocked") => RateLimitReason::Blocked,
            Some(other) => RateLimitReason::Other(other.to_string()),
            None => RateLimitReason::Other(String::new()),
        }
    }

    /// Notion's own word for it, as reports and logs show it.
    pub fn as_str(&self) -> &str {
        match self {
            RateLimitReason::Connection => "public_api_request_rate_limit",
            RateLimitReason::Workspace => "public_api_space_request_rate_limit",
            RateLimitReason::Endpoint => "public_api_endpoint_rate_limit",
            RateLimitReason::Blocked => "public_api_request_blocked",
            RateLimitReason::Overload => "service_overload",
            RateLimitReason::Other(text) if text.is_empty() => "rate_limited",
            RateLimitReason::Other(text) => text,
        }
    }

    /// A short phrase for a person ("the workspace is saturated").
    pub fn describe(&self) -> &'static str {
        match self {
            RateLimitReason::Connection => "this connection's budget for the minute is spent",
            RateLimitReason::Workspace => {
                "the workspace's shared limit is reached (every connection to it, the agents' too)"
            }
            RateLimitReason::Endpoint => "one endpoint's own limit is reached",
            RateLimitReason::Blocked => "Notion has blocked this connection's requests",
            RateLimitReason::Overload => "Notion is overloaded",
            RateLimitReason::Other(_) => "Notion asked to slow down",
        }
    }
}

impl std::fmt::Display for RateLimitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a `Retry-After` value: delta-seconds (Notion's form, also fractional) or an HTTP
/// date. Anything else, a negative number or a NaN is `None` (the caller's default applies);
/// a wait beyond [`MAX_RETRY_AFTER`] is clamped to it and logged; a date in the past is no
/// wait. Never panics.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else if let Ok(secs) = value.parse::<f64>() {
        if secs.is_nan() || secs < 0.0 {
            // Negative or NaN: not a wait.
            tracing::warn!(
                retry_after = value,
                "ignoring a Retry-After that is not a wait"
            );
            return None;
        }
        // `try_from_secs_f64` fails (instead of panicking) on infinity and on values past
        // `Duration::MAX`: both are clamped below.
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
    } else {
        let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
        wait.to_std().unwrap_or(Duration::ZERO)
    };
    if wait > MAX_RETRY_AFTER {
        tracing::warn!(
            retry_after = value,
            clamped_to = ?MAX_RETRY_AFTER,
            "Notion's Retry-After is longer than hsn ever waits; waiting the maximum instead"
        );
        return Some(MAX_RETRY_AFTER);
    }
    Some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 90 "), Some(Duration::from_secs(90)));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past is no wait"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn insane_retry_after_is_clamped_or_ignored_never_a_panic() {
        for huge in ["1e30", "18446744073709551615", "inf", "3601", "1e400"] {
            assert_eq!(
                parse_retry_after(huge),
                Some(MAX_RETRY_AFTER),
                "{huge} is clamped"
            );
        }
        for nonsense in ["-5", "-0.5", "NaN", "-inf", ""] {
            assert_eq!(
                parse_retry_after(nonsense),
                None,
                "{nonsense:?} is not a wait"
            );
        }
        let far = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc2822();
        assert_eq!(parse_retry_after(&far), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn reasons_round_trip_and_unknown_ones_are_plain_429s() {
        for reason in [
            RateLimitReason::Connection,
            RateLimitReason::Workspace,
            RateLimitReason::Endpoint,
            RateLimitReason::Blocked,
        ] {
            assert_eq!(RateLimitReason::parse(Some(reason.as_str())), reason);
        }
        let new = RateLimitReason::parse(Some("public_api_something_new"));
        assert_eq!(
            new,
            RateLimitReason::Other("public_api_something_new".into())
        );
        assert_eq!(new.as_str(), "public_api_something_new");
        assert_eq!(RateLimitReason::parse(None).as_str(), "rate_limited");
    }
}
