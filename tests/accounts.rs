//! End to end, as a merchant, twice from one scenario: with the real server, and with no server
//! at all ("Use in this browser": core's engine in the page, the page served as plain files).
//! Sign in → store policy → open an account → hold credit (telesales) → settle it in
//! 3 installments with core's preview → 3 invoices with the right due dates and an exact sum →
//! pay part of one, see the remainder, reverse that payment, pay it all → the statement shows
//! it and adds up → postpone within the store's limits, refused
//! beyond → the dashboard and the invoices screen reflect it → keys (a server's). The browser run then
//! moves its data to a server through the Data screens and finds it there. Screenshots of each
//! screen.

use creditdesk_e2e::{Browser, Mode, Server};
use fantoccini::Locator;

#[tokio::test]
async fn a_merchant_runs_credit_from_the_admin_with_a_server() -> anyhow::Result<()> {
    let mode = Mode::start_server().await?;
    let browser = Browser::start().await?;
    let result = scenario(&mode, &browser).await;
    finish(&mode, browser, "failure-accounts", result).await
}

#[tokio::test]
async fn a_merchant_runs_credit_in_the_browser_alone_then_moves_to_a_server() -> anyhow::Result<()>
{
    let mode = Mode::start_browser().await?;
    let browser = Browser::start().await?;
    let result = match scenario(&mode, &browser).await {
        Ok(()) => move_to_a_server(&browser).await,
        Err(e) => Err(e),
    };
    finish(&mode, browser, "failure-accounts-browser", result).await
}

async fn finish(
    mode: &Mode,
    browser: Browser,
    shot: &str,
    result: anyhow::Result<()>,
) -> anyhow::Result<()> {
    if result.is_err() {
        let _ = browser.screenshot(shot).await;
        eprintln!("server log:\n{}", mode.log());
    }
    browser.close().await?;
    result
}

/// A screenshot's name: the server run's as they were, the browser run's with `-browser`.
fn shot(mode: &Mode, name: &str) -> String {
    match mode {
        Mode::Server(_) => name.to_owned(),
        Mode::Browser(_) => format!("{name}-browser"),
    }
}

/// The browser run's data, exported and imported into a fresh server through the two Data
/// screens: the accounts arrive with their balances, and the dashboard adds up the same.
async fn move_to_a_server(browser: &Browser) -> anyhow::Result<()> {
    browser.go("Data").await?;
    browser
        .wait_for_text("#browser-data-summary", |t| {
            t.starts_with("3 accounts, 3 invoices")
        })
        .await?;
    click(browser, "#export-data").await?;
    let dump = browser
        .client
        .execute(
            "return localStorage.getItem('creditdesk.browser-store');",
            vec![],
        )
        .await?;
    let dump = dump.as_str().unwrap_or_default().to_owned();
    anyhow::ensure!(
        dump.contains("creditdesk-dump/1"),
        "no dump kept: {dump:.200}"
    );
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("creditdesk-export.json");
    std::fs::write(&file, &dump)?;

    let server = Server::start().await?;
    let moved = async {
        click(browser, ".whoami button").await?;
        browser.sign_in(&server).await?;
        browser.go("Data").await?;
        browser
            .find("#import-file")
            .await?
            .send_keys(&file.display().to_string())
            .await?;
        click(browser, "#import-data").await?;
        browser
            .wait_for_text("#import-result", |t| {
                t.contains("3 imported, 0 already on the server, 0 refused")
            })
            .await?;
        browser
            .wait_for_text("#import-progress", |t| t.contains("3 / 3 accounts"))
            .await?;
        // Again: each account once.
        click(browser, "#import-data").await?;
        browser
            .wait_for_text("#import-result", |t| {
                t.contains("0 imported, 3 already on the server")
            })
            .await?;
        let (status, body) = server
            .http_authorized("GET", "/api/creditcontrol/accounts/11111111111_CPF", "")
            .await?;
        // −61.66 after the scenario's invoices, +12.50 reimbursed through the company credit.
        anyhow::ensure!(
            status == 200 && body.contains("-49.16") && body.contains("\"creditId\":1"),
            "{status} {body}"
        );
        let (status, body) = server
            .http_authorized("GET", "/api/creditcontrol/storeconfig", "")
            .await?;
        anyhow::ensure!(
            status == 200 && body.contains("\"maxPostponementDays\":10"),
            "{body}"
        );
        browser.go("Dashboard").await?;
        browser
            .wait_for_text("#total-outstanding .tile-value", |t| t == "56.66")
            .await?;
        browser
            .wait_for_text("#total-held .tile-value", |t| t == "550.00")
            .await?;
        anyhow::Ok(())
    }
    .await;
    if moved.is_err() {
        eprintln!("import server log:\n{}", server.log());
    }
    moved
}

