//! Two operators (two engines on separate stores, as two hsn processes) and an external
//! agent rewriting the whole History Log the original server's way, on the same instances.
//!
//! What these tests prove:
//! - a move made from a stale read is refused with a clear conflict message and rolled
//!   back, never written over the other operator's move;
//! - when the blind agent overwrites hsn's entry between hsn's write and its read-back, hsn
//!   sees its entry missing, merges again and re-writes: both the agent's and hsn's entries
//!   end in the log;
//! - when the blind agent drops hsn's entry *after* hsn finished (read-back done, write
//!   confirmed), the store remembers the entry and a later sync puts it back, through the
//!   outbox: re-read, merge by identity, write, read back. The agent's entries are kept,
//!   hsn's is there exactly once, a restoration is queued at most once per loss, adds
//!   nothing when the entry came back by itself, does nothing in `--readonly`, and stops
//!   (saying so, as a failed write) after `RESTORES_PER_ENTRY` restores of the same entry;
//! - two operators adding entries to the same instances at the same time create every task
//!   exactly once; an entry one write drops from the other (a write landing after the
//!   other's read-back: no compare-and-swap in Notion) is counted and printed, then put
//!   back by the next sync of the operator who wrote it: in the end every entry is there,
//!   once.
//!
//! What they do not prove: that an entry survives when hsn is not run again after the
//! loss (nothing watches Notion then), nor past `REMEMBER_ENTRIES_DAYS`.

mod support;

use support::writes::{actions, agent_read, agent_write, engine, queue_advance, queue_task};

use std::time::Duration;

use fake_notion::Fault;
use hsn::domain::history::HistoryLog;
use hsn::domain::models::WorkflowInstance;
use hsn::domain::schema::DatabaseKey;
use hsn::notion::NotionClient;
use hsn::store::own_entries::RESTORES_PER_ENTRY;
use hsn::sync::Event;

/// A blind agent whose read came before hsn's write: it writes back the log without
/// `who`'s entries, plus one of its own.
async fn agent_drops(client: &NotionClient, page: &str, who: &str, what: &str) {
    let prefix = format!("[{who}] ");
    let mut log = agent_read(client, page).await;
    log.retain(|item| !item["action"].as_str().unwrap_or("").starts_with(&prefix));
    agent_write(client, page, log, what).await;
}

/// How many PATCHes of `page` the fake has answered since request `from`.
fn patches(fake: &fake_notion::FakeNotion, page: &str, from: usize) -> usize {
    let prefix = format!("/v1/pages/{}", &page[..8]);
    fake.requests()[from..]
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.starts_with(&prefix) && r.status == 200)
        .count()
}

