// The compiled form of a FEEL text: a tree of nodes whose names are already resolved to slots
// (Scope variables), local slots (for/some/function/context/filter names) or built-ins. Built
// by the parser (parser.cc), walked by the evaluator (eval.cc). Internal to src/feel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "feel/builtins.h"
#include "feel/type.h"
#include "feel/value.h"

namespace tongban::feel {

enum class Op : uint8_t {
  kConst,      // value
  kGlobal,     // slot: a Scope variable
  kLocal,      // slot: a local variable
  kInput,      // `?`
  kItemField,  // name: entry of the filter item in local `slot`; kids[0] (optional) fallback
  kNeg,        // -kids[0]
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,          // not(kids[0]) as a function
  kBetween,      // kids: value, low, high
  kIn,           // kids[0] value; kids[1] a test (kTests/kTest/kTestCompare/...)
  kInstanceOf,   // kids[0] value; type
  kIf,           // kids: condition, then, else
  kFor,          // kids: domain 1..n, body; slots: iterator locals then `partial`
  kRangeDomain,  // kids: low, high (for i in a..b)
  kSome,         // kids: domain 1..n, condition; slots: iterator locals
  kEvery,
  kFilter,       // kids: list, condition; slot: item local; flag: uses item
  kPath,         // kids[0].name
  kContext,      // kids: entry values; names; slots: entry locals
  kList,         // kids: items
  kRange,        // kids: low, high; low/high_closed; flag: `< e`-style, a null end is unbounded
  kFunctionDef,  // kids[0] body; slots: parameter locals; names: parameter names
  kCallBuiltin,  // builtin; kids: arguments in parameter order
  kCallValue,    // kids[0] callee, kids[1..] positional arguments
  kCallNamed,    // kids[0] callee, kids[1..] arguments; names: their parameter names
  kTests,        // a disjunction of unary tests: kids
  kTest,         // kids[0] expression tested against `?` (flag: the expression uses `?`)
  kTestCompare,  // cmp applied to (?, kids[0])
  kTestNot,      // not(kids[0] tests)
  kTestAny,      // `-`
  kInConstList,  // kids[0] value in the constant list `value` (fast path of `x in [1, 2]`)
  kStartsWith,   // intrinsic starts with(kids[0], kids[1]) (fast path)
};

struct Node {
  Op op = Op::kConst;
  Op cmp = Op::kEq;  // kTestCompare
  bool flag = false;
  bool low_closed = true;
  bool high_closed = true;
  int begin = 0;  // byte span of the source text
  int end = 0;
  int slot = -1;
  Value value;
  std::string name;
  Type type;
  std::vector<std::string> names;
  std::vector<int> slots;
  std::shared_ptr<const Builtin> builtin;
  std::vector<std::unique_ptr<Node>> kids;

  const Node& kid(size_t i) const { return *kids[i]; }

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Iterative, so a very deep tree (a long chain of `+`) cannot overflow the stack.
  ~Node() {
    std::vector<std::unique_ptr<Node>> stack = std::move(kids);
    while (!stack.empty()) {
      std::unique_ptr<Node> n = std::move(stack.back());
      stack.pop_back();
      if (!n) continue;
      for (auto& k : n->kids) stack.push_back(std::move(k));
    }
  }
};

// The result of parsing: the tree, the number of local slots, and the problems found.
struct ParseResult {
  std::unique_ptr<Node> root;
  int local_count = 0;
  struct Problem {
    int offset;
    std::string message;
  };
  std::vector<Problem> problems;
};

struct Limits;
class Scope;
enum class Mode;
ParseResult Parse(std::string_view text, const Scope& scope, Mode mode, const Limits& limits);

}  // namespace tongban::feel
