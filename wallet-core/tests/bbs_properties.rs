//! Property and hostile-input tests for `wallet_core::bbs`: round trips over random message sets
//! and disclosures, single-bit tampering, wrong context, and malformed encodings that must give a
//! typed error and never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use wallet_core::bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, DisclosedIndexes, Error, MAX_MESSAGES,
    PROOF_BASE_LEN, Proof, PublicKey, SIGNATURE_LEN, SecretKey, Signature,
};

/// BLS12-381 group order r, big-endian.
const ORDER: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

fn key<C: Ciphersuite>() -> &'static SecretKey {
    static SHA: OnceLock<SecretKey> = OnceLock::new();
    static SHAKE: OnceLock<SecretKey> = OnceLock::new();
    let cell = if C::ID == Bls12381Sha256::ID {
        &SHA
    } else {
        &SHAKE
    };
    cell.get_or_init(|| SecretKey::generate::<C>().unwrap())
}

struct Fixture<C: Ciphersuite> {
    pk: PublicKey,
    messages: Vec<Vec<u8>>,
    signature: Signature<C>,
    proof: Proof<C>,
    disclosed: Vec<(usize, Vec<u8>)>,
}

fn fixture<C: Ciphersuite>(messages: Vec<Vec<u8>>, picks: &[usize]) -> Fixture<C> {
    let sk = key::<C>();
    let pk = sk.public_key().clone();
    let signature = sk.sign::<C, _>(b"header", &messages).unwrap();
    let indexes = DisclosedIndexes::new(picks.iter().copied(), messages.len()).unwrap();
    let proof = signature
        .prove(&pk, b"header", b"ph", &messages, &indexes)
        .unwrap();
    let disclosed = indexes
        .indexes()
        .iter()
        .map(|&i| (i, messages[i].clone()))
        .collect();
    Fixture {
        pk,
        messages,
        signature,
        proof,
        disclosed,
    }
}

/// Up to 12 messages of up to 40 bytes, and a subset of their indexes.
fn messages_and_picks() -> impl Strategy<Value = (Vec<Vec<u8>>, Vec<usize>)> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..12).prop_flat_map(
        |messages| {
            let n = messages.len();
            let picks = proptest::collection::btree_set(0..n.max(1), 0..=n)
                .prop_map(move |s| s.into_iter().filter(|&i| i < n).collect::<Vec<_>>());
            (Just(messages), picks)
        },
    )
}

