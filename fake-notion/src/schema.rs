//! Data source schemas: request `PropertyConfiguration`s → stored properties, the
//! PATCH semantics (null deletes, `name` renames, options merge by name), status groups,
//! and two-way relations.

use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::state::{PropSchema, State, prop_index};
use crate::values::{COLORS, KNOWN_TYPES};

/// A two-way relation whose synced property on the target still has to be made.
pub struct PendingDual {
    pub prop_id: String,
    pub target: String,
    pub synced_name: Option<String>,
}

/// A select/multi-select/status option in response shape.
pub fn new_option(
    name: &str,
    color: Option<&Value>,
    description: &Value,
    index: usize,
) -> ApiResult<Value> {
    if name.is_empty() || name.contains(',') {
        return Err(ApiError::validation(format!(
            "Option name `{name}` is invalid: names must be non-empty and must not contain commas."
        )));
    }
    let color = match color.and_then(Value::as_str) {
        Some(c) if COLORS.contains(&c) => c.to_string(),
        Some(c) => {
            return Err(ApiError::validation(format!(
                "Option color `{c}` is not one of {}.",
                COLORS.join(", ")
            )));
        }
        None => COLORS[index % COLORS.len()].to_string(),
    };
    Ok(json!({"id": ids::new_id(), "name": name, "color": color, "description": description}))
}

/// Merges requested options into existing ones: matched by id, else by name; others are added.
fn merge_options(existing: &Value, requested: Option<&Value>, prop: &str) -> ApiResult<Vec<Value>> {
    let mut options = existing.as_array().cloned().unwrap_or_default();
    let Some(requested) = requested else {
        return Ok(options);
    };
    let requested = requested.as_array().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: options of {prop} should be an array."
        ))
    })?;
    for req in requested {
        let by_id = req["id"]
            .as_str()
            .and_then(|id| options.iter().position(|o| o["id"] == id));
        let by_name = req["name"]
            .as_str()
            .and_then(|n| options.iter().position(|o| o["name"] == n));
        match by_id.or(by_name) {
            Some(i) => {
                let o = &mut options[i];
                for key in ["name", "color", "description"] {
                    if let Some(v) = req.get(key) {
                        o[key] = v.clone();
                    }
                }
            }
            None => {
                let name = req["name"].as_str().ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: a new option of {prop} needs a `name`."
                    ))
                })?;
                if options.iter().any(|o| {
                    o["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                }) {
                    return Err(ApiError::validation(format!(
                        "Option `{name}` of {prop} already exists (option names are unique regardless of case)."
                    )));
                }
                let description = req.get("description").cloned().unwrap_or(Value::Null);
                options.push(new_option(
                    name,
                    req.get("color"),
                    &description,
                    options.len(),
                )?);
            }
        }
    }
    Ok(options)
}

/// The group a status option falls in by its name. Notion puts API-made options in
/// "To-do"; the fake also files finished-sounding and in-progress names where a
/// person would, and always reports the mapping in `groups`.
fn status_group_for(name: &str) -> usize {
    match name.to_ascii_lowercase().as_str() {
        "done" | "complete" | "completed" => 2,
        "in progress" => 1,
        _ => 0,
    }
}

fn status_config(existing: &Value, requested: Option<&Value>, prop: &str) -> ApiResult<Value> {
    let mut options = merge_options(&existing["options"], requested, prop)?;
    if options.is_empty() {
        for (i, (name, color)) in [
            ("Not started", "default"),
            ("In progress", "blue"),
            ("Done", "green"),
        ]
        .into_iter()
        .enumerate()
        {
            options.push(new_option(name, Some(&json!(color)), &Value::Null, i)?);
        }
    }
    let mut groups: Vec<Value> = existing["groups"].as_array().cloned().unwrap_or_else(|| {
        [("To-do", "gray"), ("In progress", "blue"), ("Complete", "green")]
            .into_iter()
            .map(|(name, color)| json!({"id": ids::new_id(), "name": name, "color": color, "option_ids": []}))
            .collect()
    });
    let ids: Vec<&Value> = options.iter().map(|o| &o["id"]).collect();
    for g in groups.iter_mut() {
        if let Some(list) = g["option_ids"].as_array_mut() {
            list.retain(|id| ids.contains(&id));
        }
    }
    for o in &options {
        let grouped = groups.iter().any(|g| {
            g["option_ids"]
                .as_array()
                .is_some_and(|l| l.contains(&o["id"]))
        });
        if !grouped {
            let g = status_group_for(o["name"].as_str().unwrap_or("")).min(groups.len() - 1);
            if let Some(list) = groups[g]["option_ids"].as_array_mut() {
                list.push(o["id"].clone());
            }
        }
    }
    Ok(json!({"options": options, "groups": groups}))
}

