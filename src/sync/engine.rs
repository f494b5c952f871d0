//! Refreshing data sources and draining the outbox.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use color_eyre::eyre::{Result, eyre};
use serde_json::json;
use tokio::sync::broadcast;

use super::runner::Event;
use super::store_queue::StoreQueue;
use crate::domain::history::{HistoryEntry, HistoryLog};
use crate::domain::models::WorkflowInstance;
use crate::domain::record::Record;
use crate::domain::schema::{DatabaseKey, database};
use crate::domain::write::{Write, plan_restore};
use crate::notion::{NotionClient, Page, Priority};
use crate::store::own_entries::{OwnEntry, REMEMBER_ENTRIES_DAYS, RESTORES_PER_ENTRY};
use crate::store::{Holder, Store, Upserted};
use crate::workspace::sources::DataSources;

/// A write refused because hsn is read-only (`--readonly`, `HSN_READONLY`, or `readonly`
/// in the config file): nothing was queued or sent. The command line exits 2 on it.
#[derive(Debug, thiserror::Error)]
#[error(
    "read-only (--readonly, HSN_READONLY or readonly in the config file): {0} was not made; nothing was queued or sent"
)]
pub struct ReadOnly(pub String);

/// Where writes go and records come from.
#[derive(Clone, Debug)]
pub enum Backend {
    Notion {
        client: NotionClient,
        sources: DataSources,
    },
    /// The demo workspace: writes settle locally, nothing is refreshed.
    Local,
}

/// What one refresh of a data source did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub fetched: usize,
    pub changed: usize,
    pub removed: usize,
    /// Pages archived in Notion (read by a full refresh): kept, out of the tables.
    pub archived: usize,
    pub requests: u64,
    pub full: bool,
    /// Another refresh of the same data source was running: this one did nothing.
    pub skipped: bool,
    /// hsn's own history entries found missing (a blind writer dropped them) and queued to
    /// be put back.
    pub restoring: usize,
    /// Entries found missing once more after `RESTORES_PER_ENTRY` restores: hsn stopped
    /// putting them back, and said so (a failed write).
    pub given_up: usize,
}

/// What a refresh found of hsn's own entries in one instance page.
#[derive(Debug, Clone)]
struct Lacking {
    /// The page's History Log as the refresh read it (the cache may hold an older copy:
    /// `last_edited_time` is rounded to the minute, so a later edit can look unchanged).
    log: String,
    /// The remembered entries it lacks (none: the page was checked and lacks none).
    entries: Vec<OwnEntry>,
}

/// By page.
type Missing = HashMap<String, Lacking>;

/// What storing one batch of a refresh did, the pages it held, and what they lack.
type StoredBatch = (Upserted, Vec<String>, Missing);

/// The engine, shared by clones (the dashboard's task and its commands).
#[derive(Clone)]
pub struct Engine {
    pub(super) store: Arc<Mutex<Store>>,
    pub(super) backend: Backend,
    pub(super) events: broadcast::Sender<Event>,
    pub(super) refreshing: Arc<Mutex<HashSet<DatabaseKey>>>,
    /// One drain at a time, so writes go out in order.
    pub(super) draining: Arc<tokio::sync::Mutex<()>>,
    /// `--readonly`: every write is refused here, in the write path itself, whatever the
    /// screen offers.
    pub(super) readonly: bool,
    /// This engine's name on the outbox rows it leases.
    pub(super) holder: Holder,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// Clears a data source's "refreshing" mark however the refresh ends.
struct RefreshGuard<'a> {
    set: &'a Mutex<HashSet<DatabaseKey>>,
    key: DatabaseKey,
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.lock() {
            set.remove(&self.key);
        }
    }
}

impl Engine {
    pub fn new(store: Store, backend: Backend) -> Engine {
        let (events, _) = broadcast::channel(1024);
        let engine = Engine {
            store: Arc::new(Mutex::new(store)),
            backend,
            events,
            refreshing: Arc::new(Mutex::new(HashSet::new())),
            draining: Arc::new(tokio::sync::Mutex::new(())),
            readonly: false,
            holder: Holder::this_process(),
        };
        super::drain::keep_leases(Arc::downgrade(&engine.store), engine.holder.clone());
        engine
    }

    /// An engine that refuses every write (`--readonly`).
    pub fn read_only(mut self) -> Engine {
        self.readonly = true;
        self
    }

