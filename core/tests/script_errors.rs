//! A script that does not parse names the line, the column and what was expected.

use kafka_sim::scenario::Scenario;

fn error(script: &str) -> String {
    Scenario::parse(script).unwrap_err().to_string()
}

#[test]
fn unknown_command() {
    assert_eq!(
        error("cluster brokers=1\n  launch rockets"),
        "line 2, column 3: unknown command 'launch': expected one of cluster, topic, traffic, delete-records, group, producer, consumer, share-consumer, acknowledge, send, flush, init-transactions, begin-transaction, send-offsets-to-transaction, commit-transaction, abort-transaction, assign, subscribe, poll, consume, commit, seek, pause, resume, close, crash, advance, broker, network, expect"
    );
}

#[test]
fn unknown_topic_config_is_named_at_its_column() {
    assert_eq!(
        error("topic create t1 retention.msec=1000"),
        "line 1, column 17: INVALID_CONFIG: Unknown topic config name: retention.msec"
    );
}

#[test]
fn bad_topic_config_values_are_named() {
    assert_eq!(
        error("topic create t2 retention.ms=forever"),
        "line 1, column 17: INVALID_CONFIG: Invalid value forever for configuration retention.ms: Not a number of type LONG"
    );
    assert!(error("topic create t3 min.insync.replicas=0").ends_with("Value must be at least 1"));
}

#[test]
fn bad_client_configs_are_named() {
    assert_eq!(
        error("producer p1 linger.ms=-1"),
        "line 1, column 13: Invalid value -1 for configuration linger.ms: Value must be at least 0"
    );
    assert!(error("consumer c1 auto.offset.reset=smallest").contains("configuration auto.offset.reset"));
    assert!(error("producer p1 transactional.ids=t1").contains("'transactional.ids' is not a producer config"));
    assert!(error("producer p1 transactional.id=t1 acks=1")
        .contains("Cannot set a transactional.id without also enabling idempotence."));
    assert!(error("consumer c1 isolation.level=committed").contains("read_uncommitted, read_committed"));
    assert!(error("send-offsets-to-transaction p1").contains("expected the consumer whose positions"));
    assert_eq!(
        error("consumer c1 group.id=g heartbeat.interval.ms=50000"),
        "line 1, column 13: Heartbeat must be set lower than the session timeout"
    );
    assert!(error("consumer c1 partition.assignment.strategy=fancy").contains("Class could not be found"));
    assert!(
        error("consume c1 commit=sometimes").contains("expected auto, before, after or transaction, found 'sometimes'")
    );
    assert!(error("consume c1 output=out transform=shout").contains("expected copy, upper or enrich, found 'shout'"));
    assert!(error("consume c1 output=bad/topic").contains("column 19"));
    assert!(error("consume c1 commit=transaction").contains("commit=transaction needs output=TOPIC"));
    assert!(error("topic alter t partitions=x").contains("expected a number of partitions"));
    assert!(error("commit c1 orders-0=five").contains("expected offsets like orders-0=5"));
    assert!(error("send p t value='{\"a\":1,}' value.format=json").contains("value: invalid JSON at character 8"));
    assert!(error("send p t value=abc value.format=hex").contains("value: hex needs two digits a byte"));
    assert!(error("send p t value=x value.format=yaml").contains("expected string, json or hex, found 'yaml'"));
}

#[test]
fn durations_need_a_unit() {
    assert_eq!(error("advance 30"), "line 1, column 9: expected a duration like 500ms, 30s, 5m, 2h or 7d, found '30'");
    assert!(error("cluster brokers=1 latency=fast").starts_with("line 1, column 27:"));
}

#[test]
fn missing_words_point_past_the_end_of_the_line() {
    assert_eq!(error("poll"), "line 1, column 5: expected a consumer name");
    assert_eq!(error("topic create"), "line 1, column 13: expected a topic name");
    assert_eq!(error("cluster"), "line 1, column 1: expected brokers=N");
}

#[test]
fn extra_words_are_refused() {
    assert_eq!(error("poll c1 now"), "line 1, column 9: expected end of line, found 'now'");
}

#[test]
fn unterminated_quotes() {
    assert_eq!(error("send p1 t value='abc"), "line 1, column 17: unterminated quote: expected a closing '");
}

#[test]
fn seed_only_once_and_first() {
    assert!(error("seed 1\nseed 2").contains("`seed` may appear once"));
    assert!(error("cluster brokers=1\nseed 2").contains("`seed` may appear once"));
    assert_eq!(error("seed x"), "line 1, column 6: expected a seed (a whole number), found 'x'");
}

