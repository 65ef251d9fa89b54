//! The credit engine: one account's state and every command on it.
//!
//! A [`Book`] holds an account with the holders, transactions, invoices and entries a command
//! needs (the server loads them; see each command for what it reads). A command checks every
//! rule first and changes nothing when it refuses; when it succeeds it changes the book and
//! appends the entries that explain each money movement. Time, the actor and the store policy
//! come in a [`Ctx`]; new ids come as arguments. Nothing here reads a clock or the network.
//!
//! ```
//! use creditdesk_core::book::{Book, Ctx};
//! use creditdesk_core::commands::{CreateHold, OpenAccount};
//! use creditdesk_core::ids::{FriendlyCode, TransactionId};
//! use creditdesk_core::store_config::StoreConfig;
//! use creditdesk_core::{Money, Timestamp};
//! use serde_json::json;
//!
//! let config = StoreConfig::default();
//! let actor = "merchant@example.com".parse().unwrap();
//! let now: Timestamp = "2024-03-03T06:52:53Z".parse().unwrap();
//! let ctx = Ctx { now, actor: &actor, config: &config };
//!
//! let open = OpenAccount::from_json(&json!({
//!     "document": "11111111111", "documentType": "CPF", "email": "buyer@example.com",
//!     "creditLimit": "1000", "tolerance": 0
//! })).unwrap();
//! let mut book = Book::open(&open, &ctx);
//!
//! let hold = CreateHold::from_json(&json!({ "value": 100, "settle": true, "installments": 3 }), now).unwrap();
//! let id = TransactionId::from_bytes([7; 16]);
//! book.create_hold(&hold, id.clone(), &ctx).unwrap();
//! assert_eq!(book.balances(&ctx).available_credit.to_string(), "900.00");
//!
//! let code: FriendlyCode = "IBjuAsrJ".parse().unwrap();
//! book.settle(&id, "100".parse().unwrap(), &code, &ctx).unwrap();
//! let values: Vec<String> = book.invoices.iter().map(|i| i.value.to_string()).collect();
//! assert_eq!(values, ["33.34", "33.33", "33.33"]);
//! assert_eq!(book.account.balance.to_string(), "-100.00");
//! assert!(book.check_invariants().is_ok());
//! ```

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};

use crate::account::{
    tolerance_amount, Account, AccountStatus, Balances, Holder, HOLDERS_MAX, HOLDER_LEVEL,
};
use crate::commands::{
    Change, ChangeInvoice, CreateHold, CreditReason, OpenAccount, Pay, UpdateHold, UpsertAccount,
};
use crate::company::CompanyTerms;
use crate::credit::{Credit, CreditKind, CreditLocator, PaymentLocators, Reversal};
use crate::error::CreditError;
use crate::ids::{
    AccountId, Actor, Email, FriendlyCode, FriendlyId, HolderId, InvoiceId, StatementId,
    TransactionId,
};
use crate::installments;
use crate::interest::ChargedInterest;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::ledger::{statement, Entry, EntryKind, Statement};
use crate::money::Money;
use crate::rate::Rate;
use crate::store_config::StoreConfig;
use crate::timestamp::Timestamp;
use crate::transaction::{Transaction, TransactionStatus, SETTLE_HOLD_DAYS};

/// The largest balance (either sign) an account may reach, in minor units.
pub const BALANCE_MAX_MINOR: i64 = Money::TOTAL_MAX_MINOR / 10;

/// When, who, and under which store policy a command runs.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub actor: &'a Actor,
    pub config: &'a StoreConfig,
}

/// One account and what of its history a command needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Book {
    pub account: Account,
    pub holders: Vec<Holder>,
    pub transactions: Vec<Transaction>,
    /// What the account's active holds that are *not* in `transactions` hold in all. Storage
    /// sums them instead of loading each (an account hot at checkout has thousands); a command
    /// that works on one hold gets that hold loaded. Zero for a book built in memory (and for
    /// one read from a dump, which holds every transaction).
    #[serde(skip)]
    pub held_elsewhere: Money,
    pub invoices: Vec<Invoice>,
    pub entries: Vec<Entry>,
    /// Payments and write-offs (see [`crate::credit`]), posted and reversed.
    #[serde(default)]
    pub credits: Vec<Credit>,
}

/// What a settlement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The hold became invoices.
    Created,
    /// An existing settlement got a new value.
    Changed,
    /// The same value again: nothing to do.
    Unchanged,
}

/// Whether every invoice of a transaction is in the book (so they must add up).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Whole {
    Read,
    NotRead,
}

/// Whether interest is charged or given back.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Charge {
    Post,
    GiveBack,
}

/// Which way a settlement changes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Lower,
    Raise,
}

/// Why value comes off a settlement's open invoices.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TakeOff {
    /// The settlement was lowered: the value is gone.
    Lowered,
    /// A refund: the value is kept as the invoice's `credit_value`.
    Refund,
}

/// A movement about to be recorded.
struct Movement {
    kind: EntryKind,
    value: Money,
    transaction_id: Option<TransactionId>,
    installment: Option<u16>,
    number_of_installments: Option<u16>,
    statement_id: Option<StatementId>,
    reason: Option<String>,
    credit: Option<CreditLocator>,
    operation: Option<crate::company::OperationType>,
    purchase_order: Option<String>,
}

impl Movement {
    fn new(kind: EntryKind, value: Money) -> Movement {
        Movement {
            kind,
            value,
            transaction_id: None,
            installment: None,
            number_of_installments: None,
            statement_id: None,
            reason: None,
            credit: None,
            operation: None,
            purchase_order: None,
        }
    }

    /// A movement of one invoice (paid, cancelled, credited).
    fn of_invoice(kind: EntryKind, value: Money, invoice: &Invoice) -> Movement {
        Movement {
            transaction_id: Some(invoice.transaction_id.clone()),
            installment: Some(invoice.installment),
            number_of_installments: Some(invoice.number_of_installments),
            ..Movement::new(kind, value)
        }
    }

    /// A movement of a whole transaction (its settlement, a change of it, a refund).
    fn of_transaction(kind: EntryKind, value: Money, transaction: &Transaction) -> Movement {
        Movement {
            transaction_id: Some(transaction.id.clone()),
            number_of_installments: Some(transaction.installments),
            ..Movement::new(kind, value)
        }
    }
}

/// `value × (1 + rate)`, rounded down to the cent.
fn grown(value: Money, rate: Rate) -> Money {
    let max = (value.amount() * (rust_decimal::Decimal::ONE + rate.fraction()))
        .round_dp_with_strategy(Money::SCALE, RoundingStrategy::ToZero);
    Money::try_from(max).unwrap_or(Money::MAX)
}

fn money(minor: i64) -> Money {
    Money::saturating_from_minor(minor)
}

impl Book {
    // ----- accounts --------------------------------------------------------------------------

