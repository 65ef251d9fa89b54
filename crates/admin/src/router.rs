//! The admin's URL as signals: which screen ([`Page`]), its query, links that push the browser's
//! history, and the back button. The screens need no more than this, and a general router
//! weighed a tenth of the bundle (BENCHMARKS.md).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::dom::decode;

/// Every screen, read from the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Dashboard,
    Accounts,
    /// `/accounts/{id}`, the id decoded.
    Account(String),
    Invoices,
    StoreConfiguration,
    Keys,
    Webhooks,
    Data,
    Imports,
    NotFound,
}

impl Page {
    /// The screen of a path (`/accounts/1_CPF`); a trailing slash is the same path.
    pub fn of(path: &str) -> Page {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segments.as_slice() {
            [""] => Page::Dashboard,
            ["accounts"] => Page::Accounts,
            ["accounts", id] if !id.is_empty() => Page::Account(decode(id)),
            ["invoices"] => Page::Invoices,
            ["store-configuration"] => Page::StoreConfiguration,
            ["keys"] => Page::Keys,
            ["webhooks"] => Page::Webhooks,
            ["data"] => Page::Data,
            ["imports"] => Page::Imports,
            _ => Page::NotFound,
        }
    }
}

/// A query string's decoded parameters (`?a=1&b=x%40y`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(search: &str) -> Query {
        Query(crate::dom::query_pairs(search.trim_start_matches('?')))
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

/// Where the admin is: the path and the query string, kept in step with the browser's history.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    path: RwSignal<String>,
    search: RwSignal<String>,
}

impl Location {
    fn now() -> (String, String) {
        let location = web_sys::window().map(|w| w.location());
        let read = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
            location
                .as_ref()
                .and_then(|l| f(l).ok())
                .unwrap_or_default()
        };
        (
            read(web_sys::Location::pathname),
            read(web_sys::Location::search),
        )
    }

    fn follow_browser(self) {
        let (path, search) = Location::now();
        self.path.set(path);
        self.search.set(search);
    }
}

/// Provides the [`Location`] to everything below, following the back and forward buttons.
#[component]
pub fn Router(
    /// The app.
    children: Children,
) -> impl IntoView {
    let (path, search) = Location::now();
    let location = Location {
        path: RwSignal::new(path),
        search: RwSignal::new(search),
    };
    provide_context(location);
    let listener = window_event_listener(leptos::ev::popstate, move |_| location.follow_browser());
    on_cleanup(move || listener.remove());
    children()
}

fn use_location() -> Location {
    use_context::<Location>().unwrap_or_else(|| Location {
        path: RwSignal::new("/".to_owned()),
        search: RwSignal::new(String::new()),
    })
}

/// The screen shown now (changes only when the path does, not the query).
pub fn use_page() -> Memo<Page> {
    let location = use_location();
    Memo::new(move |_| location.path.with(|p| Page::of(p)))
}

/// The query of the URL now.
pub fn use_query() -> Memo<Query> {
    let location = use_location();
    Memo::new(move |_| location.search.with(|s| Query::parse(s)))
}

/// A function going to a URL (`/accounts?email=…`): a new entry in the browser's history, the
/// top of the page. Taken when the component is made (an event handler has no context to ask).
pub fn use_navigate() -> impl Fn(&str) + Clone + 'static {
    let location = use_location();
    move |url: &str| go(location, url)
}

fn go(location: Location, url: &str) {
    if let Some(window) = web_sys::window() {
        if let Ok(history) = window.history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(url));
        }
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
    location.follow_browser();
}

/// A link inside the admin: followed without reloading the page (a click with a modifier key
/// still opens a new tab). `aria-current="page"` marks the link of the screen shown.
#[component]
pub fn A(
    /// Where it goes.
    #[prop(into)]
    href: String,
    /// Current only on exactly this path (the dashboard's `/`), not below it.
    #[prop(optional)]
    exact: bool,
    /// The link's relation (`prev`, `next`).
    #[prop(optional)]
    rel: Option<&'static str>,
    /// The link text.
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let target = href.split('?').next().unwrap_or_default().to_owned();
    let current = move || {
        let here = location.path.with(|p| p.clone());
        let matches = if exact {
            here == target
        } else {
            here == target || here.starts_with(&format!("{target}/"))
        };
        matches.then_some("page")
    };
    let url = href.clone();
    let click = move |ev: leptos::ev::MouseEvent| {
        if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
            ev.prevent_default();
            go(location, &url);
        }
    };
    view! { <a href=href rel=rel aria-current=current on:click=click>{children()}</a> }
}
