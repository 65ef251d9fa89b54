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

/// `Intl.DateTimeFormat` options from their names and values.
fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let options = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// `at` as a JavaScript date (milliseconds since the epoch are exact in an f64 for every date
/// the API accepts).
fn js_date(at: Timestamp) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64((at.unix_micros() / 1000) as f64))
}

/// The UTC day of `at` in the browser's locale (`Mar 5, 2026`).
pub fn date(at: Timestamp) -> String {
    let options = options(&[
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("timeZone", "UTC"),
    ]);
    String::from(js_date(at).to_locale_date_string(&language(), &options))
}

/// The day and time of `at` in the time zone `zone` (an IANA name), in the browser's locale
/// (`Mar 5, 2026, 09:00`); the ISO instant in UTC if the browser does not know the zone (its
/// `Intl` throws then, which is caught here rather than let abort the page).
pub fn date_time_in(at: Timestamp, zone: &str) -> String {
    let options = options(&[
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZone", zone),
    ]);
    let shown = (|| {
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
            .ok()?
            .into();
        let args = js_sys::Array::of2(&language().into(), &options);
        let formatter = js_sys::Reflect::construct(&constructor, &args).ok()?;
        let format: js_sys::Function = js_sys::Reflect::get(&formatter, &"format".into())
            .ok()?
            .into();
        format.call1(&formatter, &js_date(at)).ok()?.as_string()
    })();
    shown
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| at.to_string())
}

/// A rate as a percentage without trailing zeros: `0.125` → `12.5`.
pub fn percent(rate: creditdesk_core::Rate) -> String {
    (rate.fraction() * rust_decimal::Decimal::ONE_HUNDRED)
        .normalize()
        .to_string()
}
