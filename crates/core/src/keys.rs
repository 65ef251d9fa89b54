//! API keys' vocabulary: the resources a key may hold (the reference spec's Permissions tables)
//! and the body of a new key. The server stores keys and checks them; the admin shows the same
//! names and checks a new key's body with [`NewKey::from_json`] as it is typed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fields::{parse, Fields};
use crate::text::{TextKind, TextRule};
use crate::validation::ValidationErrors;

/// Most characters of a key's label.
pub const LABEL_CHARS_MAX: u32 = 100;

/// A License-Manager-style resource, named as in the reference spec's Permissions tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Resource {
    #[serde(rename = "Main Access")]
    MainAccess,
    #[serde(rename = "Read Invoices")]
    ReadInvoices,
    #[serde(rename = "Create Invoices")]
    CreateInvoices,
    #[serde(rename = "Pay Invoice")]
    PayInvoice,
    #[serde(rename = "Read Checking Accounts")]
    ReadCheckingAccounts,
    #[serde(rename = "Create Checking Accounts")]
    CreateCheckingAccounts,
    #[serde(rename = "Read Statements")]
    ReadStatements,
    #[serde(rename = "Edit credits")]
    EditCredits,
    #[serde(rename = "Create Statements")]
    CreateStatements,
    #[serde(rename = "Read Configuration")]
    ReadConfiguration,
    #[serde(rename = "Edit Configuration")]
    EditConfiguration,
    /// Creditdesk's: one-time My Credits sign-in links for buyers (the store's backend asks them).
    #[serde(rename = "Issue Buyer Links")]
    IssueBuyerLinks,
}

impl Resource {
    pub const ALL: [Resource; 12] = [
        Resource::MainAccess,
        Resource::ReadInvoices,
        Resource::CreateInvoices,
        Resource::PayInvoice,
        Resource::ReadCheckingAccounts,
        Resource::CreateCheckingAccounts,
        Resource::ReadStatements,
        Resource::EditCredits,
        Resource::CreateStatements,
        Resource::ReadConfiguration,
        Resource::EditConfiguration,
        Resource::IssueBuyerLinks,
    ];

    /// The spec's name, also the stored form.
    pub fn name(self) -> &'static str {
        match self {
            Resource::MainAccess => "Main Access",
            Resource::ReadInvoices => "Read Invoices",
            Resource::CreateInvoices => "Create Invoices",
            Resource::PayInvoice => "Pay Invoice",
            Resource::ReadCheckingAccounts => "Read Checking Accounts",
            Resource::CreateCheckingAccounts => "Create Checking Accounts",
            Resource::ReadStatements => "Read Statements",
            Resource::EditCredits => "Edit credits",
            Resource::CreateStatements => "Create Statements",
            Resource::ReadConfiguration => "Read Configuration",
            Resource::EditConfiguration => "Edit Configuration",
            Resource::IssueBuyerLinks => "Issue Buyer Links",
        }
    }

    pub fn from_name(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// `POST /api/creditdesk/keys`: `{label, resources: ["Read Invoices", …]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub label: String,
    /// Each named once, at least one.
    pub resources: Vec<Resource>,
}

impl NewKey {
    /// The fields of a new key's body.
    pub const FIELDS: &[&str] = &["label", "resources"];

    /// `{label, resources: ["Read Invoices", …]}`.
    pub fn from_json(body: &Value) -> Result<NewKey, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let label = f.required("label", |v| {
            let label = parse::text(v, TextRule::new(TextKind::Line, LABEL_CHARS_MAX))?;
            if label.trim().is_empty() {
                return Err("must not be empty".into());
            }
            Ok(label)
        });
        let resources = f.required("resources", |v| {
            let names = v.as_array().ok_or("must be a list of resource names")?;
            let mut resources = Vec::new();
            for name in names {
                let resource = name.as_str().and_then(Resource::from_name).ok_or_else(|| {
                    let known: Vec<&str> = Resource::ALL.iter().map(|r| r.name()).collect();
                    format!(
                        "{name} is not a resource; the resources are {}",
                        known.join(", ")
                    )
                })?;
                if !resources.contains(&resource) {
                    resources.push(resource);
                }
            }
            if resources.is_empty() {
                return Err("must name at least one resource".to_owned());
            }
            Ok(resources)
        });
        f.finish(|| {
            Some(NewKey {
                label: label?,
                resources: resources?,
            })
        })
    }
}
