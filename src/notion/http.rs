//! Sending one request to Notion: headers, the rate gate, retries, and turning any answer
//! into JSON or a [`NotionError`].

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;

use super::client::MaySend;
use super::config::ClientConfig;
use super::error::NotionError;
use super::limits::parse_retry_after;
use super::rate::{Budget, Priority, RateGate, endpoint_key};
use std::sync::Arc;

/// Retries after a connection failure or timeout; rate limits and server errors get the
/// configured `max_retries`.
const UNREACHABLE_RETRIES: usize = 2;

/// One request, described before it is sent so it can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    /// Path under `/v1`, starting with `/`. Ids in it are used as given (property ids arrive
    /// URL-encoded from Notion and must not be encoded twice).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Whether repeating the request has no further effect (reads, queries, search).
    pub idempotent: bool,
    /// Paid for at the gate already (`RateGate::acquire`): goes without waiting.
    pub budget: Option<Arc<Budget>>,
    /// One attempt only: no retry, so no wait between whatever came before and the answer.
    pub once: bool,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Self {
        Request {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            idempotent: true,
            budget: None,
            once: false,
        }
    }

    /// A POST that only reads (query, search): safe to repeat.
    pub fn read_post(path: impl Into<String>, body: Value) -> Self {
        Request {
            method: Method::POST,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
            idempotent: true,
            budget: None,
            once: false,
        }
    }

    /// A request that changes something: never repeated after it may have landed.
    pub fn write(method: Method, path: impl Into<String>, body: Value) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
            idempotent: false,
            budget: None,
            once: false,
        }
    }

    /// Sent on a budget paid for in advance.
    pub fn within(mut self, budget: &Arc<Budget>) -> Self {
        self.budget = Some(Arc::clone(budget));
        self
    }

    /// Sent once, never retried.
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }

    pub fn with_query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_string(), value.into()));
        self
    }

    fn describe(&self) -> String {
        format!("{} /v1{}", self.method, self.path)
    }

    /// The endpoint, for limits Notion sets per endpoint.
    fn endpoint(&self) -> String {
        endpoint_key(self.method.as_str(), &self.path)
    }
}

/// The HTTP side of the client, shared by every clone of it.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    config: ClientConfig,
    gate: RateGate,
    headers: HeaderMap,
    /// Every attempt made, retries included: what sync reports and benchmarks count.
    sent: std::sync::atomic::AtomicU64,
}

