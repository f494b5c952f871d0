//! Databases and data sources: create, retrieve, update, and the data source query.

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::filter;
use crate::ids;
use crate::ops::Ctx;
use crate::ops::pages::resolve_keys;
use crate::render::{
    PageView, RELATION_PREVIEW, list, render_data_source, render_database, render_page,
};
use crate::schema;
use crate::state::{DataSource, Database, PageParent, State};
use crate::values;

fn rich_text_field(ctx: &Ctx, key: &str) -> ApiResult<Option<Value>> {
    ctx.field(key)
        .map(|v| values::rich_text(v, &format!("body.{key}")))
        .transpose()
}

/// Adds a data source (with its schema) to a database; returns its id.
pub fn add_data_source(
    st: &mut State,
    database_id: &str,
    title: Value,
    properties: &Value,
    allow_unknown: bool,
) -> ApiResult<String> {
    let (props, duals) = schema::build_schema(st, properties, allow_unknown)?;
    insert_data_source(st, database_id, title, props, duals)
}

fn insert_data_source(
    st: &mut State,
    database_id: &str,
    title: Value,
    props: Vec<crate::state::PropSchema>,
    duals: Vec<schema::PendingDual>,
) -> ApiResult<String> {
    let now = st.now_minute();
    let id = ids::new_id();
    let seq = st.next_seq();
    st.data_sources.insert(
        id.clone(),
        DataSource {
            id: id.clone(),
            database_id: database_id.to_string(),
            seq,
            title,
            description: json!([]),
            icon: Value::Null,
            props,
            created: now,
            edited: now,
            in_trash: false,
            next_unique: 1,
        },
    );
    if let Some(db) = st.databases.get_mut(database_id) {
        db.data_sources.push(id.clone());
    }
    for dual in duals {
        schema::link_dual(st, &id, dual)?;
    }
    Ok(id)
}

/// Creates a database with one data source; returns `(database_id, data_source_id)`.
pub fn create_database_with(
    st: &mut State,
    parent: Value,
    title: Value,
    properties: &Value,
    allow_unknown: bool,
) -> ApiResult<(String, String)> {
    // Build the schema first so a bad one leaves no half-made database behind.
    let (props, duals) = schema::build_schema(st, properties, allow_unknown)?;
    let now = st.now();
    let id = ids::new_id();
    st.databases.insert(
        id.clone(),
        Database {
            id: id.clone(),
            title: title.clone(),
            description: json!([]),
            parent,
            is_inline: false,
            in_trash: false,
            icon: Value::Null,
            cover: Value::Null,
            created: now,
            edited: now,
            data_sources: Vec::new(),
        },
    );
    let ds = insert_data_source(st, &id, title.clone(), props, duals)?;
    // As in Notion, a database made under a page shows in the page's children as a
    // `child_database` block with the database's own id (how setup finds it again).
    if let Some(page_id) = st.databases[&id]
        .parent
        .get("page_id")
        .and_then(Value::as_str)
        .map(str::to_string)
    {
        let now = st.now_minute();
        let plain = values::plain_text(&title);
        st.blocks.insert(
            id.clone(),
            crate::state::Block {
                id: id.clone(),
                parent: ("page_id", page_id.clone()),
                kind: "child_database".into(),
                content: json!({"title": plain}),
                created: now,
                edited: now,
                in_trash: false,
            },
        );
        st.children.entry(page_id).or_default().push(id.clone());
    }
    Ok((id, ds))
}

/// `POST /v1/databases`
pub fn create_database(st: &mut State, ctx: &Ctx) -> ApiResult {
    let parent = ctx.field("parent").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.parent should be defined, instead was `undefined`.",
        )
    })?;
    let parent = if let Some(raw) = parent.get("page_id").and_then(Value::as_str) {
        let page_id = ids::normalize(raw).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: body.parent.page_id should be a valid uuid, instead was `\"{raw}\"`."
            ))
        })?;
        json!({"type": "page_id", "page_id": page_id})
    } else if parent.get("workspace") == Some(&json!(true)) {
        json!({"type": "workspace", "workspace": true})
    } else {
        return Err(ApiError::validation(
            "body failed validation: body.parent should have `page_id` or `workspace`.",
        ));
    };
    let title = rich_text_field(ctx, "title")?.unwrap_or(json!([]));
    let properties = ctx
        .field("initial_data_source")
        .and_then(|d| d.get("properties"))
        .cloned()
        .unwrap_or(Value::Null);
    let (db_id, _) = create_database_with(st, parent, title, &properties, false)?;
    let description = rich_text_field(ctx, "description")?;
    let db = st.databases.get_mut(&db_id).expect("just created");
    if let Some(d) = description {
        db.description = d;
    }
    if let Some(Value::Bool(inline)) = ctx.field("is_inline") {
        db.is_inline = *inline;
    }
    db.icon = ctx.field("icon").cloned().unwrap_or(Value::Null);
    db.cover = ctx.field("cover").cloned().unwrap_or(Value::Null);
    Ok(render_database(st, &st.databases[&db_id], ctx.version))
}

/// `GET /v1/databases/{id}`
pub fn retrieve_database(st: &State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("database_id", raw_id)?;
    Ok(render_database(st, st.database(&id)?, ctx.version))
}

