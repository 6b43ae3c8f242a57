//! The broker's side of fetch sessions (`FetchSession.scala`): the cache of sessions, split in
//! eight shards as Kafka's is, and the context a fetch is read in (`FetchManager.newContext`):
//! which partitions it reads, and which of their answers it sends back.

use crate::error::KafkaError;
use crate::protocol::{FetchMetadata, FetchPartition, FetchedPartition, TopicPartition};
use crate::sorted::SortedMap;
use alloc::vec::Vec;

/// `KafkaBroker.NumFetchSessionCacheShards`: the cache is eight shards, each with an eighth of
/// `max.incremental.fetch.session.cache.slots`; new sessions go to them in turn, and a session
/// can only evict another of its own shard.
pub const FETCH_SESSION_CACHE_SHARDS: usize = 8;

/// `KafkaBroker.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS`: a session unused this long may be
/// evicted by any new one; a younger one only by a more valuable one.
pub const MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS: u64 = 120_000;

/// `max.incremental.fetch.session.cache.slots`' default.
pub const MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DEFAULT: u32 = 1_000;

/// A partition a session holds (`CachedPartition`): what was last asked for it, and what was
/// last answered, so an unchanged partition is left out of the next answer.
#[derive(Clone, Debug)]
struct CachedPartition {
    request: FetchPartition,
    /// `None` when never answered, or answered with an error (Kafka's -1): the next answer
    /// then includes the partition.
    high_watermark: Option<u64>,
    log_start_offset: Option<u64>,
}

impl CachedPartition {
    /// Whether the answer must include this partition, noting what it tells
    /// (`maybeUpdateResponseData`): records, a diverging epoch or an error always; otherwise a
    /// high watermark or log start offset other than the last answered.
    fn must_respond(&mut self, fetched: &FetchedPartition) -> bool {
        let Ok(data) = &fetched.result else {
            self.high_watermark = None;
            self.log_start_offset = None;
            return true;
        };
        let mut must = !data.batches.is_empty() || data.diverging_epoch.is_some();
        if self.high_watermark != Some(data.high_watermark) {
            self.high_watermark = Some(data.high_watermark);
            must = true;
        }
        if self.log_start_offset != Some(data.log_start_offset) {
            self.log_start_offset = Some(data.log_start_offset);
            must = true;
        }
        must
    }
}

#[derive(Clone, Debug)]
struct FetchSession {
    shard: usize,
    /// Followers' sessions are privileged: they may evict consumers' sessions.
    privileged: bool,
    /// In the order the broker reads them; a partition that brought records moves to the end,
    /// so the next fetch's byte limits favour the others.
    partitions: Vec<CachedPartition>,
    creation_ms: u64,
    last_used_ms: u64,
    /// The epoch the next request must carry.
    epoch: i32,
    /// At the last touch: the session's size, and which new sessions may evict it (Kafka keeps
    /// these as its place in `evictableByAll` and `evictableByPrivileged`).
    cached_size: usize,
    evictable_by_all: bool,
    evictable_by_privileged: bool,
}

impl FetchSession {
    /// Takes an incremental request's partitions and those it forgets (`FetchSession.update`).
    fn update(&mut self, to_send: Vec<FetchPartition>, to_forget: &[TopicPartition]) {
        for p in to_send {
            match self.partitions.iter_mut().find(|c| c.request.tp == p.tp) {
                Some(cached) => cached.request = p,
                None => {
                    self.partitions.push(CachedPartition { request: p, high_watermark: None, log_start_offset: None })
                }
            }
        }
        self.partitions.retain(|c| !to_forget.contains(&c.request.tp));
    }

    /// Notes a use (`FetchSessionCacheShard.touch`).
    fn touch(&mut self, now_ms: u64) {
        self.last_used_ms = now_ms;
        self.cached_size = self.partitions.len();
        let old = now_ms.saturating_sub(self.creation_ms) > MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS;
        self.evictable_by_privileged = !self.privileged || old;
        self.evictable_by_all = old;
    }
}

/// How a fetch is read and answered (Kafka's `FetchContext` classes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchContext {
    /// The session is unknown or the epoch is not the expected one: answered with the error
    /// and no partitions.
    SessionError(KafkaError),
    /// A full fetch that opens no session (epoch -1), or an incremental one that forgot the
    /// session's last partition.
    Sessionless,
    /// A full fetch: the answer opens a session if the cache has room.
    Full { privileged: bool },
    /// A fetch in a session, at `epoch`: answered with the partitions that changed.
    Incremental { session_id: u32, epoch: i32 },
}

