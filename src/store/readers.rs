//! Connections of their own for the dashboard's reads: a tab's rows or the Overview's
//! figures are read beside each other and beside the engine's writes (SQLite's WAL lets
//! readers and one writer work at once), never queued behind a long read on the engine's
//! one connection.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use color_eyre::eyre::{Result, WrapErr};
use rusqlite::{Connection, OpenFlags};

use super::Store;

/// Read-only connections to one store, opened when a read finds none idle and kept for the
/// next.
#[derive(Debug)]
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Readers {
    /// Readers of the store at `path` (opened and migrated by its engine already).
    pub fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on a connection no other read uses meanwhile.
    pub fn read<T>(&self, read: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match taken {
            Some(store) => store,
            None => Store::open_reader(&self.path)?,
        };
        let result = read(&store);
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(store);
        result
    }
}

impl Store {
    /// A connection to the store at `path` that only reads: no migration (its engine's
    /// connection did that), and a small page cache, so several of them cost little memory.
    pub fn open_reader(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .wrap_err_with(|| format!("cannot open the store {} to read", path.display()))?;
        conn.pragma_update(None, "query_only", true)?;
        // 8 MB: a table's rows are read once, front to back; the cache only helps lookups.
        conn.pragma_update(None, "cache_size", -8_192)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::DatabaseKey;

    #[test]
    fn a_reader_sees_what_the_writer_committed_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut writer = Store::open(&path).unwrap();
        let readers = Readers::new(&path);
        let count = || readers.read(|s| s.count(DatabaseKey::Tasks)).unwrap();
        assert_eq!(count(), 0);
        let page = super::super::tests::task_page("p1", "To Do", "2026-11-01T09:00:00.000Z");
        writer
            .upsert_pages(DatabaseKey::Tasks, "ds-tasks", &[page])
            .unwrap();
        assert_eq!(count(), 1, "the idle connection reads the new commit");
        let refused = readers.read(|s| Ok(s.conn.execute_batch("DELETE FROM records")));
        assert!(refused.unwrap().is_err(), "a reader does not write");
        assert_eq!(count(), 1);
    }
}