/// The type a request config names: its `type`, else its one type key.
fn requested_kind(req: &Map<String, Value>, allow_unknown: bool) -> Option<String> {
    if let Some(t) = req.get("type").and_then(Value::as_str) {
        return Some(t.to_string());
    }
    let mut keys = req
        .keys()
        .filter(|k| !matches!(k.as_str(), "name" | "description" | "id" | "type"));
    let first = keys.clone().find(|k| KNOWN_TYPES.contains(&k.as_str()));
    first
        .or_else(|| if allow_unknown { keys.next() } else { None })
        .cloned()
}

/// The stored config of a `kind` property from its request config, merged into `existing`
/// when the type is unchanged.
fn build_config(
    st: &State,
    name: &str,
    kind: &str,
    cfg: &Value,
    existing: &Value,
    allow_unknown: bool,
) -> ApiResult<Value> {
    let pick = |key: &str, default: Value| {
        cfg.get(key)
            .or(existing.get(key))
            .cloned()
            .unwrap_or(default)
    };
    Ok(match kind {
        "number" => json!({"format": pick("format", json!("number"))}),
        "select" | "multi_select" => {
            json!({"options": merge_options(&existing["options"], cfg.get("options"), name)?})
        }
        "status" => status_config(existing, cfg.get("options"), name)?,
        "formula" => json!({"expression": pick("expression", json!(""))}),
        "unique_id" => json!({"prefix": pick("prefix", Value::Null)}),
        "rollup" => json!({
            "rollup_property_name": pick("rollup_property_name", Value::Null),
            "relation_property_name": pick("relation_property_name", Value::Null),
            "rollup_property_id": pick("rollup_property_id", Value::Null),
            "relation_property_id": pick("relation_property_id", Value::Null),
            "function": pick("function", json!("show_original")),
        }),
        "relation" => {
            let fresh = relation_config(st, name, cfg)?;
            // Re-sending an unchanged relation keeps its link to the synced twin.
            let unchanged = existing["data_source_id"] == fresh["data_source_id"]
                && existing["type"] == fresh["type"];
            if unchanged { existing.clone() } else { fresh }
        }
        k if KNOWN_TYPES.contains(&k) => json!({}),
        _ if allow_unknown => cfg.clone(),
        other => {
            return Err(ApiError::validation(format!(
                "body failed validation: property {name} has an unsupported type `{other}`."
            )));
        }
    })
}

fn relation_config(st: &State, name: &str, cfg: &Value) -> ApiResult<Value> {
    let raw = cfg["data_source_id"].as_str().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: body.properties.{name}.relation.data_source_id should be defined, instead was `undefined`."
        ))
    })?;
    let target = ids::normalize(raw)
        .filter(|id| st.data_sources.contains_key(id))
        .ok_or_else(|| {
            ApiError::validation(format!(
                "Relation {name} names data source {raw}, which does not exist or is not shared with the integration."
            ))
        })?;
    let database_id = st.data_sources[&target].database_id.clone();
    let dual = cfg["type"] == "dual_property"
        || (cfg["type"].is_null() && cfg.get("dual_property").is_some());
    Ok(if dual {
        json!({
            "database_id": database_id,
            "data_source_id": target,
            "type": "dual_property",
            "dual_property": {
                "synced_property_name": cfg["dual_property"]["synced_property_name"].clone(),
                "synced_property_id": null,
            },
        })
    } else {
        json!({"database_id": database_id, "data_source_id": target, "type": "single_property", "single_property": {}})
    })
}

fn description_of(cfg: &Value, existing: &Value) -> Value {
    match cfg.get("description") {
        Some(v @ (Value::String(_) | Value::Null)) => v.clone(),
        _ => existing.clone(),
    }
}

