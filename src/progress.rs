//! Progress of work that takes time (Git clones, helm inflation, reading
//! objects from a cluster), reported as [`Event`]s to an [`Observer`].
//!
//! The library never prints: a caller that wants to show progress puts an
//! observer in [`Progress`] (in [`crate::BuildOptions::progress`], or
//! handed to `cluster::live_state_with`); the default reports to no one. The `strata` CLI shows the events on stderr when it is a terminal.
//!
//! Every task starts once and finishes once: [`Task`] reports
//! [`Event::Finished`] when it is dropped if it was not finished by hand,
//! so an error returned with `?` still closes it (as not `ok`).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a task is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activity {
    /// Cloning a remote Git repository (not reported for cache hits).
    GitFetch,
    /// Running `helm template` for one chart (pulling it first if needed).
    HelmInflate,
    /// Reading objects from a cluster and asking for dry-run applies.
    ClusterRead,
    /// Waiting for objects to become ready.
    Wait,
}

impl Activity {
    /// A short verb phrase for a display: "cloning", "inflating", ...
    pub fn verb(self) -> &'static str {
        match self {
            Activity::GitFetch => "cloning",
            Activity::HelmInflate => "inflating",
            Activity::ClusterRead => "reading",
            Activity::Wait => "waiting for",
        }
    }
}

/// Tells tasks apart; unique within a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(u64);

/// One thing that happened to a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A task began. `subject` names what it works on (a repository URL, a
    /// chart, "12 objects"); `total` is the number of steps, when known.
    Started {
        task: TaskId,
        activity: Activity,
        subject: &'a str,
        total: Option<u64>,
    },
    /// `done` of the task's steps are complete (it only grows).
    Advanced { task: TaskId, done: u64 },
    /// The task ended, successfully or not.
    Finished { task: TaskId, ok: bool },
}

/// Receives events, possibly from several threads.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event<'_>);
}

/// Where a library call reports progress: an [`Observer`], or no one (the default).
#[derive(Clone, Default)]
pub struct Progress {
    observer: Option<Arc<dyn Observer>>,
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let to = if self.observer.is_some() {
            "an observer"
        } else {
            "no one"
        };
        write!(f, "Progress(reported to {to})")
    }
}

static NEXT_TASK: AtomicU64 = AtomicU64::new(1);

impl Progress {
    /// Reports to `observer`.
    pub fn to(observer: Arc<dyn Observer>) -> Progress {
        Progress {
            observer: Some(observer),
        }
    }

    /// Reports to no one.
    pub fn none() -> Progress {
        Progress::default()
    }

    /// Whether anyone listens (to skip work done only for a display).
    pub fn is_observed(&self) -> bool {
        self.observer.is_some()
    }

    /// Starts a task; it finishes when [`Task::finish`] is called or it is dropped.
    pub fn start(&self, activity: Activity, subject: &str, total: Option<u64>) -> Task {
        let id = TaskId(NEXT_TASK.fetch_add(1, Ordering::Relaxed));
        self.send(&Event::Started {
            task: id,
            activity,
            subject,
            total,
        });
        Task {
            progress: self.clone(),
            id,
            done: 0,
            finished: false,
        }
    }

    fn send(&self, event: &Event<'_>) {
        if let Some(observer) = &self.observer {
            observer.event(event);
        }
    }
}

/// A started task.
#[derive(Debug)]
pub struct Task {
    progress: Progress,
    id: TaskId,
    done: u64,
    finished: bool,
}

impl Task {
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// One more step is complete.
    pub fn step(&mut self) {
        self.done += 1;
        self.progress.send(&Event::Advanced {
            task: self.id,
            done: self.done,
        });
    }

    /// Ends the task.
    pub fn finish(mut self, ok: bool) {
        self.end(ok);
    }

    /// Ends the task as `result` says, and passes the result on.
    pub fn finish_with<T, E>(self, result: Result<T, E>) -> Result<T, E> {
        self.finish(result.is_ok());
        result
    }

    fn end(&mut self, ok: bool) {
        if !self.finished {
            self.finished = true;
            self.progress.send(&Event::Finished { task: self.id, ok });
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        self.end(false);
    }
}

/// An observer that keeps every event, for tests and tools that report later.
#[derive(Debug, Default)]
pub struct Recorder {
    events: std::sync::Mutex<Vec<Recorded>>,
}

/// An [`Event`] with its subject owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Started {
        task: TaskId,
        activity: Activity,
        subject: String,
        total: Option<u64>,
    },
    Advanced {
        task: TaskId,
        done: u64,
    },
    Finished {
        task: TaskId,
        ok: bool,
    },
}

impl Recorder {
    /// The events so far, in the order they arrived.
    pub fn events(&self) -> Vec<Recorded> {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl Observer for Recorder {
    fn event(&self, event: &Event<'_>) {
        let owned = match *event {
            Event::Started {
                task,
                activity,
                subject,
                total,
            } => Recorded::Started {
                task,
                activity,
                subject: subject.to_string(),
                total,
            },
            Event::Advanced { task, done } => Recorded::Advanced { task, done },
            Event::Finished { task, ok } => Recorded::Finished { task, ok },
        };
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(owned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_reports_start_steps_and_one_finish() {
        let recorder = Arc::new(Recorder::default());
        let progress = Progress::to(recorder.clone());
        let mut task = progress.start(Activity::ClusterRead, "2 objects", Some(2));
        let id = task.id();
        task.step();
        task.step();
        task.finish(true);
        assert_eq!(
            recorder.events(),
            vec![
                Recorded::Started {
                    task: id,
                    activity: Activity::ClusterRead,
                    subject: "2 objects".into(),
                    total: Some(2)
                },
                Recorded::Advanced { task: id, done: 1 },
                Recorded::Advanced { task: id, done: 2 },
                Recorded::Finished { task: id, ok: true },
            ]
        );
    }

    #[test]
    fn a_dropped_task_finishes_as_failed_and_only_once() {
        let recorder = Arc::new(Recorder::default());
        let progress = Progress::to(recorder.clone());
        let failing = || -> Result<(), &'static str> {
            let _task = progress.start(Activity::GitFetch, "repo", None);
            Err("network")
        };
        assert!(failing().is_err());
        let events = recorder.events();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(events[1], Recorded::Finished { ok: false, .. }));

        let task = progress.start(Activity::HelmInflate, "chart", None);
        assert_eq!(task.finish_with(Ok::<_, ()>(7)), Ok(7));
        let events = recorder.events();
        assert_eq!(events.len(), 4, "{events:?}");
        assert!(matches!(events[3], Recorded::Finished { ok: true, .. }));
    }

    #[test]
    fn no_observer_is_the_default_and_tasks_still_work() {
        let progress = Progress::default();
        assert!(!progress.is_observed());
        let mut task = progress.start(Activity::Wait, "x", Some(1));
        task.step();
        task.finish(true);
        assert_eq!(format!("{progress:?}"), "Progress(reported to no one)");
    }
}
