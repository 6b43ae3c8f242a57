//! A partition leader's share-partitions (KIP-932), as Kafka's `SharePartitionManager` keeps
//! them: ShareFetch acquires records for a member of a share group, ShareAcknowledge (or the
//! acknowledgements a ShareFetch carries) settles them, acquisition locks expire, and each
//! share-partition's state is written to the share coordinator (`__share_group_state`) after
//! every change, and read from it before a new leader delivers anything. Acquiring writes
//! nothing (a new leader delivers acquired records again, counting only the deliveries written);
//! an acknowledgement is answered once its write is (Kafka's `rollbackOrProcessStateUpdates`),
//! and undone if the write fails.
//!
//! Share sessions: each member has one with each leader it fetches from. Epoch 0 opens it, each
//! request after carries the next epoch (INVALID_SHARE_SESSION_EPOCH otherwise), -1 closes it and
//! releases whatever the member still holds there. A fetch that acquires nothing waits up to its
//! `max_wait_ms` for records, released records or expired locks.

use super::{reply, Broker, Pending};
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::{EventKind, ShareRelease};
use crate::group::share_partition::{AckType, Released, ShareLimits, SharePartition};
use crate::net::Node;
use crate::protocol::{
    Request, Response, ShareAck, ShareFetchedData, ShareFetchedPartition, ShareState, TopicPartition,
};
use crate::sorted::SortedMap;
use crate::time::Duration;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// `max.partition.fetch.bytes`'s default: the most one partition brings a share fetch.
const SHARE_PARTITION_MAX_BYTES: usize = 1_048_576;
/// Share fetches a broker holds waiting for records, a stated limit.
const PARKED_SHARE_FETCHES_MAX: usize = 256;
/// Share-partitions one broker keeps, a stated limit.
pub const SHARE_PARTITIONS_PER_BROKER_MAX: usize = 1_024;
/// How long a leader waits before writing a share-partition's state again after a failed write.
const SHARE_STATE_RETRY_MS: u64 = 1_000;

/// One share-partition at its leader: read from the share coordinator first.
#[derive(Clone, Debug)]
pub enum ShareEntry {
    Loading,
    Ready(SharePartition),
}

/// A ShareFetch waiting for records.
#[derive(Clone, Debug)]
pub struct ParkedShareFetch {
    pub client: Node,
    pub correlation_id: u32,
    group: String,
    member: Rc<str>,
    max_records: u32,
    record_limit: bool,
    max_bytes: usize,
    partitions: Vec<TopicPartition>,
    /// The piggybacked acknowledgements' outcomes, answered with the records.
    ack_results: Vec<(TopicPartition, Result<(), KafkaError>)>,
    /// The partitions whose acknowledgements wait for a state write, with their change.
    ack_waits: Vec<(TopicPartition, u64)>,
}

/// An answer held until its acknowledgements' state is written (Kafka completes the request's
/// future when the persister's does).
#[derive(Clone, Debug)]
pub struct HeldShareAnswer {
    client: Node,
    correlation_id: u32,
    group: String,
    acks: Vec<(TopicPartition, Result<(), KafkaError>)>,
    waits: Vec<(TopicPartition, u64)>,
    /// A ShareFetch's records; `None` for a ShareAcknowledge.
    fetched: Option<Vec<ShareFetchedPartition>>,
}

/// The batches of aborted transactions among `batches` (first and last offset), as Kafka's
/// `fetchAbortedTransactionRecordBatches` finds them: walking the batches in order, a producer's
/// transaction is aborted from its first offset until its abort marker.
fn aborted_batches<'a>(
    batches: &[crate::log_batch::LogBatch],
    aborted: impl Iterator<Item = &'a crate::broker::log::AbortedTxn>,
) -> Vec<(u64, u64)> {
    let mut aborted: Vec<(i64, u64)> = aborted.map(|a| (a.producer_id, a.first_offset)).collect();
    crate::sort::sort_by_key(&mut aborted, |&(_, first)| first);
    let mut aborted = aborted.into_iter().peekable();
    let mut producers: Vec<i64> = Vec::new();
    let mut out = Vec::new();
    for batch in batches {
        // The leader reads its own batches' headers: the first record says the producer and kind.
        let Some(first) = batch.decode().ok().and_then(|r| r.into_iter().next()) else { continue };
        if first.producer_id < 0 {
            continue;
        }
        while let Some((pid, _)) = aborted.next_if(|&(_, f)| f <= batch.last_offset) {
            producers.push(pid);
        }
        if first.control == Some(crate::txn::marker::ControlType::Abort) {
            producers.retain(|&p| p != first.producer_id);
        } else if first.transactional && producers.contains(&first.producer_id) {
            out.push((batch.base_offset, batch.last_offset));
        }
    }
    out
}

