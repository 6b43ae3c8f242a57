//! A replica's log: Kafka v2 record batches, each the bytes a producer sent
//! with the leader's offset and epoch stamped in, at consecutive offsets
//! from the log start offset, and the leader-epoch cache (which epoch started
//! at which offset) that replicas use to find where their logs diverge after
//! a leader change.
//!
//! The log keeps only the batches' bytes, as Kafka's segments do: records are
//! decoded when something reads them (a consumer's fetch, the page's view of
//! a partition's newest records, the cleaner, a coordinator loading its
//! partition). What the log needs on every append — offsets, the newest
//! timestamp, the producer's id, epoch and sequence — is in the batch header.
//!
//! The log is cut into segments as Kafka's is: a new segment starts when the
//! batch would take the active one past segment.bytes, or when its records are
//! segment.ms newer than the segment's first (Kafka rolls on record time).
//! Retention deletes whole segments from the front, the active one too once
//! the high watermark has reached the log end (an empty one is rolled in its
//! place), never a segment reaching past the high watermark, and the log start
//! offset follows; offsets never change. DeleteRecords moves the log start
//! only; the segments wholly below it go at the next retention check.

use crate::batch::{self, BatchBytes, BatchError, RecordBatch, TimestampType};
use crate::error::KafkaError;
use crate::limits::RECORDS_PER_PARTITION_MAX;
use crate::log_batch::{into_records, LogBatch};
use crate::record::Record;
use crate::sorted::SortedMap;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// One batch of an idempotent producer, by sequence numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequencedBatch {
    pub first_sequence: i32,
    pub last_sequence: i32,
    pub base_offset: u64,
    pub last_offset: u64,
}

/// What a partition remembers of one producer (Kafka's `ProducerStateEntry`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerEntry {
    pub epoch: i16,
    /// The newest batches, oldest first; Kafka keeps five to answer retries.
    pub batches: VecDeque<SequencedBatch>,
}

/// Batches per producer a partition remembers for duplicate detection.
pub const PRODUCER_BATCHES_KEPT: usize = 5;

/// What a leader does with an idempotent producer's batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    Append,
    /// A retry of a batch already written: answer with its offsets, write nothing.
    Duplicate {
        base_offset: u64,
        last_offset: u64,
    },
}

/// One segment: where it starts, its first and newest record times, and its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Segment {
    pub base_offset: u64,
    /// The first batch's newest timestamp (Kafka's `rollingBasedTimestamp`).
    pub first_timestamp_ms: u64,
    /// The newest record timestamp in it: retention.ms measures from this.
    pub max_timestamp_ms: u64,
    pub size_bytes: u64,
}

/// When a segment rolls: the topic's segment.bytes and segment.ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RollConfig {
    pub segment_bytes: u64,
    pub segment_ms: u64,
}

impl Default for RollConfig {
    fn default() -> Self {
        RollConfig { segment_bytes: 1_073_741_824, segment_ms: 604_800_000 }
    }
}

/// The topic configs the log cleaner reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CleanerSettings {
    pub min_cleanable_dirty_ratio: f64,
    pub min_compaction_lag_ms: u64,
    /// A dirty record older than this forces a cleaning whatever the dirty ratio.
    pub max_compaction_lag_ms: u64,
    pub delete_retention_ms: u64,
}

/// What one cleaning did: for the page's before-and-after.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Cleaned {
    pub at_ms: u64,
    pub removed: usize,
    pub keys: usize,
    /// Offsets below this are clean now.
    pub clean_point: u64,
    /// The offsets removed (the first few).
    pub removed_offsets: Vec<u64>,
    /// Each key's surviving record below the clean point: `(key, offset, tombstone)` (the first few).
    pub kept: Vec<(Vec<u8>, u64, bool)>,
}

/// Offsets and keys a `Cleaned` lists; the counts cover the rest.
const CLEANED_LISTED_MAX: usize = 16;
/// Aborted transactions a log remembers (Kafka's index is bounded by the log; this is a stated limit).
const ABORTED_TXNS_KEPT: usize = 1_000;
/// Deleted segments a log remembers, for the page to fade out.
const DELETED_SEGMENTS_KEPT: usize = 8;

/// Segments retention removed from the front of a log, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    pub segments: usize,
    /// The new log start offset.
    pub log_start_offset: u64,
    pub why: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct PartitionLog {
    log_start_offset: u64,
    /// The segments, oldest first; the last is the active one.
    segments: Vec<Segment>,
    /// How segments roll, set from the topic's configs before each append.
    pub roll: RollConfig,
    /// Offsets below this were compacted already (the cleaner's checkpoint).
    clean_point: u64,
    /// Tombstones and transaction markers by offset, with when a cleaning first kept them:
    /// their delete horizon (delete.retention.ms) runs from then (KIP-534).
    first_cleaned: SortedMap<u64, u64>,
    /// The last cleaning, for the page.
    pub last_cleaned: Option<Cleaned>,
    /// Segments deleted lately with when, newest last (bounded), for the page to fade out.
    pub deleted_segments: VecDeque<(Segment, u64)>,
    batches: Vec<LogBatch>,
    /// Records in `batches`, for the per-partition limit.
    record_count: usize,
    /// Bytes of `batches` (the view reads it every frame).
    size_bytes: usize,
    /// `(leader epoch, start offset)`, epochs increasing (Kafka's `LeaderEpochFileCache`).
    epochs: Vec<(u32, u64)>,
    /// Idempotent producers seen here, rebuilt from the batches after a truncation.
    producers: SortedMap<i64, ProducerEntry>,
    /// Open transactions: producer id to the first offset it wrote in the transaction.
    ongoing: SortedMap<i64, u64>,
    /// Transactions that ended in an abort, oldest first (Kafka's transaction index).
    aborted: VecDeque<AbortedTxn>,
    /// Transactions whose marker the high watermark has not passed yet, `(first offset, marker
    /// offset)` (ProducerStateManager's `unreplicatedTxns`): they hold the last stable offset
    /// until the marker is replicated, so a read_committed reader never reads a decision a new
    /// leader might not have.
    unreplicated: VecDeque<(u64, u64)>,
}

/// An aborted transaction in one partition: from its first record to its abort marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: u64,
    /// The marker's offset.
    pub last_offset: u64,
}

