//! The dashboard's state: what is on screen, and how messages from the loaders and the
//! sync engine change it (`app/update.rs`). Keys are in `keys.rs`; nothing here does I/O:
//! the runner performs the [`Action`]s the app asks for and answers with [`Msg`]s
//! (`app/message.rs`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use ratatui::layout::Rect;

use super::activity::ActivityView;
use super::bulk::{Confirm, Progress, Queued, RecentlySettled, Settled, UndoStep};
use super::data::Detail;
use super::forms::{Picker, Prompt, TaskForm};
use super::input::LineInput;
use super::overview::OverviewView;
use super::theme::Theme;
use crate::config::KeyMap;
use crate::domain::overview::StuckRule;
use crate::domain::schema::DatabaseKey;
use crate::domain::view::View;
use crate::sync::Event;
use crate::table::{TableView, Viewer};

mod budget;
mod clock;
mod looked;
mod message;
mod outbox;
mod update;

pub use budget::BudgetLine;
pub use looked::{Alerts, Looked};
pub use message::{Action, Msg};
pub use outbox::OutboxView;

/// The five tabs always in the header; the other 11 databases open with `:NAME`.
pub const MAIN_TABS: [DatabaseKey; 5] = [
    DatabaseKey::BusinessEntities,
    DatabaseKey::AgentRegistry,
    DatabaseKey::WorkflowsLibrary,
    DatabaseKey::ActiveWorkflowInstances,
    DatabaseKey::Tasks,
];

/// The tab `--tab NAME` opens on: `None` for the Overview, else one of [`MAIN_TABS`].
pub fn main_tab(name: &str) -> color_eyre::Result<Option<DatabaseKey>> {
    if name.trim().eq_ignore_ascii_case("overview") {
        return Ok(None);
    }
    crate::domain::schema::find_database(name)
        .map(|d| d.key)
        .filter(|key| MAIN_TABS.contains(key))
        .map(Some)
        .ok_or_else(|| {
            color_eyre::eyre::eyre!(
                "--tab {name:?} is not a tab: overview, entities, agents, workflows, instances or tasks"
            )
        })
}

#[derive(Debug, Clone, Default)]
pub enum Mode {
    #[default]
    Normal,
    Filter,
    Command(LineInput),
    /// `?`: the keys of the view under it; `scroll` is the first line shown.
    Help {
        scroll: usize,
    },
    Picker(Picker),
    Prompt(Prompt),
    TaskForm(Box<TaskForm>),
    /// `:outbox`: the writes queued for Notion.
    Outbox(OutboxView),
    /// A question before many changes, or an undo: only `y` goes on.
    Confirm(Confirm),
    /// How a batch ended: the records not changed, with Notion's reasons.
    Report(Progress),
}

/// The detail screen of one record (`enter`).
#[derive(Debug, Clone, Default)]
pub struct DetailView {
    pub page_id: String,
    pub detail: Option<Detail>,
    /// Which link `enter` follows.
    pub link: usize,
    /// The history entry kept on screen (and selected while the history has the focus).
    pub scroll: usize,
    /// `tab` gives `j`/`k`/`enter` to the history instead of the links.
    pub history_focus: bool,
    /// The selected history entry shown whole, with its details (`enter`; `esc` closes).
    pub entry_open: bool,
    /// The entry marked in the history and the timeline (its position in the log): the
    /// one the Activity tab opened it on.
    pub marked: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

/// How one database syncs, as its tab says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    pub last_refresh: Option<DateTime<Utc>>,
    /// Pages fetched so far while a refresh runs.
    pub fetching: Option<usize>,
    pub error: Option<String>,
}

/// What a tab of the header shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Table(DatabaseKey),
    Activity,
}

/// Where things were drawn, for the mouse.
#[derive(Debug, Clone, Default)]
pub struct HitAreas {
    /// Each tab's label and what it shows.
    pub tabs: Vec<(Rect, Screen)>,
    /// The Overview's selectable lines: where, which panel, which item.
    pub overview: Vec<(Rect, super::overview::Panel, usize)>,
    /// The table's body (rows only) and its first row's index in `visible`.
    pub rows: Rect,
    pub offset: usize,
}

