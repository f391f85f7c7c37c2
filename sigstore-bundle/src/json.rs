//! Strict JSON reading (duplicate keys, depth, list caps, size) and the typed field helpers
//! shared by every model, plus an order-preserving writer.

use std::cell::RefCell;
use std::fmt;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, IntegerProblem, JsonErrorKind, Result};
use crate::limits::*;

/// Which document is being read; selects the list caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DocKind {
    Bundle,
    TrustedRoot,
    SigningConfig,
    ClientTrustConfig,
    Envelope,
    Statement,
}

/// The cap for the list (or, for in-toto digests, the object) at `path`.
fn cap_for(kind: DocKind, path: &[String]) -> Option<usize> {
    // No capped list lies deeper than five keys; no allocation for the lookup.
    let mut buf = [""; 8];
    for (slot, key) in buf.iter_mut().zip(path) {
        *slot = key.as_str();
    }
    let p = buf.get(..path.len())?;
    match kind {
        DocKind::Bundle => bundle_cap(p),
        DocKind::TrustedRoot => trusted_root_cap(p),
        DocKind::SigningConfig => signing_config_cap(p),
        DocKind::ClientTrustConfig => match p.split_first() {
            Some((&"trustedRoot", rest)) => trusted_root_cap(rest),
            Some((&"signingConfig", rest)) => signing_config_cap(rest),
            _ => None,
        },
        DocKind::Envelope => envelope_cap(p),
        DocKind::Statement => match p {
            ["subject"] => Some(MAX_SUBJECTS),
            ["subject", "digest"] => Some(MAX_DIGESTS_PER_SUBJECT),
            _ => None,
        },
    }
}

fn bundle_cap(p: &[&str]) -> Option<usize> {
    match p {
        ["verificationMaterial", "tlogEntries"] => Some(MAX_TLOG_ENTRIES),
        ["verificationMaterial", "tlogEntries", "inclusionProof", "hashes"] => {
            Some(MAX_INCLUSION_PROOF_HASHES)
        }
        ["verificationMaterial", "timestampVerificationData", "rfc3161Timestamps"] => {
            Some(MAX_TIMESTAMPS)
        }
        ["verificationMaterial", "x509CertificateChain", "certificates"] => {
            Some(MAX_CHAIN_CERTIFICATES)
        }
        ["dsseEnvelope", rest @ ..] => envelope_cap(rest),
        _ => None,
    }
}

fn envelope_cap(p: &[&str]) -> Option<usize> {
    match p {
        ["signatures"] => Some(MAX_DSSE_SIGNATURES),
        _ => None,
    }
}

fn trusted_root_cap(p: &[&str]) -> Option<usize> {
    match p {
        ["tlogs"] | ["ctlogs"] | ["certificateAuthorities"] | ["timestampAuthorities"] => {
            Some(MAX_TRUST_ROOT_ENTRIES)
        }
        ["certificateAuthorities", "certChain", "certificates"]
        | ["timestampAuthorities", "certChain", "certificates"] => Some(MAX_CHAIN_CERTIFICATES),
        _ => None,
    }
}

fn signing_config_cap(p: &[&str]) -> Option<usize> {
    match p {
        ["caUrls"] | ["oidcUrls"] | ["rekorTlogUrls"] | ["tsaUrls"] => Some(MAX_TRUST_ROOT_ENTRIES),
        _ => None,
    }
}

struct Ctx {
    kind: DocKind,
    /// Object keys from the root to the current value (array levels are not recorded).
    path: RefCell<Vec<String>>,
    /// The typed error behind a `serde_json` custom error, if any.
    err: RefCell<Option<Error>>,
}

impl Ctx {
    fn fail<E: de::Error>(&self, e: Error) -> E {
        let msg = e.to_string();
        *self.err.borrow_mut() = Some(e);
        E::custom(msg)
    }

    fn path_text(&self) -> String {
        let p = self.path.borrow();
        if p.is_empty() {
            "$".to_owned()
        } else {
            p.join(".")
        }
    }

    fn cap(&self) -> Option<usize> {
        cap_for(self.kind, &self.path.borrow())
    }
}

/// Builds a `serde_json::Value` while enforcing the limits.
struct Node<'a> {
    ctx: &'a Ctx,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A seed that refuses to parse: used for the element past a cap, so that the cap is reported
