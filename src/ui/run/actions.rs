//! What the runner does for each [`Action`] the app asks for: loads on blocking threads
//! (answered with [`Msg`]s), commands to the engine, writes planned and queued.

use super::*;

impl Loop {
    /// The secret scan of the synced records, off the loop: its count for the Overview.
    /// A failure is logged and counts nothing (doctor says what it is).
    pub(super) fn count_credentials(&mut self) {
        if self.credentials.0 {
            self.credentials.1 = true;
            return;
        }
        self.credentials.0 = true;
        let readers = self.readers.clone();
        let forms = self.reference_forms.clone();
        self.blocking(move |_| {
            let scanned = readers.read(|store| {
                let found = crate::store::secrets::scan_store(store, &forms);
                // The scan read every table: give the page cache back.
                store.release_memory()?;
                found
            });
            match scanned {
                Ok(findings) => Answer::App(Msg::Credentials(findings.len())),
                Err(e) => {
                    tracing::error!("scanning for credentials: {e:#}");
                    Answer::App(Msg::Credentials(0))
                }
            }
        });
    }

    /// Does what the app asked: off the loop when it reads or writes the store.
    pub(super) fn perform(&mut self, action: Action) {
        match action {
            Action::LoadTable(key) => {
                if !self.loading.insert(key) {
                    self.again.insert(key);
                    return;
                }
                // The first time, a screenful first: a big table shows at once and
                // completes a moment later.
                let first = self.shown.insert(key);
                let engine = self.engine.clone();
                let readers = self.readers.clone();
                let answers = self.answers.0.clone();
                tokio::task::spawn_blocking(move || {
                    let source = engine.data_source(key);
                    let limits = if first {
                        &[Some(FIRST_SCREEN), None][..]
                    } else {
                        &[None][..]
                    };
                    for &limit in limits {
                        let loaded =
                            readers.read(|store| load_table(store, key, source.as_deref(), limit));
                        let answer = match loaded {
                            Ok(data) => {
                                let complete = data.complete;
                                let answer = Answer::App(Msg::Table(Box::new(data)));
                                if complete {
                                    let _ = answers.send(answer);
                                    return;
                                }
                                answer
                            }
                            Err(e) => {
                                tracing::error!("loading {key:?}: {e:#}");
                                let _ = answers.send(Answer::TableFailed(
                                    key,
                                    format!("cannot read the store: {e}"),
                                ));
                                return;
                            }
                        };
                        let _ = answers.send(answer);
                    }
                });
            }
            Action::LoadActivity { generation, filter } => self.load_activity(generation, filter),
            Action::LoadOverview => {
                if self.overview.0 {
                    self.overview.1 = true;
                    return;
                }
                self.overview.0 = true;
                let rule = self.stuck_rule.clone();
                let readers = self.readers.clone();
                self.blocking(move |engine| {
                    let loaded = readers.read(|store| {
                        load_overview(store, |k| engine.data_source(k), &rule, Utc::now())
                    });
                    match loaded {
                        Ok(data) => Answer::App(Msg::Overview(Box::new(data))),
                        Err(e) => {
                            tracing::error!("computing the overview: {e:#}");
                            Answer::App(Msg::OverviewFailed(format!("cannot read the store: {e}")))
                        }
                    }
                });
            }
            Action::LoadDetail(page) => {
                self.blocking(move |engine| match load_detail(&engine.store(), &page) {
                    Ok(Some(detail)) => Answer::App(Msg::Detail(Box::new(detail))),
                    Ok(None) => Answer::App(Msg::DetailMissing(page)),
                    Err(e) => Answer::App(Msg::Failed(format!("cannot read the store: {e}"))),
                })
            }
            Action::Refresh(key) => {
                // A full channel means a round is already queued: nothing is lost.
                let _ = self.commands.try_send(Command::Refresh(key));
            }
            Action::Showing(keys) => {
                let _ = self.commands.try_send(Command::Showing(keys));
            }
            Action::OpenUrl(page) => self.blocking(move |engine| {
                let url = page_url(&engine.store(), &page);
                Answer::App(match url {
                    Ok(Some(url)) => match open::that_detached(&url) {
                        Ok(()) => Msg::Info(format!("opened {url}")),
                        Err(e) => Msg::Failed(format!("cannot open {url}: {e}")),
                    },
                    Ok(None) => Msg::Failed("this record has no Notion address".into()),
                    Err(e) => Msg::Failed(format!("cannot read the store: {e}")),
                })
            }),
            Action::CopyUrl(page) => {
                self.blocking(move |engine| match page_url(&engine.store(), &page) {
                    Ok(Some(url)) => Answer::Copy(url),
                    Ok(None) => {
                        Answer::App(Msg::Failed("this record has no Notion address".into()))
                    }
                    Err(e) => Answer::App(Msg::Failed(format!("cannot read the store: {e}"))),
                })
            }
            Action::LoadOutbox => {
                if self.outbox.0 {
                    self.outbox.1 = true;
                    return;
                }
                self.outbox.0 = true;
                self.blocking(|engine| match load_outbox(&engine.store()) {
                    Ok(rows) => Answer::App(Msg::Outbox(rows)),
                    Err(e) => {
                        tracing::error!("reading the outbox: {e:#}");
                        Answer::App(Msg::OutboxFailed(format!("cannot read the outbox: {e}")))
                    }
                });
            }
            Action::RetryWrite(seq) => self.outbox_change(move |engine| {
                engine.store().retry_write(seq)?;
                tracing::info!("write {seq} retried by the operator");
                Ok(format!("write {seq} goes out now"))
            }),
            Action::DropWrite(seq) => self.outbox_change(move |engine| {
                let entry = engine.store().drop_write(seq)?;
                let summary = crate::ui::data::OutboxRow::from_entry(&entry).summary;
                tracing::info!("write {seq} dropped by the operator: {summary}");
                let sent = if entry.may_have_landed() {
                    "it was sent before and may have landed in Notion; the next refresh shows \
                     whatever Notion has"
                } else {
                    "nothing was sent; the record shows Notion's copy again"
                };
                Ok(format!("write {seq} dropped: {summary} ({sent})"))
            }),
            Action::Submit { label, changes } => self.write(move |engine, operator| {
                vec![submit_changes(engine, operator, label, changes)]
            }),
            Action::Undo(step) => self.write(move |engine, operator| undo(engine, operator, step)),
            Action::LoadNames => {
                let readers = self.readers.clone();
                self.blocking(move |_| match readers.read(load_names) {
                    Ok(names) => Answer::App(Msg::Names(names)),
                    Err(e) => Answer::App(Msg::Failed(format!("cannot read the store: {e}"))),
                })
            }
            Action::LoadChanged => self.load_changed(),
            Action::MarkSeen(pages) => self.mark_seen(pages),
            Action::CheckAlerts => self.check_alerts(),
            Action::CountCredentials => self.count_credentials(),
            Action::SaveView { path, view } => self.blocking(move |_| {
                Answer::App(match crate::config::save_view(&path, &view) {
                    Ok(()) => Msg::Info(format!(
                        "view {} saved in {} (:view {} opens it)",
                        view.name,
                        path.display(),
                        view.name
                    )),
                    Err(e) => Msg::Failed(format!("view {} not saved: {e:#}", view.name)),
                })
            }),
        }
    }

