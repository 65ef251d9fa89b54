//! Closing an account (refused with the reason while it owes, holds or has open invoices), or
//! reopening a closed one (`PUT /accounts/{id}` with its own details, checked by core).

use creditdesk_core::account::AccountStatus;
use creditdesk_core::commands::UpsertAccount;
use creditdesk_core::ids::AccountId;
use creditdesk_core::wire::AccountView;
use creditdesk_core::ValidationErrors;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::form::{use_form, FormSpec};
use crate::dom::confirm;

/// The close or reopen button of the page header.
#[component]
pub fn CloseOrReopen(
    /// The account.
    account: AccountView,
    /// Called once the server accepted.
    on_done: Callback<String>,
) -> impl IntoView {
    let open = account.status == AccountStatus::Open;
    let id = account.id.parse::<AccountId>().ok();
    let body = if open {
        serde_json::Value::Null
    } else {
        json!({ "document": account.document, "documentType": account.document_type, "email": account.email })
    };
    let form = use_form(
        FormSpec::new(
            if open { Method::Delete } else { Method::Put },
            account_path(&account.id, ""),
            move || body.clone(),
            move |body| match (&id, open) {
                (_, true) => Ok(()),
                (Some(id), false) => UpsertAccount::from_json(body, id).map(|_| ()),
                (None, false) => Err(ValidationErrors::single("id", "is not an account id")),
            },
            move |_| {
                if open {
                    "Account closed."
                } else {
                    "Account reopened."
                }
                .to_owned()
            },
        ),
        on_done,
    );
    let click = move |_| {
        if !open || confirm("Close this account? It cannot buy on credit until it is reopened.") {
            form.submit.run(());
        }
    };
    let error = Signal::derive(move || form.general().get().or_else(|| form.error("email").get()));
    view! {
        <div class="header-actions">
            <button type="button" id="account-close-or-reopen" class="secondary" on:click=click>
                {if open { "Close account" } else { "Reopen account" }}
            </button>
            <p class="error-text" id="account-status-error" role="alert">{move || error.get()}</p>
        </div>
    }
    .into_any()
}
