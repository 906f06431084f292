// 好差评 (evaluation) as 国办发〔2019〕51号 and GB/T 39734/39735 set it: ratings of a window or
// kiosk visit (一次一评) and of a concluded case online (一事一评), and the rectification of every
// bad rating (差评整改). Plain values: no storage, no HTTP. Wire names are the English ids of
// GLOSSARY.md, the same in C++, SQL, JSON and URLs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"

namespace tongban::evaluation {

// The five levels, best first. Good = the top three, bad = the last two.
enum class Level {
  kVerySatisfied,       // 非常满意
  kSatisfied,           // 满意
  kBasicallySatisfied,  // 基本满意
  kDissatisfied,        // 不满意
  kVeryDissatisfied,    // 非常不满意
};
inline constexpr int kLevelCount = 5;

// How a rating came in.
enum class Source {
  kOnline,  // 一事一评: the applicant rates the case online after it ended
  kDevice,  // 一次一评: the rating device at the window or kiosk
  kQrCode,  // 一次一评: the applicant scanned the visit's QR code on their phone
};

enum class VisitChannel { kWindow, kKiosk };

// A rectification item (差评整改) from open to closed. Closed: rectified, explained, voided.
enum class RectificationState {
  kOpen,       // the department must call back and act
  kRectified,  // 整改: the department fixed what the rating was about
  kExplained,  // 解释说明: no legal basis for what the applicant asked
  kAppealed,  // 申诉: the department holds the rating mistaken or malicious; the supervisor reviews
  kVoided,    // 申诉成立: the rating is excluded from statistics (kept)
};

// 回访核实: what the call back found.
enum class CallbackOutcome {
  kConfirmed,     // 情况属实
  kNotConfirmed,  // 情况不属实
  kUnreachable,   // 无法联系
};

// 申诉复核: the supervisor's decision on an appeal.
enum class ReviewDecision {
  kUphold,  // the rating stands; the item is open again
  kVoid,    // the rating is voided
};

std::string_view LevelName(Level l);
std::string_view LevelTitle(Level l);  // 非常满意 …
std::optional<Level> ParseLevel(std::string_view s);
inline bool IsGood(Level l) { return l <= Level::kBasicallySatisfied; }
std::string_view SourceName(Source s);
std::optional<Source> ParseSource(std::string_view s);
std::string_view VisitChannelName(VisitChannel c);
std::optional<VisitChannel> ParseVisitChannel(std::string_view s);
std::string_view RectificationStateName(RectificationState s);
std::optional<RectificationState> ParseRectificationState(std::string_view s);
std::string_view CallbackOutcomeName(CallbackOutcome o);
std::optional<CallbackOutcome> ParseCallbackOutcome(std::string_view s);
std::string_view ReviewDecisionName(ReviewDecision d);
std::optional<ReviewDecision> ParseReviewDecision(std::string_view s);

// What the applicant gives: a level, tags from the level's configured list, optional text.
struct RatingInput {
  Level level = Level::kVerySatisfied;
  std::vector<std::string> tags{};
  std::string text{};
};

// A window or kiosk visit, opened by the clerk; rated once by the applicant at its end.
struct Visit {
  std::string id;
  std::string case_number;  // empty for a visit without a case (a consultation)
  VisitChannel channel = VisitChannel::kWindow;
  std::string window;    // the window's code (or the kiosk's)
  std::string terminal;  // where the rating device is
  std::string region;
  std::string department;
  std::string matter;
  std::string clerk_account;
  std::string applicant_account;  // when known: the applicant's own account
  std::string applicant_code;     // when known: the ID number read from the card
  int64_t opened_at = 0;          // ms since the epoch
  std::string evaluation_id;      // once rated
};

struct Evaluation {
  std::string id;
  Source source = Source::kOnline;
  std::string case_number;
  std::string visit_id;
  std::string region;
  std::string department;
  std::string matter;
  std::string window;
  Level level = Level::kVerySatisfied;
  std::vector<std::string> tags;
  std::string text;
  std::string rater_account;
  bool named = false;  // the rater is known (account or ID number): a bad rating is called back
  int64_t created_at = 0;
  bool voided = false;
  std::string rectification_id;  // bad ratings
};

struct Rectification {
  std::string id;
  std::string evaluation_id;
  std::string case_number;
  std::string visit_id;
  std::string region;
  std::string department;
  std::string matter;
  std::string window;
  Level level = Level::kDissatisfied;
  std::vector<std::string> tags;
  std::string text;
  bool named = false;
  std::string rater_account;
  RectificationState state = RectificationState::kOpen;
  int64_t opened_at = 0;
  Date due_on;
  bool overdue = false;  // open or appealed after due_on (computed for today)
  int64_t callback_at = 0;
  std::optional<CallbackOutcome> callback_outcome;
  std::string callback_note;
  std::string action_note;  // what was rectified, the explanation, or the appeal's reason
  std::string acted_by;
  int64_t acted_at = 0;
  std::optional<ReviewDecision> review_decision;
  std::string review_note;
  std::string reviewed_by;
  std::optional<Level> applicant_level;  // the applicant's rating of the rectification
};

// What statistics are grouped by.
enum class Dimension { kDepartment, kMatter, kWindow, kRegion };
std::string_view DimensionName(Dimension d);
std::optional<Dimension> ParseDimension(std::string_view s);

// One group's figures. Voided ratings are left out everywhere; unrated cases (ended without a
// rating) are counted apart and never as good.
struct StatisticsRow {
  std::string key;  // the department, matter, window or region code
  int64_t rated = 0;
  int64_t good = 0;
  int64_t bad = 0;
  std::array<int64_t, kLevelCount> by_level{};
  int64_t unrated = 0;              // ended cases (by window: and visits) without a rating
  std::optional<double> good_rate;  // good / rated; none when nothing was rated
  int64_t rectified = 0;            // bad ratings whose item is rectified or explained
  std::optional<double> rectification_rate;
  int64_t named_bad = 0;
  int64_t called_back = 0;  // named bad ratings called back
  std::optional<double> callback_rate;
};

struct StatisticsQuery {
  Dimension by = Dimension::kDepartment;
  std::string region{};              // a region code: its subtree; empty: everywhere
  std::optional<Date> from{}, to{};  // CST days, inclusive
};

// How a statistics period is read from the pre-aggregated rows: its whole months
// ("YYYY-MM", inclusive) from the month rows, and the days of its partial first and last months
// ("YYYY-MM-DD", inclusive) from the day rows. No whole month: `months` is empty and the whole
// period is read from the day rows.
struct PeriodSplit {
  std::optional<std::pair<std::string, std::string>> months;
  std::vector<std::pair<std::string, std::string>> days;
};

// Splits [from, to] (unbounded where absent) into whole months and the partial months' days.
PeriodSplit SplitPeriod(std::optional<Date> from, std::optional<Date> to);

struct Statistics {
  std::vector<StatisticsRow> rows;  // by key
  StatisticsRow total;              // key empty
};

}  // namespace tongban::evaluation
