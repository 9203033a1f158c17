//! The KYC story and every rejection through the real `siegel` binary, as a bank, a holder and a
//! lender run it from a terminal: three data directories, one shared chain, files in between.
//! Each case asserts the exit code (0 valid, 1 invalid or refused, 2 usage or input error) and the
//! reason, read from the `--json` output (the report's named checks, or the error's message).
//!
//! wallet-cli/tests/cli.rs covers the binary's own basics (help, usage errors, no wallet, an
//! unreachable node, backup, an oversize presentation, the demo); tests/tests/library_flow.rs
//! covers the same rejections through the application layer with a settable clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::prelude::*;
use predicates::prelude::*;
use serde_json::{Value, json};
use siegel_tests::cli::{Anvil, Scene};
use siegel_tests::{FixedClock, sample_claims};
use wallet_core::credential::KYC_CLAIMS;
use wallet_core::credential::status::MAX_STATUS_INDEX;
use wallet_core::di::{Clock, SystemClock};
use wallet_core::issuer::IssueRequest;
use wallet_core::request::PresentationRequest;
use wallet_core::schema::CredentialSchema;

const DOMAIN: &str = "loans.lender.example";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `siegel` for `party` and returns its output (no assertion).
fn run(scene: &Scene, party: &str, args: &[&str]) -> Output {
    scene.siegel(party, args).output().unwrap()
}

/// Runs `siegel` for `party`, asserts exit 0, and returns its JSON result.
fn ok(scene: &Scene, party: &str, args: &[&str]) -> Value {
    let out = run(scene, party, args);
    out.clone().assert().success();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `siegel` for `party`, asserts the exit code, a JSON error of `category` on stderr whose
/// message contains `reason`, and nothing on stdout. Returns the message.
fn fails(
    scene: &Scene,
    party: &str,
    args: &[&str],
    code: i32,
    category: &str,
    reason: &str,
) -> String {
    let out = run(scene, party, args);
    out.clone()
        .assert()
        .code(code)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(reason));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["category"], category, "{err}");
    err["error"].as_str().unwrap().to_owned()
}

/// The result and detail of the report's check `name`.
fn check<'a>(report: &'a Value, name: &str) -> (&'a str, &'a str) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"));
    (c["result"].as_str().unwrap(), c["detail"].as_str().unwrap())
}

/// Asserts the report is invalid with check `name` failed, and returns its reason.
fn failed<'a>(report: &'a Value, name: &str) -> &'a str {
    assert_eq!(report["valid"], false, "{report:#}");
    let (result, detail) = check(report, name);
    assert_eq!(result, "failed", "{name}: {report:#}");
    detail
}

/// Rewrites the JSON file `from` into `to` through `edit`.
fn edit(from: &Path, to: &Path, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(from).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(to, v.to_string()).unwrap();
}

/// The scripted story up to a valid verification: the bank issues, the holder imports, the
/// lender trusts the bank and requests ageOver18 + incomeBand, the holder presents.
struct Story {
    scene: Scene,
    bank: String,
    holder: String,
    credential: PathBuf,
    /// The credential's status index (random: see `wallet_core::issuer`).
    index: u64,
    id: String,
    request: PathBuf,
    presentation: PathBuf,
}

impl Story {
    fn dev() -> Self {
        Self::on(Scene::dev())
    }

    fn on(scene: Scene) -> Self {
        let bank = ok(
            &scene,
            "bank",
            &["issuer", "init", "--name", "Bank KYC desk"],
        );
        let bank = bank["did"].as_str().unwrap().to_owned();
        assert!(bank.starts_with("did:ethr:0x539:0x"), "{bank}");
        let holder = ok(&scene, "holder", &["init"]);
        assert_eq!(holder["created"], true);
        let holder = holder["did"].as_str().unwrap().to_owned();

        let claims = scene.path("claims.json");
        std::fs::write(&claims, sample_claims().to_string()).unwrap();
        let credential = scene.path("credential.json");
        let issued = ok(
            &scene,
            "bank",
            &[
                "issuer",
                "issue",
                "--schema",
                "kyc",
                "--claims",
                s(&claims),
                "--subject",
                &holder,
                "--out",
                s(&credential),
            ],
        );
        let index = issued["statusIndex"].as_u64().unwrap();
        assert!(index <= MAX_STATUS_INDEX, "{issued}");
        let stored = ok(&scene, "holder", &["holder", "import", s(&credential)]);
        assert_eq!(stored["issuer"], bank.as_str());
        // The name the bank signed into the credential.
        assert_eq!(stored["issuer_name"], "Bank KYC desk");
        assert_eq!(stored["claims"], json!(KYC_CLAIMS));
        let id = stored["id"].as_str().unwrap().to_owned();

        let trusted = ok(&scene, "lender", &["verifier", "trust", "add", &bank]);
        assert_eq!(trusted["trusted"], json!([bank]));
        let mut story = Self {
            scene,
            bank,
            holder,
            credential,
            index,
            id,
            request: PathBuf::new(),
            presentation: PathBuf::new(),
        };
        story.request = story.request("request.json", &[]);
        story.presentation = story.present(&story.id, &story.request, "presentation.json");
        story
    }

