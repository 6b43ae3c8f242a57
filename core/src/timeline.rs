//! The moments worth a mark on the page's timeline: faults and recoveries, leader elections,
//! ISR changes, rebalances, transactions that committed or aborted. A person scrubbing back to
//! "when broker 2 died" finds it without reading the event log.
//!
//! Elections and ISR changes of the internal topics are left out: one broker's death moves the
//! leaders of fifty `__consumer_offsets` partitions, and those marks would hide the rest. Marks
//! of one kind in the same millisecond merge into one with a count.

use crate::event::{Event, EventKind};
use crate::group::coordinator::GroupState;
use crate::txn::TxnState;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;

/// The most marks a session keeps; the oldest go first.
pub const MARKERS_MAX: usize = 500;

/// What a mark stands for; the page gives each kind its colour and a word in the legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// A broker stopped or was fenced, a link cut, a client crashed.
    Fault,
    /// A broker started, a link healed.
    Recovery,
    /// A partition got a new leader (or none).
    Election,
    /// A partition's ISR shrank or grew.
    Isr,
    /// A group began or finished a rebalance.
    Rebalance,
    /// A transaction committed.
    Commit,
    /// A transaction aborted.
    Abort,
}

impl MarkerKind {
    /// Lower-case words, for class names and legends.
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Fault => "fault",
            MarkerKind::Recovery => "recovery",
            MarkerKind::Election => "election",
            MarkerKind::Isr => "isr",
            MarkerKind::Rebalance => "rebalance",
            MarkerKind::Commit => "commit",
            MarkerKind::Abort => "abort",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub at_ms: u64,
    pub kind: MarkerKind,
    /// The first of the merged moments, in words.
    pub label: String,
    /// How many moments of this kind in this millisecond the mark stands for.
    pub count: u32,
}

impl Marker {
    /// The label, with how many more it stands for.
    pub fn text(&self) -> String {
        match self.count {
            0 | 1 => self.label.clone(),
            n => format!("{} (and {} more)", self.label, n - 1),
        }
    }
}

/// The mark an event deserves, if any.
pub fn marker(e: &Event) -> Option<Marker> {
    let internal = |topic: &str| topic.starts_with("__");
    let (kind, label) = match &e.kind {
        EventKind::BrokerStopped { id, clean } => {
            let how = if *clean { "shut down" } else { "stopped" };
            (MarkerKind::Fault, format!("broker-{id} {how}"))
        }
        EventKind::BrokerFenced { id, .. } => (MarkerKind::Fault, format!("broker-{id} fenced")),
        EventKind::BrokerStarted { id } => (MarkerKind::Recovery, format!("broker-{id} started")),
        EventKind::LinkCut { a, b } => (MarkerKind::Fault, format!("link {a} - {b} cut")),
        EventKind::LinkHealed { a, b } => (MarkerKind::Recovery, format!("link {a} - {b} healed")),
        EventKind::ClientCrashed { name } => (MarkerKind::Fault, format!("{name} crashed")),
        EventKind::LeaderElected { tp, leader, .. } if !internal(tp.topic.as_str()) => match leader {
            Some(l) => (MarkerKind::Election, format!("{tp}: broker-{l} leads")),
            None => (MarkerKind::Fault, format!("{tp} offline")),
        },
        EventKind::IsrChanged { tp, isr, .. } if !internal(tp.topic.as_str()) => {
            (MarkerKind::Isr, format!("{tp}: ISR {}", crate::protocol::Ids(isr)))
        }
        EventKind::GroupState { group, state: GroupState::PreparingRebalance, .. } => {
            (MarkerKind::Rebalance, format!("group {group} rebalances"))
        }
        EventKind::GroupState { group, state: GroupState::Stable, generation, .. } => {
            (MarkerKind::Rebalance, format!("group {group} stable, generation {generation}"))
        }
        EventKind::TxnState { transactional_id, state: TxnState::CompleteCommit, .. } => {
            (MarkerKind::Commit, format!("{transactional_id} committed"))
        }
        EventKind::TxnState { transactional_id, state: TxnState::CompleteAbort, .. } => {
            (MarkerKind::Abort, format!("{transactional_id} aborted"))
        }
        _ => return None,
    };
    Some(Marker { at_ms: e.at.ms, kind, label, count: 1 })
}

/// A session's marks, oldest first, bounded by [`MARKERS_MAX`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Markers {
    marks: VecDeque<Marker>,
    /// Marks that fell off the front.
    pub dropped: u64,
}

impl Markers {
    /// Marks an event if it deserves one, in its place in time (a replay's events go before the
    /// future's marks kept on the timeline); the same kind in the same millisecond merges.
    pub fn observe(&mut self, e: &Event) {
        let Some(m) = marker(e) else { return };
        let at = self.marks.iter().rposition(|l| l.at_ms <= m.at_ms).map_or(0, |i| i + 1);
        let same = self.marks.range(..at).rev().take_while(|l| l.at_ms == m.at_ms).position(|l| l.kind == m.kind);
        if let Some(back) = same {
            let i = at - 1 - back;
            self.marks[i].count = self.marks[i].count.saturating_add(1);
            return;
        }
        if self.marks.len() == MARKERS_MAX {
            if at == 0 {
                return;
            }
            self.marks.pop_front();
            self.dropped += 1;
            self.marks.insert(at - 1, m);
        } else {
            self.marks.insert(at, m);
        }
    }

