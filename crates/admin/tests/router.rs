//! The admin's router as tables: which screen a path shows, and a query's decoded parameters.

use creditdesk_admin::router::{Page, Query};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn paths_name_their_screen() {
    let account = |id: &str| Page::Account(id.to_owned());
    let cases = [
        ("/", Page::Dashboard),
        ("", Page::Dashboard),
        ("/accounts", Page::Accounts),
        ("/accounts/", Page::Accounts),
        ("/accounts/11111111111_CPF", account("11111111111_CPF")),
        ("/accounts/a%2Bb%40c_Other", account("a+b@c_Other")),
        ("/accounts/a+b_Other", account("a+b_Other")),
        ("/accounts/1_CPF/", account("1_CPF")),
        ("/accounts/1_CPF/extra", Page::NotFound),
        ("/invoices", Page::Invoices),
        ("/store-configuration", Page::StoreConfiguration),
        ("/keys", Page::Keys),
        ("/data", Page::Data),
        ("/imports", Page::Imports),
        ("/Accounts", Page::NotFound),
        ("/nowhere", Page::NotFound),
    ];
    for (path, expect) in cases {
        assert_eq!(Page::of(path), expect, "{path:?}");
    }
}

#[wasm_bindgen_test]
fn queries_are_decoded_and_the_first_value_counts() {
    let query = Query::parse("?email=ana%2B1%40example.com&status=Open&page=3&status=Closed&x");
    assert_eq!(query.get("email").as_deref(), Some("ana+1@example.com"));
    assert_eq!(query.get("status").as_deref(), Some("Open"));
    assert_eq!(query.get("page").as_deref(), Some("3"));
    assert_eq!(query.get("x").as_deref(), Some(""));
    assert_eq!(query.get("missing"), None);
    assert_eq!(Query::parse("").get("a"), None);
    assert_eq!(Query::parse("?q=a+b").get("q").as_deref(), Some("a b"));
}
