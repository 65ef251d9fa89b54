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
