//! Query filters and sorts: compiled against the schema first (so a bad filter is a 400
//! even when no page would reach it), then evaluated per page.

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::render::prop_value;
use crate::state::{DataSource, Page, State};
use crate::time::parse_instant;
use crate::values::plain_text;

#[derive(Debug)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Prop {
        id: String,
        kind: String,
        cond: Cond,
    },
    Timestamp {
        created: bool,
        cond: Cond,
    },
}

#[derive(Debug)]
pub enum Cond {
    Text(&'static str, String),
    Number(&'static str, f64),
    Checkbox {
        value: bool,
        negate: bool,
    },
    /// select/status `equals` / `does_not_equal`, with one name or several.
    OneOf {
        names: Vec<String>,
        negate: bool,
    },
    /// multi_select, relation and people `contains` / `does_not_contain`.
    Contains {
        values: Vec<String>,
        negate: bool,
    },
    /// `date_only` compares calendar days (UTC) rather than instants.
    Date {
        op: &'static str,
        at: DateTime<Utc>,
        date_only: bool,
    },
    Between(DateTime<Utc>, DateTime<Utc>),
    Empty(bool),
    /// A condition on a formula's result of the given type.
    Formula(String, Box<Cond>),
}

/// A property value reduced to what filters and sorts look at.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Text(String),
    Num(Option<f64>),
    Bool(bool),
    Name(Option<String>),
    Set(Vec<String>),
    Date(Option<DateTime<Utc>>),
}

impl Val {
    fn is_empty(&self) -> bool {
        match self {
            Val::Text(s) => s.is_empty(),
            Val::Num(n) => n.is_none(),
            Val::Bool(_) => false,
            Val::Name(n) => n.is_none(),
            Val::Set(s) => s.is_empty(),
            Val::Date(d) => d.is_none(),
        }
    }
}

fn bad(msg: String) -> ApiError {
    ApiError::validation(msg)
}

/// The conditions each filter type key accepts.
fn family(key: &str) -> Option<&'static str> {
    Some(match key {
        "title" | "rich_text" | "url" | "email" | "phone_number" => "text",
        "number" | "unique_id" => "number",
        "checkbox" => "checkbox",
        "select" | "status" => "select",
        "multi_select" => "multi_select",
        "date" | "created_time" | "last_edited_time" => "date",
        "relation" | "people" | "created_by" | "last_edited_by" => "ids",
        "files" => "files",
        "formula" => "formula",
        _ => return None,
    })
}

pub fn compile(filter: &Value, ds: &DataSource, now: DateTime<Utc>) -> ApiResult<Filter> {
    let obj = filter.as_object().ok_or_else(|| {
        bad(format!(
            "body failed validation: body.filter should be an object, instead was `{filter}`."
        ))
    })?;
    for compound in ["and", "or"] {
        if let Some(list) = obj.get(compound) {
            let items = list.as_array().ok_or_else(|| {
                bad(format!(
                    "body failed validation: body.filter.{compound} should be an array."
                ))
            })?;
            let parts = items
                .iter()
                .map(|f| compile(f, ds, now))
                .collect::<ApiResult<Vec<_>>>()?;
            return Ok(if compound == "and" {
                Filter::And(parts)
            } else {
                Filter::Or(parts)
            });
        }
    }
    if let Some(ts) = obj.get("timestamp") {
        let which = ts.as_str().unwrap_or_default();
        if which != "created_time" && which != "last_edited_time" {
            return Err(bad(format!(
                "body failed validation: body.filter.timestamp should be `\"created_time\"` or `\"last_edited_time\"`, instead was `{ts}`."
            )));
        }
        let cond = obj
            .get(which)
            .ok_or_else(|| bad(format!("body failed validation: body.filter.{which} should be defined, instead was `undefined`.")))?;
        return Ok(Filter::Timestamp {
            created: which == "created_time",
            cond: condition("date", which, cond, now)?,
        });
    }
    let Some(name) = obj.get("property").and_then(Value::as_str) else {
        return Err(bad(format!(
            "body failed validation: body.filter should have `property`, `timestamp`, `and` or `or`, instead was `{filter}`."
        )));
    };
    let prop = ds
        .prop(name)
        .ok_or_else(|| bad(format!("Could not find property with name or id: {name}")))?;
    let type_key = obj
        .keys()
        .find(|k| k.as_str() != "property" && k.as_str() != "type")
        .cloned()
        .ok_or_else(|| bad(format!("Filter on property {name} has no condition.")))?;
    if type_key != prop.kind {
        return Err(bad(format!(
            "Filter on property {name} uses `{type_key}`, but the property is of type `{}`.",
            prop.kind
        )));
    }
    let fam = family(&type_key).ok_or_else(|| {
        bad(format!(
            "Filtering on property {name} of type `{type_key}` is not supported."
        ))
    })?;
    Ok(Filter::Prop {
        id: prop.id.clone(),
        kind: prop.kind.clone(),
        cond: condition(fam, &format!("{name}.{type_key}"), &obj[&type_key], now)?,
    })
}

