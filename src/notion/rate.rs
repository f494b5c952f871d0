//! The request scheduler every request of the process passes through.
//!
//! Notion gives each connection a budget of requests per 60-second window, to spend at any
//! pace, in one burst if need be (notion-api-notes §3). The gate keeps the time each recent
//! request was *answered* and lets one more go only while fewer than the budget were
//! answered in the last window or are still in flight. A request reaches Notion after it
//! leaves and before its answer comes back, so however Notion's windows are aligned, none
//! of them can count more than the budget of ours.
//!
//! **Writes first.** Background work (a refresh, a sync) may spend the budget less a
//! reserve; an operator's write or read may spend all of it, so it never queues behind a
//! refresh. **Told otherwise, it believes Notion.** A 429 closes the gate (or one endpoint)
//! for its `Retry-After`; a 429 on this connection's budget while the gate thought there
//! was room (another process shares the token) shrinks the believed budget, which grows
//! back a tenth per window without one. It runs on `tokio::time`, so tests on tokio's
//! paused clock see the waits without sleeping.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::limits::RateLimitReason;

/// The shortest wait the gate asks for (a wait rounded to zero would spin).
const MIN_WAIT: Duration = Duration::from_millis(1);
/// How long a waiter sleeps at most before looking again (answers also wake it).
const MAX_NAP: Duration = Duration::from_secs(1);
/// The pause after a 429 or 529 that says nothing about how long to wait.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// The smallest budget the gate works with (see [`RateLimit::per_window`]).
pub const MIN_BUDGET: u32 = 3;
/// Notion's window.
pub const NOTION_WINDOW: Duration = Duration::from_secs(60);
/// Notion's budget per window on most plans (600 on Business and Enterprise).
pub const DEFAULT_BUDGET: u32 = 180;

/// How many requests may go per window, and how many of them background work leaves for
/// the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per window (`NOTION_RATE_BUDGET`).
    pub budget: u32,
    pub window: Duration,
    /// Of the budget, what background work never spends: an operator's advance (a read
    /// and a write) and a few reads always find room.
    pub reserve: u32,
}

impl RateLimit {
    /// `budget` requests per Notion window, with the default reserve (a tenth, at least 2).
    pub fn per_minute(budget: u32) -> Self {
        RateLimit::per_window(budget, NOTION_WINDOW)
    }

    /// At least 3 a window: a write's read and write paid for together, and one more
    /// request (a retry of the read) beside them; with less, the pair's unspent slot could
    /// hold the gate shut for good.
    pub fn per_window(budget: u32, window: Duration) -> Self {
        let budget = budget.max(MIN_BUDGET);
        RateLimit {
            budget,
            window,
            reserve: (budget / 10).max(2).min(budget / 2),
        }
    }

    /// No limit worth modelling (tests and benchmarks against a server without one).
    pub fn unlimited() -> Self {
        RateLimit::per_minute(u32::MAX / 4)
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::per_minute(DEFAULT_BUDGET)
    }
}

/// Who is asking: the operator (writes, `r`, commands run by hand) or background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Priority {
    #[default]
    Interactive,
    Background,
}

/// A 429 or 529 the gate was told of.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitSeen {
    pub reason: RateLimitReason,
    /// How long ago it came.
    pub ago: Duration,
    /// The wait it imposed.
    pub wait: Duration,
}

/// The gate as the footer, `hsn doctor` and `hsn sync` report it.
#[derive(Debug, Clone, PartialEq)]
pub struct RateStatus {
    /// Requests answered in the last window, or in flight.
    pub spent: u32,
    /// The budget the gate believes it has now (below `configured` after a 429 said so).
    pub budget: u32,
    pub configured: u32,
    pub reserve: u32,
    pub window: Duration,
    /// The gate is closed (a Retry-After) for this long yet.
    pub closed_for: Option<Duration>,
    pub last_limited: Option<LimitSeen>,
    /// 429s and 529s seen, by reason (Notion's word for it).
    pub limited: BTreeMap<String, u64>,
    /// Time requests have spent waiting at the gate.
    pub waited: Duration,
}

impl RateStatus {
    /// The budget and the 429s met: "budget 180/min, 429s: none", or "budget 180/min,
    /// 429s: 2 public_api_request_rate_limit (believed budget now 120/min)".
    pub fn summary(&self) -> String {
        let per = if self.window == NOTION_WINDOW {
            "min".to_string()
        } else {
            format!("{:?}", self.window)
        };
        let mut text = format!("budget {}/{per}", self.configured);
        if self.limited.is_empty() {
            text.push_str(", 429s: none");
        } else {
            let by_reason: Vec<String> = self
                .limited
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            text.push_str(&format!(", 429s: {}", by_reason.join(", ")));
        }
        if self.budget < self.configured {
            text.push_str(&format!(" (believed budget now {}/{per})", self.budget));
        }
        text
    }
}

