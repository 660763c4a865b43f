//! Snippets: the passage of a hit's text around what matched, with the
//! matches marked.
use tantivy::snippet::{Snippet, SnippetGenerator};

use super::super::snippet;

/// How long a snippet is at most, in bytes.
pub(super) const SNIPPET_CHARS: usize = 160;

/// A passage of `body` with the query's `terms` marked, or its beginning
/// when none of them is in it (a hit by its title).
pub(super) fn snippet_of(snippets: &SnippetGenerator, terms: &[String], body: &str) -> String {
    let found = match window(terms, body) {
        Some(part) => snippets.snippet(part),
        None => Snippet::empty(),
    };
    if found.is_empty() {
        snippet::plain(body, SNIPPET_CHARS)
    } else {
        snippet::to_html(&snippet::mark(found.fragment(), found.highlighted()))
    }
}

/// The part of `body` worth segmenting for a snippet (jieba is the
/// costliest step of a search): from the word before the first of `terms`
/// to two snippets' length after it. `None` when no term is in the text,
/// which saves segmenting it at all; a text with capitals outside ASCII
/// (which only segmenting lowercases) is segmented whole.
fn window<'a>(terms: &[String], body: &'a str) -> Option<&'a str> {
    let lower = body.to_ascii_lowercase();
    let Some(at) = terms.iter().filter_map(|t| lower.find(t.as_str())).min() else {
        return body
            .chars()
            .any(|c| !c.is_ascii() && c.is_uppercase())
            .then_some(body);
    };
    let start = if at <= SNIPPET_CHARS / 2 {
        0
    } else {
        // From a word's beginning: a cut word could read as another.
        let from = body.floor_char_boundary(at - SNIPPET_CHARS / 2);
        body[from..at]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(at, |(i, c)| from + i + c.len_utf8())
    };
    let end = body.floor_char_boundary(at + 2 * SNIPPET_CHARS);
    Some(&body[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_text_without_the_words_is_not_segmented() {
        assert_eq!(window(&terms(&["小米"]), "A review of the camera."), None);
        // Lowercasing outside ASCII is the segmenter's: such a text is
        // segmented whole.
        let greek = "ΚΑΜΕΡΑ review";
        assert_eq!(window(&terms(&["καμερα"]), greek), Some(greek));
    }

    #[test]
    fn the_window_starts_at_a_word_before_the_first_match_and_ends_a_few_snippets_later() {
        let early = "The Camera is great";
        assert_eq!(window(&terms(&["camera"]), early), Some(early));
        let long = format!(
            "{} 夜景 camera {}",
            "filler ".repeat(100),
            "tail ".repeat(400)
        );
        let part = window(&terms(&["camera", "夜景"]), &long).unwrap_or_default();
        assert!(
            part.starts_with("filler 夜景") || part.starts_with("夜景"),
            "{part:.40}"
        );
        assert!(part.len() <= SNIPPET_CHARS * 3, "{}", part.len());
        assert!(long.contains(part));
    }
}
