//! CSV for staff exports (shipping lists).

/// One cell of a CSV line: quoted when it must be, and never read as a
/// formula by a spreadsheet (a leading `=`, `+`, `-`, `@` is escaped,
/// except a phone number's `+` before digits).
pub fn cell(value: &str) -> String {
    let phone = value
        .strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    let guarded = if !phone && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("+8613912345678"), "+8613912345678");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("广东省深圳市"), "广东省深圳市");
    }
}
