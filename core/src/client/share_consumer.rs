//! A share consumer (KIP-932, Java's `KafkaShareConsumer`): a member of a share group that
//! reads records, not partitions. It joins with ShareGroupHeartbeat (its own member id, as
//! KIP-1082's clients make one), fetches with ShareFetch from each leader of its assigned
//! partitions (records come acquired, each under a lock, with its delivery count), and
//! acknowledges what it finished with, piggybacked on its next ShareFetch, or with
//! ShareAcknowledge on `commit` and `close`.
//!
//! `share.acknowledgement.mode=implicit` (the default) accepts every record of a poll when the
//! next poll begins; `explicit` leaves each record to `acknowledge(record, ACCEPT | RELEASE |
//! REJECT | RENEW)`. A poll loop (`consume`) processes records one by one in `processing.ms`;
//! a record that fails is released (delivered again, possibly to another member) or rejected
//! (archived), and a crash leaves its records acquired until their locks expire.

use super::{Connection, InFlight};
use crate::command::{OnFailure, Processing};
use crate::effects::{Effects, Timer};
use crate::error::{CommandError, KafkaError};
use crate::event::EventKind;
use crate::group::share_group::ShareHeartbeatRequest;
use crate::group::share_partition::AckType;
use crate::limits::PROCESSED_RECORDS_MAX;
use crate::protocol::{Request, Response, ShareAck, TopicPartition};
use crate::record::Record;
use crate::sorted::{SortedMap, SortedSet};
use crate::time::Duration;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// Share consumer settings, with the Java client's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareConsumerConfig {
    pub client_id: String,
    pub group_id: String,
    /// `share.acknowledgement.mode=explicit`.
    pub explicit: bool,
    /// `share.acquire.mode=record_limit` (KIP-1206, Kafka 4.2).
    pub record_limit: bool,
    pub max_poll_records: u32,
    pub fetch_max_wait_ms: u64,
    pub fetch_min_bytes: usize,
    pub fetch_max_bytes: usize,
    pub request_timeout_ms: u64,
    pub retry_backoff_ms: u64,
}

/// Consumer configs a share consumer refuses (Java's `ShareConsumerConfig`: "... is not
/// supported for KafkaShareConsumer").
const UNSUPPORTED: [&str; 10] = [
    "auto.offset.reset",
    "enable.auto.commit",
    "group.instance.id",
    "isolation.level",
    "partition.assignment.strategy",
    "interceptor.classes",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "group.protocol",
    "group.remote.assignor",
];

impl Default for ShareConsumerConfig {
    fn default() -> Self {
        ShareConsumerConfig {
            client_id: String::new(),
            group_id: String::new(),
            explicit: false,
            record_limit: false,
            max_poll_records: 500,
            fetch_max_wait_ms: 500,
            fetch_min_bytes: 1,
            fetch_max_bytes: 52_428_800,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
        }
    }
}

impl ShareConsumerConfig {
    /// The share consumer configs the simulation models, by name.
    pub const NAMES: [&'static str; 10] = [
        "client.id",
        "group.id",
        "share.acknowledgement.mode",
        "share.acquire.mode",
        "max.poll.records",
        "fetch.max.wait.ms",
        "fetch.min.bytes",
        "fetch.max.bytes",
        "request.timeout.ms",
        "retry.backoff.ms",
    ];