/// What a broker keeps as leader of share-partitions (in memory: a crash loses it, and the next
/// leader reads the persisted state).
#[derive(Clone, Debug, Default)]
pub struct ShareManager {
    pub partitions: SortedMap<(String, TopicPartition), ShareEntry>,
    /// Each share session's next epoch and its last request, by group and member id.
    sessions: SortedMap<(String, String), (i32, crate::time::Instant)>,
    /// Each session's client, for the events.
    clients: SortedMap<String, String>,
    parked: Vec<ParkedShareFetch>,
    /// The number of the last change made of transitions (acknowledgements, a session's
    /// release): a write carries the state as of one change and completes the transitions up to it.
    change: u64,
    /// State writes: the change the one in flight writes (0: none sent yet), and whether the
    /// state changed again since.
    writing: SortedMap<(String, TopicPartition), (u64, bool)>,
    /// Answers waiting for their acknowledgements' writes, a stated limit of
    /// [`PARKED_SHARE_FETCHES_MAX`] beside the parked fetches.
    held: Vec<HeldShareAnswer>,
}

impl ShareManager {
    pub fn has_parked(&self) -> bool {
        !self.parked.is_empty()
    }

    fn next_change(&mut self) -> u64 {
        self.change += 1;
        self.change
    }

    pub fn get(&self, group: &str, tp: &TopicPartition) -> Option<&SharePartition> {
        match self.partitions.get(&(String::from(group), tp.clone())) {
            Some(ShareEntry::Ready(sp)) => Some(sp),
            _ => None,
        }
    }
}

fn client_name(node: &Node) -> String {
    match node {
        Node::Client(name) => String::from(name.as_str()),
        other => alloc::format!("{other}"),
    }
}

impl Broker {
    /// The limits of a group's share-partitions: its group configs over the brokers' defaults.
    pub(super) fn share_limits(&self, group: &str) -> ShareLimits {
        let broker = self.config.group.share.limits;
        match self.image.group_configs.get(group) {
            Some(c) => ShareLimits {
                lock_duration_ms: c.record_lock_duration_ms.unwrap_or(broker.lock_duration_ms),
                delivery_count_limit: c.delivery_count_limit.unwrap_or(broker.delivery_count_limit),
                max_record_locks: c.max_record_locks.unwrap_or(broker.max_record_locks),
                renew: !c.renew_disabled,
            },
            None => broker,
        }
    }

    pub(super) fn handle_share_request(&mut self, from: Node, id: u32, request: Request, fx: &mut Effects) {
        match request {
            Request::ShareFetch {
                group,
                member_id,
                session_epoch,
                max_wait_ms,
                max_bytes,
                max_records,
                record_limit,
                partitions,
                acknowledgements,
                ..
            } => {
                if session_epoch == 0 && !acknowledgements.is_empty() {
                    // `SharePartitionManager.newContext`: "Acknowledge data present in Initial Fetch Request".
                    let error =
                        Some(KafkaError::InvalidRequest("acknowledgements in a share session's first fetch".into()));
                    return reply(fx, from, id, Response::ShareFetch { error, partitions: Vec::new() });
                }
                if let Err(error) = self.share_session(&group, &member_id, session_epoch, &from, fx) {
                    return reply(fx, from, id, Response::ShareFetch { error: Some(error), partitions: Vec::new() });
                }
                let (ack_results, ack_waits) = self.apply_acks(&group, &member_id, &acknowledgements, fx);
                if session_epoch == -1 {
                    self.close_share_session(&group, &member_id, fx);
                }
                let parked = ParkedShareFetch {
                    client: from,
                    correlation_id: id,
                    group,
                    member: Rc::from(member_id.as_str()),
                    max_records,
                    record_limit,
                    max_bytes,
                    partitions,
                    ack_results,
                    ack_waits,
                };
                let (answer, acquired) = self.share_acquire(&parked, fx);
                let errors = answer.iter().any(|p| p.result.is_err());
                if acquired || errors || max_wait_ms == 0 || self.share.parked.len() >= PARKED_SHARE_FETCHES_MAX {
                    self.answer_share_fetch(parked, answer, fx);
                } else {
                    // Nothing acquired: it waits for records (Kafka's DelayedShareFetch).
                    let timer = Timer::FetchExpiry { client: parked.client.clone(), correlation_id: id };
                    fx.timer_in(Duration::from_ms(max_wait_ms), timer);
                    self.share.parked.push(parked);
                }
                self.schedule_share_locks(fx);
            }
            Request::ShareAcknowledge { group, member_id, session_epoch, acknowledgements } => {
                if let Err(error) = self.share_session(&group, &member_id, session_epoch, &from, fx) {
                    return reply(
                        fx,
                        from,
                        id,
                        Response::ShareAcknowledge { error: Some(error), partitions: Vec::new() },
                    );
                }
                let (acks, waits) = self.apply_acks(&group, &member_id, &acknowledgements, fx);
                if session_epoch == -1 {
                    self.close_share_session(&group, &member_id, fx);
                }
                let held = HeldShareAnswer { client: from, correlation_id: id, group, acks, waits, fetched: None };
                self.answer_or_hold(held, fx);
                self.wake_share_fetches(fx);
                self.schedule_share_locks(fx);
            }
            _ => {}
        }
    }

