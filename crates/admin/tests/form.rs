//! The one form idiom, in headless Chromium against the engine in the page ("Use in this
//! browser"): core's message next to the field once something is typed, nothing sent while core
//! refuses, the backend's refusal shown on the same field (or in words when it names none), and
//! the confirmation once the command succeeded.

mod common;

use creditdesk_admin::api::Method;
use creditdesk_admin::backend::{browser, Backend};
use creditdesk_admin::components::field::TextField;
use creditdesk_admin::components::form::{use_form, FormSpec};
use creditdesk_admin::session::Session;
use creditdesk_core::commands::Change;
use creditdesk_core::ValidationErrors;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use common::{container, settle, text_of, type_into};

wasm_bindgen_test_configure!(run_in_browser);

/// Whether the form checks the body with core's reader, or sends whatever is typed (to see the
/// backend's own refusal land on the field).
#[derive(Clone, Copy)]
enum Checked {
    ByCore,
    NotAtAll,
}

/// A credit-limit form for the account `1_CPF`; `done` counts its confirmations.
#[component]
fn LimitForm(checked: Checked, done: RwSignal<Vec<String>>) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let form = use_form(
        FormSpec::new(
            Method::Put,
            "/api/creditcontrol/accounts/1_CPF/creditlimit".to_owned(),
            move || json!({ "value": value.get() }),
            move |body| match checked {
                Checked::ByCore => Change::credit_limit_from_json(body).map(|_| ()),
                Checked::NotAtAll => Ok::<(), ValidationErrors>(()),
            },
            |body| format!("Limit {}.", body["value"].as_str().unwrap_or_default()),
        ),
        Callback::new(move |message| done.update(|d| d.push(message))),
    );
    view! {
        <form on:submit=form.on_submit()>
            <TextField id="limit".into() label="Limit".into() value error=form.error("value")/>
            <p id="general">{move || form.general().get()}</p>
            <button id="save" type="submit">"Save"</button>
        </form>
    }
}

fn submit(container: &web_sys::HtmlElement) {
    let button: web_sys::HtmlElement = container
        .query_selector("#save")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
}

fn mount(checked: Checked, done: RwSignal<Vec<String>>) -> web_sys::HtmlElement {
    let container = container();
    leptos::mount::mount_to(container.clone(), move || {
        provide_context(Session::in_memory(Some(Backend::Browser)));
        view! { <LimitForm checked done/> }
    })
    .forget();
    container
}

async fn open_the_account() {
    let body = json!({"document": "1", "documentType": "CPF", "email": "a@example.com", "creditLimit": 100});
    Backend::Browser
        .send(Method::Post, "/api/creditcontrol/accounts", Some(&body))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn cores_messages_show_by_the_field_and_nothing_is_sent_while_it_refuses() {
    browser::clear().unwrap();
    let done = RwSignal::new(Vec::new());
    let container = mount(Checked::ByCore, done);
    settle().await;
    assert_eq!(
        text_of(&container, "#limit-error"),
        "",
        "an empty form opens without errors"
    );
    submit(&container);
    settle().await;
    assert!(
        !text_of(&container, "#limit-error").is_empty(),
        "a submission shows what is missing"
    );
    type_into(&container, "limit", "10.001");
    settle().await;
    assert!(text_of(&container, "#limit-error").contains("at most 2 decimal places"));
    submit(&container);
    settle().await;
    assert!(
        done.get_untracked().is_empty(),
        "nothing sent while core refuses"
    );
    type_into(&container, "limit", "250");
    settle().await;
    assert_eq!(text_of(&container, "#limit-error"), "");
    // Accepted by core, refused by the engine: no such account, said in words.
    submit(&container);
    settle().await;
    assert!(
        text_of(&container, "#general").contains("no account 1_CPF"),
        "{}",
        text_of(&container, "#general")
    );
    // Once the account exists, the same form goes through and confirms.
    open_the_account().await;
    submit(&container);
    settle().await;
    assert_eq!(done.get_untracked(), ["Limit 250."]);
    assert_eq!(
        text_of(&container, "#general"),
        "",
        "the refusal is gone with success"
    );
    let stored = browser::load().unwrap();
    let account = stored.book(&"1_CPF".parse().unwrap()).unwrap();
    assert_eq!(account.account.credit_limit.to_string(), "250.00");
    container.remove();
}

#[wasm_bindgen_test]
async fn the_backends_refusal_lands_on_the_same_field() {
    browser::clear().unwrap();
    open_the_account().await;
    let done = RwSignal::new(Vec::new());
    let container = mount(Checked::NotAtAll, done);
    type_into(&container, "limit", "ten");
    settle().await;
    submit(&container);
    settle().await;
    assert!(
        text_of(&container, "#limit-error").contains("must be an amount"),
        "{}",
        text_of(&container, "#limit-error")
    );
    assert_eq!(
        text_of(&container, "#general"),
        "",
        "a field's refusal is not repeated in words"
    );
    assert!(done.get_untracked().is_empty());
    container.remove();
}
