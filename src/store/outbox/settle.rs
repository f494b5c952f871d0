//! Settling a write: done (Notion has it), failed (refused, rolled back), or dropped by the
//! operator. Each settles under the lease it was sent with, in one transaction with the
//! records it touched.
//!
//! A record's cached copy is always Notion's copy with the writes still queued on it
//! replayed in order (`rebuild`): settling one write never hides another that is still
//! pending, and a rollback restores exactly what Notion has plus what is still to come.

use color_eyre::eyre::{Result, bail};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use super::lease::Holder;
use super::placeholder::follow_created;
use super::{OutboxEntry, OutboxState, QUEUED, Store, now_text, read_entry};
use crate::domain::record::{Link, Record};
use crate::domain::schema::{DatabaseKey, find_database};
use crate::domain::write::Write;
use crate::notion::Page;
use crate::store::own_entries::{OwnWrites, apply_in};
use crate::store::raw_pages::{self, PackedPage};
use crate::store::records::{upsert_in, write_record};
use crate::store::task_trail::{TrailEntry, keep_in};

use super::placeholder::PLACEHOLDER;

/// How a write that landed is settled.
#[derive(Debug, Default)]
pub struct Landed<'a> {
    /// The pages it touched, as Notion now has them.
    pub pages: Vec<(DatabaseKey, String, Page)>,
    /// History entries to remember (or count as restored).
    pub own: OwnWrites,
    /// "already applied", or what exists of a write only partly made.
    pub outcome: Option<&'a str>,
    /// A created record: the placeholder id it went by, and the id Notion gave it. Writes
    /// still queued against the placeholder now follow the real page.
    pub created: Option<(&'a str, &'a str)>,
    /// The entry of an edit of a task with no workflow instance: kept in the store's
    /// `task_trail`, now that the edit is confirmed.
    pub trail: Option<TrailEntry>,
}

impl Store {
    /// Notion has the write: it is done, and the records it touched are Notion's copy with
    /// the writes still queued on them replayed. `false`: `holder` no longer held the
    /// write (its lease was taken over), so nothing was settled here.
    pub fn confirm(&mut self, seq: i64, holder: &Holder, landed: &Landed<'_>) -> Result<bool> {
        let tx = self.write_transaction()?;
        if !holds(&tx, seq, holder)? {
            return Ok(false);
        }
        let mut touched = settle(&tx, seq, OutboxState::Done, None, landed.outcome)?;
        for (key, data_source_id, page) in &landed.pages {
            upsert_in(
                &tx,
                *key,
                data_source_id,
                std::slice::from_ref(page),
                true,
                None,
            )?;
            touched.push(page.id.clone());
        }
        apply_in(&tx, &landed.own, chrono::Utc::now())?;
        if let Some(trail) = &landed.trail {
            keep_in(&tx, trail)?;
        }
        // A task moved to the trash is gone from Notion's views: gone from the cache too.
        // (Writes still queued on it will be refused by Notion, which edits no trashed page.)
        if let Some(page) = trashed_by(&tx, seq)? {
            tx.execute("DELETE FROM records WHERE page_id = ?1", params![page])?;
        }
        if let Some((placeholder, real)) = landed.created {
            follow_created(&tx, placeholder, real)?;
            tx.execute(
                "DELETE FROM records WHERE page_id = ?1",
                params![placeholder],
            )?;
        }
        for page_id in unique(touched) {
            if landed.pages.is_empty() {
                // Settled without Notion (the demo workspace): the optimistic change is
                // the change; only the pending count moves.
                recount(&tx, &page_id)?;
            } else {
                rebuild(&tx, &page_id)?;
            }
        }
        tx.commit()?;
        Ok(true)
    }

