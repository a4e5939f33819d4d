//! The architecture as a test: src/ holds no top-level file but lib.rs and main.rs, and each
//! layer imports only the layers below it (cli → workflow → calibrate, explore → report →
//! engine → model, scenario, summary), read from every `crate::<layer>` path in its files
//! (test modules, which may check against a higher layer's exact answer, excepted).

use std::collections::BTreeMap;
use std::path::Path;

/// Each library layer and the layers it may import.
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("scenario", &["model"]),
    ("summary", &[]),
    ("engine", &["model", "scenario", "summary"]),
    ("report", &["engine", "model", "scenario", "summary"]),
    (
        "explore",
        &["report", "engine", "model", "scenario", "summary"],
    ),
    (
        "calibrate",
        &["report", "engine", "model", "scenario", "summary"],
    ),
    (
        "workflow",
        &[
            "calibrate",
            "explore",
            "report",
            "engine",
            "model",
            "scenario",
            "summary",
        ],
    ),
];

/// The text of every .rs file under `dir`, without its `#[cfg(test)]` part.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            out.push((path.display().to_string(), code));
        }
    }
}

/// The layers a file's code names by `crate::<layer>` (or `surge::<layer>` in the binary).
fn imported(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        let rest = &code[i + prefix.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

#[test]
fn src_holds_only_lib_main_and_the_layers() {
    let mut top: Vec<String> = std::fs::read_dir("src")
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["lib.rs", "main.rs"]);
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (layer, may) in ALLOWED {
        let mut files = Vec::new();
        sources(&Path::new("src").join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer} has no files");
        for (file, code) in &files {
            for other in imported(code, "crate::") {
                if other != *layer
                    && allowed.contains_key(other.as_str())
                    && !may.contains(&other.as_str())
                {
                    wrong.push(format!("{file} imports {other}"));
                }
            }
        }
    }
    // The command line calls the workflow (and names the types its requests and results carry,
    // and the fit's progress and text), never an engine or a design directly.
    let mut cli = Vec::new();
    sources(Path::new("src/cli"), &mut cli);
    for (file, code) in &cli {
        for other in imported(code, "surge::") {
            if ["engine", "explore", "model"].contains(&other.as_str()) {
                wrong.push(format!(
                    "{file} imports {other} (the cli goes through workflow)"
                ));
            }
        }
        assert!(
            !code.contains("crate::workflow"),
            "{file}: the binary uses surge::workflow"
        );
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}
