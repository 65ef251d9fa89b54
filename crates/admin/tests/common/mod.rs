//! Helpers shared by the admin's browser tests.

#![allow(dead_code)]

use wasm_bindgen::JsCast;
use web_sys::{Event, EventInit, HtmlElement, HtmlInputElement};

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page's body.
pub fn container() -> HtmlElement {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    container
}

/// Types `text` into the input the way a browser reports it: value, then an `input` event.
pub fn type_into(container: &HtmlElement, id: &str, text: &str) {
    let input: HtmlInputElement = container
        .query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// The text of the first element matching `selector` (empty when none).
pub fn text_of(container: &HtmlElement, selector: &str) -> String {
    container
        .query_selector(selector)
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
        .unwrap_or_default()
}

/// Lets the reactive system render.
pub async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

/// The decoded query parameters of an admin URL (`/x?a=1&b=%40` → `[(a, 1), (b, @)]`).
pub fn params_of(url: &str) -> Vec<(String, String)> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    let v = js_sys::decode_uri_component(v)
                        .unwrap()
                        .as_string()
                        .unwrap();
                    (k.to_owned(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A lookup over parameters, as the routes read them.
pub fn lookup(params: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |key| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

/// The values of `attribute` on every element matching `selector`.
pub fn attributes(container: &HtmlElement, selector: &str, attribute: &str) -> Vec<String> {
    let list = container.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| {
            node.unchecked_into::<web_sys::Element>()
                .get_attribute(attribute)
                .unwrap_or_default()
        })
        .collect()
}

/// The current value of the input with this id.
pub fn value_of(container: &HtmlElement, id: &str) -> String {
    container
        .query_selector(&format!("#{id}"))
        .unwrap()
        .map(|e| e.unchecked_into::<HtmlInputElement>().value())
        .unwrap_or_default()
}
