//! # kafka-sim
//!
//! A deterministic simulation of an Apache Kafka cluster (Kafka 4.x, KRaft):
//! brokers, a controller, producers and consumers exchanging Kafka's requests
//! over a simulated network. The same seed and the same commands give the
//! same events, byte for byte, natively or in WebAssembly.
//!
//! # Layout
//!
//! - [`sim`]: the event loop and the public API ([`Sim`]): commands in, time
//!   moves, events and a [`view::ClusterView`] out.
//! - [`command`] / [`scenario`]: what a person can do, and its script form.
//! - [`controller`]: metadata, topic creation, replica placement.
//! - [`broker`]: replicas, logs, request handling.
//! - [`fetch_session`]: incremental fetch sessions, the fetcher's side and the broker's.
//! - [`client`]: producer, consumer, the murmur2 partitioner, client configs.
//! - [`net`]: links, latency, cuts, down nodes. [`protocol`]: the messages.
//! - [`topic`]: topic-name rules and topic configs.
//! - [`time`], [`rand`], [`limits`], [`error`], [`event`], [`effects`]: the ground.
//!
//! *Architecture invariant*: nothing here reads a clock, spawns a thread,
//! touches I/O or iterates a hash map. Time is [`time::Instant`] passed in;
//! randomness is [`rand::Rng`] seeded from the scenario.

#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
// Without share groups their types stay (commands and messages name them) but nothing uses them.
#![cfg_attr(not(feature = "share-groups"), allow(dead_code, unused_imports, unused_variables, unused_mut))]
#![warn(missing_debug_implementations)]

extern crate alloc;

/// Whether this build has share groups (KIP-932, the `share-groups` feature). A crate built
/// beside another that turns the feature on (a workspace's tests) has them whatever it asked
/// for, so code that depends on them asks the engine, not its own features.
pub const SHARE_GROUPS: bool = cfg!(feature = "share-groups");

pub mod batch;
pub mod broker;
pub mod client;
pub mod command;
pub mod compare;
pub mod controller;
pub mod effects;
pub mod error;
pub mod event;
pub mod expect;
pub mod export;
pub mod fetch_session;
pub mod format;
pub mod group;
pub mod lag;
pub mod lesson;
pub mod limits;
pub mod link;
pub mod log_batch;
pub mod metadata;
pub mod net;
pub mod pattern;
pub mod protocol;
pub mod rand;
pub mod record;
pub mod scenario;
pub mod sequence;
pub mod sim;
pub mod sort;
pub mod sorted;
pub mod time;
pub mod timeline;
pub mod topic;
pub mod trace;
pub mod txn;
pub mod view;

pub use command::Command;
pub use error::{CommandError, KafkaError};
pub use event::{Event, EventKind};
pub use sim::Sim;
