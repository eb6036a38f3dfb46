#pragma once
// A fake of the batch-call API (POST /batch-call), strict about the documented contract.
// It runs on its own thread on 127.0.0.1:0 (fakes/fake_provider.hpp), records every accepted batch and every
// contract violation, can inject failures, and can report each task's outcome back to dialerd like a
// provider callback.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dialerd::testing {

class FakeBatchCall {
 public:
  struct Batch {
    std::string batch_call_id;
    nlohmann::json body;
    std::map<std::string, std::string> headers;
    std::int64_t received_at_ms = 0;  // wall clock, when the request was taken
  };
  // Decides the status reported for a task: (to_number, how many times that number was received) -> status.
  using OutcomeFn = std::function<std::string(const std::string& to_number, int times_seen)>;

  FakeBatchCall(std::string api_key = "test-key", std::string api_secret = "test-secret");
  ~FakeBatchCall();

  std::string base_url() const;
  // The provider entry for dialerd's config that reaches this fake with the credentials it accepts (kind,
  // base_url, api_key, api_secret); a test adds its own keys (timeout_ms, chunk_size, ...).
  nlohmann::json provider_config() const;
  // Report outcomes for accepted tasks to this dialerd events URL (auto mode), one POST per batch.
  void report_to(const std::string& events_url, OutcomeFn outcome);
  // Sign each outcome callback: X-Dialerd-Signature = hex HMAC-SHA256 of the body under `secret`.
  void sign_reports(std::string secret);
  // The next `count` requests get `status` (with Retry-After when retry_after is not empty), unrecorded.
  void inject(int status, int count, std::string retry_after = "");
  // The next `count` requests get `status` with this raw body, unrecorded (FakeProvider::inject_raw).
  void inject_raw(int status, int count, std::string body, std::string content_type = "text/html");
  // The next `count` requests are read, then their connection is closed without an answer, unrecorded.
  void inject_drop(int count);
  // Every answer is sent this long after the request arrived (a slow provider).
  void set_delay(std::chrono::milliseconds delay);

  std::vector<Batch> batches() const;
  std::vector<std::string> violations() const;
  std::map<std::string, int> received_numbers() const;  // to_number -> times received
  std::size_t tasks_received() const;
  std::size_t max_outstanding() const;  // most tasks accepted whose outcome was not yet sent, at once
  std::size_t reported() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::testing
