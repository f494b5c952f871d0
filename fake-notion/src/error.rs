//! Notion's error body, `{"object":"error","status","code","message","request_id"}`.

use serde_json::{Value, json};

/// An API error as Notion reports it. The request id is added when the response is built.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult<T = Value> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "validation_error", message)
    }

    /// `path.<param> should be a valid uuid`, the wording of a real 400 (fixture hkob_error_400_validation).
    pub fn bad_path_id(param: &str, raw: &str) -> Self {
        Self::validation(format!(
            "path failed validation: path.{param} should be a valid uuid, instead was `\"{raw}\"`."
        ))
    }

    /// 404 for an unknown object (or one not shared with the integration, which Notion cannot tell apart).
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(
            404,
            "object_not_found",
            format!(
                "Could not find {kind} with ID: {id}. Make sure the relevant pages and databases are shared with your integration."
            ),
        )
    }

    pub fn invalid_url() -> Self {
        Self::new(400, "invalid_request_url", "Invalid request URL.")
    }

    pub fn invalid_json() -> Self {
        Self::new(400, "invalid_json", "Error parsing JSON body.")
    }

    /// A status with the code Notion uses for it, for injected faults.
    pub fn for_status(status: u16) -> Self {
        let (code, message) = match status {
            400 => ("invalid_request", "Unsupported request."),
            401 => ("unauthorized", "API token is invalid."),
            403 => (
                "restricted_resource",
                "API token does not have access to this resource.",
            ),
            404 => ("object_not_found", "Could not find the requested object."),
            409 => (
                "conflict_error",
                "Conflict occurred while saving. Please try again.",
            ),
            429 => (
                "rate_limited",
                "You have been rate limited. Please try again in a few minutes.",
            ),
            502 => ("bad_gateway", "Bad gateway."),
            503 => (
                "service_unavailable",
                "Notion is unavailable, please try again later.",
            ),
            504 => (
                "gateway_timeout",
                "Notion timed out, please try again later.",
            ),
            529 => (
                "service_overload",
                "Notion is overloaded, please try again later.",
            ),
            s if s < 500 => ("invalid_request", "Unsupported request."),
            _ => (
                "internal_server_error",
                "Unexpected error occurred. Please try again later.",
            ),
        };
        Self::new(status, code, message)
    }

    pub fn body(&self, request_id: &str) -> Value {
        json!({
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        })
    }
}
