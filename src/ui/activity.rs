//! The Activity tab (`6`, `:activity`): every history entry of every instance, newest
//! first. Its structured filters (`:filter actor=… kind=…`, the quick keys) go to the
//! store, which reads the rows they pass (a screenful first, the rest in the background);
//! the `/` filter and the per-day histogram are computed here over what was read
//! (`table::activity`). `enter` opens the entry's instance with the entry marked.

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};

use super::app::{Action, App, Mode};
use super::input::LineInput;
use crate::config::keys::Key;
use crate::domain::activity::{ActivityFilter, ActivityKind, terms};
use crate::domain::schema::DatabaseKey;
use crate::table::activity::{ActivityIndex, ActivityMatcher, DAY_MS, Entry};

/// The days the histogram covers when no `since=` says: the last 30.
pub const HISTOGRAM_DAYS: i64 = 30;
/// The most days it covers (a long `since=` window shows its last 90).
pub const HISTOGRAM_MAX_DAYS: i64 = 90;
/// The windows `[` and `]` step through, in days; past the last: all time.
pub const WINDOWS: [i64; 3] = [1, 7, 30];

#[derive(Debug, Clone, Default)]
pub struct ActivityView {
    /// The structured filters: the store reads the rows they pass.
    pub filter: ActivityFilter,
    /// The `/` filter over the columns shown.
    pub text: String,
    pub data: Option<ActivityIndex>,
    /// What the `/` filter shows of `data`, and the histogram.
    pub matcher: ActivityMatcher,
    /// Index into the rows shown.
    pub selected: usize,
    /// The first row drawn.
    pub offset: usize,
    /// The load asked for last: the answers of older ones are dropped.
    pub generation: u64,
    /// The store changed while another tab showed: read again when shown.
    pub stale: bool,
    /// The entry to select once the rows holding it arrive (from the Overview): its
    /// instance's page id and its time.
    pub want: Option<(String, i64)>,
}

impl ActivityView {
    /// The shown rows, as indices into `data.rows`.
    pub fn visible(&self) -> &[u32] {
        &self.matcher.shown.visible
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        let index = *self.visible().get(self.selected)?;
        self.data.as_ref()?.rows.get(index as usize)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = crate::table::moved(self.selected, delta, self.visible().len());
    }

    /// Keeps the selection inside a window of `height` rows; returns the window's start.
    pub fn scroll_to_selection(&mut self, height: usize) -> usize {
        self.offset =
            crate::table::window_start(self.selected, self.offset, height, self.visible().len());
        self.offset
    }

    /// The days the histogram counts: the `since`..`until` window, else the last
    /// [`HISTOGRAM_DAYS`] up to today; at most [`HISTOGRAM_MAX_DAYS`].
    pub fn window(&self, now: DateTime<Utc>) -> (i64, i64) {
        let day = |t: DateTime<Utc>| t.timestamp_millis().div_euclid(DAY_MS);
        let last = self
            .filter
            .until
            .map_or(day(now), |until| day(until - Duration::milliseconds(1)));
        let first = self
            .filter
            .since
            .map_or(last - HISTOGRAM_DAYS + 1, day)
            .max(last - HISTOGRAM_MAX_DAYS + 1)
            .min(last);
        (first, last)
    }

    /// Filters the rows again with the `/` text. `narrow`: only the text changed.
    pub fn recompute(&mut self, now: DateTime<Utc>, narrow: bool) {
        let window = self.window(now);
        if let Some(data) = &self.data {
            self.matcher.filter(data, &self.text, window, narrow);
        } else {
            self.matcher.reset();
        }
        self.selected = self.selected.min(self.visible().len().saturating_sub(1));
    }

