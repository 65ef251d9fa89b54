//! Group commit (`db::commit`): commands queued behind one writer share a transaction and a
//! commit, and each still gets its own answer — a refusal, a failed write or a panic rolls back
//! alone (its events too) and the others land. Runs on the test engine (SQLite file, or PostgreSQL when
//! `CREDITDESK_TEST_POSTGRES_URL` is set).

mod common;

use std::time::Duration;

use common::test_app;
use creditdesk_core::account::Holder;
use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{CreateHold, OpenAccount};
use creditdesk_core::ids::{AccountId, Actor, HolderId, TransactionId};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{CreditError, Money, Timestamp};
use creditdesk_server::db::books::Reads;
use creditdesk_server::db::{Db, StorageError};
use serde_json::json;

/// What a test command answers: core's refusal, or storage's failure.
#[derive(Debug)]
enum Refusal {
    Credit(CreditError),
    Storage(StorageError),
}

impl From<StorageError> for Refusal {
    fn from(error: StorageError) -> Refusal {
        Refusal::Storage(error)
    }
}

impl From<CreditError> for Refusal {
    fn from(error: CreditError) -> Refusal {
        Refusal::Credit(error)
    }
}

fn now() -> Timestamp {
    Timestamp::from_unix_micros(1_780_000_000_000_000).unwrap()
}

fn with_ctx<T>(run: impl FnOnce(&Ctx) -> T) -> T {
    let actor: Actor = "group-commit-test".parse().unwrap();
    let config = StoreConfig::default();
    run(&Ctx {
        now: now(),
        actor: &actor,
        config: &config,
    })
}

async fn open(db: &Db, document: &str, limit: &str) -> AccountId {
    let open = OpenAccount::from_json(&json!({
        "document": document, "documentType": "CPF", "email": "a@b.co", "creditLimit": limit
    }))
    .unwrap();
    let id = open.account_id();
    db.with_book(&id, &Reads::account(), now(), move |book| {
        *book = Some(with_ctx(|ctx| Book::open(&open, ctx)));
        Ok::<_, StorageError>(())
    })
    .await
    .unwrap();
    id
}

/// Holds the engine's write lock on `id` (SQLite: the file; PostgreSQL: the account row) until
/// the returned sender is dropped, so that commands queue behind the writer meanwhile.
async fn block_writes(db: &Db, id: &AccountId) -> tokio::sync::oneshot::Sender<()> {
    let mut tx = db.pool().begin_write().await.unwrap();
    let sql = format!(
        "SELECT id FROM accounts WHERE id = $1{}",
        db.pool().lock_clause()
    );
    let row: Option<(String,)> = tx
        .fetch_optional(&sql, vec![id.as_str().into()])
        .await
        .unwrap();
    assert!(row.is_some());
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = released.await;
        tx.commit().await.unwrap();
    });
    release
}

