//! Who is signed in: the app key and token, kept in the tab's `sessionStorage` only (gone when
//! the browser session ends; never in `localStorage`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "creditdesk.credentials";

/// An app key and its token, sent with every API call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub app_key: String,
    pub app_token: String,
}

/// The signed-in state, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct Session(RwSignal<Option<Credentials>>);

impl Session {
    /// From `sessionStorage` (a reload keeps the user signed in).
    pub fn restore() -> Session {
        let stored = storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok());
        Session(RwSignal::new(stored))
    }

    /// A session that is not stored anywhere (components under test).
    pub fn in_memory(credentials: Option<Credentials>) -> Session {
        Session(RwSignal::new(credentials))
    }

    pub fn credentials(&self) -> Option<Credentials> {
        self.0.get()
    }

    /// The credentials for a call, or the error to show when the user signed out meanwhile.
    pub fn require(&self) -> Result<Credentials, crate::api::AdminError> {
        self.0
            .get_untracked()
            .ok_or_else(|| crate::api::AdminError::Network("not signed in".into()))
    }

    pub fn sign_in(&self, credentials: Credentials) {
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&credentials)) {
            let _ = storage.set_item(STORAGE_KEY, &text);
        }
        self.0.set(Some(credentials));
    }

    pub fn sign_out(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
        self.0.set(None);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The session from context; a session with no credentials when none was provided.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session::in_memory(None))
}
