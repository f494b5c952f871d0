//! `hsn task new` and `hsn task set` (of one task, or of several: see bulk.rs).
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use color_eyre::eyre::Result;

use super::bulk::{self, Batch};
use super::session::Session;
use super::table::say;
use crate::domain::models::Task;
use crate::domain::record::Record;
use crate::domain::schema::{DatabaseKey, database};
use crate::domain::write::{TaskChanges, TaskRequest, choice, plan_new_task, plan_task_changes};
use crate::operations::new_task_id;

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Create a task from a workflow instance; prints its Task ID.
    New(NewArgs),
    /// Change the status, priority, assignee or due date of a task, or of several.
    #[command(after_help = bulk::EXIT_STATUSES)]
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
    /// TASK-… or the task's page id; several change each (asked first); `-` reads them from
    /// stdin, one a line: plain ids, or the JSON lines of `hsn list tasks --json`.
    #[arg(required = true, value_name = "TASK")]
    pub tasks: Vec<String>,
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
    /// A note kept with the change in the task's workflow instance's History Log.
    #[arg(long)]
    pub note: Option<String>,
    /// Change several tasks without asking first (needed when there is no terminal).
    #[arg(long)]
    pub yes: bool,
    /// Print what would change for each task (old → new); change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The columns `hsn task set` changes, as a change line shows them.
const EDITED: [&str; 4] = ["Status", "Priority", "Assigned To", "Due Date"];

impl SetArgs {
    /// Whether this changes anything (refused when read-only): a dry run does not.
    pub fn changes(&self) -> bool {
        !self.dry_run
    }

    /// The change `actor` makes to `task`, checked: the values against the schema, and
    /// that there is something to change.
    fn plan(&self, task: &Record, actor: &str) -> Result<(crate::domain::write::Write, Record)> {
        let changes = TaskChanges {
            status: self.status.clone(),
            priority: self.priority.clone(),
            assignee: self.assignee.clone(),
            due: if self.clear_due {
                Some(None)
            } else {
                self.due.map(Some)
            },
            note: self.note.clone(),
        };
        Ok(plan_task_changes(
            task,
            &changes,
            actor,
            chrono::Utc::now(),
        )?)
    }

    /// What the change does to `tasks` ("30 tasks"): "Assign 30 tasks to Nyra".
    fn label(&self, tasks: &str) -> String {
        let named = |column: &str, value: &str| {
            choice(DatabaseKey::Tasks, column, value).unwrap_or_else(|_| value.to_string())
        };
        let mut parts = Vec::new();
        if let Some(status) = &self.status {
            parts.push(("status", named("Status", status)));
        }
        if let Some(priority) = &self.priority {
            parts.push(("priority", named("Priority", priority)));
        }
        if let Some(assignee) = &self.assignee {
            parts.push(("assignee", assignee.trim().to_string()));
        }
        if let Some(due) = self.due {
            parts.push(("due date", due.to_string()));
        }
        if self.clear_due {
            parts.push(("due date", "none".to_string()));
        }
        match parts.as_slice() {
            [("status", v)] => format!("Set {tasks} to {v}"),
            [("assignee", v)] if v.is_empty() => format!("Unassign {tasks}"),
            [("due date", v)] if self.clear_due && v == "none" => {
                format!("Clear the due date of {tasks}")
            }
            [("assignee", v)] => format!("Assign {tasks} to {v}"),
            [(what, v)] => format!("Set the {what} of {tasks} to {v}"),
            several => {
                let list: Vec<String> = several.iter().map(|(w, v)| format!("{w} {v}")).collect();
                format!("Change {tasks} ({})", list.join(", "))
            }
        }
    }
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
        TaskCommand::Set(args) => set(args, session).await?,
    }
    Ok(())
}

/// `hsn task set`: one task as always; several (or `--dry-run`) through a [`Batch`].
async fn set(args: SetArgs, session: &Session) -> Result<()> {
    let ids = bulk::ids_named(&args.tasks, database(DatabaseKey::Tasks))?;
    if let [one] = ids.as_slice()
        && !args.dry_run
    {
        return set_one(one, &args, session).await;
    }
    // Bad values are one error before anything is read, not one per task.
    let actor = session.operator.name();
    args.plan(&Record::new(DatabaseKey::Tasks), actor)?;
    session.refresh(&[DatabaseKey::Tasks]).await;
    let mut batch = Batch::new(bulk::Kind {
        one: "task",
        many: "tasks",
        describe: |task| {
            let task = Task::from_record(task);
            format!("{} {}", task.task_id, task.task_name)
                .trim()
                .to_string()
        },
        columns: &EDITED,
    });
    for id in &ids {
        let found = session.find(DatabaseKey::Tasks, id);
        batch.add(id, found, |task| args.plan(task, actor));
    }
    let options = bulk::Options {
        yes: args.yes,
        dry_run: args.dry_run,
    };
    batch.run(session, options, |tasks| args.label(tasks)).await
}

/// One task: planned, sent, and shown as it now is; a refusal is the command's error.
async fn set_one(id: &str, args: &SetArgs, session: &Session) -> Result<()> {
    session.refresh(&[DatabaseKey::Tasks]).await;
    let task = session.find(DatabaseKey::Tasks, id)?;
    let (write, after) = args.plan(&task, session.operator.name())?;
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
    Ok(())
}
