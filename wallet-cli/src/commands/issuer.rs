//! `siegel issuer init|issue|revoke|suspend|unsuspend|list`: the issuer's desk.

use std::path::Path;

use serde_json::{Value, json};
use wallet_core::di::SystemClock;
use wallet_core::did::Did;
use wallet_core::issuer::{self, IssueRequest, IssuedStatus, IssuerProfile, StatusTarget};
use wallet_core::ledger::StatusChange;
use wallet_core::schema::CredentialSchema;
use wallet_core::text::DisplayName;

use crate::cli::IssuerCommand;
use crate::context::Context;
use crate::{exit, input, output};

/// Runs `siegel issuer …`.
///
/// # Errors
/// Vault, chain and application-layer errors.
pub(crate) fn run(ctx: &Context, command: IssuerCommand) -> anyhow::Result<u8> {
    match command {
        IssuerCommand::Init { name } => {
            let p = setup(ctx, &name)?;
            output::print(
                ctx.json,
                &json!({ "did": p.did, "name": p.name, "method": p.method }),
                &format!(
                    "Issuer \"{}\" registered on the {}.\nIssuer DID: {}\nBBS key:    {}\n",
                    p.name,
                    ctx.chain_label(),
                    p.did,
                    p.method
                ),
            );
        }
        IssuerCommand::Issue {
            schema,
            claims,
            subject,
            valid_days,
            out,
            force,
        } => {
            let issued = issue(ctx, &schema, &claims, &subject, valid_days, &out, force)?;
            output::print(
                ctx.json,
                &json!({ "out": out, "statusIndex": issued.index }),
                &format!(
                    "Issued to {subject} (status index {}), written to {}.\n",
                    issued.index,
                    out.display()
                ),
            );
        }
        IssuerCommand::Revoke(t) => status(ctx, &t.credential, StatusChange::Revoke)?,
        IssuerCommand::Suspend(t) => status(ctx, &t.credential, StatusChange::Suspend)?,
        IssuerCommand::Unsuspend(t) => status(ctx, &t.credential, StatusChange::Unsuspend)?,
        IssuerCommand::List => {
            let rows = list(ctx)?;
            output::print(ctx.json, &list_json(&rows), &render_list(&rows));
        }
    }
    Ok(exit::OK)
}

/// Creates the issuer identity named `name` (creating the wallet if there is none).
///
/// # Errors
/// An input error for a name that is empty, too long or has control or text-direction
/// characters (before anything is created); vault and chain errors; an issuer identity that
/// already exists.
pub(crate) fn setup(ctx: &Context, name: &str) -> anyhow::Result<IssuerProfile> {
    let name = DisplayName::parse(name).map_err(|e| exit::input(format!("--name: {e}")))?;
    ctx.chain()?;
    let mut vault = ctx.unlock_or_create()?;
    let ledger = ctx.ledger()?;
    let p = issuer::setup(&mut vault, &ledger, &name)?;
    ctx.save(&vault)?;
    Ok(p)
}

/// Issues a credential of `schema` (by name, `kyc`) with the claims in `claims_file` to
/// `subject`, and writes it to `out` (outside the data directory; over an existing file only
/// with `force`).
///
/// # Errors
/// An output path the rule refuses (checked before a status index is allocated); input errors
/// for the schema name, the claims file and the DID; the claims' schema violations; vault and
/// chain errors.
pub(crate) fn issue(
    ctx: &Context,
    schema: &str,
    claims_file: &Path,
    subject: &str,
    valid_days: u32,
    out: &Path,
    force: bool,
) -> anyhow::Result<issuer::Issued> {
    output::check_output(ctx, out, force)?;
    let schema = CredentialSchema::from_name(schema).ok_or_else(|| {
        let known: Vec<&str> = CredentialSchema::ALL.iter().map(|s| s.name()).collect();
        exit::input(format!(
            "unknown schema `{schema}`; known: {}",
            known.join(", ")
        ))
    })?;
    let claims = input::read_json(claims_file, "claims file")?;
    let subject =
        Did::parse(subject).map_err(|e| exit::input(format!("--subject {subject}: {e}")))?;
    let mut vault = ctx.unlock()?;
    let ledger = ctx.ledger()?;
    let issued = issuer::issue(
        &mut vault,
        &ledger,
        &IssueRequest {
            schema,
            claims,
            subject: Some(subject),
            valid_days,
        },
        &SystemClock,
    )?;
    // The vault first: the status index must stay allocated even if writing the file fails.
    ctx.save(&vault)?;
    let text = serde_json::to_string_pretty(&issued.document)?;
    output::write_output(ctx, out, text.as_bytes(), force)?;
    Ok(issued)
}

