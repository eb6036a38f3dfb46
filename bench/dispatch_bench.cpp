// Dispatch to a loopback provider: calls/s the real daemon submits to a batch-call provider in full chunks,
// every state change durable (database.synchronous = full). N calls are preloaded through the Store API into
// the daemon's state directory (not timed); the clock runs from POST /v1/campaigns/{id}/start until every
// call is recorded in_progress. The provider is a minimal HTTP server in this process that only counts the
// numbers it receives, so it costs little of the machine's two cores.
// With --outcomes it also reports every call completed through dialerd's callback endpoint (one POST per
// batch, from its own thread), and the clock runs until every call is completed: end to end.
// With --webhooks (implies --outcomes) the campaign also has a webhook to a receiver on the same loopback
// server, and the figure is how soon every call.completed event was delivered: the outbox's throughput.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "dialerd/asio.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/http/server.hpp"
#include "dialerd/store/store.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using Clock = std::chrono::steady_clock;

namespace {

// Area codes in several zones, two of them spanning zones (Alaska, the Florida panhandle).
constexpr int kAreaCodes[] = {212, 415, 305, 312, 713, 206, 602, 808, 907, 850, 617, 303};
constexpr std::size_t kAreas = std::size(kAreaCodes);

std::string phone(std::int64_t i) {
  return fmt::format("+1{}{:07d}", kAreaCodes[static_cast<std::size_t>(i) % kAreas],
                     2000000 + i / static_cast<std::int64_t>(kAreas));
}

// POST /batch-call: takes every "to_number" out of the body and answers a batch id. No JSON parse, no
// validation beyond the method, path and API key: the daemon is measured, not this.
class LoopbackProvider {
 public:
  LoopbackProvider()
      : server_(ioc_, http::ServerOptions{"127.0.0.1", 0, 64 << 20, 60000},
                [this](http::Request r) { return serve(std::move(r)); }) {
    server_.start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~LoopbackProvider() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (reporter_.joinable()) reporter_.join();
    ioc_.stop();
    thread_.join();
  }
  // Report each batch's calls completed to this events URL, one POST per batch, from a thread of its own.
  void report_to(std::string events_url) {
    {
      std::lock_guard lock(mu_);
      events_url_ = std::move(events_url);
    }
    reporter_ = std::thread([this] { report_loop(); });
  }
  std::int64_t report_failures() const { return report_failures_.load(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::int64_t tasks() const { return tasks_.load(); }
  std::int64_t batches() const { return batches_.load(); }
  std::int64_t bad_requests() const { return bad_.load(); }
  // Webhook deliveries to POST /hooks: call.completed events, and how many were delivered again.
  std::int64_t hooks_completed() const { return hooks_completed_.load(); }
  std::int64_t hooks_repeated() const { return hooks_repeated_.load(); }
  std::unordered_map<std::string, int> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  dialerd::awaitable<http::Response> serve(http::Request req) { co_return handle(req); }
  http::Response handle(const http::Request& req) {
    http::Response r;
    if (req.method == "POST" && req.path == "/hooks") {  // a webhook receiver answers 200 and counts
      r.body = "{}";
      std::lock_guard lock(mu_);
      if (!hook_ids_.insert(req.header("x-dialerd-event-id")).second)
        ++hooks_repeated_;
      else if (req.header("x-dialerd-event-type") == "call.completed")
        ++hooks_completed_;
      return r;
    }
    if (req.method != "POST" || req.path != "/batch-call" || req.header("x-api-key") != "bench-key") {
      ++bad_;
      r.status = 400;
      r.body = R"({"status":"error"})";
      return r;
    }
    std::vector<std::string> numbers;
    numbers.reserve(1000);
    const std::string& b = req.body;
    static constexpr std::string_view kKey = "\"to_number\"";
    for (auto pos = b.find(kKey); pos != std::string::npos; pos = b.find(kKey, pos)) {
      pos += kKey.size();
      while (pos < b.size() && (b[pos] == ' ' || b[pos] == ':')) ++pos;
      if (pos >= b.size() || b[pos] != '"') break;
      auto end = b.find('"', pos + 1);
      if (end == std::string::npos) break;
      numbers.emplace_back(b, pos + 1, end - pos - 1);
      pos = end;
    }
    if (numbers.empty()) {
      ++bad_;
      r.status = 400;
      r.body = R"({"status":"error","error":"no tasks"})";
      return r;
    }
    auto id = ++batches_;
    tasks_ += static_cast<std::int64_t>(numbers.size());
    {
      std::lock_guard lock(mu_);
      if (!events_url_.empty()) {
        std::string body = "[";
        for (const auto& number : numbers)
          body += fmt::format(R"({}{{"batch_call_id":"batch_{}","to_number":"{}","status":"completed"}})",
                              body.size() > 1 ? "," : "", id, number);
        reports_.push_back(body + "]");
        cv_.notify_one();
      }
      for (auto& n : numbers) ++seen_[std::move(n)];
    }
    r.body = fmt::format(R"({{"status":"success","data":{{"batch_call_id":"batch_{}","status":"scheduled"}}}})", id);
    return r;
  }

  void report_loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || !reports_.empty(); });
      if (stopping_) return;
      std::string body = std::move(reports_.front());
      reports_.pop_front();
      lock.unlock();
      // The answer is recorded before an outcome can apply; an early one is kept and applied then (200).
      auto r = http::fetch_blocking({"POST", events_url_, {}, std::move(body), "application/json", 30000});
      if (!r || r->status != 200) ++report_failures_;
      lock.lock();
    }
  }

  asio::io_context ioc_;
  http::Server server_;
  std::thread thread_;
  std::atomic<std::int64_t> tasks_{0}, batches_{0}, bad_{0}, report_failures_{0}, hooks_completed_{0},
      hooks_repeated_{0};
  std::unordered_set<std::string> hook_ids_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> reports_;
  std::string events_url_;
  bool stopping_ = false;
  std::thread reporter_;
  std::unordered_map<std::string, int> seen_;
};

