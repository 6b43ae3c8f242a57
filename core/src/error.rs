//! Errors, one small enum per boundary.
//!
//! - [`KafkaError`]: what a broker or the controller answers, named as Kafka's error codes.
//! - [`CommandError`]: why the simulation refused a command (the public API boundary).
//! - [`crate::scenario::ScriptError`]: why a script line did not parse.

use alloc::string::String;
use core::fmt;

/// Kafka protocol errors, by their Kafka names (`org.apache.kafka.common.protocol.Errors`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum KafkaError {
    InvalidTopic(String),
    TopicAlreadyExists(String),
    InvalidReplicationFactor(String),
    InvalidPartitions(String),
    InvalidReplicaAssignment(String),
    InvalidConfig(String),
    UnknownTopicOrPartition,
    NotLeaderOrFollower,
    OffsetOutOfRange,
    LeaderNotAvailable,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    InvalidUpdateVersion,
    IneligibleReplica(String),
    InvalidRequest(String),
    CorruptMessage(String),
    OutOfOrderSequenceNumber,
    MemberIdRequired,
    UnknownMemberId,
    IllegalGeneration,
    RebalanceInProgress,
    /// A JoinGroup whose protocols the group does not support, or to a group of another kind;
    /// with Kafka's message where it has one (empty where it sends none).
    InconsistentGroupProtocol(String),
    GroupMaxSizeReached,
    /// JoinGroup's session.timeout.ms is outside group.min/max.session.timeout.ms.
    InvalidSessionTimeout,
    InvalidProducerEpoch,
    RecordTooLarge(String),
    /// A record the broker refuses, such as a null key for a compacted topic.
    InvalidRecord(String),
    PolicyViolation(String),
    RequestTimedOut,
    /// A connection broke (`NetworkException`, e.g. the broker process died).
    NetworkException,
    /// The client-side `TimeoutException` (for example metadata not available within max.block.ms).
    Timeout(String),
    NoOffsetForPartition,
    /// The broker asked is not (or no longer) the group's coordinator.
    NotCoordinator,
    /// No coordinator now: `__consumer_offsets` is being created or its partition has no leader.
    CoordinatorNotAvailable,
    /// DeleteGroups of a group with members.
    NonEmptyGroup,
    /// DeleteGroups of a group the coordinator does not know, or a heartbeat to a group of
    /// another kind, with Kafka's message.
    GroupIdNotFound(String),
    /// A static member's instance id now belongs to a newer member id.
    FencedInstanceId,
    /// A commit refused because the group moved on (the Java client's `CommitFailedException`).
    CommitFailed,
    /// The transaction coordinator is finishing another transaction of this id; retry.
    ConcurrentTransactions,
    /// A newer instance with the same transactional.id took over: this one is a zombie.
    ProducerFenced,
    /// A transactional request in a state that does not allow it (for example EndTxn with nothing open).
    InvalidTxnState,
    /// The coordinator has no such transactional id, or it maps to another producer id.
    InvalidProducerIdMapping,
    /// transaction.timeout.ms above transaction.max.timeout.ms.
    InvalidTransactionTimeout,
    /// The coordinator is still reading its partition of the state log.
    CoordinatorLoadInProgress,
    /// OffsetFetch with require_stable (as every Java consumer sends it, KIP-447): a transaction
    /// holds an offset commit of the partition not yet committed or aborted; retry.
    UnstableOffsetCommit,
    /// A ConsumerGroupHeartbeat's member epoch is not the coordinator's (KIP-848): the member
    /// must give up its partitions and rejoin with epoch 0.
    FencedMemberEpoch,
    /// An OffsetCommit's member epoch is not the member's current one (KIP-848).
    StaleMemberEpoch,
    /// A ConsumerGroupHeartbeat names a server assignor the coordinator does not have.
    UnsupportedAssignor(String),
    /// A static member's instance id is still held by a member that has not left.
    UnreleasedInstanceId,
    /// A ConsumerGroupHeartbeat's SubscribedTopicRegex does not compile.
    InvalidRegularExpression(String),
    /// A Fetch names a fetch session the broker does not have (evicted, or the broker restarted).
    FetchSessionIdNotFound,
    /// A Fetch's session epoch is not the one the broker expects (a request lost or repeated).
    InvalidFetchSessionEpoch,
    /// An acknowledgement of records the member does not hold acquired (KIP-932): its lock
    /// expired, or another member has them now.
    InvalidRecordState,
    /// A ShareFetch or ShareAcknowledge names a share session the broker does not have.
    ShareSessionNotFound,
    /// A share session's epoch is not the one the broker expects.
    InvalidShareSessionEpoch,
    /// A new share session past the broker's `group.share.max.share.sessions`.
    ShareSessionLimitReached,
}

