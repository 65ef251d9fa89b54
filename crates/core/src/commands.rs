//! Command inputs, read from request bodies with every field's error named.
//!
//! Each reader declares its fields (`FIELDS`); it reads only those. Unknown top-level fields are
//! ignored — integrations post whole objects back — and the server lists them in the
//! `Creditdesk-Ignored-Fields` header, or refuses them when started with `--unknown-fields
//! refuse`. `null` and `""` mean absent. Values stay strict: a wrong one is refused, naming its
//! field.

use serde_json::Value;

use crate::company::CompanyId;
use crate::fields::{parse, Fields};
use crate::ids::{AccountId, Document, DocumentType, Email};
use crate::installments::INSTALLMENTS_MAX;
use crate::invoice::InvoiceStatus;
use crate::money::Money;
use crate::rate::Rate;
use crate::store_config::POSTPONEMENT_DAYS_MAX;
use crate::timestamp::Timestamp;
use crate::transaction::HOLD_DAYS_MAX;
use crate::validation::ValidationErrors;

/// Most characters of the reason given for a limit or tolerance change.
/// The rule of each free-text field the API reads: the readers below and the check of a book
/// read whole from a dump or an import (`memory::check_book`) hold text to the same.
pub mod rules {
    use crate::text::{TextKind, TextRule};

    pub const DESCRIPTION: TextRule =
        TextRule::new(TextKind::Lines, crate::account::DESCRIPTION_CHARS_MAX);
    pub const REASON: TextRule = TextRule::new(TextKind::Lines, super::REASON_CHARS_MAX);
    pub const ORDER_ID: TextRule =
        TextRule::new(TextKind::Identifier, crate::transaction::ORDER_ID_CHARS_MAX);
    pub const OBSERVATION: TextRule =
        TextRule::new(TextKind::Lines, crate::invoice::OBSERVATION_CHARS_MAX);
    /// Then an `http(s)://` URL with a host ([`super::web_url`]).
    pub const WEB_URL: TextRule =
        TextRule::new(TextKind::Identifier, crate::invoice::PAYMENT_LINK_CHARS_MAX);
    pub const CREDIT_REFERENCE: TextRule =
        TextRule::new(TextKind::Identifier, crate::credit::REFERENCE_CHARS_MAX);
}

pub const REASON_CHARS_MAX: u32 = 500;

/// `POST /accounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAccount {
    pub document: Document,
    pub document_type: DocumentType,
    pub email: Email,
    pub credit_limit: Money,
    pub tolerance: Rate,
    pub description: Option<String>,
    /// Extension: the company id the store gives the account in the company-credit API
    /// (`None`: its credit id).
    pub company_id: Option<CompanyId>,
}

/// The fields of an account's body (`POST /accounts`, `PUT /accounts/{id}`).
pub const ACCOUNT_FIELDS: &[&str] = &[
    "document",
    "documentType",
    "email",
    "creditLimit",
    "tolerance",
    "description",
    "companyId",
];

impl OpenAccount {
    pub const FIELDS: &'static [&'static str] = ACCOUNT_FIELDS;

    /// `tolerance` and `description` may be left out (0 and none).
    pub fn from_json(body: &Value) -> Result<OpenAccount, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let document = f.required("document", parse::from_str);
        let document_type = f.required("documentType", parse::from_str);
        let email = f.required("email", parse::from_str);
        let credit_limit = f.required("creditLimit", parse::non_negative_money);
        let tolerance = f.optional("tolerance", parse::rate);
        let description = f.optional("description", |v| parse::text(v, rules::DESCRIPTION));
        let company_id = f.optional("companyId", CompanyId::from_json);
        f.finish(|| {
            Some(OpenAccount {
                document: document?,
                document_type: document_type?,
                email: email?,
                credit_limit: credit_limit?,
                tolerance: tolerance.unwrap_or(Rate::ZERO),
                description,
                company_id,
            })
        })
    }

    pub fn account_id(&self) -> AccountId {
        AccountId::new(&self.document, &self.document_type)
    }
}

