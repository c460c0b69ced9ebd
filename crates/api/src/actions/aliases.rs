//! CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
//! DeleteStateMachineAlias, ListStateMachineAliases (API reference). An alias routes to one or
//! two versions of its state machine with weights that sum to 100; the messages of the checks
//! are AWS's (recorded cases `api_aliasing/…`).

use super::versions::{check_version_arn, token_error};
use crate::paging::page;
use crate::wire::{body, check_arn, now_ms, parse, seconds};
use crate::{Api, ApiError, ErrorCode};
use fluxo_store::{AliasRecord, AliasUpdate, Made, Page, Route, StoreError, MAX_PAGE};
use fluxo_types::arn::{self, Qualifier, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct RouteShape {
    state_machine_version_arn: String,
    weight: u32,
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "Request references a resource that does not exist.",
    )
}

/// The store's refusals in the alias actions' words.
fn alias_error(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound(_) => not_found(),
        StoreError::NameConflict(arn) => ApiError::new(
            ErrorCode::ConflictException,
            format!(
                "Alias '{arn}' exists already with another description or routing configuration"
            ),
        ),
        other => other.into(),
    }
}

/// Checks a routing configuration as AWS does; returns the routes and the (unqualified) state
/// machine ARN their versions belong to.
fn routing(routes: &[RouteShape]) -> Result<(Vec<Route>, String), ApiError> {
    let arns: Vec<&str> = routes
        .iter()
        .map(|r| r.state_machine_version_arn.as_str())
        .collect();
    let received = arns.join(", ");
    if routes.is_empty() || arns.iter().any(|a| check_version_arn(a).is_err()) {
        return Err(ApiError::validation(format!(
            "Routing configuration must contain state machine version ARNs. Received: [{received}]"
        )));
    }
    let machine = arn::unqualified(arns[0]).to_string();
    if arns.iter().any(|a| arn::unqualified(a) != machine) {
        return Err(ApiError::validation(format!(
            "Routing configuration must contain state machine version ARNs of the same state machine. Received: [{received}]"
        )));
    }
    if arns.len() == 2 && arns[0] == arns[1] {
        return Err(ApiError::validation(format!(
            "Routing configuration must contain distinct state machine version ARNs. Received: [{received}]"
        )));
    }
    let weights: Vec<u32> = routes.iter().map(|r| r.weight).collect();
    if weights.iter().map(|w| u64::from(*w)).sum::<u64>() != 100 {
        let weights: Vec<String> = weights.iter().map(u32::to_string).collect();
        return Err(ApiError::validation(format!(
            "Sum of routing configuration weights must equal 100. Received: [{}]",
            weights.join(", ")
        )));
    }
    let routes = routes
        .iter()
        .map(|r| Route {
            version_arn: r.state_machine_version_arn.clone(),
            weight: r.weight,
        })
        .collect();
    Ok((routes, machine))
}