    /// Checks and moves a share session's epoch (`ShareSessionCache`'s rules).
    fn share_session(
        &mut self,
        group: &str,
        member: &str,
        epoch: i32,
        from: &Node,
        fx: &mut Effects,
    ) -> Result<(), KafkaError> {
        let key = (String::from(group), String::from(member));
        let result = match epoch {
            0 => {
                // `SharePartitionManager.newContext`: the member's old session goes, and a new one
                // is made only while the cache has room (`ShareSessionCache.maybeCreateSession`).
                self.share.sessions.remove(&key);
                if self.share.sessions.len() >= self.config.group.share.max_share_sessions {
                    Err(KafkaError::ShareSessionLimitReached)
                } else {
                    self.share.sessions.insert(key, (1, fx.now));
                    self.share.clients.insert(member.into(), client_name(from));
                    Ok(())
                }
            }
            -1 => self.share.sessions.get(&key).map(|_| ()).ok_or(KafkaError::ShareSessionNotFound),
            e => match self.share.sessions.get_mut(&key) {
                None => Err(KafkaError::ShareSessionNotFound),
                Some((next, _)) if *next != e => Err(KafkaError::InvalidShareSessionEpoch),
                Some((next, last)) => {
                    *next = next.wrapping_add(1).max(1);
                    *last = fx.now;
                    Ok(())
                }
            },
        };
        self.schedule_idle_check(fx);
        result
    }

    /// Arms the one timer for the share session whose connection goes idle first: a broker closes
    /// a connection idle for `connections.max.idle.ms`, and the share session on it ends (Kafka
    /// 4.1+, `ShareSessionCache`'s disconnect listener, KAFKA-19015). A crashed share consumer's
    /// sessions end so.
    fn schedule_idle_check(&mut self, fx: &mut Effects) {
        match self.share.sessions.values().map(|&(_, last)| last).min() {
            Some(last) => {
                let at = last + Duration::from_ms(self.config.connections_max_idle_ms);
                fx.timers.push((at.max(fx.now), Timer::ShareSessionsIdle));
            }
            None => fx.cancel(Timer::ShareSessionsIdle),
        }
    }

    /// Closes the connections idle for connections.max.idle.ms: their share sessions end as a
    /// closed session does (what their members held here is released: `onMemberLeave`).
    pub(super) fn evict_idle_share_sessions(&mut self, fx: &mut Effects) {
        let idle: Vec<(String, String)> = self
            .share
            .sessions
            .iter()
            .filter(|(_, &(_, last))| last + Duration::from_ms(self.config.connections_max_idle_ms) <= fx.now)
            .map(|(key, _)| key.clone())
            .collect();
        for (group, member) in idle {
            let consumer = self.share.clients.get(&member).cloned().unwrap_or_default();
            let idle_ms = self.config.connections_max_idle_ms;
            fx.event(EventKind::ShareSessionEvicted { broker: self.id, group: group.clone(), consumer, idle_ms });
            self.close_share_session(&group, &member, fx);
        }
        self.schedule_idle_check(fx);
    }

