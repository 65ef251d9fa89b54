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