/// A broker's fetch sessions.
#[derive(Clone, Debug)]
pub struct FetchSessionCache {
    /// Shards: [`FETCH_SESSION_CACHE_SHARDS`] (one in the ports of Kafka's tests of one shard).
    shards: usize,
    /// Sessions each shard holds at most: `max.incremental.fetch.session.cache.slots` / 8.
    shard_slots: usize,
    sessions: SortedMap<u32, FetchSession>,
    /// The shard the next new session goes to (`getNextCacheShard`, round robin).
    next_shard: usize,
    /// Kafka draws a random id within the shard's range; here ids count from 1, so runs repeat
    /// and traces stay readable.
    last_id: u32,
}

impl Default for FetchSessionCache {
    fn default() -> Self {
        FetchSessionCache::new(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DEFAULT)
    }
}

impl FetchSessionCache {
    pub fn new(slots: u32) -> Self {
        FetchSessionCache {
            shards: FETCH_SESSION_CACHE_SHARDS,
            shard_slots: slots as usize / FETCH_SESSION_CACHE_SHARDS,
            sessions: SortedMap::new(),
            next_shard: 0,
            last_id: 0,
        }
    }

    /// Open sessions.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The context a fetch is read in, and every partition it reads (`FetchManager.newContext`):
    /// a full fetch reads what it names and closes the session it names; an incremental one
    /// updates its session and reads all of the session's partitions.
    pub fn new_context(
        &mut self,
        now_ms: u64,
        privileged: bool,
        metadata: FetchMetadata,
        to_send: Vec<FetchPartition>,
        to_forget: &[TopicPartition],
    ) -> (FetchContext, Vec<FetchPartition>) {
        if metadata.is_full() {
            if metadata.session_id != 0 {
                self.sessions.remove(&metadata.session_id);
            }
            let context = match metadata.epoch {
                FetchMetadata::FINAL_EPOCH => FetchContext::Sessionless,
                _ => FetchContext::Full { privileged },
            };
            return (context, to_send);
        }
        let Some(session) = self.sessions.get_mut(&metadata.session_id) else {
            return (FetchContext::SessionError(KafkaError::FetchSessionIdNotFound), Vec::new());
        };
        if session.epoch != metadata.epoch {
            return (FetchContext::SessionError(KafkaError::InvalidFetchSessionEpoch), Vec::new());
        }
        session.update(to_send, to_forget);
        if session.partitions.is_empty() {
            self.sessions.remove(&metadata.session_id);
            return (FetchContext::Sessionless, Vec::new());
        }
        session.touch(now_ms);
        session.epoch = FetchMetadata::next_epoch(session.epoch);
        let read = session.partitions.iter().map(|c| c.request.clone()).collect();
        (FetchContext::Incremental { session_id: metadata.session_id, epoch: metadata.epoch }, read)
    }

    /// The answer to send (`updateAndGenerateResponseData`): its error, the session id, and the
    /// partitions. `read` is what the fetch read, `answer` what each of them brought.
    pub fn respond(
        &mut self,
        now_ms: u64,
        context: &FetchContext,
        read: &[FetchPartition],
        answer: Vec<FetchedPartition>,
    ) -> (Option<KafkaError>, u32, Vec<FetchedPartition>) {
        match context {
            FetchContext::SessionError(error) => (Some(error.clone()), 0, Vec::new()),
            FetchContext::Sessionless => (None, 0, answer),
            &FetchContext::Full { privileged } => {
                (None, self.maybe_create_session(now_ms, privileged, read, &answer), answer)
            }
            &FetchContext::Incremental { session_id, epoch } => {
                let Some(session) = self.sessions.get_mut(&session_id) else {
                    // Evicted since the fetch came: the next one is told FETCH_SESSION_ID_NOT_FOUND.
                    return (None, session_id, answer);
                };
                if session.epoch != FetchMetadata::next_epoch(epoch) {
                    // Another request of this session came in between.
                    return (Some(KafkaError::InvalidFetchSessionEpoch), session_id, Vec::new());
                }
                let mut kept = Vec::new();
                for fetched in answer {
                    let Some(i) = session.partitions.iter().position(|c| c.request.tp == fetched.tp) else {
                        continue;
                    };
                    let brought = fetched.result.as_ref().is_ok_and(|d| !d.batches.is_empty());
                    if session.partitions[i].must_respond(&fetched) {
                        if brought {
                            // Behind the others, so the next fetch's byte limits favour them.
                            let cached = session.partitions.remove(i);
                            session.partitions.push(cached);
                        }
                        kept.push(fetched);
                    }
                }
                (None, session_id, kept)
            }
        }
    }

