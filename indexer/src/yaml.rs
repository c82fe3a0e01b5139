//! YAML as deployment files write it: a small tree ([`Yaml`]) built from the events of
//! yaml-rust2's parser, one document at a time, with a nesting limit and a node budget,
//! so that no input (a syntax error, a Helm template, `- - - …` ten thousand deep, an
//! alias bomb) can loop, recurse without bound or exhaust memory. A document that does
//! not parse is reported and skipped; the other documents of its file are still read.
//!
//! Helm templates are YAML only after rendering: [`render_helm`] drops lines that hold
//! nothing but template actions (`{{- if … }}`, `{{- end }}`), and replaces the values
//! a template reads (`.Values.x.y`, `.Chart.Name`, `include "x.fullname" .`) by what the
//! chart's `values.yaml` and name say, so the addresses a chart sets are still found.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

/// Deepest nesting of sequences and mappings read; deeper documents are reported.
pub const MAX_DEPTH: usize = 128;

/// Most nodes one document may expand to (aliases count each time they are used).
pub const MAX_NODES: usize = 1_000_000;

/// A YAML node. Scalars keep their text: deployment files are read as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Yaml {
    /// `~`, `null` or an empty value.
    Null,
    /// Any scalar, as written (`8080`, `true` and `cart` alike).
    Scalar(String),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping, in document order.
    Map(Vec<(Yaml, Yaml)>),
}

