//! Express executions, in memory: `StartSyncExecution` runs one and answers with its end;
//! `StartExecution` on an Express state machine runs one in the background. AWS keeps no
//! history of Express executions, so they record no event details unless their state
//! machine's `loggingConfiguration` asks for records and the operator configured an execution
//! log. The five-minute limit is enforced by the engine (`ExecutionRequest::express`).

use crate::execution_log::{ExecutionLog, Level, LoggingConfig};
use crate::{Loaded, Runtime};
use fluxo_engine::{ExecutionOutcome, ExecutionRequest, SystemEnvironment};
use fluxo_types::ExecutionStatus;
use serde_json::Value;
use std::sync::Arc;

/// How a synchronous Express execution ended (`StartSyncExecution`'s answer).
#[derive(Debug, Clone)]
pub struct ExpressOutcome {
    pub execution_arn: String,
    pub started_ms: i64,
    pub stopped_ms: i64,
    pub status: ExecutionStatus,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// Where an Express execution's records go, and which.
type Logging = Option<(Arc<ExecutionLog>, LoggingConfig)>;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Runtime {
    fn logging(&self, machine: &Loaded) -> Logging {
        let log = self.config.execution_log.clone()?;
        let config = LoggingConfig::stored(machine.record.logging.as_deref());
        (config.level != Level::Off).then_some((log, config))
    }

    fn express_request(
        &self,
        machine: &Loaded,
        name: &str,
        input: Value,
        logging: &Logging,
    ) -> ExecutionRequest {
        let mut request = ExecutionRequest::express(
            &self.config.region,
            &self.config.account,
            &machine.record.name,
            name,
            &uuid::Uuid::new_v4().to_string(),
            input,
        );
        request.role_arn = machine.record.role_arn.clone();
        // AWS keeps no history of Express executions: only the execution log reads their events.
        request.history_details = logging.is_some();
        request
    }

    fn run_in_memory(
        &self,
        machine: &Loaded,
        request: ExecutionRequest,
    ) -> impl std::future::Future<Output = ExecutionOutcome> + Send + 'static {
        let mut env = SystemEnvironment::new(self.functions.clone())
            .with_services(self.config.services.clone());
        if let Some(http) = &self.config.http {
            env = env.with_http(http.clone());
        }
        let env = Arc::new(env);
        fluxo_engine::execute(machine.compiled.clone(), request, env)
    }

    /// Runs an Express execution to its end (`StartSyncExecution`).
    pub async fn run_sync_express(
        &self,
        machine: &Loaded,
        name: &str,
        input: Value,
    ) -> ExpressOutcome {
        let logging = self.logging(machine);
        let request = self.express_request(machine, name, input, &logging);
        let execution_arn = request.execution_arn.clone();
        let started_ms = now_ms();
        let outcome = self.run_in_memory(machine, request).await;
        log(&logging, &execution_arn, &outcome);
        ExpressOutcome {
            execution_arn,
            started_ms,
            stopped_ms: now_ms(),
            status: outcome.status,
            output: outcome.output,
            error: outcome.error,
            cause: outcome.cause,
        }
    }

    /// Starts an Express execution in the background (`StartExecution` on an Express state
    /// machine) and returns its ARN and start time. It lives in memory only.
    pub fn start_express(&self, machine: &Loaded, name: &str, input: Value) -> (String, i64) {
        let logging = self.logging(machine);
        let request = self.express_request(machine, name, input, &logging);
        let execution_arn = request.execution_arn.clone();
        let run = self.run_in_memory(machine, request);
        let arn = execution_arn.clone();
        tokio::spawn(async move {
            let outcome = run.await;
            log(&logging, &arn, &outcome);
        });
        (execution_arn, now_ms())
    }
}

fn log(logging: &Logging, arn: &str, outcome: &ExecutionOutcome) {
    if let Some((log, config)) = logging {
        log.write(config, arn, &outcome.history);
    }
}
