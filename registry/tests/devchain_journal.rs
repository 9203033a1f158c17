//! DevChain persistence (issue 11, part 7): the append-only journal and the snapshot.
//! - an append cut short at any byte is dropped on open, with every earlier transaction kept;
//! - a damaged record before the end is a typed error, never a silent loss;
//! - without its snapshot, or with another chain's, a chain replays its journal to the same state;
//! - 2,500 transactions later, a reopened chain is the same chain (blocks, receipts, logs, bits);
//! - a format-1 journal (one JSON document) is migrated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

#[path = "support/devchain_workload.rs"]
mod workload;

use std::path::{Path, PathBuf};

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, TxKind, U256, keccak256};
use alloy::signers::local::PrivateKeySigner;
use registry::chain::dev::{DevChainError, OpenReport, SnapshotRefusal, SnapshotUse};
use registry::chain::{BlockRef, Chain, DevChain, LogFilter, Receipt, Request, Response};
use workload::Workload;

fn snapshot_of(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".snapshot");
    PathBuf::from(s)
}

/// Everything a client can observe of a chain: every block, every log of both contracts, the
/// receipts of `txs`, status bits the workload wrote, and the accounts' nonces and balances.
#[derive(Debug, PartialEq)]
struct Observed {
    blocks: Vec<Response>,
    logs: Vec<Response>,
    receipts: Vec<Option<Receipt>>,
    bits: Vec<bool>,
    accounts: Vec<Response>,
}

fn observe(chain: &DevChain, w: &Workload, txs: &[Receipt]) -> Observed {
    let Response::Number(head) = chain.batch(&[Request::BlockNumber]).unwrap()[0] else {
        panic!("head");
    };
    let blocks: Vec<Request> = (0..=head)
        .map(|n| Request::Block(BlockRef::Number(n)))
        .collect();
    let logs: Vec<Request> = [w.deployment.did_registry, w.deployment.status_registry]
        .map(|address| {
            Request::Logs(LogFilter {
                address,
                from: 0,
                to: head,
                topic0: vec![],
                topic1: None,
            })
        })
        .to_vec();
    let who = [workload::account("issuer"), workload::account("deployer")];
    let accounts: Vec<Request> = who
        .iter()
        .flat_map(|a| [Request::Nonce(a.address()), Request::Balance(a.address())])
        .collect();
    Observed {
        blocks: chain.batch(&blocks).unwrap(),
        logs: chain.batch(&logs).unwrap(),
        receipts: txs.iter().map(|r| chain.receipt(r.tx_hash)).collect(),
        bits: (0..64).map(|i| w.get(chain, (i * 7) % 4096)).collect(),
        accounts: chain.batch(&accounts).unwrap(),
    }
}

/// A chain at `path` with the workload's setup and `n` status transactions; their receipts.
fn build(path: &Path, n: u64) -> (Workload, Vec<Receipt>) {
    let chain = DevChain::open(path).unwrap();
    let w = Workload::setup(&chain);
    let txs = w.run(&chain, 0, n);
    (w, txs)
}

fn report(chain: &DevChain) -> OpenReport {
    chain.open_report().clone()
}

#[test]
fn an_append_cut_short_anywhere_is_dropped_with_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain");
    let (w, txs) = build(&path, 3);
    let whole = std::fs::read(&path).unwrap();
    let expected = {
        let chain = DevChain::open(&path).unwrap();
        observe(&chain, &w, &txs)
    };
    // One more transaction: its record is the journal's tail.
    let tail_start = whole.len();
    {
        let chain = DevChain::open(&path).unwrap();
        txs_more(&chain, &w);
    }
    let longer = std::fs::read(&path).unwrap();
    assert!(longer.len() > tail_start + 40);
    for cut in tail_start + 1..longer.len() {
        std::fs::write(&path, &longer[..cut]).unwrap();
        let _ = std::fs::remove_file(snapshot_of(&path));
        let chain = DevChain::open(&path).unwrap();
        assert_eq!(
            report(&chain).torn_bytes,
            (cut - tail_start) as u64,
            "cut at {cut}"
        );
        assert_eq!(observe(&chain, &w, &txs), expected, "cut at {cut}");
        drop(chain);
        // The cut was made durable: the file is the whole records again, and it goes on.
        assert_eq!(std::fs::read(&path).unwrap(), whole, "cut at {cut}");
    }
    let chain = DevChain::open(&path).unwrap();
    assert_eq!(report(&chain).torn_bytes, 0);
    txs_more(&chain, &w);
}

