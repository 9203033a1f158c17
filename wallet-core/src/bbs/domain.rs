//! `calculate_domain`, draft-irtf-cfrg-bbs-signatures § 4.2.3: binds the public key, the
//! generators and the header into one scalar.

use bls12_381::{G1Affine, Scalar};

use super::ciphersuite::sealed::Suite;
use super::error::Error;
use super::hash_to_scalar::hash_to_scalar;
use super::octets::Serializer;

/// ```text
/// dom_array = (L, Q_1, H_1, ..., H_L)
/// dom_octs  = serialize(dom_array) || api_id
/// dom_input = PK || dom_octs || I2OSP(length(header), 8) || header
/// domain    = hash_to_scalar(dom_input, api_id || "H2S_")
/// ```
/// `generators` is `(Q_1, H_1, ..., H_L)`.
pub(crate) fn calculate_domain<C: Suite>(
    pk: &[u8; 96],
    generators: &[G1Affine],
    header: &[u8],
) -> Result<Scalar, Error> {
    let l = generators.len().saturating_sub(1);
    let mut s = Serializer::with_capacity(8 + 48 * generators.len() + C::API_ID.len() + 8);
    s.int(l);
    for g in generators {
        s.point(g);
    }
    s.bytes(C::API_ID).int(header.len());
    let dst = [C::API_ID, b"H2S_"].concat();
    hash_to_scalar::<C>(&[pk, &s.out, header], &dst)
}
