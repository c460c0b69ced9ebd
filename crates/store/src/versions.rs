//! State machine versions and aliases (developer guide, "State machine versions and aliases"):
//! a version is an immutable, numbered snapshot of a state machine's revision; an alias routes
//! executions to one or two versions by weight.
//!
//! Invariants every backend keeps: version numbers of a state machine grow from 1 and are
//! never given twice while the state machine exists (deleting version 2 and publishing again
//! gives 3); a version's definition and role are its revision's ([`crate::Revision`]); an alias
//! routes only to versions that exist, so a version an alias routes to cannot be deleted;
//! deleting a state machine deletes its versions and aliases.

use crate::{Listed, Page, StoreFuture};

/// Published versions a state machine may have ("Step Functions service quotas", Quotas
/// related to versions and aliases; API reference, PublishStateMachineVersion: "You can
/// publish up to 1000 versions for each state machine"). Deleting a version frees a place.
pub const MAX_VERSIONS: usize = 1000;

/// Aliases a state machine may have (API reference, CreateStateMachineAlias: "You can create
/// up to 100 aliases for each state machine").
pub const MAX_ALIASES: usize = 100;

/// The refusal of a publish past [`MAX_VERSIONS`]; the API answers it as
/// `ServiceQuotaExceededException`.
pub fn versions_exceeded(state_machine_arn: &str) -> crate::StoreError {
    crate::StoreError::QuotaExceeded(format!(
        "The state machine '{state_machine_arn}' has reached the quota of {MAX_VERSIONS} published versions. Delete unused versions with DeleteStateMachineVersion."
    ))
}

/// The refusal of an alias past [`MAX_ALIASES`].
pub fn aliases_exceeded(state_machine_arn: &str) -> crate::StoreError {
    crate::StoreError::QuotaExceeded(format!(
        "The state machine '{state_machine_arn}' has reached the quota of {MAX_ALIASES} aliases. Delete unused aliases with DeleteStateMachineAlias."
    ))
}

/// A published version, as `DescribeStateMachine` on its ARN shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// `…:stateMachine:NAME:NUMBER`.
    pub arn: String,
    pub state_machine_arn: String,
    pub number: u64,
    /// The revision it runs ([`crate::Store::get_revision`]).
    pub revision: u64,
    /// The state machine's `revisionId` when the version was published (none before the first
    /// update).
    pub revision_id: Option<String>,
    pub description: Option<String>,
    pub created_ms: i64,
}

/// `PublishStateMachineVersion`'s request, as the store applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub state_machine_arn: String,
    /// The revision the caller means to publish: refused with
    /// [`crate::StoreError::RevisionConflict`] when it is not the current one.
    pub revision_id: Option<String>,
    pub description: Option<String>,
    pub created_ms: i64,
}

/// One route of an alias: a version ARN and its weight (0 to 100; the weights sum to 100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub version_arn: String,
    pub weight: u32,
}

/// An alias, as `DescribeStateMachineAlias` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRecord {
    /// `…:stateMachine:NAME:ALIAS`.
    pub arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub description: Option<String>,
    /// One or two routes.
    pub routing: Vec<Route>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl AliasRecord {
    /// Whether a repeated `CreateStateMachineAlias` is the same request (then it is idempotent).
    pub fn same_creation(&self, other: &AliasRecord) -> bool {
        self.description == other.description && self.routing == other.routing
    }
}

/// `UpdateStateMachineAlias`: what is given changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasUpdate {
    pub arn: String,
    pub description: Option<String>,
    pub routing: Option<Vec<Route>>,
    pub updated_ms: i64,
}

/// A creation that is idempotent: what was made, or what existed already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made<T> {
    Created(T),
    Existing(T),
}

impl<T> Made<T> {
    pub fn record(&self) -> &T {
        match self {
            Made::Created(record) | Made::Existing(record) => record,
        }
    }

    pub fn into_record(self) -> T {
        match self {
            Made::Created(record) | Made::Existing(record) => record,
        }
    }
}

/// Versions and aliases, each method one transaction.
pub trait VersionStore: Send + Sync {
    /// Publishes the state machine's current revision as its next version; when the latest
    /// version already has the current revision (and `revisionId`), returns it instead
    /// (AWS: publishing is idempotent). [`crate::StoreError::NotFound`] without the state
    /// machine; [`versions_exceeded`] when it has [`MAX_VERSIONS`] versions already.
    fn publish_version(&self, publish: Publish) -> StoreFuture<'_, Made<VersionRecord>>;
    fn get_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<VersionRecord>>;
    /// Newest first, `max_results` at a time.
    fn list_versions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<VersionRecord>>;
    /// Deletes a version (nothing when there is none); refused with
    /// [`crate::StoreError::VersionInUse`] while an alias routes to it.
    fn delete_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()>;