    /// Closes a member's share session: what it still holds here is released, and a fetch of
    /// its still waiting is answered at once, empty (it must not acquire for a member that left).
    fn close_share_session(&mut self, group: &str, member: &str, fx: &mut Effects) {
        self.share.sessions.remove(&(String::from(group), String::from(member)));
        let mut i = 0;
        while i < self.share.parked.len() {
            let p = &self.share.parked[i];
            if p.group == group && &*p.member == member {
                let parked = self.share.parked.remove(i);
                fx.cancel(Timer::FetchExpiry { client: parked.client.clone(), correlation_id: parked.correlation_id });
                self.answer_share_fetch(parked, Vec::new(), fx);
                continue;
            }
            i += 1;
        }
        let keys: Vec<(String, TopicPartition)> =
            self.share.partitions.keys().filter(|(g, _)| g == group).cloned().collect();
        let limits = self.share_limits(group);
        let change = self.share.next_change();
        for key in keys {
            let Some(ShareEntry::Ready(sp)) = self.share.partitions.get_mut(&key) else { continue };
            let released = sp.release_member(member, change, &limits);
            self.after_release(&key, released, ShareRelease::SessionClosed, fx);
        }
        self.wake_share_fetches(fx);
    }

    /// Applies a member's acknowledgements, partition by partition: each partition's outcome,
    /// and the partitions whose outcome waits for a state write (with the change it writes).
    #[allow(clippy::type_complexity)]
    fn apply_acks(
        &mut self,
        group: &str,
        member: &str,
        acks: &[(TopicPartition, Vec<ShareAck>)],
        fx: &mut Effects,
    ) -> (Vec<(TopicPartition, Result<(), KafkaError>)>, Vec<(TopicPartition, u64)>) {
        let limits = self.share_limits(group);
        let client = self.share.clients.get(member).cloned().unwrap_or_default();
        let (mut out, mut waits) = (Vec::with_capacity(acks.len()), Vec::new());
        for (tp, batches) in acks {
            let key = (String::from(group), tp.clone());
            let change = self.share.next_change();
            let led = self.now_leads(tp);
            let list: Vec<(u64, u64, AckType)> =
                batches.iter().map(|b| (b.first_offset, b.last_offset, b.ack)).collect();
            let result = match self.share.partitions.get_mut(&key) {
                Some(ShareEntry::Ready(sp)) if led => sp.acknowledge(member, &list, change, &limits, fx.now),
                _ if !led => Err(KafkaError::NotLeaderOrFollower),
                // Not loaded here: nothing acquired here can be acknowledged.
                _ => Err(KafkaError::InvalidRecordState),
            };
            let released = match result {
                Ok(released) => released,
                Err(e) => {
                    out.push((tp.clone(), Err(e)));
                    continue;
                }
            };
            for b in batches.iter().filter(|b| b.ack != AckType::Gap) {
                fx.event(EventKind::ShareAcknowledged {
                    broker: self.id,
                    group: group.into(),
                    tp: tp.clone(),
                    consumer: client.clone(),
                    first: b.first_offset,
                    last: b.last_offset,
                    ack: b.ack,
                });
            }
            let written =
                matches!(self.share.partitions.get(&key), Some(ShareEntry::Ready(sp)) if sp.has_change(change));
            if written {
                waits.push((tp.clone(), change));
                if !released.archived.is_empty() {
                    // A RELEASE at the delivery limit archives: the poison record is set aside.
                    let archived = Released { archived: released.archived, ..Released::default() };
                    self.after_release(&key, archived, ShareRelease::Acknowledged, fx);
                }
                self.persist_share_state(&key, fx);
            }
            out.push((tp.clone(), Ok(())));
        }
        (out, waits)
    }

    /// Acquires what it can for a fetch: (the answer, whether anything was acquired).
    fn share_acquire(&mut self, fetch: &ParkedShareFetch, fx: &mut Effects) -> (Vec<ShareFetchedPartition>, bool) {
        let limits = self.share_limits(&fetch.group);
        let mut answer = Vec::with_capacity(fetch.partitions.len());
        let (mut any, mut bytes, mut records_left) = (false, 0usize, fetch.max_records as usize);
        let client = self.share.clients.get(&*fetch.member).cloned().unwrap_or_else(|| client_name(&fetch.client));
        for tp in &fetch.partitions {
            let result = self.acquire_partition(fetch, tp, &limits, (&mut bytes, &mut records_left), fx);
            if let Ok(d) = &result {
                if !d.acquired.is_empty() {
                    any = true;
                    let ranges = d.acquired.iter().map(|a| (a.first_offset, a.last_offset, a.delivery_count)).collect();
                    fx.event(EventKind::ShareAcquired {
                        broker: self.id,
                        group: fetch.group.clone(),
                        tp: tp.clone(),
                        consumer: client.clone(),
                        ranges,
                    });
                }
            }
            // The acknowledgements' outcomes are filled in when the answer goes (`answer_or_hold`).
            answer.push(ShareFetchedPartition { tp: tp.clone(), result, ack_result: None });
        }
        (answer, any)
    }