impl Yaml {
    /// The value of `key` in a mapping, following `<<` merge keys.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        let Yaml::Map(entries) = self else {
            return None;
        };
        if let Some((_, v)) = entries
            .iter()
            .find(|(k, _)| matches!(k, Yaml::Scalar(s) if s == key))
        {
            return Some(v);
        }
        let (_, merged) = entries
            .iter()
            .find(|(k, _)| matches!(k, Yaml::Scalar(s) if s == "<<"))?;
        match merged {
            Yaml::Seq(items) => items.iter().find_map(|m| m.get(key)),
            m => m.get(key),
        }
    }

    /// The text of a scalar.
    pub fn scalar(&self) -> Option<String> {
        match self {
            Yaml::Scalar(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The entries of a mapping, with those merged in by `<<` after its own.
    pub fn entries(&self) -> Vec<(&Yaml, &Yaml)> {
        let Yaml::Map(entries) = self else {
            return Vec::new();
        };
        let mut out: Vec<(&Yaml, &Yaml)> = Vec::new();
        let mut merged = None;
        for (k, v) in entries {
            if matches!(k, Yaml::Scalar(s) if s == "<<") {
                merged = Some(v);
            } else {
                out.push((k, v));
            }
        }
        let sources: Vec<&Yaml> = match merged {
            Some(Yaml::Seq(items)) => items.iter().collect(),
            Some(m) => vec![m],
            None => Vec::new(),
        };
        for source in sources {
            for (k, v) in source.entries() {
                if !out.iter().any(|(own, _)| *own == k) {
                    out.push((k, v));
                }
            }
        }
        out
    }

    /// The items of a sequence (none for anything else).
    pub fn items(&self) -> &[Yaml] {
        match self {
            Yaml::Seq(items) => items,
            _ => &[],
        }
    }
}

/// A document that could not be read: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line in the file.
    pub line: u32,
    /// What went wrong, lowercase.
    pub message: String,
}

/// Every document of a YAML stream: the ones that parse, and an error for each one
/// that does not. Documents are split at `---` lines before parsing, so an error in
/// one never hides the next.
pub fn documents(text: &str) -> (Vec<Yaml>, Vec<YamlError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for (first_line, chunk) in split_documents(text) {
        match document(chunk) {
            Ok(Some(doc)) => docs.push(doc),
            Ok(None) => {}
            Err(mut e) => {
                e.line += first_line;
                errors.push(e);
            }
        }
    }
    (docs, errors)
}

/// The one document of a file (a values file, a compose file): the first that
/// parses, with the errors of the others.
pub fn single(text: &str) -> (Option<Yaml>, Vec<YamlError>) {
    let (docs, errors) = documents(text);
    (docs.into_iter().next(), errors)
}

/// Splits a stream at its `---` document markers: (lines before the chunk, chunk).
fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut start_line = 0u32;
    let mut offset = 0;
    for (line_no, line) in (0u32..).zip(text.split_inclusive('\n')) {
        let body = line.trim_end_matches(['\n', '\r']);
        let marker = body.starts_with("---")
            && body[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t');
        if marker {
            out.push((start_line, &text[start..offset]));
            // The marker line stays with its document (it may carry `--- !tag`).
            start = offset;
            start_line = line_no;
        }
        offset += line.len();
    }
    out.push((start_line, &text[start..]));
    out.retain(|(_, chunk)| {
        chunk
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---")
    });
    out
}

/// One document, built from parser events with the depth and node limits.
fn document(text: &str) -> Result<Option<Yaml>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Yaml> = Vec::new();
    // A mapping's pending key, per open mapping (by stack position).
    let mut keys: Vec<Option<Yaml>> = Vec::new();
    let mut anchors: Vec<(usize, Yaml)> = Vec::new();
    let mut anchor_of: Vec<usize> = Vec::new();
    let mut nodes = 0usize;
    let mut root: Option<Yaml> = None;
    loop {
        // After an error the parser is not advanced again: it may repeat the error.
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            line: e.marker().line() as u32,
            message: format!("malformed yaml: {}", e.info()),
        })?;
        let too_big = |line: usize, what: &str| YamlError {
            line: line as u32,
            message: format!("yaml document skipped: {what}"),
        };
        let (value, anchor) = match event {
            Event::StreamEnd => return Ok(root),
            Event::StreamStart | Event::DocumentStart | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_big(
                        mark.line(),
                        &format!("nested deeper than {MAX_DEPTH}"),
                    ));
                }
                let mapping = matches!(event, Event::MappingStart(..));
                stack.push(if mapping {
                    Yaml::Map(Vec::new())
                } else {
                    Yaml::Seq(Vec::new())
                });
                keys.push(None);
                anchor_of.push(anchor);
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                keys.pop();
                let anchor = anchor_of.pop().unwrap_or(0);
                match stack.pop() {
                    Some(v) => (v, anchor),
                    None => continue,
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let plain = matches!(style, yaml_rust2::scanner::TScalarStyle::Plain);
                let null = plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                (if null { Yaml::Null } else { Yaml::Scalar(text) }, anchor)
            }
            Event::Alias(id) => {
                let Some((_, v)) = anchors.iter().rev().find(|(a, _)| *a == id) else {
                    return Err(too_big(mark.line(), "alias to an unknown anchor"));
                };
                nodes += count_nodes(v, MAX_NODES.saturating_sub(nodes));
                if nodes >= MAX_NODES {
                    return Err(too_big(mark.line(), "aliases expand past the node budget"));
                }
                (v.clone(), 0)
            }
        };
        nodes += 1;
        if nodes >= MAX_NODES {
            return Err(too_big(mark.line(), "more nodes than the budget"));
        }
        if anchor > 0 {
            anchors.push((anchor, value.clone()));
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Yaml::Seq(items)) => items.push(value),
            Some(Yaml::Map(entries)) => {
                let pending = keys.last_mut().and_then(Option::take);
                match pending {
                    Some(key) => entries.push((key, value)),
                    None => {
                        if let Some(slot) = keys.last_mut() {
                            *slot = Some(value);
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
}

/// Nodes in `v`, counting no further than `limit`.
fn count_nodes(v: &Yaml, limit: usize) -> usize {
    let mut count = 0;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        count += 1;
        if count >= limit {
            return count;
        }
        match v {
            Yaml::Seq(items) => todo.extend(items),
            Yaml::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
    count
}

/// What a Helm template reads: the chart's values and name.
#[derive(Clone, Copy, Debug)]
pub struct HelmContext<'a> {
    /// The chart's `values.yaml`, when it parsed.
    pub values: Option<&'a Yaml>,
    /// The chart's name (`Chart.yaml`), which also stands for the release's name.
    pub chart: &'a str,
    /// The chart's named templates (`{{ define "x.fullname" }}…{{ end }}`), by name.
    pub defines: Option<&'a HashMap<String, String>>,
    /// How many `include`s deep the action being evaluated is.
    pub depth: u8,
    /// How many more named templates the file's rendering may expand: templates
    /// including others many times over would otherwise take exponential time.
    pub expansions: &'a std::cell::Cell<u32>,
}

/// Deepest `include` of a named template in another that is followed.
const MAX_INCLUDE_DEPTH: u8 = 8;

/// Named templates one file's rendering expands at most (see
/// [`HelmContext::expansions`]).
pub const MAX_EXPANSIONS: u32 = 2_000;

/// The named templates a chart's file defines (`{{- define "x.name" -}}…{{- end }}`),
/// added to `out` by name: each body as written, up to the `end` matching its
/// `define` (nested `if`, `range`, `with` and `block` actions counted).
pub fn helm_defines(text: &str, out: &mut HashMap<String, String>) {
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return;
        };
        let action = action_words(&after[..close]);
        rest = &after[close + 2..];
        let Some(name) = action.strip_prefix("define ") else {
            continue;
        };
        let name = literal(name.trim());
        // The body runs to the `end` closing the define.
        let mut depth = 1;
        let mut scan = rest;
        let mut body_end = None;
        while let Some(open) = scan.find("{{") {
            let after = &scan[open + 2..];
            let Some(close) = after.find("}}") else { break };
            let inner = action_words(&after[..close]);
            let head = inner.split_whitespace().next().unwrap_or_default();
            match head {
                "if" | "range" | "with" | "define" | "block" => depth += 1,
                "end" => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                let at = rest.len() - scan.len() + open;
                body_end = Some((at, at + 2 + close + 2));
                break;
            }
            scan = &after[close + 2..];
        }
        let Some((end, next)) = body_end else { return };
        out.insert(name, rest[..end].to_string());
        rest = &rest[next..];
    }
}

/// An action's text without its braces' trim markers and surrounding blanks.
fn action_words(action: &str) -> &str {
    action
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim()
}

/// A named template's value where its body is text and values only (no
/// conditionals, loops or variables): `{{ include "a.fullname" . }}-web` is the chart's
/// full name, `-web`. Whitespace is trimmed as `{{-` and `-}}` say, then at both ends.
fn named_value(body: &str, ctx: &HelmContext) -> Option<String> {
    if ctx.depth >= MAX_INCLUDE_DEPTH || ctx.expansions.get() == 0 {
        return None;
    }
    ctx.expansions.set(ctx.expansions.get() - 1);
    let inner = HelmContext {
        depth: ctx.depth + 1,
        ..*ctx
    };
    let mut out = String::new();
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let raw = &after[..close];
        let mut text = &rest[..open];
        if raw.starts_with('-') {
            text = text.trim_end();
        }
        out.push_str(text);
        let action = action_words(raw);
        let head = action.split_whitespace().next().unwrap_or_default();
        if action.contains(":=")
            || matches!(
                head,
                "if" | "else" | "end" | "range" | "with" | "define" | "block" | "fail"
            )
        {
            return None;
        }
        if !action.starts_with("/*") {
            out.push_str(&evaluate(raw, &inner));
        }
        rest = &after[close + 2..];
        if raw.ends_with('-') {
            rest = rest.trim_start();
        }
    }
    out.push_str(rest);
    let value = out.trim();
    (!value.is_empty() && !value.contains('\n')).then(|| value.to_string())
}

