#include "fakes/fake_addcalls.hpp"

#include <cstdio>
#include <optional>
#include <regex>

#include "fakes/fake_provider.hpp"

namespace dialerd::testing {

using json = nlohmann::json;

struct FakeAddCalls::Impl {
  std::string api_key, batch_id;
  std::size_t max_records = 1000;
  std::vector<std::string> required;
  int fail_requests = 0;
  std::set<int> fail_chunk_nums;
  std::string fail_error;
  std::vector<Request> requests;
  int next_id = 1;
  FakeProvider core{[this](const http::Request& r) { return handle(r); }};  // last: stopped first

  FakeAnswer reject(int status, const std::string& why) {
    core.violation(why);
    return {
        FakeProvider::json_response(
            status, {{"message", why}, {"status", false}, {"code", status}, {"errorMessage", why}, {"data", nullptr}}),
        false};
  }

  std::optional<std::string> problem_in(const json& record, std::size_t i) {
    static const std::regex digits(R"(^[1-9]\d{6,14}$)");
    std::string at = "call_data[" + std::to_string(i) + "]";
    if (!record.is_object()) return at + " must be an object";
    if (!record.contains("phoneNumber") || !record["phoneNumber"].is_string()) return at + ".phoneNumber is required";
    const auto phone = record["phoneNumber"].get<std::string>();
    if (!std::regex_match(phone, digits)) return at + ".phoneNumber must be E.164 digits without '+', got " + phone;
    for (const auto& name : required)
      if (!record.contains(name) || record[name].is_null() || record[name] == "")
        return at + " misses the agent's required variable " + name;
    // The provider would update the pending call rather than place another: dialerd must not resend it.
    if (core.outstanding(phone)) return at + ".phoneNumber " + phone + " is added again while its call is pending";
    return std::nullopt;
  }

  FakeAnswer handle(const http::Request& req) {
    if (req.method != "POST" || req.path != "/api/call/addCallsToBatch")
      return reject(404, "unexpected " + req.method + " " + req.path);
    if (req.header("x-api-key") != api_key) return reject(403, "x-api-key missing or wrong");
    if (req.header("content-type").rfind("application/json", 0) != 0) return reject(415, "Content-Type is not JSON");
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return reject(400, "body is not a JSON object");
    for (const auto& [k, v] : body.items())
      if (k != "batchId" && k != "call_data") return reject(400, "unknown field " + k);
    if (!body.contains("batchId") || !body["batchId"].is_string() || body["batchId"].get<std::string>().empty())
      return reject(400, "batchId is required");
    if (body["batchId"] != batch_id) return reject(404, "batch " + body["batchId"].get<std::string>() + " not found");
    if (!body.contains("call_data") || !body["call_data"].is_array() || body["call_data"].empty())
      return reject(400, "call_data must be a non-empty array");
    const auto& records = body["call_data"];
    if (records.size() > max_records)
      return reject(400, "call_data has " + std::to_string(records.size()) + " records, more than " +
                             std::to_string(max_records));
    for (std::size_t i = 0; i < records.size(); ++i)
      if (auto problem = problem_in(records[i], i)) return reject(400, *problem);

    std::set<int> failed;
    if (fail_requests > 0) {
      --fail_requests;
      failed = fail_chunk_nums;
    }
    if (core.partial_now()) failed.insert(1);
    json call_ids = json::array(), failed_chunks = json::array();
    json events = json::array();
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (failed.count(static_cast<int>(i / 1000) + 1)) continue;
      char id[32];
      std::snprintf(id, sizeof id, "64e5f12345abcdef%08d", next_id++);
      call_ids.push_back(id);
      std::string phone = records[i]["phoneNumber"].get<std::string>();
      int times = core.receive(phone);
      if (!core.reporting()) continue;
      events.push_back({{"callId", id}, {"status", core.outcome_for(phone, times)}});
      keys.push_back(phone);
    }
    for (int chunk : failed)
      if (static_cast<std::size_t>(chunk - 1) * 1000 < records.size())
        failed_chunks.push_back({{"chunkNum", chunk}, {"error", fail_error}});
    if (core.reporting() && !keys.empty()) core.queue_report(std::move(events), std::move(keys));
    const bool partial = !failed_chunks.empty();
    requests.push_back({body, partial ? 207 : 200, wall_ms()});
    if (!partial)
      return {FakeProvider::json_response(200, {{"message", "Calls enqueued successfully"},
                                                {"status", true},
                                                {"code", 200},
                                                {"errorMessage", ""},
                                                {"data", {{"added", call_ids.size()}, {"callIds", call_ids}}}}),
              false};
    return {FakeProvider::json_response(
                207, {{"message", "Some calls failed to enqueue"},
                      {"status", false},
                      {"code", 207},
                      {"errorMessage", "Partial content, check failedChunks for details"},
                      {"data", {{"added", call_ids.size()}, {"callIds", call_ids}, {"failedChunks", failed_chunks}}}}),
            false};
  }
};

FakeAddCalls::FakeAddCalls(std::string api_key, std::string batch_id, std::size_t max_records)
    : impl_(std::make_unique<Impl>()) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->api_key = std::move(api_key);
  impl_->batch_id = std::move(batch_id);
  impl_->max_records = max_records;
}

FakeAddCalls::~FakeAddCalls() = default;

std::string FakeAddCalls::base_url() const {
  return impl_->core.base_url();
}
nlohmann::json FakeAddCalls::provider_config() const {
  return {{"kind", "addcalls"}, {"base_url", base_url()}, {"api_key", impl_->api_key}, {"batch_id", impl_->batch_id}};
}
void FakeAddCalls::report_to(const std::string& events_url, OutcomeFn outcome) {
  impl_->core.report_to(events_url, std::move(outcome));
}
void FakeAddCalls::require_variables(std::vector<std::string> names) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->required = std::move(names);
}
void FakeAddCalls::fail_chunks(int requests, std::set<int> chunk_nums, std::string error) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->fail_requests = requests;
  impl_->fail_chunk_nums = std::move(chunk_nums);
  impl_->fail_error = std::move(error);
}
void FakeAddCalls::inject(int status, int count, std::string retry_after) {
  impl_->core.inject(status, count, std::move(retry_after));
}
void FakeAddCalls::inject_drop(int count) {
  impl_->core.inject_drop(count);
}
void FakeAddCalls::random_faults(double rate, std::uint64_t seed, std::chrono::milliseconds slow) {
  impl_->core.random_faults(rate, seed, slow, true);
}
std::map<std::string, int> FakeAddCalls::faults_injected() const {
  return impl_->core.faults_injected();
}
void FakeAddCalls::set_delay(std::chrono::milliseconds delay) {
  impl_->core.set_delay(delay);
}

std::vector<FakeAddCalls::Request> FakeAddCalls::requests() const {
  std::lock_guard lock(impl_->core.mutex());
  return impl_->requests;
}
std::vector<std::string> FakeAddCalls::violations() const {
  return impl_->core.violations();
}
std::map<std::string, int> FakeAddCalls::received_numbers() const {
  return impl_->core.received();
}
std::size_t FakeAddCalls::calls_added() const {
  return impl_->core.items_received();
}
std::size_t FakeAddCalls::reported() const {
  return impl_->core.reported();
}

}  // namespace dialerd::testing
