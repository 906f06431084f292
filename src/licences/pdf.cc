#include "licences/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <qrencode.h>

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "base/utf8.h"

namespace tongban::licences {
namespace {

constexpr double kWidth = 595.0;  // A4 in points
constexpr double kHeight = 842.0;
constexpr const char* kSerif = "Noto Serif CJK SC";
constexpr const char* kSans = "Noto Sans CJK SC";

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void Text(cairo_t* cr, const char* family, double size, double x, double y, std::string_view text,
          bool bold = false) {
  cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, std::string(text).c_str());
}

void CenteredText(cairo_t* cr, const char* family, double size, double y, std::string_view text,
                  bool bold = false) {
  cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  const std::string s(text);
  cairo_text_extents(cr, s.c_str(), &ext);
  cairo_move_to(cr, (kWidth - ext.width) / 2 - ext.x_bearing, y);
  cairo_show_text(cr, s.c_str());
}

// The UTF-8 characters of `s`, one string each (an invalid byte alone).
std::vector<std::string> Characters(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8::Decode(s, i).length;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

void Star(cairo_t* cr, double cx, double cy, double r) {
  for (int i = 0; i < 10; ++i) {
    const double radius = i % 2 == 0 ? r : r * 0.382;
    const double angle = -M_PI / 2 + i * M_PI / 5;
    const double x = cx + radius * std::cos(angle);
    const double y = cy + radius * std::sin(angle);
    if (i == 0) {
      cairo_move_to(cr, x, y);
    } else {
      cairo_line_to(cr, x, y);
    }
  }
  cairo_close_path(cr);
  cairo_fill(cr);
}

// A round red seal: ring, the department's name along the upper arc, a star, and the seal's
// purpose across the bottom, as government seals are cut.
void Seal(cairo_t* cr, double cx, double cy, double r, std::string_view department) {
  cairo_save(cr);
  cairo_set_source_rgba(cr, 0.86, 0.08, 0.08, 0.9);
  cairo_set_line_width(cr, r * 0.06);
  cairo_arc(cr, cx, cy, r, 0, 2 * M_PI);
  cairo_stroke(cr);
  Star(cr, cx, cy, r * 0.28);
  const auto chars = Characters(department);
  const double span = std::min(4.2, 0.42 * static_cast<double>(chars.size()));  // radians
  const double size = std::min(r * 0.3, r * 0.75 * span / std::max<size_t>(chars.size(), 1));
  cairo_select_font_face(cr, kSans, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, size);
  for (size_t i = 0; i < chars.size(); ++i) {
    const double step = chars.size() > 1 ? span / static_cast<double>(chars.size() - 1) : 0;
    const double angle = -M_PI / 2 - span / 2 + step * static_cast<double>(i);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, chars[i].c_str(), &ext);
    cairo_save(cr);
    cairo_translate(cr, cx + (r * 0.78) * std::cos(angle), cy + (r * 0.78) * std::sin(angle));
    cairo_rotate(cr, angle + M_PI / 2);
    cairo_move_to(cr, -ext.width / 2 - ext.x_bearing, size / 2);
    cairo_show_text(cr, chars[i].c_str());
    cairo_restore(cr);
  }
  cairo_set_font_size(cr, r * 0.16);
  cairo_text_extents_t ext;
  const char* purpose = "电子证照专用章";
  cairo_text_extents(cr, purpose, &ext);
  cairo_move_to(cr, cx - ext.width / 2 - ext.x_bearing, cy + r * 0.6);
  cairo_show_text(cr, purpose);
  cairo_restore(cr);
}

Status QrCode(cairo_t* cr, double x, double y, double size, std::string_view url) {
  const std::string text(url);
  QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == nullptr) return Error(ErrorCode::kInternal, "cannot encode the QR code");
  const int width = qr->width;
  const double module = size / (width + 8);  // a quiet zone of 4 modules each side
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < width; ++row) {
    for (int col = 0; col < width; ++col) {
      if (qr->data[row * width + col] & 1) {
        cairo_rectangle(cr, x + (col + 4) * module, y + (row + 4) * module, module, module);
      }
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
  QRcode_free(qr);
  return Ok();
}

std::string ValueText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "是" : "否";
  return v.dump();
}

}  // namespace

