//! A consumer: finds leaders with Metadata, takes a starting position from
//! the group's committed offset or auto.offset.reset (ListOffsets), and
//! reads with Fetch (fetch.min.bytes / fetch.max.wait.ms long polling,
//! max.poll.records per poll). `seek`, `seekToBeginning`, `seekToEnd`,
//! `offsetsForTimes` and `pause`/`resume` as the Java client has them.
//! Partitions come from `assign` or, with `subscribe`, from the group
//! (its `group` module).

mod group;
mod membership;
mod processing;

use super::config::{ConsumerConfig, OffsetReset};
use super::{Connection, InFlight};
use crate::command::{Processing, SeekTo};
use crate::effects::{Effects, Timer};
use crate::error::{CommandError, KafkaError};
use crate::event::EventKind;
use crate::fetch_session::FetchSessionHandler;
use crate::protocol::{FetchMetadata, FetchPartition, IsolationLevel, OffsetSpec, Request, Response, TopicPartition};
use crate::record::Record;
use crate::sorted::{SortedMap, SortedSet};
use crate::time::{Duration, Instant};
use crate::txn::marker::ControlType;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
pub use group::{GroupMember, MemberState};

/// The poll timeout of a poll loop that found nothing to wait for (`poll(Duration.ofMillis(100))`).
const POLL_LOOP_IDLE_MS: u64 = 100;

#[derive(Clone, Debug)]
pub struct Consumer {
    pub conn: Connection,
    pub config: ConsumerConfig,
    pub assignment: Vec<TopicPartition>,
    /// The offset of the next record `poll` returns, per partition.
    pub positions: SortedMap<TopicPartition, u64>,
    /// Partitions with a Fetch in flight.
    fetching: SortedSet<TopicPartition>,
    /// A fetch session with each broker fetched from (KIP-227).
    fetch_sessions: SortedMap<u32, FetchSessionHandler>,
    /// When each partition last brought records, by a count: a fetch lists partitions that
    /// brought nothing for longest first, so that none starves behind the others' bytes
    /// (Java's `SubscriptionState.movePartitionToEnd` after a fetch with data or an error).
    fetch_rotation: SortedMap<TopicPartition, u64>,
    rotations: u64,
    /// Partitions with a ListOffsets in flight: a position reset goes out even while a fetch is pending.
    listing: SortedSet<TopicPartition>,
    /// Seeks to the beginning, the end or a timestamp, resolved with ListOffsets on the next poll.
    pending_seeks: SortedMap<TopicPartition, OffsetSpec>,
    /// Partitions whose position was out of range, to be reset by auto.offset.reset and not from
    /// the group's committed offset, which is what went out of range (Java's
    /// `SubscriptionState.requestOffsetReset`).
    resetting: SortedSet<TopicPartition>,
    /// Partitions `pause`d: not fetched, their buffered records not returned.
    pub paused: SortedSet<TopicPartition>,
    /// Fetched, not yet returned by `poll`.
    buffer: VecDeque<(TopicPartition, Record)>,
    /// A `poll` is waiting for its fetches.
    poll_waiting: bool,
    /// This poll already asked for metadata: an unknown topic must not make it ask forever.
    metadata_asked: bool,
    /// Subscribed topics a Metadata answer said do not exist (UNKNOWN_TOPIC_OR_PARTITION): the group
    /// is joined without them, and they are asked for again with backoff until they appear.
    pub(super) missing_topics: SortedSet<String>,
    /// Metadata answers in a row that named a missing topic: the backoff before asking again doubles
    /// from retry.backoff.ms up to retry.backoff.max.ms (Java's `Metadata.refreshBackoff`).
    metadata_failures: u32,
    /// While set, metadata wanted is asked for only by the `MetadataRetry` timer at this time.
    metadata_retry_at: Option<Instant>,
    /// When the last Metadata answer came: the next request waits retry.backoff.ms after it
    /// (Java's `Metadata.timeToAllowUpdate`), however many errors ask for one.
    metadata_answered_at: Option<Instant>,
    /// What polls returned (bounded), and how many records in all.
    pub received: super::Received,
    /// The high watermark each partition's last fetch reported, for lag.
    pub high_watermarks: SortedMap<TopicPartition, u64>,
    /// Each fetched partition's last stable offset, from the latest fetch (read_committed lag counts to it).
    pub last_stable_offsets: SortedMap<TopicPartition, u64>,
    /// `close()` was called: nothing more is fetched or returned.
    pub closed: bool,
    /// Present with a `group.id`: the group's coordinator, membership and commits.
    pub group: Option<alloc::boxed::Box<GroupMember>>,
    /// The application polls in a loop (`consume`), not one poll at a time.
    pub looping: bool,
    /// When the current poll began.
    poll_started: Instant,
    /// How the application behind `consume` processes records.
    pub processing: Processing,
    /// The polled batch still being processed, in order.
    work: VecDeque<(TopicPartition, Record)>,
    /// Failed attempts at the current record.
    attempts: u32,
    pub processed_count: u64,
    /// Records the application finished with (processed, skipped or dead-lettered), newest last, bounded.
    pub processed: VecDeque<(TopicPartition, u64)>,
    /// The offset after the last record processed, per partition, since the last commit of
    /// processed offsets (what commit=after and commit=transaction commit).
    processed_upto: SortedMap<TopicPartition, u64>,
    /// Ids an idempotent consumer has processed.
    seen_ids: SortedSet<crate::record::Bytes>,
    /// `close` came while a batch was being processed: it happens when the batch is done.
    close_requested: bool,
    /// commit=transaction: the batch's transaction was begun / its commit is awaited before the next poll.
    txn_open: bool,
    pub awaiting_txn: bool,
    /// The poll loop's next step (`NextPoll` or `ProcessNext`), held while a commitSync is
    /// unanswered: commitSync blocks the application's thread, so nothing is polled, processed or
    /// committed after it until it returns.
    blocked_step: Option<Timer>,
}

