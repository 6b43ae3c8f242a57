//! A share-partition's state as the share coordinator writes it to `__share_group_state`.
//!
//! Kafka's ShareSnapshotKey is (group id, topic id, partition); the simulation's topics have no
//! ids, so the key is its own type (0x7F01, which Kafka never uses) with the topic's name in the
//! id's place. The value has the fields of Kafka's ShareSnapshotValue, in order: snapshot epoch,
//! state epoch, leader epoch, start offset, and the state batches (first offset, last offset,
//! delivery state, delivery count), in Kafka's primitive encoding (`wire.rs`). Each write is a
//! whole snapshot (Kafka also writes ShareUpdate records between snapshots; a reader's result is
//! the same).

use super::wire::{Reader, Writer};
use crate::protocol::{ShareState, TopicPartition};
use alloc::string::String;
use alloc::vec::Vec;

const SHARE_SNAPSHOT_KEY_TYPE: i16 = 0x7F01;
const SHARE_SNAPSHOT_VERSION: i16 = 0;

pub fn encode_key(group: &str, tp: &TopicPartition) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(SHARE_SNAPSHOT_KEY_TYPE);
    w.string(group);
    w.string(tp.topic.as_str());
    w.i32(tp.partition as i32);
    w.0
}

pub fn decode_key(key: &[u8]) -> Option<(String, TopicPartition)> {
    let mut r = Reader(key);
    (r.i16()? == SHARE_SNAPSHOT_KEY_TYPE).then_some(())?;
    let group = r.string()?;
    let topic = r.string()?;
    let partition = u32::try_from(r.i32()?).ok()?;
    Some((group, TopicPartition::new(topic, partition)))
}

pub fn encode_value(snapshot_epoch: i32, s: &ShareState) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(SHARE_SNAPSHOT_VERSION);
    w.i32(snapshot_epoch);
    w.i32(s.state_epoch as i32);
    w.i32(s.leader_epoch as i32);
    w.i64(s.start_offset as i64);
    w.i32(s.batches.len() as i32);
    for &(first, last, state, count) in &s.batches {
        w.i64(first as i64);
        w.i64(last as i64);
        w.0.push(state);
        w.i16(count as i16);
    }
    w.0
}

pub fn decode_value(value: &[u8]) -> Option<ShareState> {
    let mut r = Reader(value);
    (r.i16()? == SHARE_SNAPSHOT_VERSION).then_some(())?;
    let _snapshot_epoch = r.i32()?;
    let state_epoch = u32::try_from(r.i32()?).ok()?;
    let leader_epoch = u32::try_from(r.i32()?).ok()?;
    let start_offset = u64::try_from(r.i64()?).ok()?;
    let mut batches = Vec::new();
    for _ in 0..r.count(19)? {
        let first = u64::try_from(r.i64()?).ok()?;
        let last = u64::try_from(r.i64()?).ok()?;
        let state = *r.take(1)?.first()?;
        let count = u16::try_from(r.i16()?).ok()?;
        batches.push((first, last, state, count));
    }
    Some(ShareState { state_epoch, leader_epoch, start_offset, batches })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_as_written() {
        let tp = TopicPartition::new("jobs", 2);
        let state = ShareState {
            state_epoch: 3,
            leader_epoch: 4,
            start_offset: 7,
            batches: alloc::vec![(7, 9, 0, 2), (10, 10, 4, 5)],
        };
        assert_eq!(decode_key(&encode_key("q", &tp)), Some((String::from("q"), tp)));
        assert_eq!(decode_value(&encode_value(1, &state)), Some(state));
        // A consumer group's snapshot key is not a share-partition's.
        assert_eq!(decode_key(&[0x7F, 0x00, 0, 1, b'g']), None);
    }
}