/// `PUT /accounts/{id}`: create or update. Limit and tolerance left out keep their value (0 for
/// a new account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertAccount {
    pub email: Email,
    pub credit_limit: Option<Money>,
    pub tolerance: Option<Rate>,
    pub description: Option<String>,
    /// Extension: a new company id (`None`: kept; the credit id for a new account).
    pub company_id: Option<CompanyId>,
}

impl UpsertAccount {
    pub const FIELDS: &'static [&'static str] = ACCOUNT_FIELDS;

    /// `document` and `documentType` may be left out (the id in the path has them); given, they
    /// must make that id.
    pub fn from_json(body: &Value, id: &AccountId) -> Result<UpsertAccount, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let (id_document, id_type) = id.parts();
        let document: Document = f
            .optional("document", parse::from_str)
            .unwrap_or(id_document);
        let document_type: DocumentType = f
            .optional("documentType", parse::from_str)
            .unwrap_or(id_type);
        let email = f.required("email", parse::from_str);
        let credit_limit = f.optional("creditLimit", parse::non_negative_money);
        let tolerance = f.optional("tolerance", parse::rate);
        let description = f.optional("description", |v| parse::text(v, rules::DESCRIPTION));
        let company_id = f.optional("companyId", CompanyId::from_json);
        if AccountId::new(&document, &document_type) != *id {
            f.push(
                "document",
                format!("document and documentType must make the account id {id}"),
            );
        }
        f.finish(|| {
            Some(UpsertAccount {
                email: email?,
                credit_limit,
                tolerance,
                description,
                company_id,
            })
        })
    }
}

/// The fields of a limit or tolerance change.
pub const CHANGE_FIELDS: &[&str] = &["value", "reason"];

/// `PUT /accounts/{id}/creditlimit` (and, with a rate, `/tolerance`): `{value, reason?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<T> {
    pub value: T,
    pub reason: Option<String>,
}

impl Change<Money> {
    pub fn credit_limit_from_json(body: &Value) -> Result<Change<Money>, ValidationErrors> {
        Self::read(body, parse::non_negative_money)
    }
}

impl Change<Rate> {
    pub fn tolerance_from_json(body: &Value) -> Result<Change<Rate>, ValidationErrors> {
        Self::read(body, parse::rate)
    }
}

impl<T> Change<T> {
    fn read(
        body: &Value,
        value: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Result<Change<T>, ValidationErrors> {
        let mut f = Fields::new(body, CHANGE_FIELDS);
        let value = f.required("value", value);
        let reason = f.optional("reason", |v| parse::text(v, rules::REASON));
        f.finish(|| {
            Some(Change {
                value: value?,
                reason,
            })
        })
    }
}

/// Days an unsettled hold lasts when its body gives no `expirationDate`: the earlier reference's
/// default ("optional, default is 1 (one) day").
pub const UNSETTLED_HOLD_DAYS_DEFAULT: u32 = 1;

/// `POST /accounts/{id}/transactions`. Clients written to the earlier reference send only
/// `{value}`: as that reference documents, `settle` defaults to `false`, `installments` to 1 and
/// `expirationDate` (when not settling) to 1 day after creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateHold {
    pub value: Money,
    pub settle: bool,
    pub installments: u16,
    /// When `settle` is false, 1 day after creation when left out; otherwise 30 days after
    /// creation when left out.
    pub expiration: Option<Timestamp>,
    pub order_id: Option<String>,
}

impl CreateHold {
    pub const FIELDS: &'static [&'static str] = &[
        "value",
        "settle",
        "installments",
        "expirationDate",
        "orderId",
    ];

    pub fn from_json(body: &Value, now: Timestamp) -> Result<CreateHold, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let value = f.required("value", parse::positive_money);
        let settle = f.optional("settle", parse::flag);
        let installments = f.optional("installments", |v| parse::whole(v, 1, INSTALLMENTS_MAX));
        let expiration = f.optional("expirationDate", |v| expiration(v, now));
        let order_id = f.optional("orderId", |v| parse::text(v, rules::ORDER_ID));
        let settle = settle.unwrap_or(false);
        let expiration = match expiration {
            // Absent (an invalid date is an error already): the unsettled default.
            None if !settle => now.plus_days(UNSETTLED_HOLD_DAYS_DEFAULT),
            given => given,
        };
        f.finish(|| {
            Some(CreateHold {
                value: value?,
                settle,
                installments: installments.unwrap_or(1),
                expiration,
                order_id,
            })
        })
    }
}

