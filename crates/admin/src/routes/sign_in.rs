//! The first screen: sign in to the Creditdesk server with an app key and token, or use the
//! admin in this browser alone (core's engine in the page, the data kept in this browser).

use leptos::prelude::*;

use crate::components::loading::Load;

use crate::api::{self, AdminError};
use crate::backend::{Backend, Credentials};
use crate::session::use_session;
use creditdesk_core::ErrorCode;

/// Whether a Creditdesk server answers the page's `/api/` (it refuses a call without a key with
/// its own error body; anything else means there is none).
async fn server_answers() -> bool {
    let anonymous = Backend::Server(Credentials {
        app_key: String::new(),
        app_token: String::new(),
    });
    match api::me(&anonymous).await {
        Ok(_) => true,
        Err(AdminError::Refused(detail)) => detail.code == ErrorCode::Unauthorized,
        Err(_) => false,
    }
}

/// Sign-in: a key and token checked against the server before they are kept, or "Use in this
/// browser". When no server answers, the browser option comes first and says why.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let app_key = RwSignal::new(String::new());
    let app_token = RwSignal::new(String::new());
    let server = Load::new(|| async { Ok(server_answers().await) });
    let no_server = move || server.get() == Some(Ok(false));
    let sign_in = Action::new_local(move |credentials: &Credentials| {
        let backend = Backend::Server(credentials.clone());
        async move {
            api::me(&backend).await?;
            session.sign_in(backend);
            Ok::<_, AdminError>(())
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
                <p class="notice notice-info" role="status" hidden=move || !no_server()>
                    "No Creditdesk server answers this page. Use the admin in this browser, or start the server ("
                    <code>"cargo xtask run"</code>")."
                </p>
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
                <div class="or"><span>"or"</span></div>
                <button id="use-browser" type="button" class=move || if no_server() { "primary" } else { "secondary" }
                    on:click=move |_| session.sign_in(Backend::Browser)>
                    "Use in this browser"
                </button>
                <p class="help">
                    "No server needed: the same credit engine runs in this page and keeps its data in this browser. Export it later and import it into a server."
                </p>
            </form>
        </main>
    }
}
