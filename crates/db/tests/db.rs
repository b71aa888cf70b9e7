//! Tests of the database crate against the real embedded PostgreSQL from the pgserver wheel.
//!
//! The server's binaries come from `LUCIDITY_POSTGRES_BIN` or the default install path;
//! `scripts/install.sh` puts them there. Every test uses its own data dir.

mod support;

use std::path::PathBuf;

use lucidity_db::embedded::{EmbeddedError, EmbeddedPostgres};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

use support::Scratch;

async fn connect(options: &PgConnectOptions) -> PgConnection {
    PgConnection::connect_with(options)
        .await
        .expect("the embedded server accepts a connection")
}

async fn start(settings: lucidity_db::embedded::EmbeddedSettings) -> EmbeddedPostgres {
    match EmbeddedPostgres::start(settings).await {
        Ok(server) => server,
        Err(error) => panic!("the embedded server did not start: {error}"),
    }
}

#[tokio::test]
async fn a_fresh_data_dir_is_initialised_and_serves_pgvector() {
    let scratch = Scratch::new();
    let server = start(scratch.settings("data")).await;
    assert!(server.owns_server());
    assert_eq!(server.superuser(), "cl_user");
    assert_eq!(server.database(), "lucidity_test");

    let mut conn = connect(&server.connect_options()).await;
    sqlx::query("CREATE EXTENSION vector")
        .execute(&mut conn)
        .await
        .expect("pgvector installs");
    let distance: f64 = sqlx::query_scalar("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector")
        .fetch_one(&mut conn)
        .await
        .expect("the distance is computed");
    assert_eq!(distance, 1.0);

    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .expect("the database is named");
    assert_eq!(database, "lucidity_test");

    conn.close().await.expect("the connection closes");
    server.stop().await.expect("the server stops");
}

#[tokio::test]
async fn a_second_start_reuses_the_data_of_the_first() {
    let scratch = Scratch::new();
    let server = start(scratch.settings("data")).await;
    let mut conn = connect(&server.connect_options()).await;
    sqlx::query("CREATE TABLE kept (note text)")
        .execute(&mut conn)
        .await
        .expect("created");
    sqlx::query("INSERT INTO kept VALUES ('still here')")
        .execute(&mut conn)
        .await
        .expect("kept");
    conn.close().await.expect("the connection closes");
    server.stop().await.expect("the server stops");

    let server = start(scratch.settings("data")).await;
    assert!(server.owns_server());
    let mut conn = connect(&server.connect_options()).await;
    let note: String = sqlx::query_scalar("SELECT note FROM kept")
        .fetch_one(&mut conn)
        .await
        .expect("the table survived the restart");
    assert_eq!(note, "still here");

    conn.close().await.expect("the connection closes");
    server.stop().await.expect("the server stops");
}

#[tokio::test]
async fn a_second_start_on_a_running_server_attaches_and_its_stop_leaves_it_running() {
    let scratch = Scratch::new();
    let owner = start(scratch.settings("data")).await;
    let guest = start(scratch.settings("data")).await;
    assert!(owner.owns_server());
    assert!(!guest.owns_server());
    assert_eq!(guest.socket_dir(), owner.socket_dir());
    assert_eq!(guest.port(), owner.port());

    let conn = connect(&guest.connect_options()).await;
    conn.close().await.expect("the connection closes");
    guest.stop().await.expect("the guest's stop succeeds");

    let mut conn = connect(&owner.connect_options()).await;
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .expect("answers");
    assert_eq!(one, 1);
    conn.close().await.expect("the connection closes");
    owner.stop().await.expect("the server stops");
}

#[tokio::test]
async fn a_server_left_running_by_a_crashed_process_is_attached_to() {
    let scratch = Scratch::new();
    let crashed = start(scratch.settings("data")).await;
    drop(crashed);

    let survivor = start(scratch.settings("data")).await;
    assert!(!survivor.owns_server());
    let conn = connect(&survivor.connect_options()).await;
    conn.close().await.expect("the connection closes");
    survivor.stop().await.expect("the attached stop succeeds");

    let again = start(scratch.settings("data")).await;
    assert!(
        !again.owns_server(),
        "the server is still running after the attached stop"
    );
}

