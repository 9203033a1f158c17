//! `siegel did list|show|resolve`.

use serde_json::{Value, json};

use crate::cli::DidCommand;
use crate::commands::pending;
use crate::context::Context;
use crate::{exit, output};

/// Runs `siegel did …`.
///
/// # Errors
/// Vault and chain errors; an invalid or foreign DID is an input error.
pub(crate) fn run(ctx: &Context, command: DidCommand) -> anyhow::Result<u8> {
    match command {
        DidCommand::List => Err(pending("holder::identity / issuer::profile")),
        DidCommand::Show => Err(pending("holder::identity / issuer::profile")),
        DidCommand::Resolve { did, at_block } => {
            let doc = resolve(ctx, &did, at_block)?;
            // The document is the output in both modes: it is JSON by nature.
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            output::print(ctx.json, &doc, &text);
            Ok(exit::OK)
        }
    }
}

/// The DID document of `did` on the context's chain, now or as of `at_block`.
///
/// # Errors
/// An input error for a DID that is not a did:ethr of this chain or a block beyond the head; a
/// retryable error when the node cannot be reached.
pub(crate) fn resolve(ctx: &Context, did: &str, at_block: Option<u64>) -> anyhow::Result<Value> {
    use registry::resolver::{ResolveError, Resolver};
    let (chain, deployment) = ctx.chain()?;
    let resolver = Resolver::new(chain.as_ref(), deployment.did_registry);
    match resolver.resolve_str(did, at_block) {
        Ok(r) => Ok(json!({
            "didDocument": r.document,
            "didDocumentMetadata": r.metadata,
        })),
        Err(
            e @ (ResolveError::InvalidDid(_)
            | ResolveError::WrongNetwork { .. }
            | ResolveError::FutureBlock { .. }),
        ) => Err(exit::input(format!("{did}: {e}"))),
        Err(ResolveError::Chain(registry::chain::ChainError::Transport(t))) => {
            Err(exit::retry(format!(
                "the {} is unreachable — is it running? retry ({t})",
                ctx.chain_label()
            )))
        }
        Err(e) => Err(exit::refused(format!("{did} could not be resolved: {e}"))),
    }
}
