//! Tables of small cases for core's rules. This one file runs natively (`cargo test`) and in
//! headless Chromium (`cargo test --target wasm32-unknown-unknown`), so both targets are held to
//! the same vectors.

use creditdesk_core::account::AccountStatus;
use creditdesk_core::store_config::{StoreConfig, TimeOfDay};
use creditdesk_core::text::{self, TextError, TextKind, TextRule};
use creditdesk_core::{Money, Rate};
use serde_json::Value;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Money text → minor units, or the start of the refusal message.
const MONEY: &[(&str, Result<i64, &str>)] = &[
    ("0", Ok(0)),
    ("19.90", Ok(1990)),
    ("19.9", Ok(1990)),
    ("1.500", Ok(150)),
    ("-3", Ok(-300)),
    ("-0.00", Ok(0)),
    ("1000000000", Ok(100_000_000_000)),
    ("1000000000.01", Err("must be at most 1000000000.00")),
    ("19.999", Err("must have at most 2 decimal places")),
    ("0.001", Err("must have at most 2 decimal places")),
    ("1e3", Err("must be an amount")),
    ("", Err("must be an amount")),
    ("12,50", Err("must be an amount")),
    (" 1", Err("must be an amount")),
    ("NaN", Err("must be an amount")),
];

/// Money as a JSON value (number or string) → minor units, or the start of the refusal. More
/// digits than allowed are refused in every notation, never rounded (issue 17).
const MONEY_JSON: &[(&str, Result<i64, &str>)] = &[
    ("19.9", Ok(1990)),
    ("1.99e1", Ok(1990)),
    ("1990e-2", Ok(1990)),
    ("0.199E+2", Ok(1990)),
    ("1e9", Ok(100_000_000_000)),
    (
        "\"1.999999999999999999999999999999\"",
        Err("must have at most 2 decimal places"),
    ),
    (
        "1.999999999999999999999999999999e0",
        Err("must have at most 2 decimal places"),
    ),
    (
        "1.999999999999999999999999999999",
        Err("must have at most 2 decimal places"),
    ),
    (
        "100.00000000000000000000000000001e0",
        Err("must have at most 2 decimal places"),
    ),
    (
        "1999999999999999999999999999999e-30",
        Err("must have at most 2 decimal places"),
    ),
    ("1e-999999", Err("must have at most 2 decimal places")),
    ("1.001e0", Err("must have at most 2 decimal places")),
    ("1e-3", Err("must have at most 2 decimal places")),
    ("100.000000000000000000000000000000000e0", Ok(10_000)),
    ("1e10", Err("must be at most 1000000000.00")),
    ("1e400", Err("must be at most 1000000000.00")),
    (
        "1234567890123456789012345678901",
        Err("must be at most 1000000000.00"),
    ),
    ("\"1e3\"", Err("must be an amount")),
    ("true", Err("must be an amount")),
];

/// Rate text → normalised fraction, or the start of the refusal message.
const RATES: &[(&str, Result<&str, &str>)] = &[
    ("0", Ok("0")),
    ("0.1", Ok("0.1")),
    ("0.100", Ok("0.1")),
    ("1", Ok("1")),
    ("0.000001", Ok("0.000001")),
    ("0.0000001", Err("must have at most 6 decimal places")),
    ("1.01", Err("must be between 0 and 1")),
    ("-0.1", Err("must be between 0 and 1")),
    ("10%", Err("must be a fraction")),
    (
        "0.1000000000000000000000000000001",
        Err("must have at most 6 decimal places"),
    ),
    ("0.10000000000000000000000000000000", Ok("0.1")),
];

/// Credit limit, tolerance → the extra credit tolerance gives, rounded **down** to the cent
/// (docs/credit-rules.md). Each fractional case differs from rounding up or to nearest.
const TOLERANCE: &[(&str, &str, &str)] = &[
    ("100.05", "0.1", "10.00"),
    ("0.09", "0.5", "0.04"),
    ("0.01", "0.999999", "0.00"),
    ("999.99", "0.333333", "333.32"),
    ("1000", "0.25", "250.00"),
    ("0", "1", "0.00"),
    ("1000000000", "1", "1000000000.00"),
];

