//! Apache Kafka's `RangeAssignorTest` and `RoundRobinAssignorTest`, case by
//! case under Kafka's names. The rack-aware cases are here for the parts that
//! run without racks (Kafka's `verifyNonRackAwareAssignment` and the cases
//! whose every partition has a replica on every rack).
#![allow(non_snake_case)]

use super::{range, round_robin, Assignment, Member};
use crate::protocol::TopicPartition;
use crate::sorted::SortedMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn sorted(list: &[TopicPartition]) -> Vec<TopicPartition> {
    let mut v = list.to_vec();
    v.sort();
    v
}

fn parse(text: &str) -> Vec<TopicPartition> {
    sorted(&text.split(", ").filter_map(TopicPartition::parse).collect::<Vec<_>>())
}

fn topics(list: &[(&str, u32)]) -> SortedMap<String, u32> {
    list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

fn member(id: &str, subscribed: &[&str]) -> Member {
    Member::new(id, subscribed.iter().map(|t| t.to_string()).collect())
}

fn static_member(id: &str, instance: &str, subscribed: &[&str]) -> Member {
    let mut m = member(id, subscribed);
    m.group_instance_id = Some(instance.into());
    m
}

fn got(a: &Assignment, consumer: &str) -> Vec<TopicPartition> {
    sorted(a.get(consumer).map_or(&[][..], Vec::as_slice))
}

type Assignor = fn(&[Member], &SortedMap<String, u32>) -> Assignment;

/// `verifyRackAssignment` without racks: members `consumer0`, `consumer1`, ...
fn verify(assignor: Assignor, partitions: &[(&str, u32)], subscribed: &[&[&str]], expected: &[&str]) {
    let members: Vec<Member> = subscribed.iter().enumerate().map(|(i, s)| member(&format!("consumer{i}"), s)).collect();
    let a = assignor(&members, &topics(partitions));
    for (i, e) in expected.iter().enumerate() {
        assert_eq!(got(&a, &format!("consumer{i}")), parse(e), "consumer{i}");
    }
}

/// The shared cases: both test classes have them, with each assignor's answer.
macro_rules! shared_cases {
    ($assignor:path, $mixed:expr, $six:expr) => {
        #[test]
        fn testOneConsumerNoTopic() {
            let a = $assignor(&[member("consumer", &[])], &SortedMap::new());
            assert_eq!(a.keys().collect::<Vec<_>>(), ["consumer"]);
            assert!(got(&a, "consumer").is_empty());
        }

        #[test]
        fn testOneConsumerNonexistentTopic() {
            let a = $assignor(&[member("consumer", &["topic"])], &SortedMap::new());
            assert_eq!(a.keys().collect::<Vec<_>>(), ["consumer"]);
            assert!(got(&a, "consumer").is_empty());
        }

        #[test]
        fn testOneConsumerOneTopic() {
            let a = $assignor(&[member("consumer", &["topic"])], &topics(&[("topic", 3)]));
            assert_eq!(got(&a, "consumer"), [tp("topic", 0), tp("topic", 1), tp("topic", 2)]);
        }

        #[test]
        fn testOnlyAssignsPartitionsFromSubscribedTopics() {
            let a = $assignor(&[member("consumer", &["topic"])], &topics(&[("topic", 3), ("other", 3)]));
            assert_eq!(got(&a, "consumer"), [tp("topic", 0), tp("topic", 1), tp("topic", 2)]);
        }

        #[test]
        fn testOneConsumerMultipleTopics() {
            let a = $assignor(&[member("consumer", &["topic1", "topic2"])], &topics(&[("topic1", 1), ("topic2", 2)]));
            assert_eq!(got(&a, "consumer"), [tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]);
        }

        #[test]
        fn testTwoConsumersOneTopicOnePartition() {
            let members = [member("consumer1", &["topic"]), member("consumer2", &["topic"])];
            let a = $assignor(&members, &topics(&[("topic", 1)]));
            assert_eq!(got(&a, "consumer1"), [tp("topic", 0)]);
            assert!(got(&a, "consumer2").is_empty());
        }

        #[test]
        fn testTwoConsumersOneTopicTwoPartitions() {
            let members = [member("consumer1", &["topic"]), member("consumer2", &["topic"])];
            let a = $assignor(&members, &topics(&[("topic", 2)]));
            assert_eq!(got(&a, "consumer1"), [tp("topic", 0)]);
            assert_eq!(got(&a, "consumer2"), [tp("topic", 1)]);
        }

        #[test]
        fn testMultipleConsumersMixedTopics() {
            let members = [
                member("consumer1", &["topic1"]),
                member("consumer2", &["topic1", "topic2"]),
                member("consumer3", &["topic1"]),
            ];
            let a = $assignor(&members, &topics(&[("topic1", 3), ("topic2", 2)]));
            let [c1, c2, c3]: [&str; 3] = $mixed;
            assert_eq!(got(&a, "consumer1"), parse(c1));
            assert_eq!(got(&a, "consumer2"), parse(c2));
            assert_eq!(got(&a, "consumer3"), parse(c3));
        }

        /// Kafka orders static members by instance id, before dynamic ones.
        #[test]
        fn testTwoStaticConsumersTwoTopicsSixPartitions() {
            let both = ["topic1", "topic2"];
            let members =
                [static_member("consumer-b", "instance1", &both), static_member("consumer-a", "instance2", &both)];
            let a = $assignor(&members, &topics(&[("topic1", 3), ("topic2", 3)]));
            let [low, high]: [&str; 2] = $six;
            assert_eq!(got(&a, "consumer-b"), parse(low));
            assert_eq!(got(&a, "consumer-a"), parse(high));
        }

        #[test]
        fn testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions() {
            let both = ["topic1", "topic2"];
            let members = [static_member("consumer-b", "instance1", &both), member("consumer-a", &both)];
            let a = $assignor(&members, &topics(&[("topic1", 3), ("topic2", 3)]));
            let [low, high]: [&str; 2] = $six;
            assert_eq!(got(&a, "consumer-b"), parse(low));
            assert_eq!(got(&a, "consumer-a"), parse(high));
        }
    };
}

/// Each static member's assignment by instance id (`checkStaticAssignment`).
fn by_instance(a: &Assignment, members: &[Member]) -> SortedMap<String, Vec<TopicPartition>> {
    members.iter().filter_map(|m| m.group_instance_id.as_ref().map(|i| (i.clone(), got(a, &m.member_id)))).collect()
}

/// Static members keep their assignment when their member ids change.
fn persistent_after_member_id_changes(assignor: Assignor, expected: [&str; 3]) {
    let both = ["topic1", "topic2"];
    let parts = topics(&[("topic1", 5), ("topic2", 5)]);
    let mut members = [
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
    ];
    let first = by_instance(&assignor(&members, &parts), &members);
    for (i, e) in expected.iter().enumerate() {
        assert_eq!(first.get(format!("instance{}", i + 1).as_str()), Some(&parse(e)));
    }
    members[2].member_id = "consumer4".into();
    members[1].member_id = "consumer5".into();
    assert_eq!(by_instance(&assignor(&members, &parts), &members), first);
}

mod range_assignor {
    use super::*;

    shared_cases!(
        range,
        ["topic1-0", "topic1-1, topic2-0, topic2-1", "topic1-2"],
        ["topic1-0, topic1-1, topic2-0, topic2-1", "topic1-2, topic2-2"]
    );

    #[test]
    fn testTwoConsumersTwoTopicsSixPartitions() {
        let both = ["topic1", "topic2"];
        let a =
            range(&[member("consumer1", &both), member("consumer2", &both)], &topics(&[("topic1", 3), ("topic2", 3)]));
        assert_eq!(got(&a, "consumer1"), parse("topic1-0, topic1-1, topic2-0, topic2-1"));
        assert_eq!(got(&a, "consumer2"), parse("topic1-2, topic2-2"));
    }

    #[test]
    fn testStaticMemberRangeAssignmentPersistent() {
        let both = ["topic1", "topic2"];
        let parts = topics(&[("topic1", 5), ("topic2", 4)]);
        let mut members = alloc::vec![
            static_member("consumer1", "instance1", &both),
            static_member("consumer2", "instance2", &both),
            static_member("consumer3", "instance3", &both),
            member("consumer4", &both),
        ];
        let a = range(&members, &parts);
        assert_eq!(got(&a, "consumer1"), parse("topic1-0, topic1-1, topic2-0"));
        assert_eq!(got(&a, "consumer2"), parse("topic1-2, topic2-1"));
        assert_eq!(got(&a, "consumer3"), parse("topic1-3, topic2-2"));
        assert_eq!(got(&a, "consumer4"), parse("topic1-4, topic2-3"));
        // Replace dynamic member 4 with a new dynamic member 5.
        members[3] = member("consumer5", &both);
        let b = range(&members, &parts);
        for c in ["consumer1", "consumer2", "consumer3"] {
            assert_eq!(got(&b, c), got(&a, c));
        }
        assert_eq!(got(&b, "consumer5"), parse("topic1-4, topic2-3"));
    }

    #[test]
    fn testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges() {
        persistent_after_member_id_changes(
            range,
            ["topic1-0, topic1-1, topic2-0, topic2-1", "topic1-2, topic1-3, topic2-2, topic2-3", "topic1-4, topic2-4"],
        );
    }

    const T: [(&str, u32); 3] = [("t1", 6), ("t2", 7), ("t3", 2)];
    const ALL: &[&str] = &["t1", "t2", "t3"];

    #[test]
    fn testRackAwareAssignmentWithUniformSubscription() {
        let expected = ["t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6"];
        verify(range, &T, &[ALL, ALL, ALL], &expected);
    }

    #[test]
    fn testRackAwareAssignmentWithNonEqualSubscription() {
        let expected = ["t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0", "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1", "t1-4, t1-5"];
        verify(range, &T, &[ALL, ALL, &["t1", "t3"]], &expected);
    }

    #[test]
    fn testRackAwareAssignmentWithUniformPartitions() {
        let t = [("t1", 5), ("t2", 5), ("t3", 5)];
        let expected = ["t1-0, t1-1, t2-0, t2-1, t3-0, t3-1", "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3", "t1-4, t2-4, t3-4"];
        verify(range, &t, &[ALL, ALL, ALL], &expected);
    }

    #[test]
    fn testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription() {
        let t = [("t1", 5), ("t2", 5), ("t3", 5)];
        let expected = ["t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1", "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3", "t1-4, t3-4"];
        verify(range, &t, &[ALL, ALL, &["t1", "t3"]], &expected);
    }

    #[test]
    fn testRackAwareAssignmentWithCoPartitioning() {
        let t = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
        let (a, b): (&[&str], &[&str]) = (&["t1", "t2"], &["t3", "t4"]);
        let expected =
            ["t1-0, t1-1, t1-2, t2-0, t2-1, t2-2", "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5", "t3-0, t4-0", "t3-1, t4-1"];
        verify(range, &t, &[a, a, b, b], &expected);
        let all: &[&str] = &["t1", "t2", "t3", "t4"];
        let expected =
            ["t1-0, t1-1, t2-0, t2-1, t3-0, t4-0", "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1", "t1-4, t2-4", "t1-5, t2-5"];
        verify(range, &t, &[all, all, all, all], &expected);
    }

    #[test]
    fn testCoPartitionedAssignmentWithSameSubscription() {
        let t = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2), ("t5", 4), ("t6", 4)];
        let list: &[&str] = &["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
        let expected = [
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
            "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
        ];
        verify(range, &t, &[list, list, list], &expected);
    }
}