/// before that element is read.
struct Reject<'a> {
    ctx: &'a Ctx,
    max: usize,
}

impl<'de> DeserializeSeed<'de> for Reject<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, _d: D) -> std::result::Result<Value, D::Error> {
        let what = self.ctx.path_text();
        Err(self.ctx.fail(Error::TooMany {
            what,
            max: self.max,
        }))
    }
}

/// Reads one object key (as an owned string).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<String, D::Error> {
        <String as serde::Deserialize>::deserialize(d)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let ctx = self.ctx;
        if self.depth >= MAX_JSON_DEPTH {
            return Err(ctx.fail(Error::TooDeep {
                max: MAX_JSON_DEPTH,
            }));
        }
        let cap = ctx.cap();
        let mut out = Vec::new();
        loop {
            if let Some(max) = cap {
                if out.len() >= max {
                    // Refuse the next element without parsing it; end of list is fine.
                    return match seq.next_element_seed(Reject { ctx, max })? {
                        None => Ok(Value::Array(out)),
                        Some(_) => Err(ctx.fail(Error::TooMany {
                            what: ctx.path_text(),
                            max,
                        })),
                    };
                }
            }
            match seq.next_element_seed(Node {
                ctx,
                depth: self.depth + 1,
            })? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let ctx = self.ctx;
        if self.depth >= MAX_JSON_DEPTH {
            return Err(ctx.fail(Error::TooDeep {
                max: MAX_JSON_DEPTH,
            }));
        }
        let cap = ctx.cap();
        let mut out = Map::new();
        loop {
            if let Some(max) = cap {
                if out.len() >= max {
                    return match map.next_key_seed(Reject { ctx, max })? {
                        None => Ok(Value::Object(out)),
                        Some(_) => Err(ctx.fail(Error::TooMany {
                            what: ctx.path_text(),
                            max,
                        })),
                    };
                }
            }
            let Some(key) = map.next_key_seed(Key)? else {
                return Ok(Value::Object(out));
            };
            if out.contains_key(&key) {
                let field = ctx.path_text();
                return Err(ctx.fail(Error::DuplicateKey { field, key }));
            }
            // The key goes onto the path while its value is read, then comes back off for
            // the map (nested values push and pop in pairs, so it is this key).
            ctx.path.borrow_mut().push(key);
            let value = map.next_value_seed(Node {
                ctx,
                depth: self.depth + 1,
            });
            let key = ctx.path.borrow_mut().pop().unwrap_or_default();
            out.insert(key, value?);
        }
    }
}

fn json_error(e: &serde_json::Error) -> Error {
    let kind = match e.classify() {
        serde_json::error::Category::Syntax => JsonErrorKind::Syntax,
        serde_json::error::Category::Eof => JsonErrorKind::Eof,
        _ => JsonErrorKind::Other,
    };
    Error::Json {
        kind,
        line: e.line(),
        column: e.column(),
    }
}

/// Parses `input` as one JSON document of type `kind`, enforcing the byte limit `max_bytes`,
/// [`MAX_JSON_DEPTH`], duplicate-key rejection, the list caps, and no trailing data.
pub(crate) fn parse_document(input: &[u8], kind: DocKind, max_bytes: usize) -> Result<Value> {
    if input.len() > max_bytes {
        return Err(Error::TooLarge {
            max: max_bytes,
            found: input.len(),
        });
    }
    let ctx = Ctx {
        kind,
        path: RefCell::new(Vec::new()),
        err: RefCell::new(None),
    };
    let mut de = serde_json::Deserializer::from_slice(input);
    let value = match (Node {
        ctx: &ctx,
        depth: 0,
    })
    .deserialize(&mut de)
    {
        Ok(v) => v,
        Err(e) => {
            return Err(ctx
                .err
                .borrow_mut()
                .take()
                .unwrap_or_else(|| json_error(&e)))
        }
    };
    if let Err(e) = de.end() {
        return Err(Error::TrailingData {
            line: e.line(),
            column: e.column(),
        });
    }
    Ok(value)
}

