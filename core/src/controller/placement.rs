//! Replica placement for new topics: Kafka's `StripedReplicaPlacer` (KRaft),
//! for a cluster without racks. Each partition takes consecutive brokers from
//! a rotating start, so leaders spread evenly and replicas stripe across
//! brokers; after as many partitions as there are unfenced brokers, the
//! broker list is shuffled to avoid repeating the same sets. The random
//! start and shuffles come from the simulation's seeded [`Rng`], so the
//! placement is Kafka's algorithm but not Java's `Random` sequence.

use crate::error::KafkaError;
use crate::metadata::BrokerRegistration;
use crate::rand::Rng;
use alloc::format;
use alloc::vec::Vec;

/// Brokers taken in rotation, as `StripedReplicaPlacer.BrokerList`.
struct BrokerList {
    brokers: Vec<u32>,
    index: usize,
    offset: usize,
    epoch: u32,
}

impl BrokerList {
    fn new(mut brokers: Vec<u32>, rng: &mut Rng) -> Self {
        crate::sort::sort(&mut brokers);
        let offset = if brokers.is_empty() { 0 } else { rng.below(brokers.len()) };
        BrokerList { brokers, index: 0, offset, epoch: 0 }
    }

    fn next(&mut self, epoch: u32) -> Option<u32> {
        if self.brokers.is_empty() {
            return None;
        }
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % self.brokers.len();
        }
        if self.index >= self.brokers.len() {
            return None;
        }
        let broker = self.brokers[(self.index + self.offset) % self.brokers.len()];
        self.index += 1;
        Some(broker)
    }
}

/// Assigns replicas for `partitions` partitions; each inner list starts with the leader.
pub fn place(
    rng: &mut Rng,
    brokers: &[BrokerRegistration],
    partitions: u32,
    replication_factor: u32,
) -> Result<Vec<Vec<u32>>, KafkaError> {
    let total = brokers.len();
    let ids = |fenced: bool| brokers.iter().filter(|b| b.fenced == fenced).map(|b| b.id).collect();
    let mut unfenced = BrokerList::new(ids(false), rng);
    let mut fenced = BrokerList::new(ids(true), rng);
    let unfenced_count = unfenced.brokers.len() as u32;
    if replication_factor as usize > total {
        return Err(KafkaError::InvalidReplicationFactor(format!(
            "The target replication factor of {replication_factor} cannot be reached because only {total} broker(s) are registered."
        )));
    }
    if unfenced_count == 0 {
        return Err(KafkaError::InvalidReplicationFactor("All brokers are currently fenced.".into()));
    }
    let mut epoch = 0u32;
    let mut assignment = Vec::with_capacity(partitions as usize);
    for _ in 0..partitions {
        if epoch == unfenced_count && unfenced_count > 1 {
            rng.shuffle(&mut unfenced.brokers);
            rng.shuffle(&mut fenced.brokers);
            epoch = 0;
        }
        let mut replicas = Vec::with_capacity(replication_factor as usize);
        // The leader must be unfenced; followers prefer unfenced, then fenced.
        let leader = unfenced.next(epoch);
        assert!(leader.is_some(), "an unfenced broker exists, so a leader is found");
        replicas.extend(leader);
        while replicas.len() < replication_factor as usize {
            let next = unfenced.next(epoch).or_else(|| fenced.next(epoch));
            assert!(next.is_some(), "replication factor <= registered brokers");
            replicas.extend(next);
        }
        assignment.push(replicas);
        epoch += 1;
    }
    Ok(assignment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sorted::SortedMap;

    fn brokers(n: u32) -> Vec<BrokerRegistration> {
        (1..=n).map(|id| BrokerRegistration { id, fenced: false, shutting_down: false }).collect()
    }

    #[test]
    fn replicas_are_distinct_and_leaders_spread_evenly() {
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            let a = place(&mut rng, &brokers(3), 6, 3).unwrap();
            let mut leaders = SortedMap::new();
            for replicas in &a {
                let mut sorted = replicas.clone();
                crate::sort::sort(&mut sorted);
                sorted.dedup();
                assert_eq!(sorted.len(), 3, "seed {seed}: duplicate replica in {replicas:?}");
                *leaders.entry(replicas[0]).or_insert(0) += 1;
            }
            assert!(leaders.values().all(|&n| n == 2), "seed {seed}: leaders {leaders:?}");
        }
    }

    #[test]
    fn placement_stripes_consecutive_brokers() {
        let a = place(&mut Rng::new(1), &brokers(3), 3, 2).unwrap();
        let next = |id: u32| id % 3 + 1;
        for w in a.windows(2) {
            assert_eq!(w[1][0], next(w[0][0]), "leaders rotate: {a:?}");
            assert_eq!(w[0][1], next(w[0][0]), "followers follow the leader: {a:?}");
        }
    }

    #[test]
    fn same_seed_same_placement() {
        let a = place(&mut Rng::new(9), &brokers(5), 10, 3).unwrap();
        let b = place(&mut Rng::new(9), &brokers(5), 10, 3).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn replication_factor_above_registered_brokers_is_invalid() {
        let e = place(&mut Rng::new(0), &brokers(3), 1, 4).unwrap_err();
        assert_eq!(
            e.to_string(),
            "INVALID_REPLICATION_FACTOR: The target replication factor of 4 cannot be reached because only 3 broker(s) are registered."
        );
    }

    #[test]
    fn fenced_brokers_never_lead() {
        let mut b = brokers(3);
        b[0].fenced = true;
        for seed in 0..20 {
            for replicas in place(&mut Rng::new(seed), &b, 4, 3).unwrap() {
                assert_ne!(replicas[0], 1, "seed {seed}: fenced broker 1 leads");
            }
        }
    }
}
