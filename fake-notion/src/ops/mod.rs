//! Endpoint logic: plain functions over the locked [`State`], one module per resource.
//! They return the response body without `request_id`, which the router adds.

pub mod blocks;
pub mod databases;
pub mod pages;
pub mod search;

use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::state::{State, Version};

/// What a handler needs to know about the request besides its path.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub version: Version,
    pub query: Option<String>,
    /// The JSON body, `Null` when there was none.
    pub body: Value,
}

impl Ctx {
    /// A body field, treating an explicit `null` like an absent one.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, key: &str) -> Option<String> {
        ids::query_pairs(self.query.as_deref())
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// `filter_properties=…` or `filter_properties[]=…`, repeated.
    pub fn filter_properties(&self) -> Option<Vec<String>> {
        let names: Vec<String> = ids::query_pairs(self.query.as_deref())
            .into_iter()
            .filter(|(k, _)| k == "filter_properties" || k == "filter_properties[]")
            .map(|(_, v)| v)
            .collect();
        (!names.is_empty()).then_some(names)
    }

    /// `page_size` from the body (POST) or the query string (GET): 1..=max.
    pub fn page_size(&self, default: usize, max: usize) -> ApiResult<usize> {
        let (raw, origin) = match self.field("page_size") {
            Some(v) => (Some(v.clone()), "body"),
            None => (
                self.query_param("page_size").map(|s| {
                    s.parse::<u64>()
                        .map(Value::from)
                        .unwrap_or(Value::String(s))
                }),
                "query",
            ),
        };
        let Some(raw) = raw else { return Ok(default) };
        match raw.as_u64() {
            Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
            Some(n) if n as usize > max => Err(ApiError::validation(format!(
                "body failed validation: {origin}.page_size should be ≤ `{max}`, instead was `{n}`."
            ))),
            _ => Err(ApiError::validation(format!(
                "body failed validation: {origin}.page_size should be a positive integer, instead was `{raw}`."
            ))),
        }
    }

    /// `start_cursor` from the body or the query string (`null` means none).
    pub fn start_cursor(&self) -> Option<String> {
        match self.field("start_cursor") {
            Some(v) => v.as_str().map(str::to_string),
            None => self.query_param("start_cursor"),
        }
    }
}

/// One page of a listing of `total` items: the index range to return and the cursor
/// to continue from, if any.
pub fn window(
    st: &mut State,
    ctx: &Ctx,
    scope: &str,
    total: usize,
    default_size: usize,
) -> ApiResult<(std::ops::Range<usize>, Option<String>)> {
    let size = ctx.page_size(default_size, 100)?;
    let start = st
        .cursor_offset(ctx.start_cursor().as_deref(), scope)?
        .min(total);
    let end = (start + size).min(total);
    let next = (end < total).then(|| st.new_cursor(scope.to_string(), end));
    Ok((start..end, next))
}
