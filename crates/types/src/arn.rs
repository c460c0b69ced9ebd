//! Every Step Functions ARN Fluxo builds or reads, in one place.
//!
//! Forms (Step Functions developer guide, "Resource types defined by AWS Step Functions"):
//!
//! | resource | form |
//! |---|---|
//! | state machine | `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION or :ALIAS]` |
//! | execution | `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME` |
//! | Express execution | `arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:ID` |
//! | Map Run | `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID` |
//! | activity | `arn:aws:states:REGION:ACCOUNT:activity:NAME` |
//!
//! Builders concatenate (they run for every execution; `format!` costs several times more).

use std::fmt;

/// The partition Fluxo gives its own resources.
pub const PARTITION: &str = "aws";

/// The resource type named in the sixth field of an ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceType {
    StateMachine,
    Execution,
    Express,
    MapRun,
    Activity,
}

impl ResourceType {
    /// The ARN's spelling, e.g. `stateMachine`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::StateMachine => "stateMachine",
            ResourceType::Execution => "execution",
            ResourceType::Express => "express",
            ResourceType::MapRun => "mapRun",
            ResourceType::Activity => "activity",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            ResourceType::StateMachine,
            ResourceType::Execution,
            ResourceType::Express,
            ResourceType::MapRun,
            ResourceType::Activity,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not the ARN that was asked for. The API answers both as `InvalidArn`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// Not an ARN at all: AWS says `Invalid Arn: 'Invalid ARN prefix: <text>'` (recorded case
    /// `api/sfn_api__test_describe_invalid_arn_sm`).
    #[error("Invalid Arn: 'Invalid ARN prefix: {0}'")]
    Prefix(String),
    /// A Step Functions ARN with missing or empty parts: `Invalid Arn: '<arn>'`.
    #[error("Invalid Arn: '{0}'")]
    Malformed(String),
    /// A well-formed ARN of another resource type: AWS names the type it found, e.g.
    /// `Invalid Arn: 'Resource type not valid in this context: express'`.
    #[error("Invalid Arn: 'Resource type not valid in this context: {0}'")]
    WrongType(String),
}

/// The resource an ARN names, with its own parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A state machine, optionally qualified by a version number or an alias name.
    StateMachine {
        name: String,
        qualifier: Option<String>,
    },
    Execution {
        state_machine: String,
        name: String,
    },
    Express {
        state_machine: String,
        name: String,
        id: String,
    },
    MapRun {
        state_machine: String,
        label: String,
        id: String,
    },
    Activity {
        name: String,
    },
}

/// A parsed Step Functions ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub resource: Resource,
}

impl Arn {
    /// Parses any of the forms in the module's table.
    pub fn parse(text: &str) -> Result<Arn, ArnError> {
        let malformed = || ArnError::Malformed(text.to_string());
        if !text.starts_with("arn:") {
            return Err(ArnError::Prefix(text.to_string()));
        }
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() < 7
            || parts[0] != "arn"
            || parts[1].is_empty()
            || parts[2] != "states"
            || parts[3].is_empty()
            || parts[4].is_empty()
            || parts[6..].iter().any(|part| part.is_empty())
        {
            return Err(malformed());
        }
        let kind = ResourceType::parse(parts[5])
            .ok_or_else(|| ArnError::WrongType(parts[5].to_string()))?;
        let rest = &parts[6..];
        let own = |s: &&str| s.to_string();
        let resource = match (kind, rest) {
            (ResourceType::StateMachine, [name]) => Resource::StateMachine {
                name: own(name),
                qualifier: None,
            },
            (ResourceType::StateMachine, [name, qualifier]) => Resource::StateMachine {
                name: own(name),
                qualifier: Some(own(qualifier)),
            },
            (ResourceType::Execution, [machine, name]) => Resource::Execution {
                state_machine: own(machine),
                name: own(name),
            },
            (ResourceType::Express, [machine, name, id]) => Resource::Express {
                state_machine: own(machine),
                name: own(name),
                id: own(id),
            },
            (ResourceType::MapRun, [machine_and_label, id]) => {
                let (machine, label) = machine_and_label.split_once('/').ok_or_else(malformed)?;
                Resource::MapRun {
                    state_machine: machine.to_string(),
                    label: label.to_string(),
                    id: own(id),
                }
            }
            (ResourceType::Activity, [name]) => Resource::Activity { name: own(name) },
            _ => return Err(malformed()),
        };
        Ok(Arn {
            partition: parts[1].to_string(),
            region: parts[3].to_string(),
            account: parts[4].to_string(),
            resource,
        })
    }

