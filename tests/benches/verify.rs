//! The full verification of one KYC presentation (issue 11, part 9) — holder's VP proof, the
//! derived bbs-2023 proof, issuer and holder DID resolution, the status bits and the schema, all
//! through `wallet_core::verify::verify_presentation` — on the embedded DevChain and on a real
//! anvil node, side by side; the chain read alone (`TrustSource::fetch`) on both, to show what
//! the chain costs; each proof and the schema check alone, offline; and the holder's side, `wallet_core::holder::answer` (derive + sign).
//!
//! Round trips per verification are printed before the timings, twice: as the report counts
//! them (`Report.round_trips`) and as the chain counts them (`Chain::round_trips()` before and
//! after), so a read outside the one batched fetch would show as a difference.
//!
//! # Nonces
//! A nonce is accepted once, so verifying one presentation twice fails its `NonceFresh` check.
//! The `devchain` and `anvil` functions use [`Rearming`]: the real [`MemoryNonceStore`] (every
//! verification still looks the nonce up, checks expiry and marks it used), which re-issues the
//! nonce right after accepting it — a bench-only store; nothing else re-arms nonces. The
//! `devchain_fresh_request` function checks that this changes nothing: each iteration verifies a
//! different presentation answering its own request, made outside the timed part
//! (`iter_batched`), with an unmodified `MemoryNonceStore`.
//!
//! Run: `cargo bench -p siegel-tests --bench verify` (anvil from tools/evm, installed by
//! scripts/test.sh; without it the anvil functions are skipped with a note). Results:
//! docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark"
)]

use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use registry::chain::{BlockRef, Chain, DevChain, Request, Response, RpcChain};
use registry::contracts::Deployment;
use registry::ledger::ChainLedger;
use siegel_tests::cli::Anvil;
use siegel_tests::{FixedClock, Party, sample_claims};
use wallet_core::credential::status::StatusEntry;
use wallet_core::credential::{KYC_CONTEXT, VC_V2_CONTEXT};
use wallet_core::di::DateTime;
use wallet_core::di::bbs_2023::verify_derived_at;
use wallet_core::di::verify_presentation_at;
use wallet_core::did::Did;
use wallet_core::issuer::IssueRequest;
use wallet_core::jsonld::{ContextPolicy, with_context_policy};
use wallet_core::ledger::{Lookup, TrustSource};
use wallet_core::request::{ClientId, PresentationRequest};
use wallet_core::schema::CredentialSchema;
use wallet_core::verify::{
    HolderBinding, MemoryNonceStore, NonceRefusal, NonceStore, Policy, Report, TrustList,
};

/// A nonce store that accepts each nonce any number of times (bench only; see the module docs).
struct Rearming {
    inner: MemoryNonceStore,
}

impl NonceStore for Rearming {
    fn issue(&mut self, request: &PresentationRequest) -> Result<(), NonceRefusal> {
        self.inner.issue(request)
    }
    fn consume(
        &mut self,
        request: &PresentationRequest,
        now: DateTime,
    ) -> Result<(), NonceRefusal> {
        self.inner.consume(request, now)?;
        self.inner.issue(request)
    }
}

/// Bank and holder on one chain, one KYC attestation issued and stored, a lender's policy.
struct Scene {
    chain: Arc<dyn Chain>,
    ledger: ChainLedger,
    holder: Party,
    credential: wallet_core::vault::CredentialId,
    policy: Policy,
    clock: FixedClock,
    _bank: Party,
}

impl Scene {
    fn new(chain: Arc<dyn Chain>) -> Self {
        let deployment = Deployment::dev_default(chain.as_ref()).unwrap();
        let ledger = ChainLedger::new(chain.clone(), deployment).unwrap();
        let mut bank = Party::new();
        let mut holder = Party::new();
        let profile = wallet_core::issuer::setup(
            &mut bank.vault,
            &ledger,
            &wallet_core::text::DisplayName::parse("Bank KYC desk").unwrap(),
        )
        .unwrap();
        let me = wallet_core::holder::setup(&mut holder.vault, &ledger).unwrap();
        let ts = match chain
            .batch(&[Request::Block(BlockRef::Latest)])
            .unwrap()
            .remove(0)
        {
            Response::Block(b) => b.timestamp,
            other => panic!("{other:?}"),
        };
        let clock = FixedClock(DateTime::from_unix_seconds(i64::try_from(ts).unwrap()));
        let issued = wallet_core::issuer::issue(
            &mut bank.vault,
            &ledger,
            &IssueRequest {
                schema: CredentialSchema::Kyc,
                claims: sample_claims(),
                subject: Some(me.did),
                valid_days: 365,
            },
            &clock,
        )
        .unwrap();
        let credential = wallet_core::holder::receive(
            &mut holder.vault,
            &ledger,
            issued.document.to_string().as_bytes(),
            &clock,
        )
        .unwrap()
        .id;
        let mut trusted_issuers = TrustList::default();
        trusted_issuers.add(profile.did);
        Self {
            chain,
            ledger,
            holder,
            credential,
            policy: Policy {
                trusted_issuers,
                holder_binding: HolderBinding::Required,
            },
            clock,
            _bank: bank,
        }
    }

