//! `esculape codes`: CIM-10 labels from the installed `cim10` pack; a code gives its label,
//! words give the codes whose labels hold them.

#![allow(clippy::print_stdout)]

use crate::settings::Settings;
use crate::sources::open_kb;
use anyhow::{Context, Result};
use clap::Args;
use esculape_drugs::Cim10;
use std::io::Read;

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Words of a label ("insuffisance cardiaque") or a code ("I50", "I50.0").
    query: String,
    /// Most codes listed.
    #[arg(long, default_value_t = 20)]
    k: usize,
    /// Machine-readable output (stable JSON).
    #[arg(long)]
    json: bool,
}

pub fn codes(settings: &Settings, args: CodesArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    let folder = kb.pack_folder("cim10").map_err(|_| {
        anyhow::anyhow!("source pack `cim10` is not installed: run `esculape setup` (or `esculape sources add cim10`)")
    })?;
    let version = kb
        .catalog()
        .packs
        .get("cim10")
        .map(|pack| pack.version.clone())
        .unwrap_or_default();
    let path = folder.join("cim10.csv.gz");
    let compressed = std::fs::read(&path).with_context(|| {
        format!(
            "cannot read `{}`: run `esculape sources update cim10`",
            path.display()
        )
    })?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut bytes)
        .with_context(|| {
            format!(
                "`{}` is not a valid gzip file: run `esculape sources update cim10`",
                path.display()
            )
        })?;
    let (text, _) = esculape_kb::decode_text(&bytes);
    let cim10 = Cim10::from_csv(&text)?;
    let looks_like_code = {
        let bare: String = args
            .query
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        bare.len() >= 3
            && bare.len() <= 6
            && bare.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && bare.chars().skip(1).take(2).all(|c| c.is_ascii_digit())
    };
    let hits: Vec<&esculape_drugs::Cim10Code> = if looks_like_code {
        cim10.lookup(&args.query).into_iter().collect()
    } else {
        cim10.search(&args.query, args.k)
    };
    if args.json {
        let body =
            serde_json::json!({ "query": args.query, "cim10_version": version, "codes": hits });
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    if hits.is_empty() {
        println!(
            "Aucun code CIM-10 pour « {} » (CIM-10 FR, version {version}).",
            args.query
        );
    }
    for hit in hits {
        println!("{:<7} {}", hit.code, hit.label);
    }
    println!("Source : CIM-10 FR (ATIH), pack cim10 version {version}.");
    Ok(())
}