// The daemon's time on a CPU and waiting for one (ns), from /proc/<pid>/schedstat: on a shared machine the
// wall clock alone does not say whether the daemon or the neighbours were slow.
struct SchedStat {
  double on_cpu_ns = 0, waiting_ns = 0;
};
SchedStat sched_stat(int pid) {
  SchedStat out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  in >> out.on_cpu_ns >> out.waiting_ns;
  return out;
}

// "2 cores, AMD EPYC, 23 GiB" and the checkout's commit, for the figures' record.
std::string machine() {
  std::ifstream cpu("/proc/cpuinfo"), mem("/proc/meminfo");
  std::string line, model = "?";
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  std::string key;
  double kib = 0;
  mem >> key >> kib;
  return fmt::format("{} cores, {}, {:.0f} GiB", std::thread::hardware_concurrency(), model, kib / 1024 / 1024);
}
std::string commit() {
  std::string out;
  if (testing::run_command("git -C " DIALERD_SOURCE_DIR " rev-parse --short HEAD", out) != 0) return "?";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::int64_t query_int(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    std::cerr << "prepare " << sql << ": " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
  std::int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"dispatch_bench: calls/s dispatched to a loopback batch-call provider, synchronous=full"};
  std::int64_t n = 200000;
  int timeout_s = 600;
  std::string attach;
  cli.add_option("--calls", n, "Calls preloaded into one running campaign")->capture_default_str();
  cli.add_option("--attach", attach,
                 "A command run against the daemon from before the start until it exits, {pid} replaced by its "
                 "pid, e.g. 'perf record -g -o dispatch.perf -p {pid}'");
  cli.add_option("--timeout", timeout_s, "Give up after this many seconds")->capture_default_str();
  bool outcomes = false;
  cli.add_flag("--outcomes", outcomes, "The provider reports every call completed; time until all are completed");
  bool webhooks = false;
  cli.add_flag("--webhooks", webhooks,
               "With --outcomes: a webhook receiver too; time until every call.completed arrived");
  CLI11_PARSE(cli, argc, argv);
  outcomes = outcomes || webhooks;

  testing::TempDir dir;
  const std::string state = dir.file("state");
  LoopbackProvider provider;
  domain::CampaignId id = 0;
  {
    // Preload, not timed: the campaign stays a draft until the clock starts. synchronous=normal only
    // here; the daemon opens the file with its default (full).
    store::Store s({state + "/dialerd.db", "normal"});
    domain::CampaignSpec spec;
    spec.name = "dispatch bench";
    spec.agent_id = "agent_bench";
    spec.provider = "loopback";
    spec.from_number = "+14157774444";
    spec.concurrency = static_cast<int>(std::min<std::int64_t>(n * 2, 1000000000));
    spec.status = domain::CampaignStatus::draft;
    if (webhooks) spec.webhook = domain::Webhook{provider.base_url() + "/hooks", "bench"};
    id = s.create_campaign(spec, {}, 0);
    std::vector<domain::ContactInput> chunk;
    for (std::int64_t i = 0; i < n; ++i) {
      domain::ContactInput c;
      c.phone = phone(i);
      c.first_name = fmt::format("F{}", i);
      c.variables = {{"account", fmt::format("A-{:06d}", i)}, {"note", "say \"hi\""}};
      if (i % 4 == 0) c.timezone = "America/New_York";  // a quarter carry their own zone; the rest are inferred
      chunk.push_back(std::move(c));
      if (chunk.size() == 1000 || i + 1 == n) {
        s.add_contacts(id, chunk, 0);
        chunk.clear();
      }
    }
  }

  // The legal window is open all day so that every call may go out at whatever hour the bench runs; every
  // check still runs for every call.
  testing::json config = {{"log", {{"level", "warn"}}},
                          {"state_dir", state},
                          {"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
                          {"providers",
                           {{"loopback",
                             {{"kind", "batchcall"},
                              {"base_url", provider.base_url()},
                              {"api_key", "bench-key"},
                              {"api_secret", "bench-secret"},
                              {"chunk_size", 1000}}}}},
                          {"webhooks",
                           {{"secrets", {{"bench", "bench-webhook-secret-0123"}}},
                            {"allow_networks", testing::json::array({"127.0.0.1"})}}}};
  testing::DaemonProcess daemon(dir, config);
  if (outcomes) provider.report_to(daemon.url("/v1/providers/loopback/events"));

  sqlite3* db = nullptr;
  if (sqlite3_open_v2((state + "/dialerd.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return 1;
  sqlite3_busy_timeout(db, 5000);
  const std::string end_state = outcomes ? "completed" : "in_progress";
  const std::string in_progress_sql =
      fmt::format("SELECT n FROM campaign_counters WHERE campaign_id = {} AND state = '{}'", id, end_state);

  pid_t attached = -1;
  if (!attach.empty()) {
    for (auto at = attach.find("{pid}"); at != std::string::npos; at = attach.find("{pid}"))
      attach.replace(at, 5, std::to_string(daemon.pid()));
    attached = fork();
    if (attached == 0) {
      execl("/bin/sh", "sh", "-c", attach.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let it attach
  }

  auto cpu0 = sched_stat(daemon.pid());
  auto t0 = Clock::now();
  auto started = testing::http_post(daemon.url(fmt::format("/v1/campaigns/{}/start", id)), "{}");
  if (started.status != 200) {
    std::cerr << "start failed: " << started.status << " " << started.raw << "\n";
    return 1;
  }
  bool done = testing::wait_until([&] { return query_int(db, in_progress_sql) >= n; }, std::chrono::seconds(timeout_s));
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  auto cpu1 = sched_stat(daemon.pid());
  if (!done) {
    std::cerr << "timed out: " << query_int(db, in_progress_sql) << " of " << n << " " << end_state << "; daemon log:\n"
              << daemon.log().substr(0, 4000) << "\n";
    return 1;
  }
  double hook_seconds = 0;
  if (webhooks) {
    done = testing::wait_until([&] { return provider.hooks_completed() >= n; }, std::chrono::seconds(timeout_s));
    hook_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!done) std::cerr << "timed out: " << provider.hooks_completed() << " of " << n << " call.completed delivered\n";
  }
  int stopped = daemon.stop();
  if (attached > 0) waitpid(attached, nullptr, 0);  // it ends with the daemon

  // Verify: every call in_progress exactly once, one attempt each, every number seen once by the provider.
  bool ok = stopped == 0 && done;
  auto expect = [&](const char* what, std::int64_t got, std::int64_t want) {
    if (got != want) {
      std::cerr << "  FAILED " << what << ": " << got << ", expected " << want << "\n";
      ok = false;
    }
  };
  expect(
      outcomes ? "calls completed" : "calls in_progress",
      query_int(db, fmt::format("SELECT count(*) FROM calls WHERE campaign_id = {} AND state = '{}'", id, end_state)),
      n);
  expect("outcome callbacks refused", provider.report_failures(), 0);
  expect("calls with attempts = 1",
         query_int(db, fmt::format("SELECT count(*) FROM calls WHERE campaign_id = {} AND attempts = 1", id)), n);
  expect("attempts rows", query_int(db, fmt::format("SELECT count(*) FROM attempts WHERE campaign_id = {}", id)), n);
  expect("distinct calls attempted",
         query_int(db, fmt::format("SELECT count(DISTINCT call_id) FROM attempts WHERE campaign_id = {}", id)), n);
  expect("calls with a provider call id",
         query_int(db, fmt::format("SELECT count(DISTINCT provider_call_id) FROM calls WHERE campaign_id = {}", id)),
         n);
  sqlite3_close(db);
  auto seen = provider.seen();
  std::int64_t twice = 0, unknown = 0;
  for (const auto& [number, times] : seen) twice += times > 1;
  for (std::int64_t i = 0; i < n; ++i) unknown += !seen.count(phone(i));
  expect("tasks received", provider.tasks(), n);
  expect("distinct numbers received", static_cast<std::int64_t>(seen.size()), n);
  expect("numbers received more than once", twice, 0);
  expect("preloaded numbers never received", unknown, 0);
  expect("requests refused by the provider", provider.bad_requests(), 0);
  if (webhooks) {
    expect("call.completed events delivered", provider.hooks_completed(), n);
    expect("events delivered again", provider.hooks_repeated(), 0);
  }

  std::cout << fmt::format("dispatch_bench: {} calls, chunk 1000, synchronous=full, {} requests; {}; commit {}\n", n,
                           provider.batches(), machine(), commit());
  if (outcomes)
    std::cout << fmt::format("  end to end, start -> all completed by callback: {:.3f} s   {:>8.0f} calls/s   {}\n",
                             seconds, n / seconds, ok ? "verified" : "VERIFICATION FAILED");
  else
    std::cout << fmt::format(
        "  start -> all in_progress: {:.3f} s   {:>8.0f} calls/s   target >= 50,000 calls/s   {}\n", seconds,
        n / seconds, ok ? "verified" : "VERIFICATION FAILED");
  if (webhooks)
    std::cout << fmt::format("  webhooks, start -> every call.completed delivered: {:.3f} s   {:>8.0f} events/s   {}\n",
                             hook_seconds, n / hook_seconds, ok ? "verified" : "VERIFICATION FAILED");
  const double on_cpu_us = (cpu1.on_cpu_ns - cpu0.on_cpu_ns) / 1000.0 / static_cast<double>(n);
  const double waiting_us = (cpu1.waiting_ns - cpu0.waiting_ns) / 1000.0 / static_cast<double>(n);
  std::cout << fmt::format(
      "  daemon per call: {:.1f} us on a CPU, {:.1f} us runnable but waiting for one, {:.1f} us "
      "blocked (disk, network, idle)\n",
      on_cpu_us, waiting_us, std::max(0.0, seconds * 1e6 / static_cast<double>(n) - on_cpu_us - waiting_us));
  return ok ? 0 : 1;
}
