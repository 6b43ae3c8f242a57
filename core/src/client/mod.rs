//! Clients: producers and consumers as state machines on the network. What
//! both need (correlation ids, requests in flight with request.timeout.ms,
//! a metadata cache, choosing a broker) lives in [`Connection`].

pub mod backoff;
pub mod config;
pub mod config_docs;
pub mod consumer;
pub mod partitioner;
pub mod producer;
#[cfg(feature = "share-groups")]
pub mod share_consumer;

use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::net::Node;
use crate::protocol::{Body, Message, PartitionMetadata, Request, TopicName, TopicPartition};
use crate::sorted::SortedMap;
use crate::time::{Duration, Instant};
use alloc::string::String;
use alloc::vec::Vec;

pub use consumer::Consumer;
pub use producer::Producer;
#[cfg(feature = "share-groups")]
pub use share_consumer::ShareConsumer;

/// A client is one of these roles; commands check which before acting.
// A simulation holds at most CLIENTS_MAX of these in a map: the size difference costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Client {
    Producer(Producer),
    Consumer(Consumer),
    #[cfg(feature = "share-groups")]
    ShareConsumer(ShareConsumer),
}

impl Client {
    pub fn kind(&self) -> &'static str {
        match self {
            Client::Producer(_) => "producer",
            Client::Consumer(_) => "consumer",
            #[cfg(feature = "share-groups")]
            Client::ShareConsumer(_) => "share consumer",
        }
    }

    pub fn connection(&self) -> &Connection {
        match self {
            Client::Producer(p) => &p.conn,
            Client::Consumer(c) => &c.conn,
            #[cfg(feature = "share-groups")]
            Client::ShareConsumer(c) => &c.conn,
        }
    }
}

/// What a consumer's polls returned, newest last: the polls themselves, shared with their
/// `Polled` events (no copy of each record), dropped from the front while the rest hold at least
/// `RECORDS_RECEIVED_PER_CONSUMER_MAX` records.
#[derive(Clone, Debug, Default)]
pub struct Received {
    polls: alloc::collections::VecDeque<alloc::rc::Rc<Vec<(TopicPartition, crate::record::Record)>>>,
    /// Records in `polls`.
    kept: usize,
    /// Records polls returned in all, counting those no longer kept.
    pub total: u64,
}

impl Received {
    /// Keeps a poll's records, and drops the oldest polls no longer needed to show the newest.
    pub fn note(&mut self, records: &alloc::rc::Rc<Vec<(TopicPartition, crate::record::Record)>>) {
        use crate::limits::RECORDS_RECEIVED_PER_CONSUMER_MAX;
        self.total += records.len() as u64;
        if records.is_empty() {
            return;
        }
        self.polls.push_back(alloc::rc::Rc::clone(records));
        self.kept += records.len();
        while let Some(oldest) = self.polls.front() {
            if self.kept - oldest.len() < RECORDS_RECEIVED_PER_CONSUMER_MAX {
                break;
            }
            self.kept -= oldest.len();
            self.polls.pop_front();
        }
    }

    /// What polls returned, oldest first: the newest `RECORDS_RECEIVED_PER_CONSUMER_MAX`.
    pub fn iter(&self) -> impl Iterator<Item = &(TopicPartition, crate::record::Record)> {
        let beyond = self.kept.saturating_sub(crate::limits::RECORDS_RECEIVED_PER_CONSUMER_MAX);
        self.polls.iter().flat_map(|poll| poll.iter()).skip(beyond)
    }
}

/// A member id of the client's own, as KIP-1082's clients make one (the consumer protocol's and
/// share groups' members): unique per instance (the Java client takes a random UUID; here the
/// name and the moment it was made).
pub(crate) fn member_id_for(client: &str, created_ms: u64) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in client.bytes().chain(created_ms.to_le_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    alloc::format!("{client}-{h:08x}")
}

/// A request waiting for its answer.
#[derive(Clone, Debug)]
pub struct InFlight {
    pub broker: u32,
    pub request: Request,
}

