//! A replica's log: records at consecutive offsets from the log start offset,
//! and the leader-epoch cache (which epoch started at which offset) that
//! replicas use to find where their logs diverge after a leader change.
//! Segments, retention and compaction come with the log-lifecycle work.

use crate::limits::RECORDS_PER_PARTITION_MAX;
use crate::protocol::RecordData;
use crate::record::Record;
use alloc::vec::Vec;

#[derive(Clone, Debug, Default)]
pub struct PartitionLog {
    log_start_offset: u64,
    records: Vec<Record>,
    /// `(leader epoch, start offset)`, epochs increasing (Kafka's `LeaderEpochFileCache`).
    epochs: Vec<(u32, u64)>,
}

impl PartitionLog {
    pub fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }

    /// Log end offset: the offset the next record will get.
    pub fn log_end_offset(&self) -> u64 {
        self.log_start_offset + self.records.len() as u64
    }

    pub fn records(&self) -> &[Record] {
        &self.records
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
        self.records.len() + count <= RECORDS_PER_PARTITION_MAX
    }

    /// A leader appends records of its epoch at the log end; returns the base offset.
    pub fn append(&mut self, batch: &[RecordData], leader_epoch: u32) -> u64 {
        let base = self.log_end_offset();
        self.note_epoch(leader_epoch, base);
        for (i, r) in batch.iter().enumerate() {
            self.records.push(Record {
                offset: base + i as u64,
                leader_epoch,
                timestamp_ms: r.timestamp_ms,
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r.headers.clone(),
            });
        }
        base
    }

    /// A follower appends what it fetched, keeping offsets and epochs.
    pub fn append_replicated(&mut self, records: &[Record]) {
        for r in records {
            if r.offset != self.log_end_offset() {
                // Only a contiguous continuation is appended; a stale response is ignored.
                continue;
            }
            self.note_epoch(r.leader_epoch, r.offset);
            self.records.push(r.clone());
        }
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

    /// Removes every record at or above `offset` (truncation after divergence).
    pub fn truncate_to(&mut self, offset: u64) {
        let keep = offset.saturating_sub(self.log_start_offset).min(self.records.len() as u64) as usize;
        self.records.truncate(keep);
        // An epoch that starts at or past the new end has no records left.
        let leo = self.log_end_offset();
        self.epochs.retain(|&(_, start)| start < leo);
    }

    /// Kafka's OffsetsForLeaderEpoch answer: the largest epoch at or below
    /// `epoch` this log knows, and the offset where it ended (the start of the
    /// next epoch, or the log end offset for the latest one).
    pub fn end_offset_for_epoch(&self, epoch: u32) -> Option<(u32, u64)> {
        let i = self.epochs.iter().rposition(|&(e, _)| e <= epoch)?;
        let end = self.epochs.get(i + 1).map_or(self.log_end_offset(), |&(_, start)| start);
        Some((self.epochs[i].0, end))
    }

    /// Records from `offset` (inclusive) to `end` (exclusive), stopping once
    /// `max_bytes` of payload is reached but always returning at least one
    /// record, as Kafka does so that a large record never blocks a reader.
    pub fn read(&self, offset: u64, end: u64, max_bytes: usize) -> Vec<Record> {
        let from = offset.saturating_sub(self.log_start_offset) as usize;
        let to = end.saturating_sub(self.log_start_offset).min(self.records.len() as u64) as usize;
        let mut out = Vec::new();
        let mut bytes = 0;
        for r in self.records.get(from..to).unwrap_or(&[]) {
            if !out.is_empty() && bytes + r.payload_bytes() > max_bytes {
                break;
            }
            bytes += r.payload_bytes();
            out.push(r.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn data(value: &str) -> RecordData {
        RecordData { timestamp_ms: 0, key: None, value: Some(value.as_bytes().to_vec()), headers: vec![] }
    }

    #[test]
    fn offsets_are_consecutive_from_the_log_start() {
        let mut log = PartitionLog::default();
        assert_eq!(log.append(&[data("a"), data("b")], 0), 0);
        assert_eq!(log.append(&[data("c")], 0), 2);
        assert_eq!(log.log_end_offset(), 3);
        let offsets: Vec<u64> = log.records().iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [0, 1, 2]);
    }

    #[test]
    fn read_respects_end_and_bytes_but_returns_at_least_one_record() {
        let mut log = PartitionLog::default();
        log.append(&[data("aaaa"), data("bbbb"), data("cccc")], 0);
        assert_eq!(log.read(0, 2, 1_000).len(), 2, "stops at end");
        assert_eq!(log.read(0, 3, 1).len(), 1, "at least one record");
        assert_eq!(log.read(1, 3, 8).len(), 2);
        assert!(log.read(3, 3, 8).is_empty());
    }

    #[test]
    fn epoch_end_offsets_answer_like_offsets_for_leader_epoch() {
        let mut log = PartitionLog::default();
        log.append(&[data("a"), data("b")], 0);
        log.append(&[data("c")], 2);
        assert_eq!(log.epochs(), [(0, 0), (2, 2)]);
        assert_eq!(log.end_offset_for_epoch(0), Some((0, 2)));
        assert_eq!(log.end_offset_for_epoch(1), Some((0, 2)), "unknown epoch 1: epoch 0 ends at 2");
        assert_eq!(log.end_offset_for_epoch(2), Some((2, 3)));
        assert_eq!(log.end_offset_for_epoch(9), Some((2, 3)));
    }

    #[test]
    fn truncation_drops_records_and_epochs_past_the_point() {
        let mut log = PartitionLog::default();
        log.append(&[data("a"), data("b")], 0);
        log.append(&[data("c"), data("d")], 1);
        log.truncate_to(2);
        assert_eq!(log.log_end_offset(), 2);
        assert_eq!(log.epochs(), [(0, 0)]);
        log.truncate_to(0);
        assert_eq!(log.epochs(), []);
        assert_eq!(log.latest_epoch(), None);
    }

    #[test]
    fn followers_append_only_contiguous_records() {
        let mut leader = PartitionLog::default();
        leader.append(&[data("a"), data("b")], 3);
        let mut follower = PartitionLog::default();
        follower.append_replicated(&leader.records()[1..]);
        assert_eq!(follower.log_end_offset(), 0, "a gap is not appended");
        follower.append_replicated(leader.records());
        assert_eq!(follower.log_end_offset(), 2);
        assert_eq!(follower.epochs(), [(3, 0)]);
    }
}
