//! The Query protocols: `POST /` with a form body `Action=<Operation>&Version=<apiVersion>&…`,
//! members flattened into dotted names (`MessageAttributes.entry.1.Name`, EC2's `Filter.1.Name`),
//! and XML responses (`<OpResponse><OpResult>…`, EC2 without the result element); errors are
//! `<ErrorResponse><Error><Code>` (EC2: `<Response><Errors><Error><Code>`).

use super::{xml, Request, Response, ServiceError};
use crate::model::{Member, Operation, ServiceModel, Shape, ShapeKind};
use crate::params::ParameterError;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub(super) fn build_request(
    model: &ServiceModel,
    operation: &Operation,
    input: &Value,
) -> Result<Request, ParameterError> {
    let ec2 = model.protocol() == "ec2";
    let mut pairs = vec![
        ("Action".to_string(), operation.name.clone()),
        ("Version".to_string(), model.metadata.api_version.clone()),
    ];
    if let Some(input_ref) = &operation.input {
        let serializer = Serializer { model, ec2 };
        serializer.value(&mut pairs, &input_ref.shape, None, input, "")?;
    }
    let body = pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(key, FORM),
                utf8_percent_encode(value, FORM)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    Ok(Request {
        method: "POST".to_string(),
        path: "/".to_string(),
        query: Vec::new(),
        headers: vec![(
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        )],
        body: body.into_bytes(),
        host_prefix: String::new(),
    })
}

struct Serializer<'a> {
    model: &'a ServiceModel,
    ec2: bool,
}