    /// Reads the audit log for the Activity tab: a screenful (newest first), then every
    /// row, each sent as it is ready. A newer load stops this one.
    pub(super) fn load_activity(
        &mut self,
        generation: u64,
        filter: crate::domain::activity::ActivityFilter,
    ) {
        use std::sync::atomic::Ordering;
        self.activity.store(generation, Ordering::SeqCst);
        let latest = self.activity.clone();
        let readers = self.readers.clone();
        let answers = self.answers.0.clone();
        tokio::task::spawn_blocking(move || {
            let current = || latest.load(Ordering::SeqCst) == generation;
            for limit in [Some(FIRST_SCREEN), None] {
                let loaded = readers.read(|store| load_activity(store, &filter, limit, current));
                match loaded {
                    Ok(Some(index)) => {
                        let complete = index.complete;
                        let msg = Msg::Activity {
                            generation,
                            index: Box::new(index),
                        };
                        let _ = answers.send(Answer::App(msg));
                        if complete {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        tracing::error!("reading the audit log: {e:#}");
                        let error = format!("cannot read the audit log: {e}");
                        let _ = answers.send(Answer::App(Msg::Failed(error)));
                        return;
                    }
                }
            }
        });
    }

    /// Retries or drops a queued write (`:outbox`) on a blocking thread, then asks the
    /// runner to drain: a retried write goes out, the writes behind a dropped one follow,
    /// and the engine reports the outbox's new counts.
    pub(super) fn outbox_change(
        &self,
        change: impl FnOnce(&Engine) -> Result<String> + Send + 'static,
    ) {
        let commands = self.commands.clone();
        self.blocking(move |engine| {
            if engine.is_read_only() {
                return Answer::App(Msg::Failed(
                    "read-only: started with --readonly, nothing can be changed".into(),
                ));
            }
            Answer::App(match change(engine) {
                Ok(text) => {
                    let _ = commands.try_send(Command::Drain);
                    Msg::OutboxChanged(text)
                }
                Err(e) => Msg::Failed(format!("{e}")),
            })
        });
    }

    /// Plans and queues changes off the loop (each shows at once, pending), then asks the
    /// runner to send them.
    pub(super) fn write(&mut self, work: impl FnOnce(&Engine, &str) -> Vec<Msg> + Send + 'static) {
        let operator = self.operator.clone();
        let commands = self.commands.clone();
        let answers = self.answers.0.clone();
        let engine = self.engine.clone();
        let queuing = tokio::task::spawn_blocking(move || {
            for msg in work(&engine, &operator) {
                let _ = answers.send(Answer::App(msg));
            }
            // Sent after the answers: the dashboard hears of a batch before its writes settle
            // (and keeps what settles early, in any case).
            let _ = commands.try_send(Command::Drain);
        });
        self.writes.retain(|w| !w.is_finished());
        self.writes.push(queuing);
    }
}
