//! What a follower does: one Fetch at a time to each leader it follows, for
//! all the partitions it follows there; append what comes back, take the
//! leader's high watermark (capped at its own log end), and truncate when the
//! leader says the logs diverged.

use super::{Broker, Pending, Role};
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::net::Node;
use crate::protocol::{FetchPartition, FetchedPartition, Request};
use crate::sorted::SortedSet;
use crate::time::Duration;
use alloc::vec::Vec;

impl Broker {
    /// Leaders this broker follows at least one partition on.
    fn leaders_followed(&self) -> SortedSet<u32> {
        self.replicas
            .values()
            .filter_map(|r| match r.role {
                Role::Follower { leader, .. } => Some(leader),
                _ => None,
            })
            .collect()
    }

    fn fetching_from(&self, leader: u32) -> bool {
        self.pending.values().any(|p| matches!(p, Pending::ReplicaFetch { leader: l } if *l == leader))
    }

    /// Starts a fetcher for every leader without one (`ReplicaFetcherManager.addFetcherForPartitions`).
    pub(super) fn start_fetchers(&mut self, fx: &mut Effects) {
        for leader in self.leaders_followed() {
            if !self.fetching_from(leader) {
                self.fetch_from(leader, fx);
            }
        }
    }

    /// Sends one Fetch to `leader` for every partition followed there.
    pub(super) fn fetch_from(&mut self, leader: u32, fx: &mut Effects) {
        if self.fetching_from(leader) {
            return;
        }
        let partitions: Vec<FetchPartition> = self
            .replicas
            .iter()
            .filter_map(|(tp, r)| match r.role {
                Role::Follower { leader: l, leader_epoch } if l == leader => Some(FetchPartition {
                    tp: tp.clone(),
                    fetch_offset: r.log.log_end_offset(),
                    current_leader_epoch: Some(leader_epoch),
                    last_fetched_epoch: r.log.latest_epoch(),
                    partition_max_bytes: self.config.replica_fetch_max_bytes,
                }),
                _ => None,
            })
            .collect();
        if partitions.is_empty() {
            // The fetcher for this leader stops, and its session with it
            // (`shutdownIdleFetcherThreads`): a later one starts with a full fetch.
            self.fetcher_sessions.remove(&leader);
            return;
        }
        // In its fetch session: only partitions whose position or epoch moved are named.
        let data = self.fetcher_sessions.entry(leader).or_default().build(partitions);
        let request = Request::Fetch {
            replica_id: Some(self.id),
            max_wait_ms: self.config.replica_fetch_wait_max_ms,
            min_bytes: self.config.replica_fetch_min_bytes,
            max_bytes: self.config.replica_fetch_response_max_bytes,
            isolation_level: crate::protocol::IsolationLevel::ReadUncommitted,
            session: data.metadata,
            partitions: data.to_send,
            forgotten: data.to_forget,
        };
        self.request(Node::Broker(leader), request, Pending::ReplicaFetch { leader }, fx);
    }

    pub(super) fn on_replica_fetch(
        &mut self,
        leader: u32,
        (error, session_id): (Option<KafkaError>, u32),
        partitions: Vec<FetchedPartition>,
        fx: &mut Effects,
    ) {
        let usable = self.fetcher_sessions.entry(leader).or_default().handle_response(
            error.as_ref(),
            session_id,
            partitions.iter().map(|p| &p.tp),
        );
        if !usable {
            // A session error: fetch again at once, a full fetch in a new session
            // (`RemoteLeaderEndPoint.fetch` returns no partitions, so nothing backs off).
            return self.fetch_from(leader, fx);
        }
        let me = self.id;
        let mut failed = false;
        for p in partitions {
            // The topic's roll settings matter only to an append (`PartitionLog::note_segment`), so
            // they are read only for an answer that brings batches: most answers of a steady
            // cluster's follower fetches bring none, and reading them parses three configs.
            let brings_batches = matches!(&p.result, Ok(d) if !d.batches.is_empty());
            let roll = brings_batches.then(|| {
                self.image.topics.get(p.tp.topic.as_str()).map(|t| super::roll_config(&t.config)).unwrap_or_default()
            });
            let Some(replica) = self.replicas.get_mut(&p.tp) else {
                continue;
            };
            if let Some(roll) = roll {
                replica.log.roll = roll;
            }
            if !matches!(replica.role, Role::Follower { leader: l, .. } if l == leader) {
                continue;
            }
            match p.result {
                Ok(data) => {
                    if let Some((epoch, end)) = data.diverging_epoch {
                        let from = replica.log.log_end_offset();
                        // Where this log's own copy of that epoch ends, as Kafka's
                        // `truncateOnFetchResponse`: the smaller of the two ends.
                        let own_end = replica
                            .log
                            .end_offset_for_epoch(epoch)
                            .filter(|(e, _)| *e == epoch)
                            .map_or(replica.log.log_start_offset(), |(_, o)| o);
                        let to = end.min(own_end).min(from);
                        // Truncating also drops epochs that start at `to` with no records,
                        // which a former leader assigned; without that it would ask forever.
                        replica.log.truncate_to(to);
                        if to < from {
                            fx.event(EventKind::Truncated { broker: me, tp: p.tp.clone(), from, to });
                        }
                        replica.high_watermark = replica.high_watermark.min(replica.log.log_end_offset());
                        continue;
                    }
                    // The leader's log start moved (retention or DeleteRecords): so does this copy's.
                    if data.log_start_offset > replica.log.log_start_offset()
                        && data.log_start_offset <= replica.log.log_end_offset()
                    {
                        replica.log.delete_records(data.log_start_offset);
                    }
                    if replica.log.append_replicated(&data.batches).is_err() {
                        // A damaged batch: fetch it again after the backoff.
                        failed = true;
                    }
                    replica.high_watermark = data.high_watermark.min(replica.log.log_end_offset());
                    replica.log.note_high_watermark(replica.high_watermark);
                }
                // The leader moved or this broker is behind on metadata: wait for the new image.
                Err(_) => failed = true,
            }
        }
        if failed {
            fx.timer_in(Duration::from_ms(self.config.replica_fetch_backoff_ms), Timer::ReplicaFetch(leader));
        } else {
            self.fetch_from(leader, fx);
        }
    }
}
