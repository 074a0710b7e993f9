//! Study-specific code: the reproduction of the reference study's four
//! offending profiles ([`four_profiles`]). Kept apart from the general
//! library so that its published constants do not crowd the crate root.

pub mod four_profiles;
