//! A broker: the replicas it hosts and how it answers requests.
//!
//! In this stage only the leader's log takes writes and the high watermark is
//! the leader's log end offset; follower fetching, the ISR and acks=all
//! waiting come with replication. Every replica already has its own log.

pub mod log;

use crate::controller::Metadata;
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::limits::RECORDS_PER_PARTITION_MAX;
use crate::net::Node;
use crate::protocol::{
    Acks, Body, FetchPartition, FetchedData, FetchedPartition, Message, OffsetSpec, Request,
    Response, TopicPartition,
};
use crate::time::Duration;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;
use log::PartitionLog;

/// One replica of a partition on this broker.
#[derive(Clone, Debug, Default)]
pub struct Replica {
    pub log: PartitionLog,
}

impl Replica {
    /// The high watermark. Without replication yet, everything the leader has is committed.
    pub fn high_watermark(&self) -> u64 {
        self.log.log_end_offset()
    }
}

/// A Fetch waiting for data or for fetch.max.wait.ms (Kafka's fetch purgatory).
#[derive(Clone, Debug)]
struct ParkedFetch {
    client: Node,
    correlation_id: u32,
    min_bytes: usize,
    max_bytes: usize,
    partitions: Vec<FetchPartition>,
}

/// Fetches parked at once on one broker; past this a Fetch is answered at once.
const PARKED_FETCHES_MAX: usize = 1_000;

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: u32,
    pub replicas: BTreeMap<TopicPartition, Replica>,
    parked: Vec<ParkedFetch>,
    /// auto.create.topics.enable (default true).
    pub auto_create_topics: bool,
}

impl Broker {
    pub fn new(id: u32) -> Self {
        Broker {
            id,
            replicas: BTreeMap::new(),
            parked: Vec::new(),
            auto_create_topics: true,
        }
    }

    /// A crash loses what was only in memory: parked fetches. Logs survive.
    pub fn crash(&mut self) {
        self.parked.clear();
    }

    pub fn handle(&mut self, from: Node, msg: Message, meta: &Metadata, fx: &mut Effects) {
        let Body::Request(request) = msg.body else {
            // Brokers send no requests yet, so a response here has no one waiting for it.
            return;
        };
        let id = msg.correlation_id;
        match request {
            Request::Metadata {
                topics,
                allow_auto_topic_creation,
            } => {
                let topics = topics
                    .into_iter()
                    .map(|t| {
                        let result = match meta.describe(&t) {
                            Err(KafkaError::UnknownTopicOrPartition)
                                if allow_auto_topic_creation && self.auto_create_topics =>
                            {
                                // Kafka creates it through the controller and answers
                                // LEADER_NOT_AVAILABLE until the client asks again.
                                fx.create_topics.push(t.clone());
                                Err(KafkaError::LeaderNotAvailable)
                            }
                            other => other,
                        };
                        (t, result)
                    })
                    .collect();
                let brokers = meta
                    .brokers
                    .values()
                    .filter(|b| !b.fenced)
                    .map(|b| b.id)
                    .collect();
                reply(fx, from, id, Response::Metadata { brokers, topics });
            }
            Request::Produce {
                acks, tp, records, ..
            } => {
                let result = self.leader_replica_mut(&tp, meta).and_then(|replica| {
                    if !replica.log.has_room_for(records.len()) {
                        return Err(KafkaError::PolicyViolation(format!(
                            "the playground keeps at most {RECORDS_PER_PARTITION_MAX} records per partition"
                        )));
                    }
                    Ok(replica.log.append(&records))
                });
                if let Ok(base_offset) = result {
                    fx.event(EventKind::Appended {
                        broker: self.id,
                        tp: tp.clone(),
                        base_offset,
                        count: records.len(),
                    });
                }
                if acks != Acks::None {
                    reply(
                        fx,
                        from,
                        id,
                        Response::Produce {
                            tp: tp.clone(),
                            result,
                        },
                    );
                }
                self.wake_parked(&tp, meta, fx);
            }
            Request::Fetch {
                max_wait_ms,
                min_bytes,
                max_bytes,
                partitions,
            } => {
                let parked = ParkedFetch {
                    client: from,
                    correlation_id: id,
                    min_bytes,
                    max_bytes,
                    partitions,
                };
                let (bytes, answer) = self.read(&parked, meta);
                let has_error = answer.iter().any(|p| p.result.is_err());
                if bytes >= min_bytes
                    || max_wait_ms == 0
                    || has_error
                    || self.parked.len() >= PARKED_FETCHES_MAX
                {
                    reply(
                        fx,
                        parked.client,
                        id,
                        Response::Fetch { partitions: answer },
                    );
                } else {
                    fx.timer_in(
                        Duration::from_ms(max_wait_ms),
                        Timer::FetchExpiry {
                            client: parked.client.clone(),
                            correlation_id: id,
                        },
                    );
                    self.parked.push(parked);
                }
            }
            Request::ListOffsets { partitions } => {
                let partitions = partitions
                    .into_iter()
                    .map(|(tp, spec)| {
                        let result = self.leader_replica(&tp, meta).map(|r| match spec {
                            OffsetSpec::Earliest => r.log.log_start_offset(),
                            OffsetSpec::Latest => r.high_watermark(),
                        });
                        (tp, result)
                    })
                    .collect();
                reply(fx, from, id, Response::ListOffsets { partitions });
            }
        }
    }