    pub fn is_read_only(&self) -> bool {
        self.readonly
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    pub(super) fn emit(&self, event: Event) {
        // Nobody listening (a headless command) is fine.
        let _ = self.events.send(event);
    }

    /// The store, for reads. Held briefly: the engine writes through it too.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Notion's request budget as this process's client sees it (`None` in the demo).
    pub fn rate_status(&self) -> Option<crate::notion::RateStatus> {
        match &self.backend {
            Backend::Notion { client, .. } => Some(client.rate_status()),
            Backend::Local => None,
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self.backend, Backend::Local)
    }

    /// The page id a record created now goes by until Notion gives it its own: with Notion a
    /// `local:` placeholder the outbox replaces on confirmation; in the demo the record stays
    /// local for good, so it gets an id of a real page's shape.
    pub fn placeholder_page_id(&self, task_id: &str) -> String {
        if self.is_local() {
            format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                fastrand::u32(..),
                fastrand::u16(..),
                fastrand::u16(..0x1000),
                fastrand::u16(..0x1000),
                fastrand::u64(..1 << 48)
            )
        } else {
            format!("local:{task_id}")
        }
    }

    /// The data source a database's records live in, if it is configured.
    pub fn data_source(&self, key: DatabaseKey) -> Option<String> {
        match &self.backend {
            Backend::Notion { sources, .. } => sources.get(key).ok().map(str::to_string),
            Backend::Local => Some(crate::domain::demo::demo_data_source_id(key)),
        }
    }

    /// Reads what changed in a data source since the last refresh (`last_edited_time` on or
    /// after the watermark minus a minute: Notion rounds it down to the minute) into the
    /// store; `full` reads everything and removes what Notion no longer returns (trashed or
    /// deleted pages). A data source never refreshed gets a full read.
    pub async fn refresh(&self, key: DatabaseKey, full: bool) -> Result<Refreshed> {
        self.refresh_as(key, full, Priority::Interactive).await
    }

