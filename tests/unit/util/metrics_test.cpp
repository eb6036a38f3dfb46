// The Prometheus text format of GET /metrics.
#include <catch2/catch.hpp>

#include "dialerd/util/metrics.hpp"

using namespace dialerd::metrics;

TEST_CASE("metrics: counters and histograms render in the Prometheus text format") {
  Registry r;
  r.counter("t_calls_total", "Calls.", {{"provider", "a"}, {"result", "accepted"}}).inc(3);
  r.counter("t_calls_total", "ignored: the first help stays", {{"provider", "b\"x"}, {"result", "rejected"}}).inc();
  auto& h = r.histogram("t_latency_seconds", "Latency.", {{"provider", "a"}}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.1);  // on a bound: counted in that bucket (le is "less or equal")
  h.observe(0.5);
  h.observe(7);
  auto text = r.render();
  CHECK(text ==
        "# HELP t_calls_total Calls.\n"
        "# TYPE t_calls_total counter\n"
        "t_calls_total{provider=\"a\",result=\"accepted\"} 3\n"
        "t_calls_total{provider=\"b\\\"x\",result=\"rejected\"} 1\n"
        "# HELP t_latency_seconds Latency.\n"
        "# TYPE t_latency_seconds histogram\n"
        "t_latency_seconds_bucket{provider=\"a\",le=\"0.1\"} 2\n"
        "t_latency_seconds_bucket{provider=\"a\",le=\"1\"} 3\n"
        "t_latency_seconds_bucket{provider=\"a\",le=\"+Inf\"} 4\n"
        "t_latency_seconds_sum{provider=\"a\"} 7.65\n"
        "t_latency_seconds_count{provider=\"a\"} 4\n");
  CHECK(render_gauge("t_up", "Up.", {{{}, 1}}) == "# HELP t_up Up.\n# TYPE t_up gauge\nt_up 1\n");
}