#[tokio::test]
async fn a_data_dir_too_deep_for_a_socket_path_gets_a_private_socket_dir() {
    let scratch = Scratch::new();
    let deep = format!("data/{}", "nested-directory/".repeat(8));
    let server = start(scratch.settings(&deep)).await;
    let socket_dir = server.socket_dir().to_path_buf();
    assert!(
        socket_dir.starts_with("/tmp"),
        "socket dir {}",
        socket_dir.display()
    );
    assert!(!socket_dir.starts_with(scratch.path()));

    let conn = connect(&server.connect_options()).await;
    conn.close().await.expect("the connection closes");
    server.stop().await.expect("the server stops");
    assert!(
        !socket_dir.exists(),
        "the private socket dir is removed on stop"
    );
}

#[tokio::test]
async fn missing_binaries_are_reported_with_their_path_and_the_fix() {
    let scratch = Scratch::new();
    let mut settings = scratch.settings("data");
    let nowhere = scratch.path().join("no-postgres-here");
    settings.bin_dir = Some(nowhere.clone());

    let error = EmbeddedPostgres::start(settings)
        .await
        .expect_err("start fails");
    assert!(
        matches!(&error, EmbeddedError::MissingBinaries { path } if path.starts_with(&nowhere))
    );
    let message = error.to_string();
    assert!(
        message.contains(&nowhere.display().to_string()),
        "{message}"
    );
    assert!(message.contains("run scripts/install.sh"), "{message}");
    assert!(message.contains("LUCIDITY_POSTGRES_BIN"), "{message}");
}

#[tokio::test]
async fn as_root_a_data_dir_the_server_account_cannot_reach_is_refused() {
    if !support::running_as_root() {
        eprintln!("skipped: only root hands the server to another account");
        return;
    }
    let scratch = Scratch::new();
    let locked = scratch.path().join("locked");
    std::fs::create_dir(&locked).expect("created");
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("locked");

    let error = EmbeddedPostgres::start(scratch.settings("locked/data"))
        .await
        .expect_err("refused");
    assert!(matches!(&error, EmbeddedError::Unreachable { path, .. } if *path == locked));
    let message = error.to_string();
    assert!(message.contains("LUCIDITY_DATA_DIR"), "{message}");
    assert!(message.contains("nobody"), "{message}");
}

#[tokio::test]
async fn an_unknown_server_account_is_reported_by_name() {
    if !support::running_as_root() {
        eprintln!("skipped: the server account is used only when running as root");
        return;
    }
    let scratch = Scratch::new();
    let mut settings = scratch.settings("data");
    settings.os_user = "no-such-lucidity-account".to_owned();

    let error = EmbeddedPostgres::start(settings)
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("no-such-lucidity-account"), "{message}");
    assert!(message.contains("LUCIDITY_POSTGRES_OS_USER"), "{message}");
    assert!(
        !PathBuf::from(scratch.path())
            .join("data/postgres/data")
            .exists()
    );
}

#[tokio::test]
async fn a_server_killed_without_shutdown_is_started_afresh_with_its_data() {
    let scratch = Scratch::new();
    let server = start(scratch.settings("data")).await;
    let mut conn = connect(&server.connect_options()).await;
    sqlx::query("CREATE TABLE kept (note text)")
        .execute(&mut conn)
        .await
        .expect("created");
    drop(conn);

    let pgdata = scratch.path().join("data/postgres/data");
    support::kill_postmaster(&pgdata).await;
    drop(server);

    let server = start(scratch.settings("data")).await;
    assert!(server.owns_server(), "the stale postmaster.pid is replaced");
    let mut conn = connect(&server.connect_options()).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM kept")
        .fetch_one(&mut conn)
        .await
        .expect("the table survived the crash");
    assert_eq!(count, 0);
    conn.close().await.expect("the connection closes");
    server.stop().await.expect("the server stops");
}
