//! Validation of voters' input: Spanish DNI/NIE with check letter, Spanish mobile numbers in
//! E.164, the 52 provinces, gender, date of birth and names. Each function returns the
//! normalised value or a [`FieldError`] with a stable code.

use time::{Date, Month};

use crate::error::FieldError;

/// The 52 Spanish provinces and autonomous cities with their INE codes.
pub const PROVINCES: [(&str, &str); 52] = [
    ("01", "Araba/Álava"),
    ("02", "Albacete"),
    ("03", "Alicante/Alacant"),
    ("04", "Almería"),
    ("05", "Ávila"),
    ("06", "Badajoz"),
    ("07", "Illes Balears"),
    ("08", "Barcelona"),
    ("09", "Burgos"),
    ("10", "Cáceres"),
    ("11", "Cádiz"),
    ("12", "Castellón/Castelló"),
    ("13", "Ciudad Real"),
    ("14", "Córdoba"),
    ("15", "A Coruña"),
    ("16", "Cuenca"),
    ("17", "Girona"),
    ("18", "Granada"),
    ("19", "Guadalajara"),
    ("20", "Gipuzkoa"),
    ("21", "Huelva"),
    ("22", "Huesca"),
    ("23", "Jaén"),
    ("24", "León"),
    ("25", "Lleida"),
    ("26", "La Rioja"),
    ("27", "Lugo"),
    ("28", "Madrid"),
    ("29", "Málaga"),
    ("30", "Murcia"),
    ("31", "Navarra"),
    ("32", "Ourense"),
    ("33", "Asturias"),
    ("34", "Palencia"),
    ("35", "Las Palmas"),
    ("36", "Pontevedra"),
    ("37", "Salamanca"),
    ("38", "Santa Cruz de Tenerife"),
    ("39", "Cantabria"),
    ("40", "Segovia"),
    ("41", "Sevilla"),
    ("42", "Soria"),
    ("43", "Tarragona"),
    ("44", "Teruel"),
    ("45", "Toledo"),
    ("46", "Valencia/València"),
    ("47", "Valladolid"),
    ("48", "Bizkaia"),
    ("49", "Zamora"),
    ("50", "Zaragoza"),
    ("51", "Ceuta"),
    ("52", "Melilla"),
];

/// Accepted genders.
pub const GENDERS: [&str; 4] = ["female", "male", "other", "undisclosed"];

const CHECK_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

fn err(code: &'static str, message: &str) -> FieldError {
    FieldError { code, message: message.to_owned() }
}

/// A DNI (`12345678Z`) or NIE (`X1234567L`), normalised to upper case without separators.
pub fn id_number(input: &str) -> Result<String, FieldError> {
    let s: String =
        input.chars().filter(|c| !matches!(c, ' ' | '-' | '.')).collect::<String>().to_uppercase();
    if s.is_empty() {
        return Err(err("required", "Enter your DNI or NIE."));
    }
    if s.len() != 9 || !s.is_ascii() {
        return Err(err(
            "invalid_format",
            "A DNI is 8 digits and a letter; a NIE is X, Y or Z, 7 digits and a letter.",
        ));
    }
    let bytes = s.as_bytes();
    let (digits, letter) = bytes.split_at(8);
    let numeric: String = match digits.first() {
        Some(b'X') => format!("0{}", &s[1..8]),
        Some(b'Y') => format!("1{}", &s[1..8]),
        Some(b'Z') => format!("2{}", &s[1..8]),
        _ => s[..8].to_owned(),
    };
    if !numeric.bytes().all(|b| b.is_ascii_digit()) || !letter.iter().all(u8::is_ascii_uppercase) {
        return Err(err(
            "invalid_format",
            "A DNI is 8 digits and a letter; a NIE is X, Y or Z, 7 digits and a letter.",
        ));
    }
    let n: u32 =
        numeric.parse().map_err(|_| err("invalid_format", "The number part is not valid."))?;
    let expected = CHECK_LETTERS.get((n % 23) as usize).copied();
    if letter.first().copied() != expected {
        return Err(err("invalid_check_letter", "The letter does not match the number."));
    }
    Ok(s)
}

/// A Spanish mobile number, normalised to E.164 (`+34` and 9 digits starting with 6 or 7).
pub fn phone(input: &str) -> Result<String, FieldError> {
    let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    if compact.is_empty() {
        return Err(err("required", "Enter your mobile phone number."));
    }
    let national = if let Some(rest) = compact.strip_prefix("+34") {
        rest
    } else if let Some(rest) = compact.strip_prefix("0034") {
        rest
    } else if compact.starts_with('+') {
        return Err(err(
            "invalid_phone",
            "Only Spanish mobile numbers (+34 6… or +34 7…) are accepted.",
        ));
    } else {
        compact.as_str()
    };
    if national.len() != 9 || !national.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("invalid_phone", "A Spanish mobile number has 9 digits after +34."));
    }
    if !matches!(national.as_bytes().first(), Some(b'6' | b'7')) {
        return Err(err(
            "invalid_phone",
            "Only mobile numbers (starting with 6 or 7) can receive the code.",
        ));
    }
    Ok(format!("+34{national}"))
}

