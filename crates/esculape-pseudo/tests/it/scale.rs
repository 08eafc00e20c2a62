//! Bad input and scale: invalid UTF-8, 50 MB in bounded memory, pathological text.

use super::scope;
use esculape_pseudo::{Config, Error, pseudonymize, pseudonymize_stream};
use std::io::Read;
use std::time::Instant;

#[test]
fn invalid_utf8_is_an_error_with_its_offset() {
    let mut scope = scope("utf8");
    let mut input = b"Mme Jeanne DUPONT\n".to_vec();
    input.extend_from_slice(&[0xff, 0xfe]);
    let error = pseudonymize_stream(
        &input[..],
        Vec::new(),
        &mut scope,
        &Config::default(),
        |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(error, Error::InvalidUtf8 { byte_offset: 18 }),
        "{error}"
    );
    assert!(!error.to_string().contains("DUPONT"));
}

#[test]
fn no_detector_fails_closed() {
    let mut scope = scope("closed");
    let config = Config {
        detectors: Vec::new(),
        ..Config::default()
    };
    let error = pseudonymize("Mme Jeanne DUPONT", &mut scope, &config).unwrap_err();
    assert!(matches!(error, Error::Detector { .. }), "{error}");
}

#[test]
fn empty_input_gives_empty_output() {
    let mut scope = scope("empty");
    let mut output = Vec::new();
    let report = pseudonymize_stream(
        &b""[..],
        &mut output,
        &mut scope,
        &Config::default(),
        |_| {},
    )
    .unwrap();
    assert!(output.is_empty());
    assert_eq!(report.findings, 0);
    assert_eq!(
        pseudonymize("", &mut scope, &Config::default())
            .unwrap()
            .value(),
        ""
    );
}

/// Synthetic notes, generated on the fly up to `remaining` bytes.
struct SyntheticNotes {
    line: u64,
    pending: Vec<u8>,
    remaining: usize,
}

impl Read for SyntheticNotes {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        if self.pending.is_empty() {
            self.line += 1;
            let note = format!(
                "Mme Jeanne DUPONT, née le {:02}/0{}/19{:02}, tél 06 12 34 {:02} {:02}, vue pour une maladie de Parkinson. IPP {:010}\n",
                1 + self.line % 28,
                1 + self.line % 9,
                self.line % 100,
                self.line % 100,
                (self.line / 100) % 100,
                self.line % 1000
            );
            self.pending.extend_from_slice(note.as_bytes());
        }
        let count = buffer.len().min(self.pending.len()).min(self.remaining);
        buffer[..count].copy_from_slice(&self.pending[..count]);
        self.pending.drain(..count);
        self.remaining -= count;
        Ok(count)
    }
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn fifty_megabytes_in_bounded_memory() {
    let mut scope = scope("large");
    let before = peak_rss_kb();
    let input = SyntheticNotes {
        line: 0,
        pending: Vec::new(),
        remaining: 50_000_000,
    };
    let mut leaked = false;
    let mut sink = CheckingSink {
        leaked: &mut leaked,
        bytes: 0,
    };
    let report =
        pseudonymize_stream(input, &mut sink, &mut scope, &Config::default(), |_| {}).unwrap();
    assert_eq!(report.bytes_in, 50_000_000);
    assert!(report.chunks >= 48, "{report:?}");
    assert!(!leaked, "an original identifier reached the output");
    if let (Some(before), Some(after)) = (before, peak_rss_kb()) {
        // The input is never held whole: a few chunks plus the mapping.
        assert!(
            after.saturating_sub(before) < 200 * 1024,
            "peak memory grew by {} kB",
            after - before
        );
    }
}

struct CheckingSink<'a> {
    leaked: &'a mut bool,
    bytes: usize,
}

impl std::io::Write for CheckingSink<'_> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        if buffer.windows(6).any(|window| window == b"DUPONT") {
            *self.leaked = true;
        }
        self.bytes += buffer.len();
        Ok(buffer.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Time to pseudonymize `unit` repeated to `bytes` bytes: the best of three runs, as other
/// tests share the machine.
fn seconds_for(unit: &str, bytes: usize) -> f64 {
    let text = unit.repeat(bytes / unit.len());
    (0..3)
        .map(|_| {
            let mut scope = scope("pathological");
            let started = Instant::now();
            pseudonymize(&text, &mut scope, &Config::default()).unwrap();
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn pathological_inputs_finish_in_linear_time() {
    for unit in [
        "7",
        "A",
        "A ",
        "AB CD ",
        "1 ",
        "M. ",
        "12/",
        "-",
        "@a",
        "rue ",
        // The rules of dates in words, ranges, re-scanned numeric dates and initials.
        "vingt-",
        "mille ",
        "du 18 au ",
        "08-09/",
        "1/1-",
        "C. ",
        "Dr M. ",
        "Marie ",
    ] {
        let small = seconds_for(unit, 100_000);
        let large = seconds_for(unit, 1_000_000);
        // Ten times the input may take at most ~30 times as long (noise on a shared machine,
        // hence the 20 ms floor), never the 100 times of a quadratic scan.
        assert!(
            large < 30.0 * small.max(0.02),
            "{unit:?}: 100 kB in {small:.3}s but 1 MB in {large:.3}s"
        );
        assert!(large < 20.0, "{unit:?}: 1 MB took {large:.1}s");
    }
}