    fn acquire_partition(
        &mut self,
        fetch: &ParkedShareFetch,
        tp: &TopicPartition,
        limits: &ShareLimits,
        (bytes, records_left): (&mut usize, &mut usize),
        fx: &mut Effects,
    ) -> Result<ShareFetchedData, KafkaError> {
        let empty = ShareFetchedData { batches: Vec::new(), acquired: Vec::new() };
        let replica = self.replicas.get(tp).filter(|r| r.is_leader()).ok_or(KafkaError::NotLeaderOrFollower)?;
        let (log_start, hw) = (replica.log.log_start_offset(), replica.high_watermark);
        let key = (fetch.group.clone(), tp.clone());
        let sp = match self.share.partitions.get_mut(&key) {
            Some(ShareEntry::Ready(sp)) => sp,
            Some(ShareEntry::Loading) => return Ok(empty),
            None => {
                self.load_share_partition(key, fx);
                return Ok(empty);
            }
        };
        sp.log_start_moved(log_start);
        if *records_left == 0 || !sp.can_acquire(limits) {
            return Ok(empty);
        }
        let from = sp.next_fetch_offset();
        let budget = SHARE_PARTITION_MAX_BYTES.min(fetch.max_bytes.saturating_sub(*bytes));
        let Some(replica) = self.replicas.get(tp) else { return Ok(empty) };
        // share.isolation.level=read_committed reads to the last stable offset (an open
        // transaction holds the group back) and sets aside the aborted transactions' batches.
        let read_committed = self.image.group_configs.get(&fetch.group).is_some_and(|c| c.read_committed);
        let end = if read_committed { replica.log.last_stable_offset(hw) } else { hw };
        let batches = replica.log.read(from, end, budget, *bytes == 0);
        let aborted =
            if read_committed { aborted_batches(&batches, replica.log.aborted_since(from)) } else { Vec::new() };
        let ranges: Vec<(u64, u64)> = batches.iter().map(|b| (b.base_offset, b.last_offset)).collect();
        let Some(ShareEntry::Ready(sp)) = self.share.partitions.get_mut(&key) else { return Ok(empty) };
        let acquired = sp.acquire(&fetch.member, &ranges, *records_left, fetch.record_limit, limits, fx.now);
        let (acquired, archived) =
            if aborted.is_empty() { (acquired, Vec::new()) } else { sp.archive_aborted(acquired, &aborted) };
        if !archived.is_empty() {
            fx.event(EventKind::ShareReleased {
                broker: self.id,
                group: fetch.group.clone(),
                tp: tp.clone(),
                why: ShareRelease::Aborted,
                available: Vec::new(),
                archived,
            });
        }
        let count: u64 = acquired.iter().map(|a| a.last_offset - a.first_offset + 1).sum();
        *records_left = records_left.saturating_sub(count as usize);
        // Only the batches holding something acquired travel.
        let batches: Vec<_> = batches
            .into_iter()
            .filter(|b| acquired.iter().any(|a| a.first_offset <= b.last_offset && a.last_offset >= b.base_offset))
            .collect();
        *bytes += batches.iter().map(|b| b.bytes.len()).sum::<usize>();
        Ok(ShareFetchedData { batches, acquired })
    }

    fn answer_share_fetch(
        &mut self,
        fetch: ParkedShareFetch,
        partitions: Vec<ShareFetchedPartition>,
        fx: &mut Effects,
    ) {
        let held = HeldShareAnswer {
            client: fetch.client,
            correlation_id: fetch.correlation_id,
            group: fetch.group,
            acks: fetch.ack_results,
            waits: fetch.ack_waits,
            fetched: Some(partitions),
        };
        self.answer_or_hold(held, fx);
    }

    /// Sends an answer whose acknowledgements are all written, or holds it until they are.
    fn answer_or_hold(&mut self, held: HeldShareAnswer, fx: &mut Effects) {
        if !held.waits.is_empty() && self.share.held.len() < PARKED_SHARE_FETCHES_MAX {
            self.share.held.push(held);
            return;
        }
        let HeldShareAnswer { client, correlation_id, acks, fetched, .. } = held;
        let response = match fetched {
            Some(mut partitions) => {
                for p in &mut partitions {
                    p.ack_result = acks.iter().find(|(t, _)| *t == p.tp).map(|(_, r)| r.clone());
                }
                Response::ShareFetch { error: None, partitions }
            }
            None => Response::ShareAcknowledge { error: None, partitions: acks },
        };
        reply(fx, client, correlation_id, response);
    }

