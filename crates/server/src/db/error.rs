//! Why storage could not do what was asked. It knows no HTTP: the server maps it to a status in
//! one place (its `error` module).

/// A failure of the storage floor. Opening and migrating the database report with `anyhow`
/// (they run once, at start, and say what to do); every operation afterwards returns this.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database failed or refused: connection, I/O, a constraint, a busy lock.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value this version cannot read (a hand-edited or damaged row). Nothing is
    /// written from it.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// A book broke one of core's invariants (`Book::check_loaded`) as loaded or as about to
    /// be written; nothing was written. Checked in debug and test builds.
    #[error("the book of {account} breaks an invariant {when}: {why}; nothing was written")]
    Broken {
        account: String,
        when: &'static str,
        why: String,
    },
    /// The transaction that carried this command with others (group commit) failed as a whole:
    /// nothing of any of them was written.
    #[error("the commit failed: {0}; nothing was written")]
    Batch(String),
    /// The command panicked: nothing of it was written (the others of its commit were).
    #[error("the command panicked; nothing of it was written")]
    Panicked,
    /// The command never got an answer: its writer stopped (the process is shutting down).
    /// Nothing of it was written.
    #[error("{0}")]
    Lost(&'static str),
    /// A credit rule only the database could check, at the write: the account was created by
    /// another request meanwhile (its key is taken).
    #[error("{0}")]
    Refused(creditdesk_core::CreditError),
    /// A store-wide bound would be passed (the endpoints a store may have): nothing written.
    #[error("{0}")]
    Limit(String),
}

impl StorageError {
    /// A stored value that does not read back: what it is and why.
    pub fn corrupt(what: impl std::fmt::Display) -> StorageError {
        StorageError::Corrupt(what.to_string())
    }
}
