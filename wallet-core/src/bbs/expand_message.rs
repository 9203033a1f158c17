//! `expand_message` of [RFC 9380 § 5.3]: the byte-string expanders behind `hash_to_scalar`.
//!
//! Both variants take the message as a list of parts, so callers can hash `v || I2OSP(i, 8)` and
//! similar concatenations without copying. Unlike the panicking expanders in `bls12_381`, these
//! return an error for every ABORT condition of the RFC.
//!
//! [RFC 9380 § 5.3]: https://www.rfc-editor.org/rfc/rfc9380#section-5.3

use sha2::{Digest, Sha256};
use sha3::{
    Shake256,
    digest::{ExtendableOutput, Update, XofReader},
};

/// Why an expansion was refused (the RFC's ABORT conditions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpandError {
    /// `len_in_bytes` exceeds what the expander can produce.
    OutputTooLong,
}

/// Prefix for hashing an oversize DST, RFC 9380 § 5.3.3.
const OVERSIZE_DST_PREFIX: &[u8] = b"H2C-OVERSIZE-DST-";

/// SHA-256 output size (`b_in_bytes`).
const SHA256_B: usize = 32;
/// SHA-256 block size (`s_in_bytes`).
const SHA256_S: usize = 64;

/// `expand_message_xmd` with SHA-256, RFC 9380 § 5.3.1.
pub(crate) fn expand_message_xmd_sha256(
    msg: &[&[u8]],
    dst: &[u8],
    len_in_bytes: usize,
) -> Result<Vec<u8>, ExpandError> {
    let ell = len_in_bytes.div_ceil(SHA256_B);
    if ell > 255 || len_in_bytes > 65535 {
        return Err(ExpandError::OutputTooLong);
    }
    // § 5.3.3: a DST longer than 255 bytes is replaced by its hash.
    let hashed_dst;
    let dst = if dst.len() > 255 {
        hashed_dst = Sha256::new()
            .chain_update(OVERSIZE_DST_PREFIX)
            .chain_update(dst)
            .finalize();
        &hashed_dst[..]
    } else {
        dst
    };
    let dst_len = [u8::try_from(dst.len()).map_err(|_| ExpandError::OutputTooLong)?];
    let len_bytes = u16::try_from(len_in_bytes)
        .map_err(|_| ExpandError::OutputTooLong)?
        .to_be_bytes();

    let mut h = Sha256::new();
    Digest::update(&mut h, [0u8; SHA256_S]);
    for part in msg {
        Digest::update(&mut h, part);
    }
    Digest::update(&mut h, len_bytes);
    Digest::update(&mut h, [0u8]);
    Digest::update(&mut h, dst);
    Digest::update(&mut h, dst_len);
    let b_0 = h.finalize();

    let mut out = Vec::with_capacity(ell * SHA256_B);
    let mut b_prev = Sha256::new()
        .chain_update(b_0)
        .chain_update([1u8])
        .chain_update(dst)
        .chain_update(dst_len)
        .finalize();
    out.extend_from_slice(&b_prev);
    for i in 2..=ell {
        let mut xored = [0u8; SHA256_B];
        for (x, (a, b)) in xored.iter_mut().zip(b_0.iter().zip(b_prev.iter())) {
            *x = a ^ b;
        }
        // `i <= ell <= 255` was checked above.
        let i_byte = [u8::try_from(i).map_err(|_| ExpandError::OutputTooLong)?];
        b_prev = Sha256::new()
            .chain_update(xored)
            .chain_update(i_byte)
            .chain_update(dst)
            .chain_update(dst_len)
            .finalize();
        out.extend_from_slice(&b_prev);
    }
    out.truncate(len_in_bytes);
    Ok(out)
}

