//! The buyer's email and the account's description (`PUT /accounts/{id}`, which also reopens a
//! closed account).

use creditdesk_core::commands::UpsertAccount;
use creditdesk_core::ids::AccountId;
use creditdesk_core::wire::AccountView;
use creditdesk_core::ValidationErrors;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};

#[component]
pub fn DetailsForm(
    /// The account.
    account: AccountView,
    /// Called once the server accepted.
    on_done: Callback<String>,
) -> impl IntoView {
    let email = RwSignal::new(account.email.clone());
    let description = RwSignal::new(account.description.clone());
    let (document, document_type, id) = (account.document, account.document_type, account.id);
    let parsed = id.parse::<AccountId>().ok();
    let form = use_form(
        FormSpec::new(
            Method::Put,
            account_path(&id, ""),
            move || {
                json!({ "document": document, "documentType": document_type,
                        "email": email.get().trim(), "description": description.get() })
            },
            move |body| match &parsed {
                Some(id) => UpsertAccount::from_json(body, id).map(|_| ()),
                None => Err(ValidationErrors::single("id", "is not an account id")),
            },
            |_| "Details saved.".to_owned(),
        ),
        on_done,
    );
    view! {
        <form class="card" on:submit=form.on_submit()>
            <h2>"Details"</h2>
            <TextField id="details-email".into() label="Email".into() value=email error=form.error("email")
                help="Where the store reaches the buyer."/>
            <TextField id="details-description".into() label="Description".into() value=description error=form.error("description")/>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button id="details-save" type="submit" class="secondary">"Save"</button>
        </form>
    }
    .into_any()
}