    /// The lender's request for ageOver18 + incomeBand, written to `name`.
    fn request(&self, name: &str, extra: &[&str]) -> PathBuf {
        let out = self.scene.path(name);
        let mut args = vec![
            "verifier",
            "request",
            "--claims",
            "ageOver18,incomeBand",
            "--domain",
            DOMAIN,
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        let r = ok(&self.scene, "lender", &args);
        assert!(r["nonce"].as_str().is_some_and(|n| !n.is_empty()), "{r}");
        out
    }

    /// The holder answers `request` with credential `id`; the presentation is written to `name`.
    fn present(&self, id: &str, request: &Path, name: &str) -> PathBuf {
        let out = self.scene.path(name);
        let p = ok(
            &self.scene,
            "holder",
            &[
                "holder",
                "present",
                id,
                "--request",
                s(request),
                "--out",
                s(&out),
            ],
        );
        assert_eq!(p["verifier"], DOMAIN);
        assert_eq!(p["disclosed"], json!(["ageOver18", "incomeBand"]));
        out
    }

    /// The lender verifies: the exit code and the report.
    fn verify(&self, presentation: &Path, request: &Path, extra: &[&str]) -> (i32, Value) {
        let mut args = vec![
            "verifier",
            "verify",
            s(presentation),
            "--request",
            s(request),
        ];
        args.extend_from_slice(extra);
        let out = run(&self.scene, "lender", &args);
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "verify exited {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["valid"], code == 0, "{report:#}");
        (code, report)
    }

    /// Verifies and asserts the verdict "invalid" (exit 1).
    fn invalid(&self, presentation: &Path, request: &Path, extra: &[&str]) -> Value {
        let (code, report) = self.verify(presentation, request, extra);
        assert_eq!(code, 1, "{report:#}");
        report
    }

    /// Verifies and asserts the verdict "valid" (exit 0).
    fn valid(&self, presentation: &Path, request: &Path, extra: &[&str]) -> Value {
        let (code, report) = self.verify(presentation, request, extra);
        assert_eq!(code, 0, "{report:#}");
        report
    }

    /// A fresh request answered by the stored credential: (request, presentation).
    fn again(&self, tag: &str) -> (PathBuf, PathBuf) {
        let r = self.request(&format!("request-{tag}.json"), &[]);
        let p = self.present(&self.id, &r, &format!("presentation-{tag}.json"));
        (r, p)
    }
}

/// The whole story, then the checks a person reading the output relies on.
fn scripted_story(scene: Scene) -> Story {
    let story = Story::on(scene);
    let report = story.valid(&story.presentation, &story.request, &[]);
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["result"], "passed", "{c}");
    }
    assert_eq!(report["issuer"], story.bank.as_str());
    assert_eq!(report["holder"], story.holder.as_str());
    assert_eq!(
        report["disclosed"],
        json!([
            { "claim": "ageOver18", "value": "true" },
            { "claim": "incomeBand", "value": "40k-60k" },
        ])
    );
    let hidden: Vec<&str> = KYC_CLAIMS
        .into_iter()
        .filter(|c| !["ageOver18", "incomeBand"].contains(c))
        .collect();
    assert_eq!(report["hidden"], json!(hidden));
    assert!(report["round_trips"].as_u64().unwrap() <= 3, "{report:#}");
    // What was hidden is not in the file at all, not merely unreported.
    let sent = std::fs::read_to_string(&story.presentation).unwrap();
    for secret in ["Lovelace", "1990-12-10", "passport", "birthDate"] {
        assert!(!sent.contains(secret), "{secret} left the wallet");
    }

    let history = ok(&story.scene, "holder", &["history"]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["verifier"], DOMAIN);
    assert_eq!(history[0]["credential"], story.id.as_str());
    assert_eq!(history[0]["disclosed"], json!(["ageOver18", "incomeBand"]));

    let issued = ok(&story.scene, "bank", &["issuer", "list"]);
    assert_eq!(issued[0]["statusIndex"], story.index);
    assert_eq!(issued[0]["status"], "valid");
    assert_eq!(issued[0]["subject"], story.holder.as_str());
    story
}

#[test]
fn story_on_the_embedded_chain() {
    scripted_story(Scene::dev());
}

