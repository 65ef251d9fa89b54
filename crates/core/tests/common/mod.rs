//! Shared by the case files that run on both targets.

/// `#[test]` natively, `#[wasm_bindgen_test]` in the browser.
#[macro_export]
macro_rules! case_test {
    ($(fn $name:ident() $body:block)*) => {$(
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() $body
    )*};
}

/// Splits a query string into decoded pairs (only `%20` needs decoding in these cases).
#[allow(dead_code)]
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.replace("%20", " "))
        })
        .collect()
}

/// One invoice of `value` (`paid` of it paid) due at `due` and created then: account `1_CPF`,
/// order `o-1`, installment 1 of 1.
#[allow(dead_code)]
pub fn invoice(
    value: &str,
    paid: &str,
    status: creditdesk_core::invoice::InvoiceStatus,
    due: creditdesk_core::Timestamp,
) -> creditdesk_core::invoice::Invoice {
    use creditdesk_core::ids::{FriendlyId, InvoiceId, TransactionId};
    use creditdesk_core::invoice::Invoice;
    use creditdesk_core::Money;
    let tx: TransactionId = "0123456789ABCDEF0123456789ABCDEF".parse().unwrap();
    Invoice {
        id: InvoiceId::new(&tx, 1),
        friendly_id: FriendlyId::new(&"AbCd1234".parse().unwrap(), 1),
        account_id: "1_CPF".parse().unwrap(),
        transaction_id: tx,
        order_id: "o-1".to_owned(),
        installment: 1,
        number_of_installments: 1,
        value: value.parse().unwrap(),
        credit_value: Money::ZERO,
        paid_value: paid.parse().unwrap(),
        written_off_value: Money::ZERO,
        interest_paid_value: Money::ZERO,
        interest_tax_paid_value: Money::ZERO,
        interest_through: None,
        overdue_at: None,
        status,
        created_at: due,
        updated_at: due,
        resolved_at: None,
        original_due_date: due,
        due_date: due,
        postponements: 0,
        postponed_days: 0,
        observation: None,
        payment_link: None,
    }
}