/// An expiration date: after `now`, within [`HOLD_DAYS_MAX`] days.
fn expiration(value: &Value, now: Timestamp) -> Result<Timestamp, String> {
    let at: Timestamp = parse::from_str(value)?;
    if at <= now {
        return Err("must be in the future".into());
    }
    if now
        .plus_days(HOLD_DAYS_MAX)
        .is_some_and(|latest| at > latest)
    {
        return Err(format!("must be within {HOLD_DAYS_MAX} days"));
    }
    Ok(at)
}

/// `PUT /accounts/{id}/transactions/{transactionId}`: changes the hold — `settle` and
/// `installments` left out keep theirs — or, when the account has no transaction with that id,
/// creates it with that id ("Create a Pre Authorization (using id)" of the earlier reference, a
/// natural idempotent create) from the same body, read as [`CreateHold`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateHold {
    pub value: Money,
    pub settle: Option<bool>,
    pub installments: Option<u16>,
    /// The hold to create when there is none with the id.
    pub create: CreateHold,
}

impl UpdateHold {
    pub const FIELDS: &'static [&'static str] = CreateHold::FIELDS;

    pub fn from_json(body: &Value, now: Timestamp) -> Result<UpdateHold, ValidationErrors> {
        let create = CreateHold::from_json(body, now)?;
        let mut f = Fields::new(body, Self::FIELDS);
        let settle = f.optional("settle", parse::flag);
        let installments = f.optional("installments", |v| parse::whole(v, 1, INSTALLMENTS_MAX));
        f.finish(|| {
            Some(UpdateHold {
                value: create.value,
                settle,
                installments,
                create,
            })
        })
    }
}

/// The fields of `{value}` bodies (settlements, refunds, debits).
pub const VALUE_FIELDS: &[&str] = &["value"];

/// `{value}` above zero: settlements and refunds.
pub fn positive_value_from_json(body: &Value) -> Result<Money, ValidationErrors> {
    let mut f = Fields::new(body, VALUE_FIELDS);
    let value = f.required("value", parse::positive_money);
    f.finish(|| value)
}

/// `{value}` below zero: manual debits ("decrease balance").
pub fn debit_from_json(body: &Value) -> Result<Money, ValidationErrors> {
    let mut f = Fields::new(body, VALUE_FIELDS);
    let value = f.required("value", |v| {
        let money = parse::money(v)?;
        if money.is_negative() {
            Ok(money)
        } else {
            Err("must be below 0 (a debit)".into())
        }
    });
    f.finish(|| value)
}

/// The fields of a new holder's body.
pub const HOLDER_FIELDS: &[&str] = &["claims"];

/// `POST /accounts/{id}/holders`: `{claims: {email}}`. Inside `claims` only `email` is known:
/// an unknown key there is refused (no client sends one; a typo must not pass).
pub fn holder_email_from_json(body: &Value) -> Result<Email, ValidationErrors> {
    let mut f = Fields::new(body, HOLDER_FIELDS);
    let claims = f.required("claims", |v| {
        v.as_object()
            .cloned()
            .ok_or_else(|| "must be an object {email}".to_owned())
    });
    let email = claims.and_then(|claims| {
        for key in claims.keys().filter(|k| k.as_str() != "email") {
            f.push(
                &format!("claims.{key}"),
                "unknown field; the fields are email",
            );
        }
        match claims.get("email").filter(|v| !v.is_null()) {
            None => {
                f.push("claims.email", "is required");
                None
            }
            Some(value) => parse::from_str::<Email>(value)
                .map_err(|m| f.push("claims.email", m))
                .ok(),
        }
    });
    f.finish(|| email)
}

/// The fields of a postponement's body.
pub const POSTPONEMENT_FIELDS: &[&str] = &["dueDays"];