impl KafkaError {
    /// Whether the Java clients retry after this error (`RetriableException`).
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            KafkaError::UnknownTopicOrPartition
                | KafkaError::NotLeaderOrFollower
                | KafkaError::LeaderNotAvailable
                | KafkaError::NotEnoughReplicas
                | KafkaError::NotEnoughReplicasAfterAppend
                | KafkaError::FencedLeaderEpoch
                | KafkaError::UnknownLeaderEpoch
                | KafkaError::RequestTimedOut
                | KafkaError::NetworkException
                | KafkaError::NotCoordinator
                | KafkaError::CoordinatorNotAvailable
                | KafkaError::ConcurrentTransactions
                | KafkaError::CoordinatorLoadInProgress
                | KafkaError::UnstableOffsetCommit
                | KafkaError::FetchSessionIdNotFound
                | KafkaError::InvalidFetchSessionEpoch
                | KafkaError::ShareSessionNotFound
                | KafkaError::InvalidShareSessionEpoch
                | KafkaError::ShareSessionLimitReached
        )
    }

    /// Kafka's name of the error (`Errors.name()` style, as a client logs it).
    pub fn name(&self) -> &'static str {
        match self {
            KafkaError::InvalidTopic(_) => "INVALID_TOPIC_EXCEPTION",
            KafkaError::TopicAlreadyExists(_) => "TOPIC_ALREADY_EXISTS",
            KafkaError::InvalidReplicationFactor(_) => "INVALID_REPLICATION_FACTOR",
            KafkaError::InvalidPartitions(_) => "INVALID_PARTITIONS",
            KafkaError::InvalidReplicaAssignment(_) => "INVALID_REPLICA_ASSIGNMENT",
            KafkaError::InvalidConfig(_) => "INVALID_CONFIG",
            KafkaError::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            KafkaError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            KafkaError::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            KafkaError::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            KafkaError::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            KafkaError::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            KafkaError::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            KafkaError::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            KafkaError::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            KafkaError::IneligibleReplica(_) => "INELIGIBLE_REPLICA",
            KafkaError::InvalidRequest(_) => "INVALID_REQUEST",
            KafkaError::CorruptMessage(_) => "CORRUPT_MESSAGE",
            KafkaError::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            KafkaError::MemberIdRequired => "MEMBER_ID_REQUIRED",
            KafkaError::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            KafkaError::IllegalGeneration => "ILLEGAL_GENERATION",
            KafkaError::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            KafkaError::InconsistentGroupProtocol(_) => "INCONSISTENT_GROUP_PROTOCOL",
            KafkaError::GroupMaxSizeReached => "GROUP_MAX_SIZE_REACHED",
            KafkaError::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            KafkaError::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            KafkaError::RecordTooLarge(_) => "RECORD_TOO_LARGE",
            KafkaError::InvalidRecord(_) => "INVALID_RECORD",
            KafkaError::PolicyViolation(_) => "POLICY_VIOLATION",
            KafkaError::RequestTimedOut => "REQUEST_TIMED_OUT",
            KafkaError::NetworkException => "NETWORK_EXCEPTION",
            KafkaError::Timeout(_) => "TimeoutException",
            KafkaError::NoOffsetForPartition => "NO_OFFSET_FOR_PARTITION",
            KafkaError::NotCoordinator => "NOT_COORDINATOR",
            KafkaError::FetchSessionIdNotFound => "FETCH_SESSION_ID_NOT_FOUND",
            KafkaError::InvalidFetchSessionEpoch => "INVALID_FETCH_SESSION_EPOCH",
            KafkaError::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            KafkaError::CommitFailed => "CommitFailedException",
            KafkaError::FencedInstanceId => "FENCED_INSTANCE_ID",
            KafkaError::NonEmptyGroup => "NON_EMPTY_GROUP",
            KafkaError::GroupIdNotFound(_) => "GROUP_ID_NOT_FOUND",
            KafkaError::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            KafkaError::ProducerFenced => "PRODUCER_FENCED",
            KafkaError::InvalidTxnState => "INVALID_TXN_STATE",
            KafkaError::InvalidProducerIdMapping => "INVALID_PRODUCER_ID_MAPPING",
            KafkaError::InvalidTransactionTimeout => "INVALID_TRANSACTION_TIMEOUT",
            KafkaError::CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS",
            KafkaError::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
            KafkaError::FencedMemberEpoch => "FENCED_MEMBER_EPOCH",
            KafkaError::StaleMemberEpoch => "STALE_MEMBER_EPOCH",
            KafkaError::UnsupportedAssignor(_) => "UNSUPPORTED_ASSIGNOR",
            KafkaError::UnreleasedInstanceId => "UNRELEASED_INSTANCE_ID",
            KafkaError::InvalidRegularExpression(_) => "INVALID_REGULAR_EXPRESSION",
            KafkaError::InvalidRecordState => "INVALID_RECORD_STATE",
            KafkaError::ShareSessionNotFound => "SHARE_SESSION_NOT_FOUND",
            KafkaError::InvalidShareSessionEpoch => "INVALID_SHARE_SESSION_EPOCH",
            KafkaError::ShareSessionLimitReached => "SHARE_SESSION_LIMIT_REACHED",
        }
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            KafkaError::InvalidTopic(m)
            | KafkaError::TopicAlreadyExists(m)
            | KafkaError::InvalidReplicationFactor(m)
            | KafkaError::InvalidPartitions(m)
            | KafkaError::InvalidReplicaAssignment(m)
            | KafkaError::InvalidConfig(m)
            | KafkaError::PolicyViolation(m)
            | KafkaError::IneligibleReplica(m)
            | KafkaError::InvalidRequest(m)
            | KafkaError::CorruptMessage(m)
            | KafkaError::RecordTooLarge(m)
            | KafkaError::InvalidRecord(m)
            | KafkaError::UnsupportedAssignor(m)
            | KafkaError::InvalidRegularExpression(m)
            | KafkaError::InconsistentGroupProtocol(m)
            | KafkaError::GroupIdNotFound(m)
            | KafkaError::Timeout(m)
                if !m.is_empty() =>
            {
                write!(f, ": {m}")
            }
            _ => Ok(()),
        }
    }
}