/// One `{"<condition>": value}` object of the given family.
fn condition(fam: &str, at: &str, v: &Value, now: DateTime<Utc>) -> ApiResult<Cond> {
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| bad(format!("body failed validation: filter {at} should hold exactly one condition, instead was `{v}`.")))?;
    let (op, arg) = obj.iter().next().expect("one entry");
    let unknown = || {
        bad(format!(
            "body failed validation: `{op}` is not a valid condition for filter {at}."
        ))
    };
    let string = || {
        arg.as_str().map(str::to_string).ok_or_else(|| {
            bad(format!(
                "body failed validation: filter {at}.{op} should be a string, instead was `{arg}`."
            ))
        })
    };
    let strings = || -> ApiResult<Vec<String>> {
        match arg {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(items
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()),
            _ => Err(bad(format!(
                "body failed validation: filter {at}.{op} should be a string or an array of strings, instead was `{arg}`."
            ))),
        }
    };
    if op == "is_empty" || op == "is_not_empty" {
        if fam == "checkbox" || fam == "formula" {
            return Err(unknown());
        }
        let flag = arg.as_bool().unwrap_or(true);
        return Ok(Cond::Empty(if op == "is_empty" { flag } else { !flag }));
    }
    let op: &'static str = match op.as_str() {
        "equals" => "equals",
        "does_not_equal" => "does_not_equal",
        "contains" => "contains",
        "does_not_contain" => "does_not_contain",
        "starts_with" => "starts_with",
        "ends_with" => "ends_with",
        "greater_than" => "greater_than",
        "less_than" => "less_than",
        "greater_than_or_equal_to" => "greater_than_or_equal_to",
        "less_than_or_equal_to" => "less_than_or_equal_to",
        "before" => "before",
        "after" => "after",
        "on_or_before" => "on_or_before",
        "on_or_after" => "on_or_after",
        "past_week" | "past_month" | "past_year" | "this_week" | "next_week" | "next_month"
        | "next_year" => {
            if fam != "date" {
                return Err(unknown());
            }
            return Ok(relative(op, now));
        }
        "string" | "checkbox" | "number" | "date" if fam == "formula" => {
            let inner_fam = if op == "string" { "text" } else { op.as_str() };
            return Ok(Cond::Formula(
                op.clone(),
                Box::new(condition(inner_fam, &format!("{at}.{op}"), arg, now)?),
            ));
        }
        _ => return Err(unknown()),
    };
    Ok(match (fam, op) {
        ("text", "equals" | "does_not_equal" | "contains" | "does_not_contain" | "starts_with" | "ends_with") => {
            Cond::Text(op, string()?)
        }
        (
            "number",
            "equals" | "does_not_equal" | "greater_than" | "less_than" | "greater_than_or_equal_to"
            | "less_than_or_equal_to",
        ) => Cond::Number(
            op,
            arg.as_f64()
                .ok_or_else(|| bad(format!("body failed validation: filter {at}.{op} should be a number, instead was `{arg}`.")))?,
        ),
        ("checkbox", "equals" | "does_not_equal") => Cond::Checkbox {
            value: arg
                .as_bool()
                .ok_or_else(|| bad(format!("body failed validation: filter {at}.{op} should be a boolean, instead was `{arg}`.")))?,
            negate: op == "does_not_equal",
        },
        ("select", "equals" | "does_not_equal") => Cond::OneOf {
            names: strings()?,
            negate: op == "does_not_equal",
        },
        ("multi_select", "contains" | "does_not_contain") => Cond::Contains {
            values: strings()?,
            negate: op == "does_not_contain",
        },
        ("ids", "contains" | "does_not_contain") => {
            let raw = string()?;
            let id = ids::normalize(&raw)
                .ok_or_else(|| bad(format!("body failed validation: filter {at}.{op} should be a valid uuid, instead was `\"{raw}\"`.")))?;
            Cond::Contains {
                values: vec![id],
                negate: op == "does_not_contain",
            }
        }
        ("date", "equals" | "before" | "after" | "on_or_before" | "on_or_after") => {
            let s = string()?;
            let instant = parse_instant(&s)
                .ok_or_else(|| bad(format!("body failed validation: filter {at}.{op} should be an ISO 8601 date, instead was `\"{s}\"`.")))?;
            Cond::Date {
                op,
                at: instant,
                date_only: s.len() == 10,
            }
        }
        _ => return Err(unknown()),
    })
}