/// `PATCH /v1/databases/{id}`: title, description, is_inline, icon, cover, in_trash.
pub fn update_database(st: &mut State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("database_id", raw_id)?;
    st.database(&id)?;
    let title = rich_text_field(ctx, "title")?;
    let description = rich_text_field(ctx, "description")?;
    let now = st.now();
    let db = st.databases.get_mut(&id).expect("checked");
    if let Some(t) = title {
        db.title = t;
    }
    if let Some(d) = description {
        db.description = d;
    }
    if let Some(Value::Bool(b)) = ctx.field("is_inline") {
        db.is_inline = *b;
    }
    if let Some(Value::Bool(b)) = ctx.field("in_trash").or(ctx.field("archived")) {
        db.in_trash = *b;
    }
    for key in ["icon", "cover"] {
        if let Some(v) = ctx.body.get(key) {
            if key == "icon" {
                db.icon = v.clone();
            } else {
                db.cover = v.clone();
            }
        }
    }
    db.edited = now;
    Ok(render_database(st, &st.databases[&id], ctx.version))
}

/// `POST /v1/data_sources`: a further data source in an existing database.
pub fn create_data_source(st: &mut State, ctx: &Ctx) -> ApiResult {
    let raw = ctx
        .field("parent")
        .and_then(|p| p.get("database_id"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::validation("body failed validation: body.parent.database_id should be defined, instead was `undefined`.")
        })?;
    let db_id = ids::normalize(raw).ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: body.parent.database_id should be a valid uuid, instead was `\"{raw}\"`."
        ))
    })?;
    st.database(&db_id)?;
    let title = rich_text_field(ctx, "title")?.unwrap_or(json!([]));
    let properties = ctx.field("properties").cloned().unwrap_or(Value::Null);
    let id = add_data_source(st, &db_id, title, &properties, false)?;
    Ok(render_data_source(st, &st.data_sources[&id], ctx.version))
}

/// `GET /v1/data_sources/{id}`
pub fn retrieve_data_source(st: &State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("data_source_id", raw_id)?;
    Ok(render_data_source(st, st.data_source(&id)?, ctx.version))
}

/// `PATCH /v1/data_sources/{id}`: title, properties (null deletes, name renames, options
/// merge), icon, in_trash.
pub fn update_data_source(st: &mut State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("data_source_id", raw_id)?;
    st.data_source(&id)?;
    let title = rich_text_field(ctx, "title")?;
    if let Some(props) = ctx.field("properties") {
        schema::update_schema(st, &id, props)?;
    }
    let now = st.now_minute();
    let ds = st.data_source_mut(&id)?;
    if let Some(t) = title {
        ds.title = t;
    }
    if let Some(Value::Bool(b)) = ctx.field("in_trash").or(ctx.field("archived")) {
        ds.in_trash = *b;
    }
    if let Some(icon) = ctx.body.get("icon") {
        ds.icon = icon.clone();
    }
    ds.edited = now;
    Ok(render_data_source(st, &st.data_sources[&id], ctx.version))
}

/// `POST /v1/data_sources/{id}/query`. One chain of cursors never yields more than the
/// row cap; the page that reaches it says so in `request_status`. Trashed pages never come
/// back; archived ones only with `"is_archived": true`, and then only they (notes §4).
pub fn query(st: &mut State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("data_source_id", raw_id)?;
    let ds = st.data_source(&id)?;
    if ctx.body.get("in_trash").is_some() {
        return Err(ApiError::validation(
            "in_trash is not a supported query body parameter for this endpoint.",
        ));
    }
    let only = match ctx.filter_properties() {
        Some(keys) => Some(resolve_keys(ds, &keys)?),
        // 2026-12-01 computes only the title unless asked for more (notes §1).
        None if ctx.version.lists_title_only() => Some(ds.title_ids()),
        None => None,
    };
    let now = st.now();
    let compiled = ctx
        .field("filter")
        .map(|f| filter::compile(f, ds, now))
        .transpose()?;
    let sorts = filter::compile_sorts(ctx.field("sorts").unwrap_or(&Value::Null), ds)?;
    let archived = match ctx.field("is_archived") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.is_archived should be a boolean, instead was `{other}`."
            )));
        }
    };
    let size = ctx.page_size(100, 100)?;
    let mut matched: Vec<&crate::state::Page> = st
        .pages
        .iter()
        .filter(|p| matches!(&p.parent, PageParent::DataSource { data_source_id, .. } if *data_source_id == id))
        .filter(|p| !p.in_trash && p.is_archived == archived)
        .filter(|p| compiled.as_ref().is_none_or(|f| filter::matches(f, st, ds, p)))
        .collect();
    if ctx.field("result_type").and_then(Value::as_str) == Some("data_source") {
        matched.clear();
    }
    filter::sort_pages(&mut matched, &sorts, st, ds);

    let scope = format!(
        "query:{id}:{}:{}:{archived}",
        ctx.field("filter").unwrap_or(&Value::Null),
        ctx.field("sorts").unwrap_or(&Value::Null)
    );
    let start = st.cursor_offset(ctx.start_cursor().as_deref(), &scope)?;
    let cap = st.row_cap;
    let start = start.min(matched.len()).min(cap);
    let end = (start + size).min(matched.len()).min(cap);
    let view = PageView {
        version: ctx.version,
        relation_limit: Some(RELATION_PREVIEW),
        parent_database: true,
        only: only.as_deref(),
    };
    let results: Vec<Value> = matched[start..end]
        .iter()
        .map(|p| render_page(st, p, view))
        .collect();
    let more_rows = end < matched.len();
    let capped = more_rows && end >= cap;
    let next = (more_rows && !capped).then(|| st.new_cursor(scope, end));
    let mut body = list(results, next, "page_or_data_source");
    body["request_status"] = if capped {
        json!({"type": "incomplete", "incomplete_reason": "query_result_limit_reached"})
    } else {
        json!({"type": "complete"})
    };
    Ok(body)
}
