//! The one cancel cycle of long jobs: starting a job cancels the previous one of the same view, Cancel
//! stops it, and leaving the view cancels it.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::services::transport::Cancellation;

/// The running job of a view.
#[derive(Clone, Default)]
pub struct JobControl {
    current: Rc<RefCell<Option<Cancellation>>>,
}

impl JobControl {
    /// Starts a job: the previous one is cancelled; the job stops when the returned handle is cancelled.
    pub fn start(&self) -> Cancellation {
        let fresh = Cancellation::new();
        if let Some(previous) = self.current.borrow_mut().replace(fresh.clone()) {
            previous.cancel();
        }
        fresh
    }

    /// Cancels the running job, if any.
    pub fn cancel(&self) {
        if let Some(running) = self.current.borrow_mut().take() {
            running.cancel();
        }
    }
}

/// The job control of a component; its job is cancelled when the component goes away.
#[hook]
pub fn use_job_control() -> JobControl {
    let control = use_memo((), |_| JobControl::default());
    {
        let control = (*control).clone();
        use_effect_with((), move |_| move || control.cancel());
    }
    (*control).clone()
}
