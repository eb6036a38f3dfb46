#include "fakes/fake_batchcall.hpp"

#include <regex>
#include <set>

#include "fakes/fake_provider.hpp"

namespace dialerd::testing {

using json = nlohmann::json;

struct FakeBatchCall::Impl {
  std::string api_key, api_secret;
  std::vector<Batch> batches;
  int next_id = 1;
  FakeProvider core{[this](const http::Request& r) { return handle(r); }};  // last: stopped first

  FakeAnswer reject(int status, const std::string& why) {
    core.violation(why);
    return {
        FakeProvider::json_response(status, {{"message", why}, {"status", "error"}, {"error", why}, {"data", nullptr}}),
        false};
  }

  FakeAnswer handle(const http::Request& req) {
    static const std::regex e164(R"(^\+[1-9]\d{1,14}$)");
    if (req.method != "POST" || req.path != "/batch-call")
      return reject(404, "unexpected " + req.method + " " + req.path);
    if (req.header("x-api-key") != api_key) return reject(401, "X-API-KEY missing or wrong");
    if (req.header("x-api-secret") != api_secret) return reject(401, "X-API-SECRET missing or wrong");
    if (req.header("content-type").rfind("application/json", 0) != 0) return reject(415, "Content-Type is not JSON");
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return reject(400, "body is not a JSON object");
    static const std::set<std::string> known = {"from_number", "tasks",  "name",     "trigger_timestamp", "agent_id",
                                                "timezone",    "status", "send_now", "organization_id"};
    for (const auto& [k, v] : body.items())
      if (!known.count(k)) return reject(400, "unknown field " + k);
    if (!body.contains("from_number") || !body["from_number"].is_string() ||
        !std::regex_match(body["from_number"].get<std::string>(), e164))
      return reject(400, "from_number is required in E.164 format");
    if (!body.contains("tasks") || !body["tasks"].is_array()) return reject(400, "tasks is required");
    const auto& tasks = body["tasks"];
    if (tasks.empty() || tasks.size() > 1000)
      return reject(400, "tasks must have 1..1000 elements, got " + std::to_string(tasks.size()));
    for (const auto& t : tasks) {
      if (!t.is_object() || !t.contains("to_number") || !t["to_number"].is_string() ||
          !std::regex_match(t["to_number"].get<std::string>(), e164))
        return reject(400, "each task needs to_number in E.164 format");
      if (t.contains("dynamic_variables") && !t["dynamic_variables"].is_object())
        return reject(400, "dynamic_variables must be an object");
      if (t.contains("max_retries") && !t["max_retries"].is_number_integer())
        return reject(400, "max_retries must be an integer");
    }
    if (body.contains("name") && (!body["name"].is_string() || body["name"].get<std::string>().size() > 255))
      return reject(400, "name must be a string of at most 255 characters");
    if (body.contains("trigger_timestamp") && !body["trigger_timestamp"].is_number_integer())
      return reject(400, "trigger_timestamp must be an integer (Unix ms)");
    if (body.contains("agent_id") &&
        (!body["agent_id"].is_string() || body["agent_id"].get<std::string>().rfind("agent_", 0) != 0))
      return reject(400, "agent_id must be in agent_[uuid] format");
    if (body.contains("timezone") && !body["timezone"].is_string()) return reject(400, "timezone must be a string");
    if (body.contains("status")) {
      const auto& s = body["status"];
      if (!s.is_string() || (s != "draft" && s != "scheduled" && s != "sent"))
        return reject(400, "status must be draft, scheduled or sent");
    }
    if (body.contains("send_now") && !body["send_now"].is_boolean()) return reject(400, "send_now must be a boolean");

    std::string id = "batch_call_" + std::to_string(next_id++);
    std::map<std::string, std::string> headers(req.headers.begin(), req.headers.end());
    batches.push_back({id, body, headers, wall_ms()});
    json events = json::array();
    std::vector<std::string> keys;
    for (const auto& t : tasks) {
      std::string to = t["to_number"].get<std::string>();
      int times = core.receive(to);
      if (!core.reporting()) continue;
      events.push_back({{"batch_call_id", id}, {"to_number", to}, {"status", core.outcome_for(to, times)}});
      keys.push_back(to);
    }
    if (core.reporting()) core.queue_report(std::move(events), std::move(keys));
    return {FakeProvider::json_response(200, {{"message", "Batch call created successfully"},
                                              {"status", "success"},
                                              {"error", nullptr},
                                              {"data",
                                               {{"batch_call_id", id},
                                                {"name", body.value("name", "")},
                                                {"from_number", body["from_number"]},
                                                {"total_task_count", tasks.size()},
                                                {"total", tasks.size()},
                                                {"sent", 0},
                                                {"picked_up", 0},
                                                {"completed", 0},
                                                {"status", body.value("status", "draft")}}}}),
            false};
  }
};

FakeBatchCall::FakeBatchCall(std::string api_key, std::string api_secret) : impl_(std::make_unique<Impl>()) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->api_key = std::move(api_key);
  impl_->api_secret = std::move(api_secret);
}

FakeBatchCall::~FakeBatchCall() = default;

std::string FakeBatchCall::base_url() const {
  return impl_->core.base_url();
}
nlohmann::json FakeBatchCall::provider_config() const {
  return {
      {"kind", "batchcall"}, {"base_url", base_url()}, {"api_key", impl_->api_key}, {"api_secret", impl_->api_secret}};
}
void FakeBatchCall::sign_reports(std::string secret) {
  impl_->core.sign_reports(std::move(secret));
}
void FakeBatchCall::report_to(const std::string& events_url, OutcomeFn outcome) {
  impl_->core.report_to(events_url, std::move(outcome));
}
void FakeBatchCall::inject(int status, int count, std::string retry_after) {
  impl_->core.inject(status, count, std::move(retry_after));
}
void FakeBatchCall::inject_raw(int status, int count, std::string body, std::string content_type) {
  impl_->core.inject_raw(status, count, std::move(body), std::move(content_type));
}
void FakeBatchCall::inject_drop(int count) {
  impl_->core.inject_drop(count);
}
void FakeBatchCall::set_delay(std::chrono::milliseconds d) {
  impl_->core.set_delay(d);
}

std::vector<FakeBatchCall::Batch> FakeBatchCall::batches() const {
  std::lock_guard lock(impl_->core.mutex());
  return impl_->batches;
}
std::vector<std::string> FakeBatchCall::violations() const {
  return impl_->core.violations();
}
std::map<std::string, int> FakeBatchCall::received_numbers() const {
  return impl_->core.received();
}
std::size_t FakeBatchCall::tasks_received() const {
  return impl_->core.items_received();
}
std::size_t FakeBatchCall::max_outstanding() const {
  return impl_->core.max_outstanding();
}
std::size_t FakeBatchCall::reported() const {
  return impl_->core.reported();
}

}  // namespace dialerd::testing
