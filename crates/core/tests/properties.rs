//! Property tests of core's invariants (native only: their random seeding needs OS entropy).

#![cfg(not(target_arch = "wasm32"))]

use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{Money, Rate};
use proptest::prelude::*;
use rust_decimal::Decimal;

proptest! {
    /// Every amount in range survives minor units, text and JSON unchanged.
    #[test]
    fn money_round_trips(minor in -Money::MAX_MINOR..=Money::MAX_MINOR) {
        let money = Money::from_minor(minor).unwrap();
        prop_assert_eq!(money.minor(), minor);
        prop_assert_eq!(money.to_string().parse::<Money>().unwrap(), money);
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
    }

    /// A decimal with more than two significant fractional digits is refused, never rounded.
    #[test]
    fn money_never_rounds(units in -1_000_000i64..1_000_000, extra in 1u32..=9) {
        let amount = Decimal::new(units * 1000 + i64::from(extra), 3);
        prop_assert!(Money::try_from(amount).is_err(), "{} was accepted", amount);
    }

    /// Rates in [0, 1] with up to 6 digits are kept exactly.
    #[test]
    fn rates_are_exact(millionths in 0i64..=1_000_000) {
        let fraction = Decimal::new(millionths, 6);
        let rate = Rate::try_from(fraction).unwrap();
        prop_assert_eq!(rate.fraction(), fraction.normalize());
        let json = serde_json::to_string(&rate).unwrap();
        prop_assert_eq!(serde_json::from_str::<Rate>(&json).unwrap(), rate);
    }

    /// Any valid configuration, written as the API writes it, reads back as itself; and applying
    /// the same update twice is the same as once.
    #[test]
    fn store_config_round_trips(
        interest in 0i64..=1_000_000, tax in 0i64..=1_000_000, growth in 0i64..=1_000_000,
        limit in 0u16..=100, days in 0u16..=365, credit in 0i64..=Money::MAX_MINOR,
        flags in proptest::array::uniform4(any::<bool>()),
        prior in proptest::collection::btree_set((0u16..=365, 0u8..24, 0u8..60), 0..=10),
    ) {
        let body = serde_json::json!({
            "dailyInterestRate": Decimal::new(interest, 6).to_string(),
            "taxRate": Decimal::new(tax, 6).to_string(),
            "maxPreAuthorizationGrowthRate": Decimal::new(growth, 6).to_string(),
            "invoicePostponementLimit": limit,
            "maxPostponementDays": days,
            "defaultCreditValue": Money::from_minor(credit).unwrap().to_string(),
            "postponementEnabled": flags[0],
            "toleranceEnabled": flags[1],
            "myCreditsEnabled": flags[2],
            "automaticCheckingAccountCreationEnabled": flags[3],
            "notificationsSettings": {
                "daysPrior": prior.iter().map(|(d, h, m)| serde_json::json!({
                    "days": d, "timeOfDay": format!("{h:02}:{m:02}:00")
                })).collect::<Vec<_>>()
            }
        });
        let config = StoreConfig::default().apply_update(&body).unwrap();
        let written = serde_json::to_string(&config).unwrap();
        let read: StoreConfig = serde_json::from_str(&written).unwrap();
        prop_assert_eq!(&read, &config);
        prop_assert_eq!(config.apply_update(&body).unwrap(), config.clone());
        prop_assert_eq!(config.max_postponement_days(), days);
        prop_assert_eq!(config.default_credit_value().minor(), credit);
    }
}

proptest! {
    /// Core's one sort orders exactly as the standard library's stable sort, equal keys kept in
    /// their first order (each item carries its first position to tell them apart).
    #[test]
    fn core_sort_is_the_std_stable_sort(keys in proptest::collection::vec(0u8..8, 0..64)) {
        let items: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
        let mut expected = items.clone();
        expected.sort_by_key(|&(key, _)| key);
        let mut by_key = items.clone();
        creditdesk_core::order::sort_by_key(&mut by_key, |&(key, _)| key);
        prop_assert_eq!(&by_key, &expected);
        let mut reversed = items.clone();
        creditdesk_core::order::sort_by(&mut reversed, |a, b| b.0.cmp(&a.0));
        expected.sort_by_key(|b| std::cmp::Reverse(b.0));
        prop_assert_eq!(&reversed, &expected);
    }
}
