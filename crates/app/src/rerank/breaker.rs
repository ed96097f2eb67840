//! A circuit breaker: closed -> open after N consecutive failures -> half-open after a
//! cooldown (one trial call) -> closed on success, open again on failure.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One trial call is in flight; everyone else is still turned away.
    HalfOpen,
}

/// Turns calls away while a service keeps failing.
#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

/// Leave to make one call; report how it went with [`Permit::settle`].
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    trial: bool,
    settled: bool,
}

impl CircuitBreaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    pub(crate) fn cooldown(&self) -> Duration {
        self.cooldown
    }

    // A panic while holding the lock leaves a valid state, so poisoning is ignored.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Leave to call the service now, or `None` while the circuit is open.
    pub(crate) fn try_acquire(&self, now: Instant) -> Option<Permit<'_>> {
        let mut state = self.state();
        let trial = match *state {
            State::Closed { .. } => false,
            State::Open { until } if now >= until => {
                *state = State::HalfOpen;
                true
            }
            State::Open { .. } | State::HalfOpen => return None,
        };
        Some(Permit {
            breaker: self,
            trial,
            settled: false,
        })
    }

    /// Whether calls are being turned away at `now`.
    #[cfg(test)]
    fn is_open(&self, now: Instant) -> bool {
        match *self.state() {
            State::Closed { .. } => false,
            State::Open { until } => now < until,
            State::HalfOpen => true,
        }
    }
}

impl Permit<'_> {
    /// Records the call's outcome; returns true when this failure opened the circuit.
    pub(crate) fn settle(mut self, succeeded: bool, now: Instant) -> bool {
        self.settled = true;
        let breaker = self.breaker;
        let mut state = breaker.state();
        if succeeded {
            *state = State::Closed { failures: 0 };
            return false;
        }
        let open = State::Open {
            until: now + breaker.cooldown,
        };
        match *state {
            State::Closed { failures } if failures + 1 >= breaker.threshold => {
                *state = open;
                true
            }
            State::Closed { failures } => {
                *state = State::Closed {
                    failures: failures + 1,
                };
                false
            }
            State::HalfOpen if self.trial => {
                *state = open;
                true
            }
            // Another call already opened the circuit (or is the trial): leave it be.
            State::HalfOpen | State::Open { .. } => false,
        }
    }
}

impl Drop for Permit<'_> {
    // A trial call whose future was dropped says nothing about the service: let the
    // next call try instead of leaving the circuit half-open for ever.
    fn drop(&mut self) {
        if self.trial && !self.settled {
            let mut state = self.breaker.state();
            if *state == State::HalfOpen {
                *state = State::Open {
                    until: Instant::now(),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOLDOWN: Duration = Duration::from_secs(60);

    fn fail(breaker: &CircuitBreaker, now: Instant) -> bool {
        breaker.try_acquire(now).expect("a permit").settle(false, now)
    }

    #[test]
    fn the_circuit_opens_only_after_the_threshold_of_consecutive_failures() {
        let breaker = CircuitBreaker::new(3, COOLDOWN);
        let now = Instant::now();
        assert!(!fail(&breaker, now));
        assert!(!fail(&breaker, now));
        assert!(!breaker.is_open(now));
        assert!(fail(&breaker, now));
        assert!(breaker.try_acquire(now).is_none());
    }

    #[test]
    fn a_success_resets_the_count_of_failures() {
        let breaker = CircuitBreaker::new(2, COOLDOWN);
        let now = Instant::now();
        assert!(!fail(&breaker, now));
        breaker.try_acquire(now).unwrap().settle(true, now);
        assert!(!fail(&breaker, now));
        assert!(!breaker.is_open(now));
    }

    #[test]
    fn after_the_cooldown_exactly_one_trial_call_is_let_through() {
        let breaker = CircuitBreaker::new(1, COOLDOWN);
        let now = Instant::now();
        fail(&breaker, now);
        assert!(breaker.try_acquire(now + COOLDOWN / 2).is_none());
        let later = now + COOLDOWN;
        let trial = breaker.try_acquire(later).expect("a trial call");
        assert!(breaker.try_acquire(later).is_none(), "only one trial at a time");
        trial.settle(true, later);
        assert!(
            breaker.try_acquire(later).is_some(),
            "a successful trial closes the circuit"
        );
    }

    #[test]
    fn a_failed_trial_call_opens_the_circuit_for_another_cooldown() {
        let breaker = CircuitBreaker::new(1, COOLDOWN);
        let now = Instant::now();
        fail(&breaker, now);
        let later = now + COOLDOWN;
        assert!(fail(&breaker, later));
        assert!(breaker.is_open(later + COOLDOWN / 2));
        assert!(breaker.try_acquire(later + COOLDOWN).is_some());
    }

    #[test]
    fn a_dropped_trial_call_lets_the_next_call_try() {
        let breaker = CircuitBreaker::new(1, COOLDOWN);
        let now = Instant::now();
        fail(&breaker, now);
        drop(breaker.try_acquire(now + COOLDOWN).expect("a trial call"));
        assert!(breaker.try_acquire(Instant::now() + COOLDOWN).is_some());
    }
}
