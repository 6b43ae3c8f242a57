//! Apache Kafka's `AbstractStickyAssignorTest`, `StickyAssignorTest` and
//! `CooperativeStickyAssignorTest`, case by case under Kafka's names. Kafka
//! runs the abstract cases once per assignor; so do these (modules
//! `sticky_assignor` and `cooperative_sticky_assignor`). Expected assignments
//! are compared as sets (Kafka compares some as lists, in the order its hash
//! maps produced them).
//!
//! Not ported: rack-aware cases (the simulation has no racks; the parts of
//! `testRackAwareAssignment*` that run without racks are here) and the
//! `MemberData`/user-data encoding cases (the simulation's JoinGroup carries
//! owned partitions and generation as fields, not encoded user data). Kafka's
//! `@Timeout` cases of up to a million partitions check that the assignment
//! finishes in time; tests here assert no times, so they run at smaller sizes
//! (each names Kafka's) and check the assignment instead.
#![allow(non_snake_case)]

use super::movements::Movements;
use super::{assign, transferring_ownership, Assignment, Member, StickyAssignment, DEFAULT_GENERATION};
use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Sticky,
    Cooperative,
}

const GENERATION_ID: i64 = 1;
const TOPIC: &str = "topic";
const TOPIC1: &str = "topic1";
const TOPIC2: &str = "topic2";
const TOPIC3: &str = "topic3";
const CONSUMER_ID: &str = "consumer";
const CONSUMER1: &str = "consumer1";
const CONSUMER2: &str = "consumer2";
const CONSUMER3: &str = "consumer3";
const CONSUMER4: &str = "consumer4";

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

/// A list of partitions as a sorted set, to compare.
fn set(list: &[TopicPartition]) -> Vec<TopicPartition> {
    let mut v = list.to_vec();
    v.sort();
    v
}

/// "t1-0, t1-3" as Kafka's rack tests write assignments.
fn parse(text: &str) -> Vec<TopicPartition> {
    set(&text.split(", ").filter(|s| !s.is_empty()).filter_map(TopicPartition::parse).collect::<Vec<_>>())
}

/// `getCanonicalName`: `t07` for 7 of up to 20.
fn name(prefix: &str, i: usize, max: usize) -> String {
    let digits = max.to_string().len();
    format!("{prefix}{i:0digits$}")
}

/// A seeded stand-in for Kafka's `new Random()` (SplitMix64).
struct Random(u64);

impl Random {
    fn next_int(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % bound as u64) as usize
    }

    /// `getRandomSublist`.
    fn sublist(&mut self, list: &[String]) -> Vec<String> {
        let mut selected = list.to_vec();
        let remove = self.next_int(list.len());
        for _ in 0..remove {
            let i = self.next_int(selected.len());
            selected.remove(i);
        }
        selected
    }
}

/// The test fixture: the assignor under test, `partitionsPerTopic` and `subscriptions`.
struct Test {
    kind: Kind,
    partitions_per_topic: SortedMap<String, u32>,
    subscriptions: SortedMap<String, Member>,
    transferring: Option<SortedMap<TopicPartition, String>>,
    movements: Option<Movements>,
}

impl Test {
    fn new(kind: Kind) -> Self {
        Test {
            kind,
            partitions_per_topic: SortedMap::new(),
            subscriptions: SortedMap::new(),
            transferring: None,
            movements: None,
        }
    }

    fn topic(&mut self, topic: &str, partitions: u32) {
        self.partitions_per_topic.insert(topic.into(), partitions);
    }

    /// `subscription(topics, i)`: no owned partitions, no generation.
    fn subscription(&mut self, consumer: &str, topics: &[&str]) {
        self.build(consumer, topics.iter().map(|t| t.to_string()).collect(), &[], DEFAULT_GENERATION);
    }

    /// `buildSubscriptionV2Above`.
    fn v2(&mut self, consumer: &str, topics: &[&str], owned: &[TopicPartition], generation: i64) {
        self.build(consumer, topics.iter().map(|t| t.to_string()).collect(), owned, generation);
    }

    fn build(&mut self, consumer: &str, topics: Vec<String>, owned: &[TopicPartition], generation: i64) {
        let mut m = Member::new(consumer, topics);
        m.owned = owned.to_vec();
        m.generation = u32::try_from(generation).ok();
        self.subscriptions.insert(consumer.into(), m);
    }

    /// Keeps the member's topics and sets what it owns (the loops of Kafka's tests).
    fn owns(&mut self, consumer: &str, owned: &[TopicPartition], generation: i64) {
        let topics = self.subscriptions.get(consumer).map(|m| m.topics.clone()).unwrap_or_default();
        self.build(consumer, topics, owned, generation);
    }

    fn member(&self, consumer: &str) -> &Member {
        self.subscriptions.get(consumer).unwrap_or_else(|| panic!("no subscription for {consumer}"))
    }

    fn remove(&mut self, consumer: &str) {
        self.subscriptions.remove(consumer);
    }

    /// `assignor.assignPartitions`.
    fn assign(&mut self) -> Assignment {
        let members: Vec<Member> = self.subscriptions.values().cloned().collect();
        let (StickyAssignment { mut assignment, transferring }, movements) =
            assign(&members, &self.partitions_per_topic);
        self.transferring = transferring.clone();
        self.movements = movements;
        if self.kind == Kind::Cooperative {
            let moving = transferring.unwrap_or_else(|| transferring_ownership(&members, &assignment));
            for (tp, to) in moving {
                if let Some(list) = assignment.get_mut(&to) {
                    list.retain(|t| *t != tp);
                }
            }
        }
        assignment
    }

    fn transferring_is_empty(&self) -> bool {
        self.transferring.as_ref().is_some_and(SortedMap::is_empty)
    }

    fn is_sticky(&self) -> bool {
        self.movements.as_ref().is_none_or(Movements::is_sticky)
    }

