//! Snippets: the passage of a hit's text around what matched, with the
//! matches marked. The query's terms are looked for in the text directly,
//! not by segmenting it again with jieba, which cost a search with a word
//! in every text a fifth of its time: a Chinese term is marked wherever it
//! stands, a Latin one only as a whole word.
use std::{borrow::Cow, ops::Range};

use super::super::snippet;

/// How long a snippet is at most, in bytes.
pub(super) const SNIPPET_CHARS: usize = 160;

/// At most this many matches (the first) are weighed as the passage's
/// start; every match in the passage is marked.
const MATCHES_WEIGHED: usize = 64;

/// A passage of `body` with the query's `terms` (lowercase) marked: the
/// one that holds the most different terms, or the text's beginning when
/// none is in it (a hit by its title).
pub(super) fn snippet_of(terms: &[String], body: &str) -> String {
    let found = matches(terms, body);
    let Some(start) = best_start(&found, body) else {
        return snippet::plain(body, SNIPPET_CHARS);
    };
    let end = body.floor_char_boundary(start + SNIPPET_CHARS);
    let marked: Vec<Range<usize>> = found
        .iter()
        .filter(|(r, _)| r.start >= start && r.end <= end)
        .map(|(r, _)| r.start - start..r.end - start)
        .collect();
    snippet::to_html(&snippet::mark(&body[start..end], &marked))
}

/// Where each term stands in `body` (byte ranges, in order), with the
/// index of the term.
fn matches(terms: &[String], body: &str) -> Vec<(Range<usize>, usize)> {
    let lower = lowercase_in_place(body);
    let mut found = Vec::new();
    for (which, term) in terms.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        for (at, _) in lower.match_indices(term.as_str()) {
            let range = at..at + term.len();
            if whole_word(&lower, &range) {
                found.push((range, which));
            }
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// `text` lowercased with every byte offset kept: a character whose
/// lowercase is longer or shorter in UTF-8 (rare) stays as it is. Most
/// texts (all of Chinese) have no capital: they are not copied.
fn lowercase_in_place(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_uppercase) {
        return Cow::Borrowed(text);
    }
    if text.is_ascii() {
        return Cow::Owned(text.to_ascii_lowercase());
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                    _ => c,
                }
            })
            .collect(),
    )
}

/// A Latin term is a word of its own, not part of a longer one (`update`
/// is not marked in `updated`); a Chinese one has no such edges.
fn whole_word(text: &str, range: &Range<usize>) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let first = text[range.clone()].chars().next();
    let last = text[range.clone()].chars().next_back();
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    let cut_at_start = alnum(first) && alnum(before);
    let cut_at_end = alnum(last) && alnum(after);
    !cut_at_start && !cut_at_end
}

/// Where the passage starts: at the match after which the most different
/// terms follow within a snippet's length (the earliest of equals), or at
/// the text's beginning when that match is near it.
fn best_start(found: &[(Range<usize>, usize)], body: &str) -> Option<usize> {
    let (best, _) = found
        .iter()
        .take(MATCHES_WEIGHED)
        .map(|(r, _)| {
            let mut terms: Vec<usize> = found
                .iter()
                .filter(|(o, _)| o.start >= r.start && o.end <= r.start + SNIPPET_CHARS)
                .map(|(_, t)| *t)
                .collect();
            terms.sort_unstable();
            terms.dedup();
            (r.clone(), terms.len())
        })
        .fold(None::<(Range<usize>, usize)>, |best, (r, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((r, n)),
        })?;
    Some(if best.end <= SNIPPET_CHARS * 2 / 3 {
        0
    } else {
        // A few words of what leads up to it, from a word's beginning.
        let from = body.floor_char_boundary(best.start.saturating_sub(SNIPPET_CHARS / 4));
        body[from..best.start]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(best.start, |(i, c)| from + i + c.len_utf8())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_text_without_the_words_gives_its_beginning() {
        let text = "A review of the camera. ".repeat(20);
        let snippet = snippet_of(&terms(&["小米"]), &text);
        assert!(snippet.starts_with("A review of the camera."), "{snippet}");
        assert!(!snippet.contains("<b>"));
        assert!(snippet.len() <= SNIPPET_CHARS);
    }

    #[test]
    fn latin_words_are_marked_whole_and_in_any_case_chinese_ones_anywhere() {
        let text = "Updated: the Update fixed 小米手机 night mode";
        assert_eq!(
            snippet_of(&terms(&["update", "小米"]), text),
            "Updated: the <b>Update</b> fixed <b>小米</b>手机 night mode"
        );
        assert_eq!(
            snippet_of(&terms(&["καμερα"]), "Η ΚΑΜΕΡΑ είναι"),
            "Η <b>ΚΑΜΕΡΑ</b> είναι"
        );
    }

    #[test]
    fn the_passage_with_the_most_different_words_is_chosen_from_a_word_start() {
        let text = format!(
            "camera {} and then camera plus 夜景 together {}",
            "filler words ".repeat(30),
            "tail ".repeat(100)
        );
        let snippet = snippet_of(&terms(&["camera", "夜景"]), &text);
        assert!(
            snippet.contains("<b>camera</b> plus <b>夜景</b>"),
            "{snippet}"
        );
        assert!(!snippet.starts_with("ords"), "{snippet}");
        assert!(snippet.len() <= SNIPPET_CHARS + 16, "{snippet}");
    }

    #[test]
    fn markup_stays_text() {
        let snippet = snippet_of(&terms(&["steal"]), "<script> steal() </script>");
        assert_eq!(snippet, "&lt;script&gt; <b>steal</b>() &lt;/script&gt;");
    }
}
