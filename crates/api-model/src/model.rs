//! The service model as botocore ships it (`service-2.json`), read with serde and compiled into
//! shapes that the validator walks: members in the model's order, bounds, enums and patterns
//! compiled once.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use serde::Deserialize;

/// Why a model text could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The text is not a botocore service model (JSON syntax or a field of the wrong form).
    #[error("not a botocore service model: {0}")]
    Syntax(#[from] serde_json::Error),
    /// A shape refers to a shape the model does not define.
    #[error("shape {from} refers to the undefined shape {to}")]
    UndefinedShape {
        /// The shape (or operation) holding the reference.
        from: String,
        /// The missing shape's name.
        to: String,
    },
    /// A shape's type is not one of botocore's shape types.
    #[error("shape {shape} has the unknown type {kind}")]
    UnknownType {
        /// The shape's name.
        shape: String,
        /// The type the model gives.
        kind: String,
    },
    /// A `pattern` trait does not compile (Java-style regexes, compiled with `fancy-regex`).
    #[error("shape {shape}: pattern {pattern} does not compile: {reason}")]
    Pattern {
        /// The shape's name.
        shape: String,
        /// The pattern as the model writes it.
        pattern: String,
        /// The regex engine's complaint.
        reason: String,
    },
}

#[derive(Deserialize)]
struct RawModel {
    operations: BTreeMap<String, RawOperation>,
    shapes: IndexMap<String, RawShape>,
}

#[derive(Deserialize)]
struct RawOperation {
    name: String,
    input: Option<RawRef>,
    #[serde(default)]
    errors: Vec<RawRef>,
    documentation: Option<String>,
}

#[derive(Deserialize)]
struct RawRef {
    shape: String,
}

#[derive(Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    members: IndexMap<String, RawRef>,
    #[serde(default)]
    required: Vec<String>,
    member: Option<RawRef>,
    key: Option<RawRef>,
    value: Option<RawRef>,
    min: Option<f64>,
    max: Option<f64>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    enum_values: Option<Vec<String>>,
    #[serde(default)]
    sensitive: bool,
}

/// Index of a shape in its [`Model`].
pub(crate) type ShapeId = usize;

/// One action of the API (`StartExecution`, ...), as the model describes it.
#[derive(Debug)]
pub struct Operation {
    name: String,
    pub(crate) input: Option<ShapeId>,
    input_members: Vec<InputMember>,
    errors: Vec<String>,
    documentation: Option<String>,
}

impl Operation {
    /// The action's name, as in `X-Amz-Target: AWSStepFunctions.<name>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The error codes (`__type`) the model documents for this action, in the model's order.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// The model's documentation of the action (HTML, as botocore ships it).
    pub fn documentation(&self) -> Option<&str> {
        self.documentation.as_deref()
    }

    /// The top-level members of the action's input, in the model's order (empty for an action
    /// without input). `sensitive` members (`definition`, `input`, `output`, `cause`, ...) are
    /// those AWS never prints; a server should keep them out of its logs too.
    pub fn input_members(&self) -> &[InputMember] {
        &self.input_members
    }
}

/// A top-level member of an action's input, as the model describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputMember {
    /// The member's name in the JSON body (`stateMachineArn`).
    pub name: String,
    /// The model's shape name for its value (`Arn`).
    pub shape: String,
    /// Whether the member must be present (and not `null`).
    pub required: bool,
    /// Whether the value's shape is `sensitive`.
    pub sensitive: bool,
}

/// A member of a structure: its name on the wire and the shape of its value.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) shape: ShapeId,
    pub(crate) required: bool,
}

/// What a shape is, with the constraints that belong to its kind.
#[derive(Debug)]
pub(crate) enum Kind {
    Structure {
        members: Vec<Member>,
    },
    List {
        member: ShapeId,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
    },
    String {
        enum_values: Option<Vec<String>>,
        pattern: Option<Pattern>,
    },
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
}

/// A `pattern` trait: the model's Java regular expression and the compiled matcher.
///
/// AWS's validator matches the whole value (Java `Pattern.matches`): the models write unanchored
/// patterns such as `\p{ASCII}*` that only mean something that way. The pattern is compiled with
/// the `fancy-regex` crate (look-ahead, as in `^(?=.*[a-zA-Z_\-\.])...`) wrapped in `\A(?:...)\z`.
/// Java and Rust regexes agree on every pattern of the vendored model (the tests check them); they
/// differ in corners the model does not use (`.` and `\r`, POSIX classes such as `\p{Alpha}`).
#[derive(Debug)]
pub(crate) struct Pattern {
    pub(crate) source: String,
    regex: fancy_regex::Regex,
}

/// Backtracking steps one match may take. The patterns are linear in practice; a value that
/// needs more is reported as not matching rather than tying up the server.
const BACKTRACK_LIMIT: usize = 100_000;