    /// `verifyValidityAndBalance`; for the cooperative assignor, first the
    /// follow-up rebalances while partitions are being revoked (at most four).
    fn verify(&mut self, assignment: &mut Assignment) {
        if self.kind == Kind::Cooperative {
            let mut rebalances = 0;
            while self.cooperative_validity(assignment) {
                for (consumer, list) in assignment.iter() {
                    self.owns(consumer, list, GENERATION_ID);
                }
                *assignment = self.assign();
                rebalances += 1;
                assert!(rebalances <= 4, "still revoking after four rebalances");
            }
        }
        let consumers: Vec<&String> = assignment.keys().collect();
        assert_eq!(consumers.len(), self.subscriptions.len());
        for (i, c) in consumers.iter().enumerate() {
            let partitions = &got(assignment, c);
            let subscribed = &self.member(c).topics;
            for tp in partitions {
                assert!(subscribed.contains(&tp.topic.to_string()), "{tp} is assigned to {c}, not subscribed to it");
            }
            for other in &consumers[i + 1..] {
                let others = &got(assignment, other);
                assert!(partitions.iter().all(|tp| !others.contains(tp)), "{c} and {other} share partitions");
                if partitions.len().abs_diff(others.len()) <= 1 {
                    continue;
                }
                let other_topics: SortedSet<&str> = others.iter().map(|tp| &*tp.topic).collect();
                for tp in partitions {
                    assert!(
                        !other_topics.contains(&*tp.topic),
                        "some partitions can move between {c} ({}) and {other} ({})",
                        partitions.len(),
                        others.len()
                    );
                }
            }
        }
    }

    /// `verifyCooperativeValidity`: no partition goes to a new owner in the
    /// round its old owner revokes it; says whether any is being revoked.
    fn cooperative_validity(&self, assignment: &Assignment) -> bool {
        let mut added = SortedSet::new();
        let mut revoked = SortedSet::new();
        for (consumer, list) in assignment {
            let owned = &self.member(consumer).owned;
            revoked.extend(owned.iter().filter(|tp| !list.contains(tp)).cloned());
            added.extend(list.iter().filter(|tp| !owned.contains(tp)).cloned());
        }
        assert!(added.iter().all(|tp| !revoked.contains(tp)), "assigned in the round it is revoked");
        !revoked.is_empty()
    }
}

/// `assignment.get(consumer)` as a sorted list.
fn got(assignment: &Assignment, consumer: &str) -> Vec<TopicPartition> {
    set(assignment.get(consumer).map_or(&[][..], Vec::as_slice))
}

/// `isFullyBalanced`.
fn is_fully_balanced(assignment: &Assignment) -> bool {
    let sizes = assignment.values().map(Vec::len);
    sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0) <= 1
}

fn one(tp: TopicPartition, consumer: &str) -> Option<SortedMap<TopicPartition, String>> {
    Some([(tp, consumer.to_string())].into_iter().collect())
}

macro_rules! both_assignors {
    ($($name:ident),* $(,)?) => {
        mod sticky_assignor {
            $( #[test] fn $name() { super::$name(super::Kind::Sticky) } )*
        }
        mod cooperative_sticky_assignor {
            $( #[test] fn $name() { super::$name(super::Kind::Cooperative) } )*
        }
    };
}

both_assignors!(
    testOneConsumerNoTopic,
    testOneConsumerNonexistentTopic,
    testOneConsumerOneTopic,
    testOnlyAssignsPartitionsFromSubscribedTopics,
    testOneConsumerMultipleTopics,
    testTwoConsumersOneTopicOnePartition,
    testTwoConsumersOneTopicTwoPartitions,
    testMultipleConsumersMixedTopicSubscriptions,
    testTwoConsumersTwoTopicsSixPartitions,
    testConsumerOwningMinQuotaExpectedMaxQuota,
    testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers,
    testAllConsumersAreUnderMinQuota,
    testAddRemoveConsumerOneTopic,
    testTopicBalanceAfterReassignment,
    testAddRemoveTwoConsumersTwoTopics,
    testPoorRoundRobinAssignmentScenario,
    testAddRemoveTopicTwoConsumers,
    testReassignmentAfterOneConsumerLeaves,
    testReassignmentAfterOneConsumerAdded,
    testSameSubscriptions,
    testSubscriptionNotEqualAndAssignSamePartitionWith3Generation,
    testLargeAssignmentAndGroupWithUniformSubscription,
    testLargeAssignmentAndGroupWithNonEqualSubscription,
    testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout,
    testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription,
    testNewSubscription,
    testMoveExistingAssignments,
    testStickiness,
    testAssignmentUpdatedForDeletedTopic,
    testNoExceptionThrownWhenOnlySubscribedTopicDeleted,
    testReassignmentWithRandomSubscriptionsAndChanges,
    testAllConsumersReachExpectedQuotaAndAreConsideredFilled,
    testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration,
    testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration,
    testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration,
    testEnsurePartitionsAssignedToHighestGeneration,
    testNoReassignmentOnCurrentMembers,
    testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration,
    testRackAwareAssignmentWithUniformSubscription,
    testRackAwareAssignmentWithNonEqualSubscription,
    testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer,
    testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer,
    testAssignorWithOldVersionSubscriptions,
);

fn testOneConsumerNoTopic(kind: Kind) {
    let mut t = Test::new(kind);
    t.subscription(CONSUMER_ID, &[]);
    let mut a = t.assign();
    assert_eq!(a.keys().collect::<Vec<_>>(), [CONSUMER_ID]);
    assert!(got(&a, CONSUMER_ID).is_empty());
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOneConsumerNonexistentTopic(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 0);
    t.subscription(CONSUMER_ID, &[TOPIC]);
    let mut a = t.assign();
    assert_eq!(a.keys().collect::<Vec<_>>(), [CONSUMER_ID]);
    assert!(got(&a, CONSUMER_ID).is_empty());
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOneConsumerOneTopic(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.subscription(CONSUMER_ID, &[TOPIC]);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER_ID), [tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOnlyAssignsPartitionsFromSubscribedTopics(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 2);
    let owned = [tp(TOPIC, 0), tp(TOPIC, 1), tp("other", 0), tp("other", 1)];
    t.v2(CONSUMER_ID, &[TOPIC], &owned, GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER_ID), [tp(TOPIC, 0), tp(TOPIC, 1)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOneConsumerMultipleTopics(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 1);
    t.topic(TOPIC2, 2);
    t.subscription(CONSUMER_ID, &[TOPIC1, TOPIC2]);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER_ID), [tp(TOPIC1, 0), tp(TOPIC2, 0), tp(TOPIC2, 1)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testTwoConsumersOneTopicOnePartition(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 1);
    t.subscription(CONSUMER1, &[TOPIC]);
    t.subscription(CONSUMER2, &[TOPIC]);
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testTwoConsumersOneTopicTwoPartitions(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 2);
    t.subscription(CONSUMER1, &[TOPIC]);
    t.subscription(CONSUMER2, &[TOPIC]);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 0)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 1)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testMultipleConsumersMixedTopicSubscriptions(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 3);
    t.topic(TOPIC2, 2);
    t.subscription(CONSUMER1, &[TOPIC1]);
    t.subscription(CONSUMER2, &[TOPIC1, TOPIC2]);
    t.subscription(CONSUMER3, &[TOPIC1]);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC1, 0), tp(TOPIC1, 2)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC2, 0), tp(TOPIC2, 1)]);
    assert_eq!(got(&a, CONSUMER3), [tp(TOPIC1, 1)]);
    assert!(t.transferring.is_none(), "the general algorithm does not track transfers");
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testTwoConsumersTwoTopicsSixPartitions(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 3);
    t.topic(TOPIC2, 3);
    t.subscription(CONSUMER1, &[TOPIC1, TOPIC2]);
    t.subscription(CONSUMER2, &[TOPIC1, TOPIC2]);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC1, 0), tp(TOPIC1, 2), tp(TOPIC2, 1)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testConsumerOwningMinQuotaExpectedMaxQuota(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 2);
    t.topic(TOPIC2, 3);
    let both = [TOPIC1, TOPIC2];
    t.v2(CONSUMER1, &both, &[tp(TOPIC1, 0), tp(TOPIC2, 1)], GENERATION_ID);
    t.v2(CONSUMER2, &both, &[tp(TOPIC1, 1), tp(TOPIC2, 2)], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC1, 0), tp(TOPIC2, 1), tp(TOPIC2, 0)]));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC1, 1), tp(TOPIC2, 2)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 2);
    t.topic(TOPIC2, 2);
    let both = [TOPIC1, TOPIC2];
    t.v2(CONSUMER1, &both, &[tp(TOPIC1, 0), tp(TOPIC2, 0)], GENERATION_ID);
    t.v2(CONSUMER2, &both, &[tp(TOPIC1, 1), tp(TOPIC2, 1)], GENERATION_ID);
    t.v2(CONSUMER3, &both, &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(t.transferring, one(tp(TOPIC2, 0), CONSUMER3));
    t.verify(&mut a);
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC1, 0)]);
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC1, 1), tp(TOPIC2, 1)]));
    assert_eq!(got(&a, CONSUMER3), [tp(TOPIC2, 0)]);
    assert!(is_fully_balanced(&a));
}

