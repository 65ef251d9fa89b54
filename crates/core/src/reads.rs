//! What each command reads of an account's history.
//!
//! A [`Book`] in storage is never loaded whole: an account hot at checkout has thousands of holds
//! and invoices. Every command reads the account and what its active holds hold in all, plus the
//! [`Read`]s its constructor here names; storage loads exactly those (translating each to SQL)
//! and [`Book::loaded`] says the same in memory. The engine's tests run every step of every
//! scenario on the whole book and on the book loaded with the step's reads, and require the same
//! answer and the same changes — so a command that reads something its `Reads` does not name
//! fails a test instead of answering wrong.

use crate::book::Book;
use crate::ids::{InvoiceId, StatementId, TransactionId};
use crate::invoice::InvoiceStatus;
use crate::money::Money;
use crate::timestamp::Timestamp;
use crate::transaction::TransactionStatus;

/// Most transactions [`Read::RecentTransactions`] reads.
pub const TRANSACTIONS_LISTED_MAX: u32 = 1000;

/// One thing a command reads besides the account and the sum of its active holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// One transaction of the account, whatever its status (left out of the summed holds).
    Transaction(TransactionId),
    /// Every invoice of this transaction.
    TransactionInvoices(TransactionId),
    /// One invoice of the account.
    Invoice(InvoiceId),
    /// Every credit (posted or reversed) of this invoice.
    InvoiceCredits(InvoiceId),
    /// Every open invoice of the account.
    OpenInvoices,
    /// The open invoice due first (earliest due date, then smallest id), if any.
    OldestOpenInvoice,
    /// Open invoices due before now that are not marked overdue yet.
    NewlyOverdue,
    Holders,
    /// The entry with this statement id, if any.
    StatementEntry(StatementId),
    /// Every entry of the account.
    Entries,
    /// Holds still `Authorized` whose time has passed.
    ExpiredHolds,
    /// The newest transactions (creation time, then id, descending), at most
    /// [`TRANSACTIONS_LISTED_MAX`], instead of the summed holds: for reading only.
    RecentTransactions,
}

/// What one command reads: the account, the sum of its active holds, and these. (No `Default`:
/// a command says what it reads, [`Reads::account`] when nothing more.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reads(Vec<Read>);

