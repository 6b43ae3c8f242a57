//! Each partition's view, and the cache that keeps it from one view to the next.
//!
//! A playing page takes the view every frame, and in a large cluster most partitions did not
//! change since the frame before (a cluster of 600 partitions with traffic changes a few dozen a
//! frame). Building a partition's view decodes its newest records, which is most of a view's
//! cost; handing back last frame's view also lets the page skip the rows that did not change, by
//! pointer. A kept view is reused only when everything it was built from is still equal,
//! compared in place: the metadata, each replica's log end offset, the leader's offsets and
//! segments, and, for the records, the very batches they were decoded from (held by the cache,
//! so their addresses cannot be taken by other batches; a stored batch's bytes never change).

use super::{PartitionView, ABORTED_SHOWN, RECORDS_SHOWN};
use crate::batch::BatchBytes;
use crate::broker::log::PartitionLog;
use crate::broker::{Broker, Replica};
use crate::metadata::{PartitionState, TopicState};
use crate::protocol::TopicPartition;
use crate::sorted::SortedMap;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// What [`crate::sim::Sim::view_with`] kept of the last view it took, to take the next one
/// faster. Any cache works with any simulation: a view is only reused when what it shows is
/// equal, so a cache that is stale, empty or from another session costs time, never truth.
#[derive(Debug, Default)]
pub struct ViewCache {
    /// By topic name, each partition's kept view (in partition order).
    topics: SortedMap<String, Vec<Kept>>,
}

#[derive(Debug)]
struct Kept {
    view: Rc<PartitionView>,
    /// The stored batches `view.records` were decoded from, oldest first.
    decoded_from: Vec<Rc<BatchBytes>>,
}

impl ViewCache {
    /// The views of a topic's partitions: last view's where nothing changed, new ones elsewhere.
    /// The cache then holds these (and forgets topics not asked for since the last
    /// [`ViewCache::retain_seen`]).
    pub(super) fn topic(&mut self, t: &TopicState, brokers: &SortedMap<u32, Broker>) -> Vec<Rc<PartitionView>> {
        let mut kept = self.topics.remove(t.name.as_str()).unwrap_or_default().into_iter();
        // Each broker's replicas of the topic, walked alongside its partitions: the replica maps
        // are searched by name once a topic, not once a replica (a string comparison each step).
        let (first, last) = (TopicPartition::new(t.name.clone(), 0), TopicPartition::new(t.name.clone(), u32::MAX));
        let mut walks: Vec<_> =
            brokers.values().map(|b| (b.id, b.replicas.range_inclusive(&first, &last).peekable())).collect();
        let mut here: Vec<(u32, &Replica)> = Vec::new();
        let fresh: Vec<Kept> = t
            .partitions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let i = i as u32;
                here.clear();
                for (id, walk) in &mut walks {
                    while let Some((tp, r)) = walk.next_if(|(tp, _)| tp.partition <= i) {
                        if tp.partition == i {
                            here.push((*id, r));
                        }
                    }
                }
                let replica_of = |id: u32| here.iter().find(|(b, _)| *b == id).map(|(_, r)| *r);
                partition(i, p, replica_of, kept.next())
            })
            .collect();
        let views = fresh.iter().map(|k| Rc::clone(&k.view)).collect();
        self.topics.insert(String::from(t.name.as_str()), fresh);
        views
    }

    /// Forgets the topics that are gone (deleted ones' views would never be asked for again).
    pub(super) fn retain_seen(&mut self, topics: &SortedMap<String, TopicState>) {
        self.topics.retain(|name, _| topics.contains_key(name.as_str()));
    }
}

