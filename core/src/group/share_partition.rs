//! A share-partition (KIP-932): one share group's view of one topic-partition, kept by the
//! partition's leader as Kafka's `SharePartition` keeps it.
//!
//! The records from the **share-partition start offset** (SPSO) on are in flight: each is
//! Available, Acquired by one member (under an acquisition lock that expires after
//! `group.share.record.lock.duration.ms`), Acknowledged or Archived, and counts its deliveries.
//! A fetch acquires Available records (first those released or timed out, then new ones from the
//! log) up to the in-flight limit `group.share.partition.max.record.locks`; an acknowledgement
//! ACCEPTs (Acknowledged), RELEASEs (Available again, for another delivery), REJECTs (Archived)
//! or RENEWs the lock (4.2); a delivery that ends once the count reached
//! `group.share.delivery.count.limit` archives the record instead of making it Available. The SPSO
//! moves past every Acknowledged or Archived record at its front.
//!
//! Kafka keeps batches and explodes them into per-offset state when a subset is acknowledged;
//! here every offset has its state (the same outcomes, simpler to read), bounded by the in-flight
//! limit.
//!
//! An acknowledgement (and a closed session's release) is a state transition that is not final
//! until the share coordinator has its write (Kafka's `startStateTransition`, then
//! `completeStateTransition` when `writeShareGroupState` answers): meanwhile the record shows
//! its new state but is not acquired, acknowledged again or passed by the start offset, and a
//! failed write puts it back as it was (Acquired by its member, or released if its lock expired
//! meanwhile). Each transition carries the number of the change it belongs to, so a write of the
//! state as it was at change `n` completes every transition up to `n`.

use super::share_combine::{combine_state_batches, StateBatch};
use crate::error::KafkaError;
use crate::time::Instant;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::fmt;

/// `group.share.record.lock.duration.ms`.
pub const SHARE_RECORD_LOCK_DURATION_MS: u64 = 30_000;
/// `group.share.delivery.count.limit` (Kafka 4.3's bounds: 2 to 10).
pub const SHARE_DELIVERY_COUNT_LIMIT: u16 = 5;
/// `group.share.partition.max.record.locks` (Kafka 4.3: 2000, bounds 100 to 4000).
pub const SHARE_PARTITION_MAX_RECORD_LOCKS: usize = 2_000;

/// Kafka's `RecordState`, with its ids (the delivery state persisted in `__share_group_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordState {
    Available = 0,
    Acquired = 1,
    Acknowledged = 2,
    Archived = 4,
}

impl RecordState {
    pub fn from_id(id: u8) -> Option<RecordState> {
        Some(match id {
            0 => RecordState::Available,
            1 => RecordState::Acquired,
            2 => RecordState::Acknowledged,
            4 => RecordState::Archived,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            RecordState::Available => "Available",
            RecordState::Acquired => "Acquired",
            RecordState::Acknowledged => "Acknowledged",
            RecordState::Archived => "Archived",
        }
    }
}

/// Kafka's `AcknowledgeType`, with its ids on the wire. `Gap` is what a consumer sends for an
/// acquired offset that held no record for it (a compacted gap, a transaction marker).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AckType {
    Gap = 0,
    Accept = 1,
    Release = 2,
    Reject = 3,
    /// Kafka 4.2: keep the record acquired and start its lock again (longer processing).
    Renew = 4,
}

impl AckType {
    pub fn word(self) -> &'static str {
        match self {
            AckType::Gap => "gap",
            AckType::Accept => "accept",
            AckType::Release => "release",
            AckType::Reject => "reject",
            AckType::Renew => "renew",
        }
    }

    pub fn from_word(word: &str) -> Option<AckType> {
        [AckType::Accept, AckType::Release, AckType::Reject, AckType::Renew].into_iter().find(|a| a.word() == word)
    }
}

impl fmt::Display for AckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AckType::Gap => "GAP",
            AckType::Accept => "ACCEPT",
            AckType::Release => "RELEASE",
            AckType::Reject => "REJECT",
            AckType::Renew => "RENEW",
        })
    }
}

/// One in-flight offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub state: RecordState,
    pub delivery_count: u16,
    /// The member holding it while Acquired.
    pub member: Option<Rc<str>>,
    /// When its acquisition lock expires, while Acquired.
    pub lock_until: Option<Instant>,
    /// The size of the in-flight batch it was first acquired (or read back) in: the new records
    /// one fetch acquired together, or one persisted state batch. Throttling halves it.
    pub batch: u32,
    /// A transition not yet written: its change number and the state before it (Kafka's
    /// `rollbackState`).
    pub pending: Option<(u64, alloc::boxed::Box<InFlight>)>,
}

/// A run of acquired offsets with their delivery count (Kafka's `AcquiredRecords`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcquiredRecords {
    pub first_offset: u64,
    pub last_offset: u64,
    pub delivery_count: u16,
}

/// The limits a share-partition works with: the group's configs over the brokers'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareLimits {
    pub lock_duration_ms: u64,
    pub delivery_count_limit: u16,
    pub max_record_locks: usize,
    /// `share.renew.acknowledge.enable`: whether RENEW is accepted.
    pub renew: bool,
}

impl Default for ShareLimits {
    fn default() -> Self {
        ShareLimits {
            lock_duration_ms: SHARE_RECORD_LOCK_DURATION_MS,
            delivery_count_limit: SHARE_DELIVERY_COUNT_LIMIT,
            max_record_locks: SHARE_PARTITION_MAX_RECORD_LOCKS,
            renew: true,
        }
    }
}

