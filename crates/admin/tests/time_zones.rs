//! Times in the store's zone, as the reminders panel shows them, and the zones the time zone
//! field suggests — from the browser's own `Intl`, in headless Chromium.

use creditdesk_admin::dom::time_zones;
use creditdesk_admin::format::date_time_in;
use creditdesk_core::Timestamp;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn instants_are_shown_in_the_stores_zone() {
    let at: Timestamp = "2024-03-09T12:00:00Z".parse().unwrap();
    // (zone, what the shown text contains: the local time, on a 12- or 24-hour clock).
    for (zone, hour) in [
        ("UTC", "12:00"),
        ("America/Sao_Paulo", "09:00"),
        ("Asia/Kolkata", "5:30"),
    ] {
        let shown = date_time_in(at, zone);
        assert!(shown.contains(hour), "{zone}: {shown}");
        assert!(shown.contains("2024"), "{zone}: {shown}");
    }
    // A zone the browser does not know: the instant itself, never a crash.
    assert_eq!(date_time_in(at, "Mars/Olympus_Mons"), at.to_string());
}

#[wasm_bindgen_test]
fn the_suggested_zones_are_the_browsers_with_utc_first() {
    let zones = time_zones();
    assert_eq!(zones[0], "UTC");
    assert_eq!(zones.iter().filter(|z| *z == "UTC").count(), 1);
    assert!(zones.len() > 100, "{}", zones.len());
    for zone in ["America/Sao_Paulo", "Europe/Berlin", "Asia/Tokyo"] {
        assert!(zones.iter().any(|z| z == zone), "{zone}");
    }
}
