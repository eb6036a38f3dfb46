#pragma once
// A TLS front for tests: accepts HTTPS on 127.0.0.1:0 with a given certificate and hands each request to a
// function (often a proxy to a plain fake). Keep-alive connections; counts the connections it accepted.
// Also makes test certificates with the openssl command.
#include <functional>
#include <memory>
#include <string>

#include "dialerd/http/message.hpp"

namespace dialerd::testing {

class TempDir;

// A private CA and a server certificate it signed, as PEM files in `dir`: ca.pem, and <name>.pem /
// <name>.key for a server certificate whose subjectAltName is `san` (e.g. "IP:127.0.0.1").
struct TestPki {
  std::string ca_file;
  std::string cert_file(const std::string& name) const { return dir + "/" + name + ".pem"; }
  std::string key_file(const std::string& name) const { return dir + "/" + name + ".key"; }
  std::string dir;
};
TestPki make_test_ca(const TempDir& dir);
void make_server_cert(const TestPki& pki, const std::string& name, const std::string& san);

class TlsServer {
 public:
  using Handle = std::function<http::Response(const http::Request&)>;
  TlsServer(const std::string& cert_file, const std::string& key_file, Handle handle);
  ~TlsServer();
  int port() const;
  std::string base_url() const;  // https://127.0.0.1:<port>
  int connections_accepted() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A handler that forwards each request to a plain http:// base URL (a fake behind TLS).
TlsServer::Handle proxy_to(const std::string& http_base_url);

}  // namespace dialerd::testing
