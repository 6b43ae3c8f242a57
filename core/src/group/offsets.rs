//! Committed offsets as `__consumer_offsets` stores them: one record per
//! group, topic and partition, in the byte layout of Kafka's
//! `OffsetCommitKey` (record type 1, then group, topic, partition) and
//! `OffsetCommitValue` version 3 (offset, leader epoch, metadata, commit
//! timestamp). The topic is compacted by key, so the latest commit of a
//! partition is the one that counts, and a record with a null value
//! (a tombstone) deletes it.

use super::wire::{Reader, Writer};
use crate::protocol::TopicPartition;
use alloc::string::String;
use alloc::vec::Vec;

/// The record type of an offset commit in a coordinator record key.
const OFFSET_COMMIT_KEY_TYPE: i16 = 1;
/// The value version Kafka 4.x writes for a commit without an expiry.
const OFFSET_COMMIT_VALUE_VERSION: i16 = 3;

/// A committed offset as the coordinator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub offset: u64,
    pub metadata: String,
    pub commit_timestamp_ms: u64,
}

/// The record key of a commit.
pub fn encode_key(group: &str, tp: &TopicPartition) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(OFFSET_COMMIT_KEY_TYPE);
    w.string(group);
    w.string(&tp.topic);
    w.i32(tp.partition as i32);
    w.0
}

/// The record value of a commit (leader epoch -1: the playground's consumers do not send one).
pub fn encode_value(c: &Committed) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(OFFSET_COMMIT_VALUE_VERSION);
    w.i64(c.offset as i64);
    w.i32(-1);
    w.string(&c.metadata);
    w.i64(c.commit_timestamp_ms as i64);
    w.0
}

/// A commit key's group and partition; `None` for other record types (group metadata).
pub fn decode_key(key: &[u8]) -> Option<(String, TopicPartition)> {
    let mut r = Reader(key);
    // Record types 0 and 1 are both offset commits (0 is the older key version).
    if !matches!(r.i16()?, 0 | 1) {
        return None;
    }
    let group = r.string()?;
    let topic = r.string()?;
    let partition = u32::try_from(r.i32()?).ok()?;
    Some((group, TopicPartition::new(topic, partition)))
}

/// A commit value of versions 1 to 3.
pub fn decode_value(value: &[u8]) -> Option<Committed> {
    let mut r = Reader(value);
    let version = r.i16()?;
    let offset = u64::try_from(r.i64()?).ok()?;
    if version >= 3 {
        r.i32()?;
    }
    let metadata = r.string()?;
    let commit_timestamp_ms = u64::try_from(r.i64()?).ok()?;
    Some(Committed { offset, metadata, commit_timestamp_ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_record_has_kafkas_layout_and_round_trips() {
        let tp = TopicPartition::new("t", 2);
        let key = encode_key("g", &tp);
        assert_eq!(key, [0, 1, 0, 1, b'g', 0, 1, b't', 0, 0, 0, 2]);
        let c = Committed { offset: 7, metadata: String::new(), commit_timestamp_ms: 1_000 };
        let value = encode_value(&c);
        // version 3, offset 7, leader epoch -1, metadata "", timestamp 1000
        let mut expected = alloc::vec![0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0, 0];
        expected.extend_from_slice(&1_000i64.to_be_bytes());
        assert_eq!(value, expected);
        assert_eq!(decode_key(&key), Some(("g".into(), tp)));
        assert_eq!(decode_value(&value), Some(c));
    }

    #[test]
    fn short_or_foreign_records_decode_to_none() {
        assert_eq!(decode_key(&[0, 2, 0, 1, b'g']), None);
        assert_eq!(decode_key(&[0, 1, 0, 9, b'g']), None);
        assert_eq!(decode_value(&[0, 3, 0]), None);
    }
}