/// Requests paid for at the gate, to be spent by the requests that carry it. Whatever is
/// not spent is given back when it is dropped.
#[derive(Debug)]
pub struct Budget {
    gate: Arc<Shared>,
    left: AtomicU32,
}

impl Budget {
    /// Spends one prepaid request, if any is left: the request goes now.
    pub(crate) fn spend(&self) -> Option<Ticket> {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .ok()?;
        Some(Ticket {
            gate: Arc::clone(&self.gate),
        })
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        let unspent = *self.left.get_mut();
        if unspent > 0 {
            self.gate.lock().in_flight -= unspent;
            self.gate.wake.notify_waiters();
        }
    }
}

/// One request on its way: counted in flight until dropped, when its answer came (or it
/// was given up on), which starts its window.
#[derive(Debug)]
pub(crate) struct Ticket {
    gate: Arc<Shared>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        {
            let mut state = self.gate.lock();
            state.in_flight -= 1;
            state.answered.push_back(Instant::now());
        }
        self.gate.wake.notify_waiters();
    }
}

#[derive(Debug)]
pub struct RateGate {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    limit: RateLimit,
    state: Mutex<GateState>,
    /// Woken when a request is answered or a budget given back.
    wake: Notify,
}

#[derive(Debug)]
struct GateState {
    believed: u32,
    in_flight: u32,
    /// When each request of the last window was answered, oldest first.
    answered: VecDeque<Instant>,
    closed_until: Option<Instant>,
    /// Endpoints paused by their own limit, until when.
    endpoints: HashMap<String, Instant>,
    /// Since when no 429 said the connection's budget was smaller than believed.
    clean_since: Instant,
    waited: Duration,
    last_limited: Option<(RateLimitReason, Instant, Duration)>,
    limited: BTreeMap<String, u64>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        // The state stays consistent even if a holder panicked: no update spans an await.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl RateGate {
    pub fn new(limit: RateLimit) -> Self {
        RateGate {
            shared: Arc::new(Shared {
                limit,
                state: Mutex::new(GateState {
                    believed: limit.budget,
                    in_flight: 0,
                    answered: VecDeque::new(),
                    closed_until: None,
                    endpoints: HashMap::new(),
                    clean_since: Instant::now(),
                    waited: Duration::ZERO,
                    last_limited: None,
                    limited: BTreeMap::new(),
                }),
                wake: Notify::new(),
            }),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.shared.limit
    }

    /// Waits until `requests` may go to `endpoint` (see [`endpoint_key`]) back to back, and
    /// pays for them all: a read and the write made from it then go with no wait between.
    pub async fn acquire(&self, priority: Priority, endpoint: &str, requests: u32) -> Budget {
        let requests = requests.max(1);
        loop {
            let wake = self.shared.wake.notified();
            tokio::pin!(wake);
            // Registered before looking, so an answer between the look and the wait wakes us.
            wake.as_mut().enable();
            let wait = match self.try_take(priority, endpoint, requests) {
                Ok(()) => {
                    return Budget {
                        gate: Arc::clone(&self.shared),
                        left: AtomicU32::new(requests),
                    };
                }
                Err(wait) => wait,
            };
            let started = Instant::now();
            // Requests in flight hold the room: their answers wake us.
            let nap = wait.unwrap_or(MAX_NAP).min(MAX_NAP).max(MIN_WAIT);
            tokio::select! {
                () = tokio::time::sleep(nap) => {}
                () = &mut wake => {}
            }
            self.shared.lock().waited += started.elapsed();
        }
    }

    /// Takes room for `count` requests, or says how long until there may be some (`None`:
    /// until a request in flight is answered).
    fn try_take(
        &self,
        priority: Priority,
        endpoint: &str,
        count: u32,
    ) -> Result<(), Option<Duration>> {
        let limit = self.shared.limit;
        let mut state = self.shared.lock();
        let now = Instant::now();
        if let Some(until) = state.closed_until {
            if until > now {
                return Err(Some(until - now));
            }
            state.closed_until = None;
        }
        if let Some(until) = state.endpoints.get(endpoint).copied() {
            if until > now {
                return Err(Some(until - now));
            }
            state.endpoints.remove(endpoint);
        }
        while state
            .answered
            .front()
            .is_some_and(|at| now.duration_since(*at) >= limit.window)
        {
            state.answered.pop_front();
        }
        // A window without a 429 about our budget: believe a tenth more of it.
        if state.believed < limit.budget && now.duration_since(state.clean_since) >= limit.window {
            state.believed = (state.believed + (limit.budget / 10).max(1)).min(limit.budget);
            state.clean_since = now;
        }
        let room = match priority {
            Priority::Interactive => state.believed,
            Priority::Background => {
                state.believed
                    - limit
                        .reserve
                        .min(state.believed / 2)
                        .min(state.believed - 1)
            }
        };
        let used = state.in_flight + state.answered.len() as u32;
        // A pair larger than the whole room goes when nothing else is out (or never would).
        if used + count <= room || used == 0 {
            state.in_flight += count;
            return Ok(());
        }
        let must_expire = (used + count - room) as usize;
        Err(state.answered.get(must_expire - 1).map(|at| {
            (*at + limit.window)
                .saturating_duration_since(now)
                .max(MIN_WAIT)
        }))
    }

    /// Tells the gate Notion answered 429 (or 529) for `reason`, asking to wait `retry_after`.
    /// Returns the wait it imposed. `endpoint` is the refused request's.
    pub fn limited(
        &self,
        reason: &RateLimitReason,
        retry_after: Option<Duration>,
        endpoint: &str,
    ) -> Duration {
        let limit = self.shared.limit;
        let mut state = self.shared.lock();
        let now = Instant::now();
        *state
            .limited
            .entry(reason.as_str().to_string())
            .or_default() += 1;
        let wait = match reason {
            // Not retried: nothing to wait for.
            RateLimitReason::Blocked => Duration::ZERO,
            RateLimitReason::Connection => retry_after.unwrap_or_else(|| {
                // The reset is unknown: when our oldest request of the window leaves it.
                state.answered.front().map_or(DEFAULT_PAUSE, |at| {
                    (*at + limit.window)
                        .saturating_duration_since(now)
                        .max(DEFAULT_PAUSE)
                })
            }),
            _ => retry_after.unwrap_or(DEFAULT_PAUSE),
        };
        state.last_limited = Some((reason.clone(), now, wait));
        match reason {
            RateLimitReason::Blocked => {}
            RateLimitReason::Endpoint => {
                let until = now + wait;
                let entry = state.endpoints.entry(endpoint.to_string()).or_insert(until);
                *entry = (*entry).max(until);
            }
            _ => {
                if *reason == RateLimitReason::Connection {
                    // Notion counted more of ours than we did: the token is shared, or the
                    // plan's budget is smaller. Believe what was spent, less this one; but
                    // never less than a tenth (a lone 429 early in a window says little).
                    let used = state.in_flight + state.answered.len() as u32;
                    let floor = (limit.budget / 10).max(1);
                    state.believed = state.believed.min(used.saturating_sub(1)).max(floor);
                    state.clean_since = now + wait;
                }
                let until = now + wait;
                state.closed_until = Some(state.closed_until.map_or(until, |old| old.max(until)));
            }
        }
        wait
    }

    pub fn status(&self) -> RateStatus {
        let limit = self.shared.limit;
        let state = self.shared.lock();
        let now = Instant::now();
        let recent = state
            .answered
            .iter()
            .filter(|at| now.duration_since(**at) < limit.window)
            .count() as u32;
        RateStatus {
            spent: state.in_flight + recent,
            budget: state.believed,
            configured: limit.budget,
            reserve: limit.reserve,
            window: limit.window,
            closed_for: state
                .closed_until
                .filter(|until| *until > now)
                .map(|until| until - now),
            last_limited: state
                .last_limited
                .as_ref()
                .map(|(reason, at, wait)| LimitSeen {
                    reason: reason.clone(),
                    ago: now.duration_since(*at),
                    wait: *wait,
                }),
            limited: state.limited.clone(),
            waited: state.waited,
        }
    }

    /// Time requests have spent waiting at the gate so far.
    pub fn total_wait(&self) -> Duration {
        self.shared.lock().waited
    }
}

/// The endpoint a request goes to, ids left out (`GET /pages/{id}`), for limits Notion sets
/// per endpoint.
pub fn endpoint_key(method: &str, path: &str) -> String {
    let mut key = String::from(method);
    key.push(' ');
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        key.push('/');
        let hex = segment.chars().filter(char::is_ascii_hexdigit).count();
        if hex >= 32 {
            key.push_str("{id}");
        } else {
            key.push_str(segment);
        }
    }
    key
}

#[cfg(test)]
mod tests;
