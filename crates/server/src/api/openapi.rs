//! `GET /api/openapi.json`: Creditdesk's OpenAPI document, built from the route table
//! ([`super::ROUTES`]), so a route cannot exist without being documented. It covers every
//! endpoint of the reference Customer Credit API (same paths and parameter names) and our
//! extensions.

use std::sync::OnceLock;

use axum::Json;
use serde_json::{json, Map, Value};

use super::{RouteDoc, ROUTES};
use creditdesk_core::store_config::FIELDS;

use crate::auth::Resource;

pub async fn get() -> Json<Value> {
    Json(document().clone())
}

/// The document (built once).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

/// The reference spec's name of a path parameter.
fn parameter_name(axum_name: &str) -> &str {
    match axum_name {
        "id" => "creditAccountId",
        "invoice" => "invoiceId",
        "transaction" => "transactionId",
        "holder" => "holderId",
        "statement" => "statementId",
        "key" => "appKey",
        "tenant" => "tenantLocator",
        other => other,
    }
}

/// `/creditcontrol/accounts/{id}` → `/api/creditcontrol/accounts/{creditAccountId}`.
pub fn openapi_path(route: &RouteDoc) -> String {
    let segments: Vec<String> = route
        .path
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!("{{{}}}", parameter_name(name)),
                None => s.to_owned(),
            },
        )
        .collect();
    format!("/api{}", segments.join("/"))
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn operation(route: &RouteDoc) -> Value {
    let mut parameters: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": parameter_name(name), "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(route.query.iter().map(|name| json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" } })));
    if matches!(route.method, "post" | "put" | "delete") {
        parameters.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 255 },
            "description": "Replays the first reply to a retry with the same key and request, for 24 hours."
        }));
    }
    let ok = match route.response {
        Some(super::CSV) => {
            json!({ "description": "OK: CSV, UTF-8, a header line (docs/csv.md)", "content": { "text/csv": { "schema": { "type": "string" } } } })
        }
        Some(schema) => {
            json!({ "description": "OK", "content": { "application/json": { "schema": reference(schema) } } })
        }
        None => json!({ "description": "OK (empty body)" }),
    };
    let error = json!({ "description": "Refused: see the error's code, reason and fields",
                        "content": { "application/json": { "schema": reference("ErrorBody") } } });
    let permission = match route.resource {
        None => "Any valid app key.".to_owned(),
        Some(Resource::MainAccess) => "Resource: Main Access.".to_owned(),
        Some(resource) => format!("Resource: {} (or Main Access).", resource.name()),
    };
    let mut operation = json!({
        "summary": route.summary,
        "description": permission,
        "operationId": format!("{}{}", route.method, route.path.replace(['/', '{', '}'], "_")),
        "parameters": parameters,
        "responses": { "200": ok, "400": error, "401": error, "403": error, "404": error, "408": error, "409": error, "413": error, "422": error, "429": error },
    });
    match route.request {
        // A CSV upload starts a job: 202 Accepted, the job's first state.
        Some(super::CSV) => {
            operation["requestBody"] = json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } });
            let accepted = operation["responses"]["200"].take();
            let responses = operation["responses"].as_object_mut().expect("an object");
            responses.remove("200");
            responses.insert("202".to_owned(), accepted);
        }
        Some(schema) => {
            operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": reference(schema) } } });
        }
        None => {}
    }
    if route.path == "/openapi.json" {
        operation["security"] = json!([]);
        operation["responses"] = json!({ "200": { "description": "OK" } });
    }
    operation
}

/// A credit or company id of the company-credit API.
fn company_number(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 1, "maximum": creditdesk_core::company::ID_MAX, "description": description })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