impl Pattern {
    fn compile(shape: &str, source: &str) -> Result<Self, ModelError> {
        let regex = fancy_regex::RegexBuilder::new(&format!(r"\A(?:{source})\z"))
            .backtrack_limit(BACKTRACK_LIMIT)
            .build()
            .map_err(|e| ModelError::Pattern {
                shape: shape.to_owned(),
                pattern: source.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            source: source.to_owned(),
            regex,
        })
    }

    /// Whether the whole value matches; a match that exceeds the backtracking limit does not.
    pub(crate) fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value).unwrap_or(false)
    }
}

/// A shape of the model: a name, a kind, length or value bounds, sensitivity.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    /// `"sensitive": true`: AWS never prints the value (see `crate::render`).
    pub(crate) sensitive: bool,
}

/// A compiled service model. [`crate::model()`] gives the vendored Step Functions model;
/// [`Model::from_json`] loads any botocore `service-2.json` (tests use small ones).
#[derive(Debug)]
pub struct Model {
    operations: BTreeMap<String, Operation>,
    pub(crate) shapes: Vec<Shape>,
}

impl Model {
    /// Reads a botocore service model (`botocore/data/<service>/<version>/service-2.json`).
    ///
    /// # Errors
    /// [`ModelError`] when the text is not such a model, refers to undefined shapes or holds a
    /// pattern that does not compile.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let raw: RawModel = serde_json::from_str(text)?;
        let ids: HashMap<&str, ShapeId> = raw
            .shapes
            .keys()
            .enumerate()
            .map(|(i, name)| (name.as_str(), i))
            .collect();
        let lookup = |from: &str, to: &RawRef| {
            ids.get(to.shape.as_str())
                .copied()
                .ok_or_else(|| ModelError::UndefinedShape {
                    from: from.to_owned(),
                    to: to.shape.clone(),
                })
        };
        let mut shapes = Vec::with_capacity(raw.shapes.len());
        for (name, shape) in &raw.shapes {
            shapes.push(compile_shape(name, shape, &lookup)?);
        }
        let mut operations = BTreeMap::new();
        for (key, op) in raw.operations {
            let input = op.input.as_ref().map(|r| lookup(&key, r)).transpose()?;
            let errors = op.errors.into_iter().map(|r| r.shape).collect();
            let input_members = input
                .map(|id| input_members(&shapes, id))
                .unwrap_or_default();
            operations.insert(
                key,
                Operation {
                    name: op.name,
                    input,
                    input_members,
                    errors,
                    documentation: op.documentation,
                },
            );
        }
        Ok(Self { operations, shapes })
    }

    /// The actions the model defines, in alphabetical order.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations.values()
    }

    /// One action by its name (`"StartExecution"`), if the model defines it.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    pub(crate) fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id]
    }
}

fn input_members(shapes: &[Shape], input: ShapeId) -> Vec<InputMember> {
    let Kind::Structure { members } = &shapes[input].kind else {
        return Vec::new();
    };
    members
        .iter()
        .map(|m| InputMember {
            name: m.name.clone(),
            shape: shapes[m.shape].name.clone(),
            required: m.required,
            sensitive: shapes[m.shape].sensitive,
        })
        .collect()
}

fn compile_shape(
    name: &str,
    raw: &RawShape,
    lookup: &impl Fn(&str, &RawRef) -> Result<ShapeId, ModelError>,
) -> Result<Shape, ModelError> {
    let reference = |r: &Option<RawRef>, what: &str| match r {
        Some(r) => lookup(name, r),
        None => Err(ModelError::UndefinedShape {
            from: name.to_owned(),
            to: what.to_owned(),
        }),
    };
    let kind = match raw.kind.as_str() {
        "structure" => Kind::Structure {
            members: raw
                .members
                .iter()
                .map(|(member, r)| {
                    Ok(Member {
                        name: member.clone(),
                        shape: lookup(name, r)?,
                        required: raw.required.iter().any(|m| m == member),
                    })
                })
                .collect::<Result<_, ModelError>>()?,
        },
        "list" => Kind::List {
            member: reference(&raw.member, "(list member)")?,
        },
        "map" => Kind::Map {
            key: reference(&raw.key, "(map key)")?,
            value: reference(&raw.value, "(map value)")?,
        },
        "string" => Kind::String {
            enum_values: raw.enum_values.clone(),
            pattern: raw
                .pattern
                .as_deref()
                .map(|p| Pattern::compile(name, p))
                .transpose()?,
        },
        "integer" => Kind::Integer,
        "long" => Kind::Long,
        "float" => Kind::Float,
        "double" => Kind::Double,
        "boolean" => Kind::Boolean,
        "timestamp" => Kind::Timestamp,
        "blob" => Kind::Blob,
        other => {
            return Err(ModelError::UnknownType {
                shape: name.to_owned(),
                kind: other.to_owned(),
            })
        }
    };
    Ok(Shape {
        name: name.to_owned(),
        kind,
        min: raw.min,
        max: raw.max,
        sensitive: raw.sensitive,
    })
}
