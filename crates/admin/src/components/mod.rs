//! Screen pieces shared by the routes.

pub mod credits;
pub mod csv_download;
pub mod field;
pub mod form;
pub mod invoice_table;
pub mod layout;
pub mod loading;
pub mod notice;
pub mod panel;
pub mod reminders;
