//! The company-credit API's searches — core's `search_criteria`, data — translated to SQL: the
//! credit list over `accounts`, the history over `entries` with the figures after each entry
//! summed by window functions and its operation type written from core's `type_rule` table.
//! `tests/company_search_sql.rs` runs the same criteria through `SearchCriteria::page` in
//! memory and compares, on both engines.

use creditdesk_core::account::Account;
use creditdesk_core::company::{
    self, CreditId, HistoryLine, HistoryView, OperationType, TypeRule, USER_TYPE_INTEGRATION,
};
use creditdesk_core::ledger::EntryKind;
use creditdesk_core::rate::Rate;
use creditdesk_core::search_criteria::{
    Condition, Direction, Filter, Operand, Record, SearchCriteria, Value,
};
use creditdesk_core::store_config::Currency;
use rust_decimal::Decimal;
use sqlx::FromRow;

use super::books::{AccountRow, EntryRow, ACCOUNT_COLUMNS, ENTRY_COLUMNS};
use super::engine::{Arg, Pool};
use super::search::Where;
use super::{Db, StorageError};

/// How a searched field reads in SQL.
enum Column {
    /// Whole numbers.
    Integer(String),
    /// Money: whole minor units (core's `Money::minor`), compared with a decimal filter value.
    Money(String),
    /// Text.
    Text(String),
    Boolean(String),
    /// The same value on every row: filters on it are evaluated by core.
    Constant(Value),
}

/// Minor units per unit of money (core's `Money::SCALE` of 2).
const MINOR_PER_UNIT: i64 = 100;

/// A decimal amount in whole minor units.
enum Minor {
    Exact(i64),
    /// Between `n` and `n + 1` (not a whole number of minor units).
    Above(i64),
    /// Below or above every 64-bit amount.
    Under,
    Over,
}

fn minor_of(amount: Decimal) -> Minor {
    let beyond = if amount.is_sign_negative() {
        Minor::Under
    } else {
        Minor::Over
    };
    let Some(scaled) = amount.checked_mul(Decimal::from(MINOR_PER_UNIT)) else {
        return beyond;
    };
    let floor = scaled.floor();
    match i64::try_from(floor) {
        Ok(n) if floor == scaled => Minor::Exact(n),
        Ok(n) => Minor::Above(n),
        Err(_) => beyond,
    }
}

/// A record whose every field holds one value: what a constant column is evaluated as.
struct Constant<'v>(&'v Value);

impl Record for Constant<'_> {
    fn cell(&self, _: &str) -> Option<Value> {
        Some(self.0.clone())
    }

    fn id(&self) -> i64 {
        0
    }
}

const NOTHING: &str = "1 = 0";

fn arg_of(value: &Value) -> Arg {
    match value {
        Value::Integer(n) => Arg::from(*n),
        Value::Boolean(b) => Arg::from(*b),
        Value::Text(t) => Arg::from(t.to_ascii_lowercase()),
        // Money is compared in minor units (see `money_condition`): not bound as is.
        Value::Number(d) => Arg::from(d.to_string()),
    }
}

/// The text a `like` pattern is matched against (core's `Value::text` of the column's kind).
fn text_of(pool: &Pool, column: &Column) -> Option<String> {
    let text = match column {
        Column::Integer(expr) => format!("CAST({expr} AS TEXT)"),
        Column::Money(expr) => format!(
            "((CASE WHEN {expr} < 0 THEN '-' ELSE '' END) || CAST(ABS({expr}) / {MINOR_PER_UNIT} AS TEXT) \
             || '.' || (CASE WHEN ABS({expr}) % {MINOR_PER_UNIT} < 10 THEN '0' ELSE '' END) \
             || CAST(ABS({expr}) % {MINOR_PER_UNIT} AS TEXT))"
        ),
        Column::Text(expr) => expr.clone(),
        Column::Boolean(expr) => format!("(CASE WHEN {expr} THEN '1' ELSE '0' END)"),
        Column::Constant(_) => return None,
    };
    Some(pool.ascii_folded(&text))
}

