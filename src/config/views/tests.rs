use super::*;
use crate::domain::schema::DatabaseKey;

const WITH_COMMENTS: &str = r#"# hsn settings, kept by hand
readonly = false   # not yet

[stuck]
days = 5 # a week is too long

# my views
[views.late]
tab = "tasks"   # the tasks
quick = ["overdue"]

[theme]
accent = "magenta"
"#;

fn view(name: &str) -> View {
    View {
        name: name.to_string(),
        tab: DatabaseKey::Tasks,
        filter: "wellness call".into(),
        quick: vec![Quick::Mine, Quick::Status("To Do".into())],
        sort: Some(("Due Date".into(), true)),
        builtin: false,
    }
}

#[test]
fn views_are_read_with_every_field() {
    let file = ConfigFile::parse(
        "[views.wellness]\ntab = \"instances\"\nfilter = \"well\"\nquick = [\"stuck\", \"status:Error\"]\nsort = \"In State\"\ndescending = true\n\n[views.plain]\ntab = \"tasks\"\n",
    )
    .unwrap();
    assert_eq!(file.views.len(), 2);
    let wellness = &file.views[0];
    assert_eq!(wellness.name, "wellness");
    assert_eq!(wellness.tab, DatabaseKey::ActiveWorkflowInstances);
    assert_eq!(wellness.filter, "well");
    assert_eq!(
        wellness.quick,
        [Quick::Stuck, Quick::Status("Error".into())]
    );
    assert_eq!(wellness.sort, Some(("In State".into(), true)));
    assert!(!wellness.builtin);
    assert_eq!(file.views[1].sort, None);
    assert!(file.views[1].quick.is_empty());
}

#[test]
fn a_bad_view_names_itself_and_its_line() {
    let cases = [
        (
            "[views.a]\ntab = \"tasks\"\nquick = [\"late\"]\n",
            "line 3",
            "\"late\"",
        ),
        ("[views.a]\ntab = \"nowhere\"\n", "line 2", "\"nowhere\""),
        (
            "\n[views.a]\ntab = \"tasks\"\ncolour = \"red\"\n",
            "line 4",
            "\"colour\"",
        ),
        ("[views.a]\nfilter = \"x\"\n", "line 1", "no tab"),
        (
            "[views.a]\ntab = \"tasks\"\ndescending = \"yes\"\n",
            "line 3",
            "true or false",
        ),
        (
            "[views.a]\ntab = \"tasks\"\ndescending = true\n",
            "line 1",
            "without sort",
        ),
        (
            "[views.\"my view\"]\ntab = \"tasks\"\n",
            "line 1",
            "cannot name a view",
        ),
    ];
    for (text, line, what) in cases {
        let err = ConfigFile::parse(text).unwrap_err();
        assert!(err.starts_with(&format!("{line}:")), "{text}: {err}");
        assert!(err.contains("view \""), "{text}: {err}");
        assert!(err.contains(what), "{text}: {err}");
    }
}

#[test]
fn saving_keeps_the_rest_of_the_file_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, WITH_COMMENTS).unwrap();
    save_view(&path, &view("mine-soon")).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    // Added after the other view: without it, the file is what it was.
    let added = "[views.mine-soon]\ntab = \"tasks\"\nfilter = \"wellness call\"\nquick = [\"mine\", \"status:To Do\"]\nsort = \"Due Date\"\ndescending = true\n\n";
    assert!(saved.contains(added), "{saved}");
    assert_eq!(saved.replacen(added, "", 1), WITH_COMMENTS);
    let file = ConfigFile::parse(&saved).unwrap();
    assert_eq!(file.stuck.days, Some(5));
    assert_eq!(file.theme.accent.as_deref(), Some("magenta"));
    assert_eq!(file.views[1], view("mine-soon"), "round trip");
}

#[test]
fn saving_a_view_again_replaces_it_where_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, WITH_COMMENTS).unwrap();
    let mut late = view("late");
    save_view(&path, &late).unwrap();
    late.sort = None;
    late.filter.clear();
    late.quick = vec![Quick::Overdue, Quick::Open];
    save_view(&path, &late).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_eq!(saved.matches("[views.late]").count(), 1, "{saved}");
    // Its comments and the lines around it stay; only its values changed.
    assert!(
        saved.contains("# my views\n[views.late]\ntab = \"tasks\"   # the tasks\n"),
        "{saved}"
    );
    assert!(
        saved.ends_with("[theme]\naccent = \"magenta\"\n"),
        "{saved}"
    );
    assert!(
        !saved.contains("sort") && !saved.contains("filter"),
        "{saved}"
    );
    let file = ConfigFile::parse(&saved).unwrap();
    assert_eq!(file.views, [late]);
}

#[test]
fn saving_creates_the_file_and_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hsn").join("config.toml");
    save_view(&path, &view("first")).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.starts_with("[views.first]\n"),
        "no empty [views]: {saved}"
    );
    assert_eq!(ConfigFile::parse(&saved).unwrap().views, [view("first")]);
}

#[test]
fn a_file_hsn_cannot_read_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    for text in ["[stuck\n", "[theme]\naccnt = \"red\"\n"] {
        std::fs::write(&path, text).unwrap();
        assert!(save_view(&path, &view("x")).is_err(), "{text}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
    std::fs::write(&path, WITH_COMMENTS).unwrap();
    assert!(save_view(&path, &view("two words")).is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), WITH_COMMENTS);
}
