//! Resident identity card numbers (GB 11643-1999): 17 digits and a check
//! character, the holder's birth date inside. Validated before anything
//! is stored; the number itself never reaches a log.
use chrono::{Datelike, NaiveDate};

/// A valid ID number, normalised (upper-case `X`), with its birth date.
pub struct NationalId {
    pub number: String,
    pub birth_date: NaiveDate,
}

/// Why a number is not a valid ID number.
#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Not 17 digits and a check character.
    Shape,
    /// The check character does not match.
    Checksum,
    /// No such date, or a date in the future.
    BirthDate,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl NationalId {
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let number = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = number.chars().collect();
        if chars.len() != 18
            || !chars[..17].iter().all(char::is_ascii_digit)
            || !(chars[17].is_ascii_digit() || chars[17] == 'X')
        {
            return Err(Invalid::Shape);
        }
        let sum: u32 = chars[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        if CHECK[(sum % 11) as usize] != chars[17] {
            return Err(Invalid::Checksum);
        }
        let birth_date = NaiveDate::parse_from_str(&number[6..14], "%Y%m%d")
            .ok()
            .filter(|d| *d <= today && d.year() >= 1900)
            .ok_or(Invalid::BirthDate)?;
        Ok(Self { number, birth_date })
    }

    /// Whole years of age on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.birth_date).unwrap_or(0)
    }

    /// `110***********1234`: the region and the last four, for staff.
    pub fn masked(number: &str) -> String {
        let chars: Vec<char> = number.chars().collect();
        if chars.len() < 8 {
            return "*".repeat(chars.len());
        }
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
    }
}

/// A valid number for `birth` (`YYYYMMDD`) with the given region and
/// sequence, its check character computed: for tests and examples.
pub fn with_check(region: &str, birth: &str, sequence: &str) -> String {
    let body = format!("{region}{birth}{sequence}");
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!("{body}{}", CHECK[(sum % 11) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn the_standards_example_is_valid_and_its_birth_date_read() {
        // GB 11643-1999's own example.
        let id = NationalId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.number, "11010519491231002X");
        assert_eq!(
            id.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.age_on(today()), 76);
    }

    #[test]
    fn a_wrong_check_character_a_false_date_or_a_future_one_is_refused() {
        assert_eq!(
            NationalId::parse("110105194912310021", today()).err(),
            Some(Invalid::Checksum)
        );
        assert_eq!(
            NationalId::parse("1101051949123100", today()).err(),
            Some(Invalid::Shape)
        );
        assert_eq!(
            NationalId::parse("11010519491231002Y", today()).err(),
            Some(Invalid::Shape)
        );
        let feb30 = with_check("110105", "20010230", "002");
        assert_eq!(
            NationalId::parse(&feb30, today()).err(),
            Some(Invalid::BirthDate)
        );
        let future = with_check("110105", "20300101", "002");
        assert_eq!(
            NationalId::parse(&future, today()).err(),
            Some(Invalid::BirthDate)
        );
    }

    #[test]
    fn ages_count_whole_years_and_masks_keep_region_and_last_four() {
        let child = NationalId::parse(&with_check("440305", "20130101", "123"), today()).unwrap();
        assert_eq!(child.age_on(today()), 13);
        assert_eq!(
            NationalId::masked("11010519491231002X"),
            "110***********002X"
        );
    }
}
