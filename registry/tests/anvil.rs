//! The same transaction script against a real anvil node, and the DID documents compared with the
//! embedded DevChain's. anvil comes from npm (`tools/evm`, installed by scripts/test.sh); when it
//! is missing the test is skipped, unless REQUIRE_EVM_NODE=1, which makes that a failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use registry::chain::{Chain, DevChain, RpcChain};
use registry::resolver::Resolver;

/// A running anvil, killed on drop.
pub(crate) struct Anvil {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn anvil_binary() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ANVIL_BIN") {
        return Some(PathBuf::from(p));
    }
    let local =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/evm/node_modules/.bin/anvil");
    if local.exists() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("anvil"))
            .find(|p| p.exists())
    })
}

/// Starts anvil with chain id 1337 on a free loopback port, or returns None (skip) when it is not
/// installed and REQUIRE_EVM_NODE is not set.
pub(crate) fn start_anvil() -> Option<(Anvil, RpcChain)> {
    let required = std::env::var("REQUIRE_EVM_NODE").is_ok_and(|v| v == "1");
    let Some(bin) = anvil_binary() else {
        assert!(
            !required,
            "REQUIRE_EVM_NODE=1 but no anvil binary was found (run scripts/test.sh)"
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
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--chain-id",
            "1337",
            "--silent",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let anvil = Anvil {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        match RpcChain::connect(&anvil.url) {
            Ok(chain) => return Some((anvil, chain)),
            Err(e) if started.elapsed() > Duration::from_secs(20) => {
                panic!("anvil did not come up: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

#[test]
fn lifecycle_on_anvil_matches_devchain() {
    let Some((_anvil, rpc)) = start_anvil() else {
        return;
    };
    assert_eq!(rpc.chain_id().unwrap(), 1337);
    let on_anvil = common::lifecycle(&rpc);
    let on_dev = common::lifecycle(&DevChain::in_memory());
    assert_eq!(on_anvil.len(), on_dev.len());
    for ((label_a, doc_a), (label_d, doc_d)) in on_anvil.iter().zip(&on_dev) {
        assert_eq!(label_a, label_d);
        assert_eq!(doc_a, doc_d, "DID documents differ at step {label_a:?}");
    }
}

#[test]
fn resolution_on_anvil_takes_few_round_trips() {
    let Some((_anvil, rpc)) = start_anvil() else {
        return;
    };
    let dep = common::deploy(&rpc);
    let resolver = Resolver::new(&rpc, dep.did_registry);
    for n in [1, 20] {
        let did = common::identity_with_changes(&rpc, dep, &format!("anvil-rt-{n}"), n);
        let r = resolver.resolve(&did, None).unwrap();
        assert_eq!(
            r.document["verificationMethod"].as_array().unwrap().len(),
            n + 1
        );
        assert!(
            r.round_trips <= 3,
            "{n} changes: {} round trips",
            r.round_trips
        );
    }
}
