//! Constant weights for `i32x4.dot_i16x8_s` (`pmaddwd`), which multiplies pairs of 16-bit lanes
//! and sums each pair into a 32-bit lane.

/// Two 16-bit weights in one 32-bit lane: `low` for the pair's lower lane, `high` for its upper
/// one; refuses at compile time weights that do not fit.
pub(crate) const fn pair(low: i32, high: i32) -> i32 {
    assert!(low >= i16::MIN as i32 && low <= i16::MAX as i32 && high >= i16::MIN as i32 && high <= i16::MAX as i32);
    (high << 16) | (low & 0xFFFF)
}
