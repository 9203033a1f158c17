//! `multikey`: Multikey decoding (Controlled Identifiers § 2.2.2: `z` + base58btc(multicodec ‖
//! key)) and the `did:key` resolution built on it.
//!
//! Invariants: no panic; a decoded key encodes back to exactly the input text (base58btc and the
//! key encodings are canonical); a `did:key:<mk>#<mk>` verification method resolves exactly when
//! the Multikey decodes to a public key, and to that key.

use wallet_core::di::{
    ED25519_PRIV, KeyResolver, Multikey, ProofPurpose, PublicKeyMaterial, StaticResolver,
};

/// The target.
pub fn multikey(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = Multikey::decode(text);
    if let Ok(k) = &decoded {
        let again = match k {
            Multikey::Ed25519Public(p) => Multikey::encode_ed25519_public(p),
            Multikey::Ed25519Secret(s) => {
                Multikey::encode_prefixed(&[&ED25519_PRIV[..], &s[..]].concat())
            }
            Multikey::Bls12381G2Public(p) => Multikey::encode_bls12_381_g2_public(p),
        };
        assert_eq!(again, text, "Multikey does not round-trip");
    }
    let public: Option<PublicKeyMaterial> = decoded.ok().and_then(|k| k.into_public().ok());
    let resolved = StaticResolver::new()
        .resolve(
            &format!("did:key:{text}#{text}"),
            ProofPurpose::AssertionMethod,
        )
        .ok();
    // A text with '#' splits differently; only plain Multikeys must agree exactly.
    if !text.contains('#') {
        assert_eq!(resolved, public, "did:key resolution disagrees with decode");
    }
}
