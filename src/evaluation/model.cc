#include "evaluation/model.h"

namespace tongban::evaluation {
namespace {

template <typename E, size_t N>
std::optional<E> Find(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 5> kLevels = {
    "very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"};
constexpr std::array<std::string_view, 5> kLevelTitles = {"非常满意", "满意", "基本满意", "不满意",
                                                          "非常不满意"};
constexpr std::array<std::string_view, 3> kSources = {"online", "device", "qr_code"};
constexpr std::array<std::string_view, 2> kChannels = {"window", "kiosk"};
constexpr std::array<std::string_view, 5> kStates = {"open", "rectified", "explained", "appealed",
                                                     "voided"};
constexpr std::array<std::string_view, 3> kOutcomes = {"confirmed", "not_confirmed", "unreachable"};
constexpr std::array<std::string_view, 2> kDecisions = {"uphold", "void"};
constexpr std::array<std::string_view, 4> kDimensions = {"department", "matter", "window",
                                                         "region"};

}  // namespace

std::string_view LevelName(Level l) { return kLevels[static_cast<size_t>(l)]; }
std::string_view LevelTitle(Level l) { return kLevelTitles[static_cast<size_t>(l)]; }
std::optional<Level> ParseLevel(std::string_view s) { return Find<Level>(kLevels, s); }
std::string_view SourceName(Source s) { return kSources[static_cast<size_t>(s)]; }
std::optional<Source> ParseSource(std::string_view s) { return Find<Source>(kSources, s); }
std::string_view VisitChannelName(VisitChannel c) { return kChannels[static_cast<size_t>(c)]; }
std::optional<VisitChannel> ParseVisitChannel(std::string_view s) {
  return Find<VisitChannel>(kChannels, s);
}
std::string_view RectificationStateName(RectificationState s) {
  return kStates[static_cast<size_t>(s)];
}
std::optional<RectificationState> ParseRectificationState(std::string_view s) {
  return Find<RectificationState>(kStates, s);
}
std::string_view CallbackOutcomeName(CallbackOutcome o) {
  return kOutcomes[static_cast<size_t>(o)];
}
std::optional<CallbackOutcome> ParseCallbackOutcome(std::string_view s) {
  return Find<CallbackOutcome>(kOutcomes, s);
}
std::string_view ReviewDecisionName(ReviewDecision d) { return kDecisions[static_cast<size_t>(d)]; }
std::optional<ReviewDecision> ParseReviewDecision(std::string_view s) {
  return Find<ReviewDecision>(kDecisions, s);
}
std::string_view DimensionName(Dimension d) { return kDimensions[static_cast<size_t>(d)]; }
std::optional<Dimension> ParseDimension(std::string_view s) {
  return Find<Dimension>(kDimensions, s);
}

PeriodSplit SplitPeriod(std::optional<Date> from, std::optional<Date> to) {
  PeriodSplit out;
  // The first whole month: from's, when from is the 1st (or unbounded), else the next one.
  std::string first_month = "0000-00", last_month = "9999-99";
  std::optional<Date> head_end, tail_start;  // the partial months' days, when any
  if (from) {
    const CivilDate c = from->civil();
    if (c.day == 1) {
      first_month = from->ToString().substr(0, 7);
    } else {
      const Date next = from->AddDays(DaysInMonth(c.year, c.month) - c.day + 1);
      first_month = next.ToString().substr(0, 7);
      head_end = next.AddDays(-1);
    }
  }
  if (to) {
    const CivilDate c = to->civil();
    if (c.day == DaysInMonth(c.year, c.month)) {
      last_month = to->ToString().substr(0, 7);
    } else {
      tail_start = to->AddDays(1 - c.day);
      last_month = tail_start->AddDays(-1).ToString().substr(0, 7);
    }
  }
  if (first_month > last_month) return out;  // no whole month: every day from the day rows
  out.months = std::make_pair(first_month, last_month);
  if (head_end) out.days.emplace_back(from->ToString(), head_end->ToString());
  if (tail_start) out.days.emplace_back(tail_start->ToString(), to->ToString());
  return out;
}

}  // namespace tongban::evaluation
