//! XML documents by shape: REST-XML bodies, and the responses of the Query protocols.
//!
//! Element names are the members' `locationName`s (else their names); lists are wrapped
//! (`<Tags><member>…</member></Tags>`, the element name from the list member's `locationName`)
//! unless `flattened`; maps are `<entry><key/><value/></entry>` lists; timestamps are ISO 8601.

use super::scalar::{self, TimeFormat};
use crate::model::{Member, ServiceModel, Shape, ShapeKind, XmlNamespace};
use crate::naming;
use crate::params::{ParameterError, MAX_DEPTH};
use roxmltree::Node;
use serde_json::{Map, Value};

/// Appends `<name>…</name>` for a bound value of shape `shape`.
pub(crate) fn write_element(
    out: &mut String,
    model: &ServiceModel,
    shape: &str,
    value: &Value,
    name: &str,
    namespace: Option<&XmlNamespace>,
) -> Result<(), ParameterError> {
    let shape_def = model
        .shape(shape)
        .map_err(|error| ParameterError(error.to_string()))?;
    let namespace = namespace.or(shape_def.xml_namespace.as_ref());
    match (shape_def.kind, value) {
        (ShapeKind::Structure, Value::Object(object)) => {
            open_tag(out, name, namespace);
            let mut children = String::new();
            for (member_name, member) in &shape_def.members {
                let Some(item) = object.get(member_name) else {
                    continue;
                };
                let element = member.wire_name(member_name);
                if member.xml_attribute {
                    out.push_str(&format!(
                        " {element}=\"{}\"",
                        escape(&scalar::scalar_text(item))
                    ));
                    continue;
                }
                write_member(&mut children, model, member, item, element)?;
            }
            out.push('>');
            out.push_str(&children);
            close_tag(out, name);
        }
        (ShapeKind::List, Value::Array(items)) => {
            let member = shape_def
                .member
                .as_deref()
                .ok_or_else(|| incomplete(shape))?;
            if shape_def.flattened {
                for item in items {
                    write_element(out, model, &member.shape, item, name, None)?;
                }
            } else {
                let element = member.location_name.as_deref().unwrap_or("member");
                open_tag(out, name, namespace);
                out.push('>');
                for item in items {
                    write_element(
                        out,
                        model,
                        &member.shape,
                        item,
                        element,
                        member.xml_namespace.as_ref(),
                    )?;
                }
                close_tag(out, name);
            }
        }
        (ShapeKind::Map, Value::Object(entries)) => {
            let (key, val) = map_members(shape_def).ok_or_else(|| incomplete(shape))?;
            open_tag(out, name, namespace);
            out.push('>');
            for (entry_key, entry_value) in entries {
                out.push_str("<entry>");
                let key_name = key.location_name.as_deref().unwrap_or("key");
                write_element(
                    out,
                    model,
                    &key.shape,
                    &Value::String(entry_key.clone()),
                    key_name,
                    None,
                )?;
                let value_name = val.location_name.as_deref().unwrap_or("value");
                write_element(out, model, &val.shape, entry_value, value_name, None)?;
                out.push_str("</entry>");
            }
            close_tag(out, name);
        }
        (kind, value) => {
            let text = scalar_to_text(shape_def, kind, value, name)?;
            open_tag(out, name, namespace);
            out.push('>');
            out.push_str(&escape(&text));
            close_tag(out, name);
        }
    }
    Ok(())
}

fn write_member(
    out: &mut String,
    model: &ServiceModel,
    member: &Member,
    value: &Value,
    element: &str,
) -> Result<(), ParameterError> {
    let shape = model
        .shape(&member.shape)
        .map_err(|error| ParameterError(error.to_string()))?;
    if member.flattened && shape.kind == ShapeKind::List {
        if let (Some(list_member), Value::Array(items)) = (shape.member.as_deref(), value) {
            for item in items {
                write_element(out, model, &list_member.shape, item, element, None)?;
            }
            return Ok(());
        }
    }
    write_element(
        out,
        model,
        &member.shape,
        value,
        element,
        member.xml_namespace.as_ref(),
    )
}

