#include "dialerd/domain/states.hpp"

#include <array>
#include <utility>

namespace dialerd::domain {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table)
    if (v == e) return name;
  return "unknown";
}

constexpr std::array<std::pair<CampaignStatus, std::string_view>, 6> kCampaignStatus{{
    {CampaignStatus::draft, "draft"},
    {CampaignStatus::scheduled, "scheduled"},
    {CampaignStatus::running, "running"},
    {CampaignStatus::paused, "paused"},
    {CampaignStatus::completed, "completed"},
    {CampaignStatus::cancelled, "cancelled"},
}};
constexpr std::array<std::pair<CallState, std::string_view>, 7> kCallState{{
    {CallState::pending, "pending"},
    {CallState::dispatching, "dispatching"},
    {CallState::in_progress, "in_progress"},
    {CallState::completed, "completed"},
    {CallState::failed, "failed"},
    {CallState::skipped, "skipped"},
    {CallState::held, "held"},
}};
constexpr std::array<std::pair<Outcome, std::string_view>, 9> kOutcome{{
    {Outcome::completed, "completed"},
    {Outcome::no_answer, "no_answer"},
    {Outcome::busy, "busy"},
    {Outcome::voicemail, "voicemail"},
    {Outcome::failed, "failed"},
    {Outcome::cancelled, "cancelled"},
    {Outcome::provider_error, "provider_error"},
    {Outcome::timeout, "timeout"},
    {Outcome::opted_out, "opted_out"},
}};

}  // namespace

std::string_view to_string(CampaignStatus s) {
  return name_of(kCampaignStatus, s);
}
std::string_view to_string(CallState s) {
  return name_of(kCallState, s);
}
std::string_view to_string(Outcome o) {
  return name_of(kOutcome, o);
}
std::optional<CampaignStatus> campaign_status_from(std::string_view s) {
  return lookup(kCampaignStatus, s);
}
std::optional<CallState> call_state_from(std::string_view s) {
  return lookup(kCallState, s);
}
std::optional<Outcome> outcome_from(std::string_view s) {
  return lookup(kOutcome, s);
}

bool can_transition(CampaignStatus from, CampaignStatus to) {
  using S = CampaignStatus;
  switch (from) {
    case S::draft:
      return to == S::scheduled || to == S::running || to == S::cancelled;
    case S::scheduled:
      return to == S::running || to == S::paused || to == S::cancelled;
    case S::running:
      return to == S::paused || to == S::completed || to == S::cancelled;
    case S::paused:
      return to == S::running || to == S::scheduled || to == S::cancelled;
    case S::completed:
    case S::cancelled:
      return false;
  }
  return false;
}

bool can_transition(CallState from, CallState to) {
  using S = CallState;
  switch (from) {
    case S::pending:
      return to == S::dispatching || to == S::skipped || to == S::failed;
    case S::dispatching:
      // Answered (accepted, rejected, retry later) or, after a crash, held for an operator.
      return to == S::in_progress || to == S::failed || to == S::pending || to == S::held;
    case S::in_progress:
      return to == S::completed || to == S::failed || to == S::pending;
    case S::held:
      return to == S::pending || to == S::failed;  // operator releases or fails it
    case S::completed:
    case S::failed:
    case S::skipped:
      return false;
  }
  return false;
}

bool is_terminal(CallState s) {
  return s == CallState::completed || s == CallState::failed || s == CallState::skipped;
}

}  // namespace dialerd::domain
