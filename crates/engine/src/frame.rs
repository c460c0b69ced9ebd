//! What the states of one thread (the execution, a Parallel branch, a Map iteration) share
//! besides their input: workflow variables, `$$.Map.Item`, and a random source of their own.
//!
//! Each thread draws from its own random source, seeded from its parent's seed and its
//! position (the id of the event that started it, its index): draws then depend only on the
//! thread's own history, never on how concurrent threads interleaved, so a replay reproduces
//! `States.UUID`, `States.MathRandom`, jitter and request ids exactly.

use fluxo_expr::Scope;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{Map, Value};
use std::sync::Mutex;

/// Where a frame's thread comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Execution,
    ParallelBranch,
    MapIteration,
}

/// AWS's quotas on workflow variables (Step Functions developer guide, "Passing data between
/// states with variables": 256 KiB for one variable and for all the variables one `Assign`
/// sets, 10 MiB for all the variables of an execution), as JSON text.
pub(crate) const MAX_ASSIGN_BYTES: usize = 256 * 1024;
pub(crate) const MAX_VARIABLES_BYTES: usize = 10 * 1024 * 1024;

/// Which variable quota an `Assign` would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VariablesTooLarge {
    Assign,
    Execution,
}

pub(crate) struct Frame {
    pub variables: Map<String, Value>,
    /// The size of each variable as JSON text, and their sum: the execution quota is checked
    /// without measuring the variables already set again.
    sizes: std::collections::HashMap<String, usize>,
    total_bytes: usize,
    /// `$$.Map.Item` inside a Map iteration.
    pub map_item: Option<Value>,
    pub origin: Origin,
    seed: u64,
    rng: Mutex<StdRng>,
}

/// SplitMix64's finalizer: spreads a combination of seed and position over all 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Frame {
    /// The execution's own frame.
    pub fn root(seed: u64) -> Self {
        Frame {
            variables: Map::new(),
            sizes: Default::default(),
            total_bytes: 0,
            map_item: None,
            origin: Origin::Execution,
            seed,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// The frame of branch or iteration `index` of the state whose start event is `origin`:
    /// it sees the enclosing variables (what it assigns stays inside) and draws from its own
    /// random source.
    pub fn child(&self, origin: u64, index: usize, map_item: Option<Value>) -> Self {
        let seed = mix(self.seed ^ mix(origin) ^ mix(index as u64).rotate_left(17));
        Frame {
            variables: self.variables.clone(),
            sizes: self.sizes.clone(),
            total_bytes: self.total_bytes,
            origin: match map_item {
                Some(_) => Origin::MapIteration,
                None => Origin::ParallelBranch,
            },
            map_item,
            seed,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// Sets the variables an `Assign` gave, within AWS's quotas; nothing is set when one is
    /// exceeded.
    pub fn assign(&mut self, assigned: &Map<String, Value>) -> Result<(), VariablesTooLarge> {
        let mut sizes = Vec::with_capacity(assigned.len());
        let mut assign_bytes = 0usize;
        for (name, value) in assigned {
            let left = MAX_ASSIGN_BYTES - assign_bytes;
            let size =
                crate::payload::json_len_within(value, left).ok_or(VariablesTooLarge::Assign)?;
            assign_bytes += size;
            sizes.push((name, size));
        }
        let replaced: usize = sizes
            .iter()
            .filter_map(|(name, _)| self.sizes.get(name.as_str()))
            .sum();
        let total = self.total_bytes - replaced + assign_bytes;
        if total > MAX_VARIABLES_BYTES {
            return Err(VariablesTooLarge::Execution);
        }
        self.total_bytes = total;
        for (name, size) in sizes {
            self.sizes.insert(name.clone(), size);
            self.variables
                .insert(name.clone(), assigned[name.as_str()].clone());
        }
        Ok(())
    }

    /// What an expression sees: `$` is `input`, `$$` is `context`, `$name` this frame's variables.
    pub fn scope<'a>(&'a self, input: &'a Value, context: &'a Value) -> Scope<'a> {
        Scope {
            input,
            context,
            variables: Some(&self.variables),
        }
    }

    pub fn with_rng<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut rng)
    }

    /// A fresh UUID (v4) from this frame's random source.
    pub fn uuid(&self) -> String {
        self.with_rng(|rng| {
            let mut bytes = [0u8; 16];
            rand::RngCore::fill_bytes(rng, &mut bytes);
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn children_draw_by_position_not_by_order() {
        let root = Frame::root(7);
        let draw = |frame: &Frame| frame.with_rng(|rng| rng.random::<u64>());
        let (a, b) = (root.child(3, 0, None), root.child(3, 1, None));
        let first = (draw(&a), draw(&b));
        let again = Frame::root(7);
        let (b2, a2) = (again.child(3, 1, None), again.child(3, 0, None));
        assert_eq!((draw(&a2), draw(&b2)), first);
        assert_ne!(first.0, first.1);
        assert_ne!(draw(&root.child(4, 0, None)), first.0);
    }
}
