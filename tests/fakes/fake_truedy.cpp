#include "fakes/fake_truedy.hpp"

#include <optional>
#include <regex>
#include <set>

#include "fakes/fake_provider.hpp"

namespace dialerd::testing {

using json = nlohmann::json;

namespace {
// Characters, not bytes: the page's 1..255 is a string length.
std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

struct FakeTruedy::Impl {
  std::string token;
  std::size_t max_contacts = 1000;
  std::vector<Batch> batches;
  int next_id = 1;
  FakeProvider core{[this](const http::Request& r) { return handle(r); }};  // last: stopped first

  FakeAnswer reject(int status, const std::string& why) {
    core.violation(why);
    return {FakeProvider::json_response(status, {{"error", {{"message", why}}}}), false};
  }

  std::optional<std::string> problem_in(const json& body) {
    static const std::regex e164(R"(^\+[1-9]\d{1,14}$)");
    static const std::regex hhmm(R"(^\d{2}:\d{2}$)");
    static const std::set<std::string> known = {
        "name",           "agent_id",          "phone_number_ids",  "phone_rotation_strategy",
        "contact_source", "contact_folder_id", "contact_ids",       "contacts",
        "schedule_type",  "scheduled_at",      "max_calls_per_day", "timezone",
        "start_time",     "end_time",          "working_days"};
    for (const auto& [k, v] : body.items())
      if (!known.count(k)) return "unknown field " + k;
    if (!body.contains("name") || !body["name"].is_string()) return "name is required";
    auto name_length = utf8_length(body["name"].get<std::string>());
    if (name_length < 1 || name_length > 255)
      return "name must be 1..255 characters, got " + std::to_string(name_length);
    if (!body.contains("agent_id") || !body["agent_id"].is_string() || body["agent_id"].get<std::string>().empty())
      return "agent_id is required";
    auto nullable = [&](const char* key) { return !body.contains(key) || body[key].is_null(); };
    if (!nullable("phone_number_ids")) {
      if (!body["phone_number_ids"].is_array()) return "phone_number_ids must be an array or null";
      for (const auto& id : body["phone_number_ids"])
        if (!id.is_string()) return "phone_number_ids must hold strings";
    }
    if (body.contains("phone_rotation_strategy")) {
      const auto& s = body["phone_rotation_strategy"];
      if (s != "random" && s != "sequential" && s != "round_robin")
        return "phone_rotation_strategy must be random, sequential or round_robin";
    }
    if (body.contains("schedule_type") && body["schedule_type"] != "immediate" && body["schedule_type"] != "scheduled")
      return "schedule_type must be immediate or scheduled";
    if (body.value("schedule_type", json()) == "scheduled" && nullable("scheduled_at"))
      return "scheduled_at is required if schedule_type=scheduled";
    if (!nullable("max_calls_per_day") &&
        (!body["max_calls_per_day"].is_number_integer() || body["max_calls_per_day"].get<std::int64_t>() < 1))
      return "max_calls_per_day must be an integer >= 1";
    if (body.contains("timezone") && !body["timezone"].is_string()) return "timezone must be a string";
    for (const char* key : {"start_time", "end_time"})
      if (!nullable(key) && (!body[key].is_string() || !std::regex_match(body[key].get<std::string>(), hhmm)))
        return std::string(key) + " must match ^\\d{2}:\\d{2}$";
    if (body.contains("working_days")) {
      if (!body["working_days"].is_array()) return "working_days must be an array";
      for (const auto& d : body["working_days"])
        if (!d.is_number_integer() || d.get<int>() < 1 || d.get<int>() > 7) return "working_days must be 1..7";
    }
    // dialerd sends its contacts inline; a batch without any would call no one.
    if (nullable("contacts") || !body["contacts"].is_array()) return "contacts is required for an inline batch";
    const auto& contacts = body["contacts"];
    if (contacts.empty() || contacts.size() > max_contacts)
      return "contacts must have 1.." + std::to_string(max_contacts) + " elements, got " +
             std::to_string(contacts.size());
    std::set<std::string> numbers;
    for (const auto& c : contacts) {
      if (!c.is_object() || !c.contains("phone_number") || !c["phone_number"].is_string() ||
          !std::regex_match(c["phone_number"].get<std::string>(), e164))
        return "each contact needs phone_number in E.164 format";
      if (!numbers.insert(c["phone_number"].get<std::string>()).second)
        return "phone number " + c["phone_number"].get<std::string>() + " is twice in one batch";
      for (const char* key : {"first_name", "last_name"})
        if (c.contains(key) && !c[key].is_string()) return std::string(key) + " must be a string";
    }
    return std::nullopt;
  }

