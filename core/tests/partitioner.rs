//! Kafka's default partitioner against kafka-python's, on 10,000 random keys of
//! random lengths and random partition counts (tools/partitioner_fixture.py wrote
//! the expected answers with kafka-python's `DefaultPartitioner`).

use kafka_sim::client::partitioner::{murmur2, partition_for_key};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

#[test]
fn ten_thousand_random_keys_land_where_kafka_python_puts_them() {
    let fixture = include_str!("fixtures/partitioner.tsv");
    let mut checked = 0;
    for line in fixture.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let key = unhex(f[0]);
        let partitions: u32 = f[1].parse().unwrap();
        // kafka-python returns the 32-bit hash unsigned; the Java client, signed.
        assert_eq!(murmur2(&key) as u32, f[2].parse::<u32>().unwrap(), "murmur2 of {}", f[0]);
        assert_eq!(partition_for_key(&key, partitions), f[3].parse::<u32>().unwrap(), "key {} over {partitions}", f[0]);
        checked += 1;
    }
    assert_eq!(checked, 10_000);
}
