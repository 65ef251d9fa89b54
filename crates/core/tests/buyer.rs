//! My Credits (core's `buyer`): which emails see an account, the link request's reader and its
//! times, what the buyer's page groups and in which order. Native and wasm.

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::buyer::{
    same_email, sees_account, session_expires_at, MyCredits, NewBuyerLink, LINK_MINUTES_DEFAULT,
};
use creditdesk_core::commands::{CreateHold, OpenAccount, Pay};
use creditdesk_core::credit::PaymentLocators;
use creditdesk_core::ids::{Actor, HolderId, InvoiceId, TransactionId};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::Timestamp;
use serde_json::json;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// (an email on the account, what the buyer typed) → the same address?
const EMAILS: &[(&str, &str, bool)] = &[
    ("ana@example.com", "ana@example.com", true),
    (
        "Ana.Silva+Store@Example.COM",
        "ana.silva+store@example.com",
        true,
    ),
    ("bruno_silva@example.com", "BRUNO_SILVA@EXAMPLE.COM", true),
    ("josé.müller@exämple.com", "JOSÉ.MÜLLER@EXÄMPLE.COM", true),
    ("ana+store@example.com", "ana@example.com", false),
    ("ana.silva@example.com", "anasilva@example.com", false),
    ("a_b@example.com", "a-b@example.com", false),
    ("ana@example.com", "ana@example.co", false),
];

