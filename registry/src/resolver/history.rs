//! An identity's ERC-1056 history as the node reports it: every log is checked against the query
//! that asked for it before it is decoded, the `previousChange` links are walked, and each block
//! the history names is checked to have contributed all of the identity's events.

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::SolEvent;

use super::{LogMismatch, ResolveError};
use crate::chain::{LogEntry, LogFilter};
use crate::contracts::EthereumDIDRegistry as Erc1056;

/// The three ERC-1056 events (topic 0), the only ones a history may hold.
pub(super) const EVENT_SIGNATURES: [B256; 3] = [
    Erc1056::DIDOwnerChanged::SIGNATURE_HASH,
    Erc1056::DIDDelegateChanged::SIGNATURE_HASH,
    Erc1056::DIDAttributeChanged::SIGNATURE_HASH,
];

/// One decoded registry event of the identity.
#[derive(Clone, Debug)]
pub(super) struct Event {
    pub(super) block: u64,
    pub(super) log_index: u64,
    pub(super) previous_change: u64,
    pub(super) change: Change,
}

/// What an event changes. `bytes32` names and delegate types are `None` when they are not UTF-8:
/// the did:ethr reference resolver drops such events from the document (they are no DID data),
/// but they still count for the `previousChange` walk.
#[derive(Clone, Debug)]
pub(super) enum Change {
    Owner(Address),
    Delegate {
        kind: Option<String>,
        delegate: Address,
        valid_to: U256,
    },
    Attribute {
        name: Option<String>,
        value: Bytes,
        valid_to: U256,
    },
}

/// The log filter of the registry's events for every identity in blocks `from..=to`: the query
/// the completeness check compares the history with.
pub(super) fn range_filter(registry: Address, (from, to): (u64, u64)) -> LogFilter {
    LogFilter {
        address: registry,
        from,
        to,
        topic0: EVENT_SIGNATURES.to_vec(),
        topic1: None,
    }
}

/// A `bytes32` as ERC-1056 tools write strings: UTF-8, zero-padded on the right. `None` for bytes
/// that are not UTF-8.
fn bytes32_to_string(b: &B256) -> Option<String> {
    std::str::from_utf8(b.as_slice())
        .ok()
        .map(|s| s.trim_end_matches('\0').to_owned())
}

fn to_u64(v: U256, what: &str) -> Result<u64, ResolveError> {
    u64::try_from(v).map_err(|_| ResolveError::Inconsistent(format!("{what} {v} is out of range")))
}

fn unrequested(log: &LogEntry, mismatch: LogMismatch) -> ResolveError {
    ResolveError::UnrequestedLog {
        block: log.block_number,
        log_index: log.log_index,
        mismatch,
    }
}

/// Whether `log` is an ERC-1056 event emitted by `registry` in blocks `from..=to`, and about
/// `identity` when one is given — what the query asked for. A node that returns anything else is
/// not trusted with the rest of its answer either.
pub(super) fn check_requested(
    log: &LogEntry,
    registry: Address,
    identity: Option<Address>,
    from: u64,
    to: u64,
) -> Result<(), ResolveError> {
    if log.address != registry {
        return Err(unrequested(log, LogMismatch::Contract(log.address)));
    }
    if log.block_number < from || log.block_number > to {
        return Err(unrequested(log, LogMismatch::Block { from, to }));
    }
    // Each ERC-1056 event has exactly one indexed parameter, the identity.
    let [topic0, topic1] = log.topics.as_slice() else {
        return Err(unrequested(log, LogMismatch::TopicCount(log.topics.len())));
    };
    if !EVENT_SIGNATURES.contains(topic0) {
        return Err(unrequested(log, LogMismatch::Event(*topic0)));
    }
    if identity.is_some_and(|id| *topic1 != id.into_word()) {
        return Err(unrequested(log, LogMismatch::Identity(*topic1)));
    }
    Ok(())
}

/// Decodes a log that passed [`check_requested`].
pub(super) fn decode(log: &LogEntry) -> Result<Event, ResolveError> {
    let bad = |e: alloy::sol_types::Error| {
        ResolveError::Inconsistent(format!(
            "undecodable event at block {} index {}: {e}",
            log.block_number, log.log_index
        ))
    };
    let topics = log.topics.iter().copied();
    let topic0 = log.topics.first().copied().unwrap_or_default();
    let (previous, change) = if topic0 == Erc1056::DIDOwnerChanged::SIGNATURE_HASH {
        let e = Erc1056::DIDOwnerChanged::decode_raw_log(topics, &log.data).map_err(bad)?;
        (e.previousChange, Change::Owner(e.owner))
    } else if topic0 == Erc1056::DIDDelegateChanged::SIGNATURE_HASH {
        let e = Erc1056::DIDDelegateChanged::decode_raw_log(topics, &log.data).map_err(bad)?;
        (
            e.previousChange,
            Change::Delegate {
                kind: bytes32_to_string(&e.delegateType),
                delegate: e.delegate,
                valid_to: e.validTo,
            },
        )
    } else {
        let e = Erc1056::DIDAttributeChanged::decode_raw_log(topics, &log.data).map_err(bad)?;
        (
            e.previousChange,
            Change::Attribute {
                name: bytes32_to_string(&e.name),
                value: e.value,
                valid_to: e.validTo,
            },
        )
    };
    Ok(Event {
        block: log.block_number,
        log_index: log.log_index,
        previous_change: to_u64(previous, "previousChange")?,
        change,
    })
}

