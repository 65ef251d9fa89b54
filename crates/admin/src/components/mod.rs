//! Screen pieces shared by the routes.

pub mod field;
pub mod layout;
pub mod notice;
