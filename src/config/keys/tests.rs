use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn char(c: char) -> KeyEvent {
    press(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn keys_are_read_as_written() {
    let key = |text: &str| Key::parse(text).unwrap();
    assert_eq!(key("m").code, KeyCode::Char('m'));
    assert_eq!(key("M").code, KeyCode::Char('M'));
    assert_eq!(key("?").code, KeyCode::Char('?'));
    assert_eq!(key("space").code, KeyCode::Char(' '));
    assert_eq!(key("Enter").code, KeyCode::Enter);
    assert_eq!(key("esc").code, KeyCode::Esc);
    assert_eq!(key("tab").code, KeyCode::Tab);
    assert_eq!(key("F1").code, KeyCode::F(1));
    assert_eq!(key("f12").code, KeyCode::F(12));
    let ctrl = key("ctrl-A");
    assert_eq!(
        (ctrl.code, ctrl.modifiers),
        (KeyCode::Char('a'), KeyModifiers::CONTROL)
    );
    assert_eq!(key("alt-x").modifiers, KeyModifiers::ALT);
    for label in ["m", "M", "space", "ctrl-a", "F5", "alt-x", "enter"] {
        assert_eq!(key(label).label(), label);
    }
    for bad in [
        "", "mm", "F13", "F0", "ctrl-", "shift-m", "spacebar", "\u{7}",
    ] {
        let err = Key::parse(bad).unwrap_err();
        assert!(err.contains("is not a key"), "{bad:?}: {err}");
    }
}

#[test]
fn the_defaults_are_todays_keys() {
    let map = KeyMap::default();
    let on = |context, event: KeyEvent| map.action(context, &event);
    assert_eq!(on(Context::Global, char('q')), Some(Action::Quit));
    assert_eq!(
        on(Context::Instances, char('q')),
        Some(Action::Quit),
        "global"
    );
    assert_eq!(on(Context::Instances, char('m')), Some(Action::Advance));
    assert_eq!(on(Context::Tasks, char('m')), Some(Action::TaskStatus));
    assert_eq!(on(Context::Tasks, char('/')), Some(Action::Filter), "table");
    assert_eq!(
        on(Context::Global, char('/')),
        None,
        "no table in a detail view"
    );
    assert_eq!(on(Context::Table, char('m')), None, "not on another table");
    assert_eq!(on(Context::Instances, char('e')), Some(Action::QuickError));
    assert_eq!(on(Context::Tasks, char('e')), Some(Action::QuickOverdue));
    assert_eq!(
        on(
            Context::Tasks,
            press(KeyCode::Char('a'), KeyModifiers::CONTROL)
        ),
        Some(Action::MarkAll)
    );
    assert_eq!(on(Context::Tasks, char('a')), Some(Action::TaskAssignee));
    assert_eq!(
        on(
            Context::Instances,
            press(KeyCode::Char('R'), KeyModifiers::SHIFT)
        ),
        Some(Action::Resolve),
        "shift is in the character"
    );
    assert_eq!(on(Context::Table, char(' ')), Some(Action::Mark));
    assert_eq!(map.key_label(Action::Mark), "space");
    assert_eq!(map.key_label(Action::MarkAll), "ctrl-a");
    assert_eq!(map.key_label(Action::Advance), "m");
    assert_eq!(map.iter().count(), ACTIONS.len());
    assert!(map.iter().all(|(action, key)| map.key(action) == key));
    // Every action has a key, and the defaults pass the file's checks.
    assert_eq!(KeyMap::with_bindings([]).unwrap(), map);
}

#[test]
fn a_partial_keys_table_moves_only_what_it_names() {
    let map =
        KeyMap::from_config("readonly = false\n[keys]\nadvance = \"M\"\nquit = \"F10\"\n").unwrap();
    assert_eq!(
        map.action(Context::Instances, &char('M')),
        Some(Action::Advance)
    );
    assert_eq!(
        map.action(Context::Instances, &char('m')),
        None,
        "m is free now"
    );
    assert_eq!(
        map.action(Context::Global, &press(KeyCode::F(10), KeyModifiers::NONE)),
        Some(Action::Quit)
    );
    assert_eq!(map.key_label(Action::Advance), "M");
    // Untouched: still the default.
    assert_eq!(map.key_label(Action::TaskStatus), "m");
    assert_eq!(map.key_label(Action::Filter), "/");
    // No [keys]: the defaults.
    assert_eq!(KeyMap::from_config("").unwrap(), KeyMap::default());
}

#[test]
fn an_unknown_action_names_its_line() {
    let err = KeyMap::from_config("[keys]\nadvance = \"M\"\nadvanse = \"X\"\n").unwrap_err();
    assert!(err.starts_with("line 3:"), "{err}");
    assert!(
        err.contains("\"advanse\"") && err.contains("advance"),
        "{err}"
    );
}

#[test]
fn a_bad_key_names_its_line() {
    let err = KeyMap::from_config("\n[keys]\nquit = \"control-q\"\n").unwrap_err();
    assert!(
        err.starts_with("line 3:") && err.contains("\"control-q\" is not a key"),
        "{err}"
    );
    let err = KeyMap::from_config("[keys]\nquit = 5\n").unwrap_err();
    assert!(err.starts_with("line 2:") && err.contains("quit"), "{err}");
}

#[test]
fn a_conflict_names_the_line_and_both_actions() {
    // Two moved keys on one: the later line is named.
    let err = KeyMap::from_config("[keys]\nrefresh = \"z\"\n\nundo = \"z\"\n").unwrap_err();
    assert!(err.starts_with("line 4:"), "{err}");
    assert!(err.contains("undo") && err.contains("refresh"), "{err}");
    // A moved key onto a default one: a Global key with a Tasks one.
    let err = KeyMap::from_config("[keys]\nquit = \"p\"\n").unwrap_err();
    assert!(err.starts_with("line 2:"), "{err}");
    assert!(
        err.contains("quit") && err.contains("task_priority"),
        "{err}"
    );
    // Table with Instances.
    let err = KeyMap::from_config("[keys]\nfilter = \"x\"\n").unwrap_err();
    assert!(
        err.contains("filter") && err.contains("quick_stuck"),
        "{err}"
    );
    // Instances and Tasks are never on screen together: the same key is fine.
    let map = KeyMap::from_config("[keys]\nresolve = \"b\"\n").unwrap();
    assert_eq!(
        map.action(Context::Instances, &char('b')),
        Some(Action::Resolve)
    );
    assert_eq!(
        map.action(Context::Tasks, &char('b')),
        Some(Action::QuickUnassigned)
    );
    // Swapping two keys in one go is no conflict.
    let map = KeyMap::from_config("[keys]\nrefresh = \"o\"\nopen_browser = \"r\"\n").unwrap();
    assert_eq!(
        map.action(Context::Global, &char('o')),
        Some(Action::Refresh)
    );
    // Navigation keeps its keys.
    let err = KeyMap::from_config("[keys]\nadvance = \"j\"\n").unwrap_err();
    assert!(
        err.starts_with("line 2:") && err.contains("move down"),
        "{err}"
    );
}
