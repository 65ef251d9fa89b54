//! The store configuration form in headless Chromium: core's validation shows as the user types.

#![cfg(target_arch = "wasm32")]

mod common;

use creditdesk_admin::routes::store_config::StoreConfigForm;
use creditdesk_core::store_config::StoreConfig;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlElement, HtmlInputElement};

use common::{container, settle, text_of, type_into};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the form with the default configuration in a fresh container.
fn mount_form() -> HtmlElement {
    let container = container();
    let handle = leptos::mount::mount_to(
        container.clone(),
        || view! { <StoreConfigForm initial=StoreConfig::default()/> },
    );
    handle.forget();
    container
}

/// (field id, text typed, expected start of its error message; "" = no error)
const CASES: &[(&str, &str, &str)] = &[
    ("taxRate", "1.5", "must be between 0 and 1"),
    ("taxRate", "0.15", ""),
    ("taxRate", "abc", "must be a fraction"),
    (
        "dailyInterestRate",
        "0.0000001",
        "must have at most 6 decimal places",
    ),
    ("dailyInterestRate", "0.01", ""),
    (
        "defaultCreditValue",
        "10.005",
        "must have at most 2 decimal places",
    ),
    ("defaultCreditValue", "-1", "must not be negative"),
    ("defaultCreditValue", "1500.50", ""),
    (
        "maxPostponementDays",
        "400",
        "must be a whole number from 0 to 365",
    ),
    ("maxPostponementDays", "30", ""),
];

#[wasm_bindgen_test]
async fn fields_show_cores_validation_as_the_user_types() {
    let form = mount_form();
    settle().await;
    assert_eq!(
        text_of(&form, "#taxRate-error"),
        "",
        "a loaded configuration shows no error"
    );
    for (id, typed, expect) in CASES {
        type_into(&form, id, typed);
        settle().await;
        let shown = text_of(&form, &format!("#{id}-error"));
        if expect.is_empty() {
            assert_eq!(shown, "", "{id} = {typed:?}");
        } else {
            assert!(
                shown.starts_with(expect),
                "{id} = {typed:?}: shown {shown:?}"
            );
        }
    }
    form.remove();
}

#[wasm_bindgen_test]
async fn save_is_blocked_while_a_field_is_invalid_and_rates_show_percent() {
    let form = mount_form();
    settle().await;
    let save = || form.query_selector("#save-store-config").unwrap().unwrap();
    assert!(!save().has_attribute("disabled"));
    type_into(&form, "taxRate", "2");
    settle().await;
    assert!(save().has_attribute("disabled"));
    assert!(text_of(&form, ".form-actions").contains("1 field needs attention"));
    type_into(&form, "taxRate", "0.125");
    settle().await;
    assert!(!save().has_attribute("disabled"));
    assert!(text_of(&form, ".field:has(#taxRate) .hint").contains("12.5 %"));
    form.remove();
}

#[wasm_bindgen_test]
async fn reminder_rows_are_validated_by_position() {
    let form = mount_form();
    settle().await;
    // The default has three reminders before the due date; make the second one invalid.
    let inputs = form
        .query_selector_all("fieldset.rules:first-of-type input")
        .unwrap();
    assert_eq!(inputs.length(), 6, "three rows of days + time");
    let time: HtmlInputElement = inputs.item(3).unwrap().unchecked_into();
    let id = time.id();
    type_into(&form, &id, "25:00:00");
    settle().await;
    assert!(text_of(&form, &format!("#{id}-error")).starts_with("must be a time HH:MM:SS"));
    form.remove();
}
