//! simd128 trim detection: 48 bytes (a whole number of pixels in every layout) at a time, each
//! byte's distance to the background pattern compared with the tolerance, and the first or last
//! outlying byte found from the comparison's bit mask.

use core::arch::wasm32::*;

use crate::simd::memory::load;

/// One step: three vectors of bytes, a multiple of 1, 3 and 4 channels.
type Group = [[u8; 16]; 3];
const GROUP_BYTES: usize = size_of::<Group>();

/// The whole groups at the start of `row`, and the bytes after them.
fn groups(row: &[u8]) -> (&[Group], &[u8]) {
    let (groups, _) = row.as_chunks::<16>().0.as_chunks::<3>();
    (groups, row.get(groups.len() * GROUP_BYTES..).unwrap_or_default())
}

/// The background colour repeated over one group, as three vectors.
fn pattern(background: &[u8]) -> [v128; 3] {
    let mut group: Group = [[0; 16]; 3];
    for (byte, &value) in group.as_flattened_mut().iter_mut().zip(background.iter().cycle()) {
        *byte = value;
    }
    group.each_ref().map(load)
}

/// Per byte of `group`: all ones where it differs from the pattern by more than `tolerance`.
#[inline(always)]
fn outliers(group: &Group, pattern: &[v128; 3], tolerance: v128) -> [v128; 3] {
    core::array::from_fn(|k| {
        let values = load(&group[k]);
        let distance = v128_or(u8x16_sub_sat(values, pattern[k]), u8x16_sub_sat(pattern[k], values));
        u8x16_gt(distance, tolerance)
    })
}

pub(super) fn first_outlier(row: &[u8], background: &[u8], tolerance: u8) -> Option<usize> {
    let (pattern, limit) = (pattern(background), u8x16_splat(tolerance));
    let (groups, rest) = groups(row);
    for (g, group) in groups.iter().enumerate() {
        for (k, mask) in outliers(group, &pattern, limit).into_iter().enumerate() {
            if v128_any_true(mask) {
                let byte = g * GROUP_BYTES + 16 * k + i8x16_bitmask(mask).trailing_zeros() as usize;
                return Some(byte / background.len());
            }
        }
    }
    let done = groups.len() * GROUP_BYTES;
    super::scalar::first_outlier(rest, background, tolerance).map(|x| x + done / background.len())
}

pub(super) fn last_outlier(row: &[u8], background: &[u8], tolerance: u8) -> Option<usize> {
    let (groups, rest) = groups(row);
    let done = groups.len() * GROUP_BYTES;
    if let Some(x) = super::scalar::last_outlier(rest, background, tolerance) {
        return Some(x + done / background.len());
    }
    let (pattern, limit) = (pattern(background), u8x16_splat(tolerance));
    for (g, group) in groups.iter().enumerate().rev() {
        for (k, mask) in outliers(group, &pattern, limit).into_iter().enumerate().rev() {
            if v128_any_true(mask) {
                let byte = g * GROUP_BYTES + 16 * k + 15 - i8x16_bitmask(mask).leading_zeros() as usize;
                return Some(byte / background.len());
            }
        }
    }
    None
}