    /// The lender's request for "over 18" and the income band, valid for an hour.
    fn request(&self) -> PresentationRequest {
        PresentationRequest::new(
            ClientId::parse("loans.lender.example").unwrap(),
            &["VerifiableCredential", "KycAttestation"],
            &["ageOver18", "incomeBand"],
            &[],
            self.clock.0.saturating_add_seconds(3600),
        )
        .unwrap()
    }

    /// The holder's answer to `request`, as the file bytes the lender receives.
    fn present(&mut self, request: &PresentationRequest) -> Vec<u8> {
        wallet_core::holder::answer(
            &mut self.holder.vault,
            &self.credential,
            request,
            &wallet_core::holder::OptionalClaims::None,
            &self.clock,
        )
        .unwrap()
        .presentation
        .to_string()
        .into_bytes()
    }

    fn verify(
        &self,
        bytes: &[u8],
        request: &PresentationRequest,
        nonces: &mut dyn NonceStore,
    ) -> Report {
        wallet_core::verify::verify_presentation(
            bytes,
            request,
            &self.policy,
            &self.ledger,
            nonces,
            &self.clock,
        )
    }

    /// The lookup the verifier makes for `bytes`: holder and issuer DIDs, the status entry.
    fn lookup(bytes: &[u8]) -> Lookup {
        let vp: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let did = |v: &serde_json::Value| {
            let vm = v.as_str().unwrap();
            Did::parse(vm.split('#').next().unwrap()).unwrap()
        };
        let cred = &vp["verifiableCredential"][0];
        Lookup {
            dids: vec![
                did(&vp["proof"]["verificationMethod"]),
                did(&cred["issuer"]),
            ],
            statuses: vec![StatusEntry::from_json(&cred["credentialStatus"]).unwrap()],
        }
    }
}

/// One presentation with a re-arming nonce store, checked valid, with its round trips printed.
struct Prepared {
    request: PresentationRequest,
    bytes: Vec<u8>,
    nonces: Rearming,
}

fn prepare(name: &str, scene: &mut Scene) -> Prepared {
    let request = scene.request();
    let bytes = scene.present(&request);
    let mut nonces = Rearming {
        inner: MemoryNonceStore::default(),
    };
    nonces.issue(&request).unwrap();
    let before = scene.chain.round_trips();
    let report = scene.verify(&bytes, &request, &mut nonces);
    let counted = scene.chain.round_trips() - before;
    assert!(report.is_valid(), "{name}: {report:#?}");
    eprintln!(
        "{name}: {} round trips per verification (report), {counted} (chain counter); \
         presentation {} bytes",
        report.round_trips,
        bytes.len()
    );
    // A second run: the first may have warmed caches; the counts must not depend on it.
    let before = scene.chain.round_trips();
    let again = scene.verify(&bytes, &request, &mut nonces);
    assert!(
        again.is_valid(),
        "{name}: the re-arming store must accept again"
    );
    assert_eq!(scene.chain.round_trips() - before, counted);
    Prepared {
        request,
        bytes,
        nonces,
    }
}

/// anvil (chain id 1337, started by the test crate's `cli::Anvil`) and a chain on it, or None
/// (with a note) when it is not installed.
fn start_anvil() -> Option<(Anvil, Arc<RpcChain>)> {
    let anvil = Anvil::start()?;
    let chain = RpcChain::connect(&anvil.url)
        .unwrap_or_else(|e| panic!("anvil at {} is not usable: {e}", anvil.url));
    Some((anvil, Arc::new(chain)))
}

