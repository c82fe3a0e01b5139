//! A reader for the parts of a SCIP index (Sourcegraph's code intelligence protobuf)
//! that the accuracy harness compares against: documents, their occurrences, and
//! the tool that wrote it. Decodes the protobuf wire format directly.

use anyhow::{bail, Result};

/// One occurrence of a symbol in a document.
#[derive(Clone, Debug, Default)]
pub struct Occurrence {
    /// 0-based line of the start.
    pub line: u32,
    /// Start column in the index's position encoding.
    pub character: u32,
    /// The SCIP symbol (`local N` for document-local symbols).
    pub symbol: String,
    /// Role bits; 1 marks a definition.
    pub roles: u32,
}

impl Occurrence {
    /// Whether this occurrence defines its symbol.
    pub fn is_definition(&self) -> bool {
        self.roles & 1 != 0
    }
}

/// One document of the index.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// Path relative to the project root.
    pub path: String,
    /// Its occurrences.
    pub occurrences: Vec<Occurrence>,
    /// Position encoding: 1 UTF-8 bytes, 2 UTF-16 code units, 3 UTF-32, 0 unspecified.
    pub encoding: u64,
}

/// The parts of an index the harness uses.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Name of the indexer that wrote it.
    pub tool: String,
    /// Its documents.
    pub documents: Vec<Document>,
}

/// A protobuf field: its number and value.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, at: 0 }
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.buf.get(self.at) else {
                bail!("truncated varint at byte {}", self.at);
            };
            self.at += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        bail!("varint too long at byte {}", self.at)
    }

    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>> {
        if self.at >= self.buf.len() {
            return Ok(None);
        }
        let tag = self.varint()?;
        let value = match tag & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.skip(8)?;
                Value::Fixed
            }
            2 => {
                let len = self.varint()? as usize;
                let start = self.at;
                self.skip(len)?;
                Value::Bytes(&self.buf[start..start + len])
            }
            5 => {
                self.skip(4)?;
                Value::Fixed
            }
            t => bail!("unsupported wire type {t} at byte {}", self.at),
        };
        Ok(Some((tag >> 3, value)))
    }

    fn skip(&mut self, n: usize) -> Result<()> {
        if self.at + n > self.buf.len() {
            bail!("truncated field at byte {}", self.at);
        }
        self.at += n;
        Ok(())
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Decodes a SCIP index.
pub fn decode(buf: &[u8]) -> Result<Index> {
    let mut index = Index::default();
    let mut r = Reader::new(buf);
    while let Some((field, value)) = r.field()? {
        match (field, value) {
            (1, Value::Bytes(metadata)) => index.tool = tool_name(metadata)?,
            (2, Value::Bytes(doc)) => index.documents.push(document(doc)?),
            _ => {}
        }
    }
    Ok(index)
}

fn tool_name(metadata: &[u8]) -> Result<String> {
    let mut r = Reader::new(metadata);
    while let Some((field, value)) = r.field()? {
        if let (2, Value::Bytes(info)) = (field, value) {
            let mut i = Reader::new(info);
            while let Some((f, v)) = i.field()? {
                if let (1, Value::Bytes(name)) = (f, v) {
                    return Ok(text(name));
                }
            }
        }
    }
    Ok(String::new())
}

fn document(buf: &[u8]) -> Result<Document> {
    let mut doc = Document::default();
    let mut r = Reader::new(buf);
    while let Some((field, value)) = r.field()? {
        match (field, value) {
            (1, Value::Bytes(path)) => doc.path = text(path),
            (2, Value::Bytes(occ)) => doc.occurrences.push(occurrence(occ)?),
            (6, Value::Varint(e)) => doc.encoding = e,
            _ => {}
        }
    }
    Ok(doc)
}

fn occurrence(buf: &[u8]) -> Result<Occurrence> {
    let mut occ = Occurrence::default();
    let mut range: Vec<u64> = Vec::new();
    let mut r = Reader::new(buf);
    while let Some((field, value)) = r.field()? {
        match (field, value) {
            (1, Value::Bytes(packed)) => {
                let mut p = Reader::new(packed);
                while p.at < packed.len() {
                    range.push(p.varint()?);
                }
            }
            (1, Value::Varint(v)) => range.push(v),
            (2, Value::Bytes(symbol)) => occ.symbol = text(symbol),
            (3, Value::Varint(roles)) => occ.roles = roles as u32,
            _ => {}
        }
    }
    if range.len() < 3 {
        bail!("occurrence of {} has a malformed range", occ.symbol);
    }
    occ.line = range[0] as u32;
    occ.character = range[1] as u32;
    Ok(occ)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn len_field(field: u64, bytes: &[u8], out: &mut Vec<u8>) {
        varint(field << 3 | 2, out);
        varint(bytes.len() as u64, out);
        out.extend_from_slice(bytes);
    }

    #[test]
    fn decodes_documents_occurrences_and_the_tool() {
        let mut info = Vec::new();
        len_field(1, b"scip-python", &mut info);
        let mut metadata = Vec::new();
        len_field(2, &info, &mut metadata);
        let mut range = Vec::new();
        for v in [4u64, 200, 210] {
            varint(v, &mut range);
        }
        let mut occ = Vec::new();
        len_field(1, &range, &mut occ);
        len_field(
            2,
            b"scip-python python rich 1.0 `rich.console`/Console#",
            &mut occ,
        );
        varint(3 << 3, &mut occ);
        varint(1, &mut occ);
        let mut doc = Vec::new();
        len_field(1, b"rich/console.py", &mut doc);
        len_field(2, &occ, &mut doc);
        varint(6 << 3, &mut doc);
        varint(2, &mut doc);
        let mut index = Vec::new();
        len_field(1, &metadata, &mut index);
        len_field(2, &doc, &mut index);

        let decoded = decode(&index).unwrap();
        assert_eq!(decoded.tool, "scip-python");
        let d = &decoded.documents[0];
        assert_eq!((d.path.as_str(), d.encoding), ("rich/console.py", 2));
        let o = &d.occurrences[0];
        assert_eq!((o.line, o.character, o.is_definition()), (4, 200, true));
        assert!(o.symbol.ends_with("Console#"));
        assert!(decode(&index[..index.len() - 3]).is_err());
    }
}
