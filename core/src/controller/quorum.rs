//! Which voter hosts the active controller. A voter can lead the KRaft quorum
//! when it is up and reaches a majority of the voters (itself included) over
//! uncut links. Simplification, stated: Raft's vote and fetch messages are
//! not simulated one by one; the outcome (a majority elects a leader after
//! controller.quorum.election.timeout.ms, no majority means no controller) is.

use crate::net::{Network, Node};
use alloc::vec::Vec;

/// `controller.quorum.election.timeout.ms` (default 1000).
pub const ELECTION_TIMEOUT_MS: u64 = 1_000;
/// `controller.quorum.fetch.timeout.ms` (default 2000): how long voters wait
/// before they notice the leader is gone and elect another.
pub const FETCH_TIMEOUT_MS: u64 = 2_000;

/// Voters that could lead now, in id order.
pub fn eligible(voters: &[u32], net: &Network) -> Vec<u32> {
    let majority = voters.len() / 2 + 1;
    voters
        .iter()
        .copied()
        .filter(|&v| {
            let me = Node::Broker(v);
            !net.is_down(&me)
                && voters.iter().filter(|&&w| w == v || net.check(&me, &Node::Broker(w)).is_ok()).count() >= majority
        })
        .collect()
}

/// The current leader stays while it can; otherwise the lowest eligible voter wins.
pub fn choose(current: Option<u32>, voters: &[u32], net: &Network) -> Option<u32> {
    let eligible = eligible(voters, net);
    match current {
        Some(c) if eligible.contains(&c) => Some(c),
        _ => eligible.first().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Duration;

    #[test]
    fn a_majority_is_needed() {
        let mut net = Network::new(Duration::from_ms(1));
        let voters = [1, 2, 3];
        assert_eq!(choose(None, &voters, &net), Some(1));
        net.set_down(&Node::Broker(1), true);
        assert_eq!(choose(Some(1), &voters, &net), Some(2));
        net.set_down(&Node::Broker(2), true);
        assert_eq!(choose(Some(2), &voters, &net), None, "one of three voters is no majority");
    }

    #[test]
    fn a_leader_cut_off_from_the_others_loses_the_quorum() {
        let mut net = Network::new(Duration::from_ms(1));
        net.cut(&Node::Broker(1), &Node::Broker(2));
        net.cut(&Node::Broker(1), &Node::Broker(3));
        assert_eq!(choose(Some(1), &[1, 2, 3], &net), Some(2));
    }
}
