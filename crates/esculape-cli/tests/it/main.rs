//! End-to-end tests of the `esculape` binary: help, errors, and an update killed with
//! SIGKILL in the middle of indexing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn esculape(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_esculape"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("ESCULAPE_CONFIG")
        .env_remove("ESCULAPE_STORE_KEY");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run esculape")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn shared_data() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if path.join("README.md").exists() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/data is absent");
        None
    }
}

#[test]
fn help_names_every_command_an_operator_needs() {
    let folder = tempfile::tempdir().unwrap();
    let output = run(esculape(folder.path()).arg("--help"));
    assert!(output.status.success());
    let help = text(&output);
    for command in [
        "setup",
        "sources",
        "search",
        "passage",
        "--data-dir",
        "--config",
    ] {
        assert!(
            help.contains(command),
            "{command} missing from --help:\n{help}"
        );
    }
}

#[test]
fn searching_before_setup_says_what_to_run() {
    let folder = tempfile::tempdir().unwrap();
    let output = run(esculape(folder.path()).args(["search", "aspirine"]));
    assert!(!output.status.success());
    assert!(
        text(&output).contains("esculape setup"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_misspelt_setting_stops_the_program_with_its_name() {
    let folder = tempfile::tempdir().unwrap();
    let output = run(esculape(folder.path())
        .env("ESCULAPE__KB__CHUNK_MAX_CHAR", "500")
        .args(["sources", "list"]));
    assert!(!output.status.success());
    assert!(
        text(&output).contains("chunk_max_char"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_mirror_only_pack_without_mirror_fails_clearly_and_the_others_go_on() {
    let folder = tempfile::tempdir().unwrap();
    let output = run(esculape(folder.path()).args(["setup", "--packs", "medquad"]));
    assert!(!output.status.success());
    let message = text(&output);
    assert!(message.contains("--mirror"), "{message}");
}

#[test]
fn an_update_killed_while_indexing_leaves_the_previous_index_serving_and_the_next_run_recovers() {
    let Some(data) = shared_data() else { return };
    let folder = tempfile::tempdir().unwrap();
    let first = run(esculape(folder.path())
        .args(["sources", "add", "ansm-interactions", "--mirror"])
        .arg(&data));
    assert!(first.status.success(), "{}", text(&first));

    // BDPM takes about a second or more to index: kill the process at several points of
    // it. On a fast machine the last kills may come after the install finished; then the
    // pack is complete and listed, which is just as consistent.
    let mut killed_during_work = 0;
    let mut bdpm_documents_listed = None;
    for delay_ms in [100u64, 300, 600, 900, 1500] {
        let mut child = esculape(folder.path())
            .args(["sources", "add", "bdpm", "--mirror"])
            .arg(&data)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // The install may end on its own just before the kill: its exit status tells.
        let _ = child.kill(); // SIGKILL
        let completed = child.wait().unwrap().success();
        if !completed {
            killed_during_work += 1;
        }

        // The previous state (or the finished install) is intact and searchable by a new process.
        let search = run(esculape(folder.path()).args([
            "search",
            "clarithromycine simvastatine",
            "--json",
            "--k",
            "3",
            "--source",
            "ansm-interactions",
        ]));
        assert!(search.status.success(), "{}", text(&search));
        let body: serde_json::Value = serde_json::from_slice(&search.stdout).unwrap();
        assert_eq!(body["hits"][0]["source"]["pack"], "ansm-interactions");
        let list = run(esculape(folder.path()).args(["sources", "list", "--json"]));
        let packs: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        // One pack, or two when the install committed before it ended or was killed: then
        // the BDPM pack must be whole (compared with a full install below).
        match packs.as_array().unwrap().as_slice() {
            [_] => {}
            [_, _] => {
                bdpm_documents_listed = Some(documents_of(&packs, "bdpm"));
                break;
            }
            other => panic!("{} packs listed", other.len()),
        }
        assert!(!completed, "a finished install is listed");
    }
    assert!(
        killed_during_work > 0,
        "the test never caught the indexer at work"
    );

    let started = Instant::now();
    let again = run(esculape(folder.path())
        .args(["sources", "add", "bdpm", "--mirror"])
        .arg(&data));
    assert!(again.status.success(), "{}", text(&again));
    assert!(started.elapsed() < Duration::from_secs(120));
    let list = run(esculape(folder.path()).args(["sources", "list", "--json"]));
    let packs: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(packs.as_array().unwrap().len(), 2);
    if let Some(listed) = bdpm_documents_listed {
        assert_eq!(
            listed,
            documents_of(&packs, "bdpm"),
            "a listed pack is whole"
        );
    }
    let staged = std::fs::read_dir(folder.path().join("kb/staging"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(staged, 0, "staging files of killed runs are cleaned");
    let versions = std::fs::read_dir(folder.path().join("kb/sources/bdpm"))
        .unwrap()
        .count();
    assert_eq!(
        versions, 1,
        "only the committed BDPM version's files remain"
    );
    let search =
        run(esculape(folder.path()).args(["search", "doliprane", "--source", "bdpm", "--k", "1"]));
    assert!(text(&search).contains("DOLIPRANE"), "{}", text(&search));

    // Nothing new: the second run is quick.
    let started = Instant::now();
    let unchanged = run(esculape(folder.path())
        .args(["sources", "update", "--mirror"])
        .arg(&data));
    assert!(unchanged.status.success(), "{}", text(&unchanged));
    assert!(
        text(&unchanged).contains("up to date"),
        "{}",
        text(&unchanged)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// The document count of `pack` in the output of `sources list --json`.
fn documents_of(packs: &serde_json::Value, pack: &str) -> u64 {
    packs
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["id"] == pack)
        .and_then(|entry| entry["documents"].as_u64())
        .unwrap_or_else(|| panic!("{pack} is not listed"))
}

mod drafts;
