//! Exports of every golden scenario: the Python compiles and uses only
//! kafka-python's real keywords (tools/check_export.py), the shell script parses.
#![cfg(not(target_arch = "wasm32"))]

use kafka_sim::export;
use kafka_sim::scenario::Scenario;
use std::path::PathBuf;
use std::process::Command;

fn scenarios() -> Vec<(String, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kafka"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                Scenario::parse(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn python_exports_compile_and_use_kafka_pythons_real_api() {
    let dir = std::env::temp_dir().join(format!("kafka-sim-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (name, s) in scenarios() {
        let path = dir.join(format!("{}.py", name.replace('-', "_")));
        std::fs::write(&path, export::python(&s)).unwrap();
        files.push(path);
    }
    let checker = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/check_export.py");
    let out = Command::new("python3")
        .arg(checker)
        .args(&files)
        .output()
        .expect("python3 runs (./x test installs kafka-python)");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn shell_exports_parse() {
    for (name, s) in scenarios() {
        let script = export::cli(&s);
        let out = Command::new("sh").arg("-n").arg("-c").arg(&script).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn the_first_steps_export_reads_like_the_products_examples() {
    let s = Scenario::parse(include_str!("scenarios/first-steps.kafka")).unwrap();
    let py = export::python(&s);
    assert!(py.contains(r#"p1 = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=10)"#), "{py}");
    assert!(py.contains(r#"p1.send("orders", value=b"{\"order_id\":\"ORD001\",\"amount\":150.0}", key=b"Alice", headers=[("source", b"python-client")])"#), "{py}");
    assert!(
        py.contains(r#"admin.create_topics([NewTopic("orders", 3, 3, topic_configs={"retention.ms": "604800000"})])"#),
        "{py}"
    );
    let sh = export::cli(&s);
    assert!(sh.contains("kafka-topics.sh --bootstrap-server \"$B\" --create --topic 'orders' --partitions 3 --replication-factor 3 --config 'retention.ms=604800000'"), "{sh}");
}

#[test]
fn the_checker_refuses_a_keyword_kafka_python_lacks() {
    let path = std::env::temp_dir().join(format!("kafka-sim-export-bad-{}.py", std::process::id()));
    std::fs::write(&path, "from kafka import KafkaProducer\nKafkaProducer(retry_backoff_max_ms=5)\n").unwrap();
    let checker = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/check_export.py");
    let out = Command::new("python3").arg(checker).arg(&path).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("KafkaProducer has no keyword retry_backoff_max_ms"));
}

#[test]
fn rule_partitioners_export_as_kafka_python_partitioners() {
    let s = Scenario::parse(include_str!("scenarios/partitioners.kafka")).unwrap();
    let py = export::python(&s);
    for expected in [
        "    class RegionsPartitioner(DefaultPartitioner):",
        "        RULES = [(b\"US\", 0), (b\"EU\", 1)]",
        "            return 2",
        "    regions = KafkaProducer(bootstrap_servers=args.bootstrap, partitioner=RegionsPartitioner(), linger_ms=0)",
        "                if serialized_key is not None and serialized_key.startswith(k):",
        "            return super().partition(topic, key, serialized_key, value, serialized_value, cluster)",
    ] {
        assert!(py.contains(expected), "missing {expected:?} in\n{py}");
    }
}

#[test]
fn a_share_group_exports_as_kafkas_share_tools_and_as_comments_for_kafka_python() {
    let s = Scenario::parse(include_str!("scenarios/share-group-poison.kafka")).unwrap();
    let sh = export::cli(&s);
    assert!(
        sh.contains("kafka-configs.sh --bootstrap-server \"$B\" --alter --entity-type groups --entity-name 'jobs' --add-config 'share.auto.offset.reset=earliest,share.delivery.count.limit=3'"),
        "{sh}"
    );
    assert!(
        sh.contains("kafka-console-share-consumer.sh --bootstrap-server \"$B\" --topic 'jobs' --group 'jobs' --consumer-property 'share.acknowledgement.mode=explicit'"),
        "{sh}"
    );
    assert!(sh.contains("kafka-share-groups.sh --bootstrap-server \"$B\" --describe --group 'jobs' --offsets"), "{sh}");
    let py = export::python(&s);
    assert!(
        py.contains("# (kafka-python has no share consumer, KIP-932: use the Java client's KafkaShareConsumer)"),
        "{py}"
    );
    assert!(!py.contains("w1 = "), "a share consumer is not made a KafkaConsumer: {py}");
}

/// A group's consumer runs its poll loop as a kafka-console-consumer.sh in the group, in the
/// background; a regex the coordinator would resolve becomes `--include`, which the console
/// consumer matches itself (said in a comment).
#[test]
fn a_group_consumer_exports_as_a_console_consumer_in_its_group() {
    let s = Scenario::parse(include_str!("scenarios/group-consumer-protocol-regex.kafka")).unwrap();
    let sh = export::cli(&s);
    assert!(
        sh.contains("kafka-console-consumer.sh --bootstrap-server \"$B\" --include 'orders-.*' --group 'all-orders' --consumer-property 'group.protocol=consumer' --consumer-property 'auto.offset.reset=earliest' --property print.key=true --property print.offset=true &"),
        "{sh}"
    );
    assert!(sh.contains("it has no option for a SubscriptionPattern the coordinator resolves"), "{sh}");
    let s = Scenario::parse(include_str!("scenarios/group-join-leave.kafka")).unwrap();
    assert!(export::cli(&s).contains("--topic 'orders' --group 'billing'"));
}
