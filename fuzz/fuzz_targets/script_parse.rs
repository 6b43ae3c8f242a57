//! Any text: the script parser returns a scenario or a line/column error, never
//! panics; a scenario prints back to a script that parses to the same commands.
#![no_main]

use kafka_sim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = Scenario::parse(&text) {
        let printed = s.to_string();
        let again = Scenario::parse(&printed).expect("a printed script parses");
        assert_eq!(again.to_string(), printed);
    }
});
