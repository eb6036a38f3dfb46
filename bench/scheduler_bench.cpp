// Scheduler wake cost against queue size: the work of one wake that dispatches a full chunk (gate,
// in-flight count, a claim of 1000 calls each judged by the compliance core), and of an idle wake
// (nothing due: next-due lookup and gate), with 10k, 1M and 10M calls queued.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/clock.hpp"

using namespace dialerd;
using Clock = std::chrono::steady_clock;

namespace {

std::string phone(std::int64_t i) { return fmt::format("+1415{:07d}", 2000000 + i % 8000000); }

struct Result {
  double first_wake_ms, dispatch_wake_ms, median_wake_ms, idle_wake_ms;
};

Result measure(const std::string& path, std::int64_t n, int wakes) {
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  store::Store s({path, "normal"});
  domain::CampaignSpec spec;
  spec.name = "bench";
  spec.agent_id = "a";
  spec.provider = "sim";
  spec.from_number = "+14157774444";
  spec.concurrency = 1000000000;
  spec.status = domain::CampaignStatus::running;
  auto id = s.create_campaign(spec, {}, 0);
  std::vector<domain::ContactInput> chunk;
  for (std::int64_t i = 0; i < n; ++i) {
    domain::ContactInput c;
    c.phone = phone(i);
    c.timezone = "UTC";  // every contact callable at the bench's instant
    chunk.push_back(std::move(c));
    if (chunk.size() == 1000 || i + 1 == n) {
      s.add_contacts(id, chunk, 0);
      chunk.clear();
    }
  }
  auto campaign = *s.campaign(id);
  std::string error;
  auto rules = *schedule::campaign_rules(campaign, error);
  asio::io_context ioc;
  util::ManualClock clock(0);
  scheduler::Scheduler sched(ioc, s, clock);
  schedule::LegalRules legal;
  legal.window = {0, 0};
  sched.set_legal_rules(legal);
  const domain::UnixMs now = 1764763200000;  // a Wednesday noon UTC, after every call's creation
  auto judge = [&](const store::Candidate& c, store::History& h) {
    auto d = sched.evaluate(rules, c, h, schedule::CallFacts{}, now, nullptr, schedule::Explain::when_blocked);
    store::Verdict v;
    v.kind = d.kind == schedule::Decision::Kind::dispatch ? store::Verdict::Kind::dispatch : store::Verdict::Kind::wait;
    v.until = d.until.value_or(now + 60000);
    return v;
  };
  // Warm the page cache the way a running daemon has it: its last wake read the same pages. The first
  // wake is timed apart (cold); the figure is the mean of the wakes after it (with the WAL checkpoints
  // that fall in them), the median next to it.
  s.next_due(id);
  std::int64_t claimed = 0;
  auto wake = [&] {
    auto t0 = Clock::now();
    schedule::campaign_gate(rules, 0, now);
    s.in_flight(id);
    store::ClaimOptions options;
    options.limit = 1000;
    if (auto c = s.claim(campaign, options, now, judge)) claimed += static_cast<std::int64_t>(c->calls.size());
    s.next_due(id);
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  // Each wake takes 1000 calls out of the queue: no more wakes than the queue can feed.
  wakes = static_cast<int>(std::min<std::int64_t>(wakes, n / 1000 - 1));
  double first_ms = wake();
  std::vector<double> times;
  for (int w = 0; w < wakes; ++w) times.push_back(wake());
  double dispatch_ms = first_ms, median_ms = first_ms;
  if (!times.empty()) {
    dispatch_ms = 0;
    for (double t : times) dispatch_ms += t / static_cast<double>(times.size());
    std::sort(times.begin(), times.end());
    median_ms = times[times.size() / 2];
  }
  if (claimed != std::int64_t{wakes + 1} * 1000) std::cerr << "claimed " << claimed << "\n";
  // Idle: nothing due before `now` (everything left is due later once we look from an early instant).
  auto t0 = Clock::now();
  const int idle = 2000;
  for (int w = 0; w < idle; ++w) {
    schedule::campaign_gate(rules, 0, -1);
    s.in_flight(id);
    store::ClaimOptions options;
    options.limit = 1000;
    s.claim(campaign, options, -1, judge);  // due range empty
    s.next_due(id);
  }
  double idle_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / idle;
  return {first_ms, dispatch_ms, median_ms, idle_ms};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"scheduler_bench: wake cost against queue size"};
  std::vector<std::int64_t> sizes = {10000, 1000000, 10000000};
  std::string dir = "/tmp/dialerd-bench";
  int wakes = 8;
  cli.add_option("--sizes", sizes, "Queue sizes")->capture_default_str();
  cli.add_option("--dir", dir, "Scratch directory")->capture_default_str();
  cli.add_option("--wakes", wakes, "Dispatching wakes measured per size after the first (1000 calls each; at most size/1000 - 1)")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  std::filesystem::create_directories(dir);
  std::vector<Result> results;
  for (auto n : sizes) {
    results.push_back(measure(dir + "/sched.db", n, wakes));
    std::cout << fmt::format(
        "  {:>10} queued   dispatching wake (1000 calls judged): {:6.2f} ms mean, {:6.2f} ms median, first {:6.2f} ms"
        "   idle wake: {:6.3f} ms\n",
        n, results.back().dispatch_wake_ms, results.back().median_wake_ms, results.back().first_wake_ms,
        results.back().idle_wake_ms);
  }
  if (results.size() >= 2)
    std::cout << fmt::format("  ratio largest/smallest (means): dispatching {:.2f}, idle {:.2f}   target <= 1.2\n",
                             results.back().dispatch_wake_ms / results.front().dispatch_wake_ms,
                             results.back().idle_wake_ms / results.front().idle_wake_ms);
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir + "/sched.db" + suffix);
  return 0;
}