    /// The modelled configs with their values, as the page's describe shows them.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        use alloc::string::ToString;
        alloc::vec![
            ("client.id", self.client_id.clone()),
            ("fetch.max.bytes", self.fetch_max_bytes.to_string()),
            ("fetch.max.wait.ms", self.fetch_max_wait_ms.to_string()),
            ("fetch.min.bytes", self.fetch_min_bytes.to_string()),
            ("group.id", self.group_id.clone()),
            ("max.poll.records", self.max_poll_records.to_string()),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            ("share.acknowledgement.mode", String::from(if self.explicit { "explicit" } else { "implicit" })),
            ("share.acquire.mode", String::from(if self.record_limit { "record_limit" } else { "batch_optimized" })),
        ]
    }

    pub fn parse(configs: &[(String, String)]) -> Result<Self, CommandError> {
        let mut c = ShareConsumerConfig::default();
        let bad = |m: String| CommandError::ClientConfig(m);
        for (name, value) in configs {
            let number = || value.parse::<u64>().map_err(|_| bad(alloc::format!("{name}={value}: expected a number")));
            match name.as_str() {
                "client.id" => c.client_id = value.clone(),
                "group.id" => c.group_id = value.clone(),
                "share.acknowledgement.mode" => {
                    c.explicit = match value.as_str() {
                        "implicit" => false,
                        "explicit" => true,
                        _ => return Err(bad(alloc::format!("Invalid value {value} for configuration share.acknowledgement.mode: String must be one of: implicit, explicit"))),
                    }
                }
                "share.acquire.mode" => {
                    c.record_limit = match value.as_str() {
                        "batch_optimized" => false,
                        "record_limit" => true,
                        _ => return Err(bad(alloc::format!("Invalid value {value} for configuration share.acquire.mode: String must be one of: batch_optimized, record_limit"))),
                    }
                }
                "max.poll.records" => c.max_poll_records = number()?.clamp(1, 100_000) as u32,
                "fetch.max.wait.ms" => c.fetch_max_wait_ms = number()?,
                "fetch.min.bytes" => c.fetch_min_bytes = number()? as usize,
                "fetch.max.bytes" => c.fetch_max_bytes = number()?.max(1) as usize,
                "request.timeout.ms" => c.request_timeout_ms = number()?.max(1),
                "retry.backoff.ms" => c.retry_backoff_ms = number()?,
                n if UNSUPPORTED.contains(&n) => {
                    return Err(bad(alloc::format!("{n} is not supported for KafkaShareConsumer (the share group decides)")))
                }
                n => {
                    return Err(bad(alloc::format!(
                        "unknown share consumer config '{n}': expected one of {}",
                        Self::NAMES.join(", ")
                    )))
                }
            }
        }
        if c.group_id.is_empty() {
            return Err(bad("a share consumer needs group.id (its share group)".into()));
        }
        Ok(c)
    }
}

/// A record a poll returned, until it is acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub tp: TopicPartition,
    pub offset: u64,
    pub delivery_count: u16,
    /// Its acknowledgement, once the application gave one (explicit mode).
    pub ack: Option<AckType>,
}

#[derive(Clone, Debug)]
pub struct ShareConsumer {
    pub conn: Connection,
    pub config: ShareConsumerConfig,
    pub member_id: String,
    /// The member epoch the coordinator gave (0: not in the group).
    pub epoch: i32,
    pub subscription: Vec<String>,
    pub assignment: Vec<TopicPartition>,
    coordinator: Option<u32>,
    /// After a failed coordinator request, nothing goes to a coordinator before this time
    /// (retry.backoff.ms).
    coordinator_retry_at: Option<crate::time::Instant>,
    /// Coordinator failures in a row: the wait doubles from retry.backoff.ms up to
    /// retry.backoff.max.ms (1 s), with jitter, as Java's coordinator lookup backs off.
    coordinator_failures: u32,
    heartbeat_interval_ms: u64,
    /// Send a heartbeat at the next chance (joining, the subscription changed).
    heartbeat_now: bool,
    /// Each leader's share session: the epoch the next request carries (0 opens one).
    sessions: SortedMap<u32, i32>,
    /// Acknowledgements to send, per partition, with the next request to its leader.
    pending_acks: SortedMap<TopicPartition, Vec<ShareAck>>,
    /// Fetched, acquired, not yet returned by a poll: with each record's delivery count.
    buffer: VecDeque<(TopicPartition, Record, u16)>,
    /// What the last poll returned.
    pub delivered: Vec<Delivered>,
    /// A poll is waiting for a fetch.
    poll_waiting: bool,
    /// After a fetch error (a leader moved, a share session lost) the next fetch waits until
    /// then: retry.backoff.ms, while the metadata it asked for comes.
    fetch_retry_at: Option<crate::time::Instant>,
    pub closed: bool,
    pub looping: bool,
    pub processing: Processing,
    work: VecDeque<(TopicPartition, Record, u16)>,
    pub processed_count: u64,
    pub processed: VecDeque<(TopicPartition, u64)>,
    /// What polls returned (bounded), and how many records in all.
    pub received: super::Received,
    /// Acknowledgements sent, by type: accepted, released, rejected, renewed.
    pub acks_sent: [u64; 4],
}

