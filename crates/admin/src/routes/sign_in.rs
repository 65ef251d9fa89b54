//! Signing in with an app key and token.

use leptos::prelude::*;

use crate::api;
use crate::session::{use_session, Credentials};

/// The sign-in form. The credentials are checked against the server before they are kept.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let app_key = RwSignal::new(String::new());
    let app_token = RwSignal::new(String::new());
    let sign_in = Action::new_local(|credentials: &Credentials| {
        let credentials = credentials.clone();
        async move { api::me(&credentials).await.map(|_| credentials) }
    });
    Effect::new(move |_| {
        if let Some(Ok(credentials)) = sign_in.value().get() {
            session.sign_in(credentials);
        }
    });
    let error = move || sign_in.value().get().and_then(Result::err);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch(Credentials {
            app_key: app_key.get_untracked().trim().to_owned(),
            app_token: app_token.get_untracked().trim().to_owned(),
        });
    };
    view! {
        <main class="sign-in">
            <form class="card sign-in-card" on:submit=submit>
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">"C"</span>
                    <span class="brand-name">"Creditdesk"</span>
                </div>
                <h1>"Sign in"</h1>
                <p class="muted">"Use an app key and its token. They are kept only for this browser tab."</p>
                <div class="field">
                    <label for="app-key">"App key"</label>
                    <input id="app-key" autocomplete="username" required bind:value=app_key/>
                </div>
                <div class="field">
                    <label for="app-token">"App token"</label>
                    <input id="app-token" type="password" autocomplete="current-password" required bind:value=app_token/>
                </div>
                <p class="error-text" role="alert">{move || error().map(|e| e.to_string())}</p>
                <button id="sign-in" type="submit" class="primary" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="help">
                    "The server prints a first key the first time it starts. Lost it? "
                    <code>"creditdesk-server create-key"</code>" makes a new one."
                </p>
            </form>
        </main>
    }
}
