//! One error type for everything the Notion client can meet.

use std::fmt;
use std::time::Duration;

use super::limits::RateLimitReason;

/// Notion's machine-readable error `code`. New codes appear over time, so unknown ones are
/// kept as text rather than failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidJson,
    InvalidRequestUrl,
    InvalidRequest,
    InvalidGrant,
    ValidationError,
    MissingVersion,
    InvalidBeta,
    Unauthorized,
    RestrictedResource,
    ObjectNotFound,
    ConflictError,
    RateLimited,
    InternalServerError,
    BadGateway,
    ServiceUnavailable,
    DatabaseConnectionUnavailable,
    GatewayTimeout,
    ServiceOverload,
    Unknown(String),
}

const KNOWN_CODES: [(ErrorCode, &str); 18] = [
    (ErrorCode::InvalidJson, "invalid_json"),
    (ErrorCode::InvalidRequestUrl, "invalid_request_url"),
    (ErrorCode::InvalidRequest, "invalid_request"),
    (ErrorCode::InvalidGrant, "invalid_grant"),
    (ErrorCode::ValidationError, "validation_error"),
    (ErrorCode::MissingVersion, "missing_version"),
    (ErrorCode::InvalidBeta, "invalid_beta"),
    (ErrorCode::Unauthorized, "unauthorized"),
    (ErrorCode::RestrictedResource, "restricted_resource"),
    (ErrorCode::ObjectNotFound, "object_not_found"),
    (ErrorCode::ConflictError, "conflict_error"),
    (ErrorCode::RateLimited, "rate_limited"),
    (ErrorCode::InternalServerError, "internal_server_error"),
    (ErrorCode::BadGateway, "bad_gateway"),
    (ErrorCode::ServiceUnavailable, "service_unavailable"),
    (
        ErrorCode::DatabaseConnectionUnavailable,
        "database_connection_unavailable",
    ),
    (ErrorCode::GatewayTimeout, "gateway_timeout"),
    (ErrorCode::ServiceOverload, "service_overload"),
];

impl ErrorCode {
    pub fn parse(code: &str) -> Self {
        KNOWN_CODES
            .iter()
            .find(|(_, text)| *text == code)
            .map(|(known, _)| known.clone())
            .unwrap_or_else(|| ErrorCode::Unknown(code.to_string()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Unknown(text) => text,
            known => KNOWN_CODES
                .iter()
                .find(|(code, _)| code == known)
                .map(|(_, text)| *text)
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong talking to Notion. No variant ever holds the token.
#[derive(Debug, thiserror::Error)]
pub enum NotionError {
    /// Notion answered with its JSON error body.
    #[error(
        "Notion answered {status} {code}: {message}{}",
        request_suffix(request_id)
    )]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        additional_data: Option<Box<serde_json::Value>>,
    },
    /// A failure body that is not Notion's JSON, typically an HTML page from the edge.
    #[error(
        "Notion answered {status} with a body that is not JSON: {snippet:?}{}",
        request_suffix(request_id)
    )]
    NotJson {
        status: u16,
        snippet: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },
    /// No answer within the request timeout. The request may or may not have reached Notion.
    #[error("Notion did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made: the request never reached Notion.
    #[error("could not connect to Notion: {0}")]
    Connect(String),
    /// The connection broke while sending or receiving.
    #[error("the connection to Notion failed: {0}")]
    Network(String),
    /// A success answer whose body does not have the shape we expect.
    #[error("could not read Notion's answer to {request}: {reason}")]
    Decode { request: String, reason: String },
    /// The request cannot be expressed in the configured Notion-Version; nothing was sent.
    #[error("{0}")]
    Unsupported(String),
    /// An id given to the client is not a Notion id; nothing was sent.
    #[error(transparent)]
    InvalidId(#[from] super::ids::InvalidId),
    /// A write withdrawn right before it was sent: its caller no longer may send it
    /// (`NotionClient::guarded`). Nothing was sent.
    #[error("{0} was not sent: this process no longer holds the write")]
    Withdrawn(String),
    /// A query kept hitting Notion's row cap inside one `created_time` minute, so it cannot
    /// be windowed further; handing back what we have would silently drop rows.
    #[error(
        "data source {data_source} has more than {rows} rows created in the same minute ({minute}); Notion cannot return them all in one query"
    )]
    QueryWindowExhausted {
        data_source: String,
        rows: usize,
        minute: String,
    },
}

