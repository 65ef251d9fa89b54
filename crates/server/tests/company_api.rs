//! The company-credit API over the same accounts as the Customer Credit API: numbers, reads,
//! searches, the limit update, auth and that platform's error shape — on SQLite, and on
//! PostgreSQL when `CREDITDESK_TEST_POSTGRES_URL` is set. 200 bodies are held to the published
//! schema (`../shared/reference/company-credit.openapi.json`) when it is there.

mod common;

use std::sync::OnceLock;

use axum::http::{Method, StatusCode};
use common::{test_app, Creds, TestApp, ACCOUNTS};
use creditdesk_server::auth::Resource;
use serde_json::{json, Value};

/// The published schema, if `../shared` is beside the repository (said once when not).
fn published() -> Option<&'static Value> {
    static SCHEMA: OnceLock<Option<Value>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/reference/company-credit.openapi.json");
            match std::fs::read_to_string(&path) {
                Ok(text) => Some(serde_json::from_str(&text).expect("the schema is JSON")),
                Err(e) => {
                    eprintln!(
                        "note: {} is not here ({e}): answers are not checked against it",
                        path.display()
                    );
                    None
                }
            }
        })
        .as_ref()
}

/// Holds a 200 body to the published schema of `template` (a path of that document).
fn check_schema(method: &str, template: &str, body: &Value) {
    let Some(schema) = published() else { return };
    let response = &schema["paths"][template][method]["responses"]["200"]["schema"];
    assert!(
        !response.is_null(),
        "{method} {template} is not in the schema"
    );
    let found = common::schema::violations_in(schema, body, response);
    assert!(
        found.is_empty(),
        "{method} {template}: {found:?}\nbody: {body}"
    );
}

/// Sends to the company-credit API with `Authorization: Bearer <token>` (or `creds` as the
/// reference's headers, or nothing), returning status, headers and JSON.
async fn rest(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
    auth: &Auth,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let body = body.map(|b| b.to_string());
    let bearer;
    let (creds, headers): (Creds, Vec<(&str, &str)>) = match auth {
        Auth::Bearer(token) => {
            bearer = format!("Bearer {token}");
            (Creds::None, vec![("authorization", bearer.as_str())])
        }
        Auth::Headers(creds) => (creds.clone(), vec![]),
        Auth::Nothing => (Creds::None, vec![]),
    };
    app.send_with(method, path, body.as_deref(), &creds, &headers)
        .await
}

enum Auth {
    Bearer(String),
    Headers(Creds),
    Nothing,
}

fn token(creds: &Creds) -> Auth {
    match creds {
        Creds::Key(_, token) => Auth::Bearer(token.clone()),
        Creds::None => Auth::Nothing,
    }
}

async fn ok(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, _, json) = rest(app, method.clone(), path, body, &token(&app.admin)).await;
    assert_eq!(status, StatusCode::OK, "{method} {path}: {json}");
    json
}

fn open_body(document: &str, limit: &str) -> Value {
    json!({"document": document, "documentType": "CNPJ", "email": format!("{document}@b2b.example"),
           "creditLimit": limit})
}

fn money(value: &Value) -> String {
    value.to_string()
}