/// What became of records whose delivery ended (a release, a lock timing out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Released {
    /// Offsets made Available for another delivery.
    pub available: Vec<u64>,
    /// Offsets archived because their delivery count reached the limit.
    pub archived: Vec<u64>,
    /// Offsets whose transition a failed write undid.
    pub undone: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharePartition {
    /// The share-partition start offset (SPSO): every offset below it is done with.
    pub start_offset: u64,
    /// Offsets `start_offset..start_offset + records.len()`, each fetched at least once.
    records: VecDeque<InFlight>,
    /// Bumped when the state is initialized again (Kafka's state epoch).
    pub state_epoch: u32,
    /// The state the share coordinator holds, as far as this leader knows: what it read back,
    /// merged with every write answered since. A write carries what differs from it.
    persisted: Vec<StateBatch>,
    /// The batches of the write in flight, merged into `persisted` once it is answered.
    sending: Option<Vec<StateBatch>>,
}

impl SharePartition {
    pub fn new(start_offset: u64) -> Self {
        SharePartition { start_offset, records: VecDeque::new(), state_epoch: 0, persisted: Vec::new(), sending: None }
    }

    /// A share-partition read back from its persisted state: acquisitions do not survive (their
    /// locks were the old leader's), so an Acquired record is Available with its deliveries counted.
    pub fn restore(start_offset: u64, state_epoch: u32, batches: &[StateBatch]) -> Self {
        let persisted = batches.to_vec();
        let mut sp = SharePartition { start_offset, records: VecDeque::new(), state_epoch, persisted, sending: None };
        for &(first, last, state, count) in batches {
            if last < first || first < sp.end_exclusive() {
                continue;
            }
            // A hole between batches was never fetched: Available with no delivery yet.
            let hole = first.saturating_sub(sp.end_exclusive()).min(u32::MAX as u64) as u32;
            while sp.end_exclusive() < first && sp.records.len() < SHARE_PARTITION_MAX_RECORD_LOCKS * 2 {
                sp.records.push_back(InFlight { batch: hole, ..InFlight::available(0) });
            }
            let state = match RecordState::from_id(state) {
                Some(RecordState::Acquired) | None => RecordState::Available,
                Some(s) => s,
            };
            let batch = (last - first + 1).min(u32::MAX as u64) as u32;
            for _ in first..=last {
                sp.records.push_back(InFlight {
                    state,
                    delivery_count: count,
                    member: None,
                    lock_until: None,
                    batch,
                    pending: None,
                });
            }
        }
        sp.advance_start();
        sp
    }

    fn end_exclusive(&self) -> u64 {
        self.start_offset + self.records.len() as u64
    }

    /// Kafka's share-partition end offset (SPEO): the last offset in flight, or the start offset
    /// when nothing is.
    pub fn end_offset(&self) -> u64 {
        if self.records.is_empty() {
            self.start_offset
        } else {
            self.end_exclusive() - 1
        }
    }

    /// Where the next fetch reads from: the first Available record in flight (not one whose
    /// release is still being written), else the offset after the last one
    /// (`SharePartition.nextFetchOffset`).
    pub fn next_fetch_offset(&self) -> u64 {
        match self.records.iter().position(InFlight::acquirable) {
            Some(i) => self.start_offset + i as u64,
            None => self.end_exclusive(),
        }
    }

    pub fn state_of(&self, offset: u64) -> Option<&InFlight> {
        let i = offset.checked_sub(self.start_offset)?;
        self.records.get(usize::try_from(i).ok()?)
    }

