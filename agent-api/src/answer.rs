//! Query answers on stdout, each JSON answer saying how fresh the index behind it
//! is: the CLI's share of "every answer reports whether it may be stale".
//!
//! The documented JSON shapes stay as they are (arrays stay arrays); the freshness
//! is added to them: an `"index"` object ([`IndexState`]) on answers that are
//! objects, and `"stale": true` on every object naming a `file` that changed on disk
//! since the last update. `--envelope` wraps any answer as `{"result", "index"}`,
//! the shape of the MCP tools' results, so that an empty array says it too.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;
use cartograph_query::api::IndexState;
use cartograph_query::Workspace;
use serde::Serialize;
use serde_json::Value;

/// Standard output for one command, knowing how its JSON answers are framed.
pub struct Out<'a> {
    inner: &'a mut dyn Write,
    envelope: bool,
}

impl<'a> Out<'a> {
    /// Answers go to `inner`; `envelope` frames JSON answers as `{"result", "index"}`.
    pub fn new(inner: &'a mut dyn Write, envelope: bool) -> Self {
        Out { inner, envelope }
    }

    /// Writes `value` as the JSON answer of a question put to `ws`, with the
    /// index's freshness attached (the disk is compared with the index now).
    pub fn answer<T: Serialize + ?Sized>(&mut self, ws: &Workspace, value: &T) -> Result<()> {
        let (state, changed) = ws.disk_state()?;
        let framed = frame(serde_json::to_value(value)?, state, &changed, self.envelope)?;
        crate::render::json(self, &framed)
    }
}

impl Write for Out<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `value` with its freshness: stale files marked, then the state added or wrapped.
fn frame(mut value: Value, state: IndexState, changed: &[String], envelope: bool) -> Result<Value> {
    if !changed.is_empty() {
        let changed: HashSet<&str> = changed.iter().map(String::as_str).collect();
        mark_stale(&mut value, &changed);
    }
    let state = serde_json::to_value(state)?;
    Ok(match value {
        _ if envelope => serde_json::json!({ "result": value, "index": state }),
        Value::Object(mut fields) => {
            fields.entry("index").or_insert(state);
            Value::Object(fields)
        }
        other => other,
    })
}

/// Adds `"stale": true` to every object whose `file` is among `changed`.
fn mark_stale(value: &mut Value, changed: &HashSet<&str>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| mark_stale(v, changed)),
        Value::Object(fields) => {
            let stale = matches!(fields.get("file"), Some(Value::String(f)) if changed.contains(f.as_str()));
            if stale {
                fields.insert("stale".to_string(), Value::Bool(true));
            }
            fields.values_mut().for_each(|v| mark_stale(v, changed));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(changed: &[&str]) -> (IndexState, Vec<String>) {
        let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
        let state = IndexState {
            generation: 7,
            stale: !changed.is_empty(),
            changed_files: changed.len(),
            changed: changed.clone(),
            ..IndexState::default()
        };
        (state, changed)
    }

    #[test]
    fn arrays_stay_arrays_and_mark_their_stale_files() {
        let (s, changed) = state(&["a.go"]);
        let v = serde_json::json!([{"file": "a.go", "line": 1}, {"file": "b.go", "line": 2}]);
        let framed = frame(v, s, &changed, false).unwrap();
        assert_eq!(
            framed,
            serde_json::json!([{"file": "a.go", "line": 1, "stale": true}, {"file": "b.go", "line": 2}])
        );
    }

    #[test]
    fn objects_carry_the_index_state_and_nested_files_are_marked() {
        let (s, changed) = state(&["b.go"]);
        let v = serde_json::json!({"symbol": {"file": "a.go"}, "children": [{"symbol": {"file": "b.go"}}]});
        let framed = frame(v, s, &changed, false).unwrap();
        assert_eq!(framed["index"]["generation"], 7);
        assert_eq!(framed["index"]["stale"], true);
        assert_eq!(framed["index"]["changed"], serde_json::json!(["b.go"]));
        assert_eq!(framed["children"][0]["symbol"]["stale"], true);
        assert!(framed["symbol"].get("stale").is_none());
    }

    #[test]
    fn the_envelope_frames_every_answer_even_an_empty_one() {
        let (s, changed) = state(&[]);
        let framed = frame(serde_json::json!([]), s, &changed, true).unwrap();
        assert_eq!(framed["result"], serde_json::json!([]));
        assert_eq!(framed["index"]["stale"], false);
    }
}
