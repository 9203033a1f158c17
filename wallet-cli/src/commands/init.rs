//! `siegel init`: a new wallet and the holder's did:ethr identity.

use serde_json::json;
use wallet_core::did::Did;
use wallet_core::holder;

use crate::context::Context;
use crate::{exit, output};

/// What `init` made.
#[derive(Debug)]
pub(crate) struct Initialised {
    /// The holder's DID.
    pub(crate) did: Did,
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
            format!("Wallet in {} set up.\n", ctx.data_dir().display())
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

/// Creates the wallet (or opens one that has no holder identity yet: an issuer's wallet, or one
/// whose first `init` could not reach the chain) and sets up the holder identity on the chain.
///
/// # Errors
/// "a wallet already exists" when it has a holder identity; vault and chain errors.
pub(crate) fn init(ctx: &Context) -> anyhow::Result<Initialised> {
    let created_vault = !ctx.vault_path().exists();
    // Fail before the passphrase prompt when the chain is down.
    ctx.chain()?;
    let mut vault = ctx.unlock_or_create()?;
    if let Some(id) = holder::identity(&vault)? {
        return Err(exit::input(format!(
            "a wallet already exists in {} (DID {}); use it, or pick another --data-dir",
            ctx.data_dir().display(),
            id.did
        )));
    }
    let ledger = ctx.ledger()?;
    let id = holder::setup(&mut vault, &ledger)?;
    ctx.save(&vault)?;
    Ok(Initialised {
        did: id.did,
        created_vault,
    })
}
