//! Which signed messages a proof discloses (the draft's `disclosed_indexes`, § 3.5.3), as a type
//! that cannot hold an index out of range or a duplicate.

use super::error::Error;

/// A sorted set of disclosed message indexes (0-based) for a known number of signed messages.
///
/// Invariant: strictly increasing, every index `< message_count`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DisclosedIndexes {
    indexes: Vec<usize>,
    message_count: usize,
}

impl DisclosedIndexes {
    /// Parses indexes (in any order) for `message_count` signed messages.
    ///
    /// # Errors
    /// [`Error::TooManyDisclosed`] if more indexes than messages are given,
    /// [`Error::IndexOutOfRange`] for an index `>= message_count`, [`Error::DuplicateIndex`] for a
    /// repeated one.
    pub fn new(
        indexes: impl IntoIterator<Item = usize>,
        message_count: usize,
    ) -> Result<Self, Error> {
        let mut indexes: Vec<usize> = indexes.into_iter().collect();
        if indexes.len() > message_count {
            return Err(Error::TooManyDisclosed {
                disclosed: indexes.len(),
                count: message_count,
            });
        }
        if let Some(&index) = indexes.iter().find(|&&i| i >= message_count) {
            return Err(Error::IndexOutOfRange {
                index,
                count: message_count,
            });
        }
        indexes.sort_unstable();
        if let Some(w) = indexes.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::DuplicateIndex(w[0]));
        }
        Ok(Self {
            indexes,
            message_count,
        })
    }

    /// Every message disclosed.
    pub fn all(message_count: usize) -> Self {
        Self {
            indexes: (0..message_count).collect(),
            message_count,
        }
    }

    /// No message disclosed.
    pub fn none(message_count: usize) -> Self {
        Self {
            indexes: Vec::new(),
            message_count,
        }
    }

    /// The disclosed indexes, ascending.
    pub fn indexes(&self) -> &[usize] {
        &self.indexes
    }

    /// The number of signed messages these indexes refer to (the draft's L).
    pub fn message_count(&self) -> usize {
        self.message_count
    }

    /// The undisclosed indexes, ascending.
    pub fn undisclosed(&self) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.indexes.iter().peekable();
        (0..self.message_count).filter(move |i| {
            if next.peek() == Some(&i) {
                next.next();
                false
            } else {
                true
            }
        })
    }

    /// Whether index `i` is disclosed.
    pub fn contains(&self, i: usize) -> bool {
        self.indexes.binary_search(&i).is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_bad_sets() {
        assert_eq!(
            DisclosedIndexes::new([4, 2, 4, 6], 10),
            Err(Error::DuplicateIndex(4))
        );
        assert_eq!(
            DisclosedIndexes::new([0, 10], 10),
            Err(Error::IndexOutOfRange {
                index: 10,
                count: 10
            })
        );
        assert_eq!(
            DisclosedIndexes::new([0, 0, 0], 2),
            Err(Error::TooManyDisclosed {
                disclosed: 3,
                count: 2
            })
        );
        assert_eq!(
            DisclosedIndexes::new([usize::MAX], 1),
            Err(Error::IndexOutOfRange {
                index: usize::MAX,
                count: 1
            })
        );
    }

    proptest! {
        #[test]
        fn partition_is_exact(count in 0usize..64, picks in proptest::collection::btree_set(0usize..64, 0..64)) {
            let picks: Vec<usize> = picks.into_iter().filter(|&i| i < count).collect();
            let mut shuffled = picks.clone();
            shuffled.reverse();
            let d = DisclosedIndexes::new(shuffled, count).unwrap();
            prop_assert_eq!(d.indexes(), &picks[..]);
            let undisclosed: Vec<usize> = d.undisclosed().collect();
            prop_assert_eq!(undisclosed.len() + picks.len(), count);
            for i in 0..count {
                prop_assert_eq!(d.contains(i), !undisclosed.contains(&i));
            }
        }
    }
}
