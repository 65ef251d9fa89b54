//! Identifiers and other validated names, built at the edge with `FromStr`/`TryFrom`.

use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::{self, TextKind, TextRule};

/// Implements `Display`, `Serialize` and `Deserialize` (through `FromStr`) for a string newtype.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The kind of a buyer's document: `CPF`, `CNPJ` or `Other` (matched in any letter case and
/// written so), or — as stores used before the reference had a list, e.g. a business line such as
/// `mercolanta` — any other name of 1 to 32 letters, digits, `-` or `_`, kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentType(String);
string_id!(DocumentType);

/// Most characters of a document type.
pub const DOCUMENT_TYPE_CHARS_MAX: usize = 32;

impl FromStr for DocumentType {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let known = ["CPF", "CNPJ", "Other"]
            .into_iter()
            .find(|name| name.eq_ignore_ascii_case(text));
        if let Some(name) = known {
            return Ok(DocumentType(name.to_owned()));
        }
        let ok = !text.is_empty()
            && text.len() <= DOCUMENT_TYPE_CHARS_MAX
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if ok {
            Ok(DocumentType(text.to_owned()))
        } else {
            Err("must be CPF, CNPJ, Other, or a name of 1 to 32 letters, digits, '-' or '_'")
        }
    }
}

/// A buyer's document number: 1 to 32 letters, digits, `.`, `-` or `/` (no `_`, which
/// separates it from the type in an account id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Document(String);
string_id!(Document);

pub const DOCUMENT_CHARS_MAX: u32 = 32;

impl FromStr for Document {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let ok = !text.is_empty()
            && text.len() <= DOCUMENT_CHARS_MAX as usize
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'/'));
        if ok {
            Ok(Document(text.to_owned()))
        } else {
            Err("must be 1 to 32 letters, digits, '.', '-' or '/'")
        }
    }
}

/// A credit account: `{document}_{documentType}`, e.g. `11111111111_CPF`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);
string_id!(AccountId);

impl AccountId {
    pub fn new(document: &Document, document_type: &DocumentType) -> AccountId {
        AccountId(format!("{}_{}", document.0, document_type.0))
    }

    /// The document and type the id is made of (split at the first `_`: documents have none,
    /// types may).
    pub fn parts(&self) -> (Document, DocumentType) {
        let (document, kind) = self.0.split_once('_').expect("validated");
        (Document(document.to_owned()), DocumentType(kind.to_owned()))
    }
}

impl FromStr for AccountId {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str = "must be {document}_{documentType}, e.g. 11111111111_CPF";
        let (document, kind) = text.split_once('_').ok_or(MESSAGE)?;
        let document: Document = document.parse().map_err(|_| MESSAGE)?;
        let kind: DocumentType = kind.parse().map_err(|_| MESSAGE)?;
        Ok(AccountId::new(&document, &kind))
    }
}

/// 32 hexadecimal digits, written in upper case (transactions and holders).
fn hex32(text: &str) -> Option<String> {
    (text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| text.to_ascii_uppercase())
}

/// A pre-authorization (transaction): 32 hex digits, e.g. `7583E36F101C461094AB6CA68FA8EE2C`
/// (written in upper case), made by the caller from 16 random bytes
/// ([`TransactionId::from_bytes`]) — or, as integrations of the earlier reference choose their
/// own ("Create a Pre Authorization (using id)"), 1 to [`TRANSACTION_ID_CHARS_MAX`] letters,
/// digits, `.`, `_` or `-`, kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(String);
string_id!(TransactionId);

impl TransactionId {
    pub fn from_bytes(bytes: [u8; 16]) -> TransactionId {
        TransactionId(bytes.iter().map(|b| format!("{b:02X}")).collect())
    }
}

/// Most characters of a transaction id.
pub const TRANSACTION_ID_CHARS_MAX: usize = 64;

impl FromStr for TransactionId {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(hex) = hex32(text) {
            return Ok(TransactionId(hex));
        }
        let ok = !text.is_empty()
            && text.len() <= TRANSACTION_ID_CHARS_MAX
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        ok.then(|| TransactionId(text.to_owned()))
            .ok_or("must be 1 to 64 letters, digits, '.', '_' or '-'")
    }
}

/// An account holder: 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HolderId(String);
string_id!(HolderId);

impl HolderId {
    pub fn from_bytes(bytes: [u8; 16]) -> HolderId {
        HolderId(bytes.iter().map(|b| format!("{b:02X}")).collect())
    }
}

impl FromStr for HolderId {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        hex32(text)
            .map(HolderId)
            .ok_or("must be 32 hexadecimal digits")
    }
}

/// An invoice: its transaction and installment, `{transactionId}-NN` (`…EE2C-01`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvoiceId(String);
string_id!(InvoiceId);

impl InvoiceId {
    pub fn new(transaction: &TransactionId, installment: u16) -> InvoiceId {
        InvoiceId(format!("{}-{installment:02}", transaction.0))
    }

    pub fn transaction_id(&self) -> TransactionId {
        let (transaction, _) = self.0.rsplit_once('-').expect("validated");
        TransactionId(transaction.to_owned())
    }

    pub fn installment(&self) -> u16 {
        let (_, installment) = self.0.rsplit_once('-').expect("validated");
        installment.parse().expect("validated")
    }
}

