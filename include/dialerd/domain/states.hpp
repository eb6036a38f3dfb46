#pragma once
// Campaign and call states (docs/SCHEMA.md, README.md "API") and the outcomes a provider reports.
#include <optional>
#include <string_view>

namespace dialerd::domain {

enum class CampaignStatus { draft, scheduled, running, paused, completed, cancelled };
enum class CallState { pending, dispatching, in_progress, completed, failed, skipped, held };
// What a provider says happened to one call.
// timeout: no outcome came within calls.timeout_seconds of the provider accepting the call.
// opted_out: the person was reached and asked not to be called again (a do-not-call request during the call).
enum class Outcome { completed, no_answer, busy, voicemail, failed, cancelled, provider_error, timeout, opted_out };

std::string_view to_string(CampaignStatus s);
std::string_view to_string(CallState s);
std::string_view to_string(Outcome o);
std::optional<CampaignStatus> campaign_status_from(std::string_view s);
std::optional<CallState> call_state_from(std::string_view s);
std::optional<Outcome> outcome_from(std::string_view s);

// The state machines in one place: whether `from -> to` is a legal move.
bool can_transition(CampaignStatus from, CampaignStatus to);
bool can_transition(CallState from, CallState to);
bool is_terminal(CallState s);

}  // namespace dialerd::domain
