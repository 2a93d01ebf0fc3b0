//! When to try a Management API request again, and how long to wait: pure arithmetic, tested natively.

use crate::prelude::*;
/// Attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 4;
/// First backoff step; it doubles per attempt and is spread by ±50 % jitter.
pub const BASE_BACKOFF_MS: f64 = 200.0;
/// Per-request timeout cap (Auth0's guidance: under 10 s per request).
pub const REQUEST_TIMEOUT_MS: f64 = 8_000.0;
/// Less than this left in the budget is not worth a request.
pub const MIN_REQUEST_MS: f64 = 50.0;

/// Why a request did not succeed, as far as retrying cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The request failed before a response (refused, reset, timed out).
    Network,
    /// A 5xx status.
    Server(u16),
    /// A 429, with the rate-limit headers as sent.
    RateLimited {
        /// `x-ratelimit-reset`: UNIX seconds when the bucket refills.
        reset: Option<String>,
        /// `retry-after`: seconds.
        retry_after: Option<String>,
    },
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Wait this long, then try again.
    RetryAfter(f64),
    /// Stop: attempts used up, or the wait does not fit in the budget.
    GiveUp,
}

/// Decides the next step after `failure` on attempt number `attempt` (1-based), with `remaining_ms` of
/// budget left at `now_ms` (epoch milliseconds) and `jitter` drawn uniformly from `[0, 1)`.
pub fn next_step(
    failure: &Failure,
    attempt: u32,
    remaining_ms: f64,
    now_ms: f64,
    jitter: f64,
) -> Next {
    if attempt >= MAX_ATTEMPTS {
        return Next::GiveUp;
    }
    let backoff =
        BASE_BACKOFF_MS * f64::from(1u32 << attempt.saturating_sub(1).min(10)) * (0.5 + jitter);
    let wait = match failure {
        Failure::Network | Failure::Server(_) => backoff,
        Failure::RateLimited { reset, retry_after } => {
            rate_limit_wait(reset.as_deref(), retry_after.as_deref(), now_ms).unwrap_or(backoff)
        }
    };
    if wait + MIN_REQUEST_MS > remaining_ms {
        Next::GiveUp
    } else {
        Next::RetryAfter(wait)
    }
}

/// The wait a 429 asks for: until `x-ratelimit-reset` (UNIX seconds), else `retry-after` seconds.
pub fn rate_limit_wait(reset: Option<&str>, retry_after: Option<&str>, now_ms: f64) -> Option<f64> {
    // Whole seconds, as Auth0 sends them (an integer parse keeps float parsing out of the wasm).
    let seconds = |text: &str| text.trim().parse::<u32>().ok().map(f64::from);
    if let Some(reset_s) = reset.and_then(seconds) {
        return Some((reset_s * 1000.0 - now_ms).max(0.0));
    }
    retry_after.and_then(seconds).map(|s| s * 1000.0)
}

/// The timeout for the next request: the cap, or what is left of the budget.
pub fn request_timeout(remaining_ms: f64) -> Option<f64> {
    (remaining_ms >= MIN_REQUEST_MS).then_some(remaining_ms.min(REQUEST_TIMEOUT_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_700_000_000_000.0;

    fn limited(reset: Option<&str>, retry_after: Option<&str>) -> Failure {
        Failure::RateLimited {
            reset: reset.map(str::to_owned),
            retry_after: retry_after.map(str::to_owned),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter() {
        assert_eq!(
            next_step(&Failure::Server(503), 1, 5000.0, NOW, 0.5),
            Next::RetryAfter(200.0)
        );
        assert_eq!(
            next_step(&Failure::Server(503), 2, 5000.0, NOW, 0.5),
            Next::RetryAfter(400.0)
        );
        assert_eq!(
            next_step(&Failure::Network, 3, 5000.0, NOW, 0.0),
            Next::RetryAfter(400.0)
        );
        assert_eq!(
            next_step(&Failure::Network, 1, 5000.0, NOW, 0.999),
            Next::RetryAfter(200.0 * 1.499)
        );
    }

    #[test]
    fn attempts_are_bounded() {
        assert_eq!(
            next_step(&Failure::Server(503), MAX_ATTEMPTS, 100_000.0, NOW, 0.5),
            Next::GiveUp
        );
    }

    #[test]
    fn rate_limits_wait_for_the_reset_when_it_fits() {
        let reset = format!("{}", (NOW / 1000.0) as u64 + 2);
        assert_eq!(
            next_step(&limited(Some(&reset), None), 1, 5000.0, NOW, 0.5),
            Next::RetryAfter(2000.0)
        );
        assert_eq!(
            next_step(&limited(Some(&reset), None), 1, 2000.0, NOW, 0.5),
            Next::GiveUp
        );
        assert_eq!(
            next_step(&limited(None, Some("1")), 1, 5000.0, NOW, 0.5),
            Next::RetryAfter(1000.0)
        );
        let past = format!("{}", (NOW / 1000.0) as u64 - 5);
        assert_eq!(
            next_step(&limited(Some(&past), None), 1, 5000.0, NOW, 0.5),
            Next::RetryAfter(0.0)
        );
        assert_eq!(
            next_step(&limited(Some("soon"), None), 1, 5000.0, NOW, 0.5),
            Next::RetryAfter(200.0)
        );
    }

    #[test]
    fn backoff_that_does_not_fit_gives_up() {
        assert_eq!(
            next_step(&Failure::Server(503), 1, 200.0, NOW, 0.5),
            Next::GiveUp
        );
    }

    #[test]
    fn timeouts_stay_inside_the_budget() {
        assert_eq!(request_timeout(20_000.0), Some(REQUEST_TIMEOUT_MS));
        assert_eq!(request_timeout(300.0), Some(300.0));
        assert_eq!(request_timeout(10.0), None);
    }
}
