//! The credential status registry's rules (issue 10, part 4), on the embedded DevChain and on a
//! real anvil node (skipped when anvil is not installed, unless REQUIRE_EVM_NODE=1):
//! - revocation is permanent: clearing a revocation bit is refused, directly and signed;
//! - suspension can be set and cleared;
//! - an issuer whose DID is deactivated (`changeOwner(identity, 0)`) cannot be written for — not by
//!   its identity key, which ERC-1056 then answers as the owner, not by a former owner, and not by
//!   a `sigAuth` delegate whose validity has not run out;
//! - an issuer must name its owner before it writes; a normal issuer still can.
//!
//! Each refusal is asserted as the exact [`StatusRefusal`] the contract's custom error maps to.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::Arc;

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::SolCall;
use common::{DAY, account, fund, refusal};
use registry::chain::{Chain, TxSigner, send_call};
use registry::contracts::CredentialStatusRegistry as Status;
use registry::identity::{Registry, StatusError, StatusPurpose, StatusRefusal};

use StatusPurpose::{Revocation, Suspension};

/// A deadline far in the future (the contract compares it with the block time).
const LATER: u64 = u64::MAX / 2;

/// Accounts and contracts of one scenario: `issuer` is the identity (and its own key), `delegate`
/// a `sigAuth` delegate of it, `relayer` pays for signed updates, `stranger` has no rights.
struct Setup {
    reg: Registry,
    issuer: TxSigner,
    delegate: TxSigner,
    relayer: TxSigner,
    stranger: TxSigner,
}

impl Setup {
    fn id(&self) -> Address {
        self.issuer.address()
    }
}

/// Fresh contracts and funded accounts; the issuer has published a key (so ERC-1056 has recorded
/// a change for it) but has not named an owner.
fn setup(chain: &Arc<dyn Chain>) -> Setup {
    let reg = Registry::new(chain.clone(), common::deploy(chain));
    let [issuer, delegate, relayer, stranger] =
        ["issuer", "delegate", "relayer", "stranger"].map(|n| account(&format!("status {n}")));
    fund(chain, &[&issuer, &delegate, &relayer, &stranger]);
    reg.publish_key(&issuer, issuer.address(), &common::bbs_key("status"), DAY)
        .unwrap();
    Setup {
        reg,
        issuer,
        delegate,
        relayer,
        stranger,
    }
}

/// As [`setup`], and the issuer has named itself owner and added its `sigAuth` delegate.
fn named_issuer(chain: &Arc<dyn Chain>) -> Setup {
    let s = setup(chain);
    s.reg.change_owner(&s.issuer, s.id(), s.id()).unwrap();
    s.reg
        .add_delegate(&s.issuer, s.id(), "sigAuth", s.delegate.address(), DAY)
        .unwrap();
    s
}

fn status(s: &Setup, purpose: StatusPurpose, index: u64) -> bool {
    s.reg.status(s.id(), purpose, index).unwrap()
}

/// Revocation bits are set-only, whoever asks and however: the owner and the delegate, directly
/// and through a relayer; clearing a bit that was never set is refused as well.
fn revocation_cannot_be_cleared(chain: &Arc<dyn Chain>) {
    let s = named_issuer(chain);
    let id = s.id();
    s.reg
        .set_status(&s.issuer, id, Revocation, 7, true)
        .unwrap();
    let permanent = |index: u64| StatusRefusal::RevocationIsPermanent {
        issuer: id,
        index: U256::from(index),
    };
    assert_eq!(
        refusal(s.reg.set_status(&s.issuer, id, Revocation, 7, false)),
        permanent(7)
    );
    assert_eq!(
        refusal(s.reg.set_status(&s.delegate, id, Revocation, 7, false)),
        permanent(7)
    );
    for signer in [&s.issuer, &s.delegate] {
        assert_eq!(
            refusal(
                s.reg
                    .set_status_signed(&s.relayer, signer, id, Revocation, 7, false, LATER)
            ),
            permanent(7)
        );
    }
    assert!(status(&s, Revocation, 7), "the revocation still stands");
    assert_eq!(
        refusal(s.reg.set_status(&s.issuer, id, Revocation, 8, false)),
        permanent(8)
    );
    // Setting it again is harmless, and the same index in the other purpose is independent.
    s.reg
        .set_status(&s.issuer, id, Revocation, 7, true)
        .unwrap();
    s.reg
        .set_status(&s.issuer, id, Suspension, 7, true)
        .unwrap();
    s.reg
        .set_status(&s.issuer, id, Suspension, 7, false)
        .unwrap();
    assert!(status(&s, Revocation, 7));
    // The refusal reads as what it is.
    let message = s
        .reg
        .set_status(&s.issuer, id, Revocation, 7, false)
        .unwrap_err()
        .to_string();
    assert!(message.contains("revocation is permanent"), "{message}");
}

