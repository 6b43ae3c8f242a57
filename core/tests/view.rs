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
