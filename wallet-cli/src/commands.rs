//! One module per command group. Each exposes the operation as a function over a
//! [`Context`] returning a typed result, and a renderer; the demo calls
//! the same functions.

pub(crate) mod backup;
pub(crate) mod demo;
pub(crate) mod did;
pub(crate) mod history;
pub(crate) mod holder;
pub(crate) mod init;
pub(crate) mod issuer;
pub(crate) mod verifier;

use crate::cli::Command;
use crate::context::Context;

/// Runs `command`; returns the exit code of a command that finished (0, or 1 for an invalid
/// presentation).
///
/// # Errors
/// Whatever the command reports.
pub(crate) fn run(ctx: &Context, command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Init => init::run(ctx),
        Command::Did(c) => did::run(ctx, c),
        Command::Issuer(c) => issuer::run(ctx, c),
        Command::Holder(c) => holder::run(ctx, c),
        Command::Verifier(c) => verifier::run(ctx, c),
        Command::History => history::run(ctx),
        Command::Backup(c) => backup::run(ctx, c),
        Command::Demo(a) => demo::run(ctx, &a),
    }
}
