//! One file per screen.

pub mod account;
pub mod accounts;
pub mod dashboard;
pub mod data;
pub mod imports;
pub mod invoices;
pub mod keys;
pub mod not_found;
pub mod sign_in;
pub mod store_config;
pub mod webhooks;
