//! `esculape eval qa --dataset glianorex`: answers over a textbook of a fictional organ,
//! where nothing can come from what a model or its authors already know — only from
//! retrieval.
//!
//! The textbook (`corpus/glianorex_en.md`, and `glianorex_fr.md`, its French translation
//! with the same English headings) comes without questions. The questions are its
//! headings, asked by one fixed template of stop words only ("What is Vascular Supply
//! (Location and Structure)?"), so no fact is written by us; each leaf section is indexed
//! as a document of its own, *without* its headings, so the heading words of the question
//! can only be found in the section's body. An answer is right when it cites a passage of
//! the section the question was made from. The English questions are asked of the English
//! pack, and of the French pack (cross-lingual: the French file keeps English headings, so
//! no French question comes from its structure).

use crate::ask::answer_config;
use crate::eval::spread;
use crate::eval_qa::{EVAL_SCOPE_SECRET, QaArgs, dense_embedder};
use crate::progress::Bars;
use crate::settings::Settings;
use crate::sources::open_kb_at;
use anyhow::{Context, Result, bail};
use esculape_answer::{AnswerConfig, AnswerMode, Resources};
use esculape_kb::{Document, local_folder_pack};
use esculape_text::Language;
use serde::Serialize;
use std::path::Path;

/// One leaf section: its heading path (outermost first) and its body.
#[derive(Debug, Clone, PartialEq)]
struct Section {
    path: Vec<String>,
    body: String,
}

/// The sections of a Markdown textbook that hold text, each with the headings above it.
fn sections(markdown: &str) -> Vec<Section> {
    let mut path: Vec<(usize, String)> = Vec::new();
    let mut sections = Vec::new();
    let mut body = String::new();
    let mut flush = |path: &[(usize, String)], body: &mut String| {
        if !body.trim().is_empty() {
            sections.push(Section {
                path: path.iter().map(|(_, title)| title.clone()).collect(),
                body: body.trim().to_string(),
            });
        }
        body.clear();
    };
    for line in markdown.lines() {
        let level = line.chars().take_while(|&c| c == '#').count();
        if level > 0 && line[level..].starts_with(' ') {
            flush(&path, &mut body);
            path.retain(|(outer, _)| *outer < level);
            path.push((level, line[level..].trim().to_string()));
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(&path, &mut body);
    sections
}

/// The question made from a section's headings (the fixed template, English).
fn question(section: &Section) -> Option<String> {
    let leaf = section.path.last()?;
    Some(match section.path.len() {
        0..=2 => format!("What is {leaf}?"),
        _ => format!("What is {leaf} ({})?", section.path[section.path.len() - 2]),
    })
}

/// The figures of one pack.
#[derive(Debug, Default, Serialize)]
struct Figures {
    pack: String,
    questions: usize,
    answered: usize,
    /// Answers with a sentence citing the section the question was made from.
    cite_own_section: usize,
    /// Answers whose best-ranked passage is from that section (answered or not).
    top_passage_own: usize,
    /// Answers whose evidence holds a passage of that section.
    evidence_holds_own: usize,
    answer_p50_ms: f64,
}

fn read(data: &Path, name: &str) -> Result<String> {
    let path = data.join("corpus").join(name);
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read the Glianorex textbook `{}`: pass --data DIR (the folder ../shared/data)",
            path.display()
        )
    })
}

