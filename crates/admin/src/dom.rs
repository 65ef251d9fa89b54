//! What the admin asks of the browser: its clock, a confirmation, `localStorage`, random bytes,
//! URL decoding and saving a file. Only this module and the components touch `web_sys`.

use creditdesk_core::ids::FriendlyCode;
use creditdesk_core::Timestamp;
use wasm_bindgen::JsCast;

use crate::api::AdminError;

/// Now, from the browser's clock (to mark overdue invoices, and as the clock of the engine in
/// this page when there is no server).
pub fn browser_now() -> Timestamp {
    let micros = (js_sys::Date::now() * 1000.0) as i64;
    Timestamp::from_unix_micros(micros).unwrap_or_else(|_| Timestamp::from_unix_micros(0).unwrap())
}

/// The time zones this browser knows (the IANA names of `Intl.supportedValuesOf`), `UTC`
/// first: the suggestions of the store's time zone field.
pub fn time_zones() -> Vec<String> {
    let known = js_sys::Intl::supported_values_of(js_sys::Intl::SupportedValuesKey::TimeZone);
    let mut zones = vec!["UTC".to_owned()];
    zones.extend(known.iter().map(String::from).filter(|zone| zone != "UTC"));
    zones
}

/// Asks the user to confirm an irreversible action.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

fn local_storage() -> Result<web_sys::Storage, AdminError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| {
            AdminError::Browser(
                "this browser keeps no local data (private mode?); connect to a server instead"
                    .to_owned(),
            )
        })
}

pub fn local_storage_get(key: &str) -> Result<Option<String>, AdminError> {
    local_storage()?
        .get_item(key)
        .map_err(|_| AdminError::Browser("this browser refused to read its local data".to_owned()))
}

pub fn local_storage_set(key: &str, value: &str) -> Result<(), AdminError> {
    local_storage()?.set_item(key, value).map_err(|_| {
        AdminError::Browser(
            "this browser refused to keep the change (its storage is full?); export the data and \
             move it to a server"
                .to_owned(),
        )
    })
}

/// 16 random bytes from the browser's cryptographic generator (new ids).
pub fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}

/// A settlement's friendly code: 8 random letters and digits.
pub fn random_code() -> FriendlyCode {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let code: String = random_bytes()[..8]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    code.parse().expect("8 alphanumerics")
}

/// Percent-decoding of one path segment (a `+` is itself).
pub fn decode(text: &str) -> String {
    percent_decode(text, Plus::Itself)
}

/// What a `+` means where it is decoded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plus {
    Itself,
    /// In a query, `+` is a space.
    Space,
}

fn percent_decode(text: &str, plus: Plus) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus == Plus::Space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query string (`a=1&b=x%20y`) as decoded pairs, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (
                percent_decode(key, Plus::Space),
                percent_decode(value, Plus::Space),
            )
        })
        .collect()
}

/// Offers `text` to the user as a file named `name`.
pub fn download(name: &str, text: &str, media_type: &str) -> Result<(), AdminError> {
    let fail = |_| AdminError::Browser("this browser refused to save the file".to_owned());
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| AdminError::Browser("no document".to_owned()))?;
    let link: web_sys::HtmlAnchorElement =
        document
            .create_element("a")
            .map_err(fail)?
            .dyn_into()
            .map_err(|_| AdminError::Browser("no link element".to_owned()))?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Waits `ms` milliseconds on the browser's timer (a job's progress read again).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The file chosen in a file input, if any.
pub fn chosen_file(input: &leptos::prelude::NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
    use leptos::prelude::GetUntracked;
    input
        .get_untracked()
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}

/// A chosen file's name and text; none chosen is the field `file` refused with `missing`.
pub async fn file_text(
    chosen: Option<web_sys::File>,
    missing: &str,
) -> Result<(String, String), AdminError> {
    let file = chosen.ok_or_else(|| {
        AdminError::Invalid(creditdesk_core::ValidationErrors::single("file", missing))
    })?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| AdminError::Browser("this browser could not read the file".into()))?;
    Ok((file.name(), text))
}
