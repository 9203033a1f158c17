//! A counted dry run of RDFC-1.0's blank-node labelling, to refuse *poison* datasets before
//! `oxrdf` canonicalizes them.
//!
//! RDFC-1.0's Hash N-Degree Quads algorithm (§ 4.8) tries every permutation of blank nodes it
//! cannot tell apart and recurses into their neighbours, so its worst case is exponential: a
//! complete graph of 8 indistinguishable blank nodes (56 quads) takes seconds, of 10 minutes.
//! The specification asks implementations to guard against this (§ 4.3 *Dataset Poisoning*);
//! `oxrdf` 0.3 has no limit, and a verifier canonicalizes whatever a presentation contains.
//!
//! This module runs the same algorithm (§ 4.4 steps 1–5, § 4.7, § 4.8) and counts its work:
//! every call of Hash N-Degree Quads and every permutation it examines. Past [`MAX_WORK`] it
//! stops with [`WorkExceeded`]. Datasets whose blank nodes all differ at first degree (every
//! credential we have seen) cost one pass over the quads and no N-degree work at all.
//!
//! It computes the real hashes, because the algorithm's pruning (§ 4.8.3 step 5.4.4.3) depends
//! on them; its labels are compared with `oxrdf`'s in the tests, so the count is the count of
//! the real run.

use std::collections::{BTreeMap, HashMap, HashSet};

use oxrdf::{GraphName, NamedOrBlankNode, Quad, Term};

use super::renamed_line as line;
use sha2::{Digest, Sha256};

/// Most units of N-degree work (calls plus permutations examined) one dataset may need. A
/// complete graph of indistinguishable blank nodes needs 556 units with 4 nodes, 4,565 with 5
/// (about 3 ms in `oxrdf`), 41,046 with 6 (about 30 ms in `oxrdf`, refused: a verifier labels
/// a presentation's blank nodes twice, on two threads, and must stay within 100 ms of CPU).
pub(super) const MAX_WORK: usize = 10_000;

/// Most blank nodes that share their first-degree hash with another (those that need Hash
/// N-Degree Quads at all). Each N-degree call clones an identifier issuer that grows with the
/// nodes it has reached, so [`MAX_WORK`] units among thousands of alike nodes (chains of
/// same-shaped objects) cost 70 ms; honest credentials have none (every blank node differs at
/// first degree), and 128 alike nodes cost well under a millisecond.
pub(super) const MAX_ALIKE: usize = 128;

/// The dataset needs more than [`MAX_WORK`] units of blank-node labelling work, or has more
/// than [`MAX_ALIKE`] blank nodes alike at first degree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WorkExceeded;

/// Identifier issuer (§ 4.5): issues `prefix` + counter, remembering the order.
#[derive(Clone)]
struct Issuer {
    prefix: &'static str,
    issued: HashMap<usize, String>,
    order: Vec<usize>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            issued: HashMap::new(),
            order: Vec::new(),
        }
    }

    fn get(&self, node: usize) -> Option<&str> {
        self.issued.get(&node).map(String::as_str)
    }

    fn issue(&mut self, node: usize) -> String {
        if let Some(id) = self.issued.get(&node) {
            return id.clone();
        }
        let id = format!("{}{}", self.prefix, self.order.len());
        self.issued.insert(node, id.clone());
        self.order.push(node);
        id
    }
}

/// Where a blank node occurs in a quad (§ 4.7 `position`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Subject,
    Object,
    Graph,
}

impl Position {
    fn code(self) -> &'static str {
        match self {
            Self::Subject => "s",
            Self::Object => "o",
            Self::Graph => "g",
        }
    }
}

struct State<'a> {
    quads: &'a [Quad],
    /// Blank node label → dense index.
    labels: Vec<&'a str>,
    /// Quads mentioning each blank node (§ 4.4 step 2).
    quads_of: Vec<Vec<usize>>,
    first_degree: Vec<String>,
    canonical: Issuer,
    work: usize,
}

fn blank_nodes(q: &Quad) -> [(Option<&str>, Position); 3] {
    let s = match &q.subject {
        NamedOrBlankNode::BlankNode(b) => Some(b.as_str()),
        NamedOrBlankNode::NamedNode(_) => None,
    };
    let o = match &q.object {
        Term::BlankNode(b) => Some(b.as_str()),
        _ => None,
    };
    let g = match &q.graph_name {
        GraphName::BlankNode(b) => Some(b.as_str()),
        _ => None,
    };
    [
        (s, Position::Subject),
        (o, Position::Object),
        (g, Position::Graph),
    ]
}