Result<std::string> RenderPdf(const Licence& licence, const LicenceType& type,
                              std::string_view verify_url) {
  std::string out;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(AppendBytes, &out, kWidth, kHeight),
      cairo_surface_destroy);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                 fmt::format("{} {}", licence.type_name, licence.id).c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "tongban");
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> context(cairo_create(surface.get()),
                                                             cairo_destroy);
  cairo_t* cr = context.get();

  // Border.
  cairo_set_source_rgb(cr, 0.55, 0.1, 0.1);
  cairo_set_line_width(cr, 3);
  cairo_rectangle(cr, 30, 30, kWidth - 60, kHeight - 60);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, 36, 36, kWidth - 72, kHeight - 72);
  cairo_stroke(cr);

  cairo_set_source_rgb(cr, 0, 0, 0);
  CenteredText(cr, kSerif, 30, 110, licence.type_name, /*bold=*/true);
  CenteredText(cr, kSans, 9, 135, fmt::format("证照编号 {}", licence.id));

  double y = 185;
  auto row = [&](std::string_view label, std::string_view value) {
    Text(cr, kSerif, 13, 80, y, label, /*bold=*/true);
    Text(cr, kSerif, 13, 210, y, value);
    y += 30;
  };
  row("持证主体", licence.holder_name);
  row("证件号码", licence.holder_id);
  for (const auto& f : type.fields) {
    auto it = licence.data.find(f.name);
    if (it == licence.data.end() || it->is_null()) continue;
    row(f.description.empty() ? f.name : f.description, ValueText(*it));
  }
  row("有效期限",
      licence.valid_until
          ? fmt::format("{} 至 {}", licence.valid_from.ToString(), licence.valid_until->ToString())
          : fmt::format("{} 起长期有效", licence.valid_from.ToString()));
  row("版本", fmt::format("第 {} 版", licence.version));

  // Issuer, date and seal at the bottom right; QR code at the bottom left.
  const double base = kHeight - 200;
  Text(cr, kSerif, 14, 330, base + 40, fmt::format("发证机关：{}", licence.issuer.name));
  Text(cr, kSerif, 12, 330, base + 70,
       fmt::format("发证日期：{}", licence.issued_at.substr(0, 10)));
  Seal(cr, 450, base + 40, 62, licence.issuer.name);
  TB_RETURN_IF_ERROR(QrCode(cr, 70, base - 20, 120, verify_url));
  Text(cr, kSans, 8, 70, base + 115, "扫码核验真伪");
  CenteredText(cr, kSans, 7, kHeight - 45,
               "本证照为电子证照的打印件，以电子签名（SM2）的 JSON 证照为准");

  cairo_show_page(cr);
  context.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Error(
        ErrorCode::kInternal,
        fmt::format("cairo: {}", cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  surface.reset();
  return out;
}

Result<std::string> RenderQrSvg(std::string_view text) {
  const std::string input(text);
  QRcode* qr = QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == nullptr) return Error(ErrorCode::kInternal, "cannot encode the QR code");
  const int width = qr->width;
  const int size = width + 8;  // a quiet zone of 4 modules each side
  std::string path;
  for (int row = 0; row < width; ++row) {
    for (int col = 0; col < width; ++col) {
      if (qr->data[row * width + col] & 1) path += fmt::format("M{} {}h1v1h-1z", col + 4, row + 4);
    }
  }
  QRcode_free(qr);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" "
      "shape-rendering=\"crispEdges\"><rect width=\"{0}\" height=\"{0}\" fill=\"#fff\"/>"
      "<path d=\"{1}\" fill=\"#000\"/></svg>\n",
      size, path);
}

}  // namespace tongban::licences

#if defined(__SANITIZE_ADDRESS__)
// cairo's toy font faces and fontconfig's pattern cache are process-wide and never freed; they
// are not leaks of ours. LeakSanitizer reads this hook at exit (any binary linking this module).
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcairo.so\nleak:libfontconfig.so\n";
}
#endif
