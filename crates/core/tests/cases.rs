//! Tables of small cases for core's rules. This one file runs natively (`cargo test`) and in
//! headless Chromium (`cargo test --target wasm32-unknown-unknown`), so both targets are held to
//! the same vectors.

use creditdesk_core::account::AccountStatus;
use creditdesk_core::interest::{self, InterestPolicy};
use creditdesk_core::invoice::{InvoiceStatus, InvoiceStatus::*};
use creditdesk_core::store_config::{StoreConfig, TimeOfDay};
use creditdesk_core::text::{self, TextError, TextKind, TextRule};
use creditdesk_core::Timestamp;
use creditdesk_core::{Money, Rate};
use serde_json::Value;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// One invoice's overdue interest: (value, paid, status, hours from the due date to where charged
/// interest ends (`None`: never charged), daily rate, tax rate, grace days, hours from the due date
/// to now) → (full days counted, interest, tax).
type InterestCase = (
    &'static str,
    &'static str,
    InvoiceStatus,
    Option<i64>,
    (&'static str, &'static str, u16),
    i64,
    (u32, &'static str, &'static str),
);

const INTEREST: &[InterestCase] = &[
    // Before, at and just after the due date: no full day yet.
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        -1,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        0,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        23,
        (0, "0.00", "0.00"),
    ),
    // Full days only; simple interest, never compounded.
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        24,
        (1, "1.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        47,
        (1, "1.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        24 * 30,
        (30, "30.00", "0.00"),
    ),
    // On what is still owed: a part payment lowers it.
    (
        "100",
        "60",
        Opened,
        None,
        ("0.01", "0", 0),
        24 * 3,
        (3, "1.20", "0.00"),
    ),
    // Grace days delay the start; the first day counts once they are over.
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 2),
        24 * 2,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        None,
        ("0.01", "0", 2),
        24 * 3,
        (1, "1.00", "0.00"),
    ),
    // Interest already charged to some point is not charged again; it counts on from there.
    (
        "100",
        "0",
        Opened,
        Some(24 * 5),
        ("0.01", "0", 0),
        24 * 5 + 23,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        Some(24 * 5),
        ("0.01", "0", 0),
        24 * 7,
        (2, "2.00", "0.00"),
    ),
    // ... unless the grace reaches further (a postponement after the charge moved the due date).
    (
        "100",
        "0",
        Opened,
        Some(-24 * 3),
        ("0.01", "0", 0),
        24,
        (1, "1.00", "0.00"),
    ),
    // Rounding half away from zero, the tax on the rounded interest: 0.333 → 0.33, tax
    // 0.165 → 0.17; 0.005 → 0.01; 0.0049 → 0.00.
    (
        "33.30",
        "0",
        Opened,
        None,
        ("0.01", "0.5", 0),
        24,
        (1, "0.33", "0.17"),
    ),
    (
        "0.50",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        24,
        (1, "0.01", "0.00"),
    ),
    (
        "0.49",
        "0",
        Opened,
        None,
        ("0.01", "0", 0),
        24,
        (1, "0.00", "0.00"),
    ),
    (
        "1000",
        "0",
        Opened,
        None,
        ("0.000001", "1", 0),
        24 * 3,
        (3, "0.00", "0.00"),
    ),
    (
        "1000",
        "0",
        Opened,
        None,
        ("0.001", "0.1", 0),
        24 * 10,
        (10, "10.00", "1.00"),
    ),
    // Paid, cancelled, nothing owed, or no rate: no interest.
    (
        "100",
        "0",
        Paid,
        None,
        ("0.01", "0", 0),
        24 * 10,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "0",
        Cancelled,
        None,
        ("0.01", "0", 0),
        24 * 10,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "100",
        Opened,
        None,
        ("0.01", "0", 0),
        24 * 10,
        (0, "0.00", "0.00"),
    ),
    (
        "100",
        "0",
        Opened,
        None,
        ("0", "0.5", 0),
        24 * 10,
        (0, "0.00", "0.00"),
    ),
    // Bounded: at most the largest amount.
    (
        "1000000000",
        "0",
        Opened,
        None,
        ("1", "1", 0),
        24 * 400,
        (400, "1000000000.00", "1000000000.00"),
    ),
];

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
    ("12:00-00", None),
    ("12-00:00", None),
    ("1a:00:00", None),
    ("12:0a:00", None),
    ("12:00:00Z", None),
    ("١٢:٠٠:٠٠", None),
];

/// `Ok((field path, its value as JSON text in the result))` or `Err(fields refused)`.
type UpdateExpect = Result<(&'static str, &'static str), &'static [&'static str]>;

