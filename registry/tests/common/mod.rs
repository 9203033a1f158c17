//! The transaction script shared by the DevChain and anvil tests, so both chains run exactly the
//! same transactions and their DID documents can be compared.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256, keccak256};
use registry::chain::{Chain, ChainError, RpcChain, TxSigner, balance};
use registry::contracts::Deployment;
use registry::did::DidEthr;
use registry::identity::{PublishedKey, Registry, StatusError, StatusPurpose, StatusRefusal};
use registry::resolver::{Resolution, Resolver};
use serde_json::Value;
use wallet_core::bbs::{Bls12381Sha256, SecretKey};

pub(crate) const DAY: u64 = 86_400;

/// A deterministic account, the same on every chain.
pub(crate) fn account(name: &str) -> TxSigner {
    TxSigner::from_bytes(keccak256(format!("siegel test account {name}")).as_slice()).unwrap()
}

pub(crate) fn bbs_key(name: &str) -> PublishedKey {
    let sk = SecretKey::from_key_material::<Bls12381Sha256>(
        keccak256(format!("siegel test bbs {name}")).as_slice(),
        b"",
        None,
    )
    .unwrap();
    PublishedKey::Bls12381G2(sk.public_key().to_bytes())
}

pub(crate) fn ed25519_key(name: &str) -> PublishedKey {
    let seed: [u8; 32] = keccak256(format!("siegel test ed25519 {name}")).0;
    PublishedKey::Ed25519(
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes(),
    )
}

pub(crate) fn fund(chain: &dyn Chain, who: &[&TxSigner]) {
    for s in who {
        chain
            .dev_fund(s.address(), U256::from(10u128.pow(20)))
            .unwrap();
    }
}

pub(crate) fn deploy(chain: &dyn Chain) -> Deployment {
    let deployer = account("deployer");
    fund(chain, &[&deployer]);
    Deployment::deploy(chain, &deployer).unwrap()
}

