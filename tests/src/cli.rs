//! Fixtures for driving the real `siegel` binary: finding (and if needed building) it, one data
//! directory per party around one shared chain, a library view of that chain for the steps the
//! CLI has no command for, and an anvil node.
#![allow(
    clippy::panic,
    reason = "test fixtures: a broken fixture fails the test"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use registry::chain::{Chain, DevChain};
use registry::contracts::Deployment;
use registry::ledger::ChainLedger;
use wallet_core::vault::{Passphrase, Vault};

/// The passphrase of every party's vault (`SIEGEL_PASSPHRASE`).
pub const PASSPHRASE: &str = "correct horse battery staple";

/// The `siegel` binary of this checkout, built at most once per test process.
///
/// The binary belongs to `wallet-cli`, so cargo does not set `CARGO_BIN_EXE_siegel` here and does
/// not rebuild it before these tests run: a binary left in the target directory by an earlier
/// build could be older than the sources. So the first call runs `cargo build -p wallet-cli --bin
/// siegel` with the profile and target directory of this test executable (a no-op of about a
/// second when it is fresh) and takes the path cargo reports. Only when cargo cannot be run (a
/// test executable started by hand) does it take the binary where `assert_cmd::cargo::cargo_bin`
/// looks, next to the test executable's `deps/`. `SIEGEL_BIN` overrides both.
///
/// # Panics
/// When the build fails or no binary can be found.
pub fn siegel_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("SIEGEL_BIN") {
            return PathBuf::from(bin);
        }
        match build_siegel() {
            Ok(Some(bin)) => bin,
            // A build that fails is a failure: an older binary must not pass for this checkout.
            Err(why) => panic!("no siegel binary: {why}"),
            Ok(None) => {
                let next_to_tests = profile_dir()
                    .map(|d| d.join(format!("siegel{}", std::env::consts::EXE_SUFFIX)));
                match next_to_tests {
                    Some(bin) if bin.is_file() => {
                        eprintln!(
                            "note: cargo is not available; using {} as found",
                            bin.display()
                        );
                        bin
                    }
                    _ => panic!("no siegel binary: cargo is not available and none was built"),
                }
            }
        }
    })
}

/// `<target>/<profile>`: the directory above this test executable's `deps/`.
fn profile_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    Some(if dir.ends_with("deps") {
        dir.parent()?.to_path_buf()
    } else {
        dir.to_path_buf()
    })
}

