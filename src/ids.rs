//! Identifier and timestamp formats of the wire contract.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// Parses a UUID in any spelling the contract accepts: hyphenated, 32-hex, braced or
/// `urn:uuid:`, any case. `uuid::Uuid::parse_str` covers exactly these forms.
pub fn parse_uuid(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}

/// The canonical spelling: lowercase, hyphenated.
pub fn format_uuid(id: &Uuid) -> String {
    id.as_hyphenated().to_string()
}

pub fn new_id() -> String {
    format_uuid(&Uuid::new_v4())
}

/// Now, truncated to microseconds so that what we store is exactly what we print.
pub fn now() -> String {
    format_timestamp(OffsetDateTime::now_utc())
}

/// `2026-03-10T15:00:05.123456+00:00`, the fraction omitted when it is zero.
pub fn format_timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let micros = at.microsecond();
    let date = at.date();
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

/// Parses an RFC 3339 timestamp (`Z` or an offset) as found in the database or input.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn accepts_every_uuid_spelling_and_prints_one() {
        let canonical = "9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b";
        for spelling in [
            canonical,
            "9B3E7F12-8C4A-43D9-B5E2-1A9C8F7D6E5B",
            "{9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b}",
            "urn:uuid:9b3e7f12-8c4a-43d9-b5e2-1a9c8f7d6e5b",
            "9b3e7f128c4a43d9b5e21a9c8f7d6e5b",
        ] {
            let id = parse_uuid(spelling).expect(spelling);
            assert_eq!(format_uuid(&id), canonical);
        }
        assert!(parse_uuid("not-a-uuid").is_none());
        assert!(parse_uuid("").is_none());
    }

    #[test]
    fn timestamps_have_explicit_offset_and_drop_zero_fraction() {
        assert_eq!(
            format_timestamp(datetime!(2026-03-10 15:00:05 UTC)),
            "2026-03-10T15:00:05+00:00"
        );
        assert_eq!(
            format_timestamp(datetime!(2026-03-10 15:00:05.123456 UTC)),
            "2026-03-10T15:00:05.123456+00:00"
        );
        assert_eq!(
            format_timestamp(datetime!(2026-03-10 17:00:05 +02:00)),
            "2026-03-10T15:00:05+00:00"
        );
        let parsed = parse_timestamp("2026-03-10T15:00:05Z").expect("Z accepted");
        assert_eq!(format_timestamp(parsed), "2026-03-10T15:00:05+00:00");
    }
}
