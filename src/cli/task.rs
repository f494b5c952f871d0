//! `hsn task new` and `hsn task set`.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use color_eyre::eyre::Result;

use super::session::Session;
use super::table::say;
use crate::domain::models::Task;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::{TaskChanges, TaskRequest, plan_new_task, plan_task_changes};
use crate::operations::new_task_id;

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Create a task from a workflow instance; prints its Task ID.
    New(NewArgs),
    /// Change a task's status, priority, assignee or due date.
    Set(SetArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The instance the task comes from: INST-… or its page id.
    #[arg(long)]
    pub instance: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub description: Option<String>,
    /// High, Medium (the default) or Low.
    #[arg(long)]
    pub priority: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub due: Option<NaiveDate>,
    #[arg(long)]
    pub assignee: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// TASK-… or the task's page id.
    pub task: String,
    /// To Do, In Progress, On Hold, Done or Cancelled.
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub priority: Option<String>,
    #[arg(long)]
    pub assignee: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub due: Option<NaiveDate>,
    /// Clear the due date.
    #[arg(long, conflicts_with = "due")]
    pub clear_due: bool,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date like 2026-12-01"))
}

pub async fn run(command: TaskCommand, session: &Session) -> Result<()> {
    let now = chrono::Utc::now();
    match command {
        TaskCommand::New(args) => {
            session
                .refresh(&[DatabaseKey::ActiveWorkflowInstances])
                .await;
            let instance = session.find(DatabaseKey::ActiveWorkflowInstances, &args.instance)?;
            let request = TaskRequest {
                name: args.name,
                description: args.description,
                priority: args.priority,
                due: args.due,
                assignee: args.assignee,
            };
            let task_id = new_task_id();
            let local_page = session.engine.placeholder_page_id(&task_id);
            let (write, task, after) = plan_new_task(
                &instance,
                &request,
                &task_id,
                &local_page,
                session.operator.name(),
                now,
            )?;
            let seq = session.engine.submit(&write, vec![task, after])?;
            session.settle(seq).await?;
            say(&mut std::io::stdout().lock(), &task_id)?;
        }
        TaskCommand::Set(args) => {
            session.refresh(&[DatabaseKey::Tasks]).await;
            let task = session.find(DatabaseKey::Tasks, &args.task)?;
            let changes = TaskChanges {
                status: args.status,
                priority: args.priority,
                assignee: args.assignee,
                due: if args.clear_due {
                    Some(None)
                } else {
                    args.due.map(Some)
                },
            };
            let (write, after) = plan_task_changes(&task, &changes, now)?;
            let seq = session.engine.submit(&write, vec![after.clone()])?;
            session.settle(seq).await?;
            let task = Task::from_record(&after);
            let line = format!(
                "{}: {} · {} · {}{}",
                task.task_id,
                task.status.as_deref().unwrap_or("no status"),
                task.priority.as_deref().unwrap_or("no priority"),
                if task.assigned_to.is_empty() {
                    "unassigned"
                } else {
                    &task.assigned_to
                },
                task.due_date
                    .map(|d| format!(" · due {}", d.start))
                    .unwrap_or_default()
            );
            say(&mut std::io::stdout().lock(), &line)?;
        }
    }
    Ok(())
}
