// Trigger precision: scheduled campaigns on the real daemon; the delay from each trigger_timestamp to the
// moment its first submission reaches a fake batch-call provider on loopback.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "fakes/fake_batchcall.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

int main(int argc, char** argv) {
  CLI::App cli{"trigger_bench: scheduled start precision"};
  int campaigns = 200, spacing_ms = 37;
  cli.add_option("--campaigns", campaigns, "Scheduled campaigns")->capture_default_str();
  cli.add_option("--spacing-ms", spacing_ms, "Milliseconds between triggers")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  TempDir dir;
  FakeBatchCall fake;
  json config = {{"log", {{"level", "warn"}}},
                 {"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
                 {"providers",
                  {{"acme",
                    {{"kind", "batchcall"},
                     {"base_url", fake.base_url()},
                     {"api_key", "test-key"},
                     {"api_secret", "test-secret"}}}}}};
  DaemonProcess daemon(dir, config);
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const auto first = now_ms() + 2000;
  for (int i = 0; i < campaigns; ++i) {
    json body = {{"name", "t" + std::to_string(i)},
                 {"agent_id", "agent_a"},
                 {"provider", "acme"},
                 {"from_number", "+14157774444"},
                 {"trigger_timestamp", first + std::int64_t{i} * spacing_ms},
                 {"contacts", {{{"phone_number", "+1415300" + std::to_string(1000 + i)}, {"timezone", "UTC"}}}}};
    if (http_post(daemon.url("/v1/campaigns"), body.dump()).status != 201) return 1;
  }
  bool done = wait_until([&] { return static_cast<int>(fake.batches().size()) == campaigns; },
                         std::chrono::seconds(60 + campaigns * spacing_ms / 1000));
  if (!done) return 1;
  std::vector<long> delays;
  for (const auto& b : fake.batches()) {
    int i = std::stoi(b.body["name"].get<std::string>().substr(1));
    delays.push_back(static_cast<long>(b.received_at_ms - (first + std::int64_t{i} * spacing_ms)));
  }
  std::sort(delays.begin(), delays.end());
  auto pct = [&](double p) { return delays[std::min(delays.size() - 1, static_cast<std::size_t>(p * delays.size()))]; };
  std::cout << fmt::format(
      "  trigger precision over {} scheduled campaigns: min {} ms, p50 {} ms, p99 {} ms, max {} ms   "
      "target p99 <= 20 ms\n",
      delays.size(), delays.front(), pct(0.50), pct(0.99), delays.back());
  return delays.front() < 0 ? 2 : 0;  // a call before its trigger would be a bug
}
