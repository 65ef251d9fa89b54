//! The Invoices screen.

use leptos::prelude::*;

use crate::components::layout::{ComingSoon, PageHeader};

#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! {
        <PageHeader title="Invoices" lead="Every installment owed, paid or cancelled."/>
        <ComingSoon what="Search invoices with every filter, mark them paid, postpone or cancel them."/>
    }
}
