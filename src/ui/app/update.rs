//! How the app takes what the runner tells it ([`Msg`]): loaded data, the engine's events,
//! writes queued and settled (a batch's progress and report, the steps `u` undoes).

use super::*;

impl App {
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Table(data) => {
                let key = data.key;
                self.pending_writes = data.pending_writes;
                let status = self.sync.entry(key).or_default();
                status.last_refresh = status.last_refresh.max(data.freshness.last_refresh);
                let now = self.now;
                let stuck_rule = self.stuck_rule.clone();
                let view = self.table_of(key);
                view.stuck_rule = stuck_rule;
                view.replace(*data, now);
                // The pane's record may have changed with the table: read it again.
                self.preview_asked = None;
            }
            Msg::Activity { generation, index } => {
                let now = self.now;
                self.activity.replace(generation, *index, now);
            }
            Msg::Overview(data) => {
                self.overview.replace(*data);
                // The first scan for credentials once the Overview is on screen: it reads
                // every record, and the figures come first.
                if self.credentials.is_none() {
                    self.actions.push(Action::CountCredentials);
                }
            }
            Msg::OverviewFailed(error) => self.flash_error(error),
            Msg::Credentials(found) => self.credentials = Some(found),
            Msg::Detail(detail) => {
                // A workflow's map counts its instances with the Overview's figures.
                if detail.machine.is_some() && (self.overview.data.is_none() || self.overview_stale)
                {
                    self.overview_stale = false;
                    self.actions.push(Action::LoadOverview);
                }
                if let Mode::TaskForm(form) = &mut self.mode
                    && form.instance_page == detail.page_id
                {
                    form.entity = Some(TaskForm::entity_of(&detail));
                }
                if self.preview_asked.as_deref() == Some(detail.page_id.as_str()) {
                    self.previewed = Some((*detail).clone());
                }
                for view in self
                    .details
                    .iter_mut()
                    .filter(|v| v.page_id == detail.page_id)
                {
                    if self.follow {
                        let entries = detail.history.as_ref().map_or(0, |h| h.entries.len());
                        view.scroll = entries.saturating_sub(1);
                    }
                    view.link = view.link.min(detail.links.len().saturating_sub(1));
                    view.detail = Some((*detail).clone());
                }
            }
            Msg::DetailMissing(page_id) => {
                if self.detail().is_some_and(|d| d.page_id == page_id) {
                    self.details.pop();
                    self.flash_error("that record is no longer in the store");
                }
            }
            Msg::Submitted {
                label,
                queued,
                refused,
                undoing,
            } => self.submitted(label, queued, refused, undoing),
            Msg::Dropped(n) => {
                self.flash(format!(
                    "{} dropped from the outbox, nothing sent",
                    super::super::bulk::count_of(n, "queued change", "queued changes")
                ));
                self.reload(None);
            }
            Msg::Names(names) => {
                if let Mode::Prompt(prompt) = &mut self.mode {
                    prompt.set_names(names.clone());
                }
                self.names = names;
            }
            Msg::Failed(error) => self.flash_error(error),
            Msg::Info(text) => self.flash(text),
            Msg::Engine(event) => self.engine_event(event),
            Msg::Outbox(rows) => {
                // The footer counts what the list shows.
                self.pending_writes = rows.len();
                self.stuck_writes = rows.iter().filter(|r| r.stuck).count();
                if let Mode::Outbox(view) = &mut self.mode {
                    view.replace(rows);
                }
            }
            Msg::OutboxFailed(error) => self.flash_error(error),
            Msg::Changed { changed, summary } => {
                let seen = &self.looked.seen;
                self.looked.changed = changed.into_iter().filter(|p| !seen.contains(p)).collect();
                self.looked.summary = summary;
            }
            Msg::ChangedFailed(error) => self.flash_error(error),
            Msg::Alerts(news) => self.alerts.push(news),
            Msg::OutboxChanged(text) => {
                self.flash(text);
                self.outbox_changed();
                // A dropped write's records show Notion's copy again.
                self.reload(None);
            }
        }
    }

    /// Reloads what shows `database` (after a change to it).
    fn reload(&mut self, database: Option<DatabaseKey>) {
        if database.is_none_or(|d| crate::store::overview::OVERVIEW_SOURCES.contains(&d)) {
            self.overview_changed();
        }
        if database.is_none_or(|d| d == DatabaseKey::ActiveWorkflowInstances) {
            self.activity_changed();
        }
        for key in self.tables.keys() {
            if database.is_none_or(|d| d == *key) {
                self.actions.push(Action::LoadTable(*key));
            }
        }
        let open: Vec<String> = self.details.iter().map(|d| d.page_id.clone()).collect();
        for page in open {
            self.actions.push(Action::LoadDetail(page));
        }
    }

    /// Changes were queued: a step to undo, and (for many) a batch to follow.
    fn submitted(
        &mut self,
        label: String,
        queued: Vec<Queued>,
        refused: Vec<(String, String)>,
        undoing: bool,
    ) {
        if queued.is_empty() {
            match refused.as_slice() {
                [(title, why)] => self.flash_error(format!("{title}: {why}")),
                _ => {
                    let progress = Progress::new(label, &[], refused);
                    self.flash_error(progress.line());
                    self.report(progress);
                }
            }
            return;
        }
        if !undoing {
            self.undo.push(UndoStep {
                label: label.clone(),
                writes: queued.clone(),
            });
        }
        if queued.len() + refused.len() == 1 {
            self.flash(if undoing {
                format!("{label} — pending")
            } else {
                format!("{label} — pending (u undoes)")
            });
            return;
        }
        let mut progress = Progress::new(label, &queued, refused);
        self.recent.apply_to(&mut progress);
        self.progress = Some(progress);
        self.progress_changed();
    }

    /// The engine settled write `seq`; returns whether a batch in progress took it.
    fn settled(&mut self, seq: i64, settled: Settled) -> bool {
        self.recent.push(seq, settled.clone());
        let taken = self
            .progress
            .as_mut()
            .is_some_and(|progress| progress.settle(seq, &settled));
        if taken {
            self.progress_changed();
        }
        taken
    }

    /// Says how the batch goes; once it ends, lists what was not changed.
    fn progress_changed(&mut self) {
        let Some(progress) = &self.progress else {
            return;
        };
        if !progress.finished() {
            return;
        }
        let progress = self.progress.take().expect("checked above");
        if progress.failures.is_empty() {
            self.flash(progress.line());
        } else {
            self.flash_error(progress.line());
            self.report(progress);
        }
    }

    /// Shows the records a batch did not change, unless a dialog is open (the flash says it).
    fn report(&mut self, progress: Progress) {
        if matches!(self.mode, Mode::Normal) {
            self.mode = Mode::Report(progress);
        }
    }

    fn engine_event(&mut self, event: Event) {
        match event {
            Event::RecordsChanged { database, ids } => {
                self.actions.push(Action::CountCredentials);
                if crate::store::overview::OVERVIEW_SOURCES.contains(&database) {
                    self.overview_changed();
                }
                if self.looked.since.is_some() {
                    self.actions.push(Action::LoadChanged);
                }
                if self.alerts.armed
                    && matches!(
                        database,
                        DatabaseKey::ActiveWorkflowInstances | DatabaseKey::Tasks
                    )
                {
                    self.actions.push(Action::CheckAlerts);
                }
                if self.tables.contains_key(&database) {
                    self.actions.push(Action::LoadTable(database));
                }
                if database == DatabaseKey::ActiveWorkflowInstances {
                    self.activity_changed();
                }
                if let Some(view) = self.detail()
                    && (self.follow || ids.contains(&view.page_id))
                {
                    self.actions.push(Action::LoadDetail(view.page_id.clone()));
                }
            }
            Event::SyncProgress { database, fetched } => {
                self.sync.entry(database).or_default().fetching = Some(fetched);
            }
            Event::Refreshed { database, at } => {
                let status = self.sync.entry(database).or_default();
                status.fetching = None;
                status.error = None;
                status.last_refresh = Some(at);
                // The first refresh of the session takes the baseline; then each refresh of
                // the instances, even one that changed nothing: what only the clock changes
                // (an instance becoming stuck, a task overdue) alerts too.
                if !self.alerts.armed || database == DatabaseKey::ActiveWorkflowInstances {
                    self.alerts.armed = true;
                    self.actions.push(Action::CheckAlerts);
                }
                self.offline = None;
                // The freshness line says when each source synced.
                if self.on_overview && crate::store::overview::OVERVIEW_SOURCES.contains(&database)
                {
                    self.actions.push(Action::LoadOverview);
                }
            }
            Event::SyncFailed { database, error } => {
                let status = self.sync.entry(database).or_default();
                status.fetching = None;
                status.error = Some(error.clone());
                self.offline = Some(error);
            }
            Event::PendingWrites(n) => {
                self.pending_writes = n;
                self.outbox_changed();
                self.reload(None);
            }
            Event::StuckWrites(n) => {
                self.stuck_writes = n;
                self.outbox_changed();
            }
            Event::WriteConfirmed { seq, summary, note } => {
                if !self.settled(seq, Settled::Sent) {
                    match note {
                        Some(note) => self.flash(format!("{summary} — {note}")),
                        None => self.flash(format!("{summary} — saved")),
                    }
                }
                self.outbox_changed();
                self.reload(None);
            }
            Event::WriteHeld {
                seq,
                summary,
                error,
            } => {
                if !self.settled(seq, Settled::Held(error.clone())) {
                    self.flash_error(format!("{summary} — held: {error}"));
                }
                self.outbox_changed();
                self.reload(None);
            }
            Event::WriteFailed {
                seq,
                summary,
                error,
            } => {
                if !self.settled(seq, Settled::Refused(error.clone())) {
                    self.flash_error(format!("{summary} — refused, rolled back: {error}"));
                }
                self.outbox_changed();
                self.reload(None);
            }
            Event::Offline { error } => self.offline = Some(error),
        }
    }
}
