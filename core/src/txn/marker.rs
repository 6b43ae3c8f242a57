//! Transaction markers: the control record that ends a transaction in a
//! partition (`ControlRecordType` ABORT = 0, COMMIT = 1 in the key, after a
//! version; the value is `EndTransactionMarker`: version and the
//! coordinator's epoch), in a batch with the control and transactional
//! attributes set and the producer's id and epoch.

use crate::batch::{Compression, RecordBatch};
use crate::group::wire::{Reader, Writer};
use crate::protocol::RecordData;
use alloc::vec::Vec;

/// What a marker says. The values are Kafka's `ControlRecordType` ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ControlType {
    Abort = 0,
    Commit = 1,
}

/// The control record's key: version 0 and the type.
pub fn encode_key(control: ControlType) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(0);
    w.i16(control as i16);
    w.0
}

pub fn decode_key(key: &[u8]) -> Option<ControlType> {
    let mut r = Reader(key);
    r.i16()?;
    match r.i16()? {
        0 => Some(ControlType::Abort),
        1 => Some(ControlType::Commit),
        _ => None,
    }
}

/// A marker batch for producer `producer_id` at `epoch`, ready to append.
pub fn batch(producer_id: i64, epoch: i16, control: ControlType, coordinator_epoch: i32, now_ms: u64) -> RecordBatch {
    let mut value = Writer(Vec::new());
    value.i16(0);
    value.i32(coordinator_epoch);
    let record =
        RecordData { timestamp_ms: now_ms, key: Some(encode_key(control)), value: Some(value.0), headers: Vec::new() };
    let mut b = RecordBatch::from_records(&[record], Compression::None);
    b.producer_id = producer_id;
    b.producer_epoch = epoch;
    b.base_sequence = -1;
    b.is_transactional = true;
    b.is_control = true;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_a_control_batch_that_survives_encoding() {
        let b = batch(42, 1, ControlType::Commit, 0, 9_000);
        let bytes = b.encode().unwrap();
        let (back, _) = RecordBatch::decode(&bytes).unwrap();
        assert!(back.is_control && back.is_transactional);
        assert_eq!((back.producer_id, back.producer_epoch, back.base_sequence), (42, 1, -1));
        assert_eq!(back.records.len(), 1);
        assert_eq!(decode_key(back.records[0].key.as_deref().unwrap()), Some(ControlType::Commit));
        assert_eq!(encode_key(ControlType::Abort), [0, 0, 0, 0]);
    }
}
