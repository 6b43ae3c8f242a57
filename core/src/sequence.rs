//! The request-level view: every request and response between clients,
//! brokers and the controller as arrows on lanes, for a sequence diagram of a
//! stretch of time (Produce, Fetch, JoinGroup, SyncGroup, Heartbeat,
//! OffsetCommit, InitProducerId, EndTxn, WriteTxnMarkers ...).
//!
//! A [`Sequence`] keeps the newest messages (a stated limit) as events arrive;
//! [`Sequence::window`] picks a stretch and [`lanes`] orders the nodes in it.

use crate::event::{Event, EventKind};
use crate::net::Node;
use crate::protocol::Body;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::OnceCell;

/// One message between two nodes.
#[derive(Clone, Debug)]
pub struct Arrow {
    /// Its place among every message the sequence saw: the same arrow keeps it as the window moves.
    pub id: u64,
    /// When it was sent, in simulated milliseconds.
    pub at_ms: u64,
    pub from: String,
    pub to: String,
    /// Kafka's API name (`Produce`, `JoinGroup`, ...).
    pub api: &'static str,
    pub response: bool,
    /// Background traffic (heartbeats, idle fetches, metadata pushes).
    pub chatter: bool,
    /// It never arrived (a cut link, a stopped node).
    pub lost: bool,
    /// The event it was drawn from, shared with whoever else keeps it (the page's event log).
    event: Rc<Event>,
    /// [`Arrow::text`], written the first time it is asked for: a busy cluster sends hundreds of
    /// messages a tick, most never drawn (background traffic is hidden unless asked for).
    text: OnceCell<String>,
}

impl Arrow {
    /// The message itself, for pictures that read what it carries (a Produce's partition).
    pub fn message(&self) -> Option<&crate::protocol::Message> {
        match &self.event.kind {
            EventKind::Sent { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The message as the event log prints it.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| match &self.event.kind {
            EventKind::Sent { message, .. } => message.to_string(),
            other => other.to_string(),
        })
    }
}

/// Arrows are equal when they are the same message seen the same way.
impl PartialEq for Arrow {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.at_ms == other.at_ms
            && self.from == other.from
            && self.to == other.to
            && self.api == other.api
            && self.response == other.response
            && self.chatter == other.chatter
            && self.lost == other.lost
            && Rc::ptr_eq(&self.event, &other.event)
    }
}

impl Eq for Arrow {}

/// Messages a sequence remembers, a stated limit: the oldest go first.
pub const ARROWS_MAX: usize = 4_000;

/// The newest messages, oldest first (so in the order they were sent: a stretch of time is found
/// by binary search). Each arrow is shared with the windows handed out: a page that draws the
/// window every frame copies no arrow, and tells an arrow it drew last frame by its pointer.
#[derive(Clone, Debug, Default)]
pub struct Sequence {
    arrows: VecDeque<Rc<Arrow>>,
    /// Messages that were let go to stay within [`ARROWS_MAX`].
    pub dropped: u64,
    /// Messages seen, for arrow ids.
    seen: u64,
}

impl Sequence {
    /// Takes an arrow from a message sent or lost; the event is kept (shared) to write the
    /// arrow's text if it is ever drawn.
    pub fn observe(&mut self, event: &Rc<Event>) {
        match &event.kind {
            EventKind::Sent { from, to, message, .. } => {
                let (api, response) = match &message.body {
                    Body::Request(r) => (r.api(), false),
                    Body::Response(r) => (r.api(), true),
                };
                self.push(Arrow {
                    id: 0,
                    at_ms: event.at.ms,
                    from: from.to_string(),
                    to: to.to_string(),
                    api,
                    response,
                    chatter: event.kind.is_chatter(),
                    lost: false,
                    event: Rc::clone(event),
                    text: OnceCell::new(),
                });
            }
            EventKind::Lost { from, to, api, sent_ms, .. } => {
                let (from, to) = (from.to_string(), to.to_string());
                // Lost on the way: the arrow sent then. Lost at once (a cut link, a stopped
                // node): there was no send, and the arrow is the loss itself.
                let now = event.at.ms;
                let on_the_way = sent_ms.and_then(|sent| {
                    self.arrows
                        .iter_mut()
                        .rev()
                        .find(|a| !a.lost && a.at_ms == sent && a.api == *api && a.from == from && a.to == to)
                });
                match on_the_way {
                    // A new arrow if a window holds the old one: the page sees it changed.
                    Some(a) => Rc::make_mut(a).lost = true,
                    None => self.push(Arrow {
                        id: 0,
                        at_ms: now,
                        from,
                        to,
                        api,
                        response: false,
                        chatter: event.kind.is_chatter(),
                        lost: true,
                        event: Rc::clone(event),
                        text: OnceCell::new(),
                    }),
                }
            }
            _ => {}
        }
    }

