//! Shared fixtures of the end-to-end tests: a bank, a holder and a lender on one embedded chain,
//! each with its own vault, driven through the application layer exactly as the front ends do.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test fixtures"
)]

pub mod cli;
pub mod hostile;

use std::path::PathBuf;
use std::sync::Arc;

use registry::chain::{Chain, DevChain};
use registry::contracts::Deployment;
use registry::ledger::ChainLedger;
use serde_json::Value;
use wallet_core::di::{Clock, DateTime};
use wallet_core::did::Did;
use wallet_core::issuer::{IssueRequest, Issued};
use wallet_core::request::{ClientId, PresentationRequest};
use wallet_core::schema::CredentialSchema;
use wallet_core::vault::{KdfParams, Passphrase, Vault};
use wallet_core::verify::{
    CheckName, HolderBinding, MemoryNonceStore, NonceStore, Outcome, Policy, Report, TrustList,
};

/// A clock the test sets.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime);

impl Clock for FixedClock {
    fn now(&self) -> DateTime {
        self.0
    }
}

/// The sample KYC claims (assets/samples/kyc-claims.json when present, else built in).
pub fn sample_claims() -> Value {
    serde_json::json!({
        "givenName": "Ada", "familyName": "Lovelace", "birthDate": "1990-12-10",
        "ageOver18": true, "ageOver21": true, "nationality": "GB", "countryOfResidence": "DE",
        "incomeBand": "40k-60k", "kycLevel": "enhanced", "documentType": "passport",
        "verifiedAt": "2026-11-20T09:30:00Z"
    })
}

/// One party: a vault in its own directory.
#[derive(Debug)]
pub struct Party {
    /// Its directory.
    pub dir: tempfile::TempDir,
    /// Its unlocked vault.
    pub vault: Vault,
}

impl Party {
    /// A new party with a fresh vault (minimum KDF: tests).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(
            &dir.path().join("vault.siegel"),
            &Passphrase::new("correct horse".to_owned()).unwrap(),
            KdfParams::MINIMUM,
        )
        .unwrap();
        Self { dir, vault }
    }

    /// A path inside its directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Default for Party {
    fn default() -> Self {
        Self::new()
    }
}

/// The three parties on one in-memory DevChain.
#[derive(Debug)]
pub struct World {
    /// The chain.
    pub chain: Arc<DevChain>,
    /// The ledger everyone uses.
    pub ledger: ChainLedger,
    /// The bank (issuer).
    pub bank: Party,
    /// The holder.
    pub holder: Party,
    /// The lender's trust list and nonces.
    pub trust: TrustList,
    /// The lender's nonce store.
    pub nonces: MemoryNonceStore,
    /// The time.
    pub clock: FixedClock,
}

impl World {
    /// Bank and holder set up on a fresh chain; the lender trusts the bank.
    pub fn new() -> Self {
        let chain = Arc::new(DevChain::in_memory());
        let deployment = Deployment::dev_default(chain.as_ref()).unwrap();
        let ledger = ChainLedger::new(chain.clone() as Arc<dyn Chain>, deployment).unwrap();
        let mut bank = Party::new();
        let mut holder = Party::new();
        let profile = wallet_core::issuer::setup(
            &mut bank.vault,
            &ledger,
            &wallet_core::text::DisplayName::parse("Bank KYC desk").unwrap(),
        )
        .unwrap();
        wallet_core::holder::setup(&mut holder.vault, &ledger).unwrap();
        let mut trust = TrustList::default();
        trust.add(profile.did);
        let now = chain
            .batch(&[registry::chain::Request::Block(
                registry::chain::BlockRef::Latest,
            )])
            .unwrap();
        let ts = match &now[0] {
            registry::chain::Response::Block(b) => b.timestamp,
            _ => unreachable!(),
        };
        Self {
            chain,
            ledger,
            bank,
            holder,
            trust,
            nonces: MemoryNonceStore::default(),
            clock: FixedClock(DateTime::from_unix_seconds(i64::try_from(ts).unwrap())),
        }
    }

    /// The holder's DID.
    pub fn holder_did(&self) -> Did {
        wallet_core::holder::identity(&self.holder.vault)
            .unwrap()
            .unwrap()
            .did
    }

    /// The bank issues a KYC attestation with `claims` to the holder.
    pub fn issue(&mut self, claims: Value, valid_days: u32) -> Issued {
        let subject = Some(self.holder_did());
        self.issue_to(claims, subject, valid_days)
    }

    /// The bank issues a KYC attestation with `claims` to `subject` (none: a bearer credential).
    pub fn issue_to(&mut self, claims: Value, subject: Option<Did>, valid_days: u32) -> Issued {
        wallet_core::issuer::issue(
            &mut self.bank.vault,
            &self.ledger,
            &IssueRequest {
                schema: CredentialSchema::Kyc,
                claims,
                subject,
                valid_days,
            },
            &self.clock,
        )
        .unwrap()
    }