fn pending_dual(prop: &PropSchema) -> Option<PendingDual> {
    (prop.kind == "relation"
        && prop.config["type"] == "dual_property"
        && prop.config["dual_property"]["synced_property_id"].is_null())
    .then(|| PendingDual {
        prop_id: prop.id.clone(),
        target: prop.config["data_source_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        synced_name: prop.config["dual_property"]["synced_property_name"]
            .as_str()
            .map(str::to_string),
    })
}

/// A new schema from `initial_data_source.properties`. Exactly one title; none gets "Name".
pub fn build_schema(
    st: &mut State,
    properties: &Value,
    allow_unknown: bool,
) -> ApiResult<(Vec<PropSchema>, Vec<PendingDual>)> {
    let empty = Map::new();
    let requested = match properties {
        Value::Null => &empty,
        Value::Object(m) => m,
        other => {
            return Err(ApiError::validation(format!(
                "body failed validation: properties should be an object, instead was `{other}`."
            )));
        }
    };
    let mut props: Vec<PropSchema> = Vec::new();
    for (name, cfg) in requested {
        let obj = cfg.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: properties.{name} should be an object."
            ))
        })?;
        let kind = requested_kind(obj, allow_unknown).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: properties.{name} names no property type."
            ))
        })?;
        if kind == "title" && props.iter().any(|p| p.kind == "title") {
            return Err(ApiError::validation(
                "A data source must have exactly one title property.",
            ));
        }
        let config = build_config(
            st,
            name,
            &kind,
            cfg.get(&kind).unwrap_or(&Value::Null),
            &Value::Null,
            allow_unknown,
        )?;
        let id = if kind == "title" {
            "title".to_string()
        } else {
            st.new_prop_id(&props)
        };
        props.push(PropSchema {
            id,
            name: name.clone(),
            description: description_of(cfg, &Value::Null),
            kind,
            config,
        });
    }
    if !props.iter().any(|p| p.kind == "title") {
        props.insert(
            0,
            PropSchema {
                id: "title".into(),
                name: "Name".into(),
                description: Value::Null,
                kind: "title".into(),
                config: json!({}),
            },
        );
    }
    let duals = props.iter().filter_map(pending_dual).collect();
    Ok((props, duals))
}

/// Applies a `PATCH /v1/data_sources/{id}` `properties` object.
pub fn update_schema(st: &mut State, ds_id: &str, requested: &Value) -> ApiResult<()> {
    let requested = requested.as_object().ok_or_else(|| {
        ApiError::validation("body failed validation: body.properties should be an object.")
    })?;
    let mut props = st.data_source(ds_id)?.props.clone();
    let mut removed: Vec<PropSchema> = Vec::new();
    let mut retyped: Vec<String> = Vec::new();
    for (key, cfg) in requested {
        let index = prop_index(&props, key);
        if cfg.is_null() {
            let i = index.ok_or_else(|| {
                ApiError::validation(format!("{key} is not a property that exists."))
            })?;
            if props[i].kind == "title" {
                return Err(ApiError::validation(
                    "The title property of a data source cannot be deleted.",
                ));
            }
            removed.push(props.remove(i));
            continue;
        }
        let obj = cfg.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: body.properties.{key} should be an object or `null`."
            ))
        })?;
        let new_name = obj.get("name").and_then(Value::as_str);
        if let Some(n) = new_name
            && (n.is_empty()
                || props
                    .iter()
                    .enumerate()
                    .any(|(j, p)| p.name == n && Some(j) != index))
        {
            return Err(ApiError::validation(format!(
                "Property name `{n}` is empty or already in use."
            )));
        }
        let kind = requested_kind(obj, false);
        match index {
            Some(i) => {
                let old = props[i].clone();
                let kind = kind.unwrap_or_else(|| old.kind.clone());
                if kind != old.kind && (kind == "title" || old.kind == "title") {
                    return Err(ApiError::validation(
                        "A data source must have exactly one title property.",
                    ));
                }
                let same = kind == old.kind;
                let base = if same {
                    old.config.clone()
                } else {
                    Value::Null
                };
                let type_cfg = obj.get(&kind).unwrap_or(&Value::Null);
                let config = if same && type_cfg.is_null() {
                    old.config.clone()
                } else {
                    build_config(st, &old.name, &kind, type_cfg, &base, false)?
                };
                if !same {
                    retyped.push(old.id.clone());
                }
                props[i] = PropSchema {
                    id: old.id,
                    name: new_name.unwrap_or(&old.name).to_string(),
                    description: description_of(cfg, &old.description),
                    kind,
                    config,
                };
            }
            None => {
                let Some(kind) = kind else {
                    let named_type = obj
                        .keys()
                        .find(|k| !matches!(k.as_str(), "name" | "description" | "id"));
                    return Err(ApiError::validation(match named_type {
                        Some(t) => format!("Property {key} has an unsupported type `{t}`."),
                        None => format!("{key} is not a property that exists."),
                    }));
                };
                if kind == "title" {
                    return Err(ApiError::validation(
                        "A data source must have exactly one title property.",
                    ));
                }
                let name = new_name.unwrap_or(key).to_string();
                let config = build_config(
                    st,
                    &name,
                    &kind,
                    obj.get(&kind).unwrap_or(&Value::Null),
                    &Value::Null,
                    false,
                )?;
                let id = st.new_prop_id(&props);
                props.push(PropSchema {
                    id,
                    name,
                    description: description_of(cfg, &Value::Null),
                    kind,
                    config,
                });
            }
        }
    }
    let duals: Vec<PendingDual> = props.iter().filter_map(pending_dual).collect();
    let now = st.now_minute();
    let ds = st.data_source_mut(ds_id)?;
    ds.props = props;
    ds.edited = now;
    for page in st.pages.iter_mut() {
        for id in &retyped {
            page.props.remove(id);
        }
    }
    // Removing one side of a two-way relation removes its synced twin too.
    for gone in removed
        .iter()
        .filter(|p| p.kind == "relation" && p.config["type"] == "dual_property")
    {
        let target = gone.config["data_source_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let twin = gone.config["dual_property"]["synced_property_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Ok(t) = st.data_source_mut(&target) {
            t.props.retain(|p| p.id != twin);
        }
    }
    for dual in duals {
        link_dual(st, ds_id, dual)?;
    }
    refresh_twin_names(st, ds_id);
    Ok(())
}

