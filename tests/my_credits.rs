//! End to end, as a buyer: the store's backend asks a My Credits link for a holder of one
//! account; opened in Chromium it shows that account — its balances, its open invoices with a
//! Pay button where there is a payment link, its paid ones — and nothing of another account;
//! opened again it has expired.

use creditdesk_e2e::{Browser, Server};
use fantoccini::Locator;

#[tokio::test]
async fn a_buyer_link_shows_that_account_and_nothing_else() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let result = scenario(&server, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-my-credits").await;
        eprintln!("server log:\n{}", server.log());
    }
    browser.close().await?;
    result
}

/// `method path body` as the store's backend, which must answer 200: the answer.
async fn api(
    server: &Server,
    method: &str,
    path: &str,
    body: &str,
) -> anyhow::Result<serde_json::Value> {
    let (status, answer) = server.http_authorized(method, path, body).await?;
    anyhow::ensure!(status == 200, "{method} {path}: {status} {answer}");
    Ok(if answer.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&answer)?
    })
}

/// Opens `document`'s account and settles `value` in `installments`: the invoices' ids.
async fn account_with_invoices(
    server: &Server,
    document: &str,
    email: &str,
    value: u32,
    installments: u32,
) -> anyhow::Result<Vec<String>> {
    let accounts = "/api/creditcontrol/accounts";
    let body = format!(
        r#"{{"document":"{document}","documentType":"CPF","email":"{email}","creditLimit":1000}}"#
    );
    api(server, "POST", accounts, &body).await?;
    let account = format!("{accounts}/{document}_CPF");
    let hold = format!(r#"{{"value":{value},"settle":true,"installments":{installments}}}"#);
    let hold = api(server, "POST", &format!("{account}/transactions"), &hold).await?;
    let id = hold["id"].as_str().unwrap_or_default();
    api(
        server,
        "PUT",
        &format!("{account}/transactions/{id}/settlement"),
        &format!(r#"{{"value":{value}}}"#),
    )
    .await?;
    let invoices = api(server, "GET", &format!("{account}/invoices"), "").await?;
    Ok(invoices["data"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|i| i["friendlyId"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default())
}

async fn scenario(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    api(
        server,
        "PUT",
        "/api/creditcontrol/storeconfig",
        r#"{"myCreditsEnabled":true}"#,
    )
    .await?;
    let ana = account_with_invoices(server, "501", "ana@example.com", 300, 3).await?;
    let bruno = account_with_invoices(server, "502", "bruno@example.com", 90, 1).await?;
    anyhow::ensure!(ana.len() == 3 && bruno.len() == 1, "{ana:?} {bruno:?}");
    let invoices = api(
        server,
        "GET",
        "/api/creditcontrol/accounts/501_CPF/invoices",
        "",
    )
    .await?;
    let first = invoices["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let third = invoices["data"][2]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/api/creditcontrol/accounts/501_CPF/invoices/{first}");
    api(
        server,
        "PUT",
        &path,
        r#"{"status":"Opened","paymentLink":"https://pay.example/ana-1"}"#,
    )
    .await?;
    api(
        server,
        "POST",
        &format!("/api/creditcontrol/accounts/501_CPF/invoices/{third}/payments"),
        "",
    )
    .await?;
    let holder = r#"{"claims":{"email":"Carla_Souza+compras@Example.com"}}"#;
    api(
        server,
        "POST",
        "/api/creditcontrol/accounts/501_CPF/holders",
        holder,
    )
    .await?;

    let link = api(
        server,
        "POST",
        "/api/creditdesk/accounts/501_CPF/buyer-links",
        r#"{"email":"carla_souza+compras@example.com"}"#,
    )
    .await?;
    let url = link["url"].as_str().unwrap_or_default();
    let path = url
        .split_once("/my-credits")
        .map(|(_, rest)| format!("/my-credits{rest}"))
        .unwrap_or_default();
    browser.client.goto(&server.url(&path)).await?;
    browser.wait_for_text("h1", |t| t == "My Credits").await?;
    let open = browser
        .wait_for_text("#open-invoices", |t| t.contains(&ana[0]))
        .await?;
    anyhow::ensure!(
        open.contains(&ana[1]) && !open.contains(&ana[2]),
        "open: {open}"
    );
    let paid = browser.find("#paid-invoices").await?.text().await?;
    anyhow::ensure!(paid.contains(&ana[2]), "paid: {paid}");
    let page = browser.find("main").await?.text().await?;
    anyhow::ensure!(
        !page.contains(&bruno[0]),
        "another account's invoice shown: {page}"
    );
    anyhow::ensure!(page.contains("carla_souza+compras@example.com"), "{page}");
    let pay = browser
        .client
        .find_all(Locator::Css("#open-invoices a.pay"))
        .await?;
    anyhow::ensure!(pay.len() == 1, "one Pay button, {} shown", pay.len());
    anyhow::ensure!(pay[0].attr("href").await?.as_deref() == Some("https://pay.example/ana-1"));
    // Formatted in the browser's locale: the exact figure is kept on the element.
    let available = browser.find("#available").await?;
    let exact = available
        .find(Locator::Css("data"))
        .await?
        .attr("value")
        .await?;
    anyhow::ensure!(exact.as_deref() == Some("800.00"), "{exact:?}");
    let _ = browser.screenshot("my-credits").await;
    // The link worked once.
    browser.client.delete_all_cookies().await?;
    browser.client.goto(&server.url(&path)).await?;
    browser
        .wait_for_text("h1", |t| t == "Your link has expired")
        .await?;
    Ok(())
}