/// Suspension bits are set and lifted, by the owner and by the delegate, directly and signed.
fn suspension_can_be_lifted(chain: &Arc<dyn Chain>) {
    let s = named_issuer(chain);
    let id = s.id();
    for (writer, index) in [(&s.issuer, 300), (&s.delegate, 301)] {
        s.reg
            .set_status(writer, id, Suspension, index, true)
            .unwrap();
        assert!(status(&s, Suspension, index));
        s.reg
            .set_status(writer, id, Suspension, index, false)
            .unwrap();
        assert!(!status(&s, Suspension, index));
        s.reg
            .set_status_signed(&s.relayer, writer, id, Suspension, index, true, LATER)
            .unwrap();
        assert!(status(&s, Suspension, index));
        s.reg
            .set_status_signed(&s.relayer, writer, id, Suspension, index, false, LATER)
            .unwrap();
        assert!(!status(&s, Suspension, index));
    }
}

/// Every way of writing for `id`, each refused with `IssuerHasNoOwner`.
fn assert_no_writes(s: &Setup, writers: &[&TxSigner]) {
    let id = s.id();
    let no_owner = StatusRefusal::IssuerHasNoOwner { issuer: id };
    for writer in writers {
        for (purpose, value) in [(Revocation, true), (Suspension, true), (Suspension, false)] {
            assert_eq!(
                refusal(s.reg.set_status(writer, id, purpose, 42, value)),
                no_owner,
                "direct write by {} ({purpose:?}, {value})",
                writer.address()
            );
            assert_eq!(
                refusal(
                    s.reg
                        .set_status_signed(&s.relayer, writer, id, purpose, 42, value, LATER)
                ),
                no_owner,
                "signed write by {} ({purpose:?}, {value})",
                writer.address()
            );
        }
    }
}

/// The issuer's own key owns it, then deactivates it: ERC-1056 answers the identity itself as the
/// owner and still holds the delegate valid, yet neither can write any more.
fn deactivated_issuer_cannot_be_written_for(chain: &Arc<dyn Chain>) {
    let s = named_issuer(chain);
    let id = s.id();
    // Before: both write, both ways.
    s.reg
        .set_status(&s.issuer, id, Revocation, 1, true)
        .unwrap();
    s.reg
        .set_status_signed(&s.relayer, &s.delegate, id, Suspension, 2, true, LATER)
        .unwrap();

    s.reg.change_owner(&s.issuer, id, Address::ZERO).unwrap();
    // What the old contract trusted: both still look authorized through ERC-1056 alone.
    assert_eq!(s.reg.owner(id).unwrap(), id);
    assert!(
        s.reg
            .valid_delegate(id, "sigAuth", s.delegate.address())
            .unwrap()
    );
    assert_no_writes(&s, &[&s.issuer, &s.delegate]);
    // What was written stays readable.
    assert!(status(&s, Revocation, 1));
    assert!(status(&s, Suspension, 2));
}

/// The identity handed to another owner, who deactivates it: the former owner, the identity key
/// and the delegate are all refused.
fn deactivated_issuer_with_another_owner_cannot_be_written_for(chain: &Arc<dyn Chain>) {
    let s = named_issuer(chain);
    let id = s.id();
    let owner = account("status new owner");
    fund(chain, &[&owner]);
    s.reg.change_owner(&s.issuer, id, owner.address()).unwrap();
    s.reg.set_status(&owner, id, Suspension, 3, true).unwrap();
    s.reg
        .set_status(&s.delegate, id, Suspension, 4, true)
        .unwrap();
    assert_eq!(
        refusal(s.reg.set_status(&s.issuer, id, Suspension, 5, true)),
        StatusRefusal::NotAuthorized {
            issuer: id,
            actor: id
        }
    );

    s.reg.change_owner(&owner, id, Address::ZERO).unwrap();
    assert_no_writes(&s, &[&owner, &s.issuer, &s.delegate]);
}

/// An issuer whose owner entry is empty is refused until it names an owner — with changes on
/// record (the empty entry then looks exactly like a deactivation) and without.
fn issuer_must_name_its_owner(chain: &Arc<dyn Chain>) {
    let s = setup(chain);
    let id = s.id();
    assert_no_writes(&s, &[&s.issuer]);

    let pristine = account("status pristine");
    fund(chain, &[&pristine]);
    assert_eq!(
        refusal(
            s.reg
                .set_status(&pristine, pristine.address(), Revocation, 0, true)
        ),
        StatusRefusal::IssuerHasNoOwner {
            issuer: pristine.address()
        }
    );

    s.reg.change_owner(&s.issuer, id, id).unwrap();
    s.reg
        .set_status(&s.issuer, id, Revocation, 42, true)
        .unwrap();
    s.reg
        .set_status_signed(&s.relayer, &s.issuer, id, Suspension, 42, true, LATER)
        .unwrap();
    assert!(status(&s, Revocation, 42) && status(&s, Suspension, 42));
}