    /// A credential as the bank issues it to `subject`, without its proof: to edit and sign
    /// again with [`World::bank_signs`].
    pub fn issue_to_unsigned(&mut self, claims: Value, subject: Option<Did>, days: u32) -> Value {
        let mut doc = self.issue_to(claims, subject, days).document;
        doc.as_object_mut().unwrap().remove("proof");
        doc
    }

    /// The bank's BBS secret key.
    pub fn bank_key(&self) -> wallet_core::bbs::SecretKey {
        let kid = self
            .bank
            .vault
            .keys()
            .into_iter()
            .find(|k| k.label.ends_with("BBS key"))
            .unwrap()
            .id
            .clone();
        self.bank.vault.key_secret(&kid).unwrap().bbs().unwrap()
    }

    /// The trusted bank signs `doc` with its real key (honest about its key, but the document
    /// is one a holder and a verifier must still judge).
    pub fn bank_signs(&self, doc: &Value, mandatory: &[&str]) -> Value {
        let p = wallet_core::issuer::profile(&self.bank.vault)
            .unwrap()
            .unwrap();
        bbs_sign(
            &self.bank_key(),
            p.method.as_str(),
            doc,
            mandatory,
            self.clock.0,
        )
    }

    /// The lender makes a request (and remembers its nonce).
    pub fn request(&mut self, required: &[&str], optional: &[&str]) -> PresentationRequest {
        let r = PresentationRequest::new(
            ClientId::parse("loans.lender.example").unwrap(),
            &["VerifiableCredential", "KycAttestation"],
            required,
            optional,
            self.clock.0.saturating_add_seconds(600),
        )
        .unwrap();
        self.nonces.issue(&r).unwrap();
        r
    }

    /// The lender verifies.
    pub fn verify(
        &mut self,
        presentation: &[u8],
        request: &PresentationRequest,
        binding: HolderBinding,
    ) -> Report {
        let policy = Policy {
            trusted_issuers: self.trust.clone(),
            holder_binding: binding,
        };
        wallet_core::verify::verify_presentation(
            presentation,
            request,
            &policy,
            &self.ledger,
            &mut self.nonces,
            &self.clock,
        )
    }
}

/// The reason check `name` failed; panics (the test fails) when it did not.
pub fn failed(report: &Report, name: CheckName) -> String {
    match report.outcome(name) {
        Some(Outcome::Failed(r)) => r.clone(),
        other => panic!("{name:?} did not fail: {other:?}\n{report:#?}"),
    }
}

/// The names of the failed checks, in report order.
pub fn failures(report: &Report) -> Vec<CheckName> {
    report.failures().into_iter().map(|(n, _)| n).collect()
}

/// The vault id of the presentation key of the holder identity in `vault`, and its
/// verification method.
pub fn presentation_key(vault: &Vault) -> (wallet_core::vault::KeyId, String) {
    let me = wallet_core::holder::identity(vault).unwrap().unwrap();
    let kid = vault
        .keys()
        .into_iter()
        .find(|k| k.label == "holder: presentation key")
        .unwrap()
        .id
        .clone();
    (kid, me.method.to_string())
}

/// Signs `vp` (any proof it has replaced) as an answer to `request` — challenge its nonce,
/// domain its client id — with the presentation key of the holder identity in `vault`, as an
/// attacker who holds that vault would: `holder` is left as `vp` has it.
pub fn sign_as_holder(
    vault: &Vault,
    vp: &Value,
    request: &PresentationRequest,
    created: DateTime,
) -> Value {
    let (kid, method) = presentation_key(vault);
    let key = vault.key_secret(&kid).unwrap().ed25519().unwrap();
    let mut vp = vp.clone();
    vp.as_object_mut().unwrap().remove("proof");
    wallet_core::di::sign_presentation(
        &vp,
        &key,
        &method,
        created,
        &wallet_core::di::PresentationBinding {
            challenge: request.nonce.to_string(),
            domain: request.client_id.to_string(),
        },
    )
    .unwrap()
}

/// Signs `doc` with bbs-2023 under `key` and `method`, with `mandatory` pointers.
pub fn bbs_sign(
    key: &wallet_core::bbs::SecretKey,
    method: &str,
    doc: &Value,
    mandatory: &[&str],
    created: DateTime,
) -> Value {
    let options = wallet_core::di::eddsa_rdfc_2022::ProofOptions {
        verification_method: method.to_owned(),
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some(created),
        challenge: None,
        domain: None,
    };
    let pointers: Vec<String> = mandatory.iter().map(|s| (*s).to_owned()).collect();
    wallet_core::di::issue_bbs(doc, key, &pointers, &options).unwrap()
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}
