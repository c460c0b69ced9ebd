//! `ItemBatcher` (developer guide, "ItemBatcher (Map)"): each child execution gets
//! `{"BatchInput": …, "Items": [...]}` holding at most `MaxItemsPerBatch` items and at most
//! `MaxInputBytesPerBatch` bytes of JSON (256 KiB, the payload quota, when not given).

use super::tolerance::{as_number, path_of, quoted};
use crate::attempt::Attempt;
use crate::failure::Failure;
use crate::jsonata::StateValues;
use fluxo_asl::model::distributed::ItemBatcher;
use fluxo_asl::model::{Template, ValueOrPath};
use serde_json::{Map, Value};

/// AWS's limit on `MaxInputBytesPerBatch`, which is also the payload quota.
const MAX_BYTES: usize = 256 * 1024;

/// The batcher's limits and `BatchInput`, resolved against the state's input.
pub(super) struct Batching {
    max_items: usize,
    max_bytes: usize,
    batch_input: Option<Value>,
}

impl Batching {
    pub fn of(
        attempt: &Attempt<'_>,
        batcher: &ItemBatcher,
        effective: &Value,
    ) -> Result<Batching, Failure> {
        let limit = |field: &Option<ValueOrPath<Value>>, name: &str| -> Result<usize, Failure> {
            let Some(field) = field else {
                return Ok(0);
            };
            let value = attempt.resolve(field, &format!("{name}Path"), effective)?;
            match as_number(&value).and_then(|n| n.as_u64()) {
                Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
                None => Err(attempt.runtime_error(format!(
                    "The {name}Path field refers to value {} which is not a valid integer: {}",
                    quoted(&value),
                    path_of(field)
                ))),
            }
        };
        let max_items = limit(&batcher.max_items, "MaxItemsPerBatch")?;
        let max_bytes = match limit(&batcher.max_bytes, "MaxInputBytesPerBatch")? {
            0 => MAX_BYTES,
            n => n.min(MAX_BYTES),
        };
        let batch_input = match &batcher.batch_input {
            None => None,
            Some(Template::JsonPath(template)) => Some(attempt.template(template, effective)?),
            Some(Template::Jsonata(template)) => {
                Some(attempt.jsonata(template, "BatchInput", StateValues::input(effective))?)
            }
        };
        Ok(Batching {
            max_items,
            max_bytes,
            batch_input,
        })
    }

    /// The items in batches, in order; each batch with the number of items it holds. An item
    /// larger than the byte limit on its own makes a batch of one.
    pub fn batch(&self, items: Vec<Value>) -> Vec<(Value, usize)> {
        let base = self.batch_input.as_ref().map_or(12, |input| {
            // `{"BatchInput":…,"Items":[]}`
            26 + serde_json::to_vec(input).map_or(0, |bytes| bytes.len())
        });
        let mut batches = Vec::new();
        let mut current: Vec<Value> = Vec::new();
        let mut bytes = base;
        for item in items {
            let size = serde_json::to_vec(&item).map_or(0, |bytes| bytes.len()) + 1;
            let full_by_count = self.max_items != 0 && current.len() >= self.max_items;
            let full_by_bytes = !current.is_empty() && bytes + size > self.max_bytes;
            if full_by_count || full_by_bytes {
                batches.push(self.finish(std::mem::take(&mut current)));
                bytes = base;
            }
            bytes += size;
            current.push(item);
        }
        if !current.is_empty() {
            batches.push(self.finish(current));
        }
        batches
    }

    fn finish(&self, items: Vec<Value>) -> (Value, usize) {
        let count = items.len();
        let mut batch = Map::new();
        if let Some(input) = &self.batch_input {
            batch.insert("BatchInput".into(), input.clone());
        }
        batch.insert("Items".into(), Value::Array(items));
        (Value::Object(batch), count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn batches_by_count_and_by_bytes() {
        let by_count = Batching {
            max_items: 2,
            max_bytes: MAX_BYTES,
            batch_input: Some(json!({"k": 1})),
        };
        let batches = by_count.batch(vec![json!(1), json!(2), json!(3)]);
        assert_eq!(
            batches,
            vec![
                (json!({"BatchInput": {"k": 1}, "Items": [1, 2]}), 2),
                (json!({"BatchInput": {"k": 1}, "Items": [3]}), 1)
            ]
        );
        // `{"Items":[]}` is 12 bytes; each item of 10 bytes adds 11: two fit in 40 bytes.
        let by_bytes = Batching {
            max_items: 0,
            max_bytes: 40,
            batch_input: None,
        };
        let item = json!("12345678"); // 10 bytes of JSON
        let batches = by_bytes.batch(vec![item.clone(), item.clone(), item.clone()]);
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[0].1, 2);
        for (batch, _) in &batches {
            assert!(serde_json::to_vec(batch).unwrap().len() <= 40);
        }
        // Too large alone: a batch of its own.
        let big = json!("x".repeat(100));
        assert_eq!(by_bytes.batch(vec![big, item]).len(), 2);
    }
}
