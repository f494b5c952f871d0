//! A dashboard whose Notion cannot be reached, over a store with writes queued: where `q`
//! must not wait for the engine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use color_eyre::eyre::{Result, eyre};
use hsn::domain::demo::demo_data_source_id;
use hsn::domain::models::{Workflow, WorkflowInstance};
use hsn::domain::record::FieldValue;
use hsn::domain::schema::{DATABASES, DatabaseKey};
use hsn::domain::workflow::StateMachine;
use hsn::domain::write::plan_advance;
use hsn::store::{RecordFilter, Store};
use hsn::sync::{Backend, Engine};
use hsn::workspace::sources::DataSources;

use super::{Quit, WAIT, quit};
use crate::dashboard::Terminal;

/// A store of Notion's (the demo store's records under Notion's name for it) in a directory
/// of its own, with `writes` advances queued, and the environment of an `hsn` whose Notion
/// is a closed port: every request fails to connect.
pub struct Offline {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Offline {
    pub fn new(demo_store: &Path, writes: usize) -> Result<Offline> {
        let dir = tempfile::tempdir()?;
        let sources = DataSources::from_ids(
            DATABASES
                .iter()
                .map(|d| (d.key, demo_data_source_id(d.key))),
        );
        let path: PathBuf = hsn::cli::session::store_path(dir.path(), &sources);
        std::fs::copy(demo_store, &path)?;
        queue_advances(&path, writes)?;
        let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let mut env = vec![
            ("HSN_DATA_DIR".into(), dir.path().display().to_string()),
            (
                "HSN_CONFIG".into(),
                dir.path().join("config.toml").display().to_string(),
            ),
            ("HOME".into(), dir.path().display().to_string()),
            ("HSN_OPERATOR".into(), "bench".into()),
            ("NOTION_API_TOKEN".into(), "bench-token".into()),
            ("NOTION_API_BASE".into(), format!("http://{closed}")),
        ];
        for definition in &DATABASES {
            env.push((
                definition.env_data_source_key(),
                demo_data_source_id(definition.key),
            ));
        }
        Ok(Offline { dir, env })
    }

    /// Opens the dashboard, waits `after` the first frame (with `instances`, switching to
    /// Instances first), and presses `q`.
    pub fn quit_after(&self, hsn: &Path, after: Duration, instances: bool) -> Result<Quit> {
        let mut terminal = Terminal::spawn(hsn, &[], &self.env, self.dir.path(), (200, 60))?;
        let ready = (|| {
            terminal.wait_for("Overview", WAIT)?;
            if instances {
                terminal.press("4")?;
            }
            std::thread::sleep(after);
            if !terminal.running() {
                return Err(eyre!("the dashboard ended: {}", terminal.contents()));
            }
            Ok(())
        })();
        if let Err(e) = ready {
            terminal.quit();
            return Err(e);
        }
        quit(terminal)
    }
}

/// Queues `n` advances of the first instances (each to its first next state), as the
/// dashboard would.
fn queue_advances(path: &Path, n: usize) -> Result<()> {
    let key = DatabaseKey::ActiveWorkflowInstances;
    let store = Store::open(path)?;
    let filter = RecordFilter {
        limit: Some(n * 20),
        ..Default::default()
    };
    let instances = store.records(key, &filter)?;
    let engine = Engine::new(store, Backend::Local);
    let mut queued = 0;
    for stored in instances {
        if queued == n {
            break;
        }
        let Some(FieldValue::Link(link)) = stored.record.value("Workflow") else {
            continue;
        };
        let Some(workflow) = link.ids().into_iter().next() else {
            continue;
        };
        // A page id, or a Workflow ID (the generated workspace's text links).
        let found = {
            let store = engine.store();
            match store.record(&workflow)? {
                Some(found) => Some(found),
                None => store
                    .find_by_title(DatabaseKey::WorkflowsLibrary, &workflow)?
                    .pop(),
            }
        };
        let Some(workflow) = found else {
            continue;
        };
        let Ok(machine) = StateMachine::from_workflow(&Workflow::from_record(&workflow.record))
        else {
            continue;
        };
        let state = WorkflowInstance::from_record(&stored.record).current_state;
        let Some(next) = machine.next_states(&state).first().map(|s| s.to_string()) else {
            continue;
        };
        let now = chrono::Utc::now();
        let (write, after) =
            plan_advance(&stored.record, &machine, None, &next, None, "bench", now)
                .map_err(|e| eyre!("planning an advance: {e}"))?;
        engine.submit(&write, vec![after])?;
        queued += 1;
    }
    if queued < n {
        return Err(eyre!("only {queued} of {n} advances could be queued"));
    }
    Ok(())
}
