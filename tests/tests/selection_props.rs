//! Property: for any claim set the bank issues and any DCQL selection of claims it has, the
//! holder's answer verifies and discloses exactly the requested claims, with the values issued.
#![allow(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use siegel_tests::{World, sample_claims};
use wallet_core::credential::KYC_CLAIMS;
use wallet_core::verify::HolderBinding;

#[test]
fn any_claim_set_and_selection_round_trips() {
    let world = std::cell::RefCell::new(World::new());
    let full = sample_claims();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    // (claims issued, claims required, claims optional, include optional?)
    let strategy = proptest::sample::subsequence(KYC_CLAIMS.to_vec(), 1..=KYC_CLAIMS.len())
        .prop_flat_map(|issued| {
            let n = issued.len();
            (
                Just(issued.clone()),
                proptest::sample::subsequence(issued, 1..=n),
                0usize..=n,
                any::<bool>(),
            )
        });
    runner
        .run(&strategy, |(issued, selected, split, include_optional)| {
            let mut w = world.borrow_mut();
            let w = &mut *w;
            let mut claims = serde_json::Map::new();
            for c in &issued {
                claims.insert((*c).to_owned(), full[*c].clone());
            }
            let doc = w.issue(Value::Object(claims), 30).document;
            let s = wallet_core::holder::receive(
                &mut w.holder.vault,
                &w.ledger,
                doc.to_string().as_bytes(),
                &w.clock,
            )
            .unwrap();
            let split = split.min(selected.len());
            let (required, optional) = selected.split_at(split);
            let required = if required.is_empty() {
                &selected[..1]
            } else {
                required
            };
            let optional: Vec<&str> = optional
                .iter()
                .filter(|c| !required.contains(c))
                .copied()
                .collect();
            let request = w.request(required, &optional);
            let answer = wallet_core::holder::answer(
                &mut w.holder.vault,
                &s.id,
                &request,
                include_optional,
                &w.clock,
            )
            .unwrap();
            let mut want: Vec<&str> = required.to_vec();
            if include_optional {
                want.extend(optional.iter().copied());
            }
            let report = w.verify(
                answer.presentation.to_string().as_bytes(),
                &request,
                HolderBinding::Required,
            );
            prop_assert!(report.is_valid(), "{report:#?}");
            let mut got: Vec<&str> = report.disclosed.iter().map(|d| d.claim.as_str()).collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(&got, &want);
            for d in &report.disclosed {
                let issued_value = &full[d.claim.as_str()];
                let text = match issued_value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                prop_assert_eq!(&d.value, &text);
            }
            Ok(())
        })
        .unwrap();
}
