//! Pages: create, retrieve, update, and the paginated property item endpoint.

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ops::{Ctx, blocks, window};
use crate::render::{PageView, RELATION_PREVIEW, expand_users, prop_value, render_page};
use crate::schema::twin_of;
use crate::state::{Page, PageParent, PropSchema, State};
use crate::values;

/// Single-page responses: relations cut at 25, no `database_id` in the parent.
fn single_view(ctx: &Ctx) -> PageView<'static> {
    PageView {
        version: ctx.version,
        relation_limit: Some(RELATION_PREVIEW),
        parent_database: false,
        only: None,
    }
}

/// A schema with any new select options, and stored values keyed by property id.
pub type Converted = (Vec<PropSchema>, Vec<(String, Value)>);

/// Request property values → stored values, validated against the data source schema.
/// Returns the schema as it will be after new select options are added, plus the values
/// keyed by property id. Nothing in `st` changes.
pub fn convert_properties(
    st: &State,
    ds_id: &str,
    requested: &Value,
    path: &str,
) -> ApiResult<Converted> {
    let ds = st.data_source(ds_id)?;
    let mut props = ds.props.clone();
    let mut out = Vec::new();
    let Some(requested) = requested.as_object() else {
        if requested.is_null() {
            return Ok((props, out));
        }
        return Err(ApiError::validation(format!(
            "body failed validation: {path} should be an object."
        )));
    };
    for (key, envelope) in requested {
        let i = crate::state::prop_index(&props, key)
            .ok_or_else(|| ApiError::validation(format!("{key} is not a property that exists.")))?;
        let value = values::convert(&mut props[i], envelope, &format!("{path}.{key}"))?;
        out.push((props[i].id.clone(), value));
    }
    Ok((props, out))
}

/// The title of a page under a page or the workspace: only `title` may be set.
fn convert_plain_title(requested: &Value, path: &str) -> ApiResult<Vec<(String, Value)>> {
    let mut out = Vec::new();
    if let Some(obj) = requested.as_object() {
        for (key, envelope) in obj {
            if key != "title" && envelope.get("title").is_none() {
                return Err(ApiError::validation(format!(
                    "{key} is not a property that exists."
                )));
            }
            let mut title = PropSchema {
                id: "title".into(),
                name: key.clone(),
                description: Value::Null,
                kind: "title".into(),
                config: json!({}),
            };
            out.push((
                "title".to_string(),
                values::convert(&mut title, envelope, &format!("{path}.{key}"))?,
            ));
        }
    }
    Ok(out)
}

