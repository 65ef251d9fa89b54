//! The Creditdesk admin: a Leptos client-side app, built by trunk and served by the server.
//!
//! Architecture invariant: only this crate knows the DOM. Every rule a form checks comes from
//! `creditdesk_core` (the same code the server runs), and every request goes through [`api`] to a [`backend::Backend`]: a server, or core's engine
//! in this page ("Use in this browser"); screens do not know which.
//!
//! One file per route in [`routes`]; shared screen pieces in [`components`].

pub mod api;
pub mod backend;
pub mod components;
pub mod dom;
pub mod format;
pub mod router;
pub mod routes;
pub mod session;

use components::layout::Shell;
use leptos::prelude::*;
use router::{use_page, Page, Router};
use routes::{
    account::AccountPage, accounts::AccountsPage, dashboard::DashboardPage, data::DataPage,
    imports::ImportsPage, invoices::InvoicesPage,
};
use routes::{
    keys::KeysPage, not_found::NotFoundPage, sign_in::SignInPage, store_config::StoreConfigPage,
    webhooks::WebhooksPage,
};
use session::Session;

/// The whole app: the sign-in screen until a backend is chosen, then the shell and its screens.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    move || {
        if !session.is_signed_in() {
            view! { <SignInPage/> }.into_any()
        } else {
            view! { <Router><Shell><Screen/></Shell></Router> }.into_any()
        }
    }
}

/// The screen of the URL's path (its query changes nothing here: screens read it themselves).
#[component]
fn Screen() -> impl IntoView {
    let page = use_page();
    move || match page.get() {
        Page::Dashboard => view! { <DashboardPage/> }.into_any(),
        Page::Accounts => view! { <AccountsPage/> }.into_any(),
        Page::Account(_) => view! { <AccountPage/> }.into_any(),
        Page::Invoices => view! { <InvoicesPage/> }.into_any(),
        Page::StoreConfiguration => view! { <StoreConfigPage/> }.into_any(),
        Page::Keys => view! { <KeysPage/> }.into_any(),
        Page::Webhooks => view! { <WebhooksPage/> }.into_any(),
        Page::Data => view! { <DataPage/> }.into_any(),
        Page::Imports => view! { <ImportsPage/> }.into_any(),
        Page::NotFound => view! { <NotFoundPage/> }.into_any(),
    }
}
