//! `siegel verifier request|verify|trust`: the verifier's side. A verifier needs no wallet and
//! no passphrase: its state (the nonces it issued, the issuers it trusts) holds no secret.

use std::path::Path;

use serde_json::json;
use wallet_core::di::SystemClock;
use wallet_core::did::Did;
use wallet_core::request::PresentationRequest;
use wallet_core::verify::{HolderBinding, Outcome, Report};

use crate::cli::{TrustCommand, VerifierCommand};
use crate::commands::holder::read_request;
use crate::context::Context;
use crate::{exit, input, output};

/// Runs `siegel verifier …`.
///
/// # Errors
/// Input, chain and store errors. An invalid presentation is not an error: its report is
/// printed and the exit code is 1.
pub(crate) fn run(ctx: &Context, command: VerifierCommand) -> anyhow::Result<u8> {
    match command {
        VerifierCommand::Request {
            claims,
            optional,
            domain,
            purpose,
            expires_in,
            out,
        } => {
            let req = request(ctx, &claims, &optional, &domain, &purpose, expires_in, &out)?;
            output::print(
                ctx.json,
                &json!({ "out": out, "nonce": req.nonce.to_string(), "expires": req.expires_at().to_string() }),
                &format!(
                    "Request for {}{} written to {} (valid until {}).\n",
                    claims.join(", "),
                    if optional.is_empty() {
                        String::new()
                    } else {
                        format!(" (optional: {})", optional.join(", "))
                    },
                    out.display(),
                    req.expires_at()
                ),
            );
            Ok(exit::OK)
        }
        VerifierCommand::Verify {
            file,
            request,
            holder_binding,
            no_holder_binding,
        } => {
            let binding = match (holder_binding, no_holder_binding) {
                (true, _) => HolderBinding::Required,
                (_, true) => HolderBinding::NotRequired,
                _ => HolderBinding::default(),
            };
            let report = verify(ctx, &file, &request, binding)?;
            let mut value = serde_json::to_value(&report)?;
            value["valid"] = json!(report.is_valid());
            output::print(ctx.json, &value, &render_report(&report));
            Ok(if report.is_valid() {
                exit::OK
            } else {
                exit::REFUSED
            })
        }
        VerifierCommand::Trust(t) => {
            trust(ctx, t)?;
            Ok(exit::OK)
        }
    }
}

/// Writes a request for a KYC attestation with `required` and `optional` claims for `domain`,
/// valid for `expires_in` seconds, and records its nonce.
///
/// # Errors
/// Input errors for the claims and the domain; the nonce store's errors.
pub(crate) fn request(
    ctx: &Context,
    required: &[String],
    optional: &[String],
    domain: &str,
    purpose: &str,
    expires_in: u64,
    out: &Path,
) -> anyhow::Result<PresentationRequest> {
    let req = ctx.home().verifier().new_request(
        domain,
        &as_strs(required),
        &as_strs(optional),
        purpose,
        expires_in,
        &SystemClock,
    )?;
    input::write_output(out, req.to_json_pretty().as_bytes())?;
    Ok(req)
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Verifies the presentation in `file` against the request in `request_file`, spending its
/// nonce.
///
/// # Errors
/// Unreadable or oversize files, an invalid request, the trust list's errors. Everything about
/// the presentation itself goes into the report.
pub(crate) fn verify(
    ctx: &Context,
    file: &Path,
    request_file: &Path,
    binding: HolderBinding,
) -> anyhow::Result<Report> {
    // Not JSON at all is an input error (exit 2) and leaves the nonce unspent.
    let bytes = input::read_json_bytes(file, "presentation")?;
    let request = read_request(request_file)?;
    let ledger = ctx.ledger()?;
    Ok(ctx
        .home()
        .verifier()
        .verify(&bytes, &request, binding, &ledger, &SystemClock)?)
}

pub(crate) fn render_report(r: &Report) -> String {
    let mut s = format!(
        "Presentation {}\n",
        if r.is_valid() { "VALID" } else { "INVALID" }
    );
    for c in &r.checks {
        let (mark, detail) = match &c.outcome {
            Outcome::Passed(d) => ("ok  ", d),
            Outcome::Failed(d) => ("FAIL", d),
        };
        s.push_str(&format!("  [{mark}] {}: {detail}\n", c.name.title()));
    }
    if let Some(i) = &r.issuer {
        s.push_str(&format!("  issuer: {i}\n"));
    }
    if let Some(h) = &r.holder {
        s.push_str(&format!("  holder: {h}\n"));
    }
    // Claims of an invalid presentation are not shown as learned: nothing here may rely on them.
    if r.is_valid() && !r.disclosed.is_empty() {
        s.push_str("What the verifier learned:\n");
        let rows: Vec<(String, String)> = r
            .disclosed
            .iter()
            .map(|d| (d.claim.clone(), d.value.clone()))
            .collect();
        s.push_str(&output::table(&rows));
    }
    if r.is_valid() {
        let also: Vec<(String, String)> = r
            .revealed
            .iter()
            .filter(|x| !x.path.starts_with("credentialSubject."))
            .map(|x| {
                (
                    wallet_core::credential::shown::label(&x.path).to_owned(),
                    x.value.clone(),
                )
            })
            .collect();
        if !also.is_empty() {
            s.push_str("Also shown by the credential:\n");
            s.push_str(&output::table(&also));
        }
    }
    if !r.hidden.is_empty() {
        s.push_str(&format!("What stayed hidden: {}\n", r.hidden.join(", ")));
    }
    s.push_str(&format!("Chain round trips: {}\n", r.round_trips));
    if r.retryable {
        s.push_str("The chain could not be reached: retry when the node is back.\n");
    }
    s
}

fn trust(ctx: &Context, command: TrustCommand) -> anyhow::Result<()> {
    let desk = ctx.home().verifier();
    let mut list = desk.trust_list()?;
    let parse = |did: &str| Did::parse(did).map_err(|e| exit::input(format!("{did}: {e}")));
    let text = match command {
        TrustCommand::Add { did } => {
            let text = if list.add(parse(&did)?) {
                format!("Now trusting {did}.\n")
            } else {
                format!("{did} was already trusted.\n")
            };
            desk.save_trust_list(&list)?;
            text
        }
        TrustCommand::Remove { did } => {
            let text = if list.remove(&parse(&did)?) {
                format!("No longer trusting {did}.\n")
            } else {
                format!("{did} was not on the trust list.\n")
            };
            desk.save_trust_list(&list)?;
            text
        }
        TrustCommand::List => {
            let all: Vec<String> = list.iter().map(|d| format!("  {d}\n")).collect();
            if all.is_empty() {
                "No trusted issuers yet: `siegel verifier trust add DID`.\n".into()
            } else {
                format!("Trusted issuers:\n{}", all.concat())
            }
        }
    };
    let dids: Vec<&Did> = list.iter().collect();
    output::print(ctx.json, &json!({ "trusted": dids }), &text);
    Ok(())
}

/// Adds `did` to the verifier's trust list.
///
/// # Errors
/// An invalid DID; the list's store errors.
pub(crate) fn trust_add(ctx: &Context, did: &Did) -> anyhow::Result<()> {
    let desk = ctx.home().verifier();
    let mut list = desk.trust_list()?;
    list.add(did.clone());
    desk.save_trust_list(&list)?;
    Ok(())
}
