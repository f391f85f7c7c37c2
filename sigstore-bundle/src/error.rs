//! The crate's error type.

use crate::bundle::BundleVersion;

/// What was wrong with an integer field (int64 fields are JSON strings holding decimal digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntegerProblem {
    /// The value was not a JSON string (for example a JSON number).
    NotAString,
    /// The string was empty or held something other than ASCII decimal digits.
    NotDecimal,
    /// The string had a leading zero (`"007"`).
    LeadingZero,
    /// The value was negative; every int64 field of these documents must be `>= 0`.
    Negative,
    /// The value is larger than `i64::MAX`.
    Overflow,
}

/// How many of a set of mutually exclusive forms were present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormCount {
    /// None of the forms was present.
    Neither,
    /// More than one form was present.
    Several,
}

/// The category of a JSON syntax error reported by `serde_json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// Malformed JSON text (bad token, bad escape, ...).
    Syntax,
    /// The input ended in the middle of a value (truncated JSON).
    Eof,
    /// Anything else `serde_json` reports.
    Other,
}

/// Every way parsing or structural checking can fail.
///
/// Field names in errors are JSON paths such as `verificationMaterial.tlogEntries[0].logIndex`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is longer than the document type's byte limit (checked before parsing).
    #[error("document of {found} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The input length.
        found: usize,
    },
    /// The input is not well-formed JSON (truncated, bad token, ...).
    #[error("malformed JSON ({kind:?}) at line {line}, column {column}")]
    Json {
        /// Category of the syntax error.
        kind: JsonErrorKind,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// Something other than whitespace follows the JSON document.
    #[error("trailing data after the JSON document at line {line}, column {column}")]
    TrailingData {
        /// 1-based line of the first trailing character.
        line: usize,
        /// 1-based column of the first trailing character.
        column: usize,
    },
    /// Objects and arrays are nested deeper than [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH).
    #[error("JSON nested deeper than {max} levels")]
    TooDeep {
        /// The depth limit.
        max: usize,
    },
    /// An object has the same key twice.
    #[error("duplicate key {key:?} in {field}")]
    DuplicateKey {
        /// Path of the object.
        field: String,
        /// The repeated key.
        key: String,
    },
    /// A list holds more elements than its named limit; reported before the extra element is parsed.
    #[error("too many {what}: the limit is {max}")]
    TooMany {
        /// What was counted (a JSON path).
        what: String,
        /// The limit.
        max: usize,
    },
    /// The `mediaType` is not one this crate understands (including unknown versions and `""`).
    #[error("unknown media type {found:?}")]
    UnknownMediaType {
        /// The media type found.
        found: String,
    },
    /// An object has a key the schema does not define.
    #[error("unknown field {key:?} in {field}")]
    UnknownField {
        /// Path of the object.
        field: String,
        /// The unknown key.
        key: String,
    },
    /// A key is spelled in snake_case where the protobuf JSON encoding uses lowerCamelCase.
    #[error("key {key:?} in {field} is not lowerCamelCase")]
    NonCamelCaseKey {
        /// Path of the object.
        field: String,
        /// The snake_case key.
        key: String,
    },
    /// A required field is absent.
    #[error("missing required field {field}")]
    MissingField {
        /// Path of the missing field.
        field: String,
    },
    /// A field is JSON `null` where this crate does not accept null.
    #[error("field {field} is null")]
    Null {
        /// Path of the field.
        field: String,
    },
    /// A field has the wrong JSON type.
    #[error("field {field} must be {expected}")]
    Type {
        /// Path of the field.
        field: String,
        /// The expected JSON type.
        expected: &'static str,
    },
    /// A bytes field is not strict standard base64 with padding (bad character, URL-safe
    /// alphabet, missing padding, whitespace, non-zero trailing bits).
    #[error("field {field} is not strict standard base64")]
    Base64 {
        /// Path of the field.
        field: String,
    },
    /// A bytes field that must carry data decodes to zero bytes.
    #[error("field {field} is empty")]
    EmptyBytes {
        /// Path of the field.
        field: String,
    },
    /// An int64 field is malformed.
    #[error("field {field} is not a valid non-negative int64 string ({problem:?}): {found}")]
    Integer {
        /// Path of the field.
        field: String,
        /// The offending JSON value, as text.
        found: String,
        /// What is wrong with it.
        problem: IntegerProblem,
    },
    /// An enum field holds a JSON number; enums must be their string names.
    #[error("enum field {field} must be a string name, not a number")]
    NumericEnum {
        /// Path of the field.
        field: String,
    },
    /// An enum field holds a name this crate does not know.
    #[error("unknown value {found:?} for enum field {field}")]
    UnknownEnumValue {
        /// Path of the field.
        field: String,
        /// The name found.
        found: String,
    },
    /// A timestamp is not an RFC 3339 date-time.
    #[error("field {field} is not an RFC 3339 timestamp: {found:?}")]
    Timestamp {
        /// Path of the field.
        field: String,
        /// The text found.
        found: String,
    },
    /// A bundle has both or neither of `messageSignature` and `dsseEnvelope`.
    #[error("bundle must have exactly one of messageSignature and dsseEnvelope ({found:?})")]
    ContentKind {
        /// Whether neither or both were present.
        found: FormCount,
    },
    /// Verification material has not exactly one of `x509CertificateChain`, `certificate`, `publicKey`.
    #[error("verification material must have exactly one of x509CertificateChain, certificate and publicKey ({found:?})")]
    VerificationMaterialKind {
        /// Whether none or several were present.
        found: FormCount,
    },
    /// A certificate chain has no certificates.
    #[error("certificate chain {field} is empty")]
    EmptyCertificateChain {
        /// Path of the chain.
        field: String,
    },
    /// The in-toto statement `_type` is not v0.1 or v1.
    #[error("unknown in-toto statement type {found:?}")]
    UnknownStatementType {
        /// The `_type` found.
        found: String,
    },
    /// The verification material form is not allowed for the bundle version
    /// (v0.1/v0.2 need `x509CertificateChain` or `publicKey`; v0.3 needs `certificate` or `publicKey`).
    #[error("verification material {form} is not allowed in a {version:?} bundle")]
    MaterialNotAllowedForVersion {
        /// The bundle version.
        version: BundleVersion,
        /// The form found (`x509CertificateChain` or `certificate`).
        form: &'static str,
    },
    /// A v0.1 bundle's tlog entry has no inclusion promise.
    #[error("tlog entry {index} of a v0.1 bundle has no inclusionPromise")]
    MissingInclusionPromise {
        /// Index in `tlogEntries`.
        index: usize,
    },
    /// A v0.2+ bundle's tlog entry has no inclusion proof.
    #[error("tlog entry {index} has no inclusionProof, required from bundle v0.2 on")]
    MissingInclusionProof {
        /// Index in `tlogEntries`.
        index: usize,
    },
    /// A v0.2+ bundle's inclusion proof has no checkpoint (or an empty one).
    #[error(
        "inclusion proof of tlog entry {index} has no checkpoint, required from bundle v0.2 on"
    )]
    MissingCheckpoint {
        /// Index in `tlogEntries`.
        index: usize,
    },
    /// A bundle's DSSE envelope does not carry exactly one signature.
    #[error("a bundle's DSSE envelope must have exactly one signature, found {found}")]
    DsseSignatureCount {
        /// The number of signatures found.
        found: usize,
    },
    /// Reading a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
