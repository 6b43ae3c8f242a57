//! A consumer with manually assigned partitions: finds leaders with Metadata,
//! takes a starting position from auto.offset.reset with ListOffsets, and
//! reads with Fetch (fetch.min.bytes / fetch.max.wait.ms long polling,
//! max.poll.records per poll). Consumer groups come with the group issue.

use super::config::{ConsumerConfig, OffsetReset};
use super::{Connection, InFlight};
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::limits::RECORDS_RECEIVED_PER_CONSUMER_MAX;
use crate::protocol::{FetchPartition, OffsetSpec, Request, Response, TopicPartition};
use crate::record::Record;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug)]
pub struct Consumer {
    pub conn: Connection,
    pub config: ConsumerConfig,
    pub assignment: Vec<TopicPartition>,
    /// The offset of the next record `poll` returns, per partition.
    pub positions: BTreeMap<TopicPartition, u64>,
    /// Partitions with a ListOffsets or Fetch in flight.
    busy: BTreeSet<TopicPartition>,
    /// Fetched, not yet returned by `poll`.
    buffer: VecDeque<(TopicPartition, Record)>,
    /// A `poll` is waiting for its fetches.
    poll_waiting: bool,
    /// This poll already asked for metadata: an unknown topic must not make it ask forever.
    metadata_asked: bool,
    /// What polls returned, newest last, bounded.
    pub received: VecDeque<(TopicPartition, Record)>,
    /// The high watermark each partition's last fetch reported, for lag.
    pub high_watermarks: BTreeMap<TopicPartition, u64>,
}

impl Consumer {
    pub fn new(name: String, config: ConsumerConfig, bootstrap: Vec<u32>) -> Self {
        Consumer {
            conn: Connection::new(name, bootstrap, config.request_timeout_ms),
            config,
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            busy: BTreeSet::new(),
            buffer: VecDeque::new(),
            poll_waiting: false,
            metadata_asked: false,
            received: VecDeque::new(),
            high_watermarks: BTreeMap::new(),
        }
    }

    /// `KafkaConsumer.assign`: replaces the assignment; positions of partitions
    /// no longer assigned are forgotten, as are their buffered records.
    pub fn assign(&mut self, partitions: Vec<TopicPartition>) {
        self.positions.retain(|tp, _| partitions.contains(tp));
        self.buffer.retain(|(tp, _)| partitions.contains(tp));
        self.assignment = partitions;
    }

    /// `KafkaConsumer.poll`: returns buffered records at once, or fetches and
    /// returns when the fetches answer (possibly with nothing after fetch.max.wait.ms).
    pub fn poll(&mut self, fx: &mut Effects) {
        if !self.buffer.is_empty() {
            self.return_records(fx);
            return;
        }
        self.poll_waiting = true;
        self.metadata_asked = false;
        self.drive(fx);
        self.finish_poll_if_idle(fx);
    }