fn testAllConsumersAreUnderMinQuota(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 2);
    t.topic(TOPIC2, 3);
    let both = [TOPIC1, TOPIC2];
    t.v2(CONSUMER1, &both, &[tp(TOPIC1, 0)], GENERATION_ID);
    t.v2(CONSUMER2, &both, &[tp(TOPIC1, 1)], GENERATION_ID);
    t.v2(CONSUMER3, &both, &[], GENERATION_ID);
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC1, 0), tp(TOPIC2, 1)]));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC1, 1), tp(TOPIC2, 2)]));
    assert_eq!(got(&a, CONSUMER3), [tp(TOPIC2, 0)]);
    assert!(is_fully_balanced(&a));
}

fn testAddRemoveConsumerOneTopic(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.subscription(CONSUMER1, &[TOPIC]);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]);
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));

    t.v2(CONSUMER1, &[TOPIC], &got(&a, CONSUMER1), GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC], &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(t.transferring, one(tp(TOPIC, 2), CONSUMER2));
    t.verify(&mut a);
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 0), tp(TOPIC, 1)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 2)]);
    assert!(is_fully_balanced(&a));

    t.remove(CONSUMER1);
    t.v2(CONSUMER2, &[TOPIC], &got(&a, CONSUMER2), GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

/// Per member, how many partitions of `topic` it has.
fn of_topic(a: &Assignment, topic: &str) -> Vec<usize> {
    a.values().map(|l| l.iter().filter(|tp| &*tp.topic == topic).count()).collect()
}

/// KAFKA-16277: a member owning two whole topics keeps a share of each.
fn testTopicBalanceAfterReassignment(kind: Kind) {
    let mut t = Test::new(kind);
    let all = [TOPIC1, TOPIC2];
    t.topic(TOPIC1, 12);
    t.topic(TOPIC2, 12);
    t.subscription(CONSUMER1, &all);
    let mut a = t.assign();
    t.verify(&mut a);
    assert_eq!(of_topic(&a, TOPIC1), [12]);
    assert_eq!(of_topic(&a, TOPIC2), [12]);
    assert!(t.transferring_is_empty());
    assert!(is_fully_balanced(&a));

    t.v2(CONSUMER1, &all, &got(&a, CONSUMER1), GENERATION_ID);
    t.v2(CONSUMER2, &all, &[], GENERATION_ID);
    let mut a = t.assign();
    t.verify(&mut a);
    assert_eq!(of_topic(&a, TOPIC1), [6, 6]);
    assert_eq!(of_topic(&a, TOPIC2), [6, 6]);
    assert!(is_fully_balanced(&a));

    t.v2(CONSUMER1, &all, &got(&a, CONSUMER1), GENERATION_ID);
    t.v2(CONSUMER2, &all, &got(&a, CONSUMER2), GENERATION_ID);
    t.v2(CONSUMER3, &all, &[], GENERATION_ID);
    t.v2(CONSUMER4, &all, &[], GENERATION_ID);
    let mut a = t.assign();
    t.verify(&mut a);
    assert_eq!(of_topic(&a, TOPIC1), [3, 3, 3, 3]);
    assert_eq!(of_topic(&a, TOPIC2), [3, 3, 3, 3]);
    assert!(is_fully_balanced(&a));

    t.remove(CONSUMER1);
    t.remove(CONSUMER2);
    t.v2(CONSUMER3, &all, &got(&a, CONSUMER3), GENERATION_ID);
    t.v2(CONSUMER4, &all, &got(&a, CONSUMER4), GENERATION_ID);
    let mut a = t.assign();
    t.verify(&mut a);
    assert_eq!(of_topic(&a, TOPIC1), [6, 6]);
    assert_eq!(of_topic(&a, TOPIC2), [6, 6]);
    assert!(t.transferring_is_empty());
    assert!(is_fully_balanced(&a));
}

fn testAddRemoveTwoConsumersTwoTopics(kind: Kind) {
    let mut t = Test::new(kind);
    let all = [TOPIC1, TOPIC2];
    t.topic(TOPIC1, 3);
    t.topic(TOPIC2, 4);
    t.subscription(CONSUMER1, &all);
    t.subscription(CONSUMER2, &all);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC1, 0), tp(TOPIC1, 2), tp(TOPIC2, 1), tp(TOPIC2, 3)]));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));

    t.v2(CONSUMER1, &all, &got(&a, CONSUMER1), GENERATION_ID);
    t.v2(CONSUMER2, &all, &got(&a, CONSUMER2), GENERATION_ID);
    t.v2(CONSUMER3, &all, &[], GENERATION_ID);
    t.v2(CONSUMER4, &all, &[], GENERATION_ID);
    let mut a = t.assign();
    let expected: SortedMap<TopicPartition, String> = [
        (tp(TOPIC1, 2), CONSUMER3.to_string()),
        (tp(TOPIC2, 3), CONSUMER3.to_string()),
        (tp(TOPIC2, 2), CONSUMER4.to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(t.transferring, Some(expected));
    t.verify(&mut a);
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC1, 0), tp(TOPIC2, 1)]));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC2, 0), tp(TOPIC1, 1)]));
    assert_eq!(got(&a, CONSUMER3), set(&[tp(TOPIC1, 2), tp(TOPIC2, 3)]));
    assert_eq!(got(&a, CONSUMER4), [tp(TOPIC2, 2)]);
    assert!(is_fully_balanced(&a));

    t.remove(CONSUMER1);
    t.remove(CONSUMER2);
    t.v2(CONSUMER3, &all, &got(&a, CONSUMER3), GENERATION_ID);
    t.v2(CONSUMER4, &all, &got(&a, CONSUMER4), GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER3), set(&[tp(TOPIC1, 2), tp(TOPIC2, 3), tp(TOPIC1, 0), tp(TOPIC2, 1)]));
    assert_eq!(got(&a, CONSUMER4), set(&[tp(TOPIC2, 2), tp(TOPIC1, 1), tp(TOPIC2, 0)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testPoorRoundRobinAssignmentScenario(kind: Kind) {
    let mut t = Test::new(kind);
    for i in 1..=5u32 {
        t.topic(&format!("topic{i}"), (i % 2) + 1);
    }
    t.subscription("consumer1", &["topic1", "topic2", "topic3", "topic4", "topic5"]);
    t.subscription("consumer2", &["topic1", "topic3", "topic5"]);
    t.subscription("consumer3", &["topic1", "topic3", "topic5"]);
    t.subscription("consumer4", &["topic1", "topic2", "topic3", "topic4", "topic5"]);
    let mut a = t.assign();
    t.verify(&mut a);
}

fn testAddRemoveTopicTwoConsumers(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.subscription(CONSUMER1, &[TOPIC]);
    t.subscription(CONSUMER2, &[TOPIC]);
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    assert!(is_fully_balanced(&a));
    t.verify(&mut a);
    let (c1_first, c2_first) = (got(&a, CONSUMER1), got(&a, CONSUMER2));
    assert!(
        (c1_first.len() == 1 && c2_first.len() == 2) || (c1_first.len() == 2 && c2_first.len() == 1),
        "{c1_first:?} {c2_first:?}"
    );

    t.topic(TOPIC2, 3);
    t.v2(CONSUMER1, &[TOPIC, TOPIC2], &c1_first, GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC, TOPIC2], &c2_first, GENERATION_ID);
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
    let (c1, c2) = (got(&a, CONSUMER1), got(&a, CONSUMER2));
    assert!(c1.len() == 3 && c2.len() == 3);
    assert!(c1_first.iter().all(|tp| c1.contains(tp)));
    assert!(c2_first.iter().all(|tp| c2.contains(tp)));

    t.partitions_per_topic.remove(TOPIC);
    t.v2(CONSUMER1, &[TOPIC2], &c1, GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC2], &c2, GENERATION_ID);
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
    let (c1_third, c2_third) = (got(&a, CONSUMER1), got(&a, CONSUMER2));
    assert!((c1_third.len() == 1 && c2_third.len() == 2) || (c1_third.len() == 2 && c2_third.len() == 1));
    assert!(c1_third.iter().all(|tp| c1.contains(tp)));
    assert!(c2_third.iter().all(|tp| c2.contains(tp)));
}

fn testReassignmentAfterOneConsumerLeaves(kind: Kind) {
    let mut t = Test::new(kind);
    for i in 1..20 {
        t.topic(&name("t", i, 20), i as u32);
    }
    for i in 1..20 {
        let topics: Vec<String> = (1..=i).map(|j| name("t", j, 20)).collect();
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        t.subscription(&name("c", i, 20), &refs);
    }
    let mut a = t.assign();
    t.verify(&mut a);
    for i in 1..20 {
        let c = name("c", i, 20);
        t.owns(&c, &got(&a, &c), GENERATION_ID);
    }
    t.remove("c10");
    let mut a = t.assign();
    t.verify(&mut a);
    assert!(t.is_sticky());
}

fn testReassignmentAfterOneConsumerAdded(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic("topic", 20);
    for i in 1..10 {
        t.subscription(&name("c", i, 10), &["topic"]);
    }
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    // Kafka adds the new member without updating the others' owned partitions.
    t.subscription(&name("c", 10, 10), &["topic"]);
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
}

fn testSameSubscriptions(kind: Kind) {
    let mut t = Test::new(kind);
    for i in 1..15 {
        t.topic(&name("t", i, 15), i as u32);
    }
    let topics: Vec<String> = (1..15).map(|j| name("t", j, 15)).collect();
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    for i in 1..9 {
        t.subscription(&name("c", i, 9), &refs);
    }
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    for i in 1..9 {
        let c = name("c", i, 9);
        t.owns(&c, &got(&a, &c), GENERATION_ID);
    }
    t.remove(&name("c", 5, 9));
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
}

fn testSubscriptionNotEqualAndAssignSamePartitionWith3Generation(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 6);
    t.topic(TOPIC1, 1);
    for g in [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]] {
        t.v2(CONSUMER1, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 2)], g[0]);
        t.v2(CONSUMER2, &[TOPIC], &[tp(TOPIC, 1), tp(TOPIC, 2), tp(TOPIC, 3)], g[1]);
        t.v2(CONSUMER3, &[TOPIC], &[tp(TOPIC, 2), tp(TOPIC, 4), tp(TOPIC, 5)], g[2]);
        t.v2(CONSUMER4, &[TOPIC1], &[tp(TOPIC1, 0)], 2);
        let a = t.assign();
        let all: Vec<&TopicPartition> = a.values().flatten().collect();
        let distinct: SortedSet<&TopicPartition> = all.iter().copied().collect();
        assert_eq!(all.len(), distinct.len(), "generations {g:?}: a partition assigned twice");
        for list in a.values() {
            assert!((1..=2).contains(&list.len()), "generations {g:?}: {a:?}");
        }
    }
}

