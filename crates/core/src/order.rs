//! Sorting core's lists: one stable sort routine for every list, whatever its item type or key.
//!
//! `slice::sort_by` is compiled again for every item type and comparison it is called with
//! (about 3 KB of wasm each: the quicksort, the merges, the small sorts). The admin carries core
//! in its bundle, so core sorts through here: the order is found over `u32` positions with one
//! `&dyn` comparison, which compiles the sort once, and the items are then moved into it.
//! The result is exactly `slice::sort_by`'s: stable, equal items keep their order.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably (as `slice::sort_by` does).
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let positions = sorted_positions(items.len(), &|a, b| {
        compare(&items[a as usize], &items[b as usize])
    });
    let mut taken: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    // Each position appears once, so every item is taken exactly once.
    items.extend(
        positions
            .into_iter()
            .filter_map(|p| taken[p as usize].take()),
    );
}

/// Sorts `items` by the key `key` gives each, stably (as `slice::sort_by_key` does).
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..len` in the order `compare` puts the items at them (the one sort compiled).
fn sorted_positions(len: usize, compare: &dyn Fn(u32, u32) -> Ordering) -> Vec<u32> {
    let len = u32::try_from(len).expect("a list sorted in core has fewer than 2^32 items");
    let mut positions: Vec<u32> = (0..len).collect();
    positions.sort_by(|&a, &b| compare(a, b));
    positions
}