fn sha256_hex(data: &str) -> String {
    hex::encode(Sha256::digest(data.as_bytes()))
}

impl<'a> State<'a> {
    fn new(quads: &'a [Quad]) -> Self {
        let mut index: HashMap<&'a str, usize> = HashMap::new();
        let mut labels = Vec::new();
        let mut quads_of: Vec<Vec<usize>> = Vec::new();
        for (qi, q) in quads.iter().enumerate() {
            for (label, _) in blank_nodes(q) {
                let Some(label) = label else { continue };
                let n = *index.entry(label).or_insert_with(|| {
                    labels.push(label);
                    quads_of.push(Vec::new());
                    labels.len() - 1
                });
                if quads_of[n].last() != Some(&qi) {
                    quads_of[n].push(qi);
                }
            }
        }
        Self {
            quads,
            labels,
            quads_of,
            first_degree: Vec::new(),
            canonical: Issuer::new("c14n"),
            work: 0,
        }
    }

    /// Hash First Degree Quads (§ 4.6): the sorted quads of `n`, `n` as `_:a`, others `_:z`.
    fn first_degree_input(&self, n: usize) -> String {
        let me = self.labels[n];
        let mut lines: Vec<String> = self.quads_of[n]
            .iter()
            .map(|&qi| {
                line(&self.quads[qi], |l| {
                    if l == me { "a".into() } else { "z".into() }
                })
            })
            .collect();
        lines.sort();
        lines.concat()
    }

    fn spend(&mut self) -> Result<(), WorkExceeded> {
        self.work += 1;
        if self.work > MAX_WORK {
            Err(WorkExceeded)
        } else {
            Ok(())
        }
    }

    /// Hash Related Blank Node (§ 4.7).
    fn hash_related(
        &self,
        related: usize,
        q: &Quad,
        issuer: &Issuer,
        position: Position,
    ) -> String {
        let mut input = position.code().to_owned();
        if position != Position::Graph {
            input.push('<');
            input.push_str(q.predicate.as_str());
            input.push('>');
        }
        match self.canonical.get(related).or_else(|| issuer.get(related)) {
            Some(id) => {
                input.push_str("_:");
                input.push_str(id);
            }
            None => input.push_str(&self.first_degree[related]),
        }
        sha256_hex(&input)
    }

