//! The dashboard's remappable keys: each action has a default key, and the config file's
//! `[keys]` table may move any of them (`advance = "M"`). Actions belong to a context; a
//! context is active with others (Global always; Table on every table, with Instances or
//! Tasks on theirs), and two actions of contexts active together may not share a key.
//!
//! Key syntax: one character (`m`, `M`, `?`), `space`, `enter`, `esc`, `tab`,
//! `backspace`, `F1`…`F12`, `ctrl-x`, `alt-x`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::file::line_of;

/// Where an action works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere but dialogs and text entry.
    Global,
    /// Any table tab.
    Table,
    /// The Instances tab (with Table).
    Instances,
    /// The Tasks tab (with Table).
    Tasks,
    /// The Activity tab (the audit log; not a table of records: its own keys).
    Activity,
}

impl Context {
    /// Whether keys of `self` and `other` can be pressed in the same place.
    pub fn active_with(self, other: Context) -> bool {
        use Context::*;
        match (self, other) {
            (Global, _) | (_, Global) => true,
            (Instances, Tasks) | (Tasks, Instances) => false,
            (Activity, other) | (other, Activity) => other == Activity,
            _ => true,
        }
    }
}

macro_rules! actions {
    ($($variant:ident $name:literal $context:ident $key:literal $what:literal;)*) => {
        /// What a remappable key does.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),* }

        /// Every action: its name in `[keys]`, its context, its default key, what it does.
        pub const ACTIONS: &[(Action, &str, Context, &str, &str)] = &[
            $((Action::$variant, $name, Context::$context, $key, $what)),*
        ];
    };
}

// The defaults are the keys the dashboard used before they could be remapped; `w`, `R`,
// `H`, `z`, `b`, `D` and the Tasks tab's `e` are new, and so are the alerts' `!`,
// `ctrl-n`, `ctrl-x` and `C` (changed rows).
actions! {
    Quit "quit" Global "q" "quit";
    Help "help" Global "?" "all keys";
    Command "command" Global ":" "command line";
    Refresh "refresh" Global "r" "refresh now";
    OpenBrowser "open_browser" Global "o" "open in the browser";
    CopyUrl "copy_url" Global "y" "copy the Notion URL";
    Undo "undo" Global "u" "undo this session's last change";
    AlertOpen "alert_open" Global "!" "open the alert's record";
    AlertNext "alert_next" Global "ctrl-n" "next alert";
    AlertDismiss "alert_dismiss" Global "ctrl-x" "dismiss the alert";
    Filter "filter" Table "/" "filter";
    Preview "preview" Table "i" "detail pane";
    SortNext "sort_next" Table "s" "sort by the next column";
    Mark "mark" Table "space" "mark / unmark the row";
    MarkRange "mark_range" Table "v" "mark from the last marked row to here";
    MarkAll "mark_all" Table "ctrl-a" "mark every row the filters show";
    QuickMine "quick_mine" Table "w" "only mine (assigned to HSN_OPERATOR)";
    QuickClear "quick_clear" Table "c" "clear quick filters";
    ClearChanged "clear_changed" Table "C" "clear the dots of rows changed since you last looked";
    Advance "advance" Instances "m" "move to a next state";
    NewTask "new_task" Instances "n" "new task";
    Resolve "resolve" Instances "R" "resolve an error";
    Hold "hold" Instances "H" "put on hold";
    QuickActive "quick_active" Instances "a" "only Active";
    QuickError "quick_error" Instances "e" "only Error";
    QuickHold "quick_hold" Instances "h" "only On Hold";
    QuickStuck "quick_stuck" Instances "x" "only stuck";
    TaskStatus "task_status" Tasks "m" "status";
    TaskPriority "task_priority" Tasks "p" "priority";
    TaskAssignee "task_assignee" Tasks "a" "assignee";
    TaskDue "task_due" Tasks "d" "due date";
    QuickClosed "quick_closed" Tasks "z" "show closed tasks too";
    QuickOverdue "quick_overdue" Tasks "e" "only overdue";
    QuickUnassigned "quick_unassigned" Tasks "b" "only unassigned";
    SortDue "sort_due" Tasks "D" "sort by due date";
    ActivityTransitions "activity_transitions" Activity "T" "only transitions";
    ActivityErrors "activity_errors" Activity "E" "only errors";
    ActivityMine "activity_mine" Activity "w" "only mine (by HSN_OPERATOR)";
    ActivityLonger "activity_longer" Activity "]" "a longer window: 1, 7, 30 days, all";
    ActivityShorter "activity_shorter" Activity "[" "a shorter window";
    ActivityClear "activity_clear" Activity "c" "clear the structured filters";
}