/// Topics, partitions each and consumers; then every consumer but the first rejoins owning what
/// it got, and both assignments are checked.
fn large_assignment(
    kind: Kind,
    (topics, partitions, consumers): (usize, u32, usize),
    subscribed: impl Fn(usize, &[String]) -> Vec<String>,
) {
    let mut t = Test::new(kind);
    let names: Vec<String> = (0..topics).map(|i| name("t", i, topics)).collect();
    for n in &names {
        t.topic(n, partitions);
    }
    for i in 0..consumers {
        let mine = subscribed(i, &names);
        let refs: Vec<&str> = mine.iter().map(String::as_str).collect();
        t.subscription(&name("c", i, consumers), &refs);
    }
    let mut a = t.assign();
    t.verify(&mut a);
    for i in 1..consumers {
        let c = name("c", i, consumers);
        t.owns(&c, &got(&a, &c), GENERATION_ID);
    }
    let mut a = t.assign();
    t.verify(&mut a);
}

/// Kafka: 500 topics of 2,000 partitions, 2,000 consumers.
fn testLargeAssignmentAndGroupWithUniformSubscription(kind: Kind) {
    large_assignment(kind, (5, 200, 20), |_, all| all.to_vec());
}

/// Kafka: as above, the last consumer subscribing to the first topic only.
fn testLargeAssignmentAndGroupWithNonEqualSubscription(kind: Kind) {
    large_assignment(kind, (5, 20, 20), |i, all| if i == 19 { all[..1].to_vec() } else { all.to_vec() });
}

