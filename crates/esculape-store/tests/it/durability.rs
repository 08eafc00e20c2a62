//! A writer killed with SIGKILL in the middle of appending loses no record it had
//! acknowledged, and the chain still verifies.

use esculape_store::Store;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD_DATABASE: &str = "ESCULAPE_STORE_TEST_WRITER_DATABASE";

/// Runs only as the child of `a_killed_writer_loses_no_acknowledged_record`: appends
/// records forever, printing each id once `append_audit` has returned.
#[test]
#[allow(clippy::print_stdout)]
fn writer_child() {
    let Ok(path) = std::env::var(CHILD_DATABASE) else {
        return;
    };
    let store = esculape_store::SqliteStore::open(path.as_ref()).unwrap();
    let mut stdout = std::io::stdout().lock();
    for at_ms in 0.. {
        let record = store.append_audit(&crate::audit("search", at_ms)).unwrap();
        writeln!(stdout, "acknowledged {}", record.id).unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn a_killed_writer_loses_no_acknowledged_record() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("esculape.sqlite3");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "durability::writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DATABASE, &database)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 150 {
        let line = lines.next().expect("the writer stopped early").unwrap();
        if let Some(id) = line.strip_prefix("acknowledged ") {
            acknowledged.push(id.parse::<i64>().unwrap());
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, mid-transaction
    child.wait().unwrap();
    // What the pipe still holds was acknowledged before the kill too.
    for line in lines {
        if let Some(id) = line.unwrap().strip_prefix("acknowledged ") {
            acknowledged.push(id.parse().unwrap());
        }
    }
    let store = esculape_store::SqliteStore::open(&database).unwrap();
    let verification = store.verify_audit().unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    let last_acknowledged = *acknowledged.last().unwrap();
    assert!(
        verification.head_id >= last_acknowledged,
        "acknowledged up to {last_acknowledged}, found {}",
        verification.head_id
    );
    let kept: std::collections::HashSet<i64> = store
        .audit_records(None, usize::MAX >> 2)
        .unwrap()
        .iter()
        .map(|record| record.id)
        .collect();
    assert!(acknowledged.iter().all(|id| kept.contains(id)));
}
