use super::*;
use crate::domain::demo::{demo_data_source_id, demo_pages};
use crate::domain::schema::DatabaseKey;
use crate::notion::Page;
use crate::store::Store;
use crate::table::load_table;

/// Over thousands of rows the candidates are scored in parts on several threads: the
/// matches and their order must be those of scoring each row alone.
#[test]
fn scoring_in_parts_gives_what_scoring_row_by_row_gives() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let key = DatabaseKey::ActiveWorkflowInstances;
    let (_, instances) = demo_pages(chrono::Utc::now())
        .unwrap()
        .into_iter()
        .find(|(k, _)| *k == key)
        .unwrap();
    // The demo's instances, again and again under new ids: well over one part.
    let pages: Vec<Page> = (0..100)
        .flat_map(|copy| {
            instances.iter().map(move |page| {
                let mut page = page.clone();
                page["id"] = format!("{copy:04}-{}", page["id"].as_str().unwrap()).into();
                Page::from_json(page).unwrap()
            })
        })
        .collect();
    store
        .upsert_pages(key, &demo_data_source_id(key), &pages)
        .unwrap();
    let data = load_table(&store, key, None, None).unwrap();
    assert!(data.rows.len() > 4_096, "{} rows", data.rows.len());
    let all: Vec<Match> = (0..data.rows.len() as u32).map(Match::unscored).collect();
    for filter in ["inq", "con sul", "a", "~con sul", "~inq"] {
        let parted = score_rows(&data, &all, filter, Kept::Nothing);
        let alone: Vec<Match> = all
            .iter()
            .flat_map(|m| score_rows(&data, std::slice::from_ref(m), filter, Kept::Nothing))
            .collect();
        assert!(!alone.is_empty(), "{filter}");
        let key = |m: &Match| (m.row, m.settled, m.total);
        assert_eq!(
            parted.iter().map(key).collect::<Vec<_>>(),
            alone.iter().map(key).collect::<Vec<_>>(),
            "{filter}"
        );
    }
}

/// The demo's tasks, every one (no quick filter), with the filter text `filter`.
fn demo_tasks(dir: &tempfile::TempDir) -> (TableData, TableView) {
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    store.seed_demo(chrono::Utc::now()).unwrap();
    let data = load_table(&store, DatabaseKey::Tasks, None, None).unwrap();
    let mut view = TableView::default();
    view.replace(data.clone(), chrono::Utc::now());
    (data, view)
}

fn filtered(view: &mut TableView, filter: &str) -> Vec<usize> {
    view.filter = filter.to_string();
    view.recompute(chrono::Utc::now());
    view.visible.clone()
}

/// The rows whose text holds every one of `words`, without case, in the store's order.
fn holding(data: &TableData, words: &[&str]) -> Vec<usize> {
    (0..data.rows.len())
        .filter(|&i| {
            let text = data.haystack(i).to_lowercase();
            words.iter().all(|w| text.contains(w))
        })
        .collect()
}

fn sorted(mut rows: Vec<usize>) -> Vec<usize> {
    rows.sort_unstable();
    rows
}

#[test]
fn a_word_keeps_exactly_the_rows_holding_it_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let (data, mut view) = demo_tasks(&dir);
    let sedona = holding(&data, &["sedona"]);
    assert!(
        !sedona.is_empty() && sedona.len() < data.rows.len() / 4,
        "{sedona:?}"
    );
    assert_eq!(sorted(filtered(&mut view, "sedona")), sedona);
    assert_eq!(sorted(filtered(&mut view, "SeDoNa")), sedona);
    // Letters in order are not a match without `~`.
    assert_eq!(filtered(&mut view, "sdna"), Vec::<usize>::new());
    // `!word`: every row not holding it.
    let others: Vec<usize> = (0..data.rows.len())
        .filter(|i| !sedona.contains(i))
        .collect();
    assert_eq!(sorted(filtered(&mut view, "!sedona")), others);
}

#[test]
fn every_word_must_be_held_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let (data, mut view) = demo_tasks(&dir);
    let both = holding(&data, &["nyra", "high"]);
    assert!(!both.is_empty(), "the demo has High tasks of Nyra's");
    assert!(both.len() < holding(&data, &["nyra"]).len());
    assert!(both.len() < holding(&data, &["high"]).len());
    assert_eq!(sorted(filtered(&mut view, "nyra high")), both);
    assert_eq!(sorted(filtered(&mut view, "  high   NYRA ")), both);
}

#[test]
fn a_leading_tilde_matches_fuzzily() {
    let dir = tempfile::tempdir().unwrap();
    let (data, mut view) = demo_tasks(&dir);
    let fuzzy = filtered(&mut view, "~sdna");
    // Every row holding "sedona" holds s, d, n, a in order; fuzzy finds those and more.
    let sedona = holding(&data, &["sedona"]);
    assert!(sedona.iter().all(|i| fuzzy.contains(i)));
    assert!(fuzzy.len() > sedona.len());
    // Spaces before the `~` are typed, not meant.
    assert_eq!(filtered(&mut view, " ~sdna"), fuzzy);
}

/// Without a sort, the rows holding the word in their title come before the others
/// (ties in the store's order); with a sort the operator chose, the column's order wins;
/// a built-in view's sort gives way to the ranking while filtering.
#[test]
fn matches_rank_by_where_they_match_unless_a_sort_was_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let (data, mut view) = demo_tasks(&dir);
    // "grace" is in some tasks' names (Grace Kim), in others' assignee (Grace Fields).
    let word = "grace";
    let name = |i: usize| format!("{} {}", data.cell(i, 0), data.cell(i, 1)).to_lowercase();
    let in_title = |i: &usize| name(*i).contains(word);
    let ranked = filtered(&mut view, word);
    let titled = ranked.iter().filter(|i| in_title(i)).count();
    assert!(
        titled > 0 && titled < ranked.len(),
        "{titled} of {}",
        ranked.len()
    );
    assert!(ranked[..titled].iter().all(in_title), "{ranked:?}");
    assert!(ranked[..titled].is_sorted() && ranked[titled..].is_sorted());
    // The operator's sort: by the last column, the store's order among equal cells.
    let column = data.columns.len() - 1;
    view.sort_by(column, chrono::Utc::now());
    let by_column = filtered(&mut view, word);
    let order: Vec<usize> = data.orders[column]
        .ascending
        .iter()
        .map(|&i| i as usize)
        .filter(|i| ranked.contains(i))
        .collect();
    assert_eq!(by_column, order);
    assert_ne!(by_column, ranked);
    // The same sort as a default: the ranking while a filter is typed, the column after.
    view.sort_is_default = true;
    assert_eq!(filtered(&mut view, word), ranked);
    assert_eq!(
        filtered(&mut view, ""),
        data.orders[column]
            .ascending
            .iter()
            .map(|&i| i as usize)
            .collect::<Vec<_>>()
    );
}

/// Typing on answers from what the shorter text matched, backspacing from what it
/// remembers: always what a fresh search gives.
#[test]
fn the_narrowing_cache_answers_as_a_fresh_search() {
    let dir = tempfile::tempdir().unwrap();
    let (data, mut typed) = demo_tasks(&dir);
    for text in ["nyra high", "sed !conf", "~sdn hgh", "high  "] {
        for end in (1..=text.len()).chain((1..text.len()).rev()) {
            let mut fresh = TableView {
                filter: text[..end].to_string(),
                ..TableView::default()
            };
            fresh.replace(data.clone(), chrono::Utc::now());
            assert_eq!(
                filtered(&mut typed, &text[..end]),
                fresh.visible,
                "{:?}",
                &text[..end]
            );
        }
    }
}
