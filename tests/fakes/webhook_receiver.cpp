#include "fakes/webhook_receiver.hpp"

#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "dialerd/asio.hpp"
#include "dialerd/http/server.hpp"

namespace dialerd::testing {

struct WebhookReceiver::Impl {
  awaitable<http::Response> serve(http::Request r) { co_return handle(r); }
  asio::io_context ioc;
  std::unique_ptr<http::Server> server;
  std::thread io_thread;
  mutable std::mutex mu;
  std::vector<Delivery> deliveries;
  int fail = 0;

  http::Response handle(const http::Request& req) {
    std::lock_guard lock(mu);
    http::Response r;
    r.status = req.method == "POST" && req.path == "/hooks" ? 204 : 404;
    if (r.status == 204 && fail > 0) {
      --fail;
      r.status = 500;
    }
    deliveries.push_back(
        {std::map<std::string, std::string>(req.headers.begin(), req.headers.end()), req.body, r.status});
    return r;
  }
};

WebhookReceiver::WebhookReceiver() : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<http::Server>(impl_->ioc, http::ServerOptions{"127.0.0.1", 0, 1 << 20, 30000},
                                                 [this](http::Request r) { return impl_->serve(std::move(r)); });
  impl_->server->start();
  impl_->io_thread = std::thread([this] { impl_->ioc.run(); });
}

WebhookReceiver::~WebhookReceiver() {
  impl_->ioc.stop();
  impl_->io_thread.join();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/hooks";
}

void WebhookReceiver::fail_next(int count) {
  std::lock_guard lock(impl_->mu);
  impl_->fail = count;
}

std::vector<WebhookReceiver::Delivery> WebhookReceiver::deliveries() const {
  std::lock_guard lock(impl_->mu);
  return impl_->deliveries;
}

std::map<std::string, int> WebhookReceiver::accepted_ids() const {
  std::lock_guard lock(impl_->mu);
  std::map<std::string, int> out;
  for (const auto& d : impl_->deliveries)
    if (d.answered / 100 == 2) ++out[nlohmann::json::parse(d.body).at("id").get<std::string>()];
  return out;
}

}  // namespace dialerd::testing