    /// A new open account. An initial limit or tolerance is recorded as a change from zero.
    pub fn open(command: &OpenAccount, ctx: &Ctx) -> Book {
        let account = Account {
            id: command.account_id(),
            document: command.document.clone(),
            document_type: command.document_type.clone(),
            email: Some(command.email.clone()),
            description: command.description.clone(),
            credit_limit: Money::ZERO,
            tolerance: Rate::ZERO,
            status: AccountStatus::Open,
            balance: Money::ZERO,
            created_at: ctx.now,
            updated_at: ctx.now,
            company: CompanyTerms {
                company_id: command.company_id,
                ..CompanyTerms::default()
            },
        };
        let mut book = Book::new(account);
        book.change_credit_limit(
            &Change {
                value: command.credit_limit,
                reason: None,
            },
            ctx,
        );
        book.change_tolerance(
            &Change {
                value: command.tolerance,
                reason: None,
            },
            ctx,
        );
        book
    }

    /// The account a pre-authorization opens for an unknown buyer, when the store allows it:
    /// the store's `defaultCreditValue` as limit, no tolerance, no email.
    pub fn open_automatically(id: &AccountId, ctx: &Ctx) -> Result<Book, CreditError> {
        if !ctx.config.automatic_checking_account_creation_enabled() {
            return Err(CreditError::AccountNotFound(id.clone()));
        }
        let (document, document_type) = id.parts();
        let account = Account {
            id: id.clone(),
            document,
            document_type,
            email: None,
            description: None,
            credit_limit: Money::ZERO,
            tolerance: Rate::ZERO,
            status: AccountStatus::Open,
            balance: Money::ZERO,
            created_at: ctx.now,
            updated_at: ctx.now,
            company: CompanyTerms::default(),
        };
        let mut book = Book::new(account);
        let limit = Change {
            value: ctx.config.default_credit_value(),
            reason: Some("opened automatically at checkout".into()),
        };
        book.change_credit_limit(&limit, ctx);
        Ok(book)
    }

    /// A book of a stored account, with nothing else loaded yet.
    pub fn new(account: Account) -> Book {
        Book {
            account,
            holders: Vec::new(),
            transactions: Vec::new(),
            held_elsewhere: Money::ZERO,
            invoices: Vec::new(),
            entries: Vec::new(),
            credits: Vec::new(),
        }
    }

    /// Gives every invoice paid before credits existed its payment credit
    /// ([`crate::credit::upgrade_legacy`]); returns how many. For books read from older dumps.
    pub fn upgrade_legacy_payments(&mut self) -> usize {
        let credits: Vec<Credit> = self
            .invoices
            .iter_mut()
            .filter_map(crate::credit::upgrade_legacy)
            .collect();
        let count = credits.len();
        self.credits.extend(credits);
        count
    }

    /// The account created by `PUT /accounts/{id}` when it did not exist.
    pub fn create_by_upsert(id: &AccountId, command: &UpsertAccount, ctx: &Ctx) -> Book {
        let (document, document_type) = id.parts();
        let open = OpenAccount {
            document,
            document_type,
            email: command.email.clone(),
            credit_limit: command.credit_limit.unwrap_or(Money::ZERO),
            tolerance: command.tolerance.unwrap_or(Rate::ZERO),
            description: command.description.clone(),
            company_id: command.company_id,
        };
        Book::open(&open, ctx)
    }

    /// `PUT /accounts/{id}` on an existing account: email, description, limit and tolerance;
    /// a closed account is reopened. The same values again change nothing, `updatedAt`
    /// included (an unchanged account imported again is left as it was).
    pub fn update(&mut self, command: &UpsertAccount, ctx: &Ctx) {
        let before = self.account.clone();
        self.account.email = Some(command.email.clone());
        if command.description.is_some() {
            self.account.description = command.description.clone();
        }
        if command.company_id.is_some() {
            self.account.company.company_id = command.company_id;
        }
        if let Some(limit) = command.credit_limit {
            self.change_credit_limit(
                &Change {
                    value: limit,
                    reason: None,
                },
                ctx,
            );
        }
        if let Some(tolerance) = command.tolerance {
            self.change_tolerance(
                &Change {
                    value: tolerance,
                    reason: None,
                },
                ctx,
            );
        }
        self.account.status = AccountStatus::Open;
        if self.account != before {
            self.account.updated_at = ctx.now;
        }
    }

    /// Sets the credit limit, recording the change (it does not move the balance). Lowering the
    /// limit below what is used is allowed: the account then cannot spend until it pays.
    pub fn change_credit_limit(&mut self, change: &Change<Money>, ctx: &Ctx) {
        let old = self.account.credit_limit;
        if old == change.value {
            return;
        }
        self.account.credit_limit = change.value;
        self.account.updated_at = ctx.now;
        let movement = Movement {
            reason: change.reason.clone(),
            ..Movement::new(
                EntryKind::CreditLimitChanged,
                money(change.value.minor() - old.minor()),
            )
        };
        self.push_entry(movement, ctx);
    }

    /// Sets the tolerance, recording the change of extra credit it gives (not a balance move).
    pub fn change_tolerance(&mut self, change: &Change<Rate>, ctx: &Ctx) {
        let old = self.account.tolerance;
        if old == change.value {
            return;
        }
        let limit = self.account.credit_limit;
        let delta =
            tolerance_amount(limit, change.value).minor() - tolerance_amount(limit, old).minor();
        self.account.tolerance = change.value;
        self.account.updated_at = ctx.now;
        let movement = Movement {
            reason: change.reason.clone(),
            ..Movement::new(EntryKind::ToleranceChanged, money(delta))
        };
        self.push_entry(movement, ctx);
    }

    /// Closes the account. Refused while it has open invoices, active holds or a debt.
    /// Reads: every open invoice and active hold.
    pub fn close(&mut self, ctx: &Ctx) -> Result<(), CreditError> {
        let open_invoices = self.open_invoices_total();
        let pre_authorized = self.pre_authorized(ctx.now);
        let balance = self.account.balance;
        if open_invoices.is_positive() || pre_authorized.is_positive() || balance.is_negative() {
            return Err(CreditError::AccountInUse {
                open_invoices,
                pre_authorized,
                balance,
            });
        }
        self.account.status = AccountStatus::Closed;
        self.account.updated_at = ctx.now;
        Ok(())
    }

    /// Adds a holder (level 2). Emails are unique per account, compared without letter case.
    pub fn add_holder(
        &mut self,
        email: &Email,
        id: HolderId,
        ctx: &Ctx,
    ) -> Result<&Holder, CreditError> {
        let same = |h: &Holder| h.email.as_str().eq_ignore_ascii_case(email.as_str());
        if self.holders.iter().any(same) {
            return Err(CreditError::HolderExists);
        }
        if self.holders.len() >= usize::from(HOLDERS_MAX) {
            return Err(CreditError::HoldersFull { max: HOLDERS_MAX });
        }
        self.holders.push(Holder {
            id,
            email: email.clone(),
            level: HOLDER_LEVEL,
            created_at: ctx.now,
        });
        self.account.updated_at = ctx.now;
        Ok(self.holders.last().expect("just pushed"))
    }

    pub fn remove_holder(&mut self, id: &HolderId, ctx: &Ctx) -> Result<(), CreditError> {
        let at = self
            .holders
            .iter()
            .position(|h| h.id == *id)
            .ok_or_else(|| CreditError::HolderNotFound(id.clone()))?;
        self.holders.remove(at);
        self.account.updated_at = ctx.now;
        Ok(())
    }

