// The FEEL engine on arbitrary text: compile (expression and unary-test modes) against a small
// scope, evaluate with a trace, print the result as JSON. Any input must end with a value or
// diagnostics: no crash, no hang (work and depth limits), no unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feel/feel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace feel = tongban::feel;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const feel::Scope* scope = [] {
    auto* s = new feel::Scope();
    s->Declare("age", feel::Type::Number());
    s->Declare("name", feel::Type::String());
    s->Declare("items");
    s->Declare("person");
    s->Declare("Street Name");
    s->Declare("年龄");
    return s;
  }();
  feel::Bindings b(*scope);
  b.Set(0, feel::Value::Number(42));
  b.Set(1, feel::Value::String("通办"));
  b.Set(2, feel::Value::List({feel::Value::Number(1), feel::Value::Number(2)}));
  b.Set(3, feel::Value::Context(
               {{"age", feel::Value::Number(30)}, {"name", feel::Value::String("Li")}}));
  b.Set(4, feel::Value::String("长安街"));
  b.Set(5, feel::Value::Number(60));
  // Small limits keep each input fast; the defaults are tested in feel_test.
  const feel::Limits limits{.max_eval_depth = 400, .max_list_size = 10'000, .max_steps = 200'000};
  for (feel::Mode mode : {feel::Mode::kExpression, feel::Mode::kUnaryTests}) {
    tongban::Result<feel::Program> p = feel::Compile(text, *scope, mode, limits);
    if (!p.ok()) {
      if (feel::DiagnosticsOf(p.error()).empty()) std::abort();  // errors always have a place
      continue;
    }
    feel::Evaluation e = p->Test(feel::Value::Number(5), b, {.trace = true});
    (void)feel::ToJson(e.value);
    (void)e.value.ToString();
  }
  return 0;
}
