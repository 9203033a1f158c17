//! The command line: clap derive types only; no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use registry::connect::ChainSpec;

/// Siegel: a self-sovereign identity wallet for holders, issuers and verifiers.
#[derive(Debug, Parser)]
#[command(
    name = "siegel",
    version,
    about = "Siegel: keep verifiable credentials and show a verifier only what it needs",
    long_about = "Siegel: keep verifiable credentials and show a verifier only what it needs.\n\n\
        One data directory is one participant: a holder's wallet, an issuer's desk, a verifier's \
        trust list and nonces. Issuer and holder DIDs are did:ethr identities on an EVM chain \
        (the embedded development chain by default).\n\n\
        Passphrases are asked on the terminal, or read from SIEGEL_PASSPHRASE (and \
        SIEGEL_BACKUP_PASSPHRASE for backups) in scripts.\n\n\
        Exit codes: 0 ok (or a valid presentation), 1 invalid, refused or unreachable, \
        2 usage or input error.",
    after_help = "Start with `siegel demo` to see the whole story, or `siegel init` for a wallet."
)]
pub(crate) struct Cli {
    /// The data directory (wallet, issuer records, verifier state) [default: the platform's data
    /// directory for siegel]
    #[arg(long, global = true, env = "SIEGEL_HOME", value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,

    /// The chain: `dev` (embedded, in the data directory), `dev:PATH` (embedded, shared by several
    /// data directories) or an http(s) JSON-RPC URL
    #[arg(long, global = true, default_value = "dev", value_name = "dev|dev:PATH|URL",
          value_parser = clap::value_parser!(ChainSpec))]
    pub(crate) chain: ChainSpec,

    /// Machine-readable JSON on stdout; errors as JSON on stderr
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a wallet and the holder's did:ethr identity
    #[command(
        long_about = "Create a new wallet (an encrypted vault in the data directory) and \
        the holder's did:ethr identity: an Ethereum account plus an Ed25519 key for signing \
        presentations, published on the chain. Prints the DID.\n\n\
        The vault's key derivation uses Argon2id with the default parameters (about a second). \
        SIEGEL_KDF=minimum selects the smallest parameters: for tests only, it makes the \
        passphrase much easier to guess.",
        after_help = "Example:\n  siegel --data-dir ~/alice init"
    )]
    Init,

    /// Show and resolve DIDs
    #[command(subcommand)]
    Did(DidCommand),

    /// Issue credentials and manage their status (the issuer's desk)
    #[command(subcommand)]
    Issuer(IssuerCommand),

    /// Keep credentials and answer presentation requests (the holder's wallet)
    #[command(subcommand)]
    Holder(HolderCommand),

    /// Request and verify presentations, and keep the list of trusted issuers
    #[command(subcommand)]
    Verifier(VerifierCommand),

    /// Show what the wallet disclosed, to whom and when
    History,

    /// Export or restore an encrypted backup of the wallet
    #[command(subcommand)]
    Backup(BackupCommand),

    /// Tell the whole story in a temporary directory: issue, request, present, verify, revoke
    #[command(
        long_about = "Tell the whole story in a temporary directory, narrated step by \
        step: a bank registers and issues a KYC attestation; a lender requests \"over 18\" and \
        the income band; the holder presents only those; the lender verifies and shows what it \
        learned and what stayed hidden; a replay is refused; the bank revokes and the next \
        verification fails. Three data directories (bank, holder, lender) share one embedded \
        chain. No passphrase prompts: the demo sets its own and uses the smallest key derivation \
        parameters so it runs fast.",
        after_help = "Example:\n  cargo run --release -p wallet-cli -- demo"
    )]
    Demo(DemoArgs),
}

/// `siegel did …`
#[derive(Debug, Subcommand)]
pub(crate) enum DidCommand {
    /// List the DIDs of this wallet (holder and issuer)
    List,
    /// Show this wallet's DID documents as the chain has them now
    Show,
    /// Resolve any did:ethr and print its DID document (JSON)
    #[command(after_help = "Example:\n  siegel did resolve did:ethr:0x539:0xabc… --at-block 12")]
    Resolve {
        /// The DID
        did: String,
        /// Resolve as of this block instead of the chain head
        #[arg(long, value_name = "N")]
        at_block: Option<u64>,
    },
}

