//! Server-side request limits: Notion's 2026 budgets per window (notion-api-notes §3) and
//! the older per-second bucket.
//!
//! Notion answers 429 `rate_limited` with `additional_data.rate_limit_reason` saying which
//! limit was hit. The fake checks them in a fixed order (blocked → workspace → endpoint →
//! token window → per-second) and stops at the first refusal. Only a request that passes
//! every limit is counted, in all of them at once: Notion counts the requests it served,
//! so a refused request spends no budget anywhere (one connection hammering its own limit
//! does not eat the workspace's budget, nor a refused retry the next window's).
//!
//! Everything runs on the real clock (`Instant`), so a limit means the same thing whichever
//! runtime serves, including a test runtime whose tokio clock is paused.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// This connection's (token's) window budget is spent.
pub const REASON_TOKEN: &str = "public_api_request_rate_limit";
/// The workspace's budget, shared by all its connections, is spent.
pub const REASON_WORKSPACE: &str = "public_api_space_request_rate_limit";
/// An endpoint's own budget is spent.
pub const REASON_ENDPOINT: &str = "public_api_endpoint_rate_limit";
/// Notion blocked the connection: no `Retry-After`, and clients must not retry.
pub const REASON_BLOCKED: &str = "public_api_request_blocked";

/// Notion's window: "a fixed budget per 60-second window".
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// Why a request was refused, and the wait to announce (`None`: no `Retry-After`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: &'static str,
    pub retry_after: Option<u64>,
}

/// Whole seconds until `end`, rounded up (a client that waits exactly that long must find
/// the window over), and at least 1 as Notion never says 0.
fn secs_until(end: Instant, now: Instant) -> u64 {
    ceil_secs(end.saturating_duration_since(now))
}

pub fn ceil_secs(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    used: u32,
}

/// A fixed budget of requests per window, with one window per key. A key's window starts
/// at its first counted request and lasts the window length; the first request after it
/// ends starts the next one.
#[derive(Debug, Default)]
struct Budget {
    per_window: Option<u32>,
    windows: HashMap<String, Window>,
}

impl Budget {
    /// A new budget starts every key afresh, so a test knows where it stands.
    fn set(&mut self, per_window: Option<u32>) {
        self.per_window = per_window;
        self.windows.clear();
    }

    fn running(&self, key: &str, now: Instant, len: Duration) -> Option<Window> {
        self.windows
            .get(key)
            .copied()
            .filter(|w| now < w.started + len)
    }

    /// `Err(seconds to wait)` when one more request would exceed the budget.
    fn check(&self, key: &str, now: Instant, len: Duration) -> Result<(), u64> {
        let Some(budget) = self.per_window else {
            return Ok(());
        };
        match self.running(key, now, len) {
            Some(w) if w.used >= budget => Err(secs_until(w.started + len, now)),
            Some(_) => Ok(()),
            // A zero budget refuses everything; the wait is a whole window.
            None if budget == 0 => Err(ceil_secs(len)),
            None => Ok(()),
        }
    }

    fn spend(&mut self, key: &str, now: Instant, len: Duration) {
        if self.per_window.is_none() {
            return;
        }
        match self.running(key, now, len) {
            Some(w) => {
                self.windows.insert(
                    key.to_string(),
                    Window {
                        used: w.used + 1,
                        ..w
                    },
                );
            }
            None => {
                self.windows.insert(
                    key.to_string(),
                    Window {
                        started: now,
                        used: 1,
                    },
                );
            }
        }
    }
}

/// An endpoint's own budget: requests with this method (`"*"` for any) whose path starts
/// with `path_prefix`, counted per token.
#[derive(Debug)]
struct EndpointLimit {
    method: String,
    path_prefix: String,
    budget: Budget,
}

impl EndpointLimit {
    fn matches(&self, method: &str, path: &str) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && path.starts_with(&self.path_prefix)
    }
}

/// Every limit the fake enforces. The workspace budget has one window for all tokens.
#[derive(Debug)]
pub struct Limits {
    pub window: Duration,
    pub blocked: bool,
    token: Budget,
    workspace: Budget,
    /// Announced instead of the time to the workspace window's reset: Notion's workspace
    /// limit can ask for more than a minute.
    pub workspace_retry_after: Option<Duration>,
    endpoints: Vec<EndpointLimit>,
    pub per_second: RateLimiter,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            window: DEFAULT_WINDOW,
            blocked: false,
            token: Budget::default(),
            workspace: Budget::default(),
            workspace_retry_after: None,
            endpoints: Vec::new(),
            per_second: RateLimiter::default(),
        }
    }
}

/// The single key of the workspace budget.
const WORKSPACE: &str = "";

