use super::*;
use serde_json::json;

/// The declarative definitions of higherself-schema.md §3: a plain list, no transitions.
const WELL_BOOK: &str = r#"["inquiry", "consultation", "quote_provided", "payment_pending",
    "payment_confirmed", "booking_confirmed", "preparation", "service_delivery", "follow_up",
    "feedback_collection", "completed", "canceled"]"#;
const CONSULT: &str = r#"["lead_qualification", "discovery", "proposal", "negotiation",
    "contract", "kickoff", "execution", "review", "delivery", "acceptance", "invoicing",
    "payment", "feedback", "completed"]"#;
const GALLERY: &str = r#"["concept", "artist_selection", "planning", "artwork_submission",
    "curation", "marketing_prep", "setup", "active", "closing", "post_analysis", "archived"]"#;

fn booking_with_table() -> StateMachine {
    let states = json!([
        "new_booking",
        "payment_pending",
        "payment_confirmed",
        "canceled"
    ]);
    let transitions = json!([
        {"from": "new_booking", "to": "payment_pending", "name": "approve"},
        {"from": "new_booking", "to": "canceled"},
        {"from": "payment_pending", "to": "payment_confirmed", "name": "pay"},
        {"from": "payment_pending", "to": "canceled"},
        {"from": "payment_pending", "to": "canceled", "name": "duplicate row"},
    ]);
    StateMachine::parse(
        "WF-BOOKING",
        "new_booking",
        &states.to_string(),
        &transitions.to_string(),
    )
    .unwrap()
}

#[test]
fn a_transition_table_is_the_only_legal_moves() {
    let machine = booking_with_table();
    assert_eq!(machine.initial_state(), "new_booking");
    assert_eq!(
        machine.next_states("new_booking"),
        ["payment_pending", "canceled"]
    );
    assert_eq!(
        machine.next_states("payment_pending"),
        ["payment_confirmed", "canceled"]
    );
    assert!(machine.next_states("payment_confirmed").is_empty());
    assert!(machine.next_states("nowhere").is_empty());
    assert_eq!(
        machine
            .check_move("new_booking", "payment_pending")
            .unwrap(),
        Transition {
            from: "new_booking".into(),
            to: "payment_pending".into(),
            name: Some("approve".into()),
        }
    );
    assert_eq!(
        machine.check_move("new_booking", "canceled").unwrap().name,
        None
    );

    let err = machine
        .check_move("new_booking", "payment_confirmed")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "workflow WF-BOOKING: cannot move from new_booking to payment_confirmed: the legal \
         next states are payment_pending, canceled"
    );
    // payment_confirmed is not terminal by name, it just has no move in the table.
    let err = machine
        .check_move("payment_confirmed", "canceled")
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("payment_confirmed has no legal next state")
    );
    assert!(
        machine
            .check_move("canceled", "new_booking")
            .unwrap_err()
            .to_string()
            .ends_with("cannot move from canceled to new_booking: canceled is a terminal state")
    );
}

#[test]
fn a_states_list_alone_is_a_path_with_exits_to_terminal_states() {
    let machine = StateMachine::parse("WF-WELL-BOOK", "inquiry", WELL_BOOK, "").unwrap();
    assert_eq!(machine.states().len(), 12);
    assert!(machine.transitions().is_none());
    assert_eq!(
        machine.next_states("inquiry"),
        ["consultation", "completed", "canceled"]
    );
    assert_eq!(
        machine.next_states("feedback_collection"),
        ["completed", "canceled"]
    );
    assert!(machine.is_terminal("completed") && machine.is_terminal("canceled"));
    assert!(!machine.is_terminal("inquiry") && !machine.is_terminal("unknown"));
    assert!(machine.next_states("completed").is_empty());
    assert!(machine.check_move("inquiry", "canceled").is_ok());
    let err = machine
        .check_move("inquiry", "payment_pending")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "workflow WF-WELL-BOOK: cannot move from inquiry to payment_pending: the legal next \
         states are consultation, completed, canceled"
    );
    let err = machine.check_move("completed", "canceled").unwrap_err();
    assert!(
        err.to_string().ends_with("completed is a terminal state"),
        "{err}"
    );
}

