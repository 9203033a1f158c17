//! `ChainLedger`: wallet-core's ledger traits on the embedded DevChain and on anvil — register an
//! issuer and a holder, fetch both DIDs and a status entry in three round trips, change the status
//! bits, and the refusals (another chain's registry, another network's DID, a revoked key, no
//! funds, a stranger's status change). anvil is skipped as in rpc.rs when it is not installed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::Arc;

use alloy::primitives::{Address, U256};
use registry::chain::{Chain, ChainError, DevChain, Receipt, Request, Response, TxSigner};
use registry::contracts::Deployment;
use registry::ledger::{ASSERTION_KEY_ATTRIBUTE, ChainLedger, multikey_bytes, signer_of};
use wallet_core::credential::status::{ChainAccount, StatusEntry};
use wallet_core::di::{KeyResolver, ProofError, ProofPurpose, PublicKeyMaterial};
use wallet_core::did::Did;
use wallet_core::keys::{KeyKind, KeySecret};
use wallet_core::ledger::{
    KeyUse, Ledger, LedgerError, Lookup, PublishKey, StatusBits, StatusChange, TrustSource,
};

const DAY: u64 = 86_400;

fn bbs_public(secret: &KeySecret) -> PublicKeyMaterial {
    PublicKeyMaterial::Bls12381G2(Box::new(secret.bbs().unwrap().public_key().clone()))
}

fn ed25519_public(secret: &KeySecret) -> PublicKeyMaterial {
    PublicKeyMaterial::Ed25519(secret.public_bytes().unwrap().try_into().unwrap())
}

fn account() -> KeySecret {
    KeySecret::generate(KeyKind::Secp256k1).unwrap()
}

fn unauthorised(r: Result<PublicKeyMaterial, ProofError>, needle: &str) {
    match r {
        Err(ProofError::VerificationMethod { reason, .. }) => {
            assert!(reason.contains(needle), "{reason:?} lacks {needle:?}");
        }
        other => panic!("expected a refused verification method, got {other:?}"),
    }
}

fn ledger_on(chain: Arc<dyn Chain>) -> ChainLedger {
    let deployment = Deployment::dev_default(&chain).unwrap();
    // Every CLI command opens the chain and asks again: found, not deployed twice.
    let before = chain.round_trips();
    assert_eq!(Deployment::dev_default(&chain).unwrap(), deployment);
    assert_eq!(chain.round_trips() - before, 1, "found in one round trip");
    ChainLedger::new(chain, deployment).unwrap()
}