#[tokio::test]
async fn accounts_get_numbers_shown_by_both_apis() {
    let app = test_app().await;
    let first = app
        .ok(Method::POST, ACCOUNTS, Some(open_body("11", "1000")))
        .await;
    assert_eq!(
        (first["creditId"].clone(), first["companyId"].clone()),
        (json!(1), json!(1))
    );
    let mut own = open_body("12", "500");
    own["companyId"] = json!("500");
    let second = app.ok(Method::POST, ACCOUNTS, Some(own)).await;
    assert_eq!(
        (second["creditId"].clone(), second["companyId"].clone()),
        (json!(2), json!(500))
    );
    // Upserting a new account numbers it too; a later upsert may move its company id.
    let path = format!("{ACCOUNTS}/13_CNPJ");
    let third = app
        .ok(
            Method::PUT,
            &path,
            Some(json!({"email": "13@b2b.example", "creditLimit": 10})),
        )
        .await;
    assert_eq!(
        (third["creditId"].clone(), third["companyId"].clone()),
        (json!(3), json!(3))
    );
    let moved = app
        .ok(
            Method::PUT,
            &path,
            Some(json!({"email": "13@b2b.example", "companyId": 77})),
        )
        .await;
    assert_eq!(
        (moved["creditId"].clone(), moved["companyId"].clone()),
        (json!(3), json!(77))
    );
    let read = app.ok(Method::GET, &path, None).await;
    assert_eq!(read["companyId"], json!(77));

    // One account per company: a company id held elsewhere is refused, and nothing is written.
    let mut taken = open_body("14", "1");
    taken["companyId"] = json!(500);
    let (status, body) = app.call(Method::POST, ACCOUNTS, Some(taken)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["reason"], "company_id_taken", "{body}");
    let (status, _) = app
        .call(Method::GET, &format!("{ACCOUNTS}/14_CNPJ"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .call(
            Method::PUT,
            &path,
            Some(json!({"email": "13@b2b.example", "companyId": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A value that is no company id names the field.
    for bad in [
        json!(0),
        json!("abc"),
        json!(-3),
        json!(1.5),
        json!(4_294_967_296_i64),
    ] {
        let mut body = open_body("15", "1");
        body["companyId"] = bad.clone();
        let (status, answer) = app.call(Method::POST, ACCOUNTS, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {answer}");
        assert_eq!(
            common::error_fields(&answer),
            vec!["companyId"],
            "{bad}: {answer}"
        );
    }
    // The numbers go on after the refusals, increasing (PostgreSQL's sequence may skip the
    // numbers of refused openings), and never one that is some company's id already.
    let fourth = app
        .ok(Method::POST, ACCOUNTS, Some(open_body("16", "1")))
        .await;
    let n = fourth["creditId"].as_u64().unwrap();
    assert!(n > 3, "{fourth}");
    let mut ahead = open_body("17", "1");
    ahead["companyId"] = json!(n + 2);
    let fifth = app.ok(Method::POST, ACCOUNTS, Some(ahead)).await;
    assert_eq!(fifth["creditId"], json!(n + 1));
    let sixth = app
        .ok(Method::POST, ACCOUNTS, Some(open_body("18", "1")))
        .await;
    assert_eq!(
        (sixth["creditId"].clone(), sixth["companyId"].clone()),
        (json!(n + 3), json!(n + 3)),
        "{} is a company's id already",
        n + 2
    );
}

#[tokio::test]
async fn credits_read_the_same_book_as_the_customer_credit_api() {
    let app = test_app().await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("21", "1000")))
        .await;
    let mut body = open_body("22", "250.50");
    body["companyId"] = json!(900);
    app.ok(Method::POST, ACCOUNTS, Some(body)).await;
    app.hold_and_settle("21_CNPJ", "120.25", 2).await;

    let credit = ok(&app, Method::GET, "/rest/V1/companyCredits/1", None).await;
    check_schema("get", "/V1/companyCredits/{creditId}", &credit);
    assert_eq!(credit["id"], json!(1));
    assert_eq!(credit["company_id"], json!(1));
    assert_eq!(money(&credit["credit_limit"]), "1000.00");
    assert_eq!(money(&credit["balance"]), "-120.25");
    assert_eq!(money(&credit["available_limit"]), "879.75");
    assert_eq!(credit["currency_code"], "BRL", "the store's currency");
    assert_eq!(credit["exceed_limit"], json!(false));
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/21_CNPJ"), None)
        .await;
    assert_eq!(account["balance"], credit["balance"]);
    assert_eq!(account["creditLimit"], credit["credit_limit"]);

    // Every store-code prefix, with and without a trailing slash, `reload` and `fields` read
    // and changing nothing.
    for path in [
        "/rest/default/V1/companyCredits/1",
        "/rest/all/V1/companyCredits/1/",
        "/rest/V1/companyCredits/1?reload=true",
        "/rest/V1/companyCredits/1?fields=id,balance",
    ] {
        assert_eq!(ok(&app, Method::GET, path, None).await, credit, "{path}");
    }
    let by_company = ok(
        &app,
        Method::GET,
        "/rest/V1/companyCredits/company/900",
        None,
    )
    .await;
    check_schema("get", "/V1/companyCredits/company/{companyId}", &by_company);
    assert_eq!(
        (by_company["id"].clone(), by_company["company_id"].clone()),
        (json!(2), json!(900))
    );
    assert_eq!(money(&by_company["available_limit"]), "250.50");

    // Not found, in that platform's shape.
    for path in [
        "/rest/V1/companyCredits/99",
        "/rest/V1/companyCredits/abc",
        "/rest/V1/companyCredits/0",
        "/rest/V1/companyCredits/company/2",
        "/rest/shop/V1/companyCredits/1",
        "/rest/V1/nothingHere",
    ] {
        let (status, _, body) = rest(&app, Method::GET, path, None, &token(&app.admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(
            body["message"].is_string() && body["parameters"].is_array(),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn the_credit_list_reads_search_criteria_as_that_platform_writes_them() {
    let app = test_app().await;
    for (document, limit) in [("31", "100"), ("32", "300"), ("33", "200"), ("34", "0")] {
        app.ok(Method::POST, ACCOUNTS, Some(open_body(document, limit)))
            .await;
    }
    app.hold_and_settle("32_CNPJ", "50", 1).await;
    let ids = |body: &Value| -> Vec<u64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect()
    };
    let cases: &[(&str, &[u64], u64)] = &[
        ("", &[1, 2, 3, 4], 4),
        // The reference's own example: the companies whose balance is 0.
        ("searchCriteria[filter_groups][0][filters][0][field]=balance&searchCriteria[filter_groups][0][filters][0][value]=0&searchCriteria[filter_groups][0][filters][0][condition_type]=eq", &[1, 3, 4], 3),
        // camelCase, percent-encoded brackets, a projection parameter beside it.
        ("searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=balance&searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=0&searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5BconditionType%5D=lt&fields=items[id]", &[2], 1),
        // Two filters in a group: either; two groups: both.
        ("searchCriteria[filter_groups][0][filters][0][field]=credit_limit&searchCriteria[filter_groups][0][filters][0][value]=100&searchCriteria[filter_groups][0][filters][1][field]=credit_limit&searchCriteria[filter_groups][0][filters][1][value]=300&searchCriteria[filter_groups][1][filters][0][field]=available_limit&searchCriteria[filter_groups][1][filters][0][value]=100&searchCriteria[filter_groups][1][filters][0][condition_type]=gteq", &[1, 2], 2),
        ("searchCriteria[sortOrders][0][field]=credit_limit&searchCriteria[sortOrders][0][direction]=DESC&searchCriteria[pageSize]=2&searchCriteria[currentPage]=1", &[2, 3], 4),
        ("searchCriteria[sortOrders][0][field]=credit_limit&searchCriteria[sortOrders][0][direction]=DESC&searchCriteria[pageSize]=2&searchCriteria[currentPage]=2", &[1, 4], 4),
        ("searchCriteria[pageSize]=2&searchCriteria[currentPage]=3", &[], 4),
        ("searchCriteria[filter_groups][0][filters][0][field]=currency_code&searchCriteria[filter_groups][0][filters][0][value]=b%25&searchCriteria[filter_groups][0][filters][0][condition_type]=like", &[1, 2, 3, 4], 4),
        ("searchCriteria[filter_groups][0][filters][0][field]=id&searchCriteria[filter_groups][0][filters][0][value]=2,4&searchCriteria[filter_groups][0][filters][0][condition_type]=in", &[2, 4], 2),
    ];
    for (query, want, total) in cases {
        let body = ok(
            &app,
            Method::GET,
            &format!("/rest/V1/companyCredits/?{query}"),
            None,
        )
        .await;
        check_schema("get", "/V1/companyCredits/", &body);
        assert_eq!(ids(&body), *want, "{query}: {body}");
        assert_eq!(body["total_count"], json!(total), "{query}");
        assert!(
            body["search_criteria"]["filter_groups"].is_array(),
            "{query}"
        );
    }
    // Bad criteria: 400 in that platform's shape, naming what is wrong.
    for (query, named) in [
        ("searchCriteria[filter_groups][0][filters][0][field]=nope&searchCriteria[filter_groups][0][filters][0][value]=1", "nope"),
        ("searchCriteria[filter_groups][0][filters][0][field]=id&searchCriteria[filter_groups][0][filters][0][value]=1&searchCriteria[filter_groups][0][filters][0][condition_type]=about", "about"),
        ("searchCriteria[filter_groups][0][filters][0][field]=id&searchCriteria[filter_groups][0][filters][0][value]=one", "one"),
        ("searchCriteria[pageSize]=-1", "-1"),
    ] {
        let (status, _, body) = rest(&app, Method::GET, &format!("/rest/V1/companyCredits?{query}"), None, &token(&app.admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let parameters = body["parameters"].to_string();
        assert!(body["message"].is_string() && parameters.contains(named), "{query}: {body}");
    }
}

#[tokio::test]
async fn the_limit_update_saves_limit_exceed_and_currency_and_ignores_read_only_fields() {
    let app = test_app().await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("41", "100")))
        .await;
    let path = "/rest/V1/companyCredits/1";
    let body = json!({"creditLimit": {"id": 1, "company_id": "1", "credit_limit": 1000.5,
        "currency_code": "usd", "exceed_limit": 1, "credit_comment": "Q3 review",
        "balance": 5, "available_limit": 1}});
    let (status, headers, saved) =
        rest(&app, Method::PUT, path, Some(body), &token(&app.admin)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    check_schema("put", "/V1/companyCredits/{id}", &saved);
    assert_eq!(saved["id"], json!(1));
    assert_eq!(money(&saved["credit_limit"]), "1000.50");
    assert_eq!(
        money(&saved["balance"]),
        "0.00",
        "a read-only balance is not written"
    );
    assert_eq!(saved["currency_code"], "USD");
    assert_eq!(saved["exceed_limit"], json!(true));
    assert_eq!(saved["credit_comment"], "Q3 review");
    assert_eq!(
        headers["creditdesk-ignored-fields"],
        "available_limit, balance"
    );
    assert_eq!(ok(&app, Method::GET, path, None).await, saved);
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/41_CNPJ"), None)
        .await;
    assert_eq!(money(&account["creditLimit"]), "1000.50");

    // Exceeding the limit is allowed now: a hold past limit and tolerance passes …
    let (status, hold) = app
        .hold("41_CNPJ", json!({"value": "1500", "settle": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    // … and refused again once it is switched off.
    let off = json!({"creditLimit": {"currency_code": "USD", "exceed_limit": false}});
    let saved = ok(&app, Method::PUT, path, Some(off)).await;
    assert_eq!(saved["exceed_limit"], json!(false));
    assert_eq!(
        money(&saved["credit_limit"]),
        "1000.50",
        "a limit left out is kept"
    );
    let (status, refused) = app
        .hold("41_CNPJ", json!({"value": "1", "settle": true}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");

    // While the account holds credit its currency stays; every refusal writes nothing.
    let refusals = [
        (
            json!({"creditLimit": {"credit_limit": 5, "currency_code": "EUR"}}),
            StatusCode::CONFLICT,
            "EUR",
        ),
        (
            json!({"creditLimit": {"credit_limit": 5}}),
            StatusCode::BAD_REQUEST,
            "currency_code",
        ),
        (
            json!({"creditLimit": {"credit_limit": -5, "currency_code": "USD"}}),
            StatusCode::BAD_REQUEST,
            "credit_limit",
        ),
        (
            json!({"creditLimit": {"currency_code": "USD", "company_id": 2}}),
            StatusCode::BAD_REQUEST,
            "company_id",
        ),
        (
            json!({"creditLimit": {"id": 2, "currency_code": "USD"}}),
            StatusCode::BAD_REQUEST,
            "id",
        ),
        (
            json!({"credit_limit": 5}),
            StatusCode::BAD_REQUEST,
            "creditLimit",
        ),
    ];
    for (body, status_wanted, named) in refusals {
        let (status, _, answer) = rest(
            &app,
            Method::PUT,
            path,
            Some(body.clone()),
            &token(&app.admin),
        )
        .await;
        assert_eq!(status, status_wanted, "{body}: {answer}");
        let text = format!("{} {}", answer["message"], answer["parameters"]);
        assert!(text.contains(named), "{body}: {answer}");
    }
    let (status, _, answer) = rest(&app, Method::PUT, path, None, &token(&app.admin)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        ok(&app, Method::GET, path, None).await,
        saved,
        "nothing was written"
    );
    let (status, _, _) = rest(
        &app,
        Method::PUT,
        "/rest/V1/companyCredits/7",
        Some(json!({"creditLimit": {"currency_code": "USD"}})),
        &token(&app.admin),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_route_asks_for_its_resource_and_answers_in_that_platforms_shape() {
    let app = test_app().await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("51", "10")))
        .await;
    let reimbursed = json!({"value": 1, "currency": "BRL", "operationType": 4});
    let increase = "/rest/V1/companyCredits/1/increaseBalance";
    rest(
        &app,
        Method::POST,
        increase,
        Some(reimbursed),
        &token(&app.admin),
    )
    .await;
    let history = ok(&app, Method::GET, "/rest/V1/companyCredits/history", None).await;
    let entry = history["items"].as_array().unwrap().last().unwrap()["id"].to_string();
    let concrete = |template: &str| {
        template
            .replace("{store}", "default")
            .replace("{creditId}", "1")
            .replace("{companyId}", "1")
            .replace("{historyId}", &entry)
    };
    for route in creditdesk_server::api::company::routes() {
        let (template, resource) = (route.path, &route.resource);
        let path = format!("/rest{}", concrete(template));
        let method: Method = route.method.parse().unwrap();
        let body = match method {
            Method::PUT if template.contains("history") => Some(json!({"comment": "checked"})),
            Method::PUT => Some(json!({"creditLimit": {"currency_code": "BRL"}})),
            Method::POST => Some(json!({"value": 1, "currency": "BRL", "operationType": 2})),
            _ => None,
        };
        let send = |auth: Auth| {
            let body = body.clone();
            let (app, path, method) = (&app, path.clone(), method.clone());
            async move { rest(app, method, &path, body, &auth).await }
        };
        let lacking = app
            .key(&[if *resource == Resource::EditCredits {
                Resource::ReadCheckingAccounts
            } else {
                Resource::EditCredits
            }])
            .await;
        let holding = app.key(&[*resource]).await;
        let cases = [
            (Auth::Nothing, StatusCode::UNAUTHORIZED),
            (Auth::Bearer("not-a-token".into()), StatusCode::UNAUTHORIZED),
            (token(&lacking), StatusCode::FORBIDDEN),
            (token(&holding), StatusCode::OK),
            (Auth::Headers(holding.clone()), StatusCode::OK),
        ];
        for (auth, want) in cases {
            let (status, headers, answer) = send(auth).await;
            assert_eq!(status, want, "{method} {path}: {answer}");
            assert!(headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"));
            if want != StatusCode::OK {
                assert!(answer["message"].is_string(), "{method} {path}: {answer}");
                assert!(
                    answer.get("error").is_none(),
                    "that platform's shape: {answer}"
                );
            }
        }
    }
    // Other platforms' gateway headers are ignored.
    let (status, _, _) = app
        .send_with(
            Method::GET,
            "/rest/V1/companyCredits/1",
            None,
            &Creds::None,
            &[
                (
                    "authorization",
                    &format!(
                        "Bearer {}",
                        match &app.admin {
                            Creds::Key(_, t) => t.clone(),
                            Creds::None => unreachable!(),
                        }
                    ),
                ),
                ("x-api-key", "gateway"),
                ("x-gw-ims-org-id", "org@AdobeOrg"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn balance_operations_move_the_book_both_apis_read() {
    let app = test_app().await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("61", "1000")))
        .await;
    app.hold_and_settle("61_CNPJ", "300", 1).await;
    let account = format!("{ACCOUNTS}/61_CNPJ");
    let post = |path: &'static str, body: Value| {
        let app = &app;
        async move { rest(app, Method::POST, path, Some(body), &token(&app.admin)).await }
    };
    let decrease = "/rest/V1/companyCredits/1/decreaseBalance";
    let increase = "/rest/default/V1/companyCredits/1/increaseBalance";

    // What clients send: the reference's body, options partial or absent, `comment: ""`, a
    // string value, a purchase order as a number, `creditId` repeated.
    let sent = [
        (
            decrease,
            json!({"value": 50, "currency": "BRL", "operationType": 3, "comment": "",
            "options": {"purchase_order": "PO-1", "order_increment": "000000012",
            "currency_display": "BRL", "currency_base": "BRL"}}),
            "-350.00",
            "650.00",
        ),
        (
            increase,
            json!({"creditId": 1, "value": "100.5", "currency": "brl", "operationType": "4",
            "comment": "wire 8812", "options": {"purchase_order": 4711}}),
            "-249.50",
            "750.50",
        ),
        (
            increase,
            json!({"value": 0.5, "currency": "BRL", "operationType": 5}),
            "-249.00",
            "751.00",
        ),
        (
            decrease,
            json!({"value": 1, "currency": "BRL", "operationType": 2, "options": null}),
            "-250.00",
            "750.00",
        ),
    ];
    for (path, body, balance, available) in sent {
        let (status, headers, answer) = post(path, body.clone()).await;
        assert_eq!((status, answer), (StatusCode::OK, json!(true)), "{body}");
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let credit = ok(&app, Method::GET, "/rest/V1/companyCredits/1", None).await;
        assert_eq!(money(&credit["balance"]), balance, "{body}");
        let view = app.ok(Method::GET, &account, None).await;
        assert_eq!(view["balance"], credit["balance"], "one book");
        assert_eq!(money(&credit["available_limit"]), available, "{credit}");
    }
    // The Customer Credit statement shows them as the ledger's own movements.
    let statement = app
        .ok(Method::GET, &format!("{account}/statements"), None)
        .await;
    let last: Vec<(String, String)> = statement["statements"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .take(4)
        .map(|e| {
            (
                e["origin"].as_str().unwrap().to_owned(),
                e["value"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        last,
        [
            ("Statement", "-1.00"),
            ("Statement", "0.50"),
            ("Statement", "100.50"),
            ("Statement", "-50.00")
        ]
        .map(|(o, v)| (o.to_owned(), v.to_owned()))
    );
    assert_eq!(money(&statement["currentBalance"]), "-250.00");

    // Refusals name what is wrong and write nothing.
    let refusals = [
        (
            increase,
            json!({"value": 5, "currency": "BRL", "operationType": 3}),
            StatusCode::BAD_REQUEST,
            "Purchased",
        ),
        (
            decrease,
            json!({"value": 5, "currency": "BRL", "operationType": 5}),
            StatusCode::BAD_REQUEST,
            "Refunded",
        ),
        (
            decrease,
            json!({"value": 0, "currency": "BRL", "operationType": 3}),
            StatusCode::BAD_REQUEST,
            "value",
        ),
        (
            decrease,
            json!({"value": "1.005", "currency": "BRL", "operationType": 3}),
            StatusCode::BAD_REQUEST,
            "value",
        ),
        (
            decrease,
            json!({"value": 5, "operationType": 3}),
            StatusCode::BAD_REQUEST,
            "currency",
        ),
        (
            decrease,
            json!({"value": 5, "currency": "BRL"}),
            StatusCode::BAD_REQUEST,
            "operationType",
        ),
        (
            decrease,
            json!({"creditId": 2, "value": 5, "currency": "BRL", "operationType": 3}),
            StatusCode::BAD_REQUEST,
            "creditId",
        ),
        (
            decrease,
            json!({"value": 5, "currency": "USD", "operationType": 3}),
            StatusCode::CONFLICT,
            "USD",
        ),
        (
            "/rest/V1/companyCredits/9/decreaseBalance",
            json!({"value": 5, "currency": "BRL", "operationType": 3}),
            StatusCode::NOT_FOUND,
            "9",
        ),
    ];
    for (path, body, status_wanted, named) in refusals {
        let (status, _, answer) = post(path, body.clone()).await;
        assert_eq!(status, status_wanted, "{body}: {answer}");
        let text = format!("{} {}", answer["message"], answer["parameters"]);
        assert!(text.contains(named), "{body}: {answer}");
    }
    let credit = ok(&app, Method::GET, "/rest/V1/companyCredits/1", None).await;
    assert_eq!(money(&credit["balance"]), "-250.00", "nothing was written");
}

#[tokio::test]
async fn the_history_has_a_typed_row_per_entry_whichever_api_made_it() {
    let app = test_app().await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("71", "1000")))
        .await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("72", "50")))
        .await;
    // Customer Credit API: a limit change, a settlement, a payment.
    let account = format!("{ACCOUNTS}/71_CNPJ");
    app.ok(
        Method::PUT,
        &format!("{account}/creditlimit"),
        Some(json!({"value": 1500, "reason": "review"})),
    )
    .await;
    app.hold_and_settle("71_CNPJ", "200", 1).await;
    let invoices = app
        .ok(Method::GET, &format!("{account}/invoices"), None)
        .await;
    let invoice = invoices["data"][0]["id"].as_str().unwrap().to_owned();
    app.ok(
        Method::POST,
        &format!("{account}/invoices/{invoice}/payments"),
        Some(json!({"value": 80})),
    )
    .await;
    // Company-credit API: a reimbursement with a purchase order.
    let (status, _, _) = rest(
        &app,
        Method::POST,
        "/rest/V1/companyCredits/1/increaseBalance",
        Some(
            json!({"value": 20, "currency": "BRL", "operationType": 4, "comment": "cheque",
            "options": {"purchase_order": "PO-77"}}),
        ),
        &token(&app.admin),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let narrowed = "searchCriteria[filter_groups][0][filters][0][field]=company_credit_id&searchCriteria[filter_groups][0][filters][0][value]=1";
    let history = ok(
        &app,
        Method::GET,
        &format!("/rest/V1/companyCredits/history?{narrowed}"),
        None,
    )
    .await;
    check_schema("get", "/V1/companyCredits/history", &history);
    let rows: Vec<(u64, String, String, String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_u64().unwrap(),
                money(&r["amount"]),
                money(&r["balance"]),
                money(&r["credit_limit"]),
                money(&r["available_limit"]),
            )
        })
        .collect();
    let want = [
        (1, "1000.00", "0.00", "1000.00", "1000.00"),
        (2, "500.00", "0.00", "1500.00", "1500.00"),
        (3, "-200.00", "-200.00", "1500.00", "1300.00"),
        (4, "80.00", "-120.00", "1500.00", "1380.00"),
        (4, "20.00", "-100.00", "1500.00", "1400.00"),
    ]
    .map(|(t, a, b, l, av)| (t, a.to_owned(), b.to_owned(), l.to_owned(), av.to_owned()));
    assert_eq!(rows, want, "{history}");
    assert_eq!(history["total_count"], json!(5));
    let items = history["items"].as_array().unwrap();
    assert_eq!(items[1]["comment"], "review");
    assert_eq!(
        (
            items[4]["purchase_order"].clone(),
            items[4]["comment"].clone()
        ),
        (json!("PO-77"), json!("cheque"))
    );
    assert!(items
        .iter()
        .all(|r| r["company_credit_id"] == json!(1) && r["currency_credit"] == "BRL"));
    // The last line stands where the account does.
    let credit = ok(&app, Method::GET, "/rest/V1/companyCredits/1", None).await;
    assert_eq!(items[4]["balance"], credit["balance"]);
    assert_eq!(items[4]["available_limit"], credit["available_limit"]);

    // The whole store, filtered and sorted as that platform does: limit changes above 500.
    let all = ok(&app, Method::GET, "/rest/V1/companyCredits/history", None).await;
    assert_eq!(
        all["total_count"],
        json!(6),
        "both accounts' entries: {all}"
    );
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "oldest first when unsorted");
    let query = "searchCriteria[filter_groups][0][filters][0][field]=credit_limit&searchCriteria[filter_groups][0][filters][0][value]=500&searchCriteria[filter_groups][0][filters][0][condition_type]=gt&searchCriteria[filter_groups][1][filters][0][field]=type&searchCriteria[filter_groups][1][filters][0][value]=1,2&searchCriteria[filter_groups][1][filters][0][condition_type]=in&searchCriteria[sort_orders][0][field]=amount&searchCriteria[sort_orders][0][direction]=DESC";
    let limits = ok(
        &app,
        Method::GET,
        &format!("/rest/all/V1/companyCredits/history/?{query}"),
        None,
    )
    .await;
    let amounts: Vec<String> = limits["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| money(&r["amount"]))
        .collect();
    assert_eq!(amounts, ["1000.00", "500.00"], "{limits}");

    // Editing: a Reimbursed entry takes a purchase order and a comment; others are refused.
    let paid = items[3]["id"].as_i64().unwrap();
    let path = format!("/rest/V1/companyCredits/history/{paid}");
    let (status, _, answer) = rest(
        &app,
        Method::PUT,
        &path,
        Some(json!({"historyId": paid, "purchaseOrder": "PO-80", "comment": ""})),
        &token(&app.admin),
    )
    .await;
    assert_eq!((status, answer), (StatusCode::OK, json!(true)));
    let again = ok(
        &app,
        Method::GET,
        &format!("/rest/V1/companyCredits/history?{narrowed}"),
        None,
    )
    .await;
    assert_eq!(again["items"][3]["purchase_order"], "PO-80");
    assert_eq!(
        again["items"][3]["amount"], items[3]["amount"],
        "its money is untouched"
    );
    let settled = items[2]["id"].as_i64().unwrap();
    for (path, body, want) in [
        (
            format!("/rest/V1/companyCredits/history/{settled}"),
            json!({"purchaseOrder": "X"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            path.clone(),
            json!({"historyId": paid + 1, "comment": "x"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            path.clone(),
            json!({"purchaseOrder": "x".repeat(65)}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/rest/V1/companyCredits/history/999999".to_owned(),
            json!({"comment": "x"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, _, answer) = rest(
            &app,
            Method::PUT,
            &path,
            Some(body.clone()),
            &token(&app.admin),
        )
        .await;
        assert_eq!(status, want, "{path} {body}: {answer}");
        assert!(answer["message"].is_string(), "{answer}");
    }
}

#[tokio::test]
async fn the_store_currency_is_set_by_either_name_and_followed_by_credits() {
    let app = test_app().await;
    app.ok(Method::POST, ACCOUNTS, Some(open_body("61", "100")))
        .await;
    let config = "/api/creditcontrol/storeconfig";
    let (status, saved) = app.put(config, r#"{"currencyCode": "USD"}"#).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        (saved["currency"].clone(), saved["currencyCode"].clone()),
        (json!("USD"), json!("USD"))
    );
    let credit = ok(&app, Method::GET, "/rest/V1/companyCredits/1", None).await;
    assert_eq!(credit["currency_code"], "USD");
    // A client that knows only `currency` sends `currencyCode` back as it read it.
    let (status, saved) = app
        .put(config, r#"{"currency": "EUR", "currencyCode": "USD"}"#)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["currencyCode"], "EUR");
    let (status, refused) = app
        .put(config, r#"{"currency": "BRL", "currencyCode": "USD"}"#)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(common::error_fields(&refused), vec!["currencyCode"]);
}
