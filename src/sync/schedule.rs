//! Which data sources a round of the runner refreshes, so that an open dashboard costs a
//! few requests a minute, not one per data source.
//!
//! Each round asks Notion once which pages were edited last (a search sorted by
//! `last_edited_time`), and refreshes only the data sources that have pages edited since
//! their watermark. Notion's search index can lag, or miss a page: so what is on screen is
//! refreshed every few rounds anyway, and every data source every `STALE_ROUNDS` at worst.
//! With the default 60 s round, an idle dashboard spends about three requests a minute
//! (BENCHMARKS.md).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use super::engine::{Backend, Engine};
use crate::domain::schema::{DATABASES, DatabaseKey};
use crate::notion::NotionId;

/// Rounds after which what is on screen is refreshed even if nothing seems to have changed.
pub const VISIBLE_ROUNDS: u64 = 5;
/// Rounds after which any data source is refreshed even if nothing seems to have changed.
pub const STALE_ROUNDS: u64 = 20;
/// Pages the one search of a round looks at.
const PROBE_PAGES: usize = 100;

/// What the runner remembers between rounds.
#[derive(Debug, Default)]
pub struct Schedule {
    round: u64,
    /// The round each data source was last refreshed in.
    refreshed: HashMap<DatabaseKey, u64>,
    /// What the dashboard shows now.
    visible: Vec<DatabaseKey>,
}

impl Schedule {
    pub fn set_visible(&mut self, keys: Vec<DatabaseKey>) {
        self.visible = keys;
    }

    pub fn visible(&self) -> &[DatabaseKey] {
        &self.visible
    }

    /// Starts a round; returns its number.
    pub fn next_round(&mut self) -> u64 {
        self.round += 1;
        self.round
    }

    /// The data sources a store already holds, read by an earlier run: the first round
    /// refreshes them only if the search says they changed (a dashboard start costs a
    /// request or two, not one per data source).
    pub fn synced_before(&mut self, keys: impl IntoIterator<Item = DatabaseKey>) {
        for key in keys {
            self.refreshed.entry(key).or_insert(self.round);
        }
    }

    /// Whether `key` was refreshed within the last `rounds` rounds.
    pub fn fresh(&self, key: DatabaseKey, rounds: u64) -> bool {
        self.refreshed
            .get(&key)
            .is_some_and(|at| self.round.saturating_sub(*at) < rounds)
    }

    pub fn refreshed(&mut self, key: DatabaseKey) {
        self.refreshed.insert(key, self.round);
    }

    /// The data sources this round refreshes, in order: those `changed` (`None`: unknown,
    /// so all), what is on screen if it was not refreshed lately, and any gone stale.
    pub fn plan(&self, changed: Option<&HashSet<DatabaseKey>>) -> Vec<DatabaseKey> {
        let all = DATABASES.iter().map(|d| d.key);
        let visible = self.visible.iter().copied();
        let mut keys: Vec<DatabaseKey> = Vec::new();
        for key in visible.chain(all) {
            if keys.contains(&key) {
                continue;
            }
            let due = match changed {
                None => true,
                Some(changed) => {
                    changed.contains(&key)
                        || (self.visible.contains(&key) && !self.fresh(key, VISIBLE_ROUNDS))
                        || !self.fresh(key, STALE_ROUNDS)
                }
            };
            if due {
                keys.push(key);
            }
        }
        keys
    }
}

/// How far Notion's clock may be from ours, for the minute an edit time stands for.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::seconds(30);

impl Engine {
    /// The data sources this store has read before (by any run).
    pub fn synced_sources(&self) -> Result<Vec<DatabaseKey>> {
        let Backend::Notion { sources, .. } = &self.backend else {
            return Ok(Vec::new());
        };
        let store = self.store();
        let mut keys = Vec::new();
        for database in &DATABASES {
            if let Ok(id) = sources.get(database.key)
                && store
                    .sync_state(id)?
                    .is_some_and(|s| s.last_refresh.is_some())
            {
                keys.push(database.key);
            }
        }
        Ok(keys)
    }

