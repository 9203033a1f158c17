//! `siegel holder import|list|show|delete|rotate-key|present`: the holder's wallet.

use std::path::Path;

use serde_json::{Value, json};
use wallet_core::credential::shown;
use wallet_core::di::SystemClock;
use wallet_core::holder::{self, Answer, CredentialSummary, CredentialView, OptionalClaims};
use wallet_core::request::PresentationRequest;
use wallet_core::vault::{CredentialId, Vault};

use crate::cli::HolderCommand;
use crate::commands::history::short_id;
use crate::context::Context;
use crate::output::untrusted;
use crate::{exit, input, output};

/// Runs `siegel holder …`.
///
/// # Errors
/// Vault, chain and application-layer errors.
pub(crate) fn run(ctx: &Context, command: HolderCommand) -> anyhow::Result<u8> {
    match command {
        HolderCommand::Import { file } => {
            let s = import(ctx, &file)?;
            output::print(
                ctx.json,
                &json!(s),
                &format!(
                    "Checked and stored as {} ({}): {} from {}.\nClaims: {}\n",
                    short_id(s.id.as_str()),
                    s.id,
                    joined(&s.types),
                    issuer_text(&s),
                    joined(&s.claims)
                ),
            );
        }
        HolderCommand::List => {
            let vault = ctx.unlock()?;
            let list = holder::list(&vault);
            output::print(ctx.json, &json!(list), &render_list(&list));
        }
        HolderCommand::Show { id } => {
            let vault = ctx.unlock()?;
            let id = resolve_id(&vault, &id)?;
            let view = holder::show(&vault, &id)?;
            output::print(ctx.json, &json!(view), &render_view(&view));
        }
        HolderCommand::Delete { id } => {
            let mut vault = ctx.unlock()?;
            let id = resolve_id(&vault, &id)?;
            let s = holder::delete(&mut vault, &id)?;
            ctx.save(&vault)?;
            output::print(
                ctx.json,
                &json!({ "deleted": s.id }),
                &format!("Deleted {} ({}).\n", s.id, untrusted(&s.label)),
            );
        }
        HolderCommand::RotateKey { retry_withdraw } => {
            let me = rotate_key(ctx, retry_withdraw)?;
            output::print(
                ctx.json,
                &json!({ "did": me.did, "method": me.method, "retiredKeys": me.retired_keys().len() }),
                &format!(
                    "Presentations are signed with {}; no former key is left in the DID document.\n",
                    me.method
                ),
            );
        }
        HolderCommand::Present {
            id,
            request,
            out,
            optional,
            force,
        } => {
            let (req, answer) = present(ctx, &id, &request, &out, optional, force)?;
            output::print(
                ctx.json,
                &json!({
                    "out": out,
                    "verifier": req.client_id.to_string(),
                    "disclosed": answer.disclosed,
                    "withheld": answer.withheld,
                    "alsoShown": answer.also_shown,
                }),
                &format!(
                    "Presentation for {} written to {}.\n  disclosed: {}\n  withheld:  {}\n  also shown (part of every presentation of it):\n{}",
                    untrusted(req.client_id.as_str()),
                    out.display(),
                    joined(&answer.disclosed),
                    joined(&answer.withheld),
                    output::table(
                        &answer
                            .also_shown
                            .iter()
                            .map(|s| {
                                (
                                    format!("  {}", untrusted(shown::label(&s.path))),
                                    untrusted(&s.value).into_owned(),
                                )
                            })
                            .collect::<Vec<_>>()
                    )
                ),
            );
        }
    }
    Ok(exit::OK)
}

/// Rotates the presentation key (or with `retry_withdraw` only retries withdrawing former ones).
/// The vault is saved whatever happened: after a failed withdrawal it holds the new key and the
/// old secrets still to withdraw.
///
/// # Errors
/// Vault and chain errors; [`wallet_core::app::AppError::Unfinished`] when a withdrawal failed.
pub(crate) fn rotate_key(
    ctx: &Context,
    retry_withdraw: bool,
) -> anyhow::Result<holder::HolderIdentity> {
    let mut vault = ctx.unlock()?;
    let ledger = ctx.ledger()?;
    let result = if retry_withdraw {
        holder::withdraw_retired_keys(&mut vault, &ledger)
    } else {
        holder::rotate_auth_key(&mut vault, &ledger)
    };
    ctx.save(&vault)?;
    Ok(result?)
}