/// Sets the store's policy on the Store configuration screen: one postponement of at most
/// 10 days.
async fn store_policy(browser: &Browser) -> anyhow::Result<()> {
    browser.go("Store configuration").await?;
    browser.find("#maxPostponementDays").await?;
    click(browser, "#postponementEnabled + .track").await?;
    browser.type_into("#invoicePostponementLimit", "1").await?;
    browser.type_into("#maxPostponementDays", "10").await?;
    click(browser, "#save-store-config").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("saved"))
        .await?;
    Ok(())
}

/// Opens an account from the Accounts screen and waits for its page.
async fn open_account(
    browser: &Browser,
    document: &str,
    email: &str,
    limit: &str,
) -> anyhow::Result<()> {
    browser.go("Accounts").await?;
    browser.find(".open-account").await?;
    browser.type_into("#document", document).await?;
    browser.type_into("#email", email).await?;
    browser.type_into("#creditLimit", limit).await?;
    click(browser, "#open-account").await?;
    browser
        .wait_for_text(".page-header h1", |t| t == format!("{document}_CPF"))
        .await?;
    Ok(())
}

/// Holds `value` on the open account page, for checkout to settle in one installment.
async fn hold(browser: &Browser, value: &str, order: &str) -> anyhow::Result<()> {
    click(browser, "#new-hold").await?;
    browser.type_into("#new-hold-value", value).await?;
    browser.type_into("#new-hold-installments", "1").await?;
    browser.type_into("#new-hold-order", order).await?;
    click(browser, "#new-hold-save").await?;
    browser
        .wait_for_text(&format!("#hold-{order}"), |t| t.contains("Authorized"))
        .await?;
    Ok(())
}

/// Cents of an exact decimal text (`"33.34"` → 3334).
fn cents(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let whole: i64 = whole.trim_start_matches('-').parse().expect("digits");
    let fraction: i64 = format!("{fraction:0<2}")[..2].parse().expect("digits");
    sign * (whole * 100 + fraction)
}

/// The values of `attribute` on every element matching `css`.
async fn attributes(browser: &Browser, css: &str, attribute: &str) -> anyhow::Result<Vec<String>> {
    let mut values = Vec::new();
    for element in browser.client.find_all(Locator::Css(css)).await? {
        values.push(element.attr(attribute).await?.unwrap_or_default());
    }
    Ok(values)
}

/// The first day of next month (UTC), `YYYY-MM-DD`: a hold expiry always ahead and near.
fn next_month_first() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        / 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (year, month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    format!("{year:04}-{month:02}-01")
}

async fn click(browser: &Browser, css: &str) -> anyhow::Result<()> {
    browser.find(css).await?.click().await?;
    Ok(())
}

