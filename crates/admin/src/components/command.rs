//! One way to run a command of the API from a screen: the action, its refusal kept typed (so a
//! form can show each field's message next to the field), and a confirmation when it succeeds.

use creditdesk_core::ValidationErrors;
use leptos::prelude::*;
use serde_json::Value;

use crate::api::{AdminError, Method};
use crate::session::use_session;

/// A command: what to send, and what to tell the user once it succeeded.
#[derive(Debug, Clone)]
pub struct Command {
    pub method: Method,
    pub path: String,
    /// Checked by core before it is built.
    pub body: Option<Value>,
    pub done: String,
}

/// The action that runs [`Command`]s; its value is the confirmation.
pub type CommandAction = Action<Command, Result<String, AdminError>>;

/// An action running [`Command`]s. On success `on_done` gets the confirmation (the caller
/// reloads); a refusal is kept in the returned signal until the next run.
pub fn use_command(on_done: Callback<String>) -> (CommandAction, RwSignal<Option<AdminError>>) {
    let session = use_session();
    let refusal = RwSignal::new(None::<AdminError>);
    let action = Action::new_local(move |command: &Command| {
        let (command, backend) = (command.clone(), session.require());
        async move {
            backend?
                .send(command.method, &command.path, command.body.as_ref())
                .await
                .map(|_| command.done)
        }
    });
    Effect::new(move |_| match action.value().get() {
        Some(Ok(done)) => {
            refusal.set(None);
            on_done.run(done);
        }
        Some(Err(e)) => refusal.set(Some(e)),
        None => {}
    });
    (action, refusal)
}

/// The message for `field`: core's check of what is typed first, then the server's refusal.
pub fn field_error(
    checked: impl Fn() -> Option<String> + Send + Sync + 'static,
    refusal: RwSignal<Option<AdminError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        checked().or_else(|| refusal.with(|r| r.as_ref().and_then(|e| e.for_field(field))))
    })
}

/// A refusal that belongs to no field of the form, in words.
pub fn general_error(refusal: RwSignal<Option<AdminError>>) -> impl Fn() -> Option<String> {
    move || {
        refusal.with(|r| {
            r.as_ref()
                .filter(|e| e.fields().is_empty())
                .map(ToString::to_string)
        })
    }
}

/// A form whose JSON body core checks as it is typed.
#[derive(Clone, Copy)]
pub struct CheckedForm {
    /// Sends the body as the command when core accepts it (otherwise the messages are shown).
    pub submit: Callback<()>,
    /// Core's refusal of the body as typed, if any.
    pub checked: Memo<Option<ValidationErrors>>,
    /// Whether to show core's messages: once something was typed, or a submission tried (an
    /// empty form does not open with errors).
    pub touched: Memo<bool>,
    /// The server's refusal of the last submission, if any.
    pub refusal: RwSignal<Option<AdminError>>,
}

impl CheckedForm {
    /// The message for `field`: core's check of what is typed, else the server's refusal.
    pub fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let (checked, refusal) = (self.checked, self.refusal);
        let touched = self.touched;
        Signal::derive(move || {
            checked
                .with(|c| {
                    if !touched.get() {
                        return None;
                    }
                    c.as_ref().and_then(|e| {
                        e.iter()
                            .find(|f| f.field == field)
                            .map(|f| f.message.clone())
                    })
                })
                .or_else(|| refusal.with(|r| r.as_ref().and_then(|e| e.for_field(field))))
        })
    }

    /// The refusal that belongs to no field, in words.
    pub fn general(&self) -> Signal<Option<String>> {
        Signal::derive(general_error(self.refusal))
    }
}

/// A [`CheckedForm`] sending `body()` as `method path` once `check` (core's reader of that body)
/// accepts it; `done()` is the confirmation passed to `on_done`.
pub fn use_checked_form(
    on_done: Callback<String>,
    method: Method,
    path: String,
    done: impl Fn() -> String + Send + Sync + 'static,
    body: impl Fn() -> Value + Send + Sync + 'static,
    check: impl Fn(&Value) -> Result<(), ValidationErrors> + Send + Sync + 'static,
) -> CheckedForm {
    let (run, refusal) = use_command(on_done);
    let body = std::sync::Arc::new(body);
    let checked = {
        let body = body.clone();
        Memo::new(move |_| check(&body()).err())
    };
    let tried = RwSignal::new(false);
    let touched = {
        let initial = untrack(|| body());
        let body = body.clone();
        Memo::new(move |_| tried.get() || body() != initial)
    };
    let submit = Callback::new(move |()| {
        tried.set(true);
        if checked.with_untracked(Option::is_none) {
            run.dispatch(Command {
                method,
                path: path.clone(),
                body: Some(body()),
                done: done(),
            });
        }
    });
    CheckedForm {
        submit,
        checked,
        touched,
        refusal,
    }
}
