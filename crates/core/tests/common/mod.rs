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