    /// Parses an ARN that must name a resource of type `kind`.
    pub fn parse_as(text: &str, kind: ResourceType) -> Result<Arn, ArnError> {
        let arn = Arn::parse(text)?;
        if arn.resource_type() != kind {
            return Err(ArnError::WrongType(arn.resource_type().as_str().into()));
        }
        Ok(arn)
    }

    pub fn resource_type(&self) -> ResourceType {
        match self.resource {
            Resource::StateMachine { .. } => ResourceType::StateMachine,
            Resource::Execution { .. } => ResourceType::Execution,
            Resource::Express { .. } => ResourceType::Express,
            Resource::MapRun { .. } => ResourceType::MapRun,
            Resource::Activity { .. } => ResourceType::Activity,
        }
    }

    /// The state machine an execution, Express execution or Map Run belongs to (for a state
    /// machine ARN, itself without its qualifier).
    pub fn state_machine_name(&self) -> Option<&str> {
        match &self.resource {
            Resource::StateMachine { name, .. } => Some(name),
            Resource::Execution { state_machine, .. }
            | Resource::Express { state_machine, .. }
            | Resource::MapRun { state_machine, .. } => Some(state_machine),
            Resource::Activity { .. } => None,
        }
    }
}

/// What every ARN Fluxo builds starts with.
const START: &str = "arn:aws:states:";

/// `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME`.
pub fn state_machine(region: &str, account: &str, name: &str) -> String {
    [START, region, ":", account, ":stateMachine:", name].concat()
}

/// What a qualified state machine ARN names after the state machine's name: a version
/// (`…:stateMachine:NAME:3`, a number from 1) or an alias (`…:stateMachine:NAME:ALIAS`; alias
/// names must hold a letter, `_`, `-` or `.`, so they never read as a number). Developer guide,
/// "State machine versions and aliases".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qualifier {
    Version(u64),
    Alias(String),
}

impl Qualifier {
    /// Reads a qualifier: all digits is a version number, anything else an alias name.
    pub fn parse(text: &str) -> Qualifier {
        match text.parse::<u64>() {
            Ok(number) if text.bytes().all(|b| b.is_ascii_digit()) => Qualifier::Version(number),
            _ => Qualifier::Alias(text.to_string()),
        }
    }
}

impl Arn {
    /// The qualifier of a state machine ARN, if it has one.
    pub fn qualifier(&self) -> Option<Qualifier> {
        match &self.resource {
            Resource::StateMachine {
                qualifier: Some(qualifier),
                ..
            } => Some(Qualifier::parse(qualifier)),
            _ => None,
        }
    }
}

/// A state machine ARN without its version or alias qualifier (the text as given when it has
/// none, or is no state machine ARN).
pub fn unqualified(state_machine_arn: &str) -> &str {
    match Arn::parse(state_machine_arn) {
        Ok(Arn {
            resource:
                Resource::StateMachine {
                    qualifier: Some(qualifier),
                    ..
                },
            ..
        }) => &state_machine_arn[..state_machine_arn.len() - qualifier.len() - 1],
        _ => state_machine_arn,
    }
}

/// `…:stateMachine:NAME:VERSION`, from the unqualified state machine ARN.
pub fn state_machine_version(state_machine_arn: &str, version: u64) -> String {
    [state_machine_arn, ":", &version.to_string()].concat()
}

/// `…:stateMachine:NAME:ALIAS`, from the unqualified state machine ARN.
pub fn state_machine_alias(state_machine_arn: &str, alias: &str) -> String {
    [state_machine_arn, ":", alias].concat()
}

/// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME`.
pub fn execution(region: &str, account: &str, state_machine: &str, name: &str) -> String {
    [
        START,
        region,
        ":",
        account,
        ":execution:",
        state_machine,
        ":",
        name,
    ]
    .concat()
}

/// `arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:ID`.
pub fn express_execution(
    region: &str,
    account: &str,
    state_machine: &str,
    name: &str,
    id: &str,
) -> String {
    [
        START,
        region,
        ":",
        account,
        ":express:",
        state_machine,
        ":",
        name,
        ":",
        id,
    ]
    .concat()
}

/// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`.
pub fn map_run(region: &str, account: &str, state_machine: &str, label: &str, id: &str) -> String {
    [
        START,
        region,
        ":",
        account,
        ":mapRun:",
        state_machine,
        "/",
        label,
        ":",
        id,
    ]
    .concat()
}

/// `arn:aws:states:REGION:ACCOUNT:activity:NAME`.
pub fn activity(region: &str, account: &str, name: &str) -> String {
    [START, region, ":", account, ":activity:", name].concat()
}

/// The ARN of execution `name` of the state machine `state_machine_arn` (an unqualified
/// state machine ARN).
pub fn execution_of(state_machine_arn: &str, name: &str) -> String {
    [
        &state_machine_arn.replacen(":stateMachine:", ":execution:", 1),
        ":",
        name,
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_and_parser_agree() {
        let cases = [
            (
                state_machine("us-east-1", "123", "docs"),
                Resource::StateMachine {
                    name: "docs".into(),
                    qualifier: None,
                },
            ),
            (
                execution("us-east-1", "123", "docs", "run-1"),
                Resource::Execution {
                    state_machine: "docs".into(),
                    name: "run-1".into(),
                },
            ),
            (
                express_execution("us-east-1", "123", "docs", "run-1", "abc"),
                Resource::Express {
                    state_machine: "docs".into(),
                    name: "run-1".into(),
                    id: "abc".into(),
                },
            ),
            (
                map_run("us-east-1", "123", "docs", "Items", "abc"),
                Resource::MapRun {
                    state_machine: "docs".into(),
                    label: "Items".into(),
                    id: "abc".into(),
                },
            ),
            (
                activity("us-east-1", "123", "review"),
                Resource::Activity {
                    name: "review".into(),
                },
            ),
        ];
        for (text, resource) in cases {
            let arn = Arn::parse(&text).unwrap();
            assert_eq!(arn.resource, resource, "{text}");
            assert_eq!(
                (arn.region.as_str(), arn.account.as_str()),
                ("us-east-1", "123")
            );
        }
        assert_eq!(
            execution_of(&state_machine("r", "1", "m"), "e"),
            execution("r", "1", "m", "e")
        );
    }

    #[test]
    fn qualified_state_machines() {
        let arn = Arn::parse("arn:aws:states:r:1:stateMachine:m:3").unwrap();
        assert_eq!(
            arn.resource,
            Resource::StateMachine {
                name: "m".into(),
                qualifier: Some("3".into())
            }
        );
    }

    #[test]
    fn versions_and_aliases() {
        let machine = state_machine("r", "1", "m");
        let version = state_machine_version(&machine, 12);
        let alias = state_machine_alias(&machine, "prod-1");
        assert_eq!(version, "arn:aws:states:r:1:stateMachine:m:12");
        assert_eq!(
            Arn::parse(&version).unwrap().qualifier(),
            Some(Qualifier::Version(12))
        );
        assert_eq!(
            Arn::parse(&alias).unwrap().qualifier(),
            Some(Qualifier::Alias("prod-1".into()))
        );
        assert_eq!(Arn::parse(&machine).unwrap().qualifier(), None);
        assert_eq!(Qualifier::parse("+3"), Qualifier::Alias("+3".into()));
        assert_eq!(unqualified(&version), machine);
        assert_eq!(unqualified(&alias), machine);
        assert_eq!(unqualified(&machine), machine);
        assert_eq!(unqualified("junk"), "junk");
    }

    #[test]
    fn errors_name_what_aws_names() {
        let express = express_execution("r", "1", "m", "e", "id");
        assert_eq!(
            Arn::parse_as(&express, ResourceType::Execution)
                .unwrap_err()
                .to_string(),
            "Invalid Arn: 'Resource type not valid in this context: express'"
        );
        assert_eq!(
            Arn::parse("not_a_valid_arn").unwrap_err().to_string(),
            "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"
        );
        for bad in [
            "arn:aws:states:r:1:stateMachine",
            "arn:aws:lambda:r:1:function:f",
            "arn:aws:states:r:1:stateMachine:",
            "arn:aws:states:r:1:execution:m",
            "arn:aws:states:r:1:mapRun:m:id",
        ] {
            assert_eq!(
                Arn::parse(bad),
                Err(ArnError::Malformed(bad.to_string())),
                "{bad}"
            );
        }
    }
}
