//! The invoices screen's query, the hold forms and the settle preview in headless Chromium: the
//! preview is core's plan, each form shows core's own messages, money keeps its exact digits.

#![cfg(target_arch = "wasm32")]

mod common;

use creditdesk_admin::dom::browser_now;
use creditdesk_admin::format::{group_digits, Separators};
use creditdesk_admin::router::Router;
use creditdesk_admin::routes::account::{NewHold, SettleHold};
use creditdesk_admin::routes::dashboard::{bar_lengths, Bar};
use creditdesk_admin::routes::invoices::InvoiceQuery;
use creditdesk_core::commands::CreateHold;
use creditdesk_core::installments;
use creditdesk_core::transaction::TransactionStatus;
use creditdesk_core::wire::TransactionView;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use common::{attributes, container, lookup, params_of, settle, text_of, type_into};

wasm_bindgen_test_configure!(run_in_browser);

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[wasm_bindgen_test]
fn invoice_queries_round_trip_through_the_url() {
    let cases = [
        (InvoiceQuery::default(), "/invoices", "from=1&to=20"),
        (
            InvoiceQuery {
                filters: pairs(&[
                    ("dueDateTo", "2026-12-31"),
                    ("status", "Opened,Paid"),
                    ("observation", "50% off & more"),
                    ("op", "or"),
                ]),
                page: 3,
                size: 50,
            },
            "/invoices?dueDateTo=2026-12-31&status=Opened%2CPaid&observation=50%25%20off%20%26%20more&op=or&page=3&size=50",
            "from=101&to=150&dueDateTo=2026-12-31&status=Opened%2CPaid&observation=50%25%20off%20%26%20more&op=or",
        ),
        (
            InvoiceQuery {
                filters: pairs(&[("creditAccountId", "1_CPF")]),
                page: 1,
                size: 1000,
            },
            "/invoices?creditAccountId=1_CPF&size=1000",
            "from=1&to=1000&creditAccountId=1_CPF",
        ),
    ];
    for (query, url, api) in cases {
        assert_eq!(query.to_url(), url);
        assert_eq!(query.api_query(), api);
        let params = params_of(url);
        assert_eq!(InvoiceQuery::from_params(lookup(&params)), query, "{url}");
    }
    // Unknown parameters are dropped, a bad page or size falls back.
    let params = pairs(&[("page", "0"), ("size", "7"), ("nope", "1"), ("value", " ")]);
    assert_eq!(
        InvoiceQuery::from_params(lookup(&params)),
        InvoiceQuery::default()
    );
    assert_eq!(InvoiceQuery::default().pages(0), 1);
    assert_eq!(InvoiceQuery::default().pages(10_000), 500);
}

fn hold(value: &str, installments: u16) -> TransactionView {
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    TransactionView {
        id: "0123456789abcdef0123456789abcdef".into(),
        order_id: "o-1".into(),
        value: value.parse().unwrap(),
        original_value: value.parse().unwrap(),
        installments,
        settle: true,
        status: TransactionStatus::Authorized,
        expiration_date: at,
        created_at: at,
        updated_at: at,
        settled_value: "0".parse().unwrap(),
        refunded_value: "0".parse().unwrap(),
        settled_at: None,
        cancellable: false,
        refundable_value: "0".parse().unwrap(),
    }
}

#[wasm_bindgen_test]
async fn the_settle_preview_is_cores_plan() {
    let container = container();
    leptos::mount::mount_to(container.clone(), || {
        view! { <Router><SettleHold account="1_CPF".into() hold=hold("100", 3)
        on_done=Callback::new(|_: String| {}) on_close=|| {}/></Router> }
    })
    .forget();
    for typed in ["100", "99.99", "0.03", "1000.01"] {
        type_into(&container, "settle-value", typed);
        settle().await;
        let planned = installments::plan(typed.parse().unwrap(), 3, browser_now()).unwrap();
        let values = attributes(&container, "#settle-preview td[data-value]", "data-value");
        let expect: Vec<String> = planned.iter().map(|p| p.value.to_string()).collect();
        assert_eq!(values, expect, "{typed}");
        let dues = attributes(&container, "#settle-preview td[data-due]", "data-due");
        let days: Vec<String> = dues.iter().map(|d| d[..10].to_owned()).collect();
        let expect: Vec<String> = planned
            .iter()
            .map(|p| p.due_date.to_string()[..10].to_owned())
            .collect();
        assert_eq!(days, expect, "{typed}");
    }
    // Fewer cents than installments: no preview, core's reason instead.
    type_into(&container, "settle-value", "0.02");
    settle().await;
    assert!(text_of(&container, "form.panel")
        .contains("must be at least 0.01 for each of the 3 installments"));
    type_into(&container, "settle-value", "1,50");
    settle().await;
    let expect = creditdesk_core::commands::positive_value_from_json(&json!({ "value": "1,50" }))
        .unwrap_err();
    let expect = &expect.iter().next().unwrap().message;
    assert!(expect.starts_with("must be an amount"), "{expect}");
    assert_eq!(&text_of(&container, "#settle-value-error"), expect);
    container.remove();
}

