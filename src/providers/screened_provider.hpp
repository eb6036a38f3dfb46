#pragma once
// A Provider that answers some calls of a chunk itself, before another Provider sends the rest.
//
// The Adapter interface builds one request per chunk and reads one answer for all of it. Some APIs cannot
// take every claimed call: Veritus needs a customer id per call and unique ids per request, addCallsToBatch
// needs a batch id. Those calls are certainly not placed, so they must keep their own result whatever
// happens to the request (a 500 would otherwise hold them as uncertain), and a chunk left with no call
// must not be sent at all. make_provider wraps the provider of every kind that has a screen
// (Kind::screen) in this.
#include <functional>
#include <memory>

#include "dialerd/providers/kind.hpp"

namespace dialerd::providers {

class ScreenedProvider final : public Provider {
 public:
  ScreenedProvider(std::unique_ptr<Provider> inner, Screen screen)
      : inner_(std::move(inner)), screen_(std::move(screen)) {}
  const std::string& name() const override { return inner_->name(); }
  const std::string& kind() const override { return inner_->kind(); }
  int chunk_size() const override { return inner_->chunk_size(); }
  awaitable<Submission> submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) override;
  EventsParse parse_events(std::string_view body) const override { return inner_->parse_events(body); }
  void resume(std::vector<std::string> provider_call_ids) override { inner_->resume(std::move(provider_call_ids)); }

 private:
  std::unique_ptr<Provider> inner_;
  Screen screen_;
};

}  // namespace dialerd::providers