impl Consumer {
    pub fn new(name: String, config: ConsumerConfig, bootstrap: Vec<u32>) -> Self {
        Consumer {
            conn: Connection::new(
                name,
                bootstrap,
                config.request_timeout_ms,
                super::backoff::ExponentialBackoff::new(super::RECONNECT_BACKOFF_MS, super::RECONNECT_BACKOFF_MAX_MS),
            ),
            assignment: Vec::new(),
            positions: SortedMap::new(),
            fetching: SortedSet::new(),
            fetch_sessions: SortedMap::new(),
            fetch_rotation: SortedMap::new(),
            rotations: 0,
            listing: SortedSet::new(),
            pending_seeks: SortedMap::new(),
            resetting: SortedSet::new(),
            paused: SortedSet::new(),
            buffer: VecDeque::new(),
            poll_waiting: false,
            metadata_asked: false,
            missing_topics: SortedSet::new(),
            metadata_failures: 0,
            metadata_retry_at: None,
            metadata_answered_at: None,
            received: super::Received::default(),
            high_watermarks: SortedMap::new(),
            last_stable_offsets: SortedMap::new(),
            closed: false,
            group: config.group_id.clone().map(|g| alloc::boxed::Box::new(GroupMember::new(g))),
            looping: false,
            poll_started: Instant::ZERO,
            processing: Processing::default(),
            work: VecDeque::new(),
            attempts: 0,
            processed_count: 0,
            processed: VecDeque::new(),
            processed_upto: SortedMap::new(),
            seen_ids: SortedSet::new(),
            close_requested: false,
            txn_open: false,
            awaiting_txn: false,
            blocked_step: None,
            config,
        }
    }

    /// `KafkaConsumer.assign`: replaces the assignment; positions of partitions
    /// no longer assigned are forgotten, as are their buffered records.
    pub fn assign(&mut self, partitions: Vec<TopicPartition>) -> Result<(), CommandError> {
        if self.group.as_ref().is_some_and(|g| g.subscribed()) {
            return Err(CommandError::Invalid(
                "Subscription to topics, partitions and pattern are mutually exclusive".into(),
            ));
        }
        self.set_assignment(partitions);
        Ok(())
    }

    /// The assignment changes, by `assign` or by the group.
    fn set_assignment(&mut self, partitions: Vec<TopicPartition>) {
        self.positions.retain(|tp, _| partitions.contains(tp));
        self.buffer.retain(|(tp, _)| partitions.contains(tp));
        self.pending_seeks.retain(|tp, _| partitions.contains(tp));
        self.resetting.retain(|tp| partitions.contains(tp));
        self.paused.retain(|tp| partitions.contains(tp));
        self.assignment = partitions;
    }

    /// `KafkaConsumer.close()`: with a group, commits (auto-commit) and leaves;
    /// buffered records are dropped and later answers ignored.
    pub fn close(&mut self, fx: &mut Effects) {
        if self.closed || self.close_requested {
            return;
        }
        if self.models_processing() && !self.work.is_empty() {
            // A graceful shutdown (wakeup(), then close() after the loop): the batch in hand is finished first.
            self.close_requested = true;
            let pending = self.work.len();
            fx.event(EventKind::ClosingAfterBatch { consumer: self.conn.name.clone(), pending });
            return;
        }
        self.close_group(fx);
        self.close_fetch_sessions(fx);
        self.closed = true;
        self.looping = false;
        let pending_records = self.buffer.len();
        self.buffer.clear();
        self.poll_waiting = false;
        fx.event(EventKind::Closed { client: self.conn.name.clone(), kind: "consumer", pending_records });
    }