    /// Every in-flight offset with its state, from the start offset.
    pub fn in_flight(&self) -> impl Iterator<Item = (u64, &InFlight)> + '_ {
        self.records.iter().enumerate().map(move |(i, r)| (self.start_offset + i as u64, r))
    }

    pub fn count(&self, state: RecordState) -> usize {
        self.records.iter().filter(|r| r.state == state).count()
    }

    /// Whether a fetch may acquire anything (`SharePartition.canAcquireRecords`): a record to
    /// deliver again, or room under the in-flight limit for new ones.
    pub fn can_acquire(&self, limits: &ShareLimits) -> bool {
        self.next_fetch_offset() < self.end_exclusive() || self.records.len() < limits.max_record_locks
    }

    /// Acquires for `member` what the fetched batches (each `(base, last)` offset, in order) hold
    /// from the next fetch offset: Available records again, then new ones, the whole of each
    /// batch (`batch_optimized`: a batch is finished even past `max_records`) or exactly
    /// `max_records` (`record_limit`, KIP-1206). New records stop at the in-flight limit.
    ///
    /// Records delivered many times are throttled (Kafka 4.2, KAFKA-17541): one delivered at
    /// least `max(2, ceil(limit / 2))` times is fetched only in a fetch that starts with it, at
    /// most its in-flight batch's size halved once per delivery past that (never less than one);
    /// and with a limit above 2, a record's last delivery goes alone. A poison record in a batch
    /// that keeps failing is so cornered in a few deliveries instead of taking the batch with it.
    pub fn acquire(
        &mut self,
        member: &Rc<str>,
        batches: &[(u64, u64)],
        max_records: usize,
        record_limit: bool,
        limits: &ShareLimits,
        now: Instant,
    ) -> Vec<AcquiredRecords> {
        let lock_until = now + crate::time::Duration::from_ms(limits.lock_duration_ms);
        let mut out: Vec<AcquiredRecords> = Vec::new();
        let mut acquired = 0usize;
        let limit = limits.delivery_count_limit;
        let throttle_from = limit.div_ceil(2).max(2);
        // The most this fetch takes once a throttled record leads it.
        let mut throttled: Option<usize> = None;
        let new_from = self.records.len();
        'batches: for &(base, last) in batches {
            if acquired >= max_records {
                break;
            }
            for offset in base.max(self.start_offset)..=last {
                if record_limit && acquired >= max_records {
                    break 'batches;
                }
                let count = if offset < self.end_exclusive() {
                    let i = (offset - self.start_offset) as usize;
                    let r = &mut self.records[i];
                    if !r.acquirable() {
                        continue;
                    }
                    let before = r.delivery_count;
                    if before >= throttle_from && throttled.is_none() {
                        if acquired > 0 {
                            break 'batches;
                        }
                        let halvings = u32::from(before - throttle_from + 1);
                        throttled = Some((r.batch.checked_shr(halvings).unwrap_or(0) as usize).max(1));
                    }
                    if limit > 2 && before == limit - 1 && acquired > 0 {
                        // Its last delivery goes alone, in the next fetch.
                        break 'batches;
                    }
                    r.delivery_count = before.saturating_add(1);
                    r.state = RecordState::Acquired;
                    r.member = Some(member.clone());
                    r.lock_until = Some(lock_until);
                    r.delivery_count
                } else if throttled.is_none()
                    && offset == self.end_exclusive()
                    && self.records.len() < limits.max_record_locks
                {
                    self.records.push_back(InFlight {
                        state: RecordState::Acquired,
                        delivery_count: 1,
                        member: Some(member.clone()),
                        lock_until: Some(lock_until),
                        batch: 0,
                        pending: None,
                    });
                    1
                } else {
                    break 'batches;
                };
                acquired += 1;
                if (limit > 2 && count == limit) || throttled == Some(acquired) {
                    // A last delivery alone; a throttled fetch full.
                    push_run(&mut out, offset, count);
                    break 'batches;
                }
                push_run(&mut out, offset, count);
            }
        }
        // The new records this fetch acquired are one in-flight batch.
        let new = (self.records.len() - new_from) as u32;
        for r in self.records.range_mut(new_from..) {
            r.batch = new;
        }
        out
    }

    /// Applies a member's acknowledgements of one partition, batch by batch (`first`, `last`, the
    /// type), as transitions of change `change`. Every offset of a batch must be Acquired by the
    /// member, else the answer is INVALID_RECORD_STATE (Kafka's `InvalidRecordStateException`)
    /// and every transition this call made is undone, as `rollbackOrProcessStateUpdates` does
    /// for a request with an error. Returns what a RELEASE made of the records. A RENEW starts
    /// the lock again and changes no state, so it waits for no write.
    pub fn acknowledge(
        &mut self,
        member: &str,
        batches: &[(u64, u64, AckType)],
        change: u64,
        limits: &ShareLimits,
        now: Instant,
    ) -> Result<Released, KafkaError> {
        let mut released = Released::default();
        for &(first, last, ack) in batches {
            if let Err(e) = self.acknowledge_batch(member, first, last, ack, change, limits, now, &mut released) {
                self.settle(|c| c == change, false, now, limits);
                return Err(e);
            }
        }
        Ok(released)
    }

    #[allow(clippy::too_many_arguments)]
    fn acknowledge_batch(
        &mut self,
        member: &str,
        first: u64,
        last: u64,
        ack: AckType,
        change: u64,
        limits: &ShareLimits,
        now: Instant,
        released: &mut Released,
    ) -> Result<(), KafkaError> {
        if last < first || first < self.start_offset || last >= self.end_exclusive() {
            return Err(KafkaError::InvalidRecordState);
        }
        let range = (first - self.start_offset) as usize..=(last - self.start_offset) as usize;
        let held = |r: &InFlight| {
            r.state == RecordState::Acquired && r.pending.is_none() && r.member.as_deref() == Some(member)
        };
        if !self.records.range(range.clone()).all(held) || (ack == AckType::Renew && !limits.renew) {
            // A RENEW where the group's share.renew.acknowledge.enable is false: "Renewing
            // acquisition locks is not enabled for the group."
            return Err(KafkaError::InvalidRecordState);
        }
        let lock_until = now + crate::time::Duration::from_ms(limits.lock_duration_ms);
        for (i, r) in self.records.range_mut(range).enumerate() {
            let offset = first + i as u64;
            if ack == AckType::Renew {
                r.lock_until = Some(lock_until);
                continue;
            }
            let before = alloc::boxed::Box::new(r.clone());
            match ack {
                AckType::Accept => r.finish(RecordState::Acknowledged),
                AckType::Reject | AckType::Gap => r.finish(RecordState::Archived),
                _ => r.release(offset, limits.delivery_count_limit, released),
            }
            r.pending = Some((change, before));
        }
        Ok(())
    }

    /// Whether change `change` left transitions waiting for a write.
    pub fn has_change(&self, change: u64) -> bool {
        self.records.iter().any(|r| r.pending.as_ref().is_some_and(|(c, _)| *c == change))
    }

    /// The share coordinator answered the write of the state as it was at change `upto`: its
    /// transitions are final (`committed`), or undone (a failed write). Returns the records an
    /// undone transition released at once because their lock had expired meanwhile.
    pub fn complete(&mut self, upto: u64, committed: bool, now: Instant, limits: &ShareLimits) -> Released {
        self.settle(|c| c <= upto, committed, now, limits)
    }

    fn settle(&mut self, of: impl Fn(u64) -> bool, committed: bool, now: Instant, limits: &ShareLimits) -> Released {
        let mut released = Released::default();
        for (i, r) in self.records.iter_mut().enumerate() {
            let Some((change, before)) = r.pending.take() else { continue };
            if !of(change) {
                r.pending = Some((change, before));
            } else if !committed {
                // Kafka's `completeStateTransition(false)`: as it was, unless its lock expired
                // meanwhile (then released, or archived at the delivery limit).
                *r = *before;
                released.undone.push(self.start_offset + i as u64);
                if r.lock_until.is_some_and(|t| t <= now) {
                    r.release(self.start_offset + i as u64, limits.delivery_count_limit, &mut released);
                }
            }
        }
        self.advance_start();
        released
    }

    /// Ends every acquisition of `member` (its share session closed): Kafka's
    /// `releaseAcquiredRecords`, transitions of change `change` like an acknowledgement's.
    pub fn release_member(&mut self, member: &str, change: u64, limits: &ShareLimits) -> Released {
        let mut released = Released::default();
        for (i, r) in self.records.iter_mut().enumerate() {
            if r.state == RecordState::Acquired && r.pending.is_none() && r.member.as_deref() == Some(member) {
                let before = alloc::boxed::Box::new(r.clone());
                r.release(self.start_offset + i as u64, limits.delivery_count_limit, &mut released);
                r.pending = Some((change, before));
            }
        }
        released
    }

    /// Ends the acquisitions whose lock expired by `now` (`releaseAcquisitionLockOnTimeout`).
    pub fn expire_locks(&mut self, now: Instant, limits: &ShareLimits) -> Released {
        let mut released = Released::default();
        for (i, r) in self.records.iter_mut().enumerate() {
            if r.state == RecordState::Acquired && r.pending.is_none() && r.lock_until.is_some_and(|t| t <= now) {
                r.release(self.start_offset + i as u64, limits.delivery_count_limit, &mut released);
            }
        }
        self.advance_start();
        released
    }

    /// Archives what this fetch just acquired of the batches of aborted transactions
    /// (`share.isolation.level=read_committed`: Kafka's `filterAbortedTransactionalAcquiredRecords`)
    /// and returns the acquired runs without them, with the offsets archived.
    pub fn archive_aborted(
        &mut self,
        acquired: Vec<AcquiredRecords>,
        aborted: &[(u64, u64)],
    ) -> (Vec<AcquiredRecords>, Vec<u64>) {
        let mut archived = Vec::new();
        let mut kept = Vec::with_capacity(acquired.len());
        for run in acquired {
            let mut next = run.first_offset;
            for offset in run.first_offset..=run.last_offset {
                if !aborted.iter().any(|&(first, last)| first <= offset && offset <= last) {
                    continue;
                }
                if let Some(r) = offset.checked_sub(self.start_offset).and_then(|i| self.records.get_mut(i as usize)) {
                    r.finish(RecordState::Archived);
                    archived.push(offset);
                }
                if next < offset {
                    kept.push(AcquiredRecords { first_offset: next, last_offset: offset - 1, ..run });
                }
                next = offset + 1;
            }
            if next <= run.last_offset {
                kept.push(AcquiredRecords { first_offset: next, ..run });
            }
        }
        self.advance_start();
        (kept, archived)
    }

    /// The earliest acquisition lock to expire.
    pub fn next_lock_expiry(&self) -> Option<Instant> {
        self.records.iter().filter_map(|r| r.lock_until).min()
    }

    /// The log's start moved past records not yet delivered (retention, DeleteRecords): those
    /// below it that are not Acquired can never be read and are archived, and the start offset
    /// follows (`archiveAvailableRecordsOnLsoMovement`).
    pub fn log_start_moved(&mut self, log_start: u64) {
        if log_start <= self.start_offset {
            return;
        }
        let nothing_held = self.records.iter().all(|r| r.state != RecordState::Acquired && r.pending.is_none());
        if log_start >= self.end_exclusive() && nothing_held {
            self.records.clear();
            self.start_offset = log_start;
            return;
        }
        let upto = ((log_start - self.start_offset) as usize).min(self.records.len());
        for r in self.records.range_mut(..upto) {
            if r.acquirable() {
                r.finish(RecordState::Archived);
            }
        }
        self.advance_start();
    }

    /// Moves the start offset past the Acknowledged and Archived records at the front, as far as
    /// their transitions are written (`findLastOffsetAcknowledged` stops at an ongoing one).
    fn advance_start(&mut self) {
        while self.records.front().is_some_and(|r| {
            r.pending.is_none() && matches!(r.state, RecordState::Acknowledged | RecordState::Archived)
        }) {
            self.records.pop_front();
            self.start_offset += 1;
        }
    }

    /// The state to persist: each run of offsets with one state and delivery count, as Kafka's
    /// `PersisterStateBatch` (first, last, delivery state, delivery count). An Acquired record is
    /// written as Available: its lock does not outlive this leader.
    pub fn state_batches(&self) -> Vec<StateBatch> {
        let mut out: Vec<StateBatch> = Vec::new();
        for (offset, r) in self.in_flight() {
            push_batch(&mut out, offset, r.persisted_state(), r.delivery_count);
        }
        out
    }

    /// What the next write carries (Kafka's `PersisterStateBatch`es of the transitions it
    /// writes): the records whose state or delivery count differs from what the coordinator
    /// holds. An acquisition alone is not written (Kafka writes a record's state when it is
    /// acknowledged, released or its lock expires, never when it is acquired); a record the
    /// coordinator has no batch for is Available with no delivery. Kept as the write in flight.
    pub fn state_delta(&mut self) -> Vec<StateBatch> {
        let mut out: Vec<StateBatch> = Vec::new();
        let mut held = self.persisted.iter().peekable();
        for (offset, r) in self.in_flight() {
            if r.state == RecordState::Acquired && r.pending.is_none() {
                continue;
            }
            while held.peek().is_some_and(|b| b.1 < offset) {
                held.next();
            }
            let was = held.peek().filter(|b| b.0 <= offset).map_or((RecordState::Available as u8, 0), |b| (b.2, b.3));
            let now = (r.persisted_state(), r.delivery_count);
            if was != now {
                push_batch(&mut out, offset, now.0, now.1);
            }
        }
        self.sending = Some(out.clone());
        out
    }

    /// The write in flight was answered: if it was written, the coordinator now holds its
    /// batches (merged as the coordinator merges them); if not, the next write works out the
    /// difference again.
    pub fn delta_written(&mut self, written: bool) {
        if let (Some(batches), true) = (self.sending.take(), written) {
            self.persisted = combine_state_batches(&self.persisted, &batches, Some(self.start_offset));
        }
    }
}

