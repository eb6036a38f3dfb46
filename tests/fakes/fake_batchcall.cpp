#include "fakes/fake_batchcall.hpp"

#include <atomic>
#include <regex>
#include <set>

#include "dialerd/asio.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/http/server.hpp"
#include "dialerd/webhooks/sender.hpp"

namespace dialerd::testing {

using json = nlohmann::json;

struct FakeBatchCall::Impl {
  std::string api_key, api_secret;
  asio::io_context ioc;
  std::unique_ptr<http::Server> server;
  std::thread io_thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<Batch> batches;
  std::vector<std::string> violations;
  std::map<std::string, int> seen;
  std::size_t task_count = 0, outstanding = 0, max_outstanding = 0, reported = 0;
  int inject_status = 0, inject_count = 0;
  std::string inject_retry_after;
  std::string events_url, events_secret;
  OutcomeFn outcome;
  std::deque<std::vector<json>> to_report;
  bool stopping = false;
  std::thread reporter;
  int next_id = 1;
  std::atomic<std::chrono::milliseconds> delay{std::chrono::milliseconds(0)};

  http::Response reject(int status, const std::string& why) {
    violations.push_back(why);
    http::Response r;
    r.status = status;
    r.body = json{{"message", why}, {"status", "error"}, {"error", why}, {"data", nullptr}}.dump();
    return r;
  }

  http::Response handle(const http::Request& req) {
    if (auto d = delay.load(); d.count() > 0) std::this_thread::sleep_for(d);
    std::lock_guard lock(mu);
    static const std::regex e164(R"(^\+[1-9]\d{1,14}$)");
    if (req.method != "POST" || req.path != "/batch-call") return reject(404, "unexpected " + req.method + " " + req.path);
    if (inject_count > 0) {
      --inject_count;
      http::Response r;
      r.status = inject_status;
      r.body = R"({"status":"error","error":"injected"})";
      if (!inject_retry_after.empty()) r.headers.emplace_back("Retry-After", inject_retry_after);
      return r;
    }
    if (req.header("x-api-key") != api_key) return reject(401, "X-API-KEY missing or wrong");
    if (req.header("x-api-secret") != api_secret) return reject(401, "X-API-SECRET missing or wrong");
    if (req.header("content-type").rfind("application/json", 0) != 0) return reject(415, "Content-Type is not JSON");
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return reject(400, "body is not a JSON object");
    static const std::set<std::string> known = {"from_number", "tasks", "name", "trigger_timestamp", "agent_id",
                                                "timezone", "status", "send_now", "organization_id"};
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
    if (body.contains("agent_id") && (!body["agent_id"].is_string() || body["agent_id"].get<std::string>().rfind("agent_", 0) != 0))
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
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    batches.push_back({id, body, headers, now_ms});
    std::vector<json> events;
    for (const auto& t : tasks) {
      std::string to = t["to_number"].get<std::string>();
      int times = ++seen[to];
      ++task_count;
      if (outcome) events.push_back({{"batch_call_id", id}, {"to_number", to}, {"status", outcome(to, times)}});
    }
    if (outcome && !events_url.empty()) {
      outstanding += events.size();
      max_outstanding = std::max(max_outstanding, outstanding);
      to_report.push_back(std::move(events));
      cv.notify_all();
    }
    http::Response r;
    r.body = json{{"message", "Batch call created successfully"},
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
                    {"status", body.value("status", "draft")}}}}
                 .dump();
    return r;
  }

  void report_loop() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stopping || !to_report.empty(); });
      if (stopping) return;
      auto events = std::move(to_report.front());
      to_report.pop_front();
      // From the provider's side a call stops being in flight when its outcome is sent.
      outstanding -= events.size();
      // Like a real provider, retry a callback until dialerd takes it (it may be restarting).
      for (int attempt = 0; !stopping; ++attempt) {
        std::string url = events_url, secret = events_secret;
        lock.unlock();
        http::ClientRequest req;
        req.url = url;
        req.body = json(events).dump();
        if (!secret.empty()) req.headers.emplace_back("X-Dialerd-Signature", webhooks::hmac_sha256_hex(secret, req.body));
        req.timeout_ms = 30000;
        auto res = http::fetch_blocking(std::move(req));
        lock.lock();
        auto* r = std::get_if<http::ClientResponse>(&res);
        if (r && r->status == 200) break;
        if (r && r->status != 503) {
          violations.push_back("dialerd refused an events POST: " + std::to_string(r->status) + " " + r->body);
          break;
        }
        if (attempt == 1000) {
          violations.push_back("dialerd never took an events POST");
          break;
        }
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        lock.lock();
      }
      reported += events.size();
    }
  }
};

FakeBatchCall::FakeBatchCall(std::string api_key, std::string api_secret) : impl_(std::make_unique<Impl>()) {
  impl_->api_key = std::move(api_key);
  impl_->api_secret = std::move(api_secret);
  impl_->server = std::make_unique<http::Server>(impl_->ioc, http::ServerOptions{"127.0.0.1", 0, 64 << 20, 30000},
                                                 [this](const http::Request& r) { return impl_->handle(r); });
  impl_->server->start();
  impl_->io_thread = std::thread([this] { impl_->ioc.run(); });
  impl_->reporter = std::thread([this] { impl_->report_loop(); });
}

FakeBatchCall::~FakeBatchCall() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->reporter.join();
  impl_->ioc.stop();
  impl_->io_thread.join();
}

std::string FakeBatchCall::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->server->port()); }

void FakeBatchCall::sign_reports(std::string secret) {
  std::lock_guard lock(impl_->mu);
  impl_->events_secret = std::move(secret);
}

void FakeBatchCall::report_to(const std::string& events_url, OutcomeFn outcome) {
  std::lock_guard lock(impl_->mu);
  impl_->events_url = events_url;
  impl_->outcome = std::move(outcome);
}

void FakeBatchCall::inject(int status, int count, std::string retry_after) {
  std::lock_guard lock(impl_->mu);
  impl_->inject_status = status;
  impl_->inject_count = count;
  impl_->inject_retry_after = std::move(retry_after);
}

void FakeBatchCall::set_delay(std::chrono::milliseconds d) { impl_->delay.store(d); }

std::vector<FakeBatchCall::Batch> FakeBatchCall::batches() const {
  std::lock_guard lock(impl_->mu);
  return impl_->batches;
}
std::vector<std::string> FakeBatchCall::violations() const {
  std::lock_guard lock(impl_->mu);
  return impl_->violations;
}
std::map<std::string, int> FakeBatchCall::received_numbers() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}
std::size_t FakeBatchCall::tasks_received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->task_count;
}
std::size_t FakeBatchCall::max_outstanding() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_outstanding;
}
std::size_t FakeBatchCall::reported() const {
  std::lock_guard lock(impl_->mu);
  return impl_->reported;
}

}  // namespace dialerd::testing