    // ----- what the account may spend --------------------------------------------------------

    /// Sum of the holds active at `now`. Reads: the active holds (loaded, or summed in `held_elsewhere`).
    pub fn pre_authorized(&self, now: Timestamp) -> Money {
        let loaded: i64 = self.transactions.iter().map(|t| t.held(now).minor()).sum();
        money(loaded + self.held_elsewhere.minor())
    }

    /// Limit, balance, holds and what remains available at `ctx.now`.
    pub fn balances(&self, ctx: &Ctx) -> Balances {
        Balances::compute(
            &self.account,
            self.pre_authorized(ctx.now),
            ctx.config.tolerance_enabled(),
        )
    }

    fn open_invoices_total(&self) -> Money {
        money(self.invoices.iter().map(|i| i.remaining().minor()).sum())
    }

    fn ensure_open(&self) -> Result<(), CreditError> {
        match self.account.status {
            AccountStatus::Open => Ok(()),
            AccountStatus::Closed => Err(CreditError::AccountClosed(self.account.id.clone())),
        }
    }

    /// Refuses new credit while an open invoice is more days late than the store's
    /// `overdueBlockDays`, naming the invoice due first. Reads: that invoice
    /// ([`crate::reads::Reads::new_hold`]).
    fn ensure_not_overdue(&self, ctx: &Ctx) -> Result<(), CreditError> {
        let Some(block_days) = ctx.config.overdue_block_days() else {
            return Ok(());
        };
        let oldest = crate::invoice::due_first(&self.invoices);
        match oldest {
            Some(invoice)
                if crate::interest::days_late(invoice, ctx.now) > u32::from(block_days) =>
            {
                Err(CreditError::OverdueInvoices {
                    invoice: invoice.id.clone(),
                    days_late: crate::interest::days_late(invoice, ctx.now),
                    block_days,
                })
            }
            _ => Ok(()),
        }
    }

    /// New credit must fit in what is available — unless the account may exceed its limit
    /// (`exceed_limit`, [`crate::company::ExceedLimit`]), which waives the limit and the
    /// tolerance alike.
    fn ensure_available(&self, requested: Money, available: Money) -> Result<(), CreditError> {
        if requested > available && !self.account.company.exceed_limit.allowed() {
            return Err(CreditError::InsufficientCredit {
                requested,
                available,
            });
        }
        Ok(())
    }

    // ----- holds -----------------------------------------------------------------------------

    /// Holds `command.value` of the available credit. Reads: the active holds (loaded, or summed in `held_elsewhere`).
    pub fn create_hold(
        &mut self,
        command: &CreateHold,
        id: TransactionId,
        ctx: &Ctx,
    ) -> Result<&Transaction, CreditError> {
        self.ensure_open()?;
        if self.transactions.iter().any(|t| t.id == id) {
            return Err(CreditError::field(
                "id",
                "a transaction with this id exists",
            ));
        }
        self.ensure_not_overdue(ctx)?;
        self.ensure_available(command.value, self.balances(ctx).available_credit)?;
        let expires_at = match command.expiration {
            Some(at) => at,
            None => ctx
                .now
                .plus_days(SETTLE_HOLD_DAYS)
                .ok_or(CreditError::OutOfRange)?,
        };
        self.transactions.push(Transaction {
            order_id: command.order_id.clone().unwrap_or_else(|| id.to_string()),
            id,
            account_id: self.account.id.clone(),
            value: command.value,
            original_value: command.value,
            installments: command.installments,
            settle: command.settle,
            status: TransactionStatus::Authorized,
            expires_at,
            created_at: ctx.now,
            updated_at: ctx.now,
            settled_value: Money::ZERO,
            refunded_value: Money::ZERO,
            settled_at: None,
        });
        Ok(self.transactions.last().expect("just pushed"))
    }

    fn transaction_at(&self, id: &TransactionId) -> Result<usize, CreditError> {
        self.transactions
            .iter()
            .position(|t| t.id == *id)
            .ok_or_else(|| CreditError::TransactionNotFound(id.clone()))
    }

    fn active_hold_at(&self, id: &TransactionId, now: Timestamp) -> Result<usize, CreditError> {
        let at = self.transaction_at(id)?;
        let transaction = &self.transactions[at];
        if !transaction.is_active(now) {
            return Err(CreditError::NotAuthorized {
                status: transaction.status_at(now),
            });
        }
        Ok(at)
    }

    /// Changes an active hold: its new value may not exceed the original value grown by the
    /// store's growth rate, nor the credit available to it. Reads: the active holds (loaded, or summed in `held_elsewhere`).
    pub fn update_hold(
        &mut self,
        id: &TransactionId,
        command: &UpdateHold,
        ctx: &Ctx,
    ) -> Result<&Transaction, CreditError> {
        self.ensure_open()?;
        let at = self.active_hold_at(id, ctx.now)?;
        let hold = &self.transactions[at];
        let max = grown(
            hold.original_value,
            ctx.config.max_pre_authorization_growth_rate(),
        );
        if command.value > max {
            return Err(CreditError::GrowthExceeded {
                requested: command.value,
                max,
            });
        }
        let available = money(self.balances(ctx).available_credit.minor() + hold.value.minor());
        self.ensure_available(command.value, available)?;
        let hold = &mut self.transactions[at];
        hold.value = command.value;
        hold.settle = command.settle.unwrap_or(hold.settle);
        hold.installments = command.installments.unwrap_or(hold.installments);
        hold.updated_at = ctx.now;
        Ok(&self.transactions[at])
    }

    /// `PUT …/transactions/{id}`: updates the account's transaction `id` ([`Book::update_hold`]),
    /// or creates the hold with that id when the account has none ([`Book::create_hold`]).
    /// Reads: the transaction `id` and the active holds.
    pub fn put_hold(
        &mut self,
        id: &TransactionId,
        command: &UpdateHold,
        ctx: &Ctx,
    ) -> Result<&Transaction, CreditError> {
        if self.transactions.iter().any(|t| t.id == *id) {
            self.update_hold(id, command, ctx)
        } else {
            self.create_hold(&command.create, id.clone(), ctx)
        }
    }

    /// Releases an active hold. Only holds created with `settle = false` (as the spec says).
    pub fn cancel_hold(&mut self, id: &TransactionId, ctx: &Ctx) -> Result<(), CreditError> {
        let at = self.transaction_at(id)?;
        self.transactions[at].cancellable(ctx.now)?;
        let hold = &mut self.transactions[at];
        hold.status = TransactionStatus::Cancelled;
        hold.updated_at = ctx.now;
        Ok(())
    }

    /// Marks the holds whose time has passed as expired; returns their ids.
    pub fn expire_holds(&mut self, now: Timestamp) -> Vec<TransactionId> {
        let mut expired = Vec::new();
        for hold in &mut self.transactions {
            if hold.status == TransactionStatus::Authorized && now >= hold.expires_at {
                hold.status = TransactionStatus::Expired;
                hold.updated_at = now;
                expired.push(hold.id.clone());
            }
        }
        expired
    }

    // ----- settlement ------------------------------------------------------------------------

