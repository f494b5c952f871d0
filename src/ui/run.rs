//! The event loop: terminal input, engine events, loader answers and a clock, one
//! `select!`; it draws only when one of them changed something on screen. Everything
//! that touches the store runs on a blocking thread, everything that touches Notion in
//! the sync runner: a keystroke never waits for either.

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event as TermEvent, EventStream, KeyEventKind,
};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::{broadcast, mpsc};

use super::app::{Action, App, BudgetLine, Msg};
use super::data::{load_detail, load_names, load_outbox, page_url};
use super::keys::handle_key;
use super::submit::{submit_changes, undo};
use super::theme::Theme;
use super::view;
use crate::cli::session::Session;
use crate::domain::schema::DatabaseKey;
use crate::store::Readers;
use crate::store::overview::load_overview;
use crate::sync::{Command, Engine};
use crate::table::activity::load_activity;
use crate::table::{FIRST_SCREEN, load_table};

mod actions;
mod mouse;
mod watch;

/// What loaders send back: for the app, or for the loop itself.
enum Answer {
    App(Msg),
    /// A URL to put on the clipboard (the terminal is the loop's).
    Copy(String),
    /// A table could not be read: it is no longer loading (the next ask loads it again).
    TableFailed(DatabaseKey, String),
}

/// Runs the dashboard until the operator quits.
/// `tab` is the tab it opens on (`None`: the Overview).
pub async fn run(session: Session, readonly: bool, tab: Option<DatabaseKey>) -> Result<()> {
    let _log = start_logging();
    let engine = session.engine.clone();
    let operator = session.operator.name().to_string();
    let settings = crate::config::Settings::load(&std::env::current_dir()?)?;
    let stuck_rule = settings.stuck_rule()?;
    let file = crate::config::ConfigFile::load(|key| settings.get(key))?;
    let theme = Theme::from_env().with_config(&file.theme).map_err(|e| {
        color_eyre::eyre::eyre!(
            "{}: {e}",
            crate::config::config_path(|key| settings.get(key))
                .unwrap_or_default()
                .display()
        )
    })?;
    // Read before the runner starts: nothing holds the engine's connection yet.
    let last_closed = engine.store().last_closed(&operator)?;
    let store_path = engine.store().path().to_path_buf();
    let alerts = settings.alerts()?;
    let (commands, command_rx) = mpsc::channel(32);
    // A full read each hour of rounds: it catches pages trashed or deleted in Notion.
    let runner = tokio::spawn(crate::sync::run(
        engine.clone(),
        command_rx,
        settings.refresh_interval()?,
        60,
    ));
    let mut app = App::new(Utc::now(), engine.is_local(), readonly, theme);
    app.stuck_rule = stuck_rule.clone();
    app.set_operator(&operator);
    app.keymap = settings.keymap()?;
    app.views = settings.views()?;
    app.config_path = settings.config_path();
    app.looked.since = last_closed;
    app.looked.offset = *chrono::Local::now().offset();
    if last_closed.is_some() {
        app.actions.push(Action::LoadChanged);
    }
    match tab {
        Some(key) => app.switch_tab(key),
        None => app.show_overview(),
    }
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let readers = Arc::new(Readers::new(engine.store().path()));
    let mut looped = Loop {
        engine,
        readers,
        writes: Vec::new(),
        operator,
        commands: commands.clone(),
        answers: mpsc::unbounded_channel(),
        loading: HashSet::new(),
        again: HashSet::new(),
        shown: HashSet::new(),
        overview: (false, false),
        outbox: (false, false),
        activity: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        stuck_rule,
        watch: watch::Watch::new(last_closed, alerts),
        credentials: (false, false),
        reference_forms: settings.config_file()?.secrets.reference_forms(),
    };
    let result = looped.run(&mut terminal, &mut app).await;
    if result.is_ok() {
        // The next start marks what changes from now on. One small write on a connection
        // of its own; a failure costs only the marks.
        let closed = crate::store::looked::record_closed(&store_path, &looped.operator, Utc::now());
        if let Err(e) = closed {
            tracing::warn!("cannot remember when the dashboard closed: {e:#}");
        }
    }
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    let _ = std::io::stdout().flush();
    // The terminal is the operator's again. Nothing else is waited for but changes being
    // queued this moment: what is queued is committed in the outbox, and a write being
    // sent is taken over by the next hsn as one that may have landed (its lease names a
    // process that no longer runs). The runtime is shut down without waiting (`main`).
    let _ = commands.try_send(Command::Shutdown);
    drop(runner);
    for queuing in looped.writes.drain(..) {
        let _ = tokio::time::timeout(Duration::from_secs(5), queuing).await;
    }
    result
}

/// SIGTERM and SIGHUP, merged into one channel (nothing on other platforms).
fn stop_signals() -> Result<mpsc::UnboundedReceiver<()>> {
    let (send, receive) = mpsc::unbounded_channel();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        for kind in [SignalKind::terminate(), SignalKind::hangup()] {
            let mut stream = signal(kind)?;
            let send = send.clone();
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    if send.send(()).is_err() {
                        break;
                    }
                }
            });
        }
    }
    // Without these signals the channel closes at once, and the loop ignores it.
    drop(send);
    Ok(receive)
}

