//! The JSON Schema of the scenario format (issue 27): the checked-in docs/scenario.schema.json
//! is what `surge schema` generates from the raw types, every shipped scenario (and every valid
//! fixture) satisfies it, and it flags what an editor should flag as one types.

use assert_cmd::Command;

fn schema() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string("docs/scenario.schema.json").unwrap()).unwrap()
}

/// A TOML document as JSON, its date-times as strings (as editors with TOML schema support read
/// them).
fn to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => s.into(),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.into_iter().map(to_json).collect(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, to_json(v))).collect(),
    }
}

fn errors(text: &str) -> Vec<String> {
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let doc = to_json(toml::from_str(text).expect("TOML"));
    validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_checked_in_schema_is_the_generated_one() {
    let out = Command::cargo_bin("surge")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let checked_in = std::fs::read_to_string("docs/scenario.schema.json").unwrap();
    assert!(
        generated == checked_in,
        "docs/scenario.schema.json is stale: run `surge schema > docs/scenario.schema.json`"
    );
}

#[test]
fn every_shipped_scenario_satisfies_the_schema() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(
        std::fs::read_dir("tests/fixtures")
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("valid") && name.ends_with(".toml")
            }),
    );
    let scenarios: Vec<_> = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(scenarios.len() >= 13, "{} scenarios", scenarios.len());
    for path in scenarios {
        let found = errors(&std::fs::read_to_string(&path).unwrap());
        assert!(found.is_empty(), "{}: {found:?}", path.display());
    }
}

#[test]
fn the_schema_flags_unknown_keys_wrong_types_and_values_out_of_range() {
    let base = std::fs::read_to_string("scenarios/facebook-2021-10-04.toml").unwrap();
    assert!(errors(&base).is_empty());
    let cases = [
        ("horizon_hours", "horizon_hourz", "horizon_hourz"),
        ("kind = \"outage\"", "kind = \"outrage\"", "outrage"),
        ("horizon_hours = ", "horizon_hours = \"a day\" #", "a day"),
    ];
    for (from, to, named) in cases {
        assert!(base.contains(from), "{from}");
        let found = errors(&base.replacen(from, to, 1));
        assert!(
            found.iter().any(|e| e.contains(named)),
            "{to}: the schema does not flag it: {found:?}"
        );
    }
    let bad_share = base.replacen("retention_30d = ", "retention_30d = 3.0 #", 1);
    assert!(
        errors(&bad_share)
            .iter()
            .any(|e| e.contains("retention_30d")),
        "a retention above 1 is not flagged"
    );
}
