//! `hsn task new` and `hsn task set`.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use color_eyre::eyre::Result;

use crate::notion::NotionClient;
use crate::operations::{NewTask, Operator, TaskEdit, create_task, edit_task, new_task_id};
use crate::workspace::sources::DataSources;

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
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date like 2026-12-01"))
}

pub async fn run(
    command: TaskCommand,
    client: &NotionClient,
    sources: &DataSources,
    operator: &Operator,
) -> Result<()> {
    let now = chrono::Utc::now();
    match command {
        TaskCommand::New(args) => {
            let request = NewTask {
                instance: args.instance,
                name: args.name,
                description: args.description,
                priority: args.priority,
                due: args.due,
                assignee: args.assignee,
            };
            let task =
                create_task(client, sources, operator, &request, &new_task_id(), now).await?;
            println!("{}", task.task_id);
        }
        TaskCommand::Set(args) => {
            let edit = TaskEdit {
                task: args.task,
                status: args.status,
                priority: args.priority,
                assignee: args.assignee,
                due: args.due,
            };
            let task = edit_task(client, sources, &edit, now).await?;
            println!(
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
        }
    }
    Ok(())
}
