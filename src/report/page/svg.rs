//! SVG taken from disk made safe to inline: the file is parsed (roxmltree, no DTD, so no
//! entities) and written again with only drawing elements and presentation attributes, so a
//! script, an event handler, a link or a foreign object put into a plot's file never reaches
//! the page. Anything else is dropped, with its children.

use super::html::escape;

/// The elements a plot is drawn with (plotters writes svg, g, line, polyline, polygon, rect,
/// circle, path and text); every other element is dropped with what it holds.
const ELEMENTS: [&str; 17] = [
    "svg",
    "g",
    "line",
    "polyline",
    "polygon",
    "rect",
    "circle",
    "ellipse",
    "path",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "clipPath",
    "linearGradient",
    "stop",
];

/// Presentation and geometry attributes; every other attribute (on*, href, style, ...) is
/// dropped.
const ATTRIBUTES: [&str; 38] = [
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "dx",
    "dy",
    "width",
    "height",
    "d",
    "points",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "transform",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "id",
    "clip-path",
    "offset",
    "stop-color",
];

/// Whether an attribute value is plain drawing data: no script URL, no reference outside the
/// picture (`url(#id)` only), no markup.
fn safe_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let outside_ref = lower
        .match_indices("url(")
        .any(|(i, _)| !lower[i + 4..].trim_start().starts_with('#'));
    !(lower.contains("javascript:")
        || lower.contains("expression(")
        || lower.contains('<')
        || outside_ref)
}

/// The drawing of an SVG document: its width and height (from `width`/`height`, else the
/// `viewBox`) and its content written again with only drawing elements and attributes. None for
/// text that is not an SVG document.
pub fn drawing(svg: &str) -> Option<(f64, f64, String)> {
    let doc = roxmltree::Document::parse(svg).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return None;
    }
    let number = |name: &str| root.attribute(name).and_then(|v| v.parse::<f64>().ok());
    let from_box = || -> Option<(f64, f64)> {
        let parts: Vec<f64> = root
            .attribute("viewBox")?
            .split_whitespace()
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        (parts.len() == 4).then(|| (parts[2], parts[3]))
    };
    let (w, h) = match (number("width"), number("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => from_box()?,
    };
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return None;
    }
    let mut out = String::new();
    for child in root.children() {
        write_node(child, &mut out);
    }
    Some((w, h, out))
}

fn write_node(node: roxmltree::Node, out: &mut String) {
    if node.is_text() {
        out.push_str(&escape_text(node.text().unwrap_or("")));
        return;
    }
    if !node.is_element() {
        return;
    }
    let name = node.tag_name().name();
    let svg_ns = node
        .tag_name()
        .namespace()
        .is_none_or(|ns| ns == "http://www.w3.org/2000/svg");
    if !svg_ns || !ELEMENTS.contains(&name) {
        return;
    }
    out.push('<');
    out.push_str(name);
    for a in node.attributes() {
        if a.namespace().is_none() && ATTRIBUTES.contains(&a.name()) && safe_value(a.value()) {
            out.push_str(&format!(" {}=\"{}\"", a.name(), escape(a.value())));
        }
    }
    if node.has_children() {
        out.push('>');
        for child in node.children() {
            write_node(child, out);
        }
        out.push_str(&format!("</{name}>"));
    } else {
        out.push_str("/>");
    }
}

/// Element text: only `&`, `<` and `>` need escaping, so plot labels read as written.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_links_never_survive() {
        let hostile = r##"<?xml version="1.0"?>
<svg width="100" height="50" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
<script>alert(2)</script>
<rect x="1" y="2" width="3" height="4" fill="#FFF" onclick="alert(3)" style="background:url(http://x)"/>
<a href="javascript:alert(4)"><text x="1">click</text></a>
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><script>alert(5)</script></div></foreignObject>
<image xlink:href="http://evil/x.png"/>
<use href="#r"/>
<line x1="0" y1="0" x2="1" y2="1" stroke="url(http://evil/#x)" fill="url(#grad)"/>
<text x="2" y="3">a &lt; b &amp; c</text>
</svg>"##;
        let (w, h, body) = drawing(hostile).unwrap();
        assert_eq!((w, h), (100.0, 50.0));
        for gone in [
            "script",
            "alert",
            "onload",
            "onclick",
            "href",
            "foreignObject",
            "image",
            "use",
            "style",
            "http",
            "<a",
        ] {
            assert!(!body.contains(gone), "{gone} survived: {body}");
        }
        assert!(body.contains(r##"<rect x="1" y="2" width="3" height="4" fill="#FFF"/>"##));
        assert!(body.contains(r##"fill="url(#grad)""##));
        assert!(body.contains("a &lt; b &amp; c"));
    }

    #[test]
    fn not_an_svg_or_a_dtd_is_refused() {
        assert!(drawing("not a picture").is_none());
        assert!(drawing("<html/>").is_none());
        let entities = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]><svg width="1" height="1">&a;</svg>"#;
        assert!(drawing(entities).is_none());
    }
}
