//! Everything a person can do, as a value. Each command is one line of a
//! scenario script ([`crate::scenario`] parses and prints them) and has a
//! Kafka name where Kafka has one.

use crate::protocol::TopicPartition;
use crate::time::Duration;
use alloc::string::String;
use alloc::vec::Vec;

/// Config pairs as written (`name=value`), in the order given. Validated when
/// parsed and again when applied, by the same functions.
pub type Configs = Vec<(String, String)>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `cluster brokers=3 latency=2ms auto.create.topics.enable=true`: starts a KRaft cluster.
    Cluster { brokers: u32, latency: Duration, auto_create_topics: bool },
    /// `topic create NAME partitions=N replication-factor=N CONFIG=VALUE...` (CreateTopics),
    /// or `replica-assignment=1:2:3,2:3:1` to place replicas by hand (`kafka-topics --replica-assignment`).
    CreateTopic {
        /// Replicas per partition, leader first, instead of partitions and replication factor.
        assignment: Option<Vec<Vec<u32>>>,
        name: String,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        configs: Configs,
    },
    /// `producer NAME CONFIG=VALUE...`: a KafkaProducer.
    Producer { name: String, configs: Configs },
    /// `consumer NAME CONFIG=VALUE...`: a KafkaConsumer.
    Consumer { name: String, configs: Configs },
    /// `send PRODUCER TOPIC key=K value=V partition=N header.NAME=V`: `producer.send(record)`.
    Send {
        producer: String,
        topic: String,
        partition: Option<u32>,
        key: Option<String>,
        value: Option<String>,
        headers: Vec<(String, Option<String>)>,
    },
    /// `assign CONSUMER orders-0,orders-1`: `consumer.assign(partitions)`.
    Assign { consumer: String, partitions: Vec<TopicPartition> },
    /// `seek CONSUMER orders-0 42|beginning|end|timestamp=MS`: `seek`, `seekToBeginning`,
    /// `seekToEnd`, or `offsetsForTimes` then `seek`.
    Seek { consumer: String, tp: TopicPartition, to: SeekTo },
    /// `pause CONSUMER orders-0,orders-1`: `consumer.pause(partitions)`: no fetching, nothing returned.
    Pause { consumer: String, partitions: Vec<TopicPartition> },
    /// `resume CONSUMER orders-0`: `consumer.resume(partitions)`.
    Resume { consumer: String, partitions: Vec<TopicPartition> },
    /// `close CLIENT`: `producer.close()` (sends what is buffered, then takes no more) or `consumer.close()`.
    Close { client: String },
    /// `flush PRODUCER`: `producer.flush()`: every batch may go now, linger.ms or not.
    Flush { producer: String },
    /// `poll CONSUMER`: one `consumer.poll()`.
    Poll { consumer: String },
    /// `consume CONSUMER`: the application's poll loop (`while True: consumer.poll()`), until `close`.
    Consume { consumer: String },
    /// `subscribe CONSUMER orders,payments`: `consumer.subscribe(topics)`; the group assigns partitions.
    Subscribe { consumer: String, topics: Vec<String> },
    /// `commit CONSUMER` (`commitSync()`: every position) or `commit CONSUMER orders-0=5,orders-1=7`
    /// (`commitSync(offsets)`).
    Commit { consumer: String, offsets: Option<Vec<(TopicPartition, u64)>> },
    /// `crash CLIENT`: the client's process dies: no commit, no LeaveGroup, no more heartbeats.
    Crash { client: String },
    /// `advance 30s`: let simulated time pass, processing every event due.
    Advance(Duration),
    /// `broker stop N`: the broker crashes; messages to and from it are lost.
    BrokerStop(u32),
    /// `broker start N`: the broker comes back with its logs.
    BrokerStart(u32),
    /// `broker shutdown N`: a clean shutdown; leaderships move away first.
    BrokerShutdown(u32),
    /// `network cut A B`: the link between two nodes drops everything, both ways.
    NetworkCut(String, String),
    /// `network heal A B`.
    NetworkHeal(String, String),
    /// `network delay A B 200ms`: the link's latency (a slow replica or client).
    NetworkDelay(String, String, Duration),
    /// `network isolate A`: cuts every link of a node.
    NetworkIsolate(String),
    /// `expect partition orders-1 isr=1,3`: a checkpoint; changes nothing.
    Expect(crate::expect::Expectation),
}

/// Where a `seek` puts a consumer's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekTo {
    Offset(u64),
    Beginning,
    End,
    /// The first record at or after this timestamp (ms), or the end if there is none.
    Timestamp(u64),
}

impl core::fmt::Display for SeekTo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SeekTo::Offset(o) => write!(f, "{o}"),
            SeekTo::Beginning => f.write_str("beginning"),
            SeekTo::End => f.write_str("end"),
            SeekTo::Timestamp(ms) => write!(f, "timestamp={ms}"),
        }
    }
}

/// Cluster defaults when `cluster` leaves them out.
pub const LATENCY_DEFAULT: Duration = Duration::from_ms(1);