const ALICE_MOVE: &str = "[alice] Transitioned from inquiry to consultation";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_move_the_same_instance_the_second_is_refused_never_overwritten() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let bob = engine(&ws, "bob").await;
    // Both read the instance in `inquiry`; each queues a different move.
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    queue_advance(&bob, &ws, &ws.instance, "canceled", "bob");
    // Alice's goes out first; Bob's was planned from the same (now stale) read. (Both
    // sent in the same few milliseconds can both land, the last one winning: Notion has no
    // compare-and-swap; see docs/reliability.md.)
    let a = alice.drain().await.unwrap();
    let b = bob.drain().await.unwrap();
    assert_eq!(a.sent + b.sent, 1, "exactly one move lands");
    let (winner, loser, failed) = if a.sent == 1 {
        ("consultation", &bob, &b.failed)
    } else {
        ("canceled", &alice, &a.failed)
    };
    assert_eq!(failed.len(), 1);
    let message = &failed[0].2;
    assert!(
        message.contains(&format!("is now in \"{winner}\", not \"inquiry\""))
            && message.contains("(moved by ")
            && message.ends_with("nothing was changed"),
        "{message}"
    );
    let live = WorkflowInstance::from_page(&ws.client.retrieve_page(&ws.instance).await.unwrap());
    assert_eq!(live.current_state, winner);
    let log = actions(&ws.client, &ws.instance).await;
    assert_eq!(log.len(), 1, "one transition: {log:?}");
    assert!(log[0].ends_with(&format!("Transitioned from inquiry to {winner}")));
    // The loser's screen is back to what Notion says after the roll-back.
    let cached = loser.store().record(&ws.instance).unwrap().unwrap();
    assert_eq!(cached.pending, 0);
    assert_eq!(
        WorkflowInstance::from_record(&cached.record).current_state,
        "inquiry",
        "rolled back to what it read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blind_agent_overwriting_between_write_and_read_back_loses_nothing() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    agent_write(
        &ws.client,
        &ws.instance,
        Vec::new(),
        "Lead captured from typeform",
    )
    .await;
    alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    // The agent reads the log now, before hsn writes.
    let agent_saw = agent_read(&ws.client, &ws.instance).await;
    // hsn's GETs of the instance: find it, re-read it, then the read-back, held 8 s (long
    // enough for the agent's read and write below on a busy CI machine: at 700 ms, and
    // once at 3 s beside a benchmark run, hsn's re-merge landed before the check that the
    // agent dropped its entry).
    let prefix = format!("/v1/pages/{}", &ws.instance[..8]);
    ws.fake
        .push_fault_for("GET", &prefix, Fault::Delay(Duration::ZERO));
    ws.fake
        .push_fault_for("GET", &prefix, Fault::Delay(Duration::ZERO));
    ws.fake
        .push_fault_for("GET", &prefix, Fault::Delay(Duration::from_secs(8)));
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let before = ws.fake.requests().len();
    let drain = tokio::spawn({
        let alice = alice.clone();
        async move { alice.drain().await.unwrap() }
    });
    // Once hsn's write has landed, the agent writes back what it read plus its entry,
    // dropping hsn's.
    let patched = |fake: &fake_notion::FakeNotion| {
        fake.requests()[before..]
            .iter()
            .filter(|r| r.method == "PATCH" && r.path.starts_with(&prefix) && r.status == 200)
            .count()
    };
    while patched(&ws.fake) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    agent_write(&ws.client, &ws.instance, agent_saw, "Lead scored").await;
    assert_eq!(
        actions(&ws.client, &ws.instance).await.len(),
        2,
        "the agent dropped hsn's entry"
    );
    let report = drain.await.unwrap();
    assert_eq!((report.sent, report.waiting), (1, 0));
    let log = actions(&ws.client, &ws.instance).await;
    assert_eq!(
        log,
        [
            "[LeadCaptureAgent] Lead captured from typeform",
            "[LeadCaptureAgent] Lead scored",
            "[alice] Transitioned from inquiry to consultation",
        ],
        "hsn saw its entry gone at read-back, merged and wrote again"
    );
    assert_eq!(patched(&ws.fake), 3, "the agent's write between hsn's two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_adding_entries_together_create_every_task_once_and_report_lost_entries() {
    let ws = support::workspace().await;
    let mut pages = vec![ws.instance.clone()];
    for n in 2..=3 {
        pages.push(
            ws.add_instance(&format!("INST-000{n}"), "inquiry", "")
                .await,
        );
    }
    let alice = engine(&ws, "alice").await;
    let bob = engine(&ws, "bob").await;
    for round in 0..8 {
        for page in &pages {
            queue_task(&alice, page, &format!("alice {round}"), "alice");
            queue_task(&bob, page, &format!("bob {round}"), "bob");
        }
    }
    let (a, b) = tokio::join!(alice.drain(), bob.drain());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.sent, b.sent), (24, 24), "{:?} {:?}", a.failed, b.failed);
    let mut lost = Vec::new();
    for page in &pages {
        let log = actions(&ws.client, page).await;
        for who in ["alice", "bob"] {
            for round in 0..8 {
                let want = format!("[{who}] Created task: {who} {round}");
                match log.iter().filter(|a| **a == want).count() {
                    0 => lost.push(want),
                    1 => {}
                    n => panic!("{want} {n} times"),
                }
            }
        }
    }
    // A loss here: the other operator's write landed after this one's read-back (no
    // compare-and-swap in Notion). It is reported, and bounded: never a duplicate, never a
    // lost task, never more than a few; and the next syncs put it back.
    println!(
        "two operators, 48 entries on 3 instances at once: {} lost before the next sync {lost:?}",
        lost.len()
    );
    assert!(lost.len() <= 12, "too many entries lost: {lost:?}");
    for _ in 0..2 {
        for hsn in [&alice, &bob] {
            hsn.refresh(DatabaseKey::ActiveWorkflowInstances, false)
                .await
                .unwrap();
            let drained = hsn.drain().await.unwrap();
            assert!(drained.failed.is_empty(), "{:?}", drained.failed);
        }
    }
    for page in &pages {
        let log = actions(&ws.client, page).await;
        for who in ["alice", "bob"] {
            for round in 0..8 {
                let want = format!("[{who}] Created task: {who} {round}");
                let count = log.iter().filter(|a| **a == want).count();
                assert_eq!(count, 1, "{want} after the next syncs: {log:?}");
            }
        }
    }
    let tasks = ws
        .client
        .query_data_source(&ws.source(DatabaseKey::Tasks))
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(tasks.len(), 48, "every task once");
}

