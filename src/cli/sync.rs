//! `hsn sync [--full]`: send queued writes and refresh every data source, headless (for cron
//! and benchmarks), saying what changed, how many requests it took, and how long.

use std::time::Instant;

use clap::Args;
use color_eyre::eyre::{Result, bail};

use super::session::Session;
use crate::domain::schema::DATABASES;
use crate::notion::Priority;
use crate::present::for_people;
use crate::sync::Backend;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Read everything, removing records Notion no longer has (trashed or deleted pages).
    #[arg(long)]
    pub full: bool,
}

pub async fn run(args: SyncArgs, session: &Session) -> Result<()> {
    let Backend::Notion { client, .. } = session.engine.backend() else {
        println!("demo workspace: nothing to sync (set NOTION_API_TOKEN to connect Notion)");
        return Ok(());
    };
    let started = Instant::now();
    let requests_before = client.requests_sent();
    send_writes(session).await?;
    let mut failures = 0;
    let mut restoring = 0;
    for definition in &DATABASES {
        if session.engine.data_source(definition.key).is_none() {
            continue;
        }
        // Background work: it leaves the reserve of the request budget to writes (of this
        // process, and of dashboards sharing the token).
        let refreshed = session
            .engine
            .refresh_as(definition.key, args.full, Priority::Background)
            .await;
        match refreshed {
            Ok(done) => {
                restoring += done.restoring;
                println!(
                    "{}: {} fetched, {} changed, {} removed, {} requests{}",
                    definition.title,
                    done.fetched,
                    done.changed,
                    done.removed,
                    done.requests,
                    if done.full { " (full)" } else { "" }
                )
            }
            Err(e) => {
                failures += 1;
                println!(
                    "{}: failed: {}",
                    definition.title,
                    for_people(&e.to_string(), "")
                );
            }
        }
    }
    // History entries a blind writer dropped were queued to be put back: send them now,
    // not at the next run.
    if restoring > 0 {
        println!("{restoring} dropped history entries to put back");
        send_writes(session).await?;
    }
    println!(
        "{} requests in {:.1} s; {}",
        client.requests_sent() - requests_before,
        started.elapsed().as_secs_f64(),
        client.rate_status().summary()
    );
    if failures > 0 {
        bail!("{failures} data sources could not be refreshed");
    }
    Ok(())
}

/// Sends the queued writes and says what became of them.
async fn send_writes(session: &Session) -> Result<()> {
    if session.engine.is_read_only() {
        let queued = session.engine.store().unsettled_writes()?.len();
        if queued > 0 {
            println!("writes: {queued} queued, none sent (read-only)");
        }
        return Ok(());
    }
    let drained = session.engine.drain().await?;
    if drained.sent + drained.failed.len() + drained.waiting > 0 {
        println!(
            "writes: {} sent, {} refused, {} waiting{}",
            drained.sent,
            drained.failed.len(),
            drained.waiting,
            match drained.stuck {
                0 => String::new(),
                n => format!(" ({n} stuck: `hsn outbox` lists them)"),
            }
        );
        let lines = [
            ("refused", &drained.failed),
            ("held", &drained.held),
            ("sent", &drained.notes),
        ];
        for (how, writes) in lines {
            for (seq, what, why) in writes {
                println!(
                    "  {how} {seq}: {}: {}",
                    for_people(what, ""),
                    for_people(why, "")
                );
            }
        }
    }
    Ok(())
}