/// An update body and what applying it to the defaults gives.
const UPDATES: &[(&str, UpdateExpect)] = &[
    // `currencyCode` (the company-credit API's name) and `currency` are one setting: the one
    // that moved from the stored value (BRL) is the change.
    (r#"{"currencyCode": "USD"}"#, Ok(("currency", "\"USD\""))),
    (r#"{"currency": "USD"}"#, Ok(("currencyCode", "\"USD\""))),
    (
        r#"{"currency": "USD", "currencyCode": "BRL"}"#,
        Ok(("currencyCode", "\"USD\"")),
    ),
    (
        r#"{"currency": "BRL", "currencyCode": "EUR"}"#,
        Ok(("currency", "\"EUR\"")),
    ),
    (
        r#"{"currency": "USD", "currencyCode": "USD"}"#,
        Ok(("currency", "\"USD\"")),
    ),
    (
        r#"{"currency": "USD", "currencyCode": "EUR"}"#,
        Err(&["currencyCode"]),
    ),
    (r#"{"currencyCode": "usd"}"#, Ok(("currency", "\"USD\""))),
    (r#"{"currencyCode": "US"}"#, Err(&["currencyCode"])),
    (r#"{}"#, Ok(("taxRate", "0"))),
    (
        r#"{"shortfallTolerance": 0.05}"#,
        Ok(("shortfallTolerance", "0.05")),
    ),
    (
        r#"{"shortfallTolerance": -0.01}"#,
        Err(&["shortfallTolerance"]),
    ),
    (
        r#"{"shortfallTolerance": 0.001}"#,
        Err(&["shortfallTolerance"]),
    ),
    (r#"{"currency": "usd"}"#, Ok(("currency", "\"USD\""))),
    (
        r#"{"interestGraceDays": 3}"#,
        Ok(("interestGraceDays", "3")),
    ),
    (
        r#"{"interestGraceDays": 365}"#,
        Ok(("interestGraceDays", "365")),
    ),
    (r#"{"interestGraceDays": 366}"#, Err(&["interestGraceDays"])),
    // The time zone: an IANA name's shape (the server's database says whether it exists).
    (
        r#"{"timeZone": "America/Sao_Paulo"}"#,
        Ok(("timeZone", r#""America/Sao_Paulo""#)),
    ),
    (
        r#"{"timeZone": "Etc/GMT+3"}"#,
        Ok(("timeZone", r#""Etc/GMT+3""#)),
    ),
    (
        r#"{"timeZone": "America/Argentina/Buenos_Aires"}"#,
        Ok(("timeZone", r#""America/Argentina/Buenos_Aires""#)),
    ),
    (r#"{"timeZone": ""}"#, Err(&["timeZone"])),
    (r#"{"timeZone": "Europe/"}"#, Err(&["timeZone"])),
    (r#"{"timeZone": "/Berlin"}"#, Err(&["timeZone"])),
    (r#"{"timeZone": "Mars Base"}"#, Err(&["timeZone"])),
    (r#"{"timeZone": "3Zone"}"#, Err(&["timeZone"])),
    (r#"{"timeZone": "America/São_Paulo"}"#, Err(&["timeZone"])),
    (r#"{"timeZone": 3}"#, Err(&["timeZone"])),
    (r#"{"timeZone": null}"#, Err(&["timeZone"])),
    (
        r#"{"timeZone": "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#,
        Err(&["timeZone"]),
    ),
    (
        r#"{"timeZone": "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#,
        Ok((
            "timeZone",
            r#""Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa""#,
        )),
    ),
    (r#"{"interestGraceDays": 1.5}"#, Err(&["interestGraceDays"])),
    (
        r#"{"interestGraceDays": null}"#,
        Err(&["interestGraceDays"]),
    ),
    (
        r#"{"overdueBlockDays": 30}"#,
        Ok(("overdueBlockDays", "30")),
    ),
    (r#"{"overdueBlockDays": 0}"#, Ok(("overdueBlockDays", "0"))),
    (
        r#"{"overdueBlockDays": null}"#,
        Ok(("overdueBlockDays", "null")),
    ),
    (r#"{"overdueBlockDays": -1}"#, Err(&["overdueBlockDays"])),
    // The store's My Credits page: a web address, null for none, "" leaves it as it is.
    (
        r#"{"myCreditsUrl": "https://shop.example/account/credits?x=1"}"#,
        Ok((
            "myCreditsUrl",
            r#""https://shop.example/account/credits?x=1""#,
        )),
    ),
    (
        r#"{"myCreditsUrl": "http://localhost:3000/c"}"#,
        Ok(("myCreditsUrl", r#""http://localhost:3000/c""#)),
    ),
    (r#"{"myCreditsUrl": null}"#, Ok(("myCreditsUrl", "null"))),
    (r#"{"myCreditsUrl": ""}"#, Ok(("myCreditsUrl", "null"))),
    (
        r#"{"myCreditsUrl": "shop.example"}"#,
        Err(&["myCreditsUrl"]),
    ),
    (r#"{"myCreditsUrl": "https://"}"#, Err(&["myCreditsUrl"])),
    (
        r#"{"myCreditsUrl": "https://a b.co"}"#,
        Err(&["myCreditsUrl"]),
    ),
    (r#"{"myCreditsUrl": 3}"#, Err(&["myCreditsUrl"])),
    (r#"{"overdueBlockDays": "ten"}"#, Err(&["overdueBlockDays"])),
    (r#"{"currency": "EURO"}"#, Err(&["currency"])),
    (r#"{"currency": 978}"#, Err(&["currency"])),
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

/// Instants as clients write them → as we write them, or why not (`Invalid`, `OutOfRange`).
const TIMESTAMPS: &[(&str, Result<&str, &str>)] = &[
    (
        "2024-03-03T06:52:53.1314379Z",
        Ok("2024-03-03T06:52:53.1314370Z"),
    ),
    (
        "2024-03-03T06:52:53.1234567890123456789Z",
        Ok("2024-03-03T06:52:53.1234560Z"),
    ),
    (
        "2024-03-03T06:52:53.000000001Z",
        Ok("2024-03-03T06:52:53.0000000Z"),
    ),
    ("2024-03-03T06:52:53Z", Ok("2024-03-03T06:52:53.0000000Z")),
    ("2024-03-03t06:52:53z", Ok("2024-03-03T06:52:53.0000000Z")),
    ("2024-03-03 06:52:53Z", Ok("2024-03-03T06:52:53.0000000Z")),
    (
        "2024-03-03T06:52:53+02:00",
        Ok("2024-03-03T04:52:53.0000000Z"),
    ),
    (
        "2024-03-03T06:52:53-03:30",
        Ok("2024-03-03T10:22:53.0000000Z"),
    ),
    (
        "2024-03-03T06:52:53+23:59",
        Ok("2024-03-02T06:53:53.0000000Z"),
    ),
    (
        "2024-03-03T06:52:53-00:00",
        Ok("2024-03-03T06:52:53.0000000Z"),
    ),
    (
        "2024-03-03T06:52:53.1314379+00:00",
        Ok("2024-03-03T06:52:53.1314370Z"),
    ),
    ("2024-03-03", Ok("2024-03-03T00:00:00.0000000Z")),
    ("2024-02-29", Ok("2024-02-29T00:00:00.0000000Z")),
    ("1970-01-01T00:00:00Z", Ok("1970-01-01T00:00:00.0000000Z")),
    (
        "9999-12-31T23:59:59.999999Z",
        Ok("9999-12-31T23:59:59.9999990Z"),
    ),
    // A leap second: only as the last second of a month in UTC, read as its last microsecond.
    ("2024-12-31T23:59:60Z", Ok("2024-12-31T23:59:59.9999990Z")),
    ("2024-06-30T23:59:60.5Z", Ok("2024-06-30T23:59:59.9999990Z")),
    (
        "2024-12-31T22:59:60-01:00",
        Ok("2024-12-31T23:59:59.9999990Z"),
    ),
    (
        "2025-01-01T00:59:60+01:00",
        Ok("2024-12-31T23:59:59.9999990Z"),
    ),
    ("2024-12-31T23:59:60+01:00", Err("Invalid")),
    ("2024-03-03T23:59:60Z", Err("Invalid")),
    ("2024-12-31T23:58:60Z", Err("Invalid")),
    ("2023-02-29", Err("Invalid")),
    ("2024-13-01", Err("Invalid")),
    ("2024-1-01", Err("Invalid")),
    ("2024-1-011", Err("Invalid")),
    ("2024-03x03", Err("Invalid")),
    ("2024x03-03", Err("Invalid")),
    (" 2024-3-03", Err("Invalid")),
    ("２０２４-03-03", Err("Invalid")),
    ("2024-03-03T06:52:53", Err("Invalid")),
    ("2024-03-03T06:52Z", Err("Invalid")),
    ("2024-03-03T6:52:53Z", Err("Invalid")),
    ("2024-03-03T24:00:00Z", Err("Invalid")),
    ("2024-03-03T06:60:00Z", Err("Invalid")),
    ("+2024-03-03T06:52:53Z", Err("Invalid")),
    ("2024-03-03T06:52:53.Z", Err("Invalid")),
    ("2024-03-03T06:52:53,5Z", Err("Invalid")),
    ("2024-03-03T06:52:53+0200", Err("Invalid")),
    ("2024-03-03T06:52:53+02", Err("Invalid")),
    ("2024-03-03T06:52:53+24:00", Err("Invalid")),
    ("2024-03-03T06:52:53+02:00:00", Err("Invalid")),
    ("2024-03-03T06:52:53Z ", Err("Invalid")),
    ("2024-03-03T06:52:53ZZ", Err("Invalid")),
    ("1969-12-31T23:59:59Z", Err("OutOfRange")),
    ("1970-01-01T00:30:00+01:00", Err("OutOfRange")),
    ("0000-01-01", Err("OutOfRange")),
    // Past 9999 once in UTC (the `time` crate panicked here).
    ("9999-12-31T23:59:59-01:00", Err("OutOfRange")),
    ("9999-12-31T23:59:60Z", Ok("9999-12-31T23:59:59.9999990Z")),
];

/// The ids and names clients send.
#[derive(Debug, Clone, Copy)]
enum IdKind {
    DocumentType,
    Document,
    Account,
    Transaction,
    Holder,
    Invoice,
    Statement,
    FriendlyCode,
    FriendlyId,
    Email,
}

const HEX: &str = "7583e36f101c461094ab6ca68fa8ee2c";
const HEX_UPPER: &str = "7583E36F101C461094AB6CA68FA8EE2C";

/// Text → the id as written back, or `None`: refused. (Long texts are built in `id_cases`.)
const IDS: &[(IdKind, &str, Option<&str>)] = &[
    (IdKind::DocumentType, "cpf", Some("CPF")),
    (IdKind::DocumentType, "Cnpj", Some("CNPJ")),
    (IdKind::DocumentType, "OTHER", Some("Other")),
    (IdKind::DocumentType, "mercolanta", Some("mercolanta")),
    (IdKind::DocumentType, "my-type_2", Some("my-type_2")),
    (IdKind::DocumentType, "", None),
    (IdKind::DocumentType, "a b", None),
    (IdKind::DocumentType, "tipo.1", None),
    (IdKind::DocumentType, "é", None),
    (IdKind::Document, "123.456.789-09", Some("123.456.789-09")),
    (IdKind::Document, "12/34", Some("12/34")),
    (IdKind::Document, "", None),
    (IdKind::Document, "1_2", None),
    (IdKind::Document, "1 2", None),
    (IdKind::Account, "11111111111_CPF", Some("11111111111_CPF")),
    (IdKind::Account, "1_cpf", Some("1_CPF")),
    (IdKind::Account, "1_my_type", Some("1_my_type")),
    (IdKind::Account, "CPF", None),
    (IdKind::Account, "_CPF", None),
    (IdKind::Account, "1_", None),
    (IdKind::Transaction, HEX, Some(HEX_UPPER)),
    (IdKind::Transaction, "order-1.a_b", Some("order-1.a_b")),
    (
        IdKind::Transaction,
        "7583e36f101c461094ab6ca68fa8ee2",
        Some("7583e36f101c461094ab6ca68fa8ee2"),
    ),
    (
        IdKind::Transaction,
        "7583e36f101c461094ab6ca68fa8ee2g",
        Some("7583e36f101c461094ab6ca68fa8ee2g"),
    ),
    (IdKind::Transaction, "", None),
    (IdKind::Transaction, "a b", None),
    (IdKind::Transaction, "a/b", None),
    (IdKind::Holder, HEX, Some(HEX_UPPER)),
    (IdKind::Holder, "7583e36f101c461094ab6ca68fa8ee2", None),
    (IdKind::Holder, "7583e36f101c461094ab6ca68fa8ee2g", None),
    (IdKind::Holder, "7583e36f101c461094ab6ca68fa8ee2cc", None),
    (
        IdKind::Invoice,
        "7583e36f101c461094ab6ca68fa8ee2c-01",
        Some("7583E36F101C461094AB6CA68FA8EE2C-01"),
    ),
    (IdKind::Invoice, "order-1-02", Some("order-1-02")),
    (IdKind::Invoice, "x-001", Some("x-01")),
    (IdKind::Invoice, "x-48", Some("x-48")),
    (IdKind::Invoice, "x-1", None),
    (IdKind::Invoice, "x-0001", None),
    (IdKind::Invoice, "x-00", None),
    (IdKind::Invoice, "x-49", None),
    (IdKind::Invoice, "x-0a", None),
    (IdKind::Invoice, "-01", None),
    (IdKind::Invoice, "x01", None),
    (IdKind::Statement, "fee-1.a_b", Some("fee-1.a_b")),
    (IdKind::Statement, "", None),
    (IdKind::Statement, "a b", None),
    (IdKind::FriendlyCode, "IBjuAsrJ", Some("IBjuAsrJ")),
    (IdKind::FriendlyCode, "IBjuAsr", None),
    (IdKind::FriendlyCode, "IBjuAsrJ1", None),
    (IdKind::FriendlyCode, "IBjuAsr-", None),
    (IdKind::FriendlyId, "IBjuAsrJ-12", Some("IBjuAsrJ-12")),
    (IdKind::FriendlyId, "IBjuAsrJ-x", None),
    (IdKind::FriendlyId, "IBjuAsrJ", None),
    (IdKind::Email, "a@b.co", Some("a@b.co")),
    (
        IdKind::Email,
        "Ana.B+tag@Example.COM",
        Some("Ana.B+tag@Example.COM"),
    ),
    (IdKind::Email, "a.b.co", None),
    (IdKind::Email, "@b.co", None),
    (IdKind::Email, "a@bco", None),
    (IdKind::Email, "a@.b.co", None),
    (IdKind::Email, "a@b.co.", None),
    (IdKind::Email, "a@b..co", None),
    (IdKind::Email, "a@b@c.co", None),
    (IdKind::Email, "a b@c.co", None),
    (IdKind::Email, "a\u{200B}@b.co", None),
    (IdKind::Email, "a\u{7}@b.co", None),
];

fn parse_id(kind: IdKind, text: &str) -> Option<String> {
    use creditdesk_core::ids::*;
    fn show<T: std::str::FromStr>(text: &str, to: impl Fn(&T) -> String) -> Option<String> {
        text.parse::<T>().ok().map(|v| to(&v))
    }
    match kind {
        IdKind::DocumentType => show(text, |v: &DocumentType| v.as_str().to_owned()),
        IdKind::Document => show(text, |v: &Document| v.as_str().to_owned()),
        IdKind::Account => show(text, |v: &AccountId| v.to_string()),
        IdKind::Transaction => show(text, |v: &TransactionId| v.to_string()),
        IdKind::Holder => show(text, |v: &HolderId| v.to_string()),
        IdKind::Invoice => show(text, |v: &InvoiceId| v.to_string()),
        IdKind::Statement => show(text, |v: &StatementId| v.to_string()),
        IdKind::FriendlyCode => show(text, |v: &FriendlyCode| {
            format!("{}", FriendlyId::new(v, 1))[..8].to_owned()
        }),
        IdKind::FriendlyId => show(text, |v: &FriendlyId| v.to_string()),
        IdKind::Email => show(text, |v: &Email| v.to_string()),
    }
}

/// Total → the installments `split` makes (`None`: refused), and what `spread` makes of it.
const SPLITS: &[(&str, u16, Option<&[&str]>)] = &[
    ("100.00", 3, Some(&["33.34", "33.33", "33.33"])),
    ("0.03", 3, Some(&["0.01", "0.01", "0.01"])),
    ("0.02", 3, None),
    ("10", 1, Some(&["10.00"])),
    ("10", 0, None),
    (
        "10",
        48,
        Some(&[
            "0.60", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20",
            "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20",
            "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20",
            "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20", "0.20",
            "0.20", "0.20", "0.20", "0.20",
        ]),
    ),
    ("10", 49, None),
    ("-3", 3, None),
];

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

/// Credit locators: ULIDs read in either case and written upper case; `None` is refused.
const LOCATORS: &[(&str, Option<&str>)] = &[
    (
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        Some("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ),
    (
        "01arz3ndektsv4rrffq69g5fav",
        Some("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ),
    (
        "7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
        Some("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"),
    ),
    ("80000000000000000000000000", None),
    ("01ARZ3NDEKTSV4RRFFQ69G5FA", None),
    ("01ARZ3NDEKTSV4RRFFQ69G5FAVV", None),
    ("01ARZ3NDEKTSV4RRFFQ69G5FAI", None),
    ("01ARZ3NDEKTSV4RRFFQ69G5FAU", None),
    ("01ARZ3NDEKTSV4RRFFQ69G5FA-", None),
];

/// Tenant locators: UUIDs read in either case and written lower case; `None` is refused.
const TENANTS: &[(&str, Option<&str>)] = &[
    (
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        Some("0f8fad5b-d9cb-469f-a165-70867728950e"),
    ),
    (
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        Some("0f8fad5b-d9cb-469f-a165-70867728950e"),
    ),
    ("0f8fad5bd9cb469fa16570867728950e", None),
    ("0f8fad5b-d9cb-469f-a165-70867728950", None),
    ("0f8fad5b-d9cb-469f-a165-70867728950ee", None),
    ("0f8fad5b-d9cb-469f-a165-70867728950g", None),
    ("0f8fad5b_d9cb-469f-a165-70867728950e", None),
    ("", None),
];

/// Which billing list a credit query is for.
#[derive(Clone, Copy, Debug)]
enum Scope {
    Store,
    Shortfalls,
    Invoice,
}

/// A credit list's query → its conditions, offset, count and detail, or the field refused.
#[derive(Debug)]
enum CreditQueryExpect {
    Reads(&'static str, u32, u32, &'static str),
    Refused(&'static str),
}

const CREDIT_QUERIES: &[(Scope, &str, CreditQueryExpect)] = {
    use CreditQueryExpect::{Reads, Refused};
    &[
        (Scope::Store, "", Reads("", 0, 100, "Brief")),
        (
            Scope::Store,
            "accountLocator=1_CPF&offset=5&count=1000&extended=true",
            Reads("account 1_CPF", 5, 1000, "Extended"),
        ),
        (
            Scope::Store,
            "accountLocator=&offset=&count=&extended=",
            Reads("", 0, 100, "Brief"),
        ),
        (
            Scope::Store,
            "extended=FALSE&count=1",
            Reads("", 0, 1, "Brief"),
        ),
        (Scope::Store, "count=0", Refused("count")),
        (Scope::Store, "count=1001", Refused("count")),
        (Scope::Store, "offset=-1", Refused("offset")),
        (Scope::Store, "offset=1.5", Refused("offset")),
        (Scope::Store, "extended=yes", Refused("extended")),
        (
            Scope::Store,
            "accountLocator=no%20such",
            Refused("accountLocator"),
        ),
        (Scope::Store, "count=5&count=6", Refused("count")),
        (
            Scope::Store,
            "includeReversed=true",
            Refused("includeReversed"),
        ),
        (
            Scope::Store,
            "acountLocator=1_CPF",
            Refused("acountLocator"),
        ),
        (
            Scope::Shortfalls,
            "accountLocator=1_CPF",
            Reads("kind shortfallWriteOff, account 1_CPF", 0, 100, "Brief"),
        ),
        (
            Scope::Invoice,
            "",
            Reads("invoice I, state posted", 0, 100, "Brief"),
        ),
        (
            Scope::Invoice,
            "includeReversed=true&extended=true",
            Reads("invoice I", 0, 100, "Extended"),
        ),
        (
            Scope::Invoice,
            "includeReversed=false",
            Reads("invoice I, state posted", 0, 100, "Brief"),
        ),
        (
            Scope::Invoice,
            "accountLocator=1_CPF",
            Reads("invoice I, account 1_CPF, state posted", 0, 100, "Brief"),
        ),
        (Scope::Invoice, "status=Paid", Refused("status")),
    ]
};

fn check_credit_query(scope: Scope, query: &str, expect: &CreditQueryExpect) {
    use creditdesk_core::search::{CreditCondition, CreditFilter, CreditScope};
    let invoice: creditdesk_core::ids::InvoiceId =
        "7583E36F101C461094AB6CA68FA8EE2C-01".parse().unwrap();
    let scope_value = match scope {
        Scope::Store => CreditScope::Store,
        Scope::Shortfalls => CreditScope::Shortfalls,
        Scope::Invoice => CreditScope::Invoice(invoice.clone()),
    };
    let got = CreditFilter::from_query(&common::pairs(query), &scope_value);
    let describe = |c: &CreditCondition| match c {
        CreditCondition::Locator(l) => format!("locator {l}"),
        CreditCondition::Account(id) => format!("account {id}"),
        CreditCondition::Invoice(id) if *id == invoice => "invoice I".to_owned(),
        CreditCondition::Invoice(id) => format!("invoice {id}"),
        CreditCondition::Kind(kind) => format!("kind {}", kind.as_str()),
        CreditCondition::State(state) => format!(
            "state {}",
            serde_json::to_value(state).unwrap().as_str().unwrap()
        ),
    };
    match (got, expect) {
        (Ok(filter), CreditQueryExpect::Reads(conditions, offset, count, detail)) => {
            let described: Vec<String> = filter.conditions.iter().map(describe).collect();
            assert_eq!(
                (
                    described.join(", ").as_str(),
                    filter.offset(),
                    filter.count(),
                    format!("{:?}", filter.detail).as_str()
                ),
                (*conditions, *offset, *count, *detail),
                "{scope:?} {query}"
            );
        }
        (Err(errors), CreditQueryExpect::Refused(field)) => {
            assert!(
                errors.for_field(field).is_some(),
                "{scope:?} {query}: {errors:?}"
            );
            assert_eq!(errors.len(), 1, "{scope:?} {query}: {errors:?}");
        }
        (got, want) => panic!("{scope:?} {query}: got {got:?}, want {want:?}"),
    }
}

case_test! {
    fn interest_cases() {
        let due: Timestamp = "2024-03-01T12:00:00Z".parse().unwrap();
        let hours = |h: i64| Timestamp::from_unix_micros(due.unix_micros() + h * 3_600_000_000).unwrap();
        for (value, paid, status, through, (rate, tax, grace), now, expect) in INTEREST {
            let mut invoice = common::invoice(value, paid, *status, due);
            invoice.interest_through = through.map(hours);
            let policy = InterestPolicy {
                daily_rate: rate.parse().unwrap(),
                tax_rate: tax.parse().unwrap(),
                grace_days: *grace,
            };
            let owed = interest::accrued(&invoice, &policy, hours(*now));
            let got = (owed.days, owed.interest.to_string(), owed.tax.to_string());
            let want = (expect.0, expect.1.to_owned(), expect.2.to_owned());
            let case = format!("{value} paid {paid} {status:?} through {through:?} {rate}/{tax}/{grace} at +{now}h");
            assert_eq!(got, want, "{case}");
            // The counted days end where the next charge starts; the amount due adds them up.
            if let Some((from, to)) = owed.period {
                assert_eq!(from.days_until(to), i64::from(owed.days), "{case}");
                assert!(to <= hours(*now), "{case}");
            } else {
                assert_eq!(owed.days, 0, "{case}");
            }
            assert_eq!(
                owed.amount_due(invoice.remaining()).minor(),
                (invoice.remaining().minor() + owed.interest.minor() + owed.tax.minor()).min(Money::TOTAL_MAX_MINOR),
                "{case}"
            );
        }
    }

    fn a_payment_pays_the_interest_first_and_at_most_what_is_due() {
        use creditdesk_core::commands::Pay;
        let m = |t: &str| t.parse::<Money>().unwrap();
        // (value given, remaining, interest owed) → what it pays, or the start of the refusal.
        for (value, remaining, interest, expect) in [
            (None, "100", "11", Ok("111.00")),
            (Some("11"), "100", "11", Ok("11.00")),
            (Some("10.99"), "100", "11", Err("must be at least 11.00")),
            (Some("111"), "100", "11", Ok("111.00")),
            (Some("111.01"), "100", "11", Err("must be at most 111.00, what is due")),
            (Some("100.01"), "100", "0", Err("must be at most 100.00, what is left")),
            (Some("0.01"), "100", "0", Ok("0.01")),
        ] {
            let pay = Pay { value: value.map(m), reference: None };
            let got = pay.amount_of(m(remaining), m(interest)).map(|v| v.to_string()).map_err(|e| e.to_string());
            match (&got, expect) {
                (Ok(paid), Ok(want)) => assert_eq!(paid, want, "{value:?}"),
                (Err(message), Err(want)) => assert!(message.contains(want), "{value:?}: {message}"),
                _ => panic!("{value:?} of {remaining} + {interest}: {got:?}, want {expect:?}"),
            }
        }
    }

    fn days_late_count_full_days_of_open_invoices() {
        let due: Timestamp = "2024-03-01T12:00:00Z".parse().unwrap();
        let hours = |h: i64| Timestamp::from_unix_micros(due.unix_micros() + h * 3_600_000_000).unwrap();
        for (status, now, late) in [
            (Opened, -5, 0),
            (Opened, 23, 0),
            (Opened, 24, 1),
            (Opened, 24 * 9 + 1, 9),
            (Paid, 24 * 9, 0),
            (Cancelled, 24 * 9, 0),
        ] {
            let invoice = common::invoice("100", "0", status, due);
            assert_eq!(interest::days_late(&invoice, hours(now)), late, "{status:?} at +{now}h");
        }
    }
}

case_test! {
    fn webhook_retries_follow_the_schedule_then_give_up() {
        use creditdesk_core::webhooks::{after_attempt, next_attempt, AttemptOutcome, RETRY_DELAYS_SECONDS};
        let now: Timestamp = "2024-03-01T12:00:00Z".parse().unwrap();
        let later = |s: i64| Timestamp::from_unix_micros(now.unix_micros() + s).unwrap();
        // (attempt that failed, jitter) → the next attempt, microseconds after now.
        for (attempt, jitter, after_us) in [
            (1, 0, Some(5_000_000)),
            (1, 1000, Some(5_500_000)),
            (1, 5000, Some(5_500_000)),
            (2, 0, Some(60_000_000)),
            (10, 0, Some(72_000_000_000)),
            (11, 0, None),
            (0, 0, None),
        ] {
            assert_eq!(next_attempt(attempt, now, jitter), after_us.map(later), "attempt {attempt} jitter {jitter}");
        }
        let total: u32 = RETRY_DELAYS_SECONDS.iter().sum();
        assert!((3 * 86_400 - 6 * 3600..=3 * 86_400 + 6 * 3600).contains(&total), "about three days: {total} s");
        for (status, attempt, outcome) in [
            (Some(200), 1, AttemptOutcome::Delivered),
            (Some(204), 3, AttemptOutcome::Delivered),
            (Some(299), 1, AttemptOutcome::Delivered),
            (Some(410), 1, AttemptOutcome::EndpointGone),
            (Some(500), 1, AttemptOutcome::RetryAt(later(5_000_000))),
            (Some(301), 1, AttemptOutcome::RetryAt(later(5_000_000))),
            (None, 2, AttemptOutcome::RetryAt(later(60_000_000))),
            (Some(500), 11, AttemptOutcome::GiveUp),
        ] {
            assert_eq!(after_attempt(status, attempt, now, 0), outcome, "{status:?} after attempt {attempt}");
        }
    }

    fn a_webhook_body_has_its_type_time_and_data() {
        use creditdesk_core::webhooks::{body, EventType};
        let at: Timestamp = "2024-03-01T12:00:00Z".parse().unwrap();
        let got = body(EventType::InvoicePaid, at, &serde_json::json!({"invoiceId": "x-01"}));
        assert_eq!(
            got,
            serde_json::json!({"type": "invoice.paid", "timestamp": "2024-03-01T12:00:00.0000000Z", "data": {"invoiceId": "x-01"}})
        );
    }

    fn webhook_endpoints_read_their_url_and_events() {
        use creditdesk_core::webhooks::{check_url, EventType, NewWebhook, Subscription};
        for (url, ok) in [
            ("https://example.com/hooks", true),
            ("http://127.0.0.1:8080/x?y=1", true),
            ("https://user:pw@example.com", true),
            ("ftp://example.com", false),
            ("https://", false),
            ("https://:80/x", false),
            ("https://exa mple.com", false),
            ("example.com", false),
            ("https://example.com/\u{202e}kcah", false),
            ("https://exa\u{200b}mple.com/h", false),
        ] {
            assert_eq!(check_url(url).is_ok(), ok, "{url}");
        }
        // Credentials in a URL are never shown or logged.
        use creditdesk_core::webhooks::shown_url;
        for (url, shown) in [
            ("http://user:secret@host.example/h?a=b@c", "http://***@host.example/h?a=b@c"),
            ("https://token@host.example", "https://***@host.example"),
            ("https://a:b@c@host.example/x", "https://***@host.example/x"),
            ("https://host.example/p@th", "https://host.example/p@th"),
            ("https://host.example", "https://host.example"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(shown_url(url), shown, "{url}");
        }
        let hears = |names: &[&str]| Subscription::from_names(names.iter().copied());
        assert_eq!(hears(&["*"]), Ok(Subscription::All));
        assert_eq!(hears(&["invoice.paid", "invoice.paid"]), Ok(Subscription::Only(vec![EventType::InvoicePaid])));
        assert!(hears(&[]).is_err());
        assert!(hears(&["*", "invoice.paid"]).is_err());
        assert!(hears(&["invoice.nope"]).unwrap_err().contains("invoice.paid"));
        assert!(Subscription::All.hears(EventType::HoldExpired));
        assert!(!hears(&["invoice.paid"]).unwrap().hears(EventType::HoldExpired));
        let new = NewWebhook::from_json(&serde_json::json!({"url": " http://a.example/h ", "events": ["*"]})).unwrap();
        assert_eq!(new.url, "http://a.example/h");
        assert!(new.is_plain_http());
        let tls = NewWebhook::from_json(&serde_json::json!({"url": "https://a.example/h", "events": ["hold.created"]})).unwrap();
        assert!(!tls.is_plain_http());
        assert_eq!(tls.events.names(), ["hold.created"]);
        assert_eq!(Subscription::All.names(), ["*"]);
        // At most 2048 characters.
        let long = |n: usize| format!("https://a.example/{}", "x".repeat(n - "https://a.example/".len()));
        assert!(check_url(&long(2048)).is_ok());
        assert!(check_url(&long(2049)).is_err());
        use creditdesk_core::webhooks::DeliveryStatus;
        let names: Vec<&str> = DeliveryStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["pending", "delivered", "failed"]);
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(DeliveryStatus::from_name("sent"), None);
        let bad = NewWebhook::from_json(&serde_json::json!({"url": 5, "events": "all"})).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["url", "events"]);
    }
}

case_test! {
    fn tenant_locators_read_and_write_as_uuids() {
        use creditdesk_core::ids::TenantLocator;
        for (text, want) in TENANTS {
            let got = text.parse::<TenantLocator>().ok().map(|l| l.to_string());
            assert_eq!(got.as_deref(), *want, "{text}");
        }
        // Version 4, variant 10: those bits are set whatever the random bytes.
        assert_eq!(TenantLocator::from_random([0; 16]).as_str(), "00000000-0000-4000-8000-000000000000");
        assert_eq!(TenantLocator::from_random([0xff; 16]).as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let made = TenantLocator::from_random(*b"0123456789abcdef");
        assert_eq!(made.as_str().parse::<TenantLocator>(), Ok(made.clone()));
        assert_eq!(made.as_str(), "30313233-3435-4637-b839-616263646566");
    }

    fn credit_list_queries_read_as_filters() {
        for (scope, query, expect) in CREDIT_QUERIES {
            check_credit_query(*scope, query, expect);
        }
    }
}

case_test! {
    fn credit_locators_read_and_write_as_ulids() {
        use creditdesk_core::credit::CreditLocator;
        for (text, want) in LOCATORS {
            let got = text.parse::<CreditLocator>().ok().map(|l| l.to_string());
            assert_eq!(got.as_deref(), *want, "{text}");
        }
        // Time first (48 bits of milliseconds), then the 80 random bits, in base 32.
        assert_eq!(CreditLocator::new(0, [0; 10]).as_str(), "00000000000000000000000000");
        assert_eq!(CreditLocator::new(1, [0; 10]).as_str(), "00000000010000000000000000");
        assert_eq!(CreditLocator::new(0, [0xff; 10]).as_str(), "0000000000ZZZZZZZZZZZZZZZZ");
        assert_eq!(CreditLocator::new(u64::MAX, [0xff; 10]).as_str(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        let at: creditdesk_core::Timestamp = "1970-01-01T00:00:01.002999Z".parse().unwrap();
        assert_eq!(CreditLocator::at(at, [3; 10]), CreditLocator::new(1002, [3; 10]));
        // A payment's shortfall locator is the next ULID of the same millisecond.
        let both = |random: [u8; 10]| {
            let both = creditdesk_core::credit::PaymentLocators::at(at, random);
            (both.payment, both.shortfall)
        };
        let mut next = [1; 10];
        next[9] = 2;
        assert_eq!(both([1; 10]), (CreditLocator::new(1002, [1; 10]), CreditLocator::new(1002, next)));
        let mut carried = [0; 10];
        carried[8] = 1;
        let mut below = [0; 10];
        below[9] = 0xff;
        assert_eq!(both(below), (CreditLocator::new(1002, below), CreditLocator::new(1002, carried)));
        let mut top = [0xff; 10];
        top[9] = 0xfe;
        assert_eq!(both([0xff; 10]), (CreditLocator::new(1002, top), CreditLocator::new(1002, [0xff; 10])));
    }

    fn money_cases() {
        for (text, expect) in MONEY {
            check_money(text, *expect);
        }
        // Sums: exact up to the total bound, refused beyond it.
        let max = Money::TOTAL_MAX_MINOR;
        let m = |minor: i64| Money::from_minor(minor).unwrap();
        assert_eq!(Money::from_minor(max).map(Money::minor), Ok(max));
        assert_eq!(Money::from_minor(-max).map(Money::minor), Ok(-max));
        assert!(Money::from_minor(max + 1).is_err() && Money::from_minor(-max - 1).is_err());
        assert_eq!(m(150).checked_add(m(-275)), Some(m(-125)));
        assert_eq!(m(max - 1).checked_add(m(1)), Some(m(max)));
        assert_eq!(m(max).checked_add(m(1)), None);
        assert_eq!(Money::saturating_from_minor(i64::MIN).minor(), -max);
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
        let body = serde_json::json!({"value": 1, "id": "x", "balance": 0});
        let refused = creditdesk_core::fields::refuse_unknown(&body, &known).unwrap_err();
        let messages: Vec<&str> = refused.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["unknown field; the fields are value, settle", "unknown field"]);
        for (json, absent) in ABSENT {
            let value: Value = serde_json::from_str(json).unwrap();
            assert_eq!(creditdesk_core::fields::is_absent(&value), *absent, "{json}");
        }
    }

    fn status_and_kind_names() {
        use creditdesk_core::invoice::InvoiceStatus;
        use creditdesk_core::ledger::EntryKind;
        use creditdesk_core::transaction::TransactionStatus;
        for (status, name, becoming) in [
            (InvoiceStatus::Opened, "Opened", "reopened"),
            (InvoiceStatus::Paid, "Paid", "paid"),
            (InvoiceStatus::Cancelled, "Cancelled", "cancelled"),
        ] {
            assert_eq!((status.as_str(), status.becoming()), (name, becoming));
            assert_eq!(name.parse::<InvoiceStatus>(), Ok(status));
        }
        for (text, status) in [("open", Some(InvoiceStatus::Opened)), ("CANCELED", Some(InvoiceStatus::Cancelled)), ("late", None)] {
            assert_eq!(text.parse::<InvoiceStatus>().ok(), status, "{text}");
        }
        for (status, name) in [
            (TransactionStatus::Authorized, "Authorized"),
            (TransactionStatus::Settled, "Settled"),
            (TransactionStatus::Cancelled, "Cancelled"),
            (TransactionStatus::Expired, "Expired"),
        ] {
            assert_eq!(status.as_str(), name);
            assert_eq!(name.parse::<TransactionStatus>(), Ok(status));
        }
        assert!("authorized".parse::<TransactionStatus>().is_err());
        let names: Vec<&str> = EntryKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["Settlement", "SettlementChanged", "InvoicePaid", "PaymentReversed", "InvoiceCancelled", "Refund", "CreditLimitChanged", "ToleranceChanged", "ManualDebit", "ManualCredit", "WriteOff", "WriteOffReversed", "Interest", "InterestTax", "InterestReversed", "InterestTaxReversed"]);
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(EntryKind::from_name("settlement"), None);
    }

    fn error_reason_cases() {
        use creditdesk_core::CreditError;
        for (error, reason, message) in [
            (CreditError::NotCancellable, "not_cancellable", "pre-authorizations created with settle = true cannot be cancelled"),
            (CreditError::OutOfRange, "out_of_range", "the result would exceed"),
            (CreditError::PostponementLimit { limit: 2 }, "postponement_limit", "this invoice was postponed 2 times"),
            (CreditError::field("value", "must be above 0"), "invalid", "invalid input: value: must be above 0"),
        ] {
            assert_eq!(error.reason(), reason);
            assert!(error.to_string().starts_with(message), "{error}");
        }
    }

    fn id_cases() {
        for (kind, text, want) in IDS {
            assert_eq!(parse_id(*kind, text).as_deref(), *want, "{kind:?} {text:?}");
        }
        // Length bounds: at the most, and one over.
        let long = |n: usize, c: char| -> String { std::iter::repeat_n(c, n).collect() };
        for (kind, max) in [(IdKind::DocumentType, 32), (IdKind::Document, 32), (IdKind::Transaction, 64), (IdKind::Statement, 64)] {
            let at_max = long(max, 'a');
            assert_eq!(parse_id(kind, &at_max), Some(at_max.clone()), "{kind:?} of {max}");
            assert_eq!(parse_id(kind, &long(max + 1, 'a')), None, "{kind:?} of {}", max + 1);
        }
        let email = |local: usize, domain: usize| format!("{}@{}.co", long(local, 'a'), long(domain, 'b'));
        for (text, ok) in [(email(64, 1), true), (email(65, 1), false), (email(64, 186), true), (email(64, 187), false)] {
            assert_eq!(parse_id(IdKind::Email, &text).is_some(), ok, "an email of {} characters, local part {}", text.len(), text.find('@').unwrap());
        }
        let invoice: creditdesk_core::ids::InvoiceId = "order-1-07".parse().unwrap();
        assert_eq!((invoice.transaction_id().as_str(), invoice.installment()), ("order-1", 7));
    }

    fn split_cases() {
        use creditdesk_core::installments::{split, spread};
        for (total, count, want) in SPLITS {
            let total: Money = total.parse().unwrap();
            let show = |parts: Vec<Money>| parts.iter().map(|m| m.to_string()).collect::<Vec<_>>();
            let want: Option<Vec<String>> = want.map(|w| w.iter().map(|s| s.to_string()).collect());
            assert_eq!(split(total, *count).map(show), want, "split {total} in {count}");
            if let Some(parts) = want {
                assert_eq!(show(spread(total, *count)), parts, "spread {total} over {count}");
            }
        }
        let spread_parts: Vec<String> = spread("0.05".parse().unwrap(), 3).iter().map(|m| m.to_string()).collect();
        assert_eq!(spread_parts, ["0.03", "0.01", "0.01"]);
        assert!(spread("1".parse().unwrap(), 0).is_empty());
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

    fn timestamp_cases() {
        use creditdesk_core::Timestamp;
        for (text, want) in TIMESTAMPS {
            let got = text.parse::<Timestamp>().map(|t| t.to_string()).map_err(|e| format!("{e:?}"));
            assert_eq!(got.as_deref().map_err(String::as_str), *want, "{text:?}");
        }
    }

    fn timestamp_arithmetic() {
        use creditdesk_core::Timestamp;
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        for (from, to, days) in [
            ("2024-01-01T12:00:00Z", "2024-01-31T12:00:00Z", 30),
            ("2024-01-01T12:00:00Z", "2024-01-31T11:59:59Z", 29),
            ("2024-01-31T12:00:00Z", "2024-01-01T12:00:00Z", -30),
            ("2024-01-31T12:00:00Z", "2024-01-01T12:00:01Z", -29),
            ("2024-01-01T00:00:00Z", "2024-01-01T23:59:59Z", 0),
        ] {
            assert_eq!(at(from).days_until(at(to)), days, "{from} → {to}");
        }
        for (instant, midnight) in [
            ("2024-02-29T18:30:00.5Z", "2024-02-29T00:00:00Z"),
            ("2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"),
            ("1970-01-01T00:00:01Z", "1970-01-01T00:00:00Z"),
        ] {
            assert_eq!(at(instant).start_of_day(), at(midnight), "{instant}");
        }
        let messages: Vec<String> = ["yesterday", "10000-01-01"].iter().map(|t| t.parse::<Timestamp>().unwrap_err().to_string()).collect();
        assert_eq!(messages, [
            "must be a date YYYY-MM-DD or an ISO 8601 date-time such as 2024-03-03T06:52:53Z",
            "must be a date YYYY-MM-DD or an ISO 8601 date-time such as 2024-03-03T06:52:53Z",
        ]);
        assert_eq!(Timestamp::from_unix_micros(-1).unwrap_err().to_string(), "must be between 1970-01-01 and 9999-12-31");
        // Date-times of at most 40 characters are read (any fraction digits beyond microseconds
        // are cut); longer text is refused before it is parsed.
        let forty = "2024-01-01T00:00:00.12345678901234+00:00";
        assert_eq!((forty.len(), forty.parse::<Timestamp>().map(|t| t.to_string())), (40, Ok("2024-01-01T00:00:00.1234560Z".into())));
        assert!("2024-01-01T00:00:00.123456789012345+00:00".parse::<Timestamp>().is_err());
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
            r#"{"dailyInterestRate":0,"invoicePostponementLimit":0,"taxRate":0,"maxPostponementDays":0,"defaultCreditValue":2000.00,"postponementEnabled":false,"automaticCheckingAccountCreationEnabled":false,"toleranceEnabled":false,"myCreditsEnabled":false,"maxPreAuthorizationGrowthRate":0,"notificationsSettings":{"daysPrior":[{"days":5,"timeOfDay":"12:00:00"},{"days":1,"timeOfDay":"12:00:00"},{"days":0,"timeOfDay":"12:00:00"}],"daysAfter":[{"days":3,"timeOfDay":"12:00:00"}]},"shortfallTolerance":0.00,"currency":"BRL","currencyCode":"BRL","interestGraceDays":0,"overdueBlockDays":null,"timeZone":"UTC","myCreditsUrl":null}"#
        );
    }

    fn store_config_reads_what_was_set() {
        let body: Value = serde_json::from_str(r#"{
            "dailyInterestRate": 0.002, "invoicePostponementLimit": 3, "taxRate": 0.4,
            "maxPostponementDays": 15, "defaultCreditValue": 750.5, "postponementEnabled": true,
            "automaticCheckingAccountCreationEnabled": true, "toleranceEnabled": true,
            "myCreditsEnabled": true, "maxPreAuthorizationGrowthRate": 0.25,
            "notificationsSettings": {"daysPrior": [{"days": 2, "timeOfDay": "09:30:00"}], "daysAfter": [{"days": 1, "timeOfDay": "18:00:00"}, {"days": 7, "timeOfDay": "08:00:00"}]}
        }"#).unwrap();
        let c = StoreConfig::default().apply_update(&body).unwrap();
        let rates = (c.daily_interest_rate().to_string(), c.tax_rate().to_string(), c.max_pre_authorization_growth_rate().to_string());
        assert_eq!(rates, ("0.002".into(), "0.4".into(), "0.25".into()));
        assert_eq!((c.invoice_postponement_limit(), c.max_postponement_days(), c.default_credit_value().to_string()), (3, 15, "750.50".into()));
        let flags = (c.postponement_enabled(), c.automatic_checking_account_creation_enabled(), c.tolerance_enabled(), c.my_credits_enabled());
        assert_eq!(flags, (true, true, true, true));
        let rules = |r: &[creditdesk_core::store_config::NotificationRule]| r.iter().map(|r| format!("{} {}", r.days, r.time_of_day)).collect::<Vec<_>>();
        let n = c.notifications_settings();
        assert_eq!((rules(n.days_prior()), rules(n.days_after())), (vec!["2 09:30:00".to_owned()], vec!["1 18:00:00".to_owned(), "7 08:00:00".to_owned()]));
        let d = StoreConfig::default();
        assert_eq!((d.postponement_enabled(), d.automatic_checking_account_creation_enabled(), d.tolerance_enabled(), d.my_credits_enabled()), (false, false, false, false));
        // Postponing needs both the switch and a limit above 0; what is left counts down.
        for (update, used, left) in [
            (r#"{"postponementEnabled": true, "invoicePostponementLimit": 2, "maxPostponementDays": 10}"#, (1, 4), Some((1, 6))),
            (r#"{"postponementEnabled": true, "invoicePostponementLimit": 2, "maxPostponementDays": 10}"#, (3, 12), Some((0, 0))),
            (r#"{"postponementEnabled": true, "invoicePostponementLimit": 0, "maxPostponementDays": 10}"#, (0, 0), None),
            (r#"{"postponementEnabled": false, "invoicePostponementLimit": 2, "maxPostponementDays": 10}"#, (0, 0), None),
        ] {
            let c = StoreConfig::default().apply_update(&serde_json::from_str(update).unwrap()).unwrap();
            let got = c.postponement_left(used.0, used.1).map(|l| (l.times, l.days));
            assert_eq!(got, left, "{update} after {used:?}");
        }
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
