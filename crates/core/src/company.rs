//! The company-credit API's model over the same book: its history (operation types, the
//! figures after each entry), the fields its lists search, the readers of its bodies, its
//! refusals.
//!
//! Rules (also in `docs/company-credit-api.md`):
//! - Every ledger entry, whichever API made it, has one operation type of that platform:
//!   1 Allocated, 2 Updated, 3 Purchased, 4 Reimbursed, 5 Refunded, 6 Reverted — by
//!   [`operation_types`], one table for every entry kind:
//!
//! | entry | operation type |
//! |---|---|
//! | the account's first `CreditLimitChanged` | 1 Allocated |
//! | a later `CreditLimitChanged`, `ToleranceChanged` | 2 Updated |
//! | `WriteOff` (the merchant's, or a shortfall's) | 2 Updated |
//! | `Interest`, `InterestTax` (charged with a payment) | 2 Updated |
//! | `Settlement`, `ManualDebit` | 3 Purchased |
//! | `SettlementChanged` that raises what is owed | 3 Purchased |
//! | `InvoicePaid` (a payment) | 4 Reimbursed |
//! | `Refund` | 5 Refunded |
//! | `SettlementChanged` that lowers what is owed | 5 Refunded |
//! | `InvoiceCancelled`, `PaymentReversed`, `WriteOffReversed`, `InterestReversed`, `InterestTaxReversed` | 6 Reverted |
//!
//! - **Decision**: write-offs and interest are the seller's adjustments of the balance (2
//!   Updated), not purchases or reimbursements: the buyer neither bought nor paid anything.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ledger::{Entry, EntryKind};
use crate::money::Money;
use crate::search_criteria::{Field, Kind};
use crate::store_config::Currency;
use crate::text::{TextError, TextKind, TextRule};

/// What an operation on a company's credit was, as that platform numbers it (its code on the
/// wire and in storage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum OperationType {
    Allocated,
    Updated,
    Purchased,
    Reimbursed,
    Refunded,
    Reverted,
}

impl OperationType {
    pub const ALL: [OperationType; 6] = [
        OperationType::Allocated,
        OperationType::Updated,
        OperationType::Purchased,
        OperationType::Reimbursed,
        OperationType::Refunded,
        OperationType::Reverted,
    ];

    /// Its number on the wire (`1` Allocated … `6` Reverted).
    pub fn code(self) -> u8 {
        match self {
            OperationType::Allocated => 1,
            OperationType::Updated => 2,
            OperationType::Purchased => 3,
            OperationType::Reimbursed => 4,
            OperationType::Refunded => 5,
            OperationType::Reverted => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<OperationType> {
        OperationType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Its name, as that platform's admin writes it.
    pub fn name(self) -> &'static str {
        match self {
            OperationType::Allocated => "Allocated",
            OperationType::Updated => "Updated",
            OperationType::Purchased => "Purchased",
            OperationType::Reimbursed => "Reimbursed",
            OperationType::Refunded => "Refunded",
            OperationType::Reverted => "Reverted",
        }
    }
}

impl TryFrom<u8> for OperationType {
    type Error = String;

    fn try_from(code: u8) -> Result<OperationType, String> {
        OperationType::from_code(code)
            .ok_or_else(|| format!("{code} is not an operation type (1-6)"))
    }
}

impl From<OperationType> for u8 {
    fn from(operation: OperationType) -> u8 {
        operation.code()
    }
}

/// How an entry kind's operation type is found when the entry was given none: one row of
/// the module's table per kind. [`operation_types`] evaluates it; storage writes the same
/// rows as SQL (and is tested against this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeRule {
    /// Always this type.
    Always(OperationType),
    /// `first` for the account's first entry of the kind given no type, `later` after it.
    First {
        first: OperationType,
        later: OperationType,
    },
    /// `positive` when the entry's value is above zero, `otherwise` when not.
    BySign {
        positive: OperationType,
        otherwise: OperationType,
    },
}

/// The module's table: the rule of each entry kind.
pub fn type_rule(kind: EntryKind) -> TypeRule {
    use OperationType as T;
    match kind {
        EntryKind::CreditLimitChanged => TypeRule::First {
            first: T::Allocated,
            later: T::Updated,
        },
        EntryKind::ToleranceChanged
        | EntryKind::WriteOff
        | EntryKind::Interest
        | EntryKind::InterestTax => TypeRule::Always(T::Updated),
        EntryKind::Settlement | EntryKind::ManualDebit => TypeRule::Always(T::Purchased),
        EntryKind::ManualCredit | EntryKind::InvoicePaid => TypeRule::Always(T::Reimbursed),
        EntryKind::SettlementChanged => TypeRule::BySign {
            positive: T::Refunded,
            otherwise: T::Purchased,
        },
        EntryKind::Refund => TypeRule::Always(T::Refunded),
        EntryKind::InvoiceCancelled
        | EntryKind::PaymentReversed
        | EntryKind::WriteOffReversed
        | EntryKind::InterestReversed
        | EntryKind::InterestTaxReversed => TypeRule::Always(T::Reverted),
    }
}

/// The operation type of each of an account's `entries` (in the book's order): the one it
/// was given, else its kind's [`type_rule`].
pub fn operation_types(entries: &[Entry]) -> Vec<OperationType> {
    let mut seen: Vec<EntryKind> = Vec::new();
    entries
        .iter()
        .map(|entry| {
            if let Some(operation) = entry.operation {
                return operation;
            }
            match type_rule(entry.kind) {
                TypeRule::Always(operation) => operation,
                TypeRule::First { later, .. } if seen.contains(&entry.kind) => later,
                TypeRule::First { first, .. } => {
                    seen.push(entry.kind);
                    first
                }
                TypeRule::BySign { positive, .. } if entry.value.is_positive() => positive,
                TypeRule::BySign { otherwise, .. } => otherwise,
            }
        })
        .collect()
}

/// A refusal in that platform's error shape: a message with `%1`, `%2`… standing for its
/// parameters (the API answers `{"message", "parameters"}` with status 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: &'static str,
    pub parameters: Vec<String>,
}

