//! End to end: open an account from the admin, see its page, find it in the list.

use creditdesk_e2e::{Browser, Server};
use fantoccini::Locator;

#[tokio::test]
async fn open_an_account_and_see_it() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let result = scenario(&server, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-accounts").await;
        eprintln!("server log:\n{}", server.log());
    }
    browser.close().await?;
    result
}

async fn scenario(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    browser.sign_in(server).await?;
    browser
        .client
        .find(Locator::LinkText("Accounts"))
        .await?
        .click()
        .await?;
    browser.find(".open-account").await?;
    browser.screenshot("accounts-empty").await?;

    // A bad email is named by core before anything is sent; then a good form opens the account.
    browser.type_into("#document", "11111111111").await?;
    browser.type_into("#email", "not-an-email").await?;
    browser.type_into("#creditLimit", "1500").await?;
    browser
        .wait_for_text("#email-error", |t| t.contains("email address"))
        .await?;
    browser.type_into("#email", "buyer@example.com").await?;
    browser.wait_for_text("#email-error", str::is_empty).await?;
    browser.find("#open-account").await?.click().await?;

    browser
        .wait_for_text(".page-header h1", |t| t == "11111111111_CPF")
        .await?;
    let credit = browser
        .wait_for_text("dl.balances", |t| t.contains("1500.00"))
        .await?;
    assert!(credit.contains("Available"), "{credit}");
    browser
        .wait_for_text(".usage + p", |t| t.contains("0% of the credit is used"))
        .await?;
    browser.screenshot("account").await?;

    // Checkout holds 300 in 3 installments and settles it (through the API, as a store would);
    // the store allows one postponement of at most 10 days.
    let hold = r#"{"value": 300, "settle": true, "installments": 3}"#;
    let (status, body) = server
        .http_authorized(
            "POST",
            "/api/creditcontrol/accounts/11111111111_CPF/transactions",
            hold,
        )
        .await?;
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body)?["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/creditcontrol/accounts/11111111111_CPF/transactions/{id}/settlement");
    let (status, body) = server
        .http_authorized("PUT", &path, r#"{"value": 300}"#)
        .await?;
    assert_eq!(status, 200, "{body}");
    let config = r#"{"postponementEnabled": true, "invoicePostponementLimit": 1, "maxPostponementDays": 10}"#;
    server
        .http_authorized("PUT", "/api/creditcontrol/storeconfig", config)
        .await?;
    browser.client.refresh().await?;
    browser
        .wait_for_text("table.data", |t| t.matches("100.00").count() == 3)
        .await?;
    browser
        .wait_for_text(".table-card > p", |t| {
            t.contains("3 invoices · open 300.00")
        })
        .await?;

    // Pay the first: the balance and the statement follow.
    browser.find("#invoice-1 button.pay").await?.click().await?;
    browser
        .wait_for_text(".toast", |t| t.contains("paid"))
        .await?;
    browser
        .wait_for_text("dl.balances", |t| t.contains("-200.00"))
        .await?;
    browser
        .wait_for_text("body", |t| {
            t.contains("Previous 0.00 + movements -200.00 = current -200.00")
                && t.contains("InvoicePaid")
        })
        .await?;

    // Postpone the second: a bad day count is refused by core's rule before anything is sent;
    // then within the store's limits, then beyond them.
    browser.type_into("#invoice-2 input.days", "0").await?;
    browser
        .find("#invoice-2 button.postpone")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("#invoice-error", |t| {
            t.contains("must be a whole number from 1")
        })
        .await?;
    browser.type_into("#invoice-2 input.days", "5").await?;
    browser
        .find("#invoice-2 button.postpone")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text(".toast", |t| t.contains("postponed by 5 days"))
        .await?;
    browser
        .find("#invoice-2 button.postpone")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("#invoice-error", |t| t.contains("postponed 1 times"))
        .await?;

    // Raise the limit with a reason; core checks the value as it is typed.
    browser.type_into("#change-creditlimit", "15.001").await?;
    browser
        .wait_for_text("#change-creditlimit-error", |t| {
            t.contains("at most 2 decimal places")
        })
        .await?;
    browser.type_into("#change-creditlimit", "2000").await?;
    browser
        .type_into("#change-creditlimit-reason", "good payer")
        .await?;
    browser
        .find("#change-creditlimit-save")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("dl.balances", |t| {
            t.contains("2000.00") && t.contains("1800.00")
        })
        .await?;
    browser.screenshot("account-with-invoices").await?;

    // Opening it again is refused by the server, and the form says why.
    browser
        .client
        .find(Locator::LinkText("Accounts"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("table.data", |t| {
            t.contains("11111111111_CPF") && t.contains("buyer@example.com")
        })
        .await?;
    browser.type_into("#document", "11111111111").await?;
    browser.type_into("#email", "buyer@example.com").await?;
    browser.type_into("#creditLimit", "10").await?;
    browser.find("#open-account").await?.click().await?;
    browser
        .wait_for_text("#open-account-error", |t| {
            t.contains("exists already; find it in the list")
        })
        .await?;

    // The search lives in the URL.
    browser
        .type_into("#search-email", "nobody@example.com")
        .await?;
    browser.find(".filters button").await?.click().await?;
    browser
        .wait_for_text(".empty-title", |t| t.contains("No accounts found"))
        .await?;
    let url = browser.client.current_url().await?;
    assert!(
        url.as_str()
            .ends_with("/accounts?email=nobody%40example.com"),
        "{url}"
    );
    browser.client.back().await?;
    browser
        .wait_for_text("table.data", |t| t.contains("11111111111_CPF"))
        .await?;
    browser.screenshot("accounts").await?;
    Ok(())
}