/// A body and the known fields → the unknown top-level ones (ignored, listed by the server).
const UNKNOWN_FIELDS: &[(&str, &[&str])] = &[
    (r#"{"value": 1}"#, &[]),
    (
        r#"{"value": 1, "id": "x", "balance": 0}"#,
        &["balance", "id"],
    ),
    (r#"{"": 1}"#, &[""]),
    (r#"[1]"#, &[]),
];

/// Values that mean "absent": `null` and `""`, nothing else.
const ABSENT: &[(&str, bool)] = &[
    ("null", true),
    (r#""""#, true),
    (r#"" ""#, false),
    ("0", false),
    ("false", false),
    ("[]", false),
];

/// A hold's body → (settle, installments, days until it expires; `None`: the book's default).
type HoldExpect = Result<(bool, u16, Option<u32>), &'static [&'static str]>;

const HOLD_BODIES: &[(&str, HoldExpect)] = &[
    (r#"{"value": 10}"#, Ok((false, 1, Some(1)))),
    (r#"{"value": 10, "settle": true}"#, Ok((true, 1, None))),
    (
        r#"{"value": 10, "settle": false, "expirationDate": ""}"#,
        Ok((false, 1, Some(1))),
    ),
    (
        r#"{"value": 10, "installments": "3", "settle": null}"#,
        Ok((false, 3, Some(1))),
    ),
    (
        r#"{"value": 10, "settle": false, "expirationDate": "2000-01-01"}"#,
        Err(&["expirationDate"]),
    ),
    (
        r#"{"value": 10, "expirationDate": "2026-12-01T12:00:00Z"}"#,
        Err(&["expirationDate"]),
    ),
    (
        r#"{"value": 10, "expirationDate": "2027-12-01T12:00:00Z"}"#,
        Ok((false, 1, Some(365))),
    ),
    (
        r#"{"value": 10, "expirationDate": "2027-12-01T12:00:00.001Z"}"#,
        Err(&["expirationDate"]),
    ),
    (r#"{"value": "", "settle": true}"#, Err(&["value"])),
    (
        r#"{"settle": "yes", "installments": 0}"#,
        Err(&["value", "settle", "installments"]),
    ),
];

/// Text, its kind, most characters, blank refused → accepted, or why not.
type TextCase = (&'static str, TextKind, u32, bool, Result<(), TextError>);

const TEXTS: &[TextCase] = &[
    ("order-1", TextKind::Identifier, 10, false, Ok(())),
    ("", TextKind::Identifier, 10, false, Ok(())),
    ("", TextKind::Line, 10, true, Err(TextError::Empty)),
    ("   ", TextKind::Line, 10, true, Err(TextError::Empty)),
    ("abc", TextKind::Line, 3, true, Ok(())),
    (
        "abcd",
        TextKind::Line,
        3,
        false,
        Err(TextError::TooLong { max_chars: 3 }),
    ),
    ("ééé", TextKind::Line, 3, false, Ok(())),
    ("a\nb", TextKind::Lines, 10, false, Ok(())),
    ("a\tb\r\n", TextKind::Lines, 10, false, Ok(())),
    (
        "a\nb",
        TextKind::Line,
        10,
        false,
        Err(TextError::ControlCharacter),
    ),
    (
        "a\u{2028}b",
        TextKind::Identifier,
        10,
        false,
        Err(TextError::ControlCharacter),
    ),
    (
        "a\u{7}b",
        TextKind::Lines,
        10,
        false,
        Err(TextError::ControlCharacter),
    ),
    (
        "a\u{200B}b",
        TextKind::Identifier,
        10,
        false,
        Err(TextError::InvisibleCharacter { code_point: 0x200B }),
    ),
    (
        "\u{202E}ab",
        TextKind::Identifier,
        10,
        false,
        Err(TextError::InvisibleCharacter { code_point: 0x202E }),
    ),
    (
        "ab\u{FEFF}",
        TextKind::Identifier,
        10,
        false,
        Err(TextError::InvisibleCharacter { code_point: 0xFEFF }),
    ),
    (
        "a\u{E0041}",
        TextKind::Identifier,
        10,
        false,
        Err(TextError::InvisibleCharacter {
            code_point: 0xE0041,
        }),
    ),
    ("a\u{200B}b", TextKind::Line, 10, false, Ok(())),
    ("\u{200F}שלום", TextKind::Lines, 10, false, Ok(())),
];

/// Account status text (the stored and written form) → the status.
const ACCOUNT_STATUSES: &[(&str, Option<AccountStatus>)] = &[
    ("Open", Some(AccountStatus::Open)),
    ("Closed", Some(AccountStatus::Closed)),
    ("open", None),
    ("", None),
    ("xyzzy", None),
];

/// Hour, minute, second.
type Hms = (u8, u8, u8);

const TIMES: &[(&str, Option<Hms>)] = &[
    ("00:00:00", Some((0, 0, 0))),
    ("12:00:00", Some((12, 0, 0))),
    ("23:59:59", Some((23, 59, 59))),
    ("24:00:00", None),
    ("12:60:00", None),
    ("12:00:60", None),
    ("12:00", None),
    ("1:00:00", None),
    ("12-00-00", None),
    ("12:00:00Z", None),
    ("١٢:٠٠:٠٠", None),
];

/// `Ok((field path, its value as JSON text in the result))` or `Err(fields refused)`.
type UpdateExpect = Result<(&'static str, &'static str), &'static [&'static str]>;

/// An update body and what applying it to the defaults gives.
const UPDATES: &[(&str, UpdateExpect)] = &[
    (r#"{}"#, Ok(("taxRate", "0"))),
    (r#"{"taxRate": 0.25}"#, Ok(("taxRate", "0.25"))),
    (r#"{"taxRate": "0.25"}"#, Ok(("taxRate", "0.25"))),
    (r#"{"taxRate": 2.5e-1}"#, Ok(("taxRate", "0.25"))),
    (
        r#"{"defaultCreditValue": 150}"#,
        Ok(("defaultCreditValue", "150.00")),
    ),
    (
        r#"{"defaultCreditValue": "1100"}"#,
        Ok(("defaultCreditValue", "1100.00")),
    ),
    (
        r#"{"invoicePostponementLimit": 2.0}"#,
        Ok(("invoicePostponementLimit", "2")),
    ),
    (
        r#"{"invoicePostponementLimit": "3"}"#,
        Ok(("invoicePostponementLimit", "3")),
    ),
    (
        r#"{"maxPostponementDays": 365}"#,
        Ok(("maxPostponementDays", "365")),
    ),
    (
        r#"{"toleranceEnabled": true}"#,
        Ok(("toleranceEnabled", "true")),
    ),
    (
        r#"{"notificationsSettings": {"daysAfter": []}}"#,
        Ok(("notificationsSettings.daysAfter", "[]")),
    ),
    (
        r#"{"notificationsSettings": {"daysPrior": [{"days": 2, "timeOfDay": "08:30:00"}]}}"#,
        Ok((
            "notificationsSettings.daysPrior",
            r#"[{"days":2,"timeOfDay":"08:30:00"}]"#,
        )),
    ),
    (r#"{"taxRate": 1.5}"#, Err(&["taxRate"])),
    (r#"{"taxRate": true}"#, Err(&["taxRate"])),
    (r#"{"taxRate": null}"#, Err(&["taxRate"])),
    (
        r#"{"defaultCreditValue": 0.30000000000000001}"#,
        Err(&["defaultCreditValue"]),
    ),
    (
        r#"{"defaultCreditValue": -5}"#,
        Err(&["defaultCreditValue"]),
    ),
    (
        r#"{"defaultCreditValue": 1e400}"#,
        Err(&["defaultCreditValue"]),
    ),
    (
        r#"{"invoicePostponementLimit": 101}"#,
        Err(&["invoicePostponementLimit"]),
    ),
    (
        r#"{"invoicePostponementLimit": 1.5}"#,
        Err(&["invoicePostponementLimit"]),
    ),
    (
        r#"{"maxPostponementDays": -1}"#,
        Err(&["maxPostponementDays"]),
    ),
    (
        r#"{"postponementEnabled": 1}"#,
        Err(&["postponementEnabled"]),
    ),
    (
        r#"{"postponementEnabled": "true"}"#,
        Err(&["postponementEnabled"]),
    ),
    // Unknown top-level fields are ignored (the server lists them), so a misspelt one changes
    // nothing.
    (r#"{"TaxRate": 0.1}"#, Ok(("taxRate", "0"))),
    (
        r#"{"notificationsSettings": []}"#,
        Err(&["notificationsSettings"]),
    ),
    (
        r#"{"notificationsSettings": {"daysBefore": []}}"#,
        Err(&["notificationsSettings.daysBefore"]),
    ),
    (
        r#"{"notificationsSettings": {"daysPrior": {}}}"#,
        Err(&["notificationsSettings.daysPrior"]),
    ),
    (
        r#"{"notificationsSettings": {"daysPrior": [{"days": 1, "timeOfDay": "12:00:00", "x": 1}]}}"#,
        Err(&["notificationsSettings.daysPrior[0].x"]),
    ),
    (
        r#"{"notificationsSettings": {"daysPrior": [{"days": 366, "timeOfDay": "7:00"}]}}"#,
        Err(&[
            "notificationsSettings.daysPrior[0].days",
            "notificationsSettings.daysPrior[0].timeOfDay",
        ]),
    ),
    (
        r#"{"maxPostponementDays": 400, "taxRate": -1}"#,
        Err(&["maxPostponementDays", "taxRate"]),
    ),
    (r#""taxRate""#, Err(&["body"])),
];

/// The small command bodies, each read by its reader.
#[derive(Debug, Clone, Copy)]
enum Reader {
    /// Settlements and refunds: `{value}` above zero.
    PositiveValue,
    /// Manual debits: `{value}` below zero.
    Debit,
    Holder,
    DueDays,
    ChangeInvoice,
    CreditLimit,
    Tolerance,
}

/// A body read → the command's `Debug`, or the fields refused.
type BodyExpect = Result<&'static str, &'static [&'static str]>;

const BODIES: &[(Reader, &str, BodyExpect)] = &[
    (
        Reader::PositiveValue,
        r#"{"value": 12.5}"#,
        Ok("Money(12.50)"),
    ),
    (
        Reader::PositiveValue,
        r#"{"value": "0.01"}"#,
        Ok("Money(0.01)"),
    ),
    (Reader::PositiveValue, r#"{"value": 0}"#, Err(&["value"])),
    (Reader::PositiveValue, r#"{"value": -1}"#, Err(&["value"])),
    (Reader::PositiveValue, r#"{}"#, Err(&["value"])),
    (Reader::Debit, r#"{"value": -0.01}"#, Ok("Money(-0.01)")),
    (Reader::Debit, r#"{"value": 0}"#, Err(&["value"])),
    (
        Reader::Holder,
        r#"{"claims": {"email": "Ana@Example.com"}}"#,
        Ok(r#"Email("Ana@Example.com")"#),
    ),
    (
        Reader::Holder,
        r#"{"claims": {"email": "ana@example.com", "name": "Ana", "x": 1}}"#,
        Err(&["claims.name", "claims.x"]),
    ),
    (
        Reader::Holder,
        r#"{"claims": {"email": null}}"#,
        Err(&["claims.email"]),
    ),
    (Reader::Holder, r#"{"claims": {}}"#, Err(&["claims.email"])),
    (
        Reader::Holder,
        r#"{"claims": {"email": "not an email"}}"#,
        Err(&["claims.email"]),
    ),
    (
        Reader::Holder,
        r#"{"claims": "ana@example.com"}"#,
        Err(&["claims"]),
    ),
    (Reader::DueDays, r#"{"dueDays": 7}"#, Ok("7")),
    (Reader::DueDays, r#"{"dueDays": "30"}"#, Ok("30")),
    (Reader::DueDays, r#"{"dueDays": 0}"#, Err(&["dueDays"])),
    (Reader::DueDays, r#"{"dueDays": 1.5}"#, Err(&["dueDays"])),
    (
        Reader::ChangeInvoice,
        r#"{"status": "paid", "paymentLink": "https://pay.example.com/1?x=2"}"#,
        Ok(
            r#"ChangeInvoice { status: Paid, observation: None, payment_link: Some("https://pay.example.com/1?x=2") }"#,
        ),
    ),
    (
        Reader::ChangeInvoice,
        r#"{"status": "Opened", "observation": "bounced\nsee mail", "paymentLink": "http://h"}"#,
        Ok(
            r#"ChangeInvoice { status: Opened, observation: Some("bounced\nsee mail"), payment_link: Some("http://h") }"#,
        ),
    ),
    (
        Reader::ChangeInvoice,
        r#"{"status": "Opened", "paymentLink": "https://"}"#,
        Err(&["paymentLink"]),
    ),
    (
        Reader::ChangeInvoice,
        r#"{"status": "Opened", "paymentLink": "https:///path"}"#,
        Err(&["paymentLink"]),
    ),
    (
        Reader::ChangeInvoice,
        r#"{"status": "Opened", "paymentLink": "https://pay.example.com/a b"}"#,
        Err(&["paymentLink"]),
    ),
    (
        Reader::ChangeInvoice,
        r#"{"status": "Opened", "paymentLink": "ftp://files.example.com"}"#,
        Err(&["paymentLink"]),
    ),
    (
        Reader::ChangeInvoice,
        r#"{"status": "Late"}"#,
        Err(&["status"]),
    ),
    (
        Reader::CreditLimit,
        r#"{"value": 0, "reason": "paused"}"#,
        Ok(r#"Change { value: Money(0.00), reason: Some("paused") }"#),
    ),
    (Reader::CreditLimit, r#"{"value": -0.01}"#, Err(&["value"])),
    (
        Reader::Tolerance,
        r#"{"value": "0.15"}"#,
        Ok("Change { value: Rate(0.15), reason: None }"),
    ),
    (Reader::Tolerance, r#"{"value": 1.01}"#, Err(&["value"])),
];

fn check_body(reader: Reader, body: &str, expect: BodyExpect) {
    use creditdesk_core::commands::{self, Change, ChangeInvoice};
    let json: Value = serde_json::from_str(body).expect("case bodies are JSON");
    let debug = |v: &dyn std::fmt::Debug| format!("{v:?}");
    let got = match reader {
        Reader::PositiveValue => commands::positive_value_from_json(&json).map(|v| debug(&v)),
        Reader::Debit => commands::debit_from_json(&json).map(|v| debug(&v)),
        Reader::Holder => commands::holder_email_from_json(&json).map(|v| debug(&v)),
        Reader::DueDays => commands::due_days_from_json(&json).map(|v| debug(&v)),
        Reader::ChangeInvoice => ChangeInvoice::from_json(&json).map(|v| debug(&v)),
        Reader::CreditLimit => Change::credit_limit_from_json(&json).map(|v| debug(&v)),
        Reader::Tolerance => Change::tolerance_from_json(&json).map(|v| debug(&v)),
    };
    match (got, expect) {
        (Ok(got), Ok(want)) => assert_eq!(got, want, "{reader:?} {body}"),
        (Err(errors), Err(fields)) => {
            let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{reader:?} {body}: {errors}");
        }
        (got, want) => panic!("{reader:?} {body}: got {got:?}, want {want:?}"),
    }
}

/// `got` (a value, or a refusal's message) against `expect` (the value, or the message's start).
fn check<T: PartialEq + std::fmt::Debug>(
    input: &str,
    got: Result<T, String>,
    expect: Result<T, &str>,
) {
    match (got, expect) {
        (Ok(got), Ok(want)) => assert_eq!(got, want, "{input:?}"),
        (Err(message), Err(want)) => assert!(message.starts_with(want), "{input:?}: {message}"),
        (got, want) => panic!("{input:?}: got {got:?}, want {want:?}"),
    }
}

fn check_money(text: &str, expect: Result<i64, &str>) {
    let got = text.parse::<Money>().map(Money::minor);
    check(text, got.map_err(|e| e.to_string()), expect);
}

fn check_money_json(json: &str, expect: Result<i64, &str>) {
    let value: Value = serde_json::from_str(json).expect("case values are JSON");
    let got = Money::from_json(&value).map(Money::minor);
    check(json, got.map_err(|e| e.to_string()), expect);
}

fn check_rate(text: &str, expect: Result<&str, &str>) {
    let got = text.parse::<Rate>().map(|r| r.to_string());
    check(
        text,
        got.map_err(|e| e.to_string()),
        expect.map(str::to_owned),
    );
}

/// Reads `a.b` from a JSON object.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(value, |v, key| &v[key])
}

fn check_update(body: &str, expect: UpdateExpect) {
    let body: Value = serde_json::from_str(body).expect("case bodies are JSON");
    let base = StoreConfig::default();
    match (base.apply_update(&body), expect) {
        (Ok(config), Ok((path, want))) => {
            let json = serde_json::to_value(&config).unwrap();
            assert_eq!(at(&json, path).to_string(), want, "{body}");
            // What is written reads back as the same configuration.
            assert_eq!(base.apply_update(&json), Ok(config), "{body}: round trip");
        }
        (Err(errors), Err(fields)) => {
            let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{body}: {errors}");
            assert!(errors.iter().all(|e| !e.message.is_empty()));
        }
        (got, want) => panic!("{body}: got {got:?}, want {want:?}"),
    }
}

case_test! {
    fn money_cases() {
        for (text, expect) in MONEY {
            check_money(text, *expect);
        }
    }

    fn money_json_cases() {
        for (json, expect) in MONEY_JSON {
            check_money_json(json, *expect);
        }
    }

    fn rate_cases() {
        for (text, expect) in RATES {
            check_rate(text, *expect);
        }
    }

    fn tolerance_amount_cases() {
        for (limit, tolerance, expect) in TOLERANCE {
            let amount = creditdesk_core::account::tolerance_amount(
                limit.parse().unwrap(),
                tolerance.parse().unwrap(),
            );
            assert_eq!(amount.to_string(), *expect, "{limit} × {tolerance}");
        }
    }

    fn unknown_field_cases() {
        let known = ["value", "settle"];
        for (body, expect) in UNKNOWN_FIELDS {
            let body: Value = serde_json::from_str(body).unwrap();
            let got = creditdesk_core::fields::unknown_fields(&body, &known);
            assert_eq!(got, *expect, "{body}");
            let refused = creditdesk_core::fields::refuse_unknown(&body, &known);
            let fields: Vec<String> = refused
                .err()
                .map(|e| e.iter().map(|f| f.field.clone()).collect())
                .unwrap_or_default();
            assert_eq!(fields, *expect, "{body}: refused");
        }
        for (json, absent) in ABSENT {
            let value: Value = serde_json::from_str(json).unwrap();
            assert_eq!(creditdesk_core::fields::is_absent(&value), *absent, "{json}");
        }
    }

    fn command_body_cases() {
        for (reader, body, expect) in BODIES {
            check_body(*reader, body, *expect);
        }
    }

    fn hold_body_cases() {
        use creditdesk_core::commands::CreateHold;
        let now: creditdesk_core::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        for (body, expect) in HOLD_BODIES {
            let json: Value = serde_json::from_str(body).unwrap();
            match (CreateHold::from_json(&json, now), expect) {
                (Ok(hold), Ok((settle, installments, days))) => {
                    let expires = days.map(|d| now.plus_days(d).unwrap());
                    assert_eq!(
                        (hold.settle, hold.installments, hold.expiration),
                        (*settle, *installments, expires),
                        "{body}"
                    );
                }
                (Err(errors), Err(fields)) => {
                    let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                    assert_eq!(got, *fields, "{body}");
                }
                (got, want) => panic!("{body}: got {got:?}, want {want:?}"),
            }
        }
    }

    fn upsert_bodies_need_only_the_email() {
        use creditdesk_core::commands::UpsertAccount;
        let id: creditdesk_core::ids::AccountId = "4337660521_mercolanta".parse().unwrap();
        let read = |body: &str| UpsertAccount::from_json(&serde_json::from_str(body).unwrap(), &id);
        assert!(read(r#"{"email": "a@b.co", "id": "ignored"}"#).is_ok());
        assert!(read(r#"{"email": "a@b.co", "document": "4337660521", "documentType": "mercolanta"}"#).is_ok());
        for body in [
            r#"{"email": "a@b.co", "document": "999"}"#,
            r#"{"email": "a@b.co", "documentType": "CPF"}"#,
        ] {
            let errors = read(body).unwrap_err();
            assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["document"], "{body}");
        }
    }

    fn text_cases() {
        for (text, kind, max, blank_refused, expect) in TEXTS {
            let rule = TextRule::new(*kind, *max);
            let rule = if *blank_refused { rule.not_blank() } else { rule };
            assert_eq!(text::check(text, rule), *expect, "{text:?} as {kind:?}");
        }
        assert_eq!(TextError::Empty.to_string(), "must not be empty");
        assert_eq!(
            TextError::TooLong { max_chars: 3 }.to_string(),
            "must have at most 3 characters"
        );
        assert_eq!(
            TextError::InvisibleCharacter { code_point: 0x200B }.to_string(),
            "must not contain invisible characters (U+200B: a direction mark, zero-width or formatting character)"
        );
    }

    fn validation_errors_cases() {
        use creditdesk_core::{FieldError, ValidationErrors};
        let field = |f: &str, m: &str| FieldError { field: f.into(), message: m.into() };
        let errors = ValidationErrors::from(vec![field("a", "x"), field("b", "y")]);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors.for_field("b"), Some("y"));
        assert_eq!(errors.for_field("c"), None);
        assert_eq!(errors.to_string(), "a: x; b: y");
        assert_eq!(errors.clone().into_vec(), vec![field("a", "x"), field("b", "y")]);
        // Exactly the most listed: nothing is counted as unlisted.
        let full: Vec<FieldError> = (0..ValidationErrors::LISTED_MAX).map(|i| field(&format!("f{i}"), "m")).collect();
        let errors = ValidationErrors::from(full.clone());
        assert_eq!(errors.clone().into_vec(), full);
        assert!(!errors.to_string().contains("more"));
    }

    fn account_status_cases() {
        for (text, expect) in ACCOUNT_STATUSES {
            assert_eq!(text.parse::<AccountStatus>().ok(), *expect, "{text:?}");
            if let Some(status) = expect {
                assert_eq!(status.as_str(), *text);
            }
        }
    }

    fn time_of_day_cases() {
        for (text, expect) in TIMES {
            let got = text.parse::<TimeOfDay>().ok().map(|t| (t.hour(), t.minute(), t.second()));
            assert_eq!(got, *expect, "{text:?}");
            if let Ok(time) = text.parse::<TimeOfDay>() {
                assert_eq!(time.to_string(), *text);
            }
        }
    }

    fn store_config_update_cases() {
        for (body, expect) in UPDATES {
            check_update(body, *expect);
        }
    }

    fn default_store_config_is_the_spec_example() {
        let json = serde_json::to_string(&StoreConfig::default()).unwrap();
        assert_eq!(
            json,
            r#"{"dailyInterestRate":0,"invoicePostponementLimit":0,"taxRate":0,"maxPostponementDays":0,"defaultCreditValue":2000.00,"postponementEnabled":false,"automaticCheckingAccountCreationEnabled":false,"toleranceEnabled":false,"myCreditsEnabled":false,"maxPreAuthorizationGrowthRate":0,"notificationsSettings":{"daysPrior":[{"days":5,"timeOfDay":"12:00:00"},{"days":1,"timeOfDay":"12:00:00"},{"days":0,"timeOfDay":"12:00:00"}],"daysAfter":[{"days":3,"timeOfDay":"12:00:00"}]}}"#
        );
    }

    fn a_refused_update_leaves_the_config_unchanged() {
        let base = StoreConfig::default()
            .apply_update(&serde_json::json!({ "taxRate": 0.3 }))
            .unwrap();
        let before = base.clone();
        assert!(base.apply_update(&serde_json::json!({ "taxRate": 0.4, "maxPostponementDays": -1 })).is_err());
        assert_eq!(base, before);
    }
}