/// `expand_message_xof` with SHAKE-256 at security level k = 128, RFC 9380 § 5.3.2.
pub(crate) fn expand_message_xof_shake256(
    msg: &[&[u8]],
    dst: &[u8],
    len_in_bytes: usize,
) -> Result<Vec<u8>, ExpandError> {
    let len_bytes = u16::try_from(len_in_bytes)
        .map_err(|_| ExpandError::OutputTooLong)?
        .to_be_bytes();
    // § 5.3.3: an oversize DST becomes H("H2C-OVERSIZE-DST-" || DST, ceil(2 * k / 8)) = 32 bytes.
    let mut hashed_dst = [0u8; 32];
    let dst = if dst.len() > 255 {
        let mut h = Shake256::default();
        h.update(OVERSIZE_DST_PREFIX);
        h.update(dst);
        h.finalize_xof().read(&mut hashed_dst);
        &hashed_dst[..]
    } else {
        dst
    };
    let dst_len = [u8::try_from(dst.len()).map_err(|_| ExpandError::OutputTooLong)?];

    let mut h = Shake256::default();
    for part in msg {
        h.update(part);
    }
    h.update(&len_bytes);
    h.update(dst);
    h.update(&dst_len);
    let mut out = vec![0u8; len_in_bytes];
    h.finalize_xof().read(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use bls12_381::hash_to_curve::{ExpandMessage, ExpandMsgXmd, ExpandMsgXof};
    use sha2::digest::generic_array::typenum::U32;

    /// Cross-check against the independent expanders shipped in `bls12_381` (which are tested
    /// there against the RFC 9380 appendix K vectors), including oversize DSTs.
    #[test]
    fn agrees_with_bls12_381_expanders() {
        let long_dst = vec![0x42u8; 300];
        for dst in [
            &b"QUUX-V01-CS02-with-expander-SHA256-128"[..],
            &long_dst[..],
        ] {
            for msg in [&b""[..], b"abc", &[7u8; 200][..]] {
                for len in [32usize, 48, 96, 0x80, 255 * 32] {
                    let ours = expand_message_xmd_sha256(&[msg], dst, len).unwrap();
                    let theirs = <ExpandMsgXmd<Sha256> as ExpandMessage>::init_expand::<_, U32>(
                        [msg],
                        dst,
                        len,
                    )
                    .into_vec();
                    assert_eq!(ours, theirs, "xmd len {len}");
                    let ours = expand_message_xof_shake256(&[msg], dst, len).unwrap();
                    let theirs = <ExpandMsgXof<Shake256> as ExpandMessage>::init_expand::<_, U32>(
                        [msg],
                        dst,
                        len,
                    )
                    .into_vec();
                    assert_eq!(ours, theirs, "xof len {len}");
                }
            }
        }
    }

    /// RFC 9380 appendix K.1, expand_message_xmd(SHA-256), msg = "abc", len_in_bytes = 0x20.
    #[test]
    fn rfc9380_k1_vector() {
        let dst = b"QUUX-V01-CS02-with-expander-SHA256-128";
        let out = expand_message_xmd_sha256(&[b"abc"], dst, 0x20).unwrap();
        assert_eq!(
            hex_lower(&out),
            "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615"
        );
    }

    /// RFC 9380 appendix K.6, expand_message_xof(SHAKE256), msg = "abc", len_in_bytes = 0x20.
    #[test]
    fn rfc9380_k6_vector() {
        let dst = b"QUUX-V01-CS02-with-expander-SHAKE256";
        let out = expand_message_xof_shake256(&[b"abc"], dst, 0x20).unwrap();
        assert_eq!(
            hex_lower(&out),
            "b39e493867e2767216792abce1f2676c197c0692aed061560ead251821808e07"
        );
    }

    #[test]
    fn split_message_equals_joined() {
        let dst = b"DST";
        let a = expand_message_xmd_sha256(&[b"ab", b"", b"c"], dst, 48).unwrap();
        let b = expand_message_xmd_sha256(&[b"abc"], dst, 48).unwrap();
        assert_eq!(a, b);
        let a = expand_message_xof_shake256(&[b"a", b"bc"], dst, 48).unwrap();
        let b = expand_message_xof_shake256(&[b"abc"], dst, 48).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn abort_conditions_are_errors() {
        assert_eq!(
            expand_message_xmd_sha256(&[b"x"], b"D", 255 * 32 + 1),
            Err(ExpandError::OutputTooLong)
        );
        assert_eq!(
            expand_message_xof_shake256(&[b"x"], b"D", 65536),
            Err(ExpandError::OutputTooLong)
        );
    }

    fn hex_lower(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