fn relation_ids(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Keeps the synced twin of a two-way relation in step after `page_id`'s value changed.
fn sync_relation(
    st: &mut State,
    ds_id: &str,
    prop_id: &str,
    page_id: &str,
    old: &[String],
    new: &[String],
) {
    let Some(prop) = st
        .data_sources
        .get(ds_id)
        .and_then(|ds| ds.props.iter().find(|p| p.id == prop_id))
    else {
        return;
    };
    let Some((target_ds, twin_id)) = twin_of(prop) else {
        return;
    };
    let now = st.now_minute();
    let touch = |page: &mut Page, add: bool| {
        let list = page
            .props
            .entry(twin_id.clone())
            .or_insert_with(|| json!([]));
        let Some(items) = list.as_array_mut() else {
            return;
        };
        let present = items.iter().any(|i| i["id"] == page_id);
        if add && !present {
            items.push(json!({"id": page_id}));
        } else if !add && present {
            items.retain(|i| i["id"] != page_id);
        } else {
            return;
        }
        page.edited = now;
    };
    let in_target = |p: &Page| matches!(&p.parent, PageParent::DataSource { data_source_id, .. } if *data_source_id == target_ds);
    for id in new.iter().filter(|id| !old.contains(id)) {
        if let Some(p) = st.page_mut(id).filter(|p| in_target(p)) {
            touch(p, true);
        }
    }
    for id in old.iter().filter(|id| !new.contains(id)) {
        if let Some(p) = st.page_mut(id).filter(|p| in_target(p)) {
            touch(p, false);
        }
    }
}

/// Stores converted values on a page, updating two-way relations.
fn apply_values(st: &mut State, page_id: &str, values: Vec<(String, Value)>) {
    let Some(page) = st.page(page_id) else { return };
    let ds_id = match &page.parent {
        PageParent::DataSource { data_source_id, .. } => Some(data_source_id.clone()),
        _ => None,
    };
    for (prop_id, value) in values {
        let old = relation_ids(st.page(page_id).and_then(|p| p.props.get(&prop_id)));
        let new = relation_ids(Some(&value));
        if let Some(p) = st.page_mut(page_id) {
            p.props.insert(prop_id.clone(), value);
        }
        if let Some(ds_id) = &ds_id {
            sync_relation(st, ds_id, &prop_id, page_id, &old, &new);
        }
    }
}

/// Creates a page in a data source from converted values (and raw response-shape values).
pub fn insert_into_data_source(
    st: &mut State,
    ds_id: &str,
    schema: Vec<PropSchema>,
    values: Vec<(String, Value)>,
    raw: Vec<(String, Value)>,
    extra: Vec<(String, Value)>,
) -> ApiResult<String> {
    let now = st.now_minute();
    let seq = st.next_seq();
    let ds = st.data_source_mut(ds_id)?;
    ds.props = schema;
    let unique_number = ds.next_unique;
    ds.next_unique += 1;
    let database_id = ds.database_id.clone();
    let id = ids::new_id();
    st.push_page(Page {
        id: id.clone(),
        seq,
        parent: PageParent::DataSource {
            data_source_id: ds_id.to_string(),
            database_id,
        },
        props: raw.into_iter().collect(),
        extra,
        created: now,
        edited: now,
        in_trash: false,
        is_archived: false,
        is_locked: false,
        icon: Value::Null,
        cover: Value::Null,
        unique_number,
    });
    apply_values(st, &id, values);
    Ok(id)
}

/// `POST /v1/pages`
pub fn create(st: &mut State, ctx: &Ctx) -> ApiResult {
    let parent = ctx.field("parent").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.parent should be defined, instead was `undefined`.",
        )
    })?;
    let parent_id = |key: &str| -> ApiResult<Option<String>> {
        match parent.get(key).and_then(Value::as_str) {
            None => Ok(None),
            Some(raw) => ids::normalize(raw).map(Some).ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: body.parent.{key} should be a valid uuid, instead was `\"{raw}\"`."
                ))
            }),
        }
    };
    let properties = ctx.field("properties").cloned().unwrap_or(Value::Null);
    let children = match ctx.field("children") {
        Some(c) => blocks::prepare(c, "body.children", 0)?,
        None => Vec::new(),
    };
    let id = if let Some(ds_id) = parent_id("data_source_id")? {
        st.data_source(&ds_id)?;
        let (schema, values) = convert_properties(st, &ds_id, &properties, "body.properties")?;
        insert_into_data_source(st, &ds_id, schema, values, Vec::new(), Vec::new())?
    } else if let Some(db_id) = parent_id("database_id")? {
        let db = st.database(&db_id)?;
        if db.data_sources.len() != 1 {
            return Err(ApiError::validation(format!(
                "Database {db_id} has {} data sources: create the page with a data_source_id parent.",
                db.data_sources.len()
            )));
        }
        let ds_id = db.data_sources[0].clone();
        let (schema, values) = convert_properties(st, &ds_id, &properties, "body.properties")?;
        insert_into_data_source(st, &ds_id, schema, values, Vec::new(), Vec::new())?
    } else {
        // Parent pages are taken on trust: the fake pretends any well-formed page id is a
        // page shared with the integration, so tests need no root page.
        let parent = match parent_id("page_id")? {
            Some(page_id) => PageParent::Page(page_id),
            None if parent.get("workspace") == Some(&json!(true)) => PageParent::Workspace,
            None => {
                return Err(ApiError::validation(
                    "body failed validation: body.parent should have `data_source_id`, `database_id`, `page_id` or `workspace`.",
                ));
            }
        };
        let title = convert_plain_title(&properties, "body.properties")?;
        let now = st.now_minute();
        let seq = st.next_seq();
        let id = ids::new_id();
        st.push_page(Page {
            id: id.clone(),
            seq,
            parent,
            props: title.into_iter().collect(),
            extra: Vec::new(),
            created: now,
            edited: now,
            in_trash: false,
            is_archived: false,
            is_locked: false,
            icon: Value::Null,
            cover: Value::Null,
            unique_number: 0,
        });
        id
    };
    if let Some(p) = st.page_mut(&id) {
        p.icon = ctx.field("icon").cloned().unwrap_or(Value::Null);
        p.cover = ctx.field("cover").cloned().unwrap_or(Value::Null);
    }
    blocks::insert(st, ("page_id", &id), children, blocks::Position::End);
    let page = st.existing_page(&id)?;
    Ok(render_page(st, page, single_view(ctx)))
}

/// `GET /v1/pages/{id}`
pub fn retrieve(st: &State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("page_id", raw_id)?;
    let page = st.existing_page(&id)?;
    let only = resolve_only(st, page, ctx)?;
    let view = PageView {
        only: only.as_deref(),
        ..single_view(ctx)
    };
    Ok(render_page(st, page, view))
}

/// `filter_properties` names or ids → property ids of the page's data source.
pub fn resolve_only(st: &State, page: &Page, ctx: &Ctx) -> ApiResult<Option<Vec<String>>> {
    let Some(keys) = ctx.filter_properties() else {
        return Ok(None);
    };
    let PageParent::DataSource { data_source_id, .. } = &page.parent else {
        return Ok(None);
    };
    let ds = st.data_source(data_source_id)?;
    resolve_keys(ds, &keys).map(Some)
}

