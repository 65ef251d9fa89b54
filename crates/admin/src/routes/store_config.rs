//! The Store configuration screen: load, edit every field (with core's validation as the user
//! types), save, and show what the server said.

use creditdesk_core::store_config::{NotificationRule, StoreConfig, NOTIFICATION_RULES_MAX};
use creditdesk_core::wire::StoreView;
use creditdesk_core::Rate;
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::api::{self, Method};
use crate::components::field::{TextField, Toggle};
use crate::components::form::{use_form, Form, FormSpec};
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::components::notice::Toast;
use crate::dom::time_zones;
use crate::session::use_session;

/// Loads the configuration and shows the form, or why it could not be loaded.
#[component]
pub fn StoreConfigPage() -> impl IntoView {
    let session = use_session();
    let config = Load::new(move || {
        let backend = session.backend();
        async move { api::store_config(&backend?).await }
    });
    view! {
        <PageHeader
            title="Store configuration"
            lead="Credit policy for every account of the store: postponement, tolerance, growth of holds, interest and reminders."
        />
        {loading("Loading the configuration…", move || {
            config.get().map(|r| r.map(|initial| view! { <StoreConfigForm initial/> }.into_any()))
        })}
    }
}

/// One editable notification rule; `key` identifies the row while rows are added and removed.
#[derive(Debug, Clone, Copy)]
struct RuleRow {
    key: u32,
    days: RwSignal<String>,
    time_of_day: RwSignal<String>,
}

/// The text of every input, as typed.
#[derive(Debug, Clone, Copy)]
struct FormState {
    daily_interest_rate: RwSignal<String>,
    invoice_postponement_limit: RwSignal<String>,
    tax_rate: RwSignal<String>,
    max_postponement_days: RwSignal<String>,
    default_credit_value: RwSignal<String>,
    shortfall_tolerance: RwSignal<String>,
    interest_grace_days: RwSignal<String>,
    /// Empty: off (sent as `null`).
    overdue_block_days: RwSignal<String>,
    max_pre_authorization_growth_rate: RwSignal<String>,
    postponement_enabled: RwSignal<bool>,
    automatic_checking_account_creation_enabled: RwSignal<bool>,
    tolerance_enabled: RwSignal<bool>,
    my_credits_enabled: RwSignal<bool>,
    /// Empty: none (sent as `null`).
    my_credits_url: RwSignal<String>,
    time_zone: RwSignal<String>,
    days_prior: RwSignal<Vec<RuleRow>>,
    days_after: RwSignal<Vec<RuleRow>>,
    next_key: StoredValue<u32>,
}

