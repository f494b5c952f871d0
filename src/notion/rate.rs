//! The rate gate every request of the process passes through.
//!
//! Notion allows an average of three requests per second per integration, with some burst.
//! A token bucket keeps us under that; a 429 or 529 closes the gate for the `Retry-After`
//! Notion asked for, for every request, not just the one that was refused. It runs on
//! `tokio::time`, so tests on tokio's paused clock see the waits without sleeping.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The shortest wait the gate asks for.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// How fast requests may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub requests_per_second: f64,
    /// Requests that may go back to back after a quiet spell.
    pub burst: u32,
}

impl Default for RateLimit {
    /// Notion's documented average, with a burst of 2: a burst as large as the server's
    /// would leave no slack, and the jitter of the network then earns the odd 429 (seen in
    /// the benchmark at 3 requests/second).
    fn default() -> Self {
        RateLimit {
            requests_per_second: 3.0,
            burst: 2,
        }
    }
}

/// Requests already paid for at the gate, spent by the requests that carry it.
#[derive(Debug)]
pub struct Budget {
    left: AtomicU32,
}

impl Budget {
    /// Spends one prepaid request, if any is left.
    pub(crate) fn take(&self) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }
}

#[derive(Debug)]
pub struct RateGate {
    limit: RateLimit,
    state: Mutex<GateState>,
}

#[derive(Debug)]
struct GateState {
    tokens: f64,
    refilled_at: Instant,
    closed_until: Option<Instant>,
    /// Total time requests spent waiting at the gate, for reporting.
    waited: Duration,
}

impl RateGate {
    pub fn new(limit: RateLimit) -> Self {
        RateGate {
            limit,
            state: Mutex::new(GateState {
                tokens: f64::from(limit.burst.max(1)),
                refilled_at: Instant::now(),
                closed_until: None,
                waited: Duration::ZERO,
            }),
        }
    }

