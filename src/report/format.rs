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

/// A parameter or rate in plain notation with three significant figures and thousands
/// separators: 43.778 → "43.8", 1661.82 → "1,662", 0.00037909 → "0.000379". Never scientific
/// notation (a value read off a table should not need decoding); below 1e-9 it reads "0".
pub fn plain3(value: f64) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let abs = value.abs();
    if abs < 1e-9 {
        return "0".into();
    }
    // Decimals that keep three significant figures (none at 100 and above).
    let magnitude = abs.log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    // A rounding up (999.6 → "1000") may have added a digit: that is still three figures' worth.
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A duration in seconds: "45 s", "12.5 min", "2.1 h".
pub fn duration(seconds: f64) -> String {
    // By size, so a negative difference of waits reads "-1.8 h", not "-6387 s".
    let size = seconds.abs();
    if size < 60.0 {
        format!("{seconds:.0} s")
    } else if size < 3600.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_durations_read_in_their_unit() {
        assert_eq!(duration(-6387.0), "-1.8 h");
        assert_eq!(duration(-90.0), "-1.5 min");
        assert_eq!(duration(-5.0), "-5 s");
    }

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

    #[test]
    fn parameters_read_in_plain_notation() {
        assert_eq!(plain3(43.778), "43.8");
        assert_eq!(plain3(1661.8205), "1,662");
        assert_eq!(plain3(8.4042), "8.40");
        assert_eq!(plain3(3.7909e-4), "0.000379");
        assert_eq!(plain3(1.0144e-2), "0.0101");
        assert_eq!(plain3(783.5), "784");
        assert_eq!(plain3(999.6), "1,000");
        assert_eq!(plain3(-2_500_000.0), "-2,500,000");
        assert_eq!(plain3(0.0), "0");
        assert_eq!(plain3(1.0), "1.00");
    }
}
