//! Daily rhythm: the share of users who open a messaging app in each local hour.

/// Default share of users who open a messaging app in each local hour 0..23 (assumed shape
/// after Golder & Macy 2011, Science 333:1878, and Aledavood et al. 2015, Front. Phys. 3:73:
/// rises from about 06:00, flat from noon to evening, lowest at night). See docs/MODEL.md.
pub const DEFAULT_ACTIVITY: [f64; 24] = [
    0.10, 0.06, 0.04, 0.03, 0.03, 0.05, 0.12, 0.22, 0.30, 0.34, 0.36, 0.38, // 00-11
    0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.40, 0.38, 0.34, 0.26, 0.17, // 12-23
];

/// Local hour (0..23) at `utc_hours` hours after midnight UTC in a region at `utc_offset_hours`.
pub fn local_hour(utc_hours: f64, utc_offset_hours: f64) -> usize {
    ((utc_hours + utc_offset_hours).rem_euclid(24.0).floor() as usize).min(23)
}

/// Hazard (per hour) of opening the app, such that the chance of at least one opening within
/// the hour is `share`: `-ln(1 - share)`; infinite when every user opens it.
pub fn open_hazard(share: f64) -> f64 {
    -(-share).ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hour_wraps() {
        assert_eq!(local_hour(15.65, -4.0), 11);
        assert_eq!(local_hour(23.5, 5.5), 5);
        assert_eq!(local_hour(1.0, -5.0), 20);
    }

    #[test]
    fn open_hazard_gives_the_share_within_an_hour() {
        for share in [0.0, 0.03, 0.4, 0.99] {
            assert!((1.0 - (-open_hazard(share)).exp() - share).abs() < 1e-12);
        }
        assert!(open_hazard(1.0).is_infinite());
    }

    #[test]
    fn default_shape_is_lowest_at_night_and_flat_afternoon() {
        let min = DEFAULT_ACTIVITY.iter().copied().fold(f64::MAX, f64::min);
        assert!(DEFAULT_ACTIVITY[3] == min && DEFAULT_ACTIVITY[4] == min);
        assert!(DEFAULT_ACTIVITY[12..20].iter().all(|&a| a == 0.40));
    }
}