/// What every client keeps about the cluster and its own requests.
#[derive(Clone, Debug)]
pub struct Connection {
    pub name: String,
    next_correlation_id: u32,
    in_flight: SortedMap<u32, InFlight>,
    request_timeout: Duration,
    /// Brokers the client knows: the bootstrap list, then what Metadata says.
    pub brokers: Vec<u32>,
    /// Topic metadata the client has learned, under the name its records share.
    pub topics: SortedMap<TopicName, Vec<PartitionMetadata>>,
    pub metadata_in_flight: bool,
    /// Brokers whose connection failed: avoided until the given time, and the failures in a row
    /// (Java's `ClusterConnectionStates`: a connection that answers starts the count again).
    failed: SortedMap<u32, (Instant, u32)>,
    /// `reconnect.backoff.ms` doubling to `reconnect.backoff.max.ms`, with jitter.
    reconnect: backoff::ExponentialBackoff,
    /// The jitter of this client's reconnect and metadata backoffs: a stream of its own, so a
    /// changed backoff setting moves no other random choice (a partition, a traffic key).
    pub backoff_rng: crate::rand::Rng,
}

/// Java's `reconnect.backoff.ms` and `reconnect.backoff.max.ms` defaults.
pub const RECONNECT_BACKOFF_MS: u64 = 50;
pub const RECONNECT_BACKOFF_MAX_MS: u64 = 1_000;

impl Connection {
    pub fn new(
        name: String,
        bootstrap: Vec<u32>,
        request_timeout_ms: u64,
        reconnect: backoff::ExponentialBackoff,
    ) -> Self {
        // Seeded by the client's name: a client's backoffs do not depend on which others exist.
        let seed = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        Connection {
            name,
            next_correlation_id: 0,
            in_flight: SortedMap::new(),
            request_timeout: Duration::from_ms(request_timeout_ms),
            brokers: bootstrap,
            topics: SortedMap::new(),
            metadata_in_flight: false,
            failed: SortedMap::new(),
            reconnect,
            backoff_rng: crate::rand::Rng::new(seed),
        }
    }

    /// Sends a request and arms its request.timeout.ms; returns its correlation id.
    pub fn request(&mut self, broker: u32, request: Request, fx: &mut Effects) -> u32 {
        self.request_with_timeout(broker, request, self.request_timeout, fx)
    }

    /// As [`Connection::request`] with its own timeout (a JoinGroup waits for the whole rebalance).
    pub fn request_with_timeout(&mut self, broker: u32, request: Request, timeout: Duration, fx: &mut Effects) -> u32 {
        let id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        fx.send(Node::Broker(broker), Message { correlation_id: id, body: Body::Request(request.clone()) });
        fx.timer_in(timeout, Timer::RequestTimeout(id));
        self.in_flight.insert(id, InFlight { broker, request });
        id
    }

    /// Sends a request that gets no answer (Produce with acks=0).
    pub fn fire_and_forget(&mut self, broker: u32, request: Request, fx: &mut Effects) {
        let id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        fx.send(Node::Broker(broker), Message { correlation_id: id, body: Body::Request(request) });
    }

    /// Takes the request an answer belongs to; `None` for an answer that came
    /// after its request timed out (the client has already given up on it).
    pub fn complete(&mut self, correlation_id: u32, fx: &mut Effects) -> Option<InFlight> {
        let done = self.in_flight.remove(&correlation_id)?;
        fx.cancel(Timer::RequestTimeout(correlation_id));
        // An answer came over the connection: it works, and its next failure backs off from the start.
        self.failed.remove(&done.broker);
        Some(done)
    }

    pub fn in_flight_to(&self, broker: u32) -> usize {
        self.in_flight.values().filter(|r| r.broker == broker).count()
    }

    pub fn in_flight(&self) -> impl Iterator<Item = (&u32, &InFlight)> {
        self.in_flight.iter()
    }

    /// Kafka's `leastLoadedNode`: the known broker with the fewest requests in
    /// flight, avoiding brokers whose connection recently failed; ties go to
    /// the lowest id so the choice is deterministic.
    pub fn least_loaded(&self, now: Instant) -> Option<u32> {
        let failing = |b: u32| self.backing_off(b, now);
        self.brokers.iter().copied().min_by_key(|&b| (failing(b), self.in_flight_to(b), b))
    }

