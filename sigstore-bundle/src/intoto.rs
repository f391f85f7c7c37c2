//! in-toto attestation Statements, layer v0.1 and v1 (in-toto/attestation `spec/v1/statement.md`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::json::{self, DocKind, Json, Nulls, Obj, ObjOut, Out, Path};
use crate::limits::MAX_STATEMENT_BYTES;

/// `_type` of an in-toto Statement v0.1.
pub const STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";
/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

const SUBJECT_KEYS: &[&str] = &[
    "name",
    "digest",
    "uri",
    "downloadLocation",
    "mediaType",
    "content",
    "annotations",
];
const OTHER_RESOURCE_KEYS: &[&str] = &[
    "uri",
    "downloadLocation",
    "mediaType",
    "content",
    "annotations",
];

/// An in-toto Statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `_type`: [`STATEMENT_V0_1`] or [`STATEMENT_V1`].
    pub type_: String,
    /// `subject` (at most [`MAX_SUBJECTS`](crate::MAX_SUBJECTS)).
    pub subject: Vec<Subject>,
    /// `predicateType`.
    pub predicate_type: String,
    /// `predicate`, kept as parsed JSON; absent when the statement has none.
    pub predicate: Option<Value>,
}

/// One subject of a Statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `name`, if present.
    pub name: Option<String>,
    /// `digest`: algorithm name (e.g. `sha256`) to lowercase hex value, at most
    /// [`MAX_DIGESTS_PER_SUBJECT`](crate::MAX_DIGESTS_PER_SUBJECT) entries, no duplicates.
    pub digest: BTreeMap<String, String>,
    /// Other in-toto v1 `ResourceDescriptor` fields present on the subject (`uri`,
    /// `downloadLocation`, `mediaType`, `content`, `annotations`), kept as parsed JSON.
    pub other_fields: BTreeMap<String, Value>,
}

impl Subject {
    /// Whether this subject lists `alg` (an in-toto name such as `sha256`) with exactly
    /// `digest` (compared as hex, ignoring case).
    pub fn has_digest(&self, alg: &str, digest: &[u8]) -> bool {
        let Some(hex) = self.digest.get(alg) else {
            return false;
        };
        if hex.len() != digest.len() * 2 {
            return false;
        }
        let want: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        hex.eq_ignore_ascii_case(&want)
    }
}

impl Statement {
    /// Parses a Statement (at most [`MAX_STATEMENT_BYTES`], [`MAX_SUBJECTS`](crate::MAX_SUBJECTS)
    /// subjects, [`MAX_DIGESTS_PER_SUBJECT`](crate::MAX_DIGESTS_PER_SUBJECT) digests each).
    /// Unknown `_type` is [`Error::UnknownStatementType`].
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::Statement, MAX_STATEMENT_BYTES)?;
        let (mut o, type_, subject, predicate_type) = read_head(v)?;
        let predicate = o.opt("predicate")?.map(Json::into_value);
        Ok(Self {
            type_,
            subject,
            predicate_type,
            predicate,
        })
    }

    fn to_out(&self) -> Out {
        let subjects = self
            .subject
            .iter()
            .map(|s| {
                let mut o = ObjOut::new();
                if let Some(n) = &s.name {
                    o = o.str("name", n);
                }
                let mut d = ObjOut::new();
                for (k, v) in &s.digest {
                    d = d.str(k, v);
                }
                o = o.put("digest", d.done());
                for (k, v) in &s.other_fields {
                    o = o.put(k, Out::Raw(v.clone()));
                }
                o.done()
            })
            .collect();
        let mut o = ObjOut::new()
            .str("_type", &self.type_)
            .put("subject", Out::Arr(subjects))
            .str("predicateType", &self.predicate_type);
        if let Some(p) = &self.predicate {
            o = o.put("predicate", Out::Raw(p.clone()));
        }
        o.done()
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        json::to_vec(&self.to_out())
    }

    /// Serializes to a `serde_json::Value` (a copy; [`Statement::into_value`] moves instead).
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// The statement as a `serde_json::Value`, built by moving the fields (the predicate,
    /// often most of a statement, included) instead of copying them.
    pub fn into_value(self) -> Value {
        let subjects = self
            .subject
            .into_iter()
            .map(|s| {
                let mut o = Map::new();
                if let Some(n) = s.name {
                    o.insert("name".to_owned(), Value::String(n));
                }
                let digest = s
                    .digest
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                o.insert("digest".to_owned(), Value::Object(digest));
                o.extend(s.other_fields);
                Value::Object(o)
            })
            .collect();
        let mut o = Map::new();
        o.insert("_type".to_owned(), Value::String(self.type_));
        o.insert("subject".to_owned(), Value::Array(subjects));
        o.insert(
            "predicateType".to_owned(),
            Value::String(self.predicate_type),
        );
        if let Some(p) = self.predicate {
            o.insert("predicate".to_owned(), p);
        }
        Value::Object(o)
    }
}