/// Reads a document from any serde deserializer with the same checks as [`parse_document`]
/// (except the byte limit, which needs the raw input). Used by the `Deserialize` impls.
pub(crate) fn deserialize_document<'de, D: de::Deserializer<'de>>(
    d: D,
    kind: DocKind,
) -> std::result::Result<Value, (Option<Error>, D::Error)> {
    let ctx = Ctx {
        kind,
        path: RefCell::new(Vec::new()),
        err: RefCell::new(None),
    };
    let r = (Node {
        ctx: &ctx,
        depth: 0,
    })
    .deserialize(d);
    r.map_err(|e| (ctx.err.borrow_mut().take(), e))
}

// ---------------------------------------------------------------------------------------------
// Typed field access

/// Whether JSON `null` is accepted (and remembered) for optional fields of an object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nulls {
    /// `null` is an error ([`Error::Null`]).
    Reject,
    /// `null` reads as absent and is recorded so it can be written back.
    Remember,
}

/// One JSON object being converted into a model, with the allowed keys checked up front.
pub(crate) struct Obj {
    map: Map<String, Value>,
    path: String,
    nulls: Nulls,
    seen_null: Vec<&'static str>,
}

fn to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `path.key` (or `key` at the root). Every field read builds its path for error messages, so
/// this avoids the formatting machinery.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        return key.to_owned();
    }
    let mut out = String::with_capacity(path.len() + 1 + key.len());
    out.push_str(path);
    out.push('.');
    out.push_str(key);
    out
}

/// `field[index]`, in one allocation (see [`join`]).
fn indexed(field: &str, index: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(field.len() + 8);
    out.push_str(field);
    // Writing into a String cannot fail.
    let _ = write!(out, "[{index}]");
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Obj {
    /// Takes `value` as an object at `path` whose keys must all be in `allowed`.
    pub(crate) fn new(
        value: Value,
        path: &str,
        allowed: &'static [&'static str],
        nulls: Nulls,
    ) -> Result<Self> {
        let Value::Object(map) = value else {
            return Err(Error::Type {
                field: if path.is_empty() {
                    "$".to_owned()
                } else {
                    path.to_owned()
                },
                expected: "an object",
            });
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let field = if path.is_empty() {
                    "$".to_owned()
                } else {
                    path.to_owned()
                };
                let camel = to_camel(key);
                if key.contains('_') && camel != *key && allowed.contains(&camel.as_str()) {
                    return Err(Error::NonCamelCaseKey {
                        field,
                        key: key.clone(),
                    });
                }
                return Err(Error::UnknownField {
                    field,
                    key: key.clone(),
                });
            }
        }
        Ok(Self {
            map,
            path: path.to_owned(),
            nulls,
            seen_null: Vec::new(),
        })
    }

    /// Path of the field `key` of this object.
    pub(crate) fn field(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Keys that held an explicit `null` (only with [`Nulls::Remember`]).
    pub(crate) fn nulls(&self) -> JsonNulls {
        JsonNulls(self.seen_null.clone())
    }

    /// Removes an optional field; `null` handling per the object's policy.
    pub(crate) fn opt(&mut self, key: &'static str) -> Result<Option<Value>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Null) => match self.nulls {
                Nulls::Reject => Err(Error::Null {
                    field: self.field(key),
                }),
                Nulls::Remember => {
                    self.seen_null.push(key);
                    Ok(None)
                }
            },
            Some(v) => Ok(Some(v)),
        }
    }

    /// Removes a required field.
    pub(crate) fn req(&mut self, key: &'static str) -> Result<Value> {
        match self.map.remove(key) {
            None => Err(Error::MissingField {
                field: self.field(key),
            }),
            Some(Value::Null) => Err(Error::Null {
                field: self.field(key),
            }),
            Some(v) => Ok(v),
        }
    }

    pub(crate) fn str(&mut self, key: &'static str) -> Result<String> {
        let v = self.req(key)?;
        as_string(v, &self.field(key))
    }

    pub(crate) fn opt_str(&mut self, key: &'static str) -> Result<Option<String>> {
        let field = self.field(key);
        self.opt(key)?.map(|v| as_string(v, &field)).transpose()
    }

    /// A bytes field that must be present and non-empty.
    pub(crate) fn bytes(&mut self, key: &'static str) -> Result<Vec<u8>> {
        let v = self.req(key)?;
        nonempty_bytes(v, &self.field(key))
    }

    /// A bytes field that must be present but may be empty.
    pub(crate) fn bytes_maybe_empty(&mut self, key: &'static str) -> Result<Vec<u8>> {
        let v = self.req(key)?;
        let field = self.field(key);
        decode_b64(&as_string(v, &field)?, &field)
    }

    pub(crate) fn opt_bytes(&mut self, key: &'static str) -> Result<Option<Vec<u8>>> {
        let field = self.field(key);
        self.opt(key)?
            .map(|v| nonempty_bytes(v, &field))
            .transpose()
    }

    /// An int64 field with proto3 default semantics: an absent field is the default value 0
    /// (proto3 JSON writers such as sigstore-js omit zero values). Present values get the same
    /// strict checks as [`parse_int64`].
    pub(crate) fn int64_or_zero(&mut self, key: &'static str) -> Result<i64> {
        Ok(self.opt_int64(key)?.unwrap_or(0))
    }

    pub(crate) fn opt_int64(&mut self, key: &'static str) -> Result<Option<i64>> {
        let field = self.field(key);
        self.opt(key)?.map(|v| parse_int64(&v, &field)).transpose()
    }

    /// A JSON array field (required), each element converted by `f(element, path)`.
    pub(crate) fn list<T>(
        &mut self,
        key: &'static str,
        f: impl Fn(Value, &str) -> Result<T>,
    ) -> Result<Vec<T>> {
        let v = self.req(key)?;
        let field = self.field(key);
        list_of(v, &field, f)
    }

    /// A JSON array field that may be absent (reads as empty).
    pub(crate) fn opt_list<T>(
        &mut self,
        key: &'static str,
        f: impl Fn(Value, &str) -> Result<T>,
    ) -> Result<Vec<T>> {
        let field = self.field(key);
        match self.opt(key)? {
            None => Ok(Vec::new()),
            Some(v) => list_of(v, &field, f),
        }
    }
}

