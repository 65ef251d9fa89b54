//! Store-wide credit policy: the Customer Credit API's `storeconfig`.
//!
//! Rules (also in `docs/credit-rules.md`):
//! - Before any update the store has [`StoreConfig::default`], the reference spec's own example.
//! - An update is a JSON object holding any subset of the fields; fields left out keep their
//!   current value (the invoices guide updates three fields this way). Inside
//!   `notificationsSettings`, a list that is given replaces the current list; one left out stays.
//! - Every field present is validated; all errors are reported at once with their paths, and a
//!   refused update changes nothing. `null` values are refused. Unknown top-level fields are
//!   ignored like every body's (the server lists them in a header, or refuses them when asked to
//!   be strict); unknown keys inside `notificationsSettings` are refused, as no client sends one.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::decimal;
use crate::money::Money;
use crate::rate::Rate;
use crate::validation::ValidationErrors;

/// Most postponements one invoice may ever get.
pub const INVOICE_POSTPONEMENT_LIMIT_MAX: u16 = 100;
/// Most days an invoice may be postponed in total.
pub const POSTPONEMENT_DAYS_MAX: u16 = 365;
/// Most days before or after a due date a notification may be scheduled.
pub const NOTIFICATION_DAYS_MAX: u16 = 365;
/// Most grace days before interest, and most days of `overdueBlockDays`.
pub const POLICY_DAYS_MAX: u16 = 365;
/// Most notification rules in each of `daysPrior` and `daysAfter`.
pub const NOTIFICATION_RULES_MAX: u8 = 10;

/// The store's credit policy. Built only by [`StoreConfig::default`] and
/// [`StoreConfig::apply_update`], so every value in it has passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreConfig {
    daily_interest_rate: Rate,
    invoice_postponement_limit: u16,
    tax_rate: Rate,
    max_postponement_days: u16,
    default_credit_value: Money,
    postponement_enabled: bool,
    automatic_checking_account_creation_enabled: bool,
    tolerance_enabled: bool,
    my_credits_enabled: bool,
    max_pre_authorization_growth_rate: Rate,
    notifications_settings: NotificationsSettings,
    /// Extension: a payment that leaves at most this much unpaid writes the rest off.
    shortfall_tolerance: Money,
    /// Extension: the store's currency, an ISO 4217 code (what credits are written in).
    currency: Currency,
    /// Extension: the company-credit API's name of the same setting (`currencyCode`).
    /// Invariant: always `currency`.
    currency_code: Currency,
    /// Extension: days after the due date before overdue interest starts.
    interest_grace_days: u16,
    /// Extension: a new pre-authorization is refused while an invoice of the account is more
    /// than this many days late (`None`: never).
    overdue_block_days: Option<u16>,
    /// Extension: the store's time zone, where reminders' `timeOfDay` is read.
    time_zone: TimeZoneName,
    /// Extension: the store's own page where a buyer opens My Credits (it signs them in and
    /// sends them on with a buyer link); reminders print it while `myCreditsEnabled` is on.
    my_credits_url: Option<String>,
}

/// Most characters of a time zone's name (the longest IANA name has 32).
pub const TIME_ZONE_CHARS_MAX: usize = 64;

/// An IANA time zone's name as the store gives it (`UTC`, `America/Sao_Paulo`,
/// `Etc/GMT+3`). Core checks its shape only — ASCII letters, digits, `_`, `+`, `-`, parts
/// separated by `/`, each starting with a letter, at most [`TIME_ZONE_CHARS_MAX`] characters —
/// as it holds no time zone database; the server refuses a well-formed name its database does
/// not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// `UTC`, the default.
    pub fn utc() -> TimeZoneName {
        TimeZoneName("UTC".to_owned())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TimeZoneName {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let part_ok = |part: &str| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
        };
        if text.len() <= TIME_ZONE_CHARS_MAX && text.split('/').all(part_ok) {
            Ok(TimeZoneName(text.to_owned()))
        } else {
            Err("must be an IANA time zone name, such as UTC or America/Sao_Paulo")
        }
    }
}

impl Serialize for TimeZoneName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// An ISO 4217 currency code: three upper-case letters (`BRL`, `USD`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII letters")
    }
}

impl FromStr for Currency {
    type Err = &'static str;

