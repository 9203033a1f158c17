//! The Siegel story at the BBS layer: a bank's KYC desk signs a holder's attributes once; the
//! holder later proves "over 18" and the income band to a lender, and nothing else.
//!
//! Run: `cargo run --release -p wallet-core --example selective_disclosure`
#![allow(clippy::print_stdout, reason = "example output")]

use wallet_core::bbs::{Bls12381Sha256, DisclosedIndexes, Error, Proof, SecretKey};

type Suite = Bls12381Sha256;

fn main() -> Result<(), Error> {
    // Issuer: the bank's KYC desk.
    let issuer = SecretKey::generate::<Suite>()?;
    let issuer_pk = issuer.public_key().clone();
    let header = b"siegel:kyc-attestation:v1";
    let claims = [
        "name=Ada Lovelace",
        "birthDate=1990-12-10",
        "idNumber=X1234567",
        "ageOver18=true",
        "incomeBand=B (40k-60k EUR)",
    ];
    let signature = issuer.sign::<Suite, _>(header, &claims)?;
    println!(
        "Issuer signed {} claims ({} byte signature).",
        claims.len(),
        signature.to_bytes().len()
    );

    // Holder: checks what it received, then answers a lender's request with a fresh nonce.
    issuer_pk.verify(&signature, header, &claims)?;
    let nonce = b"lender-7f3a: loan application 2026-11-25";
    let disclosed = DisclosedIndexes::new([3, 4], claims.len())?;
    let proof = signature.prove(&issuer_pk, header, nonce, &claims, &disclosed)?;
    let bytes = proof.to_bytes();
    println!(
        "Holder derived a {}-byte proof disclosing {} of {} claims:",
        bytes.len(),
        disclosed.indexes().len(),
        claims.len()
    );
    for i in disclosed.indexes() {
        println!("  shown:  {}", claims[*i]);
    }
    for i in disclosed.undisclosed() {
        println!("  hidden: claim #{i}");
    }

    // Verifier: sees only the proof bytes, the disclosed claims and its own nonce.
    let received = Proof::<Suite>::from_bytes(&bytes)?;
    let shown: Vec<(usize, &str)> = disclosed
        .indexes()
        .iter()
        .map(|&i| (i, claims[i]))
        .collect();
    received.verify(&issuer_pk, header, nonce, &shown)?;
    println!("Verifier: proof valid for its nonce.");

    let replay = received.verify(&issuer_pk, header, b"another lender's nonce", &shown);
    println!("Verifier: the same proof under another nonce -> {replay:?}");
    let mut forged = shown.clone();
    forged[1] = (4, "incomeBand=A (>100k EUR)");
    let forgery = received.verify(&issuer_pk, header, nonce, &forged);
    println!("Verifier: a changed income band -> {forgery:?}");
    let second = signature.prove(&issuer_pk, header, nonce, &claims, &disclosed)?;
    let same = second
        .to_bytes()
        .iter()
        .zip(&bytes)
        .filter(|(a, b)| a == b)
        .count();
    println!(
        "Holder: a second proof of the same credential shares {same} of its {} bytes with the first (fresh randomness: unlinkable).",
        bytes.len()
    );
    if replay.is_ok() || forgery.is_ok() {
        return Err(Error::InvalidProof);
    }
    Ok(())
}
