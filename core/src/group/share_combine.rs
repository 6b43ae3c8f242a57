//! Kafka's `PersisterStateBatchCombiner`: the share coordinator's merge of a share-partition's
//! state batches with the batches a write or a ShareUpdate record brings.
//!
//! A batch is `(first offset, last offset, delivery state, delivery count)` (Kafka's
//! `PersisterStateBatch`). Batches below the start offset are dropped and a batch across it is cut
//! at it; where batches overlap, the one with the higher delivery count wins, then the one with the
//! higher delivery state (Archived 4 over Acknowledged 2 over Available 0): a record only ever moves
//! to a higher count or a later state, so the winner is the newer word on it whichever record
//! carried it. Adjacent pieces with the same state and count are joined.

use alloc::vec::Vec;

/// `(first offset, last offset, delivery state, delivery count)`.
pub type StateBatch = (u64, u64, u8, u16);

/// `combineStateBatches`: `so_far` and `new` merged over `start_offset` (`None`: Kafka's -1, no
/// pruning).
pub fn combine_state_batches(so_far: &[StateBatch], new: &[StateBatch], start_offset: Option<u64>) -> Vec<StateBatch> {
    let mut pruned: Vec<StateBatch> = Vec::with_capacity(so_far.len() + new.len());
    for &(first, last, state, count) in so_far.iter().chain(new) {
        match start_offset {
            Some(start) if last < start => {}
            Some(start) if first < start => pruned.push((start, last, state, count)),
            _ => pruned.push((first, last, state, count)),
        }
    }
    if pruned.len() <= 1 {
        return pruned;
    }
    sweep_merge(&pruned)
}

/// The sweep over batch boundaries (`sweepMerge`): at each boundary the active batch of highest
/// priority owns the offsets up to the next boundary.
fn sweep_merge(batches: &[StateBatch]) -> Vec<StateBatch> {
    // (offset, is a begin, priority): ends sort before begins at one offset, as Kafka's
    // `Boolean.compare(e1.isBegin, e2.isBegin)`; the end is the offset after the last.
    let mut events: Vec<(u64, bool, (u16, u8))> = Vec::with_capacity(batches.len() * 2);
    for &(first, last, state, count) in batches {
        events.push((first, true, (count, state)));
        events.push((last.saturating_add(1), false, (count, state)));
    }
    events.sort_by_key(|e| (e.0, e.1));
    // The active priorities with how many batches hold each, highest first when read from the end.
    let mut active: Vec<((u16, u8), u32)> = Vec::new();
    let mut out: Vec<StateBatch> = Vec::new();
    let (mut open_from, mut open_winner) = (0u64, None::<(u16, u8)>);
    let mut i = 0;
    while i < events.len() {
        let offset = events[i].0;
        if let Some(winner) = open_winner.filter(|_| offset > open_from) {
            append_coalesced(&mut out, open_from, offset - 1, winner);
        }
        while i < events.len() && events[i].0 == offset {
            let (_, begin, priority) = events[i];
            i += 1;
            match active.binary_search_by(|(p, _)| p.cmp(&priority)) {
                Ok(at) if begin => active[at].1 += 1,
                Err(at) if begin => active.insert(at, (priority, 1)),
                Ok(at) if active[at].1 > 1 => active[at].1 -= 1,
                Ok(at) => drop(active.remove(at)),
                // An end always follows its begin: the sort puts it at a later offset.
                Err(_) => debug_assert!(false, "a batch ended that never began"),
            }
        }
        open_winner = active.last().map(|(p, _)| *p);
        open_from = offset;
    }
    out
}

fn append_coalesced(out: &mut Vec<StateBatch>, from: u64, to: u64, (count, state): (u16, u8)) {
    match out.last_mut() {
        Some(tail) if tail.1 + 1 == from && tail.2 == state && tail.3 == count => tail.1 = to,
        _ => out.push((from, to, state, count)),
    }
}
