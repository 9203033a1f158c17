//! What a hostile presentation costs the verifier (issue 17 item 3): one case per input class of
//! `siegel_tests::hostile` — an honest KYC presentation with one part blown up to the input caps
//! (1 MiB, 100,000 JSON values, 50,000 statements, the context limits) — each through the real
//! entry point, `wallet_core::verify::verify_presentation`, on the embedded DevChain. Target: no
//! input costs more than 100 ms of CPU before it is refused.
//!
//! Measured in **CPU time of the whole process** (`CLOCK_PROCESS_CPUTIME_ID`: the verifier
//! checks the presentation proof and the credential proof on two threads, so wall time would
//! hide half the work), median of criterion's samples. Before the timings, every case prints its
//! size, its verdict (the checks that failed, with the first reason) and the CPU and wall time of
//! one cold verification (the first in the process for that input: for `hidden_messages`, the
//! BBS generators are hashed then and cached for the process).
//!
//! The `signed` variants are the same inputs signed by the holder, as a holder with a real key
//! would send them: the presentation proof then verifies and the rest of the checks run.
//!
//! Run: `cargo bench -p siegel-tests --bench worst_inputs` (`-- --quick` for a short pass).
//! Results: docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark"
)]

use std::time::{Duration, Instant};

use cpu_time::ProcessTime;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use siegel_tests::hostile::Class;
use siegel_tests::{World, sample_claims};
use wallet_core::di::PresentationBinding;
use wallet_core::holder::OptionalClaims;
use wallet_core::request::PresentationRequest;
use wallet_core::verify::{HolderBinding, NonceStore, Outcome, Report};

/// Criterion measurement: CPU time of every thread of the process.
struct CpuTime;

/// Wall time's formatter (durations), reused for CPU durations.
static WALL: WallTime = WallTime;

impl Measurement for CpuTime {
    type Intermediate = ProcessTime;
    type Value = Duration;

    fn start(&self) -> ProcessTime {
        ProcessTime::now()
    }
    fn end(&self, i: ProcessTime) -> Duration {
        i.elapsed()
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

/// The failed checks of a report, with the first reason (shortened).
fn verdict(report: &Report) -> String {
    if report.is_valid() {
        return "ACCEPTED".into();
    }
    let failures = report.failures();
    let first = failures
        .iter()
        .find_map(|(_, r)| (!r.starts_with("not checked")).then_some(*r))
        .or(failures.first().map(|(_, r)| *r))
        .unwrap_or_default();
    let first: String = first.chars().take(110).collect();
    let names: Vec<String> = report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed(ref r) if !r.starts_with("not checked")))
        .map(|c| format!("{:?}", c.name))
        .collect();
    format!("refused [{}]: {first}", names.join(", "))
}

/// The holder signs `vp` (without its proof) again, for `request`.
fn holder_signs(w: &World, vp: &Value, request: &PresentationRequest) -> Option<Vec<u8>> {
    let me = wallet_core::holder::identity(&w.holder.vault).ok()??;
    let kid = w
        .holder
        .vault
        .keys()
        .into_iter()
        .find(|k| k.label == "holder: presentation key")?
        .id
        .clone();
    let key = w.holder.vault.key_secret(&kid).ok()?.ed25519()?;
    let mut vp = vp.clone();
    vp.as_object_mut()?.remove("proof");
    wallet_core::di::sign_presentation(
        &vp,
        &key,
        me.method.as_str(),
        w.clock.0,
        &PresentationBinding {
            challenge: request.nonce.to_string(),
            domain: request.client_id.to_string(),
        },
    )
    .ok()
    .map(|v| v.to_string().into_bytes())
}

