//! ProofGen and ProofVerify, draft-irtf-cfrg-bbs-signatures § 3.5.3–3.5.4, with CoreProofGen and
//! CoreProofVerify (§ 3.6.3–3.6.4) and their subroutines ProofInit, ProofFinalize,
//! ProofVerifyInit and ProofChallengeCalculate (§ 3.7).

use std::fmt;
use std::marker::PhantomData;

use bls12_381::{G1Affine, G1Projective, G2Prepared, Gt, Scalar, multi_miller_loop};
use zeroize::Zeroizing;

use super::ciphersuite::{Ciphersuite, sealed::Suite};
use super::disclosure::DisclosedIndexes;
use super::domain::calculate_domain;
use super::error::Error;
use super::hash_to_scalar::{hash_to_scalar, messages_to_scalars, random_scalars};
use super::keys::PublicKey;
use super::msm::{msm, mul};
use super::octets::{POINT_G1_LEN, SCALAR_LEN, Serializer, g1_point, nonzero_scalar, scalar_to_be};
use super::signature::{Signature, b_terms, prepared_bp2};

/// Octet length of a proof that hides no message: 3 points and 4 scalars.
pub const PROOF_BASE_LEN: usize = 3 * POINT_G1_LEN + 4 * SCALAR_LEN;

/// A BBS proof of knowledge of a signature, made under ciphersuite `C`:
/// `(Abar, Bbar, D, e^, r1^, r3^, (m^_j1, ..., m^_jU), challenge)`.
///
/// Invariant: every point a non-identity subgroup point, every scalar in `1..r`.
#[derive(Clone, PartialEq, Eq)]
pub struct Proof<C: Ciphersuite> {
    abar: G1Affine,
    bbar: G1Affine,
    d: G1Affine,
    e_hat: Scalar,
    r1_hat: Scalar,
    r3_hat: Scalar,
    m_hat: Vec<Scalar>,
    challenge: Scalar,
    suite: PhantomData<C>,
}

/// ProofInit's output: `(Abar, Bbar, D, T1, T2, domain)`.
struct InitResult {
    points: [G1Affine; 5],
    domain: Scalar,
}

/// ProofChallengeCalculate (§ 3.7.3):
/// `c_arr = (R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2, domain)`,
/// `challenge = hash_to_scalar(serialize(c_arr) || I2OSP(length(ph), 8) || ph, api_id || "H2S_")`.
fn challenge<C: Suite>(
    init: &InitResult,
    disclosed: &[usize],
    disclosed_scalars: &[Scalar],
    ph: &[u8],
) -> Result<Scalar, Error> {
    let mut s = Serializer::with_capacity(8 + 40 * disclosed.len() + 5 * 48 + 32 + 8);
    s.int(disclosed.len());
    for (i, m) in disclosed.iter().zip(disclosed_scalars) {
        s.int(*i).scalar(m);
    }
    for p in &init.points {
        s.point(p);
    }
    s.scalar(&init.domain).int(ph.len());
    hash_to_scalar::<C>(&[&s.out, ph], &[C::API_ID, b"H2S_"].concat())
}

fn normalize<const N: usize>(points: [G1Projective; N]) -> [G1Affine; N] {
    let mut out = [G1Affine::identity(); N];
    G1Projective::batch_normalize(&points, &mut out);
    out
}

