//! `POST /v1/search` and the users endpoints.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ops::Ctx;
use crate::render::{
    PageView, RELATION_PREVIEW, list, page_title, render_data_source, render_page, render_person,
    title_id,
};
use crate::state::{Page, PageParent, State, Version};
use crate::values::plain_text;

enum Hit<'a> {
    Page(&'a Page),
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
    let keys = ctx.filter_properties();
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
            Hit::Page(p) => {
                let only = listed_properties(st, p, keys.as_deref(), ctx.version);
                let view = PageView {
                    version: ctx.version,
                    relation_limit: Some(RELATION_PREVIEW),
                    parent_database: true,
                    only: only.as_deref(),
                };
                render_page(st, p, view)
            }
            Hit::DataSource(ds) => render_data_source(st, ds, ctx.version),
        })
        .collect();
    let next = (end < total).then(|| st.new_cursor(scope, end));
    Ok(list(results, next, "page_or_data_source"))
}

/// The property ids a search result shows. `filter_properties` (query string, as on Query)
/// names properties by id or name; results span many schemas, so a key a page's schema
/// lacks is skipped rather than refused. Without it, 2026-12-01 shows the title only.
fn listed_properties(
    st: &State,
    page: &Page,
    keys: Option<&[String]>,
    version: Version,
) -> Option<Vec<String>> {
    let title = title_id(st, page).to_string();
    let Some(keys) = keys else {
        return version.lists_title_only().then(|| vec![title]);
    };
    let ds = match &page.parent {
        PageParent::DataSource { data_source_id, .. } => st.data_sources.get(data_source_id),
        _ => None,
    };
    Some(
        keys.iter()
            .filter_map(|k| match ds {
                Some(ds) => ds.prop(k).map(|p| p.id.clone()),
                None => (k == "title" || k == &title).then(|| title.clone()),
            })
            .collect(),
    )
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

/// `GET /v1/users/{id}`: the bot or a seeded person.
pub fn user(st: &State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("user_id", raw_id)?;
    if id == st.bot_id {
        return Ok(bot_user(st));
    }
    st.people
        .iter()
        .find(|p| p.id == id)
        .map(|p| render_person(p, ctx.version))
        .ok_or_else(|| ApiError::not_found("user", &id))
}

/// `GET /v1/users`: the bot, then the seeded persons.
pub fn users(st: &State, ctx: &Ctx) -> ApiResult {
    let mut all = vec![bot_user(st)];
    all.extend(st.people.iter().map(|p| render_person(p, ctx.version)));
    Ok(list(all, None, "user"))
}
