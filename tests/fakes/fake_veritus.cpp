#include "fakes/fake_veritus.hpp"

#include <cstdio>
#include <regex>
#include <set>

#include "fakes/fake_provider.hpp"

namespace dialerd::testing {

using json = nlohmann::json;

const char* const FakeVeritus::kRespectfulHours =
    "Customer not eligible for call. 1 failed rule(s): 1. Respectful Hours Check [Customer local time is 03:00 "
    "(outside respectful hours 8am-8:50pm)]";
const char* const FakeVeritus::kDailyLimit =
    "Customer not eligible for call. 1 failed rule(s): 1. Four Voice Call Per Day [Customer has had 4 voice calls "
    "today within respectful hours window (America/Los_Angeles), exceeding the limit of 4]";
const char* const FakeVeritus::kCeaseAndDesist =
    "Customer not eligible for call. 1 failed rule(s): 1. Cease and Desist Exclusion [Customer has requested cease "
    "and desist]";

namespace {
const std::regex kUuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

std::string uuid_of(const char* prefix, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-58cc-4372-a567-%012d", prefix, n);
  return buf;
}
}  // namespace

struct FakeVeritus::Impl {
  std::string token;
  RefuseFn refuse;
  std::vector<Request> requests;
  std::map<std::string, int> asked;
  int next_id = 1;
  FakeProvider core{[this](const http::Request& r) { return handle(r); }};  // last: stopped first

  FakeAnswer reject(int status, const std::string& why) {
    core.violation(why);
    return {FakeProvider::json_response(status,
                                        {{"requestId", uuid_of("eeeeeeee", 0)}, {"success", false}, {"error", why}}),
            false};
  }

  // The webhook object both endpoints take: {url, secretId?}.
  std::optional<std::string> webhook_problem(const json& body) {
    if (!body.contains("webhook")) return std::nullopt;
    const auto& w = body["webhook"];
    if (!w.is_object()) return "webhook must be an object";
    for (const auto& [k, v] : w.items())
      if (k != "url" && k != "secretId") return "unknown field webhook." + k;
    if (!w.contains("url") || !w["url"].is_string() || w["url"].get<std::string>().empty())
      return "webhook.url must be a non-empty string";
    if (w.contains("secretId") && !w["secretId"].is_string()) return "webhook.secretId must be a string";
    return std::nullopt;
  }

  // One customer: refused with an error text, or a call placed.
  json result_for(const std::string& customer_id, std::vector<json>& events, std::vector<std::string>& keys) {
    int times_asked = ++asked[customer_id];
    if (refuse)
      if (auto error = refuse(customer_id, times_asked))
        return {{"customerId", customer_id}, {"success", false}, {"error", *error}};
    std::string id = uuid_of("f47ac10b", next_id++);
    int times = core.receive(customer_id);
    if (core.reporting()) {
      events.push_back({{"id", id}, {"status", core.outcome_for(customer_id, times)}});
      keys.push_back(customer_id);
    }
    return {{"customerId", customer_id},
            {"success", true},
            {"data",
             {{"id", id},
              {"threadId", uuid_of("3fa85f64", next_id)},
              {"toPhoneNumber", "+14155551234"},
              {"fromPhoneNumber", "+14155559876"},
              {"compliance", {{"passed", true}, {"checksPassed", json::array()}, {"checksFailed", json::array()}}},
              {"createdAt", "2024-10-24T15:30:00.000Z"}}}};
  }

