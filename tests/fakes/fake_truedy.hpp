#pragma once
// A fake of Truedy (POST /batch-calls), strict about the documented contract: Bearer token, JSON,
// name 1..255 characters, agent_id, schedule_type and its scheduled_at, inline contacts with E.164 numbers
// (at most max_contacts), phone_number_ids, phone_rotation_strategy, HH:MM times, working days 1..7,
// max_calls_per_day >= 1, and no field the page does not list. Each created batch is recorded, and its
// contacts report outcomes back to dialerd.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dialerd::testing {

class FakeTruedy {
 public:
  struct Batch {
    std::string id;
    nlohmann::json body;
    std::int64_t received_at_ms = 0;
  };
  // (phone number, times received) -> the status to report.
  using OutcomeFn = std::function<std::string(const std::string& phone_number, int times_seen)>;

  explicit FakeTruedy(std::string token = "test-token", std::size_t max_contacts = 1000);
  ~FakeTruedy();

  std::string base_url() const;
  // The provider entry for dialerd's config that reaches this fake with the token it accepts (kind, base_url,
  // api_key); a test adds its own keys (timeout_ms, phone_number_ids, ...).
  nlohmann::json provider_config() const;
  void report_to(const std::string& events_url, OutcomeFn outcome);
  // Faults: see FakeProvider.
  void inject(int status, int count, std::string retry_after = "");
  void inject_drop(int count);
  void set_delay(std::chrono::milliseconds delay);

  std::vector<Batch> batches() const;
  std::vector<std::string> violations() const;
  std::map<std::string, int> received_numbers() const;  // phone number -> times received
  std::size_t contacts_received() const;
  std::size_t max_outstanding() const;
  std::size_t reported() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::testing