    /// Rows read by load `generation`: shown if it is the last asked for, the selection
    /// kept on the same entry while it is there.
    pub fn replace(&mut self, generation: u64, data: ActivityIndex, now: DateTime<Utc>) {
        if generation != self.generation {
            return;
        }
        let keep = self
            .selected_entry()
            .zip(self.data.as_ref())
            .map(|(entry, old)| (old.page_id(entry).to_string(), entry.position));
        self.data = Some(data);
        self.matcher.reset();
        self.recompute(now, false);
        if !self.select_wanted()
            && let Some((page, position)) = keep
        {
            self.select_where(|data, row| data.page_id(row) == page && row.position == position);
        }
    }

    /// Selects the entry the Overview asked for, if it is read already; whether it was.
    fn select_wanted(&mut self) -> bool {
        let Some((page, at)) = self.want.clone() else {
            return false;
        };
        let found = self.select_where(|data, row| data.page_id(row) == page && row.at == at);
        if found || self.data.as_ref().is_some_and(|d| d.complete) {
            self.want = None;
        }
        found
    }

    fn select_where(&mut self, wanted: impl Fn(&ActivityIndex, &Entry) -> bool) -> bool {
        let Some(data) = &self.data else {
            return false;
        };
        let found = self
            .visible()
            .iter()
            .position(|&i| wanted(data, &data.rows[i as usize]));
        if let Some(found) = found {
            self.selected = found;
        }
        found.is_some()
    }
}

impl App {
    /// Shows the Activity tab, reading the audit log the first time or when the store
    /// changed since.
    pub fn show_activity(&mut self) {
        self.details.clear();
        self.on_overview = false;
        self.on_activity = true;
        if !matches!(self.mode, Mode::Normal) {
            self.mode = Mode::Normal;
        }
        if self.activity.data.is_none() || self.activity.stale {
            self.load_activity();
        } else {
            self.activity.select_wanted();
        }
        self.actions
            .push(Action::Showing(vec![DatabaseKey::ActiveWorkflowInstances]));
    }

    /// Reads the rows the structured filters pass (again).
    pub fn load_activity(&mut self) {
        let view = &mut self.activity;
        view.stale = false;
        view.generation += 1;
        self.actions.push(Action::LoadActivity {
            generation: view.generation,
            filter: view.filter.clone(),
        });
    }

    /// The audit log changed: read again now if it shows, else when shown.
    pub(super) fn activity_changed(&mut self) {
        if self.activity.data.is_none() && !self.on_activity {
            return;
        }
        if self.on_activity {
            self.load_activity();
        } else {
            self.activity.stale = true;
        }
    }

    /// New structured filters: the rows are read again, from the top.
    fn set_activity_filter(&mut self, filter: ActivityFilter) {
        self.activity.filter = filter;
        self.activity.selected = 0;
        self.activity.offset = 0;
        self.load_activity();
    }
}

/// `:filter key=value …` on the Activity tab: each term adds or replaces its key
/// (`key=` removes it); none: every structured filter cleared. A bad term changes nothing.
pub fn filter_command(app: &mut App, text: &str) {
    let mut filter = app.activity.filter.clone();
    if text.trim().is_empty() {
        filter = ActivityFilter::default();
    }
    for term in terms(text) {
        let set = match term.split_once('=') {
            Some((key, value)) => filter.set(key, value, app.now),
            None => Err(format!(
                "\"{term}\" is not a filter: write key=value ({}), or / to filter the text",
                crate::domain::activity::FILTER_KEYS.join(", ")
            )),
        };
        if let Err(e) = set {
            return app.flash_error(e);
        }
    }
    app.set_activity_filter(filter);
}

/// A quick key: only `kind`, or every kind again.
pub fn toggle_kind(app: &mut App, kind: ActivityKind) {
    let mut filter = app.activity.filter.clone();
    filter.kinds = if filter.kinds == [kind] {
        Vec::new()
    } else {
        vec![kind]
    };
    app.set_activity_filter(filter);
}

/// A quick key: only the operator's entries, or everyone's again.
pub fn toggle_mine(app: &mut App) {
    if app.operator.trim().is_empty() {
        return app.flash_error("who is \"mine\"? set HSN_OPERATOR to your name");
    }
    let mut filter = app.activity.filter.clone();
    filter.actor = match filter.actor {
        Some(actor) if actor == app.operator => None,
        _ => Some(app.operator.clone()),
    };
    app.set_activity_filter(filter);
}