/// The text of a scalar for XML or a query string.
pub(crate) fn scalar_to_text(
    shape: &Shape,
    kind: ShapeKind,
    value: &Value,
    field: &str,
) -> Result<String, ParameterError> {
    Ok(match kind {
        ShapeKind::Timestamp => {
            let time = scalar::parse_input_time(value, field)?;
            let format =
                TimeFormat::from_trait(shape.timestamp_format.as_deref(), TimeFormat::Iso8601);
            scalar::wire_time_text(time, format)
        }
        ShapeKind::Blob => scalar::blob_to_wire(value),
        _ => scalar::scalar_text(value),
    })
}

fn map_members(shape: &Shape) -> Option<(&Member, &Member)> {
    Some((shape.key.as_deref()?, shape.value.as_deref()?))
}

fn incomplete(shape: &str) -> ParameterError {
    ParameterError(format!("the API model's shape '{shape}' is incomplete"))
}

fn open_tag(out: &mut String, name: &str, namespace: Option<&XmlNamespace>) {
    out.push('<');
    out.push_str(name);
    if let Some(namespace) = namespace {
        match &namespace.prefix {
            Some(prefix) => {
                out.push_str(&format!(" xmlns:{prefix}=\"{}\"", escape(&namespace.uri)))
            }
            None => out.push_str(&format!(" xmlns=\"{}\"", escape(&namespace.uri))),
        }
    }
}

fn close_tag(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            other => out.push(other),
        }
    }
    out
}

/// Reads an element of shape `shape` as a Task result value.
pub(crate) fn read(model: &ServiceModel, shape: &str, node: Node, depth: usize) -> Value {
    let Ok(shape_def) = model.shape(shape) else {
        return Value::String(text_of(node));
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match shape_def.kind {
        ShapeKind::Structure => read_structure(model, shape_def, node, depth),
        ShapeKind::List => {
            let Some(member) = shape_def.member.as_deref() else {
                return Value::Array(Vec::new());
            };
            Value::Array(
                elements(node)
                    .map(|item| read(model, &member.shape, item, depth + 1))
                    .collect(),
            )
        }
        ShapeKind::Map => read_map(model, shape_def, elements(node).collect(), depth),
        kind => read_scalar(kind, &text_of(node)),
    }
}

/// Reads the members of a structure from the children (and attributes) of `node`; members bound
/// to HTTP headers, the status code or the URI are not in the body and are skipped.
pub(crate) fn read_structure(
    model: &ServiceModel,
    shape: &Shape,
    node: Node,
    depth: usize,
) -> Value {
    let mut out = Map::new();
    for (name, member) in &shape.members {
        if member.location.is_some() {
            continue;
        }
        let Ok(member_shape) = model.shape(&member.shape) else {
            continue;
        };
        if member.xml_attribute {
            let wanted = member.wire_name(name);
            let local = wanted.rsplit(':').next().unwrap_or(wanted);
            if let Some(attribute) = node
                .attributes()
                .find(|attribute| attribute.name() == local)
            {
                out.insert(
                    naming::output_key(name),
                    Value::String(attribute.value().to_string()),
                );
            }
            continue;
        }
        let flattened = member.flattened || member_shape.flattened;
        let element = element_name(name, member, member_shape, flattened);
        let mut matching = elements(node).filter(|child| child.tag_name().name() == element);
        let value = match (member_shape.kind, flattened) {
            (ShapeKind::List, true) => {
                let items: Vec<Node> = matching.collect();
                if items.is_empty() {
                    continue;
                }
                let element_shape = member_shape
                    .member
                    .as_deref()
                    .map(|m| m.shape.as_str())
                    .unwrap_or_default();
                Value::Array(
                    items
                        .into_iter()
                        .map(|item| read(model, element_shape, item, depth + 1))
                        .collect(),
                )
            }
            (ShapeKind::Map, true) => {
                let entries: Vec<Node> = matching.collect();
                if entries.is_empty() {
                    continue;
                }
                read_map(model, member_shape, entries, depth)
            }
            _ => match matching.next() {
                Some(child) => read(model, &member.shape, child, depth + 1),
                None => continue,
            },
        };
        out.insert(naming::output_key(name), value);
    }
    Value::Object(out)
}

/// A flattened list's elements are named by the list member's `locationName`, when it has one.
fn element_name<'a>(
    name: &'a str,
    member: &'a Member,
    shape: &'a Shape,
    flattened: bool,
) -> &'a str {
    if flattened && shape.kind == ShapeKind::List {
        if let Some(list_name) = shape
            .member
            .as_deref()
            .and_then(|m| m.location_name.as_deref())
        {
            return list_name;
        }
    }
    member.wire_name(name)
}