/// `PUT …/postponement`: `{dueDays}`, a whole number of days from 1.
pub fn due_days_from_json(body: &Value) -> Result<u16, ValidationErrors> {
    let mut f = Fields::new(body, POSTPONEMENT_FIELDS);
    let days = f.required("dueDays", |v| parse::whole(v, 1, POSTPONEMENT_DAYS_MAX));
    f.finish(|| days)
}

/// `PUT /accounts/{id}/invoices/{invoiceId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInvoice {
    pub status: InvoiceStatus,
    pub observation: Option<String>,
    pub payment_link: Option<String>,
}

impl ChangeInvoice {
    pub const FIELDS: &'static [&'static str] = &["status", "observation", "paymentLink"];

    /// `observation` and `paymentLink` left out, `null` or `""` leave the invoice's as they are.
    pub fn from_json(body: &Value) -> Result<ChangeInvoice, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let status = f.required("status", parse::from_str);
        let observation = f.optional("observation", |v| parse::text(v, rules::OBSERVATION));
        let payment_link = f.optional("paymentLink", web_url);
        f.finish(|| {
            Some(ChangeInvoice {
                status: status?,
                observation,
                payment_link,
            })
        })
    }
}

/// An `http://` or `https://` URL with a host, no spaces, at most 2048 characters (a payment
/// link, the store's My Credits page).
pub(crate) fn web_url(value: &Value) -> Result<String, String> {
    let link = parse::text(value, rules::WEB_URL)?;
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(host) if !host.is_empty() && !link.contains(char::is_whitespace) => Ok(link),
        _ => Err("must be an http:// or https:// URL".into()),
    }
}

/// `POST …/invoices/{invoiceId}/payments`: no body (or `{}`) pays all that is left; `value`
/// pays that much of it; `reference` is the payer's (≤ 64 characters).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pay {
    pub value: Option<Money>,
    pub reference: Option<String>,
}

impl Pay {
    pub const FIELDS: &'static [&'static str] = &["value", "reference"];

    /// Everything that is left, no reference (the reference's bodiless call).
    pub fn all() -> Pay {
        Pay::default()
    }

    /// A body of `null` (none sent) is [`Pay::all`].
    pub fn from_json(body: &Value) -> Result<Pay, ValidationErrors> {
        if body.is_null() {
            return Ok(Pay::all());
        }
        let mut f = Fields::new(body, Self::FIELDS);
        let value = f.optional("value", parse::positive_money);
        let reference = f.optional("reference", |v| parse::text(v, rules::CREDIT_REFERENCE));
        f.finish(|| Some(Pay { value, reference }))
    }

    /// What this payment pays of an invoice with `remaining` left that owes `interest` (with
    /// its tax): its value, or all that is due (`remaining + interest`). More than is due is
    /// refused, naming the most; less than the interest too, as a payment pays it first.
    pub fn amount_of(&self, remaining: Money, interest: Money) -> Result<Money, ValidationErrors> {
        let due = Money::saturating_from_minor(remaining.minor() + interest.minor());
        let value = self.value.unwrap_or(due);
        if value > due {
            let what = if interest.is_positive() {
                "what is due on this invoice with its interest"
            } else {
                "what is left to pay on this invoice"
            };
            return Err(ValidationErrors::single(
                "value",
                format!("must be at most {due}, {what}"),
            ));
        }
        if value < interest {
            return Err(ValidationErrors::single(
                "value",
                format!(
                    "must be at least {interest}: a payment of an overdue invoice first pays its \
                     interest and tax"
                ),
            ));
        }
        Ok(value)
    }
}

/// The body of a write-off and of a credit's reversal: `{"reason": "…"}`, required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditReason {
    pub reason: String,
}

impl CreditReason {
    pub const FIELDS: &'static [&'static str] = &["reason"];

    pub fn from_json(body: &Value) -> Result<CreditReason, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let reason = f.required("reason", |v| {
            let text = parse::text(v, rules::REASON)?;
            if text.trim().is_empty() {
                return Err("must not be blank".into());
            }
            Ok(text)
        });
        f.finish(|| Some(CreditReason { reason: reason? }))
    }
}
