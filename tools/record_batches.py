#!/usr/bin/env python3
"""Cross-checks Kafka v2 record batches with kafka-python's own reader and builder.

    python3 tools/record_batches.py generate   # kafka-python writes kafka-python-<codec>.bin
    python3 tools/record_batches.py check      # kafka-python reads rust-<codec>.bin

The Rust test core/tests/record_batches.rs decodes the kafka-python files and pins the bytes
its own encoder writes (rust-<codec>.bin); this script checks those bytes decode here.
Needs: pip install kafka-python python-snappy lz4 zstandard
"""
import os
import sys

from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "tests", "fixtures", "record-batches")
CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}

# The same records as RECORDS in core/tests/record_batches.rs: (offset delta, timestamp, key, value, headers).
RECORDS = [
    (0, 1_000, b"Alice", b'{"order_id":"ORD001","amount":150.0}', [("source", b"python-client")]),
    (1, 1_005, None, b"hello", []),
    (2, 1_002, b"", None, [("trace", None), ("n", b"1")]),
] + [(3 + i, 1_010 + i, ("k%d" % (i % 5)).encode(), ("value-%d-" % i).encode() * 8, []) for i in range(40)]

# The same records as large_records() in core/tests/record_batches.rs, written gzip- and
# zstd-compressed (rust-gzip-large.bin, rust-zstd-large.bin): enough for the encoders' matches,
# Huffman codes, repeat offsets and tables to matter.
LARGE = [
    (i, 2_000 + i, ("k%d" % (i % 97)).encode(),
     ('{"order_id":"ORD%05d","amount":%d.5,"status":"created"}' % (i, i % 613)).encode(), [])
    for i in range(2_000)
]


def generate():
    for name, codec in CODECS.items():
        builder = DefaultRecordBatchBuilder(2, codec, 0, -1, -1, -1, 1 << 20)
        for offset, ts, key, value, headers in RECORDS:
            assert builder.append(offset, ts, key, value, headers) is not None
        with open(os.path.join(HERE, "kafka-python-%s.bin" % name), "wb") as f:
            f.write(bytes(builder.build()))
    print("wrote %d fixtures to %s" % (len(CODECS), os.path.normpath(HERE)))


def check():
    passed = failed = 0
    cases = [(name, codec, name, RECORDS) for name, codec in CODECS.items()]
    cases += [("%s (large)" % name, CODECS[name], name + "-large", LARGE) for name in ("gzip", "zstd")]
    for name, codec, file, records in cases:
        path = os.path.join(HERE, "rust-%s.bin" % file)
        with open(path, "rb") as f:
            batch = DefaultRecordBatch(bytearray(f.read()))
        problems = []
        if not batch.validate_crc():
            problems.append("CRC does not validate")
        if batch.compression_type != codec:
            problems.append("compression %s, expected %s" % (batch.compression_type, codec))
        got = [(r.offset, r.timestamp, r.key, r.value, [(k, v) for k, v in r.headers]) for r in batch]
        want = [(o, ts, k, v, h) for o, ts, k, v, h in records]
        if got != want:
            problems.append("records differ: first %r vs %r" % (got[:1], want[:1]))
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            passed += 1
            print("ok   %s: %d records, %d bytes" % (name, len(got), os.path.getsize(path)))
    print("record batches: %d passed, %d failed" % (passed, failed))
    return failed == 0


if __name__ == "__main__":
    if sys.argv[1:] == ["generate"]:
        generate()
    elif sys.argv[1:] == ["check"]:
        sys.exit(0 if check() else 1)
    else:
        print(__doc__)
        sys.exit(2)
