#!/usr/bin/env python3
"""Writes core/tests/fixtures/partitioner.tsv: 10,000 random keys (random lengths, random bytes) with
random partition counts and the partition kafka-python's default partitioner picks for each.

    python3 tools/partitioner_fixture.py      # needs: pip install kafka-python

The Rust test core/tests/partitioner.rs checks every line against this engine's partitioner.
"""
import os
import random

from kafka.partitioner.default import DefaultPartitioner, murmur2

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "tests", "fixtures", "partitioner.tsv")


class Cluster:
    """The three questions DefaultPartitioner asks of cluster metadata."""

    def __init__(self, n):
        self.n = n

    def topics(self):
        return {"t"}

    def partitions_for_topic(self, topic):
        return set(range(self.n))

    def available_partitions_for_topic(self, topic):
        return set(range(self.n))


def main():
    rng = random.Random(20261126)
    with open(OUT, "w") as f:
        f.write("# key_hex\tpartitions\tmurmur2\tpartition (kafka-python DefaultPartitioner)\n")
        for _ in range(10_000):
            key = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 33)))
            n = rng.randrange(1, 200)
            chosen = DefaultPartitioner().partition("t", None, key, None, None, Cluster(n))
            f.write("%s\t%d\t%d\t%d\n" % (key.hex(), n, murmur2(key), chosen))
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
