//! The frame around every signed-in screen: navigation, the signed-in key, sign out.

use crate::router::A;
use leptos::prelude::*;

use crate::session::use_session;

/// Navigation on the side (on top on narrow screens) and the page in the middle.
#[component]
pub fn Shell(
    /// The routed page.
    children: Children,
) -> impl IntoView {
    let session = use_session();
    let who = move || session.backend().map(|b| b.who()).unwrap_or_default();
    view! {
        <div class="shell">
            <header class="sidebar">
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">"C"</span>
                    <span class="brand-name">"Creditdesk"</span>
                </div>
                <nav aria-label="Main">
                    <A href="/" exact=true>"Dashboard"</A>
                    <A href="/accounts">"Accounts"</A>
                    <A href="/invoices">"Invoices"</A>
                    <A href="/store-configuration">"Store configuration"</A>
                    <A href="/keys">"API keys"</A>
                    <A href="/webhooks">"Webhooks"</A>
                    <A href="/imports">"Imports"</A>
                    <A href="/data">"Data"</A>
                </nav>
                <div class="whoami">
                    <span class="muted">{move || if matches!(session.backend(), Ok(crate::backend::Backend::Browser)) { "Working in" } else { "Signed in as" }}</span>
                    <code class="app-key">{who}</code>
                    <button class="link" on:click=move |_| session.sign_out()>"Sign out"</button>
                </div>
            </header>
            <main class="page">{children()}</main>
        </div>
    }
}

/// A page's title and one line saying what it is for.
#[component]
pub fn PageHeader(
    /// The page title.
    title: &'static str,
    /// One line under the title.
    #[prop(optional)]
    lead: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            {lead.map(|lead| view! { <p class="lead">{lead}</p> })}
        </div>
    }
}