#[derive(Debug)]
pub struct App {
    pub now: DateTime<Utc>,
    /// The database tab last shown (the footer's freshness while on the Overview).
    pub tab: DatabaseKey,
    /// The Overview is the tab on screen.
    pub on_overview: bool,
    pub overview: OverviewView,
    /// The Activity tab is on screen (`on_overview` is then false).
    pub on_activity: bool,
    pub activity: ActivityView,
    /// Its figures are older than the store (changed while another tab showed).
    pub overview_stale: bool,
    /// How long in one state makes an instance stuck (Overview and the `x` filter).
    pub stuck_rule: StuckRule,
    pub tables: HashMap<DatabaseKey, TableView>,
    pub mode: Mode,
    /// The open record, and those opened before it (`esc` returns to them).
    pub details: Vec<DetailView>,
    /// The side (or, when narrow, lower) pane with what the selected row does not show.
    pub preview: bool,
    /// The record the pane shows, read off the loop (`Action::LoadDetail`) when the
    /// selection changes: one record, never text for every row.
    pub previewed: Option<Detail>,
    /// The page last asked for the pane.
    pub preview_asked: Option<String>,
    /// Credentials stored in the synced records (`None` until the first scan answers).
    pub credentials: Option<usize>,
    pub flash: Option<Flash>,
    pub sync: HashMap<DatabaseKey, SyncStatus>,
    pub pending_writes: usize,
    /// Queued writes held for the operator or tried again and again.
    pub stuck_writes: usize,
    /// Notion's request budget as the status line shows it (`None`: the demo), and whether
    /// it needs the operator's eye.
    pub budget: Option<BudgetLine>,
    /// Notion could not be reached: why.
    pub offline: Option<String>,
    pub demo: bool,
    pub readonly: bool,
    pub relative_time: bool,
    pub follow: bool,
    pub spinner: usize,
    pub theme: Theme,
    pub hits: HitAreas,
    pub quit: bool,
    /// Actions waiting for the runner.
    pub actions: Vec<Action>,
    /// What `u` undoes, the last step last: this session's changes.
    pub undo: Vec<UndoStep>,
    /// The last batch of writes on its way (its line shows until it ends).
    pub progress: Option<Progress>,
    /// Writes the engine settled lately (a batch may hear of its writes late).
    pub recent: RecentlySettled,
    /// The names an assignee may be chosen from (agents, people seen), once loaded.
    pub names: Vec<String>,
    /// Who is acting (`HSN_OPERATOR`): `mine` goes by it.
    pub operator: String,
    /// Which key does which action (`[keys]` in the config file).
    pub keymap: KeyMap,
    /// The saved views, built in and from the config file.
    pub views: Vec<View>,
    /// Where `:save` writes (`None`: no config file could be located).
    pub config_path: Option<std::path::PathBuf>,
    /// What changed since the operator last closed the dashboard.
    pub looked: Looked,
    /// What syncs brought that the operator must not miss.
    pub alerts: Alerts,
    /// The command line's completions `tab` goes through, once they share no more prefix.
    pub completions: Option<Completions>,
}

/// The completions of one text, and which of them the command line shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completions {
    pub candidates: Vec<String>,
    pub at: usize,
}

impl App {
    pub fn new(now: DateTime<Utc>, demo: bool, readonly: bool, theme: Theme) -> App {
        App {
            now,
            tab: DatabaseKey::ActiveWorkflowInstances,
            on_overview: true,
            overview: OverviewView::default(),
            on_activity: false,
            activity: ActivityView::default(),
            overview_stale: false,
            stuck_rule: StuckRule::default(),
            tables: HashMap::new(),
            mode: Mode::Normal,
            details: Vec::new(),
            preview: false,
            previewed: None,
            credentials: None,
            preview_asked: None,
            flash: None,
            sync: HashMap::new(),
            pending_writes: 0,
            stuck_writes: 0,
            budget: None,
            offline: None,
            demo,
            readonly,
            relative_time: false,
            follow: false,
            spinner: 0,
            theme,
            hits: HitAreas::default(),
            quit: false,
            actions: Vec::new(),
            undo: Vec::new(),
            progress: None,
            recent: RecentlySettled::default(),
            names: Vec::new(),
            operator: String::new(),
            keymap: KeyMap::default(),
            views: crate::domain::view::builtin_views(),
            config_path: None,
            looked: Looked::default(),
            alerts: Alerts::default(),
            completions: None,
        }
    }

    pub fn take_actions(&mut self) -> Vec<Action> {
        self.ask_preview();
        std::mem::take(&mut self.actions)
    }

    /// Asks for the selected row's record when the `i` pane shows and it is not the one
    /// asked for last: whatever moved the selection (keys, filters, a reload).
    fn ask_preview(&mut self) {
        if !self.preview || self.on_overview || self.on_activity || self.detail().is_some() {
            return;
        }
        let Some(page) = self
            .table()
            .and_then(|t| Some(t.selected_row()?.page_id.clone()))
        else {
            return;
        };
        if self.preview_asked.as_deref() != Some(page.as_str()) {
            self.preview_asked = Some(page.clone());
            self.actions.push(Action::LoadDetail(page));
        }
    }

    pub fn table(&self) -> Option<&TableView> {
        self.tables.get(&self.tab)
    }

    /// Who is acting: `mine` goes by it, in every table.
    pub fn set_operator(&mut self, operator: &str) {
        self.operator = operator.to_string();
        let now = self.now;
        for table in self.tables.values_mut() {
            table.viewer.operator = operator.to_string();
            table.recompute(now);
        }
    }

    pub fn table_mut(&mut self) -> &mut TableView {
        self.table_of(self.tab)
    }

    /// `key`'s table, made with the tab's own defaults the first time (the Tasks tab shows
    /// open tasks), knowing who the operator is.
    pub fn table_of(&mut self, key: DatabaseKey) -> &mut TableView {
        // Every key reaches its table through here: the operator is copied only for a new one.
        let operator = &self.operator;
        self.tables.entry(key).or_insert_with(|| {
            let viewer = Viewer {
                operator: operator.clone(),
                today: None,
            };
            TableView::for_tab(key, viewer)
        })
    }

