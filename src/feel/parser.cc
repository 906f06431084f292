// The FEEL parser (DMN 1.5 §10.3.1.2): recursive descent with the spec's precedence, resolving
// every name while parsing — the longest name known at that point wins, so `date and time(x)`
// is one function and `a and b` two variables.
#include <algorithm>
#include <unordered_set>

#include "feel/ast.h"
#include "feel/feel.h"
#include "feel/lexer.h"

namespace tongban::feel {
namespace {

constexpr std::string_view kKeywords[] = {"and",      "or",      "not",   "in",    "instance",
                                          "of",       "between", "if",    "then",  "else",
                                          "for",      "return",  "some",  "every", "satisfies",
                                          "function", "true",    "false", "null",  "external"};

bool IsKeyword(std::string_view w) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), w) != std::end(kKeywords);
}

// Edit distance, for "did you mean".
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

struct Local {
  std::string name;
  int slot;
};

class Parser {
 public:
  Parser(std::string_view text, const Scope& scope, const Limits& limits)
      : lex_(text), scope_(scope), limits_(limits) {
    for (int i = 0; i < scope.size(); ++i) known_.push_back(scope.name(i));
    for (const std::string& n : scope.functions().Names()) known_.push_back(n);
    for (const std::string& n : Registry::Standard().Names()) known_.push_back(n);
    Advance();
  }

  ParseResult Run(Mode mode) {
    ParseResult r;
    if (lex_.text().size() > limits_.max_text_bytes) {
      r.problems.push_back({0, "the expression is too long (more than " +
                                   std::to_string(limits_.max_text_bytes) + " bytes)"});
      return r;
    }
    std::unique_ptr<Node> root = mode == Mode::kUnaryTests ? ParseUnaryTests() : ParseExpression();
    if (!failed_ && cur_.kind != Tok::kEnd) {
      Error(cur_.begin, "unexpected " + Describe(cur_) + " after the end of the expression");
    }
    r.root = std::move(root);
    r.local_count = next_local_;
    r.problems = std::move(problems_);
    return r;
  }

 private:
  using NodePtr = std::unique_ptr<Node>;

  // --- tokens ---
  void Advance() {
    prev_end_ = cur_.end;
    cur_ = lex_.Next();
  }
  bool IsWord(std::string_view w) const { return cur_.kind == Tok::kName && cur_.text == w; }
  bool Accept(Tok t) {
    if (cur_.kind != t) return false;
    Advance();
    return true;
  }
  bool AcceptWord(std::string_view w) {
    if (!IsWord(w)) return false;
    Advance();
    return true;
  }
  void Expect(Tok t, std::string_view what) {
    if (!Accept(t))
      Error(cur_.begin, "expected " + std::string(what) + ", found " + Describe(cur_));
  }
  void ExpectWord(std::string_view w) {
    if (!AcceptWord(w)) {
      Error(cur_.begin, "expected '" + std::string(w) + "', found " + Describe(cur_));
    }
  }
  std::string Describe(const Token& t) const {
    switch (t.kind) {
      case Tok::kEnd:
        return "the end of the expression";
      case Tok::kError:
        return t.text;
      case Tok::kString:
        return "a string";
      case Tok::kNumber:
        return "the number " + t.text;
      default:
        return "'" + std::string(lex_.text().substr(t.begin, t.end - t.begin)) + "'";
    }
  }
  // A syntax error ends parsing: later problems would only be echoes of it.
  void Error(int offset, std::string message) {
    if (failed_) return;
    failed_ = true;
    if (cur_.kind == Tok::kError && offset == cur_.begin) message = cur_.text;
    problems_.push_back({offset, std::move(message)});
    cur_.kind = Tok::kEnd;
    lex_.set_pos(static_cast<int>(lex_.text().size()));
  }
  // A problem that does not stop parsing (an unknown name, a wrong arity).
  void Problem(int offset, std::string message) {
    if (!failed_) problems_.push_back({offset, std::move(message)});
  }