  FakeAnswer handle(const http::Request& req) {
    if (req.method != "POST") return reject(405, "unexpected " + req.method + " " + req.path);
    // The raw target, so a customer id holding an encoded '/' stays one segment.
    std::string target = req.target.substr(0, req.target.find('?'));
    static const std::string kPrefix = "/customers/", kSuffix = "/calls";
    bool bulk = target == "/calls/bulk";
    bool single = target.size() > kPrefix.size() + kSuffix.size() && target.rfind(kPrefix, 0) == 0 &&
                  target.compare(target.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
    if (!bulk && !single) return reject(404, "unexpected POST " + req.target);
    if (req.header("authorization") != "Bearer " + token)
      return reject(401, "Authorization: Bearer <token> missing or wrong");
    if (req.header("content-type").rfind("application/json", 0) != 0) return reject(415, "Content-Type is not JSON");
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return reject(400, "body is not a JSON object");
    std::set<std::string> known = {"agentId", "webhook"};
    if (bulk) known.insert("customerIds");
    for (const auto& [k, v] : body.items())
      if (!known.count(k)) return reject(400, "unknown field " + k);
    if (!body.contains("agentId") || !body["agentId"].is_string() || body["agentId"].get<std::string>().empty())
      return reject(400, "agentId is required");
    if (bulk && !std::regex_match(body["agentId"].get<std::string>(), kUuid))
      return reject(400, "agentId must be a uuid");
    if (auto problem = webhook_problem(body)) return reject(400, *problem);

    std::vector<std::string> ids;
    if (bulk) {
      if (!body.contains("customerIds") || !body["customerIds"].is_array())
        return reject(400, "customerIds is required");
      const auto& list = body["customerIds"];
      if (list.empty() || list.size() > 100)
        return reject(400, "customerIds must have 1..100 elements, got " + std::to_string(list.size()));
      std::set<std::string> unique;
      for (const auto& id : list) {
        if (!id.is_string() || !std::regex_match(id.get<std::string>(), kUuid))
          return reject(400, "each customer id must be a uuid, got " + id.dump());
        if (!unique.insert(id.get<std::string>()).second)
          return reject(400, "customer ids must be unique within a request: " + id.get<std::string>() + " repeats");
        ids.push_back(id.get<std::string>());
      }
    } else {
      std::string segment = target.substr(kPrefix.size(), target.size() - kPrefix.size() - kSuffix.size());
      if (segment.find('/') != std::string::npos) return reject(404, "unexpected POST " + req.target);
      ids.push_back(http::percent_decode(segment, false));
    }
    requests.push_back({target, body, ids, wall_ms()});

    std::vector<json> events;
    std::vector<std::string> keys;
    json results = json::array();
    int ok = 0;
    for (const auto& id : ids) {
      results.push_back(result_for(id, events, keys));
      ok += results.back()["success"].get<bool>();
    }
    if (!keys.empty()) core.queue_report(json(events), std::move(keys));
    const std::string request_id = uuid_of("838be160", static_cast<int>(requests.size()));
    if (single) {
      // Seed 001 shows only success; a refusal is answered in the bulk endpoint's per-customer shape.
      json r = results[0];
      r.erase("customerId");
      r["requestId"] = request_id;
      return {FakeProvider::json_response(200, r), false};
    }
    // Seed 000: 200 even when some customers fail.
    return {
        FakeProvider::json_response(
            200,
            {{"requestId", request_id},
             {"success", true},
             {"data",
              {{"summary", {{"total", ids.size()}, {"successful", ok}, {"failed", static_cast<int>(ids.size()) - ok}}},
               {"results", results}}}}),
        false};
  }
};

FakeVeritus::FakeVeritus(std::string token) : impl_(std::make_unique<Impl>()) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->token = std::move(token);
}

FakeVeritus::~FakeVeritus() = default;

std::string FakeVeritus::base_url() const {
  return impl_->core.base_url();
}
nlohmann::json FakeVeritus::provider_config() const {
  return {{"kind", "veritus"}, {"base_url", base_url()}, {"api_key", impl_->token}};
}
void FakeVeritus::report_to(const std::string& events_url, OutcomeFn outcome) {
  impl_->core.report_to(events_url, std::move(outcome));
}
void FakeVeritus::refuse(RefuseFn refuse) {
  std::lock_guard lock(impl_->core.mutex());
  impl_->refuse = std::move(refuse);
}
void FakeVeritus::inject(int status, int count, std::string retry_after) {
  impl_->core.inject(status, count, std::move(retry_after));
}
void FakeVeritus::inject_drop(int count) {
  impl_->core.inject_drop(count);
}
void FakeVeritus::set_delay(std::chrono::milliseconds delay) {
  impl_->core.set_delay(delay);
}

std::vector<FakeVeritus::Request> FakeVeritus::requests() const {
  std::lock_guard lock(impl_->core.mutex());
  return impl_->requests;
}
std::vector<std::string> FakeVeritus::violations() const {
  return impl_->core.violations();
}
std::map<std::string, int> FakeVeritus::placed() const {
  return impl_->core.received();
}
std::map<std::string, int> FakeVeritus::asked() const {
  std::lock_guard lock(impl_->core.mutex());
  return impl_->asked;
}
std::size_t FakeVeritus::calls_placed() const {
  return impl_->core.items_received();
}
std::size_t FakeVeritus::reported() const {
  return impl_->core.reported();
}

}  // namespace dialerd::testing