    /// Waits until one more request may go.
    pub async fn acquire(&self) {
        loop {
            let wait = self.try_take();
            match wait {
                None => return,
                Some(wait) => {
                    self.lock().waited += wait;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Waits until `requests` may go back to back, and takes them all: a read and the
    /// write made from it then go with no wait between (the gate may run into debt for a
    /// count above its burst; later requests wait it off).
    pub async fn acquire_many(&self, requests: u32) -> Budget {
        loop {
            match self.try_take_many(f64::from(requests.max(1))) {
                None => {
                    return Budget {
                        left: AtomicU32::new(requests),
                    };
                }
                Some(wait) => {
                    self.lock().waited += wait;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Takes a token if one is there; otherwise says how long to wait before trying again.
    fn try_take(&self) -> Option<Duration> {
        self.try_take_many(1.0)
    }

    fn try_take_many(&self, count: f64) -> Option<Duration> {
        let mut state = self.lock();
        let now = Instant::now();
        if let Some(until) = state.closed_until {
            if until > now {
                return Some(until - now);
            }
            state.closed_until = None;
        }
        let rate = self.refill(&mut state, now);
        let needed = count.min(f64::from(self.limit.burst.max(1)));
        if state.tokens >= needed {
            state.tokens -= count;
            None
        } else {
            // At least a millisecond: a wait rounded to zero nanoseconds would spin forever
            // (no time passes, no token is earned; seen on tokio's paused clock).
            Some(Duration::from_secs_f64((needed - state.tokens) / rate).max(MIN_WAIT))
        }
    }

    /// Adds the tokens earned since the last refill; returns the rate.
    fn refill(&self, state: &mut GateState, now: Instant) -> f64 {
        let rate = self.limit.requests_per_second.max(f64::MIN_POSITIVE);
        let elapsed = now.duration_since(state.refilled_at).as_secs_f64();
        state.tokens = (state.tokens + elapsed * rate).min(f64::from(self.limit.burst.max(1)));
        state.refilled_at = state.refilled_at.max(now);
        rate
    }

    /// Closes the gate for `wait`, as a 429 or 529 asks. Never shortens an existing closure.
    pub fn close_for(&self, wait: Duration) {
        let mut state = self.lock();
        let until = Instant::now() + wait;
        state.closed_until = Some(state.closed_until.map_or(until, |old| old.max(until)));
        // When it reopens, one request goes, then the average: no burst right after Notion
        // said stop (tokens are counted from the end of the closure).
        state.tokens = 1.0;
        state.refilled_at = state.refilled_at.max(until);
    }

    /// Says an answer came back `latency` after its request passed the gate. A request
    /// slower than one interval may have reached Notion's counter late, just before the
    /// ones we would burst after it: so after a slow answer, no burst (one request at once).
    /// Without this, one answer delayed a second (a stalled network or server) was
    /// followed by a burst that Notion counted together with it, and earned a 429.
    pub fn answered(&self, latency: Duration) {
        if latency.as_secs_f64() * self.limit.requests_per_second >= 1.0 {
            let mut state = self.lock();
            self.refill(&mut state, Instant::now());
            state.tokens = state.tokens.min(1.0);
        }
    }

    /// Time requests have spent waiting at the gate so far.
    pub fn total_wait(&self) -> Duration {
        self.lock().waited
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn averages_the_limit_after_the_burst() {
        let gate = RateGate::new(RateLimit {
            requests_per_second: 3.0,
            burst: 3,
        });
        let start = Instant::now();
        for _ in 0..3 {
            gate.acquire().await;
        }
        assert!(
            start.elapsed() < Duration::from_millis(1),
            "burst is immediate"
        );
        for _ in 0..30 {
            gate.acquire().await;
        }
        let elapsed = start.elapsed().as_secs_f64();
        assert!(
            (9.9..=10.1).contains(&elapsed),
            "30 more requests at 3/s took {elapsed}s"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_burst_after_a_slow_answer() {
        let gate = RateGate::new(RateLimit::default());
        let interval = Duration::from_secs_f64(1.0 / 3.0);
        // A quick answer: the burst is there.
        gate.acquire().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        gate.answered(Duration::from_millis(20));
        let start = Instant::now();
        gate.acquire().await;
        gate.acquire().await;
        assert!(
            start.elapsed() < Duration::from_millis(1),
            "burst after a quick answer"
        );
        // An answer one second late: the next two are an interval apart.
        tokio::time::sleep(Duration::from_secs(1)).await;
        gate.answered(Duration::from_secs(1));
        let start = Instant::now();
        gate.acquire().await;
        assert!(
            start.elapsed() < Duration::from_millis(1),
            "one goes at once"
        );
        gate.acquire().await;
        let waited = start.elapsed();
        assert!(
            waited >= interval - Duration::from_millis(1)
                && waited < interval + Duration::from_millis(5),
            "the second waited {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_budget_of_two_goes_back_to_back_and_later_requests_pay_for_it() {
        let gate = RateGate::new(RateLimit::default());
        gate.acquire().await;
        gate.acquire().await;
        // The burst is spent: the pair waits until two may go, then both go at once.
        let start = Instant::now();
        let budget = gate.acquire_many(2).await;
        let waited = start.elapsed();
        assert!(
            (Duration::from_millis(660)..Duration::from_millis(670)).contains(&waited),
            "the pair waited {waited:?} for two tokens"
        );
        assert!(budget.take() && budget.take(), "two prepaid requests");
        assert!(!budget.take(), "and no third");
        let start = Instant::now();
        gate.acquire().await;
        assert!(
            start.elapsed() >= Duration::from_millis(330),
            "the next one waits"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_short_by_a_rounding_error_is_waited_for_not_spun_on() {
        let gate = RateGate::new(RateLimit::default());
        gate.acquire().await;
        gate.acquire().await;
        // A hair under one token: the wait to earn the rest rounds to no time at all.
        gate.lock().tokens = 1.0 - 1e-12;
        let start = Instant::now();
        tokio::time::timeout(Duration::from_secs(1), gate.acquire())
            .await
            .expect("the gate spun without letting time pass");
        assert!(start.elapsed() >= MIN_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_closure_holds_every_request() {
        let gate = RateGate::new(RateLimit::default());
        gate.close_for(Duration::from_secs(90));
        gate.close_for(Duration::from_secs(2));
        let start = Instant::now();
        gate.acquire().await;
        assert_eq!(
            start.elapsed().as_secs(),
            90,
            "a shorter closure never shortens a longer one"
        );
        // Reopened: one request at once, then the average (no burst).
        let reopened = Instant::now();
        gate.acquire().await;
        let waited = reopened.elapsed();
        assert!(
            (Duration::from_millis(330)..Duration::from_millis(340)).contains(&waited),
            "the request after the first waited {waited:?}"
        );
        assert!(gate.total_wait() >= Duration::from_secs(90));
    }
}