fn request_suffix(request_id: &Option<String>) -> String {
    request_id
        .as_deref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// How much of a non-JSON body an error keeps: enough to recognise an edge error page.
const SNIPPET_BYTES: usize = 200;

impl NotionError {
    /// The error for a failure answer: Notion's JSON error body when there is one, else
    /// [`NotionError::NotJson`] with the start of whatever came back.
    pub fn from_response(
        status: u16,
        retry_after: Option<Duration>,
        header_request_id: Option<&str>,
        body: &[u8],
    ) -> NotionError {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let header_request_id = header_request_id.map(str::to_string);
        match json.filter(|v| v.get("object").and_then(|o| o.as_str()) == Some("error")) {
            Some(error) => {
                let text = |key: &str| error.get(key).and_then(|v| v.as_str()).map(str::to_string);
                // The body repeats the wait as a string of seconds; the header wins.
                let retry_after = retry_after.or_else(|| {
                    error
                        .pointer("/additional_data/retry_after")
                        .and_then(|v| v.as_str())
                        .and_then(super::limits::parse_retry_after)
                });
                NotionError::Api {
                    status,
                    code: ErrorCode::parse(&text("code").unwrap_or_default()),
                    message: text("message").unwrap_or_default(),
                    request_id: text("request_id").or(header_request_id),
                    retry_after,
                    additional_data: error.get("additional_data").cloned().map(Box::new),
                }
            }
            None => {
                let snippet = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_BYTES)]);
                NotionError::NotJson {
                    status,
                    snippet: snippet.split_whitespace().collect::<Vec<_>>().join(" "),
                    request_id: header_request_id,
                    retry_after,
                }
            }
        }
    }

    /// The HTTP status of an answered request.
    pub fn status(&self) -> Option<u16> {
        match self {
            NotionError::Api { status, .. } | NotionError::NotJson { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            NotionError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NotionError::Api { retry_after, .. } | NotionError::NotJson { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// A value of the error body's `additional_data` (a string, or the first of a list).
    fn additional(&self, key: &str) -> Option<&str> {
        let NotionError::Api {
            additional_data: Some(data),
            ..
        } = self
        else {
            return None;
        };
        match data.get(key)? {
            serde_json::Value::String(text) => Some(text),
            serde_json::Value::Array(items) => items.first()?.as_str(),
            _ => None,
        }
    }

    /// Notion saved the change although it answered with an error: a 503 whose guidance
    /// says to read the object again and not to repeat the write. Never send it again.
    pub fn saved_anyway(&self) -> bool {
        let NotionError::Api {
            status: 503,
            additional_data: Some(data),
            ..
        } = self
        else {
            return false;
        };
        let says_do_not_repeat = data
            .get("retry_guidance")
            .and_then(|g| g.as_array())
            .is_some_and(|items| {
                items.iter().filter_map(|i| i.as_str()).any(|text| {
                    let text = text.to_ascii_lowercase();
                    text.contains("do not repeat") || text.contains("read the object again")
                })
            });
        says_do_not_repeat || data.get("committed_resource_id").is_some()
    }

    /// The id of what a write saved anyway (`saved_anyway`): the page or database created,
    /// or the parent appended to.
    pub fn committed_resource_id(&self) -> Option<&str> {
        self.additional("committed_resource_id")
    }

    /// The workspace has used its free blocks: nothing can be created until its plan
    /// changes or blocks are freed. Not worth retrying by itself.
    pub fn is_block_limit(&self) -> bool {
        matches!(self, NotionError::Api { status: 403, additional_data: Some(data), .. } if data.get("block_limit").is_some())
    }

    /// 409 `conflict_error`: Notion could not save because of a concurrent change; nothing
    /// was saved, and Notion says to try again.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// 429 and 529: Notion asks us to slow down. Safe to retry, whatever the method, unless
    /// the connection is blocked ([`NotionError::is_blocked`]).
    pub fn is_rate_limit(&self) -> bool {
        matches!(self.status(), Some(429 | 529))
    }

    /// Why Notion asked us to slow down, for a 429 or 529.
    pub fn rate_limit_reason(&self) -> Option<RateLimitReason> {
        match self.status()? {
            429 => Some(RateLimitReason::parse(self.additional("rate_limit_reason"))),
            529 => Some(RateLimitReason::Overload),
            _ => None,
        }
    }

    /// 429 `public_api_request_blocked`: Notion refuses this connection's requests. Never
    /// retried; an operator must look at the integration.
    pub fn is_blocked(&self) -> bool {
        self.rate_limit_reason() == Some(RateLimitReason::Blocked)
    }

    /// Whether retrying could help. `idempotent` says whether the request may be repeated
    /// without effect (GET, query, search): server errors and broken connections are retried
    /// only then, because a create or an update may already have landed.
    pub fn is_retryable(&self, idempotent: bool) -> bool {
        match self {
            _ if self.is_blocked() => false,
            _ if self.is_rate_limit() => true,
            // Nothing was saved, and Notion says to try again.
            _ if self.is_conflict() => true,
            // The request never left: repeating it cannot duplicate anything.
            NotionError::Connect(_) => true,
            NotionError::Api { status, .. } | NotionError::NotJson { status, .. } => {
                idempotent && matches!(status, 500 | 502 | 503 | 504)
            }
            NotionError::Timeout(_) | NotionError::Network(_) => idempotent,
            NotionError::Decode { .. }
            | NotionError::Withdrawn(_)
            | NotionError::InvalidId(_)
            | NotionError::Unsupported(_)
            | NotionError::QueryWindowExhausted { .. } => false,
        }
    }
}

impl NotionError {
    /// One line for a person: what failed, about `subject` ("data source 1a2b3c4d…"), and
    /// Notion's own status and code so it can be looked up.
    pub fn explain(&self, subject: &str) -> String {
        match self {
            NotionError::Api {
                status: 401, code, ..
            } => {
                format!("Notion rejected the token ({} {code})", 401)
            }
            NotionError::Api {
                status: 404, code, ..
            } if *code == ErrorCode::ObjectNotFound => {
                format!("{subject} not found or not shared with the integration (404)")
            }
            NotionError::Api {
                status: 403,
                code,
                message,
                ..
            } => {
                format!("the integration may not access {subject}: {message} (403 {code})")
            }
            NotionError::Api { status, code, .. } if self.is_blocked() => {
                format!(
                    "Notion has blocked this connection's requests ({status} {code}, \
                     public_api_request_blocked): hsn stopped sending and will not retry \
                     on its own. Check the integration in Notion (Settings → Connections) \
                     or ask the workspace's admin; queued changes are kept"
                )
            }
            NotionError::Api { status, code, .. } if self.is_rate_limit() => {
                let reason = self
                    .rate_limit_reason()
                    .unwrap_or(RateLimitReason::Overload);
                format!(
                    "Notion kept rate-limiting requests for {subject}: {} ({status} {code}, {reason})",
                    reason.describe()
                )
            }
            NotionError::Api {
                status,
                code,
                message,
                ..
            } => {
                format!("Notion refused the request for {subject}: {message} ({status} {code})")
            }
            NotionError::NotJson {
                status, snippet, ..
            } => {
                format!(
                    "Notion answered {status} for {subject} with a page that is not its API's JSON: {snippet:?}"
                )
            }
            NotionError::Timeout(after) => {
                format!("Notion did not answer about {subject} within {after:?}")
            }
            NotionError::Connect(reason) => format!("could not reach Notion: {reason}"),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_kept() {
        for (code, text) in KNOWN_CODES.iter() {
            assert_eq!(&ErrorCode::parse(text), code);
            assert_eq!(code.as_str(), *text);
        }
        let new = ErrorCode::parse("brand_new_code");
        assert_eq!(new, ErrorCode::Unknown("brand_new_code".into()));
        assert_eq!(new.as_str(), "brand_new_code");
    }

    fn api(status: u16) -> NotionError {
        NotionError::Api {
            status,
            code: ErrorCode::InternalServerError,
            message: "x".into(),
            request_id: Some("req-1".into()),
            retry_after: None,
            additional_data: None,
        }
    }

    #[test]
    fn retry_rules_follow_idempotence() {
        assert!(api(429).is_retryable(false));
        assert!(api(529).is_retryable(false));
        assert!(api(500).is_retryable(true));
        assert!(!api(500).is_retryable(false));
        assert!(!api(400).is_retryable(true));
        assert!(
            api(409).is_retryable(false),
            "409 is temporary, whatever the method"
        );
        assert!(NotionError::Connect("refused".into()).is_retryable(false));
        assert!(!NotionError::Timeout(Duration::from_secs(1)).is_retryable(false));
        assert!(NotionError::Timeout(Duration::from_secs(1)).is_retryable(true));
    }

    #[test]
    fn explanations_name_the_subject() {
        let not_found = NotionError::Api {
            status: 404,
            code: ErrorCode::ObjectNotFound,
            message: "Could not find".into(),
            request_id: None,
            retry_after: None,
            additional_data: None,
        };
        assert_eq!(
            not_found.explain("data source 1234abcd…"),
            "data source 1234abcd… not found or not shared with the integration (404)"
        );
        let unauthorized = NotionError::Api {
            status: 401,
            code: ErrorCode::Unauthorized,
            message: "API token is invalid.".into(),
            request_id: None,
            retry_after: None,
            additional_data: None,
        };
        assert_eq!(
            unauthorized.explain("x"),
            "Notion rejected the token (401 unauthorized)"
        );
    }

    #[test]
    fn message_names_status_code_and_request() {
        let text = api(500).to_string();
        assert_eq!(
            text,
            "Notion answered 500 internal_server_error: x (request id req-1)"
        );
    }
}
