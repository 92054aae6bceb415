//! Optional ABI extensions beside the 29 functions, the same three the embedded engine exports:
//! `poll_step_events_batch`, `complete_step_events_batch` and `wait_for_step_events`. The Java side looks them up
//! by name and falls back to the standard functions without them.
//!
//! Waiting: the foundation's `FfiDispatchChannel` offers no "an event is queued" signal besides its async receive
//! (`poll_async`), which takes the event. So `wait_for_step_events` receives the event itself and parks it in
//! `Handle::woken`; the next `poll_step_events` (or batch) hands parked events out first. The caller holds a slot
//! while it waits, so a parked event has a slot waiting for it. While a waiter holds the channel's receiver, polls
//! leave the channel alone: its `poll` would only report lock contention. An event still parked when the worker
//! stops is failed as retryable, so every event the channel handed out gets exactly one completion.

use std::collections::VecDeque;
use std::ffi::c_char;
use std::os::raw::c_int;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tasker_shared::messaging::StepExecutionResult;
use tasker_worker::worker::FfiStepEvent;
use uuid::Uuid;

use crate::bridge::{self, Handle};
use crate::{arg, dto, guarded, into_c};

/// The most events one `poll_step_events_batch` call returns.
pub const MAX_BATCH: usize = 1024;

/// Events taken from the channel by a waiter, first in first out.
pub struct Woken<T>(Mutex<VecDeque<T>>);

impl<T> Default for Woken<T> {
    fn default() -> Self {
        Woken(Mutex::new(VecDeque::new()))
    }
}

impl<T> Woken<T> {
    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<T>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn push(&self, t: T) {
        self.queue().push_back(t);
    }

    pub fn pop(&self) -> Option<T> {
        self.queue().pop_front()
    }

    pub fn is_empty(&self) -> bool {
        self.queue().is_empty()
    }

    pub fn take_all(&self) -> Vec<T> {
        self.queue().drain(..).collect()
    }
}

/// The next event for a poll: a parked one, else one from the channel unless a waiter holds its receiver.
pub fn next_event(h: &Handle) -> Option<FfiStepEvent> {
    if let Some(ev) = h.woken.pop() {
        return Some(ev);
    }
    if h.waiting.load(Ordering::SeqCst) {
        return None;
    }
    h.channel.poll()
}

/// Stops parking and fails what is parked (at `transition_to_graceful_shutdown` and `stop_worker`).
pub fn fail_woken(h: &Handle) {
    h.stopping.store(true, Ordering::SeqCst);
    let parked = h.woken.take_all();
    if !parked.is_empty() {
        tracing::warn!(
            count = parked.len(),
            "worker stopping with step events no handler received: failing them as retryable"
        );
    }
    for ev in parked {
        fail(h, &ev);
    }
}

fn fail(h: &Handle, ev: &FfiStepEvent) {
    let result = StepExecutionResult::failure(
        ev.step_uuid,
        "The worker stopped before the step reached a handler".to_string(),
        None,
        Some("worker_shutdown".to_string()),
        true,
        0,
        None,
    );
    h.channel.complete(ev.event_id, result);
}

/// Up to `max` step events as a JSON array, or NULL when none is queued, `max < 1` or no worker runs. Free the
/// result. The caller holds a slot for each event it asks for.
#[no_mangle]
pub extern "C" fn poll_step_events_batch(max: c_int) -> *mut c_char {
    guarded(
        |_| std::ptr::null_mut(),
        || {
            if max < 1 {
                return std::ptr::null_mut();
            }
            let Some(h) = bridge::current() else {
                return std::ptr::null_mut();
            };
            let max = (max as usize).min(MAX_BATCH);
            let mut events = Vec::new();
            while events.len() < max {
                match next_event(&h) {
                    Some(ev) => events.push(dto::step_event(&ev)),
                    None => break,
                }
            }
            if events.is_empty() {
                std::ptr::null_mut()
            } else {
                into_c(Value::Array(events).to_string())
            }
        },
    )
}

/// `[[event_id, result], …]` → one `1` (accepted) or `0` (rejected) per pair, in order; NULL when the array itself
/// is unreadable, and then no event was touched. Free the result.
///
/// # Safety
/// `items_json` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn complete_step_events_batch(items_json: *const c_char) -> *mut c_char {
    let text = arg(items_json);
    guarded(
        |_| std::ptr::null_mut(),
        || {
            let Some(items) = text.and_then(parse_items) else {
                tracing::error!(
                    "complete_step_events_batch: not an array of [event_id, result] pairs"
                );
                return std::ptr::null_mut();
            };
            let h = bridge::current();
            let rcs: Vec<bool> = items
                .into_iter()
                .map(|item| match (item, &h) {
                    (Some((id, result)), Some(h)) => h.channel.complete(id, result),
                    _ => false,
                })
                .collect();
            into_c(rcs_json(&rcs))
        },
    )
}