    pub fn on_timer(&mut self, timer: Timer, meta: &Metadata, fx: &mut Effects) {
        if let Timer::FetchExpiry {
            client,
            correlation_id,
        } = timer
        {
            let found = self
                .parked
                .iter()
                .position(|p| p.client == client && p.correlation_id == correlation_id);
            if let Some(i) = found {
                let parked = self.parked.remove(i);
                let (_, answer) = self.read(&parked, meta);
                reply(
                    fx,
                    parked.client,
                    correlation_id,
                    Response::Fetch { partitions: answer },
                );
            }
        }
    }

    /// Answers parked fetches on `tp` that now have enough bytes.
    fn wake_parked(&mut self, tp: &TopicPartition, meta: &Metadata, fx: &mut Effects) {
        let mut i = 0;
        while i < self.parked.len() {
            if self.parked[i].partitions.iter().any(|p| &p.tp == tp) {
                let (bytes, answer) = self.read(&self.parked[i], meta);
                if bytes >= self.parked[i].min_bytes {
                    let parked = self.parked.remove(i);
                    fx.cancel(Timer::FetchExpiry {
                        client: parked.client.clone(),
                        correlation_id: parked.correlation_id,
                    });
                    reply(
                        fx,
                        parked.client,
                        parked.correlation_id,
                        Response::Fetch { partitions: answer },
                    );
                    continue;
                }
            }
            i += 1;
        }
    }

    /// Reads every partition of a fetch; returns the payload bytes found and the answer.
    fn read(&self, fetch: &ParkedFetch, meta: &Metadata) -> (usize, Vec<FetchedPartition>) {
        let mut bytes = 0;
        let mut answer = Vec::with_capacity(fetch.partitions.len());
        for p in &fetch.partitions {
            let budget = fetch.max_bytes.saturating_sub(bytes);
            let result = self.leader_replica(&p.tp, meta).and_then(|r| {
                let (start, hw) = (r.log.log_start_offset(), r.high_watermark());
                if p.fetch_offset < start || p.fetch_offset > r.log.log_end_offset() {
                    return Err(KafkaError::OffsetOutOfRange);
                }
                // Consumers read only below the high watermark.
                let records = if budget == 0 {
                    Vec::new()
                } else {
                    r.log.read(p.fetch_offset, hw, budget)
                };
                Ok(FetchedData {
                    high_watermark: hw,
                    log_start_offset: start,
                    records,
                })
            });
            if let Ok(d) = &result {
                bytes += d
                    .records
                    .iter()
                    .map(|r| r.payload_bytes().max(1))
                    .sum::<usize>();
            }
            answer.push(FetchedPartition {
                tp: p.tp.clone(),
                result,
            });
        }
        (bytes, answer)
    }

    /// This broker's replica of `tp` if it is the partition's leader.
    fn leader_replica(&self, tp: &TopicPartition, meta: &Metadata) -> Result<&Replica, KafkaError> {
        self.check_leader(tp, meta)?;
        self.replicas.get(tp).ok_or(KafkaError::NotLeaderOrFollower)
    }

    fn leader_replica_mut(
        &mut self,
        tp: &TopicPartition,
        meta: &Metadata,
    ) -> Result<&mut Replica, KafkaError> {
        self.check_leader(tp, meta)?;
        self.replicas
            .get_mut(tp)
            .ok_or(KafkaError::NotLeaderOrFollower)
    }

    fn check_leader(&self, tp: &TopicPartition, meta: &Metadata) -> Result<(), KafkaError> {
        let state = meta
            .partition(tp)
            .ok_or(KafkaError::UnknownTopicOrPartition)?;
        if state.leader != Some(self.id) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        Ok(())
    }

    /// Fetches waiting in purgatory, for the view.
    pub fn parked_fetches(&self) -> usize {
        self.parked.len()
    }
}

fn reply(fx: &mut Effects, to: Node, correlation_id: u32, response: Response) {
    fx.send(
        to,
        Message {
            correlation_id,
            body: Body::Response(response),
        },
    );
}