/// A normal issuer: owner and delegate write both ways; strangers, expired delegates, foreign
/// signatures, late signatures and unknown purposes get their own refusals.
fn named_issuer_writes_and_others_are_refused(chain: &Arc<dyn Chain>) {
    let s = named_issuer(chain);
    let id = s.id();
    s.reg
        .set_status(&s.issuer, id, Revocation, 10, true)
        .unwrap();
    s.reg
        .set_status(&s.delegate, id, Revocation, 11, true)
        .unwrap();
    s.reg
        .set_status_signed(&s.relayer, &s.issuer, id, Revocation, 12, true, LATER)
        .unwrap();
    s.reg
        .set_status_signed(&s.relayer, &s.delegate, id, Revocation, 13, true, LATER)
        .unwrap();
    assert!((10..=13).all(|i| status(&s, Revocation, i)));
    assert!(!status(&s, Revocation, 14));

    let stranger = StatusRefusal::NotAuthorized {
        issuer: id,
        actor: s.stranger.address(),
    };
    assert_eq!(
        refusal(s.reg.set_status(&s.stranger, id, Revocation, 14, true)),
        stranger
    );
    assert_eq!(
        refusal(
            s.reg
                .set_status_signed(&s.relayer, &s.stranger, id, Revocation, 14, true, LATER)
        ),
        stranger
    );
    assert_eq!(
        refusal(
            s.reg
                .set_status_signed(&s.relayer, &s.issuer, id, Revocation, 14, true, 1)
        ),
        StatusRefusal::SignatureExpired {
            deadline: U256::from(1)
        }
    );

    // A signature by the stranger in the issuer's name, and a purpose the contract does not know,
    // built by hand since the typed API cannot express them.
    let (v, r, sig_s) = s.stranger.sign_digest(B256::repeat_byte(7)).unwrap();
    let forged = Status::setStatusSignedCall {
        issuer: id,
        purpose: 0,
        index: U256::from(14),
        value: true,
        signer: id,
        deadline: U256::from(LATER),
        v,
        r,
        s: sig_s,
    };
    let unknown = Status::setStatusCall {
        issuer: id,
        purpose: 2,
        index: U256::from(14),
        value: true,
    };
    let to = s.reg.deployment().status_registry;
    let send = |signer: &TxSigner, data: Vec<u8>| {
        StatusError::from(send_call(chain, signer, to, Bytes::from(data)).unwrap_err())
    };
    assert!(matches!(
        send(&s.relayer, forged.abi_encode()),
        StatusError::Refused(StatusRefusal::BadSignature)
    ));
    assert!(matches!(
        send(&s.issuer, unknown.abi_encode()),
        StatusError::Refused(StatusRefusal::UnknownPurpose(2))
    ));

    // A delegate whose validity ran out is a stranger again.
    s.reg
        .add_delegate(&s.issuer, id, "sigAuth", s.stranger.address(), 10)
        .unwrap();
    s.reg
        .set_status(&s.stranger, id, Suspension, 15, true)
        .unwrap();
    chain.dev_increase_time(100).unwrap();
    s.reg
        .set_status(&s.issuer, id, Suspension, 16, true)
        .unwrap(); // mines a block at the new time
    assert_eq!(
        refusal(s.reg.set_status(&s.stranger, id, Suspension, 15, false)),
        stranger
    );
    assert!(status(&s, Suspension, 15), "unchanged");
}

/// Each scenario as a test on DevChain and as a test on anvil.
macro_rules! on_both_chains {
    ($($scenario:ident),* $(,)?) => {
        mod devchain {
            $(
                #[test]
                fn $scenario() {
                    let chain: std::sync::Arc<dyn registry::chain::Chain> =
                        std::sync::Arc::new(registry::chain::DevChain::in_memory());
                    super::$scenario(&chain);
                }
            )*
        }
        mod anvil {
            $(
                #[test]
                fn $scenario() {
                    let Some((_anvil, rpc)) = crate::common::start_anvil() else {
                        return;
                    };
                    let chain: std::sync::Arc<dyn registry::chain::Chain> = rpc;
                    super::$scenario(&chain);
                }
            )*
        }
    };
}

on_both_chains!(
    revocation_cannot_be_cleared,
    suspension_can_be_lifted,
    deactivated_issuer_cannot_be_written_for,
    deactivated_issuer_with_another_owner_cannot_be_written_for,
    issuer_must_name_its_owner,
    named_issuer_writes_and_others_are_refused,
);
