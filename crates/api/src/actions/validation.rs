//! ValidateStateMachineDefinition (API reference): every diagnostic, for the type given, and
//! those of the Tasks' service integrations that `CreateStateMachine` would refuse.

use crate::wire::{body, parse};
use crate::ApiError;
use fluxo_asl::validate;
use fluxo_types::StateMachineType;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize)]
struct ValidateInput {
    definition: String,
    #[serde(rename = "type")]
    kind: Option<StateMachineType>,
}

#[derive(Serialize)]
struct ValidateOutput {
    result: &'static str,
    diagnostics: Vec<fluxo_asl::Diagnostic>,
    truncated: bool,
}

pub fn validate(input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ValidateInput = parse(input)?;
    let mut diagnostics =
        validate::validate_text_for(&input.definition, input.kind.unwrap_or_default());
    if validate::is_valid(&diagnostics) {
        // What CreateStateMachine would refuse besides: the Tasks' service integrations.
        diagnostics.extend(fluxo_runtime::integration_diagnostics(&input.definition));
    }
    let failed = !validate::is_valid(&diagnostics);
    body(&ValidateOutput {
        result: if failed { "FAIL" } else { "OK" },
        diagnostics,
        truncated: false,
    })
}
