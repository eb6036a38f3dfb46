#pragma once
// A customer's pre-dial endpoint for tests (docs/COMPLIANCE.md, "Pre-dial check"): answers by path, records
// every ask. Runs on its own thread on 127.0.0.1:0.
//   /allow       200 {"allow": true, "reason": "in good standing"}, or a denial for a number deny() names
//   /deny        200 {"allow": false, "reason": "account closed"}
//   /deny-later  200 {"allow": false, "reason": "promised to pay", "retry_after_seconds": 3600}
//   /fail        500
//   /garbage     200 with a body that is not an answer
//   /slow        200 allow after delay_ms() (default 5000)
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace dialerd::testing {

class PredialEndpoint {
 public:
  struct Ask {
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };
  PredialEndpoint();
  ~PredialEndpoint();
  std::string url(const std::string& mode) const;  // http://127.0.0.1:<port>/<mode>
  // /allow refuses these numbers (E.164) without a retry time.
  void deny(std::set<std::string> numbers);
  void set_delay_ms(int ms);
  std::vector<Ask> asks() const;
  std::vector<Ask> asks(const std::string& mode) const;
  // Asks received that have not been answered yet (the slow ones).
  int unanswered() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::testing