    /// `refresh`, as background work (`Priority::Background`: it leaves the reserve of
    /// Notion's request budget to writes and to what the operator asked for).
    pub async fn refresh_as(
        &self,
        key: DatabaseKey,
        full: bool,
        priority: Priority,
    ) -> Result<Refreshed> {
        let Backend::Notion { client, sources } = &self.backend else {
            return Ok(Refreshed::default());
        };
        let client = match priority {
            Priority::Interactive => client.clone(),
            Priority::Background => client.background(),
        };
        let data_source = sources.get(key)?.to_string();
        if !self
            .refreshing
            .lock()
            .map_err(|_| eyre!("sync state poisoned"))?
            .insert(key)
        {
            return Ok(Refreshed {
                skipped: true,
                ..Refreshed::default()
            });
        }
        let _guard = RefreshGuard {
            set: &self.refreshing,
            key,
        };
        let title = database(key).title;
        let requests_before = client.requests_sent();
        let state = self.store().sync_state(&data_source)?;
        let watermark = state.as_ref().and_then(|s| s.watermark);
        // Never refreshed: read in full. (An empty data source has no watermark, but once
        // read it is read incrementally like any other.)
        let full = full || state.as_ref().and_then(|s| s.last_refresh).is_none();
        let started = Utc::now();
        // hsn's own history entries to look for in the instances read (never read-only:
        // putting one back is a write).
        let own = Arc::new(
            if key == DatabaseKey::ActiveWorkflowInstances && !self.readonly {
                let mut store = self.store();
                store
                    .forget_own_entries(started - chrono::Duration::days(REMEMBER_ENTRIES_DAYS))?;
                store.own_entries(started)?
            } else {
                HashMap::new()
            },
        );
        let mut missing = Missing::new();
        // A full read also reads the schema again, for properties added since.
        let (mut properties, mut schema_cached) =
            self.property_ids(&client, key, &data_source, full).await?;
        let make_query = |properties: Vec<String>| -> Result<crate::notion::DataSourceQuery> {
            let mut query = client
                .query_data_source(&data_source)?
                .filter_properties(properties);
            if let (false, Some(mark)) = (full, watermark) {
                let since = (mark - chrono::Duration::minutes(1))
                    .to_rfc3339_opts(SecondsFormat::Millis, true);
                query = query
                    .filter(json!({"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": since}}))
                    .sorts(vec![json!({"timestamp": "last_edited_time", "direction": "ascending"})]);
            }
            Ok(query)
        };
        let mut query = make_query(properties.clone())?;
        let mut done = Refreshed {
            full,
            ..Refreshed::default()
        };
        let mut seen = HashSet::new();
        let mut newest: Option<DateTime<Utc>> = watermark;
        let queue_store = Arc::clone(&self.store);
        let queue_source = data_source.clone();
        let queue_own = Arc::clone(&own);
        // Each batch with the time it was asked for (see `Store::upsert_read`).
        let mut queue = StoreQueue::with_read_times(
            move |batch: Vec<Page>, read_at: i64| -> Result<StoredBatch> {
                let lacking = missing_own_entries(&queue_own, &batch);
                let mut store = queue_store
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                let upserted = store.upsert_read(key, &queue_source, &batch, read_at)?;
                Ok((upserted, batch.into_iter().map(|p| p.id).collect(), lacking))
            },
        );
        loop {
            let read_at = Utc::now().timestamp_millis();
            let batch = match query.next_batch().await {
                Ok(Some(batch)) => batch,
                Ok(None) => break,
                // A property removed from the schema since it was read: Notion refuses its
                // id. Read the schema again, once, and start over.
                Err(e) if schema_cached && done.fetched == 0 && e.status() == Some(400) => {
                    tracing::info!(database = title, error = %e, "reading the schema again");
                    schema_cached = false;
                    (properties, _) = self.property_ids(&client, key, &data_source, true).await?;
                    query = make_query(properties.clone())?;
                    continue;
                }
                Err(e) => {
                    // What was read before the fault is stored all the same.
                    for stored in queue.finish().await? {
                        self.stored(key, stored, &mut done, &mut missing);
                    }
                    let message = e.explain(&format!("the database {title}"));
                    self.emit(Event::SyncFailed {
                        database: key,
                        error: message.clone(),
                    });
                    return Err(eyre!(message));
                }
            };
            done.fetched += batch.len();
            newest = batch.iter().map(|p| p.last_edited_time).max().max(newest);
            seen.extend(batch.iter().map(|p| p.id.clone()));
            if let Some(stored) = queue.push_read(batch, read_at).await? {
                self.stored(key, stored, &mut done, &mut missing);
            }
        }
        for stored in queue.finish().await? {
            self.stored(key, stored, &mut done, &mut missing);
        }
        if full {
            // Archived pages are left out of the query above, and are not deleted: they are
            // kept, out of the tables (as Notion's views leave them out).
            let read_at = Utc::now().timestamp_millis();
            let archived = match make_query(properties)?.archived().collect_all().await {
                Ok(pages) => pages,
                // A Notion-Version that does not know `is_archived` refuses it: there are no
                // archived pages to keep then.
                Err(e) if e.status() == Some(400) => {
                    tracing::info!(database = title, error = %e, "archived pages not asked for");
                    Vec::new()
                }
                Err(e) => {
                    return Err(eyre!(e.explain(&format!("the archived pages of {title}"))));
                }
            };
            if !archived.is_empty() {
                let upserted = self
                    .store()
                    .upsert_read(key, &data_source, &archived, read_at)?;
                done.archived = archived.len();
                seen.extend(archived.iter().map(|p| p.id.clone()));
                if upserted.changed > 0 {
                    self.emit(Event::RecordsChanged {
                        database: key,
                        ids: archived.into_iter().map(|p| p.id).collect(),
                    });
                }
            }
            let gone = self
                .store()
                .remove_missing(key, &seen, started.timestamp_millis())?;
            done.removed += gone.len();
            if !gone.is_empty() {
                self.emit(Event::RecordsChanged {
                    database: key,
                    ids: gone,
                });
            }
        }
        self.store()
            .set_refreshed(key, &data_source, newest, started, full)?;
        if let Err(e) = self.restore_missing(missing, &mut done) {
            // The refresh itself went well; the next one looks again.
            tracing::warn!(error = %e, "could not queue the restoration of dropped history entries");
        }
        done.requests = client.requests_sent() - requests_before;
        self.emit(Event::Refreshed {
            database: key,
            at: started,
        });
        Ok(done)
    }

    /// The ids of every property of the data source, to name in its queries: from the
    /// store, or (`fresh`, or none stored) from its schema, read now and stored. Returns
    /// whether they came from the store.
    async fn property_ids(
        &self,
        client: &NotionClient,
        key: DatabaseKey,
        data_source: &str,
        fresh: bool,
    ) -> Result<(Vec<String>, bool)> {
        if !fresh && let Some(ids) = self.store().property_ids(data_source)? {
            return Ok((ids, true));
        }
        let title = database(key).title;
        let schema = client
            .retrieve_data_source(data_source)
            .await
            .map_err(|e| eyre!(e.explain(&format!("the database {title}"))))?;
        let ids: Vec<String> = schema.properties.iter().map(|p| p.id.clone()).collect();
        self.store()
            .set_property_ids(key, data_source, Some(&ids))?;
        Ok((ids, false))
    }

    /// Reports one stored batch: counts, and the events the dashboard redraws on.
    fn stored(
        &self,
        key: DatabaseKey,
        (upserted, ids, lacking): StoredBatch,
        done: &mut Refreshed,
        missing: &mut Missing,
    ) {
        // A page read twice (windows overlap): its later copy decides.
        missing.extend(lacking);
        done.changed += upserted.changed;
        done.removed += upserted.removed;
        if upserted.changed + upserted.removed > 0 {
            self.emit(Event::RecordsChanged { database: key, ids });
        }
        self.emit(Event::SyncProgress {
            database: key,
            fetched: done.fetched,
        });
    }

    /// Queues, through the outbox like every write, the restoration of hsn's own history
    /// entries a refresh found missing from their instances (a blind writer dropped them).
    /// A page with a write already queued is left for the next refresh (that write, or
    /// the restoration queued before, re-reads and merges first); an entry already put
    /// back `RESTORES_PER_ENTRY` times is given up on, with a failed write saying so.
    fn restore_missing(&self, missing: Missing, done: &mut Refreshed) -> Result<()> {
        let mut pages: Vec<(String, Lacking)> = missing
            .into_iter()
            .filter(|(_, lacking)| !lacking.entries.is_empty())
            .collect();
        pages.sort_by(|a, b| a.0.cmp(&b.0));
        for (page_id, lacking) in pages {
            let Some(stored) = self.store().record(&page_id)? else {
                continue;
            };
            if stored.pending > 0 {
                continue;
            }
            let label = stored.record.title();
            // The log as Notion has it now, on the record as cached.
            let mut instance = stored.record;
            instance.set("History Log", lacking.log);
            let (again, exhausted): (Vec<OwnEntry>, Vec<OwnEntry>) = lacking
                .entries
                .into_iter()
                .partition(|own| own.restores < RESTORES_PER_ENTRY);
            if !exhausted.is_empty() {
                let entries: Vec<HistoryEntry> = exhausted.into_iter().map(|o| o.entry).collect();
                let what: Vec<String> = entries
                    .iter()
                    .map(|e| format!("\"{}\"", e.action()))
                    .collect();
                let reason = format!(
                    "another writer dropped {} from the history again after hsn put it back \
                     {RESTORES_PER_ENTRY} times; hsn stopped restoring it",
                    what.join(", ")
                );
                self.give_up(&page_id, &label, &entries, reason)?;
                done.given_up += entries.len();
            }
            // A move of ours another writer overwrote with its own: not put back (the
            // history would say the instance is where it is not); said instead.
            let now = WorkflowInstance::from_record(&instance);
            let log = HistoryLog::decode(&now.history_log);
            let again: Vec<HistoryEntry> = again.into_iter().map(|o| o.entry).collect();
            let (entries, overwritten) = log.restorable(&again, &now.current_state);
            if !overwritten.is_empty() {
                let what: Vec<String> = overwritten
                    .iter()
                    .map(|e| format!("\"{}\"", e.action()))
                    .collect();
                let reason = format!(
                    "another writer moved {label} to \"{}\" over hsn's {} and dropped its \
                     entry; hsn did not put it back (the history would say the instance is \
                     where it is not)",
                    now.current_state,
                    what.join(", ")
                );
                self.give_up(&page_id, &label, &overwritten, reason)?;
                done.given_up += overwritten.len();
            }
            if let Some((write, after)) = plan_restore(&instance, &entries) {
                tracing::info!(
                    instance = %label,
                    entries = entries.len(),
                    "history entries hsn wrote were dropped by another writer; putting them back"
                );
                self.submit(&write, vec![after])?;
                done.restoring += entries.len();
            }
        }
        Ok(())
    }

    /// Stops putting `entries` back into `page_id`'s log, and says so: in the log, and as
    /// a failed write (listed with the refused ones, and shown by the dashboard).
    fn give_up(
        &self,
        page_id: &str,
        label: &str,
        entries: &[HistoryEntry],
        reason: String,
    ) -> Result<()> {
        let write = Write::RestoreHistory {
            instance_page: page_id.to_string(),
            instance_id: label.to_string(),
            entries: entries.iter().map(|e| e.to_json().clone()).collect(),
        };
        tracing::warn!(instance = %label, "{reason}");
        let body = serde_json::to_value(&write)?;
        let seq = self
            .store()
            .give_up_restoring(page_id, entries, write.kind(), &body, &reason)?;
        self.emit(Event::WriteFailed {
            seq,
            summary: write.summary(),
            error: reason,
        });
        Ok(())
    }

    /// Applies a planned write to the cache and queues it, in one transaction. `changes` are
    /// the records as the write will leave them.
    pub fn submit(&self, write: &Write, changes: Vec<Record>) -> Result<i64> {
        self.submit_linked(write, changes, None)
    }

    /// `submit` for the inverse of write `undoes` (sent, or being sent): refused or
    /// dropped, that write takes this one with it (`Store::submit_undo`).
    pub fn submit_undo(&self, write: &Write, changes: Vec<Record>, undoes: i64) -> Result<i64> {
        self.submit_linked(write, changes, Some(undoes))
    }

    /// `changes` and, when `write` adds to the history of an instance they do not hold (a
    /// task edit is planned against the task alone), the cached instance with the write
    /// applied: its log shows the entry at once, and the instance is among the records the
    /// write touches (queued behind the writes on it, rebuilt when it settles).
    fn with_instance(&self, write: &Write, mut changes: Vec<Record>) -> Result<Vec<Record>> {
        let Some(page) = write.instance_page() else {
            return Ok(changes);
        };
        if changes.iter().any(|r| r.page_id.as_ref() == Some(page)) {
            return Ok(changes);
        }
        if let Some(cached) = self.store().record(page)? {
            let mut instance = cached.record;
            write.apply(&mut instance);
            // The task is changed before its entry is written: an entry that cannot fit (a
            // long note over a nearly full log) would leave the edit half made. Refused
            // here, nothing queued; a log that grew in Notion since is a partial outcome.
            let log = WorkflowInstance::from_record(&instance).history_log;
            if let Err(full) = HistoryLog::decode(&log).encode() {
                return Err(eyre!(
                    "{} was not queued: its entry does not fit in the History Log of \
                     instance {}: {full}",
                    write.summary(),
                    instance.title()
                ));
            }
            changes.push(instance);
        }
        Ok(changes)
    }

    fn submit_linked(
        &self,
        write: &Write,
        changes: Vec<Record>,
        undoes: Option<i64>,
    ) -> Result<i64> {
        if self.readonly {
            return Err(ReadOnly(write.summary()).into());
        }
        let changes = self.with_instance(write, changes)?;
        let with_sources: Vec<(Record, String)> = changes
            .into_iter()
            .map(|record| {
                let source = self.data_source(record.database).unwrap_or_default();
                (record, source)
            })
            .collect();
        let body = serde_json::to_value(write)?;
        let seq = match undoes {
            Some(undoes) => {
                self.store()
                    .submit_undo(&with_sources, write.kind(), &body, Utc::now(), undoes)?
            }
            None => self
                .store()
                .submit(&with_sources, write.kind(), &body, Utc::now())?,
        };
        let queued = self.store().unsettled_writes()?;
        self.emit(Event::PendingWrites(queued.len()));
        self.emit(Event::StuckWrites(
            queued.iter().filter(|w| w.is_stuck()).count(),
        ));
        Ok(seq)
    }
}

/// hsn's own entries among `pages` (instances, as a refresh read them) that their History
/// Log lacks, for each page that has some remembered.
fn missing_own_entries(own: &HashMap<String, Vec<OwnEntry>>, pages: &[Page]) -> Missing {
    let mut missing = Missing::new();
    for page in pages {
        let Some(mine) = own.get(&page.id) else {
            continue;
        };
        let text = WorkflowInstance::from_page(page).history_log;
        let log = HistoryLog::decode(&text);
        let entries = mine
            .iter()
            .filter(|o| !log.contains(&o.entry))
            .cloned()
            .collect();
        missing.insert(page.id.clone(), Lacking { log: text, entries });
    }
    missing
}