    /// Opens a session for a full fetch's answer if its shard has room or can evict one
    /// (`maybeCreateSession`); 0 when not.
    fn maybe_create_session(
        &mut self,
        now_ms: u64,
        privileged: bool,
        read: &[FetchPartition],
        answer: &[FetchedPartition],
    ) -> u32 {
        let shard = self.next_shard;
        self.next_shard = (self.next_shard + 1) % self.shards;
        let in_shard = self.sessions.values().filter(|s| s.shard == shard).count();
        if in_shard >= self.shard_slots && !self.try_evict(shard, privileged, answer.len(), now_ms) {
            return 0;
        }
        let mut partitions = Vec::with_capacity(answer.len());
        for (request, fetched) in read.iter().zip(answer) {
            let mut cached = CachedPartition { request: request.clone(), high_watermark: None, log_start_offset: None };
            cached.must_respond(fetched);
            partitions.push(cached);
        }
        let mut session = FetchSession {
            shard,
            privileged,
            partitions,
            creation_ms: now_ms,
            last_used_ms: now_ms,
            epoch: FetchMetadata::next_epoch(FetchMetadata::INITIAL_EPOCH),
            cached_size: 0,
            evictable_by_all: false,
            evictable_by_privileged: false,
        };
        session.touch(now_ms);
        loop {
            self.last_id = self.last_id.checked_add(1).unwrap_or(1);
            if !self.sessions.contains_key(&self.last_id) {
                break;
            }
        }
        self.sessions.insert(self.last_id, session);
        self.last_id
    }

    /// Evicts one session of `shard` for a new one (`tryEvict`): the least recently used if it
    /// has been unused for two minutes; otherwise the least valuable that may be evicted (by
    /// privilege, then size, then id) if the new one is worth at least as much.
    fn try_evict(&mut self, shard: usize, privileged: bool, size: usize, now_ms: u64) -> bool {
        // The least recently used, and the least valuable that a new session of this kind may evict.
        let mut stale: Option<(u64, u32)> = None;
        let mut cheapest: Option<(bool, usize, u32)> = None;
        for (&id, s) in self.sessions.iter().filter(|(_, s)| s.shard == shard) {
            let used = (s.last_used_ms, id);
            if stale.is_none_or(|least| used < least) {
                stale = Some(used);
            }
            let key = (s.privileged, s.cached_size, id);
            let evictable = if privileged { s.evictable_by_privileged } else { s.evictable_by_all };
            if evictable && cheapest.is_none_or(|least| key < least) {
                cheapest = Some(key);
            }
        }
        let victim = match (stale, cheapest) {
            (None, _) => return false,
            (Some((last_used_ms, id)), _)
                if now_ms.saturating_sub(last_used_ms) > MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS =>
            {
                id
            }
            (_, Some(key)) if (privileged, size, 0) >= key => key.2,
            _ => return false,
        };
        self.sessions.remove(&victim).is_some()
    }
}

#[cfg(test)]
mod tests {
    //! Cases of Kafka's `FetchSessionTest`.
    use super::*;
    use crate::protocol::FetchedData;

    /// One shard of `slots` sessions, as Kafka's tests build a `FetchSessionCacheShard`.
    fn one_shard(slots: usize) -> FetchSessionCache {
        FetchSessionCache { shards: 1, shard_slots: slots, sessions: SortedMap::new(), next_shard: 0, last_id: 0 }
    }

    use super::super::test_partition as part;

    fn fetched(p: &FetchPartition, high_watermark: u64, records: bool) -> FetchedPartition {
        let batches = if records {
            let record = crate::protocol::RecordData {
                timestamp_ms: 0,
                key: None,
                value: Some(alloc::vec![1]),
                headers: Vec::new(),
            };
            let batch = crate::batch::RecordBatch::from_records(&[record], crate::batch::Compression::None);
            let bytes = alloc::rc::Rc::new(batch.encode().expect("a one-record batch encodes"));
            alloc::vec![crate::log_batch::LogBatch {
                base_offset: p.fetch_offset,
                last_offset: p.fetch_offset,
                leader_epoch: 0,
                compression: crate::batch::Compression::None,
                max_timestamp_ms: 0,
                records: 1,
                bytes,
            }]
        } else {
            Vec::new()
        };
        let data = FetchedData {
            high_watermark,
            log_start_offset: 0,
            batches,
            diverging_epoch: None,
            last_stable_offset: high_watermark,
            aborted_transactions: Vec::new(),
        };
        FetchedPartition { tp: p.tp.clone(), result: Ok(data) }
    }

