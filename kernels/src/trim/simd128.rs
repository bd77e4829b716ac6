//! simd128 trim detection: 48 bytes (a whole number of pixels in every layout) at a time, each
//! byte's distance to the background pattern compared with the tolerance, and the first or last
//! outlying byte found from the comparison's bit mask.

use core::arch::wasm32::*;

/// Bytes per step: three vectors, a multiple of 1, 3 and 4 channels.
const GROUP: usize = 48;

/// The background colour repeated over one group, as three vectors.
fn pattern(background: &[u8]) -> [v128; 3] {
    let mut bytes = [0u8; GROUP];
    for (byte, &value) in bytes.iter_mut().zip(background.iter().cycle()) {
        *byte = value;
    }
    // SAFETY: each load reads sixteen of the 48 bytes.
    core::array::from_fn(|k| unsafe { v128_load(bytes.as_ptr().add(16 * k) as *const v128) })
}

/// Per byte of the group at `group`: all ones where it differs from the pattern by more than
/// `tolerance`.
#[inline(always)]
fn outliers(group: &[u8], pattern: &[v128; 3], tolerance: v128) -> [v128; 3] {
    core::array::from_fn(|k| {
        // SAFETY: callers pass groups of exactly GROUP bytes, so sixteen bytes at 16k are readable.
        let values = unsafe { v128_load(group.as_ptr().add(16 * k) as *const v128) };
        let distance = v128_or(u8x16_sub_sat(values, pattern[k]), u8x16_sub_sat(pattern[k], values));
        u8x16_gt(distance, tolerance)
    })
}

pub(super) fn first_outlier(row: &[u8], background: &[u8], tolerance: u8) -> Option<usize> {
    let (pattern, limit) = (pattern(background), u8x16_splat(tolerance));
    let mut groups = row.chunks_exact(GROUP);
    for (g, group) in groups.by_ref().enumerate() {
        for (k, mask) in outliers(group, &pattern, limit).into_iter().enumerate() {
            if v128_any_true(mask) {
                let byte = g * GROUP + 16 * k + i8x16_bitmask(mask).trailing_zeros() as usize;
                return Some(byte / background.len());
            }
        }
    }
    let done = row.len() / GROUP * GROUP;
    super::scalar::first_outlier(groups.remainder(), background, tolerance).map(|x| x + done / background.len())
}

pub(super) fn last_outlier(row: &[u8], background: &[u8], tolerance: u8) -> Option<usize> {
    let done = row.len() / GROUP * GROUP;
    if let Some(x) = super::scalar::last_outlier(&row[done..], background, tolerance) {
        return Some(x + done / background.len());
    }
    let (pattern, limit) = (pattern(background), u8x16_splat(tolerance));
    for (g, group) in row[..done].chunks_exact(GROUP).enumerate().rev() {
        for (k, mask) in outliers(group, &pattern, limit).into_iter().enumerate().rev() {
            if v128_any_true(mask) {
                let byte = g * GROUP + 16 * k + 15 - i8x16_bitmask(mask).leading_zeros() as usize;
                return Some(byte / background.len());
            }
        }
    }
    None
}