/// Kafka: 100 topics of 200 partitions, 500 consumers, every fourth on the first half of the
/// topics and the rest on the second half.
fn testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout(kind: Kind) {
    large_assignment(kind, (10, 20, 50), |i, all| {
        if i % 4 == 0 {
            all[..all.len() / 2].to_vec()
        } else {
            all[all.len() / 2..].to_vec()
        }
    });
}

fn testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription(kind: Kind) {
    for seed in [1u64, 2, 3] {
        let mut rand = Random(seed);
        let mut t = Test::new(kind);
        let (topic_count, consumer_count) = (40, 200);
        for i in 0..topic_count {
            let partitions = rand.next_int(10) as u32 + 1;
            t.topic(&name("t", i, topic_count), partitions);
        }
        for i in 0..consumer_count {
            let mut topics = Vec::new();
            // Kafka's loop draws its bound anew each round: `j < rand.nextInt(20)`.
            let mut j = 0;
            while j < rand.next_int(20) {
                topics.push(name("t", rand.next_int(topic_count), topic_count));
                j += 1;
            }
            let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
            t.subscription(&name("c", i, consumer_count), &refs);
        }
        let mut a = t.assign();
        t.verify(&mut a);
        for i in 1..consumer_count {
            let c = name("c", i, consumer_count);
            t.owns(&c, &got(&a, &c), GENERATION_ID);
        }
        for _ in 0..50 {
            let c = name("c", rand.next_int(consumer_count), consumer_count);
            t.remove(&c);
        }
        let mut a = t.assign();
        t.verify(&mut a);
        assert!(t.is_sticky(), "seed {seed}");
    }
}

fn testNewSubscription(kind: Kind) {
    let mut t = Test::new(kind);
    for i in 1..5 {
        t.topic(&name("t", i, 5), 1);
    }
    for i in 0..3usize {
        let topics: Vec<String> =
            (i..=(3 * i).saturating_sub(2)).filter(|_| 3 * i >= 2).map(|j| name("t", j, 5)).collect();
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        t.subscription(&name("c", i, 3), &refs);
    }
    let mut a = t.assign();
    t.verify(&mut a);
    let c0 = name("c", 0, 3);
    let mut topics = t.member(&c0).topics.clone();
    topics.push(name("t", 1, 5));
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    t.subscription(&c0, &refs);
    let mut a = t.assign();
    t.verify(&mut a);
    assert!(t.is_sticky());
}

fn testMoveExistingAssignments(kind: Kind) {
    let mut t = Test::new(kind);
    for i in 1..=6 {
        t.topic(&format!("topic{i}"), 1);
    }
    t.v2(CONSUMER1, &[TOPIC1, TOPIC2], &[tp(TOPIC1, 0)], GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC1, TOPIC2, TOPIC3, "topic4"], &[tp(TOPIC2, 0), tp(TOPIC3, 0)], GENERATION_ID);
    t.v2(
        CONSUMER3,
        &[TOPIC2, TOPIC3, "topic4", "topic5", "topic6"],
        &[tp("topic4", 0), tp("topic5", 0), tp("topic6", 0)],
        GENERATION_ID,
    );
    let mut a = t.assign();
    assert!(t.transferring.is_none());
    t.verify(&mut a);
}

fn testStickiness(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 3);
    for c in [CONSUMER1, CONSUMER2, CONSUMER3, CONSUMER4] {
        t.subscription(c, &[TOPIC1]);
    }
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    let mut first: SortedMap<String, TopicPartition> = SortedMap::new();
    for (c, list) in &a {
        assert!(list.len() <= 1, "{c} is assigned more topic partitions than expected");
        if let [only] = list.as_slice() {
            first.insert(c.clone(), only.clone());
        }
    }
    // Removing the potential group leader.
    t.remove(CONSUMER1);
    for c in [CONSUMER2, CONSUMER3, CONSUMER4] {
        t.v2(c, &[TOPIC1], &got(&a, c), GENERATION_ID);
    }
    let mut a = t.assign();
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    for (c, list) in &a {
        assert_eq!(list.len(), 1, "{c} is assigned more topic partitions than expected");
        assert!(first.get(c).is_none_or(|tp| list.contains(tp)), "stickiness was not honored for {c}");
    }
}