fn read_map(model: &ServiceModel, shape: &Shape, entries: Vec<Node>, depth: usize) -> Value {
    let Some((key, val)) = map_members(shape) else {
        return Value::Object(Map::new());
    };
    let key_name = key.location_name.as_deref().unwrap_or("key");
    let value_name = val.location_name.as_deref().unwrap_or("value");
    let mut out = Map::new();
    for entry in entries {
        let child = |wanted: &str| elements(entry).find(|child| child.tag_name().name() == wanted);
        if let (Some(k), Some(v)) = (child(key_name), child(value_name)) {
            out.insert(text_of(k), read(model, &val.shape, v, depth + 1));
        }
    }
    Value::Object(out)
}

/// A scalar from its wire text, typed by its shape.
pub(crate) fn read_scalar(kind: ShapeKind, text: &str) -> Value {
    match kind {
        ShapeKind::Integer | ShapeKind::Long => scalar::number_from_text(text, true),
        ShapeKind::Float | ShapeKind::Double => scalar::number_from_text(text, false),
        ShapeKind::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_string()),
        },
        ShapeKind::Timestamp => scalar::output_time_from_wire(&Value::String(text.to_string())),
        _ => Value::String(text.to_string()),
    }
}

pub(crate) fn elements<'a, 'input>(
    node: Node<'a, 'input>,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

/// An element's text (its text children joined; empty for `<a/>`).
pub(crate) fn text_of(node: Node) -> String {
    node.children()
        .filter(|child| child.is_text())
        .filter_map(|child| child.text())
        .collect()
}

/// The text of the first descendant element called `name`.
pub(crate) fn find_text(node: Node, name: &str) -> Option<String> {
    node.descendants()
        .find(|child| child.is_element() && child.tag_name().name() == name)
        .map(text_of)
}

/// Parses an XML document, bounded in size and nesting by roxmltree's limits.
pub(crate) fn parse(body: &[u8]) -> Option<roxmltree::Document<'_>> {
    let text = std::str::from_utf8(body).ok()?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelRegistry;
    use serde_json::json;

    #[test]
    fn s3_bodies_are_written_and_read_by_shape() {
        let model = ModelRegistry::new(None).model("s3").unwrap();
        let tagging = json!({"TagSet": [{"Key": "a", "Value": "1 < 2"}]});
        let mut out = String::new();
        let ns = XmlNamespace {
            uri: "http://s3.amazonaws.com/doc/2006-03-01/".into(),
            prefix: None,
        };
        write_element(&mut out, &model, "Tagging", &tagging, "Tagging", Some(&ns)).unwrap();
        assert_eq!(
            out,
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>a</Key><Value>1 &lt; 2</Value></Tag></TagSet></Tagging>"
        );

        let listing = r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <Name>b</Name><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>
            <Contents><Key>a</Key><Size>3</Size><LastModified>2024-05-01T12:00:00.000Z</LastModified></Contents>
            <Contents><Key>b</Key><Size>4</Size></Contents>
        </ListBucketResult>"#;
        let document = parse(listing.as_bytes()).unwrap();
        let output = model.shape("ListObjectsV2Output").unwrap();
        let value = read_structure(&model, output, document.root_element(), 0);
        assert_eq!(
            value,
            json!({"IsTruncated": false,
                   "Contents": [{"Key": "a", "LastModified": "2024-05-01T12:00:00Z", "Size": 3},
                                {"Key": "b", "Size": 4}],
                   "Name": "b", "KeyCount": 2})
        );
    }
}
