//! End to end, as a merchant onboarding buyers: the Imports screen sends a 10,000-row accounts
//! file to the real server, previews it (a bad row found, nothing written), imports it with the
//! progress bar moving to 10,000 / 10,000, and the history shows both jobs; the accounts are on
//! the server. The invoice list's "Download CSV" button answers without an error.

use std::time::{Duration, Instant};

use creditdesk_e2e::{Browser, Server};
use fantoccini::Locator;

const ROWS: u32 = 10_000;

#[tokio::test]
async fn the_admin_imports_ten_thousand_accounts_with_progress() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start().await?;
    let result = scenario(&server, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-imports").await;
        eprintln!("server log:\n{}", server.log());
    }
    browser.close().await?;
    result
}

/// The text of `#import-job-progress` each time it changed, until the job is completed.
async fn follow_progress(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen: Vec<String> = Vec::new();
    while Instant::now() < deadline {
        if let Ok(panel) = browser.client.find(Locator::Css("#import-job")).await {
            let status = panel.attr("data-status").await?.unwrap_or_default();
            let text = browser.find("#import-job-progress").await?.text().await?;
            if seen.last() != Some(&text) {
                seen.push(text);
            }
            if status == "Completed" {
                return Ok(seen);
            }
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    anyhow::bail!("the import did not complete; progress seen: {seen:?}")
}

async fn scenario(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    browser.client.goto(&server.url("/")).await?;
    browser.sign_in(server).await?;
    browser
        .client
        .find(Locator::LinkText("Imports"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("#import-history", |t| t.to_lowercase().contains("refused"))
        .await?;

    let dir = tempfile::tempdir()?;
    let file = dir.path().join("buyers.csv");
    let mut text =
        String::from("document,documentType,email,creditLimit,tolerance,description\r\n");
    for n in 0..ROWS {
        text.push_str(&format!(
            "{},CPF,buyer+{n}@example.com,{}.50,0.1,Buyer {n}\r\n",
            10_000 + n,
            n % 900 + 100
        ));
    }
    // One bad row for the preview to find (line 10,001: a limit with three decimals).
    let bad = text.replace(
        "\r\n19999,CPF,buyer+9999@example.com,199.50",
        "\r\n19999,CPF,buyer+9999@example.com,199.505",
    );
    let bad_file = dir.path().join("buyers-with-a-typo.csv");
    std::fs::write(&bad_file, &bad)?;
    std::fs::write(&file, &text)?;

    // Preview: the typo found by its line and column, nothing written.
    browser
        .find("#csv-import-file")
        .await?
        .send_keys(&bad_file.display().to_string())
        .await?;
    browser.find("#csv-import-preview").await?.click().await?;
    follow_progress(browser).await?;
    browser
        .wait_for_text("#import-job", |t| {
            t.contains("checked: nothing was written") && t.contains("1 refused")
        })
        .await?;
    browser
        .wait_for_text("#import-job .import-errors", |t| {
            t.contains("10001") && t.contains("creditLimit")
        })
        .await?;
    let (status, body) = server
        .http_authorized("GET", "/api/creditcontrol/accounts?from=1&to=1", "")
        .await?;
    anyhow::ensure!(
        status == 200 && body.contains("\"count\":0"),
        "a preview wrote: {body}"
    );

    // Import: the bar moves to the end.
    browser
        .find("#csv-import-file")
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    browser.find("#csv-import-apply").await?.click().await?;
    let seen = follow_progress(browser).await?;
    let last = seen.last().cloned().unwrap_or_default();
    anyhow::ensure!(
        last.contains(&format!("{ROWS} / {ROWS} rows, 0 refused")),
        "{seen:?}"
    );
    anyhow::ensure!(
        seen.iter().any(|t| !t.starts_with(&format!("{ROWS} /"))),
        "the bar never showed the job before its end: {seen:?}"
    );
    eprintln!("progress seen: {seen:?}");
    browser
        .wait_for_text("#import-history", |t| {
            t.contains("buyers.csv")
                && t.contains("buyers-with-a-typo.csv (preview)")
                && t.contains(&format!("{ROWS} / {ROWS}"))
        })
        .await?;
    let _ = browser.screenshot("imports").await;
    let (status, body) = server
        .http_authorized("GET", "/api/creditcontrol/accounts?from=1&to=1", "")
        .await?;
    anyhow::ensure!(
        status == 200 && body.contains(&format!("\"count\":{ROWS}")),
        "{body}"
    );
    let (status, body) = server
        .http_authorized("GET", "/api/creditcontrol/accounts/19999_CPF", "")
        .await?;
    anyhow::ensure!(
        status == 200 && body.contains("buyer+9999@example.com") && body.contains("199.50"),
        "{body}"
    );

    // The invoice list's download: fetched with the key, saved, no error shown.
    browser
        .client
        .find(Locator::LinkText("Invoices"))
        .await?
        .click()
        .await?;
    browser.find("#invoices-csv").await?.click().await?;
    browser
        .wait_for_text("#invoices-csv", |t| t == "Download CSV")
        .await?;
    anyhow::ensure!(
        browser
            .client
            .find_all(Locator::Css(".csv-download .notice-error"))
            .await?
            .is_empty(),
        "the download showed an error"
    );
    Ok(())
}