/// `siegel issuer …`
#[derive(Debug, Subcommand)]
pub(crate) enum IssuerCommand {
    /// Create the issuer identity: an account and a BBS key published on the chain
    #[command(
        after_help = "Example:\n  siegel --data-dir ~/bank issuer init --name \"Example Bank KYC\""
    )]
    Init {
        /// The issuer's display name
        #[arg(long)]
        name: String,
    },
    /// Issue a credential with on-chain status
    #[command(
        long_about = "Issue a credential: the claims are validated against the schema \
        (each problem named by field), a random status index is drawn, and the credential is \
        signed with the issuer's BBS key (bbs-2023, every claim selectively disclosable).",
        after_help = "Example:\n  siegel issuer issue --schema kyc --claims assets/samples/kyc-claims.json \\\n      --subject did:ethr:0x539:0x… --valid-days 365 --out ada-kyc.json"
    )]
    Issue {
        /// The credential schema (`kyc`)
        #[arg(long, default_value = "kyc")]
        schema: String,
        /// The subject's claims (a JSON object)
        #[arg(long, value_name = "FILE.json")]
        claims: PathBuf,
        /// The holder's DID
        #[arg(long, value_name = "DID")]
        subject: String,
        /// Days of validity from now
        #[arg(long, default_value_t = 365, value_name = "N")]
        valid_days: u32,
        /// Where to write the credential (outside the data directory)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the --out file if it exists
        #[arg(long)]
        force: bool,
    },
    /// Revoke a credential (permanent)
    Revoke(StatusTargetArgs),
    /// Suspend a credential (can be lifted)
    Suspend(StatusTargetArgs),
    /// Lift a suspension
    Unsuspend(StatusTargetArgs),
    /// List issued credentials and their status as the chain has it
    List,
}

/// Which credential a status change is about.
#[derive(Debug, Args)]
pub(crate) struct StatusTargetArgs {
    /// A credential file this issuer issued (its own status entry is used, so this works even
    /// when the wallet was restored from a backup older than the credential), or a status index
    /// from `issuer list`
    #[arg(value_name = "CREDENTIAL|INDEX")]
    pub(crate) credential: String,
}

/// `siegel holder …`
#[derive(Debug, Subcommand)]
pub(crate) enum HolderCommand {
    /// Check a credential (issuer key on the chain, schema) and store it
    #[command(after_help = "Example:\n  siegel holder import ada-kyc.json")]
    Import {
        /// The credential file
        file: PathBuf,
    },
    /// List stored credentials
    List,
    /// Show one stored credential
    Show {
        /// The credential id (from `holder list`; a unique prefix of at least 4 characters is
        /// enough)
        id: String,
    },
    /// Delete a stored credential
    Delete {
        /// The credential id (a unique prefix of at least 4 characters is enough)
        id: String,
    },
    /// Replace the key that signs presentations, withdrawing the old one from the DID document
    #[command(
        long_about = "Replace the holder's presentation key: publish a new Ed25519 key in \
        the DID document, then withdraw the old one, whose secret is dropped only once the \
        chain confirmed the withdrawal. If the withdrawal fails, the old key stays listed (it \
        still verifies) and its secret is kept; running this again, or with --retry-withdraw, \
        retries it.",
        after_help = "Examples:\n  siegel holder rotate-key\n  siegel holder rotate-key --retry-withdraw"
    )]
    RotateKey {
        /// Only retry withdrawing former keys a failed rotation left listed; no new key
        #[arg(long)]
        retry_withdraw: bool,
    },
    /// Answer a presentation request with exactly the requested claims
    #[command(
        long_about = "Answer a presentation request: derive a proof that discloses \
        exactly the requested claims (and the optional ones with --optional), sign the \
        presentation with the holder's key, bound to the request's nonce and domain, and record \
        the disclosure in the history.",
        after_help = "Example:\n  siegel holder present 3f2a… --request request.json --out presentation.json"
    )]
    Present {
        /// The credential id (a unique prefix of at least 4 characters is enough)
        id: String,
        /// The request file
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
        /// Where to write the presentation (outside the data directory)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also disclose the claims the request marks optional
        #[arg(long)]
        optional: bool,
        /// Replace the --out file if it exists
        #[arg(long)]
        force: bool,
    },
}