    /// The writes of `key` up to change `upto` are answered (or can no longer be): the
    /// acknowledgements waiting for them take the outcome, and answers with nothing left to
    /// wait for go.
    fn acks_written(
        &mut self,
        key: &(String, TopicPartition),
        upto: u64,
        outcome: &Result<(), KafkaError>,
        fx: &mut Effects,
    ) {
        let settle = |waits: &mut Vec<(TopicPartition, u64)>,
                      acks: &mut Vec<(TopicPartition, Result<(), KafkaError>)>| {
            waits.retain(|(tp, change)| {
                let done = *tp == key.1 && *change <= upto;
                if let (true, Err(e)) = (done, outcome) {
                    if let Some(a) = acks.iter_mut().find(|(t, _)| t == tp) {
                        a.1 = Err(e.clone());
                    }
                }
                !done
            });
        };
        for p in self.share.parked.iter_mut().filter(|p| p.group == key.0) {
            settle(&mut p.ack_waits, &mut p.ack_results);
        }
        let mut i = 0;
        while i < self.share.held.len() {
            let h = &mut self.share.held[i];
            if h.group == key.0 {
                settle(&mut h.waits, &mut h.acks);
            }
            if h.waits.is_empty() {
                let held = self.share.held.remove(i);
                self.answer_or_hold(held, fx);
                continue;
            }
            i += 1;
        }
    }

    /// A parked share fetch reached its wait: answered with what there is now.
    pub(super) fn expire_share_fetch(&mut self, client: &Node, correlation_id: u32, fx: &mut Effects) -> bool {
        let Some(i) = self.share.parked.iter().position(|p| &p.client == client && p.correlation_id == correlation_id)
        else {
            return false;
        };
        let parked = self.share.parked.remove(i);
        let (answer, _) = self.share_acquire(&parked, fx);
        self.answer_share_fetch(parked, answer, fx);
        self.schedule_share_locks(fx);
        true
    }

    /// Answers the parked share fetches that can acquire something now (new records under the
    /// high watermark, records released, a share-partition loaded, a leadership lost).
    pub(super) fn wake_share_fetches(&mut self, fx: &mut Effects) {
        let mut i = 0;
        while i < self.share.parked.len() {
            let parked = self.share.parked[i].clone();
            let (answer, acquired) = self.share_acquire(&parked, fx);
            if acquired || answer.iter().any(|p| p.result.is_err()) {
                self.share.parked.remove(i);
                fx.cancel(Timer::FetchExpiry { client: parked.client.clone(), correlation_id: parked.correlation_id });
                self.answer_share_fetch(parked, answer, fx);
                continue;
            }
            i += 1;
        }
        self.schedule_share_locks(fx);
    }

    /// Arms the one timer for the earliest acquisition lock to expire here.
    pub(super) fn schedule_share_locks(&mut self, fx: &mut Effects) {
        let next = self
            .share
            .partitions
            .values()
            .filter_map(|e| match e {
                ShareEntry::Ready(sp) => sp.next_lock_expiry(),
                ShareEntry::Loading => None,
            })
            .min();
        match next {
            Some(at) => fx.timers.push((at.max(fx.now), Timer::ShareLocks)),
            None => fx.cancel(Timer::ShareLocks),
        }
    }

    /// Acquisition locks expired: those records go back to Available (or are archived).
    pub(super) fn expire_share_locks(&mut self, fx: &mut Effects) {
        let keys: Vec<(String, TopicPartition)> = self.share.partitions.keys().cloned().collect();
        for key in keys {
            let limits = self.share_limits(&key.0);
            let Some(ShareEntry::Ready(sp)) = self.share.partitions.get_mut(&key) else { continue };
            let released = sp.expire_locks(fx.now, &limits);
            self.after_release(&key, released, ShareRelease::LockTimedOut, fx);
        }
        self.wake_share_fetches(fx);
    }

    /// Says what a release did and writes the new state.
    fn after_release(
        &mut self,
        key: &(String, TopicPartition),
        released: Released,
        why: ShareRelease,
        fx: &mut Effects,
    ) {
        if released.available.is_empty() && released.archived.is_empty() {
            return;
        }
        fx.event(EventKind::ShareReleased {
            broker: self.id,
            group: key.0.clone(),
            tp: key.1.clone(),
            why,
            available: released.available,
            archived: released.archived,
        });
        self.persist_share_state(key, fx);
    }

