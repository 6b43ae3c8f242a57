//! A batch as a partition's log stores it and a fetch answer carries it: its offsets, leader epoch,
//! compression, newest timestamp and record count beside its bytes (shared, not copied), and the
//! decoding of those bytes into records with absolute offsets. Below the broker (which keeps these
//! in its logs) and the protocol (whose Fetch and ShareFetch answers carry them), above the batch
//! codec.

use crate::batch::{self, BatchBytes, BatchError, Compression, RecordBatch, TimestampType};
use crate::record::Record;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// One stored batch. The bytes are shared, so handing a batch to a fetch is cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogBatch {
    pub base_offset: u64,
    pub last_offset: u64,
    pub leader_epoch: u32,
    pub compression: Compression,
    /// The newest record time in it (the header's maxTimestamp): segments roll and
    /// retention counts by it, and a timestamp lookup skips batches older than asked.
    pub max_timestamp_ms: u64,
    /// Records in it: fewer than its offsets span once the cleaner has removed some.
    pub records: u32,
    pub bytes: Rc<BatchBytes>,
}

impl LogBatch {
    pub(crate) fn new(header: &batch::CheckedHeader, bytes: Rc<BatchBytes>) -> LogBatch {
        let b = &header.batch;
        let base_offset = b.base_offset.max(0) as u64;
        LogBatch {
            base_offset,
            last_offset: base_offset + b.last_offset_delta.max(0) as u64,
            leader_epoch: b.partition_leader_epoch.max(0) as u32,
            compression: b.compression,
            max_timestamp_ms: b.max_timestamp.max(0) as u64,
            records: header.count as u32,
            bytes,
        }
    }

    /// Decodes the records, with their offsets, as a consumer or follower does.
    pub fn decode(&self) -> Result<Vec<Record>, BatchError> {
        let (batch, _) = BatchBytes::decode_shared(&self.bytes)?;
        Ok(into_records(batch))
    }
}

/// A decoded batch's records with absolute offsets and timestamps (with LogAppendTime, every
/// record carries the batch's max timestamp); keys, values and headers move, not copied.
pub fn into_records(mut batch: RecordBatch) -> Vec<Record> {
    let base = batch.base_offset.max(0) as u64;
    let records = core::mem::take(&mut batch.records);
    records
        .into_iter()
        .map(|r| {
            let control =
                if batch.is_control { r.key.as_deref().and_then(crate::txn::marker::decode_key) } else { None };
            Record {
                offset: base + r.offset_delta.max(0) as u64,
                leader_epoch: batch.partition_leader_epoch.max(0) as u32,
                timestamp_ms: match batch.timestamp_type {
                    TimestampType::CreateTime => (batch.base_timestamp + r.timestamp_delta).max(0) as u64,
                    TimestampType::LogAppendTime => batch.max_timestamp.max(0) as u64,
                },
                key: r.key,
                value: r.value,
                headers: r.headers,
                producer_id: batch.producer_id,
                transactional: batch.is_transactional,
                control,
            }
        })
        .collect()
}
