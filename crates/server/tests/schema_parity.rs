//! The two migration sets (`migrations/sqlite`, `migrations/postgres`) must describe the same
//! schema: the same tables, columns (type, nullability), primary keys, foreign keys and indexes
//! (columns, uniqueness, partial predicate). Both are migrated for real and read back from each
//! engine's catalogue, so a column added to one set only fails here.
//!
//! Needs both engines: it runs in the PostgreSQL pass of `cargo xtask test`
//! (`CREDITDESK_TEST_POSTGRES_URL`); the SQLite-only pass says so and checks nothing.

mod common;

use std::collections::BTreeMap;

use creditdesk_server::db::Synchronous;
use creditdesk_server::db::{Db, Pool};
use sqlx::Row;

/// One table as both engines can describe it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// `name type [not null]`, in declaration order.
    columns: Vec<String>,
    primary_key: Vec<String>,
    /// `(columns) references table(columns)`, sorted.
    foreign_keys: Vec<String>,
    /// name → `[unique ](columns)[ where predicate]`.
    indexes: BTreeMap<String, String>,
}

type Schema = BTreeMap<String, Table>;

/// Tables of the migration tool itself, not ours.
const IGNORED_TABLES: &[&str] = &["_sqlx_migrations"];

/// A predicate as text both engines write alike: lower case, no parentheses, single spaces.
fn predicate(text: &str) -> String {
    let text = text.replace(['(', ')'], " ").to_lowercase();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn index(unique: bool, columns: &[String], partial: Option<String>) -> String {
    let mut text = format!(
        "{}({})",
        if unique { "unique " } else { "" },
        columns.join(", ")
    );
    if let Some(p) = partial {
        text += &format!(" where {}", predicate(&p));
    }
    text
}

async fn sqlite_schema(pool: &sqlx::SqlitePool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for name in tables
        .into_iter()
        .filter(|t| !IGNORED_TABLES.contains(&t.as_str()))
    {
        let mut table = Table::default();
        let columns = sqlx::query(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut key: Vec<(i64, String)> = Vec::new();
        for c in &columns {
            let (column, declared, not_null, pk): (String, String, bool, i64) =
                (c.get(0), c.get(1), c.get(2), c.get(3));
            // `INTEGER PRIMARY KEY` is the rowid: a 64-bit integer that cannot be null.
            let rowid = pk == 1
                && declared.eq_ignore_ascii_case("INTEGER")
                && columns.iter().filter(|c| c.get::<i64, _>(3) > 0).count() == 1;
            let kind = if rowid {
                "bigint".to_owned()
            } else {
                declared.to_lowercase()
            };
            let null = if not_null || rowid { " not null" } else { "" };
            table.columns.push(format!("{column} {kind}{null}"));
            if pk > 0 {
                key.push((pk, column));
            }
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();

        let fks = sqlx::query("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq")
            .bind(&name)
            .fetch_all(pool)
            .await
            .unwrap();
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for fk in &fks {
            let entry = by_id.entry(fk.get(0)).or_default();
            entry.0 = fk.get(1);
            entry.1.push(fk.get(2));
            entry.2.push(fk.get(3));
        }
        table.foreign_keys = by_id
            .into_values()
            .map(|(to, from, cols)| {
                format!("({}) references {to}({})", from.join(", "), cols.join(", "))
            })
            .collect();
        table.foreign_keys.sort();

        let indexes = sqlx::query(
            "SELECT name, \"unique\", partial FROM pragma_index_list(?) WHERE origin = 'c'",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for i in &indexes {
            let (index_name, unique, partial): (String, bool, bool) =
                (i.get(0), i.get(1), i.get(2));
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&index_name)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let predicate = if partial {
                let sql: String = sqlx::query_scalar(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                )
                .bind(&index_name)
                .fetch_one(pool)
                .await
                .unwrap();
                let at = sql
                    .to_uppercase()
                    .rfind(" WHERE ")
                    .expect("a partial index has WHERE");
                Some(sql[at + 7..].to_owned())
            } else {
                None
            };
            table
                .indexes
                .insert(index_name, index(unique, &columns, predicate));
        }
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(pool: &sqlx::PgPool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for name in tables
        .into_iter()
        .filter(|t| !IGNORED_TABLES.contains(&t.as_str()))
    {
        let mut table = Table::default();
        let columns = sqlx::query(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for c in &columns {
            let (column, kind, nullable): (String, String, String) = (c.get(0), c.get(1), c.get(2));
            let null = if nullable == "NO" { " not null" } else { "" };
            table.columns.push(format!("{column} {kind}{null}"));
        }
        table.primary_key = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index ix \
             JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) ON true \
             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
             WHERE ix.indrelid = $1::regclass AND ix.indisprimary ORDER BY k.n",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        let fks = sqlx::query(
            "SELECT (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), \
                    c.confrelid::regclass::text, \
                    (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) \
             FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = $1::regclass",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        table.foreign_keys = fks
            .iter()
            .map(|fk| {
                let (from, to, cols): (Vec<String>, String, Vec<String>) =
                    (fk.get(0), fk.get(1), fk.get(2));
                format!("({}) references {to}({})", from.join(", "), cols.join(", "))
            })
            .collect();
        table.foreign_keys.sort();
        // Indexes we created: not those behind a primary key or constraint.
        let indexes = sqlx::query(
            "SELECT i.relname::text, ix.indisunique, pg_get_expr(ix.indpred, ix.indrelid), \
                    (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum) \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
             WHERE ix.indrelid = $1::regclass \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for i in &indexes {
            let (index_name, unique, partial, columns): (
                String,
                bool,
                Option<String>,
                Vec<String>,
            ) = (i.get(0), i.get(1), i.get(2), i.get(3));
            table
                .indexes
                .insert(index_name, index(unique, &columns, partial));
        }
        schema.insert(name, table);
    }
    schema
}

#[tokio::test]
async fn both_migration_sets_describe_the_same_schema() {
    let Ok(admin_url) = std::env::var("CREDITDESK_TEST_POSTGRES_URL") else {
        println!("no CREDITDESK_TEST_POSTGRES_URL: the schema parity check runs in the PostgreSQL pass of `cargo xtask test`");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("parity.db").display());
    let sqlite_db = Db::connect(&sqlite_url, Synchronous::Full).await.unwrap();
    let Pool::Sqlite(sqlite) = sqlite_db.pool() else {
        unreachable!("a sqlite:// URL opens SQLite")
    };
    let postgres_url = common::fresh_postgres_database(&admin_url).await;
    let postgres_db = Db::connect(&postgres_url, Synchronous::Full).await.unwrap();
    let Pool::Postgres(postgres) = postgres_db.pool() else {
        unreachable!("a postgres:// URL opens PostgreSQL")
    };
    let (lite, pg) = (sqlite_schema(sqlite).await, postgres_schema(postgres).await);
    assert!(
        lite.contains_key("invoices") && lite["invoices"].indexes.len() > 5,
        "the catalogue was read: {lite:#?}"
    );
    let names: std::collections::BTreeSet<&String> = lite.keys().chain(pg.keys()).collect();
    let differ: Vec<String> = names
        .into_iter()
        .filter(|name| lite.get(*name) != pg.get(*name))
        .map(|name| {
            format!(
                "table {name}:\n  SQLite:     {:?}\n  PostgreSQL: {:?}",
                lite.get(name),
                pg.get(name)
            )
        })
        .collect();
    assert!(
        differ.is_empty(),
        "the migration sets differ:\n{}",
        differ.join("\n")
    );
}

/// Migration 0009 rebuilds tables that others reference: on a database holding an account with a
/// holder, a settled hold, invoices, entries and keys, the upgrade keeps every row and every
/// reference (run again here, as on a database from before it).
#[tokio::test]
async fn the_upgrade_to_not_null_keys_keeps_every_row() {
    use axum::http::{Method, StatusCode};
    let app = common::test_app_with_account().await;
    let accounts = "/api/creditcontrol/accounts";
    let send = |method: Method, path: String, body: serde_json::Value| {
        let app = &app;
        async move {
            let (status, answer) = app
                .send(method, &path, Some(&body.to_string()), &app.admin)
                .await;
            assert_eq!(status, StatusCode::OK, "{path}: {answer}");
            answer
        }
    };
    send(
        Method::POST,
        format!("{accounts}/1_CPF/holders"),
        serde_json::json!({"claims": {"email": "h@b.co"}}),
    )
    .await;
    let hold = send(
        Method::POST,
        format!("{accounts}/1_CPF/transactions"),
        serde_json::json!({"value": 90, "settle": true, "installments": 3}),
    )
    .await;
    let id = hold["id"].as_str().unwrap();
    send(
        Method::PUT,
        format!("{accounts}/1_CPF/transactions/{id}/settlement"),
        serde_json::json!({"value": 90}),
    )
    .await;

    let tables = [
        "accounts",
        "holders",
        "transactions",
        "invoices",
        "entries",
        "api_keys",
        "store_config",
    ];
    let counts = |db: Db| async move {
        let mut counts = Vec::new();
        for table in tables {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let (n,): (i64,) = db.pool().fetch_one(&sql, Vec::new()).await.unwrap();
            counts.push((table, n));
        }
        counts
    };
    let before = counts(app.db.clone()).await;
    assert!(
        before.iter().all(|(_, n)| *n > 0),
        "every table holds rows: {before:?}"
    );
    let (_, account_before) = app
        .send(Method::GET, &format!("{accounts}/1_CPF"), None, &app.admin)
        .await;

    // Back to the schema before 0009 (what later migrations added, removed), then up again:
    // invoices paid in full get their payment credits back from the upgrade at start.
    for sql in [
        "DROP TABLE import_parts",
        "DROP TABLE buyer_sessions",
        "DROP TABLE buyer_links",
        "DROP TABLE import_errors",
        "DROP TABLE imports",
        "ALTER TABLE entries DROP COLUMN purchase_order",
        "ALTER TABLE entries DROP COLUMN operation_type",
        "DROP INDEX api_keys_by_token",
        "DROP INDEX accounts_company_id",
        "DROP INDEX accounts_credit_id",
        "ALTER TABLE accounts DROP COLUMN credit_comment",
        "ALTER TABLE accounts DROP COLUMN exceed_limit",
        "ALTER TABLE accounts DROP COLUMN currency_code",
        "ALTER TABLE accounts DROP COLUMN company_id",
        "ALTER TABLE accounts DROP COLUMN credit_id",
        "DROP TABLE reminders",
        "DROP INDEX invoices_reminders_due",
        "ALTER TABLE invoices DROP COLUMN next_reminder_us",
        "ALTER TABLE invoices DROP COLUMN reminded_through_us",
        "DROP INDEX invoices_newly_overdue",
        "ALTER TABLE invoices DROP COLUMN overdue_at_us",
        "DROP TABLE webhook_attempts",
        "DROP TABLE webhook_deliveries",
        "DROP TABLE outbox",
        "DROP TABLE webhook_endpoints",
        "DROP INDEX invoices_open_by_due",
        "ALTER TABLE invoices DROP COLUMN interest_through_us",
        "ALTER TABLE invoices DROP COLUMN interest_tax_paid_minor",
        "ALTER TABLE invoices DROP COLUMN interest_paid_minor",
        "ALTER TABLE store_config DROP COLUMN tenant_locator",
        "DROP TABLE credits",
        "ALTER TABLE entries DROP COLUMN credit_locator",
        "ALTER TABLE invoices DROP COLUMN written_off_minor",
        "ALTER TABLE invoices DROP COLUMN paid_minor",
        "ALTER TABLE accounts DROP COLUMN reserved_minor",
        "DROP TABLE invoice_totals",
        "DELETE FROM _sqlx_migrations WHERE version >= 9",
    ] {
        app.db.pool().execute(sql, Vec::new()).await.unwrap();
    }
    if let Pool::Postgres(_) = app.db.pool() {
        let sql = "DROP SEQUENCE credit_ids";
        app.db.pool().execute(sql, Vec::new()).await.unwrap();
    }
    let db = Db::connect(&app.database_url, Synchronous::Full)
        .await
        .expect("upgrade");
    assert_eq!(counts(db.clone()).await, before);
    if let Pool::Sqlite(pool) = db.pool() {
        let dangling: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(pool)
                .await
                .unwrap();
        assert_eq!(
            dangling,
            Vec::<String>::new(),
            "references broken by the upgrade"
        );
    }
    let (status, account_after) = app
        .send(Method::GET, &format!("{accounts}/1_CPF"), None, &app.admin)
        .await;
    assert_eq!((status, account_after), (StatusCode::OK, account_before));
}