    /// Three letters, either case (written upper case).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|b| b.is_ascii_alphabetic()) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err("must be an ISO 4217 currency code: three letters, such as BRL or USD"),
        }
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// When buyers are reminded of an invoice, before and after its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationsSettings {
    days_prior: Vec<NotificationRule>,
    days_after: Vec<NotificationRule>,
}

/// One reminder: `days` before (or after) the due date, at `timeOfDay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRule {
    pub days: u16,
    pub time_of_day: TimeOfDay,
}

/// A wall-clock time `HH:MM:SS` (24-hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
    second: u8,
}

impl TimeOfDay {
    pub fn new(hour: u8, minute: u8, second: u8) -> Option<TimeOfDay> {
        (hour < 24 && minute < 60 && second < 60).then_some(TimeOfDay {
            hour,
            minute,
            second,
        })
    }
    pub fn hour(self) -> u8 {
        self.hour
    }
    pub fn minute(self) -> u8 {
        self.minute
    }
    pub fn second(self) -> u8 {
        self.second
    }
}

impl FromStr for TimeOfDay {
    type Err = &'static str;

    /// Exactly `HH:MM:SS`, two digits each.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str = "must be a time HH:MM:SS between 00:00:00 and 23:59:59";
        let bytes = text.as_bytes();
        if bytes.len() != 8 || bytes[2] != b':' || bytes[5] != b':' {
            return Err(MESSAGE);
        }
        let pair = |at: usize| -> Option<u8> {
            let (a, b) = (bytes[at], bytes[at + 1]);
            (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
        };
        match (pair(0), pair(3), pair(6)) {
            (Some(h), Some(m), Some(s)) => TimeOfDay::new(h, m, s).ok_or(MESSAGE),
            _ => Err(MESSAGE),
        }
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Default for StoreConfig {
    /// The reference spec's example: no interest, tax or growth, postponement and tolerance off,
    /// accounts created automatically get 2000.00, reminders 5, 1 and 0 days before and 3 days
    /// after the due date at noon.
    fn default() -> Self {
        let noon = TimeOfDay {
            hour: 12,
            minute: 0,
            second: 0,
        };
        let rule = |days| NotificationRule {
            days,
            time_of_day: noon,
        };
        StoreConfig {
            daily_interest_rate: Rate::ZERO,
            invoice_postponement_limit: 0,
            tax_rate: Rate::ZERO,
            max_postponement_days: 0,
            default_credit_value: Money::from_minor(200_000).expect("in range"),
            postponement_enabled: false,
            automatic_checking_account_creation_enabled: false,
            tolerance_enabled: false,
            my_credits_enabled: false,
            max_pre_authorization_growth_rate: Rate::ZERO,
            notifications_settings: NotificationsSettings {
                days_prior: vec![rule(5), rule(1), rule(0)],
                days_after: vec![rule(3)],
            },
            shortfall_tolerance: Money::ZERO,
            currency: Currency(*b"BRL"),
            currency_code: Currency(*b"BRL"),
            interest_grace_days: 0,
            overdue_block_days: None,
            time_zone: TimeZoneName::utc(),
            my_credits_url: None,
        }
    }
}

/// The top-level fields, in the spec's order, then the extensions.
pub const FIELDS: [&str; 18] = [
    "dailyInterestRate",
    "invoicePostponementLimit",
    "taxRate",
    "maxPostponementDays",
    "defaultCreditValue",
    "postponementEnabled",
    "automaticCheckingAccountCreationEnabled",
    "toleranceEnabled",
    "myCreditsEnabled",
    "maxPreAuthorizationGrowthRate",
    "notificationsSettings",
    "shortfallTolerance",
    "currency",
    "currencyCode",
    "interestGraceDays",
    "overdueBlockDays",
    "timeZone",
    "myCreditsUrl",
];

/// The fields whose `null` means "off" or "none" (every other field refuses `null`).
const NULLABLE: [&str; 2] = ["overdueBlockDays", "myCreditsUrl"];

/// What an invoice may still be postponed: how many more times, and by how many more days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostponementLeft {
    pub times: u16,
    pub days: u16,
}

impl StoreConfig {
    /// What an invoice postponed `postponements` times by `postponed_days` in all may still
    /// get; `None` when the store does not allow postponing (disabled, or a limit of 0).
    pub fn postponement_left(
        &self,
        postponements: u16,
        postponed_days: u16,
    ) -> Option<PostponementLeft> {
        if !self.postponement_enabled || self.invoice_postponement_limit == 0 {
            return None;
        }
        Some(PostponementLeft {
            times: self
                .invoice_postponement_limit
                .saturating_sub(postponements),
            days: self.max_postponement_days.saturating_sub(postponed_days),
        })
    }

