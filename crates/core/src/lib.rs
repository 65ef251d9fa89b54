//! Creditdesk's credit rules, as pure Rust.
//!
//! This crate is the single home of every rule of customer credit: money and rates, the store
//! configuration and its validation, and (as it grows) accounts, holds, installments, invoices and
//! statements. It is shared by the server (native) and the admin (wasm32), so a rule checked in
//! the browser is the same rule enforced by the API.
//!
//! Architecture invariant: this crate knows no IO, no HTTP, no SQL, no DOM and no clock. Time and
//! new ids are passed in by the caller; nothing here reads the environment.
//!
//! ```
//! use creditdesk_core::store_config::StoreConfig;
//!
//! let current = StoreConfig::default();
//! let body = serde_json::json!({ "postponementEnabled": true, "maxPostponementDays": 30 });
//! let next = current.apply_update(&body).expect("valid update");
//! assert!(next.postponement_enabled());
//! assert_eq!(next.max_postponement_days(), 30);
//!
//! let bad = serde_json::json!({ "taxRate": 1.5 });
//! let errors = current.apply_update(&bad).unwrap_err();
//! assert_eq!(errors.iter().next().unwrap().field, "taxRate");
//! ```

pub mod account;
pub mod book;
pub mod buyer;
pub mod commands;
pub mod company;
pub mod credit;
pub mod dashboard;
pub mod decimal;
pub mod error;
pub mod error_body;
pub mod export;
pub mod fields;
pub mod ids;
pub mod import;
pub mod installments;
pub mod interest;
pub mod invoice;
pub mod keys;
pub mod ledger;
pub mod memory;
pub mod money;
pub mod ops;
pub mod order;
pub mod rate;
pub mod reads;
pub mod reminders;
pub mod search;
pub mod search_criteria;
pub mod store_config;
pub mod text;
pub mod timestamp;
pub mod transaction;
pub mod validation;
pub mod webhooks;
pub mod wire;

pub use error::CreditError;
pub use error_body::{ErrorBody, ErrorCode, ErrorDetail};
pub use money::Money;
pub use rate::Rate;
pub use timestamp::Timestamp;
pub use validation::{FieldError, ValidationErrors};
