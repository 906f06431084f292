// Context built-ins (DMN 1.5 §10.3.4.8): get value, get entries, context, context put, context
// merge. Registered as the group "Context".
#include "feel/builtins_util.h"

namespace tongban::feel {
namespace {

using builtins::Fail;

Value GetValue(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kContext)) return Fail(ctx, "get value", "m is not a context");
  if (!args[1].is(Kind::kString)) return Fail(ctx, "get value", "key is not a string");
  const Value* v = args[0].Find(args[1].string());
  return v == nullptr ? Value() : *v;
}

Value GetEntries(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kContext)) return Fail(ctx, "get entries", "m is not a context");
  std::vector<Value> out;
  for (const ContextEntry& e : args[0].context()) {
    out.push_back(Value::Context({{"key", Value::String(e.name)}, {"value", e.value}}));
  }
  return Value::List(std::move(out));
}

Value MakeContext(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "context", "entries is not a list");
  std::vector<ContextEntry> entries;
  for (const Value& e : args[0].list()) {
    const Value* key = e.is(Kind::kContext) ? e.Find("key") : nullptr;
    const Value* value = e.is(Kind::kContext) ? e.Find("value") : nullptr;
    if (key == nullptr || value == nullptr || !key->is(Kind::kString)) {
      return Fail(ctx, "context", "each entry must be a context with a string key and a value");
    }
    for (const ContextEntry& seen : entries) {
      if (seen.name == key->string()) {
        return Fail(ctx, "context", "the key '" + seen.name + "' is given twice");
      }
    }
    entries.push_back({key->string(), *value});
  }
  return Value::Context(std::move(entries));
}

// `context` with `keys[i..]` set to `value`, creating or replacing nested contexts; an existing
// entry keeps its position.
std::optional<Value> PutPath(const Value& context, std::span<const std::string> keys,
                             const Value& value) {
  std::vector<ContextEntry> entries = context.context();
  Value inner = value;
  if (keys.size() > 1) {
    const Value* existing = context.Find(keys[0]);
    Value base =
        existing != nullptr && existing->is(Kind::kContext) ? *existing : Value::Context({});
    std::optional<Value> nested = PutPath(base, keys.subspan(1), value);
    if (!nested) return std::nullopt;
    inner = *nested;
  }
  for (ContextEntry& e : entries) {
    if (e.name == keys[0]) {
      e.value = inner;
      return Value::Context(std::move(entries));
    }
  }
  entries.push_back({keys[0], inner});
  return Value::Context(std::move(entries));
}

Value ContextPut(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kContext)) return Fail(ctx, "context put", "context is not a context");
  std::vector<std::string> keys;
  if (args[1].is(Kind::kString)) {
    keys.push_back(args[1].string());
  } else if (args[1].is(Kind::kList) && !args[1].list().empty()) {
    for (const Value& k : args[1].list()) {
      if (!k.is(Kind::kString)) return Fail(ctx, "context put", "keys must be strings");
      keys.push_back(k.string());
    }
  } else {
    return Fail(ctx, "context put", "key must be a string or a non-empty list of strings");
  }
  std::optional<Value> out = PutPath(args[0], keys, args[2]);
  if (!out) return Fail(ctx, "context put", "cannot put the value");
  return std::move(*out);
}

Value ContextMerge(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "context merge", "contexts is not a list");
  Value merged = Value::Context({});
  for (const Value& c : args[0].list()) {
    if (!c.is(Kind::kContext)) return Fail(ctx, "context merge", "an item is not a context");
    for (const ContextEntry& e : c.context()) {
      std::array<std::string, 1> key = {e.name};
      merged = *PutPath(merged, key, e.value);
    }
  }
  return merged;
}

}  // namespace

void RegisterContextBuiltins(Registry& r) {
  r.Add({"get value", {"m", "key"}, 2, false, GetValue});
  r.Add({"get entries", {"m"}, 1, false, GetEntries});
  r.Add({"context", {"entries"}, 1, false, MakeContext});
  // Positional calls take the first overload, which accepts a key or a list of keys; `key:` by
  // name must be one string (TCK 1146 nested008: `key: ["y", "a"]` is null).
  r.Add({"context put", {"context", "keys", "value"}, 3, false, ContextPut});
  r.Add({"context put",
         {"context", "key", "value"},
         3,
         false,
         [](std::span<const Value> args, CallContext& ctx) {
           if (!args[1].is(Kind::kString)) return Fail(ctx, "context put", "key is not a string");
           return ContextPut(args, ctx);
         }});
  r.Add({"context merge", {"contexts"}, 1, false, ContextMerge});
}

}  // namespace tongban::feel