#[test]
fn send_options() {
    assert!(error("send p1 t partition=x").contains("expected a partition number, found 'x'"));
    assert!(error("send p1 t colour=red").contains("found 'colour='"));
    assert!(error("send p1 t header.=x").contains("found 'header.='"));
}

#[test]
fn client_names_must_not_look_like_brokers() {
    assert!(error("producer broker-1").contains("not starting with broker-"));
}

#[test]
fn null_and_quoted_null_are_different_values() {
    use kafka_sim::Command;
    let s = Scenario::parse("send p t key=null value='null'").unwrap();
    match &*s.commands[0].command {
        Command::Send { key, value, .. } => {
            assert_eq!(key, &None);
            assert_eq!(value.as_deref(), Some("null"));
        }
        other => panic!("parsed as {other:?}"),
    }
    assert_eq!(s.to_string(), "seed 0\nsend p t key=null value='null'\n");
}

#[test]
fn expectations_name_what_can_be_checked() {
    assert_eq!(
        error("expect partition orders-0 lag=3"),
        "line 1, column 27: expected one of leader, isr, elr, hw, leo, replicas, start, segments, lso, found 'lag'"
    );
    assert!(error("expect weather sunny=true").contains("expected partition, broker, controller"));
    assert!(error("expect broker 2").contains("expected at least one of state"));
}

