//! A transaction's state as `__transaction_state` stores it: Kafka's
//! `TransactionLogKey` (version 0, the transactional id) and
//! `TransactionLogValue` version 0 (producer id and epoch, timeout, status
//! byte, partitions by topic, last update and start timestamps). A new
//! coordinator reads these back after a failover.

use super::{TxnMetadata, TxnState};
use crate::group::wire::{Reader, Writer};
use alloc::string::String;
use alloc::vec::Vec;

const KEY_VERSION: i16 = 0;
const VALUE_VERSION: i16 = 0;

pub fn encode_key(transactional_id: &str) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(KEY_VERSION);
    w.string(transactional_id);
    w.0
}

pub fn decode_key(key: &[u8]) -> Option<String> {
    let mut r = Reader(key);
    (r.i16()? == KEY_VERSION).then_some(())?;
    let id = r.string()?;
    r.0.is_empty().then_some(id)
}

pub fn encode_value(m: &TxnMetadata) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(VALUE_VERSION);
    w.i64(m.producer_id);
    w.i16(m.producer_epoch);
    w.i32(m.timeout_ms.min(i32::MAX as u64) as i32);
    w.0.push(m.state.id() as u8);
    let partitions: Vec<_> = m.partitions.iter().cloned().collect();
    w.partitions(&partitions);
    w.i64(m.last_update_ms as i64);
    w.i64(m.start_ms.map_or(-1, |s| s as i64));
    w.0
}

pub fn decode_value(transactional_id: &str, value: &[u8]) -> Option<TxnMetadata> {
    let mut r = Reader(value);
    (r.i16()? == VALUE_VERSION).then_some(())?;
    let producer_id = r.i64()?;
    let producer_epoch = r.i16()?;
    let timeout_ms = u64::try_from(r.i32()?).ok()?;
    let state = TxnState::from_id(r.take(1)?[0] as i8)?;
    let partitions = r.partitions()?.into_iter().collect();
    let last_update_ms = u64::try_from(r.i64()?).ok()?;
    let start_ms = u64::try_from(r.i64()?).ok();
    Some(TxnMetadata {
        transactional_id: transactional_id.into(),
        producer_id,
        producer_epoch,
        timeout_ms,
        state,
        partitions,
        last_update_ms,
        start_ms,
        last_producer_epoch: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TopicPartition;

    #[test]
    fn a_state_reads_back_as_written() {
        let m = TxnMetadata {
            transactional_id: "payments".into(),
            producer_id: 1_000,
            producer_epoch: 3,
            timeout_ms: 60_000,
            state: TxnState::PrepareCommit,
            partitions: [TopicPartition::new("orders", 2), TopicPartition::new("__consumer_offsets", 17)]
                .into_iter()
                .collect(),
            last_update_ms: 5_000,
            start_ms: Some(4_000),
            last_producer_epoch: None,
        };
        let key = encode_key("payments");
        assert_eq!(key, [0, 0, 0, 8, b'p', b'a', b'y', b'm', b'e', b'n', b't', b's']);
        assert_eq!(decode_key(&key).as_deref(), Some("payments"));
        let value = encode_value(&m);
        assert_eq!(value[..2], [0, 0], "value version 0");
        assert_eq!(value[16], 2, "status byte of PrepareCommit");
        assert_eq!(decode_value("payments", &value), Some(m));
        for cut in 0..value.len() {
            assert_eq!(decode_value("payments", &value[..cut]), None, "cut at {cut}");
        }
    }
}
