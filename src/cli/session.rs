//! What a command works with: the sync engine over the local store, connected to Notion or
//! to the demo workspace.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

use crate::config::Settings;
use crate::domain::record::Record;
use crate::domain::schema::{DATABASES, DatabaseKey, database};
use crate::operations::Operator;
use crate::store::{Store, data_dir};
use crate::sync::{Backend, Engine};
use crate::workspace::sources::DataSources;

pub struct Session {
    pub engine: Engine,
    pub operator: Operator,
}

/// The store of a Notion workspace: one per workspace, named after a data source only it has.
pub fn store_path(dir: &Path, sources: &DataSources) -> PathBuf {
    let name = DATABASES
        .iter()
        .find_map(|d| sources.get(d.key).ok())
        .map(|id| id.replace('-', "").chars().take(12).collect::<String>())
        .unwrap_or_else(|| "unconfigured".into());
    dir.join(format!("notion-{name}.sqlite"))
}

impl Session {
    /// Connects to Notion when a token is configured (and `demo` is not asked for), else
    /// opens the demo workspace, seeding it on first use. `readonly`: the engine refuses
    /// every write and sends nothing.
    pub async fn open(settings: &Settings, demo: bool, readonly: bool) -> Result<Session> {
        let mut session = Session::connect(settings, demo).await?;
        if readonly {
            session.engine = session.engine.read_only();
        }
        Ok(session)
    }

    async fn connect(settings: &Settings, demo: bool) -> Result<Session> {
        let operator = Operator::from_settings(|key| settings.get(key));
        let dir = data_dir(|key| settings.get(key))?;
        let notion = if demo { None } else { settings.notion()? };
        let Some(config) = notion else {
            let mut store = Store::open(&dir.join("demo.sqlite"))?;
            if store.is_empty()? {
                store.seed_demo(Utc::now())?;
            }
            if std::io::stderr().is_terminal() {
                eprintln!(
                    "hsn: demo workspace (no NOTION_API_TOKEN): changes stay on this machine; set the token and run `hsn setup` to connect Notion"
                );
            }
            return Ok(Session {
                engine: Engine::new(store, Backend::Local),
                operator,
            });
        };
        let client = crate::notion::NotionClient::new(config)?;
        let sources = DataSources::from_settings(&client, &|key: &str| settings.get(key)).await?;
        let store = Store::open(&store_path(&dir, &sources))?;
        Ok(Session {
            engine: Engine::new(store, Backend::Notion { client, sources }),
            operator,
        })
    }

    /// Brings these databases up to date before a command reads them. Offline, the command
    /// goes on with the cache and says how old it is.
    pub async fn refresh(&self, keys: &[DatabaseKey]) {
        for key in keys {
            if self.engine.data_source(*key).is_none() {
                continue;
            }
            if let Err(e) = self.engine.refresh(*key, false).await {
                let source = self.engine.data_source(*key).unwrap_or_default();
                let since = self
                    .engine
                    .store()
                    .sync_state(&source)
                    .ok()
                    .flatten()
                    .and_then(|s| s.last_refresh)
                    .map(|t| format!("cache from {}", t.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_else(|| "no cache yet".into());
                eprintln!(
                    "hsn: could not refresh from Notion ({}); showing {since}",
                    crate::present::inert(&e.to_string())
                );
                return;
            }
        }
    }

    /// The record `reference` names in `key`: a page id, or its exact title.
    pub fn find(&self, key: DatabaseKey, reference: &str) -> Result<Record> {
        let store = self.engine.store();
        let reference = reference.trim();
        if let Ok(id) = crate::notion::NotionId::parse(reference)
            && let Some(found) = store.record(id.as_str())?
            && found.record.database == key
        {
            return Ok(found.record);
        }
        let mut found = store.find_by_title(key, reference)?;
        // A task whose create is still queued can be held twice: under its placeholder and,
        // once a refresh read it from Notion (the create landed, its answer not settled
        // yet), under its own id. It is one task: a change goes to the placeholder, and
        // follows the create to Notion's page.
        if found.len() == 2
            && let Some(placeholder) = found.iter().position(|r| {
                r.record
                    .page_id
                    .as_deref()
                    .is_some_and(|p| p.starts_with("local:"))
            })
        {
            return Ok(found.remove(placeholder).record);
        }
        let definition = database(key);
        match found.len() {
            0 => Err(eyre!(
                "no {} \"{reference}\" in {}",
                definition.title_column().name,
                definition.title
            )),
            1 => Ok(found.remove(0).record),
            n => Err(eyre!(
                "{n} pages of {} are titled \"{reference}\"; use the page id instead",
                definition.title
            )),
        }
    }

    /// Sends the write just queued (and any before it) and says how it ended: `Ok` once
    /// Notion has it, or once it is queued because it cannot go now (then a note goes to
    /// stderr: scripts tell "sent" from "queued" by it); an error with Notion's reason if
    /// refused (the change is rolled back). A write that landed other than plainly
    /// ("already applied; since moved on to …", or partly) says so on stderr.
    pub async fn settle(&self, seq: i64) -> Result<()> {
        let report = self.engine.drain().await?;
        match self.settled(seq, report.stopped_by.as_deref())? {
            None | Some(Settled::Applied(None)) => Ok(()),
            Some(Settled::Applied(Some(outcome))) => {
                eprintln!("hsn: {}", crate::present::inert(&outcome));
                Ok(())
            }
            Some(Settled::Refused(why)) => Err(eyre!("{why}")),
            Some(Settled::Held(why)) => {
                eprintln!("hsn: queued, held: {}", crate::present::inert(&why));
                Ok(())
            }
            Some(Settled::Queued(why)) => {
                eprintln!(
                    "hsn: queued, not sent yet ({}); `hsn sync` sends it, `hsn outbox` lists it",
                    crate::present::inert(&why)
                );
                Ok(())
            }
        }
    }

    /// How the write `seq` stands after a drain that stopped for `stopped_by` (if it did);
    /// `None` when the outbox has no such write.
    pub fn settled(&self, seq: i64, stopped_by: Option<&str>) -> Result<Option<Settled>> {
        use crate::store::OutboxState;
        let Some(write) = self.engine.store().write_state(seq)? else {
            return Ok(None);
        };
        Ok(Some(match write.state {
            OutboxState::Failed => Settled::Refused(
                write
                    .last_error
                    .unwrap_or_else(|| "Notion refused the change".into()),
            ),
            OutboxState::Done => Settled::Applied(write.outcome),
            OutboxState::Held => Settled::Held(write.last_error.unwrap_or_default()),
            OutboxState::Pending | OutboxState::Sending => Settled::Queued(
                write
                    .last_error
                    .or(stopped_by.map(str::to_string))
                    .unwrap_or_else(|| "another write on the same record goes first".into()),
            ),
        }))
    }
}

/// How a queued write stands after a drain.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Notion has it; how it landed when other than plainly ("already applied", partly).
    Applied(Option<String>),
    /// Notion refused it, with its reason: the change is rolled back.
    Refused(String),
    /// Kept until the operator acts (`hsn outbox retry`), with why.
    Held(String),
    /// Still queued: it could not go now, with why; `hsn sync` sends it.
    Queued(String),
}