/// The whole story on one chain; `exact_round_trips` is the fetch's expected cost.
fn story(chain: Arc<dyn Chain>) {
    let ledger = ledger_on(chain.clone());
    let chain_id = ledger.chain_id().unwrap();

    // An issuer with a BBS key for credentials, a holder with an Ed25519 key for presentations.
    let issuer = account();
    let bbs_secret = KeySecret::generate(KeyKind::BbsBls12381Sha256).unwrap();
    let bbs = bbs_public(&bbs_secret);
    let issued = ledger
        .register(
            &issuer,
            &[PublishKey {
                key: bbs.clone(),
                use_: KeyUse::Assertion,
            }],
            DAY,
        )
        .unwrap();
    assert_eq!(issued.did, ledger.did_of(&issuer).unwrap());
    assert_eq!(
        issued.did.as_str(),
        format!(
            "did:ethr:0x{chain_id:x}:0x{}",
            hex::encode(signer_of(&issuer).unwrap().address())
        )
    );
    assert_eq!(issued.methods.len(), 1);
    let issuer_vm = issued.methods[0].clone();
    assert_eq!(issuer_vm.did(), issued.did);
    assert_eq!(issuer_vm.fragment(), Some("delegate-1"));

    let holder = account();
    let ed_secret = KeySecret::generate(KeyKind::Ed25519).unwrap();
    let ed = ed25519_public(&ed_secret);
    let held = ledger
        .register(
            &holder,
            &[PublishKey {
                key: ed.clone(),
                use_: KeyUse::Authentication,
            }],
            DAY,
        )
        .unwrap();
    let holder_vm = held.methods[0].clone();
    assert_eq!(holder_vm.fragment(), Some("delegate-1"));
    assert!(held.block > issued.block);

    // Both DIDs and a status entry in exactly three round trips.
    let entry = StatusEntry {
        registry: ledger.status_registry(),
        issuer: issued.did.clone(),
        index: 7,
    };
    let lookup = Lookup {
        dids: vec![issued.did.clone(), held.did.clone()],
        statuses: vec![entry.clone()],
    };
    let before = chain.round_trips();
    let fetched = ledger.fetch(&lookup).unwrap();
    assert_eq!(chain.round_trips() - before, 3);
    assert_eq!(fetched.round_trips, 3);
    assert_eq!(fetched.statuses, vec![Ok(StatusBits::default())]);
    let keys = &fetched.keys;
    assert!(keys.is_resolved(&issued.did) && keys.is_resolved(&held.did));
    assert_eq!(
        keys.resolve(issuer_vm.as_str(), ProofPurpose::AssertionMethod)
            .unwrap(),
        bbs
    );
    // A veriKey signs credentials, not presentations.
    unauthorised(
        keys.resolve(issuer_vm.as_str(), ProofPurpose::Authentication),
        "not authorised for authentication",
    );
    assert_eq!(
        keys.resolve(holder_vm.as_str(), ProofPurpose::Authentication)
            .unwrap(),
        ed
    );
    assert_eq!(
        keys.methods_for(&issued.did, ProofPurpose::AssertionMethod),
        vec![&issuer_vm]
    );

    // Revoke, suspend, unsuspend: the fetched bits follow. Revocation stays.
    let bits = |e: &StatusEntry| {
        ledger
            .fetch(&Lookup {
                dids: vec![],
                statuses: vec![e.clone()],
            })
            .unwrap()
            .statuses
            .remove(0)
            .unwrap()
    };
    ledger
        .set_status(&issuer, &entry, StatusChange::Suspend)
        .unwrap();
    assert_eq!(
        bits(&entry),
        StatusBits {
            revoked: false,
            suspended: true
        }
    );
    ledger
        .set_status(&issuer, &entry, StatusChange::Revoke)
        .unwrap();
    assert_eq!(
        bits(&entry),
        StatusBits {
            revoked: true,
            suspended: true
        }
    );
    ledger
        .set_status(&issuer, &entry, StatusChange::Unsuspend)
        .unwrap();
    assert_eq!(
        bits(&entry),
        StatusBits {
            revoked: true,
            suspended: false
        },
        "unsuspending lifts the suspension only; revocation is permanent"
    );
    let other_index = StatusEntry {
        index: 8,
        ..entry.clone()
    };
    assert_eq!(bits(&other_index), StatusBits::default());

    // Only the issuer's owner may change its bits.
    match ledger.set_status(&holder, &other_index, StatusChange::Revoke) {
        Err(LedgerError::Refused(reason)) => {
            assert!(reason.contains("may not change the status"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(bits(&other_index), StatusBits::default());

    // A status entry naming another chain's (or another contract's) registry.
    let elsewhere = StatusEntry {
        registry: ChainAccount {
            chain_id: 1,
            ..ledger.status_registry()
        },
        ..entry.clone()
    };
    let other_contract = StatusEntry {
        registry: ChainAccount {
            address: [0x42; 20],
            ..ledger.status_registry()
        },
        ..entry.clone()
    };
    let fetched = ledger
        .fetch(&Lookup {
            dids: vec![],
            statuses: vec![elsewhere.clone(), entry.clone(), other_contract],
        })
        .unwrap();
    assert!(
        matches!(&fetched.statuses[0], Err(LedgerError::Unsupported(m)) if m.contains("eip155:1:")),
        "{:?}",
        fetched.statuses[0]
    );
    assert_eq!(
        fetched.statuses[1],
        Ok(StatusBits {
            revoked: true,
            suspended: false
        })
    );
    assert!(matches!(
        &fetched.statuses[2],
        Err(LedgerError::Unsupported(_))
    ));
    assert!(matches!(
        ledger.set_status(&issuer, &elsewhere, StatusChange::Revoke),
        Err(LedgerError::Unsupported(_))
    ));

    // DIDs this chain cannot answer for fail in the key set, with the reason; the others resolve.
    let address = hex::encode(signer_of(&issuer).unwrap().address());
    let mainnet = Did::parse(&format!("did:ethr:0x{address}")).unwrap();
    let did_key = Did::parse("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").unwrap();
    let upper = Did::parse(&format!(
        "did:ethr:0x{chain_id:x}:0x{}",
        address.to_uppercase()
    ))
    .unwrap();
    let fetched = ledger
        .fetch(&Lookup {
            dids: vec![
                mainnet.clone(),
                issued.did.clone(),
                did_key.clone(),
                upper.clone(),
            ],
            statuses: vec![],
        })
        .unwrap();
    let keys = &fetched.keys;
    assert!(
        keys.failure(&mainnet)
            .unwrap()
            .contains("anchored on chain 1, but this ledger reads chain"),
        "{:?}",
        keys.failure(&mainnet)
    );
    assert!(keys.failure(&did_key).unwrap().contains("not did:key"));
    assert!(keys.failure(&upper).unwrap().contains("canonical"));
    assert!(keys.is_resolved(&issued.did));
    unauthorised(
        keys.resolve(
            &format!("{mainnet}#delegate-1"),
            ProofPurpose::AssertionMethod,
        ),
        "could not be resolved",
    );

    // The issuer withdraws its key on the chain: the key set no longer lists it.
    let issuer_signer = signer_of(&issuer).unwrap();
    ledger
        .registry()
        .revoke_attribute(
            &issuer_signer,
            issuer_signer.address(),
            ASSERTION_KEY_ATTRIBUTE,
            &multikey_bytes(&bbs),
        )
        .unwrap();
    let fetched = ledger
        .fetch(&Lookup {
            dids: vec![issued.did.clone()],
            statuses: vec![],
        })
        .unwrap();
    unauthorised(
        fetched
            .keys
            .resolve(issuer_vm.as_str(), ProofPurpose::AssertionMethod),
        "does not list it",
    );
    assert!(
        fetched
            .keys
            .methods_for(&issued.did, ProofPurpose::AssertionMethod)
            .is_empty()
    );

    // The document, now and as of the registration.
    let now = ledger.resolve_document(&issued.did, None).unwrap();
    assert_eq!(now["id"], issued.did.as_str());
    assert_eq!(now["verificationMethod"].as_array().unwrap().len(), 1);
    let then = ledger
        .resolve_document(&issued.did, Some(issued.block))
        .unwrap();
    assert_eq!(then["verificationMethod"][1]["id"], issuer_vm.as_str());
    assert!(matches!(
        ledger.resolve_document(&did_key, None),
        Err(LedgerError::Unsupported(_))
    ));
    let future = ledger.resolve_document(&issued.did, Some(u64::MAX / 2));
    assert!(
        matches!(&future, Err(LedgerError::Unsupported(m)) if m.contains("beyond the chain head")),
        "{future:?}"
    );

    // Registering again adds a key without naming the owner again.
    let more = ledger
        .register(
            &holder,
            &[PublishKey {
                key: bbs.clone(),
                use_: KeyUse::Assertion,
            }],
            DAY,
        )
        .unwrap();
    assert_eq!(more.did, held.did);
    assert_eq!(more.methods[0].fragment(), Some("delegate-2"));

    // An account must be a secp256k1 key.
    assert!(matches!(
        ledger.did_of(&ed_secret),
        Err(LedgerError::Unsupported(m)) if m.contains("secp256k1")
    ));
}

#[test]
fn ledger_on_devchain() {
    story(Arc::new(DevChain::in_memory()));
}

/// On anvil, and from inside a tokio runtime (as a GUI or a service would call it): RpcChain
/// must not try to drive its own runtime there.
#[test]
fn ledger_on_anvil_inside_a_tokio_runtime() {
    let Some((_anvil, rpc)) = common::start_anvil() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move { story(rpc) });
}

/// A chain that is no development chain (funding refused), and whose node can be cut off.
struct Production {
    inner: Arc<DevChain>,
    down: std::sync::atomic::AtomicBool,
}

impl Chain for Production {
    fn chain_id(&self) -> Result<u64, ChainError> {
        self.inner.chain_id()
    }

    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        if self.down.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ChainError::Transport("connection refused".into()));
        }
        self.inner.batch(requests)
    }

    fn send_raw_transaction(&self, raw: &[u8]) -> Result<Receipt, ChainError> {
        self.inner.send_raw_transaction(raw)
    }

    fn dev_fund(&self, _: Address, _: U256) -> Result<(), ChainError> {
        Err(ChainError::DevOnly("funding an account"))
    }

    fn dev_increase_time(&self, _: u64) -> Result<(), ChainError> {
        Err(ChainError::DevOnly("moving the clock"))
    }

    fn round_trips(&self) -> u64 {
        self.inner.round_trips()
    }
}

