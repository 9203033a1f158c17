//! Multi-scalar multiplication in G1, constant time in the scalars.
//!
//! Every B, T1, T2, Abar, Bbar and D of the draft is a sum of scalar multiples. Several of those
//! scalars are secrets (the signer's message scalars in ProofGen, the prover's blinding factors), so
//! the one implementation here never branches on or indexes memory by scalar bits: Straus'
//! interleaved method with signed radix-16 digits, a per-point table of 1P..8P in affine form
//! (one shared inversion via `batch_normalize`), a constant-time table scan, and one shared chain
//! of doublings. Compared with one double-and-add per point this needs about 64 mixed additions per
//! point instead of ~510 group operations, and 256 doublings in total instead of 256 per point.

use bls12_381::{G1Affine, G1Projective, Scalar};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Table entries per point: 1P, 2P, ..., 8P.
const TABLE: usize = 8;
/// Signed radix-16 digits of a scalar below 2^255.
const DIGITS: usize = 64;

/// Recodes `s` (little-endian, < 2^255) into 64 signed digits in [-8, 8], s = sum d_i 16^i.
fn signed_radix16(s: &Scalar) -> [i8; DIGITS] {
    let mut bytes = s.to_bytes();
    let mut d = [0i8; DIGITS];
    for (i, b) in bytes.iter().enumerate() {
        // Nibbles are 0..=15, so the casts are lossless.
        d[2 * i] = (b & 0x0f) as i8;
        d[2 * i + 1] = (b >> 4) as i8;
    }
    bytes.zeroize();
    // Carry the excess of every digit above 7 into the next; r < 2^255, so the top digit stays <= 8.
    for i in 0..DIGITS - 1 {
        let carry = (d[i] + 8) >> 4;
        d[i] -= carry << 4;
        d[i + 1] += carry;
    }
    d
}

/// Constant-time `table[|digit| - 1]` (identity for 0), negated when `digit < 0`.
fn select(table: &[G1Affine], digit: i8) -> G1Affine {
    // Two's complement sign bit and absolute value without branches.
    let neg_mask = digit >> 7; // 0 or -1
    let abs = ((digit ^ neg_mask) - neg_mask) as u8;
    let mut out = G1Affine::identity();
    for (k, entry) in table.iter().enumerate() {
        // k < 8, so k + 1 fits in u8.
        out.conditional_assign(entry, abs.ct_eq(&((k as u8) + 1)));
    }
    let negated = -out;
    out.conditional_assign(&negated, Choice::from((neg_mask & 1) as u8));
    out
}

/// `sum_i scalars[i] * points[i]`. Only the shorter of the two slices' length is used; callers
/// always pass equal lengths.
pub(crate) fn msm(points: &[G1Affine], scalars: &[Scalar]) -> G1Projective {
    let n = points.len().min(scalars.len());
    if n == 0 {
        return G1Projective::identity();
    }
    // Tables of 1P..8P per point, normalised together.
    let mut projective = Vec::with_capacity(n * TABLE);
    for p in &points[..n] {
        let mut acc = G1Projective::from(p);
        projective.push(acc);
        for _ in 1..TABLE {
            acc = acc.add_mixed(p);
            projective.push(acc);
        }
    }
    let mut tables = vec![G1Affine::identity(); n * TABLE];
    G1Projective::batch_normalize(&projective, &mut tables);

    let mut digits: Vec<[i8; DIGITS]> = scalars[..n].iter().map(signed_radix16).collect();
    let mut acc = G1Projective::identity();
    for w in (0..DIGITS).rev() {
        if w != DIGITS - 1 {
            for _ in 0..4 {
                acc = acc.double();
            }
        }
        for (table, d) in tables.chunks_exact(TABLE).zip(&digits) {
            acc = acc.add_mixed(&select(table, d[w]));
        }
    }
    digits.zeroize();
    acc
}

/// `scalar * point` through the same constant-time path.
pub(crate) fn mul(point: &G1Affine, scalar: &Scalar) -> G1Projective {
    msm(std::slice::from_ref(point), std::slice::from_ref(scalar))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn scalar_from(seed: u64) -> Scalar {
        let mut wide = [0u8; 64];
        for (i, chunk) in wide.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(
                &(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i as u64).to_le_bytes(),
            );
        }
        Scalar::from_bytes_wide(&wide)
    }

    fn naive(points: &[G1Affine], scalars: &[Scalar]) -> G1Projective {
        points
            .iter()
            .zip(scalars)
            .fold(G1Projective::identity(), |acc, (p, s)| acc + p * s)
    }

    #[test]
    fn edge_scalars() {
        let g = G1Affine::generator();
        let minus_one = -Scalar::one();
        for s in [
            Scalar::zero(),
            Scalar::one(),
            minus_one,
            Scalar::from(8u64),
            Scalar::from(0x88u64),
        ] {
            assert_eq!(mul(&g, &s), g * s);
        }
        assert_eq!(msm(&[], &[]), G1Projective::identity());
        assert_eq!(
            mul(&G1Affine::identity(), &minus_one),
            G1Projective::identity()
        );
    }

    #[test]
    fn recoding_reconstructs_scalar() {
        for seed in 0..50 {
            let s = scalar_from(seed);
            let d = signed_radix16(&s);
            let sixteen = Scalar::from(16u64);
            let mut acc = Scalar::zero();
            for digit in d.iter().rev() {
                acc *= sixteen;
                let mag = Scalar::from(u64::from(digit.unsigned_abs()));
                acc += if *digit < 0 { -mag } else { mag };
                assert!((-8..=8).contains(digit));
            }
            assert_eq!(acc, s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn matches_naive_sum(seeds in proptest::collection::vec(any::<u64>(), 0..12)) {
            let points: Vec<G1Affine> = seeds
                .iter()
                .map(|s| G1Affine::from(G1Affine::generator() * scalar_from(s ^ 0xabcdef)))
                .collect();
            let scalars: Vec<Scalar> = seeds.iter().map(|s| scalar_from(*s)).collect();
            prop_assert_eq!(msm(&points, &scalars), naive(&points, &scalars));
        }
    }
}