impl Reads {
    /// These reads (a command's own constructor below says which it needs).
    pub fn of(reads: &[Read]) -> Reads {
        Reads(reads.to_vec())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Read> {
        self.0.iter()
    }

    /// Whether `read` is among these.
    pub fn has(&self, read: &Read) -> bool {
        self.0.contains(read)
    }

    /// The one transaction these name, if any (storage leaves it out of the summed holds).
    pub fn transaction(&self) -> Option<&TransactionId> {
        self.0.iter().find_map(|r| match r {
            Read::Transaction(id) => Some(id),
            _ => None,
        })
    }

    // ----- per command (the `Book` method of the same name) -----------------------------------

    /// Opening, updating, a limit or tolerance change, a new hold with a new id, the account's
    /// view: the account and its summed holds only.
    pub fn account() -> Reads {
        Reads::of(&[])
    }

    /// [`Book::create_hold`] under `config`: the account, and the open invoice due first when
    /// the store refuses holds for overdue invoices (`overdueBlockDays`).
    pub fn new_hold(config: &crate::store_config::StoreConfig) -> Reads {
        match config.overdue_block_days() {
            Some(_) => Reads::of(&[Read::OldestOpenInvoice]),
            None => Reads::account(),
        }
    }

    /// [`Book::close`]: every open invoice (the active holds are summed).
    pub fn close() -> Reads {
        Reads::of(&[Read::OpenInvoices])
    }

    /// [`Book::add_holder`], [`Book::remove_holder`], the holder list.
    pub fn holders() -> Reads {
        Reads::of(&[Read::Holders])
    }

    /// [`Book::update_hold`], [`Book::put_hold`], [`Book::cancel_hold`], a transaction's view.
    pub fn hold(id: &TransactionId) -> Reads {
        Reads::of(&[Read::Transaction(id.clone())])
    }

    /// [`Book::settle`] and [`Book::refund`]: the transaction and every invoice of it.
    pub fn settlement(id: &TransactionId) -> Reads {
        Reads::of(&[
            Read::Transaction(id.clone()),
            Read::TransactionInvoices(id.clone()),
        ])
    }

    /// [`Book::pay`], [`Book::write_off`], [`Book::cancel_invoice`],
    /// [`Book::postpone_invoice`], an invoice's view.
    pub fn invoice(id: &InvoiceId) -> Reads {
        Reads::of(&[Read::Invoice(id.clone())])
    }

    /// [`Book::change_invoice`] (reopening reverses the invoice's credits),
    /// [`Book::reverse_credit`] of a credit of this invoice, the invoice's credit list.
    pub fn invoice_credits(id: &InvoiceId) -> Reads {
        Reads::of(&[Read::Invoice(id.clone()), Read::InvoiceCredits(id.clone())])
    }

    /// [`Book::debit`]: the entry with its statement id, if any.
    pub fn debit(statement_id: &StatementId) -> Reads {
        Reads::of(&[Read::StatementEntry(statement_id.clone())])
    }

    /// [`Book::statement`]: every entry.
    pub fn statement() -> Reads {
        Reads::of(&[Read::Entries])
    }

    /// [`Book::expire_holds`]: the holds whose time has passed.
    pub fn expiry() -> Reads {
        Reads::of(&[Read::ExpiredHolds])
    }

    /// [`Book::mark_overdue`]: the open invoices fallen due and not yet marked.
    pub fn overdue() -> Reads {
        Reads::of(&[Read::NewlyOverdue])
    }

    /// The account's transaction list.
    pub fn transaction_list() -> Reads {
        Reads::of(&[Read::RecentTransactions])
    }
}

impl Book {
    /// This book as storage loads it for `reads` at `now`: the account, what `reads` name, and
    /// the other active holds summed into `held_elsewhere`. Items come in the order storage reads
    /// them.
    pub fn loaded(&self, reads: &Reads, now: Timestamp) -> Book {
        let mut book = Book::new(self.account.clone());
        if reads.has(&Read::RecentTransactions) {
            let mut recent: Vec<_> = self.transactions.clone();
            crate::order::sort_by(&mut recent, |a, b| {
                (b.created_at, &b.id).cmp(&(a.created_at, &a.id))
            });
            recent.truncate(TRANSACTIONS_LISTED_MAX as usize);
            book.transactions = recent;
        } else {
            let named = reads.transaction();
            let held: i64 = self
                .transactions
                .iter()
                .filter(|t| Some(&t.id) != named)
                .map(|t| t.held(now).minor())
                .sum();
            book.held_elsewhere = Money::saturating_from_minor(held + self.held_elsewhere.minor());
        }
        let push_transaction = |book: &mut Book, t: &crate::transaction::Transaction| {
            if !book.transactions.iter().any(|x| x.id == t.id) {
                book.transactions.push(t.clone());
            }
        };
        let push_invoice = |book: &mut Book, i: &crate::invoice::Invoice| {
            if !book.invoices.iter().any(|x| x.id == i.id) {
                book.invoices.push(i.clone());
            }
        };
        for read in reads.iter() {
            match read {
                Read::ExpiredHolds => {
                    let expired = self.transactions.iter().filter(|t| {
                        t.status == TransactionStatus::Authorized && t.expires_at <= now
                    });
                    expired.for_each(|t| push_transaction(&mut book, t));
                }
                Read::Transaction(id) => {
                    if let Some(t) = self.transactions.iter().find(|t| t.id == *id) {
                        push_transaction(&mut book, t);
                    }
                }
                Read::TransactionInvoices(id) => {
                    let mut of: Vec<_> = self
                        .invoices
                        .iter()
                        .filter(|i| i.transaction_id == *id)
                        .collect();
                    crate::order::sort_by_key(&mut of, |i| i.installment);
                    of.into_iter().for_each(|i| push_invoice(&mut book, i));
                }
                Read::Invoice(id) => {
                    let found = self.invoices.iter().filter(|i| i.id == *id);
                    found.for_each(|i| push_invoice(&mut book, i));
                }
                Read::InvoiceCredits(id) => {
                    let mut of: Vec<_> = self
                        .credits
                        .iter()
                        .filter(|c| c.invoice_id == *id)
                        .cloned()
                        .collect();
                    crate::order::sort_by(&mut of, |a, b| a.locator.cmp(&b.locator));
                    book.credits.extend(of);
                }
                Read::OpenInvoices => {
                    let open = self
                        .invoices
                        .iter()
                        .filter(|i| i.status == InvoiceStatus::Opened);
                    open.for_each(|i| push_invoice(&mut book, i));
                }
                Read::OldestOpenInvoice => {
                    let oldest = crate::invoice::due_first(&self.invoices);
                    oldest.into_iter().for_each(|i| push_invoice(&mut book, i));
                }
                Read::NewlyOverdue => {
                    let newly = self.invoices.iter().filter(|i| i.is_newly_overdue(now));
                    newly.for_each(|i| push_invoice(&mut book, i));
                }
                Read::Holders => {
                    let mut holders = self.holders.clone();
                    crate::order::sort_by(&mut holders, |a, b| {
                        (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
                    });
                    book.holders = holders;
                }
                Read::StatementEntry(id) => {
                    if !reads.has(&Read::Entries) {
                        let with_id = self
                            .entries
                            .iter()
                            .filter(|e| e.statement_id.as_ref() == Some(id));
                        book.entries.extend(with_id.cloned());
                    }
                }
                Read::Entries => {
                    book.entries = self.entries.clone();
                    crate::order::sort_by_key(&mut book.entries, |e| e.at);
                }
                Read::RecentTransactions => {}
            }
        }
        book
    }
}