/// Keys that keep their meaning whatever `[keys]` says (navigation, tabs, the sort
/// letters), by the context they work in: an action may not take one.
const FIXED: &[(&str, Context, &str)] = &[
    ("ctrl-c", Context::Global, "quit at once"),
    ("esc", Context::Global, "back / clear"),
    ("enter", Context::Global, "open"),
    ("tab", Context::Global, "next tab"),
    ("0", Context::Global, "the Overview"),
    ("6", Context::Global, "the Activity tab"),
    ("t", Context::Activity, "absolute / relative times"),
    ("j", Context::Activity, "move down"),
    ("k", Context::Activity, "move up"),
    ("1", Context::Table, "tab 1"),
    ("2", Context::Table, "tab 2"),
    ("3", Context::Table, "tab 3"),
    ("4", Context::Table, "tab 4"),
    ("5", Context::Table, "tab 5"),
    ("j", Context::Table, "move down"),
    ("k", Context::Table, "move up"),
    ("g", Context::Table, "first row"),
    ("G", Context::Table, "last row"),
    ("l", Context::Table, "open"),
    ("N", Context::Table, "sort by name"),
    ("S", Context::Table, "sort by status"),
    ("P", Context::Table, "sort by priority"),
    ("A", Context::Table, "sort by assignee"),
    ("T", Context::Table, "sort by time in state"),
    ("L", Context::Table, "sort by last transition"),
];

impl Action {
    fn entry(self) -> &'static (Action, &'static str, Context, &'static str, &'static str) {
        ACTIONS
            .iter()
            .find(|a| a.0 == self)
            .expect("every action is in ACTIONS")
    }

    /// Its name in `[keys]` (`advance`).
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    pub fn context(self) -> Context {
        self.entry().2
    }

    /// What it does, for `?`.
    pub fn what(self) -> &'static str {
        self.entry().4
    }

    pub fn named(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|a| a.1 == name).map(|a| a.0)
    }
}

/// A key as `[keys]` writes it: a code and the modifiers that matter (Ctrl, Alt; Shift
/// is in the character itself: `M`, not `shift-m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    /// Reads `m`, `M`, `space`, `ctrl-a`, `F5`, … (names without case).
    pub fn parse(text: &str) -> Result<Key, String> {
        let bad = || {
            format!(
                "\"{text}\" is not a key: use one character, space, enter, esc, tab, backspace, F1…F12, ctrl-x or alt-x"
            )
        };
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.len() > 5 && lower.starts_with("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if lower.len() > 4 && lower.starts_with("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() && c != ' ' => {
                // Ctrl with a letter arrives as the lower-case letter.
                if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "space" => KeyCode::Char(' '),
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backspace" => KeyCode::Backspace,
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            },
        };
        Ok(Key { code, modifiers })
    }

    /// The key a terminal event is, with only the modifiers a [`Key`] keeps.
    pub fn of(event: &KeyEvent) -> Key {
        let mut modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            // Some terminals send shift-tab as Tab with Shift.
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            code => code,
        };
        if code == KeyCode::BackTab {
            modifiers = KeyModifiers::NONE;
        }
        Key { code, modifiers }
    }

    /// As `[keys]` writes it, and `?` shows it.
    pub fn label(&self) -> String {
        let mut label = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            label.push_str("ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            label.push_str("alt-");
        }
        match self.code {
            KeyCode::Char(' ') => label.push_str("space"),
            KeyCode::Char(c) => label.push(c),
            KeyCode::Enter => label.push_str("enter"),
            KeyCode::Esc => label.push_str("esc"),
            KeyCode::Tab => label.push_str("tab"),
            KeyCode::BackTab => label.push_str("shift-tab"),
            KeyCode::Backspace => label.push_str("backspace"),
            KeyCode::F(n) => label.push_str(&format!("F{n}")),
            other => label.push_str(&format!("{other:?}")),
        }
        label
    }
}

/// Which key does which action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    /// One per action, in [`ACTIONS`]' order.
    keys: Vec<(Action, Key)>,
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        KeyMap {
            keys: ACTIONS
                .iter()
                .map(|(action, _, _, key, _)| {
                    (*action, Key::parse(key).expect("the default keys parse"))
                })
                .collect(),
        }
    }
}

impl KeyMap {
    /// The key map of a config file's text: the defaults with its `[keys]` applied.
    pub fn from_config(text: &str) -> Result<KeyMap, String> {
        super::ConfigFile::parse(text).map(|file| file.keys)
    }

