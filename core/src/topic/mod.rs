//! Topics: name rules and topic-level configs, both exactly as Kafka checks them.

pub mod config;
pub mod name;

pub use config::TopicConfig;