/// Checks the credential in `file` against the chain and the schema, and stores it.
///
/// # Errors
/// An oversize or unreadable file; the check that refused it; vault and chain errors.
pub(crate) fn import(ctx: &Context, file: &Path) -> anyhow::Result<CredentialSummary> {
    let bytes = input::read_json_bytes(file, "credential")?;
    let mut vault = ctx.unlock()?;
    let ledger = ctx.ledger()?;
    let summary = holder::receive(&mut vault, &ledger, &bytes, &SystemClock)?;
    ctx.save(&vault)?;
    Ok(summary)
}

/// Answers the request in `request_file` with stored credential `id` and writes the
/// presentation to `out` (outside the data directory; over an existing file only with `force`);
/// the disclosure is recorded in the history.
///
/// # Errors
/// An output path the rule refuses (checked before anything is disclosed); an unreadable or
/// invalid request; a credential that cannot answer it; vault errors.
pub(crate) fn present(
    ctx: &Context,
    id: &str,
    request_file: &Path,
    out: &Path,
    include_optional: bool,
    force: bool,
) -> anyhow::Result<(PresentationRequest, Answer)> {
    output::check_output(ctx, out, force)?;
    let request = read_request(request_file)?;
    let mut vault = ctx.unlock()?;
    let id = resolve_id(&vault, id)?;
    let optional = if include_optional {
        OptionalClaims::All
    } else {
        OptionalClaims::None
    };
    let answer = holder::answer(&mut vault, &id, &request, &optional, &SystemClock)?;
    // The history first: nothing leaves the wallet unrecorded.
    ctx.save(&vault)?;
    let text = serde_json::to_string_pretty(&answer.presentation)?;
    output::write_output(ctx, out, text.as_bytes(), force)?;
    Ok((request, answer))
}

/// Reads and parses a presentation request file (size-capped before parsing).
///
/// # Errors
/// An input error naming the file.
pub(crate) fn read_request(file: &Path) -> anyhow::Result<PresentationRequest> {
    let bytes = input::read_document(file, "request")?;
    PresentationRequest::parse(&bytes).map_err(|e| {
        exit::input(format!(
            "the request {} cannot be used: {e}",
            file.display()
        ))
    })
}

/// The full id of the stored credential whose id starts with `prefix`.
fn resolve_id(vault: &Vault, prefix: &str) -> anyhow::Result<CredentialId> {
    holder::find(vault, prefix).map_err(|e| exit::input(e.to_string()))
}

/// "Name (did:…)", or the DID alone when the issuer signed no name; both as the issuer wrote
/// them, escaped.
fn issuer_text(c: &CredentialSummary) -> String {
    match &c.issuer_name {
        Some(name) => format!("{} ({})", untrusted(name), untrusted(&c.issuer)),
        None => untrusted(&c.issuer).into_owned(),
    }
}

/// Names from a credential or request (types, claims), escaped and comma-separated.
fn joined(items: &[String]) -> String {
    items
        .iter()
        .map(|i| untrusted(i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_list(list: &[CredentialSummary]) -> String {
    if list.is_empty() {
        return "No credentials yet: `siegel holder import FILE`.\n".into();
    }
    let mut s = String::new();
    for c in list {
        s.push_str(&format!(
            "{}  {}  from {}  until {}\n    claims: {}\n",
            short_id(c.id.as_str()),
            untrusted(c.types.last().map_or("credential", String::as_str)),
            issuer_text(c),
            untrusted(c.valid_until.as_deref().unwrap_or("(no end)")),
            joined(&c.claims)
        ));
    }
    s
}

fn render_view(v: &CredentialView) -> String {
    let shown = |t: &Option<String>| untrusted(t.as_deref().unwrap_or_default()).into_owned();
    let mut rows = vec![
        ("id".to_owned(), v.summary.id.to_string()),
        ("type".to_owned(), joined(&v.summary.types)),
        ("issuer".to_owned(), issuer_text(&v.summary)),
        ("valid from".to_owned(), shown(&v.valid_from)),
        ("valid until".to_owned(), shown(&v.summary.valid_until)),
    ];
    if let Some(i) = v.status_index {
        rows.push(("status index".to_owned(), i.to_string()));
    }
    for (k, val) in &v.claim_values {
        let shown = match val {
            Value::String(s) => untrusted(s).into_owned(),
            other => untrusted(&other.to_string()).into_owned(),
        };
        rows.push((untrusted(k).into_owned(), shown));
    }
    output::table(&rows)
}
