//! The Siegel story end to end, on the embedded chain: a bank's KYC desk anchors its BBS key in
//! the ERC-1056 registry, issues a `bbs-2023` KYC credential; the holder shows a lender only
//! "over 18" and the income band, in a presentation signed with its own did:ethr key and bound
//! to the lender's nonce and domain; the lender verifies both proofs with keys read from the
//! chain; then the bank rotates its key and revokes the credential.
//!
//! Run: `cargo run --release -p registry --example kyc_flow`
#![allow(clippy::print_stdout, reason = "example output")]

use std::error::Error;

use alloy::primitives::{U256, keccak256};
use ed25519_dalek::SigningKey;
use std::sync::Arc;

use registry::chain::{Chain, DevChain, TxSigner};
use registry::contracts::Deployment;
use registry::identity::{PublishedKey, Registry, StatusPurpose};
use registry::resolver::{EthrKeyResolver, Resolver};
use serde_json::json;
use wallet_core::bbs::{Bls12381Sha256, SecretKey};
use wallet_core::di::bbs_2023::{derive, issue, verify_base_proof, verify_derived};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{sign_presentation, verify_presentation};

fn main() -> Result<(), Box<dyn Error>> {
    let chain = Arc::new(DevChain::in_memory());
    let dep = Deployment::dev_default(&chain)?;
    println!(
        "Embedded chain {} ready: ERC-1056 registry at {}, status registry at {}.",
        chain.chain_id()?,
        dep.did_registry,
        dep.status_registry
    );
    let reg = Registry::new(chain.clone(), dep);

    // The bank's KYC desk: an Ethereum account that owns its did:ethr, and a BBS key.
    let bank = TxSigner::from_bytes(keccak256(b"siegel demo: bank kyc desk").as_slice())?;
    chain.dev_fund(bank.address(), U256::from(10u128.pow(18)))?;
    let issuer = format!("did:ethr:0x539:0x{}", hex::encode(bank.address()));
    // It names itself the owner of its identity: the status registry writes only for issuers
    // with a named owner (an empty ERC-1056 owner entry may be a deactivated DID).
    reg.change_owner(&bank, bank.address(), bank.address())?;
    let bbs_key = SecretKey::generate::<Bls12381Sha256>()?;
    let published = PublishedKey::Bls12381G2(bbs_key.public_key().to_bytes());
    let at = reg
        .publish_key(&bank, bank.address(), &published, 365 * 86_400)?
        .block_number;
    println!(
        "Bank {issuer}\n  published its BBS key in block {at}: {}…",
        &published.multibase()[..24]
    );

    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "KycAttestation"],
        "issuer": issuer,
        "validFrom": "2026-11-25T00:00:00Z",
        "credentialSubject": {
            "name": "Ada Lovelace", "birthDate": "1990-12-10", "idNumber": "X1234567",
            "ageOver18": true, "incomeBand": "B (40k-60k EUR)"
        }
    });
    let options = ProofOptions {
        verification_method: format!("{issuer}#delegate-1"),
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some("2026-11-25T10:00:00Z".parse()?),
        challenge: None,
        domain: None,
    };
    let signed = issue(
        &credential,
        &bbs_key,
        &["/issuer".into(), "/validFrom".into()],
        &options,
    )?;
    println!(
        "Bank issued a bbs-2023 KYC credential ({} bytes).",
        signed.to_string().len()
    );
    // The holder checks it against the bank's key on the chain before storing it.
    let checked = verify_base_proof(
        &signed,
        &EthrKeyResolver::new(chain.clone(), dep.did_registry, None),
    )?;
    println!("Holder checked the credential on receipt: signed by {checked}.");

    // The holder answers the lender's request: over 18 and income band, bound to its nonce,
    // inside a presentation signed with the holder's own did:ethr authentication key.
    let nonce = "lender-7f3a/loan-application/2026-11-25";
    let domain = "loans.lender.example";
    let shown = derive(
        &signed,
        &[
            "/credentialSubject/ageOver18".into(),
            "/credentialSubject/incomeBand".into(),
        ],
        nonce.as_bytes(),
    )?;
    println!("Holder disclosed: {}", shown["credentialSubject"]);
    for hidden in ["Ada Lovelace", "1990-12-10", "X1234567"] {
        assert!(!shown.to_string().contains(hidden));
    }
    let holder = TxSigner::from_bytes(keccak256(b"siegel demo: holder").as_slice())?;
    chain.dev_fund(holder.address(), U256::from(10u128.pow(18)))?;
    let holder_did = format!("did:ethr:0x539:0x{}", hex::encode(holder.address()));
    let holder_key = SigningKey::from_bytes(&keccak256(b"siegel demo: holder ed25519").0);
    reg.set_attribute(
        &holder,
        holder.address(),
        "did/pub/Multikey/sigAuth",
        &PublishedKey::Ed25519(holder_key.verifying_key().to_bytes()).multikey_bytes(),
        365 * 86_400,
    )?;
    let presentation = sign_presentation(
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": holder_did,
            "verifiableCredential": [shown],
        }),
        &holder_key,
        &format!("{holder_did}#delegate-1"),
        "2026-11-25T12:00:00Z".parse()?,
        &wallet_core::di::PresentationBinding {
            challenge: String::from(nonce),
            domain: String::from(domain),
        },
    )?;
    println!(
        "Holder {holder_did}\n  signed a presentation for {domain} ({} bytes).",
        presentation.to_string().len()
    );

    // The lender verifies with the keys the chain says are current.
    let keys_now = EthrKeyResolver::new(chain.clone(), dep.did_registry, None);
    let by = verify_presentation(
        &presentation,
        &keys_now,
        &wallet_core::di::PresentationBinding {
            challenge: String::from(nonce),
            domain: String::from(domain),
        },
    )?;
    let shown = &presentation["verifiableCredential"][0];
    let ok = verify_derived(shown, &keys_now)?;
    let nonce_ok = ok.presentation_header == nonce.as_bytes();
    let revoked = reg.status(bank.address(), StatusPurpose::Revocation, 0)?;
    println!(
        "Lender: presentation signed by {by};\n  credential proof valid, signed by {} (the issuer's own key: {}), nonce matches: {nonce_ok}, revoked: {revoked}.",
        ok.verification_method,
        ok.signed_by_issuer()
    );
    // What the lender learned: the verified statements, never the JSON text.
    for (claim, values) in ok.claims.subject_claims() {
        let values: Vec<&str> = values.iter().filter_map(|v| v.as_str()).collect();
        println!("  learned {claim} = {}", values.join(", "));
    }
    let r = Resolver::new(chain.clone(), dep.did_registry).resolve_str(&issuer, None)?;
    println!("  (issuer DID resolved in {} round trips)", r.round_trips);

    // Later: the bank rotates its key and revokes this credential.
    reg.revoke_key(&bank, bank.address(), &published)?;
    reg.set_status(&bank, bank.address(), StatusPurpose::Revocation, 0, true)?;
    println!("Bank revoked its old key and set the credential's revocation bit.");
    match verify_derived(shown, &keys_now) {
        Ok(_) => println!("Lender: unexpectedly still valid!"),
        Err(e) => println!("Lender now: {e}"),
    }
    let then = EthrKeyResolver::new(chain.clone(), dep.did_registry, Some(at));
    println!(
        "Lender, as of the issuing block: proof valid = {}; status registry says revoked = {}.",
        verify_derived(shown, &then).is_ok(),
        reg.status(bank.address(), StatusPurpose::Revocation, 0)?
    );
    Ok(())
}