#[test]
fn story_on_anvil() {
    let Some(anvil) = Anvil::start() else {
        return;
    };
    let story = scripted_story(Scene::rpc(&anvil.url));
    // Status bits written and read over JSON-RPC.
    ok(
        &story.scene,
        "bank",
        &["issuer", "revoke", s(&story.credential)],
    );
    let (r, p) = story.again("after-revoke");
    let report = story.invalid(&p, &r, &[]);
    assert!(
        failed(&report, "status").starts_with("revoked"),
        "{report:#}"
    );
}

#[test]
fn tampered_presentations_are_invalid_and_spend_no_nonce() {
    let story = Story::dev();
    let vp = &story.presentation;
    let req = &story.request;

    let tampered = story.scene.path("tampered-proof.json");
    edit(vp, &tampered, |v| {
        let proof = &mut v["verifiableCredential"][0]["proof"]["proofValue"];
        let mut chars: Vec<char> = proof.as_str().unwrap().chars().collect();
        let k = chars.len() / 2;
        chars[k] = if chars[k] == 'A' { 'B' } else { 'A' };
        *proof = Value::String(chars.into_iter().collect());
    });
    let report = story.invalid(&tampered, req, &[]);
    failed(&report, "credential-proof");

    let changed = story.scene.path("changed-value.json");
    edit(vp, &changed, |v| {
        v["verifiableCredential"][0]["credentialSubject"]["incomeBand"] = json!("over-100k");
    });
    let report = story.invalid(&changed, req, &[]);
    // The holder's signature covers the credential as presented, and the issuer's derived proof
    // covers the disclosed value: both break.
    failed(&report, "presentation-proof");
    failed(&report, "credential-proof");

    let unknown = story.scene.path("unknown-context.json");
    edit(vp, &unknown, |v| {
        v["@context"] = json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://evil.example/context"
        ]);
    });
    let report = story.invalid(&unknown, req, &[]);
    let reason = failed(&report, "presentation-proof");
    assert!(reason.contains("evil.example"), "{reason}");

    // None of the refused attempts spent the nonce: the genuine presentation still verifies.
    story.valid(vp, req, &[]);
}

#[test]
fn wrong_nonce_and_wrong_domain_are_invalid() {
    let story = Story::dev();
    // Another request of the same lender: another nonce.
    let other = story.request("other-request.json", &[]);
    let report = story.invalid(&story.presentation, &other, &[]);
    let reason = failed(&report, "presentation-proof");
    assert!(reason.contains("challenge"), "{reason}");

    // The same request edited to another verifier's client_id.
    let elsewhere = story.scene.path("other-domain.json");
    edit(&story.request, &elsewhere, |v| {
        v["client_id"] = json!("evil.example");
    });
    let report = story.invalid(&story.presentation, &elsewhere, &[]);
    let reason = failed(&report, "presentation-proof");
    assert!(reason.contains("domain"), "{reason}");

    story.valid(&story.presentation, &story.request, &[]);
}

#[test]
fn a_replayed_presentation_is_invalid() {
    let story = Story::dev();
    story.valid(&story.presentation, &story.request, &[]);
    let report = story.invalid(&story.presentation, &story.request, &[]);
    let reason = failed(&report, "nonce-fresh");
    assert!(reason.contains("already used"), "{reason}");
    // Everything else about it is still fine: only the replay is refused.
    let failures: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["result"] == "failed")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failures, ["nonce-fresh"], "{report:#}");
}

#[test]
fn an_expired_request_is_invalid_and_the_holder_refuses_it() {
    let story = Story::dev();
    // The smallest expiry the CLI accepts is 1 s; 2 s leaves the holder time to answer on a busy
    // machine before the request lapses.
    let request = story.request("short-request.json", &["--expires-in", "2s"]);
    let vp = story.present(&story.id, &request, "short-presentation.json");
    let exp: Value = serde_json::from_slice(&std::fs::read(&request).unwrap()).unwrap();
    let exp = exp["exp"].as_u64().unwrap();
    while SystemTime::now().duration_since(UNIX_EPOCH).unwrap() <= Duration::from_secs(exp + 1) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let report = story.invalid(&vp, &request, &[]);
    let reason = failed(&report, "request-unexpired");
    assert!(reason.contains("expired"), "{reason}");

    let out = story.scene.path("late.json");
    fails(
        &story.scene,
        "holder",
        &[
            "holder",
            "present",
            &story.id,
            "--request",
            s(&request),
            "--out",
            s(&out),
        ],
        2,
        "input",
        "ask the verifier for a new one",
    );
    assert!(!out.exists());
    // 0s is not a duration the CLI takes (a usage error, reported by clap in plain text).
    run(
        &story.scene,
        "lender",
        &[
            "verifier",
            "request",
            "--claims",
            "ageOver18",
            "--domain",
            DOMAIN,
            "--expires-in",
            "0s",
            "--out",
            s(&out),
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "the duration must be more than zero",
    ));
}