impl Serializer<'_> {
    /// The name a member has in the form: `queryName` (EC2), else `locationName` (capitalised by
    /// EC2), else `default`.
    fn name(&self, member: Option<&Member>, default: &str) -> String {
        let Some(member) = member else {
            return default.to_string();
        };
        if self.ec2 {
            if let Some(name) = &member.query_name {
                return name.clone();
            }
            if let Some(name) = &member.location_name {
                let mut chars = name.chars();
                return chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
            }
        }
        member
            .location_name
            .clone()
            .unwrap_or_else(|| default.to_string())
    }

    fn value(
        &self,
        pairs: &mut Vec<(String, String)>,
        shape: &str,
        member: Option<&Member>,
        value: &Value,
        prefix: &str,
    ) -> Result<(), ParameterError> {
        let shape_def = self
            .model
            .shape(shape)
            .map_err(|error| ParameterError(error.to_string()))?;
        match (shape_def.kind, value) {
            (ShapeKind::Structure, Value::Object(object)) => {
                for (name, member) in &shape_def.members {
                    if let Some(item) = object.get(name) {
                        let key = join(prefix, &self.name(Some(member), name));
                        self.value(pairs, &member.shape, Some(member), item, &key)?;
                    }
                }
            }
            (ShapeKind::List, Value::Array(items)) => {
                self.list(pairs, shape_def, member, items, prefix)?
            }
            (ShapeKind::Map, Value::Object(entries)) => {
                self.map(pairs, shape_def, member, entries, prefix)?
            }
            (kind, value) => pairs.push((
                prefix.to_string(),
                xml::scalar_to_text(shape_def, kind, value, prefix)?,
            )),
        }
        Ok(())
    }

    fn list(
        &self,
        pairs: &mut Vec<(String, String)>,
        shape: &Shape,
        member: Option<&Member>,
        items: &[Value],
        prefix: &str,
    ) -> Result<(), ParameterError> {
        let element = shape
            .member
            .as_deref()
            .ok_or_else(|| ParameterError("an incomplete list shape".into()))?;
        if items.is_empty() {
            // Query sends an empty list as an empty value; EC2 sends nothing.
            if !self.ec2 {
                pairs.push((prefix.to_string(), String::new()));
            }
            return Ok(());
        }
        let flattened = shape.flattened || member.is_some_and(|member| member.flattened);
        let list_prefix = if self.ec2 {
            prefix.to_string()
        } else if flattened {
            match &element.location_name {
                Some(name) => match prefix.rsplit_once('.') {
                    Some((parent, _)) => format!("{parent}.{name}"),
                    None => name.clone(),
                },
                None => prefix.to_string(),
            }
        } else {
            join(prefix, element.location_name.as_deref().unwrap_or("member"))
        };
        for (index, item) in items.iter().enumerate() {
            let key = format!("{list_prefix}.{}", index + 1);
            self.value(pairs, &element.shape, Some(element), item, &key)?;
        }
        Ok(())
    }

    fn map(
        &self,
        pairs: &mut Vec<(String, String)>,
        shape: &Shape,
        member: Option<&Member>,
        entries: &Map<String, Value>,
        prefix: &str,
    ) -> Result<(), ParameterError> {
        let (Some(key), Some(val)) = (shape.key.as_deref(), shape.value.as_deref()) else {
            return Err(ParameterError("an incomplete map shape".into()));
        };
        let flattened = shape.flattened || member.is_some_and(|member| member.flattened);
        let base = if flattened {
            prefix.to_string()
        } else {
            join(prefix, "entry")
        };
        let key_name = self.name(Some(key), "key");
        let value_name = self.name(Some(val), "value");
        for (index, (entry_key, entry_value)) in entries.iter().enumerate() {
            let entry = format!("{base}.{}", index + 1);
            pairs.push((format!("{entry}.{key_name}"), entry_key.clone()));
            self.value(
                pairs,
                &val.shape,
                Some(val),
                entry_value,
                &format!("{entry}.{value_name}"),
            )?;
        }
        Ok(())
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

pub(super) fn parse_response(
    model: &ServiceModel,
    operation: &Operation,
    response: &Response,
) -> Value {
    let Some(output_ref) = &operation.output else {
        return Value::Object(Map::new());
    };
    let (Some(document), Ok(shape)) = (xml::parse(&response.body), model.shape(&output_ref.shape))
    else {
        return Value::Object(Map::new());
    };
    let root = document.root_element();
    let start = match &output_ref.result_wrapper {
        Some(wrapper) => {
            xml::elements(root).find(|child| child.tag_name().name() == wrapper.as_str())
        }
        None => Some(root),
    };
    match start {
        Some(node) => xml::read_structure(model, shape, node, 0),
        None => Value::Object(Map::new()),
    }
}

pub(super) fn parse_error(response: &Response) -> ServiceError {
    let document = xml::parse(&response.body);
    let root = document.as_ref().map(|document| document.root_element());
    let text = |name: &str| root.and_then(|root| xml::find_text(root, name));
    let code = text("Code");
    let bodiless = code.is_none();
    ServiceError {
        code: code.unwrap_or_else(|| super::rest::status_code_name(response.status)),
        type_code: None,
        message: text("Message").unwrap_or_default(),
        status: response.status,
        request_id: response
            .request_id()
            .map(str::to_string)
            .or_else(|| text("RequestId"))
            .or_else(|| text("RequestID"))
            .unwrap_or_default(),
        extended_request_id: None,
        bodiless,
    }
}

/// The request id a Query response carries in its body (`ResponseMetadata/RequestId`, EC2's
/// `requestId`).
pub(crate) fn body_request_id(body: &[u8]) -> Option<String> {
    let document = xml::parse(body)?;
    let root = document.root_element();
    xml::find_text(root, "RequestId").or_else(|| xml::find_text(root, "requestId"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelRegistry;
    use serde_json::json;

    #[test]
    fn sns_publish_is_a_form_with_map_entries() {
        let model = ModelRegistry::new(None).model("sns").unwrap();
        let operation = model.operation("publish").unwrap();
        let input = json!({"TopicArn": "arn:t", "Message": "a b",
                           "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}});
        let request = build_request(&model, operation, &input).unwrap();
        assert_eq!(
            String::from_utf8(request.body).unwrap(),
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3At&Message=a%20b&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=v"
        );
    }
}
