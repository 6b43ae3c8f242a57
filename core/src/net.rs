//! The simulated network: nodes joined by links with a latency. Delivery on a
//! link is in order (a later message never overtakes an earlier one); a cut
//! link or a down node loses what crosses it, as a TCP connection that breaks.
//! A client's connection that lost a message stays broken, both ways, until the
//! client closes it: as over TCP, no later message on it arrives after one lost.

use crate::protocol::ClientName;
use crate::sorted::{SortedMap, SortedSet};
use crate::time::{Duration, Instant};
use core::fmt;

/// Something on the network: a broker (by node id) or a client (by name).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Node {
    Broker(u32),
    /// Shared: a node is cloned for every message, timer and event that names it.
    Client(ClientName),
    /// The active controller, wherever the quorum put it. Messages to it travel
    /// on the link to the broker that hosts it.
    Controller,
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Broker(id) => write!(f, "broker-{id}"),
            Node::Client(name) => f.write_str(name),
            Node::Controller => f.write_str("controller"),
        }
    }
}

impl Node {
    /// Parses `broker-N` or a client name, the form scripts use.
    pub fn parse(text: &str) -> Node {
        match text.strip_prefix("broker-").map(str::parse::<u32>) {
            Some(Ok(id)) => Node::Broker(id),
            _ => Node::Client(text.into()),
        }
    }
}

/// Why a message did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Loss {
    /// The quorum has no active controller to carry it to.
    NoController,
    LinkCut,
    SenderDown,
    ReceiverDown,
    /// An earlier message on this client connection was lost; nothing more crosses it until
    /// the client gives up on its requests and connects again.
    ConnectionBroken,
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Loss::NoController => "there is no active controller",
            Loss::LinkCut => "the link is cut",
            Loss::SenderDown => "the sender is down",
            Loss::ReceiverDown => "the receiver is down",
            Loss::ConnectionBroken => "the connection broke with an earlier loss",
        })
    }
}

/// Links, their latency, which are cut and which nodes are down.
#[derive(Clone, Debug)]
pub struct Network {
    latency: Duration,
    /// Cut links, stored with the smaller node first: a cut is in both directions.
    cut: SortedSet<(Node, Node)>,
    down: SortedSet<Node>,
    /// Links slower than the default, keyed with the smaller node first.
    slow: SortedMap<(Node, Node), Duration>,
    /// When the last message on each directed link arrives, to keep delivery in order: kept once
    /// any link's latency has changed (before that, now + the one latency is always the latest).
    last_arrival: SortedMap<(Node, Node), Instant>,
    latency_changed: bool,
    /// Client connections that lost a message, stored with the smaller node first.
    broken: SortedSet<(Node, Node)>,
}