/// An in-toto Statement kept as the JSON text that was signed, with the fields a verifier
/// matches on (`_type`, `subject`, `predicateType`) already read.
///
/// [`StatementJson::from_json`] makes every check of [`Statement::from_json`] (the same
/// limits, duplicate keys at any depth, unknown fields, types) and returns the same errors,
/// but it does not convert the predicate into a [`serde_json::Value`]: it only checks it.
/// That conversion was about half the cost of reading a SLSA provenance statement (BENCHMARKS
/// item 39), and most verifiers never look at the predicate. [`StatementJson::to_statement`] and
/// [`StatementJson::to_value`] convert on request; serializing a `StatementJson` writes the
/// value of [`StatementJson::to_value`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementJson {
    text: String,
    type_: &'static str,
    subject: Vec<Subject>,
    predicate_type: String,
    has_predicate: bool,
}

impl StatementJson {
    /// Reads a Statement as [`Statement::from_json`] does (same limits, checks and errors),
    /// keeping its text and leaving the predicate unconverted.
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::StatementText, MAX_STATEMENT_BYTES)?;
        let (mut o, type_, subject, predicate_type) = read_head(v)?;
        let has_predicate = o.opt("predicate")?.is_some();
        let type_ = if type_ == STATEMENT_V1 {
            STATEMENT_V1
        } else {
            STATEMENT_V0_1
        };
        // A document serde_json accepted is UTF-8 (it checks every string; everything else
        // is ASCII), so this refusal is never reached in practice.
        let text = std::str::from_utf8(input)
            .map_err(|_| Error::Json {
                kind: crate::error::JsonErrorKind::Syntax,
                line: 0,
                column: 0,
            })?
            .to_owned();
        Ok(Self {
            text,
            type_,
            subject,
            predicate_type,
            has_predicate,
        })
    }

    /// The statement's JSON text, exactly as it was read.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `_type`: [`STATEMENT_V0_1`] or [`STATEMENT_V1`].
    pub fn statement_type(&self) -> &'static str {
        self.type_
    }

    /// `subject`.
    pub fn subjects(&self) -> &[Subject] {
        &self.subject
    }

    /// `predicateType`.
    pub fn predicate_type(&self) -> &str {
        &self.predicate_type
    }

    /// Whether the statement has a `predicate`.
    pub fn has_predicate(&self) -> bool {
        self.has_predicate
    }

    /// The whole statement, predicate converted (reads the text again).
    pub fn to_statement(&self) -> Result<Statement> {
        Statement::from_json(self.text.as_bytes())
    }

    /// The statement as a `serde_json::Value`, as [`Statement::into_value`] gives it.
    pub fn to_value(&self) -> Result<Value> {
        self.to_statement().map(Statement::into_value)
    }
}

impl serde::Serialize for StatementJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

/// The object of a Statement document, with `_type`, `subject` and `predicateType` read (in
/// that order) and taken out of it; `predicate` is left for the caller.
fn read_head(v: Json<'_>) -> Result<(Obj<'_, 'static>, String, Vec<Subject>, String)> {
    let mut o = Obj::new(
        v,
        Path::Root,
        &["_type", "subject", "predicateType", "predicate"],
        Nulls::Reject,
    )?;
    let type_ = o.str("_type")?;
    if type_ != STATEMENT_V0_1 && type_ != STATEMENT_V1 {
        return Err(Error::UnknownStatementType { found: type_ });
    }
    let subject = o.list("subject", |v, f| {
        let mut so = Obj::new(v, f, SUBJECT_KEYS, Nulls::Reject)?;
        let name = so.opt_str("name")?;
        let mut other_fields = BTreeMap::new();
        for key in OTHER_RESOURCE_KEYS {
            if let Some(v) = so.opt(key)? {
                other_fields.insert((*key).to_owned(), v.into_value());
            }
        }
        // Field paths are built only for an error.
        let here = so.at();
        let digest_at = here.key("digest");
        let Json::Object(map) = so.req("digest")? else {
            return Err(Error::Type {
                field: digest_at.render(),
                expected: "an object",
            });
        };
        let digest = map
            .into_iter()
            .map(|(k, v)| match v {
                Json::String(hex) => Ok((k.into_owned(), hex.into_owned())),
                _ => Err(Error::Type {
                    field: digest_at.key(&k).render(),
                    expected: "a string",
                }),
            })
            .collect::<Result<_>>()?;
        Ok(Subject {
            name,
            digest,
            other_fields,
        })
    })?;
    let predicate_type = o.str("predicateType")?;
    Ok((o, type_, subject, predicate_type))
}