fn round_trip<C: Ciphersuite>(messages: Vec<Vec<u8>>, picks: Vec<usize>) {
    let f = fixture::<C>(messages, &picks);
    f.pk.verify(&f.signature, b"header", &f.messages).unwrap();
    let sig2 = Signature::<C>::from_bytes(&f.signature.to_bytes()).unwrap();
    assert_eq!(sig2, f.signature);
    let proof2 = Proof::<C>::from_bytes(&f.proof.to_bytes()).unwrap();
    assert_eq!(proof2, f.proof);
    assert_eq!(
        f.proof.undisclosed_count(),
        f.messages.len() - f.disclosed.len()
    );
    proof2
        .verify(&f.pk, b"header", b"ph", &f.disclosed)
        .unwrap();
    // Disclosed pairs may come in any order.
    let mut reversed = f.disclosed.clone();
    reversed.reverse();
    proof2.verify(&f.pk, b"header", b"ph", &reversed).unwrap();
    // Wrong header or presentation header fails.
    assert_eq!(
        proof2.verify(&f.pk, b"headex", b"ph", &f.disclosed),
        Err(Error::InvalidProof)
    );
    assert_eq!(
        proof2.verify(&f.pk, b"header", b"pH", &f.disclosed),
        Err(Error::InvalidProof)
    );
    assert_eq!(
        f.pk.verify(&f.signature, b"", &f.messages),
        Err(Error::InvalidSignature)
    );
    // A changed disclosed message fails.
    if let Some((i, m)) = f.disclosed.first() {
        let mut changed = f.disclosed.clone();
        changed[0] = (*i, [m.as_slice(), b"!"].concat());
        assert_eq!(
            proof2.verify(&f.pk, b"header", b"ph", &changed),
            Err(Error::InvalidProof)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trip_sha256((messages, picks) in messages_and_picks()) {
        round_trip::<Bls12381Sha256>(messages, picks);
    }

    #[test]
    fn round_trip_shake256((messages, picks) in messages_and_picks()) {
        round_trip::<Bls12381Shake256>(messages, picks);
    }

    #[test]
    fn any_flipped_signature_bit_fails(bit in 0..SIGNATURE_LEN * 8) {
        let f = fixture::<Bls12381Sha256>(vec![b"a".to_vec(), b"b".to_vec()], &[0]);
        let mut bytes = f.signature.to_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let verdict = Signature::<Bls12381Sha256>::from_bytes(&bytes)
            .and_then(|s| f.pk.verify(&s, b"header", &f.messages));
        prop_assert!(verdict.is_err(), "bit {} accepted", bit);
    }

    #[test]
    fn any_flipped_proof_bit_fails(bit in 0..(PROOF_BASE_LEN + 2 * 32) * 8) {
        let f = fixture::<Bls12381Shake256>(
            vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()],
            &[1],
        );
        let mut bytes = f.proof.to_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let verdict = Proof::<Bls12381Shake256>::from_bytes(&bytes)
            .and_then(|p| p.verify(&f.pk, b"header", b"ph", &f.disclosed));
        prop_assert!(verdict.is_err(), "bit {} accepted", bit);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = PublicKey::from_bytes(&bytes);
        let _ = SecretKey::from_bytes(&bytes);
        let _ = Signature::<Bls12381Sha256>::from_bytes(&bytes);
        if let Ok(p) = Proof::<Bls12381Sha256>::from_bytes(&bytes) {
            let pk = key::<Bls12381Sha256>().public_key();
            prop_assert!(p.verify(pk, b"", b"", &[(0usize, b"x")]).is_err());
        }
    }

    #[test]
    fn verify_with_hostile_indexes_never_panics(
        indexes in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let f = fixture::<Bls12381Sha256>(vec![b"a".to_vec(); 4], &[0, 2]);
        let disclosed: Vec<(usize, &[u8])> = indexes.iter().map(|&i| (i, &b"a"[..])).collect();
        let verdict = f.proof.verify(&f.pk, b"header", b"ph", &disclosed);
        // Only the exact honest disclosure {0, 2} can verify.
        let mut sorted = indexes.clone();
        sorted.sort_unstable();
        prop_assert_eq!(verdict.is_ok(), sorted == [0, 2]);
    }
}

fn malformed(r: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match r {
        Err(Error::Malformed { why, .. }) => why,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

/// A G1 point on the curve but outside the prime-order subgroup, compressed.
fn g1_outside_subgroup() -> [u8; 48] {
    use bls12_381::G1Affine;
    for x in 1u8..=255 {
        let mut b = [0u8; 48];
        b[0] = 0x80; // compressed flag
        b[47] = x;
        let p: Option<G1Affine> = G1Affine::from_compressed_unchecked(&b).into();
        if let Some(p) = p
            && !bool::from(p.is_torsion_free())
        {
            return b;
        }
    }
    panic!("no small-x point outside the subgroup");
}

#[test]
fn signature_encodings_are_validated() {
    let f = fixture::<Bls12381Sha256>(vec![b"m".to_vec()], &[]);
    let good = f.signature.to_bytes();
    type S = Signature<Bls12381Sha256>;
    assert_eq!(
        malformed(S::from_bytes(&good[..79])),
        "signatures are 80 bytes"
    );
    assert_eq!(
        malformed(S::from_bytes(&[good.as_slice(), &[0]].concat())),
        "signatures are 80 bytes"
    );
    assert_eq!(malformed(S::from_bytes(&[])), "signatures are 80 bytes");

    let mut identity = good;
    identity[..48].fill(0);
    identity[0] = 0xc0; // compressed point at infinity
    assert_eq!(malformed(S::from_bytes(&identity)), "identity point");

    let mut off_subgroup = good;
    off_subgroup[..48].copy_from_slice(&g1_outside_subgroup());
    assert_eq!(
        malformed(S::from_bytes(&off_subgroup)),
        "not a compressed G1 point in the prime-order subgroup"
    );

    let mut off_curve = good;
    off_curve[..48].fill(0xff);
    off_curve[0] = 0x9f;
    assert_eq!(
        malformed(S::from_bytes(&off_curve)),
        "not a compressed G1 point in the prime-order subgroup"
    );

    let mut zero_e = good;
    zero_e[48..].fill(0);
    assert_eq!(malformed(S::from_bytes(&zero_e)), "scalar is zero");

    let mut e_is_r = good;
    e_is_r[48..].copy_from_slice(&ORDER);
    assert_eq!(
        malformed(S::from_bytes(&e_is_r)),
        "scalar is not below the group order"
    );
    let mut e_max = good;
    e_max[48..].fill(0xff);
    assert_eq!(
        malformed(S::from_bytes(&e_max)),
        "scalar is not below the group order"
    );
}

#[test]
fn proof_encodings_are_validated() {
    let f = fixture::<Bls12381Sha256>(vec![b"m".to_vec(), b"n".to_vec()], &[0]);
    let good = f.proof.to_bytes();
    type P = Proof<Bls12381Sha256>;
    for len in [
        0,
        1,
        PROOF_BASE_LEN - 1,
        PROOF_BASE_LEN + 1,
        good.len() + 31,
    ] {
        let bytes = vec![0u8; len];
        assert!(
            malformed(P::from_bytes(&bytes)).starts_with("length"),
            "length {len}"
        );
    }
    // Each of the three points replaced by the identity or an out-of-subgroup point.
    for i in 0..3 {
        let mut b = good.clone();
        b[i * 48..(i + 1) * 48].fill(0);
        b[i * 48] = 0xc0;
        assert_eq!(malformed(P::from_bytes(&b)), "identity point", "point {i}");
        b[i * 48..(i + 1) * 48].copy_from_slice(&g1_outside_subgroup());
        assert_eq!(
            malformed(P::from_bytes(&b)),
            "not a compressed G1 point in the prime-order subgroup"
        );
    }
    // Each scalar zero or >= r.
    let scalars = (good.len() - 144) / 32;
    for j in 0..scalars {
        let at = 144 + 32 * j;
        let mut b = good.clone();
        b[at..at + 32].fill(0);
        assert_eq!(malformed(P::from_bytes(&b)), "scalar is zero", "scalar {j}");
        b[at..at + 32].copy_from_slice(&ORDER);
        assert_eq!(
            malformed(P::from_bytes(&b)),
            "scalar is not below the group order"
        );
    }
    // A proof claiming more hidden messages than supported is refused before any hashing.
    let mut huge = good.clone();
    huge.resize(PROOF_BASE_LEN + 32 * (MAX_MESSAGES + 1), 1);
    assert_eq!(
        P::from_bytes(&huge),
        Err(Error::TooManyMessages(MAX_MESSAGES + 1))
    );
}

#[test]
fn public_and_secret_key_encodings_are_validated() {
    assert_eq!(
        malformed(PublicKey::from_bytes(&[0u8; 95])),
        "wrong G2 point length"
    );
    let mut identity = [0u8; 96];
    identity[0] = 0xc0;
    assert_eq!(
        malformed(PublicKey::from_bytes(&identity)),
        "identity point"
    );
    let mut garbage = [0xffu8; 96];
    garbage[0] = 0x9f;
    assert!(malformed(PublicKey::from_bytes(&garbage)).contains("G2"));

    assert_eq!(malformed(SecretKey::from_bytes(&[0u8; 32])), "zero");
    assert_eq!(
        malformed(SecretKey::from_bytes(&ORDER)),
        "not below the group order"
    );
    assert_eq!(
        malformed(SecretKey::from_bytes(&[1u8; 31])),
        "secret keys are 32 bytes"
    );

    assert_eq!(
        SecretKey::from_key_material::<Bls12381Sha256>(&[0u8; 31], b"", None),
        Err(Error::KeyMaterialTooShort(31))
    );
    assert_eq!(
        SecretKey::from_key_material::<Bls12381Sha256>(&[0u8; 32], &vec![0u8; 65536], None),
        Err(Error::KeyInfoTooLong(65536))
    );
    // An oversize key_dst is hashed (RFC 9380 § 5.3.3), not refused.
    assert!(
        SecretKey::from_key_material::<Bls12381Shake256>(&[0u8; 32], b"", Some(&[7u8; 300]))
            .is_ok()
    );
}

#[test]
fn disclosure_errors_are_typed() {
    let f = fixture::<Bls12381Sha256>(vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()], &[0]);
    let sig = &f.signature;
    let wrong_count = DisclosedIndexes::new([0], 4).unwrap();
    assert_eq!(
        sig.prove(&f.pk, b"header", b"", &f.messages, &wrong_count),
        Err(Error::MessageCountMismatch {
            expected: 4,
            actual: 3
        })
    );
    // Verifying with a duplicated or out-of-range index.
    let dup = [(0usize, &b"a"[..]), (0, b"a")];
    assert_eq!(
        f.proof.verify(&f.pk, b"header", b"ph", &dup),
        Err(Error::DuplicateIndex(0))
    );
    let out = [(7usize, &b"a"[..])];
    assert_eq!(
        f.proof.verify(&f.pk, b"header", b"ph", &out),
        Err(Error::IndexOutOfRange { index: 7, count: 3 })
    );
    // The proof hides 2 messages; claiming 2 disclosed makes L = 4, so index 3 is in range but
    // the proof is still rejected.
    let extra = [(0usize, &b"a"[..]), (3, b"d")];
    assert_eq!(
        f.proof.verify(&f.pk, b"header", b"ph", &extra),
        Err(Error::InvalidProof)
    );
    // Signing more than MAX_MESSAGES is refused.
    let many = vec![b"x".to_vec(); MAX_MESSAGES + 1];
    assert_eq!(
        key::<Bls12381Sha256>().sign::<Bls12381Sha256, _>(b"", &many),
        Err(Error::TooManyMessages(MAX_MESSAGES + 1))
    );
}

#[test]
fn wrong_key_and_wrong_suite_fail() {
    let f = fixture::<Bls12381Sha256>(vec![b"a".to_vec(), b"b".to_vec()], &[1]);
    let other = SecretKey::generate::<Bls12381Sha256>().unwrap();
    assert_eq!(
        other
            .public_key()
            .verify(&f.signature, b"header", &f.messages),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        f.proof
            .verify(other.public_key(), b"header", b"ph", &f.disclosed),
        Err(Error::InvalidProof)
    );
    // The same bytes read as a SHAKE-256 signature or proof do not verify.
    let as_shake = Signature::<Bls12381Shake256>::from_bytes(&f.signature.to_bytes()).unwrap();
    assert_eq!(
        f.pk.verify(&as_shake, b"header", &f.messages),
        Err(Error::InvalidSignature)
    );
    let as_shake = Proof::<Bls12381Shake256>::from_bytes(&f.proof.to_bytes()).unwrap();
    assert_eq!(
        as_shake.verify(&f.pk, b"header", b"ph", &f.disclosed),
        Err(Error::InvalidProof)
    );
    // Messages signed in another order, one dropped or one added: all rejected.
    let mut reordered = f.messages.clone();
    reordered.reverse();
    assert!(f.pk.verify(&f.signature, b"header", &reordered).is_err());
    assert!(
        f.pk.verify(&f.signature, b"header", &f.messages[..1])
            .is_err()
    );
    let mut more = f.messages.clone();
    more.push(b"c".to_vec());
    assert!(f.pk.verify(&f.signature, b"header", &more).is_err());
}

#[test]
fn proofs_are_randomised() {
    let f = fixture::<Bls12381Sha256>(vec![b"a".to_vec(), b"b".to_vec()], &[0]);
    let indexes = DisclosedIndexes::new([0], 2).unwrap();
    let again = f
        .signature
        .prove(&f.pk, b"header", b"ph", &f.messages, &indexes)
        .unwrap();
    again.verify(&f.pk, b"header", b"ph", &f.disclosed).unwrap();
    let (a, b) = (f.proof.to_bytes(), again.to_bytes());
    // No 48-byte point or 32-byte scalar is shared between two proofs of the same signature.
    for (x, y) in a[..144].chunks(48).zip(b[..144].chunks(48)) {
        assert_ne!(x, y);
    }
    for (x, y) in a[144..].chunks(32).zip(b[144..].chunks(32)) {
        assert_ne!(x, y);
    }
}

#[test]
fn secret_key_is_not_printed() {
    let sk = key::<Bls12381Sha256>();
    let debug = format!("{sk:?} {:#?}", sk);
    let secret_hex = hex::encode(&sk.to_bytes()[..]);
    assert!(!debug.contains(&secret_hex[..16]), "{debug}");
    assert!(debug.contains("SecretKey"));
    // Equality of secret keys is by value.
    let copy = SecretKey::from_bytes(&sk.to_bytes()[..]).unwrap();
    assert_eq!(&copy, sk);
}
