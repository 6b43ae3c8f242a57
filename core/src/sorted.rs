//! A map and a set kept as sorted vectors: what the engine uses for its maps and sets
//! instead of `BTreeMap` and `BTreeSet`, with the same order (keys ascending, so
//! everything observable iterates the same way) and the part of their API it needs.
//!
//! Why: the page ships the engine as WebAssembly, where every key and value type of a
//! B-tree gets its own copy of the B-tree's node code (insertion with splits, removal
//! with merges and steals, cloning of subtrees). With some sixty such types that was a
//! fifth of the page's code. A sorted vector's operations are a binary search and a
//! `Vec` insert or remove: a few hundred bytes a type. The engine's maps are small
//! (partitions, members, brokers, producers: tens to hundreds of entries), where a
//! binary search over one array is as fast as a B-tree's walk. The one map that grows
//! with traffic, the simulation's queue of scheduled deliveries, stays a `BTreeMap`.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;

/// A map from `K` to `V`, its entries sorted by key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

/// A place in a [`SortedMap`] for a key, there or not: [`SortedMap::entry`].
#[derive(Debug)]
pub enum Entry<'a, K, V> {
    Occupied(&'a mut V),
    Vacant { entries: &'a mut Vec<(K, V)>, index: usize, key: K },
}

type Pair<K, V> = (K, V);

fn pair_ref<K, V>((k, v): &Pair<K, V>) -> (&K, &V) {
    (k, v)
}

fn pair_mut<K, V>((k, v): &mut Pair<K, V>) -> (&K, &mut V) {
    (k, v)
}

/// Iterators over a map: slices' iterators with the pair split into its halves.
pub type Iter<'a, K, V> = core::iter::Map<core::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
pub type IterMut<'a, K, V> =
    core::iter::Map<core::slice::IterMut<'a, (K, V)>, fn(&'a mut (K, V)) -> (&'a K, &'a mut V)>;

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        let split: fn(&(K, V)) -> (&K, &V) = pair_ref;
        self.entries.iter().map(split)
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let split: fn(&mut (K, V)) -> (&K, &mut V) = pair_mut;
        self.entries.iter_mut().map(split)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn pop_first(&mut self) -> Option<(K, V)> {
        (!self.entries.is_empty()).then(|| self.entries.remove(0))
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is, or where it would go.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The entries with keys from `first` to `last`, both included, in order (two binary
    /// searches, then a walk with no comparisons).
    pub fn range_inclusive<Q: Ord + ?Sized>(&self, first: &Q, last: &Q) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let from = self.entries.partition_point(|(k, _)| k.borrow() < first);
        let to = from + self.entries[from..].partition_point(|(k, _)| k.borrow() <= last);
        self.entries[from..to].iter().map(pair_ref as fn(&(K, V)) -> (&K, &V))
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// The stored key equal to `key`, with its value (a shared key can then be shared again).
    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| (&self.entries[i].0, &self.entries[i].1))
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Puts `value` under `key`; the value it replaces, if any (the key stays the first one).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match self.find(&key) {
            Ok(i) => Entry::Occupied(&mut self.entries[i].1),
            Err(index) => Entry::Vacant { entries: &mut self.entries, index, key },
        }
    }
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(v) => v,
            Entry::Vacant { entries, index, key } => {
                entries.insert(index, (key, make()));
                &mut entries[index].1
            }
        }
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// As `BTreeMap`: of equal keys, the last value wins.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = alloc::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

#[cfg(feature = "serde")]
impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for SortedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A set of `T`, sorted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        SortedSet { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Items in order.
    pub fn iter(&self) -> core::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    pub fn pop_first(&mut self) -> Option<T> {
        (!self.items.is_empty()).then(|| self.items.remove(0))
    }

    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }
}

impl<T: Ord> SortedSet<T> {
    fn find<Q: Ord + ?Sized>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        self.items.binary_search_by(|t| t.borrow().cmp(item))
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    /// Adds `item`; false if it was there already (the set keeps the first one).
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Items of this set not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a SortedSet<T>) -> impl Iterator<Item = &'a T> + Clone {
        self.items.iter().filter(move |t| !other.contains(*t))
    }
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut items: Vec<T> = iter.into_iter().collect();
        crate::sort::sort(&mut items);
        items.dedup();
        SortedSet { items }
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            self.insert(t);
        }
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for SortedSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = alloc::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for SortedSet<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::{BTreeMap, BTreeSet};
    use alloc::vec;

    /// The same operations on a `SortedMap` and a `BTreeMap` leave the same entries in the
    /// same order, with the same answers on the way: a seeded walk of inserts, removals,
    /// entries, retains and pops (and ranges looked at after each) over a small key space (so keys collide often).
    #[test]
    fn map_agrees_with_btreemap() {
        let mut rng = crate::rand::Rng::new(7);
        for _ in 0..200 {
            let (mut ours, mut theirs) = (SortedMap::new(), BTreeMap::new());
            for step in 0..200u32 {
                let key = rng.below(40) as u32;
                match rng.below(7) {
                    0 | 1 => assert_eq!(ours.insert(key, step), theirs.insert(key, step)),
                    2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                    3 => {
                        *ours.entry(key).or_insert(step) += 1;
                        *theirs.entry(key).or_insert(step) += 1;
                    }
                    4 => {
                        *ours.entry(key).or_default() *= 2;
                        *theirs.entry(key).or_default() *= 2;
                    }
                    5 => {
                        ours.retain(|k, v| (k + *v) % 5 != 0);
                        theirs.retain(|k, v| (k + *v) % 5 != 0);
                    }
                    _ => assert_eq!(ours.pop_first(), theirs.pop_first()),
                }
                assert_eq!(ours.get(&key), theirs.get(&key));
                assert_eq!(ours.iter().next(), theirs.iter().next());
                assert_eq!(ours.iter().next_back(), theirs.iter().next_back());
                assert_eq!(ours.contains_key(&key), theirs.contains_key(&key));
                let last = key + rng.below(12) as u32;
                assert!(ours.range_inclusive(&key, &last).eq(theirs.range(key..=last)), "{key}..={last}");
            }
            let pairs: Vec<_> = ours.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(pairs, theirs.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn map_from_pairs_keeps_the_last_value_of_a_key_as_btreemap_does() {
        let pairs = vec![(2, "b"), (1, "a"), (2, "c")];
        let ours: SortedMap<_, _> = pairs.iter().copied().collect();
        let theirs: BTreeMap<_, _> = pairs.into_iter().collect();
        assert_eq!(ours.into_iter().collect::<Vec<_>>(), theirs.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn set_agrees_with_btreeset() {
        let mut rng = crate::rand::Rng::new(11);
        let (mut ours, mut theirs) = (SortedSet::new(), BTreeSet::new());
        for _ in 0..2_000 {
            let item = rng.below(60) as u32;
            if rng.below(3) == 0 {
                assert_eq!(ours.remove(&item), theirs.remove(&item));
            } else {
                assert_eq!(ours.insert(item), theirs.insert(item));
            }
            assert_eq!(ours.contains(&item), theirs.contains(&item));
        }
        assert_eq!(ours.iter().collect::<Vec<_>>(), theirs.iter().collect::<Vec<_>>());
        let other: SortedSet<u32> = (0..60).filter(|i| i % 3 == 0).collect();
        let other_b: BTreeSet<u32> = other.iter().copied().collect();
        assert_eq!(ours.difference(&other).collect::<Vec<_>>(), theirs.difference(&other_b).collect::<Vec<_>>());
    }
}
