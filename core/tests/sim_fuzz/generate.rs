//! The generator: a seed in, a whole scenario script out.
//!
//! Every seed gets a cluster of one to three brokers, topics `a` and `b`, a plain producer `p` and
//! a transactional one `tx`, an assigned consumer `solo` and a consumer group `g` of two members
//! with one of the four assignors (or the default list), or, in a third of the seeds, under the
//! consumer group protocol (KIP-848) with the coordinator's `uniform` or `range` assignor (every
//! other member subscribing by a regex the coordinator resolves). A third
//! of the seeds also get a share group `q` (KIP-932) reading `a`: two share consumers, one
//! releasing or rejecting the records that fail, one crashing and replaced midway, and one joining
//! near the end that never fails, so that every record is finished. Some seeds also get a retention-limited
//! `a`, a compacted topic `c`, and a consume-transform-produce pipeline (group `pipe` reading `b`
//! into `out`, read back by `audit` with read_committed). Then up to [`STEPS`] random steps: sends,
//! transactions, members that join, leave, crash and come back as static members, commits,
//! DeleteRecords, topics altered at run time, broker crashes and controlled shutdowns, cut,
//! healed and slow links. Every fault is undone before the last step, a minute with nothing to do
//! (and every broker started again half a minute before it, in case a controlled shutdown was
//! still under way when its start came).

use kafka_sim::rand::Rng;

/// Random steps after the set-up.
pub const STEPS: usize = 48;

/// The members group `g` may have at once; more join only after some leave.
const MEMBERS_MAX: usize = 3;

/// What a seed's scenario has beyond the base.
struct Features {
    /// `a` deletes segments after a few seconds (consumers behind it reset).
    retention: bool,
    /// Topic `c`, compacted with short segments; `p` writes keys and tombstones to it.
    compaction: bool,
    /// Group `pipe` reads `b` and writes to `out` with commit=transaction; `audit` reads `out`.
    pipeline: bool,
}

/// The state a step depends on, so that most generated commands are ones the engine accepts.
struct Gen {
    rng: Rng,
    lines: Vec<String>,
    brokers: u32,
    /// Consumers of group `g` running now (client name, group.instance.id).
    members: Vec<(String, Option<String>)>,
    /// Static ids whose member crashed: a new process may come back with one.
    orphaned_ids: Vec<String>,
    /// Pipeline members running now.
    pipes: Vec<String>,
    next_client: u32,
    assignor: Option<&'static str>,
    /// Group `g` runs the consumer group protocol (KIP-848), with this server assignor if any.
    consumer_protocol: Option<Option<&'static str>>,
    features: Features,
    partitions: [u32; 2],
    out_partitions: usize,
}

impl Gen {
    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    fn topic(&mut self) -> &'static str {
        if self.features.compaction && self.rng.below(4) == 0 {
            "c"
        } else {
            ["a", "b"][self.rng.below(2)]
        }
    }

    /// A new member of group `g`, sometimes static, sometimes taking a crashed member's static id.
    fn join(&mut self) {
        self.next_client += 1;
        let name = format!("m{}", self.next_client);
        let instance = if !self.orphaned_ids.is_empty() && self.rng.below(2) == 0 {
            Some(self.orphaned_ids.remove(0))
        } else if self.rng.below(3) == 0 {
            Some(format!("s{}", self.next_client))
        } else {
            None
        };
        let mut line = format!("consumer {name} group.id=g auto.offset.reset=earliest");
        match self.consumer_protocol {
            // The brokers set the consumer protocol's session timeout (see the cluster line).
            Some(assignor) => {
                line.push_str(" group.protocol=consumer");
                if let Some(a) = assignor {
                    line.push_str(&format!(" group.remote.assignor={a}"));
                }
            }
            None => {
                line.push_str(" session.timeout.ms=10000");
                if let Some(a) = self.assignor {
                    line.push_str(&format!(" partition.assignment.strategy={a}"));
                }
            }
        }
        if let Some(id) = &instance {
            line.push_str(&format!(" group.instance.id={id}"));
        }
        if self.rng.below(2) == 0 {
            line.push_str(" isolation.level=read_committed");
        }
        let commit = ["auto", "before", "after"][self.rng.below(3)];
        if commit != "auto" {
            line.push_str(" enable.auto.commit=false");
        }
        self.push(line);
        let topics = if self.features.compaction { "a,b,c" } else { "a,b" };
        if self.consumer_protocol.is_some() && self.next_client % 2 == 0 {
            // Every other member of a consumer-protocol group names the same topics by a regex the
            // coordinator resolves (SubscribedTopicRegex); no draw, so the random streams stay.
            let set = if self.features.compaction { "abc" } else { "ab" };
            self.push(format!("subscribe {name} regex='[{set}]'"));
        } else {
            self.push(format!("subscribe {name} {topics}"));
        }
        let processing =
            if self.rng.below(3) == 0 { format!(" processing.ms={}", self.rng.below(300)) } else { String::new() };
        self.push(format!("consume {name} commit={commit}{processing}"));
        self.members.push((name, instance));
    }

    fn start_pipe(&mut self) {
        self.next_client += 1;
        let name = format!("pipe{}", self.next_client);
        self.push(format!(
            "consumer {name} group.id=pipe isolation.level=read_committed auto.offset.reset=earliest \
             enable.auto.commit=false session.timeout.ms=10000"
        ));
        self.push(format!("subscribe {name} b"));
        self.push(format!("consume {name} commit=transaction output=out transform=copy"));
        self.pipes.push(name);
    }

    /// A node a link fault can touch.
    fn node(&mut self) -> String {
        let mut nodes: Vec<String> = (1..=self.brokers).map(|b| format!("broker-{b}")).collect();
        nodes.extend(["p", "tx", "solo"].map(String::from));
        nodes.extend(self.members.iter().map(|(m, _)| m.clone()));
        nodes.extend(self.pipes.iter().cloned());
        nodes[self.rng.below(nodes.len())].clone()
    }
}