/// Puts the logs in chain order and refuses two logs at one position (a node repeating or forging
/// an event).
pub(super) fn in_chain_order(mut logs: Vec<LogEntry>) -> Result<Vec<LogEntry>, ResolveError> {
    logs.sort_by_key(|l| (l.block_number, l.log_index));
    if let Some(pair) = logs
        .windows(2)
        .find(|w| (w[0].block_number, w[0].log_index) == (w[1].block_number, w[1].log_index))
    {
        return Err(ResolveError::Inconsistent(format!(
            "two logs at block {} index {}",
            pair[0].block_number, pair[0].log_index
        )));
    }
    Ok(logs)
}

/// ERC-1056 stores `changed[identity] = block.number` after each event, so the first of the
/// identity's events in a block points back to the block of the previous change and every later
/// one in the same block points to its own block. Each event's `previousChange` must therefore
/// name the block of the event before it (0 for the first), and the last event must sit in block
/// `changed`. This finds any block left out, and any event left out that is not the last of its
/// block; [`check_complete`] finds the rest.
pub(super) fn check_links(events: &[Event], changed: u64) -> Result<(), ResolveError> {
    let mut previous_block = 0u64;
    for e in events {
        if e.previous_change != previous_block {
            return Err(ResolveError::Inconsistent(format!(
                "event in block {} points back to block {}, but the previous event is in block {}",
                e.block, e.previous_change, previous_block
            )));
        }
        previous_block = e.block;
    }
    if previous_block != changed {
        return Err(ResolveError::Inconsistent(format!(
            "the registry says the last change was in block {changed}, the node returned events up to block {previous_block}"
        )));
    }
    Ok(())
}

/// The blocks of the history as runs of consecutive blocks (`from..=to`), oldest first: one
/// query per run — a run holds the identity's events in every block, so it brings in no block
/// the history does not name.
pub(super) fn runs(logs: &[LogEntry]) -> Vec<(u64, u64)> {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for block in logs.iter().map(|l| l.block_number) {
        match runs.last_mut() {
            Some((_, to)) if block <= to.saturating_add(1) => *to = block,
            _ => runs.push((block, block)),
        }
    }
    runs
}

/// Compares the identity's events in the history (`history`, from the ranged query filtered by
/// identity) with the registry's events for every identity in blocks `from..=to` (`range_logs`,
/// from [`range_filter`]): both must hold exactly the same events of `identity`. An event the
/// history left out — the revocation after a publication in the same block, say — shows up here.
pub(super) fn check_complete(
    history: &[LogEntry],
    (from, to): (u64, u64),
    range_logs: &[LogEntry],
    registry: Address,
    identity: Address,
) -> Result<(), ResolveError> {
    let mut ours: BTreeMap<(u64, u64), &LogEntry> = BTreeMap::new();
    for log in range_logs {
        check_requested(log, registry, None, from, to)?;
        if log.topics.get(1) == Some(&identity.into_word())
            && ours
                .insert((log.block_number, log.log_index), log)
                .is_some()
        {
            return Err(ResolveError::Inconsistent(format!(
                "two logs at block {} index {}",
                log.block_number, log.log_index
            )));
        }
    }
    let in_history: BTreeMap<(u64, u64), &LogEntry> = history
        .iter()
        .filter(|l| (from..=to).contains(&l.block_number))
        .map(|l| ((l.block_number, l.log_index), l))
        .collect();
    for ((block, index), log) in &ours {
        match in_history.get(&(*block, *index)) {
            Some(h) if *h == *log => {}
            Some(_) => {
                return Err(ResolveError::Inconsistent(format!(
                    "the node reports two different events at block {block} index {index}"
                )));
            }
            None => {
                return Err(ResolveError::Inconsistent(format!(
                    "the node left the identity's event at block {block} index {index} out of its history"
                )));
            }
        }
    }
    if let Some((block, index)) = in_history.keys().find(|k| !ours.contains_key(k)) {
        return Err(ResolveError::Inconsistent(format!(
            "the identity's event at block {block} index {index} is missing from that block's own logs"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn at(block: u64) -> LogEntry {
        LogEntry {
            address: Address::ZERO,
            topics: Vec::new(),
            data: Bytes::new(),
            block_number: block,
            log_index: 0,
        }
    }

    #[test]
    fn consecutive_blocks_are_one_run() {
        let logs: Vec<LogEntry> = [3, 3, 4, 5, 9, 11, 12].into_iter().map(at).collect();
        assert_eq!(runs(&logs), [(3, 5), (9, 9), (11, 12)]);
        assert_eq!(runs(&[]), []);
        assert_eq!(runs(&[at(u64::MAX)]), [(u64::MAX, u64::MAX)]);
    }
}
