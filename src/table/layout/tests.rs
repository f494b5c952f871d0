use super::*;
use ColumnFit::*;

fn column(fit: ColumnFit, widest: u16, priority: u8) -> Measure {
    Measure {
        fit,
        label: 4,
        widest,
        priority,
    }
}

/// A task table: ID, name, status, priority, assignee, due date, instance.
fn tasks(name_widest: u16) -> Vec<Measure> {
    vec![
        column(Identifier, 8, u8::MAX),
        column(Text, name_widest, 6),
        column(Choice, 11, 5),
        column(Choice, 6, 3),
        column(Text, 14, 2),
        column(Date, 10, 4),
        column(Identifier, 9, 1),
    ]
}

fn shown(placed: &[Placed]) -> Vec<usize> {
    placed.iter().map(|p| p.column).collect()
}

fn used(placed: &[Placed]) -> u32 {
    placed.iter().map(|p| u32::from(p.width)).sum::<u32>()
        + u32::from(SPACING) * (placed.len() as u32).saturating_sub(1)
}

#[test]
fn everything_fits_whole_when_there_is_room() {
    let columns = tasks(40);
    let placed = layout(&columns, 200);
    assert_eq!(shown(&placed), vec![0, 1, 2, 3, 4, 5, 6]);
    for p in &placed {
        assert_eq!(p.width, columns[p.column].wanted(), "{p:?}");
    }
}

#[test]
fn spare_width_goes_to_the_free_text() {
    // A name of 150 characters at 220 columns: it gets all the room left.
    let columns = tasks(150);
    let placed = layout(&columns, 220);
    assert_eq!(shown(&placed).len(), 7);
    assert_eq!(used(&placed), 220, "no column of spare width left unused");
    let name = placed.iter().find(|p| p.column == 1).unwrap();
    assert!(name.width > 100, "the name takes the room: {}", name.width);
    // Two text columns share evenly until the shorter one is whole.
    let placed = layout(&columns, 100);
    let assignee = placed.iter().find(|p| p.column == 4).unwrap();
    assert_eq!(assignee.width, 14, "the short text is whole");
    assert_eq!(used(&placed), 100);
}

#[test]
fn a_narrow_screen_drops_columns_lowest_priority_first_and_cuts_no_id_or_date() {
    let columns = tasks(40);
    let placed = layout(&columns, 60);
    assert!(used(&placed) <= 60);
    // The instance (priority 1) and the assignee (2) go first.
    assert_eq!(shown(&placed), vec![0, 1, 2, 3, 5]);
    for p in &placed {
        let c = columns[p.column];
        if c.fit.never_cut() {
            assert!(p.width >= c.widest, "{p:?} cut");
        }
    }
    let placed = layout(&columns, 48);
    assert_eq!(
        shown(&placed),
        vec![0, 1, 2, 5],
        "the due date outranks the priority"
    );
    assert_eq!(used(&placed), 48);
    let placed = layout(&columns, 36);
    assert_eq!(shown(&placed), vec![0, 1, 2]);
    // Only the title is never dropped.
    let placed = layout(&columns, 26);
    assert_eq!(shown(&placed), vec![0, 1]);
    let placed = layout(&columns, 9);
    assert_eq!(shown(&placed), vec![0]);
    assert_eq!(placed[0].width, 8);
}

#[test]
fn equal_priorities_drop_from_the_right() {
    let columns = vec![
        column(Identifier, 6, u8::MAX),
        column(Date, 10, 1),
        column(Date, 10, 1),
    ];
    assert_eq!(shown(&layout(&columns, 20)), vec![0, 1]);
}

#[test]
fn nothing_to_lay_out_or_no_room() {
    assert!(layout(&[], 80).is_empty());
    let placed = layout(&tasks(40), 0);
    assert_eq!(shown(&placed), vec![0]);
    assert_eq!(placed[0].width, 0);
}

#[test]
fn the_sort_arrow_stays_and_the_label_gives_way() {
    assert_eq!(header("Priority", 12, " ↑"), "Priority ↑");
    assert_eq!(header("Priority", 6, " ↓"), "Pri… ↓");
    assert_eq!(header("Priority", 2, " ↓"), "↓");
    assert_eq!(header("Priority", 8, ""), "Priority");
    assert_eq!(header("Priority", 5, ""), "Prio…");
}
