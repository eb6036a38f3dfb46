#include <catch2/catch.hpp>

#include "dialerd/domain/states.hpp"

using namespace dialerd::domain;

TEST_CASE("states: names round-trip") {
  for (auto s : {CallState::pending, CallState::dispatching, CallState::in_progress, CallState::completed,
                 CallState::failed, CallState::skipped, CallState::held})
    CHECK(call_state_from(to_string(s)) == s);
  for (auto s : {CampaignStatus::draft, CampaignStatus::scheduled, CampaignStatus::running, CampaignStatus::paused,
                 CampaignStatus::completed, CampaignStatus::cancelled})
    CHECK(campaign_status_from(to_string(s)) == s);
  CHECK_FALSE(call_state_from("ringing"));
  CHECK(outcome_from("no_answer") == Outcome::no_answer);
}

TEST_CASE("states: the call state machine") {
  CHECK(can_transition(CallState::pending, CallState::dispatching));
  CHECK(can_transition(CallState::dispatching, CallState::in_progress));
  CHECK(can_transition(CallState::dispatching, CallState::held));
  CHECK(can_transition(CallState::in_progress, CallState::pending));  // a retry
  CHECK(can_transition(CallState::held, CallState::pending));         // released by an operator
  CHECK_FALSE(can_transition(CallState::pending, CallState::in_progress));
  CHECK_FALSE(can_transition(CallState::held, CallState::dispatching));
  for (auto terminal : {CallState::completed, CallState::failed, CallState::skipped}) {
    CHECK(is_terminal(terminal));
    CHECK_FALSE(can_transition(terminal, CallState::pending));
  }
}

TEST_CASE("states: the campaign state machine") {
  CHECK(can_transition(CampaignStatus::draft, CampaignStatus::running));
  CHECK(can_transition(CampaignStatus::scheduled, CampaignStatus::running));
  CHECK(can_transition(CampaignStatus::running, CampaignStatus::paused));
  CHECK(can_transition(CampaignStatus::paused, CampaignStatus::running));
  CHECK(can_transition(CampaignStatus::paused, CampaignStatus::scheduled));  // resumed before its start time
  CHECK(can_transition(CampaignStatus::running, CampaignStatus::completed));
  CHECK_FALSE(can_transition(CampaignStatus::completed, CampaignStatus::running));
  CHECK_FALSE(can_transition(CampaignStatus::cancelled, CampaignStatus::running));
  CHECK_FALSE(can_transition(CampaignStatus::draft, CampaignStatus::completed));
}