pub(crate) fn list_of<T>(
    v: Value,
    field: &str,
    f: impl Fn(Value, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let Value::Array(items) = v else {
        return Err(Error::Type {
            field: field.to_owned(),
            expected: "an array",
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| f(item, &indexed(field, i)))
        .collect()
}

pub(crate) fn as_string(v: Value, field: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err(Error::Type {
            field: field.to_owned(),
            expected: "a string",
        }),
    }
}

/// Decodes strict standard base64 with padding: no URL-safe alphabet, no whitespace, canonical
/// padding and zero trailing bits (so re-encoding reproduces the input exactly).
pub(crate) fn decode_b64(s: &str, field: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| Error::Base64 {
            field: field.to_owned(),
        })
}

pub(crate) fn encode_b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

pub(crate) fn nonempty_bytes(v: Value, field: &str) -> Result<Vec<u8>> {
    let b = decode_b64(&as_string(v, field)?, field)?;
    if b.is_empty() {
        return Err(Error::EmptyBytes {
            field: field.to_owned(),
        });
    }
    Ok(b)
}

/// Parses a protobuf int64 in its JSON form: a string of ASCII decimal digits, no sign, no
/// leading zeros, at most `i64::MAX`.
pub(crate) fn parse_int64(v: &Value, field: &str) -> Result<i64> {
    let err = |problem, found: String| Error::Integer {
        field: field.to_owned(),
        found,
        problem,
    };
    let Value::String(s) = v else {
        return Err(err(IntegerProblem::NotAString, v.to_string()));
    };
    if let Some(rest) = s.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(IntegerProblem::Negative, s.clone()));
        }
        return Err(err(IntegerProblem::NotDecimal, s.clone()));
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(IntegerProblem::NotDecimal, s.clone()));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(err(IntegerProblem::LeadingZero, s.clone()));
    }
    s.parse::<i64>()
        .map_err(|_| err(IntegerProblem::Overflow, s.clone()))
}

