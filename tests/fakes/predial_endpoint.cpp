#include "fakes/predial_endpoint.hpp"

#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "dialerd/asio.hpp"
#include "dialerd/http/server.hpp"

namespace dialerd::testing {

struct PredialEndpoint::Impl {
  asio::io_context ioc;
  std::unique_ptr<http::Server> server;
  std::thread io_thread;
  mutable std::mutex mu;
  std::vector<Ask> asks;
  std::set<std::string> denied;
  int delay_ms = 5000;
  int unanswered = 0;

  awaitable<http::Response> serve(http::Request req) {
    int delay = 0;
    {
      std::lock_guard lock(mu);
      asks.push_back({req.path, std::map<std::string, std::string>(req.headers.begin(), req.headers.end()), req.body});
      ++unanswered;
      if (req.path == "/slow") delay = delay_ms;
    }
    if (delay > 0) {
      asio::steady_timer timer(ioc);
      timer.expires_after(std::chrono::milliseconds(delay));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    std::lock_guard lock(mu);
    --unanswered;
    co_return answer(req);
  }

  http::Response answer(const http::Request& req) {
    using nlohmann::json;
    http::Response r;
    r.status = 200;
    r.content_type = "application/json";
    if (req.method != "POST") {
      r.status = 405;
    } else if (req.path == "/allow" || req.path == "/slow") {
      auto phone = json::parse(req.body, nullptr, false).value("/contact/phone_number"_json_pointer, std::string());
      r.body = denied.count(phone) ? json{{"allow", false}, {"reason", "on the customer's own hold list"}}.dump()
                                   : json{{"allow", true}, {"reason", "in good standing"}}.dump();
    } else if (req.path == "/deny") {
      r.body = json{{"allow", false}, {"reason", "account closed"}}.dump();
    } else if (req.path == "/deny-later") {
      r.body = json{{"allow", false}, {"reason", "promised to pay"}, {"retry_after_seconds", 3600}}.dump();
    } else if (req.path == "/fail") {
      r.status = 500;
      r.body = "{}";
    } else if (req.path == "/garbage") {
      r.body = R"({"eligible": "yes"})";
    } else {
      r.status = 404;
    }
    return r;
  }
};

PredialEndpoint::PredialEndpoint() : impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<http::Server>(impl_->ioc, http::ServerOptions{"127.0.0.1", 0, 1 << 20, 30000},
                                                 [this](http::Request r) { return impl_->serve(std::move(r)); });
  impl_->server->start();
  impl_->io_thread = std::thread([this] { impl_->ioc.run(); });
}

PredialEndpoint::~PredialEndpoint() {
  impl_->ioc.stop();
  impl_->io_thread.join();
}

std::string PredialEndpoint::url(const std::string& mode) const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/" + mode;
}

void PredialEndpoint::deny(std::set<std::string> numbers) {
  std::lock_guard lock(impl_->mu);
  impl_->denied = std::move(numbers);
}

void PredialEndpoint::set_delay_ms(int ms) {
  std::lock_guard lock(impl_->mu);
  impl_->delay_ms = ms;
}

std::vector<PredialEndpoint::Ask> PredialEndpoint::asks() const {
  std::lock_guard lock(impl_->mu);
  return impl_->asks;
}

std::vector<PredialEndpoint::Ask> PredialEndpoint::asks(const std::string& mode) const {
  std::vector<Ask> out;
  for (auto& a : asks())
    if (a.path == "/" + mode) out.push_back(std::move(a));
  return out;
}

int PredialEndpoint::unanswered() const {
  std::lock_guard lock(impl_->mu);
  return impl_->unanswered;
}

}  // namespace dialerd::testing
