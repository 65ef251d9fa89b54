//! The company-credit API's operation types of the ledger's entries (core's `company`), as a
//! table: every entry kind, the first limit Allocated and the later ones Updated, a settlement
//! change by its sign. Native and wasm.

use creditdesk_core::company::{operation_types, OperationType};
use creditdesk_core::ledger::{Entry, EntryKind};

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn entry(kind: EntryKind, value: &str) -> Entry {
    Entry {
        account_id: "1_CPF".parse().unwrap(),
        kind,
        value: value.parse().unwrap(),
        at: "2024-03-01T00:00:00Z".parse().unwrap(),
        actor: "admin".parse().unwrap(),
        transaction_id: None,
        installment: None,
        number_of_installments: None,
        statement_id: None,
        reason: None,
        credit: None,
    }
}

/// (entry kind, value) in book order → the operation type's code.
const HISTORY: &[(EntryKind, &str, u8)] = &[
    (EntryKind::CreditLimitChanged, "1000", 1),
    (EntryKind::Settlement, "-100", 3),
    (EntryKind::CreditLimitChanged, "500", 2),
    (EntryKind::CreditLimitChanged, "-200", 2),
    (EntryKind::ToleranceChanged, "0.1", 2),
    (EntryKind::SettlementChanged, "-10", 3),
    (EntryKind::SettlementChanged, "5", 5),
    (EntryKind::SettlementChanged, "0", 3),
    (EntryKind::Refund, "20", 5),
    (EntryKind::InvoicePaid, "30", 4),
    (EntryKind::PaymentReversed, "-30", 6),
    (EntryKind::InvoiceCancelled, "40", 6),
    (EntryKind::ManualDebit, "-7", 3),
    (EntryKind::WriteOff, "0.05", 2),
    (EntryKind::WriteOffReversed, "-0.05", 6),
    (EntryKind::Interest, "-1", 2),
    (EntryKind::InterestTax, "-0.1", 2),
    (EntryKind::InterestReversed, "1", 6),
    (EntryKind::InterestTaxReversed, "0.1", 6),
];

case_test! {
    fn every_entry_has_its_operation_type() {
        let entries: Vec<Entry> = HISTORY.iter().map(|(k, v, _)| entry(*k, v)).collect();
        let got: Vec<u8> = operation_types(&entries).iter().map(|t| t.code()).collect();
        let want: Vec<u8> = HISTORY.iter().map(|(_, _, code)| *code).collect();
        assert_eq!(got, want);
        // Every kind is in the table.
        for kind in EntryKind::ALL {
            assert!(HISTORY.iter().any(|(k, _, _)| *k == kind), "{kind:?}");
        }
        // The first limit change of a history is the allocation, wherever it falls.
        let later = [entry(EntryKind::Settlement, "-1"), entry(EntryKind::CreditLimitChanged, "10"), entry(EntryKind::CreditLimitChanged, "20")];
        let codes: Vec<u8> = operation_types(&later).iter().map(|t| t.code()).collect();
        assert_eq!(codes, [3, 1, 2]);
        assert!(operation_types(&[]).is_empty());
    }

    fn operation_types_read_back_by_code() {
        for (n, kind) in OperationType::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(kind.code()), n + 1);
            assert_eq!(OperationType::from_code(kind.code()), Some(kind));
        }
        assert_eq!(OperationType::from_code(0), None);
        assert_eq!(OperationType::from_code(7), None);
        let names: Vec<&str> = OperationType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["Allocated", "Updated", "Purchased", "Reimbursed", "Refunded", "Reverted"]);
    }
}