/// 40 holds of 1.00 against 30.00 of credit, queued behind one writer together with a command
/// that panics and one whose write fails half-way: exactly 30 holds land, the other 10 are
/// refused for credit, the panic and the failed write are answered as such and leave nothing
/// behind, and the commands shared commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_command_of_a_shared_commit_gets_its_own_answer() {
    let app = test_app().await;
    let db = app.db.clone();
    let id = open(&db, "1", "30").await;
    let other = open(&db, "2", "30").await;
    let taken = HolderId::from_bytes([7; 16]);
    db.with_book(&other, &Reads::holders(), now(), move |book| {
        let book = book.as_mut().unwrap();
        book.holders.push(Holder {
            id: taken,
            email: "holder@b.co".parse().unwrap(),
            level: 1,
            created_at: now(),
        });
        Ok::<_, StorageError>(())
    })
    .await
    .unwrap();
    let before: Vec<(u32, u64)> = db.batch_sizes();

    let release = block_writes(&db, &id).await;
    let hold = CreateHold::from_json(&json!({"value": "1.00", "settle": true}), now()).unwrap();
    let mut tasks = Vec::new();
    for n in 0..42u8 {
        let (db, id, hold) = (db.clone(), id.clone(), hold.clone());
        tasks.push(tokio::spawn(async move {
            let reads = if n == 20 {
                Reads::holders()
            } else {
                Reads::account()
            };
            db.with_book(&id, &reads, now(), move |book| {
                let book = book.as_mut().unwrap();
                match n {
                    // Panics half-way through changing the book.
                    10 => {
                        book.account.credit_limit = Money::from_minor(1_000_000).unwrap();
                        panic!("a command that panics (expected in this test)");
                    }
                    // Raises the limit, then adds a holder whose id another account has:
                    // the account's UPDATE runs, the holder's INSERT fails.
                    20 => {
                        book.account.credit_limit = Money::from_minor(1_000_000).unwrap();
                        book.holders.push(Holder {
                            id: HolderId::from_bytes([7; 16]),
                            email: "again@b.co".parse().unwrap(),
                            level: 1,
                            created_at: now(),
                        });
                        Ok(n)
                    }
                    _ => {
                        let tid = TransactionId::from_bytes([n; 16]);
                        with_ctx(|ctx| book.create_hold(&hold, tid, ctx).map(|_| n))
                            .map_err(Refusal::from)
                    }
                }
            })
            .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(release);

    let (mut held, mut refused) = (0, 0);
    for (n, task) in tasks.into_iter().enumerate() {
        match (n, task.await.unwrap()) {
            (10, Err(Refusal::Storage(StorageError::Panicked))) => {}
            (20, Err(Refusal::Storage(StorageError::Database(e)))) => {
                assert!(e.to_string().contains("UNIQUE") || e.to_string().contains("unique"))
            }
            (_, Ok(_)) => held += 1,
            (_, Err(Refusal::Credit(CreditError::InsufficientCredit { .. }))) => refused += 1,
            (n, other) => panic!("command {n}: {other:?}"),
        }
    }
    assert_eq!((held, refused), (30, 10));

    let book = db
        .read_book(&id, &Reads::transaction_list(), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(book.account.credit_limit, Money::from_minor(3000).unwrap());
    assert_eq!(book.transactions.len(), 30);
    let holders = db.read_book(&id, &Reads::holders(), now()).await.unwrap();
    assert!(holders.unwrap().holders.is_empty());
    // The batches wrote their events together: each hold's, the opening's limit, and nothing of
    // the two commands that rolled back (both raised the limit first).
    let sql = "SELECT kind, COUNT(*) FROM outbox WHERE account_id = $1 GROUP BY kind ORDER BY kind";
    let events: Vec<(String, i64)> = db
        .pool()
        .fetch_all(sql, vec![id.as_str().into()])
        .await
        .unwrap();
    assert_eq!(
        events,
        [
            ("account.credit_limit_changed".to_owned(), 1),
            ("hold.created".to_owned(), 30)
        ]
    );

    let commits = |sizes: &[(u32, u64)]| sizes.iter().map(|(_, n)| n).sum::<u64>();
    let commands = |sizes: &[(u32, u64)]| {
        sizes
            .iter()
            .map(|(size, n)| u64::from(*size) * n)
            .sum::<u64>()
    };
    let after = db.batch_sizes();
    let (commits, commands) = (
        commits(&after) - commits(&before),
        commands(&after) - commands(&before),
    );
    assert_eq!(
        commands, 42,
        "every command went through a commit: {after:?}"
    );
    assert!(commits < commands, "commands shared commits: {after:?}");

    // The lane closed behind its writer: the next command starts a new one.
    let next = TransactionId::from_bytes([99; 16]);
    let answer = db
        .with_book(&id, &Reads::account(), now(), move |book| {
            let book = book.as_mut().unwrap();
            with_ctx(|ctx| book.create_hold(&hold, next, ctx).map(|_| ())).map_err(Refusal::from)
        })
        .await;
    assert!(
        matches!(
            answer,
            Err(Refusal::Credit(CreditError::InsufficientCredit { .. }))
        ),
        "{answer:?}"
    );
}

/// A command alone in its transaction whose write fails half-way: the transaction is rolled
/// back whole (it needs no savepoint), the command hears why, and the lane goes on.
#[tokio::test]
async fn a_lone_command_that_fails_half_way_leaves_nothing() {
    let app = test_app().await;
    let db = app.db.clone();
    let id = open(&db, "1", "30").await;
    let other = open(&db, "2", "30").await;
    let holder = |email: &str| Holder {
        id: HolderId::from_bytes([7; 16]),
        email: email.parse().unwrap(),
        level: 1,
        created_at: now(),
    };
    let first = holder("holder@b.co");
    db.with_book(&other, &Reads::holders(), now(), move |book| {
        book.as_mut().unwrap().holders.push(first);
        Ok::<_, StorageError>(())
    })
    .await
    .unwrap();
    let again = holder("again@b.co");
    let answer = db
        .with_book(&id, &Reads::holders(), now(), move |book| {
            let book = book.as_mut().unwrap();
            book.account.credit_limit = Money::from_minor(1_000_000).unwrap();
            book.holders.push(again);
            Ok::<_, StorageError>(())
        })
        .await;
    assert!(
        matches!(answer, Err(StorageError::Database(_))),
        "{answer:?}"
    );
    let book = db
        .read_book(&id, &Reads::holders(), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(book.account.credit_limit, Money::from_minor(3000).unwrap());
    assert!(book.holders.is_empty());
    let hold = CreateHold::from_json(&json!({"value": "1.00"}), now()).unwrap();
    let held = db
        .with_book(&id, &Reads::account(), now(), move |book| {
            let book = book.as_mut().unwrap();
            with_ctx(|ctx| {
                book.create_hold(&hold, TransactionId::from_bytes([1; 16]), ctx)
                    .map(|_| ())
            })
            .map_err(Refusal::from)
        })
        .await;
    assert!(held.is_ok(), "{held:?}");
}