    /// Where in a batch of events (oldest first) observing must start for the sequence to end as
    /// if it had observed them all: a message with at least [`ARROWS_MAX`] sent after it in the
    /// batch would be let go before the batch ends. At 100x a tick brings some 20,000 messages,
    /// so most of them need no arrow at all. A batch with a loss is observed whole: a loss marks
    /// the arrow of the message lost, which must be there to be marked.
    pub fn first_needed(events: &[Event]) -> usize {
        let mut sent_after = 0;
        for (i, e) in events.iter().enumerate().rev() {
            match e.kind {
                EventKind::Lost { .. } => return 0,
                EventKind::Sent { .. } if sent_after == ARROWS_MAX => return i + 1,
                EventKind::Sent { .. } => sent_after += 1,
                _ => {}
            }
        }
        0
    }

    /// Counts a message [`Sequence::first_needed`] left out: seen, and let go at once.
    pub fn pass_over(&mut self, event: &Event) {
        if let EventKind::Sent { .. } = event.kind {
            self.seen += 1;
            self.dropped += 1;
        }
    }

    fn push(&mut self, mut arrow: Arrow) {
        debug_assert!(
            self.arrows.back().is_none_or(|last| last.at_ms <= arrow.at_ms),
            "arrows arrive in the order they were sent (the stretch search relies on it)"
        );
        arrow.id = self.seen;
        self.seen += 1;
        if self.arrows.len() == ARROWS_MAX {
            self.arrows.pop_front();
            self.dropped += 1;
        }
        self.arrows.push_back(Rc::new(arrow));
    }

    pub fn clear(&mut self) {
        self.arrows.clear();
        self.dropped = 0;
    }

    /// When the oldest remembered message was sent.
    pub fn first_ms(&self) -> Option<u64> {
        self.arrows.front().map(|a| a.at_ms)
    }

    /// How many messages `window` would give without a limit.
    pub fn count(&self, from_ms: u64, to_ms: u64, chatter: bool) -> usize {
        self.stretch(from_ms, to_ms, chatter).count()
    }

    /// Messages sent in `from_ms..=to_ms`, without background traffic unless `chatter`;
    /// at most `limit`, the newest.
    pub fn window(&self, from_ms: u64, to_ms: u64, chatter: bool, limit: usize) -> Vec<Rc<Arrow>> {
        let mut newest: Vec<Rc<Arrow>> = self.stretch(from_ms, to_ms, chatter).rev().take(limit).cloned().collect();
        newest.reverse();
        newest
    }

    /// The arrows sent in `from_ms..=to_ms`, found by binary search.
    fn stretch(&self, from_ms: u64, to_ms: u64, chatter: bool) -> impl DoubleEndedIterator<Item = &Rc<Arrow>> {
        let start = self.arrows.partition_point(|a| a.at_ms < from_ms);
        let end = self.arrows.partition_point(|a| a.at_ms <= to_ms).max(start);
        self.arrows.range(start..end).filter(move |a| chatter || !a.chatter)
    }
}