impl FormState {
    fn new(config: &StoreConfig) -> FormState {
        let text = |s: String| RwSignal::new(s);
        let form = FormState {
            daily_interest_rate: text(config.daily_interest_rate().to_string()),
            invoice_postponement_limit: text(config.invoice_postponement_limit().to_string()),
            tax_rate: text(config.tax_rate().to_string()),
            max_postponement_days: text(config.max_postponement_days().to_string()),
            default_credit_value: text(config.default_credit_value().to_string()),
            shortfall_tolerance: text(config.shortfall_tolerance().to_string()),
            interest_grace_days: text(config.interest_grace_days().to_string()),
            overdue_block_days: text(
                config
                    .overdue_block_days()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            max_pre_authorization_growth_rate: text(
                config.max_pre_authorization_growth_rate().to_string(),
            ),
            postponement_enabled: RwSignal::new(config.postponement_enabled()),
            automatic_checking_account_creation_enabled: RwSignal::new(
                config.automatic_checking_account_creation_enabled(),
            ),
            tolerance_enabled: RwSignal::new(config.tolerance_enabled()),
            my_credits_enabled: RwSignal::new(config.my_credits_enabled()),
            my_credits_url: text(config.my_credits_url().unwrap_or_default().to_owned()),
            time_zone: text(config.time_zone().as_str().to_owned()),
            days_prior: RwSignal::new(Vec::new()),
            days_after: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
        };
        let notifications = config.notifications_settings();
        form.days_prior.set(
            notifications
                .days_prior()
                .iter()
                .map(|r| form.row(Some(r)))
                .collect(),
        );
        form.days_after.set(
            notifications
                .days_after()
                .iter()
                .map(|r| form.row(Some(r)))
                .collect(),
        );
        form
    }

    fn row(&self, rule: Option<&NotificationRule>) -> RuleRow {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        RuleRow {
            key,
            days: RwSignal::new(
                rule.map(|r| r.days.to_string())
                    .unwrap_or_else(|| "1".into()),
            ),
            time_of_day: RwSignal::new(
                rule.map(|r| r.time_of_day.to_string())
                    .unwrap_or_else(|| "12:00:00".into()),
            ),
        }
    }

    /// The whole configuration as an update body, numbers as the typed text (core reads numeric
    /// strings exactly). Reading it tracks every input.
    fn body(&self) -> Value {
        let rules = |rows: RwSignal<Vec<RuleRow>>| {
            rows.with(|rows| {
                rows.iter()
                    .map(|r| json!({ "days": r.days.get(), "timeOfDay": r.time_of_day.get() }))
                    .collect::<Vec<_>>()
            })
        };
        json!({
            "dailyInterestRate": self.daily_interest_rate.get(),
            "invoicePostponementLimit": self.invoice_postponement_limit.get(),
            "taxRate": self.tax_rate.get(),
            "maxPostponementDays": self.max_postponement_days.get(),
            "defaultCreditValue": self.default_credit_value.get(),
            "shortfallTolerance": self.shortfall_tolerance.get(),
            "interestGraceDays": self.interest_grace_days.get(),
            "overdueBlockDays": blank_as_null(self.overdue_block_days),
            "postponementEnabled": self.postponement_enabled.get(),
            "automaticCheckingAccountCreationEnabled": self.automatic_checking_account_creation_enabled.get(),
            "toleranceEnabled": self.tolerance_enabled.get(),
            "myCreditsEnabled": self.my_credits_enabled.get(),
            "myCreditsUrl": blank_as_null(self.my_credits_url),
            "maxPreAuthorizationGrowthRate": self.max_pre_authorization_growth_rate.get(),
            "timeZone": self.time_zone.get(),
            "notificationsSettings": { "daysPrior": rules(self.days_prior), "daysAfter": rules(self.days_after) },
        })
    }
}

/// An optional setting's input: its text, or `null` (off, none) when left blank. Reading it
/// tracks the input.
fn blank_as_null(text: RwSignal<String>) -> Option<String> {
    Some(text.get()).filter(|t| !t.trim().is_empty())
}

/// Whether the server sends reminder emails; says how to turn them on when it does not.
#[component]
fn EmailSetup() -> impl IntoView {
    let session = use_session();
    let store = Load::new(move || {
        let backend = session.backend();
        async move { api::get::<StoreView>(&backend?, "/api/creditdesk/store").await }
    });
    move || {
        store.get().and_then(Result::ok).map(|store| {
            if store.email_configured {
                view! { <p class="notice notice-info" id="email-setup">"Reminder emails are on: the server sends them over SMTP."</p> }
            } else {
                view! { <p class="notice notice-warning" id="email-setup">"No reminder email is sent: the server has no SMTP configured. Start it with --smtp-url and --mail-from (or CREDITDESK_SMTP_URL and CREDITDESK_MAIL_FROM); webhooks still get every reminder."</p> }
            }
        })
    }
}

/// "= 12.5 %" for a valid rate.
fn percent_hint(text: RwSignal<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        let rate: Rate = text.get().parse().ok()?;
        Some(format!(
            "= {} %",
            (rate.fraction() * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        ))
    })
}

