//! What the read-only view shows of messages on the wire.

use kafka_sim::net::Node;
use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};

#[test]
fn a_request_in_flight_is_visible_with_its_send_and_arrival_times() {
    let script = "cluster brokers=1 latency=5ms\nproducer p\nsend p t value=x\nadvance 2ms\n";
    let sim = trace::run(&Scenario::parse(script).unwrap(), OnError::Stop, &mut String::new()).unwrap();
    let on_wire = sim.messages_in_flight(10);
    let m = on_wire.iter().find(|m| m.from == Node::Client("p".into())).expect("the Metadata request travels");
    assert_eq!((m.api, m.response, m.sent_at_ms, m.arrives_at_ms), ("Metadata", false, 0, 5));
    assert!(m.summary.starts_with("Metadata request #0"), "{}", m.summary);
    assert!(sim.messages_in_flight(0).is_empty(), "the limit bounds the list");
}

#[test]
fn lag_over_time_grows_while_nobody_consumes_and_falls_when_the_group_catches_up() {
    let script = "seed 3\ncluster brokers=1\ntopic create t partitions=1\nproducer p linger.ms=0\n\
        consumer c group.id=g auto.offset.reset=earliest\nsubscribe c t\nconsume c\nadvance 6s\n\
        close c\nadvance 1s\n\
        send p t value=1\nsend p t value=2\nsend p t value=3\nadvance 5s\n\
        consumer d group.id=g\nsubscribe d t\nconsume d\nadvance 15s\n";
    let sim = trace::run(&Scenario::parse(script).unwrap(), OnError::Stop, &mut String::new()).unwrap();
    let lag_at = |ms: u64| {
        let s = sim.lag_history().take_while(|s| s.at_ms <= ms).last().expect("samples from the first commit on");
        s.lags.iter().find(|(g, _)| g == "g").map(|(_, l)| *l)
    };
    assert_eq!(lag_at(6_000), Some(0), "caught up before the sends");
    assert_eq!(lag_at(12_000), Some(3), "three records nobody has consumed");
    assert_eq!(lag_at(28_000), Some(0), "the new member resumed from the commit and caught up");
    let times: Vec<u64> = sim.lag_history().map(|s| s.at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "samples move forward in time");
}
