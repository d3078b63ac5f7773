//! Baby-step giant-step discrete logarithm for small exponents (Shanks 1971).
//!
//! Finds t ∈ [0, max] with t·G = M in O(√max) group operations and memory.
//! The table maps the first 8 bytes of the encodings of j·G, 0 ≤ j < m, to j
//! (sorted `Vec`, binary search: no hashing, `no_std` + `alloc`); a hit is
//! confirmed with one scalar multiplication, so truncated-key collisions
//! cannot yield a wrong answer. Giant steps walk M − i·m·G.

use alloc::vec::Vec;
use curve25519_dalek::{
    constants::RISTRETTO_BASEPOINT_TABLE, ristretto::RistrettoPoint, scalar::Scalar,
    traits::Identity,
};

use crate::{ciphertext::G, group::GroupElement};

/// Largest number of baby steps (2²⁰ entries, 12 MiB); larger bounds take
/// proportionally more giant steps.
pub const MAX_BABY_STEPS: u64 = 1 << 20;

/// A baby-step table for discrete logs in [0, max].
pub struct BsgsTable {
    max: u64,
    baby_steps: u64,
    entries: Vec<(u64, u32)>,
    giant_stride: RistrettoPoint,
}

fn key(p: &RistrettoPoint) -> u64 {
    let bytes = p.compress().to_bytes();
    let mut k = [0u8; 8];
    k.copy_from_slice(bytes.get(..8).unwrap_or(&[0u8; 8]));
    u64::from_le_bytes(k)
}

impl BsgsTable {
    /// Builds a table for exponents 0..=max: m = ⌈√(max+1)⌉ baby steps
    /// (capped at [`MAX_BABY_STEPS`]).
    pub fn new(max: u64) -> Self {
        let span = max.saturating_add(1);
        let root = span.isqrt();
        let m = if root.saturating_mul(root) < span { root.saturating_add(1) } else { root };
        let m = m.clamp(1, MAX_BABY_STEPS);
        let mut entries = Vec::with_capacity(m as usize);
        let mut p = RistrettoPoint::identity();
        for j in 0..m {
            // m ≤ 2^20, so j fits in u32.
            entries.push((key(&p), j as u32));
            p += G;
        }
        entries.sort_unstable();
        // After the loop p = m·G; a giant step subtracts it.
        Self { max, baby_steps: m, entries, giant_stride: -p }
    }

    /// The bound this table was built for.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Returns t ≤ max with t·G = `point`, or `None`.
    pub fn solve(&self, point: &RistrettoPoint) -> Option<u64> {
        let m = self.baby_steps;
        let giants = self.max.saturating_add(1).div_ceil(m);
        let mut q = *point;
        for i in 0..giants {
            let k = key(&q);
            let start = self.entries.partition_point(|(e, _)| *e < k);
            for (_, j) in
                self.entries.get(start..).unwrap_or(&[]).iter().take_while(|(e, _)| *e == k)
            {
                let t = i.checked_mul(m).and_then(|x| x.checked_add(u64::from(*j)))?;
                if t <= self.max && &(&Scalar::from(t) * RISTRETTO_BASEPOINT_TABLE) == point {
                    return Some(t);
                }
            }
            q += self.giant_stride;
        }
        None
    }

    /// [`BsgsTable::solve`] on a group element.
    pub fn solve_element(&self, element: &GroupElement) -> Option<u64> {
        self.solve(element.point())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tg(t: u64) -> RistrettoPoint {
        &Scalar::from(t) * RISTRETTO_BASEPOINT_TABLE
    }

    #[test]
    fn bounds() {
        for max in [0u64, 1, 2, 3, 15, 16, 17, 99, 1000] {
            let table = BsgsTable::new(max);
            assert_eq!(table.solve(&tg(0)), Some(0), "max {max}");
            assert_eq!(table.solve(&tg(max)), Some(max), "max {max}");
            assert_eq!(table.solve(&tg(max + 1)), None, "max {max}");
            assert_eq!(table.solve(&tg(max / 2)), Some(max / 2));
        }
        assert_eq!(BsgsTable::new(100).solve(&(-tg(1))), None);
    }
}