#[test]
fn an_account_without_funds_is_refused_and_a_dead_node_is_unreachable() {
    let dev = Arc::new(DevChain::in_memory());
    let deployment = Deployment::dev_default(&dev).unwrap();
    let production = Arc::new(Production {
        inner: dev.clone(),
        down: false.into(),
    });
    let ledger = ChainLedger::new(production.clone(), deployment).unwrap();
    let poor = account();
    let address = signer_of(&poor).unwrap().address();
    match ledger.register(&poor, &[], DAY) {
        Err(LedgerError::Refused(m)) => {
            assert_eq!(m, format!("account {address} has no funds to pay gas"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Funded (by someone else), it registers without keys: the owner is named.
    dev.dev_fund(address, U256::from(10u128.pow(18))).unwrap();
    let registered = ledger.register(&poor, &[], DAY).unwrap();
    assert!(registered.methods.is_empty());
    assert_eq!(
        ledger.registry().named_owner(address).unwrap(),
        address,
        "named its own owner"
    );

    production
        .down
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let r = ledger.fetch(&Lookup {
        dids: vec![registered.did.clone()],
        statuses: vec![],
    });
    match r {
        Err(e @ LedgerError::Unreachable(_)) => assert!(e.is_retryable()),
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert!(matches!(
        ledger.resolve_document(&registered.did, None),
        Err(LedgerError::Unreachable(_))
    ));
}

/// A development deployer that was used for something else: its addresses hold no registry,
/// and finding the deployment says so instead of handing out empty addresses.
#[test]
fn a_used_deployer_without_contracts_is_an_error() {
    use alloy::primitives::keccak256;
    let chain = DevChain::in_memory();
    let deployer =
        TxSigner::from_bytes(keccak256(b"siegel development deployer v1").as_slice()).unwrap();
    common::fund(&chain, &[&deployer]);
    for _ in 0..2 {
        registry::chain::send_call(
            &chain,
            &deployer,
            Address::repeat_byte(0x11),
            Default::default(),
        )
        .unwrap();
    }
    assert!(matches!(
        Deployment::dev_default(&chain),
        Err(ChainError::Unexpected(m)) if m.contains("hold no Siegel registry")
    ));
}
