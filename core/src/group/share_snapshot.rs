//! A share group (KIP-932) as its coordinator writes it to `__consumer_offsets`, so a new coordinator
//! after a failover knows the group epoch, the target assignment and every member with its epoch,
//! subscription and partitions, and the members carry on without rejoining.
//!
//! Kafka writes this as its share group record types (ShareGroupMetadata, -MemberMetadata,
//! -TargetAssignmentMetadata/-Member, -CurrentMemberAssignment), whose values name topics by id; as
//! for consumer groups (`consumer_snapshot.rs`), the simulation writes the same content as one
//! record of its own key type (0x7F02, which Kafka never uses), with acks=all, and answers the
//! heartbeat that changed it once it is replicated.

use super::share_group::{ShareGroup, ShareGroupSettings, ShareMember};
use super::wire::{Reader, Writer};
use crate::net::Node;
use crate::time::{Duration, Instant};
use alloc::string::String;
use alloc::vec::Vec;

const SNAPSHOT_KEY_TYPE: i16 = 0x7F02;
const SNAPSHOT_VERSION: i16 = 0;

pub fn encode_key(group: &str) -> Vec<u8> {
    super::wire::encode_group_key(SNAPSHOT_KEY_TYPE, group)
}

/// A share group snapshot key's group; `None` for other record types.
pub fn decode_key(key: &[u8]) -> Option<String> {
    super::wire::decode_group_key(SNAPSHOT_KEY_TYPE, key)
}

pub fn encode_value(g: &ShareGroup) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.group_head(SNAPSHOT_VERSION, (g.epoch, g.assignment_epoch), &g.subscribed, &g.target);
    w.i32(g.members.len() as i32);
    for m in g.members.values() {
        w.string(&m.id);
        w.string(&alloc::format!("{}", m.client));
        w.i32(m.epoch);
        w.i32(m.topics.len() as i32);
        for t in &m.topics {
            w.string(t);
        }
        w.partitions(&m.assigned);
    }
    w.0
}

/// The group a snapshot holds, as a coordinator loading it has it `now`: every member's session
/// starts again. `None` for a damaged value.
pub fn decode_value(name: &str, value: &[u8], settings: ShareGroupSettings, now: Instant) -> Option<ShareGroup> {
    let mut r = Reader(value);
    let head = r.group_head(SNAPSHOT_VERSION)?;
    let mut g = ShareGroup::new(name, settings);
    (g.epoch, g.assignment_epoch, g.subscribed, g.target) =
        (head.epoch, head.assignment_epoch, head.subscribed, head.target);
    for _ in 0..r.count(16)? {
        let id = r.string()?;
        let client = Node::Client(r.string()?.into());
        let epoch = r.i32()?;
        let topics = (0..r.count(2)?).map(|_| r.string()).collect::<Option<Vec<String>>>()?;
        let assigned = r.partitions()?;
        let session_deadline = now + Duration::from_ms(settings.session_timeout_ms);
        g.members.insert(id.clone(), ShareMember::restored(id, client, epoch, topics, assigned, session_deadline));
    }
    r.0.is_empty().then_some(())?;
    g.refresh_state();
    Some(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::share_group::ShareHeartbeatRequest;

    #[test]
    fn a_share_group_reads_back_as_written_with_fresh_sessions() {
        let counts = |t: &str| (t == "jobs").then_some(2);
        let mut g = ShareGroup::new("q", ShareGroupSettings::default());
        for (id, at) in [("a", 0), ("b", 10)] {
            let req = ShareHeartbeatRequest {
                member_id: id.into(),
                member_epoch: 0,
                topics: Some(alloc::vec!["jobs".into()]),
            };
            g.heartbeat(req, Node::Client(id.into()), &counts, Instant::from_ms(at)).expect("joins");
        }
        let value = encode_value(&g);
        let back =
            decode_value("q", &value, ShareGroupSettings::default(), Instant::from_ms(1_000)).expect("reads back");
        assert_eq!(encode_value(&back), value, "the same content");
        assert_eq!((back.epoch, back.assignment_epoch, back.state), (g.epoch, g.assignment_epoch, g.state));
        assert_eq!(back.next_deadline(), Some(Instant::from_ms(46_000)), "sessions start again at the load");
        assert_eq!(decode_key(&encode_key("q")).as_deref(), Some("q"));
        for cut in 0..value.len() {
            assert!(decode_value("q", &value[..cut], ShareGroupSettings::default(), Instant::ZERO).is_none());
        }
    }
}
