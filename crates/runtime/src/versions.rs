//! Qualified state machine ARNs: a version ARN runs that version's revision, an alias ARN runs
//! one of the versions it routes to, drawn by weight for each start (developer guide, "State
//! machine aliases": "Step Functions routes the requests … based on the weight").

use crate::{Loaded, Runtime, RuntimeError};
use fluxo_store::{Route, StateMachineRecord, VersionRecord};
use fluxo_types::arn::{self, Arn, Qualifier};
use std::sync::Arc;

/// The route a draw in `0..100` picks: the first route takes draws below its weight, the
/// second the rest. `routes` is never empty (an alias has one or two).
pub fn pick(routes: &[Route], draw: u32) -> Option<&Route> {
    let mut below = 0;
    for route in routes {
        below += route.weight;
        if draw < below {
            return Some(route);
        }
    }
    routes.last()
}

impl Runtime {
    /// The state machine a qualified ARN names, loaded with the definition its version runs and
    /// the version and alias it goes through. Unknown versions and aliases (and ARNs of another
    /// state machine's form) are [`RuntimeError::StateMachineDoesNotExist`] naming the ARN given.
    pub(crate) async fn qualified(
        &self,
        given: &str,
        qualifier: Qualifier,
    ) -> Result<Loaded, RuntimeError> {
        let missing = || RuntimeError::StateMachineDoesNotExist(given.to_string());
        let store = self.store();
        let (version, alias_arn) = match qualifier {
            Qualifier::Version(_) => (store.get_version(given).await?, None),
            Qualifier::Alias(_) => {
                let alias = store.get_alias(given).await?.ok_or_else(missing)?;
                let route =
                    pick(&alias.routing, rand::random::<u32>() % 100).ok_or_else(missing)?;
                (
                    store.get_version(&route.version_arn).await?,
                    Some(alias.arn.clone()),
                )
            }
        };
        let version = version.ok_or_else(missing)?;
        self.load_version(&version, alias_arn)
            .await?
            .ok_or_else(missing)
    }

    async fn load_version(
        &self,
        version: &VersionRecord,
        alias_arn: Option<String>,
    ) -> Result<Option<Loaded>, RuntimeError> {
        let store = self.store();
        let Some(machine) = store.get_state_machine(&version.state_machine_arn).await? else {
            return Ok(None);
        };
        let Some(revision) = store
            .get_revision(&version.state_machine_arn, version.revision)
            .await?
        else {
            return Ok(None);
        };
        let compiled = self.compiled(
            &machine.arn,
            revision.revision,
            &revision.definition,
            machine.kind,
        )?;
        let record = StateMachineRecord {
            definition: revision.definition,
            role_arn: revision.role_arn,
            revision: revision.revision,
            revision_id: version.revision_id.clone(),
            ..machine
        };
        Ok(Some(Loaded {
            record: Arc::new(record),
            compiled,
            version_arn: Some(version.arn.clone()),
            alias_arn,
        }))
    }
}

/// The qualifier of a state machine ARN, if it has one.
pub(crate) fn qualifier_of(state_machine_arn: &str) -> Option<Qualifier> {
    Arn::parse(state_machine_arn).ok()?.qualifier()
}

/// Whether `state_machine_arn` has no qualifier (what the store keeps state machines under).
pub fn is_unqualified(state_machine_arn: &str) -> bool {
    arn::unqualified(state_machine_arn) == state_machine_arn
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(version: &str, weight: u32) -> Route {
        Route {
            version_arn: version.into(),
            weight,
        }
    }

    #[test]
    fn draws_split_by_weight() {
        let routes = [route("a", 80), route("b", 20)];
        let to_a = (0..100)
            .filter(|draw| pick(&routes, *draw).unwrap().version_arn == "a")
            .count();
        assert_eq!(to_a, 80);
        assert_eq!(pick(&routes, 79).unwrap().version_arn, "a");
        assert_eq!(pick(&routes, 80).unwrap().version_arn, "b");
        let single = [route("only", 100)];
        assert!((0..100).all(|draw| pick(&single, draw).unwrap().version_arn == "only"));
        let zero = [route("never", 0), route("always", 100)];
        assert!((0..100).all(|draw| pick(&zero, draw).unwrap().version_arn == "always"));
        assert!(pick(&[], 3).is_none());
    }
}
