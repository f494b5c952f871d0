//! The loop's side of "since you last looked" and of alerts: reading what changed since the
//! last close, remembering what the operator has seen, computing alerts after each sync
//! (coalesced: one computation at a time, one more if asked meanwhile), and ringing the
//! bell or sending a desktop notification as the config asks.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Answer, Loop};
use crate::config::AlertSettings;
use crate::domain::alerts::Alert;
use crate::store::looked::AlertCheck;
use crate::ui::app::Msg;

/// What the loop keeps for these.
#[derive(Debug, Default)]
pub(super) struct Watch {
    /// When the operator last closed the dashboard (`None`: never; nothing is marked).
    pub since: Option<DateTime<Utc>>,
    pub settings: AlertSettings,
    /// The last computation's facts.
    last: Arc<Mutex<AlertCheck>>,
    /// An alert computation running, and one asked for meanwhile.
    checking: (bool, bool),
    /// What changed since the last close being read, and asked for again meanwhile.
    reading: (bool, bool),
}

impl Watch {
    pub fn new(since: Option<DateTime<Utc>>, settings: AlertSettings) -> Watch {
        Watch {
            since,
            settings,
            ..Watch::default()
        }
    }
}

impl Loop {
    /// Reads which records changed since the last close, and what happened meanwhile.
    pub(super) fn load_changed(&mut self) {
        let Some(since) = self.watch.since else {
            return;
        };
        if self.watch.reading.0 {
            self.watch.reading.1 = true;
            return;
        }
        self.watch.reading.0 = true;
        let readers = self.readers.clone();
        let operator = self.operator.clone();
        self.blocking(move |_| {
            let read = readers.read(|store| {
                Ok((
                    store.changed_since(&operator, since)?,
                    store.since_summary(since, &operator)?,
                ))
            });
            Answer::App(match read {
                Ok((changed, summary)) => Msg::Changed {
                    changed,
                    summary: Some(summary),
                },
                Err(e) => {
                    Msg::ChangedFailed(format!("cannot read what changed since you looked: {e}"))
                }
            })
        });
    }

    /// What changed was read: the next read may start.
    pub(super) fn changed_answered(&mut self) {
        self.watch.reading.0 = false;
        if std::mem::take(&mut self.watch.reading.1) {
            self.load_changed();
        }
    }

    /// Remembers that the operator has seen `pages` (on the engine's connection: a reader
    /// does not write).
    pub(super) fn mark_seen(&self, pages: Vec<String>) {
        let operator = self.operator.clone();
        let engine = self.engine.clone();
        let answers = self.answers.0.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = engine.store().mark_seen(&operator, &pages) {
                let error = format!("cannot remember what you saw: {e}");
                let _ = answers.send(Answer::App(Msg::Failed(error)));
            }
        });
    }

    /// Computes the alert facts now and answers with what joined since the last time.
    pub(super) fn check_alerts(&mut self) {
        if self.watch.checking.0 {
            self.watch.checking.1 = true;
            return;
        }
        self.watch.checking.0 = true;
        let readers = self.readers.clone();
        let rule = self.stuck_rule.clone();
        let operator = self.operator.clone();
        let kinds = self.watch.settings.kinds.clone();
        let last = self.watch.last.clone();
        self.blocking(move |engine| {
            let read = readers.read(|store| {
                let mut check = last.lock().unwrap_or_else(|p| p.into_inner());
                let source = |k| engine.data_source(k);
                check.run(store, source, &rule, &operator, &kinds, Utc::now())
            });
            match read {
                Ok(news) => Answer::App(Msg::Alerts(news)),
                Err(e) => {
                    tracing::error!("computing alerts: {e:#}");
                    Answer::App(Msg::Alerts(Vec::new()))
                }
            }
        });
    }

    /// An alert computation answered: the next one may start; news rings and notifies as
    /// the config asks.
    pub(super) fn alerts_answered(&mut self, news: &[Alert]) {
        self.watch.checking.0 = false;
        if std::mem::take(&mut self.watch.checking.1) {
            self.check_alerts();
        }
        if news.is_empty() {
            return;
        }
        if self.watch.settings.bell {
            let _ = std::io::stdout().write_all(b"\x07");
            let _ = std::io::stdout().flush();
        }
        if self.watch.settings.desktop {
            notify_desktop(desktop_body(news));
        }
    }
}

/// Shown in one desktop notification at most (the rest are counted).
const NOTIFIED: usize = 5;

/// The notification's text: the first few alerts, one a line, and how many more.
fn desktop_body(news: &[Alert]) -> String {
    let mut lines: Vec<String> = news
        .iter()
        .take(NOTIFIED)
        .map(|a| crate::present::inert(&a.text))
        .collect();
    if news.len() > NOTIFIED {
        lines.push(format!("and {} more", news.len() - NOTIFIED));
    }
    lines.join("\n")
}

/// Sends a desktop notification off the loop, never waiting for it: without a
/// notification daemon (or a session bus) it fails, and that failure is only logged.
fn notify_desktop(body: String) {
    let mut notification = notify_rust::Notification::new();
    notification.summary("hsn").body(&body).appname("hsn");
    #[cfg(all(unix, not(target_os = "macos")))]
    tokio::spawn(async move {
        match tokio::time::timeout(Duration::from_secs(5), notification.show_async()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::info!("no desktop notification: {e}"),
            Err(_) => tracing::info!("no desktop notification: no answer in 5 s"),
        }
    });
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    tokio::task::spawn_blocking(move || {
        if let Err(e) = notification.show() {
            tracing::info!("no desktop notification: {e}");
        }
    });
}
