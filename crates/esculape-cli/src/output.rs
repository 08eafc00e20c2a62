//! Human-readable output: cited passages, pack provenance.

use esculape_kb::{InstalledPack, PassageInContext, SearchHit};
use std::io::IsTerminal;

pub fn print_hits(query: &str, hits: &[SearchHit]) {
    let bold = std::io::stdout().is_terminal();
    if hits.is_empty() {
        println!("Aucun passage trouvé pour « {query} ». / No passage found.");
        return;
    }
    for hit in hits {
        let source = &hit.source;
        let published = source
            .published
            .as_deref()
            .map(|date| format!(", publié le {date}"))
            .unwrap_or_default();
        println!(
            "[{}] {} — {} (version {}{published})",
            hit.rank, source.title, source.publisher, source.version
        );
        let mut place = hit.document_title.clone();
        if !hit.heading_path.is_empty() && hit.heading_path != hit.document_title {
            let path = hit
                .heading_path
                .strip_prefix(&format!("{} › ", hit.document_title))
                .unwrap_or(&hit.heading_path);
            place = format!("{place} › {path}");
        }
        println!("    {place}");
        println!(
            "    « {} »",
            emphasize(&compact(&hit.text), &hit.text, &hit.highlights, bold)
        );
        let url = hit
            .url
            .as_deref()
            .map(|url| format!("{url} · "))
            .unwrap_or_default();
        println!(
            "    {url}{} · caractères {}–{} · score {:.2} · {}",
            hit.chunk_id, hit.start_char, hit.end_char, hit.score, source.licence
        );
        println!();
    }
}

pub fn print_passage(passage: &PassageInContext) {
    let hit = &passage.hit;
    println!(
        "{} — {} (version {})",
        hit.source.title, hit.source.publisher, hit.source.version
    );
    println!("{} [{}]", hit.document_title, hit.chunk_id);
    println!();
    println!("…{}", passage.before);
    println!(">>> {} <<<", hit.text);
    println!("{}…", passage.after);
}

pub fn print_pack(pack: &InstalledPack) {
    println!("{} — {}", pack.id, pack.title);
    println!("  éditeur / publisher : {}", pack.publisher);
    println!("  version             : {}", pack.version);
    println!(
        "  publication         : {}",
        pack.published.as_deref().unwrap_or("inconnue / unknown")
    );
    println!("  licence             : {}", pack.licence);
    println!("  origine / origin    : {}", pack.origin);
    println!("  récupéré / fetched  : {}", pack.retrieved_at);
    println!("  site                : {}", pack.homepage);
    println!(
        "  contenu / content   : {} documents, {} passages, {} ignoré(s) / skipped",
        pack.documents, pack.chunks, pack.skipped
    );
    println!("  somme / checksum    : sha256 {}", pack.checksum);
    for file in &pack.files {
        println!(
            "    {:<40} {:>12} octets  sha256 {}",
            file.name, file.bytes, file.sha256
        );
    }
}

/// Collapses runs of white space for a one-paragraph display.
fn compact(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bolds the highlighted ranges (character offsets into `original`) in `compacted`.
fn emphasize(compacted: &str, original: &str, highlights: &[[usize; 2]], bold: bool) -> String {
    if !bold || highlights.is_empty() {
        return compacted.to_string();
    }
    // Highlighted words, matched again in the compacted text.
    let words: std::collections::HashSet<String> = highlights
        .iter()
        .map(|[start, end]| original.chars().skip(*start).take(end - start).collect())
        .collect();
    let mut out = String::with_capacity(compacted.len() + highlights.len() * 8);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if words.contains(word.as_str()) {
            out.push_str("\x1b[1m");
            out.push_str(word);
            out.push_str("\x1b[0m");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for character in compacted.chars() {
        if character.is_alphanumeric() {
            word.push(character);
        } else {
            flush(&mut word, &mut out);
            out.push(character);
        }
    }
    flush(&mut word, &mut out);
    out
}