impl Refusal {
    pub(crate) fn new(message: &'static str, parameters: &[&str]) -> Refusal {
        Refusal {
            message,
            parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
        }
    }
}

impl std::fmt::Display for Refusal {
    /// The message with its parameters put in.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = self.message.to_owned();
        for (n, parameter) in self.parameters.iter().enumerate().rev() {
            text = text.replace(&format!("%{}", n + 1), parameter);
        }
        f.write_str(&text)
    }
}

impl std::error::Error for Refusal {}

/// The fields of a company credit, as its list searches and sorts them.
pub const CREDIT_FIELDS: &[Field] = &[
    Field {
        name: "id",
        kind: Kind::Integer,
    },
    Field {
        name: "company_id",
        kind: Kind::Integer,
    },
    Field {
        name: "credit_limit",
        kind: Kind::Number,
    },
    Field {
        name: "balance",
        kind: Kind::Number,
    },
    Field {
        name: "currency_code",
        kind: Kind::Text,
    },
    Field {
        name: "exceed_limit",
        kind: Kind::Boolean,
    },
    Field {
        name: "available_limit",
        kind: Kind::Number,
    },
    Field {
        name: "credit_comment",
        kind: Kind::Text,
    },
];

/// The fields of a history entry, as its list searches and sorts them.
pub const HISTORY_FIELDS: &[Field] = &[
    Field {
        name: "id",
        kind: Kind::Integer,
    },
    Field {
        name: "company_credit_id",
        kind: Kind::Integer,
    },
    Field {
        name: "user_id",
        kind: Kind::Integer,
    },
    Field {
        name: "user_type",
        kind: Kind::Integer,
    },
    Field {
        name: "currency_credit",
        kind: Kind::Text,
    },
    Field {
        name: "currency_operation",
        kind: Kind::Text,
    },
    Field {
        name: "rate",
        kind: Kind::Number,
    },
    Field {
        name: "rate_credit",
        kind: Kind::Number,
    },
    Field {
        name: "amount",
        kind: Kind::Number,
    },
    Field {
        name: "balance",
        kind: Kind::Number,
    },
    Field {
        name: "credit_limit",
        kind: Kind::Number,
    },
    Field {
        name: "available_limit",
        kind: Kind::Number,
    },
    Field {
        name: "type",
        kind: Kind::Integer,
    },
    Field {
        name: "datetime",
        kind: Kind::Text,
    },
    Field {
        name: "purchase_order",
        kind: Kind::Text,
    },
    Field {
        name: "comment",
        kind: Kind::Text,
    },
];

/// Most characters of a comment, and of a purchase order number.
pub const COMMENT_CHARS_MAX: usize = 255;
pub const PURCHASE_ORDER_CHARS_MAX: usize = 64;
/// A purchase order (or order increment) is an identifier: one line, nothing invisible.
pub const PURCHASE_ORDER_RULE: TextRule =
    TextRule::new(TextKind::Identifier, PURCHASE_ORDER_CHARS_MAX as u32);