pub fn generate(seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let brokers = rng.below(3) as u32 + 1;
    let rf = brokers.min(3);
    let features =
        Features { retention: rng.below(3) == 0, compaction: rng.below(2) == 0, pipeline: rng.below(2) == 0 };
    let assignor = [None, Some("range"), Some("roundrobin"), Some("sticky"), Some("cooperative-sticky")][rng.below(5)];
    // A quarter of the clusters have internal topics of a few partitions, so that groups and
    // transactional ids share coordinators. A stream of its own: the other choices stay as they were.
    let mut internal = Rng::new(seed ^ 0x696e_7465_726e);
    let mut cluster = match internal.below(4) {
        0 => format!(
            "cluster brokers={brokers} offsets.topic.num.partitions={} transaction.state.log.num.partitions={}",
            internal.below(5) + 1,
            internal.below(5) + 1
        ),
        _ => format!("cluster brokers={brokers}"),
    };
    // A third of the seeds run group `g` under the consumer group protocol (KIP-848). A stream of
    // its own too.
    let mut protocol = Rng::new(seed ^ 0x6b69_7038_3438);
    let consumer_protocol = (protocol.below(3) == 0).then(|| [None, Some("uniform"), Some("range")][protocol.below(3)]);
    if consumer_protocol.is_some() {
        cluster.push_str(" group.consumer.session.timeout.ms=10000 group.consumer.heartbeat.interval.ms=3000");
    }
    // A third of the seeds add share group `q` (or `qc`) on topic `a`; a stream of its own as well.
    let mut share = Rng::new(seed ^ 0x7368_6172_6571);
    let share_group = share.below(3) == 0;
    // Half of the share groups read transactions read_committed (`qc`: the end check holds its
    // start offset to the last stable offset instead of the high watermark).
    let share_name = if share.below(2) == 0 { "q" } else { "qc" };
    let share_crash_step = share.below(STEPS);
    if share_group {
        // The share coordinator's updates between snapshots: every write a snapshot, a few, or
        // Kafka's 500. A stream of its own, so the seeds' other choices stay as they were.
        let per_snapshot = [0, 1, 3, 500][Rng::new(seed ^ 0x7570_6461_7465).below(4)];
        cluster.push_str(&format!(" share.coordinator.snapshot.update.records.per.snapshot={per_snapshot}"));
    }
    let mut g = Gen {
        rng,
        lines: vec![format!("seed {seed}"), cluster],
        brokers,
        members: Vec::new(),
        orphaned_ids: Vec::new(),
        pipes: Vec::new(),
        next_client: 0,
        assignor,
        consumer_protocol,
        features,
        partitions: [0; 2],
        out_partitions: 0,
    };
    for (i, t) in ["a", "b"].into_iter().enumerate() {
        let partitions = g.rng.below(3) as u32 + 1;
        g.partitions[i] = partitions;
        let min_isr = if rf > 1 && g.rng.below(2) == 0 { 2 } else { 1 };
        let retention = if t == "a" && g.features.retention {
            format!(" retention.ms={} segment.ms={}", 2_000 + g.rng.below(8_000), 500 + g.rng.below(1_500))
        } else {
            String::new()
        };
        g.push(format!(
            "topic create {t} partitions={partitions} replication-factor={rf} min.insync.replicas={min_isr}{retention}"
        ));
    }
    if g.features.compaction {
        let segment_ms = 500 + g.rng.below(2_000);
        g.push(format!(
            "topic create c partitions=1 replication-factor={rf} cleanup.policy=compact segment.ms={segment_ms} \
             min.cleanable.dirty.ratio=0.01"
        ));
    }
    if g.features.pipeline {
        g.out_partitions = g.rng.below(2) + 1;
        g.push(format!("topic create out partitions={} replication-factor={rf}", g.out_partitions));
    }
    let acks = ["all", "1", "0"][g.rng.below(3)];
    let idempotence = if acks == "all" && g.rng.below(2) == 0 { "" } else { " enable.idempotence=false" };
    let linger = g.rng.below(10);
    g.push(format!(
        "producer p acks={acks} linger.ms={linger}{idempotence} delivery.timeout.ms=30000 request.timeout.ms=5000"
    ));
    // A transaction whose commit fails (its records timed out) and that nobody aborts is aborted by
    // its coordinator after transaction.timeout.ms. It starts at its coordinator at the latest when
    // every broker is started again, a minute before the end check; at Kafka's 60 s its abort
    // markers could come in the check's last seconds, with no time left to deliver them to the
    // share group (seed 5560182). At 30 s, as delivery.timeout.ms, half a minute is left.
    g.push(
        "producer tx transactional.id=fuzz linger.ms=0 delivery.timeout.ms=30000 request.timeout.ms=5000 transaction.timeout.ms=30000"
            .into(),
    );
    g.push("init-transactions tx".into());
    g.push("advance 2s".into());
    let rc = if g.rng.below(2) == 0 { " isolation.level=read_committed" } else { "" };
    g.push(format!("consumer solo auto.offset.reset=earliest{rc}"));
    g.push("assign solo a-0".into());
    g.push("consume solo".into());
    g.join();
    g.join();
    if share_group {
        let limit = share.below(4) + 2;
        let isolation = if share_name == "qc" { " share.isolation.level=read_committed" } else { "" };
        g.push(format!(
            "group config {share_name} share.auto.offset.reset=earliest share.delivery.count.limit={limit}{isolation}"
        ));
        let on_failure = ["release", "reject"][share.below(2)];
        let acquire = ["batch_optimized", "record_limit"][share.below(2)];
        g.push(format!(
            "share-consumer s1 group.id={share_name} share.acknowledgement.mode=explicit share.acquire.mode={acquire} max.poll.records={}",
            share.below(4) + 1
        ));
        g.push(format!("share-consumer s2 group.id={share_name}"));
        g.push("subscribe s1 a".into());
        g.push("subscribe s2 a".into());
        g.push(format!("consume s1 processing.ms={} fail.value=v1 on.failure={on_failure}", share.below(100)));
        g.push("consume s2".into());
    }
    if g.features.pipeline {
        g.start_pipe();
        let outs: Vec<String> = (0..g.out_partitions).map(|p| format!("out-{p}")).collect();
        g.push("consumer audit isolation.level=read_committed auto.offset.reset=earliest".into());
        g.push(format!("assign audit {}", outs.join(",")));
        g.push("consume audit".into());
    }
    let mut down: Option<u32> = None;
    let mut cut: Option<(String, String)> = None;
    let mut slow: Option<(String, String)> = None;
    let mut in_txn = false;
    let mut n = 0;
    for step in 0..STEPS {
        if share_group && step == share_crash_step {
            // A share consumer dies holding records: their locks expire and another member gets them.
            g.push("crash s2".into());
            g.push(format!("share-consumer s3 group.id={share_name}"));
            g.push("subscribe s3 a".into());
            g.push("consume s3 processing.ms=20".into());
        }
        match g.rng.below(20) {
            0..=4 => {
                n += 1;
                let t = g.topic();
                let k = g.rng.below(5);
                // A tombstone now and then on the compacted topic.
                let value = if t == "c" && g.rng.below(5) == 0 { "null".to_string() } else { format!("v{n}") };
                g.push(format!("send p {t} key=k{k} value={value}"));
            }
            5 | 6 => {
                n += 1;
                if !in_txn {
                    g.push("begin-transaction tx".into());
                    in_txn = true;
                }
                let t = ["a", "b"][g.rng.below(2)];
                let k = g.rng.below(5);
                g.push(format!("send tx {t} key=t{k} value=x{n}"));
            }
            7 if in_txn => {
                let end = if g.rng.below(3) == 0 { "abort-transaction tx" } else { "commit-transaction tx" };
                g.push(end.into());
                in_txn = false;
            }
            8 => match down {
                None if brokers > 1 => {
                    let b = g.rng.below(brokers as usize) as u32 + 1;
                    let how = if g.rng.below(3) == 0 { "shutdown" } else { "stop" };
                    g.push(format!("broker {how} {b}"));
                    down = Some(b);
                }
                Some(b) => {
                    g.push(format!("broker start {b}"));
                    down = None;
                }
                None => {}
            },
            9 => match cut.take() {
                None => {
                    let (a, b) = (format!("broker-{}", g.rng.below(brokers as usize) + 1), g.node());
                    if a != b {
                        g.push(format!("network cut {a} {b}"));
                        cut = Some((a, b));
                    }
                }
                Some((a, b)) => g.push(format!("network heal {a} {b}")),
            },
            10 => match slow.take() {
                None => {
                    let (a, b) = (format!("broker-{}", g.rng.below(brokers as usize) + 1), g.node());
                    if a != b {
                        let ms = 50 + g.rng.below(1_500);
                        g.push(format!("network delay {a} {b} {ms}ms"));
                        slow = Some((a, b));
                    }
                }
                Some((a, b)) => g.push(format!("network delay {a} {b} 1ms")),
            },
            11 => {
                // A member leaves, crashes or joins.
                let roll = g.rng.below(3);
                if roll == 0 && g.members.len() < MEMBERS_MAX {
                    g.join();
                } else if !g.members.is_empty() {
                    let i = g.rng.below(g.members.len());
                    let (name, instance) = g.members.remove(i);
                    if roll == 1 {
                        g.push(format!("close {name}"));
                    } else {
                        g.push(format!("crash {name}"));
                        g.orphaned_ids.extend(instance);
                    }
                }
            }
            12 if !g.members.is_empty() => {
                let i = g.rng.below(g.members.len());
                let name = g.members[i].0.clone();
                let how = if g.rng.below(2) == 0 { " async" } else { "" };
                g.push(format!("commit {name}{how}"));
            }
            13 if g.features.pipeline && g.rng.below(2) == 0 => {
                if g.pipes.len() < 2 {
                    g.start_pipe();
                } else {
                    let name = g.pipes.remove(g.rng.below(2));
                    g.push(format!("crash {name}"));
                }
            }
            14 if g.rng.below(3) == 0 => {
                let p = g.rng.below(g.partitions[0] as usize);
                let offset = g.rng.below(6);
                g.push(format!("delete-records a-{p} {offset}"));
            }
            15 if g.rng.below(3) == 0 => {
                let i = g.rng.below(2);
                if g.partitions[i] < 4 {
                    g.partitions[i] += 1;
                    let t = ["a", "b"][i];
                    g.push(format!("topic alter {t} partitions={}", g.partitions[i]));
                }
            }
            16 if g.rng.below(3) == 0 => {
                if rf == 3 && g.rng.below(2) == 0 {
                    let min_isr = g.rng.below(2) + 1;
                    g.push(format!("topic config b min.insync.replicas={min_isr}"));
                } else {
                    let bytes = [1_000, 100_000, 1_048_588][g.rng.below(3)];
                    g.push(format!("topic config b max.message.bytes={bytes}"));
                }
            }
            17 if g.rng.below(4) == 0 => {
                let to = ["beginning", "end", "0"][g.rng.below(3)];
                g.push(format!("seek solo a-0 {to}"));
            }
            _ => {
                let ms = 50 + g.rng.below(2_000);
                g.push(format!("advance {ms}ms"));
            }
        }
    }
    if in_txn {
        g.push("commit-transaction tx".into());
    }
    if let Some(b) = down {
        g.push(format!("broker start {b}"));
    }
    if let Some((a, b)) = cut {
        g.push(format!("network heal {a} {b}"));
    }
    if let Some((a, b)) = slow {
        g.push(format!("network delay {a} {b} 1ms"));
    }
    // A `broker start` refused because a controlled shutdown was still under way (the broker still
    // running, perhaps cut off from the controller) leaves that broker down for good once the
    // shutdown ends, and a partition whose only in-sync replica it holds offline: unavailable, not
    // lost. So, the links healed, every broker is started once more after the shutdowns have had
    // time to finish (a start of a running broker is refused, harmlessly).
    g.push("advance 30s".into());
    for b in 1..=brokers {
        g.push(format!("broker start {b}"));
    }
    if share_group {
        // A member that never fails: what is left of `a` is delivered and done with.
        g.push(format!("share-consumer last group.id={share_name}"));
        g.push("subscribe last a".into());
        g.push("consume last".into());
    }
    // A quarter of the share seeds run on for 11 minutes, so that the share coordinators' jobs
    // (cold snapshots and pruning, every 5 minutes) run and the end check reads the pruned state.
    let long_end = share_group && Rng::new(seed ^ 0x0070_7275_6e65).below(4) == 0;
    g.push(if long_end { "advance 11m" } else { "advance 60s" }.into());
    g.lines
}
