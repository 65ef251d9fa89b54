//! A form that opens in place for one task (settle, refund, edit…): its title, its fields, the
//! refusal that belongs to no field, submit and close (Escape closes too); the keyboard starts on
//! its first field.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A panel's title, close button and submit button around its fields.
#[component]
pub fn Panel(
    /// Shown at the top.
    title: String,
    /// The submit button's id and text.
    submit_id: &'static str,
    submit: &'static str,
    /// Runs the command when the form is submitted.
    on_submit: Callback<()>,
    /// Closes the panel.
    on_close: Callback<()>,
    /// The refusal that belongs to no field, if any.
    #[prop(into)]
    general: Signal<Option<String>>,
    /// The fields.
    children: Children,
) -> impl IntoView {
    let label = title.clone();
    let form = NodeRef::<leptos::html::Form>::new();
    // Where the keyboard is when the panel opens: its first field.
    Effect::new(move |_| {
        let first = form
            .get()
            .and_then(|f| f.query_selector("input").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(first) = first {
            let _ = first.focus();
        }
    });
    view! {
        <form class="panel" node_ref=form aria-label=label on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            on_submit.run(());
        }
        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { on_close.run(()) }>
            <h3>{title}</h3>
            {children()}
            <p class="error-text" role="alert">{move || general.get()}</p>
            <div class="form-actions">
                <button type="submit" id=submit_id>{submit}</button>
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
        </form>
    }
}