/// The lanes of a diagram: the cluster's clients in the order given, the controller, then the
/// cluster's brokers by id. The lanes come from the cluster rather than from the arrows drawn, so
/// that as a playing diagram's stretch slides no arrow moves sideways (lanes taken from the arrows
/// came and went with the arrows, and every arrow was drawn again). A node an arrow names beyond
/// those (a client gone since) gets a lane too: clients in the order they first appear.
pub fn lanes<'a>(
    clients: impl IntoIterator<Item = &'a str>,
    brokers: impl IntoIterator<Item = u32>,
    arrows: impl IntoIterator<Item = &'a Arrow>,
) -> Vec<String> {
    let mut clients: Vec<String> = clients.into_iter().map(String::from).collect();
    let mut brokers: Vec<u32> = brokers.into_iter().collect();
    let mut controller = !brokers.is_empty();
    for a in arrows {
        for node in [&a.from, &a.to] {
            if node == "controller" {
                controller = true;
            } else if let Some(id) = node.strip_prefix("broker-").and_then(|n| n.parse::<u32>().ok()) {
                if !brokers.contains(&id) {
                    brokers.push(id);
                }
            } else if !clients.contains(node) {
                clients.push(node.clone());
            }
        }
    }
    crate::sort::sort(&mut brokers);
    let mut out = clients;
    if controller {
        out.push(String::from("controller"));
    }
    out.extend(brokers.into_iter().map(|id| Node::Broker(id).to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::scenario::Scenario;
    use crate::sim::Sim;

    fn record(script: &str) -> Sequence {
        let scenario = Scenario::parse(script).unwrap();
        let mut sim = Sim::new(scenario.seed);
        let mut seq = Sequence::default();
        for line in &scenario.commands {
            sim.apply(&line.command).unwrap();
            for e in sim.drain_events() {
                seq.observe(&Rc::new(e));
            }
        }
        seq
    }

    #[test]
    fn a_batch_observed_from_first_needed_ends_as_one_observed_whole() {
        // Two batches of more than ARROWS_MAX messages (a second batch evicts the first's), and
        // a small one after.
        let mut script = String::from("seed 1\ncluster brokers=3\ntopic create t partitions=6 replication-factor=3\n");
        script += "producer p linger.ms=0\nadvance 1s\ntraffic p t rate=400 keys=10\n";
        script += "consumer c group.id=g\nsubscribe c t\nconsume c\n";
        let scenario = Scenario::parse(&script).unwrap();
        let mut sim = Sim::new(scenario.seed);
        for line in &scenario.commands {
            sim.apply(&line.command).unwrap();
        }
        let (mut whole, mut skipping) = (Sequence::default(), Sequence::default());
        let mut skipped = 0;
        for seconds in [4, 4, 1] {
            sim.apply(&Command::Advance(crate::time::Duration::from_ms(seconds * 1_000))).unwrap();
            let events: Vec<Event> = sim.drain_events();
            let from = Sequence::first_needed(&events);
            for (i, e) in events.into_iter().enumerate() {
                let e = Rc::new(e);
                whole.observe(&e);
                if i < from {
                    skipping.pass_over(&e);
                    skipped += 1;
                } else {
                    skipping.observe(&e);
                }
            }
        }
        assert!(skipped > 5_000, "most of the big batches are passed over: {skipped}");
        let ids = |s: &Sequence| s.arrows.iter().map(|a| (a.id, a.at_ms, a.api, a.response)).collect::<Vec<_>>();
        assert_eq!(ids(&whole), ids(&skipping));
        assert_eq!((whole.dropped, whole.seen), (skipping.dropped, skipping.seen));
        assert_eq!(whole.arrows.len(), ARROWS_MAX);
    }

    #[test]
    fn a_batch_with_a_loss_is_observed_whole() {
        let lost = Event {
            at: crate::time::Instant::ZERO,
            kind: EventKind::Lost {
                from: Node::Broker(1),
                to: Node::Broker(2),
                api: "Fetch",
                why: crate::net::Loss::LinkCut,
                sent_ms: Some(0),
            },
        };
        assert_eq!(Sequence::first_needed(&[lost]), 0);
    }

    #[test]
    fn a_send_is_a_produce_request_to_the_leader_and_its_response() {
        let seq = record("seed 1\ncluster brokers=1\ntopic create t\nproducer p linger.ms=0\nadvance 1s\nsend p t value=v\nadvance 1s\n");
        let arrows = seq.window(1_000, 2_000, false, 100);
        let produce: Vec<(&str, &str, bool)> = arrows
            .iter()
            .filter(|a| a.api == "Produce")
            .map(|a| (a.from.as_str(), a.to.as_str(), a.response))
            .collect();
        assert_eq!(produce, [("p", "broker-1", false), ("broker-1", "p", true)]);
        let request = arrows.iter().find(|a| a.api == "Produce" && !a.response).unwrap();
        assert!(
            request.text().starts_with("Produce request #"),
            "the message as the log prints it: {}",
            request.text()
        );
        assert_eq!(lanes([], [], arrows.iter().map(|a| &**a)), ["p", "broker-1"], "from the arrows alone");
        // From the cluster: every client and broker has its lane, drawn on or not; the arrows'
        // nodes are among them.
        let cluster = lanes(["c", "p"], [2, 1], arrows.iter().map(|a| &**a));
        assert_eq!(cluster, ["c", "p", "controller", "broker-1", "broker-2"]);
        assert!(arrows.iter().all(|a| !a.chatter), "no background traffic unless asked");
        assert!(seq.window(1_000, 2_000, true, 100).len() >= arrows.len());
    }

    #[test]
    fn a_message_on_a_cut_link_is_marked_lost() {
        let seq = record(
            "seed 1\ncluster brokers=1\ntopic create t\nproducer p linger.ms=0\nsend p t value=a\nadvance 1s\nnetwork cut p broker-1\nsend p t value=b\nadvance 100ms\n",
        );
        let arrows = seq.window(0, 10_000, false, 100);
        let produce: Vec<bool> = arrows.iter().filter(|a| a.api == "Produce" && !a.response).map(|a| a.lost).collect();
        assert_eq!(produce, [false, true], "{arrows:?}");
    }

    #[test]
    fn a_message_lost_on_its_way_is_its_own_arrow_marked_lost() {
        let seq = record(
            "seed 1\ncluster brokers=1\ntopic create t\nproducer p linger.ms=0\nsend p t value=a\nadvance 1s\nnetwork delay p broker-1 100ms\nsend p t value=b\nadvance 10ms\nnetwork cut p broker-1\nadvance 200ms\n",
        );
        let arrows = seq.window(1_000, 10_000, false, 100);
        let produce: Vec<(u64, bool)> =
            arrows.iter().filter(|a| a.api == "Produce" && !a.response).map(|a| (a.at_ms, a.lost)).collect();
        assert_eq!(produce, [(1_000, true)], "{arrows:?}");
    }

    #[test]
    fn the_window_keeps_the_newest_within_its_limit_and_the_sequence_its_bound() {
        let mut seq = Sequence::default();
        let mut sim = Sim::new(1);
        sim.apply(&Command::Cluster(crate::command::ClusterSettings::new(3))).unwrap();
        sim.advance(crate::time::Duration::from_ms(1_800_000));
        for e in sim.drain_events() {
            seq.observe(&Rc::new(e));
        }
        assert_eq!(seq.arrows.len(), ARROWS_MAX, "half an hour of heartbeats fills it");
        assert!(seq.dropped > 0);
        let w = seq.window(0, u64::MAX, true, 10);
        assert_eq!(w.len(), 10);
        assert_eq!(seq.count(0, u64::MAX, true), ARROWS_MAX);
        assert_eq!(w.last(), seq.arrows.back());
        // Any stretch: the binary search finds what a scan of every arrow finds.
        let first = seq.first_ms().unwrap();
        for (from, to) in [(0, first), (first, first + 10_000), (900_000, 905_500), (1_799_000, u64::MAX), (5, 4)] {
            for chatter in [true, false] {
                let scan: Vec<&Rc<Arrow>> =
                    seq.arrows.iter().filter(|a| a.at_ms >= from && a.at_ms <= to && (chatter || !a.chatter)).collect();
                assert_eq!(seq.count(from, to, chatter), scan.len(), "{from}..={to}");
                let newest = &scan[scan.len().saturating_sub(7)..];
                assert!(seq.window(from, to, chatter, 7).iter().eq(newest.iter().copied()), "{from}..={to}");
            }
        }
    }
}