/// Whether a text holds Go template actions.
pub fn is_template(text: &str) -> bool {
    text.contains("{{")
}

/// A Helm template rendered as far as its values allow: action-only lines dropped
/// (both branches of a conditional are kept), each `{{ … }}` replaced by the value
/// it reads, or by nothing when it is not known.
pub fn render_helm(text: &str, ctx: &HelmContext) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if actions_only(body) {
            // Keep the line count: diagnostics point at the template's own lines.
            out.push_str(newline);
            continue;
        }
        let mut rest = body;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                rest = "";
                break;
            };
            out.push_str(&evaluate(&after[..close], ctx));
            rest = &after[close + 2..];
        }
        out.push_str(rest);
        out.push_str(newline);
    }
    out
}

/// A line made of template actions and blanks only.
fn actions_only(line: &str) -> bool {
    let mut rest = line.trim();
    if !rest.starts_with("{{") {
        return false;
    }
    while let Some(after) = rest.strip_prefix("{{") {
        let Some(close) = after.find("}}") else {
            return true;
        };
        rest = after[close + 2..].trim_start();
    }
    rest.is_empty()
}

/// One template action's value: a pipeline whose head reads a value
/// (`.Values.a.b`, `.Chart.Name`, `include "x.fullname" .`, `default "d" .Values.x`,
/// a string literal), then functions that change it (`quote`, `upper`, …).
fn evaluate(action: &str, ctx: &HelmContext) -> String {
    let action = action_words(action);
    if action.starts_with("/*") {
        return String::new();
    }
    let mut stages = action.split('|').map(str::trim);
    let head = stages.next().unwrap_or_default();
    let mut value = head_value(head, ctx).unwrap_or_default();
    for stage in stages {
        let mut words = stage.split_whitespace();
        match words.next() {
            Some("quote") => value = format!("\"{}\"", value.replace('"', "\\\"")),
            Some("squote") => value = format!("'{}'", value.replace('\'', "''")),
            Some("upper") => value = value.to_uppercase(),
            Some("lower") => value = value.to_lowercase(),
            Some("default") if value.is_empty() => {
                value = words.next().map(literal).unwrap_or_default();
            }
            _ => {}
        }
    }
    value
}

