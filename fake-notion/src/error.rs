//! Notion's error body, `{"object":"error","status","code","message","request_id"}`, with
//! `additional_data` when the error carries any.

use serde_json::{Value, json};

/// An API error as Notion reports it. The request id is added when the response is built.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// `additional_data` of the body: an object whose values are strings or string arrays.
    pub additional_data: Option<Box<Value>>,
}

pub type ApiResult<T = Value> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            additional_data: None,
        }
    }

    /// The same error with `additional_data` in its body.
    pub fn with_data(mut self, additional_data: Value) -> Self {
        self.additional_data = Some(Box::new(additional_data));
        self
    }

    /// 429 `rate_limited` as Notion's 2026 bodies have it: the reason and the wait repeated
    /// in `additional_data` (the wait also goes in `Retry-After`).
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::rate_limited_because(crate::limits::REASON_TOKEN, Some(retry_after_secs))
    }

    /// 429 `rate_limited` for one of Notion's `rate_limit_reason`s. "Whenever a response
    /// includes Retry-After, the body repeats the wait as `additional_data.retry_after`"
    /// (notes §3); without a wait (a blocked connection) there is neither.
    pub fn rate_limited_because(reason: &str, retry_after_secs: Option<u64>) -> Self {
        let mut data = json!({"rate_limit_reason": reason});
        if let Some(secs) = retry_after_secs {
            data["retry_after"] = json!(secs.to_string());
        }
        Self::new(
            429,
            "rate_limited",
            "You have been rate limited. Please try again later.",
        )
        .with_data(data)
    }

    /// The `rate_limit_reason` of a 429, if it names one.
    pub fn rate_limit_reason(&self) -> Option<&str> {
        self.additional_data
            .as_deref()
            .and_then(|d| d.get("rate_limit_reason"))
            .and_then(Value::as_str)
    }

    /// 403 `restricted_resource` for a workspace out of free blocks (notion-api-notes §3):
    /// told apart from a permission failure by `additional_data.block_limit`.
    pub fn block_limit() -> Self {
        Self::new(
            403,
            "restricted_resource",
            "This workspace has used all of its free blocks. Upgrade its plan in Notion to create more content. Learn more: https://www.notion.com/help/understanding-block-usage",
        )
        .with_data(json!({"block_limit": "block_creation"}))
    }

    /// 503 `service_unavailable` for a write Notion saved but could not answer in time
    /// (notion-api-notes §4). `committed` holds `committed_resource_id` (and, for appended
    /// children, `committed_child_ids`).
    pub fn committed_unavailable(committed: &[(&str, Value)]) -> Self {
        let mut data = json!({
            "from": "publicApi.pageObjectPointerToPageObject.beforePreload",
            "elapsed_ms": "55012",
            "deadline_ms": "55000",
            "retry_guidance": [
                "Read the object again to confirm the saved change.",
                "Do not repeat the write."
            ],
        });
        for (key, value) in committed {
            data[*key] = value.clone();
        }
        Self::new(
            503,
            "service_unavailable",
            "The change was saved, but the response could not be built in time. Read the object again instead of repeating the write.",
        )
        .with_data(data)
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
        let mut body = json!({
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        });
        if let Some(data) = &self.additional_data {
            body["additional_data"] = (**data).clone();
        }
        body
    }
}
