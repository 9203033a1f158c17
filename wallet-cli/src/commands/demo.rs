//! `siegel demo`: the whole story, narrated, in a temporary directory. Three data directories
//! (bank, holder, lender) share one embedded chain; each step calls the same functions as the
//! command that does it alone, and the files between the parties are the ones those commands
//! would read and write.

use std::path::Path;
use std::sync::Arc;

use registry::chain::{Chain, DevChain};
use registry::connect::{ChainSpec, Connection};
use serde_json::{Value, json};
use wallet_core::home::Home;
use wallet_core::ledger::StatusChange;
use wallet_core::verify::{CheckName, HolderBinding, Outcome, Report};

use crate::cli::DemoArgs;
use crate::commands::verifier::RequestArgs;
use crate::commands::{holder, init, issuer, verifier};
use crate::context::Context;
use crate::{exit, output};

/// The sample claims (also in `assets/samples/kyc-claims.json` for use with `issuer issue`).
const SAMPLE_CLAIMS: &str = include_str!("../../../assets/samples/kyc-claims.json");
/// The lender's domain (its OpenID4VP client_id).
const LENDER_PURPOSE: &str = "Loan application: proof of age and income band";
const LENDER_DOMAIN: &str = "loans.lender.example";
/// What the lender asks for.
const REQUESTED: [&str; 2] = ["ageOver18", "incomeBand"];

/// Narration: plain text as it happens, or collected for one JSON document at the end.
struct Narrator {
    json: bool,
    step: usize,
    steps: Vec<Value>,
}

impl Narrator {
    fn step(&mut self, title: &str) {
        self.step += 1;
        if !self.json {
            println!("\n{}. {title}", self.step);
        }
    }

    fn say(&self, text: &str) {
        if !self.json {
            for line in text.lines() {
                println!("   {line}");
            }
        }
    }

    fn record(&mut self, value: Value) {
        self.steps.push(value);
    }
}