    /// Closes the fetch session on each broker that is reachable (`AbstractFetch.maybeCloseFetchSessions`):
    /// a fetch with the session's id, epoch -1 and no partitions, so the broker frees its slot.
    fn close_fetch_sessions(&mut self, fx: &mut Effects) {
        let mut closing = Vec::new();
        for (&broker, session) in &mut self.fetch_sessions {
            if session.metadata().session_id == 0 || self.conn.backing_off(broker, fx.now) {
                continue;
            }
            session.notify_close();
            closing.push((broker, session.build(Vec::new()).metadata));
        }
        for (broker, session) in closing {
            let request = self.fetch_request(session, Vec::new(), Vec::new());
            self.conn.request(broker, request, fx);
        }
    }

    /// The Java client's IllegalStateException for a partition not assigned.
    fn check_assigned(&self, tp: &TopicPartition) -> Result<(), CommandError> {
        if self.assignment.contains(tp) {
            Ok(())
        } else {
            Err(CommandError::Invalid(alloc::format!("No current assignment for partition {tp}")))
        }
    }

    /// `seek` moves the position at once; `seekToBeginning`, `seekToEnd` and a
    /// seek to a timestamp (`offsetsForTimes`) ask the leader on the next poll.
    /// Records already fetched for the partition are dropped.
    pub fn seek(&mut self, tp: &TopicPartition, to: SeekTo, fx: &mut Effects) -> Result<(), CommandError> {
        self.check_assigned(tp)?;
        self.buffer.retain(|(t, _)| t != tp);
        self.positions.remove(tp);
        self.resetting.remove(tp);
        let spec = match to {
            SeekTo::Offset(offset) => {
                self.pending_seeks.remove(tp);
                self.positions.insert(tp.clone(), offset);
                fx.event(EventKind::Seeked { consumer: self.conn.name.clone(), tp: tp.clone(), to, offset });
                return Ok(());
            }
            SeekTo::Beginning => OffsetSpec::Earliest,
            SeekTo::End => OffsetSpec::Latest,
            SeekTo::Timestamp(ms) => OffsetSpec::Timestamp(ms),
        };
        self.pending_seeks.insert(tp.clone(), spec);
        Ok(())
    }

    /// `pause`: the partitions stay assigned and keep their positions but are not fetched or returned.
    pub fn pause(&mut self, partitions: &[TopicPartition]) -> Result<(), CommandError> {
        partitions.iter().try_for_each(|tp| self.check_assigned(tp))?;
        self.paused.extend(partitions.iter().cloned());
        Ok(())
    }

    /// `resume`: paused partitions are fetched again.
    pub fn resume(&mut self, partitions: &[TopicPartition]) -> Result<(), CommandError> {
        partitions.iter().try_for_each(|tp| self.check_assigned(tp))?;
        partitions.iter().for_each(|tp| {
            self.paused.remove(tp);
        });
        Ok(())
    }

    /// Buffered records `poll` may return now: those of partitions not paused.
    fn returnable(&self) -> bool {
        self.buffer.iter().any(|(tp, _)| !self.paused.contains(tp))
    }