pub fn glianorex(settings: &Settings, args: &QaArgs) -> Result<()> {
    if args.mode != "extractive" {
        bail!("the Glianorex evaluation runs the extractive mode only");
    }
    let english = sections(&read(&args.data, "glianorex_en.md")?);
    let french = sections(&read(&args.data, "glianorex_fr.md")?);
    let same_outline = english.len() == french.len()
        && english
            .iter()
            .zip(&french)
            .all(|(left, right)| left.path == right.path);
    if !same_outline {
        bail!(
            "glianorex_en.md and glianorex_fr.md do not have the same sections ({} and {}): the sections of the two files are paired by their headings",
            english.len(),
            french.len()
        );
    }
    let work = settings.paths.data_dir.join("eval").join("qa-glianorex");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let kb = open_kb_at(settings, &work.join("kb"))?;
    let packs = [
        ("glianorex-en", Language::English, &english),
        ("glianorex-fr", Language::French, &french),
    ];
    for (name, language, sections) in packs {
        // Headings hidden: the title is the same for every section, the text is the body.
        let documents: Vec<Document> = sections
            .iter()
            .enumerate()
            .map(|(index, section)| Document {
                key: format!("section-{index}"),
                title: "Glianorex".into(),
                text: section.body.clone(),
                headings: Vec::new(),
                url: None,
                language,
                date: None,
                licence: Some("MIT".into()),
            })
            .collect();
        let spec = local_folder_pack(work.join(name), name, language);
        kb.install_documents(&spec, documents, &Bars::default())?;
    }
    let embedder = dense_embedder(settings, args.dense)?;
    let resources = Resources {
        scope_secret: Some(EVAL_SCOPE_SECRET),
        embedder: embedder.as_deref(),
        ..Resources::default()
    };
    let base = answer_config(settings, AnswerMode::Extractive, None, Vec::new());
    let questions: Vec<(usize, String)> = english
        .iter()
        .enumerate()
        .filter_map(|(index, section)| Some((index, question(section)?)))
        .collect();
    let questions = spread(questions, args.queries);
    let mut all = Vec::new();
    for (pack, _, _) in packs {
        let config = AnswerConfig {
            sources: vec![pack.to_string()],
            ..base.clone()
        };
        let mut figures = Figures {
            pack: pack.to_string(),
            ..Figures::default()
        };
        let mut times = Vec::new();
        for (index, text) in &questions {
            let own = format!("section-{index}");
            let answer = esculape_answer::answer(&kb, text, &config, resources, &mut |_| {})?;
            figures.questions += 1;
            times.push(answer.timings.total_ms);
            let own_passage = |number: &usize| {
                answer
                    .passages
                    .iter()
                    .any(|passage| passage.number == *number && passage.document_key == own)
            };
            if !answer.abstained {
                figures.answered += 1;
                figures.cite_own_section += usize::from(
                    answer
                        .sentences
                        .iter()
                        .any(|sentence| sentence.citations.iter().any(own_passage)),
                );
            }
            figures.top_passage_own += usize::from(
                answer
                    .passages
                    .iter()
                    .min_by_key(|passage| passage.retrieval_rank)
                    .is_some_and(|passage| passage.document_key == own),
            );
            figures.evidence_holds_own += usize::from(
                answer
                    .passages
                    .iter()
                    .any(|passage| passage.document_key == own),
            );
        }
        times.sort_by(f64::total_cmp);
        figures.answer_p50_ms = times.get(times.len() / 2).copied().unwrap_or(0.0);
        all.push(figures);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    let share = |part: usize, whole: usize| part as f64 / whole.max(1) as f64;
    let support = if args.dense { "dense" } else { "lexical" };
    println!(
        "| pack | questions | support check | answered | cite own section (of answered) | own section ranked first | own section in the evidence | answer p50 (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for figures in &all {
        println!(
            "| {} | {} | {support} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} |",
            figures.pack,
            figures.questions,
            share(figures.answered, figures.questions),
            share(figures.cite_own_section, figures.answered),
            share(figures.top_passage_own, figures.questions),
            share(figures.evidence_holds_own, figures.questions),
            figures.answer_p50_ms,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_keep_their_heading_path_and_skip_empty_ones() {
        let markdown = "# Book\n## Part\n### Chapter\n#### Leaf one\nFirst body.\n\n#### Leaf two\nSecond body.\n## Other part\nThird body.\n";
        let found = sections(markdown);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].path, ["Book", "Part", "Chapter", "Leaf one"]);
        assert_eq!(found[0].body, "First body.");
        assert_eq!(found[1].path, ["Book", "Part", "Chapter", "Leaf two"]);
        assert_eq!(found[2].path, ["Book", "Other part"]);
        assert_eq!(found[2].body, "Third body.");
    }

    #[test]
    fn a_question_names_its_section_and_the_one_above() {
        let section = Section {
            path: vec!["Book".into(), "Anatomy".into(), "Vascular Supply".into()],
            body: String::new(),
        };
        assert_eq!(
            question(&section).unwrap(),
            "What is Vascular Supply (Anatomy)?"
        );
    }
}