/// A comment is free text over lines.
pub const COMMENT_RULE: TextRule = TextRule::new(TextKind::Lines, COMMENT_CHARS_MAX as u32);

/// Which way a balance operation moves the company's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceChange {
    /// `increaseBalance`: more credit available (what is owed shrinks).
    Increase,
    /// `decreaseBalance`: less credit available (what is owed grows).
    Decrease,
}

impl BalanceChange {
    /// The operation types it may carry, as the reference lists them.
    pub fn operation_types(self) -> &'static [OperationType] {
        match self {
            BalanceChange::Increase => &[
                OperationType::Allocated,
                OperationType::Updated,
                OperationType::Reimbursed,
                OperationType::Refunded,
                OperationType::Reverted,
            ],
            BalanceChange::Decrease => &[
                OperationType::Updated,
                OperationType::Purchased,
                OperationType::Reimbursed,
            ],
        }
    }

    fn name(self) -> &'static str {
        match self {
            BalanceChange::Increase => "increase",
            BalanceChange::Decrease => "decrease",
        }
    }
}

/// An `increaseBalance` / `decreaseBalance` body, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceOperation {
    pub change: BalanceChange,
    /// More than zero.
    pub value: Money,
    pub currency: Currency,
    pub operation: OperationType,
    pub comment: Option<String>,
    pub purchase_order: Option<String>,
    pub order_increment: Option<String>,
}

/// `field`'s text, if given and not empty (a number is its text, as ERPs send purchase
/// orders), at most `chars_max` characters.
fn optional_text(
    object: &Map<String, Value>,
    field: &'static str,
    rule: TextRule,
) -> Result<Option<String>, Refusal> {
    let text = match object.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(Refusal::new("%1 must be text.", &[field])),
    };
    match crate::text::check(&text, rule) {
        Ok(()) => Ok(Some(text).filter(|t| !t.is_empty())),
        Err(TextError::TooLong { max_chars }) => Err(Refusal::new(
            "%1 is longer than %2 characters.",
            &[field, &max_chars.to_string()],
        )),
        Err(why) => Err(Refusal::new("%1 %2.", &[field, &why.to_string()])),
    }
}

/// A whole number given as a JSON number or numeric string.
fn whole_number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// An id repeated in the body (as clients do) must be the path's.
fn same_id(object: &Map<String, Value>, field: &'static str, path_id: i64) -> Result<(), Refusal> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(value) if whole_number(value) == Some(path_id) => Ok(()),
        Some(value) => Err(Refusal::new(
            "%1 %2 in the body is not %3, the one of the path.",
            &[field, &value.to_string(), &path_id.to_string()],
        )),
    }
}

fn required<'a>(object: &'a Map<String, Value>, field: &'static str) -> Result<&'a Value, Refusal> {
    match object.get(field) {
        None | Some(Value::Null) => Err(Refusal::new(
            "\"%1\" is required. Enter and try again.",
            &[field],
        )),
        Some(value) => Ok(value),
    }
}

fn currency_of(value: &Value, field: &'static str) -> Result<Currency, Refusal> {
    value
        .as_str()
        .map(str::trim)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            Refusal::new(
                "%1 \"%2\" is not a currency code; write three letters, such as USD.",
                &[field, value.as_str().unwrap_or(&value.to_string())],
            )
        })
}

fn object_of(body: &Value) -> Result<&Map<String, Value>, Refusal> {
    body.as_object()
        .ok_or_else(|| Refusal::new("The request body must be a JSON object.", &[]))
}