async fn scenario(mode: &Mode, browser: &Browser) -> anyhow::Result<()> {
    mode.sign_in(browser).await?;
    // The store allows one postponement of at most 10 days.
    store_policy(browser).await?;
    browser.go("Accounts").await?;
    browser.find(".open-account").await?;

    // A bad email is named by core before anything is sent; then a good form opens the account.
    browser.type_into("#document", "11111111111").await?;
    browser.type_into("#email", "not-an-email").await?;
    browser.type_into("#creditLimit", "1500").await?;
    browser
        .wait_for_text("#email-error", |t| t.contains("email address"))
        .await?;
    browser.type_into("#email", "buyer@example.com").await?;
    browser.wait_for_text("#email-error", str::is_empty).await?;
    click(browser, "#open-account").await?;
    browser
        .wait_for_text(".page-header h1", |t| t == "11111111111_CPF")
        .await?;
    // Money in the browser's locale (en-US here).
    browser
        .wait_for_text("#balance-limit", |t| t == "1,500.00")
        .await?;
    // A reload keeps the session and the account (on the server, or in this browser).
    browser.client.refresh().await?;
    browser.watch_policy_violations().await?;
    browser
        .wait_for_text("#balance-limit", |t| t == "1,500.00")
        .await?;

    // Telesales: hold 100 in 3 installments for checkout to settle.
    click(browser, "#new-hold").await?;
    browser.type_into("#new-hold-value", "100.001").await?;
    browser
        .wait_for_text("#new-hold-value-error", |t| t.contains("2 decimal places"))
        .await?;
    browser.type_into("#new-hold-value", "100").await?;
    browser.type_into("#new-hold-installments", "3").await?;
    browser.type_into("#new-hold-order", "phone-1").await?;
    click(browser, "#new-hold-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Hold created"))
        .await?;
    browser
        .wait_for_text("#hold-phone-1", |t| t.contains("Authorized"))
        .await?;
    browser
        .wait_for_text("#balance-held", |t| t == "100.00")
        .await?;

    // Settle: the preview shows the invoices core will create, before anything is sent.
    click(browser, "#hold-phone-1 button.settle").await?;
    browser
        .wait_for_text("#settle-preview-total", |t| t == "100.00")
        .await?;
    let preview_values =
        attributes(browser, "#settle-preview td[data-value]", "data-value").await?;
    assert_eq!(preview_values, ["33.34", "33.33", "33.33"]);
    let preview_dues = attributes(browser, "#settle-preview td[data-due]", "data-due").await?;
    assert_eq!(preview_dues.len(), 3);
    browser
        .screenshot(&shot(mode, "account-settle-preview"))
        .await?;
    click(browser, "#settle-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Settled into 3 invoices"))
        .await?;

    // 3 invoices, the preview's values and due days (30 days apart), summing exactly to 100.
    browser
        .wait_for_text("table.invoices", |t| t.matches("Opened").count() == 3)
        .await?;
    let values = attributes(browser, "table.invoices td[data-value]", "data-value").await?;
    assert_eq!(values, preview_values);
    assert_eq!(values.iter().map(|v| cents(v)).sum::<i64>(), 10_000);
    let dues = attributes(browser, "table.invoices td[data-due]", "data-due").await?;
    let day = |t: &String| t[..10].to_owned();
    assert_eq!(
        dues.iter().map(day).collect::<Vec<_>>(),
        preview_dues.iter().map(day).collect::<Vec<_>>()
    );
    browser
        .wait_for_text("#account-invoice-summary", |t| {
            t.contains("3 invoices · open 100.00")
        })
        .await?;
    browser
        .wait_for_text("#invoice-2 .postpone-hint", |t| {
            t.contains("Up to 10 more days, 1 more time.")
        })
        .await?;

    // The last invoice's reminders: scheduled by the server's rules (the store's defaults: 5, 1
    // and 0 days before, 3 after), none sent yet; in the browser alone there is no sender.
    click(browser, "#invoice-3 button.reminders").await?;
    match mode {
        Mode::Server(_) => {
            browser
                .wait_for_text(".reminders-panel", |t| {
                    t.matches("Scheduled").count() == 4 && t.contains("5 days before")
                })
                .await?;
        }
        Mode::Browser(_) => {
            browser
                .wait_for_text(".reminders-panel", |t| {
                    t.contains("Reminders are sent by a Creditdesk server")
                })
                .await?;
        }
    }
    browser.screenshot(&shot(mode, "invoice-reminders")).await?;
    click(browser, ".reminders-panel button.secondary").await?;

    // Pay part of the first: core refuses more than is left as it is typed; the remainder
    // shows; the payment is reversed (reason, confirmation) and the remainder grows back.
    click(browser, "#invoice-1 button.pay").await?;
    assert_eq!(
        browser.value("#invoice-pay-amount").await?,
        "33.34",
        "all that is left"
    );
    browser.type_into("#invoice-pay-amount", "40").await?;
    browser
        .wait_for_text("#invoice-pay-amount-error", |t| t.contains("at most 33.34"))
        .await?;
    browser.type_into("#invoice-pay-amount", "10").await?;
    browser
        .type_into("#invoice-pay-reference", "TRANSFER 77")
        .await?;
    click(browser, "#invoice-pay-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Payment of 10.00 recorded"))
        .await?;
    browser
        .wait_for_text("#balance-balance", |t| t == "-90.00")
        .await?;
    let remaining = attributes(browser, "#invoice-1 td[data-remaining]", "data-remaining").await?;
    assert_eq!(remaining, ["23.34"]);
    browser
        .wait_for_text("#invoice-1", |t| t.contains("Opened"))
        .await?;
    browser
        .wait_for_text("#account-credits", |t| t.contains("TRANSFER 77"))
        .await?;
    click(browser, "#invoice-1 button.credits").await?;
    browser
        .wait_for_text(".credits-panel", |t| {
            t.contains("Payment") && t.contains("10.00")
        })
        .await?;
    click(browser, ".credits-panel button.reverse").await?;
    click(browser, "#credit-reverse-save").await?;
    browser
        .wait_for_text("#credit-reverse-reason-error", |t| !t.is_empty())
        .await?;
    browser
        .type_into("#credit-reverse-reason", "transfer bounced")
        .await?;
    click(browser, "#credit-reverse-save").await?;
    browser.client.accept_alert().await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Credit reversed"))
        .await?;
    browser
        .wait_for_text("#balance-balance", |t| t == "-100.00")
        .await?;
    browser
        .wait_for_text("#account-credits", |t| {
            t.contains("Reversed: transfer bounced")
        })
        .await?;
    let remaining = attributes(browser, "#invoice-1 td[data-remaining]", "data-remaining").await?;
    assert_eq!(remaining, ["33.34"]);

    // Then pay all of it (the amount left as it is): the balance and the statement follow,
    // and the statement adds up.
    click(browser, "#invoice-1 button.pay").await?;
    click(browser, "#invoice-pay-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Invoice paid"))
        .await?;
    browser
        .wait_for_text("#balance-balance", |t| t == "-66.66")
        .await?;
    browser
        .wait_for_text("#statement-balances", |t| {
            t == "Previous 0.00 + movements -66.66 = current -66.66"
        })
        .await?;
    browser
        .wait_for_text("table.statement", |t| t.contains("InvoicePaid"))
        .await?;
    let movements = attributes(
        browser,
        "table.statement tr:not(.muted) td[data-value]",
        "data-value",
    )
    .await?;
    assert_eq!(
        movements.iter().map(|v| cents(v)).sum::<i64>(),
        -6_666,
        "{movements:?}"
    );

    // Postpone the second: a bad day count is refused by core's rule before anything is sent;
    // then within the store's limits, then beyond them.
    browser.type_into("#invoice-2 input.days", "0").await?;
    click(browser, "#invoice-2 button.postpone").await?;
    browser
        .wait_for_text("#invoice-2 .invoice-error", |t| {
            t.contains("must be a whole number from 1")
        })
        .await?;
    browser.type_into("#invoice-2 input.days", "5").await?;
    click(browser, "#invoice-2 button.postpone").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("postponed by 5 days"))
        .await?;
    browser
        .wait_for_text("#invoice-2 .postpone-hint", |t| {
            t.contains("Postponed as often as the store allows")
        })
        .await?;
    click(browser, "#invoice-2 button.postpone").await?;
    browser
        .wait_for_text("#invoice-2 .invoice-error", |t| {
            t.contains("postponed 1 times")
        })
        .await?;

    // Refund 10 of the settlement: off the last open invoice, so the balance gains 10.
    click(browser, "#hold-phone-1 button.refund").await?;
    browser.type_into("#refund-value", "10").await?;
    click(browser, "#refund-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Refunded 10.00"))
        .await?;
    browser
        .wait_for_text("#balance-balance", |t| t == "-56.66")
        .await?;
    browser
        .wait_for_text("#invoice-3", |t| t.contains("23.33"))
        .await?;

    // A hold that is not for checkout expires on its date, or is cancelled (after a confirm).
    click(browser, "#new-hold").await?;
    browser.type_into("#new-hold-value", "40").await?;
    browser.type_into("#new-hold-order", "phone-2").await?;
    click(browser, "#new-hold-settle + .track").await?;
    // Left empty, an unsettled hold expires in a day (core's default): no error for the date.
    browser
        .wait_for_text("#new-hold-expires-error", str::is_empty)
        .await?;
    browser.type_into("#new-hold-expires", "2099-12-31").await?;
    browser
        .wait_for_text("#new-hold-expires-error", |t| t.contains("365"))
        .await?;
    browser
        .type_into("#new-hold-expires", &next_month_first())
        .await?;
    browser
        .wait_for_text("#new-hold-expires-error", str::is_empty)
        .await?;
    click(browser, "#new-hold-save").await?;
    browser
        .wait_for_text("#hold-phone-2", |t| t.contains("Authorized"))
        .await?;
    browser
        .wait_for_text("#balance-held", |t| t == "40.00")
        .await?;
    click(browser, "#hold-phone-2 button.cancel-hold").await?;
    browser.client.accept_alert().await?;
    browser
        .wait_for_text("#hold-phone-2", |t| t.contains("Cancelled"))
        .await?;
    browser
        .wait_for_text("#balance-held", |t| t == "0.00")
        .await?;

    // A manual debit: core wants a negative amount; the balance follows.
    browser.type_into("#debit-value", "5").await?;
    browser
        .wait_for_text("#debit-value-error", |t| t.contains("below 0"))
        .await?;
    browser.type_into("#debit-value", "-5").await?;
    click(browser, "#debit-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Debit recorded"))
        .await?;
    browser
        .wait_for_text("#balance-balance", |t| t == "-61.66")
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
    click(browser, "#change-creditlimit-save").await?;
    browser
        .wait_for_text("#balance-available", |t| t == "1,938.34")
        .await?;

    // A holder, and closing refused while debt remains (the reason is shown).
    browser
        .type_into("#holder-email", "partner@example.com")
        .await?;
    click(browser, "#holder-add").await?;
    browser
        .wait_for_text("ul.holders", |t| t.contains("partner@example.com"))
        .await?;
    click(browser, "#account-close-or-reopen").await?;
    browser.client.accept_alert().await?;
    browser
        .wait_for_text("#account-status-error", |t| t.contains("open invoices"))
        .await?;

    browser.screenshot(&shot(mode, "account")).await?;

    // A second buyer near their limit, and a third, so the charts have something to compare.
    for (document, limit, held) in [("22222222222", "500", "450"), ("33333333333", "800", "100")] {
        open_account(
            browser,
            document,
            &format!("b{document}@example.com"),
            limit,
        )
        .await?;
        hold(browser, held, &format!("checkout-{document}")).await?;
    }

    // The dashboard reflects it: 56.66 outstanding, all current; 550 held by the other two.
    browser.go("Dashboard").await?;
    browser
        .wait_for_text("#total-outstanding .tile-value", |t| t == "56.66")
        .await?;
    browser
        .wait_for_text("#total-overdue .tile-value", |t| t == "0.00")
        .await?;
    browser
        .wait_for_text("#total-held .tile-value", |t| t == "550.00")
        .await?;
    browser
        .wait_for_text("#total-accounts .tile-value", |t| t == "3")
        .await?;
    let aging = attributes(browser, "#aging-chart g.bar", "data-measure").await?;
    assert_eq!(aging, ["5666", "0", "0", "0", "0"]);
    let usage = attributes(browser, "#usage-chart g.bar", "data-measure").await?;
    assert_eq!(
        usage,
        ["0", "2", "0", "1", "0"],
        "unused, ≤50 %, ≤80 %, ≤100 %, over"
    );
    browser.screenshot(&shot(mode, "dashboard")).await?;

    // The invoices screen: filters in the URL, the summary of the whole filtered set.
    browser.go("Invoices").await?;
    browser.find("#invoice-summary").await?;
    click(browser, "#filter-status-Opened").await?;
    browser
        .type_into("#filter-creditAccountId", "not an id")
        .await?;
    browser
        .wait_for_text("#filter-creditAccountId-error", |t| !t.is_empty())
        .await?;
    browser
        .type_into("#filter-creditAccountId", "11111111111_CPF")
        .await?;
    click(browser, "#invoice-search").await?;
    browser
        .wait_for_text("#invoice-summary", |t| {
            t.starts_with("2 invoices · open 56.66")
        })
        .await?;
    let url = browser.client.current_url().await?;
    assert!(
        url.as_str()
            .ends_with("/invoices?status=Opened&creditAccountId=11111111111_CPF"),
        "{url}"
    );
    browser.screenshot(&shot(mode, "invoices")).await?;
    browser.client.back().await?;
    browser
        .wait_for_text("#invoice-summary", |t| t.starts_with("3 invoices"))
        .await?;

    // Edit an invoice's observation and payment link (core checks the link), then find it by
    // its observation.
    click(browser, "table.invoices tbody tr:last-child button.edit").await?;
    browser
        .type_into("#invoice-observation", "Called the buyer")
        .await?;
    browser
        .type_into("#invoice-payment-link", "ftp://pay")
        .await?;
    browser
        .wait_for_text("#invoice-payment-link-error", |t| t.contains("http"))
        .await?;
    browser
        .type_into("#invoice-payment-link", "https://pay.example.com/3")
        .await?;
    click(browser, "#invoice-edit-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Invoice updated"))
        .await?;
    browser.type_into("#filter-observation", "called").await?;
    click(browser, "#invoice-search").await?;
    browser
        .wait_for_text("#invoice-summary", |t| t.starts_with("1 invoices"))
        .await?;
    browser
        .wait_for_text("table.invoices", |t| t.contains("Called the buyer"))
        .await?;

    // Keys belong to a server: a role-limited key, its token shown once, then revoked. In the
    // browser alone nobody signs in, and the screen says so.
    browser.go("API keys").await?;
    match mode {
        Mode::Server(server) => keys(server, browser).await?,
        Mode::Browser(_) => {
            browser
                .wait_for_text("tr[data-key='browser']", |t| t.contains("nobody signs in"))
                .await?;
        }
    }

    // Opening the first account again is refused, and the form says why; the
    // accounts search lives in the URL.
    browser.go("Accounts").await?;
    browser
        .wait_for_text("table.data", |t| t.contains("11111111111_CPF"))
        .await?;
    browser.type_into("#document", "11111111111").await?;
    browser.type_into("#email", "buyer@example.com").await?;
    browser.type_into("#creditLimit", "10").await?;
    click(browser, "#open-account").await?;
    browser
        .wait_for_text("#open-account-error", |t| {
            t.contains("exists already; find it in the list")
        })
        .await?;
    browser.screenshot(&shot(mode, "accounts")).await?;
    browser
        .type_into("#search-email", "nobody@example.com")
        .await?;
    click(browser, ".filters button").await?;
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
    company_credit(mode, browser).await?;
    // Nothing the admin did on the way was blocked by its Content-Security-Policy.
    let blocked = browser.policy_violations().await?;
    assert!(
        blocked.is_empty(),
        "the admin's policy blocked: {blocked:?}"
    );
    Ok(())
}