impl Limits {
    pub fn set_token_budget(&mut self, per_window: Option<u32>) {
        self.token.set(per_window);
    }

    pub fn set_workspace_budget(&mut self, per_window: Option<u32>) {
        self.workspace.set(per_window);
    }

    /// Replaces (or with `None` removes) the limit of this method and prefix.
    pub fn set_endpoint(&mut self, method: &str, path_prefix: &str, per_window: Option<u32>) {
        self.endpoints
            .retain(|e| !(e.method.eq_ignore_ascii_case(method) && e.path_prefix == path_prefix));
        if let Some(n) = per_window {
            let mut budget = Budget::default();
            budget.set(Some(n));
            self.endpoints.push(EndpointLimit {
                method: method.to_string(),
                path_prefix: path_prefix.to_string(),
                budget,
            });
        }
    }

    /// Checks every limit in order; counts the request in all of them only if it passes.
    pub fn admit(
        &mut self,
        token: &str,
        method: &str,
        path: &str,
        now: Instant,
    ) -> Result<(), Refusal> {
        let len = self.window;
        let refuse = |reason, secs| Refusal {
            reason,
            retry_after: Some(secs),
        };
        if self.blocked {
            return Err(Refusal {
                reason: REASON_BLOCKED,
                retry_after: None,
            });
        }
        self.workspace.check(WORKSPACE, now, len).map_err(|secs| {
            let secs = self.workspace_retry_after.map_or(secs, ceil_secs);
            refuse(REASON_WORKSPACE, secs)
        })?;
        for e in self.endpoints.iter().filter(|e| e.matches(method, path)) {
            e.budget
                .check(token, now, len)
                .map_err(|secs| refuse(REASON_ENDPOINT, secs))?;
        }
        self.token
            .check(token, now, len)
            .map_err(|secs| refuse(REASON_TOKEN, secs))?;
        // Last, because it is the only check that takes something as it passes.
        self.per_second
            .check(now)
            .map_err(|secs| refuse(REASON_TOKEN, secs))?;
        self.workspace.spend(WORKSPACE, now, len);
        for e in self
            .endpoints
            .iter_mut()
            .filter(|e| e.matches(method, path))
        {
            e.budget.spend(token, now, len);
        }
        self.token.spend(token, now, len);
        Ok(())
    }
}

/// The pre-2026 limit ("three requests per second"): a token bucket holding one second of
/// requests (at least one), refilled continuously, shared by every token.
#[derive(Debug, Default)]
pub struct RateLimiter {
    rps: Option<f64>,
    tokens: f64,
    refilled: Option<Instant>,
}

impl RateLimiter {
    pub fn set(&mut self, rps: Option<f64>) {
        self.rps = rps.filter(|r| *r > 0.0);
        self.tokens = self.capacity();
        self.refilled = Some(Instant::now());
    }

    fn capacity(&self) -> f64 {
        self.rps.map_or(0.0, |r| r.max(1.0))
    }

