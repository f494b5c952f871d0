//! A workflow's state machine, read from the Workflows Library's `Initial State`, `States`
//! and `Transitions` text (DESIGN.md §4).
//!
//! Every form the original server wrote is read: `States` as a list of names or as an
//! object keyed by name (values may carry `is_terminal` and `description`), `Transitions`
//! as `{from, to}` or `{from_state, to_state}` objects. With transitions they are the only
//! legal moves; without them the states are an ordered path.

use serde_json::Value;

use super::models::Workflow;

/// The names that make a state terminal even when `States` does not mark it.
const TERMINAL_NAMES: [&str; 4] = ["completed", "canceled", "cancelled", "archived"];

#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    name: String,
    description: Option<String>,
    terminal: bool,
}

/// One legal move; `name` comes from the transition table (path moves have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("workflow {workflow_id}: {field} is not valid JSON: {message}")]
    InvalidJson {
        workflow_id: String,
        field: &'static str,
        message: String,
    },
    /// Valid JSON of the wrong shape.
    #[error("workflow {workflow_id}: {field} {reason}")]
    BadShape {
        workflow_id: String,
        field: &'static str,
        reason: String,
    },
    #[error("workflow {workflow_id}: States lists no states")]
    NoStates { workflow_id: String },
    #[error(
        "workflow {workflow_id}: Initial State {state:?} is not one of its states ({})",
        .states.join(", ")
    )]
    UnknownInitialState {
        workflow_id: String,
        state: String,
        states: Vec<String>,
    },
    #[error(
        "workflow {workflow_id}: transition {number} names unknown state {state:?} (the states \
         are {})",
        .states.join(", ")
    )]
    UnknownTransitionState {
        workflow_id: String,
        /// 1-based position in `Transitions`.
        number: usize,
        state: String,
        states: Vec<String>,
    },
    #[error(
        "workflow {workflow_id}: cannot move {direction} unknown state {state:?} (the states are \
         {})",
        .states.join(", ")
    )]
    UnknownState {
        workflow_id: String,
        /// "from" or "to".
        direction: &'static str,
        state: String,
        states: Vec<String>,
    },
    #[error(
        "workflow {workflow_id}: cannot move from {from} to {to}: {}",
        legal_moves(.from, .legal, *.terminal)
    )]
    IllegalMove {
        workflow_id: String,
        from: String,
        to: String,
        legal: Vec<String>,
        terminal: bool,
    },
}

fn legal_moves(from: &str, legal: &[String], terminal: bool) -> String {
    match (legal.is_empty(), terminal) {
        (false, _) => format!("the legal next states are {}", legal.join(", ")),
        (true, true) => format!("{from} is a terminal state"),
        (true, false) => format!("{from} has no legal next state"),
    }
}

/// One state of a workflow as its map shows it (see [`StateMachine::steps`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateStep<'a> {
    pub name: &'a str,
    pub initial: bool,
    pub terminal: bool,
    /// The legal next states, in state order.
    pub moves: Vec<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachine {
    workflow_id: String,
    initial_state: String,
    states: Vec<State>,
    /// `None` when the workflow has no transition table: the states are then a path.
    transitions: Option<Vec<Transition>>,
}

impl StateMachine {
    pub fn parse(
        workflow_id: &str,
        initial_state: &str,
        states_json: &str,
        transitions_json: &str,
    ) -> Result<Self, WorkflowError> {
        let states = parse_states(workflow_id, states_json)?;
        let names: Vec<String> = states.iter().map(|s| s.name.clone()).collect();
        let known = |name: &str| names.iter().any(|n| n == name);

        let initial_state = if initial_state.trim().is_empty() {
            names[0].clone()
        } else if known(initial_state) {
            initial_state.to_string()
        } else {
            return Err(WorkflowError::UnknownInitialState {
                workflow_id: workflow_id.to_string(),
                state: initial_state.to_string(),
                states: names,
            });
        };

        let transitions = parse_transitions(workflow_id, transitions_json)?;
        for (index, transition) in transitions.iter().flatten().enumerate() {
            for state in [&transition.from, &transition.to] {
                if !known(state) {
                    return Err(WorkflowError::UnknownTransitionState {
                        workflow_id: workflow_id.to_string(),
                        number: index + 1,
                        state: state.clone(),
                        states: names,
                    });
                }
            }
        }

        Ok(StateMachine {
            workflow_id: workflow_id.to_string(),
            initial_state,
            states,
            transitions,
        })
    }