fn link(a: &Node, b: &Node) -> (Node, Node) {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

impl Network {
    pub fn new(latency: Duration) -> Self {
        Network {
            latency,
            cut: SortedSet::new(),
            down: SortedSet::new(),
            slow: SortedMap::new(),
            last_arrival: SortedMap::new(),
            latency_changed: false,
            broken: SortedSet::new(),
        }
    }

    /// The cluster-wide link latency.
    pub fn default_latency(&self) -> Duration {
        self.latency
    }

    /// The latency of the link between two nodes.
    pub fn latency(&self, a: &Node, b: &Node) -> Duration {
        if self.slow.is_empty() {
            return self.latency;
        }
        self.slow.get(&link(a, b)).copied().unwrap_or(self.latency)
    }

    /// Sets one link's latency (both directions); the default latency clears the override.
    pub fn set_latency(&mut self, a: &Node, b: &Node, latency: Duration) {
        self.latency_changed = true;
        if latency == self.latency {
            self.slow.remove(&link(a, b));
        } else {
            self.slow.insert(link(a, b), latency);
        }
    }

    /// Links with their own latency, sorted.
    pub fn slow_links(&self) -> impl Iterator<Item = (&(Node, Node), &Duration)> {
        self.slow.iter()
    }

    /// When a message sent now from `from` to `to` arrives, or why it is lost.
    pub fn send(&mut self, from: &Node, to: &Node, now: Instant) -> Result<Instant, Loss> {
        self.check(from, to)?;
        let earliest = now + self.latency(from, to);
        if !self.latency_changed {
            return Ok(earliest);
        }
        let key = (from.clone(), to.clone());
        let arrival = match self.last_arrival.get(&key) {
            Some(&last) if last > earliest => last,
            _ => earliest,
        };
        self.last_arrival.insert(key, arrival);
        Ok(arrival)
    }

    /// Whether a message in flight may still be delivered now: a link cut or a
    /// node that went down while it travelled loses it.
    pub fn check(&self, from: &Node, to: &Node) -> Result<(), Loss> {
        if self.down.contains(from) {
            Err(Loss::SenderDown)
        } else if self.down.contains(to) {
            Err(Loss::ReceiverDown)
        } else if !self.cut.is_empty() && self.cut.contains(&link(from, to)) {
            Err(Loss::LinkCut)
        } else if !self.broken.is_empty() && self.broken.contains(&link(from, to)) {
            Err(Loss::ConnectionBroken)
        } else {
            Ok(())
        }
    }

    /// A message on the connection between `a` and `b` was lost: TCP delivers in order or not
    /// at all, so every later one on it is lost too until [`Network::reconnect`].
    pub fn break_connection(&mut self, a: &Node, b: &Node) {
        self.broken.insert(link(a, b));
    }

    /// The client closed its connection (it gave up on the requests in it): the next message
    /// opens a new one.
    pub fn reconnect(&mut self, a: &Node, b: &Node) {
        self.broken.remove(&link(a, b));
    }

    /// Cuts the link both ways; returns false if it was already cut.
    pub fn cut(&mut self, a: &Node, b: &Node) -> bool {
        self.cut.insert(link(a, b))
    }

    /// Heals the link; returns false if it was not cut.
    pub fn heal(&mut self, a: &Node, b: &Node) -> bool {
        self.cut.remove(&link(a, b))
    }

    pub fn set_down(&mut self, node: &Node, down: bool) {
        if down {
            self.down.insert(node.clone());
        } else {
            self.down.remove(node);
        }
    }

    pub fn is_down(&self, node: &Node) -> bool {
        self.down.contains(node)
    }

    /// Cut links, sorted.
    pub fn cut_links(&self) -> impl Iterator<Item = &(Node, Node)> {
        self.cut.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> (Node, Node) {
        (Node::Client("p1".into()), Node::Broker(1))
    }

    #[test]
    fn arrival_is_now_plus_latency() {
        let (a, b) = nodes();
        let mut net = Network::new(Duration::from_ms(3));
        assert_eq!(net.send(&a, &b, Instant::from_ms(10)), Ok(Instant::from_ms(13)));
    }

    #[test]
    fn a_link_made_faster_never_lets_a_later_message_overtake() {
        let (a, b) = nodes();
        let mut net = Network::new(Duration::from_ms(1));
        assert_eq!(net.send(&a, &b, Instant::ZERO), Ok(Instant::from_ms(1)));
        net.set_latency(&a, &b, Duration::from_ms(200));
        assert_eq!(net.send(&a, &b, Instant::from_ms(10)), Ok(Instant::from_ms(210)));
        net.set_latency(&a, &b, Duration::from_ms(1));
        assert_eq!(net.send(&a, &b, Instant::from_ms(20)), Ok(Instant::from_ms(210)), "in order behind the slow one");
        assert_eq!(net.send(&a, &b, Instant::from_ms(300)), Ok(Instant::from_ms(301)));
    }

    #[test]
    fn a_cut_link_loses_messages_both_ways_until_healed() {
        let (a, b) = nodes();
        let mut net = Network::new(Duration::from_ms(1));
        assert!(net.cut(&b, &a));
        assert_eq!(net.send(&a, &b, Instant::ZERO), Err(Loss::LinkCut));
        assert_eq!(net.send(&b, &a, Instant::ZERO), Err(Loss::LinkCut));
        assert!(net.heal(&a, &b));
        assert!(net.send(&a, &b, Instant::ZERO).is_ok());
    }

    #[test]
    fn a_down_node_loses_messages_to_and_from_it() {
        let (a, b) = nodes();
        let mut net = Network::new(Duration::from_ms(1));
        net.set_down(&b, true);
        assert_eq!(net.send(&a, &b, Instant::ZERO), Err(Loss::ReceiverDown));
        assert_eq!(net.send(&b, &a, Instant::ZERO), Err(Loss::SenderDown));
    }

    #[test]
    fn a_broken_connection_loses_everything_after_a_heal_until_it_reconnects() {
        let (a, b) = nodes();
        let mut net = Network::new(Duration::from_ms(1));
        net.break_connection(&a, &b);
        assert_eq!(net.send(&b, &a, Instant::ZERO), Err(Loss::ConnectionBroken));
        net.reconnect(&b, &a);
        assert!(net.send(&a, &b, Instant::ZERO).is_ok());
    }

    #[test]
    fn node_names_round_trip() {
        assert_eq!(Node::parse("broker-2"), Node::Broker(2));
        assert_eq!(Node::parse("p1"), Node::Client("p1".into()));
        assert_eq!(Node::parse("broker-x"), Node::Client("broker-x".into()));
    }
}
