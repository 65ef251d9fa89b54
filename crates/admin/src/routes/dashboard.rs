//! The Dashboard: store totals, how accounts use their credit, how late open invoices are, and
//! what falls due this week. Charts are SVG drawn here (no chart library).

use crate::router::A;
use creditdesk_core::dashboard::Dashboard;
use creditdesk_core::Money;
use leptos::prelude::*;

use crate::api;
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::format;
use crate::session::use_session;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let data = Load::new(move || {
        let backend = session.backend();
        async move {
            let backend = backend?;
            api::dashboard(&backend).await
        }
    });
    view! {
        <PageHeader title="Dashboard" lead="Credit extended and used, what buyers owe and how late, and what falls due this week."/>
        {loading("Adding up the store…", move || data.get().map(|r| r.map(|d| view! {
            <Totals dashboard=d.clone()/>
            <div class="grid-2">
                <UsageChart dashboard=d.clone()/>
                <AgingChart dashboard=d.clone()/>
            </div>
            <DueSoon dashboard=d/>
        }.into_any())))}
    }
}

/// The headline figures, each with what it means.
#[component]
fn Totals(
    /// The store's figures.
    dashboard: Dashboard,
) -> impl IntoView {
    let d = dashboard;
    let tiles = [
        (
            "accounts",
            "Accounts",
            format!("{}", d.accounts),
            format!("{} open", d.open_accounts),
        ),
        (
            "extended",
            "Credit extended",
            format::money(d.credit_extended),
            "Sum of the limits of open accounts".to_owned(),
        ),
        (
            "outstanding",
            "Outstanding",
            format::money(d.outstanding),
            "Open invoices".to_owned(),
        ),
        (
            "overdue",
            "Overdue",
            format::money(d.overdue),
            "Open invoices past their due date".to_owned(),
        ),
        (
            "interest",
            "Overdue interest",
            format::money(d.overdue_interest),
            "Interest and its tax owed on them today, charged when paid".to_owned(),
        ),
        (
            "available",
            "Available",
            format::money(d.available),
            "What open accounts may still spend".to_owned(),
        ),
        (
            "held",
            "Held",
            format::money(d.held),
            "Pre-authorized, not yet settled".to_owned(),
        ),
    ];
    view! {
        <section class="tiles" aria-label="Totals">
            {tiles.into_iter().map(|(id, label, value, help)| view! {
                <div class="card tile" id=format!("total-{id}")>
                    <p class="tile-label">{label}</p>
                    <p class="tile-value" class:negative=id == "overdue" && d.overdue.is_positive()>{value}</p>
                    <p class="help">{help}</p>
                </div>
            }).collect_view()}
        </section>
    }
}

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The bar's length is `measure / max measure`.
    pub measure: i64,
    /// What is written at the end of the bar.
    pub text: String,
}

/// Bar lengths in SVG units (0 to `width`) for `bars`, proportional to their measures.
pub fn bar_lengths(bars: &[Bar], width: i64) -> Vec<i64> {
    let max = bars.iter().map(|b| b.measure).max().unwrap_or(0).max(1);
    bars.iter()
        .map(|b| (i128::from(b.measure.max(0)) * i128::from(width) / i128::from(max)) as i64)
        .collect()
}