    pub fn from_workflow(workflow: &Workflow) -> Result<Self, WorkflowError> {
        // A definition without an ID is still worth naming in errors.
        let id = if workflow.workflow_id.trim().is_empty() {
            &workflow.name
        } else {
            &workflow.workflow_id
        };
        Self::parse(
            id,
            &workflow.initial_state,
            &workflow.states,
            &workflow.transitions,
        )
    }

    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    pub fn initial_state(&self) -> &str {
        &self.initial_state
    }

    /// The states in their `States` order.
    pub fn states(&self) -> Vec<&str> {
        self.states.iter().map(|s| s.name.as_str()).collect()
    }

    /// False for a state the workflow does not have.
    pub fn is_terminal(&self, state: &str) -> bool {
        self.state(state).is_some_and(|s| s.terminal)
    }

    /// The state's description from object-form `States`, if any.
    pub fn description(&self, state: &str) -> Option<&str> {
        self.state(state)?.description.as_deref()
    }

    /// The transition table, or `None` when the states are a path.
    pub fn transitions(&self) -> Option<&[Transition]> {
        self.transitions.as_deref()
    }

    /// Every state in order with what a map of the workflow says of it: whether it starts
    /// or ends an instance's run, and where an instance in it may move.
    pub fn steps(&self) -> Vec<StateStep<'_>> {
        self.states
            .iter()
            .map(|state| StateStep {
                name: &state.name,
                initial: state.name == self.initial_state,
                terminal: state.terminal,
                moves: self.next_states(&state.name),
            })
            .collect()
    }

    /// The legal moves from `from`, in state order, without duplicates (none for a state
    /// the workflow does not have).
    pub fn next_states(&self, from: &str) -> Vec<&str> {
        let Some(position) = self.states.iter().position(|s| s.name == from) else {
            return Vec::new();
        };
        self.states
            .iter()
            .enumerate()
            .filter(|&(index, to)| match &self.transitions {
                Some(table) => table.iter().any(|t| t.from == from && t.to == to.name),
                // A terminal state ends the path: moving on from `completed` to
                // `canceled` would reopen a finished instance.
                None => {
                    !self.states[position].terminal
                        && index != position
                        && (index == position + 1 || to.terminal)
                }
            })
            .map(|(_, s)| s.name.as_str())
            .collect()
    }

    /// The transition for a legal move, else why it is not one.
    pub fn check_move(&self, from: &str, to: &str) -> Result<Transition, WorkflowError> {
        for (direction, state) in [("from", from), ("to", to)] {
            if self.state(state).is_none() {
                return Err(WorkflowError::UnknownState {
                    workflow_id: self.workflow_id.clone(),
                    direction,
                    state: state.to_string(),
                    states: self.states().into_iter().map(String::from).collect(),
                });
            }
        }
        let legal = self.next_states(from);
        if !legal.contains(&to) {
            return Err(WorkflowError::IllegalMove {
                workflow_id: self.workflow_id.clone(),
                from: from.to_string(),
                to: to.to_string(),
                legal: legal.into_iter().map(String::from).collect(),
                terminal: self.is_terminal(from),
            });
        }
        let name = self.transitions.as_ref().and_then(|table| {
            table
                .iter()
                .find(|t| t.from == from && t.to == to)
                .and_then(|t| t.name.clone())
        });
        Ok(Transition {
            from: from.to_string(),
            to: to.to_string(),
            name,
        })
    }

    fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }
}