impl<C: Ciphersuite> Signature<C> {
    /// ProofGen(PK, signature, header, ph, messages, disclosed_indexes), draft § 3.5.3, with fresh
    /// randomness from the operating system.
    ///
    /// `messages` is the full list that was signed; `disclosed` says which of them the verifier
    /// will see. The signature is not re-verified here.
    ///
    /// # Errors
    /// [`Error::MessageCountMismatch`] if `disclosed` was built for another number of messages,
    /// [`Error::TooManyMessages`], [`Error::Rng`], or [`Error::Degenerate`].
    pub fn prove<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        header: &[u8],
        ph: &[u8],
        messages: &[M],
        disclosed: &DisclosedIndexes,
    ) -> Result<Proof<C>, Error> {
        let u = messages.len().saturating_sub(disclosed.indexes().len());
        let randomness = random_scalars(5 + u)?;
        self.prove_with_randomness(pk, header, ph, messages, disclosed, &randomness)
    }

    /// CoreProofGen with caller-supplied `random_scalars = (r1, r2, e~, r1~, r3~, m~_j1..m~_jU)`.
    pub(crate) fn prove_with_randomness<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        header: &[u8],
        ph: &[u8],
        messages: &[M],
        disclosed: &DisclosedIndexes,
        random: &[Scalar],
    ) -> Result<Proof<C>, Error> {
        let l = messages.len();
        if disclosed.message_count() != l {
            return Err(Error::MessageCountMismatch {
                expected: disclosed.message_count(),
                actual: l,
            });
        }
        let undisclosed: Vec<usize> = disclosed.undisclosed().collect();
        let u = undisclosed.len();
        let [r1, r2, e_tilde, r1_tilde, r3_tilde, m_tilde @ ..] = random else {
            return Err(Error::Degenerate);
        };
        if m_tilde.len() != u {
            return Err(Error::Degenerate);
        }
        let msg_scalars = Zeroizing::new(messages_to_scalars::<C, M>(messages)?);

        let init = C::generator_cache().with(l + 1, |generators| {
            let domain = calculate_domain::<C>(pk.as_bytes(), generators, header)?;
            // ProofInit (§ 3.7.1). D = B * r2 is one MSM over B's terms scaled by r2.
            let mut points = Vec::with_capacity(l + 2);
            let mut scalars = Zeroizing::new(Vec::with_capacity(l + 2));
            b_terms::<C>(
                generators,
                &domain,
                &msg_scalars,
                r2,
                &mut points,
                &mut scalars,
            );
            let d = msm(&points, &scalars);
            let abar = mul(&self.a, &(r1 * r2));
            let [d, abar] = normalize([d, abar]);
            let bbar = msm(&[d, abar], &[*r1, -self.e]);
            let t1 = msm(&[abar, d], &[*e_tilde, *r1_tilde]);
            let mut t2_points = Vec::with_capacity(u + 1);
            let mut t2_scalars = Zeroizing::new(Vec::with_capacity(u + 1));
            t2_points.push(d);
            t2_scalars.push(*r3_tilde);
            for (j, m) in undisclosed.iter().zip(m_tilde) {
                t2_points.push(generators[j + 1]);
                t2_scalars.push(*m);
            }
            let t2 = msm(&t2_points, &t2_scalars);
            let [bbar, t1, t2] = normalize([bbar, t1, t2]);
            Ok::<_, Error>(InitResult {
                points: [abar, bbar, d, t1, t2],
                domain,
            })
        })??;

        let disclosed_scalars: Vec<Scalar> = disclosed
            .indexes()
            .iter()
            .map(|&i| msg_scalars[i])
            .collect();
        let c = challenge::<C>(&init, disclosed.indexes(), &disclosed_scalars, ph)?;

        // ProofFinalize (§ 3.7.2).
        let r3: Option<Scalar> = r2.invert().into();
        let r3 = r3.ok_or(Error::Degenerate)?;
        let m_hat = undisclosed
            .iter()
            .zip(m_tilde)
            .map(|(&j, m)| m + msg_scalars[j] * c)
            .collect();
        let [abar, bbar, d, _, _] = init.points;
        Ok(Proof {
            abar,
            bbar,
            d,
            e_hat: e_tilde + self.e * c,
            r1_hat: r1_tilde - r1 * c,
            r3_hat: r3_tilde - r3 * c,
            m_hat,
            challenge: c,
            suite: PhantomData,
        })
    }
}

