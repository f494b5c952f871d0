//! What the client needs to know to talk to Notion, and where it reads it from.

use std::time::Duration;

use secrecy::SecretString;

use super::rate::RateLimit;

/// The Notion-Version sent by default: the latest version of the public API.
pub const DEFAULT_VERSION: &str = "2026-03-11";
/// Notion's API host; the client appends `/v1/...`.
pub const DEFAULT_BASE_URL: &str = "https://api.notion.com";

/// Settings of a [`super::NotionClient`]. `Debug` shows `[REDACTED]` for the token.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub token: SecretString,
    pub base_url: String,
    pub version: String,
    /// How long one HTTP request may take before it counts as timed out. `None` sets no
    /// limit and no timer in the HTTP layer at all: for tests on tokio's paused clock,
    /// where any pending timer fires at once while a request waits on the network.
    pub timeout: Option<Duration>,
    pub rate: RateLimit,
    /// Retries after the first attempt, for errors that may be retried.
    pub max_retries: usize,
}

/// A setting that is present but unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} is set to {value:?}, which is not {expected}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl ClientConfig {
    pub fn new(token: SecretString) -> Self {
        ClientConfig {
            token,
            base_url: DEFAULT_BASE_URL.to_string(),
            version: DEFAULT_VERSION.to_string(),
            timeout: Some(Duration::from_secs(30)),
            rate: RateLimit::default(),
            max_retries: 6,
        }
    }

    /// Reads the client's settings through `lookup` (the caller decides whether that is the
    /// process environment, a `.env` file, or both): `NOTION_API_TOKEN` (required),
    /// `NOTION_API_BASE`, `NOTION_VERSION`, `NOTION_TIMEOUT_SECS`, `NOTION_RATE_BUDGET`
    /// (requests per minute: 180 on most plans, 600 on Business and Enterprise; the older
    /// `NOTION_RATE_LIMIT`, per second, still counts when it is not set). Returns `Ok(None)`
    /// when no token is set.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<ClientConfig>, ConfigError> {
        let Some(token) = lookup("NOTION_API_TOKEN").filter(|t| !t.trim().is_empty()) else {
            return Ok(None);
        };
        let mut config = ClientConfig::new(SecretString::from(token.trim().to_string()));
        if let Some(base) = lookup("NOTION_API_BASE").filter(|b| !b.is_empty()) {
            let base = base.trim().trim_end_matches('/').trim_end_matches("/v1");
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(ConfigError {
                    name: "NOTION_API_BASE",
                    value: base.to_string(),
                    expected: "an http:// or https:// address",
                });
            }
            config.base_url = base.to_string();
        }
        if let Some(version) = lookup("NOTION_VERSION").filter(|v| !v.is_empty()) {
            let version = version.trim();
            let looks_like_date = version.len() == 10
                && chrono::NaiveDate::parse_from_str(version, "%Y-%m-%d").is_ok();
            if !looks_like_date {
                return Err(ConfigError {
                    name: "NOTION_VERSION",
                    value: version.to_string(),
                    expected: "a Notion API version such as 2026-03-11",
                });
            }
            config.version = version.to_string();
        }
        if let Some(budget) = lookup("NOTION_RATE_BUDGET").filter(|s| !s.trim().is_empty()) {
            let per_minute = budget
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|b| *b >= 10)
                .ok_or(ConfigError {
                    name: "NOTION_RATE_BUDGET",
                    value: budget.clone(),
                    expected: "a whole number of requests per minute, at least 10 (Notion's budget is 180, or 600 on Business and Enterprise plans)",
                })?;
            config.rate = RateLimit::per_minute(per_minute);
        } else if let Some(rate) = lookup("NOTION_RATE_LIMIT").filter(|s| !s.is_empty()) {
            // The setting of Notion's old limit, in requests per second: kept working, as
            // the same budget per minute.
            let per_second = rate
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0)
                .ok_or(ConfigError {
                    name: "NOTION_RATE_LIMIT",
                    value: rate.clone(),
                    expected: "a positive number of requests per second",
                })?;
            config.rate = RateLimit::per_minute((per_second * 60.0).clamp(10.0, 1e9) as u32);
        }
        if let Some(secs) = lookup("NOTION_TIMEOUT_SECS").filter(|s| !s.is_empty()) {
            config.timeout = secs
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64)
                .map(Some)
                .ok_or(ConfigError {
                    name: "NOTION_TIMEOUT_SECS",
                    value: secs.clone(),
                    expected: "a positive number of seconds",
                })?;
        }
        Ok(Some(config))
    }

    /// Whether the configured version uses 2026-03-11's request shapes (`in_trash`,
    /// block `position`) rather than the older `archived` and `after`.
    pub fn uses_2026_shapes(&self) -> bool {
        self.version.as_str() >= "2026-03-11"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| map.get(key).cloned()
    }

    #[test]
    fn no_token_means_no_client() {
        assert!(ClientConfig::from_lookup(lookup(&[])).unwrap().is_none());
    }

    #[test]
    fn reads_overrides_and_hides_the_token() {
        let config = ClientConfig::from_lookup(lookup(&[
            ("NOTION_API_TOKEN", "ntn_supersecretvalue"),
            ("NOTION_API_BASE", "http://127.0.0.1:9000/v1/"),
            ("NOTION_VERSION", "2025-09-03"),
            ("NOTION_TIMEOUT_SECS", "2.5"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:9000");
        assert_eq!(config.version, "2025-09-03");
        assert!(!config.uses_2026_shapes());
        assert_eq!(config.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(config.token.expose_secret(), "ntn_supersecretvalue");
        assert!(!format!("{config:?}").contains("supersecret"));
    }

    #[test]
    fn defaults_to_the_latest_version() {
        let config = ClientConfig::from_lookup(lookup(&[("NOTION_API_TOKEN", "t")]))
            .unwrap()
            .unwrap();
        assert_eq!(config.version, "2026-03-11");
        assert!(config.uses_2026_shapes());
        assert_eq!(config.base_url, "https://api.notion.com");
        assert_eq!(config.rate.budget, 180);
        assert_eq!(config.rate.window, Duration::from_secs(60));
    }

    #[test]
    fn the_budget_is_per_minute_and_the_old_rate_still_counts() {
        let read = |pairs: &[(&str, &str)]| {
            let mut all = vec![("NOTION_API_TOKEN", "t")];
            all.extend_from_slice(pairs);
            ClientConfig::from_lookup(lookup(&all))
        };
        let business = read(&[("NOTION_RATE_BUDGET", "600")]).unwrap().unwrap();
        assert_eq!(business.rate.budget, 600);
        assert_eq!(business.rate.reserve, 60);
        let old = read(&[("NOTION_RATE_LIMIT", "5")]).unwrap().unwrap();
        assert_eq!(old.rate.budget, 300);
        let both = read(&[("NOTION_RATE_BUDGET", "180"), ("NOTION_RATE_LIMIT", "5")])
            .unwrap()
            .unwrap();
        assert_eq!(both.rate.budget, 180, "the budget wins");
        for bad in ["0", "-3", "lots", "1.5", "9"] {
            let err = read(&[("NOTION_RATE_BUDGET", bad)]).unwrap_err();
            assert_eq!(err.name, "NOTION_RATE_BUDGET", "{bad}");
        }
    }

    #[test]
    fn bad_settings_are_named() {
        let err = ClientConfig::from_lookup(lookup(&[
            ("NOTION_API_TOKEN", "t"),
            ("NOTION_VERSION", "latest"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("NOTION_VERSION"));
        let err = ClientConfig::from_lookup(lookup(&[
            ("NOTION_API_TOKEN", "t"),
            ("NOTION_API_BASE", "api.notion.com"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("NOTION_API_BASE"));
    }
}