    /// Daily interest on overdue invoices (`0.01` = 1 % a day).
    pub fn daily_interest_rate(&self) -> Rate {
        self.daily_interest_rate
    }
    /// How many times one invoice may be postponed.
    pub fn invoice_postponement_limit(&self) -> u16 {
        self.invoice_postponement_limit
    }
    /// Tax applied to interest (`0.4` = 40 %).
    pub fn tax_rate(&self) -> Rate {
        self.tax_rate
    }
    /// Most days one invoice may be postponed in total.
    pub fn max_postponement_days(&self) -> u16 {
        self.max_postponement_days
    }
    /// Credit limit of accounts opened automatically at checkout.
    pub fn default_credit_value(&self) -> Money {
        self.default_credit_value
    }
    /// Whether invoices may be postponed at all.
    pub fn postponement_enabled(&self) -> bool {
        self.postponement_enabled
    }
    /// Whether a pre-authorization for an unknown buyer opens an account for them.
    pub fn automatic_checking_account_creation_enabled(&self) -> bool {
        self.automatic_checking_account_creation_enabled
    }
    /// Whether accounts may spend beyond their limit by their tolerance.
    pub fn tolerance_enabled(&self) -> bool {
        self.tolerance_enabled
    }
    /// Whether buyers see the "My Credits" page in the storefront.
    pub fn my_credits_enabled(&self) -> bool {
        self.my_credits_enabled
    }
    /// Extension: the store's page where buyers open My Credits, as set (`None`: not set).
    pub fn my_credits_url(&self) -> Option<&str> {
        self.my_credits_url.as_deref()
    }
    /// Where a buyer is sent to see their account: the store's My Credits page, while the store
    /// shows My Credits (`None` when it is off or has no such page).
    pub fn my_credits_link(&self) -> Option<&str> {
        self.my_credits_url().filter(|_| self.my_credits_enabled)
    }
    /// How much a pre-authorization may grow when updated or settled (`0.1` = 10 %).
    pub fn max_pre_authorization_growth_rate(&self) -> Rate {
        self.max_pre_authorization_growth_rate
    }
    pub fn notifications_settings(&self) -> &NotificationsSettings {
        &self.notifications_settings
    }
    /// Extension: a payment leaving a remainder above 0 and at most this writes it off.
    pub fn shortfall_tolerance(&self) -> Money {
        self.shortfall_tolerance
    }
    /// Extension: the store's currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }
    /// Extension: days after the due date before interest starts.
    pub fn interest_grace_days(&self) -> u16 {
        self.interest_grace_days
    }
    /// Extension: how many days late an invoice may be before new pre-authorizations of its
    /// account are refused (`None`: never).
    pub fn overdue_block_days(&self) -> Option<u16> {
        self.overdue_block_days
    }
    /// Extension: the store's time zone (reminders are timed there).
    pub fn time_zone(&self) -> &TimeZoneName {
        &self.time_zone
    }
    /// Whether `other` times reminders as this does (same `notificationsSettings` and time
    /// zone); when not, what was not sent is rescheduled (see [`crate::reminders`]).
    pub fn times_reminders_as(&self, other: &StoreConfig) -> bool {
        self.notifications_settings == other.notifications_settings
            && self.time_zone == other.time_zone
    }
    /// The interest rules of [`crate::interest`] under this configuration.
    pub fn interest_policy(&self) -> crate::interest::InterestPolicy {
        crate::interest::InterestPolicy {
            daily_rate: self.daily_interest_rate,
            tax_rate: self.tax_rate,
            grace_days: self.interest_grace_days,
        }
    }