#[test]
fn revoked_and_suspended_credentials_are_invalid() {
    let story = Story::dev();
    let bank = |args: &[&str]| ok(&story.scene, "bank", args);

    let suspended = bank(&["issuer", "suspend", s(&story.credential)]);
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(suspended["statusIndex"], story.index);
    // The presentation made before the suspension is refused too: status is read at verification.
    let report = story.invalid(&story.presentation, &story.request, &[]);
    let reason = failed(&report, "status");
    assert!(reason.starts_with("suspended"), "{reason}");
    assert_eq!(bank(&["issuer", "list"])[0]["status"], "suspended");

    // Lifted (by status index this time): valid again, with a new request.
    let index = story.index.to_string();
    assert_eq!(bank(&["issuer", "unsuspend", &index])["status"], "valid");
    let (r, p) = story.again("unsuspended");
    story.valid(&p, &r, &[]);

    bank(&["issuer", "revoke", s(&story.credential)]);
    let (r, p) = story.again("revoked");
    let report = story.invalid(&p, &r, &[]);
    let reason = failed(&report, "status");
    assert!(reason.starts_with("revoked"), "{reason}");
    assert_eq!(bank(&["issuer", "list"])[0]["status"], "revoked");
    // A revocation is permanent: the chain refuses to lift it.
    fails(
        &story.scene,
        "bank",
        &["issuer", "unsuspend", &index],
        1,
        "refused",
        "revoked",
    );
    // And a revoked credential is not imported (again).
    fails(
        &story.scene,
        "holder",
        &["holder", "import", s(&story.credential)],
        1,
        "refused",
        "revoked",
    );
}

#[test]
fn an_untrusted_issuer_is_invalid() {
    let story = Story::dev();
    let list = ok(
        &story.scene,
        "lender",
        &["verifier", "trust", "remove", &story.bank],
    );
    assert_eq!(list["trusted"], json!([]));
    let report = story.invalid(&story.presentation, &story.request, &[]);
    let reason = failed(&report, "trusted-issuer");
    assert!(
        reason.contains("not on this verifier's trust list"),
        "{reason}"
    );
    // Only a trusted issuer's answer spends the nonce (issue 17 review: anyone's self-issued
    // credential bound to a request seen in passing could otherwise burn it): after trusting
    // the bank again, the same file is valid once, then a replay.
    assert!(failed(&report, "nonce-fresh").starts_with("not checked"));
    ok(
        &story.scene,
        "lender",
        &["verifier", "trust", "add", &story.bank],
    );
    story.valid(&story.presentation, &story.request, &[]);
    let report = story.invalid(&story.presentation, &story.request, &[]);
    assert_eq!(check(&report, "trusted-issuer").0, "passed");
    assert!(failed(&report, "nonce-fresh").contains("already used"));
}

#[test]
fn an_issuer_key_revoked_on_chain_is_invalid() {
    let story = Story::dev();
    // The CLI has no command to rotate an issuer's key away, so the bank does it through the
    // library on the same embedded chain; the lender's `siegel verifier verify` must notice.
    {
        let (ledger, vault) = story.scene.library("bank");
        let keys = vault.keys();
        let account = keys
            .iter()
            .find(|k| k.label.ends_with("did:ethr account"))
            .unwrap();
        let bbs = keys.iter().find(|k| k.label.ends_with("BBS key")).unwrap();
        let signer = registry::ledger::signer_of(vault.key_secret(&account.id).unwrap()).unwrap();
        let public: [u8; 96] = bbs.public_key.clone().unwrap().try_into().unwrap();
        ledger
            .registry()
            .revoke_key(
                &signer,
                signer.address(),
                &registry::identity::PublishedKey::Bls12381G2(public),
            )
            .unwrap();
    }
    let report = story.invalid(&story.presentation, &story.request, &[]);
    let reason = failed(&report, "issuer-key-on-chain");
    assert!(reason.contains("does not list it"), "{reason}");
    failed(&report, "credential-proof");
}