/// What the column is compared and sorted as.
fn compared(pool: &Pool, column: &Column) -> Option<String> {
    match column {
        Column::Integer(expr) | Column::Money(expr) | Column::Boolean(expr) => Some(expr.clone()),
        Column::Text(expr) => Some(pool.ascii_folded(expr)),
        Column::Constant(_) => None,
    }
}

/// A money column against a decimal: in whole minor units, bounds rounded the way that keeps
/// the comparison's answer.
fn money_condition(w: &mut Where, expr: &str, condition: Condition, operand: &Operand) -> String {
    let present = format!("{expr} IS NOT NULL");
    let compare =
        |w: &mut Where, op: &str, n: i64| format!("{expr} {op} {}", w.placeholder(n.into()));
    let exact = |values: &[Value]| -> Vec<i64> {
        values
            .iter()
            .filter_map(|v| match v {
                Value::Number(d) => match minor_of(*d) {
                    Minor::Exact(n) => Some(n),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    };
    match (condition, operand) {
        (Condition::In | Condition::Nin, Operand::Many(values)) => {
            let exact = exact(values);
            if exact.is_empty() {
                return if condition == Condition::In {
                    NOTHING.to_owned()
                } else {
                    present
                };
            }
            let marks: Vec<String> = exact.into_iter().map(|n| w.placeholder(n.into())).collect();
            let not = if condition == Condition::Nin {
                "NOT "
            } else {
                ""
            };
            format!("{expr} {not}IN ({})", marks.join(", "))
        }
        (_, Operand::One(Value::Number(d))) => {
            let minor = minor_of(*d);
            match (condition, minor) {
                (Condition::Eq, Minor::Exact(n)) => compare(w, "=", n),
                (Condition::Eq, _) => NOTHING.to_owned(),
                (Condition::Neq, Minor::Exact(n)) => compare(w, "<>", n),
                (Condition::Neq, _) => present,
                (Condition::Gt | Condition::Gteq | Condition::From, Minor::Under) => present,
                (Condition::Gt | Condition::Gteq | Condition::From, Minor::Over) => {
                    NOTHING.to_owned()
                }
                (Condition::Lt | Condition::Lteq | Condition::To, Minor::Under) => {
                    NOTHING.to_owned()
                }
                (Condition::Lt | Condition::Lteq | Condition::To, Minor::Over) => present,
                (Condition::Gt, Minor::Exact(n) | Minor::Above(n)) => compare(w, ">", n),
                (Condition::Gteq | Condition::From, Minor::Exact(n)) => compare(w, ">=", n),
                (Condition::Gteq | Condition::From, Minor::Above(n)) => compare(w, ">", n),
                (Condition::Lt, Minor::Exact(n)) => compare(w, "<", n),
                (Condition::Lt | Condition::Lteq | Condition::To, Minor::Above(n)) => {
                    compare(w, "<=", n)
                }
                (Condition::Lteq | Condition::To, Minor::Exact(n)) => compare(w, "<=", n),
                _ => NOTHING.to_owned(),
            }
        }
        _ => NOTHING.to_owned(),
    }
}

/// One filter as SQL (core's `Filter::matches`: an absent value passes only `null`).
fn filter_sql(w: &mut Where, pool: &Pool, column: &Column, filter: &Filter) -> String {
    if let Column::Constant(value) = column {
        return if filter.matches(&Constant(value)) {
            "1 = 1".to_owned()
        } else {
            NOTHING.to_owned()
        };
    }
    let raw = match column {
        Column::Integer(e) | Column::Money(e) | Column::Text(e) | Column::Boolean(e) => e,
        Column::Constant(_) => unreachable!("answered above"),
    };
    match filter.condition {
        Condition::Null => return format!("{raw} IS NULL"),
        Condition::Notnull => return format!("{raw} IS NOT NULL"),
        Condition::Like | Condition::Nlike => {
            let Operand::Pattern(pattern) = &filter.operand else {
                return NOTHING.to_owned();
            };
            let text = text_of(pool, column).unwrap_or_default();
            let escaped = pattern.to_ascii_lowercase().replace('\\', "\\\\");
            let like = format!("{text} LIKE {} ESCAPE '\\'", w.placeholder(escaped.into()));
            return if filter.condition == Condition::Like {
                like
            } else {
                format!("NOT ({like})")
            };
        }
        _ => {}
    }
    if let Column::Money(expr) = column {
        return money_condition(w, expr, filter.condition, &filter.operand);
    }
    let expr = compared(pool, column).unwrap_or_default();
    let op = match filter.condition {
        Condition::Eq => "=",
        Condition::Neq => "<>",
        Condition::Gt => ">",
        Condition::Gteq | Condition::From => ">=",
        Condition::Lt => "<",
        Condition::Lteq | Condition::To => "<=",
        Condition::In | Condition::Nin => {
            let Operand::Many(values) = &filter.operand else {
                return NOTHING.to_owned();
            };
            let marks: Vec<String> = values.iter().map(|v| w.placeholder(arg_of(v))).collect();
            let not = if filter.condition == Condition::Nin {
                "NOT "
            } else {
                ""
            };
            return format!("{expr} {not}IN ({})", marks.join(", "));
        }
        Condition::Like | Condition::Nlike | Condition::Null | Condition::Notnull => {
            unreachable!("answered above")
        }
    };
    match &filter.operand {
        Operand::One(value) => format!("{expr} {op} {}", w.placeholder(arg_of(value))),
        _ => NOTHING.to_owned(),
    }
}

/// `WHERE`'s conditions (groups AND-ed, filters in a group OR-ed), `ORDER BY` (then by `id`),
/// `LIMIT` and `OFFSET` of `criteria` over `columns`.
fn clauses(
    w: &mut Where,
    pool: &Pool,
    criteria: &SearchCriteria,
    columns: impl Fn(&str) -> Column,
    id: &str,
) -> (String, String) {
    let groups: Vec<String> = criteria
        .filter_groups
        .iter()
        .map(|group| {
            let any: Vec<String> = group
                .iter()
                .map(|f| format!("({})", filter_sql(w, pool, &columns(f.field.name), f)))
                .collect();
            format!("({})", any.join(" OR "))
        })
        .collect();
    let condition = if groups.is_empty() {
        "1 = 1".to_owned()
    } else {
        groups.join(" AND ")
    };
    let mut order: Vec<String> = criteria
        .sort_orders
        .iter()
        .filter_map(|sort| {
            let expr = compared(pool, &columns(sort.field.name))?;
            Some(match sort.direction {
                Direction::Asc => format!("{expr} ASC NULLS FIRST"),
                Direction::Desc => format!("{expr} DESC NULLS LAST"),
            })
        })
        .collect();
    order.push(format!("{id} ASC"));
    let offset = u64::from(criteria.current_page - 1) * u64::from(criteria.page_size);
    let tail = format!(
        " ORDER BY {} LIMIT {} OFFSET {offset}",
        order.join(", "),
        criteria.page_size
    );
    (condition, tail)
}

/// A company credit's fields (core's `CreditView` cells) over `accounts`.
fn credit_column(field: &str) -> Column {
    match field {
        "id" => Column::Integer("credit_id".into()),
        "company_id" => Column::Integer("company_id".into()),
        "credit_limit" => Column::Money("credit_limit_minor".into()),
        "balance" => Column::Money("balance_minor".into()),
        "currency_code" => Column::Text("currency_found".into()),
        "exceed_limit" => Column::Boolean("exceed_limit".into()),
        "available_limit" => Column::Money("(credit_limit_minor + balance_minor)".into()),
        "credit_comment" => Column::Text("credit_comment".into()),
        other => unreachable!("{other} is not in core's CREDIT_FIELDS"),
    }
}

/// A history item's fields (core's `HistoryView` cells) over the `history` rows.
fn history_column(pool: &Pool, field: &str) -> Column {
    match field {
        "id" => Column::Integer("seq".into()),
        "company_credit_id" => Column::Integer("company_credit_id".into()),
        "user_id" => Column::Constant(Value::Integer(0)),
        "user_type" => Column::Constant(Value::Integer(USER_TYPE_INTEGRATION.into())),
        "currency_credit" | "currency_operation" => Column::Text("currency_found".into()),
        "rate" | "rate_credit" => Column::Constant(Value::Number(Rate::ONE.fraction())),
        "amount" => Column::Money("value_minor".into()),
        "balance" => Column::Money("balance_after_minor".into()),
        "credit_limit" => Column::Money("limit_after_minor".into()),
        "available_limit" => Column::Money("(limit_after_minor + balance_after_minor)".into()),
        "type" => Column::Integer("type_code".into()),
        "datetime" => Column::Text(pool.date_time_text("at_us")),
        "purchase_order" => Column::Text("purchase_order".into()),
        "comment" => Column::Text("reason".into()),
        other => unreachable!("{other} is not in core's HISTORY_FIELDS"),
    }
}

/// An entry's operation type in SQL over `e` (an entry) and the window `w` (its account's
/// entries up to it, in book order): the type it was given, else its kind's rule in core's
/// table.
fn operation_type_sql(w: &mut Where) -> String {
    let code = |t: OperationType| t.code().to_string();
    let mut cases = String::new();
    for kind in EntryKind::ALL {
        let mark = w.placeholder(kind.as_str().into());
        let then = match company::type_rule(kind) {
            TypeRule::Always(t) => code(t),
            TypeRule::First { first, later } => {
                let same = w.placeholder(kind.as_str().into());
                format!(
                    "CASE WHEN COUNT(CASE WHEN e.kind = {same} AND e.operation_type IS NULL THEN 1 END) \
                     OVER w = 1 THEN {} ELSE {} END",
                    code(first),
                    code(later)
                )
            }
            TypeRule::BySign {
                positive,
                otherwise,
            } => format!(
                "CASE WHEN e.value_minor > 0 THEN {} ELSE {} END",
                code(positive),
                code(otherwise)
            ),
        };
        cases.push_str(&format!(" WHEN e.kind = {mark} THEN {then}"));
    }
    format!("CAST(COALESCE(e.operation_type, CASE{cases} END) AS BIGINT)")
}

/// The kinds that move the balance (core's `EntryKind::counts_in_balance`) and the limit, as
/// `IN` lists.
fn kinds_where(w: &mut Where, keep: impl Fn(EntryKind) -> bool) -> String {
    let marks: Vec<String> = EntryKind::ALL
        .into_iter()
        .filter(|k| keep(*k))
        .map(|k| w.placeholder(k.as_str().into()))
        .collect();
    marks.join(", ")
}

#[derive(FromRow)]
struct HistoryRow {
    seq: i64,
    #[sqlx(flatten)]
    entry: EntryRow,
    company_credit_id: i64,
    currency_found: String,
    balance_after_minor: i64,
    limit_after_minor: i64,
    type_code: i64,
}

#[derive(FromRow)]
struct Count {
    count: i64,
}

fn count_of(row: Count) -> u64 {
    u64::try_from(row.count).unwrap_or_default()
}

impl Db {
    /// The page of accounts whose company credits `criteria` select, in its order, and how
    /// many it selects in all; `store_currency` stands for an account's own when it has none.
    pub async fn search_company_credits(
        &self,
        criteria: &SearchCriteria,
        store_currency: &Currency,
    ) -> Result<(Vec<Account>, u64), StorageError> {
        let mut w = Where::default();
        let currency = w.placeholder(store_currency.as_str().into());
        let source = format!(
            "(SELECT {ACCOUNT_COLUMNS}, COALESCE(currency_code, {currency}) AS currency_found \
             FROM accounts WHERE credit_id > 0) AS credits"
        );
        let (condition, tail) = clauses(&mut w, &self.pool, criteria, credit_column, "credit_id");
        let page = format!("SELECT {ACCOUNT_COLUMNS} FROM {source} WHERE {condition}{tail}");
        let count = format!("SELECT COUNT(*) AS count FROM {source} WHERE {condition}");
        let rows: Vec<AccountRow> = self.pool.fetch_all(&page, w.binds.clone()).await?;
        let total: Count = self.pool.fetch_one(&count, w.binds).await?;
        let accounts = rows
            .into_iter()
            .map(AccountRow::into_account)
            .collect::<Result<_, _>>()?;
        Ok((accounts, count_of(total)))
    }

    /// The page of history items `criteria` select, in its order, and how many it selects in
    /// all: every entry of every numbered account (of the credits the criteria pin, when they
    /// pin some — core's `credits_among`), each with the figures after it in book order.
    pub async fn search_company_history(
        &self,
        criteria: &SearchCriteria,
        store_currency: &Currency,
    ) -> Result<(Vec<HistoryView>, u64), StorageError> {
        let mut w = Where::default();
        let currency = w.placeholder(store_currency.as_str().into());
        let balance_kinds = kinds_where(&mut w, EntryKind::counts_in_balance);
        let limit_kinds = kinds_where(&mut w, |k| k == EntryKind::CreditLimitChanged);
        let operation_type = operation_type_sql(&mut w);
        let narrowed = match company::credits_among(criteria) {
            None => String::new(),
            Some(credits) if credits.is_empty() => format!(" AND {NOTHING}"),
            Some(credits) => {
                let marks: Vec<String> = credits
                    .iter()
                    .map(|c| w.placeholder(i64::from(c.get()).into()))
                    .collect();
                format!(" AND a.credit_id IN ({})", marks.join(", "))
            }
        };
        let entry_columns: Vec<String> = ENTRY_COLUMNS
            .split(',')
            .map(|c| format!("e.{}", c.trim()))
            .collect();
        let source = format!(
            "(SELECT e.seq, {}, a.credit_id AS company_credit_id, \
             COALESCE(a.currency_code, {currency}) AS currency_found, \
             CAST(SUM(CASE WHEN e.kind IN ({balance_kinds}) THEN e.value_minor ELSE 0 END) OVER w AS BIGINT) AS balance_after_minor, \
             CAST(SUM(CASE WHEN e.kind IN ({limit_kinds}) THEN e.value_minor ELSE 0 END) OVER w AS BIGINT) AS limit_after_minor, \
             {operation_type} AS type_code \
             FROM entries e JOIN accounts a ON a.id = e.account_id \
             WHERE a.credit_id > 0{narrowed} \
             WINDOW w AS (PARTITION BY e.account_id ORDER BY e.at_us, e.seq \
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS history",
            entry_columns.join(", ")
        );
        let pool = &self.pool;
        let (condition, tail) = clauses(
            &mut w,
            pool,
            criteria,
            |field| history_column(pool, field),
            "seq",
        );
        let page = format!(
            "SELECT seq, {ENTRY_COLUMNS}, company_credit_id, currency_found, balance_after_minor, \
             limit_after_minor, type_code FROM {source} WHERE {condition}{tail}"
        );
        let count = format!("SELECT COUNT(*) AS count FROM {source} WHERE {condition}");
        let rows: Vec<HistoryRow> = self.pool.fetch_all(&page, w.binds.clone()).await?;
        let total: Count = self.pool.fetch_one(&count, w.binds).await?;
        let items = rows
            .into_iter()
            .map(HistoryRow::into_view)
            .collect::<Result<_, _>>()?;
        Ok((items, count_of(total)))
    }
}

impl HistoryRow {
    fn into_view(self) -> Result<HistoryView, StorageError> {
        let corrupt = |what: String| StorageError::corrupt(what);
        let credit = u32::try_from(self.company_credit_id)
            .ok()
            .and_then(|n| CreditId::try_from(n).ok())
            .ok_or_else(|| corrupt(format!("credit id {}", self.company_credit_id)))?;
        let currency: Currency = self
            .currency_found
            .parse()
            .map_err(|_| corrupt(format!("currency {:?}", self.currency_found)))?;
        let operation = u8::try_from(self.type_code)
            .ok()
            .and_then(OperationType::from_code)
            .ok_or_else(|| corrupt(format!("operation type {}", self.type_code)))?;
        let entry = self.entry.into_entry()?;
        let line = HistoryLine::after(
            operation,
            entry.value,
            self.balance_after_minor,
            self.limit_after_minor,
        );
        Ok(HistoryView::of(self.seq, credit, &currency, &line, &entry))
    }
}