    /// A session of `size` partitions created at `now_ms` (Kafka's `dummyCreate`).
    fn create(cache: &mut FetchSessionCache, now_ms: u64, privileged: bool, size: usize) -> u32 {
        let read: Vec<FetchPartition> = (0..size as u32).map(|i| part("t", i, 0)).collect();
        let answer: Vec<FetchedPartition> = read.iter().map(|p| fetched(p, 0, false)).collect();
        cache.maybe_create_session(now_ms, privileged, &read, &answer)
    }

    fn touch(cache: &mut FetchSessionCache, id: u32, now_ms: u64) {
        cache.sessions.get_mut(&id).expect("the session is cached").touch(now_ms);
    }

    fn ids(cache: &FetchSessionCache) -> Vec<u32> {
        cache.sessions.keys().copied().collect()
    }

    /// `testSessionCache`, its times scaled by 1,200 (its cache evicts after 100 ms, Kafka's
    /// brokers after 120,000): a full cache takes a new session only by evicting a stale one,
    /// a smaller one, or (for a privileged one) a consumer's.
    #[test]
    fn test_session_cache() {
        const S: u64 = 1_200;
        let mut cache = one_shard(3);
        let id1 = create(&mut cache, 0, false, 10);
        let id2 = create(&mut cache, 10 * S, false, 20);
        let id3 = create(&mut cache, 20 * S, false, 30);
        assert_eq!(create(&mut cache, 30 * S, false, 40), 0, "full, and none is old enough to evict");
        assert_eq!(create(&mut cache, 40 * S, false, 5), 0);
        assert_eq!(ids(&cache), [id1, id2, id3]);
        touch(&mut cache, id1, 200 * S);
        let id4 = create(&mut cache, 210 * S, false, 11);
        assert_eq!(ids(&cache), [id1, id3, id4], "id2, unused for 200, was stale");
        touch(&mut cache, id1, 400 * S);
        touch(&mut cache, id3, 390 * S);
        touch(&mut cache, id4, 400 * S);
        let id5 = create(&mut cache, 410 * S, false, 50);
        assert_eq!(ids(&cache), [id3, id4, id5], "the smallest evictable session (id1, 10) made room for 50");
        assert_eq!(create(&mut cache, 410 * S, false, 5), 0, "5 is worth less than any session cached");
        let id6 = create(&mut cache, 410 * S, true, 5);
        assert_eq!(ids(&cache), [id3, id5, id6], "a follower's session evicts a consumer's");
    }

    /// `testZeroSizeFetchSession`: an incremental fetch that forgets every partition closes the
    /// session and is answered without one.
    #[test]
    fn test_zero_size_fetch_session() {
        let mut cache = one_shard(10);
        let asked = alloc::vec![part("foo", 0, 0), part("foo", 1, 10)];
        let (context, read) = cache.new_context(0, false, FetchMetadata::INITIAL, asked, &[]);
        assert_eq!(context, FetchContext::Full { privileged: false });
        let answer = read.iter().map(|p| fetched(p, 100, false)).collect();
        let (error, id, answered) = cache.respond(0, &context, &read, answer);
        assert_eq!((error, answered.len()), (None, 2));
        assert_ne!(id, 0);
        let forget = [TopicPartition::new("foo", 0), TopicPartition::new("foo", 1)];
        let (context, read) =
            cache.new_context(0, false, FetchMetadata { session_id: id, epoch: 1 }, Vec::new(), &forget);
        assert_eq!(context, FetchContext::Sessionless);
        assert!(read.is_empty());
        assert_eq!(cache.respond(0, &context, &read, Vec::new()), (None, 0, Vec::new()));
        assert!(cache.is_empty());
    }