#[test]
fn object_states_carry_terminal_marks_and_descriptions() {
    // The shape the original state machine wrote, extra keys and all.
    let states = json!({
        "draft": {"name": "draft", "description": "Being written", "is_terminal": false,
                  "available_transitions": ["submit"], "agent_assignments": []},
        "review": {"description": "With an editor"},
        "published": {"is_terminal": true},
        "Archived": {},
    });
    let machine = StateMachine::parse("WF-SFTR-PUB", "", &states.to_string(), "  ").unwrap();
    assert_eq!(
        machine.states(),
        ["draft", "review", "published", "Archived"]
    );
    assert_eq!(machine.initial_state(), "draft");
    assert_eq!(machine.description("draft"), Some("Being written"));
    assert_eq!(machine.description("published"), None);
    assert!(machine.is_terminal("published"));
    assert!(
        machine.is_terminal("Archived"),
        "terminal names ignore case"
    );
    assert!(!machine.is_terminal("review"));
    assert_eq!(
        machine.next_states("draft"),
        ["review", "published", "Archived"]
    );
    assert_eq!(machine.next_states("review"), ["published", "Archived"]);
}

#[test]
fn from_state_and_to_state_are_read_too() {
    let transitions = json!([
        {"from_state": "idle", "to_state": "change_detection", "name": "poll",
         "conditions": [], "transition_priority": 0},
        {"from_state": "change_detection", "to_state": "idle"},
    ]);
    let machine = StateMachine::parse(
        "WF-DB-SYNC",
        "idle",
        r#"["idle", "change_detection", "conflict_analysis"]"#,
        &transitions.to_string(),
    )
    .unwrap();
    assert_eq!(machine.next_states("idle"), ["change_detection"]);
    assert_eq!(machine.next_states("change_detection"), ["idle"]);
    assert_eq!(
        machine
            .check_move("idle", "change_detection")
            .unwrap()
            .name
            .as_deref(),
        Some("poll")
    );
}