    /// The defaults with `bindings` (action name, key text, the line it is written on)
    /// applied.
    /// An unknown action, a key that cannot be read, or one already taken in a context
    /// active at the same time is an error naming the line (and both actions).
    pub fn with_bindings<'a>(
        bindings: impl IntoIterator<Item = (&'a str, &'a str, usize)>,
    ) -> Result<KeyMap, String> {
        let mut map = KeyMap::default();
        let mut set_at: Vec<(Action, usize)> = Vec::new();
        for (name, key, at) in bindings {
            let action = Action::named(name).ok_or_else(|| {
                format!(
                    "line {at}: [keys] has no action \"{name}\": use one of {}",
                    ACTIONS.iter().map(|a| a.1).collect::<Vec<_>>().join(", ")
                )
            })?;
            let parsed =
                Key::parse(key.trim()).map_err(|e| format!("line {at}: [keys] {name}: {e}"))?;
            map.set(action, parsed);
            set_at.push((action, at));
        }
        map.check(&set_at)?;
        Ok(map)
    }

    fn set(&mut self, action: Action, key: Key) {
        if let Some(slot) = self.keys.iter_mut().find(|(a, _)| *a == action) {
            slot.1 = key;
        }
    }

    /// No two actions active together on one key, and none on a fixed key. `set_at` says
    /// which actions the file moved, and on which line: an error names the later one.
    fn check(&self, set_at: &[(Action, usize)]) -> Result<(), String> {
        let line = |action: Action| set_at.iter().find(|(a, _)| *a == action).map(|s| s.1);
        for (i, (first, key)) in self.keys.iter().enumerate() {
            for (second, other) in &self.keys[i + 1..] {
                if key != other || !first.context().active_with(second.context()) {
                    continue;
                }
                let (at, moved, kept) = match (line(*first), line(*second)) {
                    (Some(a), Some(b)) if a > b => (a, first, second),
                    (_, Some(b)) => (b, second, first),
                    (Some(a), None) => (a, first, second),
                    (None, None) => unreachable!("the defaults do not conflict"),
                };
                return Err(format!(
                    "line {at}: [keys] gives {} to both {} and {}: they work in the same place; move one of them",
                    key.label(),
                    moved.name(),
                    kept.name()
                ));
            }
            if let Some((_, _, what)) = FIXED.iter().find(|(fixed, context, _)| {
                Key::parse(fixed).as_ref() == Ok(key) && context.active_with(first.context())
            }) {
                let at = line(*first).unwrap_or_default();
                return Err(format!(
                    "line {at}: [keys] gives {} to {}, but {} always means \"{what}\": choose another key",
                    key.label(),
                    first.name(),
                    key.label()
                ));
            }
        }
        Ok(())
    }

    /// The action `event` asks for in `context`: its own keys, the Table's on the
    /// Instances and Tasks tabs, and the Global ones everywhere. `None`: not a remappable
    /// key there (the caller goes on with its fixed keys).
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let pressed = Key::of(event);
        self.keys
            .iter()
            .find(|(action, key)| *key == pressed && works_in(action.context(), context))
            .map(|(action, _)| *action)
    }

    /// Every action with its key, in [`ACTIONS`]' order (for `?`: `action.what()`,
    /// `key.label()`).
    pub fn iter(&self) -> impl Iterator<Item = (Action, Key)> + '_ {
        self.keys.iter().copied()
    }

    /// The key of `action`.
    pub fn key(&self, action: Action) -> Key {
        self.keys
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, key)| *key)
            .expect("every action has a key")
    }

    /// The key of `action` as `?` and the footer show it (`m`, `space`, `ctrl-a`).
    pub fn key_label(&self, action: Action) -> String {
        self.key(action).label()
    }
}

/// Whether an action of context `own` works where `place` is: Global ones everywhere,
/// Table ones on every table tab.
fn works_in(own: Context, place: Context) -> bool {
    own == Context::Global
        || own == place
        || (own == Context::Table && matches!(place, Context::Instances | Context::Tasks))
}

/// Reads the `[keys]` table of a parsed config file (none: the defaults).
pub(super) fn read_keys(
    document: &toml_edit::Document<&str>,
    text: &str,
) -> Result<KeyMap, String> {
    let Some(item) = document.get("keys") else {
        return Ok(KeyMap::default());
    };
    let at = |span: Option<std::ops::Range<usize>>| span.map_or(0, |s| line_of(text, s.start));
    let table = item
        .as_table_like()
        .ok_or_else(|| format!("line {}: keys must be a table: [keys]", at(item.span())))?;
    let mut bindings = Vec::new();
    for (name, value) in table.iter() {
        let line = at(value.span());
        let key = value.as_str().ok_or_else(|| {
            format!("line {line}: [keys] {name} must be a key in quotes, such as \"m\"")
        })?;
        bindings.push((name, key, line));
    }
    KeyMap::with_bindings(bindings)
}

#[cfg(test)]
mod tests;