    /// A request timed out or its connection broke: take it out of flight, say so, and avoid
    /// the broker for the reconnect backoff (`reconnect.backoff.ms` doubling per failure in a
    /// row up to `reconnect.backoff.max.ms`, with jitter). A timeout closes the connection
    /// (Java's `NetworkClient.handleTimedOutRequests`): every request in flight to that broker
    /// fails with it, as timed out, in the order they were sent.
    pub fn fail(&mut self, timer: &Timer, fx: &mut Effects) -> Vec<(u32, InFlight, KafkaError)> {
        let (id, error) = match timer {
            Timer::RequestTimeout(id) => (*id, KafkaError::RequestTimedOut),
            Timer::Disconnected(id) | Timer::Refused(id) => (*id, KafkaError::NetworkException),
            _ => return Vec::new(),
        };
        let Some(broker) = self.in_flight.get(&id).map(|r| r.broker) else { return Vec::new() };
        // The request that timed out first, then the others on its connection in the order sent.
        let mut ids = alloc::vec![id];
        if error == KafkaError::RequestTimedOut {
            ids.extend(self.in_flight.iter().filter(|&(&other, r)| r.broker == broker && other != id).map(|(&o, _)| o));
        }
        let failures = self.failed.get(&broker).map_or(0, |f| f.1);
        let mut failed = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(done) = self.complete(id, fx) else { continue };
            if matches!(done.request, Request::Metadata { .. }) {
                self.metadata_in_flight = false;
            }
            let (client, to, api) = (self.name.clone(), Node::Broker(broker), done.request.api());
            fx.event(match error {
                KafkaError::RequestTimedOut => {
                    EventKind::RequestTimedOut { client, to, api, timed_out: failed.is_empty() }
                }
                _ => EventKind::Disconnected { client, to, api },
            });
            failed.push((id, done, error.clone()));
        }
        // One disconnection, one step of the backoff, however many requests it ended.
        let wait_ms = self.reconnect.backoff(failures, &mut self.backoff_rng);
        self.failed.insert(broker, (fx.now + Duration::from_ms(wait_ms), failures + 1));
        failed
    }

    /// The broker a request in flight went to.
    pub fn broker_of(&self, correlation_id: u32) -> Option<u32> {
        self.in_flight.get(&correlation_id).map(|r| r.broker)
    }

    /// Whether the client avoids `broker` now (its connection failed within the reconnect backoff).
    pub fn backing_off(&self, broker: u32, now: Instant) -> bool {
        self.ready_at(broker).is_some_and(|until| until > now)
    }

    /// When the reconnect backoff to `broker` ends, if its connection failed.
    pub fn ready_at(&self, broker: u32) -> Option<Instant> {
        self.failed.get(&broker).map(|f| f.0)
    }

    pub fn leader_of(&self, tp: &TopicPartition) -> Option<u32> {
        self.topics.get(&tp.topic)?.get(tp.partition as usize)?.leader
    }

    /// By a shared name (a record's), two clones of one name compare without reading it.
    pub fn partition_count<Q: Ord + ?Sized>(&self, topic: &Q) -> Option<u32>
    where
        TopicName: core::borrow::Borrow<Q>,
    {
        self.topics.get(topic).map(|p| p.len() as u32)
    }

    /// The shared name of a topic the client knows, so a new record names it without a copy.
    pub fn topic_name(&self, topic: &str) -> Option<TopicName> {
        self.topics.get_key_value(topic).map(|(name, _)| name.clone())
    }

    /// Asks for metadata of every topic (a pattern subscription) unless a Metadata request is already out.
    pub fn refresh_all_metadata(&mut self, fx: &mut Effects) {
        if self.metadata_in_flight {
            return;
        }
        if let Some(broker) = self.least_loaded(fx.now) {
            self.metadata_in_flight = true;
            self.request(broker, Request::Metadata { topics: None, allow_auto_topic_creation: false }, fx);
        }
    }

    /// Asks for metadata of `topics` unless a Metadata request is already out.
    pub fn refresh_metadata(&mut self, topics: Vec<String>, allow_auto_topic_creation: bool, fx: &mut Effects) {
        if self.metadata_in_flight || topics.is_empty() {
            return;
        }
        if let Some(broker) = self.least_loaded(fx.now) {
            self.metadata_in_flight = true;
            self.request(broker, Request::Metadata { topics: Some(topics), allow_auto_topic_creation }, fx);
        }
    }
}

impl Connection {
    /// Takes in a Metadata answer; returns the topics that came back with an error.
    pub fn on_metadata(
        &mut self,
        brokers: Vec<u32>,
        topics: Vec<(String, Result<Vec<PartitionMetadata>, crate::error::KafkaError>)>,
    ) -> Vec<(String, crate::error::KafkaError)> {
        self.metadata_in_flight = false;
        if !brokers.is_empty() {
            self.brokers = brokers;
        }
        let mut errors = Vec::new();
        for (topic, result) in topics {
            match result {
                Ok(partitions) => match self.topics.get_mut(topic.as_str()) {
                    Some(known) => *known = partitions,
                    None => drop(self.topics.insert(topic.into(), partitions)),
                },
                Err(e) => {
                    self.topics.remove(topic.as_str());
                    errors.push((topic, e));
                }
            }
        }
        errors
    }
}