    /// Forgets the marks at or after `from_ms` (a replay from there brings them back, or a new
    /// branch of the session replaces them).
    pub fn truncate_from(&mut self, from_ms: u64) {
        while self.marks.back().is_some_and(|m| m.at_ms >= from_ms) {
            self.marks.pop_back();
        }
    }

    /// Forgets the marks in `[from_ms, to_ms]`, keeping later ones: a replay up to `to_ms`
    /// brings those back while the marks of the session's future stay on the timeline.
    pub fn forget_between(&mut self, from_ms: u64, to_ms: u64) {
        self.marks.retain(|m| m.at_ms < from_ms || m.at_ms > to_ms);
    }

    /// Keeps a mark of the session's future after a replay from the start.
    pub fn keep_future(&mut self, m: Marker) {
        debug_assert!(self.marks.back().is_none_or(|l| l.at_ms <= m.at_ms), "future marks come last");
        if self.marks.len() < MARKERS_MAX {
            self.marks.push_back(m);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Marker> {
        self.marks.iter()
    }

    pub fn len(&self) -> usize {
        self.marks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use alloc::vec::Vec;

    fn marks(script: &str) -> Vec<String> {
        let scenario = Scenario::parse(script).expect("the script parses");
        let mut sim = crate::Sim::new(scenario.seed);
        let mut markers = Markers::default();
        for l in &scenario.commands {
            let _ = sim.apply(&l.command);
            for e in sim.drain_events() {
                markers.observe(&e);
            }
        }
        markers.iter().map(|m| format!("{} {} {}", m.at_ms, m.kind.name(), m.text())).collect()
    }

    #[test]
    fn a_dead_leader_is_marked_once_with_the_elections_it_caused() {
        let got = marks(
            "seed 1\ncluster brokers=3\ntopic create orders partitions=3 replication-factor=3\nadvance 1s\n\
             broker stop 1\nadvance 10s\nbroker start 1\nadvance 20s\n",
        );
        let text = got.join("\n");
        assert!(text.contains("1000 fault broker-1 stopped"), "{text}");
        assert!(text.contains("election orders-"), "{text}");
        assert!(text.contains("recovery broker-1 started"), "{text}");
        assert!(!text.contains("__consumer_offsets"), "internal topics are left out: {text}");
        assert!(text.contains(": ISR [2, 3]") || text.contains(": ISR [3, 2]"), "the ISR without broker-1: {text}");
        // Every election of the same millisecond is one mark.
        let elections: Vec<&String> = got.iter().filter(|m| m.contains(" election ")).collect();
        let mut times: Vec<&str> = elections.iter().map(|m| m.split(' ').next().unwrap_or("")).collect();
        times.dedup();
        assert_eq!(times.len(), elections.len(), "one mark per millisecond and kind: {elections:?}");
    }

    #[test]
    fn rebalances_and_transactions_are_marked() {
        let text = marks(
            "seed 1\ncluster brokers=1\ntopic create t partitions=2\n\
             consumer c group.id=g auto.offset.reset=earliest\nsubscribe c t\nconsume c\n\
             producer tx transactional.id=x linger.ms=0\ninit-transactions tx\nadvance 1s\n\
             begin-transaction tx\nsend tx t key=a value=1\ncommit-transaction tx\nadvance 1s\n\
             begin-transaction tx\nsend tx t key=a value=2\nabort-transaction tx\nadvance 5s\n",
        )
        .join("\n");
        assert!(text.contains("rebalance group g rebalances"), "{text}");
        assert!(text.contains("rebalance group g stable, generation 1"), "{text}");
        assert!(text.contains("commit x committed"), "{text}");
        assert!(text.contains("abort x aborted"), "{text}");
    }

    #[test]
    fn the_marks_are_bounded_and_a_replay_puts_its_marks_back_in_place() {
        let at = |ms: u64, id: u32| Event { at: crate::time::Instant { ms }, kind: EventKind::BrokerStarted { id } };
        let mut m = Markers::default();
        for i in 0..(MARKERS_MAX as u64 + 10) {
            m.observe(&at(i, 1));
        }
        assert_eq!((m.len(), m.dropped), (MARKERS_MAX, 10));
        let mut m = Markers::default();
        for ms in [10, 20, 30, 40] {
            m.observe(&at(ms, 2));
        }
        m.forget_between(15, 30);
        m.observe(&at(20, 3));
        let times: Vec<(u64, &str)> = m.iter().map(|x| (x.at_ms, x.label.as_str())).collect();
        assert_eq!(times, [(10, "broker-2 started"), (20, "broker-3 started"), (40, "broker-2 started")]);
        m.truncate_from(20);
        assert_eq!(m.len(), 1);
    }
}
