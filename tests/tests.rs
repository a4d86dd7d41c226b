//! The one integration test binary: library API, corpus validation and CLI.

#[path = "suite/util.rs"]
mod util;

#[path = "suite/api.rs"]
mod api;
#[path = "suite/cli.rs"]
mod cli;
#[path = "suite/fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "suite/robustness.rs"]
mod robustness;
#[path = "suite/validation.rs"]
mod validation;