/// Adds an offset to state batches, joining it to the last one when it continues it.
fn push_batch(out: &mut Vec<StateBatch>, offset: u64, state: u8, count: u16) {
    match out.last_mut() {
        Some(b) if b.1 + 1 == offset && b.2 == state && b.3 == count => b.1 = offset,
        _ => out.push((offset, offset, state, count)),
    }
}

/// Adds an acquired offset to the runs of acquired records.
fn push_run(out: &mut Vec<AcquiredRecords>, offset: u64, count: u16) {
    match out.last_mut() {
        Some(run) if run.last_offset + 1 == offset && run.delivery_count == count => run.last_offset = offset,
        _ => out.push(AcquiredRecords { first_offset: offset, last_offset: offset, delivery_count: count }),
    }
}

impl InFlight {
    fn available(delivery_count: u16) -> InFlight {
        InFlight {
            state: RecordState::Available,
            delivery_count,
            member: None,
            lock_until: None,
            batch: 1,
            pending: None,
        }
    }

    /// The state a write carries: Acquired is written as Available.
    fn persisted_state(&self) -> u8 {
        match self.state {
            RecordState::Acquired => RecordState::Available as u8,
            s => s as u8,
        }
    }

    /// Available, and not a release still being written (Kafka's
    /// `!hasOngoingStateTransition()` beside the state).
    fn acquirable(&self) -> bool {
        self.state == RecordState::Available && self.pending.is_none()
    }

