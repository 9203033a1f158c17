//! `siegel backup export|import`: an encrypted copy of the wallet under a separate backup
//! passphrase.

use std::path::Path;

use serde_json::json;
use wallet_core::vault::{Overwrite, Vault};

use crate::cli::BackupCommand;
use crate::context::{Context, vault_error};
use crate::passphrase::Kind;
use crate::{exit, output, progress};

/// Runs `siegel backup …`.
///
/// # Errors
/// The vault's errors; an existing backup or wallet is never overwritten.
pub(crate) fn run(ctx: &Context, command: BackupCommand) -> anyhow::Result<u8> {
    match command {
        BackupCommand::Export { file } => {
            export(ctx, &file)?;
            output::print(
                ctx.json,
                &json!({ "backup": file }),
                &format!(
                    "Backup written to {}. Keep the backup passphrase apart from it.",
                    file.display()
                ),
            );
        }
        BackupCommand::Import { file } => {
            import(ctx, &file)?;
            output::print(
                ctx.json,
                &json!({ "restored": ctx.vault_path() }),
                &format!(
                    "Wallet restored from {} into {}.",
                    file.display(),
                    ctx.data_dir().display()
                ),
            );
        }
    }
    Ok(exit::OK)
}

/// Writes a backup of the wallet to `file`.
///
/// # Errors
/// The vault's errors; [`wallet_core::vault::Error::AlreadyExists`] if `file` exists.
pub(crate) fn export(ctx: &Context, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        return Err(exit::input(format!(
            "{} already exists; choose another file name (a backup is never overwritten)",
            file.display()
        )));
    }
    // A backup inside the data directory would go with it (and could take a wallet file's name).
    output::check_output(ctx, file, false)?;
    let vault = ctx.unlock()?;
    let pass = ctx.passphrases().new_passphrase(Kind::Backup)?;
    progress::with_spinner(ctx.spinner(), "encrypting the backup", || {
        vault.export_backup(file, &pass, Some(ctx.kdf()), Overwrite::Refuse)
    })
    .map_err(|e| vault_error(e, ctx.data_dir()))
}

/// Restores the wallet from `file` (the data directory must not hold a wallet yet).
///
/// # Errors
/// "wrong passphrase" for the backup passphrase, an existing wallet, the vault's errors.
pub(crate) fn import(ctx: &Context, file: &Path) -> anyhow::Result<()> {
    if !file.exists() {
        return Err(exit::input(format!("no backup file at {}", file.display())));
    }
    if ctx.vault_path().exists() {
        return Err(exit::input(format!(
            "a wallet already exists in {}; restore into another --data-dir",
            ctx.data_dir().display()
        )));
    }
    ctx.ensure_data_dir()?;
    let backup_pass = ctx.passphrases().existing(Kind::Backup)?;
    let vault_pass = ctx.passphrases().new_passphrase(Kind::Vault)?;
    let vault = progress::with_spinner(ctx.spinner(), "restoring the wallet", || {
        Vault::restore_backup(
            file,
            &backup_pass,
            &ctx.vault_path(),
            &vault_pass,
            ctx.kdf(),
            Overwrite::Refuse,
        )
    })
    .map_err(|e| match e {
        wallet_core::vault::Error::WrongPassphrase => {
            exit::input("wrong backup passphrase (SIEGEL_BACKUP_PASSPHRASE or the prompt)")
        }
        other => vault_error(other, ctx.data_dir()),
    })?;
    vault.lock();
    Ok(())
}
