//! Strict JSON reading (duplicate keys, depth, list caps, size) into a tree that borrows its
//! keys and strings from the input, the typed field helpers shared by every model, plus an
//! order-preserving writer.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;
use serde_json::Value;

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
    /// An in-toto Statement whose top-level `predicate` is checked and not kept (it becomes
    /// [`Json::Unread`]; read by [`crate::StatementJson`]).
    StatementText,
}

/// The cap for the list (or, for in-toto digests, the object) at `path`.
fn cap_for(kind: DocKind, path: &[Cow<'_, str>]) -> Option<usize> {
    // No capped list lies deeper than five keys; no allocation for the lookup.
    let mut buf = [""; 8];
    for (slot, key) in buf.iter_mut().zip(path) {
        *slot = key.as_ref();
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
        DocKind::Statement | DocKind::StatementText => match p {
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

/// A parsed JSON value. Strings and object keys borrow from the input when it holds them
/// without escapes (so reading a document allocates little beyond its arrays and objects);
/// objects keep their members in document order, and their keys are unique (the reader refuses
/// duplicates).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
    /// A value that was read with every check (depth, duplicate keys, syntax) but not kept:
    /// only the top-level `predicate` of a [`DocKind::StatementText`] document, which is never
    /// converted (its text stays with the caller).
    Unread,
}

impl Json<'_> {
    /// The value as an unsigned integer, if it is a JSON number that is one.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value` (for the in-toto fields kept as raw JSON).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => Value::Number(n),
            Json::String(s) => Value::String(s.into_owned()),
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_value()))
                    .collect(),
            ),
            // Never converted (see the variant); null rather than a panic if it ever were.
            Json::Unread => Value::Null,
        }
    }

    /// The value written back as compact JSON text (for error messages).
    fn to_text(&self) -> String {
        self.clone().into_value().to_string()
    }
}

/// Objects up to this many members are checked for a duplicate key by a linear scan; past it
/// the keys seen so far go into a sorted set, so a huge object costs `n log n`, not `n^2`.
const LINEAR_KEY_SCAN: usize = 16;

struct Ctx<'de> {
    kind: DocKind,
    /// Object keys from the root to the current value (array levels are not recorded).
    path: RefCell<Vec<Cow<'de, str>>>,
    /// The typed error behind a `serde_json` custom error, if any.
    err: RefCell<Option<Error>>,
    /// The keys of the objects [`Check`] is reading, innermost object's last.
    keys: RefCell<Vec<Cow<'de, str>>>,
}

impl Ctx<'_> {
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

    /// Refuses an array or object that would sit at `depth` or deeper than [`MAX_JSON_DEPTH`].
    fn enter<E: de::Error>(&self, depth: usize) -> std::result::Result<(), E> {
        if depth >= MAX_JSON_DEPTH {
            return Err(self.fail(Error::TooDeep {
                max: MAX_JSON_DEPTH,
            }));
        }
        Ok(())
    }
}

/// Builds a [`Json`] tree while enforcing the limits.
struct Node<'c, 'de> {
    ctx: &'c Ctx<'de>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_, 'de> {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

/// A seed that refuses to parse: used for the element past a cap, so that the cap is reported
/// before that element is read.
struct Reject<'c, 'de> {
    ctx: &'c Ctx<'de>,
    max: usize,
}

impl<'de> DeserializeSeed<'de> for Reject<'_, 'de> {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        _d: D,
    ) -> std::result::Result<Json<'de>, D::Error> {
        let what = self.ctx.path_text();
        Err(self.ctx.fail(Error::TooMany {
            what,
            max: self.max,
        }))
    }
}