    /// Settles a hold into one invoice per installment, or changes an existing settlement.
    ///
    /// First settlement: up to the hold's value grown by the store's growth rate, and within the
    /// credit available to it. Invoices `{id}-01`, `-02`, … split the value into equal cents
    /// (remainder on the first) and fall due 30, 60, 90… days later.
    ///
    /// Again with another value: lowering takes the difference off the open invoices, last
    /// installment first (never touching paid or cancelled ones; refused below what those
    /// hold, or below the refunds); raising adds it to the open invoices (equal cents, the
    /// remainder on the first open one), within the growth rate and the available credit. The
    /// same value again changes nothing.
    ///
    /// Reads: the active holds (loaded, or summed in `held_elsewhere`), and every invoice of this transaction.
    pub fn settle(
        &mut self,
        id: &TransactionId,
        value: Money,
        code: &FriendlyCode,
        ctx: &Ctx,
    ) -> Result<Settled, CreditError> {
        let at = self.transaction_at(id)?;
        match self.transactions[at].status_at(ctx.now) {
            TransactionStatus::Authorized => self
                .settle_hold(at, value, code, ctx)
                .map(|()| Settled::Created),
            TransactionStatus::Settled => self.change_settlement(at, value, ctx),
            status => Err(CreditError::NotAuthorized { status }),
        }
    }

    fn settle_hold(
        &mut self,
        at: usize,
        value: Money,
        code: &FriendlyCode,
        ctx: &Ctx,
    ) -> Result<(), CreditError> {
        self.ensure_open()?;
        let hold = &self.transactions[at];
        let max = grown(hold.value, ctx.config.max_pre_authorization_growth_rate());
        if value > max {
            return Err(CreditError::GrowthExceeded {
                requested: value,
                max,
            });
        }
        let available = money(self.balances(ctx).available_credit.minor() + hold.value.minor());
        self.ensure_available(value, available)?;
        let count = hold.installments;
        let planned = installments::plan(value, count, ctx.now)?;
        self.check_balance(value.negated())?;

        let hold = &mut self.transactions[at];
        hold.status = TransactionStatus::Settled;
        hold.settled_value = value;
        hold.settled_at = Some(ctx.now);
        hold.updated_at = ctx.now;
        let hold = self.transactions[at].clone();
        for planned in planned {
            let n = planned.installment;
            self.invoices.push(Invoice {
                id: InvoiceId::new(&hold.id, n),
                friendly_id: FriendlyId::new(code, n),
                account_id: hold.account_id.clone(),
                transaction_id: hold.id.clone(),
                order_id: hold.order_id.clone(),
                installment: n,
                number_of_installments: count,
                value: planned.value,
                credit_value: Money::ZERO,
                paid_value: Money::ZERO,
                written_off_value: Money::ZERO,
                interest_paid_value: Money::ZERO,
                interest_tax_paid_value: Money::ZERO,
                interest_through: None,
                overdue_at: None,
                status: InvoiceStatus::Opened,
                created_at: ctx.now,
                updated_at: ctx.now,
                resolved_at: None,
                original_due_date: planned.due_date,
                due_date: planned.due_date,
                postponements: 0,
                postponed_days: 0,
                observation: None,
                payment_link: None,
            });
        }
        self.push_entry(
            Movement::of_transaction(EntryKind::Settlement, value.negated(), &hold),
            ctx,
        );
        Ok(())
    }

    /// Indexes of the transaction's open invoices, by installment.
    fn open_invoices_of(&self, id: &TransactionId) -> Vec<usize> {
        let mut open: Vec<usize> = (0..self.invoices.len())
            .filter(|&i| {
                self.invoices[i].transaction_id == *id
                    && self.invoices[i].status == InvoiceStatus::Opened
            })
            .collect();
        crate::order::sort_by_key(&mut open, |&i| self.invoices[i].installment);
        open
    }

    fn change_settlement(
        &mut self,
        at: usize,
        value: Money,
        ctx: &Ctx,
    ) -> Result<Settled, CreditError> {
        let transaction = self.transactions[at].clone();
        let current = transaction.settled_value;
        let direction = match value.cmp(&current) {
            std::cmp::Ordering::Equal => return Ok(Settled::Unchanged),
            std::cmp::Ordering::Less => Direction::Lower,
            std::cmp::Ordering::Greater => Direction::Raise,
        };
        let open = self.open_invoices_of(&transaction.id);
        let open_total: i64 = open
            .iter()
            .map(|&i| self.invoices[i].remaining().minor())
            .sum();
        if direction == Direction::Lower {
            let min = money((current.minor() - open_total).max(transaction.refunded_value.minor()));
            if value < min {
                return Err(CreditError::SettlementBelowResolved {
                    requested: value,
                    min,
                });
            }
            let cut = current.minor() - value.minor();
            self.check_balance(money(cut))?;
            self.take_off_open_invoices(&open, cut, TakeOff::Lowered, ctx);
            self.finish_settlement_change(at, value, money(cut), ctx);
        } else {
            self.ensure_open()?;
            let max = grown(
                transaction.value,
                ctx.config.max_pre_authorization_growth_rate(),
            );
            if value > max {
                return Err(CreditError::GrowthExceeded {
                    requested: value,
                    max,
                });
            }
            let extra = money(value.minor() - current.minor());
            self.ensure_available(extra, self.balances(ctx).available_credit)?;
            if open.is_empty() {
                return Err(CreditError::NoOpenInvoices);
            }
            self.check_balance(extra.negated())?;
            let count = u16::try_from(open.len()).expect("at most INSTALLMENTS_MAX invoices");
            for (&i, part) in open.iter().zip(installments::spread(extra, count)) {
                let invoice = &mut self.invoices[i];
                invoice.value = money(invoice.value.minor() + part.minor());
                invoice.updated_at = ctx.now;
            }
            self.finish_settlement_change(at, value, extra.negated(), ctx);
        }
        Ok(Settled::Changed)
    }

    fn finish_settlement_change(&mut self, at: usize, value: Money, movement: Money, ctx: &Ctx) {
        let transaction = &mut self.transactions[at];
        transaction.settled_value = value;
        transaction.updated_at = ctx.now;
        let transaction = self.transactions[at].clone();
        self.push_entry(
            Movement::of_transaction(EntryKind::SettlementChanged, movement, &transaction),
            ctx,
        );
    }

    /// Takes `amount` (minor units, at most their total) off the open invoices `open`, last
    /// installment first. As a refund it is kept in `credit_value`. An invoice brought to zero
    /// is cancelled.
    fn take_off_open_invoices(&mut self, open: &[usize], amount: i64, why: TakeOff, ctx: &Ctx) {
        let mut left = amount;
        for &i in open.iter().rev() {
            if left == 0 {
                break;
            }
            let invoice = &mut self.invoices[i];
            let take = left.min(invoice.remaining().minor());
            left -= take;
            invoice.value = money(invoice.value.minor() - take);
            if why == TakeOff::Refund {
                invoice.credit_value = money(invoice.credit_value.minor() + take);
            }
            invoice.updated_at = ctx.now;
            if invoice.remaining() == Money::ZERO {
                // Nothing left to owe: paid, if credits paid the rest, else cancelled.
                invoice.status = if invoice.has_credits() {
                    InvoiceStatus::Paid
                } else {
                    InvoiceStatus::Cancelled
                };
                invoice.resolved_at = Some(ctx.now);
            }
        }
    }

