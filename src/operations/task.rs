//! Tasks created from a workflow instance (their edits: `task_edit.rs`).

use chrono::{DateTime, NaiveDate, Utc};

use super::error::OperationError;
use super::find::find_page;
use super::history_write::{Checks, write_with_history};
use super::{Operator, SendGuard};
use crate::domain::models::{Task, WorkflowInstance};
use crate::domain::record::{Link, Record};
use crate::domain::schema::{DatabaseKey, TASK_INSTANCE_COLUMN};
use crate::domain::write::task_created_entry;
use crate::notion::{DataSource, DateValue, NotionClient, Page, PageParent};
use crate::workspace::sources::DataSources;

/// A new Task ID: `TASK-` and 8 hex digits, made before the create call so that an
/// uncertain create can be looked up by it instead of being sent twice.
pub fn new_task_id() -> String {
    format!("TASK-{:08x}", fastrand::u32(..))
}

/// A task to create from an instance.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// `INST-…` or the instance's page id.
    pub instance: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: Option<String>,
    pub due: Option<NaiveDate>,
    pub assignee: Option<String>,
    /// Asked right before each write.
    pub guard: SendGuard,
}

pub(super) fn choice(
    key: DatabaseKey,
    column: &str,
    value: &str,
) -> Result<String, OperationError> {
    crate::domain::write::choice(key, column, value)
        .map_err(|e| OperationError::Invalid(e.to_string()))
}

pub(super) fn date(day: NaiveDate) -> Option<DateValue> {
    Some(DateValue {
        start: day.format("%Y-%m-%d").to_string(),
        end: None,
        time_zone: None,
    })
}

/// Whether the live Tasks schema holds `column` as a relation (made by hsn setup) rather
/// than as text (made by the original tool).
fn is_relation(schema: &DataSource, column: &str) -> bool {
    schema
        .property(column)
        .is_some_and(|p| p.kind == "relation")
}