/// Builds `siegel` with this test executable's profile and returns the executable cargo reports,
/// or `None` when cargo cannot be run at all.
fn build_siegel() -> Result<Option<PathBuf>, String> {
    let profile_dir = profile_dir().ok_or("cannot locate the test executable")?;
    let target_dir = profile_dir
        .parent()
        .ok_or("the test executable is not in a target directory")?;
    // `cargo test` builds with the `test` profile, whose output directory is `debug`; building
    // `siegel` with `dev` instead would relink the same file with other settings on every run.
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "test".to_owned(),
        Some("release") => "release".to_owned(),
        Some(other) => other.to_owned(),
        None => return Err("the profile directory has no name".into()),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let out = match Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--message-format",
            "json",
            "-p",
            "wallet-cli",
            "--bin",
            "siegel",
        ])
        .args(["--profile", &profile])
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", target_dir)
        .stderr(Stdio::inherit())
        .output()
    {
        Ok(out) => out,
        Err(_) => return Ok(None),
    };
    if !out.status.success() {
        return Err(format!(
            "`cargo build -p wallet-cli --bin siegel` failed ({})",
            out.status
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "siegel")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .map(Some)
        .ok_or_else(|| "cargo reported no siegel executable".into())
}

/// A temporary directory with one data directory per party and the chain they share.
#[derive(Debug)]
pub struct Scene {
    /// The root of the parties' data directories (and of the embedded chain).
    pub root: tempfile::TempDir,
    /// The `--chain` argument.
    pub chain: String,
}

impl Scene {
    /// Parties sharing one embedded chain (`--chain dev:<root>/chain`).
    pub fn dev() -> Self {
        let root = tempfile::tempdir().unwrap();
        let chain = format!("dev:{}", root.path().join("chain").display());
        Self { root, chain }
    }

    /// Parties on a JSON-RPC node (`--chain URL`).
    pub fn rpc(url: &str) -> Self {
        Self {
            root: tempfile::tempdir().unwrap(),
            chain: url.to_owned(),
        }
    }

    /// A file in the scene (requests, credentials, presentations travel as files).
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// `party`'s data directory.
    pub fn data_dir(&self, party: &str) -> PathBuf {
        self.root.path().join(party)
    }

    /// `siegel --data-dir <party> --chain … --json ARGS`, with the minimum KDF and the passphrase
    /// in the environment (nothing prompts), ready to run.
    pub fn siegel(&self, party: &str, args: &[&str]) -> Command {
        let mut c = Command::new(siegel_bin());
        c.arg("--data-dir")
            .arg(self.data_dir(party))
            .args(["--chain", &self.chain, "--json"])
            .args(args)
            .env_remove("SIEGEL_HOME")
            .env_remove("SIEGEL_BACKUP_PASSPHRASE")
            .env("SIEGEL_KDF", "minimum")
            .env("SIEGEL_PASSPHRASE", PASSPHRASE)
            .stdin(Stdio::null());
        c
    }

    /// The shared embedded chain and `party`'s unlocked vault, through the library: for the
    /// steps the CLI has no command for (a bearer credential, rotating the issuer's key away).
    /// Drop both before the next `siegel` run: the chain and the vault are locked while open.
    ///
    /// # Panics
    /// On a scene that is not on an embedded chain, and on any error.
    pub fn library(&self, party: &str) -> (ChainLedger, Vault) {
        let path = self.chain.strip_prefix("dev:").expect("an embedded chain");
        let chain: Arc<dyn Chain> = Arc::new(DevChain::open(Path::new(path)).unwrap());
        let deployment = Deployment::dev_default(chain.as_ref()).unwrap();
        let ledger = ChainLedger::new(chain, deployment).unwrap();
        let vault = Vault::unlock(
            &self.data_dir(party).join("vault.siegel"),
            &Passphrase::new(PASSPHRASE.to_owned()).unwrap(),
        )
        .unwrap();
        (ledger, vault)
    }
}

/// A running anvil node, killed on drop.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    /// Its JSON-RPC URL.
    pub url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Anvil {
    /// Starts anvil (chain id 1337) on a free loopback port, or returns `None` with a note when
    /// it is not installed — unless `CI=true` or `REQUIRE_EVM_NODE=1`, where a missing node fails
    /// the test (the rule of registry/tests/common).
    ///
    /// # Panics
    /// When anvil is required but missing, or does not come up within 20 s.
    pub fn start() -> Option<Self> {
        let required = std::env::var("REQUIRE_EVM_NODE").is_ok_and(|v| v == "1")
            || std::env::var("CI").is_ok_and(|v| v == "true");
        let Some(bin) = anvil_binary() else {
            assert!(
                !required,
                "CI=true or REQUIRE_EVM_NODE=1, but no anvil binary was found (run scripts/test.sh)"
            );
            eprintln!("SKIPPED: anvil not installed (run scripts/test.sh to install it)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--chain-id", "1337", "--silent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let anvil = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "anvil did not come up on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(anvil)
    }
}

/// `ANVIL_BIN`, else the native binary of tools/evm's npm package (not the `.bin/anvil` node
/// wrapper: killing the wrapper would leave anvil running), else `anvil` on the PATH.
fn anvil_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ANVIL_BIN") {
        return Some(PathBuf::from(p));
    }
    let modules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/evm/node_modules/@foundry-rs");
    let native = std::fs::read_dir(modules)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/anvil"))
        .find(|p| p.is_file());
    native.or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("anvil"))
                .find(|p| p.is_file())
        })
    })
}