#[test]
fn an_empty_or_null_transition_list_means_a_path() {
    for text in ["[]", "null", " \n"] {
        let machine = StateMachine::parse("WF-X", "a", r#"["a", "b"]"#, text).unwrap();
        assert_eq!(machine.next_states("a"), ["b"], "{text:?}");
    }
}

#[test]
fn errors_name_the_workflow_and_the_states() {
    let parse = |initial, states, transitions| {
        StateMachine::parse("WF-X", initial, states, transitions)
            .unwrap_err()
            .to_string()
    };
    let message = parse("a", "[\"a\",", "");
    assert!(
        message.starts_with("workflow WF-X: States is not valid JSON: EOF while parsing"),
        "{message}"
    );
    let message = parse("a", r#"["a"]"#, "{oops");
    assert!(
        message.starts_with("workflow WF-X: Transitions is not valid JSON: key must be"),
        "{message}"
    );
    assert_eq!(parse("", "[]", ""), "workflow WF-X: States lists no states");
    assert_eq!(parse("", "{}", ""), "workflow WF-X: States lists no states");
    assert_eq!(parse("", "  ", ""), "workflow WF-X: States lists no states");
    assert_eq!(
        parse("", "42", ""),
        "workflow WF-X: States must be a list of state names or an object keyed by state \
         name, not a number"
    );
    assert_eq!(
        parse("", r#"["a", 3]"#, ""),
        "workflow WF-X: States item 2 is a number, not a state name"
    );
    assert_eq!(
        parse("c", r#"["a", "b"]"#, ""),
        r#"workflow WF-X: Initial State "c" is not one of its states (a, b)"#
    );
    assert_eq!(
        parse(
            "",
            r#"["a", "b"]"#,
            r#"[{"from": "a", "to": "b"}, {"from": "b", "to": "z"}]"#
        ),
        r#"workflow WF-X: transition 2 names unknown state "z" (the states are a, b)"#
    );
    assert_eq!(
        parse("", r#"["a", "b"]"#, r#"[{"from": "a"}]"#),
        "workflow WF-X: Transitions item 1 needs \"from\" and \"to\" (or \"from_state\" and \
         \"to_state\") state names"
    );
    assert_eq!(
        parse("", r#"["a"]"#, r#"{"from": "a"}"#),
        "workflow WF-X: Transitions must be a list of transitions, not an object"
    );

    let machine = StateMachine::parse("WF-X", "a", r#"["a", "b"]"#, "").unwrap();
    assert_eq!(
        machine.check_move("A", "b").unwrap_err().to_string(),
        r#"workflow WF-X: cannot move from unknown state "A" (the states are a, b)"#
    );
    assert_eq!(
        machine.check_move("a", "c").unwrap_err().to_string(),
        r#"workflow WF-X: cannot move to unknown state "c" (the states are a, b)"#
    );
    // The last state of a path with no terminal state has nowhere to go.
    assert_eq!(
        machine.check_move("b", "a").unwrap_err().to_string(),
        "workflow WF-X: cannot move from b to a: b has no legal next state"
    );
}

#[test]
fn the_declared_workflows_parse() {
    let well = StateMachine::parse("WF-WELL-BOOK", "inquiry", WELL_BOOK, "").unwrap();
    assert_eq!(
        well.next_states("payment_pending"),
        ["payment_confirmed", "completed", "canceled"]
    );
    let consult = StateMachine::parse("WF-CONSULT", "lead_qualification", CONSULT, "").unwrap();
    assert_eq!(consult.states().len(), 14);
    assert_eq!(consult.next_states("feedback"), ["completed"]);
    assert_eq!(
        consult.next_states("lead_qualification"),
        ["discovery", "completed"]
    );
    let gallery = StateMachine::parse("WF-GALLERY-EXH", "concept", GALLERY, "").unwrap();
    assert!(gallery.is_terminal("archived"));
    assert_eq!(
        gallery.next_states("closing"),
        ["post_analysis", "archived"]
    );

    let workflow = Workflow {
        workflow_id: "WF-WELL-BOOK".into(),
        name: "Wellness Service Booking".into(),
        initial_state: "inquiry".into(),
        states: WELL_BOOK.into(),
        ..Workflow::default()
    };
    let machine = StateMachine::from_workflow(&workflow).unwrap();
    assert_eq!(machine.workflow_id(), "WF-WELL-BOOK");
    assert_eq!(machine, well);

    let unnamed = Workflow {
        name: "Community Member Onboarding".into(),
        states: "[]".into(),
        ..Workflow::default()
    };
    assert_eq!(
        StateMachine::from_workflow(&unnamed)
            .unwrap_err()
            .to_string(),
        "workflow Community Member Onboarding: States lists no states"
    );
}

#[test]
fn state_names_compare_exactly() {
    let machine = StateMachine::parse(
        "WF-X",
        "",
        r#"["New Member Welcome", "new member welcome"]"#,
        "",
    )
    .unwrap();
    assert_eq!(machine.states().len(), 2);
    assert_eq!(
        machine.next_states("New Member Welcome"),
        ["new member welcome"]
    );
    let duplicated = StateMachine::parse("WF-X", "", r#"["a", "b", "a", "c"]"#, "").unwrap();
    assert_eq!(duplicated.states(), ["a", "b", "c"]);
}

#[test]
fn steps_map_every_state_with_its_start_end_and_moves() {
    let machine = booking_with_table();
    let steps = machine.steps();
    let names: Vec<&str> = steps.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "new_booking",
            "payment_pending",
            "payment_confirmed",
            "canceled"
        ]
    );
    assert!(steps[0].initial && !steps[1].initial);
    assert_eq!(steps[0].moves, ["payment_pending", "canceled"]);
    // A duplicate transition row gives one move.
    assert_eq!(steps[1].moves, ["payment_confirmed", "canceled"]);
    // A path's terminal states end it: no move out.
    let path = StateMachine::parse("WF-WELL-BOOK", "inquiry", WELL_BOOK, "").unwrap();
    let steps = path.steps();
    let completed = steps.iter().find(|s| s.name == "completed").unwrap();
    assert!(completed.terminal && completed.moves.is_empty());
    assert_eq!(steps[0].moves, ["consultation", "completed", "canceled"]);
}