impl ShareConsumer {
    pub fn new(name: String, config: ShareConsumerConfig, bootstrap: Vec<u32>, now_ms: u64) -> Self {
        let reconnect =
            super::backoff::ExponentialBackoff::new(super::RECONNECT_BACKOFF_MS, super::RECONNECT_BACKOFF_MAX_MS);
        let member_id = super::member_id_for(&name, now_ms);
        let conn = Connection::new(name, bootstrap, config.request_timeout_ms, reconnect);
        ShareConsumer {
            conn,
            config,
            member_id,
            epoch: 0,
            subscription: Vec::new(),
            assignment: Vec::new(),
            coordinator: None,
            coordinator_retry_at: None,
            coordinator_failures: 0,
            heartbeat_interval_ms: crate::group::share_group::SHARE_HEARTBEAT_INTERVAL_MS,
            heartbeat_now: false,
            sessions: SortedMap::new(),
            pending_acks: SortedMap::new(),
            buffer: VecDeque::new(),
            delivered: Vec::new(),
            poll_waiting: false,
            fetch_retry_at: None,
            closed: false,
            looping: false,
            processing: Processing::default(),
            work: VecDeque::new(),
            processed_count: 0,
            processed: VecDeque::new(),
            received: super::Received::default(),
            acks_sent: [0; 4],
        }
    }

    /// `subscribe(topics)`: the group assigns partitions at the next heartbeat.
    pub fn subscribe(&mut self, mut topics: Vec<String>, fx: &mut Effects) {
        crate::sort::sort(&mut topics);
        topics.dedup();
        self.subscription = topics;
        self.heartbeat_now = true;
        self.drive(fx);
    }

