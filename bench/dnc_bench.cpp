// Do-not-call lists at registry scale (issue 19.3). Two figures:
//  1. Import rate: N numbers (default 10M, in random order: the worst case for the B-tree) posted as one
//     plain-text body to POST /v1/dnc-lists/{name}/numbers?mode=replace of the real daemon
//     (synchronous=FULL), timed from the first byte sent to the answer; beside it, the references measured in
//     the same run: the same numbers inserted by raw SQLite into the store's table, 25000 per transaction,
//     no parsing: in key order (what the daemon does: it sorts the whole file first) and in file order, each
//     slice sorted (what it did before).
//  2. Claim cost: a wake that claims 1000 calls (gate, claim, each call judged) for a campaign honouring a
//     list of N numbers, against the same wake for a campaign honouring none, alternated wake by wake over
//     one database; medians. The numbers called are not on the list, so both wakes dispatch 1000 calls.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include <fmt/format.h>
#include <sqlite3.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dialerd/domain/dnc.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/timer.hpp"
#include "raw_sqlite.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using Clock = std::chrono::steady_clock;

namespace {

const domain::UnixMs kNow = 1764763200000;

// N distinct listed numbers in a shuffled order (area codes 201..299 but the 211-type service codes).
std::vector<std::int64_t> listed_keys(std::int64_t n) {
  std::vector<std::int64_t> keys;
  keys.reserve(static_cast<std::size_t>(n));
  for (std::int64_t area = 201; static_cast<std::int64_t>(keys.size()) < n; ++area) {
    if (area % 100 == 11) continue;
    for (std::int64_t line = 2000000; line < 10000000 && static_cast<std::int64_t>(keys.size()) < n; line += 7)
      keys.push_back(10000000000 + area * 10000000 + line);
  }
  std::shuffle(keys.begin(), keys.end(), std::mt19937_64(20261207));
  return keys;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A reference: the same keys into the same table by the SQLite C API, 25000 per transaction, each slice
// sorted (all of them first when `sort_all`), no parsing and no HTTP.
double raw_insert(const std::string& path, std::vector<std::int64_t> keys, bool sort_all) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
  sqlite3_exec(db,
               "CREATE TABLE dnc_numbers (set_id INTEGER NOT NULL, phone INTEGER NOT NULL, PRIMARY KEY (set_id, "
               "phone)) WITHOUT ROWID",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO dnc_numbers(set_id, phone) VALUES (?1, ?2)", -1, &ins, nullptr);
  auto t0 = Clock::now();
  if (sort_all) std::sort(keys.begin(), keys.end());
  for (std::size_t at = 0; at < keys.size(); at += 25000) {
    auto end = keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + 25000));
    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(at), end);
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (auto it = keys.begin() + static_cast<std::ptrdiff_t>(at); it != end; ++it) {
      sqlite3_bind_int64(ins, 1, 1);
      sqlite3_bind_int64(ins, 2, *it);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double rate = static_cast<double>(keys.size()) / seconds_since(t0);
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return rate;
}

double daemon_import(const std::vector<std::int64_t>& keys, double& body_mb) {
  testing::TempDir dir;
  testing::DaemonProcess daemon(dir, {{"log", {{"level", "warn"}}}, {"providers", {{"sim", {{"kind", "simulator"}}}}}});
  auto made = testing::http_post(daemon.url("/v1/dnc-lists"), R"({"name": "registry", "max_age_days": 31})");
  if (made.status != 201) throw std::runtime_error("creating the list failed: " + made.raw);
  std::string body;
  body.reserve(keys.size() * 13);
  for (auto k : keys) {
    body += domain::dnc_phone(k);
    body += '\n';
  }
  body_mb = static_cast<double>(body.size()) / 1e6;
  http::ClientRequest req;
  req.method = "POST";
  req.url = daemon.url("/v1/dnc-lists/registry/numbers?mode=replace");
  req.headers = {{"Content-Type", "text/plain"}};
  req.body = std::move(body);
  req.timeout_ms = 3600 * 1000;
  auto t0 = Clock::now();
  auto res = http::fetch_blocking(req);
  double s = seconds_since(t0);
  if (!res || res->status != 200)
    throw std::runtime_error("the import failed: " + (res ? res->body.substr(0, 300) : res.error().message));
  auto j = nlohmann::json::parse(res->body);
  if (j["data"]["import"]["added"] != static_cast<std::int64_t>(keys.size()))
    throw std::runtime_error("the import added " + j["data"]["import"]["added"].dump());
  return static_cast<double>(keys.size()) / s;
}

class Claims {
 public:
  Claims(const std::string& path, const std::vector<std::int64_t>& keys) : path_(path) {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    store_ = std::make_unique<store::Store>(store::StoreOptions{path, "normal"});
    domain::DncList list;
    list.workspace = "default";
    list.name = "registry";
    list.created_at = 0;
    auto made = *store_->create_dnc_list(list);
    std::vector<std::int64_t> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t at = 0; at < sorted.size(); at += 1000000) {
      std::vector<std::int64_t> slice(
          sorted.begin() + static_cast<std::ptrdiff_t>(at),
          sorted.begin() + static_cast<std::ptrdiff_t>(std::min(sorted.size(), at + 1000000)));
      store_->add_dnc_numbers(made.set_id, slice);
    }
    store_->finish_dnc_append(made.id, kNow, kNow);
    sched_ = std::make_unique<scheduler::Scheduler>(ioc_, *store_, clock_);
    schedule::LegalRules legal;
    legal.everywhere.hours = schedule::Hours::every_day({0, 0});
    sched_->set_legal_rules(legal);
    plain_ = campaign({});
    honouring_ = campaign({"registry"});
  }
  ~Claims() {
    sched_.reset();
    store_.reset();
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  // One dispatching wake of a campaign, timed; then it is topped up (not timed).
  double wake(bool honouring) {
    auto& c = honouring ? honouring_ : plain_;
    auto t0 = Clock::now();
    std::string error;
    auto rules = *sched_->rules_for(c.campaign, error);
    schedule::campaign_gate(rules, 0, kNow);
    store_->in_flight(c.campaign.id);
    store::ClaimOptions options;
    options.limit = 1000;
    auto chunk = store_->claim(c.campaign, options, kNow, [&](const store::Candidate& cand, store::History& h) {
      auto d = sched_->evaluate(rules, cand, h, schedule::CallFacts{}, kNow, nullptr, schedule::Explain::when_blocked);
      store::Verdict v;
      v.kind =
          d.kind == schedule::Decision::Kind::dispatch ? store::Verdict::Kind::dispatch : store::Verdict::Kind::wait;
      v.until = d.until.value_or(kNow + 60000);
      return v;
    });
    store_->next_due(c.campaign.id);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    auto claimed = chunk ? static_cast<std::int64_t>(chunk->calls.size()) : 0;
    if (claimed != 1000) std::cerr << "  a wake claimed " << claimed << " calls, not 1000\n";
    add(c, claimed);
    return ms;
  }

 private:
  struct Queue {
    domain::Campaign campaign;
  };
  Queue campaign(std::vector<std::string> lists) {
    domain::CampaignSpec spec;
    spec.workspace = "default";
    spec.name = "bench";
    spec.agent_id = "a";
    spec.provider = "sim";
    spec.from_number = "+14157774444";
    spec.concurrency = 1000000000;
    spec.status = domain::CampaignStatus::running;
    spec.dnc_lists = std::move(lists);
    Queue q;
    auto id = store_->create_campaign(spec, {}, 0);
    q.campaign = *store_->campaign(id);
    add(q, 10000);
    return q;
  }
  void add(Queue& q, std::int64_t count) {
    std::vector<domain::ContactInput> chunk;
    for (std::int64_t i = 0; i < count; ++i) {
      domain::ContactInput c;
      c.phone = bench::phone(next_phone_++);  // California numbers: none is on the list
      c.timezone = "UTC";
      chunk.push_back(std::move(c));
    }
    if (!chunk.empty()) store_->add_contacts(q.campaign.id, chunk, 0);
  }

  std::string path_;
  std::unique_ptr<store::Store> store_;
  asio::io_context ioc_;
  util::SimulatedTimeSystem clock_{0};
  std::unique_ptr<scheduler::Scheduler> sched_;
  Queue plain_, honouring_;
  std::int64_t next_phone_ = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"dnc_bench: DNC list import rate and claim cost at registry scale"};
  std::int64_t n = 10000000;
  int wakes = 60;
  std::string dir = "/tmp/dialerd-bench";
  cli.add_option("--numbers", n, "Numbers on the list")->capture_default_str();
  cli.add_option("--wakes", wakes, "Wakes measured per campaign (alternating)")->capture_default_str();
  cli.add_option("--dir", dir, "Scratch directory for the claim database")->capture_default_str();
  bool claims_only = false;
  cli.add_flag("--claims-only", claims_only, "Only the claim cost (no import)");
  CLI11_PARSE(cli, argc, argv);
  std::filesystem::create_directories(dir);
  auto keys = listed_keys(n);