/// Revokes, suspends or unsuspends the credential named by `target` (a credential file or its
/// status index).
///
/// # Errors
/// Input errors for the target; the chain's refusal (e.g. lifting a revocation).
pub(crate) fn change_status(
    ctx: &Context,
    target: &str,
    change: StatusChange,
) -> anyhow::Result<issuer::StatusChanged> {
    let target = match target.parse::<u64>() {
        Ok(i) => StatusTarget::Index(i),
        Err(_) => StatusTarget::Credential(input::read_json(Path::new(target), "credential")?),
    };
    let vault = ctx.unlock()?;
    let ledger = ctx.ledger()?;
    Ok(issuer::change_status(&vault, &ledger, &target, change)?)
}

fn status(ctx: &Context, target: &str, change: StatusChange) -> anyhow::Result<()> {
    let changed = change_status(ctx, target, change)?;
    let record = changed.record;
    // What the chain says now, not what was asked for.
    // The JSON word is the one `issuer list` uses, so scripts compare one vocabulary.
    let (word, done) = match (changed.status.revoked, changed.status.suspended) {
        (true, _) => ("revoked", "revoked"),
        (false, true) => ("suspended", "suspended"),
        (false, false) => ("valid", "valid (neither revoked nor suspended)"),
    };
    output::print(
        ctx.json,
        &json!({ "statusIndex": record.index, "subject": record.subject, "status": word }),
        &format!(
            "Credential {} (issued to {}) is {done} on the chain.\n",
            record.index,
            subject_label(&record.subject)
        ),
    );
    Ok(())
}

/// Everything this issuer issued, with the status bits the chain has now.
///
/// # Errors
/// Vault and chain errors.
pub(crate) fn list(ctx: &Context) -> anyhow::Result<Vec<IssuedStatus>> {
    let vault = ctx.unlock()?;
    let ledger = ctx.ledger()?;
    Ok(issuer::list(&vault, &ledger)?)
}

/// The subject DID, or "(no subject)" for a bearer credential.
fn subject_label(subject: &Option<Did>) -> String {
    subject
        .as_ref()
        .map_or_else(|| "(no subject)".to_owned(), Did::to_string)
}

fn status_word(s: &IssuedStatus) -> String {
    match &s.status {
        Ok(b) if b.revoked => "revoked".into(),
        Ok(b) if b.suspended => "suspended".into(),
        Ok(_) => "valid".into(),
        Err(e) => format!("unknown ({e})"),
    }
}

fn list_json(rows: &[IssuedStatus]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "statusIndex": r.record.index,
                    "subject": r.record.subject,
                    "schema": r.record.schema,
                    "validFrom": r.record.valid_from,
                    "validUntil": r.record.valid_until,
                    "status": status_word(r),
                })
            })
            .collect(),
    )
}

fn render_list(rows: &[IssuedStatus]) -> String {
    if rows.is_empty() {
        return "Nothing issued yet.\n".into();
    }
    // Status indexes are random below 2^53: up to 16 digits.
    let mut s = format!(
        "{:>16}  status     valid until            subject\n",
        "index"
    );
    for r in rows {
        s.push_str(&format!(
            "{:>16}  {:<9}  {:<21}  {}\n",
            r.record.index,
            status_word(r),
            r.record.valid_until,
            subject_label(&r.record.subject)
        ));
    }
    s
}
