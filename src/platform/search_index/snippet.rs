//! The one way a snippet becomes HTML, on every engine: the indexed text
//! escaped, and our own `<b>` marks only where the engine matched. Engines
//! mark matches with two private-use characters, never with markup, so a
//! post body such as `<img onerror=…>` comes back as text.
use std::ops::Range;

/// Where a match begins, as the engine reports it.
pub const MARK_START: &str = "\u{E000}";
/// Where a match ends.
pub const MARK_END: &str = "\u{E001}";

/// `marked` (text with [`MARK_START`]/[`MARK_END`] around matches) as HTML.
/// Adjacent marks merge: jieba and Meilisearch split an unknown CJK word
/// into characters, and `<b>徕</b><b>卡</b>` should read `<b>徕卡</b>`.
pub fn to_html(marked: &str) -> String {
    let mut html = String::with_capacity(marked.len() + 16);
    for c in marked.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            '\u{E000}' => html.push_str("<b>"),
            '\u{E001}' => html.push_str("</b>"),
            c => html.push(c),
        }
    }
    html.replace("</b><b>", "")
}

/// `text` with the byte `ranges` marked (overlapping ranges merge).
pub fn mark(text: &str, ranges: &[Range<usize>]) -> String {
    let mut ranges: Vec<Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < r.end && r.end <= text.len())
        .cloned()
        .collect();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len() + 8);
    let mut at = 0;
    for r in ranges {
        let start = r.start.max(at);
        if start >= r.end || !text.is_char_boundary(start) || !text.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(MARK_START);
        out.push_str(&text[start..r.end]);
        out.push_str(MARK_END);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The first `chars` characters of `text`, as HTML with no marks.
pub fn plain(text: &str, chars: usize) -> String {
    // Engine sentinels typed by a user are not ours: drop them.
    let cut: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{E000}' | '\u{E001}'))
        .take(chars)
        .collect();
    to_html(&cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_the_text_is_escaped_and_only_our_marks_are_tags() {
        let text = "<img src=x onerror=alert(1)> 小米 & \"co\"";
        let start = text.find("小米").unwrap_or_default();
        let found = Range {
            start,
            end: start + "小米".len(),
        };
        let html = to_html(&mark(text, std::slice::from_ref(&found)));
        assert_eq!(
            html,
            "&lt;img src=x onerror=alert(1)&gt; <b>小米</b> &amp; &quot;co&quot;"
        );
        assert_eq!(plain("<script>x</script>", 8), "&lt;script&gt;");
    }

    #[test]
    fn adjacent_and_overlapping_marks_read_as_one() {
        let text = "徕卡影像";
        let marked = mark(text, &[0..3, 3..6, 1..2]);
        assert_eq!(to_html(&marked), "<b>徕卡</b>影像");
    }
}
