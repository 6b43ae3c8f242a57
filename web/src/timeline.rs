//! The timeline's marks as the page draws them: the session's marks (faults, elections, ISR
//! changes, rebalances, transactions, checkpoints) gathered into at most [`BUCKETS_MAX`] places
//! along the scrubber, each a button that travels to its moment. Pure: tested natively.

use kafka_sim::command::Command;
use kafka_sim::timeline::{MarkerKind, Markers};

/// Places along the scrubber: marks closer than 1% of the session's length share one.
pub const BUCKETS_MAX: u64 = 100;

/// Labels a place's tooltip and accessible name list before "and N more".
const LABELS_SHOWN: usize = 3;

/// A mark's kind as the page shows it: the engine's kinds and the session's checkpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Marker(MarkerKind),
    Checkpoint,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Marker(k) => k.name(),
            Kind::Checkpoint => "checkpoint",
        }
    }

    /// Which kind a place shows when it holds several: what a person looks for first.
    fn rank(self) -> u8 {
        match self {
            Kind::Marker(MarkerKind::Fault) => 0,
            Kind::Marker(MarkerKind::Election) => 1,
            Kind::Marker(MarkerKind::Abort) => 2,
            Kind::Marker(MarkerKind::Isr) => 3,
            Kind::Marker(MarkerKind::Rebalance) => 4,
            Kind::Checkpoint => 5,
            Kind::Marker(MarkerKind::Recovery) => 6,
            Kind::Marker(MarkerKind::Commit) => 7,
        }
    }
}

/// One place on the scrubber.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// The earliest moment there: where the button travels to.
    pub at_ms: u64,
    /// From the scrubber's left end, in hundredths of a percent (0 to 10,000): integers, so
    /// that writing the position does not pull float formatting into the page.
    pub hundredths: u64,
    pub kind: Kind,
    /// What happened there, in words, for the tooltip and the accessible name.
    pub text: String,
}

impl Place {
    /// The CSS position along the scrubber.
    pub fn left(&self) -> String {
        format!("left: {}.{:02}%", self.hundredths / 100, self.hundredths % 100)
    }
}

/// The session's `expect` lines with the simulated time each stands at.
pub fn checkpoints<'a>(commands: impl Iterator<Item = &'a kafka_sim::command::SharedCommand>) -> Vec<(u64, String)> {
    let mut at_ms = 0u64;
    let mut out = Vec::new();
    for c in commands {
        match &**c {
            Command::Advance(d) => at_ms += d.ms,
            Command::Expect(e) => out.push((at_ms, format!("checkpoint: {e}"))),
            _ => {}
        }
    }
    out
}

/// The places to draw for a session of `length_ms`.
pub fn places(markers: &Markers, checkpoints: &[(u64, String)], length_ms: u64) -> Vec<Place> {
    let length_ms = length_ms.max(1);
    let mut all: Vec<(u64, Kind, String)> = markers.iter().map(|m| (m.at_ms, Kind::Marker(m.kind), m.text())).collect();
    all.extend(checkpoints.iter().map(|(at, t)| (*at, Kind::Checkpoint, t.clone())));
    kafka_sim::sort::sort_by_key(&mut all, |(at, kind, _)| (*at, kind.rank()));
    let mut places: Vec<(u64, Vec<(Kind, String)>)> = Vec::new();
    for (at, kind, text) in all {
        let bucket = at.min(length_ms) * BUCKETS_MAX / length_ms;
        match places.last_mut() {
            Some((first, items)) if (*first).min(length_ms) * BUCKETS_MAX / length_ms == bucket => {
                items.push((kind, text))
            }
            _ => places.push((at, vec![(kind, text)])),
        }
    }
    places
        .into_iter()
        .map(|(at_ms, items)| {
            let kind = items.iter().map(|(k, _)| *k).min_by_key(|k| k.rank()).unwrap_or(Kind::Checkpoint);
            let mut text: Vec<String> = items.iter().take(LABELS_SHOWN).map(|(_, t)| t.clone()).collect();
            if items.len() > LABELS_SHOWN {
                text.push(format!("and {} more", items.len() - LABELS_SHOWN));
            }
            let hundredths = at_ms.min(length_ms) * 10_000 / length_ms;
            Place { at_ms, hundredths, kind, text: text.join("; ") }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_sim::event::{Event, EventKind};
    use kafka_sim::time::Instant;

    fn event(ms: u64, kind: EventKind) -> Event {
        Event { at: Instant { ms }, kind }
    }

    #[test]
    fn close_marks_share_a_place_that_shows_the_fault_first() {
        let mut m = Markers::default();
        m.observe(&event(10_000, EventKind::BrokerStarted { id: 2 }));
        m.observe(&event(10_050, EventKind::BrokerStopped { id: 1, clean: false }));
        m.observe(&event(50_000, EventKind::ClientCrashed { name: "c".into() }));
        let checks = [(10_020, "checkpoint: expect broker 1 state=stopped".to_string())];
        let p = places(&m, &checks, 100_000);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].at_ms, p[0].kind), (10_000, Kind::Marker(MarkerKind::Fault)));
        assert_eq!(p[0].text, "broker-2 started; checkpoint: expect broker 1 state=stopped; broker-1 stopped");
        assert_eq!((p[1].hundredths, p[1].text.as_str()), (5_000, "c crashed"));
        assert_eq!(p[1].left(), "left: 50.00%");
    }

    #[test]
    fn a_crowded_place_says_how_many_more() {
        let mut m = Markers::default();
        for id in 1..=5 {
            m.observe(&event(id as u64, EventKind::BrokerStarted { id }));
        }
        let p = places(&m, &[], 60_000);
        assert_eq!(p.len(), 1);
        assert!(p[0].text.ends_with("; and 2 more"), "{}", p[0].text);
    }

    #[test]
    fn checkpoints_stand_where_the_script_has_them() {
        let script = kafka_sim::scenario::Scenario::parse(
            "cluster brokers=1\nadvance 2s\nexpect broker 1 state=running\nadvance 1s\nexpect controller broker=1\n",
        )
        .expect("parses");
        let commands: Vec<kafka_sim::command::SharedCommand> = script.commands.into_iter().map(|l| l.command).collect();
        let c = checkpoints(commands.iter());
        assert_eq!(c.iter().map(|(at, _)| *at).collect::<Vec<_>>(), [2_000, 3_000]);
        assert!(c[0].1.starts_with("checkpoint: expect broker 1"), "{}", c[0].1);
    }
}
