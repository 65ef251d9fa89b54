//! End to end, as a merchant onboarding buyers, twice from one scenario: with the real server
//! (10,000 rows) and in the browser alone (1,000 rows, core's engine in the page). The Imports
//! screen previews a file (a bad row found, nothing written), imports it with the progress bar
//! at rows / rows (on the server, seen moving before the end), and the history shows both jobs;
//! the accounts are there. The invoice list's "Download CSV" button answers without an error.

use std::time::{Duration, Instant};

use creditdesk_e2e::{Browser, Mode};
use fantoccini::Locator;

#[tokio::test]
async fn the_admin_imports_ten_thousand_accounts_with_progress() -> anyhow::Result<()> {
    let mode = Mode::start_server().await?;
    run(&mode, 10_000, "failure-imports").await
}

#[tokio::test]
async fn the_admin_imports_accounts_in_the_browser_alone() -> anyhow::Result<()> {
    let mode = Mode::start_browser().await?;
    run(&mode, 1_000, "failure-imports-browser").await
}

async fn run(mode: &Mode, rows: u32, shot: &str) -> anyhow::Result<()> {
    let browser = Browser::start().await?;
    let result = scenario(mode, &browser, rows).await;
    if result.is_err() {
        let _ = browser.screenshot(shot).await;
        eprintln!("server log:\n{}", mode.log());
    }
    browser.close().await?;
    result
}

/// The Accounts screen shows `want` accounts (none: its empty card); then back to Imports.
async fn accounts_shown(browser: &Browser, want: u32) -> anyhow::Result<()> {
    browser.go("Accounts").await?;
    if want == 0 {
        browser
            .wait_for_text(".empty-title", |t| t.contains("No accounts found"))
            .await?;
    } else {
        let count = format!("· {want} accounts");
        browser
            .wait_for_text("#accounts-count", |t| t.ends_with(&count))
            .await?;
    }
    browser.go("Imports").await
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

async fn scenario(mode: &Mode, browser: &Browser, rows: u32) -> anyhow::Result<()> {
    mode.sign_in(browser).await?;
    browser.go("Imports").await?;
    browser.find("#import-history").await?;

    let dir = tempfile::tempdir()?;
    let file = dir.path().join("buyers.csv");
    let mut text =
        String::from("document,documentType,email,creditLimit,tolerance,description\r\n");
    for n in 0..rows {
        text.push_str(&format!(
            "{},CPF,buyer+{n}@example.com,{}.50,0.1,Buyer {n}\r\n",
            10_000 + n,
            n % 900 + 100
        ));
    }
    // One bad row for the preview to find (the last line: a limit with three decimals).
    let last = rows - 1;
    let last_row = format!(
        "\r\n{},CPF,buyer+{last}@example.com,{}.50",
        10_000 + last,
        last % 900 + 100
    );
    let bad = text.replace(&last_row, &format!("{last_row}5"));
    anyhow::ensure!(bad != text, "the typo was not made");
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
    let line = (rows + 1).to_string();
    browser
        .wait_for_text("#import-job .import-errors", |t| {
            t.contains(&line) && t.contains("creditLimit")
        })
        .await?;
    accounts_shown(browser, 0).await?;

    // Import: the bar moves to the end.
    browser
        .find("#csv-import-file")
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    browser.find("#csv-import-apply").await?.click().await?;
    let seen = follow_progress(browser).await?;
    let end = seen.last().cloned().unwrap_or_default();
    anyhow::ensure!(
        end.contains(&format!("{rows} / {rows} rows, 0 refused")),
        "{seen:?}"
    );
    // A server works through the job in the background; the page runs it whole at once.
    anyhow::ensure!(
        mode.server().is_none() || seen.iter().any(|t| !t.starts_with(&format!("{rows} /"))),
        "the bar never showed the job before its end: {seen:?}"
    );
    eprintln!("progress seen: {seen:?}");
    browser
        .wait_for_text("#import-history", |t| {
            t.contains("buyers.csv")
                && t.contains("buyers-with-a-typo.csv (preview)")
                && t.contains(&format!("{rows} / {rows}"))
        })
        .await?;
    if mode.server().is_some() {
        let _ = browser.screenshot("imports").await;
    }
    accounts_shown(browser, rows).await?;
    if let Some(server) = mode.server() {
        let (status, body) = server
            .http_authorized("GET", "/api/creditcontrol/accounts/19999_CPF", "")
            .await?;
        anyhow::ensure!(
            status == 200 && body.contains("buyer+9999@example.com") && body.contains("199.50"),
            "{body}"
        );
    }

    // The invoice list's download: fetched from the backend, saved, no error shown.
    browser.go("Invoices").await?;
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
