//! Reminders through the real router over a real database (SQLite file, or PostgreSQL with
//! CREDITDESK_TEST_POSTGRES_URL), decided by the server's own rounds at the test clock and
//! mailed to a real SMTP server (aiosmtpd from PyPI, which `cargo xtask install` puts in
//! `.tools/aiosmtpd`) that writes what it receives into a maildir the test reads.

mod common;

use axum::http::{Method, StatusCode};
use common::smtp::Smtp;
use common::{test_app, test_app_with, TestApp, ACCOUNTS};
use creditdesk_core::Timestamp;
use creditdesk_server::mail::{self, Mailer};
use creditdesk_server::notify::remind_due;
use serde_json::{json, Value};

const STORE: &str = "/api/creditcontrol/storeconfig";

/// An account (`{document}_CPF`, email `{document}@example.com`, limit 1000) with one invoice
/// of 100.00; its invoice's path.
async fn invoice(app: &TestApp, document: &str) -> String {
    app.open_account(document, "1000").await;
    let tx = app
        .hold_and_settle(&format!("{document}_CPF"), "100.00", 1)
        .await;
    format!("{ACCOUNTS}/{document}_CPF/invoices/{tx}-01")
}

fn reminders_path(invoice: &str) -> String {
    invoice.replace("/api/creditcontrol/", "/api/creditdesk/") + "/reminders"
}

async fn reminders(app: &TestApp, invoice: &str) -> Value {
    app.ok(Method::GET, &reminders_path(invoice), None).await
}