fn testAssignmentUpdatedForDeletedTopic(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 1);
    t.topic(TOPIC3, 100);
    t.subscription(CONSUMER_ID, &[TOPIC1, TOPIC2, TOPIC3]);
    let a = t.assign();
    assert!(t.transferring_is_empty());
    assert_eq!(a.values().map(Vec::len).sum::<usize>(), 1 + 100);
    assert_eq!(a.keys().collect::<Vec<_>>(), [CONSUMER_ID]);
    assert!(is_fully_balanced(&a));
}

fn testNoExceptionThrownWhenOnlySubscribedTopicDeleted(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.subscription(CONSUMER_ID, &[TOPIC]);
    let a = t.assign();
    assert!(t.transferring_is_empty());
    t.v2(CONSUMER_ID, &[TOPIC], &got(&a, CONSUMER_ID), GENERATION_ID);
    t.partitions_per_topic.clear();
    let a = t.assign();
    assert!(t.transferring_is_empty());
    assert_eq!(a.len(), 1);
    assert!(got(&a, CONSUMER_ID).is_empty());
}

fn testReassignmentWithRandomSubscriptionsAndChanges(kind: Kind) {
    let mut rand = Random(20);
    let (min_consumers, max_consumers, min_topics, max_topics) = (20, 40, 10, 20);
    for round in 1..=100 {
        let mut t = Test::new(kind);
        let topic_count = min_topics + rand.next_int(max_topics - min_topics);
        let topics: Vec<String> = (0..topic_count).map(|i| name("t", i, max_topics)).collect();
        for (i, topic) in topics.iter().enumerate() {
            t.topic(topic, i as u32 + 1);
        }
        let consumer_count = min_consumers + rand.next_int(max_consumers - min_consumers);
        for i in 0..consumer_count {
            let mut sub = rand.sublist(&topics);
            sub.sort();
            let refs: Vec<&str> = sub.iter().map(String::as_str).collect();
            t.subscription(&name("c", i, max_consumers), &refs);
        }
        let mut a = t.assign();
        t.verify(&mut a);
        t.subscriptions.clear();
        for i in 0..consumer_count {
            let mut sub = rand.sublist(&topics);
            sub.sort();
            let refs: Vec<&str> = sub.iter().map(String::as_str).collect();
            let c = name("c", i, max_consumers);
            t.v2(&c, &refs, &got(&a, &c), GENERATION_ID);
        }
        let mut a = t.assign();
        t.verify(&mut a);
        assert!(t.is_sticky(), "round {round}");
    }
}

fn testAllConsumersReachExpectedQuotaAndAreConsideredFilled(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 4);
    t.v2(CONSUMER1, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 1)], GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC], &[tp(TOPIC, 2)], GENERATION_ID);
    t.v2(CONSUMER3, &[TOPIC], &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 0), tp(TOPIC, 1)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 2)]);
    assert_eq!(got(&a, CONSUMER3), [tp(TOPIC, 3)]);
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.topic(TOPIC2, 3);
    let current = 10;
    let owned = [tp(TOPIC, 0), tp(TOPIC, 2), tp(TOPIC2, 1)];
    t.v2(CONSUMER1, &[TOPIC, TOPIC2], &owned, current);
    t.v2(CONSUMER2, &[TOPIC, TOPIC2], &owned, current - 1);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), set(&owned));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.topic(TOPIC2, 3);
    let owned = [tp(TOPIC, 0), tp(TOPIC, 2), tp(TOPIC2, 1)];
    t.v2(CONSUMER1, &[TOPIC, TOPIC2], &owned, 10);
    t.v2(CONSUMER2, &[TOPIC, TOPIC2], &owned, DEFAULT_GENERATION);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), set(&owned));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.v2(CONSUMER1, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 1)], GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 2)], GENERATION_ID);
    t.v2(CONSUMER3, &[TOPIC], &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(t.transferring, one(tp(TOPIC, 0), CONSUMER3));
    t.verify(&mut a);
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 1)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 2)]);
    assert_eq!(got(&a, CONSUMER3), [tp(TOPIC, 0)]);
    assert!(is_fully_balanced(&a));
}

