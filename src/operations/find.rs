//! Finding the page an operator means: a Notion page id, or the text of its title column
//! (`INST-1a2b3c4d`, `TASK-…`, `WF-WELL-BOOK`).

use serde_json::json;

use super::error::OperationError;
use crate::domain::models::{Workflow, WorkflowInstance};
use crate::domain::record::Link;
use crate::domain::schema::{DatabaseKey, database};
use crate::notion::{NotionClient, NotionId, Page};
use crate::workspace::sources::DataSources;

/// The page of `key` that `reference` names: by id when it is one, else by an exact match
/// on the title column (a `title` filter: the original server queried titles as rich_text).
pub async fn find_page(
    client: &NotionClient,
    sources: &DataSources,
    key: DatabaseKey,
    reference: &str,
) -> Result<Page, OperationError> {
    let definition = database(key);
    let what = definition.title_column().name;
    if let Ok(id) = NotionId::parse(reference) {
        return client
            .retrieve_page(id.as_str())
            .await
            .map_err(OperationError::notion(format!("page {}", id.short())));
    }
    let data_source = sources
        .get(key)
        .map_err(|e| OperationError::Invalid(e.to_string()))?;
    // The title only: from Notion-Version 2026-12-01 a query naming no property returns
    // just that, and naming hsn's columns would make a column missing from the workspace
    // (or renamed) an error. The one page found is then read whole.
    let matches = client
        .query_data_source(data_source)
        .map_err(OperationError::notion(definition.title))?
        .filter_properties(vec!["title".to_string()])
        .filter(json!({"property": what, "title": {"equals": reference.trim()}}))
        .limit(2)
        .collect_all()
        .await
        .map_err(OperationError::notion(format!(
            "the database {}",
            definition.title
        )))?;
    match matches.as_slice() {
        [] => Err(OperationError::NotFound {
            what,
            reference: reference.trim().to_string(),
            database: definition.title,
        }),
        [only] => client
            .retrieve_page(&only.id)
            .await
            .map_err(OperationError::notion(format!("page {}", reference.trim()))),
        many => Err(OperationError::Ambiguous {
            reference: reference.trim().to_string(),
            database: definition.title,
            count: many.len(),
        }),
    }
}

/// The workflow an instance runs: a relation to its page, or (in databases made by the
/// original tool) the text of its Workflow ID.
pub async fn workflow_of(
    client: &NotionClient,
    sources: &DataSources,
    instance: &WorkflowInstance,
) -> Result<Workflow, OperationError> {
    let reference = match &instance.workflow {
        Link::Pages(ids) => ids.first().cloned(),
        Link::Text(_) => instance.workflow.ids().into_iter().next(),
    }
    .ok_or_else(|| {
        OperationError::Invalid(format!(
            "{} has no workflow, so it has no states to move through",
            instance.instance_id
        ))
    })?;
    let page = find_page(client, sources, DatabaseKey::WorkflowsLibrary, &reference).await?;
    Ok(Workflow::from_page(&page))
}