#[test]
fn holder_binding_required_but_absent_is_invalid() {
    let story = Story::dev();
    // A credential with the holder's DID as subject passes a policy that requires binding.
    let report = story.valid(&story.presentation, &story.request, &["--holder-binding"]);
    let (_, detail) = check(&report, "holder-binding");
    assert!(detail.contains(&story.holder), "{detail}");

    // `siegel issuer issue` always names a subject, so the bearer credential (no subject id) is
    // issued through the library on the same chain; everything after is the CLI.
    let bearer = story.scene.path("bearer.json");
    {
        let (ledger, mut vault) = story.scene.library("bank");
        let issued = wallet_core::issuer::issue(
            &mut vault,
            &ledger,
            &IssueRequest {
                schema: CredentialSchema::Kyc,
                claims: sample_claims(),
                subject: None,
                valid_days: 30,
            },
            &SystemClock,
        )
        .unwrap();
        vault.save().unwrap();
        std::fs::write(&bearer, issued.document.to_string()).unwrap();
    }
    let stored = ok(&story.scene, "holder", &["holder", "import", s(&bearer)]);
    let id = stored["id"].as_str().unwrap().to_owned();
    let r = story.request("bearer-request.json", &[]);
    let p = story.present(&id, &r, "bearer-presentation.json");
    let report = story.invalid(&p, &r, &["--holder-binding"]);
    let reason = failed(&report, "holder-binding");
    assert!(reason.contains("names no subject"), "{reason}");
    // By default such a presentation is fine, and it is unsigned: the holder's DID is nowhere
    // in it (issue 17 item 5). (The refusal above spent its nonce: the presentation was
    // genuine, only the policy refused it.)
    let r = story.request("bearer-request-2.json", &[]);
    let p = story.present(&id, &r, "bearer-presentation-2.json");
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(!text.contains(&story.holder), "{text}");
    let report = story.valid(&p, &r, &[]);
    assert_eq!(report["holder"], Value::Null);
}

/// Issue 17 item 1 (high), through the binary: a malicious site shows the holder the lender's
/// request under its own client_id, strips the holder's proof from the answer and re-wraps the
/// derived credential for the lender under a throwaway identity of its own. The lender refuses
/// it with its default policy and with `--no-holder-binding`, and the nonce stays unspent.
#[test]
fn a_credential_relayed_to_another_verifier_is_invalid() {
    let story = Story::dev();
    let lender = story.request("lender-request.json", &[]);
    let shown = story.scene.path("relayed-request.json");
    edit(&lender, &shown, |v| v["client_id"] = json!("evil.example"));
    let out = story.scene.path("answer-for-evil.json");
    ok(
        &story.scene,
        "holder",
        &[
            "holder",
            "present",
            &story.id,
            "--request",
            s(&shown),
            "--out",
            s(&out),
        ],
    );
    let mallory = ok(&story.scene, "mallory", &["init"])["did"]
        .as_str()
        .unwrap()
        .to_owned();
    let answered: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let request: PresentationRequest =
        PresentationRequest::parse(&std::fs::read(&lender).unwrap()).unwrap();
    let wrapped = story.scene.path("wrapped.json");
    {
        let (_, vault) = story.scene.library("mallory");
        let mut vp = answered.clone();
        vp["holder"] = json!(mallory);
        let signed = siegel_tests::sign_as_holder(&vault, &vp, &request, SystemClock.now());
        std::fs::write(&wrapped, signed.to_string()).unwrap();
    }
    for flags in [&[][..], &["--no-holder-binding"][..]] {
        let report = story.invalid(&wrapped, &lender, flags);
        let reason = failed(&report, "credential-proof");
        assert!(reason.contains("another verifier or nonce"), "{reason}");
        assert!(
            report["disclosed"].as_array().is_none_or(Vec::is_empty) || report["valid"] == false
        );
    }
    // Honest answer to the lender's own request: valid (nothing above spent the nonce).
    let honest = story.present(&story.id, &lender, "honest.json");
    story.valid(&honest, &lender, &[]);
}

