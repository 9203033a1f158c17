//! `siegel init`: a new wallet and the holder's did:ethr identity.

use serde_json::json;

use crate::commands::pending;
use crate::context::Context;
use crate::{exit, output};

/// What `init` made.
#[derive(Debug)]
pub(crate) struct Initialised {
    /// The holder's DID.
    pub(crate) did: String,
    /// Whether the vault was created now (false: an existing wallet got its identity).
    pub(crate) created_vault: bool,
}

/// Runs `siegel init`.
///
/// # Errors
/// Vault and chain errors.
pub(crate) fn run(ctx: &Context) -> anyhow::Result<u8> {
    let done = init(ctx)?;
    let text = format!(
        "{}Your DID: {}\n",
        if done.created_vault {
            format!("Wallet created in {}.\n", ctx.data_dir().display())
        } else {
            String::new()
        },
        done.did
    );
    output::print(
        ctx.json,
        &json!({ "did": done.did, "vault": ctx.vault_path(), "created": done.created_vault }),
        &text,
    );
    Ok(exit::OK)
}

/// Creates the wallet (or opens one that has no identity yet, e.g. after the chain was
/// unreachable during the first `init`) and sets up the holder identity.
///
/// # Errors
/// "a wallet already exists" when it has an identity; vault and chain errors.
pub(crate) fn init(ctx: &Context) -> anyhow::Result<Initialised> {
    let created_vault = !ctx.vault_path().exists();
    let vault = if created_vault {
        ctx.create_vault()?
    } else {
        ctx.unlock()?
    };
    drop(vault);
    Err(pending("holder::setup"))
}