fn relative(op: &str, now: DateTime<Utc>) -> Cond {
    let day = Duration::days(1);
    match op {
        "past_week" => Cond::Between(now - day * 7, now),
        "past_month" => Cond::Between(now - day * 30, now),
        "past_year" => Cond::Between(now - day * 365, now),
        "next_week" => Cond::Between(now, now + day * 7),
        "next_month" => Cond::Between(now, now + day * 30),
        "next_year" => Cond::Between(now, now + day * 365),
        _ => {
            let monday = now.date_naive() - day * now.weekday().num_days_from_monday() as i32;
            let start = monday.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            Cond::Between(start, start + day * 7)
        }
    }
}

fn reduce(kind: &str, v: &Value) -> Val {
    match kind {
        "title" | "rich_text" => Val::Text(plain_text(v)),
        "url" | "email" | "phone_number" => Val::Text(v.as_str().unwrap_or_default().to_string()),
        "number" => Val::Num(v.as_f64()),
        "unique_id" => Val::Num(v["number"].as_f64()),
        "checkbox" => Val::Bool(v.as_bool().unwrap_or(false)),
        "select" | "status" => Val::Name(v["name"].as_str().map(str::to_string)),
        "multi_select" | "files" => Val::Set(strings_at(v, "name")),
        "relation" | "people" => Val::Set(strings_at(v, "id")),
        "created_by" | "last_edited_by" => {
            Val::Set(v["id"].as_str().map(str::to_string).into_iter().collect())
        }
        "date" => Val::Date(v["start"].as_str().and_then(parse_instant)),
        "created_time" | "last_edited_time" => Val::Date(v.as_str().and_then(parse_instant)),
        "formula" => match v["type"].as_str() {
            Some("number") => Val::Num(v["number"].as_f64()),
            Some("boolean") => Val::Bool(v["boolean"].as_bool().unwrap_or(false)),
            Some("date") => Val::Date(v["date"]["start"].as_str().and_then(parse_instant)),
            Some("string") => Val::Text(v["string"].as_str().unwrap_or_default().to_string()),
            _ => Val::Text(String::new()),
        },
        _ => Val::Text(v.to_string()),
    }
}

fn strings_at(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[key].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn matches(filter: &Filter, st: &State, ds: &DataSource, page: &Page) -> bool {
    match filter {
        Filter::And(parts) => parts.iter().all(|f| matches(f, st, ds, page)),
        Filter::Or(parts) => parts.iter().any(|f| matches(f, st, ds, page)),
        Filter::Timestamp { created, cond } => {
            let t = if *created { page.created } else { page.edited };
            test(cond, &Val::Date(Some(t)), None)
        }
        Filter::Prop { id, kind, cond } => {
            let Some(prop) = ds.props.iter().find(|p| &p.id == id) else {
                return false;
            };
            let raw = prop_value(st, page, prop);
            test(cond, &reduce(kind, &raw), Some(&raw))
        }
    }
}

fn test(cond: &Cond, val: &Val, raw: Option<&Value>) -> bool {
    match (cond, val) {
        (Cond::Empty(want), v) => v.is_empty() == *want,
        (Cond::Text(op, arg), Val::Text(s)) => {
            let (s_l, a_l) = (s.to_lowercase(), arg.to_lowercase());
            match *op {
                "equals" => s == arg,
                "does_not_equal" => s != arg,
                "contains" => s_l.contains(&a_l),
                "does_not_contain" => !s_l.contains(&a_l),
                "starts_with" => s_l.starts_with(&a_l),
                "ends_with" => s_l.ends_with(&a_l),
                _ => false,
            }
        }
        (Cond::Number(op, arg), Val::Num(n)) => match (n, *op) {
            (None, "does_not_equal") => true,
            (None, _) => false,
            (Some(n), "equals") => n == arg,
            (Some(n), "does_not_equal") => n != arg,
            (Some(n), "greater_than") => n > arg,
            (Some(n), "less_than") => n < arg,
            (Some(n), "greater_than_or_equal_to") => n >= arg,
            (Some(n), "less_than_or_equal_to") => n <= arg,
            _ => false,
        },
        (Cond::Checkbox { value, negate }, Val::Bool(b)) => (b == value) != *negate,
        (Cond::OneOf { names, negate }, Val::Name(n)) => {
            let hit = n.as_ref().is_some_and(|n| names.contains(n));
            hit != *negate
        }
        (Cond::Contains { values, negate }, Val::Set(set)) => {
            let hit = values.iter().any(|v| set.contains(v));
            hit != *negate
        }
        (Cond::Date { op, at, date_only }, Val::Date(Some(t))) => {
            let ord = if *date_only {
                t.date_naive().cmp(&at.date_naive())
            } else {
                t.cmp(at)
            };
            match *op {
                "equals" => ord == Ordering::Equal,
                "before" => ord == Ordering::Less,
                "after" => ord == Ordering::Greater,
                "on_or_before" => ord != Ordering::Greater,
                "on_or_after" => ord != Ordering::Less,
                _ => false,
            }
        }
        (Cond::Between(from, to), Val::Date(Some(t))) => t >= from && t <= to,
        (Cond::Formula(kind, inner), _) => {
            let Some(raw) = raw else { return false };
            let result_type = if kind == "checkbox" {
                "boolean"
            } else {
                kind.as_str()
            };
            raw["type"] == result_type && test(inner, &reduce("formula", raw), None)
        }
        _ => false,
    }
}

/// One sort criterion: a property (by id) or a timestamp.
#[derive(Debug)]
pub struct Sort {
    key: SortOn,
    descending: bool,
}

#[derive(Debug)]
enum SortOn {
    Prop { id: String, kind: String },
    Created,
    Edited,
}

pub fn compile_sorts(sorts: &Value, ds: &DataSource) -> ApiResult<Vec<Sort>> {
    let items = match sorts {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(bad(format!(
                "body failed validation: body.sorts should be an array, instead was `{other}`."
            )));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let descending = match s["direction"].as_str() {
                Some("ascending") => false,
                Some("descending") => true,
                _ => {
                    return Err(bad(format!(
                        "body failed validation: body.sorts[{i}].direction should be `\"ascending\"` or `\"descending\"`, instead was `{}`.",
                        s["direction"]
                    )));
                }
            };
            let key = if let Some(ts) = s["timestamp"].as_str() {
                match ts {
                    "created_time" => SortOn::Created,
                    "last_edited_time" => SortOn::Edited,
                    _ => return Err(bad(format!("body failed validation: body.sorts[{i}].timestamp is invalid: `{ts}`."))),
                }
            } else if let Some(name) = s["property"].as_str() {
                let prop = ds
                    .prop(name)
                    .ok_or_else(|| bad(format!("Could not find sort property with name or id: {name}")))?;
                const SORTABLE: &[&str] = &[
                    "title", "rich_text", "number", "select", "status", "date", "checkbox", "unique_id", "url",
                    "email", "phone_number", "created_time", "last_edited_time", "formula",
                ];
                if !SORTABLE.contains(&prop.kind.as_str()) {
                    return Err(bad(format!("Sorting on property {name} of type `{}` is not supported.", prop.kind)));
                }
                SortOn::Prop {
                    id: prop.id.clone(),
                    kind: prop.kind.clone(),
                }
            } else {
                return Err(bad(format!("body failed validation: body.sorts[{i}] should have `property` or `timestamp`.")));
            };
            Ok(Sort { key, descending })
        })
        .collect()
}

