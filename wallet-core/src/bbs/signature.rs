//! Sign and Verify, draft-irtf-cfrg-bbs-signatures § 3.5.1–3.5.2 with CoreSign and CoreVerify
//! (§ 3.6.1–3.6.2).

use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use bls12_381::{G1Affine, G2Affine, G2Prepared, Gt, Scalar, multi_miller_loop};

use super::ciphersuite::{Ciphersuite, sealed::Suite};
use super::domain::calculate_domain;
use super::error::Error;
use super::hash_to_scalar::{hash_to_scalar, messages_to_scalars};
use super::keys::{PublicKey, SecretKey};
use super::msm::msm;
use super::octets::{POINT_G1_LEN, SCALAR_LEN, Serializer, g1_point, nonzero_scalar, scalar_to_be};

/// Octet length of a signature: A (48) || e (32).
pub const SIGNATURE_LEN: usize = POINT_G1_LEN + SCALAR_LEN;

/// A BBS signature `(A, e)` made under ciphersuite `C`.
///
/// Invariant: `A` is a non-identity point of G1's subgroup, `0 < e < r`.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature<C: Ciphersuite> {
    pub(crate) a: G1Affine,
    pub(crate) e: Scalar,
    suite: PhantomData<C>,
}

/// `G2Prepared` of the G2 base point, shared by every pairing check.
pub(crate) fn prepared_bp2() -> &'static G2Prepared {
    static BP2: OnceLock<G2Prepared> = OnceLock::new();
    BP2.get_or_init(|| G2Prepared::from(G2Affine::generator()))
}

/// `B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L`, as the point and scalar lists of
/// one multi-scalar multiplication, each scalar multiplied by `factor` (so callers can fold B
/// into a larger MSM). `generators` is `(Q_1, H_1, ..., H_L)`.
pub(crate) fn b_terms<C: Suite>(
    generators: &[G1Affine],
    domain: &Scalar,
    msg_scalars: &[Scalar],
    factor: &Scalar,
    points: &mut Vec<G1Affine>,
    scalars: &mut Vec<Scalar>,
) {
    points.push(*C::p1());
    scalars.push(*factor);
    points.extend_from_slice(generators);
    scalars.push(domain * factor);
    scalars.extend(msg_scalars.iter().map(|m| m * factor));
}

impl<C: Ciphersuite> Signature<C> {
    /// `octets_to_signature` (draft § 4.2.4.2).
    ///
    /// # Errors
    /// [`Error::Malformed`] for a wrong length, an invalid or identity A, or e = 0 or e >= r.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "signature";
        if bytes.len() != SIGNATURE_LEN {
            return Err(Error::Malformed {
                what: WHAT,
                why: "signatures are 80 bytes",
            });
        }
        let (a, e) = bytes.split_at(POINT_G1_LEN);
        Ok(Self {
            a: g1_point(a, WHAT)?,
            e: nonzero_scalar(e, WHAT)?,
            suite: PhantomData,
        })
    }

    /// `signature_to_octets` (draft § 4.2.4.1).
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out[..POINT_G1_LEN].copy_from_slice(&self.a.to_compressed());
        out[POINT_G1_LEN..].copy_from_slice(&scalar_to_be(&self.e));
        out
    }
}

impl<C: Ciphersuite> fmt::Debug for Signature<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature<{}>(", C::ID)?;
        for b in &self.to_bytes()[..8] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

impl SecretKey {
    /// Sign(SK, PK, header, messages), draft § 3.5.1, with CoreSign (§ 3.6.1):
    ///
    /// ```text
    /// e = hash_to_scalar(serialize((SK, msg_1, ..., msg_L, domain)), api_id || "H2S_")
    /// B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L
    /// A = B * (1 / (SK + e))
    /// ```
    ///
    /// # Errors
    /// [`Error::TooManyMessages`] above [`MAX_MESSAGES`](super::MAX_MESSAGES), or
    /// [`Error::Degenerate`] if `SK + e = 0` or A is the identity.
    pub fn sign<C: Ciphersuite, M: AsRef<[u8]>>(
        &self,
        header: &[u8],
        messages: &[M],
    ) -> Result<Signature<C>, Error> {
        let msg_scalars = messages_to_scalars::<C, M>(messages)?;
        C::generator_cache().with(messages.len() + 1, |generators| {
            let pk = self.public.as_bytes();
            let domain = calculate_domain::<C>(pk, generators, header)?;

            let mut s = Serializer::with_capacity(SCALAR_LEN * (messages.len() + 2));
            s.scalar(&self.scalar);
            for m in &msg_scalars {
                s.scalar(m);
            }
            s.scalar(&domain);
            let e = hash_to_scalar::<C>(&[&s.out], &[C::API_ID, b"H2S_"].concat());
            zeroize::Zeroize::zeroize(&mut s.out);
            let e = e?;

            let mut points = Vec::with_capacity(messages.len() + 2);
            let mut scalars = Vec::with_capacity(messages.len() + 2);
            b_terms::<C>(
                generators,
                &domain,
                &msg_scalars,
                &Scalar::one(),
                &mut points,
                &mut scalars,
            );
            let b = msm(&points, &scalars);
            let inv: Option<Scalar> = (self.scalar + e).invert().into();
            let inv = inv.ok_or(Error::Degenerate)?;
            let a = G1Affine::from(super::msm::mul(&G1Affine::from(b), &inv));
            if bool::from(a.is_identity()) {
                return Err(Error::Degenerate);
            }
            Ok(Signature {
                a,
                e,
                suite: PhantomData,
            })
        })?
    }
}

impl PublicKey {
    /// Verify(PK, signature, header, messages), draft § 3.5.2, with CoreVerify (§ 3.6.2): accepts
    /// iff `e(A, W) * e(A * e - B, BP2) = 1`.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] if the signature does not verify;
    /// [`Error::TooManyMessages`] above [`MAX_MESSAGES`](super::MAX_MESSAGES).
    pub fn verify<C: Ciphersuite, M: AsRef<[u8]>>(
        &self,
        signature: &Signature<C>,
        header: &[u8],
        messages: &[M],
    ) -> Result<(), Error> {
        let msg_scalars = messages_to_scalars::<C, M>(messages)?;
        let lhs = C::generator_cache().with(messages.len() + 1, |generators| {
            let domain = calculate_domain::<C>(self.as_bytes(), generators, header)?;
            // A * e - B in one multi-scalar multiplication.
            let mut points = vec![signature.a];
            let mut scalars = vec![signature.e];
            b_terms::<C>(
                generators,
                &domain,
                &msg_scalars,
                &-Scalar::one(),
                &mut points,
                &mut scalars,
            );
            Ok::<_, Error>(G1Affine::from(msm(&points, &scalars)))
        })??;
        let w = G2Prepared::from(self.point);
        let gt =
            multi_miller_loop(&[(&signature.a, &w), (&lhs, prepared_bp2())]).final_exponentiation();
        if gt == Gt::identity() {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}