mod round_robin_assignor {
    use super::*;

    shared_cases!(
        round_robin,
        ["topic1-0", "topic1-1, topic2-0, topic2-1", "topic1-2"],
        ["topic1-0, topic1-2, topic2-1", "topic1-1, topic2-0, topic2-2"]
    );

    #[test]
    fn testTwoDynamicConsumersTwoTopicsSixPartitions() {
        let both = ["topic1", "topic2"];
        let a = round_robin(
            &[member("consumer1", &both), member("consumer2", &both)],
            &topics(&[("topic1", 3), ("topic2", 3)]),
        );
        assert_eq!(got(&a, "consumer1"), parse("topic1-0, topic1-2, topic2-1"));
        assert_eq!(got(&a, "consumer2"), parse("topic1-1, topic2-0, topic2-2"));
    }

    #[test]
    fn testStaticMemberRoundRobinAssignmentPersistent() {
        let both = ["topic1", "topic2"];
        let parts = topics(&[("topic1", 3), ("topic2", 3)]);
        let mut members = alloc::vec![
            static_member("consumer1", "instance1", &both),
            static_member("consumer2", "instance2", &both),
            static_member("consumer3", "instance3", &both),
            member("consumer4", &both),
        ];
        let a = round_robin(&members, &parts);
        assert_eq!(got(&a, "consumer1"), parse("topic1-0, topic2-1"));
        assert_eq!(got(&a, "consumer2"), parse("topic1-1, topic2-2"));
        assert_eq!(got(&a, "consumer3"), parse("topic1-2"));
        assert_eq!(got(&a, "consumer4"), parse("topic2-0"));
        members[3] = member("consumer5", &both);
        let b = round_robin(&members, &parts);
        for c in ["consumer1", "consumer2", "consumer3"] {
            assert_eq!(got(&b, c), got(&a, c));
        }
        assert_eq!(got(&b, "consumer5"), parse("topic2-0"));
    }

    #[test]
    fn testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges() {
        persistent_after_member_id_changes(
            round_robin,
            ["topic1-0, topic1-3, topic2-1, topic2-4", "topic1-1, topic1-4, topic2-2", "topic1-2, topic2-0, topic2-3"],
        );
    }
}