/// The business entity link for the task, in the form the Tasks column takes.
async fn entity_link(
    client: &NotionClient,
    sources: &DataSources,
    instance: &WorkflowInstance,
    as_relation: bool,
) -> Result<Link, OperationError> {
    Ok(match (&instance.business_entity, as_relation) {
        (Link::Pages(ids), true) => Link::Pages(ids.clone()),
        (Link::Text(text), false) => Link::Text(text.clone()),
        // Text to relation: look the entities up by name; one not found is left out.
        (text @ Link::Text(_), true) => {
            let mut ids = Vec::new();
            for name in text.ids() {
                match find_page(client, sources, DatabaseKey::BusinessEntities, &name).await {
                    Ok(page) => ids.push(page.id),
                    Err(OperationError::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            Link::Pages(ids)
        }
        // Relation to text: the entities' names.
        (Link::Pages(ids), false) => {
            let mut names = Vec::new();
            for id in ids {
                let page = client
                    .retrieve_page(id)
                    .await
                    .map_err(OperationError::notion("the instance's business entity"))?;
                names.push(page.title());
            }
            Link::Text(names.join(", "))
        }
    })
}

/// A task made, with the pages as Notion now has them.
#[derive(Debug, Clone)]
pub struct CreatedTask {
    pub task: Task,
    pub task_page: Page,
    /// The instance as Notion now has it, holding the "Created task" entry; `None` when
    /// the entry could not be written (see `history_error`).
    pub instance_page: Option<Page>,
    /// The task exists in Notion but its entry in the instance's history could not be
    /// written, for a reason no retry fixes (the instance was trashed, its log is full):
    /// a partial outcome, never a refusal, since the task is there.
    pub history_error: Option<String>,
    /// The task was found by its Task ID: an earlier attempt had created it.
    pub already_existed: bool,
}

/// Creates a Master Tasks page for an instance (status To Do, linked to the instance and
/// its business entity, created by the operator), then records `Created task: NAME` in the
/// instance's history. With `may_exist` (a previous attempt may have landed: a timeout, a
/// crash mid-send), the task is first looked up by its Task ID and never created twice;
/// a create Notion saved while answering with an error is read back, not sent again.
/// Once the task exists, a failure of the history step is never a refusal: a temporary
/// one is an error to retry (the retry finds the task and only writes the entry), a
/// lasting one a partial outcome (`history_error`).
pub async fn create_task(
    client: &NotionClient,
    sources: &DataSources,
    operator: &Operator,
    request: &NewTask,
    task_id: &str,
    now: DateTime<Utc>,
    may_exist: bool,
) -> Result<CreatedTask, OperationError> {
    if request.name.trim().is_empty() {
        return Err(OperationError::Invalid(
            "a task needs a name (--name)".into(),
        ));
    }
    let existing = if may_exist {
        match find_page(client, sources, DatabaseKey::Tasks, task_id).await {
            Ok(page) => Some(page),
            Err(OperationError::NotFound { .. }) => None,
            // Never a refusal: the task may exist.
            Err(e) => {
                return Err(OperationError::Undetermined {
                    what: format!("{task_id} was created by an earlier attempt"),
                    source: Box::new(e),
                });
            }
        }
    } else {
        None
    };
    let already_existed = existing.is_some();
    let task_page = match existing {
        Some(page) => page,
        None => make_task_page(client, sources, operator, request, task_id, now).await?,
    };

    let entry = task_created_entry(
        operator.name(),
        request.name.trim(),
        task_id,
        request.assignee.as_deref(),
        request.due,
        now,
    );
    let history = async {
        let (instance_page, instance) = instance_of(client, sources, request).await?;
        write_with_history(
            client,
            &instance_page.id,
            &instance.instance_id,
            Record::new(DatabaseKey::ActiveWorkflowInstances),
            &entry,
            Checks {
                still_valid: |_: &WorkflowInstance| Ok(()),
                landed_before: |_: &WorkflowInstance| false,
                may_have_landed: may_exist,
                guard: request.guard.clone(),
            },
        )
        .await
    };
    let (instance_page, history_error) = match history.await {
        Ok(written) => (Some(written.page), None),
        Err(e) if e.is_temporary() => {
            return Err(OperationError::Partial {
                done: format!("task {task_id} exists in Notion"),
                source: Box::new(e),
            });
        }
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(CreatedTask {
        task: Task::from_page(&task_page),
        task_page,
        instance_page,
        history_error,
        already_existed,
    })
}

/// The instance a new task comes from, as Notion has it now.
async fn instance_of(
    client: &NotionClient,
    sources: &DataSources,
    request: &NewTask,
) -> Result<(Page, WorkflowInstance), OperationError> {
    let page = find_page(
        client,
        sources,
        DatabaseKey::ActiveWorkflowInstances,
        &request.instance,
    )
    .await?;
    let instance = WorkflowInstance::from_page(&page);
    Ok((page, instance))
}

/// Creates the task's page, linked as the live schema holds its links.
async fn make_task_page(
    client: &NotionClient,
    sources: &DataSources,
    operator: &Operator,
    request: &NewTask,
    task_id: &str,
    now: DateTime<Utc>,
) -> Result<Page, OperationError> {
    let priority = choice(
        DatabaseKey::Tasks,
        "Priority",
        request.priority.as_deref().unwrap_or("Medium"),
    )?;
    let (instance_page, instance) = instance_of(client, sources, request).await?;
    let tasks_source = sources
        .get(DatabaseKey::Tasks)
        .map_err(|e| OperationError::Invalid(e.to_string()))?;
    let schema = client
        .retrieve_data_source(tasks_source)
        .await
        .map_err(OperationError::notion("the Master Tasks Database"))?;

    let mut task = Record::new(DatabaseKey::Tasks);
    task.set("Task ID", task_id.to_string());
    task.set("Task Name", request.name.trim().to_string());
    task.set("Status", Some("To Do".to_string()));
    task.set("Priority", Some(priority));
    task.set("Created By", operator.name().to_string());
    task.set("Created Date", date(now.date_naive()));
    if let Some(description) = &request.description {
        task.set("Description", description.clone());
    }
    if let Some(assignee) = &request.assignee {
        task.set("Assigned To", assignee.clone());
    }
    if let Some(due) = request.due {
        task.set("Due Date", date(due));
    }
    task.set(
        TASK_INSTANCE_COLUMN,
        if is_relation(&schema, TASK_INSTANCE_COLUMN) {
            Link::Pages(vec![instance_page.id.clone()])
        } else {
            Link::Text(instance.instance_id.clone())
        },
    );
    let entity = entity_link(
        client,
        sources,
        &instance,
        is_relation(&schema, "Related Business Entity"),
    )
    .await?;
    task.set("Related Business Entity", entity);

    let subject = format!("the new task {task_id}");
    request.guard.check()?;
    match client
        .create_page(
            PageParent::DataSource(tasks_source.to_string()),
            task.to_properties()?,
        )
        .await
    {
        Ok(page) => Ok(page),
        // Saved, though the answer timed out on Notion's side: read it, never create again.
        Err(e) if e.saved_anyway() => match e.committed_resource_id() {
            Some(id) => client
                .retrieve_page(id)
                .await
                .map_err(OperationError::notion(&subject)),
            None => find_page(client, sources, DatabaseKey::Tasks, task_id).await,
        },
        Err(e) => Err(OperationError::notion(subject)(e)),
    }
}
