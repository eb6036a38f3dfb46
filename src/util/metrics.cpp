#include "dialerd/util/metrics.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace dialerd::metrics {

namespace {
std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);
}
}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  ++counts_[i];
  sum_ += v;
  ++count_;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

std::string series_name(const std::string& name, const Labels& labels) {
  if (labels.empty()) return name;
  std::string out = name + "{";
  for (std::size_t i = 0; i < labels.size(); ++i)
    out += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second) + "\"";
  return out + "}";
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  auto& f = families_[name];
  if (f.type.empty()) f = Family{help, "counter", {}, {}, {}};
  auto& c = f.counters[labels];
  if (!c) c = std::make_unique<Counter>();
  return *c;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  auto& f = families_[name];
  if (f.type.empty()) f = Family{help, "gauge", {}, {}, {}};
  auto& g = f.gauges[labels];
  if (!g) g = std::make_unique<Gauge>();
  return *g;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                               std::vector<double> bounds) {
  auto& f = families_[name];
  if (f.type.empty()) f = Family{help, "histogram", {}, {}, {}};
  auto& h = f.histograms[labels];
  if (!h) h = std::make_unique<Histogram>(std::move(bounds));
  return *h;
}

void Registry::family(const std::string& name, const std::string& help, const std::string& type) {
  auto& f = families_[name];
  if (f.type.empty()) f = Family{help, type, {}, {}, {}};
}

std::string Registry::render() const {
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, c] : f.counters) out += series_name(name, labels) + " " + number(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges) out += series_name(name, labels) + " " + number(g->value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= h->bounds().size(); ++i) {
        cumulative += h->buckets()[i];
        Labels with = labels;
        with.emplace_back("le", i < h->bounds().size() ? number(h->bounds()[i]) : "+Inf");
        out += series_name(name + "_bucket", with) + " " + std::to_string(cumulative) + "\n";
      }
      out += series_name(name + "_sum", labels) + " " + number(h->sum()) + "\n";
      out += series_name(name + "_count", labels) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

Registry& registry() {
  static Registry r;
  return r;
}

Counter& loop_passes(const std::string& loop) {
  return registry().counter("dialerd_loop_passes_total",
                            "Passes a background loop made: the scheduler over the queue, the webhook sender over "
                            "the outbox.",
                            {{"loop", loop}});
}

Gauge& loop_busy(const std::string& loop) {
  return registry().gauge("dialerd_loop_busy",
                          "1 while a background loop has a pass due or work it started in flight, 0 while it waits "
                          "for its next timer.",
                          {{"loop", loop}});
}

std::string render_gauge(const std::string& name, const std::string& help,
                         const std::vector<std::pair<Labels, double>>& series) {
  std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n";
  for (const auto& [labels, v] : series) out += series_name(name, labels) + " " + number(v) + "\n";
  return out;
}

}  // namespace dialerd::metrics