fn start_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dirs = directories::ProjectDirs::from("", "", "hsn")?;
    let dir = dirs.state_dir().unwrap_or(dirs.cache_dir()).to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    // The log holds record ids and errors: only its owner may read it (the files inherit
    // the umask; a private directory makes that moot).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).ok()?;
    }
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::daily(dir, "hsn.log"));
    let filter = tracing_subscriber::EnvFilter::try_from_env("HSN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

struct Loop {
    engine: Engine,
    /// The store's own connections for the loaders: a tab's rows never wait for the
    /// Overview's computation, nor for the engine.
    readers: Arc<Readers>,
    /// Changes being queued (planned and submitted on a blocking thread): quitting waits
    /// for these, and only these.
    writes: Vec<tokio::task::JoinHandle<()>>,
    operator: String,
    commands: mpsc::Sender<Command>,
    answers: (
        mpsc::UnboundedSender<Answer>,
        mpsc::UnboundedReceiver<Answer>,
    ),
    /// Tables being loaded, and those asked for again meanwhile (loaded once more after).
    loading: HashSet<DatabaseKey>,
    again: HashSet<DatabaseKey>,
    /// Tables loaded at least once.
    shown: HashSet<DatabaseKey>,
    /// The Overview being computed, and asked for again meanwhile (coalesced like tables).
    overview: (bool, bool),
    /// The `:outbox` list being read, and asked for again meanwhile (coalesced likewise).
    outbox: (bool, bool),
    /// The Activity tab's last load: an older one still reading stops.
    activity: Arc<std::sync::atomic::AtomicU64>,
    stuck_rule: crate::domain::overview::StuckRule,
    watch: watch::Watch,
    /// The secret scan running, and asked for again meanwhile (coalesced likewise).
    credentials: (bool, bool),
    /// What `API Keys Reference` may hold (`[secrets] references`).
    reference_forms: Vec<String>,
}

impl Loop {
    async fn run(&mut self, terminal: &mut DefaultTerminal, app: &mut App) -> Result<()> {
        let mut input = EventStream::new();
        let mut events = self.engine.subscribe();
        let mut clock = tokio::time::interval(Duration::from_millis(250));
        clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        // SIGTERM (a shutdown, `kill`) and SIGHUP (the terminal closed) end the dashboard
        // like `q`: the terminal is restored, and queued changes stay in the outbox.
        let mut stopping = stop_signals()?;
        let mut dirty = true;
        loop {
            for action in app.take_actions() {
                self.perform(action);
            }
            if app.quit {
                return Ok(());
            }
            if dirty {
                terminal.draw(|frame| view::draw(frame, app))?;
                dirty = false;
            }
            tokio::select! {
                event = input.next() => {
                    match event {
                        Some(Ok(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => handle_key(app, key),
                        Some(Ok(TermEvent::Mouse(mouse))) => mouse::on_mouse(app, mouse),
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Err(eyre!("cannot read the terminal: {e}")),
                        None => return Ok(()),
                    }
                    dirty = true;
                }
                Some(answer) = self.answers.1.recv() => {
                    match answer {
                        Answer::App(msg) => {
                            if let Msg::Overview(_) | Msg::OverviewFailed(_) = &msg {
                                self.overview.0 = false;
                                if std::mem::take(&mut self.overview.1) {
                                    self.perform(Action::LoadOverview);
                                }
                            }
                            if let Msg::Credentials(_) = &msg {
                                self.credentials.0 = false;
                                if std::mem::take(&mut self.credentials.1) {
                                    self.perform(Action::CountCredentials);
                                }
                            }
                            if let Msg::Outbox(_) | Msg::OutboxFailed(_) = &msg {
                                self.outbox.0 = false;
                                if std::mem::take(&mut self.outbox.1) {
                                    self.perform(Action::LoadOutbox);
                                }
                            }
                            if let Msg::Changed { .. } | Msg::ChangedFailed(_) = &msg {
                                self.changed_answered();
                            }
                            if let Msg::Alerts(news) = &msg {
                                self.alerts_answered(news);
                            }
                            if let Msg::Table(data) = &msg
                                && data.complete
                            {
                                let key = data.key;
                                self.loading.remove(&key);
                                if self.again.remove(&key) {
                                    self.perform(Action::LoadTable(key));
                                }
                            }
                            app.update(msg);
                        }
                        Answer::TableFailed(key, error) => {
                            self.loading.remove(&key);
                            self.again.remove(&key);
                            app.update(Msg::Failed(error));
                        }
                        Answer::Copy(url) => {
                            let copied = crossterm::execute!(
                                std::io::stdout(),
                                crossterm::clipboard::CopyToClipboard::to_clipboard_from(&url)
                            );
                            match copied {
                                Ok(()) => app.flash(format!("copied {url}")),
                                Err(e) => app.flash_error(format!("cannot copy: {e}")),
                            }
                        }
                    }
                    dirty = true;
                }
                event = events.recv() => {
                    match event {
                        Ok(event) => app.update(Msg::Engine(event)),
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            let keys: Vec<DatabaseKey> = app.tables.keys().copied().collect();
                            for key in keys {
                                self.perform(Action::LoadTable(key));
                            }
                        }
                        Err(broadcast::error::RecvError::Closed) => {}
                    }
                    dirty = true;
                }
                _ = clock.tick() => {
                    dirty |= app.tick(Utc::now());
                    let budget = self.engine.rate_status().map(|s| BudgetLine::from_status(&s));
                    if budget != app.budget {
                        app.budget = budget;
                        dirty = true;
                    }
                }
                Some(()) = stopping.recv() => return Ok(()),
            }
        }
    }

    /// Runs `work` on a blocking thread (the store is disk) and sends what it answers.
    fn blocking(&self, work: impl FnOnce(&Engine) -> Answer + Send + 'static) {
        let engine = self.engine.clone();
        let answers = self.answers.0.clone();
        tokio::task::spawn_blocking(move || {
            let _ = answers.send(work(&engine));
        });
    }
}