    /// Sends what is needed next: metadata, then ListOffsets for partitions
    /// without a position, then one Fetch per leader.
    fn drive(&mut self, fx: &mut Effects) {
        let missing: Vec<String> = self
            .assignment
            .iter()
            .filter(|tp| self.conn.leader_of(tp).is_none())
            .map(|tp| tp.topic.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() && !self.metadata_asked {
            self.metadata_asked = true;
            // Consumers with manual assignment never create topics.
            self.conn.refresh_metadata(missing, false, fx);
        }

        let mut list_offsets: BTreeMap<u32, Vec<(TopicPartition, OffsetSpec)>> = BTreeMap::new();
        let mut fetches: BTreeMap<u32, Vec<FetchPartition>> = BTreeMap::new();
        for tp in &self.assignment {
            if self.busy.contains(tp) || self.buffer.iter().any(|(t, _)| t == tp) {
                continue;
            }
            let Some(leader) = self.conn.leader_of(tp) else {
                continue;
            };
            match self.positions.get(tp) {
                Some(&fetch_offset) => fetches.entry(leader).or_default().push(FetchPartition {
                    tp: tp.clone(),
                    fetch_offset,
                    current_leader_epoch: None,
                    last_fetched_epoch: None,
                }),
                None => {
                    let spec = match self.config.auto_offset_reset {
                        OffsetReset::Earliest => OffsetSpec::Earliest,
                        OffsetReset::Latest => OffsetSpec::Latest,
                        OffsetReset::None => {
                            fx.event(EventKind::ConsumeFailed {
                                consumer: self.conn.name.clone(),
                                tp: tp.clone(),
                                error: KafkaError::NoOffsetForPartition,
                            });
                            continue;
                        }
                    };
                    list_offsets.entry(leader).or_default().push((tp.clone(), spec));
                }
            }
        }
        for (leader, partitions) in list_offsets {
            self.busy.extend(partitions.iter().map(|(tp, _)| tp.clone()));
            self.conn.request(leader, Request::ListOffsets { partitions }, fx);
        }
        for (leader, partitions) in fetches {
            self.busy.extend(partitions.iter().map(|p| p.tp.clone()));
            let request = Request::Fetch {
                replica_id: None,
                max_wait_ms: self.config.fetch_max_wait_ms,
                min_bytes: self.config.fetch_min_bytes as usize,
                max_bytes: self
                    .config
                    .fetch_max_bytes
                    .min(self.config.max_partition_fetch_bytes * partitions.len() as u64)
                    as usize,
                partitions,
            };
            self.conn.request(leader, request, fx);
        }
    }

    pub fn on_response(&mut self, correlation_id: u32, response: Response, fx: &mut Effects) {
        let Some(InFlight { request, .. }) = self.conn.complete(correlation_id, fx) else {
            return;
        };
        self.release(&request);
        let was_fetch = matches!(response, Response::Fetch { .. });
        match response {
            Response::Metadata { brokers, topics } => {
                for (topic, error) in self.conn.on_metadata(brokers, topics) {
                    for tp in self.assignment.iter().filter(|tp| tp.topic == topic) {
                        fx.event(EventKind::ConsumeFailed {
                            consumer: self.conn.name.clone(),
                            tp: tp.clone(),
                            error: error.clone(),
                        });
                    }
                }
            }
            Response::ListOffsets { partitions } => {
                let strategy = self.config.auto_offset_reset.name();
                for (tp, result) in partitions {
                    match result {
                        Ok(offset) if self.assignment.contains(&tp) => {
                            self.positions.insert(tp.clone(), offset);
                            fx.event(EventKind::OffsetReset { consumer: self.conn.name.clone(), tp, offset, strategy });
                        }
                        Ok(_) => {}
                        Err(error) => self.partition_error(tp, error, fx),
                    }
                }
            }
            Response::Fetch { partitions } => {
                for p in partitions {
                    match p.result {
                        Ok(data) => {
                            self.high_watermarks.insert(p.tp.clone(), data.high_watermark);
                            let position = self.positions.get(&p.tp).copied();
                            for batch in &data.batches {
                                // The consumer decodes what it fetched and checks each CRC (check.crcs=true).
                                let records = match batch.decode() {
                                    Ok(records) => records,
                                    Err(e) => {
                                        let error = KafkaError::CorruptMessage(alloc::format!("{e}"));
                                        self.partition_error(p.tp.clone(), error, fx);
                                        break;
                                    }
                                };
                                for r in records {
                                    // Records below the position (earlier in the batch, or from a fetch
                                    // made stale by a reassignment) are skipped.
                                    if position.is_some_and(|pos| r.offset >= pos) {
                                        self.buffer.push_back((p.tp.clone(), r));
                                    }
                                }
                            }
                        }
                        Err(KafkaError::OffsetOutOfRange) => {
                            // Kafka resets the position by auto.offset.reset.
                            self.positions.remove(&p.tp);
                            self.partition_error(p.tp, KafkaError::OffsetOutOfRange, fx);
                        }
                        Err(error) => self.partition_error(p.tp, error, fx),
                    }
                }
            }
            _ => {}
        }
        if self.poll_waiting {
            if !self.buffer.is_empty() {
                self.return_records(fx);
            } else {
                // A fetch that came back empty has already waited fetch.max.wait.ms:
                // the poll ends. Metadata and ListOffsets answers lead to the fetch.
                if !was_fetch {
                    self.drive(fx);
                }
                self.finish_poll_if_idle(fx);
            }
        }
    }

    pub fn on_timer(&mut self, timer: Timer, fx: &mut Effects) {
        if let Some((InFlight { request, .. }, _)) = self.conn.fail(&timer, fx) {
            self.release(&request);
            self.finish_poll_if_idle(fx);
        }
    }

    fn partition_error(&mut self, tp: TopicPartition, error: KafkaError, fx: &mut Effects) {
        if matches!(error, KafkaError::NotLeaderOrFollower | KafkaError::UnknownTopicOrPartition) {
            // Leadership moved or metadata is stale: forget it and ask again on the next round.
            self.conn.topics.remove(&tp.topic);
        }
        fx.event(EventKind::ConsumeFailed { consumer: self.conn.name.clone(), tp, error });
    }

    /// Marks the partitions of an answered or timed-out request as free.
    fn release(&mut self, request: &Request) {
        match request {
            Request::Metadata { .. } => self.conn.metadata_in_flight = false,
            Request::Fetch { partitions, .. } => partitions.iter().for_each(|p| {
                self.busy.remove(&p.tp);
            }),
            Request::ListOffsets { partitions } => partitions.iter().for_each(|(tp, _)| {
                self.busy.remove(tp);
            }),
            _ => {}
        }
    }

    /// A poll with nothing left to wait for returns empty.
    fn finish_poll_if_idle(&mut self, fx: &mut Effects) {
        if self.poll_waiting && self.conn.in_flight().next().is_none() {
            self.return_records(fx);
        }
    }

    /// Hands up to max.poll.records buffered records to the application and
    /// moves positions past them.
    fn return_records(&mut self, fx: &mut Effects) {
        self.poll_waiting = false;
        let n = (self.config.max_poll_records as usize).min(self.buffer.len());
        let records: Vec<(TopicPartition, Record)> = self.buffer.drain(..n).collect();
        for (tp, r) in &records {
            self.positions.insert(tp.clone(), r.offset + 1);
            if self.received.len() == RECORDS_RECEIVED_PER_CONSUMER_MAX {
                self.received.pop_front();
            }
            self.received.push_back((tp.clone(), r.clone()));
        }
        fx.event(EventKind::Polled { consumer: self.conn.name.clone(), records });
    }
}