impl PartitionLog {
    pub fn producers(&self) -> &SortedMap<i64, ProducerEntry> {
        &self.producers
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Puts a new batch into the active segment, or rolls a new one first (Kafka's `shouldRoll`).
    fn note_segment(&mut self, base_offset: u64, bytes: u64, max_timestamp_ms: u64) {
        let roll = self.roll;
        let starts_new = match self.segments.last() {
            None => true,
            Some(s) => {
                s.size_bytes > 0
                    && (s.size_bytes + bytes > roll.segment_bytes
                        || max_timestamp_ms.saturating_sub(s.first_timestamp_ms) > roll.segment_ms)
            }
        };
        if starts_new {
            self.segments.push(Segment {
                base_offset,
                first_timestamp_ms: max_timestamp_ms,
                max_timestamp_ms,
                size_bytes: 0,
            });
        }
        if let Some(s) = self.segments.last_mut() {
            if s.size_bytes == 0 {
                // An empty segment (the log's first, or one rolled by retention) is timed from
                // its first batch, as Kafka's rollingBasedTimestamp.
                s.first_timestamp_ms = max_timestamp_ms;
            }
            s.size_bytes += bytes;
            s.max_timestamp_ms = s.max_timestamp_ms.max(max_timestamp_ms);
        }
    }

    /// Kafka's retention (`deleteLogStartOffsetBreachedSegments`, then
    /// `deleteRetentionMsBreachedSegments` and `deleteRetentionSizeBreachedSegments`, either order
    /// deleting the same segments; -1 turns one off, as for a topic without `delete`): whole
    /// segments from the front, each only if everything in it is below the high watermark
    /// (`UnifiedLog.deletableSegments`). The active segment is deleted too once it has records,
    /// the high watermark has reached the log end and it breaches retention; a new empty segment
    /// is rolled at the log end first (`deleteSegments`: a log always has one), so a quiet topic's
    /// data goes when retention.ms has passed since its newest record.
    pub fn apply_retention(
        &mut self,
        now_ms: u64,
        retention_ms: i64,
        retention_bytes: i64,
        high_watermark: u64,
    ) -> Option<Deleted> {
        let log_end = self.log_end_offset();
        let deletable = |segs: &[Segment], i: usize| {
            let Some(segment) = segs.get(i) else { return false };
            let upper_bound = segs.get(i + 1).map_or(log_end, |next| next.base_offset);
            let last_and_empty = i + 1 == segs.len() && segment.size_bytes == 0;
            high_watermark >= upper_bound && !last_and_empty
        };
        let mut n = 0;
        let mut why = "";
        // deleteLogStartOffsetBreachedSegments first, whatever the cleanup policy: segments whose
        // next one starts at or below the log start (DeleteRecords moved it).
        while n + 1 < self.segments.len() && self.segments[n + 1].base_offset <= self.log_start_offset {
            n += 1;
            why = "below the log start offset";
        }
        if retention_ms >= 0 {
            while deletable(&self.segments, n)
                && self.segments[n].max_timestamp_ms.saturating_add(retention_ms as u64) < now_ms
            {
                n += 1;
                why = "retention.ms";
            }
        }
        if retention_bytes >= 0 {
            let total: u64 = self.segments[n..].iter().map(|s| s.size_bytes).sum();
            let mut diff = total as i64 - retention_bytes;
            while deletable(&self.segments, n) && diff - self.segments[n].size_bytes as i64 >= 0 {
                diff -= self.segments[n].size_bytes as i64;
                n += 1;
                why = "retention.bytes";
            }
        }
        if n == 0 {
            return None;
        }
        if n == self.segments.len() {
            // Every segment goes, the active one with them: roll an empty one at the log end.
            self.segments.push(Segment {
                base_offset: log_end,
                first_timestamp_ms: now_ms,
                max_timestamp_ms: 0,
                size_bytes: 0,
            });
        }
        let start = self.segments[n].base_offset.max(self.log_start_offset);
        for s in self.segments.drain(..n) {
            if self.deleted_segments.len() == DELETED_SEGMENTS_KEPT {
                self.deleted_segments.pop_front();
            }
            self.deleted_segments.push_back((s, now_ms));
        }
        self.drop_below(start);
        // Unreachable: `start` is a segment's base, at most the log end (the rolled empty segment's
        // base is the log end itself), so dropping below it keeps the last batch or the offset.
        assert_eq!(self.log_end_offset(), log_end, "retention moved the log end offset");
        Some(Deleted { segments: n, log_start_offset: start, why })
    }

    /// Kafka's log cleaner for a compacted topic: when the dirty part of the
    /// cleanable log (everything below the active segment, the high watermark
    /// and min.compaction.lag.ms) is at least min.cleanable.dirty.ratio of it,
    /// every record but the latest of its key goes, offsets unchanged; a latest
    /// tombstone goes once delete.retention.ms has passed since a cleaning first
    /// kept it (its delete horizon, KIP-534). Records of aborted transactions go;
    /// a transaction marker goes once no record of its transaction is left and its
    /// delete horizon has passed, as Kafka's cleaner removes markers.
    /// A dirty record older than max.compaction.lag.ms forces a cleaning whatever the ratio.
    pub fn clean(&mut self, now_ms: u64, settings: CleanerSettings, high_watermark: u64) -> Option<Cleaned> {
        let active = self.segments.last().map_or(self.log_end_offset(), |s| s.base_offset);
        // The first record newer than min.compaction.lag.ms: only the first batch whose newest
        // record is that new can hold it, so only that batch is decoded.
        let is_new = |ts: u64| ts.saturating_add(settings.min_compaction_lag_ms) > now_ms;
        let too_new = self
            .batches
            .iter()
            .find(|b| is_new(b.max_timestamp_ms))
            .and_then(|b| self.decode_from(b).find(|r| is_new(r.timestamp_ms)))
            .map_or(u64::MAX, |r| r.offset);
        // Never past the last stable offset: an open transaction's outcome is not known yet.
        let uncleanable = active.min(self.last_stable_offset(high_watermark)).min(too_new);
        let cleanable = |b: &LogBatch| b.last_offset < uncleanable;
        let (mut clean_bytes, mut dirty_bytes) = (0u64, 0u64);
        for b in self.batches.iter().filter(|b| cleanable(b)) {
            if b.base_offset >= self.clean_point {
                dirty_bytes += b.bytes.len() as u64;
            } else {
                clean_bytes += b.bytes.len() as u64;
            }
        }
        let dirty_enough = dirty_bytes > 0
            && (dirty_bytes as f64) >= settings.min_cleanable_dirty_ratio * (clean_bytes + dirty_bytes) as f64;
        let first_cleaned = &self.first_cleaned;
        let horizon_passed = |offset: u64| {
            first_cleaned.get(&offset).is_some_and(|&t| t.saturating_add(settings.delete_retention_ms) <= now_ms)
        };
        // A tombstone or marker past its delete horizon makes a log worth cleaning too (KIP-534);
        // `first_cleaned` holds exactly the tombstones and markers a cleaning kept.
        let held = self.log_start_offset..uncleanable;
        let expired_tombstone = first_cleaned.keys().any(|&o| held.contains(&o) && horizon_passed(o));
        // A dirty record waiting longer than max.compaction.lag.ms forces a cleaning too
        // (with the default, Long.MAX_VALUE, none can be: nothing is decoded).
        let overdue = settings.max_compaction_lag_ms <= now_ms
            && self
                .batches
                .iter()
                .filter(|b| b.last_offset >= self.clean_point && b.base_offset < uncleanable)
                .flat_map(|b| self.decode_from(b))
                .any(|r| {
                    r.offset >= self.clean_point
                        && r.offset < uncleanable
                        && r.timestamp_ms.saturating_add(settings.max_compaction_lag_ms) <= now_ms
                });
        if !dirty_enough && !expired_tombstone && !overdue {
            return None;
        }
        let records: Vec<Record> = self.records().collect();
        // The latest offset of each key in the cleanable log.
        let mut latest: SortedMap<&[u8], u64> = SortedMap::new();
        let aborted: Vec<AbortedTxn> = self.aborted.iter().copied().collect();
        let in_aborted = |r: &Record| {
            r.transactional
                && aborted
                    .iter()
                    .any(|a| a.producer_id == r.producer_id && (a.first_offset..a.last_offset).contains(&r.offset))
        };
        for r in records.iter().filter(|r| r.offset < uncleanable && r.control.is_none() && !in_aborted(r)) {
            latest.insert(r.key.as_deref().unwrap_or_default(), r.offset);
        }
        let keep_data = |r: &Record| {
            if in_aborted(r) {
                return false;
            }
            let newest = latest.get(r.key.as_deref().unwrap_or_default()) == Some(&r.offset);
            newest && !(r.value.is_none() && horizon_passed(r.offset))
        };
        // A marker stays while records of its transaction (its producer's, since that producer's
        // previous marker) are left, or until its delete horizon passes: readers need it to skip
        // aborted data and to know a transaction ended.
        let mut previous_marker: SortedMap<i64, u64> = SortedMap::new();
        let mut markers_kept: crate::sorted::SortedSet<u64> = crate::sorted::SortedSet::new();
        for r in records.iter().filter(|r| r.control.is_some()) {
            let since = previous_marker.insert(r.producer_id, r.offset).unwrap_or(0);
            let data_left = records.iter().any(|d| {
                d.control.is_none()
                    && d.transactional
                    && d.producer_id == r.producer_id
                    && (since..r.offset).contains(&d.offset)
                    && (d.offset >= uncleanable || keep_data(d))
            });
            if r.offset >= uncleanable || data_left || !horizon_passed(r.offset) {
                markers_kept.insert(r.offset);
            }
        }
        let keep = |r: &Record| if r.control.is_some() { markers_kept.contains(&r.offset) } else { keep_data(r) };
        let before = records.iter().filter(|r| r.offset < uncleanable).count();
        let kept_records: Vec<&Record> = records.iter().filter(|r| r.offset >= uncleanable || keep(r)).collect();
        let keys = latest.len();
        let mut batches = Vec::with_capacity(self.batches.len());
        for b in &self.batches {
            if !cleanable(b) {
                batches.push(b.clone());
                continue;
            }
            let Ok((mut batch, _)) = b.bytes.decode() else {
                batches.push(b.clone());
                continue;
            };
            let base = b.base_offset;
            batch.records.retain(|r| {
                let offset = base + r.offset_delta.max(0) as u64;
                kept_records.binary_search_by_key(&offset, |k| k.offset).is_ok()
            });
            if batch.records.is_empty() {
                continue;
            }
            // The header keeps its base offset, last offset delta and epoch: offsets never change.
            let Ok(bytes) = batch.encode() else {
                batches.push(b.clone());
                continue;
            };
            batches.push(LogBatch { records: batch.records.len() as u32, bytes: Rc::new(bytes), ..b.clone() });
        }
        let removed = before - kept_records.iter().filter(|r| r.offset < uncleanable).count();
        let removed_offsets: Vec<u64> = records
            .iter()
            .filter(|r| r.offset < uncleanable && !keep(r))
            .map(|r| r.offset)
            .take(CLEANED_LISTED_MAX)
            .collect();
        let kept: Vec<(Vec<u8>, u64, bool)> = kept_records
            .iter()
            .filter(|r| r.offset < uncleanable)
            .take(CLEANED_LISTED_MAX)
            .map(|r| (r.key.as_deref().map(<[u8]>::to_vec).unwrap_or_default(), r.offset, r.value.is_none()))
            .collect();
        let horizon: Vec<u64> = kept_records
            .iter()
            .filter(|r| r.offset < uncleanable && (r.value.is_none() || r.control.is_some()))
            .map(|r| r.offset)
            .collect();
        self.batches = batches;
        self.recount();
        // Segments keep their bases; their sizes are what is left in them.
        let bases: Vec<u64> = self.segments.iter().map(|s| s.base_offset).collect();
        for (i, s) in self.segments.iter_mut().enumerate() {
            let end = bases.get(i + 1).copied().unwrap_or(u64::MAX);
            s.size_bytes = self
                .batches
                .iter()
                .filter(|b| b.base_offset >= s.base_offset && b.base_offset < end)
                .map(|b| b.bytes.len() as u64)
                .sum();
        }
        self.clean_point = uncleanable;
        // Tombstones and markers this cleaning kept: their delete horizon starts at the first one.
        self.first_cleaned.retain(|o, _| horizon.contains(o));
        for o in horizon {
            self.first_cleaned.entry(o).or_insert(now_ms);
        }
        let cleaned = Cleaned { at_ms: now_ms, removed, keys, clean_point: uncleanable, removed_offsets, kept };
        self.last_cleaned = Some(cleaned.clone());
        Some(cleaned)
    }

    /// DeleteRecords (and a follower catching up with its leader's log start):
    /// the log starts at `offset` from now on; whole segments below it go.
    pub fn delete_records(&mut self, offset: u64) -> bool {
        if offset <= self.log_start_offset || offset > self.log_end_offset() {
            return false;
        }
        // Only the log start moves (`maybeIncrementLogStartOffset`); the segments wholly below it
        // go at the next retention check (`deleteLogStartOffsetBreachedSegments`).
        self.drop_below(offset);
        true
    }

    /// Moves the log start offset to `start`: batches wholly below it and records below it go.
    fn drop_below(&mut self, start: u64) {
        self.log_start_offset = self.log_start_offset.max(start);
        let start = self.log_start_offset;
        self.batches.retain(|b| b.last_offset >= start);
        self.recount();
        self.aborted.retain(|a| a.last_offset >= start);
        self.first_cleaned.retain(|&o, _| o >= start);
    }

    /// Kafka's sequence check (`ProducerAppendInfo.checkSequence`) for a batch of
    /// `count` records from producer `id` at `epoch` starting at `first_sequence`.
    pub fn check_sequence(
        &self,
        id: i64,
        epoch: i16,
        first_sequence: i32,
        count: i32,
    ) -> Result<SequenceCheck, KafkaError> {
        let last_sequence = first_sequence.wrapping_add(count - 1);
        let Some(entry) = self.producers.get(&id) else {
            // Kafka accepts any sequence from a producer it has no state for
            // (`ProducerAppendInfo.checkSequence`: the producer's state may have gone with
            // retention or DeleteRecords). It relies on TCP, as the network here does: a request
            // is never lost while a later one on the same connection arrives.
            return Ok(SequenceCheck::Append);
        };
        if epoch < entry.epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if epoch > entry.epoch {
            // A new epoch starts its sequences again at 0.
            return if first_sequence == 0 {
                Ok(SequenceCheck::Append)
            } else {
                Err(KafkaError::OutOfOrderSequenceNumber)
            };
        }
        if let Some(b) =
            entry.batches.iter().find(|b| b.first_sequence == first_sequence && b.last_sequence == last_sequence)
        {
            return Ok(SequenceCheck::Duplicate { base_offset: b.base_offset, last_offset: b.last_offset });
        }
        let expected = entry.batches.back().map_or(0, |b| b.last_sequence.wrapping_add(1));
        if first_sequence == expected {
            Ok(SequenceCheck::Append)
        } else {
            Err(KafkaError::OutOfOrderSequenceNumber)
        }
    }

    fn note_producer(&mut self, bytes: &[u8], base_offset: u64, last_offset: u64) {
        let Some((id, epoch, first_sequence)) = batch::producer_fields(bytes).filter(|f| f.0 >= 0) else { return };
        let (transactional, control) = batch::transaction_flags(bytes).unwrap_or_default();
        if control {
            // A marker ends the producer's transaction here; an abort goes into the index.
            // Its epoch fences older ones, as ProducerStateManager's completed transaction does.
            if let Some(first_offset) = self.ongoing.remove(&id) {
                self.unreplicated.push_back((first_offset, base_offset));
                let control = RecordBatch::decode(bytes).ok().and_then(|(b, _)| into_records(b).first()?.control);
                if control == Some(crate::txn::marker::ControlType::Abort) {
                    if self.aborted.len() == ABORTED_TXNS_KEPT {
                        self.aborted.pop_front();
                    }
                    self.aborted.push_back(AbortedTxn { producer_id: id, first_offset, last_offset: base_offset });
                }
            }
            let entry = self.producers.entry(id).or_default();
            if epoch > entry.epoch {
                entry.batches.clear();
                entry.epoch = epoch;
            }
            return;
        }
        if transactional {
            self.ongoing.entry(id).or_insert(base_offset);
        }
        let entry = self.producers.entry(id).or_default();
        if epoch != entry.epoch {
            entry.batches.clear();
            entry.epoch = epoch;
        }
        if first_sequence < 0 {
            // Written by a coordinator on the producer's behalf: its epoch counts (an older one is
            // refused from now on), but it has no sequence to remember.
            return;
        }
        let count = (last_offset - base_offset) as i32 + 1;
        let last_sequence = first_sequence.wrapping_add(count - 1);
        entry.batches.push_back(SequencedBatch { first_sequence, last_sequence, base_offset, last_offset });
        while entry.batches.len() > PRODUCER_BATCHES_KEPT {
            entry.batches.pop_front();
        }
    }
    /// A transaction of this producer at this epoch is open here (`UnifiedLog.hasOngoingTransaction`).
    pub fn has_ongoing_transaction(&self, producer_id: i64, epoch: i16) -> bool {
        self.ongoing.contains_key(&producer_id) && self.producers.get(&producer_id).is_some_and(|e| e.epoch == epoch)
    }

    /// The first offset of the earliest open transaction (Kafka's first unstable offset).
    /// Kafka's `firstUnstableOffset`: the first offset of a transaction still open, or decided by a
    /// marker the high watermark has not passed.
    pub fn first_unstable_offset(&self, high_watermark: u64) -> Option<u64> {
        let unreplicated = self.unreplicated.iter().filter(|&&(_, marker)| marker >= high_watermark);
        self.ongoing.values().copied().chain(unreplicated.map(|&(first, _)| first)).min()
    }

    /// The last stable offset for a high watermark: below it every transaction is decided, and
    /// its decision replicated.
    pub fn last_stable_offset(&self, high_watermark: u64) -> u64 {
        self.first_unstable_offset(high_watermark).map_or(high_watermark, |f| f.min(high_watermark))
    }

    /// The high watermark moved: transactions whose marker it passed no longer hold the last
    /// stable offset (`ProducerStateManager.onHighWatermarkUpdated`).
    pub fn note_high_watermark(&mut self, high_watermark: u64) {
        self.unreplicated.retain(|&(_, marker)| marker >= high_watermark);
    }

    /// Open transactions: `(producer id, first offset)`.
    pub fn open_transactions(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.ongoing.iter().map(|(&id, &first)| (id, first))
    }

    /// Aborted transactions that end at or after `from`, as a fetch answers them.
    pub fn aborted_since(&self, from: u64) -> impl Iterator<Item = &AbortedTxn> + '_ {
        self.aborted.iter().filter(move |a| a.last_offset >= from)
    }

    /// The newest `n` aborted transactions, oldest first.
    pub fn aborted_newest(&self, n: usize) -> impl Iterator<Item = &AbortedTxn> + '_ {
        self.aborted.iter().skip(self.aborted.len().saturating_sub(n))
    }

