//! Kafka's `PartitionChangeBuilder`: every change the controller makes to a partition's leader,
//! ISR and eligible leader replicas goes through [`apply`], in the builder's order — the ELR
//! worked out from the new ISR, then the election, then the ISR and the last known leader.
//!
//! Eligible leader replicas (KIP-966, on by default for new clusters since Kafka 4.1): the high
//! watermark does not move while the ISR is smaller than min.insync.replicas, so a replica that
//! leaves the ISR then still has every committed record. It joins the ELR, and when the ISR is
//! empty a live ELR member may lead without an unclean election. A broker that restarts after a
//! crash (an unclean shutdown) leaves every ELR, since its log may have lost what it had. When
//! the ISR and the ELR are both empty, the last known leader may lead again once it is back.

use crate::metadata::PartitionState;
use alloc::vec;
use alloc::vec::Vec;

/// The election a change asks for (Kafka's `PartitionChangeBuilder.Election`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectionType {
    /// Keep the leader if it may still lead, else the first replica that may.
    Online,
    /// The first replica if it may lead (leader rebalancing).
    Preferred,
    /// As `Online`, and failing that any live replica (unclean.leader.election.enable).
    Unclean,
}

/// Where the new leader came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picked {
    /// A member of the ISR.
    Isr,
    /// An eligible leader replica, the ISR being empty.
    Elr,
    /// The ISR and the ELR were empty: the leader from before the partition went offline.
    LastKnownLeader,
    /// A replica outside the ISR and the ELR: records may be lost.
    Unclean,
    /// Nobody may lead: the partition is offline.
    Nobody,
}

/// What a change asks for.
pub struct Change<'a> {
    pub target_isr: Vec<u32>,
    pub election: ElectionType,
    /// Whether a broker may lead: registered, unfenced, not shutting down, and not the broker
    /// the change removes.
    pub acceptable: &'a dyn Fn(u32) -> bool,
    /// The topic's effective min.insync.replicas (capped at the replication factor).
    pub min_isr: usize,
    pub elr_enabled: bool,
    /// A broker back from an unclean shutdown: it leaves the ISR and the ELR.
    pub unclean_shutdown: Option<u32>,
}

impl core::fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Change")
            .field("target_isr", &self.target_isr)
            .field("election", &self.election)
            .field("min_isr", &self.min_isr)
            .field("elr_enabled", &self.elr_enabled)
            .field("unclean_shutdown", &self.unclean_shutdown)
            .finish_non_exhaustive()
    }
}

/// What [`apply`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// `Some` when the leader changed (to a broker or to none).
    pub leader: Option<Picked>,
    pub isr_changed: bool,
    pub elr_changed: bool,
}

impl Outcome {
    pub fn changed(&self) -> bool {
        self.leader.is_some() || self.isr_changed || self.elr_changed
    }
}

