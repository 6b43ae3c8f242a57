#!/usr/bin/env python3
"""Checks a session exported as Python: it compiles, and every KafkaProducer / KafkaConsumer /
KafkaAdminClient keyword is one kafka-python really has (its DEFAULT_CONFIG).

    python3 tools/check_export.py session.py [more.py ...]     # needs: pip install kafka-python
"""
import ast
import py_compile
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

KNOWN = {
    "KafkaProducer": set(KafkaProducer.DEFAULT_CONFIG),
    "KafkaConsumer": set(KafkaConsumer.DEFAULT_CONFIG),
    "KafkaAdminClient": set(KafkaAdminClient.DEFAULT_CONFIG),
    "NewTopic": {"replica_assignments", "topic_configs"},
}


def check(path):
    py_compile.compile(path, doraise=True)
    problems = []
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KNOWN:
            for kw in node.keywords:
                if kw.arg not in KNOWN[node.func.id]:
                    problems.append("%s:%d: %s has no keyword %s" % (path, node.lineno, node.func.id, kw.arg))
    return problems


if __name__ == "__main__":
    problems = [p for path in sys.argv[1:] for p in check(path)]
    print("\n".join(problems) or "exports: %d passed, 0 failed" % len(sys.argv[1:]))
    sys.exit(1 if problems else 0)