/// Found by fuzzing the parser: an `expect` value with a backslash or a space
/// printed bare and did not parse back to itself.
#[test]
fn expect_values_round_trip_whatever_they_hold() {
    let s = Scenario::parse(r#"expect partition t-0 leader="a\\b c""#).unwrap();
    let printed = s.to_string();
    let commands = |s: &Scenario| s.commands.iter().map(|l| l.command.clone()).collect::<Vec<_>>();
    assert_eq!(commands(&Scenario::parse(&printed).unwrap()), commands(&s), "{printed}");
}

#[test]
fn seek_names_what_it_expected() {
    assert_eq!(
        error("seek c1 orders-0 soon"),
        "line 1, column 18: expected an offset, beginning, end or timestamp=MS, found 'soon'"
    );
    assert_eq!(error("seek c1 orders"), "line 1, column 9: expected a partition like orders-0, found 'orders'");
    assert_eq!(error("seek c1 orders-0"), "line 1, column 17: expected an offset, beginning, end or timestamp=MS");
    assert_eq!(error("seek c1 orders-0 timestamp=noon"), "line 1, column 28: expected a timestamp in ms, found 'noon'");
    assert_eq!(error("pause c1 orders"), "line 1, column 10: expected a partition like orders-0, found 'orders'");
}

#[test]
fn producer_configs_combine_in_any_order() {
    // Valid together, whichever comes first (each alone would conflict with a default).
    assert!(Scenario::parse("producer p delivery.timeout.ms=2000 request.timeout.ms=1000 linger.ms=0").is_ok());
    assert_eq!(
        error("producer p request.timeout.ms=1000 delivery.timeout.ms=500"),
        "line 1, column 12: delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
    );
    assert_eq!(
        error("producer p acks=1 enable.idempotence=true"),
        "line 1, column 12: Must set acks to all in order to use the idempotent producer. Otherwise we cannot \
         guarantee idempotence."
    );
}

#[test]
fn consumer_configs_combine_in_any_order() {
    // Each alone conflicts with a default (heartbeat 3 s, session 45 s); together they are valid.
    assert!(Scenario::parse("consumer c group.id=g heartbeat.interval.ms=500 session.timeout.ms=2000").is_ok());
    assert!(Scenario::parse("consumer c group.id=g session.timeout.ms=2000 heartbeat.interval.ms=500").is_ok());
    assert_eq!(
        error("consumer c group.id=g session.timeout.ms=2000 heartbeat.interval.ms=2000"),
        "line 1, column 12: Heartbeat must be set lower than the session timeout"
    );
}

/// The errors the Java client throws at construction (`ProducerConfig` and `ConsumerConfig`'s
/// post-processing, `JoinGroupRequest.validateGroupInstanceId`), with its messages.
#[test]
fn client_configs_java_refuses_are_refused() {
    // Since 4.0, more than five in flight with idempotence at its default is an error, not a
    // producer quietly made non-idempotent; even acks=1 does not avoid it, only asking for none.
    for script in [
        "producer p max.in.flight.requests.per.connection=6",
        "producer p acks=1 max.in.flight.requests.per.connection=6",
    ] {
        assert_eq!(
            error(script),
            "line 1, column 12: To use the idempotent producer, max.in.flight.requests.per.connection must be set \
             to at most 5. Current value is 6."
        );
    }
    assert!(Scenario::parse("producer p enable.idempotence=false max.in.flight.requests.per.connection=6").is_ok());
    assert_eq!(
        error("producer p retries=0 enable.idempotence=true"),
        "line 1, column 12: Must set retries to non-zero when using the idempotent producer."
    );
    assert_eq!(
        error("consumer c enable.auto.commit=true"),
        "line 1, column 12: enable.auto.commit cannot be set to true when default group id (null) is used."
    );
    assert!(Scenario::parse("consumer c enable.auto.commit=false").is_ok());
    assert_eq!(
        error("consumer c group.id=g group.instance.id="),
        "line 1, column 12: Group instance id is illegal, it can't be empty"
    );
}

/// Found by the script_parse fuzz target: a name with a line break (written
/// `"a\nb"`) printed raw inside single quotes split the printed script in two.
#[test]
fn regression_fuzz_names_with_line_breaks_print_back() {
    for script in ["close \"ese'e\\nk'tioe\"", "poll \"a\\nb\"", "send p t value=\"x\\n\\\"y\\\"\\t\""] {
        let s = Scenario::parse(script).unwrap();
        let printed = s.to_string();
        let again = Scenario::parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
        assert_eq!(again.to_string(), printed);
        let commands = |s: &Scenario| s.commands.iter().map(|l| l.command.clone()).collect::<Vec<_>>();
        assert_eq!(commands(&again), commands(&s));
    }
}

#[test]
fn a_broker_default_kafka_would_refuse_is_refused_with_kafkas_words() {
    assert_eq!(
        error("cluster brokers=3 num.partitions=0"),
        "line 1, column 19: Invalid value 0 for configuration num.partitions: Value must be at least 1"
    );
    assert!(error("cluster brokers=3 default.replication.factor=many").contains("expected a replication factor"));
    // Printed back only when not Kafka's default, so a plain cluster line stays plain.
    let parsed =
        kafka_sim::scenario::Scenario::parse("cluster brokers=3 num.partitions=1 default.replication.factor=2")
            .unwrap();
    assert_eq!(parsed.commands[0].command.to_string(), "cluster brokers=3 default.replication.factor=2");
}

#[test]
fn broker_settings_in_milliseconds_are_kafkas_numbers() {
    assert_eq!(
        error("cluster brokers=1 log.retention.check.interval.ms=0"),
        "line 1, column 19: Invalid value 0 for configuration log.retention.check.interval.ms: Value must be at least 1"
    );
    assert!(error("cluster brokers=1 group.initial.rebalance.delay.ms=3s").contains("expected milliseconds"));
    let parsed = kafka_sim::scenario::Scenario::parse(
        "cluster brokers=3 group.initial.rebalance.delay.ms=0 replica.lag.time.max.ms=30000",
    )
    .unwrap();
    assert_eq!(parsed.commands[0].command.to_string(), "cluster brokers=3 group.initial.rebalance.delay.ms=0");
}

#[test]
fn brokers_topic_defaults_are_checked_as_their_topic_configs_are() {
    assert_eq!(
        error("cluster brokers=1 log.segment.bytes=1000"),
        "line 1, column 19: INVALID_CONFIG: Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576"
    );
    assert!(error("cluster brokers=1 log.retention.hours=forever")
        .ends_with("log.retention.hours: Not a number of type INT"));
    assert!(error("cluster brokers=1 min.insync.replicas=0").ends_with("min.insync.replicas: Value must be at least 1"));
    assert!(error("cluster brokers=1 log.retention.days=1").contains("unknown cluster setting 'log.retention.days'"));
}

#[test]
fn the_internal_topics_settings_are_checked_and_a_small_cluster_writes_its_own() {
    assert_eq!(
        error("cluster brokers=3 offsets.topic.replication.factor=0"),
        "line 1, column 19: Invalid value 0 for configuration offsets.topic.replication.factor: Value must be at least 1"
    );
    let printed = |script: &str| Scenario::parse(script).unwrap().commands[0].command.to_string();
    // Kafka's defaults print nothing where the cluster can meet them.
    assert_eq!(printed("cluster brokers=3"), "cluster brokers=3");
    // On one broker the line writes out what it sets, as Kafka's quickstart server.properties does.
    assert_eq!(
        printed("cluster brokers=1"),
        "cluster brokers=1 offsets.topic.replication.factor=1 transaction.state.log.replication.factor=1 transaction.state.log.min.isr=1"
    );
    // Kafka's own default written on one broker stays, to be refused when the topic is created.
    assert_eq!(
        printed("cluster brokers=1 offsets.topic.replication.factor=3"),
        "cluster brokers=1 offsets.topic.replication.factor=3 transaction.state.log.replication.factor=1 transaction.state.log.min.isr=1"
    );
    assert_eq!(
        printed("cluster brokers=5 offsets.topic.num.partitions=1"),
        "cluster brokers=5 offsets.topic.num.partitions=1"
    );
}

#[test]
fn a_share_consumer_without_a_group_is_refused_where_its_configs_start() {
    assert_eq!(
        error("share-consumer w1 max.poll.records=5"),
        "line 1, column 19: a share consumer needs group.id (its share group)"
    );
}

#[test]
fn a_share_consumer_refuses_a_consumer_only_config() {
    assert_eq!(
        error("share-consumer w1 group.id=q enable.auto.commit=false"),
        "line 1, column 19: enable.auto.commit is not supported for KafkaShareConsumer (the share group decides)"
    );
}

#[test]
fn a_group_config_out_of_kafkas_bounds_is_named() {
    assert_eq!(
        error("group config q share.delivery.count.limit=20"),
        "line 1, column 16: share.delivery.count.limit must be between 2 and 10 (the brokers' group.share.min and max for it)"
    );
}

#[test]
fn a_share_isolation_level_is_one_of_kafkas_two() {
    assert_eq!(
        error("group config q share.isolation.level=serializable"),
        "line 1, column 16: Invalid value serializable for configuration share.isolation.level: String must be one of: read_committed, read_uncommitted"
    );
    assert_eq!(
        error("group config q share.renew.acknowledge.enable=yes"),
        "line 1, column 16: Invalid value yes for configuration share.renew.acknowledge.enable: Expected value to be either true or false"
    );
    assert_eq!(
        error("group config q share.auto.offset.reset=by_duration:1h"),
        "line 1, column 16: Invalid value by_duration:1h for configuration share.auto.offset.reset: must be one of latest, earliest, by_duration:PnDTnHnMn.nS"
    );
}

#[test]
fn an_acknowledgement_type_is_one_of_four() {
    assert_eq!(
        error("acknowledge w1 jobs-0@3 maybe"),
        "line 1, column 25: expected accept, release, reject or renew, found 'maybe'"
    );
}

/// `ShareGroupConfig`'s check when a broker starts, and `group.share.max.size`'s bounds.
#[test]
fn share_sessions_cannot_be_fewer_than_a_share_groups_members() {
    assert_eq!(
        error("cluster brokers=1 group.share.max.share.sessions=10"),
        "line 1, column 1: group.share.max.share.sessions must be greater than or equal to group.share.max.size"
    );
    assert_eq!(
        error("cluster brokers=1 group.share.max.size=1001"),
        "line 1, column 40: group.share.max.size is between 1 and 1000"
    );
}

#[test]
fn connections_max_idle_ms_is_at_least_one() {
    assert_eq!(
        error("cluster brokers=1 connections.max.idle.ms=0"),
        "line 1, column 19: Invalid value 0 for configuration connections.max.idle.ms: Value must be at least 1"
    );
}

/// `group delete` of a share group says what Kafka does and that the simulation does not, instead
/// of calling the group not found.
#[cfg(feature = "share-groups")]
#[test]
fn deleting_a_share_group_says_it_is_not_modelled() {
    let script = "seed 1\ncluster brokers=1\ntopic create jobs partitions=1\nshare-consumer w group.id=q\n\
                  subscribe w jobs\nconsume w\nadvance 2s\nclose w\nadvance 1s\ngroup delete q\n";
    let scenario = Scenario::parse(script).expect("parses");
    let mut text = String::new();
    kafka_sim::trace::run(&scenario, kafka_sim::trace::OnError::Record, &mut text).expect("runs");
    assert!(
        text.contains("q is a share group: deleting a share group (kafka-share-groups --delete, which also deletes its share-partitions' state in __share_group_state) is not modelled"),
        "{text}"
    );
}