impl Transport {
    pub fn new(config: ClientConfig) -> Result<Self, NotionError> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose_secret()))
            .map_err(|_| {
            NotionError::Connect("the Notion token contains characters that cannot be sent".into())
        })?;
        // Keeps the token out of any Debug output of the headers.
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(
            "Notion-Version",
            HeaderValue::from_str(&config.version).map_err(|_| {
                NotionError::Connect(format!("invalid Notion-Version {:?}", config.version))
            })?,
        );
        let mut http =
            reqwest::Client::builder().user_agent(concat!("hsn/", env!("CARGO_PKG_VERSION")));
        match config.timeout {
            Some(timeout) => http = http.connect_timeout(timeout.min(Duration::from_secs(10))),
            // No timers at all: on tokio's paused clock even the pool's idle sweep would
            // jump the clock forward while a request waits on the network.
            None => http = http.pool_idle_timeout(None),
        }
        let http = http
            .build()
            .map_err(|e| NotionError::Connect(error_chain(&e)))?;
        Ok(Transport {
            http,
            gate: RateGate::new(config.rate),
            config,
            headers,
            sent: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn gate(&self) -> &RateGate {
        &self.gate
    }

    pub fn requests_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends `request`, retrying what may be retried, and returns the JSON body.
    pub async fn send(
        &self,
        request: &Request,
        priority: Priority,
        may_send: Option<&MaySend>,
    ) -> Result<Value, NotionError> {
        let bytes = self.send_bytes(request, priority, may_send).await?;
        serde_json::from_slice(&bytes).map_err(|e| NotionError::Decode {
            request: request.describe(),
            reason: e.to_string(),
        })
    }

    /// Sends `request` like [`Transport::send`], and returns the successful answer's body
    /// as Notion sent it, not yet parsed.
    pub async fn send_bytes(
        &self,
        request: &Request,
        priority: Priority,
        may_send: Option<&MaySend>,
    ) -> Result<Vec<u8>, NotionError> {
        if request.once {
            return self.attempt(request, true, priority, may_send).await;
        }
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(30))
            .with_max_times(self.config.max_retries)
            .with_jitter();
        let mut unreachable = 0;
        // A budget paid in advance is for the first attempt only: a retry waits at the gate
        // like any request (above all for a Retry-After), so the request after it still
        // finds its prepaid turn.
        let first = std::sync::atomic::AtomicBool::new(true);
        (|| {
            self.attempt(
                request,
                first.swap(false, std::sync::atomic::Ordering::Relaxed),
                priority,
                may_send,
            )
        })
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e: &NotionError| e.is_retryable(request.idempotent))
            .adjust(|e: &NotionError, backoff| {
                if e.is_rate_limit() {
                    // The gate is already closed for the Retry-After: no wait on top.
                    return backoff.map(|_| Duration::ZERO);
                }
                if matches!(e, NotionError::Connect(_) | NotionError::Network(_) | NotionError::Timeout(_)) {
                    // A network that is gone rarely comes back within seconds; say so soon
                    // (the outbox keeps writes for later) rather than hang a command.
                    unreachable += 1;
                    if unreachable > UNREACHABLE_RETRIES {
                        return None;
                    }
                }
                backoff
            })
            .notify(|e: &NotionError, wait| {
                tracing::warn!(request = %request.describe(), error = %e, ?wait, "retrying Notion request");
            })
            .await
    }

    async fn attempt(
        &self,
        request: &Request,
        first: bool,
        priority: Priority,
        may_send: Option<&MaySend>,
    ) -> Result<Vec<u8>, NotionError> {
        let endpoint = request.endpoint();
        let prepaid = request
            .budget
            .as_ref()
            .filter(|_| first)
            .and_then(|budget| budget.spend());
        let ticket = match prepaid {
            Some(ticket) => ticket,
            None => self
                .gate
                .acquire(priority, &endpoint, 1)
                .await
                .spend()
                .expect("the gate paid for one request"),
        };
        // Asked after the wait at the gate, however long it was: still ours to send?
        if !request.idempotent && may_send.is_some_and(|may_send| !may_send()) {
            return Err(NotionError::Withdrawn(request.describe()));
        }
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = format!("{}/v1{}", self.config.base_url, request.path);
        let mut builder = self
            .http
            .request(request.method.clone(), &url)
            .headers(self.headers.clone());
        if let Some(timeout) = self.config.timeout {
            builder = builder.timeout(timeout);
        }
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send().await.map_err(|e| self.transport_error(&e));
        // Answered (or given up on): the request's window starts now.
        drop(ticket);
        let response = response?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if status.is_success() {
            return Ok(bytes.into());
        }
        let error = failure(status, &headers, &bytes);
        if let Some(reason) = error.rate_limit_reason() {
            let wait = self.gate.limited(&reason, error.retry_after(), &endpoint);
            tracing::warn!(
                request = %request.describe(),
                status = status.as_u16(),
                %reason,
                ?wait,
                "Notion asked us to slow down: {}",
                reason.describe()
            );
        }
        Err(error)
    }

    fn transport_error(&self, error: &reqwest::Error) -> NotionError {
        if error.is_timeout() {
            NotionError::Timeout(self.config.timeout.unwrap_or_default())
        } else if error.is_connect() {
            NotionError::Connect(error_chain(error))
        } else {
            NotionError::Network(error_chain(error))
        }
    }
}

/// A reqwest error with its causes, which say what actually happened ("connection reset").
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Turns a failure answer into an error, reading the headers that matter.
fn failure(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> NotionError {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    NotionError::from_response(
        status.as_u16(),
        header(RETRY_AFTER.as_str()).and_then(parse_retry_after),
        header("x-notion-request-id"),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_body_becomes_not_json_with_a_snippet() {
        let mut headers = HeaderMap::new();
        headers.insert("x-notion-request-id", HeaderValue::from_static("abc"));
        let body =
            b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>cloudflare</body></html>";
        let error = failure(StatusCode::BAD_GATEWAY, &headers, body);
        match &error {
            NotionError::NotJson {
                status,
                snippet,
                request_id,
                ..
            } => {
                assert_eq!(*status, 502);
                assert!(snippet.starts_with("<html> <head><title>502 Bad Gateway"));
                assert_eq!(request_id.as_deref(), Some("abc"));
            }
            other => panic!("expected NotJson, got {other:?}"),
        }
        assert!(error.is_retryable(true));
        assert!(!error.is_retryable(false));
    }

    #[test]
    fn json_error_body_is_read() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        let body = br#"{"object":"error","status":429,"code":"rate_limited","message":"slow down","request_id":"r1"}"#;
        let error = failure(StatusCode::TOO_MANY_REQUESTS, &headers, body);
        assert_eq!(error.code(), Some(&super::super::ErrorCode::RateLimited));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
        assert!(error.is_rate_limit());
    }
}
