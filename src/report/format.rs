//! Human-readable numbers for tables and plots ("20.3M", "1.5k/s").

/// A count or rate with an SI suffix and three significant figures: 20300000 → "20.3M".
pub fn human(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e9 {
        (value / 1e9, "B")
    } else if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let digits = if scaled.abs() >= 100.0 || scaled == scaled.trunc() && suffix.is_empty() {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$}{suffix}")
}

/// A duration in seconds: "45 s", "12.5 min", "2.1 h".
pub fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.0} s")
    } else if seconds < 3600.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human(20_300_000.0), "20.3M");
        assert_eq!(human(1500.0), "1.50k");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(3.2e9), "3.20B");
        assert_eq!(human(812.0), "812");
        assert_eq!(duration(30.0), "30 s");
        assert_eq!(duration(750.0), "12.5 min");
    }
}
