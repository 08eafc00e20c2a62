//! Progress bars on standard error for long operations (hidden when it is not a terminal).

use esculape_kb::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;

/// Draws one bar or spinner per stage.
#[derive(Debug, Default)]
pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn stage(&self, pack: &str, stage: &str, total: Option<u64>) {
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::new_spinner(),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(5));
        let template = if total.is_some() {
            "{prefix:>18} {msg:<10} [{bar:30}] {pos}/{len} ({per_sec}, {eta})"
        } else {
            "{prefix:>18} {msg:<10} {spinner} {pos} documents ({per_sec}) {elapsed}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(pack.to_string());
        bar.set_message(stage.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        if let Ok(mut current) = self.current.lock()
            && let Some(previous) = current.replace(bar)
        {
            previous.finish_and_clear();
        }
    }

    fn advance(&self, count: u64) {
        if let Ok(current) = self.current.lock()
            && let Some(bar) = current.as_ref()
        {
            bar.inc(count);
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock()
            && let Some(bar) = current.take()
        {
            bar.finish_and_clear();
        }
    }
}