    pub fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }

    /// Log end offset: the offset the next record will get.
    pub fn log_end_offset(&self) -> u64 {
        self.batches.last().map_or(self.log_start_offset, |b| b.last_offset + 1)
    }

    /// Every record, decoded from the batches, oldest first.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        self.batches.iter().flat_map(|b| self.decode_from(b))
    }

    /// The newest batches that hold `n` records (all of them in a shorter log), oldest first.
    pub fn newest_batches(&self, n: usize) -> &[LogBatch] {
        let mut held = 0;
        let first = self.batches.iter().rposition(|b| {
            held += b.records as usize;
            held >= n
        });
        &self.batches[first.unwrap_or(0)..]
    }

    /// The newest `n` records (fewer in a shorter log), oldest first: only the batches holding
    /// them ([`Self::newest_batches`]) are decoded.
    pub fn newest_records(&self, n: usize) -> Vec<Record> {
        let mut records: Vec<Record> = self.newest_batches(n).iter().flat_map(|b| self.decode_from(b)).collect();
        records.drain(..records.len().saturating_sub(n));
        records
    }

    /// Records in the log (a batch partly below the log start counts whole).
    pub fn record_count(&self) -> usize {
        self.record_count
    }

    /// Counts the records and bytes again after batches went or changed (retention, truncation, cleaning).
    fn recount(&mut self) {
        self.record_count = self.batches.iter().map(|b| b.records as usize).sum();
        self.size_bytes = self.batches.iter().map(|b| b.bytes.len()).sum();
    }

    /// The first record below `end` whose timestamp is at least `ms` (ListOffsets by
    /// timestamp): only a batch whose newest record is that new is decoded.
    pub fn offset_for_timestamp(&self, ms: u64, end: u64) -> Option<u64> {
        self.batches
            .iter()
            .take_while(|b| b.base_offset < end)
            .filter(|b| b.max_timestamp_ms >= ms)
            .flat_map(|b| self.decode_from(b))
            .find(|r| r.offset < end && r.timestamp_ms >= ms)
            .map(|r| r.offset)
    }

    /// A stored batch's records at or above the log start. Every stored batch was checked
    /// when it was appended (decoded by the leader, its CRC by a follower), so none fails here.
    fn decode_from(&self, b: &LogBatch) -> impl Iterator<Item = Record> {
        let decoded = b.decode();
        debug_assert!(decoded.is_ok(), "a stored batch at offset {} does not decode", b.base_offset);
        let start = self.log_start_offset;
        decoded.unwrap_or_default().into_iter().filter(move |r| r.offset >= start)
    }

    pub fn batches(&self) -> &[LogBatch] {
        &self.batches
    }

    /// Bytes of stored batches: what a segment would hold on disk.
    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }

    /// The epoch of the last record, as a follower reports it in Fetch (`lastFetchedEpoch`).
    pub fn latest_epoch(&self) -> Option<u32> {
        self.epochs.last().map(|&(e, _)| e)
    }

    pub fn epochs(&self) -> &[(u32, u64)] {
        &self.epochs
    }

    /// Whether `count` more records fit under the playground's per-partition limit.
    pub fn has_room_for(&self, count: usize) -> bool {
        self.record_count + count <= RECORDS_PER_PARTITION_MAX
    }

    /// A leader appends a producer's batch, checked, at the log end: stamps its base offset
    /// and the leader epoch into the bytes (both outside the CRC); returns the base offset.
    pub fn append(&mut self, checked: &batch::Validated, mut bytes: BatchBytes, leader_epoch: u32) -> u64 {
        let base = self.log_end_offset();
        bytes.stamp(base, leader_epoch);
        self.note_epoch(leader_epoch, base);
        let count = checked.header.count;
        let last = base + count.max(1) as u64 - 1;
        let header = &checked.header.batch;
        // The newest record time, as LogValidator computes it (LogAppendTime: the broker's).
        let max_timestamp_ms = match header.timestamp_type {
            TimestampType::CreateTime => checked.max_record_timestamp,
            TimestampType::LogAppendTime => header.max_timestamp,
        }
        .max(0) as u64;
        self.note_segment(base, bytes.len() as u64, max_timestamp_ms);
        self.note_producer(&bytes, base, last);
        self.record_count += count;
        self.size_bytes += bytes.len();
        self.batches.push(LogBatch {
            base_offset: base,
            last_offset: last,
            leader_epoch,
            compression: header.compression,
            max_timestamp_ms,
            records: count as u32,
            bytes: Rc::new(bytes),
        });
        base
    }

    /// A follower appends batches fetched from the leader, checking each one's CRC
    /// but not decoding its records (Kafka's `appendAsFollower`). Only a contiguous
    /// continuation is taken; a stale or damaged batch stops the append.
    pub fn append_replicated(&mut self, batches: &[LogBatch]) -> Result<(), BatchError> {
        for b in batches {
            // A compacted leader may skip offsets: a batch continues the log when it ends past its end.
            if b.last_offset < self.log_end_offset()
                || (b.base_offset < self.log_end_offset() && !self.batches.is_empty())
            {
                continue;
            }
            let header = b.bytes.header()?;
            // What the log keeps of a batch comes from its checked bytes, not from the fetch's word.
            let checked = LogBatch::new(&header, b.bytes.clone());
            self.note_epoch(checked.leader_epoch, checked.base_offset);
            self.note_segment(checked.base_offset, checked.bytes.len() as u64, checked.max_timestamp_ms);
            self.note_producer(&checked.bytes, checked.base_offset, checked.last_offset);
            self.record_count += header.count;
            self.size_bytes += checked.bytes.len();
            self.batches.push(checked);
        }
        Ok(())
    }

    /// A new leader records that its epoch starts at its log end offset
    /// (`LeaderEpochFileCache.assign`), so others can find where they diverge.
    pub fn assign_epoch(&mut self, epoch: u32) {
        let leo = self.log_end_offset();
        self.note_epoch(epoch, leo);
    }

    fn note_epoch(&mut self, epoch: u32, start: u64) {
        if self.latest_epoch().is_none_or(|e| epoch > e) {
            self.epochs.push((epoch, start));
        }
    }

    /// Removes every batch holding an offset at or above `offset`, as Kafka's
    /// `LogSegment.truncateTo` does: a batch is kept or dropped whole.
    pub fn truncate_to(&mut self, offset: u64) {
        self.batches.retain(|b| b.last_offset < offset);
        self.recount();
        let leo = self.log_end_offset();
        self.first_cleaned.retain(|&o, _| o < leo);
        // Segments past the end go; the last one left holds only what remains of it.
        self.segments.retain(|s| s.base_offset < leo);
        let batches = &self.batches;
        if let Some(last) = self.segments.last_mut() {
            let base = last.base_offset;
            let kept = || batches.iter().filter(|b| b.base_offset >= base);
            last.size_bytes = kept().map(|b| b.bytes.len() as u64).sum();
            last.max_timestamp_ms = kept().map(|b| b.max_timestamp_ms).max().unwrap_or(last.first_timestamp_ms);
        }
        // An epoch that starts at or past the new end has no records left.
        self.epochs.retain(|&(_, start)| start < leo);
        // Producer and transaction state comes back from what the log still holds.
        self.producers.clear();
        self.ongoing.clear();
        self.aborted.clear();
        self.unreplicated.clear();
        let kept: Vec<(Rc<BatchBytes>, u64, u64)> =
            self.batches.iter().map(|b| (b.bytes.clone(), b.base_offset, b.last_offset)).collect();
        for (bytes, base, last) in kept {
            self.note_producer(&bytes, base, last);
        }
    }

    /// Kafka's OffsetsForLeaderEpoch answer: the largest epoch at or below
    /// `epoch` this log knows, and the offset where it ended (the start of the
    /// next epoch, or the log end offset for the latest one).
    pub fn end_offset_for_epoch(&self, epoch: u32) -> Option<(u32, u64)> {
        let i = self.epochs.iter().rposition(|&(e, _)| e <= epoch)?;
        let end = self.epochs.get(i + 1).map_or(self.log_end_offset(), |&(_, start)| start);
        Some((self.epochs[i].0, end))
    }

    /// Whole batches holding offsets from `offset` (inclusive) to `end`
    /// (exclusive), stopping once `max_bytes` is reached but always returning
    /// at least one batch, as Kafka does so that a large batch never blocks a reader.
    pub fn read(&self, offset: u64, end: u64, max_bytes: usize, min_one: bool) -> Vec<LogBatch> {
        // Most fetches find a follower or a consumer caught up: nothing to search for.
        if offset >= end {
            return Vec::new();
        }
        let first = self.batches.partition_point(|b| b.last_offset < offset);
        let mut out = Vec::new();
        let mut bytes = 0;
        for b in &self.batches[first..] {
            let first_may_exceed = min_one && out.is_empty();
            if b.last_offset >= end || (!first_may_exceed && bytes + b.bytes.len() > max_bytes) {
                break;
            }
            bytes += b.bytes.len();
            out.push(b.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Compression;
    use crate::protocol::RecordData;
    use alloc::vec;

    fn data(value: &str) -> RecordData {
        RecordData { timestamp_ms: 0, key: None, value: Some(value.as_bytes().to_vec()), headers: vec![] }
    }

    fn append(log: &mut PartitionLog, values: &[&str], epoch: u32) -> u64 {
        let batch = RecordBatch::from_records(&values.iter().map(|v| data(v)).collect::<Vec<_>>(), Compression::None);
        let bytes = batch.encode().unwrap();
        log.append(&RecordBatch::validate(&bytes).unwrap(), bytes, epoch)
    }

    /// A batch of records at the given CreateTimes, values `v<ts>`.
    fn append_at(log: &mut PartitionLog, times_ms: &[u64]) -> u64 {
        let records: Vec<RecordData> =
            times_ms.iter().map(|&t| RecordData { timestamp_ms: t, ..data(&alloc::format!("v{t}")) }).collect();
        let bytes = RecordBatch::from_records(&records, Compression::None).encode().unwrap();
        log.append(&RecordBatch::validate(&bytes).unwrap(), bytes, 0)
    }

    fn values(records: impl IntoIterator<Item = Record>) -> Vec<String> {
        records.into_iter().map(|r| String::from_utf8(r.value.unwrap().to_vec()).unwrap()).collect()
    }

    /// UnifiedLogTest's set-up for the retention cases: segments of five one-record batches
    /// (`segmentBytes = createRecords.sizeInBytes * 5`), `count` batches at `timestamp_ms`.
    /// Returns the log and one batch's size.
    fn log_of_single_record_batches(count: usize, timestamp_ms: u64) -> (PartitionLog, u64) {
        let mut log = PartitionLog::default();
        let size = {
            let records = [RecordData { timestamp_ms, ..data("test") }];
            RecordBatch::from_records(&records, Compression::None).encode().unwrap().len() as u64
        };
        log.roll = RollConfig { segment_bytes: size * 5, ..RollConfig::default() };
        for _ in 0..count {
            let records = [RecordData { timestamp_ms, ..data("test") }];
            let bytes = RecordBatch::from_records(&records, Compression::None).encode().unwrap();
            log.append(&RecordBatch::validate(&bytes).unwrap(), bytes, 0);
        }
        (log, size)
    }

    /// ProducerStateManagerTest's `appendClientEntry`: checks a one-record batch of producer 1
    /// at `epoch` and `sequence`, and appends it if the check lets it in.
    fn append_client_entry(log: &mut PartitionLog, epoch: i16, sequence: i32) -> Result<SequenceCheck, KafkaError> {
        let check = log.check_sequence(1, epoch, sequence, 1)?;
        if check == SequenceCheck::Append {
            let mut batch = RecordBatch::from_records(&[data("v")], Compression::None);
            (batch.producer_id, batch.producer_epoch, batch.base_sequence) = (1, epoch, sequence);
            let bytes = batch.encode().unwrap();
            log.append(&RecordBatch::validate(&bytes).unwrap(), bytes, 0);
        }
        Ok(check)
    }

    #[test]
    fn test_basic_id_mapping() {
        let mut log = PartitionLog::default();
        assert_eq!(append_client_entry(&mut log, 0, 0), Ok(SequenceCheck::Append));
        assert_eq!(append_client_entry(&mut log, 0, 1), Ok(SequenceCheck::Append));
        // Kafka's state manager alone refuses the repeat; its log finds it among the last five first.
        assert_eq!(
            append_client_entry(&mut log, 0, 1),
            Ok(SequenceCheck::Duplicate { base_offset: 1, last_offset: 1 })
        );
        // Greater than the next expected sequence.
        assert_eq!(append_client_entry(&mut log, 0, 5), Err(KafkaError::OutOfOrderSequenceNumber));
        // A new epoch starts at 0; the old one is fenced.
        assert_eq!(append_client_entry(&mut log, 1, 0), Ok(SequenceCheck::Append));
        assert_eq!(append_client_entry(&mut log, 0, 0), Err(KafkaError::InvalidProducerEpoch));
        assert_eq!(append_client_entry(&mut log, 2, 3), Err(KafkaError::OutOfOrderSequenceNumber));
    }

    /// `ProducerAppendInfo.checkSequence`: "If there is no current producer epoch (possibly because
    /// all producer records have been deleted due to retention or the DeleteRecords API) accept
    /// writes with any sequence number"; the next one must follow it.
    #[test]
    fn a_producer_without_state_starts_at_any_sequence() {
        let mut log = PartitionLog::default();
        assert_eq!(append_client_entry(&mut log, 5, 16), Ok(SequenceCheck::Append));
        assert_eq!(append_client_entry(&mut log, 5, 18), Err(KafkaError::OutOfOrderSequenceNumber));
        assert_eq!(append_client_entry(&mut log, 5, 17), Ok(SequenceCheck::Append));
    }

    const NOW_MS: u64 = 1_000_000;

    #[test]
    fn should_delete_size_based_segments() {
        let (mut log, size) = log_of_single_record_batches(15, NOW_MS);
        assert_eq!(log.segments().len(), 3);
        let hw = log.log_end_offset();
        log.apply_retention(NOW_MS, -1, (size * 10) as i64, hw);
        assert_eq!(log.segments().len(), 2, "should have 2 segments");
    }

    #[test]
    fn should_not_delete_size_based_segments_when_under_retention_size() {
        let (mut log, size) = log_of_single_record_batches(15, NOW_MS);
        let hw = log.log_end_offset();
        assert_eq!(log.apply_retention(NOW_MS, -1, (size * 15) as i64, hw), None);
        assert_eq!(log.segments().len(), 3, "should have 3 segments");
    }

    /// The active segment breaches retention.ms too: every segment goes, and an empty one is rolled
    /// at the log end.
    #[test]
    fn should_delete_time_based_segments_ready_to_be_deleted() {
        let (mut log, _) = log_of_single_record_batches(15, 10);
        let hw = log.log_end_offset();
        let deleted = log.apply_retention(NOW_MS, 10_000, -1, hw).unwrap();
        assert_eq!(deleted.segments, 3);
        assert_eq!(log.segments().len(), 1, "There should be 1 segment remaining");
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (15, 15));
        assert_eq!(log.segments()[0].base_offset, 15);
        assert_eq!(log.segments()[0].size_bytes, 0);
        // The empty active segment is never deleted, and the next record goes into it.
        assert_eq!(log.apply_retention(NOW_MS + 60_000, 10_000, -1, hw), None);
        append_at(&mut log, &[NOW_MS]);
        assert_eq!((log.segments().len(), log.segments()[0].first_timestamp_ms), (1, NOW_MS));
    }

    #[test]
    fn should_not_delete_time_based_segments_when_none_ready_to_be_deleted() {
        let (mut log, _) = log_of_single_record_batches(15, NOW_MS);
        let hw = log.log_end_offset();
        assert_eq!(log.apply_retention(NOW_MS, 10_000_000, -1, hw), None);
        assert_eq!(log.segments().len(), 3, "There should be 3 segments remaining");
    }

    /// UnifiedLogTest.testLogDeletionAfterDeleteRecords: DeleteRecords moves the log start; the
    /// segments wholly below it go at the next retention check, never the active one.
    #[test]
    fn test_log_deletion_after_delete_records() {
        let (mut log, _) = log_of_single_record_batches(15, NOW_MS);
        assert_eq!(log.segments().len(), 3, "should have 3 segments");
        let hw = log.log_end_offset();
        assert!(log.delete_records(1));
        log.apply_retention(NOW_MS, -1, -1, hw);
        assert_eq!((log.segments().len(), log.log_start_offset()), (3, 1), "should have 3 segments");
        assert!(log.delete_records(6));
        assert_eq!(log.segments().len(), 3, "DeleteRecords alone deletes no segment");
        log.apply_retention(NOW_MS, -1, -1, hw);
        assert_eq!((log.segments().len(), log.log_start_offset()), (2, 6), "should have 2 segments");
        assert!(log.delete_records(15));
        log.apply_retention(NOW_MS, -1, -1, hw);
        assert_eq!((log.segments().len(), log.log_start_offset()), (1, 15), "should have 1 segments");
    }

    /// UnifiedLogTest.testDeleteOldSegments, its high-watermark part: only segments wholly below
    /// the high watermark are deleted; with it at the log end, all of them.
    #[test]
    fn test_delete_old_segments() {
        let (mut log, _) = log_of_single_record_batches(100, NOW_MS - 1_000);
        let segments = log.segments().len();
        log.apply_retention(NOW_MS, 999, -1, 0);
        assert_eq!((log.segments().len(), log.log_start_offset()), (segments, 0));
        for hw in 25..=30 {
            log.apply_retention(NOW_MS, 999, -1, hw);
            assert!(log.log_start_offset() <= hw);
            let last_offsets = log.segments().windows(2).map(|w| w[1].base_offset - 1);
            for last in last_offsets.chain([log.log_end_offset() - 1]) {
                assert!(last >= hw, "a segment ending at {last} is left below the high watermark {hw}");
            }
        }
        log.apply_retention(NOW_MS, 999, -1, log.log_end_offset());
        assert_eq!(log.segments().len(), 1, "The deleted segments should be gone.");
    }

    #[test]
    fn records_are_decoded_when_read_newest_first_batches_only() {
        let mut log = PartitionLog::default();
        append(&mut log, &["a", "b", "c"], 0);
        append(&mut log, &["d", "e"], 0);
        append(&mut log, &["f"], 0);
        assert_eq!(log.record_count(), 6);
        assert_eq!(values(log.newest_records(2)), ["e", "f"], "across a batch boundary");
        assert_eq!(values(log.newest_records(4)), ["c", "d", "e", "f"]);
        assert_eq!(values(log.newest_records(10)), ["a", "b", "c", "d", "e", "f"], "fewer in a shorter log");
        // DeleteRecords inside the first batch: the records below the new start are gone from every read.
        assert!(log.delete_records(2));
        assert_eq!(values(log.records()), ["c", "d", "e", "f"]);
        assert_eq!(values(log.newest_records(10)), ["c", "d", "e", "f"]);
        log.truncate_to(5);
        assert_eq!((log.record_count(), values(log.records())), (5, vec!["c".into(), "d".into(), "e".into()]));
    }

    #[test]
    fn a_timestamp_lookup_finds_the_first_record_that_new_below_the_end() {
        let mut log = PartitionLog::default();
        append_at(&mut log, &[100, 300, 200]);
        append_at(&mut log, &[400, 250]);
        assert_eq!(log.offset_for_timestamp(0, 5), Some(0));
        assert_eq!(log.offset_for_timestamp(150, 5), Some(1), "the first at or after, in offset order");
        assert_eq!(log.offset_for_timestamp(301, 5), Some(3), "in the second batch");
        assert_eq!(log.offset_for_timestamp(301, 3), None, "only below the end (the high watermark)");
        assert_eq!(log.offset_for_timestamp(401, 5), None);
        assert_eq!(log.batches()[0].max_timestamp_ms, 300, "a batch keeps its newest time");
    }

    #[test]
    fn offsets_are_consecutive_and_stamped_into_the_bytes() {
        let mut log = PartitionLog::default();
        assert_eq!(append(&mut log, &["a", "b"], 0), 0);
        assert_eq!(append(&mut log, &["c"], 3), 2);
        assert_eq!(log.log_end_offset(), 3);
        let offsets: Vec<u64> = log.records().map(|r| r.offset).collect();
        assert_eq!(offsets, [0, 1, 2]);
        let (second, _) = RecordBatch::decode(&log.batches()[1].bytes).unwrap();
        assert_eq!((second.base_offset, second.partition_leader_epoch), (2, 3));
        assert_eq!(log.size_bytes(), log.batches().iter().map(|b| b.bytes.len()).sum::<usize>());
    }

    #[test]
    fn read_returns_whole_batches_within_end_and_bytes_but_at_least_one() {
        let mut log = PartitionLog::default();
        append(&mut log, &["aaaa", "bbbb"], 0);
        append(&mut log, &["cccc"], 0);
        append(&mut log, &["dddd"], 0);
        assert_eq!(log.read(0, 3, 10_000, true).len(), 2, "stops before the batch past end");
        assert_eq!(log.read(1, 4, 10_000, true)[0].base_offset, 0, "the batch holding offset 1 starts at 0");
        assert_eq!(log.read(0, 4, 1, true).len(), 1, "at least one batch");
        assert!(log.read(0, 4, 1, false).is_empty(), "none when the first does not fit and need not");
        assert!(log.read(4, 4, 100, true).is_empty());
    }

    #[test]
    fn epoch_end_offsets_answer_like_offsets_for_leader_epoch() {
        let mut log = PartitionLog::default();
        append(&mut log, &["a", "b"], 0);
        append(&mut log, &["c"], 2);
        assert_eq!(log.epochs(), [(0, 0), (2, 2)]);
        assert_eq!(log.end_offset_for_epoch(0), Some((0, 2)));
        assert_eq!(log.end_offset_for_epoch(1), Some((0, 2)), "unknown epoch 1: epoch 0 ends at 2");
        assert_eq!(log.end_offset_for_epoch(2), Some((2, 3)));
        assert_eq!(log.end_offset_for_epoch(9), Some((2, 3)));
    }

    #[test]
    fn truncation_drops_whole_batches_and_their_epochs() {
        let mut log = PartitionLog::default();
        append(&mut log, &["a", "b"], 0);
        append(&mut log, &["c", "d"], 1);
        let first_bytes = log.batches()[0].bytes.len();
        log.truncate_to(3);
        assert_eq!(log.log_end_offset(), 2, "offset 3 is inside the second batch: it goes whole");
        assert_eq!(log.epochs(), [(0, 0)]);
        assert_eq!((log.records().count(), log.record_count()), (2, 2));
        assert_eq!(log.size_bytes(), first_bytes, "the bytes count what is left");
        log.truncate_to(0);
        assert_eq!(log.size_bytes(), 0);
        assert_eq!(log.epochs(), []);
        assert_eq!(log.latest_epoch(), None);
    }

    #[test]
    fn followers_append_what_continues_their_log_and_check_it() {
        let mut leader = PartitionLog::default();
        append(&mut leader, &["a"], 3);
        append(&mut leader, &["b"], 3);
        let mut follower = PartitionLog::default();
        follower.append_replicated(leader.batches()).unwrap();
        follower.append_replicated(leader.batches()).unwrap();
        assert_eq!(follower.log_end_offset(), 2, "batches already held are not appended twice");
        assert_eq!(follower.records().collect::<Vec<_>>(), leader.records().collect::<Vec<_>>());
        assert_eq!(follower.batches(), leader.batches(), "what a follower keeps of a batch is what its leader keeps");
        assert_eq!(follower.epochs(), [(3, 0)]);
        // A compacted leader may have no batch at an offset: the next one continues the log.
        let mut gap = PartitionLog::default();
        gap.append_replicated(&leader.batches()[1..]).unwrap();
        assert_eq!((gap.log_end_offset(), gap.records().count(), gap.record_count()), (2, 1, 1));
        let mut damaged = leader.batches()[0].clone();
        let mut bytes = damaged.bytes.to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        damaged.bytes = Rc::new(BatchBytes::new(bytes));
        assert!(PartitionLog::default().append_replicated(&[damaged]).is_err());
    }
}
