//! Timing hooks for the criterion benchmarks (`benches/fit.rs`): the
//! E-step, the M-step, and the streaming floor, each without the one-off
//! preparation of the panel. Not part of the supported API.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::data::Panel;
use crate::em::estep::{CHUNK, estep};
use crate::em::mstep::mstep;
use crate::em::workspace::Workspace;
use crate::model::TrajectoryModel;

/// Runs `iters` full E-steps of `model` on `panel` (posteriors and the
/// M-step sums) and returns the time they took.
#[doc(hidden)]
pub fn time_esteps(model: &TrajectoryModel, panel: &Panel, iters: u64) -> Duration {
    let ws = Workspace::new(panel, model.spec(), model.age_scale());
    let start = Instant::now();
    for _ in 0..iters {
        black_box(estep(&ws, model.params()).ll);
    }
    start.elapsed()
}

/// Runs `iters` M-steps from `model`'s parameters on the sums of one
/// E-step at them, and returns the time they took.
#[doc(hidden)]
pub fn time_msteps(model: &TrajectoryModel, panel: &Panel, iters: u64) -> Duration {
    let ws = Workspace::new(panel, model.spec(), model.age_scale());
    let stats = estep(&ws, model.params());
    let start = Instant::now();
    for _ in 0..iters {
        let mut p = model.params().clone();
        mstep(&ws, &stats, &mut p);
        black_box(p);
    }
    start.elapsed()
}

/// The streaming floor: `iters` passes that read every observed cell in
/// the layout the E-step reads (persons in the same parallel chunks, zeros
/// and positive counts) and add the counts into `groups` sums per person,
/// with no likelihood arithmetic. An E-step cannot be faster than this.
#[doc(hidden)]
pub fn time_floor(panel: &Panel, groups: usize, iters: u64) -> Duration {
    let spec = match crate::model::ModelSpec::new(crate::model::Family::Poisson, vec![0], None) {
        Ok(s) => s,
        Err(_) => return Duration::ZERO,
    };
    let ws = Workspace::new(
        panel,
        &spec,
        crate::design::AgeScale::from_ages(panel.ages()),
    );
    let c = &ws.cells;
    let n = panel.n_persons();
    let start = Instant::now();
    for _ in 0..iters {
        let total: f64 = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|ch| {
                let mut acc = vec![0.0; groups];
                for i in ch * CHUNK..((ch + 1) * CHUNK).min(n) {
                    let zeros = (c.zero_off[i + 1] - c.zero_off[i]) as f64;
                    for (g, a) in acc.iter_mut().enumerate() {
                        *a += zeros * g as f64;
                        for &y in &c.pos_y[c.pos_off[i]..c.pos_off[i + 1]] {
                            *a += y;
                        }
                    }
                }
                acc.iter().sum::<f64>()
            })
            .sum();
        black_box(total);
    }
    start.elapsed()
}