    /// `testDeprioritizesPartitionsWithRecordsOnly`: an incremental answer holds the partitions
    /// that changed, and only those that brought records move to the end of the session.
    #[test]
    fn test_deprioritizes_partitions_with_records_only() {
        let mut cache = one_shard(10);
        let asked = alloc::vec![part("foo", 1, 100), part("bar", 2, 100), part("zar", 3, 100)];
        let (context, read) = cache.new_context(0, false, FetchMetadata::INITIAL, asked.clone(), &[]);
        let answer = read.iter().map(|p| fetched(p, 50, false)).collect();
        let (_, id, answered) = cache.respond(0, &context, &read, answer);
        assert_eq!(answered.len(), 3, "a full answer holds every partition");
        let (context, read) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch: 1 }, asked, &[]);
        assert_eq!(context, FetchContext::Incremental { session_id: id, epoch: 1 });
        let order = |read: &[FetchPartition]| read.iter().map(|p| alloc::format!("{}", p.tp)).collect::<Vec<_>>();
        assert_eq!(order(&read), ["foo-1", "bar-2", "zar-3"]);
        let answer =
            alloc::vec![fetched(&read[0], 60, false), fetched(&read[1], 60, true), fetched(&read[2], 50, false)];
        let (error, _, answered) = cache.respond(0, &context, &read, answer);
        assert_eq!(error, None);
        assert_eq!(
            order(&answered.iter().map(|f| part(&f.tp.topic, f.tp.partition, 0)).collect::<Vec<_>>()),
            ["foo-1", "bar-2"]
        );
        let session = cache.sessions.get(&id).expect("the session stays");
        let now: Vec<_> = session.partitions.iter().map(|c| alloc::format!("{}", c.request.tp)).collect();
        assert_eq!(now, ["foo-1", "zar-3", "bar-2"]);
    }

    /// `testFetchSessionWithUnknownId` and a repeated epoch: the errors a fetcher starts over from.
    #[test]
    fn test_fetch_session_errors() {
        let mut cache = one_shard(10);
        let (context, _) = cache.new_context(0, false, FetchMetadata { session_id: 5, epoch: 1 }, Vec::new(), &[]);
        assert_eq!(context, FetchContext::SessionError(KafkaError::FetchSessionIdNotFound));
        let id = create(&mut cache, 0, false, 2);
        let (context, _) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch: 2 }, Vec::new(), &[]);
        assert_eq!(context, FetchContext::SessionError(KafkaError::InvalidFetchSessionEpoch));
        let (context, _) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch: 1 }, Vec::new(), &[]);
        assert_eq!(context, FetchContext::Incremental { session_id: id, epoch: 1 });
        // A full fetch naming the session closes it (`nextCloseExistingAttemptNew`).
        let (context, _) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch: 0 }, Vec::new(), &[]);
        assert_eq!(context, FetchContext::Full { privileged: false });
        assert!(cache.is_empty());
    }

    /// Kafka's tests evict after 1,000 ms; its brokers after 120,000: their times scaled by 120.
    const T: u64 = 120;

    /// A full fetch of two partitions answered, opening a session at `now_ms`; its id.
    fn open(cache: &mut FetchSessionCache, now_ms: u64, privileged: bool) -> u32 {
        let asked = alloc::vec![part("foo", 0, 0), part("foo", 1, 0)];
        let (context, read) = cache.new_context(now_ms, privileged, FetchMetadata::INITIAL, asked, &[]);
        let answer = read.iter().map(|p| fetched(p, 0, false)).collect();
        let (error, id, answered) = cache.respond(now_ms, &context, &read, answer);
        assert_eq!((error, answered.len()), (None, 2));
        id
    }

    /// `testFetchSessionExpiration`: an incremental fetch touches its session, so the session
    /// left unused longest is the one a full cache evicts once it is stale.
    #[test]
    fn test_fetch_session_expiration() {
        let mut cache = one_shard(2);
        let session1 = open(&mut cache, 0, false);
        let session2 = open(&mut cache, 500 * T, false);
        assert_eq!(ids(&cache), [session1, session2]);
        let metadata = FetchMetadata { session_id: session1, epoch: 1 };
        let (context, _) = cache.new_context(1_000 * T, false, metadata, Vec::new(), &[]);
        assert_eq!(context, FetchContext::Incremental { session_id: session1, epoch: 1 });
        let session3 = open(&mut cache, 1_501 * T, false);
        assert_eq!(ids(&cache), [session1, session3], "session 2 was used least lately, and is stale");
    }

    /// `testPrivilegedSessionHandling`: a follower's session evicts a consumer's younger one, but
    /// not a privileged one until that one is stale.
    #[test]
    fn test_privileged_session_handling() {
        let mut cache = one_shard(2);
        let session1 = open(&mut cache, 0, true);
        let session2 = open(&mut cache, 500 * T, false);
        let session3 = open(&mut cache, 1_000 * T, true);
        assert_eq!(ids(&cache), [session1, session3], "the consumer's session 2 made room for a follower's");
        let session4 = open(&mut cache, 1_501 * T, true);
        assert_eq!(ids(&cache), [session3, session4], "session 1, privileged but unused for 1,501, is stale");
        assert!(!ids(&cache).contains(&session2));
    }

    /// `testDivergingEpoch` and `testUpdateAndGenerateResponseData`: a partition with a diverging
    /// epoch or an error is in every incremental answer, changed or not.
    #[test]
    fn test_diverging_epoch_and_errors_are_always_answered() {
        let mut cache = one_shard(10);
        let asked = alloc::vec![part("foo", 1, 100), part("bar", 2, 100)];
        let (context, read) = cache.new_context(0, false, FetchMetadata::INITIAL, asked.clone(), &[]);
        let answer = read.iter().map(|p| fetched(p, 50, false)).collect();
        let (_, id, _) = cache.respond(0, &context, &read, answer);
        for epoch in 1..3 {
            let (context, read) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch }, Vec::new(), &[]);
            let mut diverged = fetched(&read[1], 50, false);
            if let Ok(data) = &mut diverged.result {
                data.diverging_epoch = Some((3, 40));
            }
            let answer = alloc::vec![fetched(&read[0], 50, false), diverged];
            let (_, _, answered) = cache.respond(0, &context, &read, answer);
            let names: Vec<_> = answered.iter().map(|f| alloc::format!("{}", f.tp)).collect();
            assert_eq!(names, ["bar-2"], "epoch {epoch}: foo-1 has no news, bar-2 diverges");
        }
        for epoch in 3..5 {
            let (context, read) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch }, Vec::new(), &[]);
            let failed = FetchedPartition { tp: read[0].tp.clone(), result: Err(KafkaError::UnknownTopicOrPartition) };
            let answer = alloc::vec![failed, fetched(&read[1], 50, false)];
            let (_, _, answered) = cache.respond(0, &context, &read, answer);
            let names: Vec<_> = answered.iter().map(|f| alloc::format!("{}", f.tp)).collect();
            assert_eq!(names, ["foo-1"], "epoch {epoch}: an error is answered every time");
        }
        // Once the error is gone, the partition is answered again with its data.
        let (context, read) = cache.new_context(0, false, FetchMetadata { session_id: id, epoch: 5 }, Vec::new(), &[]);
        let answer = alloc::vec![fetched(&read[0], 50, false), fetched(&read[1], 50, false)];
        let (_, _, answered) = cache.respond(0, &context, &read, answer);
        assert_eq!(answered.len(), 1);
        assert_eq!(answered[0].tp, TopicPartition::new("foo", 1));
    }

    /// `testCachedLeaderEpoch` and `testLastFetchedEpoch`: an incremental fetch that names a
    /// partition replaces what the session holds for it; the others are read as last asked.
    #[test]
    fn test_cached_request_data() {
        let mut cache = one_shard(10);
        let mut asked = alloc::vec![part("foo", 0, 0), part("foo", 1, 10)];
        asked[0].current_leader_epoch = Some(1);
        asked[1].last_fetched_epoch = Some(2);
        let (context, read) = cache.new_context(0, true, FetchMetadata::INITIAL, asked, &[]);
        let answer = read.iter().map(|p| fetched(p, 0, false)).collect();
        let (_, id, _) = cache.respond(0, &context, &read, answer);
        let mut moved = part("foo", 0, 5);
        moved.current_leader_epoch = Some(2);
        let (_, read) = cache.new_context(0, true, FetchMetadata { session_id: id, epoch: 1 }, alloc::vec![moved], &[]);
        assert_eq!((read[0].fetch_offset, read[0].current_leader_epoch), (5, Some(2)));
        assert_eq!((read[1].fetch_offset, read[1].last_fetched_epoch), (10, Some(2)));
    }

    /// `testFetchSessionCache_RoundRobinsIntoShards`, and Kafka's integer division of the slots:
    /// fewer than eight slots leave every shard empty, so no session is ever opened.
    #[test]
    fn sessions_go_round_robin_into_eight_shards() {
        let mut cache = FetchSessionCache::new(8);
        let shards: Vec<usize> = (0..9)
            .map(|_| {
                let id = create(&mut cache, 0, false, 1);
                cache.sessions.get(&id).map_or(usize::MAX, |s| s.shard)
            })
            .collect();
        assert_eq!(shards[..8], [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(shards[8], usize::MAX, "shard 0 has its one slot taken");
        let mut cache = FetchSessionCache::new(7);
        assert_eq!(create(&mut cache, 0, false, 1), 0);
    }
}
