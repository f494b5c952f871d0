//! `hsn outbox`: the writes queued for Notion, their state, attempts and last error;
//! `retry ID` sends a held or waiting one at once, `drop ID` gives one up (nothing is sent,
//! the record shows Notion's copy again).

use std::io::{BufRead, IsTerminal, Write as _};

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail};
use serde_json::json;

use super::session::Session;
use super::table::{say, say_json};
use crate::domain::write::Write;
use crate::present::for_people;
use crate::store::OutboxEntry;

#[derive(Debug, Args)]
pub struct OutboxArgs {
    #[command(subcommand)]
    pub action: Option<OutboxAction>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Settled writes too (sent, refused, dropped), not only those still queued.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Send a held or waiting write at the next drain (now), whatever made it wait.
    Retry { id: i64 },
    /// Give a queued write up: nothing is sent to Notion, and the records it changed show
    /// Notion's copy again (with the other writes still queued on them).
    Drop {
        id: i64,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
}

impl OutboxArgs {
    /// Whether this changes the outbox (refused when read-only).
    pub fn changes(&self) -> bool {
        self.action.is_some()
    }
}

/// One line for people: what the write does.
fn summary(entry: &OutboxEntry) -> String {
    serde_json::from_value::<Write>(entry.body.clone())
        .map(|w| w.summary())
        .unwrap_or_else(|_| entry.op.clone())
}

pub async fn run(args: OutboxArgs, session: &Session) -> Result<()> {
    match args.action {
        None => list(session, args.json, args.all),
        Some(OutboxAction::Retry { id }) => {
            session.engine.store().retry_write(id)?;
            println!("write {id} goes out now");
            session.settle(id).await
        }
        Some(OutboxAction::Drop { id, yes }) => {
            let Some(entry) = session.engine.store().write_state(id)? else {
                bail!("no write {id} in the outbox");
            };
            if !entry.state.is_queued() {
                bail!(
                    "write {id} is {} already: nothing to drop",
                    entry.state.as_str()
                );
            }
            let what = for_people(&summary(&entry), "");
            if !yes
                && !confirmed(&format!(
                    "Drop write {id} ({what})? Nothing is sent to Notion; the record shows Notion's copy again. [y/N] "
                ))?
            {
                bail!("write {id} was kept (answer y to drop it, or give --yes)");
            }
            session.engine.store().drop_write(id)?;
            println!("write {id} dropped: {what}");
            Ok(())
        }
    }
}

/// Asks on the terminal; without one, there is nobody to ask: refuse (scripts give --yes).
fn confirmed(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("dropping a write asks first: give --yes to drop it without asking");
    }
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn list(session: &Session, json: bool, all: bool) -> Result<()> {
    let writes = {
        let store = session.engine.store();
        if all {
            store.all_writes()?
        } else {
            store.unsettled_writes()?
        }
    };
    let mut out = std::io::stdout().lock();
    if json {
        for entry in &writes {
            let line = json!({
                "id": entry.seq,
                "op": entry.op,
                "state": entry.state.as_str(),
                "attempts": entry.attempts,
                "stuck": entry.is_stuck(),
                "last_error": entry.last_error,
                "outcome": entry.outcome,
                "summary": summary(entry),
                "queued_at": entry.created_at,
                "updated_at": entry.updated_at,
                "write": entry.body,
            });
            if !say_json(&mut out, &line)? {
                return Ok(());
            }
        }
        return Ok(());
    }
    if writes.is_empty() {
        say(&mut out, "nothing queued: every change has reached Notion")?;
        return Ok(());
    }
    for entry in &writes {
        let mut line = format!(
            "{:>5}  {:<8} {} attempt{}  {}",
            entry.seq,
            entry.state.as_str(),
            entry.attempts,
            if entry.attempts == 1 { "" } else { "s" },
            summary(entry)
        );
        if entry.is_stuck() {
            line.push_str("  [stuck]");
        }
        if !say(&mut out, &line)? {
            return Ok(());
        }
        // Notion's reason, or how the write landed, on a line of its own.
        if let Some(error) = entry.last_error.as_ref().or(entry.outcome.as_ref())
            && !say(&mut out, &format!("       {error}"))?
        {
            return Ok(());
        }
    }
    Ok(())
}
