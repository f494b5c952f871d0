//! The Overview's recompute over 100,000 generated instances, repeated: for a profiler,
//! and the median of the recompute (what the dashboard redoes on every tick and change).
use std::time::{Duration, Instant};

use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::models::{Workflow, WorkflowInstance};
use hsn::domain::overview::{
    InstanceFacts, OverviewIndex, OverviewInput, StuckRule, WorkflowFacts, compute,
};
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
    let input = OverviewInput {
        workflows: vec![WorkflowFacts::from_workflow(&workflow)],
        instances,
        tasks: Vec::new(),
        freshness: Vec::new(),
    };
    let started = Instant::now();
    let index = OverviewIndex::new(input);
    let indexing = started.elapsed();
    let rule = StuckRule::default();
    let mut samples: Vec<Duration> = (0..50)
        .map(|n| {
            // A clock that moves, as the dashboard's does between recomputes.
            let at = now + chrono::Duration::seconds(n);
            let started = Instant::now();
            std::hint::black_box(compute(&index, &rule, at));
            started.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "compute: median {:.3} ms (fastest {:.3}, slowest {:.3}) over {} runs; indexing at load: {:.1} ms",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len(),
        ms(indexing),
    );
    // With a store given, also the load the dashboard does before its first figures.
    if let Some(path) = std::env::args().nth(1) {
        let store = hsn::store::Store::open(std::path::Path::new(&path)).expect("store");
        let started = Instant::now();
        let index = hsn::store::overview::load_overview_index(&store, |_| None).expect("load");
        println!(
            "load_overview_index from {path}: {:.0} ms",
            ms(started.elapsed()),
        );
        drop(index);
    }
}
