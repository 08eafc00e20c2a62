//! A draft as Markdown (the text the clinician edits and the store versions), and a
//! validated Markdown text as plain text or printable HTML.

use crate::draft::{Draft, MISSING_FR};
use crate::treatments::ChangeKind;

/// The draft's body as Markdown: title, sections in order, missing items, and the points
/// the clinician must check (interaction alerts, contradictions, unsupported sentences).
pub fn draft_markdown(draft: &Draft) -> String {
    let mut out = format!("# {}\n", draft.title_fr);
    for section in &draft.sections {
        out.push_str(&format!("\n## {}\n\n", section.title_fr));
        if let Some(missing) = &section.missing {
            out.push_str(&format!("{} : {missing}.\n", section.title_fr));
            continue;
        }
        if section.sentences.is_empty() {
            out.push_str("—\n");
            continue;
        }
        let treatment_lines: Vec<_> = section
            .sentences
            .iter()
            .filter(|sentence| sentence.label.is_some())
            .collect();
        for sentence in &treatment_lines {
            out.push_str(&format!(
                "- {} : {}\n",
                sentence.label.as_deref().unwrap_or_default(),
                sentence.text
            ));
        }
        let prose: Vec<&str> = section
            .sentences
            .iter()
            .filter(|sentence| sentence.label.is_none())
            .map(|sentence| sentence.text.as_str())
            .collect();
        if !treatment_lines.is_empty() {
            for line in change_reasons(draft) {
                out.push_str(&format!("- {line}\n"));
            }
            if !prose.is_empty() {
                out.push('\n');
            }
        }
        if !prose.is_empty() {
            out.push_str(&prose.join(" "));
            out.push('\n');
        }
    }
    let mut checks = Vec::new();
    if let Some(report) = &draft.interactions {
        for alert in &report.alerts {
            checks.push(format!(
                "Interaction ({}, thésaurus ANSM {}) : {} + {}",
                alert.level.label_fr(),
                alert.thesaurus_version,
                alert.labels[0],
                alert.labels[1]
            ));
        }
        for unmatched in &report.unmatched {
            checks.push(format!(
                "Substance absente du thésaurus ANSM, interactions non vérifiées : {}",
                unmatched.substance
            ));
        }
    }
    for contradiction in &draft.contradictions {
        let values: Vec<String> = contradiction
            .mentions
            .iter()
            .map(|mention| {
                let source = draft
                    .sources
                    .get(mention.span.document)
                    .map_or("?", |source| source.name.as_str());
                format!("{} ({source})", mention.written)
            })
            .collect();
        checks.push(format!(
            "Valeurs différentes selon les documents pour « {} » : {}",
            contradiction.subject,
            values.join(" ; ")
        ));
    }
    for flagged in &draft.flagged {
        checks.push(format!(
            "Phrase non retenue, non étayée par les notes (section {}) : {}",
            flagged.section, flagged.sentence.text
        ));
    }
    if !checks.is_empty() {
        out.push_str("\n## Points à vérifier\n\n");
        for check in checks {
            out.push_str(&format!("- {check}\n"));
        }
    }
    out
}

/// One line per changed treatment: "Motif (introduit : bisoprolol 2,5 mg/j) : …", the
/// note sentence that gives the reason, or "non renseigné dans les notes".
pub fn change_reasons(draft: &Draft) -> Vec<String> {
    draft
        .treatments
        .iter()
        .filter(|change| change.kind != ChangeKind::Continued)
        .map(|change| {
            let name = change
                .discharge
                .as_deref()
                .or(change.admission.as_deref())
                .unwrap_or_default();
            let reason = change
                .reason
                .as_ref()
                .map_or(MISSING_FR, |reason| reason.text.as_str());
            format!(
                "Motif ({} : {name}) : {reason}",
                change.kind.label_fr().to_lowercase()
            )
        })
        .collect()
}

/// Markdown as plain text: heading marks and list bullets turned into plain lines.
pub fn markdown_to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if let Some(title) = trimmed.strip_prefix("# ") {
            out.push_str(&title.to_uppercase());
        } else if let Some(title) = trimmed.strip_prefix("## ") {
            out.push_str(title);
            out.push('\n');
            out.push_str(&"-".repeat(title.chars().count()));
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            out.push_str("  • ");
            out.push_str(item);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Markdown as a printable, self-contained HTML page (no script, every text escaped),
/// with the patient information notice at its foot.
pub fn markdown_to_html(markdown: &str, notice_fr: &str, notice_en: &str) -> String {
    let title = markdown
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .unwrap_or("Document");
    let mut body = String::new();
    let mut in_list = false;
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |paragraph: &mut Vec<String>, body: &mut String| {
        if !paragraph.is_empty() {
            body.push_str(&format!("<p>{}</p>\n", paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for line in markdown.lines() {
        let trimmed = line.trim();
        let item = trimmed.strip_prefix("- ");
        if in_list && item.is_none() {
            body.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(text) = trimmed.strip_prefix("# ") {
            flush(&mut paragraph, &mut body);
            body.push_str(&format!("<h1>{}</h1>\n", escape(text)));
        } else if let Some(text) = trimmed.strip_prefix("## ") {
            flush(&mut paragraph, &mut body);
            body.push_str(&format!("<h2>{}</h2>\n", escape(text)));
        } else if let Some(text) = item {
            flush(&mut paragraph, &mut body);
            if !in_list {
                body.push_str("<ul>\n");
                in_list = true;
            }
            body.push_str(&format!("<li>{}</li>\n", escape(text)));
        } else if trimmed.is_empty() {
            flush(&mut paragraph, &mut body);
        } else {
            paragraph.push(escape(trimmed));
        }
    }
    flush(&mut paragraph, &mut body);
    if in_list {
        body.push_str("</ul>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>body{{font-family:serif;max-width:42em;margin:2em auto;line-height:1.45}}h1{{font-size:1.5em}}h2{{font-size:1.15em;margin-top:1.4em}}footer{{margin-top:2em;font-size:.85em;border-top:1px solid #999;padding-top:.5em}}@media print{{body{{margin:1cm}}}}</style>\n</head>\n<body>\n{body}<footer>\n<p>{}</p>\n<p lang=\"en\">{}</p>\n</footer>\n</body>\n</html>\n",
        escape(title),
        escape(notice_fr),
        escape(notice_en)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}