  FakeAnswer handle(const http::Request& req) {
    if (req.method != "POST" || req.path != "/batch-calls")
      return reject(404, "unexpected " + req.method + " " + req.path);
    if (req.header("authorization") != "Bearer " + token)
      return reject(401, "Authorization: Bearer <api key> missing or wrong");
    if (req.header("content-type").rfind("application/json", 0) != 0) return reject(415, "Content-Type is not JSON");
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return reject(400, "body is not a JSON object");
    if (auto problem = problem_in(body)) return reject(422, *problem);

    std::string id = "batch_" + std::to_string(next_id++);
    batches.push_back({id, body, wall_ms()});
    json events = json::array();
    std::vector<std::string> keys;
    for (const auto& c : body["contacts"]) {
      std::string phone = c["phone_number"].get<std::string>();
      int times = core.receive(phone);
      if (!core.reporting()) continue;
      events.push_back({{"batch_id", id}, {"phone_number", phone}, {"status", core.outcome_for(phone, times)}});
      keys.push_back(phone);
    }
    if (core.reporting()) core.queue_report(std::move(events), std::move(keys));
    auto n = body["contacts"].size();
    return {FakeProvider::json_response(201, {{"data",
                                               {{"id", id},
                                                {"name", body["name"]},
                                                {"status", "draft"},
                                                {"agent_id", body["agent_id"]},
                                                {"from_number", "+18005559876"},
                                                {"schedule_type", body.value("schedule_type", "immediate")},
                                                {"scheduled_at", nullptr},
                                                {"timezone", body.value("timezone", "UTC")},
                                                {"concurrency", 5},
                                                {"retry_attempts", 2},
                                                {"total_contacts", n},
                                                {"called", 0},
                                                {"completed", 0},
                                                {"failed", 0},
                                                {"pending", n}}},
                                              {"meta", {{"request_id", "req_" + id}, {"ts", "2026-04-05T10:22:00Z"}}}}),
            false};
  }
};

FakeTruedy::FakeTruedy(std::string token, std::size_t max_contacts) : impl_(std::make_unique<Impl>()) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->token = std::move(token);
  impl_->max_contacts = max_contacts;
}

FakeTruedy::~FakeTruedy() = default;

std::string FakeTruedy::base_url() const {
  return impl_->core.base_url();
}
nlohmann::json FakeTruedy::provider_config() const {
  return {{"kind", "truedy"}, {"base_url", base_url()}, {"api_key", impl_->token}};
}
void FakeTruedy::report_to(const std::string& events_url, OutcomeFn outcome) {
  impl_->core.report_to(events_url, std::move(outcome));
}
void FakeTruedy::inject(int status, int count, std::string retry_after) {
  impl_->core.inject(status, count, std::move(retry_after));
}
void FakeTruedy::inject_drop(int count) {
  impl_->core.inject_drop(count);
}
void FakeTruedy::set_delay(std::chrono::milliseconds delay) {
  impl_->core.set_delay(delay);
}

std::vector<FakeTruedy::Batch> FakeTruedy::batches() const {
  std::lock_guard lock(impl_->core.mutex());
  return impl_->batches;
}
std::vector<std::string> FakeTruedy::violations() const {
  return impl_->core.violations();
}
std::map<std::string, int> FakeTruedy::received_numbers() const {
  return impl_->core.received();
}
std::size_t FakeTruedy::contacts_received() const {
  return impl_->core.items_received();
}
std::size_t FakeTruedy::max_outstanding() const {
  return impl_->core.max_outstanding();
}
std::size_t FakeTruedy::reported() const {
  return impl_->core.reported();
}

}  // namespace dialerd::testing
