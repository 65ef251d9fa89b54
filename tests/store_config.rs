//! End to end: sign in to the admin, change the store configuration, save, reload, and find the
//! change persisted; and the API refuses requests without credentials.

use creditdesk_e2e::{Browser, Server};
use fantoccini::Locator;

#[tokio::test]
async fn api_refuses_requests_without_credentials() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (status, body) = server
        .http("GET", "/api/creditcontrol/storeconfig", &[], "")
        .await?;
    assert_eq!(status, 401, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = server.http("GET", "/healthz", &[], "").await?;
    assert_eq!(status, 200);
    Ok(())
}

#[tokio::test]
async fn store_configuration_edit_persists_across_reload() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let result = scenario(&server, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-store-configuration").await;
        eprintln!("server log:\n{}", server.log());
    }
    browser.close().await?;
    result
}

async fn scenario(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    let page = &browser.client;
    page.goto(&server.url("/")).await?;

    // Wrong token first: the sign-in form says so and stays.
    browser.type_into("#app-key", &server.app_key).await?;
    browser.type_into("#app-token", "wrong-token").await?;
    browser.find("#sign-in").await?.click().await?;
    browser
        .wait_for_text(".sign-in-card .error-text", |t| t.contains("not valid"))
        .await?;

    browser.type_into("#app-token", &server.app_token).await?;
    browser.find("#sign-in").await?.click().await?;
    browser.find("nav").await?;
    browser.screenshot("dashboard").await?;

    page.find(Locator::LinkText("Store configuration"))
        .await?
        .click()
        .await?;
    assert_eq!(browser.value("#defaultCreditValue").await?, "2000.00");

    // Core's validation as the user types: a bad rate is named next to its field, and saving is
    // blocked until it is fixed.
    browser.type_into("#taxRate", "1.5").await?;
    browser
        .wait_for_text("#taxRate-error", |t| t.contains("between 0 and 1"))
        .await?;
    assert_eq!(
        browser
            .find("#save-store-config")
            .await?
            .attr("disabled")
            .await?
            .as_deref(),
        Some("true")
    );
    browser.type_into("#taxRate", "0.25").await?;
    browser
        .wait_for_text("#taxRate-error", str::is_empty)
        .await?;

    browser.type_into("#defaultCreditValue", "1234.56").await?;
    browser
        .find("#postponementEnabled + .track")
        .await?
        .click()
        .await?;
    browser.type_into("#invoicePostponementLimit", "3").await?;
    browser.type_into("#maxPostponementDays", "30").await?;
    // Reminders: the server here has no SMTP, and says so; the time zone is searched among the
    // browser's own zones.
    browser
        .wait_for_text("#email-setup", |t| t.contains("no SMTP configured"))
        .await?;
    let zones = page
        .find_all(Locator::Css("#time-zones option"))
        .await?
        .len();
    assert!(zones > 100, "the browser's zones are suggested: {zones}");
    browser.type_into("#timeZone", "America/Sao_Paulo").await?;
    // The store's My Credits page, checked by core as it is typed.
    browser
        .type_into("#myCreditsUrl", "shop.example/credits")
        .await?;
    browser
        .wait_for_text("#myCreditsUrl-error", |t| t.contains("http"))
        .await?;
    browser
        .type_into("#myCreditsUrl", "https://shop.example/credits")
        .await?;
    browser
        .wait_for_text("#myCreditsUrl-error", str::is_empty)
        .await?;
    browser.screenshot("store-configuration").await?;
    browser.find("#save-store-config").await?.click().await?;
    browser
        .wait_for_text(".toast", |t| t.contains("saved"))
        .await?;

    // Reload: still signed in (session storage), and the values come back from the server.
    page.refresh().await?;
    browser.find("#defaultCreditValue").await?;
    assert_eq!(browser.value("#defaultCreditValue").await?, "1234.56");
    assert_eq!(browser.value("#taxRate").await?, "0.25");
    assert_eq!(browser.value("#invoicePostponementLimit").await?, "3");
    assert_eq!(browser.value("#timeZone").await?, "America/Sao_Paulo");
    assert_eq!(
        browser.value("#myCreditsUrl").await?,
        "https://shop.example/credits"
    );
    assert_eq!(
        browser
            .find("#postponementEnabled")
            .await?
            .prop("checked")
            .await?
            .as_deref(),
        Some("true")
    );

    // And the API agrees.
    let (status, body) = server
        .http_authorized("GET", "/api/creditcontrol/storeconfig", "")
        .await?;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(body["defaultCreditValue"].to_string(), "1234.56");
    assert_eq!(body["maxPostponementDays"], 30);
    assert_eq!(body["postponementEnabled"], true);
    assert_eq!(body["timeZone"], "America/Sao_Paulo");
    assert_eq!(body["myCreditsUrl"], "https://shop.example/credits");
    Ok(())
}
