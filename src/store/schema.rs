//! The store's tables, and the migrations that bring an older file up to date (so an
//! upgrade never makes a user delete the file). `PRAGMA user_version` holds the version.

use rusqlite::Connection;

/// Each entry moves the file from version `index` to `index + 1`. Append; never edit.
const MIGRATIONS: &[&str] = &[
    // 1: records, raw pages, sync state, outbox.
    "CREATE TABLE records (
        page_id TEXT PRIMARY KEY,
        database TEXT NOT NULL,
        data_source_id TEXT NOT NULL,
        title TEXT NOT NULL,
        status TEXT,
        current_state TEXT,
        priority TEXT,
        assigned_to TEXT,
        due TEXT,
        last_transition TEXT,
        fields TEXT NOT NULL,
        created_time TEXT NOT NULL,
        last_edited_time TEXT NOT NULL,
        pending INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX records_by_title ON records(database, title);
    CREATE INDEX records_by_status ON records(database, status);
    CREATE INDEX records_by_state ON records(database, current_state);
    CREATE INDEX records_by_edited ON records(database, last_edited_time);
    CREATE INDEX records_by_due ON records(database, due);
    CREATE TABLE pages_raw (
        page_id TEXT PRIMARY KEY REFERENCES records(page_id) ON DELETE CASCADE,
        raw TEXT NOT NULL
    );
    CREATE TABLE sync_state (
        data_source_id TEXT PRIMARY KEY,
        database TEXT NOT NULL,
        watermark TEXT,
        last_refresh TEXT,
        last_full TEXT
    );
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        page_id TEXT,
        op TEXT NOT NULL,
        body TEXT NOT NULL,
        touched TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX outbox_by_state ON outbox(state, seq);",
    // 2: the history entries hsn wrote and Notion confirmed, to put back when a blind
    // writer drops one (DESIGN §4). Keyed by the entry's identity, so each is held once.
    "CREATE TABLE own_entries (
        page_id TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        entry TEXT NOT NULL,
        remembered_at TEXT NOT NULL,
        restores INTEGER NOT NULL DEFAULT 0,
        given_up INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (page_id, entry_key)
    );
    CREATE INDEX own_entries_by_time ON own_entries(remembered_at);",
    // 3: two indexes no query uses (the Overview and the tables sort in memory), which
    // every stored page paid for.
    "DROP INDEX records_by_edited;
    DROP INDEX records_by_due;",
    // 4: writes sent by exactly one process at a time (a lease: holder and expiry, ms since
    // the epoch), a per-write backoff, how a landed write went ("already applied", or what
    // exists of a write only partly made), and whether its attempts are known not to have
    // landed (held: Notion saved nothing), so it is sent, and stamped, as new.
    "ALTER TABLE outbox ADD COLUMN unsent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
    ALTER TABLE outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN outcome TEXT;",
    // 5: the ids of a data source's properties, read from its schema: every query names
    // them (`filter_properties`; from Notion-Version 2026-12-01 a query without it returns
    // only the title).
    "ALTER TABLE sync_state ADD COLUMN property_ids TEXT;",
    // 6: pages archived in Notion: kept (not deleted), left out of the tables as Notion's
    // views leave them out.
    "ALTER TABLE records ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;",
    // 7: when a write on the record was last settled (ms since the epoch): a refresh that
    // read the page before that (it ran beside the drain) must not put its older copy over
    // the settled one, nor remove a record settled since it started.
    "ALTER TABLE records ADD COLUMN settled_at INTEGER NOT NULL DEFAULT 0;",
    // 8: a queued write moves the page to Notion's trash: left out of the tables from the
    // moment it is queued (put back if it is refused or dropped; the record is deleted
    // when it is confirmed).
    "ALTER TABLE records ADD COLUMN trashing INTEGER NOT NULL DEFAULT 0;",
    // 9: the write an undo answers (its inverse, queued behind it while it was being
    // sent): refused or dropped, that write takes its inverse with it (nothing of ours to
    // undo; sent, the inverse would undo another writer's change).
    "ALTER TABLE outbox ADD COLUMN undoes INTEGER;",
    // 10: the audit log's index (`store::activity`): every entry of every instance's
    // History Log, kept in step with the cached instance, with the indexes its filters
    // use (time; actor; the entries of one instance). `origin` = 'log' for entries read
    // from a log; 'store' for a trail hsn keeps only here. The stores that had instances
    // before are indexed once when opened (`store_flags`).
    "CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        page_id TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'log',
        instance_id TEXT NOT NULL,
        workflow TEXT,
        position INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT,
        kind TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        action TEXT NOT NULL,
        note TEXT,
        details TEXT NOT NULL,
        pending INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX entries_by_time ON entries(at);
    CREATE INDEX entries_by_page ON entries(page_id, position);
    CREATE INDEX entries_by_actor ON entries(actor COLLATE NOCASE, at);
    CREATE TRIGGER entries_of_removed_record AFTER DELETE ON records BEGIN
        DELETE FROM entries WHERE page_id = old.page_id AND origin = 'log';
    END;
    CREATE TABLE store_flags (name TEXT PRIMARY KEY);
    INSERT INTO store_flags SELECT 'rebuild_entries' WHERE EXISTS (SELECT 1 FROM records);",
    // 11: "since you last looked": when each operator last closed the dashboard, and the
    // records they opened (or cleared) since it was last closed; the records edited since a
    // moment are found by the index on their edit time.
    "CREATE TABLE looked (
        operator TEXT PRIMARY KEY,
        last_closed TEXT NOT NULL
    );
    CREATE TABLE seen (
        operator TEXT NOT NULL,
        page_id TEXT NOT NULL,
        PRIMARY KEY (operator, page_id)
    );
    CREATE INDEX records_by_last_edited ON records(last_edited_time);",
    // 12: edits of tasks with no workflow instance,
    // whose trail only hsn's store keeps (`task_trail.rs`).
    super::task_trail::MIGRATION,
];

/// Brings the file to the current version. Each step reads the version inside its own
/// write transaction, so two processes opening a new store at once apply each migration
/// once (the second finds it done).
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let Some(migration) = MIGRATIONS.get(version.max(0) as usize) else {
            return tx.commit();
        };
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", version.max(0) + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
pub fn current_version() -> usize {
    MIGRATIONS.len()
}
