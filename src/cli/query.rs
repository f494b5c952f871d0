//! `hsn query DATA_SOURCE_ID`: a data source's pages as JSON lines, with plain values.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say_json`: see table.rs

use std::io::{BufWriter, Write};

use clap::Args;
use color_eyre::eyre::{Result, WrapErr, eyre};
use futures::TryStreamExt;
use serde_json::{Map, Value, json};

use super::table::say_json;
use crate::notion::{DataSource, ErrorCode, NotionClient, NotionError, NotionId, Page};

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The data source id (a database id works too when it holds one data source).
    pub data_source_id: String,
    /// A Notion filter object, e.g. '{"property":"Status","status":{"equals":"Active"}}'.
    #[arg(long, value_name = "JSON")]
    pub filter: Option<String>,
    /// A Notion sort object or an array of them, e.g. '{"property":"Due Date","direction":"ascending"}'.
    #[arg(long, value_name = "JSON")]
    pub sort: Option<String>,
    /// Print at most this many pages.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only these properties (names or ids, comma-separated); every property of the data
    /// source by default.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub properties: Vec<String>,
}

pub async fn run(args: QueryArgs, client: &NotionClient) -> Result<()> {
    let id = NotionId::parse(&args.data_source_id)?;
    let filter = args
        .filter
        .as_deref()
        .map(|text| parse_json("--filter", text))
        .transpose()?;
    let sorts = match args
        .sort
        .as_deref()
        .map(|text| parse_json("--sort", text))
        .transpose()?
    {
        None => Vec::new(),
        Some(Value::Array(sorts)) => sorts,
        Some(sort) => vec![sort],
    };
    let data_source = resolve_data_source(client, &id).await?;
    let subject = format!("data source {}", id.short());
    let properties = chosen_properties(&data_source, &args.properties)?;

    let mut query = client
        .query_data_source(&data_source.id)?
        .sorts(sorts)
        .filter_properties(properties);
    if let Some(filter) = filter {
        query = query.filter(filter);
    }
    if let Some(limit) = args.limit {
        query = query.limit(limit);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut pages = std::pin::pin!(query.into_stream());
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| eyre!(e.explain(&subject)))?
    {
        if !say_json(&mut out, &page_line(&page))? {
            return Ok(());
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.wrap_err("cannot write to stdout"),
    }
}

fn parse_json(flag: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| eyre!("{flag} is not valid JSON: {e}"))
}

/// The ids of the properties to ask for: every property of the data source, or those
/// `wanted` (by name or id). Named explicitly, because from Notion-Version 2026-12-01 a
/// query that names none returns only the title.
fn chosen_properties(data_source: &DataSource, wanted: &[String]) -> Result<Vec<String>> {
    if wanted.is_empty() {
        return Ok(data_source
            .properties
            .iter()
            .map(|p| p.id.clone())
            .collect());
    }
    wanted
        .iter()
        .map(|want| {
            let want = want.trim();
            data_source
                .properties
                .iter()
                .find(|p| p.name == want || p.id == want)
                .or_else(|| {
                    data_source
                        .properties
                        .iter()
                        .find(|p| p.name.eq_ignore_ascii_case(want))
                })
                .map(|p| p.id.clone())
                .ok_or_else(|| {
                    let names: Vec<&str> = data_source
                        .properties
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect();
                    eyre!(
                        "--properties: {} has no property {want:?}; it has: {}",
                        data_source.title,
                        names.join(", ")
                    )
                })
        })
        .collect()
}

/// The data source to query. Users often paste a database id (it is what a Notion URL
/// shows); when the data source is not found, a database with that id and a single data
/// source stands for it.
async fn resolve_data_source(client: &NotionClient, id: &NotionId) -> Result<DataSource> {
    let subject = format!("data source {}", id.short());
    let not_found = match client.retrieve_data_source(id.as_str()).await {
        Ok(source) => return Ok(source),
        Err(
            e @ NotionError::Api {
                code: ErrorCode::ObjectNotFound,
                ..
            },
        ) => e,
        Err(e) => return Err(eyre!(e.explain(&subject))),
    };
    match client.retrieve_database(id.as_str()).await {
        Ok(database) => match database.data_sources.as_slice() {
            [only] => client
                .retrieve_data_source(&only.id)
                .await
                .map_err(|e| eyre!(e.explain(&subject))),
            [] => Err(eyre!("database {} has no data source", id.short())),
            many => Err(eyre!(
                "{} is a database with {} data sources; query one of them: {}",
                id.short(),
                many.len(),
                many.iter()
                    .map(|d| format!("{} ({})", d.id, d.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
        Err(_) => Err(eyre!(not_found.explain(&subject))),
    }
}

/// The JSON line for one page: its identity and its properties' plain values.
fn page_line(page: &Page) -> Value {
    let properties: Map<String, Value> = page
        .properties
        .iter()
        .map(|(name, property)| (name.clone(), property.value.plain()))
        .collect();
    let raw = page.raw_value();
    json!({
        "id": page.id,
        "created_time": raw.get("created_time"),
        "last_edited_time": raw.get("last_edited_time"),
        "url": page.url,
        "properties": properties,
    })
}