    /// Applies an update body (a JSON object with any subset of the fields) and returns the new
    /// configuration, or every field error found. `self` is never changed.
    pub fn apply_update(&self, body: &Value) -> Result<StoreConfig, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let Some(object) = body.as_object() else {
            errors.push("body", "must be a JSON object with the fields to change");
            return Err(errors);
        };
        let mut next = self.clone();
        for (key, value) in object {
            let path = key.as_str();
            if value.is_null() && FIELDS.contains(&path) && !NULLABLE.contains(&path) {
                errors.push(
                    path,
                    "must not be null; leave the field out to keep its value",
                );
                continue;
            }
            match path {
                "dailyInterestRate" => set(
                    &mut errors,
                    path,
                    rate(value),
                    &mut next.daily_interest_rate,
                ),
                "invoicePostponementLimit" => set(
                    &mut errors,
                    path,
                    count(value, INVOICE_POSTPONEMENT_LIMIT_MAX),
                    &mut next.invoice_postponement_limit,
                ),
                "taxRate" => set(&mut errors, path, rate(value), &mut next.tax_rate),
                "maxPostponementDays" => set(
                    &mut errors,
                    path,
                    count(value, POSTPONEMENT_DAYS_MAX),
                    &mut next.max_postponement_days,
                ),
                "defaultCreditValue" => set(
                    &mut errors,
                    path,
                    Money::non_negative_from_json(value).map_err(|e| e.to_string()),
                    &mut next.default_credit_value,
                ),
                "postponementEnabled" => set(
                    &mut errors,
                    path,
                    flag(value),
                    &mut next.postponement_enabled,
                ),
                "automaticCheckingAccountCreationEnabled" => set(
                    &mut errors,
                    path,
                    flag(value),
                    &mut next.automatic_checking_account_creation_enabled,
                ),
                "toleranceEnabled" => {
                    set(&mut errors, path, flag(value), &mut next.tolerance_enabled)
                }
                "myCreditsEnabled" => {
                    set(&mut errors, path, flag(value), &mut next.my_credits_enabled)
                }
                "maxPreAuthorizationGrowthRate" => set(
                    &mut errors,
                    path,
                    rate(value),
                    &mut next.max_pre_authorization_growth_rate,
                ),
                "notificationsSettings" => {
                    next.notifications_settings
                        .apply_update(path, value, &mut errors)
                }
                "shortfallTolerance" => set(
                    &mut errors,
                    path,
                    Money::non_negative_from_json(value).map_err(|e| e.to_string()),
                    &mut next.shortfall_tolerance,
                ),
                "currency" => set(&mut errors, path, parsed(value), &mut next.currency),
                "currencyCode" => set(&mut errors, path, parsed(value), &mut next.currency_code),
                "interestGraceDays" => set(
                    &mut errors,
                    path,
                    count(value, POLICY_DAYS_MAX),
                    &mut next.interest_grace_days,
                ),
                "overdueBlockDays" => set(
                    &mut errors,
                    path,
                    match value {
                        Value::Null => Ok(None),
                        value => count(value, POLICY_DAYS_MAX).map(Some),
                    },
                    &mut next.overdue_block_days,
                ),
                "timeZone" => set(&mut errors, path, parsed(value), &mut next.time_zone),
                // An empty string is absent, as in every body: the page stays as it is.
                "myCreditsUrl" if value.as_str() == Some("") => {}
                "myCreditsUrl" => set(
                    &mut errors,
                    path,
                    match value {
                        Value::Null => Ok(None),
                        value => crate::commands::web_url(value).map(Some),
                    },
                    &mut next.my_credits_url,
                ),
                // Unknown top-level fields are ignored (the server lists them; see commands).
                _ => {}
            }
        }
        next.settle_currency(&self.currency, &mut errors);
        errors.into_result(next)
    }
}

impl StoreConfig {
    /// `currency` and `currencyCode` are one setting: the one that moved from `before` is the
    /// change (a client that knows one name sends the other back as it read it); both moved
    /// to different codes is refused.
    fn settle_currency(&mut self, before: &Currency, errors: &mut ValidationErrors) {
        if self.currency == self.currency_code {
            return;
        }
        if self.currency == *before {
            self.currency = self.currency_code.clone();
        } else if self.currency_code == *before {
            self.currency_code = self.currency.clone();
        } else {
            errors.push(
                "currencyCode",
                "is the company-credit API's name of currency, one setting: give the same code, or only one of them",
            );
        }
    }
}

