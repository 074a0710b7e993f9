//! The integration tests, in one binary (one link instead of one per file).
//! Each module is one theme; tests that need `../shared/data` are compiled as
//! ignored where it is absent (see build.rs).

mod architecture;
mod classify;
mod cli;
mod engine;
mod fixtures;
mod inference;
mod input_errors;
mod nb;
mod outputs;
mod pathological;
mod plot;
mod publish;
mod reproduce;
mod risk;
mod robustness;
mod select;
mod sensitivity;
mod synth;
mod tcov;
mod tcov_data;
mod workflow;
