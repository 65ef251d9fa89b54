//! What an app key may do: the resources of the reference spec's Permissions tables. Its own
//! module, below both `auth` (which checks them) and `error` (which names the one missing).

use serde::{Deserialize, Serialize};

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
}

impl Resource {
    pub const ALL: [Resource; 11] = [
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
        }
    }

    pub fn from_name(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.name() == name)
    }
}
