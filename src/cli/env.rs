//! Environment variables that stand in for flags.

/// The variables dossier reads (clap maps them to `--corpus`, `--index` and
/// `--no-refresh`).
pub(crate) const VARIABLES: [&str; 3] = ["DOSSIER_CORPUS", "DOSSIER_INDEX", "DOSSIER_NO_REFRESH"];

/// Treats an empty variable as unset. clap would otherwise report "a value
/// is required for '--index <DIR>'" although no flag was given, which is
/// what `DOSSIER_INDEX= dossier search ...` means to do.
pub(crate) fn forget_empty_variables() {
    for name in VARIABLES {
        if std::env::var_os(name).is_some_and(|v| v.is_empty()) {
            // Called first thing in main, before any thread exists.
            std::env::remove_var(name);
        }
    }
}
