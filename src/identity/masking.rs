//! How staff see a person's details until they reveal them with a reason:
//! enough to tell people apart and to spot a typo, never enough to reach
//! or identify anyone. One home, for every area that shows staff such
//! values (event registrations, prize claims).

/// A name: its first character, the rest starred.
pub fn real_name(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let first: String = chars.iter().take(1).collect();
    format!(
        "{first}{}",
        "*".repeat(chars.len().saturating_sub(1).max(1))
    )
}

/// A phone number: its country code and first three digits, and its last
/// four (`+86138****8000`).
pub fn phone(value: &str) -> String {
    match super::phone::Phone::parse(value) {
        Ok(phone) => phone.masked(),
        Err(_) => "****".into(),
    }
}

/// An ID number: its first three characters and its last four
/// (`110***********002X`).
pub fn national_id(value: &str) -> String {
    super::national_id::NationalId::masked(value)
}

/// An address: down to its district. The province, city and district lead
/// a Chinese address; a 区 or 县 further on names a compound, not a
/// district.
pub fn address(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let end = chars
        .iter()
        .take(12)
        .position(|c| matches!(c, '区' | '县'))
        .or_else(|| chars.iter().take(12).position(|c| *c == '市'))
        .map_or(6, |i| i + 1);
    let kept: String = chars.iter().take(end).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_too_little_to_reach_anyone() {
        assert_eq!(real_name("王小明"), "王**");
        assert_eq!(address("北京市海淀区中关村大街1号"), "北京市海淀区…");
        assert_eq!(
            phone("+8613800138000"),
            crate::identity::phone::Phone::parse("+8613800138000")
                .unwrap()
                .masked()
        );
        assert!(!phone("+8613800138000").contains("138001"));
        // As the docs (and the spec's descriptions of masked values) say.
        assert_eq!(phone("+8613800138000"), "+86138****8000");
        assert_eq!(national_id("11010519491231002X"), "110***********002X");
    }
}