    pub fn detail(&self) -> Option<&DetailView> {
        self.details.last()
    }

    /// The database of what is on screen: the open record's, else the tab's (the
    /// Activity tab's entries are the instances').
    pub fn focus_database(&self) -> DatabaseKey {
        let tab = if self.on_activity {
            DatabaseKey::ActiveWorkflowInstances
        } else {
            self.tab
        };
        self.detail()
            .and_then(|d| d.detail.as_ref())
            .map_or(tab, |d| d.key)
    }

    /// What the header's tabs show as on screen.
    pub fn screen(&self) -> Screen {
        if self.on_overview {
            Screen::Overview
        } else if self.on_activity {
            Screen::Activity
        } else {
            Screen::Table(self.tab)
        }
    }

    /// Shows `screen`.
    pub fn show(&mut self, screen: Screen) {
        match screen {
            Screen::Overview => self.show_overview(),
            Screen::Table(key) => self.switch_tab(key),
            Screen::Activity => self.show_activity(),
        }
    }

    /// The page the keys act on: the open record, else the selected row.
    pub fn focus_page(&self) -> Option<String> {
        match self.detail() {
            Some(view) => Some(view.page_id.clone()),
            None if self.on_overview => match self.overview.target()? {
                super::overview::Target::Page(page) => Some(page),
                super::overview::Target::Instances { .. } => None,
            },
            None if self.on_activity => {
                let view = &self.activity;
                Some(
                    view.data
                        .as_ref()?
                        .page_id(view.selected_entry()?)
                        .to_string(),
                )
            }
            None => self.table()?.selected_row().map(|r| r.page_id.clone()),
        }
    }

    /// Why the record in focus must not be passed around by its link, if it holds a
    /// credential (shown masked): the integration guide keeps them out of Notion, and a
    /// link spreads what the page holds.
    pub fn focus_credential(&self) -> Option<String> {
        let page = self.focus_page()?;
        // A mask's bullets, not its `⚠`: a title may hold a `⚠` of its own.
        let marked = |text: &str| text.contains(crate::domain::secrets::MASKED);
        let hint_of = |detail: &super::data::Detail| {
            detail.hints.first().map(|(column, hint)| {
                format!(
                    "{column}: {}",
                    hint.trim_start_matches(crate::domain::secrets::MARK)
                )
            })
        };
        if let Some(detail) = self
            .details
            .iter()
            .filter_map(|v| v.detail.as_ref())
            .chain(self.previewed.as_ref())
            .find(|d| d.page_id == page)
        {
            return hint_of(detail);
        }
        // The record's row in any table loaded (from the Overview or the Activity tab, the
        // record is not the selected row): a rare key, so a plain search.
        let row_marked = self
            .tables
            .values()
            .filter_map(|t| t.data.as_ref())
            .any(|data| {
                data.rows
                    .iter()
                    .position(|r| r.page_id == page)
                    .is_some_and(|i| (0..data.columns.len()).any(|c| marked(data.cell(i, c))))
            });
        row_marked.then(|| "it holds what looks like a credential".to_string())
    }

    pub fn flash(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
            until: self.now + Duration::seconds(5),
        });
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
            until: self.now + Duration::seconds(10),
        });
    }

    /// Shows a tab, loading it the first time.
    pub fn switch_tab(&mut self, key: DatabaseKey) {
        self.details.clear();
        self.on_overview = false;
        self.on_activity = false;
        self.tab = key;
        if self.mode_is_overlay() {
            self.mode = Mode::Normal;
        }
        if !self.tables.contains_key(&key) {
            self.table_of(key);
            self.actions.push(Action::LoadTable(key));
        }
        self.actions.push(Action::Showing(vec![key]));
    }

    /// Shows the Overview, computing it the first time or when the store changed since.
    pub fn show_overview(&mut self) {
        self.details.clear();
        self.on_overview = true;
        self.on_activity = false;
        if self.mode_is_overlay() {
            self.mode = Mode::Normal;
        }
        if self.overview.data.is_none() || self.overview_stale {
            self.overview_stale = false;
            self.actions.push(Action::LoadOverview);
        }
        self.actions.push(Action::Showing(
            crate::store::overview::OVERVIEW_SOURCES.to_vec(),
        ));
    }

    /// The Overview's figures changed under it: recompute now if it shows, else when shown
    /// (or when a workflow's map counts with them).
    fn overview_changed(&mut self) {
        let counting = self
            .detail()
            .and_then(|v| v.detail.as_ref())
            .is_some_and(|d| d.machine.is_some());
        if self.on_overview || counting {
            self.actions.push(Action::LoadOverview);
        } else {
            self.overview_stale = true;
        }
    }

    fn mode_is_overlay(&self) -> bool {
        !matches!(self.mode, Mode::Normal)
    }

    pub fn open_detail(&mut self, page_id: String) {
        self.seen(vec![page_id.clone()]);
        self.details.push(DetailView {
            page_id: page_id.clone(),
            ..DetailView::default()
        });
        self.actions.push(Action::LoadDetail(page_id));
    }
}