fn head_value(head: &str, ctx: &HelmContext) -> Option<String> {
    let words: Vec<&str> = head.split_whitespace().collect();
    match words.as_slice() {
        [w] if w.starts_with('"') => Some(literal(w)),
        [w] => reference(w, ctx),
        ["default", fallback, read] => reference(read, ctx)
            .filter(|v| !v.is_empty())
            .or_else(|| Some(literal(fallback))),
        ["include" | "template", name, ..] => {
            let name = literal(name);
            ctx.defines
                .and_then(|d| d.get(&name))
                .and_then(|body| named_value(body, ctx))
                // A chart's own name helpers (`x.fullname`, `x.name`) are full of
                // conditionals: they name the release, which is the chart's.
                .or_else(|| {
                    (name.ends_with("fullname") || name.ends_with(".name"))
                        .then(|| ctx.chart.to_string())
                })
        }
        ["printf", format, args @ ..] => {
            let mut out = literal(format);
            for arg in args {
                let v = reference(arg, ctx).unwrap_or_default();
                if let Some(at) = out
                    .find("%s")
                    .or_else(|| out.find("%v"))
                    .or_else(|| out.find("%d"))
                {
                    out.replace_range(at..at + 2, &v);
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn literal(word: &str) -> String {
    word.trim_matches('"').to_string()
}

/// `.Values.a.b` from the chart's values; `.Chart.Name`, `.Release.Name` as the
/// chart's name; `$.Values…` alike.
fn reference(word: &str, ctx: &HelmContext) -> Option<String> {
    let word = word.trim_start_matches('$');
    if word.starts_with('"') {
        return Some(literal(word));
    }
    match word {
        ".Chart.Name" | ".Release.Name" => return Some(ctx.chart.to_string()),
        ".Release.Namespace" => return Some("default".to_string()),
        _ => {}
    }
    let path = word.strip_prefix(".Values.")?;
    let mut node = ctx.values?;
    for key in path.split('.') {
        node = node.get(key)?;
    }
    node.scalar()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> Yaml {
        Yaml::Map(
            entries
                .iter()
                .map(|(k, v)| (Yaml::Scalar(k.to_string()), Yaml::Scalar(v.to_string())))
                .collect(),
        )
    }

    #[test]
    fn documents_are_read_one_by_one_and_errors_do_not_hide_the_next() {
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        let (docs, errors) = documents(text);
        assert_eq!(docs, vec![map(&[("a", "1")]), map(&[("c", "3")])]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.starts_with("malformed yaml"),
            "{errors:?}"
        );
        assert!((3..=5).contains(&errors[0].line), "{errors:?}");
    }

    #[test]
    fn nesting_aliases_and_merges_are_bounded() {
        let deep = "- ".repeat(10_000) + "x\n";
        let (docs, errors) = documents(&deep);
        assert!(docs.is_empty());
        assert!(errors[0].message.contains("nested deeper"), "{errors:?}");
        let flow = "[".repeat(10_000);
        let (docs, errors) = documents(&flow);
        assert!(docs.is_empty() && errors.len() == 1, "{errors:?}");
        // Each level doubles the one before: 2^40 nodes if expanded.
        let mut bomb = String::from("a0: &a0 [x, x]\n");
        for i in 1..40 {
            bomb.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        let (docs, errors) = documents(&bomb);
        assert!(docs.is_empty());
        assert!(errors[0].message.contains("node budget"), "{errors:?}");
        let merged = "base: &b\n  A: 1\nsvc:\n  <<: *b\n  B: 2\n";
        let (docs, _) = documents(merged);
        let svc = docs[0].get("svc").cloned().unwrap_or(Yaml::Null);
        assert_eq!(svc.get("A"), Some(&Yaml::Scalar("1".into())));
        assert_eq!(svc.entries().len(), 2);
    }

    #[test]
    fn helm_templates_render_from_values() {
        let values = map(&[("host", "cart"), ("port", "7070")]);
        let ctx = HelmContext {
            values: Some(&values),
            chart: "checkout",
            defines: None,
            depth: 0,
            expansions: &std::cell::Cell::new(MAX_EXPANSIONS),
        };
        let template = "{{- if .Values.enabled }}\nname: {{ include \"x.fullname\" . }}\nurl: \"http://{{ .Values.host }}:{{ .Values.port }}\"\nq: {{ .Values.missing | default \"d\" | quote }}\n{{- end }}\n";
        let rendered = render_helm(template, &ctx);
        assert_eq!(
            rendered,
            "\nname: checkout\nurl: \"http://cart:7070\"\nq: \"d\"\n\n"
        );
        assert!(actions_only("  {{- include \"labels\" . | nindent 4 }}"));

        // Named templates: a body of text and values is its value; one with
        // conditionals falls back to the chart's name for a name helper.
        let mut defines = HashMap::new();
        helm_defines(
            "{{- define \"shop.fullname\" -}}\n{{- if .Values.fullnameOverride }}\n{{ .Values.fullnameOverride }}\n{{- else }}\n{{ .Release.Name }}\n{{- end }}\n{{- end }}\n\n{{- define \"shop.web.component\" -}}\nweb\n{{- end }}\n{{- define \"shop.web.fullname\" -}}\n{{- include \"shop.fullname\" . }}-{{- include \"shop.web.component\" . }}\n{{- end }}\n{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}\n",
            &mut defines,
        );
        assert_eq!(defines.len(), 4, "{defines:?}");
        let ctx = HelmContext {
            defines: Some(&defines),
            ..ctx
        };
        assert_eq!(
            render_helm("name: {{ include \"shop.web.fullname\" . }}\n", &ctx),
            "name: checkout-web\n"
        );
        assert_eq!(
            render_helm(
                "a: {{ include \"shop.fullname\" . }}\nb: {{ include \"loop\" . }}\n",
                &ctx
            ),
            "a: checkout\nb: \n"
        );

        // Each template including the next ten times, twelve deep: the expansions
        // are bounded, so rendering ends at once.
        let mut hostile = String::new();
        for level in 0..12 {
            hostile.push_str(&format!("{{{{- define \"t{level}\" -}}}}"));
            for _ in 0..10 {
                hostile.push_str(&format!("{{{{ include \"t{}\" . }}}}", level + 1));
            }
            hostile.push_str("{{- end }}\n");
        }
        let mut defines = HashMap::new();
        helm_defines(&hostile, &mut defines);
        let started = std::time::Instant::now();
        let budget = std::cell::Cell::new(MAX_EXPANSIONS);
        let ctx = HelmContext {
            defines: Some(&defines),
            expansions: &budget,
            ..ctx
        };
        for _ in 0..50 {
            render_helm("name: {{ include \"t0\" . }}\n", &ctx);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(budget.get(), 0);
        assert!(!actions_only("x: {{ .Values.a }}"));
    }
}
