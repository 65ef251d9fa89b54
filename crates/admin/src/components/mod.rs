//! Screen pieces shared by the routes.

pub mod command;
pub mod field;
pub mod invoice_table;
pub mod layout;
pub mod notice;
pub mod panel;