/// Checks that `arn` is an alias ARN (`…:stateMachine:NAME:ALIAS`).
fn check_alias_arn(arn: &str) -> Result<(), ApiError> {
    match check_arn(arn, ResourceType::StateMachine)?.qualifier() {
        Some(Qualifier::Alias(_)) => Ok(()),
        _ => Err(ApiError::new(
            ErrorCode::InvalidArn,
            format!("Invalid Arn: '{arn}'"),
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateInput {
    name: String,
    description: Option<String>,
    routing_configuration: Vec<RouteShape>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOutput {
    state_machine_alias_arn: String,
    creation_date: f64,
}

/// The same creation again returns the alias as it is (recorded case
/// `api_aliasing/sfn_api_aliasing__test_idempotent_create_alias`).
pub async fn create(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: CreateInput = parse(input)?;
    let (routes, machine) = routing(&input.routing_configuration)?;
    let now = now_ms();
    let made = api
        .runtime
        .store()
        .create_alias(AliasRecord {
            arn: arn::state_machine_alias(&machine, &input.name),
            state_machine_arn: machine,
            name: input.name,
            description: input.description,
            routing: routes,
            created_ms: now,
            updated_ms: now,
        })
        .await
        .map_err(alias_error)?;
    let alias = match made {
        Made::Created(alias) | Made::Existing(alias) => alias,
    };
    body(&CreateOutput {
        state_machine_alias_arn: alias.arn,
        creation_date: seconds(alias.created_ms),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AliasArnInput {
    state_machine_alias_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Description {
    state_machine_alias_arn: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    routing_configuration: Vec<RouteShape>,
    creation_date: f64,
    update_date: f64,
}

pub async fn describe(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: AliasArnInput = parse(input)?;
    check_alias_arn(&input.state_machine_alias_arn)?;
    let alias = api
        .runtime
        .store()
        .get_alias(&input.state_machine_alias_arn)
        .await?
        .ok_or_else(not_found)?;
    body(&Description {
        routing_configuration: alias
            .routing
            .iter()
            .map(|r| RouteShape {
                state_machine_version_arn: r.version_arn.clone(),
                weight: r.weight,
            })
            .collect(),
        state_machine_alias_arn: alias.arn,
        name: alias.name,
        description: alias.description,
        creation_date: seconds(alias.created_ms),
        update_date: seconds(alias.updated_ms),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateInput {
    state_machine_alias_arn: String,
    description: Option<String>,
    routing_configuration: Option<Vec<RouteShape>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateOutput {
    update_date: f64,
}

pub async fn update(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: UpdateInput = parse(input)?;
    check_alias_arn(&input.state_machine_alias_arn)?;
    if input.description.is_none() && input.routing_configuration.is_none() {
        return Err(ApiError::new(
            ErrorCode::MissingRequiredParameter,
            "Either the description or the routing configuration must be specified",
        ));
    }
    let routes = match &input.routing_configuration {
        Some(routes) => {
            let (routes, machine) = routing(routes)?;
            // Versions of another state machine than the alias's do not exist for it.
            if machine != arn::unqualified(&input.state_machine_alias_arn) {
                return Err(not_found());
            }
            Some(routes)
        }
        None => None,
    };
    let updated = api
        .runtime
        .store()
        .update_alias(AliasUpdate {
            arn: input.state_machine_alias_arn,
            description: input.description,
            routing: routes,
            updated_ms: now_ms(),
        })
        .await
        .map_err(alias_error)?;
    body(&UpdateOutput {
        update_date: seconds(updated.updated_ms),
    })
}

/// Deleting an alias that does not exist succeeds (recorded case
/// `api_aliasing/sfn_api_aliasing__test_delete_no_such_alias_arn`).
pub async fn delete(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: AliasArnInput = parse(input)?;
    check_alias_arn(&input.state_machine_alias_arn)?;
    api.runtime
        .store()
        .delete_alias(&input.state_machine_alias_arn)
        .await?;
    body(&serde_json::json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    state_machine_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem {
    state_machine_alias_arn: String,
    creation_date: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput {
    state_machine_aliases: Vec<ListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// By name. Given a version ARN, the aliases that route to that version (API reference,
/// ListStateMachineAliases), all in one page: a state machine has at most
/// [`fluxo_store::MAX_ALIASES`] aliases ("Step Functions service quotas"); the store is still
/// read to its end, so aliases made before the quota was kept are not lost.
pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ListInput = parse(input)?;
    let parsed = check_arn(&input.state_machine_arn, ResourceType::StateMachine)?;
    let store = api.runtime.store();
    let machine = arn::unqualified(&input.state_machine_arn).to_string();
    let (version, page) = match parsed.qualifier() {
        None => {
            super::state_machine(api, &machine).await?;
            (None, page(input.max_results, input.next_token)?)
        }
        Some(Qualifier::Version(_)) => {
            store
                .get_version(&input.state_machine_arn)
                .await?
                .ok_or_else(not_found)?;
            (
                Some(input.state_machine_arn.clone()),
                Page::new(MAX_PAGE, None),
            )
        }
        Some(Qualifier::Alias(_)) => {
            return Err(ApiError::new(
                ErrorCode::InvalidArn,
                format!("Invalid Arn: '{}'", input.state_machine_arn),
            ))
        }
    };
    let mut listed = store
        .list_aliases(&machine, page)
        .await
        .map_err(token_error)?;
    if version.is_some() {
        while let Some(token) = listed.next_token.take() {
            let next = store
                .list_aliases(&machine, Page::new(MAX_PAGE, Some(token)))
                .await
                .map_err(token_error)?;
            listed.items.extend(next.items);
            listed.next_token = next.next_token;
        }
    }
    let routes_to_version = |alias: &AliasRecord| {
        version
            .as_ref()
            .is_none_or(|v| alias.routing.iter().any(|r| &r.version_arn == v))
    };
    body(&ListOutput {
        state_machine_aliases: listed
            .items
            .into_iter()
            .filter(routes_to_version)
            .map(|a| ListItem {
                creation_date: seconds(a.created_ms),
                state_machine_alias_arn: a.arn,
            })
            .collect(),
        next_token: listed.next_token.filter(|_| version.is_none()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(arn: &str, weight: u32) -> RouteShape {
        RouteShape {
            state_machine_version_arn: arn.into(),
            weight,
        }
    }

    const V1: &str = "arn:aws:states:r:1:stateMachine:m:1";
    const V2: &str = "arn:aws:states:r:1:stateMachine:m:2";

    #[test]
    fn routing_is_checked_as_aws_checks_it() {
        let message = |routes: &[RouteShape]| routing(routes).unwrap_err().message;
        let (routes, machine) = routing(&[route(V1, 80), route(V2, 20)]).unwrap();
        assert_eq!(machine, "arn:aws:states:r:1:stateMachine:m");
        assert_eq!(routes[1].weight, 20);
        assert_eq!(
            message(&[route(V1, 70), route(V2, 29)]),
            "Sum of routing configuration weights must equal 100. Received: [70, 29]"
        );
        assert_eq!(
            message(&[route(V1, 50), route(V1, 50)]),
            format!("Routing configuration must contain distinct state machine version ARNs. Received: [{V1}, {V1}]")
        );
        assert_eq!(
            message(&[route("arn:aws:states:r:1:stateMachine:m", 70), route(V2, 30)]),
            format!("Routing configuration must contain state machine version ARNs. Received: [arn:aws:states:r:1:stateMachine:m, {V2}]")
        );
        assert!(message(&[
            route(V1, 50),
            route("arn:aws:states:r:1:stateMachine:n:1", 50)
        ])
        .contains("of the same state machine"));
        assert!(check_alias_arn("arn:aws:states:r:1:stateMachine:m:live").is_ok());
        assert!(check_alias_arn(V1).is_err());
    }
}