/// `siegel verifier …`
#[derive(Debug, Subcommand)]
pub(crate) enum VerifierCommand {
    /// Write a presentation request (OpenID4VP DCQL query with a fresh nonce)
    #[command(
        after_help = "Example:\n  siegel verifier request --claims ageOver18,incomeBand \
        --domain loans.lender.example --out request.json"
    )]
    Request {
        /// Required claims, comma-separated
        #[arg(long, value_delimiter = ',', required = true, value_name = "C,...")]
        claims: Vec<String>,
        /// Optional claims, comma-separated
        #[arg(long, value_delimiter = ',', value_name = "C,...")]
        optional: Vec<String>,
        /// This verifier's domain (the OpenID4VP client_id)
        #[arg(long)]
        domain: String,
        /// Why the claims are asked for, shown to the holder (at most 200 characters)
        #[arg(long, default_value = "", value_name = "TEXT")]
        purpose: String,
        /// How long the request stays valid (e.g. 90s, 10m, 2h; at most 30d)
        #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
        expires_in: u64,
        /// Where to write the request (outside the data directory)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the --out file if it exists
        #[arg(long)]
        force: bool,
    },
    /// Verify a presentation against the request; exit 0 valid, 1 invalid, 2 input error
    #[command(
        long_about = "Verify a presentation against the request it answers and print the \
        report: every check named, passed or failed with a reason, and the disclosed claims. \
        Reads the issuer's and the holder's keys and the status bits from the chain; the nonce \
        is accepted once.\n\nExit codes: 0 valid, 1 invalid, 2 usage or input error.",
        after_help = "Example:\n  siegel verifier verify presentation.json --request request.json"
    )]
    Verify {
        /// The presentation file
        file: PathBuf,
        /// The request it answers
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
        /// Refuse bearer credentials too: every credential must name its subject, and the
        /// presentation be signed by it (by default only a credential that names its subject
        /// must be presented by that subject)
        #[arg(long, conflicts_with = "no_holder_binding")]
        holder_binding: bool,
        /// Do not check holder binding at all: accept a credential from whoever presents it
        /// (bearer use; the answer is still bound to this request)
        #[arg(long)]
        no_holder_binding: bool,
    },
    /// Manage the issuers this verifier trusts
    #[command(subcommand)]
    Trust(TrustCommand),
}

/// `siegel verifier trust …`
#[derive(Debug, Subcommand)]
pub(crate) enum TrustCommand {
    /// Trust an issuer
    Add {
        /// The issuer's DID
        did: String,
    },
    /// Stop trusting an issuer
    Remove {
        /// The issuer's DID
        did: String,
    },
    /// List trusted issuers
    List,
}

/// `siegel backup …`
#[derive(Debug, Subcommand)]
pub(crate) enum BackupCommand {
    /// Write an encrypted backup under a separate backup passphrase
    #[command(after_help = "Example:\n  siegel backup export ~/siegel-backup.siegel")]
    Export {
        /// The backup file (must not exist; outside the data directory)
        file: PathBuf,
    },
    /// Restore the wallet from a backup (refuses to replace an existing wallet)
    #[command(
        after_help = "Example:\n  siegel --data-dir ~/restored backup import ~/siegel-backup.siegel"
    )]
    Import {
        /// The backup file
        file: PathBuf,
    },
}

/// `siegel demo` options.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Keep the demo's files in this directory instead of a temporary one
    #[arg(long, value_name = "DIR")]
    pub(crate) keep: Option<PathBuf>,
}

/// Seconds from `90s`, `10m`, `2h`, `1d` or a bare number of seconds.
pub(crate) fn parse_duration(s: &str) -> Result<u64, String> {
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = digits.parse().map_err(|e: std::num::ParseIntError| {
        if *e.kind() == std::num::IntErrorKind::PosOverflow {
            format!("`{s}` is too long")
        } else {
            format!("`{s}` is not a duration (e.g. 90s, 10m, 2h)")
        }
    })?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{s}`: the unit must be s, m, h or d")),
    };
    match n.checked_mul(unit) {
        Some(0) => Err("the duration must be more than zero".into()),
        Some(secs) => Ok(secs),
        None => Err(format!("`{s}` is too long")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("10m").unwrap(), 600);
        assert_eq!(parse_duration("2h").unwrap(), 7200);
        assert_eq!(parse_duration("45").unwrap(), 45);
        assert!(parse_duration("0m").unwrap_err().contains("more than zero"));
        assert!(parse_duration("10y").unwrap_err().contains("unit"));
        assert!(parse_duration("m").unwrap_err().contains("not a duration"));
        // Overflow is refused, never wrapped or saturated.
        assert!(
            parse_duration("213503982334602d")
                .unwrap_err()
                .contains("too long")
        );
        assert!(
            parse_duration("99999999999999999999999s")
                .unwrap_err()
                .contains("too long")
        );
    }
}
