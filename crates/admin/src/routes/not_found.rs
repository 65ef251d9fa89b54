//! Any path the admin does not know.

use crate::router::A;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <div class="card empty">
            <p class="empty-title">"There is no such page"</p>
            <p class="muted"><A href="/">"Back to the dashboard"</A></p>
        </div>
    }
}