    /// Takes a token, or says how many whole seconds (at least 1) to wait.
    pub fn check(&mut self, now: Instant) -> Result<(), u64> {
        let Some(rps) = self.rps else {
            return Ok(());
        };
        let elapsed = self
            .refilled
            .map_or(0.0, |t| now.saturating_duration_since(t).as_secs_f64());
        self.tokens = (self.tokens + elapsed * rps).min(self.capacity());
        self.refilled = Some(now);
        // A little slack so a client pacing itself at exactly the limit is not refused
        // because its clock ran a hair ahead of ours.
        if self.tokens >= 0.99 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / rps;
            Err((wait.ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    fn reason(r: Result<(), Refusal>) -> Option<(&'static str, Option<u64>)> {
        r.err().map(|r| (r.reason, r.retry_after))
    }

    #[test]
    fn bucket_refuses_past_burst() {
        let mut r = RateLimiter::default();
        let now = Instant::now();
        assert!(r.check(now).is_ok());
        r.set(Some(2.0));
        assert!(r.check(now).is_ok());
        assert!(r.check(now).is_ok());
        assert_eq!(r.check(now), Err(1));
    }

    #[test]
    fn token_window_resets_after_its_length_and_rounds_the_wait_up() {
        let mut l = Limits::default();
        l.set_token_budget(Some(2));
        let t0 = Instant::now();
        assert!(l.admit("a", "GET", "/v1/users/me", t0).is_ok());
        assert!(l.admit("a", "GET", "/v1/users/me", t0 + 10 * SEC).is_ok());
        // 50.5 s left in a window that started at t0: 51 whole seconds.
        let at = t0 + Duration::from_millis(9_500);
        assert_eq!(
            reason(l.admit("a", "GET", "/v1/users/me", at)),
            Some((REASON_TOKEN, Some(51)))
        );
        // Another token has its own window.
        assert!(l.admit("b", "GET", "/v1/users/me", at).is_ok());
        // The next request after the end starts a new window with a full budget.
        let later = t0 + 60 * SEC;
        assert!(l.admit("a", "GET", "/v1/users/me", later).is_ok());
        assert!(l.admit("a", "GET", "/v1/users/me", later).is_ok());
        assert_eq!(
            reason(l.admit("a", "GET", "/v1/users/me", later + 59 * SEC + SEC / 2)),
            Some((REASON_TOKEN, Some(1)))
        );
    }

    #[test]
    fn workspace_budget_spans_tokens_and_may_announce_a_longer_wait() {
        let mut l = Limits::default();
        l.set_workspace_budget(Some(3));
        let t0 = Instant::now();
        for t in ["a", "b", "c"] {
            assert!(l.admit(t, "GET", "/v1/users/me", t0).is_ok());
        }
        assert_eq!(
            reason(l.admit("d", "GET", "/v1/users/me", t0 + SEC)),
            Some((REASON_WORKSPACE, Some(59)))
        );
        l.workspace_retry_after = Some(Duration::from_secs(150));
        assert_eq!(
            reason(l.admit("d", "GET", "/v1/users/me", t0 + SEC)),
            Some((REASON_WORKSPACE, Some(150)))
        );
    }

    #[test]
    fn a_refused_request_is_counted_nowhere() {
        let mut l = Limits::default();
        l.set_token_budget(Some(1));
        l.set_workspace_budget(Some(2));
        l.set_endpoint("POST", "/v1/search", Some(1));
        let t0 = Instant::now();
        assert!(l.admit("a", "POST", "/v1/search", t0).is_ok());
        // Refused by the endpoint limit: neither a's window nor the workspace's moves.
        assert_eq!(
            reason(l.admit("a", "POST", "/v1/search", t0)),
            Some((REASON_ENDPOINT, Some(60)))
        );
        // Refused by a's window (the endpoint does not match): still not counted.
        assert_eq!(
            reason(l.admit("a", "GET", "/v1/users/me", t0)),
            Some((REASON_TOKEN, Some(60)))
        );
        // So the workspace has exactly one request left, which b can use.
        assert!(l.admit("b", "GET", "/v1/users/me", t0).is_ok());
        assert_eq!(
            reason(l.admit("c", "GET", "/v1/users/me", t0)),
            Some((REASON_WORKSPACE, Some(60)))
        );
    }

    #[test]
    fn a_request_refused_per_second_spends_no_window_budget() {
        let mut l = Limits::default();
        l.set_token_budget(Some(2));
        l.per_second.set(Some(1.0));
        let t0 = Instant::now();
        assert!(l.admit("a", "GET", "/x", t0).is_ok());
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)),
            Some((REASON_TOKEN, Some(1)))
        );
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)),
            Some((REASON_TOKEN, Some(1)))
        );
        // Two refusals later, the window still has its second request.
        assert!(l.admit("a", "GET", "/x", t0 + 2 * SEC).is_ok());
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0 + 4 * SEC)),
            Some((REASON_TOKEN, Some(56)))
        );
    }

    #[test]
    fn order_is_blocked_workspace_endpoint_token() {
        let mut l = Limits::default();
        let t0 = Instant::now();
        l.set_token_budget(Some(0));
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)).unwrap().0,
            REASON_TOKEN
        );
        l.set_endpoint("*", "/x", Some(0));
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)).unwrap().0,
            REASON_ENDPOINT
        );
        // Other paths do not meet the endpoint limit.
        assert_eq!(
            reason(l.admit("a", "GET", "/y", t0)).unwrap().0,
            REASON_TOKEN
        );
        l.set_workspace_budget(Some(0));
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)).unwrap().0,
            REASON_WORKSPACE
        );
        l.blocked = true;
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)),
            Some((REASON_BLOCKED, None))
        );
        l.blocked = false;
        l.set_workspace_budget(None);
        l.set_endpoint("*", "/x", None);
        l.set_token_budget(None);
        assert!(l.admit("a", "GET", "/x", t0).is_ok());
    }

    #[test]
    fn short_windows_round_up_to_a_second() {
        let mut l = Limits {
            window: Duration::from_millis(300),
            ..Limits::default()
        };
        l.set_token_budget(Some(1));
        let t0 = Instant::now();
        assert!(l.admit("a", "GET", "/x", t0).is_ok());
        assert_eq!(
            reason(l.admit("a", "GET", "/x", t0)),
            Some((REASON_TOKEN, Some(1)))
        );
        assert!(
            l.admit("a", "GET", "/x", t0 + Duration::from_millis(300))
                .is_ok()
        );
    }
}