  std::cout << fmt::format("dnc_bench: {} numbers\n", n);
  if (!claims_only) {
    auto raw = [&](bool sort_all) {
      double rate = raw_insert(dir + "/dnc-raw.db", keys, sort_all);
      for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir + "/dnc-raw.db" + suffix);
      return rate;
    };
    double raw_sorted = raw(true);
    double mb = 0;
    double api = daemon_import(keys, mb);
    double raw_slices = raw(false);
    std::cout << fmt::format(
        "  import (POST ...?mode=replace, {:.0f} MB plain text): {:>9.0f} numbers/s   target >= 200000/s\n"
        "  raw SQLite insert: key order {:>9.0f}/s, file order in sorted slices {:>9.0f}/s\n",
        mb, api, raw_sorted, raw_slices);
    std::cout.flush();
  }

  auto t0 = Clock::now();
  Claims claims(dir + "/dnc-claims.db", keys);
  std::cout << fmt::format("  claim database with the list populated in {:.0f} s\n", seconds_since(t0));
  claims.wake(false);  // warm the page cache; not counted
  claims.wake(true);
  std::vector<double> plain, honouring;
  for (int i = 0; i < wakes; ++i) {
    if (i % 2 == 0) {
      plain.push_back(claims.wake(false));
      honouring.push_back(claims.wake(true));
    } else {
      honouring.push_back(claims.wake(true));
      plain.push_back(claims.wake(false));
    }
  }
  double p = median(plain), h = median(honouring);
  std::cout << fmt::format(
      "  wake claiming 1000 calls: no list {:.2f} ms median, honouring the {}-number list {:.2f} ms median   ratio "
      "{:.3f}   target <= 1.10   ({} wakes each)\n",
      p, n, h, h / p, wakes);
  return 0;
}
