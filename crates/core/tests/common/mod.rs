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
