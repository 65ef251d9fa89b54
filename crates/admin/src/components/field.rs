//! Labelled form inputs with their help line and error message.

use leptos::prelude::*;

/// A text input bound to `value`, with a label, a help line and the error for this field (from
/// core's validation as the user types, or from the server).
#[component]
pub fn TextField(
    /// The input's id; also the JSON field path its errors are reported under.
    id: String,
    /// The visible label.
    label: String,
    /// One line explaining the effect of the setting.
    #[prop(optional, into)]
    help: Option<String>,
    /// The text typed.
    value: RwSignal<String>,
    /// The message to show under the input, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// A hint shown after the input while it is valid (e.g. "= 10 %").
    #[prop(optional, into)]
    hint: Option<Signal<Option<String>>>,
    /// `inputmode` for on-screen keyboards.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions (a searchable list as the user types).
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let described_by = format!("{help_id} {error_id}");
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <div class="input-row">
                <input
                    id=id
                    type="text"
                    inputmode=inputmode
                    list=list
                    autocomplete="off"
                    aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                    aria-describedby=described_by
                    bind:value=value
                />
                {hint.map(|hint| view! { <span class="hint">{move || hint.get().unwrap_or_default()}</span> })}
            </div>
            {help.map(|help| view! { <p class="help" id=help_id.clone()>{help}</p> })}
            <p class="error-text" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}

/// A checkbox styled as a switch, with a label and a help line.
#[component]
pub fn Toggle(
    /// The input's id.
    id: String,
    /// The visible label.
    label: String,
    /// One line explaining the effect.
    #[prop(optional, into)]
    help: Option<String>,
    /// Whether it is on.
    checked: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="field toggle">
            <label class="switch">
                <input id=id type="checkbox" bind:checked=checked/>
                <span class="track" aria-hidden="true"></span>
                <span class="switch-label">{label}</span>
            </label>
            {help.map(|help| view! { <p class="help">{help}</p> })}
        </div>
    }
}
