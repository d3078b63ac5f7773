//! In-memory fixed-window rate limits (per client IP and per identity). A restart forgets
//! them, which only ever makes the gateway more lenient for one window; the durable limits
//! (5 tries per code, code lifetime) live in the database.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Counters keyed by `bucket:key`.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one event for `key` in `bucket`; `Err(seconds to wait)` when more than `limit`
    /// happened within `window`.
    pub fn hit(&self, bucket: &str, key: &str, limit: u32, window: Duration) -> Result<(), i64> {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(3600));
        }
        let entry = map.entry(format!("{bucket}:{key}")).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let wait = window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1) as i64);
        }
        entry.1 += 1;
        Ok(())
    }

    /// Seconds left before `key` in `bucket` may act again, after an event that started a
    /// cool-down of `window` (used for "resend after").
    pub fn cool_down(&self, bucket: &str, key: &str, window: Duration) -> Result<(), i64> {
        self.hit(bucket, key, 1, window)
    }

    /// Forgets `key` in `bucket`.
    pub fn clear(&self, bucket: &str, key: &str) {
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("{bucket}:{key}"));
    }

    /// Current count of `key` in `bucket` within `window`.
    pub fn count(&self, bucket: &str, key: &str, window: Duration) -> u32 {
        let map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(&format!("{bucket}:{key}")) {
            Some((start, n)) if Instant::now().duration_since(*start) < window => *n,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_a_window() {
        let r = RateLimiter::default();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(r.hit("b", "k", 3, w).is_ok());
        }
        let wait = r.hit("b", "k", 3, w).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(r.hit("b", "other", 3, w).is_ok());
        assert!(r.hit("c", "k", 3, w).is_ok());
        r.clear("b", "k");
        assert!(r.hit("b", "k", 3, w).is_ok());
    }

    #[test]
    fn window_resets() {
        let r = RateLimiter::default();
        let w = Duration::from_millis(20);
        assert!(r.hit("b", "k", 1, w).is_ok());
        assert!(r.hit("b", "k", 1, w).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(r.hit("b", "k", 1, w).is_ok());
    }
}
