//! The one way the admin sends something: a [`Form`] for commands with fields — core checks the
//! body as it is typed, each field's message shows next to the field (core's first, then the
//! server's refusal of the last submission), and the body is sent only when core accepts it —
//! and [`use_command`] for commands without fields (a button: close, cancel, revoke).

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

/// An action running [`Command`]s. `on_done` gets the confirmation once one succeeded (the
/// caller reloads); its refusal is in the returned signal until the next run.
pub fn use_command(on_done: Callback<String>) -> (CommandAction, Signal<Option<AdminError>>) {
    command_action(on_done, None)
}

/// [`use_command`], and `then` gets each answer after `on_done` ran.
fn command_action(
    on_done: Callback<String>,
    then: Option<Callback<Value>>,
) -> (CommandAction, Signal<Option<AdminError>>) {
    let session = use_session();
    let action = Action::new_local(move |command: &Command| {
        let (command, backend) = (command.clone(), session.require());
        async move {
            let answer = backend?
                .send(command.method, &command.path, command.body.as_ref())
                .await?;
            on_done.run(command.done.clone());
            if let Some(then) = then {
                then.run(crate::api::read(&answer)?);
            }
            Ok(command.done)
        }
    });
    let refusal = Signal::derive(move || action.value().get().and_then(Result::err));
    (action, refusal)
}

type BodyFn = Box<dyn Fn() -> Value + Send + Sync>;
type CheckFn = Box<dyn Fn(&Value) -> Result<(), ValidationErrors> + Send + Sync>;
type DoneFn = Box<dyn Fn(&Value) -> String + Send + Sync>;

/// What a form sends and how core checks it.
pub struct FormSpec {
    method: Method,
    path: String,
    body: BodyFn,
    check: CheckFn,
    done: DoneFn,
    then: Option<Callback<Value>>,
}

impl FormSpec {
    /// `method path` with `body()` (the JSON from the fields as typed; reading it tracks them),
    /// sent once `check` — core's reader of that body (`OpenAccount::from_json`,
    /// `Change::tolerance_from_json`, …) — accepts it; `done` words the confirmation from the
    /// body sent.
    pub fn new(
        method: Method,
        path: String,
        body: impl Fn() -> Value + Send + Sync + 'static,
        check: impl Fn(&Value) -> Result<(), ValidationErrors> + Send + Sync + 'static,
        done: impl Fn(&Value) -> String + Send + Sync + 'static,
    ) -> FormSpec {
        FormSpec {
            method,
            path,
            body: Box::new(body),
            check: Box::new(check),
            done: Box::new(done),
            then: None,
        }
    }

    /// Also hands the answer to `then` (a created key's token, a new account to go to).
    pub fn then(self, then: Callback<Value>) -> FormSpec {
        FormSpec {
            then: Some(then),
            ..self
        }
    }
}

/// A form whose body core checks as it is typed; see the module documentation.
#[derive(Clone, Copy)]
pub struct Form {
    /// Sends the body when core accepts it; otherwise shows core's messages.
    pub submit: Callback<()>,
    checked: Memo<Option<ValidationErrors>>,
    /// Whether core's messages show: once something was typed or a submission was tried (an
    /// empty form does not open with errors).
    touched: Memo<bool>,
    action: CommandAction,
    refusal: Signal<Option<AdminError>>,
}

/// A [`Form`] for `spec`; `on_done` gets the confirmation once the command succeeded.
pub fn use_form(spec: FormSpec, on_done: Callback<String>) -> Form {
    let FormSpec {
        method,
        path,
        body,
        check,
        done,
        then,
    } = spec;
    let (action, refusal) = command_action(on_done, then);
    let body: std::sync::Arc<BodyFn> = std::sync::Arc::new(body);
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
            let body = body();
            action.dispatch(Command {
                method,
                path: path.clone(),
                done: done(&body),
                body: Some(body),
            });
        }
    });
    Form {
        submit,
        checked,
        touched,
        action,
        refusal,
    }
}

impl Form {
    /// The message for `field` now (tracked): core's check of what is typed, else the
    /// server's refusal of the last submission.
    pub fn message(&self, field: &str) -> Option<String> {
        let typed = self.checked.with(|c| {
            c.as_ref()
                .filter(|_| self.touched.get())
                .and_then(|e| e.for_field(field).map(str::to_owned))
        });
        typed.or_else(|| {
            self.refusal
                .with(|r| r.as_ref().and_then(|e| e.for_field(field)))
        })
    }

    /// [`Form::message`] as a signal, for a field's `error` prop.
    pub fn error(&self, field: impl Into<String>) -> Signal<Option<String>> {
        let (form, field) = (*self, field.into());
        Signal::derive(move || form.message(&field))
    }

    /// How many fields core refuses as typed (whether or not they show yet).
    pub fn invalid_count(&self) -> usize {
        self.checked
            .with(|c| c.as_ref().map(ValidationErrors::len).unwrap_or(0))
    }

    /// The refusal that belongs to no field, in words.
    pub fn general(&self) -> Signal<Option<String>> {
        let refusal = self.refusal;
        Signal::derive(move || {
            refusal.with(|r| {
                r.as_ref()
                    .filter(|e| e.fields().is_empty())
                    .map(ToString::to_string)
            })
        })
    }

    /// Whether the command is on its way.
    pub fn pending(&self) -> Signal<bool> {
        self.action.pending().into()
    }

    /// Runs `submit` from a form's submit event.
    pub fn on_submit(&self) -> impl Fn(leptos::ev::SubmitEvent) + Copy + 'static {
        let submit = self.submit;
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            submit.run(());
        }
    }
}

/// A refusal as a sentence for a button's error line.
pub fn refusal_text(refusal: Signal<Option<AdminError>>) -> Signal<Option<String>> {
    Signal::derive(move || refusal.get().map(|e| e.to_string()))
}
