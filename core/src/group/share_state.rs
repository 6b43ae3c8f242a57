//! A share-partition's state as the share coordinator writes it to `__share_group_state`: Kafka's
//! two record types, a snapshot (ShareSnapshotValue: the whole state) and an update
//! (ShareUpdateValue: the batches one write changed, merged into the state by
//! `share_combine::combine_state_batches` when read back). The coordinator writes updates, and a
//! snapshot again after `share.coordinator.snapshot.update.records.per.snapshot` of them.
//!
//! Kafka's ShareSnapshotKey and ShareUpdateKey are (group id, topic id, partition); the
//! simulation's topics have no ids, so the keys are types of its own (0x7F01 and 0x7F03, which
//! Kafka never uses) with the topic's name in the id's place. The values have the fields of Kafka's,
//! in order: snapshot epoch, state epoch (a snapshot only), leader epoch, start offset (an update's
//! -1: not moved), a snapshot's create and write timestamps, and the state batches (first offset,
//! last offset, delivery state, delivery count), in Kafka's primitive encoding (`wire.rs`).

use super::share_combine::StateBatch;
use super::wire::{Reader, Writer};
use crate::protocol::{ShareState, TopicPartition};
use alloc::string::String;
use alloc::vec::Vec;

const SHARE_SNAPSHOT_KEY_TYPE: i16 = 0x7F01;
const SHARE_UPDATE_KEY_TYPE: i16 = 0x7F03;
const SHARE_SNAPSHOT_VERSION: i16 = 0;

/// Which of the two records a key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateRecord {
    Snapshot,
    Update,
}

/// What a ShareUpdate record says: the batches one write changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareUpdate {
    /// The snapshot it follows.
    pub snapshot_epoch: i32,
    pub leader_epoch: u32,
    /// `None`: Kafka's -1, the start offset did not move.
    pub start_offset: Option<u64>,
    pub batches: Vec<StateBatch>,
}

pub fn encode_key(kind: StateRecord, group: &str, tp: &TopicPartition) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(match kind {
        StateRecord::Snapshot => SHARE_SNAPSHOT_KEY_TYPE,
        StateRecord::Update => SHARE_UPDATE_KEY_TYPE,
    });
    w.string(group);
    w.string(tp.topic.as_str());
    w.i32(tp.partition as i32);
    w.0
}

/// The record type, group and share-partition a key names; `None` for another key.
pub fn decode_key(key: &[u8]) -> Option<(StateRecord, String, TopicPartition)> {
    let mut r = Reader(key);
    let kind = match r.i16()? {
        SHARE_SNAPSHOT_KEY_TYPE => StateRecord::Snapshot,
        SHARE_UPDATE_KEY_TYPE => StateRecord::Update,
        _ => return None,
    };
    let group = r.string()?;
    let topic = r.string()?;
    let partition = u32::try_from(r.i32()?).ok()?;
    r.0.is_empty().then_some(())?;
    Some((kind, group, TopicPartition::new(topic, partition)))
}

/// A snapshot's create and write timestamps (ms): a snapshot written for a write has both at its
/// time; a cold snapshot keeps the create time and takes the time it is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotTimes {
    pub create_ms: u64,
    pub write_ms: u64,
}

pub fn encode_value(snapshot_epoch: i32, s: &ShareState, times: SnapshotTimes) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(SHARE_SNAPSHOT_VERSION);
    w.i32(snapshot_epoch);
    w.i32(s.state_epoch as i32);
    w.i32(s.leader_epoch as i32);
    w.i64(s.start_offset as i64);
    w.i64(times.create_ms as i64);
    w.i64(times.write_ms as i64);
    write_batches(&mut w, &s.batches);
    w.0
}

pub fn encode_update_value(u: &ShareUpdate) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(SHARE_SNAPSHOT_VERSION);
    w.i32(u.snapshot_epoch);
    w.i32(u.leader_epoch as i32);
    w.i64(u.start_offset.map_or(-1, |o| o as i64));
    write_batches(&mut w, &u.batches);
    w.0
}

fn write_batches(w: &mut Writer, batches: &[StateBatch]) {
    w.i32(batches.len() as i32);
    for &(first, last, state, count) in batches {
        w.i64(first as i64);
        w.i64(last as i64);
        w.0.push(state);
        w.i16(count as i16);
    }
}

/// A snapshot's epoch, state and times; `None` for a damaged value.
pub fn decode_value(value: &[u8]) -> Option<(i32, ShareState, SnapshotTimes)> {
    let mut r = Reader(value);
    (r.i16()? == SHARE_SNAPSHOT_VERSION).then_some(())?;
    let snapshot_epoch = r.i32()?;
    let state_epoch = u32::try_from(r.i32()?).ok()?;
    let leader_epoch = u32::try_from(r.i32()?).ok()?;
    let start_offset = u64::try_from(r.i64()?).ok()?;
    let create_ms = u64::try_from(r.i64()?).ok()?;
    let write_ms = u64::try_from(r.i64()?).ok()?;
    let batches = read_batches(&mut r)?;
    let state = ShareState { state_epoch, leader_epoch, start_offset, batches };
    Some((snapshot_epoch, state, SnapshotTimes { create_ms, write_ms }))
}

/// An update; `None` for a damaged value.
pub fn decode_update_value(value: &[u8]) -> Option<ShareUpdate> {
    let mut r = Reader(value);
    (r.i16()? == SHARE_SNAPSHOT_VERSION).then_some(())?;
    let snapshot_epoch = r.i32()?;
    let leader_epoch = u32::try_from(r.i32()?).ok()?;
    let start_offset = match r.i64()? {
        -1 => None,
        o => Some(u64::try_from(o).ok()?),
    };
    let batches = read_batches(&mut r)?;
    Some(ShareUpdate { snapshot_epoch, leader_epoch, start_offset, batches })
}

fn read_batches(r: &mut Reader) -> Option<Vec<StateBatch>> {
    let mut batches = Vec::new();
    for _ in 0..r.count(19)? {
        let first = u64::try_from(r.i64()?).ok()?;
        let last = u64::try_from(r.i64()?).ok()?;
        let state = *r.take(1)?.first()?;
        let count = u16::try_from(r.i16()?).ok()?;
        batches.push((first, last, state, count));
    }
    r.0.is_empty().then_some(batches)
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
        let snapshot = (StateRecord::Snapshot, String::from("q"), tp.clone());
        assert_eq!(decode_key(&encode_key(StateRecord::Snapshot, "q", &tp)), Some(snapshot));
        assert_eq!(decode_key(&encode_key(StateRecord::Update, "q", &tp)), Some((StateRecord::Update, "q".into(), tp)));
        let times = SnapshotTimes { create_ms: 5, write_ms: 9 };
        assert_eq!(decode_value(&encode_value(1, &state, times)), Some((1, state, times)));
        let update =
            ShareUpdate { snapshot_epoch: 1, leader_epoch: 4, start_offset: None, batches: alloc::vec![(8, 8, 2, 1)] };
        let value = encode_update_value(&update);
        assert_eq!(decode_update_value(&value), Some(update));
        for cut in 0..value.len() {
            assert_eq!(decode_update_value(&value[..cut]), None, "a value cut at {cut} is damaged");
        }
        // A consumer group's snapshot key is not a share-partition's.
        assert_eq!(decode_key(&[0x7F, 0x00, 0, 1, b'g']), None);
    }
}