impl BalanceOperation {
    /// Reads a balance operation's body for the credit `credit_id` (a `creditId` repeated in
    /// the body must be it): `value` more than zero (a number or numeric string, at most 2
    /// decimals), `currency`, `operationType` among those `change` allows, `comment` and
    /// `options` (all, some or none of `purchase_order`, `order_increment`, `currency_display`,
    /// `currency_base`; the last two are not kept). Other fields are ignored.
    pub fn read(
        change: BalanceChange,
        credit_id: i64,
        body: &Value,
    ) -> Result<BalanceOperation, Refusal> {
        let object = object_of(body)?;
        same_id(object, "creditId", credit_id)?;
        let value = Money::from_json(required(object, "value")?)
            .map_err(|e| Refusal::new("%1 %2.", &["value", &e.to_string()]))?;
        if !value.is_positive() {
            return Err(Refusal::new(
                "value must be more than 0; it is %1.",
                &[&value.to_string()],
            ));
        }
        let currency = currency_of(required(object, "currency")?, "currency")?;
        let given = required(object, "operationType")?;
        let operation = whole_number(given)
            .and_then(|n| u8::try_from(n).ok())
            .and_then(OperationType::from_code)
            .ok_or_else(|| {
                Refusal::new(
                    "operationType %1 is not an operation type: 1 Allocated, 2 Updated, 3 Purchased, 4 Reimbursed, 5 Refunded or 6 Reverted.",
                    &[&given.to_string()],
                )
            })?;
        if !change.operation_types().contains(&operation) {
            let allowed: Vec<String> = change
                .operation_types()
                .iter()
                .map(|t| format!("{} {}", t.code(), t.name()))
                .collect();
            return Err(Refusal::new(
                "operationType %1 (%2) cannot %3 the balance; use %4.",
                &[
                    &operation.code().to_string(),
                    operation.name(),
                    change.name(),
                    &allowed.join(", "),
                ],
            ));
        }
        let comment = optional_text(object, "comment", COMMENT_RULE)?;
        let empty = Map::new();
        let options = match object.get("options") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(options)) => options,
            Some(_) => return Err(Refusal::new("options must be an object.", &[])),
        };
        Ok(BalanceOperation {
            change,
            value,
            currency,
            operation,
            comment,
            purchase_order: optional_text(options, "purchase_order", PURCHASE_ORDER_RULE)?,
            order_increment: optional_text(options, "order_increment", PURCHASE_ORDER_RULE)?,
        })
    }
}

/// A `PUT /V1/companyCredits/{id}` body (`{"creditLimit": {...}}`), read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLimitUpdate {
    /// `None`: unchanged.
    pub credit_limit: Option<Money>,
    pub currency: Currency,
    pub exceed_limit: Option<bool>,
    pub comment: Option<String>,
    /// A `company_id` given (the caller checks it is the account's).
    pub company_id: Option<i64>,
    /// The read-only fields that were given, and so ignored (`balance`, `available_limit`, …).
    pub ignored: Vec<String>,
}

/// The fields of `creditLimit` that are read; the others are ignored and listed.
const CREDIT_LIMIT_READ: [&str; 6] = [
    "id",
    "company_id",
    "credit_limit",
    "currency_code",
    "exceed_limit",
    "credit_comment",
];

/// A boolean as clients send it: `true`/`false`, `1`/`0`, or those as text.
fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

impl CreditLimitUpdate {
    /// Reads the body for the credit `credit_id` (an `id` given must be it): `currency_code`
    /// required; `credit_limit` (at least 0), `exceed_limit`, `credit_comment` and
    /// `company_id` when given; read-only and unknown fields ignored and listed.
    pub fn read(credit_id: i64, body: &Value) -> Result<CreditLimitUpdate, Refusal> {
        let outer = object_of(body)?;
        let object = match required(outer, "creditLimit")? {
            Value::Object(object) => object,
            _ => return Err(Refusal::new("creditLimit must be an object.", &[])),
        };
        same_id(object, "id", credit_id)?;
        let company_id = match object.get("company_id") {
            None | Some(Value::Null) => None,
            Some(value) => Some(whole_number(value).ok_or_else(|| {
                Refusal::new(
                    "company_id %1 is not a whole number.",
                    &[&value.to_string()],
                )
            })?),
        };
        let credit_limit = match object.get("credit_limit") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                Money::non_negative_from_json(value)
                    .map_err(|e| Refusal::new("%1 %2.", &["credit_limit", &e.to_string()]))?,
            ),
        };
        let exceed_limit = match object.get("exceed_limit") {
            None | Some(Value::Null) => None,
            Some(value) => Some(flag(value).ok_or_else(|| {
                Refusal::new(
                    "exceed_limit %1 is not true or false.",
                    &[&value.to_string()],
                )
            })?),
        };
        let mut ignored: Vec<String> = object
            .keys()
            .filter(|k| !CREDIT_LIMIT_READ.contains(&k.as_str()))
            .cloned()
            .collect();
        ignored.sort();
        Ok(CreditLimitUpdate {
            credit_limit,
            currency: currency_of(required(object, "currency_code")?, "currency_code")?,
            exceed_limit,
            comment: optional_text(object, "credit_comment", COMMENT_RULE)?,
            company_id,
            ignored,
        })
    }
}