/// Sort keys, where `None` (an empty value) goes last in either direction.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Str(String),
    Time(DateTime<Utc>),
}

fn sort_key(sort: &Sort, st: &State, ds: &DataSource, page: &Page) -> Option<Key> {
    let (id, kind) = match &sort.key {
        SortOn::Created => return Some(Key::Time(page.created)),
        SortOn::Edited => return Some(Key::Time(page.edited)),
        SortOn::Prop { id, kind } => (id, kind),
    };
    let prop = ds.props.iter().find(|p| &p.id == id)?;
    let raw = prop_value(st, page, prop);
    if kind == "select" || kind == "status" {
        // Notion orders select and status by the schema's option order, not by name.
        let options = prop.config["options"].as_array()?;
        return options
            .iter()
            .position(|o| o["id"] == raw["id"])
            .map(|i| Key::Num(i as f64));
    }
    match reduce(kind, &raw) {
        Val::Text(s) if s.is_empty() => None,
        Val::Text(s) => Some(Key::Str(s.to_lowercase())),
        Val::Num(n) => n.map(Key::Num),
        Val::Bool(b) => Some(Key::Num(if b { 1.0 } else { 0.0 })),
        Val::Date(d) => d.map(Key::Time),
        Val::Name(n) => n.map(Key::Str),
        Val::Set(s) => s.first().cloned().map(Key::Str),
    }
}

/// Orders pages (already in creation order) by `sorts`; the sort is stable, so ties keep creation order.
pub fn sort_pages(pages: &mut [&Page], sorts: &[Sort], st: &State, ds: &DataSource) {
    if sorts.is_empty() {
        return;
    }
    let mut keyed: Vec<(Vec<Option<Key>>, &Page)> = pages
        .iter()
        .map(|p| (sorts.iter().map(|s| sort_key(s, st, ds, p)).collect(), *p))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        for (i, s) in sorts.iter().enumerate() {
            let ord = match (&a[i], &b[i]) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => {
                    let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                    if s.descending { o.reverse() } else { o }
                }
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    for (slot, (_, p)) in pages.iter_mut().zip(keyed) {
        *slot = p;
    }
}
