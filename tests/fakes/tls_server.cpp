#include "fakes/tls_server.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "dialerd/asio.hpp"
#include "dialerd/http/client.hpp"
#include "support/daemon_process.hpp"

namespace dialerd::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {
void run_or_throw(const std::string& command) {
  std::string out;
  if (run_command(command, out) != 0) throw std::runtime_error("failed: " + command + "\n" + out);
}
}  // namespace

TestPki make_test_ca(const TempDir& dir) {
  TestPki pki;
  pki.dir = dir.path();
  pki.ca_file = dir.file("ca.pem");
  run_or_throw("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dialerd-test-ca -keyout " +
               dir.file("ca.key") + " -out " + pki.ca_file + " 2>&1");
  return pki;
}

void make_server_cert(const TestPki& pki, const std::string& name, const std::string& san) {
  std::string ext = pki.dir + "/" + name + ".ext";
  write_file(ext, "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  run_or_throw("openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " + pki.key_file(name) + " -out " +
               pki.dir + "/" + name + ".csr 2>&1");
  run_or_throw("openssl x509 -req -in " + pki.dir + "/" + name + ".csr -CA " + pki.ca_file + " -CAkey " + pki.dir +
               "/ca.key -CAcreateserial -days 2 -extfile " + ext + " -out " + pki.cert_file(name) + " 2>&1");
}

struct TlsServer::Impl {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  Handle handle;
  std::thread thread;
  std::atomic<int> accepted{0};

  awaitable<void> session(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ctx);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> in;
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
      co_await bhttp::async_read(stream, buffer, in, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      http::Request req;
      req.method = std::string(in.method_string());
      req.target = std::string(in.target());
      http::parse_target(req.target, req.path, req.query);
      for (const auto& f : in) {
        std::string n(f.name_string());
        for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers[n] = std::string(f.value());
      }
      req.body = in.body();
      http::Response out = handle(req);
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), 11};
      res.set(bhttp::field::content_type, out.content_type);
      for (const auto& [k, v] : out.headers) res.set(k, v);
      res.body() = out.body;
      res.keep_alive(in.keep_alive());
      res.prepare_payload();
      co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !in.keep_alive()) co_return;
    }
  }

  awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      ++accepted;
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }
};

TlsServer::TlsServer(const std::string& cert_file, const std::string& key_file, Handle handle)
    : impl_(std::make_unique<Impl>()) {
  impl_->handle = std::move(handle);
  impl_->ctx.use_certificate_chain_file(cert_file);
  impl_->ctx.use_private_key_file(key_file, ssl::context::pem);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

TlsServer::~TlsServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

int TlsServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}
std::string TlsServer::base_url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}
int TlsServer::connections_accepted() const {
  return impl_->accepted.load();
}

TlsServer::Handle proxy_to(const std::string& http_base_url) {
  return [http_base_url](const http::Request& req) {
    http::ClientRequest out;
    out.method = req.method;
    out.url = http_base_url + req.target;
    out.body = req.body;
    for (const auto& [k, v] : req.headers)
      if (k != "host" && k != "content-length" && k != "connection") out.headers.emplace_back(k, v);
    if (auto it = req.headers.find("content-type"); it != req.headers.end()) out.content_type = it->second;
    auto result = http::fetch_blocking(std::move(out));
    http::Response res;
    if (result) {
      res.status = result->status;
      res.body = result->body;
      for (const auto& [k, v] : result->headers)
        if (k == "retry-after") res.headers.emplace_back(k, v);
      if (auto it = result->headers.find("content-type"); it != result->headers.end()) res.content_type = it->second;
    } else {
      res.status = 502;
    }
    return res;
  };
}

}  // namespace dialerd::testing