/// Applies a change to `p` as Kafka's `PartitionChangeBuilder.build` does, bumping the leader
/// epoch when the leader changes and the partition epoch on any change.
pub fn apply(p: &mut PartitionState, c: Change<'_>) -> Outcome {
    let mut target_isr = c.target_isr;
    let mut target_elr = p.elr.clone();
    // maybePopulateTargetElr: replicas leaving an ISR smaller than min ISR become eligible.
    if c.elr_enabled {
        if target_isr.len() >= c.min_isr {
            target_elr.clear();
        } else {
            // (ELR and ISR) less the new ISR and a broker back from an unclean shutdown; Kafka
            // keeps a set, shown here in replica order.
            let keep = |r: &u32| {
                (p.elr.contains(r) || p.isr.contains(r)) && !target_isr.contains(r) && Some(*r) != c.unclean_shutdown
            };
            target_elr = p.replicas.iter().copied().filter(keep).collect();
        }
    }

    // tryElection.
    let valid =
        |r: u32| (target_isr.contains(&r) || (target_isr.is_empty() && target_elr.contains(&r))) && (c.acceptable)(r);
    let last_known_leader = || {
        // canElectLastKnownLeader, as 4.1's documentation describes it: only a live one.
        (c.elr_enabled && target_isr.is_empty() && target_elr.is_empty() && p.last_known_elr.len() == 1)
            .then(|| p.last_known_elr[0])
            .filter(|&r| (c.acceptable)(r))
    };
    let elected: (Option<u32>, Picked) = match c.election {
        ElectionType::Preferred => {
            let preferred = p.replicas.first().copied().filter(|&r| valid(r));
            let current = p.leader.filter(|&r| valid(r));
            let other = || p.replicas.iter().skip(1).copied().find(|&r| valid(r));
            match preferred.or(current).or_else(other) {
                Some(r) => (Some(r), Picked::Isr),
                None => match last_known_leader() {
                    Some(r) => (Some(r), Picked::LastKnownLeader),
                    None => (None, Picked::Nobody),
                },
            }
        }
        ElectionType::Online | ElectionType::Unclean => {
            let current = p.leader.filter(|&r| valid(r));
            match current.or_else(|| p.replicas.iter().copied().find(|&r| valid(r))) {
                Some(r) if target_isr.contains(&r) => (Some(r), Picked::Isr),
                Some(r) => (Some(r), Picked::Elr),
                None => match last_known_leader() {
                    Some(r) => (Some(r), Picked::LastKnownLeader),
                    None if c.election == ElectionType::Unclean => {
                        match p.replicas.iter().copied().find(|&r| (c.acceptable)(r)) {
                            Some(r) => (Some(r), Picked::Unclean),
                            None => (None, Picked::Nobody),
                        }
                    }
                    None => (None, Picked::Nobody),
                },
            }
        }
    };
    let old_leader = p.leader;
    let mut isr_forced = false;
    let leader_changed = elected.0 != old_leader;
    if leader_changed {
        let (leader, picked) = elected;
        match (leader, picked) {
            (Some(r), Picked::Elr) => {
                target_isr = vec![r];
                target_elr.retain(|&x| x != r);
            }
            (Some(r), Picked::Unclean | Picked::LastKnownLeader) => {
                // An unclean election sets the ISR to the new leader alone: records may be lost.
                target_isr = vec![r];
                isr_forced = true;
            }
            _ => {}
        }
    }

    // maybeUpdateRecordElr: an unclean election, or ELR off, clears it.
    if isr_forced || !c.elr_enabled {
        target_elr.clear();
    }
    let elr_changed = target_elr != p.elr;
    // Without ELR the ISR never becomes empty: its last member stays, to lead again.
    let isr_changed = target_isr != p.isr && (isr_forced || !target_isr.is_empty() || c.elr_enabled);

    // maybeUpdateLastKnownLeader.
    let mut last_known = p.last_known_elr.clone();
    if c.elr_enabled {
        if isr_changed && target_isr.is_empty() && (last_known.len() != 1 || Some(last_known[0]) != old_leader) {
            last_known = old_leader.into_iter().collect();
        } else if elected.0.is_some() {
            last_known.clear();
        }
    } else {
        last_known.clear();
    }

    if leader_changed {
        p.leader = elected.0;
        p.leader_epoch += 1;
    }
    if isr_changed {
        p.isr = target_isr;
    }
    p.elr = target_elr;
    let lke_changed = last_known != p.last_known_elr;
    p.last_known_elr = last_known;
    let outcome = Outcome { leader: leader_changed.then_some(elected.1), isr_changed, elr_changed };
    if outcome.changed() || lke_changed {
        p.partition_epoch += 1;
    }
    // Unreachable by any script: every caller's target ISR keeps the leader unless the leader is
    // the broker it removes (which `acceptable` refuses, so a new leader is elected, and one from
    // the ELR or an unclean election gets an ISR of itself); AlterPartition's ISR must hold the leader.
    assert!(p.leader.is_none_or(|l| p.isr.contains(&l)), "the leader of a partition must be in its ISR: {p:?}");
    assert!(p.elr.iter().all(|r| !p.isr.contains(r)), "a replica is in both the ISR and the ELR: {p:?}");
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(replicas: &[u32], leader: Option<u32>, isr: &[u32]) -> PartitionState {
        PartitionState {
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            leader,
            leader_epoch: 0,
            partition_epoch: 0,
            elr: Vec::new(),
            last_known_elr: Vec::new(),
        }
    }

    fn change(p: &mut PartitionState, target_isr: &[u32], live: &[u32], min_isr: usize) -> Outcome {
        let acceptable = |r: u32| live.contains(&r);
        apply(
            p,
            Change {
                target_isr: target_isr.to_vec(),
                election: ElectionType::Online,
                acceptable: &acceptable,
                min_isr,
                elr_enabled: true,
                unclean_shutdown: None,
            },
        )
    }

    /// The case ELR exists for: min.insync.replicas=2, the ISR shrinks one broker at a time to
    /// nothing; the last replica to leave an ISR of at least min ISR comes back and leads
    /// without an unclean election.
    #[test]
    fn a_replica_that_left_an_isr_below_min_isr_leads_from_the_elr() {
        let mut p = partition(&[1, 2, 3], Some(1), &[1, 2, 3]);
        change(&mut p, &[1, 2], &[1, 2], 2);
        assert_eq!((p.isr.clone(), p.elr.clone()), (vec![1, 2], vec![]), "at min ISR: no ELR");
        change(&mut p, &[1], &[1], 2);
        assert_eq!((p.isr.clone(), p.elr.clone()), (vec![1], vec![2]), "below min ISR: broker 2 is eligible");
        let out = change(&mut p, &[], &[], 2);
        assert_eq!((p.leader, p.isr.clone(), p.elr.clone()), (None, vec![], vec![1, 2]));
        assert_eq!(out.leader, Some(Picked::Nobody));
        assert_eq!(p.last_known_elr, vec![1], "the last known leader");
        // Broker 2 is back (cleanly shut down): it leads from the ELR.
        let out = change(&mut p, &[], &[2], 2);
        assert_eq!(out.leader, Some(Picked::Elr));
        assert_eq!((p.leader, p.isr.clone(), p.elr.clone()), (Some(2), vec![2], vec![1]));
        assert!(p.last_known_elr.is_empty());
    }

    #[test]
    fn at_or_above_min_isr_the_elr_is_cleared() {
        let mut p = partition(&[1, 2, 3], Some(1), &[1]);
        p.elr = vec![2, 3];
        change(&mut p, &[1, 2], &[1, 2], 2);
        assert!(p.elr.is_empty());
    }

    #[test]
    fn an_unclean_shutdown_leaves_the_elr() {
        let mut p = partition(&[1, 2, 3], None, &[]);
        p.elr = vec![2, 3];
        let live = |r: u32| r == 3;
        apply(
            &mut p,
            Change {
                target_isr: vec![],
                election: ElectionType::Online,
                acceptable: &|r| live(r) && r != 2,
                min_isr: 2,
                elr_enabled: true,
                unclean_shutdown: Some(2),
            },
        );
        assert_eq!((p.leader, p.isr.clone(), p.elr.clone()), (Some(3), vec![3], vec![]));
    }

    #[test]
    fn without_elr_the_last_isr_member_stays() {
        let mut p = partition(&[1, 2], Some(1), &[1]);
        let out = apply(
            &mut p,
            Change {
                target_isr: vec![],
                election: ElectionType::Online,
                acceptable: &|_| false,
                min_isr: 1,
                elr_enabled: false,
                unclean_shutdown: None,
            },
        );
        assert_eq!((p.leader, p.isr.clone()), (None, vec![1]));
        assert_eq!(out, Outcome { leader: Some(Picked::Nobody), isr_changed: false, elr_changed: false });
    }
}