/// A `PUT /V1/companyCredits/history/{historyId}` body, read: what changes (`None`: kept; an
/// empty text is no change, as every optional text of the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryUpdate {
    pub purchase_order: Option<String>,
    pub comment: Option<String>,
}

impl HistoryUpdate {
    /// Reads the body for the entry `history_id` (a `historyId` given must be it).
    pub fn read(history_id: i64, body: &Value) -> Result<HistoryUpdate, Refusal> {
        let object = object_of(body)?;
        same_id(object, "historyId", history_id)?;
        Ok(HistoryUpdate {
            purchase_order: optional_text(object, "purchaseOrder", PURCHASE_ORDER_RULE)?,
            comment: optional_text(object, "comment", COMMENT_RULE)?,
        })
    }
}

impl HistoryUpdate {
    /// Puts the update on the account's entry `index` (of its `entries` in book order): only a
    /// Reimbursed entry may be edited, as the reference says; what is left out is kept.
    pub fn apply(&self, entries: &mut [Entry], index: usize) -> Result<(), Refusal> {
        let operation = operation_types(entries)[index];
        if operation != OperationType::Reimbursed {
            return Err(Refusal::new(
                "Only a Reimbursed history entry can be edited; this one is %1 (%2).",
                &[&operation.code().to_string(), operation.name()],
            ));
        }
        let entry = &mut entries[index];
        if self.purchase_order.is_some() {
            entry.purchase_order = self.purchase_order.clone();
        }
        if self.comment.is_some() {
            entry.reason = self.comment.clone();
        }
        Ok(())
    }
}

/// One line of a company's credit history: an entry's operation type, its amount (signed:
/// positive gives the company credit back, negative takes it), and the figures after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLine {
    pub operation: OperationType,
    pub amount: Money,
    /// What the company's credit stands at: negative when it owes (that platform's sign, and
    /// the Customer Credit API's balance).
    pub balance: Money,
    pub credit_limit: Money,
    /// `credit_limit + balance`.
    pub available_limit: Money,
}

/// The history lines of an account's `entries` (in the book's order): each entry's operation
/// type (the module's table) with the balance and limit it leaves. Limit changes move the
/// limit and not the balance; tolerance changes neither (that platform has no tolerance).
pub fn history_lines(entries: &[Entry]) -> Vec<HistoryLine> {
    let mut balance_minor: i64 = 0;
    let mut limit_minor: i64 = 0;
    entries
        .iter()
        .zip(operation_types(entries))
        .map(|(entry, operation)| {
            balance_minor = balance_minor.saturating_add(entry.balance_effect());
            if entry.kind == EntryKind::CreditLimitChanged {
                limit_minor = limit_minor.saturating_add(entry.value.minor());
            }
            HistoryLine::after(operation, entry.value, balance_minor, limit_minor)
        })
        .collect()
}

impl HistoryLine {
    /// The line of an entry of `operation` and `amount` that leaves the balance and the limit
    /// at these (minor units; storage sums them in SQL): what is available is their sum.
    pub fn after(
        operation: OperationType,
        amount: Money,
        balance_minor: i64,
        limit_minor: i64,
    ) -> HistoryLine {
        HistoryLine {
            operation,
            amount,
            balance: Money::saturating_from_minor(balance_minor),
            credit_limit: Money::saturating_from_minor(limit_minor),
            available_limit: Money::saturating_from_minor(
                limit_minor.saturating_add(balance_minor),
            ),
        }
    }
}

// ----- the model: an account's numbers and terms in this API ---------------------------------

/// The largest credit or company id: they are 32-bit signed integers on that platform.
pub const ID_MAX: u32 = i32::MAX as u32;

/// What one of this API's whole-number ids numbers (its name in messages).
pub trait Numbers: Copy + Ord + std::hash::Hash + std::fmt::Debug {
    const WHAT: &'static str;
}

/// Credit ids: see [`CreditId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Credits {}

/// Company ids: see [`CompanyId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Companies {}

impl Numbers for Credits {
    const WHAT: &'static str = "a credit id";
}

impl Numbers for Companies {
    const WHAT: &'static str = "a company id";
}

/// A positive id of this API (1 ..= [`ID_MAX`]), of the kind `K` numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Number<K: Numbers>(u32, std::marker::PhantomData<K>);

/// An account's number in this API (`id` of a company credit): given by storage (or the
/// browser's memory) when the account is first written, in increasing order, never reused.
pub type CreditId = Number<Credits>;

