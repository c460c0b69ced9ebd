//! One evaluation's state, shared by the host functions it registers: the string budget, the
//! limit that stopped it (if any), the clock reading and the random generator, and the host
//! functions themselves (a guarded built-in delegates to the real one in a nested evaluator
//! that must know them too, for the lambdas `$replace` may call).

use crate::error::{ErrorKind, JsonataError};
use crate::scope::Limits;
use jsonata_core::evaluator::{
    Context, Evaluator, EvaluatorError, EvaluatorOptions, HostCtx, HostFn, HostFnResult,
};
use jsonata_core::value::JValue;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

/// The shared form of a host function, so a session can register it on several evaluators.
pub(crate) type Host = Rc<dyn Fn(&[JValue]) -> HostFnResult>;

struct Shared(Host);

impl HostFn for Shared {
    fn call(&self, args: &[JValue], _ctx: &mut HostCtx) -> HostFnResult {
        (self.0)(args)
    }
}

pub(crate) struct Session {
    pub(crate) limits: Limits,
    started: Instant,
    string_bytes_left: Cell<usize>,
    tripped: RefCell<Option<JsonataError>>,
    now_millis: i64,
    rng: RefCell<StdRng>,
    hosts: RefCell<Vec<(String, Host)>>,
}

impl Session {
    /// `now_millis` and `random_seed` come from the [`crate::EvalEnv`], read before the
    /// evaluation starts and only when the expression uses the clock or randomness (host
    /// functions cannot hold a borrowed environment).
    pub(crate) fn new(limits: &Limits, now_millis: i64, random_seed: u64) -> Session {
        Session {
            limits: limits.clone(),
            started: Instant::now(),
            string_bytes_left: Cell::new(limits.max_string_bytes),
            tripped: RefCell::new(None),
            now_millis,
            rng: RefCell::new(StdRng::seed_from_u64(random_seed)),
            hosts: RefCell::new(Vec::new()),
        }
    }

    /// The clock reading of this evaluation (one per evaluation, as JSONata requires).
    pub(crate) fn now_millis(&self) -> i64 {
        self.now_millis
    }

    /// Draws from this evaluation's generator.
    pub(crate) fn with_rng<R>(&self, f: impl FnOnce(&mut StdRng) -> R) -> R {
        f(&mut self.rng.borrow_mut())
    }

    /// The evaluator's own guardrails, with the time that is left.
    pub(crate) fn options(&self) -> EvaluatorOptions {
        let left = self.limits.timeout.saturating_sub(self.started.elapsed());
        EvaluatorOptions {
            timeout_ms: Some(left.as_millis() as u64),
            max_stack_depth: Some(self.limits.max_depth),
            max_sequence_length: Some(self.limits.max_sequence_length),
            ..EvaluatorOptions::default()
        }
    }

    pub(crate) fn add_host(&self, name: impl Into<String>, f: Host) {
        self.hosts.borrow_mut().push((name.into(), f));
    }

    /// An evaluator with this session's options and host functions.
    pub(crate) fn evaluator(&self, context: Context) -> Result<Evaluator, JsonataError> {
        let mut ev = Evaluator::with_options(context, self.options());
        for (name, f) in self.hosts.borrow().iter() {
            ev.register_fn_override(name.clone(), Shared(Rc::clone(f)))
                .map_err(|e| JsonataError::new(ErrorKind::Evaluation, e.message()))?;
        }
        Ok(ev)
    }

    /// Breaks the cycle between the session and the host functions that hold it.
    pub(crate) fn close(&self) {
        self.hosts.borrow_mut().clear();
    }

    /// Counts `bytes` of new strings against the budget; over it, records the limit and
    /// stops the evaluation.
    pub(crate) fn charge(&self, bytes: usize) -> Result<(), EvaluatorError> {
        let left = self.string_bytes_left.get();
        if bytes > left {
            return Err(self.trip(format!(
                "The expression built more than {} bytes of strings",
                self.limits.max_string_bytes
            )));
        }
        self.string_bytes_left.set(left - bytes);
        Ok(())
    }

    pub(crate) fn string_bytes_left(&self) -> usize {
        self.string_bytes_left.get()
    }

    /// Stops the evaluation when its time is up, for loops inside a host function, which the
    /// evaluator's own checks do not reach.
    pub(crate) fn check_deadline(&self) -> Result<(), EvaluatorError> {
        if self.started.elapsed() > self.limits.timeout {
            return Err(self.trip(format!(
                "D1012: Evaluation timeout after {} milliseconds. Check for infinite loop",
                self.limits.timeout.as_millis()
            )));
        }
        Ok(())
    }

    /// Records a Fluxo limit as the reason the evaluation stops and gives the error that
    /// stops it (the evaluator turns every error into its own type, so the limit is kept here).
    pub(crate) fn trip(&self, message: String) -> EvaluatorError {
        let error = JsonataError::new(ErrorKind::Limit, message.clone());
        self.tripped.borrow_mut().get_or_insert(error);
        EvaluatorError::EvaluationError(message)
    }

    /// The limit that stopped the evaluation, if one did.
    pub(crate) fn tripped(&self) -> Option<JsonataError> {
        self.tripped.borrow().clone()
    }
}
