//! Failed-login throttling, per account and per client address.
//!
//! Failures are counted in fixed windows of `LOGIN_FAILURE_WINDOW_SECONDS`. With Redis
//! configured the counters live there, shared by every API instance; otherwise, or while
//! Redis is unreachable, they live in this process, so throttling never silently stops.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

/// Redis keys are namespaced so the database can be shared with the queue.
const KEY_PREFIX: &str = "lucidity:login_failures:";

/// One counter to check: a key and the number of failures it may reach.
pub struct Limit {
    pub key: String,
    pub max_failures: u32,
}

pub struct Throttle {
    window: Duration,
    redis: Option<ConnectionManager>,
    /// Counters used without Redis, or as the fallback while Redis is failing.
    local: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(window: Duration, redis: Option<ConnectionManager>) -> Self {
        Self {
            window,
            redis,
            local: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait when any limit is reached; `None` when the attempt may proceed.
    pub async fn retry_after(&self, limits: &[Limit]) -> Option<u64> {
        let mut wait = None;
        for limit in limits {
            let (count, ttl) = self.read(&limit.key).await;
            if count >= limit.max_failures {
                wait = Some(wait.unwrap_or(0).max(ttl.max(1)));
            }
        }
        wait
    }

    /// Counts one failure against each key.
    pub async fn record_failure(&self, keys: &[&str]) {
        for key in keys {
            if let Some(redis) = &self.redis {
                let mut conn = redis.clone();
                let result: redis::RedisResult<()> = redis::pipe()
                    .incr(prefixed(key), 1)
                    .cmd("EXPIRE")
                    .arg(prefixed(key))
                    .arg(self.window.as_secs())
                    .arg("NX")
                    .query_async(&mut conn)
                    .await;
                match result {
                    Ok(()) => continue,
                    Err(error) => tracing::warn!(%error, "redis unavailable; counting locally"),
                }
            }
            self.record_local(key);
        }
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub async fn clear(&self, key: &str) {
        if let Some(redis) = &self.redis {
            let mut conn = redis.clone();
            let result: redis::RedisResult<()> = redis::cmd("DEL")
                .arg(prefixed(key))
                .query_async(&mut conn)
                .await;
            if let Err(error) = result {
                tracing::warn!(%error, "redis unavailable; could not clear a login counter");
            }
        }
        self.lock_local().remove(key);
    }

    async fn read(&self, key: &str) -> (u32, u64) {
        let local = self.read_local(key);
        let Some(redis) = &self.redis else {
            return local;
        };

        let mut conn = redis.clone();
        let result: redis::RedisResult<(Option<u32>, i64)> = redis::pipe()
            .get(prefixed(key))
            .ttl(prefixed(key))
            .query_async(&mut conn)
            .await;
        match result {
            Ok((count, ttl)) => {
                let shared = (count.unwrap_or(0), ttl.max(0) as u64);
                if shared.0 >= local.0 { shared } else { local }
            }
            Err(error) => {
                tracing::warn!(%error, "redis unavailable; using local login counters");
                local
            }
        }
    }

    fn record_local(&self, key: &str) {
        let now = Instant::now();
        let mut counters = self.lock_local();
        let entry = counters
            .entry(key.to_string())
            .or_insert((0, now + self.window));
        if entry.1 <= now {
            *entry = (0, now + self.window);
        }
        entry.0 += 1;
    }

    fn read_local(&self, key: &str) -> (u32, u64) {
        let now = Instant::now();
        let mut counters = self.lock_local();
        counters.retain(|_, (_, expires)| *expires > now);
        counters.get(key).map_or((0, 0), |(count, expires)| {
            (*count, (*expires - now).as_secs().max(1))
        })
    }

    fn lock_local(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, Instant)>> {
        // A poisoned lock only means another request panicked mid-update; counters stay usable.
        self.local
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn prefixed(key: &str) -> String {
    format!("{KEY_PREFIX}{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_counters_block_at_the_limit_and_clear_on_success() {
        let throttle = Throttle::new(Duration::from_secs(60), None);
        let limits = || {
            vec![Limit {
                key: "account:a@b.c".into(),
                max_failures: 2,
            }]
        };

        assert!(throttle.retry_after(&limits()).await.is_none());
        throttle.record_failure(&["account:a@b.c"]).await;
        assert!(throttle.retry_after(&limits()).await.is_none());
        throttle.record_failure(&["account:a@b.c"]).await;
        let wait = throttle.retry_after(&limits()).await.unwrap();
        assert!((1..=60).contains(&wait));

        throttle.clear("account:a@b.c").await;
        assert!(throttle.retry_after(&limits()).await.is_none());
    }
}
