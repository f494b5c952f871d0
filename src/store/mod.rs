//! The local store: one SQLite file per workspace holding the records hsn shows, the raw
//! pages they came from, how far each data source is synced, and the outbox of writes not
//! yet confirmed by Notion.
//!
//! Writes to the cache and to the outbox happen in one transaction, so a crash leaves
//! either both or neither.

pub mod activity;
mod demo;
pub mod looked;
mod outbox;
pub mod overview;
pub mod own_entries;
mod raw_pages;
mod readers;
mod records;
mod rows;
mod schema;
pub mod secrets;
mod sync_state;
mod task_trail;

use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr};
use rusqlite::Connection;

pub use activity::ActivityRow;
pub use outbox::{Claimed, Holder, LEASE, Landed, OutboxEntry, OutboxState, STUCK_AFTER_ATTEMPTS};
pub use readers::Readers;
pub use records::{RecordFilter, StoredRecord, Upserted};
pub use sync_state::SyncState;
pub use task_trail::TrailEntry;

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Where stores live: `HSN_DATA_DIR`, else the user's data directory.
pub fn data_dir(setting: impl Fn(&str) -> Option<String>) -> Result<PathBuf> {
    if let Some(dir) = setting("HSN_DATA_DIR").filter(|d| !d.trim().is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("net", "HigherSelf", "hsn")
        .map(|dirs| dirs.data_local_dir().to_path_buf())
        .ok_or_else(|| color_eyre::eyre::eyre!("cannot find a data directory: set HSN_DATA_DIR"))
}

impl Store {
    /// A transaction that writes: it takes SQLite's write lock at once, waiting (the busy
    /// timeout) for another process that holds it. A deferred one that read first would
    /// fail at once with "database is locked" if another process wrote in between: several
    /// hsn processes share one store.
    fn write_transaction(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// Opens (or creates) the store at `path`: the file readable by its owner only, WAL
    /// journal, migrated to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
        }
        let existed = path.exists();
        let conn = Connection::open(path)
            .wrap_err_with(|| format!("cannot open the store {}", path.display()))?;
        if !existed {
            restrict_to_owner(path)?;
        }
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode NORMAL survives any crash of the process; a power cut may lose the last
        // sync batches, which the next refresh reads again. A user's change is different:
        // `submit` commits it with FULL, so it is on disk before hsn says it is queued.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A sync writes megabytes in one transaction: keep its pages in memory (64 MB).
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint the journal every ~40 MB rather than every 4 MB: a sync commits a
        // batch every 100 pages, and each checkpoint waits for the disk.
        conn.pragma_update(None, "wal_autocheckpoint", 2_500)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        schema::migrate(&mut store.conn)
            .wrap_err_with(|| format!("cannot migrate the store {}", path.display()))?;
        activity::rebuild(&mut store.conn)
            .wrap_err_with(|| format!("cannot index the audit log of {}", path.display()))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .wrap_err_with(|| format!("cannot restrict {} to its owner", path.display()))
}

#[cfg(not(unix))]
fn restrict_to_owner(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::record::Record;
    use crate::domain::schema::DatabaseKey;
    use crate::notion::Page;
    use serde_json::json;

    pub(crate) fn task_page(id: &str, status: &str, edited: &str) -> Page {
        Page::from_json(json!({
            "object": "page", "id": id,
            "created_time": "2026-11-01T09:00:00.000Z", "last_edited_time": edited,
            "parent": {"type": "data_source_id", "data_source_id": "ds-tasks"},
            "properties": {
                "Task ID": {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": "TASK-00000001"}]},
                "Status": {"id": "s", "type": "select", "select": {"name": status}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn a_new_file_is_private_and_migrations_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/store.sqlite");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, schema::current_version());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_second_edit_in_the_same_minute_is_stored() {
        // Notion rounds last_edited_time down to the minute: the stamp alone cannot tell.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let minute = "2026-11-01T09:07:00.000Z";
        let first = task_page("p1", "To Do", minute);
        let done = store
            .upsert_pages(DatabaseKey::Tasks, "ds-tasks", std::slice::from_ref(&first))
            .unwrap();
        assert_eq!(done.changed, 1);
        let again = store
            .upsert_pages(DatabaseKey::Tasks, "ds-tasks", &[first])
            .unwrap();
        assert_eq!((again.changed, again.unchanged), (0, 1));
        let edited = store
            .upsert_pages(
                DatabaseKey::Tasks,
                "ds-tasks",
                &[task_page("p1", "Done", minute)],
            )
            .unwrap();
        assert_eq!(edited.changed, 1);
        let record = store.record("p1").unwrap().unwrap().record;
        assert_eq!(
            record.get::<Option<String>>("Status").as_deref(),
            Some("Done")
        );
    }

    #[test]
    fn a_refused_write_rolls_back_to_what_notion_last_sent() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let page = task_page("p1", "To Do", "2026-11-01T09:00:00.000Z");
        store
            .upsert_pages(DatabaseKey::Tasks, "ds-tasks", &[page])
            .unwrap();

        let mut changed = store.record("p1").unwrap().unwrap().record;
        changed.set("Status", Some("Done".to_string()));
        let seq = store
            .submit(
                &[(changed, "ds-tasks".into())],
                "edit_task",
                &json!({}),
                chrono::Utc::now(),
            )
            .unwrap();
        let pending = store.record("p1").unwrap().unwrap();
        assert_eq!(
            (
                pending.pending,
                pending.record.get::<Option<String>>("Status")
            ),
            (1, Some("Done".into()))
        );

        // A sync meanwhile does not undo the optimistic change.
        let newer = task_page("p1", "On Hold", "2026-11-02T09:00:00.000Z");
        store
            .upsert_pages(DatabaseKey::Tasks, "ds-tasks", &[newer])
            .unwrap();
        assert_eq!(
            store
                .record("p1")
                .unwrap()
                .unwrap()
                .record
                .get::<Option<String>>("Status"),
            Some("Done".into())
        );

        let holder = Holder::this_process();
        let claimed = store.claim_write(&holder, &Default::default()).unwrap();
        assert_eq!(claimed.map(|c| c.entry.seq), Some(seq));
        store
            .reject(seq, &holder, "Notion said no", &Default::default())
            .unwrap();
        let after = store.record("p1").unwrap().unwrap();
        assert_eq!(after.pending, 0);
        assert_eq!(
            after.record.get::<Option<String>>("Status"),
            Some("On Hold".into()),
            "back to Notion's latest"
        );
        let failed = store.failed_writes(5).unwrap();
        assert_eq!(failed[0].last_error.as_deref(), Some("Notion said no"));
        assert!(store.unsettled_writes().unwrap().is_empty());
    }

    #[test]
    fn a_record_that_never_reached_notion_goes_away_when_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let mut task = Record::new(DatabaseKey::Tasks);
        task.page_id = Some("local:TASK-1".into());
        task.set("Task ID", "TASK-1".to_string());
        let seq = store
            .submit(
                &[(task, "ds".into())],
                "create_task",
                &json!({}),
                chrono::Utc::now(),
            )
            .unwrap();
        assert_eq!(store.count(DatabaseKey::Tasks).unwrap(), 1);
        let holder = Holder::this_process();
        store.claim_write(&holder, &Default::default()).unwrap();
        store
            .reject(seq, &holder, "no", &Default::default())
            .unwrap();
        assert_eq!(store.count(DatabaseKey::Tasks).unwrap(), 0);
    }
}
