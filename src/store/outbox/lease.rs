//! Who sends a queued write: exactly one process at a time, across every hsn sharing the
//! store (the dashboard, a cron `hsn sync`, a script).
//!
//! A process claims a write in an IMMEDIATE transaction (SQLite's write lock, so two
//! claims never interleave): it marks the row `sending` with a lease, its own name and an
//! expiry. Another process skips a row under a live lease, and every later write on the
//! same records: order is kept per record, not across the whole outbox. The holder renews
//! the lease while it sends; a holder that died leaves an expired lease (or, on this
//! machine, a process id that no longer runs), and the next claim takes the row over,
//! knowing from its attempt count that it may have landed.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::Result;
use rusqlite::params;

use super::{OutboxEntry, QUEUED, Store, now_text, read_entry};

/// How long a lease holds without renewal.
pub const LEASE: Duration = Duration::from_secs(60);

/// A process that sends writes: `host/pid/nonce`, unique per process (and per engine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder(String);

impl Holder {
    /// This process, under a name no other process (nor an earlier one with the same id)
    /// has.
    pub fn this_process() -> Holder {
        Holder(format!(
            "{}/{}/{:08x}",
            host_name(),
            std::process::id(),
            fastrand::u32(..)
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A holder by name (`host/pid/nonce`), as another process would be.
    #[cfg(test)]
    pub(crate) fn named(name: &str) -> Holder {
        Holder(name.to_string())
    }

    #[cfg(test)]
    pub(crate) fn this_host() -> String {
        host_name()
    }

    /// Whether the holder named `name` is known to be gone: a process of this machine
    /// that no longer runs. Elsewhere (or unknowable), only the lease's expiry tells.
    pub(super) fn is_gone(name: &str) -> bool {
        let mut parts = name.split('/');
        let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
            return false;
        };
        if host != host_name() || !cfg!(target_os = "linux") {
            return false;
        }
        pid.parse::<u32>()
            .is_ok_and(|pid| pid != std::process::id() && !process_runs(pid))
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty() && !h.contains('/'))
        .unwrap_or_else(|| "localhost".into())
}

/// A zombie (killed, not yet reaped by its parent) no longer sends anything.
fn process_runs(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_none_or(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

fn millis(at: chrono::DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A write claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The row as it was before the claim: `attempts` counts the sends before this one.
    pub entry: OutboxEntry,
    /// Someone (this process earlier, or one that died) sent it before and never settled
    /// it: it may have landed. (Not after a hold: Notion saved nothing then.)
    pub may_have_landed: bool,
}

impl Store {
    /// Takes the oldest write that may go now: not held, not under another live lease, not
    /// waiting out a backoff, not in `skip` (tried in this drain already), and with no
    /// earlier queued write on any of its records. Marks it `sending` under `holder`'s
    /// lease and counts the attempt.
    pub fn claim_write(&mut self, holder: &Holder, skip: &HashSet<i64>) -> Result<Option<Claimed>> {
        let now = Utc::now();
        let tx = self.write_transaction()?;
        let queued: VecDeque<(OutboxEntry, Option<String>, i64, i64, bool)> = {
            let mut statement = tx.prepare(&format!(
                "SELECT * FROM outbox WHERE state IN {QUEUED} ORDER BY seq"
            ))?;
            let rows = statement.query_map([], |row| {
                Ok((
                    read_entry(row)?,
                    row.get::<_, Option<String>>("lease_owner")?,
                    row.get::<_, i64>("lease_until")?,
                    row.get::<_, i64>("not_before")?,
                    row.get::<_, bool>("unsent")?,
                ))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut blocked: HashSet<String> = HashSet::new();
        let mut chosen = None;
        for (entry, owner, lease_until, not_before, unsent) in queued {
            let leased = entry.state == super::OutboxState::Sending
                && lease_until > millis(now)
                && !owner.as_deref().is_some_and(Holder::is_gone);
            let free = !entry.touched.iter().any(|page| blocked.contains(page));
            if free
                && !leased
                && entry.state != super::OutboxState::Held
                && not_before <= millis(now)
                && !skip.contains(&entry.seq)
            {
                chosen = Some((entry, unsent));
                break;
            }
            blocked.extend(entry.touched.iter().cloned());
        }
        let Some((entry, unsent)) = chosen else {
            return Ok(None);
        };
        let until = now + chrono::Duration::from_std(LEASE)?;
        tx.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, unsent = 0,
             lease_owner = ?2, lease_until = ?3, updated_at = ?4 WHERE seq = ?1",
            params![entry.seq, holder.as_str(), millis(until), now_text()],
        )?;
        tx.commit()?;
        let may_have_landed = entry.attempts > 0 && !unsent;
        Ok(Some(Claimed {
            entry,
            may_have_landed,
        }))
    }

    /// Extends `holder`'s leases on the writes it is sending.
    pub fn renew_leases(&mut self, holder: &Holder) -> Result<()> {
        let until = Utc::now() + chrono::Duration::from_std(LEASE)?;
        self.conn.execute(
            "UPDATE outbox SET lease_until = ?2 WHERE lease_owner = ?1 AND state = 'sending'",
            params![holder.as_str(), millis(until)],
        )?;
        Ok(())
    }

    /// Stores the write as it is about to be sent for the first time (stamped with the
    /// time it goes out), so a retry sends exactly the same. `false`: the lease is no
    /// longer `holder`'s, and it must not send.
    pub fn restamp_write(
        &mut self,
        seq: i64,
        holder: &Holder,
        body: &serde_json::Value,
    ) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE outbox SET body = ?3 WHERE seq = ?1 AND lease_owner = ?2 AND state = 'sending'",
            params![seq, holder.as_str(), body.to_string()],
        )?;
        Ok(changed == 1)
    }

    /// Whether `holder` still holds the lease on write `seq`, extending it if so: asked
    /// right before each request that changes something in Notion, so a holder that
    /// stalled past its lease (and lost the write to another process) sends nothing more.
    pub fn keep_lease(&mut self, seq: i64, holder: &Holder) -> Result<bool> {
        let until = Utc::now() + chrono::Duration::from_std(LEASE)?;
        let changed = self.conn.execute(
            "UPDATE outbox SET lease_until = ?3 WHERE seq = ?1 AND lease_owner = ?2 AND state = 'sending'",
            params![seq, holder.as_str(), millis(until)],
        )?;
        Ok(changed == 1)
    }

    /// Puts back to pending every write `holder` still has `sending` (a drain that ended on
    /// an error of the store before settling it). Called when a drain starts, when none of
    /// the holder's writes can be in flight; their attempts stay counted (they may have
    /// landed).
    pub fn release_own_leases(&mut self, holder: &Holder) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = 0, updated_at = ?2
             WHERE lease_owner = ?1 AND state = 'sending'",
            params![holder.as_str(), now_text()],
        )?)
    }

    /// Sending failed in a way worth retrying: back to pending, with its reason, not before
    /// `wait` has passed (0: at the next drain).
    pub fn release_for_retry(
        &mut self,
        seq: i64,
        holder: &Holder,
        error: &str,
        wait: Duration,
    ) -> Result<()> {
        let not_before = Utc::now() + chrono::Duration::from_std(wait)?;
        self.conn.execute(
            "UPDATE outbox SET state = 'pending', last_error = ?3, lease_owner = NULL, lease_until = 0,
             not_before = ?4, updated_at = ?5 WHERE seq = ?1 AND lease_owner = ?2 AND state = 'sending'",
            params![seq, holder.as_str(), error, millis(not_before), now_text()],
        )?;
        Ok(())
    }

    /// Sending failed before Notion saved anything of it (a blocked connection refused its
    /// first request): back to `pending` as a write never sent, so it may be dropped and
    /// goes as new next time. Only for an attempt that was itself sent as new: one that
    /// may have landed earlier stays so (`release_for_retry`).
    pub fn release_unsent(&mut self, seq: i64, holder: &Holder, error: &str) -> Result<()> {
        self.release_as_unsent(seq, holder, error, "pending")
    }

    /// Sending cannot succeed until the operator acts (the block limit): held with its
    /// reason and its change, not retried by itself. Notion saved nothing of it (the
    /// attempt that was held proved it), so when it goes again it goes as new.
    pub fn hold_write(&mut self, seq: i64, holder: &Holder, error: &str) -> Result<()> {
        self.release_as_unsent(seq, holder, error, "held")
    }

    /// Releases a write `holder` sends into `state`, known unsent.
    fn release_as_unsent(
        &mut self,
        seq: i64,
        holder: &Holder,
        error: &str,
        state: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET state = ?5, last_error = ?3, unsent = 1, lease_owner = NULL,
             lease_until = 0, updated_at = ?4 WHERE seq = ?1 AND lease_owner = ?2 AND state = 'sending'",
            params![seq, holder.as_str(), error, now_text(), state],
        )?;
        Ok(())
    }
}
