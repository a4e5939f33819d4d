//! The few HTML pieces the report page is made of (escaping, tables, inline SVG, the page
//! shell with its stylesheet and script inlined): written by hand because a template engine
//! would be a dependency for a dozen lines, and every byte of the page must be ours to check.

use std::fmt::Write;

/// Text made safe for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cell of a table: text, and whether it is a number (set right-aligned).
pub struct Cell {
    pub text: String,
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            numeric: false,
        }
    }
    pub fn number(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            numeric: true,
        }
    }
}

/// A table with a header row; every cell is escaped.
pub fn table(class: &str, headers: &[Cell], rows: &[Vec<Cell>]) -> String {
    let cell = |tag: &str, c: &Cell| {
        let class = if c.numeric { " class=\"num\"" } else { "" };
        format!("<{tag}{class}>{}</{tag}>", escape(&c.text))
    };
    let mut out = format!("<table class=\"{}\"><thead><tr>", escape(class));
    for h in headers {
        out.push_str(&cell("th", h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for c in row {
            out.push_str(&cell("td", c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A definition list of (term, description) pairs, escaped.
pub fn facts(pairs: &[(String, String)]) -> String {
    let mut out = String::from("<dl class=\"facts\">");
    for (term, value) in pairs {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(value));
    }
    out.push_str("</dl>");
    out
}

/// A plot's SVG (as plotters writes it) made fit to inline: the XML prolog dropped, its fixed
/// `width`/`height` turned into a `viewBox` so it scales with the page, and a title for screen
/// readers. Returns None for text that is not an SVG document.
pub fn inline_svg(svg: &str, title: &str) -> Option<String> {
    // Only drawing elements and attributes are kept (`svg::drawing`): the file is the user's
    // disk's, not necessarily what surge drew.
    let (w, h, rest) = super::svg::drawing(svg)?;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>{rest}</svg>",
        t = escape(title)
    ))
}

/// One figure: an inline SVG and the sentences that say what it shows.
pub fn figure(svg: &str, readings: &[String], note: &str) -> String {
    let mut out = format!("<figure>{svg}<figcaption>");
    for r in readings {
        let _ = write!(out, "<span class=\"reading\">{}</span>", escape(r));
    }
    if !note.is_empty() {
        let _ = write!(out, "<span class=\"muted\">{}</span>", escape(note));
    }
    out.push_str("</figcaption></figure>");
    out
}

/// The whole page: everything inline (stylesheet, script, pictures), so it opens anywhere with
/// no network access and nothing to fetch. Its Content-Security-Policy lets only its own script
/// run (by the script's SHA-256, CSP Level 2 "hash-source"): no inline handler, no script put
/// into a plot, no `unsafe-inline`.
pub fn page(title: &str, body: &str) -> String {
    let script = format!("\n{}", include_str!("assets/report.js"));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '{hash}'\">\n\
         <title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>\n{}</style>\n</head>\n<body>\n{body}\n<script>{script}</script>\n</body>\n</html>\n",
        escape(title),
        include_str!("assets/report.css"),
        hash = script_hash(&script),
    )
}

/// A CSP hash-source for a script's text: `sha256-` and the base64 of its SHA-256.
pub fn script_hash(script: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn an_svg_is_made_to_scale() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"1600\" height=\"1000\" viewBox=\"0 0 1600 1000\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/></svg>";
        let inline = inline_svg(svg, "rate <plot>").unwrap();
        assert!(
            inline
                .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1600 1000\"")
        );
        assert!(inline.contains("<title>rate &lt;plot&gt;</title>"));
        assert!(inline.ends_with("<rect/></svg>"));
        assert!(!inline.contains("<?xml"));
        assert!(inline_svg("not a picture", "x").is_none());
    }

    #[test]
    fn a_page_fetches_nothing() {
        let p = page("t", "<p>x</p>");
        for external in ["src=\"http", "href=\"http", "@import", "url(http"] {
            assert!(!p.contains(external), "{external}");
        }
        assert!(p.contains("default-src 'none'"));
        assert!(!p.contains("unsafe-inline'; script-src 'unsafe-inline"));
        // The policy's hash is the hash of the one script the page holds.
        let at = p.find("<script>").unwrap() + "<script>".len();
        let script = &p[at..at + p[at..].find("</script>").unwrap()];
        assert!(p.contains(&format!("script-src '{}'", script_hash(script))));
    }
}
