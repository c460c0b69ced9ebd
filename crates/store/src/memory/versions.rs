//! Versions and aliases in the in-memory store: the reference rules of [`VersionStore`].

use super::{MemoryStore, Tables};
use crate::*;

impl Tables {
    /// The aliases (by name) that route to `version_arn`.
    fn aliases_routing_to(&self, version_arn: &str) -> Vec<String> {
        self.aliases
            .values()
            .filter(|a| a.routing.iter().any(|r| r.version_arn == version_arn))
            .map(|a| a.name.clone())
            .collect()
    }

    fn check_routes(&self, routes: &[Route]) -> StoreResult<()> {
        match routes
            .iter()
            .find(|r| !self.versions.contains_key(&r.version_arn))
        {
            Some(missing) => Err(StoreError::NotFound(missing.version_arn.clone())),
            None => Ok(()),
        }
    }

    /// Forgets the versions and aliases of a deleted state machine.
    pub(super) fn drop_versions(&mut self, state_machine_arn: &str) {
        self.versions
            .retain(|_, v| v.state_machine_arn != state_machine_arn);
        self.aliases
            .retain(|_, a| a.state_machine_arn != state_machine_arn);
        self.last_version.remove(state_machine_arn);
    }
}

impl VersionStore for MemoryStore {
    fn publish_version(&self, publish: Publish) -> StoreFuture<'_, Made<VersionRecord>> {
        self.with(move |tables| {
            let machine = tables
                .state_machines
                .get(&publish.state_machine_arn)
                .ok_or_else(|| StoreError::NotFound(publish.state_machine_arn.clone()))?
                .clone();
            revision_check(&publish, &machine)?;
            let latest = tables
                .versions
                .values()
                .filter(|v| v.state_machine_arn == machine.arn)
                .max_by_key(|v| v.number);
            if let Some(existing) = republished(latest, &machine) {
                return Ok(Made::Existing(existing.clone()));
            }
            let count = tables
                .versions
                .values()
                .filter(|v| v.state_machine_arn == machine.arn)
                .count();
            if count >= MAX_VERSIONS {
                return Err(versions_exceeded(&machine.arn));
            }
            let number = tables.last_version.entry(machine.arn.clone()).or_default();
            *number += 1;
            let version = VersionRecord {
                arn: fluxo_types::arn::state_machine_version(&machine.arn, *number),
                state_machine_arn: machine.arn.clone(),
                number: *number,
                revision: machine.revision,
                revision_id: machine.revision_id.clone(),
                description: publish.description,
                created_ms: publish.created_ms,
            };
            tables.versions.insert(version.arn.clone(), version.clone());
            Ok(Made::Created(version))
        })
    }

    fn get_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<VersionRecord>> {
        self.with(move |tables| Ok(tables.versions.get(arn).cloned()))
    }

    fn list_versions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<VersionRecord>> {
        self.with(move |tables| {
            let before = page.after_number(Listing::Versions)?.unwrap_or(u64::MAX);
            let mut versions: Vec<VersionRecord> = tables
                .versions
                .values()
                .filter(|v| v.state_machine_arn == state_machine_arn && v.number < before)
                .cloned()
                .collect();
            versions.sort_by_key(|v| std::cmp::Reverse(v.number));
            versions.truncate(page.limit() + 1);
            Ok(listed(versions, page.limit(), Listing::Versions, |v| {
                v.number.to_string()
            }))
        })
    }

    fn delete_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            let aliases = tables.aliases_routing_to(arn);
            if !aliases.is_empty() {
                return Err(StoreError::VersionInUse { aliases });
            }
            tables.versions.remove(arn);
            Ok(())
        })
    }

    fn create_alias(&self, alias: AliasRecord) -> StoreFuture<'_, Made<AliasRecord>> {
        self.with(move |tables| {
            if let Some(existing) = tables.aliases.get(&alias.arn) {
                return if existing.same_creation(&alias) {
                    Ok(Made::Existing(existing.clone()))
                } else {
                    Err(StoreError::NameConflict(alias.arn))
                };
            }
            tables.check_routes(&alias.routing)?;
            let count = tables
                .aliases
                .values()
                .filter(|a| a.state_machine_arn == alias.state_machine_arn)
                .count();
            if count >= MAX_ALIASES {
                return Err(aliases_exceeded(&alias.state_machine_arn));
            }
            tables.aliases.insert(alias.arn.clone(), alias.clone());
            Ok(Made::Created(alias))
        })
    }

    fn get_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<AliasRecord>> {
        self.with(move |tables| Ok(tables.aliases.get(arn).cloned()))
    }

    fn update_alias(&self, update: AliasUpdate) -> StoreFuture<'_, AliasRecord> {
        self.with(move |tables| {
            if let Some(routing) = &update.routing {
                tables.check_routes(routing)?;
            }
            let alias = tables
                .aliases
                .get_mut(&update.arn)
                .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
            if let Some(description) = update.description {
                alias.description = Some(description);
            }
            if let Some(routing) = update.routing {
                alias.routing = routing;
            }
            alias.updated_ms = update.updated_ms;
            Ok(alias.clone())
        })
    }

    fn delete_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            tables.aliases.remove(arn);
            Ok(())
        })
    }

    fn list_aliases<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<AliasRecord>> {
        self.with(move |tables| {
            let after = page.after(Listing::Aliases)?;
            let mut aliases: Vec<AliasRecord> = tables
                .aliases
                .values()
                .filter(|a| a.state_machine_arn == state_machine_arn)
                .filter(|a| after.as_ref().is_none_or(|after| &a.name > after))
                .cloned()
                .collect();
            aliases.sort_by(|a, b| a.name.cmp(&b.name));
            aliases.truncate(page.limit() + 1);
            Ok(listed(aliases, page.limit(), Listing::Aliases, |a| {
                a.name.clone()
            }))
        })
    }
}