fn methods(doc: &Value) -> Vec<String> {
    doc["verificationMethod"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["id"]
                .as_str()
                .unwrap()
                .rsplit('#')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn multibases(doc: &Value) -> Vec<String> {
    doc["verificationMethod"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["publicKeyMultibase"].as_str().map(str::to_owned))
        .collect()
}

fn controller_account(doc: &Value) -> String {
    doc["verificationMethod"][0]["blockchainAccountId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn reason(r: Result<impl std::fmt::Debug, ChainError>) -> String {
    match r {
        Err(ChainError::Reverted { reason }) => reason,
        other => panic!("expected a revert, got {other:?}"),
    }
}

/// Runs the full lifecycle on `chain` and returns labelled DID documents along the way.
pub(crate) fn lifecycle(chain: Arc<dyn Chain>) -> Vec<(String, Value)> {
    let dep = deploy(&chain);
    let reg = Registry::new(chain.clone(), dep);
    let resolver = Resolver::new(chain.clone(), dep.did_registry);
    let chain = &*chain;
    let chain_id = chain.chain_id().unwrap();
    let alice = account("alice");
    let bob = account("bob");
    let carol = account("carol");
    let eve = account("eve");
    let relayer = account("relayer");
    fund(chain, &[&alice, &carol, &eve, &relayer]);
    let did = DidEthr::new(chain_id, alice.address());
    let mut docs = Vec::new();
    let mut snap = |label: &str, r: &Resolution| docs.push((label.to_owned(), r.document.clone()));

    // A fresh identity: only its controller.
    let r = resolver.resolve(&did, None).unwrap();
    assert_eq!(methods(&r.document), ["controller"]);
    assert_eq!(r.metadata.version_id, None);
    assert!(r.round_trips <= 3, "{} round trips", r.round_trips);
    assert_eq!(
        controller_account(&r.document),
        format!("eip155:{chain_id}:{}", alice.address().to_checksum(None))
    );
    snap("fresh", &r);

    // Publish a BBS key and an Ed25519 key.
    let bbs1 = bbs_key("issuer-1");
    let ed = ed25519_key("holder");
    let b1 = reg
        .publish_key(&alice, alice.address(), &bbs1, DAY)
        .unwrap()
        .block_number;
    let b2 = reg
        .publish_key(&alice, alice.address(), &ed, DAY)
        .unwrap()
        .block_number;
    let r = resolver.resolve(&did, None).unwrap();
    assert_eq!(
        methods(&r.document),
        ["controller", "delegate-1", "delegate-2"]
    );
    assert_eq!(multibases(&r.document), [bbs1.multibase(), ed.multibase()]);
    assert!(
        bbs1.multibase().starts_with("zUC7"),
        "bls12_381-g2-pub multikeys start zUC7"
    );
    assert!(
        ed.multibase().starts_with("z6Mk"),
        "ed25519-pub multikeys start z6Mk"
    );
    assert_eq!(r.document["verificationMethod"][1]["type"], "Multikey");
    assert_eq!(r.document["assertionMethod"].as_array().unwrap().len(), 3);
    assert_eq!(r.metadata.version_id, Some(b2));
    assert!(r.round_trips <= 3);
    snap("two keys", &r);

    // Rotate the BBS key: publish the new one, revoke the old one.
    let bbs2 = bbs_key("issuer-2");
    let b3 = reg
        .publish_key(&alice, alice.address(), &bbs2, DAY)
        .unwrap()
        .block_number;
    let b4 = reg
        .revoke_key(&alice, alice.address(), &bbs1)
        .unwrap()
        .block_number;
    let now = resolver.resolve(&did, None).unwrap();
    assert_eq!(
        multibases(&now.document),
        [ed.multibase(), bbs2.multibase()]
    );
    assert_eq!(
        methods(&now.document),
        ["controller", "delegate-2", "delegate-3"]
    );
    snap("rotated", &now);
    // As of the old blocks, the old key is what counts (checking a credential issued then).
    let at_b1 = resolver.resolve(&did, Some(b1)).unwrap();
    assert_eq!(multibases(&at_b1.document), [bbs1.multibase()]);
    assert_eq!(at_b1.metadata.version_id, Some(b1));
    assert_eq!(at_b1.metadata.next_version_id, Some(b2));
    assert!(at_b1.metadata.updated.is_some() && at_b1.metadata.next_update.is_some());
    let at_b3 = resolver.resolve(&did, Some(b3)).unwrap();
    assert_eq!(
        multibases(&at_b3.document),
        [bbs1.multibase(), ed.multibase(), bbs2.multibase()]
    );
    assert_eq!(at_b3.metadata.next_version_id, Some(b4));
    snap("at b1", &at_b1);
    snap("at b3", &at_b3);

    // A delegate that expires.
    reg.add_delegate(&alice, alice.address(), "veriKey", bob.address(), 100)
        .unwrap();
    assert!(
        reg.valid_delegate(alice.address(), "veriKey", bob.address())
            .unwrap()
    );
    let r = resolver.resolve(&did, None).unwrap();
    let bob_account = format!("eip155:{chain_id}:{}", bob.address().to_checksum(None));
    assert!(r.document.to_string().contains(&bob_account));
    chain.dev_increase_time(1000).unwrap();
    // A block has to be mined for the new time to show: publish a service meanwhile.
    reg.set_attribute(
        &alice,
        alice.address(),
        "did/svc/LinkedDomains",
        b"\"https://bank.example\"",
        DAY,
    )
    .unwrap();
    assert!(
        !reg.valid_delegate(alice.address(), "veriKey", bob.address())
            .unwrap()
    );
    let r = resolver.resolve(&did, None).unwrap();
    assert!(
        !r.document.to_string().contains(&bob_account),
        "expired delegate still listed"
    );
    assert_eq!(r.document["service"][0]["type"], "LinkedDomains");
    assert_eq!(
        r.document["service"][0]["serviceEndpoint"],
        "https://bank.example"
    );
    // (The keys' one-day validity has not run out.)
    assert_eq!(multibases(&r.document), [ed.multibase(), bbs2.multibase()]);

    // Owner change: alice hands the identity to carol.
    reg.change_owner(&alice, alice.address(), carol.address())
        .unwrap();
    assert_eq!(reg.owner(alice.address()).unwrap(), carol.address());
    let r = resolver.resolve(&did, None).unwrap();
    assert_eq!(
        controller_account(&r.document),
        format!("eip155:{chain_id}:{}", carol.address().to_checksum(None))
    );
    assert_eq!(
        reason(reg.publish_key(&alice, alice.address(), &bbs1, DAY)),
        "bad_actor"
    );
    reg.publish_key(&carol, alice.address(), &bbs1, DAY)
        .unwrap();
    snap("owned by carol", &resolver.resolve(&did, None).unwrap());

    // A holder without funds anchors a key through a relayer (meta-transaction).
    let dave = account("dave");
    let dave_did = DidEthr::new(chain_id, dave.address());
    let dave_key = ed25519_key("dave");
    reg.set_attribute_signed(
        &relayer,
        &dave,
        dave.address(),
        "did/pub/Multikey/veriKey",
        &dave_key.multikey_bytes(),
        DAY,
    )
    .unwrap();
    assert_eq!(
        balance(chain, dave.address()).unwrap(),
        U256::ZERO,
        "the holder paid nothing"
    );
    let r = resolver.resolve(&dave_did, None).unwrap();
    assert_eq!(multibases(&r.document), [dave_key.multibase()]);
    // A signature by someone else is refused by the contract.
    assert_eq!(
        reason(reg.set_attribute_signed(
            &relayer,
            &eve,
            dave.address(),
            "did/pub/Multikey/veriKey",
            b"x",
            DAY
        )),
        "bad_signature"
    );
    reg.change_owner_signed(&relayer, &dave, dave.address(), eve.address())
        .unwrap();
    assert_eq!(reg.owner(dave.address()).unwrap(), eve.address());
    reg.add_delegate_signed(
        &relayer,
        &eve,
        dave.address(),
        "sigAuth",
        bob.address(),
        DAY,
    )
    .unwrap();
    let r = resolver.resolve(&dave_did, None).unwrap();
    assert_eq!(r.document["authentication"].as_array().unwrap().len(), 2);
    snap("dave via relayer", &r);

    // Credential status: the issuer identity is alice's (owned by carol now).
    let issuer = alice.address();
    assert!(!reg.status(issuer, StatusPurpose::Revocation, 7).unwrap());
    reg.set_status(&carol, issuer, StatusPurpose::Revocation, 7, true)
        .unwrap();
    assert!(reg.status(issuer, StatusPurpose::Revocation, 7).unwrap());
    assert!(!reg.status(issuer, StatusPurpose::Revocation, 6).unwrap());
    assert!(!reg.status(issuer, StatusPurpose::Suspension, 7).unwrap());
    // The former owner and strangers are rejected.
    assert_eq!(
        refusal(reg.set_status(&alice, issuer, StatusPurpose::Revocation, 8, true)),
        StatusRefusal::NotAuthorized {
            issuer,
            actor: alice.address()
        }
    );
    assert_eq!(
        refusal(reg.set_status(&eve, issuer, StatusPurpose::Revocation, 8, true)),
        StatusRefusal::NotAuthorized {
            issuer,
            actor: eve.address()
        }
    );
    // A sigAuth delegate may set bits; its authority ends when revoked.
    let frank = account("frank");
    fund(chain, &[&frank]);
    reg.add_delegate(&carol, issuer, "sigAuth", frank.address(), DAY)
        .unwrap();
    reg.set_status(&frank, issuer, StatusPurpose::Suspension, 300, true)
        .unwrap();
    assert!(reg.status(issuer, StatusPurpose::Suspension, 300).unwrap());
    reg.set_status(&frank, issuer, StatusPurpose::Suspension, 300, false)
        .unwrap();
    assert!(!reg.status(issuer, StatusPurpose::Suspension, 300).unwrap());
    reg.revoke_delegate(&carol, issuer, "sigAuth", frank.address())
        .unwrap();
    assert_eq!(
        refusal(reg.set_status(&frank, issuer, StatusPurpose::Suspension, 300, true)),
        StatusRefusal::NotAuthorized {
            issuer,
            actor: frank.address()
        }
    );
    // EIP-712 signed update through a relayer; a stranger's signature and an expired one fail.
    let deadline = u64::MAX / 2;
    reg.set_status_signed(
        &relayer,
        &carol,
        issuer,
        StatusPurpose::Revocation,
        9,
        true,
        deadline,
    )
    .unwrap();
    assert!(reg.status(issuer, StatusPurpose::Revocation, 9).unwrap());
    assert_eq!(
        refusal(reg.set_status_signed(
            &relayer,
            &eve,
            issuer,
            StatusPurpose::Revocation,
            10,
            true,
            deadline
        )),
        StatusRefusal::NotAuthorized {
            issuer,
            actor: eve.address()
        }
    );
    assert_eq!(
        refusal(reg.set_status_signed(
            &relayer,
            &carol,
            issuer,
            StatusPurpose::Revocation,
            10,
            true,
            1
        )),
        StatusRefusal::SignatureExpired {
            deadline: U256::from(1)
        }
    );
    snap("final", &resolver.resolve(&did, None).unwrap());

    // Deactivation: owner set to the zero address.
    reg.change_owner(&eve, dave.address(), Address::ZERO)
        .unwrap();
    let r = resolver.resolve(&dave_did, None).unwrap();
    assert!(r.metadata.deactivated);
    assert_eq!(r.document["verificationMethod"], serde_json::json!([]));
    snap("deactivated", &r);
    docs
}

/// Publishes `n` attribute changes for a fresh identity and returns its DID.
pub(crate) fn identity_with_changes(
    chain: Arc<dyn Chain>,
    dep: Deployment,
    name: &str,
    n: usize,
) -> DidEthr {
    let reg = Registry::new(chain.clone(), dep);
    let chain = &*chain;
    let owner = account(name);
    fund(chain, &[&owner]);
    for i in 0..n {
        let key = ed25519_key(&format!("{name}-{i}"));
        reg.publish_key(&owner, owner.address(), &key, DAY).unwrap();
    }
    DidEthr::new(chain.chain_id().unwrap(), owner.address())
}

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
    let modules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/evm/node_modules");
    // The platform package's native binary first: the npm wrapper (`.bin/anvil`) is a node
    // process whose kill on drop would leave the real anvil running without a parent.
    let native = std::fs::read_dir(modules.join("@foundry-rs"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/anvil"))
        .find(|p| p.is_file());
    if let Some(native) = native {
        return Some(native);
    }
    let local = modules.join(".bin/anvil");
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
pub(crate) fn start_anvil() -> Option<(Anvil, Arc<RpcChain>)> {
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
            Ok(chain) => return Some((anvil, Arc::new(chain))),
            Err(e) if started.elapsed() > Duration::from_secs(20) => {
                panic!("anvil did not come up: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The status registry's refusal in `r`; anything else fails the test.
pub(crate) fn refusal(r: Result<impl std::fmt::Debug, StatusError>) -> StatusRefusal {
    match r {
        Err(StatusError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal by the status registry, got {other:?}"),
    }
}