/// The form for every store setting, starting from `initial`.
#[component]
pub fn StoreConfigForm(
    /// The configuration as loaded from the server.
    initial: StoreConfig,
) -> impl IntoView {
    let state = FormState::new(&initial);
    let toast = RwSignal::new(None::<String>);
    let form = use_form(
        FormSpec::new(
            Method::Put,
            "/api/creditcontrol/storeconfig".to_owned(),
            move || state.body(),
            move |body| initial.apply_update(body).map(|_| ()),
            |_| "Store configuration saved.".to_owned(),
        ),
        Callback::new(move |message| toast.set(Some(message))),
    );
    let errors = move |field: &'static str| form.error(field);

    view! {
        <form class="config-form" on:submit=form.on_submit() novalidate>
            <section class="card">
                <h2>"Invoices and postponement"</h2>
                <Toggle
                    id="postponementEnabled".into()
                    label="Allow postponing invoices".into()
                    help="Lets you move an open invoice's due date, within the limits below."
                    checked=state.postponement_enabled
                />
                <div class="grid-2">
                    <TextField
                        id="invoicePostponementLimit".into()
                        label="Postponements per invoice".into()
                        help="How many times one invoice may be postponed."
                        value=state.invoice_postponement_limit
                        error=errors("invoicePostponementLimit")
                        inputmode="numeric"
                    />
                    <TextField
                        id="maxPostponementDays".into()
                        label="Most days of postponement".into()
                        help="Total days an invoice's due date may move, over all its postponements."
                        value=state.max_postponement_days
                        error=errors("maxPostponementDays")
                        inputmode="numeric"
                    />
                </div>
                <div class="grid-2">
                    <TextField
                        id="dailyInterestRate".into()
                        label="Daily interest rate".into()
                        help="Interest per day on overdue invoices, as a fraction (0.01 = 1 %)."
                        value=state.daily_interest_rate
                        error=errors("dailyInterestRate")
                        hint=percent_hint(state.daily_interest_rate)
                        inputmode="decimal"
                    />
                    <TextField
                        id="taxRate".into()
                        label="Tax rate".into()
                        help="Tax on interest, as a fraction (0.4 = 40 %)."
                        value=state.tax_rate
                        error=errors("taxRate")
                        hint=percent_hint(state.tax_rate)
                        inputmode="decimal"
                    />
                </div>
                <div class="grid-2">
                    <TextField
                        id="interestGraceDays".into()
                        label="Interest grace days".into()
                        help="Days after the due date before interest starts (0 = the first full day late)."
                        value=state.interest_grace_days
                        error=errors("interestGraceDays")
                        inputmode="numeric"
                    />
                    <TextField
                        id="overdueBlockDays".into()
                        label="Stop new purchases after (days late)".into()
                        help="New pre-authorizations are refused while an invoice of the account is more than this many days late; empty = never."
                        value=state.overdue_block_days
                        error=errors("overdueBlockDays")
                        inputmode="numeric"
                    />
                </div>
            </section>

            <section class="card">
                <h2>"Accounts and checkout"</h2>
                <Toggle
                    id="automaticCheckingAccountCreationEnabled".into()
                    label="Open accounts automatically at checkout".into()
                    help="A buyer without an account gets one, with the default credit below, on their first purchase on account."
                    checked=state.automatic_checking_account_creation_enabled
                />
                <TextField
                    id="defaultCreditValue".into()
                    label="Default credit limit".into()
                    help="Limit of accounts opened automatically, in the store currency."
                    value=state.default_credit_value
                    error=errors("defaultCreditValue")
                    inputmode="decimal"
                />
                <TextField
                    id="shortfallTolerance".into()
                    label="Shortfall tolerance".into()
                    help="A payment that leaves at most this much unpaid closes the invoice: the rest is written off (0 = never)."
                    value=state.shortfall_tolerance
                    error=errors("shortfallTolerance")
                    inputmode="decimal"
                />
                <Toggle
                    id="toleranceEnabled".into()
                    label="Allow spending beyond the limit by the account's tolerance".into()
                    help="With tolerance 0.1, an account with a 1000 limit may hold up to 1100."
                    checked=state.tolerance_enabled
                />
                <TextField
                    id="maxPreAuthorizationGrowthRate".into()
                    label="Pre-authorization growth".into()
                    help="How much a hold may grow when updated or settled, as a fraction (0.1 = 10 %)."
                    value=state.max_pre_authorization_growth_rate
                    error=errors("maxPreAuthorizationGrowthRate")
                    hint=percent_hint(state.max_pre_authorization_growth_rate)
                    inputmode="decimal"
                />
                <Toggle
                    id="myCreditsEnabled".into()
                    label="Show \"My Credits\" in the storefront".into()
                    help="Buyers see their limit, balance and invoices."
                    checked=state.my_credits_enabled
                />
                <TextField
                    id="myCreditsUrl".into()
                    label="Your My Credits page".into()
                    help="Your store's page that signs the buyer in and opens My Credits (it asks Creditdesk for a buyer link); reminders name it while My Credits is shown. Empty = none."
                    value=state.my_credits_url
                    error=errors("myCreditsUrl")
                    inputmode="url"
                />
            </section>

            <section class="card">
                <h2>"Reminders"</h2>
                <p class="help">"When buyers are reminded of an invoice, relative to its due date, at the time of day in the store's time zone. Each reminder goes to webhooks (invoice.reminder) and by email to the account and its holders."</p>
                <EmailSetup/>
                <TextField
                    id="timeZone".into()
                    label="Time zone".into()
                    help="Where the reminders' times of day are read (an IANA name; type to search)."
                    value=state.time_zone
                    error=errors("timeZone")
                    list="time-zones"
                />
                <datalist id="time-zones">
                    {time_zones().into_iter().map(|zone| view! { <option value=zone></option> }).collect_view()}
                </datalist>
                <div class="grid-2">
                    <NotificationRules
                        title="Before the due date"
                        path="notificationsSettings.daysPrior"
                        rows=state.days_prior
                        state
                        form
                    />
                    <NotificationRules
                        title="After the due date"
                        path="notificationsSettings.daysAfter"
                        rows=state.days_after
                        state
                        form
                    />
                </div>
            </section>

            {move || form.general().get().map(|text| view! { <div class="notice notice-error" role="alert">{text}</div> })}
            <div class="form-actions">
                <span class="muted" role="status">
                    {move || match form.invalid_count() {
                        0 => String::new(),
                        1 => "1 field needs attention.".to_owned(),
                        n => format!("{n} fields need attention."),
                    }}
                </span>
                <button
                    id="save-store-config"
                    type="submit"
                    class="primary"
                    disabled=move || { form.invalid_count() > 0 || form.pending().get() }
                >
                    {move || if form.pending().get() { "Saving…" } else { "Save configuration" }}
                </button>
            </div>
            <Toast message=toast/>
        </form>
    }
}