fn testEnsurePartitionsAssignedToHighestGeneration(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.topic(TOPIC2, 3);
    t.topic(TOPIC3, 3);
    let all = [TOPIC, TOPIC2, TOPIC3];
    let current = 10;
    t.v2(CONSUMER1, &all, &[tp(TOPIC, 0), tp(TOPIC2, 0), tp(TOPIC3, 0)], current);
    t.v2(CONSUMER2, &all, &[tp(TOPIC, 1), tp(TOPIC2, 1), tp(TOPIC3, 1)], current - 1);
    t.v2(CONSUMER3, &all, &[tp(TOPIC2, 1), tp(TOPIC3, 0), tp(TOPIC3, 2)], current - 2);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC, 0), tp(TOPIC2, 0), tp(TOPIC3, 0)]));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC, 1), tp(TOPIC2, 1), tp(TOPIC3, 1)]));
    assert_eq!(got(&a, CONSUMER3), set(&[tp(TOPIC, 2), tp(TOPIC2, 2), tp(TOPIC3, 2)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testNoReassignmentOnCurrentMembers(kind: Kind) {
    let mut t = Test::new(kind);
    for topic in [TOPIC, TOPIC1, TOPIC2, TOPIC3] {
        t.topic(topic, 3);
    }
    let all = [TOPIC, TOPIC2, TOPIC3, TOPIC1];
    let current = 10;
    t.v2(CONSUMER1, &all, &[], DEFAULT_GENERATION);
    t.v2(CONSUMER2, &all, &[tp(TOPIC, 0), tp(TOPIC2, 0), tp(TOPIC1, 0)], current - 1);
    t.v2(CONSUMER3, &all, &[tp(TOPIC3, 2), tp(TOPIC2, 2), tp(TOPIC1, 1)], current - 2);
    t.v2(CONSUMER4, &all, &[tp(TOPIC3, 1), tp(TOPIC, 1), tp(TOPIC, 2)], current - 3);
    let mut a = t.assign();
    // The partitions assigned before are not reassigned.
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC1, 2), tp(TOPIC2, 1), tp(TOPIC3, 0)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.topic(TOPIC2, 3);
    let current = 10;
    t.v2(CONSUMER1, &[TOPIC, TOPIC2], &[tp(TOPIC, 0), tp(TOPIC2, 1), tp(TOPIC, 1)], current);
    t.v2(CONSUMER2, &[TOPIC, TOPIC2], &[tp(TOPIC, 0), tp(TOPIC2, 1), tp(TOPIC2, 2)], current - 2);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), set(&[tp(TOPIC, 0), tp(TOPIC2, 1), tp(TOPIC, 1)]));
    assert_eq!(got(&a, CONSUMER2), set(&[tp(TOPIC, 2), tp(TOPIC2, 2), tp(TOPIC2, 0)]));
    assert!(t.transferring_is_empty());
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

/// `verifyRackAssignment` without racks: members `consumer0`..., subscriptions
/// carrying owned partitions without user data and without a generation (so
/// the eager `StickyAssignor`, which reads them from user data, sees none).
fn rack_free_assignment(kind: Kind, topics: &[(&str, u32)], subscribed: &[&[&str]], owned: &[&str], expected: &[&str]) {
    let mut t = Test::new(kind);
    for (topic, n) in topics {
        t.topic(topic, *n);
    }
    for (i, s) in subscribed.iter().enumerate() {
        let mine = match kind {
            Kind::Cooperative => owned.get(i).map(|o| parse(o)).unwrap_or_default(),
            Kind::Sticky => Vec::new(),
        };
        t.v2(&format!("consumer{i}"), s, &mine, DEFAULT_GENERATION);
    }
    let a = t.assign();
    for (i, e) in expected.iter().enumerate() {
        assert_eq!(got(&a, &format!("consumer{i}")), parse(e), "consumer{i}, owning {owned:?}");
    }
}

fn testRackAwareAssignmentWithUniformSubscription(kind: Kind) {
    let topics = [("t1", 6), ("t2", 7), ("t3", 2)];
    let all: &[&str] = &["t1", "t2", "t3"];
    let non_rack_aware =
        ["t1-0, t1-3, t2-0, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t3-0", "t1-2, t1-5, t2-2, t2-5, t3-1"];
    rack_free_assignment(kind, &topics, &[all, all, all], &[], &non_rack_aware);
    rack_free_assignment(kind, &topics, &[all, all, all], &non_rack_aware, &non_rack_aware);
}

fn testRackAwareAssignmentWithNonEqualSubscription(kind: Kind) {
    let topics = [("t1", 6), ("t2", 7), ("t3", 2)];
    let all: &[&str] = &["t1", "t2", "t3"];
    let subscribed = [all, all, &["t1", "t3"][..]];
    let non_rack_aware =
        ["t1-5, t2-0, t2-2, t2-4, t2-6", "t1-3, t2-1, t2-3, t2-5, t3-0", "t1-0, t1-1, t1-2, t1-4, t3-1"];
    rack_free_assignment(kind, &topics, &subscribed, &[], &non_rack_aware);
    rack_free_assignment(kind, &topics, &subscribed, &non_rack_aware, &non_rack_aware);
    // "Verify that result is same as non-rack-aware assignment if all racks match".
    let owned = ["t1-0, t1-1, t1-2, t1-3, t1-4", "t1-5, t2-0, t2-1, t2-2, t2-3", "t2-4, t2-5, t2-6, t3-0, t3-1"];
    match kind {
        Kind::Sticky => rack_free_assignment(kind, &topics, &subscribed, &owned, &non_rack_aware),
        Kind::Cooperative => {
            let intermediate = ["t1-2, t1-3, t1-4", "t2-0, t2-1, t2-2, t2-3", "t3-0, t3-1"];
            let assignment =
                ["t1-2, t1-3, t1-4, t2-4, t2-5", "t2-0, t2-1, t2-2, t2-3, t2-6", "t1-0, t1-1, t1-5, t3-0, t3-1"];
            rack_free_assignment(kind, &topics, &subscribed, &owned, &intermediate);
            rack_free_assignment(kind, &topics, &subscribed, &intermediate, &assignment);
        }
    }
}

/// StickyAssignorTest and CooperativeStickyAssignorTest each have a case of
/// this name, with the assignor's own answer for the partition both claim.
fn testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer(
    kind: Kind,
) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 3);
    t.v2(CONSUMER1, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 1)], GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 2)], GENERATION_ID);
    t.v2(CONSUMER3, &[TOPIC], &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 1)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 2)]);
    match kind {
        Kind::Sticky => assert_eq!(got(&a, CONSUMER3), [tp(TOPIC, 0)]),
        // topic-0 counts as owned, so it cannot be assigned until both have revoked it.
        Kind::Cooperative => assert!(got(&a, CONSUMER3).is_empty()),
    }
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer(
    kind: Kind,
) {
    let mut t = Test::new(kind);
    t.topic(TOPIC, 4);
    t.v2(CONSUMER1, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 1)], GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 2)], GENERATION_ID);
    t.v2(CONSUMER3, &[TOPIC], &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC, 1), tp(TOPIC, 3)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC, 2)]);
    match kind {
        Kind::Sticky => assert_eq!(got(&a, CONSUMER3), [tp(TOPIC, 0)]),
        Kind::Cooperative => assert!(got(&a, CONSUMER3).is_empty()),
    }
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

/// The subscription versions differ in how owned partitions travel, which the
/// simulation does not encode; the assignment is the same.
fn testAssignorWithOldVersionSubscriptions(kind: Kind) {
    let mut t = Test::new(kind);
    t.topic(TOPIC1, 3);
    t.v2(CONSUMER1, &[TOPIC1], &[tp(TOPIC1, 0)], GENERATION_ID);
    t.v2(CONSUMER2, &[TOPIC1], &[tp(TOPIC1, 1)], GENERATION_ID);
    t.v2(CONSUMER3, &[TOPIC1], &[], GENERATION_ID);
    let mut a = t.assign();
    assert_eq!(got(&a, CONSUMER1), [tp(TOPIC1, 0)]);
    assert_eq!(got(&a, CONSUMER2), [tp(TOPIC1, 1)]);
    assert_eq!(got(&a, CONSUMER3), [tp(TOPIC1, 2)]);
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

// ----- StickyAssignorTest's own cases -----------------------------------------------------------

#[test]
fn testAssignmentWithMultipleGenerations1() {
    for all_equal in [true, false] {
        let mut t = Test::new(Kind::Sticky);
        let all = [TOPIC, TOPIC2];
        let c2_topics: &[&str] = if all_equal { &all } else { &[TOPIC] };
        t.topic(TOPIC, 6);
        t.topic(TOPIC2, 6);
        t.subscription(CONSUMER1, &all);
        t.subscription(CONSUMER2, c2_topics);
        t.subscription(CONSUMER3, &all);
        let mut a = t.assign();
        let (r1p1, r1p2, r1p3) = (got(&a, CONSUMER1), got(&a, CONSUMER2), got(&a, CONSUMER3));
        assert!(r1p1.len() == 4 && r1p2.len() == 4 && r1p3.len() == 4);
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));

        t.v2(CONSUMER1, &all, &r1p1, GENERATION_ID);
        t.v2(CONSUMER2, c2_topics, &r1p2, GENERATION_ID);
        t.remove(CONSUMER3);
        let mut a = t.assign();
        let (r2p1, r2p2) = (got(&a, CONSUMER1), got(&a, CONSUMER2));
        assert!(r2p1.len() == 6 && r2p2.len() == 6);
        if all_equal {
            assert!(r1p1.iter().all(|tp| r2p1.contains(tp)));
        }
        assert!(r1p2.iter().all(|tp| r2p2.contains(tp)));
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));
        assert!(r2p2.iter().any(|tp| r1p3.contains(tp)));

        t.remove(CONSUMER1);
        t.v2(CONSUMER2, c2_topics, &r2p2, 2);
        t.v2(CONSUMER3, &all, &r1p3, 1);
        let mut a = t.assign();
        let (r3p2, r3p3) = (got(&a, CONSUMER2), got(&a, CONSUMER3));
        assert!(r3p2.len() == 6 && r3p3.len() == 6);
        assert!(r3p2.iter().all(|tp| !r3p3.contains(tp)));
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));
    }
}

