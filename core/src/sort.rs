//! Sorting with one copy of the algorithm for every element type.
//!
//! The standard library's sorts are instantiated per element type and comparator (driftsort,
//! quicksort, small-sorts: 3 to 5 KB of page code each), and the page had 29 of them. Here a
//! stable merge sort runs over indices with the comparison behind `dyn`, and the resulting
//! permutation is applied to the slice in place, one cycle at a time: what each element type
//! adds is its comparison closure and the permutation loop. Stable, O(n log n), one `u32`
//! index and one scratch index per element.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        order(items.len(), &mut |a, b| cmp(&items[a], &items[b]))
    };
    apply(v, order);
}

/// Sorts `v` by a key, keeping elements with equal keys in their order.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in ascending order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The sorted order of `n` items compared by index: `order[i]` is the index of the item that
/// goes to position `i`. A bottom-up merge sort (stable: ties keep the lower index first).
fn order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut scratch: Vec<u32> = alloc::vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Only a strictly smaller right element goes first: equal ones keep their order.
                if cmp(order[j] as usize, order[i] as usize) == Ordering::Less {
                    scratch[k] = order[j];
                    j += 1;
                } else {
                    scratch[k] = order[i];
                    i += 1;
                }
                k += 1;
            }
            scratch[k..k + (mid - i)].copy_from_slice(&order[i..mid]);
            k += mid - i;
            scratch[k..k + (end - j)].copy_from_slice(&order[j..end]);
            start = end;
        }
        core::mem::swap(&mut order, &mut scratch);
        width *= 2;
    }
    order
}

/// Puts the item at `order[i]` in position `i`, cycle by cycle, with swaps.
fn apply<T>(v: &mut [T], mut order: Vec<u32>) {
    const DONE: u32 = u32::MAX;
    for i in 0..v.len() {
        if order[i] == DONE {
            continue;
        }
        let mut at = i;
        loop {
            let from = order[at] as usize;
            order[at] = DONE;
            if from == i {
                break;
            }
            // Position `at` takes its item; the item displaced there is what `i`'s cycle
            // brought, which the next position of the cycle wants.
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::Rng;

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        let mut rng = Rng::new(11);
        for n in 0..200 {
            let items: Vec<(u8, u32)> = (0..n).map(|i| (rng.below(7) as u8, i)).collect();
            let (mut ours, mut std) = (items.clone(), items);
            sort_by_key(&mut ours, |&(k, _)| k);
            std.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, std, "{n} items");
        }
    }

    #[test]
    fn sorts_strings_and_reversed_input() {
        let mut v: Vec<alloc::string::String> = (0..50).rev().map(|i| alloc::format!("t{i:02}")).collect();
        sort(&mut v);
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }
}