/// The company an account belongs to (`company_id`): the credit id unless the store gives its
/// own (`companyId` when opening or upserting); one account per company.
pub type CompanyId = Number<Companies>;

impl<K: Numbers> Number<K> {
    pub fn get(self) -> u32 {
        self.0
    }

    /// A JSON number or numeric string (`company_id` as clients send it).
    pub fn from_json(value: &Value) -> Result<Number<K>, String> {
        whole_number(value)
            .and_then(|n| u32::try_from(n).ok())
            .map_or_else(|| Number::try_from(0), Number::try_from)
    }
}

impl<K: Numbers> TryFrom<u32> for Number<K> {
    type Error = String;

    fn try_from(n: u32) -> Result<Number<K>, String> {
        if (1..=ID_MAX).contains(&n) {
            Ok(Number(n, std::marker::PhantomData))
        } else {
            Err(format!(
                "{} must be a whole number from 1 to {ID_MAX}",
                K::WHAT
            ))
        }
    }
}

impl<K: Numbers> std::str::FromStr for Number<K> {
    type Err = String;

    /// Digits only, as a path segment carries the id.
    fn from_str(text: &str) -> Result<Number<K>, String> {
        let n = text
            .parse::<u32>()
            .map_err(|_| format!("{} must be a whole number from 1 to {ID_MAX}", K::WHAT))?;
        Number::try_from(n)
    }
}

impl<K: Numbers> From<Number<K>> for u32 {
    fn from(id: Number<K>) -> u32 {
        id.0
    }
}

impl<K: Numbers> std::fmt::Display for Number<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl CompanyId {
    /// The company id an account gets when the store gives none.
    pub fn of_credit(credit: CreditId) -> CompanyId {
        Number(credit.0, std::marker::PhantomData)
    }
}

/// Whether the account's new credit may go past its limit (and tolerance): that platform's
/// `exceed_limit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExceedLimit {
    /// Today's rule: a hold must fit in the available credit.
    #[default]
    Refused,
    /// Holds and debits are not checked against the limit or the tolerance at all; every other
    /// rule (an open account, the overdue hold, the currency) still holds.
    Allowed,
}

impl ExceedLimit {
    pub fn from_flag(allowed: bool) -> ExceedLimit {
        if allowed {
            ExceedLimit::Allowed
        } else {
            ExceedLimit::Refused
        }
    }

    pub fn allowed(self) -> bool {
        self == ExceedLimit::Allowed
    }
}

/// An account's terms in this API. Books from before it (older dumps) get the default: no
/// numbers yet (the store's memory or storage gives them), the store's currency, the limit kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyTerms {
    /// `None` until the account is first stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_id: Option<CreditId>,
    /// As the store asked; `None` until stored when it asked none (then the credit id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<CompanyId>,
    /// `None`: the store's currency (`currency` of its configuration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub exceed_limit: ExceedLimit,
    /// `credit_comment`: the last comment given with a limit update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl CompanyTerms {
    /// Gives a new account its numbers: `credit`, and the company id asked or else `credit`'s.
    pub fn number(&mut self, credit: CreditId) {
        self.credit_id = Some(credit);
        self.company_id.get_or_insert(CompanyId::of_credit(credit));
    }

    /// The account's currency: its own, or the store's.
    pub fn currency_or<'a>(&'a self, store: &'a Currency) -> &'a Currency {
        self.currency.as_ref().unwrap_or(store)
    }
}

// ----- the credit as this API shows it ---------------------------------------------------------

/// A company credit (`GET /V1/companyCredits/{id}` and the list's items): the account's limit
/// and ledger balance in that platform's names. `balance` is negative while the company owes
/// (its sign in that API and in the Customer Credit API alike); `available_limit =
/// credit_limit + balance`. Pre-authorizations not yet settled are in neither (the Customer
/// Credit API shows them as `preAuthorizedCredit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditView {
    pub id: CreditId,
    pub company_id: CompanyId,
    pub credit_limit: Money,
    pub balance: Money,
    pub currency_code: Currency,
    pub exceed_limit: bool,
    pub available_limit: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_comment: Option<String>,
}