/// One partition's view: the kept one if nothing it shows changed, else a new one.
fn partition<'a>(
    i: u32,
    p: &PartitionState,
    replica_of: impl Fn(u32) -> Option<&'a Replica>,
    kept: Option<Kept>,
) -> Kept {
    let leader = p.leader.and_then(&replica_of);
    let log = leader.map(|r| &r.log);
    let newest = log.map_or(&[][..], |l| l.newest_batches(RECORDS_SHOWN));
    let replica_leo = |id: u32| replica_of(id).map_or(0, |r| r.log.log_end_offset());
    let scalars = Scalars::of(leader);
    if let Some(k) = kept {
        let v = &*k.view;
        let unchanged = v.partition == i
            && v.leader == p.leader
            && v.leader_epoch == p.leader_epoch
            && v.replicas == p.replicas
            && v.isr == p.isr
            && v.elr == p.elr
            && Scalars::shown(v) == scalars
            && v.replica_log_end_offsets.len() == p.replicas.len()
            && v.replica_log_end_offsets
                .iter()
                .zip(&p.replicas)
                .all(|(&(id, leo), &r)| id == r && leo == replica_leo(r))
            && v.segments == log.map_or(&[][..], |l| l.segments())
            && v.deleted_segments.iter().eq(deleted_segments(log))
            && v.last_cleaned.as_ref() == log.and_then(|l| l.last_cleaned.as_ref())
            && v.open_transactions.iter().copied().eq(open_transactions(log))
            && v.aborted_transactions.iter().eq(aborted_transactions(log))
            && k.decoded_from.len() == newest.len()
            && k.decoded_from.iter().zip(newest).all(|(a, b)| Rc::ptr_eq(a, &b.bytes));
        if unchanged {
            return k;
        }
    }
    let view = PartitionView {
        partition: i,
        leader: p.leader,
        leader_epoch: p.leader_epoch,
        replicas: p.replicas.clone(),
        isr: p.isr.clone(),
        elr: p.elr.clone(),
        log_start_offset: scalars.log_start_offset,
        high_watermark: scalars.high_watermark,
        log_end_offset: scalars.log_end_offset,
        replica_log_end_offsets: p.replicas.iter().map(|&id| (id, replica_leo(id))).collect(),
        segments: log.map(|l| l.segments().to_vec()).unwrap_or_default(),
        deleted_segments: deleted_segments(log).copied().collect(),
        last_cleaned: log.and_then(|l| l.last_cleaned.clone()),
        last_stable_offset: scalars.last_stable_offset,
        open_transactions: open_transactions(log).collect(),
        aborted_transactions: aborted_transactions(log).copied().collect(),
        batches: scalars.batches,
        size_bytes: scalars.size_bytes,
        record_count: scalars.record_count,
        records: log.map(|l| l.newest_records(RECORDS_SHOWN)).unwrap_or_default(),
    };
    Kept { view: Rc::new(view), decoded_from: newest.iter().map(|b| Rc::clone(&b.bytes)).collect() }
}

/// A partition view's numbers that come from the leader's replica (all 0 when it has none).
#[derive(PartialEq)]
struct Scalars {
    log_start_offset: u64,
    high_watermark: u64,
    log_end_offset: u64,
    last_stable_offset: u64,
    batches: usize,
    size_bytes: usize,
    record_count: usize,
}

impl Scalars {
    fn of(leader: Option<&Replica>) -> Scalars {
        let Some(r) = leader else {
            return Scalars {
                log_start_offset: 0,
                high_watermark: 0,
                log_end_offset: 0,
                last_stable_offset: 0,
                batches: 0,
                size_bytes: 0,
                record_count: 0,
            };
        };
        Scalars {
            log_start_offset: r.log.log_start_offset(),
            high_watermark: r.high_watermark,
            log_end_offset: r.log.log_end_offset(),
            last_stable_offset: r.log.last_stable_offset(r.high_watermark),
            batches: r.log.batches().len(),
            size_bytes: r.log.size_bytes(),
            record_count: r.log.record_count(),
        }
    }

    fn shown(v: &PartitionView) -> Scalars {
        Scalars {
            log_start_offset: v.log_start_offset,
            high_watermark: v.high_watermark,
            log_end_offset: v.log_end_offset,
            last_stable_offset: v.last_stable_offset,
            batches: v.batches,
            size_bytes: v.size_bytes,
            record_count: v.record_count,
        }
    }
}

fn deleted_segments(log: Option<&PartitionLog>) -> impl Iterator<Item = &(crate::broker::log::Segment, u64)> {
    log.into_iter().flat_map(|l| l.deleted_segments.iter())
}

fn open_transactions(log: Option<&PartitionLog>) -> impl Iterator<Item = (i64, u64)> + '_ {
    log.into_iter().flat_map(|l| l.open_transactions())
}

fn aborted_transactions(log: Option<&PartitionLog>) -> impl Iterator<Item = &crate::broker::log::AbortedTxn> {
    log.into_iter().flat_map(|l| l.aborted_newest(ABORTED_SHOWN))
}