fn bench(c: &mut Criterion<CpuTime>) {
    let mut w = World::new();
    let issued = w.issue(sample_claims(), 365);
    let id = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        issued.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap()
    .id;
    let request = w.request(&["ageOver18", "incomeBand"], &[]);
    let honest = wallet_core::holder::answer(
        &mut w.holder.vault,
        &id,
        &request,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap()
    .presentation;
    let honest_bytes = honest.to_string().into_bytes();
    // A nonce store that never refuses (the nonce check is a lookup; what is measured is the
    // work on the presentation).
    struct Open;
    impl NonceStore for Open {
        fn issue(
            &mut self,
            _: &wallet_core::request::PresentationRequest,
        ) -> Result<(), wallet_core::verify::NonceRefusal> {
            Ok(())
        }
        fn consume(
            &mut self,
            _: &wallet_core::request::PresentationRequest,
            _: wallet_core::di::DateTime,
        ) -> Result<(), wallet_core::verify::NonceRefusal> {
            Ok(())
        }
    }
    let policy = wallet_core::verify::Policy {
        trusted_issuers: w.trust.clone(),
        holder_binding: HolderBinding::Required,
    };
    let verify = |bytes: &[u8]| {
        wallet_core::verify::verify_presentation(
            bytes, &request, &policy, &w.ledger, &mut Open, &w.clock,
        )
    };
    let report = verify(&honest_bytes);
    assert!(report.is_valid(), "{report:#?}");

    let only: Option<String> = std::env::var("WORST_INPUTS_ONLY").ok();
    let mut cases: Vec<(String, Vec<u8>)> = vec![("honest".into(), honest_bytes)];
    for &class in Class::ALL {
        if only.as_deref().is_some_and(|o| !class.name().contains(o)) {
            continue;
        }
        let bytes = class.build(&honest);
        // Signing replaces the presentation's proof, which is what `proof_members` grows.
        let signed = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .filter(|_| class != Class::ProofMembers)
            .and_then(|vp| holder_signs(&w, &vp, &request))
            .filter(|b| b.len() <= wallet_core::jsonld::MAX_DOCUMENT_BYTES);
        cases.push((class.name().into(), bytes));
        if let Some(s) = signed {
            cases.push((format!("{}/signed", class.name()), s));
        }
    }
    eprintln!("case\tbytes\tcold CPU\tcold wall\tverdict");
    for (name, bytes) in &cases {
        let (cpu, wall) = (ProcessTime::now(), Instant::now());
        let report = verify(bytes);
        let (cpu, wall) = (cpu.elapsed(), wall.elapsed());
        eprintln!(
            "{name}\t{}\t{:.1} ms\t{:.1} ms\t{}",
            bytes.len(),
            cpu.as_secs_f64() * 1e3,
            wall.as_secs_f64() * 1e3,
            verdict(&report)
        );
    }

    // `WORST_INPUTS_COLD=1`: only the single verifications above (for code so slow that
    // criterion's samples would take minutes, e.g. before the fix).
    if std::env::var_os("WORST_INPUTS_COLD").is_some() {
        return;
    }
    let mut g = c.benchmark_group("worst_inputs");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    for (name, bytes) in &cases {
        g.bench_function(name.as_str(), |b| b.iter(|| verify(bytes)));
    }
    g.finish();

    // The request a holder receives (at most 64 KiB): parse and read what it asks for.
    let mut g = c.benchmark_group("worst_requests");
    g.sample_size(10);
    let mut big = w.request(&["ageOver18"], &[]);
    let query = &mut big.dcql_query.credentials[0];
    query.claims = (0..2_000)
        .map(|i| wallet_core::request::ClaimsQuery {
            id: Some(format!("c{i}")),
            path: vec!["credentialSubject".into(), format!("c{i}").into()],
        })
        .collect();
    let ids: Vec<String> = (0..2_000).map(|i| format!("c{i}")).collect();
    query.claim_sets = Some(vec![ids.clone(), ids]);
    let mut text = serde_json::to_vec(&big).unwrap();
    while text.len() > wallet_core::request::MAX_REQUEST_BYTES {
        let q = &mut big.dcql_query.credentials[0];
        q.claims.truncate(q.claims.len() * 9 / 10);
        let n = q.claims.len();
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        q.claim_sets = Some(vec![ids.clone(), ids]);
        text = serde_json::to_vec(&big).unwrap();
    }
    eprintln!(
        "request: {} bytes, {} claims, selection {:?}",
        text.len(),
        big.dcql_query.credentials[0].claims.len(),
        PresentationRequest::parse(&text)
            .and_then(|r| r.selection())
            .map(|s| s.required.len())
    );
    g.bench_function("claims_and_claim_sets", |b| {
        b.iter(|| PresentationRequest::parse(&text).and_then(|r| r.selection()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