    /// `KafkaConsumer.poll`: returns buffered records at once, or fetches and
    /// returns when the fetches answer (possibly with nothing after fetch.max.wait.ms).
    pub fn poll(&mut self, fx: &mut Effects) {
        if self.poll_waiting {
            return;
        }
        self.poll_started = fx.now;
        self.on_poll_start(fx);
        // The group's business comes first (Java's updateAssignmentMetadataIfNeeded): a rejoin
        // revokes partitions, and their buffered records go, before any record is returned; an
        // application never processes records of partitions it has already given up.
        self.drive_group(fx);
        if self.returnable() {
            self.return_records(fx);
            // As the Java client does: pending position resets and fetches for
            // partitions with nothing buffered go out now, for the next poll.
            self.metadata_asked = false;
            self.drive(fx);
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
        self.drive_group(fx);
        let missing: Vec<String> = self
            .assignment
            .iter()
            .filter(|tp| self.conn.leader_of(tp).is_none())
            .map(|tp| String::from(tp.topic.as_str()))
            .collect::<SortedSet<_>>()
            .into_iter()
            .collect();
        // After an answer that left metadata wanted, the backoff timer asks again, not each poll;
        // and no sooner than retry.backoff.ms after the last answer (an error that drops a
        // partition's leader, NOT_LEADER_OR_FOLLOWER from stale metadata, must not loop).
        let allowed_at = self.metadata_answered_at.map(|t| t + Duration::from_ms(self.config.retry_backoff_ms));
        if !missing.is_empty() && self.metadata_retry_at.is_none() && allowed_at.is_some_and(|t| t > fx.now) {
            let wait = allowed_at.map_or(Duration::ZERO, |t| t.saturating_since(fx.now));
            self.metadata_retry_at = Some(fx.now + wait);
            fx.timer_in(wait, Timer::MetadataRetry);
        }
        if !missing.is_empty() && !self.metadata_asked && self.metadata_retry_at.is_none() {
            self.metadata_asked = true;
            // Consumers with manual assignment never create topics.
            self.conn.refresh_metadata(missing, false, fx);
        }
        self.send_fetches(fx);
    }

    /// ListOffsets for partitions without a position, and one Fetch per leader without one in
    /// flight (Java's `sendFetches`).
    fn send_fetches(&mut self, fx: &mut Effects) {
        let mut list_offsets: SortedMap<u32, Vec<(TopicPartition, OffsetSpec)>> = SortedMap::new();
        let mut fetches: SortedMap<u32, Vec<FetchPartition>> = SortedMap::new();
        let mut no_offset = Vec::new();
        // One Fetch in flight per broker (Java's `nodesWithPendingFetchRequests`): a partition
        // whose leader already has one waits for its answer. Found only if a partition needs it.
        let mut busy: Option<Vec<u32>> = None;
        // The partitions that need a request, then in rotation order (ties in assignment order):
        // most are in a fetch already at any time, and only the rest are looked up and sorted.
        let mut wanted: Vec<(u64, usize, u32, Option<u64>)> = Vec::new();
        for (i, tp) in self.assignment.iter().enumerate() {
            let position = self.positions.get(tp).copied();
            if position.is_some() && self.fetching.contains(tp) {
                continue;
            }
            if self.paused.contains(tp) || self.buffer.iter().any(|(t, _)| t == tp) {
                continue;
            }
            let Some(leader) = self.conn.leader_of(tp) else {
                continue;
            };
            if self.conn.backing_off(leader, fx.now) {
                // reconnect.backoff: the connection to this leader just failed.
                continue;
            }
            let waits = match position {
                Some(_) => busy
                    .get_or_insert_with(|| {
                        let fetches = self.conn.in_flight().filter(|(_, r)| matches!(r.request, Request::Fetch { .. }));
                        fetches.map(|(_, r)| r.broker).collect()
                    })
                    .contains(&leader),
                // The group's committed offset comes first (OffsetFetch).
                None => self.listing.contains(tp) || self.awaits_committed(tp),
            };
            if !waits {
                wanted.push((self.fetch_rotation.get(tp).copied().unwrap_or(0), i, leader, position));
            }
        }
        crate::sort::sort(&mut wanted);
        for (_, i, leader, position) in wanted {
            let tp = &self.assignment[i];
            match position {
                Some(fetch_offset) => fetches.entry(leader).or_default().push(FetchPartition {
                    tp: tp.clone(),
                    fetch_offset,
                    current_leader_epoch: None,
                    last_fetched_epoch: None,
                    partition_max_bytes: self.config.max_partition_fetch_bytes as usize,
                }),
                None => {
                    let spec = match (self.pending_seeks.get(tp), self.config.auto_offset_reset) {
                        (Some(spec), _) => *spec,
                        (None, OffsetReset::Earliest) => OffsetSpec::Earliest,
                        (None, OffsetReset::Latest) => OffsetSpec::Latest,
                        (None, OffsetReset::ByDuration(ms)) => OffsetSpec::Timestamp(fx.now.ms.saturating_sub(ms)),
                        (None, OffsetReset::None) => {
                            no_offset.push(tp.clone());
                            continue;
                        }
                    };
                    list_offsets.entry(leader).or_default().push((tp.clone(), spec));
                }
            }
        }
        if !no_offset.is_empty() && self.poll_waiting {
            // poll() throws NoOffsetForPartitionException: no records, and a poll loop ends with it.
            for tp in no_offset {
                let error = KafkaError::NoOffsetForPartition;
                fx.event(EventKind::ConsumeFailed { consumer: self.conn.name.clone(), tp, error });
            }
            self.stop_polling(KafkaError::NoOffsetForPartition, fx);
            return;
        }
        for (leader, partitions) in list_offsets {
            self.listing.extend(partitions.iter().map(|(tp, _)| tp.clone()));
            let isolation_level = self.config.isolation_level;
            self.conn.request(leader, Request::ListOffsets { isolation_level, partitions }, fx);
        }
        for (leader, partitions) in fetches {
            self.fetching.extend(partitions.iter().map(|p| p.tp.clone()));
            // In the broker's fetch session: partitions not wanted now (those with records
            // still buffered among them) are forgotten, unchanged ones left unsaid.
            let data = self.fetch_sessions.entry(leader).or_default().build(partitions);
            let request = self.fetch_request(data.metadata, data.to_send, data.to_forget);
            self.conn.request(leader, request, fx);
        }
    }

    /// A Fetch with this consumer's limits.
    fn fetch_request(
        &self,
        session: FetchMetadata,
        partitions: Vec<FetchPartition>,
        forgotten: Vec<TopicPartition>,
    ) -> Request {
        Request::Fetch {
            replica_id: None,
            max_wait_ms: self.config.fetch_max_wait_ms,
            min_bytes: self.config.fetch_min_bytes as usize,
            max_bytes: self.config.fetch_max_bytes as usize,
            isolation_level: self.config.isolation_level,
            session,
            partitions,
            forgotten,
        }
    }

    pub fn on_response(&mut self, correlation_id: u32, response: Response, fx: &mut Effects) {
        self.answer(correlation_id, response, fx);
        self.resume_blocked_step(fx);
    }

    /// The loop's step waits no more once no commitSync is unanswered. While one is, it is kept
    /// going as commitSync's own loop would: sent again once a failed attempt has found the
    /// coordinator, or failed when the member's generation has moved on (CommitFailedException).
    fn resume_blocked_step(&mut self, fx: &mut Effects) {
        if self.blocked_step.is_some() && self.sync_commit_pending() {
            self.send_commits(fx);
        }
        if self.blocked_step.is_some() && !self.sync_commit_pending() {
            if let Some(step) = self.blocked_step.take() {
                if self.looping && !self.closed {
                    fx.timer_in(Duration::ZERO, step);
                }
            }
        }
    }

    /// Holds the loop's `step` while a commitSync is unanswered (`true`: held).
    fn blocks(&mut self, step: Timer) -> bool {
        if self.sync_commit_pending() {
            self.blocked_step = Some(step);
            return true;
        }
        false
    }

    fn answer(&mut self, correlation_id: u32, response: Response, fx: &mut Effects) {
        let Some(InFlight { request, broker }) = self.conn.complete(correlation_id, fx) else {
            return;
        };
        self.release(&request, broker);
        if self.on_group_response(&request, &response, fx) {
            // A coordinator found (or lost) decides whether waiting commits go out now, polling or not.
            self.send_commits(fx);
            if !self.closed && self.poll_waiting {
                self.drive(fx);
                self.finish_poll_if_idle(fx);
            }
            return;
        }
        if self.closed {
            return;
        }
        // A fetch answered for positions still held has waited fetch.max.wait.ms: it ends an empty poll.
        let mut waited = matches!(response, Response::Fetch { .. });
        match response {
            Response::Metadata { brokers, topics } => {
                let answered: Vec<String> = topics.iter().map(|(t, _)| t.clone()).collect();
                let errors = self.conn.on_metadata(brokers, topics);
                self.note_missing_topics(&answered, &errors, fx);
                let all_topics = matches!(&request, Request::Metadata { topics: None, .. });
                self.on_group_metadata(all_topics, fx);
                for (topic, error) in errors {
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
                let asked: SortedMap<TopicPartition, OffsetSpec> = match &request {
                    Request::ListOffsets { partitions, .. } => partitions.iter().cloned().collect(),
                    _ => SortedMap::new(),
                };
                for (tp, result) in partitions {
                    match result {
                        Ok(offset) if self.assignment.contains(&tp) && !self.positions.contains_key(&tp) => {
                            self.on_offset_found(tp.clone(), asked.get(&tp).copied(), offset, fx)
                        }
                        // Not assigned any more, or a `seek` to an offset came in between.
                        Ok(_) => {}
                        Err(error) => self.partition_error(tp, error, fx),
                    }
                }
            }
            Response::Fetch { error, session_id, partitions } => {
                let session = self.fetch_sessions.entry(broker).or_default();
                // Where each partition of the session was fetched from, named in the request or not.
                let fetched_at: SortedMap<TopicPartition, u64> =
                    session.partitions().iter().map(|p| (p.tp.clone(), p.fetch_offset)).collect();
                let usable = session.handle_response(error.as_ref(), session_id, partitions.iter().map(|p| &p.tp));
                // A session error (the next fetch, a full one, goes at once), or a seek or a new
                // assignment since the fetch left: its wait was for positions no longer held.
                if !usable || fetched_at.iter().any(|(tp, at)| self.positions.get(tp) != Some(at)) {
                    waited = false;
                }
                for p in partitions.into_iter().filter(|_| usable) {
                    // A seek or a new assignment since the fetch left (`waited` is already false): its
                    // data is for a position no longer held.
                    if self.positions.get(&p.tp) != fetched_at.get(&p.tp) {
                        continue;
                    }
                    if p.result.as_ref().map_or(true, |d| !d.batches.is_empty()) {
                        self.rotations += 1;
                        self.fetch_rotation.insert(p.tp.clone(), self.rotations);
                    }
                    match p.result {
                        Ok(data) => {
                            self.high_watermarks.insert(p.tp.clone(), data.high_watermark);
                            self.last_stable_offsets.insert(p.tp.clone(), data.last_stable_offset);
                            let position = self.positions.get(&p.tp).copied();
                            let buffered_before = self.buffer.len();
                            // read_committed: aborted transactions in range, by first offset (Java's Fetcher).
                            let mut aborted = data.aborted_transactions.clone();
                            crate::sort::sort_by_key(&mut aborted, |&(_, first)| first);
                            let mut aborted = aborted.into_iter().peekable();
                            let mut aborted_producers: SortedSet<i64> = SortedSet::new();
                            let read_committed = self.config.isolation_level == IsolationLevel::ReadCommitted;
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
                                let Some(first) = records.first() else { continue };
                                if read_committed && first.producer_id >= 0 {
                                    while let Some((pid, _)) = aborted.next_if(|&(_, f)| f <= batch.last_offset) {
                                        aborted_producers.insert(pid);
                                    }
                                    if first.control == Some(ControlType::Abort) {
                                        aborted_producers.remove(&first.producer_id);
                                    } else if first.transactional && aborted_producers.contains(&first.producer_id) {
                                        continue;
                                    }
                                }
                                if first.control.is_some() {
                                    // Markers are never returned to the application.
                                    continue;
                                }
                                for r in records {
                                    // Records below the position, earlier in the same batch, are skipped.
                                    if position.is_some_and(|pos| r.offset >= pos) {
                                        self.buffer.push_back((p.tp.clone(), r));
                                    }
                                }
                            }
                            // Only markers or aborted records came: the position moves past them.
                            let kept_none = self.buffer.len() == buffered_before;
                            if let (true, Some(last), Some(pos)) = (kept_none, data.batches.last(), position) {
                                if last.last_offset >= pos && !self.buffer.iter().any(|(t, _)| t == &p.tp) {
                                    self.positions.insert(p.tp.clone(), last.last_offset + 1);
                                    waited = false;
                                }
                            }
                        }
                        Err(KafkaError::OffsetOutOfRange) => {
                            // Java's `FetchCollector.handleInitializeErrors`: the position is reset by
                            // auto.offset.reset within the same poll, never from the committed offset
                            // (which may be the very offset out of range); with `none` poll() throws
                            // OffsetOutOfRangeException.
                            self.partition_error(p.tp.clone(), KafkaError::OffsetOutOfRange, fx);
                            if self.config.auto_offset_reset == OffsetReset::None {
                                self.stop_polling(KafkaError::OffsetOutOfRange, fx);
                            } else {
                                waited = false;
                                self.positions.remove(&p.tp);
                                self.resetting.insert(p.tp);
                            }
                        }
                        Err(error) => self.partition_error(p.tp, error, fx),
                    }
                }
            }
            _ => {}
        }
        if self.poll_waiting {
            if self.returnable() {
                self.return_records(fx);
            } else {
                // A fetch that came back empty has already waited fetch.max.wait.ms:
                // the poll ends. Metadata and ListOffsets answers lead to the fetch.
                if !waited {
                    self.drive(fx);
                }
                self.finish_poll_if_idle(fx);
            }
        }
    }

    /// A ListOffsets answer for a partition without a position: a pending seek or auto.offset.reset.
    fn on_offset_found(
        &mut self,
        tp: TopicPartition,
        asked: Option<OffsetSpec>,
        offset: Option<u64>,
        fx: &mut Effects,
    ) {
        let consumer = self.conn.name.clone();
        let seek = self.pending_seeks.get(&tp).copied();
        if seek.is_some() && seek != asked {
            // A newer seek is waiting for its own answer.
            return;
        }
        match (seek, offset) {
            (Some(OffsetSpec::Timestamp(timestamp_ms)), None) => {
                // offsetsForTimes found nothing (Kafka's offset -1): the end, as the CLI's --to-datetime does.
                self.pending_seeks.insert(tp.clone(), OffsetSpec::Latest);
                fx.event(EventKind::NoOffsetForTimestamp { consumer, tp, timestamp_ms });
            }
            (Some(spec), Some(offset)) => {
                self.pending_seeks.remove(&tp);
                self.positions.insert(tp.clone(), offset);
                let to = match spec {
                    OffsetSpec::Earliest => SeekTo::Beginning,
                    OffsetSpec::Latest => SeekTo::End,
                    OffsetSpec::Timestamp(ms) => SeekTo::Timestamp(ms),
                };
                fx.event(EventKind::Seeked { consumer, tp, to, offset });
            }
            (None, Some(offset)) => {
                let out_of_range = self.resetting.remove(&tp);
                self.positions.insert(tp.clone(), offset);
                let strategy = self.config.auto_offset_reset.name();
                fx.event(EventKind::OffsetReset { consumer, tp, offset, strategy, out_of_range });
            }
            (None, None) => {
                // by_duration found no record that recent: the end, as for a seek to a time.
                self.pending_seeks.insert(tp.clone(), OffsetSpec::Latest);
            }
            // Only a timestamp query answers with no offset.
            (_, None) => {}
        }
    }

    pub fn on_timer(&mut self, timer: Timer, fx: &mut Effects) {
        match timer {
            Timer::GroupHeartbeat => return self.on_heartbeat_timer(fx),
            Timer::GroupRetry => {
                if let Some(g) = self.group.as_mut() {
                    g.retry_armed = false;
                }
                self.send_commits(fx);
                if !self.closed && self.poll_waiting {
                    self.drive(fx);
                    self.finish_poll_if_idle(fx);
                }
                // A blocking commit failed here as stale frees the loop now.
                self.resume_blocked_step(fx);
                return;
            }
            Timer::ProcessNext => {
                if !self.blocks(Timer::ProcessNext) {
                    self.process_next(fx);
                }
                return;
            }
            Timer::MetadataRefresh => return self.on_metadata_refresh(fx),
            Timer::MetadataRetry => return self.on_metadata_retry(fx),
            Timer::NextPoll => {
                if self.looping && !self.closed && !self.blocks(Timer::NextPoll) {
                    self.poll(fx);
                }
                return;
            }
            _ => {}
        }
        let failed = self.conn.fail(&timer, fx);
        let any = !failed.is_empty();
        for (_, InFlight { request, broker }, error) in failed {
            self.release(&request, broker);
            if let (Request::Fetch { .. }, Some(session)) = (&request, self.fetch_sessions.get_mut(&broker)) {
                // The leader may have moved: the Java client asks for metadata after a failed fetch.
                for p in session.partitions() {
                    self.conn.topics.remove(p.tp.topic.as_str());
                }
                session.handle_error();
            }
            self.on_group_request_failed(&request, error, fx);
        }
        if any {
            if !self.closed && self.poll_waiting {
                self.drive(fx);
            }
            self.finish_poll_if_idle(fx);
        }
        self.resume_blocked_step(fx);
    }

    /// `consume`: the application's poll loop; each poll starts when the last
    /// returned and its records were processed.
    pub fn consume(&mut self, processing: Processing, fx: &mut Effects) {
        self.looping = true;
        self.processing = processing;
        self.poll(fx);
    }

    /// A Metadata answer: topics it says do not exist are missing until an answer has them. While
    /// any is missing, or an assigned partition has no leader, the consumer asks again after a
    /// backoff that doubles from retry.backoff.ms to retry.backoff.max.ms, as Java's `Metadata`
    /// asks again after an `InvalidMetadataException` (UNKNOWN_TOPIC_OR_PARTITION,
    /// LEADER_NOT_AVAILABLE) within `refreshBackoff`, never in a loop.
    fn note_missing_topics(&mut self, answered: &[String], errors: &[(String, KafkaError)], fx: &mut Effects) {
        self.metadata_answered_at = Some(fx.now);
        for topic in answered {
            self.missing_topics.remove(topic.as_str());
        }
        for (topic, error) in errors {
            if *error == KafkaError::UnknownTopicOrPartition {
                self.missing_topics.insert(topic.clone());
            }
        }
        if self.metadata_wanted().is_empty() {
            self.metadata_failures = 0;
            return;
        }
        let backoff = self.config.retry_backoff().backoff(self.metadata_failures, &mut self.conn.backoff_rng);
        self.metadata_failures += 1;
        self.metadata_retry_at = Some(fx.now + Duration::from_ms(backoff));
        fx.cancel(Timer::MetadataRetry);
        fx.timer_in(Duration::from_ms(backoff), Timer::MetadataRetry);
    }

    /// Topics whose metadata the consumer still needs: subscribed topics that do not exist, and
    /// topics of assigned partitions without a known leader.
    fn metadata_wanted(&self) -> Vec<String> {
        let leaderless = self.assignment.iter().filter(|tp| self.conn.leader_of(tp).is_none());
        let topics: SortedSet<String> =
            leaderless.map(|tp| String::from(tp.topic.as_str())).chain(self.missing_topics.iter().cloned()).collect();
        topics.into_iter().collect()
    }

    /// The backoff after an answer that left metadata wanted has passed: ask again.
    fn on_metadata_retry(&mut self, fx: &mut Effects) {
        self.metadata_retry_at = None;
        if self.closed {
            return;
        }
        let wanted = self.metadata_wanted();
        if wanted.is_empty() {
            return;
        }
        self.conn.refresh_metadata(wanted, false, fx);
        if !self.conn.metadata_in_flight {
            // No broker is reachable: try again after the longest backoff.
            let backoff = Duration::from_ms(self.config.retry_backoff_max_ms.max(1));
            self.metadata_retry_at = Some(fx.now + backoff);
            fx.timer_in(backoff, Timer::MetadataRetry);
        }
    }

    /// poll() throws `error`: this poll returns nothing, and a poll loop ends with it.
    pub(super) fn stop_polling(&mut self, error: KafkaError, fx: &mut Effects) {
        self.poll_waiting = false;
        if self.looping {
            self.looping = false;
            fx.event(EventKind::PollLoopStopped { consumer: self.conn.name.clone(), error });
        }
    }

    fn partition_error(&mut self, tp: TopicPartition, error: KafkaError, fx: &mut Effects) {
        if matches!(error, KafkaError::NotLeaderOrFollower | KafkaError::UnknownTopicOrPartition) {
            // Leadership moved or metadata is stale: forget it and ask again on the next round.
            self.conn.topics.remove(tp.topic.as_str());
        }
        fx.event(EventKind::ConsumeFailed { consumer: self.conn.name.clone(), tp, error });
    }

    /// Marks the partitions of an answered or timed-out request as free.
    fn release(&mut self, request: &Request, broker: u32) {
        match request {
            Request::Metadata { .. } => self.conn.metadata_in_flight = false,
            // Every partition of the session was fetched, named in the request or not.
            Request::Fetch { .. } => {
                for p in self.fetch_sessions.get(&broker).map_or(&[][..], |s| s.partitions()) {
                    self.fetching.remove(&p.tp);
                }
            }
            Request::ListOffsets { partitions, .. } => partitions.iter().for_each(|(tp, _)| {
                self.listing.remove(tp);
            }),
            _ => {}
        }
    }

    /// A poll with nothing left to wait for returns empty.
    fn finish_poll_if_idle(&mut self, fx: &mut Effects) {
        let retrying = self.group.as_ref().is_some_and(|g| g.retry_armed);
        if self.poll_waiting && !retrying && self.conn.in_flight().next().is_none() {
            self.return_records(fx);
        }
    }

    /// What polls returned, oldest first: the newest `RECORDS_RECEIVED_PER_CONSUMER_MAX`.
    pub fn received(&self) -> impl Iterator<Item = &(TopicPartition, Record)> {
        self.received.iter()
    }

    fn note_received(&mut self, records: &Rc<Vec<(TopicPartition, Record)>>) {
        self.received.note(records);
    }

    /// Hands up to max.poll.records buffered records to the application and
    /// moves positions past them.
    fn return_records(&mut self, fx: &mut Effects) {
        self.poll_waiting = false;
        if self.looping && self.blocks(Timer::NextPoll) {
            // A person's commitSync came while the loop's poll waited: the application's thread
            // is in commitSync, so the poll returns only after it (the loop polls again then, and
            // the records wait in the buffer). Else its commit and that commitSync's retry could
            // pass each other, and the group's offset go back (seed 5535382).
            return;
        }
        // Up to max.poll.records, in fetch order, leaving paused partitions' records buffered.
        let max_poll_records = self.config.max_poll_records as usize;
        let records: Vec<(TopicPartition, Record)> = if self.paused.is_empty() {
            // The front of the buffer, leaving the rest where it is (a fetch may have buffered
            // many polls' worth).
            let n = self.buffer.len().min(max_poll_records);
            self.buffer.drain(..n).collect()
        } else {
            let mut records = Vec::new();
            let mut kept = VecDeque::new();
            for (tp, r) in self.buffer.drain(..) {
                if records.len() < max_poll_records && !self.paused.contains(&tp) {
                    records.push((tp, r));
                } else {
                    kept.push_back((tp, r));
                }
            }
            self.buffer = kept;
            records
        };
        // A partition's records come in runs: its position moves once, past the run's last.
        for run in records.chunk_by(|(a, _), (b, _)| a == b) {
            if let Some((tp, r)) = run.last() {
                set_offset(&mut self.positions, tp, r.offset + 1);
            }
        }
        let records = Rc::new(records);
        self.note_received(&records);
        if self.looping && records.is_empty() {
            // An empty poll that waited for nothing is a poll(100 ms) that timed out;
            // a loop's empty polls are not news.
            let idle = fx.now == self.poll_started;
            fx.timer_in(Duration::from_ms(if idle { POLL_LOOP_IDLE_MS } else { 0 }), Timer::NextPoll);
            return;
        }
        let modelled = self.models_processing();
        // The poll's event comes before whatever taking the batch does; the records move into it.
        let polled_at = fx.events.len();
        self.take_batch(&records, fx);
        let returned = !records.is_empty();
        fx.events.insert(polled_at, EventKind::Polled { consumer: self.conn.name.clone(), records });
        if returned && !self.closed {
            // Before returning records, the next round of fetches goes out, so they arrive while
            // the application works (`KafkaConsumer.poll`'s pipelining).
            self.send_fetches(fx);
        }
        if self.looping && !modelled {
            fx.timer_in(Duration::ZERO, Timer::NextPoll);
        }
    }
}

/// Sets a partition's offset in a map, cloning the partition's name only for a new entry: done
/// for every record a consumer returns or processes.
fn set_offset(map: &mut SortedMap<TopicPartition, u64>, tp: &TopicPartition, offset: u64) {
    match map.get_mut(tp) {
        Some(at) => *at = offset,
        None => drop(map.insert(tp.clone(), offset)),
    }
}