impl FromStr for InvoiceId {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str =
            "must be {transactionId}-NN, e.g. 7583E36F101C461094AB6CA68FA8EE2C-01";
        let (transaction, installment) = text.rsplit_once('-').ok_or(MESSAGE)?;
        let transaction: TransactionId = transaction.parse().map_err(|_| MESSAGE)?;
        let digits = installment.len() >= 2
            && installment.len() <= 3
            && installment.bytes().all(|b| b.is_ascii_digit());
        let installment: u16 = if digits {
            installment.parse().map_err(|_| MESSAGE)?
        } else {
            return Err(MESSAGE);
        };
        if installment == 0 || installment > crate::installments::INSTALLMENTS_MAX {
            return Err(MESSAGE);
        }
        Ok(InvoiceId::new(&transaction, installment))
    }
}

/// A caller-chosen id for a manual debit, so a retry never debits twice: 1 to 64 letters,
/// digits, `-`, `_` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementId(String);
string_id!(StatementId);

impl FromStr for StatementId {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        ok.then(|| StatementId(text.to_owned()))
            .ok_or("must be 1 to 64 letters, digits, '-', '_' or '.'")
    }
}

/// A short reference people can read out: 8 letters or digits, `-`, the installment
/// (`IBjuAsrJ-1`). The 8 characters are chosen by the caller (randomly).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FriendlyId(String);
string_id!(FriendlyId);

/// The random part of friendly ids: 8 ASCII letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FriendlyCode(String);

impl FromStr for FriendlyCode {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        (text.len() == 8 && text.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| FriendlyCode(text.to_owned()))
            .ok_or("must be 8 letters or digits")
    }
}

impl FriendlyId {
    pub fn new(code: &FriendlyCode, installment: u16) -> FriendlyId {
        FriendlyId(format!("{}-{installment}", code.0))
    }
}

impl FromStr for FriendlyId {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str =
            "must be 8 letters or digits, '-', and the installment, e.g. IBjuAsrJ-1";
        let (code, installment) = text.split_once('-').ok_or(MESSAGE)?;
        let code: FriendlyCode = code.parse().map_err(|_| MESSAGE)?;
        let installment: u16 = installment.parse().map_err(|_| MESSAGE)?;
        Ok(FriendlyId::new(&code, installment))
    }
}

/// An email address: one `@`, a local part, a domain with a dot; at most 254 characters; no
/// spaces, control or invisible characters (direction marks, zero-width characters: an address
/// that looks like another must not be one). Kept as given (domains compared case-insensitively by callers
/// that need it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);
string_id!(Email);

impl FromStr for Email {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str = "must be an email address such as buyer@example.com";
        let visible = |c: char| !(c.is_whitespace() || c.is_control() || text::is_invisible(c));
        if text.len() > 254 || !text.chars().all(visible) {
            return Err(MESSAGE);
        }
        let (local, domain) = text.split_once('@').ok_or(MESSAGE)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(MESSAGE);
        }
        Ok(Email(text.to_owned()))
    }
}

/// Who did something (an app key or a person's email), for statements. 1 to 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor(String);
string_id!(Actor);

impl FromStr for Actor {
    type Err = text::TextError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text::check(text, TextRule::new(TextKind::Identifier, 128).not_blank())?;
        Ok(Actor(text.to_owned()))
    }
}

/// The store's tenant locator (the billing-credits API's `{tenantLocator}`): a UUID, written in
/// lower case. Made once, when the store's database is created, from 16 random bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantLocator(String);
string_id!(TenantLocator);

impl TenantLocator {
    /// A version 4 (random) UUID from these bytes: the version and variant bits are set, the
    /// other 122 bits are the bytes'.
    pub fn from_random(mut bytes: [u8; 16]) -> TenantLocator {
        bytes[6] = (bytes[6] & 0x0f) + 0x40;
        bytes[8] = (bytes[8] & 0x3f) + 0x80;
        let mut text = String::with_capacity(36);
        for (i, byte) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text.push('-');
            }
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 15)]));
        }
        TenantLocator(text)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl FromStr for TenantLocator {
    type Err = &'static str;

    /// A UUID: 32 hexadecimal digits in groups of 8-4-4-4-12, in either letter case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str = "must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e";
        let valid = text.len() == 36
            && text.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        if !valid {
            return Err(MESSAGE);
        }
        Ok(TenantLocator(text.to_ascii_lowercase()))
    }
}

/// What kind of id a request path names (for the "not found" a malformed one gets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathId {
    Account,
    Transaction,
    Invoice,
    Holder,
    Credit,
    Tenant,
    /// An invoice named without its account (the billing-credits API's paths).
    StoreInvoice,
}

impl PathId {
    /// `text` read as this kind of id; one that cannot exist is simply not found, and the
    /// message says so as the API writes it ("there is no invoice x on this account").
    pub fn read<T: FromStr>(self, text: &str) -> Result<T, String> {
        text.parse().map_err(|_| self.not_found(text))
    }

    /// "There is no … `text`": what a path naming nothing answers.
    pub fn not_found(self, text: &str) -> String {
        let (what, scope) = match self {
            PathId::Account => ("account", ""),
            PathId::Transaction => ("transaction", " on this account"),
            PathId::Invoice => ("invoice", " on this account"),
            PathId::Holder => ("holder", " on this account"),
            PathId::Credit => ("credit", ""),
            PathId::Tenant => ("tenant", " on this server"),
            PathId::StoreInvoice => ("invoice", " in this store"),
        };
        format!("there is no {what} {text}{scope}")
    }
}
