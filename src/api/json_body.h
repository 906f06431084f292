// Decoding JSON request bodies into C++ types at the HTTP edge, collecting every problem at
// once: malformed JSON, wrong types, missing required fields and unknown fields, each named by
// its path ("scenarios/0/name"). Nothing inward of src/api sees JSON.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

#include "base/error.h"
#include "base/result.h"

namespace tongban::api {

// Parses a request body that must be a JSON object (Content-Type application/json).
Result<nlohmann::json> ParseJsonBody(const httplib::Request& req);

// Reads the fields of one JSON object; records errors instead of throwing. Call Finish() last
// to report fields that were present but never read (unknown fields).
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& object, std::string path, FieldErrors& errors);

  std::optional<std::string> String(const std::string& key, bool required);
  std::optional<int64_t> Integer(const std::string& key, bool required);
  std::optional<bool> Bool(const std::string& key, bool required);
  // The raw member (object/array) for nested readers; marks it read.
  const nlohmann::json* Member(const std::string& key, nlohmann::json::value_t type, bool required);
  std::string PathOf(const std::string& key) const;
  void Finish();

 private:
  const nlohmann::json* Find(const std::string& key, bool required);

  const nlohmann::json& object_;
  std::string path_;
  FieldErrors& errors_;
  std::set<std::string> read_;
  bool valid_ = true;
};

// Writes `body` as application/json with status `status`.
void WriteJson(httplib::Response& res, const nlohmann::json& body, int status = 200);

// A text field of a response: JSON null when empty (not set), else the text.
nlohmann::json Nullable(const std::string& text);

}  // namespace tongban::api
