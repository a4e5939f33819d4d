//! The January 2021 scenario's regional populations follow from their sources
//! (data/whatsapp-users-2021.toml) by the rule that file states, so they cannot be set by hand.

use std::collections::BTreeMap;
use std::path::Path;

fn read(path: &str) -> toml::Table {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn number(t: &toml::Value, key: &str) -> f64 {
    match &t[key] {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        other => panic!("{key}: expected a number, found {other}"),
    }
}

fn text<'a>(t: &'a toml::Value, key: &str) -> &'a str {
    t[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key}: expected a string"))
}

/// WhatsApp users by region: each listed country's own count, plus the rest of the total shared
/// by internet users outside the listed countries, at one rate for every region.
fn users_by_rule(data: &toml::Table) -> BTreeMap<String, f64> {
    let top = toml::Value::Table(data.clone());
    let total = number(&top, "total_users");
    let reach = number(&top, "unlisted_internet_reach");
    let mut internet: BTreeMap<String, f64> = data["region"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (text(r, "name").to_string(), number(r, "internet_users")))
        .collect();
    let mut listed: BTreeMap<String, f64> = internet.keys().map(|k| (k.clone(), 0.0)).collect();
    for c in data["country"].as_array().unwrap() {
        let region = text(c, "region");
        let users = number(c, "whatsapp_users");
        let online = c
            .get("internet_users")
            .map_or(users / reach, |_| number(c, "internet_users"));
        *listed
            .get_mut(region)
            .unwrap_or_else(|| panic!("{}: unknown region {region}", text(c, "name"))) += users;
        *internet.get_mut(region).unwrap() -= online;
    }
    let rest = total - listed.values().sum::<f64>();
    let rate = rest / internet.values().sum::<f64>();
    assert!(
        (0.0..=1.0).contains(&rate),
        "the rest's rate per internet user is {rate}"
    );
    listed
        .into_iter()
        .map(|(region, users)| {
            let unlisted = internet[&region];
            assert!(
                unlisted > 0.0,
                "{region}: listed countries exceed its internet users"
            );
            (region, users + rate * unlisted)
        })
        .collect()
}

#[test]
fn january_2021_populations_are_the_sourced_rule() {
    let data = read("data/whatsapp-users-2021.toml");
    let expected = users_by_rule(&data);
    let scenario = read("scenarios/whatsapp-policy-2021-01.toml");
    let regions = scenario["regions"].as_array().unwrap();
    assert_eq!(regions.len(), expected.len());
    for r in regions {
        let name = text(r, "name");
        let users = number(r, "users");
        let rule = expected[name];
        // The scenario rounds to the nearest million.
        assert!(
            (users - rule).abs() <= 0.5e6 + 1.0,
            "{name}: scenario has {users}, the sourced rule gives {rule:.0}"
        );
    }
    let total: f64 = expected.values().sum();
    assert!((total - 2.0e9).abs() < 1.0, "the regions sum to {total}");
}
