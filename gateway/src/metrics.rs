//! Prometheus metrics served at `GET /metrics`. Labels never carry personal data.

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

/// Label set of HTTP metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// Route template (`/api/elections/{id}`), not the concrete path.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// Status code.
    pub status: u16,
}

/// Label set with one `outcome`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// What happened.
    pub outcome: String,
}

/// All metrics.
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status.
    pub http_requests: Family<HttpLabels, Counter>,
    /// Request latency in seconds.
    pub http_latency: Histogram,
    /// Registrations by outcome.
    pub registrations: Family<OutcomeLabels, Counter>,
    /// SMS codes by outcome (`sent`, `failed`).
    pub sms: Family<OutcomeLabels, Counter>,
    /// Code checks by outcome.
    pub code_checks: Family<OutcomeLabels, Counter>,
    /// Ballots by final outcome (`finalized`, `failed`, `resubmitted`).
    pub ballots: Family<OutcomeLabels, Counter>,
    /// 1 when connected to the node.
    pub chain_connected: Gauge,
    /// Best block seen.
    pub best_block: Gauge,
    /// Finalized block seen.
    pub finalized_block: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("electx_gateway");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_latency = Histogram::new(
            [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5].into_iter(),
        );
        let registrations = Family::<OutcomeLabels, Counter>::default();
        let sms = Family::<OutcomeLabels, Counter>::default();
        let code_checks = Family::<OutcomeLabels, Counter>::default();
        let ballots = Family::<OutcomeLabels, Counter>::default();
        let chain_connected = Gauge::default();
        let best_block = Gauge::default();
        let finalized_block = Gauge::default();
        registry.register("http_requests", "HTTP requests", http_requests.clone());
        registry.register("http_request_seconds", "HTTP request latency", http_latency.clone());
        registry.register("registrations", "Voter registrations", registrations.clone());
        registry.register("sms", "SMS codes sent", sms.clone());
        registry.register("code_checks", "SMS code checks", code_checks.clone());
        registry.register("ballots", "Ballots by outcome", ballots.clone());
        registry.register("chain_connected", "Connected to the node", chain_connected.clone());
        registry.register("best_block", "Best block number", best_block.clone());
        registry.register("finalized_block", "Finalized block number", finalized_block.clone());
        Self {
            registry,
            http_requests,
            http_latency,
            registrations,
            sms,
            code_checks,
            ballots,
            chain_connected,
            best_block,
            finalized_block,
        }
    }

    /// Counts one outcome in a family.
    pub fn count(family: &Family<OutcomeLabels, Counter>, outcome: &str) {
        family.get_or_create(&OutcomeLabels { outcome: outcome.to_owned() }).inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
