//! The progress display: the library's [`strata::progress`] events drawn
//! with indicatif on stderr, only when stderr is a terminal (never in CI
//! logs or pipes, and not for `TERM=dumb`).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use strata::progress::{Event, Observer, Progress, TaskId};

/// The process's one display (every build and diff shares it), or no one.
pub fn for_stderr() -> Progress {
    static SHARED: OnceLock<Progress> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let term = std::env::var_os("TERM");
            if shows_progress(std::io::stderr().is_terminal(), term.as_deref()) {
                Progress::to(Arc::new(Terminal::default()))
            } else {
                Progress::none()
            }
        })
        .clone()
}

/// Whether to draw: on a terminal that can redraw a line.
fn shows_progress(stderr_is_terminal: bool, term: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && term.is_none_or(|t| t != "dumb")
}

/// One line per running task: a spinner, or a bar when the steps are counted.
struct Terminal {
    lines: MultiProgress,
    tasks: Mutex<HashMap<TaskId, ProgressBar>>,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            lines: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            tasks: Mutex::new(HashMap::new()),
        }
    }
}

impl Observer for Terminal {
    fn event(&self, event: &Event<'_>) {
        let mut tasks = self
            .tasks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match *event {
            Event::Started {
                task,
                activity,
                subject,
                total,
            } => {
                let line = match total {
                    Some(total) => ProgressBar::new(total).with_style(
                        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            .progress_chars("=> "),
                    ),
                    None => ProgressBar::new_spinner().with_style(
                        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
                };
                let line = self.lines.add(line);
                line.set_message(format!("{} {subject}", activity.verb()));
                line.enable_steady_tick(Duration::from_millis(120));
                tasks.insert(task, line);
            }
            Event::Advanced { task, done } => {
                if let Some(line) = tasks.get(&task) {
                    line.set_position(done);
                }
            }
            Event::Finished { task, .. } => {
                if let Some(line) = tasks.remove(&task) {
                    // Errors and results are printed after; the line goes.
                    line.finish_and_clear();
                    self.lines.remove(&line);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use strata::progress::Activity;

    #[test]
    fn draws_only_on_a_terminal_that_is_not_dumb() {
        assert!(shows_progress(true, None));
        assert!(shows_progress(true, Some(OsStr::new("xterm-256color"))));
        assert!(!shows_progress(true, Some(OsStr::new("dumb"))));
        assert!(!shows_progress(false, Some(OsStr::new("xterm"))));
        assert!(!shows_progress(false, None));
    }

    #[test]
    fn a_finished_task_leaves_no_line() {
        let terminal = Arc::new(Terminal {
            lines: MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
            tasks: Mutex::new(HashMap::new()),
        });
        let running = || terminal.tasks.lock().unwrap().len();
        let progress = Progress::to(terminal.clone());
        let mut task = progress.start(Activity::ClusterRead, "3 objects", Some(3));
        let other = progress.start(Activity::GitFetch, "repo", None);
        assert_eq!(running(), 2);
        task.step();
        let position = terminal.tasks.lock().unwrap()[&task.id()].position();
        assert_eq!(position, 1);
        task.finish(true);
        assert_eq!(running(), 1);
        drop(other);
        assert_eq!(running(), 0);
    }
}