/// After renames, each end of a two-way relation names the other by its current name.
fn refresh_twin_names(st: &mut State, ds_id: &str) {
    let Ok(ds) = st.data_source(ds_id) else {
        return;
    };
    let pairs: Vec<(String, String, String, String)> = ds
        .props
        .iter()
        .filter_map(|p| twin_of(p).map(|(t, twin)| (p.id.clone(), p.name.clone(), t, twin)))
        .collect();
    for (prop_id, prop_name, target, twin_id) in pairs {
        let mut twin_name = None;
        if let Ok(t) = st.data_source_mut(&target)
            && let Some(twin) = t.props.iter_mut().find(|p| p.id == twin_id)
        {
            twin.config["dual_property"]["synced_property_name"] = json!(prop_name);
            twin_name = Some(twin.name.clone());
        }
        if let (Some(name), Ok(ds)) = (twin_name, st.data_source_mut(ds_id))
            && let Some(p) = ds.props.iter_mut().find(|p| p.id == prop_id)
        {
            p.config["dual_property"]["synced_property_name"] = json!(name);
        }
    }
}

/// Creates the synced property of a two-way relation on its target and links both ends.
pub fn link_dual(st: &mut State, ds_id: &str, dual: PendingDual) -> ApiResult<()> {
    let source = st.data_source(ds_id)?;
    let prop = source
        .props
        .iter()
        .find(|p| p.id == dual.prop_id)
        .cloned()
        .ok_or_else(|| ApiError::validation("relation property vanished"))?;
    let source_db = source.database_id.clone();
    let default_name = format!("Related to {} ({})", source.plain_title(), prop.name);
    let name = dual.synced_name.unwrap_or(default_name);
    let target = st.data_source(&dual.target)?;
    let twin_id = match target.props.iter().find(|p| p.name == name) {
        Some(p) if p.kind == "relation" && p.config["data_source_id"] == ds_id => p.id.clone(),
        Some(_) => {
            return Err(ApiError::validation(format!(
                "Cannot create synced property `{name}`: the target data source already has a property of that name."
            )));
        }
        None => {
            let taken = target.props.clone();
            let id = st.new_prop_id(&taken);
            st.data_source_mut(&dual.target)?.props.push(PropSchema {
                id: id.clone(),
                name: name.clone(),
                description: Value::Null,
                kind: "relation".into(),
                config: Value::Null,
            });
            id
        }
    };
    let twin_config = json!({
        "database_id": source_db,
        "data_source_id": ds_id,
        "type": "dual_property",
        "dual_property": {"synced_property_name": prop.name, "synced_property_id": prop.id},
    });
    if let Some(twin) = st
        .data_source_mut(&dual.target)?
        .props
        .iter_mut()
        .find(|p| p.id == twin_id)
    {
        twin.config = twin_config;
    }
    if let Some(p) = st
        .data_source_mut(ds_id)?
        .props
        .iter_mut()
        .find(|p| p.id == dual.prop_id)
    {
        p.config["dual_property"] =
            json!({"synced_property_name": name, "synced_property_id": twin_id});
    }
    Ok(())
}

/// The synced twin `(data_source_id, property_id)` of a two-way relation property.
pub fn twin_of(prop: &PropSchema) -> Option<(String, String)> {
    if prop.kind != "relation" || prop.config["type"] != "dual_property" {
        return None;
    }
    Some((
        prop.config["data_source_id"].as_str()?.to_string(),
        prop.config["dual_property"]["synced_property_id"]
            .as_str()?
            .to_string(),
    ))
}
