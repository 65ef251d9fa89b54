//! Money and dates in the browser's locale.
//!
//! Money is formatted from its exact decimal text, never through a float: only the locale's
//! separators are taken from `Intl.NumberFormat`. Dates are shown as UTC days, the days the API
//! and its filters use, so a due date reads the same in every time zone.

use std::cell::OnceCell;

use creditdesk_core::{Money, Timestamp};
use wasm_bindgen::JsValue;

/// The locale's digit-group and decimal separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separators {
    pub group: String,
    pub decimal: String,
}

impl Separators {
    /// `1,234.56` style, when the browser says nothing.
    pub fn plain() -> Separators {
        Separators {
            group: ",".to_owned(),
            decimal: ".".to_owned(),
        }
    }
}

/// The browser's language tag (`en-US`), or `en`.
pub fn language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned())
}

thread_local! {
    static SEPARATORS: OnceCell<Separators> = const { OnceCell::new() };
}

/// The separators of the browser's locale (asked once).
pub fn separators() -> Separators {
    SEPARATORS.with(|cell| cell.get_or_init(locale_separators).clone())
}

fn locale_separators() -> Separators {
    let locales = js_sys::Array::of1(&JsValue::from_str(&language()));
    let format = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new());
    // A sample with a group and a decimal part; only its separators are kept.
    let parts = format.format_to_parts(1234567.5);
    let mut found = Separators::plain();
    for part in parts.iter() {
        let get = |key: &str| {
            js_sys::Reflect::get(&part, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        };
        match (get("type").as_deref(), get("value")) {
            (Some("group"), Some(value)) => found.group = value,
            (Some("decimal"), Some(value)) => found.decimal = value,
            _ => {}
        }
    }
    found
}

/// `text` (an exact decimal like `-1234567.50`) with the separators: `-1,234,567.50`.
pub fn group_digits(text: &str, separators: &Separators) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = String::from(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push_str(&separators.group);
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push_str(&separators.decimal);
        out.push_str(fraction);
    }
    out
}

/// An amount in the browser's locale, with its 2 decimals.
pub fn money(amount: Money) -> String {
    group_digits(&amount.to_string(), &separators())
}

/// The UTC day of `at` in the browser's locale (`Mar 5, 2026`).
pub fn date(at: Timestamp) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("timeZone", "UTC"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    // Milliseconds since the epoch are exact in an f64 for every date the API accepts.
    let millis = (at.unix_micros() / 1000) as f64;
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    String::from(date.to_locale_date_string(&language(), &options))
}

/// The day and time of `at` in the time zone `zone` (an IANA name), in the browser's locale
/// (`Mar 5, 2026, 09:00`); in UTC if the browser does not know the zone.
pub fn date_time_in(at: Timestamp, zone: &str) -> String {
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZone", zone),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    let millis = (at.unix_micros() / 1000) as f64;
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    let shown = date.to_locale_string(&language(), &options);
    match shown.as_string() {
        Some(text) if !text.is_empty() => text,
        _ => format!("{at}"),
    }
}

/// A rate as a percentage without trailing zeros: `0.125` → `12.5`.
pub fn percent(rate: creditdesk_core::Rate) -> String {
    (rate.fraction() * rust_decimal::Decimal::ONE_HUNDRED)
        .normalize()
        .to_string()
}