    /// The share coordinator of a share-partition: the leader of its `__share_group_state`
    /// partition, by this broker's metadata (the topic is created on first use).
    fn share_coordinator_of(
        &self,
        group: &str,
        tp: &TopicPartition,
        fx: &mut Effects,
    ) -> Option<(u32, TopicPartition)> {
        let state_tp = super::share_coordinator::state_partition(self, group, tp);
        if !self.image.topics.contains_key(super::share_coordinator::SHARE_STATE_TOPIC) {
            fx.create_topics.push(super::share_coordinator::SHARE_STATE_TOPIC.into());
            return None;
        }
        let leader = self.image.partition(&state_tp)?.leader?;
        Some((leader, state_tp))
    }

    /// The leader epoch this broker leads `tp` in (0 when it does not lead it).
    fn leader_epoch_of(&self, tp: &TopicPartition) -> u32 {
        match self.replicas.get(tp).map(|r| &r.role) {
            Some(super::Role::Leader(l)) => l.epoch,
            _ => 0,
        }
    }

    /// A share-partition new here: its state is read from the share coordinator first.
    fn load_share_partition(&mut self, key: (String, TopicPartition), fx: &mut Effects) {
        if self.share.partitions.len() >= SHARE_PARTITIONS_PER_BROKER_MAX {
            return;
        }
        let Some((coordinator, _)) = self.share_coordinator_of(&key.0, &key.1, fx) else { return };
        self.share.partitions.insert(key.clone(), ShareEntry::Loading);
        let leader_epoch = self.leader_epoch_of(&key.1);
        let (group, tp) = key;
        let request = Request::ReadShareGroupState { group: group.clone(), tp: tp.clone(), leader_epoch };
        self.request(Node::Broker(coordinator), request, Pending::ShareRead { group, tp }, fx);
    }

    /// The share coordinator's answer for a share-partition being loaded.
    pub(super) fn on_share_state_read(
        &mut self,
        group: String,
        tp: TopicPartition,
        result: Result<Option<ShareState>, KafkaError>,
        fx: &mut Effects,
    ) {
        let key = (group, tp);
        if !matches!(self.share.partitions.get(&key), Some(ShareEntry::Loading)) {
            return;
        }
        let Some(replica) = self.replicas.get(&key.1).filter(|r| r.is_leader()) else {
            self.share.partitions.remove(&key);
            return;
        };
        let reset = self.image.group_configs.get(&key.0).map(|c| (c.auto_offset_reset_earliest, c.by_duration_ms));
        let (sp, from) = match result {
            Ok(Some(state)) => {
                let sp = SharePartition::restore(state.start_offset, state.state_epoch, &state.batches);
                (sp, "persisted state")
            }
            Ok(None) if reset.is_some_and(|(earliest, _)| earliest) => {
                (SharePartition::new(replica.log.log_start_offset()), "share.auto.offset.reset=earliest")
            }
            Ok(None) if reset.is_some_and(|(_, by)| by.is_some()) => {
                // The first record at or after now minus the duration, below the high watermark
                // (`offsetForTimestamp`); none yet is Kafka's OffsetNotAvailableException: the
                // share-partition is not started, and the next fetch tries again.
                let duration = reset.and_then(|(_, by)| by).unwrap_or(0);
                let since = fx.now.ms.saturating_sub(duration);
                match replica.log.offset_for_timestamp(since, replica.high_watermark) {
                    Some(offset) => (SharePartition::new(offset), "share.auto.offset.reset=by_duration"),
                    None => {
                        self.share.partitions.remove(&key);
                        return;
                    }
                }
            }
            Ok(None) => (SharePartition::new(replica.high_watermark), "share.auto.offset.reset=latest"),
            Err(_) => {
                // Asked again by the next fetch.
                self.share.partitions.remove(&key);
                return;
            }
        };
        fx.event(EventKind::SharePartitionLoaded {
            broker: self.id,
            group: key.0.clone(),
            tp: key.1.clone(),
            start_offset: sp.start_offset,
            from,
        });
        self.share.partitions.insert(key.clone(), ShareEntry::Ready(sp));
        self.persist_share_state(&key, fx);
        self.wake_share_fetches(fx);
    }