fn items(list: &Value) -> Vec<(String, String)> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let rule = match r["rule"].as_str() {
                Some("daysPrior") => format!("prior {}", r["days"]),
                Some("daysAfter") => format!("after {}", r["days"]),
                _ => panic!("a reminder names its rule: {r}"),
            };
            (rule, r["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Moves the app's clock to just after `at`.
fn move_past(app: &TestApp, at: &Value) {
    let at: Timestamp = at.as_str().unwrap().parse().unwrap();
    let now = app.state.now();
    let seconds = (at.unix_micros() - now.unix_micros()) / 1_000_000 + 1;
    assert!(seconds > 0, "{at} is after now ({now})");
    app.clock.advance_seconds(seconds);
}

/// The store: São Paulo time, reminders the day before and 1 and 3 days after at 09:00, 1 % a
/// day of interest.
async fn configure(app: &TestApp) {
    app.ok(
        Method::PUT,
        STORE,
        Some(json!({
            "timeZone": "America/Sao_Paulo",
            "dailyInterestRate": 0.01,
            "notificationsSettings": {
                "daysPrior": [{"days": 1, "timeOfDay": "09:00:00"}],
                "daysAfter": [{"days": 1, "timeOfDay": "09:00:00"}, {"days": 3, "timeOfDay": "09:00:00"}],
            }
        })),
    )
    .await;
}

#[tokio::test]
async fn reminders_are_scheduled_sent_by_email_once_and_only_the_latest_after_downtime() {
    let smtp = Smtp::start().await;
    let mailer = smtp.mailer();
    let app = test_app_with(|s| s.mailer = Some(smtp.mailer())).await;
    configure(&app).await;
    let path = invoice(&app, "1").await;
    app.ok(
        Method::POST,
        &format!("{ACCOUNTS}/1_CPF/holders"),
        Some(json!({"claims": {"email": "Holder+Credit_1@Example.com"}})),
    )
    .await;

    // Three scheduled, by time, at 09:00 in São Paulo (12:00 UTC; no daylight saving there).
    let list = reminders(&app, &path).await;
    assert_eq!(list["timeZone"], "America/Sao_Paulo");
    assert_eq!(list["emailConfigured"], true);
    assert_eq!(
        items(&list),
        [
            ("prior 1".to_owned(), "Scheduled".to_owned()),
            ("after 1".to_owned(), "Scheduled".to_owned()),
            ("after 3".to_owned(), "Scheduled".to_owned()),
        ]
    );
    for item in list["items"].as_array().unwrap() {
        assert!(
            item["at"].as_str().unwrap().ends_with("T12:00:00.0000000Z"),
            "{item}"
        );
    }
    assert_eq!(
        remind_due(&app.state).await.unwrap(),
        0,
        "nothing is due yet"
    );

    // At the day before: one reminder, one email to the account and its holder.
    move_past(&app, &list["items"][0]["at"]);
    assert_eq!(remind_due(&app.state).await.unwrap(), 1);
    assert_eq!(remind_due(&app.state).await.unwrap(), 0, "sent once");
    assert!(
        smtp.received().is_empty(),
        "the email waits for the mail round"
    );
    let sent = mail::deliver_due(&app.state, &mailer).await.unwrap();
    assert_eq!(sent, 1, "{}", reminders(&app, &path).await);
    assert_eq!(mail::deliver_due(&app.state, &mailer).await.unwrap(), 0);
    let got = smtp.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let first = &got[0];
    assert!(first.rcpt_to.contains("1@example.com"), "{first:?}");
    assert!(
        first.rcpt_to.contains("Holder+Credit_1@Example.com"),
        "{first:?}"
    );
    assert!(
        first.to.contains("1@example.com") && first.to.contains("Holder+Credit_1@Example.com"),
        "{first:?}"
    );
    assert!(first.from.contains("billing@store.example"), "{first:?}");
    let invoice_view = app.ok(Method::GET, &path, None).await;
    let friendly = invoice_view["friendlyId"].as_str().unwrap();
    assert!(
        first
            .subject
            .starts_with(&format!("Invoice {friendly}: 100.00 BRL due on ")),
        "{first:?}"
    );
    assert!(first.body.contains("Amount due: 100.00 BRL."), "{first:?}");
    assert!(first.body.contains("Pay it through the store"), "{first:?}");
    assert!(
        !first.body.contains("Your account"),
        "My Credits is off: {first:?}"
    );

    let list = reminders(&app, &path).await;
    let sent = &list["items"][0];
    assert_eq!(sent["status"], "Sent");
    assert_eq!(sent["email"]["status"], "Sent");
    assert_eq!(sent["email"]["attempts"], 1);
    assert!(sent["email"]["sentAt"].is_string());
    assert_eq!(sent["message"]["subject"].as_str().unwrap(), first.subject);
    assert!(sent["eventId"].as_str().unwrap().starts_with("msg_"));

    // A payment link is named in what follows; the server is down past both later reminders:
    // only the latest goes, the other is skipped as superseded, and the email carries the
    // interest of the days late.
    app.ok(
        Method::PUT,
        &path,
        Some(json!({"status": "Opened", "paymentLink": "https://pay.example/i/1"})),
    )
    .await;
    // The store shows My Credits from its own page: what follows names it.
    app.ok(
        Method::PUT,
        STORE,
        Some(json!({"myCreditsEnabled": true, "myCreditsUrl": "https://shop.example/my-credits"})),
    )
    .await;
    move_past(&app, &list["items"][2]["at"]);
    assert_eq!(remind_due(&app.state).await.unwrap(), 1);
    assert_eq!(mail::deliver_due(&app.state, &mailer).await.unwrap(), 1);
    let list = reminders(&app, &path).await;
    assert_eq!(
        items(&list),
        [
            ("prior 1".to_owned(), "Sent".to_owned()),
            ("after 1".to_owned(), "Skipped".to_owned()),
            ("after 3".to_owned(), "Sent".to_owned()),
        ]
    );
    assert_eq!(list["items"][1]["reason"], "superseded");
    assert!(list["items"][1].get("email").is_none());
    let got = smtp.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let late = &got[1];
    let view = app.ok(Method::GET, &path, None).await;
    let amount_due = view["amountDue"].to_string();
    assert!(late.subject.contains("is overdue"), "{late:?}");
    assert!(
        late.subject
            .contains(&format!("{amount_due} BRL was due on")),
        "{late:?} {view}"
    );
    assert!(
        late.body.contains("is overdue interest and its tax"),
        "{late:?}"
    );
    assert!(
        late.body.contains("Pay here: https://pay.example/i/1"),
        "{late:?}"
    );
    assert!(
        late.body
            .contains("Your account and all your invoices: https://shop.example/my-credits"),
        "{late:?}"
    );
    let owed: creditdesk_core::Money = amount_due.parse().unwrap();
    assert!(owed > "100".parse().unwrap(), "interest is due: {owed}");
    assert_eq!(
        list["items"][2]["message"]["amountDue"].to_string(),
        amount_due
    );

    // Nothing after the last; a paid invoice has nothing scheduled.
    app.clock.advance_days(30);
    assert_eq!(remind_due(&app.state).await.unwrap(), 0);
}

#[tokio::test]
async fn settings_changes_reschedule_what_was_not_sent_and_closed_invoices_get_none() {
    let app = test_app().await;
    configure(&app).await;
    let open = invoice(&app, "1").await;
    let paid = invoice(&app, "2").await;
    app.ok(Method::POST, &format!("{paid}/payments"), None)
        .await;
    assert!(reminders(&app, &paid).await["items"]
        .as_array()
        .unwrap()
        .is_empty());

    let before = reminders(&app, &open).await;
    assert_eq!(before["emailConfigured"], false);
    app.ok(
        Method::PUT,
        STORE,
        Some(json!({
            "timeZone": "Asia/Tokyo",
            "notificationsSettings": {"daysPrior": [{"days": 2, "timeOfDay": "10:00:00"}], "daysAfter": []}
        })),
    )
    .await;
    let after = reminders(&app, &open).await;
    assert_eq!(after["timeZone"], "Asia/Tokyo");
    assert_eq!(
        items(&after),
        [("prior 2".to_owned(), "Scheduled".to_owned())]
    );
    // 10:00 in Tokyo is 01:00 UTC.
    assert!(
        after["items"][0]["at"]
            .as_str()
            .unwrap()
            .ends_with("T01:00:00.0000000Z"),
        "{after}"
    );

    // Sent without SMTP: the reminder goes (its event through the outbox to the endpoints that
    // hear invoice.reminder), its email is not configured.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let endpoint = app
        .ok(
            Method::POST,
            "/api/creditdesk/webhooks",
            Some(json!({"url": format!("http://{closed}/hook"), "events": ["invoice.reminder"]})),
        )
        .await;
    move_past(&app, &after["items"][0]["at"]);
    assert_eq!(remind_due(&app.state).await.unwrap(), 1);
    let sent = reminders(&app, &open).await;
    assert_eq!(sent["items"][0]["status"], "Sent");
    assert_eq!(sent["items"][0]["email"]["status"], "NotConfigured");
    let round = creditdesk_server::webhooks::deliver_due(
        &app.state,
        &creditdesk_server::webhooks::client(app.state.destinations.clone()),
    )
    .await
    .unwrap();
    assert_eq!(round.attempted, 1, "{round:?}");
    let deliveries = app
        .ok(
            Method::GET,
            &format!(
                "/api/creditdesk/webhooks/{}/deliveries",
                endpoint["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(deliveries["data"][0]["eventType"], "invoice.reminder");
    assert_eq!(
        deliveries["data"][0]["eventId"],
        sent["items"][0]["eventId"]
    );
    // Not a reminder of the paid invoice.
    assert!(reminders(&app, &paid).await["items"]
        .as_array()
        .unwrap()
        .is_empty());

    // A setting that is no time zone, or a zone the database does not know: 422, nothing kept.
    for zone in ["Mars/Olympus_Mons", "not a zone", ""] {
        let (status, body) = app
            .call(Method::PUT, STORE, Some(json!({"timeZone": zone})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{zone}: {body}");
        assert_eq!(common::error_fields(&body), ["timeZone"], "{body}");
    }
    let config = app.ok(Method::GET, STORE, None).await;
    assert_eq!(config["timeZone"], "Asia/Tokyo");

    // Unknown account or invoice: 404.
    let (status, _) = app
        .call(
            Method::GET,
            &reminders_path(&format!("{ACCOUNTS}/9_CPF/invoices/x-01")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let missing = open.replace("-01", "-02");
    let (status, _) = app.call(Method::GET, &reminders_path(&missing), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_email_survives_a_dead_round_and_is_skipped_once_the_invoice_is_paid() {
    let smtp = Smtp::start().await;
    let mailer = smtp.mailer();
    let app = test_app_with(|s| s.mailer = Some(smtp.mailer())).await;
    configure(&app).await;
    let kept = invoice(&app, "1").await;
    let paid = invoice(&app, "2").await;
    let at = reminders(&app, &kept).await["items"][0]["at"].clone();
    move_past(&app, &at);
    assert_eq!(remind_due(&app.state).await.unwrap(), 2);

    // A round claims both and dies before sending: nothing goes until its lease ends.
    let claimed = app.db.claim_mail(app.state.now()).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(mail::deliver_due(&app.state, &mailer).await.unwrap(), 0);
    // Meanwhile the second invoice is paid: its email is skipped, the other is sent once.
    app.ok(Method::POST, &format!("{paid}/payments"), None)
        .await;
    app.clock.advance_seconds(121);
    assert_eq!(mail::deliver_due(&app.state, &mailer).await.unwrap(), 1);
    let got = smtp.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].rcpt_to.contains("1@example.com"), "{got:?}");
    let skipped = reminders(&app, &paid).await;
    assert_eq!(skipped["items"][0]["status"], "Sent");
    assert_eq!(skipped["items"][0]["email"]["status"], "Skipped");

    // An SMTP server nobody answers at: the email waits and is tried again on the schedule.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = Mailer::new(&format!("smtp://{closed}"), "billing@store.example").unwrap();
    let third = invoice(&app, "3").await;
    let at = reminders(&app, &third).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "Scheduled")
        .unwrap()["at"]
        .clone();
    move_past(&app, &at);
    assert!(remind_due(&app.state).await.unwrap() >= 1);
    assert_eq!(mail::deliver_due(&app.state, &down).await.unwrap(), 0);
    let list = reminders(&app, &third).await;
    let email = &list["items"][0]["email"];
    assert_eq!(email["status"], "Pending", "{list}");
    assert_eq!(email["attempts"], 1);
    assert!(email["error"].is_string());
}

#[tokio::test]
async fn two_servers_deciding_at_once_send_each_reminder_once() {
    let app = test_app().await;
    configure(&app).await;
    let mut paths = Vec::new();
    for n in 1..=12 {
        paths.push(invoice(&app, &n.to_string()).await);
    }
    let at = reminders(&app, &paths[0]).await["items"][0]["at"].clone();
    move_past(&app, &at);
    // A second server: its own connections to the same database, the same clock.
    let other_db = creditdesk_server::db::Db::connect(
        &app.database_url,
        creditdesk_server::db::Synchronous::Full,
    )
    .await
    .unwrap();
    let other = creditdesk_server::AppState {
        clock: app.clock.clone(),
        ..creditdesk_server::AppState::new(other_db)
    };
    let (a, b) = tokio::join!(remind_due(&app.state), remind_due(&other));
    assert_eq!(
        a.unwrap() + b.unwrap(),
        12,
        "each invoice's reminder decided by one of them"
    );
    let (count,): (i64,) = app
        .db
        .pool()
        .fetch_one(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'invoice.reminder'",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(count, 12, "one invoice.reminder event each");
    for path in &paths {
        let list = reminders(&app, path).await;
        assert_eq!(list["items"][0]["status"], "Sent", "{list}");
    }
}
