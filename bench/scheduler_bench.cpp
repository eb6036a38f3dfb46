// Scheduler wake cost against queue size: the work of one wake that dispatches a full chunk (gate,
// in-flight count, a claim of 1000 calls each judged by the compliance core, next-due lookup), and of an
// idle wake (nothing due: the same lookups find nothing), with 10k, 1M and 10M calls queued.
//
// Every size's queue is open at once and the wakes alternate between them, round after round, so that
// the machine's own drift (this VM's speed moves by tens of percent within minutes) falls on every size
// alike. After each wake 1000 new contacts are added to that queue (not timed), as a feed would, so a
// queue stays at its size however many wakes are measured. A first wake per queue warms its page cache
// (not counted); the figure is the mean of the wakes after it (WAL checkpoints included), median beside.
// With --priorities N the calls cycle through priorities 0..N (docs/SCHEDULING.md, "Priority"): a claim
// then reads every level above 0 by its own range, and one call in ten by age.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "dialerd/schedule/compliance.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/timer.hpp"
#include "raw_sqlite.hpp"

using namespace dialerd;
using Clock = std::chrono::steady_clock;

namespace {

using bench::phone;
const domain::UnixMs kNow = 1764763200000;  // a Wednesday noon UTC, after every call's creation

class Queue {
 public:
  Queue(const std::string& path, std::int64_t n, int levels) : path_(path), n_(n), levels_(levels) {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    store_ = std::make_unique<store::Store>(store::StoreOptions{path, "normal"});
    domain::CampaignSpec spec;
    spec.name = "bench";
    spec.agent_id = "a";
    spec.provider = "sim";
    spec.from_number = "+14157774444";
    spec.concurrency = 1000000000;
    spec.status = domain::CampaignStatus::running;
    id_ = store_->create_campaign(spec, {}, 0);
    while (next_phone_ < n) add(std::min<std::int64_t>(1000, n - next_phone_));
    campaign_ = *store_->campaign(id_);
    std::string error;
    rules_ = *schedule::campaign_rules(campaign_, error);
    sched_ = std::make_unique<scheduler::Scheduler>(ioc_, *store_, clock_);
    schedule::LegalRules legal;
    legal.everywhere.hours = schedule::Hours::every_day({0, 0});
    sched_->set_legal_rules(legal);
  }
  ~Queue() {
    sched_.reset();
    store_.reset();
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::int64_t size() const { return n_; }

  // One dispatching wake, timed; then the queue is topped up to its size (not timed).
  double dispatching_wake() {
    auto t0 = Clock::now();
    schedule::campaign_gate(rules_, 0, kNow);
    store_->in_flight(id_);
    store::ClaimOptions options;
    options.limit = 1000;
    auto chunk = store_->claim(campaign_, options, kNow, judge());
    store_->next_due(id_);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    auto claimed = chunk ? static_cast<std::int64_t>(chunk->calls.size()) : 0;
    if (claimed != 1000) std::cerr << "  " << n_ << " queued: a wake claimed " << claimed << " calls, not 1000\n";
    add(claimed);
    return ms;
  }
  // One idle wake: nothing is due before an early instant.
  double idle_wake() {
    auto t0 = Clock::now();
    schedule::campaign_gate(rules_, 0, -1);
    store_->in_flight(id_);
    store::ClaimOptions options;
    options.limit = 1000;
    store_->claim(campaign_, options, -1, judge());  // due range empty
    store_->next_due(id_);
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }

 private:
  store::Judge judge() {
    return [this](const store::Candidate& c, store::History& h) {
      auto d = sched_->evaluate(rules_, c, h, schedule::CallFacts{}, kNow, nullptr, schedule::Explain::when_blocked);
      store::Verdict v;
      v.kind =
          d.kind == schedule::Decision::Kind::dispatch ? store::Verdict::Kind::dispatch : store::Verdict::Kind::wait;
      v.until = d.until.value_or(kNow + 60000);
      return v;
    };
  }
  void add(std::int64_t count) {
    std::vector<domain::ContactInput> chunk;
    for (std::int64_t i = 0; i < count; ++i) {
      domain::ContactInput c;
      c.phone = phone(next_phone_++);
      c.timezone = "UTC";  // every contact callable at the bench's instant
      if (levels_ > 0) c.priority = static_cast<int>(next_phone_ % (levels_ + 1));
      chunk.push_back(std::move(c));
    }
    if (!chunk.empty()) store_->add_contacts(id_, chunk, 0);
  }

  std::string path_;
  std::int64_t n_, next_phone_ = 0;
  int levels_ = 0;
  std::unique_ptr<store::Store> store_;
  domain::CampaignId id_ = 0;
  domain::Campaign campaign_;
  schedule::CampaignRules rules_;
  asio::io_context ioc_;
  util::SimulatedTimeSystem clock_{0};
  std::unique_ptr<scheduler::Scheduler> sched_;
};

struct Stats {
  double mean = 0, median = 0;
};
Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  s.median = v[v.size() / 2];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"scheduler_bench: wake cost against queue size"};
  std::vector<std::int64_t> sizes = {10000, 1000000, 10000000};
  std::string dir = "/tmp/dialerd-bench";
  int rounds = 40;
  int levels = 0;
  cli.add_option("--sizes", sizes, "Queue sizes")->capture_default_str();
  cli.add_option("--dir", dir, "Scratch directory")->capture_default_str();
  cli.add_option("--wakes", rounds, "Dispatching wakes measured per size (1000 calls each), alternating between sizes")
      ->capture_default_str();
  cli.add_option("--priorities", levels, "Calls cycle through priorities 0..N (0: every call priority 0)")
      ->check(CLI::Range(0, domain::kMaxPriority))
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  std::filesystem::create_directories(dir);

  std::vector<std::unique_ptr<Queue>> queues;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    auto t0 = Clock::now();
    queues.push_back(std::make_unique<Queue>(fmt::format("{}/sched-{}.db", dir, i), sizes[i], levels));
    std::cout << fmt::format("  {:>10} queued (populated in {:.0f} s)\n", sizes[i],
                             std::chrono::duration<double>(Clock::now() - t0).count());
  }
  for (auto& q : queues) q->dispatching_wake();  // warm each page cache; not counted

  std::vector<std::vector<double>> dispatching(queues.size()), idle(queues.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t k = 0; k < queues.size(); ++k) {
      auto i = (k + static_cast<std::size_t>(r)) % queues.size();  // each size goes first in turn
      dispatching[i].push_back(queues[i]->dispatching_wake());
    }
  for (int r = 0; r < 200; ++r)
    for (std::size_t i = 0; i < queues.size(); ++i)
      for (int k = 0; k < 10; ++k) idle[i].push_back(queues[i]->idle_wake());

  std::vector<Stats> d, w;
  for (std::size_t i = 0; i < queues.size(); ++i) {
    d.push_back(stats(dispatching[i]));
    w.push_back(stats(idle[i]));
    std::cout << fmt::format(
        "  {:>10} queued   dispatching wake (1000 calls judged): {:6.2f} ms mean, {:6.2f} ms median   "
        "idle wake: {:6.3f} ms mean\n",
        queues[i]->size(), d.back().mean, d.back().median, w.back().mean);
  }
  if (queues.size() >= 2)
    std::cout << fmt::format(
        "  ratio largest/smallest: dispatching {:.2f} (medians {:.2f}), idle {:.2f}   target <= 1.2   ({} wakes "
        "each)\n",
        d.back().mean / d.front().mean, d.back().median / d.front().median, w.back().mean / w.front().mean, rounds);
  return 0;
}