/// DESIGN §4: "the store remembers the entries hsn wrote, so a later sync that finds one
/// missing (a blind writer overwrote it) puts it back".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_entry_a_blind_writer_drops_after_hsn_finished_is_restored() {
    let ws = support::workspace().await;
    agent_write(&ws.client, &ws.instance, Vec::new(), "Lead captured").await;
    let alice = engine(&ws, "alice").await;
    // The agent reads before hsn writes, and writes after hsn has finished.
    let agent_saw = agent_read(&ws.client, &ws.instance).await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    assert_eq!(
        actions(&ws.client, &ws.instance).await,
        ["[LeadCaptureAgent] Lead captured", ALICE_MOVE]
    );
    agent_write(&ws.client, &ws.instance, agent_saw, "Lead scored").await;
    assert_eq!(
        actions(&ws.client, &ws.instance).await,
        [
            "[LeadCaptureAgent] Lead captured",
            "[LeadCaptureAgent] Lead scored"
        ],
        "the agent dropped hsn's entry"
    );

    // The next sync (an ordinary incremental one) finds it missing and queues it back,
    // once however many syncs see it missing before the outbox is drained.
    let first = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    assert_eq!((first.restoring, first.given_up), (1, 0));
    let second = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await
        .unwrap();
    assert_eq!(second.restoring, 0, "already queued");
    let queued = alice.store().unsettled_writes().unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].op, "restore_history");
    // The screen shows it back at once (optimistically), in its place in time.
    let cached = alice.store().record(&ws.instance).unwrap().unwrap();
    let cached = HistoryLog::decode(&WorkflowInstance::from_record(&cached.record).history_log);
    let cached: Vec<&str> = cached.history_entries().map(|e| e.action()).collect();
    assert_eq!(
        cached,
        [
            "[LeadCaptureAgent] Lead captured",
            ALICE_MOVE,
            "[LeadCaptureAgent] Lead scored"
        ]
    );

    let before = ws.fake.requests().len();
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0));
    assert_eq!(patches(&ws.fake, &ws.instance, before), 1);
    let log = actions(&ws.client, &ws.instance).await;
    assert_eq!(
        log,
        [
            "[LeadCaptureAgent] Lead captured",
            ALICE_MOVE,
            "[LeadCaptureAgent] Lead scored"
        ],
        "hsn's entry is back, once, and the agent's entries are kept"
    );
    assert_eq!(
        alice.store().own_entries_of(&ws.instance).unwrap()[0].restores,
        1
    );

    // Nothing is missing any more: later syncs write nothing.
    let before = ws.fake.requests().len();
    for _ in 0..2 {
        let again = alice
            .refresh(DatabaseKey::ActiveWorkflowInstances, true)
            .await
            .unwrap();
        assert_eq!(again.restoring, 0);
        alice.drain().await.unwrap();
    }
    assert_eq!(patches(&ws.fake, &ws.instance, before), 0);
    assert_eq!(actions(&ws.client, &ws.instance).await, log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restoration_adds_nothing_when_the_entry_came_back_by_itself() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    alice.drain().await.unwrap();
    let with_alice = agent_read(&ws.client, &ws.instance).await;
    agent_drops(&ws.client, &ws.instance, "alice", "Lead scored").await;
    let found = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    assert_eq!(found.restoring, 1);
    // Before the restoration goes out, another writer puts the entry back (as an hsn of
    // another operator would, or the agent merging properly this time).
    let mut merged = agent_read(&ws.client, &ws.instance).await;
    merged.insert(0, with_alice[0].clone());
    agent_write(&ws.client, &ws.instance, merged, "Lead merged").await;
    let before = ws.fake.requests().len();
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0));
    assert_eq!(
        patches(&ws.fake, &ws.instance, before),
        0,
        "re-read, found it there, wrote nothing"
    );
    let log = actions(&ws.client, &ws.instance).await;
    assert_eq!(
        log,
        [
            ALICE_MOVE,
            "[LeadCaptureAgent] Lead scored",
            "[LeadCaptureAgent] Lead merged"
        ]
    );
    assert_eq!(
        alice.store().own_entries_of(&ws.instance).unwrap()[0].restores,
        0,
        "nothing was put back, so it does not count"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_dropped_again_and_again_is_restored_a_bounded_number_of_times() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    alice.drain().await.unwrap();
    let mut events = alice.subscribe();
    for n in 1..=RESTORES_PER_ENTRY {
        agent_drops(
            &ws.client,
            &ws.instance,
            "alice",
            &format!("Lead scored {n}"),
        )
        .await;
        let found = alice
            .refresh(DatabaseKey::ActiveWorkflowInstances, false)
            .await
            .unwrap();
        assert_eq!((found.restoring, found.given_up), (1, 0), "restore {n}");
        alice.drain().await.unwrap();
        let log = actions(&ws.client, &ws.instance).await;
        assert_eq!(
            log.iter().filter(|a| *a == ALICE_MOVE).count(),
            1,
            "{log:?}"
        );
    }
    // Dropped once more: hsn gives up, says so, and writes nothing.
    agent_drops(&ws.client, &ws.instance, "alice", "Lead scored again").await;
    let before = ws.fake.requests().len();
    let found = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    assert_eq!((found.restoring, found.given_up), (0, 1));
    assert!(alice.store().unsettled_writes().unwrap().is_empty());
    let failed = alice.store().failed_writes(1).unwrap();
    let reason = failed[0].last_error.clone().unwrap();
    assert!(
        reason.contains(ALICE_MOVE)
            && reason.contains(&format!("{RESTORES_PER_ENTRY} times"))
            && reason.ends_with("hsn stopped restoring it"),
        "{reason}"
    );
    let mut said = None;
    while let Ok(event) = events.try_recv() {
        if let Event::WriteFailed { summary, error, .. } = event {
            said = Some((summary, error));
        }
    }
    let (summary, error) = said.expect("the dashboard is told");
    assert_eq!(summary, "INST-0001: put back 1 dropped history entry");
    assert_eq!(error, reason);
    let own = &alice.store().own_entries_of(&ws.instance).unwrap()[0];
    assert_eq!((own.restores, own.given_up), (RESTORES_PER_ENTRY, true));
    // And it stays given up: later syncs neither write nor say it again.
    for _ in 0..2 {
        let again = alice
            .refresh(DatabaseKey::ActiveWorkflowInstances, true)
            .await
            .unwrap();
        assert_eq!((again.restoring, again.given_up), (0, 0));
        alice.drain().await.unwrap();
    }
    assert_eq!(patches(&ws.fake, &ws.instance, before), 0);
    assert_eq!(alice.store().failed_writes(10).unwrap().len(), 1);
    let log = actions(&ws.client, &ws.instance).await;
    assert!(!log.iter().any(|a| a == ALICE_MOVE), "{log:?}");
    assert!(log.ends_with(&["[LeadCaptureAgent] Lead scored again".to_string()]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_hsn_finds_a_dropped_entry_but_writes_nothing() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    alice.drain().await.unwrap();
    agent_drops(&ws.client, &ws.instance, "alice", "Lead scored").await;
    // The same store opened with --readonly.
    let readonly = alice.clone().read_only();
    let before = ws.fake.requests().len();
    let found = readonly
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await
        .unwrap();
    assert_eq!((found.restoring, found.given_up), (0, 0));
    assert!(readonly.store().unsettled_writes().unwrap().is_empty());
    readonly.drain().await.unwrap();
    assert_eq!(patches(&ws.fake, &ws.instance, before), 0);
    // Nothing was counted or given up: a writable hsn still puts it back.
    assert_eq!(
        alice
            .refresh(DatabaseKey::ActiveWorkflowInstances, true)
            .await
            .unwrap()
            .restoring,
        1
    );
    alice.drain().await.unwrap();
    assert!(
        actions(&ws.client, &ws.instance)
            .await
            .iter()
            .any(|a| a == ALICE_MOVE)
    );
}
