#pragma once
// Prometheus metrics kept in process (counters, gauges and histograms), rendered in the text exposition format
// for GET /metrics. One registry per process, like the usual client libraries' default registry; the
// daemon runs one event loop, so no locking.
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dialerd::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1) { value_ += by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);  // upper bounds, ascending; +Inf is implied
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<std::uint64_t>& buckets() const { return counts_; }  // cumulative at render, not here
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket (not cumulative), plus one for +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// Latency buckets in seconds, 1 ms .. 30 s.
std::vector<double> latency_buckets();

class Registry {
 public:
  // The series `name{labels}`; made on first use. `help` is kept from the first call for a name.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                       std::vector<double> bounds = latency_buckets());
  // Makes the family `name` known before its first series, so /metrics lists it (HELP and TYPE) from the
  // start even when its label values are open-ended; `type` is "counter", "gauge" or "histogram".
  void family(const std::string& name, const std::string& help, const std::string& type);
  // Every series in the text format (version 0.0.4), families in name order.
  std::string render() const;

 private:
  struct Family {
    std::string help, type;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  std::map<std::string, Family> families_;
};

Registry& registry();

// A background loop's progress ("scheduler", "webhooks"): passes made, and whether it is busy (a pass is
// due, or work the loop started is still in flight) or waits for its next timer with nothing under way.
// Operators see a stuck loop; tests wait for "not busy" instead of sleeping.
Counter& loop_passes(const std::string& loop);
Gauge& loop_busy(const std::string& loop);

// One gauge family for render time (values read from the store when scraped).
std::string render_gauge(const std::string& name, const std::string& help,
                         const std::vector<std::pair<Labels, double>>& series);
// "name{a="x",b="y"}" with label values escaped.
std::string series_name(const std::string& name, const Labels& labels);

}  // namespace dialerd::metrics