impl CreditView {
    /// The account's credit, with `store_currency` where the account has none of its own;
    /// `None` for an account not stored yet (it has no numbers).
    pub fn of(account: &crate::account::Account, store_currency: &Currency) -> Option<CreditView> {
        let terms = &account.company;
        Some(CreditView {
            id: terms.credit_id?,
            company_id: terms.company_id?,
            credit_limit: account.credit_limit,
            balance: account.balance,
            currency_code: terms.currency_or(store_currency).clone(),
            exceed_limit: terms.exceed_limit.allowed(),
            available_limit: Money::saturating_from_minor(
                account.credit_limit.minor() + account.balance.minor(),
            ),
            credit_comment: terms.comment.clone(),
        })
    }
}

impl crate::search_criteria::Record for CreditView {
    fn cell(&self, field: &str) -> Option<crate::search_criteria::Value> {
        use crate::search_criteria::Value as Cell;
        Some(match field {
            "id" => Cell::Integer(self.id.get().into()),
            "company_id" => Cell::Integer(self.company_id.get().into()),
            "credit_limit" => Cell::Number(self.credit_limit.amount()),
            "balance" => Cell::Number(self.balance.amount()),
            "currency_code" => Cell::Text(self.currency_code.as_str().to_owned()),
            "exceed_limit" => Cell::Boolean(self.exceed_limit),
            "available_limit" => Cell::Number(self.available_limit.amount()),
            "credit_comment" => Cell::Text(self.credit_comment.clone()?),
            _ => return None,
        })
    }

    fn id(&self) -> i64 {
        self.id.get().into()
    }
}

/// `PUT /V1/companyCredits/{id}` on the account's book: the limit (with `credit_comment` as
/// the change's reason, recorded as every limit change is), `exceed_limit`, and the currency —
/// which may change only while the account owes and holds nothing (no conversion: an amount
/// in one currency is never read as another's). Checks everything before changing anything.
pub fn update_credit(
    book: &mut crate::book::Book,
    update: &CreditLimitUpdate,
    ctx: &crate::book::Ctx,
) -> Result<(), crate::CreditError> {
    let terms = &book.account.company;
    if let Some(asked) = update.company_id {
        let company = terms.company_id.map(|c| i64::from(c.get()));
        if company != Some(asked) {
            return Err(crate::CreditError::field(
                "company_id",
                format!(
                    "{asked} is not this credit's company ({}); a company id is changed through the Customer Credit API",
                    company.map_or("none".to_owned(), |c| c.to_string())
                ),
            ));
        }
    }
    let current = terms.currency_or(ctx.config.currency()).clone();
    if update.currency != current {
        let held = book.pre_authorized(ctx.now);
        if book.account.balance != Money::ZERO || held != Money::ZERO {
            return Err(crate::CreditError::CurrencyInUse {
                currency: current,
                asked: update.currency.clone(),
            });
        }
    }
    book.account.company.currency = Some(update.currency.clone());
    if let Some(allowed) = update.exceed_limit {
        book.account.company.exceed_limit = ExceedLimit::from_flag(allowed);
    }
    if update.comment.is_some() {
        book.account.company.comment = update.comment.clone();
    }
    if let Some(limit) = update.credit_limit {
        let change = crate::commands::Change {
            value: limit,
            reason: update.comment.clone(),
        };
        book.change_credit_limit(&change, ctx);
    }
    book.account.updated_at = ctx.now;
    Ok(())
}

// ----- the history as this API shows it --------------------------------------------------------

/// That platform's user type of whoever made an entry: every Creditdesk actor is an API key
/// or the server itself, an integration.
pub const USER_TYPE_INTEGRATION: u8 = 1;

/// One history entry (`GET /V1/companyCredits/history`'s items): a ledger entry with its
/// history line. `id` is the entry's number in storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub id: i64,
    pub company_credit_id: CreditId,
    /// Creditdesk's actors are API keys, not numbered users: 0.
    pub user_id: u32,
    pub user_type: u8,
    pub currency_credit: Currency,
    pub currency_operation: Currency,
    /// No conversion: 1.
    pub rate: crate::rate::Rate,
    pub rate_credit: crate::rate::Rate,
    pub amount: Money,
    pub balance: Money,
    pub credit_limit: Money,
    pub available_limit: Money,
    #[serde(rename = "type")]
    pub operation: u8,
    /// `YYYY-MM-DD HH:MM:SS` in UTC, as that platform writes it.
    pub datetime: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A page of a list of this API (`{items, search_criteria, total_count}`), as it writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResults<T> {
    pub items: Vec<T>,
    pub search_criteria: crate::search_criteria::Echo,
    pub total_count: u64,
}