/// Blocks until a step event is queued or `timeout_ms` (0–60,000) passed. 1: an event is ready (poll now; it is
/// parked for that poll), 0: timeout, -1: no worker runs or it is stopping (no wait then).
#[no_mangle]
pub extern "C" fn wait_for_step_events(timeout_ms: c_int) -> c_int {
    guarded(
        |_| -1,
        || {
            let Some(h) = bridge::current() else {
                return -1;
            };
            if h.stopping.load(Ordering::SeqCst) {
                return -1;
            }
            if !h.woken.is_empty() {
                return 1;
            }
            let timeout = Duration::from_millis(timeout_ms.clamp(0, 60_000) as u64);
            if timeout.is_zero() {
                return 0;
            }
            h.waiting.store(true, Ordering::SeqCst);
            let started = Instant::now();
            let channel = h.channel.clone();
            let got = h
                .runtime
                .block_on(async move { channel.poll_async(timeout).await });
            h.waiting.store(false, Ordering::SeqCst);
            match got {
                Some(ev) if h.stopping.load(Ordering::SeqCst) => {
                    fail(&h, &ev);
                    -1
                }
                Some(ev) => {
                    h.woken.push(ev);
                    1
                }
                // Nothing before the deadline, or the channel closed (the core stopped): never a busy loop.
                None if started.elapsed() >= timeout => 0,
                None => -1,
            }
        },
    )
}

/// The pairs of a batch; an item is None when its id or result is unreadable. None when the envelope is not an
/// array of two-element arrays.
fn parse_items(text: &str) -> Option<Vec<Option<(Uuid, StepExecutionResult)>>> {
    let pairs: Vec<Value> = serde_json::from_str(text).ok()?;
    let pairs: Vec<(Value, Value)> = pairs
        .into_iter()
        .map(|p| match p {
            Value::Array(mut a) if a.len() == 2 => {
                let result = a.pop()?;
                Some((a.pop()?, result))
            }
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(
        pairs
            .into_iter()
            .map(|(id, result)| {
                let id = id.as_str().and_then(|s| Uuid::parse_str(s).ok());
                let Some(id) = id else {
                    tracing::error!("complete_step_events_batch: invalid event_id");
                    return None;
                };
                match serde_json::from_value::<StepExecutionResult>(result) {
                    Ok(r) => Some((id, r)),
                    Err(e) => {
                        tracing::error!(
                            "complete_step_events_batch: result JSON for event {} rejected: {}",
                            id,
                            e
                        );
                        None
                    }
                }
            })
            .collect(),
    )
}

fn rcs_json(rcs: &[bool]) -> String {
    let items: Vec<&str> = rcs.iter().map(|ok| if *ok { "1" } else { "0" }).collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{CStr, CString};

    fn take(p: *mut c_char) -> Option<String> {
        if p.is_null() {
            return None;
        }
        let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
        unsafe { crate::free_rust_string(p) };
        Some(s)
    }

    fn result(step: &str) -> String {
        format!(
            r#"{{"step_uuid":"{}","success":true,"status":"completed","result":{{"ok":true}},
                "metadata":{{"execution_time_ms":1,"retryable":false,"custom":{{}}}}}}"#,
            step
        )
    }

    #[test]
    fn batch_items_are_read_one_by_one() {
        let id = Uuid::new_v4();
        let step = Uuid::new_v4();
        let text = format!(
            r#"[["{id}",{r}],["nope",{r}],["{id}",{{"step_uuid":42}}],["{id}",{r}]]"#,
            id = id,
            r = result(&step.to_string())
        );
        let items = parse_items(&text).unwrap();
        assert_eq!(items.len(), 4);
        let (got_id, got) = items[0].as_ref().unwrap();
        assert_eq!((*got_id, got.step_uuid, got.success), (id, step, true));
        assert!(items[1].is_none(), "bad id");
        assert!(items[2].is_none(), "not a result");
        assert!(items[3].is_some());
        assert_eq!(parse_items("[]").unwrap().len(), 0);
        for bad in [
            "",
            "{}",
            "[1]",
            r#"[["a"]]"#,
            r#"[["a",{},3]]"#,
            "[[\"a\",{}]",
        ] {
            assert!(parse_items(bad).is_none(), "{}", bad);
        }
        assert_eq!(rcs_json(&[true, false, true]), "[1,0,1]");
        assert_eq!(rcs_json(&[]), "[]");
    }

    #[test]
    fn without_a_worker_the_extensions_answer_at_once() {
        let started = Instant::now();
        assert_eq!(wait_for_step_events(5_000), -1);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(take(poll_step_events_batch(10)).is_none());
        assert!(take(poll_step_events_batch(0)).is_none());
        let items = CString::new(format!(
            r#"[["{}",{}]]"#,
            Uuid::new_v4(),
            result(&Uuid::new_v4().to_string())
        ))
        .unwrap();
        assert_eq!(
            take(unsafe { complete_step_events_batch(items.as_ptr()) }).as_deref(),
            Some("[0]")
        );
        let bad = CString::new("[[").unwrap();
        assert!(take(unsafe { complete_step_events_batch(bad.as_ptr()) }).is_none());
        assert!(take(unsafe { complete_step_events_batch(std::ptr::null()) }).is_none());
    }

    #[test]
    fn parked_events_leave_in_arrival_order() {
        let w = Woken::default();
        assert!(w.is_empty());
        w.push(1);
        w.push(2);
        w.push(3);
        assert_eq!(w.pop(), Some(1));
        assert!(!w.is_empty());
        assert_eq!(w.take_all(), vec![2, 3]);
        assert!(w.is_empty() && w.pop().is_none());
    }
}
