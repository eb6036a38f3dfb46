#pragma once
// A webhook receiver for tests: records every delivery dialerd makes and can fail the first ones.
// Runs on its own thread on 127.0.0.1:0.
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dialerd::testing {

class WebhookReceiver {
 public:
  struct Delivery {
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    int answered = 0;  // the status it got
  };
  WebhookReceiver();
  ~WebhookReceiver();
  std::string url() const;  // http://127.0.0.1:<port>/hooks
  // The next `count` deliveries get 500.
  void fail_next(int count);
  std::vector<Delivery> deliveries() const;
  // Event ids delivered with a 2xx answer, with how many times each.
  std::map<std::string, int> accepted_ids() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::testing