impl<C: Ciphersuite> Proof<C> {
    /// `octets_to_proof` (draft § 4.2.4.4).
    ///
    /// # Errors
    /// [`Error::Malformed`] for a length that is not `272 + 32 * U`, an invalid or identity point,
    /// or a scalar that is zero or not below r; [`Error::TooManyMessages`] for more than
    /// [`MAX_MESSAGES`](super::MAX_MESSAGES) hidden messages.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "proof";
        if bytes.len() < PROOF_BASE_LEN
            || !(bytes.len() - PROOF_BASE_LEN).is_multiple_of(SCALAR_LEN)
        {
            return Err(Error::Malformed {
                what: WHAT,
                why: "length is not 272 + 32 * (hidden messages)",
            });
        }
        let u = (bytes.len() - PROOF_BASE_LEN) / SCALAR_LEN;
        if u > super::MAX_MESSAGES {
            return Err(Error::TooManyMessages(u));
        }
        let (points, scalars) = bytes.split_at(3 * POINT_G1_LEN);
        let mut p = points.chunks_exact(POINT_G1_LEN).map(|c| g1_point(c, WHAT));
        let mut next_point = || p.next().unwrap_or(Err(Error::Degenerate));
        let (abar, bbar, d) = (next_point()?, next_point()?, next_point()?);
        let s = scalars
            .chunks_exact(SCALAR_LEN)
            .map(|c| nonzero_scalar(c, WHAT))
            .collect::<Result<Vec<_>, _>>()?;
        let [e_hat, r1_hat, r3_hat, rest @ ..] = &s[..] else {
            return Err(Error::Degenerate);
        };
        let [m_hat @ .., challenge] = rest else {
            return Err(Error::Degenerate);
        };
        Ok(Self {
            abar,
            bbar,
            d,
            e_hat: *e_hat,
            r1_hat: *r1_hat,
            r3_hat: *r3_hat,
            m_hat: m_hat.to_vec(),
            challenge: *challenge,
            suite: PhantomData,
        })
    }

    /// `proof_to_octets` (draft § 4.2.4.3).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = Serializer::with_capacity(PROOF_BASE_LEN + SCALAR_LEN * self.m_hat.len());
        s.point(&self.abar).point(&self.bbar).point(&self.d);
        s.scalar(&self.e_hat)
            .scalar(&self.r1_hat)
            .scalar(&self.r3_hat);
        for m in &self.m_hat {
            s.scalar(m);
        }
        s.scalar(&self.challenge);
        s.out
    }

    /// The number of messages the proof keeps hidden (the draft's U).
    pub fn undisclosed_count(&self) -> usize {
        self.m_hat.len()
    }

    /// ProofVerify(PK, proof, header, ph, disclosed_messages, disclosed_indexes), draft § 3.5.4,
    /// with CoreProofVerify (§ 3.6.4). `disclosed` pairs each disclosed index with its message,
    /// in any order; the total number of signed messages is `disclosed.len() + U`.
    ///
    /// # Errors
    /// [`Error::InvalidProof`] if the proof does not verify; [`Error::IndexOutOfRange`] or
    /// [`Error::DuplicateIndex`] for disclosed indexes that cannot belong to this proof;
    /// [`Error::TooManyMessages`].
    pub fn verify<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        header: &[u8],
        ph: &[u8],
        disclosed: &[(usize, M)],
    ) -> Result<(), Error> {
        let l = disclosed.len() + self.m_hat.len();
        let indexes = DisclosedIndexes::new(disclosed.iter().map(|(i, _)| *i), l)?;
        let mut sorted: Vec<&(usize, M)> = disclosed.iter().collect();
        sorted.sort_unstable_by_key(|(i, _)| *i);
        let messages: Vec<&[u8]> = sorted.iter().map(|(_, m)| m.as_ref()).collect();
        let msg_scalars = messages_to_scalars::<C, &[u8]>(&messages)?;
        let c = self.challenge;

        // ProofVerifyInit (§ 3.7.4).
        let init = C::generator_cache().with(l + 1, |generators| {
            let domain = calculate_domain::<C>(pk.as_bytes(), generators, header)?;
            let t1 = msm(
                &[self.bbar, self.abar, self.d],
                &[c, self.e_hat, self.r1_hat],
            );
            // T2 = Bv * c + D * r3^ + sum H_j * m^_j, Bv = P1 + Q_1 * domain + sum H_i * msg_i.
            let mut points = Vec::with_capacity(l + 3);
            let mut scalars = Vec::with_capacity(l + 3);
            points.push(*C::p1());
            scalars.push(c);
            points.push(generators[0]);
            scalars.push(domain * c);
            for (&i, m) in indexes.indexes().iter().zip(&msg_scalars) {
                points.push(generators[i + 1]);
                scalars.push(m * c);
            }
            points.push(self.d);
            scalars.push(self.r3_hat);
            for (j, m) in indexes.undisclosed().zip(&self.m_hat) {
                points.push(generators[j + 1]);
                scalars.push(*m);
            }
            let t2 = msm(&points, &scalars);
            let [t1, t2] = normalize([t1, t2]);
            Ok::<_, Error>(InitResult {
                points: [self.abar, self.bbar, self.d, t1, t2],
                domain,
            })
        })??;

        let expected = challenge::<C>(&init, indexes.indexes(), &msg_scalars, ph)?;
        if expected != c {
            return Err(Error::InvalidProof);
        }
        // e(Abar, W) * e(Bbar, -BP2) = 1
        let w = G2Prepared::from(pk.point);
        let gt = multi_miller_loop(&[(&self.abar, &w), (&-self.bbar, prepared_bp2())])
            .final_exponentiation();
        if gt == Gt::identity() {
            Ok(())
        } else {
            Err(Error::InvalidProof)
        }
    }
}

impl<C: Ciphersuite> fmt::Debug for Proof<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proof<{}>(hidden: {}, ", C::ID, self.m_hat.len())?;
        for b in &scalar_to_be(&self.challenge)[..8] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}
