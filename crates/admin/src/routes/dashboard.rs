//! The Dashboard screen.

use leptos::prelude::*;

use crate::components::layout::{ComingSoon, PageHeader};

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <PageHeader title="Dashboard" lead="Totals, credit utilisation, invoice aging and what falls due this week."/>
        <ComingSoon what="The dashboard will show credit extended, outstanding and overdue amounts at a glance."/>
    }
}
