//! Ready scenarios, one click each: the golden scenarios the tests run, with
//! a sentence on what each shows. The scripts are the tests' own files, served
//! beside the page and fetched when one is opened (so they always match what
//! the tests check, and the page's first download does not carry them). Also
//! the ready-made consumer applications the groups panel offers.

/// Each scenario's file: the script is `core/tests/scenarios/FILE.kafka`, served as
/// `scenarios/FILE.kafka`. Its name and what it shows are in `static/gallery.txt`
/// (`FILE<TAB>name<TAB>sentence` lines), served beside the page and fetched once, so the first
/// download does not carry them.
pub const SCENARIOS: &[&str] = &[
    "first-steps",
    "group-join-leave",
    "group-consumer-protocol",
    "group-consumer-protocol-crash",
    "group-consumer-protocol-static",
    "group-consumer-protocol-regex",
    "group-consumer-protocol-write-refused",
    "group-eager-vs-cooperative",
    "group-sticky-two-topics",
    "group-static-member",
    "group-commit-before-processing",
    "group-commit-after-processing",
    "group-poison-dlq",
    "group-slow-consumer",
    "group-new-partitions",
    "group-zombie-static-member",
    // Share groups: the page's share-groups build opens these (see `needs_share_groups`).
    "share-group-queue",
    "share-group-poison",
    "share-group-crash",
    "share-group-explicit",
    "share-group-failover",
    "log-retention",
    "txn-commit-abort",
    "txn-zombie-fencing",
    "txn-coordinator-failover",
    "txn-consume-transform-produce",
    "txn-delivery-guarantees",
    "txn-late-write-v2",
    "txn-late-write-v1-unverified",
    "log-compaction",
    "group-crash-session-timeout",
    "group-coordinator-failover",
    "group-two-groups",
    "replication-leader-crash",
    "replication-acks1-loss",
    "replication-zombie-leader",
    "replication-not-enough-replicas",
    "unclean-election",
    "replication-elr",
    "slow-follower",
    "controller-failover",
    "controlled-shutdown",
    "idempotence-off",
    "idempotence-on",
    "compression",
    "batching",
    "record-size",
    "partitioners",
    "consumer-positions",
    "seek",
    "topic-rules",
    "network-cut",
    "auto-create",
];

/// Where scenario `i`'s script is served, relative to the page.
pub fn address(i: usize) -> Option<String> {
    SCENARIOS.get(i).map(|file| format!("scenarios/{file}.kafka"))
}

/// Where the gallery's names and sentences are served, relative to the page.
pub const ABOUT_ADDRESS: &str = "gallery.txt";

/// Whether scenario `i` uses share groups, which only the page's share-groups build has.
pub fn needs_share_groups(i: usize) -> bool {
    SCENARIOS.get(i).is_some_and(|file| file.starts_with("share-"))
}

/// Scenario `file`'s name and sentence in the text of `gallery.txt`.
pub fn about<'a>(text: &'a str, file: &str) -> Option<(&'a str, &'a str)> {
    text.lines().find_map(|line| {
        let mut fields = line.splitn(3, '\t');
        (fields.next() == Some(file)).then(|| fields.next().zip(fields.next())).flatten()
    })
}

/// Ready-made applications for the poll loop: what the page calls them, and their `consume` settings.
pub const APPLICATIONS: &[(&str, &str)] = &[
    ("instant, auto-commit", ""),
    ("100 ms a record, commit after (at least once)", "processing.ms=100 commit=after"),
    ("100 ms a record, commit before (at most once)", "processing.ms=100 commit=before"),
    (
        "poison records to a DLQ, idempotent",
        "processing.ms=100 commit=after fail.value=poison retries=2 on.failure=dlq dedupe=true",
    ),
    ("poison records stop the loop", "processing.ms=100 commit=after fail.value=poison"),
];

/// Ready-made share consumer applications (the share-groups build's groups form): a label, the
/// consumer's configs, and its poll loop's settings. Releasing or rejecting a record is
/// `acknowledge(record, RELEASE | REJECT)`, which needs explicit acknowledgement, as in Kafka.
#[cfg(feature = "share-groups")]
pub const SHARE_APPLICATIONS: &[(&str, &str, &str)] = &[
    ("instant, implicit acknowledgement", "", ""),
    ("100 ms a record, implicit acknowledgement", "", "processing.ms=100"),
    (
        "poison records released: delivered again up to the limit",
        "share.acknowledgement.mode=explicit",
        "processing.ms=100 fail.value=poison on.failure=release",
    ),
    (
        "poison records rejected: archived at once",
        "share.acknowledgement.mode=explicit",
        "processing.ms=100 fail.value=poison on.failure=reject",
    ),
    ("crashes after 3 records: their locks expire", "", "processing.ms=100 crash.after=3"),
];

