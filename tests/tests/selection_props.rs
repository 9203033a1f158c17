//! Property: for any claim set the bank issues and any DCQL selection of claims it has, the
//! holder's answer verifies and discloses exactly the requested claims and the optional ones the
//! holder chose, with the values issued — and the preview shown before signing says the same.
#![allow(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use siegel_tests::{World, sample_claims};
use wallet_core::credential::KYC_CLAIMS;
use wallet_core::holder::OptionalClaims;
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
    // (claims issued, claims selected, where they split into required | optional, which optional
    // ones the holder agrees to: a bit mask)
    let strategy = proptest::sample::subsequence(KYC_CLAIMS.to_vec(), 1..=KYC_CLAIMS.len())
        .prop_flat_map(|issued| {
            let n = issued.len();
            (
                Just(issued.clone()),
                proptest::sample::subsequence(issued, 1..=n),
                0usize..=n,
                any::<u16>(),
            )
        });
    runner
        .run(&strategy, |(issued, selected, split, agreed)| {
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
            let chosen: Vec<String> = optional
                .iter()
                .enumerate()
                .filter(|(i, _)| agreed & (1 << i) != 0)
                .map(|(_, c)| (*c).to_owned())
                .collect();
            let choice = OptionalClaims::Only(chosen.clone());
            let preview =
                wallet_core::holder::preview(&w.holder.vault, &s.id, &request, &choice, &w.clock)
                    .unwrap();
            let answer = wallet_core::holder::answer(
                &mut w.holder.vault,
                &s.id,
                &request,
                &choice,
                &w.clock,
            )
            .unwrap();
            let mut want: Vec<&str> = required.to_vec();
            want.extend(chosen.iter().map(String::as_str));
            let mut previewed: Vec<&str> =
                preview.disclosed.iter().map(|(c, _)| c.as_str()).collect();
            previewed.sort_unstable();
            let mut hidden: Vec<&str> = preview.withheld.iter().map(|(c, _)| c.as_str()).collect();
            hidden.sort_unstable();
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
            prop_assert_eq!(&previewed, &want);
            let mut not_asked: Vec<&str> = issued
                .iter()
                .copied()
                .filter(|c| !want.contains(c))
                .collect();
            not_asked.sort_unstable();
            prop_assert_eq!(&hidden, &not_asked);
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
