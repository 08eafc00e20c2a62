//! Wall-clock dates without a calendar dependency (UTC, proleptic Gregorian).

/// Current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let (hours, minutes, secs) = ((seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
    format!(
        "{}T{hours:02}:{minutes:02}:{secs:02}Z",
        date_from_unix(seconds)
    )
}

/// Nanoseconds since the Unix epoch: unique enough to name a change record.
pub fn unix_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0)
}

/// `YYYY-MM-DD` of a Unix timestamp.
pub fn date_from_unix(seconds: u64) -> String {
    // Days to civil date (H. Hinnant's algorithm).
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_dates() {
        assert_eq!(super::date_from_unix(0), "1970-01-01");
        assert_eq!(super::date_from_unix(951_782_400), "2000-02-29");
        assert_eq!(super::date_from_unix(1_795_392_000), "2026-11-23");
    }
}
