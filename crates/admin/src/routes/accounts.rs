//! The Accounts screen.

use leptos::prelude::*;

use crate::components::layout::{ComingSoon, PageHeader};

#[component]
pub fn AccountsPage() -> impl IntoView {
    view! {
        <PageHeader title="Accounts" lead="Buyers who may pay on account, their limits and balances."/>
        <ComingSoon what="Search, open and manage credit accounts, their holders, holds and statements."/>
    }
}