impl NotificationsSettings {
    /// Reminders before the due date.
    pub fn days_prior(&self) -> &[NotificationRule] {
        &self.days_prior
    }
    /// Reminders after the due date.
    pub fn days_after(&self) -> &[NotificationRule] {
        &self.days_after
    }

    fn apply_update(&mut self, path: &str, value: &Value, errors: &mut ValidationErrors) {
        let Some(object) = value.as_object() else {
            errors.push(path, "must be an object with daysPrior and/or daysAfter");
            return;
        };
        for (key, value) in object {
            let path = format!("{path}.{key}");
            match key.as_str() {
                "daysPrior" => {
                    if let Some(rules) = rules(&path, value, errors) {
                        self.days_prior = rules;
                    }
                }
                "daysAfter" => {
                    if let Some(rules) = rules(&path, value, errors) {
                        self.days_after = rules;
                    }
                }
                _ => errors.push(path, "unknown field; the fields are daysPrior, daysAfter"),
            }
        }
    }
}

/// A JSON string read by `T`'s own reader (a currency code, a time zone's name).
fn parsed<T: FromStr<Err = &'static str>>(value: &Value) -> Result<T, String> {
    value
        .as_str()
        .ok_or("must be a string")
        .and_then(str::parse)
        .map_err(str::to_owned)
}

/// Stores `result` in `slot`, or records its error under `path`.
fn set<T>(errors: &mut ValidationErrors, path: &str, result: Result<T, String>, slot: &mut T) {
    match result {
        Ok(value) => *slot = value,
        Err(message) => errors.push(path, message),
    }
}

fn rate(value: &Value) -> Result<Rate, String> {
    Rate::from_json(value).map_err(|e| e.to_string())
}

fn flag(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "must be true or false".to_owned())
}

/// A whole number from 0 to `max` (a JSON number or numeric string; `2.0` counts as 2).
fn count(value: &Value, max: u16) -> Result<u16, String> {
    let message = || format!("must be a whole number from 0 to {max}");
    let number = decimal::from_json(value)
        .map_err(|_| message())?
        .normalize();
    if number.scale() > 0 {
        return Err(message());
    }
    number.to_u16().filter(|n| *n <= max).ok_or_else(message)
}

fn rules(
    path: &str,
    value: &Value,
    errors: &mut ValidationErrors,
) -> Option<Vec<NotificationRule>> {
    let Some(items) = value.as_array() else {
        errors.push(path, "must be a list of {days, timeOfDay}");
        return None;
    };
    if items.len() > usize::from(NOTIFICATION_RULES_MAX) {
        errors.push(
            path,
            format!("must have at most {NOTIFICATION_RULES_MAX} entries"),
        );
        return None;
    }
    let before = errors.len();
    let mut rules = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let Some(object) = item.as_object() else {
            errors.push(path, "must be an object {days, timeOfDay}");
            continue;
        };
        for key in object
            .keys()
            .filter(|k| !matches!(k.as_str(), "days" | "timeOfDay"))
        {
            errors.push(
                format!("{path}.{key}"),
                "unknown field; the fields are days, timeOfDay",
            );
        }
        let days = required(object, "days").and_then(|v| count(v, NOTIFICATION_DAYS_MAX));
        let time = required(object, "timeOfDay").and_then(|v| {
            v.as_str()
                .ok_or("must be a time HH:MM:SS")
                .and_then(TimeOfDay::from_str)
                .map_err(str::to_owned)
        });
        match (days, time) {
            (Ok(days), Ok(time_of_day)) => {
                let rule = NotificationRule { days, time_of_day };
                if rules.contains(&rule) {
                    errors.push(path, "repeats an earlier entry");
                } else {
                    rules.push(rule);
                }
            }
            (days, time) => {
                if let Err(message) = days {
                    errors.push(format!("{path}.days"), message);
                }
                if let Err(message) = time {
                    errors.push(format!("{path}.timeOfDay"), message);
                }
            }
        }
    }
    (errors.len() == before).then_some(rules)
}

fn required<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a Value, String> {
    match object.get(key) {
        None | Some(Value::Null) => Err("is required".to_owned()),
        Some(value) => Ok(value),
    }
}

impl<'de> Deserialize<'de> for StoreConfig {
    /// Reads a configuration as the API writes it (fields left out take their defaults).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        StoreConfig::default()
            .apply_update(&value)
            .map_err(serde::de::Error::custom)
    }
}