/// Reads one object key, borrowed from the input when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de> Visitor<'de> for Node<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Json<'de>, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json<'de>, A::Error> {
        let ctx = self.ctx;
        ctx.enter(self.depth)?;
        let cap = ctx.cap();
        let mut out = Vec::new();
        loop {
            if let Some(max) = cap {
                if out.len() >= max {
                    // Refuse the next element without parsing it; end of list is fine.
                    return match seq.next_element_seed(Reject { ctx, max })? {
                        None => Ok(Json::Array(out)),
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
                None => return Ok(Json::Array(out)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json<'de>, A::Error> {
        let ctx = self.ctx;
        ctx.enter(self.depth)?;
        let cap = ctx.cap();
        let mut out: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        // Keys seen so far, once the object outgrows the linear scan.
        let mut seen: Option<BTreeSet<Cow<'de, str>>> = None;
        loop {
            if let Some(max) = cap {
                if out.len() >= max {
                    return match map.next_key_seed(Reject { ctx, max })? {
                        None => Ok(Json::Object(out)),
                        Some(_) => Err(ctx.fail(Error::TooMany {
                            what: ctx.path_text(),
                            max,
                        })),
                    };
                }
            }
            let Some(key) = map.next_key_seed(Key)? else {
                return Ok(Json::Object(out));
            };
            if repeats(&mut seen, out.iter().map(|(k, _)| k), &key) {
                let field = ctx.path_text();
                return Err(ctx.fail(Error::DuplicateKey {
                    field,
                    key: key.into_owned(),
                }));
            }
            // The key is on the path while its value is read (nested values push and pop in
            // pairs, so the pop takes this key back off).
            ctx.path.borrow_mut().push(key.clone());
            let value =
                if self.depth == 0 && ctx.kind == DocKind::StatementText && key == "predicate" {
                    map.next_value_seed(Check {
                        ctx,
                        depth: self.depth + 1,
                    })
                } else {
                    map.next_value_seed(Node {
                        ctx,
                        depth: self.depth + 1,
                    })
                };
            ctx.path.borrow_mut().pop();
            out.push((key, value?));
        }
    }
}

/// Whether `key` repeats one of the keys read before it in the same object (`earlier`, in
/// document order). Up to [`LINEAR_KEY_SCAN`] keys are scanned; past that they go into
/// `seen`, which later calls use instead of `earlier`.
// `key` is a `Cow` so that the set takes a copy that borrows from the input like the key does.
#[allow(clippy::ptr_arg)]
fn repeats<'k, 'de: 'k>(
    seen: &mut Option<BTreeSet<Cow<'de, str>>>,
    earlier: impl ExactSizeIterator<Item = &'k Cow<'de, str>> + Clone,
    key: &Cow<'de, str>,
) -> bool {
    if let Some(set) = seen {
        return !set.insert(key.clone());
    }
    let found = earlier.clone().any(|k| k == key);
    if !found && earlier.len() >= LINEAR_KEY_SCAN {
        let mut set: BTreeSet<Cow<'de, str>> = earlier.cloned().collect();
        set.insert(key.clone());
        *seen = Some(set);
    }
    found
}

/// Reads a value with the checks of [`Node`] (depth, duplicate keys, syntax) and keeps
/// nothing: [`Json::Null`] for `null` (so a null field is still refused as one), else
/// [`Json::Unread`]. No list caps apply inside it (it reads the in-toto predicate, which has
/// none).
struct Check<'c, 'de> {
    ctx: &'c Ctx<'de>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Check<'_, 'de> {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Unread)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Unread)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Unread)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Unread)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Unread)
    }
    fn visit_unit<E>(self) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json<'de>, A::Error> {
        let ctx = self.ctx;
        ctx.enter(self.depth)?;
        while seq
            .next_element_seed(Check {
                ctx,
                depth: self.depth + 1,
            })?
            .is_some()
        {}
        Ok(Json::Unread)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json<'de>, A::Error> {
        let ctx = self.ctx;
        ctx.enter(self.depth)?;
        // This object's keys sit at the top of the shared stack, from `start` (nested
        // objects push theirs above and take them off again).
        let start = ctx.keys.borrow().len();
        let mut seen: Option<BTreeSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key_seed(Key)? {
            let repeated = {
                let keys = ctx.keys.borrow();
                repeats(
                    &mut seen,
                    keys.get(start..).unwrap_or_default().iter(),
                    &key,
                )
            };
            if repeated {
                let field = ctx.path_text();
                return Err(ctx.fail(Error::DuplicateKey {
                    field,
                    key: key.into_owned(),
                }));
            }
            ctx.path.borrow_mut().push(key.clone());
            let value = map.next_value_seed(Check {
                ctx,
                depth: self.depth + 1,
            });
            ctx.path.borrow_mut().pop();
            if let Err(e) = value {
                ctx.keys.borrow_mut().truncate(start);
                return Err(e);
            }
            if seen.is_none() {
                ctx.keys.borrow_mut().push(key);
            }
        }
        ctx.keys.borrow_mut().truncate(start);
        Ok(Json::Unread)
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
pub(crate) fn parse_document(input: &[u8], kind: DocKind, max_bytes: usize) -> Result<Json<'_>> {
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
        keys: RefCell::new(Vec::new()),
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
) -> std::result::Result<Json<'de>, (Option<Error>, D::Error)> {
    let ctx = Ctx {
        kind,
        path: RefCell::new(Vec::new()),
        err: RefCell::new(None),
        keys: RefCell::new(Vec::new()),
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
/// Field paths for error messages are built only when an error needs one.
pub(crate) struct Obj<'a, 'p> {
    /// The members not taken yet (keys unique, all in the allowed list).
    members: Vec<(Cow<'a, str>, Json<'a>)>,
    /// Where this object sits (rendered only for an error).
    path: Path<'p>,
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

/// Where a value sits in its document; rendered as text only for an error. Readers build it
/// on the stack as they descend (a parent is borrowed, never copied), so reading a valid
/// document formats and allocates no paths.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'p> {
    /// The document itself.
    Root,
    /// The member `key` of the object at the parent path.
    Key(&'p Path<'p>, &'p str),
    /// The element at an index of the array at the parent path.
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    /// The path of the member `key` of the object at this path.
    pub(crate) fn key<'k>(&'k self, key: &'k str) -> Path<'k>
    where
        'p: 'k,
    {
        Path::Key(self, key)
    }

    /// The path as text: `a.b[3].c`, with keys joined by `.` (no leading `.` after the root)
    /// and indexes as `[i]`; the root is the empty string.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// [`render`](Self::render), but `$` for the root (how an object names itself in errors).
    fn render_object(&self) -> String {
        let text = self.render();
        if text.is_empty() {
            "$".to_owned()
        } else {
            text
        }
    }

    /// Appends the text of this path to `out` (see [`render`](Self::render)).
    fn write_to(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write_to(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, index) => {
                parent.write_to(out);
                // Writing into a String cannot fail.
                let _ = write!(out, "[{index}]");
            }
        }
    }
}

impl<'a, 'p> Obj<'a, 'p> {
    /// Takes `value` as an object at `path` whose keys must all be in `allowed`.
    pub(crate) fn new(
        value: Json<'a>,
        path: Path<'p>,
        allowed: &'static [&'static str],
        nulls: Nulls,
    ) -> Result<Self> {
        let here = || path.render_object();
        let Json::Object(members) = value else {
            return Err(Error::Type {
                field: here(),
                expected: "an object",
            });
        };
        for (key, _) in &members {
            if !allowed.contains(&key.as_ref()) {
                let camel = to_camel(key);
                if key.contains('_') && camel != *key && allowed.contains(&camel.as_str()) {
                    return Err(Error::NonCamelCaseKey {
                        field: here(),
                        key: key.clone().into_owned(),
                    });
                }
                return Err(Error::UnknownField {
                    field: here(),
                    key: key.clone().into_owned(),
                });
            }
        }
        Ok(Self {
            members,
            path,
            nulls,
            seen_null: Vec::new(),
        })
    }

    /// This object's path (a copy, so that children's paths can borrow it while the object
    /// is read on).
    pub(crate) fn at(&self) -> Path<'p> {
        self.path
    }

    /// Path of the field `key` of this object, as text (for an error).
    pub(crate) fn field(&self, key: &str) -> String {
        self.path.key(key).render()
    }

    /// Keys that held an explicit `null` (only with [`Nulls::Remember`]).
    pub(crate) fn nulls(&self) -> JsonNulls {
        JsonNulls(self.seen_null.clone())
    }

    /// Takes the member `key` out, if present.
    fn take(&mut self, key: &str) -> Option<Json<'a>> {
        let at = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.swap_remove(at).1)
    }

    /// Removes an optional field; `null` handling per the object's policy.
    pub(crate) fn opt(&mut self, key: &'static str) -> Result<Option<Json<'a>>> {
        match self.take(key) {
            None => Ok(None),
            Some(Json::Null) => match self.nulls {
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
    pub(crate) fn req(&mut self, key: &'static str) -> Result<Json<'a>> {
        match self.take(key) {
            None => Err(Error::MissingField {
                field: self.field(key),
            }),
            Some(Json::Null) => Err(Error::Null {
                field: self.field(key),
            }),
            Some(v) => Ok(v),
        }
    }

    pub(crate) fn str(&mut self, key: &'static str) -> Result<String> {
        let v = self.req(key)?;
        string_with(v, || self.field(key))
    }

    pub(crate) fn opt_str(&mut self, key: &'static str) -> Result<Option<String>> {
        match self.opt(key)? {
            Some(v) => string_with(v, || self.field(key)).map(Some),
            None => Ok(None),
        }
    }

    /// A bytes field that must be present and non-empty.
    pub(crate) fn bytes(&mut self, key: &'static str) -> Result<Vec<u8>> {
        let v = self.req(key)?;
        bytes_with(&v, true, || self.field(key))
    }

    /// A bytes field that must be present but may be empty.
    pub(crate) fn bytes_maybe_empty(&mut self, key: &'static str) -> Result<Vec<u8>> {
        let v = self.req(key)?;
        bytes_with(&v, false, || self.field(key))
    }

    pub(crate) fn opt_bytes(&mut self, key: &'static str) -> Result<Option<Vec<u8>>> {
        match self.opt(key)? {
            Some(v) => bytes_with(&v, true, || self.field(key)).map(Some),
            None => Ok(None),
        }
    }

    /// An int64 field with proto3 default semantics: an absent field is the default value 0
    /// (proto3 JSON writers such as sigstore-js omit zero values). Present values get the same
    /// strict checks as [`int64_with`].
    pub(crate) fn int64_or_zero(&mut self, key: &'static str) -> Result<i64> {
        Ok(self.opt_int64(key)?.unwrap_or(0))
    }

    pub(crate) fn opt_int64(&mut self, key: &'static str) -> Result<Option<i64>> {
        match self.opt(key)? {
            Some(v) => int64_with(&v, || self.field(key)).map(Some),
            None => Ok(None),
        }
    }

    /// A JSON array field (required), each element converted by `f(element, path)`.
    pub(crate) fn list<T>(
        &mut self,
        key: &'static str,
        f: impl Fn(Json<'a>, Path<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let v = self.req(key)?;
        list_of(v, self.path.key(key), f)
    }

    /// A JSON array field that may be absent (reads as empty).
    pub(crate) fn opt_list<T>(
        &mut self,
        key: &'static str,
        f: impl Fn(Json<'a>, Path<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self.opt(key)? {
            None => Ok(Vec::new()),
            Some(v) => list_of(v, self.path.key(key), f),
        }
    }
}

/// Reads the JSON array at `path`, each element converted by `f(element, its path)`.
pub(crate) fn list_of<'a, T>(
    v: Json<'a>,
    path: Path<'_>,
    f: impl Fn(Json<'a>, Path<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let Json::Array(items) = v else {
        return Err(Error::Type {
            field: path.render(),
            expected: "an array",
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| f(item, Path::Index(&path, i)))
        .collect()
}

/// Reads a string field at `path`.
pub(crate) fn as_string(v: Json<'_>, path: Path<'_>) -> Result<String> {
    string_with(v, || path.render())
}

/// [`as_string`], with the field path built by `at` only for an error (every field read goes
/// through these `_with` checks; their path is only needed when one fails).
fn string_with(v: Json<'_>, at: impl FnOnce() -> String) -> Result<String> {
    match v {
        Json::String(s) => Ok(s.into_owned()),
        _ => Err(Error::Type {
            field: at(),
            expected: "a string",
        }),
    }
}

pub(crate) fn encode_b64(b: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(b)
}

/// Reads a bytes field at `path` that must be non-empty.
pub(crate) fn nonempty_bytes(v: Json<'_>, path: Path<'_>) -> Result<Vec<u8>> {
    bytes_with(&v, true, || path.render())
}

/// A base64 string field, non-empty if `nonempty`, with the field path built by `at` only for
/// an error. Strict standard base64 with padding: no URL-safe alphabet, no whitespace,
/// canonical padding and zero trailing bits (so re-encoding reproduces the input exactly).
fn bytes_with(v: &Json<'_>, nonempty: bool, at: impl Fn() -> String) -> Result<Vec<u8>> {
    let Json::String(s) = v else {
        return Err(Error::Type {
            field: at(),
            expected: "a string",
        });
    };
    let b = base64_simd::STANDARD
        .decode_to_vec(s.as_bytes())
        .map_err(|_| Error::Base64 { field: at() })?;
    if nonempty && b.is_empty() {
        return Err(Error::EmptyBytes { field: at() });
    }
    Ok(b)
}

/// The checks of [`int64_with`] without a field path: which problem, and the offending text.
fn int64_text(v: &Json<'_>) -> std::result::Result<i64, (IntegerProblem, String)> {
    let Json::String(s) = v else {
        return Err((IntegerProblem::NotAString, v.to_text()));
    };
    let fail = |problem| Err((problem, s.clone().into_owned()));
    if let Some(rest) = s.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return fail(IntegerProblem::Negative);
        }
        return fail(IntegerProblem::NotDecimal);
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return fail(IntegerProblem::NotDecimal);
    }
    if s.len() > 1 && s.starts_with('0') {
        return fail(IntegerProblem::LeadingZero);
    }
    match s.parse::<i64>() {
        Ok(n) => Ok(n),
        Err(_) => fail(IntegerProblem::Overflow),
    }
}

/// Parses a protobuf int64 in its JSON form: a string of ASCII decimal digits, no sign, no
/// leading zeros, at most `i64::MAX`; the field path is built by `at` only for an error.
fn int64_with(v: &Json<'_>, at: impl FnOnce() -> String) -> Result<i64> {
    int64_text(v).map_err(|(problem, found)| Error::Integer {
        field: at(),
        found,
        problem,
    })
}

/// Reads a protobuf enum field at `path`: must be a JSON string naming one of `names`.
pub(crate) fn enum_name(
    v: Json<'_>,
    path: Path<'_>,
    names: &[&'static str],
) -> Result<&'static str> {
    let field = || path.render();
    match v {
        Json::Number(_) => Err(Error::NumericEnum { field: field() }),
        Json::String(s) => {
            names
                .iter()
                .find(|n| **n == s)
                .copied()
                .ok_or_else(|| Error::UnknownEnumValue {
                    field: field(),
                    found: s.into_owned(),
                })
        }
        Json::Null => Err(Error::Type {
            field: field(),
            expected: "a string",
        }),
        _ => Err(Error::Type {
            field: field(),
            expected: "a string enum name",
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
        let root = Path::Root;
        assert_eq!(root.render(), "");
        assert_eq!(root.render_object(), "$");
        let tlogs = root.key("tlogs");
        assert_eq!(tlogs.render(), "tlogs");
        let vm = root.key("verificationMaterial");
        assert_eq!(
            vm.key("tlogEntries").render(),
            "verificationMaterial.tlogEntries"
        );
        assert_eq!(Path::Index(&tlogs, 0).render(), "tlogs[0]");
        let a = root.key("a");
        let a_b = a.key("b");
        assert_eq!(Path::Index(&a_b, 1234).render(), "a.b[1234]");
        // Only the root itself shows as `$`.
        assert_eq!(a_b.render_object(), "a.b");
        // The exact shape of the deepest paths a bundle reports.
        let entries = vm.key("tlogEntries");
        let entry = Path::Index(&entries, 0);
        let proof = entry.key("inclusionProof");
        let hashes = proof.key("hashes");
        assert_eq!(
            Path::Index(&hashes, 3).render(),
            "verificationMaterial.tlogEntries[0].inclusionProof.hashes[3]"
        );
    }

    fn parse(text: &str) -> Result<Json<'_>> {
        parse_document(text.as_bytes(), DocKind::Statement, 1 << 20)
    }

    #[test]
    fn strings_and_keys_borrow_unless_escaped() {
        let Json::Object(members) = parse(r#"{"plain":"text","esc\u0061ped":"a\nb"}"#).unwrap()
        else {
            panic!("not an object")
        };
        let [(k1, v1), (k2, v2)] = members.as_slice() else {
            panic!("two members expected")
        };
        assert!(matches!(k1, Cow::Borrowed("plain")));
        assert!(matches!(v1, Json::String(Cow::Borrowed("text"))));
        assert!(matches!(k2, Cow::Owned(k) if k == "escaped"));
        assert!(matches!(v2, Json::String(Cow::Owned(s)) if s == "a\nb"));
    }

    #[test]
    fn duplicate_keys_found_by_scan_and_by_set() {
        // An escaped spelling of a key is the same key.
        let e = parse(r#"{"a":1,"\u0061":2}"#).unwrap_err();
        assert!(
            matches!(e, Error::DuplicateKey { ref key, .. } if key == "a"),
            "{e:?}"
        );
        // Past the linear scan: 40 distinct keys, then a repeat of an early one.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let ok = format!("{{{}}}", keys.join(","));
        let Json::Object(members) = parse(&ok).unwrap() else {
            panic!("not an object")
        };
        assert_eq!(members.len(), 40);
        assert_eq!(members[39].0, "k39");
        for repeat in [0, 3, 16, 39] {
            let dup = format!("{{{},\"k{repeat}\":0}}", keys.join(","));
            let e = parse(&dup).unwrap_err();
            assert!(
                matches!(e, Error::DuplicateKey { ref key, .. } if *key == format!("k{repeat}")),
                "{e:?}"
            );
        }
        // The repeat right at the switch from scan to set.
        let at_switch: Vec<String> = (0..LINEAR_KEY_SCAN)
            .map(|i| format!("\"k{i}\":0"))
            .collect();
        let dup = format!("{{{},\"k0\":1}}", at_switch.join(","));
        assert!(
            matches!(parse(&dup).unwrap_err(), Error::DuplicateKey { ref key, .. } if key == "k0")
        );
    }

    #[test]
    fn tree_converts_to_the_same_serde_value() {
        let text = r#"{"z":[1,-2,3.5,true,null,"s\u00e9"],"a":{"b":{}},"m":18446744073709551615}"#;
        let ours = parse(text).unwrap().into_value();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(parse(r#""x""#).unwrap().as_u64(), None);
        assert_eq!(parse("7").unwrap().as_u64(), Some(7));
        assert_eq!(parse("[1]").unwrap().to_text(), "[1]");
    }

    /// A small deterministic generator of JSON texts for the differential test below.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        /// A JSON string literal for `text`, escaping some characters that need no escape.
        fn literal(&mut self, text: &str) -> String {
            let mut out = String::from("\"");
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '/' if self.below(2) == 0 => out.push_str("\\/"),
                    c if self.below(8) == 0 => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        fn text(&mut self) -> String {
            const PIECES: [&str; 10] = ["a", "b", "/", "\"", "\\", "\n", "é", "😀", "key", " "];
            (0..self.below(6))
                .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
                .collect()
        }
        fn space(&mut self) -> &'static str {
            [" ", "", "\n", "\t"][self.below(4) as usize]
        }
        /// A random value; with `dup`, one object somewhere repeats a key (if any object has
        /// two members), and the function says whether it did.
        fn value(&mut self, depth: usize, dup: &mut bool) -> String {
            let pick = if depth >= 4 {
                self.below(5)
            } else {
                self.below(7)
            };
            match pick {
                0 => "null".to_owned(),
                1 => ["true", "false"][self.below(2) as usize].to_owned(),
                2 => match self.below(4) {
                    0 => format!("{}", self.next() >> self.below(64)),
                    1 => format!("-{}", self.next() >> (1 + self.below(63))),
                    2 => format!("{}.{}", self.below(1000), self.below(1000)),
                    _ => format!("{}e{}", self.below(100), self.below(20)),
                },
                3 | 4 => {
                    let t = self.text();
                    self.literal(&t)
                }
                5 => {
                    let items: Vec<String> = (0..self.below(5))
                        .map(|_| self.value(depth + 1, dup))
                        .collect();
                    let sep = format!(",{}", self.space());
                    format!("[{}]", items.join(&sep))
                }
                _ => {
                    let n = self.below(6) as usize;
                    let mut keys: Vec<String> = Vec::new();
                    while keys.len() < n {
                        let k = self.text();
                        if !keys.contains(&k) {
                            keys.push(k);
                        }
                    }
                    if !*dup && keys.len() >= 2 && self.below(3) == 0 {
                        let k = keys[0].clone();
                        keys.push(k);
                        *dup = true;
                    }
                    let members: Vec<String> = keys
                        .iter()
                        .map(|k| {
                            let lit = self.literal(k);
                            let sp = self.space();
                            format!("{lit}{sp}:{}", self.value(depth + 1, dup))
                        })
                        .collect();
                    format!("{{{}}}", members.join(","))
                }
            }
        }
    }

    /// The reader's tree equals serde_json's own `Value` for random documents (escaped and
    /// unescaped strings and keys, every kind of number, nesting), and a repeated key, which
    /// serde_json's `Value` silently resolves, is refused.
    #[test]
    fn random_documents_match_serde_json() {
        let mut g = Gen(0x5eed_1234_abcd_ef01);
        let (mut compared, mut duplicates) = (0, 0);
        for _ in 0..3000 {
            let mut dup = false;
            let text = g.value(0, &mut dup);
            let theirs: Value = serde_json::from_str(&text).unwrap();
            match parse(&text) {
                Ok(ours) => {
                    assert!(!dup, "duplicate accepted: {text}");
                    assert_eq!(ours.into_value(), theirs, "{text}");
                    compared += 1;
                }
                Err(Error::DuplicateKey { .. }) => {
                    assert!(dup, "{text}");
                    duplicates += 1;
                }
                Err(e) => panic!("{e:?}: {text}"),
            }
        }
        assert!(
            compared > 1000 && duplicates > 100,
            "{compared} {duplicates}"
        );
    }

    #[test]
    fn caps_by_path() {
        let path = |p: &[&'static str]| p.iter().map(|s| Cow::Borrowed(*s)).collect::<Vec<_>>();
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