#[wasm_bindgen_test]
async fn the_new_hold_form_shows_cores_messages() {
    let container = container();
    leptos::mount::mount_to(container.clone(), || {
        view! { <Router><NewHold account="1_CPF".into() on_done=Callback::new(|_: String| {}) on_close=|| {}/></Router> }
    })
    .forget();
    let cases = [
        ("new-hold-value", "-5", "value"),
        ("new-hold-value", "12.345", "value"),
        ("new-hold-value", "12.34", "value"),
        ("new-hold-installments", "49", "installments"),
        ("new-hold-installments", "0", "installments"),
        ("new-hold-installments", "2", "installments"),
        ("new-hold-expires", "2001-01-01", "expirationDate"),
        ("new-hold-expires", "tomorrow", "expirationDate"),
        ("new-hold-expires", "", "expirationDate"),
    ];
    let mut refusals = 0;
    for (id, typed, field) in cases {
        type_into(&container, id, typed);
        settle().await;
        // The form's own body, checked by core directly: the page shows exactly its message.
        let value = common::value_of(&container, "new-hold-value");
        let count = common::value_of(&container, "new-hold-installments");
        let expires = common::value_of(&container, "new-hold-expires");
        let mut body = json!({
            "value": value,
            "installments": count.parse::<u64>().map(serde_json::Value::from).unwrap_or(json!(count)),
            "settle": true,
        });
        if !expires.is_empty() {
            body["expirationDate"] = json!(format!("{expires}T23:59:59Z"));
        }
        let expect = CreateHold::from_json(&body, browser_now())
            .err()
            .and_then(|e| {
                e.iter()
                    .find(|f| f.field == field)
                    .map(|f| f.message.clone())
            })
            .unwrap_or_default();
        assert_eq!(
            text_of(&container, &format!("#{id}-error")),
            expect,
            "{id} = {typed:?}"
        );
        refusals += usize::from(!expect.is_empty());
    }
    assert!(
        refusals >= 5,
        "the cases exercise core's refusals ({refusals})"
    );
    container.remove();
}

#[wasm_bindgen_test]
fn money_keeps_its_digits_with_the_locales_separators() {
    let plain = Separators::plain();
    let german = Separators {
        group: ".".into(),
        decimal: ",".into(),
    };
    for (text, separators, expect) in [
        ("0.00", &plain, "0.00"),
        ("999.99", &plain, "999.99"),
        ("1000.00", &plain, "1,000.00"),
        ("-1234567.89", &plain, "-1,234,567.89"),
        ("1000000000.00", &german, "1.000.000.000,00"),
        ("-0.01", &german, "-0,01"),
        (
            "100000000000000000.00",
            &plain,
            "100,000,000,000,000,000.00",
        ),
    ] {
        assert_eq!(group_digits(text, separators), expect, "{text}");
    }
}

#[wasm_bindgen_test]
fn chart_bars_are_proportional() {
    let bar = |measure| Bar {
        label: String::new(),
        measure,
        text: String::new(),
    };
    assert_eq!(
        bar_lengths(&[bar(0), bar(50), bar(100)], 200),
        [0, 100, 200]
    );
    assert_eq!(bar_lengths(&[bar(0), bar(0)], 200), [0, 0]);
    assert_eq!(bar_lengths(&[bar(i64::MAX), bar(1)], 200), [200, 0]);
    assert_eq!(bar_lengths(&[bar(-5), bar(3)], 300), [0, 300]);
}
