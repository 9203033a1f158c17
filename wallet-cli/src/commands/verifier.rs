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
use crate::output::untrusted;
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
            force,
        } => {
            let req = request(
                ctx,
                &RequestArgs {
                    required: &claims,
                    optional: &optional,
                    domain: &domain,
                    purpose: &purpose,
                    expires_in,
                },
                &out,
                force,
            )?;
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

/// What a request asks for, and of whom.
#[derive(Debug)]
pub(crate) struct RequestArgs<'a> {
    /// Required claims.
    pub(crate) required: &'a [String],
    /// Optional claims.
    pub(crate) optional: &'a [String],
    /// The verifier's domain.
    pub(crate) domain: &'a str,
    /// Why it asks (empty: not said).
    pub(crate) purpose: &'a str,
    /// Seconds of validity.
    pub(crate) expires_in: u64,
}

/// Writes a request for a KYC attestation to `out` (outside the data directory; over an
/// existing file only with `force`) and records its nonce.
///
/// # Errors
/// An output path the rule refuses (checked before a nonce is recorded); input errors for the
/// claims, the domain and the lifetime; the nonce store's errors.
pub(crate) fn request(
    ctx: &Context,
    args: &RequestArgs<'_>,
    out: &Path,
    force: bool,
) -> anyhow::Result<PresentationRequest> {
    output::check_output(ctx, out, force)?;
    let req = ctx.home().verifier().new_request(
        args.domain,
        &as_strs(args.required),
        &as_strs(args.optional),
        args.purpose,
        args.expires_in,
        &SystemClock,
    )?;
    output::write_output(ctx, out, req.to_json_pretty().as_bytes(), force)?;
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
        s.push_str(&format!(
            "  [{mark}] {}: {}\n",
            c.name.title(),
            untrusted(detail)
        ));
    }
    if let Some(i) = &r.issuer {
        s.push_str(&format!("  issuer: {}\n", untrusted(i.as_str())));
    }
    if let Some(h) = &r.holder {
        s.push_str(&format!("  holder: {}\n", untrusted(h.as_str())));
    }
    // Claims of an invalid presentation are not shown as learned: nothing here may rely on them.
    if r.is_valid() && !r.disclosed.is_empty() {
        s.push_str("What the verifier learned:\n");
        let rows: Vec<(String, String)> = r
            .disclosed
            .iter()
            .map(|d| {
                (
                    untrusted(&d.claim).into_owned(),
                    untrusted(&d.value).into_owned(),
                )
            })
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
                    untrusted(wallet_core::credential::shown::label(&x.path)).into_owned(),
                    untrusted(&x.value).into_owned(),
                )
            })
            .collect();
        if !also.is_empty() {
            s.push_str("Also shown by the credential:\n");
            s.push_str(&output::table(&also));
        }
    }
    if !r.hidden.is_empty() {
        let hidden: Vec<_> = r.hidden.iter().map(|h| untrusted(h.as_str())).collect();
        s.push_str(&format!("What stayed hidden: {}\n", hidden.join(", ")));
    }
    s.push_str(&format!("Chain round trips: {}\n", r.round_trips));
    if r.retryable {
        s.push_str("The chain could not be reached: retry when the node is back.\n");
    }
    s
}

fn trust(ctx: &Context, command: TrustCommand) -> anyhow::Result<()> {
    let desk = ctx.home().verifier();
    let parse = |did: &str| Did::parse(did).map_err(|e| exit::input(format!("{did}: {e}")));
    let (text, list) = match command {
        TrustCommand::Add { did } => {
            let parsed = parse(&did)?;
            let (added, list) = desk.update_trust_list(|l| l.add(parsed))?;
            let text = if added {
                format!("Now trusting {did}.\n")
            } else {
                format!("{did} was already trusted.\n")
            };
            (text, list)
        }
        TrustCommand::Remove { did } => {
            let parsed = parse(&did)?;
            let (removed, list) = desk.update_trust_list(|l| l.remove(&parsed))?;
            let text = if removed {
                format!("No longer trusting {did}.\n")
            } else {
                format!("{did} was not on the trust list.\n")
            };
            (text, list)
        }
        TrustCommand::List => {
            let list = desk.trust_list()?;
            let all: Vec<String> = list.iter().map(|d| format!("  {d}\n")).collect();
            let text = if all.is_empty() {
                "No trusted issuers yet: `siegel verifier trust add DID`.\n".into()
            } else {
                format!("Trusted issuers:\n{}", all.concat())
            };
            (text, list)
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
    ctx.home()
        .verifier()
        .update_trust_list(|l| l.add(did.clone()))?;
    Ok(())
}
