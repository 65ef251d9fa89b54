//! `GET /api/openapi.json`: our document covers the reference spec and every route we serve.

mod common;

use axum::http::{Method, StatusCode};
use common::{schema, test_app, Creds};
use creditdesk_server::api::{openapi, ROUTES};
use serde_json::Value;

#[tokio::test]
async fn the_document_is_served_without_credentials() {
    let app = test_app().await;
    let (status, document) = app
        .send(Method::GET, "/api/openapi.json", None, &Creds::None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&document, openapi::document());
    assert_eq!(document["openapi"], "3.0.3");
}

#[test]
fn it_covers_every_reference_endpoint_with_the_same_names() {
    let ours = openapi::document();
    let reference = schema::spec();
    let mut count = 0;
    for (path, operations) in reference["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete"] {
            if operations.get(method).is_none() {
                continue;
            }
            count += 1;
            let operation = &ours["paths"][path][method];
            assert!(operation.is_object(), "our document lacks {method} {path}");
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            {
                let declared = operation["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path");
                assert!(declared, "{method} {path}: path parameter {name}");
            }
        }
    }
    assert_eq!(count, 25);
}

#[test]
fn every_operation_is_complete_and_every_ref_resolves() {
    let ours = openapi::document();
    for (path, operations) in ours["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path}"
            );
            // An upload that starts a job answers 202 (Accepted); every other operation 200.
            let ok = if path.starts_with("/api/creditdesk/imports/") && method == "post" {
                "202"
            } else {
                "200"
            };
            assert!(operation["responses"][ok].is_object(), "{method} {path}");
        }
    }
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(ours, &mut all);
    assert!(!all.is_empty());
    for r in all {
        assert!(
            ours.pointer(r.trim_start_matches('#')).is_some(),
            "dangling {r}"
        );
    }
}

/// The route table drives both the router and the document; probe the router for each entry so
/// a route that the table lists but the router lacks (or the reverse mapping broke) fails here.
#[tokio::test]
async fn every_documented_route_answers() {
    let app = test_app().await;
    assert_eq!(
        ROUTES.len(),
        openapi::document()["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|o| o.as_object().unwrap().len())
            .sum::<usize>()
    );
    for route in ROUTES {
        let path = common::concrete_path(route);
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = app
            .send(method.clone(), &path, Some("{}"), &Creds::None)
            .await;
        let expected = if route.path == "/openapi.json" {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(status, expected, "{method} {path}: {body}");
    }
}

/// The fields each body's reader knows (core's lists, which decide what is ignored or refused)
/// are the properties our document gives that body.
#[test]
fn each_request_schema_names_exactly_the_fields_its_reader_knows() {
    let ours = openapi::document();
    let mut checked = 0;
    for route in ROUTES {
        let Some(name) = route.request.filter(|r| *r != creditdesk_server::api::CSV) else {
            continue;
        };
        let schema = &ours["components"]["schemas"][name];
        let mut documented: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no properties"))
            .keys()
            .map(String::as_str)
            .collect();
        let mut known = creditdesk_server::api::request_fields(name).to_vec();
        documented.sort_unstable();
        known.sort_unstable();
        assert_eq!(documented, known, "{} {}: {name}", route.method, route.path);
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
}