    /// Notion refused the write: it is failed with Notion's reason and its change rolled
    /// back (the records it touched are Notion's copy again, with the writes still queued
    /// on them replayed). A refused create takes the writes queued against its placeholder
    /// with it: the record they change will never exist. `false` as for `confirm`.
    pub fn reject(
        &mut self,
        seq: i64,
        holder: &Holder,
        error: &str,
        own: &OwnWrites,
    ) -> Result<bool> {
        let tx = self.write_transaction()?;
        if !holds(&tx, seq, holder)? {
            return Ok(false);
        }
        apply_in(&tx, own, chrono::Utc::now())?;
        let touched = fail_with_dependents(&tx, seq, error)?;
        for page_id in unique(touched) {
            rebuild(&tx, &page_id)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// `hsn outbox drop`: the write is given up (nothing more is sent to Notion), and the
    /// records it touched show Notion's copy again, with the writes still queued on them.
    /// Refused while another process is sending it (its lease is live). A write sent before
    /// may have landed: its reason says so.
    pub fn drop_write(&mut self, seq: i64) -> Result<OutboxEntry> {
        self.drop_in(seq, false)
    }

    /// `drop_write`, only for a write nothing of which can be in Notion (never sent, or
    /// known unsent): the dashboard's undo, which says the change is gone. A write sent
    /// before whose answer was lost may have landed: refused, so the undo answers it with
    /// its inverse instead. Judged in the same transaction as the drop, so a drain that
    /// sends it meanwhile cannot slip between the check and the drop.
    pub fn drop_unsent(&mut self, seq: i64) -> Result<OutboxEntry> {
        self.drop_in(seq, true)
    }

    fn drop_in(&mut self, seq: i64, only_unsent: bool) -> Result<OutboxEntry> {
        let tx = self.write_transaction()?;
        let Some((entry, owner, until)) = tx
            .query_row(
                "SELECT *, lease_owner, lease_until FROM outbox WHERE seq = ?1",
                params![seq],
                |row| {
                    Ok((
                        read_entry(row)?,
                        row.get::<_, Option<String>>("lease_owner")?,
                        row.get::<_, i64>("lease_until")?,
                    ))
                },
            )
            .optional()?
        else {
            bail!("no write {seq} in the outbox");
        };
        if !entry.state.is_queued() {
            bail!(
                "write {seq} is {} already: nothing to drop",
                entry.state.as_str()
            );
        }
        if entry.state == OutboxState::Sending
            && until > chrono::Utc::now().timestamp_millis()
            && !owner.as_deref().is_some_and(Holder::is_gone)
        {
            bail!("write {seq} is being sent right now; try again in a moment");
        }
        if only_unsent && entry.may_have_landed() {
            bail!("write {seq} was sent before and may have landed in Notion: not dropped");
        }
        if entry.may_have_landed() && entry.op == "create_task" {
            bail!(
                "write {seq} was sent before and may have created its task in Notion already \
                 (its answer was lost): the next drain (`hsn sync`) finds out and settles it; \
                 dropping it now could leave a task hsn no longer shows"
            );
        }
        let reason = if entry.may_have_landed() {
            "dropped by the operator; it was sent before and may have landed in Notion (its \
             answer was lost): the records show Notion's copy, and the next refresh shows \
             whatever Notion has"
        } else {
            "dropped by the operator; nothing was sent"
        };
        let touched = fail_with_dependents(&tx, seq, reason)?;
        for page_id in unique(touched) {
            rebuild(&tx, &page_id)?;
        }
        tx.commit()?;
        Ok(entry)
    }
}

/// Whether `holder` still holds the lease on write `seq`.
fn holds(tx: &Transaction<'_>, seq: i64, holder: &Holder) -> rusqlite::Result<bool> {
    let owner: Option<Option<String>> = tx
        .query_row(
            "SELECT lease_owner FROM outbox WHERE seq = ?1 AND state = 'sending'",
            params![seq],
            |r| r.get(0),
        )
        .optional()?;
    let held = owner.flatten().as_deref() == Some(holder.as_str());
    if !held {
        tracing::warn!(
            seq,
            "a write's lease was taken over while it was sent; the other holder settles it"
        );
    }
    Ok(held)
}

fn unique(mut pages: Vec<String>) -> Vec<String> {
    pages.sort();
    pages.dedup();
    pages
}

/// Marks a write settled; returns the pages it touched.
fn settle(
    tx: &Transaction<'_>,
    seq: i64,
    state: OutboxState,
    error: Option<&str>,
    outcome: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let touched: String = tx.query_row(
        "SELECT touched FROM outbox WHERE seq = ?1",
        params![seq],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE outbox SET state = ?2, last_error = coalesce(?3, last_error), outcome = ?4,
         lease_owner = NULL, lease_until = 0, updated_at = ?5 WHERE seq = ?1",
        params![seq, state.as_str(), error, outcome, now_text()],
    )?;
    Ok(serde_json::from_str(&touched).unwrap_or_default())
}

/// Fails write `seq` and, if it was a create, every queued write against the record it
/// would have created, and the inverse queued to undo it (nothing of ours to undo: sent,
/// it would undo another writer's change). Returns the pages all of them touched.
fn fail_with_dependents(
    tx: &Transaction<'_>,
    seq: i64,
    error: &str,
) -> rusqlite::Result<Vec<String>> {
    let body: String = tx.query_row(
        "SELECT body FROM outbox WHERE seq = ?1",
        params![seq],
        |r| r.get(0),
    )?;
    let mut touched = settle(tx, seq, OutboxState::Failed, Some(error), None)?;
    let inverses: Vec<i64> = tx
        .prepare_cached(&format!(
            "SELECT seq FROM outbox WHERE undoes = ?1 AND state IN {QUEUED}"
        ))?
        .query_map(params![seq], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for inverse in inverses {
        let reason =
            format!("the write it undoes ({seq}) was not applied: {error}; nothing to undo");
        touched.extend(fail_with_dependents(tx, inverse, &reason)?);
    }
    if let Ok(Write::CreateTask { local_page, .. }) = serde_json::from_str::<Write>(&body) {
        let reason = format!("the task it changes was never created: {error}");
        for dependent in queued_on(tx, &local_page)? {
            touched.extend(settle(
                tx,
                dependent.seq,
                OutboxState::Failed,
                Some(&reason),
                None,
            )?);
        }
    }
    Ok(touched)
}

/// The writes still queued that touch `page_id`, oldest first.
pub(super) fn queued_on(tx: &Transaction<'_>, page_id: &str) -> rusqlite::Result<Vec<OutboxEntry>> {
    let mut statement = tx.prepare_cached(&format!(
        "SELECT * FROM outbox WHERE state IN {QUEUED} ORDER BY seq"
    ))?;
    let rows = statement.query_map([], read_entry)?;
    let mut found = Vec::new();
    for entry in rows {
        let entry = entry?;
        if entry.touched.iter().any(|p| p == page_id) {
            found.push(entry);
        }
    }
    Ok(found)
}

/// The page write `seq` moves to the trash, if it is a `TrashTask`.
fn trashed_by(tx: &Transaction<'_>, seq: i64) -> rusqlite::Result<Option<String>> {
    let body: String = tx.query_row(
        "SELECT body FROM outbox WHERE seq = ?1",
        params![seq],
        |r| r.get(0),
    )?;
    Ok(serde_json::from_str::<Write>(&body)
        .ok()
        .and_then(|w| w.trashed_page().map(str::to_string)))
}

/// Sets a record's pending count to the writes still queued on it.
fn recount(tx: &Transaction<'_>, page_id: &str) -> rusqlite::Result<()> {
    let queued = queued_on(tx, page_id)?.len() as i64;
    tx.execute(
        "UPDATE records SET pending = ?2 WHERE page_id = ?1",
        params![page_id, queued],
    )?;
    // Nothing queued on it any more: none of its entries waits for Notion (the record
    // was written while the settled write still counted).
    if queued == 0 {
        tx.execute(
            "UPDATE entries SET pending = 0 WHERE page_id = ?1 AND pending = 1",
            params![page_id],
        )?;
    }
    Ok(())
}

/// Makes a record's cached copy Notion's copy with every write still queued on it applied
/// in order, and its pending count theirs. A record Notion never had is kept as it is
/// (it holds its changes already); a placeholder nothing is queued on is removed.
fn rebuild(tx: &Transaction<'_>, page_id: &str) -> rusqlite::Result<()> {
    let row: Option<(String, String, Option<String>, Record)> = tx
        .query_row(
            "SELECT records.database, records.data_source_id, pages_raw.raw, records.fields
             FROM records LEFT JOIN pages_raw ON pages_raw.page_id = records.page_id
             WHERE records.page_id = ?1",
            params![page_id],
            |r| {
                let alias: String = r.get(0)?;
                let fields: String = r.get(3)?;
                let key = find_database(&alias).map_or(DatabaseKey::Tasks, |d| d.key);
                let fields: Value = serde_json::from_str(&fields).unwrap_or(Value::Null);
                Ok((
                    alias,
                    r.get(1)?,
                    match r.get_ref(2)? {
                        rusqlite::types::ValueRef::Null => None,
                        raw => raw_pages::text_of(raw),
                    },
                    Record::from_values_json(key, Some(page_id.to_string()), &fields),
                ))
            },
        )
        .optional()?;
    let Some((alias, data_source_id, raw, cached)) = row else {
        return Ok(());
    };
    let queued = queued_on(tx, page_id)?;
    let notion = raw
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .and_then(|raw| Page::from_json(raw).ok());
    let (mut record, times) = match (find_database(&alias), notion) {
        (Some(definition), Some(page)) => {
            let times = (stamp(&page.created_time), stamp(&page.last_edited_time));
            raw_pages::write(tx, &page.id, &PackedPage::of(page.raw.get()))?;
            (Record::from_page(definition.key, &page), Some(times))
        }
        // A placeholder nothing is queued on any more: its create was refused or dropped.
        _ if queued.is_empty() && page_id.starts_with(PLACEHOLDER) => {
            tx.execute("DELETE FROM records WHERE page_id = ?1", params![page_id])?;
            return Ok(());
        }
        // A placeholder: the task as its create planned it (its business entity from the
        // cache: no write changes that).
        _ if page_id.starts_with(PLACEHOLDER) => {
            let planned = queued.iter().find_map(|entry| {
                serde_json::from_value::<Write>(entry.body.clone())
                    .ok()
                    .and_then(|w| w.created_task())
                    .filter(|task| task.page_id.as_deref() == Some(page_id))
            });
            match planned {
                Some(mut task) => {
                    task.set(
                        "Related Business Entity",
                        cached.get::<Link>("Related Business Entity"),
                    );
                    (task, None)
                }
                None => (cached, None),
            }
        }
        // Never in Notion (the demo's records): the cached copy already holds every change
        // made to it.
        _ => (cached, None),
    };
    for entry in &queued {
        if let Ok(write) = serde_json::from_value::<Write>(entry.body.clone()) {
            write.apply(&mut record);
        }
    }
    if let Some((created, edited)) = times {
        write_record(tx, &record, &data_source_id, (&created, &edited), 0)?;
    } else {
        let (created, edited): (String, String) = tx.query_row(
            "SELECT created_time, last_edited_time FROM records WHERE page_id = ?1",
            params![page_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        write_record(tx, &record, &data_source_id, (&created, &edited), 0)?;
    }
    // A refresh that read the page before now holds an older copy: it leaves this one.
    // Out of the tables while a queued write moves it to the trash.
    let trashing = queued.iter().any(|entry| {
        serde_json::from_value::<Write>(entry.body.clone())
            .is_ok_and(|w| w.trashed_page() == Some(page_id))
    });
    tx.execute(
        "UPDATE records SET settled_at = ?2, trashing = ?3 WHERE page_id = ?1",
        params![page_id, chrono::Utc::now().timestamp_millis(), trashing],
    )?;
    recount(tx, page_id)
}

fn stamp(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