    /// Refunds part or all of a settlement: first off its open invoices (last installment
    /// first), the rest credited to the balance. At most the settled value less earlier refunds.
    /// Reads: every invoice of this transaction.
    pub fn refund(
        &mut self,
        id: &TransactionId,
        value: Money,
        ctx: &Ctx,
    ) -> Result<(), CreditError> {
        let at = self.transaction_at(id)?;
        let transaction = self.transactions[at].clone();
        if transaction.status != TransactionStatus::Settled {
            return Err(CreditError::NotSettled {
                status: transaction.status_at(ctx.now),
            });
        }
        let refundable = transaction.refundable();
        if value > refundable {
            return Err(CreditError::RefundExceeded {
                requested: value,
                refundable,
            });
        }
        self.check_balance(value)?;
        let open = self.open_invoices_of(id);
        self.take_off_open_invoices(&open, value.minor(), TakeOff::Refund, ctx);
        let transaction = &mut self.transactions[at];
        transaction.refunded_value = money(transaction.refunded_value.minor() + value.minor());
        transaction.updated_at = ctx.now;
        let transaction = self.transactions[at].clone();
        self.push_entry(
            Movement::of_transaction(EntryKind::Refund, value, &transaction),
            ctx,
        );
        Ok(())
    }

    // ----- invoices --------------------------------------------------------------------------

    /// The index of the invoice `id`, which must be open for `action` ("paid", "cancelled", …).
    fn open_invoice_at(&self, id: &InvoiceId, action: &'static str) -> Result<usize, CreditError> {
        let at = self.invoice_at(id)?;
        match self.invoices[at].status {
            InvoiceStatus::Opened => Ok(at),
            status => Err(CreditError::InvoiceStatus { status, action }),
        }
    }

    fn invoice_at(&self, id: &InvoiceId) -> Result<usize, CreditError> {
        self.invoices
            .iter()
            .position(|i| i.id == *id)
            .ok_or_else(|| CreditError::InvoiceNotFound(id.clone()))
    }

    /// A payment on an open invoice: `payment.value`, or all that is due when it gives none.
    /// An overdue invoice's payment first pays the interest and tax accrued at `ctx.now` (see
    /// [`crate::interest`]); the rest pays what is left. More than is due is refused (naming the
    /// most), less than the interest too. A payment that leaves a remainder within the store's
    /// `shortfallTolerance` also writes that remainder off (a shortfall write-off under
    /// `locators.shortfall`); an invoice with nothing left is `Paid`. The balance gets back
    /// what the credits take off the invoice (the interest entries and the payment's share of
    /// them cancel out). Reads: the invoice.
    pub fn pay(
        &mut self,
        id: &InvoiceId,
        payment: &Pay,
        locators: &PaymentLocators,
        ctx: &Ctx,
    ) -> Result<&Invoice, CreditError> {
        let at = self.open_invoice_at(id, "paid")?;
        let invoice = &self.invoices[at];
        let remaining = invoice.remaining();
        let owed = crate::interest::accrued(invoice, &ctx.config.interest_policy(), ctx.now);
        let value = payment.amount_of(remaining, owed.total())?;
        let principal = money(value.minor() - owed.total().minor());
        let left = money(remaining.minor() - principal.minor());
        let shortfall = left.is_positive() && left <= ctx.config.shortfall_tolerance();
        self.check_balance(if shortfall { remaining } else { principal })?;
        let charged = owed.period.map(|(_, through)| ChargedInterest {
            interest: owed.interest,
            tax: owed.tax,
            from: invoice.interest_through,
            through,
        });
        let payment_credit = Credit {
            reference: payment.reference.clone(),
            interest: charged,
            ..self.new_credit(at, CreditKind::Payment, value, &locators.payment, ctx)
        };
        self.post(at, payment_credit, ctx);
        if shortfall {
            let credit = Credit {
                parent: Some(locators.payment.clone()),
                ..self.new_credit(
                    at,
                    CreditKind::ShortfallWriteOff,
                    left,
                    &locators.shortfall,
                    ctx,
                )
            };
            self.post(at, credit, ctx);
        }
        Ok(&self.invoices[at])
    }

    /// Writes off all that is left of an open invoice, with the merchant's reason (a `writeOff`
    /// credit): the invoice is `Paid`, the balance gets the remainder back. Reads: the invoice.
    pub fn write_off(
        &mut self,
        id: &InvoiceId,
        reason: &CreditReason,
        locator: &CreditLocator,
        ctx: &Ctx,
    ) -> Result<&Invoice, CreditError> {
        let at = self.open_invoice_at(id, "written off")?;
        let remaining = self.invoices[at].remaining();
        self.check_balance(remaining)?;
        let credit = Credit {
            reason: Some(reason.reason.clone()),
            ..self.new_credit(at, CreditKind::WriteOff, remaining, locator, ctx)
        };
        self.post(at, credit, ctx);
        Ok(&self.invoices[at])
    }

    /// Reverses a posted credit, with a reason: it becomes `reversed`, its invoice owes its
    /// amount again (a `Paid` invoice is `Opened` again), and the balance loses it — as a new
    /// entry. Reversing a payment also reverses the shortfall write-off that came with it. A
    /// credit is reversed once; one of a cancelled invoice is not. Reads: the credit's invoice
    /// and its credits ([`crate::reads::Reads::credit`]).
    pub fn reverse_credit(
        &mut self,
        locator: &CreditLocator,
        reason: &CreditReason,
        ctx: &Ctx,
    ) -> Result<&Credit, CreditError> {
        let index = self.credit_at(locator)?;
        let credit = &self.credits[index];
        if let Some(reversal) = &credit.reversal {
            return Err(CreditError::CreditReversed { at: reversal.at });
        }
        let at = self.invoice_at(&credit.invoice_id)?;
        if self.invoices[at].status == InvoiceStatus::Cancelled {
            return Err(CreditError::InvoiceStatus {
                status: InvoiceStatus::Cancelled,
                action: "reopened",
            });
        }
        if let Some(later) = self.later_interest_payment(index) {
            return Err(CreditError::ReverseLaterFirst(later));
        }
        let mut reversed = vec![index];
        if credit.kind.is_payment() {
            reversed.extend((0..self.credits.len()).filter(|&i| {
                self.credits[i].is_posted() && self.credits[i].parent.as_ref() == Some(locator)
            }));
        }
        self.reverse(at, &reversed, &reason.reason, ctx)?;
        Ok(&self.credits[index])
    }

    /// A posted payment of the same invoice made after the payment at `index` when either of
    /// them charged interest: reversing the earlier one first would leave the later interest
    /// counted on the wrong remainder, so that one must be reversed first.
    fn later_interest_payment(&self, index: usize) -> Option<CreditLocator> {
        let credit = &self.credits[index];
        if !credit.kind.is_payment() {
            return None;
        }
        self.credits
            .iter()
            .filter(|c| c.is_posted() && c.kind.is_payment() && c.invoice_id == credit.invoice_id)
            .filter(|c| c.locator > credit.locator)
            .find(|c| c.interest.is_some() || credit.interest.is_some())
            .map(|c| c.locator.clone())
    }