    fn finish(&mut self, state: RecordState) {
        self.state = state;
        self.member = None;
        self.lock_until = None;
    }

    /// A delivery ended without an acknowledgement: Available again, or Archived once the
    /// delivery count reached the limit (`InFlightState.tryUpdateState`).
    fn release(&mut self, offset: u64, limit: u16, out: &mut Released) {
        if self.delivery_count >= limit {
            self.finish(RecordState::Archived);
            out.archived.push(offset);
        } else {
            self.finish(RecordState::Available);
            out.available.push(offset);
        }
    }
}

#[cfg(test)]
mod tests {
    //! Cases of Kafka's `SharePartitionTest`, under its names where the simulation expresses them.
    use super::*;

    fn at(ms: u64) -> Instant {
        Instant { ms }
    }

    fn member(name: &str) -> Rc<str> {
        Rc::from(name)
    }

    fn limits() -> ShareLimits {
        ShareLimits::default()
    }

    /// One batch acknowledged and its write answered at once.
    fn ack(
        sp: &mut SharePartition,
        member: &str,
        first: u64,
        last: u64,
        ack: AckType,
        limits: &ShareLimits,
        now: Instant,
    ) -> Result<Released, KafkaError> {
        let released = sp.acknowledge(member, &[(first, last, ack)], 1, limits, now)?;
        sp.complete(1, true, now, limits);
        Ok(released)
    }

    #[test]
    fn test_acquire_single_record() {
        let mut sp = SharePartition::new(0);
        let got = sp.acquire(&member("m1"), &[(0, 0)], 500, false, &limits(), at(0));
        assert_eq!(got, [AcquiredRecords { first_offset: 0, last_offset: 0, delivery_count: 1 }]);
        assert_eq!((sp.next_fetch_offset(), sp.start_offset, sp.end_offset()), (1, 0, 0));
        assert_eq!(sp.state_of(0).map(|r| r.state), Some(RecordState::Acquired));
    }