/// A preset's settings as the engine's type, through the script parser (the presets are fixed and valid).
pub fn parse_processing(settings: &str) -> kafka_sim::command::Processing {
    match kafka_sim::scenario::Scenario::parse(&format!("consume x {settings}")) {
        Ok(s) => match s.commands.first().map(|l| &*l.command) {
            Some(kafka_sim::command::Command::Consume { processing, .. }) => processing.clone(),
            _ => Default::default(),
        },
        Err(_) => Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_sim::scenario::Scenario;

    #[test]
    fn every_gallery_scenario_is_a_golden_scenario_that_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/scenarios");
        let sentences = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../static/gallery.txt")).unwrap();
        for (i, file) in SCENARIOS.iter().enumerate() {
            assert!(
                about(&sentences, file).is_some_and(|(n, a)| !n.is_empty() && !a.is_empty()),
                "{file}: no name and sentence in static/gallery.txt"
            );
            let script = std::fs::read_to_string(dir.join(format!("{file}.kafka")))
                .unwrap_or_else(|e| panic!("core/tests/scenarios/{file}.kafka: {e}"));
            match Scenario::parse(&script) {
                Ok(_) => assert!(kafka_sim::SHARE_GROUPS || !needs_share_groups(i), "{file}"),
                // Without share groups their scenarios are refused as such, and opened elsewhere.
                Err(e) => assert!(
                    !kafka_sim::SHARE_GROUPS
                        && needs_share_groups(i)
                        && e.to_string().contains(kafka_sim::scenario::SHARE_GROUPS_LEFT_OUT),
                    "{file}: {e}"
                ),
            }
            assert_eq!(address(i), Some(format!("scenarios/{file}.kafka")));
        }
        assert!(SCENARIOS.len() >= 18);
        let lessons = crate::lessons::LESSONS.len();
        assert_eq!(
            sentences.lines().count(),
            SCENARIOS.len() + lessons,
            "static/gallery.txt: a line per scenario and lesson"
        );
    }

    /// Each share preset's lines run: the worker is created, polls, and its failures are
    /// released or rejected as its label says (a crash ends it).
    #[cfg(feature = "share-groups")]
    #[test]
    fn every_share_application_preset_runs_as_its_label_says() {
        for (label, configs, settings) in SHARE_APPLICATIONS {
            let script = format!(
                "seed 1\ncluster brokers=1\ntopic create jobs partitions=1\n\
                 group config jobs share.auto.offset.reset=earliest\nproducer p\n\
                 send p jobs value=ok\nsend p jobs value=poison\nsend p jobs value=ok\nsend p jobs value=ok\n\
                 share-consumer w group.id=jobs {configs}\nsubscribe w jobs\nconsume w {settings}\nadvance 10s\n"
            );
            let scenario = Scenario::parse(&script).unwrap_or_else(|e| panic!("{label}: {e}"));
            let mut text = String::new();
            let sim = kafka_sim::trace::run(&scenario, kafka_sim::trace::OnError::Stop, &mut text)
                .unwrap_or_else(|e| panic!("{label}: {e}\n{text}"));
            let view = sim.view();
            let w = view.clients.iter().find(|c| c.name == "w").expect("the worker");
            let sp = &view.share_partitions[0];
            match *settings {
                s if s.contains("release") => assert!(w.consumed > 4, "{label}: the poison record comes back"),
                s if s.contains("reject") => {
                    assert_eq!((w.consumed, sp.start_offset), (4, 4), "{label}");
                    assert!(w.notes[0].contains("1 rejected"), "{label}: {}", w.notes[0]);
                }
                s if s.contains("crash") => assert!(w.closed, "{label}"),
                _ => {
                    assert_eq!((w.consumed, sp.start_offset), (4, 4), "{label}: all four done");
                    assert!(w.notes[0].contains("0 rejected"), "{label}: {}", w.notes[0]);
                }
            }
        }
    }

    #[test]
    fn every_application_preset_is_a_valid_consume_line() {
        for (label, settings) in APPLICATIONS {
            let parsed = parse_processing(settings);
            let words: Vec<String> = parsed.words().iter().map(|(k, v)| format!("{k}={v}")).collect();
            assert_eq!(words.join(" "), *settings, "{label}: the preset prints back as written");
        }
    }
}