fn txs_more(chain: &DevChain, w: &Workload) -> Receipt {
    w.set(chain, 4000, true)
}

#[test]
fn a_damaged_record_before_the_end_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain");
    build(&path, 4);
    let good = std::fs::read(&path).unwrap();
    // Byte 200 lies in the hash of record 2 (the second credit), byte 17 in the header's length.
    for (at, expected) in [
        (200, "checksum mismatch"),
        (16 + 1, "length check mismatch"),
    ] {
        let mut bad = good.clone();
        bad[at] ^= 0x04;
        std::fs::write(&path, &bad).unwrap();
        match DevChain::try_open(&path) {
            Err(DevChainError::Corrupt { reason, offset, .. }) => {
                assert_eq!(reason, expected);
                assert!(offset <= at as u64);
            }
            other => panic!("{other:?}"),
        }
        // Nothing was cut: the damage stays for someone to look at.
        assert_eq!(std::fs::read(&path).unwrap(), bad);
        // `open` reports it as a state error.
        assert!(matches!(
            DevChain::open(&path),
            Err(registry::chain::ChainError::State { .. })
        ));
    }
    std::fs::write(&path, b"SIEGEL-DEVCHAIN9 something else").unwrap();
    assert!(matches!(
        DevChain::try_open(&path),
        Err(DevChainError::UnknownFormat { .. })
    ));
}

#[test]
fn snapshots_speed_up_opening_and_are_checked_against_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain");
    let n = registry::chain::dev::SNAPSHOT_EVERY + 40;
    let (w, txs) = build(&path, n);
    let entries = n + 5;
    let with_snapshot = {
        let chain = DevChain::open(&path).unwrap();
        let r = report(&chain);
        assert_eq!(r.entries, entries);
        assert_eq!(
            r.snapshot,
            SnapshotUse::Loaded {
                covers: registry::chain::dev::SNAPSHOT_EVERY
            }
        );
        assert_eq!(r.replayed, entries - registry::chain::dev::SNAPSHOT_EVERY);
        observe(&chain, &w, &txs)
    };
    // Without the snapshot: a full replay, to the same state.
    let snapshot = std::fs::read(snapshot_of(&path)).unwrap();
    std::fs::remove_file(snapshot_of(&path)).unwrap();
    {
        let chain = DevChain::open(&path).unwrap();
        let r = report(&chain);
        assert_eq!((r.snapshot, r.replayed), (SnapshotUse::Missing, entries));
        assert_eq!(observe(&chain, &w, &txs), with_snapshot);
    }
    // A damaged snapshot is refused and the journal replayed.
    let mut damaged = snapshot.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    std::fs::write(snapshot_of(&path), &damaged).unwrap();
    {
        let chain = DevChain::open(&path).unwrap();
        assert_eq!(
            report(&chain).snapshot,
            SnapshotUse::Refused(SnapshotRefusal::Damaged("checksum mismatch"))
        );
        assert_eq!(observe(&chain, &w, &txs), with_snapshot);
    }
    // Another chain's snapshot (same contracts, same number of entries, other transactions) is
    // refused: the journal differs at the position it covers.
    let other = dir.path().join("other");
    {
        let chain = DevChain::open(&other).unwrap();
        let w2 = Workload::setup(&chain);
        chain.dev_increase_time(1).unwrap();
        w2.run(&chain, 0, n);
    }
    std::fs::copy(snapshot_of(&other), snapshot_of(&path)).unwrap();
    {
        let chain = DevChain::open(&path).unwrap();
        assert_eq!(
            report(&chain).snapshot,
            SnapshotUse::Refused(SnapshotRefusal::OtherJournal)
        );
        assert_eq!(observe(&chain, &w, &txs), with_snapshot);
    }
    // A snapshot of a longer history (the journal lost its tail) is refused too.
    let short = dir.path().join("short");
    build(&short, 10);
    std::fs::copy(snapshot_of(&other), snapshot_of(&short)).unwrap();
    let chain = DevChain::open(&short).unwrap();
    assert!(matches!(
        report(&chain).snapshot,
        SnapshotUse::Refused(SnapshotRefusal::BeyondJournal {
            journal: 15,
            covers: 256
        })
    ));
}