/// Issue 17 item 7, through the binary: the request file edited after it was made (a required
/// claim dropped) and answered by the holder does not verify against the edited copy.
#[test]
fn an_edited_request_is_invalid() {
    let story = Story::dev();
    let lender = story.request("full-request.json", &[]);
    let edited = story.scene.path("edited-request.json");
    edit(&lender, &edited, |v| {
        v["dcql_query"]["credentials"][0]["claims"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
    let out = story.scene.path("answer-to-edited.json");
    ok(
        &story.scene,
        "holder",
        &[
            "holder",
            "present",
            &story.id,
            "--request",
            s(&edited),
            "--out",
            s(&out),
        ],
    );
    let report = story.invalid(&out, &edited, &[]);
    let reason = failed(&report, "nonce-fresh");
    assert!(reason.contains("altered"), "{reason}");
}

#[test]
fn an_expired_credential_is_invalid_and_not_imported() {
    let story = Story::dev();
    // The CLI's shortest validity is one day, so a credential cannot expire within a test run
    // through `siegel issuer issue` alone:
    fails(
        &story.scene,
        "bank",
        &[
            "issuer",
            "issue",
            "--claims",
            s(&story.scene.path("claims.json")),
            "--subject",
            &story.holder,
            "--valid-days",
            "0",
            "--out",
            s(&story.scene.path("never.json")),
        ],
        2,
        "input",
        "validity must be 1 to 3660 days",
    );
    // So the bank issues one through the library with its clock two days back (valid for one
    // day: it expired yesterday), on the same chain; the holder and the lender use the CLI.
    let old = story.scene.path("expired.json");
    {
        let (ledger, mut vault) = story.scene.library("bank");
        let clock = FixedClock(SystemClock.now().saturating_add_seconds(-2 * 86_400));
        let issued = wallet_core::issuer::issue(
            &mut vault,
            &ledger,
            &IssueRequest {
                schema: CredentialSchema::Kyc,
                claims: sample_claims(),
                subject: Some(wallet_core::did::Did::parse(&story.holder).unwrap()),
                valid_days: 1,
            },
            &clock,
        )
        .unwrap();
        vault.save().unwrap();
        std::fs::write(&old, issued.document.to_string()).unwrap();
    }
    fails(
        &story.scene,
        "holder",
        &["holder", "import", s(&old)],
        1,
        "refused",
        "the credential expired at",
    );
    // A wallet that kept it from before (stored through the library, as it was when still
    // valid) can still present it; the lender refuses it.
    let id = {
        let (_, mut vault) = story.scene.library("holder");
        let text = std::fs::read_to_string(&old).unwrap();
        let id = vault
            .add_credential("kept", wallet_core::credential::FORMAT_BBS_2023, &text)
            .unwrap()
            .id
            .clone();
        vault.save().unwrap();
        id
    };
    let r = story.request("expired-request.json", &[]);
    let p = story.present(id.as_str(), &r, "expired-presentation.json");
    let report = story.invalid(&p, &r, &[]);
    let reason = failed(&report, "validity-period");
    assert!(reason.starts_with("expired"), "{reason}");
}

#[test]
fn malformed_and_oversize_inputs_are_input_errors() {
    let story = Story::dev();
    let sc = &story.scene;
    let malformed = sc.path("malformed.json");
    std::fs::write(&malformed, b"{\"@context\": [").unwrap();
    let big = sc.path("big.json");
    std::fs::write(&big, vec![b' '; 1024 * 1024 + 1]).unwrap();
    let out = sc.path("out.json");
    let out_s = s(&out);

    // The lender: a presentation that is not JSON is an input error, not an invalid
    // presentation, and leaves the nonce unspent.
    fails(
        sc,
        "lender",
        &[
            "verifier",
            "verify",
            s(&malformed),
            "--request",
            s(&story.request),
        ],
        2,
        "input",
        "is not valid JSON",
    );
    fails(
        sc,
        "lender",
        &[
            "verifier",
            "verify",
            s(&story.presentation),
            "--request",
            s(&malformed),
        ],
        2,
        "input",
        "cannot be used",
    );

    // The holder: a request or a credential that is not JSON, or too large.
    for (request, reason) in [(&malformed, "cannot be used"), (&big, "1 MiB")] {
        fails(
            sc,
            "holder",
            &[
                "holder",
                "present",
                &story.id,
                "--request",
                s(request),
                "--out",
                out_s,
            ],
            2,
            "input",
            reason,
        );
    }
    fails(
        sc,
        "holder",
        &["holder", "import", s(&malformed)],
        2,
        "input",
        &format!("the credential {} is not valid JSON", s(&malformed)),
    );
    fails(
        sc,
        "holder",
        &["holder", "import", s(&big)],
        2,
        "input",
        "larger than the limit of 1 MiB",
    );

    // The bank: a claims file that is not JSON, too large, or failing the schema.
    for (claims, reason) in [(&malformed, "is not valid JSON"), (&big, "1 MiB")] {
        fails(
            sc,
            "bank",
            &[
                "issuer",
                "issue",
                "--claims",
                s(claims),
                "--subject",
                &story.holder,
                "--out",
                out_s,
            ],
            2,
            "input",
            reason,
        );
    }
    let bad_claims = sc.path("bad-claims.json");
    let mut claims = sample_claims();
    claims["ageOver18"] = json!("yes");
    std::fs::write(&bad_claims, claims.to_string()).unwrap();
    let msg = fails(
        sc,
        "bank",
        &[
            "issuer",
            "issue",
            "--claims",
            s(&bad_claims),
            "--subject",
            &story.holder,
            "--out",
            out_s,
        ],
        2,
        "input",
        "ageOver18",
    );
    assert!(!msg.is_empty());
    assert!(!out.exists(), "a refused input wrote {out_s}");

    story.valid(&story.presentation, &story.request, &[]);
    // Nothing refused was recorded as disclosed.
    assert_eq!(ok(sc, "holder", &["history"]).as_array().unwrap().len(), 1);
}

#[test]
fn a_requested_claim_the_credential_lacks_is_not_presented() {
    let story = Story::dev();
    let mut claims = sample_claims();
    claims.as_object_mut().unwrap().remove("incomeBand");
    let file = story.scene.path("no-income-claims.json");
    std::fs::write(&file, claims.to_string()).unwrap();
    let credential = story.scene.path("no-income.json");
    ok(
        &story.scene,
        "bank",
        &[
            "issuer",
            "issue",
            "--claims",
            s(&file),
            "--subject",
            &story.holder,
            "--out",
            s(&credential),
        ],
    );
    let stored = ok(
        &story.scene,
        "holder",
        &["holder", "import", s(&credential)],
    );
    let id = stored["id"].as_str().unwrap();
    let out = story.scene.path("partial.json");
    fails(
        &story.scene,
        "holder",
        &[
            "holder",
            "present",
            id,
            "--request",
            s(&story.request),
            "--out",
            s(&out),
        ],
        2,
        "input",
        "the credential has no incomeBand, which the verifier requires",
    );
    assert!(!out.exists());
    // Only the story's disclosure is in the history.
    assert_eq!(
        ok(&story.scene, "holder", &["history"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_wrong_passphrase_unlocks_nothing() {
    let story = Story::dev();
    let out = story.scene.path("wrong.json");
    let wrong = |party: &str, args: &[&str]| {
        let mut c = story.scene.siegel(party, args);
        c.env("SIEGEL_PASSPHRASE", "not the passphrase");
        c.output().unwrap()
    };
    let ran = wrong(
        "holder",
        &[
            "holder",
            "present",
            &story.id,
            "--request",
            s(&story.request),
            "--out",
            s(&out),
        ],
    );
    ran.clone().assert().code(2);
    let err: Value = serde_json::from_slice(&ran.stderr).unwrap();
    assert_eq!(
        err,
        json!({ "error": "wrong passphrase", "category": "input" })
    );
    assert!(!out.exists());
    // The bank's desk is locked the same way, and nothing changed on the chain.
    wrong("bank", &["issuer", "revoke", &story.index.to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wrong passphrase"));
    assert_eq!(
        ok(&story.scene, "bank", &["issuer", "list"])[0]["status"],
        "valid"
    );
    // The genuine presentation is unaffected.
    story.valid(&story.presentation, &story.request, &[]);
}

/// Issue 17 item 2 through the binary: the bank's desk restored (`backup import`) from a backup
/// taken before Bob's credential was issued gives Carol an index of her own, revokes and
/// suspends Bob from his credential file, and Carol's status changes leave Bob's alone.
#[test]
fn a_desk_restored_from_an_older_backup_keeps_status_apart_and_can_revoke() {
    let scene = Scene::dev();
    let sc = &scene;
    let bank = ok(sc, "bank", &["issuer", "init", "--name", "Bank KYC desk"]);
    let bank = bank["did"].as_str().unwrap().to_owned();
    let backup = scene.path("desk.backup");
    let with_backup_pass = |party: &str, args: &[&str]| {
        let out = scene
            .siegel(party, args)
            .env("SIEGEL_BACKUP_PASSPHRASE", "backup passphrase")
            .output()
            .unwrap();
        out.clone().assert().success();
    };
    with_backup_pass("bank", &["backup", "export", s(&backup)]);

    let claims = scene.path("claims.json");
    std::fs::write(&claims, sample_claims().to_string()).unwrap();
    let issue = |desk: &str, holder: &str| {
        let did = ok(sc, holder, &["init"])["did"]
            .as_str()
            .unwrap()
            .to_owned();
        let file = sc.path(&format!("{holder}-kyc.json"));
        let issued = ok(
            sc,
            desk,
            &[
                "issuer",
                "issue",
                "--claims",
                s(&claims),
                "--subject",
                &did,
                "--out",
                s(&file),
            ],
        );
        let id = ok(sc, holder, &["holder", "import", s(&file)])["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (file, issued["statusIndex"].as_u64().unwrap(), id)
    };
    let (bob_file, bob_index, bob_id) = issue("bank", "bob");

    // The desk is lost; restored from the older backup it has no record of Bob.
    with_backup_pass("desk", &["backup", "import", s(&backup)]);
    assert_eq!(ok(sc, "desk", &["issuer", "list"]), json!([]));
    let (carol_file, carol_index, carol_id) = issue("desk", "carol");
    assert_ne!(carol_index, bob_index);
    let listed = ok(sc, "desk", &["issuer", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["statusIndex"], carol_index);

    // Bob's bare index is unknown here; his file is enough.
    fails(
        sc,
        "desk",
        &["issuer", "suspend", &bob_index.to_string()],
        2,
        "input",
        "give its file instead",
    );
    let suspended = ok(sc, "desk", &["issuer", "suspend", s(&bob_file)]);
    assert_eq!(suspended["statusIndex"], bob_index);
    assert_eq!(suspended["status"], "suspended");

    // Carol stays valid; lifting her (non-)suspension does not lift Bob's.
    ok(sc, "lender", &["verifier", "trust", "add", &bank]);
    let verify = |holder: &str, id: &str, tag: &str| -> (i32, Value) {
        let request = sc.path(&format!("request-{tag}.json"));
        ok(
            sc,
            "lender",
            &[
                "verifier",
                "request",
                "--claims",
                "ageOver18",
                "--domain",
                DOMAIN,
                "--out",
                s(&request),
            ],
        );
        let presentation = sc.path(&format!("presentation-{tag}.json"));
        ok(
            sc,
            holder,
            &[
                "holder",
                "present",
                id,
                "--request",
                s(&request),
                "--out",
                s(&presentation),
            ],
        );
        let out = run(
            sc,
            "lender",
            &[
                "verifier",
                "verify",
                s(&presentation),
                "--request",
                s(&request),
            ],
        );
        (
            out.status.code().unwrap(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    };
    let (code, report) = verify("carol", &carol_id, "carol");
    assert_eq!(code, 0, "{report:#}");
    let lifted = ok(sc, "desk", &["issuer", "unsuspend", s(&carol_file)]);
    assert_eq!(lifted["statusIndex"], carol_index);
    assert_eq!(lifted["status"], "valid");
    let (code, report) = verify("bob", &bob_id, "bob-suspended");
    assert_eq!(code, 1, "{report:#}");
    assert!(
        failed(&report, "status").starts_with("suspended"),
        "{report:#}"
    );

    // Revoking Bob from his file works after the restore, and Carol is still valid.
    let revoked = ok(sc, "desk", &["issuer", "revoke", s(&bob_file)]);
    assert_eq!(revoked["status"], "revoked");
    let (code, report) = verify("bob", &bob_id, "bob-revoked");
    assert_eq!(code, 1, "{report:#}");
    assert!(
        failed(&report, "status").starts_with("revoked"),
        "{report:#}"
    );
    let (code, report) = verify("carol", &carol_id, "carol-after");
    assert_eq!(code, 0, "{report:#}");

    // A forged file (Bob's, pointed at Carol's index) flips nothing.
    let forged = sc.path("forged.json");
    edit(&bob_file, &forged, |v| {
        v["credentialStatus"]["statusIndex"] = json!(carol_index);
    });
    fails(
        sc,
        "desk",
        &["issuer", "revoke", s(&forged)],
        1,
        "refused",
        "not one this issuer signed",
    );
    assert_eq!(ok(sc, "desk", &["issuer", "list"])[0]["status"], "valid");
}

/// `holder rotate-key` (issue 17 item 11): the new key signs, the old one is withdrawn (an
/// earlier presentation no longer verifies), and `--retry-withdraw` with nothing left to withdraw
/// changes nothing. (A withdrawal that fails is tested through the library with a fault-injecting
/// ledger: tests/tests/library_flow.rs.)
#[test]
fn rotating_the_presentation_key_withdraws_the_old_one() {
    let story = Story::dev();
    let sc = &story.scene;
    let authentication = || {
        let doc = ok(sc, "holder", &["did", "resolve", &story.holder]);
        doc["authentication"].clone()
    };
    let before = authentication();
    let rotated = ok(sc, "holder", &["holder", "rotate-key"]);
    assert_eq!(rotated["did"], story.holder.as_str());
    assert_eq!(rotated["retiredKeys"], 0);
    let method = rotated["method"].as_str().unwrap();
    let after = authentication();
    assert_ne!(after, before);
    assert!(after.to_string().contains(method), "{after}");
    // Signed with the withdrawn key: invalid; a new presentation verifies.
    let report = story.invalid(&story.presentation, &story.request, &[]);
    failed(&report, "presentation-proof");
    let (r, p) = story.again("rotated");
    story.valid(&p, &r, &[]);
    let retried = ok(sc, "holder", &["holder", "rotate-key", "--retry-withdraw"]);
    assert_eq!(retried["method"], method);
    assert_eq!(retried["retiredKeys"], 0);
    assert_eq!(authentication(), after);
}
