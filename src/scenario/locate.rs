//! Turning TOML into typed structs with errors that name the key path, line and column.

use super::error::ValidationIssue;
use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// 1-based (line, column) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Deserialize `text`, reporting the failing key path with its position. Unknown keys are
/// reported with the closest valid key.
pub(crate) fn from_toml<T: DeserializeOwned>(text: &str) -> Result<T, ValidationIssue> {
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let mut issue = toml_issue(text, "(document)", &e);
        explain_datetime(&mut issue, e.message());
        issue
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut issue = toml_issue(text, &path, &inner);
        // A missing key is named as the key (`simulation`), not as the first key of the table
        // it is missing from (`name`).
        if let Some(missing) = inner
            .message()
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            issue.key = join_key(if path == "." { "" } else { &path }, missing);
            issue.message = format!("missing key `{missing}`");
        }
        explain_datetime(&mut issue, inner.message());
        if let Some((unknown, expected)) = parse_unknown_field(inner.message()) {
            issue.key = join_key(&path, &unknown);
            issue.message = match closest(&unknown, &expected) {
                Some(best) => format!(
                    "unknown key `{unknown}`; did you mean `{best}`? (valid keys: {})",
                    expected.join(", ")
                ),
                None => format!(
                    "unknown key `{unknown}` (valid keys: {})",
                    expected.join(", ")
                ),
            };
        }
        issue
    })
}

/// A date-time written as text or in another form: says which form is expected.
fn explain_datetime(issue: &mut ValidationIssue, message: &str) {
    let leaf = issue.key.rsplit('.').next().unwrap_or("");
    if message.contains("TOML datetime")
        || (matches!(leaf, "start" | "announced_at" | "at") && message.contains("quoted"))
    {
        issue.message = format!(
            "{}; expected a date-time with its UTC offset, unquoted, such as 2021-10-04T15:39:00Z",
            issue.message
        );
    }
}

fn join_key(path: &str, leaf: &str) -> String {
    if path == leaf || path.ends_with(&format!(".{leaf}")) {
        path.to_string()
    } else if path.is_empty() || path == "." {
        leaf.to_string()
    } else {
        format!("{path}.{leaf}")
    }
}

fn toml_issue(text: &str, key: &str, e: &toml::de::Error) -> ValidationIssue {
    let (line, column) = e
        .span()
        .map_or((1, 1), |span| line_column(text, span.start));
    let key = if key.is_empty() || key == "." || key == "(document)" {
        key_at_line(text, line).unwrap_or_else(|| format!("(line {line})"))
    } else {
        key.to_string()
    };
    ValidationIssue {
        key,
        line,
        column,
        message: plain_types(e.message().trim()),
    }
}

/// serde's words for types, in the words of the file's reader.
fn plain_types(message: &str) -> String {
    message
        .replace("missing field", "missing key")
        .replace("expected f64", "expected a number")
        .replace("expected f32", "expected a number")
        .replace("expected u64", "expected a whole number")
        .replace("expected usize", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("expected i64", "expected a whole number")
        .replace("expected a sequence", "expected a list [...]")
        .replace("expected a map", "expected a table")
        .replace("expected a boolean", "expected true or false")
}

/// The dotted key written on `line` (1-based), with the table it sits in: for a syntax error
/// that serde cannot place in the document's structure.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?.trim();
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    if here.starts_with('[') {
        return Some(
            here.trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string(),
        );
    }
    let (name, _) = here.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{name}"),
        _ => name.to_string(),
    })
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" message.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((unknown.to_string(), expected))
}

/// The valid key nearest to `unknown` by Jaro-Winkler similarity (strsim), if any is close.
pub(crate) fn closest(unknown: &str, valid: &[String]) -> Option<String> {
    valid
        .iter()
        .map(|v| {
            (
                strsim::jaro_winkler(&unknown.to_lowercase(), &v.to_lowercase()),
                v,
            )
        })
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v.clone())
}

/// Finds the line and column of a key path such as `apps[1].dormant_share.europe`; falls back
/// to the deepest ancestor present in the file (a missing key is reported at its table).
pub(crate) fn locate(text: &str, key: &str) -> (usize, usize) {
    let Ok(root) = DeTable::parse(text) else {
        return (1, 1);
    };
    let mut offset = 0;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for segment in split_path(key) {
        match segment {
            Segment::Key(name) => {
                let current = table.or_else(|| value.and_then(DeValue::as_table));
                let Some((k, v)) = current.and_then(|t| t.get_key_value(name)) else {
                    break;
                };
                offset = k.span().start;
                value = Some(v.get_ref());
                table = None;
            }
            Segment::Index(i) => {
                let Some(item) = value.and_then(DeValue::as_array).and_then(|a| a.get(i)) else {
                    break;
                };
                offset = item.span().start;
                value = Some(item.get_ref());
                table = None;
            }
        }
    }
    line_column(text, offset)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn split_path(key: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if !name.is_empty() {
            out.push(Segment::Key(name));
        }
        while let Some((index, tail)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Segment::Index(i));
            }
            rest = tail.strip_prefix('[').unwrap_or(tail);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys() {
        let text = "a = 1\n[[apps]]\nname = \"x\"\n[[apps]]\nname = \"y\"\n[apps.share]\neu = 2\n";
        assert_eq!(locate(text, "a"), (1, 1));
        assert_eq!(locate(text, "apps[1].name"), (5, 1));
        assert_eq!(locate(text, "apps[1].share.eu"), (7, 1));
        assert_eq!(locate(text, "apps[1].missing"), (4, 1));
    }

    #[test]
    fn unknown_field_suggests_closest() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            capacity_per_second: f64,
        }
        let issue = from_toml::<S>("capacity_per_secnd = 1.0\n").unwrap_err();
        assert_eq!(issue.key, "capacity_per_secnd");
        assert!(
            issue.message.contains("did you mean `capacity_per_second`"),
            "{issue:?}"
        );
        assert_eq!((issue.line, issue.column), (1, 1));
    }
}
