// Ingest through the API: contacts/s through POST /v1/campaigns/{id}/contacts in 1000-record requests to
// the real daemon (synchronous=FULL), next to the raw SQLite insert rate of the same work measured in the
// same run (bench/raw_sqlite.hpp); then records/s into the contact book, POST /v1/contacts?list_id= in
// 1000-record requests (new records with an external id and a variable, each becoming a list member).
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dialerd/http/client.hpp"
#include "raw_sqlite.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App cli{"ingest_bench: contacts/s through the HTTP API against raw SQLite"};
  std::int64_t n = 200000;
  cli.add_option("--contacts", n, "Contacts to post (in requests of 1000)")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  testing::TempDir dir;
  // The reference first, on the same disk.
  auto raw = bench::raw_insert(dir.file("raw.db"), n, "full");
  sqlite3_close(raw.db);

  testing::DaemonProcess daemon(dir, {{"log", {{"level", "warn"}}}, {"providers", {{"sim", {{"kind", "simulator"}}}}}});
  nlohmann::json campaign = {
      {"name", "ingest"}, {"agent_id", "a"}, {"provider", "sim"}, {"from_number", "+14157774444"}, {"status", "draft"}};
  auto created = testing::http_post(daemon.url("/v1/campaigns"), campaign.dump());
  auto id = created.body["data"]["id"].get<std::string>();
  std::vector<std::string> bodies;  // built before timing: the client's JSON work is not the daemon's
  for (std::int64_t i = 0; i < n; i += bench::kChunk) {
    nlohmann::json records = nlohmann::json::array();
    for (std::int64_t k = i; k < std::min(n, i + bench::kChunk); ++k)
      records.push_back({{"phone_number", bench::phone(k)}, {"first_name", fmt::format("F{}", k)}});
    bodies.push_back(records.dump());
  }
  // Posts every body to `path`; returns records/s (the count is `field` of each answer), 0 on a failure.
  auto post_all = [&](const std::vector<std::string>& all, const std::string& path, const char* field) -> double {
    auto t0 = Clock::now();
    std::int64_t stored = 0;
    for (const auto& body : all) {
      auto r = testing::http_post(daemon.url(path), body);
      if (r.status != 200) {
        std::cerr << "POST " << path << " failed: " << r.status << " " << r.raw.substr(0, 200) << "\n";
        return 0;
      }
      stored += r.body["data"][field].get<std::int64_t>();
    }
    return stored / std::chrono::duration<double>(Clock::now() - t0).count();
  };
  double api_per_s = post_all(bodies, "/v1/campaigns/" + id + "/contacts", "added");
  if (api_per_s == 0) return 1;

  auto list =
      testing::http_post(daemon.url("/v1/lists"), R"({"name": "ingest"})").body["data"]["id"].get<std::string>();
  std::vector<std::string> records;  // other numbers than the campaign's: every record is new
  for (std::int64_t i = 0; i < n; i += bench::kChunk) {
    nlohmann::json batch = nlohmann::json::array();
    for (std::int64_t k = i; k < std::min(n, i + bench::kChunk); ++k)
      batch.push_back({{"phone_number", bench::phone(n + k)},
                       {"first_name", fmt::format("F{}", k)},
                       {"external_id", fmt::format("cus-{}", k)},
                       {"plan", "gold"}});
    records.push_back(batch.dump());
  }
  double book_per_s = post_all(records, "/v1/contacts?list_id=" + list, "created");
  if (book_per_s == 0) return 1;

  std::cout << fmt::format("ingest_bench: {} contacts in {}-record requests, synchronous=full\n", n, bench::kChunk);
  std::cout << fmt::format("  {:<28} {:>10.0f}/s   raw SQLite insert {:>10.0f}/s   ratio {:>4.0f}%   target >= 60%\n",
                           "POST .../contacts (API)", api_per_s, raw.per_second, 100 * api_per_s / raw.per_second);
  std::cout << fmt::format("  {:<28} {:>10.0f}/s   raw SQLite insert {:>10.0f}/s   ratio {:>4.0f}%\n",
                           "POST /v1/contacts?list_id=", book_per_s, raw.per_second, 100 * book_per_s / raw.per_second);
  return 0;
}