/// `]` a longer `since` window, `[` a shorter one: 1 day, 7, 30, all time.
pub fn step_window(app: &mut App, longer: bool) {
    let now = app.now;
    let span = app
        .activity
        .filter
        .since
        .map(|since| (now - since).num_minutes() as f64 / 1440.0);
    let next = match (span, longer) {
        (None, true) => None,
        (None, false) => WINDOWS.last().copied(),
        (Some(days), true) => WINDOWS.iter().copied().find(|&w| w as f64 > days + 1e-6),
        (Some(days), false) => WINDOWS
            .iter()
            .rev()
            .copied()
            .find(|&w| (w as f64) < days - 1e-6)
            .or(Some(WINDOWS[0])),
    };
    let mut filter = app.activity.filter.clone();
    filter.since = next.map(|days| now - Duration::days(days));
    app.flash(match next {
        Some(days) => format!(
            "activity of the last {days} day{}",
            if days == 1 { "" } else { "s" }
        ),
        None => "activity of all time".to_string(),
    });
    app.set_activity_filter(filter);
}

/// A key on the Activity tab (the keys every view shares, and its remappable quick keys,
/// are handled before).
pub fn key(app: &mut App, key: KeyEvent) {
    if Key::of(&key) == app.keymap.key(crate::config::keys::Action::Filter) {
        app.mode = Mode::Filter;
        return;
    }
    let now = app.now;
    let view = &mut app.activity;
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => view.move_by(1),
        KeyCode::Char('k') | KeyCode::Up => view.move_by(-1),
        KeyCode::PageDown => view.move_by(20),
        KeyCode::PageUp => view.move_by(-20),
        KeyCode::Char('g') | KeyCode::Home => view.selected = 0,
        KeyCode::Char('G') | KeyCode::End => view.move_by(isize::MAX / 2),
        KeyCode::Char('t') => app.relative_time = !app.relative_time,
        KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => open_entry(app),
        KeyCode::Esc if !view.text.is_empty() => {
            view.text.clear();
            view.recompute(now, false);
        }
        KeyCode::Esc if !view.filter.is_empty() => {
            app.set_activity_filter(ActivityFilter::default())
        }
        _ => {}
    }
}

/// A key while the `/` filter is typed.
pub fn filter_key(app: &mut App, key: KeyEvent) {
    let now = app.now;
    let view = &mut app.activity;
    match key.code {
        KeyCode::Esc => {
            view.text.clear();
            view.recompute(now, false);
        }
        KeyCode::Enter => {}
        KeyCode::Down | KeyCode::Up => {
            view.move_by(if key.code == KeyCode::Down { 1 } else { -1 });
            app.mode = Mode::Filter;
        }
        _ => {
            let mut input = LineInput::with(&view.text);
            input.handle(key);
            view.text = input.text().to_string();
            view.selected = 0;
            view.recompute(now, true);
            app.mode = Mode::Filter;
        }
    }
}

/// `enter`: the entry's instance, its detail scrolled to the entry and marking it.
pub fn open_entry(app: &mut App) {
    let Some((page, position)) = app.activity.selected_entry().and_then(|entry| {
        let data = app.activity.data.as_ref()?;
        Some((data.page_id(entry).to_string(), entry.position as usize))
    }) else {
        return;
    };
    // `m` and the other keys of an instance plan from the Instances table's workflows.
    let instances = DatabaseKey::ActiveWorkflowInstances;
    if !app.tables.contains_key(&instances) {
        app.table_of(instances);
        app.actions.push(Action::LoadTable(instances));
    }
    app.open_detail(page);
    if let Some(view) = app.details.last_mut() {
        view.marked = Some(position);
        view.scroll = position;
    }
}

#[cfg(test)]
mod tests;
