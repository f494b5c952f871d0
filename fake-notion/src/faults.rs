//! Injected faults: failures a test queues for the next matching request.

use std::collections::VecDeque;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// A failure the next matching request meets instead of (or before) normal handling.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 `rate_limited` with `Retry-After`.
    RateLimited { retry_after_secs: u64 },
    /// 429 `rate_limited` with a `Retry-After` header of any text (or none) and any
    /// `rate_limit_reason` (or none), and no `retry_after` in the body: for clients that
    /// must survive what a proxy or a future Notion might send. Not counted by reason.
    RateLimitedRaw {
        retry_after: Option<String>,
        reason: Option<String>,
    },
    /// 529 `service_overload` with `Retry-After`.
    Overloaded { retry_after_secs: u64 },
    /// A JSON error with Notion's code for that status (500, 503, 504, 409, ...).
    Status(u16),
    /// Sleep (`tokio::time::sleep`), then handle the request normally.
    Delay(Duration),
    /// 200 headers, then a body that breaks off: the client sees a network error.
    DropConnection,
    /// 502 with an HTML body from "the edge", no JSON.
    HtmlBadGateway,
    /// The request is handled normally (a write IS applied), then the connection drops
    /// mid-body as with [`Fault::DropConnection`]: the client sees a network error although
    /// the change landed. Logged with status 0.
    DropAfterApply,
    /// The request is handled normally (a write IS applied); if it succeeded, the answer is
    /// replaced by Notion's 503 `service_unavailable` "The change was saved, but the response
    /// could not be built in time", with `additional_data.committed_resource_id` (the created
    /// or updated page or database; for appended children the parent, plus
    /// `committed_child_ids`). A failed request keeps its own error.
    CommittedUnavailable,
    /// 403 `restricted_resource` with `additional_data.block_limit`: the workspace is out
    /// of free blocks. Nothing is handled.
    BlockLimit,
}

impl Fault {
    /// Faults that let the request be handled first and then spoil its answer.
    pub fn after_apply(&self) -> bool {
        matches!(self, Fault::DropAfterApply | Fault::CommittedUnavailable)
    }

    /// The `rate_limit_reason` of the 429 this fault answers, for the counters.
    pub fn rate_limit_reason(&self) -> Option<&'static str> {
        matches!(self, Fault::RateLimited { .. }).then_some(crate::limits::REASON_TOKEN)
    }
}

#[derive(Clone, Debug)]
pub struct FaultEntry {
    /// `None` or `"*"` matches any method.
    pub method: Option<String>,
    pub path_prefix: Option<String>,
    pub fault: Fault,
}

impl FaultEntry {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

/// Removes and returns the first queued fault that matches this request.
pub fn take_fault(queue: &mut VecDeque<FaultEntry>, method: &str, path: &str) -> Option<Fault> {
    let i = queue.iter().position(|f| f.matches(method, path))?;
    queue.remove(i).map(|f| f.fault)
}

/// The response a fault produces before handling; `None` for a delay, which only postpones
/// normal handling, and for the faults that act after it ([`Fault::after_apply`]).
pub fn fault_response(fault: &Fault, request_id: &str) -> Option<Response> {
    let response = match fault {
        Fault::Delay(_) | Fault::DropAfterApply | Fault::CommittedUnavailable => return None,
        Fault::BlockLimit => error_response(&ApiError::block_limit(), request_id),
        Fault::RateLimited { retry_after_secs } => with_retry_after(
            error_response(&ApiError::rate_limited(*retry_after_secs), request_id),
            *retry_after_secs,
        ),
        Fault::RateLimitedRaw {
            retry_after,
            reason,
        } => {
            let mut error = ApiError::new(
                429,
                "rate_limited",
                "You have been rate limited. Please try again later.",
            );
            if let Some(reason) = reason {
                error = error.with_data(serde_json::json!({"rate_limit_reason": reason}));
            }
            let mut r = error_response(&error, request_id);
            if let Some(value) = retry_after
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                r.headers_mut().insert(header::RETRY_AFTER, value);
            }
            r
        }
        Fault::Overloaded { retry_after_secs } => with_retry_after(
            error_response(&ApiError::for_status(529), request_id),
            *retry_after_secs,
        ),
        Fault::Status(status) => error_response(&ApiError::for_status(*status), request_id),
        Fault::DropConnection => {
            dropped_mid_body(StatusCode::OK, "{\"object\":\"list\",\"results\":[")
        }
        Fault::HtmlBadGateway => {
            let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
            let mut r = (StatusCode::BAD_GATEWAY, html).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            r.headers_mut()
                .insert("cf-ray", HeaderValue::from_static("8f0fa4e3cafe0000-AMS"));
            return Some(r);
        }
    };
    Some(response)
}

/// Headers with `status`, then `start` of a body whose stream fails: hyper aborts the
/// connection mid-body, which the client sees as a transport error.
pub fn dropped_mid_body(status: StatusCode, start: &str) -> Response {
    let chunks: Vec<Result<String, std::io::Error>> = vec![
        Ok(start.to_string()),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fake-notion: injected connection drop",
        )),
    ];
    let mut r = Response::new(Body::from_stream(futures::stream::iter(chunks)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// A Notion JSON error response with its request id in the body and header.
pub fn error_response(err: &ApiError, request_id: &str) -> Response {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, axum::Json(err.body(request_id))).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-notion-request-id", v);
    }
    r
}

pub fn with_retry_after(mut r: Response, secs: u64) -> Response {
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_in_order() {
        let mut q = VecDeque::new();
        q.push_back(FaultEntry {
            method: Some("POST".into()),
            path_prefix: Some("/v1/data_sources/".into()),
            fault: Fault::Status(500),
        });
        q.push_back(FaultEntry {
            method: None,
            path_prefix: None,
            fault: Fault::Status(503),
        });
        assert!(matches!(
            take_fault(&mut q, "GET", "/v1/users/me"),
            Some(Fault::Status(503))
        ));
        assert!(take_fault(&mut q, "GET", "/v1/data_sources/x").is_none());
        assert!(matches!(
            take_fault(&mut q, "POST", "/v1/data_sources/x/query"),
            Some(Fault::Status(500))
        ));
        assert!(q.is_empty());
    }
}