    /// Hash N-Degree Quads (§ 4.8).
    fn hash_n_degree(
        &mut self,
        n: usize,
        mut issuer: Issuer,
        label_index: &HashMap<&str, usize>,
    ) -> Result<(String, Issuer), WorkExceeded> {
        self.spend()?;
        // Steps 1–3: group related blank nodes by their related hash.
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let me = self.labels[n];
        for &qi in &self.quads_of[n] {
            let q = &self.quads[qi];
            for (label, position) in blank_nodes(q) {
                let Some(label) = label else { continue };
                if label == me {
                    continue;
                }
                let Some(&related) = label_index.get(label) else {
                    continue;
                };
                let h = self.hash_related(related, q, &issuer, position);
                groups.entry(h).or_default().push(related);
            }
        }
        // Steps 4–5.
        let mut data = String::new();
        for (related_hash, list) in groups {
            data.push_str(&related_hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer> = None;
            let mut perm = list;
            perm.sort_unstable();
            let mut first = true;
            while first || next_permutation(&mut perm) {
                first = false;
                self.spend()?;
                let mut issuer_copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let worse = |path: &str, chosen: &str| {
                    !chosen.is_empty() && path.len() >= chosen.len() && path > chosen
                };
                let mut skip = false;
                for &related in &perm {
                    if let Some(id) = self.canonical.get(related) {
                        path.push_str("_:");
                        path.push_str(id);
                    } else {
                        if issuer_copy.get(related).is_none() {
                            recursion.push(related);
                        }
                        path.push_str("_:");
                        path.push_str(&issuer_copy.issue(related));
                    }
                    if worse(&path, &chosen_path) {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                for related in recursion {
                    let (hash, result_issuer) =
                        self.hash_n_degree(related, issuer_copy.clone(), label_index)?;
                    path.push_str("_:");
                    path.push_str(&issuer_copy.issue(related));
                    path.push('<');
                    path.push_str(&hash);
                    path.push('>');
                    issuer_copy = result_issuer;
                    if worse(&path, &chosen_path) {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                if chosen_path.is_empty() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data.push_str(&chosen_path);
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((sha256_hex(&data), issuer))
    }
}

/// Lexicographic next permutation in place; false after the last one.
fn next_permutation(v: &mut [usize]) -> bool {
    let Some(i) = v.windows(2).rposition(|w| w[0] < w[1]) else {
        return false;
    };
    let Some(j) = v.iter().rposition(|&x| x > v[i]) else {
        return false;
    };
    v.swap(i, j);
    v[i + 1..].reverse();
    true
}

/// The RDFC-1.0 labelling (input label → `c14nN`), or [`WorkExceeded`] once it has needed more
/// than [`MAX_WORK`] units of N-degree work. Also returns the work spent.
pub(super) fn canonical_labels(
    quads: &[Quad],
) -> Result<(HashMap<String, String>, usize), WorkExceeded> {
    // The algorithm works on a dataset, a set: a repeated quad must not count twice.
    let mut seen = HashSet::new();
    let unique: Vec<Quad> = quads.iter().filter(|q| seen.insert(*q)).cloned().collect();
    let mut state = State::new(&unique);
    let count = state.labels.len();
    // § 4.4 step 3.
    state.first_degree = (0..count)
        .map(|n| sha256_hex(&state.first_degree_input(n)))
        .collect();
    let mut by_hash: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for n in 0..count {
        by_hash.entry(&state.first_degree[n]).or_default().push(n);
    }
    let by_hash: Vec<Vec<usize>> = by_hash.into_values().collect();
    // Step 4: unique hashes get canonical identifiers in hash order.
    for list in &by_hash {
        if let [only] = list[..] {
            state.canonical.issue(only);
        }
    }
    // Step 5: the shared hashes, through Hash N-Degree Quads.
    let label_index: HashMap<&str, usize> = state
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (*l, i))
        .collect();
    let alike: usize = by_hash.iter().filter(|l| l.len() > 1).map(Vec::len).sum();
    if alike > MAX_ALIKE {
        return Err(WorkExceeded);
    }
    for list in by_hash.into_iter().filter(|l| l.len() > 1) {
        let mut results = Vec::new();
        for n in list {
            if state.canonical.get(n).is_some() {
                continue;
            }
            let mut temporary = Issuer::new("b");
            temporary.issue(n);
            results.push(state.hash_n_degree(n, temporary, &label_index)?);
        }
        results.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in results {
            for n in issuer.order {
                state.canonical.issue(n);
            }
        }
    }
    let map = (0..count)
        .filter_map(|n| {
            state
                .canonical
                .get(n)
                .map(|c| (state.labels[n].to_owned(), c.to_owned()))
        })
        .collect();
    Ok((map, state.work))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
    use oxrdf::{BlankNode, Dataset, Literal, NamedNode};
    use proptest::prelude::*;

    fn iri(i: usize) -> NamedNode {
        NamedNode::new_unchecked(format!("http://example.org/p{i}"))
    }

    fn b(i: usize) -> BlankNode {
        BlankNode::new_unchecked(format!("n{i}"))
    }

    /// Edge `(s, p, o)` between blank nodes; `o >= nodes` means a literal instead.
    fn quads(edges: &[(usize, usize, usize)], nodes: usize) -> Vec<Quad> {
        edges
            .iter()
            .map(|&(s, p, o)| quad_in(s, p, o, nodes, GraphName::DefaultGraph))
            .collect()
    }

    fn quad_in(s: usize, p: usize, o: usize, nodes: usize, g: GraphName) -> Quad {
        let object: Term = if o < nodes {
            b(o).into()
        } else {
            Literal::new_simple_literal(o.to_string()).into()
        };
        Quad::new(b(s), iri(p), object, g)
    }

    /// oxrdf's canonical form of `quads`.
    fn oxrdf_canonical(quads: &[Quad]) -> Vec<String> {
        let mut dataset: Dataset = quads.iter().cloned().collect();
        dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
            hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
        });
        let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
        lines.sort();
        lines
    }

    /// `quads` under our labels. Symmetric nodes may be labelled either way round (the choice
    /// depends on iteration order), but the canonical dataset is the same.
    fn ours_canonical(quads: &[Quad], labels: &HashMap<String, String>) -> Vec<String> {
        let mut lines: Vec<String> = quads
            .iter()
            .map(|q| line(q, |l| labels[l].clone()))
            .collect();
        lines.sort();
        lines.dedup();
        lines
    }

    /// Every node linked to every other with the same predicate: no two nodes can be told apart.
    pub(crate) fn complete_graph(n: usize) -> Vec<Quad> {
        let edges: Vec<_> = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, 0, j)))
            .collect();
        quads(&edges, n)
    }

    #[test]
    fn same_labels_as_oxrdf_on_symmetric_graphs() {
        let cycle = |n: usize| quads(&(0..n).map(|i| (i, 0, (i + 1) % n)).collect::<Vec<_>>(), n);
        let two_cycles = {
            let mut q = cycle(3);
            q.extend(quads(&[(3, 0, 4), (4, 0, 5), (5, 0, 3)], 6));
            q
        };
        for (name, q) in [
            ("K2", complete_graph(2)),
            ("K3", complete_graph(3)),
            ("K4", complete_graph(4)),
            ("K5", complete_graph(5)),
            ("cycle 6", cycle(6)),
            ("two 3-cycles", two_cycles),
        ] {
            let (ours, work) = canonical_labels(&q).unwrap();
            assert_eq!(ours_canonical(&q, &ours), oxrdf_canonical(&q), "{name}");
            assert!(work > 0, "{name}: N-degree work expected");
        }
    }

    #[test]
    fn distinguishable_blank_nodes_need_no_n_degree_work() {
        let q = quads(&[(0, 0, 10), (1, 0, 11), (0, 1, 1), (2, 2, 0)], 3);
        let (ours, work) = canonical_labels(&q).unwrap();
        assert_eq!(work, 0);
        assert_eq!(ours_canonical(&q, &ours), oxrdf_canonical(&q));
    }

    #[test]
    fn poison_graphs_stop_at_the_budget() {
        let (_, k5) = canonical_labels(&complete_graph(5)).unwrap();
        assert!(k5 < MAX_WORK, "K5 needs {k5}");
        let mut last = 0;
        for n in 2..=5 {
            let (_, work) = canonical_labels(&complete_graph(n)).unwrap();
            println!("K{n}: {work} units");
            assert!(work > last, "more symmetric nodes, more work");
            last = work;
        }
        for n in [6, 7, 8, 10, 12] {
            assert_eq!(
                canonical_labels(&complete_graph(n)).map(|(_, w)| w),
                Err(WorkExceeded),
                "K{n}"
            );
        }
    }

    /// Leaves alike at first degree (each `_:x p "same"`, under one root): up to
    /// [`MAX_ALIKE`] are labelled, one more is refused before any N-degree work.
    #[test]
    fn alike_blank_nodes_are_bounded() {
        let star = |n: usize| -> Vec<Quad> {
            (1..=n)
                .flat_map(|i| [(0, 0, i), (i, 1, n + 1)])
                .map(|(s, p, o)| quad_in(s, p, o, n + 1, GraphName::DefaultGraph))
                .collect()
        };
        let q = star(MAX_ALIKE);
        let (ours, work) = canonical_labels(&q).unwrap();
        assert!(work >= MAX_ALIKE, "{work}");
        assert_eq!(ours_canonical(&q, &ours), oxrdf_canonical(&q));
        assert_eq!(
            canonical_labels(&star(MAX_ALIKE + 1)).map(|(_, w)| w),
            Err(WorkExceeded)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Random small graphs, rich in indistinguishable blank nodes (few predicates, few
        /// literals): the same labels as oxrdf whenever within budget.
        #[test]
        fn same_labels_as_oxrdf(
            nodes in 1usize..7,
            raw in proptest::collection::vec((0usize..7, 0usize..2, 0usize..9, 0usize..10), 1..14),
        ) {
            // Mostly the default graph; sometimes a blank node names the graph.
            let q: Vec<Quad> = raw
                .into_iter()
                .map(|(s, p, o, g)| {
                    let graph = if g < 7 { GraphName::DefaultGraph } else { b(g % nodes).into() };
                    quad_in(s % nodes, p, if o < 7 { o % nodes } else { o }, nodes, graph)
                })
                .collect();
            if let Ok((ours, _)) = canonical_labels(&q) {
                prop_assert_eq!(ours_canonical(&q, &ours), oxrdf_canonical(&q));
            }
        }
    }
}
