//! What changed since the operator last looked (the rows' dots, the Overview's line), and
//! the alerts a sync brought (the flash line, newest first).

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, Utc};

use super::{Action, App};
use crate::domain::alerts::Alert;
use crate::domain::schema::DatabaseKey;
use crate::domain::since::SinceSummary;

/// "Since you last looked".
#[derive(Debug, Clone)]
pub struct Looked {
    /// When the operator last closed the dashboard; `None` the first time (nothing is
    /// marked, no line).
    pub since: Option<DateTime<Utc>>,
    /// The records edited since then, not yet opened or cleared: their rows lead with `•`.
    pub changed: HashSet<String>,
    pub summary: Option<SinceSummary>,
    /// Seen in this session (a load begun before the store heard of it still lists them).
    pub seen: HashSet<String>,
    /// The operator's time zone, for the line's clock and day.
    pub offset: FixedOffset,
}

impl Default for Looked {
    fn default() -> Self {
        Looked {
            since: None,
            changed: HashSet::new(),
            summary: None,
            seen: HashSet::new(),
            offset: FixedOffset::east_opt(0).expect("zero is an offset"),
        }
    }
}

/// The alerts not yet dismissed, newest first, and the one the flash line shows.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    pub list: Vec<Alert>,
    pub shown: usize,
    /// A sync has refreshed something this session. Before, nothing is computed: what the
    /// first refresh brings happened while the operator was away (the rows' dots and the
    /// Overview's line say it), and the facts after it are the baseline.
    pub armed: bool,
}

/// Alerts kept at most (the oldest go first).
const KEPT_ALERTS: usize = 50;

impl Alerts {
    pub fn current(&self) -> Option<&Alert> {
        self.list.get(self.shown)
    }

    /// News: shown first, the newest on top (the first of a batch stays first).
    pub fn push(&mut self, news: Vec<Alert>) {
        if news.is_empty() {
            return;
        }
        self.list.splice(0..0, news);
        self.list.truncate(KEPT_ALERTS);
        self.shown = 0;
    }

    pub fn next(&mut self) {
        if !self.list.is_empty() {
            self.shown = (self.shown + 1) % self.list.len();
        }
    }

    /// Drops the shown alert; the next one shows.
    pub fn dismiss(&mut self) -> Option<Alert> {
        if self.shown >= self.list.len() {
            return None;
        }
        let gone = self.list.remove(self.shown);
        if self.shown >= self.list.len() {
            self.shown = 0;
        }
        Some(gone)
    }
}

impl App {
    /// The operator has seen `pages` (opened, or cleared with a key): their dots go, and
    /// the store remembers it.
    pub fn seen(&mut self, pages: Vec<String>) {
        self.looked.seen.extend(pages.iter().cloned());
        let pages: Vec<String> = pages
            .into_iter()
            .filter(|p| self.looked.changed.remove(p))
            .collect();
        if !pages.is_empty() {
            self.actions.push(Action::MarkSeen(pages));
        }
    }

    /// Clears the dots of every row of the tab on screen.
    pub fn clear_changed_here(&mut self) {
        let key = self.tab;
        let Some(data) = self.tables.get(&key).and_then(|t| t.data.as_ref()) else {
            return;
        };
        let pages: Vec<String> = data
            .rows
            .iter()
            .map(|r| r.page_id.clone())
            .filter(|p| self.looked.changed.contains(p))
            .collect();
        let n = pages.len();
        self.seen(pages);
        self.flash(match n {
            0 => "no changed rows here".to_string(),
            1 => "1 changed row cleared".to_string(),
            n => format!("{n} changed rows cleared"),
        });
    }

    /// Opens the shown alert's record on its tab, and drops the alert.
    pub fn open_alert(&mut self) -> bool {
        let Some(alert) = self.alerts.dismiss() else {
            return false;
        };
        let key = if alert.kind.is_instance() {
            DatabaseKey::ActiveWorkflowInstances
        } else {
            DatabaseKey::Tasks
        };
        self.switch_tab(key);
        self.open_detail(alert.page_id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::AlertKind;

    fn alert(page: &str) -> Alert {
        Alert {
            kind: AlertKind::Error,
            page_id: page.into(),
            text: format!("{page} entered Error"),
        }
    }

    #[test]
    fn news_goes_on_top_and_dismissing_shows_the_next() {
        let mut alerts = Alerts::default();
        alerts.push(vec![alert("a")]);
        alerts.push(vec![alert("b"), alert("c")]);
        let pages = |a: &Alerts| a.list.iter().map(|x| x.page_id.clone()).collect::<Vec<_>>();
        assert_eq!(pages(&alerts), ["b", "c", "a"]);
        alerts.next();
        alerts.next();
        assert_eq!(alerts.current().unwrap().page_id, "a");
        assert_eq!(alerts.dismiss().unwrap().page_id, "a");
        assert_eq!(
            alerts.current().unwrap().page_id,
            "b",
            "wraps to the newest"
        );
        alerts.dismiss();
        alerts.dismiss();
        assert!(alerts.current().is_none() && alerts.dismiss().is_none());
    }
}