pub fn resolve_keys(ds: &crate::state::DataSource, keys: &[String]) -> ApiResult<Vec<String>> {
    keys.iter()
        .map(|k| {
            ds.prop(k).map(|p| p.id.clone()).ok_or_else(|| {
                ApiError::validation(format!(
                    "filter_properties: could not find property with name or id: {k}"
                ))
            })
        })
        .collect()
}

/// `PATCH /v1/pages/{id}`
pub fn update(st: &mut State, ctx: &Ctx, raw_id: &str) -> ApiResult {
    let id = ids::path_id("page_id", raw_id)?;
    let page = st.existing_page(&id)?;
    let bool_field = |key: &str| -> ApiResult<Option<bool>> {
        match ctx.field(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(ApiError::validation(format!(
                "body failed validation: body.{key} should be a boolean, instead was `{other}`."
            ))),
        }
    };
    // `archived` only reaches here on 2025-09-03; the router refuses it on 2026-03-11.
    let in_trash = bool_field("in_trash")?.or(bool_field("archived")?);
    let is_locked = bool_field("is_locked")?;
    let properties = ctx.field("properties").cloned().unwrap_or(Value::Null);
    let has_properties = properties.as_object().is_some_and(|o| !o.is_empty());
    if page.in_trash && in_trash != Some(false) && has_properties {
        return Err(ApiError::validation(
            "Can't edit block that is archived. You must unarchive the block before editing.",
        ));
    }
    let (schema, values) = match &page.parent {
        PageParent::DataSource { data_source_id, .. } => {
            let ds_id = data_source_id.clone();
            let (schema, values) = convert_properties(st, &ds_id, &properties, "body.properties")?;
            (Some((ds_id, schema)), values)
        }
        _ => (None, convert_plain_title(&properties, "body.properties")?),
    };
    if let Some((ds_id, schema)) = schema {
        st.data_source_mut(&ds_id)?.props = schema;
    }
    apply_values(st, &id, values);
    let now = st.now_minute();
    if let Some(page) = st.page_mut(&id) {
        if let Some(t) = in_trash {
            page.in_trash = t;
        }
        if let Some(l) = is_locked {
            page.is_locked = l;
        }
        if let Some(icon) = ctx.body.get("icon") {
            page.icon = icon.clone();
        }
        if let Some(cover) = ctx.body.get("cover") {
            page.cover = cover.clone();
        }
        page.edited = now;
    }
    let page = st.existing_page(&id)?;
    Ok(render_page(st, page, single_view(ctx)))
}

/// `GET /v1/pages/{id}/properties/{property_id}`. `raw_prop` arrives decoded once by the
/// router; it must equal the decoded schema id, so an id encoded twice does not match.
pub fn property_item(st: &mut State, ctx: &Ctx, raw_id: &str, raw_prop: &str) -> ApiResult {
    let id = ids::path_id("page_id", raw_id)?;
    let page = st.existing_page(&id)?;
    let prop = match &page.parent {
        PageParent::DataSource { data_source_id, .. } => st
            .data_source(data_source_id)?
            .props
            .iter()
            .find(|p| ids::percent_decode(&p.id, false) == raw_prop)
            .cloned(),
        _ => (raw_prop == "title").then(|| PropSchema {
            id: "title".into(),
            name: "title".into(),
            description: Value::Null,
            kind: "title".into(),
            config: json!({}),
        }),
    };
    let prop = prop.ok_or_else(|| {
        ApiError::new(
            404,
            "object_not_found",
            format!("Could not find property with ID: {raw_prop}."),
        )
    })?;
    let value = match &page.parent {
        PageParent::DataSource { .. } => {
            expand_users(st, &prop.kind, prop_value(st, page, &prop), ctx.version)
        }
        _ => page.props.get("title").cloned().unwrap_or(json!([])),
    };
    let kind = prop.kind.as_str();
    if !matches!(kind, "title" | "rich_text" | "relation" | "people") {
        let mut item = json!({"object": "property_item", "id": prop.id, "type": kind});
        item[kind] = value;
        return Ok(item);
    }
    let items = value.as_array().cloned().unwrap_or_default();
    let scope = format!("property:{id}:{}", prop.id);
    let (range, next) = window(st, ctx, &scope, items.len(), 25)?;
    let results: Vec<Value> = items[range]
        .iter()
        .map(|v| {
            let mut item = json!({"object": "property_item", "type": kind, "id": prop.id});
            item[kind] = v.clone();
            item
        })
        .collect();
    let mut summary = json!({"id": prop.id, "next_url": null, "type": kind});
    summary[kind] = json!({});
    Ok(json!({
        "object": "list",
        "results": results,
        "next_cursor": next,
        "has_more": next.is_some(),
        "type": "property_item",
        "property_item": summary,
    }))
}
