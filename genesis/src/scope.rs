//! Regulator scope names as the genesis file spells them (`"assets"`,
//! `"mining"`; SPEC §2), shared by the file reader and the validator.

use tamga_types::Scope;

/// The file name of a scope.
pub(crate) fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::Assets => "assets",
        Scope::Mining => "mining",
    }
}

/// The scope a file name names, if any.
pub(crate) fn parse_scope(s: &str) -> Option<Scope> {
    match s {
        "assets" => Some(Scope::Assets),
        "mining" => Some(Scope::Mining),
        _ => None,
    }
}
