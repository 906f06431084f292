#include "supervision/model.h"

namespace tongban::supervision {

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kWarning:
      return "warning";
    case Level::kYellow:
      return "yellow";
    case Level::kRed:
      return "red";
  }
  return "yellow";
}

std::string_view LevelTitle(Level l) {
  switch (l) {
    case Level::kWarning:
      return "预警";
    case Level::kYellow:
      return "黄牌";
    case Level::kRed:
      return "红牌";
  }
  return "黄牌";
}

std::optional<Level> ParseLevel(std::string_view s) {
  if (s == "warning") return Level::kWarning;
  if (s == "yellow") return Level::kYellow;
  if (s == "red") return Level::kRed;
  return std::nullopt;
}

std::string_view RuleScopeName(RuleScope s) { return s == RuleScope::kStep ? "step" : "case"; }

std::optional<RuleScope> ParseRuleScope(std::string_view s) {
  if (s == "case") return RuleScope::kCase;
  if (s == "step") return RuleScope::kStep;
  return std::nullopt;
}

std::string_view CardStateName(CardState s) {
  switch (s) {
    case CardState::kOpen:
      return "open";
    case CardState::kAnswered:
      return "answered";
    case CardState::kHandedOver:
      return "handed_over";
  }
  return "open";
}

std::optional<CardState> ParseCardState(std::string_view s) {
  if (s == "open") return CardState::kOpen;
  if (s == "answered") return CardState::kAnswered;
  if (s == "handed_over") return CardState::kHandedOver;
  return std::nullopt;
}

}  // namespace tongban::supervision