    /// The data sources with pages edited since their last refresh, from one search of the
    /// pages edited last; `None` when that search cannot tell (more pages edited since some
    /// refresh than it returns). Data sources never refreshed count as changed.
    ///
    /// Notion rounds edit times down to the minute, so a page whose time equals the cached
    /// copy's changed again only if that minute had not ended when its data source was last
    /// refreshed. Archived and trashed pages are left to the full reads (a query would not
    /// return them).
    pub async fn edited_sources(&self) -> Result<Option<HashSet<DatabaseKey>>> {
        let Backend::Notion { client, sources } = &self.backend else {
            return Ok(Some(HashSet::new()));
        };
        // By data source: its key and when it was last refreshed.
        let mut refreshed: HashMap<NotionId, (DatabaseKey, DateTime<Utc>)> = HashMap::new();
        let mut changed = HashSet::new();
        for database in &DATABASES {
            let Ok(id) = sources.get(database.key) else {
                continue;
            };
            let last = self.store().sync_state(id)?.and_then(|s| s.last_refresh);
            match (last, NotionId::parse(id)) {
                (Some(last), Ok(id)) => {
                    refreshed.insert(id, (database.key, last));
                }
                _ => {
                    changed.insert(database.key);
                }
            }
        }
        let (pages, more) = client
            .background()
            .recently_edited_pages(PROBE_PAGES)
            .await?;
        for page in pages.iter().filter(|p| !p.in_trash && !p.is_archived) {
            let Some((key, last)) = page
                .parent
                .data_source_id
                .as_deref()
                .and_then(|source| NotionId::parse(source).ok())
                .and_then(|source| refreshed.get(&source))
            else {
                continue;
            };
            let cached = self
                .store()
                .record(&page.id)?
                .and_then(|r| DateTime::parse_from_rfc3339(&r.last_edited_time).ok())
                .map(|t| t.with_timezone(&Utc));
            let minute_open_then =
                *last < page.last_edited_time + chrono::Duration::minutes(1) + CLOCK_SLACK;
            let edited = match cached {
                None => true,
                Some(cached) => {
                    page.last_edited_time > cached
                        || (page.last_edited_time == cached && minute_open_then)
                }
            };
            if edited {
                changed.insert(*key);
            }
        }
        // More pages than returned, and even the oldest returned may be newer than a
        // refresh: those not returned may be too.
        let oldest_refresh = refreshed.values().map(|(_, last)| *last).min();
        let oldest_seen = pages.iter().map(|p| p.last_edited_time).min();
        if more
            && oldest_seen
                .zip(oldest_refresh)
                .is_none_or(|(seen, last)| seen + chrono::Duration::minutes(1) + CLOCK_SLACK > last)
        {
            return Ok(None);
        }
        Ok(Some(changed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_round_refreshes_nothing_but_what_is_due() {
        let mut schedule = Schedule::default();
        schedule.next_round();
        // The first round knows nothing: everything.
        let first = schedule.plan(None);
        assert_eq!(first.len(), DATABASES.len());
        for key in first {
            schedule.refreshed(key);
        }
        schedule.set_visible(vec![DatabaseKey::Tasks]);
        let nothing = HashSet::new();
        schedule.next_round();
        assert!(schedule.plan(Some(&nothing)).is_empty(), "idle: no query");
        let changed: HashSet<DatabaseKey> = [DatabaseKey::ContactsProfiles].into();
        assert_eq!(
            schedule.plan(Some(&changed)),
            vec![DatabaseKey::ContactsProfiles],
            "only what changed"
        );
        for _ in 1..VISIBLE_ROUNDS {
            schedule.next_round();
        }
        assert_eq!(
            schedule.plan(Some(&nothing)),
            vec![DatabaseKey::Tasks],
            "what is on screen, every few rounds"
        );
        schedule.refreshed(DatabaseKey::Tasks);
        schedule.set_visible(Vec::new());
        for _ in VISIBLE_ROUNDS..STALE_ROUNDS {
            schedule.next_round();
        }
        let stale = schedule.plan(Some(&nothing));
        assert_eq!(stale.len(), DATABASES.len() - 1, "all but the fresh one");
        assert!(!stale.contains(&DatabaseKey::Tasks));
    }
}