    fn credit_at(&self, locator: &CreditLocator) -> Result<usize, CreditError> {
        self.credits
            .iter()
            .position(|c| c.locator == *locator)
            .ok_or_else(|| CreditError::CreditNotFound(locator.clone()))
    }

    fn new_credit(
        &self,
        at: usize,
        kind: CreditKind,
        amount: Money,
        locator: &CreditLocator,
        ctx: &Ctx,
    ) -> Credit {
        let invoice = &self.invoices[at];
        Credit {
            locator: locator.clone(),
            kind,
            account_id: invoice.account_id.clone(),
            invoice_id: invoice.id.clone(),
            amount,
            reference: None,
            reason: None,
            parent: None,
            created_at: ctx.now,
            actor: ctx.actor.clone(),
            reversal: None,
            interest: None,
        }
    }

    /// Posts `credit` (checked by the caller) to the invoice at `at`: the interest it charges
    /// first (an entry debiting the interest, one its tax), then its paid or written-off value
    /// grows, it is `Paid` when nothing is left, and one entry credits the balance.
    fn post(&mut self, at: usize, credit: Credit, ctx: &Ctx) {
        if let Some(charged) = credit.interest {
            self.charge_interest(at, &charged, &credit.locator, Charge::Post, ctx);
        }
        let invoice = &mut self.invoices[at];
        invoice.credit(credit.kind, credit.principal().minor());
        invoice.updated_at = ctx.now;
        if invoice.remaining() == Money::ZERO {
            invoice.status = InvoiceStatus::Paid;
            invoice.resolved_at = Some(ctx.now);
        }
        let movement = Movement {
            credit: Some(credit.locator.clone()),
            reason: credit.reason.clone(),
            ..Movement::of_invoice(
                credit.kind.posted_entry(),
                credit.amount,
                &self.invoices[at],
            )
        };
        self.push_entry(movement, ctx);
        self.credits.push(credit);
    }

    /// Charges (or, reversing, gives back) interest a payment carries on the invoice at `at`:
    /// the invoice's interest paid moves, and two entries say so. Charging also moves the
    /// invoice's `interest_through` ([`Book::reverse`] moves it back).
    fn charge_interest(
        &mut self,
        at: usize,
        charged: &ChargedInterest,
        locator: &CreditLocator,
        charge: Charge,
        ctx: &Ctx,
    ) {
        let sign = match charge {
            Charge::Post => 1,
            Charge::GiveBack => -1,
        };
        let invoice = &mut self.invoices[at];
        let add = |slot: &mut Money, by: Money| *slot = money(slot.minor() + sign * by.minor());
        add(&mut invoice.interest_paid_value, charged.interest);
        add(&mut invoice.interest_tax_paid_value, charged.tax);
        if charge == Charge::Post {
            invoice.interest_through = Some(charged.through);
        }
        let kinds = match charge {
            Charge::Post => [EntryKind::Interest, EntryKind::InterestTax],
            Charge::GiveBack => [EntryKind::InterestReversed, EntryKind::InterestTaxReversed],
        };
        for (kind, value) in kinds.into_iter().zip([charged.interest, charged.tax]) {
            if value.is_positive() {
                let movement = Movement {
                    credit: Some(locator.clone()),
                    ..Movement::of_invoice(kind, money(-sign * value.minor()), &self.invoices[at])
                };
                self.push_entry(movement, ctx);
            }
        }
    }

    /// Reverses the posted credits `indexes` of the invoice at `at` (all checked but the
    /// balance): each becomes reversed with one entry debiting it (and a payment's interest
    /// given back: the days it paid for owe interest again); the invoice is open again.
    fn reverse(
        &mut self,
        at: usize,
        indexes: &[usize],
        reason: &str,
        ctx: &Ctx,
    ) -> Result<(), CreditError> {
        let total: i64 = indexes
            .iter()
            .map(|&i| self.credits[i].principal().minor())
            .sum();
        self.check_balance(money(-total))?;
        let oldest_interest = indexes
            .iter()
            .filter_map(|&i| {
                self.credits[i]
                    .interest
                    .map(|c| (&self.credits[i].locator, c))
            })
            .min_by(|a, b| a.0.cmp(b.0))
            .map(|(_, charged)| charged.from);
        for &i in indexes {
            let credit = &mut self.credits[i];
            credit.reversal = Some(Reversal {
                reason: reason.to_owned(),
                at: ctx.now,
                actor: ctx.actor.clone(),
            });
            let credit = credit.clone();
            self.invoices[at].credit(credit.kind, -credit.principal().minor());
            let movement = Movement {
                credit: Some(credit.locator.clone()),
                reason: Some(reason.to_owned()),
                ..Movement::of_invoice(
                    credit.kind.reversed_entry(),
                    credit.amount.negated(),
                    &self.invoices[at],
                )
            };
            self.push_entry(movement, ctx);
            if let Some(charged) = credit.interest {
                self.charge_interest(at, &charged, &credit.locator, Charge::GiveBack, ctx);
            }
        }
        let invoice = &mut self.invoices[at];
        if let Some(from) = oldest_interest {
            invoice.interest_through = from;
        }
        invoice.status = InvoiceStatus::Opened;
        invoice.resolved_at = None;
        invoice.updated_at = ctx.now;
        Ok(())
    }

    /// Cancels an open invoice: what is left of its debt is removed (credits posted to it stay).
    /// Paid invoices cannot be cancelled.
    pub fn cancel_invoice(&mut self, id: &InvoiceId, ctx: &Ctx) -> Result<&Invoice, CreditError> {
        let at = self.open_invoice_at(id, InvoiceStatus::Cancelled.becoming())?;
        self.cancel_at(at, ctx)?;
        Ok(&self.invoices[at])
    }

    /// Cancels the open invoice at `at`.
    fn cancel_at(&mut self, at: usize, ctx: &Ctx) -> Result<(), CreditError> {
        let invoice = &self.invoices[at];
        let value = invoice.remaining();
        self.check_balance(value)?;
        let movement = Movement::of_invoice(EntryKind::InvoiceCancelled, value, invoice);
        let invoice = &mut self.invoices[at];
        invoice.status = InvoiceStatus::Cancelled;
        invoice.updated_at = ctx.now;
        invoice.resolved_at = Some(ctx.now);
        self.push_entry(movement, ctx);
        Ok(())
    }

    /// Moves an invoice to `to`: Opened → Paid (all that is left paid, under `locators`),
    /// Opened → Cancelled (the rest of the debt removed), Paid → Opened (every posted credit of
    /// it reversed, e.g. the payment bounced). Everything else is refused.
    fn resolve(
        &mut self,
        at: usize,
        to: InvoiceStatus,
        locators: &PaymentLocators,
        ctx: &Ctx,
    ) -> Result<(), CreditError> {
        let invoice = &self.invoices[at];
        match (invoice.status, to) {
            (InvoiceStatus::Opened, InvoiceStatus::Paid) => {
                let id = invoice.id.clone();
                self.pay(&id, &Pay::all(), locators, ctx).map(|_| ())
            }
            (InvoiceStatus::Opened, InvoiceStatus::Cancelled) => self.cancel_at(at, ctx),
            (InvoiceStatus::Paid, InvoiceStatus::Opened) => {
                let posted: Vec<usize> = (0..self.credits.len())
                    .filter(|&i| {
                        self.credits[i].is_posted() && self.credits[i].invoice_id == invoice.id
                    })
                    .collect();
                self.reverse(at, &posted, "invoice reopened", ctx)
            }
            (status, to) => Err(CreditError::InvoiceStatus {
                status,
                action: to.becoming(),
            }),
        }
    }

