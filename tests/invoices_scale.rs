//! End to end at scale: with 10,000 invoices in the store, the invoices screen pages on the
//! server and renders a page of 1,000 rows, and stays usable. The render time is printed for
//! the record (speed is measured in benchmarks, not asserted here).

use std::time::Instant;

use creditdesk_e2e::{Browser, Server};
use fantoccini::Locator;

const INSTALLMENTS: u32 = 48;
const SETTLEMENTS: u32 = 209; // 209 × 48 = 10,032 invoices

#[tokio::test]
async fn ten_thousand_invoices_page_on_the_server_and_a_thousand_rows_render() -> anyhow::Result<()>
{
    let server = Server::start().await?;
    seed(&server).await?;
    let browser = Browser::start().await?;
    let result = scenario(&server, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-invoices-scale").await;
        eprintln!("server log:\n{}", server.log());
    }
    browser.close().await?;
    result
}

/// One account, 209 settlements of 48 installments each, through the API.
async fn seed(server: &Server) -> anyhow::Result<()> {
    let account = r#"{"document": "44444444444", "documentType": "CPF", "email": "big@example.com", "creditLimit": 10000000}"#;
    let (status, body) = server
        .http_authorized("POST", "/api/creditcontrol/accounts", account)
        .await?;
    anyhow::ensure!(status == 200, "open: {body}");
    let hold = format!(r#"{{"value": 4800, "settle": true, "installments": {INSTALLMENTS}}}"#);
    for n in 0..SETTLEMENTS {
        let (status, body) = server
            .http_authorized(
                "POST",
                "/api/creditcontrol/accounts/44444444444_CPF/transactions",
                &hold,
            )
            .await?;
        anyhow::ensure!(status == 200, "hold {n}: {body}");
        let id = serde_json::from_str::<serde_json::Value>(&body)?["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let path =
            format!("/api/creditcontrol/accounts/44444444444_CPF/transactions/{id}/settlement");
        let (status, body) = server
            .http_authorized("PUT", &path, r#"{"value": 4800}"#)
            .await?;
        anyhow::ensure!(status == 200, "settle {n}: {body}");
    }
    Ok(())
}

async fn rows(browser: &Browser) -> anyhow::Result<usize> {
    Ok(browser
        .client
        .find_all(Locator::Css("table.invoices tbody tr"))
        .await?
        .len())
}

async fn scenario(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    let total = SETTLEMENTS * INSTALLMENTS;
    browser.sign_in(server).await?;
    let started = Instant::now();
    browser
        .client
        .goto(&server.url("/invoices?size=1000"))
        .await?;
    browser
        .wait_for_text("#invoice-summary", |t| {
            t.starts_with(&format!("{total} invoices · open 1,003,200.00"))
        })
        .await?;
    browser
        .wait_for_text("#invoice-page", |t| t == "Page 1 of 11")
        .await?;
    anyhow::ensure!(rows(browser).await? == 1000, "a page holds 1000 rows");
    println!(
        "rendered the first 1,000 of {total} invoices in {} ms (sign-in excluded)",
        started.elapsed().as_millis()
    );

    // Still usable: a filter field takes typing, the next page comes from the server.
    browser.type_into("#filter-value", "100").await?;
    browser
        .wait_for_text("#filter-value-error", str::is_empty)
        .await?;
    let started = Instant::now();
    browser
        .client
        .find(Locator::Css("a[rel='next']"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("#invoice-page", |t| t == "Page 2 of 11")
        .await?;
    anyhow::ensure!(rows(browser).await? == 1000, "page 2 holds 1000 rows");
    println!("page 2 in {} ms", started.elapsed().as_millis());
    let url = browser.client.current_url().await?;
    anyhow::ensure!(
        url.as_str().ends_with("/invoices?page=2&size=1000"),
        "{url}"
    );

    // The last page holds the rest.
    browser
        .client
        .goto(&server.url("/invoices?page=11&size=1000"))
        .await?;
    browser
        .wait_for_text("#invoice-page", |t| t == "Page 11 of 11")
        .await?;
    let last = rows(browser).await?;
    anyhow::ensure!(last == (total - 10_000) as usize, "last page: {last} rows");
    browser.screenshot("invoices-10k").await?;

    // The dashboard of this store, loaded afresh: the browser's first contentful paint, and the
    // moment its totals show (the first meaningful paint), both from navigation start.
    browser.client.goto(&server.url("/")).await?;
    browser
        .wait_for_text("#total-outstanding .tile-value", |t| t == "1,003,200.00")
        .await?;
    let shown = browser
        .client
        .execute("return performance.now();", vec![])
        .await?;
    let painted = browser
        .client
        .execute(
            "const p = performance.getEntriesByName('first-contentful-paint')[0]; \
             return p ? p.startTime : null;",
            vec![],
        )
        .await?;
    println!(
        "dashboard: first contentful paint {} ms, totals shown by {} ms after navigation start",
        painted.as_f64().map_or("?".into(), |ms| format!("{ms:.0}")),
        shown.as_f64().map_or("?".into(), |ms| format!("{ms:.0}"))
    );
    Ok(())
}
