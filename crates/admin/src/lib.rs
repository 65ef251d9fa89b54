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
pub mod routes;
pub mod session;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use components::layout::Shell;
use routes::{
    account::AccountPage, accounts::AccountsPage, dashboard::DashboardPage, data::DataPage,
    invoices::InvoicesPage,
};
use routes::{
    keys::KeysPage, not_found::NotFoundPage, sign_in::SignInPage, store_config::StoreConfigPage,
};
use session::Session;

/// The whole app: the sign-in screen until a backend is chosen, then the shell and its routes.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    move || {
        if !session.is_signed_in() {
            view! { <SignInPage/> }.into_any()
        } else {
            view! {
                <Router>
                    <Shell>
                        <Routes fallback=NotFoundPage>
                            <Route path=path!("/") view=DashboardPage/>
                            <Route path=path!("/accounts") view=AccountsPage/>
                            <Route path=path!("/accounts/:id") view=AccountPage/>
                            <Route path=path!("/invoices") view=InvoicesPage/>
                            <Route path=path!("/store-configuration") view=StoreConfigPage/>
                            <Route path=path!("/keys") view=KeysPage/>
                            <Route path=path!("/data") view=DataPage/>
                        </Routes>
                    </Shell>
                </Router>
            }
            .into_any()
        }
    }
}