/// An editable list of reminders (`days` + `timeOfDay`), with add and remove.
#[component]
fn NotificationRules(
    /// The list's heading.
    title: &'static str,
    /// The JSON path of the list (`notificationsSettings.daysPrior`), for error messages.
    path: &'static str,
    /// The rows being edited.
    rows: RwSignal<Vec<RuleRow>>,
    /// The inputs, to create rows.
    state: FormState,
    /// The form, for each field's message.
    form: Form,
) -> impl IntoView {
    let index_of = move |key: u32| rows.with(|rows| rows.iter().position(|r| r.key == key));
    let row_error = move |key: u32, field: &'static str| {
        Signal::derive(move || {
            let i = index_of(key)?;
            form.message(&format!("{path}[{i}].{field}")).or_else(|| {
                if field == "days" {
                    form.message(&format!("{path}[{i}]"))
                } else {
                    None
                }
            })
        })
    };
    let id_base = path.replace('.', "-");
    let full = move || rows.with(|rows| rows.len() >= usize::from(NOTIFICATION_RULES_MAX));
    view! {
        <fieldset class="rules">
            <legend>{title}</legend>
            <p class="error-text" role="alert">{move || form.message(path)}</p>
            <For
                each=move || rows.get()
                key=|row| row.key
                children=move |row: RuleRow| {
                    let id = format!("{id_base}-{}", row.key);
                    view! {
                        <div class="rule-row">
                            <TextField
                                id=format!("{id}-days")
                                label="Days".into()
                                value=row.days
                                error=row_error(row.key, "days")
                                inputmode="numeric"
                            />
                            <TextField
                                id=format!("{id}-time")
                                label="Time (HH:MM:SS)".into()
                                value=row.time_of_day
                                error=row_error(row.key, "timeOfDay")
                            />
                            <button
                                type="button"
                                class="icon-button"
                                aria-label="Remove this reminder"
                                on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))
                            >
                                "×"
                            </button>
                        </div>
                    }
                }
            />
            <button
                type="button"
                class="secondary"
                disabled=full
                on:click=move |_| {
                    let row = state.row(None);
                    rows.update(|rows| rows.push(row));
                }
            >
                "Add a reminder"
            </button>
        </fieldset>
    }
}