    /// Stores an alias; the same creation again returns the existing one, another alias of
    /// that name is a [`crate::StoreError::NameConflict`], a route to a version that does not
    /// exist a [`crate::StoreError::NotFound`] naming it, a new alias past [`MAX_ALIASES`]
    /// [`aliases_exceeded`].
    fn create_alias(&self, alias: AliasRecord) -> StoreFuture<'_, Made<AliasRecord>>;
    fn get_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<AliasRecord>>;
    /// [`crate::StoreError::NotFound`] without the alias or one of the new routes' versions.
    fn update_alias(&self, update: AliasUpdate) -> StoreFuture<'_, AliasRecord>;
    /// Deletes an alias (nothing when there is none).
    fn delete_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()>;
    /// By name, `max_results` at a time.
    fn list_aliases<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<AliasRecord>>;
}

/// Every backend's rule: the version `publish` gives back when the latest one already has the current revision.
pub fn republished<'a>(
    latest: Option<&'a VersionRecord>,
    machine: &crate::StateMachineRecord,
) -> Option<&'a VersionRecord> {
    latest.filter(|v| v.revision == machine.revision && v.revision_id == machine.revision_id)
}

/// The refusal of a publish whose `revisionId` is not the current one.
pub fn revision_check(
    publish: &Publish,
    machine: &crate::StateMachineRecord,
) -> crate::StoreResult<()> {
    match &publish.revision_id {
        Some(requested) if machine.revision_id.as_ref() != Some(requested) => {
            Err(crate::StoreError::RevisionConflict {
                requested: requested.clone(),
                current: machine.revision_id.clone().unwrap_or_default(),
            })
        }
        _ => Ok(()),
    }
}

/// What a `list_executions` ARN selects by: the state machine, a version or an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedBy {
    StateMachine,
    Version,
    Alias,
    /// A Map Run ARN: its child executions.
    MapRun,
}

impl ListedBy {
    pub fn of(state_machine_arn: &str) -> ListedBy {
        use fluxo_types::arn::{Arn, Qualifier, ResourceType};
        let parsed = Arn::parse(state_machine_arn).ok();
        if parsed
            .as_ref()
            .is_some_and(|arn| arn.resource_type() == ResourceType::MapRun)
        {
            return ListedBy::MapRun;
        }
        match parsed.and_then(|a| a.qualifier()) {
            None => ListedBy::StateMachine,
            Some(Qualifier::Version(_)) => ListedBy::Version,
            Some(Qualifier::Alias(_)) => ListedBy::Alias,
        }
    }

    /// The execution column (SQL backends) that holds the ARN.
    pub fn column(self) -> &'static str {
        match self {
            ListedBy::StateMachine => "state_machine_arn",
            ListedBy::Version => "version_arn",
            ListedBy::Alias => "alias_arn",
            ListedBy::MapRun => "map_run_arn",
        }
    }

    /// Whether `execution` is listed under `arn`.
    pub fn matches(self, execution: &crate::ExecutionRecord, arn: &str) -> bool {
        let field = match self {
            ListedBy::StateMachine => Some(&execution.state_machine_arn),
            ListedBy::Version => execution.version_arn.as_ref(),
            ListedBy::Alias => execution.alias_arn.as_ref(),
            ListedBy::MapRun => execution.map_run_arn.as_ref(),
        };
        field.is_some_and(|field| field == arn)
    }
}

/// Routes as stored by the SQL backends: a JSON array of `[version_arn, weight]` pairs.
pub fn routes_to_text(routes: &[Route]) -> String {
    serde_json::Value::Array(
        routes
            .iter()
            .map(|r| serde_json::json!([r.version_arn, r.weight]))
            .collect(),
    )
    .to_string()
}

/// [`routes_to_text`]'s inverse; `None` for text it did not write.
pub fn routes_from_text(text: &str) -> Option<Vec<Route>> {
    let pairs: Vec<(String, u32)> = serde_json::from_str(text).ok()?;
    Some(
        pairs
            .into_iter()
            .map(|(version_arn, weight)| Route {
                version_arn,
                weight,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip() {
        let routes = vec![
            Route {
                version_arn: "arn:aws:states:r:1:stateMachine:m:1".into(),
                weight: 80,
            },
            Route {
                version_arn: "arn:aws:states:r:1:stateMachine:m:2".into(),
                weight: 20,
            },
        ];
        assert_eq!(routes_from_text(&routes_to_text(&routes)), Some(routes));
        assert_eq!(routes_from_text("{}"), None);
    }
}
