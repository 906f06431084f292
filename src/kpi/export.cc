// A report as CSV and XLSX: one row per figure with its exact fraction and rounded value.
#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kpi/service.h"

namespace tongban::kpi {

namespace {

std::string Quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string Labels(const Figure& f) {
  std::string out;
  for (const auto& [k, v] : f.labels) out += fmt::format("{}{}={}", out.empty() ? "" : ";", k, v);
  return out;
}

std::string Period(const Report& r) {
  return fmt::format("{}..{}", r.query.from.ToString(), r.query.to.ToString());
}

constexpr const char* kHeads[] = {"provider", "name",      "title",       "labels",
                                  "unit",     "numerator", "denominator", "value"};

}  // namespace

std::string ReportCsv(const Report& report) {
  std::string out = "\xEF\xBB\xBF";  // Excel reads UTF-8 only with a BOM
  out += fmt::format("# region={} department={} matter={} channel={} window={} period={}\r\n",
                     report.query.region, report.query.department, report.query.matter,
                     report.query.channel, report.query.window, Period(report));
  for (size_t i = 0; i < std::size(kHeads); ++i)
    out += fmt::format("{}{}", i ? "," : "", kHeads[i]);
  out += "\r\n";
  for (const Figure& f : report.figures) {
    const std::optional<double> value = f.Value();
    out += fmt::format("{},{},{},{},{},{},{},{}\r\n", Quote(f.provider), Quote(f.name),
                       Quote(f.title), Quote(Labels(f)), Quote(f.unit), f.numerator, f.denominator,
                       value ? fmt::format("{:.2f}", *value) : std::string());
  }
  return out;
}

Status WriteReportXlsx(const Report& report, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "cannot create the workbook", {{"path", path}});
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, "统计指标");
  lxw_format* two = workbook_add_format(wb);
  format_set_num_format(two, "0.00");
  const std::string title = fmt::format(
      "统计报表 区划 {} 部门 {} 期间 {}",
      report.query.region.empty() ? "全部" : report.query.region,
      report.query.department.empty() ? "全部" : report.query.department, Period(report));
  worksheet_write_string(ws, 0, 0, title.c_str(), nullptr);
  for (size_t c = 0; c < std::size(kHeads); ++c) {
    worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), kHeads[c], nullptr);
  }
  lxw_row_t row = 2;
  for (const Figure& f : report.figures) {
    const std::string labels = Labels(f);
    worksheet_write_string(ws, row, 0, f.provider.c_str(), nullptr);
    worksheet_write_string(ws, row, 1, f.name.c_str(), nullptr);
    worksheet_write_string(ws, row, 2, f.title.c_str(), nullptr);
    worksheet_write_string(ws, row, 3, labels.c_str(), nullptr);
    worksheet_write_string(ws, row, 4, f.unit.c_str(), nullptr);
    worksheet_write_number(ws, row, 5, static_cast<double>(f.numerator), nullptr);
    worksheet_write_number(ws, row, 6, static_cast<double>(f.denominator), nullptr);
    if (const std::optional<double> value = f.Value()) {
      worksheet_write_number(ws, row, 7, *value, two);
    }
    ++row;
  }
  if (lxw_error e = workbook_close(wb); e != LXW_NO_ERROR) {
    return Error(ErrorCode::kStorage, fmt::format("writing {}: {}", path, lxw_strerror(e)));
  }
  return Ok();
}

Result<std::string> ReportXlsx(const Report& report) {
  std::string path = (std::filesystem::temp_directory_path() / "tongban-report-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return Error(ErrorCode::kStorage, "cannot create a temporary file");
  ::close(fd);
  Status written = WriteReportXlsx(report, path);
  std::string bytes;
  if (written.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    bytes = buffer.str();
  }
  std::filesystem::remove(path);
  if (!written.ok()) return std::move(written).error();
  return bytes;
}

}  // namespace tongban::kpi
