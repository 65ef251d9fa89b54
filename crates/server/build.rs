//! `sqlx::migrate!` embeds the migration files at compile time: rebuild when one is added or
//! changed (without this, a new migration is silently missing from the binary).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