    /// Writes a share-partition's state to its share coordinator; one write at a time, the next
    /// carrying whatever changed meanwhile.
    pub(super) fn persist_share_state(&mut self, key: &(String, TopicPartition), fx: &mut Effects) {
        if let Some((_, again)) = self.share.writing.get_mut(key) {
            *again = true;
            return;
        }
        let leader_epoch = self.leader_epoch_of(&key.1);
        let Some(ShareEntry::Ready(sp)) = self.share.partitions.get_mut(key) else { return };
        let change = self.share.change;
        // Only what changed since the coordinator's last answer goes (Kafka's write carries the
        // batches of the transitions it writes); the coordinator merges it into what it holds.
        let state = ShareState {
            state_epoch: sp.state_epoch,
            leader_epoch,
            start_offset: sp.start_offset,
            batches: sp.state_delta(),
        };
        let Some((coordinator, _)) = self.share_coordinator_of(&key.0, &key.1, fx) else {
            // No coordinator yet (its topic is being created, or has no leader): written later.
            self.share.writing.insert(key.clone(), (0, true));
            fx.timer_in(Duration::from_ms(SHARE_STATE_RETRY_MS), Timer::ShareStateRetry);
            return;
        };
        self.share.writing.insert(key.clone(), (change, false));
        let request = Request::WriteShareGroupState {
            group: key.0.clone(),
            tp: key.1.clone(),
            state: alloc::boxed::Box::new(state),
        };
        self.request(
            Node::Broker(coordinator),
            request,
            Pending::ShareWrite { group: key.0.clone(), tp: key.1.clone() },
            fx,
        );
    }

    /// A state write was answered (or failed): the next one goes if the state changed since.
    pub(super) fn on_share_state_written(
        &mut self,
        group: String,
        tp: TopicPartition,
        result: Result<(), KafkaError>,
        fx: &mut Effects,
    ) {
        let key = (group, tp);
        let (written, again) = self.share.writing.remove(&key).unwrap_or((0, false));
        if result == Err(KafkaError::FencedLeaderEpoch) {
            // A newer leader has the share-partition: this one stops delivering from it.
            self.share.partitions.remove(&key);
            let (group, tp) = (key.0.clone(), key.1.clone());
            let error = KafkaError::FencedLeaderEpoch;
            fx.event(EventKind::ShareWriteFailed { broker: self.id, group, tp, error, undone: Vec::new() });
            self.acks_written(&key, u64::MAX, &result, fx);
            return;
        }
        if result.is_err() {
            fx.timer_in(Duration::from_ms(SHARE_STATE_RETRY_MS), Timer::ShareStateRetry);
            self.share.writing.insert(key.clone(), (0, true));
        }
        let limits = self.share_limits(&key.0);
        if let Some(ShareEntry::Ready(sp)) = self.share.partitions.get_mut(&key) {
            sp.delta_written(result.is_ok());
            let mut released = sp.complete(written, result.is_ok(), fx.now, &limits);
            if let Err(error) = &result {
                fx.event(EventKind::ShareWriteFailed {
                    broker: self.id,
                    group: key.0.clone(),
                    tp: key.1.clone(),
                    error: error.clone(),
                    undone: core::mem::take(&mut released.undone),
                });
            }
            self.after_release(&key, released, ShareRelease::LockTimedOut, fx);
        }
        self.acks_written(&key, written, &result, fx);
        if result.is_ok() && again {
            self.persist_share_state(&key, fx);
        }
        self.wake_share_fetches(fx);
    }

    /// Writes again every state whose write failed.
    pub(super) fn retry_share_state(&mut self, fx: &mut Effects) {
        let keys: Vec<(String, TopicPartition)> =
            self.share.writing.iter().filter(|(_, &(sent, _))| sent == 0).map(|(k, _)| k.clone()).collect();
        for key in keys {
            self.share.writing.remove(&key);
            self.persist_share_state(&key, fx);
        }
    }

    /// Leaderships changed: share-partitions of partitions no longer led here go (their fetches
    /// are answered NOT_LEADER_OR_FOLLOWER), and waiting fetches are looked at again.
    pub(super) fn sync_share_partitions(&mut self, fx: &mut Effects) {
        let gone: Vec<(String, TopicPartition)> =
            self.share.partitions.keys().filter(|(_, tp)| !self.now_leads(tp)).cloned().collect();
        for key in gone {
            self.share.partitions.remove(&key);
            self.share.writing.remove(&key);
            self.acks_written(&key, u64::MAX, &Err(KafkaError::NotLeaderOrFollower), fx);
        }
        self.wake_share_fetches(fx);
    }
}