/// Runs `siegel demo`.
///
/// # Errors
/// Any step that fails, or a step whose outcome is not the one the story expects.
pub(crate) fn run(ctx: &Context, args: &DemoArgs) -> anyhow::Result<u8> {
    let temp;
    let root = match &args.keep {
        Some(dir) => {
            if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
                return Err(exit::input(format!(
                    "{} is not empty; the demo starts from nothing: give a new or empty directory",
                    dir.display()
                )));
            }
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new().prefix("siegel-demo-").tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let mut n = Narrator {
        json: ctx.json,
        step: 0,
        steps: Vec::new(),
    };
    story(&root, &mut n)?;
    if ctx.json {
        output::print(true, &json!({ "dir": root, "steps": n.steps }), "");
    } else if args.keep.is_some() {
        println!("\nThe files are kept in {}.", root.display());
    }
    Ok(exit::OK)
}

fn story(root: &Path, n: &mut Narrator) -> anyhow::Result<()> {
    let chain_path = root.join("chain");
    let chain: Arc<dyn Chain> = Arc::new(DevChain::open(&chain_path)?);
    let connection = Connection::with_chain(
        chain,
        ChainSpec::DevAt(chain_path.clone()).label(&Home::new(root)),
    )?;
    let party = |name: &str| {
        Context::for_demo(
            root.join(name),
            &format!("demo passphrase of the {name}"),
            connection.clone(),
            &chain_path,
        )
    };
    let (bank, holder_ctx, lender) = (party("bank"), party("holder"), party("lender"));
    if !n.json {
        println!(
            "Siegel demo: a bank's KYC desk, a holder and a lender, in {}",
            root.display()
        );
        println!(
            "All three use one embedded chain (revm, chain id 1337) at {}.",
            chain_path.display()
        );
        println!(
            "Passphrases are set by the demo, and the wallets use the smallest key derivation \
             parameters (KdfParams::MINIMUM) so it runs fast; real wallets use the default."
        );
    }

    n.step("The bank registers as an issuer");
    let profile = issuer::setup(&bank, "Example Bank KYC desk")?;
    n.say(&format!(
        "New did:ethr account, BBS key published on the chain under assertionMethod.\n\
         Issuer DID: {}",
        profile.did
    ));
    n.record(json!({ "step": "issuer registered", "did": profile.did }));

    n.step("The holder creates a wallet");
    let me = init::init(&holder_ctx)?;
    n.say(&format!(
        "New vault, did:ethr account and an Ed25519 presentation key (sigAuth) on the chain.\n\
         Holder DID: {}",
        me.did
    ));
    n.record(json!({ "step": "holder wallet created", "did": me.did }));

    n.step("The bank issues a KYC attestation to the holder");
    let claims_file = root.join("kyc-claims.json");
    std::fs::write(&claims_file, SAMPLE_CLAIMS)?;
    let credential_file = root.join("ada-kyc.json");
    let issued = issuer::issue(
        &bank,
        "kyc",
        &claims_file,
        me.did.as_str(),
        365,
        &credential_file,
        false,
    )?;
    let claims: Value = serde_json::from_str(SAMPLE_CLAIMS)?;
    n.say(&format!(
        "Eleven claims, signed with bbs-2023 (each one selectively disclosable), valid 365 days,\n\
         with on-chain status index {} -> {}",
        issued.index,
        credential_file.display()
    ));
    n.say(&claims_table(&claims));
    n.record(json!({ "step": "issued", "statusIndex": issued.index, "file": credential_file }));

    n.step("The holder checks the credential and stores it");
    let stored = holder::import(&holder_ctx, &credential_file)?;
    n.say(
        "Base proof checked against the issuer's key as the chain lists it, schema, validity, status.",
    );
    n.say(&format!("Stored as {}.", stored.id));
    n.record(json!({ "step": "imported", "id": stored.id }));

    n.step("The lender trusts the bank and asks for \"over 18\" and the income band");
    verifier::trust_add(&lender, &profile.did)?;
    let request_file = root.join("request-1.json");
    let requested: Vec<String> = REQUESTED.iter().map(|s| (*s).to_owned()).collect();
    let req = verifier::request(
        &lender,
        &RequestArgs {
            required: &requested,
            optional: &[],
            domain: LENDER_DOMAIN,
            purpose: LENDER_PURPOSE,
            expires_in: 600,
        },
        &request_file,
        false,
    )?;
    n.say(&format!(
        "OpenID4VP DCQL request for {} from {LENDER_DOMAIN}, nonce {}, valid 10 minutes\n-> {}",
        REQUESTED.join(" and "),
        req.nonce,
        request_file.display()
    ));
    n.record(json!({ "step": "requested", "claims": REQUESTED, "file": request_file }));

    n.step("The holder presents only those two claims");
    let vp_file = root.join("presentation-1.json");
    let (_, answer) = holder::present(
        &holder_ctx,
        stored.id.as_str(),
        &request_file,
        &vp_file,
        false,
        false,
    )?;
    n.say(&format!(
        "Derived proof bound to the nonce, presentation signed for {LENDER_DOMAIN} -> {}\n\
         disclosed: {}\nwithheld:  {}\n(recorded in the holder's history)",
        vp_file.display(),
        answer.disclosed.join(", "),
        answer.withheld.join(", ")
    ));
    n.record(
        json!({ "step": "presented", "disclosed": answer.disclosed, "withheld": answer.withheld }),
    );

    n.step("The lender verifies");
    let report = verifier::verify(&lender, &vp_file, &request_file, HolderBinding::default())?;
    n.say(&verifier::render_report(&report));
    n.record(json!({ "step": "verified", "report": report, "valid": report.is_valid() }));
    if !report.is_valid() {
        return Err(exit::refused(
            "the demo's first presentation should have verified; see the report above",
        ));
    }

    n.step("Someone replays the same presentation");
    let replay = verifier::verify(&lender, &vp_file, &request_file, HolderBinding::default())?;
    n.say(&verdict(&replay));
    n.record(json!({ "step": "replayed", "report": replay, "valid": replay.is_valid() }));
    expect_failure(&replay, CheckName::NonceFresh, "the replay")?;

    n.step("The bank revokes the credential");
    let record = issuer::change_status(
        &bank,
        &credential_file.to_string_lossy(),
        StatusChange::Revoke,
    )?
    .record;
    n.say(&format!(
        "Status index {} revoked on the chain. The bank never learned that the lender verified.",
        record.index
    ));
    n.record(json!({ "step": "revoked", "statusIndex": record.index }));

    n.step("The lender asks again, the holder presents again, the lender verifies");
    let request_file = root.join("request-2.json");
    verifier::request(
        &lender,
        &RequestArgs {
            required: &requested,
            optional: &[],
            domain: LENDER_DOMAIN,
            purpose: LENDER_PURPOSE,
            expires_in: 600,
        },
        &request_file,
        false,
    )?;
    let vp_file = root.join("presentation-2.json");
    holder::present(
        &holder_ctx,
        stored.id.as_str(),
        &request_file,
        &vp_file,
        false,
        false,
    )?;
    let revoked = verifier::verify(&lender, &vp_file, &request_file, HolderBinding::default())?;
    n.say(&verdict(&revoked));
    n.record(json!({ "step": "verified after revocation", "report": revoked, "valid": revoked.is_valid() }));
    expect_failure(&revoked, CheckName::Status, "the revoked credential")?;

    if !n.json {
        println!(
            "\nDone. The lender learned two facts and nothing else, refused a replay, and saw the \
             revocation on the chain."
        );
    }
    Ok(())
}

fn claims_table(claims: &Value) -> String {
    let rows: Vec<(String, String)> = claims
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let shown = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.clone(), shown)
                })
                .collect()
        })
        .unwrap_or_default();
    output::table(&rows)
}

/// `"INVALID: <check>: <reason>"` for each failed check.
fn verdict(r: &Report) -> String {
    if r.is_valid() {
        return "VALID".into();
    }
    let mut s = String::from("INVALID\n");
    for (name, reason) in r.failures() {
        s.push_str(&format!("  [FAIL] {}: {reason}\n", name.title()));
    }
    s
}

/// The story expects `what` to be refused by `check`.
fn expect_failure(r: &Report, check: CheckName, what: &str) -> anyhow::Result<()> {
    match r.outcome(check) {
        Some(Outcome::Failed(_)) => Ok(()),
        _ => Err(exit::refused(format!(
            "{what} should have failed the check \"{}\"; see the report above",
            check.title()
        ))),
    }
}