    /// The records `poll` returned, newest last (what the page shows as received).
    pub fn received(&self) -> impl Iterator<Item = &(TopicPartition, Record)> + '_ {
        self.received.iter()
    }

    /// `poll()`: the previous poll's records are accepted (implicit mode), then buffered records
    /// come back at once, or a ShareFetch goes out and the poll returns with its answer.
    pub fn poll(&mut self, fx: &mut Effects) -> Result<(), CommandError> {
        if self.closed {
            return Err(CommandError::Invalid("This consumer has already been closed.".into()));
        }
        if self.subscription.is_empty() {
            return Err(CommandError::Invalid("Consumer is not subscribed to any topics.".into()));
        }
        self.settle_delivered()?;
        if self.buffer.is_empty() {
            self.poll_waiting = true;
            self.drive(fx);
        } else {
            self.return_records(fx);
        }
        Ok(())
    }

    /// What the last poll returned is settled before the next: accepted (implicit), or each as
    /// the application acknowledged it (explicit, where an unacknowledged record is Java's
    /// IllegalStateException).
    fn settle_delivered(&mut self) -> Result<(), CommandError> {
        if self.config.explicit && self.delivered.iter().any(|d| d.ack.is_none()) {
            return Err(CommandError::Invalid(
                "All records must be acknowledged in explicit acknowledgement mode before the next poll".into(),
            ));
        }
        for d in core::mem::take(&mut self.delivered) {
            self.queue_ack(&d.tp, d.offset, d.offset, d.ack.unwrap_or(AckType::Accept));
        }
        Ok(())
    }

    /// `acknowledge(record, type)` in explicit mode.
    pub fn acknowledge(&mut self, tp: &TopicPartition, offset: u64, ack: AckType) -> Result<(), CommandError> {
        if !self.config.explicit {
            return Err(CommandError::Invalid(
                "acknowledge() needs share.acknowledgement.mode=explicit (implicit mode accepts every record at the next poll)".into(),
            ));
        }
        let Some(d) = self.delivered.iter_mut().find(|d| &d.tp == tp && d.offset == offset) else {
            return Err(CommandError::Invalid(alloc::format!("{tp}@{offset} is not a record the last poll returned")));
        };
        if ack == AckType::Renew {
            // RENEW keeps the record: its lock starts again, and it still needs a final acknowledgement.
            self.queue_ack(tp, offset, offset, AckType::Renew);
            return Ok(());
        }
        d.ack = Some(ack);
        Ok(())
    }

    /// `commitSync()`: every acknowledgement given so far goes now, with ShareAcknowledge.
    pub fn commit(&mut self, fx: &mut Effects) {
        if self.config.explicit {
            let done: Vec<Delivered> = self.delivered.iter().filter(|d| d.ack.is_some()).cloned().collect();
            self.delivered.retain(|d| d.ack.is_none());
            for d in done {
                self.queue_ack(&d.tp, d.offset, d.offset, d.ack.unwrap_or(AckType::Accept));
            }
        } else {
            // Implicit mode never refuses: every delivered record is accepted.
            let _ = self.settle_delivered();
        }
        self.send_acknowledgements(false, fx);
    }

    fn queue_ack(&mut self, tp: &TopicPartition, first: u64, last: u64, ack: AckType) {
        let list = self.pending_acks.entry(tp.clone()).or_default();
        match list.last_mut() {
            Some(b) if b.ack == ack && b.last_offset + 1 == first && ack != AckType::Renew => b.last_offset = last,
            _ => list.push(ShareAck { first_offset: first, last_offset: last, ack }),
        }
    }

    /// `close()`: what was delivered is settled, every share session is closed with its
    /// acknowledgements (epoch -1, the leader releases what is left), and the member leaves.
    pub fn close(&mut self, fx: &mut Effects) {
        if self.closed {
            return;
        }
        if !self.config.explicit {
            // Implicit mode never refuses: every delivered record is accepted.
            let _ = self.settle_delivered();
        }
        self.send_acknowledgements(true, fx);
        if let Some(c) = self.coordinator.filter(|_| self.epoch > 0) {
            let heartbeat = ShareHeartbeatRequest { member_id: self.member_id.clone(), member_epoch: -1, topics: None };
            let request =
                Request::ShareGroupHeartbeat { group: self.config.group_id.clone(), heartbeat: Box::new(heartbeat) };
            self.conn.request(c, request, fx);
        }
        self.closed = true;
        self.looping = false;
        self.poll_waiting = false;
        fx.cancel(Timer::GroupHeartbeat);
        let pending_records = self.buffer.len();
        fx.event(EventKind::Closed { client: self.conn.name.clone(), kind: "share consumer", pending_records });
    }

    /// Sends the pending acknowledgements to each partition's leader with ShareAcknowledge
    /// (epoch -1 when closing: every session with a leader closes, acknowledgements or not).
    fn send_acknowledgements(&mut self, closing: bool, fx: &mut Effects) {
        let mut by_broker: SortedMap<u32, Vec<(TopicPartition, Vec<ShareAck>)>> = SortedMap::new();
        let acks = core::mem::take(&mut self.pending_acks);
        for (tp, list) in acks {
            // No leader known: their records' locks will expire.
            if let Some(b) = self.conn.leader_of(&tp) {
                by_broker.entry(b).or_default().push((tp, list));
            }
        }
        if closing {
            for &b in self.sessions.keys() {
                by_broker.entry(b).or_default();
            }
        }
        for (broker, acknowledgements) in by_broker {
            let Some(&epoch) = self.sessions.get(&broker) else {
                // No session with that leader: acknowledgements need one (they are lost with it).
                continue;
            };
            let epoch = if closing { -1 } else { epoch };
            self.count_acks(&acknowledgements);
            let request = Request::ShareAcknowledge {
                group: self.config.group_id.clone(),
                member_id: self.member_id.clone(),
                session_epoch: epoch,
                acknowledgements,
            };
            self.conn.request(broker, request, fx);
            if closing {
                self.sessions.remove(&broker);
            } else if let Some(e) = self.sessions.get_mut(&broker) {
                *e = next_epoch(*e);
            }
        }
    }

    fn count_acks(&mut self, acks: &[(TopicPartition, Vec<ShareAck>)]) {
        for a in acks.iter().flat_map(|(_, l)| l) {
            let n = a.last_offset - a.first_offset + 1;
            match a.ack {
                AckType::Accept => self.acks_sent[0] += n,
                AckType::Release => self.acks_sent[1] += n,
                AckType::Reject => self.acks_sent[2] += n,
                AckType::Renew => self.acks_sent[3] += n,
                AckType::Gap => {}
            }
        }
    }

    /// Everything the consumer does next: find the coordinator, heartbeat, learn leaders, fetch.
    pub fn drive(&mut self, fx: &mut Effects) {
        if self.closed {
            return;
        }
        let out = |c: &Self, api: &str| c.conn.in_flight().any(|(_, f)| f.request.api() == api);
        let backing_off = self.coordinator_retry_at.is_some_and(|t| t > fx.now);
        if !self.subscription.is_empty() && !backing_off {
            match self.coordinator {
                None if !out(self, "FindCoordinator") => {
                    if let Some(b) = self.conn.least_loaded(fx.now) {
                        let request = Request::FindCoordinator { group: self.config.group_id.clone() };
                        self.conn.request(b, request, fx);
                    }
                }
                Some(c) if (self.heartbeat_now || self.epoch == 0) && !out(self, "ShareGroupHeartbeat") => {
                    self.send_heartbeat(c, fx)
                }
                _ => {}
            }
        }
        let topics: Vec<String> = self
            .assignment
            .iter()
            .map(|tp| String::from(tp.topic.as_str()))
            .filter(|t| self.conn.partition_count(t.as_str()).is_none())
            .collect();
        if !topics.is_empty() {
            let mut topics = topics;
            topics.dedup();
            self.conn.refresh_metadata(topics, false, fx);
        }
        if self.poll_waiting && self.buffer.is_empty() {
            self.fetch(fx);
        }
    }

    /// A coordinator request failed: the coordinator is looked up again after retry.backoff.ms.
    fn coordinator_failed(&mut self, fx: &mut Effects) {
        self.coordinator = None;
        let backoff = super::backoff::ExponentialBackoff::new(self.config.retry_backoff_ms, 1_000);
        let wait_ms = backoff.backoff(self.coordinator_failures, &mut self.conn.backoff_rng);
        self.coordinator_failures = self.coordinator_failures.saturating_add(1);
        self.coordinator_retry_at = Some(fx.now + Duration::from_ms(wait_ms));
        fx.timer_in(Duration::from_ms(wait_ms), Timer::GroupRetry);
    }

    fn send_heartbeat(&mut self, coordinator: u32, fx: &mut Effects) {
        self.heartbeat_now = false;
        let full = self.epoch == 0;
        let heartbeat = ShareHeartbeatRequest {
            member_id: self.member_id.clone(),
            member_epoch: self.epoch,
            topics: full.then(|| self.subscription.clone()),
        };
        let request =
            Request::ShareGroupHeartbeat { group: self.config.group_id.clone(), heartbeat: Box::new(heartbeat) };
        self.conn.request(coordinator, request, fx);
    }

    /// One ShareFetch to each leader of assigned partitions that has none in flight, carrying
    /// the acknowledgements for that leader's partitions.
    fn fetch(&mut self, fx: &mut Effects) {
        if self.fetch_retry_at.is_some_and(|t| t > fx.now) {
            return;
        }
        let mut by_broker: SortedMap<u32, Vec<TopicPartition>> = SortedMap::new();
        // Partitions of a known topic with no leader (a topic not known yet is being asked for).
        let leaderless: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|tp| self.conn.partition_count(tp.topic.as_str()).is_some() && self.conn.leader_of(tp).is_none())
            .cloned()
            .collect();
        if !leaderless.is_empty() {
            // Offline, or a leader not yet known: metadata is asked for again after the backoff.
            for tp in &leaderless {
                self.conn.topics.remove(tp.topic.as_str());
            }
            self.back_off_fetches(fx);
        }
        for tp in &self.assignment {
            if let Some(b) = self.conn.leader_of(tp) {
                if !self.conn.backing_off(b, fx.now) {
                    by_broker.entry(b).or_default().push(tp.clone());
                } else if let Some(at) = self.conn.ready_at(b) {
                    // Its connection failed: the fetch goes once the reconnect backoff ends.
                    fx.timers.push((at, Timer::MetadataRetry));
                }
            }
        }
        let busy: SortedSet<u32> =
            self.conn.in_flight().filter(|(_, f)| f.request.api() == "ShareFetch").map(|(_, f)| f.broker).collect();
        for (broker, partitions) in by_broker {
            if busy.contains(&broker) {
                continue;
            }
            let epoch = self.sessions.get(&broker).copied().unwrap_or(0);
            let mut acknowledgements: Vec<(TopicPartition, Vec<ShareAck>)> =
                partitions.iter().filter_map(|tp| self.pending_acks.remove(tp).map(|a| (tp.clone(), a))).collect();
            if epoch == 0 && !acknowledgements.is_empty() {
                // A new share session carries no acknowledgements (the broker answers
                // INVALID_REQUEST): the records they were for were acquired in the session that is
                // gone, and come back when their locks expire. Java's acknowledgement commit callback
                // gets the error; here an event says so.
                acknowledgements.clear();
                fx.event(EventKind::CommitFailed {
                    consumer: self.conn.name.clone(),
                    why: "acknowledgements of a share session that is gone",
                    error: KafkaError::ShareSessionNotFound,
                });
            }
            self.count_acks(&acknowledgements);
            let request = Request::ShareFetch {
                group: self.config.group_id.clone(),
                member_id: self.member_id.clone(),
                session_epoch: epoch,
                max_wait_ms: self.config.fetch_max_wait_ms,
                min_bytes: self.config.fetch_min_bytes,
                max_bytes: self.config.fetch_max_bytes,
                max_records: self.config.max_poll_records,
                record_limit: self.config.record_limit,
                partitions,
                acknowledgements,
            };
            let timeout = Duration::from_ms(self.config.request_timeout_ms + self.config.fetch_max_wait_ms);
            self.conn.request_with_timeout(broker, request, timeout, fx);
            self.sessions.insert(broker, next_epoch(epoch));
        }
    }

    /// The next fetch waits retry.backoff.ms (Java backs off a node after an error, and its
    /// metadata refresh waits as long).
    fn back_off_fetches(&mut self, fx: &mut Effects) {
        let wait = Duration::from_ms(self.config.retry_backoff_ms);
        self.fetch_retry_at = Some(fx.now + wait);
        fx.timer_in(wait, Timer::MetadataRetry);
    }

    pub fn on_response(&mut self, correlation_id: u32, response: Response, fx: &mut Effects) {
        let Some(InFlight { broker, .. }) = self.conn.complete(correlation_id, fx) else {
            return;
        };
        if self.closed {
            return;
        }
        match response {
            Response::Metadata { brokers, topics } => {
                self.conn.on_metadata(brokers, topics);
            }
            Response::FindCoordinator { result } => match result {
                Ok(c) => {
                    // A new coordinator hears from the member at once (it may not know it yet).
                    self.coordinator = Some(c);
                    self.heartbeat_now = true;
                }
                Err(_) => self.coordinator_failed(fx),
            },
            Response::ShareGroupHeartbeat { result } => self.on_heartbeat(result, fx),
            Response::ShareFetch { error, partitions } => {
                let mut failed = error.is_some();
                if error.is_some() {
                    // The session is gone (the leader restarted) or out of step: a new one opens.
                    self.sessions.remove(&broker);
                }
                for p in partitions {
                    match p.result {
                        Ok(data) => self.take_acquired(&p.tp, data, fx),
                        Err(_) => {
                            // NOT_LEADER_OR_FOLLOWER and the like: metadata is asked for again.
                            self.conn.topics.remove(p.tp.topic.as_str());
                            failed = true;
                        }
                    }
                }
                if failed {
                    self.back_off_fetches(fx);
                }
                if self.poll_waiting {
                    self.return_records(fx);
                }
            }
            Response::ShareAcknowledge { error: Some(_), .. } => {
                self.sessions.remove(&broker);
            }
            _ => {}
        }
        self.drive(fx);
    }

    fn on_heartbeat(
        &mut self,
        result: Result<crate::group::share_group::ShareHeartbeatAnswer, KafkaError>,
        fx: &mut Effects,
    ) {
        match result {
            Ok(a) => {
                self.coordinator_failures = 0;
                if a.member_epoch < 0 {
                    return;
                }
                if self.epoch != a.member_epoch {
                    fx.event(EventKind::MemberEpoch {
                        consumer: self.conn.name.clone(),
                        group: self.config.group_id.clone(),
                        member_id: a.member_id.clone(),
                        epoch: a.member_epoch,
                        share: true,
                    });
                }
                self.epoch = a.member_epoch;
                self.heartbeat_interval_ms = a.heartbeat_interval_ms;
                if let Some(assignment) = a.assignment {
                    if assignment != self.assignment {
                        let (added, removed) = diff(&self.assignment, &assignment);
                        self.assignment = assignment;
                        if !removed.is_empty() {
                            fx.event(EventKind::PartitionsChanged {
                                consumer: self.conn.name.clone(),
                                change: "revoked",
                                partitions: removed,
                            });
                        }
                        if !added.is_empty() {
                            fx.event(EventKind::PartitionsChanged {
                                consumer: self.conn.name.clone(),
                                change: "assigned",
                                partitions: added,
                            });
                        }
                    }
                }
                fx.timer_in(Duration::from_ms(self.heartbeat_interval_ms), Timer::GroupHeartbeat);
            }
            Err(KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable) => self.coordinator_failed(fx),
            Err(error @ (KafkaError::UnknownMemberId | KafkaError::FencedMemberEpoch)) => {
                // Out of the group: rejoin at once with epoch 0 under the same member id.
                fx.event(EventKind::MemberFencedByCoordinator {
                    consumer: self.conn.name.clone(),
                    group: self.config.group_id.clone(),
                    error,
                    share: true,
                });
                self.epoch = 0;
                self.heartbeat_now = true;
            }
            Err(_) => fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::GroupRetry),
        }
    }

    /// Buffers a partition's acquired records; an acquired offset with no record for this
    /// consumer (a transaction marker, a compacted gap) is acknowledged as GAP.
    fn take_acquired(&mut self, tp: &TopicPartition, data: crate::protocol::ShareFetchedData, fx: &mut Effects) {
        let mut records: Vec<Record> = Vec::new();
        for batch in &data.batches {
            match batch.decode() {
                Ok(rs) => records.extend(rs.into_iter().filter(|r| r.control.is_none())),
                Err(e) => {
                    fx.event(EventKind::ConsumeFailed {
                        consumer: self.conn.name.clone(),
                        tp: tp.clone(),
                        error: KafkaError::CorruptMessage(alloc::format!("{e}")),
                    });
                }
            }
        }
        for a in &data.acquired {
            for offset in a.first_offset..=a.last_offset {
                match records.iter().find(|r| r.offset == offset) {
                    Some(r) => self.buffer.push_back((tp.clone(), r.clone(), a.delivery_count)),
                    None => self.queue_ack(tp, offset, offset, AckType::Gap),
                }
            }
        }
    }

    /// Up to max.poll.records buffered records go to the application; the poll ends.
    fn return_records(&mut self, fx: &mut Effects) {
        self.poll_waiting = false;
        let n = self.buffer.len().min(self.config.max_poll_records as usize);
        let batch: Vec<(TopicPartition, Record, u16)> = self.buffer.drain(..n).collect();
        self.delivered = batch
            .iter()
            .map(|(tp, r, count)| Delivered { tp: tp.clone(), offset: r.offset, delivery_count: *count, ack: None })
            .collect();
        let records: Rc<Vec<(TopicPartition, Record)>> =
            Rc::new(batch.iter().map(|(tp, r, _)| (tp.clone(), r.clone())).collect());
        if self.looping && records.is_empty() {
            // A loop's empty polls are not news (the fetch already waited fetch.max.wait.ms).
            fx.timer_in(Duration::ZERO, Timer::NextPoll);
            return;
        }
        self.received.note(&records);
        fx.event(EventKind::Polled { consumer: self.conn.name.clone(), records: Rc::clone(&records) });
        if self.looping {
            self.work.extend(batch);
            self.next_step(fx);
        }
    }

    /// `consume`: the application's poll loop.
    pub fn consume(&mut self, processing: Processing, fx: &mut Effects) -> Result<(), CommandError> {
        if matches!(processing.on_failure, OnFailure::Release | OnFailure::Reject) && !self.config.explicit {
            return Err(CommandError::Invalid(alloc::format!(
                "on.failure={} calls acknowledge(record, {}): set share.acknowledgement.mode=explicit on {}",
                processing.on_failure.word(),
                processing.on_failure.word().to_uppercase(),
                self.conn.name
            )));
        }
        if matches!(processing.on_failure, OnFailure::Skip | OnFailure::DeadLetter) || processing.output.is_some() {
            return Err(CommandError::Invalid(
                "a share consumer's poll loop fails a record with on.failure=release or on.failure=reject".into(),
            ));
        }
        self.looping = true;
        self.processing = processing;
        self.poll(fx)
    }

    /// The next record of the batch, or the next poll.
    fn next_step(&mut self, fx: &mut Effects) {
        if self.work.is_empty() {
            fx.timer_in(Duration::ZERO, Timer::NextPoll);
        } else {
            fx.timer_in(Duration::from_ms(self.processing.processing_ms), Timer::ProcessNext);
        }
    }

    fn process_next(&mut self, fx: &mut Effects) {
        let Some((tp, record, count)) = self.work.pop_front() else { return };
        let failed = self.processing.fail_value.as_deref().is_some_and(|v| {
            record.value.as_deref().is_some_and(|value| value.windows(v.len().max(1)).any(|w| w == v.as_bytes()))
        });
        let ack = match (failed, self.processing.on_failure) {
            (false, _) => AckType::Accept,
            (true, OnFailure::Reject) => AckType::Reject,
            (true, OnFailure::Release) => AckType::Release,
            (true, _) => {
                // The exception leaves the poll loop; what the poll returned stays acquired until
                // the locks expire (or close releases it).
                let outcome = String::from("failed: the exception ends the poll loop");
                fx.event(EventKind::Processed { consumer: self.conn.name.clone(), tp, offset: record.offset, outcome });
                self.work.clear();
                self.looping = false;
                return;
            }
        };
        let outcome = if failed {
            alloc::format!("failed (delivery {count}): {}", ack)
        } else if count > 1 {
            alloc::format!("ok (delivery {count})")
        } else {
            "ok".into()
        };
        fx.event(EventKind::Processed {
            consumer: self.conn.name.clone(),
            tp: tp.clone(),
            offset: record.offset,
            outcome,
        });
        if self.config.explicit {
            if let Some(d) = self.delivered.iter_mut().find(|d| d.tp == tp && d.offset == record.offset) {
                d.ack = Some(ack);
            }
        }
        self.processed_count += 1;
        if self.processed.len() == PROCESSED_RECORDS_MAX {
            self.processed.pop_front();
        }
        self.processed.push_back((tp, record.offset));
        if self.processing.crash_after.is_some_and(|n| self.processed_count >= n) {
            fx.crash_self = true;
            return;
        }
        self.next_step(fx);
    }

    pub fn on_timer(&mut self, timer: Timer, fx: &mut Effects) {
        match timer {
            Timer::GroupHeartbeat => {
                self.heartbeat_now = true;
                return self.drive(fx);
            }
            Timer::GroupRetry | Timer::MetadataRetry => return self.drive(fx),
            Timer::ProcessNext => return self.process_next(fx),
            Timer::NextPoll => {
                if self.looping && !self.closed {
                    // The loop's own acknowledgements are given before its next poll, so this poll
                    // is not refused (only a closed or unsubscribed consumer's is).
                    let _ = self.poll(fx);
                }
                return;
            }
            _ => {}
        }
        let failed = self.conn.fail(&timer, fx);
        for (_, InFlight { request, broker }, _) in failed {
            match request {
                Request::ShareGroupHeartbeat { .. } | Request::FindCoordinator { .. } => self.coordinator_failed(fx),
                Request::Metadata { .. } => {
                    fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::GroupRetry)
                }
                Request::ShareFetch { partitions, .. } => {
                    // The session with that leader is gone with its connection, and the leader
                    // may have moved: metadata is asked for again.
                    self.sessions.remove(&broker);
                    for tp in partitions {
                        self.conn.topics.remove(tp.topic.as_str());
                    }
                    self.back_off_fetches(fx);
                }
                Request::ShareAcknowledge { .. } => {
                    self.sessions.remove(&broker);
                    fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::GroupRetry);
                }
                _ => {}
            }
        }
        self.drive(fx);
    }
}

/// The next share session epoch (after `i32::MAX` comes 1: 0 and -1 have meanings).
fn next_epoch(epoch: i32) -> i32 {
    if epoch == i32::MAX {
        1
    } else {
        epoch + 1
    }
}

fn diff(old: &[TopicPartition], new: &[TopicPartition]) -> (Vec<TopicPartition>, Vec<TopicPartition>) {
    let added = new.iter().filter(|tp| !old.contains(tp)).cloned().collect();
    let removed = old.iter().filter(|tp| !new.contains(tp)).cloned().collect();
    (added, removed)
}