#[test]
fn reopening_after_2500_transactions_gives_the_same_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain");
    let (w, mut txs, live) = {
        let chain = DevChain::open(&path).unwrap();
        let w = Workload::setup(&chain);
        let txs = w.run(&chain, 0, 2_500);
        let live = observe(&chain, &w, &txs);
        (w, txs, live)
    };
    let reopened = DevChain::open(&path).unwrap();
    assert!(matches!(
        report(&reopened).snapshot,
        SnapshotUse::Loaded { .. }
    ));
    assert!(report(&reopened).replayed < registry::chain::dev::SNAPSHOT_EVERY);
    assert_eq!(observe(&reopened, &w, &txs), live);
    // Some bits are set, some clear: the comparison is not of empty state.
    assert!(live.bits.contains(&true) && live.bits.contains(&false));
    // The chain goes on: the next transaction gets the next block and nonce.
    txs.push(w.set(&reopened, 4001, true));
    assert_eq!(txs.last().unwrap().block_number, 2_500 + 4);
    let after = observe(&reopened, &w, &txs);
    drop(reopened);
    std::fs::remove_file(snapshot_of(&path)).unwrap();
    let replayed = DevChain::open(&path).unwrap();
    assert_eq!(observe(&replayed, &w, &txs), after);
}

/// A format-1 journal as the chain wrote it up to commit b544946: one JSON document.
#[test]
fn a_format_1_journal_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    let sender = PrivateKeySigner::from_bytes(&keccak256("format-1 sender")).unwrap();
    let to = Address::repeat_byte(0x42);
    let mut tx = TxEip1559 {
        chain_id: 1337,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 2_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        to: TxKind::Call(to),
        value: U256::from(12_345u64),
        ..Default::default()
    };
    let sig = sender.sign_transaction_sync(&mut tx).unwrap();
    let raw = TxEnvelope::from(tx.into_signed(sig)).encoded_2718();
    let legacy = serde_json::json!({
        "format": 1,
        "chain_id": 1337,
        "genesis_timestamp": 1_700_000_000u64,
        "entries": [
            {"kind": "fund", "address": sender.address(), "amount": "0xde0b6b3a7640000"},
            {"kind": "increase_time", "seconds": 3600},
            {"kind": "tx", "raw": format!("0x{}", hex::encode(&raw)), "timestamp": 1_700_003_601u64},
        ]
    });
    std::fs::write(&path, serde_json::to_vec(&legacy).unwrap()).unwrap();
    let check = |chain: &DevChain| {
        let r = chain
            .batch(&[
                Request::BlockNumber,
                Request::Block(BlockRef::Number(1)),
                Request::Balance(to),
                Request::Nonce(sender.address()),
            ])
            .unwrap();
        assert_eq!(r[0], Response::Number(1));
        let Response::Block(b) = r[1] else { panic!() };
        assert_eq!(b.timestamp, 1_700_003_601);
        assert_eq!(r[2], Response::Amount(U256::from(12_345u64)));
        assert_eq!(r[3], Response::Number(1));
    };
    {
        let chain = DevChain::open(&path).unwrap();
        assert_eq!(report(&chain).migrated_from, Some(1));
        assert_eq!(report(&chain).entries, 3);
        check(&chain);
    }
    assert!(
        std::fs::read(&path)
            .unwrap()
            .starts_with(b"SIEGEL-DEVCHAIN2")
    );
    let chain = DevChain::open(&path).unwrap();
    assert_eq!(report(&chain).migrated_from, None);
    check(&chain);
    drop(chain);
    // A JSON document of another format is refused, not migrated.
    std::fs::write(
        &path,
        br#"{"format": 7, "chain_id": 1, "genesis_timestamp": 0, "entries": []}"#,
    )
    .unwrap();
    assert!(matches!(
        DevChain::try_open(&path),
        Err(DevChainError::UnknownFormat { .. })
    ));
}
