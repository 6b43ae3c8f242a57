//! Any fragment: `link::decode` returns a session or an error, never panics,
//! and what it returns prints back to a script that parses to the same session.
#![no_main]

use kafka_sim::link;
use kafka_sim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for fragment in [text.to_string(), format!("v1.{text}")] {
        if let Ok(s) = link::decode(&fragment) {
            let again = Scenario::parse(&s.to_string()).expect("a decoded session prints to a valid script");
            assert_eq!(again.to_string(), s.to_string());
        }
    }
});
