#!/usr/bin/env python3
"""Writes core/tests/fixtures/assignors.jsonl.gz (gzip, one JSON object a line): 5,000 random consumer groups (1-10 members, some static,
1-5 topics of 1-12 partitions, random subscriptions) with the assignments kafka-python's
RangePartitionAssignor and RoundRobinPartitionAssignor compute for them.

    python3 tools/assignor_fixture.py        # needs: pip install kafka-python

Members are passed static first (as Kafka sorts them): kafka-python groups static and dynamic members with
itertools.groupby, which drops members when the two kinds are interleaved in its input; Java's order does not
depend on the input order, so this avoids that bug without changing the expected result. kafka-python's round
robin fails when it has to skip a member not subscribed to a topic (a tuple used as a member id); those cases
are recorded without a round-robin answer and checked against Kafka's documented rule in the Rust test.
"""
import gzip
import io
import json
import os
import random

from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "tests", "fixtures", "assignors.jsonl.gz")


class Cluster:
    def __init__(self, partitions):
        self.partitions = partitions

    def partitions_for_topic(self, topic):
        return set(range(self.partitions[topic])) if topic in self.partitions else None


class Subscription:
    def __init__(self, topics):
        self.topics = topics


class Member:
    def __init__(self, member_id, instance_id, topics):
        self.member_id = member_id
        self.group_instance_id = instance_id
        self.metadata = Subscription(topics)


def flatten(assignment):
    return {m: sorted([t, p] for t, ps in a.assigned_partitions for p in ps) for m, a in assignment.items()}


def main():
    rng = random.Random(5000)
    # mtime=0: the same groups give the same bytes.
    with io.TextIOWrapper(gzip.GzipFile(OUT, "wb", mtime=0)) as f:
        for _ in range(5_000):
            topics = ["t%d" % i for i in range(rng.randint(1, 5))]
            partitions = {t: rng.randint(1, 12) for t in topics}
            members = []
            for i in range(rng.randint(1, 10)):
                member_id = "consumer-%d-%04x" % (i, rng.randrange(1 << 16))
                instance = "instance-%d" % rng.randrange(100) if rng.random() < 0.3 else None
                if instance and any(m.group_instance_id == instance for m in members):
                    instance = None
                subscribed = sorted(rng.sample(topics, rng.randint(1, len(topics))))
                members.append(Member(member_id, instance, subscribed))
            members.sort(key=lambda m: (m.group_instance_id is None, m.group_instance_id or "", m.member_id))
            cluster = Cluster(partitions)
            try:
                round_robin = flatten(RoundRobinPartitionAssignor.assign(cluster, members))
            except KeyError:
                # kafka-python's round robin takes a (instance, member) tuple for a member id
                # when it skips an unsubscribed member, and fails: no answer to compare with.
                round_robin = None
            record = {
                "partitions": partitions,
                "members": [[m.member_id, m.group_instance_id, m.metadata.topics] for m in members],
                "range": flatten(RangePartitionAssignor.assign(cluster, members)),
                "roundrobin": round_robin,
            }
            f.write(json.dumps(record, sort_keys=True) + "\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