fn schemas() -> Value {
    let money = json!({ "type": "number", "description": "An exact amount with at most 2 decimals (also accepted as a numeric string)." });
    let rate = json!({ "type": "number", "description": "A fraction from 0 to 1 with at most 6 decimals (0.1 = 10%)." });
    let time = json!({ "type": "string", "format": "date-time" });
    let text = json!({ "type": "string" });
    let int = json!({ "type": "integer" });
    let boolean = json!({ "type": "boolean" });
    let company_id = company_number("Extension: the account's company id in the company-credit API (unique; by default its credit id).");
    let account = object(
        &[
            "id",
            "balance",
            "document",
            "status",
            "documentType",
            "creditLimit",
            "updatedAt",
            "createdAt",
            "availableCredit",
            "preAuthorizedCredit",
            "email",
            "tolerance",
            "availableBalance",
        ],
        json!({ "id": text, "balance": money, "document": text, "status": { "type": "string", "enum": ["Open", "Closed"] },
                "documentType": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$", "description": "CPF, CNPJ or Other (matched in any letter case), or a store's own type." }, "creditLimit": money,
                "updatedAt": time, "createdAt": time, "description": text, "availableCredit": money,
                "preAuthorizedCredit": money, "email": text, "tolerance": rate, "availableBalance": money,
                "creditId": company_number("Extension: the account's number in the company-credit API (`id` there)."),
                "companyId": company_number("Extension: its company's id in the company-credit API.") }),
    );
    let invoice = object(
        &[
            "id",
            "friendlyId",
            "status",
            "value",
            "accountId",
            "creditValue",
            "createdAt",
            "updatedAt",
            "originalDueDate",
            "dueDate",
            "installment",
            "orderId",
            "transactionId",
            "numberOfInstallments",
            "creditAccountId",
        ],
        json!({ "id": text, "friendlyId": text, "status": { "type": "string", "enum": ["Opened", "Paid", "Cancelled"] },
                "value": money, "accountId": text, "creditValue": money, "createdAt": time, "resolvedAt": time,
                "updatedAt": time, "paymentLink": text, "paidValue": money, "writtenOffValue": money, "remainingValue": money,
                "interest": money, "interestTax": money, "amountDue": money, "interestPaidValue": money, "originalDueDate": time, "dueDate": time, "installment": int,
                "orderId": text, "observation": text, "transactionId": text, "numberOfInstallments": int,
                "creditAccountId": text, "postponements": int, "postponedDays": int }),
    );
    let rule = object(
        &["days", "timeOfDay"],
        json!({ "days": int, "timeOfDay": { "type": "string", "pattern": "^\\d{2}:\\d{2}:\\d{2}$" } }),
    );
    let notifications = object(
        &[],
        json!({ "daysPrior": { "type": "array", "items": rule, "maxItems": 10 }, "daysAfter": { "type": "array", "items": rule, "maxItems": 10 } }),
    );
    let config_properties = json!({
        "dailyInterestRate": rate, "invoicePostponementLimit": int, "taxRate": rate, "maxPostponementDays": int,
        "defaultCreditValue": money, "postponementEnabled": boolean, "automaticCheckingAccountCreationEnabled": boolean,
        "toleranceEnabled": boolean, "myCreditsEnabled": boolean, "maxPreAuthorizationGrowthRate": rate,
        "notificationsSettings": notifications, "shortfallTolerance": money, "currency": text,
        "currencyCode": { "type": "string", "description": "The company-credit API's name of currency: one setting, always the same code." },
        "interestGraceDays": int,
        "overdueBlockDays": { "type": "integer", "nullable": true, "description": "New pre-authorizations are refused while an invoice is more than this many days late; null: never." },
        "timeZone": { "type": "string", "description": "IANA time zone where reminders' timeOfDay is read (default UTC)." },
        "myCreditsUrl": { "type": "string", "nullable": true, "description": "The store's own page where a buyer opens My Credits (it signs them in and asks a buyer link); reminders print it while myCreditsEnabled is on. null: none." } });
    // Every field but notificationsSettings is required in answers (as the reference spec says).
    let config_fields: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|f| *f != "notificationsSettings")
        .collect();
    let key = object(
        &["appKey", "label", "resources", "createdAt"],
        json!({ "appKey": text, "label": text,
        "resources": { "type": "array", "items": text }, "createdAt": time, "revokedAt": time }),
    );
    let entry = object(
        &["value", "date", "origin"],
        json!({ "value": money, "date": time, "doneby": text,
        "origin": { "type": "string", "enum": ["Invoice", "Payment", "Credit", "Statement", "Interest"], "description": "Interest: overdue interest and its tax, charged with a payment (a Creditdesk extension of the reference's enum)." }, "kind": text, "countsInBalance": boolean,
        "metadata": object(&[], json!({ "transactionId": text, "numberOfInstallments": int, "installment": int, "statementId": text, "reason": text })) }),
    );
    let transaction = object(
        &[
            "id",
            "orderId",
            "value",
            "originalValue",
            "installments",
            "settle",
            "status",
            "expirationDate",
            "createdAt",
            "updatedAt",
            "settledValue",
            "refundedValue",
        ],
        json!({ "id": text, "orderId": text, "value": money, "originalValue": money, "installments": int, "settle": boolean,
                "status": { "type": "string", "enum": ["Authorized", "Settled", "Cancelled", "Expired"] },
                "expirationDate": time, "createdAt": time, "updatedAt": time, "settledValue": money,
                "refundedValue": money, "settledAt": time }),
    );
    let usage = object(
        &["band", "label", "accounts"],
        json!({ "band": { "type": "string", "enum": ["Unused", "UpTo50", "UpTo80", "UpTo100", "OverLimit"] },
                "label": text, "accounts": int }),
    );
    let aging = object(
        &["bucket", "label", "count", "total"],
        json!({ "bucket": { "type": "string", "enum": ["Current", "Days1To30", "Days31To60", "Days61To90", "Over90"] },
                "label": text, "count": int, "total": money }),
    );
    let due_soon = object(
        &["days", "count", "total", "invoices"],
        json!({ "days": int, "count": int, "total": money, "invoices": { "type": "array", "items": reference("Invoice") } }),
    );
    let records = json!({ "type": "array", "items": { "type": "object" } });
    let book = object(
        creditdesk_core::memory::BOOK_FIELDS,
        json!({
            "account": { "type": "object", "description": "The account record as a dump writes it." },
            "holders": records, "transactions": records, "invoices": records, "entries": records, "credits": records }),
    );
    let credit = object(
        &[
            "locator",
            "currency",
            "creditState",
            "amount",
            "creditType",
            "createdAt",
        ],
        json!({ "locator": text, "accountLocator": text, "currency": text,
                "creditState": { "type": "string", "enum": ["posted", "reversed"] }, "amount": money,
                "creditType": { "type": "string", "enum": ["payment", "writeOff", "shortfallWriteOff"] },
                "createdAt": time, "realizedAt": time, "reversalReason": text, "reversedAt": time,
                "targets": { "type": "array", "items": object(&["invoiceLocator", "amount"], json!({ "invoiceLocator": text, "amount": money })) },
                "createdBy": text, "parentCreditLocator": text, "shortfallCreditState": text, "reference": text, "reason": text }),
    );
    let webhook = object(
        &["id", "url", "events", "createdAt"],
        json!({ "id": text, "url": text, "events": { "type": "array", "items": text }, "createdAt": time,
                "disabledAt": time, "disabledReason": text }),
    );
    let attempt = object(
        &["attempt", "at"],
        json!({ "attempt": int, "at": time, "statusCode": int, "error": text }),
    );
    let delivery = object(
        &[
            "id",
            "eventId",
            "eventType",
            "status",
            "attempts",
            "createdAt",
            "tries",
        ],
        json!({ "id": text, "eventId": text, "eventType": text,
                "status": { "type": "string", "enum": ["pending", "delivered", "failed"] }, "attempts": int,
                "nextAttemptAt": time, "lastStatusCode": int, "lastError": text, "createdAt": time,
                "tries": { "type": "array", "items": attempt } }),
    );
    let dashboard = object(
        &[
            "accounts",
            "openAccounts",
            "creditExtended",
            "outstanding",
            "overdue",
            "available",
            "held",
            "usage",
            "aging",
            "dueSoon",
        ],
        json!({ "accounts": int, "openAccounts": int, "creditExtended": money, "outstanding": money,
                "overdue": money, "overdueInterest": money, "available": money, "held": money, "usage": { "type": "array", "items": usage },
                "aging": { "type": "array", "items": aging }, "dueSoon": due_soon }),
    );
    let all = json!({
        "ErrorBody": object(&["error"], json!({ "error": object(&["code", "message"], json!({
            "code": { "type": "string", "enum": creditdesk_core::ErrorCode::ALL },
            "message": text, "reason": text,
            "fields": { "type": "array", "items": object(&["field", "message"], json!({ "field": text, "message": text })) } })) })),
        "Account": account,
        "AccountList": object(&["data", "summary"], json!({ "data": { "type": "array", "items": reference("Account") }, "summary": object(&["count"], json!({ "count": int })) })),
        "OpenAccount": object(&["document", "documentType", "email", "creditLimit"], json!({ "document": text, "documentType": text, "email": text, "creditLimit": money, "tolerance": rate, "description": text, "companyId": company_id })),
        "UpsertAccount": object(&["email"], json!({ "document": text, "documentType": text, "email": text, "creditLimit": money, "tolerance": rate, "description": text, "companyId": company_id })),
        "MoneyChange": object(&["value"], json!({ "value": money, "reason": text })),
        "RateChange": object(&["value"], json!({ "value": rate, "reason": text })),
        "Invoice": invoice,
        "InvoiceList": object(&["data", "summary"], json!({ "data": { "type": "array", "items": reference("Invoice") },
            "summary": object(&["total", "count", "totalPaid", "totalCancelled"], json!({ "total": money, "count": int, "totalPaid": money, "totalCancelled": money })) })),
        "ChangeInvoice": object(&["status"], json!({ "status": text, "observation": text, "paymentLink": text })),
        "Postponement": object(&["dueDays"], json!({ "dueDays": int })),
        "CreateHold": object(&["value"], json!({ "value": money, "settle": { "type": "boolean", "description": "Default false." },
            "installments": { "type": "integer", "description": "Default 1." },
            "expirationDate": { "type": "string", "format": "date-time", "description": "Default: 1 day after creation when settle is false, 30 days when true." },
            "orderId": text })),
        "UpdateHold": object(&["value"], json!({ "value": money, "settle": { "type": "boolean", "description": "Left out: unchanged (false when creating)." },
            "installments": { "type": "integer", "description": "Left out: unchanged (1 when creating)." },
            "expirationDate": { "type": "string", "format": "date-time", "description": "Used only when the hold is created." },
            "orderId": { "type": "string", "description": "Used only when the hold is created." } })),
        "Hold": object(&["id", "value", "installments"], json!({ "id": text, "value": money, "expirationDate": time, "installments": int, "status": text,
            "accepted": boolean, "availableCredit": money, "availableCreditAfter": money, "reason": text, "message": text })),
        "HoldUpdated": object(&["id", "value", "installments"], json!({ "id": text, "value": money, "installments": int })),
        "Value": object(&["value"], json!({ "value": money })),
        "Settlement": object(&["value", "id"], json!({ "value": money, "id": text })),
        "Debit": object(&["value"], json!({ "value": { "type": "string", "description": "A negative amount, as text." } })),
        "NewHolder": object(&["claims"], json!({ "claims": object(&["email"], json!({ "email": text })) })),
        "Holder": object(&["level", "claims", "id", "createdAt"], json!({ "level": int, "claims": object(&["email"], json!({ "email": text })), "id": text, "createdAt": time })),
        "Id": object(&["id"], json!({ "id": text })),
        "Statement": object(&["statements", "currentBalance", "intervalBalance", "previousBalance"], json!({
            "statements": { "type": "array", "items": entry }, "currentBalance": money, "intervalBalance": money, "previousBalance": money })),
        "StoreConfig": { "type": "object", "required": config_fields, "properties": config_properties },
        "StoreConfigUpdate": { "type": "object", "properties": config_properties },
        "Me": object(&["appKey", "resources"], json!({ "appKey": text, "resources": { "type": "array", "items": text } })),
        "KeyList": { "type": "array", "items": key },
        "NewKey": object(&["label", "resources"], json!({ "label": text, "resources": { "type": "array", "items": text } })),
        "CreatedKey": object(&["appKey", "label", "resources", "createdAt"], json!({
            "appKey": text,
            "appToken": { "type": "string", "description": "The token, in the first reply only. A retry under the same Idempotency-Key has appTokenWithheld instead." },
            "appTokenWithheld": { "type": "string", "description": "Why a replayed reply has no token (it is never stored)." },
            "label": text, "resources": { "type": "array", "items": text }, "createdAt": time })),
        "Revoked": object(&["appKey", "revoked"], json!({ "appKey": text, "revoked": boolean })),
        "TransactionList": object(&["data"], json!({ "data": { "type": "array", "items": transaction } })),
        "HolderList": object(&["data"], json!({ "data": { "type": "array", "items": reference("Holder") } })),
        "Dashboard": dashboard,
        "Book": book,
        "Imported": object(&["id", "imported"], json!({ "id": text, "imported": boolean })),
    });
    let credits = json!({
        "Payment": object(&[], json!({ "value": { "type": "number", "description": "Left out (or no body): all that is left." },
            "reference": { "type": "string", "maxLength": 64, "description": "The payer's reference." } })),
        "CreditReason": object(&["reason"], json!({ "reason": text })),
        "Credit": credit.clone(),
        "CreditList": object(&["listCompleted", "items"], json!({ "listCompleted": boolean, "items": { "type": "array", "items": credit } })),
        "Store": object(&["tenantLocator", "currency", "emailConfigured"], json!({ "tenantLocator": { "type": "string", "format": "uuid" }, "currency": text,
            "emailConfigured": { "type": "boolean", "description": "Whether the server sends reminder emails (SMTP configured)." } })),
    });
    let webhooks = json!({
        "NewWebhook": object(&["url", "events"], json!({ "url": text, "events": { "type": "array", "items": text, "description": "Event types (invoice.created, invoice.paid, …), or [\"*\"] for all." } })),
        "WebhookList": object(&["data"], json!({ "data": { "type": "array", "items": webhook.clone() } })),
        "CreatedWebhook": object(&["id", "url", "events", "createdAt"], json!({ "id": text, "url": text,
            "events": { "type": "array", "items": text }, "createdAt": time,
            "secret": { "type": "string", "description": "The whsec_ signing secret: in the first answer only." },
            "secretWithheld": { "type": "string", "description": "Why a replayed answer has no secret." }, "warning": text })),
        "WebhookDeleted": object(&["id", "deleted"], json!({ "id": text, "deleted": boolean })),
        "DeliveryList": object(&["data"], json!({ "data": { "type": "array", "items": delivery } })),
        "ReminderList": object(&["timeZone", "emailConfigured", "items"], json!({ "timeZone": text, "emailConfigured": boolean,
            "items": { "type": "array", "items": object(&["rule", "days", "at", "status"], json!({
                "rule": { "type": "string", "enum": ["daysPrior", "daysAfter"] }, "days": int, "at": time,
                "status": { "type": "string", "enum": ["Scheduled", "Sent", "Skipped"] },
                "reason": { "type": "string", "enum": ["superseded", "invoice_not_open"] },
                "decidedAt": time, "eventId": text,
                "message": object(&["subject", "text", "amountDue"], json!({ "subject": text, "text": text, "amountDue": money })),
                "email": object(&["status", "recipients", "attempts"], json!({
                    "status": { "type": "string", "enum": ["Pending", "Sent", "Failed", "Skipped", "NotConfigured"] },
                    "recipients": { "type": "array", "items": text }, "attempts": int, "sentAt": time, "error": text })) })) } })),
        "Replayed": object(&["id", "replayed"], json!({ "id": text, "replayed": boolean })),
    });
    let count = json!({ "type": "integer", "minimum": 0, "maximum": creditdesk_core::import::IMPORT_ROWS_MAX });
    let import_job = object(
        &[
            "id",
            "kind",
            "status",
            "dryRun",
            "fileName",
            "createdBy",
            "createdAt",
            "rowsTotal",
            "rowsDone",
            "rowsFailed",
            "ignoredColumns",
            "errors",
        ],
        json!({ "id": text, "kind": { "type": "string", "enum": ["accounts", "invoices"] },
            "status": { "type": "string", "enum": ["Queued", "Running", "Completed"] },
            "dryRun": boolean, "fileName": text, "createdBy": text, "createdAt": time,
            "finishedAt": { "type": "string", "format": "date-time", "nullable": true },
            "rowsTotal": count, "rowsDone": count, "rowsFailed": count,
            "ignoredColumns": { "type": "array", "items": text },
            "errors": { "type": "array", "items": object(&["line", "field", "message"], json!({ "line": int, "field": text, "message": text })),
                "description": "The first 100 errors by line; every one in …/errors.csv." } }),
    );
    let imports = json!({
        "NewBuyerLink": object(&["email"], json!({ "email": text,
            "expiresInMinutes": { "type": "integer", "minimum": 1, "maximum": creditdesk_core::buyer::LINK_MINUTES_MAX, "description": "How long the link works (default 15)." } })),
        "BuyerLink": object(&["expiresAt"], json!({
            "url": { "type": "string", "description": "The one-time sign-in link: in the first answer only." },
            "urlWithheld": { "type": "string", "description": "Why a replayed answer has no link." },
            "expiresAt": time })),
        "Import": import_job.clone(),
        "ImportList": object(&["data", "range"], json!({ "data": { "type": "array", "items": import_job },
            "range": object(&["from", "to", "total"], json!({ "from": int, "to": int, "total": int })) })),
    });
    let mut all = all;
    for more in [credits, webhooks, imports] {
        if let (Some(all), Value::Object(more)) = (all.as_object_mut(), more) {
            all.extend(more);
        }
    }
    all
}

fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let entry = paths
            .entry(openapi_path(route))
            .or_insert_with(|| json!({}));
        entry[route.method] = operation(route);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Creditdesk",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted customer credit. Every endpoint of the VTEX Customer Credit API (same paths and JSON) and Creditdesk's extensions under /api/creditdesk/. Errors, idempotency and rules: docs/api.md and docs/credit-rules.md."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "appKey": [], "appToken": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "appKey": { "type": "apiKey", "in": "header", "name": "X-VTEX-API-AppKey" },
                "appToken": { "type": "apiKey", "in": "header", "name": "X-VTEX-API-AppToken" }
            },
            "schemas": schemas()
        }
    })
}