    #[test]
    fn test_acquire_multiple_records_with_overlap_and_new_batch() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 4)], 500, false, &limits(), at(0));
        ack(&mut sp, "m1", 0, 1, AckType::Release, &limits(), at(1)).unwrap();
        // The released records come again, then the new batch.
        let got = sp.acquire(&member("m2"), &[(0, 4), (5, 9)], 500, false, &limits(), at(2));
        assert_eq!(
            got,
            [
                AcquiredRecords { first_offset: 0, last_offset: 1, delivery_count: 2 },
                AcquiredRecords { first_offset: 5, last_offset: 9, delivery_count: 1 },
            ]
        );
        assert_eq!(sp.end_offset(), 9);
    }

    #[test]
    fn test_acknowledge_single_record_batch() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 0), (1, 1)], 500, false, &limits(), at(0));
        ack(&mut sp, "m1", 1, 1, AckType::Accept, &limits(), at(1)).unwrap();
        // Offset 0 still acquired: the start offset stays.
        assert_eq!((sp.start_offset, sp.end_offset()), (0, 1));
        ack(&mut sp, "m1", 0, 0, AckType::Accept, &limits(), at(2)).unwrap();
        assert_eq!((sp.start_offset, sp.next_fetch_offset()), (2, 2));
    }

    #[test]
    fn test_acknowledge_by_another_member_is_an_invalid_record_state() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 4)], 500, false, &limits(), at(0));
        assert_eq!(ack(&mut sp, "m2", 0, 4, AckType::Accept, &limits(), at(1)), Err(KafkaError::InvalidRecordState));
        // Nothing changed.
        assert_eq!(sp.count(RecordState::Acquired), 5);
    }

    #[test]
    fn test_acquisition_lock_on_timeout() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 4)], 500, false, &limits(), at(0));
        assert_eq!(sp.next_lock_expiry(), Some(at(30_000)));
        assert!(sp.expire_locks(at(29_999), &limits()).available.is_empty());
        let released = sp.expire_locks(at(30_000), &limits());
        assert_eq!(released.available, [0, 1, 2, 3, 4]);
        assert_eq!((sp.next_fetch_offset(), sp.state_of(0).map(|r| r.delivery_count)), (0, Some(1)));
    }

    #[test]
    fn test_renew_starts_the_lock_again() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 0)], 500, false, &limits(), at(0));
        ack(&mut sp, "m1", 0, 0, AckType::Renew, &limits(), at(20_000)).unwrap();
        assert!(sp.expire_locks(at(30_000), &limits()).available.is_empty());
        assert_eq!(sp.next_lock_expiry(), Some(at(50_000)));
    }

    #[test]
    fn test_max_delivery_count_limit_exceeded_for_single_batch() {
        let lim = ShareLimits { delivery_count_limit: 2, ..limits() };
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 0)], 500, false, &lim, at(0));
        ack(&mut sp, "m1", 0, 0, AckType::Release, &lim, at(1)).unwrap();
        sp.acquire(&member("m1"), &[(0, 0)], 500, false, &lim, at(2));
        let released = ack(&mut sp, "m1", 0, 0, AckType::Release, &lim, at(3)).unwrap();
        // The second delivery ended at the limit: archived, and the start offset moves past it.
        assert_eq!(released.archived, [0]);
        assert_eq!(sp.start_offset, 1);
    }

    #[test]
    fn a_write_carries_what_changed_since_the_coordinator_last_answered() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 5)], 500, false, &limits(), at(0));
        assert_eq!(sp.state_delta(), [], "an acquisition alone is not written");
        sp.acknowledge("m1", &[(0, 1, AckType::Accept), (2, 2, AckType::Release)], 1, &limits(), at(1)).unwrap();
        assert_eq!(sp.state_delta(), [(0, 1, 2, 1), (2, 2, 0, 1)], "the acknowledged and the released");
        sp.delta_written(true);
        sp.complete(1, true, at(2), &limits());
        assert_eq!(sp.state_delta(), [], "the coordinator holds them");
        sp.delta_written(true);
        sp.acknowledge("m1", &[(3, 3, AckType::Reject)], 2, &limits(), at(3)).unwrap();
        assert_eq!(sp.state_delta(), [(3, 3, 4, 1)]);
        sp.delta_written(false);
        sp.complete(2, false, at(4), &limits());
        assert_eq!(sp.state_delta(), [], "a failed write undid the rejection: nothing differs");
        sp.acknowledge("m1", &[(3, 4, AckType::Accept)], 3, &limits(), at(5)).unwrap();
        assert_eq!(sp.state_delta(), [(3, 4, 2, 1)]);
    }

    #[test]
    fn test_acquire_within_max_record_locks() {
        let lim = ShareLimits { max_record_locks: 3, ..limits() };
        let mut sp = SharePartition::new(0);
        let got = sp.acquire(&member("m1"), &[(0, 9)], 500, false, &lim, at(0));
        assert_eq!(got, [AcquiredRecords { first_offset: 0, last_offset: 2, delivery_count: 1 }]);
        assert!(!sp.can_acquire(&lim));
        ack(&mut sp, "m1", 0, 0, AckType::Accept, &lim, at(1)).unwrap();
        assert!(sp.can_acquire(&lim));
    }

    #[test]
    fn record_limit_acquires_exactly_max_records_and_batch_optimized_finishes_the_batch() {
        let mut sp = SharePartition::new(0);
        let got = sp.acquire(&member("m1"), &[(0, 4), (5, 9)], 3, true, &limits(), at(0));
        assert_eq!(got, [AcquiredRecords { first_offset: 0, last_offset: 2, delivery_count: 1 }]);
        let mut sp = SharePartition::new(0);
        let got = sp.acquire(&member("m1"), &[(0, 4), (5, 9)], 3, false, &limits(), at(0));
        assert_eq!(got, [AcquiredRecords { first_offset: 0, last_offset: 4, delivery_count: 1 }]);
    }

    #[test]
    fn a_released_member_frees_only_its_own_records() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 1)], 500, false, &limits(), at(0));
        sp.acquire(&member("m2"), &[(2, 3)], 500, false, &limits(), at(0));
        assert_eq!(sp.release_member("m1", 1, &limits()).available, [0, 1]);
        assert_eq!(sp.count(RecordState::Acquired), 2);
    }

    #[test]
    fn persisted_state_reads_back_with_acquired_as_available() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 3)], 500, false, &limits(), at(0));
        ack(&mut sp, "m1", 1, 1, AckType::Accept, &limits(), at(1)).unwrap();
        let batches = sp.state_batches();
        assert_eq!(batches, [(0, 0, 0, 1), (1, 1, 2, 1), (2, 3, 0, 1)]);
        let back = SharePartition::restore(sp.start_offset, 1, &batches);
        assert_eq!((back.next_fetch_offset(), back.count(RecordState::Available)), (0, 3));
        assert_eq!(back.state_of(2).map(|r| r.delivery_count), Some(1));
    }

    #[test]
    fn the_log_start_moving_archives_what_was_never_delivered() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 3)], 500, false, &limits(), at(0));
        ack(&mut sp, "m1", 0, 1, AckType::Release, &limits(), at(1)).unwrap();
        sp.log_start_moved(2);
        assert_eq!(sp.start_offset, 2);
        let mut empty = SharePartition::new(0);
        empty.log_start_moved(7);
        assert_eq!((empty.start_offset, empty.next_fetch_offset()), (7, 7));
    }

    #[test]
    fn test_acknowledge_rollback_with_full_batch_error() {
        let mut sp = SharePartition::new(5);
        for (first, last) in [(5, 9), (10, 14), (15, 19)] {
            sp.acquire(&member("m1"), &[(first, last)], 500, false, &limits(), at(0));
        }
        let batches = [
            (5, 9, AckType::Release),
            (10, 14, AckType::Accept),
            (15, 19, AckType::Accept),
            // The same batch again fails the request: it is no longer Acquired.
            (15, 19, AckType::Accept),
        ];
        assert_eq!(sp.acknowledge("m1", &batches, 1, &limits(), at(1)), Err(KafkaError::InvalidRecordState));
        // Every record is Acquired again, by its member, with its lock.
        assert_eq!(sp.count(RecordState::Acquired), 15);
        assert!(!sp.has_change(1));
        assert_eq!((sp.start_offset, sp.next_lock_expiry()), (5, Some(at(30_000))));
    }

    #[test]
    fn test_acknowledge_rollback_with_subset_error() {
        let mut sp = SharePartition::new(5);
        for (first, last) in [(5, 9), (10, 14), (15, 19)] {
            sp.acquire(&member("m1"), &[(first, last)], 500, false, &limits(), at(0));
        }
        let batches =
            [(5, 9, AckType::Release), (10, 14, AckType::Accept), (15, 19, AckType::Accept), (16, 19, AckType::Accept)];
        assert_eq!(sp.acknowledge("m1", &batches, 1, &limits(), at(1)), Err(KafkaError::InvalidRecordState));
        assert_eq!(sp.count(RecordState::Acquired), 15);
    }

    #[test]
    fn test_cache_update_when_batch_has_ongoing_transition() {
        let mut sp = SharePartition::new(21);
        sp.acquire(&member("m1"), &[(21, 30)], 500, false, &limits(), at(0));
        sp.acknowledge("m1", &[(21, 30, AckType::Accept)], 1, &limits(), at(1)).unwrap();
        // Written, not yet answered: the start offset waits.
        assert!(sp.has_change(1));
        assert_eq!((sp.start_offset, sp.count(RecordState::Acknowledged)), (21, 10));
        sp.complete(1, true, at(2), &limits());
        assert_eq!((sp.start_offset, sp.end_offset()), (31, 31));
    }

    #[test]
    fn test_acquire_when_batch_has_ongoing_transition() {
        let mut sp = SharePartition::new(21);
        sp.acquire(&member("m1"), &[(21, 30)], 500, false, &limits(), at(0));
        sp.acknowledge("m1", &[(21, 30, AckType::Release)], 1, &limits(), at(1)).unwrap();
        assert_eq!(sp.count(RecordState::Available), 10);
        // Released but not yet written: another member acquires none of it.
        assert!(sp.acquire(&member("m2"), &[(21, 30)], 500, false, &limits(), at(2)).is_empty());
        assert_eq!(sp.next_fetch_offset(), 31);
        sp.complete(1, true, at(3), &limits());
        let got = sp.acquire(&member("m2"), &[(21, 30)], 500, false, &limits(), at(4));
        assert_eq!(got, [AcquiredRecords { first_offset: 21, last_offset: 30, delivery_count: 2 }]);
    }

    #[test]
    fn a_failed_write_gives_the_records_back_to_their_member() {
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 4)], 500, false, &limits(), at(0));
        sp.acknowledge("m1", &[(0, 1, AckType::Accept)], 1, &limits(), at(1)).unwrap();
        sp.acknowledge("m1", &[(2, 2, AckType::Reject)], 2, &limits(), at(2)).unwrap();
        // The write of change 1 failed: only its transitions are undone.
        assert!(sp.complete(1, false, at(3), &limits()).available.is_empty());
        assert_eq!(
            sp.state_of(0).map(|r| (r.state, r.member.as_deref() == Some("m1"))),
            Some((RecordState::Acquired, true))
        );
        assert!(sp.has_change(2));
        // The member acknowledges again; its lock still holds.
        sp.acknowledge("m1", &[(0, 1, AckType::Accept)], 3, &limits(), at(4)).unwrap();
        sp.complete(3, true, at(5), &limits());
        assert_eq!(sp.start_offset, 3);
    }

    #[test]
    fn a_failed_write_after_the_lock_expired_releases_the_records() {
        let lim = ShareLimits { delivery_count_limit: 2, ..limits() };
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 1)], 500, false, &lim, at(0));
        sp.acknowledge("m1", &[(0, 1, AckType::Accept)], 1, &lim, at(1)).unwrap();
        // Mid-transition, the lock's expiry does nothing (the record is not Acquired now) ...
        assert!(sp.expire_locks(at(30_000), &lim).available.is_empty());
        // ... and the failed write finds it expired: Available for its next delivery.
        assert_eq!(sp.complete(1, false, at(30_001), &lim).available, [0, 1]);
        assert_eq!(sp.next_fetch_offset(), 0);
    }

    fn runs(list: &[(u64, u64, u16)]) -> Vec<AcquiredRecords> {
        list.iter()
            .map(|&(first_offset, last_offset, delivery_count)| AcquiredRecords {
                first_offset,
                last_offset,
                delivery_count,
            })
            .collect()
    }

    #[test]
    fn test_filter_record_batches_from_acquired_records() {
        // Nothing in flight here: only the filtering of the acquired runs is looked at.
        let mut sp = SharePartition::new(0);
        let got = sp.archive_aborted(runs(&[(1, 5, 1), (10, 15, 2), (20, 25, 1)]), &[(2, 4), (12, 14)]).0;
        assert_eq!(got, runs(&[(1, 1, 1), (5, 5, 1), (10, 11, 2), (15, 15, 2), (20, 25, 1)]));
        let acquired = runs(&[(1, 4, 3), (5, 8, 3), (9, 30, 2), (31, 40, 3)]);
        let got = sp.archive_aborted(acquired.clone(), &[(5, 25), (31, 35)]).0;
        assert_eq!(got, runs(&[(1, 4, 3), (26, 30, 2), (36, 40, 3)]));
        assert_eq!(sp.archive_aborted(acquired.clone(), &[]).0, acquired);
        let got = sp.archive_aborted(runs(&[(0, 19, 1)]), &[(8, 8), (18, 18)]).0;
        assert_eq!(got, runs(&[(0, 7, 1), (9, 17, 1), (19, 19, 1)]));
    }

    #[test]
    fn test_acquire_with_read_committed_isolation_level_archives_the_aborted_batches() {
        let mut sp = SharePartition::new(0);
        let acquired = sp.acquire(&member("m1"), &[(0, 2), (3, 3), (4, 6)], 500, false, &limits(), at(0));
        let (kept, archived) = sp.archive_aborted(acquired, &[(0, 2)]);
        assert_eq!(kept, runs(&[(3, 6, 1)]));
        assert_eq!(archived, [0, 1, 2]);
        // Archived at the front: the start offset moves past them.
        assert_eq!((sp.start_offset, sp.count(RecordState::Acquired)), (3, 4));
    }

    #[test]
    fn test_renew_acknowledge_disabled_with_complete_batch_ack() {
        let lim = ShareLimits { renew: false, ..limits() };
        let mut sp = SharePartition::new(0);
        sp.acquire(&member("m1"), &[(0, 0)], 500, false, &lim, at(0));
        let got = sp.acknowledge("m1", &[(0, 0, AckType::Renew)], 1, &lim, at(1));
        assert_eq!(got, Err(KafkaError::InvalidRecordState));
        assert_eq!((sp.state_of(0).map(|r| r.state), sp.has_change(1)), (Some(RecordState::Acquired), false));
    }

    #[test]
    fn test_throttle_records_when_pending_deliveries_exist() {
        // Kafka's state batches (first, last, state, deliveries): 20..22 archived, 26..30 delivered
        // three times; the rest never fetched. (Kafka's fetch starts at 7, leaving 5 and 6 outside
        // its cache; here the log's batch starts at the start offset.)
        let mut sp = SharePartition::restore(5, 3, &[(15, 19, 0, 2), (20, 22, 4, 3), (26, 30, 0, 3)]);
        let got = sp.acquire(&member("m1"), &[(5, 19), (20, 27)], 500, false, &limits(), at(0));
        // 26 is throttled (3 deliveries of 5): not in a fetch that already has records.
        assert_eq!(got, runs(&[(5, 14, 1), (15, 19, 3), (23, 25, 1)]));
        assert_eq!(sp.next_fetch_offset(), 26);
        // Its own fetch: its in-flight batch (26..30) halved.
        let got = sp.acquire(&member("m1"), &[(20, 27), (28, 30)], 500, false, &limits(), at(1));
        assert_eq!(got, runs(&[(26, 27, 4)]));
    }

    #[test]
    fn test_acquire_records_halves_batch_size_on_each_failure_until_single_record_on_last_attempt() {
        let lim = ShareLimits { delivery_count_limit: 7, ..limits() };
        let mut sp = SharePartition::restore(5, 3, &[(15, 34, 0, 4)]);
        let mut t = 0;
        let mut fetch = |sp: &mut SharePartition, expire: bool| {
            t += 1;
            if expire {
                t += 30_000;
                sp.expire_locks(at(t), &lim);
            }
            sp.acquire(&member("m1"), &[(15, 34)], 500, false, &lim, at(t))
        };
        assert_eq!(fetch(&mut sp, false), runs(&[(15, 24, 5)]));
        assert_eq!(fetch(&mut sp, true), runs(&[(15, 19, 6)]));
        // The last delivery attempt: one record at a time.
        let alone = fetch(&mut sp, true);
        assert_eq!(alone, runs(&[(15, 15, 7)]));
        for i in 16..20 {
            assert_eq!(fetch(&mut sp, false), runs(&[(i, i, 7)]));
        }
        assert_eq!(fetch(&mut sp, false), runs(&[(20, 24, 6)]));
        assert_eq!(fetch(&mut sp, false), runs(&[(25, 34, 5)]));
    }
}