  NodePtr Make(Op op, int begin, int end) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->begin = begin;
    n->end = end;
    return n;
  }
  NodePtr Const(Value v, int begin, int end) {
    NodePtr n = Make(Op::kConst, begin, end);
    n->value = std::move(v);
    return n;
  }
  NodePtr Binary(Op op, NodePtr a, NodePtr b) {
    NodePtr n = Make(op, a->begin, b->end);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }
  // `a and b and c` as one node with three operands (`and`/`or` are associative in FEEL's
  // three-valued logic), evaluated left to right with short circuit.
  NodePtr Chain(Op op, NodePtr a, NodePtr b) {
    if (a->op == op) {
      a->end = b->end;
      a->kids.push_back(std::move(b));
      return a;
    }
    return Binary(op, std::move(a), std::move(b));
  }

  // --- depth guard ---
  struct DepthGuard {
    Parser* p;
    bool ok;
    explicit DepthGuard(Parser* parser)
        : p(parser), ok(++parser->depth_ <= parser->limits_.max_nesting) {
      if (!ok) {
        p->Error(p->cur_.begin, "the expression is nested too deeply (more than " +
                                    std::to_string(p->limits_.max_nesting) + " levels)");
      }
    }
    ~DepthGuard() { --p->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  };

  // --- names ---
  int NewLocal(std::string name) {
    const int slot = next_local_++;
    locals_.push_back({std::move(name), slot});
    return slot;
  }
  // The end offset of `name` matched at `pos` (white space in the text matches a space in
  // the name), or -1.
  int MatchName(int pos, std::string_view name) const {
    std::string_view t = lex_.text();
    const int n = static_cast<int>(t.size());
    int p = pos;
    for (size_t i = 0; i < name.size(); ++i) {
      if (name[i] == ' ') {
        const int q = lex_.SkipSpace(p);
        const bool symbol_adjacent = (i > 0 && !IsNamePartAscii(name[i - 1])) ||
                                     (i + 1 < name.size() && !IsNamePartAscii(name[i + 1]));
        if (q == p && !symbol_adjacent) return -1;
        p = q;
        while (i + 1 < name.size() && name[i + 1] == ' ') ++i;
        continue;
      }
      if (p >= n || t[p] != name[i]) return -1;
      ++p;
    }
    if (!name.empty() && IsNamePartAscii(name.back()) && lex_.IsNamePartAt(p)) return -1;
    return p;
  }
  static bool IsNamePartAscii(char c) {
    return static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c)) ||
           c == '_' || c == '?';
  }

  // Reads the name at the current token: the longest known name, else one word (or, when the
  // words are all unknown, the run of words up to a keyword, for the message).
  struct NameRead {
    std::string name;
    int begin;
    int end;
    bool known;
  };
  NameRead ReadName() {
    const int begin = cur_.begin;
    int best_end = -1;
    std::string best;
    auto consider = [&](const std::string& n) {
      if (n.empty() || n[0] != cur_.text[0]) return;
      const int e = MatchName(begin, n);
      if (e > best_end) {
        best_end = e;
        best = n;
      }
    };
    for (const Local& l : locals_) consider(l.name);
    for (const std::string& n : item_fields_hint_) consider(n);
    for (const std::string& n : known_) consider(n);
    if (best_end >= cur_.end) {
      lex_.set_pos(best_end);
      cur_.end = best_end;
      Advance();
      return {best, begin, best_end, true};
    }
    // Unknown: one word; inside filters and after '.' the caller may want more words.
    std::string word = cur_.text;
    const int end = cur_.end;
    prev_end_ = end;
    Advance();
    return {word, begin, end, false};
  }
  // After '.', a context entry name: words joined by single spaces up to a keyword or symbol.
  NameRead ReadWords() {
    const int begin = cur_.begin;
    std::string name = cur_.text;
    int end = cur_.end;
    Advance();
    while (cur_.kind == Tok::kName && !IsKeyword(cur_.text)) {
      name += ' ';
      name += cur_.text;
      end = cur_.end;
      Advance();
    }
    prev_end_ = end;
    return {name, begin, end, false};
  }
  const Local* FindLocal(std::string_view name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }
  std::string Suggest(std::string_view name) const {
    std::string best;
    size_t best_d = std::max<size_t>(2, name.size() / 3) + 1;
    auto consider = [&](const std::string& n) {
      const size_t d = Distance(name, n);
      if (d < best_d) {
        best_d = d;
        best = n;
      }
    };
    for (const Local& l : locals_) consider(l.name);
    for (const std::string& n : known_) consider(n);
    return best;
  }

  // --- expressions ---
  NodePtr ParseExpression() {
    DepthGuard guard(this);
    if (!guard.ok) return Const({}, cur_.begin, cur_.begin);
    if (IsWord("if")) return ParseIf();
    if (IsWord("for")) return ParseFor();
    if (IsWord("some") || IsWord("every")) return ParseQuantified();
    if (IsWord("function")) return ParseFunctionDef();
    return ParseOr();
  }

  NodePtr ParseIf() {
    const int begin = cur_.begin;
    Advance();
    NodePtr c = ParseExpression();
    ExpectWord("then");
    NodePtr t = ParseExpression();
    ExpectWord("else");
    NodePtr e = ParseExpression();
    NodePtr n = Make(Op::kIf, begin, e->end);
    n->kids.push_back(std::move(c));
    n->kids.push_back(std::move(t));
    n->kids.push_back(std::move(e));
    return n;
  }

  // for a in X, b in Y return body; X may be `low..high`.
  NodePtr ParseFor() {
    const int begin = cur_.begin;
    Advance();
    NodePtr n = Make(Op::kFor, begin, begin);
    const size_t mark = locals_.size();
    ParseIterators(n.get());
    ExpectWord("return");
    const int partial = NewLocal("partial");
    n->slots.push_back(partial);
    const bool saved_partial = uses_partial_;
    partial_slot_.push_back(partial);
    uses_partial_ = false;
    NodePtr body = ParseExpression();
    n->flag = uses_partial_;  // `partial` is built only when the body reads it
    uses_partial_ = saved_partial;
    partial_slot_.pop_back();
    n->end = body->end;
    n->kids.push_back(std::move(body));
    locals_.resize(mark);
    return n;
  }

  void ParseIterators(Node* n) {
    std::vector<int> slots;
    do {
      if (failed_) return;
      if (cur_.kind != Tok::kName) {
        Error(cur_.begin, "expected a variable name, found " + Describe(cur_));
        return;
      }
      NameRead name = ReadName();
      if (!name.known) {
        // An iterator name may be several words: `for each item in ...`.
        while (cur_.kind == Tok::kName && !IsKeyword(cur_.text)) {
          name.name += ' ' + cur_.text;
          Advance();
        }
      }
      ExpectWord("in");
      NodePtr domain = ParseExpression();
      if (Accept(Tok::kDotDot)) {
        NodePtr high = ParseExpression();
        NodePtr r = Make(Op::kRangeDomain, domain->begin, high->end);
        r->kids.push_back(std::move(domain));
        r->kids.push_back(std::move(high));
        domain = std::move(r);
      }
      n->kids.push_back(std::move(domain));
      // The name is visible in the following domains and the body.
      n->slots.push_back(NewLocal(name.name));
    } while (Accept(Tok::kComma));
  }

  NodePtr ParseQuantified() {
    const int begin = cur_.begin;
    const bool every = cur_.text == "every";
    Advance();
    NodePtr n = Make(every ? Op::kEvery : Op::kSome, begin, begin);
    const size_t mark = locals_.size();
    ParseIterators(n.get());
    ExpectWord("satisfies");
    NodePtr cond = ParseExpression();
    n->end = cond->end;
    n->kids.push_back(std::move(cond));
    locals_.resize(mark);
    return n;
  }

  NodePtr ParseFunctionDef() {
    const int begin = cur_.begin;
    Advance();
    Expect(Tok::kLParen, "'(' after 'function'");
    NodePtr n = Make(Op::kFunctionDef, begin, begin);
    const size_t mark = locals_.size();
    std::vector<std::string> params;
    std::vector<Type> types;
    bool typed = false;
    if (cur_.kind != Tok::kRParen) {
      do {
        if (cur_.kind != Tok::kName) {
          Error(cur_.begin, "expected a parameter name, found " + Describe(cur_));
          break;
        }
        NameRead p = ReadWords();
        Type type = Type::Any();
        if (Accept(Tok::kColon)) {
          const int tb = cur_.begin;
          const std::string text = ParseTypeText();
          Result<Type> t = Type::Parse(text, [this](std::string_view name) -> std::optional<Type> {
            const Type* found = scope_.FindType(name);
            return found == nullptr ? std::nullopt : std::optional<Type>(*found);
          });
          if (!t.ok()) {
            Problem(tb, "unknown type '" + text + "'");
          } else {
            type = *t;
            typed = true;
          }
        }
        params.push_back(p.name);
        types.push_back(std::move(type));
      } while (Accept(Tok::kComma));
    }
    // Checked when called (Closure::Call); untyped functions skip the check.
    if (typed) n->type = Type::Function(std::move(types), Type::Any());
    Expect(Tok::kRParen, "')' after the parameters");
    if (IsWord("external")) {
      Error(cur_.begin, "external functions (Java, PMML) are not supported");
      return n;
    }
    for (const std::string& p : params) n->slots.push_back(NewLocal(p));
    n->names = params;
    NodePtr body = ParseExpression();
    n->end = body->end;
    n->kids.push_back(std::move(body));
    locals_.resize(mark);
    return n;
  }

  NodePtr ParseOr() {
    NodePtr a = ParseAnd();
    while (IsWord("or") && !failed_) {
      Advance();
      a = Chain(Op::kOr, std::move(a), ParseAnd());
    }
    return a;
  }

  NodePtr ParseAnd() {
    NodePtr a = ParseComparison();
    while (IsWord("and") && !failed_) {
      Advance();
      a = Chain(Op::kAnd, std::move(a), ParseComparison());
    }
    return a;
  }

  static bool CompareOp(Tok t, Op* op) {
    switch (t) {
      case Tok::kEq:
        *op = Op::kEq;
        return true;
      case Tok::kNe:
        *op = Op::kNe;
        return true;
      case Tok::kLt:
        *op = Op::kLt;
        return true;
      case Tok::kLe:
        *op = Op::kLe;
        return true;
      case Tok::kGt:
        *op = Op::kGt;
        return true;
      case Tok::kGe:
        *op = Op::kGe;
        return true;
      default:
        return false;
    }
  }

  NodePtr ParseComparison() {
    NodePtr a = ParseInstanceOf();
    while (!failed_) {
      Op op;
      if (CompareOp(cur_.kind, &op)) {
        Advance();
        a = Binary(op, std::move(a), ParseInstanceOf());
      } else if (IsWord("between")) {
        Advance();
        NodePtr low = ParseInstanceOf();
        ExpectWord("and");
        NodePtr high = ParseInstanceOf();
        NodePtr n = Make(Op::kBetween, a->begin, high->end);
        n->kids.push_back(std::move(a));
        n->kids.push_back(std::move(low));
        n->kids.push_back(std::move(high));
        a = std::move(n);
      } else if (IsWord("in")) {
        Advance();
        NodePtr tests;
        if (cur_.kind == Tok::kLParen) {
          tests = ParseParenTests();
        } else {
          tests = ParsePositiveTest(/*full=*/false);
        }
        NodePtr n = Make(Op::kIn, a->begin, tests->end);
        n->kids.push_back(std::move(a));
        n->kids.push_back(std::move(tests));
        a = Optimize(std::move(n));
      } else {
        break;
      }
    }
    return a;
  }

  // `(1, 2, < 5)`: positive unary tests, or `(a..b]`: a range with an open low end.
  NodePtr ParseParenTests() {
    const int begin = cur_.begin;
    Advance();
    NodePtr first = ParsePositiveTest();
    if (cur_.kind == Tok::kDotDot && first->op == Op::kTest) {
      Advance();
      NodePtr low = std::move(first->kids[0]);
      // The range is the test (input within it), as for `x in [1..5]`; a bare range node would
      // be compared for equality with the input.
      NodePtr range = FinishRange(begin, false, std::move(low));
      NodePtr test = Make(Op::kTest, range->begin, range->end);
      test->kids.push_back(std::move(range));
      return test;
    }
    NodePtr list = Make(Op::kTests, begin, begin);
    list->kids.push_back(std::move(first));
    while (Accept(Tok::kComma)) list->kids.push_back(ParsePositiveTest());
    Expect(Tok::kRParen, "')'");
    list->end = prev_end_;
    if (list->kids.size() == 1) {
      // `x in (e)`: the test e.
      NodePtr only = std::move(list->kids[0]);
      only->begin = begin;
      only->end = list->end;
      return only;
    }
    return list;
  }

  // A range after its low end: `..` was consumed; reads the high end and the closing bracket.
  NodePtr FinishRange(int begin, bool low_closed, NodePtr low) {
    // `]1..10[`: the closing '[' is not a filter on 10.
    const bool saved = no_filter_;
    no_filter_ = true;
    NodePtr high = ParseExpression();
    no_filter_ = saved;
    NodePtr r = Make(Op::kRange, begin, begin);
    r->low_closed = low_closed;
    if (cur_.kind == Tok::kRBracket) {
      r->high_closed = true;
    } else if (cur_.kind == Tok::kRParen || cur_.kind == Tok::kLBracket) {
      r->high_closed = false;
    } else {
      Error(cur_.begin, "expected ']', ')' or '[' to close the range, found " + Describe(cur_));
      return r;
    }
    Advance();
    r->end = prev_end_;
    r->kids.push_back(std::move(low));
    r->kids.push_back(std::move(high));
    return r;
  }

  // One positive unary test: `< e`, `<= e`, `> e`, `>= e`, `= e`, `!= e`, or an expression.
  // `full`: the test may be any expression (a decision-table cell); after `in`, an operand
  // that binds tighter than `and`/`or` and comparisons.
  NodePtr ParsePositiveTest(bool full = true) {
    const int begin = cur_.begin;
    Op op;
    if (CompareOp(cur_.kind, &op)) {
      Advance();
      NodePtr e = ParseEndpoint();
      NodePtr t = Make(Op::kTestCompare, begin, e->end);
      t->cmp = op;
      t->kids.push_back(std::move(e));
      return t;
    }
    const bool saved = uses_input_;
    uses_input_ = false;
    NodePtr e = full ? ParseExpression() : ParseInstanceOf();
    NodePtr t = Make(Op::kTest, e->begin, e->end);
    t->flag = uses_input_;
    uses_input_ = saved || uses_input_;
    t->kids.push_back(std::move(e));
    return t;
  }

  // An endpoint of a range or unary comparison: no comparison operators in it.
  NodePtr ParseEndpoint() { return ParseAdditive(); }

  NodePtr ParseUnaryTests() {
    const int begin = cur_.begin;
    if (cur_.kind == Tok::kMinus) {
      const int save = lex_.pos();
      Token t = cur_;
      Advance();
      if (cur_.kind == Tok::kEnd) return Make(Op::kTestAny, begin, t.end);
      lex_.set_pos(save);
      cur_ = t;
    }
    if (IsWord("not")) {
      const int save = lex_.pos();
      Token t = cur_;
      Advance();
      if (cur_.kind == Tok::kLParen) {
        Advance();
        NodePtr inner = ParseTestList(begin);
        Expect(Tok::kRParen, "')' to close not(");
        if (cur_.kind == Tok::kEnd) {
          NodePtr n = Make(Op::kTestNot, begin, prev_end_);
          n->kids.push_back(std::move(inner));
          return n;
        }
        // `not(x) and ...`: an ordinary expression after all; parse again.
        if (failed_) return inner;
      }
      lex_.set_pos(save);
      cur_ = t;
      problems_.clear();
      failed_ = false;
    }
    return ParseTestList(begin);
  }

  NodePtr ParseTestList(int begin) {
    NodePtr list = Make(Op::kTests, begin, begin);
    do {
      list->kids.push_back(ParsePositiveTest());
    } while (Accept(Tok::kComma) && !failed_);
    list->end = list->kids.back()->end;
    if (list->kids.size() == 1) return std::move(list->kids[0]);
    return list;
  }

  NodePtr ParseInstanceOf() {
    NodePtr a = ParseAdditive();
    while (IsWord("instance") && !failed_) {
      Advance();
      ExpectWord("of");
      const int tb = cur_.begin;
      std::string text = ParseTypeText();
      NodePtr n = Make(Op::kInstanceOf, a->begin, prev_end_);
      Result<Type> type = Type::Parse(text, [this](std::string_view name) -> std::optional<Type> {
        const Type* t = scope_.FindType(name);
        return t == nullptr ? std::nullopt : std::optional<Type>(*t);
      });
      if (!type.ok()) {
        Problem(tb, "unknown type '" + text + "'");
      } else {
        n->type = *type;
      }
      n->kids.push_back(std::move(a));
      a = std::move(n);
    }
    return a;
  }

  // The text of a type: `number`, `date and time`, `list<context<a: number>>`,
  // `function<number>->string`, `ns.tPerson`.
  std::string ParseTypeText() {
    static const std::vector<std::string> kMultiWord = {"date and time", "days and time duration",
                                                        "years and months duration"};
    std::string out;
    if (cur_.kind != Tok::kName) {
      Error(cur_.begin, "expected a type, found " + Describe(cur_));
      return out;
    }
    int best = -1;
    for (const std::string& n : kMultiWord) best = std::max(best, MatchName(cur_.begin, n));
    if (best > cur_.end) {
      out = std::string(lex_.text().substr(cur_.begin, best - cur_.begin));
      lex_.set_pos(best);
      cur_.end = best;
      Advance();
    } else {
      out = cur_.text;
      prev_end_ = cur_.end;
      Advance();
      while (cur_.kind == Tok::kDot) {
        Advance();
        if (cur_.kind != Tok::kName) break;
        out += "." + cur_.text;
        prev_end_ = cur_.end;
        Advance();
      }
    }
    if (cur_.kind == Tok::kLt) {
      Advance();
      out += "<";
      bool first = true;
      while (!failed_ && cur_.kind != Tok::kGt && cur_.kind != Tok::kEnd) {
        if (!first) {
          Expect(Tok::kComma, "',' between types");
          out += ", ";
        }
        first = false;
        // context<name: type>
        const int save = lex_.pos();
        Token t = cur_;
        if (cur_.kind == Tok::kName) {
          std::string field = ReadWords().name;
          if (Accept(Tok::kColon)) {
            out += field + ": ";
          } else {
            lex_.set_pos(save);
            cur_ = t;
          }
        }
        out += ParseTypeText();
      }
      Expect(Tok::kGt, "'>'");
      out += ">";
      if (cur_.kind == Tok::kArrow) {
        Advance();
        out += "->" + ParseTypeText();
      }
    }
    return out;
  }

  NodePtr ParseAdditive() {
    NodePtr a = ParseMultiplicative();
    while (!failed_ && (cur_.kind == Tok::kPlus || cur_.kind == Tok::kMinus)) {
      const Op op = cur_.kind == Tok::kPlus ? Op::kAdd : Op::kSub;
      Advance();
      a = Binary(op, std::move(a), ParseMultiplicative());
    }
    return a;
  }

  NodePtr ParseMultiplicative() {
    NodePtr a = ParsePower();
    while (!failed_ && (cur_.kind == Tok::kStar || cur_.kind == Tok::kSlash)) {
      const Op op = cur_.kind == Tok::kStar ? Op::kMul : Op::kDiv;
      Advance();
      a = Binary(op, std::move(a), ParsePower());
    }
    return a;
  }

  NodePtr ParsePower() {
    NodePtr a = ParseUnary();
    while (!failed_ && cur_.kind == Tok::kStarStar) {
      Advance();
      a = Binary(Op::kPow, std::move(a), ParseUnary());
    }
    return a;
  }

  NodePtr ParseUnary() {
    DepthGuard guard(this);
    if (!guard.ok) return Const({}, cur_.begin, cur_.begin);
    if (cur_.kind == Tok::kMinus) {
      const int begin = cur_.begin;
      Advance();
      NodePtr e = ParseUnary();
      if (e->op == Op::kConst && e->value.is(Kind::kNumber)) {
        e->value = Value::Number(e->value.number().Negate());
        e->begin = begin;
        return e;
      }
      NodePtr n = Make(Op::kNeg, begin, e->end);
      n->kids.push_back(std::move(e));
      return n;
    }
    const bool saved = no_filter_;
    no_filter_ = false;
    NodePtr primary = ParsePrimary();
    no_filter_ = saved;
    return ParsePostfix(std::move(primary));
  }

  NodePtr ParsePostfix(NodePtr a) {
    while (!failed_) {
      if (cur_.kind == Tok::kDot) {
        Advance();
        if (cur_.kind != Tok::kName) {
          Error(cur_.begin, "expected a name after '.', found " + Describe(cur_));
          break;
        }
        NameRead name = ReadWords();
        NodePtr n = Make(Op::kPath, a->begin, name.end);
        n->name = name.name;
        n->kids.push_back(std::move(a));
        a = std::move(n);
      } else if (cur_.kind == Tok::kLBracket && !no_filter_) {
        a = ParseFilter(std::move(a));
      } else if (cur_.kind == Tok::kLParen) {
        a = ParseCall(std::move(a));
      } else {
        break;
      }
    }
    return a;
  }

  NodePtr ParseFilter(NodePtr list) {
    DepthGuard guard(this);
    Advance();  // [
    const size_t mark = locals_.size();
    const int item = NewLocal("item");
    const int saved_filter = filter_item_;
    const bool saved_uses = uses_item_;
    filter_item_ = item;
    uses_item_ = false;
    NodePtr cond = ParseExpression();
    Expect(Tok::kRBracket, "']' to close the filter");
    NodePtr n = Make(Op::kFilter, list->begin, prev_end_);
    n->slot = item;
    n->flag = uses_item_;
    filter_item_ = saved_filter;
    uses_item_ = saved_uses;
    locals_.resize(mark);
    n->kids.push_back(std::move(list));
    n->kids.push_back(std::move(cond));
    return n;
  }

  // Arguments: positional `f(1, 2)` or named `f(a: 1, b: 2)`.
  struct Args {
    std::vector<NodePtr> values;
    std::vector<std::string> names;  // empty when positional
  };
  Args ParseArgs() {
    Args args;
    Advance();  // (
    if (Accept(Tok::kRParen)) return args;
    bool named = false;
    // Named when the first argument is `words :`.
    {
      const int save = lex_.pos();
      Token t = cur_;
      if (cur_.kind == Tok::kName) {
        ReadWords();
        named = cur_.kind == Tok::kColon;
      }
      lex_.set_pos(save);
      cur_ = t;
    }
    do {
      if (failed_) break;
      if (named) {
        if (cur_.kind != Tok::kName) {
          Error(cur_.begin, "expected a parameter name, found " + Describe(cur_));
          break;
        }
        args.names.push_back(ReadWords().name);
        Expect(Tok::kColon, "':' after the parameter name");
      }
      args.values.push_back(ParseExpression());
    } while (Accept(Tok::kComma));
    Expect(Tok::kRParen, "')' to close the argument list");
    return args;
  }

  NodePtr ParseCall(NodePtr callee) {
    DepthGuard guard(this);
    const int begin = callee->begin;
    Args args = ParseArgs();
    const int end = prev_end_;
    // A built-in named directly: bind the overload now.
    if (callee->op == Op::kConst && callee->value.is(Kind::kFunction) && !callee->name.empty()) {
      const std::string name = callee->name;
      const Registry* reg =
          scope_.functions().Find(name) != nullptr ? &scope_.functions() : &Registry::Standard();
      const std::vector<std::shared_ptr<const Builtin>>* overloads = reg->Find(name);
      std::shared_ptr<const Builtin> chosen;
      NodePtr n = Make(Op::kCallBuiltin, begin, end);
      if (overloads != nullptr && args.names.empty()) {
        for (const auto& b : *overloads) {
          if (args.values.size() >= b->required &&
              (b->variadic || args.values.size() <= b->parameters.size())) {
            chosen = b;
            break;
          }
        }
        if (chosen) n->kids = std::move(args.values);
      } else if (overloads != nullptr) {
        // First an overload whose required parameters are all named; then (DMN 1.5 §10.3.2.13:
        // an omitted named parameter is null, TCK 0103 `is(value1: x)`) one with some missing.
        for (int pass = 0; pass < 2 && !chosen; ++pass) {
          for (const auto& b : *overloads) {
            std::vector<NodePtr> ordered(b->parameters.size());
            bool ok = true;
            for (size_t i = 0; i < args.names.size() && ok; ++i) {
              auto it = std::find(b->parameters.begin(), b->parameters.end(), args.names[i]);
              if (it == b->parameters.end() || ordered[it - b->parameters.begin()]) {
                ok = false;
              } else {
                ordered[it - b->parameters.begin()] = std::move(args.values[i]);
              }
            }
            size_t last = 0;
            for (size_t i = 0; i < ordered.size(); ++i) {
              if (ordered[i]) last = i + 1;
            }
            for (size_t i = 0; i < b->required && ok && pass == 0; ++i) {
              if (!ordered[i]) ok = false;
            }
            if (!ok) {
              // Give the moved arguments back for the next overload.
              for (size_t i = 0; i < args.names.size(); ++i) {
                auto it = std::find(b->parameters.begin(), b->parameters.end(), args.names[i]);
                if (it != b->parameters.end() && ordered[it - b->parameters.begin()] &&
                    !args.values[i]) {
                  args.values[i] = std::move(ordered[it - b->parameters.begin()]);
                }
              }
              continue;
            }
            chosen = b;
            ordered.resize(std::max(last, b->required));
            for (NodePtr& o : ordered) {
              if (!o) o = Const({}, begin, begin);
            }
            n->kids = std::move(ordered);
            break;
          }
        }
      }
      if (!chosen) {
        Problem(begin, WrongArity(name, overloads, args));
        return Const({}, begin, end);
      }
      n->builtin = chosen;
      n->name = name;
      return Optimize(std::move(n));
    }
    NodePtr n = Make(args.names.empty() ? Op::kCallValue : Op::kCallNamed, begin, end);
    n->kids.push_back(std::move(callee));
    for (NodePtr& a : args.values) n->kids.push_back(std::move(a));
    n->names = std::move(args.names);
    return n;
  }

  static std::string WrongArity(const std::string& name,
                                const std::vector<std::shared_ptr<const Builtin>>* overloads,
                                const Args& args) {
    std::string expected;
    if (overloads != nullptr) {
      for (const auto& b : *overloads) {
        if (!expected.empty()) expected += " or ";
        expected += "(";
        for (size_t i = 0; i < b->parameters.size(); ++i) {
          if (i > 0) expected += ", ";
          expected += b->parameters[i];
          if (i >= b->required) expected += "?";
          if (b->variadic && i + 1 == b->parameters.size()) expected += "...";
        }
        expected += ")";
      }
    }
    if (!args.names.empty()) {
      std::string given;
      for (const std::string& a : args.names) given += (given.empty() ? "" : ", ") + a;
      return "'" + name + "' has no parameters named " + given + "; it takes " + expected;
    }
    return "'" + name + "' does not take " + std::to_string(args.values.size()) + " argument" +
           (args.values.size() == 1 ? "" : "s") + "; it takes " + expected;
  }

  // Constant folding and fast paths for the shapes rules use most.
  NodePtr Optimize(NodePtr n) {
    if (n->op == Op::kIn && n->kids[1]->op == Op::kTest && !n->kids[1]->flag &&
        n->kids[1]->kids[0]->op == Op::kList) {
      const Node& list = *n->kids[1]->kids[0];
      bool constant = true;
      std::vector<Value> items;
      for (const auto& k : list.kids) {
        if (k->op != Op::kConst || k->value.is(Kind::kRange) || k->value.is(Kind::kList)) {
          constant = false;
          break;
        }
        items.push_back(k->value);
      }
      if (constant) {
        NodePtr f = Make(Op::kInConstList, n->begin, n->end);
        // flag: every item is a small integer, so a small-integer operand needs no Equal.
        f->flag = std::all_of(items.begin(), items.end(),
                              [](const Value& v) { return v.is_small_int(); });
        f->value = Value::List(std::move(items));
        f->kids.push_back(std::move(n->kids[0]));
        f->kids.push_back(std::move(n->kids[1]));  // kept for the trace's text
        return f;
      }
    }
    if (n->op == Op::kCallBuiltin && n->kids.size() == 1 && n->name == "not") {
      NodePtr f = Make(Op::kNot, n->begin, n->end);
      f->kids.push_back(std::move(n->kids[0]));
      return f;
    }
    if (n->op == Op::kCallBuiltin && n->kids.size() == 2 && n->name == "starts with") {
      n->op = Op::kStartsWith;
    }
    return n;
  }

  NodePtr ParsePrimary() {
    DepthGuard guard(this);
    if (!guard.ok || failed_) return Const({}, cur_.begin, cur_.begin);
    const int begin = cur_.begin;
    switch (cur_.kind) {
      case Tok::kNumber: {
        std::optional<Decimal> d = Decimal::Parse(cur_.text);
        NodePtr n = Const(d ? Value::Number(*d) : Value(), begin, cur_.end);
        if (!d) Problem(begin, "invalid number " + cur_.text);
        prev_end_ = cur_.end;
        Advance();
        return n;
      }
      case Tok::kString: {
        NodePtr n = Const(Value::String(cur_.text), begin, cur_.end);
        prev_end_ = cur_.end;
        Advance();
        return n;
      }
      case Tok::kAt: {
        Value v = ParseTemporalLiteral(cur_.text);
        if (v.is_null()) Problem(begin, "invalid date, time or duration @\"" + cur_.text + "\"");
        NodePtr n = Const(std::move(v), begin, cur_.end);
        prev_end_ = cur_.end;
        Advance();
        return n;
      }
      case Tok::kLParen: {
        Advance();
        NodePtr e = ParseExpression();
        if (Accept(Tok::kDotDot)) return FinishRange(begin, false, std::move(e));
        Expect(Tok::kRParen, "')'");
        e->begin = begin;
        e->end = prev_end_;
        return e;
      }
      case Tok::kLBracket: {
        Advance();
        NodePtr list = Make(Op::kList, begin, begin);
        if (Accept(Tok::kRBracket)) {
          list->end = prev_end_;
          return list;
        }
        NodePtr first = ParseExpression();
        if (Accept(Tok::kDotDot)) return FinishRange(begin, true, std::move(first));
        list->kids.push_back(std::move(first));
        while (Accept(Tok::kComma)) list->kids.push_back(ParseExpression());
        Expect(Tok::kRBracket, "']' to close the list");
        list->end = prev_end_;
        return list;
      }
      case Tok::kRBracket: {
        Advance();
        NodePtr low = ParseExpression();
        Expect(Tok::kDotDot, "'..' in the range");
        return FinishRange(begin, false, std::move(low));
      }
      case Tok::kLBrace:
        return ParseContext();
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe:
      case Tok::kEq:
      case Tok::kNe: {
        // `>= 5` as a range value (DMN 1.5), or in unary tests.
        const Tok t = cur_.kind;
        Advance();
        NodePtr e = ParseEndpoint();
        NodePtr r = Make(Op::kRange, begin, e->end);
        r->flag = true;  // the null end is unbounded, not a written null
        NodePtr unbounded = Const({}, begin, begin);
        if (t == Tok::kLt || t == Tok::kLe) {
          r->high_closed = t == Tok::kLe;
          r->low_closed = false;
          r->kids.push_back(std::move(unbounded));
          r->kids.push_back(std::move(e));
        } else if (t == Tok::kGt || t == Tok::kGe) {
          r->low_closed = t == Tok::kGe;
          r->high_closed = false;
          r->kids.push_back(std::move(e));
          r->kids.push_back(std::move(unbounded));
        } else {
          Error(begin, "'=' and '!=' need a value on their left");
        }
        return r;
      }
      case Tok::kName:
        return ParseNamePrimary();
      case Tok::kMinus:
        return ParseUnary();
      default:
        Error(begin, "expected a value, found " + Describe(cur_));
        return Const({}, begin, begin);
    }
  }

  Value ParseTemporalLiteral(const std::string& text) {
    if (auto d = Date::Parse(text)) return Value::FromDate(*d);
    if (auto dt = DateTime::Parse(text)) return Value::FromDateTime(*dt);
    if (auto t = Time::Parse(text)) return Value::FromTime(*t);
    if (auto ym = YearsMonthsDuration::Parse(text)) return Value::FromDuration(*ym);
    if (auto dtd = DaysTimeDuration::Parse(text)) return Value::FromDuration(*dtd);
    return {};
  }

  NodePtr ParseContext() {
    DepthGuard guard(this);
    const int begin = cur_.begin;
    Advance();
    NodePtr n = Make(Op::kContext, begin, begin);
    const size_t mark = locals_.size();
    if (cur_.kind != Tok::kRBrace) {
      do {
        if (failed_) break;
        std::string key;
        const int key_begin = cur_.begin;
        if (cur_.kind == Tok::kString) {
          key = cur_.text;
          Advance();
        } else if (cur_.kind == Tok::kName) {
          key = ReadContextKey();
        } else {
          Error(cur_.begin, "expected an entry name, found " + Describe(cur_));
          break;
        }
        // DMN 1.5 §10.3.2.6: the keys of a context are unique (TCK 0057-feel-context).
        if (std::find(n->names.begin(), n->names.end(), key) != n->names.end()) {
          Problem(key_begin, "the context has two entries named '" + key + "'");
        }
        Expect(Tok::kColon, "':' after the entry name");
        NodePtr value = ParseExpression();
        n->names.push_back(key);
        n->kids.push_back(std::move(value));
        // Later entries see earlier ones.
        n->slots.push_back(NewLocal(key));
      } while (Accept(Tok::kComma));
    }
    Expect(Tok::kRBrace, "'}' to close the context");
    n->end = prev_end_;
    locals_.resize(mark);
    return n;
  }

  // A context key: the raw text up to ':' (names may hold spaces and symbols).
  std::string ReadContextKey() {
    std::string_view t = lex_.text();
    const int begin = cur_.begin;
    int p = begin;
    const int n = static_cast<int>(t.size());
    while (p < n && t[p] != ':' && t[p] != ',' && t[p] != '}' && t[p] != '{') ++p;
    int end = p;
    while (end > begin &&
           (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '\n' || t[end - 1] == '\r')) {
      --end;
    }
    std::string key;
    bool space = false;
    for (int i = begin; i < end; ++i) {
      const char c = t[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = true;
        continue;
      }
      if (space) key += ' ';
      space = false;
      key += c;
    }
    lex_.set_pos(end);
    cur_.end = end;
    Advance();
    return key;
  }

  NodePtr ParseNamePrimary() {
    const int begin = cur_.begin;
    const std::string& w = cur_.text;
    if (w == "true" || w == "false") {
      NodePtr n = Const(Value::Boolean(w == "true"), begin, cur_.end);
      prev_end_ = cur_.end;
      Advance();
      return n;
    }
    if (w == "null") {
      NodePtr n = Const({}, begin, cur_.end);
      prev_end_ = cur_.end;
      Advance();
      return n;
    }
    if (w == "if" || w == "for" || w == "some" || w == "every" || w == "function") {
      return ParseExpression();
    }
    if (w == "?") {
      uses_input_ = true;
      prev_end_ = cur_.end;
      Advance();
      return Make(Op::kInput, begin, prev_end_);
    }
    NameRead name = ReadName();
    if (const Local* l = FindLocal(name.name)) {
      if (l->slot == filter_item_) uses_item_ = true;
      if (!partial_slot_.empty() && l->slot == partial_slot_.back()) uses_partial_ = true;
      NodePtr n = Make(Op::kLocal, begin, name.end);
      n->slot = l->slot;
      return ItemFieldOr(std::move(n), name.name);
    }
    const int g = scope_.Find(name.name);
    if (g >= 0) {
      NodePtr n = Make(Op::kGlobal, begin, name.end);
      n->slot = g;
      return ItemFieldOr(std::move(n), name.name);
    }
    const Registry* reg =
        scope_.functions().Find(name.name) != nullptr ? &scope_.functions() : &Registry::Standard();
    if (const auto* overloads = reg->Find(name.name)) {
      NodePtr n = Const(BuiltinValue(overloads->front()), begin, name.end);
      n->name = name.name;
      // Not called: inside a filter an entry of the item wins (`depts[number = 1]`, TCK 0006).
      if (cur_.kind != Tok::kLParen) return ItemFieldOr(std::move(n), name.name);
      return n;
    }
    // Unknown: inside a filter, an entry of the item (`persons[age > 18]`).
    if (filter_item_ >= 0) {
      if (!name.known) {
        while (cur_.kind == Tok::kName && !IsKeyword(cur_.text)) {
          name.name += ' ' + cur_.text;
          name.end = cur_.end;
          prev_end_ = cur_.end;
          Advance();
        }
      }
      uses_item_ = true;
      NodePtr n = Make(Op::kItemField, begin, name.end);
      n->slot = filter_item_;
      n->name = name.name;
      return n;
    }
    if (!name.known) {
      while (cur_.kind == Tok::kName && !IsKeyword(cur_.text)) {
        name.name += ' ' + cur_.text;
        name.end = cur_.end;
        prev_end_ = cur_.end;
        Advance();
      }
    }
    const std::string suggestion = Suggest(name.name);
    Problem(begin, "unknown name '" + name.name + "'" +
                       (suggestion.empty() ? "" : " — did you mean '" + suggestion + "'?"));
    return Const({}, begin, name.end);
  }

  // Inside a filter, a name that is also an entry of the item means the entry; `item` too
  // (`[{item: 2}][item >= 2]`, TCK 0069), else the item itself.
  NodePtr ItemFieldOr(NodePtr n, const std::string& name) {
    if (filter_item_ < 0) return n;
    NodePtr f = Make(Op::kItemField, n->begin, n->end);
    f->slot = filter_item_;
    f->name = name;
    f->kids.push_back(std::move(n));
    uses_item_ = true;
    return f;
  }

  Lexer lex_;
  const Scope& scope_;
  const Limits& limits_;
  Token cur_;
  int prev_end_ = 0;
  int depth_ = 0;
  bool failed_ = false;
  std::vector<ParseResult::Problem> problems_;
  std::vector<std::string> known_;
  std::vector<std::string> item_fields_hint_;
  std::vector<Local> locals_;
  int next_local_ = 0;
  int filter_item_ = -1;
  bool uses_item_ = false;
  bool uses_input_ = false;
  bool no_filter_ = false;
  bool uses_partial_ = false;
  std::vector<int> partial_slot_;
};

}  // namespace

ParseResult Parse(std::string_view text, const Scope& scope, Mode mode, const Limits& limits) {
  Parser p(text, scope, limits);
  return p.Run(mode);
}

}  // namespace tongban::feel
