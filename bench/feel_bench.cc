// The 5-condition eligibility rule over the shared benchmark population (../shared/bench):
// compiled once, evaluated per person, next to the same condition hand-written in C++ over the
// same structs with the same null handling. Prints JSON lines shaped like the peers' output.
// Usage: feel_bench POPULATION.csv [repetitions=5]; "seconds" is the thread's CPU time (median
// of the repetitions).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "feel/feel.h"

namespace {

using tongban::feel::Value;

constexpr std::string_view kRule =
    "age >= 16 and disability_level in [1, 2] and starts with(region, \"431128\") and "
    "income < 10000 and not(receiving)";

// One row of the population. Optional fields model a register with gaps (the CSV has none),
// so both evaluators must handle null.
struct Person {
  std::optional<int64_t> age;
  std::optional<int64_t> disability_level;
  std::optional<std::string> region;
  std::optional<int64_t> income;
  std::optional<bool> receiving;
  Value region_value;  // the same string as a FEEL value, made once at load (shared, immutable)
};

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::stoll(s);
}

std::vector<Person> Load(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<Person> people;
  std::vector<std::string> f;
  while (std::getline(in, line)) {
    f.clear();
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ',') {
        f.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    }
    if (f.size() != 6) continue;
    Person p;
    p.age = ParseInt(f[1]);
    p.disability_level = ParseInt(f[2]);
    if (!f[3].empty()) p.region = f[3];
    p.income = ParseInt(f[4]);
    if (!f[5].empty()) p.receiving = f[5] == "true";
    if (p.region) p.region_value = Value::String(*p.region);
    people.push_back(std::move(p));
  }
  return people;
}

// FEEL's three-valued `and` over -1 false, 0 null, 1 true, as the engine does it.
int And(int a, int b) {
  if (a < 0 || b < 0) return -1;
  return a > 0 && b > 0 ? 1 : 0;
}

// The rule by hand, with FEEL's null semantics: a null operand makes a comparison null, and
// `and` is false as soon as one side is false.
int HandWritten(const Person& p) {
  int r = p.age ? (*p.age >= 16 ? 1 : -1) : 0;
  if (r < 0) return -1;
  r = And(r, p.disability_level ? (*p.disability_level == 1 || *p.disability_level == 2 ? 1 : -1)
                                : -1);  // `null in [1, 2]` is false
  if (r < 0) return -1;
  r = And(r, p.region ? (p.region->starts_with("431128") ? 1 : -1) : 0);
  if (r < 0) return -1;
  r = And(r, p.income ? (*p.income < 10000 ? 1 : -1) : 0);
  if (r < 0) return -1;
  return And(r, p.receiving ? (*p.receiving ? -1 : 1) : 0);
}

// CPU time of this thread: the figure is evaluations per second per core, and the machine is
// shared, so wall time would count other processes' time slices.
double ThreadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename F>
double Seconds(F&& f) {
  const double t0 = ThreadSeconds();
  f();
  return ThreadSeconds() - t0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Print(std::string_view what, size_t rows, double seconds, int64_t matches) {
  std::printf("%s\n", fmt::format(R"({{"peer": "tongban", "what": "{}", "rows": {}, )"
                                  R"("seconds": {:.4f}, "per_s": {:.0f}, "matches": {}}})",
                                  what, rows, seconds, rows / seconds, matches)
                          .c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: feel_bench POPULATION.csv [repetitions]\n");
    return 2;
  }
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const std::vector<Person> people = Load(argv[1]);
  if (people.empty()) {
    std::fprintf(stderr, "no rows in %s\n", argv[1]);
    return 1;
  }

  namespace feel = tongban::feel;
  feel::Scope scope;
  const int age = scope.Declare("age", feel::Type::Number());
  const int level = scope.Declare("disability_level", feel::Type::Number());
  const int region = scope.Declare("region", feel::Type::String());
  const int income = scope.Declare("income", feel::Type::Number());
  const int receiving = scope.Declare("receiving", feel::Type::Boolean());
  tongban::Result<feel::Program> rule = feel::Compile(kRule, scope);
  if (!rule.ok()) {
    std::fprintf(stderr, "%s\n", rule.error().ToString().c_str());
    return 1;
  }

  auto opt_number = [](const std::optional<int64_t>& v) { return v ? Value::Number(*v) : Value(); };
  std::vector<double> feel_runs;
  std::vector<double> fixed_runs;
  std::vector<double> hand_runs;
  int64_t feel_matches = 0;
  int64_t hand_matches = 0;
  for (int rep = 0; rep < reps; ++rep) {
    feel_runs.push_back(Seconds([&] {
      feel::Bindings b(scope);
      int64_t m = 0;
      for (const Person& p : people) {
        b.Set(age, opt_number(p.age));
        b.Set(level, opt_number(p.disability_level));
        b.Set(region, p.region_value);
        b.Set(income, opt_number(p.income));
        b.Set(receiving, p.receiving ? Value::Boolean(*p.receiving) : Value());
        const Value v = rule->EvaluateFast(b);
        if (v.is(feel::Kind::kBoolean) && v.boolean()) ++m;
      }
      feel_matches = m;
    }));
    // The evaluator alone: one person's bindings (a match, so all 5 conditions run), hot cache.
    fixed_runs.push_back(Seconds([&] {
      feel::Bindings b(scope);
      b.Set(age, Value::Number(30));
      b.Set(level, Value::Number(2));
      b.Set(region, Value::String("431128000001"));
      b.Set(income, Value::Number(5000));
      b.Set(receiving, Value::Boolean(false));
      int64_t m = 0;
      for (size_t i = 0; i < people.size(); ++i) {
        const Value v = rule->EvaluateFast(b);
        if (v.is(feel::Kind::kBoolean) && v.boolean()) ++m;
      }
      if (m != static_cast<int64_t>(people.size())) std::abort();
    }));
    hand_runs.push_back(Seconds([&] {
      int64_t m = 0;
      for (const Person& p : people) {
        if (HandWritten(p) > 0) ++m;
      }
      hand_matches = m;
    }));
  }
  const double feel_s = Median(feel_runs);
  const double hand_s = Median(hand_runs);
  Print("feel compiled rule, 1 thread (bind 5 slots + evaluate per person)", people.size(), feel_s,
        feel_matches);
  Print("feel compiled rule, 1 thread, evaluation only (fixed bindings, all 5 conditions true)",
        people.size(), Median(fixed_runs), static_cast<int64_t>(people.size()));
  Print("hand-written C++, 1 thread, same structs and null handling", people.size(), hand_s,
        hand_matches);
  std::printf("%s\n", fmt::format(R"({{"peer": "tongban", "what": "ratio hand-written / feel", )"
                                  R"("ratio": {:.2f}}})",
                                  feel_s / hand_s)
                          .c_str());
  return feel_matches == hand_matches ? 0 : 1;
}