/// Reads a protobuf enum field: must be a JSON string naming one of `names`.
pub(crate) fn enum_name(v: Value, field: &str, names: &[&'static str]) -> Result<&'static str> {
    match v {
        Value::Number(_) => Err(Error::NumericEnum {
            field: field.to_owned(),
        }),
        Value::String(s) => {
            names
                .iter()
                .find(|n| **n == s)
                .copied()
                .ok_or(Error::UnknownEnumValue {
                    field: field.to_owned(),
                    found: s,
                })
        }
        other => Err(Error::Type {
            field: field.to_owned(),
            expected: if type_name(&other) == "null" {
                "a string"
            } else {
                "a string enum name"
            },
        }),
    }
}

/// Keys of an object that were written as explicit JSON `null` in the parsed document.
///
/// Protobuf JSON treats `null` like an absent field. Some published trust roots write
/// `"operator": null`; remembering those keys lets serialization reproduce the input exactly.
/// Values built in code leave this empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonNulls(pub(crate) Vec<&'static str>);

impl JsonNulls {
    /// No explicit nulls.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether `key` was an explicit `null`.
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains(&key)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// An output JSON tree whose objects keep the protobuf field order.
pub(crate) enum Out {
    Null,
    Str(String),
    U64(u64),
    Arr(Vec<Out>),
    Obj(Vec<(String, Out)>),
    Raw(Value),
}

impl Serialize for Out {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Out::Null => s.serialize_unit(),
            Out::Str(v) => s.serialize_str(v),
            Out::U64(v) => s.serialize_u64(*v),
            Out::Raw(v) => v.serialize(s),
            Out::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Out::Obj(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Builds an [`Out::Obj`].
#[derive(Default)]
pub(crate) struct ObjOut(Vec<(String, Out)>);

impl ObjOut {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    pub(crate) fn put(mut self, key: &str, v: Out) -> Self {
        self.0.push((key.to_owned(), v));
        self
    }
    pub(crate) fn str(self, key: &str, v: &str) -> Self {
        self.put(key, Out::Str(v.to_owned()))
    }
    pub(crate) fn bytes(self, key: &str, v: &[u8]) -> Self {
        self.put(key, Out::Str(encode_b64(v)))
    }
    pub(crate) fn int64(self, key: &str, v: i64) -> Self {
        self.put(key, Out::Str(v.to_string()))
    }
    /// Writes `v` if present, else `null` if the parsed input had an explicit null there.
    pub(crate) fn opt(self, key: &'static str, v: Option<Out>, nulls: &JsonNulls) -> Self {
        match v {
            Some(v) => self.put(key, v),
            None if nulls.contains(key) => self.put(key, Out::Null),
            None => self,
        }
    }
    pub(crate) fn done(self) -> Out {
        Out::Obj(self.0)
    }
}

/// Serializes an output tree to compact JSON text.
pub(crate) fn to_vec(out: &Out) -> Vec<u8> {
    // Serializing an `Out` to a Vec cannot fail: every key is a string and every number finite.
    serde_json::to_vec(out).unwrap_or_default()
}

/// Serializes an output tree to pretty-printed JSON text.
pub(crate) fn to_vec_pretty(out: &Out) -> Vec<u8> {
    serde_json::to_vec_pretty(out).unwrap_or_default()
}

/// Converts an output tree to a `serde_json::Value`.
pub(crate) fn to_value(out: &Out) -> Value {
    serde_json::to_value(out).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths() {
        assert_eq!(join("", "tlogs"), "tlogs");
        assert_eq!(
            join("verificationMaterial", "tlogEntries"),
            "verificationMaterial.tlogEntries"
        );
        assert_eq!(indexed("tlogs", 0), "tlogs[0]");
        assert_eq!(indexed("a.b", 1234), "a.b[1234]");
    }

    #[test]
    fn caps_by_path() {
        let path = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            cap_for(
                DocKind::Bundle,
                &path(&["verificationMaterial", "tlogEntries"])
            ),
            Some(MAX_TLOG_ENTRIES)
        );
        assert_eq!(
            cap_for(
                DocKind::ClientTrustConfig,
                &path(&[
                    "trustedRoot",
                    "certificateAuthorities",
                    "certChain",
                    "certificates"
                ])
            ),
            Some(MAX_CHAIN_CERTIFICATES)
        );
        assert_eq!(cap_for(DocKind::Bundle, &path(&["mediaType"])), None);
        // Deeper than any capped list: no cap, no panic.
        assert_eq!(cap_for(DocKind::Bundle, &path(&["x"; 12])), None);
    }
}