    /// `PUT` an invoice: a status (a transition as [`Book::pay_invoice`] and friends, or the
    /// same status), and the observation and payment link when given.
    pub fn change_invoice(
        &mut self,
        id: &InvoiceId,
        change: &ChangeInvoice,
        locators: &PaymentLocators,
        ctx: &Ctx,
    ) -> Result<&Invoice, CreditError> {
        let at = self.invoice_at(id)?;
        if self.invoices[at].status != change.status {
            self.resolve(at, change.status, locators, ctx)?;
        }
        let invoice = &mut self.invoices[at];
        if let Some(observation) = &change.observation {
            invoice.observation = Some(observation.clone());
        }
        if let Some(link) = &change.payment_link {
            invoice.payment_link = Some(link.clone());
        }
        invoice.updated_at = ctx.now;
        Ok(&self.invoices[at])
    }

    /// Moves an open invoice's due date `days` later, within the store's limits: postponement
    /// enabled with a limit above 0, at most `invoicePostponementLimit` times per invoice and
    /// `maxPostponementDays` days in total. `originalDueDate` stays.
    pub fn postpone_invoice(
        &mut self,
        id: &InvoiceId,
        days: u16,
        ctx: &Ctx,
    ) -> Result<&Invoice, CreditError> {
        let at = self.invoice_at(id)?;
        let invoice = &self.invoices[at];
        let left = ctx
            .config
            .postponement_left(invoice.postponements, invoice.postponed_days)
            .ok_or(CreditError::PostponementDisabled)?;
        if invoice.status != InvoiceStatus::Opened {
            return Err(CreditError::InvoiceStatus {
                status: invoice.status,
                action: "postponed",
            });
        }
        if left.times == 0 {
            return Err(CreditError::PostponementLimit {
                limit: ctx.config.invoice_postponement_limit(),
            });
        }
        if days == 0 || days > left.days {
            return Err(CreditError::PostponementDays {
                requested: days,
                remaining: left.days,
            });
        }
        let due = invoice
            .due_date
            .plus_days(u32::from(days))
            .ok_or(CreditError::OutOfRange)?;
        let invoice = &mut self.invoices[at];
        invoice.due_date = due;
        if due >= ctx.now {
            invoice.overdue_at = None;
        }
        invoice.postponements += 1;
        invoice.postponed_days += days;
        invoice.updated_at = ctx.now;
        Ok(&self.invoices[at])
    }

    /// Marks the open invoices that fell due before `now` and are not marked yet as overdue
    /// since `now` (their `invoice.overdue` event); returns them. Reads: those invoices
    /// ([`crate::reads::Reads::overdue`]).
    pub fn mark_overdue(&mut self, now: Timestamp) -> Vec<InvoiceId> {
        let mut marked = Vec::new();
        for invoice in &mut self.invoices {
            if invoice.is_newly_overdue(now) {
                invoice.overdue_at = Some(now);
                marked.push(invoice.id.clone());
            }
        }
        marked
    }

    // ----- the ledger ------------------------------------------------------------------------

    /// A manual debit, keyed by the caller's statement id: the same id again with the same
    /// value changes nothing; with another value it is refused. Reads: the entry with this
    /// statement id, if any.
    pub fn debit(
        &mut self,
        statement_id: &StatementId,
        value: Money,
        ctx: &Ctx,
    ) -> Result<Money, CreditError> {
        if !value.is_negative() {
            return Err(CreditError::field("value", "must be below 0 (a debit)"));
        }
        if let Some(earlier) = self
            .entries
            .iter()
            .find(|e| e.statement_id.as_ref() == Some(statement_id))
        {
            return if earlier.value == value {
                Ok(value)
            } else {
                Err(CreditError::StatementIdReused {
                    value: earlier.value,
                })
            };
        }
        self.check_balance(value)?;
        self.push_entry(
            Movement {
                statement_id: Some(statement_id.clone()),
                ..Movement::new(EntryKind::ManualDebit, value)
            },
            ctx,
        );
        Ok(value)
    }

    /// The company-credit API's `increaseBalance` / `decreaseBalance`: a movement of the
    /// balance by `operation.value` — a `ManualCredit` up, a `ManualDebit` down — with the
    /// operation type, comment (as its reason) and purchase order given. It pays no invoice
    /// and holds no credit: like the Customer Credit API's manual debit, it is the ledger's
    /// own adjustment. Refused when the operation's currency is not the account's (no
    /// conversion) or the balance would leave its range. Reads: nothing but the account.
    pub fn adjust_balance(
        &mut self,
        operation: &crate::company::BalanceOperation,
        ctx: &Ctx,
    ) -> Result<Money, CreditError> {
        let currency = self.account.company.currency_or(ctx.config.currency());
        if operation.currency != *currency {
            return Err(CreditError::CurrencyMismatch {
                currency: currency.clone(),
                asked: operation.currency.clone(),
            });
        }
        let (kind, value) = match operation.change {
            crate::company::BalanceChange::Increase => (EntryKind::ManualCredit, operation.value),
            crate::company::BalanceChange::Decrease => {
                (EntryKind::ManualDebit, money(-operation.value.minor()))
            }
        };
        self.check_balance(value)?;
        self.push_entry(
            Movement {
                reason: operation.comment.clone(),
                operation: Some(operation.operation),
                purchase_order: operation.purchase_order.clone(),
                ..Movement::new(kind, value)
            },
            ctx,
        );
        Ok(value)
    }

    /// The account's statement for `[from, to)`. Reads: every entry of the account.
    pub fn statement(&self, from: Option<Timestamp>, to: Option<Timestamp>) -> Statement {
        statement(&self.entries, from, to)
    }

    /// Refuses a movement that would take the balance beyond [`BALANCE_MAX_MINOR`].
    fn check_balance(&self, movement: Money) -> Result<(), CreditError> {
        let next = self
            .account
            .balance
            .minor()
            .checked_add(movement.minor())
            .ok_or(CreditError::OutOfRange)?;
        if next.unsigned_abs() > BALANCE_MAX_MINOR as u64 {
            return Err(CreditError::OutOfRange);
        }
        Ok(())
    }

    /// Appends the entry and moves the balance by it (checked beforehand by `check_balance`).
    fn push_entry(&mut self, movement: Movement, ctx: &Ctx) {
        let entry = Entry {
            account_id: self.account.id.clone(),
            kind: movement.kind,
            value: movement.value,
            at: ctx.now,
            actor: ctx.actor.clone(),
            transaction_id: movement.transaction_id,
            installment: movement.installment,
            number_of_installments: movement.number_of_installments,
            statement_id: movement.statement_id,
            reason: movement.reason,
            credit: movement.credit,
            operation: movement.operation,
            purchase_order: movement.purchase_order,
        };
        self.account.balance = money(self.account.balance.minor() + entry.balance_effect());
        self.account.updated_at = ctx.now;
        self.entries.push(entry);
    }

