#pragma once
// A fake of Veritus (POST /calls/bulk and POST /customers/{customerId}/calls), strict
// about the documented contract: Bearer token, JSON, agentId, 1..100 unique customer ids (uuids in bulk),
// the webhook object. Customers it places are recorded by id; a test can refuse customers with Veritus's
// error texts (partial success in a 200), and the calls it places report outcomes back to dialerd.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dialerd::testing {

class FakeVeritus {
 public:
  struct Request {
    std::string path;
    nlohmann::json body;
    std::vector<std::string> customer_ids;  // in the order sent
    std::int64_t received_at_ms = 0;
  };
  // (customer id, how many times that customer was asked for, this request included) -> an error text to
  // refuse it with, or nothing to place the call.
  using RefuseFn = std::function<std::optional<std::string>(const std::string& customer_id, int times_asked)>;
  // (customer id, times placed) -> the status to report.
  using OutcomeFn = std::function<std::string(const std::string& customer_id, int times_seen)>;

  // Error texts in Veritus's words (Veritus).
  static const char* const kRespectfulHours;
  static const char* const kDailyLimit;
  static const char* const kCeaseAndDesist;

  explicit FakeVeritus(std::string token = "test-token");
  ~FakeVeritus();

  std::string base_url() const;
  // The provider entry for dialerd's config that reaches this fake with the token it accepts (kind, base_url,
  // api_key); a test adds its own keys (callback_url, timeout_ms, ...).
  nlohmann::json provider_config() const;
  void report_to(const std::string& events_url, OutcomeFn outcome);
  void refuse(RefuseFn refuse);
  // Faults: see FakeProvider.
  void inject(int status, int count, std::string retry_after = "");
  void inject_drop(int count);
  void set_delay(std::chrono::milliseconds delay);

  std::vector<Request> requests() const;  // every request that passed the contract checks
  std::vector<std::string> violations() const;
  std::map<std::string, int> placed() const;  // customer id -> calls placed
  std::map<std::string, int> asked() const;   // customer id -> times asked for, refused ones included
  std::size_t calls_placed() const;
  std::size_t reported() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::testing