/// (body) → the minutes, or the field refused.
const LINK_BODIES: &[(&str, Result<u16, &str>)] = &[
    (r#"{"email": "a@b.co"}"#, Ok(LINK_MINUTES_DEFAULT)),
    (r#"{"email": "a@b.co", "expiresInMinutes": 1}"#, Ok(1)),
    (r#"{"email": "a@b.co", "expiresInMinutes": 1440}"#, Ok(1440)),
    (r#"{"email": "a@b.co", "expiresInMinutes": "60"}"#, Ok(60)),
    (
        r#"{"email": "a@b.co", "expiresInMinutes": 1441}"#,
        Err("expiresInMinutes"),
    ),
    (
        r#"{"email": "a@b.co", "expiresInMinutes": 0}"#,
        Err("expiresInMinutes"),
    ),
    (
        r#"{"email": "a@b.co", "expiresInMinutes": 1.5}"#,
        Err("expiresInMinutes"),
    ),
    (r#"{"email": "nobody"}"#, Err("email")),
    (r#"{}"#, Err("email")),
];

fn now() -> Timestamp {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

fn tx(n: u8) -> TransactionId {
    TransactionId::from_bytes([n; 16])
}

/// An account of `email` with three settlements of 100: one paid (a day later), one cancelled
/// (two days later), one open in two installments.
fn book(email: &str, ctx: &Ctx) -> Book {
    let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "CPF",
        "email": email, "creditLimit": 1000}))
    .unwrap();
    let mut book = Book::open(&open, ctx);
    for (n, installments) in [(1, 1), (2, 1), (3, 2)] {
        let hold = CreateHold::from_json(
            &json!({"value": 100, "settle": true, "installments": installments}),
            ctx.now,
        )
        .unwrap();
        book.create_hold(&hold, tx(n), ctx).unwrap();
        book.settle(
            &tx(n),
            "100".parse().unwrap(),
            &"AbCd1234".parse().unwrap(),
            ctx,
        )
        .unwrap();
    }
    let later = |days| Ctx {
        now: ctx.now.plus_days(days).unwrap(),
        ..*ctx
    };
    book.pay(
        &InvoiceId::new(&tx(1), 1),
        &Pay::all(),
        &PaymentLocators::at(ctx.now, [1; 10]),
        &later(1),
    )
    .unwrap();
    book.cancel_invoice(&InvoiceId::new(&tx(2), 1), &later(2))
        .unwrap();
    book
}

case_test! {
    fn emails_are_one_address_in_any_case() {
        for (ours, typed, same) in EMAILS {
            assert_eq!(same_email(ours, typed), *same, "{ours} / {typed}");
        }
    }

    fn the_account_email_and_every_holder_see_the_account() {
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &config };
        let mut book = book("Owner+1@Example.com", &ctx);
        assert!(sees_account(&book, "owner+1@example.com"));
        assert!(!sees_account(&book, "holder_2@example.com"));
        book.add_holder(&"holder_2@example.com".parse().unwrap(), HolderId::from_bytes([5; 16]), &ctx)
            .unwrap();
        assert!(sees_account(&book, "HOLDER_2@example.com"));
        assert!(sees_account(&book, "owner+1@example.com"));
        assert!(!sees_account(&book, "owner@example.com"));
        // An account opened without an email is seen by its holders only.
        book.account.email = None;
        assert!(!sees_account(&book, "owner+1@example.com"));
        assert!(sees_account(&book, "holder_2@example.com"));
    }

    fn a_link_is_given_while_my_credits_is_on_and_to_an_email_that_sees_the_account() {
        let off = StoreConfig::default();
        let on = off.apply_update(&json!({"myCreditsEnabled": true})).unwrap();
        let actor: Actor = "tests".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &on };
        let book = book("owner@example.com", &ctx);
        let link = |email: &str| NewBuyerLink::from_json(&json!({"email": email})).unwrap();
        // (store, email) → the refusal's reason and field (none: given).
        for (config, email, want) in [
            (&on, "Owner@Example.com", None),
            (&on, "other@example.com", Some(("invalid", "email"))),
            (&off, "owner@example.com", Some(("my_credits_disabled", ""))),
            (&off, "other@example.com", Some(("my_credits_disabled", ""))),
        ] {
            let got = link(email).check(&book, config).err().map(|error| {
                let field = match &error {
                    creditdesk_core::CreditError::Invalid(errors) => errors.iter().next().unwrap().field.clone(),
                    _ => String::new(),
                };
                assert!(error.to_string().contains(if field.is_empty() { "myCreditsEnabled" } else { "1_CPF" }), "{error}");
                (error.reason(), field)
            });
            assert_eq!(got, want.map(|(reason, field)| (reason, field.to_owned())), "{email}");
        }
    }

    fn link_requests_are_read_with_their_minutes() {
        for (body, want) in LINK_BODIES {
            let got = NewBuyerLink::from_json(&serde_json::from_str(body).unwrap());
            match (got, want) {
                (Ok(link), Ok(minutes)) => {
                    assert_eq!(link.expires_in_minutes, *minutes, "{body}");
                    assert_eq!(link.email.as_str(), "a@b.co");
                    let expires = link.expires_at(now());
                    assert_eq!(expires.unix_micros() - now().unix_micros(), i64::from(*minutes) * 60_000_000);
                }
                (Err(errors), Err(field)) => {
                    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                    assert_eq!(fields, [*field], "{body}");
                }
                (got, _) => panic!("{body}: {got:?}"),
            }
        }
        assert_eq!(session_expires_at(now()).unix_micros() - now().unix_micros(), 3_600_000_000);
        assert_eq!(session_expires_at(Timestamp::MAX), Timestamp::MAX);
    }

    fn the_page_groups_invoices_by_what_is_left_to_do() {
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &config };
        let mut book = book("a@b.co", &ctx);
        // A fourth settlement, whose invoice falls due before the second installment of t3.
        let hold = CreateHold::from_json(&json!({"value": 50, "settle": true}), now()).unwrap();
        let later = Ctx { now: now().plus_days(3).unwrap(), ..ctx };
        book.create_hold(&hold, tx(4), &later).unwrap();
        book.settle(&tx(4), "50".parse().unwrap(), &"EfGh5678".parse().unwrap(), &later).unwrap();
        book.pay(&InvoiceId::new(&tx(3), 1), &Pay::all(), &PaymentLocators::at(now(), [2; 10]), &later)
            .unwrap();
        let view = MyCredits::of(&book, &later, None, None);
        let ids = |list: &[creditdesk_core::wire::InvoiceView]| -> Vec<String> {
            list.iter().map(|i| i.id.clone()).collect()
        };
        let id = |t: u8, n: u16| InvoiceId::new(&tx(t), n).to_string();
        assert_eq!(ids(&view.open), [id(4, 1), id(3, 2)], "oldest due first");
        assert_eq!(ids(&view.paid), [id(3, 1), id(1, 1)], "latest first");
        assert_eq!(ids(&view.cancelled), [id(2, 1)]);
        assert_eq!(view.account.balance.to_string(), "-100.00");
        assert_eq!(view.statement.current_balance, view.account.balance);
        // A window: its previous balance is where it starts.
        let window = MyCredits::of(&book, &later, Some(now().plus_days(2).unwrap()), None);
        assert!(window.statement.statements.len() < view.statement.statements.len());
    }
}
