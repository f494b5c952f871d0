//! The Overview's recompute over 100,000 generated instances, repeated: for a profiler.
use std::time::Instant;

use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::models::{Workflow, WorkflowInstance};
use hsn::domain::overview::{InstanceFacts, OverviewInput, StuckRule, WorkflowFacts, compute};
use hsn::domain::record::Link;
use hsn::notion::DateValue;

fn main() {
    let now = hsn_bench::fixed_now();
    let states = [
        "inquiry",
        "consultation",
        "quote_provided",
        "payment_pending",
        "completed",
    ];
    let workflow = Workflow {
        workflow_id: "WF-WELL-BOOK".into(),
        states: serde_json::to_string(&states).unwrap(),
        status: Some("Active".into()),
        ..Workflow::default()
    };
    let mut rng = hsn_bench::Seeded::new(3);
    let instances: Vec<InstanceFacts> = (0..100_000)
        .map(|n| {
            let step = rng.below(4) as usize;
            let last = now - chrono::Duration::minutes(rng.below(60 * 24 * 60) as i64);
            let mut log = HistoryLog::default();
            for s in 0..step {
                log.push(HistoryEntry::transition(
                    "Nyra",
                    states[s],
                    states[s + 1],
                    None,
                    last - chrono::Duration::hours((step - s) as i64),
                ));
            }
            InstanceFacts::from_instance(&WorkflowInstance {
                page_id: Some(format!("page-{n}")),
                instance_id: format!("INST-{n:08}"),
                workflow: Link::Text("WF-WELL-BOOK".into()),
                current_state: states[step].into(),
                status: Some(["Active", "Active", "Error", "On Hold"][n % 4].into()),
                last_transition_date: Some(DateValue {
                    start: last.to_rfc3339(),
                    end: None,
                    time_zone: None,
                }),
                history_log: log.encode_text(),
                ..WorkflowInstance::default()
            })
        })
        .collect();
    let mut input = OverviewInput {
        workflows: vec![WorkflowFacts::from_workflow(&workflow)],
        instances,
        tasks: Vec::new(),
        freshness: Vec::new(),
    };
    input.resolve();
    let rule = StuckRule::default();
    let started = Instant::now();
    for _ in 0..50 {
        std::hint::black_box(compute(&input, &rule, now));
    }
    println!(
        "compute: {:.2} ms each",
        started.elapsed().as_secs_f64() * 1000.0 / 50.0
    );
}
