//! A replica's log: records at consecutive offsets from the log start offset.
//! Segments, retention and compaction come with the log-lifecycle work; the
//! offsets and the log start offset already behave as Kafka's.

use crate::limits::RECORDS_PER_PARTITION_MAX;
use crate::protocol::RecordData;
use crate::record::Record;
use alloc::vec::Vec;

#[derive(Clone, Debug, Default)]
pub struct PartitionLog {
    log_start_offset: u64,
    records: Vec<Record>,
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

    /// Whether `count` more records fit under the playground's per-partition limit.
    pub fn has_room_for(&self, count: usize) -> bool {
        self.records.len() + count <= RECORDS_PER_PARTITION_MAX
    }

    /// Appends records at the log end; returns the base offset.
    pub fn append(&mut self, batch: &[RecordData]) -> u64 {
        let base = self.log_end_offset();
        for (i, r) in batch.iter().enumerate() {
            self.records.push(Record {
                offset: base + i as u64,
                timestamp_ms: r.timestamp_ms,
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r.headers.clone(),
            });
        }
        base
    }

    /// Records from `offset` (inclusive) to `end` (exclusive), stopping once
    /// `max_bytes` of payload is reached but always returning at least one
    /// record, as Kafka does so that a large record never blocks a consumer.
    pub fn read(&self, offset: u64, end: u64, max_bytes: usize) -> Vec<Record> {
        let from = offset.saturating_sub(self.log_start_offset) as usize;
        let to = end
            .saturating_sub(self.log_start_offset)
            .min(self.records.len() as u64) as usize;
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
        RecordData {
            timestamp_ms: 0,
            key: None,
            value: Some(value.as_bytes().to_vec()),
            headers: vec![],
        }
    }

    #[test]
    fn offsets_are_consecutive_from_the_log_start() {
        let mut log = PartitionLog::default();
        assert_eq!(log.append(&[data("a"), data("b")]), 0);
        assert_eq!(log.append(&[data("c")]), 2);
        assert_eq!(log.log_end_offset(), 3);
        let offsets: Vec<u64> = log.records().iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [0, 1, 2]);
    }

    #[test]
    fn read_respects_end_and_bytes_but_returns_at_least_one_record() {
        let mut log = PartitionLog::default();
        log.append(&[data("aaaa"), data("bbbb"), data("cccc")]);
        assert_eq!(log.read(0, 2, 1_000).len(), 2, "stops at end");
        assert_eq!(log.read(0, 3, 1).len(), 1, "at least one record");
        assert_eq!(log.read(1, 3, 8).len(), 2);
        assert!(log.read(3, 3, 8).is_empty());
    }
}