    /// The invariants of a fully loaded book, for tests: the balance is the sum of the entries;
    /// each settlement's invoices add up to it (`value + creditValue`); refunds stay within the
    /// settlement; no invoice is negative.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_entries_sum()?;
        for transaction in &self.transactions {
            self.check_transaction(transaction, Whole::Read)?;
        }
        for invoice in &self.invoices {
            self.check_invoice_credits(invoice)?;
        }
        self.check_invoices_positive()
    }

    /// What holds of a book loaded for `reads` (storage checks it after every load and before
    /// every write in debug and test builds, and refuses to write a book that breaks it): no
    /// invoice is negative; no transaction is refunded beyond its settlement; a settlement whose
    /// invoices were all read adds up; the balance is the sum of the entries when all were read.
    pub fn check_loaded(&self, reads: &crate::reads::Reads) -> Result<(), String> {
        use crate::reads::Read;
        if reads.has(&Read::Entries) {
            self.check_entries_sum()?;
        }
        for transaction in &self.transactions {
            let whole = if reads.has(&Read::TransactionInvoices(transaction.id.clone())) {
                Whole::Read
            } else {
                Whole::NotRead
            };
            self.check_transaction(transaction, whole)?;
        }
        for invoice in &self.invoices {
            if reads.has(&Read::InvoiceCredits(invoice.id.clone())) {
                self.check_invoice_credits(invoice)?;
            }
        }
        self.check_invoices_positive()
    }

    /// With every credit of `invoice` read: its paid and written-off values are the sums of its
    /// posted payments and write-offs; a shortfall write-off belongs to a payment of it.
    fn check_invoice_credits(&self, invoice: &Invoice) -> Result<(), String> {
        let credits: Vec<&Credit> = self
            .credits
            .iter()
            .filter(|c| c.invoice_id == invoice.id)
            .collect();
        let posted = |payment: bool, part: fn(&Credit) -> i64| -> i64 {
            let of_kind = |c: &&&Credit| c.is_posted() && c.kind.is_payment() == payment;
            credits.iter().filter(of_kind).map(|c| part(c)).sum()
        };
        let principal = |c: &Credit| c.principal().minor();
        let interest = |c: &Credit| c.interest.map_or(0, |i| i.interest.minor());
        let tax = |c: &Credit| c.interest.map_or(0, |i| i.tax.minor());
        if posted(true, principal) != invoice.paid_value.minor()
            || posted(false, principal) != invoice.written_off_value.minor()
        {
            return Err(format!(
                "{}: paid {} and written off {}, but its posted credits say {} and {}",
                invoice.id,
                invoice.paid_value,
                invoice.written_off_value,
                money(posted(true, principal)),
                money(posted(false, principal))
            ));
        }
        if posted(true, interest) != invoice.interest_paid_value.minor()
            || posted(true, tax) != invoice.interest_tax_paid_value.minor()
        {
            return Err(format!(
                "{}: interest paid {} and tax {}, but its posted payments say {} and {}",
                invoice.id,
                invoice.interest_paid_value,
                invoice.interest_tax_paid_value,
                money(posted(true, interest)),
                money(posted(true, tax))
            ));
        }
        for credit in &credits {
            let parent = credit.parent.as_ref();
            let parent_ok = match (credit.kind, parent) {
                (CreditKind::ShortfallWriteOff, Some(parent)) => credits
                    .iter()
                    .any(|c| c.locator == *parent && c.kind.is_payment()),
                (CreditKind::ShortfallWriteOff, None) => false,
                (_, parent) => parent.is_none(),
            };
            let interest_ok = match credit.interest {
                None => true,
                Some(charged) => {
                    credit.kind.is_payment()
                        && !charged.interest.is_negative()
                        && !charged.tax.is_negative()
                        && charged.from.is_none_or(|from| from < charged.through)
                }
            };
            if !credit.amount.is_positive() || !parent_ok || !interest_ok {
                return Err(format!(
                    "{}: credit {} is malformed",
                    invoice.id, credit.locator
                ));
            }
        }
        Ok(())
    }

    fn check_entries_sum(&self) -> Result<(), String> {
        let sum: i64 = self.entries.iter().map(Entry::balance_effect).sum();
        if sum != self.account.balance.minor() {
            return Err(format!(
                "balance {} but entries sum to {}",
                self.account.balance,
                money(sum)
            ));
        }
        Ok(())
    }

    /// Refunds within the settlement; with every invoice of it read, the invoices add up.
    fn check_transaction(&self, transaction: &Transaction, invoices: Whole) -> Result<(), String> {
        let beyond = |credited: i64| {
            transaction.refunded_value > transaction.settled_value
                || credited > transaction.refunded_value.minor()
        };
        if transaction.status != TransactionStatus::Settled || invoices == Whole::NotRead {
            if beyond(0) {
                return Err(format!("{}: refunds beyond the settlement", transaction.id));
            }
            return Ok(());
        }
        let invoices: Vec<&Invoice> = self
            .invoices
            .iter()
            .filter(|i| i.transaction_id == transaction.id)
            .collect();
        let total: i64 = invoices
            .iter()
            .map(|i| i.value.minor() + i.credit_value.minor())
            .sum();
        if total != transaction.settled_value.minor() {
            return Err(format!(
                "{}: invoices add up to {} for a settlement of {}",
                transaction.id,
                money(total),
                transaction.settled_value
            ));
        }
        let credited: i64 = invoices.iter().map(|i| i.credit_value.minor()).sum();
        if beyond(credited) {
            return Err(format!("{}: refunds beyond the settlement", transaction.id));
        }
        if invoices.len() != usize::from(transaction.installments) {
            return Err(format!(
                "{}: {} invoices for {} installments",
                transaction.id,
                invoices.len(),
                transaction.installments
            ));
        }
        Ok(())
    }

    /// No invoice is negative, nor owes less than nothing; an open invoice owes something and a
    /// paid one nothing (value = paid + written off + remaining).
    fn check_invoices_positive(&self) -> Result<(), String> {
        if let Some(invoice) = self.invoices.iter().find(|i| i.value.is_negative()) {
            return Err(format!("{} has a negative value", invoice.id));
        }
        for invoice in &self.invoices {
            let owed = invoice.value.minor()
                - invoice.paid_value.minor()
                - invoice.written_off_value.minor();
            let fits = match invoice.status {
                InvoiceStatus::Opened => owed > 0,
                InvoiceStatus::Paid => owed == 0,
                InvoiceStatus::Cancelled => owed >= 0,
            };
            if invoice.paid_value.is_negative() || invoice.written_off_value.is_negative() || !fits
            {
                return Err(format!(
                    "{} ({}) of {} does not add up: paid {}, written off {}",
                    invoice.id,
                    invoice.status.as_str(),
                    invoice.value,
                    invoice.paid_value,
                    invoice.written_off_value
                ));
            }
        }
        Ok(())
    }
}
