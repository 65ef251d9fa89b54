//! The Accounts screens in headless Chromium: the search lives in the URL, the open-account form
//! shows core's validation, and the usage bar's arithmetic.

#![cfg(target_arch = "wasm32")]

mod common;

use creditdesk_admin::router::Router;
use creditdesk_admin::routes::account::Balances;
use creditdesk_admin::routes::accounts::{AccountQuery, OpenAccountForm};
use creditdesk_core::account::AccountStatus;
use creditdesk_core::wire::AccountView;
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use common::{container, lookup, params_of, settle, text_of, type_into};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn account_queries_round_trip_through_the_url() {
    let cases = [
        (AccountQuery::default(), "/accounts", "from=1&to=20"),
        (
            AccountQuery {
                email: "ana+1@example.com".into(),
                status: Some(AccountStatus::Open),
                page: 3,
            },
            "/accounts?email=ana%2B1%40example.com&status=Open&page=3",
            "from=41&to=60&email=ana%2B1%40example.com&status=Open",
        ),
        (
            AccountQuery {
                email: String::new(),
                status: Some(AccountStatus::Closed),
                page: 1,
            },
            "/accounts?status=Closed",
            "from=1&to=20&status=Closed",
        ),
    ];
    for (query, url, api) in cases {
        let query = AccountQuery {
            page: query.page.max(1),
            ..query
        };
        assert_eq!(query.to_url(), url);
        assert_eq!(query.api_query(), api);
        // Back from the URL's (decoded) parameters.
        let params = params_of(url);
        let read = AccountQuery::from_params(lookup(&params));
        assert_eq!(read, query, "{url}");
    }
    let bad = AccountQuery::from_params(|k| match k {
        "page" => Some("-2".into()),
        "status" => Some("Late".into()),
        _ => None,
    });
    assert_eq!(
        bad,
        AccountQuery {
            email: String::new(),
            status: None,
            page: 1
        }
    );
}

#[wasm_bindgen_test]
async fn the_open_account_form_shows_cores_messages() {
    let container = container();
    leptos::mount::mount_to(
        container.clone(),
        || view! { <Router><OpenAccountForm/></Router> },
    )
    .forget();
    settle().await;
    assert_eq!(
        text_of(&container, "#email-error"),
        "",
        "nothing shown before typing"
    );
    let cases = [
        ("document", "12_34", "must be 1 to 32 letters"),
        ("document", "11111111111", ""),
        ("email", "not-an-email", "must be an email address"),
        ("email", "buyer@example.com", ""),
        (
            "creditLimit",
            "10.001",
            "must have at most 2 decimal places",
        ),
        ("creditLimit", "1500", ""),
        ("tolerance", "2", "must be between 0 and 1"),
        ("tolerance", "0.1", ""),
    ];
    for (id, typed, expect) in cases {
        type_into(&container, id, typed);
        settle().await;
        let shown = text_of(&container, &format!("#{id}-error"));
        if expect.is_empty() {
            assert_eq!(shown, "", "{id} = {typed:?}");
        } else {
            assert!(shown.starts_with(expect), "{id} = {typed:?}: {shown:?}");
        }
    }
    container.remove();
}

#[wasm_bindgen_test]
async fn the_credit_bar_shows_cores_share_of_the_limit() {
    let account = |limit: &str, balance: &str, held: &str| AccountView {
        id: "1_CPF".into(),
        balance: balance.parse().unwrap(),
        document: "1".into(),
        status: AccountStatus::Open,
        document_type: "CPF".into(),
        credit_limit: limit.parse().unwrap(),
        updated_at: "2024-01-01".parse().unwrap(),
        created_at: "2024-01-01".parse().unwrap(),
        description: String::new(),
        available_credit: "0".parse().unwrap(),
        pre_authorized_credit: held.parse().unwrap(),
        email: String::new(),
        tolerance: "0.1".parse().unwrap(),
        available_balance: "0".parse().unwrap(),
        credit_id: None,
        company_id: None,
    };
    // Holds plus debt, of the limit (not of limit + tolerance), as the dashboard's bands.
    for (limit, balance, held, expect) in [
        ("1000", "0", "0", "0%"),
        ("1000", "-250", "0", "25%"),
        ("1000", "-250", "250", "50%"),
        ("1000", "-1100", "0", "110%"),
        ("1000", "100", "0", "0%"),
    ] {
        let container = container();
        let shown = account(limit, balance, held);
        leptos::mount::mount_to(
            container.clone(),
            move || view! { <Balances account=shown/> },
        )
        .forget();
        settle().await;
        let text = text_of(&container, "#balance-used");
        assert!(
            text.starts_with(&format!("{expect} of the limit")),
            "{limit} {balance} {held}: {text}"
        );
        container.remove();
    }
}