#[test]
fn testAssignmentWithMultipleGenerations2() {
    for all_equal in [true, false] {
        let mut t = Test::new(Kind::Sticky);
        let all = [TOPIC, TOPIC2, TOPIC3];
        let c1_topics: &[&str] = if all_equal { &all } else { &[TOPIC] };
        let c3_topics: &[&str] = if all_equal { &all } else { &[TOPIC, TOPIC2] };
        for topic in all {
            t.topic(topic, 4);
        }
        t.subscription(CONSUMER1, c1_topics);
        t.subscription(CONSUMER2, &all);
        t.subscription(CONSUMER3, c3_topics);
        let mut a = t.assign();
        let (r1p1, r1p2, r1p3) = (got(&a, CONSUMER1), got(&a, CONSUMER2), got(&a, CONSUMER3));
        assert!(r1p1.len() == 4 && r1p2.len() == 4 && r1p3.len() == 4);
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));

        t.remove(CONSUMER1);
        t.v2(CONSUMER2, &all, &r1p2, 1);
        t.remove(CONSUMER3);
        let mut a = t.assign();
        let r2p2 = got(&a, CONSUMER2);
        assert_eq!(r2p2.len(), 12);
        assert!(r1p2.iter().all(|tp| r2p2.contains(tp)));
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));

        t.v2(CONSUMER1, c1_topics, &r1p1, 1);
        t.v2(CONSUMER2, &all, &r2p2, 2);
        t.v2(CONSUMER3, c3_topics, &r1p3, 1);
        let mut a = t.assign();
        let sizes: Vec<usize> = [CONSUMER1, CONSUMER2, CONSUMER3].iter().map(|c| got(&a, c).len()).collect();
        assert_eq!(sizes, [4, 4, 4]);
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));
    }
}

#[test]
fn testAssignmentWithConflictingPreviousGenerations() {
    for all_equal in [true, false] {
        let mut t = Test::new(Kind::Sticky);
        let all = [TOPIC, TOPIC2, TOPIC3];
        for topic in all {
            t.topic(topic, 4);
        }
        let c1_topics: &[&str] = if all_equal { &all } else { &[TOPIC] };
        let c2_topics: &[&str] = if all_equal { &all } else { &[TOPIC, TOPIC2] };
        let c1_owned = if all_equal {
            vec_of(&[(TOPIC, 0), (TOPIC, 1), (TOPIC, 2), (TOPIC2, 2), (TOPIC2, 3), (TOPIC3, 0)])
        } else {
            vec_of(&[(TOPIC, 0), (TOPIC, 1), (TOPIC, 2), (TOPIC, 3)])
        };
        let c2_owned = vec_of(&[(TOPIC, 0), (TOPIC, 1), (TOPIC2, 0), (TOPIC2, 1), (TOPIC2, 2), (TOPIC2, 3)]);
        let c3_owned = vec_of(&[(TOPIC, 2), (TOPIC, 3), (TOPIC3, 0), (TOPIC3, 1), (TOPIC3, 2), (TOPIC3, 3)]);
        t.v2(CONSUMER1, c1_topics, &c1_owned, 1);
        t.v2(CONSUMER2, c2_topics, &c2_owned, 2);
        t.v2(CONSUMER3, &all, &c3_owned, 2);
        let mut a = t.assign();
        let (c1, c2, c3) = (got(&a, CONSUMER1), got(&a, CONSUMER2), got(&a, CONSUMER3));
        assert!(c1.len() == 4 && c2.len() == 4 && c3.len() == 4, "{a:?}");
        assert!(c2.iter().all(|tp| c2_owned.contains(tp)));
        assert!(c3.iter().all(|tp| c3_owned.contains(tp)));
        t.verify(&mut a);
        assert!(is_fully_balanced(&a));
    }
}

#[test]
fn testSchemaBackwardCompatibility() {
    let mut t = Test::new(Kind::Sticky);
    t.topic(TOPIC, 3);
    t.v2(CONSUMER1, &[TOPIC], &[tp(TOPIC, 0), tp(TOPIC, 2)], 1);
    // The old user-data schema has no generation.
    t.v2(CONSUMER2, &[TOPIC], &[tp(TOPIC, 1)], DEFAULT_GENERATION);
    t.subscription(CONSUMER3, &[TOPIC]);
    let mut a = t.assign();
    let (c1, c2, c3) = (got(&a, CONSUMER1), got(&a, CONSUMER2), got(&a, CONSUMER3));
    assert!(c1.len() == 1 && c2.len() == 1 && c3.len() == 1);
    assert!(c1.iter().all(|p| [tp(TOPIC, 0), tp(TOPIC, 2)].contains(p)));
    assert_eq!(c2, [tp(TOPIC, 1)]);
    t.verify(&mut a);
    assert!(is_fully_balanced(&a));
}

fn vec_of(list: &[(&str, u32)]) -> Vec<TopicPartition> {
    list.iter().map(|(t, p)| tp(t, *p)).collect()
}
