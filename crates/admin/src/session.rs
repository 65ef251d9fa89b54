//! Who is signed in, and where the requests go: a [`Backend`] kept in the tab's `sessionStorage`
//! (gone when the browser session ends; credentials never in `localStorage`).

use leptos::prelude::*;

use crate::api::AdminError;
use crate::backend::Backend;
pub use crate::backend::Credentials;

const STORAGE_KEY: &str = "creditdesk.backend";

/// The signed-in state, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct Session(RwSignal<Option<Backend>>);

impl Session {
    /// From `sessionStorage` (a reload keeps the user signed in).
    pub fn restore() -> Session {
        let stored = storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok());
        Session(RwSignal::new(stored))
    }

    /// A session that is not stored anywhere (components under test).
    pub fn in_memory(backend: Option<Backend>) -> Session {
        Session(RwSignal::new(backend))
    }

    /// Where requests go now (tracked: a resource reading it loads again after a sign-in).
    pub fn backend(&self) -> Result<Backend, AdminError> {
        self.0.get().ok_or(AdminError::SignedOut)
    }

    /// Where requests go, for a command about to run (not tracked).
    pub fn require(&self) -> Result<Backend, AdminError> {
        self.0.get_untracked().ok_or(AdminError::SignedOut)
    }

    pub fn is_signed_in(&self) -> bool {
        self.0.with(Option::is_some)
    }

    pub fn sign_in(&self, backend: Backend) {
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(&backend)) {
            let _ = storage.set_item(STORAGE_KEY, &text);
        }
        self.0.set(Some(backend));
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

/// The session from context; a session signed out when none was provided.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session::in_memory(None))
}