/// A labelled horizontal bar chart, as SVG with a text alternative.
#[component]
pub fn BarChart(
    /// The chart's id (tests and links find it).
    id: &'static str,
    /// What the chart shows, for screen readers.
    description: String,
    /// The bars, top to bottom.
    bars: Vec<Bar>,
    /// Colour class of the bars.
    #[prop(optional)]
    tone: &'static str,
) -> impl IntoView {
    const LABEL_W: i64 = 110;
    const BAR_W: i64 = 200;
    const ROW_H: i64 = 30;
    let lengths = bar_lengths(&bars, BAR_W);
    let height = ROW_H * bars.len() as i64;
    let label = description.clone();
    view! {
        <svg id=id class=format!("chart {tone}") role="img" aria-label=label
            viewBox=format!("0 0 {} {height}", LABEL_W + BAR_W + 110) preserveAspectRatio="xMinYMin meet">
            <title>{description}</title>
            {bars.into_iter().zip(lengths).enumerate().map(|(i, (bar, length))| {
                let y = i as i64 * ROW_H;
                view! {
                    <g class="bar" data-label=bar.label.clone() data-measure=bar.measure.to_string()>
                        <text x=LABEL_W - 8 y=y + 19 text-anchor="end" class="chart-label">{bar.label.clone()}</text>
                        <rect x=LABEL_W y=y + 6 width=length.max(1) height=ROW_H - 12 rx="3"></rect>
                        <text x=LABEL_W + length + 6 y=y + 19 class="chart-value">{bar.text}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// Accounts by how much of their limit they use.
#[component]
fn UsageChart(
    /// The store's figures.
    dashboard: Dashboard,
) -> impl IntoView {
    let bars: Vec<Bar> = dashboard
        .usage
        .iter()
        .map(|u| Bar {
            label: u.label.clone(),
            measure: i64::try_from(u.accounts).unwrap_or(i64::MAX),
            text: format!(
                "{} account{}",
                u.accounts,
                if u.accounts == 1 { "" } else { "s" }
            ),
        })
        .collect();
    let description = format!(
        "Open accounts by share of the limit used: {}",
        dashboard
            .usage
            .iter()
            .map(|u| format!("{} {}", u.label, u.accounts))
            .collect::<Vec<_>>()
            .join(", ")
    );
    view! {
        <section class="card">
            <h2>"Credit utilisation"</h2>
            <p class="help">"Open accounts by how much of their limit holds and debt use."</p>
            <BarChart id="usage-chart" description bars/>
        </section>
    }
}

/// Open invoices by days past due.
#[component]
fn AgingChart(
    /// The store's figures.
    dashboard: Dashboard,
) -> impl IntoView {
    let bars: Vec<Bar> = dashboard
        .aging
        .iter()
        .map(|a| Bar {
            label: a.label.clone(),
            measure: a.total.minor(),
            text: format!("{} ({})", format::money(a.total), a.count),
        })
        .collect();
    let description = format!(
        "Open invoices by days past due: {}",
        dashboard
            .aging
            .iter()
            .map(|a| format!("{} {}", a.label, a.total))
            .collect::<Vec<_>>()
            .join(", ")
    );
    view! {
        <section class="card">
            <h2>"Aging of open invoices"</h2>
            <p class="help">"Amount open by days past the due date (number of invoices in brackets)."</p>
            <BarChart id="aging-chart" description bars tone="warm"/>
        </section>
    }
}

/// Open invoices due in the next days.
#[component]
fn DueSoon(
    /// The store's figures.
    dashboard: Dashboard,
) -> impl IntoView {
    let soon = dashboard.due_soon;
    let more = soon.count > soon.invoices.len() as u64;
    let total: Money = soon.total;
    view! {
        <section class="card table-card">
            <h2>{format!("Due in the next {} days", soon.days)}</h2>
            <p class="muted" id="due-soon-summary">{format!("{} invoices, {}", soon.count, format::money(total))}</p>
            {if soon.invoices.is_empty() {
                view! { <p class="empty-row muted">"Nothing falls due this week."</p> }.into_any()
            } else {
                view! {
                    <table class="data">
                        <thead><tr><th scope="col">"Due"</th><th scope="col">"Account"</th><th scope="col">"Invoice"</th><th scope="col" class="num">"Value"</th></tr></thead>
                        <tbody>
                            {soon.invoices.into_iter().map(|i| view! {
                                <tr>
                                    <td>{format::date(i.due_date)}</td>
                                    <td><A href=format!("/accounts/{}", api::encode(&i.account_id))>{i.account_id.clone()}</A></td>
                                    <td><code>{i.friendly_id.clone()}</code></td>
                                    <td class="num">{format::money(i.value)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {more.then(|| view! { <p class="pager"><A href="/invoices?status=Opened">"See every open invoice"</A></p> })}
        </section>
    }
}