/// Why the simulation refused a command. The simulation's state is unchanged
/// when a command returns one of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// The cluster refused it, with Kafka's error.
    Kafka(KafkaError),
    /// `cluster` must come first and only once.
    NoCluster,
    ClusterExists,
    /// A client or broker name that does not exist.
    UnknownClient(String),
    UnknownBroker(u32),
    /// A client name already taken.
    ClientExists(String),
    /// The client exists but is not the kind this command needs.
    WrongClientKind {
        name: String,
        expected: &'static str,
    },
    /// A client config name Kafka's client does not know, or a bad value for one.
    ClientConfig(String),
    /// A value outside what the simulation supports (a stated limit).
    Limit(String),
    /// A command that makes no sense now (for example `advance` backwards).
    Invalid(String),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Kafka(e) => write!(f, "{e}"),
            CommandError::NoCluster => f.write_str("no cluster yet: start the script with `cluster brokers=N`"),
            CommandError::ClusterExists => f.write_str("the cluster is already defined"),
            CommandError::UnknownClient(n) => write!(f, "no client named '{n}'"),
            CommandError::UnknownBroker(id) => write!(f, "no broker with id {id}"),
            CommandError::ClientExists(n) => write!(f, "a client named '{n}' already exists"),
            CommandError::WrongClientKind { name, expected } => {
                write!(f, "'{name}' is not a {expected}")
            }
            CommandError::ClientConfig(m) | CommandError::Limit(m) | CommandError::Invalid(m) => f.write_str(m),
        }
    }
}

impl From<KafkaError> for CommandError {
    fn from(e: KafkaError) -> Self {
        CommandError::Kafka(e)
    }
}
