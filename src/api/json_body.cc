#include "api/json_body.h"

#include <fmt/format.h>

namespace tongban::api {

Result<nlohmann::json> ParseJsonBody(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (!type.empty() && type.find("application/json") == std::string::npos &&
      type.find("+json") == std::string::npos) {
    return Error(
        ErrorCode::kUnsupportedMediaType,
        fmt::format("Content-Type must be application/json, not '{}'", type.substr(0, 80)));
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    return Error(ErrorCode::kMalformedBody, fmt::format("malformed JSON at byte {}", e.byte));
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range 406: a number too large for a double.
    return Error(ErrorCode::kMalformedBody, fmt::format("malformed JSON: {}", e.what()));
  }
  if (!body.is_object()) {
    return Error(ErrorCode::kMalformedBody, "the body must be a JSON object");
  }
  return body;
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string path, FieldErrors& errors)
    : object_(object), path_(std::move(path)), errors_(errors) {
  if (!object_.is_object()) {
    errors_.Add(path_.empty() ? "(body)" : path_, "must be an object");
    valid_ = false;
  }
}

std::string ObjectReader::PathOf(const std::string& key) const {
  return path_.empty() ? key : path_ + "/" + key;
}

const nlohmann::json* ObjectReader::Find(const std::string& key, bool required) {
  if (!valid_) return nullptr;
  read_.insert(key);
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) {
    if (required) errors_.Add(PathOf(key), "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> ObjectReader::String(const std::string& key, bool required) {
  const nlohmann::json* v = Find(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    errors_.Add(PathOf(key), fmt::format("must be a string, not {}", v->type_name()));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<int64_t> ObjectReader::Integer(const std::string& key, bool required) {
  const nlohmann::json* v = Find(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    errors_.Add(PathOf(key), fmt::format("must be an integer, not {}", v->type_name()));
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<bool> ObjectReader::Bool(const std::string& key, bool required) {
  const nlohmann::json* v = Find(key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    errors_.Add(PathOf(key), fmt::format("must be true or false, not {}", v->type_name()));
    return std::nullopt;
  }
  return v->get<bool>();
}

const nlohmann::json* ObjectReader::Member(const std::string& key, nlohmann::json::value_t type,
                                           bool required) {
  const nlohmann::json* v = Find(key, required);
  if (!v) return nullptr;
  if (v->type() != type) {
    errors_.Add(PathOf(key),
                fmt::format("must be {}, not {}",
                            type == nlohmann::json::value_t::array ? "an array" : "an object",
                            v->type_name()));
    return nullptr;
  }
  return v;
}

void ObjectReader::Finish() {
  if (!valid_) return;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (!read_.contains(it.key())) errors_.Add(PathOf(it.key()), "is not a known field");
  }
}

void WriteJson(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

nlohmann::json Nullable(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace tongban::api
