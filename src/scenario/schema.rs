//! The JSON Schema of the scenario format, generated from the raw types the parser reads
//! (schemars), so that editors with TOML schema support (Taplo, Even Better TOML) complete keys
//! and flag unknown keys and wrong types as one types. Checked in as docs/scenario.schema.json
//! (`surge schema > docs/scenario.schema.json`); tests/schema.rs keeps the two equal and checks
//! every shipped scenario against it. The schema checks shape only: the ranges that depend on
//! other keys (region names, shares summing to 1) are checked by `surge check`.

use super::raw::RawScenario;

/// The schema as pretty-printed JSON, ending in a newline.
pub fn scenario_schema() -> String {
    let mut schema = schemars::schema_for!(RawScenario);
    schema.insert(
        "title".into(),
        "surge scenario file (TOML): docs/MODEL.md §10 and the README's scenario format".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}
