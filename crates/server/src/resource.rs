//! What an app key may do: core's [`Resource`] (its own module, below both `auth`, which checks
//! them, and `error`, which names the one missing).

pub use creditdesk_core::keys::Resource;
