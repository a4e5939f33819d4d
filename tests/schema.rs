//! The JSON Schema of the scenario format (issue 27): the checked-in docs/scenario.schema.json
//! is what `surge schema` generates from the raw types, every shipped scenario (and every valid
//! fixture) satisfies it, and it flags what an editor should flag as one types.

use assert_cmd::Command;
use serde_json::Value;

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

/// Checks `value` against `schema` and pushes what is wrong, with its path. The keywords are the
/// ones schemars writes (`$ref` into `$defs`, `type`, `properties`, `required`,
/// `additionalProperties`, `items`, `minItems`/`maxItems`, `minimum`/`maximum`, `enum`, `anyOf`;
/// `format`, `default`, `description` and `title` only annotate). Written here rather than taken
/// from the jsonschema crate, whose 80 dependencies, optimised as every dependency of the test
/// build is, cost CI minutes for these dozen keywords.
fn check(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return check(root, &root["$defs"][name], value, path, out);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = options.iter().any(|o| {
            let mut inner = Vec::new();
            check(root, o, value, path, &mut inner);
            inner.is_empty()
        });
        if !fits {
            out.push(format!("{value} at {path}: fits none of anyOf"));
        }
        return;
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let is = |t: &str| match t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        };
        if !types.iter().any(|t| is(t)) {
            out.push(format!("{value} at {path}: not of type {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{value} at {path}: not one of {allowed:?}"));
    }
    if let Some(x) = value.as_f64() {
        if schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| x < m)
        {
            out.push(format!("{value} at {path}: below the minimum"));
        }
        if schema
            .get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| x > m)
        {
            out.push(format!("{value} at {path}: above the maximum"));
        }
    }
    if let Some(items) = value.as_array() {
        let len = items.len() as u64;
        if schema
            .get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
            || schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
        {
            out.push(format!("{path}: {len} items"));
        }
        if let Some(item) = schema.get("items") {
            for (i, v) in items.iter().enumerate() {
                check(root, item, v, &format!("{path}/{i}"), out);
            }
        }
    }
    if let Some(map) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for key in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(key) {
                out.push(format!("{path}: required key {key:?} missing"));
            }
        }
        for (key, v) in map {
            let at = format!("{path}/{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(property) => check(root, property, v, &at, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        out.push(format!("{at}: unknown key {key:?} (additional property)"))
                    }
                    Some(extra @ Value::Object(_)) => check(root, extra, v, &at, out),
                    _ => {}
                },
            }
        }
    }
}

fn errors(text: &str) -> Vec<String> {
    let root = schema();
    let doc = to_json(toml::from_str(text).expect("TOML"));
    let mut out = Vec::new();
    check(&root, &root, &doc, "", &mut out);
    out
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
