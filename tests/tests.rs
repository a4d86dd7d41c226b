//! The one integration test binary: library API, corpus validation and CLI.

#[path = "suite/util.rs"]
mod util;

#[path = "suite/annotations.rs"]
mod annotations;
#[path = "suite/api.rs"]
mod api;
#[path = "suite/boolean.rs"]
mod boolean;
#[path = "suite/cli.rs"]
mod cli;
#[path = "suite/cli_safety.rs"]
mod cli_safety;
#[path = "suite/fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "suite/golden.rs"]
mod golden;
#[path = "suite/incremental.rs"]
mod incremental;
#[path = "suite/interchange.rs"]
mod interchange;
#[path = "suite/lifecycle.rs"]
mod lifecycle;
#[path = "suite/robustness.rs"]
mod robustness;
#[path = "suite/semantics.rs"]
mod semantics;
#[path = "suite/serve.rs"]
mod serve;
#[path = "suite/stance_filters.rs"]
mod stance_filters;
#[path = "suite/validation.rs"]
mod validation;
#[path = "suite/watch.rs"]
mod watch;