/// The first account in the company-credit API: numbered 1, in the store's currency; a
/// reimbursement with a purchase order moves the balance the Customer Credit panels show, the
/// typed history lists it (and filters by type), its comment is edited, the exceed-limit switch
/// is saved. The same in both modes.
async fn company_credit(mode: &Mode, browser: &Browser) -> anyhow::Result<()> {
    click(browser, "a[href$='/accounts/11111111111_CPF']").await?;
    browser
        .wait_for_text("#company-credit-numbers", |t| {
            t.starts_with("Credit 1 · company 1")
        })
        .await?;
    let balance = |text: &str| cents(&text.replace(',', ""));
    let before = balance(&browser.find("#balance-balance").await?.text().await?);
    browser.type_into("#increase-value", "12.5").await?;
    browser
        .find("#increase-type")
        .await?
        .select_by_value("4")
        .await?;
    browser.type_into("#increase-po", "PO-4711").await?;
    click(browser, "#increase-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Increase the balance: done"))
        .await?;
    // The Customer Credit balance moved by the reimbursement.
    browser
        .wait_for_text("#balance-balance", |t| balance(t) == before + 1250)
        .await?;
    browser
        .wait_for_text("#company-history", |t| {
            t.contains("4 Reimbursed") && t.contains("PO-4711")
        })
        .await?;
    // Only the purchases: the reimbursement is filtered out.
    browser
        .find("#history-type")
        .await?
        .select_by_value("3")
        .await?;
    browser
        .wait_for_text("#company-history", |t| {
            t.contains("3 Purchased") && !t.contains("PO-4711")
        })
        .await?;
    browser
        .find("#history-type")
        .await?
        .select_by_value("4")
        .await?;
    browser
        .wait_for_text("#company-history", |t| t.contains("PO-4711"))
        .await?;
    click(browser, "#company-history tr:last-child button.link").await?;
    browser
        .type_into("#company-history input[id$='-comment']", "cheque 88")
        .await?;
    click(browser, "#company-history button[id$='-save']").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("History entry saved"))
        .await?;
    browser
        .wait_for_text("#company-history", |t| t.contains("cheque 88"))
        .await?;
    click(browser, "label.switch:has(#company-exceed) .track").await?;
    click(browser, "#company-terms-save").await?;
    browser
        .wait_for_text(".toast", |t| t.contains("Company credit saved"))
        .await?;
    browser
        .screenshot(&shot(mode, "account-company-credit"))
        .await?;
    Ok(())
}

async fn keys(server: &Server, browser: &Browser) -> anyhow::Result<()> {
    browser.type_into("#key-label", "Finance").await?;
    click(browser, "input[data-resource='Read Invoices']").await?;
    click(browser, "#key-create").await?;
    let token = browser
        .wait_for_text("#new-app-token", |t| t.len() >= 32)
        .await?;
    let app_key = browser
        .wait_for_text("#new-app-key", |t| !t.is_empty())
        .await?;
    let (status, _) = server
        .http(
            "GET",
            "/api/creditcontrol/invoices",
            &[
                ("X-VTEX-API-AppKey", &app_key),
                ("X-VTEX-API-AppToken", &token),
            ],
            "",
        )
        .await?;
    assert_eq!(status, 200, "the new key reads invoices");
    browser.screenshot("keys").await?;
    click(browser, &format!("tr[data-key='{app_key}'] button.revoke")).await?;
    browser.client.accept_alert().await?;
    browser
        .wait_for_text(&format!("tr[data-key='{app_key}']"), |t| {
            t.contains("Revoked")
        })
        .await?;

    Ok(())
}
