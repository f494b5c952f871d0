//! `POST /v1/search` and the users endpoints.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ops::Ctx;
use crate::render::{
    PageView, RELATION_PREVIEW, list, page_title, render_data_source, render_page,
};
use crate::state::State;
use crate::values::plain_text;

enum Hit<'a> {
    Page(&'a crate::state::Page),
    DataSource(&'a crate::state::DataSource),
}

pub fn search(st: &mut State, ctx: &Ctx) -> ApiResult {
    let query = ctx
        .field("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let object = match ctx.field("filter") {
        None => None,
        Some(f) => match (f["property"].as_str(), f["value"].as_str()) {
            (Some("object"), Some(v @ ("page" | "data_source"))) => Some(v),
            _ => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.filter.value should be `\"page\"` or `\"data_source\"`, instead was `{}`.",
                    f["value"]
                )));
            }
        },
    };
    let descending = match ctx.field("sort") {
        None => None,
        Some(s) if s["timestamp"] == "last_edited_time" => Some(s["direction"] == "descending"),
        Some(s) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.sort.timestamp should be `\"last_edited_time\"`, instead was `{}`.",
                s["timestamp"]
            )));
        }
    };
    let mut hits: Vec<(u64, DateTime<Utc>, Hit)> = Vec::new();
    if object != Some("data_source") {
        for p in st.pages.iter().filter(|p| !p.in_trash) {
            if plain_text(&page_title(st, p))
                .to_lowercase()
                .contains(&query)
            {
                hits.push((p.seq, p.edited, Hit::Page(p)));
            }
        }
    }
    if object != Some("page") {
        for ds in st.data_sources.values().filter(|d| !d.in_trash) {
            // The query matches the database title (upgrade guide 2025-09-03).
            let db_title = st
                .databases
                .get(&ds.database_id)
                .map(|d| plain_text(&d.title))
                .unwrap_or_default();
            if db_title.to_lowercase().contains(&query)
                || ds.plain_title().to_lowercase().contains(&query)
            {
                hits.push((ds.seq, ds.edited, Hit::DataSource(ds)));
            }
        }
    }
    hits.sort_by_key(|(seq, _, _)| *seq);
    if let Some(desc) = descending {
        hits.sort_by(|a, b| if desc { b.1.cmp(&a.1) } else { a.1.cmp(&b.1) });
    }
    let view = PageView {
        version: ctx.version,
        relation_limit: Some(RELATION_PREVIEW),
        parent_database: true,
        only: None,
    };
    let scope = format!(
        "search:{query}:{}:{}",
        ctx.field("filter").unwrap_or(&Value::Null),
        ctx.field("sort").unwrap_or(&Value::Null)
    );
    let size = ctx.page_size(100, 100)?;
    let total = hits.len();
    let start = st
        .cursor_offset(ctx.start_cursor().as_deref(), &scope)?
        .min(total);
    let end = (start + size).min(total);
    let results: Vec<Value> = hits[start..end]
        .iter()
        .map(|(_, _, h)| match h {
            Hit::Page(p) => render_page(st, p, view),
            Hit::DataSource(ds) => render_data_source(st, ds, ctx.version),
        })
        .collect();
    let next = (end < total).then(|| st.new_cursor(scope, end));
    Ok(list(results, next, "page_or_data_source"))
}

pub fn bot_user(st: &State) -> Value {
    json!({
        "object": "user",
        "id": st.bot_id,
        "name": "fake-notion",
        "avatar_url": null,
        "type": "bot",
        "bot": {
            "owner": {"type": "workspace", "workspace": true},
            "workspace_name": "Fake Notion",
            "workspace_id": st.workspace_id,
            "workspace_limits": {"max_file_upload_size_in_bytes": 5_242_880},
        },
    })
}

/// `GET /v1/users/{id}`: only the bot is known.
pub fn user(st: &State, raw_id: &str) -> ApiResult {
    let id = ids::path_id("user_id", raw_id)?;
    if id == st.bot_id {
        Ok(bot_user(st))
    } else {
        Err(ApiError::not_found("user", &id))
    }
}

/// `GET /v1/users`
pub fn users(st: &State) -> ApiResult {
    Ok(list(vec![bot_user(st)], None, "user"))
}