impl<T: crate::search_criteria::Record> SearchResults<T> {
    /// The page of `records` that `criteria` select, with the criteria echoed.
    pub fn of(
        criteria: &crate::search_criteria::SearchCriteria,
        records: impl IntoIterator<Item = T>,
    ) -> SearchResults<T> {
        let (items, total_count) = criteria.page(records);
        SearchResults {
            items,
            search_criteria: criteria.echo(),
            total_count,
        }
    }
}

/// A page of history (`GET /V1/companyCredits/history`), as the admin reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HistoryList {
    pub items: Vec<HistoryView>,
    pub total_count: u64,
}

/// The history of one account: its `entries` in the book's order, each with its number in
/// storage (`ids`, the same length), in the account's currency.
pub fn history_views(
    credit: CreditId,
    currency: &Currency,
    entries: &[Entry],
    ids: &[i64],
) -> Vec<HistoryView> {
    assert_eq!(entries.len(), ids.len(), "an id for every entry");
    history_lines(entries)
        .iter()
        .zip(entries.iter().zip(ids))
        .map(|(line, (entry, id))| HistoryView::of(*id, credit, currency, line, entry))
        .collect()
}

impl HistoryView {
    /// The item of `entry`, numbered `id`, of the credit `credit` in `currency`, with its
    /// history `line`.
    pub fn of(
        id: i64,
        credit: CreditId,
        currency: &Currency,
        line: &HistoryLine,
        entry: &Entry,
    ) -> HistoryView {
        let one = crate::rate::Rate::ONE;
        HistoryView {
            id,
            company_credit_id: credit,
            user_id: 0,
            user_type: USER_TYPE_INTEGRATION,
            currency_credit: currency.clone(),
            currency_operation: currency.clone(),
            rate: one,
            rate_credit: one,
            amount: line.amount,
            balance: line.balance,
            credit_limit: line.credit_limit,
            available_limit: line.available_limit,
            operation: line.operation.code(),
            datetime: entry.at.date_time_text(),
            purchase_order: entry.purchase_order.clone(),
            comment: entry.reason.clone(),
        }
    }
}

/// The history of `account` (its `entries` in book order, numbered by `ids`), in its currency
/// or else the store's; none for an account not numbered yet.
pub fn account_history(
    account: &crate::account::Account,
    store_currency: &Currency,
    entries: &[Entry],
    ids: &[i64],
) -> Vec<HistoryView> {
    match account.company.credit_id {
        Some(credit) => history_views(
            credit,
            account.company.currency_or(store_currency),
            entries,
            ids,
        ),
        None => Vec::new(),
    }
}

/// The credits a history search is narrowed to, when one of its groups pins
/// `company_credit_id` ([`crate::search_criteria::SearchCriteria::among`]): what storage reads.
pub fn credits_among(criteria: &crate::search_criteria::SearchCriteria) -> Option<Vec<CreditId>> {
    use crate::search_criteria::Value as Cell;
    let values = criteria.among("company_credit_id")?;
    let credit = |value: &Cell| match value {
        Cell::Integer(n) => u32::try_from(*n)
            .ok()
            .and_then(|n| CreditId::try_from(n).ok()),
        _ => None,
    };
    Some(values.iter().filter_map(credit).collect())
}

impl crate::search_criteria::Record for HistoryView {
    fn cell(&self, field: &str) -> Option<crate::search_criteria::Value> {
        use crate::search_criteria::Value as Cell;
        Some(match field {
            "id" => Cell::Integer(self.id),
            "company_credit_id" => Cell::Integer(self.company_credit_id.get().into()),
            "user_id" => Cell::Integer(self.user_id.into()),
            "user_type" => Cell::Integer(self.user_type.into()),
            "currency_credit" => Cell::Text(self.currency_credit.as_str().to_owned()),
            "currency_operation" => Cell::Text(self.currency_operation.as_str().to_owned()),
            "rate" => Cell::Number(self.rate.fraction()),
            "rate_credit" => Cell::Number(self.rate_credit.fraction()),
            "amount" => Cell::Number(self.amount.amount()),
            "balance" => Cell::Number(self.balance.amount()),
            "credit_limit" => Cell::Number(self.credit_limit.amount()),
            "available_limit" => Cell::Number(self.available_limit.amount()),
            "type" => Cell::Integer(self.operation.into()),
            "datetime" => Cell::Text(self.datetime.clone()),
            "purchase_order" => Cell::Text(self.purchase_order.clone()?),
            "comment" => Cell::Text(self.comment.clone()?),
            _ => return None,
        })
    }

    fn id(&self) -> i64 {
        self.id
    }
}
