//! `siegel`: Siegel's command-line wallet for holders, issuers and verifiers.
//!
//! The binary only parses, prompts and renders: every operation is a call into
//! `wallet_core`'s application layer (issuer, holder, request, verify) and `registry` (the
//! chain). See `siegel --help`.

mod cli;
mod commands;
mod context;
mod exit;
mod input;
mod output;
mod passphrase;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; every usage error exits 2.
            let code = if e.use_stderr() {
                exit::INPUT
            } else {
                exit::OK
            };
            let _ = e.print();
            return exit::code(code);
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(code) => exit::code(code),
        Err(err) => {
            let category = exit::categorize(&err);
            output::print_error(json, &err, category);
            exit::code(category.exit_code())
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<u8> {
    let ctx = context::Context::from_cli(cli.data_dir, cli.chain, cli.json)?;
    commands::run(&ctx, cli.command)
}