fn parse_json(workflow_id: &str, field: &'static str, text: &str) -> Result<Value, WorkflowError> {
    serde_json::from_str(text).map_err(|e| WorkflowError::InvalidJson {
        workflow_id: workflow_id.to_string(),
        field,
        message: e.to_string(),
    })
}

fn bad_shape(workflow_id: &str, field: &'static str, reason: String) -> WorkflowError {
    WorkflowError::BadShape {
        workflow_id: workflow_id.to_string(),
        field,
        reason,
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn parse_states(workflow_id: &str, text: &str) -> Result<Vec<State>, WorkflowError> {
    let no_states = || WorkflowError::NoStates {
        workflow_id: workflow_id.to_string(),
    };
    if text.trim().is_empty() {
        return Err(no_states());
    }
    let value = parse_json(workflow_id, "States", text)?;
    let bad = |reason: String| bad_shape(workflow_id, "States", reason);
    let mut states: Vec<State> = Vec::new();
    let mut add = |name: &str, description: Option<String>, marked: bool| {
        if name.is_empty() {
            return Err(bad("has a state with an empty name".into()));
        }
        // A repeated name adds nothing: the first one keeps its place in the path.
        if !states.iter().any(|s| s.name == name) {
            let by_name = TERMINAL_NAMES.iter().any(|t| t.eq_ignore_ascii_case(name));
            states.push(State {
                name: name.to_string(),
                description,
                terminal: marked || by_name,
            });
        }
        Ok(())
    };
    match &value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                match item {
                    Value::String(name) => add(name, None, false)?,
                    // `{name, description?, is_terminal?}`, as a list of state objects.
                    Value::Object(_) => match item.get("name").and_then(Value::as_str) {
                        Some(name) => add(name, description(item), marked_terminal(item))?,
                        None => {
                            return Err(bad(format!("item {} has no \"name\"", index + 1)));
                        }
                    },
                    other => {
                        return Err(bad(format!(
                            "item {} is {}, not a state name",
                            index + 1,
                            json_kind(other)
                        )));
                    }
                }
            }
        }
        Value::Object(map) => {
            for (name, body) in map {
                add(name, description(body), marked_terminal(body))?;
            }
        }
        other => {
            return Err(bad(format!(
                "must be a list of state names or an object keyed by state name, not {}",
                json_kind(other)
            )));
        }
    }
    if states.is_empty() {
        return Err(no_states());
    }
    Ok(states)
}

fn marked_terminal(body: &Value) -> bool {
    body.get("is_terminal").and_then(Value::as_bool) == Some(true)
}

fn description(body: &Value) -> Option<String> {
    match body {
        Value::String(text) => Some(text.clone()),
        _ => body.get("description")?.as_str().map(String::from),
    }
    .filter(|d| !d.trim().is_empty())
}

fn parse_transitions(
    workflow_id: &str,
    text: &str,
) -> Result<Option<Vec<Transition>>, WorkflowError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let items = match parse_json(workflow_id, "Transitions", text)? {
        Value::Array(items) => items,
        // The original server serialised a workflow without transitions as `[]` (or
        // null): that is "no table", not "no legal move".
        Value::Null => return Ok(None),
        other => {
            return Err(bad_shape(
                workflow_id,
                "Transitions",
                format!("must be a list of transitions, not {}", json_kind(&other)),
            ));
        }
    };
    if items.is_empty() {
        return Ok(None);
    }
    let text_field = |item: &Value, keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| item.get(*k).and_then(Value::as_str).map(String::from))
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let from = text_field(item, ["from", "from_state"]);
            let to = text_field(item, ["to", "to_state"]);
            match (from, to) {
                (Some(from), Some(to)) => Ok(Transition {
                    from,
                    to,
                    name: item.get("name").and_then(Value::as_str).map(String::from),
                }),
                _ => Err(bad_shape(
                    workflow_id,
                    "Transitions",
                    format!(
                        "item {} needs \"from\" and \"to\" (or \"from_state\" and \"to_state\") \
                         state names",
                        index + 1
                    ),
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests;