fn bench(c: &mut Criterion) {
    let mut dev = Scene::new(Arc::new(DevChain::in_memory()));
    let anvil = start_anvil();
    let mut rpc = anvil.as_ref().map(|(_, chain)| Scene::new(chain.clone()));

    let mut dev_p = prepare("devchain", &mut dev);
    let mut rpc_p = rpc.as_mut().map(|s| prepare("anvil", s));

    let mut g = c.benchmark_group("verify_presentation");
    g.sample_size(30);
    g.bench_function("devchain", |b| {
        b.iter(|| {
            let r = dev.verify(&dev_p.bytes, &dev_p.request, &mut dev_p.nonces);
            debug_assert!(r.is_valid());
            r
        })
    });
    if let (Some(scene), Some(p)) = (&rpc, &mut rpc_p) {
        g.bench_function("anvil", |b| {
            b.iter(|| scene.verify(&p.bytes, &p.request, &mut p.nonces))
        });
    }
    // Each iteration a new request and its own presentation (made untimed), real nonce store.
    let mut nonces = MemoryNonceStore::default();
    let holder = std::cell::RefCell::new(&mut dev);
    g.bench_function("devchain_fresh_request", |b| {
        b.iter_batched(
            || {
                let mut scene = holder.borrow_mut();
                let request = scene.request();
                let bytes = scene.present(&request);
                (request, bytes)
            },
            |(request, bytes)| {
                nonces.issue(&request).unwrap();
                let r = holder.borrow().verify(&bytes, &request, &mut nonces);
                assert!(r.is_valid(), "{r:#?}");
                r
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
    let dev = holder.into_inner();

    // The chain part alone: the one batched read of both DID documents and the status bits.
    let mut g = c.benchmark_group("trust_fetch");
    g.sample_size(30);
    let lookup = Scene::lookup(&dev_p.bytes);
    g.bench_function("devchain", |b| {
        b.iter(|| dev.ledger.fetch(&lookup).unwrap())
    });
    if let (Some(scene), Some(p)) = (&rpc, &rpc_p) {
        let lookup = Scene::lookup(&p.bytes);
        g.bench_function("anvil", |b| b.iter(|| scene.ledger.fetch(&lookup).unwrap()));
    }
    g.finish();

    // Where the rest goes: each proof and the schema on their own, offline, with the keys the
    // fetch returned (inside the verifier's context policy, as verify_presentation runs them).
    let mut g = c.benchmark_group("verify_parts");
    g.sample_size(30);
    let keys = dev.ledger.fetch(&lookup).unwrap().keys;
    let vp: serde_json::Value = serde_json::from_slice(&dev_p.bytes).unwrap();
    let credential = vp["verifiableCredential"][0].clone();
    let policy = ContextPolicy::only([VC_V2_CONTEXT, KYC_CONTEXT]).unwrap();
    let (nonce, domain) = (
        dev_p.request.nonce.as_str(),
        dev_p.request.client_id.as_str(),
    );
    g.bench_function("presentation_proof_eddsa_rdfc_2022", |b| {
        b.iter(|| {
            with_context_policy(&policy, || {
                verify_presentation_at(
                    &vp,
                    &keys,
                    &wallet_core::di::PresentationBinding {
                        challenge: String::from(nonce),
                        domain: String::from(domain),
                    },
                    &dev.clock,
                )
                .unwrap()
            })
        })
    });
    g.bench_function("derived_proof_bbs_2023", |b| {
        b.iter(|| {
            with_context_policy(&policy, || {
                verify_derived_at(&credential, &keys, &dev.clock).unwrap()
            })
        })
    });
    g.bench_function("schema", |b| {
        b.iter(|| wallet_core::schema::validate(CredentialSchema::Kyc, &credential).unwrap())
    });
    g.finish();

    // The holder's side: select, derive (bbs-2023), sign (eddsa-rdfc-2022), record. No chain.
    let mut g = c.benchmark_group("holder_answer");
    g.sample_size(30);
    let request = dev.request();
    g.bench_function("derive_and_sign", |b| {
        b.iter(|| {
            wallet_core::holder::answer(
                &mut dev.holder.vault,
                &dev.credential,
                &request,
                &wallet_core::holder::OptionalClaims::None,
                &dev.clock,
            )
            .unwrap()
        })
    });
    g.finish();
    drop(rpc);
    drop(anvil);
}

criterion_group!(benches, bench);
criterion_main!(benches);
