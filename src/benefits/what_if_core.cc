#include "benefits/what_if_core.h"

#include <array>
#include <optional>
#include <unordered_map>

#include "base/error.h"
#include "feel/feel.h"

namespace tongban::benefits {
namespace {

constexpr size_t kMaxKeyColumns = 4;

int64_t Fen(const feel::Value& v) {
  if (!v.is(feel::Kind::kNumber)) return 0;
  const feel::Decimal d = v.number();
  if (!d.IsInteger() || d.IsNegative()) return 0;
  return d.ToInt64().value_or(0);
}

// An amount rule and the columns it reads, found by compiling it without each column in turn
// (an unknown name does not compile). Evaluated once per distinct key of those columns.
class AmountTable {
 public:
  static Result<AmountTable> Compile(const feel::Register& reg, std::string_view text) {
    feel::Scope scope;
    for (const auto& c : reg.columns()) scope.Declare(c.spec.name);
    TB_ASSIGN_OR_RETURN(feel::Program program, feel::Compile(text, scope));
    AmountTable t(reg, std::move(program), scope);
    for (size_t skip = 0; skip < reg.columns().size(); ++skip) {
      feel::Scope without;
      for (size_t c = 0; c < reg.columns().size(); ++c) {
        // Keep the slots' numbering: a skipped column gets a name no rule can write.
        without.Declare(c == skip ? std::string("\x01") : reg.columns()[c].spec.name);
      }
      if (!feel::Compile(text, without).ok()) t.reads_.push_back(static_cast<int>(skip));
    }
    return t;
  }

  int64_t Of(uint32_t row) {
    if (reads_.size() > kMaxKeyColumns) return Evaluate(row);
    Key key{};
    for (size_t i = 0; i < reads_.size(); ++i) {
      const feel::Column& c = reg_->columns()[reads_[i]];
      key[i] = c.IsNull(row) ? kNull : c.Get(row);
    }
    auto [it, fresh] = memo_.try_emplace(key, 0);
    if (fresh) it->second = Evaluate(row);
    return it->second;
  }

 private:
  using Key = std::array<int64_t, kMaxKeyColumns>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = 1469598103934665603ULL;
      for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 1099511628211ULL;
      return h;
    }
  };
  static constexpr int64_t kNull = INT64_MIN;

  AmountTable(const feel::Register& reg, feel::Program program, const feel::Scope& scope)
      : reg_(&reg), program_(std::move(program)), bindings_(scope) {}

  int64_t Evaluate(uint32_t row) {
    for (size_t c = 0; c < reg_->columns().size(); ++c) {
      bindings_.Set(static_cast<int>(c), reg_->Cell(c, row));
    }
    return Fen(program_.EvaluateFast(bindings_));
  }

  const feel::Register* reg_ = nullptr;
  feel::Program program_;
  feel::Bindings bindings_;
  std::vector<int> reads_;
  std::unordered_map<Key, int64_t, KeyHash> memo_;
};

}  // namespace

Result<std::vector<WhatIfCounts>> ComputeWhatIf(const feel::Register& reg,
                                                const feel::Grouping& groups,
                                                const WhatIfRules& rules, int threads,
                                                WhatIfCounts* total) {
  FieldErrors errors;
  TB_ASSIGN_OR_RETURN(feel::ColumnarRule now_rule, feel::CompileColumnar(rules.now, reg));
  auto draft_rule = feel::CompileColumnar(rules.draft, reg);
  if (!draft_rule.ok()) errors.Add("eligibility", draft_rule.error().message());
  std::optional<AmountTable> amount_now, amount_draft;
  if (!rules.amount_now.empty()) {
    TB_ASSIGN_OR_RETURN(amount_now, AmountTable::Compile(reg, rules.amount_now));
  }
  if (!rules.amount_draft.empty()) {
    auto a = AmountTable::Compile(reg, rules.amount_draft);
    if (a.ok()) {
      amount_draft = std::move(*a);
    } else {
      errors.Add("amount", a.error().message());
    }
  }
  if (!errors.empty()) return errors.ToError("the draft's rules do not compile");

  std::vector<WhatIfCounts> per(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) per[g].region = groups.key(g).value_or("");
  const std::vector<uint32_t>& group_of = groups.row_groups();
  for (uint32_t g : group_of) ++per[g].screened;
  const std::vector<uint32_t> now_rows = now_rule.Select(threads);
  const std::vector<uint32_t> draft_rows = draft_rule->Select(threads);
  // Both selections are in row order: one merge counts each side, who enters and who leaves.
  size_t i = 0, j = 0;
  while (i < now_rows.size() || j < draft_rows.size()) {
    const bool take_now =
        j == draft_rows.size() || (i < now_rows.size() && now_rows[i] <= draft_rows[j]);
    const bool take_draft =
        i == now_rows.size() || (j < draft_rows.size() && draft_rows[j] <= now_rows[i]);
    const uint32_t row = take_now ? now_rows[i] : draft_rows[j];
    WhatIfCounts& c = per[group_of[row]];
    if (take_now) {
      ++c.now;
      if (amount_now) c.cost_now_fen += amount_now->Of(row);
      ++i;
    }
    if (take_draft) {
      ++c.draft;
      if (amount_draft) c.cost_draft_fen += amount_draft->Of(row);
      ++j;
    }
    if (take_now && !take_draft) ++c.leaving;
    if (take_draft && !take_now) ++c.entering;
  }
  std::vector<WhatIfCounts> out;
  for (auto& c : per) {
    if (c.screened == 0) continue;
    total->screened += c.screened;
    total->now += c.now;
    total->draft += c.draft;
    total->entering += c.entering;
    total->leaving += c.leaving;
    total->cost_now_fen += c.cost_now_fen;
    total->cost_draft_fen += c.cost_draft_fen;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tongban::benefits
