// Every provider kind's parsers of what comes back from the provider, on arbitrary bytes. Byte 0 picks the
// parser; the rest is the body (or the header value), given to every kind in turn:
//   0: a 2xx answer to a fixed three-call chunk, status 200 + (byte 0 / 3) % 100, read as HttpProvider reads
//      it (read_accepted_answer, then Adapter::parse_answer) — exactly one result per call, each call once;
//   1: Provider::parse_events (HTTP kinds through their adapter, the simulator on its own) on what the API
//      passes on — an error message, or reports that each name a provider call id;
//   2: retry_after_ms on a Retry-After header — the fallback, or 0 .. one day.
// Adding an HTTP kind is one line in kAdapters; the check below fails until it is there.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "dialerd/config/config.hpp"
#include "dialerd/providers/kind.hpp"
#include "dialerd/providers/provider.hpp"
#include "dialerd/util/json_depth.hpp"
#include "fuzz_targets.hpp"
#include "providers/addcalls/addcalls.hpp"
#include "providers/batchcall/batchcall.hpp"
#include "providers/http_provider.hpp"
#include "providers/simulator/simulator.hpp"
#include "providers/truedy/truedy.hpp"
#include "providers/veritus/veritus.hpp"

namespace dialerd::fuzz {

namespace {

using AdapterFactory = std::function<std::unique_ptr<providers::Adapter>(const config::ProviderConfig&)>;

// Each HTTP kind's adapter, as src/providers/registry.cpp makes it.
const std::map<std::string, AdapterFactory, std::less<>> kAdapters = {
    {"batchcall", [](const auto& c) { return std::make_unique<providers::batchcall::BatchCallAdapter>(c); }},
    {"veritus", [](const auto& c) { return std::make_unique<providers::veritus::VeritusAdapter>(c); }},
    {"truedy", [](const auto& c) { return std::make_unique<providers::truedy::TruedyAdapter>(c); }},
    {"addcalls", [](const auto& c) { return std::make_unique<providers::addcalls::AddCallsAdapter>(c); }},
};

struct Kind {
  std::string name;
  std::unique_ptr<providers::Provider> provider;
  std::unique_ptr<providers::Adapter> adapter;  // HTTP kinds
};

struct State {
  asio::io_context ioc;  // never run: the providers are made only for their parsers
  util::RealTimeSystem time;
  std::vector<Kind> kinds;
  domain::DispatchChunk chunk;

  State() {
    for (auto name : providers::kind_names()) {
      auto info = providers::kind_info(name);
      config::ProviderConfig c;
      c.name = "fuzz-" + std::string(name);
      c.kind = std::string(name);
      c.base_url = "http://127.0.0.1:9";
      c.api_key = "fuzz-key";
      c.api_secret = "fuzz-secret";
      c.chunk_size = info->max_chunk;
      c.settings = providers::find_kind(name)->new_settings();
      if (name == "simulator") c.settings.get_mutable<providers::simulator::Settings>().seed = 1;
      // addcalls: a batch, so its answers are read, not screened out
      if (name == "addcalls")
        c.settings.get_mutable<providers::addcalls::Settings>().batch_id = "64e5f12345abcdef98765432";
      Kind k{std::string(name), providers::make_provider(c, {ioc, [](const std::string&, auto) {}, time}), nullptr};
      if (info->http) {
        auto factory = kAdapters.find(name);
        expect(factory != kAdapters.end(),
               "provider kind '" + std::string(name) +
                   "' has no adapter in kAdapters (tests/fuzz/fuzz_provider.cpp): add one line");
        k.adapter = factory->second(c);
      }
      kinds.push_back(std::move(k));
    }
    chunk.campaign_id = 7;
    chunk.idempotency_key = "c7-fuzz-1";
    chunk.campaign.id = 7;
    chunk.campaign.spec.name = "fuzz";
    chunk.campaign.spec.agent_id = "agent_1";
    chunk.campaign.spec.from_number = "+14155550100";
    chunk.campaign.spec.timezone = "America/New_York";
    const char* phones[] = {"+14155550101", "+14155550102", "+442071838750"};
    for (int i = 0; i < 3; ++i) {
      domain::DispatchCall call;
      call.id = 101 + i;
      call.contact_id = 11 + i;
      call.phone = phones[i];
      call.first_name = "Ann";
      call.variables =
          nlohmann::json{{"order", i}, {"customer_id", "550e8400-e29b-41d4-a716-44665544000" + std::to_string(i)}}
              .dump();
      call.attempt = 1;
      call.from_number = "+14155550100";
      chunk.calls.push_back(call);
    }
  }
};

State& state() {
  static State s;
  return s;
}

void check_answer(const Kind& k, const domain::DispatchChunk& chunk, int status, const std::string& body) {
  providers::WireAnswer answer{status, {{"content-type", "application/json"}}, body};
  auto results = providers::read_accepted_answer(*k.adapter, chunk, answer);
  expect(results.size() == chunk.calls.size(), k.name + ": parse_answer gave " + std::to_string(results.size()) +
                                                   " results for " + std::to_string(chunk.calls.size()) + " calls");
  std::multiset<domain::CallId> want, got;
  for (const auto& c : chunk.calls) want.insert(c.id);
  for (const auto& r : results) {
    got.insert(r.call_id);
    expect(r.retry_after_ms >= 0, k.name + ": a negative retry_after_ms");
  }
  expect(got == want, k.name + ": parse_answer's results are not one per call of the chunk");
}

void check_events(const Kind& k, const std::string& body) {
  // The API refuses deeper bodies before any provider sees them (parse_json_body).
  if (util::json_nested_deeper_than(body)) return;
  auto parsed = k.provider->parse_events(body);
  if (!parsed) {
    expect(!parsed.error().empty(), k.name + ": parse_events failed without saying why");
    return;
  }
  for (const auto& r : *parsed) {
    expect(!r.provider_call_id.empty(), k.name + ": an outcome report without a provider call id");
    expect(!domain::to_string(r.outcome).empty(), k.name + ": an outcome report with no outcome");
  }
}

void check_retry_after(const std::string& value) {
  constexpr domain::UnixMs kNow = 1773846000000;  // 2026-03-18T15:00:00Z
  constexpr domain::UnixMs kFallback = 7777, kDay = 24LL * 3600 * 1000;
  providers::WireAnswer answer{429, {{"retry-after", value}}, ""};
  auto ms = providers::retry_after_ms(answer, kNow, kFallback);
  expect(ms == kFallback || (ms >= 0 && ms <= kDay),
         "Retry-After '" + value + "' gave " + std::to_string(ms) + " ms (not the fallback, not 0 .. a day)");
}

}  // namespace

int fuzz_provider_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& s = state();
  const int mode = data[0] % 3;
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if (mode == 2) {
      check_retry_after(body);
      return 0;
    }
    for (const auto& k : s.kinds) {
      if (mode == 0 && k.adapter) check_answer(k, s.chunk, 200 + (data[0] / 3) % 100, body);
      if (mode == 1) check_events(k, body);
    }
  } catch (const Violation&) {
    throw;
  } catch (const std::exception& e) {
    fail(std::string("a provider parser threw: ") + e.what());
  }
  return 0;
}

}  // namespace dialerd::fuzz