/// A full name: 3 to 100 characters of letters, spaces and `'-.`, at least two words.
pub fn full_name(input: &str) -> Result<String, FieldError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(err("required", "Enter your full name."));
    }
    if name.chars().count() > 100 {
        return Err(err("too_long", "The name can have at most 100 characters."));
    }
    if !name.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.' | 'ª' | 'º'))
    {
        return Err(err("invalid_name", "Use letters, spaces, apostrophes and hyphens only."));
    }
    if name.chars().count() < 3 || !name.contains(' ') {
        return Err(err("invalid_name", "Enter your name and surname(s)."));
    }
    Ok(name)
}

/// An INE province code (`"28"`); also accepts the name.
pub fn province(input: &str) -> Result<&'static str, FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(err("required", "Choose your province."));
    }
    PROVINCES
        .iter()
        .find(|(code, name)| *code == input || name.eq_ignore_ascii_case(input))
        .map(|(code, _)| *code)
        .ok_or_else(|| {
            err("unknown_province", "Choose one of the 52 provinces and autonomous cities.")
        })
}

/// Name of a province code.
pub fn province_name(code: &str) -> &'static str {
    PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n).unwrap_or("?")
}

/// One of [`GENDERS`].
pub fn gender(input: &str) -> Result<&'static str, FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(err("required", "Choose an option."));
    }
    GENDERS
        .iter()
        .find(|g| **g == input)
        .copied()
        .ok_or_else(|| err("unknown_gender", "Choose one of the listed options."))
}

/// A `YYYY-MM-DD` date of birth of someone at least 18 on `on`.
pub fn date_of_birth(input: &str, on: Date) -> Result<Date, FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(err("required", "Enter your date of birth."));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let dob = Date::parse(input, &format)
        .map_err(|_| err("invalid_date", "Use the format YYYY-MM-DD with a real date."))?;
    if dob > on || dob.year() < 1900 {
        return Err(err("invalid_date", "That date of birth is not possible."));
    }
    if !is_adult(dob, on) {
        return Err(err("underage", "You must be 18 or older on election day."));
    }
    Ok(dob)
}

fn is_adult(dob: Date, on: Date) -> bool {
    let years = on.year() - dob.year();
    let had_birthday = (on.month() as u8, on.day()) >= (dob.month() as u8, dob.day());
    years > 18 || (years == 18 && had_birthday)
}

/// The first day someone born on 29 February is 18 in a non-leap year is 1 March; `Date`
/// comparison by (month, day) gives exactly that. Exposed for tests.
pub fn date(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dni_and_nie_check_letters() {
        assert_eq!(id_number("12345678Z").unwrap(), "12345678Z");
        assert_eq!(id_number(" 12.345.678-z ").unwrap(), "12345678Z");
        assert_eq!(id_number("X1234567L").unwrap(), "X1234567L");
        assert_eq!(id_number("Y1234567X").unwrap(), "Y1234567X");
        assert_eq!(id_number("Z1234567R").unwrap(), "Z1234567R");
        assert_eq!(id_number("12345678A").unwrap_err().code, "invalid_check_letter");
        assert_eq!(id_number("1234567Z").unwrap_err().code, "invalid_format");
        assert_eq!(id_number("A1234567Z").unwrap_err().code, "invalid_format");
        assert_eq!(id_number("").unwrap_err().code, "required");
        assert_eq!(id_number("1234567ñZ").unwrap_err().code, "invalid_format");
        assert_eq!(id_number("' OR 1=1--").unwrap_err().code, "invalid_format");
    }

    #[test]
    fn spanish_mobiles_only() {
        assert_eq!(phone("+34 612 345 678").unwrap(), "+34612345678");
        assert_eq!(phone("712345678").unwrap(), "+34712345678");
        assert_eq!(phone("0034612345678").unwrap(), "+34612345678");
        assert_eq!(phone("+34912345678").unwrap_err().code, "invalid_phone");
        assert_eq!(phone("+33612345678").unwrap_err().code, "invalid_phone");
        assert_eq!(phone("+3461234567").unwrap_err().code, "invalid_phone");
        assert_eq!(phone("").unwrap_err().code, "required");
    }

    #[test]
    fn adults_on_the_day() {
        let day = date(2026, 12, 4).unwrap();
        assert!(date_of_birth("2008-12-04", day).is_ok());
        assert_eq!(date_of_birth("2008-12-05", day).unwrap_err().code, "underage");
        assert_eq!(date_of_birth("2008-02-30", day).unwrap_err().code, "invalid_date");
        assert_eq!(date_of_birth("2030-01-01", day).unwrap_err().code, "invalid_date");
        // Born on 29 February: 18 on 1 March of a non-leap year.
        let leap = date(2008, 2, 29).unwrap();
        assert!(!is_adult(leap, date(2026, 2, 28).unwrap()));
        assert!(is_adult(leap, date(2026, 3, 1).unwrap()));
    }

    #[test]
    fn names_provinces_genders() {
        assert_eq!(full_name("  María   Pérez  ").unwrap(), "María Pérez");
        assert_eq!(full_name("María").unwrap_err().code, "invalid_name");
        assert_eq!(full_name("<script>x</script> a").unwrap_err().code, "invalid_name");
        assert_eq!(full_name(&"a ".repeat(60)).unwrap_err().code, "too_long");
        assert_eq!(province("28").unwrap(), "28");
        assert_eq!(province("Madrid").unwrap(), "28");
        assert_eq!(province("53").unwrap_err().code, "unknown_province");
        assert_eq!(PROVINCES.len(), 52);
        assert_eq!(gender("female").unwrap(), "female");
        assert_eq!(gender("robot").unwrap_err().code, "unknown_gender");
    }
}
