//! Changing the credit limit or the tolerance, with a reason kept in the statement.

use creditdesk_core::commands::Change;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};

/// Which value a [`ChangeForm`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    CreditLimit,
    Tolerance,
}

impl Changed {
    fn route(self) -> &'static str {
        match self {
            Changed::CreditLimit => "creditlimit",
            Changed::Tolerance => "tolerance",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Changed::CreditLimit => "Credit limit",
            Changed::Tolerance => "Tolerance",
        }
    }
}

/// The new value and a reason; core's reader of that body checks it as it is typed.
#[component]
pub fn ChangeForm(
    /// The account changed.
    account: String,
    /// What it changes.
    what: Changed,
    /// The value now.
    current: String,
    /// Called with a confirmation once the server accepted the change.
    on_done: Callback<String>,
) -> impl IntoView {
    let value = RwSignal::new(current);
    let reason = RwSignal::new(String::new());
    let body = move || {
        let reason = reason.get();
        let reason = (!reason.trim().is_empty()).then_some(reason);
        json!({ "value": value.get(), "reason": reason })
    };
    let form = use_form(
        FormSpec::new(
            Method::Put,
            account_path(&account, &format!("/{}", what.route())),
            body,
            move |body| match what {
                Changed::CreditLimit => Change::credit_limit_from_json(body).map(|_| ()),
                Changed::Tolerance => Change::tolerance_from_json(body).map(|_| ()),
            },
            move |_| format!("{} changed.", what.label()),
        ),
        on_done,
    );
    let id = format!("change-{}", what.route());
    view! {
        <form class="card" on:submit=form.on_submit()>
            <h2>{format!("Change the {}", what.label().to_lowercase())}</h2>
            <TextField id=id.clone() label=what.label().into() value error=form.error("value") inputmode="decimal"/>
            <TextField id=format!("{id}-reason") label="Reason (kept in the statement)".into() value=reason error=form.error("reason")/>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button id=format!("{id}-save") type="submit" class="secondary" disabled=move || form.pending().get()>"Save"</button>
        </form>
    }
    .into_any()
}
