//! A search as tantivy's query: one flat disjunction of the words over the
//! kind's own fields. Made only of term queries (and a phrase where jieba
//! splits one word in several), it lets tantivy find the top hits by
//! block-max WAND, skipping the blocks of documents that cannot reach the
//! page, instead of scoring every document a common word is in.
use std::{collections::BTreeSet, sync::OnceLock};

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::{
    query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery},
    schema::{Field, IndexRecordOption},
    tokenizer::TextAnalyzer,
    Searcher, Term,
};

use super::schema::Matched;

/// A word in the title counts twice as much as one in the text.
const TITLE_BOOST: f32 = 2.0;
/// A word one typo away counts half as much as the word typed.
const TYPO_WEIGHT: f32 = 0.5;
/// At most this many indexed words stand in for one typed word.
const TYPO_EXPANSIONS: usize = 16;
/// Typo tolerance starts at this many letters: shorter Latin words are a
/// typo away from too many others, and Chinese words are too short for an
/// edit to mean anything.
const TYPO_MIN_LETTERS: usize = 5;

/// The query for `text` (the request's words, lowercase, separated by
/// spaces) in `fields`, optionally only in one circle.
pub(super) fn build(
    searcher: &Searcher,
    analyzer: &mut TextAnalyzer,
    fields: Matched,
    circle: Option<Term>,
    text: &str,
) -> anyhow::Result<Box<dyn Query>> {
    let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in text.split_whitespace() {
        let tokens = tokens(analyzer, word);
        let typos = typo_tolerant(word).then(|| one_edit_from(word));
        for (field, boost) in [(fields.title, TITLE_BOOST), (fields.body, 1.0)] {
            if let Some(query) = exact(field, &tokens) {
                either.push((Occur::Should, boosted(query, boost)));
            }
            if let Some(dfa) = &typos {
                let typed = idf(searcher, &Term::from_field_text(field, word))?;
                for (term, rarity) in one_typo_away(searcher, field, word, dfa)? {
                    // A misspelling is rare, so it weighs more per match
                    // than the word typed: scaled down to that word's
                    // weight first, it never ranks above it.
                    let weight = boost * TYPO_WEIGHT * (typed / rarity).min(1.0);
                    let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                    either.push((Occur::Should, boosted(query, weight)));
                }
            }
        }
    }
    let text: Box<dyn Query> = Box::new(BooleanQuery::new(either));
    Ok(match circle {
        None => text,
        Some(circle) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, text),
            (
                Occur::Must,
                Box::new(TermQuery::new(circle, IndexRecordOption::Basic)),
            ),
        ])),
    })
}

/// `word` as the index holds it: jieba's tokens, lowercase, each with its
/// position.
fn tokens(analyzer: &mut TextAnalyzer, word: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(word);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.position, token.text.clone()));
    }
    tokens
}

/// One token is a term; several (a Chinese compound, `小米14`) must stand
/// next to each other, as the query parser would have it.
fn exact(field: Field, tokens: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [(_, token)] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ))),
        _ => Some(Box::new(PhraseQuery::new_with_offset(
            tokens
                .iter()
                .map(|(at, token)| (*at, Term::from_field_text(field, token)))
                .collect(),
        ))),
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn typo_tolerant(word: &str) -> bool {
    word.len() >= TYPO_MIN_LETTERS && word.chars().all(|c| c.is_ascii_alphabetic())
}

/// The automaton of the words one edit (a transposition counting as one)
/// away from `word`.
fn one_edit_from(word: &str) -> DFA {
    static BUILDER: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    BUILDER
        .get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
        .build_dfa(word)
}

/// The indexed words of `field` that `dfa` accepts, `word` itself left
/// out, each with its BM25 inverse document frequency: the
/// [`TYPO_EXPANSIONS`] in the most documents, whatever segments hold them.
fn one_typo_away(
    searcher: &Searcher,
    field: Field,
    word: &str,
    dfa: &DFA,
) -> anyhow::Result<Vec<(Term, f32)>> {
    let mut found = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut terms = index.terms().search(Dfa(dfa)).into_stream()?;
        while terms.advance() {
            if let Ok(text) = std::str::from_utf8(terms.key()) {
                if text != word {
                    found.insert(text.to_owned());
                }
            }
        }
    }
    let mut counted = Vec::with_capacity(found.len());
    for text in found {
        let term = Term::from_field_text(field, &text);
        let documents = searcher.doc_freq(&term)?;
        if documents > 0 {
            counted.push((documents, term));
        }
    }
    counted.sort_by_key(|(documents, _)| std::cmp::Reverse(*documents));
    counted.truncate(TYPO_EXPANSIONS);
    let total = searcher.num_docs();
    Ok(counted
        .into_iter()
        .map(|(documents, term)| (term, bm25_idf(documents, total)))
        .collect())
}

/// How much one match of `term` weighs in BM25.
fn idf(searcher: &Searcher, term: &Term) -> anyhow::Result<f32> {
    Ok(bm25_idf(searcher.doc_freq(term)?, searcher.num_docs()))
}

fn bm25_idf(documents: u64, total: u64) -> f32 {
    let (n, total) = (documents as f32, total as f32);
    (1.0 + (total - n + 0.5) / (n + 0.5)).ln()
}

/// The automaton of the words one edit from a word, as the term
/// dictionary walks it.
struct Dfa<'a>(&'a DFA);

impl tantivy_fst::Automaton for Dfa<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
