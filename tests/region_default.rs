//! Issue 27: a region table may give `default = ...` for the regions it leaves out (64 regions
//! and 16 apps needed 2,048 entries). The default is checked like any value, a region may not
//! be called `default`, and a table without it must still list every region.

use std::path::Path;
use surge::scenario::parse_scenario;

fn text() -> String {
    std::fs::read_to_string("tests/fixtures/valid-small.toml").unwrap()
}

fn parse(text: &str) -> Result<surge::scenario::Scenario, String> {
    parse_scenario(Path::new("tests/fixtures/valid-small.toml"), text, None)
        .map_err(|e| e.to_string())
}

#[test]
fn a_default_fills_the_regions_a_table_leaves_out() {
    let listed = parse(&text()).unwrap();
    let defaulted = parse(&text().replace(
        "active_share = { europe = 0.1, asia = 0.1 }",
        "active_share = { default = 0.1 }",
    ))
    .unwrap();
    let shares = |s: &surge::scenario::Scenario| -> Vec<f64> {
        s.apps[0].accounts.iter().map(|a| a.active).collect()
    };
    assert_eq!(shares(&listed), shares(&defaulted));
    // A listed region overrides the default.
    let mixed = parse(&text().replace(
        "dormant_share = { europe = 0.1, asia = 0.05 }",
        "dormant_share = { default = 0.05, europe = 0.1 }",
    ))
    .unwrap();
    let dormant: Vec<f64> = mixed.apps[0].accounts.iter().map(|a| a.dormant).collect();
    assert_eq!(dormant, [0.1, 0.05]);
}

#[test]
fn a_default_is_checked_and_a_missing_region_still_refused() {
    let bad = parse(&text().replace(
        "active_share = { europe = 0.1, asia = 0.1 }",
        "active_share = { default = 1.5 }",
    ))
    .unwrap_err();
    assert!(bad.contains("key `apps[0].active_share.default`"), "{bad}");
    assert!(bad.contains("expected a share in [0, 1]"), "{bad}");
    let missing = parse(&text().replace(
        "active_share = { europe = 0.1, asia = 0.1 }",
        "active_share = { europe = 0.1 }",
    ))
    .unwrap_err();
    assert!(
        missing.contains("missing a value for region `asia`"),
        "{missing}"
    );
    assert!(missing.contains("or give `default = ...`"), "{missing}");
    let named = parse(&text().replacen("name = \"europe\"", "name = \"default\"", 1)).unwrap_err();
    assert!(named.contains("is reserved"), "{named}");
}
